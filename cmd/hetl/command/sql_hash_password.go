package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hetl/hetl/sql/password"
)

func newSQLHashPasswordCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hash-password",
		Short: "Print the mysql_native_password hash of a password read from stdin, for sql.users in hetl.yaml",
		Long: `hash-password reads a password — typed twice without echo on a terminal, else the first
line of stdin — and prints its mysql_native_password hash ("*" and 40 hex digits, as
MySQL stores it in mysql.user). Put the hash in hetl.yaml under sql.users.NAME
(password_hash), or in a file named by password_hash_file. The password is never taken
from the command line, where other users of the machine could see it.`,
		Example: `  hetl sql hash-password                      # type it twice
  hetl sql hash-password < analyst-password.txt > /etc/hetl/analyst.hash`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, err := readNewPassword(cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), password.NativeHash(pw))
			return err
		},
	}
}

// readNewPassword reads a password to hash: from a terminal twice, without
// echo; else the first line of stdin.
func readNewPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	var pw string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		read := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			defer fmt.Fprintln(stderr)
			b, err := term.ReadPassword(int(f.Fd()))
			if err != nil {
				return "", fmt.Errorf("read password: %w", err)
			}
			return string(b), nil
		}
		first, err := read("Password: ")
		if err != nil {
			return "", err
		}
		again, err := read("Again: ")
		if err != nil {
			return "", err
		}
		if first != again {
			return "", errors.New("the passwords differ")
		}
		pw = first
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("read the password from stdin: %w", err)
		}
		pw = trimNewline(line)
	}
	if pw == "" {
		return "", usagef("empty password: an SQL user needs one")
	}
	return pw, nil
}
