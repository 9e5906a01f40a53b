package command

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/warehouse"
)

// importOptions are `hetl import`'s flags, named as Sqoop names them where
// the meaning is the same.
type importOptions struct {
	src sourceOptions

	table, query, columns, where   string
	splitBy, boundaryQuery         string
	mappers, fetchSize             int
	chunkRows                      int64
	targetDir, warehouseDir        string
	asParquet, asText, asAvro      bool
	codec                          string
	nullString, nullNonString      string
	fieldsBy, linesBy              string
	escapedBy, enclosedBy, optEncl string
	deleteTarget, appendMode       bool
	partitionBy                    string
	piiRules                       []string
	piiKeyFile, piiKeyEnv          string
	validate, dryRun               bool
	zeroDates, invalidText         string
	rowGroupMB                     int
	incr                           incrementalFlags
	hbase                          hbaseFlags
	flags                          *pflag.FlagSet
	// beforePublish is set by saved jobs (not a flag).
	beforePublish func(context.Context) error
	// reimport is set by hetl reimport (not a flag).
	reimport *ingest.Reimport
}

func (o *importOptions) AddFlags(fs *pflag.FlagSet) {
	o.flags = fs
	o.src.AddFlags(fs)
	fs.StringVar(&o.table, "table", "", "table to import (db.table or table)")
	fs.StringVarP(&o.query, "query", "e", "", "free-form query to import; must contain $CONDITIONS in its WHERE clause")
	fs.StringVar(&o.columns, "columns", "", "comma-separated columns to import (default: all)")
	fs.StringVar(&o.where, "where", "", "condition the imported rows must meet")
	fs.StringVar(&o.splitBy, "split-by", "", "column to split the work by (default: the primary key)")
	fs.IntVarP(&o.mappers, "num-mappers", "m", 4, "parallel readers")
	fs.StringVar(&o.boundaryQuery, "boundary-query", "", "query returning MIN and MAX of --split-by; splits that range evenly")
	fs.IntVar(&o.fetchSize, "fetch-size", 0, "rows per Arrow batch (rows are always streamed)")
	fs.Int64Var(&o.chunkRows, "chunk-rows", 0, "rows per chunk of the split (default: about 4 chunks per reader)")
	fs.StringVar(&o.targetDir, "target-dir", "", "directory to write the table to: path, file:// or hdfs://")
	fs.StringVar(&o.warehouseDir, "warehouse-dir", "", "parent directory; the table goes to DIR/<table> (default: the configured warehouse)")
	fs.BoolVar(&o.asParquet, "as-parquetfile", false, "write Parquet (the default)")
	fs.BoolVar(&o.asText, "as-textfile", false, "write delimited text")
	fs.BoolVar(&o.asAvro, "as-avrodatafile", false, "write Avro data files")
	fs.StringVar(&o.codec, "compression-codec", "", "snappy, zstd, gzip or none (default: snappy; none for text)")
	fs.StringVar(&o.nullString, "null-string", "", "text written for NULL in string columns (default \"null\")")
	fs.StringVar(&o.nullNonString, "null-non-string", "", "text written for NULL in other columns (default \"null\")")
	fs.StringVar(&o.fieldsBy, "fields-terminated-by", ",", "field delimiter (a character, or \\t, \\001, \\0x01)")
	fs.StringVar(&o.linesBy, "lines-terminated-by", "\\n", "line delimiter")
	fs.StringVar(&o.escapedBy, "escaped-by", "", "escape character")
	fs.StringVar(&o.enclosedBy, "enclosed-by", "", "character enclosing every field")
	fs.StringVar(&o.optEncl, "optionally-enclosed-by", "", "character enclosing fields that need it")
	fs.BoolVar(&o.deleteTarget, "delete-target-dir", false, "replace the target directory if it exists (atomically)")
	fs.BoolVar(&o.appendMode, "append", false, "add files to an existing target directory")
	fs.StringVar(&o.partitionBy, "partition-by", "", "write Hive-style partitions by an event-time column: COL[:hour|:day] (UTC)")
	fs.StringArrayVar(&o.piiRules, "pii", nil, "protect a column: COL=hash|mask|drop|scrub (repeatable)")
	fs.StringVar(&o.piiKeyFile, "pii-key-file", "", "file holding the HMAC key for --pii ...=hash|scrub")
	fs.StringVar(&o.piiKeyEnv, "pii-key-env", "", "environment variable holding the HMAC key")
	fs.BoolVar(&o.validate, "validate", false, "compare row count and checksum with MySQL; publish nothing on a mismatch")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the type plan and split plan; read no rows")
	fs.StringVar(&o.zeroDates, "zero-dates", "null", "zero and invalid dates: null, error or quarantine")
	fs.StringVar(&o.invalidText, "invalid-text", "error", "text that is not valid UTF-8: error or quarantine")
	o.incr.AddFlags(fs)
	o.hbase.AddFlags(fs)
	fs.IntVar(&o.rowGroupMB, "row-group-mb", 0, "Parquet row group size in MiB of uncompressed data (default 128, lowered to fit memory with many readers)")
}

