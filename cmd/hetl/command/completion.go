package command

import (
	"github.com/spf13/cobra"
)

func newCompletionCommand() *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print a shell completion script",
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Example: `  # bash, for the current shell
  source <(hetl completion bash)
  # zsh, installed once
  hetl completion zsh > "${fpath[1]}/_hetl"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || !oneOf(args[0], "bash", "zsh", "fish", "powershell") {
				return usagef("completion takes one of bash, zsh, fish, powershell")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			root, out := cmd.Root(), cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			}
			return root.GenPowerShellCompletionWithDesc(out)
		},
	}
}
