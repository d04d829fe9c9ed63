//! Text tables of replication summaries and comparisons, for people.
//!
//! A report opens with what it ran (version, scenario files and their
//! SHA-256, seeds), then a short headline of the figures a policy team reads
//! first, then the metrics equal in every replication, each once, then one
//! row per remaining metric in outcome order, named by its dotted path as in
//! the JSON and CSV (`--metrics` chooses those rows).
//!
//! Figures read as the run report's do ([`crate::units`]): money grouped by
//! thousands with the scenario's currency, rates as percentages, counts
//! without the JSON's six decimals. Printing never rounds a rate or money:
//! a rate has six decimals, so its percentage four, printed exactly (trailing
//! zeros trimmed to two), and an interval printed is the interval computed,
//! which is what `significant` was decided on. Counts are means of integers:
//! they print with one decimal, their interval bounds rounded outward.

use crate::units::{UNDEFINED, grouped};
use escrowsim_analysis::{
    Comparison, Difference, Figure, Metric, MetricKind, MetricPatterns, ReplicationSummary, Summary,
};
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt::Write;

/// `1 replication`, `20 replications`.
pub(crate) fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// The headline: (label, metric path), in the order read.
const HEADLINE: &[(&str, &str)] = &[
    ("refund rate", "refunds.rate"),
    ("platform loss", "risk.platform_loss"),
    ("loss in bps of covered GMV", "risk.loss_bps"),
    ("covered share of GMV", "gmv.covered_share"),
    ("escrow peak", "risk.escrow_peak"),
];

/// A variance ratio as the headline prints it, `n/a` when there is none
/// (fewer than two pairs, or no spread).
fn ratio_cell(ratio: Option<Decimal>) -> String {
    match ratio {
        Some(ratio) => format!("{:.3}", ratio.round_dp(3)),
        None => UNDEFINED.to_string(),
    }
}

/// The lines after the headline of antithetic pairs: what was run and how
/// the variance ratio column is estimated.
fn antithetic_note(text: &mut String, replications: usize, ratio_of: &str) {
    let _ = writeln!(
        text,
        "Antithetic pairs: {} (replication 2k on seed k's streams, 2k+1 on the same seed with\n\
         every draw u mirrored to 1 - u); means and intervals are of the pair means. Variance\n\
         ratio of {ratio_of}: Var(pair means) / (Var(replications) / 2), sample\n\
         variances; below 1 the pairing narrowed the interval (by its square root), above 1\n\
         it widened it.",
        counted(replications / 2, "pair"),
    );
}

/// How a metric's figures read, from its kind and its name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Money,
    /// A share in [0, 1], printed as a percentage (a difference in points).
    Rate,
    BasisPoints,
    Count,
    Plain,
}

impl Unit {
    fn of(metric: &Metric) -> Unit {
        let name = metric.path.rsplit('.').next().unwrap_or(&metric.path);
        match metric.kind {
            MetricKind::Money => Unit::Money,
            MetricKind::Count => Unit::Count,
            MetricKind::Number if name.ends_with("bps") => Unit::BasisPoints,
            MetricKind::Number
                if name == "rate" || name.ends_with("_rate") || name.ends_with("share") =>
            {
                Unit::Rate
            }
            MetricKind::Number => Unit::Plain,
        }
    }
}

/// Prints figures of one report: its currency, and whether a figure is a
/// level or a difference (a difference of rates is in percentage points).
struct Printer<'a> {
    currency: Option<&'a str>,
}

impl Printer<'_> {
    fn figure(&self, unit: Unit, figure: &Figure, rounding: RoundingStrategy) -> String {
        self.value(unit, figure.value, rounding, false)
    }

    fn difference(&self, unit: Unit, figure: &Figure, rounding: RoundingStrategy) -> String {
        self.value(unit, figure.value, rounding, true)
    }

    fn value(
        &self,
        unit: Unit,
        value: Decimal,
        rounding: RoundingStrategy,
        change: bool,
    ) -> String {
        match unit {
            Unit::Money => match self.currency {
                Some(currency) => format!("{} {currency}", grouped(value)),
                None => grouped(value),
            },
            Unit::Rate => {
                let percent = trimmed(value * Decimal::ONE_HUNDRED, 2);
                if change {
                    format!("{percent} pp")
                } else {
                    format!("{percent}%")
                }
            }
            Unit::BasisPoints => format!("{} bps", trimmed(value, 2)),
            Unit::Count => grouped(count(value, rounding)),
            Unit::Plain => grouped(value.normalize()),
        }
    }

    fn interval(&self, unit: Unit, bounds: Option<&(Figure, Figure)>, change: bool) -> String {
        let Some((low, high)) = bounds else {
            return "-".to_string();
        };
        let low = self.value(
            unit,
            low.value,
            RoundingStrategy::ToNegativeInfinity,
            change,
        );
        let high = self.value(
            unit,
            high.value,
            RoundingStrategy::ToPositiveInfinity,
            change,
        );
        format!("[{low}, {high}]")
    }
}

