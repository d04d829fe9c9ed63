//! Warm-up: the first months of a run, dropped from the rates.
//!
//! A run starts empty: no order in flight, no supplier vetted, no claim
//! possible yet. Rates over the whole horizon mix that transient with the
//! program's settled behaviour. `--warm-up DAYS|auto` drops the first
//! months and adds figures over the months that remain, under
//! `after_warm_up.*` (`after_warm_up.refunds.rate`, ...), next to the
//! whole-run figures, which stay as they are (and so does the digest).
//!
//! The unit is the calendar month of the monthly series: `DAYS` drops every
//! month that starts before simulated day `DAYS`, so no warm-up day is left
//! in what remains. `auto` picks the number of months by MSER-5 (White
//! 1997; White, Cobb and Spratt 2000), the truncation rule that Hoad,
//! Robinson and Davies (2010) found the most reliable of 42 they compared:
//! the series is cut into batches of 5 months, and the truncation `d` (in
//! batches) minimises
//!
//! ```text
//! MSER(d) = Σ_{j>d} (z_j − z̄_d)² / (b − d)²
//! ```
//!
//! over `d ≤ b/2`, where `z_1..z_b` are the batch means and `z̄_d` the mean
//! of those after `d`: the squared standard error of the remaining mean,
//! which a transient inflates and a short remainder inflates too. Ties go to
//! the smaller `d`. A series of fewer than [`MSER_BATCHES_MIN`] batches of 5
//! (a horizon under 50 months) is too short for batches and is searched
//! month by month (MSER with batches of 1); the report says which. The rule
//! runs on each of [`SERIES`] (flows per day, so a short first or last month
//! weighs the same, and the level of orders in flight), averaged over the
//! replications as Hoad et al. advise, and the warm-up is the longest of
//! their truncations: every one of them has settled after it. When a
//! series' minimum is at the `b/2` limit, the series may not have settled
//! within the horizon at all; the report warns.
//!
//! Figures after the warm-up are sums of the monthly flows of the months
//! kept (exact: counts and cents), and ratios of those sums rounded to six
//! decimals as the outcome's rates are. With no month dropped they equal the
//! whole-run figures, since the months sum to the totals.

use super::metrics::{Metric, MetricKind, Schema};
use super::replicate::Replications;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Months per batch of MSER-5.
pub const MSER_BATCH_MONTHS: usize = 5;
/// Fewest batches MSER-5 is run on; a shorter series is searched by month.
pub const MSER_BATCHES_MIN: usize = 10;
/// The prefix of the figures after the warm-up.
pub const PREFIX: &str = "after_warm_up";

/// The monthly series MSER runs on: (monthly metric, divided by the month's
/// days). Flows per day; the level of orders in flight as it is.
pub const SERIES: &[(&str, bool)] = &[
    ("orders_placed", true),
    ("covered_orders_resolved", true),
    ("refunds_count", true),
    ("platform_loss", true),
    ("orders_in_flight_end", false),
];

/// A figure after the warm-up: its path under [`PREFIX`], its kind, and
/// how it comes from the kept months.
enum Figure {
    /// The sum of a monthly metric.
    Sum(&'static str),
    /// `scale ·` sum of one over sum of another, rounded to six decimals;
    /// undefined when the denominator's sum is 0.
    Ratio(&'static str, &'static str, i64),
}

/// The figures after the warm-up, named as the whole-run figures they
/// stand beside (`after_warm_up.refunds.rate` beside `refunds.rate`).
const FIGURES: &[(&str, MetricKind, Figure)] = &[
    (
        "inquiries.total",
        MetricKind::Count,
        Figure::Sum("inquiries"),
    ),
    (
        "orders.placed",
        MetricKind::Count,
        Figure::Sum("orders_placed"),
    ),
    (
        "orders.covered",
        MetricKind::Count,
        Figure::Sum("orders_covered"),
    ),
    (
        "orders.completed",
        MetricKind::Count,
        Figure::Sum("orders_completed"),
    ),
    ("gmv.total", MetricKind::Money, Figure::Sum("gmv")),
    ("gmv.covered", MetricKind::Money, Figure::Sum("gmv_covered")),
    (
        "gmv.covered_share",
        MetricKind::Number,
        Figure::Ratio("gmv_covered", "gmv", 1),
    ),
    (
        "claims.filed",
        MetricKind::Count,
        Figure::Sum("claims_filed"),
    ),
    (
        "refunds.count",
        MetricKind::Count,
        Figure::Sum("refunds_count"),
    ),
    (
        "refunds.value",
        MetricKind::Money,
        Figure::Sum("refunds_value"),
    ),
    (
        "refunds.resolved",
        MetricKind::Count,
        Figure::Sum("covered_orders_resolved"),
    ),
    (
        "refunds.rate",
        MetricKind::Number,
        Figure::Ratio("refunds_count", "covered_orders_resolved", 1),
    ),
    (
        "risk.platform_loss",
        MetricKind::Money,
        Figure::Sum("platform_loss"),
    ),
    (
        "risk.loss_bps",
        MetricKind::Number,
        Figure::Ratio("platform_loss", "gmv_covered", 10_000),
    ),
    (
        "risk.buyer_uncovered_loss",
        MetricKind::Money,
        Figure::Sum("buyer_uncovered_loss"),
    ),
];

/// What `--warm-up` asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Drop the months that start before this simulated day.
    Days(u32),
    /// Pick the months by MSER-5.
    Auto,
}

