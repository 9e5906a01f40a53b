package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/jobs/sketch"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// A window can run as tasks that share nothing but the warehouse: map
// tasks, one per input file, run the steps up to the first blocking one;
// rows are exchanged as Arrow IPC files in the warehouse — shuffled by
// the dedupe key to reduce tasks, or folded into partial aggregates —
// and a merge task finishes the aggregate and the steps after it. Each
// task writes its own part of every output; the coordinator (RunTasks)
// publishes the parts exactly as a one-process run publishes its single
// part. An Executor decides where tasks run: LocalExecutor in this
// process; a YARN executor would run RunTask in containers from the
// TaskSpec's JSON.

// Task kinds.
const (
	TaskMap    = "map"
	TaskReduce = "reduce"
	TaskMerge  = "merge"
)

// TaskSpec is one task of a window: all a process needs to run it, with
// the warehouse and an Env.
type TaskSpec struct {
	Pipeline string         `json:"pipeline"`
	Spec     *spec.Pipeline `json:"spec"`
	Window   time.Time      `json:"window"`
	RunID    string         `json:"run_id"`
	Kind     string         `json:"kind"`
	Index    int            `json:"index"`
	Files    []string       `json:"files"` // a map task's fact files (empty: none)
	Buckets  int            `json:"buckets"`
	Exchange string         `json:"exchange"` // the warehouse directory tasks exchange rows in
}

// Name is the task's name, unique in its window.
func (t TaskSpec) Name() string { return fmt.Sprintf("%s-%04d", t.Kind, t.Index) }

// Executor runs one stage's tasks (they are independent of each other)
// and returns when all have ended; any failure fails the stage.
type Executor interface {
	Run(ctx context.Context, env Env, tasks []TaskSpec) error
}

// LocalExecutor runs tasks in this process, Workers at a time.
type LocalExecutor struct{ Workers int }

// Run runs the tasks; the first failure cancels the others.
func (e LocalExecutor) Run(ctx context.Context, env Env, tasks []TaskSpec) error {
	return RunEach(ctx, len(tasks), e.Workers, func(ctx context.Context, i int) error {
		if err := RunTask(ctx, env, tasks[i]); err != nil {
			return fmt.Errorf("task %s: %w", tasks[i].Name(), err)
		}
		return nil
	})
}

// RunEach calls fn for 0..n-1, workers at a time (at least one); the
// first error cancels the calls still running and is returned.
func RunEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	var once sync.Once
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { cancel(err) })
			}
		}()
	}
	wg.Wait()
	return context.Cause(ctx)
}

// layout is where a pipeline's steps split into stages: split is the
// cleanse step whose dedupe needs every row of a key in one task, agg
// the aggregate; -1 when there is none.
type layout struct{ split, agg int }

func layoutOf(p *spec.Pipeline) (layout, error) {
	l := layout{split: -1, agg: -1}
	for i, st := range p.Steps {
		switch {
		case st.Cleanse != nil && st.Cleanse.Dedupe != nil:
			if l.split >= 0 {
				return l, errors.New("tasks: a pipeline split into tasks deduplicates once")
			}
			l.split = i
		case st.Aggregate != nil:
			l.agg = i
		}
	}
	return l, nil
}

// taskStats is what a task counted, for the run's result.
type taskStats struct {
	Duplicates int64 `json:"duplicates"`
	Unmatched  int64 `json:"unmatched"`
}

