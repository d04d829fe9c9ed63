//! Selecting the best candidate with a guarantee: Kim and Nelson's (2001)
//! fully sequential procedure KN, with common random numbers, checked at
//! the end of each batch of replications.
//!
//! Setup: k candidates, confidence 1 - α (1/k < 1 - α), an indifference
//! zone δ > 0 (the smallest difference in the objective worth detecting,
//! in its units), a first stage of n0 >= 2 replications. With X the
//! objective signed so that more is better:
//!
//! ```text
//! η  = ½ [(2α / (k - 1))^(-2 / (n0 - 1)) - 1]         h² = 2η (n0 - 1)
//! S²_il = the sample variance (divisor n0 - 1) of X_ij - X_lj, j < n0
//! ```
//!
//! Screening at a check with r replications: candidate i in contention is
//! eliminated when, for some other candidate l in contention before this
//! check,
//!
//! ```text
//! Σ_j<r X_lj - Σ_j<r X_ij  >  max(0, h² S²_il / (2δ) - δ r / 2),
//! ```
//!
//! which is Kim and Nelson's X̄_i(r) < X̄_l(r) - W_il(r), W_il(r) =
//! max(0, δ/(2r) (h² S²_il / δ² - r)), multiplied by r. The procedure stops
//! when one candidate is left. The continuation region of every pair is a
//! triangle that closes at r = h² S²_il / δ², so by N + 1 replications,
//! N = max over pairs of ⌊h² S²_il / δ²⌋, every candidate whose sum is
//! below the largest has been eliminated; if equal sums are left there
//! (identical outputs), the lowest index is selected. When n0 > N the
//! first check already is that last one.
//!
//! Checks happen at r = n0, n0 + b, n0 + 2b, ... (b the batch; b = 1 is
//! the original, fully sequential procedure), the last one at N + 1.
//!
//! Guarantee (Kim and Nelson 2001): if the outputs are normal (in any
//! joint distribution across candidates at one replication, so common
//! random numbers are allowed, and independent across replications) and
//! the best mean exceeds every other by at least δ, the best is selected
//! with probability at least 1 - α. Each pair's sum of differences is a
//! Gaussian random walk; the best is lost to candidate i only if that
//! walk, seen at the check times, leaves the pair's triangle through i's
//! side first. Fabian (1974) bounds that probability for a continuous
//! Brownian motion with the walk's drift; averaged over S²_il (a scaled
//! chi-square independent of the later sums) the bound is
//! ½ (1 + 2η)^(-(n0 - 1)/2) = α/(k - 1) for the η above. Jennison,
//! Johnstone and Turnbull (1982) show that the motion observed only at a
//! set of discrete times fixed in advance leaves through the wrong side
//! no more often than the continuous one. Kim and Nelson apply that to
//! the times n0, n0 + 1, ...; it applies as well to n0, n0 + b, ..., and
//! to the last check N + 1, which depends only on the first stage's
//! variances (given them, every check time is fixed). So checking only at
//! the end of each batch keeps the guarantee: the bound is the continuous
//! path's, which any sparser observation leaves in place. The price is
//! replications, since an elimination waits for the next check and a walk
//! that crossed a boundary between checks may come back inside.
//!
//! Not guaranteed: anything when the best is less than δ ahead (then KN
//! selects a candidate within δ of the best with high probability in
//! practice, which its theorem does not state); exact coverage for
//! non-normal outputs (the central limit theorem over replications helps;
//! a heavy-tailed metric may need batching of replications into means);
//! and anything if the batch, α, δ, n0 or the candidates change between
//! stages, or if the outputs given to the procedure were already used to
//! screen the candidates: run it on fresh replications, numbered from an
//! offset common to every candidate.

use super::{
    Elimination, FIRST_STAGE_DEFAULT, FIRST_STAGE_MIN, Objective, OptimizeError, REPLICATIONS_MAX,
    Reason, ReplicationRequest, check_alpha, check_objective, check_outputs, requests_up_to,
};
use serde::{Deserialize, Serialize};

/// The parameters of a selection, fixed before its first run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnSettings {
    /// One minus the probability of correct selection.
    pub alpha: f64,
    /// The indifference zone, in the objective's units.
    pub delta: f64,
    /// Replications of the first stage, n0.
    pub first_stage: usize,
    /// Replications between checks after the first stage.
    pub batch: usize,
}

