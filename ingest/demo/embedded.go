package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gmssql "github.com/dolthub/go-mysql-server/sql"
	"github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"
)

// EmbeddedOptions configure StartEmbedded.
type EmbeddedOptions struct {
	// Database is created empty (default "demo").
	Database string
	// Addr to listen on (default 127.0.0.1:0, a free loopback port).
	Addr string
}

// Embedded is a running embedded server.
type Embedded struct {
	srv      *server.Server
	addr     string
	db       string
	user     string
	password string
	done     chan error
}

// StartEmbedded starts an in-memory MySQL-compatible server that requires
// a user and a random password.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (*Embedded, error) {
	if opts.Database == "" {
		opts.Database = "demo"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	// The engine logs through logrus; the demo's output is hetl's own.
	logrus.SetOutput(io.Discard)
	db := memory.NewDatabase(opts.Database)
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(db)
	engine := sqle.NewDefault(pro)

	var pw [12]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, err
	}
	e := &Embedded{db: opts.Database, user: "hetl", password: hex.EncodeToString(pw[:]), done: make(chan error, 1)}
	mdb := engine.Analyzer.Catalog.MySQLDb
	ed := mdb.Editor()
	mdb.AddSuperUser(ed, e.user, "%", e.password)
	ed.Close()

	srv, err := server.NewServer(server.Config{Protocol: "tcp", Address: opts.Addr}, engine, gmssql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		return nil, fmt.Errorf("start embedded MySQL server: %w", err)
	}
	e.srv, e.addr = srv, srv.Listener.Addr().String()
	go func() { e.done <- srv.Start() }()
	return e, nil
}

// Addr is host:port.
func (e *Embedded) Addr() string { return e.addr }

// Database is the demo database's name.
func (e *Embedded) Database() string { return e.db }

// User and Password authenticate to the server.
func (e *Embedded) User() string     { return e.user }
func (e *Embedded) Password() string { return e.password }

// Config is a driver configuration for the server, password included.
func (e *Embedded) Config() *mysql.Config {
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = e.user, e.password, "tcp", e.addr, e.db
	c.InterpolateParams = true
	return c
}

// Close stops the server.
func (e *Embedded) Close() error {
	err := e.srv.Close()
	if serr := <-e.done; serr != nil && !errors.Is(serr, io.EOF) && err == nil {
		_ = serr // Start returns the listener's close error; nothing to report.
	}
	return err
}
