//! Text tables of replication summaries and comparisons, for people.
//!
//! One row per metric of the outcome, in outcome order, named by its dotted
//! path as in the JSON and CSV. Figures are printed as the JSON has them
//! (money with two decimals; other numbers without trailing zeros).

use escrowsim_analysis::{Comparison, Figure, MetricKind, ReplicationSummary};
use std::fmt::Write;

/// `1 replication`, `20 replications`.
pub(crate) fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

fn figure(figure: &Figure) -> String {
    match figure.kind {
        MetricKind::Money => figure.text(),
        MetricKind::Count | MetricKind::Number => figure.value.normalize().to_string(),
    }
}

fn optional(value: Option<&Figure>) -> String {
    value.map(figure).unwrap_or_else(|| "-".to_string())
}

fn interval(bounds: Option<&(Figure, Figure)>) -> String {
    match bounds {
        Some((low, high)) => format!("[{}, {}]", figure(low), figure(high)),
        None => "-".to_string(),
    }
}

/// Left-aligns the first column and right-aligns the others.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &[String]| {
        let mut out = String::new();
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
    line(
        &header
            .iter()
            .map(|cell| cell.to_string())
            .collect::<Vec<_>>(),
    );
    for row in rows {
        line(row);
    }
    text
}

/// The summary of a set of replications as a table, ending with a newline.
pub fn render_summary_text(summary: &ReplicationSummary) -> String {
    let mut text = format!(
        "escrowsim {} | scenario {:?} | {}, seeds derived from {}\n\n",
        summary.version,
        summary.scenario,
        counted(summary.runs.len(), "replication"),
        summary.base_seed
    );
    let rows: Vec<Vec<String>> = summary
        .metrics
        .iter()
        .map(|(metric, statistics)| {
            vec![
                metric.path.clone(),
                figure(&statistics.mean),
                optional(statistics.sd.as_ref()),
                interval(statistics.ci95.as_ref()),
                optional(statistics.p95.as_ref()),
                optional(statistics.p99.as_ref()),
            ]
        })
        .collect();
    text.push_str(&table(
        &["metric", "mean", "sd", "95% CI of the mean", "p95", "p99"],
        &rows,
    ));
    text.push_str(
        "\nMoney in the scenario's currency; p95 and p99 are across replications (value at risk).\n\
         Monthly series: --format json or csv, or --html for charts.\n",
    );
    text
}

/// A comparison as a table of differences, ending with a newline.
pub fn render_comparison_text(comparison: &Comparison) -> String {
    let mut text = format!(
        "escrowsim {} | A {:?} vs B {:?} | {}, seeds derived from {}\n\n",
        comparison.version,
        comparison.a.scenario,
        comparison.b.scenario,
        counted(comparison.a.runs.len(), "paired replication"),
        comparison.base_seed
    );
    let rows: Vec<Vec<String>> = comparison
        .differences
        .iter()
        .map(|(metric, difference)| {
            vec![
                metric.path.clone(),
                figure(&difference.a_mean),
                figure(&difference.b_mean),
                figure(&difference.diff_mean),
                interval(difference.ci95.as_ref()),
                if difference.significant { "*" } else { "" }.to_string(),
            ]
        })
        .collect();
    text.push_str(&table(
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
        "\n* significant: the 95% interval of the paired difference excludes zero ({significant} of {} metrics).",
        comparison.differences.len()
    );
    text
}
