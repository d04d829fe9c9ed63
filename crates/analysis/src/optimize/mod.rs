//! Choosing a rule set from simulation outputs: the Pareto frontier of
//! candidates, feasibility of constraints with confidence, racing in
//! stages, and the Kim-Nelson selection of the best with a guarantee; and
//! the optimisation that puts them to work on a scenario's rules: its file
//! and candidates ([`plan`]), its stages replayed from the outputs
//! ([`procedure`]) and its result ([`result`]).
//!
//! A study names candidates (rule sets), an objective (a metric to
//! maximise or minimise) and constraints (`metric <= bound` or `metric >=
//! bound`, each to hold with confidence). Replication `r` of every
//! candidate runs with the same seed (common random numbers), so the
//! outputs of two candidates at one replication are positively correlated
//! and their paired differences vary little. Runs happen elsewhere, in
//! stages that may be sharded: a stage asks for "replications a..b of
//! candidates C", and the outputs come back here. Everything in this module
//! is a pure function of those outputs and of its settings: the procedures
//! keep no state between stages, but replay their decisions from the data,
//! so a decision can be checked by anyone holding the outputs, and a stage
//! that was run on a cluster, or twice, gives the same answer.
//!
//! Outputs are `outputs[candidate][replication][metric]`: replication `j`
//! of every candidate is the run of seed `j` (paired), a candidate's list
//! may be shorter than another's (a candidate eliminated early stops
//! receiving runs), and each row holds the same metrics. Values are plain
//! finite `f64`; deciding what a metric left undefined means is the
//! caller's.
//!
//! # API
//!
//! ```text
//! // The non-dominated candidates by point estimate, and those no other candidate
//! // dominates even at the unfavourable ends of the intervals.
//! fn pareto_frontier(estimates: &[Vec<Interval>], directions: &[Direction]) -> Result<Frontier, OptimizeError>;
//! fn t_interval(values: &[f64], confidence: f64) -> Result<Interval, OptimizeError>;
//!
//! // One-sided Student-t bounds at 1 - alpha/m per constraint (Bonferroni):
//! // Feasible, Infeasible or Undecided, with every bound.
//! fn feasibility(outputs: &[Vec<Vec<f64>>], constraints: &[Constraint], alpha: f64)
//!     -> Result<Vec<CandidateFeasibility>, OptimizeError>;
//!
//! // Racing in stages of growing size: eliminations of clearly infeasible candidates and
//! // of candidates clearly worse than the leader; P(the best feasible is eliminated) <= alpha.
//! fn racing_schedule(settings: &RacingSettings) -> Result<Vec<usize>, OptimizeError>;
//! fn race(outputs: &[Vec<Vec<f64>>], objective: Objective, constraints: &[Constraint],
//!         settings: &RacingSettings) -> Result<RacingDecision, OptimizeError>;
//!
//! // Kim and Nelson's (2001) fully sequential selection, checked every `batch` replications:
//! // P(correct selection) >= 1 - alpha when the best is at least delta better than the rest.
//! fn kn_select(outputs: &[Vec<Vec<f64>>], objective: Objective, settings: &KnSettings)
//!     -> Result<KnDecision, OptimizeError>;
//! ```
//!
//! Each procedure's decision carries `next`, the [`ReplicationRequest`]s of
//! the next stage (empty when it is done): run them, append the outputs,
//! and call again with all outputs so far.
//!
//! ```
//! use escrowsim_analysis::optimize::{Direction, KnSettings, Objective, kn_select};
//!
//! // Three candidates; candidate 1 is better by 1 on every replication.
//! let objective = Objective { metric: 0, direction: Direction::Maximise };
//! let settings = KnSettings::new(0.05, 0.5);
//! let mut outputs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); 3];
//! loop {
//!     let decision = kn_select(&outputs, objective, &settings).unwrap();
//!     if let Some(best) = decision.selected {
//!         assert_eq!(best, 1);
//!         break;
//!     }
//!     for request in &decision.next {
//!         for replication in request.start..request.end {
//!             // Stands in for a simulation run of seed `replication`.
//!             let noise = ((replication * 7919) % 13) as f64 / 13.0;
//!             let mean = if request.candidate == 1 { 1.0 } else { 0.0 };
//!             outputs[request.candidate].push(vec![mean + noise + 0.1 * request.candidate as f64]);
//!         }
//!     }
//! }
//! ```
//!
//! Determinism: the arithmetic is IEEE `+ - * /` and `sqrt` in replication
//! order, with `libm` for `pow`, `atan` and the like, so the same outputs
//! give the same bits, and the same decision, on every platform. Ties are
//! broken by candidate index. `docs/optimize.md` states the methods, their
//! sources, what each guarantees and what it does not, and the figures
//! measured by the tests.

