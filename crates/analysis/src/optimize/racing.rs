//! Racing: screening many candidates in stages of growing size, dropping
//! those that are clearly infeasible or clearly worse than the leader, so
//! that later replications go to the candidates still in contention.
//!
//! The schedule is fixed by the settings before any run: stage s has
//! n_s replications per candidate in contention, n_0 the first stage and
//! n_(s+1) = min(growth · n_s, last), ending at the last stage's size; S
//! stages in all. At each stage, with the first n_s replications of each
//! candidate in contention:
//!
//! 1. Constraints: each constrained metric gets one-sided Student-t bounds
//!    at 1 - γ, γ = α_f / ((k + m) S). A candidate whose unfavourable bound
//!    violates a constraint is eliminated (clearly infeasible); one whose
//!    favourable bounds meet every constraint is proven feasible.
//! 2. The leader is the proven-feasible candidate with the best mean
//!    objective (every candidate is proven feasible when there is no
//!    constraint; ties go to the lowest index). Without a proven-feasible
//!    candidate there is no leader and no elimination on the objective.
//! 3. Each other candidate c still in contention is compared with the
//!    leader on paired differences D_j = ±(X_leader,j - X_c,j) (signed so
//!    that positive favours the leader), j < n_s: c is eliminated when the
//!    one-sided lower bound D̄ - t(1 - β, n_s - 1) · s_D / √n_s is above 0,
//!    β = α_o / ((k - 1) S).
//!
//! α_o = α and α_f = 0 without constraints; α_o = α_f = α/2 with them;
//! k is the number of candidates and m of constraints.
//!
//! Guarantee: let b be a best feasible candidate (the best mean objective
//! among candidates whose true means meet every constraint). Under
//! normality of the outputs (approximately, by the central limit theorem),
//! P(b is eliminated at any stage) <= α, whatever the other candidates'
//! means: eliminating b takes (i) a lower bound of one of b's m constraints
//! above its true mean at one of S stages (at most m S γ), or (ii) a leader
//! c that is in fact infeasible but was proven feasible, an upper bound of
//! c's violated constraint below its true mean (at most (k - 1) S γ over
//! all c), or (iii) a feasible c, so no better than b, whose paired lower
//! bound over b is above 0 (at most (k - 1) S β). Union bounds need no
//! independence between stages or candidates, so common random numbers
//! and data-dependent leaders are covered. If several candidates tie for
//! best, each of them is protected in this way.
//!
//! Not guaranteed: that anything is eliminated (there is no indifference
//! zone and no statement of power); that the survivors are good, or that
//! the leader is the best; anything once the settings or the candidates
//! change between stages (the schedule and the shares of α are fixed by
//! them); anything when no candidate is feasible. Screening is a first
//! step: select among the survivors with [`super::kn_select`] on fresh
//! replications.

use super::feasibility::{Verdict, candidate_verdict, check_constraint};
use super::student::{mean_sd, t_upper_quantile};
use super::{
    Constraint, Elimination, FIRST_STAGE_DEFAULT, FIRST_STAGE_MIN, Objective, OptimizeError,
    REPLICATIONS_MAX, Reason, ReplicationRequest, check_alpha, check_constraints, check_level,
    check_objective, check_outputs, requests_up_to,
};
use serde::{Deserialize, Serialize};

/// Largest factor between the sizes of consecutive stages.
pub const GROWTH_MAX: usize = 16;

/// The plan of a race, fixed before its first run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RacingSettings {
    /// The probability of eliminating the best feasible candidate.
    pub alpha: f64,
    /// Replications per candidate in the first stage.
    pub first_stage: usize,
    /// Each stage's size is this many times the one before (until the last).
    pub growth: usize,
    /// Replications per candidate in the last stage.
    pub replications_most: usize,
}

impl Default for RacingSettings {
    /// α = 0.05 and stages of 10, 20, 40, 80 and 160 replications.
    fn default() -> RacingSettings {
        RacingSettings {
            alpha: 0.05,
            first_stage: FIRST_STAGE_DEFAULT,
            growth: 2,
            replications_most: 160,
        }
    }
}

