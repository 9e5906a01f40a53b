// Command hetl-demo-mysql is the in-memory MySQL-compatible server behind
// `hetl demo seed --embedded` and `hetl demo run`. hetl starts it; people
// do not need to.
//
// Protocol with its parent: the password arrives as the first line of
// stdin (never on the command line, where ps would show it); the server
// prints "ready HOST:PORT" on stdout once it listens, and exits when stdin
// closes — so it never outlives the hetl process that started it — or on
// SIGINT/SIGTERM.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hetl/hetl/internal/demoserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	database := flag.String("database", "demo", "database to create")
	user := flag.String("user", "hetl", "the one account")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: hetl-demo-mysql [--addr 127.0.0.1:0] [--database demo] [--user hetl] < password\n\n"+
			"Started by hetl demo; reads the password from the first line of stdin.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*addr, *database, *user, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "hetl-demo-mysql: %v\n", err)
		os.Exit(1)
	}
}

func run(addr, database, user string, stdin io.Reader, stdout io.Writer) error {
	in := bufio.NewReader(stdin)
	line, err := in.ReadString('\n')
	password := strings.TrimRight(line, "\r\n")
	if err != nil || password == "" {
		return fmt.Errorf("no password on the first line of stdin")
	}
	srv, err := demoserver.Start(demoserver.Options{Database: database, Addr: addr, User: user, Password: password})
	if err != nil {
		return err
	}
	defer srv.Close()
	if _, err := fmt.Fprintf(stdout, "ready %s\n", srv.Addr()); err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	eof := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, in) // returns when the parent closes stdin or dies
		close(eof)
	}()
	select {
	case <-stop:
	case <-eof:
	}
	return nil
}
