//! The event handlers of an order's life, and the run loop that drives them.
//!
//! Each handler takes one order a step along its state machine, moves money
//! through the ledger, and schedules the order's next event. An order has at
//! most one pending event at any time, so an event's target slot is always
//! the order it was scheduled for. Every random draw about an order comes
//! from its counter-based stream (see `engine::random`), with a fixed number
//! of draws per phase, so rules change outcomes only through the mechanisms
//! they govern.

use super::history::{MonthBucket, MonthIndex};
use super::ledger::{Ledger, LedgerTotals};
use super::metrics::{Cumulative, MonthFigures, difference, ledger_difference};
use super::money::{BASIS_POINTS_WHOLE, from_drawn_units, share_of};
use super::order::{ClaimReason, Order, OrderSlab, OrderSlot, OrderState};
use super::population::{BuyerId, Population, Supplier, SupplierId};
use super::settlement::{self, FeeRule};
use super::vetting::{self, CoverageLimitRules, Decision, SupplierStatus, VettingRules};
use crate::engine::random::{chance, index_below, sample, uniform01};
use crate::engine::time::{SECONDS_PER_DAY, SimDuration};
use crate::engine::{EventQueue, OrderRandom, Phase, SimTime, Streams};
use crate::scenario::codes::{CountrySet, PaymentMethodSet};
use crate::scenario::limits::{INQUIRY_CANDIDATES_MAX, ORDER_VALUE_MAX};
use crate::scenario::{DepositRelease, FeeScope, Fraud, RefundScope, Rules, Scenario};
use hdrhistogram::Histogram;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

/// One settlement in this many is timed, so reading the clock does not
/// distort the throughput it measures.
pub const SETTLEMENT_SAMPLE_EVERY: u64 = 8;

/// Events between two calls of [`Probe::checkpoint`]: often enough that a
/// stop request is honoured within milliseconds, rarely enough to cost nothing.
pub const CHECKPOINT_EVERY_EVENTS: u64 = 1 << 16;

/// Days after the ship-by date (plus grace) at which a buyer notices that
/// nothing shipped and claims non-delivery.
const NON_DELIVERY_NOTICE_DAYS: u32 = 1;

/// What a run lends to its caller's world: a wall clock to time the
/// settlement path, and a periodic checkpoint for progress and stop requests.
/// The engine itself never reads time or signals; everything comes through
/// here, and nothing that comes through here reaches the outcome.
pub trait Probe {
    /// Whether settlements are timed; when false `now_ns` is never called.
    const TIMES_SETTLEMENTS: bool;

    /// Wall-clock nanoseconds from any fixed origin.
    fn now_ns(&mut self) -> u64 {
        0
    }

    /// Called every [`CHECKPOINT_EVERY_EVENTS`] events with the simulated
    /// time reached and the horizon; returning false stops the run. Also
    /// called with [`SimTime::ZERO`] before the population is drawn and
    /// every [`GENERATION_CHECK_EVERY_UNITS`](super::population::GENERATION_CHECK_EVERY_UNITS)
    /// units of its drawing, so a run stops promptly in every phase, and a
    /// set of replications between runs.
    fn checkpoint(&mut self, _simulated: SimTime, _horizon: SimTime) -> bool {
        true
    }
}

/// A probe that times nothing and never stops a run: for tests, for
/// benchmarks of the model alone, and anywhere wall time must not be read.
pub struct NoProbe;

impl Probe for NoProbe {
    const TIMES_SETTLEMENTS: bool = false;
}

/// A run stopped early by its probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted {
    /// The simulated time reached; `None` when the run was stopped while
    /// its population was being drawn, before simulated time began.
    pub at: Option<SimTime>,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.at {
            Some(at) => write!(formatter, "the run was stopped at simulated {at}"),
            None => write!(
                formatter,
                "the run was stopped while its population was being drawn"
            ),
        }
    }
}

impl std::error::Error for Interrupted {}

/// The kinds of events of the program; the engine carries them as `u8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum EventKind {
    Inquiry,
    Contract,
    Ship,
    NonDeliveryNoticed,
    Delivery,
    Inspected,
    Confirm,
    AutoRelease,
    Claim,
    Escalation,
    Decision,
    Recovery,
    MonthEnd,
    Review,
    RuleChange,
}

impl EventKind {
    const ALL: [EventKind; 15] = [
        EventKind::Inquiry,
        EventKind::Contract,
        EventKind::Ship,
        EventKind::NonDeliveryNoticed,
        EventKind::Delivery,
        EventKind::Inspected,
        EventKind::Confirm,
        EventKind::AutoRelease,
        EventKind::Claim,
        EventKind::Escalation,
        EventKind::Decision,
        EventKind::Recovery,
        EventKind::MonthEnd,
        EventKind::Review,
        EventKind::RuleChange,
    ];

    fn from_u8(value: u8) -> EventKind {
        EventKind::ALL[value as usize]
    }
}

/// The rules in the form the hot path reads them.
struct CompiledRules {
    eligible_countries: CountrySet,
    covered_methods: PaymentMethodSet,
    require_volunteering: bool,
    deposit_share_bps: u32,
    deposit_release: DepositRelease,
    refund_scope: RefundScope,
    grace: SimDuration,
    claim_window: SimDuration,
    auto_release: SimDuration,
    negotiation: SimDuration,
    decision: SimDuration,
    decision_accuracy: f64,
    advance_refunds: bool,
    recovery_probability: f64,
    recovery: SimDuration,
    fee: FeeRule,
    review_every: SimDuration,
    vetting: VettingRules,
    coverage_limit: CoverageLimitRules,
}

