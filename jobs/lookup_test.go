package jobs

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// hourly_activity with users looked up in HBase (users imported there
// by hetl) publishes exactly what it publishes with users read from the
// warehouse.
func TestHBaseLookupJoin(t *testing.T) {
	s := seed(t, 3000, 1)
	ctx := context.Background()
	addr, transport, protocol := testcluster.HBaseGateway(t)
	opts := hbase.DefaultOptions()
	opts.Transport, opts.Protocol = transport, protocol
	dial := func(ctx context.Context) (*hbase.Client, error) { return hbase.Dial(ctx, addr, opts) }
	table := hbase.TableName{Name: fmt.Sprintf("hetl_jobs_users_%d", time.Now().UnixNano())}
	client, err := dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.DeleteTable(context.Background(), table); client.Close() })
	if _, err := ingest.Run(ctx, ingest.Options{Source: s.src, Table: "users", Mappers: 2,
		HBase: &ingest.HBaseTarget{Dial: dial, Table: table, Family: "d", Create: true}}); err != nil {
		t.Fatal(err)
	}

	p, _, _ := builtin.Get("hourly_activity")
	w := Window{Start: seedStart}
	want, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	hp := *p
	hp.Dimensions = map[string]spec.Input{"users": {HBase: table.String()}, "devices": p.Dimensions["devices"]}
	env := s.env()
	env.HBase = client
	got, err := Run(ctx, "hourly_activity", &hp, env, RunOptions{Window: w, RunID: "hbase"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Outputs {
		if a, b := got.Outputs[i], want.Outputs[i]; a.Rows != b.Rows || a.Checksum != b.Checksum {
			t.Errorf("%s: with HBase %d rows (checksum %d), with the warehouse %d (%d)", a.Table, a.Rows, a.Checksum, b.Rows, b.Checksum)
		}
	}
	if got.Quarantined["no users row for user_id"] == 0 || got.Quarantined["no users row for user_id"] != want.Quarantined["no users row for user_id"] {
		t.Errorf("orphans quarantined: HBase %v, warehouse %v", got.Quarantined, want.Quarantined)
	}

	// The join must name the whole row key with matching types.
	bad := hp
	bad.Steps = append([]spec.Step(nil), hp.Steps...)
	for i, st := range bad.Steps {
		if st.Join != nil && st.Join.With == "users" {
			j := *st.Join
			j.On = []map[string]string{{"device_id": "email"}}
			bad.Steps[i].Join = &j
		}
	}
	if _, err := Run(ctx, "hourly_activity", &bad, env, RunOptions{Window: w, RunID: "bad"}); err == nil || !strings.Contains(err.Error(), "row-key column") {
		t.Errorf("a join not on the row key: %v", err)
	}
	env.HBase = nil
	if _, err := Run(ctx, "hourly_activity", &hp, env, RunOptions{Window: w, RunID: "nohbase"}); err == nil || !strings.Contains(err.Error(), "no HBase gateway") {
		t.Errorf("without a gateway: %v", err)
	}
}

// The same window over the mini HDFS publishes what it publishes on
// local disk (HDFS replaces directories differently: rename aside, then
// into place).
func TestPipelineOnHDFS(t *testing.T) {
	s := seed(t, 2000, 1)
	ctx := context.Background()
	nn, confDir := testcluster.HDFS(t)
	loc, err := warehouse.ParseLocation(fmt.Sprintf("%s/hetl-test/jobs-%d", nn, time.Now().UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	hfs, err := warehouse.NewHDFS(ctx, loc, warehouse.HDFSOptions{HadoopConfDir: confDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hfs.RemoveAll(context.Background(), ""); warehouse.CloseFS(hfs) })
	local := s.fsys
	s.fsys = hfs
	for _, tb := range []string{"users", "devices", "events"} {
		s.importTable(t, tb, ingest.TargetReplace)
	}
	p, _, _ := builtin.Get("hourly_activity")
	w := Window{Start: seedStart}
	onHDFS, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	// Twice: the second run replaces the first's partitions.
	if onHDFS, err = Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "h2"}); err != nil {
		t.Fatal(err)
	}
	s.fsys = local
	onDisk, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: "l1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range onDisk.Outputs {
		if a, b := onHDFS.Outputs[i], onDisk.Outputs[i]; a.Rows != b.Rows || a.Checksum != b.Checksum || a.RunID != "h2" {
			t.Errorf("%s: on HDFS %d rows (checksum %d, run %s), on disk %d (%d)", a.Table, a.Rows, a.Checksum, a.RunID, b.Rows, b.Checksum)
		}
	}
	m, err := ingest.ReadManifest(ctx, hfs, "agg_events_hourly")
	if err != nil || m.Rows != onHDFS.Outputs[1].Rows {
		t.Errorf("the HDFS table's root manifest: %v, %+v", err, m)
	}
}