// RunTask runs one task.
func RunTask(ctx context.Context, env Env, t TaskSpec) error {
	l, err := layoutOf(t.Spec)
	if err != nil {
		return err
	}
	o := RunOptions{Window: Window{Start: t.Window.UTC()}, RunID: t.RunID}
	end := len(t.Spec.Steps)
	if l.agg >= 0 {
		end = l.agg
	}
	var bo buildOptions
	switch t.Kind {
	case TaskMap:
		bo = buildOptions{files: append([]string{}, t.Files...), to: end, split: l.split, mode: cleanseValidate, part: t.Name()}
		if l.split >= 0 {
			bo.to = l.split + 1
		}
	case TaskReduce:
		src, err := readShuffle(ctx, env.FS, t)
		if err != nil {
			return err
		}
		bo = buildOptions{source: src, from: l.split, to: end, split: l.split, mode: cleanseDedupe, part: t.Name()}
	case TaskMerge:
		return runMerge(ctx, env, t, l, o)
	default:
		return fmt.Errorf("unknown task kind %q", t.Kind)
	}
	if bo.to <= bo.from && t.Kind == TaskMap {
		bo.to = bo.from // nothing to run before the shuffle (cannot happen: split is a step)
	}
	pl, err := buildPart(ctx, t.Pipeline, t.Spec, env, o, bo)
	if err != nil {
		if bo.source != nil {
			bo.source.Close()
		}
		return err
	}
	defer pl.out.Close()
	switch {
	case t.Kind == TaskMap && l.split >= 0:
		err = writeShuffle(ctx, env.FS, t, pl.out, t.Spec.Steps[l.split].Cleanse.Dedupe.Key)
	case l.agg >= 0:
		err = writePartial(ctx, env, t, pl.out, t.Spec.Steps[l.agg].Aggregate, o.Window)
	default:
		_, err = drainCount(ctx, pl.out)
	}
	if err != nil {
		return err
	}
	return finishTask(ctx, env.FS, t, pl)
}

// finishTask closes the task's parts and leaves its quarantine and
// counts for the coordinator.
func finishTask(ctx context.Context, fsys warehouse.FS, t TaskSpec, pl *plan) error {
	for _, w := range pl.writers {
		if err := w.FinishPart(ctx); err != nil {
			return err
		}
	}
	var st taskStats
	for _, c := range pl.cleanse {
		st.Duplicates += c.Duplicates
	}
	for _, j := range pl.joins {
		st.Unmatched += j.Unmatched
	}
	body, _ := json.Marshal(&st)
	if err := writeAll(ctx, fsys, path.Join(t.Exchange, "stats", t.Name()+".json"), body, true); err != nil {
		return err
	}
	rows := pl.q.Rows()
	if len(rows) == 0 {
		return nil
	}
	body, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return writeAll(ctx, fsys, path.Join(t.Exchange, "quarantine", t.Name()+".json"), body, true)
}

func drainCount(ctx context.Context, s Stream) (int64, error) {
	var n int64
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}

// writeShuffle sends each row to the bucket of its dedupe key's hash
// (sketch.HashBytes: the same in every process), one IPC file per
// bucket, empty ones included, so every reduce task knows the schema.
func writeShuffle(ctx context.Context, fsys warehouse.FS, t TaskSpec, s Stream, key []string) error {
	idx := make([]int, len(key))
	for i, k := range key {
		if idx[i] = fieldIndexFold(s.Schema(), k); idx[i] < 0 {
			return fmt.Errorf("shuffle: no column %s", k)
		}
	}
	ws := make([]*ipc.Writer, t.Buckets)
	files := make([]warehouse.Writer, t.Buckets)
	closeAll := func() error {
		var errs []error
		for i := range ws {
			if ws[i] != nil {
				errs = append(errs, ws[i].Close(), files[i].Close())
			}
		}
		return errors.Join(errs...)
	}
	for b := range t.Buckets {
		f, err := fsys.Create(ctx, path.Join(t.Exchange, "shuffle", fmt.Sprintf("%s-b%04d.arrows", t.Name(), b)), warehouse.CreateOptions{Overwrite: true})
		if err != nil {
			return errors.Join(err, closeAll())
		}
		files[b], ws[b] = f, ipc.NewWriter(f, ipc.WithSchema(s.Schema()))
	}
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errors.Join(err, closeAll())
		}
		keys, err := newRowKeys(rec, idx)
		if err != nil {
			rec.Release()
			return errors.Join(err, closeAll())
		}
		hs := make([]uint64, rec.NumRows())
		var kb []byte
		for i := range hs {
			kb, _ = keys.key(kb[:0], i)
			hs[i] = sketch.HashBytes(kb)
		}
		err = partitionRows(ctx, rec, hs, t.Buckets, func(b int, part arrow.RecordBatch) error { return ws[b].Write(part) })
		rec.Release()
		if err != nil {
			return errors.Join(err, closeAll())
		}
	}
	return closeAll()
}

