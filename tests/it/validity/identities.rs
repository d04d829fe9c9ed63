//! Identities that hold exactly on any run: the escrow ledger balances,
//! months add up to the totals, and a scenario compared with itself
//! differs in nothing.

use super::check::{BASE_SEED, Check, Verdict};
use crate::common::{run_with_seed, shipped_scenario};
use escrowsim::analysis::{Comparison, Plan, replicate_pair};
use escrowsim::program::NoProbe;
use escrowsim::report::{ByReason, MonthOutcome, Outcome, RefundsOfReason};
use rust_decimal::Decimal;

/// Shipped scenarios small enough for the test suite, each with other rules:
/// deposits released at acceptance, at contract (with platform advances),
/// and launch-sized worlds with deposit-only refunds and with release at
/// contract.
const LEDGER_SCENARIOS: [&str; 4] = [
    "quick.ron",
    "quick-release-at-contract.ron",
    "deposit-only-refunds.ron",
    "release-at-contract.ron",
];

/// paid_into_escrow = released_to_suppliers + refunded_from_escrow + fees +
/// escrow_end, and, where the platform advanced refunds, advanced =
/// recovered + written_off + outstanding (README, the report contract), on
/// shipped scenarios with their own seeds.
pub fn ledger_identity() -> Vec<Check> {
    let mut checks = Vec::new();
    for file_name in LEDGER_SCENARIOS {
        let scenario = shipped_scenario(file_name);
        let (_, report) = run_with_seed(&scenario, scenario.seed);
        let ledger = &report.outcome.ledger;
        let mut escrow = Check::exact(
            &format!("Ledger identity, {file_name} (paid into escrow)"),
            "released_to_suppliers + refunded_from_escrow + fees + escrow_end",
            ledger.released_to_suppliers.0
                + ledger.refunded_from_escrow.0
                + ledger.fees.0
                + ledger.escrow_end.0,
            ledger.paid_into_escrow.0,
            "exact, 1 run",
        );
        if ledger.paid_into_escrow.0.is_zero() || ledger.refunded_from_escrow.0.is_zero() {
            escrow.verdict =
                Verdict::Fail("nothing paid or refunded: the identity is vacuous".to_string());
        }
        checks.push(escrow);
        // Without advances the second identity is 0 = 0: no row.
        if !ledger.advanced_by_platform.0.is_zero() {
            checks.push(Check::exact(
                &format!("Advance identity, {file_name} (advanced by the platform)"),
                "recovered_from_suppliers + written_off + advances_outstanding",
                ledger.recovered_from_suppliers.0
                    + ledger.written_off.0
                    + ledger.advances_outstanding.0,
                ledger.advanced_by_platform.0,
                "exact, 1 run",
            ));
        }
    }
    checks
}

/// Each flow of the monthly series (every figure but the levels and
/// `buyer_uncovered_loss`), with the total it must add up to.
type Flow = (String, Decimal, Box<dyn Fn(&MonthOutcome) -> Decimal>);

fn flows(outcome: &Outcome) -> Vec<Flow> {
    let count = |value: u64| Decimal::from(value);
    let by_reason = |reasons: &ByReason<RefundsOfReason>| {
        [
            (reasons.late.count, reasons.late.value.0),
            (reasons.quality.count, reasons.quality.value.0),
            (reasons.non_delivery.count, reasons.non_delivery.value.0),
            (reasons.false_claim.count, reasons.false_claim.value.0),
        ]
    };
    let totals_by_reason = by_reason(&outcome.refunds.by_reason);
    let ledger = &outcome.ledger;
    let named = |name: &str, total: Decimal, of_month: Box<dyn Fn(&MonthOutcome) -> Decimal>| {
        (name.to_string(), total, of_month)
    };
    let mut flows: Vec<Flow> = vec![
        named(
            "inquiries",
            count(outcome.inquiries.total),
            Box::new(move |m| count(m.inquiries)),
        ),
        named(
            "orders_placed",
            count(outcome.orders.placed),
            Box::new(move |m| count(m.orders_placed)),
        ),
        named(
            "orders_covered",
            count(outcome.orders.covered),
            Box::new(move |m| count(m.orders_covered)),
        ),
        named(
            "orders_completed",
            count(outcome.orders.completed),
            Box::new(move |m| count(m.orders_completed)),
        ),
        named("gmv", outcome.gmv.total.0, Box::new(|m| m.gmv.0)),
        named(
            "gmv_covered",
            outcome.gmv.covered.0,
            Box::new(|m| m.gmv_covered.0),
        ),
        named(
            "claims_filed",
            count(outcome.claims.filed),
            Box::new(move |m| count(m.claims_filed)),
        ),
        named(
            "refunds_count",
            count(outcome.refunds.count),
            Box::new(move |m| count(m.refunds_count)),
        ),
        named(
            "refunds_value",
            outcome.refunds.value.0,
            Box::new(|m| m.refunds_value.0),
        ),
        named(
            "platform_loss",
            outcome.risk.platform_loss.0,
            Box::new(|m| m.platform_loss.0),
        ),
        named(
            "paid_into_escrow",
            ledger.paid_into_escrow.0,
            Box::new(|m| m.paid_into_escrow.0),
        ),
        named(
            "released_to_suppliers",
            ledger.released_to_suppliers.0,
            Box::new(|m| m.released_to_suppliers.0),
        ),
        named(
            "refunded_from_escrow",
            ledger.refunded_from_escrow.0,
            Box::new(|m| m.refunded_from_escrow.0),
        ),
        named("fees", ledger.fees.0, Box::new(|m| m.fees.0)),
        named(
            "advanced_by_platform",
            ledger.advanced_by_platform.0,
            Box::new(|m| m.advanced_by_platform.0),
        ),
        named(
            "recovered_from_suppliers",
            ledger.recovered_from_suppliers.0,
            Box::new(|m| m.recovered_from_suppliers.0),
        ),
    ];
    let reasons = ["late", "quality", "non_delivery", "false_claim"];
    for (index, reason) in reasons.into_iter().enumerate() {
        let (total_count, total_value) = totals_by_reason[index];
        flows.push((
            format!("refunds_by_reason.{reason}.count"),
            count(total_count),
            Box::new(move |m| count(by_reason(&m.refunds_by_reason)[index].0)),
        ));
        flows.push((
            format!("refunds_by_reason.{reason}.value"),
            total_value,
            Box::new(move |m| by_reason(&m.refunds_by_reason)[index].1),
        ));
    }
    flows
}

