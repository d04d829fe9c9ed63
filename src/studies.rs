//! What a study's or an optimisation's result needs beyond its unit files,
//! shared by the CLI and the Python package: running units in this process
//! on a few threads, the calibrated scenario of a calibration with its
//! posterior-predictive check, and the chosen scenario of an optimisation.
//!
//! Each reads only the base scenario's file (bounded); the callers write
//! what comes back.

use crate::analysis::optimize::{OptimizationPlan, OptimizationResult};
use crate::analysis::study::{StudyPlan, StudyResult, add_predictive_check, calibrated_value};
use crate::analysis::sweep::{SweepPlan, UnitResult, run_unit};
use crate::analysis::{Plan, ReplicationSummary, replicate_range};
use crate::input::{Located, read_text_bounded};
use crate::program::{Interrupted, Probe};
use crate::scenario::Scenario;
use crate::scenario::factors::{FactorPath, patch_text};
use crate::scenario::limits::SCENARIO_FILE_BYTES_MAX;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a result's scenario or check could not be made.
#[derive(Debug)]
pub enum StudyOutputError {
    /// The input's: an unreadable base file, a value the scenario refuses.
    BadInput(String),
    /// A broken invariant of the program.
    Internal(String),
    /// The probe asked the runs to stop.
    Interrupted(Interrupted),
}

/// Runs `units` of `plan` on up to `jobs` threads, each unit with a probe
/// from `make_probe`; the results come back in the order of `units`, each
/// named `unit N`. A unit's result does not depend on the thread that ran
/// it, so neither does anything made from these.
pub fn run_units<P, F>(
    plan: &SweepPlan,
    units: &[u64],
    jobs: u32,
    make_probe: F,
) -> Result<Vec<(String, UnitResult)>, Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let next = AtomicU64::new(0);
    let finished = Mutex::new(Vec::with_capacity(units.len()));
    let worker = || -> Result<(), Interrupted> {
        loop {
            let position = next.fetch_add(1, Ordering::Relaxed) as usize;
            let Some(&unit) = units.get(position) else {
                return Ok(());
            };
            let result = run_unit(plan, unit, &mut make_probe())?;
            finished
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((position, unit, result));
        }
    };
    let threads = (jobs.max(1) as usize).min(units.len().max(1));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect::<Result<Vec<()>, Interrupted>>()
    })?;
    let mut finished = finished
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    finished.sort_by_key(|(position, _, _)| *position);
    Ok(finished
        .into_iter()
        .map(|(_, unit, result)| (format!("unit {unit}"), result))
        .collect())
}

fn base_text(base_file: &Path) -> Result<String, StudyOutputError> {
    read_text_bounded(base_file, SCENARIO_FILE_BYTES_MAX).map_err(|error| {
        StudyOutputError::BadInput(
            Located::new(
                base_file.display().to_string(),
                format!("cannot read: {error}"),
            )
            .to_string(),
        )
    })
}

/// The calibrated scenario of a calibration's analysis: the base
/// scenario with each factor at its posterior median (recorded in
/// `analysed` as each factor's calibrated value), and its text, the base
/// scenario's text so patched under a comment naming the study, the study
/// file as `study_file` names it, and the study's digest.
pub fn calibrated_scenario(
    plan: &StudyPlan,
    study_file: &Path,
    analysed: &mut StudyResult,
) -> Result<(Scenario, String), StudyOutputError> {
    let text = base_text(&plan.base_file)?;
    let study = analysed.study.clone();
    let digest = analysed.digest.clone();
    let calibration = analysed.calibration.as_mut().ok_or_else(|| {
        StudyOutputError::Internal("a calibration's analysis has a posterior".to_string())
    })?;
    let mut scenario = plan.base.clone();
    let mut values = Vec::with_capacity(calibration.factors.len());
    for fit in &mut calibration.factors {
        let path = FactorPath::parse(&fit.path)
            .map_err(|error| StudyOutputError::Internal(error.to_string()))?;
        let applied = path
            .apply_number(&mut scenario, calibrated_value(fit.posterior.median))
            .map_err(|error| StudyOutputError::BadInput(format!("{}: {error}", fit.path)))?;
        fit.calibrated = Some(applied.clone());
        values.push((path, applied));
    }
    let header = format!(
        "// Calibrated by escrowsim {} from study {study:?} ({}, digest {digest}):\n// each factor at its posterior median.\n",
        crate::report::VERSION,
        study_file.display(),
    );
    let patched = patch_text(&text, &values).map_err(|error| {
        StudyOutputError::Internal(format!("writing the calibrated scenario: {error}"))
    })?;
    Ok((scenario, format!("{header}{patched}")))
}

/// The posterior-predictive check of a calibration: the plan's
/// `check_replications` runs of the calibrated `scenario` on the seeds
/// after the design's, on `jobs` threads, added to `analysed`.
pub fn predictive_check<P, F>(
    plan: &StudyPlan,
    scenario: &Scenario,
    analysed: &mut StudyResult,
    jobs: u32,
    make_probe: F,
) -> Result<(), StudyOutputError>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let first = plan.sweep.replications;
    let check = plan.check_replications;
    let replication_plan = Plan::new(plan.sweep.base_seed, first + check, jobs.max(1))
        .map_err(|error| StudyOutputError::BadInput(error.to_string()))?;
    let replications = replicate_range(
        scenario,
        &replication_plan,
        first..first + check,
        make_probe,
    )
    .map_err(StudyOutputError::Interrupted)?;
    let summary = ReplicationSummary::new(&replications);
    let calibration = analysed.calibration.as_mut().ok_or_else(|| {
        StudyOutputError::Internal("a calibration's analysis has a posterior".to_string())
    })?;
    add_predictive_check(calibration, &summary, check);
    Ok(())
}

/// The base scenario's text with the rules an optimisation chose, under a
/// comment naming the optimisation and its digest; `None` when nothing
/// was chosen.
pub fn chosen_scenario(
    plan: &OptimizationPlan,
    result: &OptimizationResult,
) -> Result<Option<String>, StudyOutputError> {
    let Some(chosen) = result.chosen else {
        return Ok(None);
    };
    let text = base_text(&plan.base_file)?;
    let rules = &result.candidates[chosen].rules;
    let mut values = Vec::with_capacity(rules.len());
    for (path, value) in rules {
        let factor = FactorPath::parse(path)
            .map_err(|error| StudyOutputError::Internal(error.to_string()))?;
        values.push((factor, value.clone()));
    }
    let patched = patch_text(&text, &values).map_err(|error| {
        StudyOutputError::Internal(format!("writing the chosen scenario: {error}"))
    })?;
    Ok(Some(format!(
        "// Chosen by escrowsim {} in optimisation {:?} (digest {}): candidate {chosen},\n// {}.\n{patched}",
        crate::report::VERSION,
        result.optimization_name,
        result.digest,
        crate::report::optimize::describe_rules(rules)
    )))
}
