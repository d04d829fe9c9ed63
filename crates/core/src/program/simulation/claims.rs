//! From acceptance or claim to completion: releases, claims and their
//! negotiation, the platform's decision, refunds and advances, recovery,
//! and the order's entry in its supplier's record.

use super::*;

impl<'a> Simulation<'a> {
    /// Confirmation or auto-release: escrow is released to the supplier, less fees.
    pub(super) fn on_release(&mut self, slot: OrderSlot) {
        let order = self.orders.get_mut(slot);
        settlement::release_all(&mut self.ledger, &self.rules.fee, order);
        if order.claim_reason.is_some() {
            // Released before (or at the very second of) the buyer's claim,
            // which still comes within the window: a claim is never dropped
            // for coinciding with the release.
            order.move_to(OrderState::ReleasedAwaitingClaim);
            let claim_at = order.claim_at.time();
            self.schedule(claim_at, EventKind::Claim, slot);
        } else {
            self.totals.record_resolution(order.value);
            self.complete(slot);
        }
    }

    pub(super) fn on_claim(&mut self, slot: OrderSlot) {
        self.orders.get_mut(slot).move_to(OrderState::Negotiating);
        self.open_claim(slot);
    }

    /// A claim opens with negotiation: a supplier that accepts a justified
    /// claim refunds at once; otherwise the claim escalates.
    pub(super) fn open_claim(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let order = self.orders.get(slot);
        let reason = order.claim_reason.expect("a claim has a reason");
        self.totals.record_claim(reason);
        let supplier = self.population.supplier(order.supplier);
        let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
        let settles = !supplier.vanished && reason.is_justified();
        let settle_draw = self.order_random.at(order.number, Phase::Dispute).uniform();
        if settles && settle_draw < behaviour.settles_in_negotiation_probability {
            self.totals.claims_settled_in_negotiation += 1;
            let refund = self.refund_amount(slot, reason);
            let order = self.orders.get_mut(slot);
            let settled =
                settlement::refund_from_escrow(&mut self.ledger, &self.rules.fee, order, refund);
            // The supplier agreed: what escrow no longer holds it pays itself.
            self.ledger.supplier_refund(settled.shortfall);
            order.set_refunded(true);
            self.totals.record_resolution(order.value);
            self.totals.record_refund(reason, refund);
            self.complete(slot);
        } else {
            self.schedule(
                now.plus(self.rules.negotiation),
                EventKind::Escalation,
                slot,
            );
        }
    }

    pub(super) fn on_escalation(&mut self, slot: OrderSlot) {
        let now = self.queue.now();
        self.orders.get_mut(slot).move_to(OrderState::Escalated);
        self.totals.claims_escalated += 1;
        self.schedule(now.plus(self.rules.decision), EventKind::Decision, slot);
    }

    /// The platform decides, right with the configured accuracy. A granted
    /// refund comes out of escrow; the platform advances what escrow no
    /// longer holds and tries to recover it.
    pub(super) fn on_decision(&mut self, slot: OrderSlot) {
        let now = self.queue.now();
        let order = self.orders.get(slot);
        let reason = order.claim_reason.expect("a claim has a reason");
        let draws = self.order_random.at(order.number, Phase::Dispute);
        let _settle_draw = draws.uniform();
        let correct = draws.chance(self.rules.decision_accuracy);
        let grant = reason.is_justified() == correct;
        self.totals.decisions += 1;
        if !correct {
            self.totals.decisions_wrong += 1;
        }
        self.totals.record_resolution(order.value);
        if !grant {
            if reason.is_justified() {
                // Wrongly denied: the buyer bears what the claim was owed.
                let owed = self.entitlement(slot, reason);
                self.totals.buyer_uncovered_loss += owed;
                if reason == ClaimReason::NonDelivery {
                    self.totals.fraud_lost_by_buyers += owed;
                }
            }
            let order = self.orders.get_mut(slot);
            settlement::release_all(&mut self.ledger, &self.rules.fee, order);
            self.complete(slot);
            return;
        }
        self.totals.decisions_for_buyer += 1;
        let refund = self.refund_amount(slot, reason);
        let order = self.orders.get_mut(slot);
        let settlement::EscrowRefund {
            from_escrow,
            shortfall,
        } = settlement::refund_from_escrow(&mut self.ledger, &self.rules.fee, order, refund);
        order.set_refunded(true);
        if reason == ClaimReason::NonDelivery {
            self.totals.fraud_caught_by_escrow += from_escrow;
        }
        if shortfall.is_zero() {
            self.totals.record_refund(reason, refund);
            self.complete(slot);
        } else if self.rules.advance_refunds {
            self.ledger.advance(shortfall);
            order.advanced = shortfall;
            order.move_to(OrderState::Recovering);
            self.totals.record_refund(reason, refund);
            self.schedule(now.plus(self.rules.recovery), EventKind::Recovery, slot);
        } else {
            // Without advances the buyer gets only what escrow still held.
            self.totals.refunds_unpaid += shortfall;
            self.totals.buyer_uncovered_loss += shortfall;
            if reason == ClaimReason::NonDelivery {
                self.totals.fraud_lost_by_buyers += shortfall;
            }
            if from_escrow.is_zero() {
                // Granted, but nothing was paid: not a refund.
                self.orders.get_mut(slot).set_refunded(false);
            } else {
                self.totals.record_refund(reason, from_escrow);
            }
            self.complete(slot);
        }
    }

