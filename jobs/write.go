package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// PartitionManifest is the _SUCCESS of one window's partition of an
// output table: what it holds and what it was computed from.
type PartitionManifest struct {
	Pipeline  string                  `json:"pipeline"`
	Table     string                  `json:"table"`
	Window    time.Time               `json:"window_start"`
	Partition string                  `json:"partition"`
	RunID     string                  `json:"run_id"`
	Rows      int64                   `json:"rows"`
	Files     []ingest.ManifestFile   `json:"files"`
	Columns   []ingest.ManifestColumn `json:"columns"`
	// Checksum is the order-independent sum over rows of the CRC32 of
	// each row's MySQL text: equal output, equal checksum.
	Checksum          uint64         `json:"checksum"`
	SchemaFingerprint string         `json:"schema_fingerprint"`
	Schema            string         `json:"schema"`
	Inputs            []InputVersion `json:"inputs"`
	PartitionBy       string         `json:"partition_by"`
}

// writer is a write step: it passes every batch on and writes it to
// the window's partition of a table, in a temporary directory until
// Commit publishes it.
type writer struct {
	in        Stream
	fsys      warehouse.FS
	table     string // directory, relative to the warehouse
	tmp       string
	partition string
	w         format.Writer
	nulls     []int64
	sum       uint64
	hasher    rowChecksum
	rows      int64
	manifest  PartitionManifest
	prepared  bool
	part      string // this writer's file: part-<part>.parquet
	finished  bool
	schema    *arrow.Schema
	// The Parquet write and the checksum each run on a goroutine of
	// their own, batches in order, so the step passes batches on at once
	// and its two costs overlap each other and the steps downstream.
	write, check *lane
}

// lane runs fn on batches in the order they are sent, on a goroutine.
type lane struct {
	ch   chan arrow.RecordBatch
	done chan struct{}
	mu   sync.Mutex
	err  error // the first fn error; later batches are dropped
}

func startLane(fn func(arrow.RecordBatch) error) *lane {
	l := &lane{ch: make(chan arrow.RecordBatch, 4), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for rec := range l.ch {
			if l.failed() == nil {
				if err := fn(rec); err != nil {
					l.mu.Lock()
					l.err = err
					l.mu.Unlock()
				}
			}
			rec.Release()
		}
	}()
	return l
}

func (l *lane) failed() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// send queues rec (the lane takes a reference of its own).
func (l *lane) send(rec arrow.RecordBatch) {
	rec.Retain()
	l.ch <- rec
}

// wait lets the lane finish what was sent and returns its error.
func (l *lane) wait() error {
	close(l.ch)
	<-l.done
	return l.err
}

// partStats is the sidecar a writer leaves beside its part file, so the
// partition can be published by another process (the coordinator of a
// window split into tasks): what the part holds and its schema.
type partStats struct {
	File     string  `json:"file,omitempty"` // "" when the part has no rows
	Rows     int64   `json:"rows"`
	Bytes    int64   `json:"bytes"`
	Nulls    []int64 `json:"nulls"`
	Checksum uint64  `json:"checksum"`
	Schema   string  `json:"schema"`
}

// WriteOptions say where and what a write step publishes.
type WriteOptions struct {
	FS       warehouse.FS
	Table    string
	Pipeline string
	Window   Window
	RunID    string
	// PartitionBy names the column the partitions are by (for readers
	// of the table's manifest).
	PartitionBy string
	// Part names this writer's file among the partition's (default
	// "00000"); tasks of one window each write their own part.
	Part string
}

// Write wraps in with a write step; Commit publishes what it saw.
func Write(in Stream, o WriteOptions) (*writer, error) {
	if o.Table == "" || strings.Contains(o.Table, "..") {
		return nil, fmt.Errorf("write: bad table %q", o.Table)
	}
	if o.Part == "" {
		o.Part = "00000"
	}
	w := &writer{in: in, fsys: o.FS, table: o.Table, partition: o.Window.Partition(), part: o.Part, schema: in.Schema(),
		tmp:   path.Join(o.Table, fmt.Sprintf("_hetl_tmp_%s_%s", o.Window.Start.Format("20060102T15"), o.RunID)),
		nulls: make([]int64, in.Schema().NumFields())}
	fp := ingest.Fingerprint(in.Schema())
	enc, err := ingest.EncodeSchema(in.Schema())
	if err != nil {
		return nil, err
	}
	if w.hasher, err = newRowChecksum(in.Schema()); err != nil {
		return nil, fmt.Errorf("write %s: %w", o.Table, err)
	}
	if err := sweepWindow(context.Background(), o.FS, o.Table, o.Window, o.RunID); err != nil {
		return nil, fmt.Errorf("write %s: remove what an interrupted run left: %w", o.Table, err)
	}
	w.manifest = PartitionManifest{Pipeline: o.Pipeline, Table: o.Table, Window: o.Window.Start, Partition: w.partition,
		RunID: o.RunID, SchemaFingerprint: fp, Schema: enc, PartitionBy: o.PartitionBy}
	return w, nil
}

