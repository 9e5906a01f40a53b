package format

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hetl/hetl/warehouse"
)

// DefaultReadBatchRows is how many rows a Reader returns per batch.
const DefaultReadBatchRows = 4096

// Reader reads a file hetl wrote back as Arrow record batches.
type Reader interface {
	// Schema is the schema of every batch.
	Schema() *arrow.Schema
	// Next returns the next batch, which the caller releases, or io.EOF
	// after the last one.
	Next() (arrow.RecordBatch, error)
	Close() error
}

// ReadOptions tune a reader.
type ReadOptions struct {
	// Schema is the schema the file was written with (the manifest keeps
	// it). Text files carry none, so it is required for text; an Avro
	// file's own schema is checked against it; Parquet files carry the
	// whole Arrow schema and this is ignored.
	Schema *arrow.Schema
	// Codec of a text file: gzip or none; by default from the name
	// (".gz" is gzip).
	Codec Codec
	// Text delimiters, as the file was written.
	Text TextOptions
	// BatchRows is the rows per batch (default DefaultReadBatchRows).
	BatchRows int
	// Columns, when set, are the only columns read, in this order (names
	// match case-insensitively). Parquet reads only their column chunks;
	// the other formats decode whole rows and drop the rest.
	Columns []string
	// Prune, when set, skips Parquet row groups whose statistics prove
	// that no row has Prune.Column in [From, To) (microseconds, for a
	// timestamp column). Rows are not filtered: a kept row group can
	// still hold rows outside the range.
	Prune *TimeRange
	// Bounds skip Parquet row groups whose statistics prove that no row
	// meets them all (signed integer and timestamp columns; rows are not
	// filtered).
	Bounds []Bound
	// Footers, when set, keeps the Parquet footers parsed (see
	// FooterCache).
	Footers *FooterCache
}

// Bound is an inclusive range of a column's values; nil ends are open.
// Lo/Hi bound integer and timestamp columns; NumLo/NumHi, exact
// rationals, bound integer and decimal columns; StrLo/StrHi bound string
// and binary columns, compared byte by byte. Other columns, and ends of
// another kind than the column's, are not used.
type Bound struct {
	Column       string
	Lo, Hi       *int64
	NumLo, NumHi *big.Rat
	StrLo, StrHi *string
}

// TimeRange is a half-open range of a timestamp column, in microseconds.
type TimeRange struct {
	Column   string
	From, To int64
}

// NewReader opens name in fsys, a file of format f.
func NewReader(ctx context.Context, fsys warehouse.FS, name string, f Format, opts ReadOptions) (Reader, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultReadBatchRows
	}
	if f != Parquet && opts.Schema == nil {
		return nil, fmt.Errorf("read %s: a %s file needs the schema it was written with", name, f)
	}
	var r Reader
	var err error
	switch f {
	case Parquet:
		r, err = newParquetReader(ctx, fsys, name, opts)
	case Text:
		r, err = newTextReader(ctx, fsys, name, opts)
	case Avro:
		r, err = newAvroReader(ctx, fsys, name, opts)
	default:
		return nil, fmt.Errorf("read %s: unknown format %q", name, f)
	}
	if err != nil || opts.Columns == nil {
		return r, err
	}
	idx, err := columnIndices(r.Schema(), opts.Columns)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return newProjection(r, idx), nil
}

// columnIndices finds columns by name, case-insensitively.
func columnIndices(s *arrow.Schema, cols []string) ([]int, error) {
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = -1
		for j, f := range s.Fields() {
			if strings.EqualFold(f.Name, c) {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			return nil, fmt.Errorf("no column %q", c)
		}
	}
	return idx, nil
}

// projection keeps some columns of another reader's batches.
type projection struct {
	Reader
	idx    []int
	schema *arrow.Schema
}

func newProjection(r Reader, idx []int) *projection {
	fields := make([]arrow.Field, len(idx))
	for i, j := range idx {
		fields[i] = r.Schema().Field(j)
	}
	md := r.Schema().Metadata()
	return &projection{Reader: r, idx: idx, schema: arrow.NewSchema(fields, &md)}
}

func (p *projection) Schema() *arrow.Schema { return p.schema }

func (p *projection) Next() (arrow.RecordBatch, error) {
	rec, err := p.Reader.Next()
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	cols := make([]arrow.Array, len(p.idx))
	for i, j := range p.idx {
		cols[i] = rec.Column(j)
	}
	return array.NewRecordBatch(p.schema, cols, rec.NumRows()), nil
}

