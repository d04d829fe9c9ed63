//! From contract to inspection: coverage and the deposit at contract,
//! production and any fraud, shipment and the balance, transit, delivery,
//! and the buyer's decision to confirm, claim or stay silent.

use super::*;

impl<'a> Simulation<'a> {
    /// Contract: coverage is decided, the deposit paid, and the supplier's
    /// production (and any fraud) drawn.
    pub(super) fn on_contract(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let rules = &self.rules;
        let order = self.orders.sign(slot);
        let supplier = &mut self.population.suppliers[order.supplier.0 as usize];
        let segment = &scenario.suppliers[supplier.segment_index as usize];
        order.ship_by = CompactTime::saturating_from(
            now.plus(SimDuration::from_days(segment.promised_lead_days)),
        );
        order.deposit_share_bps = rules.deposit_share_bps;

        let badged = supplier.shows_badge();
        let eligible = badged
            && rules.eligible_countries.contains(supplier.country)
            && rules.covered_methods.contains(order.payment_method)
            && order.value >= rules.coverage_min_order_value;
        let coverage_remaining = supplier.coverage_remaining();
        if eligible && coverage_remaining.is_zero() {
            self.totals.orders_over_coverage_limit += 1;
        }
        if eligible && !coverage_remaining.is_zero() {
            order.set_covered(true);
            order.coverage = order.value.min(coverage_remaining);
            supplier.coverage_open += order.coverage;
            if order.coverage < order.value {
                self.totals.orders_partially_covered += 1;
            }
        }
        if badged {
            self.totals.orders_with_badged_supplier += 1;
        }
        self.totals.orders_placed += 1;
        self.totals.gmv += order.value;
        if order.covered() {
            self.totals.orders_covered += 1;
            self.totals.gmv_covered += order.value;
        }
        let deposit = order.deposit();
        let exposure = (&mut self.exposure, &mut self.exposure_peak);
        pay_in(
            &mut self.ledger,
            rules,
            order,
            deposit,
            DepositRelease::AtContract,
            exposure,
        );
        self.start_production(slot, now);
    }

    /// Production after the contract: whether the goods will conform, when
    /// they ship (on time, or late), and whether a bust-out fraudster
    /// vanishes instead. A fixed count of draws, whatever the supplier's type.
    fn start_production(&mut self, slot: OrderSlot, now: SimTime) {
        let scenario: &'a Scenario = self.scenario;
        let order = self.orders.get_mut(slot);
        let supplier = &mut self.population.suppliers[order.supplier.0 as usize];
        let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
        let draws = self.order_random.at(order.number, Phase::Production);
        let vanish_draw = draws.uniform();
        let late_draw = draws.uniform();
        // Each delay is shaped only if it is the one that applies.
        let late_uniforms = draws.sample_uniforms();
        let production_uniforms = draws.sample_uniforms();
        let conforming = draws.chance(behaviour.conformance_probability);
        let (defect_first, defect_second) = draws.sample_uniforms();
        order.set_conforming(conforming);
        order.defect_share_bps = if conforming {
            0
        } else {
            let defect_share = shape(&behaviour.defect_share, defect_first, defect_second);
            (defect_share.clamp(0.0001, 1.0) * 10_000.0).round() as u16
        };
        if let Some(Fraud::BustOut {
            clean_orders,
            vanish_probability,
        }) = behaviour.fraud
        {
            if !supplier.vanished
                && supplier.orders_completed_in_run >= clean_orders
                && vanish_draw < vanish_probability
            {
                supplier.vanished = true;
                self.views.vanish(order.supplier);
                self.totals.suppliers_vanished += 1;
            }
        }
        let ship_at = if late_draw < behaviour.late_probability {
            let (first, second) = late_uniforms;
            let late_days = shape(&behaviour.late_days, first, second);
            order
                .ship_by
                .time()
                .plus(SimDuration::from_days_f64(late_days))
        } else {
            let (first, second) = production_uniforms;
            let production_days = shape(&behaviour.production_days, first, second);
            let promised = order.ship_by.time().seconds() - now.seconds();
            now.plus(SimDuration(
                SimDuration::from_days_f64(production_days)
                    .seconds()
                    .min(promised),
            ))
        };
        self.schedule(ship_at, EventKind::Ship, slot);
    }

    /// Shipment: the balance is paid, the deposit may be released, and the
    /// goods leave; a vanished supplier ships nothing.
    pub(super) fn on_ship(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let rules = &self.rules;
        let order = self.orders.get_mut(slot);
        let supplier = &self.population.suppliers[order.supplier.0 as usize];
        if supplier.vanished {
            order.move_to(OrderState::NotShipped);
            self.totals.not_shipped += 1;
            let noticed = order
                .ship_by
                .time()
                .plus(rules.grace)
                .plus(SimDuration::from_days(NON_DELIVERY_NOTICE_DAYS))
                .max(now);
            self.schedule(noticed, EventKind::NonDeliveryNoticed, slot);
            return;
        }
        order.move_to(OrderState::InTransit);
        let balance = order.value - order.deposit();
        order.set_balance_paid(true);
        let exposure = (&mut self.exposure, &mut self.exposure_peak);
        pay_in(
            &mut self.ledger,
            rules,
            order,
            balance,
            DepositRelease::AtShipment,
            exposure,
        );
        order.set_late(now > order.ship_by.time().plus(rules.grace));
        if order.late() {
            self.totals.shipped_late += 1;
        }
        if !order.conforming() {
            self.totals.nonconforming += 1;
        }
        let segment = &scenario.buyers[usize::from(order.buyer_segment)];
        let transit_days = self
            .order_random
            .at(order.number, Phase::Buyer)
            .sample(&segment.transit_days);
        self.schedule(
            now.plus(SimDuration::from_days_f64(transit_days)),
            EventKind::Delivery,
            slot,
        );
    }

