//! Why B differs from A, order by order: two traces of one replication
//! paired by order number, each changed order's first diverging event and
//! the rule that decided it, and a table of changed outcome x cause whose
//! money reconciles exactly with the difference of the two ledgers.
//!
//! Common random numbers make order number `n` the same inquiry in both
//! runs, with the same draws in every phase; while the two trajectories
//! agree, an order's records agree too. An order whose outcome differs
//! (supplier, coverage, refund, loss, fees, any money) is explained by the
//! first of its events that differs (time, kind, states, money): the rule
//! values recorded with that event, or with the event before it (which
//! scheduled it), name the cause when they differ; otherwise the cause is
//! the world the order met (a supplier's standing, another supplier
//! chosen), a knock-on of rules acting on other orders. Every money
//! movement belongs to one order (the trace of every order sums to the
//! ledger), so the changed orders' differences add up exactly to the
//! difference of the ledgers: [`Explanation::reconciles`] checks it flow by
//! flow, in cents.

use escrowsim_core::program::ledger::LedgerTotals;
use escrowsim_core::program::trace::{Flow, TraceRecord};
use serde::Serialize;
use std::collections::BTreeMap;

/// The traces of one replication of A and of B, with their ledgers.
#[derive(Clone, Debug)]
pub struct PairedTraces {
    pub replication: u32,
    pub a: Vec<TraceRecord>,
    pub a_ledger: LedgerTotals,
    pub b: Vec<TraceRecord>,
    pub b_ledger: LedgerTotals,
}

/// Where an order's life ends up in one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OrderOutcome {
    /// `None`: no supplier answered (or the order never appeared).
    pub supplier: Option<u32>,
    pub covered: bool,
    pub refunded: bool,
    /// The state after its last event: `completed` or where it stood at the end.
    pub final_state: &'static str,
    /// Cents of each flow, in [`Flow::ALL`] order.
    pub flows: [i64; 9],
}

impl OrderOutcome {
    fn of(records: &[&TraceRecord]) -> OrderOutcome {
        let mut flows = [0; 9];
        for record in records {
            for (index, flow) in Flow::ALL.into_iter().enumerate() {
                flows[index] += record.cents_of(flow);
            }
        }
        let last = records.last();
        OrderOutcome {
            supplier: last.and_then(|record| record.supplier),
            covered: records.iter().any(|record| record.covered),
            refunded: records.iter().any(|record| record.refunded),
            final_state: last.map_or("none", |record| record.state_after),
            flows,
        }
    }

    fn flow(&self, flow: Flow) -> i64 {
        self.flows[Flow::ALL
            .iter()
            .position(|&each| each == flow)
            .expect("every flow is in ALL")]
    }

    /// What buyers got back: refunds out of escrow, advanced by the
    /// platform and paid by suppliers.
    pub fn refunds_to_buyers(&self) -> i64 {
        self.flow(Flow::RefundedFromEscrow)
            + self.flow(Flow::AdvancedByPlatform)
            + self.flow(Flow::RefundedBySuppliers)
    }
}

/// The first event at which an order's two records differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Divergence {
    /// Index of the event in the order's life (0: its inquiry).
    pub event: usize,
    pub time_a: Option<String>,
    pub time_b: Option<String>,
    pub kind_a: Option<&'static str>,
    pub kind_b: Option<&'static str>,
    pub state_after_a: Option<&'static str>,
    pub state_after_b: Option<&'static str>,
}

/// One order whose outcome differs between A and B.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangedOrder {
    pub replication: u32,
    pub order: u64,
    pub change: &'static str,
    pub cause: String,
    pub diverged: Divergence,
    pub a: OrderOutcome,
    pub b: OrderOutcome,
}

impl ChangedOrder {
    /// B - A of one flow.
    pub fn delta(&self, flow: Flow) -> i64 {
        self.b.flow(flow) - self.a.flow(flow)
    }

    /// B - A of the refunds buyers got.
    pub fn refunds_delta(&self) -> i64 {
        self.b.refunds_to_buyers() - self.a.refunds_to_buyers()
    }

