package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/split"
	"github.com/hetl/hetl/ingest/typemap"
)

// importJob is one import's state.
type importJob struct {
	opts      *Options
	db        *sql.DB
	table     *source.Table
	name      string // table name, or the target's base name for --query
	maps      []typemap.Mapping
	schema    *arrow.Schema
	outSchema *arrow.Schema
	// outSchemaEnc is outSchema as the manifest records it.
	outSchemaEnc string
	piiPlan      Protector
	from         string
	// where is --where plus an incremental run's range: every query of
	// the import (count, split walk, chunks, validation) uses it.
	where      string
	incr       *IncrementalState
	selectList string
	key        split.Key
	partCol    int
	tmpDir     string
	// keepTmp is set once a multi-step publish has begun: the next run
	// finishes it from the temporary directory.
	keepTmp bool
	// schemaReset: the schema changed and the run replaces the target
	// whole (--allow-schema-change replace).
	schemaReset bool
	// merge: publish with publishMerge (--merge-key into an existing target).
	merge bool
	// hbase is set for an import into HBase.
	hbase *hbaseJob
	// checksumCols are the mapping indexes validation covers: every
	// column not changed by a --pii rule.
	checksumCols []int

	mu   sync.Mutex
	seqs map[string]int
}

// NewRunID returns a sortable, unique run id: UTC time plus randomness.
func NewRunID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (j *importJob) nextSeq(key string, chunk int) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	k := fmt.Sprintf("%s|%d", key, chunk)
	n := j.seqs[k]
	j.seqs[k] = n + 1
	return n
}

// fileName names a chunk's file: unique per run, chunk, attempt and
// sequence, so an append never collides with earlier runs.
func (j *importJob) fileName(partKey string, chunk, seq, attempt int) string {
	base := fmt.Sprintf("part-%s-c%05d-%03d", j.opts.RunID, chunk, seq)
	if attempt > 0 {
		base += fmt.Sprintf("-a%d", attempt)
	}
	base += j.opts.Format.Extension(j.opts.Codec)
	return path.Join(j.tmpDir, partKey, base)
}

func (j *importJob) formatOptions() format.Options {
	return format.Options{
		Codec:         j.opts.Codec,
		RowGroupBytes: j.rowGroupBytes(),
		Text:          j.opts.Text,
		FileMetadata: map[string]string{
			"hetl.run_id": j.opts.RunID,
			"hetl.source": j.name,
		},
	}
}

// rowGroupBytes keeps the buffered row groups of all open writers within
// a memory budget: readers × open partitions × row group.
func (j *importJob) rowGroupBytes() int64 {
	const budget = 96 << 20
	rg := j.opts.RowGroupBytes
	if rg <= 0 {
		rg = format.DefaultRowGroupBytes
	}
	open := int64(j.opts.Mappers)
	if j.partCol >= 0 {
		open *= 2 // most chunks touch one or two hours at a time
	}
	if limit := budget / open; rg > limit && j.opts.RowGroupBytes <= 0 {
		rg = limit
	}
	return rg
}

// protect applies the PII rule of a column to a raw value for the
// quarantine file: keep=false drops it; protected is the replacement.
func (j *importJob) protect(column string, v []byte) (protected *string, keep bool) {
	if !j.protected(column) {
		return nil, true
	}
	return j.opts.PII.Raw(column, v)
}

// protected reports whether a --pii rule covers the column.
func (j *importJob) protected(column string) bool {
	if j.opts.PII == nil {
		return false
	}
	_, ok := j.opts.PII.Actions[strings.ToLower(column)]
	return ok
}

