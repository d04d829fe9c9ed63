//! `escrowsim sensitivity` and `escrowsim calibrate`: run a study's design
//! points as the units of a sweep (sharded, resumable, byte-identical for
//! any sharding and `--jobs`), and once every unit is in the directory,
//! analyse them: indices, or a posterior, a calibrated scenario and its
//! posterior-predictive check.
//!
//! The directory then holds `result.json` (the analysis), `result.csv`
//! (tidy rows), `result.parquet` (the same rows, typed), `result.html` (the charts) and, for a calibration,
//! `calibrated.ron`; the text summary goes to stdout. A shard that leaves
//! units to other shards stops after its own: run the command again
//! without `--shard` once all are done (it runs nothing more), or
//! `escrowsim merge DIR...` as after a sweep.

use super::Failure;
use super::merge::{merge_or_refuse, read_directories};
use super::output::{not_written, write_reports};
use super::signals::StopRequests;
use super::sweep::{UnitArgs, UnitsRun, run_units};
use clap::Args;
use escrowsim::analysis::study::{StudyKind, StudyPlan, StudyResult, analyse_study};
use escrowsim::analysis::sweep::SweepResult;
use escrowsim::studies::StudyOutputError;
use escrowsim::sweep::{LoadedPlan, load_plan};
use std::path::{Path, PathBuf};

pub const SENSITIVITY_EXAMPLES: &str = "Examples:
  escrowsim sensitivity studies/quick-morris.ron --out results/morris --jobs 2
  escrowsim sensitivity studies/quick-sobol.ron --out results/sobol --shard 0/4
  escrowsim merge results/sobol --out sobol.json --html sobol.html

The directory gets result.json, result.csv, result.parquet and result.html once every unit is
complete; the summary goes to stdout. Re-running the command skips complete
units, so a stopped study resumes.";

pub const CALIBRATE_EXAMPLES: &str = "Examples:
  escrowsim calibrate studies/calibrate-launch.ron --out results/calibration --jobs 2
  escrowsim run results/calibration/calibrated.ron

The directory gets result.json, result.csv, result.parquet, result.html and calibrated.ron (the
base scenario with the posterior medians) once every unit is complete.";

#[derive(Args)]
pub struct StudyArgs {
    /// Study file (RON): `Study(...)` for `sensitivity`, `Calibration(...)` for `calibrate`,
    /// `Optimize(...)` for `optimize`.
    pub study: PathBuf,
    #[command(flatten)]
    pub units: UnitArgs,
}

/// The analysis file names inside a study directory.
pub const RESULT_JSON: &str = "result.json";
pub const RESULT_CSV: &str = "result.csv";
pub const RESULT_HTML: &str = "result.html";
pub const RESULT_PARQUET: &str = "result.parquet";
pub const CALIBRATED_SCENARIO: &str = "calibrated.ron";

pub fn sensitivity(arguments: &StudyArgs) -> Result<(), Failure> {
    run_study(arguments, StudyKind::Sensitivity)
}

pub fn calibrate(arguments: &StudyArgs) -> Result<(), Failure> {
    run_study(arguments, StudyKind::Calibration)
}

fn run_study(arguments: &StudyArgs, kind: StudyKind) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    let plan = match load_plan(&arguments.study, "study file")
        .map_err(|error| Failure::BadInput(error.to_string()))?
    {
        LoadedPlan::Study(plan) if plan.study.kind == kind => plan,
        LoadedPlan::Study(plan) => {
            let (is, command) = match plan.study.kind {
                StudyKind::Sensitivity => {
                    ("a sensitivity study, Study(...)", "escrowsim sensitivity")
                }
                StudyKind::Calibration => {
                    ("a calibration, Calibration(...)", "escrowsim calibrate")
                }
            };
            return Err(Failure::BadInput(format!(
                "{}: is {is}; run it with `{command}`",
                arguments.study.display()
            )));
        }
        LoadedPlan::Optimization(_) => {
            return Err(Failure::BadInput(format!(
                "{}: is an optimisation, Optimize(...); run it with `escrowsim optimize`",
                arguments.study.display()
            )));
        }
        LoadedPlan::Sweep(_) => {
            return Err(Failure::BadInput(format!(
                "{}: is a sweep, Sweep(...); run it with `escrowsim sweep`",
                arguments.study.display()
            )));
        }
    };
    let directory = &arguments.units.out;
    match run_units(&plan.sweep, &arguments.study, &arguments.units, &stop)? {
        UnitsRun::DryRun => return Ok(()),
        UnitsRun::Ran {
            all_complete: false,
        } => {
            note!(
                "escrowsim: other shards' units are not all in {} yet; once they are, run the command again without --shard (it runs nothing more) or `escrowsim merge {}` for the result",
                directory.display(),
                directory.display()
            );
            return Ok(());
        }
        UnitsRun::Ran { all_complete: true } => {}
    }
    let outputs = [
        Some(directory.join(RESULT_JSON)),
        Some(directory.join(RESULT_CSV)),
        Some(directory.join(RESULT_HTML)),
        Some(directory.join(RESULT_PARQUET)),
    ];
    let output_paths: Vec<Option<&Path>> = outputs.iter().map(|path| path.as_deref()).collect();
    let (manifest, units) =
        read_directories(std::slice::from_ref(directory), &stop, &output_paths)?;
    let result = merge_or_refuse(&manifest, units)?;
    stop.check(|| not_written(&output_paths))?;
    let mut analysed = analyse(&plan.study, &result)?;
    let mut calibrated_text = None;
    if kind == StudyKind::Calibration {
        calibrated_text = Some(calibrated_scenario(
            &plan,
            &arguments.study,
            &mut analysed,
            &arguments.units,
            &stop,
        )?);
    }
    let mut extra: Vec<(PathBuf, String)> = vec![(
        directory.join(RESULT_CSV),
        escrowsim::report::render_study_csv(&analysed),
    )];
    if let Some(text) = calibrated_text {
        extra.push((directory.join(CALIBRATED_SCENARIO), text));
    }
    let summary = escrowsim::report::render_study_text(&analysed);
    let table = table_parquet(escrowsim::columnar::study_batch(
        &escrowsim::report::study_rows(&analysed),
    ))?;
    let json = analysed.to_json();
    let page = escrowsim::report::render_study_html(&analysed);
    let json_path = directory.join(RESULT_JSON);
    let html_path = directory.join(RESULT_HTML);
    let mut reports: Vec<(Option<&Path>, &[u8])> = vec![
        (Some(json_path.as_path()), json.as_bytes()),
        (Some(html_path.as_path()), page.as_bytes()),
    ];
    for (path, text) in &extra {
        reports.push((Some(path.as_path()), text.as_bytes()));
    }
    let parquet_path = directory.join(RESULT_PARQUET);
    reports.push((Some(parquet_path.as_path()), &table));
    reports.push((None, summary.as_bytes()));
    write_reports(&reports, || stop.check(|| not_written(&output_paths)))
}

