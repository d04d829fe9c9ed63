//! The meaning of the figures that concern a whole order life and a
//! supplier's record: the trailing months vetting and storefronts read, the
//! population the refund rate is a share of, claims with several grounds,
//! orders in flight (Little's law), and what a buyer loses to a wrong
//! decision. Each design isolates one mechanism; each comment derives the
//! expected value and names the wrong answer the check rules out (for the
//! checks that guard a corrected defect, the old model's answer).

use super::check::{Check, Rival, replicate};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use escrowsim::report::Report;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

const REPLICATIONS: u32 = 12;

/// One behaviour for every type: production 5 days, late by 5 days with
/// `late_probability`, conforming with `conformance` (defect share 20%),
/// answering every inquiry within an hour, settling a justified claim at
/// once with `settles`, never refunding of its own accord, never defrauding.
fn behaviour(late_probability: f64, conformance: f64, settles: f64) -> String {
    every_type(&format!(
        "(production_days: Fixed(5.0), late_probability: {late_probability:?}, \
         late_days: Fixed(5.0), conformance_probability: {conformance:?}, \
         defect_share: Fixed(0.2), response_probability: 1.0, response_hours: Fixed(1.0), \
         settles_in_negotiation_probability: {settles:?}, voluntary_refund_probability: 0.0, \
         fraud: None)"
    ))
}

/// The parts of a design that vary between checks.
struct World<'a> {
    name: &'a str,
    horizon_days: u32,
    suppliers: u32,
    volunteer: f64,
    prior_history: &'a str,
    inquiries_per_year: f64,
    order_value: f64,
    inspection_days: f64,
    behaviour: String,
    rules: String,
}

impl World<'_> {
    /// Fifty volunteering suppliers with no prior history and buyers asking
    /// six times a year for orders of 1,000, inspected in a day, over 120
    /// days: the world of most checks here, given its behaviour and rules.
    fn trading(name: &str) -> World<'_> {
        World {
            name,
            horizon_days: 120,
            suppliers: 50,
            volunteer: 1.0,
            prior_history: "None",
            inquiries_per_year: 6.0,
            order_value: 1000.0,
            inspection_days: 1.0,
            behaviour: String::new(),
            rules: String::new(),
        }
    }

    /// Chinese suppliers and 1,000 T/T buyers who claim every breach and
    /// nothing else, with order values of exactly 1,000, two days' transit,
    /// and a promised lead time of 30 days.
    fn text(&self) -> String {
        format!(
            r#"Scenario(
    name: "validity-{name}", seed: 1, start_date: "2015-01-01", horizon_days: {horizon},
    suppliers: [(name: "cn", count: {suppliers}, country: "CN", volunteer_probability: {volunteer:?},
                 promised_lead_days: 30, prior_history: {prior},
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 1000, country: "US", inquiries_per_year: {rate:?},
              order_value: Fixed({value:?}), payment_mix: [(TT, 1.0)],
              transit_days: Fixed(2.0), inspection_days: Fixed({inspection:?}),
              claim_after_breach_probability: 1.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {behaviour},
    rules: ({rules}),
)"#,
            name = self.name,
            horizon = self.horizon_days,
            suppliers = self.suppliers,
            volunteer = self.volunteer,
            prior = self.prior_history,
            rate = self.inquiries_per_year,
            value = self.order_value,
            inspection = self.inspection_days,
            behaviour = self.behaviour,
            rules = self.rules,
        )
    }

    fn replicate(&self) -> Vec<Report> {
        replicate(&scenario(self.name, &self.text()), REPLICATIONS)
    }

    fn run_with_seed(&self, seed: u64) -> Report {
        crate::common::run_with_seed(&scenario(self.name, &self.text()), seed).1
    }
}

fn value_at(report: &Report, path: &str) -> Value {
    let outcome = serde_json::to_value(&report.outcome).expect("an outcome serialises");
    path.split('.')
        .fold(&outcome, |node, key| &node[key])
        .clone()
}

fn count(report: &Report, path: &str) -> u64 {
    value_at(report, path)
        .as_u64()
        .unwrap_or_else(|| panic!("{path} is not a count"))
}

