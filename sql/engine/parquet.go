package engine

import (
	"fmt"
	"io"
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// The native aggregation reads the columns it needs straight from the
// Parquet pages into plain slices, one row group at a time: no Arrow
// arrays are built (their builders, buffers and schema manifests cost
// more than the values for the small files of hourly partitions).
// Columns of other types, or nested, are read through Arrow.

// rawLeaves are the Parquet leaf columns of cols (names of fields of
// the file's Arrow schema s), or false when one cannot be read raw.
func rawLeaves(pr *file.Reader, s *arrow.Schema, cols []string) ([]int, []arrow.DataType, bool) {
	md := pr.MetaData()
	var leaves []int
	var types []arrow.DataType
	for _, c := range cols {
		i := fieldFold(s, c)
		if i < 0 {
			return nil, nil, false
		}
		f := s.Field(i)
		leaf := md.Schema.ColumnIndexByName(f.Name)
		if leaf < 0 {
			return nil, nil, false
		}
		d := md.Schema.Column(leaf)
		if d.MaxRepetitionLevel() != 0 || d.MaxDefinitionLevel() > 1 || !rawType(f.Type, d) {
			return nil, nil, false
		}
		leaves = append(leaves, leaf)
		types = append(types, f.Type)
	}
	return leaves, types, true
}

// rawType says whether an Arrow column of type t stored as d is read
// raw: its values are the physical ones, converted as below.
func rawType(t arrow.DataType, d *schema.Column) bool {
	pt := d.PhysicalType()
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.UINT8, arrow.UINT16, arrow.DATE32:
		return pt == parquet.Types.Int32
	case arrow.UINT32:
		return pt == parquet.Types.Int32 || pt == parquet.Types.Int64
	case arrow.INT64, arrow.UINT64:
		return pt == parquet.Types.Int64
	case arrow.TIMESTAMP:
		// Stored in the Arrow type's unit (a unit of seconds is stored
		// as milliseconds, and is read through Arrow).
		lt, ok := d.LogicalType().(interface{ TimeUnit() schema.TimeUnitType })
		if pt != parquet.Types.Int64 || !ok {
			return false
		}
		switch t.(*arrow.TimestampType).Unit {
		case arrow.Millisecond:
			return lt.TimeUnit() == schema.TimeUnitMillis
		case arrow.Microsecond:
			return lt.TimeUnit() == schema.TimeUnitMicros
		case arrow.Nanosecond:
			return lt.TimeUnit() == schema.TimeUnitNanos
		}
		return false
	case arrow.FLOAT32:
		return pt == parquet.Types.Float
	case arrow.FLOAT64:
		return pt == parquet.Types.Double
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY:
		return pt == parquet.Types.ByteArray
	case arrow.BOOL:
		return pt == parquet.Types.Boolean
	}
	return false
}

