//! `run --save-state FILE --at DATE` and `run --from-state FILE
//! [--rules-from SCENARIO]`: a run stopped at the first second of a date
//! with its whole state written to a file, and a run that goes on from such
//! a file, under its own rules or another scenario's. The state format is
//! `escrowsim_core::program::snapshot`'s; this module reads and writes the
//! files and says what went wrong.

use super::output::{check_report_and_page, write_atomically};
use super::replicate::{Work, with_progress};
use super::run::RunArgs;
use super::signals::StopRequests;
use super::{Failure, catching_panics};
use clap::Args;
use escrowsim::engine::Streams;
use escrowsim::input::read_bounded;
use escrowsim::program::RunOutput;
use escrowsim::program::snapshot::{
    ResumeError, STATE_FILE_BYTES_MAX, decode, encode, run_from_state, run_to_state,
};
use escrowsim::report::{Performance, Report, Source};
use escrowsim::scenario::{Date, Scenario, load_scenario_with_source};
use escrowsim::wall::peak_rss_bytes;
use std::path::{Path, PathBuf};

/// `--save-state`, `--at`, `--from-state` and `--rules-from`.
#[derive(Args, Clone, Debug, Default)]
pub struct StateArgs {
    /// Stop the run at the first second of --at DATE and write its whole
    /// state (population, histories, orders in flight, events, ledger,
    /// totals, random-stream positions) to FILE instead of a report.
    #[arg(
        long,
        value_name = "FILE",
        requires = "at",
        conflicts_with = "from_state"
    )]
    pub save_state: Option<PathBuf>,
    /// The date (YYYY-MM-DD, from the scenario's start to its end) at whose
    /// first second --save-state stops the run.
    #[arg(long, value_name = "DATE", requires = "save_state", value_parser = parse_date)]
    pub at: Option<Date>,
    /// Go on from the state in FILE (written by --save-state from this
    /// scenario and seed) to the end, and report the whole run.
    #[arg(long, value_name = "FILE")]
    pub from_state: Option<PathBuf>,
    /// With --from-state: from the state's date on, the rules and remaining
    /// timeline of SCENARIO, which must differ from the run's scenario in
    /// nothing but its name, description, rules and timeline.
    #[arg(long, value_name = "SCENARIO", requires = "from_state")]
    pub rules_from: Option<PathBuf>,
}

pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text).ok_or_else(|| format!("{text:?} is not a date of the form YYYY-MM-DD"))
}

/// Refuses the flags that have no meaning with a state: a state is one run
/// of one seed, and --save-state writes no report.
pub fn refuse_with_states(arguments: &RunArgs, flag: &str) -> Result<(), Failure> {
    let mut others = Vec::new();
    if arguments.replications.is_some() {
        others.push("--replications");
    }
    if arguments.check_determinism {
        others.push("--check-determinism");
    }
    if arguments.antithetic.antithetic {
        others.push("--antithetic");
    }
    if matches!(arguments.report.format, super::run::Format::Csv) {
        others.push("--format csv");
    }
    if arguments.state.save_state.is_some() {
        if arguments.report.out.is_some() {
            others.push("--out");
        }
        if arguments.report.html.is_some() {
            others.push("--html");
        }
        if arguments.warm_up.warm_up.is_some() {
            others.push("--warm-up");
        }
    } else if arguments.seed.seed.is_some() {
        others.push("--seed (the state keeps its seed)");
    }
    match others.as_slice() {
        [] => Ok(()),
        _ => Err(Failure::BadInput(format!(
            "{flag} cannot be combined with {}",
            others.join(", ")
        ))),
    }
}

/// Days from the scenario's start to `at`, which must lie within the run
/// (its end included: a state there has nothing left to run).
pub fn day_of(flag: &str, scenario: &Scenario, at: Date) -> Result<u32, Failure> {
    let end = scenario
        .start_date
        .add_days(i64::from(scenario.horizon_days));
    let day = scenario.start_date.days_until(at);
    u32::try_from(day)
        .ok()
        .filter(|day| *day <= scenario.horizon_days)
        .ok_or_else(|| {
            Failure::BadInput(format!(
                "{flag} {at} is outside the run of {:?}, from {} to {end}",
                scenario.name, scenario.start_date
            ))
        })
}

