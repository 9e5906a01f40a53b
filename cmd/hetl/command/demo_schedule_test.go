package command

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hetl/hetl/internal/testcluster"
)

// hetl demo --schedule: every window of both schedules succeeds, the late
// rows make stale re-runs, and hetl runs works afterwards on its config.
func TestDemoSchedule(t *testing.T) {
	testcluster.DemoMySQL(t)
	t.Setenv("HETL_CONFIG", "")
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errOut := run(t, "demo", "--schedule", "--rows", "600", "--dir", "sched")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, re := range []string{
		`the scheduler is running \(tick 500ms\)`,
		`the source got 200 more events for \S+Z`,
		`(?m)^\| events +\| \S+ +\| succeeded \| manual +\| +1 \|`,
		`(?m)^\| hourly_activity \| \S+ +\| succeeded \| stale +\|`,
		`(?m)^\| hourly_activity \| pipeline \| @hourly \| UTC +\| all +\| active \|`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if regexp.MustCompile(`(?m)^\| \S+ +\| \S+Z +\| failed `).MatchString(out) || strings.Contains(out, "stopping after --schedule-for") {
		t.Errorf("the demo did not finish cleanly:\n%s", out)
	}
	code, out, errOut = run(t, "--config", filepath.Join("sched", "hetl.yaml"), "runs", "--failed")
	if code != ExitOK || out != "no runs\n" {
		t.Errorf("runs afterwards: exit %d\n%s%s", code, out, errOut)
	}
	// Again over its own directory: fine. Over someone else's: refused.
	if code, out, errOut = run(t, "demo", "--schedule", "--rows", "100", "--dir", "sched"); code != ExitOK {
		t.Errorf("second run: exit %d\n%s%s", code, out, errOut)
	}
	os.MkdirAll(filepath.Join("mine", "warehouse"), 0o755)
	if code, _, errOut = run(t, "demo", "--schedule", "--dir", "mine"); code != ExitUsage || !strings.Contains(errOut, "holds files hetl demo --schedule did not write") {
		t.Errorf("someone else's directory: exit %d %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join("mine", "warehouse")); err != nil {
		t.Errorf("the demo touched a directory it did not make: %v", err)
	}
}
