package command

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/go-sql-driver/mysql"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/ingest/source"
	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/jobs/builtin"
	"github.com/hetl/hetl/warehouse"
)

func newDemoCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Create hetl's demo data set and run the demo import",
		Long: `demo creates the data set hetl is built for — users, devices and application events with
realistic skew, late-arriving rows, duplicates, bad rows and injected anomalies — in a MySQL
database or in an embedded MySQL-compatible server, and runs the demo import.`,
		Example: `  # seed a real MySQL database
  hetl demo seed --connect mysql://etl@db:3306/demo --password-file ~/.pw --rows 100000 --hours 24

  # no MySQL needed: seed an embedded server and keep it serving until Ctrl-C
  hetl demo seed --embedded --rows 2000 --hours 3 --keep-running

  # seed the embedded server and import everything into ./.hetl/demo/warehouse
  hetl demo run --rows 20000 --hours 24

  # watch the scheduler run the import and hourly_activity hour by hour, then hetl runs
  hetl demo --schedule`,
		Args: exactArgs(0),
	}
	so := demoScheduleOptions{}
	var schedule bool
	cmd.Flags().BoolVar(&schedule, "schedule", false, "show the scheduler: schedule the events import and hourly_activity over the last hours of demo data, run the daemon until every window is done, add late rows, and print hetl runs and hetl status")
	cmd.Flags().StringVar(&so.dir, "dir", ".hetl/demo-schedule", "with --schedule: where its hetl.yaml, warehouse and metastore go (replaced on each run)")
	cmd.Flags().IntVar(&so.rows, "rows", 1500, "with --schedule: events to seed")
	cmd.Flags().DurationVar(&so.runFor, "schedule-for", time.Minute, "with --schedule: stop after this long at the latest")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if !schedule {
			return cmd.Help()
		}
		if so.rows < 10 || so.runFor <= 0 {
			return usagef("--rows %d, --schedule-for %s: want at least 10 rows and a positive duration", so.rows, so.runFor)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return demoSchedule(ctx, e, so, cmd.ErrOrStderr(), out)
		})(cmd, args)
	}
	cmd.AddCommand(newDemoSeedCommand(g), newDemoRunCommand(g))
	return cmd
}

// seedFlags are shared by demo seed and demo run.
type seedFlags struct {
	rows, hours int
	start       string
	seed        int64
}

func (s *seedFlags) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&s.rows, "rows", 20000, "events to create")
	fs.IntVar(&s.hours, "hours", 24, "hours the events span")
	fs.StringVar(&s.start, "start", "2026-11-21T00", "first hour (UTC): 2006-01-02T15 or RFC 3339")
	fs.Int64Var(&s.seed, "seed", 1, "random seed: the same seed gives the same data")
}

func (s *seedFlags) options() (demo.SeedOptions, error) {
	if s.rows < 1 {
		return demo.SeedOptions{}, usagef("--rows %d: want at least 1", s.rows)
	}
	if s.hours < 1 || s.hours > 8760 {
		return demo.SeedOptions{}, usagef("--hours %d: want 1..8760", s.hours)
	}
	start, err := time.Parse("2006-01-02T15", s.start)
	if err != nil {
		if start, err = time.Parse(time.RFC3339, s.start); err != nil {
			return demo.SeedOptions{}, usagef("--start %q: want 2006-01-02T15 or RFC 3339", s.start)
		}
	}
	return demo.SeedOptions{Rows: s.rows, Hours: s.hours, Start: start.UTC(), Seed: s.seed}, nil
}

type demoSeedOptions struct {
	src         sourceOptions
	seed        seedFlags
	embedded    bool
	keepRunning bool
}

