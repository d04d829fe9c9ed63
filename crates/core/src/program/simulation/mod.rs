//! The event handlers of an order's life, and the run loop that drives them.
//!
//! Each handler takes one order a step along its state machine, moves money
//! through the ledger, and schedules the order's next event. An order has at
//! most one pending event at any time, so an event's target slot is always
//! the order it was scheduled for. Every random draw about an order comes
//! from its counter-based stream (see `engine::random`), with a fixed number
//! of draws per phase, so rules change outcomes only through the mechanisms
//! they govern.

mod claims;
mod fulfilment;
mod inquiry;
mod observe;
mod review;
mod snapshot;
mod summary;

use super::history::{MonthBucket, MonthIndex};
use super::ledger::{Ledger, LedgerTotals};
use super::metrics::{Cumulative, MonthFigures, difference, ledger_difference};
use super::money::{BASIS_POINTS_WHOLE, Cents, CentsTotal};
use super::order::{ClaimReason, Order, OrderSlab, OrderSlot, OrderState};
use super::population::{BuyerId, Population, Supplier, SupplierId};
use super::settlement::{self, FeeRule};
use super::trace::{NoTrace, Observer};
use super::vetting::{self, CoverageLimitRules, Decision, SupplierStatus, VettingRules};
use crate::engine::math;
use crate::engine::random::{NamedStream, index_below, index_of_word, shape, uniform01};
use crate::engine::time::{CompactTime, SECONDS_PER_DAY, SimDuration};
use crate::engine::{EventQueue, OrderRandom, Phase, SimTime, Streams};
use crate::scenario::codes::{CountrySet, PaymentMethodSet};
use crate::scenario::limits::{INQUIRY_CANDIDATES_MAX, ORDER_VALUE_MAX};
use crate::scenario::{Amount, DepositRelease, FeeScope, Fraud, RefundScope, Rules, Scenario};
use hdrhistogram::Histogram;
use inquiry::StorefrontViews;
pub use inquiry::supplier_view_bytes;
pub use snapshot::{SimulationState, StateError, same_world};
use std::collections::BTreeMap;

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

    /// Called just before each [`Probe::checkpoint`] of the event loop with
    /// the orders placed so far, for a progress line; the default ignores it.
    fn orders_placed(&mut self, _orders_placed: u64) {}
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
    coverage_min_order_value: Cents,
    deposit_share_bps: u16,
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
            coverage_min_order_value: cents(rules.coverage_min_order_value),
            deposit_share_bps: u16::try_from(rules.deposit_share_bps)
                .expect("validated: a share is at most 10,000 basis points"),
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
                    FeeScope::OrdersUpTo(maximum) => Some(cents(maximum)),
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
                floor: cents(rules.coverage_limit_floor),
                cap: cents(rules.coverage_limit_cap),
            },
        }
    }

    /// Whether a supplier may be in the program under these rules.
    fn admits(&self, supplier: &Supplier) -> bool {
        (supplier.volunteered || !self.require_volunteering)
            && self.eligible_countries.contains(supplier.country)
    }
}

/// A rule's amount as the hot path compares it: the one conversion of a
/// scenario's money into cents. Validation has bounded it by
/// `MONEY_RULE_MAX` and parsing to two decimal places, so it always converts.
fn cents(amount: Amount) -> Cents {
    Cents::try_from_decimal(amount.value())
        .unwrap_or_else(|| panic!("the validated amount {amount} is not whole cents of an i64"))
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
    /// Mean 12-month completed value of badged suppliers.
    pub mean_value_badged: CentsTotal,
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
    pub exposure_peak: CentsTotal,
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
    /// The seed and mirroring the random streams come from, kept so a
    /// saved state can rebuild them.
    streams: Streams,
    order_random: OrderRandom,
    arrivals: NamedStream,
    /// Cumulative inquiry rates of the buyer segments, for picking a segment.
    segment_rate_cumulative: Vec<f64>,
    inquiries_per_second: f64,
    next_order_number: u64,
    /// Who makes the next inquiry, drawn one inquiry ahead (see
    /// `schedule_next_inquiry`).
    next_buyer: (BuyerId, u16),
    end: SimTime,
    totals: Cumulative,
    month_start_totals: Cumulative,
    month_start_ledger: LedgerTotals,
    month_start: crate::scenario::Date,
    months: Vec<MonthFigures>,
    /// Deposits released early of the orders in flight: the platform's
    /// exposure, a sum over every order in flight, so a total.
    exposure: CentsTotal,
    exposure_peak: CentsTotal,
    approved_suppliers: u64,
    events_processed: u64,
    settle_latency_ns: Histogram<u64>,
    log1p_counts: Log1pTable,
    /// Per supplier, what an inquiry reads of it and the current month's
    /// inquiries (see `inquiry.rs`).
    views: StorefrontViews,
}

