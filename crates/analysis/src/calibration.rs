//! Calibration by approximate Bayesian computation (ABC): which parameter
//! values make the simulator reproduce what was observed, and how sure
//! that is.
//!
//! Rejection ABC over a space-filling design (Pritchard et al. 1999;
//! Beaumont, Zhang and Balding 2002): the caller runs the simulator at n
//! parameter points drawn from the prior (a Latin hypercube or Sobol
//! design of the unit cube is a uniform prior over the factors' ranges),
//! each point once or several times. Here:
//!
//! 1. Each point's simulated metrics are the mean of its replications.
//! 2. Its distance to the observations is
//!    d = sqrt(Σ_m ((sim_m - obs_m) / u_m)²), u_m the standard uncertainty
//!    of observation m, so each target counts in units of its own
//!    uncertainty.
//! 3. The closest points are accepted: a fraction of all points
//!    (`ceil(fraction · n)`, ties at equal distance by point index) or
//!    every point within a tolerance.
//! 4. The accepted parameter values are the posterior sample: per factor,
//!    mean, sd (divisor n - 1), median and the 2.5% and 97.5% quantiles
//!    (Hazen's rule, as every quantile of [`crate::sensitivity`]).
//! 5. Optionally, Beaumont's local-linear regression adjustment: regress
//!    each parameter on the standardised differences z = (sim - obs) / u
//!    among accepted points, by weighted least squares with Epanechnikov
//!    weights w = 1 - (d / d_max)², and move each accepted value along
//!    the fitted plane to z = 0: θ* = θ - zᵀβ. The summaries of θ* are
//!    weighted by w (sd with divisor Σw - Σw²/Σw, quantiles at (W_i -
//!    w_i/2)/W).
//!
//! Each target's fit compares the observed value with the accepted
//! points' simulated means: their mean and 2.5% to 97.5% range.
//!
//! Assumptions and limits (see `docs/sensitivity.md`): the design's
//! points are a sample of the prior; the accepted sample approximates the
//! posterior given the targets only as the accepted fraction (or
//! tolerance) goes to zero with n growing, so the intervals are wider
//! than the exact posterior's by the tolerance; the distance treats the
//! targets as independent. The adjustment assumes the parameters depend
//! about linearly on the metrics near the observations, with constant
//! spread; adjusted values may leave the prior's range.

use crate::sensitivity::{FACTORS_MAX, METRICS_MAX, POINTS_MAX, weighted_quantile_sorted};
use serde::Serialize;

/// Most simulated values (points × replications × targets) of one
/// calibration: 400 MiB of `f64`.
pub const SIMULATED_VALUES_MAX: usize = 50_000_000;
/// Fewest accepted points: a standard deviation needs two.
pub const ACCEPTED_MIN: usize = 2;
/// Below this share of its original length, a regression column is taken
/// as a combination of the others: the adjustment cannot separate it.
const SINGULAR_SHARE: f64 = 1e-9;

/// An observed value and its standard uncertainty (one standard
/// deviation of the observation error), in the metric's units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Observation {
    pub value: f64,
    pub standard_uncertainty: f64,
}

/// Which points are accepted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Acceptance {
    /// The closest `ceil(fraction · n)` points, fraction in (0, 1].
    Fraction(f64),
    /// Every point at distance at most this, at least 0.
    Tolerance(f64),
}

/// Whether the accepted values are adjusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adjustment {
    None,
    /// Beaumont, Zhang and Balding (2002) local-linear regression.
    LocalLinear,
}

/// A posterior summary of one factor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PosteriorSummary {
    pub mean: f64,
    pub sd: f64,
    pub median: f64,
    /// The 2.5% quantile.
    pub low: f64,
    /// The 97.5% quantile.
    pub high: f64,
}

/// How the accepted points reproduce one target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TargetFit {
    pub observed: f64,
    pub standard_uncertainty: f64,
    /// Mean of the accepted points' simulated means.
    pub simulated_mean: f64,
    /// 2.5% quantile of the accepted points' simulated means.
    pub simulated_low: f64,
    /// 97.5% quantile of the accepted points' simulated means.
    pub simulated_high: f64,
}

