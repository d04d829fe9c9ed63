//! The summary of a set of replications, and its JSON.
//!
//! For every metric of the outcome (found generically, see [`super::metrics`])
//! the summary gives `mean`, `sd`, `ci95_low`, `ci95_high`, and for money also
//! `p95` and `p99` across replications. The JSON nests the statistics the
//! way the outcome nests the metric, so `outcome.risk.platform_loss` of one
//! run becomes `summary.risk.platform_loss.p99` of many; money figures stay
//! decimal strings, as in the outcome.
//!
//! A rate (any non-count, non-money figure) also gives `defined`, the number
//! of replications where it is defined: a rate with an empty denominator is
//! `null` in a run's outcome, and its mean, sd and interval are over the
//! other replications only (all `null` when no replication defines it),
//! never an average that counts it as 0.
//!
//! `derived` holds figures the outcome does not carry but a policy team
//! reads first, each a ratio of two outcome metrics taken replication by
//! replication (so its mean is a mean of shares, not a share of means):
//! `gmv.covered_share` = `gmv.covered / gmv.total`.

use super::metrics::{Metric, MetricKind};
use super::precision::PrecisionReport;
use super::replicate::Replications;
use super::statistics::{Figure, Summary, summarise_replications};
use super::warm_up::WarmUp;
use escrowsim_core::report::{Source, VERSION, serialize_seed};
use rust_decimal::Decimal;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// One replication's identity in a summary.
#[derive(Clone, Debug, Serialize)]
pub struct RunLine {
    pub replication: u32,
    #[serde(serialize_with = "serialize_seed")]
    pub seed: u64,
    pub digest: String,
    /// Run on the mirrored streams of its seed, the second of an antithetic
    /// pair (`escrowsim run --seed` reproduces only unmirrored runs); in
    /// the JSON only when true.
    #[serde(skip_serializing_if = "is_false")]
    pub mirrored: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// Ratios of two outcome metrics that the summary adds per replication:
/// (path, numerator path, denominator path).
pub const DERIVED_RATIOS: &[(&str, &str, &str)] =
    &[("gmv.covered_share", "gmv.covered", "gmv.total")];

/// The values of derived ratio `(_, numerator, denominator)`, one per
/// replication, rounded to six decimals as the outcome's rates are;
/// `None` where the denominator is 0 (or the outcome lacks either metric).
pub fn derived_values(
    replications: &Replications,
    numerator: &str,
    denominator: &str,
) -> Vec<Option<Decimal>> {
    let (Some(numerator), Some(denominator)) = (
        replications.metric_index(numerator),
        replications.metric_index(denominator),
    ) else {
        return vec![None; replications.count()];
    };
    replications
        .runs
        .iter()
        .map(|run| {
            let numerator = run.values.values[numerator]?;
            let denominator = run.values.values[denominator]?;
            if denominator.is_zero() {
                None
            } else {
                Some((numerator / denominator).round_dp(6))
            }
        })
        .collect()
}

/// Statistics of every metric of a set of replications.
#[derive(Clone, Debug)]
pub struct ReplicationSummary {
    pub scenario: String,
    /// The scenario file the replications ran, when they ran from one.
    pub source: Option<Source>,
    /// The scenario's currency, for people's reports, when known.
    pub currency: Option<String>,
    pub version: String,
    pub base_seed: u64,
    pub runs: Vec<RunLine>,
    /// Whole-run metrics and their statistics, in outcome order.
    pub metrics: Vec<(Metric, Summary)>,
    /// The [`DERIVED_RATIOS`] and their statistics.
    pub derived: Vec<(Metric, Summary)>,
    /// Months and, per month, the statistics of each monthly metric.
    pub months: Vec<MonthSummary>,
    /// How a precision-targeted run (`--precision`) stopped; the JSON's
    /// `precision` key, present only then.
    pub precision: Option<PrecisionReport>,
    /// The replications are antithetic pairs: means and intervals are of
    /// pair means, and each summary has its variance ratio.
    pub antithetic: bool,
    /// The warm-up dropped from the `after_warm_up.*` figures
    /// (`--warm-up`); the JSON's `warm_up` key, present only then.
    pub warm_up: Option<WarmUp>,
}

#[derive(Clone, Debug)]
pub struct MonthSummary {
    pub month: String,
    pub metrics: Vec<(Metric, Summary)>,
}

impl ReplicationSummary {
    pub fn new(replications: &Replications) -> ReplicationSummary {
        let schema = &replications.schema;
        let antithetic = replications.antithetic;
        let metrics = schema
            .metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| {
                let values = replications.metric_values_by_replication(index);
                (
                    metric.clone(),
                    summarise_replications(&values, metric.kind, antithetic),
                )
            })
            .collect();
        let derived = DERIVED_RATIOS
            .iter()
            .map(|(path, numerator, denominator)| {
                let values = derived_values(replications, numerator, denominator);
                (
                    derived_metric(path),
                    summarise_replications(&values, MetricKind::Number, antithetic),
                )
            })
            .collect();
        let months = schema
            .months
            .iter()
            .enumerate()
            .map(|(month_index, month)| MonthSummary {
                month: month.clone(),
                metrics: schema
                    .monthly_metrics
                    .iter()
                    .enumerate()
                    .map(|(index, metric)| {
                        let values = replications.monthly_values(month_index, index);
                        (
                            metric.clone(),
                            summarise_replications(&values, metric.kind, antithetic),
                        )
                    })
                    .collect(),
            })
            .collect();
        ReplicationSummary {
            scenario: replications.scenario.clone(),
            source: None,
            currency: None,
            version: VERSION.to_string(),
            base_seed: replications.base_seed,
            runs: replications
                .runs
                .iter()
                .map(|run| RunLine {
                    replication: run.index,
                    seed: run.seed,
                    digest: run.digest.clone(),
                    mirrored: replications.mirrored(run),
                })
                .collect(),
            metrics,
            derived,
            months,
            precision: None,
            antithetic,
            warm_up: None,
        }
    }

