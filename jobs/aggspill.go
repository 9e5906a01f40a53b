package jobs

import (
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/hetl/hetl/jobs/sketch"
)

// An aggregate's groups go to disk when they outgrow the memory budget:
// partials, in their batch form, split into spill partitions by a hash
// of the group key, so every state of a group lands in one partition and
// each partition is merged alone.

// spillPartial moves p's groups to disk and empties p.
func (ag *aggregate) spillPartial(p *partial) error {
	if len(p.groups) == 0 {
		return nil
	}
	ag.spillMu.Lock()
	if ag.spill == nil {
		s, err := newSpillFiles("hetl-spill-agg-", ag.partialSchema())
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
		b := spillPartition(sketch.HashString(g.key))
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

// readSpilled merges spill partition b's partials (nil when it has
// none).
func (ag *aggregate) readSpilled(b int) (*partial, error) {
	recs, err := ag.spill.read(b)
	if err != nil {
		return nil, err
	}
	defer release(recs)
	var merged *partial
	for _, rec := range recs {
		p, err := ag.unmarshalPartial(rec)
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
	return merged, nil
}

// absorb merges partial p into acc (nil: p becomes acc), and spills acc
// when it outgrows the budget: merging partials read one at a time
// holds about the budget, however many there are.
func (ag *aggregate) absorb(acc, p *partial) (*partial, error) {
	if acc == nil {
		acc = p
	} else {
		err := acc.merge(p)
		// Groups moved out of p still read its key arrays.
		acc.extra = append(acc.extra, p)
		acc.bytes += p.bytes
		if err != nil {
			return acc, err
		}
	}
	if ag.budget > 0 && acc.bytes > ag.budget {
		return acc, ag.spillPartial(acc)
	}
	return acc, nil
}

// results is the aggregate's output for the groups of acc (nil: none)
// and of the spill, if any: one batch, or one per spill partition.
func (ag *aggregate) results(acc *partial) ([]arrow.RecordBatch, error) {
	if ag.spill == nil {
		if acc == nil {
			return nil, nil
		}
		rec, err := ag.result(acc)
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []arrow.RecordBatch{rec}, nil
	}
	defer ag.spill.remove()
	if acc != nil {
		if err := ag.spillPartial(acc); err != nil {
			return nil, err
		}
	}
	if err := ag.spill.finish(); err != nil {
		return nil, err
	}
	var out []arrow.RecordBatch
	for b := range spillPartitions {
		merged, err := ag.readSpilled(b)
		if err != nil {
			release(out)
			return nil, err
		}
		if merged == nil {
			continue
		}
		rec, err := ag.result(merged)
		merged.release()
		if errors.Is(err, io.EOF) {
			continue
		}
		if err != nil {
			release(out)
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}
