package testcluster

import (
	"bufio"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestParseEnvFile(t *testing.T) {
	in := "# endpoints\nexport A=1\nB='two words'\nC=\"x=y\"\n\nnot a line\n"
	got := parseEnvFile(bufio.NewScanner(strings.NewReader(in)))
	want := map[string]string{"A": "1", "B": "two words", "C": "x=y"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

// recorder is a testing.TB that records how a helper stopped the test.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// stopped runs fn as a test body would run and reports how it ended.
func stopped(fn func(tb testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	return r
}

// TestMissingServerFailsWhenRequired: in CI a missing server is a failure,
// never a silent skip.
func TestMissingServerFailsWhenRequired(t *testing.T) {
	t.Setenv("HETL_TEST_HBASE_THRIFT", "127.0.0.1:1") // nothing listens on port 1

	t.Setenv("HETL_REQUIRE_CLUSTER", "1")
	r := stopped(func(tb testing.TB) { HBaseThrift(tb) })
	if !r.failed || r.skipped || !strings.Contains(r.msg, "not reachable") {
		t.Errorf("required: failed=%v skipped=%v msg=%q; want a failure", r.failed, r.skipped, r.msg)
	}

	t.Setenv("HETL_REQUIRE_CLUSTER", "")
	t.Setenv("CI", "true")
	if r := stopped(func(tb testing.TB) { HBaseThrift(tb) }); !r.failed {
		t.Errorf("CI=true: the test was not failed (skipped=%v)", r.skipped)
	}

	t.Setenv("CI", "")
	r = stopped(func(tb testing.TB) { HBaseThrift(tb) })
	if !r.skipped || !strings.Contains(r.msg, "make cluster-up") {
		t.Errorf("by hand: skipped=%v msg=%q; want a skip that says how to start the stack", r.skipped, r.msg)
	}
}

func TestMissingSecureHDFSFailsWhenRequired(t *testing.T) {
	for _, k := range []string{"CONF_DIR", "KRB5_CONFIG", "KEYTAB", "PRINCIPAL", "CCACHE"} {
		t.Setenv("HETL_TEST_HDFS_SECURE_"+k, "/nonexistent")
	}
	t.Setenv("HETL_TEST_HDFS_SECURE_KDC", "127.0.0.1:1")
	t.Setenv("HETL_TEST_HDFS_SECURE", "hdfs://127.0.0.1:1") // nothing listens on port 1
	t.Setenv("HETL_REQUIRE_CLUSTER", "1")
	r := stopped(func(tb testing.TB) { SecureHDFS(tb) })
	if !r.failed || r.skipped || !strings.Contains(r.msg, "Kerberized HDFS namenode at 127.0.0.1:1 is not reachable") {
		t.Errorf("required: failed=%v skipped=%v msg=%q; want a failure", r.failed, r.skipped, r.msg)
	}
}