// readRawColumn reads the n rows of leaf in row group rg as a column of
// Arrow type t.
func readRawColumn(rg *file.RowGroupReader, leaf int, t arrow.DataType, n int) (*column, error) {
	cr, err := rg.Column(leaf)
	if err != nil {
		return nil, err
	}
	// Closing the chunk's reader frees its page buffers (to the
	// pageAllocator); the values read were copied out of them.
	defer cr.Close()
	buf := rawBufs.Get()
	c := &column{raw: true, buf: buf}
	var defs []int16
	maxDef := cr.Descriptor().MaxDefinitionLevel()
	if maxDef > 0 {
		buf.defs = grow(buf.defs, n)
		defs = buf.defs
	}
	// read fills levels and values until n levels are read; values are
	// dense (no slot for a NULL).
	read := func(batch func(levels int, defs []int16, at int) (int64, int, error)) (int, error) {
		levels, values := 0, 0
		for levels < n {
			var d []int16
			if defs != nil {
				d = defs[levels:]
			}
			lv, vr, err := batch(n-levels, d, values)
			if err != nil {
				return 0, err
			}
			if lv == 0 {
				return 0, fmt.Errorf("column %s: %d of %d rows", cr.Descriptor().Name(), levels, n)
			}
			levels += int(lv)
			values += vr
		}
		return values, nil
	}
	// spread places dense value k at its row (a NULL's row gets the
	// zero value, never read).
	spread := func(values int, set func(row, k int)) {
		if values == n {
			for i := range n {
				set(i, i)
			}
			return
		}
		k := 0
		for i, d := range defs {
			if d == maxDef {
				set(i, k)
				k++
			} else {
				set(i, -1)
			}
		}
	}
	switch r := cr.(type) {
	case *file.Int32ColumnChunkReader:
		buf.i32 = grow(buf.i32, n)
		vals := buf.i32
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if isUnsigned(t) {
			buf.u64 = grow(buf.u64, n)
			us := buf.u64
			spread(nv, func(i, k int) { us[i] = uint64(uint32(at(vals, k))) })
			c.uints = func(i int) uint64 { return us[i] }
		} else {
			buf.i64b = grow(buf.i64b, n)
			xs := buf.i64b
			spread(nv, func(i, k int) { xs[i] = int64(at(vals, k)) })
			c.ints = func(i int) int64 { return xs[i] }
		}
	case *file.Int64ColumnChunkReader:
		buf.i64 = grow(buf.i64, n)
		vals := buf.i64
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if nv != n {
			buf.i64b = grow(buf.i64b, n)
			xs := buf.i64b
			spread(nv, func(i, k int) { xs[i] = at(vals, k) })
			vals = xs
		}
		if isUnsigned(t) {
			c.uints = func(i int) uint64 { return uint64(vals[i]) }
		} else {
			c.ints = func(i int) int64 { return vals[i] }
		}
	case *file.Float32ColumnChunkReader:
		buf.f32 = grow(buf.f32, n)
		vals := buf.f32
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		buf.f64b = grow(buf.f64b, n)
		fs := buf.f64b
		spread(nv, func(i, k int) { fs[i] = float64(at(vals, k)) })
		c.flts = func(i int) float64 { return fs[i] }
	case *file.Float64ColumnChunkReader:
		buf.f64 = grow(buf.f64, n)
		vals := buf.f64
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if nv != n {
			buf.f64b = grow(buf.f64b, n)
			fs := buf.f64b
			spread(nv, func(i, k int) { fs[i] = at(vals, k) })
			vals = fs
		}
		c.flts = func(i int) float64 { return vals[i] }
	case *file.BooleanColumnChunkReader:
		buf.bools = grow(buf.bools, n)
		vals := buf.bools
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		buf.boolb = grow(buf.boolb, n)
		bs := buf.boolb
		spread(nv, func(i, k int) { bs[i] = at(vals, k) })
		c.bools = bs
	case *file.ByteArrayColumnChunkReader:
		// Values point into the page being read: each page's are
		// copied into one arena before the next page is read.
		buf.bvals = grow(buf.bvals, n)
		vals := buf.bvals
		arena := buf.arena[:0]
		offs := append(buf.offs[:0], 0)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			lv, vr, err := r.ReadBatchInPage(int64(levels), vals[at:], d, nil)
			for _, v := range vals[at : at+vr] {
				arena = append(arena, v...)
				offs = append(offs, int32(len(arena)))
			}
			return lv, vr, err
		})
		if err != nil {
			return nil, err
		}
		buf.arena, buf.offs = arena, offs
		if nv != n {
			buf.offsb = grow(buf.offsb, n+1)
			spreadOffs := buf.offsb
			spreadOffs[0] = 0
			k := 0
			for i, d := range defs {
				if d == maxDef {
					spreadOffs[i+1] = offs[k+1]
					k++
				} else {
					spreadOffs[i+1] = offs[k]
				}
			}
			offs = spreadOffs
		}
		c.bytes, c.offs = arena, offs
	default:
		return nil, fmt.Errorf("column %s: Parquet type %s is read through Arrow", cr.Descriptor().Name(), cr.Type())
	}
	for i, d := range defs {
		if d != maxDef {
			if c.valid == nil {
				buf.valid = grow(buf.valid, n)
				c.valid = buf.valid
				for j := range c.valid {
					c.valid[j] = true
				}
			}
			c.valid[i] = false
		}
	}
	box, err := rawBox(t, c)
	if err != nil {
		return nil, err
	}
	c.box = box
	return c, nil
}