    /// The buyer notices that nothing shipped: a covered order's buyer claims
    /// non-delivery; an uncovered order's buyer has lost the deposit.
    pub(super) fn on_non_delivery_noticed(&mut self, slot: OrderSlot) {
        let order = self.orders.get_mut(slot);
        order.claim_reason = Some(ClaimReason::NonDelivery);
        self.totals.fraud_value_taken += order.paid();
        if order.covered() {
            order.move_to(OrderState::Negotiating);
            self.open_claim(slot);
        } else {
            self.totals.buyer_uncovered_loss += order.paid();
            self.totals.fraud_lost_by_buyers += order.paid();
            self.complete(slot);
        }
    }

    /// Delivery: the buyer inspects and decides whether to confirm, claim or
    /// let the timeout release escrow.
    pub(super) fn on_delivery(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let order = self.orders.get_mut(slot);
        order.move_to(OrderState::Delivered);
        let segment = &scenario.buyers[usize::from(order.buyer_segment)];
        // The transit draw came first in this phase (at shipment); every
        // sample takes exactly two words, so skipping its two uniforms
        // reaches the buyer's draws without computing transit again.
        let draws = self.order_random.at(order.number, Phase::Buyer);
        let _transit_uniforms = draws.sample_uniforms();
        let inspection_days = draws.sample(&segment.inspection_days);
        let breach_claim_draw = draws.uniform();
        let false_claim_draw = draws.uniform();
        let confirm_draw = draws.uniform();
        let voluntary_refund_draw = draws.uniform();
        let reason = if let Some(breach) = ClaimReason::of_breach(order.late(), order.conforming())
        {
            (breach_claim_draw < segment.claim_after_breach_probability).then_some(breach)
        } else {
            (false_claim_draw < segment.false_claim_probability).then_some(ClaimReason::FalseClaim)
        };
        let acted_at = now.plus(SimDuration::from_days_f64(inspection_days));

        if !order.covered() {
            // No program, but the same physical life: the buyer inspects, and
            // a breach it pursues is refunded only if the supplier chooses to
            // (decided now, paid when the inspection ends).
            if let Some(reason) = reason.filter(|reason| reason.is_justified()) {
                order.claim_reason = Some(reason);
                let supplier = self.population.supplier(order.supplier);
                let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
                order.set_refunded(voluntary_refund_draw < behaviour.voluntary_refund_probability);
            }
            self.schedule(acted_at, EventKind::Inspected, slot);
            return;
        }

        let auto_release_at = now.plus(self.rules.auto_release);
        let claim_deadline = now.plus(self.rules.claim_window);
        let order = self.orders.get_mut(slot);
        match reason {
            Some(reason) if acted_at <= claim_deadline => {
                order.claim_reason = Some(reason);
                order.claim_at = CompactTime::saturating_from(acted_at);
                if acted_at < auto_release_at {
                    self.schedule(acted_at, EventKind::Claim, slot);
                } else {
                    self.schedule(auto_release_at, EventKind::AutoRelease, slot);
                }
            }
            _ => {
                if confirm_draw < segment.confirm_probability && acted_at < auto_release_at {
                    self.schedule(acted_at, EventKind::Confirm, slot);
                } else {
                    self.schedule(auto_release_at, EventKind::AutoRelease, slot);
                }
            }
        }
    }

    /// An uncovered order's inspection ends: a breach the buyer pursued is
    /// refunded by the supplier if it chose to, or is the buyer's loss; the
    /// order completes.
    pub(super) fn on_uncovered_inspected(&mut self, slot: OrderSlot) {
        let order = self.orders.get(slot);
        if let Some(reason) = order.claim_reason {
            let refunded = order.refunded();
            let entitlement = self.entitlement(slot, reason);
            if refunded {
                self.ledger.supplier_refund(entitlement);
                self.totals.voluntary_refunds += entitlement;
            } else {
                self.totals.buyer_uncovered_loss += entitlement;
            }
        }
        self.complete(slot);
    }
}

/// The buyer pays `amount` at `stage` of the order: into escrow when the
/// order is covered (releasing the deposit early if the release rule names
/// this stage), straight to the supplier when it is not.
fn pay_in(
    ledger: &mut Ledger,
    rules: &CompiledRules,
    order: &mut Order,
    amount: Cents,
    stage: DepositRelease,
    (exposure, exposure_peak): (&mut CentsTotal, &mut CentsTotal),
) {
    if !order.covered() {
        ledger.pay_supplier_directly(amount);
        return;
    }
    ledger.hold(&mut order.hold, amount);
    if rules.deposit_release == stage {
        release_early(ledger, rules, order, exposure, exposure_peak);
    }
}

/// Releases the deposit before acceptance; the platform is now exposed to it.
fn release_early(
    ledger: &mut Ledger,
    rules: &CompiledRules,
    order: &mut Order,
    exposure: &mut CentsTotal,
    exposure_peak: &mut CentsTotal,
) {
    *exposure += settlement::release_deposit_early(ledger, &rules.fee, order);
    if *exposure > *exposure_peak {
        *exposure_peak = *exposure;
    }
}
