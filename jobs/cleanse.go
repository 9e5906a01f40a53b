package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/util"

	"github.com/hetl/hetl/jobs/expr"
	"github.com/hetl/hetl/jobs/spec"
)

// CleanseStats count what a cleanse did.
type CleanseStats struct {
	Rejected   int64 // to the quarantine
	Duplicates int64 // dropped by dedupe
}

// cleanse normalises, validates (rejected rows to the quarantine) and
// deduplicates. Validation comes first, so a broken newest row never
// hides a good older one.
type cleanse struct {
	in     Stream
	name   string
	c      *spec.Cleanse
	q      *Quarantine
	stats  *CleanseStats
	strIdx map[int]func(string) string // per string column: its normalisation
	req    []int
	checks []*expr.Program // safe for concurrent use
	key    []int
	newest int
	cmp    orderer

	out []arrow.RecordBatch // dedupe: the survivors, then emitted
	ran bool
	par Stream // validation on every CPU, in order

	budget   int64 // bytes of rows dedupe holds before spilling
	seed     maphash.Seed
	spill    *spillFiles // nil until the budget is exceeded
	nextPart int         // the next spilled partition to deduplicate
}

// Cleanse wraps in with the rules of c; rejected rows go to q.
func Cleanse(in Stream, name string, c *spec.Cleanse, q *Quarantine, reg *expr.Registry, stats *CleanseStats) (Stream, error) {
	return cleanseWithBudget(in, name, c, q, reg, stats, DefaultMemoryBudget)
}

// cleanseWithBudget is Cleanse with dedupe's memory budget in bytes.
func cleanseWithBudget(in Stream, name string, c *spec.Cleanse, q *Quarantine, reg *expr.Registry, stats *CleanseStats, budget int64) (Stream, error) {
	s := in.Schema()
	cl := &cleanse{in: in, name: name, c: c, q: q, stats: stats, strIdx: map[int]func(string) string{}, budget: budget}
	col := func(what, n string) (int, error) {
		j := fieldIndexFold(s, n)
		if j < 0 {
			return -1, fmt.Errorf("%s: %s: no column %q (columns: %s)", name, what, n, fieldNames(s))
		}
		return j, nil
	}
	addNorm := func(what string, cols []string, fn func(string) string) error {
		for _, n := range cols {
			j, err := col(what, n)
			if err != nil {
				return err
			}
			if s.Field(j).Type.ID() != arrow.STRING {
				return fmt.Errorf("%s: %s: column %s is %s, not a string", name, what, n, s.Field(j).Type)
			}
			if prev := cl.strIdx[j]; prev != nil {
				cl.strIdx[j] = func(v string) string { return fn(prev(v)) }
			} else {
				cl.strIdx[j] = fn
			}
		}
		return nil
	}
	// Trim first, then case.
	if err := errors.Join(addNorm("trim", c.Trim, strings.TrimSpace), addNorm("lower", c.Lower, strings.ToLower), addNorm("upper", c.Upper, strings.ToUpper)); err != nil {
		return nil, err
	}
	for _, n := range c.Required {
		j, err := col("required", n)
		if err != nil {
			return nil, err
		}
		cl.req = append(cl.req, j)
	}
	for _, ch := range c.Checks {
		p, err := expr.CompileString(ch.Expr, s, reg)
		if err != nil {
			return nil, fmt.Errorf("%s: check %q: %w", name, ch.Expr, err)
		}
		if p.Type().ID() != arrow.BOOL {
			return nil, fmt.Errorf("%s: check %q is %s, want a boolean", name, ch.Expr, p.Type())
		}
		cl.checks = append(cl.checks, p)
	}
	if d := c.Dedupe; d != nil {
		for _, n := range d.Key {
			j, err := col("dedupe.key", n)
			if err != nil {
				return nil, err
			}
			cl.key = append(cl.key, j)
		}
		j, err := col("dedupe.keep_newest", d.KeepNewest)
		if err != nil {
			return nil, err
		}
		if cl.cmp, err = newOrderer(s.Field(j).Type); err != nil {
			return nil, fmt.Errorf("%s: dedupe.keep_newest %s: %w", name, d.KeepNewest, err)
		}
		cl.newest = j
	}
	return cl, nil
}

