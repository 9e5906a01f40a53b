package scheduler

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Metrics counts what the engine does and writes it in the Prometheus
// text exposition format. It is safe for concurrent use; one Metrics
// belongs to one engine.
type Metrics struct {
	mu        sync.Mutex
	runs      map[[2]string]float64 // schedule, status
	rows      map[string]float64
	bytes     map[string]float64
	alerts    map[[2]string]float64 // schedule, kind
	alertErrs map[string]float64
	skipped   map[string]float64
	lag       map[string]float64
	running   map[string]float64
	durations map[string]*histogram
	leader    float64
}

// DurationBuckets are the run-duration histogram's upper bounds, seconds.
var DurationBuckets = []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800}

type histogram struct {
	counts []float64 // per bucket, not cumulative
	sum    float64
	n      float64
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{
		runs: map[[2]string]float64{}, rows: map[string]float64{}, bytes: map[string]float64{}, alerts: map[[2]string]float64{},
		alertErrs: map[string]float64{}, skipped: map[string]float64{}, lag: map[string]float64{},
		running: map[string]float64{}, durations: map[string]*histogram{},
	}
}

func (m *Metrics) attempt(schedule string, status RunStatus, d time.Duration, res RunResult) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[[2]string{schedule, string(status)}]++
	if status == StatusSucceeded {
		m.rows[schedule] += float64(res.Rows)
		m.bytes[schedule] += float64(res.Bytes)
	}
	h := m.durations[schedule]
	if h == nil {
		h = &histogram{counts: make([]float64, len(DurationBuckets))}
		m.durations[schedule] = h
	}
	s := d.Seconds()
	if i, _ := slices.BinarySearch(DurationBuckets, s); i < len(h.counts) {
		h.counts[i]++
	}
	h.sum += s
	h.n++
}

func (m *Metrics) alert(schedule, kind string, failed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if failed {
		m.alertErrs[schedule]++
		return
	}
	m.alerts[[2]string{schedule, kind}]++
}

func (m *Metrics) skip(schedule string, n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.skipped[schedule] += float64(n)
}

func (m *Metrics) setLag(schedule string, lag time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lag[schedule] = lag.Seconds()
}

func (m *Metrics) addRunning(schedule string, d float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running[schedule] += d
}

func (m *Metrics) setLeader(leader bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.leader = 0
	if leader {
		m.leader = 1
	}
}

// WriteTo writes the exposition.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cw := &countWriter{w: bufio.NewWriter(w)}
	byPair := func(mp map[[2]string]float64, l1, l2 string) []sample {
		var out []sample
		for k, v := range mp {
			out = append(out, sample{labels: [][2]string{{l1, k[0]}, {l2, k[1]}}, value: v})
		}
		return out
	}
	bySchedule := func(mp map[string]float64) []sample {
		var out []sample
		for k, v := range mp {
			out = append(out, sample{labels: [][2]string{{"schedule", k}}, value: v})
		}
		return out
	}
	family(cw, "hetl_scheduler_runs_total", "Attempts finished, by schedule and outcome.", "counter", byPair(m.runs, "schedule", "status"))
	family(cw, "hetl_scheduler_rows_total", "Rows processed by succeeded attempts.", "counter", bySchedule(m.rows))
	family(cw, "hetl_scheduler_bytes_total", "Bytes published by succeeded attempts.", "counter", bySchedule(m.bytes))
	family(cw, "hetl_scheduler_alerts_total", "Alerts sent, by schedule and kind.", "counter", byPair(m.alerts, "schedule", "kind"))
	family(cw, "hetl_scheduler_alert_errors_total", "Alerts that failed to send (they are retried).", "counter", bySchedule(m.alertErrs))
	family(cw, "hetl_scheduler_windows_skipped_total", "Missed windows the catch-up policy skipped.", "counter", bySchedule(m.skipped))
	family(cw, "hetl_scheduler_lag_seconds", "Now minus the end of the newest succeeded window.", "gauge", bySchedule(m.lag))
	family(cw, "hetl_scheduler_running", "Attempts running in this engine.", "gauge", bySchedule(m.running))
	family(cw, "hetl_scheduler_leader", "1 while this engine holds the leader lease.", "gauge", []sample{{value: m.leader}})
	fmt.Fprintf(cw, "# HELP hetl_scheduler_run_duration_seconds Attempt durations.\n# TYPE hetl_scheduler_run_duration_seconds histogram\n")
	for _, name := range sortedKeys(m.durations) {
		h := m.durations[name]
		lbl := `schedule="` + escapeLabel(name) + `"`
		cum := 0.0
		for i, le := range DurationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(cw, "hetl_scheduler_run_duration_seconds_bucket{%s,le=\"%s\"} %s\n", lbl, formatFloat(le), formatFloat(cum))
		}
		fmt.Fprintf(cw, "hetl_scheduler_run_duration_seconds_bucket{%s,le=\"+Inf\"} %s\n", lbl, formatFloat(h.n))
		fmt.Fprintf(cw, "hetl_scheduler_run_duration_seconds_sum{%s} %s\n", lbl, formatFloat(h.sum))
		fmt.Fprintf(cw, "hetl_scheduler_run_duration_seconds_count{%s} %s\n", lbl, formatFloat(h.n))
	}
	if err := cw.w.(*bufio.Writer).Flush(); err != nil && cw.err == nil {
		cw.err = err
	}
	return cw.n, cw.err
}

type sample struct {
	labels [][2]string
	value  float64
}

func family(w io.Writer, name, help, typ string, samples []sample) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	lines := make([]string, 0, len(samples))
	for _, s := range samples {
		var b strings.Builder
		b.WriteString(name)
		if len(s.labels) > 0 {
			b.WriteByte('{')
			for i, l := range s.labels {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(l[0] + `="` + escapeLabel(l[1]) + `"`)
			}
			b.WriteByte('}')
		}
		b.WriteString(" " + formatFloat(s.value) + "\n")
		lines = append(lines, b.String())
	}
	slices.Sort(lines)
	for _, l := range lines {
		io.WriteString(w, l)
	}
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// Handler serves /metrics (this exposition) and /healthz, which answers
// 200 "ok" while health returns nil and 503 with the error otherwise.
func (m *Metrics) Handler(health func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = m.WriteTo(w)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if health != nil {
			if err := health(); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, err)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	return mux
}
