//! Orders in flight: their state machine and the recycled slots that hold them.
//!
//! An order lives in a slot of [`OrderSlab`] from the buyer's choice of a
//! supplier until its last settlement; the slot is then recycled, so memory
//! grows with the orders in flight, never with the orders simulated. Every
//! state change goes through [`Order::move_to`], which panics on a transition
//! the life of an order does not allow: a bug in the program model shows at
//! the event that caused it rather than as a wrong number in a report.

use super::ledger::EscrowHold;
use super::money::Cents;
use super::population::SupplierId;
use crate::engine::time::CompactTime;
use crate::scenario::PaymentMethod;

/// Where an order is in its life. `Free` marks a recycled slot.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum OrderState {
    Free,
    /// A supplier answered and was chosen; the contract is being signed.
    Quoted,
    /// Contract signed, deposit paid; the supplier is producing.
    InProduction,
    /// Balance paid, goods shipped.
    InTransit,
    /// Goods delivered; the buyer inspects.
    Delivered,
    /// Escrow auto-released before the buyer's claim (filed later, within the window).
    ReleasedAwaitingClaim,
    /// The supplier vanished without shipping; the buyer has not noticed yet.
    NotShipped,
    /// A claim is in negotiation between buyer and supplier.
    Negotiating,
    /// The claim escalated to the platform, which will decide.
    Escalated,
    /// The platform advanced a refund and waits to recover it from the supplier.
    Recovering,
}

impl OrderState {
    pub const ALL: [OrderState; 10] = [
        OrderState::Free,
        OrderState::Quoted,
        OrderState::InProduction,
        OrderState::InTransit,
        OrderState::Delivered,
        OrderState::ReleasedAwaitingClaim,
        OrderState::NotShipped,
        OrderState::Negotiating,
        OrderState::Escalated,
        OrderState::Recovering,
    ];

    /// The transitions an order's life allows; `Free` as a target means the order completed.
    pub fn can_move_to(self, next: OrderState) -> bool {
        use OrderState::*;
        matches!(
            (self, next),
            (Free, Quoted)
                | (Quoted, InProduction)
                | (InProduction, InTransit)
                | (InProduction, NotShipped)
                | (InTransit, Delivered)
                | (InTransit, NotShipped)
                | (Delivered, Free)
                | (Delivered, Negotiating)
                | (Delivered, ReleasedAwaitingClaim)
                | (ReleasedAwaitingClaim, Negotiating)
                | (NotShipped, Negotiating)
                | (NotShipped, Free)
                | (Negotiating, Free)
                | (Negotiating, Escalated)
                | (Escalated, Free)
                | (Escalated, Recovering)
                | (Recovering, Free)
        )
    }
}

/// Why a buyer claims. Goods both late and defective give one claim with
/// both grounds, kept as its own reason so reports can still break claims
/// and refunds down; it is refunded on the more generous ground (lateness:
/// the whole refund scope).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum ClaimReason {
    Late,
    Quality,
    LateAndQuality,
    NonDelivery,
    /// A claim without a breach.
    FalseClaim,
}

impl ClaimReason {
    pub const ALL: [ClaimReason; 5] = [
        ClaimReason::Late,
        ClaimReason::Quality,
        ClaimReason::LateAndQuality,
        ClaimReason::NonDelivery,
        ClaimReason::FalseClaim,
    ];

