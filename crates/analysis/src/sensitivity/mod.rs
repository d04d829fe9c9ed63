//! Global sensitivity analysis on the unit hypercube: the designs that say
//! where to run the simulator, and the estimators that say which factors
//! move which metrics.
//!
//! Everything here works on points of `[0, 1)^k` (Morris grids reach 1
//! itself) and on plain `f64` outputs, one row per point and one column per
//! metric. Mapping a coordinate to a scenario's value (a range for a
//! continuous factor, [`level_of`] for a list of values) and running the
//! simulator belong to the caller, so this module stays a set of pure
//! functions that can be checked against closed forms.
//!
//! - Designs: [`scrambled_sobol`] (Owen-scrambled Sobol points),
//!   [`latin_hypercube`], [`morris_design`] (elementary-effects
//!   trajectories) and [`saltelli_design`] (the A, B and A_B^(i) matrices of
//!   variance-based indices). Each design's points come in a documented,
//!   stable order: point `i` of a design is simulation run `i`, and shards
//!   may split the runs by index.
//! - Estimators: [`morris_indices`] (mu, mu*, sigma and a ranking) and
//!   [`sobol_indices`] (first-order and total indices), each with a
//!   bootstrap percentile interval at 95%.
//!
//! Determinism: a design is a pure function of its sizes and seed, and an
//! estimate of its design, outputs and seed. Random draws come from named
//! ChaCha8 streams of the seed ([`escrowsim_core::engine::random::stream`]);
//! arithmetic is IEEE basic operations and `sqrt` in a fixed order, so the
//! same inputs give the same bits on every platform. An index that is
//! undefined (an output that does not vary) is `None`, never NaN.
//!
//! ```
//! use escrowsim_analysis::sensitivity::{RESAMPLES_DEFAULT, saltelli_design, sobol_indices};
//!
//! // Two factors; the model stands in for simulation runs, one per point.
//! let design = saltelli_design(2, 1024, 7).unwrap();
//! let outputs: Vec<Vec<f64>> = design
//!     .points
//!     .iter()
//!     .map(|x| vec![x[0] + 0.1 * x[1]])
//!     .collect();
//! let indices = sobol_indices(&design, &outputs, RESAMPLES_DEFAULT, 7).unwrap();
//! // Additive: S1 = 1 / 1.01 for x1 and 0.01 / 1.01 for x2.
//! let first = indices[0].factors[0].first.unwrap();
//! assert!((first.value - 1.0 / 1.01).abs() < 0.02 && first.covers(1.0 / 1.01));
//! ```
//!
//! `docs/sensitivity.md` states the methods, the formulas, their sources
//! and what the figures mean for a policy analyst.

mod bootstrap;
mod draws;
mod latin;
mod morris;
mod saltelli;
mod sequence;
#[cfg(test)]
mod test_functions;

pub(crate) use bootstrap::weighted_quantile_sorted;
#[cfg(test)]
pub(crate) use draws::Draws;
pub use latin::latin_hypercube;
pub use morris::{
    MORRIS_LEVELS_DEFAULT, MORRIS_LEVELS_MAX, MORRIS_TRAJECTORIES_MIN, MorrisDesign, MorrisIndex,
    MorrisIndices, MorrisStep, morris_design, morris_indices,
};
pub use saltelli::{
    SALTELLI_BASE_ROWS_MIN, SaltelliDesign, SaltelliPoint, SobolIndex, SobolIndices,
    saltelli_design, sobol_indices,
};
pub use sequence::{SOBOL_DIMENSIONS_MAX, SOBOL_POINTS_MAX, scrambled_sobol};

use serde::Serialize;

