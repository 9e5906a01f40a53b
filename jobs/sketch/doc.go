// Package sketch owns the mergeable summaries behind hetl's approximate
// aggregates: HLL for approx_distinct and Quantiles for percentile, and
// the fixed hash they and the task shuffle use (HashBytes).
//
// # Determinism
//
// Partial sketches are built by separate tasks, possibly on different
// machines, serialized, and merged. The invariant is that a sketch is a
// function of the multiset of values it has seen, and nothing else: not
// the order of adds, not how values were split between partial
// sketches, not the order or shape of merges, not the platform. Equal
// sketches serialize to equal bytes, so the merged result is
// bit-identical however the work was partitioned.
//
//   - HLL: a register is the maximum over its values, and Merge takes
//     maxima. The hash is XXH64, fixed forever.
//   - Quantiles: bin indexes are computed with correctly rounded IEEE
//     operations only (and no fused multiply-add), never math.Log, whose
//     last bit differs between builds (see mapping.go). Collapsing keeps the bins that the
//     whole input would keep (see below). Count, Min, Max are exact, and
//     Sum is kept as an exact fixed-point integer and rounded once when
//     read, so it too is independent of order (a float64 running total
//     would not be).
//
// # HLL error
//
// HyperLogLog (Flajolet et al. 2007) with m = 2^14 registers, 64-bit
// hashes (14 index bits, 50 bits for the rank, so no large-range
// correction is needed) and Ertl's improved estimator (2017), which
// needs neither bias tables nor a switch-over threshold. The relative
// standard error is about 1.04/√m ≈ 0.81%: 99.7% of estimates are within
// 3 standard errors (2.4%). For n well below m the estimator coincides
// with linear counting, whose standard deviation is
// √(m·(e^(n/m) − n/m − 1)) ≈ n/√(2m): under 0.6 for n ≤ 100, so small
// counts are exact or off by one, rarely two; up to 10 they are exact in
// practice. Values that collide in all 64 hash bits count once.
//
// # Quantiles error
//
// A DDSketch (Masson, Rim, Lee 2019) of relative accuracy α. Let x_0 ≤ …
// ≤ x_(n−1) be the values added and r = ⌊p·(n−1)⌋ (0-based; p·(n−1) is
// computed in float64). Quantile(p) returns v with
//
//	|v − x_r| ≤ α·|x_r|
//
// for every p in [0, 1], with the one exception below. In particular the
// sign is right and zero is exact; p = 0 and p = 1 return the exact Min
// and Max. Bins cover about 0.375/α of them per doubling of magnitude
// (37.5 for α = 0.01, ≈125 per decade) on each side of zero, so the
// default 2048 bins hold about 16 decades of magnitudes in all.
//
// Collapsing: when more than the bin limit (default 2048) of bins are
// non-empty, the lowest bins in value order (most negative values
// first, then zero, then the smallest positive ones) are folded into the
// lowest bin kept. The kept bins are always the limit's highest of the
// whole input's bins, so this is deterministic too. Afterwards the ranks
// r < c, where c is the count of the lowest bin, may be overestimated
// (the value returned is the lowest bin's, at least x_r); every higher
// rank keeps the α bound, and Min stays exact.
//
// # Serialized formats
//
// Both are framed as magic (2 bytes), format version (1 byte), body,
// then CRC-32C (Castagnoli) of everything before it (4 bytes,
// big-endian). UnmarshalBinary refuses a wrong magic, another version, a
// bad checksum, inconsistent contents and non-canonical encodings, each
// with its own error. Varints are encoding/binary's, shortest form only.
//
// HLL, magic "HL", version 2 (version 1, bare registers of an FNV-1a
// hash, is refused: its registers are incompatible):
//
//	precision (1 byte, 14) | encoding (1 byte) | registers
//	dense  (0): 2^14 register bytes, each 0..51
//	sparse (1): uvarint n, then n × uvarint(gap<<6 | register) in index
//	            order, gap = index − previous index − 1, register 1..51
//
// The sparse encoding is used exactly when it is shorter (an empty
// sketch is 10 bytes, a full one 16 393).
//
// Quantiles, magic "DD", version 2 (version 1, math.Log bins, refused):
//
//	alpha (float64 bits, 8 bytes) | uvarint bin limit | uvarint count |
//	min, max (float64 bits, 8 bytes each; +Inf, −Inf when empty) |
//	sum: sign (1 byte) | uvarint first digit | uvarint digits |
//	     digits (uvarint, base 2^32, least significant first, in units
//	     of 2^−1074, first and last non-zero) |
//	uvarint bins | per bin, ascending: key (varint for the first,
//	     uvarint gap for the rest) | uvarint count (≥ 1)
//
// A bin key is 0 for zero, 2^30 + i for a positive value of bin index i
// and −(2^30 + i) for a negative one (mapping.go).
package sketch
