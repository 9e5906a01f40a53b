// Package testcluster is the one door through which tests reach the real
// servers of hetl's test stack: MariaDB, the mini HDFS and YARN clusters, the
// Kerberized mini HDFS with its KDC (SecureHDFS), and HBase's Thrift2 gateway.
//
// Endpoints come from the environment variables that `make cluster-up` writes
// to .hetl-test/endpoints.env (HETL_TEST_MYSQL_DSN, HETL_TEST_HDFS, ...). When
// a variable is not set in the environment, the file is read from the
// repository root, so `go test ./...` works after `make cluster-up` too.
//
// Invariant: when HETL_REQUIRE_CLUSTER=1 (set by `make test`) or CI=true, a
// missing or unreachable server fails the test. Only a developer running tests
// by hand without the stack sees a skip, and the skip message says how to
// start it.
package testcluster
