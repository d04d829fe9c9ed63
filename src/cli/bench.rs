//! `escrowsim bench`: load benchmarking of the settlement path alone, or of a
//! whole scenario, with throughput and HDR-histogram latency percentiles.
//!
//! Reading the clock costs tens of nanoseconds, about what a settlement
//! costs, so timing every settlement would measure the clock. Throughput is
//! therefore timed per pass over all orders (one pair of clock reads per
//! thousands of settlements), and latency in a separate pass that times one
//! settlement in [`LATENCY_SAMPLE_EVERY`], with the clock's own cost (the
//! median of back-to-back reads) subtracted and reported.

use super::flags::{MemoryArgs, SeedArgs};
use super::memory::{MemoryBudget, Workload, check_bytes, check_memory};
use super::output::{not_written, write_reports};
use super::signals::{StopRequests, StoppableClock};
use super::{Failure, catching_panics};
use clap::{Args, Subcommand};
use escrowsim::program::settlement_load::{SettlementKind, SettlementLoad};
use escrowsim::report::{Performance, Report};
use escrowsim::scenario::load_scenario_file;
use escrowsim::wall::{WallClock, peak_rss_bytes};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::hint::black_box;
use std::path::PathBuf;

pub const EXAMPLES: &str = "Examples:
  escrowsim bench settlement
  escrowsim bench settlement --settlements 100000000 --kind release-with-fee --format json
  escrowsim bench scenario scenarios/trade-assurance-2014.ron --repeat 5";

/// How a benchmark's figures are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Text,
    /// JSON, for scripts.
    Json,
}

/// One settlement in this many is timed in the latency pass: a prime, so the
/// samples visit every position of the 64-settlement mix.
pub const LATENCY_SAMPLE_EVERY: usize = 61;

#[derive(Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    pub target: BenchTarget,
}

#[derive(Subcommand)]
pub enum BenchTarget {
    /// Drive the settlement path alone: release, refunds and advances on funded orders.
    Settlement(SettlementArgs),
    /// Run a whole scenario several times and report its speed.
    Scenario(ScenarioArgs),
}

#[derive(Args)]
pub struct SettlementArgs {
    /// Settlements to time, for throughput and again for latency.
    #[arg(long, default_value_t = 20_000_000)]
    pub settlements: u64,
    /// Orders settled in turn (each pass funds them all again, untimed).
    #[arg(long, default_value_t = 4_096)]
    pub orders: usize,
    /// Which settlement: one kind, or the mix of the launch program.
    #[arg(long, value_enum, default_value_t = KindChoice::Mix)]
    pub kind: KindChoice,
    /// Seed of the drawn order values.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub memory: MemoryArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum KindChoice {
    /// 60 releases, 2 full refunds, 1 partial refund and 1 advance in 64.
    Mix,
    ReleaseWithFee,
    FullRefund,
    PartialRefund,
    PlatformAdvance,
}

impl KindChoice {
    fn kind_of(self, index: usize) -> SettlementKind {
        match self {
            KindChoice::Mix => SettlementKind::in_mix(index),
            KindChoice::ReleaseWithFee => SettlementKind::ReleaseWithFee,
            KindChoice::FullRefund => SettlementKind::FullRefund,
            KindChoice::PartialRefund => SettlementKind::PartialRefund,
            KindChoice::PlatformAdvance => SettlementKind::PlatformAdvance,
        }
    }

    fn name(self) -> &'static str {
        match self {
            KindChoice::Mix => "mix",
            other => other.kind_of(0).name(),
        }
    }
}

#[derive(Args)]
pub struct ScenarioArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub seed: SeedArgs,
    /// Runs; the figures are medians over them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub repeat: u32,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

pub fn bench(arguments: &BenchArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    let rendered = match &arguments.target {
        BenchTarget::Settlement(arguments) => {
            if arguments.orders == 0 || arguments.orders > 1 << 26 {
                return Err(Failure::BadInput(format!(
                    "--orders {} is out of range 1..={}",
                    arguments.orders,
                    1 << 26
                )));
            }
            // The orders are allocated at once: refuse what the machine cannot hold.
            let needed = (arguments.orders as u64)
                .saturating_mul(size_of::<escrowsim::program::order::Order>() as u64)
                .saturating_add(escrowsim::program::memory::FIXED_BYTES);
            check_bytes(
                &format!("--orders {}", arguments.orders),
                needed,
                MemoryBudget::find(arguments.memory.max_memory),
            )?;
            let result = catching_panics(|| settlement_bench(arguments, &stop))??;
            render(arguments.format, &result, SettlementResult::text)
        }
        BenchTarget::Scenario(arguments) => {
            let result = scenario_bench(arguments, &stop)?;
            render(arguments.format, &result, ScenarioResult::text)
        }
    };
    write_reports(&[(None, rendered.as_bytes())], || {
        stop.check(|| not_written(&[]))
    })
}

