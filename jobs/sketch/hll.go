package sketch

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

const (
	hllP       = 14
	hllM       = 1 << hllP
	hllVersion = 1
)

// HLL is a HyperLogLog counter of distinct values (Flajolet et al., 2007)
// with 2^14 one-byte registers (16 KiB).
type HLL struct {
	reg [hllM]uint8
}

// NewHLL is an empty counter.
func NewHLL() *HLL { return &HLL{} }

// AddHash adds a value by its 64-bit hash.
func (h *HLL) AddHash(x uint64) {
	idx := x >> (64 - hllP)
	// The rank of the first 1 bit in the remaining 50 bits (1-based);
	// a guard bit bounds it at 51.
	w := x<<hllP | 1<<(hllP-1)
	r := uint8(bits.LeadingZeros64(w) + 1)
	if r > h.reg[idx] {
		h.reg[idx] = r
	}
}

// AddString, AddBytes and AddInt64 add a value.
func (h *HLL) AddString(s string) { h.AddHash(HashString(s)) }
func (h *HLL) AddBytes(b []byte)  { h.AddHash(HashBytes(b)) }
func (h *HLL) AddInt64(v int64)   { h.AddHash(HashInt64(v)) }

// Merge makes h count the union of h's and o's values.
func (h *HLL) Merge(o *HLL) {
	for i, r := range o.reg {
		if r > h.reg[i] {
			h.reg[i] = r
		}
	}
}

// Estimate is the approximate number of distinct values added.
func (h *HLL) Estimate() uint64 {
	var sum float64
	zeros := 0
	for _, r := range h.reg {
		sum += 1 / float64(uint64(1)<<r)
		if r == 0 {
			zeros++
		}
	}
	m := float64(hllM)
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if zeros > 0 {
		// Linear counting is far more accurate while registers are
		// still empty (the usual threshold is 2.5 m; below 2.5 m ×
		// ~1.6 it stays better for p = 14).
		lc := m * math.Log(m/float64(zeros))
		if lc <= 2.5*m || e <= 2.5*m {
			return uint64(math.Round(lc))
		}
	}
	return uint64(math.Round(e))
}

// MarshalBinary is a version byte and the registers.
func (h *HLL) MarshalBinary() ([]byte, error) {
	out := make([]byte, 1+hllM)
	out[0] = hllVersion
	copy(out[1:], h.reg[:])
	return out, nil
}

// UnmarshalBinary reads what MarshalBinary wrote.
func (h *HLL) UnmarshalBinary(b []byte) error {
	if len(b) != 1+hllM {
		return fmt.Errorf("hll: %d bytes, want %d", len(b), 1+hllM)
	}
	if b[0] != hllVersion {
		return fmt.Errorf("hll: version %d, want %d", b[0], hllVersion)
	}
	for _, r := range b[1:] {
		if r > 64-hllP+1 {
			return errors.New("hll: register out of range (corrupt)")
		}
	}
	copy(h.reg[:], b[1:])
	return nil
}