impl FromStr for Request {
    type Err = String;

    fn from_str(text: &str) -> Result<Request, String> {
        let text = text.trim();
        if text == "auto" {
            return Ok(Request::Auto);
        }
        text.parse::<u32>()
            .map(Request::Days)
            .map_err(|_| format!("expected a number of days (e.g. 90) or auto, not {text:?}"))
    }
}

impl fmt::Display for Request {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::Days(days) => write!(formatter, "{days} days"),
            Request::Auto => formatter.write_str("auto"),
        }
    }
}

/// MSER's choice on one series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesTruncation {
    /// The monthly metric (per day where [`SERIES`] says so).
    pub series: String,
    pub months: usize,
    /// The minimum is at the search's limit, half the series: the series
    /// may still be moving at the end of the horizon.
    pub at_limit: bool,
}

/// The warm-up chosen: how many leading months are dropped, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WarmUp {
    /// `"days"` or `"mser-5"` or `"mser"` (batches of one month).
    pub method: String,
    /// The days asked for, with `--warm-up DAYS`.
    pub days: Option<u32>,
    /// Leading months dropped.
    pub months_dropped: usize,
    /// Months kept, from `first_month` on.
    pub months_kept: usize,
    /// The first month kept (`YYYY-MM`).
    pub first_month: String,
    /// Per series, with `auto`.
    pub series: Vec<SeriesTruncation>,
}

/// A warm-up that cannot be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WarmUpError {
    #[error("a warm-up of {days} days leaves no month of the {horizon_days}-day horizon")]
    NothingLeft { days: u32, horizon_days: u64 },
    #[error("the runs have no monthly series to take a warm-up from")]
    NoMonths,
}

impl WarmUp {
    /// Whether any series' MSER minimum was at the search's limit.
    pub fn unsettled(&self) -> Vec<&str> {
        self.series
            .iter()
            .filter(|series| series.at_limit)
            .map(|series| series.series.as_str())
            .collect()
    }

    /// A warning for people when a series had not settled, `None` else.
    pub fn unsettled_warning(&self) -> Option<String> {
        let unsettled = self.unsettled();
        (!unsettled.is_empty()).then(|| {
            format!(
                "warning: not settled by mid-horizon (MSER's minimum at its limit, half the series):\n  \
                 {};\n  the program may not reach a steady state within horizon_days",
                unsettled.join(", ")
            )
        })
    }

