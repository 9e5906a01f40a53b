package command

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/sql/password"
)

// sqlFixture is a MariaDB table imported into a warehouse by hour, and a
// hetl.yaml serving it: database shop (orders) for user analyst, and
// database everything (every table) for admin.
type sqlFixture struct {
	admin      *sql.DB // the source, in MariaDB
	source     string  // its database
	srv        testcluster.MySQLServer
	config     string
	dir        string
	cert, key  string
	caPool     *x509.CertPool
	analystPW  string
	adminPW    string
	orderCount int
}

const sqlOrders = 600

func newSQLFixture(t *testing.T) *sqlFixture {
	t.Helper()
	testcluster.SQLProgram(t)
	t.Setenv("HETL_CONFIG", "")
	dir := t.TempDir()
	t.Chdir(dir)
	var rows []string
	countries := []string{"BR", "DE", "FR", "US", "JP"}
	for i := 1; i <= sqlOrders; i++ {
		note := "NULL"
		switch i % 7 {
		case 0:
			note = "'ação, \"quoted\"'"
		case 3:
			note = "''"
		}
		rows = append(rows, fmt.Sprintf("(%d, '%s', %d.%02d, '2026-11-21 %02d:%02d:%02d', %s)",
			i, countries[i%len(countries)], i%97, i%100, i%6, i%60, (i*7)%60, note))
	}
	url, admin, name := scratchDB(t, "hetl_sqlserve",
		"CREATE TABLE orders (id BIGINT PRIMARY KEY, country CHAR(2) NOT NULL, amount DECIMAL(10,2) NOT NULL, placed DATETIME NOT NULL, note VARCHAR(40) NULL)",
		"INSERT INTO orders VALUES "+strings.Join(rows, ", "),
	)
	f := &sqlFixture{admin: admin, source: name, srv: testcluster.MySQL(t), dir: dir, analystPW: "analyst-pw-1", adminPW: "admin-pw-2", orderCount: sqlOrders}
	wh := filepath.Join(dir, "warehouse")
	if code, out, errOut := run(t, "import", "--connect", url, "--table", "orders", "--partition-by", "placed:hour", "--warehouse-dir", wh); code != ExitOK {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	f.cert, f.key, f.caPool = writeCert(t, dir)
	adminHash := filepath.Join(dir, "admin.hash")
	if err := os.WriteFile(adminHash, []byte(password.NativeHash(f.adminPW)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.config = filepath.Join(dir, "hetl.yaml")
	yaml := fmt.Sprintf(`warehouse:
  location: %s
metastore:
  url: sqlite:%s/meta.db
sql:
  databases:
    shop:
      tables: [orders]
    everything:
      tables: ["*"]
  users:
    analyst:
      password_hash: %q
      databases: [shop]
    admin:
      password_hash_file: %s
      databases: ["*"]
  tls:
    cert_file: %s
    key_file: %s
  max_connections: 4
  query_timeout: 2s
  max_rows: 500
`, wh, dir, password.NativeHash(f.analystPW), adminHash, f.cert, f.key)
	if err := os.WriteFile(f.config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// sourceCSV runs q on the MariaDB source and renders its rows as hetl
// sql query --format csv does (without the header).
func (f *sqlFixture) sourceCSV(t *testing.T, q string) string {
	t.Helper()
	r, err := f.admin.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer r.Close()
	cols, _ := r.Columns()
	var sb strings.Builder
	for r.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fields := make([]string, len(vals))
		for i, v := range vals {
			if v != nil {
				fields[i] = csvField(v)
			}
		}
		sb.WriteString(strings.Join(fields, ",") + "\n")
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// TestSQLQuery runs `hetl sql query` (which runs hetl-sql) over an
// imported MariaDB table and checks its answers against MariaDB's over
// the source rows.
func TestSQLQuery(t *testing.T) {
	f := newSQLFixture(t)
	for _, q := range []string{
		"SELECT country, COUNT(*), SUM(amount), MIN(placed), MAX(placed) FROM orders GROUP BY country ORDER BY country",
		"SELECT id, country, amount, placed, note FROM orders WHERE placed >= '2026-11-21 02:00:00' AND placed < '2026-11-21 03:00:00' ORDER BY id",
		"SELECT note, COUNT(*) FROM orders GROUP BY note ORDER BY note",
	} {
		code, out, errOut := run(t, "sql", "query", "--config", f.config, "--database", "shop", "--format", "csv", q)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", q, code, errOut)
		}
		_, body, _ := strings.Cut(out, "\n")
		if want := f.sourceCSV(t, q); body != want {
			t.Errorf("%s:\nhetl:\n%s\nMariaDB:\n%s", q, body, want)
		}
	}

	code, out, errOut := run(t, "sql", "query", "--config", f.config, "--database", "shop", "SELECT country, COUNT(*) AS n FROM orders WHERE dt = '2026-11-21' AND hr = '05' GROUP BY country ORDER BY country")
	if code != ExitOK || !strings.Contains(out, "| country | n  |") || !strings.Contains(out, "5 rows in set") {
		t.Errorf("table format: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = run(t, "sql", "query", "--config", f.config, "--database", "shop", "--format", "json", "SELECT id, amount, note FROM orders WHERE id IN (3, 7) ORDER BY id")
	if code != ExitOK {
		t.Fatalf("json: exit %d: %s", code, errOut)
	}
	var objs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("json line %q: %v", line, err)
		}
		objs = append(objs, m)
	}
	if len(objs) != 2 || objs[0]["amount"] != 3.03 || objs[0]["note"] != "" || objs[1]["note"] != "ação, \"quoted\"" {
		t.Errorf("json rows: %v", objs)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"SELECT * FROM orders"}, ExitFailure, "more than 500 rows"},
		{[]string{"--max-rows", "0", "SELECT COUNT(*) FROM (SELECT * FROM orders) o"}, ExitOK, "600"},
		{[]string{"--timeout", "200ms", "SELECT SLEEP(3)"}, ExitFailure, "ran longer than 200ms"},
		{[]string{"INSERT INTO orders (id) VALUES (1)"}, ExitFailure, "read-only"},
		{[]string{"--database", "nope", "SELECT 1"}, ExitUsage, "--database \"nope\""},
		{[]string{"--format", "xml", "SELECT 1"}, ExitUsage, "--format"},
		{[]string{"SELECT * FROM everything.nope"}, ExitFailure, "nope"},
	} {
		args := append([]string{"sql", "query", "--config", f.config, "--database", "shop"}, tc.args...)
		code, out, errOut := run(t, args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}
}

func TestSQLHashPassword(t *testing.T) {
	var out, errOut bytes.Buffer
	root := NewRootCommand()
	root.SetArgs([]string{"sql", "hash-password"})
	root.SetIn(strings.NewReader("secret\n"))
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(context.Background()); err != nil || out.String() != "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7\n" {
		t.Errorf("hash-password: %q, %v", out.String(), err)
	}
	root = NewRootCommand()
	root.SetArgs([]string{"sql", "hash-password"})
	root.SetIn(strings.NewReader("\n"))
	root.SetOut(&out)
	root.SetErr(&errOut)
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Error("an empty password was hashed")
	}
}

// TestSQLServe runs `hetl sql serve` (hetl-sql underneath) over an
// imported MariaDB table and talks to it with the MariaDB command-line
// client and go-sql-driver: answers equal MariaDB's over the source rows;
// logins, read-only, per-user databases, limits and TLS are enforced; a
// SIGTERM-like cancel stops it cleanly.
func TestSQLServe(t *testing.T) {
	f := newSQLFixture(t)
	client := testcluster.MySQLClient(t)
	// Without users the endpoint does not start.
	noUsers := filepath.Join(f.dir, "nousers.yaml")
	os.WriteFile(noUsers, []byte("warehouse:\n  location: "+filepath.Join(f.dir, "warehouse")+"\n"), 0o644)
	if code, _, errOut := run(t, "sql", "serve", "--config", noUsers, "--listen", "127.0.0.1:0"); code != ExitFailure || !strings.Contains(errOut, "no SQL users") {
		t.Errorf("serve without users: exit %d: %s", code, errOut)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, []string{"sql", "serve", "--config", f.config, "--listen", "127.0.0.1:0", "--shutdown-grace", "5s"}, &out, &errOut)
	}()
	serving := regexp.MustCompile(`serving SQL on (127\.0\.0\.1:(\d+)) `)
	var m []string
	for deadline := time.Now().Add(60 * time.Second); m == nil; time.Sleep(20 * time.Millisecond) {
		select {
		case code := <-done:
			t.Fatalf("exit %d before serving\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving after 60s\nstdout: %s\nstderr: %s", out.String(), errOut.String())
		}
		m = serving.FindStringSubmatch(out.String())
	}
	addr, port := m[1], m[2]

	// The mysql command-line client, over TLS with the server's
	// certificate verified; the password through MYSQL_PWD, never argv.
	caFile := f.cert
	cli := func(user, pw, db, q string, extra ...string) (string, error) {
		args := append([]string{"--no-defaults", "-h", "127.0.0.1", "-P", port, "-u", user, "--batch", "--ssl-ca=" + caFile, "--ssl-verify-server-cert"}, extra...)
		if db != "" {
			args = append(args, db)
		}
		args = append(args, "-e", q)
		c := exec.Command(client, args...)
		c.Env = append(os.Environ(), "MYSQL_PWD="+pw)
		b, err := c.CombinedOutput()
		return string(b), err
	}
	q := "SELECT country, COUNT(*), SUM(amount), MAX(placed) FROM orders GROUP BY country ORDER BY country"
	got, err := cli("analyst", f.analystPW, "shop", q)
	if err != nil {
		t.Fatalf("mysql client: %v\n%s", err, got)
	}
	wantCmd := exec.Command(client, "--no-defaults", "-h", f.srv.Host, "-P", f.srv.Port, "-u", f.srv.User, "--batch", f.source, "-e", q)
	wantCmd.Env = append(os.Environ(), "MYSQL_PWD="+f.srv.Password)
	want, err := wantCmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mysql client on MariaDB: %v\n%s", err, want)
	}
	if got != string(want) {
		t.Errorf("mysql client, hetl:\n%s\nMariaDB over the source rows:\n%s", got, want)
	}
	if got, err := cli("analyst", f.analystPW, "", "SHOW DATABASES"); err != nil || strings.Contains(got, "everything") || !strings.Contains(got, "shop") {
		t.Errorf("analyst's SHOW DATABASES: %v\n%s", err, got)
	}
	if got, err := cli("analyst", "wrong", "shop", "SELECT 1"); err == nil || !strings.Contains(got, "ERROR 1045") {
		t.Errorf("wrong password with the mysql client: %v\n%s", err, got)
	}
	if got, err := cli("analyst", f.analystPW, "shop", "DELETE FROM orders"); err == nil || !strings.Contains(got, "ERROR 1290") {
		t.Errorf("DELETE with the mysql client: %v\n%s", err, got)
	}
	if got, err := cli("analyst", f.analystPW, "shop", "status"); err != nil || !strings.Contains(got, "Cipher in use is") {
		t.Errorf("the mysql client's connection is not TLS: %v\n%s", err, got)
	}
	otherCA, _, _ := writeCert(t, t.TempDir())
	caFile = otherCA
	if got, err := cli("analyst", f.analystPW, "shop", "SELECT 1"); err == nil {
		t.Errorf("the mysql client accepted a certificate it cannot verify:\n%s", got)
	}
	caFile = f.cert

	// go-sql-driver, over TLS too.
	if err := mysql.RegisterTLSConfig("hetl-sql-test", &tls.Config{RootCAs: f.caPool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	var opened []*sql.DB
	open := func(user, pw, db string, useTLS bool) *sql.DB {
		c := mysql.NewConfig()
		c.User, c.Passwd, c.Net, c.Addr, c.DBName = user, pw, "tcp", addr, db
		if useTLS {
			c.TLSConfig = "hetl-sql-test"
		}
		d, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		opened = append(opened, d)
		return d
	}
	defer func() {
		for _, d := range opened {
			d.Close()
		}
	}()
	code := func(err error) uint16 {
		var me *mysql.MySQLError
		if errors.As(err, &me) {
			return me.Number
		}
		return 0
	}
	analyst := open("analyst", f.analystPW, "shop", true)
	var n int
	var total string
	if err := analyst.QueryRow("SELECT COUNT(*), SUM(amount) FROM orders WHERE placed >= ? AND placed < ?", "2026-11-21 01:00:00", "2026-11-21 04:00:00").Scan(&n, &total); err != nil {
		t.Fatal(err)
	}
	var wantN int
	var wantTotal string
	f.admin.QueryRow("SELECT COUNT(*), SUM(amount) FROM orders WHERE placed >= '2026-11-21 01:00:00' AND placed < '2026-11-21 04:00:00'").Scan(&wantN, &wantTotal)
	if n != wantN || total != wantTotal {
		t.Errorf("go-sql-driver: %d, %s; MariaDB: %d, %s", n, total, wantN, wantTotal)
	}
	for _, tc := range []struct {
		db   *sql.DB
		q    string
		code uint16
	}{
		{analyst, "SELECT COUNT(*) FROM everything.orders", 1044},
		{analyst, "INSERT INTO orders (id) VALUES (0)", 1290},
		{analyst, "SELECT * FROM orders", 1104}, // 600 rows, max_rows 500
		{analyst, "SELECT SLEEP(5)", 3024},      // query_timeout 2s
		{open("admin", f.adminPW, "everything", true), "DROP TABLE orders", 1290},
		{open("analyst", "nope", "shop", true), "SELECT 1", 1045},
		{open("analyst", f.analystPW, "shop", false), "SELECT 1", 0}, // plain text is allowed (require_secure_transport off)
	} {
		var err error
		if r, qerr := tc.db.Query(tc.q); qerr != nil {
			err = qerr
		} else {
			for r.Next() {
			}
			err = r.Err()
			r.Close()
		}
		if code(err) != tc.code {
			t.Errorf("%s: %v, want MySQL error %d", tc.q, err, tc.code)
		}
	}
	if got, err := open("admin", f.adminPW, "everything", true).Query("SELECT COUNT(*) FROM orders"); err != nil {
		t.Errorf("admin reads everything: %v", err)
	} else {
		got.Close()
	}

	// max_connections 4: four held, the fifth refused like MySQL.
	for _, d := range opened {
		d.Close()
	}
	pool := open("analyst", f.analystPW, "shop", false)
	var held []*sql.Conn
	for range 4 {
		c, err := pool.Conn(ctx)
		for i := 0; err != nil && i < 100; i++ { // connections the earlier checks closed may still be counted
			time.Sleep(50 * time.Millisecond)
			c, err = pool.Conn(ctx)
		}
		if err != nil {
			t.Fatalf("connection %d: %v", len(held)+1, err)
		}
		held = append(held, c)
	}
	if err := open("analyst", f.analystPW, "shop", false).Ping(); code(err) != 1040 {
		t.Errorf("a fifth connection: %v, want 1040", err)
	}
	for _, c := range held {
		c.Close()
	}

	cancel()
	select {
	case c := <-done:
		if c != ExitOK {
			t.Errorf("exit %d after the interrupt\nstderr: %s", c, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("still serving 20s after the interrupt")
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Error("still listening after shutdown")
	}
	for _, secret := range []string{f.analystPW, f.adminPW, password.NativeHash(f.analystPW)} {
		if strings.Contains(out.String()+errOut.String(), secret) {
			t.Errorf("a password or hash was printed")
		}
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and its key.
func writeCert(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// Without hetl-sql, hetl sql query says where it looked and how to get it.
func TestSQLProgramMissing(t *testing.T) {
	t.Setenv("HETL_SQL", filepath.Join(t.TempDir(), "hetl-sql"))
	code, _, errOut := run(t, "sql", "query", "SELECT 1")
	if code != ExitFailure || !strings.Contains(errOut, "$HETL_SQL") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	t.Setenv("HETL_SQL", "")
	t.Setenv("PATH", t.TempDir())
	code, _, errOut = run(t, "sql", "serve")
	if code != ExitFailure || !strings.Contains(errOut, "hetl-sql (hetl's SQL engine) not found") || !strings.Contains(errOut, "make build") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// hetl-sql stops when the hetl that started it dies without passing a
// signal on (SIGKILL): it never serves on as an orphan.
func TestSQLServeStopsWithHetl(t *testing.T) {
	testcluster.SQLProgram(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("warehouse:\n  location: %s\nsql:\n  users:\n    a:\n      password_hash: %q\n      databases: [\"*\"]\n",
		filepath.Join(dir, "wh"), password.NativeHash("pw"))), 0o644)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	c := exec.Command(exe, "sql", "serve", "--config", cfg, "--listen", "127.0.0.1:0")
	c.Env = append(os.Environ(), "HETL_TEST_AS_HETL=1")
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	serving := regexp.MustCompile(`serving SQL on (127\.0\.0\.1:\d+) `)
	var m []string
	for deadline := time.Now().Add(60 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = serving.FindStringSubmatch(out.String())
	}
	if m == nil {
		c.Process.Kill()
		c.Wait()
		t.Fatalf("not serving:\n%s", out.String())
	}
	c.Process.Kill() // SIGKILL: hetl cannot pass anything on
	c.Wait()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", m[1], time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatalf("hetl-sql still serves on %s after hetl was killed", m[1])
		}
	}
}
