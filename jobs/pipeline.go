package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/jobs/expr"
	"github.com/hetl/hetl/jobs/spec"
	"github.com/hetl/hetl/warehouse"
)

// Env is what pipelines run with.
type Env struct {
	// FS is the warehouse: tables are directories relative to it.
	FS warehouse.FS
	// Funcs are the Go functions expressions may call (nil: none).
	Funcs *expr.Registry
	// PIIKey is the key of anonymize's hash and scrub (nil when the
	// pipeline uses neither).
	PIIKey *pii.Key
	Log    *slog.Logger
	// HBase is the Thrift2 gateway's client, for dimensions kept in HBase
	// (nil when the pipeline has none).
	HBase *hbase.Client
	// MemoryBudget is the bytes a blocking step holds before it spills
	// to disk: dedupe's rows, the aggregate's groups, and (a quarter of
	// it, shared) the dimensions joins index (0: DefaultMemoryBudget).
	MemoryBudget int64
}

// RunOptions say which window and under which run id.
type RunOptions struct {
	Window Window
	RunID  string
	// BeforePublish, when set, is called after every output is prepared
	// and before the first is published; an error aborts the run with
	// nothing published. The scheduler checks its run's fencing token
	// here.
	BeforePublish func(ctx context.Context) error
}

// Result is what one window's run did.
type Result struct {
	Pipeline    string               `json:"pipeline"`
	Window      string               `json:"window"`
	RunID       string               `json:"run_id"`
	RowsIn      int64                `json:"rows_in"`
	Inputs      []InputVersion       `json:"inputs"`
	Outputs     []*PartitionManifest `json:"outputs"`
	Quarantined map[string]int64     `json:"quarantined,omitempty"`
	Duplicates  int64                `json:"duplicates_dropped,omitempty"`
	Unmatched   int64                `json:"unmatched_join_rows,omitempty"`
}

// QuarantineTable is where a pipeline's rejected rows are published, one
// partition per window like its outputs.
func QuarantineTable(pipeline string) string { return path.Join("_quarantine", pipeline) }

// plan is a built pipeline: its final stream and its write steps.
type plan struct {
	out     Stream
	writers []*writer
	inputs  []InputVersion
	q       *Quarantine
	cleanse []*CleanseStats
	joins   []*JoinStats
	stages  []stage // for Explain
}

type stage struct {
	what   string
	schema *arrow.Schema
}

// cleanseMode splits the cleanse step a window's tasks shuffle at.
type cleanseMode int

const (
	cleanseWhole    cleanseMode = iota
	cleanseValidate             // everything but dedupe (before the shuffle)
	cleanseDedupe               // dedupe only (after it)
)

// buildOptions build part of a pipeline, for one task of a window.
type buildOptions struct {
	files  []string // scan only these files of the fact table
	source Stream   // rows to start from instead of a scan
	from   int      // the first step
	to     int      // the step to stop before (0: the last)
	split  int      // the cleanse step the shuffle splits (-1: none)
	mode   cleanseMode
	part   string // the part files writers write
}

// build makes the operators of p for a window (no row is read yet
// except dimensions, which are loaded whole).
func build(ctx context.Context, name string, p *spec.Pipeline, env Env, o RunOptions) (*plan, error) {
	return buildPart(ctx, name, p, env, o, buildOptions{split: -1})
}

