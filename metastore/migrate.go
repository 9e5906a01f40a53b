package metastore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded files NNNN_name.sql in version order.
func migrations() ([]migration, error) {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3, ...: found %d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// migrate applies pending migrations, each in its own transaction, under a
// lock so two processes opening a new metastore at once do not collide.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("metastore migrate: %w", err)
	}
	defer conn.Close()
	if s.dialect == mysqlDialect {
		// GET_LOCK is server-wide: name it after the database so metastores
		// sharing a server do not wait on each other.
		const lock = "CONCAT('hetl_migrate:', DATABASE())"
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lock+", 60)").Scan(&got); err != nil {
			return fmt.Errorf("metastore migrate: take the migration lock: %w", err)
		}
		if got.Int64 != 1 {
			return errors.New("metastore migrate: another process held the migration lock for 60s")
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT RELEASE_LOCK("+lock+")")
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("metastore migrate: create schema_migrations: %w", err)
	}
	for {
		// On SQLite, BEGIN IMMEDIATE (the DSN's _txlock) is the lock.
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("metastore migrate: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
			return errors.Join(fmt.Errorf("metastore migrate: read version: %w", err), rollback(tx))
		}
		if current > len(ms) {
			return errors.Join(fmt.Errorf("%w: database at version %d, this hetl knows %d; upgrade hetl", ErrSchemaTooNew, current, len(ms)), rollback(tx))
		}
		if current == len(ms) {
			return rollback(tx)
		}
		m := ms[current]
		for _, stmt := range s.statements(m.sql) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return errors.Join(fmt.Errorf("metastore migration %d (%s): %w", m.version, m.name, err), rollback(tx))
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, s.nowMillis()); err != nil {
			return errors.Join(fmt.Errorf("metastore migration %d: record: %w", m.version, err), rollback(tx))
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("metastore migration %d: commit: %w", m.version, err)
		}
	}
}

// statements splits a migration into statements and fills in the few
// dialect differences. (MySQL commits DDL implicitly: a failed migration can
// leave part of it behind there; migrations are written to be re-runnable
// only where that matters.)
func (s *Store) statements(body string) []string {
	autoid := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if s.dialect == mysqlDialect {
		autoid = "BIGINT PRIMARY KEY AUTO_INCREMENT"
	}
	var out []string
	var b strings.Builder
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	for _, stmt := range strings.Split(b.String(), ";") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			out = append(out, strings.ReplaceAll(stmt, "{{autoid}}", autoid))
		}
	}
	return out
}

// SchemaVersion is the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
