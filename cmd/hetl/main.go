// Command hetl is a batch ETL orchestrator for MySQL + Hadoop platforms.
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
	code := command.Execute(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
