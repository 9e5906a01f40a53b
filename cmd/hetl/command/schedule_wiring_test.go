package command

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/metastore/schedstore"
	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/warehouse"
)

// Pipeline inputs: an imported table is ready for a window once its
// manifest's watermark reaches the window's end plus lateness; an
// external path once its _SUCCESS marker exists.
func TestScheduleInputs(t *testing.T) {
	dir := t.TempDir()
	fsys, err := warehouse.NewLocalFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &schedRunner{fsys: fsys}
	manifest := func(table string, m ingest.Manifest) {
		os.MkdirAll(filepath.Join(dir, table), 0o755)
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, table, ingest.SuccessFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := func(s string) time.Time { tm, _ := time.Parse(time.RFC3339, s); return tm }
	w10 := jobs.Window{Start: at("2026-11-21T10:00:00Z")}
	ctx := context.Background()

	// By the time the import started reading (an append on an id).
	manifest("events", ingest.Manifest{RunID: "r1", StartedAt: at("2026-11-21T11:05:00Z"),
		Incremental: &ingest.IncrementalState{Mode: ingest.IncrementalAppend, CheckColumn: "id", NextValue: "1500"}})
	// By a DATETIME check column's upper bound.
	manifest("orders", ingest.Manifest{RunID: "r2", StartedAt: at("2026-11-21T12:00:00Z"),
		Incremental: &ingest.IncrementalState{Mode: ingest.IncrementalLastModified, CheckColumn: "updated_at", NextValue: "2026-11-21 11:09:59.5"}})
	tests := []struct {
		table    string
		lateness time.Duration
		ok       bool
		reason   string
	}{
		{"events", 0, true, ""},
		{"events", 5 * time.Minute, true, ""},
		{"events", 6 * time.Minute, false, "watermark 2026-11-21T11:05:00Z (import r1 started) is before the window's end + lateness, 2026-11-21T11:06:00Z"},
		{"orders", 0, true, ""},
		{"orders", 10 * time.Minute, false, "watermark 2026-11-21T11:09:59Z (check column updated_at)"},
		{"users", 0, false, "not published yet (no users/_SUCCESS)"},
	}
	for _, tt := range tests {
		ok, reason, err := tableInput{r: r, table: tt.table, lateness: tt.lateness}.Ready(ctx, w10)
		if err != nil || ok != tt.ok || !strings.Contains(reason, tt.reason) {
			t.Errorf("%s lateness %s: %v %q %v; want %v %q", tt.table, tt.lateness, ok, reason, err, tt.ok, tt.reason)
		}
	}

	in := successInput{r: r, path: "landing/clicks/dt={dt}/hr={hr}"}
	if ok, reason, err := in.Ready(ctx, w10); ok || err != nil || reason != "no landing/clicks/dt=2026-11-21/hr=10/_SUCCESS" {
		t.Errorf("before the marker: %v %q %v", ok, reason, err)
	}
	os.MkdirAll(filepath.Join(dir, "landing/clicks/dt=2026-11-21/hr=10"), 0o755)
	os.WriteFile(filepath.Join(dir, "landing/clicks/dt=2026-11-21/hr=10/_SUCCESS"), nil, 0o644)
	if ok, _, err := in.Ready(ctx, w10); !ok || err != nil {
		t.Errorf("with the marker: %v %v", ok, err)
	}
	if ok, _, _ := in.Ready(ctx, jobs.Window{Start: at("2026-11-21T11:00:00Z")}); ok {
		t.Error("the next hour's marker was taken for this one's")
	}
}

// The scheduling commands' refusals: exit code and a message that names
// what is wrong (file, line and key for the configuration).
func TestScheduleUsage(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(`metastore:
  url: sqlite:ms.db
schedules:
  jobs:
    hourly_activity:
      kind: pipeline
    nightly:
      kind: import
`), 0o644)
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, nil, 0o644)
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("metastore:\n  url: sqlite:ms.db\nschedules:\n  jobs:\n    hourly_activity:\n      kind: pipeline\n"), 0o644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--config", empty, "status"}, ExitUsage, "has no schedules: add them under schedules.jobs"},
		{[]string{"--config", cfg, "status"}, ExitConfig, `hetl.yaml:7: schedules.jobs.nightly: no saved import "nightly"`},
		{[]string{"--config", good, "trigger", "hourly_activity"}, ExitUsage, "give --hour"},
		{[]string{"--config", good, "trigger", "hourly_activity", "--hour", "2026-11-21T10:30"}, ExitUsage, "--hour"},
		{[]string{"--config", good, "trigger", "nope", "--hour", "2026-11-21T10"}, ExitUsage, `no schedule "nope"`},
		{[]string{"--config", good, "trigger", "hourly_activity", "--hour", "2999-01-01T00"}, ExitFailure, "window has not ended"},
		{[]string{"--config", good, "retry", "hourly_activity", "--hour", "2026-11-21T10"}, ExitFailure, "window has not failed"},
		{[]string{"--config", good, "runs", "--since", "yesterday"}, ExitUsage, `--since "yesterday"`},
		{[]string{"--config", good, "runs", "--hour", "2026-11-21T10"}, ExitUsage, "name the schedule too"},
		{[]string{"--config", good, "schedule", "--for", "-1s"}, ExitUsage, "--for -1s"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d (want %d)\n%s%s\nwant %q", tt.args, code, tt.code, out, errOut, tt.want)
		}
	}
	// A triggered window shows up in runs and status, waiting for the
	// daemon; pause shows in status.
	if code, out, errOut := run(t, "--config", good, "trigger", "hourly_activity", "--hour", "2026-11-21T10"); code != ExitOK || !strings.Contains(out, "queued hourly_activity 2026-11-21T10Z (pending)") {
		t.Fatalf("trigger: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "--config", good, "runs"); code != ExitOK || !strings.Contains(out, "| hourly_activity | 2026-11-21T10Z | pending | manual ") {
		t.Errorf("runs:\n%s", out)
	}
	run(t, "--config", good, "pause", "hourly_activity")
	if code, out, _ := run(t, "--config", good, "status"); code != ExitOK || !strings.Contains(out, "hourly_activity 2026-11-21T10Z: waiting: schedule paused") {
		t.Errorf("status:\n%s", out)
	}
	if code, out, _ := run(t, "--config", good, "runs", "hourly_activity", "--failed"); code != ExitOK || out != "no runs\n" {
		t.Errorf("runs --failed:\n%s", out)
	}
}

