package testcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	demoServerOnce sync.Once
	demoServerPath string
	demoServerErr  string
)

// DemoMySQL makes sure the embedded demo server's program
// (cmd/hetl-demo-mysql) can be found by ingest/demo.StartEmbedded: it
// keeps $HETL_DEMO_MYSQL when set, else builds the program once per test
// process into .hetl-test/bin and points $HETL_DEMO_MYSQL at it. A build
// failure fails the test.
func DemoMySQL(t testing.TB) {
	t.Helper()
	if p := os.Getenv("HETL_DEMO_MYSQL"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return
		}
	}
	root := RepoRoot(t)
	demoServerOnce.Do(func() {
		out := filepath.Join(root, ".hetl-test", "bin", "hetl-demo-mysql")
		cmd := exec.Command("go", "build", "-o", out, "./cmd/hetl-demo-mysql")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			demoServerErr = "build cmd/hetl-demo-mysql: " + err.Error() + "\n" + string(b)
			return
		}
		demoServerPath = out
	})
	if demoServerErr != "" {
		t.Fatal(demoServerErr)
	}
	os.Setenv("HETL_DEMO_MYSQL", demoServerPath)
}
