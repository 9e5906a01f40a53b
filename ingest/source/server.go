package source

import (
	"context"
	"database/sql"
	"strings"
)

// Server identifies the MySQL-compatible server behind a pool.
type Server struct {
	Version string // @@version, e.g. 11.8.3-MariaDB-0+deb13u1
	Comment string // @@version_comment, e.g. "Debian 13" or "Dolt"
}

// Identify reads the server's version. A server that refuses to say is
// reported with empty fields, not an error: identification only tunes
// what hetl promises, never what it reads.
func Identify(ctx context.Context, db *sql.DB) Server {
	var s Server
	var v, c sql.NullString
	if db.QueryRowContext(ctx, "SELECT @@version, @@version_comment").Scan(&v, &c) == nil {
		s.Version, s.Comment = v.String, c.String
	}
	return s
}

// HasSnapshots says whether the server gives InnoDB's consistent-snapshot
// transactions. go-mysql-server (hetl's embedded demo server, and Dolt)
// accepts the statements but has no MVCC snapshot across sessions.
func (s Server) HasSnapshots() bool {
	return !strings.EqualFold(strings.TrimSpace(s.Comment), "Dolt")
}
