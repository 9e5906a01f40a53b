package config

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testEnv is the environment every fixture is loaded with.
func testEnv(name string) (string, bool) {
	v, ok := map[string]string{"EVENTS_PW": "s3cret-events", "META_PW": "s3cret-meta", "EMPTY": "", "OPS_HASH": "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"}[name]
	return v, ok
}

// TestFixtures loads every testdata/*.good.yml (must load) and *.bad.yml
// (must fail with the error its first line names after "# error: ").
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse(filepath.Base(file), data, testEnv)
			if strings.HasSuffix(file, ".good.yml") {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# error: ")
			if !ok {
				t.Fatalf("bad fixture without a '# error: ' first line")
			}
			if err == nil {
				t.Fatalf("want error %q, got success", want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error\n  %v\nwant it to contain\n  %s", err, want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yml", testEnv)
	if err == nil || !strings.Contains(err.Error(), "testdata/does-not-exist.yml: file does not exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultsAndValues(t *testing.T) {
	cfg, err := Load("testdata/full.good.yml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HBase.CallTimeout != 30*time.Second || cfg.HBase.Transport != "framed" {
		t.Errorf("hbase = %+v", cfg.HBase)
	}
	ev, _ := cfg.Connection("events")
	if ev.Name() != "events" || ev.URL != "mysql://reader@127.0.0.1:3406/events" {
		t.Errorf("events = %+v (interpolation default not applied?)", ev)
	}
	pw, err := ev.Password(context.Background())
	if err == nil && pw != os.Getenv("EVENTS_PW") {
		t.Errorf("password from env = %q", pw)
	}
	app, _ := cfg.Connection("app")
	if pw, err := app.Password(context.Background()); err != nil || pw != "not-a-real-password" {
		t.Errorf("password from file = %q, %v (one trailing newline must be trimmed)", pw, err)
	}

	def, err := Parse("empty.yml", nil, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if def.Metastore.URL != "sqlite:.hetl/metastore.db" || def.Warehouse.Location != ".hetl/warehouse" || def.Log.Level != "info" {
		t.Errorf("defaults = %+v", def)
	}
}

func TestRedactedHasNoSecrets(t *testing.T) {
	cfg, err := Load("testdata/full.good.yml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"s3cret-events", "s3cret-meta", "not-a-real-password"} {
		if strings.Contains(string(out), secret) {
			t.Errorf("redacted output contains %q:\n%s", secret, out)
		}
	}
	for _, ref := range []string{"password_file: testdata/secret.txt", "password_env: EVENTS_PW", "call_timeout: 30s"} {
		if !strings.Contains(string(out), ref) {
			t.Errorf("redacted output lacks %q:\n%s", ref, out)
		}
	}
}

func TestExpand(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"plain", "plain", ""},
		{"${EVENTS_PW}", "s3cret-events", ""},
		{"a${NOPE:-dflt}b", "adfltb", ""},
		{"${EMPTY:-dflt}", "dflt", ""},
		{"${EMPTY}", "", ""},
		{"$$HOME", "$HOME", ""},
		{"cost $5", "cost $5", ""},
		{"${NOPE}", "", "NOPE is not set"},
		{"${1BAD}", "", "invalid variable reference"},
		{"${OPEN", "", "unterminated"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, testEnv)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("expand(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