func newDemoSeedCommand(g *globalOptions) *cobra.Command {
	o := &demoSeedOptions{}
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Create the demo tables (users, devices, events) in MySQL or an embedded server",
		Long: `seed drops and creates the demo tables users, devices and events in the database of
--connect (or of a named --connection), or in an embedded MySQL-compatible server with
--embedded, and fills them. The same --seed and options give the same rows.

The data: about rows/20 users (name, email, phone, country, plan) with 1-3 devices each,
and exactly --rows events over --hours hours from --start. Few users make most events
(Zipf), volume follows the time of day, messages are free text that often holds an email
or an IP address. A few percent of events arrive late, about 0.5% are duplicates and 0.5%
are broken (unknown user, negative or missing latency, empty event type, malformed IP).
Two anomalies are injected: a 10-minute burst of failed logins from one /24 network in the
middle hour, and a message never seen before ("kernel: segfault ...") in the last hour.

The password comes from --password-file, -P, $HETL_MYSQL_PASSWORD or the named connection.

--embedded serves the data from memory, on a free loopback port, to the user hetl with a
random password; it is for trying hetl, not for data that matters (no InnoDB, no consistent
snapshot across connections, no binlog) and slows down with size: 20,000 events take
about 10 s, 100,000 several minutes (a real MySQL: about 3 s). The server lives only as
long as this process: with --keep-running it keeps serving until Ctrl-C so you can point
'hetl import' at it (its password is written to a private temporary file, never printed).

A progress bar per table is shown when stderr is a terminal, log lines otherwise; a
summary of the rows made goes to stdout.`,
		Example: `  # a real MySQL or MariaDB database (its demo tables are replaced)
  hetl demo seed --connect mysql://etl@127.0.0.1:3306/demo --password-file ~/.mysql-pw --rows 100000 --hours 48

  # a named connection from hetl.yaml, a given week and seed
  hetl demo seed --connection app --rows 500000 --hours 168 --start 2026-11-16T00 --seed 42

  # no MySQL at all: an embedded server that serves until Ctrl-C
  hetl demo seed --embedded --rows 5000 --hours 6 --keep-running`,
		Args: exactArgs(0),
	}
	o.src.AddFlags(cmd.Flags())
	o.seed.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.embedded, "embedded", false, "seed an embedded in-memory MySQL-compatible server instead of --connect/--connection")
	cmd.Flags().BoolVar(&o.keepRunning, "keep-running", false, "with --embedded: keep serving after seeding, until interrupted")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := o.validate(); err != nil {
			return err
		}
		opts, err := o.seed.options()
		if err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			if o.embedded {
				return o.runEmbedded(ctx, e, opts, cmd.ErrOrStderr(), out)
			}
			cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if cfg.DBName == "" {
				return usagef("--connect/--connection must name the database to seed")
			}
			db, err := source.Open(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			e.log.Info("seeding the demo tables", "addr", cfg.Addr, "database", cfg.DBName, "user", cfg.User)
			return seedAndReport(ctx, db, opts, cmd.ErrOrStderr(), out, e)
		})(cmd, args)
	}
	return cmd
}

func (o *demoSeedOptions) validate() error {
	n := 0
	for _, set := range []bool{o.src.connect != "", o.src.connection != "", o.embedded} {
		if set {
			n++
		}
	}
	if n != 1 {
		return usagef("give exactly one of --connect, --connection and --embedded")
	}
	if o.embedded {
		if o.src.username != "" || o.src.passwordFile != "" || o.src.prompt || o.src.password != "" {
			return usagef("--embedded makes its own user and password: drop --username, --password-file, -P and --password")
		}
		return nil
	}
	if o.keepRunning {
		return usagef("--keep-running needs --embedded")
	}
	return o.src.Validate()
}