    /// One line for people: what was dropped and how it was chosen.
    pub fn describe(&self) -> String {
        let how = match (self.method.as_str(), self.days) {
            ("days", Some(days)) => format!("--warm-up {days} days"),
            ("mser-5", _) => "MSER-5 on the monthly series".to_string(),
            _ => "MSER by month: under 50 months are too few for batches of 5".to_string(),
        };
        format!(
            "warm-up: {} month{} dropped ({how});\n  figures after_warm_up.* are over the {} month{} from {}",
            self.months_dropped,
            plural(self.months_dropped),
            self.months_kept,
            plural(self.months_kept),
            self.first_month
        )
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The month lengths of a schema's series, from the first replication's
/// `days` (every replication of one scenario has the same months).
fn month_days(replications: &Replications) -> Option<Vec<u64>> {
    let days = replications.monthly_metric_index("days")?;
    let run = replications.runs.first()?;
    run.values
        .monthly
        .iter()
        .map(|month| month[days].and_then(|value| value.to_u64()))
        .collect()
}

/// Chooses the warm-up for `replications` (for a comparison, call it on
/// each side and take [`WarmUp::longest`], so both drop the same months).
pub fn choose(replications: &Replications, request: Request) -> Result<WarmUp, WarmUpError> {
    let days = month_days(replications).ok_or(WarmUpError::NoMonths)?;
    let months = days.len();
    if months == 0 {
        return Err(WarmUpError::NoMonths);
    }
    let (method, months_dropped, series) = match request {
        Request::Days(asked) => {
            let mut start = 0u64;
            let dropped = days
                .iter()
                .take_while(|&&length| {
                    let starts_before = start < u64::from(asked);
                    start += length;
                    starts_before
                })
                .count();
            if dropped == months {
                return Err(WarmUpError::NothingLeft {
                    days: asked,
                    horizon_days: days.iter().sum(),
                });
            }
            ("days", dropped, Vec::new())
        }
        Request::Auto => {
            let batch = if months / MSER_BATCH_MONTHS >= MSER_BATCHES_MIN {
                MSER_BATCH_MONTHS
            } else {
                1
            };
            let series: Vec<SeriesTruncation> = SERIES
                .iter()
                .filter_map(|&(name, per_day)| {
                    let values = mean_series(replications, name, per_day.then_some(&days))?;
                    let (batches, at_limit) = mser(&values, batch);
                    Some(SeriesTruncation {
                        series: if per_day {
                            format!("{name} per day")
                        } else {
                            name.to_string()
                        },
                        months: batches * batch,
                        at_limit,
                    })
                })
                .collect();
            let dropped = series.iter().map(|series| series.months).max().unwrap_or(0);
            (if batch == 1 { "mser" } else { "mser-5" }, dropped, series)
        }
    };
    Ok(WarmUp {
        method: method.to_string(),
        days: match request {
            Request::Days(days) => Some(days),
            Request::Auto => None,
        },
        months_dropped,
        months_kept: months - months_dropped,
        first_month: replications.schema.months[months_dropped].clone(),
        series,
    })
}

impl WarmUp {
    /// The longer of two warm-ups (of two sides of one comparison, which
    /// have the same months): both sides then drop the same months.
    pub fn longest(self, other: WarmUp) -> WarmUp {
        if other.months_dropped > self.months_dropped {
            other
        } else {
            self
        }
    }

    /// Adds the figures after the warm-up to every replication, as whole-run
    /// metrics under [`PREFIX`]. Idempotent in effect: a set that already
    /// has them is left alone.
    pub fn apply(&self, replications: &mut Replications) {
        let schema = &replications.schema;
        if schema
            .metrics
            .iter()
            .any(|metric| metric.path.starts_with(PREFIX))
        {
            return;
        }
        let index = |name: &str| schema.monthly_metrics.iter().position(|m| m.path == name);
        let figures: Vec<(Metric, Option<Vec<usize>>)> = FIGURES
            .iter()
            .map(|(path, kind, figure)| {
                let columns = match figure {
                    Figure::Sum(name) => index(name).map(|column| vec![column]),
                    Figure::Ratio(numerator, denominator, _) => index(numerator)
                        .zip(index(denominator))
                        .map(|(n, d)| vec![n, d]),
                };
                (
                    Metric {
                        path: format!("{PREFIX}.{path}"),
                        kind: *kind,
                    },
                    columns,
                )
            })
            .collect();
        let months_metric = Metric {
            path: format!("{PREFIX}.months"),
            kind: MetricKind::Count,
        };
        let kept = self.months_dropped;
        for run in &mut replications.runs {
            let rows = &run.values.monthly[kept.min(run.values.monthly.len())..];
            let sum = |column: usize| -> Option<Decimal> {
                rows.iter()
                    .map(|row| row[column])
                    .try_fold(Decimal::ZERO, |total, value| Some(total + value?))
            };
            run.values
                .values
                .push(Some(Decimal::from(self.months_kept as u64)));
            for ((_, kind, figure), (_, columns)) in FIGURES.iter().zip(&figures) {
                let value = columns.as_ref().and_then(|columns| match figure {
                    Figure::Sum(_) => sum(columns[0]),
                    Figure::Ratio(_, _, scale) => {
                        let numerator = sum(columns[0])?;
                        let denominator = sum(columns[1])?;
                        ratio(numerator * Decimal::from(*scale), denominator)
                    }
                });
                debug_assert!(value.is_some() || matches!(kind, MetricKind::Number));
                run.values.values.push(value);
            }
        }
        let schema: &mut Schema = &mut replications.schema;
        schema.metrics.push(months_metric);
        schema
            .metrics
            .extend(figures.into_iter().map(|(metric, _)| metric));
    }
}

/// The warm-up of one run and its figures after it: the `warm_up` key of a
/// single run's JSON report, beside its `outcome`.
#[derive(Clone, Debug)]
pub struct RunWarmUp {
    pub warm_up: WarmUp,
    /// The figures after the warm-up, by path relative to [`PREFIX`]
    /// (`refunds.rate`), `None` where undefined.
    pub figures: Vec<(Metric, Option<Decimal>)>,
}

impl RunWarmUp {
    /// The figures of replication `run` of a set `warm_up` was applied to.
    pub fn of(warm_up: WarmUp, replications: &Replications, run: usize) -> RunWarmUp {
        let prefix = format!("{PREFIX}.");
        let figures = replications
            .schema
            .metrics
            .iter()
            .zip(&replications.runs[run].values.values)
            .filter_map(|(metric, value)| {
                let path = metric.path.strip_prefix(&prefix)?;
                Some((
                    Metric {
                        path: path.to_string(),
                        kind: metric.kind,
                    },
                    *value,
                ))
            })
            .collect();
        RunWarmUp { warm_up, figures }
    }

    /// The figure at `path` (relative to [`PREFIX`]).
    pub fn figure(&self, path: &str) -> Option<Decimal> {
        self.figures
            .iter()
            .find(|(metric, _)| metric.path == path)
            .and_then(|(_, value)| *value)
    }
}

/// A single run's JSON report with its warm-up: the report's keys, then
/// `warm_up` (the choice, and the figures after it). The outcome and its
/// digest are the run's, whatever the warm-up.
pub fn report_json(report: &escrowsim_core::report::Report, warm_up: &RunWarmUp) -> String {
    #[derive(Serialize)]
    struct WithWarmUp<'a> {
        #[serde(flatten)]
        report: &'a escrowsim_core::report::Report,
        warm_up: &'a RunWarmUp,
    }
    let mut json = serde_json::to_string_pretty(&WithWarmUp { report, warm_up })
        .expect("a report always serialises");
    json.push('\n');
    json
}

/// One figure as the JSON report writes its kind: money a two-decimal
/// string, a count an integer, a rate a number, undefined `null`.
struct Value(MetricKind, Option<Decimal>);

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.0, self.1) {
            (_, None) => serializer.serialize_none(),
            (MetricKind::Money, Some(value)) => serializer.serialize_str(&format!("{value:.2}")),
            (MetricKind::Count, Some(value)) => match value.to_i64() {
                Some(count) => serializer.serialize_i64(count),
                None => serializer.serialize_str(&value.to_string()),
            },
            (MetricKind::Number, Some(value)) => {
                serializer.serialize_f64(value.to_f64().unwrap_or(f64::NAN))
            }
        }
    }
}

