package hbase

import (
	"context"
	"math"
	"net"
)

// rawTransport is a thrift.TTransport over a net.Conn that leaves deadlines
// to Client.call: thrift.TSocket would reset them before every read, so a
// call could outlive its context. Buffering and framing wrap it.
type rawTransport struct{ net.Conn }

func (rawTransport) Open() error                 { return nil }
func (rawTransport) IsOpen() bool                { return true }
func (rawTransport) Flush(context.Context) error { return nil }
func (rawTransport) RemainingBytes() uint64      { return math.MaxUint64 } // unknown, as for a socket
