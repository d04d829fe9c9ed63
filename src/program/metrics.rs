//! What a run counts: cumulative figures, and the same figures per calendar month.
//!
//! Monthly figures are differences of cumulative snapshots taken at month
//! boundaries, so every quantity is counted in exactly one place and the
//! months always add up to the totals.

use super::ledger::LedgerTotals;
use super::order::ClaimReason;
use rust_decimal::Decimal;

/// Figures that only ever grow during a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cumulative {
    pub inquiries: u64,
    pub inquiries_unanswered: u64,
    pub orders_placed: u64,
    pub orders_covered: u64,
    /// Covered orders whose coverage the supplier's limit cut below the order value.
    pub orders_partially_covered: u64,
    /// Orders of approved suppliers left uncovered because the coverage limit was used up.
    pub orders_over_coverage_limit: u64,
    pub gmv: Decimal,
    pub gmv_covered: Decimal,
    pub orders_completed: u64,
    pub covered_orders_completed: u64,
    pub shipped_late: u64,
    pub not_shipped: u64,
    pub nonconforming: u64,
    pub claims_filed: [u64; 4],
    pub claims_settled_in_negotiation: u64,
    pub claims_escalated: u64,
    pub decisions: u64,
    pub decisions_for_buyer: u64,
    pub decisions_wrong: u64,
    pub refunds_count: [u64; 4],
    pub refunds_value: [Decimal; 4],
    /// Breaches on uncovered orders (or beyond coverage) that nobody refunded.
    pub buyer_uncovered_loss: Decimal,
    /// Breaches on uncovered orders that suppliers refunded of their own accord.
    pub voluntary_refunds: Decimal,
    /// Refunds a decision granted but the platform did not advance (advance_refunds off).
    pub refunds_unpaid: Decimal,
    pub settlements: u64,
    pub suppliers_vanished: u64,
}

impl Cumulative {
    pub fn record_claim(&mut self, reason: ClaimReason) {
        self.claims_filed[reason.index()] += 1;
    }

    pub fn record_refund(&mut self, reason: ClaimReason, value: Decimal) {
        self.refunds_count[reason.index()] += 1;
        self.refunds_value[reason.index()] += value;
    }

    pub fn claims_total(&self) -> u64 {
        self.claims_filed.iter().sum()
    }

    pub fn refunds_total(&self) -> u64 {
        self.refunds_count.iter().sum()
    }

    pub fn refunds_value_total(&self) -> Decimal {
        self.refunds_value.iter().copied().sum()
    }
}

/// One calendar month (the first and last may be partial).
#[derive(Clone, Debug, PartialEq)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub days: u32,
    pub flows: Cumulative,
    pub ledger_flows: LedgerTotals,
    /// Levels at the month's end.
    pub escrow_end: Decimal,
    pub exposure_end: Decimal,
    pub orders_in_flight_end: u64,
    pub approved_suppliers_end: u64,
}

/// Field-wise `later - earlier` of two cumulative snapshots.
pub fn difference(later: &Cumulative, earlier: &Cumulative) -> Cumulative {
    let mut delta = *later;
    delta.inquiries -= earlier.inquiries;
    delta.inquiries_unanswered -= earlier.inquiries_unanswered;
    delta.orders_placed -= earlier.orders_placed;
    delta.orders_covered -= earlier.orders_covered;
    delta.orders_partially_covered -= earlier.orders_partially_covered;
    delta.orders_over_coverage_limit -= earlier.orders_over_coverage_limit;
    delta.gmv -= earlier.gmv;
    delta.gmv_covered -= earlier.gmv_covered;
    delta.orders_completed -= earlier.orders_completed;
    delta.covered_orders_completed -= earlier.covered_orders_completed;
    delta.shipped_late -= earlier.shipped_late;
    delta.not_shipped -= earlier.not_shipped;
    delta.nonconforming -= earlier.nonconforming;
    for index in 0..4 {
        delta.claims_filed[index] -= earlier.claims_filed[index];
        delta.refunds_count[index] -= earlier.refunds_count[index];
        delta.refunds_value[index] -= earlier.refunds_value[index];
    }
    delta.claims_settled_in_negotiation -= earlier.claims_settled_in_negotiation;
    delta.claims_escalated -= earlier.claims_escalated;
    delta.decisions -= earlier.decisions;
    delta.decisions_for_buyer -= earlier.decisions_for_buyer;
    delta.decisions_wrong -= earlier.decisions_wrong;
    delta.buyer_uncovered_loss -= earlier.buyer_uncovered_loss;
    delta.voluntary_refunds -= earlier.voluntary_refunds;
    delta.refunds_unpaid -= earlier.refunds_unpaid;
    delta.settlements -= earlier.settlements;
    delta.suppliers_vanished -= earlier.suppliers_vanished;
    delta
}

/// Field-wise `later - earlier` of two ledger snapshots; balances and peaks are
/// levels, not flows, and are taken from `later`.
pub fn ledger_difference(later: &LedgerTotals, earlier: &LedgerTotals) -> LedgerTotals {
    LedgerTotals {
        paid_into_escrow: later.paid_into_escrow - earlier.paid_into_escrow,
        released_to_suppliers: later.released_to_suppliers - earlier.released_to_suppliers,
        refunded_from_escrow: later.refunded_from_escrow - earlier.refunded_from_escrow,
        fees: later.fees - earlier.fees,
        escrow_balance: later.escrow_balance,
        escrow_peak: later.escrow_peak,
        advanced_by_platform: later.advanced_by_platform - earlier.advanced_by_platform,
        recovered_from_suppliers: later.recovered_from_suppliers - earlier.recovered_from_suppliers,
        written_off: later.written_off - earlier.written_off,
        advances_outstanding: later.advances_outstanding,
        paid_directly_to_suppliers: later.paid_directly_to_suppliers
            - earlier.paid_directly_to_suppliers,
        refunded_by_suppliers: later.refunded_by_suppliers - earlier.refunded_by_suppliers,
    }
}