func (c *cleanse) Schema() *arrow.Schema { return c.in.Schema() }

func (c *cleanse) Close() error {
	release(c.out)
	c.out = nil
	if c.spill != nil {
		c.spill.remove()
	}
	if c.par != nil {
		return c.par.Close() // closes c.in
	}
	return c.in.Close()
}

func (c *cleanse) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if c.c.Dedupe == nil {
		if c.par == nil {
			c.par = ParallelMap(c.in, c.in.Schema(), 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
				return c.batch(context.Background(), rec)
			})
		}
		return c.par.Next(ctx)
	}
	if !c.ran {
		c.ran = true
		if err := c.dedupe(ctx); err != nil {
			return nil, err
		}
	}
	if len(c.out) == 0 && c.spill != nil {
		if _, err := c.nextSpilled(ctx); err != nil {
			return nil, err
		}
	}
	if len(c.out) == 0 {
		return nil, io.EOF
	}
	r := c.out[0]
	c.out = c.out[1:]
	return r, nil
}

// batch normalises and validates one batch; nil when no row is left.
func (c *cleanse) batch(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	out, valid, err := c.validate(rec)
	if err != nil || out == nil || valid == nil {
		return out, err
	}
	defer out.Release()
	return filterRows(ctx, out, func(i int) bool { return valid[i] })
}

// validate normalises and validates one batch, quarantining the rows
// that fail: the normalised batch (nil when no row passed) and which of
// its rows passed (nil when all did).
func (c *cleanse) validate(rec arrow.RecordBatch) (out arrow.RecordBatch, valid []bool, err error) {
	rec, err = c.normalise(rec)
	if err != nil {
		return nil, nil, err
	}
	defer rec.Release()
	n := int(rec.NumRows())
	reasons := make([]string, n)
	for _, j := range c.req {
		a := rec.Column(j)
		str, _ := a.(*array.String)
		for i := range n {
			if reasons[i] != "" {
				continue
			}
			if a.IsNull(i) {
				reasons[i] = "required column " + rec.ColumnName(j) + " is NULL"
			} else if str != nil && str.Value(i) == "" {
				reasons[i] = "required column " + rec.ColumnName(j) + " is empty"
			}
		}
	}
	for k, p := range c.checks {
		v, err := p.Eval(rec, memory.DefaultAllocator)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: check %q: %w", c.name, c.c.Checks[k].Expr, err)
		}
		b := v.(*array.Boolean)
		for i := range n {
			if reasons[i] == "" && (b.IsNull(i) || !b.Value(i)) {
				reasons[i] = c.c.Checks[k].Reason
			}
		}
		v.Release()
	}
	var bad []int
	for i, r := range reasons {
		if r != "" {
			bad = append(bad, i)
		}
	}
	if len(bad) == 0 {
		rec.Retain()
		return rec, nil, nil
	}
	if err := c.q.add(c.name, rec, bad, func(i int) string { return reasons[i] }); err != nil {
		return nil, nil, err
	}
	atomic.AddInt64(&c.stats.Rejected, int64(len(bad)))
	if len(bad) == n {
		return nil, nil, nil
	}
	valid = make([]bool, n)
	for i, r := range reasons {
		valid[i] = r == ""
	}
	rec.Retain()
	return rec, valid, nil
}