func buildPart(ctx context.Context, name string, p *spec.Pipeline, env Env, o RunOptions, bo buildOptions) (*plan, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("pipeline %s: %w", name, err)
	}
	w := o.Window
	if bo.to == 0 {
		bo.to = len(p.Steps)
	}
	pl := &plan{q: &Quarantine{Protect: protector(p, env.PIIKey)}}
	s := bo.source
	if s == nil {
		from, err := OpenTable(ctx, env.FS, p.From.Table)
		if err != nil {
			return nil, err
		}
		var v InputVersion
		bounds := pushDown(p, bo.from)
		s, v, err = from.Scan(ctx, ScanOptions{Columns: p.From.Columns, Window: &w, TimeColumn: p.From.Time, Files: bo.files, Bounds: bounds})
		if err != nil {
			return nil, err
		}
		pl.inputs = []InputVersion{v}
		what := fmt.Sprintf("scan %s for %s (partitions %v, %d files, %d rows before the time filter; row groups pruned by %s", p.From.Table, w, v.Partitions, len(v.Files), v.Rows, p.From.Time)
		for _, b := range bounds {
			what += ", " + describeBound(b)
		}
		pl.stages = append(pl.stages, stage{what + ")", s.Schema()})
	}
	var err error
	dims := map[string]*Dimension{}
	fail := func(err error) (*plan, error) {
		s.Close()
		for _, d := range dims {
			d.Release()
		}
		return nil, err
	}
	aggregated := false
	for i, st := range p.Steps {
		if i < bo.from || i >= bo.to {
			aggregated = aggregated || (i < bo.from && st.Aggregate != nil)
			continue
		}
		label := fmt.Sprintf("steps[%d].%s", i, st.Kind())
		var next Stream
		var what string
		switch {
		case st.Cleanse != nil:
			stats := &CleanseStats{}
			pl.cleanse = append(pl.cleanse, stats)
			budget := budgetOf(env)
			c := st.Cleanse
			if i == bo.split && bo.mode == cleanseValidate {
				cc := *c
				cc.Dedupe = nil
				c = &cc
			} else if i == bo.split && bo.mode == cleanseDedupe {
				c = &spec.Cleanse{Dedupe: c.Dedupe}
			}
			next, err = cleanseWithBudget(s, label, c, pl.q, env.Funcs, stats, budget)
			what = "cleanse"
		case st.Filter != "":
			next, err = Filter(s, label, st.Filter, env.Funcs)
			what = "filter " + st.Filter
		case st.Anonymize != nil:
			next, err = Anonymize(s, label, st.Anonymize, env.PIIKey)
			what = "anonymize"
		case st.Join != nil && p.Dimensions[st.Join.With].HBase != "":
			in := p.Dimensions[st.Join.With]
			if env.HBase == nil {
				return fail(fmt.Errorf("%s: dimension %s is HBase table %s, and no HBase gateway is configured (hbase.thrift)", label, st.Join.With, in.HBase))
			}
			l, lerr := OpenHBaseLookup(ctx, st.Join.With, env.HBase, in.HBase)
			if lerr != nil {
				return fail(lerr)
			}
			pl.inputs = append(pl.inputs, InputVersion{Table: "hbase:" + l.Table.String()})
			stats := &JoinStats{}
			pl.joins = append(pl.joins, stats)
			next, err = LookupJoin(s, label, st.Join, l, pl.q, stats)
			what = fmt.Sprintf("look up %s in HBase table %s", st.Join.With, l.Table)
		case st.Join != nil:
			d := dims[st.Join.With]
			if d == nil {
				in := p.Dimensions[st.Join.With]
				t, err := OpenTable(ctx, env.FS, in.Table)
				if err != nil {
					return fail(err)
				}
				// Dimensions share a quarter of the budget; one larger is
				// joined by partitions from a local spill file.
				if d, err = loadDimension(ctx, st.Join.With, t, in.Columns, budgetOf(env)/4); err != nil {
					return fail(err)
				}
				dims[st.Join.With] = d
				pl.inputs = append(pl.inputs, d.Version)
			}
			stats := &JoinStats{}
			pl.joins = append(pl.joins, stats)
			next, err = Join(s, label, st.Join, d, pl.q, stats)
			what = fmt.Sprintf("join %s (%d rows)", st.Join.With, d.NumRows())
			if d.Spilled() {
				what = fmt.Sprintf("join %s (%d rows, over its memory share: spilled, joined in %d partitions by key hash)", st.Join.With, d.NumRows(), spillPartitions)
			}
		case st.Augment != nil:
			next, err = Augment(s, label, st.Augment, env.Funcs)
			what = "augment"
		case st.Select != nil:
			next, err = Select(s, label, st.Select)
			what = "select"
		case st.Aggregate != nil:
			next, err = aggregateWithBudget(s, label, st.Aggregate, &w, budgetOf(env))
			aggregated = true
			what = "aggregate by " + strings.Join(st.Aggregate.By, ", ")
		case st.Write != nil:
			partBy := p.From.Time
			if aggregated {
				partBy = WindowColumn
			}
			var wr *writer
			wr, err = Write(s, WriteOptions{FS: env.FS, Table: st.Write.Table, Pipeline: name, Window: w, RunID: o.RunID, PartitionBy: partBy, Part: bo.part})
			if err == nil {
				pl.writers = append(pl.writers, wr)
				next = wr
			}
			what = fmt.Sprintf("write %s/%s", st.Write.Table, w.Partition())
		}
		if err != nil {
			return fail(err)
		}
		s = next
		pl.stages = append(pl.stages, stage{what, s.Schema()})
	}
	pl.out = &releasing{Stream: s, dims: dims}
	return pl, nil
}

