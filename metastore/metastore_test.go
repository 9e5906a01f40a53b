package metastore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

// clock is a settable clock shared by the Stores of one test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness opens Stores on one fresh database of a backend.
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
	return harness{url: "sqlite:" + filepath.Join(t.TempDir(), "sub", "metastore.db")}
}

func mysqlHarness(t *testing.T) harness {
	srv := testcluster.MySQL(t)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_meta_test_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("mysql", srv.DSN)
		if err == nil {
			admin.Exec("DROP DATABASE " + db)
			admin.Close()
		}
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
		{"SchemaTooNew", testSchemaTooNew},
		{"Runs", testRuns},
		{"Watermarks", testWatermarks},
		{"Jobs", testJobs},
		{"Leases", testLeases},
		{"ConcurrentLeases", testConcurrentLeases},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)} }

func testMigrationsIdempotent(t *testing.T, h harness) {
	clk := newClock()
	for i := 0; i < 3; i++ {
		s := h.open(t, clk)
		v, err := s.SchemaVersion(context.Background())
		if err != nil || v != 1 {
			t.Fatalf("open #%d: schema version %d, %v; want 1", i+1, v, err)
		}
	}
}

func testSchemaTooNew(t *testing.T, h harness) {
	s := h.open(t, newClock())
	if _, err := s.db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), h.url, Options{Password: h.password})
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("open of a newer schema: err = %v, want ErrSchemaTooNew", err)
	}
}

