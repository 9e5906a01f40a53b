package config

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/hetl/hetl/scheduler"
)

// Schedules is the schedules: section, read by `hetl schedule` and the
// operations commands (docs/scheduling.md). Cron expressions, zones and
// catch-up policies are read by package scheduler's own parsers, so the
// configuration and the daemon can never disagree on what they mean.
type Schedules struct {
	// Listen is the address of /metrics and /healthz; "" serves neither.
	Listen string `yaml:"listen,omitempty"`
	// MaxConcurrent bounds running windows over all schedules (and all
	// daemons sharing the metastore).
	MaxConcurrent int `yaml:"max_concurrent"`
	// Retention prunes finished runs not updated for that long.
	Retention time.Duration `yaml:"retention"`
	// ShutdownGrace is how long running work may finish after SIGTERM.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// Tick is the longest the daemon sleeps between passes.
	Tick    time.Duration `yaml:"tick"`
	Webhook Webhook       `yaml:"webhook,omitempty"`
	// Jobs are the schedules, by the name of the saved import or pipeline
	// they run.
	Jobs map[string]*Schedule `yaml:"jobs,omitempty"`
}

// Webhook is where SLA alerts are POSTed. A webhook URL often carries a
// token: url is for secret-free endpoints; put one with a token in a file
// (url_file) or the environment (url_env). Set at most one.
type Webhook struct {
	URL     string `yaml:"url,omitempty"`
	URLFile string `yaml:"url_file,omitempty"`
	URLEnv  string `yaml:"url_env,omitempty"`
}

// Schedule is one entry of schedules.jobs.
type Schedule struct {
	// Kind is "import" (a saved import: hetl.yaml imports or hetl job
	// create) or "pipeline".
	Kind string `yaml:"kind"`
	// Cron is a five-field expression or a descriptor (@hourly, @daily …),
	// optionally after CRON_TZ=Zone; default @hourly.
	Cron string `yaml:"cron"`
	// Zone is the display zone, and the cron's when it has no CRON_TZ;
	// default UTC. Runs are keyed by UTC hours whatever the zone.
	Zone string `yaml:"zone,omitempty"`
	// Lateness delays each window until that long after its end, and for a
	// pipeline is how far past the window's end its inputs must reach.
	Lateness time.Duration `yaml:"lateness,omitempty"`
	// Start is the earliest window (an hour, 2026-11-21T00); "" starts
	// with the windows due when the schedule first runs.
	Start string `yaml:"start,omitempty"`
	// CatchUp is all (default), latest, none or a window count.
	CatchUp string `yaml:"catch_up,omitempty"`
	// MaxConcurrent bounds this schedule's running windows; default 1.
	MaxConcurrent int           `yaml:"max_concurrent,omitempty"`
	Retries       Retries       `yaml:"retries,omitempty"`
	SLA           time.Duration `yaml:"sla,omitempty"`
	Stale         Stale         `yaml:"stale,omitempty"`
	// Inputs a pipeline window waits for, besides its fact table.
	Inputs []Input `yaml:"inputs,omitempty"`
}

// Retries is a schedule's retry policy; zero values take the defaults
// (3 attempts, 1m backoff doubling up to 1h, ±20% jitter, 6h per attempt).
type Retries struct {
	Attempts       int           `yaml:"attempts,omitempty"`
	Backoff        time.Duration `yaml:"backoff,omitempty"`
	MaxBackoff     time.Duration `yaml:"max_backoff,omitempty"`
	Jitter         *float64      `yaml:"jitter,omitempty"`
	AttemptTimeout time.Duration `yaml:"attempt_timeout,omitempty"`
}

// Stale is a pipeline's policy for windows whose input changed after
// they ran (late rows, a reimport): at most MaxPerTick re-runs per check
// (default 4; 0 turns re-runs off), of windows at most MaxAge old
// (default 168h), checked Every (default 5m).
type Stale struct {
	MaxPerTick *int          `yaml:"max_per_tick,omitempty"`
	MaxAge     time.Duration `yaml:"max_age,omitempty"`
	Every      time.Duration `yaml:"every,omitempty"`
}

