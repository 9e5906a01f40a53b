package jobstest

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hetl/hetl/jobs"
	"github.com/hetl/hetl/warehouse"
)

// HourlyActivitySQL is hourly_activity over the source tables events,
// users and devices (MariaDB), one window: ? and ? are its start and end.
const HourlyActivitySQL = `
WITH clean AS (
  SELECT e.*, LOWER(TRIM(e.event_type)) AS et,
         ROW_NUMBER() OVER (PARTITION BY e.user_id, e.device_id, LOWER(TRIM(e.event_type)), e.created_at, e.message ORDER BY e.id DESC) AS rn
  FROM events e
  WHERE e.created_at >= ? AND e.created_at < ?
    AND e.user_id IS NOT NULL AND TRIM(e.event_type) <> '' AND e.ip IS NOT NULL AND e.ip <> ''
    AND (e.latency_ms IS NULL OR e.latency_ms >= 0)
    AND e.ip REGEXP '^[0-9A-Fa-f:.*/x]+$'
)
SELECT c.et, u.country, u.plan, COALESCE(d.os, '<null>'),
       COUNT(*), COUNT(DISTINCT c.user_id), SUM(c.status >= 400), AVG(c.status >= 400)
FROM clean c JOIN users u ON u.id = c.user_id LEFT JOIN devices d ON d.id = c.device_id
WHERE c.rn = 1
GROUP BY c.et, u.country, u.plan, d.os`

// Group is one output row's exact measures.
type Group struct {
	Events, Distinct, Errors int64
	ErrorRate                float64
}

// Expected runs HourlyActivitySQL for window w; keys are
// "event_type|country|plan|os" with "<null>" for NULL.
func Expected(ctx context.Context, db *sql.DB, w jobs.Window) (map[string]Group, error) {
	rows, err := db.QueryContext(ctx, HourlyActivitySQL, w.Start.Format("2006-01-02 15:04:05"), w.End().Format("2006-01-02 15:04:05"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Group{}
	for rows.Next() {
		var et, country, plan, os string
		var g Group
		if err := rows.Scan(&et, &country, &plan, &os, &g.Events, &g.Distinct, &g.Errors, &g.ErrorRate); err != nil {
			return nil, err
		}
		out[strings.Join([]string{et, country, plan, os}, "|")] = g
	}
	return out, rows.Err()
}

// Published reads window w's partition of agg_events_hourly.
func Published(ctx context.Context, fsys warehouse.FS, w jobs.Window) (map[string]Group, error) {
	tb, err := jobs.OpenTable(ctx, fsys, "agg_events_hourly")
	if err != nil {
		return nil, err
	}
	s, _, err := tb.Scan(ctx, jobs.ScanOptions{Window: &w, TimeColumn: jobs.WindowColumn})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	recs, err := jobs.Drain(ctx, s)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	out := map[string]Group{}
	for _, rec := range recs {
		col := func(n string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(n)[0]) }
		win := col(jobs.WindowColumn).(*array.Timestamp)
		for i := range int(rec.NumRows()) {
			if int64(win.Value(i)) != w.Start.UnixMicro() {
				continue
			}
			str := func(n string) string {
				a := col(n).(*array.String)
				if a.IsNull(i) {
					return "<null>"
				}
				return a.Value(i)
			}
			i64 := func(n string) int64 { return col(n).(*array.Int64).Value(i) }
			key := strings.Join([]string{str("event_type"), str("country"), str("plan"), str("os")}, "|")
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("window %s: group %s twice", w, key)
			}
			out[key] = Group{Events: i64("events"), Distinct: i64("distinct_users"), Errors: i64("errors"),
				ErrorRate: col("error_rate").(*array.Float64).Value(i)}
		}
	}
	return out, nil
}

// Diff lists the differences between the published and the expected
// groups of a window ("" when they agree; MariaDB rounds AVG to four
// digits, so error rates agree within 1e-4).
func Diff(got, want map[string]Group) string {
	var d []string
	for k, g := range got {
		e, ok := want[k]
		switch {
		case !ok:
			d = append(d, "extra group "+k)
		case g.Events != e.Events || g.Distinct != e.Distinct || g.Errors != e.Errors || math.Abs(g.ErrorRate-e.ErrorRate) > 1e-4:
			d = append(d, fmt.Sprintf("%s: got %+v, SQL %+v", k, g, e))
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			d = append(d, "missing group "+k)
		}
	}
	sort.Strings(d)
	if len(d) > 5 {
		d = append(d[:5], strconv.Itoa(len(d)-5)+" more")
	}
	return strings.Join(d, "; ")
}