    /// The summary, recording the scenario file it ran and its currency.
    pub fn with_scenario(mut self, source: Option<Source>, currency: &str) -> ReplicationSummary {
        self.source = source;
        self.currency = Some(currency.to_string());
        self
    }

    /// The summary of replications to which `warm_up` was applied
    /// ([`WarmUp::apply`]).
    pub fn with_warm_up(mut self, warm_up: Option<WarmUp>) -> ReplicationSummary {
        self.warm_up = warm_up;
        self
    }

    /// The path a headline figure reads: its figure after the warm-up when
    /// there was one and the figure has one, else `path` itself.
    pub fn headline_path(&self, path: &str) -> String {
        let after = format!("{}.{path}", crate::warm_up::PREFIX);
        if self.warm_up.is_some() && self.metric(&after).is_some() {
            after
        } else {
            path.to_string()
        }
    }

    /// Covered orders unresolved at the end and covered orders, as means
    /// over the replications, when more than one in `denominator` is
    /// unresolved: the rates are of resolved orders, which favour quick
    /// outcomes over claims.
    pub fn unresolved_warning(&self, denominator: u64) -> Option<(Decimal, Decimal)> {
        let covered = self.metric("orders.covered")?.mean.value;
        let resolved = self.metric("refunds.resolved")?.mean.value;
        let unresolved = covered - resolved;
        (unresolved * Decimal::from(denominator) > covered).then_some((unresolved, covered))
    }

    /// The statistics of a whole-run or derived metric at `path`.
    pub fn metric_or_derived(&self, path: &str) -> Option<&Summary> {
        self.metric(path).or_else(|| {
            self.derived
                .iter()
                .find(|(metric, _)| metric.path == path)
                .map(|(_, summary)| summary)
        })
    }

    /// The statistics of the whole-run metric at `path`.
    pub fn metric(&self, path: &str) -> Option<&Summary> {
        self.metrics
            .iter()
            .find(|(metric, _)| metric.path == path)
            .map(|(_, summary)| summary)
    }

    /// The statistics of monthly metric `path`, month by month.
    pub fn monthly(&self, path: &str) -> Vec<Option<&Summary>> {
        self.months
            .iter()
            .map(|month| {
                month
                    .metrics
                    .iter()
                    .find(|(metric, _)| metric.path == path)
                    .map(|(_, summary)| summary)
            })
            .collect()
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a summary always serialises");
        json.push('\n');
        json
    }
}

impl Serialize for ReplicationSummary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = 10
            + usize::from(self.precision.is_some())
            + usize::from(self.antithetic)
            + usize::from(self.warm_up.is_some());
        let mut object = serializer.serialize_struct("ReplicationSummary", fields)?;
        object.serialize_field("scenario", &self.scenario)?;
        if let Some(source) = &self.source {
            object.serialize_field("source", source)?;
        }
        if let Some(currency) = &self.currency {
            object.serialize_field("currency", currency)?;
        }
        object.serialize_field("version", &self.version)?;
        object.serialize_field("seed", &self.base_seed.to_string())?;
        object.serialize_field("replications", &self.runs.len())?;
        object.serialize_field("runs", &self.runs)?;
        if self.antithetic {
            object.serialize_field("antithetic", &AntitheticNote::new(self.runs.len()))?;
        }
        object.serialize_field("summary", &nest(&self.metrics))?;
        object.serialize_field("derived", &nest(&self.derived))?;
        let months: Vec<Labelled<'_, Summary>> = self
            .months
            .iter()
            .map(|month| Labelled {
                month: &month.month,
                tree: nest(&month.metrics),
            })
            .collect();
        object.serialize_field("monthly", &months)?;
        if let Some(precision) = &self.precision {
            object.serialize_field("precision", precision)?;
        }
        if let Some(warm_up) = &self.warm_up {
            object.serialize_field("warm_up", warm_up)?;
        }
        object.end()
    }
}