mod feasibility;
mod kn;
mod pareto;
pub mod plan;
pub mod procedure;
mod racing;
pub mod result;
mod student;
#[cfg(test)]
mod synthetic;

pub use feasibility::{CandidateFeasibility, ConstraintCheck, Verdict, feasibility};
pub use kn::{KnDecision, KnSettings, kn_select};
pub use pareto::{Frontier, pareto_frontier, t_interval};
pub use plan::{Layout, MetricConstraint, Optimization, OptimizationPlan, plan_optimization};
pub use procedure::{Observations, Phase, Progress, Selection, Stage, progress};
pub use racing::{RacingDecision, RacingSettings, race, racing_schedule};
pub use result::{OptimizationResult, observations, optimization_result};

use serde::{Deserialize, Serialize};

/// Most candidates of one analysis: KN keeps a variance per pair, so
/// 1024 candidates hold half a million pairs (8 MiB).
pub const CANDIDATES_MAX: usize = 1024;
/// Most metrics in one row of outputs, or criteria of a frontier.
pub const METRICS_MAX: usize = 256;
/// Most constraints of one analysis.
pub const CONSTRAINTS_MAX: usize = 32;
/// Most replications of one candidate.
pub const REPLICATIONS_MAX: usize = 100_000;
/// Most values (candidates × replications × metrics) of one call: 400 MiB
/// of `f64`.
pub const VALUES_MAX: usize = 50_000_000;
/// Largest output magnitude: sums of squares over every replication stay
/// finite in `f64`.
pub const OUTPUT_MAGNITUDE_MAX: f64 = 1e150;
/// Fewest replications of a first stage: a variance needs two.
pub const FIRST_STAGE_MIN: usize = 2;
/// Replications of a first stage unless the caller asks otherwise: Kim and
/// Nelson's (2001) experiments use 10, where the variance estimate is
/// good enough that more first-stage runs rarely pay for themselves.
pub const FIRST_STAGE_DEFAULT: usize = 10;
/// Largest error probability of a procedure.
pub const ALPHA_MAX: f64 = 0.5;
/// Smallest one-sided error probability of a single test, after it is
/// shared out among constraints, candidates and stages: the Student-t
/// quantile is computed to a few parts in a million of the tail down to
/// here.
pub const TAIL_PROBABILITY_MIN: f64 = 1e-10;

/// Whether more of a metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    Maximise,
    Minimise,
}

impl Direction {
    /// The factor that turns the metric into one where more is better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Maximise => 1.0,
            Direction::Minimise => -1.0,
        }
    }
}

/// The metric to optimise: a column of the outputs, and its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    pub metric: usize,
    pub direction: Direction,
}

/// How a constrained metric must relate to its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relation {
    /// `metric <= bound`.
    AtMost,
    /// `metric >= bound`.
    AtLeast,
}

/// A constraint on the mean of a metric: `metric <= bound` or `metric >=
/// bound`, in the metric's units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    pub metric: usize,
    pub relation: Relation,
    pub bound: f64,
}