/// `value` without trailing zeros, but with at least `decimals` decimals.
fn trimmed(value: Decimal, decimals: u32) -> Decimal {
    let mut value = value.normalize();
    if value.scale() < decimals {
        value.rescale(decimals);
    }
    value
}

/// A count's figure to one decimal, rounded as asked; a non-zero figure
/// that would round to zero keeps its decimals, so an interval that
/// excludes zero never prints a bound of 0.
fn count(value: Decimal, rounding: RoundingStrategy) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(1, rounding);
    if rounded.is_zero() && !value.is_zero() {
        return value.normalize();
    }
    rounded.rescale(1);
    rounded
}

/// The value of a metric equal in every replication: a count as the whole
/// number it is.
fn constant(printer: &Printer, unit: Unit, figure: &Figure) -> String {
    if unit == Unit::Count {
        grouped(figure.value.normalize())
    } else {
        printer.figure(unit, figure, RoundingStrategy::MidpointNearestEven)
    }
}

/// A mean as printed, `n/a` when no replication defines it, and how many
/// do when only some.
fn mean(printer: &Printer, unit: Unit, summary: &Summary) -> String {
    if !summary.is_defined() {
        return UNDEFINED.to_string();
    }
    let text = printer.figure(unit, &summary.mean, RoundingStrategy::MidpointNearestEven);
    if summary.defined < summary.replications {
        format!("{text} ({} of {})", summary.defined, summary.replications)
    } else {
        text
    }
}

fn optional(printer: &Printer, unit: Unit, figure: Option<&Figure>) -> String {
    figure.map_or_else(
        || "-".to_string(),
        |figure| printer.figure(unit, figure, RoundingStrategy::MidpointNearestEven),
    )
}

/// Left-aligns the first column and right-aligns the others, each line
/// starting with `indent`; no header line when `header` is empty.
fn table(indent: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(header.len(), Vec::len);
    let mut widths: Vec<usize> = (0..columns)
        .map(|column| header.get(column).map_or(0, |cell| cell.chars().count()))
        .collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &[String]| {
        let mut out = String::from(indent);
        for (column, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if column == 0 {
                let _ = write!(out, "{cell:<width$}");
            } else {
                let _ = write!(out, "  {cell:>width$}");
            }
        }
        text.push_str(out.trim_end());
        text.push('\n');
    };
    if !header.is_empty() {
        line(
            &header
                .iter()
                .map(|cell| cell.to_string())
                .collect::<Vec<_>>(),
        );
    }
    for row in rows {
        line(row);
    }
    text
}

/// The lines saying which scenario file ran, with its SHA-256.
fn provenance(text: &mut String, label: &str, summary: &ReplicationSummary) {
    if let Some(source) = &summary.source {
        let _ = writeln!(
            text,
            "{label}scenario file {} sha256 {}",
            source.file, source.sha256
        );
    }
}

/// What a reader must know before the headline: the warm-up dropped (and
/// series that had not settled), and covered orders left unresolved.
fn cautions(text: &mut String, summary: &ReplicationSummary) {
    if let Some(warm_up) = &summary.warm_up {
        let _ = writeln!(text, "{}", warm_up.describe());
        if let Some(warning) = warm_up.unsettled_warning() {
            let _ = writeln!(text, "{warning}");
        }
    }
    if let Some((unresolved, covered)) =
        summary.unresolved_warning(crate::text::UNRESOLVED_WARNING_DENOMINATOR)
    {
        let _ = writeln!(
            text,
            "note: {} of {} covered orders ({}) were unresolved at the end (means); the rates are\n  \
             of resolved orders, which favour quick outcomes over claims: a longer horizon_days\n  \
             gives a less biased rate",
            grouped(unresolved.round_dp(1)),
            grouped(covered.round_dp(1)),
            crate::units::percent_of(unresolved, covered),
        );
    }
}

