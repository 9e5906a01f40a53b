package sketch

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func newQ(t testing.TB, alpha float64, maxBins int) *Quantiles {
	t.Helper()
	q, err := NewQuantilesMaxBins(alpha, maxBins)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// exactQuantile is x_r, r = ⌊p·(n−1)⌋, of sorted values: the rank the
// package documents.
func exactQuantile(sorted []float64, p float64) float64 {
	return sorted[int(p*float64(len(sorted)-1))]
}

func TestQuantilesAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func() float64{
		"uniform":   func() float64 { return r.Float64() * 1000 },
		"lognormal": func() float64 { return math.Exp(r.NormFloat64()*1.5 + 3) },  // latency-like, ms
		"signed":    func() float64 { return math.Round(r.NormFloat64()*50) / 4 }, // negatives, many zeros
		"wide":      func() float64 { return math.Copysign(math.Pow(10, r.Float64()*40-20), r.Float64()-0.3) },
		"constant":  func() float64 { return 7 },
	}
	for name, gen := range gens {
		for _, alpha := range []float64{0.01, 0.001, 0.05} {
			maxBins := DefaultMaxBins
			if alpha < 0.01 || name == "wide" {
				// Enough bins never to collapse (TestQuantilesBinLimit
				// covers collapsing).
				maxBins = maxMaxBins
			}
			q := newQ(t, alpha, maxBins)
			vals := make([]float64, 50_000)
			for i := range vals {
				vals[i] = gen()
				if err := q.Add(vals[i]); err != nil {
					t.Fatal(err)
				}
			}
			slices.Sort(vals)
			for _, p := range []float64{0, 0.01, 0.25, 0.5, 0.95, 0.99, 0.999, 1} {
				want := exactQuantile(vals, p)
				got, ok := q.Quantile(p)
				if !ok || math.Abs(got-want) > alpha*math.Abs(want) {
					t.Errorf("%s α=%v p%v: %v, want %v ±%v", name, alpha, p, got, want, alpha)
				}
			}
			if q.Count() != uint64(len(vals)) || q.Min() != vals[0] || q.Max() != vals[len(vals)-1] {
				t.Errorf("%s: count, min or max wrong", name)
			}
		}
	}
}

// Every finite value's bin represents it within alpha: the guarantee
// everything else rests on, checked across the whole float64 range.
func TestQuantilesBinAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, alpha := range []float64{MinAlpha, 1e-4, 0.01, 0.1, 0.5, 0.9, 0.999} {
		w := binWidth(alpha)
		check := func(v float64) {
			k := key(v, 1/w)
			got := representative(k, w)
			if math.Abs(got-v) > alpha*math.Abs(v) || (v > 0) != (k > 0) || (v < 0) != (k < 0) {
				t.Fatalf("α=%v: %v is represented by %v (key %d)", alpha, v, got, k)
			}
		}
		check(math.MaxFloat64)
		check(math.SmallestNonzeroFloat64)
		check(-math.SmallestNonzeroFloat64)
		check(0)
		for range 200_000 {
			v := math.Float64frombits(r.Uint64())
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			check(v)
			check(math.Nextafter(v, 0)) // neighbours of boundaries too
		}
		lo, hi := keyRange(1 / w)
		if hi-lo > 1<<30 || hi+keyOffset < 0 || lo+keyOffset <= 0 {
			t.Errorf("α=%v: keys %d..%d do not fit", alpha, lo, hi)
		}
	}
}

// Bins keep values in order: a larger value never gets a smaller key.
func TestQuantilesKeysMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	invW := 1 / binWidth(0.01)
	vals := make([]float64, 100_000)
	for i := range vals {
		vals[i] = math.Copysign(math.Pow(2, r.Float64()*200-100), r.Float64()-0.5)
	}
	slices.Sort(vals)
	for i := 1; i < len(vals); i++ {
		if key(vals[i-1], invW) > key(vals[i], invW) {
			t.Fatalf("key(%v) > key(%v)", vals[i-1], vals[i])
		}
	}
}