/// A point estimate and an interval around it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Replications `start..end` of one candidate, to run in the next stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicationRequest {
    pub candidate: usize,
    pub start: usize,
    pub end: usize,
}

/// Why a candidate left contention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Reason {
    /// Its objective is worse than that of candidate `than`.
    Worse { than: usize },
    /// A confidence bound of constraint `constraint` already violates it.
    Infeasible { constraint: usize },
}

/// A candidate that left contention, at the check made with `replications`
/// replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Elimination {
    pub candidate: usize,
    pub replications: usize,
    pub reason: Reason,
}

/// Inputs a procedure cannot use, with what to change. The messages name
/// quantities, not flags.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    #[error("{0} candidates: at least 1 and at most {CANDIDATES_MAX} are supported")]
    Candidates(usize),
    #[error(
        "replication {replication} of candidate {candidate} has {got} metrics but the first row has {expected}: every replication needs one value per metric, at least 1 and at most {METRICS_MAX}"
    )]
    MetricCount {
        candidate: usize,
        replication: usize,
        expected: usize,
        got: usize,
    },
    #[error(
        "metric {metric} of replication {replication} of candidate {candidate} is {value}: every output must be a finite number of magnitude at most {OUTPUT_MAGNITUDE_MAX:e} (leave an undefined metric out; rescale a huge one)"
    )]
    BadOutput {
        candidate: usize,
        replication: usize,
        metric: usize,
        value: f64,
    },
    #[error("candidate {candidate} has {got} replications, more than the most, {REPLICATIONS_MAX}")]
    TooManyReplications { candidate: usize, got: usize },
    #[error(
        "the outputs hold {0} values, more than the most, {VALUES_MAX}: analyse fewer candidates or metrics at once"
    )]
    TooManyValues(usize),
    #[error("the objective is metric {metric}, but the outputs have {metrics} metrics")]
    ObjectiveMetric { metric: usize, metrics: usize },
    #[error("constraint {index} is on metric {metric}, but the outputs have {metrics} metrics")]
    ConstraintMetric {
        index: usize,
        metric: usize,
        metrics: usize,
    },
    #[error("{0} constraints: at most {CONSTRAINTS_MAX} are supported")]
    Constraints(usize),
    #[error("constraint {index} has the bound {bound}: a bound must be a finite number")]
    Bound { index: usize, bound: f64 },
    #[error("an error probability alpha of {0}: it must be above 0 and at most {ALPHA_MAX}")]
    Alpha(f64),
    #[error("a confidence of {0}: it must be above 0 and below 1 (0.95 for a 95% interval)")]
    Confidence(f64),
    #[error(
        "an indifference zone delta of {0}: it must be a finite number above 0, the smallest difference of the objective worth detecting, in its units"
    )]
    Delta(f64),
    #[error(
        "a first stage of {0} replications: at least {FIRST_STAGE_MIN} and at most {REPLICATIONS_MAX}"
    )]
    FirstStage(usize),
    #[error("a batch of {0} replications: at least 1 and at most {REPLICATIONS_MAX}")]
    Batch(usize),
    #[error(
        "a growth factor of {0}: each stage runs at least 2 and at most {GROWTH_MAX} times the replications of the one before",
        GROWTH_MAX = racing::GROWTH_MAX
    )]
    Growth(usize),
    #[error(
        "a last stage of {most} replications: it must be at least the first stage's {first} and at most {REPLICATIONS_MAX}"
    )]
    LastStage { first: usize, most: usize },
    #[error(
        "{what}: each test would be left a one-sided error probability of {level:e}, below the smallest supported, {TAIL_PROBABILITY_MIN:e}: use fewer candidates, constraints or stages, or a larger alpha"
    )]
    LevelTooSmall { what: &'static str, level: f64 },
    #[error(
        "candidate {candidate} has {replications} replications: a confidence bound needs at least 2"
    )]
    TooFewReplications {
        candidate: usize,
        replications: usize,
    },
    #[error(
        "the first stage's variances let the selection need up to {needed:.0} replications per candidate, more than the most, {REPLICATIONS_MAX}: choose a larger indifference zone delta than {delta}"
    )]
    TooDemanding { needed: f64, delta: f64 },
    #[error(
        "candidate {candidate} has {got} estimates for {expected} criteria: one per criterion, at least 1 and at most {METRICS_MAX}"
    )]
    EstimateCount {
        candidate: usize,
        expected: usize,
        got: usize,
    },
    #[error(
        "criterion {criterion} of candidate {candidate} is not an interval around its value (low {low}, value {value}, high {high}): each must be finite, with low <= value <= high"
    )]
    BadEstimate {
        candidate: usize,
        criterion: usize,
        low: f64,
        value: f64,
        high: f64,
    },
}