impl KnSettings {
    /// `alpha` and `delta` with a first stage of [`FIRST_STAGE_DEFAULT`]
    /// replications and a check after every replication.
    pub fn new(alpha: f64, delta: f64) -> KnSettings {
        KnSettings {
            alpha,
            delta,
            first_stage: FIRST_STAGE_DEFAULT,
            batch: 1,
        }
    }
}

/// What KN says after the checks its outputs allow.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KnDecision {
    pub eta: f64,
    pub h_squared: f64,
    /// N + 1 (at least n0): no candidate needs more replications. Known
    /// once the first stage is in.
    pub replications_most: Option<usize>,
    /// Replications at the last check applied; 0 before the first.
    pub replications_checked: usize,
    /// Candidates in contention, in index order.
    pub survivors: Vec<usize>,
    /// In the order they happened: by check, then by candidate.
    pub eliminations: Vec<Elimination>,
    /// The best candidate, once the procedure has stopped.
    pub selected: Option<usize>,
    /// Per candidate, the replications the procedure has read: the check
    /// that eliminated it, or the last check.
    pub replications_used: Vec<usize>,
    /// The next stage's runs; empty once a candidate is selected.
    pub next: Vec<ReplicationRequest>,
}

/// Replays KN over `outputs` (candidates × replications × metrics, paired
/// by replication) and says who is in contention, whether the best is
/// selected, and what the next stage runs.
pub fn kn_select(
    outputs: &[Vec<Vec<f64>>],
    objective: Objective,
    settings: &KnSettings,
) -> Result<KnDecision, OptimizeError> {
    let metrics = check_outputs(outputs)?;
    check_objective(objective, metrics)?;
    check_settings(settings)?;
    let candidates = outputs.len();
    let (eta, h_squared) = eta_h_squared(settings.alpha, candidates, settings.first_stage);
    let mut decision = KnDecision {
        eta,
        h_squared,
        replications_most: None,
        replications_checked: 0,
        survivors: (0..candidates).collect(),
        eliminations: Vec::new(),
        selected: None,
        replications_used: vec![0; candidates],
        next: Vec::new(),
    };
    if candidates == 1 {
        decision.selected = Some(0);
        return Ok(decision);
    }
    let first = requests_up_to(outputs, &decision.survivors, settings.first_stage);
    if !first.is_empty() {
        decision.next = first;
        return Ok(decision);
    }
    let values: Vec<Vec<f64>> = outputs
        .iter()
        .map(|rows| {
            let sign = objective.direction.sign();
            rows.iter()
                .map(|row| sign * row[objective.metric])
                .collect()
        })
        .collect();
    let screen = Screen::new(&values, settings, h_squared)?;
    decision.replications_most = Some(screen.replications_most);
    screen.replay(outputs, &mut decision);
    Ok(decision)
}

/// η and h² of KN for `candidates` (at least 2; 0 for one) and a first
/// stage of `first_stage`.
fn eta_h_squared(alpha: f64, candidates: usize, first_stage: usize) -> (f64, f64) {
    if candidates < 2 {
        return (0.0, 0.0);
    }
    let base = 2.0 * alpha / (candidates - 1) as f64;
    let exponent = -2.0 / (first_stage - 1) as f64;
    let eta = 0.5 * (libm::pow(base, exponent) - 1.0);
    (eta, 2.0 * eta * (first_stage - 1) as f64)
}

fn check_settings(settings: &KnSettings) -> Result<(), OptimizeError> {
    check_alpha(settings.alpha)?;
    if !(settings.delta > 0.0 && settings.delta.is_finite()) {
        return Err(OptimizeError::Delta(settings.delta));
    }
    if !(FIRST_STAGE_MIN..=REPLICATIONS_MAX).contains(&settings.first_stage) {
        return Err(OptimizeError::FirstStage(settings.first_stage));
    }
    if !(1..=REPLICATIONS_MAX).contains(&settings.batch) {
        return Err(OptimizeError::Batch(settings.batch));
    }
    Ok(())
}

/// The screening of one selection, fixed by its first stage.
struct Screen<'a> {
    /// Signed objective values, `values[candidate][replication]`.
    values: &'a [Vec<f64>],
    settings: &'a KnSettings,
    /// h² S²_il / (2δ) for every ordered pair, row-major.
    half_widths: Vec<f64>,
    replications_most: usize,
}

