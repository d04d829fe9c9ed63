//! Paired comparison of two policies on common random numbers.
//!
//! Replication `i` of policy A and replication `i` of policy B run with the
//! same seed: the same population, the same inquiries and the same luck on
//! every order, wherever the rules do not differ. The difference B - A of
//! one replication is then mostly the rules' effect, and the interval of the
//! mean difference is far narrower than the two policies' own intervals
//! would suggest. A metric is `significant` when its 95% interval of the
//! difference excludes zero.
//!
//! A rate one policy leaves undefined in a replication (`null`) is left out
//! of that replication's pair: `pairs` says how many pairs the difference
//! is of, and each side's mean is over its own defined replications.
//!
//! Pairing isolates the rules only when the two scenarios share their world
//! (segments, supplier types, dates, currency): [`world_differences`] names
//! what else differs, and the comparison carries it as `warnings`.

use super::metrics::{Metric, MetricKind};
use super::precision::PrecisionReport;
use super::replicate::Replications;
use super::statistics::{Difference, compare_replications};
use super::summary::{
    AntitheticNote, DERIVED_RATIOS, Labelled, ReplicationSummary, derived_metric, derived_values,
    nest, ratio_number,
};
use escrowsim_core::report::VERSION;
use escrowsim_core::scenario::Scenario;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

/// Two replication sets that cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error(
        "the two scenarios report different metrics or months (compare needs the same start_date and horizon_days)"
    )]
    DifferentSchemas,
    #[error("the two sets have different replications (seeds or counts)")]
    DifferentReplications,
}

/// B against A, metric by metric and month by month.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub version: String,
    pub base_seed: u64,
    pub a: ReplicationSummary,
    pub b: ReplicationSummary,
    pub differences: Vec<(Metric, Difference)>,
    /// The paired differences of the summaries' derived ratios.
    pub derived_differences: Vec<(Metric, Difference)>,
    pub monthly_differences: Vec<(String, Vec<(Metric, Difference)>)>,
    /// How a precision-targeted comparison (`--precision`) stopped; the
    /// JSON's `precision` key, present only then.
    pub precision: Option<PrecisionReport>,
    /// What a reader must know before trusting the differences as the
    /// rules' effect (set by the caller, who knows the files).
    pub warnings: Vec<String>,
}

/// The parts of two scenarios' worlds that differ, by field name: anything
/// but their `rules` and `timeline` (and their `name` and `seed`, which a
/// comparison overrides: both run with one base seed). Empty when the two
/// differ in rules alone, which is what a paired comparison isolates.
pub fn world_differences(a: &Scenario, b: &Scenario) -> Vec<&'static str> {
    [
        ("start_date", a.start_date != b.start_date),
        ("horizon_days", a.horizon_days != b.horizon_days),
        ("currency", a.currency != b.currency),
        ("suppliers", a.suppliers != b.suppliers),
        ("buyers", a.buyers != b.buyers),
        ("supplier_types", a.supplier_types != b.supplier_types),
    ]
    .into_iter()
    .filter_map(|(field, differs)| differs.then_some(field))
    .collect()
}

