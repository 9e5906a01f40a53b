package ingest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/ingest/format"
	"github.com/hetl/hetl/ingest/typemap"
	"github.com/hetl/hetl/warehouse"
)

// maxOpenParts bounds the partitions one chunk writes at once; a chunk
// that touches more closes the least recently used file and starts a new
// one when rows for it come again.
const maxOpenParts = 8

// batchBytes cuts a batch at this many bytes of values whatever its rows,
// so multi-megabyte BLOBs do not pile up.
const batchBytes = 8 << 20

// fileResult is a finished data file of a chunk.
type fileResult struct {
	Path   string  `json:"path"`
	Rows   int64   `json:"rows"`
	Bytes  int64   `json:"bytes"`
	Nulls  []int64 `json:"-"`
	chunk  int
	insert string
}

// chunkSink receives one chunk's rows and writes them to files under the
// import's temporary directory, one file per partition touched (more when
// maxOpenParts forces a partition's file closed).
type chunkSink struct {
	job     *importJob
	chunk   int
	attempt int
	parts   map[string]*partOut
	lru     []string
	files   []fileResult
	w       *asyncWriter
	quar    *quarantine
	rows    int64
	bytes   int64
	zeros   int64
	hasher  rowHasher // checksum of quarantined rows
	scratch []byte
}

type partOut struct {
	key    string
	batch  *typemap.Batch
	writer format.Writer
	name   string
	seq    int
	nulls  []int64
}

func newChunkSink(job *importJob, chunk, attempt int) *chunkSink {
	return &chunkSink{job: job, chunk: chunk, attempt: attempt, parts: map[string]*partOut{}, w: newAsyncWriter(job)}
}

// part returns the output for a partition key ("" when unpartitioned).
func (s *chunkSink) part(ctx context.Context, key string) (*partOut, error) {
	if p := s.parts[key]; p != nil {
		s.touch(key)
		return p, nil
	}
	if len(s.parts) >= maxOpenParts {
		oldest := s.lru[0]
		if err := s.closePart(ctx, s.parts[oldest]); err != nil {
			return nil, err
		}
		delete(s.parts, oldest)
		s.lru = s.lru[1:]
	}
	p := &partOut{key: key, batch: typemap.NewBatch(memory.DefaultAllocator, s.job.maps, s.job.opts.Policies)}
	p.seq = s.job.nextSeq(key, s.chunk)
	s.parts[key] = p
	s.lru = append(s.lru, key)
	return p, nil
}

func (s *chunkSink) touch(key string) {
	for i, k := range s.lru {
		if k == key {
			copy(s.lru[i:], s.lru[i+1:])
			s.lru[len(s.lru)-1] = key
			return
		}
	}
}

// full says the partition's batch should be handed to the writer.
func (s *chunkSink) full(p *partOut) bool {
	return p.batch.Rows() >= s.job.opts.BatchRows || p.batch.Bytes() >= batchBytes
}

// flush hands the partition's rows to the writer goroutine.
func (s *chunkSink) flush(ctx context.Context, p *partOut) error {
	if p.batch.Rows() == 0 {
		return nil
	}
	s.rows += int64(p.batch.Rows())
	s.bytes += p.batch.Bytes()
	s.zeros += p.batch.Counters.ZeroDatesNulled
	p.batch.Counters.ZeroDatesNulled = 0
	rec := p.batch.Flush()
	return s.w.write(ctx, s, p, rec)
}

func (s *chunkSink) closePart(ctx context.Context, p *partOut) error {
	err := s.flush(ctx, p)
	p.batch.Release()
	if err != nil {
		return err
	}
	return s.w.close(ctx, s, p)
}