    /// The platform recovers its advance from the supplier, or writes it off.
    pub(super) fn on_recovery(&mut self, slot: OrderSlot) {
        let order = self.orders.get(slot);
        let supplier = self.population.supplier(order.supplier);
        let recovery_draw = self
            .order_random
            .at(order.number, Phase::Recovery)
            .uniform();
        let advanced = order.advanced;
        if !supplier.vanished && recovery_draw < self.rules.recovery_probability {
            self.ledger.recover(advanced);
        } else {
            self.ledger.write_off(advanced);
            if order.claim_reason == Some(ClaimReason::NonDelivery) {
                self.totals.fraud_lost_by_platform += advanced;
            }
        }
        self.orders.get_mut(slot).advanced = Cents::ZERO;
        self.complete(slot);
    }

    /// What the buyer would be owed for `reason` without a coverage cap:
    /// the refund scope (deposit, or everything paid), times the defect share
    /// for a claim whose only ground is quality.
    pub(super) fn entitlement(&self, slot: OrderSlot, reason: ClaimReason) -> Cents {
        let order = self.orders.get(slot);
        let scope = match self.rules.refund_scope {
            RefundScope::Deposit => order.deposit(),
            RefundScope::OrderValue => order.paid(),
        };
        let share_bps = if reason.is_defect_only() {
            u32::from(order.defect_share_bps)
        } else {
            BASIS_POINTS_WHOLE
        };
        scope.share(share_bps)
    }

    /// The entitlement capped by the order's coverage; what is cut off is the
    /// buyer's loss.
    pub(super) fn refund_amount(&mut self, slot: OrderSlot, reason: ClaimReason) -> Cents {
        let entitlement = self.entitlement(slot, reason);
        let coverage = self.orders.get(slot).coverage;
        if entitlement > coverage {
            self.totals.buyer_uncovered_loss += entitlement - coverage;
            if reason == ClaimReason::NonDelivery {
                self.totals.fraud_lost_by_buyers += entitlement - coverage;
            }
            coverage
        } else {
            entitlement
        }
    }

