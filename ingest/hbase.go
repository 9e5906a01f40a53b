package ingest

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/ingest/typemap"
)

// HBaseEncoding is how cell values are written (docs/hbase.md).
type HBaseEncoding string

const (
	// HBaseTyped writes values as HBase's Java Bytes.toBytes would.
	HBaseTyped HBaseEncoding = "typed"
	// HBaseString writes MySQL's text of each value (Sqoop's way).
	HBaseString HBaseEncoding = "string"
)

// HBaseTarget sends an import to an HBase table instead of files.
type HBaseTarget struct {
	// Dial opens a client to the Thrift2 gateway; the import opens one
	// per reader.
	Dial   func(ctx context.Context) (*hbase.Client, error)
	Table  hbase.TableName
	Family string
	// RowKey columns (default: the table's primary key).
	RowKey []string
	// Create the table when it does not exist, pre-split into Salt
	// buckets or Presplit regions from a sample of the keys.
	Create     bool
	FamilySpec hbase.FamilySpec
	Presplit   int
	Salt       int
	Encoding   HBaseEncoding
	// DeleteNulls writes a NULL as a delete of the cell (so a re-import
	// clears a value that became NULL); otherwise NULLs are skipped.
	DeleteNulls bool
	// TimestampColumn, a DATETIME or TIMESTAMP column, gives each row's
	// cell timestamp (milliseconds); default: the run's start, the same
	// for every cell, so a retried batch writes the same cells.
	TimestampColumn string
	// BatchRows per putMultiple (default 500).
	BatchRows int
	Retry     hbase.RetryPolicy
}

func (t *HBaseTarget) validate(o *Options) []error {
	var errs []error
	if t.Dial == nil || t.Table.Name == "" || t.Family == "" {
		errs = append(errs, errors.New("--hbase-table needs a gateway, a table and --column-family"))
	}
	if t.Encoding != HBaseTyped && t.Encoding != HBaseString {
		errs = append(errs, fmt.Errorf("--hbase-encoding %q: want typed or string", t.Encoding))
	}
	if o.PartitionBy != "" || o.Incremental != nil || o.Reimport != nil || len(o.MergeKey) > 0 {
		errs = append(errs, errors.New("an HBase import takes no --partition-by, --incremental, --merge-key or reimport (HBase keeps each row's newest cells by itself)"))
	}
	if o.Policies.ZeroDates == typemap.ZeroDateQuarantine || o.Policies.InvalidText == typemap.ZeroDateQuarantine {
		errs = append(errs, errors.New("an HBase import has no directory for a quarantine: use --zero-dates null|error and --invalid-text error"))
	}
	if t.Salt < 0 || t.Salt > 256 || t.Presplit < 0 || t.Presplit > 1000 {
		errs = append(errs, fmt.Errorf("--hbase-salt-buckets %d / --hbase-presplit %d: want 0-256 and 0-1000", t.Salt, t.Presplit))
	}
	return errs
}

// hbaseJob is the HBase side of an import.
type hbaseJob struct {
	t       *HBaseTarget
	keys    *hbase.RowKeyEncoder
	ts      int64 // cell timestamp when there is no column
	tsCol   int
	clients chan *hbase.Client
	puts    atomic.Int64
	retries atomic.Int64
}

