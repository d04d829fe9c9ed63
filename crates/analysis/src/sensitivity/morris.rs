//! Screening by elementary effects: Morris (1991) trajectories and the
//! measures mu, mu* (Campolongo, Cariboni and Saltelli 2007) and sigma.
//!
//! The design is plain Morris: r independent random trajectories on the
//! p-level grid {0, 1/(p-1), ..., 1} of each factor (p even), each of
//! k + 1 points that change one factor at a time by Δ = p / (2(p-1)), p/2
//! steps of the grid (2/3 for p = 4). A trajectory starts from a base level drawn
//! uniformly from the lower half {0, ..., p/2 - 1} for each factor, a
//! direction (up from the base, or down from the base plus Δ) drawn for
//! each factor, and an order of the factors drawn uniformly; so every grid
//! level is equally likely at every point. Campolongo's optimised choice
//! of trajectories among many candidates is not made: random
//! trajectories keep the design a pure, cheap function of the seed, and
//! the bootstrap interval says when r is too small.
//!
//! Point order: trajectory t takes points `t(k+1) .. (t+1)(k+1)`; step s
//! (from 0) of trajectory t goes from point `t(k+1) + s` to the next and
//! moves the factor [`MorrisDesign::steps`]`[t·k + s]` says.
//!
//! The elementary effect of a step is the change of output over the
//! signed change of the factor's unit coordinate, (y' - y) / (±Δ): the
//! output's slope across Δ of the factor's range, in output units per
//! whole range. For a discrete factor of m values mapped by
//! [`super::level_of`], a step of Δ > 1/2 moves it by at least one value
//! (about m/2, exactly m/2 when p = m is even), and its elementary effect
//! is the output's change over that move divided by Δ, on the same scale
//! as a continuous factor's: what moving the factor across half its range
//! does. Choosing p = m (m even) gives every value an equal share of the
//! grid.
//!
//! Per factor, over the r trajectories: mu is the mean effect, mu* the
//! mean absolute effect (no cancellation of effects of opposite sign),
//! sigma their standard deviation (divisor r - 1: nonlinearity or
//! interaction). The 95% interval of mu* is the bootstrap percentile
//! interval over trajectories resampled with replacement (the same
//! resampled trajectories for every factor and metric, from the seed's
//! `sensitivity/morris-bootstrap` stream). The ranking orders factors by
//! mu*, largest first, ties by factor index.

use super::bootstrap::percentile_interval;
use super::draws::Draws;
use super::{
    Estimate, POINTS_MAX, SensitivityError, check_design_size, check_factors, check_outputs,
    check_resamples, check_size, column,
};
use serde::Serialize;

/// The usual grid: four levels, Δ = 2/3.
pub const MORRIS_LEVELS_DEFAULT: u32 = 4;
/// Most grid levels.
pub const MORRIS_LEVELS_MAX: u32 = 64;
/// Fewest trajectories: sigma needs two effects per factor.
pub const MORRIS_TRAJECTORIES_MIN: usize = 2;

/// One step of a trajectory: which factor moves, and which way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MorrisStep {
    pub factor: usize,
    /// Up by Δ (else down by Δ).
    pub increase: bool,
}

/// A Morris design: `trajectories` trajectories of `factors + 1` points.
#[derive(Clone, Debug, PartialEq)]
pub struct MorrisDesign {
    pub factors: usize,
    pub trajectories: usize,
    pub levels: u32,
    /// The step, p / (2(p-1)), in unit coordinates.
    pub delta: f64,
    /// Every coordinate is a grid level i/(p-1), in `[0, 1]`.
    pub points: Vec<Vec<f64>>,
    /// Step s of trajectory t at `t · factors + s`.
    pub steps: Vec<MorrisStep>,
}

impl MorrisDesign {
    /// The index of point `step` (0 to k) of `trajectory`.
    pub fn point_index(&self, trajectory: usize, step: usize) -> usize {
        assert!(trajectory < self.trajectories && step <= self.factors);
        trajectory * (self.factors + 1) + step
    }
}

