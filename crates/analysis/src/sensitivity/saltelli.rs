//! Variance-based sensitivity: the Saltelli design and the first-order and
//! total Sobol indices, with bootstrap intervals.
//!
//! The design (Saltelli 2002; 2010) takes two independent base matrices A
//! and B of N rows in `[0, 1)^k`, here the first and last k coordinates of
//! N points of a 2k-dimensional scrambled Sobol sequence, and for each
//! factor i the matrix A_B^(i): A with its column i taken from B. The
//! model runs on N(k + 2) points.
//!
//! Estimators, with f_A, f_B, f_i the outputs on row j of A, B and A_B^(i):
//!
//! - V, the output variance: the variance of the 2N outputs of A and B,
//!   with divisor 2N.
//! - S_i = (1/N) Σ_j f_B (f_i - f_A) / V, first order (Saltelli et al.
//!   2010, table 2 (b)): the share of V that factor i explains alone.
//! - ST_i = (1/2N) Σ_j (f_A - f_i)² / V, total (Jansen 1999; Saltelli et
//!   al. 2010, table 2 (f)): the share of V that involves factor i at all.
//!
//! Outputs are centred on the mean of the 2N outputs of A and B before the
//! sums: a constant shift changes no index but, left in, it multiplies the
//! noise of S_i by the mean's size (a metric of mean 10⁶ and sd 1 would
//! give useless first-order estimates). S_i can come out slightly negative
//! (or above ST_i) from sampling noise; it is reported as estimated.
//!
//! Intervals: the N base rows are resampled with replacement (the same
//! resampled rows for every factor, index and metric, from the seed's
//! `sensitivity/sobol-bootstrap` stream), every index is recomputed from
//! the resampled rows, and the interval is the 2.5% and 97.5% percentiles
//! of the replicates. Treating Sobol rows as independent overstates their
//! error (quasi-random rows are more even than random ones), so the
//! intervals of a scrambled Sobol design are conservative.
//!
//! An output with no variance (every A and B output equal) has no indices:
//! `None`. A resample whose rows happen to carry no variance is left out
//! of the percentiles and counted in [`SobolIndices::resamples_undefined`].

use super::bootstrap::percentile_interval;
use super::draws::Draws;
use super::sequence::{SOBOL_POINTS_MAX, scrambled_sobol};
use super::{
    Estimate, FACTORS_MAX, SensitivityError, check_design_size, check_factors, check_outputs,
    check_resamples, check_size, column,
};
use serde::Serialize;

// A and B take 2k dimensions of one Sobol sequence.
const _: () = assert!(2 * FACTORS_MAX <= super::SOBOL_DIMENSIONS_MAX);

/// Fewest base rows: fewer leave the bootstrap with too few distinct
/// resamples for a 95% interval.
pub const SALTELLI_BASE_ROWS_MIN: usize = 8;

/// The Saltelli design: `base_rows` rows of k + 2 points each.
///
/// Point order (one simulation run per point): row j takes points
/// `j(k+2) .. (j+1)(k+2)`, in the order A_j, A_B^(0)_j, ..., A_B^(k-1)_j,
/// B_j ([`SaltelliDesign::point_index`]). The first n rows are thus a
/// complete design of n base rows.
#[derive(Clone, Debug, PartialEq)]
pub struct SaltelliDesign {
    pub factors: usize,
    pub base_rows: usize,
    pub points: Vec<Vec<f64>>,
}

/// The role of a point within its base row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaltelliPoint {
    /// The row of A.
    A,
    /// The row of A_B^(i): A's row with factor i's coordinate from B.
    Mixed { factor: usize },
    /// The row of B.
    B,
}

impl SaltelliDesign {
    /// Points of one base row: k + 2.
    pub fn points_per_row(&self) -> usize {
        self.factors + 2
    }

    /// The index of the point of base row `row` with role `point`.
    pub fn point_index(&self, row: usize, point: SaltelliPoint) -> usize {
        assert!(row < self.base_rows, "row {row} of {}", self.base_rows);
        let offset = match point {
            SaltelliPoint::A => 0,
            SaltelliPoint::Mixed { factor } => {
                assert!(factor < self.factors, "factor {factor} of {}", self.factors);
                1 + factor
            }
            SaltelliPoint::B => self.factors + 1,
        };
        row * self.points_per_row() + offset
    }

