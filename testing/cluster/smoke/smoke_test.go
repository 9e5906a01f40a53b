package smoke

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"testing"
	"time"

	"github.com/colinmarc/hdfs/v2"
	"github.com/colinmarc/hdfs/v2/hadoopconf"
	_ "github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
)

func TestMariaDB(t *testing.T) {
	srv := testcluster.MySQL(t)
	db, err := sql.Open("mysql", srv.DSN)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		t.Fatalf("select version: %v", err)
	}
	t.Logf("MariaDB %s at %s", version, srv.Addr())

	// The importer records binlog coordinates: the test server must have the binary log on.
	var name, value string
	if err := db.QueryRowContext(ctx, "SHOW VARIABLES LIKE 'log_bin'").Scan(&name, &value); err != nil {
		t.Fatalf("show log_bin: %v", err)
	}
	if value != "ON" {
		t.Errorf("log_bin = %q, want ON", value)
	}
}

func TestHDFSWriteReadRename(t *testing.T) {
	nameNode, confDir := testcluster.HDFS(t)
	conf, err := hadoopconf.Load(confDir)
	if err != nil {
		t.Fatalf("load HADOOP_CONF_DIR %s: %v", confDir, err)
	}
	opts := hdfs.ClientOptionsFromConf(conf)
	opts.User = "hetl"
	if want := nameNode[len("hdfs://"):]; len(opts.Addresses) != 1 || opts.Addresses[0] != want {
		t.Fatalf("HADOOP_CONF_DIR names namenode %v, endpoints say %s", opts.Addresses, want)
	}
	client, err := hdfs.NewClient(opts)
	if err != nil {
		t.Fatalf("connect to %s: %v", nameNode, err)
	}
	defer client.Close()

	dir := fmt.Sprintf("/tmp/smoke-%d", time.Now().UnixNano())
	if err := client.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("mkdir %s: %v", dir, err)
	}
	defer client.RemoveAll(dir)

	// 3 MiB, more than the mini cluster's 1 MiB default block. colinmarc/hdfs
	// does not retry addBlock when the namenode answers NotReplicatedYet (the
	// Java client does), so hetl writes each file as one block of a size it
	// chooses; docs/development.md has the details.
	want := bytes.Repeat([]byte("hetl smoke "), 3<<20/11)
	src := path.Join(dir, "a.txt")
	w, err := client.CreateFile(src, 1, 4<<20, 0o644)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := w.Write(want); err != nil {
		t.Fatalf("write: %v", err)
	}
	// Close is where HDFS acknowledges the last block: its error matters.
	// ErrReplicating means the data is safe but the namenode has not yet
	// heard from the datanode; closing again is the documented remedy.
	for attempt := 0; ; attempt++ {
		err := w.Close()
		if err == nil {
			break
		}
		if !errors.Is(err, hdfs.ErrReplicating) || attempt == 10 {
			t.Fatalf("close: %v", err)
		}
		time.Sleep(time.Duration(50<<attempt) * time.Millisecond)
	}

	dst := path.Join(dir, "b.txt")
	if err := client.Rename(src, dst); err != nil {
		t.Fatalf("rename: %v", err)
	}
	if _, err := client.Stat(src); !os.IsNotExist(err) {
		t.Errorf("stat of the renamed source: err = %v, want not-exist", err)
	}
	r, err := client.Open(dst)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read back %d bytes, want %d identical bytes", len(got), len(want))
	}
}

func TestYARNClusterInfo(t *testing.T) {
	rm := testcluster.YARN(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rm+"/ws/v1/cluster/info", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET cluster info: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		t.Fatalf("GET cluster info: %s: %s", resp.Status, body)
	}
	var info struct {
		ClusterInfo struct {
			State         string `json:"state"`
			HadoopVersion string `json:"hadoopVersion"`
		} `json:"clusterInfo"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("decode cluster info: %v", err)
	}
	if info.ClusterInfo.State != "STARTED" {
		t.Errorf("ResourceManager state = %q, want STARTED", info.ClusterInfo.State)
	}
	t.Logf("YARN ResourceManager %s at %s", info.ClusterInfo.HadoopVersion, rm)
}
