package sketch

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func BenchmarkHLLAddString(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = "user-" + strconv.Itoa(i*7919)
	}
	h := NewHLL()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		h.AddString(keys[i&(len(keys)-1)])
	}
}

func BenchmarkHLLAddHash(b *testing.B) {
	h := NewHLL()
	x := uint64(1)
	for b.Loop() {
		x = x*6364136223846793005 + 1442695040888963407
		h.AddHash(x)
	}
}

// Small sets stay in the sparse representation.
func BenchmarkHLLAddHashSparse(b *testing.B) {
	hashes := make([]uint64, 1000)
	for i := range hashes {
		hashes[i] = HashInt64(int64(i))
	}
	h := NewHLL()
	for i := 0; b.Loop(); i++ {
		h.AddHash(hashes[i%len(hashes)])
	}
}

func BenchmarkHashString(b *testing.B) {
	for _, n := range []int{8, 32, 256} {
		s := string(make([]byte, n))
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				HashString(s)
			}
		})
	}
}

func BenchmarkQuantilesAdd(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]float64, 1<<16)
	for i := range vals {
		vals[i] = math.Exp(r.NormFloat64()*1.5 + 3) // latency-like
	}
	q, _ := NewQuantiles(DefaultAlpha)
	for i := 0; b.Loop(); i++ {
		q.Add(vals[i&(len(vals)-1)])
	}
}

func BenchmarkQuantilesMerge(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	o, _ := NewQuantiles(DefaultAlpha)
	for range 100_000 {
		o.Add(math.Exp(r.NormFloat64() * 2))
	}
	q, _ := NewQuantiles(DefaultAlpha)
	for b.Loop() {
		q.Merge(o)
	}
}
