//! Arrivals: every buyer asks for quotes as a Poisson stream of
//! `inquiries_per_year` (an inquiry rate: an inquiry nobody answers is still
//! counted), and the run merges them into one stream.

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};

const HORIZON_DAYS: f64 = 73.0;
/// (buyers, inquiries_per_year) of each segment.
const SEGMENTS: [(u32, f64); 2] = [(6000, 20.0), (2000, 35.0)];
const REPLICATIONS: u32 = 30;

/// E[inquiries] = Σ_segments count × inquiries_per_year × horizon_days / 365.
///
/// The merged stream is Poisson with rate Λ = Σ count × inquiries_per_year /
/// 365 per day, so the count over the horizon is Poisson(Λ T) with mean
/// (120,000 + 70,000) × 73 / 365 = 38,000. Gaps are rounded to whole
/// seconds: for an exponential gap of rate λ per second the rounded gap has
/// mean e^(λ/2) / (e^λ - 1) = (1/λ)(1 - λ²/24 + ...), a relative change of
/// 1.5e-6 at λ ≈ 0.006 per second, far below the interval. Nobody answers,
/// so inquiries create no orders and cost nothing downstream. With 30
/// replications the interval is about ±0.4%; an off-by-one day in the
/// horizon would move the mean by 1.4% and is ruled out.
pub fn inquiries_per_horizon() -> Vec<Check> {
    let behaviour = "(production_days: Fixed(5.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 0.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let buyer = |name: &str, count: u32, rate: f64| {
        format!(
            r#"(name: "{name}", count: {count}, country: "US", inquiries_per_year: {rate:?},
            order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)], transit_days: Fixed(2.0),
            inspection_days: Fixed(1.0), claim_after_breach_probability: 0.0,
            false_claim_probability: 0.0, confirm_probability: 1.0)"#
        )
    };
    let text = format!(
        r#"Scenario(
    name: "validity-arrivals", seed: 1, start_date: "2015-01-01", horizon_days: {HORIZON_DAYS},
    suppliers: [(name: "cn", count: 20, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [{first}, {second}],
    supplier_types: {types},
    rules: ({OPEN_PROGRAM}),
)"#,
        HORIZON_DAYS = HORIZON_DAYS as u32,
        first = buyer("eu", SEGMENTS[0].0, SEGMENTS[0].1),
        second = buyer("us", SEGMENTS[1].0, SEGMENTS[1].1),
        types = every_type(behaviour),
    );
    let scenario = scenario("arrivals", &text);
    let per_year: f64 = SEGMENTS
        .iter()
        .map(|&(count, rate)| f64::from(count) * rate)
        .sum();
    let expected = per_year * HORIZON_DAYS / 365.0;
    let sample: Vec<f64> = replicate(&scenario, REPLICATIONS)
        .iter()
        .map(|report| report.outcome.inquiries.total as f64)
        .collect();
    vec![Check::statistical(
        "Arrivals: inquiries over the horizon, two buyer segments",
        "Σ count × inquiries_per_year × horizon_days / 365",
        expected,
        &sample,
        "replications",
        Rival {
            what: "horizon counted one day longer".to_string(),
            value: per_year * (HORIZON_DAYS + 1.0) / 365.0,
        },
    )]
}