// partitionRows hands fn each bucket's rows of rec, in order.
func partitionRows(ctx context.Context, rec arrow.RecordBatch, hashes []uint64, buckets int, fn func(int, arrow.RecordBatch) error) error {
	sel := make([][]int, buckets)
	for i, h := range hashes {
		b := int(h % uint64(buckets))
		sel[b] = append(sel[b], i)
	}
	for b, rows := range sel {
		if len(rows) == 0 {
			continue
		}
		keep := make([]bool, rec.NumRows())
		for _, i := range rows {
			keep[i] = true
		}
		part, err := filterRows(ctx, rec, func(i int) bool { return keep[i] })
		if err != nil {
			return err
		}
		err = fn(b, part)
		part.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// eachIPCBatch calls fn with each batch of an IPC stream file, one at a
// time (the batch is released after fn).
func eachIPCBatch(ctx context.Context, fsys warehouse.FS, name string, fn func(*arrow.Schema, arrow.RecordBatch) error) error {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := ipc.NewReader(f)
	if err != nil {
		return err
	}
	defer r.Release()
	for r.Next() {
		if err := fn(r.Schema(), r.RecordBatch()); err != nil {
			return err
		}
	}
	return r.Err()
}

// readShuffle is a reduce task's rows: its bucket of every map task's
// output, in map order (so ties keep the single-process order).
func readShuffle(ctx context.Context, fsys warehouse.FS, t TaskSpec) (Stream, error) {
	dir := path.Join(t.Exchange, "shuffle")
	ents, err := fsys.ReadDir(ctx, dir)
	if err != nil {
		return nil, err
	}
	suffix := fmt.Sprintf("-b%04d.arrows", t.Index)
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), suffix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("reduce %d: no shuffle files in %s", t.Index, dir)
	}
	for i, n := range names {
		names[i] = path.Join(dir, n)
	}
	st := &ipcFiles{fsys: fsys, names: names}
	if err := st.open(ctx); err != nil { // for the schema
		return nil, err
	}
	return st, nil
}

// ipcFiles streams IPC stream files of one schema one after another,
// batch by batch: a reduce task holds only what its dedupe keeps.
type ipcFiles struct {
	fsys   warehouse.FS
	names  []string // still to open
	schema *arrow.Schema
	f      io.Closer
	r      *ipc.Reader
}

func (s *ipcFiles) open(ctx context.Context) error {
	name := s.names[0]
	s.names = s.names[1:]
	f, err := s.fsys.Open(ctx, name)
	if err != nil {
		return err
	}
	r, err := ipc.NewReader(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", name, err)
	}
	if s.schema == nil {
		s.schema = r.Schema()
	} else if !r.Schema().Equal(s.schema) {
		r.Release()
		f.Close()
		return fmt.Errorf("%s: schema %s, want %s", name, r.Schema(), s.schema)
	}
	s.f, s.r = f, r
	return nil
}

func (s *ipcFiles) Schema() *arrow.Schema { return s.schema }

func (s *ipcFiles) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.r != nil {
			rec, err := s.r.Read()
			if err == nil {
				rec.Retain()
				return rec, nil
			}
			if !errors.Is(err, io.EOF) {
				return nil, err
			}
			if err := s.closeCurrent(); err != nil {
				return nil, err
			}
		}
		if len(s.names) == 0 {
			return nil, io.EOF
		}
		if err := s.open(ctx); err != nil {
			return nil, err
		}
	}
}