/// The summary of a set of replications as text, ending with a newline;
/// `rows` chooses the metrics of the full table.
pub fn render_summary_text(summary: &ReplicationSummary, rows: &MetricPatterns) -> String {
    let printer = Printer {
        currency: summary.currency.as_deref(),
    };
    let mut text = format!(
        "escrowsim {} | scenario {:?} | {}, seeds derived from {}\n",
        summary.version,
        summary.scenario,
        counted(summary.runs.len(), "replication"),
        summary.base_seed
    );
    provenance(&mut text, "", summary);
    cautions(&mut text, summary);
    text.push_str("\nHeadline (mean, and the 95% interval of the mean)\n");
    let headline: Vec<Vec<String>> = HEADLINE
        .iter()
        .filter_map(|(label, path)| {
            let after = summary.headline_path(path);
            let label = if after == *path {
                label.to_string()
            } else {
                format!("{label} after warm-up")
            };
            let path = &after;
            let statistics = summary.metric_or_derived(path)?;
            let unit = Unit::of(&Metric {
                path: path.to_string(),
                kind: statistics.mean.kind,
            });
            let mut cells = vec![
                label.clone(),
                mean(&printer, unit, statistics),
                printer.interval(unit, statistics.ci95.as_ref(), false),
            ];
            if summary.antithetic {
                cells.push(ratio_cell(statistics.variance_ratio));
            }
            Some(cells)
        })
        .collect();
    if summary.antithetic {
        text.push_str(&table(
            "  ",
            &["", "mean", "95% CI", "variance ratio"],
            &headline,
        ));
        antithetic_note(&mut text, summary.runs.len(), "each metric");
    } else {
        text.push_str(&table("  ", &["", "mean", "95% CI"], &headline));
    }
    let chosen: Vec<&(Metric, Summary)> = summary
        .metrics
        .iter()
        .filter(|(metric, _)| rows.selects(&metric.path))
        .collect();
    let constants: Vec<Vec<String>> = chosen
        .iter()
        .filter(|(_, statistics)| statistics.constant)
        .map(|(metric, statistics)| {
            vec![
                metric.path.clone(),
                constant(&printer, Unit::of(metric), &statistics.mean),
            ]
        })
        .collect();
    if !constants.is_empty() {
        text.push_str("\nThe same in every replication\n");
        text.push_str(&table("  ", &[], &constants));
    }
    let rows: Vec<Vec<String>> = chosen
        .iter()
        .filter(|(_, statistics)| !statistics.constant)
        .map(|(metric, statistics)| {
            let unit = Unit::of(metric);
            vec![
                metric.path.clone(),
                mean(&printer, unit, statistics),
                optional(&printer, unit, statistics.sd.as_ref()),
                printer.interval(unit, statistics.ci95.as_ref(), false),
                optional(&printer, unit, statistics.p95.as_ref()),
                optional(&printer, unit, statistics.p99.as_ref()),
            ]
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        "",
        &["metric", "mean", "sd", "95% CI of the mean", "p95", "p99"],
        &rows,
    ));
    text.push_str(
        "\np95 and p99 are across replications (value at risk). A rate a replication leaves\n\
         undefined (an empty denominator) is n/a, never 0: its mean is over the replications\n\
         that define it, counted as (k of R).\n\
         Monthly series: --format json or csv, or --html for charts.\n",
    );
    text
}

/// The cells of a comparison's row: A, B, B - A, its interval, the mark.
fn difference_cells(printer: &Printer, unit: Unit, difference: &Difference) -> Vec<String> {
    let side = |figure: &Figure, defined: usize| {
        if defined == 0 {
            UNDEFINED.to_string()
        } else {
            printer.figure(unit, figure, RoundingStrategy::MidpointNearestEven)
        }
    };
    vec![
        side(&difference.a_mean, difference.a_defined),
        side(&difference.b_mean, difference.b_defined),
        if difference.pairs == 0 {
            UNDEFINED.to_string()
        } else {
            printer.difference(
                unit,
                &difference.diff_mean,
                RoundingStrategy::MidpointNearestEven,
            )
        },
        printer.interval(unit, difference.ci95.as_ref(), true),
        if difference.significant { "*" } else { "" }.to_string(),
    ]
}

