package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// SeedOptions say how much data to create.
type SeedOptions struct {
	// Rows is the number of events.
	Rows int
	// Hours the events span, from Start (UTC).
	Hours int
	Start time.Time
	// Seed makes the data deterministic: the same options give the same
	// rows.
	Seed int64
	// Progress, when set, is called as rows are inserted.
	Progress func(table string, done, total int)
}

// SeedStats say what was created.
type SeedStats struct {
	Users, Devices, Events int
	Duplicates, BadRows    int
	LateRows               int
	// BurstStart..BurstEnd is the window of the failed-login burst from
	// BurstNetwork (a /24).
	BurstStart, BurstEnd time.Time
	BurstNetwork         string
	BurstRows            int
	// NovelHour is the hour whose messages include a template never seen
	// before; NovelRows how many.
	NovelHour time.Time
	NovelRows int
}

// Tables are the demo's tables, in creation order.
var Tables = []string{"users", "devices", "events"}

var schema = []string{
	`CREATE TABLE users (
		id BIGINT NOT NULL PRIMARY KEY,
		email VARCHAR(255) NOT NULL,
		name VARCHAR(100) NOT NULL,
		phone VARCHAR(32),
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
		message TEXT,
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
)

// messageFor is the free-text identity/log message of an event; some
// templates carry an email or an IP address.
func messageFor(r *rand.Rand, kind, email, ip string) string {
	switch kind {
	case "login":
		return fmt.Sprintf("user %s logged in from %s", email, ip)
	case "login_failed":
		switch r.IntN(3) {
		case 0:
			return fmt.Sprintf("authentication failed for %s from %s: bad password", email, ip)
		case 1:
			return fmt.Sprintf("authentication failed for %s: account locked", email)
		default:
			return fmt.Sprintf("too many attempts from %s", ip)
		}
	case "logout":
		return fmt.Sprintf("session closed for %s", email)
	case "purchase":
		return fmt.Sprintf("payment accepted for order %d (card ending %04d)", r.IntN(1_000_000), r.IntN(10000))
	case "api_call":
		return []string{"GET /v1/items 200", "POST /v1/cart 201", "GET /v1/profile 200", "GET /v1/search?q=shoes 200", "PUT /v1/settings 204"}[r.IntN(5)]
	case "click":
		return fmt.Sprintf("clicked %s", []string{"buy-button", "banner-3", "nav-home", "share"}[r.IntN(4)])
	default:
		if r.IntN(20) == 0 {
			return fmt.Sprintf("password reset requested for %s", email)
		}
		return fmt.Sprintf("viewed page /items/%d", r.IntN(5000))
	}
}

type event struct {
	id                   int64
	user                 int64
	device               sql.NullInt64
	kind, ip, agent, msg string
	latency              sql.NullInt32
	status               int
	at                   time.Time
}

// Seed drops and recreates the demo tables in db's current database and
// fills them.
func Seed(ctx context.Context, db *sql.DB, opts SeedOptions) (SeedStats, error) {
	if opts.Rows < 1 {
		return SeedStats{}, fmt.Errorf("demo seed: rows %d: want at least 1", opts.Rows)
	}
	if opts.Hours < 1 || opts.Hours > 8760 {
		return SeedStats{}, fmt.Errorf("demo seed: hours %d: want 1..8760", opts.Hours)
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	}
	opts.Start = opts.Start.UTC().Truncate(time.Hour)
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x68657466))
	for _, t := range []string{"events", "devices", "users"} {
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return SeedStats{}, fmt.Errorf("demo seed: drop %s: %w", t, err)
		}
	}
	for _, ddl := range schema {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return SeedStats{}, fmt.Errorf("demo seed: %w", err)
		}
	}
	var st SeedStats
	st.Users = max(10, opts.Rows/20)

	// Users.
	emails := make([]string, st.Users+1)
	var userRows [][]any
	for id := 1; id <= st.Users; id++ {
		first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		emails[id] = fmt.Sprintf("%s.%s%d@%s", first, strings.ReplaceAll(last, "'", ""), id, domains[r.IntN(len(domains))])
		var phone any
		if r.IntN(4) != 0 {
			phone = fmt.Sprintf("+1 (555) %03d-%04d", r.IntN(1000), r.IntN(10000))
		}
		created := opts.Start.Add(-time.Duration(r.IntN(365*24)) * time.Hour).Add(time.Duration(r.IntN(3600000)) * time.Millisecond)
		var updated any
		if r.IntN(3) != 0 {
			updated = created.Add(time.Duration(r.IntN(30*24*3600)) * time.Second).Format("2006-01-02 15:04:05.000")
		}
		userRows = append(userRows, []any{id, emails[id], first + " " + last, phone, countries[r.IntN(len(countries))], plans[r.IntN(len(plans))], created.Format("2006-01-02 15:04:05.000"), updated})
	}
	if err := insert(ctx, db, "users", 8, userRows, opts.Progress); err != nil {
		return st, err
	}

	// Devices: 1-3 per user.
	userDevices := make([][]int64, st.Users+1)
	var devRows [][]any
	for u := 1; u <= st.Users; u++ {
		for range 1 + r.IntN(3) {
			st.Devices++
			id := int64(st.Devices)
			userDevices[u] = append(userDevices[u], id)
			devRows = append(devRows, []any{id, u, oses[r.IntN(len(oses))], versions[r.IntN(len(versions))]})
		}
	}
	if err := insert(ctx, db, "devices", 4, devRows, opts.Progress); err != nil {
		return st, err
	}

	// Events: times follow a diurnal curve; users are Zipf-distributed
	// (a few users produce most events).
	zipf := rand.NewZipf(r, 1.2, 1, uint64(st.Users-1))
	weights := make([]float64, opts.Hours)
	var total float64
	for h := range weights {
		hod := float64((opts.Start.Hour() + h) % 24)
		weights[h] = 1 + 0.8*math.Sin((hod-9)/24*2*math.Pi)
		total += weights[h]
	}
	burstHour := opts.Hours / 2
	st.BurstStart = opts.Start.Add(time.Duration(burstHour)*time.Hour + 20*time.Minute)
	st.BurstEnd = st.BurstStart.Add(10 * time.Minute)
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
	events := make([]event, 0, opts.Rows)
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
	ipFor := func() string {
		if r.IntN(10) == 0 {
			return fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(65536), r.IntN(65536), 1+r.IntN(65535))
		}
		return fmt.Sprintf("%d.%d.%d.%d", 10+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	}
	for range regular {
		x := r.Float64() * total
		h := 0
		for ; h < len(weights)-1 && x > weights[h]; h++ {
			x -= weights[h]
		}
		at := opts.Start.Add(time.Duration(h)*time.Hour + time.Duration(r.Int64N(int64(time.Hour/time.Microsecond)))*time.Microsecond)
		u := int64(zipf.Uint64()) + 1
		e := event{user: u, kind: pickKind(), ip: ipFor(), agent: agents[r.IntN(len(agents))], at: at, status: 200}
		if ds := userDevices[u]; len(ds) > 0 && r.IntN(10) != 0 {
			e.device = sql.NullInt64{Int64: ds[r.IntN(len(ds))], Valid: true}
		}
		e.latency = sql.NullInt32{Int32: int32(5 + r.ExpFloat64()*80), Valid: true}
		switch e.kind {
		case "login_failed":
			e.status = 401
		case "purchase":
			if r.IntN(20) == 0 {
				e.status = 402
			}
		}
		e.msg = messageFor(r, e.kind, emails[u], e.ip)
		events = append(events, e)
	}
	for range st.BurstRows {
		u := int64(1 + r.IntN(st.Users))
		ip := fmt.Sprintf("203.0.113.%d", 1+r.IntN(254))
		at := st.BurstStart.Add(time.Duration(r.Int64N(int64(10*time.Minute/time.Microsecond))) * time.Microsecond)
		events = append(events, event{user: u, kind: "login_failed", ip: ip, agent: "curl/8.11.0", status: 401, at: at,
			latency: sql.NullInt32{Int32: int32(2 + r.IntN(10)), Valid: true},
			msg:     fmt.Sprintf("authentication failed for %s from %s: bad password", emails[u], ip)})
	}
	for range st.NovelRows {
		u := int64(1 + r.IntN(st.Users))
		at := st.NovelHour.Add(time.Duration(r.Int64N(int64(time.Hour/time.Microsecond))) * time.Microsecond)
		events = append(events, event{user: u, kind: "api_call", ip: ipFor(), agent: agents[2], status: 500, at: at,
			latency: sql.NullInt32{Int32: int32(1000 + r.IntN(4000)), Valid: true},
			msg:     fmt.Sprintf("kernel: segfault at %012x ip %012x sp %012x error 4 in libc.so.6", r.Int64N(1<<40), r.Int64N(1<<40), r.Int64N(1<<40))})
	}
	// Ids follow arrival order: sort by time, then make a few rows arrive
	// late (an id later than their time says) by moving their time back.
	sort.SliceStable(events, func(a, b int) bool { return events[a].at.Before(events[b].at) })
	for i := range events {
		events[i].id = int64(i + 1)
		if r.IntN(100) < 3 && events[i].kind != "login_failed" {
			late := events[i].at.Add(-time.Duration(1+r.Int64N(int64(3*time.Hour/time.Second))) * time.Second)
			if !late.Before(opts.Start) {
				events[i].at = late
				st.LateRows++
			}
		}
	}
	// Duplicates (the same event recorded twice under a new id) and bad
	// rows (broken references and values).
	for i := range events {
		if i > 0 && r.IntN(200) == 0 {
			src := events[r.IntN(i)]
			if src.kind == "login_failed" || events[i].kind == "login_failed" {
				continue // the burst's rows stay exactly as injected
			}
			src.id = events[i].id
			events[i] = src
			st.Duplicates++
			continue
		}
		if r.IntN(200) == 0 && events[i].kind != "login_failed" {
			st.BadRows++
			switch r.IntN(5) {
			case 0:
				events[i].user = int64(st.Users + 1000 + r.IntN(1000))
			case 1:
				events[i].latency = sql.NullInt32{Int32: -int32(1 + r.IntN(100)), Valid: true}
			case 2:
				events[i].kind = ""
			case 3:
				events[i].ip = "not-an-ip"
			default:
				events[i].latency = sql.NullInt32{}
			}
		}
	}
	st.Events = len(events)
	rows := make([][]any, len(events))
	for i, e := range events {
		var dev, lat any
		if e.device.Valid {
			dev = e.device.Int64
		}
		if e.latency.Valid {
			lat = e.latency.Int32
		}
		rows[i] = []any{e.id, e.user, dev, e.kind, e.ip, e.agent, e.msg, lat, e.status, e.at.Format("2006-01-02 15:04:05.000000")}
	}
	return st, insert(ctx, db, "events", 10, rows, opts.Progress)
}

// insert writes rows in multi-row INSERTs of up to 500 rows.
func insert(ctx context.Context, db *sql.DB, table string, ncols int, rows [][]any, progress func(string, int, int)) error {
	const batch = 500
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", ncols), ",") + ")"
	for start := 0; start < len(rows); start += batch {
		end := min(start+batch, len(rows))
		q := "INSERT INTO " + table + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", end-start), ",")
		args := make([]any, 0, (end-start)*ncols)
		for _, row := range rows[start:end] {
			args = append(args, row...)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("demo seed: insert into %s: %w", table, err)
		}
		if progress != nil {
			progress(table, end, len(rows))
		}
	}
	return nil
}
