package command

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestImportHBaseCLI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	hbaseConfig(t, dir)
	url, _, _ := scratchDB(t, "hetl_hbase_cli",
		"CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(40), score DECIMAL(6,2))",
		"INSERT INTO users SELECT seq, CONCAT('u', seq, '@example.com'), seq / 4 FROM seq_1_to_2000")
	table := fmt.Sprintf("hetl_cli_%d", time.Now().UnixNano())
	dropHBaseTableLater(t, table)
	code, out, errOut := run(t, "import", "--connect", url, "--table", "users", "--hbase-table", table, "--column-family", "p",
		"--hbase-create-table", "--hbase-salt-buckets", "4", "--hbase-encoding", "string", "--validate", "-m", "2")
	if code != ExitOK || !strings.Contains(out, "imported users: 2000 rows") || !strings.Contains(out, "→ hbase:"+table) || !strings.Contains(out, "validated: 2000 rows") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// hetl hbase reads it back with the recorded schema.
	code, out, errOut = run(t, "hbase", "scan", table, "--limit", "3")
	if code != ExitOK || !regexp.MustCompile(`\| ROW KEY +\| id +\| email +\| score +\|`).MatchString(out) || !strings.HasSuffix(out, "3 rows\n") || !strings.Contains(out, "@example.com") {
		t.Errorf("hbase scan: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "hbase", "get", table, "42", "--format", "json")
	var row struct {
		Key     string         `json:"key"`
		Columns map[string]any `json:"columns"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &row) != nil || row.Columns["p:email"] != "u42@example.com" || row.Columns["p:score"] != "10.50" {
		t.Errorf("hbase get: exit %d\n%s%s", code, out, errOut)
	}
	// A typed table: numbers come back as JSON numbers.
	typed := table + "_typed"
	dropHBaseTableLater(t, typed)
	if code, out, errOut := run(t, "import", "--connect", url, "--table", "users", "--where", "id <= 10", "--hbase-table", typed, "--column-family", "p", "--hbase-create-table", "-m", "1"); code != ExitOK {
		t.Fatalf("typed import: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "hbase", "get", typed, "7", "--format", "json")
	if code != ExitOK || !strings.Contains(out, `"p:id":7`) || !strings.Contains(out, `"p:score":"1.75"`) {
		t.Errorf("typed get: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "hbase", "get", typed, "99"); code != ExitFailure || !strings.Contains(errOut, "no row") {
		t.Errorf("missing row: exit %d %s", code, errOut)
	}
	if code, _, errOut := run(t, "hbase", "get", typed, "x,y"); code != ExitUsage || !strings.Contains(errOut, "the table's key has 1 column(s) (id)") {
		t.Errorf("bad key: exit %d %s", code, errOut)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--hbase-table", table}, "--hbase-table needs --column-family"},
		{[]string{"--column-family", "p"}, "need --hbase-table"},
		{[]string{"--hbase-table", table, "--column-family", "p", "--hbase-encoding", "json"}, `--hbase-encoding "json"`},
		{[]string{"--hbase-table", table, "--column-family", "p", "--hbase-null-mode", "zero"}, `--hbase-null-mode "zero"`},
		{[]string{"--hbase-table", table, "--column-family", "p", "--hbase-presplit", "4"}, "need --hbase-create-table"},
		{[]string{"--hbase-table", table, "--column-family", "p", "--target-dir", "/x"}, "not both"},
		{[]string{"--hbase-table", "a:b:c", "--column-family", "p"}, "--hbase-table"},
	} {
		code, _, errOut := run(t, append([]string{"import", "--connect", url, "--table", "users"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr lacks %q: %s", tt.args, code, tt.want, errOut)
		}
	}
	// Without a configured gateway the error says how to set one.
	empty := filepath.Join(dir, "empty.yaml")
	os.WriteFile(empty, nil, 0o644)
	t.Setenv("HETL_CONFIG", empty)
	code, _, errOut = run(t, "import", "--connect", url, "--table", "users", "--hbase-table", table, "--column-family", "p")
	if code != ExitUsage || !strings.Contains(errOut, "set hbase.thrift in hetl.yaml") {
		t.Errorf("no gateway: exit %d, %s", code, errOut)
	}
}
