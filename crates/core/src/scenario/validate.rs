//! Semantic validation: everything serde cannot check.
//!
//! Validation collects every problem rather than stopping at the first, so a
//! policy analyst fixes a scenario in one pass. Each problem names the field
//! by its path (`buyers[1].payment_mix`), which [`super::load`] turns into a
//! `file:line:column` through the span index. Every bound comes from
//! [`super::limits`]; a scenario that passes validation cannot make the
//! engine overflow, divide by zero or allocate beyond the named limits.

use super::bounds::{not_a_probability, out_of_range};
use super::limits::*;
use super::{
    BuyerSegment, Dist, Rules, Scenario, SupplierBehaviour, SupplierSegment, SupplierType,
    SupplierTypes,
};
use std::fmt;

/// One thing wrong with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Field path, e.g. `rules.claim_window_days` or `suppliers[0].type_mix`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.message)
    }
}

/// Every problem of the scenario, in the order of its fields; empty when valid.
pub fn validate(scenario: &Scenario) -> Vec<Problem> {
    let mut checker = Checker::default();
    checker.name("name", &scenario.name);
    checker.range_u32("horizon_days", scenario.horizon_days, 1, HORIZON_DAYS_MAX);
    let currency_ok = scenario.currency.len() == 3
        && scenario
            .currency
            .bytes()
            .all(|byte| byte.is_ascii_uppercase());
    if !currency_ok {
        checker.report(
            "currency",
            format!(
                "{:?} is not an ISO 4217 code (three upper-case letters, e.g. \"USD\")",
                scenario.currency
            ),
        );
    }
    checker.segments_count("suppliers", scenario.suppliers.len());
    checker.segments_count("buyers", scenario.buyers.len());
    for (index, segment) in scenario.suppliers.iter().enumerate() {
        checker.supplier_segment(&format!("suppliers[{index}]"), segment);
    }
    let expected_prior_orders: f64 = scenario
        .suppliers
        .iter()
        .filter_map(|segment| {
            let prior = segment.prior_history.as_ref()?;
            Some(f64::from(segment.count) * prior.orders_per_month * 12.0)
        })
        .sum();
    if expected_prior_orders.is_finite() && expected_prior_orders > EXPECTED_PRIOR_ORDERS_MAX {
        checker.report(
            "suppliers",
            format!(
                "the suppliers' prior history would hold about {expected_prior_orders:.3e} orders; the limit is {EXPECTED_PRIOR_ORDERS_MAX:.0e}"
            ),
        );
    }
    let supplier_total = scenario.supplier_count();
    if supplier_total > SUPPLIERS_MAX {
        checker.report(
            "suppliers",
            format!("{supplier_total} suppliers in all; the limit is {SUPPLIERS_MAX}"),
        );
    }
    let mut expected_inquiries = 0.0;
    for (index, segment) in scenario.buyers.iter().enumerate() {
        expected_inquiries += f64::from(segment.count) * segment.inquiries_per_year;
        checker.buyer_segment(&format!("buyers[{index}]"), segment);
    }
    let buyer_total = scenario.buyer_count();
    if buyer_total > BUYERS_MAX {
        checker.report(
            "buyers",
            format!("{buyer_total} buyers in all; the limit is {BUYERS_MAX}"),
        );
    }
    expected_inquiries *= f64::from(scenario.horizon_days) / 365.0;
    if expected_inquiries.is_finite() && expected_inquiries > EXPECTED_INQUIRIES_MAX {
        checker.report(
            "buyers",
            format!("the buyers would start about {expected_inquiries:.3e} inquiries over the horizon; the limit is {EXPECTED_INQUIRIES_MAX:.0e}"),
        );
    }
    checker.supplier_types("supplier_types", &scenario.supplier_types);
    checker.rules("rules", &scenario.rules);
    checker.timeline(scenario);
    checker.finish()
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    /// Problems found beyond [`PROBLEMS_MAX`], counted but not listed.
    problems_not_listed: usize,
}

