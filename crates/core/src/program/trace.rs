//! What a run can tell about single orders: the events of chosen orders as
//! [`TraceRecord`]s, and every ledger movement as two-phase
//! [`TransferRecord`]s.
//!
//! A run is generic over an [`Observer`]. The run loop asks it, before each
//! event of an order, whether the order is traced; only then does it note
//! the order's state and the ledger's totals, and after the event hand the
//! observer one record with the difference. [`NoTrace`] is a zero-sized
//! observer whose `ACTIVE` is false, so in an untraced run every test of the
//! loop is a constant and the whole mechanism compiles away: tracing off
//! costs nothing. The money of a record is read from the ledger's totals
//! before and after the event, not booked by the handlers, so a trace cannot
//! disagree with the ledger and the handlers carry no tracing code.
//!
//! Sampling is by order number only ([`OrderSample`]): common random numbers
//! make an order number the same inquiry under any rules, so two rule sets
//! trace the same orders.
//!
//! Records are plain structs with serde, written by the binary (JSON Lines,
//! CSV); the core builds them and does no I/O.

use super::ledger::{Account, LedgerTotals};
use super::order::OrderState;
use crate::scenario::{DepositRelease, FeeScope, RefundScope, Rules};
use serde::Serialize;
use std::collections::BTreeMap;

/// Receives the records of a run; see the module documentation.
pub trait Observer {
    /// Whether the run records anything: false compiles the tracing away.
    const ACTIVE: bool;

    /// Whether the order numbered `order_number` is traced.
    fn traces(&self, order_number: u64) -> bool;

    /// Whether the records of a traced order need their descriptive
    /// fields (`time` and `rules`); without them those are left empty,
    /// which spares their strings when only the money is wanted.
    fn describes(&self, _order_number: u64) -> bool {
        true
    }

    /// One event of a traced order.
    fn record(&mut self, record: TraceRecord);
}

/// The observer of an untraced run: records nothing, costs nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Observer for NoTrace {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn traces(&self, _order_number: u64) -> bool {
        false
    }

    #[inline(always)]
    fn record(&mut self, _record: TraceRecord) {}
}

/// Which orders a run traces, decided by order number alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderSample {
    /// Every order.
    All,
    /// Order `n` is traced when `mix(n) < threshold` (see [`order_hash`]):
    /// each order with probability `threshold / 2^64`, the same orders for
    /// any rules.
    Hashed { threshold: u64 },
    /// Exactly these order numbers (sorted, no duplicates).
    Numbers(Vec<u64>),
}

impl OrderSample {
    /// About `wanted` orders out of `expected_orders`: each order is traced
    /// when its hash falls below `2^64 * wanted / expected_orders`, so the
    /// count is binomial with that mean. Every order when `wanted` reaches
    /// the expected count.
    pub fn about(wanted: u64, expected_orders: u64) -> OrderSample {
        if expected_orders == 0 || wanted >= expected_orders {
            return OrderSample::All;
        }
        let threshold = (u128::from(wanted) << 64) / u128::from(expected_orders);
        OrderSample::Hashed {
            threshold: threshold as u64,
        }
    }

    /// Exactly the order numbers given.
    pub fn numbers(mut numbers: Vec<u64>) -> OrderSample {
        numbers.sort_unstable();
        numbers.dedup();
        OrderSample::Numbers(numbers)
    }

    #[inline]
    pub fn contains(&self, order_number: u64) -> bool {
        match self {
            OrderSample::All => true,
            OrderSample::Hashed { threshold } => order_hash(order_number) < *threshold,
            OrderSample::Numbers(numbers) => numbers.binary_search(&order_number).is_ok(),
        }
    }
}

