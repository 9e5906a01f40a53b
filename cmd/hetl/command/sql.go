package command

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/sql/ddl"
)

func newSQLCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sql",
		Short: "SQL for analysts: query the warehouse, serve it over the MySQL protocol, print Hive/Trino/Spark DDL",
		Example: `  hetl sql query "SELECT country, SUM(events) FROM agg_events_hourly GROUP BY country"
  hetl sql serve --listen 127.0.0.1:3307
  hetl sql hash-password
  hetl sql ddl --dialect trino agg_events_hourly`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	// No engine in hetl: query and serve run hetl-sql (see SQLBackend).
	cmd.AddCommand(newSQLDDLCommand(g), newSQLQueryCommand(g, nil), newSQLServeCommand(g, nil), newSQLHashPasswordCommand())
	return cmd
}

type sqlDDLOptions struct {
	dialect      string
	database     string
	location     string
	warehouseDir string
	noPartitions bool
}

func newSQLDDLCommand(g *globalOptions) *cobra.Command {
	o := &sqlDDLOptions{}
	cmd := &cobra.Command{
		Use:   "ddl [TABLE...]",
		Short: "Print CREATE EXTERNAL TABLE and partition statements for Hive, Trino or Spark",
		Long: `Prints, for each table (every table of the warehouse when none is named), the
statement that declares it over hetl's Parquet (or text/Avro) files — partitioned by
dt and hr like the directories — and the statements that register its published
partitions. Run the output in beeline, the Trino CLI or spark-sql; rerun it after
new partitions are published (CREATE ... IF NOT EXISTS, ADD IF NOT EXISTS).
docs/sql.md explains each dialect's choices.`,
		Example: `  hetl sql ddl agg_events_hourly
  hetl sql ddl --dialect trino --database hetl --location hdfs://namenode:8020/warehouse
  hetl sql ddl --dialect spark events_clean | spark-sql`,
	}
	cmd.Flags().StringVar(&o.dialect, "dialect", "hive", "hive, trino or spark")
	cmd.Flags().StringVar(&o.database, "database", "", "database (Hive/Spark) or schema (Trino) to create the tables in")
	cmd.Flags().StringVar(&o.location, "location", "", "the warehouse root's URI as the engine reaches it (default: the warehouse's own)")
	cmd.Flags().StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse root (default: warehouse.location in hetl.yaml)")
	cmd.Flags().BoolVar(&o.noPartitions, "no-partitions", false, "print the CREATE statements only")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		d, err := ddl.ParseDialect(o.dialect)
		if err != nil {
			return usagef("--dialect: %v", err)
		}
		opts := ddl.DefaultOptions()
		opts.Location = o.location
		if err := opts.Validate(); err != nil {
			return usagef("%v", err)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			fsys, err := openWarehouse(ctx, e.cfg, o.warehouseDir)
			if err != nil {
				return err
			}
			tables := args
			if len(tables) == 0 {
				if tables, err = ingest.PublishedTables(ctx, fsys); err != nil {
					return err
				}
				if len(tables) == 0 {
					return fmt.Errorf("the warehouse has no published tables")
				}
			}
			for _, name := range tables {
				full := name
				if o.database != "" {
					full = o.database + "." + name
				}
				t, err := ddl.Describe(ctx, fsys, name, full)
				if err != nil {
					return fmt.Errorf("table %s: %w", name, err)
				}
				create, err := d.Create(t, opts)
				if err != nil {
					return fmt.Errorf("table %s: %w", name, err)
				}
				fmt.Fprintf(out, "%s;\n", strings.TrimRight(create, ";\n"))
				if o.noPartitions {
					continue
				}
				stmts, err := d.AddPartitions(t, opts)
				if err != nil {
					return fmt.Errorf("table %s: %w", name, err)
				}
				for _, s := range stmts {
					fmt.Fprintf(out, "%s;\n", strings.TrimRight(s, ";\n"))
				}
			}
			return nil
		})(c, args)
	}
	return cmd
}
