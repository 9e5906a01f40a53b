package jobs

import (
	"context"
	"errors"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

// Stream yields record batches of one schema. Next returns io.EOF after
// the last batch; the caller releases every batch it gets. Close
// releases what the stream holds and closes the streams it reads.
type Stream interface {
	Schema() *arrow.Schema
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}

// sliceStream yields batches held in memory.
type sliceStream struct {
	schema *arrow.Schema
	recs   []arrow.RecordBatch
}

// FromBatches is a stream of recs (it takes their references).
func FromBatches(schema *arrow.Schema, recs ...arrow.RecordBatch) Stream {
	return &sliceStream{schema: schema, recs: append([]arrow.RecordBatch(nil), recs...)}
}

func (s *sliceStream) Schema() *arrow.Schema { return s.schema }

func (s *sliceStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.recs) == 0 {
		return nil, io.EOF
	}
	r := s.recs[0]
	s.recs[0] = nil
	s.recs = s.recs[1:]
	return r, nil
}

func (s *sliceStream) Close() error {
	for _, r := range s.recs {
		r.Release()
	}
	s.recs = nil
	return nil
}

// mapStream applies fn to every batch of in.
type mapStream struct {
	in     Stream
	schema *arrow.Schema
	fn     func(arrow.RecordBatch) (arrow.RecordBatch, error)
}

// Map is a stream of fn applied to each batch of in; fn returns a new
// batch (in's is released after it) or nil to skip the batch.
func Map(in Stream, schema *arrow.Schema, fn func(arrow.RecordBatch) (arrow.RecordBatch, error)) Stream {
	return &mapStream{in: in, schema: schema, fn: fn}
}

func (m *mapStream) Schema() *arrow.Schema { return m.schema }

func (m *mapStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		rec, err := m.in.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := m.fn(rec)
		rec.Release()
		if err != nil {
			return nil, err
		}
		if out != nil && out.NumRows() > 0 {
			return out, nil
		}
		if out != nil {
			out.Release()
		}
	}
}

func (m *mapStream) Close() error { return m.in.Close() }

// Drain reads a stream to its end and returns its batches.
func Drain(ctx context.Context, s Stream) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	for {
		rec, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			release(out)
			return nil, err
		}
		out = append(out, rec)
	}
}

func release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}