/// The SplitMix64 finaliser of `order_number + 1`: a fixed, documented
/// mixing of the order number into 64 well-spread bits (docs/trace.md).
pub fn order_hash(order_number: u64) -> u64 {
    let mut z = order_number
        .wrapping_add(1)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One kind of money movement: a flow of the report's ledger section and
/// the accounts it moves between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Flow {
    /// Buyers -> Escrow: a hold (two-phase: pending).
    PaidIntoEscrow,
    /// Escrow -> Suppliers: a post of the hold, net of fees.
    ReleasedToSuppliers,
    /// Escrow -> PlatformRevenue: the fee part of a post.
    Fees,
    /// Escrow -> Buyers: a void of the hold.
    RefundedFromEscrow,
    /// PlatformFunds -> Buyers.
    AdvancedByPlatform,
    /// Suppliers -> PlatformFunds.
    RecoveredFromSuppliers,
    /// No money moves: an advance reclassified as lost.
    WrittenOff,
    /// Buyers -> Suppliers, outside escrow.
    PaidDirectlyToSuppliers,
    /// Suppliers -> Buyers, outside escrow.
    RefundedBySuppliers,
}

impl Flow {
    /// Every flow, in the order a record lists them: holds before the posts
    /// and voids that take from them.
    pub const ALL: [Flow; 9] = [
        Flow::PaidIntoEscrow,
        Flow::ReleasedToSuppliers,
        Flow::Fees,
        Flow::RefundedFromEscrow,
        Flow::AdvancedByPlatform,
        Flow::RecoveredFromSuppliers,
        Flow::WrittenOff,
        Flow::PaidDirectlyToSuppliers,
        Flow::RefundedBySuppliers,
    ];

    /// The field of the report's ledger section this flow adds to.
    pub fn key(self) -> &'static str {
        match self {
            Flow::PaidIntoEscrow => "paid_into_escrow",
            Flow::ReleasedToSuppliers => "released_to_suppliers",
            Flow::Fees => "fees",
            Flow::RefundedFromEscrow => "refunded_from_escrow",
            Flow::AdvancedByPlatform => "advanced_by_platform",
            Flow::RecoveredFromSuppliers => "recovered_from_suppliers",
            Flow::WrittenOff => "written_off",
            Flow::PaidDirectlyToSuppliers => "paid_directly_to_suppliers",
            Flow::RefundedBySuppliers => "refunded_by_suppliers",
        }
    }

    /// (debit, credit): the account money leaves and the one it reaches;
    /// `None` for a write-off, which moves nothing.
    pub fn accounts(self) -> Option<(Account, Account)> {
        match self {
            Flow::PaidIntoEscrow => Some((Account::Buyers, Account::Escrow)),
            Flow::ReleasedToSuppliers => Some((Account::Escrow, Account::Suppliers)),
            Flow::Fees => Some((Account::Escrow, Account::PlatformRevenue)),
            Flow::RefundedFromEscrow => Some((Account::Escrow, Account::Buyers)),
            Flow::AdvancedByPlatform => Some((Account::PlatformFunds, Account::Buyers)),
            Flow::RecoveredFromSuppliers => Some((Account::Suppliers, Account::PlatformFunds)),
            Flow::WrittenOff => None,
            Flow::PaidDirectlyToSuppliers => Some((Account::Buyers, Account::Suppliers)),
            Flow::RefundedBySuppliers => Some((Account::Suppliers, Account::Buyers)),
        }
    }

    /// The cents of this flow in a set of ledger totals.
    pub fn of(self, totals: &LedgerTotals) -> i128 {
        let total = match self {
            Flow::PaidIntoEscrow => totals.paid_into_escrow,
            Flow::ReleasedToSuppliers => totals.released_to_suppliers,
            Flow::Fees => totals.fees,
            Flow::RefundedFromEscrow => totals.refunded_from_escrow,
            Flow::AdvancedByPlatform => totals.advanced_by_platform,
            Flow::RecoveredFromSuppliers => totals.recovered_from_suppliers,
            Flow::WrittenOff => totals.written_off,
            Flow::PaidDirectlyToSuppliers => totals.paid_directly_to_suppliers,
            Flow::RefundedBySuppliers => totals.refunded_by_suppliers,
        };
        total.cents()
    }
}

/// An account's name in records and in the transfers' account ids.
pub fn account_key(account: Account) -> &'static str {
    match account {
        Account::Buyers => "buyers",
        Account::Suppliers => "suppliers",
        Account::Escrow => "escrow",
        Account::PlatformRevenue => "platform_revenue",
        Account::PlatformFunds => "platform_funds",
    }
}