// runHBase imports into HBase: the same plan, snapshot and chunks as a
// file import; each chunk's rows are put as they are read. HBase makes
// every put visible at once, so there is no publish step: a failed or
// killed import leaves the rows it put, and a rerun writes the same cells
// again (same keys, same timestamps), which changes nothing.
func (j *importJob) runHBase(ctx context.Context, started time.Time) (*Manifest, error) {
	o := j.opts
	t := o.HBase
	log := o.Log.With("table", j.name, "run", o.RunID, "hbase_table", t.Table.String())
	keyCols := t.RowKey
	if len(keyCols) == 0 {
		if j.table == nil || len(j.table.PrimaryKey) == 0 {
			return nil, fmt.Errorf("%s has no primary key: give --hbase-row-key", j.name)
		}
		keyCols = j.table.PrimaryKey
	}
	for _, k := range keyCols {
		if j.protected(k) {
			return nil, fmt.Errorf("--hbase-row-key %s: the column is under a --pii rule", k)
		}
	}
	keys, err := hbase.NewRowKeyEncoder(j.outSchema, keyCols, t.Salt)
	if err != nil {
		return nil, err
	}
	hj := &hbaseJob{t: t, keys: keys, ts: started.UnixMilli(), tsCol: -1, clients: make(chan *hbase.Client, o.Mappers+1)}
	if t.TimestampColumn != "" {
		idx := j.outSchema.FieldIndices(t.TimestampColumn)
		if len(idx) != 1 || j.outSchema.Field(idx[0]).Type.ID() != arrow.TIMESTAMP {
			return nil, fmt.Errorf("--hbase-timestamp-column %s: want a DATETIME or TIMESTAMP column of the import", t.TimestampColumn)
		}
		hj.tsCol = idx[0]
	}
	defer func() {
		close(hj.clients)
		for c := range hj.clients {
			c.Close()
		}
	}()
	admin, err := t.Dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to the HBase gateway: %w", err)
	}
	hj.clients <- admin
	if err := j.prepareHBaseTable(ctx, admin, hj, log); err != nil {
		return nil, err
	}
	j.hbase = hj

	rr, err := j.readAll(ctx, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, r := range rr.readers {
			_ = r.close()
		}
	}()
	m := j.manifest(started, nil, rr.stats, rr.snap)
	m.Target = "hbase:" + t.Table.String()
	m.Format = "hbase-" + string(t.Encoding)
	m.Codec, m.Files = "", nil
	for _, f := range rr.files {
		m.Rows += f.Rows
		m.Bytes += f.Bytes
	}
	if o.Validate {
		if err := j.validateHBase(ctx, rr.readers[0], hj, m, rr.stats); err != nil {
			return nil, err
		}
		m.Validated = true
		log.Info("validated", "rows", m.Checksum.Rows, "crc32_sum", m.Checksum.Sum)
	}
	m.FinishedAt = time.Now().UTC()
	m.Seconds = m.FinishedAt.Sub(started).Seconds()
	if n := hj.retries.Load(); n > 0 {
		m.Retries = n
		log.Warn("HBase calls were retried", "retries", n)
	}
	return m, nil
}

// prepareHBaseTable checks the table, or creates it when asked.
func (j *importJob) prepareHBaseTable(ctx context.Context, c *hbase.Client, hj *hbaseJob, log interface{ Info(string, ...any) }) error {
	t := hj.t
	recorded, err := hbase.TableSchema{Family: t.Family, Encoding: string(t.Encoding), RowKey: hj.keyColumns(j), Salt: t.Salt, Schema: j.outSchema}.Marshal()
	if err != nil {
		return err
	}
	fams, err := c.Families(ctx, t.Table)
	switch {
	case errors.Is(err, hbase.ErrTableNotFound) && t.Create:
		spec := hbase.TableSpec{Namespace: t.Table.Namespace, Name: t.Table.Name, Families: []hbase.FamilySpec{t.FamilySpec},
			Attributes: map[string][]byte{hbase.SchemaAttribute: recorded}}
		spec.Families[0].Name = t.Family
		switch {
		case t.Salt > 1:
			spec.SplitKeys = hbase.SaltSplits(t.Salt)
		case t.Presplit > 1:
			if spec.SplitKeys, err = j.sampleSplitKeys(ctx, hj, t.Presplit); err != nil {
				return err
			}
		}
		if err := c.CreateTable(ctx, spec); err != nil {
			return err
		}
		log.Info("created HBase table", "table", t.Table.String(), "regions", len(spec.SplitKeys)+1)
		return nil
	case errors.Is(err, hbase.ErrTableNotFound):
		return fmt.Errorf("HBase table %s does not exist: create it, or pass --hbase-create-table", t.Table)
	case err != nil:
		return err
	}
	found := false
	for _, f := range fams {
		found = found || f == t.Family
	}
	if !found {
		return fmt.Errorf("HBase table %s has no column family %q (it has %s)", t.Table, t.Family, strings.Join(fams, ", "))
	}
	// Record what this import writes, for readers (hetl hbase scan).
	if cur, err := c.TableAttribute(ctx, t.Table, hbase.SchemaAttribute); err != nil || string(cur) != string(recorded) {
		if err := c.SetTableAttribute(ctx, t.Table, hbase.SchemaAttribute, recorded); err != nil {
			return fmt.Errorf("record the schema in HBase table %s: %w", t.Table, err)
		}
	}
	return nil
}