/// `run SCENARIO --save-state FILE --at DATE`.
pub fn save(arguments: &RunArgs, file: &Path, stop: &StopRequests) -> Result<(), Failure> {
    refuse_with_states(arguments, "--save-state")?;
    let (scenario, _) = load_scenario_with_source(&arguments.scenario)?;
    check_report_and_page(Some(file), None)?;
    let at = arguments
        .state
        .at
        .expect("clap requires --at with --save-state");
    let at_day = day_of("--at", &scenario, at)?;
    super::memory::check_memory(
        &arguments.scenario,
        &scenario,
        super::memory::MemoryBudget::find(arguments.memory.max_memory),
        super::memory::Workload::SINGLE_RUN,
    )?;
    let seed = arguments.seed.seed.unwrap_or(scenario.seed);
    let unsaved = || {
        format!(
            "; the state was not saved and {} was left as it was",
            file.display()
        )
    };
    stop.check(unsaved)?;
    let horizon_seconds = u64::from(at_day) * 86_400;
    let work = Work::Run {
        start_date: scenario.start_date,
    };
    let (state, _) = with_progress(horizon_seconds, work, stop, |progress| {
        catching_panics(|| {
            let mut probe = progress.probe(horizon_seconds);
            run_to_state(&scenario, Streams::new(seed), at_day, &mut probe)
                .map_err(|interrupted| stopped(stop, interrupted.to_string(), unsaved))
        })?
    })?;
    let bytes = encode(&scenario, &state);
    stop.check(unsaved)?;
    write_atomically(file, &bytes)?;
    note!(
        "state of {:?} (seed {seed}) at the start of {at}, day {at_day} of {}, written to {}: \
         {} bytes, {} events handled",
        scenario.name,
        scenario.horizon_days,
        file.display(),
        bytes.len(),
        state.events_processed(),
    );
    Ok(())
}

/// A run stopped by its probe: by a stop signal (exit 130 or 143) or, if
/// none was asked for, something that should not happen.
fn stopped(stop: &StopRequests, interrupted: String, unsaved: impl FnOnce() -> String) -> Failure {
    stop.check(unsaved)
        .err()
        .unwrap_or(Failure::Internal(interrupted))
}

/// A state file's bytes, or why they cannot be read (exit 2).
fn read_state(file: &Path) -> Result<Vec<u8>, Failure> {
    read_bounded(file, STATE_FILE_BYTES_MAX)
        .map_err(|error| Failure::BadInput(format!("{}: {error}", file.display())))
}

/// `run SCENARIO --from-state FILE [--rules-from OTHER]`: the report of the
/// whole run, from the state to the end; the scenario (and source) it
/// reports is OTHER's when given.
pub fn resume(
    scenario: &Scenario,
    source: &Source,
    file: &Path,
    arguments: &RunArgs,
    stop: &StopRequests,
) -> Result<(Report, RunOutput, Option<Source>), Failure> {
    refuse_with_states(arguments, "--from-state")?;
    let bytes = read_state(file)?;
    let state = decode(&bytes, scenario)
        .map_err(|error| Failure::BadInput(format!("{}: {error}", file.display())))?;
    drop(bytes);
    let other = match &arguments.state.rules_from {
        Some(path) => {
            let (other, other_source) = load_scenario_with_source(path)?;
            if !escrowsim::program::same_world(scenario, &other) {
                return Err(Failure::BadInput(format!(
                    "{}: --rules-from takes a scenario that differs from {} only in its name, \
                     description, rules and timeline; this one has another population, \
                     behaviour, start, horizon or currency",
                    path.display(),
                    source.file
                )));
            }
            Some((other, other_source))
        }
        None => None,
    };
    let seed = state.seed();
    let not_written = || {
        super::output::not_written(&[
            arguments.report.html.as_deref(),
            arguments.report.out.as_deref(),
        ])
    };
    stop.check(not_written)?;
    let horizon_seconds = u64::from(scenario.horizon_days) * 86_400;
    let work = Work::Run {
        start_date: scenario.start_date,
    };
    let rules_from = other.as_ref().map(|(other, _)| other);
    let (output, _) = with_progress(horizon_seconds, work, stop, |progress| {
        catching_panics(|| {
            let mut probe = progress.probe(horizon_seconds);
            let output = run_from_state(scenario, state, rules_from, &mut probe).map_err(
                |error| match error {
                    ResumeError::State(problem) => {
                        Failure::BadInput(format!("{}: {problem}", file.display()))
                    }
                    ResumeError::Interrupted(interrupted) => {
                        stopped(stop, interrupted.to_string(), not_written)
                    }
                },
            )?;
            let performance = Performance::new(&output, probe.elapsed_ns(), peak_rss_bytes());
            Ok((output, performance))
        })?
    })?;
    let (output, performance) = output;
    let reported = rules_from.unwrap_or(scenario);
    let report = Report::new(reported, seed, &output, Some(performance));
    Ok((report, output, other.map(|(_, other_source)| other_source)))
}
