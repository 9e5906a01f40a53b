package sketch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

const (
	quantilesMagic = "DD"
	// quantilesVersion 1 binned by math.Log and had no exact sum; its
	// bins are not these, so it is refused, not converted.
	quantilesVersion = 2
)

// MarshalBinary encodes the sketch (format version 2; see the package
// doc). Equal sketches give equal bytes.
func (q *Quantiles) MarshalBinary() ([]byte, error) {
	q.flush()
	if q.invW == 0 {
		return nil, errUninitialised
	}
	b := header(quantilesMagic, quantilesVersion, 64+6*len(q.keys))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.alpha))
	b = binary.AppendUvarint(b, uint64(q.maxBins))
	b = binary.AppendUvarint(b, q.count)
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.min))
	b = binary.BigEndian.AppendUint64(b, math.Float64bits(q.max))

	// The sum: sign, then the non-zero span of its 32-bit digits.
	neg, d := q.sum.magnitude()
	lo, hi := 0, -1
	for i, v := range d {
		if v != 0 {
			if hi < 0 {
				lo = i
			}
			hi = i
		}
	}
	b = append(b, boolByte(neg))
	b = binary.AppendUvarint(b, uint64(lo))
	b = binary.AppendUvarint(b, uint64(hi-lo+1))
	for _, v := range d[lo : hi+1] {
		b = binary.AppendUvarint(b, uint64(v))
	}

	// The bins: the first key, then gaps to the next, each with its count.
	b = binary.AppendUvarint(b, uint64(len(q.keys)))
	for i, k := range q.keys {
		if i == 0 {
			b = binary.AppendVarint(b, int64(k))
		} else {
			b = binary.AppendUvarint(b, uint64(int64(k)-int64(q.keys[i-1])))
		}
		b = binary.AppendUvarint(b, q.counts[i])
	}
	return seal(b), nil
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// UnmarshalBinary replaces q, whatever its accuracy, with the sketch
// MarshalBinary encoded. It refuses other formats and versions, corrupt,
// truncated, inconsistent or non-canonical input.
func (q *Quantiles) UnmarshalBinary(b []byte) error {
	if len(b) > 0 && b[0] == 1 {
		return errors.New("quantiles: format version 1 (math.Log bins) cannot be read or merged with version 2: rebuild it from the source rows")
	}
	body, err := open(b, quantilesMagic, quantilesVersion, "quantiles")
	if err != nil {
		return err
	}
	r := reader{b: body}
	alpha := r.float64()
	maxBins := r.uvarint()
	if r.err != nil {
		return r.done("quantiles")
	}
	out, err := NewQuantilesMaxBins(alpha, int(min(maxBins, maxMaxBins+1)))
	if err != nil {
		return err
	}
	out.count = r.uvarint()
	out.min, out.max = r.float64(), r.float64()
	readSum(&r, &out.sum)
	readBins(&r, out)
	if r.err == nil {
		r.err = out.check()
	}
	if err := r.done("quantiles"); err != nil {
		return err
	}
	*q = *out
	return nil
}

func readSum(r *reader, s *exactSum) {
	sign, lo, n := r.byte(), r.uvarint(), r.uvarint()
	switch {
	case r.err != nil:
		return
	case sign > 1 || lo > sumLimbs || n > sumLimbs-lo:
		r.fail(errors.New("sum out of range"))
		return
	case n == 0 && (sign != 0 || lo != 0):
		r.fail(errors.New("non-canonical zero sum"))
		return
	}
	var d [sumLimbs]uint32
	for i := range n {
		v := r.uvarint()
		if v > math.MaxUint32 || v == 0 && (i == 0 || i == n-1) {
			r.fail(errors.New("sum digit out of range"))
			return
		}
		d[lo+i] = uint32(v)
	}
	s.setMagnitude(sign == 1, d)
}

func readBins(r *reader, q *Quantiles) {
	n := r.uvarint()
	if r.err != nil {
		return
	}
	if n > uint64(q.maxBins) || n > uint64(len(r.b)/2) { // a bin takes 2 bytes at least
		r.fail(fmt.Errorf("%d bins", n))
		return
	}
	loIdx, hiIdx := keyRange(q.invW)
	q.keys, q.counts = make([]int32, 0, n), make([]uint64, 0, n)
	var total uint64
	prev := int64(0)
	for i := range n {
		var key int64
		if i == 0 {
			key = r.varint()
		} else if gap := r.uvarint(); gap == 0 || gap > 1<<32 {
			r.fail(errors.New("bins out of order"))
			return
		} else {
			key = prev + int64(gap)
		}
		c := r.uvarint()
		if r.err != nil {
			return
		}
		mag := key
		if mag < 0 {
			mag = -mag
		}
		if key != 0 && (mag-keyOffset < int64(loIdx) || mag-keyOffset > int64(hiIdx)) {
			r.fail(fmt.Errorf("bin key %d out of range", key))
			return
		}
		if c == 0 || c > math.MaxUint64-total {
			r.fail(errors.New("bin count out of range"))
			return
		}
		q.keys, q.counts = append(q.keys, int32(key)), append(q.counts, c)
		total += c
		prev = key
	}
}

// check is the consistency of a decoded sketch.
func (q *Quantiles) check() error {
	var total uint64
	for _, c := range q.counts {
		total += c
	}
	switch {
	case total != q.count:
		return fmt.Errorf("bin counts sum to %d, count is %d", total, q.count)
	case q.count == 0:
		neg, d := q.sum.magnitude()
		if q.min != math.Inf(1) || q.max != math.Inf(-1) || neg || d != [sumLimbs]uint32{} {
			return errors.New("empty sketch with extremes or a sum")
		}
	case math.IsNaN(q.min) || math.IsInf(q.min, 0) || math.IsNaN(q.max) || math.IsInf(q.max, 0) ||
		q.min > q.max || math.Signbit(q.min) && q.min == 0 || math.Signbit(q.max) && q.max == 0:
		return fmt.Errorf("bad extremes %v, %v", q.min, q.max)
	case key(q.min, q.invW) > q.keys[0] || key(q.max, q.invW) != q.keys[len(q.keys)-1]:
		return errors.New("extremes outside the bins")
	}
	return nil
}
