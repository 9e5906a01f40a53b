package ddl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/internal/testcluster"
)

// The statements are checked with sqlglot (Python, from PyPI), an
// independent parser with Hive, Trino and Spark grammars: each must parse
// in its dialect into exactly the table, columns, types, partition keys,
// locations and properties meant. scripts/install-sqlglot.sh (make
// sqlglot) installs the pinned version into .hetl/pylib; without it the
// test skips, and fails when HETL_REQUIRE_CLUSTER=1 or CI=true.

// sqlglotEnv finds python3 and the sqlglot install.
func sqlglotEnv(t *testing.T) (python string, env []string) {
	t.Helper()
	unavailable := func(why string) {
		t.Helper()
		msg := why + "; run scripts/install-sqlglot.sh (make sqlglot) to check the DDL with sqlglot"
		if testcluster.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		unavailable("python3 is not installed")
	}
	pylib := os.Getenv("HETL_SQLGLOT_PYLIB")
	if pylib == "" {
		pylib = filepath.Join(testcluster.RepoRoot(t), ".hetl", "pylib")
	}
	env = append(os.Environ(), "PYTHONPATH="+pylib)
	cmd := exec.Command(python, "-c", "import sqlglot; print(sqlglot.__version__)")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		unavailable(fmt.Sprintf("sqlglot is not importable from %s (%v: %s)", pylib, err, lines[len(lines)-1]))
	}
	t.Logf("sqlglot %s from %s", strings.TrimSpace(string(out)), pylib)
	return python, env
}

// parseCase is one statement and what it must parse into.
type parseCase struct {
	ID      string         `json:"id"`
	Dialect Dialect        `json:"dialect"`
	SQL     string         `json:"sql"`
	Expect  map[string]any `json:"expect"`
}

// expectations are the statements d prints for t, each with what it means.
func expectations(t *testing.T, id string, d Dialect, tb *Table, o Options) []parseCase {
	t.Helper()
	create, err := d.Create(tb, o)
	if err != nil {
		t.Fatalf("%s: Create: %v", id, err)
	}
	adds, err := d.AddPartitions(tb, o)
	if err != nil {
		t.Fatalf("%s: AddPartitions: %v", id, err)
	}
	p, err := d.prepare(tb, o)
	if err != nil {
		t.Fatal(err)
	}
	hiveSyntax := d == Hive || d == Spark && tb.Format != Parquet
	var cols [][]string
	for _, c := range p.cols {
		cols = append(cols, []string{c.name, c.typ, c.comment})
	}
	var partCols [][]string
	for _, k := range tb.PartitionKeys {
		switch {
		case hiveSyntax:
			partCols = append(partCols, []string{k, "STRING"})
		case d == Trino:
			partCols = append(partCols, []string{k, ""})
			cols = append(cols, []string{k, "VARCHAR", ""})
		default:
			partCols = append(partCols, []string{k, ""})
			cols = append(cols, []string{k, "STRING", ""})
		}
	}
	if partCols == nil {
		partCols = [][]string{}
	}
	catalog := ""
	if d == Trino {
		catalog = strings.ToLower(o.TrinoCatalog)
	}
	formats := map[Format]string{Parquet: "PARQUET", Text: "TEXTFILE", Avro: "AVRO"}
	exp := map[string]any{"kind": "create", "catalog": catalog, "db": p.schema, "table": p.table,
		"if_not_exists": o.IfNotExists, "external": hiveSyntax, "columns": cols, "partition_columns": partCols,
		"partitions_last": !hiveSyntax, "location": p.location, "format": formats[tb.Format]}
	if tb.Format == Text {
		l, null := p.textLayout()
		if hiveSyntax {
			rf := map[string]string{"fields": l.FieldsTerminatedBy, "lines": l.LinesTerminatedBy, "null": null}
			if l.EscapedBy != "" {
				rf["escaped"] = l.EscapedBy
				exp["properties"] = map[string]string{"serialization.escape.crlf": "true"}
			}
			exp["row_format"] = rf
		} else {
			exp["properties"] = map[string]string{"textfile_field_separator": l.FieldsTerminatedBy, "null_format": null}
		}
	}
	cases := []parseCase{{ID: id + "/create", Dialect: d, SQL: create, Expect: exp}}

	var want []map[string]any
	if d == Trino && len(tb.PartitionKeys) > 0 {
		proc := "system.sync_partition_metadata"
		if o.TrinoCatalog != "" {
			proc = strings.ToLower(o.TrinoCatalog) + "." + proc
		}
		want = append(want, map[string]any{"kind": "call", "procedure": proc, "args": []string{p.schema, p.table, "ADD"}})
	} else if len(tb.PartitionKeys) > 0 {
		var batch []map[string]any
		repair := false
		flush := func() {
			if len(batch) > 0 {
				want = append(want, map[string]any{"kind": "add_partitions", "db": p.schema, "table": p.table, "partitions": batch})
				batch = nil
			}
		}
		for _, part := range tb.Partitions {
			if strings.Contains(part.Path, "__HIVE_DEFAULT_PARTITION__") {
				repair = true
				continue
			}
			values := map[string]string{}
			for i, k := range tb.PartitionKeys {
				values[k] = part.Values[i]
			}
			batch = append(batch, map[string]any{"values": values, "location": p.location + "/" + part.Path})
			if len(batch) == o.PartitionsPerStatement {
				flush()
			}
		}
		flush()
		if repair {
			want = append(want, map[string]any{"kind": "repair", "db": p.schema, "table": p.table})
		}
	}
	if len(want) != len(adds) {
		t.Fatalf("%s: %d partition statements, want %d:\n%s", id, len(adds), len(want), strings.Join(adds, "\n"))
	}
	for i, s := range adds {
		cases = append(cases, parseCase{ID: fmt.Sprintf("%s/partitions-%d", id, i), Dialect: d, SQL: s, Expect: want[i]})
	}
	return cases
}

