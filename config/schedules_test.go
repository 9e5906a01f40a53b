package config

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestSchedulerSpec(t *testing.T) {
	cfg, err := Load("testdata/schedules.good.yml", testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ScheduleNames(); strings.Join(got, ",") != "daily,events,hourly_activity" {
		t.Fatalf("names = %v", got)
	}
	ev, ok, err := cfg.SchedulerSpec("events")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if ev.CatchUp.String() != "latest" || ev.Retry.MaxAttempts != 5 || ev.Retry.Backoff != 30*time.Second ||
		ev.Retry.MaxBackoff != 10*time.Minute || ev.Retry.Jitter != 0 || ev.Retry.AttemptTimeout != time.Hour ||
		ev.Schedule.Location().String() != "Europe/Berlin" || ev.MaxConcurrent != 1 {
		t.Errorf("events = %+v", ev)
	}
	ha, _, err := cfg.SchedulerSpec("hourly_activity")
	if err != nil {
		t.Fatal(err)
	}
	if ha.CatchUp.String() != "12" || ha.MaxConcurrent != 2 || ha.SLA != 2*time.Hour || ha.Stale.MaxPerTick != 2 ||
		ha.Stale.MaxAge != 48*time.Hour || ha.Stale.Every != time.Minute || ha.Retry.MaxAttempts != 3 || ha.Retry.Jitter != 0.2 ||
		!ha.Start.Equal(time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)) || ha.Schedule.String() != "@hourly" {
		t.Errorf("hourly_activity = %+v", ha)
	}
	if d, _, _ := cfg.SchedulerSpec("daily"); d.Stale.MaxPerTick != 0 || d.CatchUp.String() != "all" {
		t.Errorf("daily = %+v", d)
	}
	if _, ok, _ := cfg.SchedulerSpec("nope"); ok {
		t.Error("an unknown schedule was found")
	}
	s := cfg.Schedules
	if s.Listen != "127.0.0.1:9464" || s.MaxConcurrent != 6 || s.Retention != 720*time.Hour || s.ShutdownGrace != 2*time.Minute || s.Tick != 10*time.Second {
		t.Errorf("schedules = %+v", s)
	}
	t.Setenv("EVENTS_PW", "https://hooks.example.com/T0/secret")
	if u, err := cfg.WebhookURL(context.Background()); err != nil || u != "https://hooks.example.com/T0/secret" {
		t.Errorf("webhook = %q, %v", u, err)
	}

	def, err := Parse("empty.yml", nil, testEnv)
	if err != nil {
		t.Fatal(err)
	}
	if d := def.Schedules; d.Retention != DefaultRetention || d.MaxConcurrent != 4 || d.ShutdownGrace != time.Minute || d.Listen != "" {
		t.Errorf("default schedules = %+v", d)
	}
}

func TestRedactedHidesWebhookPath(t *testing.T) {
	cfg, err := Parse("w.yml", []byte("schedules:\n  webhook:\n    url: https://hooks.example.com/T0/B0/s3cret\n"), testEnv)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret") || !strings.Contains(string(out), "https://hooks.example.com/…") {
		t.Errorf("redacted:\n%s", out)
	}
}