// Input is a pipeline input besides its fact table: a warehouse table
// whose manifest watermark must reach the window's end + lateness, or a
// path whose _SUCCESS marker must exist ({dt} and {hr} in it are the
// window's date and hour). Timeout fails the window when the input is
// still not ready that long after the window was queued (0: wait).
type Input struct {
	Table   string        `yaml:"table,omitempty"`
	Path    string        `yaml:"path,omitempty"`
	Timeout time.Duration `yaml:"timeout,omitempty"`
}

// Schedule kinds.
const (
	ScheduleImport   = "import"
	SchedulePipeline = "pipeline"
)

// Defaults of the schedules: section.
const (
	DefaultScheduleListen = "127.0.0.1:9464"
	DefaultRetention      = 30 * 24 * time.Hour
)

// defaultSchedules fills the section's defaults in.
func defaultSchedules() Schedules {
	return Schedules{MaxConcurrent: 4, Retention: DefaultRetention, ShutdownGrace: time.Minute, Tick: 15 * time.Second}
}

// ScheduleNames lists schedules.jobs, sorted.
func (c *Config) ScheduleNames() []string {
	names := make([]string, 0, len(c.Schedules.Jobs))
	for n := range c.Schedules.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SchedulerSpec turns schedules.jobs.NAME into the scheduler's spec, with
// the defaults filled in; Inputs are left for the caller, which knows the
// warehouse. ok is false when there is no such schedule.
func (c *Config) SchedulerSpec(name string) (sp scheduler.Spec, ok bool, err error) {
	s, ok := c.Schedules.Jobs[name]
	if !ok {
		return sp, false, nil
	}
	key := "schedules.jobs." + name
	if s == nil {
		return sp, true, c.errorf(key, "empty schedule: give at least kind")
	}
	expr := s.Cron
	if expr == "" {
		expr = "@hourly"
	}
	sched, err := scheduler.Parse(expr, s.Zone, s.Lateness)
	if err != nil {
		k := key + ".cron"
		if s.Lateness < 0 {
			k = key + ".lateness"
		} else if strings.Contains(err.Error(), "zone") {
			k = key + ".zone"
		}
		return sp, true, c.errorf(k, "%v", err)
	}
	sp = scheduler.NewSpec(name, sched)
	if s.CatchUp != "" {
		if sp.CatchUp, err = scheduler.ParseCatchUp(s.CatchUp); err != nil {
			return sp, true, c.errorf(key+".catch_up", "%q: want all, latest, none or a number of windows", s.CatchUp)
		}
	}
	if s.MaxConcurrent != 0 {
		sp.MaxConcurrent = s.MaxConcurrent
	}
	if s.Start != "" {
		t, err := time.Parse("2006-01-02T15", s.Start)
		if err != nil {
			return sp, true, c.errorf(key+".start", "%q: want a UTC hour such as 2026-11-21T00", s.Start)
		}
		sp.Start = t.UTC()
	}
	r := s.Retries
	if r.Attempts != 0 {
		sp.Retry.MaxAttempts = r.Attempts
	}
	if r.Backoff != 0 {
		sp.Retry.Backoff = r.Backoff
		if r.MaxBackoff == 0 && sp.Retry.MaxBackoff < r.Backoff {
			sp.Retry.MaxBackoff = r.Backoff
		}
	}
	if r.MaxBackoff != 0 {
		sp.Retry.MaxBackoff = r.MaxBackoff
	}
	if r.Jitter != nil {
		sp.Retry.Jitter = *r.Jitter
	}
	if r.AttemptTimeout != 0 {
		sp.Retry.AttemptTimeout = r.AttemptTimeout
	}
	if err := sp.Retry.Validate(); err != nil {
		return sp, true, c.errorf(key+".retries", "%v", strings.TrimPrefix(err.Error(), scheduler.ErrBadOptions.Error()+": "))
	}
	sp.SLA = s.SLA
	if s.Stale.MaxPerTick != nil {
		sp.Stale.MaxPerTick = *s.Stale.MaxPerTick
	}
	if s.Stale.MaxAge != 0 {
		sp.Stale.MaxAge = s.Stale.MaxAge
	}
	if s.Stale.Every != 0 {
		sp.Stale.Every = s.Stale.Every
	}
	if err := sp.Validate(); err != nil {
		return sp, true, c.errorf(key, "%v", strings.TrimPrefix(err.Error(), fmt.Sprintf("schedule %q: ", name)))
	}
	return sp, true, nil
}

func (c *Config) validateSchedules(lookup LookupEnv) error {
	s := c.Schedules
	if s.Listen != "" {
		if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
			return c.errorf("schedules.listen", "%q: want host:port (or :port)", s.Listen)
		}
	}
	switch {
	case s.MaxConcurrent < 1:
		return c.errorf("schedules.max_concurrent", "%d: want at least 1", s.MaxConcurrent)
	case s.Retention <= 0:
		return c.errorf("schedules.retention", "%s: want a positive duration such as 720h", s.Retention)
	case s.ShutdownGrace < 0:
		return c.errorf("schedules.shutdown_grace", "%s: want zero or more", s.ShutdownGrace)
	case s.Tick <= 0:
		return c.errorf("schedules.tick", "%s: want a positive duration", s.Tick)
	}
	if err := c.validateWebhook(lookup); err != nil {
		return err
	}
	for _, name := range c.ScheduleNames() {
		key := "schedules.jobs." + name
		j := c.Schedules.Jobs[name]
		if j != nil && !oneOf(j.Kind, ScheduleImport, SchedulePipeline) {
			return c.errorf(key+".kind", "%q: want import or pipeline", j.Kind)
		}
		if _, _, err := c.SchedulerSpec(name); err != nil {
			return err
		}
		for i, in := range j.Inputs {
			ik := fmt.Sprintf("%s.inputs[%d]", key, i)
			if j.Kind != SchedulePipeline {
				return c.errorf(ik, "only pipelines have inputs")
			}
			if (in.Table == "") == (in.Path == "") {
				return c.errorf(ik, "give table or path, one of them")
			}
			if in.Timeout < 0 {
				return c.errorf(ik+".timeout", "%s: want zero or more", in.Timeout)
			}
		}
		if j.Kind == ScheduleImport && j.Stale.MaxPerTick != nil && *j.Stale.MaxPerTick > 0 {
			return c.errorf(key+".stale", "an import has no stale windows (an incremental import reads what is new); stale re-runs are for pipelines")
		}
	}
	return nil
}

