package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// SeedOptions say how much data to create.
type SeedOptions struct {
	// Rows is the number of events (at least 1); there are Rows/20 users
	// (at least 10) with 1-3 devices each.
	Rows int
	// Hours the events span (1..8760), from Start (UTC, truncated to the
	// hour; zero means 2026-11-21T00).
	Hours int
	Start time.Time
	// Seed makes the data deterministic: the same options give the same
	// rows.
	Seed int64
	// Progress, when set, is called as rows are inserted: once with done
	// 0 when a table starts, then after every batch.
	Progress func(table string, done, total int)
}

// Window is a half-open time range [Start, End).
type Window struct{ Start, End time.Time }

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End) }

// Kinds of bad rows, the keys of SeedStats.BadRowKinds.
const (
	BadOrphanUser      = "orphan_user"      // user_id references no user
	BadNegativeLatency = "negative_latency" // latency_ms < 0
	BadEmptyEventType  = "empty_event_type" // event_type = ''
	BadMalformedIP     = "malformed_ip"     // ip = 'not-an-ip'
	BadNullLatency     = "null_latency"     // latency_ms IS NULL
)

// SeedStats say what was created.
type SeedStats struct {
	// Rows per table.
	Users, Devices, Events int
	// LateRows arrived late: their created_at is up to 3 hours earlier
	// than that of the rows around them by id.
	LateRows int
	// Duplicates are events identical to an earlier event except for id.
	Duplicates int
	// BadRows are broken events, by kind in BadRowKinds (one kind each).
	BadRows     int
	BadRowKinds map[string]int
	// Anomaly (a): BurstRows failed logins (status 401) from the /24
	// BurstNetwork, all inside AnomalyWindow (10 minutes).
	AnomalyWindow Window
	BurstNetwork  string
	BurstRows     int
	// Anomaly (b): NovelRows events in the hour starting at NovelHour whose
	// message ("kernel: segfault at ...") matches no other template.
	NovelHour time.Time
	NovelRows int
}

// Tables are the demo's tables, in creation order.
var Tables = []string{"users", "devices", "events"}

// The DDL is the common ground of MySQL, MariaDB and go-mysql-server.
var schema = []string{
	`CREATE TABLE users (
		id BIGINT NOT NULL PRIMARY KEY,
		email VARCHAR(255) NOT NULL,
		name VARCHAR(100) NOT NULL,
		phone VARCHAR(32) NULL,
		country CHAR(2) NOT NULL,
		` + "`plan`" + ` ENUM('free','pro','enterprise') NOT NULL,
		created_at DATETIME(3) NOT NULL,
		updated_at TIMESTAMP(3) NULL
	)`,
	`CREATE TABLE devices (
		id BIGINT NOT NULL PRIMARY KEY,
		user_id BIGINT NOT NULL,
		os VARCHAR(16) NOT NULL,
		app_version VARCHAR(16) NOT NULL
	)`,
	`CREATE TABLE events (
		id BIGINT NOT NULL PRIMARY KEY,
		user_id BIGINT NOT NULL,
		device_id BIGINT NULL,
		event_type VARCHAR(32) NOT NULL,
		ip VARCHAR(45) NOT NULL,
		user_agent VARCHAR(255) NOT NULL,
		message TEXT NULL,
		latency_ms INT NULL,
		status SMALLINT NOT NULL,
		created_at DATETIME(6) NOT NULL
	)`,
}

var (
	firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "zoë"}
	lastNames  = []string{"smith", "jones", "garcia", "müller", "rossi", "dubois", "kowalski", "tanaka", "silva", "nguyen", "o'brien", "ivanova"}
	domains    = []string{"example.com", "example.org", "mail.example.net", "corp.example.com"}
	countries  = []string{"US", "US", "US", "DE", "FR", "GB", "BR", "IN", "JP", "PL", "ES", "NG"}
	plans      = []string{"free", "free", "free", "free", "pro", "pro", "enterprise"}
	oses       = []string{"android", "ios", "web", "windows", "macos"}
	versions   = []string{"5.1.0", "5.2.0", "5.2.1", "6.0.0-beta", "4.9.9"}
	agents     = []string{
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
		"hetl-demo-app/5.2.1 (Android 15; Pixel 9)",
		"curl/8.11.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
	}
	eventTypes = []struct {
		name   string
		weight int
	}{{"view", 40}, {"click", 25}, {"api_call", 15}, {"login", 8}, {"logout", 5}, {"purchase", 4}, {"login_failed", 3}}
	apiCalls = []struct {
		req    string
		status int
	}{{"GET /v1/items", 200}, {"POST /v1/cart", 201}, {"GET /v1/profile", 200}, {"GET /v1/search?q=shoes", 200}, {"PUT /v1/settings", 204}, {"GET /v1/items/0", 404}}
)