/// The regression-adjusted posterior sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AdjustedSample {
    pub parameters: Vec<PosteriorSummary>,
    /// θ* of each accepted point, in the order of `accepted`.
    pub points: Vec<Vec<f64>>,
    /// The Epanechnikov weight of each accepted point.
    pub weights: Vec<f64>,
}

/// The result of a rejection ABC calibration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AbcPosterior {
    /// Every point's distance to the observations, in point order.
    pub distances: Vec<f64>,
    /// Accepted point indices, closest first (ties by index).
    pub accepted: Vec<usize>,
    /// The largest accepted distance.
    pub threshold: f64,
    /// Per factor, the summary of the accepted values.
    pub parameters: Vec<PosteriorSummary>,
    /// Present when the local-linear adjustment was asked for.
    pub adjusted: Option<AdjustedSample>,
    /// Per target, how the accepted points reproduce it.
    pub fit: Vec<TargetFit>,
}

/// Inputs that cannot be calibrated, with what to change.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CalibrationError {
    #[error("{0} parameter points: at least {ACCEPTED_MIN} and at most {POINTS_MAX} are needed")]
    Points(usize),
    #[error(
        "parameter point {point} has {got} values but point 0 has {expected}: every point needs the same factors, at least 1 and at most {FACTORS_MAX}"
    )]
    ParameterCount {
        point: usize,
        expected: usize,
        got: usize,
    },
    #[error("parameter {parameter} of point {point} is not a finite number")]
    NonFiniteParameter { point: usize, parameter: usize },
    #[error(
        "{got} simulated points for {expected} parameter points: one entry per point is needed"
    )]
    SimulatedPoints { expected: usize, got: usize },
    #[error("point {point} has no simulated replication")]
    NoReplications { point: usize },
    #[error(
        "replication {replication} of point {point} has {got} metrics for {expected} targets: one value per target is needed"
    )]
    SimulatedCount {
        point: usize,
        replication: usize,
        expected: usize,
        got: usize,
    },
    #[error(
        "metric {metric} of replication {replication} of point {point} is {value}: every simulated value must be a finite number"
    )]
    NonFiniteSimulated {
        point: usize,
        replication: usize,
        metric: usize,
        value: f64,
    },
    #[error("{0} targets: at least 1 and at most {METRICS_MAX} are needed")]
    Targets(usize),
    #[error(
        "target {target}: the observed value must be finite and its standard uncertainty finite and above 0"
    )]
    BadObservation { target: usize },
    #[error(
        "{values} simulated values are more than the most, {SIMULATED_VALUES_MAX}: use fewer points, replications or targets"
    )]
    TooLarge { values: usize },
    #[error("an accepted fraction of {0} is not in (0, 1]")]
    Fraction(f64),
    #[error("a tolerance of {0} is not a finite distance of at least 0")]
    Tolerance(f64),
    #[error(
        "{accepted} points accepted, {needed} needed (the closest point is at distance {closest:.4}): accept a larger fraction, widen the tolerance or run more points"
    )]
    TooFewAccepted {
        accepted: usize,
        needed: usize,
        closest: f64,
    },
    #[error(
        "the regression adjustment cannot separate the targets among the {accepted} accepted points (a target does not vary among them, or two vary together): accept more points, drop a target, or calibrate without the adjustment"
    )]
    SingularRegression { accepted: usize },
    #[error(
        "the distance of point {point} to the observations overflows: state the targets and their uncertainties in units nearer the values"
    )]
    DistanceOverflow { point: usize },
}

/// The distance sqrt(Σ ((sim - obs)/u)²) of simulated means to the
/// observations.
pub fn distance(simulated: &[f64], targets: &[Observation]) -> f64 {
    assert_eq!(simulated.len(), targets.len(), "one value per target");
    let sum: f64 = simulated
        .iter()
        .zip(targets)
        .map(|(sim, target)| {
            let z = (sim - target.value) / target.standard_uncertainty;
            z * z
        })
        .sum();
    sum.sqrt()
}

