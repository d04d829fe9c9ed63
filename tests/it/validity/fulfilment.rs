//! Late shipments under a grace period.
//!
//! How lateness is decided (`on_contract`, `on_ship`): at contract,
//! ship_by = contract + promised_lead_days; when the late draw is below
//! `late_probability` the order ships at ship_by + late_days, otherwise at
//! contract + min(production_days, promised_lead_days). At shipment it is
//! late iff it ships after ship_by + late_shipment_grace_days.

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};

const REPLICATIONS: u32 = 20;

/// P(late | shipped before the horizon)
///   = q (max - g)/(max - min) × (T' - (max + g)/2) / (T' - q (min + max)/2),
/// with T' = T - response - lead; as T' grows this tends to
/// q × P(late_days > g).
///
/// q = 0.6, late_days ~ Uniform(1, 9), grace g = 4: an order drawn late
/// ships late iff its late days exceed 4, probability 5/8 (a drawn duration
/// is rounded to the second, which moves this by under 1e-6). On-time
/// orders ship exactly at ship_by (production takes the 10 promised days).
///
/// Only orders that shipped before the horizon count, and late ones ship
/// later, so the horizon's edge enters: inquiries arrive as a Poisson
/// stream of rate Λ on [0, T), the contract follows after the one-hour
/// response, ship_by ten days later, so with T' = T - 1 h - 10 days an
/// order shipped late by the horizon arrived before T' - L, and
///   E[shipped late] = Λ q ∫_g^max (T' - l) dl / (max - min)
///                   = Λ q (max - g)/(max - min) (T' - (max + g)/2),
///   E[shipped]      = Λ [(1 - q) T' + q (T' - (min + max)/2)].
/// Given the number of inquiries the orders are independent, so given the
/// number shipped, the late ones are binomial with probability the ratio of
/// the two: the statistic shipped_late / shipped has exactly that
/// expectation. Every order is non-conforming (and nobody claims), so the
/// report's `fulfilment.nonconforming` counts exactly the orders shipped.
/// With T = 120 days the ratio is 0.3627, and the interval (about ±0.005)
/// rules out q × 5/8 = 0.375, the answer that forgets the horizon.
pub fn late_shipments_under_grace() -> Vec<Check> {
    let (q, min, max, grace) = (0.6_f64, 1.0_f64, 9.0_f64, 4.0_f64);
    let (horizon_days, lead_days, response_days) = (120.0_f64, 10.0_f64, 1.0 / 24.0);
    let behaviour = format!(
        "(production_days: Fixed({lead_days:?}), late_probability: {q:?},
        late_days: Uniform(min: {min:?}, max: {max:?}),
        conformance_probability: 0.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)"
    );
    let text = format!(
        r#"Scenario(
    name: "validity-late-grace", seed: 1, start_date: "2015-01-01", horizon_days: {horizon},
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: {lead},
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 5000, country: "US", inquiries_per_year: 11.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 0.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (late_shipment_grace_days: {grace}, {OPEN_PROGRAM}),
)"#,
        horizon = horizon_days as u32,
        lead = lead_days as u32,
        grace = grace as u32,
        types = every_type(&behaviour),
    );
    let scenario = scenario("late-grace", &text);
    let sample: Vec<f64> = replicate(&scenario, REPLICATIONS)
        .iter()
        .map(|report| {
            let fulfilment = &report.outcome.fulfilment;
            fulfilment.shipped_late as f64 / fulfilment.nonconforming as f64
        })
        .collect();
    let late_beyond_grace = q * (max - grace) / (max - min);
    let open_days = horizon_days - response_days - lead_days;
    let expected =
        late_beyond_grace * (open_days - (max + grace) / 2.0) / (open_days - q * (min + max) / 2.0);
    vec![Check::statistical(
        "Late shipments: q = 0.6, late_days ~ Uniform(1, 9), grace 4 days, among orders shipped by day 120",
        "q (max-g)/(max-min) × (T' - (max+g)/2) / (T' - q (min+max)/2), T' = T - response - lead",
        expected,
        &sample,
        "replications",
        Rival {
            what: "q × P(late_days > g), ignoring the horizon".to_string(),
            value: late_beyond_grace,
        },
    )]
}