// escapingTable has names, a location and delimiters that need escaping
// or quoting in every dialect.
func escapingTable() (*Table, Options) {
	null := `it's \N`
	tb := &Table{Name: "Raw_DB.Events_2026", Dir: "raw/ev'ents", Format: Text,
		Text: &ingest.TextLayout{FieldsTerminatedBy: "\t", LinesTerminatedBy: "\n", NullString: &null, NullNonString: &null},
		Columns: []Column{
			{Name: "id", Type: arrow.PrimitiveTypes.Int64},
			{Name: `a"b`, Type: arrow.BinaryTypes.String},
			{Name: "c`d", Type: arrow.BinaryTypes.String},
			{Name: `back\slash`, Type: arrow.BinaryTypes.String},
			{Name: "naïve ü", Type: arrow.BinaryTypes.String},
			{Name: "dur", Type: arrow.PrimitiveTypes.Int64, Logical: "time_us"},
		},
		PartitionKeys: []string{"dt", "hr"},
		Partitions: []Partition{
			{Path: "dt=2026-11-21/hr=09", Values: []string{"2026-11-21", "09"}},
			{Path: "dt=2026-11-21/hr=10", Values: []string{"2026-11-21", "10"}},
		},
	}
	o := DefaultOptions()
	o.Location = `hdfs://nn:8020/ware'house\x`
	o.PartitionsPerStatement = 1
	o.TrinoCatalog = "hive"
	o.IfNotExists = false
	return tb, o
}

func TestStatementsParseWithSqlglot(t *testing.T) {
	python, env := sqlglotEnv(t)
	var cases []parseCase
	for _, f := range fixtures {
		tb := describeFixture(t, f)
		for _, d := range Dialects {
			if _, err := d.Create(tb, goldenOptions()); err != nil {
				continue // refused: the golden file has the error
			}
			cases = append(cases, expectations(t, f.name+"/"+string(d), d, tb, goldenOptions())...)
		}
	}
	tb, o := escapingTable()
	for _, d := range Dialects {
		cases = append(cases, expectations(t, "escaping/"+string(d), d, tb, o)...)
	}
	results := runSqlglotCheck(t, python, env, cases)
	for i, errs := range results {
		if len(errs) > 0 {
			t.Errorf("%s (%s):\n%s\n  %s", cases[i].ID, cases[i].Dialect, cases[i].SQL, strings.Join(errs, "\n  "))
		}
	}
	t.Logf("%d statements parsed as meant", len(cases))
}