// rawBuf holds the slices one raw column is read into, kept in a pool
// (hourly files make many small columns): a batch's columns go back
// when it has been folded.
type rawBuf struct {
	defs         []int16
	i32          []int32
	i64, i64b    []int64
	u64          []uint64
	f32          []float32
	f64, f64b    []float64
	bools, boolb []bool
	valid        []bool
	bvals        []parquet.ByteArray
	arena        []byte
	offs, offsb  []int32
}

var rawBufs = freeList[*rawBuf]{fresh: func() *rawBuf { return new(rawBuf) }, max: 256}

// freeList keeps up to max values for reuse. Unlike a sync.Pool it is
// not emptied by each garbage collection, which a query over thousands
// of small files runs often.
type freeList[T any] struct {
	mu    sync.Mutex
	free  []T
	max   int
	fresh func() T // nil: the zero value
}

func (l *freeList[T]) Get() T {
	l.mu.Lock()
	if n := len(l.free); n > 0 {
		v := l.free[n-1]
		l.free = l.free[:n-1]
		l.mu.Unlock()
		return v
	}
	l.mu.Unlock()
	if l.fresh != nil {
		return l.fresh()
	}
	var zero T
	return zero
}

func (l *freeList[T]) Put(v T) {
	l.mu.Lock()
	if len(l.free) < l.max {
		l.free = append(l.free, v)
	}
	l.mu.Unlock()
}

// grow is s with length n, reusing its array when it is large enough
// (new arrays are a power of two long, so sizes that vary a little
// from file to file still fit).
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, 1<<bits.Len(uint(n-1)))
	}
	return s[:n]
}

// at is s[k], or the zero value for k < 0 (a NULL's row).
func at[T any](s []T, k int) T {
	if k < 0 {
		var zero T
		return zero
	}
	return s[k]
}

