//! A study's results for people (text) and for tools (tidy CSV). The HTML
//! page is in [`crate::html`].
//!
//! Figures are printed with four significant digits: indices are shares of
//! a variance (0 to 1), Morris effects are in the metric's units per the
//! factor's whole range, and both are estimates whose intervals say how far
//! to trust the digits.

use crate::csv::csv_lines;
use escrowsim_analysis::sensitivity::Estimate;
use escrowsim_analysis::study::{
    CalibrationResult, FactorRange, MetricIndices, StudyKind, StudyResult,
};
use std::fmt::Write;

/// `value` with `digits` significant digits, without an exponent for the
/// magnitudes reports meet; `n/a` for a missing value.
pub fn significant(value: Option<f64>, digits: usize) -> String {
    let Some(value) = value else {
        return crate::units::UNDEFINED.to_string();
    };
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let magnitude = value.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).clamp(0, 12) as usize;
    if magnitude >= 4 {
        // Whole numbers past four digits: grouped, rounded to the digits asked.
        let scale = 10f64.powi(magnitude + 1 - digits as i32);
        let rounded = (value / scale).round() * scale;
        return crate::units::grouped(rust_decimal::Decimal::from(rounded as i64));
    }
    format!("{value:.decimals$}")
}

fn estimate(estimate: Option<&Estimate>) -> (String, String) {
    match estimate {
        Some(estimate) => (
            significant(Some(estimate.value), 4),
            format!(
                "[{}, {}]",
                significant(Some(estimate.low), 4),
                significant(Some(estimate.high), 4)
            ),
        ),
        None => (
            crate::units::UNDEFINED.to_string(),
            crate::units::UNDEFINED.to_string(),
        ),
    }
}

/// Pads columns to their widest cell, two spaces apart, after `indent`.
pub(crate) fn table(text: &mut String, indent: &str, rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| {
            rows.iter()
                .filter_map(|row| row.get(column))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = indent.to_string();
        for (column, cell) in row.iter().enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            let _ = write!(line, "{cell:<width$}", width = widths[column]);
        }
        let _ = writeln!(text, "{}", line.trim_end());
    }
}

pub(crate) fn describe_range(range: &FactorRange) -> String {
    match range {
        FactorRange::Continuous { low, high } => format!("{low} to {high}"),
        FactorRange::Discrete { values } => format!("one of {}", values.join(", ")),
    }
}

/// The study as text, ending with a newline.
pub fn render_study_text(result: &StudyResult) -> String {
    let mut text = format!(
        "escrowsim {} | study {:?} over scenario {:?} | digest {}\n{} | {} per point, common random numbers across points\n",
        result.version,
        result.study,
        result.scenario,
        result.digest,
        result.design,
        crate::tables::counted(result.replications as usize, "replication"),
    );
    text.push_str("\nFactors\n");
    let rows: Vec<Vec<String>> = result
        .factors
        .iter()
        .enumerate()
        .map(|(index, factor)| {
            vec![
                index.to_string(),
                factor.path.clone(),
                describe_range(&factor.range),
            ]
        })
        .collect();
    table(&mut text, "  ", &rows);
    for metric in &result.metrics {
        metric_text(&mut text, result, metric);
    }
    if let Some(calibration) = &result.calibration {
        calibration_text(&mut text, result, calibration);
    }
    text
}