impl Serialize for Figure {
    /// Money as a decimal string with two decimals, as in the outcome; any
    /// other figure as a JSON number with the figure's decimals.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.kind {
            MetricKind::Money => serializer.collect_str(&self.value),
            // Parsing the decimal text gives the nearest f64, which JSON
            // prints as that same text (at most 17 significant digits).
            MetricKind::Count | MetricKind::Number => {
                serializer.serialize_f64(self.text().parse().unwrap_or(0.0))
            }
        }
    }
}

/// What the JSON says of antithetic pairs (its `antithetic` key, present
/// only with them): how many pairs, and how the `variance_ratio` of each
/// figure is estimated.
#[derive(Serialize)]
pub(crate) struct AntitheticNote {
    pairs: usize,
    variance_ratio: &'static str,
}

impl AntitheticNote {
    pub(crate) fn new(replications: usize) -> AntitheticNote {
        AntitheticNote {
            pairs: replications / 2,
            variance_ratio: VARIANCE_RATIO_METHOD,
        }
    }
}

/// How the variance ratio is estimated, as the reports say it.
pub const VARIANCE_RATIO_METHOD: &str =
    "Var(pair means) / (Var(replications) / 2), sample variances; below 1 the pairs helped";

/// A variance ratio as a JSON number.
pub(crate) fn ratio_number(ratio: Decimal) -> f64 {
    ratio.to_string().parse().unwrap_or(0.0)
}

/// A metric the summary derives, a rate.
pub(crate) fn derived_metric(path: &str) -> Metric {
    Metric {
        path: path.to_string(),
        kind: MetricKind::Number,
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let money = self.mean.kind == MetricKind::Money;
        let rate = self.mean.kind == MetricKind::Number;
        let entries = 4
            + if money { 2 } else { 0 }
            + usize::from(rate)
            + usize::from(self.variance_ratio.is_some());
        let mut object = serializer.serialize_map(Some(entries))?;
        object.serialize_entry("mean", &self.is_defined().then_some(self.mean))?;
        object.serialize_entry("sd", &self.sd)?;
        object.serialize_entry("ci95_low", &self.ci95.map(|(low, _)| low))?;
        object.serialize_entry("ci95_high", &self.ci95.map(|(_, high)| high))?;
        if money {
            object.serialize_entry("p95", &self.p95)?;
            object.serialize_entry("p99", &self.p99)?;
        }
        if rate {
            object.serialize_entry("defined", &self.defined)?;
        }
        if let Some(ratio) = &self.variance_ratio {
            object.serialize_entry("variance_ratio", &ratio_number(*ratio))?;
        }
        object.end()
    }
}

/// A month's label followed by its nested figures.
pub(crate) struct Labelled<'a, T> {
    pub month: &'a str,
    pub tree: Tree<'a, T>,
}

impl<T: Serialize> Serialize for Labelled<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Tree::Node(children) = &self.tree else {
            unreachable!("a month's figures nest under keys")
        };
        let mut object = serializer.serialize_map(Some(children.len() + 1))?;
        object.serialize_entry("month", self.month)?;
        for (key, child) in children {
            object.serialize_entry(key, child)?;
        }
        object.end()
    }
}

/// Figures nested by their dotted paths, keys in first-seen order.
pub(crate) enum Tree<'a, T> {
    Leaf(&'a T),
    Node(Vec<(&'a str, Tree<'a, T>)>),
}

/// Nests `(metric, figures)` pairs by the metrics' dotted paths.
pub(crate) fn nest<T>(entries: &[(Metric, T)]) -> Tree<'_, T> {
    let mut root = Tree::Node(Vec::new());
    for (metric, figures) in entries {
        let mut node = &mut root;
        let mut keys = metric.path.split('.').peekable();
        while let Some(key) = keys.next() {
            let Tree::Node(children) = node else {
                unreachable!("a metric path never passes through another metric")
            };
            let position = match children.iter().position(|(existing, _)| *existing == key) {
                Some(position) => position,
                None => {
                    let child = if keys.peek().is_some() {
                        Tree::Node(Vec::new())
                    } else {
                        Tree::Leaf(figures)
                    };
                    children.push((key, child));
                    children.len() - 1
                }
            };
            node = &mut children[position].1;
        }
    }
    root
}

impl<T: Serialize> Serialize for Tree<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Tree::Leaf(figures) => figures.serialize(serializer),
            Tree::Node(children) => {
                let mut object = serializer.serialize_map(Some(children.len()))?;
                for (key, child) in children {
                    object.serialize_entry(key, child)?;
                }
                object.end()
            }
        }
    }
}