impl<'a> Screen<'a> {
    fn new(
        values: &'a [Vec<f64>],
        settings: &'a KnSettings,
        h_squared: f64,
    ) -> Result<Screen<'a>, OptimizeError> {
        let candidates = values.len();
        let first_stage = settings.first_stage;
        let delta = settings.delta;
        let mut half_widths = vec![0.0; candidates * candidates];
        let mut most_ratio = 0.0_f64;
        for i in 0..candidates {
            for l in i + 1..candidates {
                let variance = difference_variance(&values[i], &values[l], first_stage);
                // Differences without spread need no replications, however
                // large h² is (and 0 · ∞ must not make a NaN).
                let (ratio, half_width) = if variance == 0.0 {
                    (0.0, 0.0)
                } else {
                    (
                        h_squared * variance / (delta * delta),
                        h_squared * variance / (2.0 * delta),
                    )
                };
                most_ratio = most_ratio.max(ratio);
                half_widths[i * candidates + l] = half_width;
                half_widths[l * candidates + i] = half_width;
            }
        }
        // N + 1 must be reachable: refuse a first stage that says the
        // selection could need more than the most replications.
        if most_ratio >= (REPLICATIONS_MAX - 1) as f64 {
            return Err(OptimizeError::TooDemanding {
                needed: most_ratio + 1.0,
                delta,
            });
        }
        let replications_most = (most_ratio.floor() as usize + 1).max(first_stage);
        Ok(Screen {
            values,
            settings,
            half_widths,
            replications_most,
        })
    }

    /// Applies every check the outputs allow, and asks for the next one's
    /// replications if the procedure has not stopped.
    fn replay(&self, outputs: &[Vec<Vec<f64>>], decision: &mut KnDecision) {
        let candidates = self.values.len();
        let mut sums = vec![0.0; candidates];
        let mut summed = 0;
        let mut check = self.settings.first_stage;
        loop {
            check = check.min(self.replications_most);
            let next = requests_up_to(outputs, &decision.survivors, check);
            if !next.is_empty() {
                decision.next = next;
                return;
            }
            for &candidate in &decision.survivors {
                sums[candidate] += self.values[candidate][summed..check].iter().sum::<f64>();
            }
            summed = check;
            self.eliminate(&sums, check, decision);
            decision.replications_checked = check;
            if decision.survivors.len() == 1 || check >= self.replications_most {
                // At N + 1 every threshold is 0: the survivors' sums are equal.
                decision.selected = decision.survivors.first().copied();
                return;
            }
            check += self.settings.batch;
        }
    }

    /// One screening at `replications`, against the survivors before it.
    fn eliminate(&self, sums: &[f64], replications: usize, decision: &mut KnDecision) {
        let candidates = self.values.len();
        let delta = self.settings.delta;
        let before = std::mem::take(&mut decision.survivors);
        for &i in &before {
            decision.replications_used[i] = replications;
            let threshold = |l: usize| {
                (self.half_widths[i * candidates + l] - delta * replications as f64 / 2.0).max(0.0)
            };
            let by = before
                .iter()
                .copied()
                .find(|&l| l != i && sums[l] - sums[i] > threshold(l));
            match by {
                Some(than) => decision.eliminations.push(Elimination {
                    candidate: i,
                    replications,
                    reason: Reason::Worse { than },
                }),
                None => decision.survivors.push(i),
            }
        }
    }
}

/// The sample variance (divisor n - 1) of `a - b` over the first `count`
/// replications.
fn difference_variance(a: &[f64], b: &[f64], count: usize) -> f64 {
    let differences = a.iter().zip(b).map(|(x, y)| x - y);
    let (_, sd) = super::student::mean_sd(differences, count);
    sd * sd
}

#[cfg(test)]
mod tests {
    use super::super::Direction;
    use super::super::synthetic::{Systems, normal_systems};
    use super::*;
    use crate::sensitivity::Draws;

    const MAXIMISE: Objective = Objective {
        metric: 0,
        direction: Direction::Maximise,
    };

    fn column(values: &[f64]) -> Vec<Vec<f64>> {
        values.iter().map(|&value| vec![value]).collect()
    }

    #[test]
    fn eta_and_h_squared_follow_the_formula() {
        // k = 10, alpha = 0.05, n0 = 10: (0.1/9)^(-2/9) = exp(4.49981 · 2/9)
        // = 2.71817, η = 0.85908, h² = 2 · 9 · η = 15.4635.
        let (eta, h_squared) = eta_h_squared(0.05, 10, 10);
        assert!((eta - 0.85908).abs() < 1e-5 && (h_squared - 15.4635).abs() < 1e-4);
        // k = 2, n0 = 3: (0.1)^(-1) = 10, η = 4.5, h² = 18 (exactly).
        assert_eq!(eta_h_squared(0.05, 2, 3), (4.5, 18.0));
    }

