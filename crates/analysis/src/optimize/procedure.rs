//! The optimisation's procedure, replayed from the outputs so far: racing
//! over every candidate, Kim and Nelson's selection among the survivors
//! proven feasible on fresh replications, and a confirmation of the
//! chosen rule set on fresh replications again. Each phase reads its own
//! block of replication numbers ([`Layout`]), common to every candidate.
//!
//! The procedure keeps nothing between stages: [`progress`] replays every
//! decision from the outputs and says what the next stage runs, as a list
//! of whole units fixed by the data of the stages before it, so a stage
//! can be split among shards by position and resumed in any order.

use super::plan::Optimization;
use super::{
    CandidateFeasibility, Constraint, Interval, KnDecision, Objective, OptimizeError,
    RacingDecision, feasibility, kn_select, race, t_interval,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The outputs so far: per candidate, replication number → row (the
/// objective, then each constraint's metric).
#[derive(Clone, Debug, Default)]
pub struct Observations {
    pub rows: Vec<BTreeMap<usize, Vec<f64>>>,
}

impl Observations {
    pub fn new(candidates: usize) -> Observations {
        Observations {
            rows: vec![BTreeMap::new(); candidates],
        }
    }

    /// The rows of `candidate` from replication `from` on, while they are
    /// consecutive, at most `most`.
    fn block(&self, candidate: usize, from: usize, most: usize) -> Vec<Vec<f64>> {
        let mut rows = Vec::new();
        for (offset, (&replication, row)) in self.rows[candidate].range(from..).enumerate() {
            if replication != from + offset || offset >= most {
                break;
            }
            rows.push(row.clone());
        }
        rows
    }
}

/// What a stage is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Racing,
    Selection,
    Confirmation,
}

/// The next stage: the same list of units for as long as it is incomplete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// 1 for the first stage of racing, counting every stage before.
    pub number: usize,
    pub phase: Phase,
    pub candidates: Vec<usize>,
    /// Replications `start..end` (of the phase's block) of each candidate.
    pub start: usize,
    pub end: usize,
    /// The sweep units, in increasing order.
    pub units: Vec<u64>,
}

/// The chosen rule set's confirmation on fresh replications.
#[derive(Clone, Debug, Serialize)]
pub struct Confirmation {
    pub replications: usize,
    /// The objective's mean with its two-sided Student-t interval at the
    /// optimisation's confidence.
    pub objective: Interval,
    /// Each constraint's one-sided bounds (Bonferroni over the constraints).
    pub feasibility: CandidateFeasibility,
}

/// How the selection ended.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Racing left one candidate in contention (or there was one).
    ByRacing,
    /// Kim and Nelson's procedure stopped with one candidate.
    Kn(KnDecision),
    /// KN reached the most replications allowed with several candidates
    /// left: the best mean was taken, without KN's guarantee.
    Truncated(KnDecision),
}

/// Everything decided so far.
#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub racing: RacingDecision,
    /// The candidates that entered the selection: racing's survivors proven
    /// feasible (all survivors without constraints, or the last one).
    pub contenders: Vec<usize>,
    pub selection: Option<Selection>,
    pub selected: Option<usize>,
    pub confirmation: Option<Confirmation>,
    /// The stage to run next; `None` when the optimisation is complete.
    pub next: Option<Stage>,
    /// Stages complete.
    pub stages_complete: usize,
}

impl Progress {
    pub fn complete(&self) -> bool {
        self.next.is_none()
    }
}

/// The objective and constraints as the statistics see them: metric 0 is
/// the objective, metric `i + 1` constraint `i`'s.
pub fn statistics_view(optimization: &Optimization) -> (Objective, Vec<Constraint>) {
    let objective = Objective {
        metric: 0,
        direction: optimization.direction,
    };
    let constraints = optimization
        .constraints
        .iter()
        .enumerate()
        .map(|(index, constraint)| Constraint {
            metric: index + 1,
            relation: constraint.relation,
            bound: constraint.bound,
        })
        .collect();
    (objective, constraints)
}

