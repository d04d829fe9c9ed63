//! An optimisation's result for people (text) and for tools (tidy CSV).
//! The HTML page, with the frontier charts, is in [`crate::html`].
//!
//! Estimates print with four significant digits; each is a mean over the
//! candidate's racing replications with its two-sided Student-t interval
//! at the optimisation's confidence.

use crate::csv::csv_lines;
use crate::study::{significant, table};
use escrowsim_analysis::optimize::{
    Direction, Interval, OptimizationResult, Phase, Relation, Selection, Stage, Verdict,
};
use std::fmt::Write;

fn figure(value: f64) -> String {
    significant(Some(value), 4)
}

fn interval(estimate: &Interval) -> String {
    format!("{} to {}", figure(estimate.low), figure(estimate.high))
}

/// `95%`, `99.5%`.
fn percent(share: f64) -> String {
    let text = format!("{:.2}", share * 100.0);
    format!("{}%", text.trim_end_matches('0').trim_end_matches('.'))
}

/// `rules.deposit_share_bps = 2000, rules.claim_window_days = 30`.
pub fn describe_rules(rules: &[(String, String)]) -> String {
    rules
        .iter()
        .map(|(path, value)| format!("{path} = {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the next stage runs, in one line.
pub fn describe_stage(stage: &Stage) -> String {
    let phase = match stage.phase {
        Phase::Racing => "racing",
        Phase::Selection => "selection",
        Phase::Confirmation => "confirmation",
    };
    let candidates: Vec<String> = stage.candidates.iter().map(usize::to_string).collect();
    format!(
        "stage {} ({phase}): replications {}..{} of candidate{} {}, {} units",
        stage.number,
        stage.start,
        stage.end,
        if stage.candidates.len() == 1 { "" } else { "s" },
        candidates.join(", "),
        stage.units.len()
    )
}

/// The summary: the choice and its guarantee, then every candidate.
pub fn render_optimization_text(result: &OptimizationResult) -> String {
    let optimization = &result.optimization;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "escrowsim {} | optimisation {:?} over scenario {:?} | digest {}",
        result.version, result.optimization_name, result.scenario, result.digest
    );
    let goal = match optimization.direction {
        Direction::Maximise => "maximise",
        Direction::Minimise => "minimise",
    };
    let _ = writeln!(
        text,
        "{goal} {} subject to {}, at {} confidence; indifference zone {} | {} candidates, {} runs in {} stages, {}",
        optimization.objective,
        if optimization.constraints.is_empty() {
            "no constraint".to_string()
        } else {
            optimization
                .constraints
                .iter()
                .map(|constraint| constraint.describe())
                .collect::<Vec<_>>()
                .join(" and ")
        },
        percent(optimization.confidence),
        optimization.indifference,
        result.candidates.len(),
        result.runs,
        result.stages,
        if optimization.common_random_numbers {
            "common random numbers"
        } else {
            "independent streams per candidate"
        }
    );
    text.push('\n');
    match result.chosen {
        Some(chosen) => {
            let candidate = &result.candidates[chosen];
            let _ = writeln!(
                text,
                "Chosen: candidate {chosen}: {}",
                describe_rules(&candidate.rules)
            );
            if let Some(confirmation) = &result.procedure.confirmation {
                let mut rows = vec![vec![
                    "metric".to_string(),
                    "mean".to_string(),
                    "interval".to_string(),
                    "constraint".to_string(),
                    "verdict".to_string(),
                ]];
                rows.push(vec![
                    optimization.objective.clone(),
                    figure(confirmation.objective.value),
                    interval(&confirmation.objective),
                    goal.to_string(),
                    String::new(),
                ]);
                for (constraint, check) in optimization
                    .constraints
                    .iter()
                    .zip(&confirmation.feasibility.constraints)
                {
                    let (bound, side) = match constraint.relation {
                        Relation::AtMost => (check.upper, "upper bound"),
                        Relation::AtLeast => (check.lower, "lower bound"),
                    };
                    rows.push(vec![
                        constraint.metric.clone(),
                        figure(check.mean),
                        format!("{side} {}", figure(bound)),
                        constraint.describe(),
                        verdict(check.verdict).to_string(),
                    ]);
                }
                let _ = writeln!(
                    text,
                    "  on {} fresh replications (objective: two-sided Student-t interval; constraints: one-sided bounds, Bonferroni over the constraints):",
                    confirmation.replications
                );
                table(&mut text, "    ", &rows);
            }
        }
        None => {
            let _ = writeln!(text, "Chosen: none");
        }
    }
    let _ = writeln!(text, "  {}", result.guarantee);
    text.push('\n');
    let _ = writeln!(
        text,
        "Candidates (estimates over racing's replications, {} Student-t intervals)",
        percent(optimization.confidence)
    );
    for (index, decision) in result.decisions.iter().enumerate() {
        let _ = writeln!(text, "  d{}  {decision}", index + 1);
    }
    let mut header = vec!["#".to_string()];
    header.extend((1..=result.decisions.len()).map(|index| format!("d{index}")));
    header.push(optimization.objective.clone());
    for constraint in &optimization.constraints {
        header.push(constraint.metric.clone());
    }
    header.push("runs".to_string());
    header.push("frontier".to_string());
    header.push("status".to_string());
    let mut rows = vec![header];
    for candidate in &result.candidates {
        let mut row = vec![candidate.index.to_string()];
        row.extend(candidate.rules.iter().map(|(_, value)| value.clone()));
        for estimate in &candidate.estimates {
            row.push(format!(
                "{} ({})",
                figure(estimate.value),
                interval(estimate)
            ));
        }
        row.push(candidate.runs.to_string());
        let on: Vec<String> = result
            .frontiers
            .iter()
            .enumerate()
            .filter(|(_, frontier)| frontier.frontier.members.contains(&candidate.index))
            .map(|(index, _)| (index + 1).to_string())
            .collect();
        row.push(if on.is_empty() {
            "-".to_string()
        } else {
            on.join(",")
        });
        row.push(candidate.status.clone());
        rows.push(row);
    }
    table(&mut text, "  ", &rows);
    if !result.frontiers.is_empty() {
        text.push('\n');
        for (index, frontier) in result.frontiers.iter().enumerate() {
            let members: Vec<String> = frontier
                .frontier
                .members
                .iter()
                .map(usize::to_string)
                .collect();
            let _ = writeln!(
                text,
                "Frontier {}: {} against {} (non-dominated by point estimate): candidates {}",
                index + 1,
                optimization.objective,
                frontier.metric,
                members.join(", ")
            );
        }
    }
    if let Some(Selection::Kn(decision) | Selection::Truncated(decision)) =
        &result.procedure.selection
    {
        text.push('\n');
        let _ = writeln!(
            text,
            "Selection: Kim and Nelson's procedure among candidates {} on fresh replications; h^2 = {}, at most {} replications each; stopped after {}",
            result
                .procedure
                .contenders
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            figure(decision.h_squared),
            decision
                .replications_most
                .map_or_else(|| "?".to_string(), |most| most.to_string()),
            decision.replications_checked
        );
    }
    text
}

fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Feasible => "feasible",
        Verdict::Infeasible => "infeasible",
        Verdict::Undecided => "undecided",
    }
}