    /// Two candidates whose first three differences are 1, 0, 2 (mean 1,
    /// S² = (0 + 1 + 1)/2 = 1) and then 1 at every replication: the sum of
    /// differences after r replications is r.
    fn two_candidates(replications: usize) -> Vec<Vec<Vec<f64>>> {
        let behind: Vec<f64> = (0..replications).map(|j| (j % 4) as f64).collect();
        let ahead: Vec<f64> = behind
            .iter()
            .enumerate()
            .map(|(j, value)| value + [1.0, 0.0, 2.0].get(j).copied().unwrap_or(1.0))
            .collect();
        vec![column(&ahead), column(&behind)]
    }

    #[test]
    fn the_elimination_rule_by_hand_every_replication_and_every_third() {
        // k = 2, alpha = 0.05, n0 = 3, δ = 1: h² = 18, S² = 1. Candidate 1
        // goes when r > max(0, h² S² / (2δ) - δ r / 2) = 9 - r/2, i.e. r > 6:
        // at r = 7 checking every replication. N = ⌊18⌋ = 18: at most 19.
        let settings = KnSettings {
            first_stage: 3,
            ..KnSettings::new(0.05, 1.0)
        };
        let decision = kn_select(&two_candidates(30), MAXIMISE, &settings).unwrap();
        assert_eq!(decision.replications_most, Some(19));
        assert_eq!(decision.selected, Some(0));
        assert_eq!(
            decision.eliminations,
            vec![Elimination {
                candidate: 1,
                replications: 7,
                reason: Reason::Worse { than: 0 }
            }]
        );
        assert_eq!(decision.replications_used, vec![7, 7]);
        assert!(decision.next.is_empty());
        // Checks at 3, 6, 9: at 6, 6 > 9 - 3 fails (the rule is strict); at
        // 9, 9 > 4.5.
        let batched = KnSettings {
            batch: 3,
            ..settings
        };
        let decision = kn_select(&two_candidates(30), MAXIMISE, &batched).unwrap();
        assert_eq!(decision.eliminations[0].replications, 9);
        assert_eq!(decision.selected, Some(0));
        // With five replications run, checks 3, 4 and 5 are applied and the
        // next stage is replication 5 of both.
        let decision = kn_select(&two_candidates(5), MAXIMISE, &settings).unwrap();
        assert_eq!(decision.replications_checked, 5);
        assert_eq!(decision.selected, None);
        assert_eq!(
            decision.next,
            vec![
                ReplicationRequest {
                    candidate: 0,
                    start: 5,
                    end: 6
                },
                ReplicationRequest {
                    candidate: 1,
                    start: 5,
                    end: 6
                },
            ]
        );
        // Minimising the same outputs selects candidate 1 at the same check.
        let minimise = Objective {
            direction: Direction::Minimise,
            ..MAXIMISE
        };
        let decision = kn_select(&two_candidates(30), minimise, &settings).unwrap();
        assert_eq!(decision.selected, Some(1));
        assert_eq!(decision.eliminations[0].replications, 7);
    }

    #[test]
    fn before_the_first_stage_every_candidate_is_asked_for_it() {
        let outputs = vec![column(&[1.0, 2.0]), Vec::new(), column(&[0.0; 12])];
        let decision = kn_select(&outputs, MAXIMISE, &KnSettings::new(0.05, 1.0)).unwrap();
        assert_eq!(
            decision.next,
            vec![
                ReplicationRequest {
                    candidate: 0,
                    start: 2,
                    end: 10
                },
                ReplicationRequest {
                    candidate: 1,
                    start: 0,
                    end: 10
                },
            ]
        );
        assert_eq!(decision.replications_most, None);
        assert_eq!(decision.selected, None);
        // One candidate is selected without a run.
        let single = kn_select(&[Vec::new()], MAXIMISE, &KnSettings::new(0.05, 1.0)).unwrap();
        assert_eq!(single.selected, Some(0));
        assert!(single.next.is_empty());
    }