impl CompiledRules {
    fn new(rules: &Rules) -> CompiledRules {
        CompiledRules {
            eligible_countries: CountrySet::from_countries(&rules.eligible_countries),
            covered_methods: PaymentMethodSet::from_methods(&rules.covered_payment_methods),
            require_volunteering: rules.require_volunteering,
            deposit_share_bps: rules.deposit_share_bps,
            deposit_release: rules.deposit_release,
            refund_scope: rules.refund_scope,
            grace: SimDuration::from_days(rules.late_shipment_grace_days),
            claim_window: SimDuration::from_days(rules.claim_window_days),
            auto_release: SimDuration::from_days(rules.auto_release_days),
            negotiation: SimDuration::from_days(rules.negotiation_days),
            decision: SimDuration::from_days(rules.decision_days),
            decision_accuracy: rules.decision_accuracy,
            advance_refunds: rules.advance_refunds,
            recovery_probability: rules.recovery_probability,
            recovery: SimDuration::from_days(rules.recovery_days),
            fee: FeeRule {
                bps: rules.seller_fee_bps,
                orders_up_to: match rules.seller_fee_applies_to {
                    FeeScope::AllOrders => None,
                    FeeScope::OrdersUpTo(maximum) => Some(maximum.value()),
                },
            },
            review_every: SimDuration::from_days(rules.vetting_review_days),
            vetting: VettingRules {
                window_months: rules.vetting_window_months,
                min_orders: rules.vetting_min_orders,
                new_suppliers: rules.vetting_new_suppliers,
                criteria: rules.vetting_criteria,
            },
            coverage_limit: CoverageLimitRules {
                share_bps: rules.coverage_limit_share_bps,
                floor: rules.coverage_limit_floor.value(),
                cap: rules.coverage_limit_cap.value(),
            },
        }
    }

    /// Whether a supplier may be in the program under these rules.
    fn admits(&self, supplier: &Supplier) -> bool {
        (supplier.volunteered || !self.require_volunteering)
            && self.eligible_countries.contains(supplier.country)
    }
}

/// How one latent type fared in screening: its suppliers by status at the
/// end of the run (a partition: outside + pending + approved + rejected +
/// suspended = suppliers), and how many were ever approved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ScreeningRow {
    pub suppliers: u64,
    pub volunteered: u64,
    pub outside: u64,
    pub pending: u64,
    pub approved: u64,
    pub rejected: u64,
    pub suspended: u64,
    pub ever_approved: u64,
}

/// What buyers saw on storefronts at the end of the run (12-month figures).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StorefrontSummary {
    pub badged_suppliers: u64,
    pub unbadged_suppliers: u64,
    /// Mean 12-month completed orders of badged and of unbadged suppliers.
    pub mean_orders_badged: f64,
    pub mean_orders_unbadged: f64,
    /// Share of all 12-month completed orders held by the busiest tenth of
    /// suppliers: how concentrated demand is.
    pub top_decile_order_share: f64,
    /// Mean 12-month completed value of badged suppliers, in currency units.
    pub mean_value_badged: Decimal,
    /// Response rate and mean response hours over all inquiries of the last 12 months.
    pub response_rate: f64,
    pub mean_response_hours: f64,
}

/// Everything a run produced, for the report layer.
#[derive(Clone, Debug)]
pub struct RunOutput {
    pub totals: Cumulative,
    pub ledger: LedgerTotals,
    pub months: Vec<MonthFigures>,
    pub exposure_peak: Decimal,
    /// Orders contracted and not completed at the end: placed - completed.
    pub orders_open_at_end: u64,
    /// Answered inquiries whose contract was not signed by the end.
    pub quotes_open_at_end: u64,
    pub orders_in_flight_peak: u64,
    pub suppliers_total: u64,
    pub suppliers_volunteered: u64,
    pub suppliers_approved: u64,
    pub suppliers_suspended: u64,
    /// Indexed by `SupplierType as usize`.
    pub screening: [ScreeningRow; 4],
    pub storefront: StorefrontSummary,
    pub buyers_total: u64,
    pub events_processed: u64,
    /// Sampled wall-clock latencies of settlements, in nanoseconds (empty with [`NoProbe`]).
    pub settle_latency_ns: Histogram<u64>,
}

/// One run of a scenario.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    /// The rules in force now: the scenario's, with the timeline applied so far.
    rules_in_force: Rules,
    rules: CompiledRules,
    /// Volunteering probability of each supplier segment, as the timeline leaves it.
    volunteer_probability: Vec<f64>,
    month: MonthIndex,
    population: Population,
    orders: OrderSlab,
    ledger: Ledger,
    queue: EventQueue,
    order_random: OrderRandom,
    arrivals: ChaCha8Rng,
    /// Cumulative inquiry rates of the buyer segments, for picking a segment.
    segment_rate_cumulative: Vec<f64>,
    inquiries_per_second: f64,
    next_order_number: u64,
    end: SimTime,
    totals: Cumulative,
    month_start_totals: Cumulative,
    month_start_ledger: LedgerTotals,
    month_start: crate::scenario::Date,
    months: Vec<MonthFigures>,
    exposure: Decimal,
    exposure_peak: Decimal,
    approved_suppliers: u64,
    events_processed: u64,
    settle_latency_ns: Histogram<u64>,
    log1p_counts: Log1pTable,
}

