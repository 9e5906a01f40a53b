package format

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/hetl/hetl/warehouse"
)

// textBufferSize batches small row writes into large file writes (HDFS
// round trips are expensive).
const textBufferSize = 1 << 20

// textWriter writes Sqoop-style delimited text: one line per row, fields
// rendered exactly as MySQL's text protocol prints them, delimiters inside
// values escaped or enclosed, never altered.
type textWriter struct {
	name    string
	file    warehouse.Writer
	counter *countingWriter
	gz      *gzip.Writer // nil when uncompressed
	out     *bufio.Writer
	schema  *arrow.Schema
	cols    []textColumn
	fns     []textValueFunc // per batch, reused
	d       textDelims
	// marked: bytes that are escaped (or, enclosed without an escape
	// character, doubled) inside a field.
	marked [256]bool
	// enclosing: bytes that make an optionally enclosed field enclosed.
	enclosing [256]bool
	scratch   []byte
	rows      int64
	closed    bool
}

// textDelims are TextOptions with Sqoop's defaults filled in.
type textDelims struct {
	field, line, escape, enclose byte
	optional                     bool
}

// textColumn renders one Arrow field.
type textColumn struct {
	name string
	null []byte // the NULL token
	bind func(arrow.Array) textValueFunc
}

// textValueFunc appends the text of a batch's row i (never NULL) to dst.
type textValueFunc func(dst []byte, i int) ([]byte, error)

func newTextWriter(ctx context.Context, fsys warehouse.FS, name string, schema *arrow.Schema, opts Options) (Writer, error) {
	switch opts.Codec {
	case None, Gzip, "":
	default:
		return nil, fmt.Errorf("text output supports --compression-codec gzip or none, not %s", opts.Codec)
	}
	d, err := textDelimsOf(opts.Text)
	if err != nil {
		return nil, err
	}
	cols := make([]textColumn, schema.NumFields())
	for i, f := range schema.Fields() {
		if cols[i], err = newTextColumn(f, opts.Text, d); err != nil {
			return nil, err
		}
	}
	// Everything that can be refused is checked before the file exists.
	file, err := fsys.Create(ctx, name, warehouse.CreateOptions{})
	if err != nil {
		return nil, err
	}
	w := &textWriter{
		name:    name,
		file:    file,
		counter: &countingWriter{w: file},
		schema:  schema,
		cols:    cols,
		fns:     make([]textValueFunc, len(cols)),
		d:       d,
	}
	if opts.Codec == Gzip {
		w.gz = gzip.NewWriter(w.counter)
		w.out = bufio.NewWriterSize(w.gz, textBufferSize)
	} else {
		w.out = bufio.NewWriterSize(w.counter, textBufferSize)
	}
	w.setTables()
	return w, nil
}

// textDelimsOf fills in Sqoop's defaults and refuses combinations that
// would make the output ambiguous to read back.
func textDelimsOf(t TextOptions) (textDelims, error) {
	d := textDelims{field: t.FieldsTerminatedBy, line: t.LinesTerminatedBy, escape: t.EscapedBy, enclose: t.EnclosedBy, optional: t.OptionallyEnclosedBy}
	if d.field == 0 {
		d.field = ','
	}
	if d.line == 0 {
		d.line = '\n'
	}
	switch {
	case d.field == d.line:
		return d, fmt.Errorf("text output: fields and lines are both terminated by %q", d.field)
	case d.escape != 0 && (d.escape == d.field || d.escape == d.line):
		return d, fmt.Errorf("text output: --escaped-by %q is also a delimiter", d.escape)
	case d.enclose != 0 && (d.enclose == d.field || d.enclose == d.line):
		return d, fmt.Errorf("text output: --enclosed-by %q is also a delimiter", d.enclose)
	case d.enclose != 0 && d.enclose == d.escape:
		return d, fmt.Errorf("text output: --enclosed-by and --escaped-by are both %q; leave out --escaped-by to double the enclosing character instead", d.enclose)
	case d.optional && d.enclose == 0:
		return d, errors.New("text output: optional enclosing needs an enclosing character")
	case d.line == '\n' && (d.escape == 'n' || d.escape == 'r'):
		// Newlines in values are written as escape+'n' and escape+'r'.
		return d, fmt.Errorf("text output: --escaped-by %q is ambiguous with lines terminated by \\n", d.escape)
	}
	return d, nil
}

