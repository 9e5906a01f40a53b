package testcluster

import "os"

// Setting returns an optional setting of the test stack, such as
// HETL_TEST_HBASE_THRIFT_TRANSPORT: from the environment, else from
// .hetl-test/endpoints.env; "" when neither has it. Unlike the server
// helpers it never skips or fails a test.
func Setting(key string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fileEnv()[key]
}
