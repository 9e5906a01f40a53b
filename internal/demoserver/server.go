package demoserver

import (
	"errors"
	"fmt"
	"io"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gmssql "github.com/dolthub/go-mysql-server/sql"
	"github.com/sirupsen/logrus"

	"github.com/hetl/hetl/ingest/demo"
)

// Options configure Start.
type Options struct {
	// Database is created empty.
	Database string
	// Addr to listen on; only loopback addresses are accepted.
	Addr string
	// User and Password are the one account; no other login is accepted.
	User, Password string
}

// Server is a running in-memory server.
type Server struct {
	srv   *server.Server
	addr  string
	done  chan struct{}
	close sync.Once
}

// Start listens on opts.Addr and serves until Close.
func Start(opts Options) (*Server, error) {
	if opts.Database == "" || opts.User == "" || opts.Password == "" {
		return nil, errors.New("demo server: database, user and password are required")
	}
	if err := demo.CheckLoopback(opts.Addr); err != nil {
		return nil, err
	}
	// The engine logs through logrus (connection chatter, warnings about
	// its own settings); the demo's output is hetl's own.
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.ErrorLevel)

	db := memory.NewDatabase(opts.Database)
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(db)
	engine := sqle.NewDefault(pro)
	// With a user in its privilege tables the engine authenticates every
	// connection (mysql_native_password); no other account exists, so
	// root and anonymous logins are refused.
	mdb := engine.Analyzer.Catalog.MySQLDb
	ed := mdb.Editor()
	mdb.AddSuperUser(ed, opts.User, "%", opts.Password)
	ed.Close()
	mdb.SetEnabled(true)

	srv, err := server.NewServer(server.Config{Protocol: "tcp", Address: opts.Addr}, engine, gmssql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	s := &Server{srv: srv, addr: srv.Listener.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = srv.Start() // returns when the listener is closed
	}()
	return s, nil
}

// Addr is the host:port it listens on.
func (s *Server) Addr() string { return s.addr }

// Close stops accepting connections and waits for the accept loop to end.
func (s *Server) Close() error {
	var err error
	s.close.Do(func() {
		err = s.srv.Close()
		<-s.done
	})
	return err
}