impl Checker {
    fn report(&mut self, path: &str, message: String) {
        if self.problems.len() >= PROBLEMS_MAX {
            self.problems_not_listed += 1;
            return;
        }
        self.problems.push(Problem {
            path: path.to_string(),
            message,
        });
    }

    /// The problems, with one more saying how many were not listed.
    fn finish(mut self) -> Vec<Problem> {
        if self.problems_not_listed > 0 {
            self.problems.push(Problem {
                path: "scenario".to_string(),
                message: format!(
                    "{} more problems not listed; the first {PROBLEMS_MAX} are above",
                    self.problems_not_listed
                ),
            });
        }
        self.problems
    }

    fn name(&mut self, path: &str, name: &str) {
        let length = name.chars().count();
        if name.trim().is_empty() {
            self.report(path, "must not be empty".to_string());
        } else if length > NAME_LEN_MAX {
            self.report(
                path,
                format!("{length} characters; the limit is {NAME_LEN_MAX}"),
            );
        } else if name.chars().any(char::is_control) {
            self.report(path, "must not contain control characters".to_string());
        }
    }

    fn segments_count(&mut self, path: &str, count: usize) {
        if count == 0 {
            self.report(path, "at least one segment is required".to_string());
        } else if count > SEGMENTS_MAX {
            self.report(
                path,
                format!("{count} segments; the limit is {SEGMENTS_MAX}"),
            );
        }
    }

    fn probability(&mut self, path: &str, value: f64) {
        if let Some(message) = not_a_probability(value) {
            self.report(path, message);
        }
    }

    fn range_u32(&mut self, path: &str, value: u32, min: u32, max: u32) {
        if let Some(message) = out_of_range(value, min, max) {
            self.report(path, message);
        }
    }

    fn positive_f64(&mut self, path: &str, value: f64, max: f64) {
        if !(value.is_finite() && value > 0.0 && value <= max) {
            self.report(
                path,
                format!("{value} must be greater than 0 and at most {max}"),
            );
        }
    }

