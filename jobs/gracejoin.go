package jobs

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// A dimension too large for its share of the memory budget is joined as
// a grace hash join: the dimension's rows and then the probe rows are
// split into spillPartitions local files by the hash of their join key,
// and each partition is joined alone — every row of a key lands in the
// same partition on both sides, so the result is the in-memory join's,
// in another order. Memory holds one dimension partition's hash table
// and a few probe batches; a dimension about spillPartitions times its
// share still fits (a single key with more rows than that is the one
// case that does not shrink by partitioning).

// graceJoin is the Stream of a join with a spilled dimension.
type graceJoin struct {
	jn           *join
	seed         maphash.Seed
	build, probe *spillFiles
	split        bool
	part         int
	cur          Stream            // the current partition's output
	curDim       arrow.RecordBatch // the current partition's dimension rows
}

func (g *graceJoin) Schema() *arrow.Schema { return g.jn.schema }

func (g *graceJoin) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !g.split {
		if err := g.partition(ctx); err != nil {
			return nil, err
		}
		g.split = true
	}
	for {
		if g.cur != nil {
			rec, err := g.cur.Next(ctx)
			if !errors.Is(err, io.EOF) {
				return rec, err
			}
			if err := g.endPart(); err != nil {
				return nil, err
			}
			continue
		}
		if g.part >= spillPartitions {
			return nil, io.EOF
		}
		if err := g.startPart(ctx); err != nil {
			return nil, err
		}
	}
}

// partition splits the dimension and then every probe row by key hash.
func (g *graceJoin) partition(ctx context.Context) error {
	j := g.jn
	g.seed = maphash.MakeSeed()
	var err error
	if g.build, err = newSpillFiles("hetl-join-build-", j.dim.Schema()); err != nil {
		return err
	}
	if g.probe, err = newSpillFiles("hetl-join-probe-", j.in.Schema()); err != nil {
		return err
	}
	dim, err := j.dim.spilled.stream()
	if err != nil {
		return fmt.Errorf("%s: dimension %s: %w", j.name, j.dim.Name, err)
	}
	err = g.spill(ctx, dim, g.build, j.build)
	if err = errors.Join(err, dim.Close()); err != nil {
		return fmt.Errorf("%s: dimension %s: %w", j.name, j.dim.Name, err)
	}
	if err := g.spill(ctx, j.in, g.probe, j.probe); err != nil {
		return err
	}
	return errors.Join(g.build.finish(), g.probe.finish())
}

// spill writes every row of s to the partition its key's hash chooses,
// hashing batches on every CPU.
func (g *graceJoin) spill(ctx context.Context, s Stream, to *spillFiles, keyCols []int) error {
	par := ParallelMap(s, s.Schema(), 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		hs, err := g.jn.keyHashes(rec, keyCols, g.seed)
		if err != nil {
			return nil, err
		}
		return nil, to.spillRows(context.Background(), rec, hs)
	})
	for {
		rec, err := par.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rec.Release() // never: the map yields no batches
	}
}

// keyHashes hashes each row's join key; rows with a NULL key never
// match, so any partition will do (the first).
func (j *join) keyHashes(rec arrow.RecordBatch, keyCols []int, seed maphash.Seed) ([]uint64, error) {
	hs := make([]uint64, rec.NumRows())
	if j.intKeys {
		col := rec.Column(keyCols[0])
		for i := range hs {
			if col.IsValid(i) {
				hs[i] = mix64(uint64(intValue(col, i)))
			}
		}
		return hs, nil
	}
	keys, err := newRowKeys(rec, keyCols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", j.name, err)
	}
	var key []byte
	for i := range hs {
		var null bool
		if key, null = keys.key(key[:0], i); !null {
			hs[i] = maphash.Bytes(seed, key)
		}
	}
	return hs, nil
}

// mix64 spreads an integer key's bits (splitmix64's finalizer), so the
// top bits that choose a partition depend on all of them.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// startPart indexes partition g.part of the dimension and starts probing
// it with the partition's probe rows.
func (g *graceJoin) startPart(ctx context.Context) error {
	if g.probe.rows[g.part] == 0 {
		g.part++ // no probe rows: nothing can come out
		return nil
	}
	recs, err := g.build.read(g.part)
	if err != nil {
		return err
	}
	dim, err := concatBatches(g.jn.dim.Schema(), recs)
	release(recs)
	if err != nil {
		return err
	}
	jp := *g.jn
	if err := jp.index(dim); err != nil {
		dim.Release()
		return err
	}
	probe, err := g.probe.stream(g.part)
	if err != nil {
		dim.Release()
		return err
	}
	g.curDim = dim
	g.cur = ParallelMap(probe, g.jn.in.Schema(), 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		return jp.batch(context.Background(), rec)
	})
	return nil
}

func (g *graceJoin) endPart() error {
	err := g.cur.Close()
	g.cur = nil
	g.curDim.Release()
	g.curDim = nil
	g.part++
	return err
}

func (g *graceJoin) Close() error {
	var errs []error
	if g.cur != nil {
		errs = append(errs, g.endPart())
	}
	if g.build != nil {
		errs = append(errs, g.build.remove())
	}
	if g.probe != nil {
		errs = append(errs, g.probe.remove())
	}
	return errors.Join(append(errs, g.jn.in.Close())...)
}

// dimensionFile is a spilled dimension: one local Arrow IPC stream.
type dimensionFile struct {
	schema *arrow.Schema
	f      *os.File
	w      *ipc.Writer
	rows   int64
}

func newDimensionFile(schema *arrow.Schema) (*dimensionFile, error) {
	spillsStarted.Add(1)
	f, err := os.CreateTemp("", "hetl-dimension-*.arrows")
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &dimensionFile{schema: schema, f: f, w: ipc.NewWriter(f, ipc.WithSchema(schema))}, nil
}

func (d *dimensionFile) write(rec arrow.RecordBatch) error {
	d.rows += rec.NumRows()
	if err := d.w.Write(rec); err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	return nil
}

// finish closes the file for reading.
func (d *dimensionFile) finish() error {
	err := errors.Join(d.w.Close(), d.f.Close())
	d.w = nil
	return err
}

func (d *dimensionFile) stream() (Stream, error) { return openIPCStream(d.f.Name(), d.schema) }

func (d *dimensionFile) remove() error {
	if d.w != nil {
		d.w.Close()
		d.f.Close()
	}
	return os.Remove(d.f.Name())
}

// ipcStream reads a local Arrow IPC stream file batch by batch.
type ipcStream struct {
	schema *arrow.Schema
	f      *os.File
	r      *ipc.Reader
}

func openIPCStream(name string, schema *arrow.Schema) (Stream, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	r, err := ipc.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("spill: read %s: %w", name, err)
	}
	return &ipcStream{schema: schema, f: f, r: r}, nil
}

func (s *ipcStream) Schema() *arrow.Schema { return s.schema }

func (s *ipcStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rec, err := s.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			err = fmt.Errorf("spill: read %s: %w", s.f.Name(), err)
		}
		return nil, err
	}
	rec.Retain()
	return rec, nil
}

func (s *ipcStream) Close() error {
	s.r.Release()
	return s.f.Close()
}