    /// The design of base matrices `a` and `b` (rows of the same k
    /// coordinates in `[0, 1]`): for A and B drawn some other way, such as
    /// independent uniforms or Latin hypercubes.
    pub fn from_base(a: &[Vec<f64>], b: &[Vec<f64>]) -> Result<SaltelliDesign, SensitivityError> {
        let factors = a.first().map_or(0, Vec::len);
        check_factors(factors)?;
        check_size(
            "base rows",
            a.len(),
            SALTELLI_BASE_ROWS_MIN,
            SOBOL_POINTS_MAX,
        )?;
        check_size("rows of B", b.len(), a.len(), a.len())?;
        check_design_size(a.len() * (factors + 2), factors)?;
        for (matrix, rows) in [('A', a), ('B', b)] {
            let bad = rows.iter().position(|row| {
                row.len() != factors || row.iter().any(|u| !(0.0..=1.0).contains(u))
            });
            if let Some(row) = bad {
                return Err(SensitivityError::BaseMatrix {
                    matrix,
                    row,
                    factors,
                });
            }
        }
        let mut points = Vec::with_capacity(a.len() * (factors + 2));
        for (row_a, row_b) in a.iter().zip(b) {
            points.push(row_a.clone());
            for factor in 0..factors {
                let mut mixed = row_a.clone();
                mixed[factor] = row_b[factor];
                points.push(mixed);
            }
            points.push(row_b.clone());
        }
        Ok(SaltelliDesign {
            factors,
            base_rows: a.len(),
            points,
        })
    }
}

/// The Saltelli design of `factors` factors and `base_rows` base rows, A
/// and B from the scrambled Sobol sequence of `2 · factors` dimensions and
/// `seed`. `base_rows` a power of two keeps A and B balanced nets.
pub fn saltelli_design(
    factors: usize,
    base_rows: usize,
    seed: u64,
) -> Result<SaltelliDesign, SensitivityError> {
    check_factors(factors)?;
    check_size(
        "base rows",
        base_rows,
        SALTELLI_BASE_ROWS_MIN,
        SOBOL_POINTS_MAX,
    )?;
    check_design_size(base_rows * (factors + 2), factors)?;
    let sequence = scrambled_sobol(base_rows, 2 * factors, seed)?;
    let (a, b): (Vec<Vec<f64>>, Vec<Vec<f64>>) = sequence
        .into_iter()
        .map(|mut point| {
            let b = point.split_off(factors);
            (point, b)
        })
        .unzip();
    SaltelliDesign::from_base(&a, &b)
}

/// The Sobol indices of one factor for one metric; `None` where the
/// metric's output does not vary.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SobolIndex {
    /// S_i (Saltelli 2010).
    pub first: Option<Estimate>,
    /// ST_i (Jansen 1999).
    pub total: Option<Estimate>,
}

/// The Sobol indices of one metric, factor by factor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SobolIndices {
    /// V: the variance of the metric over A and B (0 for a constant).
    pub variance: f64,
    pub factors: Vec<SobolIndex>,
    /// Resamples left out of the intervals for carrying no variance.
    pub resamples_undefined: u32,
}

/// The Sobol indices of every metric of `outputs` (one row per design
/// point, one column per metric), with 95% bootstrap intervals from
/// `resamples` resamples of the base rows drawn from `seed`.
pub fn sobol_indices(
    design: &SaltelliDesign,
    outputs: &[Vec<f64>],
    resamples: u32,
    seed: u64,
) -> Result<Vec<SobolIndices>, SensitivityError> {
    let metrics = check_outputs(outputs, design.points.len())?;
    check_resamples(resamples)?;
    Ok((0..metrics)
        .map(|metric| metric_indices(design, &column(outputs, metric), resamples, seed))
        .collect())
}

/// One metric's outputs, split by role and centred.
struct Columns {
    a: Vec<f64>,
    b: Vec<f64>,
    /// `mixed[i][j]`: the output of A_B^(i) on row j.
    mixed: Vec<Vec<f64>>,
}