func (w *writer) Schema() *arrow.Schema { return w.schema }

func (w *writer) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := w.in.Next(ctx)
	if errors.Is(err, io.EOF) {
		if err := w.drain(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if err != nil {
		return nil, err
	}
	if w.w == nil {
		name := path.Join(w.tmp, "part-"+w.part+".parquet")
		fw, err := format.NewWriter(ctx, w.fsys, name, format.Parquet, w.in.Schema(), format.Options{Codec: format.Snappy,
			FileMetadata: map[string]string{"hetl.pipeline": w.manifest.Pipeline, "hetl.run_id": w.manifest.RunID}})
		if err != nil {
			rec.Release()
			return nil, fmt.Errorf("write %s: %w", w.table, err)
		}
		w.w = fw
		w.write = startLane(func(rec arrow.RecordBatch) error {
			if err := fw.Write(rec); err != nil {
				return err
			}
			for j := range w.nulls {
				w.nulls[j] += int64(rec.Column(j).NullN())
			}
			return nil
		})
		w.check = startLane(func(rec arrow.RecordBatch) error { return w.hasher.add(rec, &w.sum) })
	}
	if err := errors.Join(w.write.failed(), w.check.failed()); err != nil {
		rec.Release()
		return nil, fmt.Errorf("write %s: %w", w.table, err)
	}
	w.write.send(rec)
	w.check.send(rec)
	w.rows += rec.NumRows()
	return rec, nil
}

// drain waits for the lanes to finish every batch sent.
func (w *writer) drain() error {
	if w.write == nil {
		return nil
	}
	err := errors.Join(w.write.wait(), w.check.wait())
	w.write, w.check = nil, nil
	if err != nil {
		return fmt.Errorf("write %s: %w", w.table, err)
	}
	return nil
}

func (w *writer) Close() error {
	err := w.drain()
	if w.in == nil {
		return err
	}
	return errors.Join(err, w.in.Close())
}

// Abort removes what the writer wrote.
func (w *writer) Abort(ctx context.Context) error {
	err := w.drain()
	if w.w != nil {
		err = w.w.Close()
		w.w = nil
	}
	return errors.Join(err, w.fsys.RemoveAll(ctx, w.tmp))
}

// sweepWindow removes the temporary directories earlier runs of the
// window left when they were killed (runs of one window are serialised
// by the caller's lease).
func sweepWindow(ctx context.Context, fsys warehouse.FS, table string, w Window, runID string) error {
	ents, err := fsys.ReadDir(ctx, table)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	prefix := fmt.Sprintf("_hetl_tmp_%s_", w.Start.Format("20060102T15"))
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) && e.Name() != prefix+runID {
			if err := fsys.RemoveAll(ctx, path.Join(table, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// tableLocks serialise the rewrite of a table's root manifest among the
// windows one process publishes at once.
var tableLocks sync.Map // table dir → *sync.Mutex

// FinishPart closes this writer's file (where HDFS acknowledges the
// last block) and leaves its sidecar; a task calls it, and Prepare does.
func (w *writer) FinishPart(ctx context.Context) error {
	if w.finished {
		return nil
	}
	st, err := w.finishFile(ctx)
	if err != nil {
		return err
	}
	body, err := json.Marshal(&st)
	if err != nil {
		return err
	}
	if err := writeAll(ctx, w.fsys, path.Join(w.tmp, "part-"+w.part+".json"), body, true); err != nil {
		return fmt.Errorf("write %s: %w", w.table, err)
	}
	return nil
}

// finishFile closes this writer's file and says what it holds.
func (w *writer) finishFile(ctx context.Context) (partStats, error) {
	w.finished = true
	if err := w.drain(); err != nil {
		return partStats{}, err
	}
	st := partStats{Rows: w.rows, Nulls: w.nulls, Checksum: w.sum, Schema: w.manifest.Schema}
	if w.w == nil {
		return st, nil
	}
	err := w.w.Close()
	w.w = nil
	if err != nil {
		return st, fmt.Errorf("write %s: %w", w.table, err)
	}
	st.File = "part-" + w.part + ".parquet"
	info, err := w.fsys.Stat(ctx, path.Join(w.tmp, st.File))
	if err != nil {
		return st, err
	}
	st.Bytes = info.Size()
	return st, nil
}

// Prepare finishes the partition in its temporary directory: every part
// finished (its own, and the sidecars tasks left) and the manifest
// written. Run prepares every output before it publishes any, so a
// failure to write leaves every output of the window as it was.
func (w *writer) Prepare(ctx context.Context, inputs []InputVersion) error {
	// This writer's own part (a one-process run) needs no sidecar; parts
	// tasks wrote have theirs.
	var parts []partStats
	if w.in != nil && !w.finished {
		st, err := w.finishFile(ctx)
		if err != nil {
			return err
		}
		parts = append(parts, st)
	}
	if err := w.fsys.MkdirAll(ctx, w.tmp); err != nil {
		return err
	}
	ents, err := w.fsys.ReadDir(ctx, w.tmp)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "part-") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		var st partStats
		body, err := readAllFS(ctx, w.fsys, path.Join(w.tmp, e.Name()))
		if err == nil {
			err = json.Unmarshal(body, &st)
		}
		if err != nil {
			return fmt.Errorf("write %s: part %s: %w", w.table, e.Name(), err)
		}
		if err := w.fsys.Remove(ctx, path.Join(w.tmp, e.Name())); err != nil {
			return err
		}
		parts = append(parts, st)
	}
	sort.Slice(parts, func(a, b int) bool { return parts[a].File < parts[b].File })
	m := &w.manifest
	m.Rows, m.Checksum, m.Inputs, m.Files = 0, 0, inputs, nil
	nulls := make([]int64, len(w.nulls))
	for _, st := range parts {
		if st.Schema != m.Schema || len(st.Nulls) != len(nulls) {
			return fmt.Errorf("write %s: part %s was written with another schema", w.table, st.File)
		}
		m.Rows += st.Rows
		m.Checksum += st.Checksum
		for j, n := range st.Nulls {
			nulls[j] += n
		}
		if st.File != "" {
			m.Files = append(m.Files, ingest.ManifestFile{Path: st.File, Rows: st.Rows, Bytes: st.Bytes, Nulls: st.Nulls, Schema: m.SchemaFingerprint})
		}
	}
	m.Columns = nil
	for j, f := range w.schema.Fields() {
		t, _ := f.Metadata.GetValue("mysql.type")
		m.Columns = append(m.Columns, ingest.ManifestColumn{Name: f.Name, MySQLType: t, ArrowType: f.Type.String(), Nulls: nulls[j]})
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAll(ctx, w.fsys, path.Join(w.tmp, ingest.SuccessFile), body, false); err != nil {
		return fmt.Errorf("write %s: %w", w.table, err)
	}
	w.prepared = true
	return nil
}

func readAllFS(ctx context.Context, fsys warehouse.FS, name string) ([]byte, error) {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// publisher is a write step with no rows of its own: it publishes the
// parts tasks wrote for the window.
func publisher(schema *arrow.Schema, o WriteOptions) (*writer, error) {
	w, err := Write(FromBatches(schema), o)
	if err != nil {
		return nil, err
	}
	w.in = nil
	return w, nil
}

// Commit publishes the prepared partition (replacing the window's
// earlier one in one step) and rewrites the table's root manifest.
func (w *writer) Commit(ctx context.Context) (*PartitionManifest, error) {
	if !w.prepared {
		return nil, fmt.Errorf("write %s: commit before prepare", w.table)
	}
	m := w.manifest
	dst := path.Join(w.table, w.partition)
	if err := w.fsys.MkdirAll(ctx, path.Dir(dst)); err != nil {
		return nil, err
	}
	mu, _ := tableLocks.LoadOrStore(w.fsys.String()+"|"+w.table, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if err := warehouse.ReplaceDir(ctx, w.fsys, w.tmp, dst); err != nil {
		return nil, fmt.Errorf("publish %s/%s: %w", w.table, w.partition, err)
	}
	if err := RebuildManifest(ctx, w.fsys, w.table, m.RunID); err != nil {
		return nil, fmt.Errorf("publish %s/%s: the partition is published, the table's manifest is not (rerun the window): %w", w.table, w.partition, err)
	}
	return &m, nil
}

func writeAll(ctx context.Context, fsys warehouse.FS, name string, body []byte, overwrite bool) error {
	f, err := fsys.Create(ctx, name, warehouse.CreateOptions{Overwrite: overwrite, SizeHint: int64(len(body))})
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

// ReadPartitionManifest reads one published partition's manifest.
func ReadPartitionManifest(ctx context.Context, fsys warehouse.FS, table, partition string) (*PartitionManifest, error) {
	f, err := fsys.Open(ctx, path.Join(table, partition, ingest.SuccessFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m PartitionManifest
	if err := json.NewDecoder(f).Decode(&m); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", table, partition, err)
	}
	return &m, nil
}

// Partitions lists a pipeline table's published partitions, sorted.
func Partitions(ctx context.Context, fsys warehouse.FS, table string) ([]string, error) {
	days, err := fsys.ReadDir(ctx, table)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range days {
		if !d.IsDir() || !strings.HasPrefix(d.Name(), "dt=") {
			continue
		}
		hours, err := fsys.ReadDir(ctx, path.Join(table, d.Name()))
		if err != nil {
			return nil, err
		}
		for _, h := range hours {
			if !h.IsDir() || !strings.HasPrefix(h.Name(), "hr=") {
				continue
			}
			p := d.Name() + "/" + h.Name()
			if _, err := fsys.Stat(ctx, path.Join(table, p, ingest.SuccessFile)); err == nil {
				out = append(out, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// RebuildManifest rewrites a pipeline table's root _SUCCESS (the
// manifest hetl import writes, so export, scans and the SQL endpoint
// read pipeline outputs like imported tables) from its partitions'
// manifests.
func RebuildManifest(ctx context.Context, fsys warehouse.FS, table, runID string) error {
	parts, err := Partitions(ctx, fsys, table)
	if err != nil {
		return err
	}
	root := ingest.Manifest{RunID: runID, Target: table, Format: string(format.Parquet), Codec: string(format.Snappy), Mode: "pipeline",
		Schemas: map[string]string{}}
	var nulls []int64
	for _, p := range parts {
		pm, err := ReadPartitionManifest(ctx, fsys, table, p)
		if err != nil {
			return err
		}
		root.Source = "pipeline " + pm.Pipeline
		root.PartitionBy = pm.PartitionBy
		root.Schemas[pm.SchemaFingerprint] = pm.Schema
		// The newest window's schema is the table's.
		root.SchemaFingerprint = pm.SchemaFingerprint
		root.Columns = pm.Columns
		if len(nulls) != len(pm.Columns) {
			nulls = make([]int64, len(pm.Columns))
		}
		for _, f := range pm.Files {
			f.Path = path.Join(p, f.Path)
			root.Files = append(root.Files, f)
			root.Bytes += f.Bytes
		}
		root.Rows += pm.Rows
		root.Checksum.Rows += pm.Rows
		root.Checksum.Sum += pm.Checksum
	}
	root.Columns = append([]ingest.ManifestColumn(nil), root.Columns...)
	for i := range root.Columns {
		root.Columns[i].Nulls = -1 // per-file counts are in files; a total over schemas is not kept
	}
	body, err := json.MarshalIndent(&root, "", "  ")
	if err != nil {
		return err
	}
	return writeAll(ctx, fsys, path.Join(table, ingest.SuccessFile), body, true)
}

// rowChecksum hashes rows as MySQL text (see PartitionManifest.Checksum).
type rowChecksum struct {
	texts []func(arrow.Array) format.ValueText
	buf   []byte
	val   []byte
}

func newRowChecksum(s *arrow.Schema) (rowChecksum, error) {
	h := rowChecksum{}
	for _, f := range s.Fields() {
		t, err := format.MySQLText(f)
		if err != nil {
			return h, err
		}
		h.texts = append(h.texts, t)
	}
	return h, nil
}

func (h *rowChecksum) add(rec arrow.RecordBatch, sum *uint64) error {
	fns := make([]format.ValueText, len(h.texts))
	for j, t := range h.texts {
		fns[j] = t(rec.Column(j))
	}
	for i := range int(rec.NumRows()) {
		h.buf = h.buf[:0]
		for j, fn := range fns {
			if j > 0 {
				h.buf = append(h.buf, 0x1f)
			}
			if rec.Column(j).IsNull(i) {
				h.buf = append(h.buf, 'n')
				continue
			}
			var err error
			if h.val, err = fn(h.val[:0], i); err != nil {
				return err
			}
			h.buf = append(append(h.buf, 'v'), h.val...)
		}
		*sum += uint64(crc32.ChecksumIEEE(h.buf))
	}
	return nil
}