// normalise applies trim/lower/upper; it returns a new reference.
func (c *cleanse) normalise(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(c.strIdx) == 0 {
		rec.Retain()
		return rec, nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	var made []arrow.Array
	for j := range cols {
		fn := c.strIdx[j]
		if fn == nil {
			cols[j] = rec.Column(j)
			continue
		}
		src := rec.Column(j).(*array.String)
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.Reserve(src.Len())
		for i := range src.Len() {
			if src.IsNull(i) {
				b.AppendNull()
			} else {
				b.Append(fn(src.Value(i)))
			}
		}
		a := b.NewArray()
		b.Release()
		made = append(made, a)
		cols[j] = a
	}
	out := array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	for _, a := range made {
		a.Release()
	}
	return out, nil
}

// dedupe reads everything and keeps the newest row per key. Batches are
// validated and their keys hashed on every CPU. Up to the memory budget
// the survivors are chosen in memory and come out in read order; past
// it, rows are spilled to disk in partitions by key hash, and each
// partition is deduplicated alone (every row of a key is in one
// partition), one at a time, as Next asks for rows.
func (c *cleanse) dedupe(ctx context.Context) error {
	// Rows that failed validation stay in their batch, marked, until the
	// survivors are taken out: one copy of the batch instead of two.
	type marked struct {
		hashes []uint64
		valid  []bool // nil: every row passed
	}
	var (
		mu    sync.Mutex
		marks = map[arrow.RecordBatch]marked{}
	)
	c.seed = maphash.MakeSeed()
	par := ParallelMap(c.in, c.in.Schema(), 0, func(rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		out, valid, err := c.validate(rec)
		if err != nil || out == nil {
			return out, err
		}
		hs, err := c.hashKeys(out)
		if err != nil {
			out.Release()
			return nil, err
		}
		mu.Lock()
		marks[out] = marked{hs, valid}
		mu.Unlock()
		return out, nil
	})
	c.par = par // Close closes it, and c.in with it
	var kept []arrow.RecordBatch
	var keptMarks []marked
	var held int64
	// spill writes a batch's valid rows to the spill files.
	spill := func(rec arrow.RecordBatch, m marked) error {
		if m.valid != nil {
			var err error
			if rec, err = filterRows(ctx, rec, func(i int) bool { return m.valid[i] }); err != nil {
				return err
			}
			defer rec.Release()
			hs := make([]uint64, 0, rec.NumRows())
			for i, h := range m.hashes {
				if m.valid[i] {
					hs = append(hs, h)
				}
			}
			m.hashes = hs
		}
		return c.spill.spillRows(ctx, rec, m.hashes)
	}
	for {
		rec, err := par.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			release(kept)
			return err
		}
		mu.Lock()
		m := marks[rec]
		delete(marks, rec)
		mu.Unlock()
		if c.spill != nil {
			err := spill(rec, m)
			rec.Release()
			if err != nil {
				return err
			}
			continue
		}
		kept, keptMarks = append(kept, rec), append(keptMarks, m)
		held += util.TotalRecordSize(rec)
		if c.budget > 0 && held > c.budget {
			if c.spill, err = newSpillFiles("hetl-spill-", rec.Schema()); err != nil {
				release(kept)
				return err
			}
			for k, r := range kept {
				if err := spill(r, keptMarks[k]); err != nil {
					release(kept[k:])
					return err
				}
				r.Release()
			}
			kept, keptMarks = nil, nil
		}
	}
	if c.spill != nil {
		return c.spill.finish()
	}
	hashes, valid := make([][]uint64, len(kept)), make([][]bool, len(kept))
	for k, m := range keptMarks {
		hashes[k], valid[k] = m.hashes, m.valid
	}
	var err error
	c.out, err = c.choose(ctx, kept, hashes, valid)
	return err
}

// hashKeys is the 64-bit hash of each row's dedupe key.
func (c *cleanse) hashKeys(rec arrow.RecordBatch) ([]uint64, error) {
	keys, err := newRowKeys(rec, c.key)
	if err != nil {
		return nil, fmt.Errorf("%s: dedupe: %w", c.name, err)
	}
	hs := make([]uint64, rec.NumRows())
	var key []byte
	for i := range hs {
		key, _ = keys.key(key[:0], i)
		hs[i] = maphash.Bytes(c.seed, key)
	}
	return hs, nil
}

