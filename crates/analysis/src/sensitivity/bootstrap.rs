//! Quantiles and bootstrap percentile intervals.
//!
//! One quantile rule serves every interval of sensitivity and calibration:
//! Hazen's (Hyndman and Fan's type 5), which puts the i-th of n sorted
//! values (from 1) at probability (i - 1/2)/n and interpolates linearly
//! between neighbours, holding the end values beyond the ends. With
//! weights, value i sits at (W_i - w_i/2)/W, W_i the weight up to and
//! including it: the same rule when the weights are equal. It needs only
//! `+ - * /`, so quantiles are the same bits everywhere.

use super::{CONFIDENCE, Estimate};

/// The probability in each tail of a 95% interval, written out: `(1 -
/// 0.95) / 2` in binary is 0.025 plus 2^-56.
pub(crate) const TAIL: f64 = 0.025;
const _: () = assert!(TAIL + TAIL + CONFIDENCE == 1.0);

/// The `probability` quantile of values sorted in ascending order
/// (non-empty, finite).
pub(crate) fn quantile_sorted(sorted: &[f64], probability: f64) -> f64 {
    assert!(!sorted.is_empty(), "a quantile of no values");
    let count = sorted.len();
    // Position in units of values, 0 at the first value's probability.
    let position = probability * count as f64 - 0.5;
    if position <= 0.0 {
        return sorted[0];
    }
    let lower = position.floor() as usize;
    if lower + 1 >= count {
        return sorted[count - 1];
    }
    let fraction = position - lower as f64;
    sorted[lower] + fraction * (sorted[lower + 1] - sorted[lower])
}

/// The `probability` quantile of `(value, weight)` pairs sorted by value,
/// weights at least 0 with a positive sum; zero weights take no part.
pub(crate) fn weighted_quantile_sorted(pairs: &[(f64, f64)], probability: f64) -> f64 {
    let total: f64 = pairs.iter().map(|&(_, weight)| weight).sum();
    assert!(total > 0.0, "a weighted quantile needs a positive weight");
    let target = probability * total;
    let mut below = 0.0;
    // The last weighted value and its position (in weight units).
    let mut previous: Option<(f64, f64)> = None;
    for &(value, weight) in pairs.iter().filter(|&&(_, weight)| weight > 0.0) {
        let position = below + 0.5 * weight;
        if target <= position {
            return match previous {
                None => value,
                Some((previous_value, previous_position)) => {
                    let fraction = (target - previous_position) / (position - previous_position);
                    previous_value + fraction * (value - previous_value)
                }
            };
        }
        previous = Some((value, position));
        below += weight;
    }
    previous.expect("a positive weight was seen").0
}

/// The estimate `value` with the 95% percentile interval of its bootstrap
/// replicates `samples` (non-empty; sorted here).
pub(crate) fn percentile_interval(value: f64, samples: &mut [f64]) -> Estimate {
    samples.sort_unstable_by(f64::total_cmp);
    Estimate {
        value,
        low: quantile_sorted(samples, TAIL),
        high: quantile_sorted(samples, 1.0 - TAIL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazen_quantiles_by_hand() {
        // Four values sit at probabilities 1/8, 3/8, 5/8, 7/8.
        let sorted = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(quantile_sorted(&sorted, 0.125), 10.0);
        assert_eq!(quantile_sorted(&sorted, 0.5), 25.0);
        assert_eq!(quantile_sorted(&sorted, 0.25), 15.0);
        assert_eq!(quantile_sorted(&sorted, 0.0), 10.0);
        assert_eq!(quantile_sorted(&sorted, 0.9), 40.0);
        assert_eq!(quantile_sorted(&sorted, 1.0), 40.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn equal_weights_give_the_unweighted_quantile() {
        let sorted = [1.0, 2.0, 4.0, 8.0, 16.0];
        let pairs: Vec<(f64, f64)> = sorted.iter().map(|&value| (value, 0.5)).collect();
        for step in 0..=20 {
            let probability = f64::from(step) / 20.0;
            let plain = quantile_sorted(&sorted, probability);
            let weighted = weighted_quantile_sorted(&pairs, probability);
            assert!((plain - weighted).abs() < 1e-12, "{probability}");
        }
    }

    #[test]
    fn weighted_quantiles_by_hand_and_zero_weights_ignored() {
        // Weights 1 and 3 (and a zero): total 4, positions 0.5 and 2.5.
        // The median's target, 2, is (2 - 0.5) / (2.5 - 0.5) = 0.75 of the
        // way from 10 to 20.
        let pairs = [(5.0, 0.0), (10.0, 1.0), (20.0, 3.0)];
        assert_eq!(weighted_quantile_sorted(&pairs, 0.5), 17.5);
        assert_eq!(weighted_quantile_sorted(&pairs, 0.1), 10.0);
        assert_eq!(weighted_quantile_sorted(&pairs, 0.95), 20.0);
    }

    #[test]
    fn the_percentile_interval_reads_the_tails() {
        // 1..=1000: the 2.5% quantile is at position 25 - 0.5 = 24.5 (from
        // 0), between the 25th and 26th values: 25.5; the 97.5% at 974.5:
        // 975.5.
        let mut samples: Vec<f64> = (1..=1000).rev().map(f64::from).collect();
        let estimate = percentile_interval(3.0, &mut samples);
        assert_eq!(
            estimate,
            Estimate {
                value: 3.0,
                low: 25.5,
                high: 975.5
            }
        );
    }
}