/// What a race says after the stages its outputs allow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RacingDecision {
    /// Replications per candidate at each stage.
    pub schedule: Vec<usize>,
    /// How many stages' tests were applied.
    pub stages_applied: usize,
    /// Candidates still in contention, in index order.
    pub survivors: Vec<usize>,
    /// In the order they happened: by stage, then by candidate.
    pub eliminations: Vec<Elimination>,
    /// The leader at the last stage applied, if a candidate was proven
    /// feasible there.
    pub leader: Option<usize>,
    /// The survivors proven feasible at the last stage applied (all of
    /// them without constraints), in index order.
    pub proven_feasible: Vec<usize>,
    /// No stage is left to run: the last was applied, or at most one
    /// candidate remains.
    pub done: bool,
    /// The next stage's runs; empty when done.
    pub next: Vec<ReplicationRequest>,
    /// β: the one-sided error probability of each comparison with the leader.
    pub objective_level: f64,
    /// γ: the one-sided error probability of each constraint bound; `None`
    /// without constraints.
    pub constraint_level: Option<f64>,
}

/// The stages' sizes: `first_stage`, then `growth` times the one before,
/// ending at `replications_most`.
pub fn racing_schedule(settings: &RacingSettings) -> Result<Vec<usize>, OptimizeError> {
    let RacingSettings {
        first_stage,
        growth,
        replications_most,
        ..
    } = *settings;
    if !(FIRST_STAGE_MIN..=REPLICATIONS_MAX).contains(&first_stage) {
        return Err(OptimizeError::FirstStage(first_stage));
    }
    if !(2..=GROWTH_MAX).contains(&growth) {
        return Err(OptimizeError::Growth(growth));
    }
    if !(first_stage..=REPLICATIONS_MAX).contains(&replications_most) {
        return Err(OptimizeError::LastStage {
            first: first_stage,
            most: replications_most,
        });
    }
    let mut schedule = vec![first_stage];
    while let Some(&last) = schedule.last().filter(|&&last| last < replications_most) {
        schedule.push((last * growth).min(replications_most));
    }
    Ok(schedule)
}

/// Replays the race over `outputs` (candidates × replications × metrics,
/// paired by replication) and says who is still in contention and what
/// the next stage runs.
pub fn race(
    outputs: &[Vec<Vec<f64>>],
    objective: Objective,
    constraints: &[Constraint],
    settings: &RacingSettings,
) -> Result<RacingDecision, OptimizeError> {
    let metrics = check_outputs(outputs)?;
    check_objective(objective, metrics)?;
    check_constraints(constraints, metrics)?;
    check_alpha(settings.alpha)?;
    let schedule = racing_schedule(settings)?;
    let candidates = outputs.len();
    let stages = schedule.len() as f64;
    let (alpha_objective, alpha_constraints) = match constraints.len() {
        0 => (settings.alpha, 0.0),
        _ => (settings.alpha / 2.0, settings.alpha / 2.0),
    };
    let objective_level = alpha_objective / ((candidates.max(2) - 1) as f64 * stages);
    check_level("racing's comparisons with the leader", objective_level)?;
    let constraint_level = (!constraints.is_empty())
        .then(|| alpha_constraints / ((candidates + constraints.len()) as f64 * stages));
    if let Some(level) = constraint_level {
        check_level("racing's constraint bounds", level)?;
    }
    let mut decision = RacingDecision {
        schedule: schedule.clone(),
        stages_applied: 0,
        survivors: (0..candidates).collect(),
        eliminations: Vec::new(),
        leader: None,
        proven_feasible: Vec::new(),
        done: false,
        next: Vec::new(),
        objective_level,
        constraint_level,
    };
    let race = Race {
        outputs,
        objective,
        constraints,
        objective_level,
        constraint_level: constraint_level.unwrap_or(0.0),
    };
    for &replications in &schedule {
        if decision.survivors.len() <= 1 {
            break;
        }
        let next = requests_up_to(outputs, &decision.survivors, replications);
        if !next.is_empty() {
            decision.next = next;
            return Ok(decision);
        }
        race.stage(replications, &mut decision);
        decision.stages_applied += 1;
    }
    decision.done = true;
    Ok(decision)
}

/// What every stage of one race reads.
struct Race<'a> {
    outputs: &'a [Vec<Vec<f64>>],
    objective: Objective,
    constraints: &'a [Constraint],
    objective_level: f64,
    constraint_level: f64,
}

