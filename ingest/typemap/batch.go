package typemap

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BadValue is a value the policy decides about: a zero or invalid date,
// or text that is not valid UTF-8. Nothing of the row was appended.
type BadValue struct {
	Column string
	Reason string
}

func (e *BadValue) Error() string { return fmt.Sprintf("column %s: %s", e.Column, e.Reason) }

// Policies say what to do with bad values.
type Policies struct {
	ZeroDates ZeroDatePolicy
	// InvalidText is ZeroDateError or ZeroDateQuarantine: invalid UTF-8 is
	// never replaced or turned into NULL.
	InvalidText ZeroDatePolicy
}

// Counters count what the policies did.
type Counters struct {
	ZeroDatesNulled int64
}

// Batch decodes rows of text-protocol values into Arrow arrays. Values
// come as the MySQL driver returns them: []byte for most types, and
// int64, uint64, float64 or float32 for the numeric types it parses
// itself — which skips formatting them back into text only to parse them
// again.
type Batch struct {
	maps     []Mapping
	policies Policies
	rb       *array.RecordBuilder
	cols     []column
	rows     int
	bytes    int64
	Counters Counters
}

// column is one column's decoder. check runs before anything of the row
// is appended, so a bad value leaves the batch untouched; its result is
// passed to add.
type column struct {
	fallible bool
	check    func(b []byte) (int64, error)
	add      func(b []byte, pre int64) error
	null     func()
	name     string
	// Typed adders for values the driver already parsed; nil where the
	// kind has none (the value is then formatted and goes through add).
	addInt   func(int64) error
	addUint  func(uint64) error
	addFloat func(float64) error
}

// NewBatch prepares builders for mappings.
func NewBatch(mem memory.Allocator, maps []Mapping, p Policies) *Batch {
	schema := Schema(maps, nil)
	b := &Batch{maps: maps, policies: p, rb: array.NewRecordBuilder(mem, schema)}
	b.cols = make([]column, len(maps))
	for i, m := range maps {
		b.cols[i] = newColumn(m, b.rb.Field(i))
	}
	return b
}

// Rows and Bytes say how much the batch holds.
func (b *Batch) Rows() int    { return b.rows }
func (b *Batch) Bytes() int64 { return b.bytes }

// AppendRow decodes one row; vals[i] == nil is NULL, otherwise []byte
// (text protocol) or an int64, uint64, float64 or float32 the driver
// parsed. A *BadValue means the row was not appended and the caller's
// policy (error or quarantine) applies; any other error is a protocol
// problem and ends the read.
func (b *Batch) AppendRow(vals []driver.Value) error {
	var pre [64]int64
	var pres []int64
	if len(vals) <= len(pre) {
		pres = pre[:len(vals)]
	} else {
		pres = make([]int64, len(vals))
	}
	var nulled uint64 // columns the zero-date policy turns into NULL (first 64)
	var nulledMore map[int]bool
	for i := range b.cols {
		c := &b.cols[i]
		if !c.fallible || vals[i] == nil {
			continue
		}
		raw, ok := vals[i].([]byte)
		if !ok {
			raw = TextOf(vals[i])
			vals[i] = raw
		}
		v, err := c.check(raw)
		if err == nil {
			pres[i] = v
			continue
		}
		if errors.Is(err, errZeroDate) {
			switch b.policies.ZeroDates {
			case ZeroDateNull, "":
				if i < 64 {
					nulled |= 1 << i
				} else {
					if nulledMore == nil {
						nulledMore = map[int]bool{}
					}
					nulledMore[i] = true
				}
				continue
			}
			return &BadValue{Column: c.name, Reason: fmt.Sprintf("zero or invalid date %q", raw)}
		}
		var bv *BadValue
		if errors.As(err, &bv) {
			return bv
		}
		return fmt.Errorf("column %s: %w", c.name, err)
	}
	for i := range b.cols {
		c := &b.cols[i]
		if vals[i] == nil || (i < 64 && nulled&(1<<i) != 0) || nulledMore[i] {
			if vals[i] != nil {
				b.Counters.ZeroDatesNulled++
			}
			c.null()
			continue
		}
		var err error
		switch v := vals[i].(type) {
		case []byte:
			err = c.add(v, pres[i])
			b.bytes += int64(len(v))
		case int64:
			if c.addInt != nil {
				err = c.addInt(v)
			} else {
				err = c.add(strconv.AppendInt(nil, v, 10), 0)
			}
			b.bytes += 8
		case uint64:
			if c.addUint != nil {
				err = c.addUint(v)
			} else {
				err = c.add(strconv.AppendUint(nil, v, 10), 0)
			}
			b.bytes += 8
		case float64:
			if c.addFloat != nil {
				err = c.addFloat(v)
			} else {
				err = c.add(strconv.AppendFloat(nil, v, 'g', -1, 64), 0)
			}
			b.bytes += 8
		case float32:
			if c.addFloat != nil {
				err = c.addFloat(float64(v))
			} else {
				err = c.add(strconv.AppendFloat(nil, float64(v), 'g', -1, 32), 0)
			}
			b.bytes += 4
		default:
			err = fmt.Errorf("unexpected driver value of type %T", v)
		}
		if err != nil {
			// Infallible kinds fail only on values the server would never
			// send for the column: a protocol or mapping bug, not a row.
			return fmt.Errorf("column %s: %w", c.name, err)
		}
	}
	b.rows++
	return nil
}

