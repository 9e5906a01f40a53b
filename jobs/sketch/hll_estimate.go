package sketch

import "math"

// Estimate is the approximate number of distinct values added.
//
// It is Ertl's improved raw estimator (O. Ertl, "New cardinality
// estimation algorithms for HyperLogLog sketches", 2017, eq. (11) and
// Algorithm 6), computed from the histogram of register values:
//
//	n ≈ α∞·m² / (m·σ(C₀/m) + Σ_{k=1..q} C_k·2^-k + m·τ(1 − C_{q+1}/m)·2^-q)
//
// with α∞ = 1/(2 ln 2). Where registers are still empty the σ term makes
// it behave as linear counting (−m·ln(C₀/m)), and it stays unbiased
// through the range where the classic estimator needs an empirical bias
// correction (Heule et al. 2013), so there is no switch-over threshold.
// Only +, −, ×, ÷ and √ are used, so the same registers give the same
// estimate on every platform.
func (h *HLL) Estimate() uint64 {
	c := h.histogram()
	const m = float64(hllM)
	z := m * tau(1-float64(c[hllQ+1])/m)
	for k := hllQ; k >= 1; k-- {
		z = 0.5 * (z + float64(c[k]))
	}
	// float64(...) rounds the product on its own (no fused multiply-add).
	z += float64(m * sigma(float64(c[0])/m))
	const alphaInf = 0.7213475204444817 // 1/(2 ln 2)
	return uint64(math.Round(alphaInf * m * m / z))
}

// sigma is σ(x) = x + Σ_{k≥1} x^(2^k)·2^(k−1), summed until it stops
// changing; σ(1) = ∞ (no register set: the estimate is 0).
func sigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		// float64(...) keeps each product rounded on its own (no fused
		// multiply-add), so every platform gets the same bits.
		z += float64(x * y)
		y += y
		if z == prev {
			return z
		}
	}
}

// tau is τ(x) = (1 − x − Σ_{k≥1} (1 − x^(2^−k))²·2^−k) / 3.
func tau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if z == prev {
			return z / 3
		}
	}
}
