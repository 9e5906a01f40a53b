package command

import (
	"fmt"
	"os"
	"sort"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

type docsOptions struct {
	dir string
}

func newDocsCommand() *cobra.Command {
	o := &docsOptions{}
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Write the CLI reference (Markdown, one file per command) into a directory",
		Hidden: true,
		Example: `  # what make docs runs
  hetl docs --dir docs/cli`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.dir == "" {
				return usagef("--dir is required")
			}
			return WriteCLIDocs(o.dir)
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "directory to write the Markdown files into")
	return cmd
}

// WriteCLIDocs writes the reference of the whole command tree into dir.
func WriteCLIDocs(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	root := NewRootCommand()
	root.DisableAutoGenTag = true
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		return fmt.Errorf("write CLI docs: %w", err)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
