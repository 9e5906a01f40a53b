package source

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// sessionInit is run on every new connection. time_zone pins TIMESTAMP
// conversion to UTC; names utf8mb4 makes the server convert every text
// column to UTF-8; net timeouts are raised because a reader that waits on
// a slow writer must not be dropped by the server mid-chunk.
var sessionInit = []string{
	"SET time_zone = '+00:00'",
	"SET NAMES utf8mb4",
	"SET SESSION net_write_timeout = 600, net_read_timeout = 600",
}

// Open connects to the server described by cfg (whose Passwd the caller
// set) and checks that it answers. The returned pool runs sessionInit on
// every connection it opens.
func Open(ctx context.Context, cfg *mysql.Config) (*sql.DB, error) {
	c := cfg.Clone()
	// Text protocol values are parsed by hetl itself, exactly.
	c.ParseTime = false
	c.InterpolateParams = true
	c.MultiStatements = false
	// Large BLOB rows: the server's max_allowed_packet decides, not the
	// driver's default.
	c.MaxAllowedPacket = 0
	if c.Params == nil {
		c.Params = map[string]string{}
	}
	connector, err := mysql.NewConnector(c)
	if err != nil {
		return nil, fmt.Errorf("mysql connection settings: %w", err)
	}
	db := sql.OpenDB(&initConnector{Connector: connector})
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to mysql at %s: %w", c.Addr, Describe(err))
	}
	return db, nil
}

// Describe turns driver errors into messages that say what to do.
func Describe(err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case 1045:
			return fmt.Errorf("access denied (check --username and the password): %w", err)
		case 1049:
			return fmt.Errorf("unknown database: %w", err)
		}
	}
	return err
}

// Conn is one session, with its settings applied.
func Conn(ctx context.Context, db *sql.DB) (*sql.Conn, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("open mysql session: %w", Describe(err))
	}
	return c, nil
}

// QuoteIdent quotes a MySQL identifier with backticks, doubling any
// backtick inside. It refuses NUL bytes and empty names, which MySQL does
// not allow either.
func QuoteIdent(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty identifier")
	}
	if strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("identifier %q contains a NUL byte", name)
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`", nil
}

// MustQuote is QuoteIdent for names read back from information_schema,
// which are known to be valid.
func MustQuote(name string) string {
	q, err := QuoteIdent(name)
	if err != nil {
		panic(err)
	}
	return q
}
