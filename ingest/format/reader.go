package format

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
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
}

// NewReader opens name in fsys, a file of format f.
func NewReader(ctx context.Context, fsys warehouse.FS, name string, f Format, opts ReadOptions) (Reader, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultReadBatchRows
	}
	if f != Parquet && opts.Schema == nil {
		return nil, fmt.Errorf("read %s: a %s file needs the schema it was written with", name, f)
	}
	switch f {
	case Parquet:
		return newParquetReader(ctx, fsys, name, opts)
	case Text:
		return newTextReader(ctx, fsys, name, opts)
	case Avro:
		return newAvroReader(ctx, fsys, name, opts)
	}
	return nil, fmt.Errorf("read %s: unknown format %q", name, f)
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
	pr, err := file.NewParquetReader(io.NewSectionReader(f, 0, f.Size()))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchRows)}, memory.DefaultAllocator)
	if err == nil {
		var rr pqarrow.RecordReader
		if rr, err = fr.GetRecordReader(ctx, nil, nil); err == nil {
			return &parquetReader{name: name, file: f, pr: pr, rr: rr}, nil
		}
	}
	return nil, errors.Join(fmt.Errorf("%s: %w", name, err), pr.Close(), f.Close())
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
