package format

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/util"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hetl/hetl/warehouse"
)

// DefaultRowGroupBytes is the uncompressed size of a Parquet row group: big
// enough for efficient scans in Hive, Trino and Spark, small enough that a
// few writers fit in hetl's memory budget.
const DefaultRowGroupBytes = 128 << 20

// parquetWriter buffers a row group in memory (Parquet writes a whole
// column chunk before the next one) and flushes it once its uncompressed
// size reaches the target.
type parquetWriter struct {
	file    warehouse.Writer
	counter *countingWriter
	fw      *pqarrow.FileWriter // nil until the first rows arrive
	target  int64
	rgBytes int64
	rows    int64
	closed  bool

	schema *arrow.Schema
	codec  compress.Compression
	meta   map[string]string
	name   string
}

func parquetCodec(c Codec) (compress.Compression, error) {
	switch c {
	case Snappy, "":
		return compress.Codecs.Snappy, nil
	case Zstd:
		return compress.Codecs.Zstd, nil
	case Gzip:
		return compress.Codecs.Gzip, nil
	case None:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("parquet: unknown compression codec %q", c)
}

func newParquetWriter(ctx context.Context, fsys warehouse.FS, name string, schema *arrow.Schema, opts Options) (Writer, error) {
	codec, err := parquetCodec(opts.Codec)
	if err != nil {
		return nil, err
	}
	target := opts.RowGroupBytes
	if target <= 0 {
		target = DefaultRowGroupBytes
	}
	file, err := fsys.Create(ctx, name, warehouse.CreateOptions{})
	if err != nil {
		return nil, err
	}
	w := &parquetWriter{file: file, counter: &countingWriter{w: file}, target: target,
		schema: schema, codec: codec, meta: opts.FileMetadata, name: name}
	return w, nil
}

// open starts the Parquet file once the first rows are known: they decide
// which columns get dictionary encoding.
func (w *parquetWriter) open(first arrow.RecordBatch) error {
	props := []parquet.WriterProperty{
		parquet.WithCompression(w.codec),
		parquet.WithDictionaryDefault(true),
		// Row groups are cut by size below, not by a row count.
		parquet.WithMaxRowGroupLength(1 << 40),
		parquet.WithCreatedBy("hetl"),
		parquet.WithStats(true),
	}
	for i, f := range w.schema.Fields() {
		if first != nil && !dictionaryPays(first.Column(i)) {
			props = append(props, parquet.WithDictionaryFor(f.Name, false))
		}
	}
	// Storing the Arrow schema keeps time zones, field metadata and
	// unsigned types exact for Arrow-based readers.
	arrowProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema())
	fw, err := pqarrow.NewFileWriter(w.schema, w.counter, parquet.NewWriterProperties(props...), arrowProps)
	if err != nil {
		return fmt.Errorf("parquet writer for %s: %w", w.name, err)
	}
	w.fw = fw
	keys := make([]string, 0, len(w.meta))
	for k := range w.meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fw.AppendKeyValueMetadata(k, w.meta[k]); err != nil {
			return err
		}
	}
	// The MySQL type of each column, for readers that ignore the stored
	// Arrow schema.
	for _, f := range w.schema.Fields() {
		if v, ok := f.Metadata.GetValue(MetaMySQLType); ok {
			if err := fw.AppendKeyValueMetadata(MetaMySQLType+"."+f.Name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *parquetWriter) Write(rec arrow.RecordBatch) error {
	if rec.NumRows() == 0 {
		return nil
	}
	if w.fw == nil {
		if err := w.open(rec); err != nil {
			return err
		}
	}
	if w.rgBytes > 0 && w.rgBytes >= w.target {
		if err := w.fw.NewBufferedRowGroupChecked(); err != nil {
			return fmt.Errorf("parquet: start row group: %w", err)
		}
		w.rgBytes = 0
	}
	if err := w.fw.WriteBuffered(rec); err != nil {
		return fmt.Errorf("parquet: write rows: %w", err)
	}
	w.rgBytes += util.TotalRecordSize(rec)
	w.rows += rec.NumRows()
	return nil
}

func (w *parquetWriter) Rows() int64 { return w.rows }

func (w *parquetWriter) Bytes() int64 {
	if w.fw == nil {
		return w.counter.n
	}
	return w.counter.n + w.fw.RowGroupTotalCompressedBytes()
}

func (w *parquetWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.fw == nil {
		// No rows: still a valid, empty Parquet file with the schema.
		if err := w.open(nil); err != nil {
			return errors.Join(err, w.file.Close())
		}
	}
	err := w.fw.Close() // also closes the sink: counter → file
	if err != nil {
		return fmt.Errorf("parquet: finish file: %w", err)
	}
	return nil
}

// countingWriter counts bytes on their way to the file and closes it.
type countingWriter struct {
	w io.WriteCloser
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) Close() error { return c.w.Close() }
