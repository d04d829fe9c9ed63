//! Platform advances and their recovery: what the platform loses when escrow
//! no longer holds a refund.

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

const REPLICATIONS: u32 = 20;

/// written_off / (recovered + written_off) = 1 - recovery_probability, and
/// advanced = refunds × deposit exactly.
///
/// The deposit (30% of a fixed 1000.00: 300.00) is released at contract;
/// every order ships late, every buyer claims, no supplier settles, the
/// platform decides rightly and refunds the whole value. Escrow then holds
/// only the balance (700.00), so the platform advances the deposit,
/// 300.00 per refund, exactly (`on_decision`). Five days later it recovers
/// the advance with probability ρ = 0.7 or writes it off. Every advance is
/// the same amount, so written_off / (recovered + written_off) is the share
/// of resolved advances written off; given how many resolved before the
/// horizon (which depends on timing, not on the recovery draw), it is a
/// binomial proportion with probability 1 - ρ. Advances still outstanding
/// at the horizon are left out by this denominator. The interval (about
/// ±0.006) rules out ρ itself, the probability read the wrong way round.
pub fn platform_loss_on_advances() -> Vec<Check> {
    let recovery = 0.7_f64;
    let behaviour = "(production_days: Fixed(5.0), late_probability: 1.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 0.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let text = format!(
        r#"Scenario(
    name: "validity-advances", seed: 1, start_date: "2015-01-01", horizon_days: 60,
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 2000, country: "US", inquiries_per_year: 20.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (deposit_share_bps: 3000, deposit_release: AtContract, refund_scope: OrderValue,
            decision_accuracy: 1.0, advance_refunds: true, recovery_probability: {recovery:?},
            recovery_days: 5, {OPEN_PROGRAM}),
)"#,
        types = every_type(behaviour),
    );
    let reports = replicate(&scenario("advances", &text), REPLICATIONS);
    let written_off_share: Vec<f64> = reports
        .iter()
        .map(|report| {
            let ledger = &report.outcome.ledger;
            let resolved = ledger.recovered_from_suppliers.0 + ledger.written_off.0;
            (ledger.written_off.0 / resolved).to_f64().expect("a share")
        })
        .collect();
    let deposit = (Decimal::from(1000) * Decimal::new(3, 1))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    let first = &reports[0].outcome;
    let ledger = &first.ledger;
    let mut checks = vec![Check::exact(
        "Advances: the platform advances what escrow no longer holds, the released deposit (total advanced)",
        "refunds × deposit",
        Decimal::from(first.refunds.count) * deposit,
        ledger.advanced_by_platform.0,
        &format!("exact, 1 run, {} refunds", first.refunds.count),
    )];
    checks.push(Check::exact(
        "Platform loss: what was advanced and neither recovered nor still outstanding (risk.platform_loss)",
        "advanced - recovered - outstanding",
        ledger.advanced_by_platform.0
            - ledger.recovered_from_suppliers.0
            - ledger.advances_outstanding.0,
        first.risk.platform_loss.0,
        "exact, 1 run",
    ));
    checks.push(Check::statistical(
        "Platform loss: resolved advances written off, recovery_probability 0.7",
        "written_off / (recovered + written_off) = 1 - recovery_probability",
        1.0 - recovery,
        &written_off_share,
        "replications",
        Rival {
            what: "recovery_probability".to_string(),
            value: recovery,
        },
    ));
    checks
}