    #[test]
    fn identical_differences_end_at_the_first_stage_and_exact_ties_go_to_the_lowest_index() {
        // Differences that never vary have S² = 0, so N = 0 and the first
        // check (at n0) has every threshold at 0: whatever is below the
        // largest sum goes; candidates 1 and 3 tie exactly and 1 is selected.
        let base: Vec<f64> = (0..10).map(|j| j as f64).collect();
        let shifted = |by: f64| column(&base.iter().map(|v| v + by).collect::<Vec<_>>());
        let outputs = vec![shifted(0.0), shifted(2.0), shifted(1.0), shifted(2.0)];
        let decision = kn_select(&outputs, MAXIMISE, &KnSettings::new(0.05, 0.1)).unwrap();
        assert_eq!(decision.replications_most, Some(10));
        assert_eq!(decision.survivors, vec![1, 3]);
        assert_eq!(decision.selected, Some(1));
        assert_eq!(decision.replications_checked, 10);
    }

    #[test]
    fn settings_and_first_stages_that_cannot_be_used_are_refused() {
        let outputs = vec![column(&[0.0, 1.0, 2.0]), column(&[1.0, 0.0, 5.0])];
        let settings = KnSettings {
            first_stage: 3,
            ..KnSettings::new(0.05, 1.0)
        };
        for bad in [
            KnSettings {
                delta: 0.0,
                ..settings
            },
            KnSettings {
                delta: f64::INFINITY,
                ..settings
            },
            KnSettings {
                alpha: 0.6,
                ..settings
            },
            KnSettings {
                first_stage: 1,
                ..settings
            },
            KnSettings {
                batch: 0,
                ..settings
            },
        ] {
            assert!(kn_select(&outputs, MAXIMISE, &bad).is_err(), "{bad:?}");
        }
        // S² of (-1, 1, -3) is 4; h² = 18: N = 18 · 4 / δ², beyond the most
        // for δ = 0.001.
        let tiny = KnSettings {
            delta: 0.001,
            ..settings
        };
        assert!(matches!(
            kn_select(&outputs, MAXIMISE, &tiny),
            Err(OptimizeError::TooDemanding { .. })
        ));
    }

    /// Runs KN to the end on synthetic systems: the first stage, then all
    /// replications up to N + 1 at once (the replay reads only what each
    /// check needs, so this is the staged procedure).
    fn run(systems: &Systems, settings: &KnSettings, draws: &mut Draws) -> KnDecision {
        let mut outputs = normal_systems(systems, settings.first_stage, draws);
        loop {
            let decision = kn_select(&outputs, MAXIMISE, settings).unwrap();
            if decision.selected.is_some() {
                return decision;
            }
            let most = decision.replications_most.expect("the first stage is in");
            let more = normal_systems(systems, most - outputs[0].len(), draws);
            for (rows, extra) in outputs.iter_mut().zip(more) {
                rows.extend(extra);
            }
        }
    }

    #[test]
    fn staged_calls_with_only_the_requested_runs_reach_the_same_decision() {
        // The same draws, run stage by stage as requested (batch 4), or all
        // at once: the same selection, eliminations and replications used.
        let systems = Systems {
            means: vec![0.0, 0.3, 0.1, 0.5, 0.2],
            sd: 1.0,
            correlation: 0.5,
        };
        let settings = KnSettings {
            batch: 4,
            ..KnSettings::new(0.05, 0.25)
        };
        for trial in 0..20 {
            let mut draws = Draws::new(trial, "optimize/test/kn-staged");
            let all = normal_systems(&systems, 1000, &mut draws);
            let mut outputs: Vec<Vec<Vec<f64>>> = vec![Vec::new(); 5];
            let mut stages = 0;
            let staged = loop {
                let decision = kn_select(&outputs, MAXIMISE, &settings).unwrap();
                if decision.selected.is_some() {
                    break decision;
                }
                for request in &decision.next {
                    let rows = &all[request.candidate][request.start..request.end];
                    outputs[request.candidate].extend_from_slice(rows);
                }
                stages += 1;
            };
            let at_once = kn_select(&all, MAXIMISE, &settings).unwrap();
            assert_eq!(staged.selected, at_once.selected);
            assert_eq!(staged.eliminations, at_once.eliminations);
            assert_eq!(staged.replications_used, at_once.replications_used);
            assert!(stages >= 1);
            // Eliminated candidates were never run past their elimination.
            for elimination in &staged.eliminations {
                assert_eq!(
                    outputs[elimination.candidate].len(),
                    elimination.replications
                );
            }
        }
    }

    /// Ten systems of sd 1 with the best (system 9) ahead of the other nine
    /// by exactly δ = 0.5: the slippage configuration, the least favourable
    /// for KN's guarantee.
    fn slippage(correlation: f64) -> Systems {
        let mut means = vec![0.0; 10];
        means[9] = 0.5;
        Systems {
            means,
            sd: 1.0,
            correlation,
        }
    }