/// An account's id in the transfers file: 1 to 5 in [`Account::ALL`] order.
pub fn account_id(account: Account) -> u32 {
    Account::ALL
        .iter()
        .position(|&each| each == account)
        .expect("every account is in ALL") as u32
        + 1
}

/// An order state's name in records; `completed` once the order's life is
/// over (its slot recycled), `none` before its inquiry.
pub fn state_key(state: Option<OrderState>) -> &'static str {
    match state {
        None => "none",
        Some(OrderState::Free) => "completed",
        Some(OrderState::Quoted) => "quoted",
        Some(OrderState::InProduction) => "in_production",
        Some(OrderState::InTransit) => "in_transit",
        Some(OrderState::Delivered) => "delivered",
        Some(OrderState::ReleasedAwaitingClaim) => "released_awaiting_claim",
        Some(OrderState::NotShipped) => "not_shipped",
        Some(OrderState::Negotiating) => "negotiating",
        Some(OrderState::Escalated) => "escalated",
        Some(OrderState::Recovering) => "recovering",
    }
}

/// Money one event moved for its order, as one flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Movement {
    /// The report's ledger field it adds to (`Flow::key`).
    pub flow: &'static str,
    /// The account debited (money leaves it); empty for a write-off.
    pub debit: &'static str,
    /// The account credited; empty for a write-off.
    pub credit: &'static str,
    pub cents: i64,
}

impl Movement {
    /// The flow this movement belongs to.
    pub fn flow(&self) -> Flow {
        Flow::ALL
            .into_iter()
            .find(|flow| flow.key() == self.flow)
            .expect("a movement names a flow")
    }
}

/// The value of a rule that decided an event, as a scenario writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleValue {
    pub rule: &'static str,
    pub value: String,
}

/// One event of one traced order. Field meanings: docs/trace.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceRecord {
    /// Simulated seconds since the scenario's start.
    pub seconds: u64,
    /// The same instant as an ISO date-time of the simulated clock.
    pub time: String,
    /// What happened (`inquiry`, `contract`, `ship`, ...).
    pub kind: &'static str,
    pub order: u64,
    /// The buyer who made the inquiry.
    pub buyer: u32,
    pub buyer_segment: u16,
    /// The supplier chosen; `None` for an inquiry no supplier answered.
    pub supplier: Option<u32>,
    pub state_before: &'static str,
    pub state_after: &'static str,
    pub value_cents: i64,
    pub covered: bool,
    pub coverage_cents: i64,
    /// Held in escrow for the order after the event.
    pub held_cents: i64,
    pub claim_reason: Option<&'static str>,
    pub refunded: bool,
    /// The money the event moved, in [`Flow::ALL`] order.
    pub movements: Vec<Movement>,
    /// The rules that decide this kind of step, with their values then.
    pub rules: Vec<RuleValue>,
}

impl TraceRecord {
    /// The cents this record moved in `flow`.
    pub fn cents_of(&self, flow: Flow) -> i64 {
        self.movements
            .iter()
            .filter(|movement| movement.flow == flow.key())
            .map(|movement| movement.cents)
            .sum()
    }
}

/// The movements between two ledger totals around one event, in
/// [`Flow::ALL`] order, zero flows left out.
pub fn movements_between(before: &LedgerTotals, after: &LedgerTotals) -> Vec<Movement> {
    let mut movements = Vec::new();
    for flow in Flow::ALL {
        let cents = flow.of(after) - flow.of(before);
        if cents == 0 {
            continue;
        }
        let cents = i64::try_from(cents).expect("one event moves one order's money: within i64");
        let (debit, credit) = match flow.accounts() {
            Some((debit, credit)) => (account_key(debit), account_key(credit)),
            None => ("", ""),
        };
        movements.push(Movement {
            flow: flow.key(),
            debit,
            credit,
            cents,
        });
    }
    movements
}

