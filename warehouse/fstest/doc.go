// Package fstest is the conformance suite every warehouse.FS passes: the
// same tests run against the local, in-memory and fault-injecting
// filesystems and the real (mini cluster) HDFS. A new FS is done when
// Run passes against it.
package fstest
