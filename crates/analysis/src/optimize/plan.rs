//! The optimisation file (`Optimize(...)`), its validation, and its
//! candidates as the points of a sweep.
//!
//! The candidates are the grid of the decisions' values (the last decision
//! varying fastest), each a rule set over the base scenario. Replication
//! `j` of candidate `c` is unit `c × R + j` of the sweep, where `R` is the
//! replications one candidate may get in all: racing's last stage, then
//! the selection's most, then the confirmation ([`Layout`]). Only the units
//! the procedure asks for ever run.

use super::{Direction, KnSettings, OptimizeError, RacingSettings, Relation, racing_schedule};
use crate::sweep::plan::{
    Dimension, GridCheck, check_grid, check_header, digest_of_fields, expand, ron_problem,
};
use crate::sweep::{POINTS_MAX, SweepError, SweepPlan, UNITS_MAX};
use escrowsim_core::input::{InputError, Located};
use escrowsim_core::report::VERSION;
use escrowsim_core::scenario::Scenario;
use escrowsim_core::scenario::factors::point_problems;
use escrowsim_core::scenario::spans::SpanIndex;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Problems listed for one file; the rest would only repeat them.
const PROBLEMS_MAX: usize = 100;
/// The confidence unless the file says.
pub const CONFIDENCE_DEFAULT: f64 = 0.95;
/// Racing's last stage unless the file says: stages of 10, 20 and 40.
pub const RACING_REPLICATIONS_DEFAULT: usize = 40;
/// Replications between the selection's checks unless the file says.
pub const SELECTION_BATCH_DEFAULT: usize = 10;
/// The most replications the selection may give a candidate unless the
/// file says.
pub const SELECTION_REPLICATIONS_DEFAULT: usize = 200;
/// Fresh replications of the chosen rule set unless the file says.
pub const CONFIRMATION_DEFAULT: usize = 20;
/// The most replications one candidate may be given in all.
pub const CANDIDATE_REPLICATIONS_MAX: usize = 10_000;

/// An optimisation as its manifest records it: everything the procedure
/// needs to replay its decisions from the outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Optimization {
    /// The metric to maximise or minimise.
    pub objective: String,
    pub direction: Direction,
    pub constraints: Vec<MetricConstraint>,
    /// 1 - α: the probability of a correct selection (given the best is
    /// `indifference` ahead), and the confidence of each feasibility verdict.
    pub confidence: f64,
    /// δ, the smallest difference of the objective worth having, in its units.
    pub indifference: f64,
    /// Racing's first stage, its growth and its last stage.
    pub first_stage: usize,
    pub growth: usize,
    pub racing_replications: usize,
    /// The selection's replications between checks, and its most.
    pub selection_batch: usize,
    pub selection_replications: usize,
    /// Fresh replications of the chosen rule set for its feasibility.
    pub confirmation: usize,
    /// Replication `j` of every candidate on the same seed (common random
    /// numbers); otherwise every candidate on seeds of its own.
    pub common_random_numbers: bool,
}

/// A constraint on a metric, to hold with the optimisation's confidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricConstraint {
    pub metric: String,
    pub relation: Relation,
    pub bound: f64,
}

impl MetricConstraint {
    /// `refunds.rate <= 0.02`.
    pub fn describe(&self) -> String {
        let relation = match self.relation {
            Relation::AtMost => "<=",
            Relation::AtLeast => ">=",
        };
        format!("{} {relation} {}", self.metric, self.bound)
    }
}

/// Where each phase's replications sit among a candidate's `total()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub racing: usize,
    pub selection: usize,
    pub confirmation: usize,
}

impl Layout {
    pub fn selection_offset(&self) -> usize {
        self.racing
    }

    pub fn confirmation_offset(&self) -> usize {
        self.racing + self.selection
    }

    pub fn total(&self) -> usize {
        self.racing + self.selection + self.confirmation
    }
}

impl Optimization {
    pub fn alpha(&self) -> f64 {
        1.0 - self.confidence
    }

    pub fn layout(&self) -> Layout {
        Layout {
            racing: self.racing_replications,
            selection: self.selection_replications,
            confirmation: self.confirmation,
        }
    }

