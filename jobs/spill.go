package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// DefaultMemoryBudget is how many bytes of rows (or of group state) a
// blocking step holds before it spills to disk.
const DefaultMemoryBudget = 1 << 30

// spillPartitions is how many files a spill splits its data into, by key
// hash: each is then processed alone, so a window about this many times
// the budget still fits.
const spillPartitions = 32

// spillPartition is the partition of a 64-bit key hash: its top 5 bits.
func spillPartition(h uint64) int { return int(h >> 59) }

// spillFiles are a spill's partition files: Arrow IPC streams of one
// schema in a local temporary directory, removed by remove.
type spillFiles struct {
	mu     sync.Mutex
	schema *arrow.Schema
	dir    string
	files  []*os.File
	ws     []*ipc.Writer
	rows   []int64
}

// spillsStarted counts spills begun in this process (tests check that a
// small budget really spills).
var spillsStarted atomic.Int64

func newSpillFiles(prefix string, schema *arrow.Schema) (*spillFiles, error) {
	spillsStarted.Add(1)
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	s := &spillFiles{schema: schema, dir: dir, rows: make([]int64, spillPartitions)}
	for i := range spillPartitions {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("p%02d.arrows", i)))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("spill: %w", err), s.remove())
		}
		s.files = append(s.files, f)
		s.ws = append(s.ws, ipc.NewWriter(f, ipc.WithSchema(schema)))
	}
	return s, nil
}

// write appends a batch to partition p (safe for concurrent use).
func (s *spillFiles) write(p int, rec arrow.RecordBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[p] += rec.NumRows()
	if err := s.ws[p].Write(rec); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	return nil
}

// finish closes the files for reading.
func (s *spillFiles) finish() error {
	var errs []error
	for i, w := range s.ws {
		errs = append(errs, w.Close(), s.files[i].Close())
	}
	s.ws = nil
	return errors.Join(errs...)
}

// read returns partition p's batches (none when it is empty).
func (s *spillFiles) read(p int) ([]arrow.RecordBatch, error) {
	if s.rows[p] == 0 {
		return nil, nil
	}
	f, err := os.Open(s.files[p].Name())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("spill: read partition %d: %w", p, err)
	}
	defer r.Release()
	var out []arrow.RecordBatch
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			release(out)
			return nil, fmt.Errorf("spill: read partition %d: %w", p, err)
		}
		rec.Retain()
		out = append(out, rec)
	}
}

// stream reads partition p batch by batch (after finish).
func (s *spillFiles) stream(p int) (Stream, error) {
	if s.rows[p] == 0 {
		return FromBatches(s.schema), nil
	}
	return openIPCStream(s.files[p].Name(), s.schema)
}

func (s *spillFiles) remove() error {
	for _, w := range s.ws {
		w.Close()
	}
	for _, f := range s.files {
		f.Close()
	}
	return os.RemoveAll(s.dir)
}

// spillRows writes rec's rows to the partitions their hashes choose.
func (s *spillFiles) spillRows(ctx context.Context, rec arrow.RecordBatch, hashes []uint64) error {
	part := make([]uint64, len(hashes))
	for i, h := range hashes {
		part[i] = uint64(spillPartition(h))
	}
	return partitionRows(ctx, rec, part, spillPartitions, s.write)
}
