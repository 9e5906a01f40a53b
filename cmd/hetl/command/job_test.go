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

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/metastore"
)

func TestSavedJobs(t *testing.T) {
	srv := testcluster.MySQL(t)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte("warehouse:\n  location: "+dir+"/wh\nmetastore:\n  url: sqlite:"+dir+"/ms/metastore.db\n"), 0o644)
	t.Setenv("HETL_CONFIG", cfg)
	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)

	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_job_test_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".ev (id BIGINT PRIMARY KEY, v VARCHAR(10))",
		"INSERT INTO " + db + ".ev SELECT seq, CONCAT('v', seq) FROM " + db + ".seq_1_to_30",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), db)
	target := filepath.Join(dir, "wh", "ev")
	importFlags := []string{"--connect", url, "--table", "ev", "--incremental", "append", "--check-column", "id", "--target-dir", target, "-m", "1"}

	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != ExitOK {
			t.Fatalf("hetl %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	out := mustRun(append([]string{"job", "create", "ev"}, append([]string{"--"}, importFlags...)...)...)
	if !strings.Contains(out, "saved job ev: hetl import --connect "+url) {
		t.Errorf("create: %s", out)
	}
	if out := mustRun("job", "list"); !regexp.MustCompile(`(?m)^ev +import +- +never run +-$`).MatchString(out) {
		t.Errorf("list before any run:\n%s", out)
	}
	if out := mustRun("job", "exec", "ev"); !strings.Contains(out, "imported ev: 30 rows") {
		t.Errorf("first exec: %s", out)
	}
	admin.Exec("INSERT INTO " + db + ".ev SELECT seq, CONCAT('v', seq) FROM " + db + ".seq_31_to_45")
	if out := mustRun("job", "exec", "ev"); !strings.Contains(out, "imported ev: 15 rows") || !strings.Contains(out, "rows after 30 up to 45") {
		t.Errorf("second exec: %s", out)
	}
	if out := mustRun("job", "list"); !regexp.MustCompile(`(?m)^ev +import +\S+ +succeeded +45$`).MatchString(out) {
		t.Errorf("list after runs:\n%s", out)
	}
	out = mustRun("job", "show", "ev")
	if strings.Count(out, "succeeded") != 2 || !strings.Contains(out, "last value: 45") || !strings.Contains(out, `"rows":15`) {
		t.Errorf("show:\n%s", out)
	}
	// Overrides after -- win: start over from 40.
	if out := mustRun("job", "exec", "ev", "--", "--last-value", "40"); !strings.Contains(out, "imported ev: 5 rows") {
		t.Errorf("exec with an override: %s", out)
	}

	// A second execution while one holds the lease is refused.
	store, err := metastore.Open(context.Background(), "sqlite:"+dir+"/ms/metastore.db", metastore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	lease, err := store.AcquireLease(context.Background(), "job:ev", "other-host/1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "job", "exec", "ev")
	if code != ExitFailure || !strings.Contains(errOut, "job ev is already running") || !strings.Contains(errOut, "other-host/1") {
		t.Errorf("concurrent exec: exit %d, %s", code, errOut)
	}
	store.ReleaseLease(context.Background(), lease)

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{append([]string{"job", "create", "ev", "--"}, importFlags...), ExitFailure, "a job named ev exists"},
		{[]string{"job", "create", "bad name", "--", "--connect", url, "--table", "ev"}, ExitUsage, `job name "bad name"`},
		{[]string{"job", "create", "pw", "--", "--connect", url, "--table", "ev", "--password", "x"}, ExitUsage, "cannot hold a password"},
		{[]string{"job", "create", "noflags", "--", "--table", "ev"}, ExitUsage, "exactly one of --connect and --connection"},
		{[]string{"job", "create", "nodash"}, ExitUsage, "put the import flags after --"},
		{[]string{"job", "exec", "missing"}, ExitFailure, `no saved job named "missing"`},
		{[]string{"job", "show", "missing"}, ExitFailure, `no saved job named "missing"`},
	} {
		code, out, errOut := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("hetl %s: exit %d (want %d), stderr lacks %q:\n%s%s", strings.Join(tt.args, " "), code, tt.code, tt.want, errOut, out)
		}
	}
	mustRun("job", "delete", "ev")
	if code, _, errOut := run(t, "job", "exec", "ev"); code != ExitFailure || !strings.Contains(errOut, "no saved job") {
		t.Errorf("exec after delete: %d %s", code, errOut)
	}
	// The data stays.
	if _, err := os.Stat(filepath.Join(target, "_SUCCESS")); err != nil {
		t.Errorf("target after delete: %v", err)
	}
	// Stored specs never hold the password.
	raw, _ := os.ReadFile(filepath.Join(dir, "ms", "metastore.db"))
	if strings.Contains(string(raw), srv.Password) {
		t.Error("the metastore file holds the MySQL password")
	}
}

// Imports declared in hetl.yaml are listed and executed like saved jobs;
// a bad flag is a configuration error naming the file, line and key.
func TestDeclaredImports(t *testing.T) {
	srv := testcluster.MySQL(t)
	dir := t.TempDir()
	t.Chdir(dir)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_decl_test_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".users (id INT PRIMARY KEY, email VARCHAR(40))",
		"INSERT INTO " + db + ".users VALUES (1, 'a@example.com'), (2, 'b@example.org')",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)
	pw := filepath.Join(dir, "mysql.pw")
	os.WriteFile(pw, []byte(srv.Password), 0o600)
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`warehouse:
  location: %[1]s/wh
metastore:
  url: sqlite:%[1]s/ms.db
connections:
  app:
    url: mysql://%[2]s@%[3]s/%[4]s
    password_file: %[5]s
imports:
  users:
    connection: app
    table: users
    incremental: append
    check-column: id
    pii: [email=mask]
    num-mappers: 1
    validate: false
`, dir, srv.User, srv.Addr(), db, pw)), 0o644)
	t.Setenv("HETL_CONFIG", cfg)

	code, out, errOut := run(t, "job", "list")
	if code != ExitOK || !regexp.MustCompile(`(?m)^users +import \(hetl\.yaml\) +- +never run`).MatchString(out) {
		t.Fatalf("list: %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "job", "exec", "users")
	if code != ExitOK || !strings.Contains(out, "imported users: 2 rows") {
		t.Fatalf("exec: %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "wh", "users", "_SUCCESS")); err != nil {
		t.Errorf("declared import's target: %v", err)
	}
	code, out, errOut = run(t, "job", "show", "users")
	if code != ExitOK || !strings.Contains(out, "declared: in "+cfg) || !strings.Contains(out, "--pii email=mask") {
		t.Errorf("show: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "job", "create", "users", "--", "--connection", "app", "--table", "users"); code != ExitFailure || !strings.Contains(errOut, "declares an import named users") {
		t.Errorf("create over a declared name: %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "job", "delete", "users"); code != ExitFailure || !strings.Contains(errOut, "remove it there") {
		t.Errorf("delete a declared import: %d %s", code, errOut)
	}

	// A flag hetl import does not have: exit 3, file, line and key.
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("imports:\n  users:\n    connection: app\n    tabel: users\n"), 0o644)
	code, _, errOut = run(t, "--config", bad, "config", "check")
	if code != ExitConfig || !strings.Contains(errOut, bad+":2: imports.users") || !strings.Contains(errOut, "tabel") {
		t.Errorf("bad declared import: exit %d, %s", code, errOut)
	}
}