// parquetReader reads with pqarrow, which restores the Arrow schema
// (field metadata included) that the writer stored in the file.
type parquetReader struct {
	name string
	file warehouse.File
	pr   *file.Reader
	rr   pqarrow.RecordReader
}

func newParquetReader(ctx context.Context, fsys warehouse.FS, name string, opts ReadOptions) (Reader, error) {
	f, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	var popts []file.ReadOption
	if opts.Footers != nil {
		md, err := opts.Footers.Footer(name, f, f.Size())
		if err != nil {
			return nil, errors.Join(err, f.Close())
		}
		if md != nil {
			popts = append(popts, file.WithMetadata(md))
		}
	}
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()), popts...)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchRows)}, memory.DefaultAllocator)
	if err == nil {
		var leaves, groups []int
		if leaves, groups, err = parquetSelection(fr, pr, opts); err == nil {
			if groups != nil && len(groups) == 0 {
				// Every row group was pruned.
				var schema *arrow.Schema
				if schema, err = fr.Schema(); err == nil {
					return &emptyReader{schema: schema, closers: []io.Closer{pr, f}}, nil
				}
			} else {
				var rr pqarrow.RecordReader
				if rr, err = fr.GetRecordReader(ctx, leaves, groups); err == nil {
					return &parquetReader{name: name, file: f, pr: pr, rr: rr}, nil
				}
			}
		}
	}
	return nil, errors.Join(fmt.Errorf("%s: %w", name, err), pr.Close(), f.Close())
}

// parquetSelection turns Columns into leaf column indices and Prune into
// the row groups to read (nil: all).
func parquetSelection(fr *pqarrow.FileReader, pr *file.Reader, opts ReadOptions) (leaves, groups []int, err error) {
	schema, err := fr.Schema()
	if err != nil {
		return nil, nil, err
	}
	if opts.Columns != nil {
		idx, err := columnIndices(schema, opts.Columns)
		if err != nil {
			return nil, nil, err
		}
		// The record reader keeps the file's order; NewReader puts the
		// columns in the order asked for.
		idx = slices.Compact(slices.Sorted(slices.Values(idx)))
		if leaves, err = fr.Manifest.GetFieldIndices(idx); err != nil {
			return nil, nil, err
		}
	}
	bounds := append([]Bound(nil), opts.Bounds...)
	if p := opts.Prune; p != nil {
		hi := p.To - 1
		bounds = append(bounds, Bound{Column: p.Column, Lo: &p.From, Hi: &hi})
	}
	if len(bounds) == 0 {
		return leaves, nil, nil
	}
	type check struct {
		leaf int
		// out says a column chunk's statistics prove no row is in
		// the bound.
		out func(*metadata.ColumnChunkMetaData) bool
	}
	var checks []check
	for _, b := range bounds {
		idx, err := columnIndices(schema, []string{b.Column})
		if err != nil {
			return nil, nil, err
		}
		out := chunkOutside(schema.Field(idx[0]).Type, b)
		if out == nil {
			continue
		}
		col, err := fr.Manifest.GetFieldIndices(idx)
		if err != nil || len(col) != 1 {
			return nil, nil, fmt.Errorf("prune by %s: %v", b.Column, err)
		}
		checks = append(checks, check{col[0], out})
	}
	groups = []int{}
	for g := range pr.NumRowGroups() {
		keep := true
		for _, c := range checks {
			cc, err := pr.MetaData().RowGroup(g).ColumnChunk(c.leaf)
			if err != nil {
				return nil, nil, err
			}
			if c.out(cc) {
				keep = false
				break
			}
		}
		if keep {
			groups = append(groups, g)
		}
	}
	return leaves, groups, nil
}

// chunkOutside is the test of a column chunk against b for a column of
// type t (nil: b says nothing usable of such a column).
func chunkOutside(t arrow.DataType, b Bound) func(*metadata.ColumnChunkMetaData) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.TIMESTAMP:
		lo, hi := b.Lo, b.Hi
		if t.ID() != arrow.TIMESTAMP {
			// A number that is not an integer bounds integers by its
			// ceiling (below) and floor (above).
			if lo == nil && b.NumLo != nil {
				lo = ratToInt(b.NumLo, true)
			}
			if hi == nil && b.NumHi != nil {
				hi = ratToInt(b.NumHi, false)
			}
		}
		if lo == nil && hi == nil {
			return nil
		}
		return func(cc *metadata.ColumnChunkMetaData) bool {
			min, max, ok := intStats(cc)
			return ok && (lo != nil && max < *lo || hi != nil && min > *hi)
		}
	case arrow.DECIMAL128:
		if b.NumLo == nil && b.NumHi == nil {
			return nil
		}
		scale := t.(*arrow.Decimal128Type).Scale
		return func(cc *metadata.ColumnChunkMetaData) bool {
			min, max, ok := decimalStats(cc, scale)
			return ok && (b.NumLo != nil && max.Cmp(b.NumLo) < 0 || b.NumHi != nil && min.Cmp(b.NumHi) > 0)
		}
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		if b.StrLo == nil && b.StrHi == nil {
			return nil
		}
		return func(cc *metadata.ColumnChunkMetaData) bool {
			min, max, ok := bytesStats(cc)
			return ok && (b.StrLo != nil && string(max) < *b.StrLo || b.StrHi != nil && string(min) > *b.StrHi)
		}
	}
	return nil // unsigned statistics compare otherwise: not pruned
}