func (c *Config) validateWebhook(lookup LookupEnv) error {
	w := c.Schedules.Webhook
	n := 0
	for _, v := range []string{w.URL, w.URLFile, w.URLEnv} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return c.errorf("schedules.webhook", "set one of url, url_file and url_env")
	}
	if w.URL != "" {
		if err := checkWebhookURL(w.URL); err != nil {
			return c.errorf("schedules.webhook.url", "%v", err)
		}
	}
	if w.URLFile != "" {
		if _, err := os.Stat(w.URLFile); err != nil {
			return c.errorf("schedules.webhook.url_file", "cannot read %s: %v", w.URLFile, unwrapPathErr(err))
		}
	}
	if w.URLEnv != "" {
		if !varRE.MatchString(w.URLEnv) {
			return c.errorf("schedules.webhook.url_env", "%q is not an environment variable name", w.URLEnv)
		}
		if _, ok := lookup(w.URLEnv); !ok {
			return c.errorf("schedules.webhook.url_env", "environment variable %s is not set", w.URLEnv)
		}
	}
	return nil
}

// checkWebhookURL refuses what cannot be POSTed to. The message never
// repeats the URL: it may hold a token.
func checkWebhookURL(s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("not an http(s)://host/path URL")
	}
	if u.User != nil {
		return fmt.Errorf("the URL carries credentials; put it in url_file or url_env")
	}
	return nil
}

// WebhookURL resolves the alert webhook's URL from url, url_file (the
// file less one trailing newline) or url_env; "" when none is set.
func (c *Config) WebhookURL(ctx context.Context) (string, error) {
	w := c.Schedules.Webhook
	var v string
	switch {
	case w.URL != "":
		return strings.TrimSpace(w.URL), nil
	case w.URLFile != "":
		b, err := os.ReadFile(w.URLFile)
		if err != nil {
			return "", c.errorf("schedules.webhook.url_file", "cannot read %s: %v", w.URLFile, unwrapPathErr(err))
		}
		v = strings.TrimSpace(string(b))
	case w.URLEnv != "":
		v = strings.TrimSpace(os.Getenv(w.URLEnv))
	default:
		return "", nil
	}
	if err := checkWebhookURL(v); err != nil {
		return "", c.errorf("schedules.webhook", "%v", err)
	}
	return v, nil
}
