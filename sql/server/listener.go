package server

import (
	"encoding/binary"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/mysql"
)

// limitListener admits at most max connections at once. The next one is
// told so the way MySQL does — an error packet, 1040 "Too many
// connections", in place of the greeting — and closed; vitess's own limit
// would leave it hanging or drop it without a word. It also tracks the
// open connections so shutdown can close them.
type limitListener struct {
	net.Listener
	max int
	log *slog.Logger

	mu    sync.Mutex
	conns map[*trackedConn]struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		if len(l.conns) >= l.max {
			l.mu.Unlock()
			l.log.Warn("connection refused: too many connections", "remote", c.RemoteAddr().String(), "max_connections", l.max)
			go refuse(c, mysql.ERConCount, "08004", "Too many connections (hetl's limit, sql.max_connections, is reached)")
			continue
		}
		tc := &trackedConn{Conn: c, l: l}
		l.conns[tc] = struct{}{}
		l.mu.Unlock()
		return tc, nil
	}
}

// closeAll closes every open connection.
func (l *limitListener) closeAll() {
	l.mu.Lock()
	conns := make([]*trackedConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	l.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// refuse sends a MySQL error packet as the first packet and closes.
func refuse(c net.Conn, code uint16, state, msg string) {
	defer c.Close()
	payload := []byte{0xff, 0, 0, '#'}
	binary.LittleEndian.PutUint16(payload[1:3], code)
	payload = append(payload, state...)
	payload = append(payload, msg...)
	pkt := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), 0}
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = c.Write(append(pkt, payload...))
}

// trackedConn leaves its listener's count when closed.
type trackedConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *trackedConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}