// TextOf is a driver value as MySQL-style text (nil for NULL): what the
// text protocol carried before the driver parsed it.
func TextOf(v driver.Value) []byte {
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		return v
	case int64:
		return strconv.AppendInt(nil, v, 10)
	case uint64:
		return strconv.AppendUint(nil, v, 10)
	case float64:
		return strconv.AppendFloat(nil, v, 'g', -1, 64)
	case float32:
		return strconv.AppendFloat(nil, float64(v), 'g', -1, 32)
	case string:
		return []byte(v)
	}
	return fmt.Appendf(nil, "%v", v)
}

// Flush returns the rows so far as a record (caller releases) and resets.
func (b *Batch) Flush() arrow.RecordBatch {
	rec := b.rb.NewRecordBatch()
	b.rows, b.bytes = 0, 0
	return rec
}

// Release frees the builders.
func (b *Batch) Release() { b.rb.Release() }

func newColumn(m Mapping, bld array.Builder) column {
	c := column{name: m.Column.Name, null: bld.AppendNull}
	switch m.Kind {
	case KindInt:
		add := intAdder(bld)
		c.add = func(b []byte, _ int64) error {
			v, err := parseInt(b)
			if err != nil {
				return err
			}
			return add(v)
		}
		c.addInt = add
		c.addUint = func(v uint64) error {
			if v > math.MaxInt64 {
				return fmt.Errorf("%d out of BIGINT range", v)
			}
			return add(int64(v))
		}
	case KindUint:
		add := uintAdder(bld)
		c.add = func(b []byte, _ int64) error {
			v, err := parseUint(b)
			if err != nil {
				return err
			}
			return add(v)
		}
		c.addUint = add
		// The driver parses TINYINT..INT UNSIGNED as int64.
		c.addInt = func(v int64) error {
			if v < 0 {
				return fmt.Errorf("%d out of UNSIGNED range", v)
			}
			return add(uint64(v))
		}
	case KindFloat32:
		fb := bld.(*array.Float32Builder)
		c.add = func(b []byte, _ int64) error {
			v, err := strconv.ParseFloat(string(b), 32)
			if err != nil {
				return err
			}
			fb.Append(float32(v))
			return nil
		}
		// FLOAT is selected as CAST(col AS DOUBLE): the double holds the
		// FLOAT's value exactly, so narrowing it loses nothing.
		c.addFloat = func(v float64) error { fb.Append(float32(v)); return nil }
	case KindFloat64:
		fb := bld.(*array.Float64Builder)
		c.add = func(b []byte, _ int64) error {
			v, err := strconv.ParseFloat(string(b), 64)
			if err != nil {
				return err
			}
			fb.Append(v)
			return nil
		}
		c.addFloat = func(v float64) error { fb.Append(v); return nil }
	case KindDecimal:
		db := bld.(*array.Decimal128Builder)
		dt := m.Field.Type.(*arrow.Decimal128Type)
		c.add = func(b []byte, _ int64) error {
			n, err := parseDecimal(b, int(dt.Scale))
			if err != nil {
				return err
			}
			if !n.FitsInPrecision(dt.Precision) {
				return fmt.Errorf("decimal %q does not fit DECIMAL(%d,%d)", b, dt.Precision, dt.Scale)
			}
			db.Append(n)
			return nil
		}
	case KindDecimalText:
		sb := bld.(*array.StringBuilder)
		c.add = func(b []byte, _ int64) error {
			// Only the shape is checked; the exact text is kept.
			if !validDecimalText(b) {
				return fmt.Errorf("bad decimal %q", b)
			}
			sb.BinaryBuilder.Append(b)
			return nil
		}
	case KindBit:
		ub := bld.(*array.Uint64Builder)
		c.add = func(b []byte, _ int64) error {
			if len(b) > 8 {
				return fmt.Errorf("BIT value of %d bytes", len(b))
			}
			var v uint64
			for _, x := range b {
				v = v<<8 | uint64(x)
			}
			ub.Append(v)
			return nil
		}
	case KindYear:
		yb := bld.(*array.Int16Builder)
		c.add = func(b []byte, _ int64) error {
			v, err := parseInt(b)
			if err != nil || v < 0 || v > 2155 {
				return fmt.Errorf("bad YEAR %q", b)
			}
			yb.Append(int16(v))
			return nil
		}
		c.addInt = func(v int64) error {
			if v < 0 || v > 2155 {
				return fmt.Errorf("bad YEAR %d", v)
			}
			yb.Append(int16(v))
			return nil
		}
	case KindDate:
		db := bld.(*array.Date32Builder)
		c.fallible = true
		c.check = func(b []byte) (int64, error) {
			d, err := parseDate(b)
			return int64(d), err
		}
		c.add = func(_ []byte, pre int64) error {
			db.Append(arrow.Date32(pre))
			return nil
		}
	case KindDatetime, KindTimestamp:
		tb := bld.(*array.TimestampBuilder)
		c.fallible = true
		c.check = parseDatetime
		c.add = func(_ []byte, pre int64) error {
			tb.Append(arrow.Timestamp(pre))
			return nil
		}
	case KindTime:
		ib := bld.(*array.Int64Builder)
		c.add = func(b []byte, _ int64) error {
			v, err := parseTime(b)
			if err != nil {
				return err
			}
			ib.Append(v)
			return nil
		}
	case KindString:
		sb := bld.(*array.StringBuilder)
		c.fallible = true
		c.check = func(b []byte) (int64, error) {
			if !utf8.Valid(b) {
				return 0, &BadValue{Column: m.Column.Name, Reason: fmt.Sprintf("invalid UTF-8 at byte %d", invalidAt(b))}
			}
			return 0, nil
		}
		c.add = func(b []byte, _ int64) error {
			sb.BinaryBuilder.Append(b)
			return nil
		}
	case KindSet:
		lb := bld.(*array.ListBuilder)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		c.fallible = true
		c.check = func(b []byte) (int64, error) {
			if !utf8.Valid(b) {
				return 0, &BadValue{Column: m.Column.Name, Reason: fmt.Sprintf("invalid UTF-8 at byte %d", invalidAt(b))}
			}
			return 0, nil
		}
		c.add = func(b []byte, _ int64) error {
			lb.Append(true)
			if len(b) == 0 {
				return nil
			}
			start := 0
			for i := 0; i <= len(b); i++ {
				if i == len(b) || b[i] == ',' {
					vb.BinaryBuilder.Append(b[start:i])
					start = i + 1
				}
			}
			return nil
		}
	case KindBinary:
		bb := bld.(*array.BinaryBuilder)
		c.add = func(b []byte, _ int64) error {
			bb.Append(b)
			return nil
		}
	case KindGeometry:
		bb := bld.(*array.BinaryBuilder)
		c.add = func(b []byte, _ int64) error {
			// MySQL's internal geometry format: a 4-byte little-endian
			// SRID, then WKB.
			if len(b) < 4+5 {
				return fmt.Errorf("geometry value of %d bytes", len(b))
			}
			_ = binary.LittleEndian.Uint32(b[:4])
			bb.Append(b[4:])
			return nil
		}
	default:
		panic(fmt.Sprintf("typemap: no decoder for kind %d", m.Kind))
	}
	return c
}

