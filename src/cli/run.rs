//! `escrowsim run`: one scenario, one seed, one report.

use super::determinism;
use super::flags::{
    AntitheticArgs, MemoryArgs, MetricsArgs, PrecisionArgs, ReportArgs, SeedArgs, WarmUpArgs,
};
use super::memory::{MemoryBudget, Workload, check_memory};
use super::output::{check_report_and_page, not_written, write_reports};
use super::replicate::{Work, say_where_written, with_progress, write_with_page};
use super::signals::StopRequests;
use super::snapshot::StateArgs;
use super::trace::TraceArgs;
use super::{Failure, catching_panics};
use clap::{Args, ValueEnum};
use escrowsim::analysis::warm_up::RunWarmUp;
use escrowsim::analysis::{ReplicationSummary, single_run};
use escrowsim::program::RunOutput;
use escrowsim::program::trace::{NoTrace, Observer};
use escrowsim::report::{
    Performance, Report, render_replications_html, render_text, render_warm_up_text,
};
use escrowsim::scenario::{Scenario, load_scenario_with_source};
use escrowsim::wall::peak_rss_bytes;
use std::path::PathBuf;

pub const EXAMPLES: &str = "Examples:
  escrowsim run scenarios/quick.ron
  escrowsim run scenarios/trade-assurance-2014.ron --format json --out report.json
  escrowsim run scenarios/quick.ron --seed 7
  escrowsim run scenarios/quick.ron --replications 20 --html quick.html
  escrowsim run scenarios/quick.ron --replications 20 --format csv --out quick.csv
  escrowsim run scenarios/quick.ron --replications 20 --format parquet --out quick.parquet
  escrowsim run scenarios/quick.ron --replications 20 --metrics 'risk.*' --metrics refunds.rate
  escrowsim run scenarios/quick.ron --replications 200 --precision refunds.rate=2%
  escrowsim run scenarios/quick.ron --replications 20 --warm-up auto
  escrowsim run scenarios/quick.ron --check-determinism
  escrowsim run scenarios/quick.ron --save-state june.state --at 2014-06-01
  escrowsim run scenarios/quick.ron --from-state june.state --rules-from scenarios/quick-release-at-contract.ron
  escrowsim run scenarios/quick.ron --trace trace.jsonl --trace-orders 100
  escrowsim run scenarios/quick.ron --transfers transfers.csv --format json --out report.json

Exit status: 0 success; 2 bad input (the scenario, the flags, --out, a state file of another
version or scenario, damaged or truncated, or a scenario whose
estimated memory exceeds the machine's or --max-memory), or a report that cannot be
written (a full disk); 1 internal failure; 130 stopped by Ctrl-C (143 by SIGTERM), in
which case no report is written and --out is left as it was.";

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub seed: SeedArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Run this many replications (seeds derived from the seed) and report statistics across them.
    #[arg(long)]
    pub replications: Option<u32>,
    /// Threads for replications; defaults to the available cores. The report is the same for any value.
    #[arg(long, requires = "replications")]
    pub jobs: Option<u32>,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    #[command(flatten)]
    pub precision: PrecisionArgs,
    #[command(flatten)]
    pub antithetic: AntitheticArgs,
    #[command(flatten)]
    pub warm_up: WarmUpArgs,
    /// Run the scenario twice and fail (exit 1) naming the first diverging month if the outcomes differ.
    #[arg(long)]
    pub check_determinism: bool,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[command(flatten)]
    pub state: StateArgs,
    #[command(flatten)]
    pub orders: TraceArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// The JSON report of the documented schema, for scripts.
    Json,
    /// One row per replication and per month, for pandas or a spreadsheet.
    Csv,
    /// The CSV's table with typed columns (money decimal(18,2), seeds
    /// uint64) in a Parquet file, for pandas, DuckDB or polars; needs --out
    /// (docs/parquet.md has the schema).
    Parquet,
}

impl Format {
    /// Whether the report is a table of replications (CSV or Parquet).
    pub fn is_table(self) -> bool {
        matches!(self, Format::Csv | Format::Parquet)
    }
}

