package command

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest/source"
)

func newListDatabasesCommand(g *globalOptions) *cobra.Command {
	o := &sourceOptions{}
	cmd := &cobra.Command{
		Use:   "list-databases",
		Short: "List the databases of a MySQL server, like sqoop list-databases",
		Long: `list-databases prints the databases the user can see, one per line, without the server's
own schemas (information_schema, performance_schema, mysql, sys).`,
		Example: `  hetl list-databases --connect jdbc:mysql://db:3306 --username etl --password-file ~/.mysql.pw
  hetl list-databases --connection shop`,
		Args: exactArgs(0),
	}
	o.AddFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			cfg, err := o.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			db, err := source.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			names, err := source.ListDatabases(ctx, db)
			if err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintln(out, n)
			}
			return nil
		})(cmd, args)
	}
	return cmd
}

func newListTablesCommand(g *globalOptions) *cobra.Command {
	o := &sourceOptions{}
	var database string
	cmd := &cobra.Command{
		Use:   "list-tables",
		Short: "List the tables of a MySQL database, like sqoop list-tables",
		Long: `list-tables prints the base tables (not views) of the database named in the connection
URL, or of --database, one per line.`,
		Example: `  hetl list-tables --connect jdbc:mysql://db:3306/shop --username etl -P
  hetl list-tables --connection shop --database archive`,
		Args: exactArgs(0),
	}
	o.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&database, "database", "", "database whose tables to list (default: the connection's)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			cfg, err := o.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			schema := database
			if schema == "" {
				schema = cfg.DBName
			}
			if schema == "" {
				return usagef("no database: name one in the connection URL (jdbc:mysql://host:port/DB) or with --database")
			}
			db, err := source.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			var found int
			if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", schema).Scan(&found); err != nil {
				return err
			}
			if found == 0 {
				return fmt.Errorf("database %q does not exist (or the user cannot see it); hetl list-databases lists those it can", schema)
			}
			names, err := source.ListTables(ctx, db, schema)
			if err != nil {
				return err
			}
			for _, n := range names {
				fmt.Fprintln(out, n)
			}
			return nil
		})(cmd, args)
	}
	return cmd
}
