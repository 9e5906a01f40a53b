package command

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

func TestDemoSeedUsage(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "seed"}, "exactly one of --connect, --connection and --embedded"},
		{[]string{"demo", "seed", "--embedded", "--connect", "mysql://u@h/db"}, "exactly one of --connect, --connection and --embedded"},
		{[]string{"demo", "seed", "--connect", "mysql://u@h/db", "--connection", "app"}, "exactly one of"},
		{[]string{"demo", "seed", "--embedded", "--password-file", "/x"}, "--embedded makes its own user and password"},
		{[]string{"demo", "seed", "--connect", "mysql://u@h/db", "--keep-running"}, "--keep-running needs --embedded"},
		{[]string{"demo", "seed", "--connect", "mysql://u@h/db", "--password-file", "/x", "-P"}, "at most one of --password-file"},
		{[]string{"demo", "seed", "--embedded", "--rows", "0"}, "--rows 0: want at least 1"},
		{[]string{"demo", "seed", "--embedded", "--rows", "-5"}, "--rows -5"},
		{[]string{"demo", "seed", "--embedded", "--hours", "0"}, "--hours 0: want 1..8760"},
		{[]string{"demo", "seed", "--embedded", "--hours", "8761"}, "--hours 8761"},
		{[]string{"demo", "seed", "--embedded", "--start", "yesterday"}, `--start "yesterday": want 2006-01-02T15 or RFC 3339`},
		{[]string{"demo", "seed", "--embedded", "--start", "2026-11-21"}, `--start "2026-11-21"`},
		{[]string{"demo", "seed", "--embedded", "--rows", "many"}, `invalid argument "many" for "--rows"`},
		{[]string{"demo", "seed", "--embedded", "extra"}, "takes 0 argument(s)"},
		{[]string{"demo", "seed", "--connect", "postgres://h/db"}, "--connect"},
		{[]string{"demo", "seed", "--connect", "mysql://u@127.0.0.1:1/"}, "must name the database to seed"},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, out, errOut := run(t, tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s\nstdout: %s", code, ExitUsage, tt.want, errOut, out)
			}
		})
	}
}

func TestDemoSeedEmbedded(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	testcluster.DemoMySQL(t)
	code, out, errOut := run(t, "demo", "seed", "--embedded", "--rows", "2000", "--hours", "3", "--start", "2026-11-21T06:00:00+02:00")
	if code != ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^TABLE +ROWS$`, `(?m)^users +100$`, `(?m)^devices +\d+$`, `(?m)^events +2000$`,
		`embedded MySQL-compatible server \(in memory\): hetl:\*\*\*\*@tcp\(127\.0\.0\.1:\d+\)/demo\?parseTime=false&interpolateParams=true`,
		`seeded in [\d.]+s: \d+ late rows, \d+ duplicates, \d+ bad rows`,
		// --start is 04:00 UTC; the burst is in the middle hour of three.
		`anomalies: 20 failed logins from 203\.0\.113\.0/24 between 2026-11-21 05:20 and 05:30 UTC; 5 never-seen messages in the hour of 2026-11-21 06:00 UTC`,
		`lives only as long as this process`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("stdout lacks %s:\n%s", re, out)
		}
	}
	// Not a terminal: a log line per table, no bar.
	for _, table := range []string{"users", "devices", "events"} {
		if !strings.Contains(errOut, "msg=seeded table="+table) {
			t.Errorf("stderr lacks the log line for %s:\n%s", table, errOut)
		}
	}
	if strings.Contains(errOut, "%") {
		t.Errorf("a progress bar on a non-terminal:\n%s", errOut)
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoSeedKeepRunning serves the seeded data until the context ends,
// with the password in a private file.
func TestDemoSeedKeepRunning(t *testing.T) {
	testcluster.DemoMySQL(t)
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Execute(ctx, []string{"demo", "seed", "--embedded", "--rows", "300", "--hours", "2", "--keep-running"}, &out, &errOut)
	}()
	serving := regexp.MustCompile(`embedded server on (127\.0\.0\.1:\d+), database demo, user hetl, password in (\S+)\n`)
	var m []string
	for deadline := time.Now().Add(30 * time.Second); m == nil; {
		select {
		case code := <-done:
			t.Fatalf("exit %d before serving\nstdout: %s\nstderr: %s", code, out.String(), errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving after 30s\nstdout: %s", out.String())
		}
		if strings.Contains(out.String(), "serving until interrupted") {
			m = serving.FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no address and password file in:\n%s", out.String())
			}
		}
	}
	pwFile := m[2]
	if fi, err := os.Stat(pwFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("password file %s: %v %v, want mode 0600", pwFile, fi.Mode(), err)
	}
	pw, _ := os.ReadFile(pwFile)
	if strings.Contains(out.String()+errOut.String(), strings.TrimSpace(string(pw))) {
		t.Errorf("the password was printed")
	}
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = "hetl", strings.TrimSpace(string(pw)), "tcp", m[1], "demo"
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM events").Scan(&n); err != nil || n != 300 {
		t.Errorf("events on the kept server: %d, %v", n, err)
	}
	db.Close()
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit %d after the interrupt\nstderr: %s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still serving 10s after the interrupt")
	}
	if _, err := os.Stat(pwFile); !os.IsNotExist(err) {
		t.Errorf("password file %s left behind: %v", pwFile, err)
	}
}

// TestDemoSeedMariaDB seeds a real MariaDB through --connect, with the
// password from $HETL_MYSQL_PASSWORD and then from --password-file.
func TestDemoSeedMariaDB(t *testing.T) {
	srv := testcluster.MySQL(t)
	t.Setenv("HETL_CONFIG", "")
	t.Chdir(t.TempDir())
	admin, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("hetl_demo_cmd_test_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	url := fmt.Sprintf("mysql://%s@%s/%s", srv.User, srv.Addr(), name)

	t.Setenv("HETL_MYSQL_PASSWORD", srv.Password)
	code, out, errOut := run(t, "demo", "seed", "--connect", url, "--rows", "1500", "--hours", "2", "--seed", "3")
	if code != ExitOK || !regexp.MustCompile(`(?m)^events +1500$`).MatchString(out) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM " + name + ".users").Scan(&n); err != nil || n != 75 {
		t.Errorf("users: %d, %v", n, err)
	}

	t.Setenv("HETL_MYSQL_PASSWORD", "wrong")
	pwFile := t.TempDir() + "/pw"
	os.WriteFile(pwFile, []byte(srv.Password+"\n"), 0o600)
	code, out, errOut = run(t, "demo", "seed", "--connect", "jdbc:mysql://"+srv.Addr()+"/"+name, "--username", srv.User, "--password-file", pwFile, "--rows", "100", "--hours", "1")
	if code != ExitOK || !regexp.MustCompile(`(?m)^events +100$`).MatchString(out) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// A wrong password fails the work, not the usage.
	code, _, errOut = run(t, "demo", "seed", "--connect", url, "--rows", "100", "--hours", "1")
	if code != ExitFailure || strings.Contains(errOut, "wrong") {
		t.Errorf("wrong password: exit %d, stderr %s", code, errOut)
	}
}