/// Calibrates by rejection ABC. `parameters[i]` is point i's values (unit
/// cube or real), `simulated[i][r]` the metrics of its replication r (one
/// per target, in the order of `targets`).
pub fn abc_rejection(
    parameters: &[Vec<f64>],
    simulated: &[Vec<Vec<f64>>],
    targets: &[Observation],
    acceptance: Acceptance,
    adjustment: Adjustment,
) -> Result<AbcPosterior, CalibrationError> {
    check_inputs(parameters, simulated, targets)?;
    let means: Vec<Vec<f64>> = simulated.iter().map(|runs| mean_of(runs)).collect();
    let distances: Vec<f64> = means.iter().map(|mean| distance(mean, targets)).collect();
    if let Some(point) = distances.iter().position(|d| !d.is_finite()) {
        return Err(CalibrationError::DistanceOverflow { point });
    }
    let accepted = accept(&distances, acceptance)?;
    let needed = match adjustment {
        Adjustment::None => ACCEPTED_MIN,
        // An intercept and a slope per target, one point of weight 0 (the
        // farthest), and a degree of freedom left for the spread.
        Adjustment::LocalLinear => targets.len() + 3,
    };
    if accepted.len() < needed {
        return Err(CalibrationError::TooFewAccepted {
            accepted: accepted.len(),
            needed,
            closest: distances.iter().copied().fold(f64::INFINITY, f64::min),
        });
    }
    let threshold = distances[*accepted.last().expect("at least two accepted")];
    let factors = parameters[0].len();
    let values_of = |factor: usize| -> Vec<f64> {
        accepted
            .iter()
            .map(|&point| parameters[point][factor])
            .collect()
    };
    let summaries = (0..factors)
        .map(|factor| summarise(&values_of(factor), None))
        .collect();
    let adjusted = match adjustment {
        Adjustment::None => None,
        Adjustment::LocalLinear => Some(adjust(
            parameters, &means, &distances, &accepted, targets, threshold,
        )?),
    };
    let fit = targets
        .iter()
        .enumerate()
        .map(|(metric, target)| {
            let simulated: Vec<f64> = accepted.iter().map(|&point| means[point][metric]).collect();
            let summary = summarise(&simulated, None);
            TargetFit {
                observed: target.value,
                standard_uncertainty: target.standard_uncertainty,
                simulated_mean: summary.mean,
                simulated_low: summary.low,
                simulated_high: summary.high,
            }
        })
        .collect();
    Ok(AbcPosterior {
        distances,
        accepted,
        threshold,
        parameters: summaries,
        adjusted,
        fit,
    })
}

fn check_inputs(
    parameters: &[Vec<f64>],
    simulated: &[Vec<Vec<f64>>],
    targets: &[Observation],
) -> Result<(), CalibrationError> {
    if parameters.len() < ACCEPTED_MIN || parameters.len() > POINTS_MAX {
        return Err(CalibrationError::Points(parameters.len()));
    }
    let factors = parameters[0].len();
    for (point, values) in parameters.iter().enumerate() {
        if values.len() != factors || factors == 0 || factors > FACTORS_MAX {
            return Err(CalibrationError::ParameterCount {
                point,
                expected: factors,
                got: values.len(),
            });
        }
        if let Some(parameter) = values.iter().position(|v| !v.is_finite()) {
            return Err(CalibrationError::NonFiniteParameter { point, parameter });
        }
    }
    if targets.is_empty() || targets.len() > METRICS_MAX {
        return Err(CalibrationError::Targets(targets.len()));
    }
    let bad = targets.iter().position(|target| {
        let u = target.standard_uncertainty;
        !target.value.is_finite() || !u.is_finite() || u <= 0.0
    });
    if let Some(target) = bad {
        return Err(CalibrationError::BadObservation { target });
    }
    if simulated.len() != parameters.len() {
        return Err(CalibrationError::SimulatedPoints {
            expected: parameters.len(),
            got: simulated.len(),
        });
    }
    let mut values = 0usize;
    for (point, runs) in simulated.iter().enumerate() {
        if runs.is_empty() {
            return Err(CalibrationError::NoReplications { point });
        }
        values = values.saturating_add(runs.len().saturating_mul(targets.len()));
        if values > SIMULATED_VALUES_MAX {
            return Err(CalibrationError::TooLarge { values });
        }
        for (replication, run) in runs.iter().enumerate() {
            if run.len() != targets.len() {
                return Err(CalibrationError::SimulatedCount {
                    point,
                    replication,
                    expected: targets.len(),
                    got: run.len(),
                });
            }
            if let Some((metric, &value)) = run.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(CalibrationError::NonFiniteSimulated {
                    point,
                    replication,
                    metric,
                    value,
                });
            }
        }
    }
    Ok(())
}

