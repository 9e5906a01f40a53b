package server

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dolthub/vitess/go/mysql"
	"github.com/dolthub/vitess/go/sqltypes"
	querypb "github.com/dolthub/vitess/go/vt/proto/query"
	"github.com/dolthub/vitess/go/vt/sqlparser"

	"github.com/hetl/hetl/sql/engine"
)

// handler wraps go-mysql-server's connection handler: it refuses writes
// and statements during shutdown, bounds each statement's time and rows,
// and keeps KILL to the user's own connections. Embedding the plain
// mysql.Handler interface also hides go-mysql-server's extended
// prepare/bind path, so every statement passes through here.
type handler struct {
	mysql.Handler
	timeout   time.Duration
	maxRows   int64
	log       *slog.Logger
	killQuery func(connID uint32) // cancels the connection's running statement

	mu      sync.Mutex
	conns   map[uint32]*mysql.Conn // open connections, for KILL's owner check
	running int
	closing bool
	drained chan struct{} // closed once closing and nothing runs
}

func (h *handler) NewConnection(c *mysql.Conn) {
	h.mu.Lock()
	h.conns[c.ConnectionID] = c
	h.mu.Unlock()
	h.Handler.NewConnection(c)
}

func (h *handler) ConnectionClosed(c *mysql.Conn) {
	h.mu.Lock()
	delete(h.conns, c.ConnectionID)
	h.mu.Unlock()
	h.Handler.ConnectionClosed(c)
}

func (h *handler) ComInitDB(c *mysql.Conn, db string) error {
	return mysqlAccessError(h.Handler.ComInitDB(c, db))
}

// begin admits a statement unless the server is shutting down.
func (h *handler) begin() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return mysql.NewSQLError(mysql.ERServerShutdown, mysql.SSNetError, "hetl SQL endpoint: server shutdown in progress")
	}
	h.running++
	return nil
}

func (h *handler) end() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running--
	if h.closing && h.running == 0 && h.drained != nil {
		close(h.drained)
		h.drained = nil
	}
}

// drain refuses new statements; the channel closes when none runs.
func (h *handler) drain() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch := make(chan struct{})
	if h.closing && h.drained != nil {
		return h.drained
	}
	h.closing = true
	if h.running == 0 {
		close(ch)
		return ch
	}
	h.drained = ch
	return ch
}

func (h *handler) ComQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) error {
	if err := h.begin(); err != nil {
		return err
	}
	defer h.end()
	if done, _, err := h.screen(c, query); done || err != nil {
		if err == nil {
			err = callback(&sqltypes.Result{}, false)
		}
		return err
	}
	ctx, cancel := h.bound(ctx)
	defer cancel()
	sp := h.newSpool(func(r *sqltypes.Result, more bool) error { return callback(r, more) })
	err := h.Handler.ComQuery(ctx, c, query, sp.add)
	if err == nil {
		err = sp.flush()
	}
	return h.outcome(ctx, c, sp, err)
}

func (h *handler) ComMultiQuery(ctx context.Context, c *mysql.Conn, query string, callback mysql.ResultSpoolFn) (string, error) {
	if err := h.begin(); err != nil {
		return "", err
	}
	defer h.end()
	if done, rest, err := h.screen(c, query); done || err != nil {
		if err == nil {
			err = callback(&sqltypes.Result{}, rest != "")
		}
		return rest, err
	}
	ctx, cancel := h.bound(ctx)
	defer cancel()
	sp := h.newSpool(func(r *sqltypes.Result, more bool) error { return callback(r, more) })
	rest, err := h.Handler.ComMultiQuery(ctx, c, query, sp.add)
	if err == nil {
		err = sp.flush()
	}
	if err = h.outcome(ctx, c, sp, err); err != nil {
		return "", err
	}
	return rest, nil
}

