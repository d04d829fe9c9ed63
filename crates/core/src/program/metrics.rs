//! What a run counts: cumulative figures, and the same figures per calendar month.
//!
//! Monthly figures are differences of cumulative snapshots taken at month
//! boundaries, so every quantity is counted in exactly one place and the
//! months always add up to the totals. The `cumulative!` macro declares each
//! field once and derives the field-wise difference from the same list.
//! Money figures are sums over a whole run, so they are [`CentsTotal`]s
//! (see `money.rs`, "Two widths").

use super::ledger::LedgerTotals;
use super::money::{Cents, CentsTotal};
use super::order::ClaimReason;

macro_rules! cumulative {
    ($($(#[$doc:meta])* $field:ident: $kind:ty,)*) => {
        /// Figures that only ever grow during a run.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub struct Cumulative {
            $($(#[$doc])* pub $field: $kind,)*
        }

        /// Field-wise `later - earlier` of two cumulative snapshots.
        pub fn difference(later: &Cumulative, earlier: &Cumulative) -> Cumulative {
            Cumulative { $($field: Difference::minus(&later.$field, &earlier.$field),)* }
        }
    };
}

/// Subtraction of a cumulative field, including the per-reason arrays.
trait Difference {
    fn minus(&self, earlier: &Self) -> Self;
}

impl Difference for u64 {
    fn minus(&self, earlier: &Self) -> Self {
        self - earlier
    }
}

impl Difference for CentsTotal {
    fn minus(&self, earlier: &Self) -> Self {
        *self - *earlier
    }
}

impl<T: Difference + Copy, const N: usize> Difference for [T; N] {
    fn minus(&self, earlier: &Self) -> Self {
        std::array::from_fn(|index| self[index].minus(&earlier[index]))
    }
}

cumulative! {
    inquiries: u64,
    inquiries_unanswered: u64,
    orders_placed: u64,
    orders_covered: u64,
    /// Orders placed with a supplier that showed the badge at contract.
    orders_with_badged_supplier: u64,
    /// Covered orders whose coverage the supplier's limit cut below the order value.
    orders_partially_covered: u64,
    /// Orders of approved suppliers left uncovered because the coverage limit was used up.
    orders_over_coverage_limit: u64,
    gmv: CentsTotal,
    gmv_covered: CentsTotal,
    orders_completed: u64,
    covered_orders_completed: u64,
    /// Covered orders whose refund outcome became final: released without
    /// a claim, or their claim settled or decided. Counted at the same event
    /// as the refund itself, so refunds / resolved is a share of one
    /// population and never exceeds 1.
    covered_orders_resolved: u64,
    /// The order value of those orders.
    covered_value_resolved: CentsTotal,
    shipped_late: u64,
    not_shipped: u64,
    nonconforming: u64,
    claims_filed: [u64; 5],
    claims_settled_in_negotiation: u64,
    claims_escalated: u64,
    decisions: u64,
    decisions_for_buyer: u64,
    decisions_wrong: u64,
    refunds_count: [u64; 5],
    refunds_value: [CentsTotal; 5],
    /// Breaches nobody refunded: uncovered orders, coverage cut off by the
    /// limit, and refunds the platform did not advance.
    buyer_uncovered_loss: CentsTotal,
    /// Breaches on uncovered orders that suppliers refunded of their own accord.
    voluntary_refunds: CentsTotal,
    /// Refunds a decision granted but the platform did not advance (advance_refunds off).
    refunds_unpaid: CentsTotal,
    settlements: u64,
    suppliers_vanished: u64,
    /// Supplier reviews by vetting, and what they decided.
    reviews: u64,
    approvals: u64,
    reinstatements: u64,
    suspensions: u64,
    rejections: u64,
    withdrawals: u64,
    /// What bust-out fraud took: buyers' payments on orders that never shipped.
    fraud_value_taken: CentsTotal,
    /// Of that, refunded to buyers out of escrow.
    fraud_caught_by_escrow: CentsTotal,
    /// Of that, advanced by the platform and never recovered.
    fraud_lost_by_platform: CentsTotal,
    /// Of that, never refunded to the buyers (uncovered, beyond cover, or denied).
    fraud_lost_by_buyers: CentsTotal,
}

impl Cumulative {
    pub fn record_claim(&mut self, reason: ClaimReason) {
        self.claims_filed[reason.index()] += 1;
    }

    /// A covered order's refund outcome is final.
    pub fn record_resolution(&mut self, order_value: Cents) {
        self.covered_orders_resolved += 1;
        self.covered_value_resolved += order_value;
    }

    pub fn record_refund(&mut self, reason: ClaimReason, value: Cents) {
        self.refunds_count[reason.index()] += 1;
        self.refunds_value[reason.index()] += value;
    }

    pub fn claims_total(&self) -> u64 {
        self.claims_filed.iter().sum()
    }

    pub fn refunds_total(&self) -> u64 {
        self.refunds_count.iter().sum()
    }

    pub fn refunds_value_total(&self) -> CentsTotal {
        self.refunds_value.iter().copied().sum()
    }
}

/// One calendar month (the first and last may be partial).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonthFigures {
    /// `YYYY-MM`.
    pub month: String,
    pub days: u32,
    pub flows: Cumulative,
    pub ledger_flows: LedgerTotals,
    /// Levels at the month's end.
    pub escrow_end: CentsTotal,
    pub exposure_end: CentsTotal,
    pub orders_in_flight_end: u64,
    pub approved_suppliers_end: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_subtracts_every_field_including_arrays() {
        let earlier = Cumulative {
            inquiries: 3,
            refunds_count: [1, 0, 0, 2, 0],
            gmv: CentsTotal::from_cents(1000),
            ..Cumulative::default()
        };
        let later = Cumulative {
            inquiries: 10,
            refunds_count: [4, 1, 3, 2, 5],
            gmv: CentsTotal::from_cents(3050),
            reviews: 7,
            ..earlier
        };
        let delta = difference(&later, &earlier);
        assert_eq!(delta.inquiries, 7);
        assert_eq!(delta.refunds_count, [3, 1, 3, 0, 5]);
        assert_eq!(delta.gmv, CentsTotal::from_cents(2050));
        assert_eq!(delta.reviews, 7);
        assert_eq!(difference(&later, &later), Cumulative::default());
    }
}