impl Columns {
    fn new(design: &SaltelliDesign, outputs: &[f64]) -> Columns {
        let rows = 0..design.base_rows;
        let at = |row, point| outputs[design.point_index(row, point)];
        let mut columns = Columns {
            a: rows.clone().map(|row| at(row, SaltelliPoint::A)).collect(),
            b: rows.clone().map(|row| at(row, SaltelliPoint::B)).collect(),
            mixed: (0..design.factors)
                .map(|factor| {
                    let point = SaltelliPoint::Mixed { factor };
                    rows.clone().map(|row| at(row, point)).collect()
                })
                .collect(),
        };
        let sum: f64 = columns.a.iter().zip(&columns.b).map(|(a, b)| a + b).sum();
        let centre = sum / (2 * design.base_rows) as f64;
        for values in [&mut columns.a, &mut columns.b]
            .into_iter()
            .chain(columns.mixed.iter_mut())
        {
            values.iter_mut().for_each(|value| *value -= centre);
        }
        columns
    }
}

/// The indices over base rows `rows` (repeats allowed) into `first` and
/// `total`, and the variance; `None` if the A and B outputs of those rows
/// are all equal.
fn estimate(
    columns: &Columns,
    rows: &[usize],
    first: &mut [f64],
    total: &mut [f64],
) -> Option<f64> {
    let count = rows.len() as f64;
    let (mut sum, mut low, mut high) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
    for &row in rows {
        let (a, b) = (columns.a[row], columns.b[row]);
        sum += a + b;
        low = low.min(a).min(b);
        high = high.max(a).max(b);
    }
    if low == high {
        return None;
    }
    let mean = sum / (2.0 * count);
    let squares: f64 = rows
        .iter()
        .map(|&row| {
            let (a, b) = (columns.a[row] - mean, columns.b[row] - mean);
            a * a + b * b
        })
        .sum();
    let variance = squares / (2.0 * count);
    // Values so close that their squared deviations underflow.
    if variance <= 0.0 {
        return None;
    }
    for (factor, mixed) in columns.mixed.iter().enumerate() {
        let (mut first_sum, mut total_sum) = (0.0, 0.0);
        for &row in rows {
            let (a, b, i) = (columns.a[row], columns.b[row], mixed[row]);
            first_sum += b * (i - a);
            total_sum += (a - i) * (a - i);
        }
        first[factor] = first_sum / count / variance;
        total[factor] = total_sum / (2.0 * count) / variance;
    }
    Some(variance)
}

fn metric_indices(
    design: &SaltelliDesign,
    outputs: &[f64],
    resamples: u32,
    seed: u64,
) -> SobolIndices {
    let factors = design.factors;
    let columns = Columns::new(design, outputs);
    let all_rows: Vec<usize> = (0..design.base_rows).collect();
    let (mut first, mut total) = (vec![0.0; factors], vec![0.0; factors]);
    let Some(variance) = estimate(&columns, &all_rows, &mut first, &mut total) else {
        return SobolIndices {
            variance: 0.0,
            factors: vec![
                SobolIndex {
                    first: None,
                    total: None
                };
                factors
            ],
            resamples_undefined: 0,
        };
    };
    // Replicates factor by factor; every metric redraws the same rows.
    let mut first_replicates = vec![Vec::with_capacity(resamples as usize); factors];
    let mut total_replicates = vec![Vec::with_capacity(resamples as usize); factors];
    let mut draws = Draws::new(seed, "sensitivity/sobol-bootstrap");
    let mut rows = vec![0; design.base_rows];
    let (mut first_once, mut total_once) = (vec![0.0; factors], vec![0.0; factors]);
    let mut resamples_undefined = 0;
    for _ in 0..resamples {
        rows.iter_mut()
            .for_each(|row| *row = draws.below(design.base_rows));
        if estimate(&columns, &rows, &mut first_once, &mut total_once).is_none() {
            resamples_undefined += 1;
            continue;
        }
        for factor in 0..factors {
            first_replicates[factor].push(first_once[factor]);
            total_replicates[factor].push(total_once[factor]);
        }
    }
    let interval = |value: f64, replicates: &mut Vec<f64>| {
        (!replicates.is_empty()).then(|| percentile_interval(value, replicates))
    };
    let indices = (0..factors)
        .map(|factor| SobolIndex {
            first: interval(first[factor], &mut first_replicates[factor]),
            total: interval(total[factor], &mut total_replicates[factor]),
        })
        .collect();
    SobolIndices {
        variance,
        factors: indices,
        resamples_undefined,
    }
}