func (h *handler) ComPrepare(ctx context.Context, c *mysql.Conn, query string, prepare *mysql.PrepareData) ([]*querypb.Field, error) {
	if err := h.begin(); err != nil {
		return nil, err
	}
	defer h.end()
	if done, _, err := h.screen(c, query); done || err != nil {
		if err == nil {
			err = mysql.NewSQLError(erUnsupportedPS, mysql.SSUnknownSQLState, "KILL cannot be prepared; send it as a plain statement")
		}
		return nil, err
	}
	ctx, cancel := h.bound(ctx)
	defer cancel()
	fields, err := h.Handler.ComPrepare(ctx, c, query, prepare)
	return fields, h.outcome(ctx, c, &spool{}, err)
}

func (h *handler) ComStmtExecute(ctx context.Context, c *mysql.Conn, prepare *mysql.PrepareData, callback func(*sqltypes.Result) error) error {
	if err := h.begin(); err != nil {
		return err
	}
	defer h.end()
	ctx, cancel := h.bound(ctx)
	defer cancel()
	sp := h.newSpool(func(r *sqltypes.Result, _ bool) error { return callback(r) })
	err := h.Handler.ComStmtExecute(ctx, c, prepare, func(r *sqltypes.Result) error { return sp.add(r, false) })
	if err == nil {
		err = sp.flush()
	}
	return h.outcome(ctx, c, sp, err)
}

// bound gives a statement its time limit.
func (h *handler) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if h.timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, h.timeout, errQueryTimeout)
}

// MySQL error numbers vitess has no name for.
const (
	erTableAccessDenied = 1142 // ER_TABLEACCESS_DENIED_ERROR
	erUnsupportedPS     = 1295 // ER_UNSUPPORTED_PS
)

var (
	errQueryTimeout = errors.New("query timeout")
	errTooManyRows  = errors.New("too many rows")
)

// outcome turns a limit that stopped a statement into its MySQL error.
func (h *handler) outcome(ctx context.Context, c *mysql.Conn, lim *spool, err error) error {
	switch {
	case err == nil:
		return nil
	case lim.streaming && (lim.exceeded || ctx.Err() != nil):
		// Rows went out already; the protocol has no error after rows,
		// so vitess drops the connection (the client sees 2013).
		h.log.Warn("query stopped after its first rows were sent: connection dropped", "user", c.User, "rows", lim.rows, "max_rows", h.maxRows, "query_timeout", h.timeout, "err", err)
		return err
	case lim.exceeded:
		h.log.Info("query stopped: too many rows", "user", c.User, "max_rows", h.maxRows)
		return mysql.NewSQLError(mysql.ERTooBigSelect, "42000",
			"the result has more than %d rows, hetl's limit (sql.max_rows); add a LIMIT, filter on dt/hr, or aggregate", h.maxRows)
	case errors.Is(context.Cause(ctx), errQueryTimeout):
		h.log.Info("query stopped: timeout", "user", c.User, "query_timeout", h.timeout)
		return mysql.NewSQLError(mysql.ERQueryTimeout, mysql.SSUnknownSQLState,
			"query execution was interrupted: it ran longer than %s, hetl's limit (sql.query_timeout); filter on dt/hr to read fewer partitions", h.timeout)
	}
	return mysqlAccessError(err)
}

// mysqlAccessError gives go-mysql-server's privilege errors (all 1105)
// MySQL's codes, which tools act on: 1044 for a database, 1142 for a
// table or command.
func mysqlAccessError(err error) error {
	var se *mysql.SQLError
	if !errors.As(err, &se) || se.Num != mysql.ERUnknownError {
		return err
	}
	switch {
	case strings.HasPrefix(se.Message, "Access denied for user") && strings.Contains(se.Message, "to database"):
		return mysql.NewSQLError(mysql.ERDBAccessDenied, "42000", "%s", se.Message)
	case strings.HasPrefix(se.Message, "Access denied for user"), strings.HasPrefix(se.Message, "command denied to user"):
		return mysql.NewSQLError(erTableAccessDenied, "42000", "%s", se.Message)
	}
	return err
}

// spoolBytes is how much of a result is held back before it streams.
const spoolBytes = 8 << 20

