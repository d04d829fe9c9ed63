//! An optimisation's result from its unit files: the outputs each
//! candidate has, the procedure replayed over them, the frontiers and the
//! chosen rule set with the guarantee it carries.

use super::plan::Optimization;
use super::procedure::{Observations, Progress, Selection, progress};
use super::{Direction, Frontier, Interval, Relation, Verdict, pareto_frontier, t_interval};
use crate::sweep::{Manifest, MergeProblem, UnitResult};
use escrowsim_core::input::Located;
use escrowsim_core::report::VERSION;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// The outputs of an optimisation's unit files, checked against its
/// manifest: units of another sweep or version, or inconsistent with the
/// manifest, are refused; a metric a unit leaves undefined is refused,
/// naming the unit (the procedure needs a number from every run).
pub fn observations(
    manifest: &Manifest,
    optimization: &Optimization,
    units: &[(String, UnitResult)],
) -> Result<Observations, Vec<MergeProblem>> {
    let mut problems = Vec::new();
    if manifest.version != VERSION {
        problems.push(MergeProblem::Sweep(format!(
            "the optimisation was run by escrowsim {}, this is {VERSION}: results of different versions do not mix",
            manifest.version
        )));
    }
    let metrics = optimization.row_metrics();
    let replications = u64::from(manifest.replications);
    let mut observations = Observations::new(manifest.points.len());
    for (source, unit) in units {
        let located = |message: String| MergeProblem::Unit(Located::new(source.clone(), message));
        if unit.sweep_digest != manifest.digest || unit.version != manifest.version {
            problems.push(located(format!(
                "belongs to another optimisation or version (digest {}, escrowsim {}; expected {}, {})",
                unit.sweep_digest, unit.version, manifest.digest, manifest.version
            )));
            continue;
        }
        let consistent = unit.unit < manifest.unit_count()
            && unit.point as u64 == unit.unit / replications
            && u64::from(unit.replication.index) == unit.unit % replications;
        if !consistent {
            problems.push(located(format!(
                "unit {} does not fit the optimisation's {} units",
                unit.unit,
                manifest.unit_count()
            )));
            continue;
        }
        let mut row = Vec::with_capacity(metrics.len());
        for metric in &metrics {
            let value = unit
                .schema
                .metrics
                .iter()
                .position(|known| known.path == *metric)
                .and_then(|index| unit.replication.values.values.get(index).copied().flatten())
                .and_then(|value| value.to_f64());
            match value {
                Some(value) => row.push(value),
                None => {
                    problems.push(located(format!(
                        "{metric} is undefined in unit {} (a rate with nothing to divide): the procedure needs a number from every run; optimise or constrain a metric every run defines",
                        unit.unit
                    )));
                    break;
                }
            }
        }
        if row.len() == metrics.len() {
            observations.rows[unit.point].insert(unit.replication.index as usize, row);
        }
    }
    if problems.is_empty() {
        Ok(observations)
    } else {
        Err(problems)
    }
}

/// One candidate: its rules, its runs and where it ended.
#[derive(Clone, Debug, Serialize)]
pub struct CandidateResult {
    pub index: usize,
    /// (decision path, value as written) per decision.
    pub rules: Vec<(String, String)>,
    /// Runs in all phases.
    pub runs: usize,
    /// Racing's replications of this candidate, which its estimates read.
    pub racing_runs: usize,
    /// The objective, then each constraint's metric: mean and two-sided
    /// Student-t interval at the confidence, over racing's replications.
    pub estimates: Vec<Interval>,
    /// `chosen`, `eliminated: ...`, or `in contention` for a candidate the
    /// selection had not dropped when it stopped.
    pub status: String,
}

/// The frontier of the objective against one constrained metric.
#[derive(Clone, Debug, Serialize)]
pub struct FrontierResult {
    pub metric: String,
    pub direction: Direction,
    #[serde(flatten)]
    pub frontier: Frontier,
}