// ratToInt is the least integer >= r (ceil) or the greatest <= r; nil
// when it is past int64, where no bound is used.
func ratToInt(r *big.Rat, ceil bool) *int64 {
	q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int)) // floor for a positive denominator
	if ceil && m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return nil
	}
	v := q.Int64()
	return &v
}

// statistics is a chunk's statistics when they have a min and max.
func statistics(cc *metadata.ColumnChunkMetaData) (metadata.TypedStatistics, bool) {
	if set, _ := cc.StatsSet(); !set {
		return nil, false
	}
	st, err := cc.Statistics()
	if err != nil || st == nil || !st.HasMinMax() {
		return nil, false
	}
	return st, true
}

// intStats is a column chunk's min and max when its statistics have
// them (32- and 64-bit integer chunks).
func intStats(cc *metadata.ColumnChunkMetaData) (min, max int64, ok bool) {
	st, ok := statistics(cc)
	if !ok {
		return 0, 0, false
	}
	switch s := st.(type) {
	case *metadata.Int64Statistics:
		return s.Min(), s.Max(), true
	case *metadata.Int32Statistics:
		return int64(s.Min()), int64(s.Max()), true
	}
	return 0, 0, false
}

// decimalStats is a decimal chunk's min and max, exactly: unscaled
// integers (INT32, INT64) or big-endian two's complement bytes.
func decimalStats(cc *metadata.ColumnChunkMetaData, scale int32) (min, max *big.Rat, ok bool) {
	st, ok := statistics(cc)
	if !ok {
		return nil, nil, false
	}
	var lo, hi *big.Int
	switch s := st.(type) {
	case *metadata.Int32Statistics:
		lo, hi = big.NewInt(int64(s.Min())), big.NewInt(int64(s.Max()))
	case *metadata.Int64Statistics:
		lo, hi = big.NewInt(s.Min()), big.NewInt(s.Max())
	case *metadata.FixedLenByteArrayStatistics:
		lo, hi = beInt(s.Min()), beInt(s.Max())
	default:
		return nil, nil, false
	}
	if lo == nil || hi == nil {
		return nil, nil, false
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	return new(big.Rat).SetFrac(lo, den), new(big.Rat).SetFrac(hi, den), true
}

// beInt reads a big-endian two's complement integer.
func beInt(b []byte) *big.Int {
	if len(b) == 0 {
		return nil
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return v
}

// bytesStats is a string or binary chunk's min and max.
func bytesStats(cc *metadata.ColumnChunkMetaData) (min, max []byte, ok bool) {
	st, ok := statistics(cc)
	if !ok {
		return nil, nil, false
	}
	if s, ok := st.(*metadata.ByteArrayStatistics); ok {
		return s.Min(), s.Max(), true
	}
	return nil, nil, false
}

// emptyReader has no rows.
type emptyReader struct {
	schema  *arrow.Schema
	closers []io.Closer
}

func (e *emptyReader) Schema() *arrow.Schema            { return e.schema }
func (e *emptyReader) Next() (arrow.RecordBatch, error) { return nil, io.EOF }
func (e *emptyReader) Close() error {
	var errs []error
	for _, c := range e.closers {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

func (r *parquetReader) Schema() *arrow.Schema { return r.rr.Schema() }

func (r *parquetReader) Next() (arrow.RecordBatch, error) {
	if r.rr.Next() {
		rec := r.rr.RecordBatch()
		rec.Retain() // the record reader releases it on the next call
		return rec, nil
	}
	if err := r.rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", r.name, err)
	}
	return nil, io.EOF
}

func (r *parquetReader) Close() error {
	r.rr.Release()
	return errors.Join(r.pr.Close(), r.file.Close())
}

// isGzipName reports whether a text file's name says it is gzipped.
func isGzipName(name string) bool { return strings.HasSuffix(name, ".gz") }