func (o *demoSeedOptions) runEmbedded(ctx context.Context, e env, opts demo.SeedOptions, stderr, out io.Writer) error {
	warnEmbeddedSize(e, opts)
	srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
	if err != nil {
		return err
	}
	defer srv.Close()
	db, err := source.Open(ctx, srv.Config())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "embedded MySQL-compatible server (in memory): %s\n", srv.RedactedDSN())
	if err := seedAndReport(ctx, db, opts, stderr, out, e); err != nil {
		return err
	}
	if !o.keepRunning {
		fmt.Fprintln(out, "the embedded server lives only as long as this process: it is gone now (use --keep-running to import from it)")
		return nil
	}
	pwFile, err := writeTempSecret(srv.Password())
	if err != nil {
		return err
	}
	defer os.Remove(pwFile)
	fmt.Fprintf(out, "embedded server on %s, database %s, user %s, password in %s\n", srv.Addr(), srv.Database(), srv.User(), pwFile)
	fmt.Fprintf(out, "try: hetl import --connect mysql://%s@%s/%s --password-file %s --table events --target-dir /tmp/hetl-demo/events\n",
		srv.User(), srv.Addr(), srv.Database(), pwFile)
	fmt.Fprintln(out, "the server lives only as long as this process: serving until interrupted (Ctrl-C)")
	sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-sctx.Done()
	fmt.Fprintln(out, "embedded server stopped")
	return nil
}

// embeddedSlowRows is where seeding the embedded server starts to take
// minutes: its inserts slow down with the table's size.
const embeddedSlowRows = 50_000

func warnEmbeddedSize(e env, opts demo.SeedOptions) {
	if opts.Rows > embeddedSlowRows {
		e.log.Warn("the embedded server fills tables in time growing with the square of their size: expect minutes; a real MySQL (--connect) takes seconds",
			"rows", opts.Rows)
	}
}

// writeTempSecret writes s to a new file only its owner can read.
func writeTempSecret(s string) (string, error) {
	f, err := os.CreateTemp("", "hetl-demo-password-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// seedProgress shows a bar per table on a terminal, and otherwise logs a
// line as each table is done.
type seedProgress struct {
	w   io.Writer
	log *slog.Logger
	bar *progressbar.ProgressBar
}

func (p *seedProgress) update(table string, done, total int) {
	if !isTerminal(p.w) {
		if done == total {
			p.log.Info("seeded", "table", table, "rows", total)
		}
		return
	}
	if done == 0 {
		p.finish()
		if total == 0 {
			return
		}
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(fmt.Sprintf("seed %-8s", table)),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
	}
	if p.bar != nil {
		_ = p.bar.Set(done)
	}
}

func (p *seedProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

func seedAndReport(ctx context.Context, db *sql.DB, opts demo.SeedOptions, stderr, out io.Writer, e env) error {
	p := &seedProgress{w: stderr, log: e.log}
	opts.Progress = p.update
	started := time.Now()
	st, err := demo.Seed(ctx, db, opts)
	p.finish()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS")
	fmt.Fprintf(tw, "users\t%d\ndevices\t%d\nevents\t%d\n", st.Users, st.Devices, st.Events)
	tw.Flush()
	fmt.Fprintf(out, "seeded in %.1fs: %d late rows, %d duplicates, %d bad rows\n", time.Since(started).Seconds(), st.LateRows, st.Duplicates, st.BadRows)
	fmt.Fprintf(out, "anomalies: %d failed logins from %s between %s and %s UTC; %d never-seen messages in the hour of %s UTC\n",
		st.BurstRows, st.BurstNetwork, st.AnomalyWindow.Start.Format("2006-01-02 15:04"), st.AnomalyWindow.End.Format("15:04"),
		st.NovelRows, st.NovelHour.Format("2006-01-02 15:00"))
	return nil
}

type demoRunOptions struct {
	seed         seedFlags
	warehouseDir string
	mappers      int
}

func newDemoRunCommand(g *globalOptions) *cobra.Command {
	o := &demoRunOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Seed the embedded server and import the demo tables into a local warehouse",
		Long: `run is what 'make demo' runs: it starts the embedded MySQL-compatible server, seeds the
demo tables, and imports users, devices and events (events partitioned by hour of
created_at) into the warehouse directory, replacing what an earlier run left. Personal
data is protected on the way in: emails and phone numbers are hashed with a key made for
this run (never stored), IP addresses are masked to their network, and free-text
messages are scrubbed of emails and IPs.`,
		Example: `  hetl demo run
  hetl demo run --rows 200000 --hours 48 --warehouse-dir /tmp/hetl-demo`,
		Args: exactArgs(0),
	}
	o.seed.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.warehouseDir, "warehouse-dir", ".hetl/demo/warehouse", "where the imported tables go")
	cmd.Flags().IntVarP(&o.mappers, "num-mappers", "m", 2, "parallel readers per table")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts, err := o.seed.options()
		if err != nil {
			return err
		}
		if o.mappers < 1 {
			return usagef("-m %d: want at least 1", o.mappers)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return o.run(ctx, e, opts, cmd.ErrOrStderr(), out)
		})(cmd, args)
	}
	return cmd
}