impl Serialize for RunWarmUp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let values: Vec<(Metric, Value)> = self
            .figures
            .iter()
            .map(|(metric, value)| (metric.clone(), Value(metric.kind, *value)))
            .collect();
        let mut object = serializer.serialize_struct("RunWarmUp", 2)?;
        object.serialize_field("chosen", &self.warm_up)?;
        object.serialize_field("figures", &super::summary::nest(&values))?;
        object.end()
    }
}

/// `numerator / denominator` rounded to six decimals, as the outcome's
/// rates are; `None` for an empty denominator.
fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    if denominator.is_zero() {
        None
    } else {
        Some((numerator / denominator).round_dp(6).normalize())
    }
}

/// The mean over replications of monthly metric `name`, per day where
/// `days` is given; `None` if the months lack it or a value is undefined.
fn mean_series(
    replications: &Replications,
    name: &str,
    days: Option<&Vec<u64>>,
) -> Option<Vec<f64>> {
    let column = replications.monthly_metric_index(name)?;
    let count = replications.count();
    if count == 0 {
        return None;
    }
    (0..replications.schema.months.len())
        .map(|month| {
            let total = replications
                .runs
                .iter()
                .map(|run| run.values.monthly[month][column])
                .try_fold(Decimal::ZERO, |total, value| Some(total + value?))?;
            let mut mean = total.to_f64()? / count as f64;
            if let Some(days) = days {
                mean /= days[month].max(1) as f64;
            }
            Some(mean)
        })
        .collect()
}