func intAdder(bld array.Builder) func(int64) error {
	switch b := bld.(type) {
	case *array.Int8Builder:
		return func(v int64) error {
			if v < math.MinInt8 || v > math.MaxInt8 {
				return fmt.Errorf("%d out of TINYINT range", v)
			}
			b.Append(int8(v))
			return nil
		}
	case *array.Int16Builder:
		return func(v int64) error {
			if v < math.MinInt16 || v > math.MaxInt16 {
				return fmt.Errorf("%d out of SMALLINT range", v)
			}
			b.Append(int16(v))
			return nil
		}
	case *array.Int32Builder:
		return func(v int64) error {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return fmt.Errorf("%d out of INT range", v)
			}
			b.Append(int32(v))
			return nil
		}
	case *array.Int64Builder:
		return func(v int64) error { b.Append(v); return nil }
	}
	panic("typemap: not a signed integer builder")
}

func uintAdder(bld array.Builder) func(uint64) error {
	switch b := bld.(type) {
	case *array.Uint8Builder:
		return func(v uint64) error {
			if v > math.MaxUint8 {
				return fmt.Errorf("%d out of TINYINT UNSIGNED range", v)
			}
			b.Append(uint8(v))
			return nil
		}
	case *array.Uint16Builder:
		return func(v uint64) error {
			if v > math.MaxUint16 {
				return fmt.Errorf("%d out of SMALLINT UNSIGNED range", v)
			}
			b.Append(uint16(v))
			return nil
		}
	case *array.Uint32Builder:
		return func(v uint64) error {
			if v > math.MaxUint32 {
				return fmt.Errorf("%d out of INT UNSIGNED range", v)
			}
			b.Append(uint32(v))
			return nil
		}
	case *array.Uint64Builder:
		return func(v uint64) error { b.Append(v); return nil }
	}
	panic("typemap: not an unsigned integer builder")
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func validDecimalText(b []byte) bool {
	dot := false
	digits := 0
	for i, c := range b {
		switch {
		case (c == '-' || c == '+') && i == 0:
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			digits++
		default:
			return false
		}
	}
	return digits > 0
}