func (o *demoRunOptions) run(ctx context.Context, e env, opts demo.SeedOptions, stderr, out io.Writer) error {
	warnEmbeddedSize(e, opts)
	srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
	if err != nil {
		return err
	}
	defer srv.Close()
	db, err := source.Open(ctx, srv.Config())
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "embedded MySQL-compatible server on %s (in memory; it cannot give imports one consistent snapshot)\n", srv.Addr())
	if err := seedAndReport(ctx, db, opts, stderr, out, e); err != nil {
		return err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return err
	}
	key, err := pii.NewKey(raw[:])
	if err != nil {
		return err
	}
	fsys, err := warehouse.NewLocalFS(o.warehouseDir)
	if err != nil {
		return err
	}
	type job struct {
		table, partitionBy string
		rules              []pii.Rule
	}
	jobs := []job{
		{table: "users", rules: []pii.Rule{{Column: "email", Action: pii.Hash}, {Column: "phone", Action: pii.Hash}, {Column: "name", Action: pii.Mask}}},
		{table: "devices"},
		{table: "events", partitionBy: "created_at", rules: []pii.Rule{{Column: "ip", Action: pii.Mask}, {Column: "message", Action: pii.Scrub}}},
	}
	fmt.Fprintf(out, "\nimporting into %s (PII key fingerprint %s, made for this run only)\n", fsys.Root(), key.Fingerprint())
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	var lines []string
	importOpts := func(j job) ingest.Options {
		iopts := ingest.Options{
			Source: srv.Config(), Table: j.table, FS: fsys, Dir: j.table, Mode: ingest.TargetReplace,
			Mappers: o.mappers, Embedded: true, Log: e.log, Progress: newImportProgress(stderr, e.log),
			PartitionBy: j.partitionBy, PartitionGranularity: ingest.ByHour,
		}
		if len(j.rules) > 0 {
			iopts.PII = piiProtection(j.rules, &key)
		}
		if j.table == "events" {
			// Incremental from the start, so the run below continues
			// from the last value this import publishes.
			iopts.Mode = ingest.TargetMustNotExist
			iopts.Incremental = &ingest.Incremental{Mode: ingest.IncrementalAppend, CheckColumn: "id"}
		}
		return iopts
	}
	for _, j := range jobs {
		iopts := importOpts(j)
		if iopts.Incremental != nil {
			// A demo run starts over.
			if err := fsys.RemoveAll(ctx, j.table); err != nil {
				return err
			}
		}
		m, err := ingest.Run(ctx, iopts)
		if err != nil {
			return fmt.Errorf("import %s: %w", j.table, err)
		}
		parts := map[string]bool{}
		for _, f := range m.Files {
			if i := strings.LastIndexByte(f.Path, '/'); i >= 0 {
				parts[f.Path[:i]] = true
			}
		}
		rate := float64(m.Rows) / max(m.Seconds, 1e-9)
		lines = append(lines, fmt.Sprintf("%s\t%d\t%d\t%d\t%.2f\t%.1f\t%.0f", j.table, m.Rows, len(m.Files), len(parts), float64(m.Bytes)/(1<<20), m.Seconds, rate))
	}
	fmt.Fprintln(out)
	fmt.Fprintln(tw, "TABLE\tROWS\tFILES\tPARTITIONS\tMIB\tSECONDS\tROWS/S")
	for _, l := range lines {
		fmt.Fprintln(tw, l)
	}
	tw.Flush()
	fmt.Fprintf(out, "\nevery table has a _SUCCESS manifest (rows, null counts, schema fingerprint, run id): %s/events/_SUCCESS\n", fsys.Root())

	// The application keeps writing; an incremental import takes exactly
	// the new rows, late ones into the hours they belong to.
	more := max(opts.Rows/10, 1)
	p := &seedProgress{w: stderr, log: e.log}
	added, firstID, err := demo.AddEvents(ctx, db, demo.MoreOptions{Rows: more, Hours: 2, Seed: opts.Seed + 1, Progress: p.update})
	p.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nthe source got %d more events (ids from %d; one in 25 stamped up to 3 hours earlier)\n", added, firstID)
	m, err := ingest.Run(ctx, importOpts(jobs[2]))
	if err != nil {
		return fmt.Errorf("incremental import of events: %w", err)
	}
	inc := m.Incremental
	fmt.Fprintf(out, "incremental import of events: %d rows with id in (%s, %s], into %d partitions: %s\n",
		m.Rows, inc.LastValue, inc.NextValue, len(m.ChangedPartitions), strings.Join(m.ChangedPartitions, ", "))
	fmt.Fprintf(out, "the next run continues after id %s (kept in %s/events/_SUCCESS)\n", inc.NextValue, fsys.Root())
	if err := demoPipeline(ctx, e, fsys, &key, out); err != nil {
		return err
	}
	return o.demoHBase(ctx, e, srv.Config(), piiProtection(jobs[0].rules, &key), stderr, out)
}

