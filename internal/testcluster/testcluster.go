package testcluster

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// MySQLServer describes the test MariaDB server and its all-privileges user.
type MySQLServer struct {
	DSN      string // go-sql-driver form, for example "hetl:pw@tcp(127.0.0.1:3406)/"
	Host     string
	Port     string
	User     string
	Password string
}

// Addr is host:port of the server.
func (m MySQLServer) Addr() string { return net.JoinHostPort(m.Host, m.Port) }

// Required reports whether a missing server must fail tests rather than skip
// them.
func Required() bool {
	return os.Getenv("HETL_REQUIRE_CLUSTER") == "1" || os.Getenv("CI") == "true"
}

// MySQL returns the test MariaDB server, or stops the test when there is none.
func MySQL(t testing.TB) MySQLServer {
	t.Helper()
	m := MySQLServer{
		DSN:      lookup(t, "HETL_TEST_MYSQL_DSN"),
		Host:     lookup(t, "HETL_TEST_MYSQL_HOST"),
		Port:     lookup(t, "HETL_TEST_MYSQL_PORT"),
		User:     lookup(t, "HETL_TEST_MYSQL_USER"),
		Password: lookup(t, "HETL_TEST_MYSQL_PASSWORD"),
	}
	reachable(t, "MariaDB", m.Addr())
	return m
}

// HDFS returns the mini HDFS namenode URL (hdfs://host:port) and the
// HADOOP_CONF_DIR that describes it.
func HDFS(t testing.TB) (nameNodeURL, hadoopConfDir string) {
	t.Helper()
	nameNodeURL = lookup(t, "HETL_TEST_HDFS")
	hadoopConfDir = lookup(t, "HADOOP_CONF_DIR")
	u, err := url.Parse(nameNodeURL)
	if err != nil || u.Scheme != "hdfs" || u.Host == "" {
		missing(t, fmt.Sprintf("HETL_TEST_HDFS=%q is not an hdfs://host:port URL", nameNodeURL))
	}
	reachable(t, "HDFS namenode", u.Host)
	return nameNodeURL, hadoopConfDir
}

// SecureHDFSServer is the Kerberized mini HDFS (testing/cluster component
// hdfs-secure) and what a client needs to log in to it.
type SecureHDFSServer struct {
	NameNode  string // hdfs://host:port
	ConfDir   string // its HADOOP_CONF_DIR: hadoop.security.authentication=kerberos, the namenode principal, SASL data transfer
	Krb5Conf  string // krb5.conf naming the MiniKdc (for KRB5_CONFIG)
	Keytab    string // keytab of the client principal
	Principal string // client principal, user@REALM
	CCache    string // a ticket cache of the client principal, refreshed by the launcher
	KDC       string // host:port of the MiniKdc (TCP)
}

// SecureHDFS returns the Kerberized mini HDFS, or stops the test when there
// is none. Its variables are separate from HETL_TEST_HDFS and
// HADOOP_CONF_DIR, which stay those of the insecure cluster.
func SecureHDFS(t testing.TB) SecureHDFSServer {
	t.Helper()
	s := SecureHDFSServer{
		NameNode:  lookup(t, "HETL_TEST_HDFS_SECURE"),
		ConfDir:   lookup(t, "HETL_TEST_HDFS_SECURE_CONF_DIR"),
		Krb5Conf:  lookup(t, "HETL_TEST_HDFS_SECURE_KRB5_CONFIG"),
		Keytab:    lookup(t, "HETL_TEST_HDFS_SECURE_KEYTAB"),
		Principal: lookup(t, "HETL_TEST_HDFS_SECURE_PRINCIPAL"),
		CCache:    lookup(t, "HETL_TEST_HDFS_SECURE_CCACHE"),
		KDC:       lookup(t, "HETL_TEST_HDFS_SECURE_KDC"),
	}
	u, err := url.Parse(s.NameNode)
	if err != nil || u.Scheme != "hdfs" || u.Host == "" {
		missing(t, fmt.Sprintf("HETL_TEST_HDFS_SECURE=%q is not an hdfs://host:port URL", s.NameNode))
	}
	reachable(t, "Kerberized HDFS namenode", u.Host)
	reachable(t, "MiniKdc", s.KDC)
	return s
}

// YARN returns the ResourceManager's web URL (http://host:port).
func YARN(t testing.TB) string {
	t.Helper()
	rm := lookup(t, "HETL_TEST_YARN_RM")
	u, err := url.Parse(rm)
	if err != nil || u.Host == "" {
		missing(t, fmt.Sprintf("HETL_TEST_YARN_RM=%q is not an http://host:port URL", rm))
	}
	reachable(t, "YARN ResourceManager", u.Host)
	return rm
}

// HBaseThrift returns host:port of HBase's Thrift2 gateway.
func HBaseThrift(t testing.TB) string {
	t.Helper()
	addr := lookup(t, "HETL_TEST_HBASE_THRIFT")
	reachable(t, "HBase Thrift2 gateway", addr)
	return addr
}

// HBaseGateway is HBaseThrift with the transport and protocol the gateway
// was started with (HBase's defaults, buffered and binary, when unset).
func HBaseGateway(t testing.TB) (addr, transport, protocol string) {
	t.Helper()
	addr = HBaseThrift(t)
	transport, protocol = Setting("HETL_TEST_HBASE_THRIFT_TRANSPORT"), Setting("HETL_TEST_HBASE_THRIFT_PROTOCOL")
	if transport == "" {
		transport = "buffered"
	}
	if protocol == "" {
		protocol = "binary"
	}
	return addr, transport, protocol
}

func lookup(t testing.TB, key string) string {
	t.Helper()
	if v := os.Getenv(key); v != "" {
		return v
	}
	if v := fileEnv()[key]; v != "" {
		return v
	}
	missing(t, key+" is not set and .hetl-test/endpoints.env does not define it")
	return ""
}

func reachable(t testing.TB, what, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		missing(t, fmt.Sprintf("%s at %s is not reachable: %v", what, addr, err))
		return
	}
	_ = conn.Close()
}

func missing(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("test server missing: %s (the test stack must be up: make cluster-up)", why)
	}
	t.Skipf("SKIPPED, test server missing: %s; run `make cluster-up` or `make test`", why)
}

var (
	fileOnce sync.Once
	fileVars map[string]string
)

// fileEnv reads .hetl-test/endpoints.env from the repository root once.
func fileEnv() map[string]string {
	fileOnce.Do(func() {
		fileVars = map[string]string{}
		root, ok := repoRoot()
		if !ok {
			return
		}
		f, err := os.Open(filepath.Join(root, ".hetl-test", "endpoints.env"))
		if err != nil {
			return
		}
		defer f.Close()
		fileVars = parseEnvFile(bufio.NewScanner(f))
	})
	return fileVars
}

// parseEnvFile reads the KEY=VALUE lines of a file bash can source; an
// optional "export " prefix and one level of quotes are removed.
func parseEnvFile(sc *bufio.Scanner) map[string]string {
	vars := map[string]string{}
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		vars[strings.TrimSpace(k)] = v
	}
	return vars
}

// RepoRoot returns the directory holding go.mod, found by walking up from the
// directory the test binary started in (its package directory), so tests
// that change directory still find it.
func RepoRoot(t testing.TB) string {
	t.Helper()
	root, ok := repoRoot()
	if !ok {
		t.Fatal("cannot find the repository root (no go.mod above the working directory)")
	}
	return root
}

// startDir is the working directory the test binary started in (its
// package directory), before any test changed it.
var startDir, _ = os.Getwd()

func repoRoot() (string, bool) {
	dir := startDir
	if dir == "" {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
