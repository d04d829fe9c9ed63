//! The HTML report: one self-contained file with inline SVG charts.
//!
//! Nothing is fetched: no scripts, fonts, styles or images from anywhere,
//! and a Content-Security-Policy of `default-src 'none'` makes the browser
//! refuse any fetch that might slip in. Charts are hand-written SVG (a few
//! kinds only: lines with a 95% band, bars with whiskers, histograms, a
//! forest plot of differences), so the page needs no chart library and the
//! same replications always give the same bytes. A short inline script
//! checks, in the reader's browser, that every chart laid out and that no
//! resource was loaded, and marks the page with the result; a browser test
//! reads those marks.
//!
//! Charts of a run: monthly escrow float and exposure, refunds by reason,
//! approved suppliers, covered share, and the distribution of platform loss
//! across replications. A comparison draws A and B side by side on each, adds
//! the relative differences with their intervals (absolute ones where A is
//! zero), and tables every metric. The page of a sensitivity study or a
//! calibration is in [`study_page`].

use crate::tables::counted;
use escrowsim_analysis::{
    Comparison, Difference, Figure, MetricKind, ReplicationSummary, Replications, Summary,
};
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write;

mod explanation;
mod optimize_page;
mod study_page;
pub use explanation::explanation_section;
pub use optimize_page::render_optimization_html;
pub use study_page::render_study_html;

const COLOR_A: &str = "#1f77b4";
const COLOR_B: &str = "#d62728";
const COLOR_SECOND: &str = "#ff7f0e";
const COLOR_MUTED: &str = "#888888";

/// The claim reasons as the outcome names them.
const REASONS: [(&str, &str); 5] = [
    ("late", "late"),
    ("quality", "quality"),
    ("late_and_quality", "late+quality"),
    ("non_delivery", "non-delivery"),
    ("false_claim", "false claim"),
];

/// Metrics whose differences the comparison always plots (with every other
/// metric whose difference is significant).
const KEY_DIFFERENCES: [&str; 10] = [
    "orders.covered",
    "gmv.covered",
    "claims.filed",
    "refunds.count",
    "refunds.value",
    "refunds.rate",
    "risk.platform_loss",
    "risk.escrow_peak",
    "risk.exposure_peak",
    "risk.buyer_uncovered_loss",
];

/// The HTML report of one set of replications.
pub fn render_replications_html(
    summary: &ReplicationSummary,
    replications: &Replications,
) -> String {
    let title = format!(
        "escrowsim: {} ({})",
        summary.scenario,
        counted(summary.runs.len(), "replication")
    );
    let mut body = String::new();
    if summary.runs.len() == 1 {
        let _ = write!(
            body,
            "<h1>{}</h1>\n<p class=\"lead\">Scenario <b>{}</b>, one run with seed {}, escrowsim {}. \
             One run gives no confidence intervals: <code>--replications 20</code> adds them.</p>\n",
            escape(&format!("escrowsim: {} (one run)", summary.scenario)),
            escape(&summary.scenario),
            summary.base_seed,
            escape(&summary.version)
        );
    } else {
        let _ = write!(
            body,
            "<h1>{}</h1>\n<p class=\"lead\">Scenario <b>{}</b>, {} with seeds derived from {}, escrowsim {}. \
             Lines are means across replications; shaded bands and whiskers are 95% confidence intervals of the mean.</p>\n",
            escape(&title),
            escape(&summary.scenario),
            counted(summary.runs.len(), "replication"),
            summary.base_seed,
            escape(&summary.version)
        );
    }
    let policies = [Policy {
        label: summary.scenario.clone(),
        color: COLOR_A,
        summary,
        replications,
    }];
    section(
        &mut body,
        "Escrow float and exposure, end of month",
        "Money held in escrow, and deposits released before acceptance on orders still open (the platform's exposure).",
        &float_and_exposure_chart(summary),
    );
    policy_sections(
        &mut body,
        &policies,
        "Advances written off over the whole run, one value per replication; p95 and p99 are the value at risk.",
    );
    let _ = writeln!(body, "<h2>Every metric</h2>");
    body.push_str(&summary_table(summary));
    page(&title, &body)
}

/// The HTML report of a comparison: both policies side by side, then the differences.
pub fn render_comparison_html(
    comparison: &Comparison,
    a: &Replications,
    b: &Replications,
) -> String {
    render_comparison_html_with(comparison, a, b, "")
}

/// The comparison page with `extra` sections (such as `--explain`'s)
/// before its table of every metric.
pub fn render_comparison_html_with(
    comparison: &Comparison,
    a: &Replications,
    b: &Replications,
    extra: &str,
) -> String {
    let title = format!(
        "escrowsim: {} vs {} ({})",
        comparison.a.scenario,
        comparison.b.scenario,
        counted(comparison.a.runs.len(), "paired replication")
    );
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{}</h1>\n<p class=\"lead\">A = <b style=\"color:{COLOR_A}\">{}</b>, B = <b style=\"color:{COLOR_B}\">{}</b>; \
         {} on common random numbers (seeds derived from {}), escrowsim {}. \
         Means across replications; bands and whiskers are 95% confidence intervals.</p>\n",
        escape(&title),
        escape(&comparison.a.scenario),
        escape(&comparison.b.scenario),
        counted(comparison.a.runs.len(), "paired replication"),
        comparison.base_seed,
        escape(&comparison.version)
    );
    let policies = [
        Policy {
            label: format!("A: {}", comparison.a.scenario),
            color: COLOR_A,
            summary: &comparison.a,
            replications: a,
        },
        Policy {
            label: format!("B: {}", comparison.b.scenario),
            color: COLOR_B,
            summary: &comparison.b,
            replications: b,
        },
    ];
    let (relative_chart, absolute_chart) = differences_charts(comparison);
    section(
        &mut body,
        "Differences B - A",
        "Mean paired difference relative to A's mean, with its 95% interval, for the key metrics and every other metric whose difference is significant. Filled: significant (the interval excludes zero).",
        &relative_chart,
    );
    if let Some(chart) = absolute_chart {
        section(
            &mut body,
            "Differences B - A where A is zero",
            "A relative difference is undefined where A's mean is 0: these metrics' mean paired differences, each on its own scale, with their 95% intervals.",
            &chart,
        );
    }
    section(
        &mut body,
        "Escrow float, end of month",
        "",
        &monthly_chart(&policies, "escrow-float", "escrow_end", Unit::Money),
    );
    section(
        &mut body,
        "Exposure, end of month",
        "Deposits released before acceptance on orders still open.",
        &monthly_chart(&policies, "exposure", "exposure_end", Unit::Money),
    );
    policy_sections(
        &mut body,
        &policies,
        "Advances written off over the whole run, one value per replication and policy.",
    );
    body.push_str(extra);
    let _ = writeln!(body, "<h2>Every metric</h2>");
    body.push_str(&differences_table(comparison));
    page(&title, &body)
}