/// The metric-by-metric mean of replications, summed in replication order.
fn mean_of(runs: &[Vec<f64>]) -> Vec<f64> {
    let count = runs.len() as f64;
    (0..runs[0].len())
        .map(|metric| runs.iter().map(|run| run[metric]).sum::<f64>() / count)
        .collect()
}

/// The accepted point indices, closest first, ties by index.
fn accept(distances: &[f64], acceptance: Acceptance) -> Result<Vec<usize>, CalibrationError> {
    let mut order: Vec<usize> = (0..distances.len()).collect();
    order.sort_by(|&i, &j| distances[i].total_cmp(&distances[j]).then(i.cmp(&j)));
    match acceptance {
        Acceptance::Fraction(fraction) => {
            if !(fraction > 0.0 && fraction <= 1.0) {
                return Err(CalibrationError::Fraction(fraction));
            }
            let count = (fraction * distances.len() as f64).ceil() as usize;
            order.truncate(count.clamp(1, distances.len()));
        }
        Acceptance::Tolerance(tolerance) => {
            if !(tolerance.is_finite() && tolerance >= 0.0) {
                return Err(CalibrationError::Tolerance(tolerance));
            }
            order.retain(|&point| distances[point] <= tolerance);
        }
    }
    Ok(order)
}

/// Mean, sd, median and 95% range of `values`, plain (sd with divisor
/// n - 1) or with `weights` (at least two positive).
fn summarise(values: &[f64], weights: Option<&[f64]>) -> PosteriorSummary {
    let unit = vec![1.0; values.len()];
    let weights = weights.unwrap_or(&unit);
    let total: f64 = weights.iter().sum();
    let squared_weights: f64 = weights.iter().map(|w| w * w).sum();
    let mean = values.iter().zip(weights).map(|(v, w)| w * v).sum::<f64>() / total;
    let squares: f64 = values
        .iter()
        .zip(weights)
        .map(|(v, w)| w * (v - mean) * (v - mean))
        .sum();
    // Reliability weights: n - 1 when every weight is 1.
    let sd = (squares / (total - squared_weights / total)).sqrt();
    let mut pairs: Vec<(f64, f64)> = values
        .iter()
        .copied()
        .zip(weights.iter().copied())
        .collect();
    pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
    let at = |probability| weighted_quantile_sorted(&pairs, probability);
    PosteriorSummary {
        mean,
        sd,
        median: at(0.5),
        low: at(0.025),
        high: at(0.975),
    }
}