fn render<T: Serialize>(format: Format, result: &T, text: impl Fn(&T) -> String) -> String {
    match format {
        Format::Text => text(result),
        Format::Json => {
            let mut json = serde_json::to_string_pretty(result).expect("bench results serialise");
            json.push('\n');
            json
        }
    }
}

#[derive(Serialize)]
struct Percentiles {
    p50: u64,
    p99: u64,
    p999: u64,
    max: u64,
    samples: u64,
}

impl Percentiles {
    fn of(histogram: &Histogram<u64>) -> Percentiles {
        Percentiles {
            p50: histogram.value_at_quantile(0.50),
            p99: histogram.value_at_quantile(0.99),
            p999: histogram.value_at_quantile(0.999),
            max: histogram.max(),
            samples: histogram.len(),
        }
    }

    fn text(&self) -> String {
        format!(
            "p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns ({} samples)",
            self.p50, self.p99, self.p999, self.max, self.samples
        )
    }
}

fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000_000, 3).expect("valid histogram bounds")
}

#[derive(Serialize)]
struct SettlementResult {
    bench: &'static str,
    kind: &'static str,
    orders: usize,
    settlements: u64,
    seed: u64,
    settle_wall_ms: u64,
    settlements_per_sec: u64,
    ns_per_settlement: f64,
    latency_ns: Percentiles,
    latency_sample_every: usize,
    clock_overhead_ns: u64,
}

impl SettlementResult {
    fn text(&self) -> String {
        format!(
            "settlement path, {} on {} orders (seed {})\n\
             throughput: {} settlements in {} ms: {} settlements/s, {:.1} ns each\n\
             latency (one in {} timed, clock overhead {} ns subtracted): {}\n",
            self.kind,
            self.orders,
            self.seed,
            self.settlements,
            self.settle_wall_ms,
            self.settlements_per_sec,
            self.ns_per_settlement,
            self.latency_sample_every,
            self.clock_overhead_ns,
            self.latency_ns.text()
        )
    }
}

/// The median cost of reading the clock, from back-to-back reads.
fn clock_overhead_ns(clock: &WallClock) -> u64 {
    let mut gaps: Vec<u64> = (0..1_001)
        .map(|_| {
            let first = clock.elapsed_ns();
            clock.elapsed_ns() - first
        })
        .collect();
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}

/// Measures the settlement path; a stop signal ends it between two passes
/// over the orders (each a few thousand settlements).
fn settlement_bench(
    arguments: &SettlementArgs,
    stop: &StopRequests,
) -> Result<SettlementResult, Failure> {
    let stopped = || not_written(&[]);
    let clock = WallClock::new();
    let overhead_ns = clock_overhead_ns(&clock);
    let mut load = SettlementLoad::new(arguments.orders, arguments.seed);
    let order_count = load.order_count();
    let kind_of = |index: usize| arguments.kind.kind_of(index);
    let fund_all = |load: &mut SettlementLoad| {
        for index in 0..order_count {
            load.fund(index, kind_of(index));
        }
    };

    // Throughput: one pair of clock reads per pass of `order_count` settlements.
    let mut settled = 0u64;
    let mut settle_ns = 0u64;
    while settled < arguments.settlements {
        stop.check(stopped)?;
        fund_all(&mut load);
        let this_pass = (arguments.settlements - settled).min(order_count as u64) as usize;
        let started = clock.elapsed_ns();
        for index in 0..this_pass {
            load.settle(index, kind_of(index));
        }
        settle_ns += clock.elapsed_ns() - started;
        settled += this_pass as u64;
        // Settle what the pass left funded, untimed, so every pass starts empty.
        for index in this_pass..order_count {
            load.settle(index, kind_of(index));
        }
    }

    // Latency: time one settlement in LATENCY_SAMPLE_EVERY, in a pass of its own.
    let mut histogram = latency_histogram();
    let mut settled = 0u64;
    let mut sample_countdown = LATENCY_SAMPLE_EVERY;
    while settled < arguments.settlements {
        stop.check(stopped)?;
        fund_all(&mut load);
        for index in 0..order_count {
            sample_countdown -= 1;
            if sample_countdown == 0 {
                sample_countdown = LATENCY_SAMPLE_EVERY;
                let started = clock.elapsed_ns();
                load.settle(index, kind_of(index));
                let elapsed = clock.elapsed_ns() - started;
                histogram.saturating_record(elapsed.saturating_sub(overhead_ns).max(1));
            } else {
                load.settle(index, kind_of(index));
            }
        }
        settled += order_count as u64;
    }
    load.ledger()
        .verify()
        .unwrap_or_else(|problem| panic!("ledger invariant violated by the bench: {problem}"));
    black_box(load.ledger().transfer_count());

    let settlements = arguments.settlements;
    Ok(SettlementResult {
        bench: "settlement",
        kind: arguments.kind.name(),
        orders: order_count,
        settlements,
        seed: arguments.seed,
        settle_wall_ms: settle_ns / 1_000_000,
        settlements_per_sec: per_second(settlements, settle_ns),
        ns_per_settlement: settle_ns as f64 / settlements.max(1) as f64,
        latency_ns: Percentiles::of(&histogram),
        latency_sample_every: LATENCY_SAMPLE_EVERY,
        clock_overhead_ns: overhead_ns,
    })
}

