//! A run's whole state at the first second of a simulated date, as a value:
//! taken from a run stopped there ([`Simulation::run_to_state`]) and turned
//! back into a run that goes on ([`Simulation::restore`]).
//!
//! The state keeps what the run has made and cannot remake: the population
//! with its histories, the orders in flight, the ledger, the pending events,
//! the position of the arrivals stream, the running totals and the closed
//! months. What follows from the scenario is rebuilt on restoring, not kept:
//! the rules in force (the scenario's rules with the timeline entries dated
//! before the date applied), their compiled form, the arrival rates, the
//! `ln(1 + n)` table, the storefront views (kept current with the records,
//! so remade from them; only the current month's inquiry counts are kept),
//! and the order streams, which are counter-based and so carry no position
//! between events. The wall-clock latency histogram measures the machine,
//! not the run: a restored run starts an empty one.
//!
//! A run restored under the rules of another scenario with the same world
//! changes, at the first second of the date, to the rules that scenario has
//! in force then, like a timeline entry dated that day that sets every rule
//! that differs; the other scenario's timeline entries from that date on
//! then apply at their dates. At the start date, before the opening review,
//! that is simply the other scenario's run.

use super::inquiry::InquiryCounts;
use super::*;
use crate::engine::queue::Event;
use crate::scenario::{RulesPatch, TimelineEntry};
use serde::{Deserialize, Serialize};

/// Everything a run holds at the first second of `at_day` that it cannot
/// rebuild from its scenario (see the module documentation).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimulationState {
    seed: u64,
    mirrored: bool,
    at_day: u32,
    month: MonthIndex,
    population: Population,
    orders: OrderSlab,
    ledger: Ledger,
    /// The pending events in pop order, and the number the next one takes.
    pending_events: Vec<Event>,
    next_event_seq: u64,
    arrivals_word_position: u128,
    next_order_number: u64,
    next_buyer: (BuyerId, u16),
    totals: Cumulative,
    month_start_totals: Cumulative,
    month_start_ledger: LedgerTotals,
    /// Days from the scenario's start to the first day of the current month.
    month_start_day: i64,
    months: Vec<MonthFigures>,
    exposure: CentsTotal,
    exposure_peak: CentsTotal,
    approved_suppliers: u64,
    events_processed: u64,
    /// Each supplier's inquiries of the current month.
    inquiry_counts: Vec<InquiryCounts>,
}

/// A state that does not fit the scenario it is restored with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StateError(pub String);

impl SimulationState {
    /// The seed of the run the state was taken from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the run's draws were mirrored (the second run of an antithetic pair).
    pub fn mirrored(&self) -> bool {
        self.mirrored
    }

    /// Days from the scenario's start to the date the state is at.
    pub fn at_day(&self) -> u32 {
        self.at_day
    }

    /// Events handled before the state was taken.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The storefront views of the state's suppliers during its month (see
    /// the module documentation), with their inquiry counts.
    fn views(
        &self,
        segments: &[crate::scenario::BuyerSegment],
        log1p_counts: &Log1pTable,
    ) -> StorefrontViews {
        let mut views = StorefrontViews::new(
            &self.population.suppliers,
            segments,
            self.month,
            log1p_counts,
        );
        for (index, counts) in self.inquiry_counts.iter().enumerate() {
            views.set_counts(index, *counts);
        }
        views
    }

    /// Whether the state can be the state of a run of `scenario`: sizes
    /// that match its population, ids and event targets in range, and a
    /// ledger that balances and agrees with the holds of the orders.
    fn check(&self, scenario: &Scenario) -> Result<(), String> {
        if self.at_day > scenario.horizon_days {
            return Err(format!(
                "the state is at day {} of a {}-day horizon",
                self.at_day, scenario.horizon_days
            ));
        }
        let suppliers = &self.population.suppliers;
        if suppliers.len() as u64 != scenario.supplier_count()
            || self.population.buyers.len() as u64 != scenario.buyer_count()
            || self.population.buyer_segment_start.len() != scenario.buyers.len()
            || self.inquiry_counts.len() != suppliers.len()
        {
            return Err("its population does not match the scenario's segments".to_string());
        }
        if suppliers
            .iter()
            .any(|supplier| usize::from(supplier.segment_index) >= scenario.suppliers.len())
            || self.next_buyer.0.0 as usize >= self.population.buyers.len().max(1)
            || usize::from(self.next_buyer.1) >= scenario.buyers.len()
        {
            return Err("a supplier or buyer names a segment that does not exist".to_string());
        }
        if self.month.0 < MonthIndex::FIRST_SIMULATED.0
            || !(0..=i64::from(scenario.horizon_days)).contains(&self.month_start_day)
        {
            return Err("its current month lies outside the run".to_string());
        }
        self.orders.check()?;
        if self
            .orders
            .live()
            .any(|order| order.supplier.0 as usize >= suppliers.len())
        {
            return Err("an order names a supplier that does not exist".to_string());
        }
        self.ledger.verify()?;
        self.ledger
            .verify_holds(self.orders.live().map(|order| &order.hold))?;
        self.check_events(scenario)
    }

