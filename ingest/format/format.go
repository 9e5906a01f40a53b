package format

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/meta"
	"github.com/hetl/hetl/warehouse"
)

// Field metadata keys the importer sets on every Arrow field (see package
// meta). Writers keep them in the file (Parquet key-value and Arrow schema
// metadata, Avro field properties).
const (
	MetaMySQLType = meta.MySQLType
	MetaFSP       = meta.FSP
	MetaLogical   = meta.Logical
)

// Format is an output file format.
type Format string

// The formats hetl writes.
const (
	Parquet Format = "parquet"
	Text    Format = "text"
	Avro    Format = "avro"
)

// Extension is the file name suffix of the format (with compression where
// the format compresses the whole file).
func (f Format) Extension(codec Codec) string {
	switch f {
	case Parquet:
		return ".parquet"
	case Avro:
		return ".avro"
	default:
		if codec == Gzip {
			return ".txt.gz"
		}
		return ".txt"
	}
}

// Codec is a compression codec.
type Codec string

// The codecs hetl writes.
const (
	Snappy Codec = "snappy"
	Zstd   Codec = "zstd"
	Gzip   Codec = "gzip"
	None   Codec = "none"
)

// ParseCodec accepts snappy, zstd, gzip and none (also "uncompressed").
func ParseCodec(s string) (Codec, error) {
	switch s {
	case "snappy", "zstd", "gzip", "none":
		return Codec(s), nil
	case "uncompressed", "":
		return None, nil
	}
	return "", fmt.Errorf("compression codec %q: want snappy, zstd, gzip or none", s)
}

// Options tune a writer.
type Options struct {
	Codec Codec
	// RowGroupBytes is the uncompressed size a Parquet row group grows to
	// before it is flushed (default 128 MiB).
	RowGroupBytes int64
	// Text delimiters; see TextOptions.
	Text TextOptions
	// FileMetadata is written into the file's key-value metadata (Parquet)
	// or header metadata (Avro); text files have none.
	FileMetadata map[string]string
}

// TextOptions are Sqoop's text-output options. The zero value is Sqoop's
// default: fields terminated by ',', lines by '\n', no escaping or
// enclosing, NULL written as "null".
type TextOptions struct {
	FieldsTerminatedBy   byte
	LinesTerminatedBy    byte
	EscapedBy            byte // 0: none
	EnclosedBy           byte // 0: none; every field is enclosed
	OptionallyEnclosedBy bool // enclose only fields that need it (EnclosedBy is the character)
	NullString           *string
	NullNonString        *string
}

// Writer writes Arrow record batches into one file. Close flushes and
// closes the file; after an error from Write or Close the file is garbage.
type Writer interface {
	Write(rec arrow.RecordBatch) error
	// Rows and Bytes are what was written so far (Bytes: to the file,
	// compressed, as far as the writer knows before Close).
	Rows() int64
	Bytes() int64
	Close() error
}

// NewWriter creates name in fsys and returns a writer of the format for
// records of schema.
func NewWriter(ctx context.Context, fsys warehouse.FS, name string, f Format, schema *arrow.Schema, opts Options) (Writer, error) {
	switch f {
	case Parquet:
		return newParquetWriter(ctx, fsys, name, schema, opts)
	case Text:
		return newTextWriter(ctx, fsys, name, schema, opts)
	case Avro:
		return newAvroWriter(ctx, fsys, name, schema, opts)
	}
	return nil, fmt.Errorf("unknown output format %q", f)
}

// Supported says whether the format can be written.
func Supported(f Format) error {
	switch f {
	case Parquet, Text, Avro:
		return nil
	}
	return fmt.Errorf("unknown output format %q", f)
}