func isUnsigned(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// rawBox makes row i's value as valuesOf makes it from an Arrow array
// of type t (its caller handles NULL).
func rawBox(t arrow.DataType, c *column) (valueFunc, error) {
	switch t.ID() {
	case arrow.INT8:
		return func(i int) any { return int8(c.ints(i)) }, nil
	case arrow.INT16:
		return func(i int) any { return int16(c.ints(i)) }, nil
	case arrow.INT32:
		return func(i int) any { return int32(c.ints(i)) }, nil
	case arrow.INT64:
		return func(i int) any { return c.ints(i) }, nil
	case arrow.UINT8:
		return func(i int) any { return uint8(c.uints(i)) }, nil
	case arrow.UINT16:
		return func(i int) any { return uint16(c.uints(i)) }, nil
	case arrow.UINT32:
		return func(i int) any { return uint32(c.uints(i)) }, nil
	case arrow.UINT64:
		return func(i int) any { return c.uints(i) }, nil
	case arrow.FLOAT32:
		return func(i int) any { return float32(c.flts(i)) }, nil
	case arrow.FLOAT64:
		return func(i int) any { return c.flts(i) }, nil
	case arrow.STRING, arrow.LARGE_STRING:
		return func(i int) any { return string(c.bytes[c.offs[i]:c.offs[i+1]]) }, nil
	case arrow.BINARY, arrow.LARGE_BINARY:
		return func(i int) any { return append([]byte(nil), c.bytes[c.offs[i]:c.offs[i+1]]...) }, nil
	case arrow.BOOL:
		return func(i int) any {
			if c.bools[i] {
				return int8(1)
			}
			return int8(0)
		}, nil
	case arrow.DATE32:
		return func(i int) any { return arrow.Date32(c.ints(i)).ToTime().UTC() }, nil
	case arrow.TIMESTAMP:
		toTime, err := t.(*arrow.TimestampType).GetToTimeFunc()
		if err != nil {
			return nil, err
		}
		return func(i int) any { return toTime(arrow.Timestamp(c.ints(i))).UTC() }, nil
	}
	return nil, fmt.Errorf("arrow type %s is read through Arrow", t)
}

// readRaw sends file r's row groups groups, the columns leaves of types
// types, as batches; false when the consumer is gone.
func readRaw(pr *file.Reader, groups []int, leaves []int, types []arrow.DataType, stats *Stats, send func(batch) bool) error {
	for _, g := range groups {
		rg := pr.RowGroup(g)
		n := int(rg.NumRows())
		if n == 0 {
			continue
		}
		cols := make([]*column, len(leaves))
		for k, leaf := range leaves {
			c, err := readRawColumn(rg, leaf, types[k], n)
			if err != nil {
				for _, c := range cols[:k] {
					rawBufs.Put(c.buf)
				}
				return err
			}
			cols[k] = c
		}
		stats.RowsRead.Add(int64(n))
		release := func() {
			for _, c := range cols {
				c.bytes, c.offs, c.valid, c.bools = nil, nil, nil, nil
				rawBufs.Put(c.buf)
			}
		}
		if !send(batch{cols: cols, n: n, release: release}) {
			return io.EOF
		}
	}
	return nil
}

// pageAllocator recycles the buffers the Parquet reader pages through
// (16 KiB or more per column chunk, freed when the chunk's reader is
// closed): hourly partitions make thousands of small chunks per query,
// and allocating each anew made the garbage collector the largest
// cost. Sizes from 4 KiB are pooled by power of two (such arrays are
// aligned to their size); smaller ones are Arrow's Go allocations.
// Memory is zeroed as Go's would be.
type pageAllocator struct {
	pools [pageClasses]freeList[[]byte] // buffers of capacity 1<<(minPageShift+i)
}

const (
	minPageShift = 12 // 4 KiB
	pageClasses  = 13 // up to 16 MiB
)

// pageClass is the pool of buffers of at least size bytes, or -1.
func pageClass(size int) int {
	for c := range pageClasses {
		if size <= 1<<(minPageShift+c) {
			return c
		}
	}
	return -1
}

func (a *pageAllocator) Allocate(size int) []byte {
	c := pageClass(size)
	if size < 1<<minPageShift || c < 0 {
		return goAllocator.Allocate(size) // 64-byte aligned, as Arrow's own
	}
	if b := a.pools[c].Get(); b != nil {
		b = b[:size]
		clear(b)
		return b
	}
	return make([]byte, size, 1<<(minPageShift+c))
}

func (a *pageAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		return b[:size]
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *pageAllocator) Free(b []byte) {
	n := cap(b)
	if n < 1<<minPageShift || n&(n-1) != 0 {
		return // not one of the pools' (the collector takes it)
	}
	if c := pageClass(n); c >= 0 && n == 1<<(minPageShift+c) {
		a.pools[c].Put(b[:0])
	}
}

var goAllocator = memory.NewGoAllocator()

// readProps are the Parquet read settings of the native aggregation:
// the defaults, with buffers from a pageAllocator.
var readProps = parquet.NewReaderProperties(newPageAllocator())

func newPageAllocator() *pageAllocator {
	a := &pageAllocator{}
	for c := range a.pools {
		// Fewer of the larger: at most about 8 MiB kept per size.
		a.pools[c].max = max(2, (8<<20)>>(minPageShift+c))
	}
	return a
}
