package demo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// EmbeddedUser is the one account of the embedded server.
const EmbeddedUser = "hetl"

// ServerBinary is the companion program that runs the embedded server.
const ServerBinary = "hetl-demo-mysql"

// ServerBinaryEnv names a variable that overrides where ServerBinary is.
const ServerBinaryEnv = "HETL_DEMO_MYSQL"

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
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	addr     string
	db       string
	password string
	waited   chan error
	close    sync.Once
	closeErr error
}

// StartEmbedded starts an in-memory MySQL-compatible server on loopback
// that accepts only the user EmbeddedUser with a random password made at
// start (see Password). The server runs in the companion program
// ServerBinary (found through $HETL_DEMO_MYSQL, beside the running
// executable, or on PATH), which exits when Close is called or this
// process ends. ctx bounds the start only.
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
	if err := CheckLoopback(opts.Addr); err != nil {
		return nil, fmt.Errorf("embedded MySQL server: %w", err)
	}
	bin, err := findServerBinary()
	if err != nil {
		return nil, err
	}
	var pw [16]byte
	if _, err := rand.Read(pw[:]); err != nil {
		return nil, fmt.Errorf("embedded MySQL server: password: %w", err)
	}
	e := &Embedded{db: opts.Database, password: hex.EncodeToString(pw[:]), waited: make(chan error, 1)}
	e.cmd = exec.Command(bin, "--addr", opts.Addr, "--database", opts.Database, "--user", EmbeddedUser)
	var stderr bytes.Buffer
	e.cmd.Stderr = &stderr
	if e.stdin, err = e.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("embedded MySQL server: %w", err)
	}
	stdout, err := e.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("embedded MySQL server: %w", err)
	}
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("embedded MySQL server: start %s: %w", bin, err)
	}
	go func() { e.waited <- e.cmd.Wait() }()
	// The password goes over the pipe, never on the command line.
	if _, err := io.WriteString(e.stdin, e.password+"\n"); err != nil {
		e.kill()
		return nil, fmt.Errorf("embedded MySQL server: %w", err)
	}
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line)
	}()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case line := <-ready:
		addr, ok := strings.CutPrefix(line, "ready ")
		if !ok {
			e.kill()
			return nil, fmt.Errorf("embedded MySQL server did not start: %s", strings.TrimSpace(stderr.String()+" "+line))
		}
		e.addr = addr
		return e, nil
	case <-ctx.Done():
		e.kill()
		return nil, ctx.Err()
	case <-timeout.C:
		e.kill()
		return nil, errors.New("embedded MySQL server did not start within 60s")
	}
}

// findServerBinary looks for ServerBinary: $HETL_DEMO_MYSQL, then beside
// the running executable (bin/hetl and bin/hetl-demo-mysql), then PATH.
func findServerBinary() (string, error) {
	if p := os.Getenv(ServerBinaryEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("embedded MySQL server: $%s: %w", ServerBinaryEnv, err)
		}
		return p, nil
	}
	var beside string
	if exe, err := os.Executable(); err == nil {
		beside = filepath.Join(filepath.Dir(exe), ServerBinary)
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	if p, err := exec.LookPath(ServerBinary); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("embedded MySQL server: %s not found beside %s or on PATH; build it with 'make build' (or go build -o bin/ ./cmd/...), or set $%s", ServerBinary, beside, ServerBinaryEnv)
}

func (e *Embedded) kill() {
	_ = e.cmd.Process.Kill()
	<-e.waited
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

// Close stops the server (its data is gone) and waits for it to exit.
// Closing twice is harmless.
func (e *Embedded) Close() error {
	e.close.Do(func() {
		_ = e.stdin.Close() // the server exits when its stdin closes
		select {
		case err := <-e.waited:
			if err != nil {
				e.closeErr = fmt.Errorf("embedded MySQL server: %w", err)
			}
		case <-time.After(10 * time.Second):
			_ = e.cmd.Process.Kill()
			<-e.waited
		}
	})
	return e.closeErr
}

// CheckLoopback refuses addresses other than loopback ones: the embedded
// server has no TLS and exists for a demo on one machine.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("address %q: only loopback addresses are allowed", addr)
	}
	return nil
}