/// The rules that decide each kind of step (docs/trace.md lists them).
pub fn rules_deciding(kind: &str) -> &'static [&'static str] {
    match kind {
        "contract" => &[
            "eligible_countries",
            "covered_payment_methods",
            "coverage_min_order_value",
            "coverage_limit_share_bps",
            "coverage_limit_floor",
            "coverage_limit_cap",
            "deposit_share_bps",
            "deposit_release",
        ],
        "ship" | "non_delivery_noticed" => &["late_shipment_grace_days", "deposit_release"],
        "delivery" => &["claim_window_days", "auto_release_days"],
        "confirm" | "auto_release" => &["seller_fee_bps", "seller_fee_applies_to"],
        "claim" => &["refund_scope", "seller_fee_bps", "seller_fee_applies_to"],
        "escalation" => &["decision_days"],
        "decision" => &[
            "decision_accuracy",
            "refund_scope",
            "advance_refunds",
            "recovery_days",
            "seller_fee_bps",
            "seller_fee_applies_to",
        ],
        "recovery" => &["recovery_probability"],
        _ => &[],
    }
}

/// The value of `rule` in `rules`, written as a scenario writes it.
pub fn rule_value(rules: &Rules, rule: &str) -> String {
    let countries = |countries: &[crate::scenario::codes::Country]| {
        let names: Vec<String> = countries.iter().map(|each| each.to_string()).collect();
        format!("[{}]", names.join(", "))
    };
    match rule {
        "eligible_countries" => countries(&rules.eligible_countries),
        "covered_payment_methods" => format!("{:?}", rules.covered_payment_methods),
        "coverage_min_order_value" => rules.coverage_min_order_value.to_string(),
        "coverage_limit_share_bps" => rules.coverage_limit_share_bps.to_string(),
        "coverage_limit_floor" => rules.coverage_limit_floor.to_string(),
        "coverage_limit_cap" => rules.coverage_limit_cap.to_string(),
        "deposit_share_bps" => rules.deposit_share_bps.to_string(),
        "deposit_release" => match rules.deposit_release {
            DepositRelease::AtContract => "AtContract".to_string(),
            DepositRelease::AtShipment => "AtShipment".to_string(),
            DepositRelease::AtAcceptance => "AtAcceptance".to_string(),
        },
        "late_shipment_grace_days" => rules.late_shipment_grace_days.to_string(),
        "claim_window_days" => rules.claim_window_days.to_string(),
        "auto_release_days" => rules.auto_release_days.to_string(),
        "seller_fee_bps" => rules.seller_fee_bps.to_string(),
        "seller_fee_applies_to" => match rules.seller_fee_applies_to {
            FeeScope::AllOrders => "AllOrders".to_string(),
            FeeScope::OrdersUpTo(maximum) => format!("OrdersUpTo(\"{maximum}\")"),
        },
        "refund_scope" => match rules.refund_scope {
            RefundScope::Deposit => "Deposit".to_string(),
            RefundScope::OrderValue => "OrderValue".to_string(),
        },
        "decision_days" => rules.decision_days.to_string(),
        "decision_accuracy" => rules.decision_accuracy.to_string(),
        "advance_refunds" => rules.advance_refunds.to_string(),
        "recovery_days" => rules.recovery_days.to_string(),
        "recovery_probability" => rules.recovery_probability.to_string(),
        other => panic!("no rule {other} decides a traced step"),
    }
}

/// An observer that keeps the records of the chosen orders in memory.
#[derive(Clone, Debug)]
pub struct TraceCollector {
    pub sample: OrderSample,
    pub records: Vec<TraceRecord>,
}

impl TraceCollector {
    pub fn new(sample: OrderSample) -> TraceCollector {
        TraceCollector {
            sample,
            records: Vec::new(),
        }
    }
}

impl Observer for TraceCollector {
    const ACTIVE: bool = true;

    fn traces(&self, order_number: u64) -> bool {
        self.sample.contains(order_number)
    }

    fn record(&mut self, record: TraceRecord) {
        self.records.push(record);
    }
}

/// What a transfer does in the two-phase scheme (docs/trace.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferFlags {
    /// Posted at once between two accounts.
    None,
    /// Reserves money of the order's hold: buyers to escrow.
    Pending,
    /// Takes from the hold named by `pending_id` to the supplier or the platform.
    PostPending,
    /// Takes from the hold named by `pending_id` back to the buyer.
    VoidPending,
}