/// The header line of a comparison: the scenarios by name, and by file too
/// when their names are equal, so the reader can tell A from B.
fn comparison_header(comparison: &Comparison) -> String {
    let name = |summary: &ReplicationSummary| match &summary.source {
        Some(source) if comparison.a.scenario == comparison.b.scenario => {
            format!("{:?} ({})", summary.scenario, source.file)
        }
        _ => format!("{:?}", summary.scenario),
    };
    format!(
        "escrowsim {} | A {} vs B {} | {}, seeds derived from {}\n",
        comparison.version,
        name(&comparison.a),
        name(&comparison.b),
        counted(comparison.a.runs.len(), "paired replication"),
        comparison.base_seed
    )
}

/// A comparison as text, ending with a newline; `rows` chooses the metrics
/// of the full table.
pub fn render_comparison_text(comparison: &Comparison, rows: &MetricPatterns) -> String {
    let printer = Printer {
        currency: comparison.a.currency.as_deref(),
    };
    let mut text = comparison_header(comparison);
    provenance(&mut text, "A ", &comparison.a);
    provenance(&mut text, "B ", &comparison.b);
    for warning in &comparison.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    cautions(&mut text, &comparison.a);
    text.push_str("\nHeadline (means; B - A with the 95% interval of the paired difference)\n");
    let headline: Vec<Vec<String>> = HEADLINE
        .iter()
        .filter_map(|(label, path)| {
            let after = comparison.a.headline_path(path);
            let label = if after == *path {
                label.to_string()
            } else {
                format!("{label} after warm-up")
            };
            let path = &after;
            let difference = comparison.difference_or_derived(path)?;
            let unit = Unit::of(&Metric {
                path: path.to_string(),
                kind: difference.a_mean.kind,
            });
            let mut cells = vec![label.clone()];
            cells.extend(difference_cells(&printer, unit, difference));
            if comparison.a.antithetic {
                cells.push(ratio_cell(difference.variance_ratio));
            }
            Some(cells)
        })
        .collect();
    if comparison.a.antithetic {
        text.push_str(&table(
            "  ",
            &[
                "",
                "A",
                "B",
                "B - A",
                "95% CI of B - A",
                "",
                "variance ratio",
            ],
            &headline,
        ));
        antithetic_note(
            &mut text,
            comparison.a.runs.len(),
            "the paired difference B - A",
        );
    } else {
        text.push_str(&table(
            "  ",
            &["", "A", "B", "B - A", "95% CI of B - A", ""],
            &headline,
        ));
    }
    let chosen: Vec<&(Metric, Difference)> = comparison
        .differences
        .iter()
        .filter(|(metric, _)| rows.selects(&metric.path))
        .collect();
    let same =
        |difference: &Difference| difference.constant && difference.a_mean == difference.b_mean;
    let constants: Vec<Vec<String>> = chosen
        .iter()
        .filter(|(_, difference)| same(difference))
        .map(|(metric, difference)| {
            let unit = Unit::of(metric);
            vec![
                metric.path.clone(),
                constant(&printer, unit, &difference.a_mean),
            ]
        })
        .collect();
    if !constants.is_empty() {
        text.push_str("\nThe same in every replication of A and of B\n");
        text.push_str(&table("  ", &[], &constants));
    }
    let rows: Vec<Vec<String>> = chosen
        .iter()
        .filter(|(_, difference)| !same(difference))
        .map(|(metric, difference)| {
            let mut cells = vec![metric.path.clone()];
            cells.extend(difference_cells(&printer, Unit::of(metric), difference));
            cells
        })
        .collect();
    text.push('\n');
    text.push_str(&table(
        "",
        &["metric", "A mean", "B mean", "B - A", "95% CI of B - A", ""],
        &rows,
    ));
    let significant = comparison
        .differences
        .iter()
        .filter(|(_, difference)| difference.significant)
        .count();
    let _ = writeln!(
        text,
        "\n* significant: the 95% interval of the paired difference excludes zero ({significant} of {} metrics).\n\
         Differences of rates are in percentage points (pp); n/a: undefined in every replication.",
        comparison.differences.len()
    );
    text
}
