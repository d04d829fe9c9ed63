//! Arrivals and the buyer's choice: one aggregate Poisson stream of
//! inquiries, the candidates asked, and the multinomial logit over what
//! their storefronts show.
//!
//! An inquiry asks several random suppliers, so it is the one event that
//! touches many supplier records; with a hundred thousand suppliers of
//! about 600 bytes each, every candidate would be a cache miss or two. So
//! each candidate is read from a dense [`SupplierView`] instead: one cache
//! line holding the utility of the supplier's storefront to the first
//! [`INLINE_SEGMENTS`] buyer segments, whether and how it answers, its
//! price, and the current month's inquiries it received. A candidate thus
//! costs one line, not the three that separate arrays of utilities,
//! shopfronts and counts took. The utilities of further segments (rare: a
//! scenario names a handful of buyer segments) live in an array beside.
//!
//! All of it is exact: a storefront shows the trailing twelve *complete*
//! months, which no event of the current month changes, so a view is
//! refreshed when a month closes and when the badge or the supplier's
//! presence changes; the counts are added to the supplier's history when
//! the month closes, before anything reads that month (reviews and
//! storefronts read complete months only).

use super::*;
use crate::scenario::{BuyerSegment, ChoiceWeights, SupplierType};

/// Buyer segments whose utilities sit in the supplier's view record itself:
/// four fill the record's cache line with what else an inquiry reads.
pub(super) const INLINE_SEGMENTS: usize = 4;

/// What an inquiry reads and writes of one supplier, in one cache line.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub(super) struct SupplierView {
    /// The storefront's utility to a buyer of each of the first
    /// [`INLINE_SEGMENTS`] segments (zero for segments the scenario lacks).
    utilities: [f64; INLINE_SEGMENTS],
    /// The price level that scales the value of an order the buyer places.
    price_index: f64,
    /// The current month's inquiries, added to the history when it closes.
    counts: InquiryCounts,
    vanished: bool,
    latent_type: SupplierType,
}

impl SupplierView {
    const EMPTY: SupplierView = SupplierView {
        utilities: [0.0; INLINE_SEGMENTS],
        price_index: 0.0,
        counts: InquiryCounts {
            received: 0,
            answered: 0,
            response_seconds: 0,
        },
        vanished: false,
        latent_type: SupplierType::Reliable,
    };

