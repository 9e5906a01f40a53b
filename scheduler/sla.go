package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hetl/hetl/jobs"
)

// Alert kinds.
const (
	AlertSLAMissed = "sla_missed"
)

// Alert is one notification: a window not done by its deadline.
type Alert struct {
	Kind     string      `json:"kind"`
	Schedule string      `json:"schedule"`
	Window   jobs.Window `json:"-"`
	Deadline time.Time   `json:"deadline"`
	Status   RunStatus   `json:"status"`
	Error    string      `json:"error,omitempty"`
	Message  string      `json:"message"`
}

// MarshalJSON writes the window as its start and its partition.
func (a Alert) MarshalJSON() ([]byte, error) {
	type plain Alert
	return json.Marshal(struct {
		plain
		Window    time.Time `json:"window"`
		Partition string    `json:"partition"`
	}{plain(a), a.Window.Start, a.Window.Partition()})
}

// Alerter delivers alerts. The engine sends each SLA alert once per window
// (across engines sharing a store); when Alert fails it tries again on a
// later tick.
type Alerter interface {
	Alert(ctx context.Context, a Alert) error
}

// LogAlerter writes alerts as warning log lines.
type LogAlerter struct{ Logger *slog.Logger }

// Alert logs a.
func (l LogAlerter) Alert(ctx context.Context, a Alert) error {
	l.Logger.LogAttrs(ctx, slog.LevelWarn, a.Message,
		slog.String("component", "scheduler"), slog.String("alert", a.Kind), slog.String("job", a.Schedule),
		slog.String("partition", a.Window.Partition()), slog.Time("deadline", a.Deadline), slog.String("status", string(a.Status)))
	return nil
}

// WebhookAlerter POSTs each alert as a JSON object to URL. The URL is
// treated as a secret: errors do not repeat it.
type WebhookAlerter struct {
	URL    string
	Client *http.Client // nil: a client with a 10s timeout
}

var defaultWebhookClient = &http.Client{Timeout: 10 * time.Second}

// Alert posts a; a status outside 2xx is an error.
func (h WebhookAlerter) Alert(ctx context.Context, a Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := h.Client
	if c == nil {
		c = defaultWebhookClient
	}
	resp, err := c.Do(req)
	if err != nil {
		// The URL often carries a secret (chat webhooks do): keep it out
		// of the error, which gets logged.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("alert webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("alert webhook: %s", resp.Status)
	}
	return nil
}

// MultiAlerter sends to each alerter, joining their errors.
type MultiAlerter []Alerter

// Alert sends a to all.
func (m MultiAlerter) Alert(ctx context.Context, a Alert) error {
	var errs []error
	for _, al := range m {
		if err := al.Alert(ctx, a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
