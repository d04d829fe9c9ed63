//! Precision-targeted replications: run batches until the named metrics'
//! intervals are as narrow as asked, or a cap is reached.
//!
//! A target is `METRIC=HALFWIDTH`, absolute (`risk.platform_loss=5000`) or
//! relative to the mean with `%` (`refunds.rate=5%`). With m targets, each
//! interval is taken at confidence 1 - 0.05/m (Bonferroni), so that all m
//! hold together with at least 95% confidence; a target is met when the
//! larger arm of its interval (the method of [`super::statistics`]) is at
//! most the target. For a comparison the interval is that of the paired
//! difference B - A, and a relative target is a share of A's mean.
//!
//! The batch rule: a first batch of [`FIRST_BATCH`] replications (or the
//! cap, if lower); then, while a target is missed, the count the widest
//! miss predicts, `n · (half-width / target)²` (a half-width shrinks as one
//! over the square root of the count), at least a quarter more than `n`
//! and at most twice `n`, never past the cap. Every decision reads only the
//! values of replications `0..n` in replication order, and batches run
//! replications in order, so the result is the same for any thread count.

use super::metrics::Schema;
use super::replicate::{Plan, Replications, replicate_pair_range, replicate_range};
use super::statistics::{CONFIDENCE, half_width, mean};
use escrowsim_core::program::{Interrupted, Probe};
use escrowsim_core::scenario::Scenario;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;
use std::str::FromStr;

/// Replications of the first batch.
pub const FIRST_BATCH: u32 = 10;
/// Most targets of one analysis: the Bonferroni confidence of each stays
/// within what the t quantile computes with few replications.
pub const TARGETS_MAX: usize = 10;

/// One `--precision` target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The whole-run metric's dotted path.
    pub metric: String,
    /// The half-width asked for: absolute, or a share of the mean (0.05 for 5%).
    pub half_width: Decimal,
    pub relative: bool,
    /// As written, for messages and reports.
    pub text: String,
}

impl FromStr for Target {
    type Err = String;

    /// Parses `METRIC=HALFWIDTH` or `METRIC=PERCENT%`; the error says what
    /// is wrong, without the value (the caller names it).
    fn from_str(text: &str) -> Result<Target, String> {
        let (metric, width) = text
            .split_once('=')
            .ok_or("expected METRIC=HALFWIDTH, e.g. risk.platform_loss=5000 or refunds.rate=5%")?;
        let metric = metric.trim();
        if metric.is_empty() || metric.contains(char::is_whitespace) {
            return Err("the metric is a dotted path such as refunds.rate".to_string());
        }
        let width = width.trim();
        let (number, relative) = match width.strip_suffix('%') {
            Some(number) => (number, true),
            None => (width, false),
        };
        let half_width = Decimal::from_str(number)
            .map_err(|_| format!("{width:?} is not a number (or a number and %)"))?;
        if half_width.is_sign_negative() && !half_width.is_zero() {
            return Err("a half-width is at least 0".to_string());
        }
        Ok(Target {
            metric: metric.to_string(),
            half_width: if relative {
                half_width / Decimal::from(100)
            } else {
                half_width
            },
            relative,
            text: text.to_string(),
        })
    }
}

/// Checks the targets against the metrics of `schema`: a whole-run metric
/// each, named once, at most [`TARGETS_MAX`].
pub fn check_targets(targets: &[Target], schema: &Schema) -> Result<(), String> {
    if targets.len() > TARGETS_MAX {
        return Err(format!(
            "{} targets are more than the most, {TARGETS_MAX}",
            targets.len()
        ));
    }
    for (index, target) in targets.iter().enumerate() {
        if !schema
            .metrics
            .iter()
            .any(|metric| metric.path == target.metric)
        {
            return Err(format!(
                "{}: the outcome has no whole-run metric {} (metrics are the dotted paths of the JSON outcome, e.g. refunds.rate)",
                target.text, target.metric
            ));
        }
        if targets[..index]
            .iter()
            .any(|earlier| earlier.metric == target.metric)
        {
            return Err(format!(
                "{}: {} has two targets",
                target.text, target.metric
            ));
        }
    }
    Ok(())
}

/// The two-sided confidence of each of `targets` intervals (Bonferroni).
pub fn confidence_each(targets: usize) -> f64 {
    1.0 - (1.0 - CONFIDENCE) / targets.max(1) as f64
}

/// How one target stands after some replications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TargetResult {
    pub metric: String,
    /// As asked, e.g. `5%` or `5000`.
    pub target: String,
    /// The target as an absolute half-width (a relative one times the mean).
    #[serde(serialize_with = "as_number")]
    pub half_width_target: Decimal,
    /// The half-width reached, to six decimals; `None` with a single replication.
    #[serde(serialize_with = "as_optional_number")]
    pub half_width: Option<Decimal>,
    pub met: bool,
}

