package jobs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hetl/hetl/ingest/format"
)

// Quarantine collects the rows a step rejected, with the reason. They
// are published with the window's outputs (see Run), so nothing a rule
// removes is lost, and counted per reason.
type Quarantine struct {
	mu   sync.Mutex
	rows []QuarantinedRow
	// Protect, when set, rewrites a value of the named column before it
	// is kept (drop: false), so a rejected row carries no personal data
	// the pipeline would have anonymized. Column names are lower case.
	Protect func(column, value string) (string, bool)
}

// QuarantinedRow is one rejected row: its values as a JSON object of
// MySQL text (NULL as null), the step that rejected it and why.
type QuarantinedRow struct {
	Step   string
	Reason string
	Row    string
}

// Rows are the rejected rows so far.
func (q *Quarantine) Rows() []QuarantinedRow {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]QuarantinedRow(nil), q.rows...)
}

// Counts are the rejected rows per reason.
func (q *Quarantine) Counts() map[string]int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]int64{}
	for _, r := range q.rows {
		out[r.Reason]++
	}
	return out
}

// Len is the number of rejected rows.
func (q *Quarantine) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.rows)
}

// add rejects rows of rec; reason(i) is row i's reason.
func (q *Quarantine) add(step string, rec arrow.RecordBatch, rows []int, reason func(i int) string) error {
	if len(rows) == 0 {
		return nil
	}
	texts := make([]format.ValueText, rec.NumCols())
	for j, f := range rec.Schema().Fields() {
		t, err := format.MySQLText(f)
		if err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
		texts[j] = t(rec.Column(j))
	}
	out := make([]QuarantinedRow, 0, len(rows))
	var buf []byte
	for _, i := range rows {
		obj := make([]byte, 0, 256)
		obj = append(obj, '{')
		for j, f := range rec.Schema().Fields() {
			if j > 0 {
				obj = append(obj, ',')
			}
			name, _ := json.Marshal(f.Name)
			obj = append(append(obj, name...), ':')
			if rec.Column(j).IsNull(i) {
				obj = append(obj, "null"...)
				continue
			}
			var err error
			if buf, err = texts[j](buf[:0], i); err != nil {
				return fmt.Errorf("quarantine: column %s: %w", f.Name, err)
			}
			text := string(buf)
			if q.Protect != nil {
				var keep bool
				if text, keep = q.Protect(strings.ToLower(f.Name), text); !keep {
					text = "(dropped)"
				}
			}
			v, _ := json.Marshal(text)
			obj = append(obj, v...)
		}
		obj = append(obj, '}')
		out = append(out, QuarantinedRow{Step: step, Reason: reason(i), Row: string(obj)})
	}
	q.mu.Lock()
	q.rows = append(q.rows, out...)
	q.mu.Unlock()
	return nil
}

// sorted returns the rows in a stable order (step, reason, row), so the
// published quarantine does not depend on the order rows were read in.
func (q *Quarantine) sorted() []QuarantinedRow {
	rows := q.Rows()
	sort.Slice(rows, func(a, b int) bool {
		x, y := rows[a], rows[b]
		if x.Step != y.Step {
			return x.Step < y.Step
		}
		if x.Reason != y.Reason {
			return x.Reason < y.Reason
		}
		return x.Row < y.Row
	})
	return rows
}
