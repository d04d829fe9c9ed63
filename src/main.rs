//! The `escrowsim` command: a thin layer that parses arguments and hands
//! each subcommand to its module in `cli/`, which loads and validates input,
//! calls the library, and writes what comes back.
//!
//! Exit codes: 0 success; 2 bad input or usage (with every problem printed);
//! 1 internal failure (a broken invariant: a bug, reported as such); 130
//! stopped by Ctrl-C (143 by SIGTERM), with no report written.

/// Prints a diagnostic line on stderr. A closed or full stderr (e.g. piped
/// into `head`) must never stop a run, so write errors are ignored, where
/// `eprintln!` would panic. Defined before `mod cli` so every command sees it.
macro_rules! note {
    ($($argument:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($argument)*);
    }};
}

mod cli;

use clap::{CommandFactory, Parser, Subcommand};
use cli::Failure;
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
    #[command(after_help = cli::run::EXAMPLES)]
    Run(cli::run::RunArgs),
    /// Compare two rule sets over paired replications (common random numbers).
    #[command(after_help = cli::compare::EXAMPLES)]
    Compare(cli::compare::CompareArgs),
    /// Check a scenario or a sweep file and print every problem with its file:line:column.
    #[command(after_help = cli::validate::EXAMPLES)]
    Validate(cli::validate::ValidateArgs),
    /// Write a commented starting scenario to a new file.
    #[command(after_help = cli::init::EXAMPLES)]
    Init(cli::init::InitArgs),
    /// Run a sweep's units (or one shard of them) into a directory; resumable.
    #[command(after_help = cli::sweep::EXAMPLES)]
    Sweep(cli::sweep::SweepArgs),
    /// Global sensitivity of a scenario's metrics to its uncertain factors (Morris, Sobol, Latin hypercube).
    #[command(after_help = cli::study::SENSITIVITY_EXAMPLES)]
    Sensitivity(cli::study::StudyArgs),
    /// Calibrate a scenario's uncertain factors to observed figures (approximate Bayesian computation).
    #[command(after_help = cli::study::CALIBRATE_EXAMPLES)]
    Calibrate(cli::study::StudyArgs),
    /// Choose the rule set that best meets an objective under constraints, with a statistical guarantee.
    #[command(after_help = cli::optimize::EXAMPLES)]
    Optimize(cli::study::StudyArgs),
    /// Merge the unit results of a sweep or a study, from one or more directories, into its result.
    #[command(
        after_help = "Examples:\n  escrowsim merge results/cw --out cw-result.json --html cw.html\n  \
                      escrowsim merge results/cw-part1 results/cw-part2 --summary csv --out cw-summary.csv"
    )]
    Merge(cli::merge::MergeArgs),
    /// Benchmark the settlement path alone, or a whole scenario: throughput and latency percentiles.
    #[command(after_help = cli::bench::EXAMPLES)]
    Bench(cli::bench::BenchArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = cli::manual::COMPLETIONS_EXAMPLES)]
    Completions(cli::manual::CompletionsArgs),
    /// Print the man page of escrowsim, or of one subcommand.
    #[command(after_help = cli::manual::MANUAL_EXAMPLES)]
    Manual(cli::manual::ManualArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version print to stdout and succeed, unless stdout
            // cannot take them (a closed pipe is fine, a full disk is not);
            // usage errors exit 2.
            let printed = error.print();
            if error.use_stderr() {
                return ExitCode::from(2);
            }
            return match printed {
                Err(problem) if problem.kind() != std::io::ErrorKind::BrokenPipe => {
                    note!("standard output: cannot write: {problem}");
                    ExitCode::from(2)
                }
                _ => ExitCode::SUCCESS,
            };
        }
    };
    let result = match cli.command {
        Command::Run(arguments) => cli::run::run(&arguments),
        Command::Validate(arguments) => cli::validate::validate(&arguments),
        Command::Init(arguments) => cli::init::init(&arguments),
        Command::Sweep(arguments) => cli::sweep::sweep(&arguments),
        Command::Merge(arguments) => cli::merge::merge(&arguments),
        Command::Sensitivity(arguments) => cli::study::sensitivity(&arguments),
        Command::Calibrate(arguments) => cli::study::calibrate(&arguments),
        Command::Optimize(arguments) => cli::optimize::optimize(&arguments),
        Command::Compare(arguments) => cli::compare::compare(&arguments),
        Command::Bench(arguments) => cli::bench::bench(&arguments),
        Command::Completions(arguments) => cli::manual::completions(&arguments, Cli::command()),
        Command::Manual(arguments) => cli::manual::manual(&arguments, Cli::command()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::BadInput(message)) => {
            note!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Internal(message)) => {
            note!("internal error (please report it with the scenario and seed): {message}");
            ExitCode::from(1)
        }
        Err(Failure::Stopped { message, exit_code }) => {
            note!("{message}");
            ExitCode::from(exit_code)
        }
    }
}
