package format

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/hamba/avro/v2"
	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"

	"github.com/hetl/hetl/warehouse"
)

// avroReader reads an Avro object container file that avroWriter wrote.
// The container (header, blocks, sync markers, codecs) is read here, so
// a truncated or corrupt file is an error, not a short read; rows are
// decoded with the Avro binary primitives straight into Arrow builders,
// the inverse of avroTypeOf.
type avroReader struct {
	name   string
	file   warehouse.File
	in     *bufio.Reader
	schema *arrow.Schema
	codec  string
	sync   [16]byte
	zstd   *zstd.Decoder
	rb     *array.RecordBuilder
	fields []avroFieldReader
	dec    *avro.Reader
	batch  int

	left  int64 // rows left in the current block
	block int64 // blocks read, for errors
	row   int64 // rows read
	raw   []byte
}

type avroFieldReader struct {
	name     string
	nullable bool
	read     func(r *avro.Reader, b array.Builder) error
}

// avroReadConfig lifts the 1 MiB cap on one bytes or string value: a
// LONGBLOB can be far bigger.
var avroReadConfig = avro.Config{MaxByteSliceSize: -1}.Freeze()

var avroMagic = []byte{'O', 'b', 'j', 1}

func newAvroReader(ctx context.Context, fsys warehouse.FS, name string, opts ReadOptions) (Reader, error) {
	want, _, err := avroSchemaOf(opts.Schema)
	if err != nil {
		return nil, err
	}
	fields := make([]avroFieldReader, opts.Schema.NumFields())
	for i, f := range opts.Schema.Fields() {
		read, err := avroFieldReaderOf(f)
		if err != nil {
			return nil, err
		}
		fields[i] = avroFieldReader{name: f.Name, nullable: f.Nullable, read: read}
	}
	file, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	r := &avroReader{name: name, file: file, in: bufio.NewReaderSize(file, 1<<20), schema: opts.Schema,
		fields: fields, batch: opts.BatchRows, dec: avro.NewReader(nil, 0, avro.WithReaderConfig(avroReadConfig))}
	if err := r.readHeader(want); err != nil {
		file.Close()
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	r.rb = array.NewRecordBuilder(memory.DefaultAllocator, opts.Schema)
	return r, nil
}

// readHeader reads the magic, the metadata map and the sync marker, and
// checks that the file's schema is the one expected.
func (r *avroReader) readHeader(want *avro.RecordSchema) error {
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r.in, magic); err != nil || !bytes.Equal(magic, avroMagic) {
		return errors.New("not an Avro object container file")
	}
	meta := map[string][]byte{}
	for {
		n, err := binary.ReadVarint(r.in)
		if err != nil {
			return fmt.Errorf("header: %w", noEOF(err))
		}
		if n == 0 {
			break
		}
		if n < 0 { // a block with its byte size
			n = -n
			if _, err := binary.ReadVarint(r.in); err != nil {
				return fmt.Errorf("header: %w", noEOF(err))
			}
		}
		for range n {
			k, err := r.readBytes(1 << 20)
			if err != nil {
				return fmt.Errorf("header: %w", err)
			}
			v, err := r.readBytes(64 << 20)
			if err != nil {
				return fmt.Errorf("header: %w", err)
			}
			meta[string(k)] = v
		}
	}
	if _, err := io.ReadFull(r.in, r.sync[:]); err != nil {
		return fmt.Errorf("header: %w", noEOF(err))
	}
	r.codec = string(meta["avro.codec"])
	switch r.codec {
	case "", "null":
		r.codec = "null"
	case "deflate", "snappy":
	case "zstandard":
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return err
		}
		r.zstd = d
	default:
		return fmt.Errorf("avro codec %q is not supported", r.codec)
	}
	got, err := avro.Parse(string(meta["avro.schema"]))
	if err != nil {
		return fmt.Errorf("the file's schema: %w", err)
	}
	rs, ok := got.(*avro.RecordSchema)
	if !ok {
		return fmt.Errorf("the file's schema is a %s, not a record", got.Type())
	}
	if len(rs.Fields()) != len(want.Fields()) {
		return fmt.Errorf("the file has %d fields, the schema it should have been written with %d", len(rs.Fields()), len(want.Fields()))
	}
	for i, wf := range want.Fields() {
		gf := rs.Fields()[i]
		if gf.Name() != wf.Name() || gf.Type().Fingerprint() != wf.Type().Fingerprint() {
			return fmt.Errorf("field %d is %s %s, want %s %s", i+1, gf.Name(), gf.Type(), wf.Name(), wf.Type())
		}
	}
	return nil
}