/// A figure as a JSON number, as the report's other figures (six decimals
/// at most).
fn as_number<S: serde::Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(value.round_dp(6).to_f64().unwrap_or(f64::MAX))
}

fn as_optional_number<S: serde::Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => as_number(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// What a precision-targeted analysis did: how many replications it
/// needed, in which batches, and whether each target was met.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecisionReport {
    /// The cap (`--replications`).
    pub replications_cap: u32,
    /// Replications run.
    pub replications: u32,
    /// Replications after each batch.
    pub batches: Vec<u32>,
    /// Two-sided confidence of each interval (Bonferroni over the targets).
    pub confidence_each: f64,
    pub all_met: bool,
    pub targets: Vec<TargetResult>,
}

/// Where each target stands, given its values in replication order (for a
/// comparison, the paired differences) and the mean a relative target is a
/// share of (the metric's, or A's for a comparison). `differences`: the
/// values are paired differences, whose interval is the symmetric one.
pub fn assess(
    targets: &[Target],
    values: &[(Vec<Decimal>, Decimal)],
    differences: bool,
) -> Vec<TargetResult> {
    let confidence = confidence_each(targets.len());
    targets
        .iter()
        .zip(values)
        .map(|(target, (values, base))| {
            let allowed = if target.relative {
                target.half_width * base.abs()
            } else {
                target.half_width
            };
            let reached =
                half_width(values, confidence, differences).map(|width| width.round_dp(6));
            TargetResult {
                metric: target.metric.clone(),
                target: target.text[target.text.find('=').map_or(0, |at| at + 1)..]
                    .trim()
                    .to_string(),
                half_width_target: allowed,
                met: reached.is_some_and(|width| width <= allowed),
                half_width: reached,
            }
        })
        .collect()
}

/// The count after the next batch, or `None` to stop: every target met,
/// or the cap reached. See the module documentation for the rule.
pub fn next_count(done: u32, cap: u32, results: &[TargetResult]) -> Option<u32> {
    if done >= cap || results.iter().all(|result| result.met) {
        return None;
    }
    // The widest miss, as the ratio of reached to allowed half-width; a
    // target of 0 that is missed, or one with no interval yet, asks for
    // the most the rule allows.
    let worst = results
        .iter()
        .filter(|result| !result.met)
        .map(|result| match result.half_width {
            Some(width) if !result.half_width_target.is_zero() => (width
                / result.half_width_target)
                .to_f64()
                .unwrap_or(f64::MAX),
            _ => f64::MAX,
        })
        .fold(0.0_f64, f64::max);
    let predicted = (f64::from(done) * worst * worst).ceil();
    let predicted = u32::from_f64(predicted.min(f64::from(u32::MAX))).unwrap_or(u32::MAX);
    let least = done + done.div_ceil(4).max(1);
    let most = done.saturating_mul(2).max(least);
    Some(predicted.clamp(least, most).min(cap))
}

/// The first batch's count under cap `cap`.
pub fn first_count(cap: u32) -> u32 {
    FIRST_BATCH.min(cap)
}

/// Why a precision-targeted analysis stopped without a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreciseError {
    /// A probe stopped a run.
    Interrupted(Interrupted),
    /// A target names no whole-run metric, or one twice (found once the
    /// first batch has shown the outcome's metrics).
    Target(String),
}

impl From<Interrupted> for PreciseError {
    fn from(interrupted: Interrupted) -> PreciseError {
        PreciseError::Interrupted(interrupted)
    }
}

/// Runs batches until `targets` are met, at most `plan.replications`.
pub fn replicate_precise<P, F>(
    scenario: &Scenario,
    plan: &Plan,
    targets: &[Target],
    make_probe: F,
) -> Result<(Replications, PrecisionReport), PreciseError>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let mut set = replicate_range(
        scenario,
        plan,
        0..first_count(plan.replications),
        &make_probe,
    )?;
    check_targets(targets, &set.schema).map_err(PreciseError::Target)?;
    let mut batches = vec![set.count() as u32];
    loop {
        let values: Vec<(Vec<Decimal>, Decimal)> = targets
            .iter()
            .map(|target| {
                let index = set.metric_index(&target.metric).expect("checked above");
                let values = set.metric_values(index);
                let base = mean(&values);
                (values, base)
            })
            .collect();
        let results = assess(targets, &values, false);
        let done = set.count() as u32;
        match next_count(done, plan.replications, &results) {
            None => return Ok((set, report(plan, batches, targets, results))),
            Some(next) => {
                let batch = replicate_range(scenario, plan, done..next, &make_probe)?;
                set = Replications::merge(vec![set, batch]).expect("disjoint batches of one set");
                batches.push(next);
            }
        }
    }
}

