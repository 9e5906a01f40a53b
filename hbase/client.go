package hbase

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// Client is one connection to an HBase Thrift2 gateway. Its methods are safe
// for concurrent use; they take turns on the one connection.
type Client struct {
	addr string
	opts Options

	mu     sync.Mutex
	closed bool
	conn   net.Conn // nil after a call broke the connection, until the next call dials again
	svc    *thrift2.THBaseServiceClient
}

// Dial connects to the gateway at addr (host:port). ctx bounds the dial only.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
		return nil, fmt.Errorf("hbase: gateway address %q: want host:port", addr)
	}
	c := &Client{addr: addr, opts: opts}
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) connect(ctx context.Context) error {
	d := net.Dialer{Timeout: c.opts.ConnectTimeout}
	conn, err := d.DialContext(ctx, "tcp", c.addr)
	if err != nil {
		return fmt.Errorf("hbase: connect to gateway %s: %w", c.addr, err)
	}
	cfg := &thrift.TConfiguration{} // the library's message and frame size limits
	var trans thrift.TTransport = thrift.NewTBufferedTransport(rawTransport{conn}, 64<<10)
	if c.opts.Transport == "framed" {
		trans = thrift.NewTFramedTransportConf(rawTransport{conn}, cfg)
	}
	var proto thrift.TProtocolFactory = thrift.NewTBinaryProtocolFactoryConf(cfg)
	if c.opts.Protocol == "compact" {
		proto = thrift.NewTCompactProtocolFactoryConf(cfg)
	}
	c.conn, c.svc = conn, thrift2.NewTHBaseServiceClientFactory(trans, proto)
	return nil
}

// Close closes the connection. It waits for a call in progress to end.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.drop()
}

// drop closes the connection; the next call dials again.
func (c *Client) drop() error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn, c.svc = nil, nil
	return err
}

// call runs fn on the connection under a deadline: ctx's, or CallTimeout from
// now if that comes first. Cancelling ctx interrupts a call that is waiting
// for the gateway.
func (c *Client) call(ctx context.Context, op string, fn func(svc *thrift2.THBaseServiceClient) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fmt.Errorf("hbase %s: %w", op, ErrClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hbase %s: %w", op, err)
	}
	if c.conn == nil {
		if err := c.connect(ctx); err != nil {
			return fmt.Errorf("hbase %s: %w", op, err)
		}
	}
	deadline := time.Now().Add(c.opts.CallTimeout)
	ctxDeadline, ok := ctx.Deadline()
	if ok && ctxDeadline.Before(deadline) {
		deadline = ctxDeadline
	}
	conn := c.conn
	if err := conn.SetDeadline(deadline); err != nil {
		c.drop()
		return fmt.Errorf("hbase %s: set deadline: %w", op, err)
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		conn.SetDeadline(time.Unix(1, 0)) // in the past: blocked reads and writes return at once
		close(interrupted)
	})
	err := fn(c.svc)
	if !stop() {
		<-interrupted // its deadline must not land on the next call
	}
	if err == nil || inStep(err) {
		return translate(op, err)
	}
	// The call broke off mid-message, so replies would be read out of step:
	// drop the connection and let the next call dial again.
	c.drop()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("hbase %s: %w", op, ctx.Err())
	case errors.Is(err, os.ErrDeadlineExceeded) && ok && !ctxDeadline.After(deadline):
		return fmt.Errorf("hbase %s: %w", op, context.DeadlineExceeded)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("hbase %s: no answer within %s: %w", op, c.opts.CallTimeout, err)
	}
	return fmt.Errorf("hbase %s: %w", op, err)
}

// inStep reports whether err is an exception the gateway declared and sent
// as a whole reply, which leaves the connection usable. Anything else,
// including a TApplicationException (the library also makes those for
// replies out of sequence), drops the connection to be safe.
func inStep(err error) bool {
	var (
		ioErr  *thrift2.TIOError
		argErr *thrift2.TIllegalArgument
	)
	return errors.As(err, &ioErr) || errors.As(err, &argErr)
}
