//! Settling an order's escrow: releasing it to the supplier less the
//! platform's fee, releasing the deposit early, and refunding the buyer out
//! of what escrow still holds. The one place these money movements are
//! written: the simulation's handlers and the settlement benchmark
//! (`settlement_load.rs`) both settle through here, so a new way of
//! settling cannot be measured differently from how it is simulated.

use super::ledger::Ledger;
use super::money::Cents;
use super::order::Order;

/// The platform's fee on value released to suppliers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeeRule {
    pub bps: u32,
    /// Orders above this value pay no fee; `None`: every order pays it.
    pub orders_up_to: Option<Cents>,
}

impl FeeRule {
    pub const NONE: FeeRule = FeeRule {
        bps: 0,
        orders_up_to: None,
    };

    /// The fee on `amount` released from an order of `order_value`.
    #[inline]
    pub fn fee(&self, amount: Cents, order_value: Cents) -> Cents {
        let applies = self.bps > 0
            && self
                .orders_up_to
                .is_none_or(|maximum| order_value <= maximum);
        if applies {
            amount.share(self.bps)
        } else {
            Cents::ZERO
        }
    }
}

/// Releases everything the order still holds to the supplier, less the fee.
#[inline]
pub fn release_all(ledger: &mut Ledger, fee: &FeeRule, order: &mut Order) {
    let amount = order.hold.pending();
    if !amount.is_zero() {
        ledger.post(&mut order.hold, amount, fee.fee(amount, order.value));
    }
}

/// Releases the deposit to the supplier before acceptance, less the fee;
/// returns the amount released, which the platform is now exposed to.
/// Escrow holds at least the deposit then (the release follows the payment
/// of the deposit or of the balance), which the ledger checks.
#[inline]
pub fn release_deposit_early(ledger: &mut Ledger, fee: &FeeRule, order: &mut Order) -> Cents {
    assert!(
        order.released_early().is_zero(),
        "order {}: the deposit is released early once",
        order.number
    );
    let amount = order.deposit();
    ledger.post(&mut order.hold, amount, fee.fee(amount, order.value));
    order.set_deposit_released_early();
    amount
}

/// A refund settled against escrow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EscrowRefund {
    /// Refunded to the buyer out of escrow.
    pub from_escrow: Cents,
    /// What escrow no longer held: the caller has the supplier pay it, the
    /// platform advance it, or the buyer go without.
    pub shortfall: Cents,
}

/// Refunds `refund` to the buyer out of what escrow holds for the order,
/// and releases the rest of the hold to the supplier, less the fee.
#[inline]
pub fn refund_from_escrow(
    ledger: &mut Ledger,
    fee: &FeeRule,
    order: &mut Order,
    refund: Cents,
) -> EscrowRefund {
    let from_escrow = refund.min(order.hold.pending());
    ledger.void(&mut order.hold, from_escrow);
    release_all(ledger, fee, order);
    EscrowRefund {
        from_escrow,
        shortfall: refund - from_escrow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::money::amounts::{total, units};
    use crate::program::order::OrderSlab;

    /// An order of `value` with a deposit of `deposit_share_bps` of it, all paid into escrow.
    fn funded(value: i64, deposit_share_bps: u16, ledger: &mut Ledger) -> Order {
        let mut order = Order {
            value: units(value),
            deposit_share_bps,
            ..OrderSlab::blank()
        };
        order.set_covered(true);
        order.set_balance_paid(true);
        ledger.hold(&mut order.hold, units(value));
        order
    }

    #[test]
    fn a_fee_applies_up_to_its_order_value() {
        let fee = FeeRule {
            bps: 200,
            orders_up_to: Some(units(5_000)),
        };
        assert_eq!(fee.fee(units(1_000), units(5_000)), units(20));
        assert_eq!(fee.fee(units(1_000), units(5_001)), Cents::ZERO);
        assert_eq!(
            FeeRule::NONE.fee(units(1_000), Cents::from_cents(100)),
            Cents::ZERO
        );
    }

    #[test]
    fn a_refund_takes_what_escrow_holds_and_names_the_shortfall() {
        // 1,000 held; the 300 deposit released early at 2%: 700 left.
        let mut ledger = Ledger::new();
        let fee = FeeRule {
            bps: 200,
            orders_up_to: None,
        };
        let mut order = funded(1_000, 3_000, &mut ledger);
        assert_eq!(
            release_deposit_early(&mut ledger, &fee, &mut order),
            units(300)
        );
        let refund = refund_from_escrow(&mut ledger, &fee, &mut order, units(1_000));
        assert_eq!(
            refund,
            EscrowRefund {
                from_escrow: units(700),
                shortfall: units(300),
            }
        );
        assert!(order.hold.is_empty());
        let totals = ledger.totals();
        assert_eq!(totals.fees, total(6));
        assert_eq!(totals.refunded_from_escrow, total(700));
        assert_eq!(ledger.verify(), Ok(()));
    }

    #[test]
    fn a_partial_refund_releases_the_rest_less_the_fee() {
        let mut ledger = Ledger::new();
        let fee = FeeRule {
            bps: 100,
            orders_up_to: None,
        };
        let mut order = funded(1_000, 3_000, &mut ledger);
        let refund = refund_from_escrow(&mut ledger, &fee, &mut order, units(400));
        assert_eq!(refund.shortfall, Cents::ZERO);
        let totals = ledger.totals();
        assert_eq!(totals.refunded_from_escrow, total(400));
        assert_eq!(totals.fees, total(6));
        assert_eq!(totals.released_to_suppliers, total(594));
    }
}
