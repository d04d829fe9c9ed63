//! The numeric metrics of an outcome, found generically in its JSON.
//!
//! The list of metrics is never written by hand: an outcome is serialised
//! as the JSON report writes it and every numeric leaf becomes a metric,
//! named by its dotted path (`risk.platform_loss`,
//! `refunds.by_reason.late.count`). A metric added to the outcome later is
//! analysed, summarised and exported without any change here. Kinds follow
//! the JSON contract: an integer is a count, a two-decimal string is money,
//! any other number (a rate, basis points) is a plain number, and so is a
//! `null`: the outcome writes `null` only for a rate whose denominator was
//! empty (a share of nothing), which is undefined in that run, not 0. Its
//! value is `None`, so that no statistic counts it as a zero. Strings that
//! are not money (dates, the currency) are not metrics.
//!
//! The `monthly` array is a series, not a list of metrics: each month's
//! object is flattened the same way and kept apart, keyed by its `month`.
//!
//! Values are [`Decimal`]s read from the JSON text, so they are exactly what
//! the report prints: counts and money exactly, rates at the six decimals
//! the report rounds them to.

use escrowsim_core::report::Outcome;
use rust_decimal::Decimal;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::str::FromStr;

/// The key of the outcome's monthly series.
pub const MONTHLY_KEY: &str = "monthly";
/// The key that labels each month of the series (`YYYY-MM`).
pub const MONTH_LABEL_KEY: &str = "month";

/// What a metric's values are, and so how they are summarised and printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// A non-negative or signed integer: orders, claims, suppliers.
    Count,
    /// Money, printed with two decimals; summaries add percentiles.
    Money,
    /// Any other number: rates, shares, basis points.
    Number,
}

/// One metric: where it sits in the outcome, and its kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Metric {
    /// Dotted path in the outcome JSON, e.g. `refunds.by_reason.late.value`.
    pub path: String,
    pub kind: MetricKind,
}

/// The metrics of an outcome and the months of its series. Two outcomes of
/// one scenario (any seed) have the same schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Schema {
    /// Whole-run metrics, in the order the outcome declares them.
    pub metrics: Vec<Metric>,
    /// Month labels (`YYYY-MM`), in simulated order.
    pub months: Vec<String>,
    /// The metrics of one month, in declaration order (paths relative to the month).
    pub monthly_metrics: Vec<Metric>,
}

/// The values of one outcome, laid out as its [`Schema`] says; `None` is
/// a rate the run left undefined (`null` in its outcome).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricValues {
    /// One value per whole-run metric.
    pub values: Vec<Option<Decimal>>,
    /// One row per month, one value per monthly metric.
    pub monthly: Vec<Vec<Option<Decimal>>>,
}

/// Flattens an outcome into its schema and values.
pub fn flatten(outcome: &Outcome) -> (Schema, MetricValues) {
    // Serialising streams fields in declaration order; reading the text back
    // into `OrderedJson` keeps that order (serde_json's `Value` would sort keys).
    let text = serde_json::to_string(outcome).expect("an outcome always serialises");
    let tree: OrderedJson = serde_json::from_str(&text).expect("serde_json reads its own output");
    let mut schema = Schema {
        metrics: Vec::new(),
        months: Vec::new(),
        monthly_metrics: Vec::new(),
    };
    let mut values = MetricValues {
        values: Vec::new(),
        monthly: Vec::new(),
    };
    let OrderedJson::Object(fields) = tree else {
        unreachable!("an outcome serialises as an object")
    };
    for (key, value) in fields {
        if key == MONTHLY_KEY {
            let OrderedJson::Array(months) = value else {
                unreachable!("the monthly series serialises as an array")
            };
            for (month_index, month) in months.into_iter().enumerate() {
                let mut month_metrics = Vec::new();
                let mut month_values = Vec::new();
                let mut label = format!("month-{month_index}");
                if let OrderedJson::Object(month_fields) = month {
                    for (month_key, month_value) in month_fields {
                        if month_key == MONTH_LABEL_KEY {
                            if let OrderedJson::String(text) = &month_value {
                                label = text.clone();
                            }
                            continue;
                        }
                        collect(
                            &month_key,
                            month_value,
                            &mut month_metrics,
                            &mut month_values,
                        );
                    }
                }
                if month_index == 0 {
                    schema.monthly_metrics = month_metrics;
                } else {
                    debug_assert_eq!(schema.monthly_metrics, month_metrics);
                }
                schema.months.push(label);
                values.monthly.push(month_values);
            }
        } else {
            collect(&key, value, &mut schema.metrics, &mut values.values);
        }
    }
    (schema, values)
}

