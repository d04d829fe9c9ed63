//! `escrowsim validate`: every problem of a scenario or a sweep file, or a
//! one-line summary.
//!
//! A sweep file is told from a scenario by what it starts with (`Sweep(`,
//! after comments), so one command checks either; the file is read once,
//! bounded by the larger of the two limits, and a sweep file is then held
//! to its own.

use super::Failure;
use super::flags::MemoryArgs;
use super::memory::{MemoryBudget, Workload, check_memory};
use clap::Args;
use escrowsim::input::{InputError, Located, read_input_text, source_name};
use escrowsim::program::memory::{Bytes, estimate_peak_memory};
use escrowsim::scenario::limits::SCENARIO_FILE_BYTES_MAX;
use escrowsim::scenario::{LoadError, parse_scenario};
use escrowsim::sweep::{SWEEP_FILE_BYTES_MAX, parse_sweep};
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "Examples:
  escrowsim validate scenarios/quick.ron
  escrowsim validate sweeps/claim-window-by-release.ron
  escrowsim validate studies/launch-morris.ron
  escrowsim init my-rules.ron && escrowsim validate my-rules.ron
  generate-scenario | escrowsim validate -

Exit status: 0 when the scenario (or sweep or study file) is valid, 2 when it is not.";

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario, sweep or study file (RON); `-` reads standard input.
    pub scenario: PathBuf,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

pub fn validate(arguments: &ValidateArgs) -> Result<(), Failure> {
    let path = &arguments.scenario;
    let source = source_name(path);
    let text = read_input_text(path, SCENARIO_FILE_BYTES_MAX.max(SWEEP_FILE_BYTES_MAX))
        .map_err(|error| LoadError::unreadable(&source, error))?;
    if starts_as_sweep(&text) {
        return validate_sweep(path, &source, &text);
    }
    if escrowsim::analysis::study::top_level_name(&text) == "Optimize" {
        return validate_optimization(path, &source, &text);
    }
    if escrowsim::analysis::study::is_study(&text) {
        return validate_study(path, &source, &text);
    }
    let scenario = parse_scenario(&text, &source)?;
    check_memory(
        Path::new(&source),
        &scenario,
        MemoryBudget::find(arguments.memory.max_memory),
        Workload::SINGLE_RUN,
    )?;
    let suppliers = scenario.supplier_count();
    let buyers = scenario.buyer_count();
    let line = format!(
        "{source}: valid: scenario {:?}, {} supplier and {} buyer segments ({suppliers} suppliers, {buyers} buyers), {} days from {}; estimated peak memory {}",
        scenario.name,
        scenario.suppliers.len(),
        scenario.buyers.len(),
        scenario.horizon_days,
        scenario.start_date,
        Bytes(estimate_peak_memory(&scenario).total_bytes())
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}

/// Refuses a sweep or study file (`what`) past the sweep file's size limit
/// (the text was read under the larger scenario limit); gives the
/// directory its base scenario is relative to.
fn within_plan_limit(
    path: &Path,
    source: &str,
    text: &str,
    what: &str,
) -> Result<std::path::PathBuf, Failure> {
    if text.len() as u64 > SWEEP_FILE_BYTES_MAX {
        let error = InputError::TooLarge {
            bytes: text.len() as u64,
            limit: SWEEP_FILE_BYTES_MAX,
        };
        let problem = Located::new(source, format!("cannot read the {what}: {error}"));
        return Err(Failure::BadInput(problem.to_string()));
    }
    Ok(path.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// A sweep file: planned as `escrowsim sweep` would (its base scenario
/// read relative to it, every point's scenario validated), without running.
fn validate_sweep(path: &Path, source: &str, text: &str) -> Result<(), Failure> {
    let base_directory = within_plan_limit(path, source, text, "sweep file")?;
    let plan = parse_sweep(text, source, &base_directory)
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let line = format!(
        "{source}: valid: sweep {:?} of scenario {:?}, {} grid dimensions, {} points x {} replications = {} units",
        plan.name,
        plan.scenario_name,
        plan.paths.len(),
        plan.points.len(),
        plan.replications,
        plan.unit_count()
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}

/// A study file: planned as `escrowsim sensitivity` or `calibrate` would
/// (the base scenario read relative to it, every design point's scenario
/// validated), without running.
fn validate_study(path: &Path, source: &str, text: &str) -> Result<(), Failure> {
    let base_directory = within_plan_limit(path, source, text, "study file")?;
    let plan = escrowsim::analysis::study::plan_study(text, source, &base_directory, |path| {
        escrowsim::input::read_text_bounded(path, SCENARIO_FILE_BYTES_MAX)
    })
    .map_err(|error| Failure::BadInput(error.to_string()))?;
    let (kind, command) = match plan.study.kind {
        escrowsim::analysis::study::StudyKind::Sensitivity => ("study", "escrowsim sensitivity"),
        escrowsim::analysis::study::StudyKind::Calibration => {
            ("calibration", "escrowsim calibrate")
        }
    };
    let line = format!(
        "{source}: valid: {kind} {:?} of scenario {:?}, {} factors, {}; {} points x {} replications = {} units (run it with `{command}`)",
        plan.sweep.name,
        plan.sweep.scenario_name,
        plan.study.factors.len(),
        plan.study.design.describe(plan.study.factors.len()),
        plan.sweep.points.len(),
        plan.sweep.replications,
        plan.sweep.unit_count()
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}

/// An optimisation file: planned as `escrowsim optimize` would (every
/// candidate's scenario validated), without running.
fn validate_optimization(path: &Path, source: &str, text: &str) -> Result<(), Failure> {
    let base_directory = within_plan_limit(path, source, text, "optimisation file")?;
    let plan =
        escrowsim::analysis::optimize::plan_optimization(text, source, &base_directory, |path| {
            escrowsim::input::read_text_bounded(path, SCENARIO_FILE_BYTES_MAX)
        })
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    let line = format!(
        "{source}: valid: optimisation {:?} of scenario {:?}, {} decisions, {} candidates, up to {} replications each (run it with `escrowsim optimize`)",
        plan.sweep.name,
        plan.sweep.scenario_name,
        plan.sweep.paths.len(),
        plan.sweep.points.len(),
        plan.sweep.replications
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}

/// Whether RON text is a sweep file: its first value, after blanks,
/// comments and attributes, is named `Sweep`.
pub fn starts_as_sweep(text: &str) -> bool {
    escrowsim::analysis::study::top_level_name(text) == "Sweep"
}

#[cfg(test)]
mod tests {
    use super::starts_as_sweep;

    #[test]
    fn a_sweep_is_told_from_a_scenario_by_its_first_name() {
        assert!(starts_as_sweep("// grid\n/* a */ Sweep (name: \"s\")"));
        assert!(starts_as_sweep("#![enable(implicit_some)]\nSweep("));
        assert!(!starts_as_sweep("Scenario(name: \"Sweep(\")"));
        assert!(!starts_as_sweep("(name: \"x\")"));
        assert!(!starts_as_sweep("SweepStakes("));
    }
}