// setTables precomputes per-byte decisions for writeField.
func (w *textWriter) setTables() {
	d := w.d
	if d.escape != 0 {
		for _, c := range []byte{d.escape, d.field, d.line} {
			w.marked[c] = true
		}
		if d.enclose != 0 {
			w.marked[d.enclose] = true
		}
		if d.line == '\n' {
			// Keep every row on one line, as Hive's
			// serialization.escape.crlf reads it back.
			w.marked['\n'], w.marked['\r'] = true, true
		}
	} else if d.enclose != 0 {
		w.marked[d.enclose] = true // doubled, CSV style
	}
	if d.enclose != 0 {
		for _, c := range []byte{d.field, d.line, d.enclose, '\n', '\r'} {
			w.enclosing[c] = true
		}
	}
}

// isUTC reports whether an Arrow time zone is UTC under one of its names.
func isUTC(tz string) bool {
	switch tz {
	case "UTC", "Etc/UTC", "Z", "+00:00":
		return true
	}
	return false
}

// fieldFSP reads mysql.fsp: -1 when absent.
func fieldFSP(f arrow.Field) (int, error) {
	s, ok := f.Metadata.GetValue(MetaFSP)
	if !ok {
		return -1, nil
	}
	fsp, err := strconv.Atoi(s)
	if err != nil || fsp < 0 || fsp > 6 {
		return 0, fmt.Errorf("column %s: %s %q is not 0..6", f.Name, MetaFSP, s)
	}
	return fsp, nil
}

func fieldLogical(f arrow.Field) string {
	v, _ := f.Metadata.GetValue(MetaLogical)
	return v
}

func newTextColumn(f arrow.Field, t TextOptions, d textDelims) (textColumn, error) {
	c := textColumn{name: f.Name}
	stringy := false
	logical := fieldLogical(f)
	switch dt := f.Type.(type) {
	case *arrow.Int8Type:
		c.bind = textInts[int8]
	case *arrow.Int16Type:
		if logical == "year" {
			c.bind = textYear
		} else {
			c.bind = textInts[int16]
		}
	case *arrow.Int32Type:
		c.bind = textInts[int32]
	case *arrow.Int64Type:
		if logical == "time_us" {
			fsp, err := fieldFSP(f)
			if err != nil {
				return c, err
			}
			c.bind = func(a arrow.Array) textValueFunc {
				v := a.(*array.Int64)
				return func(dst []byte, i int) ([]byte, error) { return appendMySQLTime(dst, v.Value(i), fsp) }
			}
		} else {
			c.bind = textInts[int64]
		}
	case *arrow.BooleanType:
		// As MySQL prints a BOOLEAN (a TINYINT(1)).
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Boolean)
			return func(dst []byte, i int) ([]byte, error) {
				if v.Value(i) {
					return append(dst, '1'), nil
				}
				return append(dst, '0'), nil
			}
		}
	case *arrow.Uint8Type:
		c.bind = textUints[uint8]
	case *arrow.Uint16Type:
		c.bind = textUints[uint16]
	case *arrow.Uint32Type:
		c.bind = textUints[uint32]
	case *arrow.Uint64Type:
		c.bind = textUints[uint64]
	case *arrow.Float32Type:
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Float32)
			return func(dst []byte, i int) ([]byte, error) { return appendMySQLFloat(dst, float64(v.Value(i)), 32), nil }
		}
	case *arrow.Float64Type:
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Float64)
			return func(dst []byte, i int) ([]byte, error) { return appendMySQLFloat(dst, v.Value(i), 64), nil }
		}
	case *arrow.Decimal128Type:
		if dt.Scale < 0 {
			return c, fmt.Errorf("column %s: %s has a negative scale", f.Name, dt)
		}
		scale := int(dt.Scale)
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Decimal128)
			return func(dst []byte, i int) ([]byte, error) { return appendDecimal(dst, v.Value(i), scale), nil }
		}
	case *arrow.Date32Type:
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Date32)
			return func(dst []byte, i int) ([]byte, error) { return appendDate(dst, int64(v.Value(i))), nil }
		}
	case *arrow.TimestampType:
		if err := checkTimestamp(f, dt); err != nil {
			return c, err
		}
		fsp, err := fieldFSP(f)
		if err != nil {
			return c, err
		}
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.Timestamp)
			return func(dst []byte, i int) ([]byte, error) { return appendDatetime(dst, int64(v.Value(i)), fsp) }
		}
	case *arrow.StringType:
		stringy = logical != "decimal_text" // a wide DECIMAL is a number to Sqoop
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.String)
			return func(dst []byte, i int) ([]byte, error) { return append(dst, v.Value(i)...), nil }
		}
	case *arrow.LargeStringType:
		stringy = logical != "decimal_text"
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(*array.LargeString)
			return func(dst []byte, i int) ([]byte, error) { return append(dst, v.Value(i)...), nil }
		}
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		// Bytes are written raw, as Sqoop does, and escaped like text.
		stringy = true
		c.bind = func(a arrow.Array) textValueFunc {
			v := a.(interface{ Value(int) []byte })
			return func(dst []byte, i int) ([]byte, error) { return append(dst, v.Value(i)...), nil }
		}
	case *arrow.ListType:
		if dt.Elem().ID() != arrow.STRING {
			return c, fmt.Errorf("column %s: text output cannot write %s (only list<utf8>, a MySQL SET)", f.Name, dt)
		}
		stringy = true
		name := f.Name
		c.bind = func(a arrow.Array) textValueFunc {
			l := a.(*array.List)
			elems := l.ListValues().(*array.String)
			return func(dst []byte, i int) ([]byte, error) {
				// MySQL prints a SET as its members joined by ','.
				start, end := l.ValueOffsets(i)
				for j := int(start); j < int(end); j++ {
					if elems.IsNull(j) {
						return dst, fmt.Errorf("column %s: NULL inside a SET value", name)
					}
					if j > int(start) {
						dst = append(dst, ',')
					}
					dst = append(dst, elems.Value(j)...)
				}
				return dst, nil
			}
		}
	default:
		return c, fmt.Errorf("column %s: text output cannot write Arrow type %s", f.Name, f.Type)
	}
	null := "null"
	if stringy && t.NullString != nil {
		null = *t.NullString
	} else if !stringy && t.NullNonString != nil {
		null = *t.NullNonString
	}
	// The NULL token is written as is: a delimiter in it would break rows.
	for _, b := range []byte(null) {
		if b == d.field || b == d.line {
			return c, fmt.Errorf("column %s: the NULL text %q contains a delimiter", f.Name, null)
		}
	}
	c.null = []byte(null)
	return c, nil
}