fn metric_text(text: &mut String, result: &StudyResult, metric: &MetricIndices) {
    let _ = writeln!(text, "\n{}", metric.metric);
    if let Some(note) = &metric.note {
        let _ = writeln!(text, "  {note}");
        return;
    }
    let name = |index: usize| result.factors[index].path.clone();
    if let Some(morris) = &metric.morris {
        let mut rows = vec![
            ["rank", "factor", "mu*", "95% CI of mu*", "mu", "sigma"]
                .map(String::from)
                .to_vec(),
        ];
        for (rank, &factor) in morris.ranking.iter().enumerate() {
            let index = &morris.factors[factor];
            let (mu_star, interval) = estimate(Some(&index.mu_star));
            rows.push(vec![
                (rank + 1).to_string(),
                name(factor),
                mu_star,
                interval,
                significant(Some(index.mu), 4),
                significant(Some(index.sigma), 4),
            ]);
        }
        table(text, "  ", &rows);
        let _ = writeln!(
            text,
            "  mu*: mean |elementary effect|, the metric's change over a factor's whole range;\n  \
             sigma large against mu*: the factor interacts or acts non-linearly (bootstrap-percentile interval)"
        );
    }
    if let Some(sobol) = &metric.sobol {
        let mut order: Vec<usize> = (0..sobol.factors.len()).collect();
        let total = |index: usize| {
            sobol.factors[index]
                .total
                .map_or(f64::NEG_INFINITY, |e| e.value)
        };
        order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
        let mut rows = vec![
            ["factor", "S1", "95% CI of S1", "ST", "95% CI of ST"]
                .map(String::from)
                .to_vec(),
        ];
        for factor in order {
            let index = &sobol.factors[factor];
            let (first, first_interval) = estimate(index.first.as_ref());
            let (total, total_interval) = estimate(index.total.as_ref());
            rows.push(vec![
                name(factor),
                first,
                first_interval,
                total,
                total_interval,
            ]);
        }
        table(text, "  ", &rows);
        let _ = writeln!(
            text,
            "  S1: share of the variance a factor explains alone; ST: with its interactions (bootstrap-percentile\n  \
             intervals over the base rows); variance {}",
            significant(Some(sobol.variance), 4)
        );
    }
    if let Some(correlations) = &metric.rank_correlations {
        let mut rows = vec![vec![
            "factor".to_string(),
            "Spearman's rank correlation".to_string(),
        ]];
        for (factor, correlation) in correlations.iter().enumerate() {
            rows.push(vec![name(factor), significant(*correlation, 3)]);
        }
        table(text, "  ", &rows);
    }
}

/// The columns of the posterior table, in text and on the page.
pub(crate) const POSTERIOR_COLUMNS: [&str; 7] = [
    "factor",
    "prior",
    "mean",
    "sd",
    "median",
    "95% interval",
    "calibrated",
];

