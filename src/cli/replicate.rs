//! `escrowsim run --replications R`: many seeds, statistics across them.
//!
//! Also what `compare` shares with it: the plan from the flags, a progress
//! bar on stderr when stderr is a terminal, and the wall-clock footer.

use super::memory::{MemoryBudget, Workload, check_memory};
use super::output::{check_report_and_page, not_written, write_reports};
use super::run::{Format, RunArgs};
use super::signals::StopRequests;
use super::{Failure, catching_panics};
use escrowsim::analysis::{
    JOBS_MAX, MetricPatterns, Plan, PlanError, PreciseError, ReplicationSummary, Replications,
    replicate, replicate_precise,
};
use escrowsim::columnar::{Rows, parquet_bytes, replications_batch};
use escrowsim::program::{Interrupted, Probe};
use escrowsim::report::{
    metric_columns, render_precision_text, render_replications_csv, render_replications_html,
    render_summary_text,
};
use escrowsim::scenario::{Date, load_scenario_with_source};
use escrowsim::wall::WallClock;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

pub fn run_replications(arguments: &RunArgs, stop: &StopRequests) -> Result<(), Failure> {
    let (scenario, source) = load_scenario_with_source(&arguments.scenario)?;
    check_report_and_page(
        arguments.report.out.as_deref(),
        arguments.report.html.as_deref(),
    )?;
    let replications = arguments.replications.unwrap_or(1);
    let plan = plan(
        arguments.seed.seed.unwrap_or(scenario.seed),
        replications,
        arguments.jobs,
        arguments.antithetic.antithetic,
        scenario.horizon_days,
    )?;
    check_memory(
        &arguments.scenario,
        &scenario,
        MemoryBudget::find(arguments.memory.max_memory),
        Workload::replications(plan.replications, plan.jobs),
    )?;
    let outputs = [
        arguments.report.html.as_deref(),
        arguments.report.out.as_deref(),
    ];
    let horizon_seconds = u64::from(scenario.horizon_days) * 86_400;
    let targets = &arguments.precision.precision;
    let work = Work::Replications {
        replications: plan.replications,
        runs_per_replication: 1,
        capped: !targets.is_empty(),
    };
    let ((mut replications, precision), wall_ns) =
        with_progress(horizon_seconds, work, stop, |progress| {
            catching_panics(|| {
                if targets.is_empty() {
                    return replicate(&scenario, &plan, || progress.probe(horizon_seconds))
                        .map(|set| (set, None))
                        .map_err(|at| interrupted(stop, at, &outputs));
                }
                replicate_precise(&scenario, &plan, targets, || {
                    progress.probe(horizon_seconds)
                })
                .map(|(set, report)| (set, Some(report)))
                .map_err(|error| precise_failure(stop, error, &outputs))
            })?
        })?;
    stop.check(|| not_written(&outputs))?;
    let warm_up = arguments.warm_up.apply(&mut replications)?;
    let mut summary = ReplicationSummary::new(&replications)
        .with_scenario(Some(source), &scenario.currency)
        .with_warm_up(warm_up);
    summary.precision = precision;
    let patterns = arguments.metrics.patterns();
    check_patterns(
        &patterns,
        arguments.report.format,
        &summary,
        &metric_columns(&replications),
    )?;
    let page = arguments
        .report
        .html
        .as_ref()
        .map(|_| render_replications_html(&summary, &replications));
    let rendered = match arguments.report.format {
        Format::Text => {
            let mut text = render_summary_text(&summary, &patterns);
            if let Some(precision) = &summary.precision {
                text.push_str(&render_precision_text(precision));
            }
            text.push_str(&performance_footer(&[&replications], wall_ns, plan.jobs));
            text.into_bytes()
        }
        Format::Json => summary.to_json().into_bytes(),
        Format::Csv => render_replications_csv(&replications, &patterns).into_bytes(),
        Format::Parquet => parquet_table(replications_batch(&replications, Rows::Both, &patterns))?,
    };
    write_with_page(
        arguments.report.html.as_deref(),
        page.as_deref(),
        arguments.report.out.as_deref(),
        &rendered,
        stop,
    )
}

/// The bytes of a Parquet file of `table`; a value no column can hold (an
/// amount beyond decimal(18,2)) is an internal failure, since the bounds of
/// every scenario keep amounts far below it.
pub fn parquet_table(
    table: Result<escrowsim::columnar::Batch, escrowsim::columnar::ColumnarError>,
) -> Result<Vec<u8>, Failure> {
    table
        .and_then(|batch| parquet_bytes(&batch))
        .map_err(|error| Failure::Internal(error.to_string()))
}

