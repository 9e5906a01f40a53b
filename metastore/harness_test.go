package metastore

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
)

// clock is a settable clock shared by the Stores of one test, standing in
// for several processes' synchronised clocks.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness names one fresh database of a backend; every open is another
// "process" on it.
type harness struct {
	url      string
	password string
}

func (h harness) open(t *testing.T, clk *clock) *Store {
	t.Helper()
	s, err := Open(context.Background(), h.url, Options{Password: h.password, Now: clk.Now})
	if err != nil {
		t.Fatalf("open %s: %v", h.url, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func sqliteHarness(t *testing.T) harness {
	// A directory that does not exist yet: Open creates it.
	return harness{url: "sqlite:" + filepath.Join(t.TempDir(), "sub", "metastore.db")}
}

var dbSeq atomic.Int64

// mysqlHarness creates a database with a unique name on the test MariaDB
// and drops it when the test ends.
func mysqlHarness(t *testing.T) harness {
	srv := testcluster.MySQL(t)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	db := fmt.Sprintf("hetl_meta_test_%d_%d", time.Now().UnixNano(), dbSeq.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP DATABASE " + db); err != nil {
			t.Errorf("drop database %s: %v", db, err)
		}
		admin.Close()
	})
	return harness{url: fmt.Sprintf("mysql://%s@%s/%s", srv.User, net.JoinHostPort(srv.Host, srv.Port), db), password: srv.Password}
}

func TestSQLiteConformance(t *testing.T) { conformance(t, sqliteHarness) }
func TestMySQLConformance(t *testing.T)  { conformance(t, mysqlHarness) }

// conformance runs the same tests on each backend, a fresh database each.
func conformance(t *testing.T, newHarness func(t *testing.T) harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h harness)
	}{
		{"MigrationsIdempotent", testMigrationsIdempotent},
		{"ConcurrentOpen", testConcurrentOpen},
		{"SchemaTooNew", testSchemaTooNew},
		{"Runs", testRuns},
		{"PruneRuns", testPruneRuns},
		{"RunAttempts", testRunAttempts},
		{"FinishRunOnce", testFinishRunOnce},
		{"Watermarks", testWatermarks},
		{"PublishTransaction", testPublishTransaction},
		{"Jobs", testJobs},
		{"ConcurrentSaveJob", testConcurrentSaveJob},
		{"Leases", testLeases},
		{"ConcurrentLeases", testConcurrentLeases},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
}

// race runs fn(i) for i in [0, n) at once and waits.
func race(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}
