//! The Pareto frontier: candidates no other candidate beats on every
//! criterion at once.
//!
//! With an objective and constrained metrics in view together (coverage
//! against loss against refunds), there is rarely one best rule set; the
//! frontier is the set among which the choice is a matter of priorities,
//! everything off it being worse than some member on no criterion and
//! strictly worse on one.
//!
//! Candidate a dominates b when a is at least as good as b on every
//! criterion and strictly better on one, in each criterion's direction.
//! Two candidates with equal estimates on every criterion do not dominate
//! each other, so both or neither are on the frontier. Domination is a
//! strict partial order, so every dominated candidate is dominated by some
//! member of the frontier, and that member is what `dominated_by` names.
//!
//! Intervals add a second, cautious set: a candidate is clearly dominated
//! when another is at least as good at the unfavourable end of its
//! intervals as the first is at the favourable end of its own, on every
//! criterion, and strictly better on one. The candidates not clearly
//! dominated (`plausible`) include the frontier; a candidate outside them
//! stays dominated wherever in their intervals the true values lie.

use super::student::{mean_sd, t_upper_quantile};
use super::{Direction, Interval, METRICS_MAX, OptimizeError, TAIL_PROBABILITY_MIN};
use serde::Serialize;
use std::cmp::Ordering;

/// The frontier of a set of candidates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Frontier {
    /// The candidates no other dominates by point estimate, best first on
    /// the first criterion, then the second, ..., then by index.
    pub members: Vec<usize>,
    /// The candidates no other clearly dominates, interval against
    /// interval: a superset of `members`, in the same order.
    pub plausible: Vec<usize>,
    /// For each candidate, the first member of the frontier (by index)
    /// that dominates it; `None` for the members themselves.
    pub dominated_by: Vec<Option<usize>>,
}

/// The Pareto frontier of candidates with estimates `estimates[candidate]
/// [criterion]`, the criteria taken in `directions`.
pub fn pareto_frontier(
    estimates: &[Vec<Interval>],
    directions: &[Direction],
) -> Result<Frontier, OptimizeError> {
    check_estimates(estimates, directions)?;
    // Signed so that more is better on every criterion: (worst, value,
    // best) of each interval.
    let signed: Vec<Vec<(f64, f64, f64)>> = estimates
        .iter()
        .map(|row| {
            row.iter()
                .zip(directions)
                .map(|(estimate, direction)| match direction {
                    Direction::Maximise => (estimate.low, estimate.value, estimate.high),
                    Direction::Minimise => (-estimate.high, -estimate.value, -estimate.low),
                })
                .collect()
        })
        .collect();
    let values: Vec<Vec<f64>> = signed
        .iter()
        .map(|row| row.iter().map(|&(_, value, _)| value).collect())
        .collect();
    let count = estimates.len();
    let members: Vec<usize> = (0..count)
        .filter(|&b| !(0..count).any(|a| dominates(&values[a], &values[b])))
        .collect();
    let dominated_by = (0..count)
        .map(|b| {
            members
                .iter()
                .copied()
                .find(|&a| dominates(&values[a], &values[b]))
        })
        .collect();
    let clearly = |a: usize, b: usize| {
        let worst_of_a: Vec<f64> = signed[a].iter().map(|&(worst, _, _)| worst).collect();
        let best_of_b: Vec<f64> = signed[b].iter().map(|&(_, _, best)| best).collect();
        dominates(&worst_of_a, &best_of_b)
    };
    let plausible: Vec<usize> = (0..count)
        .filter(|&b| !(0..count).any(|a| a != b && clearly(a, b)))
        .collect();
    Ok(Frontier {
        members: best_first(members, &values),
        plausible: best_first(plausible, &values),
        dominated_by,
    })
}

/// The mean of `values` with its two-sided Student-t interval at
/// `confidence`: mean ± t · sd / √n. At least two values.
pub fn t_interval(values: &[f64], confidence: f64) -> Result<Interval, OptimizeError> {
    let tail = 0.5 * (1.0 - confidence);
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(OptimizeError::Confidence(confidence));
    }
    if tail < TAIL_PROBABILITY_MIN {
        return Err(OptimizeError::LevelTooSmall {
            what: "the interval",
            level: tail,
        });
    }
    if values.len() < 2 {
        return Err(OptimizeError::TooFewReplications {
            candidate: 0,
            replications: values.len(),
        });
    }
    if let Some((replication, &value)) = values
        .iter()
        .enumerate()
        .find(|(_, value)| !value.is_finite() || value.abs() > super::OUTPUT_MAGNITUDE_MAX)
    {
        return Err(OptimizeError::BadOutput {
            candidate: 0,
            replication,
            metric: 0,
            value,
        });
    }
    let (mean, sd) = mean_sd(values.iter().copied(), values.len());
    let half_width = t_upper_quantile(values.len() - 1, tail) * sd / (values.len() as f64).sqrt();
    Ok(Interval {
        value: mean,
        low: mean - half_width,
        high: mean + half_width,
    })
}