func (s *ipcFiles) closeCurrent() error {
	if s.r == nil {
		return nil
	}
	s.r.Release()
	err := s.f.Close()
	s.r, s.f = nil, nil
	return err
}

func (s *ipcFiles) Close() error {
	s.names = nil
	return s.closeCurrent()
}

// The partial file's schema metadata carries the aggregate's input
// schema, which the merge task needs and has no other way to know.
const inputSchemaKey = "hetl.aggregate_input"

func writePartial(ctx context.Context, env Env, t TaskSpec, s Stream, a *spec.Aggregate, w Window) error {
	st, err := aggregateWithBudget(s, "aggregate", a, &w, budgetOf(env))
	if err != nil {
		return err
	}
	ag := st.(*aggregate)
	final, parts, err := ag.fold(ctx)
	defer func() {
		for _, p := range parts {
			p.release()
		}
	}()
	if ag.spill != nil {
		defer ag.spill.remove()
	}
	if err != nil {
		return err
	}
	enc, err := ingest.EncodeSchema(s.Schema())
	if err != nil {
		return err
	}
	md := arrow.NewMetadata([]string{inputSchemaKey}, []string{enc})
	schema := arrow.NewSchema(ag.partialSchema().Fields(), &md)
	f, err := env.FS.Create(ctx, path.Join(t.Exchange, "partial", t.Name()+".arrows"), warehouse.CreateOptions{Overwrite: true})
	if err != nil {
		return err
	}
	iw := ipc.NewWriter(f, ipc.WithSchema(schema))
	write := func(p *partial) error {
		rec, err := p.marshal()
		if err != nil {
			return err
		}
		out := array.NewRecordBatch(schema, rec.Columns(), rec.NumRows())
		rec.Release()
		err = iw.Write(out)
		out.Release()
		return err
	}
	if ag.spill == nil {
		err = write(final)
	} else {
		// The groups outgrew the budget: the partial goes out one spill
		// partition at a time (a group is in exactly one).
		for b := range spillPartitions {
			var merged *partial
			if merged, err = ag.readSpilled(b); err != nil || merged == nil {
				if err != nil {
					break
				}
				continue
			}
			err = write(merged)
			merged.release()
			if err != nil {
				break
			}
		}
	}
	return errors.Join(err, iw.Close(), f.Close())
}

// runMerge merges the partial aggregates and runs the steps after the
// aggregate.
func runMerge(ctx context.Context, env Env, t TaskSpec, l layout, o RunOptions) error {
	dir := path.Join(t.Exchange, "partial")
	ents, err := env.FS.ReadDir(ctx, dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("merge: no partial aggregates in %s", dir)
	}
	// Partials are read one batch at a time and merged into one, which
	// spills by group key hash past the budget.
	var ag *aggregate
	var acc *partial
	defer func() {
		if acc != nil {
			acc.release()
		}
		if ag != nil && ag.spill != nil {
			ag.spill.remove()
		}
	}()
	for _, n := range names {
		err := eachIPCBatch(ctx, env.FS, path.Join(dir, n), func(schema *arrow.Schema, rec arrow.RecordBatch) error {
			if ag == nil {
				enc, ok := schema.Metadata().GetValue(inputSchemaKey)
				if !ok {
					return fmt.Errorf("no %s", inputSchemaKey)
				}
				in, err := ingest.DecodeSchema(enc)
				if err != nil {
					return err
				}
				st, err := aggregateWithBudget(FromBatches(in), fmt.Sprintf("steps[%d].aggregate", l.agg), t.Spec.Steps[l.agg].Aggregate, &o.Window, budgetOf(env))
				if err != nil {
					return err
				}
				ag = st.(*aggregate)
			}
			plain := array.NewRecordBatch(ag.partialSchema(), rec.Columns(), rec.NumRows())
			p, err := ag.unmarshalPartial(plain)
			plain.Release()
			if err != nil {
				return err
			}
			acc, err = ag.absorb(acc, p)
			return err
		})
		if err != nil {
			return fmt.Errorf("merge: %s: %w", n, err)
		}
	}
	if ag == nil {
		return fmt.Errorf("merge: the partial aggregates in %s hold no batch", dir)
	}
	res, err := ag.results(acc)
	if err != nil {
		return err
	}
	src := FromBatches(ag.Schema(), res...)
	pl, err := buildPart(ctx, t.Pipeline, t.Spec, env, o, buildOptions{source: src, from: l.agg + 1, split: -1, part: t.Name()})
	if err != nil {
		src.Close()
		return err
	}
	defer pl.out.Close()
	if _, err := drainCount(ctx, pl.out); err != nil {
		return err
	}
	return finishTask(ctx, env.FS, t, pl)
}

