//! One unit of a sweep (a point and a replication): running it, and its
//! result as a self-describing JSON file that loses nothing.
//!
//! A unit file holds the exact value of every metric (decimals as strings,
//! so `"0.10"` stays `"0.10"`), the metric schema they follow, the run's
//! digest, and the settlement-latency histogram as its non-empty buckets
//! (value, count), which rebuild the same buckets. It also holds the wall
//! time and peak memory of the unit, which merging reports but never mixes
//! into the deterministic result.

use super::plan::SweepPlan;
use crate::metrics::MetricValues;
use crate::replicate::run_replication_on_seed_of;
use crate::{Metric, MetricKind, Replication, Schema};
use escrowsim_core::input::Located;
use escrowsim_core::program::{Interrupted, Probe};
use escrowsim_core::report::VERSION;
use hdrhistogram::Histogram;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The result of one unit, as written to and read from its file.
#[derive(Clone, Debug)]
pub struct UnitResult {
    pub sweep_digest: String,
    pub version: String,
    pub unit: u64,
    pub point: usize,
    pub schema: Schema,
    pub replication: Replication,
    /// Sampled settlement latencies of the run, in nanoseconds.
    pub settle_latency_ns: LatencyBuckets,
    /// Wall time of the unit, in milliseconds (a measurement, not an outcome).
    pub wall_ms: u64,
    /// Peak resident memory of the process that ran it, when known.
    pub peak_rss_bytes: Option<u64>,
}

/// A run's latency histogram as its recorded buckets (value, count), in
/// value order: what a unit file holds, a few hundred bytes, where the
/// histogram itself spans its whole range (about 250 KiB). A merge of many
/// units keeps these and adds them into one histogram per point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencyBuckets(pub Vec<(u64, u64)>);

impl LatencyBuckets {
    pub fn of(histogram: &Histogram<u64>) -> LatencyBuckets {
        LatencyBuckets(
            histogram
                .iter_recorded()
                .map(|bucket| (bucket.value_iterated_to(), bucket.count_at_value()))
                .collect(),
        )
    }

    /// Records every bucket into `histogram` (of the units' precision),
    /// which then holds the same buckets as the run's own.
    pub fn add_to(&self, histogram: &mut Histogram<u64>) {
        for &(value, count) in &self.0 {
            histogram.saturating_record_n(value, count);
        }
    }
}

/// Runs unit `unit` of `plan` with `probe`; the caller adds the measurements.
pub fn run_unit<P: Probe>(
    plan: &SweepPlan,
    unit: u64,
    probe: &mut P,
) -> Result<UnitResult, Interrupted> {
    let (point, replication) = plan.unit(unit);
    let seed_index = match &plan.optimization {
        Some(optimization) => u32::try_from(optimization.seed_index(point, replication as usize))
            .expect("an optimisation's seed numbers are bounded by its units"),
        None => replication,
    };
    let (schema, result, settle_latency_ns) = run_replication_on_seed_of(
        &plan.points[point].scenario,
        plan.base_seed,
        replication,
        seed_index,
        probe,
    )?;
    Ok(UnitResult {
        sweep_digest: plan.digest.clone(),
        version: VERSION.to_string(),
        unit,
        point,
        schema,
        replication: result,
        settle_latency_ns: LatencyBuckets::of(&settle_latency_ns),
        wall_ms: 0,
        peak_rss_bytes: None,
    })
}

/// The unit file format; v2 added the checksum.
const UNIT_FORMAT: &str = "escrowsim-sweep-unit/v2";

/// Largest magnitude of a metric value a unit file may hold: far beyond any
/// run's figures (a year of today's marketplace is about 1e11 in money),
/// and small enough that sums over the most replications stay exact.
const METRIC_VALUE_MAX: i64 = 1_000_000_000_000_000;
/// Most months a unit's schema may list (the longest horizon's calendar months).
const MONTHS_MAX: usize = 1_300;
/// Most metrics a unit's schema may list.
const METRICS_MAX: usize = 10_000;
/// Largest settlement latency a run records, in nanoseconds (its histogram's bound).
const LATENCY_NS_MAX: u64 = 60_000_000_000;