/// Most factors of one design: beyond this a screening design should
/// first set the unimportant ones aside.
pub const FACTORS_MAX: usize = 64;
/// Most points (simulation runs) of one design.
pub const POINTS_MAX: usize = 1_000_000;
/// Most coordinates (points times factors) of one design: 128 MiB of
/// `f64`, a bound on the memory a design takes.
pub const COORDINATES_MAX: usize = 16 * 1024 * 1024;
/// Most metrics (output columns) of one analysis.
pub const METRICS_MAX: usize = 256;
/// Bootstrap resamples of an interval unless the caller asks otherwise:
/// enough for the 2.5% and 97.5% percentiles to settle to about a
/// hundredth of the interval's width.
pub const RESAMPLES_DEFAULT: u32 = 1000;
/// Fewest bootstrap resamples: below this a 95% percentile is read off a
/// handful of values.
pub const RESAMPLES_MIN: u32 = 100;
/// Most bootstrap resamples.
pub const RESAMPLES_MAX: u32 = 100_000;
/// Largest output magnitude: squares of differences of outputs, summed
/// over a design's points, stay finite in `f64`.
pub const OUTPUT_MAGNITUDE_MAX: f64 = 1e150;
/// The two-sided confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;

/// A point estimate with its 95% bootstrap percentile interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// Whether `value` lies in the closed interval.
    pub fn covers(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// A design or an analysis outside its bounds, or outputs that do not fit
/// their design. The messages name quantities, not flags.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SensitivityError {
    #[error("{0} factors: a design takes at least 1 and at most {FACTORS_MAX}")]
    Factors(usize),
    #[error("{what} of {count}: at least {min} and at most {max} are supported")]
    Size {
        what: &'static str,
        count: usize,
        min: usize,
        max: usize,
    },
    #[error(
        "the design would hold {points} points of {factors} factors, more than the most, {POINTS_MAX} points and {COORDINATES_MAX} coordinates: use fewer rows or factors"
    )]
    TooLarge { points: usize, factors: usize },
    #[error("Morris levels must be an even number from 2 to {MORRIS_LEVELS_MAX}, not {0}")]
    Levels(u32),
    #[error("{0} bootstrap resamples: at least {RESAMPLES_MIN} and at most {RESAMPLES_MAX}")]
    Resamples(u32),
    #[error("{got} rows of outputs for a design of {expected} points: one row per point is needed")]
    OutputRows { expected: usize, got: usize },
    #[error(
        "outputs row {row} has {got} metrics but row 0 has {expected}: every row needs one value per metric, at least 1 and at most {METRICS_MAX}"
    )]
    OutputColumns {
        row: usize,
        expected: usize,
        got: usize,
    },
    #[error(
        "metric {metric} at point {row} is {value}: every output must be a finite number of magnitude at most {OUTPUT_MAGNITUDE_MAX:e} (leave an undefined metric out of the analysis; rescale a huge one)"
    )]
    BadOutput {
        row: usize,
        metric: usize,
        value: f64,
    },
    #[error(
        "base matrix {matrix} row {row} is not a point of [0, 1]^{factors}: both base matrices need rows of {factors} coordinates in [0, 1]"
    )]
    BaseMatrix {
        matrix: char,
        row: usize,
        factors: usize,
    },
}

/// Which of `values` listed values a coordinate stands for: `floor(u·m)`,
/// clamped to `0..m` (so a Morris grid's 1 is the last value). Every value
/// has an equal share of `[0, 1)`. `values` must be at least 1.
pub fn level_of(unit: f64, values: usize) -> usize {
    assert!(values >= 1, "a discrete factor has at least one value");
    // `as` saturates: a negative coordinate (or NaN) is level 0.
    let level = (unit * values as f64).floor() as usize;
    level.min(values - 1)
}

/// Checks a count against its bounds.
fn check_size(
    what: &'static str,
    count: usize,
    min: usize,
    max: usize,
) -> Result<(), SensitivityError> {
    if count < min || count > max {
        return Err(SensitivityError::Size {
            what,
            count,
            min,
            max,
        });
    }
    Ok(())
}

fn check_factors(factors: usize) -> Result<(), SensitivityError> {
    if factors == 0 || factors > FACTORS_MAX {
        return Err(SensitivityError::Factors(factors));
    }
    Ok(())
}

/// Refuses a design of more than [`POINTS_MAX`] points or
/// [`COORDINATES_MAX`] coordinates.
fn check_design_size(points: usize, factors: usize) -> Result<(), SensitivityError> {
    let too_large = match points.checked_mul(factors) {
        Some(coordinates) => points > POINTS_MAX || coordinates > COORDINATES_MAX,
        None => true,
    };
    if too_large {
        return Err(SensitivityError::TooLarge { points, factors });
    }
    Ok(())
}

