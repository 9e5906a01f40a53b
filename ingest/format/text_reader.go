package format

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/warehouse"
)

// textReader parses what textWriter wrote: the same delimiters, escapes
// and enclosing, undone; every value is then decoded with the importer's
// own MySQL-text decoders, so a value that does not parse as its column's
// type is an error naming the file, line and column, never a guess.
type textReader struct {
	name   string
	file   warehouse.File
	gz     *gzip.Reader
	in     *bufio.Reader
	schema *arrow.Schema
	d      textDelims
	nulls  [][]byte // each column's NULL token
	batch  *typemap.Batch
	rows   int // per batch
	line   int64

	// The current line: n fields, unescaped and raw; the slices beyond
	// n keep their space for the next line.
	n        int
	fields   [][]byte
	raws     [][]byte
	enclosed []bool
	vals     []driver.Value
	done     bool
}

func newTextReader(ctx context.Context, fsys warehouse.FS, name string, opts ReadOptions) (Reader, error) {
	d, err := textDelimsOf(opts.Text)
	if err != nil {
		return nil, err
	}
	codec := opts.Codec
	if codec == "" {
		codec = None
		if isGzipName(name) {
			codec = Gzip
		}
	}
	if codec != None && codec != Gzip {
		return nil, fmt.Errorf("read %s: text files are gzip or uncompressed, not %s", name, codec)
	}
	schema := opts.Schema
	n := schema.NumFields()
	r := &textReader{name: name, schema: schema, d: d, rows: opts.BatchRows,
		nulls: make([][]byte, n), vals: make([]driver.Value, n)}
	maps := make([]typemap.Mapping, n)
	for i, f := range schema.Fields() {
		c, err := newTextColumn(f, opts.Text, d)
		if err != nil {
			return nil, err
		}
		r.nulls[i] = c.null
		if maps[i], err = typemap.ReadBack(f); err != nil {
			return nil, err
		}
	}
	file, err := fsys.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	r.file = file
	var src io.Reader = file
	if codec == Gzip {
		if r.gz, err = gzip.NewReader(bufio.NewReaderSize(file, textBufferSize)); err != nil {
			file.Close()
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		src = r.gz
	}
	r.in = bufio.NewReaderSize(src, textBufferSize)
	// Zero dates and invalid UTF-8 are errors: hetl never writes them.
	r.batch = typemap.NewBatch(memory.DefaultAllocator, maps, typemap.Policies{ZeroDates: typemap.ZeroDateError, InvalidText: typemap.ZeroDateError})
	return r, nil
}

func (r *textReader) Schema() *arrow.Schema { return r.schema }

func (r *textReader) Next() (arrow.RecordBatch, error) {
	for !r.done && r.batch.Rows() < r.rows {
		ok, err := r.readLine()
		if err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", r.name, r.line, err)
		}
		if !ok {
			r.done = true
			break
		}
		if r.n != len(r.vals) {
			return nil, fmt.Errorf("read %s line %d: %d fields, the schema has %d columns (are the delimiters the ones it was written with?)",
				r.name, r.line, r.n, len(r.vals))
		}
		for i, v := range r.fields[:r.n] {
			if !r.enclosed[i] && bytes.Equal(r.raws[i], r.nulls[i]) {
				r.vals[i] = nil
			} else {
				r.vals[i] = v
			}
		}
		if err := r.batch.AppendRow(r.vals); err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", r.name, r.line, err)
		}
	}
	if r.batch.Rows() == 0 {
		return nil, io.EOF
	}
	return r.batch.Flush(), nil
}

// readLine splits the next line into r.fields (unescaped) and r.raws (as
// in the file, where NULL tokens are matched: Hive's \N is NULL, its
// escaped \\N a value). It returns false at the end of the file; a file
// that ends inside a line is an error (hetl ends every line).
func (r *textReader) readLine() (bool, error) {
	d := &r.d
	n := 0 // fields so far
	next := func() (v, raw []byte) {
		if n < len(r.fields) {
			return r.fields[n][:0], r.raws[n][:0]
		}
		return nil, nil
	}
	done := func(v, raw []byte, enclosed bool) {
		if n < len(r.fields) {
			r.fields[n], r.raws[n], r.enclosed[n] = v, raw, enclosed
		} else {
			r.fields, r.raws, r.enclosed = append(r.fields, v), append(r.raws, raw), append(r.enclosed, enclosed)
		}
		n++
	}
	c, err := r.in.ReadByte()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.line++
	read := func() error {
		c, err = r.in.ReadByte()
		if err == io.EOF {
			return errors.New("the file ends inside a line (truncated?)")
		}
		return err
	}
	for {
		// One field starts at c.
		v, raw := next()
		enclosed := d.enclose != 0 && c == d.enclose
		if enclosed {
			if err := read(); err != nil {
				return false, err
			}
		}
	field:
		for {
			switch {
			case d.escape != 0 && c == d.escape:
				raw = append(raw, c)
				if err := read(); err != nil {
					return false, err
				}
				raw = append(raw, c)
				if d.line == '\n' && c == 'n' {
					c = '\n'
				} else if d.line == '\n' && c == 'r' {
					c = '\r'
				}
				v = append(v, c)
			case enclosed && c == d.enclose:
				if err := read(); err != nil {
					return false, err
				}
				if d.escape == 0 && c == d.enclose {
					v = append(v, c) // doubled: one enclosing character
					break
				}
				if c != d.field && c != d.line {
					return false, fmt.Errorf("field %d: %q after the closing %q; want a delimiter", n+1, c, d.enclose)
				}
				done(v, raw, true)
				break field
			case !enclosed && (c == d.field || c == d.line):
				done(v, raw, false)
				break field
			default:
				v, raw = append(v, c), append(raw, c)
			}
			if err := read(); err != nil {
				return false, err
			}
		}
		if c == d.line {
			r.n = n
			return true, nil
		}
		if err := read(); err != nil {
			return false, err
		}
	}
}

func (r *textReader) Close() error {
	r.batch.Release()
	err := r.file.Close()
	if r.gz != nil {
		err = errors.Join(r.gz.Close(), err)
	}
	return err
}
