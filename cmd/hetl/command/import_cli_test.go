package command

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
)

func TestImportUsage(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	c := []string{"import", "--connect", "mysql://u@127.0.0.1:1/db"}
	with := func(extra ...string) []string { return append(append([]string{}, c...), extra...) }
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--table", "t"}, "exactly one of --connect and --connection"},
		{with(), "exactly one of --table and --query"},
		{with("--table", "t", "--query", "SELECT 1 WHERE $CONDITIONS"), "exactly one of --table and --query"},
		{with("--query", "SELECT 1 WHERE $CONDITIONS"), "--query needs --target-dir"},
		{with("--table", "t", "--target-dir", "/a", "--warehouse-dir", "/b"), "at most one of --target-dir and --warehouse-dir"},
		{with("--table", "t", "-m", "0"), "-m 0: want at least 1"},
		{with("--table", "t", "--as-textfile", "--as-avrodatafile"), "at most one of --as-parquetfile"},
		{with("--table", "t", "--delete-target-dir", "--append"), "at most one of --delete-target-dir and --append"},
		{with("--table", "t", "--enclosed-by", "\"", "--optionally-enclosed-by", "'"), "at most one of --enclosed-by"},
		{with("--table", "t", "--zero-dates", "zero"), "--zero-dates"},
		{with("--table", "t", "--invalid-text", "replace"), `--invalid-text "replace": want error or quarantine`},
		{with("--table", "t", "--row-group-mb", "-1"), "--row-group-mb -1"},
		{with("--table", "t", "--password-file", "/x", "-P"), "at most one of --password-file, -P and --password"},
		{with("--table", "t", "--num-mappers", "x"), `invalid argument "x"`},
		{with("--table", "t", "stray"), "takes 0 argument(s)"},
		{with("--table", "t", "--incremental", "always"), `--incremental "always": want append or lastmodified`},
		{with("--table", "t", "--allow-schema-change", "yes"), `--allow-schema-change "yes": want replace`},
		{with("--table", "t", "--incremental", "append"), "--incremental append needs --check-column"},
		{with("--table", "t", "--check-column", "id"), "need --incremental"},
		{with("--table", "t", "--merge-key", "id"), "need --incremental"},
		{with("--table", "t", "--incremental", "lastmodified", "--check-column", "u", "--lastmodified-lag", "-1s"), "--lastmodified-lag -1s"},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s\nstdout: %s", code, ExitUsage, tt.want, errOut, out)
			}
		})
	}
}

