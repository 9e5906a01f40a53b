package export

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/meta"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/warehouse"
)

// UpdateMode is Sqoop's --update-mode.
type UpdateMode string

const (
	// UpdateOnly updates the rows whose key exists and ignores the others.
	UpdateOnly UpdateMode = "updateonly"
	// AllowInsert updates existing keys and inserts new ones (an upsert).
	AllowInsert UpdateMode = "allowinsert"
)

// Options describe one export.
type Options struct {
	// Target is the MySQL server (Passwd set); Table is table or db.table.
	Target *mysql.Config
	Table  string
	// FS and Dir: the published directory to read.
	FS  warehouse.FS
	Dir string
	// Columns to export (default: every column of the files).
	Columns []string
	// UpdateKey, with UpdateMode, updates rows by key instead of inserting.
	UpdateKey  []string
	UpdateMode UpdateMode
	// StagingTable receives the rows first; one transaction then moves
	// them into Table. ClearStaging empties it first.
	StagingTable string
	ClearStaging bool
	// Partitions limit the export to these partition directories
	// (dt=YYYY-MM-DD/hr=HH); nil exports everything.
	Partitions []string
	// From and To (UTC, [From, To)) limit the export to the partitions
	// of those hours or days.
	From, To time.Time
	// InputText overrides the delimiters of a text directory, which its
	// manifest records (Sqoop's --input-* options); zero fields keep the
	// manifest's.
	InputText format.TextOptions
	Writers   int // parallel writers (default 4)
	BatchRows int // rows per statement (default 500)
	Log       *slog.Logger
	Progress  ingest.Progress
}

// Result says what was exported.
type Result struct {
	Table   string
	Rows    int64
	Files   int
	Seconds float64
}

// batchBytes caps one statement's values, below MySQL's default
// max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8).
const batchBytes = 4 << 20

