package metastore

import (
	"database/sql"
	"time"
)

// The accessors below let packages that keep tables of their own in the
// metastore (metastore/schedstore) share its database, clock and
// transactions. Their tables are created by this package's migrations, so
// one schema version covers everything.

// DB is the metastore's database handle.
func (s *Store) DB() *sql.DB { return s.db }

// IsMySQL reports whether the metastore is MySQL or MariaDB (else SQLite).
func (s *Store) IsMySQL() bool { return s.dialect == mysqlDialect }

// Now is the metastore's clock (Options.Now), in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// SQL is the transaction's database/sql transaction, for statements on
// tables this package does not know.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// IsRetryable reports whether err is a transaction the database gave up
// on (a deadlock victim, a lock wait timeout, SQLite busy) that is safe to
// run again from the start.
func IsRetryable(err error) bool { return isRetryable(err) }