/// The analysis of a study's merged units; a failure of the estimators on
/// these results (e.g. a metric that never varies) is the input's.
pub fn analyse(
    study: &escrowsim::analysis::study::Study,
    result: &SweepResult,
) -> Result<StudyResult, Failure> {
    analyse_study(study, result).map_err(|message| {
        Failure::BadInput(format!("study {:?}: {message}", result.manifest.name))
    })
}

/// Writes a study's JSON (to `out`) and HTML (to `html`) and its summary
/// (to stdout), as `merge` does for a sweep.
pub fn write_study_reports(
    analysed: &StudyResult,
    out: Option<&Path>,
    html: Option<&Path>,
    table: Option<(&Path, &[u8])>,
    summary: &str,
    stop: &StopRequests,
) -> Result<(), Failure> {
    super::merge::write_result_reports(
        out,
        || analysed.to_json(),
        html,
        || escrowsim::report::render_study_html(analysed),
        table,
        summary,
        stop,
    )
}

/// The calibrated scenario's text, with the posterior-predictive check
/// (`check_replications` runs of it on seeds the design did not use)
/// added to `analysed`.
fn calibrated_scenario(
    plan: &StudyPlan,
    study_file: &Path,
    analysed: &mut StudyResult,
    units: &UnitArgs,
    stop: &StopRequests,
) -> Result<String, Failure> {
    let jobs = units.jobs;
    let (scenario, text) =
        escrowsim::studies::calibrated_scenario(plan, study_file, analysed).map_err(failure)?;
    // The calibrated scenario is a new point: its runs are held to the
    // memory budget as every point of the design was.
    super::memory::check_memory(
        &plan.base_file,
        &scenario,
        super::memory::MemoryBudget::find(units.memory.max_memory),
        super::memory::Workload::replications(plan.check_replications, jobs),
    )?;
    stop.check(|| " before the posterior-predictive check".to_string())?;
    escrowsim::studies::predictive_check(plan, &scenario, analysed, jobs, || {
        super::signals::StoppableClock::new(stop.clone())
    })
    .map_err(|error| match error {
        StudyOutputError::Interrupted(_) => stop
            .check(|| " during the posterior-predictive check; nothing written".to_string())
            .err()
            .unwrap_or_else(|| Failure::Internal("the check was interrupted".to_string())),
        other => failure(other),
    })?;
    Ok(text)
}

/// The Parquet file of a study's or an optimisation's table.
pub fn table_parquet(
    batch: Result<escrowsim::columnar::Batch, escrowsim::columnar::ColumnarError>,
) -> Result<Vec<u8>, Failure> {
    batch
        .and_then(|batch| escrowsim::columnar::parquet_bytes(&batch))
        .map_err(|error| Failure::Internal(format!("the result's Parquet table: {error}")))
}

/// A study's or an optimisation's output problem as the command's failure.
pub fn failure(error: StudyOutputError) -> Failure {
    match error {
        StudyOutputError::BadInput(message) => Failure::BadInput(message),
        StudyOutputError::Internal(message) => Failure::Internal(message),
        StudyOutputError::Interrupted(_) => {
            Failure::Internal("the runs were interrupted".to_string())
        }
    }
}