// A window run as tasks exchanging rows through the warehouse publishes
// what the one-process run publishes.
func TestTasksMatchOneProcess(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	s := seed(t, 6000, 2)
	ctx := context.Background()
	// Small chunks: several files per hour, so several map tasks.
	if _, err := ingest.Run(ctx, ingest.Options{Source: s.src, Table: "events", FS: s.fsys, Dir: "events", Mappers: 4, ChunkRows: 300,
		Mode: ingest.TargetReplace, PartitionBy: "created_at", PartitionGranularity: ingest.ByHour}); err != nil {
		t.Fatal(err)
	}
	p, _, _ := builtin.Get("hourly_activity")
	for h := range 2 {
		w := Window{Start: seedStart.Add(time.Duration(h) * time.Hour)}
		one, err := Run(ctx, "hourly_activity", p, s.env(), RunOptions{Window: w, RunID: fmt.Sprintf("one%d", h)})
		if err != nil {
			t.Fatal(err)
		}
		// The last case's budget is small enough for every task to spill:
		// dimensions, dedupe, partial aggregates and their merge.
		for _, c := range []struct {
			buckets int
			budget  int64
		}{{1, 0}, {3, 0}, {3, 16 << 10}} {
			buckets := c.buckets
			env := s.env()
			env.MemoryBudget = c.budget
			exec := &countingExecutor{inner: LocalExecutor{Workers: 2}, kinds: map[string]int{}}
			spills := spillsStarted.Load()
			tasks, err := RunTasks(ctx, "hourly_activity", p, env, RunOptions{Window: w, RunID: fmt.Sprintf("tasks%d-%d-%d", h, buckets, c.budget)}, exec, buckets)
			if err != nil {
				t.Fatal(err)
			}
			// Per reduce task: dedupe, two dimensions, the partial
			// aggregate; the merge: its partials.
			if spilled := spillsStarted.Load() - spills; c.budget != 0 && spilled < int64(4*exec.kinds[TaskReduce]+1) {
				t.Errorf("budget %d: only %d spills, tasks %v", c.budget, spilled, exec.kinds)
			}
			if exec.kinds[TaskMap] < 2 || exec.kinds[TaskReduce] != buckets || exec.kinds[TaskMerge] != 1 {
				t.Errorf("tasks run: %v", exec.kinds)
			}
			if len(tasks.Outputs) != len(one.Outputs) {
				t.Fatalf("%d outputs, one process %d", len(tasks.Outputs), len(one.Outputs))
			}
			for i := range one.Outputs {
				if a, b := tasks.Outputs[i], one.Outputs[i]; a.Rows != b.Rows || a.Checksum != b.Checksum {
					t.Errorf("%s %s, %d buckets, budget %d: %d rows (checksum %d), one process %d (%d)", w, a.Table, buckets, c.budget, a.Rows, a.Checksum, b.Rows, b.Checksum)
				}
			}
			if tasks.Duplicates != one.Duplicates || fmt.Sprint(tasks.Quarantined) != fmt.Sprint(one.Quarantined) {
				t.Errorf("%s: duplicates %d vs %d, quarantined %v vs %v", w, tasks.Duplicates, one.Duplicates, tasks.Quarantined, one.Quarantined)
			}
		}
	}
	ents, _ := s.fsys.ReadDir(ctx, "_hetl_tasks/hourly_activity")
	if len(ents) != 0 {
		t.Errorf("the exchange directory was left: %d entries", len(ents))
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("spills left %d entries in the temporary directory", len(ents))
	}
}

type countingExecutor struct {
	inner Executor
	mu    sync.Mutex
	kinds map[string]int
}

func (c *countingExecutor) Run(ctx context.Context, env Env, tasks []TaskSpec) error {
	c.mu.Lock()
	for _, t := range tasks {
		c.kinds[t.Kind]++
	}
	c.mu.Unlock()
	return c.inner.Run(ctx, env, tasks)
}