/// Refuses `--metrics` patterns that choose nothing in the report of
/// `format` (the rows of the text table, the metric columns of CSV), and
/// any with JSON, which always has every metric.
pub fn check_patterns(
    patterns: &MetricPatterns,
    format: Format,
    summary: &ReplicationSummary,
    csv_columns: &[String],
) -> Result<(), Failure> {
    if patterns.is_empty() {
        return Ok(());
    }
    let checked = match format {
        Format::Text => patterns.check(
            summary
                .metrics
                .iter()
                .map(|(metric, _)| metric.path.as_str()),
        ),
        Format::Csv | Format::Parquet => patterns.check(csv_columns.iter().map(String::as_str)),
        Format::Json => {
            return Err(Failure::BadInput(
                "--metrics chooses the rows of the text table and the columns of CSV; the JSON                  report always has every metric"
                    .to_string(),
            ));
        }
    };
    checked.map_err(|unmatched| Failure::BadInput(format!("--metrics {unmatched}")))
}

/// Writes the report (to `out`, or stdout) and the HTML page if asked for,
/// both or neither: a stop signal that arrives before they are in place
/// leaves every output as it was. Then says where they went
/// ([`say_where_written`]).
pub fn write_with_page(
    html: Option<&Path>,
    page: Option<&str>,
    out: Option<&Path>,
    rendered: &[u8],
    stop: &StopRequests,
) -> Result<(), Failure> {
    let mut reports = Vec::with_capacity(2);
    if let (Some(html), Some(page)) = (html, page) {
        reports.push((Some(html), page.as_bytes()));
    }
    reports.push((out, rendered));
    write_reports(&reports, || stop.check(|| not_written(&[html, out])))?;
    say_where_written(&[html, out]);
    Ok(())
}

/// The plan of the flags for a `horizon_days`-day scenario: `jobs`
/// defaults to the available cores.
pub fn plan(
    base_seed: u64,
    replications: u32,
    jobs: Option<u32>,
    antithetic: bool,
    horizon_days: u32,
) -> Result<Plan, Failure> {
    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|cores| cores.get() as u32)
            .unwrap_or(1)
            .clamp(1, JOBS_MAX)
    });
    let flagged = |error: PlanError| {
        let flag = if error.replications() {
            "--replications"
        } else {
            "--jobs"
        };
        Failure::BadInput(format!("{flag}: {error}"))
    };
    let mut plan = Plan::new(base_seed, replications, jobs).map_err(flagged)?;
    if antithetic {
        plan = plan.with_antithetic_pairs().map_err(flagged)?;
    }
    plan.check_horizon(horizon_days).map_err(flagged)?;
    Ok(plan)
}

/// The failure of replications a probe stopped: a stop signal's, with its
/// exit code, naming the `outputs` left as they were; nothing else stops them.
pub fn interrupted(
    stop: &StopRequests,
    interrupted: Interrupted,
    outputs: &[Option<&Path>],
) -> Failure {
    stop.check(|| not_written(outputs))
        .err()
        .unwrap_or_else(|| Failure::Internal(interrupted.to_string()))
}

/// The failure of a precision-targeted analysis: a stop, or a target that
/// names no metric (bad input, found once the first batch has run).
pub fn precise_failure(
    stop: &StopRequests,
    error: PreciseError,
    outputs: &[Option<&Path>],
) -> Failure {
    match error {
        PreciseError::Interrupted(at) => interrupted(stop, at, outputs),
        PreciseError::Target(message) => Failure::BadInput(format!("--precision {message}")),
    }
}

/// Wall time, threads, throughput and settlement latency over the sets: for
/// people only, so it is in the text report and never in JSON or CSV, which
/// stay byte-identical from run to run.
pub fn performance_footer(sets: &[&Replications], wall_ns: u64, jobs: u32) -> String {
    let events: u64 = sets.iter().map(|set| set.events()).sum();
    let runs: usize = sets.iter().map(|set| set.count()).sum();
    let mut latency = sets[0].settle_latency_ns.clone();
    for set in &sets[1..] {
        latency
            .add(&set.settle_latency_ns)
            .expect("auto-resizing histograms always add");
    }
    let seconds = wall_ns as f64 / 1e9;
    let events_per_second = if wall_ns == 0 {
        0.0
    } else {
        events as f64 / seconds
    };
    format!(
        "\n{runs} runs in {seconds:.2} s wall on up to {jobs} threads; {events} events ({:.2} M/s); settlement latency p50 {} ns, p99 {} ns\n",
        events_per_second / 1e6,
        latency.value_at_quantile(0.50),
        latency.value_at_quantile(0.99),
    )
}

