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
use crate::analysis::metrics::MetricValues;
use crate::analysis::replicate::run_replication;
use crate::analysis::{Metric, MetricKind, Replication, Schema};
use crate::program::{Interrupted, Probe};
use crate::report::VERSION;
use hdrhistogram::Histogram;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::str::FromStr;

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
    pub settle_latency_ns: Histogram<u64>,
    /// Wall time of the unit, in milliseconds (a measurement, not an outcome).
    pub wall_ms: u64,
    /// Peak resident memory of the process that ran it, when known.
    pub peak_rss_bytes: Option<u64>,
}

/// Runs unit `unit` of `plan` with `probe`; the caller adds the measurements.
pub fn run_unit<P: Probe>(
    plan: &SweepPlan,
    unit: u64,
    probe: &mut P,
) -> Result<UnitResult, Interrupted> {
    let (point, replication) = plan.unit(unit);
    let (schema, result, settle_latency_ns) = run_replication(
        &plan.points[point].scenario,
        plan.base_seed,
        replication,
        probe,
    )?;
    Ok(UnitResult {
        sweep_digest: plan.digest.clone(),
        version: VERSION.to_string(),
        unit,
        point,
        schema,
        replication: result,
        settle_latency_ns,
        wall_ms: 0,
        peak_rss_bytes: None,
    })
}

fn kind_key(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Count => "count",
        MetricKind::Money => "money",
        MetricKind::Number => "number",
    }
}

fn kind_of(key: &str) -> Option<MetricKind> {
    match key {
        "count" => Some(MetricKind::Count),
        "money" => Some(MetricKind::Money),
        "number" => Some(MetricKind::Number),
        _ => None,
    }
}

fn metrics_json(metrics: &[Metric]) -> Value {
    Value::Array(
        metrics
            .iter()
            .map(|metric| json!([metric.path, kind_key(metric.kind)]))
            .collect(),
    )
}

fn decimals_json(values: &[Decimal]) -> Value {
    Value::Array(
        values
            .iter()
            .map(|value| Value::String(value.to_string()))
            .collect(),
    )
}

impl UnitResult {
    /// Compact JSON, one file per unit.
    pub fn to_json(&self) -> String {
        let histogram: Vec<Value> = self
            .settle_latency_ns
            .iter_recorded()
            .map(|bucket| json!([bucket.value_iterated_to(), bucket.count_at_value()]))
            .collect();
        let run = &self.replication;
        let document = json!({
            "format": "escrowsim-sweep-unit/v1",
            "sweep_digest": self.sweep_digest,
            "version": self.version,
            "unit": self.unit,
            "point": self.point,
            "replication": run.index,
            "seed": run.seed,
            "digest": run.digest,
            "events": run.events,
            "settlements": run.settlements,
            "schema": {
                "metrics": metrics_json(&self.schema.metrics),
                "months": self.schema.months,
                "monthly_metrics": metrics_json(&self.schema.monthly_metrics),
            },
            "values": decimals_json(&run.values.values),
            "monthly_values": Value::Array(run.values.monthly.iter().map(|month| decimals_json(month)).collect()),
            "settle_latency_ns": histogram,
            "wall_ms": self.wall_ms,
            "peak_rss_bytes": self.peak_rss_bytes,
        });
        let mut text = document.to_string();
        text.push('\n');
        text
    }

    /// Reads a unit file back; a message says what is wrong with it.
    pub fn from_json(text: &str) -> Result<UnitResult, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|error| format!("not a unit result: {error}"))?;
        if document["format"] != "escrowsim-sweep-unit/v1" {
            return Err("not an escrowsim sweep unit (format escrowsim-sweep-unit/v1)".to_string());
        }
        let text_of = |key: &str| {
            document[key]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{key} is missing"))
        };
        let number_of = |key: &str| {
            document[key]
                .as_u64()
                .ok_or_else(|| format!("{key} is missing"))
        };
        let metrics_of = |value: &Value| -> Result<Vec<Metric>, String> {
            value
                .as_array()
                .ok_or("a metric list is missing")?
                .iter()
                .map(|pair| {
                    let path = pair[0].as_str().ok_or("a metric has no path")?;
                    let kind = pair[1]
                        .as_str()
                        .and_then(kind_of)
                        .ok_or("a metric has no kind")?;
                    Ok(Metric {
                        path: path.to_string(),
                        kind,
                    })
                })
                .collect()
        };
        let decimals_of = |value: &Value| -> Result<Vec<Decimal>, String> {
            value
                .as_array()
                .ok_or("a value list is missing")?
                .iter()
                .map(|item| {
                    item.as_str()
                        .and_then(|text| Decimal::from_str(text).ok())
                        .ok_or_else(|| format!("{item} is not a decimal string"))
                })
                .collect()
        };
        let schema = Schema {
            metrics: metrics_of(&document["schema"]["metrics"])?,
            months: document["schema"]["months"]
                .as_array()
                .ok_or("months are missing")?
                .iter()
                .map(|month| {
                    month
                        .as_str()
                        .map(str::to_string)
                        .ok_or("a month is not a label")
                })
                .collect::<Result<_, _>>()?,
            monthly_metrics: metrics_of(&document["schema"]["monthly_metrics"])?,
        };
        let values = decimals_of(&document["values"])?;
        let monthly: Vec<Vec<Decimal>> = document["monthly_values"]
            .as_array()
            .ok_or("monthly values are missing")?
            .iter()
            .map(decimals_of)
            .collect::<Result<_, _>>()?;
        if values.len() != schema.metrics.len()
            || monthly.len() != schema.months.len()
            || monthly
                .iter()
                .any(|month| month.len() != schema.monthly_metrics.len())
        {
            return Err("the values do not match the schema".to_string());
        }
        let mut histogram = Histogram::new(3).map_err(|error| error.to_string())?;
        for bucket in document["settle_latency_ns"]
            .as_array()
            .ok_or("the latency histogram is missing")?
        {
            let (Some(value), Some(count)) = (bucket[0].as_u64(), bucket[1].as_u64()) else {
                return Err(format!("{bucket} is not a histogram bucket"));
            };
            histogram
                .record_n(value, count)
                .map_err(|error| format!("histogram bucket {value}: {error:?}"))?;
        }
        let replication = Replication {
            index: u32::try_from(number_of("replication")?)
                .map_err(|_| "replication is out of range")?,
            seed: number_of("seed")?,
            digest: text_of("digest")?,
            values: MetricValues { values, monthly },
            events: number_of("events")?,
            settlements: number_of("settlements")?,
        };
        Ok(UnitResult {
            sweep_digest: text_of("sweep_digest")?,
            version: text_of("version")?,
            unit: number_of("unit")?,
            point: usize::try_from(number_of("point")?).map_err(|_| "point is out of range")?,
            schema,
            replication,
            settle_latency_ns: histogram,
            wall_ms: number_of("wall_ms")?,
            peak_rss_bytes: document["peak_rss_bytes"].as_u64(),
        })
    }
}
