package command

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
)

type sqlServeOptions struct {
	listen         string
	warehouseDir   string
	maxConnections int
	queryTimeout   time.Duration
	maxRows        int64
	shutdownGrace  time.Duration
}

func (o *sqlServeOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.listen, "listen", "", "host:port to listen on (default: sql.listen in hetl.yaml, else 127.0.0.1:3307)")
	fs.StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse root (default: warehouse.location in hetl.yaml)")
	fs.IntVar(&o.maxConnections, "max-connections", 0, "most connections at once (default: sql.max_connections, else 100)")
	fs.DurationVar(&o.queryTimeout, "query-timeout", 0, "longest a statement may run, 0 for no limit (default: sql.query_timeout, else 10m)")
	fs.Int64Var(&o.maxRows, "max-rows", 0, "most rows a result may have, 0 for no limit (default: sql.max_rows, else 1000000)")
	fs.DurationVar(&o.shutdownGrace, "shutdown-grace", 30*time.Second, "on SIGTERM/SIGINT, how long running statements may finish")
}

func (o *sqlServeOptions) Validate() error {
	if o.listen != "" {
		if _, port, err := net.SplitHostPort(o.listen); err != nil || port == "" {
			return usagef("--listen %q: want host:port", o.listen)
		}
	}
	if o.maxConnections < 0 || o.queryTimeout < 0 || o.maxRows < 0 || o.shutdownGrace < 0 {
		return usagef("--max-connections, --query-timeout, --max-rows and --shutdown-grace must not be negative")
	}
	return nil
}

// apply puts the flags that were given over the configuration.
func (o *sqlServeOptions) apply(fs *pflag.FlagSet, s *config.SQL) {
	if fs.Changed("listen") {
		s.Listen = o.listen
	}
	if fs.Changed("max-connections") && o.maxConnections > 0 {
		s.MaxConnections = o.maxConnections
	}
	if fs.Changed("query-timeout") {
		s.QueryTimeout = o.queryTimeout
	}
	if fs.Changed("max-rows") {
		s.MaxRows = o.maxRows
	}
}

func newSQLServeCommand(g *globalOptions, b SQLBackend) *cobra.Command {
	o := &sqlServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the warehouse's tables over the MySQL protocol, read-only, to analysts and BI tools",
		Long: `serve runs a MySQL-protocol endpoint over the warehouse's published tables: the mysql
client, BI tools (DBeaver, Metabase, Superset, Tableau) and MySQL drivers connect to it.
Everything is read-only. Databases, users (mysql_native_password hashes, each with the
databases it may read), TLS and the limits come from the sql: section of hetl.yaml
(docs/sql.md); it refuses to start without users. A partition published while it runs
is seen by the next query. SIGTERM or SIGINT stops it: new statements are refused,
running ones get --shutdown-grace to finish.

The engine runs in the companion program hetl-sql (found beside hetl, on PATH or
through $HETL_SQL), which this command starts with the same arguments.`,
		Example: `  # users in hetl.yaml (sql.users), made with: hetl sql hash-password
  hetl sql serve
  hetl sql serve --listen 0.0.0.0:3307 --max-rows 100000 --query-timeout 2m

  # then, from an analyst's machine
  mysql -h sqlhost -P 3307 -u analyst -p warehouse`,
		Args: exactArgs(0),
	}
	o.AddFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		if b == nil {
			return forwardSQL(cmd, args, o.shutdownGrace)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			s := e.cfg.SQL
			o.apply(cmd.Flags(), &s)
			users, err := s.ResolvedUsers(ctx)
			if err != nil {
				return err
			}
			if len(users) == 0 {
				return fmt.Errorf("no SQL users: the endpoint never runs without authentication; add one under sql.users in %s (docs/sql.md; the hash comes from: hetl sql hash-password)", configName(e.cfg))
			}
			var tlsConf *tls.Config
			if s.TLS.Enabled() {
				cert, err := tls.LoadX509KeyPair(s.TLS.CertFile, s.TLS.KeyFile)
				if err != nil {
					return fmt.Errorf("sql.tls: %w", err)
				}
				tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
			}
			fsys, err := openWarehouse(ctx, e.cfg, o.warehouseDir)
			if err != nil {
				return err
			}
			dbs := s.DatabaseTables()
			return b.Serve(ctx, SQLServeRequest{
				FS: fsys, Databases: dbs, Addr: s.Listen, Users: users,
				TLS: tlsConf, RequireSecureTransport: s.TLS.RequireSecureTransport,
				MaxConnections: s.MaxConnections, QueryTimeout: s.QueryTimeout, MaxRows: s.MaxRows,
				ShutdownGrace: o.shutdownGrace, Log: e.log,
				Ready: func(addr string) {
					host, port, _ := net.SplitHostPort(addr)
					fmt.Fprintf(out, "serving SQL on %s (databases %s; users %s)\n", addr, strings.Join(s.DatabaseNames(), ", "), userNames(users))
					fmt.Fprintf(out, "connect: mysql -h %s -P %s -u %s -p %s\n", host, port, users[0].Name, users[0].Databases[0])
				},
			})
		})(cmd, args)
	}
	return cmd
}

func userNames(users []config.ResolvedSQLUser) string {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}

func configName(cfg *config.Config) string {
	if cfg.File == "" {
		return "hetl.yaml"
	}
	return cfg.File
}