/// Whether `a` is at least `b` everywhere and above it somewhere.
fn dominates(a: &[f64], b: &[f64]) -> bool {
    let mut strictly = false;
    for (x, y) in a.iter().zip(b) {
        if x < y {
            return false;
        }
        strictly |= x > y;
    }
    strictly
}

/// `candidates` sorted best first, criterion by criterion, then by index.
fn best_first(mut candidates: Vec<usize>, values: &[Vec<f64>]) -> Vec<usize> {
    candidates.sort_by(|&a, &b| {
        values[a]
            .iter()
            .zip(&values[b])
            .map(|(x, y)| y.partial_cmp(x).unwrap_or(Ordering::Equal))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
            .then(a.cmp(&b))
    });
    candidates
}

fn check_estimates(
    estimates: &[Vec<Interval>],
    directions: &[Direction],
) -> Result<(), OptimizeError> {
    if estimates.is_empty() || estimates.len() > super::CANDIDATES_MAX {
        return Err(OptimizeError::Candidates(estimates.len()));
    }
    for (candidate, row) in estimates.iter().enumerate() {
        if row.len() != directions.len() || row.is_empty() || row.len() > METRICS_MAX {
            return Err(OptimizeError::EstimateCount {
                candidate,
                expected: directions.len(),
                got: row.len(),
            });
        }
        for (criterion, estimate) in row.iter().enumerate() {
            let Interval { value, low, high } = *estimate;
            let finite = [value, low, high].iter().all(|x| x.is_finite());
            if !finite || low > value || value > high {
                return Err(OptimizeError::BadEstimate {
                    candidate,
                    criterion,
                    low,
                    value,
                    high,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Maximise, Minimise};

    fn point(value: f64) -> Interval {
        Interval {
            value,
            low: value,
            high: value,
        }
    }

    fn around(value: f64, half_width: f64) -> Interval {
        Interval {
            value,
            low: value - half_width,
            high: value + half_width,
        }
    }

    fn points(rows: &[&[f64]]) -> Vec<Vec<Interval>> {
        rows.iter()
            .map(|row| row.iter().copied().map(point).collect())
            .collect()
    }

    #[test]
    fn coverage_against_loss_keeps_the_trade_offs_and_drops_the_dominated() {
        // (coverage, maximised; loss in bps, minimised):
        // 0 (10, 5)  member
        // 1 (12, 6)  member: more coverage for more loss
        // 2 ( 9, 5)  dominated by 0 (less coverage, same loss)
        // 3 (12, 7)  dominated by 1 (same coverage, more loss)
        // 4 ( 8, 3)  member: least loss
        // 5 (11, 8)  dominated by 1 (12 >= 11, 6 <= 8)
        // Best first on coverage: 1 (12), 0 (10), 4 (8).
        let estimates = points(&[
            &[10.0, 5.0],
            &[12.0, 6.0],
            &[9.0, 5.0],
            &[12.0, 7.0],
            &[8.0, 3.0],
            &[11.0, 8.0],
        ]);
        let frontier = pareto_frontier(&estimates, &[Maximise, Minimise]).unwrap();
        assert_eq!(frontier.members, vec![1, 0, 4]);
        assert_eq!(
            frontier.dominated_by,
            vec![None, None, Some(0), Some(1), None, Some(1)]
        );
        // Point intervals: clearly dominated is dominated.
        assert_eq!(frontier.plausible, frontier.members);
    }

    #[test]
    fn equal_candidates_do_not_dominate_each_other_and_ties_sort_by_the_next_criterion_then_index()
    {
        // Maximise the first, minimise the second. 0 and 2 are equal, so
        // neither dominates the other; 1 = (5, 1) ties them on the first
        // criterion and is better on the second, so it dominates both.
        // 3 = (6, 9) has more of the first and is worse on the second: a
        // member, first in order.
        let estimates = points(&[&[5.0, 2.0], &[5.0, 1.0], &[5.0, 2.0], &[6.0, 9.0]]);
        let frontier = pareto_frontier(&estimates, &[Maximise, Minimise]).unwrap();
        assert_eq!(frontier.members, vec![3, 1]);
        assert_eq!(frontier.dominated_by, vec![Some(1), None, Some(1), None]);

        // Equal points only: all members, in index order.
        let estimates = points(&[&[1.0, 1.0], &[1.0, 1.0], &[1.0, 1.0]]);
        let frontier = pareto_frontier(&estimates, &[Maximise, Maximise]).unwrap();
        assert_eq!(frontier.members, vec![0, 1, 2]);
        assert_eq!(frontier.dominated_by, vec![None; 3]);

        // Members tied on the first criterion are ordered by the second:
        // 2 = (4, 0.5, 9) and 0 = (4, 1, 5) trade the second against the
        // third, 1 = (3, 0.2, 9) has the least of the second; 2 comes
        // before 0 (0.5 < 1, minimised), then 1 (3 < 4).
        let estimates = points(&[&[4.0, 1.0, 5.0], &[3.0, 0.2, 9.0], &[4.0, 0.5, 9.0]]);
        let frontier = pareto_frontier(&estimates, &[Maximise, Minimise, Minimise]).unwrap();
        assert_eq!(frontier.members, vec![2, 0, 1]);
        // Zero and negative zero are equal.
        let estimates = points(&[&[0.0], &[-0.0]]);
        let frontier = pareto_frontier(&estimates, &[Maximise]).unwrap();
        assert_eq!(frontier.members, vec![0, 1]);
    }

    #[test]
    fn one_criterion_keeps_every_candidate_at_the_best_value() {
        let estimates = points(&[&[3.0], &[1.0], &[3.0], &[2.0]]);
        let frontier = pareto_frontier(&estimates, &[Minimise]).unwrap();
        assert_eq!(frontier.members, vec![1]);
        let frontier = pareto_frontier(&estimates, &[Maximise]).unwrap();
        assert_eq!(frontier.members, vec![0, 2]);
        assert_eq!(frontier.dominated_by, vec![None, Some(0), None, Some(0)]);
    }

    #[test]
    fn overlapping_intervals_keep_a_dominated_candidate_plausible() {
        // Maximise both. 1 dominates 0 by point estimate (11 > 10, 5 = 5),
        // but 1's low end on the first criterion, 11 - 2 = 9, is below 0's
        // high end, 10 + 2 = 12: 0 is not clearly dominated.
        // 2 = (3, 1) ± 0.5 is clearly dominated by 1: worst of 1 is (9, 4),
        // best of 2 is (3.5, 1.5).
        let estimates = vec![
            vec![around(10.0, 2.0), around(5.0, 1.0)],
            vec![around(11.0, 2.0), around(5.0, 1.0)],
            vec![around(3.0, 0.5), around(1.0, 0.5)],
        ];
        let frontier = pareto_frontier(&estimates, &[Maximise, Maximise]).unwrap();
        assert_eq!(frontier.members, vec![1]);
        assert_eq!(frontier.plausible, vec![1, 0]);
        assert_eq!(frontier.dominated_by, vec![Some(1), None, Some(1)]);
        // Minimising, the favourable end is the low one: 2 = (3, 1) ± 0.5
        // now clearly dominates the others, whose best is (8, 4) and (9, 4).
        let frontier = pareto_frontier(&estimates, &[Minimise, Minimise]).unwrap();
        assert_eq!(frontier.members, vec![2]);
        assert_eq!(frontier.plausible, vec![2]);
    }

    #[test]
    fn estimates_that_are_not_intervals_around_their_value_are_refused() {
        let bad = vec![vec![Interval {
            value: 1.0,
            low: 2.0,
            high: 3.0,
        }]];
        assert!(matches!(
            pareto_frontier(&bad, &[Maximise]),
            Err(OptimizeError::BadEstimate {
                candidate: 0,
                criterion: 0,
                ..
            })
        ));
        let nan = vec![vec![point(1.0)], vec![point(f64::NAN)]];
        assert!(matches!(
            pareto_frontier(&nan, &[Maximise]),
            Err(OptimizeError::BadEstimate { candidate: 1, .. })
        ));
        let short = vec![vec![point(1.0), point(2.0)], vec![point(1.0)]];
        assert!(matches!(
            pareto_frontier(&short, &[Maximise, Maximise]),
            Err(OptimizeError::EstimateCount {
                candidate: 1,
                expected: 2,
                got: 1
            })
        ));
        assert_eq!(
            pareto_frontier(&[], &[Maximise]),
            Err(OptimizeError::Candidates(0))
        );
    }

    #[test]
    fn a_t_interval_computed_by_hand() {
        // 1..=5: mean 3, sd √2.5, sd/√5 = √0.5 = 0.707107; t(0.975, 4) =
        // 2.776 (table), so 3 ± 1.963.
        let interval = t_interval(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        assert_eq!(interval.value, 3.0);
        assert!((interval.high - 4.963).abs() < 1e-3, "{interval:?}");
        assert!((interval.low - 1.037).abs() < 1e-3, "{interval:?}");
        assert!(t_interval(&[1.0], 0.95).is_err());
        assert!(t_interval(&[1.0, 2.0], 1.0).is_err());
        assert!(t_interval(&[1.0, f64::INFINITY], 0.9).is_err());
    }
}