    fn shares(&mut self, path: &str, shares: &[f64]) {
        let mut all_valid = true;
        for &share in shares {
            if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
                all_valid = false;
            }
        }
        if !all_valid {
            self.report(path, format!("shares {shares:?} must each lie in [0, 1]"));
            return;
        }
        let sum: f64 = shares.iter().sum();
        if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
            self.report(
                path,
                format!("shares sum to {}, not 1", (sum * 1e9).round() / 1e9),
            );
        }
    }

    /// A drawn quantity: every parameter finite, non-negative, and every
    /// value it can produce at most `max` (for a log-normal, the median).
    fn dist(&mut self, path: &str, dist: &Dist, max: f64, must_be_positive: bool) {
        let in_range = |value: f64| value.is_finite() && value >= 0.0 && value <= max;
        match *dist {
            Dist::Fixed(value) => {
                if !in_range(value) || (must_be_positive && value <= 0.0) {
                    let lower = if must_be_positive {
                        "greater than 0"
                    } else {
                        "at least 0"
                    };
                    self.report(
                        path,
                        format!("Fixed({value}) must be {lower} and at most {max}"),
                    );
                }
            }
            Dist::Uniform { min, max: upper } => {
                if !in_range(min) || !in_range(upper) || min > upper {
                    self.report(
                        path,
                        format!("Uniform(min: {min}, max: {upper}) needs 0 <= min <= max <= {max}"),
                    );
                } else if must_be_positive && upper <= 0.0 {
                    self.report(
                        path,
                        format!(
                            "Uniform(min: {min}, max: {upper}) must allow values greater than 0"
                        ),
                    );
                }
            }
            Dist::Exponential { mean } => {
                if !(mean.is_finite() && mean > 0.0 && mean <= max) {
                    self.report(
                        path,
                        format!("Exponential(mean: {mean}) needs 0 < mean <= {max}"),
                    );
                }
            }
            Dist::LogNormal { median, sigma } => {
                if !(median.is_finite() && median > 0.0 && median <= max) {
                    self.report(
                        path,
                        format!("LogNormal median {median} needs 0 < median <= {max}"),
                    );
                }
                if !(sigma.is_finite() && (0.0..=LOGNORMAL_SIGMA_MAX).contains(&sigma)) {
                    self.report(
                        path,
                        format!(
                            "LogNormal sigma {sigma} needs 0 <= sigma <= {LOGNORMAL_SIGMA_MAX}"
                        ),
                    );
                }
            }
            Dist::Triangular {
                min,
                mode,
                max: upper,
            } => {
                let ordered = min <= mode && mode <= upper;
                if !(in_range(min) && in_range(mode) && in_range(upper) && ordered) {
                    self.report(path, format!("Triangular(min: {min}, mode: {mode}, max: {upper}) needs 0 <= min <= mode <= max <= {max}"));
                } else if must_be_positive && upper <= 0.0 {
                    self.report(path, format!("Triangular(min: {min}, mode: {mode}, max: {upper}) must allow values greater than 0"));
                }
            }
        }
    }

    fn supplier_segment(&mut self, path: &str, segment: &SupplierSegment) {
        self.name(&format!("{path}.name"), &segment.name);
        if segment.count == 0 {
            self.report(&format!("{path}.count"), "must be at least 1".to_string());
        }
        self.probability(
            &format!("{path}.volunteer_probability"),
            segment.volunteer_probability,
        );
        self.range_u32(
            &format!("{path}.promised_lead_days"),
            segment.promised_lead_days,
            1,
            DURATION_DAYS_MAX as u32,
        );
        let mix = &segment.type_mix;
        self.shares(
            &format!("{path}.type_mix"),
            &SupplierType::ALL.map(|supplier_type| mix.share(supplier_type)),
        );
        self.dist(
            &format!("{path}.price_index"),
            &segment.price_index,
            PRICE_INDEX_MAX,
            true,
        );
        if let Some(prior) = &segment.prior_history {
            let rate = prior.orders_per_month;
            if !(rate.is_finite() && (0.0..=PRIOR_ORDERS_PER_MONTH_MAX).contains(&rate)) {
                self.report(
                    &format!("{path}.prior_history.orders_per_month"),
                    format!("{rate} must be at least 0 and at most {PRIOR_ORDERS_PER_MONTH_MAX}"),
                );
            }
            self.dist(
                &format!("{path}.prior_history.order_value"),
                &prior.order_value,
                ORDER_VALUE_MAX,
                true,
            );
        }
    }

    fn buyer_segment(&mut self, path: &str, segment: &BuyerSegment) {
        self.name(&format!("{path}.name"), &segment.name);
        if segment.count == 0 {
            self.report(&format!("{path}.count"), "must be at least 1".to_string());
        }
        self.positive_f64(
            &format!("{path}.inquiries_per_year"),
            segment.inquiries_per_year,
            ORDERS_PER_BUYER_YEAR_MAX,
        );
        self.dist(
            &format!("{path}.order_value"),
            &segment.order_value,
            ORDER_VALUE_MAX,
            true,
        );
        let mix_path = format!("{path}.payment_mix");
        if segment.payment_mix.is_empty() {
            self.report(
                &mix_path,
                "at least one payment method is required".to_string(),
            );
        } else if segment.payment_mix.len() > PAYMENT_MIX_ENTRIES_MAX {
            // Checked before the shares and duplicates, whose cost and
            // messages would grow with the list.
            self.report(
                &mix_path,
                format!(
                    "{} entries; there are {PAYMENT_MIX_ENTRIES_MAX} payment methods, each listed at most once",
                    segment.payment_mix.len()
                ),
            );
        } else {
            let shares: Vec<f64> = segment
                .payment_mix
                .iter()
                .map(|&(_, share)| share)
                .collect();
            self.shares(&mix_path, &shares);
            for (index, &(method, _)) in segment.payment_mix.iter().enumerate() {
                if segment.payment_mix[..index]
                    .iter()
                    .any(|&(earlier, _)| earlier == method)
                {
                    self.report(
                        &format!("{mix_path}[{index}]"),
                        format!("{} is listed twice", method.key()),
                    );
                }
            }
        }
        self.range_u32(
            &format!("{path}.inquiry_candidates"),
            segment.inquiry_candidates,
            1,
            INQUIRY_CANDIDATES_MAX,
        );
        self.dist(
            &format!("{path}.transit_days"),
            &segment.transit_days,
            DURATION_DAYS_MAX,
            false,
        );
        self.dist(
            &format!("{path}.inspection_days"),
            &segment.inspection_days,
            DURATION_DAYS_MAX,
            false,
        );
        self.probability(
            &format!("{path}.claim_after_breach_probability"),
            segment.claim_after_breach_probability,
        );
        self.probability(
            &format!("{path}.false_claim_probability"),
            segment.false_claim_probability,
        );
        self.probability(
            &format!("{path}.confirm_probability"),
            segment.confirm_probability,
        );
        let weights = &segment.choice;
        for (name, weight) in [
            ("badge", weights.badge),
            ("transactions", weights.transactions),
            ("response_rate", weights.response_rate),
            ("response_speed", weights.response_speed),
            ("price", weights.price),
        ] {
            if !(weight.is_finite() && weight.abs() <= CHOICE_WEIGHT_MAX) {
                self.report(
                    &format!("{path}.choice.{name}"),
                    format!(
                        "{weight} must be a finite weight in [-{CHOICE_WEIGHT_MAX}, {CHOICE_WEIGHT_MAX}]"
                    ),
                );
            }
        }
    }

    fn supplier_types(&mut self, path: &str, types: &SupplierTypes) {
        for supplier_type in SupplierType::ALL {
            self.behaviour(
                &format!("{path}.{}", supplier_type.key()),
                types.behaviour(supplier_type),
            );
        }
    }

    fn behaviour(&mut self, path: &str, behaviour: &SupplierBehaviour) {
        self.dist(
            &format!("{path}.production_days"),
            &behaviour.production_days,
            DURATION_DAYS_MAX,
            false,
        );
        self.probability(
            &format!("{path}.late_probability"),
            behaviour.late_probability,
        );
        self.dist(
            &format!("{path}.late_days"),
            &behaviour.late_days,
            DURATION_DAYS_MAX,
            false,
        );
        self.probability(
            &format!("{path}.conformance_probability"),
            behaviour.conformance_probability,
        );
        self.dist(
            &format!("{path}.defect_share"),
            &behaviour.defect_share,
            1.0,
            true,
        );
        self.probability(
            &format!("{path}.response_probability"),
            behaviour.response_probability,
        );
        self.dist(
            &format!("{path}.response_hours"),
            &behaviour.response_hours,
            DURATION_HOURS_MAX,
            false,
        );
        self.probability(
            &format!("{path}.settles_in_negotiation_probability"),
            behaviour.settles_in_negotiation_probability,
        );
        self.probability(
            &format!("{path}.voluntary_refund_probability"),
            behaviour.voluntary_refund_probability,
        );
        if let Some(super::Fraud::BustOut {
            clean_orders,
            vanish_probability,
        }) = behaviour.fraud
        {
            self.range_u32(
                &format!("{path}.fraud.clean_orders"),
                clean_orders,
                0,
                CLEAN_ORDERS_MAX,
            );
            self.probability(
                &format!("{path}.fraud.vanish_probability"),
                vanish_probability,
            );
        }
    }

    /// Each rule against the bound its declaration names (`rules.rs`),
    /// then the relations between rules.
    fn rules(&mut self, path: &str, rules: &Rules) {
        for (field, message) in rules.problems() {
            self.report(&format!("{path}.{field}"), message);
        }
        if rules.coverage_limit_floor > rules.coverage_limit_cap {
            self.report(
                &format!("{path}.coverage_limit_floor"),
                format!(
                    "{} exceeds coverage_limit_cap {}",
                    rules.coverage_limit_floor, rules.coverage_limit_cap
                ),
            );
        }
    }
}

