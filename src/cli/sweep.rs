//! `escrowsim sweep`: run the units of a sweep (or of one shard of it) into
//! a directory, one result file per unit, skipping units already complete.
//!
//! Every unit file is written to a temporary file and renamed when complete,
//! so a sweep killed at any moment leaves only whole units behind, and
//! running the same command again completes exactly the missing ones.

use super::flags::MemoryArgs;
use super::memory::{MemoryBudget, Workload, check_memory};
use super::output::{create_exclusively, write_atomically, write_report};
use super::signals::{StopRequests, StoppableClock};
use super::{Failure, catching_panics};
use clap::Args;
use escrowsim::analysis::JOBS_MAX;
use escrowsim::input::{InputError, Located};
use escrowsim::report::VERSION;
use escrowsim::sweep::{LoadedPlan, Manifest, Shard, SweepPlan, UnitResult, load_plan, run_unit};
use escrowsim::wall::peak_rss_bytes;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const EXAMPLES: &str = "Examples:
  escrowsim sweep sweeps/claim-window-by-release.ron --out results/cw --jobs 2
  escrowsim sweep sweeps/claim-window-by-release.ron --out results/cw --shard 3/8
  escrowsim merge results/cw --out cw-result.json

Unit u runs in shard K of N when u % N == K. Re-running a command skips the
units whose result files are complete, so a killed sweep resumes.";

#[derive(Args)]
pub struct SweepArgs {
    /// Sweep file (RON): a base scenario, a grid of factor values (rules,
    /// numbers of the world), replications per point; or a study file
    /// (`Study(...)`, `Calibration(...)`), whose design points run as a
    /// sweep's.
    pub sweep: PathBuf,
    #[command(flatten)]
    pub units: UnitArgs,
}