    /// The key used in reports.
    pub fn key(self) -> &'static str {
        match self {
            ClaimReason::Late => "late",
            ClaimReason::Quality => "quality",
            ClaimReason::LateAndQuality => "late_and_quality",
            ClaimReason::NonDelivery => "non_delivery",
            ClaimReason::FalseClaim => "false_claim",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the claim reports a real breach of the contract.
    pub fn is_justified(self) -> bool {
        self != ClaimReason::FalseClaim
    }

    /// Whether the claim's only ground is a quality defect, whose refund is
    /// the defect share of the scope; every other justified ground (late,
    /// non-delivery, or lateness besides a defect) entitles the whole scope.
    pub fn is_defect_only(self) -> bool {
        self == ClaimReason::Quality
    }

    /// The reason of a claim on delivered goods with these breaches, if any.
    pub fn of_breach(late: bool, conforming: bool) -> Option<ClaimReason> {
        match (late, conforming) {
            (false, true) => None,
            (true, true) => Some(ClaimReason::Late),
            (false, false) => Some(ClaimReason::Quality),
            (true, false) => Some(ClaimReason::LateAndQuality),
        }
    }
}

/// One order in flight, in one 64-byte cache line.
///
/// With hundreds of thousands of orders in flight, an event's first wait
/// is for its order's slot, so the slot is kept to one line (see the test
/// of its size): three amounts in [`Cents`] and the hold; the deposit as
/// the share of the value it is (the rate is kept, not the amount); times
/// as [`CompactTime`]; the buyer's segment rather than the buyer, which is
/// all an order needs of it; and what happens along the way as one byte of
/// flags.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[repr(C, align(64))]
pub struct Order {
    /// Global sequence number: keys the order's random draws.
    pub number: u64,
    pub value: Cents,
    /// Most the program refunds on this order; zero when uncovered.
    pub coverage: Cents,
    pub hold: EscrowHold,
    /// Refund the platform advanced and has not yet recovered or written off.
    pub advanced: Cents,
    pub ship_by: CompactTime,
    /// When a claim planned at delivery is filed.
    pub claim_at: CompactTime,
    pub supplier: SupplierId,
    /// The segment of the buyer who placed the order.
    pub buyer_segment: u16,
    /// The deposit rule at the contract: the deposit is this share of the value.
    pub deposit_share_bps: u16,
    /// Share of the value affected by a quality defect, in basis points.
    pub defect_share_bps: u16,
    pub state: OrderState,
    pub payment_method: PaymentMethod,
    pub claim_reason: Option<ClaimReason>,
    /// What happened along the way, read and set through `Order`'s methods.
    pub flags: OrderFlags,
}

/// An order's yes-or-no facts in one byte (see [`Order::covered`] and the
/// methods after it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderFlags(u8);

impl Order {
    const EMPTY: Order = Order {
        number: 0,
        value: Cents::ZERO,
        coverage: Cents::ZERO,
        hold: EscrowHold::EMPTY,
        advanced: Cents::ZERO,
        ship_by: CompactTime::ZERO,
        claim_at: CompactTime::ZERO,
        supplier: SupplierId(0),
        buyer_segment: 0,
        deposit_share_bps: 0,
        defect_share_bps: 0,
        state: OrderState::Free,
        payment_method: PaymentMethod::TT,
        claim_reason: None,
        flags: OrderFlags(Order::CONFORMING),
    };

    /// The program covers the order.
    const COVERED: u8 = 1;
    /// The buyer has paid the balance (at shipment).
    const BALANCE_PAID: u8 = 1 << 1;
    /// Shipped after the ship-by date and its grace.
    const LATE: u8 = 1 << 2;
    /// The goods conform to the contract.
    const CONFORMING: u8 = 1 << 3;
    /// The buyer got a refund (from escrow, the platform or the supplier).
    const REFUNDED: u8 = 1 << 4;
    /// The deposit was released to the supplier before acceptance.
    const DEPOSIT_RELEASED_EARLY: u8 = 1 << 5;

    fn flag(&self, flag: u8) -> bool {
        self.flags.0 & flag != 0
    }

    fn set_flag(&mut self, flag: u8, value: bool) {
        if value {
            self.flags.0 |= flag;
        } else {
            self.flags.0 &= !flag;
        }
    }

    pub fn covered(&self) -> bool {
        self.flag(Order::COVERED)
    }

    pub fn set_covered(&mut self, covered: bool) {
        self.set_flag(Order::COVERED, covered);
    }

    pub fn balance_paid(&self) -> bool {
        self.flag(Order::BALANCE_PAID)
    }

    pub fn set_balance_paid(&mut self, paid: bool) {
        self.set_flag(Order::BALANCE_PAID, paid);
    }

    pub fn late(&self) -> bool {
        self.flag(Order::LATE)
    }

    pub fn set_late(&mut self, late: bool) {
        self.set_flag(Order::LATE, late);
    }

    pub fn conforming(&self) -> bool {
        self.flag(Order::CONFORMING)
    }

    pub fn set_conforming(&mut self, conforming: bool) {
        self.set_flag(Order::CONFORMING, conforming);
    }

    /// Whether the buyer got any refund (from escrow, the platform or the supplier).
    pub fn refunded(&self) -> bool {
        self.flag(Order::REFUNDED)
    }

    pub fn set_refunded(&mut self, refunded: bool) {
        self.set_flag(Order::REFUNDED, refunded);
    }

    /// The deposit: the value's share at the contract's deposit rule.
    #[inline]
    pub fn deposit(&self) -> Cents {
        self.value.share(u32::from(self.deposit_share_bps))
    }

    /// Deposit released to the supplier before acceptance: the platform's exposure.
    pub fn released_early(&self) -> Cents {
        if self.flag(Order::DEPOSIT_RELEASED_EARLY) {
            self.deposit()
        } else {
            Cents::ZERO
        }
    }

    /// Marks the deposit as released to the supplier before acceptance.
    pub fn set_deposit_released_early(&mut self) {
        self.set_flag(Order::DEPOSIT_RELEASED_EARLY, true);
    }

