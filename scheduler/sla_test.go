package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hetl/hetl/jobs"
)

// TestSLAAlerts: a window not done by end + SLA alerts once, also when
// the first send fails, and not for windows done in time.
func TestSLAAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		store, r := NewMemStore(), newRunner(t)
		r.do = func(ctx context.Context, name string, w jobs.Window) (RunResult, error) {
			if w.Start.Hour()%2 == 1 { // odd hours fail for good
				return RunResult{}, errors.New("source table missing")
			}
			return RunResult{}, nil
		}
		sp := testSpec("orders", "@hourly", "")
		sp.Retry.MaxAttempts = 1
		sp.SLA = 30 * time.Minute
		alerts := &recordingAlerter{failFirst: 1}
		opts := testOptions("a")
		opts.Alerter = alerts
		sleepUntil(utc("2026-06-01T10:00").Add(time.Second)) // first window 09:00
		e := startEngine(t, store, r, []Spec{sp}, opts)
		time.Sleep(5*time.Hour + 10*time.Minute)
		e.stop(t)
		got := alerts.Alerts()
		var ws []string
		for _, a := range got {
			ws = append(ws, a.Window.String())
			if a.Kind != AlertSLAMissed || a.Schedule != "orders" || a.Status != StatusFailed ||
				!a.Deadline.Equal(a.Window.End().Add(30*time.Minute)) || !strings.Contains(a.Message, "SLA 30m0s") {
				t.Errorf("alert %+v", a)
			}
		}
		if want := "2026-06-01T09Z 2026-06-01T11Z 2026-06-01T13Z"; strings.Join(ws, " ") != want {
			t.Errorf("alerts for %v, want %s", ws, want)
		}
		var out bytes.Buffer
		e.Metrics().WriteTo(&out)
		for _, line := range []string{
			`hetl_scheduler_alerts_total{schedule="orders",kind="sla_missed"} 3`,
			`hetl_scheduler_alert_errors_total{schedule="orders"} 1`,
		} {
			if !strings.Contains(out.String(), line+"\n") {
				t.Errorf("metrics lack %s", line)
			}
		}
	})
}

func TestWebhookAlerter(t *testing.T) {
	var body map[string]any
	var ctype string
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		b, _ := io.ReadAll(r.Body)
		body = nil
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("body %q: %v", b, err)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	a := Alert{
		Kind: AlertSLAMissed, Schedule: "orders", Window: jobs.Window{Start: utc("2026-06-01T09:00")},
		Deadline: utc("2026-06-01T10:30"), Status: StatusRunning, Message: "orders window late",
	}
	h := WebhookAlerter{URL: srv.URL + "/hooks/secret-token"}
	if err := h.Alert(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"kind": "sla_missed", "schedule": "orders", "window": "2026-06-01T09:00:00Z", "partition": "dt=2026-06-01/hr=09",
		"deadline": "2026-06-01T10:30:00Z", "status": "running", "message": "orders window late",
	}
	if ctype != "application/json" || len(body) != len(want) {
		t.Errorf("content type %q, body %v", ctype, body)
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("body[%s] = %v, want %v", k, body[k], v)
		}
	}
	status = http.StatusBadGateway
	err := h.Alert(context.Background(), a)
	if err == nil || !strings.Contains(err.Error(), "502") || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error on 502 = %v, want the status without the URL", err)
	}
	srv.Close()
	err = h.Alert(context.Background(), a)
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error with the server gone = %v, want one without the URL", err)
	}
}

func TestLogAlerter(t *testing.T) {
	var buf bytes.Buffer
	l := LogAlerter{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
	err := l.Alert(context.Background(), Alert{Kind: AlertSLAMissed, Schedule: "orders", Window: jobs.Window{Start: utc("2026-06-01T09:00")}, Message: "late"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"level=WARN", "msg=late", "alert=sla_missed", "job=orders", `partition="dt=2026-06-01/hr=09"`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log line %q lacks %q", buf.String(), want)
		}
	}
}
