package hbase

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// fakeGateway is an in-memory THBaseService behind a real Thrift server on
// loopback, so the client's transports, protocols and error translation are
// tested over the wire without HBase. Its error messages copy the real
// gateway's: admin calls name the Java exception, data calls only the table.
type fakeGateway struct {
	thrift2.THBaseService // nil: a call the tests do not expect panics

	mu      sync.Mutex
	tables  map[string]map[string][]*thrift2.TColumnValue // table → row → cells
	release chan struct{}                                 // when set, Put waits for it
}

// startFake serves a fakeGateway with the given transport and protocol and
// returns its address.
func startFake(t *testing.T, transport, protocol string) (*fakeGateway, string) {
	t.Helper()
	f := &fakeGateway{tables: map[string]map[string][]*thrift2.TColumnValue{}}
	sock, err := thrift.NewTServerSocket("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var tf thrift.TTransportFactory = thrift.NewTBufferedTransportFactory(8192)
	if transport == "framed" {
		tf = thrift.NewTFramedTransportFactoryConf(thrift.NewTTransportFactory(), nil)
	}
	var pf thrift.TProtocolFactory = thrift.NewTBinaryProtocolFactoryConf(nil)
	if protocol == "compact" {
		pf = thrift.NewTCompactProtocolFactoryConf(nil)
	}
	srv := thrift.NewTSimpleServer4(thrift2.NewTHBaseServiceProcessor(f), sock, tf, pf)
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	go srv.AcceptLoop()
	t.Cleanup(func() { srv.Stop() })
	return f, sock.Addr().String()
}

func tableKey(tn *thrift2.TTableName) string {
	return TableName{Namespace: string(tn.GetNs()), Name: string(tn.GetQualifier())}.String()
}

func ioError(msg string) error { return &thrift2.TIOError{Message: &msg} }

func (f *fakeGateway) TableExists(_ context.Context, tn *thrift2.TTableName) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.tables[tableKey(tn)]
	return ok, nil
}

func (f *fakeGateway) CreateTable(_ context.Context, desc *thrift2.TTableDescriptor, _ [][]byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := tableKey(desc.TableName)
	if _, ok := f.tables[name]; ok {
		return ioError("org.apache.hadoop.hbase.TableExistsException: " + name + "\n\tat org.apache.hadoop.hbase.master...")
	}
	f.tables[name] = map[string][]*thrift2.TColumnValue{}
	return nil
}

func (f *fakeGateway) IsTableEnabled(_ context.Context, tn *thrift2.TTableName) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.tables[tableKey(tn)]; !ok {
		return false, ioError(tableKey(tn))
	}
	return true, nil
}

func (f *fakeGateway) DisableTable(context.Context, *thrift2.TTableName) error { return nil }

func (f *fakeGateway) DeleteTable(_ context.Context, tn *thrift2.TTableName) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.tables, tableKey(tn))
	return nil
}

func (f *fakeGateway) Put(_ context.Context, table []byte, put *thrift2.TPut) error {
	if f.release != nil {
		<-f.release
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rows, ok := f.tables[string(table)]
	if !ok {
		return ioError(string(table))
	}
	rows[string(put.Row)] = put.ColumnValues
	return nil
}

func (f *fakeGateway) Get(_ context.Context, table []byte, get *thrift2.TGet) (*thrift2.TResult_, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rows, ok := f.tables[string(table)]
	if !ok {
		return nil, ioError(string(table))
	}
	return &thrift2.TResult_{Row: get.Row, ColumnValues: rows[string(get.Row)]}, nil
}

// silentGateway accepts connections, reads what it is sent and never
// answers, like a gateway stuck on a region server.
func silentGateway(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				for {
					if _, err := conn.Read(buf); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}