fn rate(report: &Report, path: &str) -> f64 {
    value_at(report, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path} is not a number"))
}

fn money(report: &Report, path: &str) -> Decimal {
    let value = value_at(report, path);
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{path} is not money"));
    Decimal::from_str(text).expect("money is a decimal string")
}

fn sample(reports: &[Report], statistic: impl Fn(&Report) -> f64) -> Vec<f64> {
    reports.iter().map(statistic).collect()
}

fn sum(reports: &[Report], path: &str) -> u64 {
    reports.iter().map(|report| count(report, path)).sum()
}

/// P(X >= k) for X ~ Poisson(mean).
fn poisson_at_least(mean: f64, k: u32) -> f64 {
    let mut term = (-mean).exp();
    let mut below = 0.0;
    for i in 0..k {
        below += term;
        term *= mean / f64::from(i + 1);
    }
    1.0 - below
}

/// Vetting at the start reads the six whole months before it.
///
/// 2,000 volunteering suppliers of one perfect type bring twelve months of
/// prior history, Poisson(1) completed orders a month. The opening review
/// reads the six complete months before the start month: Poisson(6)
/// orders, and with `vetting_min_orders: 6` (no history fails the
/// thresholds) approves a supplier with probability P(Poisson(6) >= 6). A
/// one-day run has no other review. Reading five months (the current, empty
/// month counted in the window) would approve P(Poisson(5) >= 6).
pub fn vetting_reads_whole_months() -> Vec<Check> {
    let world = World {
        name: "vetting-window",
        horizon_days: 1,
        suppliers: 2_000,
        volunteer: 1.0,
        prior_history: "Some((orders_per_month: 1.0, order_value: Fixed(1000.0)))",
        inquiries_per_year: 0.001,
        order_value: 1000.0,
        inspection_days: 1.0,
        behaviour: behaviour(0.0, 1.0, 0.0),
        rules: "vetting_window_months: 6, vetting_min_orders: 6, \
                vetting_criteria: Thresholds(min_on_time_rate: 0.0, max_dispute_rate: 1.0, \
                max_refund_rate: 1.0, min_response_rate: 0.0)"
            .to_string(),
    };
    let reports = world.replicate();
    vec![Check::statistical(
        "vetting approvals at the start on known histories",
        "P(Poisson(6 x orders_per_month) >= vetting_min_orders)",
        poisson_at_least(6.0, 6),
        &sample(&reports, |report| {
            count(report, "vetting.approved") as f64 / 2_000.0
        }),
        "replications of 2,000 suppliers",
        Rival {
            what: "five months read: P(Poisson(5) >= 6)".to_string(),
            value: poisson_at_least(5.0, 6),
        },
    )]
}

/// The storefront at the end shows the twelve whole months before the
/// month the run ends in.
///
/// A 45-day run from 2015-01-01 ends on 2015-02-15: the storefront shows
/// February 2014 to January 2015, eleven months of prior history (Poisson(2)
/// orders each) and a January without orders (no supplier volunteers, and
/// buyers ask about once a millennium). Mean 12-month orders: 11 x 2 = 22.
/// Reading one month past the end (the defect) shows ten prior months, 20.
pub fn storefront_at_the_end() -> Vec<Check> {
    let world = World {
        name: "storefront-end",
        horizon_days: 45,
        suppliers: 1_000,
        volunteer: 0.0,
        prior_history: "Some((orders_per_month: 2.0, order_value: Fixed(1000.0)))",
        inquiries_per_year: 0.000001,
        order_value: 1000.0,
        inspection_days: 1.0,
        behaviour: behaviour(0.0, 1.0, 0.0),
        rules: String::new(),
    };
    let reports = world.replicate();
    let mut checks = vec![Check::exact(
        "storefront design has no in-run orders",
        "inquiries = 0",
        Decimal::ZERO,
        Decimal::from(sum(&reports, "inquiries.total")),
        "sum over the replications",
    )];
    checks.push(Check::statistical(
        "storefront 12-month orders at the end",
        "(12 - whole months run) x prior orders_per_month",
        22.0,
        &sample(&reports, |report| {
            rate(report, "storefront.mean_12_month_orders_unbadged")
        }),
        "replications of 1,000 suppliers",
        Rival {
            what: "one month past the end: 10 x 2".to_string(),
            value: 20.0,
        },
    ));
    checks
}

