package config

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Password reads the connection's password from its file or environment
// variable at the moment of use. A connection with neither has an empty
// password. The value is never stored in the Config.
func (c *Connection) Password(ctx context.Context) (string, error) {
	return readSecret(ctx, "connection "+c.name, c.PasswordFile, c.PasswordEnv)
}

// Password reads the MySQL metastore's password, as Connection.Password does.
func (m Metastore) Password(ctx context.Context) (string, error) {
	return readSecret(ctx, "metastore", m.PasswordFile, m.PasswordEnv)
}

// ReadPasswordFile reads a password file as Sqoop's --password-file does:
// the whole file, less one trailing newline.
func ReadPasswordFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	s := strings.TrimSuffix(string(data), "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

func readSecret(ctx context.Context, what, file, env string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	switch {
	case file != "":
		pw, err := ReadPasswordFile(file)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		return pw, nil
	case env != "":
		pw, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("%s: environment variable %s is not set", what, env)
		}
		return pw, nil
	}
	return "", nil
}