    /// Moves the order along its state machine; an illegal move is a bug in the model.
    #[track_caller]
    pub fn move_to(&mut self, next: OrderState) {
        assert!(
            self.state.can_move_to(next),
            "order {} cannot move from {:?} to {:?}",
            self.number,
            self.state,
            next
        );
        self.state = next;
    }

    /// What the buyer has paid so far.
    pub fn paid(&self) -> Cents {
        if self.balance_paid() {
            self.value
        } else {
            self.deposit()
        }
    }
}

/// Index of a slot in [`OrderSlab`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderSlot(pub u32);

/// Orders in flight in recycled slots. A slot is taken when a buyer chooses
/// a supplier (a quote); the order is *in flight* from its contract to its
/// completion, so the orders placed and not completed are exactly the
/// orders in flight, and quotes awaiting their contract are counted apart.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct OrderSlab {
    slots: Vec<Order>,
    free: Vec<u32>,
    quoted: usize,
    in_flight: usize,
    in_flight_peak: usize,
}

impl OrderSlab {
    pub fn with_capacity(capacity: usize) -> OrderSlab {
        OrderSlab {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            quoted: 0,
            in_flight: 0,
            in_flight_peak: 0,
        }
    }

    /// A slot for a new order, in state `Quoted`.
    pub fn insert(&mut self, mut order: Order) -> OrderSlot {
        order.state = OrderState::Free;
        order.move_to(OrderState::Quoted);
        self.quoted += 1;
        if let Some(index) = self.free.pop() {
            self.slots[index as usize] = order;
            OrderSlot(index)
        } else {
            let index = u32::try_from(self.slots.len()).expect("more than 2^32 orders in flight");
            self.slots.push(order);
            OrderSlot(index)
        }
    }

    /// Signs the contract of the quoted order in `slot`: from now on it is
    /// in flight, in production.
    #[track_caller]
    pub fn sign(&mut self, slot: OrderSlot) -> &mut Order {
        self.quoted -= 1;
        self.in_flight += 1;
        self.in_flight_peak = self.in_flight_peak.max(self.in_flight);
        let order = &mut self.slots[slot.0 as usize];
        order.move_to(OrderState::InProduction);
        order
    }

    /// The slot the next [`OrderSlab::insert`] will give.
    pub fn next_slot(&self) -> OrderSlot {
        match self.free.last() {
            Some(&index) => OrderSlot(index),
            None => OrderSlot(self.slots.len() as u32),
        }
    }

    /// Completes the order in `slot` and recycles the slot.
    #[track_caller]
    pub fn remove(&mut self, slot: OrderSlot) {
        let order = &mut self.slots[slot.0 as usize];
        order.move_to(OrderState::Free);
        assert!(
            order.hold.is_empty(),
            "order {} completed with {} still held in escrow",
            order.number,
            order.hold.pending()
        );
        *order = Order {
            state: OrderState::Free,
            ..Order::EMPTY
        };
        self.free.push(slot.0);
        self.in_flight -= 1;
    }

    /// Asks the processor to load the order in `slot` (if there is such a
    /// slot) into the cache, ahead of an event that will touch it.
    #[inline]
    pub fn prefetch(&self, slot: OrderSlot) {
        if let Some(order) = self.slots.get(slot.0 as usize) {
            crate::engine::prefetch::prefetch(order);
        }
    }

    /// The order in `slot`, or `None` when no such slot was ever used; it may
    /// be a recycled (`Free`) slot.
    #[inline]
    pub fn try_get(&self, slot: OrderSlot) -> Option<&Order> {
        self.slots.get(slot.0 as usize)
    }

    pub fn get(&self, slot: OrderSlot) -> &Order {
        &self.slots[slot.0 as usize]
    }

    pub fn get_mut(&mut self, slot: OrderSlot) -> &mut Order {
        &mut self.slots[slot.0 as usize]
    }

    /// Whether the counts and the free list agree with the slots: every
    /// free slot listed once and `Free`, and the quotes and orders in
    /// flight counted right. For a slab read back from a saved state.
    pub fn check(&self) -> Result<(), String> {
        let mut listed = vec![false; self.slots.len()];
        for &index in &self.free {
            match listed.get_mut(index as usize) {
                Some(seen) if !*seen && self.slots[index as usize].state == OrderState::Free => {
                    *seen = true
                }
                _ => return Err(format!("free slot {index} is not a free slot listed once")),
            }
        }
        let count = |state| {
            self.slots
                .iter()
                .filter(|order| order.state == state)
                .count()
        };
        let (free, quoted) = (count(OrderState::Free), count(OrderState::Quoted));
        if free != self.free.len()
            || quoted != self.quoted
            || self.slots.len() - free - quoted != self.in_flight
            || self.in_flight_peak < self.in_flight
        {
            return Err(
                "the counts of quotes and orders in flight disagree with the slots".to_string(),
            );
        }
        Ok(())
    }

