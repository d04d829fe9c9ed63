//! Inquiries and the buyer's choice: who answers, and whom the buyer picks.
//!
//! How the code picks candidates (`on_inquiry` in crates/core/src/program/simulation/inquiry.rs):
//! each of the `inquiry_candidates` draws is a supplier index uniform over
//! all suppliers, with replacement (a supplier can be drawn twice), and
//! each draw has its own answer draw against the supplier type's
//! `response_probability`. Those who answered enter a softmax over their
//! utilities, duplicates counting once per draw.

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};

const REPLICATIONS: u32 = 20;

/// P(unanswered) = (1 - p)^k.
///
/// With one supplier type answering with probability p = 0.4 and k = 3
/// candidates, each draw answers independently (see the module comment),
/// so an inquiry goes unanswered with probability 0.6³ = 0.216, whoever was
/// drawn. The per-replication statistic is unanswered / inquiries: given
/// the number of inquiries, the unanswered ones are a binomial count, so
/// the ratio's expectation is exactly (1 - p)^k. About 16,000 inquiries per
/// replication give an interval of about ±0.003; (1 - p)^(k-1) = 0.36 is
/// ruled out.
pub fn unanswered_inquiries() -> Vec<Check> {
    let (answer_probability, candidates) = (0.4_f64, 3);
    let behaviour = format!(
        "(production_days: Fixed(30.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5),
        response_probability: {answer_probability:?}, response_hours: Fixed(1.0),
        settles_in_negotiation_probability: 1.0, voluntary_refund_probability: 0.0, fraud: None)"
    );
    // Orders take 30 days to ship, longer than the horizon: an answered
    // inquiry costs a contract and nothing more.
    let text = format!(
        r#"Scenario(
    name: "validity-unanswered", seed: 1, start_date: "2015-01-01", horizon_days: 20,
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 30,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 6000, country: "US", inquiries_per_year: 50.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              inquiry_candidates: {candidates},
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 0.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: ({OPEN_PROGRAM}),
)"#,
        types = every_type(&behaviour),
    );
    let scenario = scenario("unanswered", &text);
    let sample: Vec<f64> = replicate(&scenario, REPLICATIONS)
        .iter()
        .map(|report| {
            let inquiries = &report.outcome.inquiries;
            inquiries.unanswered as f64 / inquiries.total as f64
        })
        .collect();
    let silence = 1.0 - answer_probability;
    vec![Check::statistical(
        "Unanswered inquiries: p = 0.4, k = 3",
        "(1 - p)^k",
        libm::pow(silence, f64::from(candidates)),
        &sample,
        "replications",
        Rival {
            what: "(1 - p)^(k-1)".to_string(),
            value: libm::pow(silence, f64::from(candidates - 1)),
        },
    )]
}

/// P(badged chosen) = Σ_j Binom(j; k, 1/2) × j e^b / (j e^b + (k - j)).
///
/// Four suppliers: two in China (eligible, volunteering: approved at the
/// opening review on probation, so badged from time 0 to the end, the
/// thresholds being unfailable) and two in India (not eligible: never
/// badged). Every choice weight is 0 but `badge: b = 1`, every supplier
/// answers, the price index is 1. Each of k = 3 draws is badged with
/// probability 2/4 = 1/2 exactly (the index draw maps 2^32 values onto 4
/// suppliers evenly); given j badged draws, the softmax picks a badged one
/// with probability j e^b / (j e^b + (k - j)). Hence 0.657783. The badge is
/// read at contract, one hour after the inquiry, and never changes here.
/// The statistic, badged_order_share, is a binomial proportion given the
/// number of orders. With so few suppliers, drawing without replacement
/// would give 0.710377 (j is 1 or 2, each with probability 1/2): ruled out
/// by an interval of about ±0.005.
pub fn badged_order_share() -> Vec<Check> {
    let badge_weight = 1.0_f64;
    let candidates = 3u32;
    let behaviour = "(production_days: Fixed(30.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let supplier = |name: &str, country: &str| {
        format!(
            r#"(name: "{name}", count: 2, country: "{country}", volunteer_probability: 1.0,
            promised_lead_days: 30,
            type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))"#
        )
    };
    let text = format!(
        r#"Scenario(
    name: "validity-choice", seed: 1, start_date: "2015-01-01", horizon_days: 20,
    suppliers: [{badged}, {unbadged}],
    buyers: [(name: "us", count: 3000, country: "US", inquiries_per_year: 36.5,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              inquiry_candidates: {candidates},
              choice: (badge: {badge_weight:?}, transactions: 0.0, response_rate: 0.0,
                       response_speed: 0.0, price: 0.0),
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 0.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (eligible_countries: ["CN"], {OPEN_PROGRAM}),
)"#,
        badged = supplier("cn", "CN"),
        unbadged = supplier("in", "IN"),
        types = every_type(behaviour),
    );
    let scenario = scenario("choice", &text);
    let sample: Vec<f64> = replicate(&scenario, REPLICATIONS)
        .iter()
        .map(|report| {
            report
                .outcome
                .storefront
                .badged_order_share
                .expect("orders were placed")
        })
        .collect();
    let weight = libm::exp(badge_weight);
    let k = f64::from(candidates);
    let chosen_badged = |badged: f64| badged * weight / (badged * weight + (k - badged));
    let expected: f64 = (0..=candidates)
        .map(|j| binomial(candidates, j) * libm::pow(0.5, k) * chosen_badged(f64::from(j)))
        .sum();
    // Without replacement from 2 badged and 2 unbadged: j = 1 or 2, each 1/2.
    let without_replacement = 0.5 * chosen_badged(1.0) + 0.5 * chosen_badged(2.0);
    vec![Check::statistical(
        "Logit choice: badged share of orders, badge weight b = 1, k = 3, half the suppliers badged",
        "Σ_j Binom(j; k, 1/2) × j e^b / (j e^b + k - j)",
        expected,
        &sample,
        "replications",
        Rival {
            what: "candidates drawn without replacement".to_string(),
            value: without_replacement,
        },
    )]
}

fn binomial(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |product, i| {
        product * f64::from(n - i) / f64::from(i + 1)
    })
}
