package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"sync"

	sqle "github.com/dolthub/go-mysql-server"
	"github.com/dolthub/go-mysql-server/memory"
	"github.com/dolthub/go-mysql-server/server"
	gmssql "github.com/dolthub/go-mysql-server/sql"
	"github.com/go-sql-driver/mysql"
	"github.com/sirupsen/logrus"
)

// EmbeddedUser is the one account of the embedded server.
const EmbeddedUser = "hetl"

// EmbeddedOptions configure StartEmbedded.
type EmbeddedOptions struct {
	// Database is created empty (default "demo").
	Database string
	// Addr to listen on (default 127.0.0.1:0, a free loopback port). Only
	// loopback addresses are accepted.
	Addr string
}

// Embedded is a running embedded server.
type Embedded struct {
	srv      *server.Server
	addr     string
	db       string
	password string
	done     chan struct{}
	close    sync.Once
}

// StartEmbedded starts an in-memory MySQL-compatible server on loopback
// that accepts only the user EmbeddedUser with a random password made at
// start (see Password). ctx bounds the start only; the server runs until
// Close.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (*Embedded, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Database == "" {
		opts.Database = "demo"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("embedded MySQL server: address %q: %w", opts.Addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("embedded MySQL server: address %q: only loopback addresses are allowed", opts.Addr)
	}
	// The engine logs through logrus (connection chatter, warnings about
	// its own settings); hetl's output is its own.
	logrus.SetOutput(io.Discard)
	logrus.SetLevel(logrus.ErrorLevel)

	db := memory.NewDatabase(opts.Database)
	db.BaseDatabase.EnablePrimaryKeyIndexes()
	pro := memory.NewDBProvider(db)
	engine := sqle.NewDefault(pro)

	var pw [16]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, fmt.Errorf("embedded MySQL server: password: %w", err)
	}
	e := &Embedded{db: opts.Database, password: hex.EncodeToString(pw[:]), done: make(chan struct{})}
	// With a user in its privilege tables the engine authenticates every
	// connection (mysql_native_password); no other account exists, so
	// root and anonymous logins are refused.
	mdb := engine.Analyzer.Catalog.MySQLDb
	ed := mdb.Editor()
	mdb.AddSuperUser(ed, EmbeddedUser, "%", e.password)
	ed.Close()
	mdb.SetEnabled(true)

	srv, err := server.NewServer(server.Config{Protocol: "tcp", Address: opts.Addr}, engine, gmssql.NewContext, memory.NewSessionBuilder(pro), nil)
	if err != nil {
		return nil, fmt.Errorf("start embedded MySQL server: %w", err)
	}
	e.srv, e.addr = srv, srv.Listener.Addr().String()
	go func() {
		defer close(e.done)
		_ = srv.Start() // returns when the listener is closed
	}()
	return e, nil
}

// Addr is host:port.
func (e *Embedded) Addr() string { return e.addr }

// Database is the demo database's name.
func (e *Embedded) Database() string { return e.db }

// User is the account to connect with.
func (e *Embedded) User() string { return EmbeddedUser }

// Password is the account's password, random for every start.
func (e *Embedded) Password() string { return e.password }

// DSN is a go-sql-driver DSN for the server, password included.
func (e *Embedded) DSN() string { return e.dsn(e.password) }

// RedactedDSN is DSN with the password replaced by ****, for printing.
func (e *Embedded) RedactedDSN() string { return e.dsn("****") }

func (e *Embedded) dsn(password string) string {
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?parseTime=false&interpolateParams=true", EmbeddedUser, password, e.addr, e.db)
}

// Config is DSN as a driver configuration.
func (e *Embedded) Config() *mysql.Config {
	c := mysql.NewConfig()
	c.User, c.Passwd, c.Net, c.Addr, c.DBName = EmbeddedUser, e.password, "tcp", e.addr, e.db
	c.ParseTime, c.InterpolateParams = false, true
	return c
}

// Close stops accepting connections and waits for the server's accept
// loop to end. Connections already open are not cut. Closing twice is
// harmless.
func (e *Embedded) Close() error {
	var err error
	e.close.Do(func() {
		err = e.srv.Close()
		<-e.done
	})
	return err
}
