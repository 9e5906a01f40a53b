package command

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/config"
)

type sqlQueryOptions struct {
	database     string
	format       string
	timeout      time.Duration
	maxRows      int64
	warehouseDir string
}

func (o *sqlQueryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.database, "database", "d", "", "the current database (default: the only one, else "+config.DefaultSQLDatabase+")")
	fs.StringVar(&o.format, "format", "table", "table, csv or json (one object per row)")
	fs.DurationVar(&o.timeout, "timeout", 0, "longest the statement may run, 0 for no limit (default: sql.query_timeout, else 10m)")
	fs.Int64Var(&o.maxRows, "max-rows", 0, "most rows the result may have, 0 for no limit (default: sql.max_rows, else 1000000)")
	fs.StringVar(&o.warehouseDir, "warehouse-dir", "", "warehouse root (default: warehouse.location in hetl.yaml)")
}

func (o *sqlQueryOptions) Validate() error {
	if !oneOf(o.format, "table", "csv", "json") {
		return usagef("--format %q: want table, csv or json", o.format)
	}
	if o.timeout < 0 || o.maxRows < 0 {
		return usagef("--timeout and --max-rows must not be negative")
	}
	return nil
}

func newSQLQueryCommand(g *globalOptions, b SQLBackend) *cobra.Command {
	o := &sqlQueryOptions{}
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run one read-only SQL statement over the warehouse's tables and print the result",
		Long: `query runs one statement (MySQL dialect) on the same engine as 'hetl sql serve', in
this process, without a server: the tables and databases of the sql: section of
hetl.yaml, partition and row-group pruning, nothing written. SQL "-" reads the
statement from stdin.

table is aligned like the mysql client's (NULL as NULL, numbers right-aligned); csv
has a header line, NULL as an empty field and the empty string as ""; json is one
object per row, numbers as numbers. A result with more than --max-rows rows fails
(exit code 1) rather than being cut short: table prints nothing, csv and json stop
after --max-rows rows.

The engine runs in the companion program hetl-sql (found beside hetl, on PATH or
through $HETL_SQL), which this command starts with the same arguments.`,
		Example: `  hetl sql query "SELECT country, SUM(events) FROM agg_events_hourly WHERE dt = '2026-11-21' GROUP BY country"
  hetl sql query --format csv "SELECT * FROM agg_events_hourly WHERE dt = '2026-11-21' AND hr = '09'" > nine.csv
  echo "SHOW TABLES" | hetl sql query -`,
		Args: exactArgs(1),
	}
	o.AddFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.Validate(); err != nil {
			return err
		}
		if b == nil {
			return forwardSQL(cmd, args, 5*time.Second)
		}
		query := args[0]
		if query == "-" {
			in, err := io.ReadAll(bufio.NewReader(cmd.InOrStdin()))
			if err != nil {
				return fmt.Errorf("read the statement from stdin: %w", err)
			}
			query = string(in)
		}
		if strings.TrimSpace(query) == "" {
			return usagef("no SQL statement")
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			s := e.cfg.SQL
			timeout, maxRows := s.QueryTimeout, s.MaxRows
			if cmd.Flags().Changed("timeout") {
				timeout = o.timeout
			}
			if cmd.Flags().Changed("max-rows") {
				maxRows = o.maxRows
			}
			dbs := s.DatabaseTables()
			db := o.database
			if db == "" {
				db = defaultSQLDatabase(dbs)
			}
			if _, ok := dbs[db]; !ok {
				return usagef("--database %q: the sql: section has %s", db, strings.Join(s.DatabaseNames(), ", "))
			}
			fsys, err := openWarehouse(ctx, e.cfg, o.warehouseDir)
			if err != nil {
				return err
			}
			if timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeoutCause(ctx, timeout, errSQLTimeout)
				defer cancel()
			}
			err = runSQLQuery(ctx, b, SQLQueryRequest{FS: fsys, Databases: dbs, Database: db, Query: query}, o.format, maxRows, out)
			if errors.Is(context.Cause(ctx), errSQLTimeout) {
				return fmt.Errorf("the statement ran longer than %s (--timeout, sql.query_timeout) and was stopped; filter on dt/hr to read fewer partitions", timeout)
			}
			return err
		})(cmd, args)
	}
	return cmd
}