// event is one row of events while it is being made.
type event struct {
	id                   int64
	user                 int64
	device               int64 // 0: NULL
	kind, ip, agent, msg string
	latency              int32
	noLatency            bool
	status               int
	at                   time.Time
	anomaly, bad         bool
}

// message fills e's free-text message (and its status where the message
// decides it). Some of the 15 templates carry an email or an IP address.
func message(r *rand.Rand, e *event, email string) {
	switch e.kind {
	case "login":
		if r.IntN(8) == 0 {
			e.msg = fmt.Sprintf("new device login for %s from %s (%s)", email, e.ip, oses[r.IntN(len(oses))])
		} else {
			e.msg = fmt.Sprintf("user %s logged in from %s", email, e.ip)
		}
	case "login_failed":
		e.status = 401
		switch r.IntN(3) {
		case 0:
			e.msg = fmt.Sprintf("authentication failed for %s from %s: bad password", email, e.ip)
		case 1:
			e.msg = fmt.Sprintf("authentication failed for %s: account locked", email)
		default:
			e.msg = fmt.Sprintf("too many attempts from %s", e.ip)
		}
	case "logout":
		if r.IntN(3) == 0 {
			e.msg = fmt.Sprintf("session expired for %s after %d minutes idle", email, 15+r.IntN(120))
		} else {
			e.msg = fmt.Sprintf("session closed for %s", email)
		}
	case "purchase":
		if r.IntN(12) == 0 {
			e.status = 402
			e.msg = fmt.Sprintf("payment declined for card ending %04d", r.IntN(10000))
		} else {
			e.msg = fmt.Sprintf("payment accepted for order %d (card ending %04d)", r.IntN(1_000_000), r.IntN(10000))
		}
	case "api_call":
		if r.IntN(50) == 0 {
			e.status = 429
			e.msg = fmt.Sprintf("rate limit exceeded for client %s", e.ip)
		} else {
			c := apiCalls[r.IntN(len(apiCalls))]
			e.status = c.status
			e.msg = fmt.Sprintf("%s %d", c.req, c.status)
		}
	case "click":
		e.msg = "clicked " + []string{"buy-button", "banner-3", "nav-home", "share"}[r.IntN(4)]
	default: // view
		switch r.IntN(40) {
		case 0:
			e.msg = fmt.Sprintf("password reset requested for %s", email)
		case 1:
			e.msg = fmt.Sprintf("email change requested for %s", email)
		default:
			e.msg = fmt.Sprintf("viewed page /items/%d", r.IntN(5000))
		}
	}
}

// dataset is the generated data, ready to insert.
type dataset struct {
	users, devices [][]any
	events         []event
	stats          SeedStats
}

func (o *SeedOptions) normalize() error {
	if o.Rows < 1 {
		return fmt.Errorf("demo seed: rows %d: want at least 1", o.Rows)
	}
	if o.Hours < 1 || o.Hours > 8760 {
		return fmt.Errorf("demo seed: hours %d: want 1..8760", o.Hours)
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	}
	o.Start = o.Start.UTC().Truncate(time.Hour)
	return nil
}