// RunTasks runs a window as tasks on exec and publishes its outputs like
// Run: the same outputs, whatever the executor.
func RunTasks(ctx context.Context, name string, p *spec.Pipeline, env Env, o RunOptions, exec Executor, buckets int) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("pipeline %s: %w", name, err)
	}
	if o.RunID == "" {
		return nil, errors.New("run: a run id is required")
	}
	l, err := layoutOf(p)
	if err != nil {
		return nil, err
	}
	w := o.Window
	from, err := OpenTable(ctx, env.FS, p.From.Table)
	if err != nil {
		return nil, err
	}
	v, files, err := from.Version(ScanOptions{Columns: p.From.Columns, Window: &w, TimeColumn: p.From.Time})
	if err != nil {
		return nil, err
	}
	inputs := []InputVersion{v}
	for _, dn := range sortedKeys(p.Dimensions) {
		d := p.Dimensions[dn]
		if d.HBase != "" {
			inputs = append(inputs, InputVersion{Table: "hbase:" + d.HBase})
			continue
		}
		t, err := OpenTable(ctx, env.FS, d.Table)
		if err != nil {
			return nil, err
		}
		dv, _, err := t.Version(ScanOptions{Columns: d.Columns})
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, dv)
	}
	exch := path.Join("_hetl_tasks", name, fmt.Sprintf("%s_%s", w.Start.Format("20060102T15"), o.RunID))
	if err := env.FS.RemoveAll(ctx, exch); err != nil {
		return nil, err
	}
	defer env.FS.RemoveAll(context.WithoutCancel(ctx), exch)
	if buckets < 1 {
		buckets = max(1, min(len(files), 16))
	}
	base := TaskSpec{Pipeline: name, Spec: p, Window: w.Start, RunID: o.RunID, Buckets: buckets, Exchange: exch}
	var maps []TaskSpec
	for i, f := range files {
		t := base
		t.Kind, t.Index, t.Files = TaskMap, i, []string{f.Path}
		maps = append(maps, t)
	}
	if len(maps) == 0 { // an empty window still publishes its (empty) outputs
		t := base
		t.Kind, t.Files = TaskMap, []string{}
		maps = append(maps, t)
	}
	stages := [][]TaskSpec{maps}
	if l.split >= 0 {
		var reduces []TaskSpec
		for b := range buckets {
			t := base
			t.Kind, t.Index = TaskReduce, b
			reduces = append(reduces, t)
		}
		stages = append(stages, reduces)
	}
	if l.agg >= 0 {
		t := base
		t.Kind = TaskMerge
		stages = append(stages, []TaskSpec{t})
	}
	tables := writeTables(p)
	abort := func(err error) (*Result, error) {
		for _, tb := range tables {
			err = errors.Join(err, env.FS.RemoveAll(context.WithoutCancel(ctx), path.Join(tb.table, fmt.Sprintf("_hetl_tmp_%s_%s", w.Start.Format("20060102T15"), o.RunID))))
		}
		return nil, err
	}
	for _, stage := range stages {
		if err := exec.Run(ctx, env, stage); err != nil {
			return abort(fmt.Errorf("pipeline %s, window %s: %w", name, w, err))
		}
	}
	// Gather what the tasks counted and rejected.
	res := &Result{Pipeline: name, Window: w.String(), RunID: o.RunID, Inputs: inputs, RowsIn: v.Rows}
	q := &Quarantine{}
	if err := gatherTasks(ctx, env.FS, exch, res, q); err != nil {
		return abort(err)
	}
	res.Quarantined = q.Counts()
	var pubs []*writer
	for _, tb := range tables {
		pub, err := publisherFromParts(ctx, env.FS, tb, name, w, o.RunID)
		if err != nil {
			return abort(err)
		}
		pubs = append(pubs, pub)
	}
	qw, err := quarantineWriter(env.FS, name, o, q)
	if err != nil {
		return abort(err)
	}
	if _, err := Drain(ctx, qw); err != nil {
		return abort(err)
	}
	pubs = append(pubs, qw)
	for _, pub := range pubs {
		if err := pub.Prepare(ctx, inputs); err != nil {
			return abort(err)
		}
	}
	if o.BeforePublish != nil {
		if err := o.BeforePublish(ctx); err != nil {
			return abort(err)
		}
	}
	for _, pub := range pubs {
		m, err := pub.Commit(ctx)
		if err != nil {
			return abort(err)
		}
		res.Outputs = append(res.Outputs, m)
	}
	return res, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type writeTable struct {
	table, partitionBy string
}