/// What the progress line counts: simulated seconds over all runs, and
/// runs finished.
pub struct Progress {
    /// Simulated seconds of one run (its horizon).
    horizon_seconds: u64,
    /// Runs planned; with `--precision`, the cap.
    runs_total: u64,
    /// Runs per replication: 1, or 2 for a comparison (A and B).
    runs_per_replication: u64,
    /// The cap may not be reached (`--precision`): "of at most N".
    capped: bool,
    /// A single run's start date: its line shows the simulated date.
    start_date: Option<Date>,
    done_seconds: AtomicU64,
    runs_done: AtomicU64,
    /// Orders placed so far by a single run (its line shows them).
    orders_placed: AtomicU64,
    /// A stop signal ends every run at its next checkpoint.
    stop: StopRequests,
}

/// What a progress line describes.
#[derive(Clone, Copy)]
pub enum Work {
    /// One run from `start_date`.
    Run { start_date: Date },
    /// `replications` replications of `runs_per_replication` runs each; at
    /// most that many when `capped`.
    Replications {
        replications: u32,
        runs_per_replication: u64,
        capped: bool,
    },
}

impl Progress {
    /// A probe for one run: a wall clock for the settlement figures, and
    /// progress reported at every checkpoint.
    pub fn probe(&self, horizon_seconds: u64) -> ProgressProbe<'_> {
        ProgressProbe {
            clock: WallClock::new(),
            progress: self,
            reported_seconds: 0,
            horizon_seconds,
        }
    }

    fn fraction(&self) -> f64 {
        let total_seconds = self.horizon_seconds.saturating_mul(self.runs_total);
        if total_seconds == 0 {
            return 1.0;
        }
        (self.done_seconds.load(Ordering::Relaxed) as f64 / total_seconds as f64).min(1.0)
    }

    /// The line after the bar: where the work stands, its rate and the time
    /// left at that rate, from `elapsed_ms` of wall time.
    fn describe(&self, elapsed_ms: u64) -> String {
        let fraction = self.fraction();
        let seconds = elapsed_ms as f64 / 1000.0;
        let left = if fraction > 0.0 {
            let left = seconds * (1.0 - fraction) / fraction;
            format!("{left:.0} s left")
        } else {
            "time left unknown".to_string()
        };
        let done_seconds = self.done_seconds.load(Ordering::Relaxed);
        match self.start_date {
            Some(start_date) => {
                let day = done_seconds / 86_400;
                let days_per_second = if seconds > 0.0 {
                    day as f64 / seconds
                } else {
                    0.0
                };
                let orders = self.orders_placed.load(Ordering::Relaxed);
                let orders_per_second = if seconds > 0.0 {
                    orders as f64 / seconds
                } else {
                    0.0
                };
                format!(
                    "simulated {} (day {day} of {}), {} orders placed ({:.0}/s), {days_per_second:.0} days/s, {left}",
                    start_date.add_days(day as i64),
                    self.horizon_seconds / 86_400,
                    escrowsim::report::units::grouped(rust_decimal::Decimal::from(orders)),
                    orders_per_second
                )
            }
            None => {
                let replications =
                    self.runs_done.load(Ordering::Relaxed) / self.runs_per_replication;
                let total = self.runs_total / self.runs_per_replication;
                let rate = if seconds > 0.0 {
                    replications as f64 / seconds
                } else {
                    0.0
                };
                format!(
                    "replication {replications} of {}{total}, {rate:.1}/s, {}{left}",
                    if self.capped { "at most " } else { "" },
                    if self.capped { "at most " } else { "" }
                )
            }
        }
    }
}

pub struct ProgressProbe<'a> {
    clock: WallClock,
    progress: &'a Progress,
    reported_seconds: u64,
    horizon_seconds: u64,
}

impl Probe for ProgressProbe<'_> {
    const TIMES_SETTLEMENTS: bool = true;

    fn now_ns(&mut self) -> u64 {
        self.clock.elapsed_ns()
    }

    fn orders_placed(&mut self, orders_placed: u64) {
        self.progress
            .orders_placed
            .fetch_max(orders_placed, Ordering::Relaxed);
    }

    fn checkpoint(
        &mut self,
        simulated: escrowsim::engine::SimTime,
        _horizon: escrowsim::engine::SimTime,
    ) -> bool {
        let seconds = simulated.seconds().min(self.horizon_seconds);
        if seconds > self.reported_seconds {
            self.progress
                .done_seconds
                .fetch_add(seconds - self.reported_seconds, Ordering::Relaxed);
            self.reported_seconds = seconds;
        }
        self.progress.stop.requested().is_none()
    }
}

