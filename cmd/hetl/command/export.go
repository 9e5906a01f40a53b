package command

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/export"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/warehouse"
)

type exportOptions struct {
	src                 sourceOptions
	table, exportDir    string
	columns, updateKey  string
	updateMode          string
	staging             string
	clearStaging, batch bool
	mappers, batchRows  int
	partitions          []string
	from, to            string
	// Sqoop's --input-* options; empty: as the manifest records them.
	inFields, inLines, inEscaped, inEnclosed, inOptEncl string
	inNullString, inNullNonString                       string
}

func newExportCommand(g *globalOptions) *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export a directory hetl published (Parquet, Avro or text) back into a MySQL table, like Sqoop",
		Long: `export reads a directory hetl published (its _SUCCESS manifest lists the files, the schema
each was written with and, for text, its delimiters) and writes its rows into an existing
MySQL table with -m parallel writers, in multi-row INSERT statements of --batch-rows rows,
each its own transaction. Values are sent as the text MySQL prints for them,
so an import followed by an export reproduces the table exactly (docs/export.md).

--update-key K with --update-mode updateonly updates the rows whose key exists; allowinsert
also inserts the others (K must be a primary or unique key). --staging-table S receives the rows
first, and one transaction then moves them into the table: a failure leaves the table as it
was. Without a staging table a failure leaves the batches already committed; rerun with
--update-key K --update-mode allowinsert to finish idempotently.

--partition, or --from/--to, export only some hours (or days) of a partitioned directory.

Text files are read with the delimiters and NULL tokens the manifest records; Sqoop's
--input-fields-terminated-by and friends override them (a mismatch fails on the first line,
it never loads shifted columns).`,
		Example: `  # an hourly aggregate back into MySQL, through a staging table
  hetl export --connection reporting --table agg_events_hourly \
      --export-dir hdfs://nn:8020/warehouse/agg_events_hourly \
      --from 2026-11-21T00 --to 2026-11-22T00 --staging-table agg_stage --clear-staging-table

  # upsert by primary key
  hetl export --connect jdbc:mysql://db:3306/shop --username etl -P --table users \
      --export-dir /data/users --update-key id --update-mode allowinsert`,
		Args: exactArgs(0),
	}
	fs := cmd.Flags()
	o.src.AddFlags(fs)
	fs.StringVar(&o.table, "table", "", "MySQL table to write (table or db.table)")
	fs.StringVar(&o.exportDir, "export-dir", "", "published directory to read: path, file:// or hdfs://")
	fs.StringVar(&o.columns, "columns", "", "columns to export, comma-separated (default: every column of the files)")
	fs.StringVar(&o.updateKey, "update-key", "", "key columns, comma-separated: update rows instead of inserting")
	fs.StringVar(&o.updateMode, "update-mode", "updateonly", "with --update-key: updateonly or allowinsert")
	fs.StringVar(&o.staging, "staging-table", "", "table to stage the rows in; one transaction then moves them")
	fs.BoolVar(&o.clearStaging, "clear-staging-table", false, "empty the staging table first")
	fs.BoolVar(&o.batch, "batch", false, "accepted for Sqoop compatibility: statements always carry many rows")
	fs.IntVarP(&o.mappers, "num-mappers", "m", 4, "parallel writers")
	fs.IntVar(&o.batchRows, "batch-rows", 500, "rows per statement")
	fs.StringArrayVar(&o.partitions, "partition", nil, "export only this partition (dt=YYYY-MM-DD/hr=HH), repeatable")
	fs.StringVar(&o.from, "from", "", "export only the partitions from this hour (UTC, 2026-11-21T00)")
	fs.StringVar(&o.to, "to", "", "…to this hour (exclusive)")
	fs.StringVar(&o.inFields, "input-fields-terminated-by", "", "text directories: field delimiter (default: as the manifest records)")
	fs.StringVar(&o.inLines, "input-lines-terminated-by", "", "text directories: line delimiter (default: as the manifest records)")
	fs.StringVar(&o.inEscaped, "input-escaped-by", "", "text directories: escape character (default: as the manifest records)")
	fs.StringVar(&o.inEnclosed, "input-enclosed-by", "", "text directories: character enclosing every field")
	fs.StringVar(&o.inOptEncl, "input-optionally-enclosed-by", "", "text directories: character enclosing some fields")
	fs.StringVar(&o.inNullString, "input-null-string", "", "text directories: NULL token of string columns")
	fs.StringVar(&o.inNullNonString, "input-null-non-string", "", "text directories: NULL token of other columns")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.src.Validate(); err != nil {
			return err
		}
		if o.table == "" || o.exportDir == "" {
			return usagef("export needs --table and --export-dir")
		}
		if o.mappers < 1 || o.batchRows < 1 {
			return usagef("-m and --batch-rows want at least 1")
		}
		if (o.from == "") != (o.to == "") {
			return usagef("give both --from and --to")
		}
		if o.staging != "" && o.updateKey != "" {
			return usagef("--staging-table cannot be used with --update-key (as in Sqoop): an update is not a move of new rows")
		}
		if o.clearStaging && o.staging == "" {
			return usagef("--clear-staging-table needs --staging-table")
		}
		if o.from != "" && len(o.partitions) > 0 {
			return usagef("give --partition or --from/--to, not both")
		}
		if !cmd.Flags().Changed("update-mode") {
			o.updateMode = ""
		}
		eo := export.Options{Table: o.table, Columns: splitList(o.columns), UpdateKey: splitList(o.updateKey),
			UpdateMode: export.UpdateMode(o.updateMode), StagingTable: o.staging, ClearStaging: o.clearStaging,
			Partitions: o.partitions, Writers: o.mappers, BatchRows: o.batchRows}
		var err error
		if eo.InputText, err = o.inputText(cmd.Flags()); err != nil {
			return err
		}
		if o.updateMode != "" && eo.UpdateMode != export.UpdateOnly && eo.UpdateMode != export.AllowInsert {
			return usagef("--update-mode %q: want updateonly or allowinsert", o.updateMode)
		}
		if o.from != "" {
			if eo.From, err = parseHour("--from", o.from); err != nil {
				return err
			}
			if eo.To, err = parseHour("--to", o.to); err != nil {
				return err
			}
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fsys, dir, err := openTarget(ctx, e.cfg, o.exportDir)
			if err != nil {
				return err
			}
			defer warehouse.CloseFS(fsys)
			eo.Target, eo.FS, eo.Dir, eo.Log = cfg, fsys, dir, e.log
			eo.Progress = newImportProgress(cmd.ErrOrStderr(), e.log)
			res, err := export.Run(ctx, eo)
			if err != nil {
				return err
			}
			rate := float64(res.Rows) / max(res.Seconds, 1e-9)
			fmt.Fprintf(out, "exported %d rows from %d files into %s in %.1fs, %.0f rows/s\n", res.Rows, res.Files, res.Table, res.Seconds, rate)
			return nil
		})(cmd, args)
	}
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// inputText reads the --input-* options; unset ones stay zero.
func (o *exportOptions) inputText(fs *pflag.FlagSet) (format.TextOptions, error) {
	var t format.TextOptions
	delims := []struct {
		flag, val string
		dst       *byte
	}{
		{"--input-fields-terminated-by", o.inFields, &t.FieldsTerminatedBy},
		{"--input-lines-terminated-by", o.inLines, &t.LinesTerminatedBy},
		{"--input-escaped-by", o.inEscaped, &t.EscapedBy},
		{"--input-enclosed-by", o.inEnclosed, &t.EnclosedBy},
	}
	for _, d := range delims {
		if d.val == "" {
			continue
		}
		b, err := parseDelimiter(d.flag, d.val)
		if err != nil {
			return t, err
		}
		*d.dst = b
	}
	if o.inOptEncl != "" {
		if o.inEnclosed != "" {
			return t, usagef("give --input-enclosed-by or --input-optionally-enclosed-by, not both")
		}
		b, err := parseDelimiter("--input-optionally-enclosed-by", o.inOptEncl)
		if err != nil {
			return t, err
		}
		t.EnclosedBy, t.OptionallyEnclosedBy = b, true
	}
	if fs.Changed("input-null-string") {
		s := o.inNullString
		t.NullString = &s
	}
	if fs.Changed("input-null-non-string") {
		s := o.inNullNonString
		t.NullNonString = &s
	}
	return t, nil
}