fn check_resamples(resamples: u32) -> Result<(), SensitivityError> {
    if !(RESAMPLES_MIN..=RESAMPLES_MAX).contains(&resamples) {
        return Err(SensitivityError::Resamples(resamples));
    }
    Ok(())
}

/// Checks that `outputs` has one row per point, every row the same number
/// of finite values (1 to [`METRICS_MAX`]); returns that number.
fn check_outputs(outputs: &[Vec<f64>], points: usize) -> Result<usize, SensitivityError> {
    if outputs.len() != points {
        return Err(SensitivityError::OutputRows {
            expected: points,
            got: outputs.len(),
        });
    }
    let metrics = outputs.first().map_or(0, Vec::len);
    for (row, values) in outputs.iter().enumerate() {
        if values.len() != metrics || metrics == 0 || metrics > METRICS_MAX {
            return Err(SensitivityError::OutputColumns {
                row,
                expected: metrics,
                got: values.len(),
            });
        }
        let bad = |value: &f64| !value.is_finite() || value.abs() > OUTPUT_MAGNITUDE_MAX;
        if let Some((metric, &value)) = values.iter().enumerate().find(|(_, v)| bad(v)) {
            return Err(SensitivityError::BadOutput { row, metric, value });
        }
    }
    Ok(metrics)
}

/// One metric's column of the outputs, in point order.
fn column(outputs: &[Vec<f64>], metric: usize) -> Vec<f64> {
    outputs.iter().map(|row| row[metric]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_of_gives_each_value_an_equal_share_and_clamps_the_ends() {
        // Three values: [0, 1/3) -> 0, [1/3, 2/3) -> 1, [2/3, 1] -> 2.
        assert_eq!(level_of(0.0, 3), 0);
        assert_eq!(level_of(0.333, 3), 0);
        assert_eq!(level_of(0.334, 3), 1);
        assert_eq!(level_of(0.999, 3), 2);
        assert_eq!(level_of(1.0, 3), 2);
        assert_eq!(level_of(-0.5, 3), 0);
        assert_eq!(level_of(f64::NAN, 3), 0);
        assert_eq!(level_of(0.7, 1), 0);
    }

    #[test]
    fn outputs_that_do_not_fit_their_design_are_refused_with_the_place() {
        let good = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
        assert_eq!(check_outputs(&good, 2), Ok(2));
        assert_eq!(
            check_outputs(&good, 3),
            Err(SensitivityError::OutputRows {
                expected: 3,
                got: 2
            })
        );
        let ragged = vec![vec![1.0, 2.0], vec![3.0]];
        assert!(matches!(
            check_outputs(&ragged, 2),
            Err(SensitivityError::OutputColumns { row: 1, .. })
        ));
        let empty = vec![vec![], vec![]];
        assert!(matches!(
            check_outputs(&empty, 2),
            Err(SensitivityError::OutputColumns { row: 0, .. })
        ));
        let infinite = vec![vec![1.0, 2.0], vec![3.0, f64::INFINITY]];
        let error = check_outputs(&infinite, 2).unwrap_err();
        assert!(matches!(
            error,
            SensitivityError::BadOutput {
                row: 1,
                metric: 1,
                ..
            }
        ));
        assert!(error.to_string().contains("metric 1 at point 1 is inf"));
        let huge = vec![vec![1.0, 2.0], vec![-1e151, 4.0]];
        assert!(matches!(
            check_outputs(&huge, 2),
            Err(SensitivityError::BadOutput {
                row: 1,
                metric: 0,
                ..
            })
        ));
    }

    #[test]
    fn a_design_beyond_its_bounds_is_an_error_not_an_allocation() {
        assert!(check_design_size(POINTS_MAX, 1).is_ok());
        assert!(check_design_size(POINTS_MAX + 1, 1).is_err());
        assert!(check_design_size(POINTS_MAX, FACTORS_MAX).is_err());
        assert!(check_design_size(usize::MAX, 2).is_err());
    }
}
