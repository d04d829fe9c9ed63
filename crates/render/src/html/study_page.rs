//! The page of a study: a sensitivity analysis (Morris, Sobol, Latin
//! hypercube) or a calibration, one self-contained file like the other
//! reports of [`super`], with the same self-check.
//!
//! Every chart here is a column of rows, one per factor: the factor's full
//! path on the left, its bars on a shared horizontal axis, and its figures
//! printed on the right, so a reader never has to hover to read a value.
//! The two text columns are sized from their longest text at a generous
//! width per character, so a label neither runs into a bar nor gets cut,
//! whatever the paths; the browser test checks the laid-out boxes. An
//! index that is undefined reads "n/a" where its bar would start: a zero
//! bar would claim a measurement that was never made.

use super::{
    COLOR_A, COLOR_B, COLOR_MUTED, COLOR_SECOND, escape, page, readable, section, tick_label, ticks,
};
use crate::study::significant;
use crate::tables::counted;
use crate::units::UNDEFINED;
use escrowsim_analysis::sensitivity::{
    Estimate, MorrisIndex, MorrisIndices, SobolIndex, SobolIndices,
};
use escrowsim_analysis::study::{
    CalibrationResult, FactorFit, FactorRange, MetricIndices, StudyKind, StudyResult,
};
use std::fmt::Write;

/// Width of one character of chart text (12px sans-serif), taken at the
/// widest common glyphs (DejaVu Sans digits are 0.636 em): the columns are
/// reserved from it, so erring wide costs blank space, never an overlap.
const CHARACTER_WIDTH: f64 = 7.6;
/// Width of the plot between the label and figure columns.
const PLOT_WIDTH: f64 = 400.0;
/// Room above the first row, for the legend.
const LEGEND_HEIGHT: f64 = 30.0;
/// The light bar of a prior range.
const COLOR_PRIOR: &str = "#dddddd";
const COLOR_GRID: &str = "#e5e5e5";
const COLOR_INK: &str = "#333333";
/// A check that passed.
const COLOR_CONSISTENT: &str = "#2ca02c";
/// Longest prior end label (a discrete factor's value), in characters,
/// so the two ends of a row never meet in the middle of the plot.
const PRIOR_END_CHARACTERS_MAX: usize = 24;

const MORRIS_NOTE: &str = "Per metric, one bar per factor, largest first. mu* (bar) is the mean absolute elementary effect: how much the metric changes, on average, when one factor moves across its whole range with the others held where they are; the whiskers are its 95% bootstrap interval. sigma (thin bar) is the standard deviation of those effects: large against mu*, the factor acts non-linearly or through interactions with others.";
const SOBOL_NOTE: &str = "Per metric, two bars per factor: S1, the share of the metric's variance the factor explains alone, and ST, the share it explains with all its interactions (ST - S1 is the interactions' part). Whiskers are 95% bootstrap intervals over the base rows; with few rows an estimate can fall a little below 0 or above 1, and the axis then extends to show it. n/a: the index is undefined.";
const RANK_NOTE: &str = "Per metric, Spearman's rank correlation of each factor's value with the metric across the Latin hypercube's points, strongest first: near +1 or -1, the metric rises or falls steadily with the factor; near 0, no monotone relation. n/a: the factor or the metric does not vary.";

/// The page of a study: its header and factors, then a chart per metric
/// (sensitivity) or the posterior, targets and check (calibration).
pub fn render_study_html(result: &StudyResult) -> String {
    let kind = match result.kind {
        StudyKind::Sensitivity => "sensitivity study",
        StudyKind::Calibration => "calibration",
    };
    let title = format!("escrowsim {kind}: {}", result.study);
    let mut body = header(result, &title);
    if !result.metrics.is_empty() {
        metrics_sections(&mut body, result);
    }
    if let Some(calibration) = &result.calibration {
        calibration_sections(&mut body, result, calibration);
    }
    page(&title, &body)
}

fn header(result: &StudyResult, title: &str) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(title));
    let _ = writeln!(
        body,
        "<p class=\"lead\">Scenario <b>{}</b>. {}; {} per point, on the same seeds at every point (common random numbers), so the differences between points are the factors', not the draws'. escrowsim {}.</p>",
        escape(&result.scenario),
        escape(&sentence(&result.design)),
        counted(result.replications as usize, "replication"),
        escape(&result.version)
    );
    let _ = writeln!(
        body,
        "<p class=\"note\">Study digest <code>{}</code>: the study's units, manifest and results carry it.</p>",
        escape(&result.digest)
    );
    let _ = writeln!(body, "<h2>Factors</h2>");
    body.push_str("<table>\n<tr><th>factor</th><th>range</th></tr>\n");
    for factor in &result.factors {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td></tr>",
            escape(&factor.path),
            escape(&describe_range(&factor.range))
        );
    }
    body.push_str("</table>\n");
    body
}

