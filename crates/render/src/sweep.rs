//! The sweep summary: per point, the parameters, each key metric's mean and
//! 95% interval, and the units' wall time and memory, as a table, CSV or
//! JSON. The merged result itself is data (`SweepResult::to_json`).
//!
//! In JSON the cells keep their kind, as in every JSON escrowsim writes:
//! money is a two-decimal string (exact; a float would not be), counts,
//! rates, milliseconds and bytes are numbers, a parameter is the RON text
//! of its value as written, and a figure that does not exist (the interval
//! of a single replication, an unknown memory peak) is `null`.

use crate::csv::csv_lines;
use escrowsim_analysis::Summary;
use escrowsim_analysis::metrics::MetricKind;
use escrowsim_analysis::statistics::Figure;
use escrowsim_analysis::sweep::SweepResult;
use escrowsim_analysis::sweep::result::KEY_METRICS;
use serde_json::{Value, json};
use std::fmt::Write;

/// One cell of the summary, with what it holds: CSV writes them all as
/// text, JSON as strings, numbers or null.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Text(String),
    Number(String),
    Money(String),
    Missing,
}

impl Cell {
    fn figure(figure: &Figure) -> Cell {
        match figure.kind {
            MetricKind::Money => Cell::Money(figure.text()),
            MetricKind::Count | MetricKind::Number => Cell::Number(figure.text()),
        }
    }

    fn text(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Number(text) | Cell::Money(text) => text.clone(),
            Cell::Missing => String::new(),
        }
    }

    fn json(&self) -> Value {
        match self {
            Cell::Text(text) | Cell::Money(text) => Value::String(text.clone()),
            // Figures are printed with six decimals at most, which a JSON
            // number holds as written.
            Cell::Number(text) => serde_json::from_str::<serde_json::Number>(text)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(text.clone())),
            Cell::Missing => Value::Null,
        }
    }
}

/// Per point: the parameters, each key metric's mean and 95% interval,
/// and the units' wall time and memory, as rows of named cells.
fn summary_rows(result: &SweepResult) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut header: Vec<String> = vec!["point".to_string()];
    header.extend(result.manifest.paths.iter().cloned());
    for metric in KEY_METRICS {
        for statistic in ["mean", "ci95_low", "ci95_high"] {
            header.push(format!("{metric}.{statistic}"));
        }
    }
    header.extend(
        [
            "unit_wall_ms_mean",
            "unit_wall_ms_max",
            "peak_rss_bytes_max",
        ]
        .map(str::to_string),
    );
    let rows = result
        .points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let mut row = vec![Cell::Number(index.to_string())];
            row.extend(
                point
                    .parameters
                    .iter()
                    .map(|(_, value)| Cell::Text(value.clone())),
            );
            for metric in KEY_METRICS {
                match point.summary().metric(metric) {
                    Some(summary) => {
                        row.push(Cell::figure(&summary.mean));
                        match &summary.ci95 {
                            Some((low, high)) => {
                                row.extend([Cell::figure(low), Cell::figure(high)])
                            }
                            None => row.extend([Cell::Missing, Cell::Missing]),
                        }
                    }
                    None => row.extend([Cell::Missing, Cell::Missing, Cell::Missing]),
                }
            }
            let costs = &point.costs;
            row.push(Cell::Number(
                (costs.wall_ms_total / costs.units.max(1)).to_string(),
            ));
            row.push(Cell::Number(costs.wall_ms_max.to_string()));
            row.push(match costs.peak_rss_bytes_max {
                Some(bytes) => Cell::Number(bytes.to_string()),
                None => Cell::Missing,
            });
            row
        })
        .collect();
    (header, rows)
}

/// The summary as CSV: one header, one row per point.
pub fn render_sweep_summary_csv(result: &SweepResult) -> String {
    let (header, rows) = summary_rows(result);
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(Cell::text).collect())
        .collect();
    csv_lines(std::iter::once(&header).chain(rows.iter()))
}

/// The summary as JSON: one object per point.
pub fn render_sweep_summary_json(result: &SweepResult) -> String {
    let (header, rows) = summary_rows(result);
    let objects: Vec<Value> = rows
        .iter()
        .map(|row| {
            Value::Object(
                header
                    .iter()
                    .cloned()
                    .zip(row.iter().map(Cell::json))
                    .collect(),
            )
        })
        .collect();
    let mut text =
        serde_json::to_string_pretty(&json!({ "sweep": result.manifest.name, "points": objects }))
            .expect("serialises");
    text.push('\n');
    text
}

/// The summary as a table for people.
pub fn render_sweep_summary_text(result: &SweepResult) -> String {
    let mut text = String::new();
    let manifest = &result.manifest;
    let _ = writeln!(
        text,
        "sweep {:?} over {:?}: {} points x {} replications, escrowsim {}",
        manifest.name,
        manifest.scenario_name,
        manifest.points.len(),
        manifest.replications,
        manifest.version
    );
    for (index, point) in result.points.iter().enumerate() {
        let parameters: Vec<String> = point
            .parameters
            .iter()
            .map(|(path, value)| format!("{path} = {value}"))
            .collect();
        let _ = writeln!(
            text,
            "\npoint {index}: {}",
            if parameters.is_empty() {
                "(base scenario)".to_string()
            } else {
                parameters.join(", ")
            }
        );
        for metric in KEY_METRICS {
            if let Some(summary) = point.summary().metric(metric) {
                let (low, high) = interval_text(summary);
                let _ = writeln!(
                    text,
                    "  {metric:<28} {:>16}   95% CI [{low}, {high}]",
                    summary.mean.text()
                );
            }
        }
        let costs = &point.costs;
        let memory = costs
            .peak_rss_bytes_max
            .map(|bytes| format!("{:.1} MiB", bytes as f64 / 1_048_576.0))
            .unwrap_or_else(|| "unknown".to_string());
        let _ = writeln!(
            text,
            "  per unit: {} ms mean, {} ms max wall time; peak memory {memory}",
            costs.wall_ms_total / costs.units.max(1),
            costs.wall_ms_max
        );
    }
    text
}

/// The 95% interval's bounds as text; empty with a single replication.
fn interval_text(summary: &Summary) -> (String, String) {
    match &summary.ci95 {
        Some((low, high)) => (low.text(), high.text()),
        None => (String::new(), String::new()),
    }
}