/// Every covered order late and claimed, every claim decided for the buyer:
/// the deposit released at contract (escrow then holds the balance, 700),
/// or at acceptance (escrow holds all 1,000). Decisions come 45 days after
/// the contract (30 to ship-by, 5 late, 2 in transit, 1 inspecting, 3
/// negotiating, 4 to decide); an advance is recovered 60 days later.
fn late_claims(release: &str) -> World<'static> {
    World {
        behaviour: behaviour(1.0, 1.0, 0.0),
        rules: format!(
            "{OPEN_PROGRAM} decision_accuracy: 1.0, deposit_release: {release}, recovery_days: 60"
        ),
        ..World::trading("late-claims")
    }
}

/// The refund rate is a share of resolved covered orders, counted at the
/// same event as the refund: never above 1, and unmoved by a rule that
/// only moves money in time.
///
/// In `late_claims`, every resolved covered order is refunded: rate = 1
/// and value rate = 1 (the whole value is refunded; with the deposit
/// released at contract 300 of it is advanced). Counting refunds at the
/// decision but the denominator only after an advance's recovery (the
/// defect) gave a rate above 1. Releasing the deposit at contract or at
/// acceptance changes no claim's time, so every refund figure is equal,
/// seed by seed.
pub fn refund_rate_is_a_share() -> Vec<Check> {
    let at_contract = late_claims("AtContract");
    let at_acceptance = late_claims("AtAcceptance");
    let mut checks = Vec::new();
    let reports = at_contract.replicate();
    let refunds = sum(&reports, "refunds.count");
    checks.push(Check::exact(
        "refund rate with every order advanced",
        "refunds / resolved covered orders = 1",
        Decimal::ONE,
        Decimal::from_str(&format!("{}", rate(&reports[0], "refunds.rate"))).expect("a rate"),
        "one run",
    ));
    checks.push(Check::exact(
        "refunds counted with their resolutions",
        "refunds = resolved (every resolved order is refunded)",
        Decimal::from(refunds),
        Decimal::from(sum(&reports, "refunds.resolved")),
        "sum over the replications",
    ));
    let advanced: Decimal = reports
        .iter()
        .map(|report| money(report, "ledger.advanced_by_platform"))
        .sum();
    checks.push(Check::exact(
        "advances when the deposit left at contract",
        "refunds x (1000 - 700)",
        Decimal::from(refunds * 300),
        advanced,
        "sum over the replications",
    ));
    let differing_seeds = (1..=4)
        .filter(|&seed| {
            let figures = |world: &World| {
                let report = world.run_with_seed(seed);
                (
                    count(&report, "refunds.count"),
                    count(&report, "refunds.resolved"),
                    rate(&report, "refunds.rate").to_bits(),
                    money(&report, "refunds.value"),
                )
            };
            figures(&at_contract) != figures(&at_acceptance)
        })
        .count();
    checks.push(Check::exact(
        "refund figures under a timing-only rule",
        "seeds whose refund count, resolved, rate or value differ = 0",
        Decimal::ZERO,
        Decimal::from(differing_seeds),
        "4 seeds, deposit released at contract vs at acceptance",
    ));
    checks
}

