package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// DefaultMemoryBudget is how many bytes of rows a blocking step holds
// before it spills to disk.
const DefaultMemoryBudget = 1 << 30

// spillPartitions is how many files a spill splits rows into, by key
// hash: each is then processed alone, so a window about this many times
// the budget still fits.
const spillPartitions = 32

// spiller writes batches into partition files by a per-row hash, as
// Arrow IPC streams in a local temporary directory.
type spiller struct {
	dir    string
	schema *arrow.Schema
	files  []*os.File
	ws     []*ipc.Writer
	rows   []int64
	Bytes  int64 // written, for the run's statistics
}

func newSpiller(schema *arrow.Schema) (*spiller, error) {
	dir, err := os.MkdirTemp("", "hetl-spill-")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	s := &spiller{dir: dir, schema: schema, rows: make([]int64, spillPartitions)}
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

// add writes rec's rows to the partitions their hashes choose.
func (s *spiller) add(ctx context.Context, rec arrow.RecordBatch, hashes []uint64) error {
	idx := make([]*array.Int64Builder, spillPartitions)
	for i, h := range hashes {
		p := h >> 59 // the top 5 bits: 32 partitions
		if idx[p] == nil {
			idx[p] = array.NewInt64Builder(memory.DefaultAllocator)
		}
		idx[p].Append(int64(i))
	}
	for p, b := range idx {
		if b == nil {
			continue
		}
		take := b.NewInt64Array()
		b.Release()
		part, err := compute.TakeArray(ctx, arrayOfRecord(rec), take)
		take.Release()
		if err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		out := array.RecordFromStructArray(part.(*array.Struct), s.schema)
		part.Release()
		err = s.ws[p].Write(out)
		s.rows[p] += out.NumRows()
		out.Release()
		if err != nil {
			return fmt.Errorf("spill: %w", err)
		}
	}
	return nil
}

// arrayOfRecord views a batch as a struct array (for compute.Take).
func arrayOfRecord(rec arrow.RecordBatch) arrow.Array {
	return array.RecordToStructArray(rec)
}

// finish closes the partition files for reading.
func (s *spiller) finish() error {
	var errs []error
	for i, w := range s.ws {
		errs = append(errs, w.Close(), s.files[i].Close())
		if info, err := os.Stat(s.files[i].Name()); err == nil {
			s.Bytes += info.Size()
		}
	}
	s.ws = nil
	return errors.Join(errs...)
}

// partition reads partition p back.
func (s *spiller) partition(p int) ([]arrow.RecordBatch, error) {
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

func (s *spiller) remove() error {
	for _, w := range s.ws {
		w.Close()
	}
	for _, f := range s.files {
		f.Close()
	}
	return os.RemoveAll(s.dir)
}
