package sketch

import "math"

// Index mapping of the DDSketch. The paper bins a value v > 0 by
// ⌈log_γ v⌉ with γ = (1+α)/(1−α). math.Log is not bit-identical across
// builds: the compiler may fuse its multiply-adds (about 5% of results
// differ in the last bit between GOAMD64=v1 and v3 builds on the same
// machine), so a value near a bin boundary could land in different bins
// in different tasks and merged sketches would differ. Instead the bins
// are equal steps of an approximate base-2 logarithm computed with
// correctly rounded IEEE operations only, each product rounded on its
// own:
//
//	v = (1+t)·2^E, t ∈ [0,1)     (exact, from the float's bits)
//	L(v) = E + P(t),  P(t) = t(4−t)/3
//	bin(v) = ⌈L(v)/w⌉
//
// P is increasing with P(0) = 0 and P(1) = 1, so L is continuous and
// increasing. Along L, d(ln v)/dL = 1/((1+t)·P'(t)) = 3/((1+t)(4−2t)),
// which is at most 3/4 (at t = 0 and t → 1): a bin of width w spans a
// ratio hi/lo ≤ e^(3w/4). With w = (8/3)·α·(1−ε) that ratio is at most
// e^(2α(1−ε)) < γ (since ln γ = 2·artanh α ≥ 2α), and the bin's
// representative 2·lo·hi/(lo+hi) is within (hi−lo)/(hi+lo) ≤ tanh(α(1−ε))
// < α of every value in the bin. ε = 1e-5 leaves room for float64
// rounding at bin boundaries. The cost is ≈ 8% more bins than exact
// logarithms (1/w = 0.375/α per binade against ln 2/(2α) ≈ 0.347/α).
const widthMargin = 1e-5

// MinAlpha is the smallest accepted relative accuracy: below it the bin
// indexes of extreme float64 magnitudes would not fit an int32 key, and
// float64 rounding would matter against the bin width.
const MinAlpha = 1e-6

// keyOffset shifts magnitude bin indexes (|index| < 2^29 for α ≥
// MinAlpha) so that one int32 orders all values: negative values get
// −(keyOffset+index), zero gets 0, positive values keyOffset+index.
const keyOffset = 1 << 30

// binWidth is w for alpha, from +, × and ÷ only, so every process
// computes the same bits.
func binWidth(alpha float64) float64 {
	return float64(float64(8*alpha)/3) * (1 - widthMargin)
}

// magIndex is ⌈L(a)/w⌉ for a finite a > 0.
func magIndex(a, invW float64) int32 {
	// a = (1+t)·2^e with t ∈ [0, 1), exactly: read from the bits for
	// normal numbers, from Frexp for subnormal ones.
	bits := math.Float64bits(a)
	e := int(bits>>52) - 1023
	t := math.Float64frombits(bits&(1<<52-1)|1023<<52) - 1
	if e == -1023 {
		frac, exp := math.Frexp(a) // frac ∈ [0.5, 1)
		t, e = 2*frac-1, exp-1
	}
	// float64(...) rounds the product on its own (no fused
	// multiply-add), so all platforms get the same bits.
	x := (float64(e) + float64(float64(t*(4-t))*(1.0/3))) * invW
	i := int32(x) // truncation: ⌈x⌉ unless x is positive and fractional
	if float64(i) < x {
		i++
	}
	return i
}

// key orders v among all values (see keyOffset); v must be finite.
func key(v, invW float64) int32 {
	switch {
	case v > 0:
		return keyOffset + magIndex(v, invW)
	case v < 0:
		return -(keyOffset + magIndex(-v, invW))
	}
	return 0
}

// representative is the value reported for the bin of key k: the point
// with equal relative distance to both ends of the bin.
func representative(k int32, w float64) float64 {
	switch {
	case k > 0:
		return magRepresentative(k-keyOffset, w)
	case k < 0:
		return -magRepresentative(-k-keyOffset, w)
	}
	return 0
}

// magRepresentative is 2·lo·hi/(lo+hi) for the bin (lo, hi] of
// magnitude index i, computed relative to lo's exponent so that neither
// end overflows.
func magRepresentative(i int32, w float64) float64 {
	loF, loE := inverseL(float64(i-1) * w)
	hiF, hiE := inverseL(float64(i) * w)
	hi := math.Ldexp(hiF, hiE-loE) // hiE−loE ≤ 3: exact
	r := 2 * loF * hi / (loF + hi)
	// The top bins reach past MaxFloat64; their values do not, so
	// MaxFloat64 is closer to each of them than the true midpoint.
	return min(math.Ldexp(r, loE), math.MaxFloat64)
}

// inverseL solves L(v) = y: v = f·2^e with f = 1+t, P(t) = y − e.
func inverseL(y float64) (f float64, e int) {
	fl := math.Floor(y)
	s := y - fl
	t := 2 - math.Sqrt(4-float64(3*s)) // the root of t² − 4t + 3s = 0 in [0, 1]
	return 1 + t, int(fl)
}

// keyRange is the lowest and highest magnitude index a finite value
// can get, for validating decoded sketches.
func keyRange(invW float64) (lo, hi int32) {
	return magIndex(math.SmallestNonzeroFloat64, invW), magIndex(math.MaxFloat64, invW)
}
