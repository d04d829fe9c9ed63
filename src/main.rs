//! The `escrowsim` command: a thin layer that parses arguments and hands
//! each subcommand to its module in `cli/`, which loads and validates input,
//! calls the library, and writes what comes back.
//!
//! Exit codes: 0 success; 2 bad input or usage (with every problem printed);
//! 1 internal failure (a broken invariant: a bug, reported as such).

mod cli;

use clap::{Parser, Subcommand};
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
    /// Check a scenario and print every problem with its file:line:column.
    #[command(after_help = "Exit status: 0 when the scenario is valid, 2 when it is not.")]
    Validate(cli::validate::ValidateArgs),
    /// Benchmark the settlement path alone, or a whole scenario: throughput and latency percentiles.
    #[command(after_help = cli::bench::EXAMPLES)]
    Bench(cli::bench::BenchArgs),
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
        Command::Run(arguments) => cli::run::run(&arguments),
        Command::Validate(arguments) => cli::validate::validate(&arguments),
        Command::Bench(arguments) => cli::bench::bench(&arguments),
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
