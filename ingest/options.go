package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/hetl/hetl/ingest/format"

	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/warehouse"
)

// TargetMode says what happens when the target directory exists.
type TargetMode string

// The target modes (Sqoop's: an existing target is an error unless
// --delete-target-dir or --append).
const (
	TargetMustNotExist TargetMode = ""
	TargetReplace      TargetMode = "replace"
	TargetAppend       TargetMode = "append"
)

// Granularity of --partition-by.
type Granularity string

// Partition granularities.
const (
	ByHour Granularity = "hour"
	ByDay  Granularity = "day"
)

// ParsePartitionBy parses "col", "col:hour" or "col:day".
func ParsePartitionBy(s string) (col string, g Granularity, err error) {
	col, gs, ok := strings.Cut(s, ":")
	col = strings.TrimSpace(col)
	if col == "" {
		return "", "", fmt.Errorf("--partition-by %q: want COLUMN[:hour|:day]", s)
	}
	if !ok {
		return col, ByHour, nil
	}
	switch Granularity(gs) {
	case ByHour, ByDay:
		return col, Granularity(gs), nil
	}
	return "", "", fmt.Errorf("--partition-by %q: granularity %q: want hour or day", s, gs)
}

// Options describe one import.
type Options struct {
	// Source is the server to read; Passwd set by the caller.
	Source *mysql.Config
	// Table, or Query with the literal token $CONDITIONS where hetl puts
	// each chunk's range.
	Table string
	Query string
	// Columns to import (default: all, generated ones included).
	Columns []string
	// Where is an extra condition on the table's rows.
	Where string
	// SplitBy is the split column (default: the primary key).
	SplitBy string
	// Mappers is the number of parallel readers (Sqoop's -m).
	Mappers int
	// BoundaryQuery returns the MIN and MAX of the split column; hetl then
	// splits that range evenly (Sqoop's behaviour) instead of walking.
	BoundaryQuery string
	// FetchSize is accepted for Sqoop compatibility: rows are always
	// streamed, never buffered, so it only sizes Arrow batches.
	FetchSize int
	// ChunkRows overrides the rows per chunk (0: about 4 chunks per
	// reader).
	ChunkRows int64

	// FS and Dir say where the table goes: Dir is its directory.
	FS     warehouse.FS
	Dir    string
	Mode   TargetMode
	Format format.Format
	Codec  format.Codec
	Text   format.TextOptions
	// RowGroupBytes sizes Parquet row groups (default 128 MiB).
	RowGroupBytes int64

	PartitionBy          string
	PartitionGranularity Granularity

	// PII protects personal data before it is written (--pii).
	PII *PII

	Policies typemap.Policies
	Validate bool

	// Incremental, when set, imports only rows past the last run's
	// check-column value, appending to the target (Sqoop's
	// --incremental).
	Incremental *Incremental

	// Reimport, when set, replaces exactly the given partitions of an
	// existing partitioned target with the source's rows now.
	Reimport *Reimport

	// HBase, when set, sends the rows to an HBase table instead of files
	// (FS and Dir unused).
	HBase *HBaseTarget

	// MergeKey, with Incremental, merges the run into an existing target:
	// each key keeps only its newest row (Sqoop's --merge-key).
	MergeKey []string

	// AllowSchemaChange says what to do when the table's columns changed
	// in a way an append cannot represent (new nullable columns need
	// nothing: the target's schema evolves).
	AllowSchemaChange SchemaChange

	// BatchRows caps the rows in one Arrow batch (default 8192); batches
	// are cut at 8 MiB of values too.
	BatchRows int
	// MaxRetries bounds re-reads of a chunk after a dropped connection.
	MaxRetries int

	// Embedded says the source is hetl's embedded demo server, which
	// cannot give a consistent snapshot.
	Embedded bool

	// BeforePublish, when set, is called after everything is written and
	// validated, just before the publish; an error publishes nothing.
	// Saved jobs check that they still hold their lease here.
	BeforePublish func(ctx context.Context) error

	RunID    string
	Log      *slog.Logger
	Progress Progress
}

// Protector applies --pii rules to record batches; package pii
// implements it.
type Protector interface {
	// Schema is the output schema: dropped columns gone, protected ones
	// marked in their metadata.
	Schema() *arrow.Schema
	// Apply returns a new record (the caller releases both).
	Apply(rec arrow.RecordBatch) (arrow.RecordBatch, error)
}

// PII is the import's personal-data protection.
type PII struct {
	// Actions maps each protected column (lower case) to its action
	// ("hash", "mask", "drop", "scrub"), for the manifest.
	Actions map[string]string
	// New builds the protector for the import's Arrow schema; it fails on
	// a rule naming a column the import does not have.
	New func(schema *arrow.Schema) (Protector, error)
	// Raw protects one raw value for the quarantine file: keep=false
	// drops it, else protected replaces it.
	Raw func(column string, v []byte) (protected *string, keep bool)
	// KeyFingerprint identifies the key without revealing it.
	KeyFingerprint string
}

// Progress receives progress reports; nil is allowed.
type Progress interface {
	// Start is called once with the expected total rows (an estimate).
	Start(table string, estimatedRows int64)
	// Add reports rows and bytes read since the last call.
	Add(rows, bytes int64)
	Done()
}