/// One policy's data for the side-by-side charts.
struct Policy<'a> {
    label: String,
    color: &'static str,
    summary: &'a ReplicationSummary,
    replications: &'a Replications,
}

/// The sections the run and comparison reports share: refunds by reason,
/// approved suppliers, covered share, and the distribution of platform loss.
fn policy_sections(body: &mut String, policies: &[Policy<'_>], loss_note: &str) {
    section(
        body,
        "Refunds by reason",
        "Refunded value over the whole run, per claim reason.",
        &refunds_chart(policies),
    );
    section(
        body,
        "Approved suppliers, end of month",
        "",
        &monthly_chart(
            policies,
            "approved-suppliers",
            "approved_suppliers",
            Unit::Count,
        ),
    );
    section(
        body,
        "Covered share of GMV, per month",
        "",
        &monthly_chart(policies, "covered-share", "covered_share", Unit::Share),
    );
    section(
        body,
        "Platform loss across replications",
        loss_note,
        &loss_chart(policies),
    );
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 60em; padding: 0 1em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.2em; margin-top: 2em; }}
p.lead, p.note {{ color: #444; }}
svg.chart {{ display: block; max-width: 100%; height: auto; }}
svg.chart text {{ font-family: sans-serif; font-size: 12px; fill: #333; }}
table {{ border-collapse: collapse; font-size: 0.85em; }}
th, td {{ padding: 0.2em 0.6em; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; font-family: monospace; }}
small.path {{ font-family: monospace; font-weight: normal; color: #666; font-size: 0.75em; }}
tr.significant td {{ font-weight: bold; }}
</style>
</head>
<body>
{body}
<script>
// Self-check, read by the browser test: every chart laid out with its
// marks, no text label on another, and no resource fetched.
(function () {{
  var charts = document.querySelectorAll("svg.chart");
  var rendered = 0;
  charts.forEach(function (svg) {{
    var box = svg.getBBox();
    var ok = box.width > 0 && box.height > 0 && svg.querySelectorAll(".mark").length > 0;
    svg.setAttribute("data-rendered", ok ? "yes" : "no");
    if (ok) rendered += 1;
  }});
  // Text labels that overprint one another: boxes (as drawn, after any
  // rotation) that overlap by more than a pixel each way.
  var overlaps = 0;
  charts.forEach(function (svg) {{
    var boxes = [];
    svg.querySelectorAll("text").forEach(function (label) {{
      var box = label.getBoundingClientRect();
      if (label.textContent.trim() !== "" && box.width > 0 && box.height > 0) boxes.push(box);
    }});
    var found = 0;
    for (var i = 0; i < boxes.length; i++) {{
      for (var j = i + 1; j < boxes.length; j++) {{
        var a = boxes[i], b = boxes[j];
        var wide = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        var tall = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (wide > 1 && tall > 1) found += 1;
      }}
    }}
    svg.setAttribute("data-text-overlaps", String(found));
    overlaps += found;
  }});
  document.body.setAttribute("data-text-overlaps", String(overlaps));
  document.body.setAttribute("data-charts", String(charts.length));
  document.body.setAttribute("data-charts-rendered", String(rendered));
  document.body.setAttribute("data-resources", String(performance.getEntriesByType("resource").length));
}})();
</script>
</body>
</html>
"#,
        title = escape(title),
        body = body
    )
}

fn section(body: &mut String, heading: &str, note: &str, chart: &str) {
    let _ = writeln!(body, "<h2>{}</h2>", escape(heading));
    if !note.is_empty() {
        let _ = writeln!(body, "<p class=\"note\">{}</p>", escape(note));
    }
    body.push_str(chart);
}

fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

fn number(figure: &Figure) -> f64 {
    figure.value.to_f64().unwrap_or(0.0)
}

/// Mean and interval of a summary, as plot coordinates.
fn point(summary: &Summary) -> Point {
    Point {
        mean: number(&summary.mean),
        interval: summary
            .ci95
            .as_ref()
            .map(|(low, high)| (number(low), number(high))),
    }
}

#[derive(Clone, Copy)]
struct Point {
    mean: f64,
    interval: Option<(f64, f64)>,
}

impl Point {
    fn low(&self) -> f64 {
        self.interval.map_or(self.mean, |(low, _)| low)
    }
    fn high(&self) -> f64 {
        self.interval.map_or(self.mean, |(_, high)| high)
    }
}

/// How axis labels print values.
#[derive(Clone, Copy)]
enum Axis {
    Plain,
    Percent,
}

fn tick_label(value: f64, axis: Axis) -> String {
    match axis {
        Axis::Percent => format!("{}%", trim(value * 100.0)),
        Axis::Plain => {
            let magnitude = value.abs();
            if magnitude >= 1e9 {
                format!("{}G", trim(value / 1e9))
            } else if magnitude >= 1e6 {
                format!("{}M", trim(value / 1e6))
            } else if magnitude >= 1e4 {
                format!("{}k", trim(value / 1e3))
            } else {
                trim(value)
            }
        }
    }
}

/// Up to three decimals, without trailing zeros.
fn trim(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// Round tick values covering `[low, high]`: a step of 1, 2 or 5 times a power of ten.
fn ticks(low: f64, high: f64) -> Vec<f64> {
    let (low, high) = if high > low {
        (low, high)
    } else if high == 0.0 {
        (0.0, 1.0)
    } else {
        (low - low.abs() * 0.1, high + high.abs() * 0.1)
    };
    let raw = (high - low) / 5.0;
    let mut power = 1.0;
    while power * 10.0 <= raw {
        power *= 10.0;
    }
    while power > raw {
        power /= 10.0;
    }
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power);
    let first = (low / step).floor();
    let last = (high / step).ceil();
    let mut values = Vec::new();
    let mut index = first;
    while index <= last && values.len() < 20 {
        values.push(index * step);
        index += 1.0;
    }
    values
}

/// The plot area of a chart and the mapping of values to pixels.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    y_min: f64,
    y_max: f64,
}

impl Frame {
    fn new(width: f64, height: f64, left: f64, y_ticks: &[f64]) -> Frame {
        Frame {
            width,
            height,
            left,
            right: width - 20.0,
            top: 30.0,
            bottom: height - 45.0,
            y_min: y_ticks[0],
            y_max: y_ticks[y_ticks.len() - 1],
        }
    }

    fn y(&self, value: f64) -> f64 {
        let span = self.y_max - self.y_min;
        if span <= 0.0 {
            return self.bottom;
        }
        self.bottom - (value - self.y_min) / span * (self.bottom - self.top)
    }

    fn open(&self, svg: &mut String, name: &str, description: &str) {
        let _ = writeln!(
            svg,
            "<svg class=\"chart\" data-chart=\"{name}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">",
            self.width,
            self.height,
            self.width,
            self.height,
            escape(description)
        );
    }

    fn y_axis(&self, svg: &mut String, ticks: &[f64], axis: Axis) {
        for tick in ticks {
            let y = self.y(*tick);
            let _ = writeln!(
                svg,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e5e5e5\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                self.left,
                self.right,
                self.left - 6.0,
                y + 4.0,
                tick_label(*tick, axis)
            );
        }
        let _ = writeln!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>",
            self.left, self.bottom, self.right, self.bottom
        );
    }
}

impl Frame {
    /// The y axis's title, written upwards along the left edge, clear of
    /// the tick labels (which end 6 pixels left of the plot).
    fn y_title(&self, svg: &mut String, title: &str) {
        let middle = (self.top + self.bottom) / 2.0;
        let _ = writeln!(
            svg,
            "<text class=\"axis-title\" x=\"14\" y=\"{middle:.1}\" transform=\"rotate(-90 14 {middle:.1})\" text-anchor=\"middle\">{}</text>",
            escape(title)
        );
    }

    /// The labels of the x axis's ticks, under the plot, each at `x(tick)`.
    fn x_tick_labels(&self, svg: &mut String, ticks: &[f64], x: impl Fn(f64) -> f64) {
        for tick in ticks {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(*tick),
                self.bottom + 18.0,
                tick_label(*tick, Axis::Plain)
            );
        }
    }

    /// The x axis's title, under the tick labels.
    fn x_title(&self, svg: &mut String, title: &str) {
        let _ = writeln!(
            svg,
            "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            (self.left + self.right) / 2.0,
            self.bottom + 36.0,
            escape(title)
        );
    }
}

/// The title of a money axis: the currency named, as the scenario gives it.
fn money_title(what: &str, currency: Option<&str>) -> String {
    match currency {
        Some(currency) => format!("{what}, {currency}"),
        None => format!("{what}, in the scenario's currency"),
    }
}

fn legend(svg: &mut String, frame: &Frame, entries: &[(String, &str, bool)]) {
    let mut x = frame.left;
    for (label, color, dashed) in entries {
        let dash = if *dashed {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"12\" x2=\"{:.1}\" y2=\"12\" stroke=\"{color}\" stroke-width=\"3\"{dash}/><text x=\"{:.1}\" y=\"16\">{}</text>",
            x + 18.0,
            x + 22.0,
            escape(label)
        );
        x += 40.0 + 7.0 * label.chars().count() as f64;
    }
}

/// One line of a monthly chart: a point per month, or nothing where absent.
struct Line {
    label: String,
    color: &'static str,
    dashed: bool,
    /// Drawn on an earlier line: its points are hollow rings, larger, so
    /// both show.
    coincides: bool,
    points: Vec<Option<Point>>,
}

/// Lines over the months (or another x axis) with their 95% bands, the y
/// axis titled `y_title`.
fn line_chart(
    name: &str,
    description: &str,
    months: &[String],
    lines: &[Line],
    axis: Axis,
    y_title: &str,
) -> String {
    let values = lines
        .iter()
        .flat_map(|line| line.points.iter().flatten())
        .flat_map(|point| [point.low(), point.high()]);
    let (low, high) = values.fold((0.0_f64, 0.0_f64), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    let y_ticks = ticks(low, high);
    let frame = Frame::new(720.0, 300.0, 70.0, &y_ticks);
    let x = |index: usize| {
        if months.len() <= 1 {
            (frame.left + frame.right) / 2.0
        } else {
            frame.left
                + 10.0
                + index as f64 * (frame.right - frame.left - 20.0) / (months.len() - 1) as f64
        }
    };
    let mut svg = String::new();
    frame.open(&mut svg, name, description);
    frame.y_axis(&mut svg, &y_ticks, axis);
    frame.y_title(&mut svg, y_title);
    let label_every = months.len().div_ceil(12).max(1);
    for (index, month) in months.iter().enumerate() {
        if index % label_every == 0 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x(index),
                frame.bottom + 18.0,
                escape(month)
            );
        }
    }
    for line in lines {
        let present: Vec<(usize, Point)> = line
            .points
            .iter()
            .enumerate()
            .filter_map(|(index, point)| point.map(|point| (index, point)))
            .collect();
        if present.iter().any(|(_, point)| point.interval.is_some()) {
            let mut band = String::new();
            for (index, point) in &present {
                let _ = write!(band, "{:.1},{:.1} ", x(*index), frame.y(point.high()));
            }
            for (index, point) in present.iter().rev() {
                let _ = write!(band, "{:.1},{:.1} ", x(*index), frame.y(point.low()));
            }
            let _ = writeln!(
                svg,
                "<polygon class=\"band\" points=\"{}\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>",
                band.trim_end(),
                line.color
            );
        }
        let path: Vec<String> = present
            .iter()
            .map(|(index, point)| format!("{:.1},{:.1}", x(*index), frame.y(point.mean)))
            .collect();
        let dash = if line.dashed {
            " stroke-dasharray=\"6 3\""
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            "<polyline class=\"mark\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{dash}/>",
            path.join(" "),
            line.color
        );
        let (radius, fill) = if line.coincides {
            ("5.5", "none")
        } else {
            ("3", line.color)
        };
        for (index, point) in &present {
            let _ = writeln!(
                svg,
                "<circle class=\"mark\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{radius}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"1.5\"><title>{}: {}</title></circle>",
                x(*index),
                frame.y(point.mean),
                line.color,
                escape(&months[*index]),
                tick_label(point.mean, axis)
            );
        }
    }
    let entries: Vec<(String, &str, bool)> = lines
        .iter()
        .map(|line| (line.label.clone(), line.color, line.dashed))
        .collect();
    legend(&mut svg, &frame, &entries);
    svg.push_str("</svg>\n");
    svg
}

