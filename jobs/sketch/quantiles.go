package sketch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// DefaultMaxBins bounds a Quantiles' memory; past it the lowest bins of
// each sign are merged, which only coarsens the smallest magnitudes.
const DefaultMaxBins = 2048

const quantilesVersion = 1

// Quantiles is a DDSketch: values fall into logarithmic bins whose width
// is a fixed fraction of their magnitude, so every quantile is known to
// a relative accuracy alpha whatever the distribution.
type Quantiles struct {
	alpha    float64
	gamma    float64
	logGamma float64
	pos, neg map[int32]uint64 // bin index → count, by sign
	zeros    uint64
	count    uint64
	min, max float64
}

// NewQuantiles is an empty sketch of relative accuracy alpha in (0, 1).
func NewQuantiles(alpha float64) (*Quantiles, error) {
	if !(alpha > 0 && alpha < 1) {
		return nil, fmt.Errorf("quantiles: relative accuracy %v: want 0 < alpha < 1", alpha)
	}
	g := (1 + alpha) / (1 - alpha)
	return &Quantiles{alpha: alpha, gamma: g, logGamma: math.Log(g), pos: map[int32]uint64{}, neg: map[int32]uint64{},
		min: math.Inf(1), max: math.Inf(-1)}, nil
}

// minIndexable: smaller magnitudes count as zero (they would need bins
// below int32's range).
const minIndexable = 1e-300

func (q *Quantiles) index(v float64) int32 { return int32(math.Ceil(math.Log(v) / q.logGamma)) }

// value is the bin's representative: 2γ^i/(γ+1), within alpha of every
// value in (γ^(i-1), γ^i].
func (q *Quantiles) value(i int32) float64 {
	return 2 * math.Exp(float64(i)*q.logGamma) / (q.gamma + 1)
}

// Add adds a value; NaN and ±Inf are refused.
func (q *Quantiles) Add(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("quantiles: cannot add %v", v)
	}
	switch {
	case v > minIndexable:
		q.pos[q.index(v)]++
	case v < -minIndexable:
		q.neg[q.index(-v)]++
	default:
		q.zeros++
	}
	q.count++
	q.min, q.max = math.Min(q.min, v), math.Max(q.max, v)
	q.collapse()
	return nil
}

// collapse merges the lowest bins of the larger store while there are
// too many.
func (q *Quantiles) collapse() {
	for len(q.pos)+len(q.neg) > DefaultMaxBins {
		store := q.pos
		if len(q.neg) > len(q.pos) {
			store = q.neg
		}
		lo, next := int32(math.MaxInt32), int32(math.MaxInt32)
		for k := range store {
			if k < lo {
				lo, next = k, lo
			} else if k < next {
				next = k
			}
		}
		store[next] += store[lo]
		delete(store, lo)
	}
}

func sortedKeys(m map[int32]uint64) []int32 {
	keys := make([]int32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	return keys
}

// Merge adds o's values to q.
func (q *Quantiles) Merge(o *Quantiles) error {
	if o.alpha != q.alpha {
		return fmt.Errorf("quantiles: cannot merge accuracy %v into %v", o.alpha, q.alpha)
	}
	for k, c := range o.pos {
		q.pos[k] += c
	}
	for k, c := range o.neg {
		q.neg[k] += c
	}
	q.zeros += o.zeros
	q.count += o.count
	q.min, q.max = math.Min(q.min, o.min), math.Max(q.max, o.max)
	q.collapse()
	return nil
}

// Count is the number of values added; Min and Max are exact.
func (q *Quantiles) Count() uint64 { return q.count }
func (q *Quantiles) Min() float64  { return q.min }
func (q *Quantiles) Max() float64  { return q.max }

// Quantile is the approximate value of rank floor(p × (n − 1)); false
// when the sketch is empty. The extremes are exact.
func (q *Quantiles) Quantile(p float64) (float64, bool) {
	if q.count == 0 || p < 0 || p > 1 || math.IsNaN(p) {
		return 0, false
	}
	rank := uint64(p * float64(q.count-1))
	if rank == 0 {
		return q.min, true
	}
	if rank == q.count-1 {
		return q.max, true
	}
	var seen uint64
	// Negative values, most negative (highest magnitude bin) first.
	nk := sortedKeys(q.neg)
	for i := len(nk) - 1; i >= 0; i-- {
		seen += q.neg[nk[i]]
		if seen > rank {
			return q.clamp(-q.value(nk[i])), true
		}
	}
	seen += q.zeros
	if seen > rank {
		return 0, true
	}
	for _, k := range sortedKeys(q.pos) {
		seen += q.pos[k]
		if seen > rank {
			return q.clamp(q.value(k)), true
		}
	}
	return q.max, true
}

func (q *Quantiles) clamp(v float64) float64 { return math.Max(q.min, math.Min(q.max, v)) }

// MarshalBinary: version, alpha, count, zeros, min, max, then both
// stores as (count of bins, then index and count per bin, ascending).
func (q *Quantiles) MarshalBinary() ([]byte, error) {
	b := []byte{quantilesVersion}
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.alpha))
	b = binary.AppendUvarint(b, q.count)
	b = binary.AppendUvarint(b, q.zeros)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.min))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.max))
	for _, store := range []map[int32]uint64{q.neg, q.pos} {
		keys := sortedKeys(store)
		b = binary.AppendUvarint(b, uint64(len(keys)))
		for _, k := range keys {
			b = binary.AppendVarint(b, int64(k))
			b = binary.AppendUvarint(b, store[k])
		}
	}
	return b, nil
}

var errCorrupt = errors.New("quantiles: corrupt or truncated sketch")

// UnmarshalBinary reads what MarshalBinary wrote.
func (q *Quantiles) UnmarshalBinary(b []byte) error {
	if len(b) < 1+8 || b[0] != quantilesVersion {
		return fmt.Errorf("quantiles: not a version %d sketch", quantilesVersion)
	}
	alpha := math.Float64frombits(binary.BigEndian.Uint64(b[1:9]))
	fresh, err := NewQuantiles(alpha)
	if err != nil {
		return err
	}
	b = b[9:]
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	var ok1, ok2 bool
	if fresh.count, ok1 = uv(); !ok1 {
		return errCorrupt
	}
	if fresh.zeros, ok2 = uv(); !ok2 || len(b) < 16 {
		return errCorrupt
	}
	fresh.min = math.Float64frombits(binary.BigEndian.Uint64(b[:8]))
	fresh.max = math.Float64frombits(binary.BigEndian.Uint64(b[8:16]))
	b = b[16:]
	total := fresh.zeros
	for _, store := range []map[int32]uint64{fresh.neg, fresh.pos} {
		n, ok := uv()
		if !ok || n > DefaultMaxBins {
			return errCorrupt
		}
		for range n {
			k, m := binary.Varint(b)
			if m <= 0 || k < math.MinInt32 || k > math.MaxInt32 {
				return errCorrupt
			}
			b = b[m:]
			c, ok := uv()
			if !ok {
				return errCorrupt
			}
			store[int32(k)] += c
			total += c
		}
	}
	if len(b) != 0 || total != fresh.count {
		return errCorrupt
	}
	*q = *fresh
	return nil
}
