package hbase

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/apache/thrift/lib/go/thrift"

	"github.com/hetl/hetl/hbase/internal/thrift2"
)

// Options configure a connection to the Thrift2 gateway. They must match the
// gateway's settings (hbase.regionserver.thrift.framed / .compact).
type Options struct {
	Transport      string        // "buffered" (HBase's default) or "framed"
	Protocol       string        // "binary" (HBase's default) or "compact"
	ConnectTimeout time.Duration // dialling the gateway
	CallTimeout    time.Duration // socket timeout of each call when ctx has no earlier deadline
}

// DefaultOptions match a Thrift2 gateway started with HBase's defaults.
func DefaultOptions() Options {
	return Options{Transport: "buffered", Protocol: "binary", ConnectTimeout: 10 * time.Second, CallTimeout: time.Minute}
}

// Validate reports the first invalid option.
func (o Options) Validate() error {
	switch o.Transport {
	case "buffered", "framed":
	default:
		return fmt.Errorf("hbase: transport %q: want buffered or framed", o.Transport)
	}
	switch o.Protocol {
	case "binary", "compact":
	default:
		return fmt.Errorf("hbase: protocol %q: want binary or compact", o.Protocol)
	}
	if o.ConnectTimeout <= 0 || o.CallTimeout <= 0 {
		return fmt.Errorf("hbase: connect and call timeouts must be positive")
	}
	return nil
}

// Client is one connection to an HBase Thrift2 gateway. Its methods are safe
// for concurrent use; they are serialised on the one connection.
type Client struct {
	addr string
	opts Options

	mu     sync.Mutex
	socket *thrift.TSocket
	trans  thrift.TTransport
	svc    *thrift2.THBaseServiceClient
}

// Dial connects to the gateway at addr (host:port).
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("hbase: gateway address %q: want host:port", addr)
	}
	cfg := &thrift.TConfiguration{ConnectTimeout: opts.ConnectTimeout, SocketTimeout: opts.CallTimeout}
	if d, ok := ctx.Deadline(); ok && time.Until(d) < cfg.ConnectTimeout {
		cfg.ConnectTimeout = time.Until(d)
	}
	socket := thrift.NewTSocketConf(addr, cfg)
	var trans thrift.TTransport = thrift.NewTBufferedTransport(socket, 64<<10)
	if opts.Transport == "framed" {
		trans = thrift.NewTFramedTransportConf(socket, cfg)
	}
	if err := trans.Open(); err != nil {
		return nil, fmt.Errorf("hbase: connect to gateway %s: %w", addr, err)
	}
	var proto thrift.TProtocolFactory = thrift.NewTBinaryProtocolFactoryConf(cfg)
	if opts.Protocol == "compact" {
		proto = thrift.NewTCompactProtocolFactoryConf(cfg)
	}
	return &Client{
		addr:   addr,
		opts:   opts,
		socket: socket,
		trans:  trans,
		svc:    thrift2.NewTHBaseServiceClientFactory(trans, proto),
	}, nil
}

// Close closes the connection.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.svc == nil {
		return nil
	}
	c.svc = nil
	return c.trans.Close()
}

// call runs fn on the connection with the socket timeout cut to ctx's
// deadline, so a caller's deadline bounds a call that the gateway never
// answers.
func (c *Client) call(ctx context.Context, op string, fn func(svc *thrift2.THBaseServiceClient) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hbase %s: %w", op, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.svc == nil {
		return ErrClosed
	}
	timeout := c.opts.CallTimeout
	if d, ok := ctx.Deadline(); ok && time.Until(d) < timeout {
		timeout = time.Until(d)
	}
	if err := c.socket.SetSocketTimeout(timeout); err != nil {
		return fmt.Errorf("hbase %s: set timeout: %w", op, err)
	}
	return translate(op, fn(c.svc))
}