/// `text` with its first letter capitalised, to open a sentence.
fn sentence(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// A factor's range as the text report's factor table writes it.
use crate::study::describe_range;

/// One section for the study's design, explained once, then each metric:
/// its chart, or the note saying why it has none.
fn metrics_sections(body: &mut String, result: &StudyResult) {
    let metrics = &result.metrics;
    let (heading, note) = if metrics.iter().any(|metric| metric.morris.is_some()) {
        ("Morris elementary effects", MORRIS_NOTE)
    } else if metrics.iter().any(|metric| metric.sobol.is_some()) {
        ("Sobol indices", SOBOL_NOTE)
    } else if metrics
        .iter()
        .any(|metric| metric.rank_correlations.is_some())
    {
        ("Latin hypercube: rank correlations", RANK_NOTE)
    } else {
        ("Metrics", "No metric has indices; each says why.")
    };
    section(body, heading, note, "");
    for metric in metrics {
        metric_section(body, result, metric);
    }
}

fn metric_section(body: &mut String, result: &StudyResult, metric: &MetricIndices) {
    let name = metric.metric.as_str();
    let words = readable(name);
    if words == name {
        let _ = writeln!(body, "<h3>{}</h3>", escape(name));
    } else {
        let _ = writeln!(
            body,
            "<h3>{} <small class=\"path\">{}</small></h3>",
            escape(words),
            escape(name)
        );
    }
    if let Some(note) = &metric.note {
        let _ = writeln!(
            body,
            "<p class=\"note\">{}: {}</p>",
            escape(name),
            escape(note)
        );
        return;
    }
    let mut drawn = false;
    if let Some(morris) = &metric.morris {
        body.push_str(&morris_chart(result, name, morris));
        body.push_str(&morris_table(result, morris));
        drawn = true;
    }
    if let Some(sobol) = &metric.sobol {
        body.push_str(&sobol_chart(result, name, sobol));
        let mut note = format!(
            "Variance of {name} over the design's A and B rows: {}.",
            significant(Some(sobol.variance), 4)
        );
        if sobol.resamples_undefined > 0 {
            let _ = write!(
                note,
                " {} carried no variance and were left out of the intervals.",
                counted(sobol.resamples_undefined as usize, "bootstrap resample")
            );
        }
        let _ = writeln!(body, "<p class=\"note\">{}</p>", escape(&note));
        body.push_str(&sobol_table(result, sobol));
        drawn = true;
    }
    if let Some(correlations) = &metric.rank_correlations {
        body.push_str(&rank_chart(result, name, correlations));
        drawn = true;
    }
    if !drawn {
        let _ = writeln!(body, "<p class=\"note\">{}: no indices.</p>", escape(name));
    }
}

/// A figure as the charts print it: three significant digits, n/a where
/// undefined or not finite.
fn figure(value: Option<f64>) -> String {
    significant(value.filter(|value| value.is_finite()), 3)
}

fn interval(estimate: &Estimate) -> String {
    format!(
        "[{}, {}]",
        figure(Some(estimate.low)),
        figure(Some(estimate.high))
    )
}

fn factor_name(result: &StudyResult, index: usize) -> String {
    result
        .factors
        .get(index)
        .map_or_else(|| format!("factor {index}"), |factor| factor.path.clone())
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHARACTER_WIDTH
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Swatch {
    Bar(&'static str),
    ThinBar(&'static str),
    Whisker,
    Median,
}

/// A legend: swatches and their names in a line along the top.
struct Legend<'a>(&'a [(&'a str, Swatch)]);

impl Legend<'_> {
    const SWATCH: f64 = 20.0;
    const GAP: f64 = 18.0;

    fn width(&self) -> f64 {
        10.0 + self
            .0
            .iter()
            .map(|(label, _)| Self::SWATCH + text_width(label) + Self::GAP)
            .sum::<f64>()
    }

    fn draw(&self, svg: &mut String) {
        let mut x = 10.0;
        for (label, swatch) in self.0 {
            let _ = match swatch {
                Swatch::Bar(color) => writeln!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"6\" width=\"14\" height=\"10\" fill=\"{color}\"/>"
                ),
                Swatch::ThinBar(color) => writeln!(
                    svg,
                    "<rect x=\"{x:.1}\" y=\"9\" width=\"14\" height=\"4\" fill=\"{color}\"/>"
                ),
                Swatch::Whisker => whisker(svg, x, x + 14.0, 11.0),
                Swatch::Median => writeln!(
                    svg,
                    "<line x1=\"{0:.1}\" y1=\"3\" x2=\"{0:.1}\" y2=\"19\" stroke=\"#111111\" stroke-width=\"2.5\"/>",
                    x + 7.0
                ),
            };
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"15\">{}</text>",
                x + Self::SWATCH,
                escape(label)
            );
            x += Self::SWATCH + text_width(label) + Self::GAP;
        }
    }
}

/// An interval's whisker: a line with end caps.
fn whisker(svg: &mut String, x_low: f64, x_high: f64, y: f64) -> std::fmt::Result {
    writeln!(
        svg,
        "<path class=\"mark\" d=\"M{x_low:.1} {:.1}V{:.1}M{x_low:.1} {y:.1}H{x_high:.1}M{x_high:.1} {:.1}V{:.1}\" stroke=\"{COLOR_INK}\" stroke-width=\"1.5\" fill=\"none\"/>",
        y - 4.0,
        y + 4.0,
        y - 4.0,
        y + 4.0
    )
}

/// The layout of a chart of rows: the label column, the plot (mapping
/// values from `x_min` to `x_max`), the figure column.
struct Rows {
    width: f64,
    left: f64,
    right: f64,
    row_height: f64,
    count: usize,
    x_min: f64,
    x_max: f64,
    /// Room under the rows: for tick labels and the axis title, or the
    /// title alone.
    footer: f64,
}

impl Rows {
    /// Columns wide enough for every label and figure, and the chart wide
    /// enough for its `lines` (legend, axis title) too.
    fn new(
        labels: &[String],
        figures: &[String],
        lines: &[f64],
        row_height: f64,
        x_range: (f64, f64),
    ) -> Rows {
        let widest = |texts: &[String]| {
            texts
                .iter()
                .map(|text| text_width(text))
                .fold(0.0, f64::max)
        };
        let left = (widest(labels) + 24.0).max(80.0).ceil();
        let right = left + PLOT_WIDTH;
        let width = (right + 12.0 + widest(figures) + 12.0)
            .max(lines.iter().fold(0.0, |widest, line| line.max(widest)) + 20.0)
            .ceil();
        Rows {
            width,
            left,
            right,
            row_height,
            count: labels.len(),
            x_min: x_range.0,
            x_max: x_range.1,
            footer: 48.0,
        }
    }

    /// The chart without an axis: only the title under the rows.
    fn without_axis(self) -> Rows {
        Rows {
            footer: 24.0,
            ..self
        }
    }

    fn x(&self, value: f64) -> f64 {
        let span = self.x_max - self.x_min;
        if span <= 0.0 || !value.is_finite() {
            return self.left;
        }
        let value = value.clamp(self.x_min, self.x_max);
        self.left + (value - self.x_min) / span * (self.right - self.left)
    }

    fn row_top(&self, index: usize) -> f64 {
        LEGEND_HEIGHT + self.row_height * index as f64
    }

    fn bottom(&self) -> f64 {
        self.row_top(self.count.max(1))
    }

    fn height(&self) -> f64 {
        self.bottom() + self.footer
    }

    fn open(&self, svg: &mut String, name: &str, description: &str) {
        let _ = writeln!(
            svg,
            "<svg class=\"chart\" data-chart=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">",
            escape(name),
            self.width,
            self.height(),
            self.width,
            self.height(),
            escape(description)
        );
    }

    /// Grid lines at `ticks` (the one at zero dark) and their labels.
    fn x_axis(&self, svg: &mut String, ticks: &[f64]) {
        let step = match ticks {
            [first, second, ..] => second - first,
            _ => 1.0,
        };
        for tick in ticks {
            let x = self.x(*tick);
            let color = if *tick == 0.0 { COLOR_INK } else { COLOR_GRID };
            let _ = writeln!(
                svg,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{color}\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                LEGEND_HEIGHT - 4.0,
                self.bottom(),
                self.bottom() + 16.0,
                tick_text(*tick, step)
            );
        }
    }

    /// The axis title at the foot of the chart (under the tick labels),
    /// centred on the plot unless that would push it past an edge.
    fn x_title(&self, svg: &mut String, title: &str) {
        let half = text_width(title) / 2.0;
        let middle = ((self.left + self.right) / 2.0)
            .min(self.width - half - 4.0)
            .max(half + 4.0);
        let _ = writeln!(
            svg,
            "<text class=\"axis-title\" x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            self.height() - 12.0,
            escape(title)
        );
    }

    /// The 95% interval of `estimate` as a whisker on `y`, where it has one.
    fn interval(&self, svg: &mut String, estimate: Option<&Estimate>, y: f64) {
        if let Some(estimate) = estimate.filter(|e| e.low.is_finite() && e.high.is_finite()) {
            let _ = whisker(svg, self.x(estimate.low), self.x(estimate.high), y);
        }
    }

    /// A dashed line across the rows at `value`.
    fn reference(&self, svg: &mut String, value: f64) {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"{COLOR_MUTED}\" stroke-dasharray=\"4 3\"/>",
            self.x(value),
            LEGEND_HEIGHT - 4.0,
            self.bottom()
        );
    }

    /// A row's label, ending before the plot, on baseline `y`.
    fn label(&self, svg: &mut String, y: f64, text: &str) {
        let _ = writeln!(
            svg,
            "<text class=\"factor\" x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\">{}</text>",
            self.left - 12.0,
            escape(text)
        );
    }

    /// A row's figures, after the plot, on baseline `y`.
    fn figures(&self, svg: &mut String, y: f64, text: &str) {
        let _ = writeln!(
            svg,
            "<text class=\"figures\" x=\"{:.1}\" y=\"{y:.1}\">{}</text>",
            self.right + 12.0,
            escape(text)
        );
    }

    /// A bar from zero to `value`, `height` tall from `y`, with a tooltip;
    /// "n/a" where the value is undefined.
    fn bar(
        &self,
        svg: &mut String,
        value: Option<f64>,
        y: f64,
        height: f64,
        color: &str,
        tooltip: &str,
    ) {
        let Some(value) = value.filter(|value| value.is_finite()) else {
            let _ = writeln!(
                svg,
                "<text class=\"mark undefined\" x=\"{:.1}\" y=\"{:.1}\" fill=\"{COLOR_MUTED}\">{UNDEFINED}<title>{}</title></text>",
                self.x(0.0) + 4.0,
                y + height / 2.0 + 4.0,
                escape(tooltip)
            );
            return;
        };
        let (from, to) = (self.x(0.0), self.x(value));
        let _ = writeln!(
            svg,
            "<rect class=\"mark\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{height:.1}\" fill=\"{color}\"><title>{}</title></rect>",
            from.min(to),
            (to - from).abs().max(1.0),
            escape(tooltip)
        );
    }
}

/// A tick's label, with as many decimals as the step between ticks needs
/// (the reports' three decimals would print small effects' ticks as 0).
fn tick_text(value: f64, step: f64) -> String {
    if step >= 1.0 || value.abs() >= 1e4 {
        return tick_label(value, super::Axis::Plain);
    }
    let decimals = (-step.log10() - 1e-9).ceil().max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".to_string()
    } else {
        text
    }
}

/// Ticks of a share axis: every 0.2 from 0 to 1, extended to cover
/// estimates outside; round ticks of any step for a far wider range.
fn share_ticks(low: f64, high: f64) -> Vec<f64> {
    let (low, high) = (low.min(0.0), high.max(1.0));
    if high - low > 2.0 {
        return ticks(low, high);
    }
    let first = (low * 5.0 + 1e-9).floor() as i64;
    let last = (high * 5.0 - 1e-9).ceil() as i64;
    (first..=last)
        .map(|tick| tick as f64 * 2.0 / 10.0)
        .collect()
}

fn morris_chart(result: &StudyResult, metric: &str, morris: &MorrisIndices) -> String {
    let order = &morris.ranking;
    let labels: Vec<String> = order
        .iter()
        .map(|&factor| factor_name(result, factor))
        .collect();
    let figures: Vec<String> = order
        .iter()
        .map(|&factor| {
            let index = &morris.factors[factor];
            format!(
                "mu* {}, sigma {}",
                figure(Some(index.mu_star.value)),
                figure(Some(index.sigma))
            )
        })
        .collect();
    let highest = morris
        .factors
        .iter()
        .flat_map(|index| [index.mu_star.value, index.mu_star.high, index.sigma])
        .filter(|value| value.is_finite())
        .fold(0.0, f64::max);
    let x_ticks = ticks(0.0, highest);
    let legend = Legend(&[
        ("mu*", Swatch::Bar(COLOR_A)),
        ("95% interval of mu*", Swatch::Whisker),
        ("sigma", Swatch::ThinBar(COLOR_SECOND)),
    ]);
    let title = format!("change in {metric} over a factor's whole range");
    let rows = Rows::new(
        &labels,
        &figures,
        &[legend.width(), text_width(&title)],
        30.0,
        (x_ticks[0], x_ticks[x_ticks.len() - 1]),
    );
    let mut svg = String::new();
    rows.open(
        &mut svg,
        &format!("morris-{metric}"),
        &format!("Morris mu* and sigma of {metric} per factor, largest first"),
    );
    legend.draw(&mut svg);
    rows.x_axis(&mut svg, &x_ticks);
    for (row, (&factor, (label, figures))) in
        order.iter().zip(labels.iter().zip(&figures)).enumerate()
    {
        let index = &morris.factors[factor];
        morris_row(&mut svg, &rows, rows.row_top(row), label, figures, index);
    }
    rows.x_title(&mut svg, &title);
    svg.push_str("</svg>\n");
    svg
}

/// One factor's row of a Morris chart: the mu* bar with its whisker, the
/// thin sigma bar under it, the factor's path and its figures.
fn morris_row(
    svg: &mut String,
    rows: &Rows,
    top: f64,
    label: &str,
    figures: &str,
    index: &MorrisIndex,
) {
    let tooltip = format!(
        "{label}: mu* {} {}, mu {}, sigma {}",
        figure(Some(index.mu_star.value)),
        interval(&index.mu_star),
        figure(Some(index.mu)),
        figure(Some(index.sigma))
    );
    let mu_star = Some(index.mu_star.value);
    rows.bar(svg, mu_star, top + 6.0, 12.0, COLOR_A, &tooltip);
    rows.interval(svg, Some(&index.mu_star), top + 12.0);
    rows.bar(
        svg,
        Some(index.sigma),
        top + 21.0,
        4.0,
        COLOR_SECOND,
        &tooltip,
    );
    rows.label(svg, top + 16.0, label);
    rows.figures(svg, top + 16.0, figures);
}

/// Figures in a table folded under a chart, for copying and for screen readers.
fn figures_table(summary: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = format!(
        "<details><summary>{}</summary>\n<table>\n<tr>",
        escape(summary)
    );
    for cell in header {
        let _ = write!(table, "<th>{}</th>", escape(cell));
    }
    table.push_str("</tr>\n");
    for row in rows {
        table.push_str("<tr>");
        for cell in row {
            let _ = write!(table, "<td>{}</td>", escape(cell));
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table></details>\n");
    table
}

fn morris_table(result: &StudyResult, morris: &MorrisIndices) -> String {
    let rows: Vec<Vec<String>> = morris
        .ranking
        .iter()
        .map(|&factor| {
            let index = &morris.factors[factor];
            vec![
                factor_name(result, factor),
                figure(Some(index.mu_star.value)),
                interval(&index.mu_star),
                figure(Some(index.mu)),
                figure(Some(index.sigma)),
            ]
        })
        .collect();
    figures_table(
        "Figures",
        &["factor", "mu*", "95% interval of mu*", "mu", "sigma"],
        &rows,
    )
}

/// Factor indices by total index, largest first, undefined last.
fn sobol_order(sobol: &SobolIndices) -> Vec<usize> {
    let total = |index: usize| {
        sobol.factors[index]
            .total
            .map(|estimate| estimate.value)
            .filter(|value| value.is_finite())
            .unwrap_or(f64::NEG_INFINITY)
    };
    let mut order: Vec<usize> = (0..sobol.factors.len()).collect();
    order.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));
    order
}

fn estimate_text(name: &str, estimate: Option<&Estimate>) -> String {
    match estimate {
        Some(estimate) if estimate.value.is_finite() => format!(
            "{name} {} {}",
            figure(Some(estimate.value)),
            interval(estimate)
        ),
        _ => format!("{name} {UNDEFINED}"),
    }
}

fn sobol_chart(result: &StudyResult, metric: &str, sobol: &SobolIndices) -> String {
    let order = sobol_order(sobol);
    let labels: Vec<String> = order
        .iter()
        .map(|&factor| factor_name(result, factor))
        .collect();
    let figures: Vec<String> = order
        .iter()
        .flat_map(|&factor| {
            let index = &sobol.factors[factor];
            [
                estimate_text("S1", index.first.as_ref()),
                estimate_text("ST", index.total.as_ref()),
            ]
        })
        .collect();
    let values: Vec<f64> = sobol
        .factors
        .iter()
        .flat_map(|index| [index.first, index.total])
        .flatten()
        .flat_map(|estimate| [estimate.value, estimate.low, estimate.high])
        .filter(|value| value.is_finite())
        .collect();
    let x_ticks = share_ticks(
        values.iter().copied().fold(0.0, f64::min),
        values.iter().copied().fold(1.0, f64::max),
    );
    let legend = Legend(&[
        ("S1, alone", Swatch::Bar(COLOR_A)),
        ("ST, with interactions", Swatch::Bar(COLOR_B)),
        ("95% interval", Swatch::Whisker),
    ]);
    let title = format!("share of the variance of {metric}");
    let rows = Rows::new(
        &labels,
        &figures,
        &[legend.width(), text_width(&title)],
        40.0,
        (x_ticks[0], x_ticks[x_ticks.len() - 1]),
    );
    let mut svg = String::new();
    rows.open(
        &mut svg,
        &format!("sobol-{metric}"),
        &format!("Sobol first-order and total indices of {metric} per factor"),
    );
    legend.draw(&mut svg);
    rows.x_axis(&mut svg, &x_ticks);
    // The whole variance: no index's true value lies past it.
    rows.reference(&mut svg, 1.0);
    for (row, (&factor, label)) in order.iter().zip(&labels).enumerate() {
        sobol_row(
            &mut svg,
            &rows,
            rows.row_top(row),
            label,
            &sobol.factors[factor],
        );
    }
    rows.x_title(&mut svg, &title);
    svg.push_str("</svg>\n");
    svg
}

/// One factor's row of a Sobol chart: the S1 and ST bars with their
/// whiskers, 16 pixels apart so their figures (a line of text each) stack
/// without touching, and the factor's path between them.
fn sobol_row(svg: &mut String, rows: &Rows, top: f64, label: &str, index: &SobolIndex) {
    let bars = [("S1", index.first, COLOR_A), ("ST", index.total, COLOR_B)];
    for (bar, (name, estimate, color)) in bars.into_iter().enumerate() {
        let bar_top = top + 6.0 + 16.0 * bar as f64;
        let text = estimate_text(name, estimate.as_ref());
        let tooltip = format!("{label}: {text}");
        let value = estimate.map(|estimate| estimate.value);
        rows.bar(svg, value, bar_top, 10.0, color, &tooltip);
        rows.interval(svg, estimate.as_ref(), bar_top + 5.0);
        rows.figures(svg, bar_top + 9.0, &text);
    }
    rows.label(svg, top + 22.0, label);
}

fn sobol_table(result: &StudyResult, sobol: &SobolIndices) -> String {
    let cells = |estimate: Option<&Estimate>| match estimate {
        Some(estimate) => [figure(Some(estimate.value)), interval(estimate)],
        None => [UNDEFINED.to_string(), UNDEFINED.to_string()],
    };
    let rows: Vec<Vec<String>> = sobol_order(sobol)
        .into_iter()
        .map(|factor| {
            let index = &sobol.factors[factor];
            let mut row = vec![factor_name(result, factor)];
            row.extend(cells(index.first.as_ref()));
            row.extend(cells(index.total.as_ref()));
            row
        })
        .collect();
    figures_table(
        "Figures",
        &[
            "factor",
            "S1",
            "95% interval of S1",
            "ST",
            "95% interval of ST",
        ],
        &rows,
    )
}

fn rank_chart(result: &StudyResult, metric: &str, correlations: &[Option<f64>]) -> String {
    let strength = |factor: usize| {
        correlations[factor]
            .filter(|value| value.is_finite())
            .map_or(f64::NEG_INFINITY, f64::abs)
    };
    let mut order: Vec<usize> = (0..correlations.len()).collect();
    order.sort_by(|&a, &b| strength(b).total_cmp(&strength(a)).then(a.cmp(&b)));
    let labels: Vec<String> = order
        .iter()
        .map(|&factor| factor_name(result, factor))
        .collect();
    let figures: Vec<String> = order
        .iter()
        .map(|&factor| figure(correlations[factor]))
        .collect();
    let x_ticks = [-1.0, -0.5, 0.0, 0.5, 1.0];
    let legend = Legend(&[("Spearman's rank correlation", Swatch::Bar(COLOR_A))]);
    let title = format!("rank correlation with {metric}");
    let rows = Rows::new(
        &labels,
        &figures,
        &[legend.width(), text_width(&title)],
        24.0,
        (-1.0, 1.0),
    );
    let mut svg = String::new();
    rows.open(
        &mut svg,
        &format!("rank-correlation-{metric}"),
        &format!("Spearman rank correlations of each factor with {metric}"),
    );
    legend.draw(&mut svg);
    rows.x_axis(&mut svg, &x_ticks);
    for (row, ((&factor, label), figures)) in order.iter().zip(&labels).zip(&figures).enumerate() {
        let top = rows.row_top(row);
        let tooltip = format!("{label}: {figures}");
        rows.bar(
            &mut svg,
            correlations[factor],
            top + 6.0,
            12.0,
            COLOR_A,
            &tooltip,
        );
        rows.label(&mut svg, top + 16.0, label);
        rows.figures(&mut svg, top + 16.0, figures);
    }
    rows.x_title(&mut svg, &title);
    svg.push_str("</svg>\n");
    svg
}

fn calibration_sections(body: &mut String, result: &StudyResult, calibration: &CalibrationResult) {
    section(
        body,
        "Posterior",
        &format!(
            "Rejection ABC: the {} closest of {} design points (distance at most {}). Each factor on its own prior range (light bar, its ends printed under it): the accepted points' 95% interval (dark bar) and median (black line).",
            calibration.accepted,
            calibration.points_used,
            significant(Some(calibration.threshold), 4)
        ),
        &posterior_chart(result, calibration),
    );
    body.push_str(&posterior_table(result, calibration));
    let _ = writeln!(body, "<h2>Targets</h2>");
    let _ = writeln!(
        body,
        "<p class=\"note\">What the calibration must reproduce, and the accepted points' simulated means: their mean and the 2.5% to 97.5% range.</p>"
    );
    body.push_str(&targets_table(calibration));
    if !calibration.check.is_empty() {
        let _ = writeln!(body, "<h2>Posterior-predictive check</h2>");
        let _ = writeln!(
            body,
            "<p class=\"note\">{} of the calibrated scenario (each factor at its posterior median) on seeds the design did not use. Consistent: the 95% interval of the runs' mean meets the observed value's band, observed ± 1.96 sd.</p>",
            escape(&counted(calibration.check_replications as usize, "run"))
        );
        body.push_str(&check_table(calibration));
    }
}

/// A prior's end as the scenario writes it: the number, or a discrete
/// factor's value (shortened past a length both ends of a row can share).
fn prior_end(range: Option<&FactorRange>, value: f64, last: bool) -> String {
    let text = match range {
        Some(FactorRange::Discrete { values }) => {
            let end = if last { values.last() } else { values.first() };
            end.cloned().unwrap_or_default()
        }
        // As the factor table and the study file write it.
        _ => format!("{value}"),
    };
    if text.chars().count() > PRIOR_END_CHARACTERS_MAX {
        let kept: String = text.chars().take(PRIOR_END_CHARACTERS_MAX - 1).collect();
        format!("{kept}…")
    } else {
        text
    }
}

fn posterior_chart(result: &StudyResult, calibration: &CalibrationResult) -> String {
    let labels: Vec<String> = calibration
        .factors
        .iter()
        .map(|fit| fit.path.clone())
        .collect();
    let figures: Vec<String> = calibration
        .factors
        .iter()
        .map(|fit| {
            format!(
                "median {} [{}, {}]",
                figure(Some(fit.posterior.median)),
                figure(Some(fit.posterior.low)),
                figure(Some(fit.posterior.high))
            )
        })
        .collect();
    let legend = Legend(&[
        ("prior range", Swatch::Bar(COLOR_PRIOR)),
        ("posterior 95% interval", Swatch::Bar(COLOR_A)),
        ("median", Swatch::Median),
    ]);
    let title = "each factor on its own prior range";
    let rows = Rows::new(
        &labels,
        &figures,
        &[legend.width(), text_width(title)],
        46.0,
        (0.0, 1.0),
    )
    .without_axis();
    let mut svg = String::new();
    rows.open(
        &mut svg,
        "calibration-posterior",
        "Posterior 95% interval and median of each factor on its prior range",
    );
    legend.draw(&mut svg);
    for (row, (fit, figures)) in calibration.factors.iter().zip(&figures).enumerate() {
        let range = result
            .factors
            .iter()
            .find(|factor| factor.path == fit.path)
            .map(|factor| &factor.range);
        posterior_row(&mut svg, &rows, rows.row_top(row), fit, range, figures);
    }
    rows.x_title(&mut svg, title);
    svg.push_str("</svg>\n");
    svg
}

/// One factor's row of the posterior chart: the prior's light bar with its
/// ends printed under it, the posterior interval's dark bar over it, the
/// median's line, the factor's path and its figures.
fn posterior_row(
    svg: &mut String,
    rows: &Rows,
    top: f64,
    fit: &FactorFit,
    range: Option<&FactorRange>,
    figures: &str,
) {
    let span = fit.prior_high - fit.prior_low;
    let at = |value: f64| {
        let share = if span > 0.0 {
            (value - fit.prior_low) / span
        } else {
            0.5
        };
        rows.x(share)
    };
    let posterior = &fit.posterior;
    let low = at(posterior.low);
    let high = at(posterior.high).max(low + 2.0);
    let tooltip = escape(&format!(
        "{}: prior {} to {}; posterior median {}, 95% interval [{}, {}], mean {}, sd {}",
        fit.path,
        figure(Some(fit.prior_low)),
        figure(Some(fit.prior_high)),
        figure(Some(posterior.median)),
        figure(Some(posterior.low)),
        figure(Some(posterior.high)),
        figure(Some(posterior.mean)),
        figure(Some(posterior.sd))
    ));
    let _ = writeln!(
        svg,
        "<rect class=\"mark\" x=\"{:.1}\" y=\"{:.1}\" width=\"{PLOT_WIDTH:.1}\" height=\"14\" fill=\"{COLOR_PRIOR}\"/>",
        rows.left,
        top + 6.0
    );
    let _ = writeln!(
        svg,
        "<rect class=\"mark\" x=\"{low:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"14\" fill=\"{COLOR_A}\" fill-opacity=\"0.75\"><title>{tooltip}</title></rect>",
        top + 6.0,
        high - low
    );
    let _ = writeln!(
        svg,
        "<line class=\"mark\" x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{2:.1}\" stroke=\"#111111\" stroke-width=\"2.5\"><title>{tooltip}</title></line>",
        at(posterior.median),
        top + 2.0,
        top + 24.0
    );
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{COLOR_MUTED}\">{}</text><text x=\"{:.1}\" y=\"{1:.1}\" text-anchor=\"end\" fill=\"{COLOR_MUTED}\">{}</text>",
        rows.left,
        top + 36.0,
        escape(&prior_end(range, fit.prior_low, false)),
        rows.right,
        escape(&prior_end(range, fit.prior_high, true))
    );
    rows.label(svg, top + 17.0, &fit.path);
    rows.figures(svg, top + 17.0, figures);
}