// checkTimestamp accepts what the importer produces: microseconds, as a
// wall clock (no zone) or an instant in UTC.
func checkTimestamp(f arrow.Field, dt *arrow.TimestampType) error {
	if dt.Unit != arrow.Microsecond {
		return fmt.Errorf("column %s: %s: only microsecond timestamps are supported", f.Name, dt)
	}
	if dt.TimeZone != "" && !isUTC(dt.TimeZone) {
		return fmt.Errorf("column %s: %s: only UTC or zoneless timestamps are supported", f.Name, dt)
	}
	return nil
}

func textInts[T int8 | int16 | int32 | int64](a arrow.Array) textValueFunc {
	v := a.(interface{ Value(int) T })
	return func(dst []byte, i int) ([]byte, error) { return strconv.AppendInt(dst, int64(v.Value(i)), 10), nil }
}

func textUints[T uint8 | uint16 | uint32 | uint64](a arrow.Array) textValueFunc {
	v := a.(interface{ Value(int) T })
	return func(dst []byte, i int) ([]byte, error) { return strconv.AppendUint(dst, uint64(v.Value(i)), 10), nil }
}

// textYear prints YEAR with four digits, as MySQL does ("0000").
func textYear(a arrow.Array) textValueFunc {
	v := a.(*array.Int16)
	return func(dst []byte, i int) ([]byte, error) {
		y := v.Value(i)
		if y < 0 {
			return strconv.AppendInt(dst, int64(y), 10), nil
		}
		return appendPadded(dst, uint64(y), 4), nil
	}
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var buf [20]byte
	s := strconv.AppendUint(buf[:0], v, 10)
	for k := len(s); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// appendMySQLFloat prints a FLOAT or DOUBLE as MySQL's text protocol does:
// the shortest digits that read back as the same value (of bitSize bits),
// plain when the decimal exponent is in [-15, 15), else d.ddde<exp> with
// no '+' and no leading zeros ("1e20", "1.5e-300"). This is the rule the
// --validate checksum uses too; strconv's 'g' would print 1234567 as
// 1.234567e+06, which no MySQL client shows.
func appendMySQLFloat(dst []byte, v float64, bitSize int) []byte {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.AppendFloat(dst, v, 'g', -1, bitSize) // "0", "-0", "NaN", "+Inf"
	}
	var buf [32]byte
	e := strconv.AppendFloat(buf[:0], v, 'e', -1, bitSize) // -d.ddde±dd
	if e[0] == '-' {
		dst = append(dst, '-')
		e = e[1:]
	}
	var dbuf [24]byte
	digits := dbuf[:0]
	var exp int
	for k, c := range e {
		if c == 'e' {
			exp, _ = strconv.Atoi(string(e[k+1:]))
			break
		}
		if c != '.' {
			digits = append(digits, c)
		}
	}
	switch {
	case exp < -15 || exp >= 15:
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(append(dst, '.'), digits[1:]...)
		}
		return strconv.AppendInt(append(dst, 'e'), int64(exp), 10)
	case exp < 0:
		dst = append(dst, '0', '.')
		for k := -1; k > exp; k-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	intLen := exp + 1
	if len(digits) <= intLen {
		dst = append(dst, digits...)
		for k := len(digits); k < intLen; k++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:intLen]...)
	return append(append(dst, '.'), digits[intLen:]...)
}