    /// Every pending event is of a known kind, at or after the state's
    /// date, and about an order slot or timeline entry that exists.
    fn check_events(&self, scenario: &Scenario) -> Result<(), String> {
        let at = SimTime::from_days(self.at_day);
        for event in &self.pending_events {
            let kind = EventKind::ALL
                .get(usize::from(event.kind))
                .ok_or_else(|| format!("a pending event has the unknown kind {}", event.kind))?;
            let target_exists = match kind {
                EventKind::Inquiry | EventKind::MonthEnd | EventKind::Review => true,
                EventKind::RuleChange => (event.target as usize) < scenario.timeline.len(),
                _ => self.orders.try_get(OrderSlot(event.target)).is_some(),
            };
            if !target_exists || event.time < at {
                return Err(format!(
                    "a pending {kind:?} event at {} is before the state's date or about nothing",
                    event.time
                ));
            }
        }
        Ok(())
    }
}

/// The rules `scenario` has in force at the first second of `at_day`, and
/// each supplier segment's volunteering probability then: its own, with
/// the timeline entries dated before that day applied in order.
fn in_force_at(scenario: &Scenario, at_day: u32) -> (Rules, Vec<f64>) {
    let mut rules = scenario.rules.clone();
    let mut volunteer_probability: Vec<f64> = scenario
        .suppliers
        .iter()
        .map(|segment| segment.volunteer_probability)
        .collect();
    for entry in &scenario.timeline {
        if scenario.start_date.days_until(entry.date) >= i64::from(at_day) {
            continue;
        }
        rules.apply(&entry.rules);
        for (segment_name, probability) in &entry.volunteer_probability {
            if let Some(index) = scenario
                .suppliers
                .iter()
                .position(|segment| &segment.name == segment_name)
            {
                volunteer_probability[index] = *probability;
            }
        }
    }
    (rules, volunteer_probability)
}

/// Whether two scenarios describe the same world and run (everything but
/// their names, descriptions, rules and timelines), so that a state of one
/// can go on under the rules of the other.
pub fn same_world(one: &Scenario, other: &Scenario) -> bool {
    one.start_date == other.start_date
        && one.horizon_days == other.horizon_days
        && one.currency == other.currency
        && one.suppliers == other.suppliers
        && one.buyers == other.buyers
        && one.supplier_types == other.supplier_types
}

/// The pending events of `state` with the rule changes of `scenario`'s
/// timeline from the state's date on in place of those it had, numbered
/// afresh so that each rule change pops first at its second, as in a run
/// that scheduled its timeline before anything else. Renumbering keeps the
/// order of every other pair of events, and every event scheduled later
/// takes a higher number, as it would have.
fn events_under(scenario: &Scenario, state: &SimulationState, end: SimTime) -> Vec<Event> {
    let rule_change = EventKind::RuleChange as u8;
    let at = SimTime::from_days(state.at_day);
    let mut keyed: Vec<((SimTime, u8, u64), Event)> = state
        .pending_events
        .iter()
        .filter(|event| event.kind != rule_change)
        .map(|event| ((event.time, 1, event.seq), *event))
        .collect();
    for (index, entry) in scenario.timeline.iter().enumerate() {
        let days = scenario.start_date.days_until(entry.date);
        let time = SimTime(days as u64 * SECONDS_PER_DAY);
        if time >= at && time < end {
            let event = Event {
                time,
                seq: 0,
                kind: rule_change,
                target: index as u32,
            };
            keyed.push(((time, 0, index as u64), event));
        }
    }
    keyed.sort_unstable_by_key(|(key, _)| *key);
    keyed
        .into_iter()
        .enumerate()
        .map(|(seq, (_, event))| Event {
            seq: seq as u64,
            ..event
        })
        .collect()
}

impl<'a> Simulation<'a> {
    /// Runs up to the first second of day `at_day` (before any event at or
    /// after it) and returns the whole state there, unless the probe stops
    /// the run. `at_day` is at most the horizon.
    pub fn run_to_state<P: Probe>(
        mut self,
        at_day: u32,
        probe: &mut P,
    ) -> Result<SimulationState, Interrupted> {
        assert!(
            at_day <= self.scenario.horizon_days,
            "a state at day {at_day} is beyond the horizon"
        );
        self.start();
        self.advance(
            SimTime::from_days(at_day),
            probe,
            &mut NoTrace,
            &mut BTreeMap::new(),
        )?;
        Ok(self.into_state(at_day))
    }

    fn into_state(self, at_day: u32) -> SimulationState {
        SimulationState {
            seed: self.streams.seed,
            mirrored: self.streams.mirrored,
            at_day,
            month: self.month,
            pending_events: self.queue.pending(),
            next_event_seq: self.queue.scheduled_count(),
            arrivals_word_position: self.arrivals.word_position(),
            next_order_number: self.next_order_number,
            next_buyer: self.next_buyer,
            totals: self.totals,
            month_start_totals: self.month_start_totals,
            month_start_ledger: self.month_start_ledger,
            month_start_day: self.scenario.start_date.days_until(self.month_start),
            months: self.months,
            exposure: self.exposure,
            exposure_peak: self.exposure_peak,
            approved_suppliers: self.approved_suppliers,
            events_processed: self.events_processed,
            inquiry_counts: self.views.counts(),
            population: self.population,
            orders: self.orders,
            ledger: self.ledger,
        }
    }

