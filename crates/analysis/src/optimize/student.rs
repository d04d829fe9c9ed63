//! Sample moments and one-sided Student-t quantiles for the procedures.
//!
//! [`crate::statistics::t_quantile`] serves two-sided intervals up to
//! 99.99%. Racing shares its error probability among candidates,
//! constraints and stages, so a single test may be left a one-sided tail
//! of 10⁻⁸ or less; this file finds such quantiles from the same exact
//! series for integer degrees of freedom (Abramowitz and Stegun 26.7.3 and
//! 26.7.4), with a search that widens its bracket until it holds the
//! quantile (with one degree of freedom and a tail of 10⁻¹⁰ it is about
//! 3·10⁹). The series gives P(|T| <= t) near 1 with an absolute error of a
//! few units in 10⁻¹⁶, so a tail of [`super::TAIL_PROBABILITY_MIN`] is found
//! to about a part in a million.
//!
//! Only IEEE basic operations, `sqrt` and `libm::atan` are used, in a fixed
//! order, so a quantile has the same bits on every platform.

/// The mean and the sample standard deviation (divisor n - 1) of `count`
/// values, summed in the iterator's order; `count` is at least 2.
pub(crate) fn mean_sd(values: impl Iterator<Item = f64> + Clone, count: usize) -> (f64, f64) {
    assert!(count >= 2, "a standard deviation needs two values");
    let n = count as f64;
    let mean = values.clone().take(count).sum::<f64>() / n;
    let squares: f64 = values
        .take(count)
        .map(|value| (value - mean) * (value - mean))
        .sum();
    (mean, (squares / (n - 1.0)).sqrt())
}

/// The t with P(T > t) = `tail` for Student's t with `degrees` degrees of
/// freedom: the multiplier of a one-sided bound at confidence 1 - `tail`.
/// `tail` is in [[`super::TAIL_PROBABILITY_MIN`], 0.5).
pub(crate) fn t_upper_quantile(degrees: usize, tail: f64) -> f64 {
    assert!(degrees >= 1, "a t quantile needs a degree of freedom");
    assert!(
        (super::TAIL_PROBABILITY_MIN..0.5).contains(&tail),
        "a one-sided tail in [1e-10, 0.5), not {tail}"
    );
    let target = 1.0 - 2.0 * tail;
    // Widen the bracket until it holds the quantile: with one degree of
    // freedom and the smallest tail that takes 32 doublings.
    let mut high = 1.0_f64;
    while two_sided_probability(high, degrees) < target {
        high *= 2.0;
    }
    let mut low = 0.0_f64;
    for _ in 0..200 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if two_sided_probability(middle, degrees) < target {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

/// P(|T| <= t): the exact series of [`crate::statistics`], which two-sided
/// intervals use too.
fn two_sided_probability(t: f64, degrees: usize) -> f64 {
    crate::statistics::t_two_sided_probability(t, degrees as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::t_quantile;

    #[test]
    fn one_sided_quantiles_match_the_published_tables() {
        // One-sided upper critical values t(1 - tail, ν), from the NIST/SEMATECH
        // e-Handbook table 1.4.2.7.2 (columns 0.95, 0.975, 0.99, 0.999).
        for (degrees, tail, expected) in [
            (4, 0.05, 2.132),
            (4, 0.025, 2.776),
            (9, 0.05, 1.833),
            (9, 0.01, 2.821),
            (10, 0.001, 4.144),
            (1, 0.025, 12.706),
            (30, 0.025, 2.042),
            (100, 0.001, 3.174),
        ] {
            let t = t_upper_quantile(degrees, tail);
            assert!(
                (t - expected).abs() < 6e-4,
                "df {degrees}, tail {tail}: {t} vs {expected}"
            );
        }
    }

    #[test]
    fn far_tails_match_closed_forms() {
        // ν = 1 is Cauchy: P(T > t) = 1/2 - atan(t)/π, so t = 1/tan(π·tail),
        // about 1/(π·tail) for a small tail (the next term, π·tail/3, is below
        // 1e-9 here).
        for tail in [1e-4, 1e-7, 1e-10] {
            let expected = 1.0 / (std::f64::consts::PI * tail);
            let t = t_upper_quantile(1, tail);
            assert!(
                ((t - expected) / expected).abs() < 1e-5,
                "tail {tail}: {t} vs {expected}"
            );
        }
        // ν = 2: P(T > t) = (1 - t/√(2 + t²))/2, so t = (1 - 2p)·√(2 / (1 - (1 - 2p)²)).
        for tail in [1e-3, 1e-6, 1e-9] {
            let c: f64 = 1.0 - 2.0 * tail;
            let expected = c * (2.0 / (4.0 * tail * (1.0 - tail))).sqrt();
            let t = t_upper_quantile(2, tail);
            assert!(
                ((t - expected) / expected).abs() < 1e-5,
                "tail {tail}: {t} vs {expected}"
            );
        }
    }

    #[test]
    fn one_sided_quantiles_agree_with_the_two_sided_ones_of_statistics() {
        // t(1 - p) one-sided is the two-sided multiplier at confidence 1 - 2p.
        for degrees in [1, 2, 3, 7, 20, 151] {
            for tail in [0.2, 0.05, 0.001, 0.00005] {
                let one_sided = t_upper_quantile(degrees, tail);
                let two_sided = t_quantile(degrees as u64, 1.0 - 2.0 * tail);
                assert!(
                    ((one_sided - two_sided) / two_sided).abs() < 1e-9,
                    "df {degrees}, tail {tail}"
                );
            }
        }
    }

    #[test]
    fn moments_of_known_values() {
        // 1..=5: mean 3, squares 4 + 1 + 0 + 1 + 4 = 10, sd √(10/4).
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 100.0];
        let (mean, sd) = mean_sd(values.iter().copied(), 5);
        assert_eq!(mean, 3.0);
        assert_eq!(sd, 2.5_f64.sqrt());
    }
}