/// Beaumont's local-linear adjustment of the accepted points.
fn adjust(
    parameters: &[Vec<f64>],
    means: &[Vec<f64>],
    distances: &[f64],
    accepted: &[usize],
    targets: &[Observation],
    threshold: f64,
) -> Result<AdjustedSample, CalibrationError> {
    let weights: Vec<f64> = accepted
        .iter()
        .map(|&point| {
            if threshold > 0.0 {
                let ratio = distances[point] / threshold;
                1.0 - ratio * ratio
            } else {
                // Every accepted point matches exactly; the regression
                // below then finds no variation and refuses.
                1.0
            }
        })
        .collect();
    // Regressors: an intercept and the standardised differences.
    let regressors: Vec<Vec<f64>> = accepted
        .iter()
        .map(|&point| {
            std::iter::once(1.0)
                .chain(
                    means[point]
                        .iter()
                        .zip(targets)
                        .map(|(sim, t)| (sim - t.value) / t.standard_uncertainty),
                )
                .collect()
        })
        .collect();
    let fit = WeightedLeastSquares::new(&regressors, &weights).ok_or(
        CalibrationError::SingularRegression {
            accepted: accepted.len(),
        },
    )?;
    let factors = parameters[0].len();
    let mut points: Vec<Vec<f64>> = accepted
        .iter()
        .map(|&point| parameters[point].clone())
        .collect();
    for factor in 0..factors {
        let response: Vec<f64> = points.iter().map(|point| point[factor]).collect();
        let coefficients = fit.solve(&response);
        for (point, row) in points.iter_mut().zip(&regressors) {
            let shift: f64 = row[1..]
                .iter()
                .zip(&coefficients[1..])
                .map(|(z, beta)| z * beta)
                .sum();
            point[factor] -= shift;
        }
    }
    let summaries = (0..factors)
        .map(|factor| {
            let values: Vec<f64> = points.iter().map(|point| point[factor]).collect();
            summarise(&values, Some(&weights))
        })
        .collect();
    Ok(AdjustedSample {
        parameters: summaries,
        points,
        weights,
    })
}

/// Weighted least squares by the QR factorisation (modified Gram-Schmidt)
/// of the regressors scaled by the square roots of the weights: better
/// conditioned than the normal equations, and only `+ - * / sqrt`.
struct WeightedLeastSquares {
    roots: Vec<f64>,
    /// Orthonormal columns, `q[j][i]`.
    q: Vec<Vec<f64>>,
    /// Upper triangular, `r[j][l]` for l >= j.
    r: Vec<Vec<f64>>,
}

impl WeightedLeastSquares {
    /// `None` if a column is (nearly) a combination of the ones before it.
    fn new(rows: &[Vec<f64>], weights: &[f64]) -> Option<WeightedLeastSquares> {
        let columns = rows[0].len();
        let roots: Vec<f64> = weights.iter().map(|w| w.sqrt()).collect();
        let mut q: Vec<Vec<f64>> = Vec::with_capacity(columns);
        let mut r = vec![vec![0.0; columns]; columns];
        for j in 0..columns {
            let mut v: Vec<f64> = rows.iter().zip(&roots).map(|(row, s)| s * row[j]).collect();
            let original = norm(&v);
            for (l, ql) in q.iter().enumerate() {
                let projection = dot(ql, &v);
                r[l][j] = projection;
                v.iter_mut().zip(ql).for_each(|(x, y)| *x -= projection * y);
            }
            let length = norm(&v);
            if !(original > 0.0 && length > SINGULAR_SHARE * original) {
                return None;
            }
            r[j][j] = length;
            v.iter_mut().for_each(|x| *x /= length);
            q.push(v);
        }
        Some(WeightedLeastSquares { roots, q, r })
    }

    /// The coefficients minimising Σ w (y - xᵀβ)².
    fn solve(&self, response: &[f64]) -> Vec<f64> {
        let scaled: Vec<f64> = response
            .iter()
            .zip(&self.roots)
            .map(|(y, s)| s * y)
            .collect();
        let projected: Vec<f64> = self.q.iter().map(|column| dot(column, &scaled)).collect();
        let columns = projected.len();
        let mut beta = vec![0.0; columns];
        for j in (0..columns).rev() {
            let known: f64 = (j + 1..columns).map(|l| self.r[j][l] * beta[l]).sum();
            beta[j] = (projected[j] - known) / self.r[j][j];
        }
        beta
    }
}

fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensitivity::{Draws, latin_hypercube};

    fn single(values: &[f64]) -> Vec<Vec<Vec<f64>>> {
        values.iter().map(|&v| vec![vec![v]]).collect()
    }

    fn unit_target() -> [Observation; 1] {
        [Observation {
            value: 0.0,
            standard_uncertainty: 1.0,
        }]
    }

    #[test]
    fn the_distance_counts_each_target_in_its_own_uncertainty() {
        // ((3 - 0)/1)² + ((4 - 0)/2)² = 9 + 4 = 13.
        let targets = [
            Observation {
                value: 0.0,
                standard_uncertainty: 1.0,
            },
            Observation {
                value: 0.0,
                standard_uncertainty: 2.0,
            },
        ];
        assert_eq!(distance(&[3.0, 4.0], &targets), 13f64.sqrt());
        assert_eq!(distance(&[0.0, 0.0], &targets), 0.0);
    }

    #[test]
    fn the_accept_rule_takes_the_closest_fraction_or_those_within_tolerance() {
        // Distances by point: 5 1 3 1 0 2 2 4 6 2; in order (distance,
        // index): 4; 1, 3; 5, 6, 9; 2; 7; 0; 8.
        let distances = [5.0, 1.0, 3.0, 1.0, 0.0, 2.0, 2.0, 4.0, 6.0, 2.0];
        let parameters: Vec<Vec<f64>> = (0..10).map(|i| vec![f64::from(i)]).collect();
        let simulated = single(&distances);
        let calibrate = |acceptance| {
            abc_rejection(
                &parameters,
                &simulated,
                &unit_target(),
                acceptance,
                Adjustment::None,
            )
        };
        let posterior = calibrate(Acceptance::Fraction(0.3)).unwrap();
        assert_eq!(posterior.accepted, vec![4, 1, 3]);
        assert_eq!(posterior.threshold, 1.0);
        assert_eq!(posterior.distances, distances.to_vec());
        // ceil(2.5) = 3; a tie at the cut (points 5, 6, 9 at 2) goes by index.
        assert_eq!(
            calibrate(Acceptance::Fraction(0.25)).unwrap().accepted,
            vec![4, 1, 3]
        );
        assert_eq!(
            calibrate(Acceptance::Fraction(0.5)).unwrap().accepted,
            vec![4, 1, 3, 5, 6]
        );
        assert_eq!(
            calibrate(Acceptance::Tolerance(2.0)).unwrap().accepted,
            vec![4, 1, 3, 5, 6, 9]
        );
        assert_eq!(
            calibrate(Acceptance::Fraction(1.0)).unwrap().accepted.len(),
            10
        );
        assert_eq!(
            calibrate(Acceptance::Tolerance(0.5)),
            Err(CalibrationError::TooFewAccepted {
                accepted: 1,
                needed: 2,
                closest: 0.0
            })
        );
        assert!(calibrate(Acceptance::Fraction(0.0)).is_err());
        assert!(calibrate(Acceptance::Fraction(1.5)).is_err());
        assert!(calibrate(Acceptance::Tolerance(f64::NAN)).is_err());
        // The accepted values 4, 1, 3: mean 8/3, sd sqrt(((4/3)² + (5/3)²
        // + (1/3)²) / 2) = sqrt(7/3); Hazen's median is the middle value,
        // and with three values the 2.5% and 97.5% quantiles are the ends.
        let summary = posterior.parameters[0];
        assert!((summary.mean - 8.0 / 3.0).abs() < 1e-15);
        assert!((summary.sd - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!((summary.low, summary.median, summary.high), (1.0, 3.0, 4.0));
        // The fit: the accepted simulated values 0, 1, 1.
        let fit = posterior.fit[0];
        assert_eq!(fit.simulated_mean, 2.0 / 3.0);
        assert_eq!((fit.simulated_low, fit.simulated_high), (0.0, 1.0));
    }

    #[test]
    fn replications_are_averaged_before_the_distance() {
        // Point 0's replications 3 and -1 average 1; point 1's single
        // replication is 1.5; point 2's 2 and 4 average 3.
        let parameters = vec![vec![0.0], vec![1.0], vec![2.0]];
        let simulated = vec![
            vec![vec![3.0], vec![-1.0]],
            vec![vec![1.5]],
            vec![vec![2.0], vec![4.0]],
        ];
        let posterior = abc_rejection(
            &parameters,
            &simulated,
            &unit_target(),
            Acceptance::Fraction(1.0),
            Adjustment::None,
        )
        .unwrap();
        assert_eq!(posterior.distances, vec![1.0, 1.5, 3.0]);
    }

    /// A standard normal draw (Box-Muller).
    fn normal(draws: &mut Draws) -> f64 {
        let radius = libm::sqrt(-2.0 * libm::log(1.0 - draws.unit()));
        radius * libm::cos(2.0 * std::f64::consts::PI * draws.unit())
    }

    #[test]
    fn a_known_truth_is_recovered_inside_the_posterior_intervals() {
        // y1 = 3 t1 + e1, e1 ~ N(0, 0.15²), and y2 = t2² + e2, e2 ~ N(0,
        // 0.05²), two replications per point, t uniform on the unit
        // square. Observed at the truth t = (0.4, 0.7): y = (1.2, 0.49).
        // Compared with a mean of two replications, the exact posterior
        // has sd 0.15/√2/3 = 0.0354 for t1 and, linearising t2² at 0.7
        // (slope 1.4), 0.05/√2/1.4 = 0.0253 for t2.
        let truth = [0.4, 0.7];
        let exact_sd = [0.15 / 2f64.sqrt() / 3.0, 0.05 / 2f64.sqrt() / 1.4];
        let parameters = latin_hypercube(2, 8000, 21).unwrap();
        let mut draws = Draws::new(22, "test/abc-noise");
        let simulated: Vec<Vec<Vec<f64>>> = parameters
            .iter()
            .map(|t| {
                (0..2)
                    .map(|_| {
                        vec![
                            3.0 * t[0] + 0.15 * normal(&mut draws),
                            t[1] * t[1] + 0.05 * normal(&mut draws),
                        ]
                    })
                    .collect()
            })
            .collect();
        let targets = [
            Observation {
                value: 1.2,
                standard_uncertainty: 0.15,
            },
            Observation {
                value: 0.49,
                standard_uncertainty: 0.05,
            },
        ];
        let posterior = abc_rejection(
            &parameters,
            &simulated,
            &targets,
            Acceptance::Fraction(0.02),
            Adjustment::LocalLinear,
        )
        .unwrap();
        assert_eq!(posterior.accepted.len(), 160);
        let adjusted = posterior.adjusted.as_ref().unwrap();
        for factor in 0..2 {
            let plain = posterior.parameters[factor];
            let corrected = adjusted.parameters[factor];
            for summary in [plain, corrected] {
                assert!(
                    summary.low <= truth[factor] && truth[factor] <= summary.high,
                    "t{}: {summary:?}",
                    factor + 1
                );
            }
            // Rejection keeps the tolerance's blur; the adjustment removes
            // most of it and comes near the exact posterior's spread.
            assert!(
                corrected.sd < plain.sd,
                "t{}: {plain:?} {corrected:?}",
                factor + 1
            );
            let ratio = corrected.sd / exact_sd[factor];
            assert!(
                (0.7..1.4).contains(&ratio),
                "t{}: sd ratio {ratio}",
                factor + 1
            );
        }
        for (fit, target) in posterior.fit.iter().zip(&targets) {
            assert!(fit.simulated_low <= target.value && target.value <= fit.simulated_high);
        }
    }

    #[test]
    fn the_adjustment_is_exact_for_a_noiseless_linear_model() {
        // y1 = 3 t1 and y2 = t1 - 2 t2, no noise: the parameters are an
        // exact linear function of the metrics, so the regression recovers
        // it and moves every accepted point onto the truth.
        let truth = [0.3, 0.6];
        let parameters = latin_hypercube(2, 500, 4).unwrap();
        let model = |t: &[f64]| vec![3.0 * t[0], t[0] - 2.0 * t[1]];
        let simulated: Vec<Vec<Vec<f64>>> = parameters.iter().map(|t| vec![model(t)]).collect();
        let observed = model(&truth);
        let targets: Vec<Observation> = observed
            .iter()
            .map(|&value| Observation {
                value,
                standard_uncertainty: 0.1,
            })
            .collect();
        let posterior = abc_rejection(
            &parameters,
            &simulated,
            &targets,
            Acceptance::Fraction(0.1),
            Adjustment::LocalLinear,
        )
        .unwrap();
        let adjusted = posterior.adjusted.unwrap();
        for point in &adjusted.points {
            assert!((point[0] - truth[0]).abs() < 1e-12 && (point[1] - truth[1]).abs() < 1e-12);
        }
        assert!(adjusted.parameters[0].sd < 1e-12);
        // The farthest accepted point has weight 0, the closest near 1.
        assert_eq!(*adjusted.weights.last().unwrap(), 0.0);
        assert!(adjusted.weights[0] > 0.9);
    }

    #[test]
    fn a_target_that_does_not_vary_refuses_the_adjustment() {
        let parameters: Vec<Vec<f64>> = (0..20).map(|i| vec![f64::from(i) / 20.0]).collect();
        let simulated: Vec<Vec<Vec<f64>>> =
            parameters.iter().map(|t| vec![vec![t[0], 5.0]]).collect();
        let targets = [
            Observation {
                value: 0.5,
                standard_uncertainty: 0.1,
            },
            Observation {
                value: 4.0,
                standard_uncertainty: 1.0,
            },
        ];
        let calibrate = |adjustment| {
            abc_rejection(
                &parameters,
                &simulated,
                &targets,
                Acceptance::Fraction(0.5),
                adjustment,
            )
        };
        assert_eq!(
            calibrate(Adjustment::LocalLinear),
            Err(CalibrationError::SingularRegression { accepted: 10 })
        );
        assert!(calibrate(Adjustment::None).is_ok());
    }

    #[test]
    fn inputs_that_do_not_fit_are_refused_with_the_place() {
        let parameters = vec![vec![0.1], vec![0.2], vec![0.3]];
        let simulated = single(&[1.0, 2.0, 3.0]);
        let target = unit_target();
        let calibrate = |parameters: &[Vec<f64>], simulated: &[Vec<Vec<f64>>], targets| {
            abc_rejection(
                parameters,
                simulated,
                targets,
                Acceptance::Fraction(1.0),
                Adjustment::None,
            )
        };
        assert!(calibrate(&parameters, &simulated, &target).is_ok());
        assert_eq!(
            calibrate(&parameters[..1], &simulated[..1], &target),
            Err(CalibrationError::Points(1))
        );
        assert!(matches!(
            calibrate(&[vec![0.1], vec![0.2, 0.3], vec![0.3]], &simulated, &target),
            Err(CalibrationError::ParameterCount { point: 1, .. })
        ));
        assert_eq!(
            calibrate(&[vec![0.1], vec![f64::NAN], vec![0.3]], &simulated, &target),
            Err(CalibrationError::NonFiniteParameter {
                point: 1,
                parameter: 0
            })
        );
        assert!(matches!(
            calibrate(&parameters, &simulated[..2], &target),
            Err(CalibrationError::SimulatedPoints { .. })
        ));
        let mut missing = simulated.clone();
        missing[2].clear();
        assert_eq!(
            calibrate(&parameters, &missing, &target),
            Err(CalibrationError::NoReplications { point: 2 })
        );
        let mut infinite = simulated.clone();
        infinite[1].push(vec![f64::INFINITY]);
        let error = calibrate(&parameters, &infinite, &target).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("replication 1 of point 1 is inf")
        );
        let tiny = [Observation {
            value: 0.0,
            standard_uncertainty: 1e-300,
        }];
        assert_eq!(
            calibrate(&parameters, &simulated, &tiny),
            Err(CalibrationError::DistanceOverflow { point: 0 })
        );
        let zero = [Observation {
            value: 0.0,
            standard_uncertainty: 0.0,
        }];
        assert_eq!(
            calibrate(&parameters, &simulated, &zero),
            Err(CalibrationError::BadObservation { target: 0 })
        );
        assert_eq!(
            calibrate(&parameters, &simulated, &[]),
            Err(CalibrationError::Targets(0))
        );
        let two = [target[0], target[0]];
        assert!(matches!(
            calibrate(&parameters, &simulated, &two),
            Err(CalibrationError::SimulatedCount { point: 0, .. })
        ));
    }
}