// nextSpilled deduplicates the next spilled partition into c.out; false
// when none is left.
func (c *cleanse) nextSpilled(ctx context.Context) (bool, error) {
	for c.nextPart < spillPartitions {
		p := c.nextPart
		c.nextPart++
		recs, err := c.spill.read(p)
		if err != nil {
			return false, err
		}
		hs := make([][]uint64, len(recs))
		for k, r := range recs {
			if hs[k], err = c.hashKeys(r); err != nil {
				release(recs)
				return false, err
			}
		}
		if c.out, err = c.choose(ctx, recs, hs, nil); err != nil {
			return false, err
		}
		if len(c.out) > 0 {
			return true, nil
		}
	}
	return false, c.spill.remove()
}

// choose keeps the newest row of each key among kept (taking their
// references) and returns the survivors in read order. It runs on the
// 64-bit hashes; equal hashes are checked against the full keys, so a
// collision never merges two keys. Rows valid marks false (valid[b] nil:
// all true) take no part and never survive.
func (c *cleanse) choose(ctx context.Context, kept []arrow.RecordBatch, hashes [][]uint64, valid [][]bool) ([]arrow.RecordBatch, error) {
	if valid == nil {
		valid = make([][]bool, len(kept))
	}
	// winners[b][i]: row i of batch b survives. Keys are split among
	// workers by hash, each walking every batch in read order, so a key's
	// survivor is the one a single pass would choose.
	winners := make([][]bool, len(kept))
	for b, rec := range kept {
		winners[b] = make([]bool, rec.NumRows())
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = c.chooseShare(kept, hashes, valid, winners, uint64(w), uint64(workers))
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		release(kept)
		return nil, err
	}
	var out []arrow.RecordBatch
	for b, rec := range kept {
		n := 0
		for _, w := range winners[b] {
			if w {
				n++
			}
		}
		candidates := rec.NumRows()
		for _, v := range valid[b] {
			if !v {
				candidates--
			}
		}
		c.stats.Duplicates += candidates - int64(n)
		if int64(n) == rec.NumRows() {
			out = append(out, rec)
			continue
		}
		if n > 0 {
			f, err := filterRows(ctx, rec, func(i int) bool { return winners[b][i] })
			if err != nil {
				release(kept[b:])
				release(out)
				return nil, err
			}
			out = append(out, f)
		}
		rec.Release()
	}
	return out, nil
}

// chooseShare marks the survivors of the keys whose hash is share modulo
// shares. Equal hashes are checked against the full keys.
func (c *cleanse) chooseShare(kept []arrow.RecordBatch, hashes [][]uint64, valid, winners [][]bool, share, shares uint64) error {
	type pick struct{ batch, row int }
	n := 0
	for _, hs := range hashes {
		n += len(hs)
	}
	best := make(map[uint64]pick, n/int(shares)+1)
	var collided map[string]pick // keys whose hash another key has
	keys := make([]*rowKeys, len(kept))
	var ka, kb []byte
	keyOf := func(p pick, buf []byte) ([]byte, error) {
		if keys[p.batch] == nil {
			var err error
			if keys[p.batch], err = newRowKeys(kept[p.batch], c.key); err != nil {
				return nil, err
			}
		}
		k, _ := keys[p.batch].key(buf[:0], p.row)
		return k, nil
	}
	for b, rec := range kept {
		for i, h := range hashes[b] {
			if h%shares != share || (valid[b] != nil && !valid[b][i]) {
				continue
			}
			cur := pick{b, i}
			prev, ok := best[h]
			if !ok {
				best[h] = cur
				continue
			}
			var err error
			if ka, err = keyOf(cur, ka); err != nil {
				return err
			}
			if kb, err = keyOf(prev, kb); err != nil {
				return err
			}
			if !bytes.Equal(ka, kb) {
				if collided == nil {
					collided = map[string]pick{}
				}
				if p2, ok := collided[string(ka)]; !ok || c.cmp(rec.Column(c.newest), i, kept[p2.batch].Column(c.newest), p2.row) > 0 {
					collided[string(ka)] = cur
				}
				continue
			}
			if c.cmp(rec.Column(c.newest), i, kept[prev.batch].Column(c.newest), prev.row) > 0 {
				best[h] = cur
			}
		}
	}
	for _, p := range best {
		winners[p.batch][p.row] = true
	}
	for _, p := range collided {
		winners[p.batch][p.row] = true
	}
	return nil
}

