//! Feasibility with confidence: whether a candidate's constrained metrics
//! meet their bounds, told apart from noise.
//!
//! For a candidate with n replications and a constraint on metric X, with
//! mean X̄ and sample standard deviation s (divisor n - 1), the one-sided
//! Student-t bounds at confidence 1 - α/m are
//!
//! ```text
//! upper = X̄ + t(1 - α/m, n - 1) · s / √n      lower = X̄ - t(1 - α/m, n - 1) · s / √n
//! ```
//!
//! m the number of constraints (Bonferroni). A constraint `X <= b` is
//! feasible when `upper <= b`, infeasible when `lower > b`, and undecided
//! otherwise; `X >= b` is feasible when `lower >= b`, infeasible when
//! `upper < b`. A candidate is feasible when every constraint is, clearly
//! infeasible when one is infeasible, and undecided otherwise.
//!
//! What that guarantees, for one candidate and normal (or, by the central
//! limit theorem, many) replications: with probability at least 1 - α all
//! m upper bounds lie above their true means, so a "feasible" verdict is
//! wrong with probability at most α; the same holds for the lower bounds,
//! so an "infeasible" verdict is wrong with probability at most α. The
//! statement is per candidate: over many candidates, some verdicts will be
//! wrong (racing, in `racing.rs`, shares α among candidates as well).

use super::student::{mean_sd, t_upper_quantile};
use super::{
    Constraint, OptimizeError, Relation, check_alpha, check_constraints, check_level, check_outputs,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the confidence bounds say of a constraint or a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// The favourable bound meets the constraint.
    Feasible,
    /// The unfavourable bound already violates it.
    Infeasible,
    /// The interval between the bounds holds the constraint's bound.
    Undecided,
}

/// One constraint of one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ConstraintCheck {
    pub mean: f64,
    /// Sample standard deviation, divisor n - 1.
    pub sd: f64,
    pub replications: usize,
    /// The one-sided lower confidence bound of the mean at 1 - α/m.
    pub lower: f64,
    /// The one-sided upper confidence bound of the mean at 1 - α/m.
    pub upper: f64,
    pub verdict: Verdict,
}

/// The feasibility of one candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CandidateFeasibility {
    /// Feasible when every constraint is (or there is none), infeasible
    /// when one is, undecided otherwise.
    pub verdict: Verdict,
    /// In the order of the constraints.
    pub constraints: Vec<ConstraintCheck>,
}

/// The feasibility of each candidate, from all its replications, each
/// candidate's statement holding with confidence 1 - `alpha`.
pub fn feasibility(
    outputs: &[Vec<Vec<f64>>],
    constraints: &[Constraint],
    alpha: f64,
) -> Result<Vec<CandidateFeasibility>, OptimizeError> {
    let metrics = check_outputs(outputs)?;
    check_constraints(constraints, metrics)?;
    check_alpha(alpha)?;
    if constraints.is_empty() {
        let feasible = CandidateFeasibility {
            verdict: Verdict::Feasible,
            constraints: Vec::new(),
        };
        return Ok(vec![feasible; outputs.len()]);
    }
    let level = alpha / constraints.len() as f64;
    check_level("the feasibility bounds", level)?;
    if let Some((candidate, rows)) = outputs.iter().enumerate().find(|(_, rows)| rows.len() < 2) {
        return Err(OptimizeError::TooFewReplications {
            candidate,
            replications: rows.len(),
        });
    }
    // Candidates usually share a number of replications: one quantile each.
    let mut quantiles = BTreeMap::new();
    Ok(outputs
        .iter()
        .map(|rows| {
            let count = rows.len();
            let t = *quantiles
                .entry(count)
                .or_insert_with(|| t_upper_quantile(count - 1, level));
            let checks: Vec<ConstraintCheck> = constraints
                .iter()
                .map(|constraint| check_constraint(rows, count, *constraint, t))
                .collect();
            CandidateFeasibility {
                verdict: candidate_verdict(&checks),
                constraints: checks,
            }
        })
        .collect())
}

/// The bounds and verdict of `constraint` over the first `count` rows, `t`
/// the one-sided quantile of their level.
pub(crate) fn check_constraint(
    rows: &[Vec<f64>],
    count: usize,
    constraint: Constraint,
    t: f64,
) -> ConstraintCheck {
    let (mean, sd) = mean_sd(rows.iter().map(|row| row[constraint.metric]), count);
    let half_width = t * sd / (count as f64).sqrt();
    let (lower, upper) = (mean - half_width, mean + half_width);
    let bound = constraint.bound;
    let verdict = match constraint.relation {
        Relation::AtMost if upper <= bound => Verdict::Feasible,
        Relation::AtMost if lower > bound => Verdict::Infeasible,
        Relation::AtLeast if lower >= bound => Verdict::Feasible,
        Relation::AtLeast if upper < bound => Verdict::Infeasible,
        _ => Verdict::Undecided,
    };
    ConstraintCheck {
        mean,
        sd,
        replications: count,
        lower,
        upper,
        verdict,
    }
}

