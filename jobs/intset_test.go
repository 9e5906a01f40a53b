package jobs

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// An intSet holds exactly the distinct values added, through any mix of
// adds, compactions and merges, and reports the memory it grew by.
func TestIntSet(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		var a, b intSet
		want := map[int64]bool{}
		var grew int64
		n, spread := r.IntN(3000), int64(1+r.IntN(5000))
		for i := range n {
			v := r.Int64N(spread) - spread/2
			want[v] = true
			if i%3 == 0 {
				b.add(v)
			} else {
				grew += a.add(v)
			}
			if i%500 == 499 {
				a.values() // a read between adds
			}
		}
		a.merge(&b)
		got := a.values()
		if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("trial %d: not sorted and distinct", trial)
		}
		if w := slices.Sorted(maps.Keys(want)); !slices.Equal(got, w) {
			t.Fatalf("trial %d: %d values, want %d", trial, len(got), len(w))
		}
		if a.len() != len(want) {
			t.Fatalf("trial %d: len %d, want %d", trial, a.len(), len(want))
		}
		if n > 0 && grew <= 0 {
			t.Fatalf("trial %d: %d adds grew nothing", trial, n)
		}
	}
	var empty *intSet
	if empty.len() != 0 || empty.values() != nil {
		t.Error("a nil set is not empty")
	}
}
