package config

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSQLSection(t *testing.T) {
	t.Setenv("OPS_HASH", "*14e65567abdb5135d0cfd9a70b3032c179a49ee7") // read at use, in any case
	cfg, err := Load("testdata/sql.good.yml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.SQL
	if s.Listen != "0.0.0.0:3307" || s.MaxConnections != 20 || s.QueryTimeout != 30*time.Second || s.MaxRows != 50000 || !s.TLS.RequireSecureTransport {
		t.Errorf("sql = %+v", s)
	}
	users, err := s.ResolvedUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []ResolvedSQLUser{
		{Name: "analyst", Hash: "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7", Databases: []string{"analytics"}},
		{Name: "bi", Hash: "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7", Databases: []string{"analytics", "raw"}},
		{Name: "ops", Hash: "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7", Databases: []string{"analytics", "raw"}},
	}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("users\n%+v\nwant\n%+v", users, want)
	}
	out, err := cfg.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "14E65567") {
		t.Errorf("redacted output shows a password hash:\n%s", out)
	}

	def := Default()
	if def.SQL.Listen != "127.0.0.1:3307" || !reflect.DeepEqual(def.SQL.DatabaseTables(), map[string][]string{"warehouse": {"*"}}) {
		t.Errorf("defaults: %+v", def.SQL)
	}
	if u, err := def.SQL.ResolvedUsers(context.Background()); err != nil || len(u) != 0 {
		t.Errorf("default users %v, %v", u, err)
	}
}
