//! Arrivals and the buyer's choice: one aggregate Poisson stream of
//! inquiries, the candidates asked, and the multinomial logit over what
//! their storefronts show.
//!
//! An inquiry asks several random suppliers, so it is the one event that
//! touches many supplier records; with a hundred thousand suppliers of
//! about 600 bytes each, every candidate would be a cache miss or two. So
//! the candidates are read from dense arrays instead: the utility of each
//! supplier's storefront to each buyer segment (8 bytes), its
//! [`Shopfront`] (whether and how it answers, and its price: 16 bytes), and
//! [`InquiryCounts`], the current month's inquiries (16 bytes). All are
//! exact: a storefront shows
//! the trailing twelve *complete* months, which no event of the current
//! month changes, so the shopfront is refreshed when a month closes and
//! when the badge or the supplier's presence changes; the counts are added
//! to the supplier's history when the month closes, before anything reads
//! that month (reviews and storefronts read complete months only).

use super::*;
use crate::scenario::{BuyerSegment, ChoiceWeights, SupplierType};

/// What an inquiry reads of a supplier besides its utility: whether and how
/// it answers, and the price of what it sells.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Shopfront {
    /// The price level that scales the value of an order the buyer places.
    price_index: f64,
    vanished: bool,
    latent_type: SupplierType,
}

impl Shopfront {
    fn of(supplier: &Supplier) -> Shopfront {
        Shopfront {
            price_index: supplier.price_index,
            vanished: supplier.vanished,
            latent_type: supplier.latent_type,
        }
    }
}

/// What a storefront shows, as the buyer's utility weighs it.
struct Shown {
    badge: bool,
    /// `ln(1 + orders completed in the trailing twelve months)`.
    log1p_orders: f64,
    response_rate: f64,
    mean_response_hours: f64,
    log_price_index: f64,
}

/// Every supplier's shopfront, and its utility to a buyer of each segment
/// (segment-major: the utilities one inquiry compares are in one array).
/// A utility is [`storefront_utility`] of what the storefront shows, the
/// same arithmetic in the same order as computing it per inquiry, so the
/// choice is bit-identical; it changes only when the storefront does.
pub(super) struct StorefrontViews {
    shopfronts: Vec<Shopfront>,
    utilities: Vec<f64>,
}

impl StorefrontViews {
    /// The views of every supplier during `month`.
    pub(super) fn new(
        suppliers: &[Supplier],
        segments: &[BuyerSegment],
        month: MonthIndex,
        log1p_counts: &Log1pTable,
    ) -> StorefrontViews {
        let mut views = StorefrontViews {
            shopfronts: suppliers.iter().map(Shopfront::of).collect(),
            utilities: vec![0.0; suppliers.len() * segments.len()],
        };
        for (index, supplier) in suppliers.iter().enumerate() {
            views.refresh(index, supplier, segments, month, log1p_counts);
        }
        views
    }

    /// Brings supplier `index`'s views up to date with its record, during `month`.
    pub(super) fn refresh(
        &mut self,
        index: usize,
        supplier: &Supplier,
        segments: &[BuyerSegment],
        month: MonthIndex,
        log1p_counts: &Log1pTable,
    ) {
        self.shopfronts[index] = Shopfront::of(supplier);
        let storefront = supplier.window.last_twelve_months(month);
        let shown = Shown {
            badge: supplier.shows_badge(),
            log1p_orders: log1p_counts.of(storefront.orders_completed),
            response_rate: storefront.response_rate(),
            mean_response_hours: storefront.mean_response_hours(),
            log_price_index: supplier.log_price_index,
        };
        let suppliers = self.shopfronts.len();
        for (segment_index, segment) in segments.iter().enumerate() {
            self.utilities[segment_index * suppliers + index] =
                storefront_utility(&segment.choice, &shown);
        }
    }

    /// The supplier has gone: it answers no more inquiries.
    pub(super) fn vanish(&mut self, supplier: SupplierId) {
        self.shopfronts[supplier.0 as usize].vanished = true;
    }

    fn shopfront(&self, supplier: SupplierId) -> &Shopfront {
        &self.shopfronts[supplier.0 as usize]
    }

    fn utility(&self, segment_index: usize, supplier: SupplierId) -> f64 {
        self.utilities[segment_index * self.shopfronts.len() + supplier.0 as usize]
    }

    /// Whether every view shows what its supplier's record does during
    /// `month`, to the bit.
    pub(super) fn are_current(
        &self,
        suppliers: &[Supplier],
        segments: &[BuyerSegment],
        month: MonthIndex,
        log1p_counts: &Log1pTable,
    ) -> bool {
        let fresh = StorefrontViews::new(suppliers, segments, month, log1p_counts);
        fresh.shopfronts == self.shopfronts
            && fresh
                .utilities
                .iter()
                .zip(&self.utilities)
                .all(|(fresh, kept)| fresh.to_bits() == kept.to_bits())
    }
}

/// A supplier's inquiries of the current month, added to its history when
/// the month closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct InquiryCounts {
    received: u32,
    answered: u32,
    response_seconds: u64,
}

impl InquiryCounts {
    /// The counts as a month of history, and zero counts in their place.
    pub(super) fn take(&mut self) -> Option<MonthBucket> {
        if self.received == 0 {
            return None;
        }
        let counts = std::mem::take(self);
        Some(MonthBucket {
            inquiries_received: counts.received,
            inquiries_answered: counts.answered,
            response_seconds: counts.response_seconds,
            ..MonthBucket::default()
        })
    }
}

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
        let segment_index = usize::from(buyer.segment_index);
        let segment = &scenario.buyers[segment_index];
        let supplier_count = self.population.suppliers.len() as u32;
        let draws = self.order_random.at(order_number, Phase::Inquiry);
        let mut candidates = [(SupplierId(0), 0u64, 0.0f64); INQUIRY_CANDIDATES_MAX as usize];
        let mut answered = 0;
        let mut best_utility = f64::NEG_INFINITY;
        for _ in 0..segment.inquiry_candidates {
            let supplier_id = SupplierId(index_below(draws, supplier_count));
            let answer_draw = uniform01(draws);
            let shopfront = self.views.shopfront(supplier_id);
            let behaviour = scenario.supplier_types.behaviour(shopfront.latent_type);
            let response_seconds =
                SimDuration::from_hours_f64(sample(draws, &behaviour.response_hours)).seconds();
            let answers = !shopfront.vanished && answer_draw < behaviour.response_probability;
            let counts = &mut self.inquiry_counts[supplier_id.0 as usize];
            counts.received += 1;
            if !answers {
                continue;
            }
            counts.answered += 1;
            counts.response_seconds += response_seconds;
            let utility = self.views.utility(segment_index, supplier_id);
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
        let price_index = self.views.shopfront(supplier_id).price_index;
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
fn storefront_utility(weights: &ChoiceWeights, shown: &Shown) -> f64 {
    let badge = if shown.badge { 1.0 } else { 0.0 };
    weights.badge * badge
        + weights.transactions * shown.log1p_orders
        + weights.response_rate * shown.response_rate
        - weights.response_speed * shown.mean_response_hours / 24.0
        - weights.price * shown.log_price_index
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