/// Replays the procedure over `observations` of `candidates` candidates.
pub fn progress(
    optimization: &Optimization,
    candidates: usize,
    observations: &Observations,
) -> Result<Progress, OptimizeError> {
    let layout = optimization.layout();
    let (objective, constraints) = statistics_view(optimization);
    let unit = |candidate: usize, replication: usize| -> u64 {
        (candidate * layout.total() + replication) as u64
    };
    let stage_of = |number: usize,
                    phase: Phase,
                    candidates: Vec<usize>,
                    offset: usize,
                    start: usize,
                    end: usize| {
        let units = candidates
            .iter()
            .flat_map(|&candidate| (offset + start..offset + end).map(move |j| unit(candidate, j)))
            .collect();
        Stage {
            number,
            phase,
            candidates,
            start,
            end,
            units,
        }
    };
    // Racing, on replications 0..racing.
    let racing_outputs: Vec<Vec<Vec<f64>>> = (0..candidates)
        .map(|candidate| observations.block(candidate, 0, layout.racing))
        .collect();
    let racing = race(
        &racing_outputs,
        objective,
        &constraints,
        &optimization.racing_settings(),
    )?;
    let mut progress = Progress {
        contenders: Vec::new(),
        selection: None,
        selected: None,
        confirmation: None,
        next: None,
        stages_complete: racing.stages_applied,
        racing,
    };
    if !progress.racing.done {
        let stage = progress.racing.stages_applied;
        let start = match stage {
            0 => 0,
            _ => progress.racing.schedule[stage - 1],
        };
        let end = progress.racing.schedule[stage];
        progress.next = Some(stage_of(
            stage + 1,
            Phase::Racing,
            progress.racing.survivors.clone(),
            0,
            start,
            end,
        ));
        return Ok(progress);
    }
    progress.contenders = if progress.racing.survivors.len() <= 1 {
        progress.racing.survivors.clone()
    } else {
        progress.racing.proven_feasible.clone()
    };
    let mut stages = progress.stages_complete;
    let selected = match progress.contenders.len() {
        0 => return Ok(progress),
        1 => {
            progress.selection = Some(Selection::ByRacing);
            progress.contenders[0]
        }
        _ => {
            let offset = layout.selection_offset();
            let outputs: Vec<Vec<Vec<f64>>> = progress
                .contenders
                .iter()
                .map(|&candidate| observations.block(candidate, offset, layout.selection))
                .collect();
            let mut decision = kn_select(&outputs, objective, &optimization.selection_settings())?;
            let checks = match decision.replications_checked {
                0 => 0,
                checked => {
                    1 + (checked - optimization.first_stage).div_ceil(optimization.selection_batch)
                }
            };
            stages += checks;
            // KN's indices are positions among the contenders.
            let map = |index: &mut usize| *index = progress.contenders[*index];
            decision.survivors.iter_mut().for_each(map);
            decision.selected.iter_mut().for_each(map);
            for elimination in &mut decision.eliminations {
                map(&mut elimination.candidate);
                if let super::Reason::Worse { than } = &mut elimination.reason {
                    map(than);
                }
            }
            for request in &mut decision.next {
                map(&mut request.candidate);
            }
            if let Some(best) = decision.selected {
                progress.selection = Some(Selection::Kn(decision));
                best
            } else {
                let end = decision.next.first().map_or(0, |request| request.end);
                if end <= layout.selection {
                    let start = decision.replications_checked;
                    progress.stages_complete = stages;
                    progress.next = Some(stage_of(
                        stages + 1,
                        Phase::Selection,
                        decision.survivors.clone(),
                        offset,
                        start,
                        end,
                    ));
                    progress.selection = Some(Selection::Kn(decision));
                    return Ok(progress);
                }
                // The most replications allowed are spent: the best mean
                // over them, without KN's guarantee.
                let checked = decision.replications_checked;
                let sign = optimization.direction.sign();
                let score = |candidate: usize| {
                    sign * observations
                        .block(candidate, offset, checked)
                        .iter()
                        .map(|row| row[0])
                        .sum::<f64>()
                };
                let mut best = decision.survivors[0];
                for &candidate in &decision.survivors[1..] {
                    if score(candidate) > score(best) {
                        best = candidate;
                    }
                }
                progress.selection = Some(Selection::Truncated(decision));
                best
            }
        }
    };
    progress.selected = Some(selected);
    progress.stages_complete = stages;
    let rows = observations.block(selected, layout.confirmation_offset(), layout.confirmation);
    if rows.len() < layout.confirmation {
        progress.next = Some(stage_of(
            stages + 1,
            Phase::Confirmation,
            vec![selected],
            layout.confirmation_offset(),
            0,
            layout.confirmation,
        ));
        return Ok(progress);
    }
    progress.stages_complete = stages + 1;
    let objective_values: Vec<f64> = rows.iter().map(|row| row[0]).collect();
    let feasibility = feasibility(
        std::slice::from_ref(&rows),
        &constraints,
        optimization.alpha(),
    )?
    .remove(0);
    progress.confirmation = Some(Confirmation {
        replications: rows.len(),
        objective: t_interval(&objective_values, optimization.confidence)?,
        feasibility,
    });
    Ok(progress)
}

#[cfg(test)]
mod tests {
    use super::super::plan::MetricConstraint;
    use super::super::{Direction, Relation};
    use super::*;