// qParts adds values to one whole sketch and to 4 partial sketches by a
// random partition.
func qParts(t *testing.T, r *rand.Rand, n, maxBins int, gen func() float64) (*Quantiles, []*Quantiles) {
	whole := newQ(t, 0.01, maxBins)
	var parts []*Quantiles
	for range 4 {
		parts = append(parts, newQ(t, 0.01, maxBins))
	}
	for range n {
		v := gen()
		whole.Add(v)
		parts[r.IntN(4)].Add(v)
	}
	return whole, parts
}

// Merging the partial sketches of any partition, in any order, gives the
// bytes of the sketch of the whole input, also when bins collapse.
func TestQuantilesMergeIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	gen := func() float64 {
		switch r.IntN(10) {
		case 0:
			return 0
		case 1, 2:
			return -math.Exp(r.NormFloat64() * 3)
		}
		return math.Exp(r.NormFloat64()*4) * 1e3
	}
	for _, maxBins := range []int{DefaultMaxBins, 100, 7, 1} {
		whole, parts := qParts(t, r, 40_000, maxBins, gen)
		want := mustMarshal(t, whole)
		for _, perm := range permutations(len(parts)) {
			m := newQ(t, 0.01, maxBins)
			for _, i := range perm {
				if err := m.Merge(parts[i]); err != nil {
					t.Fatal(err)
				}
			}
			if got := mustMarshal(t, m); !bytes.Equal(got, want) {
				t.Fatalf("maxBins %d, order %v: merged sketch differs from the whole", maxBins, perm)
			}
		}
		if len(whole.keys) > maxBins {
			t.Errorf("%d bins, limit %d", len(whole.keys), maxBins)
		}
	}
}

// Collapsing keeps the bin limit and only touches the lowest quantiles.
func TestQuantilesBinLimit(t *testing.T) {
	const maxBins = 600
	q := newQ(t, 0.01, maxBins)
	r := rand.New(rand.NewPCG(9, 10))
	vals := make([]float64, 100_000)
	for i := range vals {
		vals[i] = math.Exp(r.NormFloat64()) // ≈ 500 bins
		if i%50 == 0 {
			vals[i] = -math.Pow(10, r.Float64()*20) // 2%: a low tail of thousands of bins
		}
		q.Add(vals[i])
		if len(q.keys) > maxBins {
			t.Fatalf("%d bins after %d values", len(q.keys), i+1)
		}
	}
	slices.Sort(vals)
	q.flush()
	folded := q.counts[0] // the lowest bin's values: the only ones that may be off
	if folded < 100 {
		t.Fatalf("test data did not collapse bins (lowest bin %d)", folded)
	}
	for p := 0.0; p <= 1; p += 0.001 {
		want := exactQuantile(vals, p)
		got, _ := q.Quantile(p)
		if r := uint64(p * float64(len(vals)-1)); r < folded && r > 0 {
			if got < want { // collapsed ranks are only overestimated
				t.Errorf("collapsed p%v: %v below the true %v", p, got, want)
			}
		} else if math.Abs(got-want) > 0.01*math.Abs(want) {
			t.Errorf("p%v: %v, want %v ±1%%", p, got, want)
		}
	}
}