func (o *Options) setDefaults() {
	if o.Mappers <= 0 {
		o.Mappers = 4
	}
	if o.Format == "" {
		o.Format = format.Parquet
	}
	if o.Codec == "" {
		if o.Format == format.Text {
			o.Codec = format.None
		} else {
			o.Codec = format.Snappy
		}
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 8192
		if o.FetchSize > 0 {
			o.BatchRows = o.FetchSize
		}
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.HBase != nil {
		if o.HBase.Encoding == "" {
			o.HBase.Encoding = HBaseTyped
		}
		if o.HBase.BatchRows <= 0 {
			o.HBase.BatchRows = 500
		}
	}
	if o.Policies.ZeroDates == "" {
		o.Policies.ZeroDates = typemap.ZeroDateNull
	}
	if o.Policies.InvalidText == "" {
		o.Policies.InvalidText = typemap.ZeroDateError
	}
	if o.PartitionBy != "" && o.PartitionGranularity == "" {
		o.PartitionGranularity = ByHour
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// validate checks what can be checked before connecting.
func (o *Options) validate() error {
	var errs []error
	if o.Source == nil {
		errs = append(errs, errors.New("no source connection"))
	}
	if (o.Table == "") == (o.Query == "") {
		errs = append(errs, errors.New("give exactly one of --table and --query"))
	}
	if o.Query != "" {
		if !strings.Contains(o.Query, "$CONDITIONS") {
			errs = append(errs, errors.New("--query must contain the token $CONDITIONS in its WHERE clause (Sqoop's rule), e.g. \"SELECT ... FROM t WHERE $CONDITIONS\""))
		}
		if o.Mappers > 1 && o.SplitBy == "" {
			errs = append(errs, errors.New("--query with more than one mapper needs --split-by (or use -m 1)"))
		}
		if len(o.Columns) > 0 {
			errs = append(errs, errors.New("--columns applies to --table; list the columns in --query instead"))
		}
		if o.Where != "" {
			errs = append(errs, errors.New("--where applies to --table; put the condition in --query instead"))
		}
	}
	if o.HBase != nil {
		errs = append(errs, o.HBase.validate(o)...)
	} else if o.FS == nil || o.Dir == "" {
		errs = append(errs, errors.New("no target directory (--target-dir or --warehouse-dir)"))
	}
	switch o.Format {
	case format.Parquet, format.Text, format.Avro:
		if err := format.Supported(o.Format); err != nil {
			errs = append(errs, err)
		}
	default:
		errs = append(errs, fmt.Errorf("unknown output format %q", o.Format))
	}
	if o.Format == format.Text && (o.Codec == format.Snappy || o.Codec == format.Zstd) {
		errs = append(errs, fmt.Errorf("--as-textfile supports --compression-codec gzip or none, not %s", o.Codec))
	}
	if o.Validate && o.Format != format.Parquet {
		errs = append(errs, fmt.Errorf("--validate reads the files back and supports Parquet output; drop --validate or use --as-parquetfile"))
	}
	if o.Mappers > 64 {
		errs = append(errs, fmt.Errorf("-m %d: at most 64 readers", o.Mappers))
	}
	if inc := o.Incremental; inc != nil {
		switch {
		case inc.Mode != IncrementalAppend && inc.Mode != IncrementalLastModified:
			errs = append(errs, fmt.Errorf("--incremental %q: want append or lastmodified", inc.Mode))
		case inc.CheckColumn == "":
			errs = append(errs, errors.New("--incremental needs --check-column"))
		case o.Query != "":
			errs = append(errs, errors.New("--incremental needs --table; with --query, put the range in the query"))
		case inc.Lag < 0:
			errs = append(errs, fmt.Errorf("--lastmodified-lag %s: want zero or more", inc.Lag))
		}
	}
	if o.AllowSchemaChange != SchemaChangeRefuse && o.AllowSchemaChange != SchemaChangeReplace {
		errs = append(errs, fmt.Errorf("--allow-schema-change %q: want replace", o.AllowSchemaChange))
	}
	if len(o.MergeKey) > 0 {
		switch {
		case o.Incremental == nil:
			errs = append(errs, errors.New("--merge-key merges an incremental run into the target: it needs --incremental"))
		case o.Format != format.Parquet:
			errs = append(errs, fmt.Errorf("--merge-key reads the target back and supports Parquet, not %s", o.Format))
		}
	}
	if r := o.Reimport; r != nil {
		switch {
		case o.Incremental != nil:
			errs = append(errs, errors.New("a reimport reads whole partitions; it takes no incremental range"))
		case o.PartitionBy == "":
			errs = append(errs, errors.New("a reimport replaces partitions: the import needs --partition-by"))
		case len(r.Partitions) == 0:
			errs = append(errs, errors.New("a reimport needs at least one partition"))
		}
		for _, p := range r.Partitions {
			if _, _, err := PartitionRange(p, o.PartitionGranularity); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if o.Policies.InvalidText == typemap.ZeroDateNull {
		errs = append(errs, errors.New("invalid UTF-8 is never turned into NULL: the policy is error or quarantine"))
	}
	return errors.Join(errs...)
}

// targetString names where the import goes, for manifests and plans.
func (o *Options) targetString() string {
	if o.HBase != nil {
		return "hbase:" + o.HBase.Table.String()
	}
	return o.FS.String() + "/" + strings.TrimPrefix(o.Dir, "/")
}
