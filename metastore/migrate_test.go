package metastore

import (
	"context"
	"errors"
	"testing"
)

func latest(t *testing.T) int {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

func testMigrationsIdempotent(t *testing.T, h harness) {
	clk := newClock()
	for i := 0; i < 3; i++ {
		s := h.open(t, clk)
		v, err := s.SchemaVersion(context.Background())
		if err != nil || v != latest(t) {
			t.Fatalf("open #%d: schema version %d, %v; want %d", i+1, v, err, latest(t))
		}
	}
}

// testConcurrentOpen: processes opening a new metastore at once apply each
// migration exactly once, and all of them open.
func testConcurrentOpen(t *testing.T, h harness) {
	const n = 5
	errs := make([]error, n)
	stores := make([]*Store, n)
	race(n, func(i int) {
		stores[i], errs[i] = Open(context.Background(), h.url, Options{Password: h.password})
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("open #%d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows, versions int
	err := stores[0].db.QueryRow("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &versions)
	if err != nil || rows != latest(t) || versions != latest(t) {
		t.Errorf("schema_migrations has %d rows, %d versions (%v); want %d of each", rows, versions, err, latest(t))
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
