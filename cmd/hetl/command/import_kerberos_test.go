package command

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/config"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

// TestImportExportKerberizedHDFS: `hetl import` from MariaDB into a
// warehouse on the Kerberized HDFS, logged in from the keytab named in
// hetl.yaml, then `hetl export` of the published directory into a copy of
// the table, which must hold the same rows.
func TestImportExportKerberizedHDFS(t *testing.T) {
	srv := testcluster.MySQL(t)
	sec := testcluster.SecureHDFS(t)
	t.Setenv("HETL_CONFIG", "")
	t.Setenv("HADOOP_CONF_DIR", "") // only warehouse.hadoop_conf_dir counts
	t.Setenv("KRB5_CONFIG", "")
	t.Setenv("KRB5CCNAME", filepath.Join(t.TempDir(), "no-ccache")) // the keytab, not some cache, logs in
	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
	t.Chdir(t.TempDir())

	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	db := fmt.Sprintf("krb_import_%d", time.Now().UnixNano())
	for _, q := range []string{
		"CREATE DATABASE " + db,
		"CREATE TABLE " + db + ".orders (id BIGINT PRIMARY KEY, total DECIMAL(10,2), note VARCHAR(40), placed DATETIME(3))",
		"INSERT INTO " + db + ".orders VALUES (1, 10.50, 'a,b', '2026-11-21 00:10:00.123'), (2, NULL, 'kerberos', '2026-11-21 01:00:00'), (3, -0.01, '', NULL)",
		"CREATE TABLE " + db + ".orders_back LIKE " + db + ".orders",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	defer admin.Exec("DROP DATABASE " + db)

	whPath := fmt.Sprintf("/warehouse/krb-%d", time.Now().UnixNano())
	cfg := filepath.Join(t.TempDir(), "hetl.yaml")
	yaml := fmt.Sprintf(`warehouse:
  location: %s%s
  hadoop_conf_dir: %s
  kerberos:
    principal: %s
    keytab: %s
    krb5_conf: %s
metastore:
  url: sqlite:%s
`, sec.NameNode, whPath, sec.ConfDir, sec.Principal, sec.Keytab, sec.Krb5Conf, filepath.Join(t.TempDir(), "meta.db"))
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	defer func() { // remove the test's warehouse
		loc, _ := warehouse.ParseLocation(sec.NameNode + "/warehouse")
		h, err := warehouse.NewHDFS(context.Background(), loc, cfgOptions(t, cfg))
		if err != nil {
			t.Errorf("clean up: %v", err)
			return
		}
		defer h.Close()
		if err := h.RemoveAll(context.Background(), strings.TrimPrefix(whPath, "/warehouse/")); err != nil {
			t.Errorf("clean up: %v", err)
		}
	}()

	if code, out, errOut := run(t, "--config", cfg, "config", "check"); code != ExitOK {
		t.Fatalf("config check: exit %d\n%s\n%s", code, out, errOut)
	}
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), db)
	code, out, errOut := run(t, "--config", cfg, "import", "--connect", url, "--table", "orders", "-m", "2", "--validate")
	if code != ExitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "imported orders: 3 rows") || !strings.Contains(out, "validated: 3 rows") {
		t.Errorf("import summary:\n%s", out)
	}
	code, out, errOut = run(t, "--config", cfg, "export", "--connect", url, "--table", "orders_back",
		"--export-dir", sec.NameNode+whPath+"/orders")
	if code != ExitOK {
		t.Fatalf("export: exit %d\n%s\n%s", code, out, errOut)
	}
	rows := func(table string) string {
		t.Helper()
		var got string
		q := "SELECT GROUP_CONCAT(CONCAT_WS('|', id, IFNULL(total, 'NULL'), note, IFNULL(placed, 'NULL')) ORDER BY id SEPARATOR ';') FROM " + db + "." + table
		if err := admin.QueryRow(q).Scan(&got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if want, got := rows("orders"), rows("orders_back"); got != want {
		t.Fatalf("rows after import and export through the Kerberized HDFS:\n got %s\nwant %s", got, want)
	}
}

// cfgOptions loads a config file and returns its HDFS options.
func cfgOptions(t *testing.T, file string) warehouse.HDFSOptions {
	t.Helper()
	cfg, err := config.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.HDFSOptions()
}
