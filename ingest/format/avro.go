package format

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"

	"github.com/hetl/hetl/warehouse"
)

// Avro object container blocks are cut at whichever comes first, so a
// writer holds at most about one block in memory, compressed or not.
const (
	avroBlockRows  = 10000
	avroBlockBytes = 1 << 20
)

// avroMySQLName is the field property keeping a column's MySQL name when
// it is not a valid Avro name.
const avroMySQLName = "mysql.name"

// avroWriter writes an Avro object container file. Rows are encoded with
// the Avro binary primitives straight from the Arrow arrays: the schema is
// ours, so no reflection or per-value boxing is needed, and decimals go
// out as their exact two's complement bytes.
type avroWriter struct {
	name    string
	file    warehouse.Writer
	counter *countingWriter
	enc     *ocf.Encoder
	row     *avro.Writer // one row's encoding, handed to enc whole
	schema  *arrow.Schema
	cols    []avroColumn
	fns     []avroValueFunc // per batch, reused
	rows    int64
	closed  bool
}

// avroColumn encodes one Arrow field.
type avroColumn struct {
	name     string
	nullable bool
	bind     func(arrow.Array) avroValueFunc
}

// avroValueFunc encodes a batch's row i (never NULL).
type avroValueFunc func(w *avro.Writer, i int) error

func avroCodec(c Codec) (ocf.CodecName, error) {
	switch c {
	case Snappy, "":
		return ocf.Snappy, nil
	case Zstd:
		return ocf.ZStandard, nil
	case Gzip:
		// Avro has no gzip codec; deflate is the same compression without
		// gzip's framing, and every Avro reader has it.
		return ocf.Deflate, nil
	case None:
		return ocf.Null, nil
	}
	return "", fmt.Errorf("avro: unknown compression codec %q", c)
}

func newAvroWriter(ctx context.Context, fsys warehouse.FS, name string, schema *arrow.Schema, opts Options) (Writer, error) {
	codec, err := avroCodec(opts.Codec)
	if err != nil {
		return nil, err
	}
	rs, cols, err := avroSchemaOf(schema)
	if err != nil {
		return nil, err
	}
	meta := make(map[string][]byte, len(opts.FileMetadata))
	for k, v := range opts.FileMetadata {
		if strings.HasPrefix(k, "avro.") {
			return nil, fmt.Errorf("avro: file metadata key %q: the avro. prefix is reserved", k)
		}
		meta[k] = []byte(v)
	}
	file, err := fsys.Create(ctx, name, warehouse.CreateOptions{})
	if err != nil {
		return nil, err
	}
	counter := &countingWriter{w: file}
	enc, err := ocf.NewEncoderWithSchema(rs, counter,
		ocf.WithCodec(codec),
		ocf.WithBlockLength(avroBlockRows),
		ocf.WithBlockSize(avroBlockBytes),
		ocf.WithMetadata(meta),
		// The default marshaler writes the canonical form, which drops
		// the field properties carrying MySQL types and original names.
		ocf.WithSchemaMarshaler(ocf.FullSchemaMarshaler),
	)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("avro writer for %s: %w", name, err), file.Close(), fsys.Remove(ctx, name))
	}
	return &avroWriter{
		name:    name,
		file:    file,
		counter: counter,
		enc:     enc,
		row:     avro.NewWriter(nil, 4096),
		schema:  schema,
		cols:    cols,
		fns:     make([]avroValueFunc, len(cols)),
	}, nil
}

// AvroFieldName is the name hetl gives a column's field in an Avro file
// (the column's own name is kept in the field property mysql.name when
// they differ): readers that match fields by name, such as Hive's
// AvroSerDe, need it.
func AvroFieldName(column string) string { return avroName(column) }