pub fn run(arguments: &RunArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    super::flags::check_parquet_out(arguments.report.format, arguments.report.out.as_deref())?;
    if arguments.orders.any()
        && (arguments.state.save_state.is_some() || arguments.state.from_state.is_some())
    {
        return Err(Failure::BadInput(
            "--trace and --transfers follow orders from the start of a run to its end; they \
             cannot be combined with --save-state or --from-state"
                .to_string(),
        ));
    }
    if let Some(file) = &arguments.state.save_state {
        return super::snapshot::save(arguments, file, &stop);
    }
    if arguments.state.from_state.is_some() {
        super::snapshot::refuse_with_states(arguments, "--from-state")?;
    }
    if arguments.replications.is_some() || arguments.report.format.is_table() {
        if arguments.check_determinism {
            // Replications already compare nothing run twice; rather than
            // ignore the flag, say so.
            return Err(Failure::BadInput(
                "--check-determinism checks one run (text or JSON report); it cannot be combined \
                 with --replications, --format csv or --format parquet"
                    .to_string(),
            ));
        }
        if arguments.orders.any() {
            return Err(Failure::BadInput(
                "--trace and --transfers follow the orders of one run; they cannot be combined \
                 with --replications or --format csv"
                    .to_string(),
            ));
        }
        return super::replicate::run_replications(arguments, &stop);
    }
    if !arguments.metrics.metrics.is_empty() {
        return Err(Failure::BadInput(
            "--metrics chooses the rows of a replication table (with --replications) or the              columns of CSV; the report of one run shows every figure"
                .to_string(),
        ));
    }
    let (scenario, source) = load_scenario_with_source(&arguments.scenario)?;
    check_report_and_page(
        arguments.report.out.as_deref(),
        arguments.report.html.as_deref(),
    )?;
    check_order_files(arguments)?;
    let budget = MemoryBudget::find(arguments.memory.max_memory);
    check_memory(&arguments.scenario, &scenario, budget, Workload::SINGLE_RUN)?;
    if arguments.orders.any() {
        // The trace and transfers are kept until the run ends, beside it.
        let needed = escrowsim::program::memory::estimate_peak_memory(&scenario)
            .total_bytes()
            .saturating_add(arguments.orders.held_bytes(&scenario)?);
        super::memory::check_bytes(
            &format!(
                "{}: the run with its --trace and --transfers (kept until it ends)",
                arguments.scenario.display()
            ),
            needed,
            budget,
        )?;
    }
    let seed = arguments.seed.seed.unwrap_or(scenario.seed);
    let (report, output, source, trace, transfers) = match &arguments.state.from_state {
        Some(file) => {
            let (report, output, other) =
                super::snapshot::resume(&scenario, &source, file, arguments, &stop)?;
            (report, output, other.unwrap_or(source), None, None)
        }
        None => {
            let observer = arguments.orders.observer(&scenario)?;
            let (report, output, observer) = simulate(&scenario, seed, &stop, arguments, observer)?;
            let (trace, transfers) = observer.finish();
            (report, output, source, trace, transfers)
        }
    };
    let report = report.with_source(source.clone());
    // A run from a state has the state's seed.
    let seed = report.seed;
    if arguments.check_determinism {
        let (second, _, _) = simulate(&scenario, seed, &stop, arguments, NoTrace)?;
        determinism::compare(&report, &second)?;
        note!(
            "determinism check passed: two runs gave digest {}",
            report.digest
        );
    }
    let mut replications = single_run(&scenario, seed, &output);
    let warm_up = arguments.warm_up.apply(&mut replications)?;
    let run_warm_up = warm_up
        .clone()
        .map(|warm_up| RunWarmUp::of(warm_up, &replications, 0));
    let rendered = match (arguments.report.format, &run_warm_up) {
        (Format::Text, None) => render_text(&report),
        (Format::Text, Some(run_warm_up)) => {
            let mut text = render_text(&report);
            text.push_str(&render_warm_up_text(run_warm_up, &scenario.currency));
            text
        }
        (Format::Json, None) => report.to_json(),
        (Format::Json, Some(run_warm_up)) => {
            escrowsim::analysis::warm_up::report_json(&report, run_warm_up)
        }
        (Format::Csv | Format::Parquet, _) => {
            unreachable!("CSV and Parquet reports are replication reports")
        }
    };
    // The page of this run: its report still goes to stdout (or --out).
    let page = arguments.report.html.as_ref().map(|_| {
        let summary = ReplicationSummary::new(&replications)
            .with_scenario(Some(source.clone()), &scenario.currency)
            .with_warm_up(warm_up);
        render_replications_html(&summary, &replications)
    });
    if !arguments.orders.any() {
        return write_with_page(
            arguments.report.html.as_deref(),
            page.as_deref(),
            arguments.report.out.as_deref(),
            rendered.as_bytes(),
            &stop,
        );
    }
    let files = arguments.orders.files();
    let mut reports = Vec::with_capacity(4);
    for (path, bytes) in files.iter().zip([&trace, &transfers]) {
        if let (Some(path), Some(bytes)) = (path, bytes) {
            reports.push((Some(*path), bytes.as_slice()));
        }
    }
    if let (Some(html), Some(page)) = (arguments.report.html.as_deref(), page.as_deref()) {
        reports.push((Some(html), page.as_bytes()));
    }
    reports.push((arguments.report.out.as_deref(), rendered.as_bytes()));
    let all = [
        files[0],
        files[1],
        arguments.report.html.as_deref(),
        arguments.report.out.as_deref(),
    ];
    write_reports(&reports, || stop.check(|| not_written(&all)))?;
    say_where_written(&all);
    Ok(())
}