// sampleSplitKeys reads n-1 evenly spaced row keys of the source, encoded
// as the import will encode them.
func (j *importJob) sampleSplitKeys(ctx context.Context, hj *hbaseJob, n int) ([][]byte, error) {
	if j.table == nil {
		return nil, errors.New("--hbase-presplit needs --table")
	}
	est, _, _, _ := j.sizing(ctx)
	if est < int64(n) {
		return nil, nil
	}
	b := typemap.NewBatch(memory.DefaultAllocator, j.maps, j.opts.Policies)
	defer b.Release()
	for k := 1; k < n; k++ {
		q := "SELECT " + j.selectList + " FROM " + j.from
		if j.where != "" {
			q += " WHERE " + j.where
		}
		q += " ORDER BY " + strings.Join(quoteAll(hj.keyColumns(j)), ", ") + fmt.Sprintf(" LIMIT 1 OFFSET %d", est*int64(k)/int64(n))
		rows, err := j.db.QueryContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("sample row keys: %w", err)
		}
		vals := make([]any, len(j.maps))
		raw := make([][]byte, len(j.maps))
		for i := range vals {
			vals[i] = &raw[i]
		}
		if rows.Next() {
			if err := rows.Scan(vals...); err != nil {
				rows.Close()
				return nil, err
			}
			dv := make([]driverValue, len(raw))
			for i, r := range raw {
				if r != nil {
					dv[i] = r
				}
			}
			if err := b.AppendRow(dv); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sample row keys: %w", err)
			}
		}
		rows.Close()
	}
	rec := b.Flush()
	defer rec.Release()
	out := rec
	if j.piiPlan != nil {
		var err error
		if out, err = j.piiPlan.Apply(rec); err != nil {
			return nil, err
		}
		defer out.Release()
	}
	var splits [][]byte
	for r := 0; r < int(out.NumRows()); r++ {
		k, err := hj.keys.Key(out, r, nil)
		if err != nil {
			return nil, err
		}
		if len(splits) == 0 || string(k) != string(splits[len(splits)-1]) {
			splits = append(splits, k)
		}
	}
	return splits, nil
}

func (hj *hbaseJob) keyColumns(j *importJob) []string {
	if len(hj.t.RowKey) > 0 {
		return hj.t.RowKey
	}
	return j.table.PrimaryKey
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = source.MustQuote(n)
	}
	return out
}

// hbaseWriter puts a chunk's record batches; it takes the place of a data
// file (format.Writer).
type hbaseWriter struct {
	j      *importJob
	hj     *hbaseJob
	ctx    context.Context
	c      *hbase.Client
	rows   []hbase.Row
	n      int64
	bytes  int64
	buf    []byte
	closed bool
}