    /// Racing keeps the best feasible candidate with probability at least
    /// 1 - α/2.
    pub fn racing_settings(&self) -> RacingSettings {
        RacingSettings {
            alpha: self.alpha() / 2.0,
            first_stage: self.first_stage,
            growth: self.growth,
            replications_most: self.racing_replications,
        }
    }

    /// Among racing's survivors, KN selects the best with probability at
    /// least 1 - α/2 when it is `indifference` ahead.
    pub fn selection_settings(&self) -> KnSettings {
        KnSettings {
            alpha: self.alpha() / 2.0,
            delta: self.indifference,
            first_stage: self.first_stage,
            batch: self.selection_batch,
        }
    }

    /// The metrics of an output row, in order: the objective, then each
    /// constraint's.
    pub fn row_metrics(&self) -> Vec<&str> {
        std::iter::once(self.objective.as_str())
            .chain(self.constraints.iter().map(|c| c.metric.as_str()))
            .collect()
    }

    /// The seed index of replication `replication` of `candidate`:
    /// the replication itself with common random numbers, otherwise a
    /// number of the candidate's own.
    pub fn seed_index(&self, candidate: usize, replication: usize) -> u64 {
        if self.common_random_numbers {
            replication as u64
        } else {
            (candidate * self.layout().total() + replication) as u64
        }
    }

    /// Every setting's problem, as (field, message).
    fn problems(&self, candidates: usize) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if !(self.confidence >= 0.5 && self.confidence < 1.0) {
            problems.push((
                "confidence",
                format!(
                    "{} is not a confidence in [0.5, 1), e.g. 0.95",
                    self.confidence
                ),
            ));
        }
        if !(self.indifference.is_finite() && self.indifference > 0.0) {
            problems.push((
                "indifference",
                format!(
                    "{} is not a difference worth having: a finite number above 0, in the objective's units",
                    self.indifference
                ),
            ));
        }
        let checks: [(&'static str, Result<(), OptimizeError>); 2] = [
            (
                "racing_replications",
                racing_schedule(&self.racing_settings()).map(|_| ()),
            ),
            (
                "selection_batch",
                if (1..=CANDIDATE_REPLICATIONS_MAX).contains(&self.selection_batch) {
                    Ok(())
                } else {
                    Err(OptimizeError::Batch(self.selection_batch))
                },
            ),
        ];
        for (field, check) in checks {
            if let Err(error) = check {
                let field = match error {
                    OptimizeError::FirstStage(_) => "first_stage",
                    OptimizeError::Growth(_) => "growth",
                    _ => field,
                };
                problems.push((field, error.to_string()));
            }
        }
        if self.selection_replications < self.first_stage {
            problems.push((
                "selection_replications",
                format!(
                    "{} is below the first stage's {}: the selection starts with a first stage",
                    self.selection_replications, self.first_stage
                ),
            ));
        }
        if !(2..=CANDIDATE_REPLICATIONS_MAX).contains(&self.confirmation) {
            problems.push((
                "confirmation",
                format!(
                    "{} is out of range 2..={CANDIDATE_REPLICATIONS_MAX}: a confidence bound needs at least 2 replications",
                    self.confirmation
                ),
            ));
        }
        let total = self
            .racing_replications
            .saturating_add(self.selection_replications)
            .saturating_add(self.confirmation);
        if total > CANDIDATE_REPLICATIONS_MAX {
            problems.push((
                "selection_replications",
                format!(
                    "racing, selection and confirmation give a candidate up to {total} replications, more than the most, {CANDIDATE_REPLICATIONS_MAX}"
                ),
            ));
        } else if (candidates as u64).saturating_mul(total as u64) > UNITS_MAX {
            problems.push((
                "decisions",
                format!(
                    "{candidates} candidates x up to {total} replications each is more than {UNITS_MAX} units: fewer candidates or replications"
                ),
            ));
        }
        if candidates > super::CANDIDATES_MAX {
            problems.push((
                "decisions",
                format!(
                    "{candidates} candidates; at most {} are supported",
                    super::CANDIDATES_MAX
                ),
            ));
        }
        if self.constraints.len() > super::CONSTRAINTS_MAX {
            problems.push((
                "constraints",
                format!("at most {} constraints", super::CONSTRAINTS_MAX),
            ));
        }
        problems
    }
}