/// Runs paired batches until `targets` are met on the differences B - A,
/// at most `plan.replications` pairs.
pub fn replicate_pair_precise<P, F>(
    a: &Scenario,
    b: &Scenario,
    plan: &Plan,
    targets: &[Target],
    make_probe: F,
) -> Result<(Replications, Replications, PrecisionReport), PreciseError>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let first = 0..first_count(plan.replications);
    let (mut a_set, mut b_set) = replicate_pair_range(a, b, plan, first, &make_probe)?;
    check_targets(targets, &a_set.schema).map_err(PreciseError::Target)?;
    let mut batches = vec![a_set.count() as u32];
    loop {
        let values: Vec<(Vec<Decimal>, Decimal)> = targets
            .iter()
            .map(|target| {
                let index = a_set.metric_index(&target.metric).expect("checked above");
                // Pairs where both policies define the metric, as the
                // comparison's own difference takes them.
                let differences = a_set
                    .metric_values_by_replication(index)
                    .into_iter()
                    .zip(b_set.metric_values_by_replication(index))
                    .filter_map(|(a, b)| Some(b? - a?))
                    .collect();
                (differences, mean(&a_set.metric_values(index)))
            })
            .collect();
        let results = assess(targets, &values, true);
        let done = a_set.count() as u32;
        match next_count(done, plan.replications, &results) {
            None => return Ok((a_set, b_set, report(plan, batches, targets, results))),
            Some(next) => {
                let (a_batch, b_batch) = replicate_pair_range(a, b, plan, done..next, &make_probe)?;
                a_set = Replications::merge(vec![a_set, a_batch]).expect("disjoint batches");
                b_set = Replications::merge(vec![b_set, b_batch]).expect("disjoint batches");
                batches.push(next);
            }
        }
    }
}

fn report(
    plan: &Plan,
    batches: Vec<u32>,
    targets: &[Target],
    results: Vec<TargetResult>,
) -> PrecisionReport {
    PrecisionReport {
        replications_cap: plan.replications,
        replications: *batches.last().expect("at least one batch"),
        batches,
        confidence_each: confidence_each(targets.len()),
        all_met: results.iter().all(|result| result.met),
        targets: results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_absolute_and_relative_and_refuse_the_rest() {
        let absolute: Target = "risk.platform_loss=5000".parse().unwrap();
        assert_eq!(absolute.half_width, Decimal::from(5000));
        assert!(!absolute.relative);
        let relative: Target = "refunds.rate=5%".parse().unwrap();
        assert_eq!(relative.half_width, Decimal::new(5, 2));
        assert!(relative.relative);
        for bad in [
            "refunds.rate",
            "=5",
            "refunds.rate=five",
            "refunds.rate=-1",
            "a b=1",
        ] {
            assert!(bad.parse::<Target>().is_err(), "{bad}");
        }
    }

    fn result(half_width: i64, target: i64) -> TargetResult {
        TargetResult {
            metric: "m".into(),
            target: target.to_string(),
            half_width_target: Decimal::from(target),
            half_width: Some(Decimal::from(half_width)),
            met: half_width <= target,
        }
    }

    #[test]
    fn batches_follow_the_documented_rule() {
        // Twice too wide predicts 4n, held to 2n; slightly too wide
        // predicts little more, raised to a quarter more; the cap wins.
        assert_eq!(next_count(10, 1000, &[result(20, 10)]), Some(20));
        assert_eq!(next_count(10, 1000, &[result(101, 100)]), Some(13));
        assert_eq!(next_count(10, 1000, &[result(13, 10)]), Some(17));
        assert_eq!(next_count(10, 15, &[result(20, 10)]), Some(15));
        assert_eq!(next_count(15, 15, &[result(20, 10)]), None);
        assert_eq!(next_count(10, 1000, &[result(5, 10), result(10, 10)]), None);
        assert_eq!(first_count(4), 4);
        assert_eq!(first_count(100), FIRST_BATCH);
    }

    #[test]
    fn a_relative_target_is_a_share_of_the_base_and_bonferroni_splits_the_error() {
        let targets: Vec<Target> = vec!["a=10%".parse().unwrap(), "b=0".parse().unwrap()];
        let constant = vec![Decimal::from(50); 3];
        let results = assess(
            &targets,
            &[
                (constant.clone(), Decimal::from(-200)),
                (constant, Decimal::ZERO),
            ],
            false,
        );
        assert_eq!(results[0].half_width_target, Decimal::from(20));
        assert!(results.iter().all(|result| result.met));
        assert!((confidence_each(2) - 0.975).abs() < 1e-12);
    }
}
