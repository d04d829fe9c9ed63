//! `escrowsim optimize`: choose a rule set. The candidates' runs are the
//! units of a sweep, run stage by stage: racing, then the selection among
//! racing's survivors, then a confirmation of the chosen rule set, each
//! stage decided by the outputs of the ones before (replayed from the unit
//! files, so a stopped optimisation resumes and any shard sees the same
//! stage).
//!
//! Without `--shard` the command runs every stage to the end and writes
//! the result. With `--shard K/N` it runs its share of the current stage
//! (the stage's units at positions p with p % N == K) and stops: run the
//! N shards of each stage (the Slurm scripts submit one array job per
//! stage) until `--dry-run` says every stage is complete; the last shard
//! to finish writes the result, and running the command once more without
//! `--shard` writes it too.
//!
//! The directory then holds `result.json`, `result.csv`, `result.parquet`
//! (the CSV's rows, typed), `result.html` and
//! `chosen.ron` (the base scenario with the chosen rules); the summary goes
//! to stdout.

use super::Failure;
use super::memory::{MemoryBudget, Workload, check_memory};
use super::merge::{read_directories, refusal};
use super::output::{not_written, write_report, write_reports};
use super::signals::StopRequests;
use super::study::{RESULT_CSV, RESULT_HTML, RESULT_JSON, RESULT_PARQUET, StudyArgs};
use super::sweep::{
    MANIFEST_FILE, check_manifest, prepare_directory, read_sweep_file, run_pending, unit_complete,
    unit_file,
};
use escrowsim::analysis::JOBS_MAX;
use escrowsim::analysis::optimize::{
    Observations, OptimizationPlan, observations, optimization_result, progress,
};
use escrowsim::sweep::{LoadedPlan, Shard, UnitResult, load_plan};
use std::path::Path;

pub const EXAMPLES: &str = "Examples:
  escrowsim optimize studies/optimize-launch.ron --out results/optimize --jobs 2
  escrowsim optimize studies/optimize-launch.ron --out results/optimize --dry-run
  escrowsim optimize studies/optimize-launch.ron --out results/optimize --shard 2/8
  escrowsim run results/optimize/chosen.ron

Without --shard, every stage runs to the end. With --shard K/N, the shard runs
its share of the current stage and stops; run all N shards of each stage until
--dry-run prints \"all stages complete\" (scripts/slurm/submit-optimize.sh does
this with one array job per stage). Re-running skips complete units.";

/// The rule set an optimisation chose, beside its result files (those of a
/// study's directory).
pub const CHOSEN_SCENARIO: &str = "chosen.ron";

/// The line `--dry-run` prints once nothing is left to run.
pub const ALL_STAGES_COMPLETE: &str = "all stages complete";

