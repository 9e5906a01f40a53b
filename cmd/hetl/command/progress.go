package command

import (
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal (progress bars) or not
// (structured log lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// importProgress shows a live bar on a terminal, and otherwise logs a
// progress line every 10 seconds.
type importProgress struct {
	mu     sync.Mutex
	w      io.Writer
	log    *slog.Logger
	bar    *progressbar.ProgressBar
	table  string
	total  int64
	rows   int64
	bytes  int64
	start  time.Time
	last   time.Time
	isTerm bool
}

func newImportProgress(stderr io.Writer, log *slog.Logger) *importProgress {
	return &importProgress{w: stderr, log: log, isTerm: isTerminal(stderr)}
}

func (p *importProgress) Start(table string, estimatedRows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.table, p.total, p.rows, p.bytes = table, estimatedRows, 0, 0
	p.start, p.last = time.Now(), time.Now()
	if p.isTerm {
		max := estimatedRows
		if max <= 0 {
			max = -1
		}
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription("import "+table),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetWidth(30),
		)
	}
}

func (p *importProgress) Add(rows, bytes int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rows += rows
	p.bytes += bytes
	if p.bar != nil {
		_ = p.bar.Set64(max(p.rows, 0))
		return
	}
	if time.Since(p.last) >= 10*time.Second {
		p.last = time.Now()
		secs := time.Since(p.start).Seconds()
		p.log.Info("import progress", "table", p.table, "rows", p.rows, "of_about", p.total,
			"mb", float64(p.bytes)/(1<<20), "rows_per_s", int64(float64(p.rows)/secs))
	}
}

func (p *importProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_, _ = io.WriteString(p.w, "\n")
		p.bar = nil
	}
}
