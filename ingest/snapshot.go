package ingest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/hetl/hetl/ingest/source"
)

// Snapshot records how consistent the readers' view was, for the manifest.
type Snapshot struct {
	// Consistent is true when every reader's transaction began while
	// writes to the table were blocked, so all saw the same state.
	Consistent bool `json:"consistent"`
	// Method says how: "flush-tables-read-lock", "lock-tables-read",
	// "transactions-unlocked" (each reader's own snapshot, opened within
	// milliseconds but not provably the same), or "none".
	Method string `json:"method"`
	// Why explains a weaker guarantee.
	Why        string `json:"why,omitempty"`
	BinlogFile string `json:"binlog_file,omitempty"`
	BinlogPos  uint64 `json:"binlog_pos,omitempty"`
	GTIDSet    string `json:"gtid_set,omitempty"`
	// RereadChunks lists chunks re-read on a new connection after a
	// dropped one: those rows come from a later snapshot.
	RereadChunks []int `json:"reread_chunks,omitempty"`
}

// reader is one session inside its snapshot transaction.
type reader struct {
	conn *sql.Conn
	inTx bool
}

func (r *reader) close() error {
	if r.conn == nil {
		return nil
	}
	if r.inTx {
		_, _ = r.conn.ExecContext(context.Background(), "COMMIT")
	}
	err := r.conn.Close()
	r.conn = nil
	return err
}

// openReaders opens n sessions that share one snapshot where the server
// allows it: a coordinator session blocks writes to the table (FLUSH
// TABLES ... WITH READ LOCK, else LOCK TABLES ... READ), every reader
// starts a consistent-snapshot transaction, the binlog position is read,
// and the lock is released — typically held for milliseconds.
func openReaders(ctx context.Context, db *sql.DB, n int, table *source.Table, engine string, embedded, isQuery bool) ([]*reader, Snapshot, error) {
	snap := Snapshot{}
	readers := make([]*reader, 0, n)
	fail := func(err error) ([]*reader, Snapshot, error) {
		for _, r := range readers {
			err = errors.Join(err, r.close())
		}
		return nil, snap, err
	}
	for range n {
		c, err := source.Conn(ctx, db)
		if err != nil {
			return fail(err)
		}
		readers = append(readers, &reader{conn: c})
	}
	switch {
	case embedded:
		snap.Method, snap.Why = "none", "the server (go-mysql-server: hetl's embedded demo server, or Dolt) has no snapshot shared across sessions; rows written during the import may or may not be seen"
	case engine != "" && !strings.EqualFold(engine, "InnoDB"):
		snap.Method, snap.Why = "none", fmt.Sprintf("table engine %s has no transactional snapshot", engine)
	}
	if snap.Method == "none" {
		return readers, snap, nil
	}
	var lock *sql.Conn
	if table != nil && !isQuery {
		c, err := source.Conn(ctx, db)
		if err != nil {
			return fail(err)
		}
		defer c.Close()
		for _, try := range []struct{ method, stmt string }{
			{"flush-tables-read-lock", "FLUSH TABLES " + table.QualifiedName() + " WITH READ LOCK"},
			{"lock-tables-read", "LOCK TABLES " + table.QualifiedName() + " READ"},
		} {
			if _, err := c.ExecContext(ctx, try.stmt); err == nil {
				lock, snap.Method = c, try.method
				break
			} else {
				snap.Why = fmt.Sprintf("cannot block writes to take one snapshot (%v)", err)
			}
		}
	} else if isQuery {
		snap.Why = "a --query may read several tables; hetl cannot lock them, so each reader has its own snapshot"
	}
	for _, r := range readers {
		if _, err := r.conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"); err != nil {
			if _, err2 := r.conn.ExecContext(ctx, "START TRANSACTION WITH CONSISTENT SNAPSHOT"); err2 != nil {
				if lock != nil {
					_, _ = lock.ExecContext(ctx, "UNLOCK TABLES")
				}
				return fail(fmt.Errorf("start snapshot transaction: %w", err2))
			}
		}
		r.inTx = true
	}
	readBinlog(ctx, readers[0].conn, &snap)
	if lock != nil {
		if _, err := lock.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
			return fail(fmt.Errorf("release table lock: %w", err))
		}
		snap.Consistent, snap.Why = true, ""
	} else {
		snap.Method = "transactions-unlocked"
	}
	return readers, snap, nil
}

// readBinlog records the binlog coordinates and GTID set when the server
// has a binlog and the user may see it.
func readBinlog(ctx context.Context, c *sql.Conn, snap *Snapshot) {
	for _, q := range []string{"SHOW BINARY LOG STATUS", "SHOW MASTER STATUS"} {
		rows, err := c.QueryContext(ctx, q)
		if err != nil {
			continue
		}
		cols, _ := rows.Columns()
		if rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if rows.Scan(ptrs...) == nil {
				for i, name := range cols {
					switch strings.ToLower(name) {
					case "file":
						snap.BinlogFile = vals[i].String
					case "position":
						fmt.Sscan(vals[i].String, &snap.BinlogPos)
					case "executed_gtid_set":
						snap.GTIDSet = vals[i].String
					}
				}
			}
		}
		rows.Close()
		break
	}
	if snap.GTIDSet == "" {
		var g sql.NullString
		if c.QueryRowContext(ctx, "SELECT @@GLOBAL.gtid_binlog_pos").Scan(&g) == nil {
			snap.GTIDSet = g.String // MariaDB
		}
	}
}