/// A constraint as written: `(metric: "refunds.rate", at_most: 0.02)`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintFile {
    metric: String,
    #[serde(default)]
    at_most: Option<f64>,
    #[serde(default)]
    at_least: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Optimize")]
struct OptimizeFile {
    name: String,
    scenario: String,
    decisions: Vec<Dimension>,
    #[serde(default)]
    maximise: Option<String>,
    #[serde(default)]
    minimise: Option<String>,
    #[serde(default)]
    constraints: Vec<ConstraintFile>,
    #[serde(default)]
    confidence: Option<f64>,
    indifference: f64,
    #[serde(default)]
    first_stage: Option<usize>,
    #[serde(default)]
    growth: Option<usize>,
    #[serde(default)]
    racing_replications: Option<usize>,
    #[serde(default)]
    selection_batch: Option<usize>,
    #[serde(default)]
    selection_replications: Option<usize>,
    #[serde(default)]
    confirmation: Option<usize>,
    #[serde(default)]
    common_random_numbers: Option<bool>,
}

/// What planning an optimisation gives: the sweep whose points are the
/// candidates, and the optimisation its manifest records.
#[derive(Clone, Debug)]
pub struct OptimizationPlan {
    pub sweep: SweepPlan,
    pub optimization: Optimization,
    /// The base scenario and the file it was read from.
    pub base: Scenario,
    pub base_file: PathBuf,
}