// A pipeline whose fact table was never imported waits, says why, and
// raises its SLA alert to the configured webhook; --for stops the daemon.
func TestScheduleBlockedWindowAlerts(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	got := make(chan map[string]any, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a map[string]any
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		got <- a
	}))
	defer hook.Close()
	os.WriteFile(filepath.Join(dir, "hook.url"), []byte(hook.URL+"/T0/secret\n"), 0o600)
	start := time.Now().UTC().Truncate(time.Hour).Add(-2 * time.Hour)
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`metastore:
  url: sqlite:ms.db
warehouse:
  location: wh
schedules:
  tick: 100ms
  webhook:
    url_file: hook.url
  jobs:
    hourly_activity:
      kind: pipeline
      start: %s
      sla: 1m
`, start.Format("2006-01-02T15"))), 0o644)
	code, out, errOut := run(t, "--config", cfg, "schedule", "--for", "2s", "--listen", "off")
	if code != ExitOK || !strings.Contains(out, "scheduling 1 schedule(s)") || strings.Contains(out, "/metrics") {
		t.Fatalf("schedule: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(errOut, "T0/secret") {
		t.Errorf("the webhook's URL was logged:\n%s", errOut)
	}
	alerts := map[string]bool{}
	for len(got) > 0 {
		a := <-got
		if a["kind"] != "sla_missed" || a["schedule"] != "hourly_activity" || a["partition"] == "" {
			t.Errorf("alert %v", a)
		}
		alerts[fmt.Sprint(a["partition"])] = true
	}
	if len(alerts) != 2 {
		t.Errorf("alerts for %v, want the two windows since %s", alerts, start)
	}
	code, out, _ = run(t, "--config", cfg, "status")
	want := fmt.Sprintf("hourly_activity %s: waiting: input events: not published yet (no events/_SUCCESS)", jobs.Window{Start: start})
	if code != ExitOK || !strings.Contains(out, want) {
		t.Errorf("status: want %q in\n%s", want, out)
	}
	if code, out, _ = run(t, "--config", cfg, "runs"); !strings.Contains(out, "| pending | catchup |        0 |") || !strings.Contains(out, "waiting: input events: not published yet") {
		t.Errorf("runs:\n%s", out)
	}
}

// A window whose job lease is held elsewhere (a hand-run hetl job exec, or
// a dead daemon's unexpired lease) waits for it instead of failing; a
// shutdown meanwhile records the attempt as interrupted, and the next
// daemon runs it once the lease is free.
func TestScheduleWaitsForHeldJobLease(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	url, _, _ := scratchDB(t, "sched_wire_lease", "CREATE TABLE tiny (id INT PRIMARY KEY)", "INSERT INTO tiny VALUES (1), (2), (3)")
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`metastore:
  url: sqlite:ms.db
warehouse:
  location: wh
connections:
  src:
    url: %s
    password_env: HETL_MYSQL_PASSWORD
imports:
  tiny:
    connection: src
    table: tiny
    num-mappers: 1
schedules:
  tick: 100ms
  shutdown_grace: 0s
  jobs:
    tiny:
      kind: import
      catch_up: none
`, url)), 0o644)
	ms, err := metastore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "ms.db"), metastore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ms.Close()
	held, err := ms.AcquireLease(context.Background(), "job:tiny", "someone else", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	w := jobs.Window{Start: time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)}
	if code, out, errOut := run(t, "--config", cfg, "trigger", "tiny", "--hour", hourArg(w)); code != ExitOK {
		t.Fatalf("trigger: %d %s%s", code, out, errOut)
	}
	code, out, errOut := run(t, "--config", cfg, "schedule", "--for", "1500ms", "--listen", "off")
	if code != ExitOK || !strings.Contains(errOut, "waiting for a lease held elsewhere") {
		t.Fatalf("schedule: exit %d\n%s%s", code, out, errOut)
	}
	store := schedstore.New(ms)
	r, err := store.Run(context.Background(), scheduler.RunKey{Schedule: "tiny", Window: w})
	if err != nil || r.Status != scheduler.StatusInterrupted || !strings.Contains(r.Error, "already running") {
		t.Fatalf("after a shutdown while waiting: %+v, %v", r, err)
	}
	if err := ms.ReleaseLease(context.Background(), held); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = run(t, "--config", cfg, "schedule", "--for", "3s", "--listen", "off"); code != ExitOK {
		t.Fatalf("schedule again: exit %d\n%s%s", code, out, errOut)
	}
	r, err = store.Run(context.Background(), scheduler.RunKey{Schedule: "tiny", Window: w})
	if err != nil || r.Status != scheduler.StatusSucceeded || r.Rows != 3 || r.Attempts != 1 {
		t.Fatalf("once the lease is free: %+v, %v", r, err)
	}
}