var errSQLTimeout = errors.New("sql query timeout")

// defaultSQLDatabase is the one database, else the default one, else the
// first by name.
func defaultSQLDatabase(dbs map[string][]string) string {
	if _, ok := dbs[config.DefaultSQLDatabase]; ok || len(dbs) == 0 {
		return config.DefaultSQLDatabase
	}
	names := make([]string, 0, len(dbs))
	for n := range dbs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names[0]
}

func runSQLQuery(ctx context.Context, b SQLBackend, req SQLQueryRequest, format string, maxRows int64, out io.Writer) error {
	start := time.Now()
	rows, err := b.Query(ctx, req)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols := rows.Columns()
	w := newResultWriter(format, cols, out)
	if format != "table" {
		defer w.out.Flush() // csv and json keep the rows printed before an error
	}
	var n int64
	for {
		row, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		n++
		if maxRows > 0 && n > maxRows {
			return fmt.Errorf("the result has more than %d rows (--max-rows, sql.max_rows); add a LIMIT, filter on dt/hr, or aggregate", maxRows)
		}
		if err := w.row(row); err != nil {
			return err
		}
	}
	return w.end(n, time.Since(start))
}

// resultWriter prints a result in one of the formats.
type resultWriter struct {
	format string
	cols   []SQLColumn
	out    *bufio.Writer
	table  [][]string // table: kept until the widths are known
}

func newResultWriter(format string, cols []SQLColumn, out io.Writer) *resultWriter {
	w := &resultWriter{format: format, cols: cols, out: bufio.NewWriter(out)}
	if format == "csv" {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = csvField([]byte(c.Name))
		}
		w.out.WriteString(strings.Join(names, ",") + "\n")
	}
	return w
}

func (w *resultWriter) row(vals [][]byte) error {
	switch w.format {
	case "table":
		line := make([]string, len(vals))
		for i, v := range vals {
			switch {
			case v == nil:
				line[i] = "NULL"
			case utf8.Valid(v):
				line[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(string(v))
			default:
				line[i] = "0x" + strings.ToUpper(hex.EncodeToString(v))
			}
		}
		w.table = append(w.table, line)
		return nil
	case "csv":
		fields := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				fields[i] = csvField(v)
			}
		}
		_, err := w.out.WriteString(strings.Join(fields, ",") + "\n")
		return err
	}
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			sb.WriteByte(',')
		}
		k, _ := json.Marshal(w.cols[i].Name)
		sb.Write(k)
		sb.WriteByte(':')
		switch {
		case v == nil:
			sb.WriteString("null")
		case w.cols[i].Numeric && isJSONNumber(v):
			sb.Write(v)
		case utf8.Valid(v):
			s, _ := json.Marshal(string(v))
			sb.Write(s)
		default:
			sb.WriteString(`"0x` + strings.ToUpper(hex.EncodeToString(v)) + `"`)
		}
	}
	sb.WriteString("}\n")
	_, err := w.out.WriteString(sb.String())
	return err
}

func (w *resultWriter) end(n int64, took time.Duration) error {
	if w.format == "table" {
		if len(w.cols) > 0 {
			header := make([]string, len(w.cols))
			right := make([]bool, len(w.cols))
			for i, c := range w.cols {
				header[i], right[i] = c.Name, c.Numeric
			}
			w.out.WriteString(renderTable(header, w.table, right))
		}
		unit := "rows"
		if n == 1 {
			unit = "row"
		}
		fmt.Fprintf(w.out, "%d %s in set (%.2f sec)\n", n, unit, took.Seconds())
	}
	return w.out.Flush()
}

// csvField quotes a value when it must be, and the empty string always
// (an empty field is NULL).
func csvField(v []byte) string {
	s := string(v)
	if !utf8.Valid(v) {
		return "0x" + strings.ToUpper(hex.EncodeToString(v))
	}
	if s == "" || strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func isJSONNumber(v []byte) bool {
	if _, err := strconv.ParseFloat(string(v), 64); err != nil {
		return false
	}
	return json.Valid(v)
}
