package sketch

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

const (
	// DefaultAlpha is the relative accuracy hetl uses for percentiles.
	DefaultAlpha = 0.01
	// DefaultMaxBins bounds a Quantiles' memory (about 24 KiB of bins).
	DefaultMaxBins = 2048
	// maxMaxBins caps the bin limit so a decoded sketch cannot ask for
	// unbounded memory.
	maxMaxBins = 1 << 20
)

// Quantiles is a DDSketch (Masson, Rim, Lee, "DDSketch: A Fast and
// Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB
// 2019): values are counted in bins whose width is a fixed fraction of
// their magnitude, so every quantile is known to a relative accuracy
// alpha whatever the distribution. Negative values are binned by their
// magnitude, zero has a bin of its own. Count, Min, Max and Sum are
// exact. A Quantiles is not safe for concurrent use; make one with
// NewQuantiles.
type Quantiles struct {
	alpha   float64
	w, invW float64 // bin width along the approximate log2 (mapping.go)
	maxBins int

	keys   []int32  // ascending keys of the non-empty bins (see key)
	counts []uint64 // counts[i]: values in bin keys[i]
	hint   int      // position of the last bin added to: values repeat

	// dense counts values of keys [base, base+len(dense)) not yet in
	// keys/counts: an add is one increment where a search of the sorted
	// bins cost a mispredicted branch per step. Spans at most denseMax
	// keys; flush folds it into the sorted bins before they are read.
	dense []uint64
	base  int32

	count    uint64
	min, max float64
	sum      exactSum
}

// NewQuantiles is an empty sketch of relative accuracy alpha, which
// must be in [MinAlpha, 1), with at most DefaultMaxBins bins.
func NewQuantiles(alpha float64) (*Quantiles, error) {
	return NewQuantilesMaxBins(alpha, DefaultMaxBins)
}

// NewQuantilesMaxBins is NewQuantiles with a bin limit in [1, 2^20].
// Only sketches with equal alpha and bin limit merge.
func NewQuantilesMaxBins(alpha float64, maxBins int) (*Quantiles, error) {
	if !(alpha >= MinAlpha && alpha < 1) {
		return nil, fmt.Errorf("quantiles: relative accuracy %v: want %v <= alpha < 1", alpha, MinAlpha)
	}
	if maxBins < 1 || maxBins > maxMaxBins {
		return nil, fmt.Errorf("quantiles: bin limit %d: want 1 to %d", maxBins, maxMaxBins)
	}
	w := binWidth(alpha)
	return &Quantiles{alpha: alpha, w: w, invW: 1 / w, maxBins: maxBins,
		min: math.Inf(1), max: math.Inf(-1)}, nil
}

var errUninitialised = errors.New("quantiles: sketch not made by NewQuantiles or UnmarshalBinary")

// Add adds a value. NaN and ±Inf are refused: they have no bin, and
// would poison Sum. −0 is added as 0.
func (q *Quantiles) Add(v float64) error {
	if q.invW == 0 {
		return errUninitialised
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("quantiles: cannot add %v", v)
	}
	if v == 0 {
		v = 0 // −0 is 0
	}
	q.addKey(key(v, q.invW))
	q.count++
	q.min, q.max = min(q.min, v), max(q.max, v)
	q.sum.add(v)
	return nil
}

// denseMax is the widest key span the dense counts cover (8 KiB of
// counts): at 1% accuracy a factor of about 2^29 between the smallest
// and the largest value.
const denseMax = 1024

// addKey counts a value of key k.
func (q *Quantiles) addKey(k int32) {
	if i := int64(k) - int64(q.base); i >= 0 && i < int64(len(q.dense)) {
		q.dense[i]++
		return
	}
	if q.growDense(k) {
		q.dense[k-q.base]++
		return
	}
	q.addToBin(k)
}

// growDense widens the dense span to cover k, and says whether it could
// without exceeding denseMax keys.
func (q *Quantiles) growDense(k int32) bool {
	if q.dense == nil {
		q.dense, q.base = make([]uint64, 64), k-32
		return true
	}
	lo, hi := min(int64(q.base), int64(k)), max(int64(q.base)+int64(len(q.dense)), int64(k)+1)
	if hi-lo > denseMax {
		return false
	}
	// Double the span (within denseMax), on the side k lies.
	n := min(max(hi-lo, 2*int64(len(q.dense))), denseMax)
	if int64(k) < int64(q.base) {
		lo = hi - n
	} else {
		hi = lo + n
	}
	grown := make([]uint64, n)
	copy(grown[int64(q.base)-lo:], q.dense)
	q.dense, q.base = grown, int32(lo)
	return true
}

// flush moves the dense counts into the sorted bins.
func (q *Quantiles) flush() {
	var n int
	for _, c := range q.dense {
		if c != 0 {
			n++
		}
	}
	if n == 0 {
		return
	}
	keys := make([]int32, 0, len(q.keys)+n)
	counts := make([]uint64, 0, cap(keys))
	i := 0
	for d, c := range q.dense {
		if c == 0 {
			continue
		}
		k := q.base + int32(d)
		for ; i < len(q.keys) && q.keys[i] < k; i++ {
			keys, counts = append(keys, q.keys[i]), append(counts, q.counts[i])
		}
		if i < len(q.keys) && q.keys[i] == k {
			c += q.counts[i]
			i++
		}
		keys, counts = append(keys, k), append(counts, c)
	}
	keys, counts = append(keys, q.keys[i:]...), append(counts, q.counts[i:]...)
	q.keys, q.counts, q.hint = keys, counts, 0
	clear(q.dense)
	q.collapse()
}