    /// Quotes whose contract is not signed yet.
    pub fn quoted(&self) -> usize {
        self.quoted
    }

    /// Orders contracted and not completed.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub fn in_flight_peak(&self) -> usize {
        self.in_flight_peak
    }

    /// The orders still in flight, in slot order.
    pub fn live(&self) -> impl Iterator<Item = &Order> {
        self.slots
            .iter()
            .filter(|order| order.state != OrderState::Free)
    }

    /// A fresh order value to fill in before [`OrderSlab::insert`].
    pub fn blank() -> Order {
        Order::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_transitions_of_an_order_life_are_allowed() {
        use OrderState::*;
        let allowed = [
            (Free, Quoted),
            (Quoted, InProduction),
            (InProduction, InTransit),
            (InProduction, NotShipped),
            (InTransit, Delivered),
            (InTransit, NotShipped),
            (Delivered, Free),
            (Delivered, Negotiating),
            (Delivered, ReleasedAwaitingClaim),
            (ReleasedAwaitingClaim, Negotiating),
            (NotShipped, Negotiating),
            (NotShipped, Free),
            (Negotiating, Free),
            (Negotiating, Escalated),
            (Escalated, Free),
            (Escalated, Recovering),
            (Recovering, Free),
        ];
        for from in OrderState::ALL {
            for to in OrderState::ALL {
                assert_eq!(
                    from.can_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn every_state_is_reachable_from_free_and_leads_back_to_free() {
        let reachable = |start: OrderState, forward: bool| {
            let mut seen = vec![start];
            let mut frontier = vec![start];
            while let Some(state) = frontier.pop() {
                for other in OrderState::ALL {
                    let edge = if forward {
                        state.can_move_to(other)
                    } else {
                        other.can_move_to(state)
                    };
                    if edge && !seen.contains(&other) {
                        seen.push(other);
                        frontier.push(other);
                    }
                }
            }
            seen.len()
        };
        assert_eq!(reachable(OrderState::Free, true), OrderState::ALL.len());
        assert_eq!(reachable(OrderState::Free, false), OrderState::ALL.len());
    }

    #[test]
    #[should_panic(expected = "cannot move from Quoted to Delivered")]
    fn an_illegal_move_panics() {
        let mut slab = OrderSlab::with_capacity(1);
        let slot = slab.insert(OrderSlab::blank());
        slab.get_mut(slot).move_to(OrderState::Delivered);
    }

    #[test]
    fn an_order_is_one_cache_line() {
        // The number, three amounts and the hold, 8 bytes each; two times
        // and the supplier, 4 bytes each; three 2-byte fields (the buyer's
        // segment, the deposit rate, the defect share); state, payment
        // method, claim reason and flags, a byte each: 40 + 12 + 6 + 4 = 62,
        // aligned to a line so that a slot never straddles two.
        assert_eq!(std::mem::size_of::<Order>(), 64);
        assert_eq!(std::mem::align_of::<Order>(), 64);
    }

    #[test]
    fn the_deposit_is_the_value_share_and_flags_are_independent() {
        let mut order = Order {
            value: Cents::from_cents(100_001),
            deposit_share_bps: 3_000,
            ..OrderSlab::blank()
        };
        // 1,000.01 * 30% = 300.003 -> 300.00.
        assert_eq!(order.deposit(), Cents::from_cents(30_000));
        assert_eq!(order.paid(), order.deposit());
        assert_eq!(order.released_early(), Cents::ZERO);
        assert!(order.conforming() && !order.covered());
        order.set_covered(true);
        order.set_late(true);
        order.set_conforming(false);
        order.set_deposit_released_early();
        order.set_balance_paid(true);
        assert!(order.covered() && order.late() && !order.conforming());
        assert!(!order.refunded());
        assert_eq!(order.released_early(), order.deposit());
        assert_eq!(order.paid(), order.value);
        order.set_late(false);
        assert!(order.covered() && !order.late() && order.balance_paid());
    }

    #[test]
    fn slots_are_recycled() {
        let mut slab = OrderSlab::with_capacity(2);
        let first = slab.insert(OrderSlab::blank());
        let second = slab.insert(OrderSlab::blank());
        for slot in [first, second] {
            slab.sign(slot).move_to(OrderState::NotShipped);
        }
        slab.remove(first);
        let third = slab.insert(OrderSlab::blank());
        assert_eq!(third, first);
        assert_eq!(slab.in_flight(), 1, "a quote is not in flight");
        assert_eq!(slab.quoted(), 1);
        assert_eq!(slab.in_flight_peak(), 2);
        slab.sign(third);
        assert_eq!((slab.in_flight(), slab.quoted()), (2, 0));
    }
}
