package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/sql/engine"
	"github.com/hetl/hetl/sql/password"
	"github.com/hetl/hetl/warehouse"
)

var aggSchema = arrow.NewSchema([]arrow.Field{
	{Name: "window_start", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "events", Type: arrow.PrimitiveTypes.Int64},
}, nil)

var countries = []string{"BR", "DE", "FR", "US"}

// publish writes table name over hours hours, one row per country an
// hour, events = hour*10 + country index.
func publish(t *testing.T, fsys warehouse.FS, name string, hours int) {
	t.Helper()
	ctx := context.Background()
	enc, err := ingest.EncodeSchema(aggSchema)
	if err != nil {
		t.Fatal(err)
	}
	fp := ingest.Fingerprint(aggSchema)
	m := ingest.Manifest{Format: "parquet", PartitionBy: "window_start", SchemaFingerprint: fp, Schemas: map[string]string{fp: enc}}
	start := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for h := range hours {
		w := start.Add(time.Duration(h) * time.Hour)
		rel := path.Join(w.Format("dt=2006-01-02/hr=15"), "part-00000.parquet")
		fw, err := format.NewWriter(ctx, fsys, path.Join(name, rel), format.Parquet, aggSchema, format.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rb := array.NewRecordBuilder(memory.DefaultAllocator, aggSchema)
		for c, country := range countries {
			rb.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(w.UnixMicro()))
			rb.Field(1).(*array.StringBuilder).Append(country)
			rb.Field(2).(*array.Int64Builder).Append(int64(h*10 + c))
		}
		rec := rb.NewRecordBatch()
		if err := fw.Write(rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
		rb.Release()
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		m.Files = append(m.Files, ingest.ManifestFile{Path: rel, Rows: int64(len(countries)), Schema: fp})
		m.Rows += int64(len(countries))
	}
	body, _ := json.Marshal(&m)
	f, err := fsys.Create(ctx, path.Join(name, ingest.SuccessFile), warehouse.CreateOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// startServer serves tables agg (2 hours) and big (30 hours) as database
// sales (agg) and ops (everything), with users alice (sales) and root
// (both).
func startServer(t *testing.T, tune func(*Options)) *Server {
	t.Helper()
	fsys := warehouse.NewMemFS()
	publish(t, fsys, "agg", 2)
	publish(t, fsys, "big", 30)
	e, err := engine.New(engine.Options{FS: fsys, Databases: []engine.Database{
		{Name: "sales", Tables: []string{"agg"}},
		{Name: "ops", Tables: []string{"*"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.Engine, o.Addr = e, "127.0.0.1:0"
	o.Users = []User{
		{Name: "alice", Hash: password.NativeHash("alice-pw"), Databases: []string{"sales"}},
		{Name: "root", Hash: password.NativeHash("root-pw"), Databases: []string{"sales", "ops"}},
	}
	if tune != nil {
		tune(&o)
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func open(t *testing.T, s *Server, user, pw, db string, tweak ...func(*mysql.Config)) *sql.DB {
	t.Helper()
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = user, pw, "tcp", s.Addr(), db
	for _, f := range tweak {
		f(c)
	}
	db2, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

// strings of a query's rows, "a|b" each.
func rows(t *testing.T, db *sql.DB, q string) ([]string, error) {
	t.Helper()
	r, err := db.Query(q)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cols, _ := r.Columns()
	var out []string
	for r.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			return nil, err
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, v.String)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, r.Err()
}

func mysqlCode(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

func TestQueriesAndBrowsing(t *testing.T) {
	s := startServer(t, nil)
	db := open(t, s, "root", "root-pw", "sales")
	for q, want := range map[string]string{
		"SELECT country, SUM(events) FROM agg GROUP BY country ORDER BY country": "BR|10 DE|12 FR|14 US|16",
		"SELECT COUNT(*) FROM ops.big WHERE dt = '2026-11-22' AND hr = '03'":     "4",
		"SHOW DATABASES":                    "information_schema mysql ops sales",
		"SHOW TABLES FROM ops":              "agg big",
		"SELECT DATABASE(), CURRENT_USER()": "sales|root@%",
		"SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'sales' ORDER BY ordinal_position": "agg|window_start|datetime agg|country|longtext agg|events|bigint agg|dt|text agg|hr|text",
	} {
		got, err := rows(t, db, q)
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("%s: %q, %v; want %q", q, strings.Join(got, " "), err, want)
		}
	}
	cols, err := rows(t, db, "SHOW COLUMNS FROM agg")
	if err != nil || len(cols) != 5 || !strings.HasPrefix(cols[0], "window_start|datetime") {
		t.Errorf("SHOW COLUMNS: %v, %v", cols, err)
	}
	// Prepared statements (the binary protocol) go through the same checks.
	var n int64
	if err := db.QueryRow("SELECT SUM(events) FROM agg WHERE country = ?", "FR").Scan(&n); err != nil || n != 14 {
		t.Errorf("prepared: %d, %v", n, err)
	}
}

func TestAuthentication(t *testing.T) {
	s := startServer(t, nil)
	if err := open(t, s, "alice", "alice-pw", "").Ping(); err != nil {
		t.Fatalf("alice: %v", err)
	}
	for _, c := range []struct{ user, pw string }{{"alice", "wrong"}, {"alice", ""}, {"nobody", "alice-pw"}, {"root", "alice-pw"}} {
		err := open(t, s, c.user, c.pw, "").Ping()
		if code := mysqlCode(err); code != 1045 {
			t.Errorf("%s/%q: %v, want error 1045 (access denied)", c.user, c.pw, err)
		}
	}
	// No users, no endpoint.
	e, _ := engine.New(engine.Options{FS: warehouse.NewMemFS()})
	if _, err := Start(Options{Engine: e, Addr: "127.0.0.1:0", MaxConnections: 1}); err == nil || !strings.Contains(err.Error(), "no users") {
		t.Errorf("Start without users: %v", err)
	}
}

func TestReadOnly(t *testing.T) {
	s := startServer(t, nil)
	db := open(t, s, "root", "root-pw", "sales")
	for _, q := range []string{
		"INSERT INTO agg (country, events) VALUES ('XX', 1)",
		"UPDATE agg SET events = 0",
		"DELETE FROM agg",
		"CREATE TABLE t (a INT)",
		"DROP TABLE agg",
		"CREATE DATABASE x",
		"CREATE USER 'eve'@'%' IDENTIFIED BY 'x'",
		"GRANT SELECT ON ops.* TO 'alice'@'%'",
		"LOAD DATA INFILE '/etc/passwd' INTO TABLE agg",
	} {
		_, err := db.Exec(q)
		if mysqlCode(err) != 1290 || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("%s: %v, want error 1290 read-only", q, err)
		}
	}
	for _, q := range []string{"SELECT LOAD_FILE('/etc/hostname')", "SET GLOBAL max_connections = 1", "SELECT * FROM agg INTO OUTFILE '/tmp/hetl-out'"} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "not allowed") {
			t.Errorf("%s: %v, want refused", q, err)
		}
	}
	// A write smuggled through SQL-level PREPARE/EXECUTE meets the
	// engine's read-only mode.
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "PREPARE s FROM 'DELETE FROM agg'"); err == nil {
		if _, err := conn.ExecContext(context.Background(), "EXECUTE s"); err == nil {
			t.Error("EXECUTE of a prepared DELETE succeeded")
		}
	}
	conn.Close()
	if got, err := rows(t, db, "SELECT COUNT(*) FROM agg"); err != nil || got[0] != "8" {
		t.Errorf("after refused writes: %v, %v", got, err)
	}
	// The session is the user's to set.
	for _, q := range []string{"SET NAMES utf8mb4", "SET SESSION sql_mode = 'ANSI_QUOTES'", "SET autocommit = 1", "USE ops", "BEGIN", "COMMIT"} {
		if _, err := db.Exec(q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestPerUserDatabases(t *testing.T) {
	s := startServer(t, nil)
	db := open(t, s, "alice", "alice-pw", "sales")
	db.SetMaxOpenConns(1)
	if got, err := rows(t, db, "SHOW DATABASES"); err != nil || strings.Join(got, " ") != "information_schema mysql sales" {
		t.Errorf("alice's databases: %v, %v", got, err)
	}
	if got, err := rows(t, db, "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema <> 'information_schema'"); err != nil || strings.Join(got, " ") != "sales" {
		t.Errorf("alice's information_schema.tables: %v, %v", got, err)
	}
	for _, q := range []string{"SELECT COUNT(*) FROM ops.big", "SELECT COUNT(*) FROM ops.agg", "USE ops", "SELECT * FROM mysql.user"} {
		_, err := rows(t, db, q)
		if code := mysqlCode(err); code != 1044 && code != 1142 && code != 1049 {
			t.Errorf("%s: %v, want access denied", q, err)
		}
	}
	if err := open(t, s, "alice", "alice-pw", "ops").Ping(); mysqlCode(err) != 1044 {
		t.Errorf("connect to ops: %v, want 1044", err)
	}
}

func TestLimits(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.QueryTimeout = 300 * time.Millisecond
		o.MaxRows = 10
		o.MaxConnections = 2
	})
	db := open(t, s, "root", "root-pw", "ops")
	db.SetMaxOpenConns(1)
	start := time.Now()
	_, err := rows(t, db, "SELECT SLEEP(5)")
	if mysqlCode(err) != 3024 || time.Since(start) > 4*time.Second {
		t.Errorf("SLEEP(5) with a 300ms timeout: %v after %s, want error 3024", err, time.Since(start))
	}
	if _, err := rows(t, db, "SELECT * FROM big"); mysqlCode(err) != 1104 || !strings.Contains(err.Error(), "more than 10 rows") {
		t.Errorf("120 rows with max 10: %v, want error 1104", err)
	}
	if got, err := rows(t, db, "SELECT * FROM big LIMIT 10"); err != nil || len(got) != 10 {
		t.Errorf("LIMIT 10: %d rows, %v", len(got), err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM big WHERE events > ?", 0).Scan(&n); err != nil || n != 119 {
		t.Errorf("an aggregate over more rows than the limit: %d, %v", n, err)
	}
	// Prepared (binary protocol): the error comes after the first rows.
	r, err := db.Query("SELECT * FROM big WHERE events >= ?", 0)
	if err == nil {
		for r.Next() {
		}
		err = r.Err()
		r.Close()
	}
	if mysqlCode(err) != 1104 {
		t.Errorf("prepared, 120 rows with max 10: %v, want error 1104", err)
	}
	db.Close()
	waitConns(t, s, 0)

	// Two connections held; the third is refused as MySQL does.
	ctx := context.Background()
	db = open(t, s, "root", "root-pw", "ops")
	db.SetMaxIdleConns(0)
	c1, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	c2, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	err = open(t, s, "root", "root-pw", "ops").Ping()
	if mysqlCode(err) != 1040 {
		t.Errorf("a third connection: %v, want error 1040", err)
	}
	c2.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err = open(t, s, "root", "root-pw", "ops").Ping(); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Errorf("after one closed: %v", err)
	}
}

func TestKillOnlyOwnConnections(t *testing.T) {
	s := startServer(t, nil)
	ctx := context.Background()
	rootConn, err := open(t, s, "root", "root-pw", "sales").Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rootConn.Close()
	var rootID int64
	if err := rootConn.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&rootID); err != nil {
		t.Fatal(err)
	}
	alice := open(t, s, "alice", "alice-pw", "sales")
	if _, err := alice.Exec(fmt.Sprintf("KILL %d", rootID)); mysqlCode(err) != 1094 {
		t.Errorf("alice kills root's connection: %v, want 1094", err)
	}
	if err := rootConn.PingContext(ctx); err != nil {
		t.Errorf("root's connection: %v", err)
	}
	root2 := open(t, s, "root", "root-pw", "sales")
	if _, err := root2.Exec(fmt.Sprintf("KILL QUERY %d", rootID)); err != nil {
		t.Errorf("root kills its own query: %v", err)
	}
	if _, err := root2.Exec(fmt.Sprintf("KILL %d", rootID)); err != nil {
		t.Errorf("root kills its own connection: %v", err)
	}
	if err := rootConn.PingContext(ctx); err == nil {
		t.Error("the killed connection still answers")
	}
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	s := startServer(t, func(o *Options) {
		o.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		o.RequireSecureTransport = true
	})
	if err := mysql.RegisterTLSConfig("hetl-test", &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	db := open(t, s, "alice", "alice-pw", "sales", func(c *mysql.Config) { c.TLSConfig = "hetl-test" })
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM agg").Scan(&n); err != nil || n != 8 {
		t.Errorf("over TLS: %d, %v", n, err)
	}
	if err := open(t, s, "alice", "alice-pw", "sales").Ping(); err == nil {
		t.Error("a connection without TLS was accepted with require_secure_transport")
	}
}

func TestShutdownLetsRunningQueriesFinish(t *testing.T) {
	s := startServer(t, nil)
	db := open(t, s, "root", "root-pw", "sales")
	ctx := context.Background()
	idle, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	done := make(chan error, 1)
	go func() {
		var v int
		done <- db.QueryRow("SELECT SLEEP(1)").Scan(&v)
	}()
	time.Sleep(300 * time.Millisecond)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-done; err != nil {
		t.Errorf("the running query: %v", err)
	}
	if err := idle.PingContext(ctx); err == nil {
		t.Error("an idle connection survived shutdown")
	}
	if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("still accepting after shutdown")
	}
}

// waitConns waits until the server holds n connections (clients close
// theirs before the server notices).
func waitConns(t *testing.T, s *Server, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		s.ln.mu.Lock()
		have := len(s.ln.conns)
		s.ln.mu.Unlock()
		if have == n {
			return
		}
	}
	t.Fatalf("the server still holds connections other than %d", n)
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hetl-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// What BI tools (DBeaver through Connector/J, Metabase, Superset) send
// when they connect and browse: every statement must answer.
func TestBIToolStatements(t *testing.T) {
	s := startServer(t, nil)
	db := open(t, s, "alice", "alice-pw", "sales")
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"/* mysql-connector-j-8.4.0 */SELECT @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout",
		"SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
		"SET character_set_results = NULL",
		"SET autocommit = 1",
		"SET SQL_SELECT_LIMIT = DEFAULT",
		"SET SESSION TRANSACTION READ ONLY",
		"SELECT @@version, @@version_comment, DATABASE(), USER(), CONNECTION_ID()",
		"SHOW VARIABLES LIKE 'lower_case_table_names'",
		"SHOW WARNINGS",
		"SHOW DATABASES",
		"SHOW FULL TABLES FROM `sales`",
		"SHOW TABLE STATUS FROM `sales`",
		"SHOW FULL COLUMNS FROM `agg` FROM `sales`",
		"SHOW INDEX FROM `agg` FROM `sales`",
		"SHOW CREATE TABLE `sales`.`agg`",
		"SHOW CHARACTER SET",
		"SHOW COLLATION",
		"SHOW ENGINES",
		"SELECT * FROM information_schema.SCHEMATA",
		"SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'sales' AND TABLE_NAME = 'agg' ORDER BY ORDINAL_POSITION",
		"SELECT * FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.VIEWS WHERE TABLE_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'sales'",
		"SELECT * FROM information_schema.EVENTS",
		"SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'sales'",
		"SELECT TRUE AS _ FROM `sales`.`agg` WHERE 1 <> 1 LIMIT 0",
		"DESCRIBE agg",
	} {
		if _, err := rows(t, db, q); err != nil {
			t.Errorf("%.80s: %v", q, err)
		}
	}
	// information_schema shows alice nothing of ops.
	if got, err := rows(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'ops'"); err != nil || got[0] != "0" {
		t.Errorf("alice sees ops's columns: %v, %v", got, err)
	}
}
