package ingest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hetl/hetl/hbase"
	"github.com/hetl/hetl/internal/testcluster"
)

// gatewayProxy forwards TCP to the Thrift2 gateway and can play a gateway
// restart: every connection is cut and new ones are refused for a while.
type gatewayProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	down   bool
	cuts   int
}

func newGatewayProxy(t *testing.T, target string) *gatewayProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &gatewayProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.restart(0) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

// restart cuts every connection and refuses new ones for d.
func (p *gatewayProxy) restart(d time.Duration) {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns, p.down = nil, d > 0
	p.cuts++
	p.mu.Unlock()
	if d > 0 {
		time.AfterFunc(d, func() { p.mu.Lock(); p.down = false; p.mu.Unlock() })
	}
}

// restarter is a Progress that restarts the gateway once rows flow.
type restarter struct {
	once sync.Once
	p    *gatewayProxy
}

func (r *restarter) Start(string, int64) {}
func (r *restarter) Done()               {}
func (r *restarter) Add(rows, _ int64) {
	if rows > 0 {
		r.once.Do(func() { go r.p.restart(1500 * time.Millisecond) })
	}
}

// The gateway goes away for 1.5 s mid-import (every connection cut, new
// ones refused): the import retries and completes with every row.
func TestHBaseImportSurvivesGatewayRestart(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE g (id INT PRIMARY KEY, pad VARCHAR(100))`, `INSERT INTO g SELECT seq, REPEAT('z', 80) FROM seq_1_to_60000`)
	tgt := hbaseTarget(t, "hetl_restart")
	gw, transport, protocol := testcluster.HBaseGateway(t)
	proxy := newGatewayProxy(t, gw)
	opts := hbase.DefaultOptions()
	opts.Transport, opts.Protocol = transport, protocol
	opts.CallTimeout = 10 * time.Second
	addr := proxy.ln.Addr().String()
	tgt.Dial = func(ctx context.Context) (*hbase.Client, error) { return hbase.Dial(ctx, addr, opts) }
	tgt.Salt = 4
	m := mustImport(t, nil, "", src, func(o *Options) {
		o.Table, o.HBase, o.Mappers, o.ChunkRows, o.BatchRows, o.Progress = "g", tgt, 2, 10000, 1000, &restarter{p: proxy}
	})
	if m.Rows != 60000 || !m.Validated || proxy.cuts == 0 || m.Retries == 0 {
		t.Errorf("rows %d, validated %v, gateway restarts %d, retries %d", m.Rows, m.Validated, proxy.cuts, m.Retries)
	}
}

// A real hetl process killed mid-import into HBase: the rerun leaves the
// table exactly equal to the source (same keys, cells written again).
func TestHBaseSIGKILLThenRerun(t *testing.T) {
	db, src := testDB(t)
	exec(t, db, `CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(200), at DATETIME(3) NOT NULL)`,
		`INSERT INTO big SELECT seq, REPEAT('y', 150), '2026-11-21 00:00:00' + INTERVAL seq SECOND FROM seq_1_to_150000`)
	tgt := hbaseTarget(t, "hetl_kill")
	bin := filepath.Join(t.TempDir(), "hetl")
	if out, err := osexec.Command("go", "build", "-o", bin, "../cmd/hetl").CombinedOutput(); err != nil {
		t.Fatalf("build hetl: %v\n%s", err, out)
	}
	dir := t.TempDir()
	addr, transport, protocol := testcluster.HBaseGateway(t)
	cfg := filepath.Join(dir, "hetl.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("hbase:\n  thrift: %s\n  transport: %s\n  protocol: %s\n", addr, transport, protocol)), 0o644)
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte(src.Passwd), 0o600)
	cmd := osexec.Command(bin, "--config", cfg, "import", "--connect", fmt.Sprintf("mysql://%s@%s/%s", src.User, src.Addr, src.DBName),
		"--password-file", pw, "--table", "big", "--hbase-table", tgt.Table.String(), "--column-family", "d",
		"--hbase-create-table", "--hbase-timestamp-column", "at", "-m", "2", "--chunk-rows", "20000")
	cmd.Stderr, cmd.Stdout = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := tgt.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		var n int
		err := c.Scan(ctx, tgt.Table, hbase.ScanOptions{Limit: 1}, hbase.RetryPolicy{Attempts: 1}, func(rs []hbase.Result) error { n += len(rs); return nil })
		if err == nil && n > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the import never put a row")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	state, _ := cmd.Process.Wait()
	if state != nil && state.Success() {
		t.Log("the import finished before the kill landed")
	}
	tgt.Create, tgt.TimestampColumn = true, "at"
	m := mustImport(t, nil, "", src, func(o *Options) { o.Table, o.HBase = "big", tgt })
	if m.Rows != 150000 || !m.Validated {
		t.Errorf("rerun: %d rows, validated %v", m.Rows, m.Validated)
	}
}