    /// The share of `trials` trials selecting system 9, and the mean total
    /// replications of a trial.
    fn correct_selections(
        systems: &Systems,
        settings: &KnSettings,
        trials: u32,
        stream: &str,
    ) -> (f64, f64) {
        let mut draws = Draws::new(7, stream);
        let mut correct = 0u32;
        let mut replications = 0usize;
        for _ in 0..trials {
            let decision = run(systems, settings, &mut draws);
            correct += u32::from(decision.selected == Some(9));
            replications += decision.replications_used.iter().sum::<usize>();
        }
        (
            f64::from(correct) / f64::from(trials),
            replications as f64 / f64::from(trials),
        )
    }

    #[test]
    fn the_best_by_delta_is_selected_at_least_1_minus_alpha_of_the_time() {
        // alpha = 0.05, n0 = 10, δ = 0.5, correlation 0.5 (common random
        // numbers). Over 2000 trials the count of correct selections is
        // Binomial(2000, PCS), sd at most √(0.95 · 0.05 / 2000) = 0.0049 in
        // share; PCS >= 0.95 makes a share below 0.95 - 3 · 0.0049 = 0.935 a
        // three-sd event. Checked every replication and every 5.
        // Measured: 0.9750 (batch 1) and 0.9715 (batch 5).
        let trials = 2000;
        let floor = 0.95 - 3.0 * (0.95_f64 * 0.05 / f64::from(trials)).sqrt();
        let systems = slippage(0.5);
        for batch in [1, 5] {
            let settings = KnSettings {
                batch,
                ..KnSettings::new(0.05, 0.5)
            };
            let stream = format!("optimize/test/kn-pcs-{batch}");
            let (pcs, replications) = correct_selections(&systems, &settings, trials, &stream);
            eprintln!(
                "KN slippage, batch {batch}: PCS {pcs:.4} over {trials} trials, {replications:.1} replications per trial"
            );
            assert!(
                pcs >= floor,
                "batch {batch}: PCS {pcs:.4} below {floor:.4} over {trials} trials"
            );
        }
    }

    #[test]
    fn with_equal_systems_every_one_is_selected_about_equally_often() {
        // Ten equal systems, 1000 trials: each count is Binomial(1000, 0.1),
        // mean 100. Pearson's statistic Σ (count - 100)² / 100 is about
        // chi-square with 9 df, whose 99.9% point is 27.88 (table); system 0
        // in particular stays within 4 sds (9.5) of 100.
        let systems = Systems {
            means: vec![0.0; 10],
            sd: 1.0,
            correlation: 0.8,
        };
        let settings = KnSettings::new(0.05, 0.5);
        let mut draws = Draws::new(8, "optimize/test/kn-equal");
        let mut counts = [0u32; 10];
        for _ in 0..1000 {
            let decision = run(&systems, &settings, &mut draws);
            counts[decision.selected.expect("run goes to the end")] += 1;
        }
        let statistic: f64 = counts
            .iter()
            .map(|&count| (f64::from(count) - 100.0).powi(2) / 100.0)
            .sum();
        eprintln!("KN equal systems: selections {counts:?}, chi-square {statistic:.2}");
        assert!(
            statistic < 27.88,
            "selections {counts:?}: chi-square {statistic:.2}"
        );
        assert!(counts[0].abs_diff(100) <= 38, "selections {counts:?}");
    }

    #[test]
    fn common_random_numbers_cut_the_replications_kn_needs() {
        // The triangle's length is h² S²_il / δ², and S²_il estimates the
        // variance of a difference, 2 (1 - ρ) sd²: 0.4 at ρ = 0.8 against
        // 2 when independent, so the replications needed should shrink
        // towards a fifth (less, since n0 is a floor). Slippage
        // configuration, 400 trials each.
        // Measured: 0.2806 (112.7 against 401.6 replications per trial over
        // the ten systems).
        let settings = KnSettings::new(0.05, 0.5);
        let (_, correlated) =
            correct_selections(&slippage(0.8), &settings, 400, "optimize/test/kn-crn");
        let (_, independent) =
            correct_selections(&slippage(0.0), &settings, 400, "optimize/test/kn-crn");
        let ratio = correlated / independent;
        eprintln!(
            "KN replications per trial: {correlated:.1} with correlation 0.8, {independent:.1} independent, ratio {ratio:.4}"
        );
        assert!(
            ratio < 0.6,
            "{correlated:.1} / {independent:.1} = {ratio:.4}"
        );
    }
}
