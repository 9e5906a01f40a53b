package command

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest/source"
)

// perTableFlags are import flags that name one table's rows or target;
// import-all-tables does not take them.
var perTableFlags = []string{"table", "query", "columns", "where", "split-by", "boundary-query", "target-dir",
	"incremental", "check-column", "last-value", "merge-key", "partition-by", "hbase-table", "column-family", "hbase-row-key",
	"hbase-create-table", "hbase-presplit", "hbase-salt-buckets", "hbase-timestamp-column", "pii"}

func newImportAllTablesCommand(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	var exclude string
	cmd := &cobra.Command{
		Use:   "import-all-tables",
		Short: "Import every table of a MySQL database, like sqoop import-all-tables",
		Long: `import-all-tables imports each base table of the connection's database, in name order, to
--warehouse-dir/<table> (default: the configured warehouse), each as 'hetl import' would: its own
snapshot, atomic publish and manifest. A table that fails does not stop the others; every table
is reported at the end, and the exit status is 1 when any failed. Ctrl-C stops after the table
being imported (nothing of it is published).`,
		Example: `  hetl import-all-tables --connect jdbc:mysql://db:3306/shop --username etl --password-file ~/.pw \
      --warehouse-dir hdfs://nn:8020/warehouse/shop --exclude-tables audit_log,tmp_import -m 2`,
		Args: exactArgs(0),
	}
	o.AddFlags(cmd.Flags())
	for _, name := range perTableFlags {
		_ = cmd.Flags().MarkHidden(name)
	}
	cmd.Flags().StringVar(&exclude, "exclude-tables", "", "tables to skip, comma-separated")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		for _, name := range perTableFlags {
			if cmd.Flags().Changed(name) {
				return usagef("import-all-tables imports whole tables each to --warehouse-dir/<table>: --%s applies to hetl import", name)
			}
		}
		o.table = "placeholder" // Validate checks the rest of the flags
		if err := o.Validate(); err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return importAll(ctx, e, o, exclude, cmd.InOrStdin(), out, cmd.ErrOrStderr())
		})(cmd, args)
	}
	return cmd
}

type tableOutcome struct {
	table   string
	rows    int64
	seconds float64
	err     error
}

func importAll(ctx context.Context, e env, o *importOptions, exclude string, stdin io.Reader, out, stderr io.Writer) error {
	cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, stdin, stderr)
	if err != nil {
		return err
	}
	if cfg.DBName == "" {
		return usagef("import-all-tables: name the database in the connection URL (jdbc:mysql://host:port/DB)")
	}
	db, err := source.Open(ctx, cfg)
	if err != nil {
		return err
	}
	tables, err := source.ListTables(ctx, db, cfg.DBName)
	db.Close()
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for _, t := range strings.Split(exclude, ",") {
		if t = strings.TrimSpace(t); t != "" {
			skip[strings.ToLower(t)] = true
		}
	}
	for name := range skip {
		found := false
		for _, t := range tables {
			found = found || strings.EqualFold(t, name)
		}
		if !found {
			return usagef("--exclude-tables: %s has no table %q", cfg.DBName, name)
		}
	}
	parent := o.warehouseDir
	if parent == "" {
		parent = e.cfg.Warehouse.Location
	}
	var results []tableOutcome
	for _, t := range tables {
		if skip[strings.ToLower(t)] {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		one := *o
		one.table, one.targetDir, one.warehouseDir = t, joinLocation(parent, t), ""
		started := time.Now()
		fmt.Fprintf(out, "== %s\n", t)
		m, err := one.execute(ctx, e, stdin, out, stderr)
		r := tableOutcome{table: t, seconds: time.Since(started).Seconds(), err: err}
		if m != nil {
			r.rows = m.Rows
		}
		if err != nil {
			fmt.Fprintf(out, "%s FAILED: %v\n", t, err)
		}
		results = append(results, r)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tSTATUS\tROWS\tSECONDS\tERROR")
	failed := 0
	for _, r := range results {
		status, msg := "ok", ""
		if r.err != nil {
			status, msg = "FAILED", r.err.Error()
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%s\n", r.table, status, r.rows, r.seconds, msg)
	}
	tw.Flush()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped after %d of %d tables: %w", len(results), len(tables)-len(skip), err)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d tables failed", failed, len(results))
	}
	return nil
}
