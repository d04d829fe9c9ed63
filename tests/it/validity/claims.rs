//! Claims against the clock: the claim window and auto-release.
//!
//! How the code times a claim (`on_delivery`, `on_release`): the buyer acts
//! at delivery + inspection. A claim is accepted iff it comes at or before
//! delivery + claim_window_days (`<=`). If it comes strictly before
//! delivery + auto_release_days it is opened then; otherwise escrow is
//! auto-released first and the claim is opened when it comes, after the
//! money has left escrow.

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use rust_decimal::prelude::ToPrimitive;

const REPLICATIONS: u32 = 20;

/// P(claim filed) = P(I <= w) = 1 - e^(-w/μ);
/// P(claim after auto-release) = P(a <= I <= w) = e^(-a/μ) - e^(-w/μ).
///
/// Every order ships late (a breach) and every buyer claims; inspection
/// takes I ~ Exponential(μ = 10 days); auto-release a = 7 days, claim
/// window w = 14 days. The supplier settles every claim at once for the
/// whole value v = 1000.00: a claim before auto-release is refunded from
/// escrow, one after it is paid by the supplier itself (escrow has
/// released), so refunded_by_suppliers / v counts exactly the claims that
/// came after auto-release. (With no settlement the platform would have
/// to advance those refunds.) Coverage stops on day 59 by a timeline
/// change and the horizon is day 100, so every covered order has acted by
/// then (ship by day 11, delivery day 13, claims by day 27). Given the
/// number of covered orders, both counts are binomial, so the shares'
/// expectations are exactly 0.753403 and 0.249988. Inspection is rounded to
/// the second, which moves these by under 1e-6. So does a claim that comes
/// at the very second of auto-release: the code releases escrow and then
/// drops the claim (`on_release` only waits for claims strictly later),
/// which a continuous inspection time makes vanishingly rare here, but
/// which loses every claim when inspection_days is fixed at
/// auto_release_days. The intervals (about ±0.004 and ±0.006) rule out
/// 1 - e^(-a/μ) = 0.503 (no claims after auto-release) and e^(-a/μ) =
/// 0.497 (no window after auto-release).
pub fn claims_after_auto_release() -> Vec<Check> {
    let (mean_days, auto_release_days, window_days) = (10.0_f64, 7.0_f64, 14.0_f64);
    let behaviour = "(production_days: Fixed(5.0), late_probability: 1.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let text = format!(
        r#"Scenario(
    name: "validity-claims-after-release", seed: 1, start_date: "2015-01-01", horizon_days: 100,
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 3000, country: "US", inquiries_per_year: 10.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Exponential(mean: {mean_days:?}),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (deposit_release: AtAcceptance, refund_scope: OrderValue,
            claim_window_days: {window}, auto_release_days: {release}, {OPEN_PROGRAM}),
    timeline: [(date: "2015-03-01", rules: (covered_payment_methods: []))],
)"#,
        window = window_days as u32,
        release = auto_release_days as u32,
        types = every_type(behaviour),
    );
    let reports = replicate(&scenario("claims-after-release", &text), REPLICATIONS);
    let filed: Vec<f64> = reports
        .iter()
        .map(|report| report.outcome.claims.filed as f64 / report.outcome.orders.covered as f64)
        .collect();
    let after_release: Vec<f64> = reports
        .iter()
        .map(|report| {
            let paid_by_suppliers = report.outcome.ledger.refunded_by_suppliers.0;
            let claims = paid_by_suppliers.to_f64().expect("an amount") / 1000.0;
            claims / report.outcome.orders.covered as f64
        })
        .collect();
    let survives = |days: f64| libm::exp(-days / mean_days);
    vec![
        Check::statistical(
            "Claims filed within the window: inspection ~ Exponential(10 days), window 14, auto-release 7",
            "1 - e^(-w/μ)",
            1.0 - survives(window_days),
            &filed,
            "replications",
            Rival {
                what: "claims only before auto-release, 1 - e^(-a/μ)".to_string(),
                value: 1.0 - survives(auto_release_days),
            },
        ),
        Check::statistical(
            "Claims after auto-release (refund no longer in escrow)",
            "e^(-a/μ) - e^(-w/μ)",
            survives(auto_release_days) - survives(window_days),
            &after_release,
            "replications",
            Rival {
                what: "no window after auto-release, e^(-a/μ)".to_string(),
                value: survives(auto_release_days),
            },
        ),
    ]
}
