package warehouse_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/warehouse"
	"github.com/hetl/hetl/warehouse/fstest"
)

// The tests below run against the Kerberized mini HDFS (testing/cluster
// component hdfs-secure): a MiniKdc, a namenode that accepts only Kerberos,
// block access tokens, and SASL on the datanode's data port.

// keytabLogin is how the tests log in unless they test something else.
func keytabLogin(s testcluster.SecureHDFSServer) warehouse.HDFSOptions {
	return warehouse.HDFSOptions{
		HadoopConfDir: s.ConfDir,
		Kerberos: warehouse.KerberosOptions{
			Principal: s.Principal,
			Keytab:    s.Keytab,
			Krb5Conf:  s.Krb5Conf,
		},
	}
}

// secureRoot connects to the secure cluster's /tmp, from which each test's
// fresh base directory is made and removed.
func secureRoot(t *testing.T) (testcluster.SecureHDFSServer, *warehouse.HDFS) {
	t.Helper()
	s := testcluster.SecureHDFS(t)
	loc, err := warehouse.ParseLocation(s.NameNode + "/tmp")
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := warehouse.NewHDFS(context.Background(), loc, keytabLogin(s))
	if err != nil {
		t.Fatalf("connect to the Kerberized HDFS as %s: %v", s.Principal, err)
	}
	t.Cleanup(func() { tmp.Close() })
	return s, tmp
}

func TestSecureHDFSConformance(t *testing.T) {
	s, tmp := secureRoot(t)
	nnLoc, _ := warehouse.ParseLocation(s.NameNode + "/")
	n := 0
	fstest.Run(t, func(t *testing.T) warehouse.FS {
		// Every other subtest finds its namenode through fs.defaultFS.
		n++
		if n%2 == 0 {
			return freshHDFS(t, tmp, warehouse.Location{Scheme: "hdfs"}, keytabLogin(s))
		}
		return freshHDFS(t, tmp, nnLoc, keytabLogin(s))
	})
}

// TestSecureHDFSTicketCache logs in from a ticket cache (what kinit leaves)
// instead of a keytab, and moves a file of several blocks through SASL-
// protected block transfers.
func TestSecureHDFSTicketCache(t *testing.T) {
	s, tmp := secureRoot(t)
	opts := warehouse.HDFSOptions{
		HadoopConfDir: s.ConfDir,
		Kerberos:      warehouse.KerberosOptions{CCache: "FILE:" + s.CCache, Krb5Conf: s.Krb5Conf},
	}
	h := freshHDFS(t, tmp, warehouse.Location{Scheme: "hdfs"}, opts)
	want := strings.Repeat("kerberos ticket cache\n", 150_000) // 3.3 MB: four 1 MiB blocks
	putFile(t, h, "a/data.txt", want)
	if got := getFile(t, h, "a/data.txt"); got != want {
		t.Fatalf("read back %d bytes, want %d (equal: false)", len(got), len(want))
	}
}

// TestSecureHDFSEnvironment: with no Kerberos options, krb5.conf and the
// ticket cache come from KRB5_CONFIG and KRB5CCNAME, as for Hadoop's tools.
func TestSecureHDFSEnvironment(t *testing.T) {
	s, tmp := secureRoot(t)
	t.Setenv("KRB5_CONFIG", s.Krb5Conf)
	t.Setenv("KRB5CCNAME", s.CCache)
	h := freshHDFS(t, tmp, warehouse.Location{Scheme: "hdfs"}, warehouse.HDFSOptions{HadoopConfDir: s.ConfDir})
	putFile(t, h, "f", "from the environment")
	if got := getFile(t, h, "f"); got != "from the environment" {
		t.Fatalf("read %q", got)
	}
}