/// Feasible when every check is, infeasible when one is.
pub(crate) fn candidate_verdict(checks: &[ConstraintCheck]) -> Verdict {
    if checks
        .iter()
        .any(|check| check.verdict == Verdict::Infeasible)
    {
        Verdict::Infeasible
    } else if checks
        .iter()
        .all(|check| check.verdict == Verdict::Feasible)
    {
        Verdict::Feasible
    } else {
        Verdict::Undecided
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of two metrics from two columns.
    fn rows(first: &[f64], second: &[f64]) -> Vec<Vec<f64>> {
        first
            .iter()
            .zip(second)
            .map(|(&a, &b)| vec![a, b])
            .collect()
    }

    fn at_most(metric: usize, bound: f64) -> Constraint {
        Constraint {
            metric,
            relation: Relation::AtMost,
            bound,
        }
    }

    fn at_least(metric: usize, bound: f64) -> Constraint {
        Constraint {
            metric,
            relation: Relation::AtLeast,
            bound,
        }
    }

    #[test]
    fn two_constraints_at_95_percent_by_hand() {
        // Candidate 0: loss (bps) 1, 2, 3, 4, 5 and refund rate 0.010, 0.012,
        // ..., 0.018. Two constraints at alpha = 0.05: each one-sided bound at
        // 1 - 0.025, t(0.975, 4) = 2.776 (table).
        // Loss: mean 3, s = √2.5, s/√5 = 0.70711, half-width 1.96309:
        // upper 4.963 <= 5, feasible. Refunds: mean 0.014, s = 0.0031623,
        // s/√5 = 0.0014142, half-width 0.0039262: upper 0.017926 <= 0.02,
        // feasible.
        let loss = [1.0, 2.0, 3.0, 4.0, 5.0];
        let refunds = [0.010, 0.012, 0.014, 0.016, 0.018];
        let constraints = [at_most(0, 5.0), at_most(1, 0.02)];
        // Candidate 1: loss shifted up by 2.95: upper 7.913 > 5, lower
        // 5.95 - 1.963 = 3.987 <= 5: undecided. Candidate 2: loss shifted up
        // by 4: lower 7 - 1.963 = 5.037 > 5: clearly infeasible.
        let shifted = |by: f64| loss.map(|value| value + by);
        let outputs = vec![
            rows(&loss, &refunds),
            rows(&shifted(2.95), &refunds),
            rows(&shifted(4.0), &refunds),
        ];
        let result = feasibility(&outputs, &constraints, 0.05).unwrap();
        let check = result[0].constraints[0];
        assert_eq!(check.mean, 3.0);
        assert!((check.upper - 4.963).abs() < 5e-4, "{check:?}");
        assert!((check.lower - 1.037).abs() < 5e-4, "{check:?}");
        let refund = result[0].constraints[1];
        assert!((refund.upper - 0.017926).abs() < 5e-6, "{refund:?}");
        assert_eq!(result[0].verdict, Verdict::Feasible);
        assert_eq!(result[1].constraints[0].verdict, Verdict::Undecided);
        assert_eq!(result[1].verdict, Verdict::Undecided);
        assert!((result[2].constraints[0].lower - 5.037).abs() < 5e-4);
        assert_eq!(result[2].verdict, Verdict::Infeasible);

        // One constraint alone takes the whole alpha: t(0.95, 4) = 2.132,
        // half-width 2.132 · 0.70711 = 1.5076, so candidate 1's upper bound
        // is 5.95 + 1.508 = 7.458 and meets a bound of 7.5, which its upper
        // bound with two constraints, 7.913, does not.
        let result = feasibility(&outputs, &[at_most(0, 7.5)], 0.05).unwrap();
        assert!((result[1].constraints[0].upper - 7.4576).abs() < 5e-4);
        assert_eq!(result[1].verdict, Verdict::Feasible);
        let both = [at_most(0, 7.5), at_most(1, 0.02)];
        let result = feasibility(&outputs, &both, 0.05).unwrap();
        assert_eq!(result[1].verdict, Verdict::Undecided);
    }

    #[test]
    fn at_least_constraints_use_the_lower_bound_to_prove_and_the_upper_to_refute() {
        // Coverage 0.010..0.018 (mean 0.014, half-width at t(0.95, 4) = 2.132:
        // 0.0030151): lower 0.010985, upper 0.017015.
        let coverage = [0.010, 0.012, 0.014, 0.016, 0.018];
        let outputs = vec![rows(&coverage, &coverage)];
        let verdict =
            |bound| feasibility(&outputs, &[at_least(0, bound)], 0.05).unwrap()[0].verdict;
        assert_eq!(verdict(0.0109), Verdict::Feasible);
        assert_eq!(verdict(0.0111), Verdict::Undecided);
        assert_eq!(verdict(0.0169), Verdict::Undecided);
        assert_eq!(verdict(0.0171), Verdict::Infeasible);
    }

    #[test]
    fn a_constant_metric_is_decided_by_its_value_and_no_constraint_is_feasible() {
        let outputs = vec![vec![vec![2.0]; 3]];
        let at = |bound| feasibility(&outputs, &[at_most(0, bound)], 0.05).unwrap()[0].verdict;
        assert_eq!(at(2.0), Verdict::Feasible);
        assert_eq!(at(1.999), Verdict::Infeasible);
        let none = feasibility(&outputs, &[], 0.05).unwrap();
        assert_eq!(none[0].verdict, Verdict::Feasible);
        assert!(none[0].constraints.is_empty());
    }

    #[test]
    fn too_few_replications_and_bad_settings_are_refused() {
        let outputs = vec![vec![vec![1.0]; 3], vec![vec![1.0]]];
        assert_eq!(
            feasibility(&outputs, &[at_most(0, 1.0)], 0.05),
            Err(OptimizeError::TooFewReplications {
                candidate: 1,
                replications: 1
            })
        );
        let outputs = vec![vec![vec![1.0]; 3]];
        assert!(matches!(
            feasibility(&outputs, &[at_most(1, 1.0)], 0.05),
            Err(OptimizeError::ConstraintMetric { index: 0, .. })
        ));
        assert!(feasibility(&outputs, &[at_most(0, 1.0)], 0.0).is_err());
        assert!(matches!(
            feasibility(&outputs, &[at_most(0, 1.0)], 1e-11),
            Err(OptimizeError::LevelTooSmall { .. })
        ));
    }
}