#[cfg(test)]
mod tests {
    use super::super::RESAMPLES_DEFAULT;
    use super::super::draws::Draws;
    use super::super::test_functions::{GFunction, Ishigami, outputs_at};
    use super::*;

    #[test]
    fn the_point_order_is_a_then_each_mixed_then_b_per_row() {
        let design = saltelli_design(3, 16, 5).unwrap();
        assert_eq!(design.points.len(), 16 * 5);
        for row in 0..16 {
            let a = &design.points[design.point_index(row, SaltelliPoint::A)];
            let b = &design.points[design.point_index(row, SaltelliPoint::B)];
            assert_eq!(design.point_index(row, SaltelliPoint::A), row * 5);
            assert_eq!(design.point_index(row, SaltelliPoint::B), row * 5 + 4);
            for factor in 0..3 {
                let index = design.point_index(row, SaltelliPoint::Mixed { factor });
                assert_eq!(index, row * 5 + 1 + factor);
                for (j, &u) in design.points[index].iter().enumerate() {
                    assert_eq!(u, if j == factor { b[j] } else { a[j] });
                }
            }
            assert!(a.iter().zip(b).all(|(x, y)| x != y));
        }
        // A and B are the two halves of a 6-dimensional Sobol sequence.
        let sequence = scrambled_sobol(16, 6, 5).unwrap();
        for (row, point) in sequence.iter().enumerate() {
            assert_eq!(&point[..3], &design.points[row * 5][..]);
            assert_eq!(&point[3..], &design.points[row * 5 + 4][..]);
        }
    }

    /// Checks every index of `model` against its exact value, and against
    /// its interval.
    fn check_against_closed_form(
        design: &SaltelliDesign,
        outputs: &[Vec<f64>],
        first_exact: &[f64],
        total_exact: &[f64],
    ) {
        let indices = sobol_indices(design, outputs, RESAMPLES_DEFAULT, 17).unwrap();
        assert_eq!(indices[0].resamples_undefined, 0);
        for (factor, index) in indices[0].factors.iter().enumerate() {
            let (first, total) = (index.first.unwrap(), index.total.unwrap());
            for (name, estimate, exact) in [
                ("S1", first, first_exact[factor]),
                ("ST", total, total_exact[factor]),
            ] {
                assert!(
                    estimate.covers(exact),
                    "{name} of x{}: exact {exact:.4}, estimated {estimate:?}",
                    factor + 1
                );
                // The interval is informative: a few hundredths wide.
                assert!(estimate.high - estimate.low < 0.1, "{name} {estimate:?}");
                assert!((estimate.value - exact).abs() < 0.03, "{name} {estimate:?}");
            }
        }
    }

    #[test]
    fn ishigami_indices_match_the_closed_form_within_their_intervals() {
        // Ishigami and Homma (1990), a = 7, b = 0.1, x uniform on [-π, π]:
        // S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437); the
        // closed forms are in `test_functions`.
        let design = saltelli_design(3, 4096, 2024).unwrap();
        let ishigami = Ishigami::STANDARD;
        let outputs = outputs_at(&design.points, |point| ishigami.at_unit(point));
        let (first, total) = (ishigami.first_order(), ishigami.total());
        assert!((first[0] - 0.3139).abs() < 5e-5 && (first[1] - 0.4424).abs() < 5e-5);
        assert!((total[0] - 0.5576).abs() < 5e-5 && (total[2] - 0.2437).abs() < 5e-5);
        check_against_closed_form(&design, &outputs, &first, &total);
    }