    /// The largest absolute difference of any flow: how much the change weighs.
    pub fn weight(&self) -> i64 {
        Flow::ALL
            .into_iter()
            .map(|flow| self.delta(flow).abs())
            .max()
            .unwrap_or(0)
    }
}

/// One row of the table: changed orders of one kind of change and cause.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChangeRow {
    pub change: &'static str,
    pub cause: String,
    pub orders: u64,
    /// B - A in cents of what buyers got back.
    pub refunds_to_buyers: i64,
    /// B - A in cents of advances written off (the report's platform loss).
    pub platform_loss: i64,
    pub fees: i64,
    pub released_to_suppliers: i64,
    /// B - A of each flow, in [`Flow::ALL`] order.
    pub flows: [i64; 9],
}

/// One flow's reconciliation: the changed orders' sum against B - A of the ledgers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlowCheck {
    pub flow: &'static str,
    pub changed_orders_cents: i128,
    pub ledger_difference_cents: i128,
}

/// The explanation of a comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub replications: u32,
    pub orders_compared: u64,
    pub orders_changed: u64,
    pub table: Vec<ChangeRow>,
    pub total: ChangeRow,
    pub reconciliation: Vec<FlowCheck>,
    /// The largest changed orders, largest first.
    pub largest: Vec<ChangedOrder>,
}

impl Explanation {
    /// Whether every flow's changed orders sum exactly to B - A of the ledgers.
    pub fn reconciles(&self) -> bool {
        self.reconciliation
            .iter()
            .all(|check| check.changed_orders_cents == check.ledger_difference_cents)
    }
}

/// The kinds of change, in the order an order is classed by the first that applies.
pub const CHANGES: [&str; 8] = [
    "supplier chosen",
    "coverage",
    "refunded vs not",
    "lost (written off)",
    "advanced",
    "refund amount",
    "fees",
    "settlement (timing or state)",
];

/// Explains the pairs; lists the `largest` changed orders.
pub fn explain(pairs: &[PairedTraces], largest: usize) -> Explanation {
    let mut explainer = Explainer::new(largest);
    for pair in pairs {
        explainer.add(pair);
    }
    explainer.finish()
}

/// Builds an [`Explanation`] one replication at a time, so that only one
/// pair of traces need be held.
#[derive(Clone, Debug)]
pub struct Explainer {
    largest: usize,
    replications: u32,
    rows: BTreeMap<(usize, String), ChangeRow>,
    total: ChangeRow,
    kept: Vec<ChangedOrder>,
    compared: u64,
    changed: u64,
    sums: [i128; 9],
    differences: [i128; 9],
}

impl Explainer {
    /// An explainer that lists the `largest` changed orders.
    pub fn new(largest: usize) -> Explainer {
        Explainer {
            largest,
            replications: 0,
            rows: BTreeMap::new(),
            total: ChangeRow {
                change: "all changed orders",
                ..ChangeRow::default()
            },
            kept: Vec::new(),
            compared: 0,
            changed: 0,
            sums: [0; 9],
            differences: [0; 9],
        }
    }

    /// Adds one replication's pair of traces.
    pub fn add(&mut self, pair: &PairedTraces) {
        self.replications += 1;
        let a = by_order(&pair.a);
        let b = by_order(&pair.b);
        let mut orders: Vec<u64> = a.keys().chain(b.keys()).copied().collect();
        orders.sort_unstable();
        orders.dedup();
        let empty = Vec::new();
        for order in orders {
            self.compared += 1;
            let records_a = a.get(&order).unwrap_or(&empty);
            let records_b = b.get(&order).unwrap_or(&empty);
            let (outcome_a, outcome_b) = (OrderOutcome::of(records_a), OrderOutcome::of(records_b));
            if outcome_a == outcome_b {
                continue;
            }
            let change = change_of(&outcome_a, &outcome_b);
            let (diverged, cause) = first_divergence(records_a, records_b);
            let changed = ChangedOrder {
                replication: pair.replication,
                order,
                change: CHANGES[change],
                cause,
                diverged,
                a: outcome_a,
                b: outcome_b,
            };
            let row = self
                .rows
                .entry((change, changed.cause.clone()))
                .or_insert_with(|| ChangeRow {
                    change: CHANGES[change],
                    cause: changed.cause.clone(),
                    ..ChangeRow::default()
                });
            add(row, &changed);
            add(&mut self.total, &changed);
            for (index, flow) in Flow::ALL.into_iter().enumerate() {
                self.sums[index] += i128::from(changed.delta(flow));
            }
            self.changed += 1;
            self.kept.push(changed);
        }
        for (index, flow) in Flow::ALL.into_iter().enumerate() {
            self.differences[index] += flow.of(&pair.b_ledger) - flow.of(&pair.a_ledger);
        }
        self.keep_largest();
    }

