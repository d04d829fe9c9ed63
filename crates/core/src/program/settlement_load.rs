//! A load on the settlement path alone, for benchmarks: orders whose buyers
//! have paid into escrow, settled one by one the way the program's handlers
//! settle them (release less the seller fee, full refund, partial refund for
//! a quality defect, refund with a platform advance), without the rest of an
//! order's life around them.
//!
//! The criterion benches and `escrowsim bench settlement` drive the same
//! code, so their figures measure one thing. Order values are drawn like
//! the launch scenario's (log-normal, median 3,000) from a named stream of
//! the seed; nothing here reads a clock.

use super::ledger::Ledger;
use super::money::{BASIS_POINTS_WHOLE, Cents};
use super::order::{Order, OrderSlab};
use super::settlement::{self, FeeRule};
use crate::engine::Streams;
use crate::engine::random::sample;
use crate::scenario::Dist;

/// Deposit share of the orders: the launch program's 30%.
const DEPOSIT_SHARE_BPS: u16 = 3_000;

/// Seller fee on released value: 2% (a later period's custom-order fee).
pub const SELLER_FEE_BPS: u32 = 200;

const FEE: FeeRule = FeeRule {
    bps: SELLER_FEE_BPS,
    orders_up_to: None,
};

/// Share of the paid value refunded for a quality defect.
const DEFECT_SHARE_BPS: u32 = 3_000;

/// One way of settling an order's escrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettlementKind {
    /// Everything held goes to the supplier, less the seller fee.
    ReleaseWithFee,
    /// Everything paid goes back to the buyer.
    FullRefund,
    /// Part of what was paid goes back to the buyer; the rest is released less the fee.
    PartialRefund,
    /// The deposit was released early; the refund of everything paid takes what
    /// escrow still holds and the platform advances the rest.
    PlatformAdvance,
}

impl SettlementKind {
    pub const ALL: [SettlementKind; 4] = [
        SettlementKind::ReleaseWithFee,
        SettlementKind::FullRefund,
        SettlementKind::PartialRefund,
        SettlementKind::PlatformAdvance,
    ];

    /// The kind of the `index`-th settlement of a mixed load: per 64
    /// settlements 60 releases, 2 full refunds, 1 partial refund and 1
    /// advance, about the launch program's mix (some 5% of covered orders
    /// refunded, two in five of them partly) with an advance added so that
    /// every path runs.
    pub fn in_mix(index: usize) -> SettlementKind {
        match index % 64 {
            7 | 39 => SettlementKind::FullRefund,
            23 => SettlementKind::PartialRefund,
            55 => SettlementKind::PlatformAdvance,
            _ => SettlementKind::ReleaseWithFee,
        }
    }

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            SettlementKind::ReleaseWithFee => "release_with_fee",
            SettlementKind::FullRefund => "full_refund",
            SettlementKind::PartialRefund => "partial_refund",
            SettlementKind::PlatformAdvance => "platform_advance",
        }
    }
}

/// A covered order of `value`, nothing paid yet.
fn covered_order(number: u64, value: Cents) -> Order {
    let mut order = Order {
        number,
        value,
        deposit_share_bps: DEPOSIT_SHARE_BPS,
        coverage: value,
        ..OrderSlab::blank()
    };
    order.set_covered(true);
    order
}

/// Orders in escrow and the ledger that holds them.
pub struct SettlementLoad {
    ledger: Ledger,
    orders: Vec<Order>,
}

impl SettlementLoad {
    /// `order_count` covered orders with drawn values, nothing paid yet.
    pub fn new(order_count: usize, seed: u64) -> SettlementLoad {
        let mut draws = Streams::new(seed).named("bench.settlement");
        let value_dist = Dist::LogNormal {
            median: 3_000.0,
            sigma: 1.0,
        };
        let orders = (0..order_count)
            .map(|index| {
                let value = Cents::from_drawn_units(sample(&mut draws, &value_dist).min(1e9));
                covered_order(index as u64, value)
            })
            .collect();
        SettlementLoad {
            ledger: Ledger::new(),
            orders,
        }
    }

    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Pays order `index`'s deposit and balance into escrow, ready for a
    /// settlement of `kind` (which, for an advance, releases the deposit
    /// early first). Not part of the settlement path.
    pub fn fund(&mut self, index: usize, kind: SettlementKind) {
        let order = &mut self.orders[index];
        assert!(order.hold.is_empty(), "order {index} is funded twice");
        // A settled order is funded afresh, its flags cleared.
        *order = covered_order(order.number, order.value);
        let deposit = order.deposit();
        self.ledger.hold(&mut order.hold, deposit);
        self.ledger.hold(&mut order.hold, order.value - deposit);
        order.set_balance_paid(true);
        if kind == SettlementKind::PlatformAdvance {
            settlement::release_deposit_early(&mut self.ledger, &FEE, order);
        }
    }

    /// Settles order `index` (funded for `kind`) through the program's own
    /// settlement functions, as its handlers do.
    #[inline]
    pub fn settle(&mut self, index: usize, kind: SettlementKind) {
        let order = &mut self.orders[index];
        let ledger = &mut self.ledger;
        match kind {
            SettlementKind::ReleaseWithFee => settlement::release_all(ledger, &FEE, order),
            SettlementKind::FullRefund | SettlementKind::PartialRefund => {
                let share_bps = if kind == SettlementKind::PartialRefund {
                    DEFECT_SHARE_BPS
                } else {
                    BASIS_POINTS_WHOLE
                };
                let refund = order.paid().share(share_bps).min(order.coverage);
                settlement::refund_from_escrow(ledger, &FEE, order, refund);
            }
            SettlementKind::PlatformAdvance => {
                let refund = order.paid().min(order.coverage);
                let settled = settlement::refund_from_escrow(ledger, &FEE, order, refund);
                ledger.advance(settled.shortfall);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::money::CentsTotal;

    #[test]
    fn every_kind_of_settlement_empties_the_hold_and_keeps_the_ledger_whole() {
        let mut load = SettlementLoad::new(256, 1);
        for index in 0..load.order_count() {
            let kind = SettlementKind::ALL[index % 4];
            load.fund(index, kind);
            load.settle(index, kind);
            assert!(load.orders[index].hold.is_empty(), "{kind:?}");
        }
        let totals = load.ledger().totals();
        assert_eq!(load.ledger().verify(), Ok(()));
        assert_eq!(totals.escrow_balance, CentsTotal::ZERO);
        assert!(totals.fees > CentsTotal::ZERO);
        assert!(totals.refunded_from_escrow > CentsTotal::ZERO);
        assert!(totals.advanced_by_platform > CentsTotal::ZERO);
    }

    #[test]
    fn the_mix_holds_every_kind() {
        for kind in SettlementKind::ALL {
            assert!((0..64).any(|index| SettlementKind::in_mix(index) == kind));
        }
    }
}