// TestSecureHDFSWithoutCredentials: every way of arriving without valid
// Kerberos credentials ends in a prompt error that names Kerberos, never a
// hang or a panic.
func TestSecureHDFSWithoutCredentials(t *testing.T) {
	s := testcluster.SecureHDFS(t)
	loc, _ := warehouse.ParseLocation(s.NameNode + "/tmp")
	dir := t.TempDir()
	insecureConf := filepath.Join(dir, "insecure-conf")
	if err := os.Mkdir(insecureConf, 0o755); err != nil {
		t.Fatal(err)
	}
	writeSite(t, filepath.Join(insecureConf, "core-site.xml"), map[string]string{"fs.defaultFS": s.NameNode})
	otherKeytab := filepath.Join(dir, "other.keytab")
	data, err := os.ReadFile(s.Keytab)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(otherKeytab, data, 0o600); err != nil {
		t.Fatal(err)
	}
	deadKDC := filepath.Join(dir, "dead-kdc.conf")
	krb5, err := os.ReadFile(s.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(deadKDC, []byte(strings.ReplaceAll(string(krb5), s.KDC, "127.0.0.1:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts warehouse.HDFSOptions
		want []string // all must appear in the error
	}{
		{
			name: "no ticket cache, no keytab",
			opts: warehouse.HDFSOptions{HadoopConfDir: s.ConfDir, Kerberos: warehouse.KerberosOptions{
				CCache: filepath.Join(dir, "no-such-ccache"), Krb5Conf: s.Krb5Conf}},
			want: []string{"kerberos", "no usable ticket cache", "kinit"},
		},
		{
			name: "simple authentication against a Kerberos namenode",
			opts: warehouse.HDFSOptions{HadoopConfDir: insecureConf, User: "hetl"},
			want: []string{"Kerberos", "hadoop.security.authentication"},
		},
		{
			name: "keytab of another principal",
			opts: warehouse.HDFSOptions{HadoopConfDir: s.ConfDir, Kerberos: warehouse.KerberosOptions{
				Principal: "intruder@EXAMPLE.COM", Keytab: otherKeytab, Krb5Conf: s.Krb5Conf}},
			want: []string{"kerberos", "holds no key for intruder@EXAMPLE.COM"},
		},
		{
			name: "KDC unreachable",
			opts: warehouse.HDFSOptions{HadoopConfDir: s.ConfDir, Kerberos: warehouse.KerberosOptions{
				Principal: s.Principal, Keytab: s.Keytab, Krb5Conf: deadKDC}},
			want: []string{"kerberos", "log in as " + s.Principal},
		},
		{
			name: "namenode principal unknown to the KDC",
			opts: warehouse.HDFSOptions{
				HadoopConfDir: s.ConfDir,
				Properties:    map[string]string{"dfs.namenode.kerberos.principal": "nn/_HOST@EXAMPLE.COM"},
				Kerberos:      warehouse.KerberosOptions{Principal: s.Principal, Keytab: s.Keytab, Krb5Conf: s.Krb5Conf},
			},
			want: []string{"nn/127.0.0.1"},
		},
		{
			name: "HDFS user with Kerberos",
			opts: warehouse.HDFSOptions{HadoopConfDir: s.ConfDir, User: "root", Kerberos: warehouse.KerberosOptions{
				Principal: s.Principal, Keytab: s.Keytab, Krb5Conf: s.Krb5Conf}},
			want: []string{"Kerberos", "unset the HDFS user"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := newHDFSWithin(t, 30*time.Second, loc, tt.opts)
			if err == nil {
				t.Fatal("connected without valid credentials")
			}
			t.Logf("error: %v", err)
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestSecureHDFSDataTransferNeedsSASL: a client that skips the SASL
// handshake on the data port (dfs.data.transfer.protection removed) can
// talk to the namenode but cannot move a block, which shows the handshake
// the other tests pass is really required.
func TestSecureHDFSDataTransferNeedsSASL(t *testing.T) {
	s, tmp := secureRoot(t)
	opts := keytabLogin(s)
	opts.Properties = map[string]string{"dfs.data.transfer.protection": ""}
	h := freshHDFS(t, tmp, warehouse.Location{Scheme: "hdfs"}, opts)
	done := make(chan error, 1)
	go func() {
		w, err := h.Create(context.Background(), "f", warehouse.CreateOptions{})
		if err == nil {
			if _, err = io.WriteString(w, "no sasl"); err == nil {
				err = w.Close()
			}
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("wrote a block without the SASL handshake")
		}
		t.Logf("refused as it should be: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("a block write without SASL hung for 60 s instead of failing")
	}
}

// TestKerberosOptionsOnInsecureCluster: Kerberos options for a cluster
// whose configuration does not ask for Kerberos are an error, not ignored.
func TestKerberosOptionsOnInsecureCluster(t *testing.T) {
	nameNode, confDir := testcluster.HDFS(t)
	s := testcluster.SecureHDFS(t)
	loc, _ := warehouse.ParseLocation(nameNode + "/tmp")
	opts := keytabLogin(s)
	opts.HadoopConfDir = confDir
	err := newHDFSWithin(t, 30*time.Second, loc, opts)
	if err == nil || !strings.Contains(err.Error(), "does not ask for Kerberos") {
		t.Fatalf("err = %v", err)
	}
}

// newHDFSWithin connects and closes again, failing the test when that
// takes longer than limit.
func newHDFSWithin(t *testing.T, limit time.Duration, loc warehouse.Location, opts warehouse.HDFSOptions) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		h, err := warehouse.NewHDFS(context.Background(), loc, opts)
		if err == nil {
			h.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("connecting did not end within %s", limit)
		return nil
	}
}

func writeSite(t *testing.T, file string, props map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n<configuration>\n")
	for k, v := range props {
		fmt.Fprintf(&b, "  <property><name>%s</name><value>%s</value></property>\n", k, v)
	}
	b.WriteString("</configuration>\n")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func putFile(t *testing.T, fsys warehouse.FS, name, content string) {
	t.Helper()
	ctx := context.Background()
	if err := fsys.MkdirAll(ctx, filepath.Dir(name)); err != nil {
		t.Fatal(err)
	}
	w, err := fsys.Create(ctx, name, warehouse.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, content); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close %s: %v", name, err)
	}
}

func getFile(t *testing.T, fsys warehouse.FS, name string) string {
	t.Helper()
	f, err := fsys.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(data)
}
