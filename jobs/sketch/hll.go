package sketch

import (
	"math/bits"
	"slices"
)

const (
	hllP = 14        // index bits
	hllM = 1 << hllP // registers
	hllQ = 64 - hllP // bits left for the rank; registers hold 0..hllQ+1

	// An HLL keeps its non-zero registers in a sorted list until there
	// are more than hllSparseMax of them (4 KiB instead of 16 KiB), so
	// the many small groups of an aggregation stay small. The
	// representation never shows in Estimate or MarshalBinary.
	hllSparseMax = hllM / 16
)

// HLL is a HyperLogLog distinct counter (Flajolet, Fusy, Gandouet,
// Meunier 2007) with 2^14 registers and 64-bit hashes. The zero value is
// an empty counter. An HLL is not safe for concurrent use.
type HLL struct {
	reg    []uint8  // the registers once dense; nil while sparse
	sparse []uint32 // while sparse: index<<8 | register, ascending, non-zero only
	// pending are sparse entries not yet in sparse, in arrival order
	// (an index may repeat), sorted into it in one pass once there are
	// half as many: inserting each into the sorted list moved half the
	// list per value.
	pending []uint32
}

// NewHLL is an empty counter.
func NewHLL() *HLL { return &HLL{} }

// AddHash adds a value by its hash (HashBytes, HashString, HashInt64 or
// another well-mixed 64-bit hash used consistently).
func (h *HLL) AddHash(x uint64) {
	idx := uint32(x >> hllQ)
	// The register keeps the largest rank seen: the position of the
	// first 1 bit in the other 50 bits, 1-based; 51 when all are 0.
	r := uint8(bits.LeadingZeros64(x<<hllP|1<<(hllP-1)) + 1)
	if h.reg != nil {
		if r > h.reg[idx] {
			h.reg[idx] = r
		}
		return
	}
	h.setSparse(idx, r)
}

// AddString, AddBytes and AddInt64 add a value by its HashString,
// HashBytes or HashInt64.
func (h *HLL) AddString(s string) { h.AddHash(HashString(s)) }
func (h *HLL) AddBytes(b []byte)  { h.AddHash(HashBytes(b)) }
func (h *HLL) AddInt64(v int64)   { h.AddHash(HashInt64(v)) }

// setSparse raises register idx to r in the sparse list.
func (h *HLL) setSparse(idx uint32, r uint8) {
	h.pending = append(h.pending, idx<<8|uint32(r))
	if len(h.pending) >= max(32, len(h.sparse)/2) {
		h.flush()
	}
}

// flush sorts the pending entries into the sparse list (keeping the
// largest register of an index), and turns the sketch dense when the
// list outgrows hllSparseMax.
func (h *HLL) flush() {
	if len(h.pending) == 0 {
		return
	}
	slices.Sort(h.pending)
	// Entries of one index are now adjacent, largest register last.
	p := h.pending[:0]
	for i, e := range h.pending {
		if i+1 < len(h.pending) && h.pending[i+1]>>8 == e>>8 {
			continue
		}
		p = append(p, e)
	}
	h.sparse = mergeSparse(h.sparse, p)
	h.pending = h.pending[:0]
	if len(h.sparse) > hllSparseMax {
		h.densify()
	}
}

func (h *HLL) densify() {
	h.reg = make([]uint8, hllM)
	for _, e := range h.sparse {
		h.reg[e>>8] = uint8(e)
	}
	for _, e := range h.pending {
		h.reg[e>>8] = max(h.reg[e>>8], uint8(e))
	}
	h.sparse, h.pending = nil, nil
}

// Merge makes h count the union of h's and o's values: each register
// becomes the larger of the two, so the result does not depend on how
// values were split between sketches or the order of merges.
func (h *HLL) Merge(o *HLL) {
	h.flush()
	if o != nil {
		o.flush() // the same registers, sorted
	}
	switch {
	case o == nil || o == h:
	case o.reg != nil:
		if h.reg == nil {
			h.densify()
		}
		for i, r := range o.reg {
			h.reg[i] = max(h.reg[i], r)
		}
	case h.reg != nil:
		for _, e := range o.sparse {
			h.reg[e>>8] = max(h.reg[e>>8], uint8(e))
		}
	default:
		h.sparse = mergeSparse(h.sparse, o.sparse)
		if len(h.sparse) > hllSparseMax {
			h.densify()
		}
	}
}

// mergeSparse is the union of two sparse lists, keeping the larger
// register of a shared index.
func mergeSparse(a, b []uint32) []uint32 {
	out := make([]uint32, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch ia, ib := a[0]>>8, b[0]>>8; {
		case ia < ib:
			out, a = append(out, a[0]), a[1:]
		case ib < ia:
			out, b = append(out, b[0]), b[1:]
		default:
			out, a, b = append(out, max(a[0], b[0])), a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// histogram counts the registers of each value 0..hllQ+1.
func (h *HLL) histogram() (c [hllQ + 2]int) {
	h.flush()
	if h.reg == nil {
		c[0] = hllM - len(h.sparse)
		for _, e := range h.sparse {
			c[uint8(e)]++
		}
		return c
	}
	for _, r := range h.reg {
		c[r]++
	}
	return c
}
