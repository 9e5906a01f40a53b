// Package smoke proves that each server of hetl's test stack is real and
// reachable from Go: MariaDB through go-sql-driver/mysql, the mini HDFS
// through colinmarc/hdfs, and the YARN ResourceManager's REST API. (HBase's
// Thrift2 gateway is proven by the hbase package's own tests.)
//
// It holds tests only. Run with the stack up (`make cluster-up`) or through
// `make test`; with HETL_REQUIRE_CLUSTER=1 a missing server is a failure.
package smoke