impl Race<'_> {
    /// Applies one stage of `replications` to the survivors of `decision`.
    fn stage(&self, replications: usize, decision: &mut RacingDecision) {
        let mut proven = Vec::new();
        let mut contenders = Vec::new();
        let earlier = decision.eliminations.len();
        let t_constraint = if self.constraints.is_empty() {
            0.0
        } else {
            t_upper_quantile(replications - 1, self.constraint_level)
        };
        for &candidate in &decision.survivors {
            let rows = &self.outputs[candidate];
            let checks: Vec<_> = self
                .constraints
                .iter()
                .map(|constraint| check_constraint(rows, replications, *constraint, t_constraint))
                .collect();
            let violated = checks
                .iter()
                .position(|check| check.verdict == Verdict::Infeasible);
            if let Some(constraint) = violated {
                decision.eliminations.push(Elimination {
                    candidate,
                    replications,
                    reason: Reason::Infeasible { constraint },
                });
                continue;
            }
            if candidate_verdict(&checks) == Verdict::Feasible {
                proven.push(candidate);
            }
            contenders.push(candidate);
        }
        let leader = self.leader(&proven, replications);
        decision.leader = leader;
        if let Some(leader) = leader {
            let t = t_upper_quantile(replications - 1, self.objective_level);
            contenders.retain(|&candidate| {
                let worse =
                    candidate != leader && self.clearly_worse(candidate, leader, replications, t);
                if worse {
                    decision.eliminations.push(Elimination {
                        candidate,
                        replications,
                        reason: Reason::Worse { than: leader },
                    });
                }
                !worse
            });
        }
        decision.proven_feasible = proven
            .into_iter()
            .filter(|candidate| contenders.contains(candidate))
            .collect();
        decision.survivors = contenders;
        decision.eliminations[earlier..].sort_by_key(|elimination| elimination.candidate);
    }

    /// The candidate of `proven` with the best mean objective over the
    /// first `replications`, the lowest index among equals.
    fn leader(&self, proven: &[usize], replications: usize) -> Option<usize> {
        let sign = self.objective.direction.sign();
        let score = |candidate: usize| {
            let rows = &self.outputs[candidate][..replications];
            sign * rows
                .iter()
                .map(|row| row[self.objective.metric])
                .sum::<f64>()
        };
        let mut best: Option<(usize, f64)> = None;
        for &candidate in proven {
            let value = score(candidate);
            if best.is_none_or(|(_, best_value)| value > best_value) {
                best = Some((candidate, value));
            }
        }
        best.map(|(candidate, _)| candidate)
    }

    /// Whether the one-sided lower bound of the leader's paired advantage
    /// over `candidate`, at quantile `t`, is above zero.
    fn clearly_worse(&self, candidate: usize, leader: usize, replications: usize, t: f64) -> bool {
        let sign = self.objective.direction.sign();
        let metric = self.objective.metric;
        let differences = self.outputs[leader]
            .iter()
            .zip(&self.outputs[candidate])
            .map(|(ahead, behind)| sign * (ahead[metric] - behind[metric]));
        let (mean, sd) = mean_sd(differences, replications);
        mean - t * sd / (replications as f64).sqrt() > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::super::synthetic::{Systems, normal_systems, side_by_side};
    use super::super::{Direction, Relation};
    use super::*;
    use crate::sensitivity::Draws;

    const MAXIMISE: Objective = Objective {
        metric: 0,
        direction: Direction::Maximise,
    };

    #[test]
    fn the_schedule_doubles_up_to_the_last_stage() {
        let settings = RacingSettings::default();
        assert_eq!(
            racing_schedule(&settings).unwrap(),
            vec![10, 20, 40, 80, 160]
        );
        let uneven = RacingSettings {
            first_stage: 5,
            growth: 3,
            replications_most: 50,
            ..settings
        };
        assert_eq!(racing_schedule(&uneven).unwrap(), vec![5, 15, 45, 50]);
        let single = RacingSettings {
            replications_most: 10,
            ..settings
        };
        assert_eq!(racing_schedule(&single).unwrap(), vec![10]);
        for bad in [
            RacingSettings {
                first_stage: 1,
                ..settings
            },
            RacingSettings {
                growth: 1,
                ..settings
            },
            RacingSettings {
                growth: 17,
                ..settings
            },
            RacingSettings {
                replications_most: 9,
                ..settings
            },
            RacingSettings {
                replications_most: REPLICATIONS_MAX + 1,
                ..settings
            },
        ] {
            assert!(racing_schedule(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_system_worse_by_five_sd_is_eliminated_at_the_first_stage() {
        // Five independent systems of sd 1; system 3 is 5 below the others.
        // At the first stage (n = 10) the leader's paired advantage over it
        // has mean about 5 and sd about √2: its t statistic is about
        // 5 / (√2 / √10) = 11.2, against t(1 - β, 9) with β = 0.05 / (4 · 5):
        // t(0.9975, 9) = 3.69. Failing takes the sample sd of the differences
        // above 3 times its true value, a chi-square tail of 9 df beyond 81:
        // far below 1e-12 over 200 trials.
        let mut draws = Draws::new(1, "optimize/test/racing-five-sd");
        let systems = Systems {
            means: vec![0.0, 0.0, 0.0, -5.0, 0.0],
            sd: 1.0,
            correlation: 0.0,
        };
        for _ in 0..200 {
            let outputs = normal_systems(&systems, 10, &mut draws);
            let decision = race(&outputs, MAXIMISE, &[], &RacingSettings::default()).unwrap();
            assert_eq!(decision.stages_applied, 1);
            let eliminated = decision
                .eliminations
                .iter()
                .find(|elimination| elimination.candidate == 3)
                .expect("the system 5 sd worse is eliminated");
            assert_eq!(eliminated.replications, 10);
            assert!(!decision.done);
            assert!(decision.next.iter().all(|request| request.candidate != 3));
            assert!(
                decision
                    .next
                    .iter()
                    .all(|request| (request.start, request.end) == (10, 20))
            );
        }
    }

    /// Runs a race over outputs drawn to the last stage's size (the race
    /// reads only what each stage needs, so this is the staged race).
    fn race_trial(
        systems: &Systems,
        constraints: &[Constraint],
        settings: &RacingSettings,
        draws: &mut Draws,
    ) -> RacingDecision {
        let outputs = normal_systems(systems, settings.replications_most, draws);
        let decision = race(&outputs, MAXIMISE, constraints, settings).unwrap();
        assert!(decision.done);
        decision
    }

    #[test]
    fn the_best_is_eliminated_no_more_often_than_alpha_when_all_are_equal() {
        // Equal means are the least favourable case for the best: every
        // other system is as good, so each comparison's error is at its
        // bound. Ten systems, correlation 0.5 (common random numbers),
        // alpha 0.05, stages 10..160: system 0 (one of the best) may be
        // eliminated in at most 5% of trials. Over 1000 trials the count is
        // Binomial(1000, p <= 0.05): mean at most 50, sd at most 6.9, so 70
        // is three sds above the bound. Measured: 40 of 1000 (4.0%): in this
        // least favourable case the union bound over leaders and stages
        // gives away little.
        let mut draws = Draws::new(2, "optimize/test/racing-equal");
        let systems = Systems {
            means: vec![0.0; 10],
            sd: 1.0,
            correlation: 0.5,
        };
        let settings = RacingSettings::default();
        let mut best_eliminated = 0;
        let mut any_eliminated = 0;
        for _ in 0..1000 {
            let decision = race_trial(&systems, &[], &settings, &mut draws);
            best_eliminated += usize::from(!decision.survivors.contains(&0));
            any_eliminated += usize::from(decision.survivors.len() < 10);
        }
        assert!(
            best_eliminated <= 70,
            "system 0 eliminated in {best_eliminated} of 1000 trials"
        );
        eprintln!(
            "racing, all equal: system 0 eliminated in {best_eliminated} of 1000 trials, some system in {any_eliminated}"
        );
    }

    fn at_most(bound: f64) -> Constraint {
        Constraint {
            metric: 1,
            relation: Relation::AtMost,
            bound,
        }
    }

    /// Objective (metric 0) and constrained metric (metric 1) of systems of
    /// sd 1, each metric with its own draws and correlation 0.5.
    fn two_metrics(
        objective: Vec<f64>,
        constrained: Vec<f64>,
        replications: usize,
        draws: &mut Draws,
    ) -> Vec<Vec<Vec<f64>>> {
        let systems = |means| Systems {
            means,
            sd: 1.0,
            correlation: 0.5,
        };
        let left = normal_systems(&systems(objective), replications, draws);
        let right = normal_systems(&systems(constrained), replications, draws);
        side_by_side(left, right)
    }

    #[test]
    fn only_a_candidate_proven_feasible_leads_and_a_clearly_infeasible_one_goes() {
        // Constraint: metric 1 <= 0. At the first stage (n = 10), four
        // candidates:
        // 0: objective 10, constraint mean 0, at the bound: undecided (its
        //    bounds straddle 0 unless a 1 - γ bound misses, γ = 0.025/25).
        // 1: objective 0, constraint mean -10: proven feasible, the leader.
        // 2: objective -5, constraint -10: 5 sd behind the leader, eliminated.
        // 3: objective 20, constraint +10: clearly infeasible, eliminated,
        //    and, though far ahead on the objective, never a leader.
        // Candidate 0 is far ahead of the leader, so it stays: the leader
        // eliminates only what is worse than itself.
        let mut draws = Draws::new(4, "optimize/test/racing-constrained");
        for _ in 0..100 {
            let outputs = two_metrics(
                vec![10.0, 0.0, -5.0, 20.0],
                vec![0.0, -10.0, -10.0, 10.0],
                10,
                &mut draws,
            );
            let decision = race(
                &outputs,
                MAXIMISE,
                &[at_most(0.0)],
                &RacingSettings::default(),
            )
            .unwrap();
            assert_eq!(decision.leader, Some(1));
            assert_eq!(decision.survivors, vec![0, 1]);
            assert_eq!(
                decision.eliminations,
                vec![
                    Elimination {
                        candidate: 2,
                        replications: 10,
                        reason: Reason::Worse { than: 1 }
                    },
                    Elimination {
                        candidate: 3,
                        replications: 10,
                        reason: Reason::Infeasible { constraint: 0 }
                    },
                ]
            );
            assert_eq!(decision.constraint_level, Some(0.025 / (5.0 * 5.0)));
            assert_eq!(decision.objective_level, 0.025 / (3.0 * 5.0));
        }
    }

    #[test]
    fn a_best_feasible_candidate_at_its_bound_is_eliminated_no_more_often_than_alpha() {
        // Ten systems equal on the objective; system 0's constrained metric
        // sits exactly at its bound (feasible, barely), the others' 10 sd
        // inside it. System 0 is a best feasible candidate; it can be lost
        // as clearly infeasible (at most m S γ = 5 · 0.025 / 55) or to a
        // proven-feasible leader (at most 9 S β = 0.025): at most 5% with
        // the union bounds. Over 1000 trials the count is at most
        // Binomial(1000, 0.05): 70 is three sds above its mean.
        // Measured: 20 of 1000 (2.0%).
        let mut draws = Draws::new(5, "optimize/test/racing-at-bound");
        let settings = RacingSettings::default();
        let mut constrained = vec![-10.0; 10];
        constrained[0] = 0.0;
        let mut lost = 0;
        for _ in 0..1000 {
            let outputs = two_metrics(vec![0.0; 10], constrained.clone(), 160, &mut draws);
            let decision = race(&outputs, MAXIMISE, &[at_most(0.0)], &settings).unwrap();
            assert!(decision.done);
            lost += usize::from(!decision.survivors.contains(&0));
        }
        eprintln!("racing, best feasible at its bound: eliminated in {lost} of 1000 trials");
        assert!(lost <= 70, "system 0 eliminated in {lost} of 1000 trials");
    }

    #[test]
    fn a_race_is_done_with_one_survivor_or_after_its_last_stage_and_refuses_bad_settings() {
        // Constant outputs: the differences have no spread, so the first
        // stage eliminates everything below the leader.
        let outputs = vec![
            vec![vec![1.0]; 10],
            vec![vec![2.0]; 10],
            vec![vec![0.0]; 10],
        ];
        let decision = race(&outputs, MAXIMISE, &[], &RacingSettings::default()).unwrap();
        assert!(decision.done);
        assert_eq!(decision.survivors, vec![1]);
        assert_eq!(decision.stages_applied, 1);
        assert!(decision.next.is_empty());
        // Nothing run yet: every candidate is asked for the first stage.
        let empty = vec![Vec::new(); 3];
        let decision = race(&empty, MAXIMISE, &[], &RacingSettings::default()).unwrap();
        assert_eq!(decision.next.len(), 3);
        assert!(
            decision
                .next
                .iter()
                .all(|request| (request.start, request.end) == (0, 10))
        );
        assert!(!decision.done);
        // Equal outputs are never eliminated, and the race ends after the
        // last stage with all of them.
        let equal = vec![vec![vec![1.0]; 20]; 3];
        let short = RacingSettings {
            replications_most: 20,
            ..RacingSettings::default()
        };
        let decision = race(&equal, MAXIMISE, &[], &short).unwrap();
        assert!(decision.done && decision.stages_applied == 2);
        assert_eq!(decision.survivors, vec![0, 1, 2]);
        assert_eq!(decision.leader, Some(0));
        // A single candidate has nothing to race.
        let decision = race(&[Vec::new()], MAXIMISE, &[], &short).unwrap();
        assert!(decision.done && decision.survivors == vec![0]);
        // Errors.
        let bad_alpha = RacingSettings {
            alpha: 0.0,
            ..short
        };
        assert!(race(&equal, MAXIMISE, &[], &bad_alpha).is_err());
        let objective = Objective {
            metric: 1,
            ..MAXIMISE
        };
        assert!(matches!(
            race(&equal, objective, &[], &short),
            Err(OptimizeError::ObjectiveMetric {
                metric: 1,
                metrics: 1
            })
        ));
    }
}