/// The whole result.
#[derive(Clone, Debug, Serialize)]
pub struct OptimizationResult {
    pub format: &'static str,
    pub version: String,
    pub optimization_name: String,
    pub scenario: String,
    pub digest: String,
    pub base_seed: u64,
    pub decisions: Vec<String>,
    pub optimization: Optimization,
    pub candidates: Vec<CandidateResult>,
    pub frontiers: Vec<FrontierResult>,
    pub chosen: Option<usize>,
    /// What the choice guarantees, in words, with its numbers.
    pub guarantee: String,
    pub runs: usize,
    pub stages: usize,
    pub procedure: Progress,
}

/// The format of the result file.
pub const RESULT_FORMAT: &str = "escrowsim-optimize-result/v1";

/// The result of a complete optimisation; an incomplete one is refused,
/// saying which stage is missing units.
pub fn optimization_result(
    manifest: &Manifest,
    units: &[(String, UnitResult)],
) -> Result<OptimizationResult, Vec<MergeProblem>> {
    let Some(optimization) = &manifest.optimization else {
        return Err(vec![MergeProblem::Sweep(format!(
            "{:?} is not an optimisation",
            manifest.name
        ))]);
    };
    let observations = observations(manifest, optimization, units)?;
    let candidates = manifest.points.len();
    let progress = progress(optimization, candidates, &observations)
        .map_err(|error| vec![MergeProblem::Sweep(error.to_string())])?;
    if let Some(stage) = &progress.next {
        let have = stage
            .units
            .iter()
            .filter(|&&unit| {
                let replications = u64::from(manifest.replications);
                observations.rows[(unit / replications) as usize]
                    .contains_key(&((unit % replications) as usize))
            })
            .count();
        return Err(vec![MergeProblem::Sweep(format!(
            "the optimisation is not complete: stage {} ({:?}) has {have} of its {} units; run `escrowsim optimize` on the directory again to go on",
            stage.number,
            stage.phase,
            stage.units.len()
        ))]);
    }
    let metrics = optimization.row_metrics();
    let mut candidate_results = Vec::with_capacity(candidates);
    let mut estimates = Vec::with_capacity(candidates);
    for index in 0..candidates {
        let racing: Vec<&Vec<f64>> = observations.rows[index]
            .range(..optimization.racing_replications)
            .map(|(_, row)| row)
            .collect();
        let intervals = (0..metrics.len())
            .map(|metric| {
                let values: Vec<f64> = racing.iter().map(|row| row[metric]).collect();
                t_interval(&values, optimization.confidence)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| vec![MergeProblem::Sweep(format!("candidate {index}: {error}"))])?;
        estimates.push(intervals.clone());
        candidate_results.push(CandidateResult {
            index,
            rules: manifest
                .paths
                .iter()
                .cloned()
                .zip(manifest.points[index].iter().cloned())
                .collect(),
            runs: observations.rows[index].len(),
            racing_runs: racing.len(),
            estimates: intervals,
            status: status(&progress, index),
        });
    }
    let mut frontiers = Vec::with_capacity(optimization.constraints.len());
    for (index, constraint) in optimization.constraints.iter().enumerate() {
        let direction = match constraint.relation {
            Relation::AtMost => Direction::Minimise,
            Relation::AtLeast => Direction::Maximise,
        };
        let pairs: Vec<Vec<Interval>> = estimates
            .iter()
            .map(|estimate| vec![estimate[0], estimate[index + 1]])
            .collect();
        let frontier = pareto_frontier(&pairs, &[optimization.direction, direction])
            .map_err(|error| vec![MergeProblem::Sweep(error.to_string())])?;
        frontiers.push(FrontierResult {
            metric: constraint.metric.clone(),
            direction,
            frontier,
        });
    }
    let runs = observations.rows.iter().map(|rows| rows.len()).sum();
    Ok(OptimizationResult {
        format: RESULT_FORMAT,
        version: manifest.version.clone(),
        optimization_name: manifest.name.clone(),
        scenario: manifest.scenario_name.clone(),
        digest: manifest.digest.clone(),
        base_seed: manifest.base_seed,
        decisions: manifest.paths.clone(),
        optimization: optimization.clone(),
        candidates: candidate_results,
        frontiers,
        chosen: progress.selected,
        guarantee: guarantee(optimization, &progress, candidates),
        runs,
        stages: progress.stages_complete,
        procedure: progress,
    })
}

impl OptimizationResult {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a result always serialises");
        text.push('\n');
        text
    }
}

