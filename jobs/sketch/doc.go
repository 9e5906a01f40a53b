// Package sketch holds the mergeable summaries hourly aggregates use for
// approximate measures: HLL (count distinct) and Quantiles (percentiles).
//
// Both are deterministic: the same values give the same sketch whatever
// order they were added in and however they were split into partial
// sketches before Merge, so results do not depend on the executor.
//
// Error bounds:
//   - HLL has 2^14 registers: the standard error of Estimate is about
//     1.04/sqrt(16384) = 0.81%; below about 40 000 distinct values linear
//     counting is used, which is much closer (small counts are exact or
//     off by one).
//   - Quantiles is a DDSketch (Masson, Rim, Lee, 2019) with relative
//     accuracy alpha: Quantile(p) is within a factor (1 ± alpha) of the
//     value of rank floor(p × (n − 1)) (0-based) in the sorted input.
//     Zero is kept exactly; negative values are mirrored.
//
// Serialized forms start with a version byte; Unmarshal refuses others.
package sketch
