package schedstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/hetl/hetl/internal/testcluster"
	"github.com/hetl/hetl/metastore"
	"github.com/hetl/hetl/metastore/schedstore"
	"github.com/hetl/hetl/scheduler"
	"github.com/hetl/hetl/scheduler/storetest"
)

// open opens a metastore inside the test's synctest bubble: its clock is
// the bubble's (time.Now), and its connection pool's goroutines belong to
// the bubble, closed before the bubble ends.
func open(t *testing.T, url, password string) scheduler.Store {
	t.Helper()
	ms, err := metastore.Open(context.Background(), url, metastore.Options{Password: password})
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { ms.Close() })
	return schedstore.New(ms)
}

func TestSQLiteConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduler.Store {
		return open(t, "sqlite:"+filepath.Join(t.TempDir(), "metastore.db"), "")
	})
}

var dbSeq atomic.Int64

// TestMariaDBConformance runs the suite on the test MariaDB, a fresh
// database per case (dropped afterwards). Fencing there rests on
// SELECT … FOR UPDATE, which the ClaimRace case exercises with real
// concurrent transactions.
func TestMariaDBConformance(t *testing.T) {
	srv := testcluster.MySQL(t)
	storetest.Run(t, func(t *testing.T) scheduler.Store {
		// Connections opened in a bubble belong to it: this one too.
		admin, err := sql.Open("mysql", srv.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Close() })
		db := fmt.Sprintf("sched_wire_store_%d_%d", time.Now().UnixNano(), dbSeq.Add(1))
		if _, err := admin.Exec("CREATE DATABASE " + db); err != nil {
			t.Fatalf("create database: %v", err)
		}
		t.Cleanup(func() {
			if _, err := admin.Exec("DROP DATABASE " + db); err != nil {
				t.Errorf("drop database %s: %v", db, err)
			}
		})
		return open(t, fmt.Sprintf("mysql://%s@%s/%s", srv.User, net.JoinHostPort(srv.Host, srv.Port), db), srv.Password)
	})
}