// filterRows keeps the rows where keep is true (a new batch).
func filterRows(ctx context.Context, rec arrow.RecordBatch, keep func(int) bool) (arrow.RecordBatch, error) {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	for i := range int(rec.NumRows()) {
		b.Append(keep(i))
	}
	mask := b.NewBooleanArray()
	defer mask.Release()
	return compute.FilterRecordBatch(ctx, rec, mask, compute.DefaultFilterOptions())
}

// orderer compares a[i] with b[j]: -1, 0, 1; NULL is smallest.
type orderer func(a arrow.Array, i int, b arrow.Array, j int) int

func newOrderer(t arrow.DataType) (orderer, error) {
	nulls := func(a arrow.Array, i int, b arrow.Array, j int) (int, bool) {
		switch an, bn := a.IsNull(i), b.IsNull(j); {
		case an && bn:
			return 0, true
		case an:
			return -1, true
		case bn:
			return 1, true
		}
		return 0, false
	}
	cmp3 := func(less, greater bool) int {
		switch {
		case less:
			return -1
		case greater:
			return 1
		}
		return 0
	}
	var f orderer
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.TIMESTAMP, arrow.DATE32:
		f = func(a arrow.Array, i int, b arrow.Array, j int) int {
			x, y := intValue(a, i), intValue(b, j)
			return cmp3(x < y, x > y)
		}
	case arrow.UINT64:
		f = func(a arrow.Array, i int, b arrow.Array, j int) int {
			x, y := a.(*array.Uint64).Value(i), b.(*array.Uint64).Value(j)
			return cmp3(x < y, x > y)
		}
	case arrow.FLOAT32, arrow.FLOAT64:
		f = func(a arrow.Array, i int, b arrow.Array, j int) int {
			x, y := floatValue(a, i), floatValue(b, j)
			return cmp3(x < y, x > y)
		}
	case arrow.STRING:
		f = func(a arrow.Array, i int, b arrow.Array, j int) int {
			return strings.Compare(a.(*array.String).Value(i), b.(*array.String).Value(j))
		}
	case arrow.DECIMAL128:
		f = func(a arrow.Array, i int, b arrow.Array, j int) int {
			return a.(*array.Decimal128).Value(i).Cmp(b.(*array.Decimal128).Value(j))
		}
	default:
		return nil, fmt.Errorf("cannot order %s", t)
	}
	return func(a arrow.Array, i int, b arrow.Array, j int) int {
		if r, done := nulls(a, i, b, j); done {
			return r
		}
		return f(a, i, b, j)
	}, nil
}

// intValue reads an integer-like value (timestamps and dates too).
func intValue(a arrow.Array, i int) int64 {
	switch v := a.(type) {
	case *array.Int8:
		return int64(v.Value(i))
	case *array.Int16:
		return int64(v.Value(i))
	case *array.Int32:
		return int64(v.Value(i))
	case *array.Int64:
		return v.Value(i)
	case *array.Uint8:
		return int64(v.Value(i))
	case *array.Uint16:
		return int64(v.Value(i))
	case *array.Uint32:
		return int64(v.Value(i))
	case *array.Timestamp:
		return int64(v.Value(i))
	case *array.Date32:
		return int64(v.Value(i))
	}
	panic(fmt.Sprintf("intValue of %s", a.DataType()))
}

func floatValue(a arrow.Array, i int) float64 {
	if v, ok := a.(*array.Float32); ok {
		return float64(v.Value(i))
	}
	return a.(*array.Float64).Value(i)
}
