//! A study's results from its merged units: the indices of each metric
//! (Morris, Sobol), the rank correlations of an exploration, or a
//! calibration's posterior.
//!
//! The model output at a point is the mean over its replications of the
//! metric (its defined values: a rate with an empty denominator is left
//! out). A metric undefined at some point of the design has no indices:
//! the estimators need every point, and the result says how many lacked it.

use super::{Design, Factor, FactorRange, Study, StudyKind, Target};
use crate::calibration::{
    AbcPosterior, Acceptance, Adjustment, Observation, PosteriorSummary, abc_rejection,
};
use crate::sensitivity::{
    MORRIS_LEVELS_DEFAULT, MorrisIndices, SobolIndices, morris_design, morris_indices,
    saltelli_design, sobol_indices,
};
use crate::sweep::SweepResult;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// The indices (or correlations) of one metric.
#[derive(Clone, Debug, Serialize)]
pub struct MetricIndices {
    pub metric: String,
    /// Points at which no replication defined the metric.
    pub undefined_points: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub morris: Option<MorrisIndices>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sobol: Option<SobolIndices>,
    /// Latin hypercube: Spearman's rank correlation of each factor with
    /// the metric (average ranks for ties); `None` for a constant metric.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank_correlations: Option<Vec<Option<f64>>>,
    /// Why there are no indices, when there are none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How the accepted points reproduce one target.
#[derive(Clone, Debug, Serialize)]
pub struct TargetFit {
    pub target: Target,
    #[serde(flatten)]
    pub fit: crate::calibration::TargetFit,
}

/// The posterior of one factor, in its own units.
#[derive(Clone, Debug, Serialize)]
pub struct FactorFit {
    pub path: String,
    pub prior_low: f64,
    pub prior_high: f64,
    #[serde(flatten)]
    pub posterior: PosteriorSummary,
    /// The value the calibrated scenario takes (the posterior median to four
    /// significant digits, [`calibrated_value`]), as the scenario writes it.
    pub calibrated: Option<String>,
}

/// The posterior-predictive check of one target: runs of the calibrated
/// scenario on seeds the design did not use.
#[derive(Clone, Debug, Serialize)]
pub struct PredictiveCheck {
    pub target: String,
    pub observed: f64,
    pub sd: f64,
    /// Mean of the check's runs, and the 95% interval of that mean
    /// (Student t over the runs, the replication summary's method).
    pub mean: Option<f64>,
    pub mean_low: Option<f64>,
    pub mean_high: Option<f64>,
    /// Whether the interval of the mean meets the observed value's band,
    /// observed ± 1.96 sd: the calibrated scenario reproduces the target
    /// within the uncertainty the study stated.
    pub consistent: Option<bool>,
}

/// One accepted parameter set: the design point, its distance to the
/// targets, and its factor values (in the study's factor order).
#[derive(Clone, Debug, Serialize)]
pub struct AcceptedPoint {
    pub point: usize,
    pub distance: f64,
    pub values: Vec<f64>,
}

/// A calibration's result.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationResult {
    /// Points with a complete simulation (every target defined in some replication).
    pub points_used: usize,
    pub accepted: usize,
    /// The largest accepted distance.
    pub threshold: f64,
    pub factors: Vec<FactorFit>,
    pub targets: Vec<TargetFit>,
    /// The accepted parameter sets, closest first.
    pub accepted_points: Vec<AcceptedPoint>,
    /// Runs of the calibrated scenario in the check.
    pub check_replications: u32,
    pub check: Vec<PredictiveCheck>,
}

/// The value a calibrated scenario takes for a factor: its posterior
/// median to four significant digits (decimal rounding of the shortest
/// text, the same on every machine). More digits would claim a precision
/// the posterior's spread does not have.
pub fn calibrated_value(median: f64) -> f64 {
    if median == 0.0 || !median.is_finite() {
        return median;
    }
    format!("{median:.3e}").parse().unwrap_or(median)
}

