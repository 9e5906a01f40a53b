package command

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/internal/testcluster"
)

func TestImportHBaseCLI(t *testing.T) {
	srv := testcluster.MySQL(t)
	thrift := testcluster.HBaseThrift(t)
	dir := t.TempDir()
	t.Chdir(dir)
	transport, protocol := testcluster.Setting("HETL_TEST_HBASE_THRIFT_TRANSPORT"), testcluster.Setting("HETL_TEST_HBASE_THRIFT_PROTOCOL")
	if transport == "" {
		transport = "buffered"
	}
	if protocol == "" {
		protocol = "binary"
	}
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("hbase:\n  thrift: %s\n  transport: %s\n  protocol: %s\n", thrift, transport, protocol)), 0o644)
	t.Setenv("HETL_CONFIG", cfg)
	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("hetl_hbase_cli_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".users (id BIGINT PRIMARY KEY, email VARCHAR(40), score DECIMAL(6,2))",
		"INSERT INTO " + db + ".users SELECT seq, CONCAT('u', seq, '@example.com'), seq / 4 FROM " + db + ".seq_1_to_2000",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), db)
	table := fmt.Sprintf("hetl_cli_%d", time.Now().UnixNano())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := hbase.DefaultOptions()
		opts.Transport, opts.Protocol = transport, protocol
		if c, err := hbase.Dial(ctx, thrift, opts); err == nil {
			c.DeleteTable(ctx, hbase.TableName{Name: table})
			c.Close()
		}
	})
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
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		opts := hbase.DefaultOptions()
		opts.Transport, opts.Protocol = transport, protocol
		if c, err := hbase.Dial(ctx, thrift, opts); err == nil {
			c.DeleteTable(ctx, hbase.TableName{Name: typed})
			c.Close()
		}
	})
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