    /// The order's life is over: its history reaches the supplier's record,
    /// its coverage returns to the supplier's limit, and the slot is recycled.
    pub(super) fn complete(&mut self, slot: OrderSlot) {
        let order = *self.orders.get(slot);
        let supplier = self.population.supplier_mut(order.supplier);
        supplier.orders_completed_in_run += 1;
        let completion = MonthBucket {
            orders_completed: 1,
            orders_on_time: u32::from(
                !order.late() && order.claim_reason != Some(ClaimReason::NonDelivery),
            ),
            orders_disputed: u32::from(order.claim_reason.is_some()),
            orders_refunded: u32::from(order.refunded()),
            // An order's value is at least one cent: its cents are its magnitude.
            completed_value_cents: order.value.cents().unsigned_abs(),
            ..MonthBucket::default()
        };
        supplier.window.add(self.month, &completion);
        if order.covered() {
            supplier.coverage_open -= order.coverage;
            self.totals.covered_orders_completed += 1;
        }
        self.exposure -= order.released_early();
        self.totals.orders_completed += 1;
        self.orders.remove(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::money::amounts::{total, units};
    use crate::scenario::parse_scenario;

    /// A one-supplier world under `rules` (the platform's accuracy given).
    fn scenario(rules: &str) -> Scenario {
        let types = "(production_days: Fixed(5.0), late_probability: 0.0, late_days: Fixed(1.0), \
                     conformance_probability: 1.0, defect_share: Fixed(0.4), response_probability: 1.0, \
                     response_hours: Fixed(1.0), settles_in_negotiation_probability: 0.0, \
                     voluntary_refund_probability: 0.0, fraud: None)";
        let text = format!(
            "Scenario(name: \"handlers\", seed: 1, start_date: \"2015-01-01\", horizon_days: 60, \
             suppliers: [(name: \"cn\", count: 1, country: \"CN\", volunteer_probability: 1.0, \
             promised_lead_days: 30, type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))], \
             buyers: [(name: \"us\", count: 1, country: \"US\", inquiries_per_year: 1.0, \
             order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)], transit_days: Fixed(2.0), \
             inspection_days: Fixed(1.0), claim_after_breach_probability: 1.0, \
             false_claim_probability: 0.0, confirm_probability: 1.0)], \
             supplier_types: (reliable: {types}, average: {types}, poor: {types}, fraudulent: {types}), \
             rules: ({rules}))"
        );
        parse_scenario(&text, "handlers.ron").unwrap_or_else(|error| panic!("{error}"))
    }

    /// A covered order of 1,000 (deposit 300) with everything paid into
    /// escrow, escalated on `reason`, its deposit released early when
    /// `deposit_released` (escrow then holds 700).
    fn escalated_order(
        simulation: &mut Simulation,
        reason: ClaimReason,
        deposit_released: bool,
    ) -> OrderSlot {
        let slot = simulation.orders.insert(Order {
            value: units(1_000),
            ..OrderSlab::blank()
        });
        let order = simulation.orders.sign(slot);
        order.deposit_share_bps = 3_000;
        order.set_covered(true);
        order.coverage = order.value;
        order.set_balance_paid(true);
        order.claim_reason = Some(reason);
        simulation.ledger.hold(&mut order.hold, units(1_000));
        if deposit_released {
            settlement::release_deposit_early(&mut simulation.ledger, &FeeRule::NONE, order);
        }
        for state in [
            OrderState::InTransit,
            OrderState::Delivered,
            OrderState::Negotiating,
            OrderState::Escalated,
        ] {
            order.move_to(state);
        }
        simulation.population.suppliers[0].coverage_open += order.coverage;
        slot
    }

    #[test]
    fn a_granted_claim_refunds_what_escrow_holds_and_advances_the_rest() {
        let scenario = scenario("decision_accuracy: 1.0");
        let mut simulation = Simulation::new(&scenario, 1);
        let slot = escalated_order(&mut simulation, ClaimReason::Late, true);
        simulation.on_decision(slot);
        // Late: the whole value is owed; escrow held 700, the platform
        // advances 300 and waits for its recovery.
        let order = simulation.orders.get(slot);
        assert_eq!(order.state, OrderState::Recovering);
        assert_eq!(order.advanced, units(300));
        let ledger = simulation.ledger.totals();
        assert_eq!(ledger.refunded_from_escrow, total(700));
        assert_eq!(ledger.advanced_by_platform, total(300));
        assert_eq!(simulation.totals.refunds_total(), 1);
        assert_eq!(simulation.totals.refunds_value_total(), total(1_000));
        // Resolved at the decision, though the order completes at recovery.
        assert_eq!(simulation.totals.covered_orders_resolved, 1);
        assert_eq!(simulation.totals.orders_completed, 0);
    }

    #[test]
    fn a_quality_claim_refunds_the_defect_share_and_releases_the_rest() {
        let scenario = scenario("decision_accuracy: 1.0, refund_scope: OrderValue");
        let mut simulation = Simulation::new(&scenario, 1);
        let slot = escalated_order(&mut simulation, ClaimReason::Quality, false);
        simulation.orders.get_mut(slot).defect_share_bps = 4_000;
        simulation.on_decision(slot);
        // 40% of 1,000 back to the buyer, 600 to the supplier; the order
        // completes and gives its coverage back.
        let ledger = simulation.ledger.totals();
        assert_eq!(ledger.refunded_from_escrow, total(400));
        assert_eq!(ledger.released_to_suppliers, total(600));
        assert_eq!(ledger.escrow_balance, CentsTotal::ZERO);
        assert_eq!(simulation.totals.orders_completed, 1);
        assert_eq!(
            simulation.population.suppliers[0].coverage_open,
            Cents::ZERO
        );
        assert_eq!(simulation.orders.in_flight(), 0);
    }

    #[test]
    fn a_wrongly_denied_claim_releases_everything_and_is_the_buyers_loss() {
        let scenario = scenario("decision_accuracy: 0.0");
        let mut simulation = Simulation::new(&scenario, 1);
        let slot = escalated_order(&mut simulation, ClaimReason::LateAndQuality, false);
        simulation.on_decision(slot);
        let ledger = simulation.ledger.totals();
        assert_eq!(ledger.released_to_suppliers, total(1_000));
        assert_eq!(ledger.refunded_from_escrow, CentsTotal::ZERO);
        assert_eq!(simulation.totals.decisions_wrong, 1);
        // Late and defective: owed the whole value, on the generous ground.
        assert_eq!(simulation.totals.buyer_uncovered_loss, total(1_000));
    }
}