func (j *importJob) newHBaseWriter(ctx context.Context) (*hbaseWriter, error) {
	hj := j.hbase
	var c *hbase.Client
	select {
	case c = <-hj.clients:
	default:
		// A gateway restarting refuses connections for a moment: retry
		// as the puts themselves are retried.
		wait := 200 * time.Millisecond
		for attempt := 1; ; attempt++ {
			var err error
			if c, err = hj.t.Dial(ctx); err == nil {
				break
			}
			if attempt >= 6 || ctx.Err() != nil {
				return nil, fmt.Errorf("connect to the HBase gateway: %w", err)
			}
			hj.retries.Add(1)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
			wait = min(wait*2, 5*time.Second)
		}
	}
	return &hbaseWriter{j: j, hj: hj, ctx: ctx, c: c}, nil
}

func (w *hbaseWriter) Write(rec arrow.RecordBatch) error {
	t := w.hj.t
	schema := rec.Schema()
	for r := 0; r < int(rec.NumRows()); r++ {
		key, err := w.hj.keys.Key(rec, r, nil)
		if err != nil {
			return err
		}
		ts := w.hj.ts
		if w.hj.tsCol >= 0 {
			tc := rec.Column(w.hj.tsCol).(*array.Timestamp)
			if tc.IsNull(r) {
				return fmt.Errorf("--hbase-timestamp-column %s is NULL for row key %x", t.TimestampColumn, key)
			}
			ts = int64(tc.Value(r)) / 1000
		}
		row := hbase.Row{Key: key}
		for c := 0; c < int(rec.NumCols()); c++ {
			f := schema.Field(c)
			col := rec.Column(c)
			if col.IsNull(r) {
				if t.DeleteNulls {
					row.Deletes = append(row.Deletes, hbase.Cell{Family: t.Family, Qualifier: f.Name, Timestamp: ts})
				}
				continue
			}
			var v []byte
			if t.Encoding == HBaseTyped {
				v, err = hbase.AppendTyped(nil, col, r)
			} else {
				v, err = w.j.valueText(nil, f, col, r)
			}
			if err != nil {
				return fmt.Errorf("column %s: %w", f.Name, err)
			}
			w.bytes += int64(len(v))
			row.Cells = append(row.Cells, hbase.Cell{Family: t.Family, Qualifier: f.Name, Value: v, Timestamp: ts})
		}
		w.rows = append(w.rows, row)
		w.n++
		if len(w.rows) >= t.BatchRows {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *hbaseWriter) flush() error {
	if len(w.rows) == 0 {
		return nil
	}
	err := w.c.PutRows(w.ctx, w.hj.t.Table, w.rows, w.hj.t.Retry, func(int, error) { w.hj.retries.Add(1) })
	w.hj.puts.Add(int64(len(w.rows)))
	w.rows = w.rows[:0]
	return err
}

func (w *hbaseWriter) Rows() int64  { return w.n }
func (w *hbaseWriter) Bytes() int64 { return w.bytes }

func (w *hbaseWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flush()
	select {
	case w.hj.clients <- w.c:
	default:
		w.c.Close()
	}
	return err
}

// valueText is the string encoding of an output value: MySQL's text (the
// canonical text the checksum uses: BIT as its number), and the bytes
// themselves for BINARY, BLOB and GEOMETRY (WKB).
func (j *importJob) valueText(dst []byte, f arrow.Field, col arrow.Array, r int) ([]byte, error) {
	if b, ok := col.(*array.Binary); ok {
		return append(dst, b.Value(r)...), nil // bytes stay bytes (BINARY, BLOB, WKB)
	}
	for _, m := range j.maps {
		if m.Column.Name == f.Name && arrow.TypeEqual(m.Field.Type, f.Type) {
			return arrowCanonical(dst, m, col, r)
		}
	}
	return append(dst, col.ValueStr(r)...), nil // a column a --pii rule changed
}

// validateHBase scans the table back and compares its rows' count and
// checksum with MySQL's, like a file import's --validate. The table must
// hold only this import's rows.
func (j *importJob) validateHBase(ctx context.Context, r *reader, hj *hbaseJob, m *Manifest, st chunkStats) error {
	cols := make([]source.Column, len(j.checksumCols))
	for i, c := range j.checksumCols {
		cols[i] = j.maps[c].Column
	}
	var wantRows int64
	var sumText string
	if err := r.conn.QueryRowContext(ctx, checksumSQL(cols, j.opts.Policies.ZeroDates, j.from, j.where)).Scan(&wantRows, &sumText); err != nil {
		return fmt.Errorf("validate: checksum in MySQL: %w", err)
	}
	want, ok := new(big.Int).SetString(strings.TrimSpace(sumText), 10)
	if !ok {
		return fmt.Errorf("validate: MySQL returned checksum %q", sumText)
	}
	c := <-hj.clients
	defer func() { hj.clients <- c }()
	got := rowHasher{}
	var scratch []byte
	err := c.Scan(ctx, hj.t.Table, hbase.ScanOptions{}, hj.t.Retry, func(rows []hbase.Result) error {
		for _, res := range rows {
			cells := map[string][]byte{}
			for _, cell := range res.Cells {
				if cell.Family == hj.t.Family {
					cells[cell.Qualifier] = cell.Value
				}
			}
			got.begin()
			for _, ci := range j.checksumCols {
				mp := j.maps[ci]
				v, ok := cells[mp.Column.Name]
				if !ok {
					got.null()
					continue
				}
				var err error
				if scratch, err = j.cellCanonical(scratch[:0], mp, v, hj.t.Encoding); err != nil {
					return fmt.Errorf("row %x column %s: %w", res.Key, mp.Column.Name, err)
				}
				got.value(scratch)
			}
			got.end()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("validate: scan %s: %w", hj.t.Table, err)
	}
	m.Checksum.Rows, m.Checksum.Sum = got.Rows, got.Sum
	if got.Rows != wantRows || want.Cmp(new(big.Int).SetUint64(got.Sum)) != 0 {
		return fmt.Errorf("%w: HBase table %s has %d rows with checksum %d, MySQL has %d rows with checksum %s (the table must hold only this import's rows)",
			ErrValidation, hj.t.Table, got.Rows, got.Sum, wantRows, want)
	}
	return nil
}

// cellCanonical decodes a cell as column m and renders it as the
// checksum does.
func (j *importJob) cellCanonical(dst []byte, m typemap.Mapping, v []byte, enc HBaseEncoding) ([]byte, error) {
	var arr arrow.Array
	if enc == HBaseString && (m.Kind == typemap.KindBinary || m.Kind == typemap.KindGeometry) {
		bb := array.NewBinaryBuilder(memory.DefaultAllocator, arrow.BinaryTypes.Binary)
		defer bb.Release()
		bb.Append(v)
		arr = bb.NewArray()
		defer arr.Release()
		return arrowCanonical(dst, m, arr, 0)
	}
	if enc == HBaseString && m.Kind == typemap.KindBit {
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("BIT value %q", v)
		}
		return strconv.AppendUint(dst, n, 10), nil
	}
	if enc == HBaseString {
		b := typemap.NewBatch(memory.DefaultAllocator, []typemap.Mapping{m}, j.opts.Policies)
		defer b.Release()
		if err := b.AppendRow([]driverValue{v}); err != nil {
			return nil, err
		}
		rec := b.Flush()
		defer rec.Release()
		arr = rec.Column(0)
		return arrowCanonical(dst, m, arr, 0)
	}
	bld := array.NewBuilder(memory.DefaultAllocator, m.Field.Type)
	defer bld.Release()
	if err := hbase.AppendDecoded(bld, v); err != nil {
		return nil, err
	}
	arr = bld.NewArray()
	defer arr.Release()
	return arrowCanonical(dst, m, arr, 0)
}

// driverValue is a value as the MySQL driver hands it to typemap.
type driverValue = driver.Value