// budgetOf is env's memory budget in bytes.
func budgetOf(env Env) int64 {
	if env.MemoryBudget <= 0 {
		return DefaultMemoryBudget
	}
	return env.MemoryBudget
}

// pushDown is what the filter steps right after the scan say of
// columns' values, for skipping Parquet row groups. Only leading filters: after
// a cleanse, a row a later filter drops may still decide a dedupe.
func pushDown(p *spec.Pipeline, from int) []format.Bound {
	if from != 0 {
		return nil
	}
	var out []format.Bound
	for _, st := range p.Steps {
		if st.Filter == "" {
			break
		}
		e, err := expr.Parse(st.Filter)
		if err != nil {
			break // the filter step reports it
		}
		for _, b := range expr.Bounds(e) {
			out = append(out, format.Bound{Column: b.Column, Lo: b.Lo, Hi: b.Hi, NumLo: b.NumLo, NumHi: b.NumHi, StrLo: b.StrLo, StrHi: b.StrHi})
		}
	}
	return out
}

func describeBound(b format.Bound) string {
	var lo, hi string
	switch {
	case b.Lo != nil || b.Hi != nil:
		if b.Lo != nil {
			lo = fmt.Sprint(*b.Lo)
		}
		if b.Hi != nil {
			hi = fmt.Sprint(*b.Hi)
		}
	case b.NumLo != nil || b.NumHi != nil:
		if b.NumLo != nil {
			lo = b.NumLo.RatString()
		}
		if b.NumHi != nil {
			hi = b.NumHi.RatString()
		}
	default:
		if b.StrLo != nil {
			lo = strconv.Quote(*b.StrLo)
		}
		if b.StrHi != nil {
			hi = strconv.Quote(*b.StrHi)
		}
	}
	switch {
	case lo != "" && lo == hi:
		return fmt.Sprintf("%s = %s", b.Column, lo)
	case lo != "" && hi != "":
		return fmt.Sprintf("%s <= %s <= %s", lo, b.Column, hi)
	case lo != "":
		return fmt.Sprintf("%s >= %s", b.Column, lo)
	case hi != "":
		return fmt.Sprintf("%s <= %s", b.Column, hi)
	}
	return b.Column
}

// releasing frees the dimensions when the pipeline's stream is closed.
type releasing struct {
	Stream
	dims map[string]*Dimension
}

func (r *releasing) Close() error {
	err := r.Stream.Close()
	for _, d := range r.dims {
		err = errors.Join(err, d.Release())
	}
	r.dims = nil
	return err
}

// Run runs pipeline p for one window and publishes its outputs: each
// write step's partition, then the quarantine's. A failure before the
// publish leaves every earlier output as it was.
func Run(ctx context.Context, name string, p *spec.Pipeline, env Env, o RunOptions) (*Result, error) {
	if o.RunID == "" {
		return nil, errors.New("run: a run id is required")
	}
	if env.Log == nil {
		env.Log = slog.New(slog.DiscardHandler)
	}
	pl, err := build(ctx, name, p, env, o)
	if err != nil {
		return nil, err
	}
	abort := func(err error) (*Result, error) {
		for _, w := range pl.writers {
			err = errors.Join(err, w.Abort(context.WithoutCancel(ctx)))
		}
		return nil, errors.Join(err, pl.out.Close())
	}
	// Drain: the write steps write as rows pass.
	for {
		rec, err := pl.out.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return abort(fmt.Errorf("pipeline %s, window %s: %w", name, o.Window, err))
		}
		rec.Release()
	}
	res := &Result{Pipeline: name, Window: o.Window.String(), RunID: o.RunID, Inputs: pl.inputs, Quarantined: pl.q.Counts()}
	res.RowsIn = pl.inputs[0].Rows
	for _, c := range pl.cleanse {
		res.Duplicates += c.Duplicates
	}
	for _, j := range pl.joins {
		res.Unmatched += j.Unmatched
	}
	// The quarantine is published too (empty or not), so a rerun
	// replaces the rows an earlier run rejected.
	qw, err := quarantineWriter(env.FS, name, o, pl.q)
	if err != nil {
		return abort(err)
	}
	pl.writers = append(pl.writers, qw)
	if _, err := Drain(ctx, qw); err != nil {
		return abort(err)
	}
	// Every output is finished before any is published.
	for _, w := range pl.writers {
		if err := w.Prepare(ctx, pl.inputs); err != nil {
			return abort(err)
		}
	}
	if o.BeforePublish != nil {
		if err := o.BeforePublish(ctx); err != nil {
			return abort(err)
		}
	}
	for _, w := range pl.writers {
		m, err := w.Commit(ctx)
		if err != nil {
			return abort(err)
		}
		res.Outputs = append(res.Outputs, m)
	}
	if err := pl.out.Close(); err != nil {
		return nil, err
	}
	env.Log.Debug("pipeline window published", "pipeline", name, "window", o.Window.String(), "rows_in", res.RowsIn,
		"quarantined", pl.q.Len(), "duplicates", res.Duplicates)
	return res, nil
}