// appendDecimal prints an unscaled decimal with exactly scale fraction
// digits, as MySQL prints DECIMAL(p,scale): "0.50", "-0.05", "0.00".
func appendDecimal(dst []byte, n decimal128.Num, scale int) []byte {
	var buf [48]byte
	var digits []byte
	neg := false
	switch hi, lo := n.HighBits(), n.LowBits(); {
	case hi == 0: // non-negative, fits 64 bits: no big.Int
		digits = strconv.AppendUint(buf[:0], lo, 10)
	case hi == -1 && lo != 0: // negative with a 64-bit magnitude
		neg, digits = true, strconv.AppendUint(buf[:0], -lo, 10)
	default:
		b := n.BigInt()
		neg = b.Sign() < 0
		digits = b.Abs(b).Append(buf[:0], 10)
	}
	if neg {
		dst = append(dst, '-')
	}
	if scale == 0 {
		return append(dst, digits...)
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for k := len(digits); k < scale; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	at := len(digits) - scale
	dst = append(dst, digits[:at]...)
	return append(append(dst, '.'), digits[at:]...)
}

func appendDate(dst []byte, days int64) []byte {
	y, m, d := time.Unix(days*86400, 0).UTC().Date()
	return appendYMD(dst, y, m, d)
}

func appendYMD(dst []byte, y int, m time.Month, d int) []byte {
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = appendPadded(dst, uint64(y), 4)
	dst = appendPadded(append(dst, '-'), uint64(m), 2)
	return appendPadded(append(dst, '-'), uint64(d), 2)
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000}

// appendFraction prints micros (0..999999) with fsp digits; fsp -1 (no
// metadata) means none for a whole second, else all six. A value finer
// than fsp is an error: cutting digits would change it.
func appendFraction(dst []byte, micros uint64, fsp int) ([]byte, error) {
	if fsp < 0 {
		if micros == 0 {
			return dst, nil
		}
		fsp = 6
	}
	unit := pow10[6-fsp]
	if micros%unit != 0 {
		return dst, fmt.Errorf("fraction .%06d has more digits than %s %d", micros, MetaFSP, fsp)
	}
	if fsp == 0 {
		return dst, nil
	}
	return appendPadded(append(dst, '.'), micros/unit, fsp), nil
}

// appendDatetime prints microseconds since the epoch as MySQL's
// "YYYY-MM-DD HH:MM:SS[.fff]" in UTC (for a zoneless timestamp, UTC
// arithmetic is the wall clock itself).
func appendDatetime(dst []byte, us int64, fsp int) ([]byte, error) {
	secs, frac := us/1e6, us%1e6
	if frac < 0 {
		secs, frac = secs-1, frac+1e6
	}
	t := time.Unix(secs, 0).UTC()
	y, m, d := t.Date()
	dst = appendYMD(dst, y, m, d)
	h, mi, s := t.Clock()
	dst = appendPadded(append(dst, ' '), uint64(h), 2)
	dst = appendPadded(append(dst, ':'), uint64(mi), 2)
	dst = appendPadded(append(dst, ':'), uint64(s), 2)
	return appendFraction(dst, uint64(frac), fsp)
}

// appendMySQLTime prints signed microseconds as MySQL's TIME text,
// "[-]HH:MM:SS[.fff]"; hours go past 24 (to 838).
func appendMySQLTime(dst []byte, us int64, fsp int) ([]byte, error) {
	u := uint64(us)
	if us < 0 {
		dst = append(dst, '-')
		u = -u // also right for math.MinInt64
	}
	secs, frac := u/1e6, u%1e6
	dst = appendPadded(dst, secs/3600, 2)
	dst = appendPadded(append(dst, ':'), secs/60%60, 2)
	dst = appendPadded(append(dst, ':'), secs%60, 2)
	return appendFraction(dst, frac, fsp)
}

// checkColumns makes sure a batch matches the writer's schema, so the
// typed accessors chosen at construction fit its arrays.
func checkColumns(schema *arrow.Schema, rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != schema.NumFields() {
		return fmt.Errorf("batch has %d columns, the file's schema %d", rec.NumCols(), schema.NumFields())
	}
	for j, f := range schema.Fields() {
		if got := rec.Column(j).DataType(); !arrow.TypeEqual(got, f.Type) {
			return fmt.Errorf("column %s: batch has type %s, the file's schema %s", f.Name, got, f.Type)
		}
	}
	return nil
}

func (w *textWriter) Write(rec arrow.RecordBatch) error {
	if w.closed {
		return fmt.Errorf("text: write to closed %s", w.name)
	}
	if err := checkColumns(w.schema, rec); err != nil {
		return fmt.Errorf("text: %s: %w", w.name, err)
	}
	cols := rec.Columns()
	for j, c := range w.cols {
		w.fns[j] = c.bind(cols[j])
	}
	n := int(rec.NumRows())
	for i := range n {
		for j, arr := range cols {
			if j > 0 {
				w.out.WriteByte(w.d.field) // errors are sticky: checked per row below
			}
			if arr.IsNull(i) {
				w.out.Write(w.cols[j].null)
				continue
			}
			v, err := w.fns[j](w.scratch[:0], i)
			w.scratch = v[:0]
			if err != nil {
				return fmt.Errorf("text: %s row %d: %w", w.name, w.rows+int64(i)+1, err)
			}
			// A value that reads as the NULL token would come back NULL:
			// enclose it, or refuse.
			isToken := bytes.Equal(v, w.cols[j].null)
			if isToken && w.d.enclose == 0 {
				return fmt.Errorf("text: %s row %d: value %q of column %s is the NULL token, so it would read back as NULL; choose another with --null-string/--null-non-string (Hive's is \\N) or set --enclosed-by",
					w.name, w.rows+int64(i)+1, v, w.cols[j].name)
			}
			if what := w.writeField(v, isToken); what != "" {
				return fmt.Errorf("text: %s row %d: value of column %s contains the %s delimiter; set --escaped-by or --enclosed-by",
					w.name, w.rows+int64(i)+1, w.cols[j].name, what)
			}
		}
		if err := w.out.WriteByte(w.d.line); err != nil {
			return fmt.Errorf("text: write %s: %w", w.name, err)
		}
	}
	w.rows += int64(n)
	return nil
}

// writeField writes one value with Sqoop's escaping and enclosing
// (always enclosed when mustEnclose). It returns "field" or "line" when
// the value holds that delimiter and neither escaping nor enclosing can
// protect it; nothing is written then.
func (w *textWriter) writeField(v []byte, mustEnclose bool) string {
	d := &w.d
	enclose := d.enclose != 0 && (!d.optional || mustEnclose)
	if d.optional {
		for _, c := range v {
			if w.enclosing[c] {
				enclose = true
				break
			}
		}
	}
	if d.escape == 0 && !enclose {
		for _, c := range v {
			switch c {
			case d.field:
				return "field"
			case d.line:
				return "line"
			}
		}
		w.out.Write(v)
		return ""
	}
	if enclose {
		w.out.WriteByte(d.enclose)
	}
	start := 0
	for i, c := range v {
		if !w.marked[c] {
			continue
		}
		w.out.Write(v[start:i])
		start = i + 1
		if d.escape == 0 {
			w.out.WriteByte(c) // the enclosing character, doubled
			w.out.WriteByte(c)
			continue
		}
		if d.line == '\n' {
			switch c {
			case '\n':
				c = 'n'
			case '\r':
				c = 'r'
			}
		}
		w.out.WriteByte(d.escape)
		w.out.WriteByte(c)
	}
	w.out.Write(v[start:])
	if enclose {
		w.out.WriteByte(d.enclose)
	}
	return ""
}

func (w *textWriter) Rows() int64 { return w.rows }

// Bytes counts what reached the file; uncompressed, the buffered bytes are
// as good as written.
func (w *textWriter) Bytes() int64 {
	if w.gz == nil {
		return w.counter.n + int64(w.out.Buffered())
	}
	return w.counter.n
}

func (w *textWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.out.Flush()
	if w.gz != nil {
		err = errors.Join(err, w.gz.Close())
	}
	if err = errors.Join(err, w.file.Close()); err != nil {
		return fmt.Errorf("text: finish %s: %w", w.name, err)
	}
	return nil
}
