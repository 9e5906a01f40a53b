package testcluster

import "testing"

// DemoMySQL makes sure the embedded demo server's program
// (cmd/hetl-demo-mysql) can be found by ingest/demo.StartEmbedded: it
// keeps $HETL_DEMO_MYSQL when set, else builds the program once per test
// process into .hetl-test/bin and points $HETL_DEMO_MYSQL at it. A build
// failure fails the test.
func DemoMySQL(t testing.TB) {
	t.Helper()
	demoServer.ensure(t)
}