// spool holds a statement's results back until it ends, up to
// spoolBytes, so that exceeding max rows or the timeout is a clean MySQL
// error rather than a result cut short: once rows are sent the protocol
// cannot carry an error (vitess drops the connection). A result larger
// than spoolBytes streams from then on.
type spool struct {
	max       int64 // rows; 0: no limit
	rows      int64
	exceeded  bool
	streaming bool
	held      []heldResult
	bytes     int
	send      func(*sqltypes.Result, bool) error
}

type heldResult struct {
	r    *sqltypes.Result
	more bool
}

func (h *handler) newSpool(send func(*sqltypes.Result, bool) error) *spool {
	return &spool{max: h.maxRows, send: send}
}

func (s *spool) add(r *sqltypes.Result, more bool) error {
	if r != nil {
		s.rows += int64(len(r.Rows))
	}
	if s.max > 0 && s.rows > s.max {
		s.exceeded = true
		return errTooManyRows
	}
	if s.streaming {
		return s.send(r, more)
	}
	// The handler reuses the buffers behind the values once the callback
	// returns: keep copies.
	cp := &sqltypes.Result{Fields: r.Fields, RowsAffected: r.RowsAffected, InsertID: r.InsertID, Info: r.Info}
	for _, row := range r.Rows {
		nr := make([]sqltypes.Value, len(row))
		for i, v := range row {
			nr[i] = sqltypes.MakeTrusted(v.Type(), append([]byte(nil), v.Raw()...))
			s.bytes += len(v.Raw()) + 16
		}
		cp.Rows = append(cp.Rows, nr)
	}
	s.held = append(s.held, heldResult{cp, more})
	if s.bytes > spoolBytes {
		s.streaming = true
		return s.flush()
	}
	return nil
}

// flush sends what is held.
func (s *spool) flush() error {
	held := s.held
	s.held = nil
	for _, h := range held {
		if err := s.send(h.r, h.more); err != nil {
			return err
		}
	}
	return nil
}

// screen refuses a statement (the first, when a call holds several)
// that is not a read; it runs KILL itself (done), on the user's own
// connections only. A statement that does not parse is left to the
// engine, which reports the syntax error. rest is what follows the
// statement.
func (h *handler) screen(c *mysql.Conn, query string) (done bool, rest string, err error) {
	popts, err := h.Handler.ParserOptionsForConnection(c)
	if err != nil {
		return false, "", err
	}
	stmt, end, err := sqlparser.ParseOneWithOptions(context.Background(), query, popts)
	if err != nil {
		return false, "", nil
	}
	if end < len(query) {
		rest = query[end:]
	}
	if k, ok := stmt.(*sqlparser.Kill); ok {
		return true, rest, h.kill(c, k)
	}
	if engine.IsRead(stmt) {
		return false, rest, nil
	}
	return false, "", mysql.NewSQLError(mysql.EROptionPreventsStatement, mysql.SSUnknownSQLState,
		"hetl's SQL endpoint is read-only: it cannot execute %s (only SELECT, SHOW, DESCRIBE, EXPLAIN, SET SESSION and USE)", engine.StatementName(query))
}

// kill runs KILL [QUERY|CONNECTION] id. go-mysql-server would let anyone
// kill anything, or (with users) only a superuser; MySQL lets a user kill
// its own connections — what a BI tool's cancel button does, from a
// second connection of the same user.
func (h *handler) kill(c *mysql.Conn, k *sqlparser.Kill) error {
	var id uint64 = 1<<64 - 1
	if v, ok := k.ConnID.(*sqlparser.SQLVal); ok && v.Type == sqlparser.IntVal {
		id, _ = strconv.ParseUint(string(v.Val), 10, 32)
	}
	h.mu.Lock()
	target, ok := h.conns[uint32(id)]
	h.mu.Unlock()
	if id > 1<<32-1 || !ok || target.User != c.User {
		return mysql.NewSQLError(mysql.ERNoSuchThread, mysql.SSUnknownSQLState, "Unknown thread id: %s (or not yours)", sqlparser.String(k.ConnID))
	}
	h.killQuery(uint32(id))
	if k.Connection {
		target.Close()
	}
	h.log.Info("killed", "user", c.User, "connection", id, "whole_connection", k.Connection)
	return nil
}
