package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs/sketch"
)

// aggSpill keeps an aggregate's groups on disk when they outgrow the
// memory budget: partials, in their batch form, split into partition
// files by a hash of the group key, so every state of a group lands in
// one file and each file is merged alone.
type aggSpill struct {
	mu     sync.Mutex
	dir    string
	files  []*os.File
	ws     []*ipc.Writer
	rows   []int64
	schema *arrow.Schema
}

func newAggSpill(schema *arrow.Schema) (*aggSpill, error) {
	dir, err := os.MkdirTemp("", "hetl-spill-agg-")
	if err != nil {
		return nil, fmt.Errorf("aggregate spill: %w", err)
	}
	s := &aggSpill{dir: dir, schema: schema, rows: make([]int64, spillPartitions)}
	for i := range spillPartitions {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("g%02d.arrows", i)))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("aggregate spill: %w", err), s.remove())
		}
		s.files = append(s.files, f)
		s.ws = append(s.ws, ipc.NewWriter(f, ipc.WithSchema(schema)))
	}
	return s, nil
}

// spillPartial moves p's groups to disk and empties p.
func (ag *aggregate) spillPartial(p *partial) error {
	if len(p.groups) == 0 {
		return nil
	}
	ag.spillMu.Lock()
	if ag.spill == nil {
		s, err := newAggSpill(ag.partialSchema())
		if err != nil {
			ag.spillMu.Unlock()
			return err
		}
		ag.spill = s
	}
	ag.spillMu.Unlock()
	for _, b := range p.keyBld {
		p.keys = append(p.keys, b.NewArray())
	}
	buckets := make([][]*group, spillPartitions)
	for _, g := range p.groups {
		b := sketch.HashString(g.key) >> 59
		buckets[b] = append(buckets[b], g)
	}
	for b, groups := range buckets {
		if len(groups) == 0 {
			continue
		}
		rec, err := p.marshalGroups(groups)
		if err != nil {
			return err
		}
		err = ag.spill.write(b, rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
	// Start over with empty groups.
	p.release()
	p.groups, p.bytes = map[string]*group{}, 0
	for _, t := range ag.byTypes {
		p.keyBld = append(p.keyBld, array.NewBuilder(memory.DefaultAllocator, t))
	}
	return nil
}

func (s *aggSpill) write(b int, rec arrow.RecordBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[b] += rec.NumRows()
	if err := s.ws[b].Write(rec); err != nil {
		return fmt.Errorf("aggregate spill: %w", err)
	}
	return nil
}

func (s *aggSpill) finish() error {
	var errs []error
	for i, w := range s.ws {
		errs = append(errs, w.Close(), s.files[i].Close())
	}
	s.ws = nil
	return errors.Join(errs...)
}

// read merges partition b's partials (nil when it has none).
func (s *aggSpill) read(ag *aggregate, b int) (*partial, error) {
	if s.rows[b] == 0 {
		return nil, nil
	}
	f, err := os.Open(s.files[b].Name())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := ipc.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("aggregate spill: %w", err)
	}
	defer r.Release()
	var merged *partial
	for r.Next() {
		p, err := ag.unmarshalPartial(r.RecordBatch())
		if err != nil {
			if merged != nil {
				merged.release()
			}
			return nil, err
		}
		if merged == nil {
			merged = p
			continue
		}
		err = merged.merge(p)
		// Groups moved out of p still read its key arrays: merged keeps
		// p until it is released.
		merged.extra = append(merged.extra, p)
		if err != nil {
			merged.release()
			return nil, err
		}
	}
	if err := r.Err(); err != nil {
		if merged != nil {
			merged.release()
		}
		return nil, fmt.Errorf("aggregate spill: %w", err)
	}
	return merged, nil
}

func (s *aggSpill) remove() error {
	for _, w := range s.ws {
		w.Close()
	}
	for _, f := range s.files {
		f.Close()
	}
	return os.RemoveAll(s.dir)
}
