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

func TestReimportCLI(t *testing.T) {
	srv := testcluster.MySQL(t)
	dir := t.TempDir()
	t.Chdir(dir)
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte("warehouse:\n  location: "+dir+"/wh\nmetastore:\n  url: sqlite:"+dir+"/ms.db\n"), 0o644)
	t.Setenv("HETL_CONFIG", cfg)
	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_reimport_cli_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".ev (id INT PRIMARY KEY, v INT, created_at DATETIME NOT NULL)",
		"INSERT INTO " + db + ".ev SELECT seq, seq, '2026-11-21 00:00:00' + INTERVAL ((seq - 1) * 36) SECOND FROM " + db + ".seq_1_to_400",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), db)
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errOut := run(t, args...)
		if code != ExitOK {
			t.Fatalf("hetl %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
		}
		return out
	}
	mustRun("job", "create", "ev", "--", "--connect", url, "--table", "ev", "--partition-by", "created_at:hour",
		"--incremental", "append", "--check-column", "id", "-m", "1")
	mustRun("job", "exec", "ev")
	admin.Exec("UPDATE " + db + ".ev SET v = -v WHERE HOUR(created_at) = 1")
	admin.Exec("DELETE FROM " + db + ".ev WHERE HOUR(created_at) = 2 AND id % 2 = 0")

	out := mustRun("reimport", "ev", "--from", "2026-11-21T01", "--to", "2026-11-21T03", "--dry-run")
	for _, re := range []string{`dt=2026-11-21/hr=01 +100 +100`, `dt=2026-11-21/hr=02 +100 +50`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("dry run lacks %s:\n%s", re, out)
		}
	}
	out = mustRun("reimport", "ev", "--partition", "dt=2026-11-21/hr=01", "--partition", "dt=2026-11-21/hr=02")
	if !strings.Contains(out, "reimported ev: 150 rows") || !strings.Contains(out, "replaced partitions: dt=2026-11-21/hr=01, dt=2026-11-21/hr=02") {
		t.Errorf("reimport: %s", out)
	}
	if out := mustRun("job", "show", "ev"); !strings.Contains(out, "succeeded") || !strings.Contains(out, `"changed_partitions":["dt=2026-11-21/hr=01","dt=2026-11-21/hr=02"]`) {
		t.Errorf("show after reimport:\n%s", out)
	}
	body, _ := os.ReadFile(filepath.Join(dir, "wh", "ev", "_SUCCESS"))
	if !strings.Contains(string(body), `"rows": 350`) || !strings.Contains(string(body), `"next_value": "400"`) {
		t.Errorf("manifest after reimport:\n%s", body)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"reimport", "ev"}, ExitUsage, "give --from and --to, or --partition"},
		{[]string{"reimport", "ev", "--from", "2026-11-21T01"}, ExitUsage, "give both --from and --to"},
		{[]string{"reimport", "ev", "--from", "2026-11-21T03", "--to", "2026-11-21T01"}, ExitUsage, "is not after"},
		{[]string{"reimport", "ev", "--from", "yesterday", "--to", "today"}, ExitUsage, `--from "yesterday"`},
		{[]string{"reimport", "ev", "--partition", "dt=2026-11-21"}, ExitUsage, "want dt=YYYY-MM-DD/hr=HH"},
		{[]string{"reimport", "nope", "--partition", "dt=2026-11-21/hr=01"}, ExitFailure, `no saved job named "nope"`},
	} {
		code, out, errOut := run(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("hetl %s: exit %d (want %d), stderr lacks %q:\n%s%s", strings.Join(tt.args, " "), code, tt.code, tt.want, errOut, out)
		}
	}
}
