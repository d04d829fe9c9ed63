//! Arrivals and the buyer's choice: one aggregate Poisson stream of
//! inquiries, the candidates asked, and the multinomial logit over what
//! their storefronts show.

use super::*;
use crate::scenario::ChoiceWeights;

impl<'a> Simulation<'a> {
    pub(super) fn schedule_next_inquiry(&mut self) {
        // One aggregate Poisson stream for all buyers: exactly one uniform per
        // arrival, so arrival times never depend on the rules.
        let gap_seconds =
            -libm::log(1.0 - uniform01(&mut self.arrivals)) / self.inquiries_per_second;
        let time = self.queue.now().plus(SimDuration(
            (gap_seconds + 0.5).min(u64::MAX as f64 / 2.0) as u64,
        ));
        if time < self.end {
            self.schedule(time, EventKind::Inquiry, OrderSlot(0));
        }
    }

    pub(super) fn pick_buyer(&mut self) -> BuyerId {
        let rate_draw = uniform01(&mut self.arrivals) * self.inquiries_per_second;
        let segment_index = self
            .segment_rate_cumulative
            .iter()
            .position(|&cumulative| rate_draw < cumulative)
            .unwrap_or(self.segment_rate_cumulative.len() - 1);
        let count = self.scenario.buyers[segment_index].count;
        let offset = index_below(&mut self.arrivals, count);
        BuyerId(self.population.buyer_segment_start[segment_index] + offset)
    }

    /// A buyer asks a few suppliers, those who answer quote, and the buyer
    /// picks one by a multinomial logit over what their storefronts show.
    pub(super) fn on_inquiry(&mut self) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let buyer_id = self.pick_buyer();
        self.schedule_next_inquiry();
        let order_number = self.next_order_number;
        self.next_order_number += 1;
        self.totals.inquiries += 1;
        let buyer = *self.population.buyer(buyer_id);
        let segment = &scenario.buyers[buyer.segment_index as usize];
        let supplier_count = self.population.suppliers.len() as u32;
        let draws = self.order_random.at(order_number, Phase::Inquiry);
        let mut candidates = [(SupplierId(0), 0u64, 0.0f64); INQUIRY_CANDIDATES_MAX as usize];
        let mut answered = 0;
        let mut best_utility = f64::NEG_INFINITY;
        for _ in 0..segment.inquiry_candidates {
            let supplier_id = SupplierId(index_below(draws, supplier_count));
            let answer_draw = uniform01(draws);
            let supplier = &mut self.population.suppliers[supplier_id.0 as usize];
            let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
            let response_seconds =
                SimDuration::from_hours_f64(sample(draws, &behaviour.response_hours)).seconds();
            let month = self.month;
            let answers = !supplier.vanished && answer_draw < behaviour.response_probability;
            let inquiry = MonthBucket {
                inquiries_received: 1,
                inquiries_answered: u32::from(answers),
                response_seconds: if answers { response_seconds } else { 0 },
                ..MonthBucket::default()
            };
            supplier.window.add(month, &inquiry);
            if !answers {
                continue;
            }
            let utility = storefront_utility(&segment.choice, supplier, month, &self.log1p_counts);
            best_utility = best_utility.max(utility);
            candidates[answered] = (supplier_id, response_seconds, utility);
            answered += 1;
        }
        let choice_draw = uniform01(draws);
        let value_units = sample(draws, &segment.order_value);
        if answered == 0 {
            self.totals.inquiries_unanswered += 1;
            return;
        }
        let (supplier_id, response_seconds, _) =
            logit_choice(&mut candidates[..answered], best_utility, choice_draw);
        let price_index = self.population.supplier(supplier_id).price_index;
        let order = Order {
            number: order_number,
            value: Cents::from_drawn_units((value_units * price_index).min(ORDER_VALUE_MAX)),
            buyer: buyer_id,
            supplier: supplier_id,
            payment_method: buyer.payment_method,
            ..OrderSlab::blank()
        };
        let slot = self.orders.insert(order);
        self.schedule(
            now.plus(SimDuration(response_seconds)),
            EventKind::Contract,
            slot,
        );
    }
}

/// A candidate's utility by what its storefront shows: the badge and the
/// trailing 12 months (orders, response rate and speed), and its price.
fn storefront_utility(
    weights: &ChoiceWeights,
    supplier: &Supplier,
    month: MonthIndex,
    log1p_counts: &Log1pTable,
) -> f64 {
    let storefront = supplier.window.last_twelve_months(month);
    let badge = if supplier.shows_badge() { 1.0 } else { 0.0 };
    weights.badge * badge
        + weights.transactions * log1p_counts.of(storefront.orders_completed)
        + weights.response_rate * storefront.response_rate()
        - weights.response_speed * storefront.mean_response_hours() / 24.0
        - weights.price * supplier.log_price_index
}

/// The candidate a multinomial logit picks with uniform `draw`, from
/// (supplier, response seconds, utility) entries; the utilities are
/// replaced by their weights. The softmax is taken relative to the best
/// utility, so `exp` never overflows.
fn logit_choice(
    candidates: &mut [(SupplierId, u64, f64)],
    best_utility: f64,
    draw: f64,
) -> (SupplierId, u64, f64) {
    let mut weight_sum = 0.0;
    for candidate in candidates.iter_mut() {
        candidate.2 = libm::exp(candidate.2 - best_utility);
        weight_sum += candidate.2;
    }
    let mut target = draw * weight_sum;
    for &candidate in candidates.iter() {
        if target < candidate.2 {
            return candidate;
        }
        target -= candidate.2;
    }
    candidates[candidates.len() - 1]
}