/// `ln(1 + n)` for the small counts the storefront shows, computed once with
/// `libm` (so bit-identical to computing it each time) instead of per inquiry.
struct Log1pTable {
    values: Vec<f64>,
}

impl Log1pTable {
    const SIZE: u32 = 4096;

    fn new() -> Log1pTable {
        Log1pTable {
            values: (0..Self::SIZE)
                .map(|count| libm::log1p(f64::from(count)))
                .collect(),
        }
    }

    fn of(&self, count: u32) -> f64 {
        match self.values.get(count as usize) {
            Some(&value) => value,
            None => libm::log1p(f64::from(count)),
        }
    }
}

impl<'a> Simulation<'a> {
    /// Prepares a run of a validated scenario with `seed` (usually `scenario.seed`).
    pub fn new(scenario: &'a Scenario, seed: u64) -> Simulation<'a> {
        Simulation::new_unless_stopped(scenario, seed, &mut NoProbe)
            .expect("NoProbe never stops a run")
    }

    /// Prepares a run like [`Simulation::new`], asking `probe` whether to
    /// go on before the population is drawn and while it is (a large
    /// population with long prior histories takes seconds to draw, and no
    /// event checkpoint comes before it is done).
    pub fn new_unless_stopped<P: Probe>(
        scenario: &'a Scenario,
        seed: u64,
        probe: &mut P,
    ) -> Result<Simulation<'a>, Interrupted> {
        let streams = Streams::new(seed);
        let rules = CompiledRules::new(&scenario.rules);
        let end = SimTime::from_days(scenario.horizon_days);
        let population = Population::generate_unless_stopped(scenario, &streams, &mut || {
            probe.checkpoint(SimTime::ZERO, end)
        })
        .ok_or(Interrupted { at: None })?;
        let seconds_per_year = 365.0 * SECONDS_PER_DAY as f64;
        let mut segment_rate_cumulative = Vec::with_capacity(scenario.buyers.len());
        let mut rate_sum = 0.0;
        for segment in &scenario.buyers {
            rate_sum += f64::from(segment.count) * segment.inquiries_per_year / seconds_per_year;
            segment_rate_cumulative.push(rate_sum);
        }
        // Orders in flight are about the inquiry rate times an order's life
        // (production, transit, inspection and the windows: some 90 days).
        // A run shorter than an order's life never holds more than its
        // horizon's worth of orders, so reserve no more than that.
        let life_days = f64::from(scenario.horizon_days.min(90));
        let expected_in_flight =
            (rate_sum * life_days * SECONDS_PER_DAY as f64).min(50_000_000.0) as usize;
        let month_count = scenario.horizon_days as usize / 28 + 2;
        Ok(Simulation {
            scenario,
            rules_in_force: scenario.rules.clone(),
            rules,
            volunteer_probability: scenario
                .suppliers
                .iter()
                .map(|segment| segment.volunteer_probability)
                .collect(),
            month: MonthIndex::FIRST_SIMULATED,
            population,
            orders: OrderSlab::with_capacity(expected_in_flight),
            ledger: Ledger::new(),
            queue: EventQueue::with_capacity(expected_in_flight + 16),
            order_random: streams.orders(),
            arrivals: streams.named("arrivals"),
            segment_rate_cumulative,
            inquiries_per_second: rate_sum,
            next_order_number: 0,
            end,
            totals: Cumulative::default(),
            month_start_totals: Cumulative::default(),
            month_start_ledger: LedgerTotals::default(),
            month_start: scenario.start_date,
            months: Vec::with_capacity(month_count),
            exposure: Decimal::ZERO,
            exposure_peak: Decimal::ZERO,
            approved_suppliers: 0,
            events_processed: 0,
            log1p_counts: Log1pTable::new(),
            settle_latency_ns: Histogram::new_with_bounds(1, 60_000_000_000, 3)
                .expect("valid histogram bounds"),
        })
    }