/// MSER on `values` in batches of `batch`: the truncation in batches that
/// minimises the squared standard error of the remaining batch means, over
/// `d ≤ b/2` (ties to the smaller), and whether it is at that limit.
/// Trailing values that do not fill a batch are left out, as in MSER-5.
pub fn mser(values: &[f64], batch: usize) -> (usize, bool) {
    let batch = batch.max(1);
    let means: Vec<f64> = values
        .chunks_exact(batch)
        .map(|chunk| chunk.iter().sum::<f64>() / batch as f64)
        .collect();
    let count = means.len();
    if count < 2 {
        return (0, false);
    }
    let limit = count / 2;
    let mut best = (0, f64::INFINITY);
    for truncation in 0..=limit {
        let rest = &means[truncation..];
        let length = rest.len() as f64;
        let mean = rest.iter().sum::<f64>() / length;
        let squares: f64 = rest
            .iter()
            .map(|value| (value - mean) * (value - mean))
            .sum();
        let statistic = squares / (length * length);
        if statistic < best.1 {
            best = (truncation, statistic);
        }
    }
    (best.0, best.0 == limit && limit > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mser_cuts_a_step_transient_where_the_hand_computation_says() {
        // Batches (of 1): 10, 10, then 0, 1, 0, 1, 0, 1, 0, 1 (b = 10,
        // limit 5). After d = 2 the rest alternates 0/1: mean 1/2, squares
        // 8 · 1/4 = 2, MSER = 2/64 = 0.03125. At d = 1 the rest is 10 and
        // the eight: mean 14/9, squares 81.8 (> 0.03125 · 81); at d = 3 the
        // rest (1,0,1,0,1,0,1) has mean 4/7, squares 12/7, MSER = 12/343 =
        // 0.035 > 0.03125; at d = 4 the rest has mean 1/2 again, squares
        // 6/4, MSER = 1.5/36 = 0.0417. So d = 2.
        let values = [10.0, 10.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        assert_eq!(mser(&values, 1), (2, false));
        // The same in batches of 5 months: each value held for 5 months
        // (50 months, 10 batches): the batch means are the values above.
        let months: Vec<f64> = values.iter().flat_map(|&v| [v; 5]).collect();
        assert_eq!(mser(&months, 5), (2, false));
    }

    #[test]
    fn mser_keeps_a_stationary_series_whole_and_flags_a_trend() {
        // Alternating values have no transient: d = 0 has squares 10/4 over
        // 100, 0.025; d = 1 leaves (1,0,1,...) of 9, mean 5/9, squares 20/9
        // over 81, 0.0274; every later d gives a larger value.
        let stationary = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        assert_eq!(mser(&stationary, 1), (0, false));
        // A straight line: the rest's squared error falls as the rest
        // shortens ((b-d)² - 1)/12 / (b-d)², minimal at the limit.
        let trend: Vec<f64> = (0..12).map(f64::from).collect();
        assert_eq!(mser(&trend, 1), (6, true));
    }

    #[test]
    fn days_and_auto_parse_and_nonsense_is_refused() {
        assert_eq!("90".parse::<Request>(), Ok(Request::Days(90)));
        assert_eq!("auto".parse::<Request>(), Ok(Request::Auto));
        assert!("-3".parse::<Request>().unwrap_err().contains("auto"));
        assert!("90d".parse::<Request>().is_err());
    }
}
