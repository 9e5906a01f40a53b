package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseMySQLURL(t *testing.T) {
	tests := []struct {
		in                          string
		user, addr, db, tls, inline string
		timeout                     time.Duration
		err                         string
	}{
		{in: "jdbc:mysql://db:3306/shop", addr: "db:3306", db: "shop", timeout: 10 * time.Second},
		{in: "jdbc:mysql://db/shop?useSSL=false&serverTimezone=UTC", addr: "db:3306", db: "shop", tls: "false", timeout: 10 * time.Second},
		{in: "jdbc:mysql://db:3307/shop?requireSSL=true&connectTimeout=2500", addr: "db:3307", db: "shop", tls: "true", timeout: 2500 * time.Millisecond},
		{in: "mysql://etl@[::1]:3306/db", user: "etl", addr: "[::1]:3306", db: "db", timeout: 10 * time.Second},
		{in: "mysql://etl:pw@h/db?tls=skip-verify", user: "etl", addr: "h:3306", db: "db", tls: "skip-verify", inline: "pw", timeout: 10 * time.Second},
		{in: "etl:pw@tcp(10.0.0.5:3306)/crm?timeout=5s", user: "etl", addr: "10.0.0.5:3306", db: "crm", inline: "pw", timeout: 5 * time.Second},
		{in: "etl@tcp(10.0.0.5)/crm", user: "etl", addr: "10.0.0.5:3306", db: "crm", timeout: 10 * time.Second},
		{in: "", err: "empty MySQL URL"},
		{in: "jdbc:postgresql://h/db", err: "unsupported JDBC URL"},
		{in: "postgres://u:secret@h/db", err: `unsupported URL scheme in "postgres://u:xxxxx@h/db"`},
		{in: "jdbc:mysql://h/db?autoReconnect=true", err: "unsupported JDBC parameter"},
		{in: "jdbc:mysql://h:99999/db", err: "invalid port"},
		{in: "jdbc:mysql://h1,h2/db", err: "several hosts"},
		{in: "mysql://h/db?charset=latin1", err: "set by hetl itself"},
		{in: "mysql:///db", err: "has no host"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := ParseMySQLURL(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := u.Config
			if c.User != tt.user || c.Addr != tt.addr || c.DBName != tt.db || c.TLSConfig != tt.tls || u.InlinePassword != tt.inline || c.Timeout != tt.timeout {
				t.Errorf("got user=%q addr=%q db=%q tls=%q inline=%q timeout=%s", c.User, c.Addr, c.DBName, c.TLSConfig, u.InlinePassword, c.Timeout)
			}
			if c.Passwd != "" || strings.Contains(u.Redacted(), "pw@") {
				t.Errorf("password kept in Config or Redacted(): %q", u.Redacted())
			}
		})
	}
}

func FuzzParseMySQLURL(f *testing.F) {
	for _, s := range []string{"jdbc:mysql://db:3306/shop?useSSL=false", "mysql://u:p@h/db", "u:p@tcp(h:1)/d?x=y", "mysql://[::1]/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseMySQLURL(s)
		if err != nil {
			return
		}
		if u.Config.Passwd != "" {
			t.Fatalf("password left in Config for %q", s)
		}
		// A parsed URL must round-trip through the driver's own DSN form,
		// and that form must carry no password.
		again, err := ParseMySQLURL(u.Redacted())
		if err != nil {
			t.Fatalf("Redacted() %q of %q does not parse: %v", u.Redacted(), s, err)
		}
		if again.InlinePassword != "" {
			t.Fatalf("Redacted() %q of %q carries a password", u.Redacted(), s)
		}
		if again.Config.Addr != u.Config.Addr || again.Config.DBName != u.Config.DBName || again.Config.User != u.Config.User {
			t.Fatalf("round trip of %q changed it: %+v vs %+v", s, again.Config, u.Config)
		}
	})
}
