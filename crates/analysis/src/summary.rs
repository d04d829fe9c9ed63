//! The summary of a set of replications, and its JSON.
//!
//! For every metric of the outcome (found generically, see [`super::metrics`])
//! the summary gives `mean`, `sd`, `ci95_low`, `ci95_high`, and for money also
//! `p95` and `p99` across replications. The JSON nests the statistics the
//! way the outcome nests the metric, so `outcome.risk.platform_loss` of one
//! run becomes `summary.risk.platform_loss.p99` of many; money figures stay
//! decimal strings, as in the outcome.

use super::metrics::{Metric, MetricKind};
use super::precision::PrecisionReport;
use super::replicate::Replications;
use super::statistics::{Figure, Summary, summarise};
use escrowsim_core::report::VERSION;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// One replication's identity in a summary.
#[derive(Clone, Debug, Serialize)]
pub struct RunLine {
    pub replication: u32,
    pub seed: u64,
    pub digest: String,
}

/// Statistics of every metric of a set of replications.
#[derive(Clone, Debug)]
pub struct ReplicationSummary {
    pub scenario: String,
    pub version: String,
    pub base_seed: u64,
    pub runs: Vec<RunLine>,
    /// Whole-run metrics and their statistics, in outcome order.
    pub metrics: Vec<(Metric, Summary)>,
    /// Months and, per month, the statistics of each monthly metric.
    pub months: Vec<MonthSummary>,
    /// The scenario's currency (ISO 4217), for the titles of money axes;
    /// `None` where the caller did not say. Not part of the JSON.
    pub currency: Option<String>,
    /// How a precision-targeted run (`--precision`) stopped; the JSON's
    /// `precision` key, present only then.
    pub precision: Option<PrecisionReport>,
}

#[derive(Clone, Debug)]
pub struct MonthSummary {
    pub month: String,
    pub metrics: Vec<(Metric, Summary)>,
}

impl ReplicationSummary {
    pub fn new(replications: &Replications) -> ReplicationSummary {
        let schema = &replications.schema;
        let metrics = schema
            .metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| {
                let values = replications.metric_values(index);
                (metric.clone(), summarise(&values, metric.kind))
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
                        (metric.clone(), summarise(&values, metric.kind))
                    })
                    .collect(),
            })
            .collect();
        ReplicationSummary {
            scenario: replications.scenario.clone(),
            version: VERSION.to_string(),
            base_seed: replications.base_seed,
            runs: replications
                .runs
                .iter()
                .map(|run| RunLine {
                    replication: run.index,
                    seed: run.seed,
                    digest: run.digest.clone(),
                })
                .collect(),
            metrics,
            months,
            currency: None,
            precision: None,
        }
    }

    /// The summary with its scenario's currency named, for charts.
    pub fn in_currency(mut self, currency: &str) -> ReplicationSummary {
        self.currency = Some(currency.to_string());
        self
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
        let fields = 7 + usize::from(self.precision.is_some());
        let mut object = serializer.serialize_struct("ReplicationSummary", fields)?;
        object.serialize_field("scenario", &self.scenario)?;
        object.serialize_field("version", &self.version)?;
        object.serialize_field("seed", &self.base_seed)?;
        object.serialize_field("replications", &self.runs.len())?;
        object.serialize_field("runs", &self.runs)?;
        object.serialize_field("summary", &nest(&self.metrics))?;
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

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let money = self.mean.kind == MetricKind::Money;
        let mut object = serializer.serialize_map(Some(if money { 6 } else { 4 }))?;
        object.serialize_entry("mean", &self.mean)?;
        object.serialize_entry("sd", &self.sd)?;
        object.serialize_entry("ci95_low", &self.ci95.map(|(low, _)| low))?;
        object.serialize_entry("ci95_high", &self.ci95.map(|(_, high)| high))?;
        if money {
            object.serialize_entry("p95", &self.p95)?;
            object.serialize_entry("p99", &self.p99)?;
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
