package command

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/warehouse"
)

// demoScheduleOptions are hetl demo --schedule's flags.
type demoScheduleOptions struct {
	dir    string
	rows   int
	runFor time.Duration
}

// demoSchedule shows the scheduler on embedded defaults: it seeds the
// embedded server with events of the last hours, declares the events
// import and schedules it and hourly_activity, runs the daemon in this
// process with a short tick until every window is done, adds the newest
// hour's events (some late) and triggers the import, waits for the stale
// re-runs, then prints hetl runs and hetl status. It stops after runFor
// at the latest.
func demoSchedule(ctx context.Context, e env, o demoScheduleOptions, stderr, out io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, o.runFor)
	defer cancel()
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	// A fresh demo each time (the windows are the last hours'), but only
	// in a directory an earlier demo made or an empty one.
	if err := checkDemoDir(dir); err != nil {
		return err
	}
	for _, p := range []string{"warehouse", "metastore.db", "metastore.db-wal", "metastore.db-shm"} {
		if err := os.RemoveAll(filepath.Join(dir, p)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
	if err != nil {
		return err
	}
	defer srv.Close()
	db, err := source.Open(ctx, srv.Config())
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Hour)
	start := now.Add(-4 * time.Hour)
	fmt.Fprintf(out, "embedded MySQL-compatible server on %s; events of %s to %s UTC\n", srv.Addr(), start.Format("2006-01-02 15:04"), now.Add(-time.Hour).Format("15:04"))
	if err := seedAndReport(ctx, db, demo.SeedOptions{Rows: o.rows, Hours: 3, Start: start, Seed: 1}, stderr, out, e); err != nil {
		return err
	}

	// The configuration a newcomer would write, kept for a look afterwards.
	pw := filepath.Join(dir, "mysql-password.txt")
	if err := os.WriteFile(pw, []byte(srv.Password()+"\n"), 0o600); err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "hetl.yaml")
	yaml := fmt.Sprintf(demoScheduleMarker+` (docs/scheduling.md).
warehouse:
  location: %[1]s/warehouse
metastore:
  url: sqlite:%[1]s/metastore.db
connections:
  demo:
    url: mysql://%[2]s@%[3]s/%[4]s
    password_file: %[5]s
imports:
  events:
    connection: demo
    table: events
    incremental: append
    check-column: id
    partition-by: created_at:hour
    num-mappers: 2
schedules:
  tick: 500ms
  shutdown_grace: 10s
  jobs:
    events:
      kind: import
      cron: "@hourly"
      start: %[6]s
    hourly_activity:
      kind: pipeline
      cron: "@hourly"
      start: %[6]s
      max_concurrent: 2
      retries: {attempts: 3, backoff: 2s}
      stale: {max_per_tick: 8, every: 1s}
`, dir, srv.User(), srv.Addr(), srv.Database(), pw, start.Format("2006-01-02T15"))
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o644); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		return err
	}
	e.cfg = cfg
	fmt.Fprintf(out, "\nschedules in %s: events (incremental import) and hourly_activity, @hourly from %s UTC\n", cfgPath, start.Format("15:04"))

	// The dimensions, imported once (a real setup schedules them too).
	fsys, err := warehouse.NewLocalFS(filepath.Join(dir, "warehouse"))
	if err != nil {
		return err
	}
	for _, table := range []string{"users", "devices"} {
		if _, err := ingest.Run(ctx, ingest.Options{Source: srv.Config(), Table: table, FS: fsys, Dir: table, Mode: ingest.TargetReplace,
			Mappers: 1, Embedded: true, Log: e.log}); err != nil {
			return fmt.Errorf("import %s: %w", table, err)
		}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	key, err := pii.NewKey(raw[:])
	if err != nil {
		return err
	}
	k, err := openSchedKit(ctx, e, schedKitOptions{PIIKey: &key, Engine: func(o *scheduler.Options) {
		o.LeaderTTL, o.RunLeaseTTL = 10*time.Second, 20*time.Second
	}})
	if err != nil {
		return err
	}
	defer k.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "the scheduler is running (tick 500ms); its metrics: http://%s/metrics\n", ln.Addr())
	stopHTTP := serveMetrics(ln, k.engine)
	defer stopHTTP()
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- k.engine.Run(runCtx) }()
	stopEngine := func() error {
		stop()
		return <-done
	}

	last := jobs.Window{Start: now.Add(-time.Hour)}
	windows, _ := jobs.Windows(jobs.Window{Start: start}, jobs.Window{Start: now})
	err = demoWait(ctx, k, windows, 1)
	if err == nil {
		more := max(o.rows/3, 1)
		var added int
		added, _, err = demo.AddEvents(ctx, db, demo.MoreOptions{Rows: more, Hours: 1, Seed: 2})
		if err == nil {
			fmt.Fprintf(out, "\nthe source got %d more events for %s (one in 25 late, in hours already processed); triggering the import as its next firing would\n", added, last)
			_, err = k.engine.Trigger(ctx, "events", last)
		}
		if err == nil {
			err = demoWait(ctx, k, windows, 2)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(out, "\nstopping after --schedule-for %s; what was running is recorded as interrupted\n", o.runFor)
		err = nil
	}
	err = errors.Join(err, stopEngine())
	fmt.Fprintf(out, "\n$ hetl --config %s runs\n", cfgPath)
	bg := context.WithoutCancel(ctx)
	if perr := printRuns(bg, k, out, scheduler.RunFilter{Newest: true}); perr != nil {
		err = errors.Join(err, perr)
	}
	fmt.Fprintf(out, "\n$ hetl --config %s status\n", cfgPath)
	if perr := printStatus(bg, k, e.cfg, out); perr != nil {
		err = errors.Join(err, perr)
	}
	fmt.Fprintf(out, "\nthe daemon itself: hetl --config %s schedule   (the embedded server is gone once this demo exits)\n", cfgPath)
	return err
}

