package engine

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
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
	var defs []int16
	maxDef := cr.Descriptor().MaxDefinitionLevel()
	if maxDef > 0 {
		defs = make([]int16, n)
	}
	c := &column{raw: true}
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
	// spread places dense value k at its row.
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
			}
		}
	}
	switch r := cr.(type) {
	case *file.Int32ColumnChunkReader:
		vals := make([]int32, n)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if isUnsigned(t) {
			us := make([]uint64, n)
			spread(nv, func(i, k int) { us[i] = uint64(uint32(vals[k])) })
			c.uints = func(i int) uint64 { return us[i] }
		} else {
			xs := make([]int64, n)
			spread(nv, func(i, k int) { xs[i] = int64(vals[k]) })
			c.ints = func(i int) int64 { return xs[i] }
		}
	case *file.Int64ColumnChunkReader:
		vals := make([]int64, n)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if nv != n {
			xs := make([]int64, n)
			spread(nv, func(i, k int) { xs[i] = vals[k] })
			vals = xs
		}
		if isUnsigned(t) {
			c.uints = func(i int) uint64 { return uint64(vals[i]) }
		} else {
			c.ints = func(i int) int64 { return vals[i] }
		}
	case *file.Float32ColumnChunkReader:
		vals := make([]float32, n)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		fs := make([]float64, n)
		spread(nv, func(i, k int) { fs[i] = float64(vals[k]) })
		c.flts = func(i int) float64 { return fs[i] }
	case *file.Float64ColumnChunkReader:
		vals := make([]float64, n)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		if nv != n {
			fs := make([]float64, n)
			spread(nv, func(i, k int) { fs[i] = vals[k] })
			vals = fs
		}
		c.flts = func(i int) float64 { return vals[i] }
	case *file.BooleanColumnChunkReader:
		vals := make([]bool, n)
		nv, err := read(func(levels int, d []int16, at int) (int64, int, error) {
			return r.ReadBatch(int64(levels), vals[at:], d, nil)
		})
		if err != nil {
			return nil, err
		}
		bs := make([]bool, n)
		spread(nv, func(i, k int) { bs[i] = vals[k] })
		c.bools = bs
	case *file.ByteArrayColumnChunkReader:
		// Values point into the page being read: each page's are
		// copied into one arena before the next page is read.
		vals := make([]parquet.ByteArray, n)
		var arena []byte
		offs := make([]int32, 0, n+1)
		offs = append(offs, 0)
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
		if nv != n {
			spreadOffs := make([]int32, n+1)
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
				c.valid = make([]bool, n)
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
				return err
			}
			cols[k] = c
		}
		stats.RowsRead.Add(int64(n))
		if !send(batch{cols: cols, n: n}) {
			return io.EOF
		}
	}
	return nil
}
