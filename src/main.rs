//! The `escrowsim` command: a thin layer that parses arguments, loads and
//! validates a scenario, hands it to the library, and writes what comes back.
//!
//! Exit codes: 0 success; 2 bad input or usage (with every problem printed);
//! 1 internal failure (a broken invariant: a bug, reported as such).

use clap::{Parser, Subcommand, ValueEnum};
use escrowsim::report::{Performance, Report, render_text};
use escrowsim::scenario::{LoadError, Scenario, load_scenario_file};
use escrowsim::wall::{WallClock, peak_rss_bytes};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "escrowsim",
    version,
    about = "Deterministic discrete-event simulator of a B2B escrow and buyer-protection program",
    long_about = "Runs the escrow, vetting and refund rules of a trade-assurance program against a seeded \
population of buyers and suppliers described in a RON scenario file, and reports refund rates, the \
platform's risk, the escrow ledger and the throughput of the settlement path. The same scenario and \
seed always give the same outcome and digest."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario and print its report.
    #[command(
        after_help = "Examples:\n  escrowsim run scenarios/quick.ron\n  escrowsim run scenarios/trade-assurance-2014.ron --format json --out report.json\n  escrowsim run scenarios/quick.ron --seed 7"
    )]
    Run {
        /// Scenario file (RON).
        scenario: PathBuf,
        /// Seed for every random stream; defaults to the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// Report format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the report to this file (atomically: a temporary file renamed when complete) instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a scenario and print every problem with its file:line:column.
    #[command(after_help = "Exit status: 0 when the scenario is valid, 2 when it is not.")]
    Validate {
        /// Scenario file (RON).
        scenario: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned text for people.
    Text,
    /// The JSON report of the documented schema, for scripts.
    Json,
}

/// Why the command failed, and so its exit code.
enum Failure {
    /// The user's input is at fault (exit 2).
    BadInput(String),
    /// Something the program itself should have prevented (exit 1).
    Internal(String),
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        Failure::BadInput(error.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version print to stdout and succeed; usage errors exit 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run {
            scenario,
            seed,
            format,
            out,
        } => run(&scenario, seed, format, out.as_deref()),
        Command::Validate { scenario } => validate(&scenario),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(message)) => {
            eprintln!("internal error (please report it with the scenario and seed): {message}");
            ExitCode::from(1)
        }
    }
}

fn validate(path: &Path) -> Result<(), Failure> {
    let scenario = load_scenario_file(path)?;
    let suppliers: u64 = scenario
        .suppliers
        .iter()
        .map(|segment| u64::from(segment.count))
        .sum();
    let buyers: u64 = scenario
        .buyers
        .iter()
        .map(|segment| u64::from(segment.count))
        .sum();
    println!(
        "{}: valid: scenario {:?}, {} supplier and {} buyer segments ({suppliers} suppliers, {buyers} buyers), {} days from {}",
        path.display(),
        scenario.name,
        scenario.suppliers.len(),
        scenario.buyers.len(),
        scenario.horizon_days,
        scenario.start_date
    );
    Ok(())
}

fn run(path: &Path, seed: Option<u64>, format: Format, out: Option<&Path>) -> Result<(), Failure> {
    let scenario = load_scenario_file(path)?;
    if let Some(out) = out {
        check_output_path(out)?;
    }
    let seed = seed.unwrap_or(scenario.seed);
    let report = simulate(&scenario, seed)?;
    let rendered = match format {
        Format::Text => render_text(&report),
        Format::Json => report.to_json(),
    };
    match out {
        Some(out) => write_atomically(out, rendered.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not a failure of the run.
            let _ = stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush());
            Ok(())
        }
    }
}

/// Runs the scenario, turning a broken invariant into an internal failure
/// rather than a crash.
fn simulate(scenario: &Scenario, seed: u64) -> Result<Report, Failure> {
    let outcome = std::panic::catch_unwind(|| {
        let mut clock = WallClock::new();
        let output = escrowsim::run(scenario, seed, &mut clock);
        let wall_ns = clock.elapsed_ns();
        let performance = Performance::new(&output, wall_ns, peak_rss_bytes());
        Report::new(scenario, seed, &output, Some(performance))
    });
    outcome.map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "the simulation panicked".to_string());
        Failure::Internal(message)
    })
}

/// Refuses an output path whose directory does not exist before spending a
/// whole run on it.
fn check_output_path(out: &Path) -> Result<(), Failure> {
    let directory = output_directory(out);
    if !directory.is_dir() {
        return Err(Failure::BadInput(format!(
            "{}: cannot write the report: directory {} does not exist",
            out.display(),
            directory.display()
        )));
    }
    if out.is_dir() {
        return Err(Failure::BadInput(format!(
            "{}: cannot write the report: it is a directory",
            out.display()
        )));
    }
    Ok(())
}

fn output_directory(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a temporary file beside `out` and renames it over `out`
/// only when complete, so `out` is never seen half-written.
fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let directory = output_directory(out);
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let failed = |error: std::io::Error| {
        Failure::BadInput(format!(
            "{}: cannot write the report: {error}",
            out.display()
        ))
    };
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, out)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(error));
    }
    Ok(())
}
