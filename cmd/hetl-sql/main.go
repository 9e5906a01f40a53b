// Command hetl-sql is hetl's SQL engine: `hetl sql query` and
// `hetl sql serve` run it with their own arguments (hetl itself does not
// link go-mysql-server, whose start-up alone would cost every hetl
// command 0.3 s and 60 MiB). Its commands are hetl sql's, with the
// engine (package sql/engine) and the MySQL-protocol server (package
// sql/server) plugged in.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/hetl/hetl/cmd/hetl/command"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Started by hetl: stop (gracefully) if hetl goes away.
	ctx = command.WatchParent(ctx)
	code := command.ExecuteSQLProgram(ctx, backend{}, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
