//! `run --check-determinism`: the determinism contract, checked in the field.
//!
//! The scenario runs twice in one process with the same seed; the two
//! outcomes must be identical. When they are not, the report names the
//! first calendar month whose figures differ and a figure that differs in
//! it (the first in alphabetical order), which is where a hunt for hidden
//! state (an iteration order, an uninitialised buffer, a clock read)
//! starts. A divergence is an internal failure (exit 1): the program broke
//! its own contract.

use super::Failure;
use escrowsim::report::{Outcome, Report};
use serde_json::Value;

/// Where two outcomes of one scenario and seed first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// `YYYY-MM`, or `None` when every month agrees and only a total differs.
    pub month: Option<String>,
    /// The figure's JSON path inside the month (or the outcome), e.g. `refunds_value`.
    pub field: String,
    pub first: String,
    pub second: String,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.month {
            Some(month) => write!(
                formatter,
                "the runs first diverge in month {month}: {} is {} in the first run and {} in the second",
                self.field, self.first, self.second
            ),
            None => write!(
                formatter,
                "every month agrees, but {} is {} in the first run and {} in the second",
                self.field, self.first, self.second
            ),
        }
    }
}

/// The first difference between two outcomes, months first, in month order.
pub fn first_divergence(first: &Outcome, second: &Outcome) -> Option<Divergence> {
    let first = serde_json::to_value(first).expect("an outcome always serialises");
    let second = serde_json::to_value(second).expect("an outcome always serialises");
    let no_months = Vec::new();
    let months = |outcome: &Value| outcome["monthly"].as_array().unwrap_or(&no_months).clone();
    let (first_months, second_months) = (months(&first), months(&second));
    for index in 0..first_months.len().max(second_months.len()) {
        let label = |months: &[Value]| {
            months
                .get(index)
                .and_then(|month| month["month"].as_str())
                .map(str::to_string)
        };
        let month = label(&first_months).or_else(|| label(&second_months));
        match (first_months.get(index), second_months.get(index)) {
            (Some(one), Some(other)) => {
                if let Some((field, first, second)) = first_difference("", one, other) {
                    return Some(Divergence {
                        month,
                        field,
                        first,
                        second,
                    });
                }
            }
            (one, other) => {
                let shown = |month: Option<&Value>| {
                    if month.is_some() { "present" } else { "absent" }.to_string()
                };
                return Some(Divergence {
                    month,
                    field: "the month".to_string(),
                    first: shown(one),
                    second: shown(other),
                });
            }
        }
    }
    let without_months = |outcome: &Value| {
        let mut outcome = outcome.clone();
        if let Some(object) = outcome.as_object_mut() {
            object.remove("monthly");
        }
        outcome
    };
    first_difference("", &without_months(&first), &without_months(&second)).map(
        |(field, first, second)| Divergence {
            month: None,
            field,
            first,
            second,
        },
    )
}

/// The path and both values of the first leaf where `one` and `other`
/// differ; fields are visited in alphabetical order, array items in order.
fn first_difference(path: &str, one: &Value, other: &Value) -> Option<(String, String, String)> {
    if one == other {
        return None;
    }
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (one, other) {
        (Value::Object(one_fields), Value::Object(other_fields)) => {
            for (key, value) in one_fields {
                let found = match other_fields.get(key) {
                    Some(other_value) => first_difference(&join(key), value, other_value),
                    None => Some((join(key), value.to_string(), "absent".to_string())),
                };
                if found.is_some() {
                    return found;
                }
            }
            other_fields
                .iter()
                .find(|(key, _)| !one_fields.contains_key(*key))
                .map(|(key, value)| (join(key), "absent".to_string(), value.to_string()))
        }
        (Value::Array(one_items), Value::Array(other_items))
            if one_items.len() == other_items.len() =>
        {
            one_items.iter().zip(other_items).enumerate().find_map(
                |(index, (one_item, other_item))| {
                    first_difference(&format!("{path}[{index}]"), one_item, other_item)
                },
            )
        }
        _ => Some((path.to_string(), one.to_string(), other.to_string())),
    }
}

/// Fails with the first divergence when the two reports' digests differ.
pub fn compare(first: &Report, second: &Report) -> Result<(), Failure> {
    if first.digest == second.digest {
        return Ok(());
    }
    let divergence = first_divergence(&first.outcome, &second.outcome)
        .map(|divergence| divergence.to_string())
        .unwrap_or_else(|| "the outcomes serialise identically".to_string());
    Err(Failure::Internal(format!(
        "determinism check failed: two runs of scenario {:?} with seed {} gave digests {} and {}; {divergence}",
        first.scenario, first.seed, first.digest, second.digest
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use escrowsim::program::NoProbe;
    use escrowsim::report::Money;
    use escrowsim::scenario::parse_scenario;
    use rust_decimal::Decimal;

    fn quick_report() -> Report {
        let text = include_str!("../../scenarios/quick.ron")
            .replace("count: 20000,", "count: 2000,")
            .replace("horizon_days: 120,", "horizon_days: 100,");
        let scenario = parse_scenario(&text, "quick.ron").unwrap();
        let output = escrowsim::run(&scenario, scenario.seed, &mut NoProbe).unwrap();
        Report::new(&scenario, scenario.seed, &output, None)
    }

    #[test]
    fn identical_outcomes_do_not_diverge() {
        let report = quick_report();
        assert_eq!(first_divergence(&report.outcome, &report.outcome), None);
        assert!(compare(&report, &report.clone()).is_ok());
    }

    #[test]
    fn the_first_diverging_month_and_figure_are_named() {
        let first = quick_report();
        assert!(
            first.outcome.monthly.len() >= 4,
            "quick spans several months"
        );
        let mut second = first.clone();
        // Two hand-made differences; the earlier month is the one reported.
        second.outcome.monthly[3].orders_placed += 1;
        second.outcome.monthly[2].refunds_value = Money(Decimal::new(-1, 2));
        second.digest = second.outcome.digest();
        let divergence = first_divergence(&first.outcome, &second.outcome).unwrap();
        assert_eq!(
            divergence.month.as_deref(),
            Some(first.outcome.monthly[2].month.as_str())
        );
        assert_eq!(divergence.field, "refunds_value");
        assert_eq!(divergence.second, "\"-0.01\"");
        match compare(&first, &second) {
            Err(Failure::Internal(message)) => {
                assert!(message.contains("determinism check failed"), "{message}");
                assert!(
                    message.contains(&format!(
                        "first diverge in month {}",
                        first.outcome.monthly[2].month
                    )),
                    "{message}"
                );
            }
            _ => panic!("a divergence is an internal failure"),
        }
    }

    #[test]
    fn a_difference_outside_the_months_or_in_their_number_is_reported_too() {
        let first = quick_report();
        let mut second = first.clone();
        second.outcome.suppliers.vanished += 7;
        let divergence = first_divergence(&first.outcome, &second.outcome).unwrap();
        assert_eq!(divergence.month, None);
        assert_eq!(divergence.field, "suppliers.vanished");
        let mut shorter = first.clone();
        let last = shorter.outcome.monthly.pop().unwrap();
        let divergence = first_divergence(&first.outcome, &shorter.outcome).unwrap();
        assert_eq!(divergence.month, Some(last.month));
        assert_eq!(
            (divergence.first.as_str(), divergence.second.as_str()),
            ("present", "absent")
        );
    }
}