/// Checks the shape and values of `outputs`: 1 to [`CANDIDATES_MAX`]
/// candidates, at most [`REPLICATIONS_MAX`] replications each and
/// [`VALUES_MAX`] values in all, every row the same number of finite
/// metrics. Returns that number, or `None` when there is no row yet.
fn check_outputs(outputs: &[Vec<Vec<f64>>]) -> Result<Option<usize>, OptimizeError> {
    if outputs.is_empty() || outputs.len() > CANDIDATES_MAX {
        return Err(OptimizeError::Candidates(outputs.len()));
    }
    let metrics = outputs.iter().flatten().next().map(Vec::len);
    let mut values = 0usize;
    for (candidate, rows) in outputs.iter().enumerate() {
        if rows.len() > REPLICATIONS_MAX {
            return Err(OptimizeError::TooManyReplications {
                candidate,
                got: rows.len(),
            });
        }
        for (replication, row) in rows.iter().enumerate() {
            let expected = metrics.unwrap_or(0);
            if row.len() != expected || expected == 0 || expected > METRICS_MAX {
                return Err(OptimizeError::MetricCount {
                    candidate,
                    replication,
                    expected,
                    got: row.len(),
                });
            }
            let bad = |value: &f64| !value.is_finite() || value.abs() > OUTPUT_MAGNITUDE_MAX;
            if let Some((metric, &value)) = row.iter().enumerate().find(|(_, v)| bad(v)) {
                return Err(OptimizeError::BadOutput {
                    candidate,
                    replication,
                    metric,
                    value,
                });
            }
            values += row.len();
            if values > VALUES_MAX {
                return Err(OptimizeError::TooManyValues(values));
            }
        }
    }
    Ok(metrics)
}

fn check_objective(objective: Objective, metrics: Option<usize>) -> Result<(), OptimizeError> {
    match metrics {
        Some(metrics) if objective.metric >= metrics => Err(OptimizeError::ObjectiveMetric {
            metric: objective.metric,
            metrics,
        }),
        _ => Ok(()),
    }
}

fn check_constraints(
    constraints: &[Constraint],
    metrics: Option<usize>,
) -> Result<(), OptimizeError> {
    if constraints.len() > CONSTRAINTS_MAX {
        return Err(OptimizeError::Constraints(constraints.len()));
    }
    for (index, constraint) in constraints.iter().enumerate() {
        if !constraint.bound.is_finite() {
            return Err(OptimizeError::Bound {
                index,
                bound: constraint.bound,
            });
        }
        if let Some(metrics) = metrics.filter(|&metrics| constraint.metric >= metrics) {
            return Err(OptimizeError::ConstraintMetric {
                index,
                metric: constraint.metric,
                metrics,
            });
        }
    }
    Ok(())
}

fn check_alpha(alpha: f64) -> Result<(), OptimizeError> {
    if !(alpha > 0.0 && alpha <= ALPHA_MAX) {
        return Err(OptimizeError::Alpha(alpha));
    }
    Ok(())
}