pub fn optimize(arguments: &StudyArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    let plan = match load_plan(&arguments.study, "optimisation file")
        .map_err(|error| Failure::BadInput(error.to_string()))?
    {
        LoadedPlan::Optimization(plan) => plan,
        LoadedPlan::Study(_) => {
            return Err(Failure::BadInput(format!(
                "{}: is a study, not an optimisation; run it with `escrowsim sensitivity` or `escrowsim calibrate`",
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
    let units = &arguments.units;
    let shard = Shard::parse(&units.shard)
        .map_err(|error| Failure::BadInput(format!("--shard: {error}")))?;
    if units.jobs == 0 || units.jobs > JOBS_MAX {
        return Err(Failure::BadInput(format!(
            "--jobs {} is out of range 1..={JOBS_MAX}",
            units.jobs
        )));
    }
    let budget = MemoryBudget::find(units.memory.max_memory);
    for point in &plan.sweep.points {
        let label = format!("{} (candidate {})", arguments.study.display(), point.index);
        let workload = Workload {
            runs_at_once: u64::from(units.jobs),
            results_kept: 0,
        };
        check_memory(Path::new(&label), &point.scenario, budget, workload)?;
    }
    let directory = &units.out;
    if units.dry_run {
        return dry_run(&plan, shard, directory, &stop);
    }
    prepare_directory(directory, &plan.sweep.manifest())?;
    let optimization = &plan.optimization;
    let candidates = plan.sweep.points.len();
    let manifest = plan.sweep.manifest();
    let mut observed = read_observations(&plan, directory, &stop)?;
    loop {
        let state = progress(optimization, candidates, &observed).map_err(|error| {
            Failure::BadInput(format!("{}: {error}", arguments.study.display()))
        })?;
        let Some(stage) = state.next else {
            break;
        };
        let mine: Vec<u64> = stage
            .units
            .iter()
            .enumerate()
            .filter(|(position, _)| shard.owns(*position as u64))
            .map(|(_, &unit)| unit)
            .collect();
        let mut pending = Vec::with_capacity(mine.len());
        for &unit in &mine {
            if !unit_complete(directory, &plan.sweep, unit)? {
                pending.push(unit);
            }
        }
        note!(
            "escrowsim: {:?}: {}; shard {shard} holds {}, running {} on {} thread(s)",
            plan.sweep.name,
            escrowsim::report::optimize::describe_stage(&stage),
            mine.len(),
            pending.len(),
            units.jobs
        );
        run_pending(&plan.sweep, directory, &pending, units.jobs, &stop)?;
        let read = read_units(&plan, directory, &stage.units)?;
        let complete = read.len() == stage.units.len();
        let more =
            observations(&manifest, optimization, &read).map_err(|problems| refusal(&problems))?;
        for (candidate, rows) in more.rows.into_iter().enumerate() {
            observed.rows[candidate].extend(rows);
        }
        if !complete {
            note!(
                "escrowsim: {:?}: stage {} has {} of its {} units; once the other shards' are in, run the command again for the next stage",
                plan.sweep.name,
                stage.number,
                read.len(),
                stage.units.len()
            );
            return Ok(());
        }
        if shard != Shard::WHOLE {
            // A shard runs one stage; the next is the next array job's.
            let next = progress(optimization, candidates, &observed).map_err(|error| {
                Failure::BadInput(format!("{}: {error}", arguments.study.display()))
            })?;
            if next.next.is_some() {
                note!(
                    "escrowsim: {:?}: stage {} complete; run the shards again for the next",
                    plan.sweep.name,
                    stage.number
                );
                return Ok(());
            }
        }
    }
    write_result(&plan, directory, &stop)
}

/// Every complete unit of this optimisation in `directory`, as outputs.
fn read_observations(
    plan: &OptimizationPlan,
    directory: &Path,
    stop: &StopRequests,
) -> Result<Observations, Failure> {
    let (manifest, units) =
        read_directories(std::slice::from_ref(&directory.to_path_buf()), stop, &[])?;
    let units: Vec<(String, UnitResult)> = units
        .into_iter()
        .filter(|(_, unit)| unit.sweep_digest == plan.sweep.digest)
        .collect();
    observations(&manifest, &plan.optimization, &units).map_err(|problems| refusal(&problems))
}

/// The complete units among `wanted`.
fn read_units(
    plan: &OptimizationPlan,
    directory: &Path,
    wanted: &[u64],
) -> Result<Vec<(String, UnitResult)>, Failure> {
    let mut units = Vec::with_capacity(wanted.len());
    for &unit in wanted {
        let path = unit_file(directory, unit);
        let Some(text) = read_sweep_file(&path)? else {
            continue;
        };
        let source = path.display().to_string();
        let result = UnitResult::from_json(&text, &source)
            .map_err(|problem| Failure::BadInput(problem.to_string()))?;
        if result.sweep_digest == plan.sweep.digest && result.unit == unit {
            units.push((source, result));
        }
    }
    Ok(units)
}

/// Prints the candidates and the stage a run would take up next.
fn dry_run(
    plan: &OptimizationPlan,
    shard: Shard,
    directory: &Path,
    stop: &StopRequests,
) -> Result<(), Failure> {
    let mut observed = Observations::new(plan.sweep.points.len());
    let manifest_path = directory.join(MANIFEST_FILE);
    if let Some(text) = read_sweep_file(&manifest_path)? {
        check_manifest(directory, &manifest_path, &text, &plan.sweep.manifest())?;
        observed = read_observations(plan, directory, stop)?;
    }
    let optimization = &plan.optimization;
    let mut text = format!(
        "optimisation {:?} over {:?}: {} candidates, up to {} replications each ({} racing, {} selection, {} confirmation)\n",
        plan.sweep.name,
        plan.sweep.scenario_name,
        plan.sweep.points.len(),
        plan.sweep.replications,
        optimization.racing_replications,
        optimization.selection_replications,
        optimization.confirmation
    );
    for point in &plan.sweep.points {
        text.push_str(&format!(
            "  candidate {}: {}\n",
            point.index,
            escrowsim::report::optimize::describe_rules(&point.parameters)
        ));
    }
    let state = progress(optimization, plan.sweep.points.len(), &observed)
        .map_err(|error| Failure::BadInput(error.to_string()))?;
    match &state.next {
        None => text.push_str(&format!(
            "{ALL_STAGES_COMPLETE} in {}\n",
            directory.display()
        )),
        Some(stage) => {
            let mut complete = 0;
            for &unit in &stage.units {
                complete += usize::from(unit_complete(directory, &plan.sweep, unit)?);
            }
            let mine = (0..stage.units.len() as u64)
                .filter(|&position| shard.owns(position))
                .count();
            text.push_str(&format!(
                "next: {}, {complete} complete in {}; shard {shard} holds {mine}\n",
                escrowsim::report::optimize::describe_stage(stage),
                directory.display()
            ));
        }
    }
    write_report(None, text.as_bytes())
}

/// Writes the result files of a complete optimisation and prints its summary.
fn write_result(
    plan: &OptimizationPlan,
    directory: &Path,
    stop: &StopRequests,
) -> Result<(), Failure> {
    let paths = [
        directory.join(RESULT_JSON),
        directory.join(RESULT_CSV),
        directory.join(RESULT_HTML),
        directory.join(CHOSEN_SCENARIO),
        directory.join(RESULT_PARQUET),
    ];
    let outputs: Vec<Option<&Path>> = paths.iter().map(|path| Some(path.as_path())).collect();
    let (manifest, units) = read_directories(
        std::slice::from_ref(&directory.to_path_buf()),
        stop,
        &outputs,
    )?;
    let result = optimization_result(&manifest, &units).map_err(|problems| refusal(&problems))?;
    stop.check(|| not_written(&outputs))?;
    let chosen =
        escrowsim::studies::chosen_scenario(plan, &result).map_err(super::study::failure)?;
    let json = result.to_json();
    let csv = escrowsim::report::render_optimization_csv(&result);
    let page = escrowsim::report::render_optimization_html(&result);
    let summary = escrowsim::report::render_optimization_text(&result);
    let table = super::study::table_parquet(escrowsim::columnar::optimization_batch(
        &escrowsim::report::optimization_rows(&result),
    ))?;
    let mut reports: Vec<(Option<&Path>, &[u8])> = vec![
        (Some(paths[0].as_path()), json.as_bytes()),
        (Some(paths[1].as_path()), csv.as_bytes()),
        (Some(paths[2].as_path()), page.as_bytes()),
        (Some(paths[4].as_path()), &table),
    ];
    if let Some(text) = &chosen {
        reports.push((Some(paths[3].as_path()), text.as_bytes()));
    }
    reports.push((None, summary.as_bytes()));
    write_reports(&reports, || stop.check(|| not_written(&outputs)))
}