// avroName makes a column name a valid Avro name: characters outside
// [A-Za-z0-9_] become '_', and a leading digit gets a '_' in front.
func avroName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// avroSchemaOf maps an Arrow schema to an Avro record named hetl.row.
func avroSchemaOf(schema *arrow.Schema) (*avro.RecordSchema, []avroColumn, error) {
	fields := make([]*avro.Field, 0, schema.NumFields())
	cols := make([]avroColumn, 0, schema.NumFields())
	taken := map[string]string{} // Avro name → column
	for _, f := range schema.Fields() {
		name := avroName(f.Name)
		if other, ok := taken[name]; ok {
			return nil, nil, fmt.Errorf("avro: columns %q and %q both become Avro field %q", other, f.Name, name)
		}
		taken[name] = f.Name
		typ, bind, err := avroTypeOf(f)
		if err != nil {
			return nil, nil, err
		}
		props := make(map[string]any, f.Metadata.Len()+1)
		for i, k := range f.Metadata.Keys() {
			props[k] = f.Metadata.Values()[i]
		}
		if name != f.Name {
			props[avroMySQLName] = f.Name
		}
		opts := []avro.SchemaOption{avro.WithProps(props)}
		if f.Nullable {
			// Null first with a null default: the usual optional field,
			// which readers can also add or drop in schema evolution.
			if typ, err = avro.NewUnionSchema([]avro.Schema{avro.NewNullSchema(), typ}); err != nil {
				return nil, nil, fmt.Errorf("avro: column %s: %w", f.Name, err)
			}
			opts = append(opts, avro.WithDefault(nil))
		}
		af, err := avro.NewField(name, typ, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("avro: column %s: %w", f.Name, err)
		}
		fields = append(fields, af)
		cols = append(cols, avroColumn{name: f.Name, nullable: f.Nullable, bind: bind})
	}
	rs, err := avro.NewRecordSchema("row", "hetl", fields)
	if err != nil {
		return nil, nil, fmt.Errorf("avro: %w", err)
	}
	return rs, cols, nil
}

// avroTypeOf maps one field (see docs/types.md) and picks its encoder.
func avroTypeOf(f arrow.Field) (avro.Schema, func(arrow.Array) avroValueFunc, error) {
	prim := func(t avro.Type) avro.Schema { return avro.NewPrimitiveSchema(t, nil) }
	logical := func(t avro.Type, l avro.LogicalType) avro.Schema {
		return avro.NewPrimitiveSchema(t, avro.NewPrimitiveLogicalSchema(l))
	}
	switch dt := f.Type.(type) {
	case *arrow.Int8Type:
		return prim(avro.Int), avroInts[int8], nil
	case *arrow.Int16Type:
		return prim(avro.Int), avroInts[int16], nil
	case *arrow.Int32Type:
		return prim(avro.Int), avroInts[int32], nil
	case *arrow.Uint8Type:
		return prim(avro.Int), avroInts[uint8], nil
	case *arrow.Uint16Type:
		return prim(avro.Int), avroInts[uint16], nil
	case *arrow.Uint32Type:
		return prim(avro.Long), avroLongs[uint32], nil
	case *arrow.Int64Type:
		// TIME (hetl.logical=time_us) stays a plain long: Avro's
		// time-micros means time of day and cannot hold -838:59:59.
		return prim(avro.Long), avroLongs[int64], nil
	case *arrow.Uint64Type:
		// Avro has no unsigned long; decimal(20,0) holds 18446744073709551615.
		return avro.NewPrimitiveSchema(avro.Bytes, avro.NewDecimalLogicalSchema(20, 0)), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Uint64)
			var buf [16]byte
			return func(w *avro.Writer, i int) error {
				w.WriteBytes(twosComplement(&buf, 0, v.Value(i)))
				return nil
			}
		}, nil
	case *arrow.Float32Type:
		return prim(avro.Float), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Float32)
			return func(w *avro.Writer, i int) error { w.WriteFloat(v.Value(i)); return nil }
		}, nil
	case *arrow.Float64Type:
		return prim(avro.Double), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Float64)
			return func(w *avro.Writer, i int) error { w.WriteDouble(v.Value(i)); return nil }
		}, nil
	case *arrow.Decimal128Type:
		if dt.Scale < 0 || dt.Precision < 1 || dt.Scale > dt.Precision {
			return nil, nil, fmt.Errorf("column %s: Avro cannot hold %s", f.Name, dt)
		}
		return avro.NewPrimitiveSchema(avro.Bytes, avro.NewDecimalLogicalSchema(int(dt.Precision), int(dt.Scale))), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Decimal128)
			var buf [16]byte
			return func(w *avro.Writer, i int) error {
				n := v.Value(i)
				w.WriteBytes(twosComplement(&buf, n.HighBits(), n.LowBits()))
				return nil
			}
		}, nil
	case *arrow.Date32Type:
		return logical(avro.Int, avro.Date), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Date32)
			return func(w *avro.Writer, i int) error { w.WriteInt(int32(v.Value(i))); return nil }
		}, nil
	case *arrow.TimestampType:
		if err := checkTimestamp(f, dt); err != nil {
			return nil, nil, err
		}
		// A zoneless DATETIME is a wall clock, a UTC TIMESTAMP an instant.
		lt := avro.LocalTimestampMicros
		if dt.TimeZone != "" {
			lt = avro.TimestampMicros
		}
		return logical(avro.Long, lt), func(a arrow.Array) avroValueFunc {
			v := a.(*array.Timestamp)
			return func(w *avro.Writer, i int) error { w.WriteLong(int64(v.Value(i))); return nil }
		}, nil
	case *arrow.StringType:
		return prim(avro.String), func(a arrow.Array) avroValueFunc {
			v := a.(*array.String)
			return func(w *avro.Writer, i int) error { w.WriteString(v.Value(i)); return nil }
		}, nil
	case *arrow.LargeStringType:
		return prim(avro.String), func(a arrow.Array) avroValueFunc {
			v := a.(*array.LargeString)
			return func(w *avro.Writer, i int) error { w.WriteString(v.Value(i)); return nil }
		}, nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.FixedSizeBinaryType:
		return prim(avro.Bytes), func(a arrow.Array) avroValueFunc {
			v := a.(interface{ Value(int) []byte })
			return func(w *avro.Writer, i int) error { w.WriteBytes(v.Value(i)); return nil }
		}, nil
	case *arrow.ListType:
		if dt.Elem().ID() != arrow.STRING {
			return nil, nil, fmt.Errorf("column %s: Avro output cannot write %s (only list<utf8>, a MySQL SET)", f.Name, dt)
		}
		name := f.Name
		return avro.NewArraySchema(prim(avro.String)), func(a arrow.Array) avroValueFunc {
			l := a.(*array.List)
			elems := l.ListValues().(*array.String)
			return func(w *avro.Writer, i int) error {
				start, end := l.ValueOffsets(i)
				if n := end - start; n > 0 {
					w.WriteLong(n) // one block of n items
					for j := int(start); j < int(end); j++ {
						if elems.IsNull(j) {
							return fmt.Errorf("column %s: NULL inside a SET value", name)
						}
						w.WriteString(elems.Value(j))
					}
				}
				w.WriteLong(0) // end of the array
				return nil
			}
		}, nil
	}
	return nil, nil, fmt.Errorf("column %s: Avro output cannot write Arrow type %s", f.Name, f.Type)
}

