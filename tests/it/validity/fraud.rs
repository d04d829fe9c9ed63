//! Bust-out fraud: a supplier that vanishes with the deposits.
//!
//! How the code plays it (`on_contract`, `on_ship`,
//! `on_non_delivery_noticed`, `on_decision`, `on_recovery`): at contract a
//! fraudulent supplier with at least `clean_orders` completed orders
//! vanishes with probability `vanish_probability`; a vanished supplier
//! answers no inquiry and ships nothing, so the balance is never paid; one
//! day after ship-by (plus grace) the buyer notices and claims
//! non-delivery; a vanished supplier never settles, so the platform decides.
//! A granted refund is everything paid, the deposit; it comes from escrow
//! if escrow still holds it (caught by escrow), else the platform advances
//! it and can recover nothing from a vanished supplier (lost by the
//! platform).
//!
//! Design: 50 suppliers, all fraudulent with `BustOut(clean_orders: 0,
//! vanish_probability: 1.0)`: each vanishes at its first contract, before
//! any of its orders could ship. 400 inquiries a day of three candidates
//! each reach every supplier within the first day (a given supplier is
//! missed by a day's 1,200 draws with probability 0.98^1200 ≈ 3e-11), after
//! which nobody answers. Orders are worth a fixed 1000.15, deposit 30% =
//! 300.04; the platform decides rightly. Every order is resolved within 30
//! days of its contract, well before the 60-day horizon. Everything is
//! then determined:
//!   orders_not_shipped = orders placed, suppliers_vanished = 50,
//!   value_taken = placed × deposit,
//!   deposit held to acceptance: caught_by_escrow = value_taken;
//!   deposit released at contract: lost_by_platform = value_taken, even
//!   with recovery_probability 1, and nothing is recovered.

use super::check::{BASE_SEED, Check, Verdict};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use crate::common::run_with_seed;
use escrowsim::report::Report;
use rust_decimal::{Decimal, RoundingStrategy};

const SUPPLIERS: u64 = 50;

fn run(name: &str, release: &str) -> Report {
    let behaviour = "(production_days: Fixed(5.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0,
        fraud: Some(BustOut(clean_orders: 0, vanish_probability: 1.0)))";
    let text = format!(
        r#"Scenario(
    name: "validity-{name}", seed: 1, start_date: "2015-01-01", horizon_days: 60,
    suppliers: [(name: "cn", count: {SUPPLIERS}, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 0.0, average: 0.0, poor: 0.0, fraudulent: 1.0))],
    buyers: [(name: "us", count: 20000, country: "US", inquiries_per_year: 7.3,
              order_value: Fixed(1000.15), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (deposit_share_bps: 3000, deposit_release: {release}, refund_scope: OrderValue,
            decision_accuracy: 1.0, advance_refunds: true, recovery_probability: 1.0,
            recovery_days: 5, {OPEN_PROGRAM}),
)"#,
        types = every_type(behaviour),
    );
    run_with_seed(&scenario(name, &text), BASE_SEED).1
}

/// An exact row that also fails when no order was placed (every equality
/// below would hold vacuously).
fn row(mechanism: &str, formula: &str, expected: Decimal, measured: Decimal, placed: u64) -> Check {
    let mut check = Check::exact(
        mechanism,
        formula,
        expected,
        measured,
        &format!("exact, 1 run, {placed} orders"),
    );
    if placed == 0 {
        check.verdict = Verdict::Fail("no order was placed: the check is vacuous".to_string());
    }
    check
}

pub fn bust_out() -> Vec<Check> {
    let deposit = (Decimal::new(100_015, 2) * Decimal::new(3, 1))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    let held = run("bust-out-held", "AtAcceptance");
    let outcome = &held.outcome;
    let placed = outcome.orders.placed;
    let taken = Decimal::from(placed) * deposit;
    let mut checks = vec![
        row(
            "Bust-out (clean_orders 0, vanish 1): no order ships",
            "orders_not_shipped = orders placed",
            Decimal::from(placed),
            Decimal::from(outcome.fraud.orders_not_shipped),
            placed,
        ),
        row(
            "Bust-out: every supplier vanishes",
            "suppliers_vanished = suppliers",
            Decimal::from(SUPPLIERS),
            Decimal::from(outcome.fraud.suppliers_vanished),
            placed,
        ),
        row(
            "Bust-out: value taken is the deposits (the balance is never paid)",
            "value_taken = placed × deposit",
            taken,
            outcome.fraud.value_taken.0,
            placed,
        ),
        row(
            "Bust-out, deposit held to acceptance: escrow catches it all",
            "caught_by_escrow = value_taken",
            taken,
            outcome.fraud.caught_by_escrow.0,
            placed,
        ),
        row(
            "Bust-out, deposit held to acceptance: nobody else bears a loss",
            "lost_by_platform + lost_by_buyers = 0",
            Decimal::ZERO,
            outcome.fraud.lost_by_platform.0 + outcome.fraud.lost_by_buyers.0,
            placed,
        ),
    ];
    let released = run("bust-out-released", "AtContract");
    let outcome = &released.outcome;
    let placed = outcome.orders.placed;
    let taken = Decimal::from(placed) * deposit;
    checks.push(row(
        "Bust-out, deposit released at contract: the platform advances every deposit and loses it, recovery_probability 1 notwithstanding",
        "lost_by_platform = placed × deposit",
        taken,
        outcome.fraud.lost_by_platform.0,
        placed,
    ));
    checks.push(row(
        "Bust-out, deposit released at contract: the platform's loss is written off",
        "risk.platform_loss = placed × deposit",
        taken,
        outcome.risk.platform_loss.0,
        placed,
    ));
    checks.push(row(
        "Bust-out, deposit released at contract: nothing caught by escrow, nothing recovered",
        "caught_by_escrow + recovered_from_suppliers = 0",
        Decimal::ZERO,
        outcome.fraud.caught_by_escrow.0 + outcome.ledger.recovered_from_suppliers.0,
        placed,
    ));
    checks
}