/// The Morris design of `factors` factors, `trajectories` random
/// trajectories on a `levels`-level grid, drawn from `seed`.
pub fn morris_design(
    factors: usize,
    trajectories: usize,
    levels: u32,
    seed: u64,
) -> Result<MorrisDesign, SensitivityError> {
    check_factors(factors)?;
    check_size(
        "Morris trajectories",
        trajectories,
        MORRIS_TRAJECTORIES_MIN,
        POINTS_MAX,
    )?;
    if !(2..=MORRIS_LEVELS_MAX).contains(&levels) || levels % 2 != 0 {
        return Err(SensitivityError::Levels(levels));
    }
    // At most POINTS_MAX · (FACTORS_MAX + 1): no overflow.
    let points = trajectories * (factors + 1);
    check_design_size(points, factors)?;
    let half = levels as usize / 2;
    let top = f64::from(levels - 1);
    let mut draws = Draws::new(seed, "sensitivity/morris");
    let mut design = MorrisDesign {
        factors,
        trajectories,
        levels,
        delta: half as f64 / top,
        points: Vec::with_capacity(points),
        steps: Vec::with_capacity(trajectories * factors),
    };
    let mut order: Vec<usize> = Vec::with_capacity(factors);
    for _ in 0..trajectories {
        // Levels as integers, so every coordinate is exactly level / (p-1).
        let mut grid: Vec<usize> = (0..factors).map(|_| draws.below(half)).collect();
        let increase: Vec<bool> = (0..factors).map(|_| draws.word() & 1 == 1).collect();
        for (level, &up) in grid.iter_mut().zip(&increase) {
            if !up {
                *level += half;
            }
        }
        order.clear();
        order.extend(0..factors);
        draws.shuffle(&mut order);
        let to_point = |grid: &[usize]| grid.iter().map(|&level| level as f64 / top).collect();
        design.points.push(to_point(&grid));
        for &factor in &order {
            if increase[factor] {
                grid[factor] += half;
            } else {
                grid[factor] -= half;
            }
            design.points.push(to_point(&grid));
            design.steps.push(MorrisStep {
                factor,
                increase: increase[factor],
            });
        }
    }
    Ok(design)
}

/// The Morris measures of one factor for one metric.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect, with its 95% bootstrap interval.
    pub mu_star: Estimate,
    /// Standard deviation of the elementary effects (divisor r - 1).
    pub sigma: f64,
}

/// The Morris measures of one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MorrisIndices {
    pub factors: Vec<MorrisIndex>,
    /// Factor indices by mu*, largest first (ties by index).
    pub ranking: Vec<usize>,
}

/// The Morris measures of every metric of `outputs` (one row per design
/// point, one column per metric), with 95% bootstrap intervals for mu*
/// from `resamples` resamples of the trajectories drawn from `seed`.
pub fn morris_indices(
    design: &MorrisDesign,
    outputs: &[Vec<f64>],
    resamples: u32,
    seed: u64,
) -> Result<Vec<MorrisIndices>, SensitivityError> {
    let metrics = check_outputs(outputs, design.points.len())?;
    check_resamples(resamples)?;
    Ok((0..metrics)
        .map(|metric| {
            let effects = elementary_effects(design, &column(outputs, metric));
            metric_indices(&effects, resamples, seed)
        })
        .collect())
}

/// `effects[i][t]`: the elementary effect of factor i in trajectory t.
fn elementary_effects(design: &MorrisDesign, outputs: &[f64]) -> Vec<Vec<f64>> {
    let mut effects = vec![vec![0.0; design.trajectories]; design.factors];
    for trajectory in 0..design.trajectories {
        for step in 0..design.factors {
            let MorrisStep { factor, increase } = design.steps[trajectory * design.factors + step];
            let before = outputs[design.point_index(trajectory, step)];
            let after = outputs[design.point_index(trajectory, step + 1)];
            let change = if increase {
                design.delta
            } else {
                -design.delta
            };
            effects[factor][trajectory] = (after - before) / change;
        }
    }
    effects
}

fn mean_absolute(effects: &[f64], trajectories: &[usize]) -> f64 {
    let sum: f64 = trajectories.iter().map(|&t| effects[t].abs()).sum();
    sum / trajectories.len() as f64
}

