package scheduler

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

var (
	helpLine   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$`)
	typeLine   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$`)
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (\S+)$`)
)

// checkExposition parses Prometheus text format line by line: HELP and
// TYPE before a family's samples, each family once, sample names that
// belong to the declared family, values that parse, histogram buckets
// cumulative and ending in +Inf equal to _count. It returns the samples.
func checkExposition(t *testing.T, text string) map[string]float64 {
	t.Helper()
	samples := map[string]float64{}
	types := map[string]string{}
	current := ""
	var lastBucket float64
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			m := helpLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line %d: bad HELP %q", n, line)
			}
			if _, dup := types[m[1]]; dup {
				t.Fatalf("line %d: family %s twice", n, m[1])
			}
		case strings.HasPrefix(line, "# TYPE "):
			m := typeLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line %d: bad TYPE %q", n, line)
			}
			types[m[1]], current = m[2], m[1]
		case strings.HasPrefix(line, "#") || line == "":
			t.Fatalf("line %d: unexpected %q", n, line)
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("line %d: bad sample %q", n, line)
			}
			name := m[1]
			base := name
			if types[current] == "histogram" {
				base = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			}
			if base != current {
				t.Fatalf("line %d: sample %s outside its family (current %s)", n, name, current)
			}
			v, err := strconv.ParseFloat(m[3], 64)
			if err != nil {
				t.Fatalf("line %d: value %q: %v", n, m[3], err)
			}
			if strings.HasSuffix(name, "_bucket") {
				if strings.Contains(m[2], `le="1"`) {
					lastBucket = 0
				}
				if v < lastBucket {
					t.Fatalf("line %d: bucket %v below the previous %v", n, v, lastBucket)
				}
				lastBucket = v
			}
			if strings.HasSuffix(name, "_count") && v != lastBucket {
				t.Fatalf("line %d: count %v, +Inf bucket %v", n, v, lastBucket)
			}
			if _, dup := samples[name+m[2]]; dup {
				t.Fatalf("line %d: sample %s%s twice", n, name, m[2])
			}
			samples[name+m[2]] = v
		}
	}
	return samples
}

func TestMetricsAndHealth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			time.Sleep(90 * time.Second)
			if w.Start.Hour() == 10 {
				return RunResult{}, errors.New("boom")
			}
			return RunResult{Rows: 100, Bytes: 4096}, nil
		}
		sp := testSpec(`odd "name"\`, "@hourly", "")
		sp.Retry.MaxAttempts = 1
		sp.Start = utc("2026-06-01T08:00")
		sleepUntil(utc("2026-06-01T11:00").Add(time.Second))
		e := startEngine(t, store, r, []Spec{sp}, testOptions("a"))
		time.Sleep(10 * time.Minute)

		h := e.Handler()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
			t.Fatalf("GET /metrics: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		got := checkExposition(t, rec.Body.String())
		lbl := `schedule="odd \"name\"\\"`
		want := map[string]float64{
			`hetl_scheduler_runs_total{` + lbl + `,status="succeeded"}`:         2,
			`hetl_scheduler_runs_total{` + lbl + `,status="failed"}`:            1,
			`hetl_scheduler_rows_total{` + lbl + `}`:                            200,
			`hetl_scheduler_bytes_total{` + lbl + `}`:                           8192,
			`hetl_scheduler_run_duration_seconds_count{` + lbl + `}`:            3,
			`hetl_scheduler_run_duration_seconds_sum{` + lbl + `}`:              270,
			`hetl_scheduler_run_duration_seconds_bucket{` + lbl + `,le="60"}`:   0,
			`hetl_scheduler_run_duration_seconds_bucket{` + lbl + `,le="120"}`:  3,
			`hetl_scheduler_run_duration_seconds_bucket{` + lbl + `,le="+Inf"}`: 3,
			`hetl_scheduler_leader`:                                             1,
			`hetl_scheduler_running{` + lbl + `}`:                               0,
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
			}
		}
		// The newest succeeded window is 09:00, which ended at 10:00.
		lagKey := `hetl_scheduler_lag_seconds{` + lbl + `}`
		if lag := got[lagKey]; lag < 3600 || lag > 3600+601 {
			t.Errorf("lag %v, want 3600..4201 (the last pass's)", lag)
		}

		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != 200 || rec.Body.String() != "ok\n" {
			t.Errorf("GET /healthz while running: %d %q", rec.Code, rec.Body.String())
		}
		e.stop(t)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusServiceUnavailable {
			t.Errorf("GET /healthz after stop: %d", rec.Code)
		}
	})
}

func TestEmptyMetricsParse(t *testing.T) {
	var b strings.Builder
	if _, err := NewMetrics().WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	checkExposition(t, b.String())
}