// plan reads metadata and decides columns, types and the split key.
func (j *importJob) plan(ctx context.Context) error {
	o := j.opts
	j.where = o.Where
	var cols []source.Column
	if o.Table != "" {
		schema, name := "", o.Table
		if a, b, ok := strings.Cut(o.Table, "."); ok {
			schema, name = a, b
		}
		t, err := source.DescribeTable(ctx, j.db, schema, name)
		if err != nil {
			return err
		}
		j.table, j.name = t, t.Name
		j.from = t.QualifiedName()
		if len(o.Columns) == 0 {
			cols = t.Columns
		} else {
			seen := map[string]bool{}
			for _, name := range o.Columns {
				c, ok := t.Column(strings.TrimSpace(name))
				if !ok {
					return fmt.Errorf("--columns: %s.%s has no column %q: %w", t.Schema, t.Name, name, source.ErrNoSuchColumn)
				}
				if seen[strings.ToLower(c.Name)] {
					return fmt.Errorf("--columns: %s listed twice", c.Name)
				}
				seen[strings.ToLower(c.Name)] = true
				cols = append(cols, c)
			}
		}
	} else {
		q := strings.ReplaceAll(o.Query, "$CONDITIONS", "(1 = 0)")
		rows, err := j.db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("--query: %w", err)
		}
		cols, err = source.ColumnsOf(rows)
		rows.Close()
		if err != nil {
			return fmt.Errorf("--query: read result columns: %w", err)
		}
		j.name = path.Base(o.Dir)
		j.from = "(" + strings.ReplaceAll(o.Query, "$CONDITIONS", "1 = 1") + ") AS hetl_q"
		seen := map[string]bool{}
		for _, c := range cols {
			if seen[strings.ToLower(c.Name)] {
				return fmt.Errorf("--query returns two columns named %s; give them distinct aliases", c.Name)
			}
			seen[strings.ToLower(c.Name)] = true
		}
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		m, err := typemap.Plan(c, o.Policies.ZeroDates)
		if err != nil {
			return err
		}
		j.maps = append(j.maps, m)
		quoted[i] = selectExpr(c)
		if c.DataType == "float" && o.Query != "" {
			o.Log.Warn("--query returns a FLOAT column; MySQL prints FLOAT with 6 significant digits, so select CAST(col AS DOUBLE) to keep every digit", "column", c.Name)
		}
	}
	j.selectList = strings.Join(quoted, ", ")
	j.schema = typemap.Schema(j.maps, nil)

	// PII rules.
	j.outSchema = j.schema
	if o.PII != nil {
		p, err := o.PII.New(j.schema)
		if err != nil {
			return err
		}
		j.piiPlan, j.outSchema = p, p.Schema()
	}
	enc, err := encodeSchema(j.outSchema)
	if err != nil {
		return err
	}
	j.outSchemaEnc = enc
	for i, m := range j.maps {
		if !j.protected(m.Column.Name) {
			j.checksumCols = append(j.checksumCols, i)
		}
	}

	for _, k := range o.MergeKey {
		found := false
		for _, m := range j.maps {
			found = found || strings.EqualFold(m.Column.Name, k)
		}
		if !found {
			return fmt.Errorf("--merge-key %s: not a column of the import: %w", k, source.ErrNoSuchColumn)
		}
		if j.protected(k) {
			return fmt.Errorf("--merge-key %s: the column is under a --pii rule", k)
		}
	}

	// Partition column.
	j.partCol = -1
	if o.PartitionBy != "" {
		for i, m := range j.maps {
			if strings.EqualFold(m.Column.Name, o.PartitionBy) {
				j.partCol = i
			}
		}
		if j.partCol < 0 {
			return fmt.Errorf("--partition-by %s: not a column of the import: %w", o.PartitionBy, source.ErrNoSuchColumn)
		}
		switch dt := j.maps[j.partCol].Column.DataType; {
		case dt == "datetime" || dt == "timestamp":
		case dt == "date" && o.PartitionGranularity == ByDay:
		default:
			return fmt.Errorf("--partition-by %s: column type %s cannot give an %s (want DATETIME or TIMESTAMP, or DATE with :day)", o.PartitionBy, j.maps[j.partCol].Column.ColumnType, o.PartitionGranularity)
		}
		if j.protected(o.PartitionBy) {
			return fmt.Errorf("--partition-by %s: the column is under a --pii rule", o.PartitionBy)
		}
	}

	// Split key.
	switch {
	case o.SplitBy != "":
		var c source.Column
		found := false
		if j.table != nil {
			c, found = j.table.Column(o.SplitBy)
		} else {
			for _, m := range j.maps {
				if strings.EqualFold(m.Column.Name, o.SplitBy) {
					c, found = m.Column, true
				}
			}
		}
		if !found {
			return fmt.Errorf("--split-by %s: no such column: %w", o.SplitBy, source.ErrNoSuchColumn)
		}
		switch c.DataType {
		case "float", "double", "real", "json", "set", "geometry", "bit":
			return fmt.Errorf("--split-by %s: cannot split on a %s column", c.Name, c.ColumnType)
		}
		j.key = split.Key{Columns: []source.Column{c}}
	case j.table != nil && len(j.table.PrimaryKey) > 0:
		for _, name := range j.table.PrimaryKey {
			c, _ := j.table.Column(name)
			j.key.Columns = append(j.key.Columns, c)
		}
	}
	return nil
}

// selectExpr reads a column so that its text is exact: MySQL prints FLOAT
// with 6 significant digits (1234567 becomes 1234570), but the same value
// widened to DOUBLE prints every digit, and narrowing it back is exact.
func selectExpr(c source.Column) string {
	q := source.MustQuote(c.Name)
	if c.DataType == "float" {
		return "CAST(" + q + " AS DOUBLE)"
	}
	return q
}

// Fingerprint identifies the output schema: the same columns, types and
// metadata give the same fingerprint.
func Fingerprint(s *arrow.Schema) string {
	h := sha256.New()
	for _, f := range s.Fields() {
		fmt.Fprintf(h, "%s\x00%s\x00%t\x00", f.Name, f.Type, f.Nullable)
		if v, ok := f.Metadata.GetValue(format.MetaMySQLType); ok {
			fmt.Fprintf(h, "%s\x00", v)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// exists reports whether name exists in the target filesystem.
func (j *importJob) exists(ctx context.Context, name string) (bool, error) {
	_, err := j.opts.FS.Stat(ctx, name)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}
