package hbase

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

func dialFake(t *testing.T, addr string, opts Options) *Client {
	t.Helper()
	c, err := Dial(context.Background(), addr, opts)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestEveryTransportAndProtocol(t *testing.T) {
	for _, transport := range []string{"buffered", "framed"} {
		for _, protocol := range []string{"binary", "compact"} {
			t.Run(transport+"/"+protocol, func(t *testing.T) {
				_, addr := startFake(t, transport, protocol)
				opts := DefaultOptions()
				opts.Transport, opts.Protocol = transport, protocol
				c := dialFake(t, addr, opts)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()

				spec := TableSpec{Namespace: "ns", Name: "t", Families: []FamilySpec{{Name: "f"}}}
				if err := c.CreateTable(ctx, spec); err != nil {
					t.Fatalf("create: %v", err)
				}
				if err := c.CreateTable(ctx, spec); !errors.Is(err, ErrTableExists) {
					t.Errorf("second create: err = %v, want ErrTableExists", err)
				}
				if ok, err := c.TableExists(ctx, spec.Table()); err != nil || !ok {
					t.Errorf("TableExists = %v, %v; want true", ok, err)
				}
				want := Cell{Family: "f", Qualifier: "q", Value: []byte("v"), Timestamp: 42}
				if err := c.Put(ctx, spec.Table(), []byte("r"), []Cell{want}); err != nil {
					t.Fatalf("put: %v", err)
				}
				got, err := c.Get(ctx, spec.Table(), []byte("r"))
				if err != nil || len(got) != 1 || got[0].Qualifier != "q" || !bytes.Equal(got[0].Value, want.Value) || got[0].Timestamp != 42 {
					t.Fatalf("get = %+v, %v; want [%+v]", got, err, want)
				}

				missing := TableName{Name: "missing"}
				if err := c.Put(ctx, missing, []byte("r"), []Cell{want}); !errors.Is(err, ErrTableNotFound) {
					t.Errorf("put into a missing table: err = %v, want ErrTableNotFound", err)
				}
				if err := c.DeleteTable(ctx, spec.Table()); err != nil {
					t.Errorf("delete: %v", err)
				}
				if err := c.DeleteTable(ctx, spec.Table()); !errors.Is(err, ErrTableNotFound) {
					t.Errorf("second delete: err = %v, want ErrTableNotFound", err)
				}
			})
		}
	}
}

func TestCallIsBoundedByContext(t *testing.T) {
	c := dialFake(t, silentGateway(t), DefaultOptions())
	table := TableName{Name: "t"}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.TableExists(ctx, table)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("call returned %s after its 100ms deadline", elapsed)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	if _, err := c.TableExists(ctx, table); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}

	opts := DefaultOptions()
	opts.CallTimeout = 100 * time.Millisecond
	c = dialFake(t, silentGateway(t), opts)
	_, err = c.TableExists(context.Background(), table)
	if err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the call timeout: err = %v, want a timeout that is not the context's", err)
	}
}

// A call that timed out leaves its reply on the wire; the next call must get
// its own answer, not that one.
func TestLateReplyIsNotTakenForTheNext(t *testing.T) {
	f, addr := startFake(t, "buffered", "binary")
	c := dialFake(t, addr, DefaultOptions())
	ctx := context.Background()
	spec := TableSpec{Name: "t", Families: []FamilySpec{{Name: "f"}}}
	if err := c.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}

	f.release = make(chan struct{})
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := c.Put(short, spec.Table(), []byte("r"), []Cell{{Family: "f", Qualifier: "q"}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled put: err = %v, want context.DeadlineExceeded", err)
	}
	close(f.release) // the put completes and its reply goes to the dropped connection

	if ok, err := c.TableExists(ctx, TableName{Name: "other"}); err != nil || ok {
		t.Fatalf("TableExists(other) = %v, %v; want false, nil", ok, err)
	}
}

func TestClosedClient(t *testing.T) {
	_, addr := startFake(t, "buffered", "binary")
	c := dialFake(t, addr, DefaultOptions())
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.TableExists(context.Background(), TableName{Name: "t"}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
}
