package jobs

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// parallelMap is Map with fn run on several batches at once; batches
// come out in the order they went in, so results never depend on the
// number of workers. fn must be safe for concurrent use.
type parallelMap struct {
	in      Stream
	schema  *arrow.Schema
	fn      func(arrow.RecordBatch) (arrow.RecordBatch, error)
	workers int

	once    sync.Once
	cancel  context.CancelFunc
	results chan chan result // in input order; each carries one batch's result
	wg      sync.WaitGroup
}

type result struct {
	rec arrow.RecordBatch
	err error
}

// ParallelMap applies fn to in's batches on up to workers goroutines
// (0: one per CPU).
func ParallelMap(in Stream, schema *arrow.Schema, workers int, fn func(arrow.RecordBatch) (arrow.RecordBatch, error)) Stream {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 {
		return Map(in, schema, fn)
	}
	return &parallelMap{in: in, schema: schema, fn: fn, workers: workers}
}

func (p *parallelMap) Schema() *arrow.Schema { return p.schema }

func (p *parallelMap) start(ctx context.Context) {
	ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	// The channel's capacity bounds the batches in flight.
	p.results = make(chan chan result, p.workers*2)
	sem := make(chan struct{}, p.workers)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(p.results)
		for {
			rec, err := p.in.Next(ctx)
			slot := make(chan result, 1)
			if err != nil {
				slot <- result{err: err}
				select {
				case p.results <- slot:
				case <-ctx.Done():
				}
				return
			}
			select {
			case p.results <- slot:
			case <-ctx.Done():
				rec.Release()
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				rec.Release()
				slot <- result{err: ctx.Err()}
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer func() { <-sem }()
				out, err := p.fn(rec)
				rec.Release()
				slot <- result{out, err}
			}()
		}
	}()
}

func (p *parallelMap) Next(ctx context.Context) (arrow.RecordBatch, error) {
	p.once.Do(func() { p.start(ctx) })
	for {
		var slot chan result
		var ok bool
		select {
		case slot, ok = <-p.results:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if !ok {
			return nil, io.EOF
		}
		var r result
		select {
		case r = <-slot:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.err != nil {
			return nil, r.err
		}
		if r.rec != nil && r.rec.NumRows() > 0 {
			return r.rec, nil
		}
		if r.rec != nil {
			r.rec.Release()
		}
	}
}

func (p *parallelMap) Close() error {
	if p.cancel != nil {
		p.cancel()
		// Drain what is in flight, releasing it.
		go func() {
			for slot := range p.results {
				if r := <-slot; r.rec != nil {
					r.rec.Release()
				}
			}
		}()
		p.wg.Wait()
	}
	return p.in.Close()
}
