package command

import (
	"bytes"
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"
)

// run drives the real command tree in-process.
// TestMain lets the test binary stand in for hetl in the child processes
// of --executor processes: with HETL_TEST_AS_HETL=1 it runs the command
// line instead of the tests.
func TestMain(m *testing.M) {
	if os.Getenv("HETL_TEST_AS_HETL") == "1" {
		// As cmd/hetl's main: SIGTERM and Ctrl-C end the context.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Execute(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// repoFile is a path relative to the repository root (tests run in cmd/hetl/command).
func repoFile(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", ".."}, parts...)...)
}

func TestCommands(t *testing.T) {
	t.Setenv("HETL_CONFIG", "")
	repo, _ := filepath.Abs(repoFile())
	example := filepath.Join(repo, "examples", "hetl.yaml")
	t.Chdir(t.TempDir()) // no ./hetl.yaml here
	badKey := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(badKey, []byte("log:\n  level: info\nwarehouse:\n  locaton: /tmp/w\n"), 0o644)
	missingPw := filepath.Join(t.TempDir(), "pw.yaml")
	os.WriteFile(missingPw, []byte("connections:\n  app:\n    url: mysql://u@h:3306/db\n    password_file: /nonexistent/secret\n"), 0o644)

	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantOut   []string
		wantErr   []string
		notInOut  []string
		chdirRepo bool
	}{
		{name: "help", args: []string{"--help"}, wantOut: []string{"Usage:", "Examples:", "config", "version", "-D, --define"}},
		{name: "version", args: []string{"version"}, wantOut: []string{"hetl dev", "go1."}},
		{name: "defaults", args: []string{"config", "check"}, wantOut: []string{"built-in defaults", "sqlite:.hetl/metastore.db", "configuration OK"}},
		{name: "example", args: []string{"config", "check", "--config", example}, chdirRepo: true,
			wantOut: []string{"password_file: examples/secrets/mysql-password.txt", "configuration OK"}, notInOut: []string{"change-me"}},
		{name: "defines", args: []string{"-D", "dfs.replication=2", "config", "check"}, wantOut: []string{"#   dfs.replication=2"}},
		{name: "json logs", args: []string{"--log-format", "json", "config", "check"}, wantOut: []string{"format: json"}},
		{name: "unknown key", args: []string{"config", "check", "--config", badKey}, wantCode: ExitConfig,
			wantErr: []string{badKey + ":4: warehouse.locaton: unknown key \"locaton\" in warehouse"}},
		{name: "missing password file", args: []string{"config", "check", "--config", missingPw}, wantCode: ExitConfig,
			wantErr: []string{missingPw + ":4: connections.app.password_file: cannot read password file /nonexistent/secret"}},
		{name: "missing explicit file", args: []string{"--config", "/nonexistent/hetl.yaml", "config", "check"}, wantCode: ExitConfig,
			wantErr: []string{"/nonexistent/hetl.yaml: file does not exist"}},
		{name: "bad define", args: []string{"-D", "novalue", "version"}, wantCode: ExitOK},
		{name: "bad define used", args: []string{"-D", "novalue", "config", "check"}, wantCode: ExitUsage, wantErr: []string{`-D "novalue": want key=value`}},
		{name: "bad log format", args: []string{"--log-format", "xml", "config", "check"}, wantCode: ExitUsage, wantErr: []string{"--log-format \"xml\""}},
		{name: "unknown flag", args: []string{"--frobnicate"}, wantCode: ExitUsage, wantErr: []string{"unknown flag: --frobnicate"}},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: ExitUsage, wantErr: []string{`unknown command "frobnicate"`}},
		{name: "completion", args: []string{"completion", "bash"}, wantOut: []string{"bash completion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.chdirRepo {
				t.Chdir(repo)
			}
			code, out, errOut := run(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notInOut {
				if strings.Contains(out, w) {
					t.Errorf("stdout contains %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestEveryCommandHasAnExample keeps --help useful as commands are added.
func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() != "help" && strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example in its --help", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewRootCommand())
}

// TestCLIDocsUpToDate fails when docs/cli no longer matches the command tree.
func TestCLIDocsUpToDate(t *testing.T) {
	fresh := t.TempDir()
	if err := WriteCLIDocs(fresh); err != nil {
		t.Fatal(err)
	}
	committed := repoFile("docs", "cli")
	want, _ := filepath.Glob(filepath.Join(fresh, "*.md"))
	have, _ := filepath.Glob(filepath.Join(committed, "*.md"))
	if len(want) != len(have) {
		t.Fatalf("docs/cli has %d files, the command tree makes %d: run `make docs`", len(have), len(want))
	}
	for _, f := range want {
		w, _ := os.ReadFile(f)
		h, err := os.ReadFile(filepath.Join(committed, filepath.Base(f)))
		if err != nil || !bytes.Equal(w, h) {
			t.Errorf("docs/cli/%s is stale: run `make docs`", filepath.Base(f))
		}
	}
}