// generate makes the data set; it touches no database, and the same
// options give the same data.
func generate(opts SeedOptions) (*dataset, error) {
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x68657466))
	d := &dataset{}
	st := &d.stats
	st.Users = max(10, opts.Rows/20)
	st.BadRowKinds = map[string]int{}

	// Users, who signed up during the year before Start.
	emails := make([]string, st.Users+1)
	for id := 1; id <= st.Users; id++ {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		emails[id] = fmt.Sprintf("%s.%s%d@%s", first, strings.ReplaceAll(last, "'", ""), id, domains[r.IntN(len(domains))])
		var phone any
		if r.IntN(4) != 0 {
			phone = fmt.Sprintf("+1 (555) %03d-%04d", r.IntN(1000), r.IntN(10000))
		}
		created := opts.Start.Add(-time.Duration(1+r.IntN(365*24))*time.Hour + time.Duration(r.IntN(3_600_000))*time.Millisecond)
		var updated any
		if r.IntN(3) != 0 {
			updated = created.Add(time.Duration(r.IntN(30*24*3600)) * time.Second).Format("2006-01-02 15:04:05.000")
		}
		d.users = append(d.users, []any{id, emails[id], first + " " + last, phone,
			countries[r.IntN(len(countries))], plans[r.IntN(len(plans))], created.Format("2006-01-02 15:04:05.000"), updated})
	}

	// Devices: 1-3 per user.
	userDevices := make([][]int64, st.Users+1)
	for u := 1; u <= st.Users; u++ {
		for range 1 + r.IntN(3) {
			st.Devices++
			id := int64(st.Devices)
			userDevices[u] = append(userDevices[u], id)
			d.devices = append(d.devices, []any{id, u, oses[r.IntN(len(oses))], versions[r.IntN(len(versions))]})
		}
	}

	// Activity is Zipf-distributed over users (a few users produce most
	// events); which users are the busy ones is itself random.
	zipf := rand.NewZipf(r, 1.2, 1, uint64(st.Users-1))
	busy := r.Perm(st.Users)
	// Volume follows the time of day: lowest around 03:00 UTC, highest
	// around 15:00 UTC, about 9 to 1.
	cum := make([]float64, opts.Hours)
	var total float64
	for h := range cum {
		hod := float64((opts.Start.Hour() + h) % 24)
		total += 1 + 0.8*math.Sin((hod-9)/24*2*math.Pi)
		cum[h] = total
	}
	burstHour := opts.Hours / 2
	st.AnomalyWindow.Start = opts.Start.Add(time.Duration(burstHour)*time.Hour + 20*time.Minute)
	st.AnomalyWindow.End = st.AnomalyWindow.Start.Add(10 * time.Minute)
	st.BurstNetwork = "203.0.113.0/24"
	st.BurstRows = max(20, opts.Rows/100)
	st.NovelHour = opts.Start.Add(time.Duration(opts.Hours-1) * time.Hour)
	st.NovelRows = max(5, opts.Rows/2000)
	regular := opts.Rows - st.BurstRows - st.NovelRows
	if regular < 0 {
		regular = 0
		st.BurstRows = opts.Rows / 2
		st.NovelRows = opts.Rows - st.BurstRows
	}
	pickKind := func() string {
		n := r.IntN(100)
		for _, k := range eventTypes {
			if n < k.weight {
				return k.name
			}
			n -= k.weight
		}
		return "view"
	}
	// Addresses: IPv4 mostly (never in 203.0.113.0/24, the burst's
	// network), IPv6 for one event in ten.
	ipFor := func() string {
		if r.IntN(10) == 0 {
			return fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(65536), r.IntN(65536), 1+r.IntN(65535))
		}
		return fmt.Sprintf("%d.%d.%d.%d", 10+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	inHour := func(h time.Time) time.Time {
		return h.Add(time.Duration(r.Int64N(int64(time.Hour/time.Microsecond))) * time.Microsecond)
	}
	events := make([]event, 0, opts.Rows)
	for range regular {
		h := min(sort.SearchFloat64s(cum, r.Float64()*total), opts.Hours-1)
		u := int64(busy[zipf.Uint64()] + 1)
		e := event{user: u, kind: pickKind(), ip: ipFor(), agent: agents[r.IntN(len(agents))], status: 200,
			at: inHour(opts.Start.Add(time.Duration(h) * time.Hour)), latency: int32(5 + r.ExpFloat64()*80)}
		if ds := userDevices[u]; r.IntN(10) != 0 {
			e.device = ds[r.IntN(len(ds))]
		}
		message(r, &e, emails[u])
		events = append(events, e)
	}
	for range st.BurstRows {
		u := int64(1 + r.IntN(st.Users))
		ip := fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
		at := st.AnomalyWindow.Start.Add(time.Duration(r.Int64N(int64(10*time.Minute/time.Microsecond))) * time.Microsecond)
		events = append(events, event{user: u, kind: "login_failed", ip: ip, agent: "curl/8.11.0", status: 401, at: at,
			latency: int32(2 + r.IntN(10)), anomaly: true,
			msg: fmt.Sprintf("authentication failed for %s from %s: bad password", emails[u], ip)})
	}
	for range st.NovelRows {
		u := int64(1 + r.IntN(st.Users))
		events = append(events, event{user: u, kind: "api_call", ip: ipFor(), agent: agents[2], status: 500, at: inHour(st.NovelHour),
			latency: int32(1000 + r.IntN(4000)), anomaly: true,
			msg: fmt.Sprintf("kernel: segfault at %012x ip %012x sp %012x error 4 in libc.so.6", r.Int64N(1<<40), r.Int64N(1<<40), r.Int64N(1<<40))})
	}

	// Ids follow arrival order: sort by time, then make a few rows late
	// (their id says they arrived later than their time says) by moving
	// their time back by up to 3 hours, never before Start.
	sort.SliceStable(events, func(a, b int) bool { return events[a].at.Before(events[b].at) })
	for i := range events {
		events[i].id = int64(i + 1)
		if r.IntN(100) < 3 && !events[i].anomaly {
			late := events[i].at.Add(-time.Duration(1+r.Int64N(int64(3*time.Hour/time.Second))) * time.Second)
			if !late.Before(opts.Start) {
				events[i].at = late
				st.LateRows++
			}
		}
	}
	// About 0.5% duplicates (an earlier sound event recorded again under
	// a new id) and 0.5% bad rows. Anomalies stay exactly as injected.
	for i := range events {
		if events[i].anomaly {
			continue
		}
		if i > 0 && r.IntN(200) == 0 {
			if src := events[r.IntN(i)]; !src.anomaly && !src.bad {
				src.id = events[i].id
				events[i] = src
				st.Duplicates++
				continue
			}
		}
		if r.IntN(200) != 0 {
			continue
		}
		e := &events[i]
		e.bad = true
		st.BadRows++
		switch r.IntN(5) {
		case 0:
			e.user = int64(st.Users + 1000 + r.IntN(1000))
			st.BadRowKinds[BadOrphanUser]++
		case 1:
			e.latency = -int32(1 + r.IntN(100))
			st.BadRowKinds[BadNegativeLatency]++
		case 2:
			e.kind = ""
			st.BadRowKinds[BadEmptyEventType]++
		case 3:
			e.ip = "not-an-ip"
			st.BadRowKinds[BadMalformedIP]++
		default:
			e.noLatency = true
			st.BadRowKinds[BadNullLatency]++
		}
	}
	st.Events = len(events)
	d.events = events
	return d, nil
}