// demoWait waits until every window of both schedules succeeded, the
// import's newest window at least attempts times, and no window is
// queued or running; the context bounds it.
func demoWait(ctx context.Context, k *schedKit, windows []jobs.Window, attempts int) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := demoSettled(ctx, k, windows, attempts)
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

func demoSettled(ctx context.Context, k *schedKit, windows []jobs.Window, attempts int) (bool, error) {
	for _, name := range []string{"events", "hourly_activity"} {
		for _, w := range windows {
			r, err := k.store.Run(ctx, scheduler.RunKey{Schedule: name, Window: w})
			if errors.Is(err, scheduler.ErrNotFound) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if r.Status == scheduler.StatusFailed {
				return false, fmt.Errorf("%s %s failed: %s", name, w, r.Error)
			}
			if r.Status != scheduler.StatusSucceeded {
				return false, nil
			}
		}
	}
	as, err := k.store.Attempts(ctx, scheduler.RunKey{Schedule: "events", Window: windows[len(windows)-1]})
	if err != nil || len(as) < attempts {
		return false, err
	}
	p, err := findPipeline(k.runner.e.cfg, "hourly_activity")
	if err != nil {
		return false, err
	}
	fsys, err := k.runner.warehouse(ctx)
	if err != nil {
		return false, err
	}
	stale, _, err := staleWindows(ctx, k.ms, "hourly_activity", p, jobs.Env{FS: fsys}, time.Time{})
	if err != nil || len(stale) > 0 {
		return false, err
	}
	open, err := k.store.Runs(ctx, scheduler.RunFilter{Statuses: []scheduler.RunStatus{scheduler.StatusPending, scheduler.StatusRunning, scheduler.StatusInterrupted}})
	return err == nil && len(open) == 0, err
}

// demoScheduleMarker starts the hetl.yaml the demo writes; the demo only
// replaces a directory holding it.
const demoScheduleMarker = "# Written by hetl demo --schedule"

// checkDemoDir refuses a directory with content that an earlier demo did
// not write: the demo deletes its warehouse and metastore.
func checkDemoDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(ents) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dir, "hetl.yaml"))
	if err != nil || !strings.HasPrefix(string(b), demoScheduleMarker) {
		return usagef("--dir %s holds files hetl demo --schedule did not write; it replaces its warehouse and metastore, so give an empty or new directory", dir)
	}
	return nil
}