// runSqlglotCheck runs testdata/sqlglot_check.py over cases and returns
// each case's findings.
func runSqlglotCheck(t *testing.T, python string, env []string, cases []parseCase) [][]string {
	t.Helper()
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join("testdata", "sqlglot_check.py"))
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sqlglot_check.py: %v\n%s", err, stderr.String())
	}
	var results []struct {
		ID     string   `json:"id"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &results); err != nil {
		t.Fatalf("sqlglot_check.py printed %q: %v", out, err)
	}
	if len(results) != len(cases) {
		t.Fatalf("%d results for %d statements", len(results), len(cases))
	}
	found := make([][]string, len(results))
	for i, r := range results {
		if r.ID != cases[i].ID {
			t.Fatalf("result %d is for %s, want %s", i, r.ID, cases[i].ID)
		}
		found[i] = r.Errors
	}
	return found
}

// The check itself must catch what it is there to catch: statements that
// do not parse, or parse into something else than meant.
func TestSqlglotCheckCatchesMistakes(t *testing.T) {
	python, env := sqlglotEnv(t)
	tb := &Table{Name: "db.t", Dir: "t", Format: Parquet,
		Columns:       []Column{{Name: "a", Type: arrow.PrimitiveTypes.Int64}, {Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}}},
		PartitionKeys: []string{"dt", "hr"},
		Partitions: []Partition{
			{Path: "dt=2026-11-21/hr=10", Values: []string{"2026-11-21", "10"}},
			{Path: "dt=2026-11-21/hr=11", Values: []string{"2026-11-21", "11"}},
		}}
	o := DefaultOptions()
	o.Location = "hdfs://nn:8020/wh"
	good := map[Dialect][]parseCase{}
	for _, d := range Dialects {
		good[d] = expectations(t, "good/"+string(d), d, tb, o)
	}
	bad := func(c parseCase, id string, edit func(string) string) parseCase {
		c.ID, c.SQL = id, edit(c.SQL)
		return c
	}
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("%q is not in %s", old, s)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	cases := []parseCase{
		bad(good[Hive][0], "hive: unbalanced parenthesis", replace("\n)", "")),
		bad(good[Hive][0], "hive: another column name", replace("`a`", "`b`")),
		bad(good[Hive][0], "hive: another type", replace("BIGINT", "INT")),
		bad(good[Hive][0], "hive: another location", replace("/wh/t'", "/wh/u'")),
		bad(good[Hive][0], "hive: not external", replace("EXTERNAL ", "")),
		bad(good[Hive][0], "hive: Trino's quoting", replace("`a`", `"a"`)),
		bad(good[Hive][1], "hive: another partition location", replace("hr=11'", "hr=12'")),
		bad(good[Hive][1], "hive: a partition value", replace("`hr`='11'", "`hr`='12'")),
		bad(good[Hive][1], "hive: a broken second clause", replace("PARTITION (`dt`='2026-11-21', `hr`='11')", "PARTITION (`dt`='2026-11-21' `hr`='11')")),
		bad(good[Spark][0], "spark: zoned timestamp", replace("TIMESTAMP_NTZ", "TIMESTAMP")),
		bad(good[Trino][0], "trino: partition keys first", replace("\"a\" BIGINT,", "\"dt\" VARCHAR,\n  \"a\" BIGINT,")),
		bad(good[Trino][0], "trino: backticks", replace(`"a"`, "`a`")),
		bad(good[Trino][1], "trino: another table", replace("'t'", "'u'")),
		bad(good[Trino][1], "trino: not a call", replace("CALL ", "EXECUTE ")),
	}
	for i, errs := range runSqlglotCheck(t, python, env, cases) {
		if len(errs) == 0 {
			t.Errorf("%s: the check found nothing wrong with\n%s", cases[i].ID, cases[i].SQL)
		}
	}
	for d, cs := range good {
		for i, errs := range runSqlglotCheck(t, python, env, cs) {
			if len(errs) > 0 {
				t.Errorf("%s: %s: %v", d, cs[i].ID, errs)
			}
		}
	}
}
