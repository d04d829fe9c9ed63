//! The run loop's side of tracing: what is noted of a traced order before
//! its event, and the record made of it after (see `program::trace`). None
//! of this runs unless the run's observer is active.

use super::*;
use crate::program::trace::{
    Observer, TraceRecord, movements_between, rule_value, rules_deciding, state_key,
};
use std::collections::BTreeMap;

/// What is noted of a traced order just before one of its events.
pub(super) struct Watch {
    kind: EventKind,
    number: u64,
    slot: OrderSlot,
    /// The order as it was; `None` before its inquiry.
    before: Option<Order>,
    ledger: LedgerTotals,
    /// The buyer of an inquiry, drawn one inquiry ahead.
    buyer: (BuyerId, u16),
    /// Whether the record gets its time and rules (`Observer::describes`).
    describes: bool,
}

impl EventKind {
    /// The event's name in traces.
    fn key(self) -> &'static str {
        match self {
            EventKind::Inquiry => "inquiry",
            EventKind::Contract => "contract",
            EventKind::Ship => "ship",
            EventKind::NonDeliveryNoticed => "non_delivery_noticed",
            EventKind::Delivery => "delivery",
            EventKind::Inspected => "inspected",
            EventKind::Confirm => "confirm",
            EventKind::AutoRelease => "auto_release",
            EventKind::Claim => "claim",
            EventKind::Escalation => "escalation",
            EventKind::Decision => "decision",
            EventKind::Recovery => "recovery",
            EventKind::MonthEnd => "month_end",
            EventKind::Review => "review",
            EventKind::RuleChange => "rule_change",
        }
    }
}

impl<'a> Simulation<'a> {
    /// Before an event: its order's number, state and the ledger's totals,
    /// when the event is an order's and the observer traces the order. An
    /// inquiry's order is the next order number, in the slot the order
    /// slab will give it.
    pub(super) fn watch<O: Observer>(
        &self,
        kind: EventKind,
        slot: OrderSlot,
        observer: &O,
    ) -> Option<Watch> {
        let (number, slot, before) = match kind {
            EventKind::MonthEnd | EventKind::Review | EventKind::RuleChange => return None,
            EventKind::Inquiry => (self.next_order_number, self.orders.next_slot(), None),
            _ => {
                let order = self.orders.get(slot);
                (order.number, slot, Some(*order))
            }
        };
        if !observer.traces(number) {
            return None;
        }
        Some(Watch {
            kind,
            number,
            slot,
            before,
            ledger: self.ledger.totals(),
            buyer: self.next_buyer,
            describes: observer.describes(number),
        })
    }

    /// After the event `watch` noted: its record. `buyers` keeps the buyer
    /// of each traced order in flight, since an order keeps only its
    /// buyer's segment.
    pub(super) fn describe(&self, watch: Watch, buyers: &mut BTreeMap<u64, u32>) -> TraceRecord {
        let now = self.queue.now();
        let after = self
            .orders
            .try_get(watch.slot)
            .filter(|order| order.number == watch.number && order.state != OrderState::Free);
        let movements = movements_between(&watch.ledger, &self.ledger.totals());
        let state_after = match (after, watch.before) {
            (Some(order), _) => state_key(Some(order.state)),
            (None, None) => "unanswered",
            (None, Some(_)) => state_key(Some(OrderState::Free)),
        };
        let buyer = match watch.before {
            None => {
                if after.is_some() {
                    buyers.insert(watch.number, watch.buyer.0.0);
                }
                watch.buyer.0.0
            }
            Some(_) if after.is_none() => buyers.remove(&watch.number).unwrap_or(u32::MAX),
            Some(_) => buyers.get(&watch.number).copied().unwrap_or(u32::MAX),
        };
        let order = after.or(watch.before.as_ref());
        let refunded_now = movements.iter().any(|movement| {
            matches!(
                movement.flow,
                "refunded_from_escrow" | "advanced_by_platform" | "refunded_by_suppliers"
            )
        });
        let kind = watch.kind.key();
        let deciding = if watch.describes {
            rules_deciding(kind)
        } else {
            &[]
        };
        let rules = deciding
            .iter()
            .map(|&rule| crate::program::trace::RuleValue {
                rule,
                value: rule_value(&self.rules_in_force, rule),
            })
            .collect();
        TraceRecord {
            seconds: now.seconds(),
            time: if watch.describes {
                self.iso_time(now)
            } else {
                String::new()
            },
            kind,
            order: watch.number,
            buyer,
            buyer_segment: order.map_or(watch.buyer.1, |order| order.buyer_segment),
            supplier: order.map(|order| order.supplier.0),
            state_before: state_key(watch.before.map(|order| order.state)),
            state_after,
            value_cents: order.map_or(0, |order| order.value.cents()),
            covered: order.is_some_and(|order| order.covered()),
            coverage_cents: order.map_or(0, |order| order.coverage.cents()),
            held_cents: after.map_or(0, |order| order.hold.pending().cents()),
            claim_reason: order.and_then(|order| order.claim_reason.map(ClaimReason::key)),
            refunded: order.is_some_and(|order| order.refunded()) || refunded_now,
            movements,
            rules,
        }
    }

    /// `now` as an ISO date-time of the simulated clock.
    fn iso_time(&self, now: SimTime) -> String {
        let seconds = now.seconds();
        let date = self
            .scenario
            .start_date
            .add_days((seconds / SECONDS_PER_DAY) as i64);
        let of_day = seconds % SECONDS_PER_DAY;
        format!(
            "{date}T{:02}:{:02}:{:02}",
            of_day / 3600,
            of_day / 60 % 60,
            of_day % 60
        )
    }
}
