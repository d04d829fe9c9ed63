//! Refunds per covered order: breach, claim, negotiation, decision.
//!
//! Per covered order,
//!
//!     P(refund) = P(breach) × P(claim | breach) × [s + (1 - s) × accuracy]
//!               + P(no breach) × P(false claim) × (1 - accuracy),
//!
//! with s = settles_in_negotiation_probability: a breached buyer claims
//! with `claim_after_breach_probability`, the supplier settles a justified
//! claim at once with probability s, otherwise the platform decides and
//! grants a justified claim when right; an unbreached buyer makes a false
//! claim with `false_claim_probability`, which is never settled and is
//! granted only when the platform is wrong (`on_delivery`, `open_claim`,
//! `on_decision`). The draws of breach, claim, settlement and decision are
//! independent per order.
//!
//! The denominator: a timeline change stops covering new orders on day 59
//! (`covered_payment_methods: []`), and the horizon (100 days) leaves every
//! covered order time to finish: contract, ship by day 10 (late: day 12),
//! two days' transit, one day's inspection, claim, three days'
//! negotiation, four to a decision: at most 23 days. So every covered order
//! has its final outcome, and refunded / covered orders is, given the
//! number of covered orders, a binomial proportion with exactly the
//! probability above. Orders contracted later are uncovered and refund
//! nothing (`voluntary_refund_probability: 0`). The report's `refunds.rate`
//! is not used.
//!
//! A breach is made of one cause only: lateness (conformance 1) or
//! non-conformance (never late).

use super::check::{Check, Rival, Verdict, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use escrowsim::report::Report;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

const REPLICATIONS: u32 = 20;

struct Design {
    late_probability: f64,
    conformance_probability: f64,
    claim_after_breach: f64,
    false_claim: f64,
    settles: f64,
    accuracy: f64,
}

impl Design {
    fn breach_probability(&self) -> f64 {
        1.0 - (1.0 - self.late_probability) * self.conformance_probability
    }

    fn refund_probability(&self) -> f64 {
        let breach = self.breach_probability();
        breach * self.claim_after_breach * (self.settles + (1.0 - self.settles) * self.accuracy)
            + (1.0 - breach) * self.false_claim * (1.0 - self.accuracy)
    }

    fn run(&self, name: &str) -> Vec<Report> {
        let behaviour = format!(
            "(production_days: Fixed(5.0), late_probability: {late:?}, late_days: Fixed(2.0),
            conformance_probability: {conformance:?}, defect_share: Fixed(0.4),
            response_probability: 1.0, response_hours: Fixed(1.0),
            settles_in_negotiation_probability: {settles:?}, voluntary_refund_probability: 0.0,
            fraud: None)",
            late = self.late_probability,
            conformance = self.conformance_probability,
            settles = self.settles,
        );
        let text = format!(
            r#"Scenario(
    name: "validity-{name}", seed: 1, start_date: "2015-01-01", horizon_days: 100,
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 3000, country: "US", inquiries_per_year: 10.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: {claim:?}, false_claim_probability: {false_claim:?},
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (decision_accuracy: {accuracy:?}, claim_window_days: 30, auto_release_days: 30,
            negotiation_days: 3, decision_days: 4, {OPEN_PROGRAM}),
    timeline: [(date: "2015-03-01", rules: (covered_payment_methods: []))],
)"#,
            claim = self.claim_after_breach,
            false_claim = self.false_claim,
            accuracy = self.accuracy,
            types = every_type(&behaviour),
        );
        replicate(&scenario(name, &text), REPLICATIONS)
    }
}

fn refunded_share(reports: &[Report]) -> Vec<f64> {
    reports
        .iter()
        .map(|report| report.outcome.refunds.count as f64 / report.outcome.orders.covered as f64)
        .collect()
}

/// Lateness only: P(breach) = 0.3, claim 0.8, s = 0.6, accuracy 0.75, false
/// claims 0.1: 0.3 × 0.8 × (0.6 + 0.4 × 0.75) + 0.7 × 0.1 × 0.25 = 0.2335.
/// The interval (about ±0.005) rules out 0.216, the rate if false claims
/// were never granted.
///
/// Two more rows from the same runs, each a binomial proportion given its
/// denominator: justified claims settled in negotiation / justified claims
/// filed = s (rules out the draw compared the wrong way, 1 - s), and wrong
/// decisions / decisions = 1 - accuracy (rules out the accuracy itself).
/// Every claim is filed, and every decision made, before the horizon.
pub fn refund_rate_of_late_shipments() -> Vec<Check> {
    let design = Design {
        late_probability: 0.3,
        conformance_probability: 1.0,
        claim_after_breach: 0.8,
        false_claim: 0.1,
        settles: 0.6,
        accuracy: 0.75,
    };
    let reports = design.run("refund-rate-late");
    let breach = design.breach_probability();
    let settled: Vec<f64> = reports
        .iter()
        .map(|report| {
            let claims = &report.outcome.claims;
            claims.settled_in_negotiation as f64 / claims.by_reason.late as f64
        })
        .collect();
    let wrong: Vec<f64> = reports
        .iter()
        .map(|report| {
            let claims = &report.outcome.claims;
            claims.decided_wrongly as f64 / claims.decided as f64
        })
        .collect();
    vec![
        Check::statistical(
            "Refunds per covered order, breach = late shipment only (0.3), claim 0.8, s = 0.6, accuracy 0.75, false claims 0.1",
            "P(breach) P(claim|breach) [s + (1-s) accuracy] + P(no breach) P(false claim) (1 - accuracy)",
            design.refund_probability(),
            &refunded_share(&reports),
            "replications",
            Rival {
                what: "false claims never granted".to_string(),
                value: breach
                    * design.claim_after_breach
                    * (design.settles + (1.0 - design.settles) * design.accuracy),
            },
        ),
        Check::statistical(
            "Negotiation: justified claims settled at once",
            "settles_in_negotiation_probability s",
            design.settles,
            &settled,
            "replications",
            Rival {
                what: "1 - s".to_string(),
                value: 1.0 - design.settles,
            },
        ),
        Check::statistical(
            "Decisions: share decided wrongly",
            "1 - decision_accuracy",
            1.0 - design.accuracy,
            &wrong,
            "replications",
            Rival {
                what: "decision_accuracy".to_string(),
                value: design.accuracy,
            },
        ),
    ]
}

