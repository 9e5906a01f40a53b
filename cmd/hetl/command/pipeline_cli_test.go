package command

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/warehouse"
)

// The pipeline commands end to end: import the demo tables, run one
// hour, backfill three (the run hour is skipped), list, explain, stale.
func TestPipelineCommands(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	t.Setenv("HETL_PII_KEY", "a pipeline test key, 32 bytes or more, not a real one")
	url, admin, _ := scratchDB(t, "hetl_pipeline_cli")
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	if _, err := admin.Exec("SET time_zone = '+00:00'"); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(context.Background(), admin, demo.SeedOptions{Rows: 2000, Hours: 3, Start: start, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	wh := filepath.Join(dir, "wh")
	for _, args := range [][]string{
		{"--table", "users", "--target-dir", filepath.Join(wh, "users")},
		{"--table", "devices", "--target-dir", filepath.Join(wh, "devices")},
		{"--table", "events", "--target-dir", filepath.Join(wh, "events"), "--partition-by", "created_at:hour"},
	} {
		if code, out, errOut := run(t, append([]string{"import", "--connect", url, "-m", "2"}, args...)...); code != ExitOK {
			t.Fatalf("import %v: exit %d\n%s%s", args, code, out, errOut)
		}
	}
	code, out, errOut := run(t, "run", "hourly_activity", "--hour", "2026-11-21T01", "--warehouse-dir", wh, "--memory-mb", "1")
	if code != ExitOK || !strings.Contains(out, "agg_events_hourly") {
		t.Fatalf("run: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "backfill", "hourly_activity", "--from", "2026-11-21T00", "--to", "2026-11-21T03", "--parallel", "2", "--executor", "tasks", "--warehouse-dir", wh)
	if code != ExitOK || !strings.Contains(out, "2 windows run, 1 up to date (skipped), 0 failed") {
		t.Fatalf("backfill: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "backfill", "hourly_activity", "--from", "2026-11-21T00", "--to", "2026-11-21T03", "--warehouse-dir", wh)
	if code != ExitOK || !strings.Contains(out, "0 windows run, 3 up to date") {
		t.Fatalf("second backfill: exit %d\n%s%s", code, out, errOut)
	}
	// Each task a child process sharing only the warehouse: the same output.
	fsys, err := warehouse.NewLocalFS(wh)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := jobs.ParseHour("2026-11-21T02")
	before, err := jobs.ReadPartitionManifest(context.Background(), fsys, "agg_events_hourly", w.Partition())
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HETL_TEST_AS_HETL", "1")
	if code, out, errOut = run(t, "run", "hourly_activity", "--hour", "2026-11-21T02", "--executor", "processes", "--warehouse-dir", wh); code != ExitOK {
		t.Fatalf("run --executor processes: exit %d\n%s%s", code, out, errOut)
	}
	after, err := jobs.ReadPartitionManifest(context.Background(), fsys, "agg_events_hourly", w.Partition())
	if err != nil || after.Checksum != before.Checksum || after.Rows != before.Rows || after.RunID == before.RunID {
		t.Errorf("processes: %d rows (checksum %d), tasks in one process %d (%d): %v", after.Rows, after.Checksum, before.Rows, before.Checksum, err)
	}
	if code, out, errOut = run(t, "pipelines"); code != ExitOK || !strings.Contains(out, "hourly_activity (built in): events → events_clean, agg_events_hourly") || !strings.Contains(out, "2026-11-21T02Z  attempt 2") {
		t.Errorf("pipelines: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut = run(t, "explain", "hourly_activity", "--hour", "2026-11-21T02", "--warehouse-dir", wh); code != ExitOK || !strings.Contains(out, "aggregate by event_type, country, plan, os") || !strings.Contains(out, "p95_latency_ms float64") {
		t.Errorf("explain: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut = run(t, "stale", "hourly_activity", "--warehouse-dir", wh); code != ExitOK || !strings.Contains(out, "0 of 3 windows stale") {
		t.Errorf("stale: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "sql", "ddl", "--warehouse-dir", wh, "agg_events_hourly")
	if code != ExitOK || !strings.Contains(out, "CREATE EXTERNAL TABLE IF NOT EXISTS `agg_events_hourly`") || !strings.Contains(out, "PARTITION (`dt`='2026-11-21', `hr`='01')") {
		t.Errorf("sql ddl: exit %d\n%s%s", code, out, errOut)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "hourly_activity"}, "run needs --hour"},
		{[]string{"sql", "ddl", "--dialect", "presto"}, `dialect "presto"`},
		{[]string{"run", "hourly_activity", "--hour", "2026-11-21T01", "--executor", "yarn", "--warehouse-dir", wh}, `--executor "yarn"`},
		{[]string{"run", "hourly_activity", "--hour", "2026-11-21T01", "--memory-mb", "0"}, "--memory-mb 0"},
		{[]string{"run", "hourly_activity", "--hour", "2026-11-21T01:30"}, "not on an hour boundary"},
		{[]string{"run", "nope", "--hour", "2026-11-21T01"}, `no pipeline "nope"`},
		{[]string{"backfill", "hourly_activity", "--from", "2026-11-21T03", "--to", "2026-11-21T01"}, "is not after"},
		{[]string{"backfill", "hourly_activity", "--from", "2026-11-21T00", "--to", "2026-11-21T01", "--parallel", "0"}, "--parallel 0"},
	} {
		code, _, errOut := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s", tt.args, code, errOut)
		}
	}
}