/// Σ_months flow = total, for every flow of the monthly series; and the
/// last month's escrow_end is the ledger's (README: "Months add up to the
/// totals").
pub fn monthly_flows_add_up() -> Vec<Check> {
    ["quick.ron", "quick-release-at-contract.ron"]
        .into_iter()
        .map(|file_name| {
            let scenario = shipped_scenario(file_name);
            let (_, report) = run_with_seed(&scenario, scenario.seed);
            let outcome = &report.outcome;
            let mut mismatches = Vec::new();
            let flows = flows(outcome);
            for (name, total, of_month) in &flows {
                let sum: Decimal = outcome.monthly.iter().map(of_month).sum();
                if sum != *total {
                    mismatches.push(format!("{name}: months {sum}, total {total}"));
                }
            }
            let last_escrow = outcome.monthly.last().map(|month| month.escrow_end.0);
            if last_escrow != Some(outcome.ledger.escrow_end.0) {
                mismatches.push(format!(
                    "escrow_end: last month {last_escrow:?}, total {}",
                    outcome.ledger.escrow_end.0
                ));
            }
            let figures = flows.len() + 1;
            let mut check = Check::exact(
                &format!("Monthly flows add up to totals, {file_name} (figures that agree)"),
                "Σ_months flow = total, for each flow; last escrow_end = ledger escrow_end",
                Decimal::from(figures),
                Decimal::from(figures - mismatches.len()),
                &format!("exact, 1 run, {} months", outcome.monthly.len()),
            );
            if outcome.orders.placed == 0 {
                mismatches.push("no order was placed: the check is vacuous".to_string());
            }
            if !mismatches.is_empty() {
                check.verdict = Verdict::Fail(mismatches.join("; "));
            }
            check
        })
        .collect()
}

/// compare(A, A): every paired difference, whole-run and monthly, has mean
/// 0 and the interval [0, 0], and none is significant: replication i of
/// both sides runs with the same seed, so the runs are identical.
pub fn self_comparison() -> Vec<Check> {
    let scenario = shipped_scenario("quick.ron");
    let plan = Plan::new(BASE_SEED, 3, 1).expect("a valid plan");
    let (a, b) =
        replicate_pair(&scenario, &scenario, &plan, || NoProbe).expect("NoProbe never interrupts");
    let comparison = Comparison::new(&a, &b).expect("a scenario is comparable with itself");
    let differences: Vec<_> = comparison
        .differences
        .iter()
        .chain(
            comparison
                .monthly_differences
                .iter()
                .flat_map(|(_, month)| month),
        )
        .collect();
    let nonzero: Vec<String> = differences
        .iter()
        .filter(|(_, difference)| {
            let interval_is_zero = difference
                .ci95
                .is_some_and(|(low, high)| low.value.is_zero() && high.value.is_zero());
            !(difference.diff_mean.value.is_zero() && interval_is_zero && !difference.significant)
        })
        .map(|(metric, difference)| format!("{}: {:?}", metric.path, difference))
        .collect();
    let mut check = Check::exact(
        "compare of quick.ron with itself, 3 replications (differences exactly 0)",
        "B - A = 0 with interval [0, 0], for every metric and month",
        Decimal::from(differences.len()),
        Decimal::from(differences.len() - nonzero.len()),
        "exact, 3 paired replications",
    );
    if !nonzero.is_empty() || differences.len() < 50 {
        check.verdict = Verdict::Fail(format!(
            "{} of {} differences are not exactly zero: {}",
            nonzero.len(),
            differences.len(),
            nonzero.join("; ")
        ));
    }
    vec![check]
}