// finish flushes and closes every file; the chunk's files are complete
// when it returns nil.
func (s *chunkSink) finish(ctx context.Context) error {
	var err error
	for _, k := range s.lru {
		if e := s.closePart(ctx, s.parts[k]); e != nil && err == nil {
			err = e
		}
	}
	s.parts, s.lru = map[string]*partOut{}, nil
	if e := s.w.stop(); e != nil && err == nil {
		err = e
	}
	if s.quar != nil {
		if e := s.quar.close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// abort stops writing and removes every file the chunk wrote.
func (s *chunkSink) abort(ctx context.Context) error {
	for _, p := range s.parts {
		p.batch.Release()
	}
	_ = s.w.stop()
	// The writer goroutine is gone; close what it left open.
	for _, p := range s.parts {
		if p.writer != nil {
			_ = p.writer.Close()
		}
	}
	var errs []error
	for _, name := range s.w.opened {
		if err := s.job.opts.FS.Remove(ctx, name); err != nil && !errors.Is(err, errNotExist) {
			errs = append(errs, err)
		}
	}
	if s.quar != nil {
		_ = s.quar.close()
		if err := s.job.opts.FS.Remove(ctx, s.quar.name); err != nil && !errors.Is(err, errNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// quarantineRow writes a row the policy refused, with why, to the
// import's _quarantine directory (hidden from Hive, Trino and Spark).
// Columns under a PII rule are protected there too.
func (s *chunkSink) quarantineRow(ctx context.Context, vals [][]byte, bad *typemap.BadValue) error {
	if s.quar == nil {
		name := path.Join(s.job.tmpDir, "_quarantine", fmt.Sprintf("part-%s-c%05d-a%d.jsonl", s.job.opts.RunID, s.chunk, s.attempt))
		w, err := s.job.opts.FS.Create(ctx, name, warehouse.CreateOptions{})
		if err != nil {
			return fmt.Errorf("create quarantine file: %w", err)
		}
		s.quar = &quarantine{name: name, w: w}
	}
	row := map[string]any{}
	for i, m := range s.job.maps {
		v := vals[i]
		name := m.Column.Name
		protected, keep := s.job.protect(name, v)
		switch {
		case !keep:
			continue
		case v == nil:
			row[name] = nil
		case protected != nil:
			row[name] = *protected
		case utf8.Valid(v):
			row[name] = string(v)
		default:
			row[name] = map[string]string{"base64": base64.StdEncoding.EncodeToString(v)}
		}
	}
	line, err := json.Marshal(map[string]any{"column": bad.Column, "reason": bad.Reason, "row": row})
	if err != nil {
		return err
	}
	if _, err := s.quar.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write quarantine file: %w", err)
	}
	s.quar.rows++
	// The row still counts in validation: MySQL sees it.
	s.hasher.begin()
	for _, i := range s.job.checksumCols {
		v := vals[i]
		m := s.job.maps[i]
		if v == nil || (s.job.opts.Policies.ZeroDates == typemap.ZeroDateNull && isBadDate(m, v)) {
			s.hasher.null()
			continue
		}
		s.scratch = rawCanonical(s.scratch[:0], m, v)
		s.hasher.value(s.scratch)
	}
	s.hasher.end()
	return nil
}

func isBadDate(m typemap.Mapping, v []byte) bool {
	switch m.Kind {
	case typemap.KindDate, typemap.KindDatetime, typemap.KindTimestamp:
		return typemap.IsZeroDate(v)
	}
	return false
}

type quarantine struct {
	name string
	w    warehouse.Writer
	rows int64
}

func (q *quarantine) close() error {
	if q.w == nil {
		return nil
	}
	err := q.w.Close()
	q.w = nil
	return err
}

// asyncWriter encodes and writes a chunk's batches on its own goroutine,
// so decoding the next rows overlaps with Parquet encoding.
type asyncWriter struct {
	job    *importJob
	reqs   chan func() error
	done   chan error
	opened []string
	err    error
}

func newAsyncWriter(job *importJob) *asyncWriter {
	reqs := make(chan func() error, 2)
	w := &asyncWriter{job: job, reqs: reqs, done: make(chan error, 1)}
	go func() {
		var first error
		for fn := range reqs {
			if first == nil {
				first = fn()
			}
		}
		w.done <- first
	}()
	return w
}

func (w *asyncWriter) submit(ctx context.Context, fn func() error) error {
	select {
	case w.reqs <- fn:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *asyncWriter) write(ctx context.Context, s *chunkSink, p *partOut, rec arrow.RecordBatch) error {
	return w.submit(ctx, func() error {
		defer rec.Release()
		out := rec
		if s.job.piiPlan != nil {
			var err error
			out, err = s.job.piiPlan.Apply(rec)
			if err != nil {
				return fmt.Errorf("apply --pii rules: %w", err)
			}
			defer out.Release()
		}
		if p.writer == nil && s.job.hbase != nil {
			hw, err := s.job.newHBaseWriter(ctx)
			if err != nil {
				return err
			}
			p.writer, p.name = hw, "hbase:"+s.job.opts.HBase.Table.String()
			p.nulls = make([]int64, out.NumCols())
		}
		if p.writer == nil {
			name := s.job.fileName(p.key, s.chunk, p.seq, s.attempt)
			fw, err := format.NewWriter(ctx, s.job.opts.FS, name, s.job.opts.Format, s.job.outSchema, s.job.formatOptions())
			if err != nil {
				return fmt.Errorf("create %s: %w", name, err)
			}
			w.opened = append(w.opened, name)
			p.writer, p.name = fw, name
			p.nulls = make([]int64, out.NumCols())
		}
		for i := range out.NumCols() {
			p.nulls[i] += int64(out.Column(int(i)).NullN())
		}
		if err := p.writer.Write(out); err != nil {
			return fmt.Errorf("write %s: %w", p.name, err)
		}
		return nil
	})
}

func (w *asyncWriter) close(ctx context.Context, s *chunkSink, p *partOut) error {
	return w.submit(ctx, func() error {
		if p.writer == nil {
			return nil
		}
		rows := p.writer.Rows()
		if err := p.writer.Close(); err != nil {
			return fmt.Errorf("close %s: %w", p.name, err)
		}
		if s.job.hbase != nil {
			s.files = append(s.files, fileResult{Path: p.name, Rows: rows, Bytes: p.writer.Bytes(), Nulls: p.nulls, chunk: s.chunk})
			p.writer = nil
			return nil
		}
		info, err := s.job.opts.FS.Stat(ctx, p.name)
		if err != nil {
			return fmt.Errorf("stat %s: %w", p.name, err)
		}
		s.files = append(s.files, fileResult{Path: p.name, Rows: rows, Bytes: info.Size(), Nulls: p.nulls, chunk: s.chunk})
		p.writer = nil
		return nil
	})
}

// stop waits for every submitted write and returns the first error.
func (w *asyncWriter) stop() error {
	if w.reqs == nil {
		return w.err
	}
	close(w.reqs)
	w.reqs = nil
	w.err = <-w.done
	return w.err
}
