package sketch

import (
	"encoding/binary"
	"errors"
	"fmt"
)

const (
	hllMagic = "HL"
	// hllVersion 1 was the bare registers of an FNV-1a based hash; its
	// registers mean something else, so it is refused, not converted.
	hllVersion = 2

	hllDense  = 0 // body: precision, 0, 2^14 register bytes
	hllSparse = 1 // body: precision, 1, uvarint n, n × uvarint(gap<<6 | register)
)

// MarshalBinary encodes the registers (format version 2; see the package
// doc). The encoding depends only on the register values, never on how
// they were reached: equal sketches give equal bytes.
func (h *HLL) MarshalBinary() ([]byte, error) {
	n, sparse := h.sparseSize()
	if sparse >= hllM {
		regs := h.reg
		if regs == nil {
			regs = make([]uint8, hllM)
			h.each(func(i uint32, r uint8) { regs[i] = r })
		}
		b := append(header(hllMagic, hllVersion, 2+hllM), hllP, hllDense)
		return seal(append(b, regs...)), nil
	}
	b := append(header(hllMagic, hllVersion, 2+sparse), hllP, hllSparse)
	b = binary.AppendUvarint(b, uint64(n))
	prev := -1
	h.each(func(i uint32, r uint8) {
		b = binary.AppendUvarint(b, uint64(int(i)-prev-1)<<6|uint64(r))
		prev = int(i)
	})
	return seal(b), nil
}

// each calls fn for the non-zero registers in index order.
func (h *HLL) each(fn func(idx uint32, r uint8)) {
	h.flush()
	if h.reg == nil {
		for _, e := range h.sparse {
			fn(e>>8, uint8(e))
		}
		return
	}
	for i, r := range h.reg {
		if r != 0 {
			fn(uint32(i), r)
		}
	}
}

// sparseSize is the number of non-zero registers and the size of the
// sparse payload (after the precision and encoding bytes).
func (h *HLL) sparseSize() (n, size int) {
	prev := -1
	h.each(func(i uint32, r uint8) {
		size += uvarintLen(uint64(int(i)-prev-1)<<6 | uint64(r))
		prev = int(i)
		n++
	})
	return n, size + uvarintLen(uint64(n))
}

func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// UnmarshalBinary replaces h with the sketch MarshalBinary encoded. It
// refuses other formats, versions and precisions, corrupt or truncated
// input, and non-canonical encodings.
func (h *HLL) UnmarshalBinary(b []byte) error {
	if len(b) == 1+hllM && b[0] == 1 {
		return errors.New("hll: format version 1 (FNV-1a hash) cannot be read or merged with version 2 (XXH64): rebuild it from the source rows")
	}
	body, err := open(b, hllMagic, hllVersion, "hll")
	if err != nil {
		return err
	}
	r := reader{b: body}
	if p := r.byte(); r.err == nil && p != hllP {
		return fmt.Errorf("hll: precision %d, this build uses %d", p, hllP)
	}
	var out HLL
	switch enc := r.byte(); {
	case r.err != nil:
	case enc == hllDense:
		if len(r.b) != hllM {
			r.fail(fmt.Errorf("%d register bytes, want %d", len(r.b), hllM))
			break
		}
		out.reg = make([]uint8, hllM)
		copy(out.reg, r.b)
		r.b = nil
		for _, v := range out.reg {
			if v > hllQ+1 {
				r.fail(fmt.Errorf("register %d out of range", v))
			}
		}
		if _, sparse := out.sparseSize(); r.err == nil && sparse < hllM {
			r.fail(errors.New("dense encoding of a sparse sketch"))
		}
	case enc == hllSparse:
		out.sparse = readSparse(&r)
		if r.err == nil && len(body)-2 >= hllM {
			r.fail(errors.New("sparse encoding of a dense sketch"))
		}
		if len(out.sparse) > hllSparseMax {
			out.densify()
		}
	default:
		r.fail(fmt.Errorf("unknown encoding %d", enc))
	}
	if err := r.done("hll"); err != nil {
		return err
	}
	*h = out
	return nil
}

func readSparse(r *reader) []uint32 {
	n := r.uvarint()
	if r.err != nil || n > hllM || n > uint64(len(r.b)) { // each entry takes a byte at least
		r.fail(fmt.Errorf("%d sparse registers", n))
		return nil
	}
	out := make([]uint32, 0, n)
	next := uint64(0) // smallest index the next entry may have
	for range n {
		e := r.uvarint()
		idx, v := next+e>>6, uint8(e&63)
		switch {
		case r.err != nil:
			return nil
		case v == 0 || v > hllQ+1:
			r.fail(fmt.Errorf("register %d out of range", v))
			return nil
		case idx >= hllM:
			r.fail(fmt.Errorf("register index %d out of range", idx))
			return nil
		}
		out = append(out, uint32(idx)<<8|uint32(v))
		next = idx + 1
	}
	return out
}