/// Adds the posterior-predictive check from `check_replications` runs of
/// the calibrated scenario, summarised in `summary`.
pub fn add_predictive_check(
    calibration: &mut CalibrationResult,
    summary: &crate::ReplicationSummary,
    check_replications: u32,
) {
    calibration.check_replications = check_replications;
    calibration.check = calibration
        .targets
        .iter()
        .map(|fit| {
            let target = &fit.target;
            let statistics = match &target.month {
                None => summary.metric(&target.metric).cloned(),
                Some(month) => summary
                    .months
                    .iter()
                    .find(|m| &m.month == month)
                    .and_then(|m| {
                        m.metrics
                            .iter()
                            .find(|(metric, _)| metric.path == target.metric)
                            .map(|(_, statistics)| statistics.clone())
                    }),
            };
            let mean = statistics.as_ref().and_then(|s| s.mean.value.to_f64());
            let (mean_low, mean_high) = statistics
                .as_ref()
                .and_then(|s| s.ci95.as_ref())
                .map(|(low, high)| (low.value.to_f64(), high.value.to_f64()))
                .unwrap_or((mean, mean));
            let band = 1.96 * target.sd;
            let consistent = match (mean_low, mean_high) {
                (Some(low), Some(high)) => {
                    Some(high >= target.value - band && low <= target.value + band)
                }
                _ => None,
            };
            PredictiveCheck {
                target: target.label(),
                observed: target.value,
                sd: target.sd,
                mean,
                mean_low,
                mean_high,
                consistent,
            }
        })
        .collect();
}

/// The analysis of a whole study.
#[derive(Clone, Debug, Serialize)]
pub struct StudyResult {
    pub study: String,
    pub scenario: String,
    pub version: String,
    /// The study's digest: its units, manifest and results carry it.
    pub digest: String,
    pub kind: StudyKind,
    pub design: String,
    pub points: usize,
    pub replications: u32,
    pub factors: Vec<Factor>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<MetricIndices>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<CalibrationResult>,
    /// Wall time of all units, in milliseconds (a measurement, outside
    /// anything deterministic but reported for the cost of a study).
    #[serde(skip)]
    pub wall_ms_total: u64,
}

impl StudyResult {
    pub fn to_json(&self) -> String {
        let mut json =
            serde_json::to_string_pretty(self).expect("a study result always serialises");
        json.push('\n');
        json
    }
}

/// The mean of the defined values of whole-run metric `path` at each
/// point (`None` where none is defined), or monthly metric `path` in
/// `month`.
fn point_means(result: &SweepResult, path: &str, month: Option<&str>) -> Option<Vec<Option<f64>>> {
    result
        .points
        .iter()
        .map(|point| {
            let replications = &point.replications;
            let values: Vec<Decimal> = match month {
                None => {
                    let index = replications.metric_index(path)?;
                    replications.metric_values(index)
                }
                Some(month) => {
                    let column = replications.monthly_metric_index(path)?;
                    let row = replications.schema.months.iter().position(|m| m == month)?;
                    replications
                        .monthly_values(row, column)
                        .into_iter()
                        .flatten()
                        .collect()
                }
            };
            Some(if values.is_empty() {
                None
            } else {
                let sum: Decimal = values.iter().sum();
                (sum / Decimal::from(values.len() as u64)).to_f64()
            })
        })
        .collect()
}