    /// Whether the two show the same storefront, utilities to the bit
    /// (the counts are not part of what a storefront shows).
    fn shows_the_same_as(&self, other: &SupplierView) -> bool {
        self.price_index.to_bits() == other.price_index.to_bits()
            && self.vanished == other.vanished
            && self.latent_type == other.latent_type
            && self
                .utilities
                .iter()
                .zip(&other.utilities)
                .all(|(mine, theirs)| mine.to_bits() == theirs.to_bits())
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

/// Every supplier's view (see [`SupplierView`]). A utility is
/// [`storefront_utility`] of what the storefront shows, the same
/// arithmetic in the same order as computing it per inquiry, so the choice
/// is bit-identical; it changes only when the storefront does.
pub(super) struct StorefrontViews {
    views: Vec<SupplierView>,
    /// Utilities of segments from [`INLINE_SEGMENTS`] on, segment-major:
    /// segment `s`'s utility of supplier `i` at `(s - INLINE_SEGMENTS) *
    /// suppliers + i`.
    more_utilities: Vec<f64>,
}

impl StorefrontViews {
    /// The views of every supplier during `month`.
    pub(super) fn new(
        suppliers: &[Supplier],
        segments: &[BuyerSegment],
        month: MonthIndex,
        log1p_counts: &Log1pTable,
    ) -> StorefrontViews {
        let more_segments = segments.len().saturating_sub(INLINE_SEGMENTS);
        let mut views = StorefrontViews {
            views: vec![SupplierView::EMPTY; suppliers.len()],
            more_utilities: vec![0.0; suppliers.len() * more_segments],
        };
        for (index, supplier) in suppliers.iter().enumerate() {
            views.refresh(index, supplier, segments, month, log1p_counts);
        }
        views
    }

    /// Brings supplier `index`'s view up to date with its record, during
    /// `month`; its inquiry counts are left as they are.
    pub(super) fn refresh(
        &mut self,
        index: usize,
        supplier: &Supplier,
        segments: &[BuyerSegment],
        month: MonthIndex,
        log1p_counts: &Log1pTable,
    ) {
        let storefront = supplier.window.last_twelve_months(month);
        let shown = Shown {
            badge: supplier.shows_badge(),
            log1p_orders: log1p_counts.of(storefront.orders_completed),
            response_rate: storefront.response_rate(),
            mean_response_hours: storefront.mean_response_hours(),
            log_price_index: supplier.log_price_index,
        };
        let suppliers = self.views.len();
        let view = &mut self.views[index];
        view.price_index = supplier.price_index;
        view.vanished = supplier.vanished;
        view.latent_type = supplier.latent_type;
        for (segment_index, segment) in segments.iter().enumerate() {
            let utility = storefront_utility(&segment.choice, &shown);
            match view.utilities.get_mut(segment_index) {
                Some(inline) => *inline = utility,
                None => {
                    self.more_utilities[(segment_index - INLINE_SEGMENTS) * suppliers + index] =
                        utility
                }
            }
        }
    }

    /// The supplier has gone: it answers no more inquiries.
    pub(super) fn vanish(&mut self, supplier: SupplierId) {
        self.views[supplier.0 as usize].vanished = true;
    }

    /// Asks the memory system for a supplier's view ahead of reading it.
    fn prefetch(&self, supplier: SupplierId) {
        if let Some(view) = self.views.get(supplier.0 as usize) {
            crate::engine::prefetch::prefetch(view);
        }
    }

    fn view_mut(&mut self, supplier: SupplierId) -> &mut SupplierView {
        &mut self.views[supplier.0 as usize]
    }

    fn price_index(&self, supplier: SupplierId) -> f64 {
        self.views[supplier.0 as usize].price_index
    }

    /// The utility of a segment from [`INLINE_SEGMENTS`] on.
    fn more_utility(&self, segment_index: usize, supplier: SupplierId) -> f64 {
        self.more_utilities
            [(segment_index - INLINE_SEGMENTS) * self.views.len() + supplier.0 as usize]
    }

    /// Supplier `index`'s inquiries this month as a month of history, and
    /// zero counts in their place.
    pub(super) fn take_counts(&mut self, index: usize) -> Option<MonthBucket> {
        self.views[index].counts.take()
    }

    /// Every supplier's inquiries of the current month, by supplier index.
    pub(super) fn counts(&self) -> Vec<InquiryCounts> {
        self.views.iter().map(|view| view.counts).collect()
    }

    /// Sets supplier `index`'s inquiries of the current month.
    pub(super) fn set_counts(&mut self, index: usize, counts: InquiryCounts) {
        self.views[index].counts = counts;
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
        fresh
            .views
            .iter()
            .zip(&self.views)
            .all(|(fresh, kept)| fresh.shows_the_same_as(kept))
            && fresh
                .more_utilities
                .iter()
                .zip(&self.more_utilities)
                .all(|(fresh, kept)| fresh.to_bits() == kept.to_bits())
    }
}

/// A supplier's inquiries of the current month, added to its history when
/// the month closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct InquiryCounts {
    received: u32,
    answered: u32,
    response_seconds: u64,
}

impl InquiryCounts {
    /// The counts as a month of history, and zero counts in their place.
    fn take(&mut self) -> Option<MonthBucket> {
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

/// Bytes a run keeps per supplier besides its [`Supplier`] record, with
/// `buyer_segments` segments: its view, and the utilities of the segments
/// beyond those the view holds.
pub const fn supplier_view_bytes(buyer_segments: usize) -> usize {
    let more_segments = buyer_segments.saturating_sub(INLINE_SEGMENTS);
    std::mem::size_of::<SupplierView>() + more_segments * std::mem::size_of::<f64>()
}

/// Words an inquiry draws about each supplier it asks, the supplier's
/// index first: an index, the answer's uniform, the response time's two.
const WORDS_PER_ASKED: usize = 4;

/// What an inquiry draws about one supplier it asks, before reading
/// anything of the supplier.
#[derive(Clone, Copy, Debug, Default)]
struct Asked {
    supplier: SupplierId,
    answer_draw: f64,
    /// The two uniforms of the response time, shaped once the supplier's
    /// type (and so its distribution) is read.
    response_uniforms: (f64, f64),
}

impl<'a> Simulation<'a> {
    /// Draws when the next inquiry comes and who makes it. The buyer is
    /// drawn now, one inquiry ahead, so that its record can be loaded
    /// while other events run; the arrivals stream is read in the same
    /// order as drawing it at the inquiry (gap, buyer, gap, buyer, ...),
    /// so the same words give the same buyers. The suppliers it will ask
    /// are read off the first block of its draws (which the inquiry then
    /// uses as it is) and their views asked for too.
    pub(super) fn schedule_next_inquiry(&mut self) {
        // One aggregate Poisson stream for all buyers: exactly one uniform per
        // arrival, so arrival times never depend on the rules.
        let gap_seconds =
            -math::log(1.0 - uniform01(&mut self.arrivals)) / self.inquiries_per_second;
        let time = self.queue.now().plus(SimDuration(
            (gap_seconds + 0.5).min(u64::MAX as f64 / 2.0) as u64,
        ));
        self.next_buyer = self.pick_buyer();
        let (next_buyer, next_segment) = self.next_buyer;
        if let Some(buyer) = self.population.buyers.get(next_buyer.0 as usize) {
            crate::engine::prefetch::prefetch(buyer);
        }
        let segment = &self.scenario.buyers[usize::from(next_segment)];
        let supplier_count = self.population.suppliers.len() as u32;
        let words = self
            .order_random
            .peek(self.next_order_number, Phase::Inquiry);
        let asked = words.iter().step_by(WORDS_PER_ASKED);
        for &word in asked.take(segment.inquiry_candidates as usize) {
            self.views
                .prefetch(SupplierId(index_of_word(word, supplier_count)));
        }
        if time < self.end {
            self.schedule(time, EventKind::Inquiry, OrderSlot(0));
        }
    }

    /// A buyer, and its segment.
    fn pick_buyer(&mut self) -> (BuyerId, u16) {
        let rate_draw = uniform01(&mut self.arrivals) * self.inquiries_per_second;
        let segment_index = self
            .segment_rate_cumulative
            .iter()
            .position(|&cumulative| rate_draw < cumulative)
            .unwrap_or(self.segment_rate_cumulative.len() - 1);
        let count = self.scenario.buyers[segment_index].count;
        let offset = index_below(&mut self.arrivals, count);
        let buyer = BuyerId(self.population.buyer_segment_start[segment_index] + offset);
        // Validation bounds the segments by `SEGMENTS_MAX`.
        (buyer, segment_index as u16)
    }

    /// A buyer asks a few suppliers, those who answer quote, and the buyer
    /// picks one by a multinomial logit over what their storefronts show.
    pub(super) fn on_inquiry(&mut self) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let (buyer_id, buyer_segment) = self.next_buyer;
        let order_number = self.next_order_number;
        self.next_order_number += 1;
        self.totals.inquiries += 1;
        let buyer = *self.population.buyer(buyer_id);
        let segment_index = usize::from(buyer_segment);
        let segment = &scenario.buyers[segment_index];
        let supplier_count = self.population.suppliers.len() as u32;
        let draws = self.order_random.at(order_number, Phase::Inquiry);
        // Every draw about the suppliers asked first, in the order of the
        // phase's words (`WORDS_PER_ASKED` each), asking the memory system
        // for each one's view (if the last inquiry's look ahead did not);
        // then the views are read, their misses overlapping.
        let mut asked = [Asked::default(); INQUIRY_CANDIDATES_MAX as usize];
        let asked = &mut asked[..segment.inquiry_candidates as usize];
        for candidate in asked.iter_mut() {
            candidate.supplier = SupplierId(draws.index_below(supplier_count));
            candidate.answer_draw = draws.uniform();
            candidate.response_uniforms = draws.sample_uniforms();
            self.views.prefetch(candidate.supplier);
        }
        let choice_draw = draws.uniform();
        let value_units = draws.sample(&segment.order_value);
        // Only now, with this inquiry's block drawn from, is the next one's
        // looked at (the look takes the place this block was kept in); the
        // next inquiry is still scheduled before this one's contract.
        self.schedule_next_inquiry();
        let mut candidates = [(SupplierId(0), 0u64, 0.0f64); INQUIRY_CANDIDATES_MAX as usize];
        let (answered, best_utility) = self.hear_answers(asked, segment_index, &mut candidates);
        if answered == 0 {
            self.totals.inquiries_unanswered += 1;
            return;
        }
        let (supplier_id, response_seconds, _) =
            logit_choice(&mut candidates[..answered], best_utility, choice_draw);
        let price_index = self.views.price_index(supplier_id);
        let order = Order {
            number: order_number,
            value: Cents::from_drawn_units((value_units * price_index).min(ORDER_VALUE_MAX)),
            buyer_segment,
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

    /// Each supplier asked reads the inquiry (counted in its view) and
    /// answers or not; those who answer quote, as (supplier, response
    /// seconds, utility to the buyer's segment) entries in `candidates`.
    /// Returns how many answered and the best utility among them.
    fn hear_answers(
        &mut self,
        asked: &[Asked],
        segment_index: usize,
        candidates: &mut [(SupplierId, u64, f64)],
    ) -> (usize, f64) {
        let scenario: &'a Scenario = self.scenario;
        let mut answered = 0;
        let mut best_utility = f64::NEG_INFINITY;
        for candidate in asked {
            let supplier_id = candidate.supplier;
            let view = self.views.view_mut(supplier_id);
            let behaviour = scenario.supplier_types.behaviour(view.latent_type);
            let answers = !view.vanished && candidate.answer_draw < behaviour.response_probability;
            view.counts.received += 1;
            if !answers {
                continue;
            }
            let (first, second) = candidate.response_uniforms;
            let response_seconds =
                SimDuration::from_hours_f64(shape(&behaviour.response_hours, first, second))
                    .seconds();
            view.counts.answered += 1;
            view.counts.response_seconds += response_seconds;
            let utility = match view.utilities.get(segment_index) {
                Some(&utility) => utility,
                None => self.views.more_utility(segment_index, supplier_id),
            };
            best_utility = best_utility.max(utility);
            candidates[answered] = (supplier_id, response_seconds, utility);
            answered += 1;
        }
        (answered, best_utility)
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
        candidate.2 = math::exp(candidate.2 - best_utility);
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