/// What a metric is, as a unit file names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum KindKey {
    Count,
    Money,
    Number,
}

impl From<MetricKind> for KindKey {
    fn from(kind: MetricKind) -> KindKey {
        match kind {
            MetricKind::Count => KindKey::Count,
            MetricKind::Money => KindKey::Money,
            MetricKind::Number => KindKey::Number,
        }
    }
}

impl From<KindKey> for MetricKind {
    fn from(key: KindKey) -> MetricKind {
        match key {
            KindKey::Count => MetricKind::Count,
            KindKey::Money => MetricKind::Money,
            KindKey::Number => MetricKind::Number,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    metrics: Vec<(String, KindKey)>,
    monthly_metrics: Vec<(String, KindKey)>,
    months: Vec<String>,
}

/// A unit file as written; fields in alphabetical order, as the file has
/// always laid them out. `checksum` is the SHA-256 of the file written with
/// an empty checksum, so an edited or damaged unit is refused.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitFile {
    checksum: String,
    digest: String,
    events: u64,
    format: String,
    monthly_values: Vec<Vec<Option<Decimal>>>,
    peak_rss_bytes: Option<u64>,
    point: u64,
    replication: u32,
    schema: SchemaFile,
    seed: u64,
    settle_latency_ns: Vec<(u64, u64)>,
    settlements: u64,
    sweep_digest: String,
    unit: u64,
    values: Vec<Option<Decimal>>,
    version: String,
    wall_ms: u64,
}

impl UnitFile {
    fn checksum(&self) -> String {
        let unsummed = UnitFile {
            checksum: String::new(),
            ..self.clone()
        };
        let bytes = serde_json::to_vec(&unsummed).expect("a unit always serialises");
        Sha256::digest(&bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

fn metrics_file(metrics: &[Metric]) -> Vec<(String, KindKey)> {
    metrics
        .iter()
        .map(|metric| (metric.path.clone(), metric.kind.into()))
        .collect()
}

/// The metrics of a schema list, refused (with what is wrong, the caller
/// naming the list) when a path repeats or nests under another (the
/// summaries nest metrics by path).
fn metrics_of(list: Vec<(String, KindKey)>) -> Result<Vec<Metric>, String> {
    if list.len() > METRICS_MAX {
        return Err(format!("{} metrics; at most {METRICS_MAX}", list.len()));
    }
    let mut paths: Vec<&str> = list.iter().map(|(path, _)| path.as_str()).collect();
    paths.sort_unstable();
    for pair in paths.windows(2) {
        let (first, second) = (pair[0], pair[1]);
        if first == second
            || second
                .strip_prefix(first)
                .is_some_and(|rest| rest.starts_with('.'))
        {
            return Err(format!(
                "metric {second:?} repeats or nests under {first:?}"
            ));
        }
    }
    if let Some(path) = paths
        .iter()
        .find(|path| path.is_empty() || path.split('.').any(str::is_empty))
    {
        return Err(format!("{path:?} is not a metric path"));
    }
    Ok(list
        .into_iter()
        .map(|(path, kind)| Metric {
            path,
            kind: kind.into(),
        })
        .collect())
}

/// Refuses a value beyond what a run produces, and an undefined (`null`)
/// value of a metric that is not a rate, saying which (the caller naming
/// the list).
fn check_values(values: &[Option<Decimal>], metrics: &[Metric]) -> Result<(), String> {
    let bound = Decimal::from(METRIC_VALUE_MAX);
    for (value, metric) in values.iter().zip(metrics) {
        match value {
            Some(value) if value.abs() > bound => {
                return Err(format!(
                    "{value} is beyond the largest figure a run produces ({bound})"
                ));
            }
            None if metric.kind != MetricKind::Number => {
                return Err(format!(
                    "{} is null, but only a rate can be undefined",
                    metric.path
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

impl UnitResult {
    /// Compact JSON, one file per unit.
    pub fn to_json(&self) -> String {
        let run = &self.replication;
        let mut file = UnitFile {
            checksum: String::new(),
            digest: run.digest.clone(),
            events: run.events,
            format: UNIT_FORMAT.to_string(),
            monthly_values: run.values.monthly.clone(),
            peak_rss_bytes: self.peak_rss_bytes,
            point: self.point as u64,
            replication: run.index,
            schema: SchemaFile {
                metrics: metrics_file(&self.schema.metrics),
                monthly_metrics: metrics_file(&self.schema.monthly_metrics),
                months: self.schema.months.clone(),
            },
            seed: run.seed,
            settle_latency_ns: self.settle_latency_ns.0.clone(),
            settlements: run.settlements,
            sweep_digest: self.sweep_digest.clone(),
            unit: self.unit,
            values: run.values.values.clone(),
            version: self.version.clone(),
            wall_ms: self.wall_ms,
        };
        file.checksum = file.checksum();
        let mut text = serde_json::to_string(&file).expect("a unit always serialises");
        text.push('\n');
        text
    }

    /// Reads a unit file back; the problem says what is wrong with it and
    /// where, `source` naming the file. A unit is refused when it is
    /// malformed, edited (its checksum), out of bounds, or inconsistent
    /// with its own schema.
    pub fn from_json(text: &str, source: &str) -> Result<UnitResult, Located> {
        let problem = |field: &str, message: String| Located::new(source, message).in_field(field);
        let file: UnitFile = serde_json::from_str(text)
            .map_err(|error| Located::from_json_error(source, "not a unit result", &error))?;
        if file.format != UNIT_FORMAT {
            return Err(problem(
                "format",
                format!(
                    "not an escrowsim sweep unit of this version (format {UNIT_FORMAT}); \
                     re-run the sweep to rewrite it"
                ),
            ));
        }
        if file.checksum != file.checksum() {
            return Err(problem(
                "checksum",
                "does not match the file's contents: the file was edited or damaged; \
                 delete it and re-run the sweep to recompute the unit"
                    .to_string(),
            ));
        }
        let schema = Schema {
            metrics: metrics_of(file.schema.metrics)
                .map_err(|message| problem("schema.metrics", message))?,
            months: file.schema.months,
            monthly_metrics: metrics_of(file.schema.monthly_metrics)
                .map_err(|message| problem("schema.monthly_metrics", message))?,
        };
        if schema.months.len() > MONTHS_MAX {
            return Err(problem(
                "schema.months",
                format!("{} months; at most {MONTHS_MAX}", schema.months.len()),
            ));
        }
        let mismatch = |field: &str| problem(field, "the values do not match the schema".into());
        if file.values.len() != schema.metrics.len() {
            return Err(mismatch("values"));
        }
        if file.monthly_values.len() != schema.months.len() {
            return Err(mismatch("monthly_values"));
        }
        if let Some(month) = file
            .monthly_values
            .iter()
            .position(|month| month.len() != schema.monthly_metrics.len())
        {
            return Err(mismatch(&format!("monthly_values[{month}]")));
        }
        check_values(&file.values, &schema.metrics)
            .map_err(|message| problem("values", message))?;
        for (month, values) in file.monthly_values.iter().enumerate() {
            check_values(values, &schema.monthly_metrics)
                .map_err(|message| problem(&format!("monthly_values[{month}]"), message))?;
        }
        let histogram = Histogram::<u64>::new_with_bounds(1, LATENCY_NS_MAX, 3)
            .map_err(|error| problem("settle_latency_ns", format!("{error:?}")))?;
        // A bucket is written as its highest value, which for the top
        // bucket (where a run's longest latencies saturate) lies past the
        // bound itself.
        let latency_written_max = histogram.highest_equivalent(LATENCY_NS_MAX);
        let mut samples: u64 = 0;
        let mut previous: Option<u64> = None;
        for &(value, count) in &file.settle_latency_ns {
            samples = samples.saturating_add(count);
            if !(1..=latency_written_max).contains(&value) || samples > file.settlements {
                return Err(problem(
                    "settle_latency_ns",
                    format!("bucket ({value}, {count}) is beyond what a run records"),
                ));
            }
            // An empty bucket is never written, and recording one would
            // still move the histogram's maximum or minimum.
            if count == 0 {
                return Err(problem(
                    "settle_latency_ns",
                    format!(
                        "bucket ({value}, 0) is empty; a unit file lists recorded buckets only"
                    ),
                ));
            }
            if previous.is_some_and(|previous| previous >= value) {
                return Err(problem(
                    "settle_latency_ns",
                    format!(
                        "bucket ({value}, {count}) is out of order; buckets are listed by value"
                    ),
                ));
            }
            previous = Some(value);
        }
        let replication = Replication {
            index: file.replication,
            seed: file.seed,
            digest: file.digest,
            values: MetricValues {
                values: file.values,
                monthly: file.monthly_values,
            },
            events: file.events,
            settlements: file.settlements,
        };
        Ok(UnitResult {
            sweep_digest: file.sweep_digest,
            version: file.version,
            unit: file.unit,
            point: usize::try_from(file.point)
                .map_err(|_| problem("point", format!("{} is out of range", file.point)))?,
            schema,
            replication,
            settle_latency_ns: LatencyBuckets(file.settle_latency_ns),
            wall_ms: file.wall_ms,
            peak_rss_bytes: file.peak_rss_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::MetricValues;

    fn unit_with_latencies(latencies_ns: &[u64]) -> UnitResult {
        let mut settle_latency_ns = Histogram::new_with_bounds(1, LATENCY_NS_MAX, 3).unwrap();
        for &latency in latencies_ns {
            // As the simulation records them: beyond the bound, at the bound.
            settle_latency_ns.saturating_record(latency);
        }
        UnitResult {
            sweep_digest: "0".repeat(64),
            version: VERSION.to_string(),
            unit: 0,
            point: 0,
            schema: Schema {
                metrics: Vec::new(),
                months: Vec::new(),
                monthly_metrics: Vec::new(),
            },
            replication: Replication {
                index: 0,
                seed: 1,
                digest: String::new(),
                values: MetricValues {
                    values: Vec::new(),
                    monthly: Vec::new(),
                },
                events: 0,
                settlements: latencies_ns.len() as u64,
            },
            settle_latency_ns: LatencyBuckets::of(&settle_latency_ns),
            wall_ms: 0,
            peak_rss_bytes: None,
        }
    }

    #[test]
    fn a_unit_whose_settlements_reached_the_latency_bound_reads_back() {
        let unit = unit_with_latencies(&[1, 1_000, LATENCY_NS_MAX - 1, LATENCY_NS_MAX, u64::MAX]);
        let text = unit.to_json();
        let read =
            UnitResult::from_json(&text, "u.json").unwrap_or_else(|problem| panic!("{problem}"));
        assert_eq!(read.settle_latency_ns, unit.settle_latency_ns);
        assert_eq!(read.to_json(), text);
    }

    #[test]
    fn a_unit_problem_names_the_file_and_its_field_or_line_and_column() {
        let text = unit_with_latencies(&[1_000]).to_json();
        let problem = UnitResult::from_json(&text[..text.len() / 2], "u1.json").unwrap_err();
        assert_eq!(problem.source, "u1.json");
        assert_eq!(problem.position.map(|position| position.line), Some(1));
        assert!(problem.to_string().starts_with("u1.json:1:"), "{problem}");
        let edited = text.replacen("\"wall_ms\":0", "\"wall_ms\":1", 1);
        assert_ne!(edited, text);
        let problem = UnitResult::from_json(&edited, "u1.json").unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("checksum"));
        assert!(
            problem
                .to_string()
                .starts_with("u1.json: checksum: does not match"),
            "{problem}"
        );
    }

    #[test]
    fn an_empty_latency_bucket_is_refused() {
        // Recorded, it would set the maximum to a latency no settlement had.
        let text = unit_with_latencies(&[1_000, 1_000]).to_json();
        let edited = text.replace("[[1000,2]]", "[[1000,2],[250000,0]]");
        assert_ne!(edited, text);
        let mut file: UnitFile = serde_json::from_str(&edited).unwrap();
        file.checksum = file.checksum();
        let problem =
            UnitResult::from_json(&serde_json::to_string(&file).unwrap(), "u.json").unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("settle_latency_ns"));
        assert!(
            problem.message.starts_with("bucket (250000, 0) is empty"),
            "{problem}"
        );
    }
}
