package ddl

import (
	"context"
	"database/sql"
	"path"
	"sort"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/demo"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

// Tables the importer itself publishes, from the embedded demo server:
// a partitioned Parquet import and an escaped text import are described
// with the columns the server has and the partitions the importer wrote,
// and print in every dialect (parsed by sqlglot when it is installed).
func TestDescribeRealImports(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded demo MySQL server")
	}
	testcluster.DemoMySQL(t)
	ctx := context.Background()
	srv, err := demo.StartEmbedded(ctx, demo.EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	db, err := sql.Open("mysql", srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := demo.Seed(ctx, db, demo.SeedOptions{Rows: 400, Hours: 3, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	fsys, err := warehouse.NewLocalFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	run := func(mod func(*ingest.Options)) {
		t.Helper()
		o := ingest.Options{Source: srv.Config(), FS: fsys, Mappers: 2, Embedded: true}
		mod(&o)
		if _, err := ingest.Run(ctx, o); err != nil {
			t.Fatalf("import %s: %v", o.Table, err)
		}
	}
	run(func(o *ingest.Options) {
		o.Table, o.Dir, o.Format = "events", "demo/events", format.Parquet
		o.PartitionBy, o.PartitionGranularity = "created_at", ingest.ByHour
	})
	run(func(o *ingest.Options) {
		o.Table, o.Dir, o.Format = "users", "demo/users", format.Text
		o.Text = format.TextOptions{FieldsTerminatedBy: '\t', EscapedBy: '\\'}
	})

	events, err := Describe(ctx, fsys, "demo/events", "demo.events")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range events.Columns {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, ","); got != "id,user_id,device_id,event_type,ip,user_agent,message,latency_ms,status,created_at" {
		t.Errorf("events columns: %s", got)
	}
	m, err := ingest.ReadManifest(ctx, fsys, "demo/events")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, f := range m.Files {
		dirs[path.Dir(f.Path)] = true
	}
	var want, got []string
	for d := range dirs {
		want = append(want, d)
	}
	sort.Strings(want)
	for _, p := range events.Partitions {
		got = append(got, p.Path)
	}
	if len(got) < 3 || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("events partitions %v, want the importer's %v", got, want)
	}

	users, err := Describe(ctx, fsys, "demo/users", "demo.users")
	if err != nil {
		t.Fatal(err)
	}
	if users.Format != Text || users.Text == nil || users.Text.FieldsTerminatedBy != "\t" || users.Text.EscapedBy != `\` || len(users.PartitionKeys) != 0 {
		t.Errorf("users: format %s, layout %+v, keys %v", users.Format, users.Text, users.PartitionKeys)
	}

	o := DefaultOptions() // the location comes from the local warehouse
	var cases []parseCase
	for _, d := range Dialects {
		cases = append(cases, expectations(t, "events/"+string(d), d, events, o)...)
		if d != Trino { // refused: escaped text (see TestRefusals)
			cases = append(cases, expectations(t, "users/"+string(d), d, users, o)...)
		}
		s, _ := d.Script(events, o)
		if !strings.Contains(s, "file:"+fsys.Root()+"/demo/events") {
			t.Errorf("%s: the script does not locate the table in the warehouse:\n%s", d, s)
		}
	}
	python, env := sqlglotEnv(t)
	for i, errs := range runSqlglotCheck(t, python, env, cases) {
		if len(errs) > 0 {
			t.Errorf("%s:\n%s\n  %s", cases[i].ID, cases[i].SQL, strings.Join(errs, "\n  "))
		}
	}
}
