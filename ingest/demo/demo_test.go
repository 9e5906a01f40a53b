package demo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

func startEmbedded(t *testing.T) (*Embedded, *sql.DB) {
	t.Helper()
	e, err := StartEmbedded(context.Background(), EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	db, err := sql.Open("mysql", e.Config().FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return e, db
}

func tableDigest(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	return fmt.Sprintf("%x", sha256.Sum256([]byte(dump(t, db, "SELECT * FROM "+table+" ORDER BY id"))))
}

func TestEmbeddedRequiresPassword(t *testing.T) {
	e, db := startEmbedded(t)
	if err := db.Ping(); err != nil {
		t.Fatalf("right password: %v", err)
	}
	c := e.Config()
	c.Passwd = "wrong"
	bad, _ := sql.Open("mysql", c.FormatDSN())
	defer bad.Close()
	if err := bad.Ping(); err == nil {
		t.Errorf("a wrong password was accepted")
	}
	if !strings.HasPrefix(e.Addr(), "127.0.0.1:") {
		t.Errorf("listens on %s, want loopback", e.Addr())
	}
}

func TestSeedEmbeddedDeterministic(t *testing.T) {
	opts := SeedOptions{Rows: 5000, Hours: 6, Start: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Seed: 7}
	var digests []string
	for range 2 {
		_, db := startEmbedded(t)
		st, err := Seed(context.Background(), db, opts)
		if err != nil {
			t.Fatal(err)
		}
		if st.Events != 5000 || st.Duplicates == 0 || st.BadRows == 0 || st.LateRows == 0 {
			t.Errorf("stats %+v", st)
		}
		var n int
		db.QueryRow("SELECT COUNT(*) FROM events").Scan(&n)
		if n != 5000 {
			t.Errorf("%d events", n)
		}
		// The burst: failed logins from one /24 inside its window.
		var burst int
		db.QueryRow("SELECT COUNT(*) FROM events WHERE event_type = 'login_failed' AND ip LIKE '203.0.113.%' AND created_at >= ? AND created_at < ?",
			st.BurstStart.Format("2006-01-02 15:04:05"), st.BurstEnd.Format("2006-01-02 15:04:05")).Scan(&burst)
		if burst != st.BurstRows {
			t.Errorf("burst rows %d, want %d", burst, st.BurstRows)
		}
		digests = append(digests, tableDigest(t, db, "events")+tableDigest(t, db, "users"))
	}
	if digests[0] != digests[1] {
		t.Errorf("the same seed gave different data")
	}
}

func TestSeedMariaDB(t *testing.T) {
	srv := testcluster.MySQL(t)
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("hetl_demo_test_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName, c.InterpolateParams = srv.User, srv.Password, "tcp", srv.Addr(), name, true
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := SeedOptions{Rows: 3000, Hours: 3, Seed: 7}
	st, err := Seed(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRow("SELECT COUNT(*) FROM events").Scan(&n)
	if n != 3000 || st.Events != 3000 {
		t.Errorf("%d events", n)
	}
	// The same seed on the embedded server gives the same rows.
	_, edb := startEmbedded(t)
	if _, err := Seed(context.Background(), edb, opts); err != nil {
		t.Fatal(err)
	}
	// The embedded server prints DATETIME(3) without trailing zeros, so
	// compare what both print alike.
	q := "SELECT id, email, name, phone, country, `plan` FROM users ORDER BY id"
	if dump(t, db, q) != dump(t, edb, q) {
		t.Errorf("MariaDB and the embedded server hold different users for one seed")
	}
	q = "SELECT id, user_id, device_id, event_type, ip, message, latency_ms FROM events ORDER BY id"
	if dump(t, db, q) != dump(t, edb, q) {
		t.Errorf("MariaDB and the embedded server hold different events for one seed")
	}
}

func dump(t *testing.T, db *sql.DB, q string) string {
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var sb strings.Builder
	for rows.Next() {
		rows.Scan(ptrs...)
		for _, b := range raw {
			fmt.Fprintf(&sb, "%q|", b)
		}
	}
	return sb.String()
}