    fn optimization() -> Optimization {
        Optimization {
            objective: "gmv.covered".to_string(),
            direction: Direction::Maximise,
            constraints: vec![MetricConstraint {
                metric: "refunds.rate".to_string(),
                relation: Relation::AtMost,
                bound: 1.0,
            }],
            confidence: 0.95,
            indifference: 0.5,
            first_stage: 4,
            growth: 2,
            racing_replications: 8,
            selection_batch: 2,
            selection_replications: 20,
            confirmation: 3,
            common_random_numbers: true,
        }
    }

    /// Rows for replications `range` of `candidate`: objective `mean` plus a
    /// small pattern, constraint metric 0 (far inside its bound).
    fn fill(
        observations: &mut Observations,
        candidate: usize,
        range: std::ops::Range<usize>,
        mean: f64,
    ) {
        for j in range {
            let noise = ((j * 7) % 5) as f64 * 0.01;
            observations.rows[candidate].insert(j, vec![mean + noise, 0.0]);
        }
    }

    #[test]
    fn a_block_is_the_consecutive_rows_from_its_start() {
        let mut observations = Observations::new(1);
        fill(&mut observations, 0, 0..3, 1.0);
        fill(&mut observations, 0, 4..6, 1.0);
        assert_eq!(observations.block(0, 0, 10).len(), 3);
        assert_eq!(observations.block(0, 0, 2).len(), 2);
        assert_eq!(observations.block(0, 4, 10).len(), 2);
        assert!(observations.block(0, 3, 10).is_empty());
    }

    #[test]
    fn the_first_stage_is_every_candidate_on_the_first_replications() {
        let optimization = optimization();
        let total = optimization.layout().total(); // 8 + 20 + 3
        assert_eq!(total, 31);
        let state = progress(&optimization, 3, &Observations::new(3)).unwrap();
        let stage = state.next.unwrap();
        assert_eq!((stage.number, stage.phase), (1, Phase::Racing));
        assert_eq!((stage.start, stage.end), (0, 4));
        // Unit c x 31 + j: replications 0..4 of candidates 0, 1 and 2.
        let expected: Vec<u64> = [0u64, 31, 62]
            .iter()
            .flat_map(|base| (0..4).map(move |j| base + j))
            .collect();
        assert_eq!(stage.units, expected);
        // Half a stage done: the same stage, the same units.
        let mut half = Observations::new(3);
        fill(&mut half, 0, 0..4, 1.0);
        fill(&mut half, 1, 0..2, 1.0);
        assert_eq!(
            progress(&optimization, 3, &half).unwrap().next.unwrap(),
            stage
        );
    }

    #[test]
    fn a_clear_winner_goes_straight_to_its_confirmation_after_the_fresh_block() {
        let optimization = optimization();
        let mut observations = Observations::new(3);
        // Candidate 1 is 10 ahead on every replication: racing drops the
        // others at the first stage (paired differences of 10 with a spread
        // of hundredths).
        for (candidate, mean) in [(0, 0.0), (1, 10.0), (2, 0.0)] {
            fill(&mut observations, candidate, 0..4, mean);
        }
        let state = progress(&optimization, 3, &observations).unwrap();
        assert_eq!(state.racing.survivors, vec![1]);
        assert_eq!(state.selected, Some(1));
        assert!(matches!(state.selection, Some(Selection::ByRacing)));
        let stage = state.next.unwrap();
        assert_eq!(stage.phase, Phase::Confirmation);
        // Replications 28..31 of candidate 1: after racing's 8 and the
        // selection's 20.
        assert_eq!(stage.units, vec![31 + 28, 31 + 29, 31 + 30]);
        assert_eq!(stage.number, 2);
        fill(&mut observations, 1, 28..31, 10.0);
        let done = progress(&optimization, 3, &observations).unwrap();
        assert!(done.complete());
        let confirmation = done.confirmation.unwrap();
        assert_eq!(confirmation.replications, 3);
        assert_eq!(
            confirmation.feasibility.verdict,
            super::super::Verdict::Feasible
        );
    }

    #[test]
    fn close_survivors_go_to_the_selection_on_fresh_replications() {
        let optimization = optimization();
        let mut observations = Observations::new(2);
        // Equal candidates: racing cannot separate them in its two stages.
        fill(&mut observations, 0, 0..8, 1.0);
        fill(&mut observations, 1, 0..8, 1.0);
        let state = progress(&optimization, 2, &observations).unwrap();
        assert!(state.racing.done);
        assert_eq!(state.contenders, vec![0, 1]);
        let stage = state.next.unwrap();
        assert_eq!(stage.phase, Phase::Selection);
        // KN's first stage: replications 8..12 of both (offset 8).
        assert_eq!((stage.start, stage.end), (0, 4));
        assert_eq!(stage.units, vec![8, 9, 10, 11, 39, 40, 41, 42]);
    }
}