func (q *Quantiles) addToBin(k int32) {
	// Where the bins around the last one hit are all present, k's
	// position is the last one's plus the difference of the keys:
	// usually so inside a distribution's body, whatever the order of
	// values. Otherwise, search.
	if h := q.hint; h < len(q.keys) {
		if i := h + int(k) - int(q.keys[h]); 0 <= i && i < len(q.keys) && q.keys[i] == k {
			q.counts[i]++
			q.hint = i
			return
		}
	}
	i, found := slices.BinarySearch(q.keys, k)
	switch {
	case found:
		q.counts[i]++
	case i == 0 && len(q.keys) == q.maxBins:
		// Below the lowest bin of a full sketch: what inserting and
		// then collapsing would do.
		q.counts[0]++
	default:
		q.keys = slices.Insert(q.keys, i, k)
		q.counts = slices.Insert(q.counts, i, 1)
		if q.collapse() > 0 {
			i--
		}
	}
	q.hint = i
}

// collapse folds the lowest bins into the lowest one it keeps until at
// most maxBins remain, and says how many bins it removed.
//
// The kept bins are always the maxBins highest keys of all values added
// or merged, and the lowest of them also counts every value below it,
// whatever the order of adds and merges. So results are independent of
// partitioning and merge order, and only the lowest quantiles lose
// accuracy.
func (q *Quantiles) collapse() int {
	n := len(q.keys) - q.maxBins
	if n <= 0 {
		return 0
	}
	for _, c := range q.counts[:n] {
		q.counts[n] += c
	}
	q.keys = slices.Delete(q.keys, 0, n)
	q.counts = slices.Delete(q.counts, 0, n)
	return n
}

// Merge adds o's values to q. Both must have the same alpha and bin
// limit. o is unchanged.
func (q *Quantiles) Merge(o *Quantiles) error {
	if o == nil {
		return nil
	}
	if q.invW == 0 || o.invW == 0 {
		return errUninitialised
	}
	if o.alpha != q.alpha || o.maxBins != q.maxBins {
		return fmt.Errorf("quantiles: cannot merge a sketch of accuracy %v and %d bins into one of %v and %d",
			o.alpha, o.maxBins, q.alpha, q.maxBins)
	}
	q.flush()
	o.flush() // the same values, in the sorted bins
	keys := make([]int32, 0, len(q.keys)+len(o.keys))
	counts := make([]uint64, 0, cap(keys))
	i, j := 0, 0
	for i < len(q.keys) || j < len(o.keys) {
		switch {
		case j == len(o.keys) || i < len(q.keys) && q.keys[i] < o.keys[j]:
			keys, counts = append(keys, q.keys[i]), append(counts, q.counts[i])
			i++
		case i == len(q.keys) || o.keys[j] < q.keys[i]:
			keys, counts = append(keys, o.keys[j]), append(counts, o.counts[j])
			j++
		default:
			keys, counts = append(keys, q.keys[i]), append(counts, q.counts[i]+o.counts[j])
			i, j = i+1, j+1
		}
	}
	q.keys, q.counts, q.hint = keys, counts, 0
	q.collapse()
	q.count += o.count
	q.min, q.max = min(q.min, o.min), max(q.max, o.max)
	q.sum.merge(&o.sum)
	return nil
}

// Count is the number of values added.
func (q *Quantiles) Count() uint64 { return q.count }

// Min is the smallest value added, +Inf when empty.
func (q *Quantiles) Min() float64 { return q.min }

// Max is the largest value added, −Inf when empty.
func (q *Quantiles) Max() float64 { return q.max }

// Sum is the exact sum of the values added, rounded once to the nearest
// float64 (±Inf if beyond float64's range). It is kept as an exact
// fixed-point integer, so it does not depend on the order of adds or
// merges, unlike a float64 running total.
func (q *Quantiles) Sum() float64 { return q.sum.float64() }

// Quantile is the approximate value of rank r = ⌊p·(n−1)⌋ (0-based, n =
// Count) of the sorted values, x_r: |Quantile(p) − x_r| ≤ alpha·|x_r|,
// unless bins were collapsed and x_r lies in the lowest bin (see the
// package doc). p = 0 and p = 1 give the exact Min and Max. false when
// the sketch is empty or p is outside [0, 1].
func (q *Quantiles) Quantile(p float64) (float64, bool) {
	q.flush()
	if q.count == 0 || !(p >= 0 && p <= 1) {
		return 0, false
	}
	last := q.count - 1
	r := last
	if x := p * float64(last); x < float64(last) {
		r = uint64(x)
	}
	switch r {
	case 0:
		return q.min, true
	case last:
		return q.max, true
	}
	var seen uint64
	for i, c := range q.counts {
		if seen += c; seen > r {
			// x_r is in this bin; clamping to [Min, Max], which hold
			// x_r, can only bring the estimate closer.
			return min(max(representative(q.keys[i], q.w), q.min), q.max), true
		}
	}
	return q.max, true // not reached: the counts sum to Count
}