/// One row per factor of the posterior table ([`POSTERIOR_COLUMNS`]).
pub(crate) fn posterior_rows(
    result: &StudyResult,
    calibration: &CalibrationResult,
) -> Vec<Vec<String>> {
    calibration
        .factors
        .iter()
        .map(|fit| {
            let range = result
                .factors
                .iter()
                .find(|factor| factor.path == fit.path)
                .map_or_else(
                    || format!("{} to {}", fit.prior_low, fit.prior_high),
                    |factor| describe_range(&factor.range),
                );
            let posterior = &fit.posterior;
            vec![
                fit.path.clone(),
                range,
                significant(Some(posterior.mean), 4),
                significant(Some(posterior.sd), 3),
                significant(Some(posterior.median), 4),
                format!(
                    "[{}, {}]",
                    significant(Some(posterior.low), 4),
                    significant(Some(posterior.high), 4)
                ),
                fit.calibrated.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

fn calibration_text(text: &mut String, result: &StudyResult, calibration: &CalibrationResult) {
    let _ = writeln!(
        text,
        "\nPosterior (rejection ABC: the {} closest of {} points, distance at most {})",
        calibration.accepted,
        calibration.points_used,
        significant(Some(calibration.threshold), 4)
    );
    let mut rows = vec![POSTERIOR_COLUMNS.map(String::from).to_vec()];
    rows.extend(posterior_rows(result, calibration));
    table(text, "  ", &rows);
    text.push_str("\nTargets (accepted points' simulated means)\n");
    let mut rows = vec![
        ["target", "observed", "sd", "simulated mean", "95% range"]
            .map(String::from)
            .to_vec(),
    ];
    for fit in &calibration.targets {
        rows.push(vec![
            fit.target.label(),
            significant(Some(fit.fit.observed), 4),
            significant(Some(fit.fit.standard_uncertainty), 3),
            significant(Some(fit.fit.simulated_mean), 4),
            format!(
                "[{}, {}]",
                significant(Some(fit.fit.simulated_low), 4),
                significant(Some(fit.fit.simulated_high), 4)
            ),
        ]);
    }
    table(text, "  ", &rows);
    if !calibration.check.is_empty() {
        let _ = writeln!(
            text,
            "\nPosterior-predictive check ({} runs of the calibrated scenario on fresh seeds)",
            calibration.check_replications
        );
        let mut rows = vec![
            [
                "target",
                "observed ± 1.96 sd",
                "mean",
                "95% CI of mean",
                "consistent",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for check in &calibration.check {
            rows.push(vec![
                check.target.clone(),
                format!(
                    "{} ± {}",
                    significant(Some(check.observed), 4),
                    significant(Some(1.96 * check.sd), 3)
                ),
                significant(check.mean, 4),
                format!(
                    "[{}, {}]",
                    significant(check.mean_low, 4),
                    significant(check.mean_high, 4)
                ),
                match check.consistent {
                    Some(true) => "yes".to_string(),
                    Some(false) => "NO".to_string(),
                    None => crate::units::UNDEFINED.to_string(),
                },
            ]);
        }
        table(text, "  ", &rows);
    }
}

/// Tidy CSV: one row per (metric, factor, statistic) with its interval
/// where it has one: `study,kind,metric,factor,statistic,value,low,high`.
pub fn render_study_csv(result: &StudyResult) -> String {
    csv_lines(study_rows(result))
}

/// The cells of [`render_study_csv`], its header first, unquoted: what
/// the Parquet table of a study types column by column.
pub fn study_rows(result: &StudyResult) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = vec![
        [
            "study",
            "kind",
            "metric",
            "factor",
            "statistic",
            "value",
            "low",
            "high",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let kind = match result.kind {
        StudyKind::Sensitivity => "sensitivity",
        StudyKind::Calibration => "calibration",
    };
    let number = |value: Option<f64>| value.map(|value| value.to_string()).unwrap_or_default();
    let mut push = |metric: &str,
                    factor: &str,
                    statistic: &str,
                    value: Option<f64>,
                    low: Option<f64>,
                    high: Option<f64>| {
        rows.push(vec![
            result.study.clone(),
            kind.to_string(),
            metric.to_string(),
            factor.to_string(),
            statistic.to_string(),
            number(value),
            number(low),
            number(high),
        ]);
    };
    for metric in &result.metrics {
        for (factor_index, factor) in result.factors.iter().enumerate() {
            let path = factor.path.as_str();
            if let Some(morris) = &metric.morris {
                let index = &morris.factors[factor_index];
                push(
                    &metric.metric,
                    path,
                    "mu_star",
                    Some(index.mu_star.value),
                    Some(index.mu_star.low),
                    Some(index.mu_star.high),
                );
                push(&metric.metric, path, "mu", Some(index.mu), None, None);
                push(&metric.metric, path, "sigma", Some(index.sigma), None, None);
            }
            if let Some(sobol) = &metric.sobol {
                let index = &sobol.factors[factor_index];
                for (statistic, estimate) in [("s1", index.first), ("st", index.total)] {
                    push(
                        &metric.metric,
                        path,
                        statistic,
                        estimate.map(|e| e.value),
                        estimate.map(|e| e.low),
                        estimate.map(|e| e.high),
                    );
                }
            }
            if let Some(correlations) = &metric.rank_correlations {
                push(
                    &metric.metric,
                    path,
                    "spearman",
                    correlations[factor_index],
                    None,
                    None,
                );
            }
        }
    }
    if let Some(calibration) = &result.calibration {
        for fit in &calibration.factors {
            let posterior = &fit.posterior;
            push(
                "",
                &fit.path,
                "posterior_mean",
                Some(posterior.mean),
                None,
                None,
            );
            push(
                "",
                &fit.path,
                "posterior_sd",
                Some(posterior.sd),
                None,
                None,
            );
            push(
                "",
                &fit.path,
                "posterior_median",
                Some(posterior.median),
                Some(posterior.low),
                Some(posterior.high),
            );
        }
        for fit in &calibration.targets {
            let label = fit.target.label();
            push(&label, "", "observed", Some(fit.fit.observed), None, None);
            push(
                &label,
                "",
                "observed_sd",
                Some(fit.fit.standard_uncertainty),
                None,
                None,
            );
            push(
                &label,
                "",
                "accepted_simulated_mean",
                Some(fit.fit.simulated_mean),
                Some(fit.fit.simulated_low),
                Some(fit.fit.simulated_high),
            );
        }
        for check in &calibration.check {
            push(
                &check.target,
                "",
                "check_mean",
                check.mean,
                check.mean_low,
                check.mean_high,
            );
        }
    }
    rows
}
