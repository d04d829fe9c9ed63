//! `escrowsim run`: one scenario, one seed, one report.

use super::output::{check_output_path, write_report};
use super::{Failure, catching_panics};
use clap::{Args, ValueEnum};
use escrowsim::report::{Performance, Report, render_text};
use escrowsim::scenario::{Scenario, load_scenario_file};
use escrowsim::wall::{WallClock, peak_rss_bytes};
use std::path::PathBuf;

pub const EXAMPLES: &str = "Examples:
  escrowsim run scenarios/quick.ron
  escrowsim run scenarios/trade-assurance-2014.ron --format json --out report.json
  escrowsim run scenarios/quick.ron --seed 7
  escrowsim run scenarios/quick.ron --replications 20 --html quick.html
  escrowsim run scenarios/quick.ron --replications 20 --format csv --out quick.csv";

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    /// Seed for every random stream; defaults to the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file (atomically: a temporary file renamed when complete) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run this many replications (seeds derived from the seed) and report statistics across them.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Threads for replications; defaults to the available cores. The report is the same for any value.
    #[arg(long, requires = "replications")]
    pub jobs: Option<u32>,
    /// Also write a self-contained HTML report with charts to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// The JSON report of the documented schema, for scripts.
    Json,
    /// One row per replication and per month, for pandas or a spreadsheet.
    Csv,
}

pub fn run(arguments: &RunArgs) -> Result<(), Failure> {
    if arguments.replications.is_some()
        || arguments.html.is_some()
        || matches!(arguments.format, Format::Csv)
    {
        return super::replicate::run_replications(arguments);
    }
    let scenario = load_scenario_file(&arguments.scenario)?;
    if let Some(out) = &arguments.out {
        check_output_path(out)?;
    }
    let seed = arguments.seed.unwrap_or(scenario.seed);
    let report = simulate(&scenario, seed)?;
    let rendered = match arguments.format {
        Format::Text => render_text(&report),
        Format::Json => report.to_json(),
        Format::Csv => unreachable!("CSV reports are replication reports"),
    };
    write_report(arguments.out.as_deref(), rendered.as_bytes())
}

/// Runs the scenario with a wall clock for the performance figures.
fn simulate(scenario: &Scenario, seed: u64) -> Result<Report, Failure> {
    catching_panics(|| {
        let mut clock = WallClock::new();
        let output = escrowsim::run(scenario, seed, &mut clock)
            .map_err(|interrupted| Failure::BadInput(interrupted.to_string()))?;
        let wall_ns = clock.elapsed_ns();
        let performance = Performance::new(&output, wall_ns, peak_rss_bytes());
        Ok(Report::new(scenario, seed, &output, Some(performance)))
    })?
}