/// Refuses a per-test error probability below [`TAIL_PROBABILITY_MIN`].
fn check_level(what: &'static str, level: f64) -> Result<(), OptimizeError> {
    if level < TAIL_PROBABILITY_MIN {
        return Err(OptimizeError::LevelTooSmall { what, level });
    }
    Ok(())
}

/// For each candidate in `alive` with fewer than `end` replications, the
/// request that brings it to `end`.
fn requests_up_to(
    outputs: &[Vec<Vec<f64>>],
    alive: &[usize],
    end: usize,
) -> Vec<ReplicationRequest> {
    alive
        .iter()
        .filter(|&&candidate| outputs[candidate].len() < end)
        .map(|&candidate| ReplicationRequest {
            candidate,
            start: outputs[candidate].len(),
            end,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_that_cannot_be_analysed_are_refused_with_the_place() {
        assert_eq!(check_outputs(&[]), Err(OptimizeError::Candidates(0)));
        assert_eq!(check_outputs(&[vec![], vec![]]), Ok(None));
        let ragged = vec![vec![vec![1.0, 2.0]], vec![vec![1.0, 2.0], vec![3.0]]];
        assert_eq!(
            check_outputs(&ragged),
            Err(OptimizeError::MetricCount {
                candidate: 1,
                replication: 1,
                expected: 2,
                got: 1
            })
        );
        let empty_row = vec![vec![vec![]]];
        assert!(matches!(
            check_outputs(&empty_row),
            Err(OptimizeError::MetricCount { expected: 0, .. })
        ));
        let nan = vec![vec![vec![1.0]], vec![vec![1.0], vec![f64::NAN]]];
        let error = check_outputs(&nan).unwrap_err();
        assert!(matches!(
            error,
            OptimizeError::BadOutput {
                candidate: 1,
                replication: 1,
                metric: 0,
                ..
            }
        ));
        assert!(
            error
                .to_string()
                .contains("metric 0 of replication 1 of candidate 1 is NaN")
        );
        let huge = vec![vec![vec![-1e151]]];
        assert!(matches!(
            check_outputs(&huge),
            Err(OptimizeError::BadOutput { .. })
        ));
        let too_many = vec![vec![]; CANDIDATES_MAX + 1];
        assert_eq!(
            check_outputs(&too_many),
            Err(OptimizeError::Candidates(CANDIDATES_MAX + 1))
        );
        let long = vec![vec![vec![0.0]; REPLICATIONS_MAX + 1]];
        assert!(matches!(
            check_outputs(&long),
            Err(OptimizeError::TooManyReplications { candidate: 0, .. })
        ));
    }

    #[test]
    fn metric_indices_bounds_and_alpha_are_checked() {
        let objective = Objective {
            metric: 2,
            direction: Direction::Maximise,
        };
        assert!(check_objective(objective, None).is_ok());
        assert!(check_objective(objective, Some(3)).is_ok());
        assert_eq!(
            check_objective(objective, Some(2)),
            Err(OptimizeError::ObjectiveMetric {
                metric: 2,
                metrics: 2
            })
        );
        let constraint = Constraint {
            metric: 1,
            relation: Relation::AtMost,
            bound: 5.0,
        };
        assert!(check_constraints(&[constraint], Some(2)).is_ok());
        assert!(matches!(
            check_constraints(&[constraint, constraint], Some(1)),
            Err(OptimizeError::ConstraintMetric { index: 0, .. })
        ));
        let unbounded = Constraint {
            bound: f64::INFINITY,
            ..constraint
        };
        assert!(matches!(
            check_constraints(&[constraint, unbounded], Some(2)),
            Err(OptimizeError::Bound { index: 1, .. })
        ));
        assert!(check_constraints(&vec![constraint; CONSTRAINTS_MAX + 1], None).is_err());
        for alpha in [0.0, -0.1, 0.51, f64::NAN] {
            assert!(check_alpha(alpha).is_err(), "alpha {alpha}");
        }
        assert!(check_alpha(0.5).is_ok() && check_alpha(1e-6).is_ok());
    }
}
