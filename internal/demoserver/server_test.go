package demoserver

import (
	"database/sql"
	"os/exec"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestStartAuthenticatesAndCloses(t *testing.T) {
	s, err := Start(Options{Database: "d", Addr: "127.0.0.1:0", User: "u", Password: "secret-pw"})
	if err != nil {
		t.Fatal(err)
	}
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = "u", "secret-pw", "tcp", s.Addr(), "d"
	db, err := sql.Open("mysql", c.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("ping with the password: %v", err)
	}
	c.Passwd = "wrong"
	bad, _ := sql.Open("mysql", c.FormatDSN())
	if bad.Ping() == nil {
		t.Error("a wrong password was let in")
	}
	bad.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestStartRefuses(t *testing.T) {
	for _, o := range []Options{
		{Database: "d", Addr: "0.0.0.0:0", User: "u", Password: "p"},
		{Database: "d", Addr: "127.0.0.1:0", User: "u"},
		{Addr: "127.0.0.1:0", User: "u", Password: "p"},
	} {
		if s, err := Start(o); err == nil {
			s.Close()
			t.Errorf("Start(%+v) succeeded", o)
		}
	}
}

// hetl itself must not link go-mysql-server: its package init alone costs
// every hetl command about 340 ms and 20 MiB.
func TestHetlDoesNotLinkTheServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/hetl/hetl/cmd/hetl").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "dolthub") || p == "github.com/hetl/hetl/internal/demoserver" {
			t.Errorf("cmd/hetl depends on %s", p)
		}
	}
}