/// One ledger transfer, with fields after TigerBeetle's transfers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TransferRecord {
    /// 1, 2, ... in the order of the run.
    pub id: u64,
    pub debit_account_id: u32,
    pub credit_account_id: u32,
    /// Whole cents, positive.
    pub amount: i64,
    /// The id of the order's first pending transfer for every other
    /// transfer of its hold; 0 otherwise.
    pub pending_id: u64,
    pub flags: TransferFlags,
    /// The currency's ledger: always 1 (one currency per scenario).
    pub ledger: u32,
    /// The flow, 1 to 9 in [`Flow::ALL`] order (7, write-offs, never appears).
    pub code: u16,
    /// Simulated nanoseconds since the scenario's start.
    pub timestamp: u64,
    /// The order number.
    pub user_data_64: u64,
}

/// Turns the records of every order into transfers, keeping each live
/// order's first pending id. Records must come in the order of the run.
#[derive(Clone, Debug, Default)]
pub struct TransferLog {
    next_id: u64,
    holds: BTreeMap<u64, u64>,
}

impl TransferLog {
    pub fn new() -> TransferLog {
        TransferLog {
            next_id: 1,
            holds: BTreeMap::new(),
        }
    }

    /// The transfers of one record, appended to `transfers`.
    pub fn transfers_of(&mut self, record: &TraceRecord, transfers: &mut Vec<TransferRecord>) {
        for movement in &record.movements {
            let flow = movement.flow();
            let Some((debit, credit)) = flow.accounts() else {
                continue;
            };
            let id = self.next_id;
            self.next_id += 1;
            let (flags, pending_id) = match flow {
                Flow::PaidIntoEscrow => match self.holds.get(&record.order) {
                    Some(&first) => (TransferFlags::Pending, first),
                    None => {
                        self.holds.insert(record.order, id);
                        (TransferFlags::Pending, 0)
                    }
                },
                Flow::ReleasedToSuppliers | Flow::Fees => {
                    (TransferFlags::PostPending, self.hold_of(record))
                }
                Flow::RefundedFromEscrow => (TransferFlags::VoidPending, self.hold_of(record)),
                _ => (TransferFlags::None, 0),
            };
            transfers.push(TransferRecord {
                id,
                debit_account_id: account_id(debit),
                credit_account_id: account_id(credit),
                amount: movement.cents,
                pending_id,
                flags,
                ledger: 1,
                code: Flow::ALL
                    .iter()
                    .position(|&each| each == flow)
                    .expect("every flow is in ALL") as u16
                    + 1,
                timestamp: record.seconds * 1_000_000_000,
                user_data_64: record.order,
            });
        }
        if record.state_after == state_key(Some(OrderState::Free)) {
            self.holds.remove(&record.order);
        }
    }

    fn hold_of(&self, record: &TraceRecord) -> u64 {
        *self
            .holds
            .get(&record.order)
            .unwrap_or_else(|| panic!("order {} settles escrow it never held", record.order))
    }
}

