//! Money by the rules: what a refund pays under each refund scope, and the
//! seller fee on released value. Deterministic: with fixed order values,
//! every figure is a count times an amount, exact to the cent.
//!
//! README: "every share (deposit, fee, partial refund) is rounded
//! half-to-even to cents, the one rounding in the model". The shares below
//! are derived with that rule (computed here with `rust_decimal`'s own
//! rounding, not the model's `Cents::share`).

use super::check::{BASE_SEED, Check};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use crate::common::run_with_seed;
use escrowsim::report::Report;
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// `amount × basis_points / 10,000`, rounded half-to-even to cents.
fn share(amount: Decimal, basis_points: u32) -> Decimal {
    (amount * Decimal::from(basis_points) / Decimal::from(10_000))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

fn amount(text: &str) -> Decimal {
    Decimal::from_str(text).expect("a decimal amount")
}

/// A one-supplier-type world with a fixed order value, every order breached
/// the same way (`breach` is the behaviour's lateness and conformance), the
/// buyer claiming every breach and nothing else, and the supplier settling
/// every justified claim at once, from escrow (the deposit is released at
/// acceptance, so escrow holds everything paid when the claim comes).
fn refund_run(name: &str, breach: &str, refund_scope: &str) -> Report {
    let behaviour = format!(
        "(production_days: Fixed(5.0), {breach}, response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)"
    );
    let text = format!(
        r#"Scenario(
    name: "validity-{name}", seed: 1, start_date: "2015-01-01", horizon_days: 60,
    suppliers: [(name: "cn", count: 20, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 200, country: "US", inquiries_per_year: 10.0,
              order_value: Fixed(1000.15), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (deposit_share_bps: 3000, deposit_release: AtAcceptance, refund_scope: {refund_scope},
            {OPEN_PROGRAM}),
)"#,
        types = every_type(&behaviour),
    );
    run_with_seed(&scenario(name, &text), BASE_SEED).1
}

/// Refund per refunded order = scope × share, exactly.
///
/// Order value v = 1000.15, deposit share 30%: deposit = 300.045 rounded
/// half-to-even = 300.04 (half-up would give 300.05). A late shipment is
/// refunded in full: the deposit under `Deposit`, everything paid (the
/// whole value, the balance having been paid at shipment) under
/// `OrderValue`. A quality claim refunds the defect share (fixed at 0.25,
/// 2,500 basis points) of the scope: 0.25 × 300.04 = 75.01 and 0.25 ×
/// 1000.15 = 250.0375, rounded 250.04. Every refunded order of a run is
/// refunded the same amount, so refunds.value = refunds.count × amount.
pub fn refund_value_by_scope() -> Vec<Check> {
    let value = amount("1000.15");
    let deposit = share(value, 3000);
    let late = "late_probability: 1.0, late_days: Fixed(1.0), conformance_probability: 1.0, \
                defect_share: Fixed(0.25)";
    let defective = "late_probability: 0.0, late_days: Fixed(1.0), conformance_probability: 0.0, \
                     defect_share: Fixed(0.25)";
    let cases = [
        (
            "scope-deposit-late",
            late,
            "Deposit",
            deposit,
            "deposit = round(v × 30%)",
        ),
        ("scope-value-late", late, "OrderValue", value, "v"),
        (
            "scope-deposit-quality",
            defective,
            "Deposit",
            share(deposit, 2500),
            "round(deposit × defect share 25%)",
        ),
        (
            "scope-value-quality",
            defective,
            "OrderValue",
            share(value, 2500),
            "round(v × defect share 25%)",
        ),
    ];
    cases
        .iter()
        .map(|&(name, breach, scope, per_order, formula)| {
            let report = refund_run(name, breach, scope);
            let refunds = &report.outcome.refunds;
            let reason = if breach == late { "late" } else { "quality" };
            let measured_per_order = if refunds.count == 0 {
                Decimal::ZERO
            } else {
                refunds.value.0 / Decimal::from(refunds.count)
            };
            let mut check = Check::exact(
                &format!(
                    "Refund value, scope {scope}, {reason} claims, v = 1000.15, deposit 30% (per refunded order)"
                ),
                formula,
                per_order,
                measured_per_order,
                &format!("exact, 1 run, {} refunds", refunds.count),
            );
            // The mean alone could hide offsetting errors: the total must be
            // exactly count × amount too.
            if refunds.value.0 != per_order * Decimal::from(refunds.count) {
                check.verdict = super::check::Verdict::Fail(format!(
                    "total {} is not {} × {per_order}",
                    refunds.value.0, refunds.count
                ));
            }
            check
        })
        .collect()
}

/// A world without breaches or claims: every order is confirmed on
/// inspection and released, with a fixed value v = 4321.05.
fn fee_run(name: &str, release: &str, fee_scope: &str) -> Report {
    let behaviour = "(production_days: Fixed(5.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let text = format!(
        r#"Scenario(
    name: "validity-{name}", seed: 1, start_date: "2015-01-01", horizon_days: 60,
    suppliers: [(name: "cn", count: 20, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 500, country: "US", inquiries_per_year: 10.0,
              order_value: Fixed(4321.05), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (deposit_share_bps: 3000, deposit_release: {release}, seller_fee_bps: 250,
            seller_fee_applies_to: {fee_scope}, {OPEN_PROGRAM}),
)"#,
        types = every_type(behaviour),
    );
    run_with_seed(&scenario(name, &text), BASE_SEED).1
}

/// fees = Σ over releases of round_half_even(released × bps / 10,000).
///
/// v = 4321.05, fee 250 bps. Released at acceptance, each completed order
/// releases v once: fee 108.02625 → 108.03, and the supplier receives
/// v - 108.03. Released at contract, every covered order releases its
/// deposit (1296.315 → 1296.32) at once, fee 32.408 → 32.41, and each
/// completed order releases the balance 3024.73 later, fee 75.61825 →
/// 75.62. `OrdersUpTo(x)` charges orders of value <= x: the fee applies at
/// x = v and not at x = v - 0.01.
pub fn seller_fees() -> Vec<Check> {
    let value = amount("4321.05");
    let fee_on_value = share(value, 250);
    let deposit = share(value, 3000);
    let count = |n: u64| Decimal::from(n);
    let mut checks = Vec::new();

    let at_acceptance = fee_run("fees-at-acceptance", "AtAcceptance", "AllOrders");
    let completed = at_acceptance.outcome.orders.completed;
    let ledger = &at_acceptance.outcome.ledger;
    let method = format!("exact, 1 run, {completed} completed orders");
    checks.push(Check::exact(
        "Seller fee 2.5%, all orders, deposit released at acceptance (total fees)",
        "completed × round(v × 2.5%)",
        count(completed) * fee_on_value,
        ledger.fees.0,
        &method,
    ));
    checks.push(Check::exact(
        "Seller fee 2.5%: released to suppliers, net of fees (total)",
        "completed × (v - round(v × 2.5%))",
        count(completed) * (value - fee_on_value),
        ledger.released_to_suppliers.0,
        &method,
    ));

    let at_contract = fee_run("fees-at-contract", "AtContract", "AllOrders");
    let orders = &at_contract.outcome.orders;
    checks.push(Check::exact(
        "Seller fee 2.5%, deposit released at contract (total fees)",
        "covered × round(deposit × 2.5%) + completed × round((v - deposit) × 2.5%)",
        count(orders.covered) * share(deposit, 250)
            + count(orders.completed) * share(value - deposit, 250),
        at_contract.outcome.ledger.fees.0,
        &format!(
            "exact, 1 run, {} covered and {} completed orders",
            orders.covered, orders.completed
        ),
    ));

    let up_to_value = fee_run(
        "fees-up-to-value",
        "AtAcceptance",
        r#"OrdersUpTo("4321.05")"#,
    );
    let completed = up_to_value.outcome.orders.completed;
    checks.push(Check::exact(
        "Seller fee OrdersUpTo(v): an order of exactly v pays the fee (total fees)",
        "completed × round(v × 2.5%)",
        count(completed) * fee_on_value,
        up_to_value.outcome.ledger.fees.0,
        &format!("exact, 1 run, {completed} completed orders"),
    ));

    let below_value = fee_run(
        "fees-below-value",
        "AtAcceptance",
        r#"OrdersUpTo("4321.04")"#,
    );
    let completed = below_value.outcome.orders.completed;
    let mut none = Check::exact(
        "Seller fee OrdersUpTo(v - 0.01): an order of v pays none (total fees)",
        "0",
        Decimal::ZERO,
        below_value.outcome.ledger.fees.0,
        &format!("exact, 1 run, {completed} completed orders"),
    );
    if completed == 0 {
        none.verdict =
            super::check::Verdict::Fail("no order completed: the check is vacuous".to_string());
    }
    checks.push(none);
    checks
}