func testRuns(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	s := h.open(t, clk)
	// A window given in another zone is stored and returned as UTC.
	paris := time.FixedZone("CET", 3600)
	w := time.Date(2026, 11, 21, 11, 0, 0, 0, paris)
	r1, err := s.StartRun(ctx, RunSpec{Kind: "pipeline", Name: "hourly", WindowStart: w, WindowEnd: w.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	r2, err := s.StartRun(ctx, RunSpec{Kind: "import", Name: "events", WindowStart: w, WindowEnd: w.Add(time.Hour), Attempt: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r1.ID, RunSucceeded, "", `{"rows":10}`); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, r2.ID, RunFailed, "mysql: connection refused", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, 999999, RunFailed, "", ""); !errors.Is(err, ErrRunNotFound) {
		t.Errorf("finish of a missing run: %v", err)
	}
	if err := s.FinishRun(ctx, r1.ID, "done", "", ""); err == nil {
		t.Errorf("finish with a bad status accepted")
	}

	all, err := s.ListRuns(ctx, RunFilter{})
	if err != nil || len(all) != 2 || all[0].ID != r2.ID {
		t.Fatalf("ListRuns = %+v, %v; want 2, newest first", all, err)
	}
	got := all[1]
	if !got.WindowStart.Equal(w) || got.WindowStart.Location() != time.UTC || got.Status != RunSucceeded || got.Stats != `{"rows":10}` || got.FinishedAt.IsZero() {
		t.Errorf("run = %+v", got)
	}
	failed, _ := s.ListRuns(ctx, RunFilter{Status: RunFailed})
	if len(failed) != 1 || failed[0].Error != "mysql: connection refused" || failed[0].Attempt != 2 {
		t.Errorf("failed runs = %+v", failed)
	}
	byName, _ := s.ListRuns(ctx, RunFilter{Name: "hourly", Since: clk.Now().Add(-2 * time.Minute)})
	if len(byName) != 1 || byName[0].ID != r1.ID {
		t.Errorf("runs of hourly = %+v", byName)
	}
}

func testWatermarks(t *testing.T, h harness) {
	ctx := context.Background()
	s := h.open(t, newClock())
	if _, ok, err := s.Watermark(ctx, "events"); ok || err != nil {
		t.Fatalf("watermark before any = %v, %v", ok, err)
	}
	err := s.Tx(ctx, func(tx *Tx) error { return tx.SetWatermark(ctx, "events", "1000") })
	if err != nil {
		t.Fatal(err)
	}
	// A failed transaction — say the publish it covers failed — leaves the
	// watermark where it was.
	boom := errors.New("publish failed")
	err = s.Tx(ctx, func(tx *Tx) error {
		if err := tx.SetWatermark(ctx, "events", "2000"); err != nil {
			return err
		}
		if v, _, _ := tx.Watermark(ctx, "events"); v != "2000" {
			t.Errorf("inside the transaction the watermark reads %q", v)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx error = %v", err)
	}
	if v, ok, err := s.Watermark(ctx, "events"); v != "1000" || !ok || err != nil {
		t.Fatalf("after the failed transaction: %q, %v, %v; want 1000", v, ok, err)
	}
	// Setting the same value again is fine (MySQL reports 0 changed rows).
	if err := s.Tx(ctx, func(tx *Tx) error { return tx.SetWatermark(ctx, "events", "1000") }); err != nil {
		t.Fatal(err)
	}
}

func testJobs(t *testing.T, h harness) {
	ctx := context.Background()
	s := h.open(t, newClock())
	j := Job{Name: "events-hourly", Kind: "import", Spec: `{"table":"events","password_file":"/run/secrets/pw"}`}
	if err := s.SaveJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveJob(ctx, j); !errors.Is(err, ErrJobExists) {
		t.Errorf("second save: %v, want ErrJobExists", err)
	}
	if err := s.SaveJob(ctx, Job{Name: "a-first", Kind: "import", Spec: "{}"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Job(ctx, j.Name)
	if err != nil || got.Spec != j.Spec || got.Kind != "import" || got.CreatedAt.IsZero() {
		t.Fatalf("Job = %+v, %v", got, err)
	}
	list, err := s.ListJobs(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "a-first" {
		t.Fatalf("ListJobs = %+v, %v", list, err)
	}
	if err := s.DeleteJob(ctx, j.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Job(ctx, j.Name); !errors.Is(err, ErrJobNotFound) {
		t.Errorf("Job after delete: %v", err)
	}
	if err := s.DeleteJob(ctx, j.Name); !errors.Is(err, ErrJobNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func testLeases(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	a, b := h.open(t, clk), h.open(t, clk) // two processes on one metastore
	la, err := a.AcquireLease(ctx, "job:events", "host-a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AcquireLease(ctx, "job:events", "host-b", time.Minute); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("second holder: err = %v, want ErrLeaseHeld", err)
	}
	clk.Add(30 * time.Second)
	if la, err = a.RenewLease(ctx, la, time.Minute); err != nil {
		t.Fatalf("renew: %v", err)
	}
	clk.Add(61 * time.Second) // a stops renewing: the lease expires
	lb, err := b.AcquireLease(ctx, "job:events", "host-b", time.Minute)
	if err != nil {
		t.Fatalf("take over an expired lease: %v", err)
	}
	if lb.Token <= la.Token {
		t.Fatalf("token %d after %d: fencing tokens must grow", lb.Token, la.Token)
	}
	if _, err := a.RenewLease(ctx, la, time.Minute); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("renew by the old holder: %v, want ErrLeaseLost", err)
	}
	err = a.Tx(ctx, func(tx *Tx) error { return tx.CheckFence(ctx, "job:events", la.Token) })
	if !errors.Is(err, ErrLeaseLost) {
		t.Errorf("fence check with a stale token: %v, want ErrLeaseLost", err)
	}
	if err := b.Tx(ctx, func(tx *Tx) error { return tx.CheckFence(ctx, "job:events", lb.Token) }); err != nil {
		t.Errorf("fence check by the holder: %v", err)
	}
	if err := b.ReleaseLease(ctx, lb); err != nil {
		t.Fatal(err)
	}
	lc, err := a.AcquireLease(ctx, "job:events", "host-a", time.Minute)
	if err != nil || lc.Token <= lb.Token {
		t.Fatalf("acquire after release = %+v, %v", lc, err)
	}
}

func testConcurrentLeases(t *testing.T, h harness) {
	ctx := context.Background()
	clk := newClock()
	const n = 6
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = h.open(t, clk)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var winners []string
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			holder := fmt.Sprintf("host-%d", i)
			_, err := s.AcquireLease(ctx, "schedule:hourly", holder, time.Minute)
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, holder)
				mu.Unlock()
			case !errors.Is(err, ErrLeaseHeld):
				t.Errorf("%s: %v", holder, err)
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("winners = %v, want exactly one", winners)
	}
}