/// The problems of a rules block at `path`.
fn rule_problems(path: &str, rules: &Rules) -> Vec<Problem> {
    let mut checker = Checker::default();
    checker.rules(path, rules);
    checker.problems
}

impl Checker {
    /// Each timeline entry: a date inside the horizon, in order; known
    /// segments; and rules that stay valid once the change is applied.
    fn timeline(&mut self, scenario: &Scenario) {
        let end = scenario
            .start_date
            .add_days(i64::from(scenario.horizon_days));
        let mut rules = scenario.rules.clone();
        let mut previous = scenario.start_date;
        // Looked up once per volunteering change: a sorted set keeps a file
        // of many changes linear, not changes times segments.
        let segment_names: std::collections::BTreeSet<&str> = scenario
            .suppliers
            .iter()
            .map(|segment| segment.name.as_str())
            .collect();
        if scenario.timeline.len() > TIMELINE_ENTRIES_MAX {
            self.report(
                "timeline",
                format!(
                    "{} entries; the limit is {TIMELINE_ENTRIES_MAX}",
                    scenario.timeline.len()
                ),
            );
            return;
        }
        for (index, entry) in scenario.timeline.iter().enumerate() {
            let path = format!("timeline[{index}]");
            if entry.date <= scenario.start_date || entry.date >= end {
                self.report(
                    &format!("{path}.date"),
                    format!(
                        "{} is not inside the run ({} to {end}, both exclusive)",
                        entry.date, scenario.start_date
                    ),
                );
            } else if entry.date < previous {
                self.report(
                    &format!("{path}.date"),
                    format!(
                        "{} comes before the previous entry's {previous}",
                        entry.date
                    ),
                );
            }
            previous = previous.max(entry.date);
            let set = entry.rules.fields_set();
            if set.is_empty() && entry.volunteer_probability.is_empty() {
                self.report(
                    &path,
                    "changes nothing: give `rules` or `volunteer_probability`".to_string(),
                );
            }
            // Validate the rules as they stand after the change, and report
            // the problems this entry brings: those the rules before it did
            // not have (earlier ones were reported where they arose). A
            // problem that involves a field this entry did not set, such as
            // a cap lowered below an earlier floor, is put on the entry's
            // `rules` and names the field.
            let rules_path = format!("{path}.rules");
            let before = rule_problems(&rules_path, &rules);
            rules.apply(&entry.rules);
            for problem in rule_problems(&rules_path, &rules) {
                if before.contains(&problem) {
                    continue;
                }
                let field = problem
                    .path
                    .trim_start_matches(&format!("{rules_path}."))
                    .split(['.', '['])
                    .next()
                    .unwrap_or("");
                if set.contains(&field) {
                    self.report(&problem.path, problem.message);
                } else {
                    self.report(
                        &rules_path,
                        format!("{field}: {} once this change applies", problem.message),
                    );
                }
            }
            if entry.volunteer_probability.len() > SEGMENTS_MAX {
                self.report(
                    &format!("{path}.volunteer_probability"),
                    format!(
                        "{} entries; the limit is {SEGMENTS_MAX}",
                        entry.volunteer_probability.len()
                    ),
                );
                continue;
            }
            for (change_index, (segment_name, probability)) in
                entry.volunteer_probability.iter().enumerate()
            {
                let change_path = format!("{path}.volunteer_probability[{change_index}]");
                if !segment_names.contains(segment_name.as_str()) {
                    self.report(
                        &change_path,
                        format!("no supplier segment is named {segment_name:?}"),
                    );
                }
                self.probability(&change_path, *probability);
            }
        }
    }
}
