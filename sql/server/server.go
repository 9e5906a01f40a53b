package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	gmsserver "github.com/dolthub/go-mysql-server/server"
	gsql "github.com/dolthub/go-mysql-server/sql"
	"github.com/dolthub/go-mysql-server/sql/mysql_db"
	"github.com/dolthub/vitess/go/mysql"

	"github.com/hetl/hetl/sql/engine"
	"github.com/hetl/hetl/sql/password"
)

// DefaultAddr is where the endpoint listens unless told otherwise.
const DefaultAddr = "127.0.0.1:3307"

// User is an account of the endpoint.
type User struct {
	Name string
	// Hash is the mysql_native_password hash ("*" and 40 hex digits).
	Hash string
	// Databases the user may read.
	Databases []string
}

// Options configure Start.
type Options struct {
	Engine *engine.Engine
	// Addr is host:port to listen on (DefaultAddr when empty), or
	// Listener an already open listener.
	Addr     string
	Listener net.Listener
	Users    []User
	// TLS, when set, lets clients switch to TLS; RequireSecureTransport
	// refuses those that do not.
	TLS                    *tls.Config
	RequireSecureTransport bool
	MaxConnections         int           // > 0
	QueryTimeout           time.Duration // 0: none
	MaxRows                int64         // rows a result may have; 0: no limit
	Log                    *slog.Logger
}

// DefaultOptions are the limits hetl.yaml's sql: section defaults to.
func DefaultOptions() Options {
	return Options{Addr: DefaultAddr, MaxConnections: 100, QueryTimeout: 10 * time.Minute, MaxRows: 1_000_000}
}

// Validate checks the options before anything listens.
func (o *Options) Validate() error {
	if o.Engine == nil {
		return errors.New("sql server: no engine")
	}
	if len(o.Users) == 0 {
		return errors.New("sql server: no users: the endpoint never runs without authentication; add users under sql.users in hetl.yaml (hetl sql hash-password makes the hash)")
	}
	have := map[string]bool{}
	for _, d := range o.Engine.Databases() {
		have[strings.ToLower(d)] = true
	}
	seen := map[string]bool{}
	for _, u := range o.Users {
		if u.Name == "" || seen[u.Name] {
			return fmt.Errorf("sql server: user %q is empty or named twice", u.Name)
		}
		seen[u.Name] = true
		if _, err := password.Check(u.Hash); err != nil {
			return fmt.Errorf("sql server: user %s: %w", u.Name, err)
		}
		if len(u.Databases) == 0 {
			return fmt.Errorf("sql server: user %s may read no database", u.Name)
		}
		for _, d := range u.Databases {
			if !have[strings.ToLower(d)] {
				return fmt.Errorf("sql server: user %s: unknown database %q (have %v)", u.Name, d, o.Engine.Databases())
			}
		}
	}
	if o.RequireSecureTransport && o.TLS == nil {
		return errors.New("sql server: require_secure_transport needs a TLS certificate")
	}
	if o.MaxConnections < 1 {
		return fmt.Errorf("sql server: max connections %d: want at least 1", o.MaxConnections)
	}
	if o.QueryTimeout < 0 || o.MaxRows < 0 {
		return errors.New("sql server: query timeout and max rows must not be negative")
	}
	return nil
}

// Server is a running endpoint.
type Server struct {
	srv    *gmsserver.Server
	ln     *limitListener
	log    *slog.Logger
	done   chan struct{} // closed when the accept loop ends
	h      *handler
	closed sync.Once
}