impl Comparison {
    pub fn new(a: &Replications, b: &Replications) -> Result<Comparison, CompareError> {
        if a.schema != b.schema {
            return Err(CompareError::DifferentSchemas);
        }
        let same_runs = a.runs.len() == b.runs.len()
            && a.base_seed == b.base_seed
            && a.antithetic == b.antithetic
            && a.runs
                .iter()
                .zip(&b.runs)
                .all(|(a, b)| a.index == b.index && a.seed == b.seed);
        if !same_runs {
            return Err(CompareError::DifferentReplications);
        }
        let schema = &a.schema;
        let antithetic = a.antithetic;
        let differences = schema
            .metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| {
                let difference = compare_replications(
                    &a.metric_values_by_replication(index),
                    &b.metric_values_by_replication(index),
                    metric.kind,
                    antithetic,
                );
                (metric.clone(), difference)
            })
            .collect();
        let monthly_differences = schema
            .months
            .iter()
            .enumerate()
            .map(|(month_index, month)| {
                let figures = schema
                    .monthly_metrics
                    .iter()
                    .enumerate()
                    .map(|(index, metric)| {
                        let difference = compare_replications(
                            &a.monthly_values(month_index, index),
                            &b.monthly_values(month_index, index),
                            metric.kind,
                            antithetic,
                        );
                        (metric.clone(), difference)
                    })
                    .collect();
                (month.clone(), figures)
            })
            .collect();
        let derived_differences = DERIVED_RATIOS
            .iter()
            .map(|(path, numerator, denominator)| {
                let difference = compare_replications(
                    &derived_values(a, numerator, denominator),
                    &derived_values(b, numerator, denominator),
                    MetricKind::Number,
                    antithetic,
                );
                (derived_metric(path), difference)
            })
            .collect();
        Ok(Comparison {
            version: VERSION.to_string(),
            base_seed: a.base_seed,
            a: ReplicationSummary::new(a),
            b: ReplicationSummary::new(b),
            differences,
            derived_differences,
            monthly_differences,
            warnings: Vec::new(),
            precision: None,
        })
    }

    /// The comparison of the whole-run metric at `path`.
    pub fn difference(&self, path: &str) -> Option<&Difference> {
        self.differences
            .iter()
            .find(|(metric, _)| metric.path == path)
            .map(|(_, difference)| difference)
    }

    /// The comparison of a whole-run or derived metric at `path`.
    pub fn difference_or_derived(&self, path: &str) -> Option<&Difference> {
        self.difference(path).or_else(|| {
            self.derived_differences
                .iter()
                .find(|(metric, _)| metric.path == path)
                .map(|(_, difference)| difference)
        })
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a comparison always serialises");
        json.push('\n');
        json
    }
}

impl Serialize for Comparison {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = 9 + usize::from(self.precision.is_some()) + usize::from(self.a.antithetic);
        let mut object = serializer.serialize_struct("Comparison", fields)?;
        object.serialize_field("version", &self.version)?;
        object.serialize_field("seed", &self.base_seed.to_string())?;
        object.serialize_field("replications", &self.a.runs.len())?;
        if self.a.antithetic {
            object.serialize_field("antithetic", &AntitheticNote::new(self.a.runs.len()))?;
        }
        object.serialize_field("warnings", &self.warnings)?;
        object.serialize_field("a", &self.a)?;
        object.serialize_field("b", &self.b)?;
        object.serialize_field("differences", &nest(&self.differences))?;
        object.serialize_field("derived_differences", &nest(&self.derived_differences))?;
        let months: Vec<Labelled<'_, Difference>> = self
            .monthly_differences
            .iter()
            .map(|(month, figures)| Labelled {
                month,
                tree: nest(figures),
            })
            .collect();
        object.serialize_field("monthly_differences", &months)?;
        if let Some(precision) = &self.precision {
            object.serialize_field("precision", precision)?;
        }
        object.end()
    }
}

impl Serialize for Difference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rate = self.a_mean.kind == MetricKind::Number;
        let entries = if rate { 7 } else { 6 } + usize::from(self.variance_ratio.is_some());
        let mut object = serializer.serialize_map(Some(entries))?;
        object.serialize_entry("a_mean", &(self.a_defined > 0).then_some(self.a_mean))?;
        object.serialize_entry("b_mean", &(self.b_defined > 0).then_some(self.b_mean))?;
        object.serialize_entry("diff_mean", &(self.pairs > 0).then_some(self.diff_mean))?;
        object.serialize_entry("ci95_low", &self.ci95.map(|(low, _)| low))?;
        object.serialize_entry("ci95_high", &self.ci95.map(|(_, high)| high))?;
        object.serialize_entry("significant", &self.significant)?;
        if rate {
            object.serialize_entry("pairs", &self.pairs)?;
        }
        if let Some(ratio) = &self.variance_ratio {
            object.serialize_entry("variance_ratio", &ratio_number(*ratio))?;
        }
        object.end()
    }
}