// writeTables are the pipeline's write steps, in order.
func writeTables(p *spec.Pipeline) []writeTable {
	var out []writeTable
	aggregated := false
	for _, st := range p.Steps {
		aggregated = aggregated || st.Aggregate != nil
		if st.Write != nil {
			pb := p.From.Time
			if aggregated {
				pb = WindowColumn
			}
			out = append(out, writeTable{st.Write.Table, pb})
		}
	}
	return out
}

// publisherFromParts publishes the parts tasks left for a table; the
// schema comes from their sidecars.
func publisherFromParts(ctx context.Context, fsys warehouse.FS, tb writeTable, name string, w Window, runID string) (*writer, error) {
	tmp := path.Join(tb.table, fmt.Sprintf("_hetl_tmp_%s_%s", w.Start.Format("20060102T15"), runID))
	ents, err := fsys.ReadDir(ctx, tmp)
	if err != nil {
		return nil, fmt.Errorf("publish %s: no parts were written: %w", tb.table, err)
	}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		body, err := readAllFS(ctx, fsys, path.Join(tmp, e.Name()))
		if err != nil {
			return nil, err
		}
		var st partStats
		if err := json.Unmarshal(body, &st); err != nil {
			return nil, fmt.Errorf("publish %s: %s: %w", tb.table, e.Name(), err)
		}
		schema, err := ingest.DecodeSchema(st.Schema)
		if err != nil {
			return nil, err
		}
		return publisher(schema, WriteOptions{FS: fsys, Table: tb.table, Pipeline: name, Window: w, RunID: runID, PartitionBy: tb.partitionBy})
	}
	return nil, fmt.Errorf("publish %s: no task wrote a part", tb.table)
}

// gatherTasks adds the tasks' counts and quarantined rows.
func gatherTasks(ctx context.Context, fsys warehouse.FS, exch string, res *Result, q *Quarantine) error {
	for _, sub := range []string{"stats", "quarantine"} {
		ents, err := fsys.ReadDir(ctx, path.Join(exch, sub))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range ents {
			body, err := readAllFS(ctx, fsys, path.Join(exch, sub, e.Name()))
			if err != nil {
				return err
			}
			if sub == "stats" {
				var st taskStats
				if err := json.Unmarshal(body, &st); err != nil {
					return err
				}
				res.Duplicates += st.Duplicates
				res.Unmatched += st.Unmatched
				continue
			}
			var rows []QuarantinedRow
			if err := json.Unmarshal(body, &rows); err != nil {
				return err
			}
			q.mu.Lock()
			q.rows = append(q.rows, rows...)
			q.mu.Unlock()
		}
	}
	return nil
}