    /// Keeps the largest changed orders: largest first, ties by
    /// replication and order number, so the list is the same everywhere.
    fn keep_largest(&mut self) {
        self.kept.sort_by(|x, y| {
            y.weight()
                .cmp(&x.weight())
                .then(x.replication.cmp(&y.replication))
                .then(x.order.cmp(&y.order))
        });
        self.kept.truncate(self.largest);
    }

    pub fn finish(self) -> Explanation {
        Explanation {
            replications: self.replications,
            orders_compared: self.compared,
            orders_changed: self.changed,
            table: self.rows.into_values().collect(),
            total: self.total,
            reconciliation: Flow::ALL
                .into_iter()
                .enumerate()
                .map(|(index, flow)| FlowCheck {
                    flow: flow.key(),
                    changed_orders_cents: self.sums[index],
                    ledger_difference_cents: self.differences[index],
                })
                .collect(),
            largest: self.kept,
        }
    }
}

fn add(row: &mut ChangeRow, changed: &ChangedOrder) {
    row.orders += 1;
    row.refunds_to_buyers += changed.refunds_delta();
    row.platform_loss += changed.delta(Flow::WrittenOff);
    row.fees += changed.delta(Flow::Fees);
    row.released_to_suppliers += changed.delta(Flow::ReleasedToSuppliers);
    for (index, flow) in Flow::ALL.into_iter().enumerate() {
        row.flows[index] += changed.delta(flow);
    }
}

/// The records of each order, in the order of the run.
fn by_order(records: &[TraceRecord]) -> BTreeMap<u64, Vec<&TraceRecord>> {
    let mut orders: BTreeMap<u64, Vec<&TraceRecord>> = BTreeMap::new();
    for record in records {
        orders.entry(record.order).or_default().push(record);
    }
    orders
}

/// The index in [`CHANGES`] of the first kind of change that applies.
fn change_of(a: &OrderOutcome, b: &OrderOutcome) -> usize {
    let differs = [
        a.supplier != b.supplier,
        a.covered != b.covered,
        a.refunded != b.refunded,
        a.flow(Flow::WrittenOff) != b.flow(Flow::WrittenOff),
        a.flow(Flow::AdvancedByPlatform) != b.flow(Flow::AdvancedByPlatform),
        a.refunds_to_buyers() != b.refunds_to_buyers(),
        a.flow(Flow::Fees) != b.flow(Flow::Fees),
    ];
    differs
        .iter()
        .position(|&differs| differs)
        .unwrap_or(CHANGES.len() - 1)
}

/// Whether two records of an order tell the same step, rules aside.
fn same_step(a: &TraceRecord, b: &TraceRecord) -> bool {
    a.seconds == b.seconds
        && a.kind == b.kind
        && a.state_before == b.state_before
        && a.state_after == b.state_after
        && a.supplier == b.supplier
        && a.covered == b.covered
        && a.coverage_cents == b.coverage_cents
        && a.movements == b.movements
}

/// The rules whose values differ between two records of one step.
fn rules_differing(a: &TraceRecord, b: &TraceRecord) -> Vec<&'static str> {
    a.rules
        .iter()
        .filter(|rule| {
            b.rules
                .iter()
                .find(|other| other.rule == rule.rule)
                .is_some_and(|other| other.value != rule.value)
        })
        .map(|rule| rule.rule)
        .collect()
}

