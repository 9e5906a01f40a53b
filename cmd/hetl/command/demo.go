package command

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/pii"
	"github.com/hetl/hetl/ingest/source"
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

  # seed the embedded server and import everything into ./.hetl/demo/warehouse
  hetl demo run --rows 20000 --hours 24`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
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
--connect (or a named --connection), or in an embedded MySQL-compatible server with
--embedded. The same --seed gives the same rows.

With --embedded --keep-running the server keeps serving (until Ctrl-C) so you can point
'hetl import' at it; its address and user are printed, its password goes to a file.`,
		Example: `  hetl demo seed --connect mysql://root@127.0.0.1:3306/demo -P --rows 100000 --hours 48
  hetl demo seed --embedded --rows 5000 --hours 6 --keep-running`,
		Args: exactArgs(0),
	}
	o.src.AddFlags(cmd.Flags())
	o.seed.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&o.embedded, "embedded", false, "use an embedded in-memory MySQL-compatible server")
	cmd.Flags().BoolVar(&o.keepRunning, "keep-running", false, "with --embedded: keep serving until interrupted")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.embedded {
			if o.src.connect != "" || o.src.connection != "" {
				return usagef("give --embedded or --connect/--connection, not both")
			}
		} else if err := o.src.Validate(); err != nil {
			return err
		}
		if o.keepRunning && !o.embedded {
			return usagef("--keep-running needs --embedded")
		}
		opts, err := o.seed.options()
		if err != nil {
			return err
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			var db *sql.DB
			if o.embedded {
				srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
				if err != nil {
					return err
				}
				defer srv.Close()
				if db, err = source.Open(ctx, srv.Config()); err != nil {
					return err
				}
				defer db.Close()
				if err := seedAndReport(ctx, db, opts, cmd.ErrOrStderr(), out, e); err != nil {
					return err
				}
				if !o.keepRunning {
					fmt.Fprintln(out, "the embedded server stops with this process; use --keep-running to import from it")
					return nil
				}
				pwFile, err := writeTempSecret(srv.Password())
				if err != nil {
					return err
				}
				defer os.Remove(pwFile)
				fmt.Fprintf(out, "embedded server on %s, database %s, user %s, password in %s\n", srv.Addr(), srv.Database(), srv.User(), pwFile)
				fmt.Fprintf(out, "try: hetl import --connect mysql://%s@%s/%s --password-file %s --table events --target-dir /tmp/events\n", srv.User(), srv.Addr(), srv.Database(), pwFile)
				fmt.Fprintln(out, "serving until interrupted (Ctrl-C)")
				sctx, stop := signal.NotifyContext(ctx, os.Interrupt)
				defer stop()
				<-sctx.Done()
				return nil
			}
			cfg, err := o.src.mysqlConfig(ctx, e.cfg, e.log, cmd.InOrStdin(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if db, err = source.Open(ctx, cfg); err != nil {
				return err
			}
			defer db.Close()
			return seedAndReport(ctx, db, opts, cmd.ErrOrStderr(), out, e)
		})(cmd, args)
	}
	return cmd
}

func writeTempSecret(s string) (string, error) {
	f, err := os.CreateTemp("", "hetl-demo-password-*")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(s + "\n"); err != nil {
		return "", err
	}
	return f.Name(), nil
}

func seedAndReport(ctx context.Context, db *sql.DB, opts demo.SeedOptions, stderr, out io.Writer, e env) error {
	var bar *importProgress
	if isTerminal(stderr) {
		bar = newImportProgress(stderr, e.log)
	}
	current := ""
	opts.Progress = func(table string, done, total int) {
		if bar == nil {
			if done == total {
				e.log.Info("seeded", "table", table, "rows", total)
			}
			return
		}
		if table != current {
			if current != "" {
				bar.Done()
			}
			current = table
			bar.Start("seed "+table, int64(total))
		}
		bar.Add(int64(done)-bar.rows, 0)
	}
	started := time.Now()
	st, err := demo.Seed(ctx, db, opts)
	if bar != nil && current != "" {
		bar.Done()
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tROWS")
	fmt.Fprintf(tw, "users\t%d\ndevices\t%d\nevents\t%d\n", st.Users, st.Devices, st.Events)
	tw.Flush()
	fmt.Fprintf(out, "seeded in %.1fs: %d late rows, %d duplicates, %d bad rows; anomalies: %d failed logins from %s between %s and %s, %d novel messages in the hour of %s\n",
		time.Since(started).Seconds(), st.LateRows, st.Duplicates, st.BadRows, st.BurstRows, st.BurstNetwork,
		st.BurstStart.Format("15:04"), st.BurstEnd.Format("15:04"), st.NovelRows, st.NovelHour.Format("2006-01-02 15:00"))
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
	for _, j := range jobs {
		iopts := ingest.Options{
			Source: srv.Config(), Table: j.table, FS: fsys, Dir: j.table, Mode: ingest.TargetReplace,
			Mappers: o.mappers, Embedded: true, Log: e.log, Progress: newImportProgress(stderr, e.log),
			PartitionBy: j.partitionBy, PartitionGranularity: ingest.ByHour,
		}
		if len(j.rules) > 0 {
			iopts.PII = piiProtection(j.rules, &key)
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