/// Parses, validates and expands an optimisation file, as
/// [`crate::sweep::plan_sweep`] does a sweep.
pub fn plan_optimization(
    text: &str,
    source: &str,
    base_directory: &Path,
    read_scenario: impl FnOnce(&Path) -> Result<String, InputError>,
) -> Result<OptimizationPlan, SweepError> {
    let spans = SpanIndex::build(text);
    let at = |path: &str, message: String| {
        Located::new(source, message)
            .at(spans.locate(path))
            .in_field(path)
    };
    let options = ron::Options::default()
        .with_recursion_limit(32)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let file: OptimizeFile = options
        .from_str(text)
        .map_err(|error| ron_problem(&error, source, &spans))?;
    let mut problems = Vec::new();
    let scenario_path = base_directory.join(&file.scenario);
    let (base, base_text) = check_header(
        &file.name,
        1,
        scenario_path.clone(),
        read_scenario,
        &at,
        &mut problems,
    )?;
    if file.decisions.is_empty() {
        problems.push(at(
            "decisions",
            "name at least one decision: a rule and the values it may take".to_string(),
        ));
    }
    let GridCheck {
        paths,
        factors,
        point_count,
    } = check_grid(
        "decisions",
        &file.decisions,
        base.as_ref(),
        &at,
        &mut problems,
    );
    for (index, factor) in factors.iter().enumerate() {
        if !factor.as_str().starts_with("rules.") {
            problems.push(at(
                &format!("decisions[{index}].path"),
                format!(
                    "{factor} is not a rule: decisions are the program's rules (`rules.NAME`, `rules.vetting_criteria.PARAMETER`), what the policy team chooses; the world's numbers are not theirs to choose"
                ),
            ));
        }
    }
    let (objective, direction) = match (&file.maximise, &file.minimise) {
        (Some(metric), None) => (metric.clone(), Direction::Maximise),
        (None, Some(metric)) => (metric.clone(), Direction::Minimise),
        _ => {
            problems.push(at(
                "maximise",
                "give the objective as either `maximise: \"METRIC\"` or `minimise: \"METRIC\"`"
                    .to_string(),
            ));
            (String::new(), Direction::Maximise)
        }
    };
    let mut constraints = Vec::with_capacity(file.constraints.len());
    for (index, constraint) in file.constraints.iter().enumerate() {
        let (relation, bound) = match (constraint.at_most, constraint.at_least) {
            (Some(bound), None) => (Relation::AtMost, bound),
            (None, Some(bound)) => (Relation::AtLeast, bound),
            _ => {
                problems.push(at(
                    &format!("constraints[{index}]"),
                    "give either `at_most: BOUND` or `at_least: BOUND`, not both or neither"
                        .to_string(),
                ));
                continue;
            }
        };
        if !bound.is_finite() {
            problems.push(at(
                &format!("constraints[{index}]"),
                format!("{bound} is not a bound: a finite number"),
            ));
        }
        constraints.push(MetricConstraint {
            metric: constraint.metric.clone(),
            relation,
            bound,
        });
    }
    // Metric names, against the outcome's shape.
    if let Some((whole_run, _)) = base.as_ref().and_then(crate::study::study_metric_paths) {
        let unknown = |name: &str| -> Option<String> {
            if whole_run.iter().any(|known| known == name) {
                return None;
            }
            let near = crate::metrics::MetricPatterns::new(vec![name.to_string()])
                .check(whole_run.iter().map(String::as_str))
                .err()
                .map(|unmatched| format!(" ({unmatched})"))
                .unwrap_or_default();
            Some(format!("{name:?} is not a metric of the outcome{near}"))
        };
        if !objective.is_empty() {
            if let Some(message) = unknown(&objective) {
                let field = if file.maximise.is_some() {
                    "maximise"
                } else {
                    "minimise"
                };
                problems.push(at(field, message));
            }
        }
        for (index, constraint) in file.constraints.iter().enumerate() {
            if let Some(message) = unknown(&constraint.metric) {
                problems.push(at(&format!("constraints[{index}].metric"), message));
            }
        }
    }
    let optimization = Optimization {
        objective,
        direction,
        constraints,
        confidence: file.confidence.unwrap_or(CONFIDENCE_DEFAULT),
        indifference: file.indifference,
        first_stage: file.first_stage.unwrap_or(super::FIRST_STAGE_DEFAULT),
        growth: file.growth.unwrap_or(2),
        racing_replications: file
            .racing_replications
            .unwrap_or(RACING_REPLICATIONS_DEFAULT),
        selection_batch: file.selection_batch.unwrap_or(SELECTION_BATCH_DEFAULT),
        selection_replications: file
            .selection_replications
            .unwrap_or(SELECTION_REPLICATIONS_DEFAULT),
        confirmation: file.confirmation.unwrap_or(CONFIRMATION_DEFAULT),
        common_random_numbers: file.common_random_numbers.unwrap_or(true),
    };
    for (field, message) in optimization.problems(point_count) {
        problems.push(at(field, message));
    }
    if point_count > POINTS_MAX {
        problems.push(at(
            "decisions",
            format!("{point_count} candidates; the limit is {POINTS_MAX}"),
        ));
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let base = base.expect("no problems means the base scenario loaded");
    let base_text = base_text.expect("no problems means the base scenario was read");
    let points = expand(&file.decisions, &factors, &base, &at)?;
    for point in &points {
        for problem in point_problems(point.index, &point.parameters, &point.scenario) {
            problems.push(at("decisions", problem));
            if problems.len() >= PROBLEMS_MAX {
                return Err(SweepError::Invalid(problems));
            }
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let total = optimization.layout().total();
    let digest = digest_of_fields(|field| {
        field(b"escrowsim-optimize/v1");
        field(VERSION.as_bytes());
        field(file.name.as_bytes());
        for (path, dimension) in paths.iter().zip(&file.decisions) {
            field(path.as_bytes());
            for value in &dimension.values {
                field(value.as_bytes());
            }
        }
        field(
            serde_json::to_string(&optimization)
                .expect("an optimisation always serialises")
                .as_bytes(),
        );
        field(base_text.as_bytes());
    });
    Ok(OptimizationPlan {
        sweep: SweepPlan {
            name: file.name,
            scenario_name: base.name.clone(),
            base_seed: base.seed,
            replications: u32::try_from(total).expect("bounded by CANDIDATE_REPLICATIONS_MAX"),
            paths,
            points,
            digest,
            study: None,
            optimization: Some(optimization.clone()),
        },
        optimization,
        base,
        base_file: scenario_path,
    })
}
