// Package scheduler is the logic of `hetl schedule`, hetl's daemon: cron
// schedules mapped onto UTC hour windows, catch-up after downtime, leases so
// a window never runs twice at once (also across daemons sharing a store),
// retries, late-data re-runs, SLA alerts, dependencies, metrics and
// retention. It does no I/O of its own: the wiring supplies a Store (the
// metastore), a Runner (the pipelines), Dependencies (_SUCCESS markers,
// watermarks) and an Alerter, and mounts Engine.Handler.
//
// # Windows and firings
//
// Every run is keyed by a UTC hour window [H, H+1) (jobs.Window). A
// schedule is a cron expression read by robfig/cron/v3's standard parser
// (five fields, @hourly/@daily/…, optional CRON_TZ=Zone prefix) in the
// schedule's zone, which is also the zone Status displays. Each firing
// instant T covers every window whose end lies in (previous firing, T]:
//
//   - an hourly cron owns every UTC hour exactly once, whatever the zone;
//   - `0 2 * * *` owns the windows since the previous 02:00: 24 on most
//     days, 23 or 25 UTC hours across a DST change;
//   - a firing robfig skips (02:00 on a spring-forward night does not
//     exist) leaves its windows to the next firing, and a repeated local
//     time (01:30 twice on a fall-back night) is a later instant that
//     covers only the hour between the two. Since firings are instants and
//     cover disjoint intervals, no window is ever lost or doubled.
//
// A window is due at max(its firing, its end + lateness). Due times are
// non-decreasing in window start, so Schedule.WindowsDue over consecutive
// intervals yields every window once.
//
// # State, catch-up and priority
//
// The store keeps, per schedule, a cursor: every window due by then has a
// run. On each pass the leader turns windows due since the cursor into
// runs. Windows that fell due since its previous pass (or, on its first
// pass, at the latest due time) are live: they always run, and rank above
// the rest. Windows missed while no engine ran, or while the schedule was
// paused, go by the schedule's CatchUp policy (all, latest, none, or the
// newest N); those it drops are recorded as skipped, never silently lost.
// A new schedule without Spec.Start begins with its latest due windows.
// Runnable windows start live first, then oldest first, within the global
// and per-schedule concurrency limits (counted over the store, so over all
// daemons), and only once each input Dependency is ready.
//
// # Leases and fencing
//
// Only the holder of the leader lease (Options.LeaseName) schedules; other
// engines stand by and take over within LeaderTTL + Tick of the leader's
// last renewal. Each attempt additionally holds its run's lease: Claim
// moves a pending run to running with a new fencing token, the attempt
// renews it while it works, and the store refuses Finish or RenewRun with a
// token that is no longer current. The leader's own writes (Advance) carry
// its lease token and are refused once deposed. An attempt that cannot
// renew its lease has its context cancelled and records nothing. The
// runner gets the token with LeaseToken(ctx) to fence its own publish.
//
// # Failure
//
//   - Failed attempts retry after exponential backoff with jitter, up to
//     RetryPolicy.MaxAttempts; then the window stays failed until Retry
//     or Trigger queues it again. An attempt's context ends
//     at RetryPolicy.AttemptTimeout.
//   - A run recorded as running whose lease expired (its process died, a
//     "zombie") is reclaimed by the leader and retried; the lost attempt
//     counts against the budget, so a window that kills its daemon stops.
//   - A Sensor input not ready within its timeout fails the window
//     ("input X not ready after T"), without retries.
//   - Runner.Stale reports windows whose input changed after they
//     succeeded; the leader re-queues up to StalePolicy.MaxPerTick of the
//     newest within StalePolicy.MaxAge each StalePolicy.Every.
//   - A window not succeeded by its end + SLA raises one alert: the flag is
//     set in the store before sending (so of several engines one sends) and
//     cleared again when sending fails (so it is tried again).
//
// # Shutdown
//
// When Run's context ends the engine starts nothing new and gives the
// leader lease up at once; running attempts have Options.ShutdownGrace to
// finish, then their context is cancelled; what then fails is recorded as
// interrupted (runnable again, not counted against retries). Run returns
// after every attempt returned, so nothing stays recorded as running.
//
// # Caveats
//
//   - Lease expiry compares the clocks of every process sharing a store
//     (the store stamps times), so they must be synchronised.
//   - A Runner that ignores its context keeps its lease renewed until it
//     returns, and delays shutdown as long.
//   - Windows not yet due at their SLA deadline (lateness larger than the
//     SLA) alert when they fall due, not before; windows the catch-up
//     policy skipped, and windows of a paused schedule, do not alert.
//   - An attempt that cannot renew its lease is cancelled a renewal
//     interval (RunLeaseTTL/3) before the lease expires; a runner that
//     takes longer than that to stop may overlap the attempt that
//     replaces it, which is what the fencing token in its publish is for.
//   - Tests drive time with testing/synctest: the package reads time.Now
//     and timers directly rather than an injected clock.
package scheduler
