package schedstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/scheduler"
)

// countingRunner records how often each window ran and whether two
// attempts of one window ever overlapped.
type countingRunner struct {
	t       *testing.T
	mu      sync.Mutex
	active  map[time.Time]int
	done    map[time.Time]int
	overlap int
}

func (c *countingRunner) Run(ctx context.Context, name string, w jobs.Window) (scheduler.RunResult, error) {
	c.mu.Lock()
	c.active[w.Start]++
	if c.active[w.Start] > 1 {
		c.overlap++
	}
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.active[w.Start]--; c.mu.Unlock() }()
	select {
	case <-ctx.Done():
		return scheduler.RunResult{}, context.Cause(ctx)
	case <-time.After(10 * time.Minute):
	}
	c.mu.Lock()
	c.done[w.Start]++
	c.mu.Unlock()
	return scheduler.RunResult{Rows: 1}, nil
}

func (c *countingRunner) Stale(context.Context, string) ([]jobs.Window, error) { return nil, nil }

// twoDaemons runs two engines, each on its own connection pool to one
// store ("two processes"), for twelve simulated hours; the first to lead
// is stopped after five. Every hourly window must run exactly once, never
// twice at a time, with the standby taking over.
func twoDaemons(t *testing.T, openStore func(t *testing.T) scheduler.Store) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 11, 21, 0, 5, 0, 0, time.UTC)))
		r := &countingRunner{t: t, active: map[time.Time]int{}, done: map[time.Time]int{}}
		sp := scheduler.NewSpec("orders", scheduler.MustParse("@hourly", "Europe/Berlin", 0))
		sp.MaxConcurrent = 2
		type daemon struct {
			e    *scheduler.Engine
			stop context.CancelFunc
			done chan error
		}
		start := func(holder string) daemon {
			o := scheduler.DefaultOptions()
			o.Holder, o.Logger = holder, slog.New(slog.NewTextHandler(io.Discard, nil))
			o.Tick, o.LeaderTTL, o.RunLeaseTTL = time.Minute, 2*time.Minute, 3*time.Minute
			e, err := scheduler.New(openStore(t), r, []scheduler.Spec{sp}, o)
			if err != nil {
				t.Fatal(err)
			}
			ctx, stop := context.WithCancel(context.Background())
			d := daemon{e: e, stop: stop, done: make(chan error, 1)}
			go func() { d.done <- e.Run(ctx) }()
			return d
		}
		a, b := start("a"), start("b")
		time.Sleep(5 * time.Hour)
		first, second := a, b
		if !a.e.Leading() {
			first, second = b, a
		}
		if !first.e.Leading() || second.e.Leading() {
			t.Fatalf("leading: a %v, b %v; want exactly one", a.e.Leading(), b.e.Leading())
		}
		first.stop()
		if err := <-first.done; err != nil {
			t.Fatal(err)
		}
		time.Sleep(7 * time.Hour)
		if !second.e.Leading() {
			t.Error("the standby did not take over")
		}
		second.stop()
		if err := <-second.done; err != nil {
			t.Fatal(err)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.overlap > 0 {
			t.Errorf("%d attempts overlapped another of the same window", r.overlap)
		}
		// From the first window on, every hour that ended before the last
		// hour ran exactly once.
		firstW := time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC)
		for h := firstW; h.Before(time.Date(2026, 11, 21, 11, 0, 0, 0, time.UTC)); h = h.Add(time.Hour) {
			if n := r.done[h]; n != 1 {
				t.Errorf("window %s ran %d times", jobs.Window{Start: h}, n)
			}
		}
	})
}

func TestTwoDaemonsSQLite(t *testing.T) {
	var path string
	var once sync.Once
	twoDaemons(t, func(t *testing.T) scheduler.Store {
		once.Do(func() { path = filepath.Join(t.TempDir(), "metastore.db") })
		return open(t, "sqlite:"+path, "")
	})
}

func TestTwoDaemonsMariaDB(t *testing.T) {
	srv := testcluster.MySQL(t)
	db := fmt.Sprintf("sched_wire_daemons_%d", time.Now().UnixNano())
	var once sync.Once
	twoDaemons(t, func(t *testing.T) scheduler.Store {
		once.Do(func() {
			admin, err := sql.Open("mysql", srv.DSN)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Close() })
			if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { admin.Exec("DROP DATABASE " + db) })
		})
		return open(t, fmt.Sprintf("mysql://%s@%s/%s", srv.User, net.JoinHostPort(srv.Host, srv.Port), db), srv.Password)
	})
}