func (e *event) row() []any {
	var dev, lat any
	if e.device != 0 {
		dev = e.device
	}
	if !e.noLatency {
		lat = e.latency
	}
	return []any{e.id, e.user, dev, e.kind, e.ip, e.agent, e.msg, lat, e.status, e.at.Format("2006-01-02 15:04:05.000000")}
}

// Seed drops the demo tables (Tables) in db's current database, creates
// them again and fills them; see SeedStats for what they hold. It works
// on MySQL, MariaDB and the embedded server.
func Seed(ctx context.Context, db *sql.DB, opts SeedOptions) (SeedStats, error) {
	d, err := generate(opts)
	if err != nil {
		return SeedStats{}, err
	}
	// One connection, in UTC, so TIMESTAMP columns hold what was meant
	// whatever the server's time zone.
	conn, err := db.Conn(ctx)
	if err != nil {
		return SeedStats{}, fmt.Errorf("demo seed: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET time_zone = '+00:00'"); err != nil {
		return SeedStats{}, fmt.Errorf("demo seed: set time zone: %w", err)
	}
	for _, t := range []string{"events", "devices", "users"} {
		if _, err := conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return SeedStats{}, fmt.Errorf("demo seed: drop %s: %w", t, err)
		}
	}
	for i, ddl := range schema {
		if _, err := conn.ExecContext(ctx, ddl); err != nil {
			return SeedStats{}, fmt.Errorf("demo seed: create %s: %w", Tables[i], err)
		}
	}
	events := make([][]any, len(d.events))
	for i := range d.events {
		events[i] = d.events[i].row()
	}
	for _, t := range []struct {
		name string
		rows [][]any
	}{{"users", d.users}, {"devices", d.devices}, {"events", events}} {
		if err := insert(ctx, conn, t.name, t.rows, opts.Progress); err != nil {
			return SeedStats{}, err
		}
	}
	return d.stats, nil
}

// insertBatch rows go into one multi-row INSERT, in a transaction of its
// own.
const insertBatch = 500

func insert(ctx context.Context, conn *sql.Conn, table string, rows [][]any, progress func(string, int, int)) error {
	if progress != nil {
		progress(table, 0, len(rows))
	}
	if len(rows) == 0 {
		return nil
	}
	ncols := len(rows[0])
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", ncols), ",") + ")"
	full := ""
	args := make([]any, 0, insertBatch*ncols)
	for start := 0; start < len(rows); start += insertBatch {
		end := min(start+insertBatch, len(rows))
		q := full
		if q == "" || end-start != insertBatch {
			q = "INSERT INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", end-start), ",")
			if end-start == insertBatch {
				full = q
			}
		}
		args = args[:0]
		for _, row := range rows[start:end] {
			args = append(args, row...)
		}
		if err := inTx(ctx, conn, q, args); err != nil {
			return fmt.Errorf("demo seed: insert into %s (rows %d-%d): %w", table, start+1, end, err)
		}
		if progress != nil {
			progress(table, end, len(rows))
		}
	}
	return nil
}

func inTx(ctx context.Context, conn *sql.Conn, q string, args []any) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