/// Analyses the merged units of `study`.
pub fn analyse_study(study: &Study, result: &SweepResult) -> Result<StudyResult, String> {
    let manifest = &result.manifest;
    let factors = study.factors.len();
    let mut analysed = StudyResult {
        study: manifest.name.clone(),
        scenario: manifest.scenario_name.clone(),
        version: manifest.version.clone(),
        digest: manifest.digest.clone(),
        kind: study.kind,
        design: study.design.describe(factors),
        points: result.points.len(),
        replications: manifest.replications,
        factors: study.factors.clone(),
        metrics: Vec::new(),
        calibration: None,
        wall_ms_total: result
            .points
            .iter()
            .map(|point| point.costs.wall_ms_total)
            .sum(),
    };
    let unit_points = study.design.unit_points(factors, study.design_seed)?;
    if unit_points.len() != result.points.len() {
        return Err(format!(
            "the study's design has {} points but the results hold {}",
            unit_points.len(),
            result.points.len()
        ));
    }
    match study.kind {
        StudyKind::Sensitivity => {
            for metric in &study.metrics {
                let means = point_means(result, metric, None)
                    .ok_or_else(|| format!("{metric:?} is not a metric of the results"))?;
                analysed
                    .metrics
                    .push(metric_indices(study, &unit_points, metric, &means)?);
            }
        }
        StudyKind::Calibration => {
            analysed.calibration = Some(calibrate(study, &unit_points, result)?);
        }
    }
    Ok(analysed)
}

fn metric_indices(
    study: &Study,
    unit_points: &[Vec<f64>],
    metric: &str,
    means: &[Option<f64>],
) -> Result<MetricIndices, String> {
    let undefined_points = means.iter().filter(|mean| mean.is_none()).count();
    let mut indices = MetricIndices {
        metric: metric.to_string(),
        undefined_points,
        morris: None,
        sobol: None,
        rank_correlations: None,
        note: None,
    };
    if undefined_points > 0 {
        indices.note = Some(format!(
            "undefined at {undefined_points} of {} points (no replication had a denominator): no indices",
            means.len()
        ));
        return Ok(indices);
    }
    let outputs: Vec<Vec<f64>> = means.iter().map(|mean| vec![mean.unwrap_or(0.0)]).collect();
    if outputs.windows(2).all(|pair| pair[0] == pair[1]) {
        indices.note = Some(format!(
            "{} at every point of the design: no factor moves it",
            outputs.first().map_or(0.0, |row| row[0])
        ));
    }
    let factors = study.factors.len();
    let seed = study.design_seed;
    match study.design {
        Design::Morris {
            trajectories,
            levels,
        } => {
            let design = morris_design(
                factors,
                trajectories,
                levels.unwrap_or(MORRIS_LEVELS_DEFAULT),
                seed,
            )
            .map_err(|error| error.to_string())?;
            let mut all = morris_indices(&design, &outputs, study.design.resamples(), seed)
                .map_err(|error| error.to_string())?;
            indices.morris = all.pop();
        }
        Design::Sobol { base_rows, .. } => {
            let design =
                saltelli_design(factors, base_rows, seed).map_err(|error| error.to_string())?;
            let mut all = sobol_indices(&design, &outputs, study.design.resamples(), seed)
                .map_err(|error| error.to_string())?;
            indices.sobol = all.pop();
        }
        Design::LatinHypercube { .. } | Design::Abc { .. } => {
            let ys: Vec<f64> = outputs.iter().map(|row| row[0]).collect();
            indices.rank_correlations = Some(
                (0..factors)
                    .map(|factor| {
                        let xs: Vec<f64> = unit_points.iter().map(|point| point[factor]).collect();
                        spearman(&xs, &ys)
                    })
                    .collect(),
            );
        }
    }
    Ok(indices)
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let average = (start + end + 1) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = average;
        }
        start = end;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's of the ranks; `None` when either