// readBytes reads a length-prefixed byte string of at most limit bytes.
func (r *avroReader) readBytes(limit int64) ([]byte, error) {
	n, err := binary.ReadVarint(r.in)
	if err != nil {
		return nil, noEOF(err)
	}
	if n < 0 || n > limit {
		return nil, fmt.Errorf("bad length %d", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.in, b); err != nil {
		return nil, noEOF(err)
	}
	return b, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// nextBlock reads and decompresses the next block; false at the end.
func (r *avroReader) nextBlock() (bool, error) {
	count, err := binary.ReadVarint(r.in)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	size, err := binary.ReadVarint(r.in)
	if err != nil {
		return false, noEOF(err)
	}
	r.block++
	if count < 0 || size < 0 || size > 1<<31 {
		return false, fmt.Errorf("block %d: bad header (%d rows, %d bytes)", r.block, count, size)
	}
	if int64(cap(r.raw)) < size {
		r.raw = make([]byte, size)
	}
	raw := r.raw[:size]
	if _, err := io.ReadFull(r.in, raw); err != nil {
		return false, fmt.Errorf("block %d: %w", r.block, noEOF(err))
	}
	var sync [16]byte
	if _, err := io.ReadFull(r.in, sync[:]); err != nil {
		return false, fmt.Errorf("block %d: %w", r.block, noEOF(err))
	}
	if sync != r.sync {
		return false, fmt.Errorf("block %d: wrong sync marker (corrupt file)", r.block)
	}
	data, err := r.decompress(raw)
	if err != nil {
		return false, fmt.Errorf("block %d: %s: %w", r.block, r.codec, err)
	}
	r.dec.Reset(data)
	r.left = count
	return true, nil
}

func (r *avroReader) decompress(raw []byte) ([]byte, error) {
	switch r.codec {
	case "deflate":
		return io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	case "snappy":
		// Snappy blocks end with the CRC-32 of the uncompressed data.
		if len(raw) < 4 {
			return nil, errors.New("block too short")
		}
		data, err := s2.Decode(nil, raw[:len(raw)-4])
		if err != nil {
			return nil, err
		}
		if crc32.ChecksumIEEE(data) != binary.BigEndian.Uint32(raw[len(raw)-4:]) {
			return nil, errors.New("checksum mismatch")
		}
		return data, nil
	case "zstandard":
		return r.zstd.DecodeAll(raw, nil)
	}
	return raw, nil
}

func (r *avroReader) Schema() *arrow.Schema { return r.schema }

func (r *avroReader) Next() (arrow.RecordBatch, error) {
	n := 0
	for n < r.batch {
		if r.left == 0 {
			ok, err := r.nextBlock()
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", r.name, err)
			}
			if !ok {
				break
			}
			continue
		}
		if err := r.readRow(); err != nil {
			return nil, fmt.Errorf("read %s row %d: %w", r.name, r.row+1, err)
		}
		r.left--
		r.row++
		n++
		if r.left == 0 {
			// The block must end with its last row.
			r.dec.Peek()
			if r.dec.Error == nil {
				return nil, fmt.Errorf("read %s: block %d has bytes after its last row", r.name, r.block)
			}
			r.dec.Error = nil
		}
	}
	if n == 0 {
		return nil, io.EOF
	}
	return r.rb.NewRecordBatch(), nil
}

func (r *avroReader) readRow() error {
	for i, f := range r.fields {
		b := r.rb.Field(i)
		if f.nullable {
			switch branch := r.dec.ReadLong(); {
			case r.dec.Error != nil:
			case branch == 0:
				b.AppendNull()
				continue
			case branch != 1:
				return fmt.Errorf("column %s: union branch %d of [null, value]", f.name, branch)
			}
		}
		if err := f.read(r.dec, b); err != nil {
			return fmt.Errorf("column %s: %w", f.name, err)
		}
		if r.dec.Error != nil {
			return fmt.Errorf("column %s: %w", f.name, noEOF(r.dec.Error))
		}
	}
	return nil
}

func (r *avroReader) Close() error {
	r.rb.Release()
	if r.zstd != nil {
		r.zstd.Close()
	}
	return r.file.Close()
}

// avroFieldReaderOf decodes what avroTypeOf encoded for f.
func avroFieldReaderOf(f arrow.Field) (func(*avro.Reader, array.Builder) error, error) {
	switch dt := f.Type.(type) {
	case *arrow.Int8Type:
		return avroIntReader(math.MinInt8, math.MaxInt8, func(b array.Builder, v int64) { b.(*array.Int8Builder).Append(int8(v)) }), nil
	case *arrow.Int16Type:
		return avroIntReader(math.MinInt16, math.MaxInt16, func(b array.Builder, v int64) { b.(*array.Int16Builder).Append(int16(v)) }), nil
	case *arrow.Int32Type:
		return avroIntReader(math.MinInt32, math.MaxInt32, func(b array.Builder, v int64) { b.(*array.Int32Builder).Append(int32(v)) }), nil
	case *arrow.Uint8Type:
		return avroIntReader(0, math.MaxUint8, func(b array.Builder, v int64) { b.(*array.Uint8Builder).Append(uint8(v)) }), nil
	case *arrow.Uint16Type:
		return avroIntReader(0, math.MaxUint16, func(b array.Builder, v int64) { b.(*array.Uint16Builder).Append(uint16(v)) }), nil
	case *arrow.Uint32Type:
		return func(r *avro.Reader, b array.Builder) error {
			v := r.ReadLong()
			if v < 0 || v > math.MaxUint32 {
				return fmt.Errorf("%d out of INT UNSIGNED range", v)
			}
			b.(*array.Uint32Builder).Append(uint32(v))
			return nil
		}, nil
	case *arrow.Int64Type:
		return func(r *avro.Reader, b array.Builder) error { b.(*array.Int64Builder).Append(r.ReadLong()); return nil }, nil
	case *arrow.Uint64Type:
		return func(r *avro.Reader, b array.Builder) error {
			hi, lo, err := fromTwosComplement(r.ReadBytes())
			if err != nil {
				return err
			}
			if hi != 0 {
				return errors.New("value out of BIGINT UNSIGNED range")
			}
			b.(*array.Uint64Builder).Append(lo)
			return nil
		}, nil
	case *arrow.Float32Type:
		return func(r *avro.Reader, b array.Builder) error {
			b.(*array.Float32Builder).Append(r.ReadFloat())
			return nil
		}, nil
	case *arrow.Float64Type:
		return func(r *avro.Reader, b array.Builder) error {
			b.(*array.Float64Builder).Append(r.ReadDouble())
			return nil
		}, nil
	case *arrow.Decimal128Type:
		return func(r *avro.Reader, b array.Builder) error {
			hi, lo, err := fromTwosComplement(r.ReadBytes())
			if err != nil {
				return err
			}
			n := decimal128.New(hi, lo)
			if !n.FitsInPrecision(dt.Precision) {
				return fmt.Errorf("decimal does not fit %s", dt)
			}
			b.(*array.Decimal128Builder).Append(n)
			return nil
		}, nil
	case *arrow.Date32Type:
		return func(r *avro.Reader, b array.Builder) error {
			b.(*array.Date32Builder).Append(arrow.Date32(r.ReadInt()))
			return nil
		}, nil
	case *arrow.TimestampType:
		if err := checkTimestamp(f, dt); err != nil {
			return nil, err
		}
		return func(r *avro.Reader, b array.Builder) error {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(r.ReadLong()))
			return nil
		}, nil
	case *arrow.StringType:
		return func(r *avro.Reader, b array.Builder) error {
			v := r.ReadBytes()
			if !utf8.Valid(v) {
				return errors.New("string is not valid UTF-8")
			}
			b.(*array.StringBuilder).BinaryBuilder.Append(v)
			return nil
		}, nil
	case *arrow.BinaryType:
		return func(r *avro.Reader, b array.Builder) error {
			b.(*array.BinaryBuilder).Append(r.ReadBytes())
			return nil
		}, nil
	case *arrow.ListType:
		if dt.Elem().ID() != arrow.STRING {
			return nil, fmt.Errorf("column %s: cannot read %s from Avro (only list<utf8>, a MySQL SET)", f.Name, dt)
		}
		return func(r *avro.Reader, b array.Builder) error {
			lb := b.(*array.ListBuilder)
			vb := lb.ValueBuilder().(*array.StringBuilder)
			lb.Append(true)
			for {
				n, _ := r.ReadBlockHeader()
				if n == 0 || r.Error != nil {
					return nil
				}
				for range n {
					v := r.ReadBytes()
					if !utf8.Valid(v) {
						return errors.New("SET member is not valid UTF-8")
					}
					vb.BinaryBuilder.Append(v)
					if r.Error != nil {
						return nil
					}
				}
			}
		}, nil
	}
	return nil, fmt.Errorf("column %s: cannot read Arrow type %s from Avro", f.Name, f.Type)
}

func avroIntReader(lo, hi int64, add func(array.Builder, int64)) func(*avro.Reader, array.Builder) error {
	return func(r *avro.Reader, b array.Builder) error {
		v := int64(r.ReadInt())
		if v < lo || v > hi {
			return fmt.Errorf("%d out of range [%d, %d]", v, lo, hi)
		}
		add(b, v)
		return nil
	}
}

// fromTwosComplement reads Avro's decimal bytes (big-endian two's
// complement, at most 16 bytes) as a 128-bit integer.
func fromTwosComplement(b []byte) (hi int64, lo uint64, err error) {
	if len(b) == 0 || len(b) > 16 {
		return 0, 0, fmt.Errorf("decimal of %d bytes", len(b))
	}
	var full [16]byte
	if b[0]&0x80 != 0 {
		for i := range full {
			full[i] = 0xff
		}
	}
	copy(full[16-len(b):], b)
	return int64(binary.BigEndian.Uint64(full[:8])), binary.BigEndian.Uint64(full[8:]), nil
}