fn metric_indices(effects: &[Vec<f64>], resamples: u32, seed: u64) -> MorrisIndices {
    let trajectories = effects[0].len();
    let all: Vec<usize> = (0..trajectories).collect();
    let mut replicates = vec![Vec::with_capacity(resamples as usize); effects.len()];
    let mut draws = Draws::new(seed, "sensitivity/morris-bootstrap");
    let mut chosen = vec![0; trajectories];
    for _ in 0..resamples {
        chosen
            .iter_mut()
            .for_each(|t| *t = draws.below(trajectories));
        for (factor, effects) in effects.iter().enumerate() {
            replicates[factor].push(mean_absolute(effects, &chosen));
        }
    }
    let factors: Vec<MorrisIndex> = effects
        .iter()
        .zip(&mut replicates)
        .map(|(effects, replicates)| {
            let count = trajectories as f64;
            let mu = effects.iter().sum::<f64>() / count;
            let squares: f64 = effects.iter().map(|e| (e - mu) * (e - mu)).sum();
            MorrisIndex {
                mu,
                mu_star: percentile_interval(mean_absolute(effects, &all), replicates),
                sigma: (squares / (count - 1.0)).sqrt(),
            }
        })
        .collect();
    let mut ranking: Vec<usize> = (0..factors.len()).collect();
    ranking.sort_by(|&i, &j| {
        factors[j]
            .mu_star
            .value
            .total_cmp(&factors[i].mu_star.value)
            .then(i.cmp(&j))
    });
    MorrisIndices { factors, ranking }
}

#[cfg(test)]
mod tests {
    use super::super::test_functions::{Ishigami, outputs_at};
    use super::super::{RESAMPLES_DEFAULT, level_of};
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn each_trajectory_moves_every_factor_once_by_delta_on_the_grid() {
        let design = morris_design(5, 30, 6, 8).unwrap();
        assert_eq!(design.points.len(), 30 * 6);
        assert_eq!(design.delta, 3.0 / 5.0);
        let mut levels_seen = [0usize; 6];
        for trajectory in 0..30 {
            let mut moved = [false; 5];
            for step in 0..5 {
                let before = &design.points[design.point_index(trajectory, step)];
                let after = &design.points[design.point_index(trajectory, step + 1)];
                let MorrisStep { factor, increase } = design.steps[trajectory * 5 + step];
                assert!(!moved[factor]);
                moved[factor] = true;
                for j in 0..5 {
                    if j == factor {
                        let change = if increase { 0.6 } else { -0.6 };
                        assert!((after[j] - before[j] - change).abs() < 1e-15);
                    } else {
                        assert_eq!(after[j], before[j]);
                    }
                }
            }
            for point in &design.points[trajectory * 6..(trajectory + 1) * 6] {
                for &u in point {
                    let level = u * 5.0;
                    assert_eq!(level, level.round(), "{u} is off the grid");
                    assert!((0.0..=1.0).contains(&u));
                    levels_seen[level.round() as usize] += 1;
                }
            }
        }
        assert!(
            levels_seen.iter().all(|&count| count > 0),
            "{levels_seen:?}"
        );
    }

    #[test]
    fn a_factor_without_effect_has_mu_star_and_sigma_exactly_zero() {
        // y does not read x2, so every step of x2 leaves y's bits unchanged.
        let design = morris_design(3, 20, MORRIS_LEVELS_DEFAULT, 1).unwrap();
        let outputs = outputs_at(&design.points, |x| x[0] * x[0] + libm::sin(5.0 * x[2]));
        let indices = &morris_indices(&design, &outputs, 200, 2).unwrap()[0];
        let inert = indices.factors[1];
        assert_eq!(inert.mu, 0.0);
        assert_eq!(inert.sigma, 0.0);
        assert_eq!(
            inert.mu_star,
            Estimate {
                value: 0.0,
                low: 0.0,
                high: 0.0
            }
        );
        assert_eq!(indices.ranking[2], 1);
    }