    /// The run of `scenario` whose state `state` is, ready to go on from
    /// its date ([`Simulation::resume`]); with `rules_from`, under that
    /// scenario's rules and timeline from the date on (see the module
    /// documentation). Refused when the state does not fit `scenario`, or
    /// `rules_from` describes another world.
    pub fn restore(
        scenario: &'a Scenario,
        state: SimulationState,
        rules_from: Option<&'a Scenario>,
    ) -> Result<Simulation<'a>, StateError> {
        state.check(scenario).map_err(StateError)?;
        let governing = match rules_from {
            Some(other) if !same_world(scenario, other) => {
                return Err(StateError(format!(
                    "the scenario {:?} differs from {:?} in more than its rules and timeline",
                    other.name, scenario.name
                )));
            }
            Some(other) => other,
            None => scenario,
        };
        let end = SimTime::from_days(scenario.horizon_days);
        let events = events_under(governing, &state, end);
        let queue = EventQueue::restore(
            SimTime::from_days(state.at_day),
            events.len() as u64,
            &events,
        )
        .map_err(StateError)?;
        let streams = Streams {
            seed: state.seed,
            mirrored: state.mirrored,
        };
        let mut arrivals = streams.named("arrivals");
        arrivals.seek(state.arrivals_word_position);
        let (rules_in_force, volunteer_probability) = in_force_at(scenario, state.at_day);
        let (segment_rate_cumulative, inquiries_per_second) = inquiry_rates(scenario);
        let log1p_counts = Log1pTable::new();
        let views = state.views(&governing.buyers, &log1p_counts);
        let month_count = scenario.horizon_days as usize / 28 + 2;
        let mut months = state.months;
        months.reserve(month_count.saturating_sub(months.len()));
        let mut simulation = Simulation {
            scenario: governing,
            rules: CompiledRules::new(&rules_in_force),
            rules_in_force,
            volunteer_probability,
            month: state.month,
            population: state.population,
            orders: state.orders,
            ledger: state.ledger,
            queue,
            order_random: streams.orders(),
            arrivals,
            streams,
            segment_rate_cumulative,
            inquiries_per_second,
            next_order_number: state.next_order_number,
            next_buyer: state.next_buyer,
            end,
            totals: state.totals,
            month_start_totals: state.month_start_totals,
            month_start_ledger: state.month_start_ledger,
            month_start: scenario.start_date.add_days(state.month_start_day),
            months,
            exposure: state.exposure,
            exposure_peak: state.exposure_peak,
            approved_suppliers: state.approved_suppliers,
            events_processed: state.events_processed,
            settle_latency_ns: Histogram::new_with_bounds(1, 60_000_000_000, 3)
                .expect("valid histogram bounds"),
            log1p_counts,
            views,
        };
        if let Some(other) = rules_from {
            simulation.change_to_rules_of(other, state.at_day);
        }
        Ok(simulation)
    }

    /// Changes, at the first second of `at_day`, to the rules `other` has in
    /// force then: every rule that differs and every segment whose
    /// volunteering probability differs, as one timeline entry would.
    fn change_to_rules_of(&mut self, other: &Scenario, at_day: u32) {
        let (rules, volunteer_probability) = in_force_at(other, at_day);
        let changed_segments: Vec<(String, f64)> = other
            .suppliers
            .iter()
            .zip(
                volunteer_probability
                    .iter()
                    .zip(&self.volunteer_probability),
            )
            .filter(|(_, (theirs, ours))| theirs.to_bits() != ours.to_bits())
            .map(|(segment, (theirs, _))| (segment.name.clone(), *theirs))
            .collect();
        let patch = RulesPatch::between(&self.rules_in_force, &rules);
        if patch.fields_set().is_empty() && changed_segments.is_empty() {
            return;
        }
        if at_day == 0 {
            // Before the first event: `other`'s own start, whose opening
            // review is still pending. The world is the same, so the
            // volunteering probabilities are too; only the rules change,
            // and the opening review reads them.
            debug_assert!(changed_segments.is_empty());
            self.rules = CompiledRules::new(&rules);
            self.rules_in_force = rules;
            return;
        }
        self.apply_change(&TimelineEntry {
            date: other.start_date.add_days(i64::from(at_day)),
            rules: patch,
            volunteer_probability: changed_segments,
        });
    }

    /// Runs a restored simulation from its date to the horizon, like
    /// [`Simulation::run`] from the start.
    pub fn resume<P: Probe>(mut self, probe: &mut P) -> Result<RunOutput, Interrupted> {
        let end = self.end;
        self.advance(end, probe, &mut NoTrace, &mut BTreeMap::new())?;
        Ok(self.finish())
    }
}
