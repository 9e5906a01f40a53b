package testcluster

import (
	"os/exec"
	"testing"
)

// SQLProgram makes sure hetl's SQL engine program (cmd/hetl-sql), which
// `hetl sql query` and `hetl sql serve` run, can be found: it keeps
// $HETL_SQL when set, else builds the program once per test process into
// .hetl-test/bin and points $HETL_SQL at it. A build failure fails the
// test.
func SQLProgram(t testing.TB) {
	t.Helper()
	sqlProgram.ensure(t)
}

// MySQLClient returns the path of the MariaDB command-line client
// (mariadb, else mysql), installed with the test stack's MariaDB; without
// it the test fails under HETL_REQUIRE_CLUSTER=1 and skips otherwise.
func MySQLClient(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"mariadb", "mysql"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "the MariaDB command-line client (mariadb or mysql) is not on PATH; testing/cluster/mariadb.sh installs it")
	return ""
}