/// The first event at which the two lives differ, and its cause.
fn first_divergence(a: &[&TraceRecord], b: &[&TraceRecord]) -> (Divergence, String) {
    let event = a
        .iter()
        .zip(b)
        .position(|(a, b)| !same_step(a, b))
        .unwrap_or(a.len().min(b.len()));
    let (at_a, at_b) = (a.get(event).copied(), b.get(event).copied());
    let divergence = Divergence {
        event,
        time_a: at_a.map(|record| record.time.clone()),
        time_b: at_b.map(|record| record.time.clone()),
        kind_a: at_a.map(|record| record.kind),
        kind_b: at_b.map(|record| record.kind),
        state_after_a: at_a.map(|record| record.state_after),
        state_after_b: at_b.map(|record| record.state_after),
    };
    let rule_cause =
        |rules: Vec<&str>| (!rules.is_empty()).then(|| format!("rule {}", rules.join(" + ")));
    let here = match (at_a, at_b) {
        // Coverage at a contract is decided by the coverage rules and the
        // supplier's standing, not by the deposit's rules.
        (Some(x), Some(y))
            if x.kind == "contract"
                && (x.covered != y.covered || x.coverage_cents != y.coverage_cents) =>
        {
            let mut rules = rules_differing(x, y);
            rules.retain(|rule| !rule.starts_with("deposit_"));
            rule_cause(rules)
        }
        (Some(x), Some(y)) if x.kind == y.kind => rule_cause(rules_differing(x, y)),
        _ => None,
    };
    // A step's time and kind were scheduled by the step before it, under
    // the rules recorded there.
    let coverage_differs = matches!((at_a, at_b), (Some(x), Some(y))
        if x.kind == "contract" && (x.covered != y.covered || x.coverage_cents != y.coverage_cents));
    let before = (event > 0 && !coverage_differs)
        .then(|| rule_cause(rules_differing(a[event - 1], b[event - 1])))
        .flatten();
    let cause = here.or(before).unwrap_or_else(|| match (at_a, at_b) {
        (Some(x), Some(y)) if x.kind == "inquiry" && x.supplier != y.supplier => {
            "different supplier chosen (storefronts differ)".to_string()
        }
        (Some(x), Some(y)) if x.kind == "contract" && x.covered != y.covered => {
            "supplier's standing (vetting or coverage limit)".to_string()
        }
        (Some(x), Some(y)) if x.kind == "contract" && x.coverage_cents != y.coverage_cents => {
            "supplier's standing (vetting or coverage limit)".to_string()
        }
        _ => "knock-on (the order met a different world)".to_string(),
    });
    (divergence, cause)
}