/// Non-conformance only: P(breach) = 0.3, claim 0.6, s = 0.5, accuracy
/// 0.6, false claims 0.05: 0.3 × 0.6 × (0.5 + 0.5 × 0.6) + 0.7 × 0.05 ×
/// 0.4 = 0.158. A quality refund is only part of the value (defect share
/// 0.4), but it counts as a refund all the same. The interval (about
/// ±0.004) rules out 0.122, the rate if no claim were settled in
/// negotiation.
pub fn refund_rate_of_nonconforming_goods() -> Vec<Check> {
    let design = Design {
        late_probability: 0.0,
        conformance_probability: 0.7,
        claim_after_breach: 0.6,
        false_claim: 0.05,
        settles: 0.5,
        accuracy: 0.6,
    };
    let reports = design.run("refund-rate-quality");
    let breach = design.breach_probability();
    vec![Check::statistical(
        "Refunds per covered order, breach = non-conformance only (0.3), claim 0.6, s = 0.5, accuracy 0.6, false claims 0.05",
        "P(breach) P(claim|breach) [s + (1-s) accuracy] + P(no breach) P(false claim) (1 - accuracy)",
        design.refund_probability(),
        &refunded_share(&reports),
        "replications",
        Rival {
            what: "no settlement in negotiation".to_string(),
            value: breach * design.claim_after_breach * design.accuracy
                + (1.0 - breach) * design.false_claim * (1.0 - design.accuracy),
        },
    )]
}

/// Voluntary refunds per uncovered order = P(claim | breach) × r.
///
/// "Uncovered orders live the same physical life; a breach is the buyer's
/// loss unless the supplier refunds voluntarily." Nothing is covered here
/// (buyers pay by T/T, only cards are covered); no goods conform (defect
/// share 0.4), the buyer pursues the breach with probability 0.5, and the
/// supplier then refunds the defect share of everything paid, 0.4 × 1000.00
/// = 400.00, with voluntary_refund_probability r = 0.4 (`on_delivery`).
/// Transit and inspection take no time, so an order is shipped, delivered
/// and inspected in the same second: the orders shipped, which
/// `fulfilment.nonconforming` counts exactly, are the orders whose buyer
/// has acted, however long an uncovered order then takes to complete.
/// voluntary_supplier_refunds / 400 / shipped is then, given the number
/// shipped, a binomial proportion with probability 0.5 × 0.4 = 0.2. The
/// interval (about ±0.005) rules out r = 0.4, the share if every breach
/// were pursued.
pub fn voluntary_refunds_of_uncovered_orders() -> Vec<Check> {
    let (pursued, voluntary) = (0.5_f64, 0.4_f64);
    let behaviour = format!(
        "(production_days: Fixed(5.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 0.0, defect_share: Fixed(0.4), response_probability: 1.0,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: {voluntary:?}, fraud: None)"
    );
    let text = format!(
        r#"Scenario(
    name: "validity-voluntary-refunds", seed: 1, start_date: "2015-01-01", horizon_days: 60,
    suppliers: [(name: "cn", count: 50, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 10,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 3000, country: "US", inquiries_per_year: 10.0,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(0.0), inspection_days: Fixed(0.0),
              claim_after_breach_probability: {pursued:?}, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: (covered_payment_methods: [Card], refund_scope: OrderValue, {OPEN_PROGRAM}),
)"#,
        types = every_type(&behaviour),
    );
    let reports = replicate(&scenario("voluntary-refunds", &text), REPLICATIONS);
    let refunded: Vec<f64> = reports
        .iter()
        .map(|report| {
            let outcome = &report.outcome;
            let refunds = outcome.risk.voluntary_supplier_refunds.0 / Decimal::from(400);
            refunds.to_f64().expect("a count") / outcome.fulfilment.nonconforming as f64
        })
        .collect();
    let mut checks = vec![Check::statistical(
        "Voluntary refunds of uncovered orders: no goods conform, breach pursued 0.5, supplier refunds 0.4",
        "P(claim | breach) × voluntary_refund_probability",
        pursued * voluntary,
        &refunded,
        "replications",
        Rival {
            what: "voluntary_refund_probability alone".to_string(),
            value: voluntary,
        },
    )];
    let outcome = &reports[0].outcome;
    let mut program = Check::exact(
        "Voluntary refunds are not program refunds: nothing covered, nothing claimed or refunded by the program",
        "orders.covered + claims.filed + refunds.count = 0",
        Decimal::ZERO,
        Decimal::from(outcome.orders.covered + outcome.claims.filed + outcome.refunds.count),
        &format!("exact, 1 run, {} orders", outcome.orders.placed),
    );
    if outcome.risk.voluntary_supplier_refunds.0.is_zero() {
        program.verdict = Verdict::Fail("no voluntary refund: the check is vacuous".to_string());
    }
    checks.push(program);
    checks
}