/// A claim with several grounds is refunded on the most generous one.
///
/// Every order ships late and does not conform; every buyer claims and
/// every supplier settles at once. With the refund scope everything paid,
/// each refund is the whole value, 1,000 (lateness), not the defect share,
/// 200 (the defect); every claim is recorded with both grounds.
pub fn late_and_defective_claims() -> Vec<Check> {
    let world = World {
        behaviour: behaviour(1.0, 0.0, 1.0),
        rules: OPEN_PROGRAM.to_string(),
        ..World::trading("late-and-defective")
    };
    let reports = world.replicate();
    let refunds = sum(&reports, "refunds.count");
    let value: Decimal = reports
        .iter()
        .map(|report| money(report, "refunds.value"))
        .sum();
    vec![
        Check::exact(
            "refund of goods late and defective",
            "refunds x order value (lateness entitles the whole scope)",
            Decimal::from(refunds * 1_000),
            value,
            "sum over the replications",
        ),
        Check::exact(
            "claims of goods late and defective keep both grounds",
            "claims.by_reason.late_and_quality = claims filed",
            Decimal::from(sum(&reports, "claims.filed")),
            Decimal::from(sum(&reports, "claims.by_reason.late_and_quality")),
            "sum over the replications",
        ),
    ]
}

/// A claim at the very second escrow auto-releases is still a claim.
///
/// Inspection takes exactly 7 days, the auto-release comes 7 days after
/// delivery, the window is 14: every late order's buyer claims at the
/// moment of the release, inside the window, so claims = late orders
/// delivered by then, and each is refunded (settled at once).
pub fn claim_at_the_auto_release() -> Vec<Check> {
    let world = World {
        inspection_days: 7.0,
        behaviour: behaviour(1.0, 1.0, 1.0),
        rules: format!("{OPEN_PROGRAM} auto_release_days: 7, claim_window_days: 14"),
        ..World::trading("claim-at-release")
    };
    let reports = world.replicate();
    let claims = sum(&reports, "claims.filed");
    vec![
        Check::exact(
            "claims at the instant of auto-release",
            "claims filed = refunds (none dropped; every claim settled)",
            Decimal::from(sum(&reports, "refunds.count")),
            Decimal::from(claims),
            "sum over the replications",
        ),
        Check::exact(
            "claims at the instant of auto-release are filed",
            "claims filed > 0",
            Decimal::ONE,
            Decimal::from(u64::from(claims > 0)),
            "sum over the replications",
        ),
    ]
}

/// A justified claim the platform wrongly denies is the buyer's loss.
///
/// Every order is late and claimed, no supplier settles, the platform is
/// always wrong: each decided claim costs the buyer the whole order value,
/// and nothing is refunded.
pub fn wrongly_denied_claims() -> Vec<Check> {
    let world = World {
        behaviour: behaviour(1.0, 1.0, 0.0),
        rules: format!("{OPEN_PROGRAM} decision_accuracy: 0.0"),
        ..World::trading("wrongly-denied")
    };
    let reports = world.replicate();
    let loss: Decimal = reports
        .iter()
        .map(|report| money(report, "risk.buyer_uncovered_loss"))
        .sum();
    vec![Check::exact(
        "buyer loss from wrongly denied claims",
        "decided claims x order value",
        Decimal::from(sum(&reports, "claims.decided") * 1_000),
        loss,
        "sum over the replications",
    )]
}

