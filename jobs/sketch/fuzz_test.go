package sketch

import (
	"bytes"
	"testing"
)

// The fuzz targets feed arbitrary bytes to UnmarshalBinary, and with
// seal set, the same bytes behind a valid checksum, so that the decoder
// beyond the checksum is explored. Decoding must never panic, and what
// decodes must re-encode to the same bytes (one form per sketch) and
// stay usable.

func FuzzHLLUnmarshal(f *testing.F) {
	for _, n := range []int{0, 3, 400, 3000} {
		h := NewHLL()
		for i := range n {
			h.AddInt64(int64(i))
		}
		b, _ := h.MarshalBinary()
		f.Add(b, false)
		f.Add(b[:len(b)-4], true)
	}
	f.Fuzz(func(t *testing.T, b []byte, seal bool) {
		if seal {
			b = reseal(append(bytes.Clone(b), 0, 0, 0, 0))
		}
		var h HLL
		if h.UnmarshalBinary(b) != nil {
			return
		}
		if again := mustMarshal(t, &h); !bytes.Equal(again, b) {
			t.Fatalf("decoded sketch re-encodes differently:\n in %x\nout %x", b, again)
		}
		h.Estimate()
		h.Merge(&h)
		h.AddString("x")
	})
}

func FuzzQuantilesUnmarshal(f *testing.F) {
	for _, vals := range [][]float64{nil, {1}, {-2.5, 0, 1, 1, 3.25, 1e6}, {1e-300, -1e300, 5e-324}} {
		q, _ := NewQuantilesMaxBins(0.01, 3)
		for _, v := range vals {
			q.Add(v)
		}
		b, _ := q.MarshalBinary()
		f.Add(b, false)
		f.Add(b[:len(b)-4], true)
	}
	f.Fuzz(func(t *testing.T, b []byte, seal bool) {
		if seal {
			b = reseal(append(bytes.Clone(b), 0, 0, 0, 0))
		}
		var q Quantiles
		if q.UnmarshalBinary(b) != nil {
			return
		}
		if again := mustMarshal(t, &q); !bytes.Equal(again, b) {
			t.Fatalf("decoded sketch re-encodes differently:\n in %x\nout %x", b, again)
		}
		for _, p := range []float64{0, 0.3, 0.5, 0.99, 1} {
			if v, ok := q.Quantile(p); ok && (v < q.Min() || v > q.Max()) {
				t.Fatalf("Quantile(%v) = %v outside [%v, %v]", p, v, q.Min(), q.Max())
			}
		}
		q.Sum()
		if err := q.Merge(&q); err != nil {
			t.Fatal(err)
		}
		if err := q.Add(1); err != nil {
			t.Fatal(err)
		}
	})
}