// TestImportCLI drives `hetl import` in-process against MariaDB: the
// connection forms, password sources, target rules, formats, --dry-run
// and the summary, and that the password never shows.
func TestImportCLI(t *testing.T) {
	srv := testcluster.MySQL(t)
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_import_cli_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".orders (id BIGINT UNSIGNED PRIMARY KEY, total DECIMAL(10,2), note VARCHAR(40), placed DATETIME(3))",
		"INSERT INTO " + db + ".orders VALUES (1, 10.50, 'a,b', '2026-11-21 00:10:00.123'), (2, NULL, 'line\\nbreak', '2026-11-21 01:00:00'), (18446744073709551615, -0.01, '', '2026-11-21 01:59:59.999')",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), db)
	jdbc := fmt.Sprintf("jdbc:mysql://%s/%s?useSSL=false", srv.Addr(), db)
	out := t.TempDir()
	noSecret := func(t *testing.T, texts ...string) {
		t.Helper()
		for _, s := range texts {
			if strings.Contains(s, srv.Password) {
				t.Fatalf("the password shows in the output:\n%s", s)
			}
		}
	}

	t.Run("dry run", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
		code, stdout, stderr := run(t, "import", "--connect", url, "--table", "orders", "--target-dir", filepath.Join(out, "dry"), "--dry-run")
		if code != ExitOK {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		for _, want := range []string{"type plan:", "bigint(20) unsigned", "uint64", "decimal(10, 2)", "split plan: key id"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("plan lacks %q:\n%s", want, stdout)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "dry")); !os.IsNotExist(err) {
			t.Errorf("--dry-run created the target (%v)", err)
		}
	})

	t.Run("parquet with password file and jdbc URL, validated", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", "")
		pw := filepath.Join(t.TempDir(), "pw")
		os.WriteFile(pw, []byte(srv.Password+"\n"), 0o600)
		target := filepath.Join(out, "orders")
		args := []string{"import", "--connect", jdbc, "--username", srv.User, "--password-file", pw, "--table", "orders", "--target-dir", target, "--validate", "-m", "2"}
		code, stdout, stderr := run(t, args...)
		noSecret(t, stdout, stderr)
		if code != ExitOK {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !regexp.MustCompile(`imported orders: 3 rows, \d+ files`).MatchString(stdout) || !strings.Contains(stdout, "validated: 3 rows") {
			t.Errorf("summary:\n%s", stdout)
		}
		if _, err := os.Stat(filepath.Join(target, "_SUCCESS")); err != nil {
			t.Errorf("no _SUCCESS: %v", err)
		}
		// Sqoop's rule: an existing target is an error without
		// --delete-target-dir or --append.
		code, _, stderr = run(t, args...)
		if code != ExitFailure || !strings.Contains(stderr, "already exists: use --delete-target-dir") {
			t.Errorf("second import: exit %d, stderr %s", code, stderr)
		}
		code, stdout, stderr = run(t, append(args, "--delete-target-dir")...)
		if code != ExitOK {
			t.Errorf("--delete-target-dir: exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("text with tab delimiter and escaping", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
		target := filepath.Join(out, "orders_txt")
		code, stdout, stderr := run(t, "import", "--connect", url, "--table", "orders", "--target-dir", target,
			"--as-textfile", "--fields-terminated-by", `\t`, "--escaped-by", `\\`, "--null-string", `\N`, "--null-non-string", `\N`, "-m", "1")
		if code != ExitOK {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		files, _ := filepath.Glob(filepath.Join(target, "part-*"))
		var all strings.Builder
		for _, f := range files {
			b, _ := os.ReadFile(f)
			all.Write(b)
		}
		want := "1\t10.50\ta,b\t2026-11-21 00:10:00.123\n" +
			"2\t\\N\tline\\nbreak\t2026-11-21 01:00:00.000\n" + // newline escaped as \n, as Hive reads it
			"18446744073709551615\t-0.01\t\t2026-11-21 01:59:59.999\n"
		if all.String() != want {
			t.Errorf("text output:\n%q\nwant\n%q", all.String(), want)
		}
	})

	t.Run("incremental append twice", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
		target := filepath.Join(out, "orders_inc")
		args := []string{"import", "--connect", url, "--table", "orders", "--target-dir", target, "--incremental", "append", "--check-column", "id"}
		code, stdout, stderr := run(t, args...)
		if code != ExitOK || !strings.Contains(stdout, "imported orders: 3 rows") || !strings.Contains(stdout, "next --last-value 18446744073709551615") {
			t.Fatalf("first: exit %d\n%s\n%s", code, stdout, stderr)
		}
		if _, err := admin.Exec("UPDATE " + db + ".orders SET note = 'changed' WHERE id = 1"); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr = run(t, append(args, "--dry-run")...)
		if code != ExitOK || !strings.Contains(stdout, "rows after 18446744073709551615 (from manifest)") {
			t.Errorf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, stdout, stderr = run(t, args...)
		if code != ExitOK || !strings.Contains(stdout, "imported orders: 0 rows") {
			t.Errorf("second: exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("password on the command line warns and never shows", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", "")
		code, stdout, stderr := run(t, "import", "--connect", url, "--password", srv.Password, "--table", "orders", "--target-dir", filepath.Join(out, "pw"), "--dry-run")
		noSecret(t, stdout, stderr)
		if code != ExitOK || !strings.Contains(stderr, "--password is visible to other users") {
			t.Errorf("exit %d; stderr lacks a warning:\n%s", code, stderr)
		}
	})

	t.Run("wrong password and unknown table fail the work", func(t *testing.T) {
		t.Setenv("HETL_MYSQL_PASSWORD", "not-the-password")
		code, _, stderr := run(t, "import", "--connect", url, "--table", "orders", "--target-dir", filepath.Join(out, "x"))
		if code != ExitFailure || !strings.Contains(stderr, "access denied") || strings.Contains(stderr, "not-the-password") {
			t.Errorf("wrong password: exit %d, stderr %s", code, stderr)
		}
		t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
		code, _, stderr = run(t, "import", "--connect", url, "--table", "nope`; DROP TABLE orders; --", "--target-dir", filepath.Join(out, "y"))
		if code != ExitFailure || !strings.Contains(stderr, "nope") {
			t.Errorf("unknown table: exit %d, stderr %s", code, stderr)
		}
		var n int
		if err := admin.QueryRow("SELECT COUNT(*) FROM " + db + ".orders").Scan(&n); err != nil || n != 3 {
			t.Errorf("orders after the odd table name: %d, %v", n, err)
		}
	})
}
