package metastore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/hetl/hetl/config"
)

// Errors of the metastore; match them with errors.Is.
var (
	// ErrSchemaTooNew: the database was migrated by a newer hetl.
	ErrSchemaTooNew = errors.New("metastore schema is newer than this hetl")
	// ErrJobExists: SaveJob of a name already taken.
	ErrJobExists = errors.New("job already exists")
	// ErrJobNotFound: no saved job of that name.
	ErrJobNotFound = errors.New("job not found")
	// ErrRunNotFound: no run of that id.
	ErrRunNotFound = errors.New("run not found")
	// ErrRunFinished: FinishRun of a run that already finished.
	ErrRunFinished = errors.New("run already finished")
	// ErrLeaseHeld: another holder has the lease and it has not expired;
	// the error's text names the holder and the expiry.
	ErrLeaseHeld = errors.New("lease held by another holder")
	// ErrLeaseLost: the caller's token is no longer the lease's current
	// one, or the lease expired: the caller must stop and not publish.
	ErrLeaseLost = errors.New("lease lost")
)

// Options configure Open.
type Options struct {
	// Password for a mysql:// metastore; never part of the URL, so it never
	// reaches a log line.
	Password string
	// Now is the clock every stored time comes from; nil means time.Now.
	// Lease expiry compares the clocks of all processes sharing the
	// metastore, so they must be roughly in sync (NTP).
	Now func() time.Time
}

// Store is an open metastore. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	now     func() time.Time
}

type dialect string

const (
	sqliteDialect dialect = "sqlite"
	mysqlDialect  dialect = "mysql"
)

// Open opens a metastore and applies pending migrations. url is one of:
//
//	sqlite:PATH                  a SQLite file (pure Go), created with its directory
//	mysql://user@host[:port]/db  MySQL or MariaDB; the password comes from opts
//
// No other forms (go-sql-driver DSNs, JDBC URLs) are accepted: the two
// above are what hetl.yaml documents, and neither can carry a password.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s := &Store{now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		s.dialect = sqliteDialect
		s.db, err = openSQLite(strings.TrimPrefix(url, "sqlite:"))
	case strings.HasPrefix(url, "mysql://"):
		s.dialect = mysqlDialect
		s.db, err = openMySQL(url, opts.Password)
	default:
		return nil, fmt.Errorf("metastore %q: want sqlite:PATH or mysql://user@host:port/db", url)
	}
	if err != nil {
		return nil, err
	}
	if err := s.ping(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to metastore: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(path string) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("metastore: sqlite:%s: want sqlite:PATH, a file path without '?' or '#'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create metastore directory: %w", err)
		}
	}
	// Immediate transactions take the write lock at BEGIN, so two processes
	// racing for a lease serialise instead of failing at COMMIT.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open metastore %s: %w", path, err)
	}
	return db, nil
}

func openMySQL(url, password string) (*sql.DB, error) {
	u, err := config.ParseMySQLURL(url)
	if err != nil {
		return nil, fmt.Errorf("metastore: %w", err)
	}
	if u.InlinePassword != "" {
		return nil, errors.New("metastore: the URL contains a password; pass it in Options.Password")
	}
	if u.Config.DBName == "" {
		return nil, errors.New("metastore: name the database in the URL")
	}
	cfg := u.Config
	cfg.Passwd = password
	// Times are stored as BIGINT Unix milliseconds (the same on SQLite), so
	// no DATETIME ever goes through the driver's time parsing; the session
	// is still UTC for anything a person runs by hand.
	cfg.ParseTime = false
	cfg.Loc = time.UTC
	cfg.MultiStatements = false
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("metastore: %w", err)
	}
	return sql.OpenDB(connector), nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) nowMillis() int64 { return s.now().UTC().UnixMilli() }

// Tx is a metastore transaction; see Store.Tx.
type Tx struct {
	tx *sql.Tx
	s  *Store
}

// Tx runs fn in one transaction: committed when fn returns nil, rolled back
// otherwise. It is how a caller records a publish and advances a watermark
// atomically.
func (s *Store) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin metastore transaction: %w", err)
	}
	// A panic in fn must not leave the transaction (and its locks) open.
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: tx, s: s}); err != nil {
		return errors.Join(err, rollback(tx))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit metastore transaction: %w", err)
	}
	return nil
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("roll back: %w", err)
	}
	return nil
}

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// ping connects once. A new SQLite connection switches the file to WAL,
// which needs a moment of exclusive access: processes opening a fresh
// metastore together can get SQLITE_BUSY there without the busy timeout
// applying, so that is retried for up to 10 seconds.
func (s *Store) ping(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	wait := 10 * time.Millisecond
	for {
		err := s.db.PingContext(ctx)
		if err == nil || !isRetryable(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}