/// Where and how the units of a sweep or a study run: the flags `sweep`,
/// `sensitivity` and `calibrate` share.
#[derive(Args)]
pub struct UnitArgs {
    /// Directory for the manifest and one result file per unit (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only shard K of N (`K/N`, 0 <= K < N): the units u with u % N == K.
    #[arg(long, default_value = "0/1")]
    pub shard: String,
    /// Units to run at once on this machine (each unit single-threaded).
    #[arg(long, default_value_t = 1)]
    pub jobs: u32,
    /// Check the file (and that --out, if it exists, holds the same sweep
    /// or study), print the plan, and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

/// The manifest's file name inside a sweep directory.
pub const MANIFEST_FILE: &str = "sweep.json";
/// The directory of unit results inside a sweep directory.
pub const UNITS_DIRECTORY: &str = "units";

pub fn unit_file(directory: &Path, unit: u64) -> PathBuf {
    directory
        .join(UNITS_DIRECTORY)
        .join(format!("u{unit:07}.json"))
}

pub fn sweep(arguments: &SweepArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    let plan = match load_plan(&arguments.sweep, "sweep file")
        .map_err(|error| Failure::BadInput(error.to_string()))?
    {
        LoadedPlan::Sweep(plan) => *plan,
        LoadedPlan::Study(study) => study.sweep,
        LoadedPlan::Optimization(_) => {
            return Err(Failure::BadInput(format!(
                "{}: is an optimisation, Optimize(...), which runs in stages, each chosen by the results of the one before; run it with `escrowsim optimize`",
                arguments.sweep.display()
            )));
        }
    };
    run_units(&plan, &arguments.sweep, &arguments.units, &stop)?;
    Ok(())
}

/// What running the units of one shard found: whether every unit of the
/// whole plan (every shard) is now complete in the directory.
pub enum UnitsRun {
    DryRun,
    Ran { all_complete: bool },
}

/// Runs the units of `plan` that shard `--shard` owns into `--out`,
/// skipping those already complete; `file` names the sweep or study file.
pub fn run_units(
    plan: &SweepPlan,
    file: &Path,
    arguments: &UnitArgs,
    stop: &StopRequests,
) -> Result<UnitsRun, Failure> {
    let shard = Shard::parse(&arguments.shard)
        .map_err(|error| Failure::BadInput(format!("--shard: {error}")))?;
    if arguments.jobs == 0 || arguments.jobs > JOBS_MAX {
        return Err(Failure::BadInput(format!(
            "--jobs {} is out of range 1..={JOBS_MAX}",
            arguments.jobs
        )));
    }
    let directory = &arguments.out;
    let units_at_once = (plan.units_of(shard).count() as u32).min(arguments.jobs);
    let budget = MemoryBudget::find(arguments.memory.max_memory);
    for point in &plan.points {
        let label = format!("{} (point {})", file.display(), point.index);
        // Units are written to files as they finish: none is kept in memory.
        let workload = Workload {
            runs_at_once: u64::from(units_at_once),
            results_kept: 0,
        };
        check_memory(Path::new(&label), &point.scenario, budget, workload)?;
    }
    if arguments.dry_run {
        dry_run(plan, shard, directory)?;
        return Ok(UnitsRun::DryRun);
    }
    prepare_directory(directory, &plan.manifest())?;
    let owned: Vec<u64> = plan.units_of(shard).collect();
    let mut pending = Vec::with_capacity(owned.len());
    for &unit in &owned {
        if !unit_complete(directory, plan, unit)? {
            pending.push(unit);
        }
    }
    note!(
        "escrowsim: {:?}: shard {shard} holds {} of {} units; {} complete, running {} on {} thread(s)",
        plan.name,
        owned.len(),
        plan.unit_count(),
        owned.len() - pending.len(),
        pending.len(),
        arguments.jobs
    );
    run_pending(plan, directory, &pending, arguments.jobs, stop)?;
    note!(
        "escrowsim: {:?}: shard {shard} complete in {}",
        plan.name,
        directory.display()
    );
    let mut all_complete = true;
    for unit in 0..plan.unit_count() {
        if shard.owns(unit) {
            continue;
        }
        if !unit_complete(directory, plan, unit)? {
            all_complete = false;
            break;
        }
    }
    Ok(UnitsRun::Ran { all_complete })
}

/// Prints what the sweep would run, after the same checks a real run makes.
fn dry_run(plan: &SweepPlan, shard: Shard, directory: &Path) -> Result<(), Failure> {
    let manifest_path = directory.join(MANIFEST_FILE);
    let mut complete = 0;
    if let Some(text) = read_sweep_file(&manifest_path)? {
        check_manifest(directory, &manifest_path, &text, &plan.manifest())?;
        for unit in plan.units_of(shard) {
            complete += usize::from(unit_complete(directory, plan, unit)?);
        }
    }
    let mut text = format!(
        "sweep {:?} over {:?}: {} points x {} replications = {} units; shard {shard} holds {}, {complete} already complete in {}\n",
        plan.name,
        plan.scenario_name,
        plan.points.len(),
        plan.replications,
        plan.unit_count(),
        plan.units_of(shard).count(),
        directory.display()
    );
    for point in &plan.points {
        let parameters: Vec<String> = point
            .parameters
            .iter()
            .map(|(path, value)| format!("{path} = {value}"))
            .collect();
        let described = if parameters.is_empty() {
            "(base scenario)".to_string()
        } else {
            parameters.join(", ")
        };
        text.push_str(&format!("  point {}: {described}\n", point.index));
    }
    write_report(None, text.as_bytes())?;
    Ok(())
}

pub(super) fn check_manifest(
    directory: &Path,
    manifest_path: &Path,
    text: &str,
    manifest: &Manifest,
) -> Result<(), Failure> {
    let existing = Manifest::from_json(text, &manifest_path.display().to_string())
        .map_err(|problem| Failure::BadInput(problem.to_string()))?;
    if existing.digest != manifest.digest || existing.version != manifest.version {
        return Err(Failure::BadInput(format!(
            "{}: holds results of sweep {:?} (digest {}, escrowsim {}), not of this sweep (digest {}, escrowsim {}); choose another --out",
            directory.display(),
            existing.name,
            existing.digest,
            existing.version,
            manifest.digest,
            VERSION
        )));
    }
    Ok(())
}

/// Creates the directory and claims it for this sweep by creating the
/// manifest, or checks that the directory already belongs to this sweep.
/// The manifest is created exclusively (it appears whole, and only if no
/// manifest is there), so of two different sweeps started together into one
/// new directory exactly one claims it and the other is refused; the same
/// sweep started twice finds its own manifest and both proceed, writing the
/// same units.
pub(super) fn prepare_directory(directory: &Path, manifest: &Manifest) -> Result<(), Failure> {
    let cannot = |error: std::io::Error| {
        Failure::BadInput(format!(
            "{}: cannot create the sweep directory: {error}",
            directory.display()
        ))
    };
    std::fs::create_dir_all(directory.join(UNITS_DIRECTORY)).map_err(cannot)?;
    let manifest_path = directory.join(MANIFEST_FILE);
    if read_sweep_file(&manifest_path)?.is_none() {
        let created =
            create_exclusively(&manifest_path, manifest.to_json().as_bytes()).map_err(|error| {
                Failure::BadInput(format!(
                    "{}: cannot write: {error}",
                    manifest_path.display()
                ))
            })?;
        if created {
            return Ok(());
        }
    }
    // Another process's manifest: an earlier run's, or one created at this moment.
    let text = read_sweep_file(&manifest_path)?.ok_or_else(|| {
        Failure::BadInput(
            Located::new(
                manifest_path.display().to_string(),
                "removed while this sweep was starting; run the command again",
            )
            .to_string(),
        )
    })?;
    check_manifest(directory, &manifest_path, &text, manifest)
}

/// Largest manifest or unit result read back: far above what a unit of the
/// longest horizon holds, so a stray large file is refused, not loaded.
const SWEEP_RESULT_FILE_BYTES_MAX: u64 = 64 * 1024 * 1024;

/// Reads a manifest or unit result of a sweep directory: `None` when it
/// does not exist. Such files are regular files escrowsim wrote; anything
/// else in their place (a FIFO, which would block the read, a device, a
/// link) or a file beyond [`SWEEP_RESULT_FILE_BYTES_MAX`] is refused.
pub fn read_sweep_file(path: &Path) -> Result<Option<String>, Failure> {
    escrowsim::input::read_own_file(path, SWEEP_RESULT_FILE_BYTES_MAX).map_err(|error| {
        let reason = match error {
            InputError::NotAFile { kind } => format!(
                "is {kind}, not a regular file; a sweep directory holds only the files escrowsim writes there"
            ),
            InputError::TooLarge { .. } | InputError::TooLong { .. } => format!(
                "is larger than {SWEEP_RESULT_FILE_BYTES_MAX} bytes, more than any sweep result"
            ),
            other => format!("cannot read: {other}"),
        };
        Failure::BadInput(Located::new(path.display().to_string(), reason).to_string())
    })
}

/// Whether unit `unit` already has a complete result of this sweep. A file
/// in its place that is not a regular file is refused, before any unit runs.
pub(super) fn unit_complete(
    directory: &Path,
    plan: &SweepPlan,
    unit: u64,
) -> Result<bool, Failure> {
    let path = unit_file(directory, unit);
    let Some(text) = read_sweep_file(&path)? else {
        return Ok(false);
    };
    Ok(matches!(
        UnitResult::from_json(&text, &path.display().to_string()),
        Ok(result) if result.sweep_digest == plan.digest && result.version == VERSION && result.unit == unit
    ))
}

/// Runs `pending` units on `jobs` threads, each writing its own file.
pub(super) fn run_pending(
    plan: &SweepPlan,
    directory: &Path,
    pending: &[u64],
    jobs: u32,
    stop: &StopRequests,
) -> Result<(), Failure> {
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<Failure>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(pending.len().max(1) as u32) {
            scope.spawn(|| {
                loop {
                    if failure.lock().map(|slot| slot.is_some()).unwrap_or(true) {
                        return;
                    }
                    let task = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&unit) = pending.get(task) else {
                        return;
                    };
                    if let Err(problem) = run_one(plan, directory, unit, stop) {
                        if let Ok(mut slot) = failure.lock() {
                            slot.get_or_insert(problem);
                        }
                        return;
                    }
                }
            });
        }
    });
    match failure.into_inner() {
        Ok(Some(problem)) => Err(problem),
        Ok(None) => Ok(()),
        Err(_) => Err(Failure::Internal("a sweep worker failed".to_string())),
    }
}

/// What a stopped sweep tells the user.
fn resume_hint(directory: &Path) -> String {
    format!(
        "; the units completed so far are kept in {}, and running the same command again completes the rest",
        directory.display()
    )
}

fn run_one(
    plan: &SweepPlan,
    directory: &Path,
    unit: u64,
    stop: &StopRequests,
) -> Result<(), Failure> {
    stop.check(|| resume_hint(directory))?;
    let result = catching_panics(|| {
        let mut probe = StoppableClock::new(stop.clone());
        let mut result = run_unit(plan, unit, &mut probe).map_err(|interrupted| {
            stop.check(|| resume_hint(directory))
                .err()
                .unwrap_or_else(|| Failure::Internal(interrupted.to_string()))
        })?;
        result.wall_ms = probe.clock.elapsed_ns() / 1_000_000;
        result.peak_rss_bytes = peak_rss_bytes();
        Ok::<_, Failure>(result)
    })??;
    let (point, replication) = plan.unit(unit);
    write_atomically(&unit_file(directory, unit), result.to_json().as_bytes())?;
    note!(
        "  unit {unit} (point {point}, replication {replication}) done in {} ms",
        result.wall_ms
    );
    Ok(())
}
