//! The page of an optimisation: the chosen rule set and its guarantee,
//! then one frontier chart per constraint (the objective against the
//! constrained metric, every candidate with its intervals both ways, the
//! frontier joined, the chosen rule set marked and the constraint's bound
//! drawn), then every candidate in a table.
//!
//! Candidates carry no text label on the chart, where labels of nearby
//! points would overprint one another; each point's tooltip names it, and
//! the table below lists them all with the same numbers.

use super::{Axis, COLOR_A, COLOR_B, COLOR_MUTED, Frame, escape, legend, page, section, ticks};
use crate::optimize::{describe_rules, render_optimization_text};
use crate::study::significant;
use escrowsim_analysis::optimize::{Interval, OptimizationResult};
use std::fmt::Write;

const FRONTIER_NOTE: &str = "Each point is a candidate rule set: its mean over racing's replications, with whiskers for the Student-t intervals of both metrics. The line joins the frontier: the candidates no other beats on both metrics at once by point estimate. The dashed line is the constraint's bound; the ring marks the chosen rule set. Hover over a point for its rules.";

/// The page of an optimisation.
pub fn render_optimization_html(result: &OptimizationResult) -> String {
    let title = format!("escrowsim optimisation: {}", result.optimization_name);
    let mut body = format!("<h1>{}</h1>\n", escape(&title));
    let _ = writeln!(
        body,
        "<pre class=\"summary\">{}</pre>",
        escape(&render_optimization_text(result))
    );
    for (index, frontier) in result.frontiers.iter().enumerate() {
        let chart = frontier_chart(result, index);
        section(
            &mut body,
            &format!(
                "{} against {}",
                result.optimization.objective, frontier.metric
            ),
            FRONTIER_NOTE,
            &chart,
        );
    }
    page(&title, &body)
}

fn frontier_chart(result: &OptimizationResult, index: usize) -> String {
    let frontier = &result.frontiers[index];
    let constraint = &result.optimization.constraints[index];
    let points: Vec<(Interval, Interval)> = result
        .candidates
        .iter()
        .map(|candidate| (candidate.estimates[index + 1], candidate.estimates[0]))
        .collect();
    let (mut x_low, mut x_high) = (constraint.bound, constraint.bound);
    let (mut y_low, mut y_high) = (f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in &points {
        x_low = x_low.min(x.low);
        x_high = x_high.max(x.high);
        y_low = y_low.min(y.low);
        y_high = y_high.max(y.high);
    }
    let y_ticks = ticks(y_low, y_high);
    let x_ticks = ticks(x_low, x_high);
    let frame = Frame::new(720.0, 380.0, 80.0, &y_ticks);
    let (x_min, x_max) = (x_ticks[0], x_ticks[x_ticks.len() - 1]);
    let x = |value: f64| {
        if x_max > x_min {
            frame.left + (value - x_min) / (x_max - x_min) * (frame.right - frame.left)
        } else {
            (frame.left + frame.right) / 2.0
        }
    };
    let mut svg = String::new();
    frame.open(
        &mut svg,
        &format!("frontier-{}", frontier.metric),
        &format!(
            "{} against {} for {} candidates",
            result.optimization.objective,
            frontier.metric,
            points.len()
        ),
    );
    legend(
        &mut svg,
        &frame,
        &[
            ("frontier".to_string(), COLOR_A, false),
            ("candidate".to_string(), COLOR_MUTED, false),
            (format!("bound {}", constraint.describe()), COLOR_B, true),
        ],
    );
    frame.y_axis(&mut svg, &y_ticks, Axis::Plain);
    frame.x_tick_labels(&mut svg, &x_ticks, x);
    let bound = x(constraint.bound);
    let _ = writeln!(
        svg,
        "<line class=\"mark bound\" x1=\"{bound:.1}\" y1=\"{:.1}\" x2=\"{bound:.1}\" y2=\"{:.1}\" stroke=\"{COLOR_B}\" stroke-dasharray=\"6 3\"/>",
        frame.top, frame.bottom
    );
    // The frontier, in the order of its first criterion.
    let mut members = frontier.frontier.members.clone();
    members.sort_by(|a, b| points[*a].0.value.total_cmp(&points[*b].0.value));
    let path: Vec<String> = members
        .iter()
        .map(|&member| {
            format!(
                "{:.1},{:.1}",
                x(points[member].0.value),
                frame.y(points[member].1.value)
            )
        })
        .collect();
    if path.len() > 1 {
        let _ = writeln!(
            svg,
            "<polyline class=\"mark frontier\" points=\"{}\" fill=\"none\" stroke=\"{COLOR_A}\" stroke-width=\"1.5\"/>",
            path.join(" ")
        );
    }
    for (candidate, (px, py)) in points.iter().enumerate() {
        let on = frontier.frontier.members.contains(&candidate);
        let color = if on { COLOR_A } else { COLOR_MUTED };
        let (cx, cy) = (x(px.value), frame.y(py.value));
        let rules = describe_rules(&result.candidates[candidate].rules);
        let _ = writeln!(
            svg,
            "<g class=\"mark candidate\" data-candidate=\"{candidate}\"><title>candidate {candidate}: {} | {} {} [{}, {}] | {} {} [{}, {}]</title>\
<line x1=\"{:.1}\" y1=\"{cy:.1}\" x2=\"{:.1}\" y2=\"{cy:.1}\" stroke=\"{color}\"/>\
<line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{:.1}\" stroke=\"{color}\"/>\
<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"4\" fill=\"{color}\"/></g>",
            escape(&rules),
            escape(&result.optimization.objective),
            significant(Some(py.value), 4),
            significant(Some(py.low), 4),
            significant(Some(py.high), 4),
            escape(&frontier.metric),
            significant(Some(px.value), 4),
            significant(Some(px.low), 4),
            significant(Some(px.high), 4),
            x(px.low),
            x(px.high),
            frame.y(py.low),
            frame.y(py.high),
        );
    }
    if let Some(chosen) = result.chosen {
        let _ = writeln!(
            svg,
            "<circle class=\"mark chosen\" data-candidate=\"{chosen}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"9\" fill=\"none\" stroke=\"{COLOR_B}\" stroke-width=\"2\"/>",
            x(points[chosen].0.value),
            frame.y(points[chosen].1.value)
        );
    }
    frame.y_title(&mut svg, &result.optimization.objective);
    frame.x_title(&mut svg, &frontier.metric);
    svg.push_str("</svg>\n");
    svg
}