    #[test]
    fn a_linear_model_has_its_coefficients_as_mu_star_and_no_spread() {
        // y = Σ c_i x_i: every effect of factor i is c_i Δ / Δ = c_i. On the
        // two-level grid (Δ = 1, coordinates 0 and 1) every sum is exact in
        // binary; on the four-level grid the thirds round.
        let coefficients = [3.0, -2.0, 0.5, 0.0];
        let linear = |x: &[f64]| x.iter().zip(&coefficients).map(|(x, c)| c * x).sum::<f64>();
        let exact = morris_design(4, 10, 2, 3).unwrap();
        let indices =
            &morris_indices(&exact, &outputs_at(&exact.points, linear), 200, 4).unwrap()[0];
        for (index, c) in indices.factors.iter().zip(coefficients) {
            assert_eq!(index.mu, c);
            assert_eq!(index.mu_star.value, c.abs());
            assert_eq!(index.sigma, 0.0);
        }
        assert_eq!(indices.ranking, vec![0, 1, 2, 3]);
        let rounded = morris_design(4, 10, 4, 3).unwrap();
        let indices =
            &morris_indices(&rounded, &outputs_at(&rounded.points, linear), 200, 4).unwrap()[0];
        for (index, c) in indices.factors.iter().zip(coefficients) {
            assert!((index.mu - c).abs() < 1e-13);
            assert!((index.mu_star.value - c.abs()).abs() < 1e-13);
            assert!(index.sigma < 1e-13);
        }
    }

    /// The mean and standard deviation of each Ishigami factor's |EE| over
    /// the four-level grid, by enumeration of the grid. Every point of a
    /// Morris design has each factor uniform on the grid, independently; a
    /// step of factor i goes between levels (0, 2) or (1, 3) (Δ = 2/3),
    /// each equally likely, with the other factors at uniform grid levels.
    /// Trajectories are independent, so mu* is a mean of r independent
    /// draws of |EE|.
    fn ishigami_absolute_effects() -> [(f64, f64); 3] {
        let ishigami = Ishigami::STANDARD;
        let grid = [-PI, -PI / 3.0, PI / 3.0, PI];
        let mut moments = [(0.0, 0.0); 3];
        for (factor, moment) in moments.iter_mut().enumerate() {
            let others: Vec<usize> = (0..3).filter(|&j| j != factor).collect();
            let mut effects = Vec::new();
            for (low, high) in [(0, 2), (1, 3)] {
                for first_other in grid {
                    for second_other in grid {
                        let mut x = [0.0; 3];
                        x[others[0]] = first_other;
                        x[others[1]] = second_other;
                        x[factor] = grid[low];
                        let before = ishigami.at(&x);
                        x[factor] = grid[high];
                        effects.push(((ishigami.at(&x) - before) / (2.0 / 3.0)).abs());
                    }
                }
            }
            let mean = effects.iter().sum::<f64>() / 32.0;
            let variance = effects.iter().map(|e| (e - mean) * (e - mean)).sum::<f64>() / 32.0;
            *moment = (mean, variance.sqrt());
        }
        moments
    }

    #[test]
    fn ishigami_mu_star_ranks_the_interacting_x3_last_yet_above_zero() {
        // By hand, with sin over the grid (0, -√3/2, √3/2, 0), Δ = 2/3:
        // - x1: every step changes sin x1 by √3/2, so |EE| = (1 + b x3⁴)
        //   (√3/2) / Δ, 13.95 or 1.46 with x3 at ±π or ±π/3: mean 7.70,
        //   sd 6.24;
        // - x2: every step changes sin² x2 by ±3/4: |EE| = 7 · (3/4) / Δ =
        //   7.875 always;
        // - x3: it acts only with x1: |EE| = b (π⁴ - (π/3)⁴) |sin x1| / Δ,
        //   mean over x1 b (π⁴ - (π/3)⁴) (√3/4) / Δ = 6.25, above zero for
        //   the interaction alone.
        let moments = ishigami_absolute_effects();
        assert!((moments[0].0 - 7.70).abs() < 0.01, "{moments:?}");
        assert!((moments[0].1 - 6.24).abs() < 0.01, "{moments:?}");
        assert!((moments[1].0 - 7.875).abs() < 1e-9, "{moments:?}");
        assert!((moments[2].0 - 6.25).abs() < 0.01, "{moments:?}");
        let trajectories = 100;
        let design = morris_design(3, trajectories, MORRIS_LEVELS_DEFAULT, 11).unwrap();
        let ishigami = Ishigami::STANDARD;
        let outputs = outputs_at(&design.points, |u| ishigami.at_unit(u));
        let indices = &morris_indices(&design, &outputs, RESAMPLES_DEFAULT, 12).unwrap()[0];
        for (factor, index) in indices.factors.iter().enumerate() {
            // mu* is a mean of 100 independent |EE|: within four standard
            // errors of its expectation, and its 95% interval about 2 ·
            // 1.96 standard errors wide.
            let (mean, sd) = moments[factor];
            let standard_error = sd / (trajectories as f64).sqrt();
            let estimate = index.mu_star;
            assert!(
                (estimate.value - mean).abs() <= 4.0 * standard_error + 1e-9,
                "x{}: expected {mean} (se {standard_error}), estimated {estimate:?}",
                factor + 1
            );
            let width = estimate.high - estimate.low;
            if sd > 1e-9 {
                let nominal = 2.0 * 1.96 * standard_error;
                assert!(
                    (0.7..1.3).contains(&(width / nominal)),
                    "x{}: {estimate:?}",
                    factor + 1
                );
            } else {
                assert!(width < 1e-9, "{estimate:?}");
            }
        }
        assert_eq!(indices.ranking[2], 2, "{indices:?}");
        assert!(indices.factors[2].mu_star.low > 0.0);
        // x3's effect depends on x1, so it spreads.
        assert!(indices.factors[2].sigma > 1.0);
        // x2 is not monotonic: its effects are +7.875 or -7.875 with equal
        // chance, so mu is a mean of 100 signs times 7.875 (sd 0.79, four
        // sds 3.15) while mu* is 7.875 and sigma close to it.
        let x2 = indices.factors[1];
        assert!(x2.mu.abs() <= 3.15, "{x2:?}");
        assert!((7.0..8.0).contains(&x2.sigma), "{x2:?}");
    }

