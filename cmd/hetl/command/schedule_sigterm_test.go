package command

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
)

// hetl schedule as its own process, stopped by SIGTERM while windows
// run: it exits 0 within its grace period, nothing stays recorded as
// running, and the next daemon finishes every window.
func TestScheduleSIGTERM(t *testing.T) {
	testcluster.DemoMySQL(t)
	t.Setenv("HETL_CONFIG", "")
	dir := t.TempDir()
	t.Chdir(dir)
	if code, out, errOut := run(t, "demo", "--schedule", "--rows", "2000", "--dir", "sched"); code != ExitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	cfg := filepath.Join(dir, "sched", "hetl.yaml")
	// The demo's key lived in its process; the daemons here read theirs
	// from the environment, as hourly_activity says (pii_key_env).
	t.Setenv("HETL_PII_KEY", "the SIGTERM test's key, 32 bytes or more")
	_, out, _ := run(t, "--config", cfg, "runs", "hourly_activity")
	var hours []string
	for _, m := range regexp.MustCompile(`(?m)^\| hourly_activity \| (\d{4}-\d\d-\d\dT\d\d)`).FindAllStringSubmatch(out, -1) {
		hours = append(hours, m[1])
	}
	if len(hours) < 2 {
		t.Fatalf("the demo ran %d hourly_activity windows:\n%s", len(hours), out)
	}
	for _, h := range hours {
		if code, _, errOut := run(t, "--config", cfg, "trigger", "hourly_activity", "--hour", h); code != ExitOK {
			t.Fatalf("trigger %s: exit %d %s", h, code, errOut)
		}
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	c := exec.Command(exe, "--config", cfg, "--log-level", "info", "schedule")
	c.Env = append(os.Environ(), "HETL_TEST_AS_HETL=1")
	c.Stdout, c.Stderr = &logs, &logs
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	for deadline := time.Now().Add(60 * time.Second); !strings.Contains(logs.String(), "starting window"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.Process.Kill()
			t.Fatalf("no window started:\n%s", logs.String())
		}
	}
	c.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Errorf("after SIGTERM: %v\n%s", err, logs.String())
		}
	case <-time.After(90 * time.Second): // the default grace is 1m
		c.Process.Kill()
		t.Fatalf("still running 90s after SIGTERM:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "scheduler stopping") || !strings.Contains(logs.String(), "scheduler stopped") {
		t.Errorf("no graceful stop in the daemon's log:\n%s", logs.String())
	}
	_, out, _ = run(t, "--config", cfg, "runs")
	if strings.Contains(out, "| running ") {
		t.Errorf("a window is recorded as running after the daemon stopped:\n%s", out)
	}
	// The next daemon runs what is left; every window ends succeeded.
	if code, _, errOut := run(t, "--config", cfg, "schedule", "--for", "20s"); code != ExitOK {
		t.Fatalf("second daemon: exit %d %s", code, errOut)
	}
	_, out, _ = run(t, "--config", cfg, "runs", "hourly_activity")
	for _, h := range hours {
		if !regexp.MustCompile(`(?m)^\| hourly_activity \| ` + h + `\S* +\| succeeded `).MatchString(out) {
			t.Errorf("window %s did not end succeeded:\n%s", h, out)
		}
	}
}