/// Where a candidate ended, in words.
fn status(progress: &Progress, candidate: usize) -> String {
    if progress.selected == Some(candidate) {
        return "chosen".to_string();
    }
    let describe = |elimination: &super::Elimination, phase: &str| match elimination.reason {
        super::Reason::Worse { than } => format!(
            "eliminated in {phase} after {} replications: worse than candidate {than}",
            elimination.replications
        ),
        super::Reason::Infeasible { constraint } => format!(
            "eliminated in {phase} after {} replications: fails constraint {constraint}",
            elimination.replications
        ),
    };
    if let Some(elimination) = progress
        .racing
        .eliminations
        .iter()
        .find(|elimination| elimination.candidate == candidate)
    {
        return describe(elimination, "racing");
    }
    if let Some(Selection::Kn(decision) | Selection::Truncated(decision)) = &progress.selection {
        if let Some(elimination) = decision
            .eliminations
            .iter()
            .find(|elimination| elimination.candidate == candidate)
        {
            return describe(elimination, "selection");
        }
    }
    if progress.racing.survivors.contains(&candidate) && !progress.contenders.contains(&candidate) {
        return "not proven feasible by racing's last stage".to_string();
    }
    if let Some(Selection::Truncated(_)) = &progress.selection {
        return "in contention when the selection reached its most replications".to_string();
    }
    "not selected: kept to the selection's last check, where the best mean was taken (an exact tie goes to the lowest index)".to_string()
}

/// What the choice guarantees.
fn guarantee(optimization: &Optimization, progress: &Progress, candidates: usize) -> String {
    let percent = |p: f64| format!("{}%", (p * 1000.0).round() / 10.0);
    let confidence = percent(optimization.confidence);
    let half = percent(1.0 - optimization.alpha() / 2.0);
    let Some(chosen) = progress.selected else {
        return format!(
            "No rule set was chosen: no candidate still in contention after racing's last stage ({} replications) met every constraint with one-sided bounds at racing's level. Raise racing_replications, or relax the constraints.",
            optimization.racing_replications
        );
    };
    let mut text = match &progress.selection {
        Some(Selection::ByRacing) if candidates == 1 => {
            "There was one candidate: nothing was selected.".to_string()
        }
        Some(Selection::ByRacing) => format!(
            "Racing left candidate {chosen} alone in contention: with probability at least {half}, racing does not eliminate the best feasible candidate (Bonferroni over candidates, constraints and stages)."
        ),
        Some(Selection::Kn(_)) => format!(
            "With probability at least {confidence}, candidate {chosen} is the best of the candidates racing proved feasible, provided the best is at least {} better in {} than every other: racing keeps the best feasible candidate with probability at least {half}, and Kim and Nelson's procedure, on fresh replications, selects the best of those left with probability at least {half}.",
            optimization.indifference, optimization.objective
        ),
        Some(Selection::Truncated(decision)) => format!(
            "No guarantee of selection: Kim and Nelson's procedure reached the most replications allowed ({}) with {} candidates in contention, and candidate {chosen} has the best mean among them. Raise selection_replications or the indifference zone for a guarantee.",
            decision.replications_checked,
            decision.survivors.len()
        ),
        None => String::new(),
    };
    if let Some(confirmation) = &progress.confirmation {
        let verdict = match confirmation.feasibility.verdict {
            Verdict::Feasible => format!(
                "meets every constraint at {confidence} confidence (one-sided Student-t bounds, Bonferroni over the constraints)"
            ),
            Verdict::Infeasible => {
                format!("fails a constraint at {confidence} confidence: treat it as infeasible")
            }
            Verdict::Undecided => format!(
                "is not shown to meet every constraint at {confidence} confidence: its bounds straddle a constraint"
            ),
        };
        if !optimization.constraints.is_empty() {
            text.push_str(&format!(
                " On {} fresh replications it {verdict}.",
                confirmation.replications
            ));
        }
    }
    text
}