    /// Runs to the horizon and returns what happened, unless the probe stops it.
    pub fn run<P: Probe>(mut self, probe: &mut P) -> Result<RunOutput, Interrupted> {
        // Scheduled first, so at equal times they precede everything else:
        // the opening review, each rule change from the first second of its
        // date, and month ends.
        self.schedule(SimTime::ZERO, EventKind::Review, OrderSlot(0));
        self.schedule_timeline();
        self.schedule_month_ends();
        self.schedule_next_inquiry();
        while let Some(event) = self.queue.pop_before(self.end) {
            self.prefetch_coming_orders();
            self.events_processed += 1;
            if self.events_processed % CHECKPOINT_EVERY_EVENTS == 0
                && !probe.checkpoint(event.time, self.end)
            {
                return Err(Interrupted {
                    at: Some(event.time),
                });
            }
            let slot = OrderSlot(event.target);
            match EventKind::from_u8(event.kind) {
                EventKind::Inquiry => self.on_inquiry(),
                EventKind::Contract => self.on_contract(slot),
                EventKind::Ship => self.on_ship(slot),
                EventKind::NonDeliveryNoticed => self.on_non_delivery_noticed(slot),
                EventKind::Delivery => self.on_delivery(slot),
                EventKind::Inspected => self.on_uncovered_inspected(slot),
                EventKind::Confirm | EventKind::AutoRelease => {
                    self.timed(probe, |simulation| simulation.on_release(slot))
                }
                EventKind::Claim => self.timed(probe, |simulation| simulation.on_claim(slot)),
                EventKind::Escalation => self.on_escalation(slot),
                EventKind::Decision => self.timed(probe, |simulation| simulation.on_decision(slot)),
                EventKind::Recovery => self.on_recovery(slot),
                EventKind::MonthEnd => self.close_month(self.queue.now()),
                EventKind::Review => {
                    self.review_all();
                    let next = self.queue.now().plus(self.rules.review_every);
                    if next < self.end {
                        self.schedule(next, EventKind::Review, OrderSlot(0));
                    }
                }
                EventKind::RuleChange => self.change_rules(event.target as usize),
            }
        }
        self.close_month(self.end);
        // What storefronts show at the end is what a buyer sees at the first
        // instant after the run: the month holding that instant is current.
        self.month = self.month_of_end();
        self.verify_ledger();
        self.ledger
            .verify_holds(self.orders.live().map(|order| &order.hold))
            .unwrap_or_else(|problem| {
                panic!("escrow holds disagree with the ledger at the end of the run: {problem}")
            });
        self.verify_coverage();
        let suppliers = &self.population.suppliers;
        let screening = self.screening();
        let storefront = self.storefront();
        Ok(RunOutput {
            totals: self.totals,
            ledger: *self.ledger.totals(),
            months: self.months,
            exposure_peak: self.exposure_peak,
            orders_open_at_end: self.orders.in_flight() as u64,
            quotes_open_at_end: self.orders.quoted() as u64,
            orders_in_flight_peak: self.orders.in_flight_peak() as u64,
            suppliers_total: suppliers.len() as u64,
            suppliers_volunteered: suppliers
                .iter()
                .filter(|supplier| supplier.volunteered)
                .count() as u64,
            suppliers_approved: self.approved_suppliers,
            suppliers_suspended: suppliers
                .iter()
                .filter(|supplier| supplier.status == SupplierStatus::Suspended)
                .count() as u64,
            screening,
            storefront,
            buyers_total: self.population.buyers.len() as u64,
            events_processed: self.events_processed,
            settle_latency_ns: self.settle_latency_ns,
        })
    }

    /// Asks the memory system for the order slot of an event 16 ahead, and
    /// for the supplier and buyer of an event 8 ahead, so that their cache
    /// misses overlap with the work in between. With millions of orders in
    /// flight the handlers otherwise wait on memory more than they compute.
    /// A hint only: nothing here changes what happens.
    #[inline]
    fn prefetch_coming_orders(&self) {
        if let Some(target) = self.queue.target_ahead(16) {
            self.orders.prefetch(OrderSlot(target));
        }
        let coming = self
            .queue
            .target_ahead(8)
            .and_then(|target| self.orders.try_get(OrderSlot(target)));
        if let Some(order) = coming {
            if let Some(supplier) = self.population.suppliers.get(order.supplier.0 as usize) {
                crate::engine::prefetch::prefetch(supplier);
            }
            if let Some(buyer) = self.population.buyers.get(order.buyer.0 as usize) {
                crate::engine::prefetch::prefetch(buyer);
            }
        }
    }

    /// Runs a settlement handler, timing one call in [`SETTLEMENT_SAMPLE_EVERY`].
    #[inline]
    fn timed<P: Probe>(&mut self, probe: &mut P, handler: impl FnOnce(&mut Self)) {
        self.totals.settlements += 1;
        if P::TIMES_SETTLEMENTS && self.totals.settlements % SETTLEMENT_SAMPLE_EVERY == 0 {
            let started = probe.now_ns();
            handler(self);
            let elapsed = probe.now_ns().saturating_sub(started).max(1);
            self.settle_latency_ns.saturating_record(elapsed);
        } else {
            handler(self);
        }
    }

    fn schedule(&mut self, time: SimTime, kind: EventKind, slot: OrderSlot) {
        self.queue.schedule(time, kind as u8, slot.0);
    }

    fn schedule_month_ends(&mut self) {
        let mut boundary = self.scenario.start_date.first_of_next_month();
        loop {
            let days = self.scenario.start_date.days_until(boundary);
            let time = SimTime(days as u64 * SECONDS_PER_DAY);
            if time >= self.end {
                break;
            }
            self.schedule(time, EventKind::MonthEnd, OrderSlot(0));
            boundary = boundary.first_of_next_month();
        }
    }

