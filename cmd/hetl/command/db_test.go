package command

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

// scratchDB creates a database with the given statements run in it (in
// a session that allows zero dates) and returns its mysql:// URL.
func scratchDB(t *testing.T, prefix string, stmts ...string) (url string, admin *sql.DB, name string) {
	t.Helper()
	srv := testcluster.MySQL(t)
	cfg, err := mysql.ParseDSN(srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Params = map[string]string{"sql_mode": "''"}
	admin, err = sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	admin.SetMaxOpenConns(1)
	name = fmt.Sprintf("%s_%d", prefix, time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE " + name); admin.Close() })
	if _, err := admin.Exec("USE " + name); err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
	return fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), name), admin, name
}

func TestListDatabasesAndTables(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	url, _, name := scratchDB(t, "hetl_list", "CREATE TABLE b_table (id INT PRIMARY KEY)", "CREATE TABLE a_table (id INT)", "CREATE VIEW v AS SELECT 1")
	code, out, errOut := run(t, "list-databases", "--connect", url)
	if code != ExitOK || !regexp.MustCompile(`(?m)^`+name+`$`).MatchString(out) || strings.Contains(out, "information_schema") {
		t.Errorf("list-databases: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "list-tables", "--connect", url)
	if code != ExitOK || out != "a_table\nb_table\n" {
		t.Errorf("list-tables: exit %d\n%q%s", code, out, errOut)
	}
	noDB := strings.TrimSuffix(url, "/"+name)
	if code, _, errOut := run(t, "list-tables", "--connect", noDB); code != ExitUsage || !strings.Contains(errOut, "or with --database") {
		t.Errorf("list-tables without a database: exit %d, %s", code, errOut)
	}
	if code, out, _ := run(t, "list-tables", "--connect", noDB, "--database", name); code != ExitOK || out != "a_table\nb_table\n" {
		t.Errorf("list-tables --database: exit %d, %q", code, out)
	}
	if code, _, errOut := run(t, "list-tables", "--connect", noDB, "--database", "hetl_no_such_db"); code != ExitFailure || !strings.Contains(errOut, `database "hetl_no_such_db" does not exist`) {
		t.Errorf("unknown database: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "list-databases"); code != ExitUsage || !strings.Contains(errOut, "--connect") {
		t.Errorf("no connection: exit %d, %s", code, errOut)
	}
}

func TestEval(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	url, admin, name := scratchDB(t, "hetl_eval",
		"CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20), amount DECIMAL(8,3), raw VARBINARY(4))",
		"INSERT INTO t VALUES (1, 'ascii', 1.500, 'ab'), (22, '日本語', -0.125, X'00FF'), (333, NULL, NULL, NULL)")
	code, out, errOut := run(t, "eval", "--connect", url, "--query", "SELECT id, name, amount, raw FROM t ORDER BY id")
	want := `+-----+--------+--------+--------+
| id  | name   | amount | raw    |
+-----+--------+--------+--------+
|   1 | ascii  |  1.500 | ab     |
|  22 | 日本語 | -0.125 | 0x00FF |
| 333 | NULL   | NULL   | NULL   |
+-----+--------+--------+--------+
3 rows in set
`
	if code != ExitOK || out != want {
		t.Errorf("exit %d\n%s\nwant\n%s%s", code, out, want, errOut)
	}
	code, out, _ = run(t, "eval", "--connect", url, "-e", "UPDATE t SET amount = 0 WHERE id < 100")
	if code != ExitOK || out != "2 rows affected\n" {
		t.Errorf("update: exit %d, %q", code, out)
	}
	var n int
	admin.QueryRow("SELECT COUNT(*) FROM " + name + ".t WHERE amount = 0").Scan(&n)
	if n != 2 {
		t.Errorf("the update did not happen: %d", n)
	}
	code, out, _ = run(t, "eval", "--connect", url, "-e", "SELECT seq FROM seq_1_to_50", "--max-rows", "3")
	if code != ExitOK || !strings.HasSuffix(out, "50 rows in set; the first 3 shown (--max-rows)\n") || strings.Count(out, "\n") != 8 {
		t.Errorf("max rows: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "eval", "--connect", url, "-e", "SELECT nope FROM t"); code != ExitFailure || !strings.Contains(errOut, "Unknown column 'nope'") {
		t.Errorf("bad query: exit %d, %s", code, errOut)
	}
	if code, _, errOut := run(t, "eval", "--connect", url); code != ExitUsage || !strings.Contains(errOut, "eval needs --query") {
		t.Errorf("no query: exit %d, %s", code, errOut)
	}
}

func TestImportAllTables(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HETL_CONFIG", "")
	url, _, _ := scratchDB(t, "hetl_all",
		"CREATE TABLE a (id INT PRIMARY KEY, v VARCHAR(5))", "INSERT INTO a VALUES (1, 'x'), (2, 'y')",
		"CREATE TABLE b (id INT PRIMARY KEY, at DATETIME)", "INSERT INTO b VALUES (1, '0000-00-00 00:00:00')",
		"CREATE TABLE c (n INT)", "INSERT INTO c VALUES (7), (8), (9)",
		"CREATE TABLE skipme (id INT PRIMARY KEY)")
	wh := filepath.Join(dir, "wh")
	code, out, errOut := run(t, "import-all-tables", "--connect", url, "--warehouse-dir", wh, "--zero-dates", "error", "--exclude-tables", "skipme", "-m", "2")
	if code != ExitFailure || !strings.Contains(errOut, "1 of 3 tables failed") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, re := range []string{`(?m)^a +ok +2 `, `(?m)^b +FAILED +0 .*zero or invalid date`, `(?m)^c +ok +3 `} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("report lacks %s:\n%s", re, out)
		}
	}
	for table, want := range map[string]bool{"a": true, "b": false, "c": true, "skipme": false} {
		_, err := os.Stat(filepath.Join(wh, table, "_SUCCESS"))
		if (err == nil) != want {
			t.Errorf("%s published: %v, want %v", table, err == nil, want)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--exclude-tables", "nope"}, `has no table "nope"`},
		{[]string{"--table", "a"}, "--table applies to hetl import"},
		{[]string{"--where", "id > 1"}, "--where applies to hetl import"},
	} {
		code, _, errOut := run(t, append([]string{"import-all-tables", "--connect", url, "--warehouse-dir", wh}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s", tt.args, code, errOut)
		}
	}
	// Canceled: no further table starts.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e strings.Builder
	if code := Execute(ctx, []string{"import-all-tables", "--connect", url, "--warehouse-dir", filepath.Join(dir, "wh2")}, &o, &e); code == ExitOK {
		t.Errorf("a canceled run succeeded:\n%s", o.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "wh2", "a", "_SUCCESS")); err == nil {
		t.Error("a canceled run published a table")
	}
}