/// Appends every numeric leaf under `value` at `path`, depth first, in order.
fn collect(
    path: &str,
    value: OrderedJson,
    metrics: &mut Vec<Metric>,
    values: &mut Vec<Option<Decimal>>,
) {
    match value {
        OrderedJson::Object(fields) => {
            for (key, child) in fields {
                collect(&format!("{path}.{key}"), child, metrics, values);
            }
        }
        OrderedJson::Array(items) => {
            for (index, child) in items.into_iter().enumerate() {
                collect(&format!("{path}.{index}"), child, metrics, values);
            }
        }
        OrderedJson::Integer(value) => {
            metrics.push(Metric {
                path: path.to_string(),
                kind: MetricKind::Count,
            });
            values.push(Some(Decimal::from(value)));
        }
        OrderedJson::Float(text) => {
            let value = parse_number(&text)
                .unwrap_or_else(|| panic!("{path}: serde_json printed {text:?}, not a number"));
            metrics.push(Metric {
                path: path.to_string(),
                kind: MetricKind::Number,
            });
            values.push(Some(value));
        }
        OrderedJson::Null => {
            metrics.push(Metric {
                path: path.to_string(),
                kind: MetricKind::Number,
            });
            values.push(None);
        }
        OrderedJson::String(text) => {
            if let Some(amount) = parse_money(&text) {
                metrics.push(Metric {
                    path: path.to_string(),
                    kind: MetricKind::Money,
                });
                values.push(Some(amount));
            }
        }
        OrderedJson::Other => {}
    }
}

/// Metrics chosen by glob patterns on their dotted paths (`risk.*`,
/// `refunds.rate`, `*.count`): `*` stands for any run of characters, dots
/// included, and `?` for any one. No pattern chooses every metric.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetricPatterns {
    patterns: Vec<String>,
}

/// A pattern that chooses no metric, with the metric names closest to it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{pattern:?} matches no metric{}", close_names(.close))]
pub struct UnmatchedPattern {
    pub pattern: String,
    /// A few metric names closest to the pattern, closest first.
    pub close: Vec<String>,
}

fn close_names(close: &[String]) -> String {
    if close.is_empty() {
        String::new()
    } else {
        format!(" (close: {})", close.join(", "))
    }
}

/// How many close names an [`UnmatchedPattern`] offers.
const CLOSE_NAMES_SHOWN: usize = 3;

impl MetricPatterns {
    pub fn new(patterns: Vec<String>) -> MetricPatterns {
        MetricPatterns { patterns }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether the metric at `path` is chosen: by any pattern, or by none given.
    pub fn selects(&self, path: &str) -> bool {
        self.patterns.is_empty()
            || self
                .patterns
                .iter()
                .any(|pattern| glob_matches(pattern.as_bytes(), path.as_bytes()))
    }

    /// Refuses the first pattern that chooses none of `names`, offering the
    /// names closest to it, so a typo is an error rather than an empty table.
    pub fn check<'a>(
        &self,
        names: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<(), UnmatchedPattern> {
        for pattern in &self.patterns {
            if names
                .clone()
                .any(|name| glob_matches(pattern.as_bytes(), name.as_bytes()))
            {
                continue;
            }
            let literal: String = pattern
                .chars()
                .filter(|c| !matches!(c, '*' | '?'))
                .collect();
            let mut ranked: Vec<(usize, &str)> = names
                .clone()
                .map(|name| (edit_distance(&literal, name), name))
                .collect();
            ranked.sort();
            return Err(UnmatchedPattern {
                pattern: pattern.clone(),
                close: ranked
                    .into_iter()
                    .take(CLOSE_NAMES_SHOWN)
                    .map(|(_, name)| name.to_string())
                    .collect(),
            });
        }
        Ok(())
    }
}

/// Whether `text` matches glob `pattern` (`*` any run, `?` any one byte).
fn glob_matches(pattern: &[u8], text: &[u8]) -> bool {
    // The classic two-pointer match with one backtrack point: linear in
    // practice, and no recursion for a user's pattern to blow up.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&byte| byte == b'*')
}

/// Levenshtein distance between two names, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// A money string of the JSON contract: an optional minus sign, digits, a
/// point and exactly two decimals.
pub fn parse_money(text: &str) -> Option<Decimal> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, cents) = digits.split_once('.')?;
    let all_digits =
        |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits(whole) || cents.len() != 2 || !all_digits(cents) {
        return None;
    }
    Decimal::from_str(text).ok()
}