    #[test]
    fn g_function_indices_match_the_closed_form_within_their_intervals() {
        // Sobol's g-function with a = (0, 1, 4.5, 9, 99, 99): one dominant
        // factor, two moderate, one small, two almost inert.
        let g = GFunction::new(vec![0.0, 1.0, 4.5, 9.0, 99.0, 99.0]);
        let design = saltelli_design(6, 4096, 7).unwrap();
        let outputs = outputs_at(&design.points, |point| g.at(point));
        check_against_closed_form(&design, &outputs, &g.first_order(), &g.total());
    }

    #[test]
    fn a_constant_metric_has_no_indices_and_leaves_the_others_alone() {
        let design = saltelli_design(2, 64, 3).unwrap();
        let outputs: Vec<Vec<f64>> = design
            .points
            .iter()
            .map(|point| vec![4.25, point[0], 1e-300])
            .collect();
        let indices = sobol_indices(&design, &outputs, 200, 1).unwrap();
        for constant in [&indices[0], &indices[2]] {
            assert_eq!(constant.variance, 0.0);
            assert!(
                constant
                    .factors
                    .iter()
                    .all(|index| index.first.is_none() && index.total.is_none())
            );
        }
        // y = x1: S1 = ST = 1 for x1 and 0 for x2, exactly for ST of x2
        // (its A_B^(2) output equals A's).
        let varying = &indices[1];
        assert!(varying.variance > 0.0);
        assert_eq!(varying.factors[1].total.unwrap().value, 0.0);
        assert_eq!(varying.factors[1].total.unwrap().high, 0.0);
        assert!((varying.factors[0].total.unwrap().value - 1.0).abs() < 0.1);
        let json = serde_json::to_string(&indices[0]).unwrap();
        assert_eq!(
            json,
            r#"{"variance":0.0,"factors":[{"first":null,"total":null},{"first":null,"total":null}],"resamples_undefined":0}"#
        );
    }

    #[test]
    fn a_resample_without_variance_is_left_out_and_counted() {
        // The output varies on one base row only: a resample that misses
        // it (probability (1 - 1/8)^8 = 0.34) has no variance.
        let design = saltelli_design(1, 8, 3).unwrap();
        let varying_row = design.point_index(5, SaltelliPoint::B);
        let outputs: Vec<Vec<f64>> = (0..design.points.len())
            .map(|index| vec![if index == varying_row { 1.0 } else { 0.0 }])
            .collect();
        let indices = sobol_indices(&design, &outputs, 1000, 4).unwrap();
        let undefined = indices[0].resamples_undefined;
        // Binomial(1000, 0.344): mean 344, sd 15.
        assert!((250..440).contains(&undefined), "{undefined}");
        let first = indices[0].factors[0].first.unwrap();
        assert!(first.value.is_finite() && first.low.is_finite() && first.high.is_finite());
    }

    #[test]
    fn the_same_inputs_give_the_same_bits() {
        let design = saltelli_design(3, 256, 9).unwrap();
        let ishigami = Ishigami::STANDARD;
        let outputs = outputs_at(&design.points, |point| ishigami.at_unit(point));
        let once = sobol_indices(&design, &outputs, 300, 5).unwrap();
        let again = sobol_indices(&design, &outputs, 300, 5).unwrap();
        assert_eq!(format!("{once:?}"), format!("{again:?}"));
        let other = sobol_indices(&design, &outputs, 300, 6).unwrap();
        assert_eq!(
            once[0].factors[0].first.unwrap().value,
            other[0].factors[0].first.unwrap().value
        );
        assert_ne!(
            once[0].factors[0].first.unwrap().low,
            other[0].factors[0].first.unwrap().low
        );
    }

