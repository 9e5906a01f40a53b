package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/hetl/hetl/ingest"
	"github.com/hetl/hetl/metastore"
)

// jobLeaseTTL bounds how long a crashed execution blocks the next one.
const jobLeaseTTL = 2 * time.Minute

func newJobExecCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exec NAME [-- OVERRIDES...]",
		Short: "Run a saved import",
		Long: `exec runs a saved import. Flags after -- are added to the saved ones and win over them
(for example -- --last-value 0 to start over, or -- -m 8).

Only one execution of a job runs at a time: exec takes the job's lease in the metastore
(renewed while it runs; a crashed execution's lease expires after 2 minutes) and checks it
still holds it just before publishing. The run and its outcome are recorded in the metastore;
for incremental jobs the next last value is published with the data in the target's manifest
(the value exec continues from) and mirrored in the metastore for 'hetl job list'.`,
		Example: `  hetl job exec events
  hetl job exec events -- -m 8`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || (cmd.ArgsLenAtDash() != -1 && cmd.ArgsLenAtDash() != 1) || (cmd.ArgsLenAtDash() == -1 && len(args) != 1) {
				return usagef("hetl job exec NAME [-- OVERRIDES...]")
			}
			return nil
		},
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return withEnv(g, func(ctx context.Context, e env, out io.Writer) error {
			return execJob(ctx, e, args[0], args[1:], "import", nil, cmd.InOrStdin(), out, cmd.ErrOrStderr())
		})(cmd, args)
	}
	return cmd
}

// execJob runs a saved job under its lease and records the run as kind;
// prepare, when set, adjusts the import before it runs (hetl reimport).
func execJob(ctx context.Context, e env, name string, overrides []string, kind string, prepare func(*importOptions) error, stdin io.Reader, out, stderr io.Writer) error {
	store, err := openMetastore(ctx, e.cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = execSavedJob(ctx, e, store, name, overrides, kind, prepare, stdin, out, stderr)
	return err
}

// execSavedJob is execJob on an open metastore; it returns the published
// manifest. A beforePublish set by prepare runs before the job's own
// fence check (the scheduler fences with it).
func execSavedJob(ctx context.Context, e env, store *metastore.Store, name string, overrides []string, kind string, prepare func(*importOptions) error, stdin io.Reader, out, stderr io.Writer) (*ingest.Manifest, error) {
	spec, _, err := findJob(ctx, e.cfg, store, name)
	if err != nil {
		return nil, err
	}
	o, err := parseImportArgs(append(append([]string(nil), spec.Args...), overrides...))
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", name, err)
	}
	if o.src.password != "" {
		return nil, usagef("job %s: pass no --password to a saved job", name)
	}
	if prepare != nil {
		if err := prepare(o); err != nil {
			return nil, err
		}
	}

	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), ingest.NewRunID(time.Now()))
	lease, err := store.AcquireLease(ctx, "job:"+name, holder, jobLeaseTTL)
	if errors.Is(err, metastore.ErrLeaseHeld) {
		return nil, fmt.Errorf("job %s is already running: %w", name, err)
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = store.ReleaseLease(context.WithoutCancel(ctx), lease) }()

	// Keep the lease while the import runs; losing it stops the import.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(jobLeaseTTL / 4)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				l, err := store.RenewLease(ctx, lease, jobLeaseTTL)
				if err != nil {
					if ctx.Err() == nil {
						cancel(fmt.Errorf("job %s: lost its lease: %w", name, err))
					}
					return
				}
				lease = l
			}
		}
	}()
	outer := o.beforePublish
	o.beforePublish = func(ctx context.Context) error {
		if outer != nil {
			if err := outer(ctx); err != nil {
				return err
			}
		}
		return store.CheckFence(ctx, lease.Name, lease.Token)
	}

	now := time.Now().UTC()
	run, err := store.StartRun(ctx, metastore.RunSpec{Kind: kind, Name: name, WindowStart: now, WindowEnd: now})
	if err != nil {
		return nil, err
	}
	m, runErr := o.execute(ctx, e, stdin, out, stderr)
	if cause := context.Cause(ctx); runErr != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		runErr = cause
	}
	cancel(nil)
	<-renewed
	finishCtx := context.WithoutCancel(ctx)
	if runErr != nil {
		if err := store.FinishRun(finishCtx, run.ID, metastore.RunFailed, runErr.Error(), ""); err != nil {
			e.log.Warn("could not record the failed run", "job", name, "err", err)
		}
		return nil, runErr
	}
	stats := map[string]any{}
	if m != nil {
		stats = map[string]any{"run_id": m.RunID, "rows": m.Rows, "files": len(m.Files), "target": m.Target, "seconds": m.Seconds}
		if m.Incremental != nil {
			stats["next_value"] = m.Incremental.NextValue
		}
		if len(m.ChangedPartitions) > 0 {
			stats["changed_partitions"] = m.ChangedPartitions
		}
	}
	body, _ := json.Marshal(stats)
	return m, store.Tx(finishCtx, func(tx *metastore.Tx) error {
		if err := tx.FinishRun(finishCtx, run.ID, metastore.RunSucceeded, "", string(body)); err != nil {
			return err
		}
		if kind == "import" && m != nil && m.Incremental != nil && m.Incremental.NextValue != "" {
			return tx.SetWatermark(finishCtx, watermarkName(name), m.Incremental.NextValue)
		}
		return nil
	})
}