func (o *importOptions) Validate() error {
	if err := o.src.Validate(); err != nil {
		return err
	}
	if (o.table == "") == (o.query == "") {
		return usagef("give exactly one of --table and --query")
	}
	if o.targetDir != "" && o.warehouseDir != "" {
		return usagef("give at most one of --target-dir and --warehouse-dir")
	}
	if o.query != "" && o.targetDir == "" && o.hbase.table == "" {
		return usagef("--query needs --target-dir")
	}
	if o.hbase.table != "" && (o.targetDir != "" || o.warehouseDir != "") {
		return usagef("give --hbase-table or a --target-dir/--warehouse-dir, not both")
	}
	if o.mappers < 1 {
		return usagef("-m %d: want at least 1", o.mappers)
	}
	n := 0
	for _, b := range []bool{o.asParquet, o.asText, o.asAvro} {
		if b {
			n++
		}
	}
	if n > 1 {
		return usagef("give at most one of --as-parquetfile, --as-textfile and --as-avrodatafile")
	}
	if o.deleteTarget && o.appendMode {
		return usagef("give at most one of --delete-target-dir and --append")
	}
	if o.enclosedBy != "" && o.optEncl != "" {
		return usagef("give at most one of --enclosed-by and --optionally-enclosed-by")
	}
	if _, err := typemap.ParseZeroDatePolicy(o.zeroDates); err != nil {
		return usagef("--zero-dates: %v", err)
	}
	if o.invalidText != "error" && o.invalidText != "quarantine" {
		return usagef("--invalid-text %q: want error or quarantine", o.invalidText)
	}
	if o.rowGroupMB < 0 {
		return usagef("--row-group-mb %d: want a positive size", o.rowGroupMB)
	}
	return nil
}