/// side is constant.
pub fn spearman(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let (rx, ry) = (ranks(xs), ranks(ys));
    let n = rx.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in rx.iter().zip(&ry) {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

fn calibrate(
    study: &Study,
    unit_points: &[Vec<f64>],
    result: &SweepResult,
) -> Result<CalibrationResult, String> {
    // Per target, per point, per replication: the value, or None.
    let mut columns: Vec<Vec<Vec<Option<f64>>>> = Vec::with_capacity(study.targets.len());
    for target in &study.targets {
        let mut per_point = Vec::with_capacity(result.points.len());
        for point in &result.points {
            let replications = &point.replications;
            let values: Vec<Option<f64>> = match &target.month {
                None => {
                    let index = replications.metric_index(&target.metric).ok_or_else(|| {
                        format!("{:?} is not a metric of the results", target.metric)
                    })?;
                    replications.metric_values_by_replication(index)
                }
                Some(month) => {
                    let column = replications
                        .monthly_metric_index(&target.metric)
                        .ok_or_else(|| format!("{:?} is not a monthly metric", target.metric))?;
                    let row = replications
                        .schema
                        .months
                        .iter()
                        .position(|m| m == month)
                        .ok_or_else(|| format!("{month} is not a month of the results"))?;
                    replications.monthly_values(row, column)
                }
            }
            .into_iter()
            .map(|value| value.and_then(|value| value.to_f64()))
            .collect();
            per_point.push(values);
        }
        columns.push(per_point);
    }
    // Points with at least one replication defining every target.
    let mut used = Vec::new();
    let mut parameters = Vec::new();
    let mut simulated = Vec::new();
    for (point, unit) in unit_points.iter().enumerate() {
        let replications = columns.first().map_or(0, |column| column[point].len());
        let runs: Vec<Vec<f64>> = (0..replications)
            .filter_map(|replication| {
                columns
                    .iter()
                    .map(|column| column[point][replication])
                    .collect::<Option<Vec<f64>>>()
            })
            .collect();
        if runs.is_empty() {
            continue;
        }
        used.push(point);
        parameters.push(
            study
                .factors
                .iter()
                .zip(unit)
                .map(|(factor, &u)| factor.coordinate(u))
                .collect::<Vec<f64>>(),
        );
        simulated.push(runs);
    }
    let observations: Vec<Observation> = study
        .targets
        .iter()
        .map(|target| Observation {
            value: target.value,
            standard_uncertainty: target.sd,
        })
        .collect();
    let posterior: AbcPosterior = abc_rejection(
        &parameters,
        &simulated,
        &observations,
        Acceptance::Fraction(study.accept.unwrap_or(0.1)),
        Adjustment::None,
    )
    .map_err(|error| error.to_string())?;
    let factors = study
        .factors
        .iter()
        .zip(&posterior.parameters)
        .map(|(factor, summary)| {
            let (prior_low, prior_high) = match &factor.range {
                FactorRange::Continuous { low, high } => (*low, *high),
                FactorRange::Discrete { values } => (0.0, values.len() as f64 - 1.0),
            };
            FactorFit {
                path: factor.path.clone(),
                prior_low,
                prior_high,
                posterior: *summary,
                calibrated: None,
            }
        })
        .collect();
    Ok(CalibrationResult {
        points_used: used.len(),
        accepted: posterior.accepted.len(),
        threshold: posterior.threshold,
        factors,
        targets: study
            .targets
            .iter()
            .cloned()
            .zip(posterior.fit.iter().copied())
            .map(|(target, fit)| TargetFit { target, fit })
            .collect(),
        accepted_points: posterior
            .accepted
            .iter()
            .map(|&index| AcceptedPoint {
                point: used[index],
                distance: posterior.distances[index],
                values: parameters[index].clone(),
            })
            .collect(),
        check_replications: 0,
        check: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_of_a_monotone_relation_is_one_and_ties_share_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
        let xs = [0.1, 0.4, 0.2, 0.9];
        let ys: Vec<f64> = xs.iter().map(|x: &f64| x * x * x).collect();
        assert_eq!(spearman(&xs, &ys), Some(1.0));
        let reversed: Vec<f64> = xs.iter().map(|x| -x).collect();
        assert_eq!(spearman(&xs, &reversed), Some(-1.0));
        assert_eq!(spearman(&xs, &[1.0; 4]), None);
    }

    #[test]
    fn calibrated_values_keep_four_significant_digits() {
        assert_eq!(calibrated_value(0.7913523614406586), 0.7914);
        assert_eq!(calibrated_value(1234.5678), 1235.0);
        assert_eq!(calibrated_value(0.00012345), 0.0001234);
        assert_eq!(calibrated_value(0.0), 0.0);
    }
}