func TestQuantilesEdges(t *testing.T) {
	q := newQ(t, 0.01, DefaultMaxBins)
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := q.Add(v); err == nil {
			t.Errorf("Add(%v) accepted", v)
		}
	}
	if _, ok := q.Quantile(0.5); ok || q.Count() != 0 || q.Sum() != 0 {
		t.Error("empty sketch answers")
	}
	q.Add(math.Copysign(0, -1))
	if v, ok := q.Quantile(0.5); !ok || v != 0 || math.Signbit(q.Min()) {
		t.Errorf("−0: %v %v", v, q.Min())
	}
	for _, p := range []float64{-0.1, 1.1, math.NaN()} {
		if _, ok := q.Quantile(p); ok {
			t.Errorf("Quantile(%v) answered", p)
		}
	}
	for _, a := range []float64{0, -1, 1, math.NaN(), MinAlpha / 2} {
		if _, err := NewQuantiles(a); err == nil {
			t.Errorf("alpha %v accepted", a)
		}
	}
	other := newQ(t, 0.02, DefaultMaxBins)
	if err := q.Merge(other); err == nil {
		t.Error("merged sketches of different accuracy")
	}
	if err := q.Merge(newQ(t, 0.01, 10)); err == nil {
		t.Error("merged sketches of different bin limits")
	}
	var zero Quantiles
	if zero.Add(1) == nil || q.Merge(&zero) == nil {
		t.Error("zero Quantiles used")
	}
	q.Add(5)
	if err := q.Merge(q); err != nil || q.Count() != 4 || q.Sum() != 10 {
		t.Errorf("self merge: %v, count %d, sum %v", err, q.Count(), q.Sum())
	}
}

// Sum is exact and independent of order and partitioning, where a
// float64 running total is not.
func TestQuantilesSumExact(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	vals := []float64{1e308, 1e308, -1e308, math.SmallestNonzeroFloat64, -3, 1e-300, 0.1, 0.2}
	for range 20_000 {
		vals = append(vals, math.Copysign(math.Pow(10, r.Float64()*60-30), r.Float64()-0.5))
	}
	exact := new(big.Float).SetPrec(4000)
	for _, v := range vals {
		exact.Add(exact, new(big.Float).SetFloat64(v))
	}
	want, _ := exact.Float64()
	for range 5 {
		r.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
		a, b := newQ(t, 0.01, DefaultMaxBins), newQ(t, 0.01, DefaultMaxBins)
		for i, v := range vals {
			if i%3 == 0 {
				a.Add(v)
			} else {
				b.Add(v)
			}
		}
		if err := b.Merge(a); err != nil {
			t.Fatal(err)
		}
		if got := b.Sum(); got != want {
			t.Fatalf("sum %v, want %v", got, want)
		}
	}
	// Beyond float64's range the rounded sum is ±Inf; the sketch still
	// holds the exact value.
	q := newQ(t, 0.01, DefaultMaxBins)
	q.Add(math.MaxFloat64)
	q.Add(math.MaxFloat64)
	if !math.IsInf(q.Sum(), 1) {
		t.Errorf("overflowing sum %v", q.Sum())
	}
	q.Add(-math.MaxFloat64)
	if q.Sum() != math.MaxFloat64 {
		t.Errorf("sum %v, want MaxFloat64", q.Sum())
	}
}

// Many adds between carries do not overflow the accumulator.
func TestExactSumCarries(t *testing.T) {
	var s exactSum
	s.pending = maxPending - 10 // as if 2^29 adds had happened
	for range 100 {
		s.add(math.MaxFloat64 / 4)
		s.add(-math.SmallestNonzeroFloat64)
	}
	want := new(big.Float).SetPrec(3000).Mul(big.NewFloat(math.MaxFloat64/4), big.NewFloat(100))
	want.Sub(want, new(big.Float).Mul(big.NewFloat(math.SmallestNonzeroFloat64), big.NewFloat(100)))
	w, _ := want.Float64()
	if s.float64() != w {
		t.Errorf("%v, want %v", s.float64(), w)
	}
}

func TestQuantilesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, n := range []int{0, 1, 1000, 100_000} {
		q := newQ(t, 0.01, 300)
		for range n {
			q.Add(math.Round(r.NormFloat64()*1e4) / 8)
		}
		b := mustMarshal(t, q)
		back, _ := NewQuantiles(0.5) // replaced whatever its accuracy
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !bytes.Equal(mustMarshal(t, back), b) || back.Sum() != q.Sum() || back.Count() != q.Count() {
			t.Fatalf("n=%d: round trip changed the sketch", n)
		}
		for _, p := range []float64{0.1, 0.5, 0.99} {
			x, _ := q.Quantile(p)
			y, _ := back.Quantile(p)
			if x != y {
				t.Fatalf("n=%d p%v: %v after round trip, was %v", n, p, y, x)
			}
		}
		if err := back.Add(1); err != nil { // still usable
			t.Fatal(err)
		}
		t.Logf("n=%d: %d bytes, %d bins", n, len(b), len(q.keys))
	}
}

func TestQuantilesRejectsCorrupt(t *testing.T) {
	q := newQ(t, 0.01, DefaultMaxBins)
	for _, v := range []float64{-2, 0, 1, 1, 30, 4000} {
		q.Add(v)
	}
	good := mustMarshal(t, q)
	h := NewHLL()
	h.AddString("x")
	edit := func(f func(b []byte) []byte) []byte { return reseal(f(bytes.Clone(good))) }
	cases := map[string]struct {
		in   []byte
		want string
	}{
		"empty":       {nil, "too short"},
		"truncated":   {good[:len(good)-3], "checksum"},
		"flipped":     {func() []byte { b := bytes.Clone(good); b[20] ^= 1; return b }(), "checksum"},
		"version 3":   {edit(func(b []byte) []byte { b[2] = 3; return b }), "version 3"},
		"version 1":   {append([]byte{1}, make([]byte, 40)...), "version 1"},
		"hll blob":    {mustMarshal(t, h), "not a serialized quantiles"},
		"alpha 2":     {edit(func(b []byte) []byte { b[3] = 0x40; return b }), "relative accuracy"},
		"count":       {edit(func(b []byte) []byte { b[13]++; return b }), "count"},
		"trailing":    {reseal(append(bytes.Clone(good), 0, 0, 0, 0)), "trailing"},
		"cut in bins": {reseal(append(bytes.Clone(good[:len(good)-7]), 0, 0, 0, 0)), "corrupt"},
	}
	for name, c := range cases {
		var back Quantiles
		err := back.UnmarshalBinary(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}

// The serialized form of a fixed input never changes.
func TestQuantilesGolden(t *testing.T) {
	q := newQ(t, 0.01, DefaultMaxBins)
	for _, v := range []float64{-2.5, 0, 1, 1, 3.25, 1e6} {
		q.Add(v)
	}
	const want = "4444023f847ae147ae147b801006c004000000000000412e84800000000000" +
		"21028080ac483d05e38080800801b280808004018080808004024001ac050185c6a3bd"
	if got := hexString(mustMarshal(t, q)); got != want {
		t.Errorf("golden sketch changed:\n got %s\nwant %s", got, want)
	}
}

// Bin keys, representatives and HLL estimates are the same bits on
// every platform. This digest is checked under GOARCH=amd64 (with and
// without GOAMD64=v3's fused multiply-add) and GOARCH=386 (pure-Go
// math, 32-bit int); a change means sketches from different machines
// would not merge.
func TestPlatformDigest(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	var b []byte
	for _, alpha := range []float64{MinAlpha, 0.001, 0.01, 0.3} {
		w := binWidth(alpha)
		for range 20_000 {
			v := math.Float64frombits(r.Uint64())
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			k := key(v, 1/w)
			b = binary.LittleEndian.AppendUint32(b, uint32(k))
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(representative(k, w)))
		}
	}
	for _, n := range []int{3, 5000, 300_000} {
		h := NewHLL()
		for range n {
			h.AddHash(r.Uint64())
		}
		b = binary.LittleEndian.AppendUint64(b, h.Estimate())
	}
	if got, want := HashBytes(b), uint64(0x38f34c01eef3e0c8); got != want {
		t.Errorf("platform digest %#x, want %#x", got, want)
	}
}