// demoHBase imports users into HBase when a gateway is configured, and
// says how to configure one otherwise.
func (o *demoRunOptions) demoHBase(ctx context.Context, e env, src *mysql.Config, protect *ingest.PII, stderr, out io.Writer) error {
	if e.cfg.HBase.Thrift == "" {
		fmt.Fprintln(out, "\nHBase: no gateway configured, so no HBase import. To see users imported into HBase, set hbase.thrift")
		fmt.Fprintln(out, "in the configuration (make cluster-up starts one; its address is HETL_TEST_HBASE_THRIFT in .hetl-test/endpoints.env),")
		fmt.Fprintln(out, "or run: HETL_DEMO_HBASE_THRIFT=host:port make demo")
		return nil
	}
	flags := &hbaseFlags{table: "hetl_demo_users", family: "u", create: true, salt: 4, encoding: "typed", nullMode: "skip", batchRows: 500}
	t, err := flags.target(e.cfg)
	if err != nil {
		return err
	}
	m, err := ingest.Run(ctx, ingest.Options{Source: src, Table: "users", HBase: t, Mappers: o.mappers, Embedded: true,
		PII: protect, Log: e.log, Progress: newImportProgress(stderr, e.log)})
	if err != nil {
		return fmt.Errorf("import users into HBase: %w", err)
	}
	fmt.Fprintf(out, "\nHBase: imported users into %s through %s: %d rows in %.1fs (typed values, 4 salt buckets, the same PII protection)\n", t.Table, e.cfg.HBase.Thrift, m.Rows, m.Seconds)
	fmt.Fprintf(out, "look at them: hetl hbase scan %s --limit 5\n", t.Table)
	return nil
}

// piiProtection builds an import's protection from rules and a key (nil
// when no rule needs one).
func piiProtection(rules []pii.Rule, key *pii.Key) *ingest.PII {
	p := &ingest.PII{Actions: map[string]string{}}
	if key != nil {
		p.KeyFingerprint = key.Fingerprint()
	}
	actions := map[string]pii.Action{}
	for _, r := range rules {
		p.Actions[strings.ToLower(r.Column)] = string(r.Action)
		actions[strings.ToLower(r.Column)] = r.Action
	}
	var plan *pii.Plan
	p.New = func(schema *arrow.Schema) (ingest.Protector, error) {
		var err error
		plan, err = pii.NewPlan(schema, rules, key)
		return plan, err
	}
	p.Raw = func(column string, v []byte) (*string, bool) {
		a := actions[strings.ToLower(column)]
		if a == pii.Drop {
			return nil, false
		}
		if v == nil {
			return nil, true
		}
		s := plan.One(string(v), a)
		return &s, true
	}
	return p
}

