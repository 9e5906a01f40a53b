package sketch

import (
	"math"
	"math/big"
)

// exactSum is the exact sum of float64 values, kept as a fixed-point
// integer in units of 2^-1074 (the smallest subnormal), so addition is
// exact and therefore associative and commutative: partial sums merge
// to the same bits in any order. (A Kulisch-style long accumulator; the
// sum is rounded once, when read.)
//
// limbs[i] weighs 2^(32i−1074). Limbs are signed and may run ahead of
// their carries; normalize brings limbs 0..66 into [0, 2^32) and leaves
// the sign in the top one. 68 limbs hold every float64 (bits 0..2097)
// plus 64 bits of headroom for up to 2^64 values.
type exactSum struct {
	limbs   [sumLimbs]int64
	pending uint32 // adds since the last normalize
}

const (
	sumLimbs   = 68
	limbBits   = 32
	limbMask   = 1<<limbBits - 1
	maxPending = 1 << 29 // each add moves a limb by < 2^33: 2^29 of them stay < 2^62
)

func (s *exactSum) add(x float64) {
	b := math.Float64bits(x)
	e := int(b >> 52 & 0x7ff)
	m := b & (1<<52 - 1)
	if e == 0 {
		e = 1 // subnormal: same scale as the smallest normal, no hidden bit
	} else {
		m |= 1 << 52
	}
	if m == 0 {
		return
	}
	// x = ±m·2^(e−1075): m's lowest bit is bit e−1 of the accumulator.
	pos := e - 1
	i, o := pos/limbBits, uint(pos%limbBits)
	lo := (m & limbMask) << o // < 2^63
	hi := (m >> limbBits) << o
	d0 := int64(lo & limbMask)
	d1 := int64(lo>>limbBits + hi&limbMask)
	d2 := int64(hi >> limbBits)
	if b>>63 != 0 {
		d0, d1, d2 = -d0, -d1, -d2
	}
	s.limbs[i] += d0
	s.limbs[i+1] += d1
	s.limbs[i+2] += d2
	if s.pending++; s.pending == maxPending {
		s.normalize()
	}
}

// normalize propagates carries (an arithmetic shift is a floor
// division, so negative limbs borrow correctly).
func (s *exactSum) normalize() {
	for i := 0; i < sumLimbs-1; i++ {
		c := s.limbs[i] >> limbBits
		s.limbs[i] -= c << limbBits
		s.limbs[i+1] += c
	}
	s.pending = 0
}

func (s *exactSum) merge(o *exactSum) {
	s.normalize()
	for i, l := range o.limbs { // o's limbs < 2^62, s's < 2^32: no overflow
		s.limbs[i] += l
	}
	s.normalize()
}

// magnitude is the sum's sign and absolute value as canonical 32-bit
// digits, least significant first.
func (s *exactSum) magnitude() (neg bool, d [sumLimbs]uint32) {
	t := *s
	t.normalize()
	if neg = t.limbs[sumLimbs-1] < 0; neg {
		for i := range t.limbs {
			t.limbs[i] = -t.limbs[i]
		}
		t.normalize()
	}
	for i, l := range t.limbs {
		d[i] = uint32(l)
	}
	return neg, d
}

// setMagnitude is the inverse of magnitude.
func (s *exactSum) setMagnitude(neg bool, d [sumLimbs]uint32) {
	*s = exactSum{}
	for i, v := range d {
		s.limbs[i] = int64(v)
		if neg {
			s.limbs[i] = -s.limbs[i]
		}
	}
	s.normalize()
}

// float64 is the sum rounded once to the nearest float64 (ties to even);
// ±Inf if it is beyond float64's range.
func (s *exactSum) float64() float64 {
	neg, d := s.magnitude()
	n := new(big.Int)
	for i := sumLimbs - 1; i >= 0; i-- {
		n.Lsh(n, limbBits)
		n.Or(n, big.NewInt(int64(d[i])))
	}
	if neg {
		n.Neg(n)
	}
	f := new(big.Float).SetInt(n) // exact: precision grows to fit
	f.SetMantExp(f, -1074)
	v, _ := f.Float64()
	return v
}
