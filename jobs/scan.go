package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

// Table is a published warehouse table, as its _SUCCESS manifest says.
type Table struct {
	FS       warehouse.FS
	Dir      string
	Manifest *ingest.Manifest
}

// OpenTable reads the manifest of the table in dir.
func OpenTable(ctx context.Context, fsys warehouse.FS, dir string) (*Table, error) {
	m, err := ingest.ReadManifest(ctx, fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("table %s: read its _SUCCESS manifest (is it imported?): %w", dir, err)
	}
	return &Table{FS: fsys, Dir: dir, Manifest: m}, nil
}

// InputVersion says exactly what a run read of one table: which files,
// of which partitions. Its Fingerprint changes when any of them does
// (late rows appended, a partition re-imported), which is how stale
// windows are found.
type InputVersion struct {
	Table       string      `json:"table"`
	RunID       string      `json:"run_id"`
	Partitions  []string    `json:"partitions,omitempty"`
	Files       []InputFile `json:"files"`
	Rows        int64       `json:"rows"`
	Fingerprint string      `json:"fingerprint"`
}

// InputFile is one file read.
type InputFile struct {
	Path  string `json:"path"`
	Rows  int64  `json:"rows"`
	Bytes int64  `json:"bytes"`
}

// ScanOptions narrow a scan.
type ScanOptions struct {
	// Columns read (default all), in this order.
	Columns []string
	// Window, with TimeColumn, reads only the window's rows: partitions
	// outside it are not opened, Parquet row groups whose statistics lie
	// outside it are skipped, and the remaining rows are filtered.
	Window     *Window
	TimeColumn string
	// Files, when set, reads only these files of the table (paths as the
	// manifest lists them): one task's share of a window.
	Files []string
	// Bounds let Parquet row groups whose statistics lie outside them be
	// skipped (a leading filter's comparisons; rows are still filtered
	// by the filter itself).
	Bounds []format.Bound
}

// Version is what a scan with o would read, without reading it.
func (t *Table) Version(o ScanOptions) (InputVersion, []ingest.ManifestFile, error) {
	m := t.Manifest
	v := InputVersion{Table: t.Dir, RunID: m.RunID}
	files := m.Files
	if o.Window != nil {
		var err error
		if files, v.Partitions, err = t.windowFiles(*o.Window, o.TimeColumn); err != nil {
			return v, nil, err
		}
	}
	if o.Files != nil {
		want := map[string]bool{}
		for _, f := range o.Files {
			want[f] = true
		}
		var keep []ingest.ManifestFile
		for _, f := range files {
			if want[f.Path] {
				keep = append(keep, f)
			}
		}
		files = keep
	}
	h := sha256.New()
	for _, f := range files {
		v.Files = append(v.Files, InputFile{Path: f.Path, Rows: f.Rows, Bytes: f.Bytes})
		v.Rows += f.Rows
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00%s\x00", f.Path, f.Rows, f.Bytes, f.Schema)
	}
	v.Fingerprint = hex.EncodeToString(h.Sum(nil))[:16]
	return v, files, nil
}

// windowFiles prunes to the window's partition when the table is
// partitioned by the window's column.
func (t *Table) windowFiles(w Window, timeCol string) ([]ingest.ManifestFile, []string, error) {
	m := t.Manifest
	if m.PartitionBy == "" || !strings.EqualFold(m.PartitionBy, timeCol) {
		return m.Files, nil, nil
	}
	want := w.Partition()
	if len(m.Files) > 0 && !strings.Contains(m.Files[0].Path, "/hr=") {
		want = w.Start.Format("dt=2006-01-02") // by day
	}
	var out []ingest.ManifestFile
	for _, f := range m.Files {
		if path.Dir(f.Path) == want {
			out = append(out, f)
		}
	}
	return out, []string{want}, nil
}

// Scan reads the table (for a window, its rows in the window).
func (t *Table) Scan(ctx context.Context, o ScanOptions) (Stream, InputVersion, error) {
	v, files, err := t.Version(o)
	if err != nil {
		return nil, v, err
	}
	schema, err := t.schema(o.Columns)
	if err != nil {
		return nil, v, err
	}
	var bounds []format.Bound
	for _, b := range o.Bounds {
		if full, err := t.schema(nil); err == nil && fieldIndexFold(full, b.Column) >= 0 {
			bounds = append(bounds, b)
		}
	}
	s := &scan{t: t, files: files, schema: schema, ropts: format.ReadOptions{Columns: o.Columns, BatchRows: 8192, Bounds: bounds}}
	if s.ropts.Columns == nil {
		for _, f := range schema.Fields() {
			s.ropts.Columns = append(s.ropts.Columns, f.Name)
		}
	}
	if t.Manifest.Format == string(format.Text) && t.Manifest.Text != nil {
		if s.ropts.Text, err = t.Manifest.Text.Options(); err != nil {
			return nil, v, err
		}
	}
	if o.Window != nil {
		idx := schema.FieldIndices(o.TimeColumn)
		if len(idx) == 0 {
			for i, f := range schema.Fields() {
				if strings.EqualFold(f.Name, o.TimeColumn) {
					idx = []int{i}
				}
			}
		}
		if len(idx) != 1 {
			return nil, v, fmt.Errorf("table %s: the time column %q is not among the columns read", t.Dir, o.TimeColumn)
		}
		if schema.Field(idx[0]).Type.ID() != arrow.TIMESTAMP {
			return nil, v, fmt.Errorf("table %s: time column %s is %s, want a DATETIME or TIMESTAMP", t.Dir, o.TimeColumn, schema.Field(idx[0]).Type)
		}
		lo, hi := o.Window.Start.UnixMicro(), o.Window.End().UnixMicro()
		s.timeCol, s.lo, s.hi = idx[0], lo, hi
		s.ropts.Prune = &format.TimeRange{Column: schema.Field(idx[0]).Name, From: lo, To: hi}
	}
	return s, v, nil
}