fn per_second(count: u64, nanoseconds: u64) -> u64 {
    if nanoseconds == 0 {
        0
    } else {
        (u128::from(count) * 1_000_000_000 / u128::from(nanoseconds)) as u64
    }
}

#[derive(Serialize)]
struct ScenarioRun {
    wall_ms: u64,
    events: u64,
    events_per_sec: u64,
    orders: u64,
    orders_per_sec: u64,
    settlements: u64,
    settlements_per_sec: u64,
}

#[derive(Serialize)]
struct ScenarioResult {
    bench: &'static str,
    scenario: String,
    seed: u64,
    digest: String,
    runs: Vec<ScenarioRun>,
    median_wall_ms: u64,
    median_events_per_sec: u64,
    median_orders_per_sec: u64,
    median_settlements_per_sec: u64,
    /// Over all runs; one settlement in eight is timed by the run itself.
    settle_latency_ns: Percentiles,
    peak_rss_bytes: Option<u64>,
}

impl ScenarioResult {
    fn text(&self) -> String {
        let mut text = format!(
            "scenario {} (seed {}), {} runs, digest {}\n",
            self.scenario,
            self.seed,
            self.runs.len(),
            self.digest
        );
        for (index, run) in self.runs.iter().enumerate() {
            text.push_str(&format!(
                "  run {}: {} ms, {} events ({}/s), {} orders ({}/s), {} settlements ({}/s)\n",
                index + 1,
                run.wall_ms,
                run.events,
                run.events_per_sec,
                run.orders,
                run.orders_per_sec,
                run.settlements,
                run.settlements_per_sec
            ));
        }
        text.push_str(&format!(
            "median: {} ms, {} events/s, {} orders/s, {} settlements/s\n\
             settlement latency (in the run): {}\n\
             peak RSS: {}\n",
            self.median_wall_ms,
            self.median_events_per_sec,
            self.median_orders_per_sec,
            self.median_settlements_per_sec,
            self.settle_latency_ns.text(),
            self.peak_rss_bytes
                .map_or("unknown".to_string(), |bytes| format!(
                    "{:.1} MiB",
                    bytes as f64 / (1 << 20) as f64
                ))
        ));
        text
    }
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

/// Runs the scenario `repeat` times; a stop signal ends the run in
/// progress at its next checkpoint.
fn scenario_bench(
    arguments: &ScenarioArgs,
    stop: &StopRequests,
) -> Result<ScenarioResult, Failure> {
    let scenario = load_scenario_file(&arguments.scenario)?;
    check_memory(
        &arguments.scenario,
        &scenario,
        MemoryBudget::find(arguments.memory.max_memory),
        Workload::SINGLE_RUN,
    )?;
    let seed = arguments.seed.seed.unwrap_or(scenario.seed);
    catching_panics(|| {
        let mut runs = Vec::new();
        let mut latency = latency_histogram();
        let mut digest: Option<String> = None;
        for _ in 0..arguments.repeat {
            let mut probe = StoppableClock::new(stop.clone());
            let output = escrowsim::run(&scenario, seed, &mut probe).map_err(|interrupted| {
                stop.check(|| not_written(&[]))
                    .err()
                    .unwrap_or_else(|| Failure::Internal(interrupted.to_string()))
            })?;
            let wall_ns = probe.clock.elapsed_ns();
            let performance = Performance::new(&output, wall_ns, None);
            latency
                .add(&output.settle_latency_ns)
                .expect("histograms of equal bounds add");
            let report = Report::new(&scenario, seed, &output, None);
            match &digest {
                Some(first) if *first != report.digest => {
                    return Err(Failure::Internal(format!(
                        "two runs of one scenario and seed gave digests {first} and {}",
                        report.digest
                    )));
                }
                Some(_) => {}
                None => digest = Some(report.digest),
            }
            let orders = output.totals.orders_placed;
            runs.push(ScenarioRun {
                wall_ms: performance.wall_ms,
                events: performance.events,
                events_per_sec: performance.events_per_sec,
                orders,
                orders_per_sec: per_second(orders, wall_ns),
                settlements: performance.settlements,
                settlements_per_sec: performance.settlements_per_sec,
            });
        }
        Ok(ScenarioResult {
            bench: "scenario",
            scenario: scenario.name.clone(),
            seed,
            digest: digest.unwrap_or_default(),
            median_wall_ms: median(runs.iter().map(|run| run.wall_ms).collect()),
            median_events_per_sec: median(runs.iter().map(|run| run.events_per_sec).collect()),
            median_orders_per_sec: median(runs.iter().map(|run| run.orders_per_sec).collect()),
            median_settlements_per_sec: median(
                runs.iter().map(|run| run.settlements_per_sec).collect(),
            ),
            runs,
            settle_latency_ns: Percentiles::of(&latency),
            peak_rss_bytes: peak_rss_bytes(),
        })
    })?
}