// quarantineWriter is a write step over the quarantined rows, sorted.
func quarantineWriter(fsys warehouse.FS, name string, o RunOptions, q *Quarantine) (*writer, error) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "step", Type: arrow.BinaryTypes.String},
		{Name: "reason", Type: arrow.BinaryTypes.String},
		{Name: "row", Type: arrow.BinaryTypes.String},
	}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	rows := q.sorted()
	for _, r := range rows {
		rb.Field(0).(*array.StringBuilder).Append(r.Step)
		rb.Field(1).(*array.StringBuilder).Append(r.Reason)
		rb.Field(2).(*array.StringBuilder).Append(r.Row)
	}
	var recs []arrow.RecordBatch
	if len(rows) > 0 {
		recs = append(recs, rb.NewRecordBatch())
	}
	return Write(FromBatches(schema, recs...), WriteOptions{FS: fsys, Table: QuarantineTable(name), Pipeline: name, Window: o.Window, RunID: o.RunID})
}

// Explain describes the plan of p for a window: every stage and the
// columns after it.
func Explain(ctx context.Context, name string, p *spec.Pipeline, env Env, w Window) (string, error) {
	pl, err := build(ctx, name, p, env, RunOptions{Window: w, RunID: "explain"})
	if err != nil {
		return "", err
	}
	defer pl.out.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "pipeline %s, window %s\n", name, w)
	for i, s := range pl.stages {
		fmt.Fprintf(&b, "%2d. %s\n", i+1, s.what)
		var cols []string
		for _, f := range s.schema.Fields() {
			cols = append(cols, f.Name+" "+f.Type.String())
		}
		fmt.Fprintf(&b, "    columns: %s\n", strings.Join(cols, ", "))
	}
	var ins []string
	for _, v := range pl.inputs {
		ins = append(ins, fmt.Sprintf("%s (version %s)", v.Table, v.Fingerprint))
	}
	sort.Strings(ins)
	fmt.Fprintf(&b, "inputs: %s\n", strings.Join(ins, "; "))
	return b.String(), nil
}

// protector applies the pipeline's anonymize rules to quarantined
// values: a row rejected before the anonymize step must not land in the
// warehouse with the data that step would have protected.
func protector(p *spec.Pipeline, key *pii.Key) func(string, string) (string, bool) {
	actions := map[string]pii.Action{}
	for _, st := range p.Steps {
		if a := st.Anonymize; a != nil {
			for _, r := range []struct {
				cols   []string
				action pii.Action
			}{{a.Hash, pii.Hash}, {a.Mask, pii.Mask}, {a.Scrub, pii.Scrub}, {a.Drop, pii.Drop}} {
				for _, c := range r.cols {
					actions[strings.ToLower(c)] = r.action
				}
			}
		}
	}
	if len(actions) == 0 {
		return nil
	}
	return func(col, v string) (string, bool) {
		switch actions[col] {
		case pii.Drop:
			return "", false
		case pii.Mask:
			return pii.MaskValue(v), true
		case pii.Hash:
			if key == nil {
				return "", false
			}
			return key.HashString(v), true
		case pii.Scrub:
			if key == nil {
				return "", false
			}
			return key.ScrubText(v, pii.Scrub), true
		}
		return v, true
	}
}