func newImportCommand(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import a MySQL table or query into the warehouse (Parquet, Avro or text), like Sqoop",
		Long: `import reads a MySQL table (or a --query) with parallel readers that share one consistent
snapshot, converts every value exactly (see docs/types.md), writes Parquet, Avro or delimited
text into a temporary directory, and publishes it atomically with a _SUCCESS manifest (rows,
null counts, checksum, schema fingerprint, snapshot coordinates, run id). A failed or killed
import leaves nothing visible and the previous version intact.

The table is split into chunks of about equal row counts along its primary key (or --split-by),
which -m readers pull from a queue; a dropped connection re-reads only its chunk.

The password comes from --password-file, -P (prompt), $HETL_MYSQL_PASSWORD or a named
--connection; it is never logged.`,
		Example: `  # a table into local Parquet, 4 readers
  hetl import --connect jdbc:mysql://db:3306/shop --username etl --password-file ~/.mysql.pw \
      --table orders --target-dir /data/warehouse/orders

  # hourly partitions by event time, PII protected, validated, to HDFS
  hetl import --connection shop --table events --partition-by created_at:hour \
      --pii email=hash --pii ip=mask --pii-key-file /etc/hetl/pii.key --validate \
      --target-dir hdfs://nn:8020/warehouse/events --delete-target-dir

  # a free-form query, split by id, as tab-separated text
  hetl import --connection shop --query 'SELECT id, total FROM orders WHERE $CONDITIONS' \
      --split-by id -m 2 --target-dir /tmp/orders_txt --as-textfile --fields-terminated-by '\t'

  # new rows only: the last value is kept in the target's manifest, so rerunning is enough
  hetl import --connection shop --table events --incremental append --check-column id \
      --partition-by created_at:hour --target-dir hdfs://nn:8020/warehouse/events

  # into HBase (hbase.thrift in hetl.yaml): typed values, salted keys, a new table
  hetl import --connection shop --table users --hbase-table profiles --column-family p \
      --hbase-create-table --hbase-salt-buckets 8 --validate

  # show the type plan and split plan only
  hetl import --connection shop --table orders --dry-run`,
		Args: exactArgs(0),
	}
	o.AddFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return o.Run(ctx, e, cmd.InOrStdin(), out, cmd.ErrOrStderr())
		})(cmd, args)
	}
	return cmd
}

// options turns the flags into ingest.Options (the target not yet opened).
func (o *importOptions) options(ctx context.Context, e env, stdin io.Reader, stderr io.Writer) (ingest.Options, error) {
	cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, stdin, stderr)
	if err != nil {
		return ingest.Options{}, err
	}
	opts := ingest.Options{
		Source: cfg, Table: o.table, Query: o.query, Where: o.where,
		SplitBy: o.splitBy, Mappers: o.mappers, BoundaryQuery: o.boundaryQuery,
		FetchSize: o.fetchSize, ChunkRows: o.chunkRows, Validate: o.validate,
		RowGroupBytes: int64(o.rowGroupMB) << 20, Log: e.log,
		BeforePublish: o.beforePublish,
	}
	if o.columns != "" {
		for _, c := range strings.Split(o.columns, ",") {
			if c = strings.TrimSpace(c); c != "" {
				opts.Columns = append(opts.Columns, c)
			}
		}
	}
	switch {
	case o.asText:
		opts.Format = format.Text
	case o.asAvro:
		opts.Format = format.Avro
	default:
		opts.Format = format.Parquet
	}
	if o.codec != "" {
		c, err := format.ParseCodec(o.codec)
		if err != nil {
			return opts, usagef("--compression-codec: %v", err)
		}
		opts.Codec = c
	}
	if opts.Text, err = o.textOptions(); err != nil {
		return opts, err
	}
	switch {
	case o.deleteTarget:
		opts.Mode = ingest.TargetReplace
	case o.appendMode:
		opts.Mode = ingest.TargetAppend
	}
	if o.partitionBy != "" {
		col, gran, err := ingest.ParsePartitionBy(o.partitionBy)
		if err != nil {
			return opts, usagef("%v", err)
		}
		opts.PartitionBy, opts.PartitionGranularity = col, gran
	}
	if len(o.piiRules) > 0 {
		p, err := o.buildPII()
		if err != nil {
			return opts, err
		}
		opts.PII = p
	}
	if opts.Incremental, err = o.incr.incremental(); err != nil {
		return opts, err
	}
	if opts.AllowSchemaChange, err = o.incr.schemaChange(); err != nil {
		return opts, err
	}
	opts.MergeKey = o.incr.mergeKeys()
	if opts.HBase, err = o.hbase.target(e.cfg); err != nil {
		return opts, err
	}
	if o.reimport != nil {
		// Whole partitions, into the existing target: the job's
		// incremental range, merge and target mode do not apply.
		opts.Reimport, opts.Incremental, opts.MergeKey, opts.Mode = o.reimport, nil, nil, ingest.TargetAppend
	}
	zd, _ := typemap.ParseZeroDatePolicy(o.zeroDates)
	opts.Policies = typemap.Policies{ZeroDates: zd, InvalidText: typemap.ZeroDatePolicy(o.invalidText)}
	return opts, nil
}