/// The inquiries a scenario expects over its horizon: every buyer segment's
/// count times its yearly inquiries, over the horizon's share of a
/// 365-day year, rounded to a whole number. Order numbers are given to
/// inquiries, so this is the count `--trace-orders N` takes its share of.
pub fn expected_inquiries(scenario: &crate::scenario::Scenario) -> u64 {
    let per_year: f64 = scenario
        .buyers
        .iter()
        .map(|segment| f64::from(segment.count) * segment.inquiries_per_year)
        .sum();
    (per_year * f64::from(scenario.horizon_days) / 365.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(order: u64, seconds: u64, state_after: &'static str) -> TraceRecord {
        TraceRecord {
            seconds,
            time: String::new(),
            kind: "contract",
            order,
            buyer: 0,
            buyer_segment: 0,
            supplier: Some(0),
            state_before: "quoted",
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

    fn moved(flow: Flow, cents: i64) -> Movement {
        let (debit, credit) = flow.accounts().map_or(("", ""), |(debit, credit)| {
            (account_key(debit), account_key(credit))
        });
        Movement {
            flow: flow.key(),
            debit,
            credit,
            cents,
        }
    }

    #[test]
    fn an_orders_holds_posts_and_voids_name_its_first_pending_transfer() {
        // Goal: two-phase ids as docs/trace.md states them: the deposit's
        // hold is pending with pending_id 0, the balance's top-up and every
        // post and void of the order carry the first hold's id, transfers
        // outside escrow carry 0, and each id is the next number.
        let mut log = TransferLog::new();
        let mut transfers = Vec::new();
        let mut deposit = record(7, 10, "in_production");
        deposit.movements = vec![moved(Flow::PaidIntoEscrow, 300)];
        let mut other = record(8, 11, "in_production");
        other.movements = vec![moved(Flow::PaidDirectlyToSuppliers, 50)];
        let mut balance = record(7, 20, "in_transit");
        balance.movements = vec![moved(Flow::PaidIntoEscrow, 700)];
        let mut decision = record(7, 30, "recovering");
        decision.movements = vec![
            moved(Flow::ReleasedToSuppliers, 580),
            moved(Flow::Fees, 20),
            moved(Flow::RefundedFromEscrow, 400),
            moved(Flow::AdvancedByPlatform, 100),
        ];
        let mut lost = record(7, 40, "completed");
        lost.movements = vec![moved(Flow::WrittenOff, 100)];
        for each in [&deposit, &other, &balance, &decision, &lost] {
            log.transfers_of(each, &mut transfers);
        }
        let seen: Vec<(u64, TransferFlags, u64, u32, u32, i64, u16)> = transfers
            .iter()
            .map(|t| {
                (
                    t.id,
                    t.flags,
                    t.pending_id,
                    t.debit_account_id,
                    t.credit_account_id,
                    t.amount,
                    t.code,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, TransferFlags::Pending, 0, 1, 3, 300, 1),
                (2, TransferFlags::None, 0, 1, 2, 50, 8),
                (3, TransferFlags::Pending, 1, 1, 3, 700, 1),
                (4, TransferFlags::PostPending, 1, 3, 2, 580, 2),
                (5, TransferFlags::PostPending, 1, 3, 4, 20, 3),
                (6, TransferFlags::VoidPending, 1, 3, 1, 400, 4),
                (7, TransferFlags::None, 0, 5, 1, 100, 5),
            ]
        );
        assert_eq!(transfers[3].timestamp, 30_000_000_000);
        assert_eq!(transfers[3].user_data_64, 7);
        assert!(
            log.holds.is_empty(),
            "a completed order's hold is forgotten"
        );
    }

    #[test]
    fn about_n_orders_is_a_threshold_of_n_over_the_expected_count() {
        // Goal: the threshold is floor(2^64 * N / E): a quarter for N/E =
        // 1/4; N >= E (or E = 0) is every order; a list is exact.
        assert_eq!(
            OrderSample::about(250, 1_000),
            OrderSample::Hashed { threshold: 1 << 62 }
        );
        assert_eq!(OrderSample::about(1_000, 1_000), OrderSample::All);
        assert_eq!(OrderSample::about(5, 0), OrderSample::All);
        let listed = OrderSample::numbers(vec![9, 3, 9]);
        assert_eq!(listed, OrderSample::Numbers(vec![3, 9]));
        assert!(listed.contains(3) && listed.contains(9) && !listed.contains(4));
        // Over 2^16 orders, a quarter threshold takes close to a quarter:
        // binomial sd 111, bound 6 sd.
        let quarter = OrderSample::about(1, 4);
        let taken = (0..65_536u64).filter(|&n| quarter.contains(n)).count() as i64;
        assert!((taken - 16_384).abs() < 666, "{taken}");
    }

    #[test]
    fn the_movements_of_an_event_are_the_difference_of_the_ledgers_totals() {
        // Goal: a post of 1,000 with a 20 fee after a hold of 1,000 reads as
        // two movements, escrow to suppliers 980 and escrow to revenue 20.
        let mut ledger = super::super::ledger::Ledger::new();
        let mut hold = super::super::ledger::EscrowHold::EMPTY;
        let money = super::super::money::Cents::from_cents;
        ledger.hold(&mut hold, money(1_000));
        let before = ledger.totals();
        ledger.post(&mut hold, money(1_000), money(20));
        let movements = movements_between(&before, &ledger.totals());
        assert_eq!(
            movements,
            vec![moved(Flow::ReleasedToSuppliers, 980), moved(Flow::Fees, 20)]
        );
    }
}