fn posterior_table(result: &StudyResult, calibration: &CalibrationResult) -> String {
    figures_table(
        "Figures",
        &crate::study::POSTERIOR_COLUMNS,
        &crate::study::posterior_rows(result, calibration),
    )
}

/// A table whose cells are already HTML.
fn html_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = String::from("<table>\n<tr>");
    for cell in header {
        let _ = write!(table, "<th>{}</th>", escape(cell));
    }
    table.push_str("</tr>\n");
    for row in rows {
        table.push_str("<tr>");
        for cell in row {
            let _ = write!(table, "<td>{cell}</td>");
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</table>\n");
    table
}

fn targets_table(calibration: &CalibrationResult) -> String {
    let rows: Vec<Vec<String>> = calibration
        .targets
        .iter()
        .map(|fit| {
            vec![
                escape(&fit.target.label()),
                escape(&format!(
                    "{} ± {}",
                    significant(Some(fit.fit.observed), 4),
                    significant(Some(fit.fit.standard_uncertainty), 3)
                )),
                significant(Some(fit.fit.simulated_mean), 4),
                escape(&format!(
                    "[{}, {}]",
                    significant(Some(fit.fit.simulated_low), 4),
                    significant(Some(fit.fit.simulated_high), 4)
                )),
            ]
        })
        .collect();
    html_table(
        &[
            "target",
            "observed ± sd",
            "accepted points' simulated mean",
            "95% range",
        ],
        &rows,
    )
}

/// The check's verdict, marked so a failure stands out.
fn verdict(consistent: Option<bool>) -> String {
    match consistent {
        Some(true) => format!("<span style=\"color:{COLOR_CONSISTENT}\">consistent</span>"),
        Some(false) => {
            format!("<b class=\"inconsistent\" style=\"color:{COLOR_B}\">NOT consistent</b>")
        }
        None => UNDEFINED.to_string(),
    }
}

fn check_table(calibration: &CalibrationResult) -> String {
    let rows: Vec<Vec<String>> = calibration
        .check
        .iter()
        .map(|check| {
            vec![
                escape(&check.target),
                escape(&format!(
                    "{} ± {}",
                    significant(Some(check.observed), 4),
                    significant(Some(1.96 * check.sd), 3)
                )),
                significant(check.mean, 4),
                escape(&format!(
                    "[{}, {}]",
                    significant(check.mean_low, 4),
                    significant(check.mean_high, 4)
                )),
                verdict(check.consistent),
            ]
        })
        .collect();
    html_table(
        &[
            "target",
            "observed ± 1.96 sd",
            "mean of the runs",
            "95% interval of the mean",
            "verdict",
        ],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use escrowsim_analysis::calibration::{PosteriorSummary, TargetFit as Fit};
    use escrowsim_analysis::study::{Factor, PredictiveCheck, Target, TargetFit};

    fn study(kind: StudyKind, factors: &[&str]) -> StudyResult {
        StudyResult {
            study: "unit".to_string(),
            scenario: "quick".to_string(),
            version: "0.0.0".to_string(),
            digest: "d1g35t".to_string(),
            kind,
            design: "Morris elementary effects: 4 trajectories".to_string(),
            points: 12,
            replications: 1,
            factors: factors
                .iter()
                .map(|path| Factor {
                    path: path.to_string(),
                    range: FactorRange::Continuous {
                        low: 0.0,
                        high: 1.0,
                    },
                })
                .collect(),
            metrics: Vec::new(),
            calibration: None,
            wall_ms_total: 0,
        }
    }

    fn metric(name: &str) -> MetricIndices {
        MetricIndices {
            metric: name.to_string(),
            undefined_points: 0,
            morris: None,
            sobol: None,
            rank_correlations: None,
            note: None,
        }
    }

    fn estimate(value: f64, low: f64, high: f64) -> Estimate {
        Estimate { value, low, high }
    }

    /// Factor 1 moves the metric four times as much as factor 0.
    fn morris() -> MorrisIndices {
        let index = |mu_star: f64| MorrisIndex {
            mu: -mu_star,
            mu_star: estimate(mu_star, mu_star * 0.5, mu_star * 1.5),
            sigma: mu_star / 5.0,
        };
        MorrisIndices {
            factors: vec![index(0.005), index(0.02)],
            ranking: vec![1, 0],
        }
    }

    /// The svg of chart `name` in `page`.
    fn chart<'a>(page: &'a str, name: &str) -> &'a str {
        let start = page
            .find(&format!("data-chart=\"{name}\""))
            .unwrap_or_else(|| panic!("no chart {name}"));
        let end = start + page[start..].find("</svg>").expect("the chart ends");
        &page[start..end]
    }

    #[test]
    fn a_morris_study_draws_one_tornado_per_metric_largest_effect_first() {
        let mut result = study(StudyKind::Sensitivity, &["factor.zero", "factor.one"]);
        for name in ["refunds.rate", "claims.filed"] {
            result.metrics.push(MetricIndices {
                morris: Some(morris()),
                ..metric(name)
            });
        }
        let page = render_study_html(&result);
        assert_eq!(page.matches("<svg class=\"chart\"").count(), 2);
        let refunds = chart(&page, "morris-refunds.rate");
        assert!(chart(&page, "morris-claims.filed").contains(">mu* 0.0200, sigma 0.00400<"));
        // Ranked by mu*: factor.one's row comes first.
        assert!(refunds.find(">factor.one<").unwrap() < refunds.find(">factor.zero<").unwrap());
        assert!(refunds.contains(">change in refunds.rate over a factor&#39;s whole range<"));
        // Small effects still get distinct tick labels: 0 to 0.03 (the
        // top of the largest interval) by 0.01.
        for tick in ["0", "0.01", "0.02", "0.03"] {
            assert!(refunds.contains(&format!(">{tick}</text>")), "tick {tick}");
        }
        assert!(page.contains("mu* (bar) is the mean absolute elementary effect"));
        assert_eq!(page.matches("<details>").count(), 2);
    }

    #[test]
    fn a_constant_or_undefined_metric_gets_its_note_not_an_empty_chart() {
        let mut result = study(StudyKind::Sensitivity, &["factor.zero", "factor.one"]);
        result.metrics.push(MetricIndices {
            morris: Some(morris()),
            ..metric("refunds.rate")
        });
        result.metrics.push(MetricIndices {
            // The analysis computes indices of a constant metric too, all zero.
            morris: Some(morris()),
            note: Some("0 at every point of the design: no factor moves it".to_string()),
            ..metric("risk.platform_loss")
        });
        result.metrics.push(MetricIndices {
            undefined_points: 3,
            note: Some("undefined at 3 of 12 points: no indices".to_string()),
            ..metric("refunds.value_rate")
        });
        let page = render_study_html(&result);
        assert_eq!(page.matches("<svg class=\"chart\"").count(), 1);
        assert!(!page.contains("data-chart=\"morris-risk.platform_loss\""));
        assert!(page.contains(
            "<p class=\"note\">risk.platform_loss: 0 at every point of the design: no factor moves it</p>"
        ));
        assert!(page.contains("refunds.value_rate: undefined at 3 of 12 points: no indices"));
    }

    #[test]
    fn undefined_sobol_indices_read_n_a_and_the_axis_covers_estimates_below_zero() {
        let mut result = study(StudyKind::Sensitivity, &["factor.zero", "factor.one"]);
        result.metrics.push(MetricIndices {
            sobol: Some(SobolIndices {
                variance: 2.5,
                factors: vec![
                    SobolIndex {
                        first: Some(estimate(0.6, -0.1, 0.9)),
                        total: Some(estimate(0.7, 0.5, 1.05)),
                    },
                    SobolIndex {
                        first: None,
                        total: None,
                    },
                ],
                resamples_undefined: 4,
            }),
            ..metric("claims.filed")
        });
        let page = render_study_html(&result);
        let sobol = chart(&page, "sobol-claims.filed");
        // Factor one's two indices are n/a, not bars: only factor zero's two bars.
        assert_eq!(sobol.matches(">n/a<title>").count(), 2);
        assert_eq!(sobol.matches("<rect class=\"mark\"").count(), 2);
        assert!(sobol.contains(">S1 0.600 [-0.100, 0.900]<"));
        assert!(sobol.contains(">ST n/a<"));
        // The axis: from -0.2 (below the lowest interval) to 1.2 (above 1.05).
        for tick in ["-0.2", "0", "1.0", "1.2"] {
            assert!(sobol.contains(&format!(">{tick}</text>")), "tick {tick}");
        }
        assert!(!sobol.contains(">1.4</text>"));
        assert!(page.contains("4 bootstrap resamples carried no variance"));
    }

    #[test]
    fn rank_correlations_lie_on_minus_one_to_one_strongest_first() {
        let mut result = study(StudyKind::Sensitivity, &["weak", "strong", "flat"]);
        result.metrics.push(MetricIndices {
            rank_correlations: Some(vec![Some(0.2), Some(-0.9), None]),
            ..metric("refunds.rate")
        });
        let page = render_study_html(&result);
        let ranks = chart(&page, "rank-correlation-refunds.rate");
        let at = |label: &str| ranks.find(&format!(">{label}<")).unwrap();
        assert!(at("strong") < at("weak") && at("weak") < at("flat"));
        for tick in ["-1.0", "-0.5", "0", "0.5", "1.0"] {
            assert!(ranks.contains(&format!(">{tick}</text>")), "tick {tick}");
        }
        assert!(ranks.contains(">-0.900<") && ranks.contains(">n/a<title>"));
    }

    #[test]
    fn names_are_escaped_everywhere() {
        let mut result = study(StudyKind::Sensitivity, &["a<b>&\"c\"", "d"]);
        result.study = "<script>alert(1)</script>".to_string();
        result.metrics.push(MetricIndices {
            morris: Some(morris()),
            ..metric("x<y")
        });
        let page = render_study_html(&result);
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains(">a&lt;b&gt;&amp;&quot;c&quot;<"));
        assert!(page.contains("data-chart=\"morris-x&lt;y\""));
        assert!(!page.contains("a<b>"));
    }

    /// Two targets, the second failing its check; one factor whose
    /// posterior 95% interval is the middle half of its prior, 0.2 to 0.6.
    fn calibration() -> CalibrationResult {
        let target = |metric: &str| Target {
            metric: metric.to_string(),
            month: None,
            value: 0.04,
            sd: 0.01,
        };
        let check = |target: &str, consistent| PredictiveCheck {
            target: target.to_string(),
            observed: 0.04,
            sd: 0.01,
            mean: Some(0.05),
            mean_low: Some(0.045),
            mean_high: Some(0.055),
            consistent,
        };
        let fit = Fit {
            observed: 0.04,
            standard_uncertainty: 0.01,
            simulated_mean: 0.045,
            simulated_low: 0.041,
            simulated_high: 0.05,
        };
        CalibrationResult {
            points_used: 16,
            accepted: 4,
            threshold: 1.25,
            factors: vec![FactorFit {
                path: "buyers[*].claim_after_breach_probability".to_string(),
                prior_low: 0.2,
                prior_high: 0.6,
                posterior: PosteriorSummary {
                    mean: 0.4,
                    sd: 0.05,
                    median: 0.4,
                    low: 0.3,
                    high: 0.5,
                },
                calibrated: Some("0.4".to_string()),
            }],
            targets: vec![
                TargetFit {
                    target: target("refunds.rate"),
                    fit,
                },
                TargetFit {
                    target: target("claims.rate"),
                    fit,
                },
            ],
            accepted_points: vec![escrowsim_analysis::study::AcceptedPoint {
                point: 3,
                distance: 0.5,
                values: vec![0.5],
            }],
            check_replications: 10,
            check: vec![
                check("refunds.rate", Some(true)),
                check("claims.rate", Some(false)),
            ],
        }
    }

    #[test]
    fn a_calibration_draws_each_posterior_on_its_prior_and_flags_a_failed_check() {
        let mut result = study(
            StudyKind::Calibration,
            &["buyers[*].claim_after_breach_probability"],
        );
        result.factors[0].range = FactorRange::Continuous {
            low: 0.2,
            high: 0.6,
        };
        result.calibration = Some(calibration());
        let page = render_study_html(&result);
        let posterior = chart(&page, "calibration-posterior");
        // Half of the 400-pixel prior bar.
        assert!(posterior.contains("width=\"200.0\" height=\"14\""));
        assert!(posterior.contains(">0.2</text>") && posterior.contains(">0.6</text>"));
        assert!(posterior.contains(">median 0.400 [0.300, 0.500]<"));
        assert!(
            page.contains("<td>0.04000 ± 0.0100</td><td>0.04500</td><td>[0.04100, 0.05000]</td>")
        );
        assert_eq!(page.matches(">NOT consistent</b>").count(), 1);
        assert_eq!(page.matches(">consistent</span>").count(), 1);
        assert!(page.contains("10 runs of the calibrated scenario"));
    }

    #[test]
    fn ticks_read_to_their_step_and_share_axes_reach_past_zero_and_one() {
        assert_eq!(tick_text(0.0005, 0.0005), "0.0005");
        assert_eq!(tick_text(0.30000000000000004, 0.1), "0.3");
        assert_eq!(tick_text(-0.0, 0.005), "0");
        assert_eq!(tick_text(20_000.0, 5_000.0), "20k");
        assert_eq!(share_ticks(0.0, 1.0), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(share_ticks(-0.13, 0.5).first(), Some(&-0.2));
        assert_eq!(share_ticks(-0.13, 2.06), ticks(-0.13, 2.06));
    }

    #[test]
    fn the_columns_hold_their_longest_text() {
        let label = "suppliers[cn-manufacturers].type_mix.fraudulent".to_string();
        let figures = "mu* 1,234,000, sigma 56,780".to_string();
        let rows = Rows::new(
            std::slice::from_ref(&label),
            std::slice::from_ref(&figures),
            &[],
            30.0,
            (0.0, 1.0),
        );
        // The label ends 12 pixels before the plot; the figures start 12 after it.
        assert!(rows.left - 12.0 >= text_width(&label));
        assert!(rows.width - (rows.right + 12.0) >= text_width(&figures));
        let wide_title = Rows::new(&[], &[], &[2000.0], 30.0, (0.0, 1.0));
        assert!(wide_title.width >= 2000.0);
    }
}