func avroInts[T int8 | int16 | int32 | uint8 | uint16](a arrow.Array) avroValueFunc {
	v := a.(interface{ Value(int) T })
	return func(w *avro.Writer, i int) error { w.WriteInt(int32(v.Value(i))); return nil }
}

func avroLongs[T int64 | uint32](a arrow.Array) avroValueFunc {
	v := a.(interface{ Value(int) T })
	return func(w *avro.Writer, i int) error { w.WriteLong(int64(v.Value(i))); return nil }
}

// twosComplement is the 128-bit integer hi:lo as Avro's decimal bytes:
// big-endian two's complement, without redundant sign bytes. It returns a
// part of b, reused from value to value.
func twosComplement(b *[16]byte, hi int64, lo uint64) []byte {
	binary.BigEndian.PutUint64(b[:8], uint64(hi))
	binary.BigEndian.PutUint64(b[8:], lo)
	i := 0
	for i < 15 && (b[i] == 0 && b[i+1]&0x80 == 0 || b[i] == 0xff && b[i+1]&0x80 != 0) {
		i++
	}
	return b[i:]
}

func (w *avroWriter) Write(rec arrow.RecordBatch) error {
	if w.closed {
		return fmt.Errorf("avro: write to closed %s", w.name)
	}
	if err := checkColumns(w.schema, rec); err != nil {
		return fmt.Errorf("avro: %s: %w", w.name, err)
	}
	cols := rec.Columns()
	for j, c := range w.cols {
		if !c.nullable && cols[j].NullN() > 0 {
			return fmt.Errorf("avro: %s: column %s is not nullable but has NULLs", w.name, c.name)
		}
		w.fns[j] = c.bind(cols[j])
	}
	n := int(rec.NumRows())
	for i := range n {
		for j, arr := range cols {
			if w.cols[j].nullable {
				if arr.IsNull(i) {
					w.row.WriteInt(0) // union branch "null"
					continue
				}
				w.row.WriteInt(1)
			}
			if err := w.fns[j](w.row, i); err != nil {
				w.row.Reset(nil)
				return fmt.Errorf("avro: %s row %d: %w", w.name, w.rows+int64(i)+1, err)
			}
		}
		// One Write is one record to the container's block count.
		_, err := w.enc.Write(w.row.Buffer())
		w.row.Reset(nil)
		if err != nil {
			return fmt.Errorf("avro: write %s: %w", w.name, err)
		}
	}
	w.rows += int64(n)
	return nil
}

func (w *avroWriter) Rows() int64 { return w.rows }

// Bytes counts what reached the file: the header and every finished block.
func (w *avroWriter) Bytes() int64 { return w.counter.n }

func (w *avroWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := errors.Join(w.enc.Close(), w.file.Close()); err != nil {
		return fmt.Errorf("avro: finish %s: %w", w.name, err)
	}
	return nil
}