/// Refuses --trace and --transfers paths that cannot take a file, or that
/// name the same file as each other or as --out or --html.
fn check_order_files(arguments: &RunArgs) -> Result<(), Failure> {
    let mut named: Vec<&std::path::Path> = Vec::new();
    for path in [
        arguments.report.out.as_deref(),
        arguments.report.html.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        named.push(path);
    }
    for path in arguments.orders.files().into_iter().flatten() {
        check_report_and_page(Some(path), None)?;
        if named.contains(&path) {
            return Err(Failure::BadInput(format!(
                "{}: named for two outputs; give each its own file",
                path.display()
            )));
        }
        named.push(path);
    }
    Ok(())
}

/// Runs the scenario with a wall clock for the performance figures and a
/// progress line on stderr when it is a terminal and the run is long; a
/// stop signal ends it at the next checkpoint.
fn simulate<O: Observer + std::panic::UnwindSafe>(
    scenario: &Scenario,
    seed: u64,
    stop: &StopRequests,
    arguments: &RunArgs,
    mut observer: O,
) -> Result<(Report, RunOutput, O), Failure> {
    let [trace, transfers] = arguments.orders.files();
    let not_written = || {
        not_written(&[
            arguments.report.html.as_deref(),
            arguments.report.out.as_deref(),
            trace,
            transfers,
        ])
    };
    stop.check(not_written)?;
    let horizon_seconds = u64::from(scenario.horizon_days) * 86_400;
    let work = Work::Run {
        start_date: scenario.start_date,
    };
    let (result, _) = with_progress(horizon_seconds, work, stop, |progress| {
        catching_panics(|| {
            let mut probe = progress.probe(horizon_seconds);
            let output = escrowsim::run_observed(scenario, seed, &mut probe, &mut observer)
                .map_err(|interrupted| {
                    let horizon_days = scenario.horizon_days;
                    stop.check(|| {
                        let stage = match interrupted.at {
                            Some(at) => {
                                format!(" at simulated day {} of {horizon_days}", at.days())
                            }
                            None => " while drawing the population".to_string(),
                        };
                        format!("{stage}{}", not_written())
                    })
                    .err()
                    .unwrap_or_else(|| Failure::Internal(interrupted.to_string()))
                })?;
            let wall_ns = probe.elapsed_ns();
            let performance = Performance::new(&output, wall_ns, peak_rss_bytes());
            Ok((
                Report::new(scenario, seed, &output, Some(performance)),
                output,
                observer,
            ))
        })?
    })?;
    Ok(result)
}
