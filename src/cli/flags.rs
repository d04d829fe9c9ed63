//! Flags that several subcommands share, each defined once and flattened
//! into the subcommands (`#[command(flatten)]`), so its name, parsing and
//! help read the same everywhere.

use super::memory::parse_memory_size;
use super::run::Format;
use clap::Args;
use escrowsim::analysis::Target;
use std::path::PathBuf;

/// `--max-memory`: every subcommand that runs or checks a scenario.
#[derive(Args, Clone, Copy, Debug)]
pub struct MemoryArgs {
    /// Refuse a scenario whose estimated peak memory, for all the runs held
    /// at once (one per job) and the results kept, exceeds this (e.g. 512M,
    /// 8G); defaults to the machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory_size)]
    pub max_memory: Option<u64>,
}

/// `--seed`: the base seed of every random stream.
#[derive(Args, Clone, Copy, Debug)]
pub struct SeedArgs {
    /// Seed for every random stream (the base seed of replications);
    /// defaults to the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `--format`, `--out` and `--html`: where a report goes and in what form.
#[derive(Args, Clone)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file (atomically: a temporary file renamed
    /// when complete) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with charts to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

/// Refuses `--format parquet` without `--out`: a Parquet file is binary,
/// for a file, never a terminal or a pipe's reader of text.
pub fn check_parquet_out(
    format: Format,
    out: Option<&std::path::Path>,
) -> Result<(), super::Failure> {
    if matches!(format, Format::Parquet) && out.is_none() {
        return Err(super::Failure::BadInput(
            "--format parquet writes a binary file: give it with --out FILE".to_string(),
        ));
    }
    Ok(())
}

/// `--metrics PATTERN`: which metrics the tables and CSV show, on every
/// subcommand that reports replications.
#[derive(Args, Clone, Debug, Default)]
pub struct MetricsArgs {
    /// Show only the metrics whose dotted path matches PATTERN (a glob: `*`
    /// any characters, `?` one; e.g. `risk.*`, `refunds.rate`); repeat for
    /// more. Chooses the rows of the text table (the headline is always
    /// shown) and the metric columns of CSV (`monthly.*` for the monthly
    /// series); JSON and HTML always have every metric. A pattern that
    /// matches nothing is an error.
    #[arg(long = "metrics", value_name = "PATTERN")]
    pub metrics: Vec<String>,
}

impl MetricsArgs {
    pub fn patterns(&self) -> escrowsim::analysis::MetricPatterns {
        escrowsim::analysis::MetricPatterns::new(self.metrics.clone())
    }
}

/// `--precision`: replications in batches until the named metrics'
/// intervals are narrow enough (`run --replications` and `compare`).
#[derive(Args, Clone, Debug)]
pub struct PrecisionArgs {
    /// Run replications in batches until METRIC's 95% interval has a
    /// half-width of at most HALFWIDTH: absolute (risk.platform_loss=5000)
    /// or a share of the mean with % (refunds.rate=5%; for compare, of A's
    /// mean, on the interval of B - A). Repeatable, with a Bonferroni
    /// correction across the metrics; --replications is then the cap.
    #[arg(
        long,
        value_name = "METRIC=HALFWIDTH",
        requires = "replications",
        value_parser = parse_target
    )]
    pub precision: Vec<Target>,
}

/// `--antithetic`: replications in antithetic pairs (`run --replications`
/// and `compare`).
#[derive(Args, Clone, Copy, Debug)]
pub struct AntitheticArgs {
    /// Run replications in antithetic pairs: replication 2k with the seed
    /// replication k would have, 2k+1 with the same seed and every random
    /// draw u mirrored to 1 - u. Means and intervals are of the pair means;
    /// the report gives each metric's achieved variance ratio,
    /// Var(pair means) / (Var(replications) / 2), below 1 when pairing
    /// helped (metrics monotone in the draws: volumes, GMV). Needs an even
    /// --replications; not with --precision.
    #[arg(long, requires = "replications", conflicts_with = "precision")]
    pub antithetic: bool,
}

fn parse_target(text: &str) -> Result<Target, String> {
    text.parse()
}

/// `--warm-up`: leading months dropped from the rates (`run`, `compare`).
#[derive(Args, Clone, Copy, Debug)]
pub struct WarmUpArgs {
    /// Drop the first months from the rates: DAYS drops every month that
    /// starts before that simulated day; auto picks the months by MSER-5
    /// on the monthly series (by month under 50 months). The figures over
    /// the months kept are added as after_warm_up.* (refund rate, losses,
    /// covered share, volumes) and lead the headline; whole-run figures
    /// and the digest are unchanged.
    #[arg(long, value_name = "DAYS|auto", value_parser = parse_warm_up)]
    pub warm_up: Option<escrowsim::analysis::warm_up::Request>,
}

impl WarmUpArgs {
    /// Chooses the warm-up of `replications` and adds its figures to them;
    /// `None` without `--warm-up`.
    pub fn apply(
        &self,
        replications: &mut escrowsim::analysis::Replications,
    ) -> Result<Option<escrowsim::analysis::WarmUp>, super::Failure> {
        let Some(request) = self.warm_up else {
            return Ok(None);
        };
        let warm_up = escrowsim::analysis::warm_up::choose(replications, request)
            .map_err(|error| super::Failure::BadInput(format!("--warm-up: {error}")))?;
        warm_up.apply(replications);
        Ok(Some(warm_up))
    }
}

impl WarmUpArgs {
    /// The warm-up of a comparison: chosen on each side, the longer kept,
    /// and applied to both, so both sides drop the same months.
    pub fn apply_to_pair(
        &self,
        a: &mut escrowsim::analysis::Replications,
        b: &mut escrowsim::analysis::Replications,
    ) -> Result<Option<escrowsim::analysis::WarmUp>, super::Failure> {
        let Some(request) = self.warm_up else {
            return Ok(None);
        };
        let choose = |set: &escrowsim::analysis::Replications| {
            escrowsim::analysis::warm_up::choose(set, request)
                .map_err(|error| super::Failure::BadInput(format!("--warm-up: {error}")))
        };
        let warm_up = choose(a)?.longest(choose(b)?);
        warm_up.apply(a);
        warm_up.apply(b);
        Ok(Some(warm_up))
    }
}

fn parse_warm_up(text: &str) -> Result<escrowsim::analysis::warm_up::Request, String> {
    text.parse()
}