// Start listens and serves in the background until Shutdown or Close.
func Start(o Options) (*Server, error) {
	if o.Addr == "" && o.Listener == nil {
		o.Addr = DefaultAddr
	}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "sql-server")
	gms := o.Engine.GMS()
	if err := addUsers(gms.Analyzer.Catalog.MySQLDb, o.Users); err != nil {
		return nil, err
	}
	raw := o.Listener
	if raw == nil {
		var err error
		if raw, err = net.Listen("tcp", o.Addr); err != nil {
			return nil, fmt.Errorf("sql server: listen on %s: %w", o.Addr, err)
		}
	}
	ln := &limitListener{Listener: raw, max: o.MaxConnections, conns: map[*trackedConn]struct{}{}, log: log}
	h := &handler{timeout: o.QueryTimeout, maxRows: o.MaxRows, conns: map[uint32]*mysql.Conn{}, log: log, killQuery: gms.ProcessList.Kill}
	auth, err := newNativeAuth(o.Users)
	if err != nil {
		raw.Close()
		return nil, err
	}
	cfg := gmsserver.Config{
		Protocol:               "tcp",
		Address:                raw.Addr().String(),
		Listener:               ln,
		TLSConfig:              o.TLS,
		RequireSecureTransport: o.RequireSecureTransport,
		// Logins are checked by nativeAuth; privileges by the engine's
		// MySQLDb, which holds the same users.
		ProtocolListenerFactory: func(cfg gmsserver.Config, lc mysql.ListenerConfig, sel gmsserver.ServerEventListener) (gmsserver.ProtocolListener, error) {
			lc.AuthServer = auth
			return gmsserver.MySQLProtocolListenerFactory(cfg, lc, sel)
		},
	}
	srv, err := gmsserver.NewServerWithHandler(cfg, gms, gsql.NewContext, newSession, nil, func(inner mysql.Handler) (mysql.Handler, error) {
		h.Handler = inner
		return h, nil
	})
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("sql server: %w", err)
	}
	s := &Server{srv: srv, ln: ln, log: log, done: make(chan struct{}), h: h}
	go func() {
		defer close(s.done)
		_ = srv.Start() // returns when the listener closes
	}()
	names := make([]string, 0, len(o.Users))
	for _, u := range o.Users {
		names = append(names, u.Name)
	}
	log.Info("serving SQL", "addr", s.Addr(), "databases", o.Engine.Databases(), "users", names,
		"tls", o.TLS != nil, "require_secure_transport", o.RequireSecureTransport,
		"max_connections", o.MaxConnections, "query_timeout", o.QueryTimeout, "max_rows", o.MaxRows)
	return s, nil
}

// addUsers gives each user SELECT on its databases and nothing else.
func addUsers(db *mysql_db.MySQLDb, users []User) error {
	ed := db.Editor()
	defer ed.Close()
	for _, u := range users {
		hash, err := password.Check(u.Hash)
		if err != nil {
			return fmt.Errorf("sql server: user %s: %w", u.Name, err)
		}
		ps := mysql_db.NewPrivilegeSet()
		dbs := append([]string(nil), u.Databases...)
		sort.Strings(dbs)
		for _, d := range dbs {
			ps.AddDatabase(d, gsql.PrivilegeType_Select, gsql.PrivilegeType_ShowView)
		}
		ed.PutUser(&mysql_db.User{
			User:                u.Name,
			Host:                "%",
			PrivilegeSet:        ps,
			Plugin:              password.NativePlugin,
			AuthString:          hash,
			PasswordLastChanged: time.Now().UTC(),
		})
	}
	db.SetEnabled(true)
	return nil
}

// newSession makes a plain session for an authenticated connection.
func newSession(ctx context.Context, conn *mysql.Conn, addr string) (gsql.Session, error) {
	var client gsql.Client
	if u, ok := conn.UserData.(gsql.MysqlConnectionUser); ok {
		client = gsql.Client{Address: u.Host, User: u.User, Capabilities: conn.Capabilities}
	}
	return gsql.NewBaseSessionWithClientServer(addr, client, conn.ConnectionID), nil
}

// Addr is the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting connections and new statements, waits for the
// running statements to end or ctx to be done, then closes every
// connection. It returns ctx's error when statements were still running.
func (s *Server) Shutdown(ctx context.Context) error {
	drained := s.h.drain()
	s.stopAccepting()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = fmt.Errorf("sql server: statements still running at shutdown: %w", ctx.Err())
	}
	s.ln.closeAll()
	s.log.Info("stopped serving SQL", "addr", s.Addr())
	return err
}

// Close stops at once: running statements fail as their connections close.
func (s *Server) Close() error {
	s.h.drain()
	s.stopAccepting()
	s.ln.closeAll()
	return nil
}

func (s *Server) stopAccepting() {
	s.closed.Do(func() {
		_ = s.srv.Close()
		<-s.done
	})
}