func (o *Options) check() error {
	var errs []error
	if o.Target == nil || o.Table == "" {
		errs = append(errs, errors.New("export needs a connection and --table"))
	}
	if o.FS == nil || o.Dir == "" {
		errs = append(errs, errors.New("export needs --export-dir"))
	}
	switch {
	case o.UpdateMode != "" && o.UpdateMode != UpdateOnly && o.UpdateMode != AllowInsert:
		errs = append(errs, fmt.Errorf("--update-mode %q: want updateonly or allowinsert", o.UpdateMode))
	case o.UpdateMode != "" && len(o.UpdateKey) == 0:
		errs = append(errs, errors.New("--update-mode needs --update-key"))
	}
	if o.StagingTable != "" && len(o.UpdateKey) > 0 {
		errs = append(errs, errors.New("--staging-table cannot be used with --update-key (as in Sqoop): an update is not a move of new rows"))
	}
	if o.ClearStaging && o.StagingTable == "" {
		errs = append(errs, errors.New("--clear-staging-table needs --staging-table"))
	}
	if o.Writers <= 0 {
		o.Writers = 4
	}
	if o.Writers > 64 {
		errs = append(errs, fmt.Errorf("-m %d: at most 64 writers", o.Writers))
	}
	if o.BatchRows <= 0 {
		o.BatchRows = 500
	}
	if len(o.UpdateKey) > 0 && o.UpdateMode == "" {
		o.UpdateMode = UpdateOnly // Sqoop's default
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return errors.Join(errs...)
}

// column is one exported column: its field in the files and how its
// values go to MySQL.
type column struct {
	name   string // the target's spelling
	field  arrow.Field
	text   func(arrow.Array) format.ValueText
	bytes  bool // binary: sent as bytes
	bit    bool // BIT: sent as a number (text would be taken as bytes)
	wkb    bool // GEOMETRY: ST_GeomFromWKB(?)
	isKey  bool
	quoted string
}

// Run exports.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	started := time.Now()
	m, err := ingest.ReadManifest(ctx, o.FS, o.Dir)
	if err != nil {
		return nil, fmt.Errorf("read the manifest of %s (export reads only directories hetl published, with their _SUCCESS): %w", o.Dir, err)
	}
	rd := reading{m: m, format: format.Format(m.Format), opts: format.ReadOptions{BatchRows: 4096}}
	if err := format.Supported(rd.format); err != nil {
		return nil, fmt.Errorf("%s: %w", o.Dir, err)
	}
	if rd.format == format.Text {
		if rd.opts.Text, err = textOptions(m, o.InputText, o.Log); err != nil {
			return nil, err
		}
	}
	parts := o.Partitions
	if !o.From.IsZero() || !o.To.IsZero() {
		if parts, err = partitionsBetween(m, o.From, o.To); err != nil {
			return nil, err
		}
	}
	files, err := selectFiles(m, parts)
	if err != nil {
		return nil, err
	}
	db, err := source.Open(ctx, o.Target)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(o.Writers + 2)
	schemaName, tableName := "", o.Table
	if a, b, ok := strings.Cut(o.Table, "."); ok {
		schemaName, tableName = a, b
	}
	target, err := source.DescribeTable(ctx, db, schemaName, tableName)
	if err != nil {
		return nil, err
	}
	res := &Result{Table: target.QualifiedName(), Files: len(files)}
	if len(files) == 0 {
		res.Seconds = time.Since(started).Seconds()
		return res, nil
	}
	schema, err := rd.exportSchema(ctx, o.FS, path.Join(o.Dir, files[0].Path))
	if err != nil {
		return nil, err
	}
	cols, err := planColumns(schema, target, o.Columns, o.UpdateKey)
	if err != nil {
		return nil, err
	}
	if o.UpdateMode == AllowInsert {
		if err := checkUniqueKey(ctx, db, target, o.UpdateKey); err != nil {
			return nil, err
		}
	}
	into := target
	if o.StagingTable != "" {
		if into, err = prepareStaging(ctx, db, schemaName, o.StagingTable, cols, o.ClearStaging); err != nil {
			return nil, err
		}
	}
	if o.Progress != nil {
		var total int64
		for _, f := range files {
			total += f.Rows
		}
		o.Progress.Start(target.Name, total)
		defer o.Progress.Done()
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	queue := make(chan ingest.ManifestFile)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		rows  int64
		first error
	)
	for range min(o.Writers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &writer{o: &o, db: db, into: into, cols: cols, rd: &rd}
			for f := range queue {
				n, err := w.file(ctx, f)
				mu.Lock()
				rows += n
				if err != nil && first == nil {
					first = fmt.Errorf("export %s: %w", f.Path, err)
					cancel(first)
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		select {
		case queue <- f:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(queue)
	wg.Wait()
	if first != nil {
		return nil, first
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if o.StagingTable != "" {
		if err := moveFromStaging(ctx, db, into, target, cols); err != nil {
			return nil, err
		}
	}
	res.Rows = rows
	res.Seconds = time.Since(started).Seconds()
	return res, nil
}

// partitionsBetween lists the target's partitions whose time range lies
// in [from, to).
func partitionsBetween(m *ingest.Manifest, from, to time.Time) ([]string, error) {
	if m.PartitionBy == "" {
		return nil, errors.New("--from/--to: the export directory is not partitioned")
	}
	if !to.After(from) {
		return nil, fmt.Errorf("--to %s is not after --from %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range m.Files {
		p := path.Dir(f.Path)
		if seen[p] {
			continue
		}
		seen[p] = true
		g := ingest.ByHour
		if !strings.Contains(p, "/hr=") {
			g = ingest.ByDay
		}
		lo, hi, err := ingest.PartitionRange(p, g)
		if err != nil {
			continue // Hive's default partition (NULL times) is in no range
		}
		if !lo.Before(from) && !hi.After(to) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no partition of the export directory lies in [%s, %s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	sort.Strings(out)
	return out, nil
}

// selectFiles keeps the files of the chosen partitions.
func selectFiles(m *ingest.Manifest, partitions []string) ([]ingest.ManifestFile, error) {
	if len(partitions) == 0 {
		return m.Files, nil
	}
	want := map[string]bool{}
	for _, p := range partitions {
		want[strings.Trim(p, "/")] = false
	}
	var out []ingest.ManifestFile
	for _, f := range m.Files {
		p := path.Dir(f.Path)
		if _, ok := want[p]; ok {
			out = append(out, f)
			want[p] = true
		}
	}
	if m.PartitionBy == "" {
		return nil, errors.New("--partition/--from/--to: the export directory is not partitioned")
	}
	var missing []string
	for p, found := range want {
		if !found {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return nil, fmt.Errorf("no data in partition(s) %s of the export directory", strings.Join(missing, ", "))
	}
	return out, nil
}

// reading is how the directory's files are read.
type reading struct {
	m      *ingest.Manifest
	format format.Format
	opts   format.ReadOptions
}

// open opens one file with the schema the manifest records for it (a
// Parquet file carries its own; older manifests record none).
func (rd *reading) open(ctx context.Context, fsys warehouse.FS, dir string, f ingest.ManifestFile) (format.Reader, error) {
	opts := rd.opts
	if rd.format != format.Parquet || f.Schema != "" {
		s, err := rd.m.FileSchema(f)
		if err != nil {
			return nil, err
		}
		opts.Schema = s
	}
	return format.NewReader(ctx, fsys, path.Join(dir, f.Path), rd.format, opts)
}

// exportSchema is the directory's newest schema: the export's columns.
func (rd *reading) exportSchema(ctx context.Context, fsys warehouse.FS, first string) (*arrow.Schema, error) {
	if _, ok := rd.m.Schemas[rd.m.SchemaFingerprint]; ok {
		return rd.m.FileSchema(ingest.ManifestFile{Path: "the directory", Schema: rd.m.SchemaFingerprint})
	}
	if rd.format != format.Parquet {
		return nil, fmt.Errorf("the manifest of the export directory does not record its schema (imported by an older hetl): re-import the table to export its %s files", rd.format)
	}
	r, err := format.NewReader(ctx, fsys, first, format.Parquet, rd.opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.Schema(), nil
}

// textOptions are the delimiters the manifest records, with the
// --input-* options the user gave in their place.
func textOptions(m *ingest.Manifest, in format.TextOptions, log *slog.Logger) (format.TextOptions, error) {
	var t format.TextOptions
	if m.Text != nil {
		var err error
		if t, err = m.Text.Options(); err != nil {
			return t, err
		}
	}
	given := in != (format.TextOptions{})
	if in.FieldsTerminatedBy != 0 {
		t.FieldsTerminatedBy = in.FieldsTerminatedBy
	}
	if in.LinesTerminatedBy != 0 {
		t.LinesTerminatedBy = in.LinesTerminatedBy
	}
	if in.EscapedBy != 0 {
		t.EscapedBy = in.EscapedBy
	}
	if in.EnclosedBy != 0 {
		t.EnclosedBy, t.OptionallyEnclosedBy = in.EnclosedBy, in.OptionallyEnclosedBy
	}
	if in.NullString != nil {
		t.NullString = in.NullString
	}
	if in.NullNonString != nil {
		t.NullNonString = in.NullNonString
	}
	if given && m.Text != nil && !m.Text.Equal(ingest.NewTextLayout(t)) {
		log.Warn("the --input-* options differ from the delimiters the directory was written with; reading with the options given",
			"written", *m.Text, "reading", *ingest.NewTextLayout(t))
	}
	return t, nil
}

// planColumns matches the files' columns with the target's by name.
// Generated target columns are left out: MySQL computes them.
func planColumns(fs *arrow.Schema, t *source.Table, want, key []string) ([]column, error) {
	names := want
	if len(names) == 0 {
		for _, f := range fs.Fields() {
			if c, ok := t.Column(f.Name); ok && c.Generated {
				continue
			}
			names = append(names, f.Name)
		}
	}
	var cols []column
	seen := map[string]bool{}
	for _, n := range names {
		idx := -1
		for i, f := range fs.Fields() {
			if strings.EqualFold(f.Name, n) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, fmt.Errorf("--columns: the export directory has no column %q", n)
		}
		tc, ok := t.Column(n)
		if !ok {
			return nil, fmt.Errorf("table %s has no column %q (of the export directory); choose the columns with --columns", t.QualifiedName(), n)
		}
		if tc.Generated {
			return nil, fmt.Errorf("column %s of %s is generated: MySQL computes it; leave it out of --columns", tc.Name, t.QualifiedName())
		}
		if seen[strings.ToLower(tc.Name)] {
			return nil, fmt.Errorf("--columns: %s listed twice", tc.Name)
		}
		seen[strings.ToLower(tc.Name)] = true
		f := fs.Field(idx)
		text, err := format.MySQLText(f)
		if err != nil {
			return nil, err
		}
		if f.Type.ID() == arrow.FLOAT32 {
			// The FLOAT's exact value as a double: its shortest 32-bit text
			// (3.4028235e38) can lie just outside FLOAT's range as MySQL
			// parses it.
			text = func(a arrow.Array) format.ValueText {
				v := a.(*array.Float32)
				return func(dst []byte, i int) ([]byte, error) {
					return strconv.AppendFloat(dst, float64(v.Value(i)), 'g', -1, 64), nil
				}
			}
		}
		mt, _ := f.Metadata.GetValue(meta.MySQLType)
		lg, _ := f.Metadata.GetValue(meta.Logical)
		c := column{name: tc.Name, field: f, text: text, quoted: source.MustQuote(tc.Name),
			bytes: f.Type.ID() == arrow.BINARY, bit: strings.HasPrefix(strings.ToLower(mt), "bit"), wkb: lg == "wkb"}
		cols = append(cols, c)
	}
	for _, k := range key {
		found := false
		for i := range cols {
			if strings.EqualFold(cols[i].name, k) {
				cols[i].isKey, found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("--update-key %s: not among the exported columns", k)
		}
	}
	return cols, nil
}

// checkUniqueKey: an upsert needs the key to be a primary or unique key.
func checkUniqueKey(ctx context.Context, db *sql.DB, t *source.Table, key []string) error {
	rows, err := db.QueryContext(ctx, `SELECT INDEX_NAME, GROUP_CONCAT(LOWER(COLUMN_NAME) ORDER BY SEQ_IN_INDEX)
		FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 GROUP BY INDEX_NAME`, t.Schema, t.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	want := make([]string, len(key))
	for i, k := range key {
		want[i] = strings.ToLower(k)
	}
	slices.Sort(want)
	for rows.Next() {
		var name, list string
		if err := rows.Scan(&name, &list); err != nil {
			return err
		}
		got := strings.Split(list, ",")
		slices.Sort(got)
		if slices.Equal(got, want) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return fmt.Errorf("--update-mode allowinsert: (%s) is not a primary or unique key of %s, so MySQL could not tell an update from an insert", strings.Join(key, ", "), t.QualifiedName())
}

func prepareStaging(ctx context.Context, db *sql.DB, schema, name string, cols []column, clear bool) (*source.Table, error) {
	st, err := source.DescribeTable(ctx, db, schema, name)
	if err != nil {
		return nil, fmt.Errorf("--staging-table: %w", err)
	}
	for _, c := range cols {
		if _, ok := st.Column(c.name); !ok {
			return nil, fmt.Errorf("--staging-table %s has no column %s", st.QualifiedName(), c.name)
		}
	}
	if clear {
		if _, err := db.ExecContext(ctx, "DELETE FROM "+st.QualifiedName()); err != nil {
			return nil, fmt.Errorf("--clear-staging-table: %w", err)
		}
		return st, nil
	}
	var any int
	err = db.QueryRowContext(ctx, "SELECT 1 FROM "+st.QualifiedName()+" LIMIT 1").Scan(&any)
	if err == nil {
		return nil, fmt.Errorf("--staging-table %s is not empty: empty it or pass --clear-staging-table", st.QualifiedName())
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	return st, nil
}

// moveFromStaging moves every staged row into the target in one
// transaction: the target sees all of them or none.
func moveFromStaging(ctx context.Context, db *sql.DB, staging, target *source.Table, cols []column) error {
	list := make([]string, len(cols))
	for i, c := range cols {
		list[i] = c.quoted
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	cl := strings.Join(list, ", ")
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+target.QualifiedName()+" ("+cl+") SELECT "+cl+" FROM "+staging.QualifiedName()); err != nil {
		return errors.Join(fmt.Errorf("move the staged rows into %s (nothing was moved): %w", target.QualifiedName(), err), tx.Rollback())
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+staging.QualifiedName()); err != nil {
		return errors.Join(fmt.Errorf("empty the staging table (nothing was moved): %w", err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("move the staged rows into %s: commit: %w", target.QualifiedName(), err)
	}
	return nil
}

// writer sends files' rows with statements of many rows each.
type writer struct {
	o    *Options
	rd   *reading
	db   *sql.DB
	into *source.Table
	cols []column
	args []any
	rows int
	size int
	buf  []byte
}

func (w *writer) file(ctx context.Context, f ingest.ManifestFile) (int64, error) {
	r, err := w.rd.open(ctx, w.o.FS, w.o.Dir, f)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	// Columns by name: a file written before a column was added lacks it
	// (its rows have NULL there).
	fields := make([]int, len(w.cols))
	for i, c := range w.cols {
		fields[i] = -1
		for j, ff := range r.Schema().Fields() {
			if strings.EqualFold(ff.Name, c.field.Name) {
				if !arrow.TypeEqual(ff.Type, c.field.Type) {
					return 0, fmt.Errorf("column %s is %s in this file but %s in the directory's schema", ff.Name, ff.Type, c.field.Type)
				}
				fields[i] = j
			}
		}
		if fields[i] < 0 && !c.field.Nullable {
			return 0, fmt.Errorf("the file has no column %s", c.field.Name)
		}
	}
	var n int64
	texts := make([]format.ValueText, len(w.cols))
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		pending, err := w.batch(ctx, rec, fields, texts)
		rec.Release()
		n += pending
		if err != nil {
			return n, err
		}
	}
	left := int64(w.rows)
	if err := w.flush(ctx); err != nil {
		return n, err
	}
	return n + left, nil
}

// batch adds a batch's rows, flushing as statements fill; it returns
// the rows sent.
func (w *writer) batch(ctx context.Context, rec arrow.RecordBatch, fields []int, texts []format.ValueText) (int64, error) {
	var n int64
	for i, c := range w.cols {
		if fields[i] >= 0 {
			texts[i] = c.text(rec.Column(fields[i]))
		}
	}
	for r := 0; r < int(rec.NumRows()); r++ {
		for i, c := range w.cols {
			if fields[i] < 0 {
				w.args = append(w.args, nil)
				continue
			}
			a := rec.Column(fields[i])
			switch {
			case a.IsNull(r):
				w.args = append(w.args, nil)
			case c.bytes:
				v := a.(*array.Binary).Value(r)
				// Never a nil slice: the driver would send NULL for an
				// empty value.
				w.args = append(w.args, append(make([]byte, 0, len(v)), v...))
				w.size += len(v)
			case c.bit:
				w.args = append(w.args, a.(*array.Uint64).Value(r))
				w.size += 8
			default:
				var err error
				if w.buf, err = texts[i](w.buf[:0], r); err != nil {
					return n, err
				}
				w.args = append(w.args, string(w.buf))
				w.size += len(w.buf)
			}
		}
		w.rows++
		if w.rows >= w.o.BatchRows || w.size >= batchBytes {
			pending := int64(w.rows)
			if err := w.flush(ctx); err != nil {
				return n, err
			}
			n += pending
		}
	}
	return n, nil
}

// flush sends the pending rows in one transaction.
func (w *writer) flush(ctx context.Context) error {
	if w.rows == 0 {
		return nil
	}
	rows, args := w.rows, w.args
	w.rows, w.args, w.size = 0, w.args[:0], 0
	defer func() {
		if w.o.Progress != nil {
			w.o.Progress.Add(int64(rows), 0)
		}
	}()
	if w.o.UpdateMode == UpdateOnly {
		return w.updates(ctx, rows, args)
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + w.into.QualifiedName() + " (")
	for i, c := range w.cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(c.quoted)
	}
	sb.WriteString(") VALUES ")
	tuple := w.tuple()
	for r := range rows {
		if r > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(tuple)
	}
	if w.o.UpdateMode == AllowInsert {
		sb.WriteString(" ON DUPLICATE KEY UPDATE ")
		first := true
		for _, c := range w.cols {
			if c.isKey {
				continue
			}
			if !first {
				sb.WriteString(", ")
			}
			first = false
			sb.WriteString(c.quoted + " = VALUES(" + c.quoted + ")")
		}
		if first { // only key columns: nothing to update
			sb.WriteString(w.cols[0].quoted + " = " + w.cols[0].quoted)
		}
	}
	if _, err := w.db.ExecContext(ctx, sb.String(), args...); err != nil {
		return fmt.Errorf("insert %d rows into %s: %w", rows, w.into.QualifiedName(), err)
	}
	return nil
}

func (w *writer) tuple() string {
	parts := make([]string, len(w.cols))
	for i, c := range w.cols {
		parts[i] = "?"
		if c.wkb {
			parts[i] = "ST_GeomFromWKB(?)"
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// updates runs one UPDATE per row, in one transaction per batch.
func (w *writer) updates(ctx context.Context, rows int, args []any) error {
	var set, where []string
	var setIdx, keyIdx []int
	for i, c := range w.cols {
		ph := "?"
		if c.wkb {
			ph = "ST_GeomFromWKB(?)"
		}
		if c.isKey {
			where = append(where, c.quoted+" <=> "+ph)
			keyIdx = append(keyIdx, i)
		} else {
			set = append(set, c.quoted+" = "+ph)
			setIdx = append(setIdx, i)
		}
	}
	if len(set) == 0 {
		return errors.New("--update-mode updateonly: every exported column is in the key; nothing to update")
	}
	q := "UPDATE " + w.into.QualifiedName() + " SET " + strings.Join(set, ", ") + " WHERE " + strings.Join(where, " AND ")
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	defer stmt.Close()
	n := len(w.cols)
	for r := range rows {
		row := args[r*n : (r+1)*n]
		a := make([]any, 0, n)
		for _, i := range setIdx {
			a = append(a, row[i])
		}
		for _, i := range keyIdx {
			a = append(a, row[i])
		}
		if _, err := stmt.ExecContext(ctx, a...); err != nil {
			return errors.Join(fmt.Errorf("update %s: %w", w.into.QualifiedName(), err), tx.Rollback())
		}
	}
	return tx.Commit()
}