impl ProgressProbe<'_> {
    /// The wall time since this probe was made.
    pub fn elapsed_ns(&self) -> u64 {
        self.clock.elapsed_ns()
    }
}

impl Drop for ProgressProbe<'_> {
    /// A run ends after its last checkpoint: count the rest of its horizon.
    fn drop(&mut self) {
        self.progress.done_seconds.fetch_add(
            self.horizon_seconds.saturating_sub(self.reported_seconds),
            Ordering::Relaxed,
        );
        self.progress.runs_done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Delay before the bar appears: quick runs print nothing.
const PROGRESS_DELAY_MS: u64 = 500;
const PROGRESS_REFRESH_MS: u64 = 100;
const PROGRESS_WIDTH: usize = 30;

/// Runs `work` with a progress line on stderr when stderr is a terminal
/// and the work outlasts [`PROGRESS_DELAY_MS`]; returns its result and wall
/// time. Each run lasts `horizon_seconds` of simulated time.
pub fn with_progress<T>(
    horizon_seconds: u64,
    what: Work,
    stop: &StopRequests,
    work: impl FnOnce(&Progress) -> Result<T, Failure>,
) -> Result<(T, u64), Failure> {
    let (runs_total, runs_per_replication, capped, start_date) = match what {
        Work::Run { start_date } => (1, 1, false, Some(start_date)),
        Work::Replications {
            replications,
            runs_per_replication,
            capped,
        } => (
            u64::from(replications) * runs_per_replication,
            runs_per_replication,
            capped,
            None,
        ),
    };
    let progress = Progress {
        horizon_seconds,
        runs_total,
        runs_per_replication,
        capped,
        start_date,
        done_seconds: AtomicU64::new(0),
        runs_done: AtomicU64::new(0),
        orders_placed: AtomicU64::new(0),
        stop: stop.clone(),
    };
    let clock = WallClock::new();
    let finished = AtomicBool::new(false);
    let show = std::io::stderr().is_terminal();
    let result = std::thread::scope(|scope| {
        if show {
            scope.spawn(|| draw_progress(&progress, &finished, &clock));
        }
        let result = work(&progress);
        finished.store(true, Ordering::Relaxed);
        result
    });
    let wall_ns = clock.elapsed_ns();
    result.map(|value| (value, wall_ns))
}

fn draw_progress(progress: &Progress, finished: &AtomicBool, clock: &WallClock) {
    let mut drawn = false;
    while !finished.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(PROGRESS_REFRESH_MS));
        let elapsed_ms = clock.elapsed_ns() / 1_000_000;
        if elapsed_ms < PROGRESS_DELAY_MS || finished.load(Ordering::Relaxed) {
            continue;
        }
        let fraction = progress.fraction();
        let filled = (fraction * PROGRESS_WIDTH as f64) as usize;
        // Clear to the end of the line: the description can get shorter.
        let _ = write!(
            std::io::stderr().lock(),
            "\r[{}{}] {:>3}% {}\x1b[K",
            "#".repeat(filled),
            ".".repeat(PROGRESS_WIDTH - filled),
            (fraction * 100.0) as u32,
            progress.describe(elapsed_ms)
        );
        drawn = true;
    }
    if drawn {
        // Clear the bar so the report starts on a clean line.
        let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
    }
}

/// Says on stderr where the reports went, when stderr is a terminal: a
/// person at a terminal who sent the report to a file sees where; a script
/// or a test (stderr a file or a pipe) gets nothing on stderr, as with the
/// progress line.
pub fn say_where_written(outputs: &[Option<&Path>]) {
    if !std::io::stderr().is_terminal() {
        return;
    }
    let written: Vec<String> = outputs
        .iter()
        .flatten()
        .map(|path| path.display().to_string())
        .collect();
    if !written.is_empty() {
        note!("report written to {}", written.join(" and "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_run_line_shows_the_simulated_date_the_orders_and_the_time_left() {
        // 24 of 100 days in 2 s: 12 days a second, and 76 days left at that
        // pace take 2 x 76/24 = 6.3 s; 12,346 orders in 2 s are 6,173 a second.
        let progress = Progress {
            horizon_seconds: 100 * 86_400,
            runs_total: 1,
            runs_per_replication: 1,
            capped: false,
            start_date: Date::parse("2014-05-01"),
            done_seconds: AtomicU64::new(24 * 86_400),
            runs_done: AtomicU64::new(0),
            orders_placed: AtomicU64::new(12_346),
            stop: StopRequests::install().expect("signal handlers install"),
        };
        assert_eq!(
            progress.describe(2_000),
            "simulated 2014-05-25 (day 24 of 100), 12,346 orders placed (6173/s), 12 days/s, 6 s left"
        );
    }
}