fn monthly_points(summary: &ReplicationSummary, path: &str) -> Vec<Option<Point>> {
    summary
        .monthly(path)
        .into_iter()
        .map(|summary| summary.map(point))
        .collect()
}

fn float_and_exposure_chart(summary: &ReplicationSummary) -> String {
    let lines = [
        Line {
            label: "escrow float".to_string(),
            color: COLOR_A,
            dashed: false,
            coincides: false,
            points: monthly_points(summary, "escrow_end"),
        },
        Line {
            label: "exposure".to_string(),
            color: COLOR_SECOND,
            dashed: true,
            coincides: false,
            points: monthly_points(summary, "exposure_end"),
        },
    ];
    line_chart(
        "escrow-exposure",
        "Monthly escrow float and exposure",
        &summary
            .months
            .iter()
            .map(|month| month.month.clone())
            .collect::<Vec<_>>(),
        &lines,
        Axis::Plain,
        &money_title("money", summary.currency.as_deref()),
    )
}

/// What a monthly chart's values are: money, a count, or a share.
#[derive(Clone, Copy)]
enum Unit {
    Money,
    Count,
    Share,
}

fn monthly_chart(policies: &[Policy<'_>], name: &str, path: &str, unit: Unit) -> String {
    let lines: Vec<Line> = policies
        .iter()
        .map(|policy| Line {
            label: policy.label.clone(),
            color: policy.color,
            dashed: false,
            coincides: false,
            points: monthly_points(policy.summary, path),
        })
        .collect();
    let months: Vec<String> = policies[0]
        .summary
        .months
        .iter()
        .map(|month| month.month.clone())
        .collect();
    let (axis, y_title) = match unit {
        Unit::Money => (
            Axis::Plain,
            money_title("money", policies[0].summary.currency.as_deref()),
        ),
        Unit::Count => (Axis::Plain, "count".to_string()),
        Unit::Share => (Axis::Percent, "share".to_string()),
    };
    line_chart(
        name,
        &format!("Monthly {path}"),
        &months,
        &lines,
        axis,
        &y_title,
    )
}

/// Grouped bars of refunded value per reason, with 95% whiskers.
fn refunds_chart(policies: &[Policy<'_>]) -> String {
    let bars: Vec<Vec<Point>> = policies
        .iter()
        .map(|policy| {
            REASONS
                .iter()
                .map(|(key, _)| {
                    policy
                        .summary
                        .metric(&format!("refunds.by_reason.{key}.value"))
                        .map(point)
                        .unwrap_or(Point {
                            mean: 0.0,
                            interval: None,
                        })
                })
                .collect()
        })
        .collect();
    let (low, high) = bars
        .iter()
        .flatten()
        .fold((0.0_f64, 0.0_f64), |(low, high), point| {
            (low.min(point.low()), high.max(point.high()))
        });
    let y_ticks = ticks(low, high);
    let frame = Frame::new(720.0, 300.0, 70.0, &y_ticks);
    let mut svg = String::new();
    frame.open(
        &mut svg,
        "refunds-by-reason",
        "Refunded value by claim reason",
    );
    frame.y_axis(&mut svg, &y_ticks, Axis::Plain);
    frame.y_title(
        &mut svg,
        &money_title("refunded value", policies[0].summary.currency.as_deref()),
    );
    let group_width = (frame.right - frame.left) / REASONS.len() as f64;
    let bar_width = group_width * 0.7 / policies.len() as f64;
    for (reason_index, (_, label)) in REASONS.iter().enumerate() {
        let group_left = frame.left + reason_index as f64 * group_width + group_width * 0.15;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{label}</text>",
            group_left + group_width * 0.35,
            frame.bottom + 18.0
        );
        for (policy_index, policy) in policies.iter().enumerate() {
            let bar = bars[policy_index][reason_index];
            let x = group_left + policy_index as f64 * bar_width;
            let top = frame.y(bar.mean.max(0.0));
            let base = frame.y(0.0);
            let _ = writeln!(
                svg,
                "<rect class=\"mark\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.8\"><title>{}, {label}: {}</title></rect>",
                top.min(base),
                bar_width - 2.0,
                (base - top).abs().max(0.5),
                policy.color,
                escape(&policy.label),
                tick_label(bar.mean, Axis::Plain)
            );
            if let Some((low, high)) = bar.interval {
                let middle = x + (bar_width - 2.0) / 2.0;
                let _ = writeln!(
                    svg,
                    "<path d=\"M{middle:.1} {:.1}V{:.1}M{:.1} {:.1}h8M{:.1} {:.1}h8\" stroke=\"#222\" fill=\"none\"/>",
                    frame.y(low),
                    frame.y(high),
                    middle - 4.0,
                    frame.y(low),
                    middle - 4.0,
                    frame.y(high)
                );
            }
        }
    }
    let entries: Vec<(String, &str, bool)> = policies
        .iter()
        .map(|policy| (policy.label.clone(), policy.color, false))
        .collect();
    legend(&mut svg, &frame, &entries);
    svg.push_str("</svg>\n");
    svg
}

/// A histogram of platform loss per replication, one overlaid colour per
/// policy, with each policy's mean, p95 and p99 marked.
fn loss_chart(policies: &[Policy<'_>]) -> String {
    let samples: Vec<Vec<f64>> = policies
        .iter()
        .map(|policy| {
            policy
                .replications
                .metric_index("risk.platform_loss")
                .map(|index| {
                    policy
                        .replications
                        .metric_values(index)
                        .iter()
                        .map(|value| value.to_f64().unwrap_or(0.0))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    let all = samples.iter().flatten().copied();
    let (minimum, maximum) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    let (minimum, maximum) = if minimum.is_finite() {
        (minimum, maximum)
    } else {
        (0.0, 0.0)
    };
    let currency = policies[0].summary.currency.as_deref();
    if minimum == maximum {
        return constant_loss_chart(policies, &samples, minimum, currency);
    }
    let count = samples.iter().map(Vec::len).max().unwrap_or(0);
    // Bins span round axis values around the losses seen.
    let x_ticks = ticks(minimum, maximum);
    let (bin_low, bin_high) = (x_ticks[0], x_ticks[x_ticks.len() - 1]);
    let bins = ((count as f64).sqrt().ceil() as usize).clamp(5, 30);
    let bin_width = (bin_high - bin_low) / bins as f64;
    let bin_of = |value: f64| (((value - bin_low) / bin_width) as usize).min(bins - 1);
    let counts: Vec<Vec<u64>> = samples
        .iter()
        .map(|values| {
            let mut counts = vec![0u64; bins];
            for value in values {
                counts[bin_of(*value)] += 1;
            }
            counts
        })
        .collect();
    let highest = counts.iter().flatten().copied().max().unwrap_or(1).max(1);
    let y_ticks = ticks(0.0, highest as f64);
    let frame = Frame::new(720.0, 300.0, 70.0, &y_ticks);
    let x = |value: f64| {
        frame.left + (value - bin_low) / (bin_width * bins as f64) * (frame.right - frame.left)
    };
    let mut svg = String::new();
    frame.open(
        &mut svg,
        "platform-loss-distribution",
        "Distribution of platform loss across replications",
    );
    frame.y_axis(&mut svg, &y_ticks, Axis::Plain);
    frame.x_tick_labels(&mut svg, &x_ticks, x);
    frame.x_title(
        &mut svg,
        &money_title("platform loss per replication", currency),
    );
    frame.y_title(&mut svg, "replications");
    for (policy_index, (policy, counts)) in policies.iter().zip(&counts).enumerate() {
        for (bin, bin_count) in counts.iter().enumerate() {
            if *bin_count == 0 {
                continue;
            }
            let left = x(bin_low + bin as f64 * bin_width);
            let right = x(bin_low + (bin + 1) as f64 * bin_width);
            let top = frame.y(*bin_count as f64);
            let _ = writeln!(
                svg,
                "<rect class=\"mark\" x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.45\" stroke=\"{}\"><title>{}: {bin_count}</title></rect>",
                (right - left - 1.0).max(1.0),
                frame.bottom - top,
                policy.color,
                policy.color,
                escape(&policy.label)
            );
        }
        if let Some(loss) = policy.summary.metric("risk.platform_loss") {
            let markers = [
                ("mean", Some(loss.mean), "6 0"),
                ("p95", loss.p95, "6 3"),
                ("p99", loss.p99, "2 2"),
            ];
            for (row, (label, value, dash)) in markers.into_iter().enumerate() {
                let Some(value) = value else { continue };
                // Each label has its own row, so close values never overprint.
                let row = policy_index * markers.len() + row;
                let position = x(number(&value));
                let _ = writeln!(
                    svg,
                    "<line x1=\"{position:.1}\" y1=\"{:.1}\" x2=\"{position:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"1.5\" stroke-dasharray=\"{dash}\"><title>{}: {label} {}</title></line><text x=\"{:.1}\" y=\"{:.1}\" fill=\"{}\">{label}</text>",
                    frame.top,
                    frame.bottom,
                    policy.color,
                    escape(&policy.label),
                    value.text(),
                    position + 3.0,
                    frame.top + 12.0 + LABEL_ROW * row as f64,
                    policy.color
                );
            }
        }
    }
    let entries: Vec<(String, &str, bool)> = policies
        .iter()
        .map(|policy| (policy.label.clone(), policy.color, false))
        .collect();
    legend(&mut svg, &frame, &entries);
    svg.push_str("</svg>\n");
    svg
}

/// Vertical distance between stacked labels: more than a 12-pixel line of
/// text is tall.
const LABEL_ROW: f64 = 16.0;

/// The loss chart when every replication lost the same (most often 0: no
/// advance written off): no histogram, whose axis would be invented, but
/// one bar per policy at that value and the plain statement.
fn constant_loss_chart(
    policies: &[Policy<'_>],
    samples: &[Vec<f64>],
    value: f64,
    currency: Option<&str>,
) -> String {
    let highest = samples.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let y_ticks = ticks(0.0, highest as f64);
    let frame = Frame::new(720.0, 300.0, 70.0, &y_ticks);
    let mut svg = String::new();
    frame.open(
        &mut svg,
        "platform-loss-distribution",
        "Distribution of platform loss across replications: every value the same",
    );
    frame.y_axis(&mut svg, &y_ticks, Axis::Plain);
    frame.y_title(&mut svg, "replications");
    let shown = tick_label(value, Axis::Plain);
    let middle = (frame.left + frame.right) / 2.0;
    let bar_width = 40.0;
    let group_left = middle - bar_width * policies.len() as f64 / 2.0;
    for (policy_index, (policy, values)) in policies.iter().zip(samples).enumerate() {
        let left = group_left + bar_width * policy_index as f64;
        let top = frame.y(values.len() as f64);
        let _ = writeln!(
            svg,
            "<rect class=\"mark\" x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.45\" stroke=\"{}\"><title>{}: all {} at {shown}</title></rect>",
            bar_width - 2.0,
            frame.bottom - top,
            policy.color,
            policy.color,
            escape(&policy.label),
            counted(values.len(), "value")
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{shown}</text>",
        frame.bottom + 18.0
    );
    let statement = policies
        .iter()
        .zip(samples)
        .map(|(policy, values)| {
            let all = if values.len() == 1 {
                format!("the one value is {shown}")
            } else {
                format!("all {} values are {shown}", values.len())
            };
            if policies.len() == 1 {
                all
            } else {
                format!("{}: {all}", policy.label)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        svg,
        "<text class=\"statement\" x=\"{middle:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        frame.top + 12.0,
        escape(&statement)
    );
    frame.x_title(
        &mut svg,
        &money_title("platform loss per replication", currency),
    );
    let entries: Vec<(String, &str, bool)> = policies
        .iter()
        .map(|policy| (policy.label.clone(), policy.color, false))
        .collect();
    legend(&mut svg, &frame, &entries);
    svg.push_str("</svg>\n");
    svg
}

/// One row of a forest plot: a metric's mean paired difference and its 95%
/// interval, in the plot's scale.
struct ForestRow {
    /// The metric's path, named in the tooltip.
    path: String,
    /// What the row is labelled with on the chart.
    label: String,
    mean: f64,
    low: f64,
    high: f64,
    significant: bool,
    /// The row's figures as printed in its tooltip (and, on the absolute
    /// panel, beside the row): mean [low, high].
    figures: String,
}

/// The metrics whose differences the comparison plots: the key ones, then
/// every other whole-run metric whose difference is significant, so no
/// significant effect is left off the charts.
fn plotted_differences(comparison: &Comparison) -> Vec<(&str, &Difference)> {
    let mut plotted: Vec<(&str, &Difference)> = KEY_DIFFERENCES
        .iter()
        .filter_map(|path| Some((*path, comparison.difference(path)?)))
        .collect();
    plotted.extend(
        comparison
            .differences
            .iter()
            .filter(|(metric, difference)| {
                difference.significant && !KEY_DIFFERENCES.contains(&metric.path.as_str())
            })
            .map(|(metric, difference)| (metric.path.as_str(), difference)),
    );
    plotted
}

/// The interval of a difference, or the mean twice with a single replication.
fn interval(difference: &Difference) -> (f64, f64) {
    difference
        .ci95
        .as_ref()
        .map(|(low, high)| (number(low), number(high)))
        .unwrap_or((number(&difference.diff_mean), number(&difference.diff_mean)))
}

/// The two forest plots of a comparison: differences relative to A's mean
/// where A's mean is not zero, on one percent axis; and, where it is zero
/// (a relative difference is undefined there), absolute differences, each
/// row on its own scale with its figures printed, since the metrics'
/// units differ. The second chart is drawn only when some metric needs it.
fn differences_charts(comparison: &Comparison) -> (String, Option<String>) {
    let mut relative = Vec::new();
    let mut absolute = Vec::new();
    for (path, difference) in plotted_differences(comparison) {
        let (low, high) = interval(difference);
        let mean = number(&difference.diff_mean);
        let base = number(&difference.a_mean).abs();
        let printed = |low: String, high: String, mean: String| format!("{mean} [{low}, {high}]");
        if base == 0.0 {
            let extent = low.abs().max(high.abs()).max(mean.abs());
            let scale = if extent == 0.0 { 1.0 } else { extent };
            let figures = printed(
                difference
                    .ci95
                    .as_ref()
                    .map_or_else(|| difference.diff_mean.text(), |(low, _)| low.text()),
                difference
                    .ci95
                    .as_ref()
                    .map_or_else(|| difference.diff_mean.text(), |(_, high)| high.text()),
                difference.diff_mean.text(),
            );
            absolute.push(ForestRow {
                path: path.to_string(),
                label: format!("{path} (A: 0)"),
                mean: mean / scale,
                low: low / scale,
                high: high / scale,
                significant: difference.significant,
                figures,
            });
        } else {
            let label = signed_percent(mean / base);
            relative.push(ForestRow {
                path: path.to_string(),
                label: format!("{path} {label}"),
                mean: mean / base,
                low: low / base,
                high: high / base,
                significant: difference.significant,
                figures: printed(
                    tick_label(low / base, Axis::Percent),
                    tick_label(high / base, Axis::Percent),
                    tick_label(mean / base, Axis::Percent),
                ),
            });
        }
    }
    let relative_chart = forest(
        &relative,
        "differences",
        "Relative differences B - A with 95% intervals",
        Some("(B - A) / A, mean over paired replications"),
        "no plotted metric has a non-zero mean under A",
    );
    let absolute_chart = (!absolute.is_empty()).then(|| {
        forest(
            &absolute,
            "absolute-differences",
            "Absolute differences B - A where A's mean is zero, with 95% intervals",
            None,
            "",
        )
    });
    (relative_chart, absolute_chart)
}

/// A forest plot of `rows`. With an `axis_title`, every row shares one
/// percent axis; without, each row was scaled to its own extent (-1..1) and
/// its figures are printed on the right instead of an axis.
fn forest(
    rows: &[ForestRow],
    name: &str,
    description: &str,
    axis_title: Option<&str>,
    empty: &str,
) -> String {
    let shared_axis = axis_title.is_some();
    let extent = if shared_axis {
        rows.iter()
            .flat_map(|row| [row.low.abs(), row.high.abs()])
            .fold(0.0_f64, f64::max)
    } else {
        1.0
    };
    let x_ticks = if shared_axis {
        ticks(-extent, extent)
    } else {
        vec![-1.0, 0.0, 1.0]
    };
    let row_height = 24.0;
    let height = 70.0 + row_height * rows.len().max(1) as f64;
    let left = 270.0;
    let right = if shared_axis { 700.0 } else { 520.0 };
    let (x_min, x_max) = (x_ticks[0], x_ticks[x_ticks.len() - 1]);
    let x = |value: f64| left + (value - x_min) / (x_max - x_min) * (right - left);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg class=\"chart\" data-chart=\"{name}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 720 {height}\" width=\"720\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        escape(description)
    );
    let bottom = 20.0 + row_height * rows.len().max(1) as f64;
    for tick in &x_ticks {
        let label = if shared_axis {
            tick_label(*tick, Axis::Percent)
        } else {
            String::new()
        };
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"15\" x2=\"{0:.1}\" y2=\"{bottom:.1}\" stroke=\"{1}\"/><text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{3}</text>",
            x(*tick),
            if *tick == 0.0 { "#333" } else { "#e5e5e5" },
            bottom + 16.0,
            label
        );
    }
    let title =
        axis_title.unwrap_or("B - A in each metric's own unit and scale; 0 at the dark line");
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        (left + right) / 2.0,
        bottom + 34.0,
        escape(title)
    );
    if rows.is_empty() {
        let _ = writeln!(
            svg,
            "<text class=\"mark\" x=\"{left}\" y=\"34\">{}</text>",
            escape(empty)
        );
    }
    for (index, row) in rows.iter().enumerate() {
        let y = 30.0 + row_height * index as f64;
        let color = if row.significant {
            COLOR_B
        } else {
            COLOR_MUTED
        };
        let fill = if row.significant { color } else { "#ffffff" };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><line class=\"mark\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"2\"/><circle class=\"mark\" cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{fill}\" stroke=\"{color}\" stroke-width=\"2\"><title>{}: {}{}</title></circle>",
            left - 10.0,
            y + 4.0,
            escape(&row.label),
            x(row.low),
            x(row.high).max(x(row.low) + 1.0),
            x(row.mean),
            escape(&row.path),
            escape(&row.figures),
            if row.significant { ", significant" } else { "" }
        );
        if !shared_axis {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                right + 12.0,
                y + 4.0,
                escape(&row.figures)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// A relative difference with its sign, e.g. `+1.2%`.
fn signed_percent(value: f64) -> String {
    let label = tick_label(value, Axis::Percent);
    if value > 0.0 {
        format!("+{label}")
    } else {
        label
    }
}

fn text(figure: Option<&Figure>) -> String {
    match figure {
        Some(figure) if figure.kind == MetricKind::Money => figure.text(),
        Some(figure) => figure.value.normalize().to_string(),
        None => "-".to_string(),
    }
}

fn summary_table(summary: &ReplicationSummary) -> String {
    let mut table = String::from(
        "<table>\n<tr><th>metric</th><th>mean</th><th>sd</th><th>95% CI low</th><th>95% CI high</th><th>p95</th><th>p99</th></tr>\n",
    );
    for (metric, statistics) in &summary.metrics {
        let _ = writeln!(
            table,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&metric.path),
            text(Some(&statistics.mean)),
            text(statistics.sd.as_ref()),
            text(statistics.ci95.as_ref().map(|(low, _)| low)),
            text(statistics.ci95.as_ref().map(|(_, high)| high)),
            text(statistics.p95.as_ref()),
            text(statistics.p99.as_ref()),
        );
    }
    table.push_str("</table>\n");
    table
}

fn differences_table(comparison: &Comparison) -> String {
    let mut table = String::from(
        "<p class=\"note\">Bold rows are significant: the 95% interval of B - A excludes zero.</p>\n<table>\n<tr><th>metric</th><th>A mean</th><th>B mean</th><th>B - A</th><th>95% CI low</th><th>95% CI high</th><th>significant</th></tr>\n",
    );
    for (metric, difference) in &comparison.differences {
        let _ = writeln!(
            table,
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if difference.significant {
                " class=\"significant\""
            } else {
                ""
            },
            escape(&metric.path),
            text(Some(&difference.a_mean)),
            text(Some(&difference.b_mean)),
            text(Some(&difference.diff_mean)),
            text(difference.ci95.as_ref().map(|(low, _)| low)),
            text(difference.ci95.as_ref().map(|(_, high)| high)),
            if difference.significant { "yes" } else { "no" },
        );
    }
    table.push_str("</table>\n");
    table
}

/// Line colours for sweep charts, one per combination of the other grid dimensions.
const SWEEP_PALETTE: [&str; 8] = [
    COLOR_A,
    COLOR_B,
    COLOR_SECOND,
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    COLOR_MUTED,
];

/// Readable titles of the sweep's key metrics; any other metric is titled
/// by its path.
fn readable(metric: &str) -> &str {
    match metric {
        "refunds.rate" => "Refund rate (refunded orders / resolved covered orders)",
        "refunds.value_rate" => "Refunded value rate (of resolved covered value)",
        "risk.platform_loss" => "Platform loss (advances written off)",
        "risk.loss_bps" => "Platform loss, basis points of covered GMV",
        "risk.exposure_peak" => "Peak exposure (deposits released before acceptance)",
        "risk.buyer_uncovered_loss" => "Buyers' uncovered loss",
        "orders.covered" => "Covered orders",
        "claims.filed" => "Claims filed",
        "suppliers.approved" => "Approved suppliers at the end",
        "vetting.suspended" => "Suppliers suspended by vetting",
        other => other,
    }
}

/// The y axis of a sweep chart: a share for rates, money named as money
/// (a sweep's merged results do not carry the currency), else a count.
fn sweep_axis(metric: &str) -> (Axis, String) {
    if metric.ends_with("rate") {
        (Axis::Percent, "share".to_string())
    } else if metric.ends_with("bps") {
        (Axis::Plain, "basis points".to_string())
    } else if metric.starts_with("risk.") {
        (Axis::Plain, money_title("money", None))
    } else {
        (Axis::Plain, "count".to_string())
    }
}

/// Lines drawn exactly on an earlier one (same means and intervals at
/// every x) would hide it: each such line is dashed and its points drawn
/// as hollow rings, and a note per line says which it coincides with.
fn mark_coinciding(lines: &mut [Line]) -> Vec<String> {
    let same = |a: &[Option<Point>], b: &[Option<Point>]| {
        a.len() == b.len()
            && a.iter().zip(b).all(|(a, b)| match (a, b) {
                (Some(a), Some(b)) => a.mean == b.mean && a.interval == b.interval,
                (None, None) => true,
                _ => false,
            })
    };
    let mut notes = Vec::new();
    for later in 1..lines.len() {
        if let Some(earlier) =
            (0..later).find(|&earlier| same(&lines[earlier].points, &lines[later].points))
        {
            lines[later].dashed = true;
            lines[later].coincides = true;
            notes.push(format!(
                "{} coincides with {} (dashed, hollow points)",
                lines[later].label, lines[earlier].label
            ));
        }
    }
    notes
}

/// Writes the x axis's title and the notes of coinciding lines into a line
/// chart, growing it to make room for the notes.
fn add_x_title_and_notes(chart: &mut String, x_title: &str, notes: &[String]) {
    let frame_bottom = 300.0 - 45.0;
    let mut extra = format!(
        "<text class=\"axis-title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
        (70.0 + 700.0) / 2.0,
        frame_bottom + 36.0,
        escape(x_title)
    );
    // The notes go below the axis title, a label row apart each.
    let title_baseline = frame_bottom + 36.0;
    for (index, note) in notes.iter().enumerate() {
        let _ = writeln!(
            extra,
            "<text class=\"note\" x=\"70\" y=\"{:.1}\">{}</text>",
            title_baseline + LABEL_ROW * (index + 1) as f64,
            escape(note)
        );
    }
    let height = title_baseline + LABEL_ROW * notes.len() as f64 + 8.0;
    let end = chart.rfind("</svg>").expect("a chart ends its svg");
    chart.insert_str(end, &extra);
    if !notes.is_empty() {
        *chart = chart.replacen(
            "viewBox=\"0 0 720 300\" width=\"720\" height=\"300\"",
            &format!("viewBox=\"0 0 720 {height}\" width=\"720\" height=\"{height}\""),
            1,
        );
    }
}

/// The HTML report of a sweep: for each key metric, its mean and 95% band
/// against the values of the grid's first dimension, one line per
/// combination of the other dimensions.
pub fn render_sweep_html(result: &escrowsim_analysis::sweep::SweepResult) -> String {
    let manifest = &result.manifest;
    let title = format!(
        "escrowsim sweep: {} over {}",
        manifest.name, manifest.scenario_name
    );
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        body,
        "<p class=\"lead\">{} points x {} replications (seeds from {}), escrowsim {}. Each chart shows a metric's mean across replications with its 95% interval as a band, against {}.</p>",
        manifest.points.len(),
        manifest.replications,
        manifest.base_seed,
        escape(&manifest.version),
        escape(
            manifest
                .paths
                .first()
                .map(String::as_str)
                .unwrap_or("the base scenario")
        )
    );
    // The first dimension's values, in grid order, are the x axis; points
    // sharing the other dimensions' values form one line.
    let x_values: Vec<String> = match manifest.paths.first() {
        Some(_) => {
            let mut values: Vec<String> = Vec::new();
            for point in &result.points {
                let value = &point.parameters[0].1;
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
            values
        }
        None => vec!["base".to_string()],
    };
    let mut series: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, point) in result.points.iter().enumerate() {
        let others: Vec<String> = point
            .parameters
            .iter()
            .skip(1)
            .map(|(path, value)| format!("{path} = {value}"))
            .collect();
        let label = if others.is_empty() {
            manifest.name.clone()
        } else {
            others.join(", ")
        };
        match series.iter_mut().find(|(existing, _)| *existing == label) {
            Some((_, indices)) => indices.push(index),
            None => series.push((label, vec![index])),
        }
    }
    let x_title = manifest
        .paths
        .first()
        .map(String::as_str)
        .unwrap_or("the base scenario");
    for metric in escrowsim_analysis::sweep::result::KEY_METRICS {
        let mut lines: Vec<Line> = series
            .iter()
            .enumerate()
            .map(|(line_index, (label, indices))| Line {
                label: label.clone(),
                color: SWEEP_PALETTE[line_index % SWEEP_PALETTE.len()],
                dashed: line_index >= SWEEP_PALETTE.len(),
                coincides: false,
                points: x_values
                    .iter()
                    .map(|x_value| {
                        indices
                            .iter()
                            .map(|&index| &result.points[index])
                            .find(|point| {
                                point
                                    .parameters
                                    .first()
                                    .is_none_or(|(_, value)| value == x_value)
                            })
                            .and_then(|point| point.summary().metric(metric))
                            .map(point)
                    })
                    .collect(),
            })
            .collect();
        let notes = mark_coinciding(&mut lines);
        let (axis, y_title) = sweep_axis(metric);
        let mut chart = line_chart(
            &format!("sweep-{metric}"),
            &format!("{} ({metric}) against {x_title}", readable(metric)),
            &x_values,
            &lines,
            axis,
            &y_title,
        );
        add_x_title_and_notes(&mut chart, x_title, &notes);
        let heading = readable(metric);
        let _ = writeln!(
            body,
            "<h2>{} <small class=\"path\">{}</small></h2>",
            escape(heading),
            escape(metric)
        );
        body.push_str(&chart);
    }
    page(&title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let wide = ticks(0.0, 1234.0);
        assert_eq!(wide.first(), Some(&0.0));
        assert!(*wide.last().unwrap() >= 1234.0);
        let labels: Vec<String> = ticks(0.0, 0.0)
            .into_iter()
            .map(|tick| tick_label(tick, Axis::Plain))
            .collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1"]);
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(tick_label(1_500_000.0, Axis::Plain), "1.5M");
        assert_eq!(tick_label(25_000.0, Axis::Plain), "25k");
        assert_eq!(tick_label(0.125, Axis::Percent), "12.5%");
        assert_eq!(tick_label(-0.0, Axis::Plain), "0");
    }

    fn line(label: &str, means: &[f64]) -> Line {
        Line {
            label: label.to_string(),
            color: COLOR_A,
            dashed: false,
            coincides: false,
            points: means
                .iter()
                .map(|mean| {
                    Some(Point {
                        mean: *mean,
                        interval: Some((mean - 1.0, mean + 1.0)),
                    })
                })
                .collect(),
        }
    }

    #[test]
    fn a_line_drawn_on_an_earlier_one_is_marked_and_named() {
        let mut lines = [
            line("A", &[1.0, 2.0]),
            line("B", &[1.0, 2.0]),
            line("C", &[1.0, 3.0]),
        ];
        let notes = mark_coinciding(&mut lines);
        assert_eq!(notes, ["B coincides with A (dashed, hollow points)"]);
        assert!(lines[1].dashed && lines[1].coincides);
        assert!(!lines[2].coincides);
        let chart = line_chart(
            "t",
            "t",
            &["x".into(), "y".into()],
            &lines,
            Axis::Plain,
            "count",
        );
        // B's two points are hollow rings, A's and C's filled dots.
        assert_eq!(chart.matches("r=\"5.5\" fill=\"none\"").count(), 2);
        assert_eq!(chart.matches("r=\"3\"").count(), 4);
    }

    #[test]
    fn money_axes_name_the_currency_and_sweep_metrics_read_as_words() {
        assert_eq!(money_title("money", Some("EUR")), "money, EUR");
        assert_eq!(
            money_title("money", None),
            "money, in the scenario's currency"
        );
        for metric in escrowsim_analysis::sweep::result::KEY_METRICS {
            assert_ne!(readable(metric), *metric, "{metric} has no readable title");
        }
        let mut chart = line_chart(
            "t",
            "t",
            &["14".into()],
            &[line("A", &[1.0])],
            Axis::Plain,
            "count",
        );
        add_x_title_and_notes(
            &mut chart,
            "rules.claim_window_days",
            &["B coincides with A".into()],
        );
        // The title's baseline 36 below the frame (255 + 36 = 291), the
        // note one label row (16) below it, and the chart 8 below that.
        assert!(
            chart.contains("y=\"291.0\" text-anchor=\"middle\">rules.claim_window_days</text>")
        );
        assert!(
            chart.contains("<text class=\"note\" x=\"70\" y=\"307.0\">B coincides with A</text>")
        );
        assert!(chart.contains("height=\"315\""));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