/// Runs replication `index` of the plan's seeds (as `compare` runs it) of
/// A and of B, every order traced.
pub fn trace_pair<P: escrowsim_core::program::Probe>(
    a: &escrowsim_core::scenario::Scenario,
    b: &escrowsim_core::scenario::Scenario,
    base_seed: u64,
    index: u32,
    antithetic: bool,
    probe: &mut P,
) -> Result<PairedTraces, escrowsim_core::program::Interrupted> {
    use escrowsim_core::program::trace::{OrderSample, TraceCollector};
    let mut traced = |scenario| {
        let (_, streams) = crate::replicate::replication_draws(base_seed, index, antithetic);
        let mut collector = TraceCollector::new(OrderSample::All);
        let output =
            escrowsim_core::run_on_streams_observed(scenario, streams, probe, &mut collector)?;
        Ok((collector.records, output.ledger))
    };
    let (a_records, a_ledger) = traced(a)?;
    let (b_records, b_ledger) = traced(b)?;
    Ok(PairedTraces {
        replication: index,
        a: a_records,
        a_ledger,
        b: b_records,
        b_ledger,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use escrowsim_core::program::trace::{Movement, RuleValue};

    fn step(kind: &'static str, seconds: u64, state_after: &'static str) -> TraceRecord {
        TraceRecord {
            seconds,
            time: format!("t{seconds}"),
            kind,
            order: 1,
            buyer: 0,
            buyer_segment: 0,
            supplier: Some(4),
            state_before: "",
            state_after,
            value_cents: 1_000,
            covered: true,
            coverage_cents: 1_000,
            held_cents: 0,
            claim_reason: None,
            refunded: false,
            movements: Vec::new(),
            rules: Vec::new(),
        }
    }

    fn with_rule(mut record: TraceRecord, rule: &'static str, value: &str) -> TraceRecord {
        record.rules.push(RuleValue {
            rule,
            value: value.to_string(),
        });
        record
    }

    fn refund(mut record: TraceRecord, cents: i64) -> TraceRecord {
        record.movements.push(Movement {
            flow: "refunded_from_escrow",
            debit: "escrow",
            credit: "buyers",
            cents,
        });
        record.refunded = true;
        record
    }

    #[test]
    fn a_step_scheduled_under_another_rule_is_blamed_on_that_rule() {
        // Goal: the lives agree up to the delivery, whose claim window
        // differs; the next step differs in kind (a claim in A, an
        // auto-release in B), so the cause is the rule recorded with the
        // delivery that scheduled it, and the change is "refunded vs not".
        let a = vec![
            step("inquiry", 0, "quoted"),
            with_rule(step("delivery", 10, "delivered"), "claim_window_days", "30"),
            refund(step("claim", 20, "completed"), 500),
        ];
        let b = vec![
            step("inquiry", 0, "quoted"),
            with_rule(step("delivery", 10, "delivered"), "claim_window_days", "10"),
            step("auto_release", 25, "completed"),
        ];
        let pair = PairedTraces {
            replication: 0,
            a,
            a_ledger: LedgerTotals {
                refunded_from_escrow: escrowsim_core::program::money::CentsTotal::from_cents(500),
                ..LedgerTotals::default()
            },
            b,
            b_ledger: LedgerTotals::default(),
        };
        let explanation = explain(&[pair], 1);
        assert_eq!(explanation.orders_changed, 1);
        let changed = &explanation.largest[0];
        assert_eq!(changed.change, "refunded vs not");
        assert_eq!(changed.cause, "rule claim_window_days");
        assert_eq!(changed.diverged.event, 2);
        assert_eq!(changed.diverged.kind_a, Some("claim"));
        assert_eq!(changed.diverged.kind_b, Some("auto_release"));
        assert_eq!(explanation.total.refunds_to_buyers, -500);
        assert!(explanation.reconciles());
    }

    #[test]
    fn another_supplier_chosen_is_a_change_of_the_world_not_of_a_rule() {
        // Goal: an inquiry that picks another supplier, with no rule
        // recorded, is classed "supplier chosen" and caused by the choice.
        let a = vec![step("inquiry", 0, "quoted")];
        let mut other = step("inquiry", 0, "quoted");
        other.supplier = Some(5);
        let pair = PairedTraces {
            replication: 3,
            a,
            a_ledger: LedgerTotals::default(),
            b: vec![other],
            b_ledger: LedgerTotals::default(),
        };
        let explanation = explain(&[pair], 1);
        assert_eq!(explanation.largest[0].change, "supplier chosen");
        assert_eq!(
            explanation.largest[0].cause,
            "different supplier chosen (storefronts differ)"
        );
    }

    #[test]
    fn a_ledger_difference_no_order_explains_fails_the_reconciliation() {
        // Goal: the reconciliation can fail: a ledger that moved money no
        // traced order moved does not reconcile.
        let pair = PairedTraces {
            replication: 0,
            a: vec![step("inquiry", 0, "quoted")],
            a_ledger: LedgerTotals::default(),
            b: vec![step("inquiry", 0, "quoted")],
            b_ledger: LedgerTotals {
                fees: escrowsim_core::program::money::CentsTotal::from_cents(1),
                ..LedgerTotals::default()
            },
        };
        assert!(!explain(&[pair], 0).reconciles());
    }
}