/// The cumulative inquiry rates (per second) of the buyer segments, for
/// picking a segment, and their sum.
fn inquiry_rates(scenario: &Scenario) -> (Vec<f64>, f64) {
    let seconds_per_year = 365.0 * SECONDS_PER_DAY as f64;
    let mut segment_rate_cumulative = Vec::with_capacity(scenario.buyers.len());
    let mut rate_sum = 0.0;
    for segment in &scenario.buyers {
        rate_sum += f64::from(segment.count) * segment.inquiries_per_year / seconds_per_year;
        segment_rate_cumulative.push(rate_sum);
    }
    (segment_rate_cumulative, rate_sum)
}

/// `ln(1 + n)` for the small counts the storefront shows, computed once with
/// `libm` (so bit-identical to computing it each time) instead of per inquiry.
pub(super) struct Log1pTable {
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
        Simulation::with_streams_unless_stopped(scenario, Streams::new(seed), probe)
    }

    /// Prepares a run like [`Simulation::new_unless_stopped`] on given
    /// streams: those of a seed, or their mirror image
    /// ([`Streams::mirrored`]) for the second run of an antithetic pair.
    pub fn with_streams_unless_stopped<P: Probe>(
        scenario: &'a Scenario,
        streams: Streams,
        probe: &mut P,
    ) -> Result<Simulation<'a>, Interrupted> {
        let rules = CompiledRules::new(&scenario.rules);
        let end = SimTime::from_days(scenario.horizon_days);
        let population = Population::generate_unless_stopped(scenario, &streams, &mut || {
            probe.checkpoint(SimTime::ZERO, end)
        })
        .ok_or(Interrupted { at: None })?;
        let (segment_rate_cumulative, rate_sum) = inquiry_rates(scenario);
        // Orders in flight are about the inquiry rate times an order's life
        // (production, transit, inspection and the windows: some 90 days).
        // A run shorter than an order's life never holds more than its
        // horizon's worth of orders, so reserve no more than that.
        let life_days = f64::from(scenario.horizon_days.min(90));
        let expected_in_flight =
            (rate_sum * life_days * SECONDS_PER_DAY as f64).min(50_000_000.0) as usize;
        let month_count = scenario.horizon_days as usize / 28 + 2;
        let log1p_counts = Log1pTable::new();
        let views = StorefrontViews::new(
            &population.suppliers,
            &scenario.buyers,
            MonthIndex::FIRST_SIMULATED,
            &log1p_counts,
        );
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
            streams,
            segment_rate_cumulative,
            inquiries_per_second: rate_sum,
            next_order_number: 0,
            next_buyer: (BuyerId(0), 0),
            end,
            totals: Cumulative::default(),
            month_start_totals: Cumulative::default(),
            month_start_ledger: LedgerTotals::default(),
            month_start: scenario.start_date,
            months: Vec::with_capacity(month_count),
            exposure: CentsTotal::ZERO,
            exposure_peak: CentsTotal::ZERO,
            approved_suppliers: 0,
            events_processed: 0,
            log1p_counts,
            views,
            settle_latency_ns: Histogram::new_with_bounds(1, 60_000_000_000, 3)
                .expect("valid histogram bounds"),
        })
    }

    /// Runs to the horizon and returns what happened, unless the probe stops it.
    pub fn run<P: Probe>(self, probe: &mut P) -> Result<RunOutput, Interrupted> {
        self.run_observed(probe, &mut NoTrace)
    }

    /// Runs like [`Simulation::run`], handing `observer` a record of each
    /// event of the orders it traces (see `program::trace`). With
    /// [`NoTrace`] every observing step is a constant false and compiles
    /// away, so this is `run` itself.
    pub fn run_observed<P: Probe, O: Observer>(
        mut self,
        probe: &mut P,
        observer: &mut O,
    ) -> Result<RunOutput, Interrupted> {
        self.start();
        // The buyer of each traced order in flight; never touched untraced.
        let mut traced_buyers = BTreeMap::new();
        self.advance(self.end, probe, observer, &mut traced_buyers)?;
        Ok(self.finish())
    }

    /// Schedules what a run begins with. Scheduled first, so at equal times
    /// they precede everything else: the opening review, each rule change
    /// from the first second of its date, and month ends.
    fn start(&mut self) {
        self.schedule(SimTime::ZERO, EventKind::Review, OrderSlot(0));
        self.schedule_timeline();
        self.schedule_month_ends();
        self.schedule_next_inquiry();
    }

    /// Handles every event before `until` (at most the horizon), unless the
    /// probe stops the run; `observer` is told of the orders it traces, whose
    /// buyers in flight `traced_buyers` keeps.
    fn advance<P: Probe, O: Observer>(
        &mut self,
        until: SimTime,
        probe: &mut P,
        observer: &mut O,
        traced_buyers: &mut BTreeMap<u64, u32>,
    ) -> Result<(), Interrupted> {
        while let Some(event) = self.queue.pop_before(until) {
            self.prefetch_coming_orders();
            self.events_processed += 1;
            if self.events_processed % CHECKPOINT_EVERY_EVENTS == 0 {
                probe.orders_placed(self.totals.orders_placed);
                if !probe.checkpoint(event.time, self.end) {
                    return Err(Interrupted {
                        at: Some(event.time),
                    });
                }
            }
            let slot = OrderSlot(event.target);
            let kind = EventKind::from_u8(event.kind);
            let watched = if O::ACTIVE {
                self.watch(kind, slot, observer)
            } else {
                None
            };
            match kind {
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
                EventKind::MonthEnd => {
                    self.close_month(self.queue.now(), true);
                }
                EventKind::Review => {
                    self.review_all();
                    let next = self.queue.now().plus(self.rules.review_every);
                    if next < self.end {
                        self.schedule(next, EventKind::Review, OrderSlot(0));
                    }
                }
                EventKind::RuleChange => self.change_rules(event.target as usize),
            }
            if O::ACTIVE
                && let Some(watch) = watched
            {
                observer.record(self.describe(watch, traced_buyers));
            }
        }
        Ok(())
    }

    /// Closes the last month, checks the invariants of a finished run, and
    /// hands over what the report needs.
    fn finish(mut self) -> RunOutput {
        self.close_month(self.end, false);
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
        RunOutput {
            totals: self.totals,
            ledger: self.ledger.totals(),
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
        }
    }

    /// Asks the memory system for the order slot of an event 16 ahead, and
    /// for the supplier of an event 8 ahead, so that their cache
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
                crate::engine::prefetch::prefetch_first_line(supplier);
                // A completion writes the current month of its history.
                crate::engine::prefetch::prefetch_first_line(supplier.window.bucket_of(self.month));
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

    /// Closes the current month: its figures, and each supplier's inquiries
    /// added to its history; with `open_next`, the next month is opened in
    /// the same pass over the suppliers (see [`Simulation::open_month`]).
    fn close_month(&mut self, now: SimTime, open_next: bool) {
        let days = self.scenario.start_date.days_until(self.month_start);
        let month_start_time = SimTime(days as u64 * SECONDS_PER_DAY);
        let ledger = self.ledger.totals();
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
        // The month's inquiries join each supplier's history before
        // anything reads the month as complete.
        debug_assert!(
            self.views.are_current(
                &self.population.suppliers,
                &self.scenario.buyers,
                self.month,
                &self.log1p_counts
            ),
            "a shopfront went stale during the month"
        );
        let closed = self.month;
        self.month = MonthIndex(closed.0 + 1);
        self.roll_suppliers(closed, open_next.then_some(self.month));
        self.verify_ledger();
    }

    /// One pass over the suppliers as month `closed` ends: its inquiries
    /// join each history, and, when month `opened` begins, each history is
    /// moved forward to it and each shopfront refreshed to show the month
    /// just completed (so a twelve-month total is a copy, not a sum of
    /// twelve months). The run's last month is closed but not opened: what
    /// the storefronts show at the end is read from the histories, whose
    /// ring must then still hold the twelve months before the end.
    ///
    /// The pass asks for the lines of a supplier a few ahead of the one it
    /// works on (see [`Simulation::review_all`]).
    fn roll_suppliers(&mut self, closed: MonthIndex, opened: Option<MonthIndex>) {
        const AHEAD: usize = 8;
        let segments = &self.scenario.buyers;
        let suppliers = &mut self.population.suppliers;
        for index in 0..suppliers.len() {
            if let Some(coming) = suppliers.get(index + AHEAD) {
                crate::engine::prefetch::prefetch_first_line(coming);
                coming
                    .window
                    .prefetch(closed, if opened.is_some() { 2 } else { 1 });
            }
            let supplier = &mut suppliers[index];
            if let Some(inquiries) = self.views.take_counts(index) {
                supplier.window.add(closed, &inquiries);
            }
            if let Some(month) = opened {
                supplier.window.advance_to(month);
                self.views
                    .refresh(index, supplier, segments, month, &self.log1p_counts);
            }
        }
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

    /// Each supplier's open coverage is exactly the coverage of its covered
    /// orders still in flight: limits are drawn and given back in step.
    fn verify_coverage(&self) {
        let mut open = vec![Cents::ZERO; self.population.suppliers.len()];
        for order in self.orders.live().filter(|order| order.covered()) {
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
