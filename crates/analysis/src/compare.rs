//! Paired comparison of two policies on common random numbers.
//!
//! Replication `i` of policy A and replication `i` of policy B run with the
//! same seed: the same population, the same inquiries and the same luck on
//! every order, wherever the rules do not differ. The difference B - A of
//! one replication is then mostly the rules' effect, and the interval of the
//! mean difference is far narrower than the two policies' own intervals
//! would suggest. A metric is `significant` when its 95% interval of the
//! difference excludes zero.

use super::metrics::Metric;
use super::precision::PrecisionReport;
use super::replicate::Replications;
use super::statistics::{Difference, compare};
use super::summary::{Labelled, ReplicationSummary, nest};
use escrowsim_core::report::VERSION;
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
    pub monthly_differences: Vec<(String, Vec<(Metric, Difference)>)>,
    /// How a precision-targeted comparison (`--precision`) stopped; the
    /// JSON's `precision` key, present only then.
    pub precision: Option<PrecisionReport>,
}

impl Comparison {
    pub fn new(a: &Replications, b: &Replications) -> Result<Comparison, CompareError> {
        if a.schema != b.schema {
            return Err(CompareError::DifferentSchemas);
        }
        let same_runs = a.runs.len() == b.runs.len()
            && a.base_seed == b.base_seed
            && a.runs
                .iter()
                .zip(&b.runs)
                .all(|(a, b)| a.index == b.index && a.seed == b.seed);
        if !same_runs {
            return Err(CompareError::DifferentReplications);
        }
        let schema = &a.schema;
        let differences = schema
            .metrics
            .iter()
            .enumerate()
            .map(|(index, metric)| {
                let difference = compare(
                    &a.metric_values(index),
                    &b.metric_values(index),
                    metric.kind,
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
                        let difference = compare(
                            &a.monthly_values(month_index, index),
                            &b.monthly_values(month_index, index),
                            metric.kind,
                        );
                        (metric.clone(), difference)
                    })
                    .collect();
                (month.clone(), figures)
            })
            .collect();
        Ok(Comparison {
            version: VERSION.to_string(),
            base_seed: a.base_seed,
            a: ReplicationSummary::new(a),
            b: ReplicationSummary::new(b),
            differences,
            monthly_differences,
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

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a comparison always serialises");
        json.push('\n');
        json
    }
}

impl Serialize for Comparison {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = 7 + usize::from(self.precision.is_some());
        let mut object = serializer.serialize_struct("Comparison", fields)?;
        object.serialize_field("version", &self.version)?;
        object.serialize_field("seed", &self.base_seed)?;
        object.serialize_field("replications", &self.a.runs.len())?;
        object.serialize_field("a", &self.a)?;
        object.serialize_field("b", &self.b)?;
        object.serialize_field("differences", &nest(&self.differences))?;
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
        let mut object = serializer.serialize_map(Some(6))?;
        object.serialize_entry("a_mean", &self.a_mean)?;
        object.serialize_entry("b_mean", &self.b_mean)?;
        object.serialize_entry("diff_mean", &self.diff_mean)?;
        object.serialize_entry("ci95_low", &self.ci95.map(|(low, _)| low))?;
        object.serialize_entry("ci95_high", &self.ci95.map(|(_, high)| high))?;
        object.serialize_entry("significant", &self.significant)?;
        object.end()
    }
}
