package sketch

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
)

func TestHLLAccuracy(t *testing.T) {
	for _, n := range []int{0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000} {
		h := NewHLL()
		for i := range n {
			h.AddString("user-" + strconv.Itoa(i))
			h.AddString("user-" + strconv.Itoa(i)) // repeats do not count
		}
		got := float64(h.Estimate())
		tol := 3 * 0.0081 * float64(n)
		if n <= 100 {
			tol = 1
		}
		if math.Abs(got-float64(n)) > tol {
			t.Errorf("n=%d: estimate %v, want within %v", n, got, tol)
		}
	}
}

// Merging partial sketches of any split, in any order, gives the same
// bytes as one sketch of everything.
func TestHLLMergeIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	whole := NewHLL()
	parts := []*HLL{NewHLL(), NewHLL(), NewHLL(), NewHLL()}
	for i := range 50_000 {
		v := int64(r.IntN(20_000))
		whole.AddInt64(v)
		parts[i%4].AddInt64(v)
	}
	a, b := NewHLL(), NewHLL()
	for i := range parts {
		a.Merge(parts[i])
		b.Merge(parts[len(parts)-1-i])
	}
	wb, _ := whole.MarshalBinary()
	ab, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	if !bytes.Equal(wb, ab) || !bytes.Equal(ab, bb) {
		t.Error("merged sketch differs from the whole")
	}
	var back HLL
	if err := back.UnmarshalBinary(wb); err != nil || back.Estimate() != whole.Estimate() {
		t.Errorf("round trip: %v", err)
	}
	if err := back.UnmarshalBinary(wb[:10]); err == nil {
		t.Error("truncated input accepted")
	}
}

func TestQuantilesAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func() float64{
		"uniform":   func() float64 { return r.Float64() * 1000 },
		"lognormal": func() float64 { return math.Exp(r.NormFloat64()*1.2 + 4) },
		"mixed":     func() float64 { return math.Round(r.NormFloat64() * 50) },
	}
	for name, gen := range gens {
		q, _ := NewQuantiles(0.01)
		vals := make([]float64, 20_000)
		for i := range vals {
			vals[i] = gen()
			if err := q.Add(vals[i]); err != nil {
				t.Fatal(err)
			}
		}
		sort.Float64s(vals)
		for _, p := range []float64{0, 0.5, 0.95, 0.99, 1} {
			want := vals[int(p*float64(len(vals)-1))]
			got, ok := q.Quantile(p)
			if !ok || math.Abs(got-want) > 0.01*math.Abs(want)+1e-12 {
				t.Errorf("%s p%v: %v, want %v ±1%%", name, p, got, want)
			}
		}
	}
	q, _ := NewQuantiles(0.01)
	if err := q.Add(math.NaN()); err == nil {
		t.Error("NaN accepted")
	}
	if _, ok := q.Quantile(0.5); ok {
		t.Error("quantile of an empty sketch")
	}
}

func TestQuantilesMergeIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	whole, _ := NewQuantiles(0.01)
	var parts [3]*Quantiles
	for i := range parts {
		parts[i], _ = NewQuantiles(0.01)
	}
	for i := range 30_000 {
		v := math.Exp(r.NormFloat64()) - 0.5
		whole.Add(v)
		parts[i%3].Add(v)
	}
	m, _ := NewQuantiles(0.01)
	for i := len(parts) - 1; i >= 0; i-- {
		if err := m.Merge(parts[i]); err != nil {
			t.Fatal(err)
		}
	}
	wb, _ := whole.MarshalBinary()
	mb, _ := m.MarshalBinary()
	if !bytes.Equal(wb, mb) {
		t.Error("merged sketch differs from the whole")
	}
	var back Quantiles
	if err := back.UnmarshalBinary(mb); err != nil {
		t.Fatal(err)
	}
	bb, _ := back.MarshalBinary()
	if !bytes.Equal(bb, mb) {
		t.Error("round trip changed the sketch")
	}
	if err := back.UnmarshalBinary(mb[:len(mb)-1]); err == nil {
		t.Error("truncated sketch accepted")
	}
	other, _ := NewQuantiles(0.02)
	if err := m.Merge(other); err == nil {
		t.Error("merged sketches of different accuracy")
	}
}

func TestQuantilesBinLimit(t *testing.T) {
	q, _ := NewQuantiles(0.001)
	for i := range 100_000 {
		q.Add(math.Pow(1.01, float64(i%5000)) * float64(1+i%3))
	}
	if n := len(q.pos) + len(q.neg); n > DefaultMaxBins {
		t.Errorf("%d bins", n)
	}
	if v, _ := q.Quantile(0.99); v <= 0 {
		t.Errorf("p99 %v", v)
	}
}

func FuzzUnmarshal(f *testing.F) {
	q, _ := NewQuantiles(0.01)
	q.Add(3)
	b, _ := q.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var q Quantiles
		_ = q.UnmarshalBinary(b)
		var h HLL
		_ = h.UnmarshalBinary(b)
	})
}
