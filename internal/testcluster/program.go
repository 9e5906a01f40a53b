package testcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// companion is one of hetl's companion programs, built for tests.
type companion struct {
	env  string // the variable hetl finds it by
	pkg  string // its package, e.g. ./cmd/hetl-sql
	once sync.Once
	path string
	err  string
}

var (
	demoServer = &companion{env: "HETL_DEMO_MYSQL", pkg: "./cmd/hetl-demo-mysql"}
	sqlProgram = &companion{env: "HETL_SQL", pkg: "./cmd/hetl-sql"}
)

// ensure keeps $env when it names a file, else builds the program once
// per test process into .hetl-test/bin and points $env at it. A build
// failure fails the test.
func (c *companion) ensure(t testing.TB) {
	t.Helper()
	if p := os.Getenv(c.env); p != "" {
		if _, err := os.Stat(p); err == nil {
			return
		}
	}
	root := RepoRoot(t)
	c.once.Do(func() {
		out := filepath.Join(root, ".hetl-test", "bin", filepath.Base(c.pkg))
		cmd := exec.Command("go", "build", "-o", out, c.pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			c.err = "build " + c.pkg + ": " + err.Error() + "\n" + string(b)
			return
		}
		c.path = out
	})
	if c.err != "" {
		t.Fatal(c.err)
	}
	os.Setenv(c.env, c.path)
}