/// A JSON number's text (possibly with an exponent) as a decimal.
fn parse_number(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

/// JSON that keeps the order of object keys. Floats keep the text serde_json
/// prints for them (the shortest that reads back to the same `f64`), so the
/// decimal read from it is the figure the report shows.
enum OrderedJson {
    Object(Vec<(String, OrderedJson)>),
    Array(Vec<OrderedJson>),
    Integer(i128),
    Float(String),
    String(String),
    /// An undefined rate.
    Null,
    /// Booleans: not metrics.
    Other,
}

impl<'de> Deserialize<'de> for OrderedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedJsonVisitor)
    }
}

struct OrderedJsonVisitor;

impl<'de> Visitor<'de> for OrderedJsonVisitor {
    type Value = OrderedJson;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _value: bool) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Other)
    }

    fn visit_unit<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }

    fn visit_none<E>(self) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Null)
    }

    fn visit_u64<E>(self, value: u64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Integer(i128::from(value)))
    }

    fn visit_i64<E>(self, value: i64) -> Result<OrderedJson, E> {
        Ok(OrderedJson::Integer(i128::from(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<OrderedJson, E> {
        Ok(match serde_json::Number::from_f64(value) {
            Some(number) => OrderedJson::Float(number.to_string()),
            None => OrderedJson::Other,
        })
    }

    fn visit_str<E>(self, value: &str) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<OrderedJson, E> {
        Ok(OrderedJson::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<OrderedJson, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = sequence.next_element()? {
            items.push(item);
        }
        Ok(OrderedJson::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedJson, A::Error> {
        let mut fields = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, OrderedJson>()? {
            fields.push((key, value));
        }
        Ok(OrderedJson::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exactly_a_two_decimal_string() {
        assert_eq!(parse_money("1234.50"), Some(Decimal::new(123450, 2)));
        assert_eq!(parse_money("-0.05"), Some(Decimal::new(-5, 2)));
        for not_money in [
            "2014-05",
            "2014-05-01",
            "USD",
            "12",
            "1.5",
            "1.505",
            ".50",
            "1e3",
        ] {
            assert_eq!(parse_money(not_money), None, "{not_money}");
        }
    }

    #[test]
    fn patterns_choose_metrics_by_glob_and_a_typo_names_close_metrics() {
        let patterns = MetricPatterns::new(vec!["risk.*".into(), "refunds.rate".into()]);
        assert!(patterns.selects("risk.platform_loss"));
        assert!(patterns.selects("refunds.rate"));
        assert!(!patterns.selects("refunds.value_rate"));
        assert!(MetricPatterns::default().selects("anything"));
        assert!(glob_matches(b"*.count", b"refunds.by_reason.late.count"));
        assert!(glob_matches(b"r?sk.*", b"risk.loss_bps"));
        assert!(!glob_matches(b"risk", b"risk.loss_bps"));
        let names = [
            "risk.platform_loss",
            "risk.loss_bps",
            "refunds.rate",
            "orders.placed",
        ];
        assert_eq!(patterns.check(names.iter().copied()), Ok(()));
        let typo = MetricPatterns::new(vec!["risk.los_bps".into()]);
        let error = typo.check(names.iter().copied()).unwrap_err();
        assert_eq!(error.close[0], "risk.loss_bps");
        assert_eq!(
            error.to_string(),
            "\"risk.los_bps\" matches no metric (close: risk.loss_bps, risk.platform_loss, refunds.rate)"
        );
    }

    #[test]
    fn numbers_with_exponents_read_exactly() {
        assert_eq!(parse_number("1e-6"), Some(Decimal::new(1, 6)));
        assert_eq!(parse_number("0.123456"), Some(Decimal::new(123456, 6)));
    }
}
