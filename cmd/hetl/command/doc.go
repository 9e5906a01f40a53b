// Package command is hetl's command tree (spf13/cobra), one file per
// subcommand. Each subcommand is an options struct with AddFlags, Validate
// and Run(ctx, out); NewRootCommand builds the tree so tests drive it
// in-process, and Execute maps errors to the exit codes below. Nothing here
// calls os.Exit.
package command
