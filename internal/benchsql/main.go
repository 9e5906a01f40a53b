package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/shopspring/decimal"

	"github.com/hetl/hetl/sql/engine"
	"github.com/hetl/hetl/sql/password"
	"github.com/hetl/hetl/sql/server"
	"github.com/hetl/hetl/warehouse"
)

// First is the first generated hour: a year of 2025 is 8760 hours.
var First = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Query is one analyst query; the same text runs in hetl and DuckDB.
// From and To are the days it reads (inclusive): DuckDB is also timed
// reading only their files, as if it had hetl's partition pruning.
type Query struct {
	Name string `json:"name"`
	SQL  string `json:"sql"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Queries are the typical analyst queries over agg_events_hourly.
var Queries = []Query{
	{"one day by event type and country", `SELECT event_type, country, SUM(events) AS events, SUM(errors) AS errors, SUM(distinct_users) AS user_hours
FROM agg_events_hourly WHERE dt = '2025-06-04' GROUP BY event_type, country ORDER BY event_type, country`, "2025-06-04", "2025-06-04"},
	{"one week by event type and country", `SELECT event_type, country, SUM(events) AS events, SUM(errors) AS errors, SUM(distinct_users) AS user_hours
FROM agg_events_hourly WHERE dt BETWEEN '2025-06-02' AND '2025-06-08' GROUP BY event_type, country ORDER BY event_type, country`, "2025-06-02", "2025-06-08"},
	{"one month by event type and country", `SELECT event_type, country, SUM(events) AS events, SUM(errors) AS errors, SUM(distinct_users) AS user_hours
FROM agg_events_hourly WHERE dt BETWEEN '2025-06-01' AND '2025-06-30' GROUP BY event_type, country ORDER BY event_type, country`, "2025-06-01", "2025-06-30"},
	{"one week (window_start) error rate by plan and os", "SELECT `plan`, os, SUM(events) AS events, SUM(errors) / SUM(events) AS error_rate, MAX(p95_latency_ms) AS worst_p95\n" +
		"FROM agg_events_hourly WHERE window_start >= '2025-06-02 00:00:00' AND window_start < '2025-06-09 00:00:00' GROUP BY `plan`, os ORDER BY `plan`, os", "2025-06-02", "2025-06-08"},
	{"one week hourly trend", `SELECT window_start, SUM(events) AS events, AVG(avg_latency_ms) AS avg_latency
FROM agg_events_hourly WHERE dt BETWEEN '2025-06-02' AND '2025-06-08' GROUP BY window_start ORDER BY window_start`, "2025-06-02", "2025-06-08"},
	{"top 10 countries by events in a month", `SELECT country, SUM(events) AS events
FROM agg_events_hourly WHERE dt BETWEEN '2025-06-01' AND '2025-06-30' GROUP BY country ORDER BY events DESC LIMIT 10`, "2025-06-01", "2025-06-30"},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchsql gen|queries|run -dir DIR [-hours N] [-n N] [-cpuprofile FILE]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", "", "warehouse directory")
	hours := fs.Int("hours", 8760, "hours to generate from 2025-01-01T00")
	n := fs.Int("n", 20, "timed runs of each query")
	prof := fs.String("cpuprofile", "", "write a CPU profile of run here")
	memprof := fs.String("memprofile", "", "write an allocation profile of run here")
	only := fs.String("only", "", "run only the queries whose name contains this")
	show := fs.Bool("show", false, "print each query's result rows to stderr")
	adhoc := fs.String("sql", "", "run this query instead of the analyst queries")
	fs.Parse(os.Args[2:])
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "gen":
		var fsys warehouse.FS
		if fsys, err = warehouse.NewLocalFS(*dir); err == nil {
			start := time.Now()
			err = gen(ctx, fsys, First, *hours, os.Stderr)
			fmt.Fprintf(os.Stderr, "generated %d hours in %s\n", *hours, time.Since(start).Round(time.Second))
		}
	case "queries":
		err = json.NewEncoder(os.Stdout).Encode(Queries)
	case "run":
		if *prof != "" {
			f, perr := os.Create(*prof)
			if perr != nil {
				err = perr
				break
			}
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		if *adhoc != "" {
			Queries = []Query{{Name: "ad hoc", SQL: *adhoc}}
		}
		if *memprof != "" {
			runtime.MemProfileRate = 64 << 10
		}
		err = run(ctx, *dir, *n, *only, *show)
		if *memprof != "" {
			if f, perr := os.Create(*memprof); perr == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchsql:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// run times each query: one untimed first run (it reads the table's
// manifest), then n timed runs. One line per query, tab-separated:
// name, p50 ms, p95 ms, first run ms, rows, files opened per run,
// digest, p50 of the process's CPU time per run (ms; the machine's load
// changes it less than the elapsed time), p50 over the wire (ms).
func run(ctx context.Context, dir string, n int, only string, show bool) error {
	fsys, err := warehouse.NewLocalFS(dir)
	if err != nil {
		return err
	}
	e, err := engine.New(engine.Options{FS: fsys})
	if err != nil {
		return err
	}
	// The endpoint gets an engine of its own: serving turns on
	// authentication in the engine it serves.
	served, err := engine.New(engine.Options{FS: fsys})
	if err != nil {
		return err
	}
	db, stop, err := overTheWire(served)
	if err != nil {
		return err
	}
	defer stop()
	for _, q := range Queries {
		if !strings.Contains(q.Name, only) {
			continue
		}
		t0 := time.Now()
		first, err := result(ctx, e, q.SQL)
		if err != nil {
			return fmt.Errorf("%s: %w", q.Name, err)
		}
		firstMS := ms(time.Since(t0))
		if show {
			fmt.Fprintf(os.Stderr, "%s:\n  %s\n", q.Name, strings.Join(first, "\n  "))
		}
		var times, cpus []float64
		files0 := e.Stats.FilesOpened.Load()
		for range n {
			t, c := time.Now(), cpuTime()
			res, err := result(ctx, e, q.SQL)
			if err != nil {
				return fmt.Errorf("%s: %w", q.Name, err)
			}
			times = append(times, ms(time.Since(t)))
			cpus = append(cpus, ms(cpuTime()-c))
			if digest(res) != digest(first) {
				return fmt.Errorf("%s: two runs gave different results", q.Name)
			}
		}
		files := (e.Stats.FilesOpened.Load() - files0) / int64(max(n, 1))
		// The same query through hetl-sql's endpoint (sql/server, in this
		// process) and go-sql-driver/mysql: the wire's share.
		var wire []float64
		for range n {
			t := time.Now()
			got, err := wireRows(ctx, db, q.SQL)
			if err != nil {
				return fmt.Errorf("%s over the wire: %w", q.Name, err)
			}
			wire = append(wire, ms(time.Since(t)))
			if got != len(first) {
				return fmt.Errorf("%s: %d rows over the wire, %d in-process", q.Name, got, len(first))
			}
		}
		fmt.Printf("%s\t%.1f\t%.1f\t%.1f\t%d\t%d\t%s\t%.1f\t%.1f\n", q.Name, percentile(times, 0.5), percentile(times, 0.95), firstMS, len(first), files, digest(first), percentile(cpus, 0.5), percentile(wire, 0.5))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile is the nearest-rank percentile of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[int(math.Ceil(p*float64(len(s))))-1]
}

// result runs q and renders each row as text the DuckDB side renders the
// same way (see scripts/bench-sql.py): NULL, integers (integral numbers
// too) in full, other numbers with 9 significant digits, times as
// "YYYY-MM-DD hh:mm:ss".
func result(ctx context.Context, e *engine.Engine, q string) ([]string, error) {
	rows, err := e.Query(ctx, engine.DefaultDatabase, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		r, err := rows.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rows.Close()
			return nil, err
		}
		parts := make([]string, len(r))
		for i, v := range r {
			parts[i] = render(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rows.Close()
}

func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case float64:
		return number(x)
	case float32:
		return number(float64(x))
	case decimal.Decimal:
		if x.IsInteger() {
			return x.String()
		}
		f, _ := x.Float64()
		return number(f)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05")
	}
	return fmt.Sprint(v)
}

func number(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.9g", f)
}

// digest is a short hash of a result's rows, in order.
func digest(rows []string) string {
	h := sha256.Sum256([]byte(strings.Join(rows, "\n")))
	return fmt.Sprintf("%x", h[:6])
}

// overTheWire serves e on a local port through sql/server (what
// hetl-sql serve runs) and connects to it with go-sql-driver/mysql.
func overTheWire(e *engine.Engine) (*sql.DB, func(), error) {
	const user, pass = "bench", "bench password"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	o := server.DefaultOptions()
	o.Engine, o.Listener, o.MaxRows = e, ln, 0
	o.Users = []server.User{{Name: user, Hash: password.NativeHash(pass), Databases: e.Databases()}}
	o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := server.Start(o)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	db, err := sql.Open("mysql", fmt.Sprintf("%s:%s@tcp(%s)/%s", user, pass, srv.Addr(), engine.DefaultDatabase))
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	return db, func() { db.Close(); srv.Close() }, nil
}

// wireRows runs q over the connection and counts its rows (every value
// read as text, as a client does).
func wireRows(ctx context.Context, db *sql.DB, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