/// Orders in flight, by Little's law; and the identities of the counts.
///
/// Uncovered orders (no supplier volunteers) are answered at once,
/// contracted an hour later, produced in 5 days, in transit 2 and
/// inspected 20: from contract, a life of exactly L = 27 days, at the end
/// of which the order completes. Contracts form a Poisson stream of rate
/// λ = 1,000 x 6 / 365 a day, so the orders open at the end (placed, not
/// completed) are those contracted in the last L days: Poisson(λ L). An
/// uncovered order completing at delivery (the defect) gives L = 7.
///
/// Covered orders with the deposit released at contract: the platform's
/// exposure at the end is the deposits (300 each) of the orders contracted
/// in the last P + T + I = 5 + 2 + 20 days (accepted at the end of
/// inspection): 300 λ x 27 in expectation. Exposure from shipment on would
/// give 300 λ x 22.
pub fn orders_in_flight() -> Vec<Check> {
    let rate_per_day = 1_000.0 * 6.0 / 365.0;
    let mut uncovered = World {
        name: "little-uncovered",
        horizon_days: 120,
        suppliers: 50,
        volunteer: 0.0,
        prior_history: "None",
        inquiries_per_year: 6.0,
        order_value: 1000.0,
        inspection_days: 20.0,
        behaviour: behaviour(0.0, 1.0, 0.0),
        rules: String::new(),
    };
    let reports = uncovered.replicate();
    let mut checks = vec![Check::statistical(
        "uncovered orders in flight at the end (Little's law)",
        "λ x (production + transit + inspection)",
        rate_per_day * 27.0,
        &sample(&reports, |report| {
            count(report, "orders.open_at_end") as f64
        }),
        "replications",
        Rival {
            what: "completion at delivery: λ x 7".to_string(),
            value: rate_per_day * 7.0,
        },
    )];
    let placed = sum(&reports, "orders.placed");
    checks.push(Check::exact(
        "orders open at the end",
        "open_at_end = placed - completed",
        Decimal::from(placed - sum(&reports, "orders.completed")),
        Decimal::from(sum(&reports, "orders.open_at_end")),
        "sum over the replications",
    ));
    checks.push(Check::exact(
        "inquiries partitioned",
        "inquiries = unanswered + placed + quoted_at_end",
        Decimal::from(sum(&reports, "inquiries.total")),
        Decimal::from(
            sum(&reports, "inquiries.unanswered")
                + placed
                + sum(&reports, "inquiries.quoted_at_end"),
        ),
        "sum over the replications",
    ));
    uncovered.name = "little-exposure";
    uncovered.volunteer = 1.0;
    uncovered.rules = format!("{OPEN_PROGRAM} deposit_release: AtContract");
    let reports = uncovered.replicate();
    // Every order is covered here, so every open order is a covered one.
    checks.push(Check::exact(
        "covered orders open at the end",
        "covered_open_at_end = open_at_end (every order covered)",
        Decimal::from(sum(&reports, "orders.open_at_end")),
        Decimal::from(sum(&reports, "orders.covered_open_at_end")),
        "sum over the replications",
    ));
    checks.push(Check::statistical(
        "deposits released before acceptance at the end (Little's law)",
        "deposit x λ x (production + transit + inspection)",
        300.0 * rate_per_day * 27.0,
        &sample(&reports, |report| {
            let monthly = value_at(report, "monthly");
            let last = monthly
                .as_array()
                .and_then(|months| months.last())
                .expect("a run has months");
            last["exposure_end"]
                .as_str()
                .and_then(|text| text.parse::<f64>().ok())
                .expect("exposure is money")
        }),
        "replications",
        Rival {
            what: "exposure from shipment on: deposit x λ x 22".to_string(),
            value: 300.0 * rate_per_day * 22.0,
        },
    ));
    checks
}

/// Orders below `coverage_min_order_value` are not covered; orders at it
/// are. Every supplier is approved and every buyer pays by T/T, so with
/// orders of exactly 1,000, a minimum of 1,000 covers every order and a
/// minimum of 1,000.01 none.
pub fn coverage_minimum_order_value() -> Vec<Check> {
    let covered = |minimum: &str| {
        let world = World {
            name: "coverage-minimum",
            horizon_days: 60,
            suppliers: 50,
            volunteer: 1.0,
            prior_history: "None",
            inquiries_per_year: 6.0,
            order_value: 1000.0,
            inspection_days: 1.0,
            behaviour: behaviour(0.0, 1.0, 0.0),
            rules: format!("{OPEN_PROGRAM} coverage_min_order_value: \"{minimum}\""),
        };
        let report = world.run_with_seed(1);
        (
            count(&report, "orders.covered"),
            count(&report, "orders.placed"),
        )
    };
    let (at_minimum, placed) = covered("1000.00");
    let (above_minimum, _) = covered("1000.01");
    vec![
        Check::exact(
            "coverage of orders at the minimum value",
            "covered = placed (value >= minimum)",
            Decimal::from(placed),
            Decimal::from(at_minimum),
            "one run",
        ),
        Check::exact(
            "coverage of orders below the minimum value",
            "covered = 0 (value < minimum)",
            Decimal::ZERO,
            Decimal::from(above_minimum),
            "one run",
        ),
    ]
}
