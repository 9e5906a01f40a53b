package command

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/jobstest"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/metastore/schedstore"
	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/warehouse"
)

// The daemon end to end on a SQLite metastore and a local warehouse.
func TestScheduleEndToEndLocal(t *testing.T) {
	dir := t.TempDir()
	scheduleEndToEnd(t, dir, "location: "+filepath.Join(dir, "wh"), "url: sqlite:"+filepath.Join(dir, "ms.db"))
}

// The daemon end to end on the test MariaDB (source and metastore) and the
// mini HDFS warehouse.
func TestScheduleEndToEndMariaDBHDFS(t *testing.T) {
	dir := t.TempDir()
	nn, confDir := testcluster.HDFS(t)
	loc := fmt.Sprintf("%s/sched-wire/e2e-%d", nn, time.Now().UnixNano())
	srv := testcluster.MySQL(t)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	meta := fmt.Sprintf("sched_wire_meta_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + meta); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + meta); admin.Close() })
	t.Cleanup(func() {
		l, _ := warehouse.ParseLocation(loc)
		if fsys, err := warehouse.NewHDFS(context.Background(), l, warehouse.HDFSOptions{HadoopConfDir: confDir}); err == nil {
			fsys.RemoveAll(context.Background(), "")
			warehouse.CloseFS(fsys)
		}
	})
	scheduleEndToEnd(t, dir, fmt.Sprintf("location: %s\n  hadoop_conf_dir: %s", loc, confDir),
		fmt.Sprintf("url: mysql://%s@%s/%s\n  password_env: HETL_MYSQL_PASSWORD", srv.User, srv.Addr(), meta))
}

// scheduleEndToEnd runs `hetl schedule` in-process over the demo data set
// for the last few real hours: an hourly incremental import of events and
// hourly_activity after it. The source receives rows in three batches (by
// id, so late rows land in hours already processed); after each batch the
// import is triggered by hand (hetl trigger) and stale windows are re-run
// by the daemon. After each batch every window's aggregates must equal
// the same computation in SQL over the source.
func scheduleEndToEnd(t *testing.T, dir, warehouseYAML, metastoreYAML string) {
	t.Chdir(dir)
	t.Setenv("HETL_PII_KEY", "a scheduler test key, 32 bytes or more, not a real one")
	url, admin, _ := scratchDB(t, "sched_wire_e2e")
	if _, err := admin.Exec("SET time_zone = '+00:00'"); err != nil {
		t.Fatal(err)
	}
	const hours = 4
	start := time.Now().UTC().Truncate(time.Hour).Add(-(hours + 1) * time.Hour)
	if _, err := demo.Seed(context.Background(), admin, demo.SeedOptions{Rows: 3000, Hours: hours, Start: start, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	// Rows arrive in three batches of ids; the later two wait in events_later.
	var maxID int64
	if err := admin.QueryRow("SELECT MAX(id) FROM events").Scan(&maxID); err != nil {
		t.Fatal(err)
	}
	cut1, cut2 := maxID/2, maxID*3/4
	for _, q := range []string{
		"CREATE TABLE events_later AS SELECT * FROM events WHERE id > " + fmt.Sprint(cut1),
		"DELETE FROM events WHERE id > " + fmt.Sprint(cut1),
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	cfgPath := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`warehouse:
  %s
metastore:
  %s
connections:
  app:
    url: %s
    password_env: HETL_MYSQL_PASSWORD
imports:
  events:
    connection: app
    table: events
    incremental: append
    check-column: id
    partition-by: created_at:hour
    num-mappers: 2
schedules:
  tick: 200ms
  max_concurrent: 3
  shutdown_grace: 30s
  jobs:
    events:
      kind: import
      start: %[4]s
      retries: {attempts: 3, backoff: 1s}
    hourly_activity:
      kind: pipeline
      start: %[4]s
      max_concurrent: 2
      retries: {attempts: 3, backoff: 1s}
      stale: {max_per_tick: 10, every: 500ms}
`, warehouseYAML, metastoreYAML, url, start.Format("2006-01-02T15"))), 0o644)
	t.Setenv("HETL_CONFIG", cfgPath)
	for _, table := range []string{"users", "devices"} {
		if code, out, errOut := run(t, "import", "--connection", "app", "--table", table, "-m", "1"); code != ExitOK {
			t.Fatalf("import %s: exit %d\n%s%s", table, code, out, errOut)
		}
	}
	// Before the daemon ever ran: status works and shows nothing done.
	if code, out, errOut := run(t, "status"); code != ExitOK || !strings.Contains(out, "none yet") {
		t.Fatalf("status before: exit %d\n%s%s", code, out, errOut)
	}

	ctx, stop := context.WithCancel(context.Background())
	daemonOut := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Execute(ctx, []string{"schedule", "--listen", "127.0.0.1:0"}, daemonOut, daemonOut) }()
	defer func() {
		stop()
		select {
		case code := <-done:
			if code != ExitOK {
				t.Errorf("schedule exited %d:\n%s", code, daemonOut.String())
			}
		case <-time.After(time.Minute):
			t.Errorf("schedule did not stop within a minute of its context ending")
		}
	}()

	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := openMetastore(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	store := schedstore.New(ms)
	fsys, err := openWarehouse(context.Background(), cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	defer warehouse.CloseFS(fsys)
	last := time.Now().UTC().Truncate(time.Hour).Add(-time.Hour) // the newest ended window
	windows, _ := jobs.Windows(jobs.Window{Start: start}, jobs.Window{Start: last.Add(time.Hour)})

	for batch := 1; batch <= 3; batch++ {
		if batch > 1 {
			lo, hi := cut1, cut2
			if batch == 3 {
				lo, hi = cut2, maxID
			}
			if _, err := admin.Exec(fmt.Sprintf("INSERT INTO events SELECT * FROM events_later WHERE id > %d AND id <= %d", lo, hi)); err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := run(t, "trigger", "events", "--hour", hourArg(jobs.Window{Start: last})); code != ExitOK || !strings.Contains(out, "queued events") {
				t.Fatalf("trigger: exit %d\n%s%s", code, out, errOut)
			}
		}
		waitSettled(t, store, ms, fsys, cfg, windows, batch, daemonOut)
		for _, w := range windows {
			want, err := jobstest.Expected(context.Background(), admin, w)
			if err != nil {
				t.Fatal(err)
			}
			got, err := jobstest.Published(context.Background(), fsys, w)
			if err != nil {
				t.Fatal(err)
			}
			if d := jobstest.Diff(got, want); d != "" {
				t.Errorf("batch %d, window %s: %s", batch, w, d)
			}
			if batch == 3 && w.Start.Before(start.Add(hours*time.Hour)) && len(want) < 5 {
				t.Errorf("window %s: only %d groups; the test data is too small", w, len(want))
			}
		}
	}

	// The operations commands against the running daemon's store.
	code, out, errOut := run(t, "runs", "hourly_activity")
	if code != ExitOK || !regexp.MustCompile(`hourly_activity \| \S+ +\| succeeded \| (cron|catchup|stale) `).MatchString(out) {
		t.Errorf("runs: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "| stale ") {
		t.Errorf("no stale re-run of a window whose late rows arrived:\n%s", out)
	}
	code, out, errOut = run(t, "runs", "events", "--hour", hourArg(jobs.Window{Start: last}))
	if code != ExitOK || strings.Count(out, "| succeeded |") < 3 {
		t.Errorf("attempts of the triggered import window: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "status")
	if code != ExitOK || !regexp.MustCompile(`hourly_activity \| pipeline \| @hourly `).MatchString(out) || strings.Contains(out, "none yet") {
		t.Errorf("status: exit %d\n%s%s", code, out, errOut)
	}
	m := regexp.MustCompile(`serving /metrics and /healthz on (http://\S+)`).FindStringSubmatch(daemonOut.String())
	if m == nil {
		t.Fatalf("no metrics address in the daemon's output:\n%s", daemonOut.String())
	}
	for path, want := range map[string]string{"/metrics": `hetl_scheduler_bytes_total{schedule="hourly_activity"}`, "/healthz": "ok"} {
		resp, err := http.Get(m[1] + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %s\n%s", path, resp.Status, body)
		}
	}
	code, out, errOut = run(t, "pause", "hourly_activity")
	if code != ExitOK || out != "paused hourly_activity\n" {
		t.Errorf("pause: exit %d %s%s", code, out, errOut)
	}
	if code, out, _ = run(t, "status"); !strings.Contains(out, "| paused ") {
		t.Errorf("status after pause:\n%s", out)
	}
	if code, out, errOut = run(t, "unpause", "hourly_activity"); code != ExitOK {
		t.Errorf("unpause: exit %d %s%s", code, out, errOut)
	}
	if code, _, errOut = run(t, "retry", "hourly_activity", "--hour", hourArg(windows[0])); code != ExitFailure || !strings.Contains(errOut, "has not failed") {
		t.Errorf("retry of a succeeded window: exit %d %s", code, errOut)
	}
}

// waitSettled waits until every window of both schedules succeeded after
// the batch's rows were imported and no pipeline window is stale.
func waitSettled(t *testing.T, store *schedstore.Store, ms *metastore.Store, fsys warehouse.FS, cfg *config.Config, windows []jobs.Window, batch int, daemonOut *syncBuffer) {
	t.Helper()
	p, err := findPipeline(cfg, "hourly_activity")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		ctx := context.Background()
		settled := true
		why := ""
		for _, name := range []string{"events", "hourly_activity"} {
			for _, w := range windows {
				r, err := store.Run(ctx, scheduler.RunKey{Schedule: name, Window: w})
				if err != nil || r.Status != scheduler.StatusSucceeded {
					settled, why = false, fmt.Sprintf("%s %s: %v %+v", name, w, err, r)
					break
				}
			}
		}
		if settled && batch > 1 {
			// The triggered import ran after the rows arrived.
			as, err := store.Attempts(ctx, scheduler.RunKey{Schedule: "events", Window: windows[len(windows)-1]})
			if err != nil || len(as) < batch {
				settled, why = false, fmt.Sprintf("import attempts %d, want %d", len(as), batch)
			}
		}
		if settled {
			stale, _, err := staleWindows(ctx, ms, "hourly_activity", p, jobs.Env{FS: fsys}, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			if len(stale) > 0 {
				settled, why = false, fmt.Sprintf("%d stale windows", len(stale))
			}
			for _, name := range []string{"events", "hourly_activity"} {
				open, _ := store.Runs(ctx, scheduler.RunFilter{Schedule: name, Statuses: []scheduler.RunStatus{scheduler.StatusPending, scheduler.StatusRunning}})
				if len(open) > 0 {
					settled, why = false, fmt.Sprintf("%s: %d windows pending or running", name, len(open))
				}
			}
		}
		if settled {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("batch %d: not settled after 3 minutes: %s\ndaemon:\n%s", batch, why, daemonOut.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