// demoPipeline backfills the built-in hourly_activity over every hour
// the events table has, and prints the busiest groups.
func demoPipeline(ctx context.Context, e env, fsys *warehouse.LocalFS, key *pii.Key, out io.Writer) error {
	p, _, err := builtin.Get("hourly_activity")
	if err != nil {
		return err
	}
	t, err := jobs.OpenTable(ctx, fsys, "events")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var windows []jobs.Window
	for _, f := range t.Manifest.Files {
		part := path.Dir(f.Path)
		from, _, err := ingest.PartitionRange(part, ingest.ByHour)
		if err != nil || seen[part] {
			continue
		}
		seen[part] = true
		windows = append(windows, jobs.Window{Start: from})
	}
	sort.Slice(windows, func(a, b int) bool { return windows[a].Start.Before(windows[b].Start) })
	fmt.Fprintf(out, "\npipeline hourly_activity over %d hours (cleanse, join users and devices, anonymize, aggregate):\n", len(windows))
	env := jobs.Env{FS: fsys, PIIKey: key, Log: e.log}
	var in, quarantined, dups int64
	started := time.Now()
	for i, w := range windows {
		res, err := jobs.Run(ctx, "hourly_activity", p, env, jobs.RunOptions{Window: w, RunID: fmt.Sprintf("demo-%s", w.Start.Format("20060102T15"))})
		if err != nil {
			return err
		}
		in += res.RowsIn
		quarantined += sum(res.Quarantined)
		dups += res.Duplicates
		if isTerminal(out) {
			fmt.Fprintf(out, "\r  %d/%d hours", i+1, len(windows))
		}
	}
	if isTerminal(out) {
		fmt.Fprint(out, "\r")
	}
	fmt.Fprintf(out, "  %d events in %d hours in %.1fs: %d quarantined with their reason (%s/%s), %d duplicates dropped\n",
		in, len(windows), time.Since(started).Seconds(), quarantined, fsys.Root(), jobs.QuarantineTable("hourly_activity"), dups)
	agg, err := jobs.OpenTable(ctx, fsys, "agg_events_hourly")
	if err != nil {
		return err
	}
	s, _, err := agg.Scan(ctx, jobs.ScanOptions{Columns: []string{"window_start", "event_type", "country", "plan", "os", "events", "distinct_users", "error_rate", "p95_latency_ms"}})
	if err != nil {
		return err
	}
	defer s.Close()
	recs, err := jobs.Drain(ctx, s)
	if err != nil {
		return err
	}
	type row struct {
		cells  []string
		events int64
	}
	var rows []row
	for _, r := range recs {
		for i := range int(r.NumRows()) {
			var cells []string
			for j := range int(r.NumCols()) {
				cells = append(cells, cellText(r.Column(j), i))
			}
			rows = append(rows, row{cells, r.Column(5).(*array.Int64).Value(i)})
		}
		r.Release()
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].events > rows[b].events })
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  WINDOW\tEVENT\tCOUNTRY\tPLAN\tOS\tEVENTS\tUSERS\tERROR RATE\tP95 MS")
	for _, r := range rows[:min(8, len(rows))] {
		fmt.Fprintln(tw, "  "+strings.Join(r.cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(out, "  %d rows in agg_events_hourly (%s/agg_events_hourly); events_clean feeds the training batch\n", len(rows), fsys.Root())
	return nil
}

// cellText is a value for a table on the terminal.
func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch v := a.(type) {
	case *array.Float64:
		return strconv.FormatFloat(v.Value(i), 'f', 3, 64)
	case *array.Timestamp:
		return time.UnixMicro(int64(v.Value(i))).UTC().Format("2006-01-02T15Z")
	}
	return a.ValueStr(i)
}