    #[test]
    fn a_discrete_factor_moves_by_at_least_one_value_at_every_step() {
        // Δ > 1/2, so u · m moves by more than m/2 >= 1 and floor(u · m),
        // clamped at m - 1, changes; with p = m every value is one level.
        for (levels, values) in [(4, 2), (4, 3), (4, 4), (6, 5), (8, 8)] {
            let design = morris_design(1, 50, levels, 5).unwrap();
            for trajectory in 0..50 {
                let before = design.points[design.point_index(trajectory, 0)][0];
                let after = design.points[design.point_index(trajectory, 1)][0];
                assert_ne!(level_of(before, values), level_of(after, values));
            }
        }
        let design = morris_design(1, 200, 4, 6).unwrap();
        let mut counts = [0; 4];
        for point in &design.points {
            counts[level_of(point[0], 4)] += 1;
        }
        // A trajectory's two points are levels {0, 2} or {1, 3}, each with
        // probability 1/2, so the count of each level is Binomial(200,
        // 1/2): 100 ± 5 · 7.1.
        assert!(
            counts.iter().all(|&c| (65..=135).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn constant_outputs_give_zero_measures_and_determinism_holds() {
        let design = morris_design(2, 8, 4, 1).unwrap();
        let outputs: Vec<Vec<f64>> = design.points.iter().map(|p| vec![2.5, p[1]]).collect();
        let once = morris_indices(&design, &outputs, 150, 3).unwrap();
        assert!(
            once[0]
                .factors
                .iter()
                .all(|index| index.mu_star.high == 0.0)
        );
        assert_eq!(once[0].ranking, vec![0, 1]);
        assert_eq!(once[1].ranking, vec![1, 0]);
        let again = morris_indices(&design, &outputs, 150, 3).unwrap();
        assert_eq!(format!("{once:?}"), format!("{again:?}"));
        assert_eq!(design, morris_design(2, 8, 4, 1).unwrap());
        assert_ne!(design, morris_design(2, 8, 4, 2).unwrap());
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(morris_design(0, 10, 4, 1).is_err());
        assert!(morris_design(3, 1, 4, 1).is_err());
        assert_eq!(morris_design(3, 10, 3, 1), Err(SensitivityError::Levels(3)));
        assert!(morris_design(3, 10, 0, 1).is_err());
        assert!(morris_design(3, 10, MORRIS_LEVELS_MAX + 2, 1).is_err());
        assert!(morris_design(3, POINTS_MAX, 4, 1).is_err());
        let design = morris_design(2, 4, 4, 1).unwrap();
        let outputs = vec![vec![f64::NAN]; design.points.len()];
        assert!(matches!(
            morris_indices(&design, &outputs, 200, 1),
            Err(SensitivityError::BadOutput { row: 0, .. })
        ));
    }
}
