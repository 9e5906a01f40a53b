package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/scheduler"
)

type scheduleOptions struct {
	listen string
	runFor time.Duration
}

func newScheduleCommand(g *globalOptions) *cobra.Command {
	o := &scheduleOptions{}
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run the scheduler daemon: hetl.yaml's schedules of imports and pipelines, hour by hour",
		Long: `schedule runs the saved imports and pipelines of hetl.yaml's schedules.jobs on their cron
expressions. Every run is a UTC hour window; windows missed while no daemon ran are caught up
by each schedule's catch_up policy; a pipeline window waits until its inputs' watermarks reach
the window's end plus lateness; failed windows are retried with backoff; windows whose input
changed later are re-run. State lives in the metastore: several daemons may share it (one
leads, the others stand by and take over when it dies), and a daemon that is restarted
continues where it stopped.

SIGTERM or Ctrl-C stops it gracefully: nothing new starts, running windows get
schedules.shutdown_grace to finish, then are cancelled and recorded as interrupted (they run
again later); nothing is left half-published. /metrics (Prometheus) and /healthz are served
on schedules.listen (or --listen). See docs/scheduling.md.`,
		Example: `  hetl schedule --config /etc/hetl/hetl.yaml
  hetl schedule --listen 127.0.0.1:9464
  hetl schedule --for 10m    # stop (gracefully) after ten minutes`,
		Args: exactArgs(0),
	}
	cmd.Flags().StringVar(&o.listen, "listen", "", "address of /metrics and /healthz (default: schedules.listen; \"off\" serves neither)")
	cmd.Flags().DurationVar(&o.runFor, "for", 0, "stop gracefully after this long (default: until SIGTERM or Ctrl-C)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if o.runFor < 0 {
			return usagef("--for %s: want a positive duration", o.runFor)
		}
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return runScheduler(ctx, e, out, o, schedKitOptions{})
		})(cmd, args)
	}
	return cmd
}

// runScheduler runs the daemon until ctx ends or o.runFor passes.
func runScheduler(ctx context.Context, e env, out io.Writer, o *scheduleOptions, ko schedKitOptions) error {
	k, err := openSchedKit(ctx, e, ko)
	if err != nil {
		return err
	}
	defer k.Close()
	listen := e.cfg.Schedules.Listen
	if o.listen != "" {
		listen = o.listen
	}
	if listen == "off" {
		listen = ""
	}
	stopHTTP := func() error { return nil }
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("schedules.listen %s: %w", listen, err)
		}
		fmt.Fprintf(out, "serving /metrics and /healthz on http://%s\n", ln.Addr())
		stopHTTP = serveMetrics(ln, k.engine)
	}
	fmt.Fprintf(out, "scheduling %d schedule(s); stop with SIGTERM or Ctrl-C\n", len(k.specs))
	runCtx := ctx
	if o.runFor > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.runFor)
		defer cancel()
	}
	runErr := k.engine.Run(runCtx)
	return errors.Join(runErr, stopHTTP())
}

// serveMetrics serves the engine's /metrics and /healthz on ln until the
// returned function stops it.
func serveMetrics(ln net.Listener, e *scheduler.Engine) (stop func() error) {
	srv := &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stop the metrics server: %w", err))
		}
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("metrics server: %w", err))
		}
		return errors.Join(errs...)
	}
}

// hourFlag reads the --hour flag of the operations commands.
func hourFlag(hour string) (jobs.Window, error) {
	if hour == "" {
		return jobs.Window{}, usagef("give --hour, a UTC hour such as 2026-11-21T10")
	}
	w, err := jobs.ParseHour(hour)
	if err != nil {
		return jobs.Window{}, usagef("--hour: %v", err)
	}
	return w, nil
}
