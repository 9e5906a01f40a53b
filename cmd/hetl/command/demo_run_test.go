package command

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
)

// hetl demo run seeds the embedded server, imports the three tables, adds
// events and imports exactly those incrementally.
func TestDemoRun(t *testing.T) {
	testcluster.DemoMySQL(t)
	t.Setenv("HETL_CONFIG", "")
	dir := t.TempDir()
	t.Chdir(dir)
	wh := filepath.Join(dir, "wh")
	code, out, errOut := run(t, "demo", "run", "--rows", "1000", "--hours", "4", "--warehouse-dir", wh)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, re := range []string{
		`(?m)^users +50 +1 +0 `,
		`(?m)^events +1000 +\d+ +4 `,
		`the source got 100 more events \(ids from 1001;`,
		`incremental import of events: 100 rows with id in \(1000, 1100\], into \d+ partitions: `,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	fsys, err := warehouse.NewLocalFS(wh)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.ReadManifest(context.Background(), fsys, "events")
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows != 1100 || m.Incremental == nil || m.Incremental.NextValue != "1100" {
		t.Errorf("events manifest: %d rows, %+v", m.Rows, m.Incremental)
	}
}
