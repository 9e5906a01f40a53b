package command

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/go-sql-driver/mysql"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hetl/hetl/config"
)

// sourceOptions are Sqoop's connection flags, shared by every command that
// reads MySQL.
type sourceOptions struct {
	connect      string
	connection   string
	username     string
	passwordFile string
	prompt       bool
	password     string // --password: accepted with a warning, like Sqoop
}

func (o *sourceOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.connect, "connect", "", "MySQL to read: jdbc:mysql://host:port/db, mysql://user@host:port/db or a Go DSN")
	fs.StringVar(&o.connection, "connection", "", "a named connection from hetl.yaml instead of --connect")
	fs.StringVar(&o.username, "username", "", "MySQL user (overrides the URL's)")
	fs.StringVar(&o.passwordFile, "password-file", "", "file holding the MySQL password (also $HETL_MYSQL_PASSWORD)")
	fs.BoolVarP(&o.prompt, "P", "P", false, "prompt for the MySQL password on the terminal")
	fs.StringVar(&o.password, "password", "", "MySQL password on the command line (insecure: visible to other users; prefer --password-file or -P)")
}

func (o *sourceOptions) Validate() error {
	if (o.connect == "") == (o.connection == "") {
		return usagef("give exactly one of --connect and --connection")
	}
	n := 0
	for _, set := range []bool{o.passwordFile != "", o.prompt, o.password != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usagef("give at most one of --password-file, -P and --password")
	}
	return nil
}

// mysqlConfig resolves the flags into a driver configuration with the
// password set. The password is never logged.
func (o *sourceOptions) mysqlConfig(ctx context.Context, cfg *config.Config, log *slog.Logger, stdin io.Reader, stderr io.Writer) (*mysql.Config, error) {
	var (
		url      config.MySQLURL
		err      error
		password string
		havePass bool
	)
	if o.connection != "" {
		c, ok := cfg.Connection(o.connection)
		if !ok {
			return nil, usagef("--connection %s: no such connection in the configuration", o.connection)
		}
		url, err = config.ParseMySQLURL(c.URL)
		if err != nil {
			return nil, fmt.Errorf("connection %s: %w", o.connection, err)
		}
		if c.Username != "" {
			url.Config.User = c.Username
		}
		if c.PasswordFile != "" || c.PasswordEnv != "" {
			password, err = c.Password(ctx)
			if err != nil {
				return nil, fmt.Errorf("connection %s: %w", o.connection, err)
			}
			havePass = true
		}
	} else {
		url, err = config.ParseMySQLURL(o.connect)
		if err != nil {
			return nil, usagef("--connect: %v", err)
		}
		if url.InlinePassword != "" {
			log.Warn("a password inside --connect is visible to other users of this machine; use --password-file or -P")
			password, havePass = url.InlinePassword, true
		}
	}
	for _, n := range url.Notes {
		log.Info(n)
	}
	if o.username != "" {
		url.Config.User = o.username
	}
	switch {
	case o.passwordFile != "":
		password, err = config.ReadPasswordFile(o.passwordFile)
		if err != nil {
			return nil, err
		}
		havePass = true
	case o.prompt:
		password, err = promptPassword(stdin, stderr, url.Config.User)
		if err != nil {
			return nil, err
		}
		havePass = true
	case o.password != "":
		log.Warn("--password is visible to other users of this machine; use --password-file or -P")
		password, havePass = o.password, true
	case !havePass:
		if p, ok := os.LookupEnv("HETL_MYSQL_PASSWORD"); ok {
			password, havePass = p, true
		}
	}
	url.Config.Passwd = password
	return url.Config, nil
}

func promptPassword(stdin io.Reader, stderr io.Writer, user string) (string, error) {
	fmt.Fprintf(stderr, "Enter password for MySQL user %s: ", user)
	defer fmt.Fprintln(stderr)
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		b, err := term.ReadPassword(int(f.Fd()))
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("read password: %w", err)
	}
	return trimNewline(line), nil
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
