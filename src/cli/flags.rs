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