    fn schedule_next_inquiry(&mut self) {
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

    fn pick_buyer(&mut self) -> BuyerId {
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
    fn on_inquiry(&mut self) {
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
            // What the storefront shows: the badge and the last 12 months.
            let storefront = supplier.window.last_twelve_months(month);
            let weights = &segment.choice;
            let badge = if supplier.shows_badge() { 1.0 } else { 0.0 };
            let utility = weights.badge * badge
                + weights.transactions * self.log1p_counts.of(storefront.orders_completed)
                + weights.response_rate * storefront.response_rate()
                - weights.response_speed * storefront.mean_response_hours() / 24.0
                - weights.price * supplier.log_price_index;
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
        // Softmax relative to the best utility, so exp never overflows.
        let mut weight_sum = 0.0;
        for candidate in candidates.iter_mut().take(answered) {
            candidate.2 = libm::exp(candidate.2 - best_utility);
            weight_sum += candidate.2;
        }
        let mut target = choice_draw * weight_sum;
        let mut chosen = candidates[answered - 1];
        for &candidate in candidates.iter().take(answered) {
            if target < candidate.2 {
                chosen = candidate;
                break;
            }
            target -= candidate.2;
        }
        let (supplier_id, response_seconds, _) = chosen;
        let price_index = self.population.supplier(supplier_id).price_index;
        let order = Order {
            number: order_number,
            value: from_drawn_units((value_units * price_index).min(ORDER_VALUE_MAX)),
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

    /// Contract: coverage is decided, the deposit paid, and the supplier's
    /// production (and any fraud) drawn.
    fn on_contract(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let rules = &self.rules;
        let order = self.orders.sign(slot);
        let supplier = &mut self.population.suppliers[order.supplier.0 as usize];
        let segment = &scenario.suppliers[supplier.segment_index as usize];
        let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
        order.contract_at = now;
        order.ship_by = now.plus(SimDuration::from_days(segment.promised_lead_days));
        order.deposit = share_of(order.value, rules.deposit_share_bps);

        let badged = supplier.shows_badge();
        let eligible = badged
            && rules.eligible_countries.contains(supplier.country)
            && rules.covered_methods.contains(order.payment_method)
            && order.value >= self.rules_in_force.coverage_min_order_value.value();
        let coverage_remaining = supplier.coverage_remaining();
        if eligible && coverage_remaining.is_zero() {
            self.totals.orders_over_coverage_limit += 1;
        }
        if eligible && !coverage_remaining.is_zero() {
            order.covered = true;
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
        if order.covered {
            self.totals.orders_covered += 1;
            self.totals.gmv_covered += order.value;
        }
        let deposit = order.deposit;
        let exposure = (&mut self.exposure, &mut self.exposure_peak);
        pay_in(
            &mut self.ledger,
            rules,
            order,
            deposit,
            DepositRelease::AtContract,
            exposure,
        );

        // Production draws: a fixed count, whatever the supplier's type.
        let draws = self.order_random.at(order.number, Phase::Production);
        let vanish_draw = uniform01(draws);
        let late_draw = uniform01(draws);
        let late_days = sample(draws, &behaviour.late_days);
        let production_days = sample(draws, &behaviour.production_days);
        let conforming = chance(draws, behaviour.conformance_probability);
        let defect_share = sample(draws, &behaviour.defect_share);
        order.conforming = conforming;
        order.defect_share_bps = if conforming {
            0
        } else {
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
                self.totals.suppliers_vanished += 1;
            }
        }
        let ship_at = if late_draw < behaviour.late_probability {
            order.ship_by.plus(SimDuration::from_days_f64(late_days))
        } else {
            let promised = order.ship_by.seconds() - now.seconds();
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
    fn on_ship(&mut self, slot: OrderSlot) {
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
                .plus(rules.grace)
                .plus(SimDuration::from_days(NON_DELIVERY_NOTICE_DAYS))
                .max(now);
            self.schedule(noticed, EventKind::NonDeliveryNoticed, slot);
            return;
        }
        order.move_to(OrderState::InTransit);
        let balance = order.value - order.deposit;
        order.balance_paid = true;
        let exposure = (&mut self.exposure, &mut self.exposure_peak);
        pay_in(
            &mut self.ledger,
            rules,
            order,
            balance,
            DepositRelease::AtShipment,
            exposure,
        );
        order.late = now > order.ship_by.plus(rules.grace);
        if order.late {
            self.totals.shipped_late += 1;
        }
        if !order.conforming {
            self.totals.nonconforming += 1;
        }
        let segment = &scenario.buyers[self.population.buyer(order.buyer).segment_index as usize];
        let transit_days = sample(
            self.order_random.at(order.number, Phase::Buyer),
            &segment.transit_days,
        );
        self.schedule(
            now.plus(SimDuration::from_days_f64(transit_days)),
            EventKind::Delivery,
            slot,
        );
    }

    /// The buyer notices that nothing shipped: a covered order's buyer claims
    /// non-delivery; an uncovered order's buyer has lost the deposit.
    fn on_non_delivery_noticed(&mut self, slot: OrderSlot) {
        let order = self.orders.get_mut(slot);
        order.claim_reason = Some(ClaimReason::NonDelivery);
        self.totals.fraud_value_taken += order.paid();
        if order.covered {
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
    fn on_delivery(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let order = self.orders.get_mut(slot);
        order.move_to(OrderState::Delivered);
        let segment = &scenario.buyers[self.population.buyer(order.buyer).segment_index as usize];
        // The transit draw came first in this phase (at shipment); every
        // sample takes exactly two 64-bit words, so skipping two uniforms
        // reaches the buyer's draws without computing transit again.
        let draws = self.order_random.at(order.number, Phase::Buyer);
        let _transit_words = (uniform01(draws), uniform01(draws));
        let inspection_days = sample(draws, &segment.inspection_days);
        let breach_claim_draw = uniform01(draws);
        let false_claim_draw = uniform01(draws);
        let confirm_draw = uniform01(draws);
        let voluntary_refund_draw = uniform01(draws);
        let reason = if let Some(breach) = ClaimReason::of_breach(order.late, order.conforming) {
            (breach_claim_draw < segment.claim_after_breach_probability).then_some(breach)
        } else {
            (false_claim_draw < segment.false_claim_probability).then_some(ClaimReason::FalseClaim)
        };
        let acted_at = now.plus(SimDuration::from_days_f64(inspection_days));

        if !order.covered {
            // No program, but the same physical life: the buyer inspects, and
            // a breach it pursues is refunded only if the supplier chooses to
            // (decided now, paid when the inspection ends).
            if let Some(reason) = reason.filter(|reason| reason.is_justified()) {
                order.claim_reason = Some(reason);
                let supplier = self.population.supplier(order.supplier);
                let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
                order.refunded = voluntary_refund_draw < behaviour.voluntary_refund_probability;
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
                order.claim_at = acted_at;
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
    fn on_uncovered_inspected(&mut self, slot: OrderSlot) {
        let order = self.orders.get(slot);
        if let Some(reason) = order.claim_reason {
            let refunded = order.refunded;
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

    /// Confirmation or auto-release: escrow is released to the supplier, less fees.
    fn on_release(&mut self, slot: OrderSlot) {
        let order = self.orders.get_mut(slot);
        settlement::release_all(&mut self.ledger, &self.rules.fee, order);
        if order.claim_reason.is_some() {
            // Released before (or at the very second of) the buyer's claim,
            // which still comes within the window: a claim is never dropped
            // for coinciding with the release.
            order.move_to(OrderState::ReleasedAwaitingClaim);
            let claim_at = order.claim_at;
            self.schedule(claim_at, EventKind::Claim, slot);
        } else {
            self.totals.record_resolution(order.value);
            self.complete(slot);
        }
    }

    fn on_claim(&mut self, slot: OrderSlot) {
        self.orders.get_mut(slot).move_to(OrderState::Negotiating);
        self.open_claim(slot);
    }

    /// A claim opens with negotiation: a supplier that accepts a justified
    /// claim refunds at once; otherwise the claim escalates.
    fn open_claim(&mut self, slot: OrderSlot) {
        let scenario: &'a Scenario = self.scenario;
        let now = self.queue.now();
        let order = self.orders.get(slot);
        let reason = order.claim_reason.expect("a claim has a reason");
        self.totals.record_claim(reason);
        let supplier = self.population.supplier(order.supplier);
        let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
        let settles = !supplier.vanished && reason.is_justified();
        let settle_draw = uniform01(self.order_random.at(order.number, Phase::Dispute));
        if settles && settle_draw < behaviour.settles_in_negotiation_probability {
            self.totals.claims_settled_in_negotiation += 1;
            let refund = self.refund_amount(slot, reason);
            let order = self.orders.get_mut(slot);
            let settled =
                settlement::refund_from_escrow(&mut self.ledger, &self.rules.fee, order, refund);
            // The supplier agreed: what escrow no longer holds it pays itself.
            self.ledger.supplier_refund(settled.shortfall);
            order.refunded = true;
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

    fn on_escalation(&mut self, slot: OrderSlot) {
        let now = self.queue.now();
        self.orders.get_mut(slot).move_to(OrderState::Escalated);
        self.totals.claims_escalated += 1;
        self.schedule(now.plus(self.rules.decision), EventKind::Decision, slot);
    }

    /// The platform decides, right with the configured accuracy. A granted
    /// refund comes out of escrow; the platform advances what escrow no
    /// longer holds and tries to recover it.
    fn on_decision(&mut self, slot: OrderSlot) {
        let now = self.queue.now();
        let order = self.orders.get(slot);
        let reason = order.claim_reason.expect("a claim has a reason");
        let draws = self.order_random.at(order.number, Phase::Dispute);
        let _settle_draw = uniform01(draws);
        let correct = chance(draws, self.rules.decision_accuracy);
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
        order.refunded = true;
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
                self.orders.get_mut(slot).refunded = false;
            } else {
                self.totals.record_refund(reason, from_escrow);
            }
            self.complete(slot);
        }
    }

    /// The platform recovers its advance from the supplier, or writes it off.
    fn on_recovery(&mut self, slot: OrderSlot) {
        let order = self.orders.get(slot);
        let supplier = self.population.supplier(order.supplier);
        let recovery_draw = uniform01(self.order_random.at(order.number, Phase::Recovery));
        let advanced = order.advanced;
        if !supplier.vanished && recovery_draw < self.rules.recovery_probability {
            self.ledger.recover(advanced);
        } else {
            self.ledger.write_off(advanced);
            if order.claim_reason == Some(ClaimReason::NonDelivery) {
                self.totals.fraud_lost_by_platform += advanced;
            }
        }
        self.orders.get_mut(slot).advanced = Decimal::ZERO;
        self.complete(slot);
    }

    /// What the buyer would be owed for `reason` without a coverage cap:
    /// the refund scope (deposit, or everything paid), times the defect share
    /// for a claim whose only ground is quality.
    fn entitlement(&self, slot: OrderSlot, reason: ClaimReason) -> Decimal {
        let order = self.orders.get(slot);
        let scope = match self.rules.refund_scope {
            RefundScope::Deposit => order.deposit,
            RefundScope::OrderValue => order.paid(),
        };
        let share_bps = if reason.is_defect_only() {
            u32::from(order.defect_share_bps)
        } else {
            BASIS_POINTS_WHOLE
        };
        share_of(scope, share_bps)
    }

    /// The entitlement capped by the order's coverage; what is cut off is the
    /// buyer's loss.
    fn refund_amount(&mut self, slot: OrderSlot, reason: ClaimReason) -> Decimal {
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
    fn complete(&mut self, slot: OrderSlot) {
        let order = *self.orders.get(slot);
        let supplier = self.population.supplier_mut(order.supplier);
        supplier.orders_completed_in_run += 1;
        let completion = MonthBucket {
            orders_completed: 1,
            orders_on_time: u32::from(
                !order.late && order.claim_reason != Some(ClaimReason::NonDelivery),
            ),
            orders_disputed: u32::from(order.claim_reason.is_some()),
            orders_refunded: u32::from(order.refunded),
            completed_value_cents: cents(order.value),
            ..MonthBucket::default()
        };
        supplier.window.add(self.month, &completion);
        if order.covered {
            supplier.coverage_open -= order.coverage;
            self.totals.covered_orders_completed += 1;
        }
        self.exposure -= order.released_early;
        self.totals.orders_completed += 1;
        self.orders.remove(slot);
    }

    fn close_month(&mut self, now: SimTime) {
        let days = self.scenario.start_date.days_until(self.month_start);
        let month_start_time = SimTime(days as u64 * SECONDS_PER_DAY);
        let ledger = *self.ledger.totals();
        self.months.push(MonthFigures {
            month: self.month_start.month_label(),
            days: ((now.seconds() - month_start_time.seconds()).div_ceil(SECONDS_PER_DAY)) as u32,
            flows: difference(&self.totals, &self.month_start_totals),
            ledger_flows: ledger_difference(&ledger, &self.month_start_ledger),
            escrow_end: ledger.escrow_balance,
            exposure_end: self.exposure,
            orders_in_flight_end: self.orders.in_flight() as u64,
            approved_suppliers_end: self.approved_suppliers,
        });
        self.month_start_totals = self.totals;
        self.month_start_ledger = ledger;
        self.month_start = self.month_start.first_of_next_month();
        self.month = MonthIndex(self.month.0 + 1);
        self.verify_ledger();
    }

    /// The month holding the instant the run ends (the month after the last
    /// simulated month when the horizon ends on a month boundary).
    fn month_of_end(&self) -> MonthIndex {
        let start = self.scenario.start_date;
        let end = start.add_days(i64::from(self.scenario.horizon_days));
        let ((start_year, start_month, _), (end_year, end_month, _)) = (start.ymd(), end.ymd());
        let months = (end_year - start_year) * 12 + i64::from(end_month) - i64::from(start_month);
        MonthIndex(MonthIndex::FIRST_SIMULATED.0 + months as u32)
    }

    /// Reviews every supplier against the vetting rules in force, and sets
    /// each approved supplier's coverage limit from its trailing volume.
    fn review_all(&mut self) {
        let rules = &self.rules;
        let month = self.month;
        let mut approved = 0;
        for supplier in &mut self.population.suppliers {
            let in_program = rules.admits(supplier);
            if supplier.status == SupplierStatus::Outside && !in_program {
                continue;
            }
            self.totals.reviews += 1;
            let window = supplier.window.trailing(month, rules.vetting.window_months);
            let (status, decision) =
                vetting::review(supplier.status, in_program, &window, &rules.vetting);
            match decision {
                Decision::Approve => {
                    self.totals.approvals += 1;
                    supplier.status_history |= Supplier::EVER_APPROVED;
                }
                Decision::Reinstate => self.totals.reinstatements += 1,
                Decision::Suspend => self.totals.suspensions += 1,
                Decision::Reject => self.totals.rejections += 1,
                Decision::Withdraw => self.totals.withdrawals += 1,
                Decision::Keep | Decision::Enrol => {}
            }
            supplier.status = status;
            let value_12_months = Decimal::new(
                i64::try_from(
                    supplier
                        .window
                        .last_twelve_months(month)
                        .completed_value_cents,
                )
                .unwrap_or(i64::MAX),
                2,
            );
            supplier.coverage_limit = vetting::coverage_limit(
                status,
                window.orders_completed,
                value_12_months,
                &rules.vetting,
                &rules.coverage_limit,
            );
            approved += u64::from(status == SupplierStatus::Approved);
        }
        self.approved_suppliers = approved;
    }

    fn schedule_timeline(&mut self) {
        for (index, entry) in self.scenario.timeline.iter().enumerate() {
            let days = self.scenario.start_date.days_until(entry.date);
            let time = SimTime(days as u64 * SECONDS_PER_DAY);
            if time < self.end {
                self.schedule(time, EventKind::RuleChange, OrderSlot(index as u32));
            }
        }
    }

    /// Applies timeline entry `index`. A change that can alter who is in the
    /// program (eligibility, volunteering, vetting, coverage limits) is
    /// followed at once by a review, so it takes effect from this second.
    fn change_rules(&mut self, index: usize) {
        let entry = &self.scenario.timeline[index];
        self.rules_in_force.apply(&entry.rules);
        self.rules = CompiledRules::new(&self.rules_in_force);
        if !entry.volunteer_probability.is_empty() {
            // The new probability of each segment the entry names (the last
            // one given wins), then one pass over the suppliers.
            let scenario: &'a Scenario = self.scenario;
            let segment_of: std::collections::BTreeMap<&str, usize> = scenario
                .suppliers
                .iter()
                .enumerate()
                .map(|(index, segment)| (segment.name.as_str(), index))
                .collect();
            let mut changed = vec![false; scenario.suppliers.len()];
            for (segment_name, probability) in &entry.volunteer_probability {
                if let Some(&segment_index) = segment_of.get(segment_name.as_str()) {
                    self.volunteer_probability[segment_index] = *probability;
                    changed[segment_index] = true;
                }
            }
            for supplier in &mut self.population.suppliers {
                let segment_index = usize::from(supplier.segment_index);
                if changed[segment_index] {
                    supplier.volunteered =
                        supplier.volunteer_draw < self.volunteer_probability[segment_index];
                }
            }
        }
        if !entry.volunteer_probability.is_empty() || entry.rules.changes_membership() {
            self.review_all();
        }
    }

    /// The screening matrix: per latent type, who volunteered and what vetting did with them.
    fn screening(&self) -> [ScreeningRow; 4] {
        let mut rows = [ScreeningRow::default(); 4];
        for supplier in &self.population.suppliers {
            let row = &mut rows[supplier.latent_type as usize];
            row.suppliers += 1;
            row.volunteered += u64::from(supplier.volunteered);
            row.ever_approved += u64::from(supplier.status_history & Supplier::EVER_APPROVED != 0);
            match supplier.status {
                SupplierStatus::Outside => row.outside += 1,
                SupplierStatus::Pending => row.pending += 1,
                SupplierStatus::Approved => row.approved += 1,
                SupplierStatus::Rejected => row.rejected += 1,
                SupplierStatus::Suspended => row.suspended += 1,
            }
        }
        rows
    }

    /// What storefronts show at the end of the run.
    fn storefront(&self) -> StorefrontSummary {
        let mut summary = StorefrontSummary::default();
        let (mut orders_badged, mut orders_unbadged, mut value_badged_cents) = (0u64, 0u64, 0u64);
        let (mut inquiries, mut answered, mut response_seconds) = (0u64, 0u64, 0u64);
        let mut orders_by_supplier = Vec::with_capacity(self.population.suppliers.len());
        for supplier in &self.population.suppliers {
            let window = supplier.window.last_twelve_months(self.month);
            orders_by_supplier.push(window.orders_completed);
            if supplier.shows_badge() {
                summary.badged_suppliers += 1;
                orders_badged += u64::from(window.orders_completed);
                value_badged_cents += window.completed_value_cents;
            } else {
                summary.unbadged_suppliers += 1;
                orders_unbadged += u64::from(window.orders_completed);
            }
            inquiries += u64::from(window.inquiries_received);
            answered += u64::from(window.inquiries_answered);
            response_seconds += window.response_seconds;
        }
        let mean = |total: u64, count: u64| {
            if count == 0 {
                0.0
            } else {
                total as f64 / count as f64
            }
        };
        summary.mean_orders_badged = mean(orders_badged, summary.badged_suppliers);
        summary.mean_orders_unbadged = mean(orders_unbadged, summary.unbadged_suppliers);
        summary.mean_value_badged = if summary.badged_suppliers == 0 {
            Decimal::ZERO
        } else {
            (Decimal::new(i64::try_from(value_badged_cents).unwrap_or(i64::MAX), 2)
                / Decimal::from(summary.badged_suppliers))
            .round_dp(2)
        };
        orders_by_supplier.sort_unstable_by(|left, right| right.cmp(left));
        let decile = orders_by_supplier.len().div_ceil(10);
        let top: u64 = orders_by_supplier[..decile]
            .iter()
            .map(|&orders| u64::from(orders))
            .sum();
        let all: u64 = orders_by_supplier
            .iter()
            .map(|&orders| u64::from(orders))
            .sum();
        summary.top_decile_order_share = mean(top, all);
        summary.response_rate = mean(answered, inquiries);
        summary.mean_response_hours = mean(response_seconds, answered) / 3600.0;
        summary
    }

    /// Each supplier's open coverage is exactly the coverage of its covered
    /// orders still in flight: limits are drawn and given back in step.
    fn verify_coverage(&self) {
        let mut open = vec![Decimal::ZERO; self.population.suppliers.len()];
        for order in self.orders.live().filter(|order| order.covered) {
            open[order.supplier.0 as usize] += order.coverage;
        }
        for (index, supplier) in self.population.suppliers.iter().enumerate() {
            assert_eq!(
                supplier.coverage_open, open[index],
                "supplier {index}: open coverage {} but its open covered orders hold {}",
                supplier.coverage_open, open[index]
            );
        }
    }

    fn verify_ledger(&self) {
        if let Err(problem) = self.ledger.verify() {
            panic!(
                "ledger invariant violated at {}: {problem}",
                self.queue.now()
            );
        }
    }
}

/// Whole cents of an amount kept in cents.
fn cents(amount: Decimal) -> u64 {
    use rust_decimal::prelude::ToPrimitive;
    (amount * Decimal::ONE_HUNDRED).to_u64().unwrap_or(u64::MAX)
}

/// The buyer pays `amount` at `stage` of the order: into escrow when the
/// order is covered (releasing the deposit early if the release rule names
/// this stage), straight to the supplier when it is not.
fn pay_in(
    ledger: &mut Ledger,
    rules: &CompiledRules,
    order: &mut Order,
    amount: Decimal,
    stage: DepositRelease,
    (exposure, exposure_peak): (&mut Decimal, &mut Decimal),
) {
    if !order.covered {
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
    exposure: &mut Decimal,
    exposure_peak: &mut Decimal,
) {
    *exposure += settlement::release_deposit_early(ledger, &rules.fee, order);
    if *exposure > *exposure_peak {
        *exposure_peak = *exposure;
    }
}