func (o *importOptions) textOptions() (format.TextOptions, error) {
	var t format.TextOptions
	var err error
	if t.FieldsTerminatedBy, err = parseDelimiter("--fields-terminated-by", o.fieldsBy); err != nil {
		return t, err
	}
	if t.LinesTerminatedBy, err = parseDelimiter("--lines-terminated-by", o.linesBy); err != nil {
		return t, err
	}
	if o.escapedBy != "" {
		if t.EscapedBy, err = parseDelimiter("--escaped-by", o.escapedBy); err != nil {
			return t, err
		}
	}
	if o.enclosedBy != "" {
		if t.EnclosedBy, err = parseDelimiter("--enclosed-by", o.enclosedBy); err != nil {
			return t, err
		}
	}
	if o.optEncl != "" {
		if t.EnclosedBy, err = parseDelimiter("--optionally-enclosed-by", o.optEncl); err != nil {
			return t, err
		}
		t.OptionallyEnclosedBy = true
	}
	if o.flags != nil && o.flags.Changed("null-string") {
		s := o.nullString
		t.NullString = &s
	}
	if o.flags != nil && o.flags.Changed("null-non-string") {
		s := o.nullNonString
		t.NullNonString = &s
	}
	return t, nil
}

// parseDelimiter accepts a single character or Sqoop's escapes: \t \n \r
// \b \0 \\, octal \NNN and hex \0xHH.
func parseDelimiter(flag, s string) (byte, error) {
	switch s {
	case "":
		return 0, usagef("%s: empty delimiter", flag)
	case `\t`:
		return '\t', nil
	case `\n`:
		return '\n', nil
	case `\r`:
		return '\r', nil
	case `\b`:
		return '\b', nil
	case `\0`:
		return 0, usagef("%s: NUL cannot delimit", flag)
	case `\\`:
		return '\\', nil
	}
	if len(s) == 1 {
		return s[0], nil
	}
	if strings.HasPrefix(s, `\0x`) || strings.HasPrefix(s, `\0X`) {
		v, err := strconv.ParseUint(s[3:], 16, 8)
		if err == nil && v != 0 {
			return byte(v), nil
		}
	} else if strings.HasPrefix(s, `\`) {
		v, err := strconv.ParseUint(s[1:], 8, 8)
		if err == nil && v != 0 {
			return byte(v), nil
		}
	}
	return 0, usagef("%s %q: want one character, or \\t, \\n, \\NNN (octal), \\0xHH (hex)", flag, s)
}

// Run imports, or with --dry-run prints the plan.
func (o *importOptions) Run(ctx context.Context, e env, stdin io.Reader, out, stderr io.Writer) error {
	_, err := o.execute(ctx, e, stdin, out, stderr)
	return err
}

// execute is Run returning the published manifest (nil for --dry-run).
func (o *importOptions) execute(ctx context.Context, e env, stdin io.Reader, out, stderr io.Writer) (*ingest.Manifest, error) {
	opts, err := o.options(ctx, e, stdin, stderr)
	if err != nil {
		return nil, err
	}
	if opts.HBase == nil {
		target := o.targetLocation(e)
		fsys, dir, err := openTarget(ctx, e.cfg, target)
		if err != nil {
			return nil, err
		}
		defer warehouse.CloseFS(fsys)
		opts.FS, opts.Dir = fsys, dir
	}
	if o.dryRun {
		rep, err := ingest.Plan(ctx, opts)
		if err != nil {
			return nil, err
		}
		return nil, printPlan(out, rep)
	}
	opts.Progress = newImportProgress(stderr, e.log)
	m, err := ingest.Run(ctx, opts)
	if err != nil {
		return nil, err
	}
	rate := 0.0
	if m.Seconds > 0 {
		rate = float64(m.Rows) / m.Seconds
	}
	verb := "imported"
	if m.Mode == "replace-partitions" {
		verb = "reimported"
	}
	if opts.HBase != nil {
		fmt.Fprintf(out, "%s %s: %d rows, %.1f MiB of cell values (%.1f MiB read) in %.1fs, %.0f rows/s → %s\n",
			verb, m.Source, m.Rows, float64(m.Bytes)/(1<<20), float64(m.SourceBytes)/(1<<20), m.Seconds, rate, m.Target)
	} else {
		fmt.Fprintf(out, "%s %s: %d rows, %d files, %.1f MiB written (%.1f MiB read) in %.1fs, %.0f rows/s → %s\n",
			verb, m.Source, m.Rows, len(m.Files), float64(m.Bytes)/(1<<20), float64(m.SourceBytes)/(1<<20), m.Seconds, rate, m.Target)
	}
	if m.Mode == "replace-partitions" {
		fmt.Fprintf(out, "replaced partitions: %s\n", strings.Join(m.ChangedPartitions, ", "))
	}
	if inc := m.Incremental; inc != nil {
		fmt.Fprintf(out, "incremental %s on %s: rows after %s up to %s; next --last-value %s (kept in the target's manifest)\n",
			inc.Mode, inc.CheckColumn, orNone(inc.LastValue), orNone(inc.NextValue), orNone(inc.NextValue))
	}
	if m.Retries > 0 {
		fmt.Fprintf(out, "HBase calls retried after transient failures: %d (no cell lost: retried puts write the same cells)\n", m.Retries)
	}
	if m.Validated {
		fmt.Fprintf(out, "validated: %d rows, checksum %d matches MySQL\n", m.Checksum.Rows, m.Checksum.Sum)
	}
	if m.ZeroDatesNulled > 0 || m.Quarantined > 0 {
		fmt.Fprintf(out, "zero dates written as NULL: %d; rows quarantined: %d (see _quarantine/)\n", m.ZeroDatesNulled, m.Quarantined)
	}
	if !m.Snapshot.Consistent {
		fmt.Fprintf(out, "note: no single consistent snapshot: %s\n", m.Snapshot.Why)
	}
	return m, nil
}

func printPlan(out io.Writer, rep *ingest.PlanReport) error {
	fmt.Fprintf(out, "source %s → %s\n\ntype plan:\n", rep.Source, rep.Target)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  COLUMN\tMYSQL TYPE\tARROW/PARQUET TYPE\tNULLABLE\tNOTE")
	for _, t := range rep.Types {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%t\t%s\n", t.Column, t.MySQLType, t.ArrowType, t.Nullable, t.Note)
	}
	tw.Flush()
	key := strings.Join(rep.SplitKey, ", ")
	if key == "" {
		key = "(none)"
	}
	fmt.Fprintf(out, "\nsplit plan: key %s, %d reader(s), about %d rows, %d rows per chunk, %d chunk(s):\n", key, rep.Readers, rep.EstimatedRows, rep.ChunkRows, len(rep.Chunks))
	for i, c := range rep.Chunks {
		fmt.Fprintf(out, "  %3d  %s\n", i, c)
	}
	if inc := rep.Incremental; inc != nil {
		fmt.Fprintf(out, "\nincremental %s on %s: rows after %s (from %s) up to %s\n", inc.Mode, inc.CheckColumn, orNone(inc.LastValue), inc.LastValueFrom, orNone(inc.NextValue))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	return nil
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// targetLocation is --target-dir, or the table's directory under
// --warehouse-dir or the configured warehouse.
func (o *importOptions) targetLocation(e env) string {
	if o.targetDir != "" {
		return o.targetDir
	}
	parent := o.warehouseDir
	if parent == "" {
		parent = e.cfg.Warehouse.Location
	}
	name := o.table
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return joinLocation(parent, name)
}