    #[test]
    fn bad_sizes_and_outputs_are_errors() {
        assert!(saltelli_design(0, 64, 1).is_err());
        assert!(saltelli_design(FACTORS_MAX + 1, 64, 1).is_err());
        assert!(saltelli_design(2, SALTELLI_BASE_ROWS_MIN - 1, 1).is_err());
        assert!(saltelli_design(2, SOBOL_POINTS_MAX + 1, 1).is_err());
        assert!(matches!(
            saltelli_design(FACTORS_MAX, SOBOL_POINTS_MAX, 1),
            Err(SensitivityError::TooLarge { .. })
        ));
        let design = saltelli_design(2, 8, 1).unwrap();
        let outputs = vec![vec![0.0]; design.points.len()];
        assert!(sobol_indices(&design, &outputs[1..], 200, 1).is_err());
        assert!(sobol_indices(&design, &outputs, 10, 1).is_err());
        let a = vec![vec![0.5, 0.5]; 8];
        let mut b = a.clone();
        b[3][1] = 1.5;
        assert!(matches!(
            SaltelliDesign::from_base(&a, &b),
            Err(SensitivityError::BaseMatrix {
                matrix: 'B',
                row: 3,
                ..
            })
        ));
        assert!(SaltelliDesign::from_base(&a, &a[1..]).is_err());
    }

    /// Independent uniform base matrices: the Monte Carlo Saltelli design,
    /// under which the bootstrap's resampling of independent rows is exact
    /// in principle.
    fn monte_carlo_design(factors: usize, rows: usize, seed: u64) -> SaltelliDesign {
        let mut draws = Draws::new(seed, "test/monte-carlo");
        let mut matrix = || -> Vec<Vec<f64>> {
            (0..rows)
                .map(|_| (0..factors).map(|_| draws.unit()).collect())
                .collect()
        };
        let (a, b) = (matrix(), matrix());
        SaltelliDesign::from_base(&a, &b).unwrap()
    }

    /// How often the 95% intervals of S1 of y = x1 + 2 x2 + 3 x3 cover the
    /// exact S1 over `experiments` independent designs from `design`.
    fn coverage(experiments: u64, design: impl Fn(u64) -> SaltelliDesign) -> [u32; 3] {
        // Var(c x) = c²/12 for x uniform on [0, 1): S1 = c_i² / Σ c² =
        // (1, 4, 9) / 14, and the model is additive, so ST = S1.
        let exact = [1.0 / 14.0, 4.0 / 14.0, 9.0 / 14.0];
        let mut covered = [0; 3];
        for experiment in 0..experiments {
            let design = design(experiment);
            let outputs = outputs_at(&design.points, |x| x[0] + 2.0 * x[1] + 3.0 * x[2]);
            let indices = sobol_indices(&design, &outputs, 500, 1000 + experiment).unwrap();
            for (factor, index) in indices[0].factors.iter().enumerate() {
                covered[factor] += u32::from(index.first.unwrap().covers(exact[factor]));
            }
        }
        covered
    }

    #[test]
    fn first_order_intervals_cover_the_exact_value_at_their_nominal_rate() {
        // 400 independent Monte Carlo designs of 256 base rows. If the
        // intervals cover 95% of the time, each count is Binomial(400,
        // 0.95): mean 380, sd 4.36; the band is four sds either side,
        // [363, 397], 90.6% to 99.4%.
        let experiments = 400;
        let covered = coverage(experiments, |seed| monte_carlo_design(3, 256, seed));
        let shares = covered.map(|count| f64::from(count) / experiments as f64);
        for count in covered {
            assert!(
                (363..=397).contains(&count),
                "coverage of the nominal 95% S1 intervals (x1, x2, x3): {shares:?}"
            );
        }
        println!("Monte Carlo design, coverage of S1 intervals: {shares:?}");
    }

    #[test]
    fn scrambled_sobol_intervals_are_conservative() {
        // The same check on scrambled Sobol designs of 256 base rows: the
        // rows are more even than independent ones, so the bootstrap
        // overstates the error and the intervals cover at least as often
        // as nominal. The lower end of the band above is the bound.
        let experiments = 400;
        let covered = coverage(experiments, |seed| saltelli_design(3, 256, seed).unwrap());
        let shares = covered.map(|count| f64::from(count) / experiments as f64);
        for count in covered {
            assert!(
                count >= 363,
                "coverage of the nominal 95% S1 intervals (x1, x2, x3): {shares:?}"
            );
        }
        println!("Scrambled Sobol design, coverage of S1 intervals: {shares:?}");
    }
}
