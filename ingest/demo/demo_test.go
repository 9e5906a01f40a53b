package demo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

var testStart = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func startEmbedded(t *testing.T) (*Embedded, *sql.DB) {
	t.Helper()
	testcluster.DemoMySQL(t)
	e, err := StartEmbedded(context.Background(), EmbeddedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	db, err := sql.Open("mysql", e.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return e, db
}

func TestEmbeddedAuthentication(t *testing.T) {
	e, db := startEmbedded(t)
	if err := db.Ping(); err != nil {
		t.Fatalf("the right password: %v", err)
	}
	var cur string
	if err := db.QueryRow("SELECT DATABASE()").Scan(&cur); err != nil || cur != "demo" || e.Database() != "demo" {
		t.Errorf("database %q (%v), want demo", cur, err)
	}
	if !strings.HasPrefix(e.Addr(), "127.0.0.1:") || strings.HasSuffix(e.Addr(), ":0") {
		t.Errorf("listens on %s, want a free loopback port", e.Addr())
	}
	if !strings.HasSuffix(e.DSN(), "?parseTime=false&interpolateParams=true") || !strings.Contains(e.DSN(), e.Password()) {
		t.Errorf("DSN %q", e.DSN())
	}
	if r := e.RedactedDSN(); strings.Contains(r, e.Password()) || !strings.Contains(r, "hetl:****@tcp("+e.Addr()+")/demo") {
		t.Errorf("redacted DSN %q", r)
	}
	if len(e.Password()) < 20 {
		t.Errorf("password %d characters, want a long random one", len(e.Password()))
	}
	for _, cred := range []struct{ user, password string }{
		{e.User(), "wrong"}, {e.User(), ""}, {"root", ""}, {"root", e.Password()}, {"", ""},
	} {
		c := e.Config()
		c.User, c.Passwd = cred.user, cred.password
		bad, err := sql.Open("mysql", c.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		err = bad.Ping()
		bad.Close()
		if err == nil {
			t.Errorf("user %q with password %q was let in", cred.user, cred.password)
		}
	}
	// A second server has another password.
	e2, err := StartEmbedded(context.Background(), EmbeddedOptions{Database: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if e2.Password() == e.Password() || e2.Addr() == e.Addr() || e2.Database() != "other" {
		t.Errorf("two servers share a password or an address")
	}
	if err := e2.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := e2.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := StartEmbedded(context.Background(), EmbeddedOptions{Addr: "0.0.0.0:0"}); err == nil {
		t.Errorf("a non-loopback address was accepted")
	}
}

// checksum is the SHA-256 of SELECT * FROM table ORDER BY id, as the
// server prints it.
func checksum(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	h := sha256.New()
	for _, row := range query(t, db, "SELECT * FROM "+table+" ORDER BY id") {
		for _, v := range row {
			fmt.Fprintf(h, "%q|", v)
		}
		h.Write([]byte{'\n'})
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// query returns every row as strings; NULL is "<NULL>".
func query(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	raw := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var out [][]string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(raw))
		for i, b := range raw {
			if b == nil {
				row[i] = "<NULL>"
			} else {
				row[i] = string(b)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	n, _ := strconv.Atoi(query(t, db, q, args...)[0][0])
	return n
}

// checkSeeded verifies what Seed reported against what db holds.
func checkSeeded(t *testing.T, db *sql.DB, opts SeedOptions, st SeedStats) {
	t.Helper()
	if got := count(t, db, "SELECT COUNT(*) FROM events"); got != opts.Rows || st.Events != opts.Rows {
		t.Errorf("events: %d in the table, %d reported, want %d", got, st.Events, opts.Rows)
	}
	wantUsers := max(10, opts.Rows/20)
	if got := count(t, db, "SELECT COUNT(*) FROM users"); got != wantUsers || st.Users != wantUsers {
		t.Errorf("users: %d in the table, %d reported, want %d", got, st.Users, wantUsers)
	}
	if got := count(t, db, "SELECT COUNT(*) FROM devices"); got != st.Devices || got < st.Users || got > 3*st.Users {
		t.Errorf("devices: %d in the table, %d reported, for %d users", got, st.Devices, st.Users)
	}
	if st.Duplicates == 0 || st.BadRows == 0 || st.LateRows == 0 || st.BurstRows == 0 || st.NovelRows == 0 {
		t.Errorf("stats lack something: %+v", st)
	}

	users := map[string]bool{}
	for _, r := range query(t, db, "SELECT id FROM users") {
		users[r[0]] = true
	}
	devices := map[string]bool{}
	for _, r := range query(t, db, "SELECT id FROM devices") {
		devices[r[0]] = true
	}
	events := query(t, db, "SELECT id, user_id, device_id, event_type, ip, user_agent, message, latency_ms, status, created_at FROM events ORDER BY id")
	bad := map[string]int{}
	seen := map[string]bool{}
	dups, burst, novel, outOfOrder := 0, 0, 0, 0
	failedPerHour := map[time.Time]int{}
	var highWater time.Time
	end := opts.Start.Add(time.Duration(opts.Hours) * time.Hour)
	for i, r := range events {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("event ids are not 1..n: row %d has id %s", i, r[0])
		}
		at, err := time.Parse("2006-01-02 15:04:05.999999999", r[9])
		if err != nil {
			t.Fatalf("created_at %q: %v", r[9], err)
		}
		if at.Before(opts.Start) || !at.Before(end) {
			t.Errorf("event %s at %s, outside %s..%s", r[0], at, opts.Start, end)
		}
		key := strings.Join(r[1:], "|")
		dup := seen[key]
		seen[key] = true
		switch {
		case dup:
			dups++ // a copy of an earlier event, time included
		case at.Before(highWater):
			outOfOrder++
			if highWater.Sub(at) > 3*time.Hour {
				t.Errorf("event %s arrived %s late, want at most 3h", r[0], highWater.Sub(at))
			}
		default:
			highWater = at
		}
		if !users[r[1]] {
			bad[BadOrphanUser]++
		}
		if r[2] != "<NULL>" && !devices[r[2]] {
			t.Errorf("event %s: device %s does not exist", r[0], r[2])
		}
		switch {
		case r[3] == "":
			bad[BadEmptyEventType]++
		case r[4] == "not-an-ip":
			bad[BadMalformedIP]++
		case r[7] == "<NULL>":
			bad[BadNullLatency]++
		case strings.HasPrefix(r[7], "-"):
			bad[BadNegativeLatency]++
		}
		if r[3] == "login_failed" {
			failedPerHour[at.Truncate(time.Hour)]++
			if strings.HasPrefix(r[4], "203.0.113.") {
				burst++
				if !st.AnomalyWindow.Contains(at) || r[8] != "401" {
					t.Errorf("burst event %s at %s, status %s, outside %v", r[0], at, r[8], st.AnomalyWindow)
				}
			}
		}
		if strings.HasPrefix(r[6], "kernel: segfault at ") {
			novel++
			if at.Truncate(time.Hour) != st.NovelHour {
				t.Errorf("novel message at %s, want in the hour of %s", at, st.NovelHour)
			}
		}
	}
	if dups != st.Duplicates {
		t.Errorf("%d duplicate events, %d reported", dups, st.Duplicates)
	}
	if !reflect.DeepEqual(bad, st.BadRowKinds) || st.BadRows != sum(bad) {
		t.Errorf("bad rows %v, reported %d %v", bad, st.BadRows, st.BadRowKinds)
	}
	if outOfOrder == 0 || outOfOrder > st.LateRows {
		t.Errorf("%d events out of time order by id, %d late reported", outOfOrder, st.LateRows)
	}
	if burst != st.BurstRows || novel != st.NovelRows {
		t.Errorf("burst %d (reported %d), novel %d (reported %d)", burst, st.BurstRows, novel, st.NovelRows)
	}
	// The burst's hour has the most failed logins.
	burstHour := st.AnomalyWindow.Start.Truncate(time.Hour)
	for h, n := range failedPerHour {
		if h != burstHour && n >= failedPerHour[burstHour] {
			t.Errorf("hour %s has %d failed logins, the burst hour %s only %d", h, n, burstHour, failedPerHour[burstHour])
		}
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestSeedEmbedded(t *testing.T) {
	opts := SeedOptions{Rows: 5000, Hours: 6, Start: testStart, Seed: 7}
	var sums []string
	for range 2 {
		_, db := startEmbedded(t)
		var progress []string
		o := opts
		o.Progress = func(table string, done, total int) {
			progress = append(progress, fmt.Sprintf("%s %d/%d", table, done, total))
		}
		st, err := Seed(context.Background(), db, o)
		if err != nil {
			t.Fatal(err)
		}
		checkSeeded(t, db, opts, st)
		if len(progress) == 0 || progress[len(progress)-1] != "events 5000/5000" || progress[0] != "users 0/250" {
			t.Errorf("progress %v", progress)
		}
		// Seeding again replaces the tables.
		if st2, err := Seed(context.Background(), db, opts); err != nil || !reflect.DeepEqual(st, st2) {
			t.Fatalf("second seed: %v, %+v vs %+v", err, st2, st)
		}
		sums = append(sums, checksum(t, db, "users")+checksum(t, db, "devices")+checksum(t, db, "events"))
	}
	if sums[0] != sums[1] {
		t.Errorf("the same seed gave different data")
	}
	_, db := startEmbedded(t)
	o := opts
	o.Seed = 8
	if _, err := Seed(context.Background(), db, o); err != nil {
		t.Fatal(err)
	}
	if checksum(t, db, "events") == sums[0][128:] {
		t.Errorf("another seed gave the same events")
	}
}

func TestSeedOptionsRefused(t *testing.T) {
	for _, o := range []SeedOptions{{Rows: 0, Hours: 1}, {Rows: 1, Hours: 0}, {Rows: 1, Hours: 8761}} {
		if _, err := Seed(context.Background(), nil, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	// Tiny data sets still have exactly Rows events.
	for _, rows := range []int{1, 2, 24, 25, 30} {
		d, err := generate(SeedOptions{Rows: rows, Hours: 1})
		if err != nil || len(d.events) != rows {
			t.Errorf("rows %d: %d events, %v", rows, len(d.events), err)
		}
	}
}

// TestDistribution checks the shape of a larger data set without a
// database.
func TestDistribution(t *testing.T) {
	opts := SeedOptions{Rows: 100_000, Hours: 48, Start: testStart, Seed: 42}
	d, err := generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := generate(opts)
	if !reflect.DeepEqual(d, again) {
		t.Fatal("generate is not deterministic")
	}
	st := d.stats
	n := float64(len(d.events))
	within := func(what string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.4f, want %.4f..%.4f", what, got, lo, hi)
		}
	}
	within("duplicate share", float64(st.Duplicates)/n, 0.003, 0.008)
	within("bad share", float64(st.BadRows)/n, 0.003, 0.008)
	within("late share", float64(st.LateRows)/n, 0.015, 0.04)
	if len(st.BadRowKinds) != 5 {
		t.Errorf("bad row kinds %v, want all five", st.BadRowKinds)
	}

	perUser := map[int64]int{}
	perHourOfDay := [24]int{}
	kinds := map[string]int{}
	templates := map[string]bool{}
	ipv6 := 0
	digits := regexp.MustCompile(`[0-9a-f]*[0-9][0-9a-f]*`)
	emails := regexp.MustCompile(`\S+@\S+`)
	for _, e := range d.events {
		if e.anomaly {
			continue
		}
		perUser[e.user]++
		perHourOfDay[e.at.Hour()]++
		kinds[e.kind]++
		if strings.Contains(e.ip, ":") {
			ipv6++
		}
		templates[digits.ReplaceAllString(emails.ReplaceAllString(e.msg, "EMAIL"), "N")] = true
	}
	// Zipf: the busiest 1% of users make more than half the events.
	counts := make([]int, 0, len(perUser))
	for _, c := range perUser {
		counts = append(counts, c)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(counts)))
	top := 0
	for _, c := range counts[:st.Users/100] {
		top += c
	}
	within("share of the busiest 1% of users", float64(top)/n, 0.5, 0.9)
	// Diurnal: afternoons are several times busier than nights.
	within("15:00 vs 03:00 volume", float64(perHourOfDay[15])/float64(perHourOfDay[3]), 4, 15)
	within("IPv6 share", float64(ipv6)/n, 0.07, 0.13)
	for _, k := range eventTypes {
		if kinds[k.name] == 0 {
			t.Errorf("no %s events", k.name)
		}
	}
	if len(templates) < 12 {
		t.Errorf("%d message shapes, want about 15: %v", len(templates), templates)
	}
	for tpl := range templates {
		if strings.Contains(tpl, "segfault") {
			t.Errorf("the novel template appears outside the anomaly: %q", tpl)
		}
	}
	withEmail, withIP := 0, 0
	for _, e := range d.events {
		if strings.Contains(e.msg, "@") {
			withEmail++
		}
		if e.ip != "not-an-ip" && strings.Contains(e.msg, e.ip) {
			withIP++
		}
	}
	if withEmail == 0 || withIP == 0 {
		t.Errorf("messages with emails %d, with IPs %d", withEmail, withIP)
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
	defer func() {
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	}()
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName, c.InterpolateParams = srv.User, srv.Password, "tcp", srv.Addr(), name, true
	c.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts := SeedOptions{Rows: 5000, Hours: 6, Start: testStart, Seed: 7}
	st, err := Seed(context.Background(), db, opts)
	if err != nil {
		t.Fatal(err)
	}
	checkSeeded(t, db, opts, st)

	// The same seed on the embedded server gives the same rows. The two
	// print fractional seconds differently, so times are formatted alike.
	e, edb := startEmbedded(t)
	ec := e.Config()
	ec.Params = map[string]string{"time_zone": "'+00:00'"}
	edb2, err := sql.Open("mysql", ec.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer edb2.Close()
	est, err := Seed(context.Background(), edb, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(st, est) {
		t.Errorf("stats differ: MariaDB %+v, embedded %+v", st, est)
	}
	for _, q := range []string{
		"SELECT id, email, name, phone, country, `plan`, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f'), DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') FROM users ORDER BY id",
		"SELECT * FROM devices ORDER BY id",
		"SELECT id, user_id, device_id, event_type, ip, user_agent, message, latency_ms, status, DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') FROM events ORDER BY id",
	} {
		m, em := query(t, db, q), query(t, edb2, q)
		if !reflect.DeepEqual(m, em) {
			for i := range min(len(m), len(em)) {
				if !reflect.DeepEqual(m[i], em[i]) {
					t.Errorf("%s: row %d differs:\nMariaDB  %q\nembedded %q", q, i, m[i], em[i])
					break
				}
			}
			if len(m) != len(em) {
				t.Errorf("%s: %d rows in MariaDB, %d embedded", q, len(m), len(em))
			}
		}
	}
}