/// One row per candidate and metric: the decisions' values, the metric,
/// its estimate and interval, the runs, the frontiers it is on, its status.
pub fn render_optimization_csv(result: &OptimizationResult) -> String {
    csv_lines(optimization_rows(result))
}

/// The cells of [`render_optimization_csv`], its header first, unquoted:
/// what the Parquet table of an optimisation types column by column.
pub fn optimization_rows(result: &OptimizationResult) -> Vec<Vec<String>> {
    let optimization = &result.optimization;
    let mut header: Vec<String> = vec!["candidate".to_string()];
    header.extend(result.decisions.iter().cloned());
    header.extend(
        [
            "metric", "role", "mean", "low", "high", "runs", "frontier", "chosen", "status",
        ]
        .map(String::from),
    );
    let mut rows = vec![header];
    for candidate in &result.candidates {
        let metrics = std::iter::once((optimization.objective.clone(), "objective".to_string()))
            .chain(optimization.constraints.iter().map(|constraint| {
                (
                    constraint.metric.clone(),
                    format!("constraint {}", constraint.describe()),
                )
            }));
        for ((metric, role), estimate) in metrics.zip(&candidate.estimates) {
            let mut row = vec![candidate.index.to_string()];
            row.extend(candidate.rules.iter().map(|(_, value)| value.clone()));
            let on_frontier = result
                .frontiers
                .iter()
                .any(|frontier| frontier.frontier.members.contains(&candidate.index));
            row.extend([
                metric,
                role,
                format!("{}", estimate.value),
                format!("{}", estimate.low),
                format!("{}", estimate.high),
                candidate.runs.to_string(),
                on_frontier.to_string(),
                (result.chosen == Some(candidate.index)).to_string(),
                candidate.status.clone(),
            ]);
            rows.push(row);
        }
    }
    rows
}