// schema is the table's newest schema, narrowed to columns.
func (t *Table) schema(columns []string) (*arrow.Schema, error) {
	m := t.Manifest
	var full *arrow.Schema
	if _, ok := m.Schemas[m.SchemaFingerprint]; ok {
		var err error
		if full, err = m.FileSchema(ingest.ManifestFile{Path: t.Dir, Schema: m.SchemaFingerprint}); err != nil {
			return nil, err
		}
	} else {
		return nil, fmt.Errorf("table %s: its manifest records no schema (imported by an older hetl); re-import it", t.Dir)
	}
	if columns == nil {
		return full, nil
	}
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		j := fieldIndexFold(full, c)
		if j < 0 {
			return nil, fmt.Errorf("table %s has no column %q (it has %s)", t.Dir, c, fieldNames(full))
		}
		fields[i] = full.Field(j)
	}
	return arrow.NewSchema(fields, nil), nil
}

func fieldIndexFold(s *arrow.Schema, name string) int {
	for i, f := range s.Fields() {
		if strings.EqualFold(f.Name, name) {
			return i
		}
	}
	return -1
}

func fieldNames(s *arrow.Schema) string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// scan reads files one after another.
type scan struct {
	t       *Table
	files   []ingest.ManifestFile
	schema  *arrow.Schema
	ropts   format.ReadOptions
	cur     format.Reader
	timeCol int
	lo, hi  int64
}

func (s *scan) Schema() *arrow.Schema { return s.schema }

func (s *scan) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if s.cur == nil {
			if len(s.files) == 0 {
				return nil, io.EOF
			}
			f := s.files[0]
			s.files = s.files[1:]
			opts := s.ropts
			fileSchema, err := s.t.Manifest.FileSchema(f)
			if err != nil {
				return nil, err
			}
			opts.Schema = fileSchema
			// A file written before a column was added lacks it.
			var missing []int
			opts.Columns, missing = presentColumns(fileSchema, s.ropts.Columns)
			r, err := format.NewReader(ctx, s.t.FS, path.Join(s.t.Dir, f.Path), format.Format(s.t.Manifest.Format), opts)
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", s.t.Dir, err)
			}
			if len(missing) > 0 {
				r = &nullColumns{Reader: r, schema: s.schema, missing: missing}
			}
			s.cur = r
		}
		rec, err := s.cur.Next()
		if errors.Is(err, io.EOF) {
			err = s.cur.Close()
			s.cur = nil
			if err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("table %s: %w", s.t.Dir, err)
		}
		if s.ropts.Prune != nil {
			if rec, err = s.inWindow(ctx, rec); err != nil {
				return nil, err
			}
			if rec == nil {
				continue
			}
		}
		// Batches carry the scan's schema (field metadata included).
		out := array.NewRecordBatch(s.schema, rec.Columns(), rec.NumRows())
		rec.Release()
		return out, nil
	}
}

// inWindow keeps the batch's rows whose time is in the window (nil when
// none is).
func (s *scan) inWindow(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	ts := rec.Column(s.timeCol).(*array.Timestamp)
	n := int(rec.NumRows())
	keep := 0
	for i := range n {
		if ts.IsValid(i) && int64(ts.Value(i)) >= s.lo && int64(ts.Value(i)) < s.hi {
			keep++
		}
	}
	switch keep {
	case n:
		return rec, nil
	case 0:
		rec.Release()
		return nil, nil
	}
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i := range n {
		b.Append(ts.IsValid(i) && int64(ts.Value(i)) >= s.lo && int64(ts.Value(i)) < s.hi)
	}
	mask := b.NewBooleanArray()
	defer mask.Release()
	defer rec.Release()
	return compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
}

func (s *scan) Close() error {
	if s.cur != nil {
		return s.cur.Close()
	}
	return nil
}

// presentColumns splits the wanted columns into those the file has and
// the positions of those it lacks.
func presentColumns(file *arrow.Schema, want []string) (have []string, missing []int) {
	for i, c := range want {
		if fieldIndexFold(file, c) >= 0 {
			have = append(have, c)
		} else {
			missing = append(missing, i)
		}
	}
	return have, missing
}

// nullColumns inserts all-NULL columns where a file lacks them.
type nullColumns struct {
	format.Reader
	schema  *arrow.Schema
	missing []int
}

func (n *nullColumns) Schema() *arrow.Schema { return n.schema }

func (n *nullColumns) Next() (arrow.RecordBatch, error) {
	rec, err := n.Reader.Next()
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	cols := make([]arrow.Array, 0, n.schema.NumFields())
	var nulls []arrow.Array
	defer func() {
		for _, a := range nulls {
			a.Release()
		}
	}()
	next, mi := 0, 0
	for i, f := range n.schema.Fields() {
		if mi < len(n.missing) && n.missing[mi] == i {
			a := array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, int(rec.NumRows()))
			nulls = append(nulls, a)
			cols = append(cols, a)
			mi++
			continue
		}
		cols = append(cols, rec.Column(next))
		next++
	}
	return array.NewRecordBatch(n.schema, cols, rec.NumRows()), nil
}
