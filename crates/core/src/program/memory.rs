//! An estimate of a run's peak memory, from the scenario alone, before
//! anything is allocated.
//!
//! A run's memory is sized by the scenario (ARCHITECTURE.md: "memory grows
//! with the population and the orders in flight, never with the orders
//! simulated"), so it can be predicted and a scenario the machine cannot
//! hold refused with a clear message instead of an out-of-memory kill. The
//! estimate counts the bytes a run touches:
//!
//! ```text
//! peak = 5/4 * suppliers * (size_of(Supplier) + supplier_view_bytes)  with the allocator's rounding
//!      + 5/4 * buyers * size_of(Buyer)
//!      + orders_in_flight * (size_of(Order) + size_of(Event) + 4)   slot, pending event, free-list entry
//!      + months * (size_of(MonthFigures) + MONTH_REPORT_BYTES)       monthly figures and their report
//!      + FIXED_BYTES                                                 program, allocator, histogram, report
//!
//! orders_in_flight = IN_FLIGHT_MARGIN * inquiries_per_day * min(order_life_days, horizon_days)
//! ```
//!
//! `orders_in_flight` is Little's law (orders in the system = arrival rate
//! times time in the system), with the inquiry rate as an upper bound of the
//! order rate and a margin for the busiest stretch. An order's life is
//! estimated from the scenario's own figures: supplier figures are averaged
//! over each segment's type mix, and the worst supplier segment and the worst
//! buyer segment are taken, so the estimate errs on the generous side:
//!
//! ```text
//! order_life_days = response_hours / 24
//!                   + (1 - late_probability) * min(production_days, promised_lead_days)
//!                   + late_probability * (promised_lead_days + late_days)
//!                 + transit_days
//!                 + confirm_probability * min(inspection_days, auto_release_days)
//!                   + (1 - confirm_probability) * auto_release_days
//!                 + claim_probability * (negotiation_days + decision_days + recovery_days)
//! claim_probability = min(1, claim_after_breach_probability * breach_probability + false_claim_probability)
//! breach_probability = min(1, late_probability + 1 - conformance_probability + vanish_probability)
//! ```
//!
//! where a distribution stands for its mean, each supplier figure is the
//! type mix's average, and each window (auto-release, negotiation, decision,
//! recovery) is the longest any rule set along the timeline gives it. The engine reserves address space for 90 days of
//! inquiries up front; pages it never writes cost no memory, so the
//! estimate counts the orders actually in flight.

use super::metrics::MonthFigures;
use super::order::Order;
use super::population::{Buyer, Supplier};
use super::simulation::supplier_view_bytes;
use crate::engine::Event;
use crate::scenario::{Dist, Fraud, Scenario, SupplierType};

/// Memory of a run that does not grow with the scenario: the program image,
/// the allocator's arenas, the latency histogram, the loaded scenario.
pub const FIXED_BYTES: u64 = 6 << 20;
/// Memory per simulated month beyond its figures: its share of the JSON and
/// text reports and of the digest's serialisation.
pub const MONTH_REPORT_BYTES: u64 = 16 << 10;
/// Orders in flight at the busiest moment, relative to Little's law.
pub const IN_FLIGHT_MARGIN: f64 = 1.25;

/// The estimate of one run's peak memory, by what holds it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemoryEstimate {
    pub suppliers_bytes: u64,
    pub buyers_bytes: u64,
    /// Expected orders in flight at the busiest moment.
    pub orders_in_flight: u64,
    /// Mean days from inquiry to the last settlement, bounded from above.
    pub order_life_days: f64,
    pub orders_bytes: u64,
    pub months_bytes: u64,
    pub fixed_bytes: u64,
}

impl MemoryEstimate {
    pub fn total_bytes(&self) -> u64 {
        self.suppliers_bytes
            .saturating_add(self.buyers_bytes)
            .saturating_add(self.orders_bytes)
            .saturating_add(self.months_bytes)
            .saturating_add(self.fixed_bytes)
    }
}

impl std::fmt::Display for MemoryEstimate {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} (suppliers {}, buyers {}, {} orders in flight {}, months and reports {}, fixed {})",
            Bytes(self.total_bytes()),
            Bytes(self.suppliers_bytes),
            Bytes(self.buyers_bytes),
            self.orders_in_flight,
            Bytes(self.orders_bytes),
            Bytes(self.months_bytes),
            Bytes(self.fixed_bytes)
        )
    }
}

/// A byte count for people: `512 B`, `3.4 KiB`, `67.0 MiB`, `12.5 GiB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bytes(pub u64);

impl std::fmt::Display for Bytes {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
        if self.0 < 1024 {
            return write!(formatter, "{} B", self.0);
        }
        let mut value = self.0 as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit + 1 < UNITS.len() {
            value /= 1024.0;
            unit += 1;
        }
        write!(formatter, "{value:.1} {}", UNITS[unit])
    }
}

/// Bytes a replication's kept result holds (its metric values, monthly
/// figures and histogram) while an analysis waits for the others.
pub fn retained_result_bytes(scenario: &Scenario) -> u64 {
    let months = u64::from(scenario.horizon_days) / 28 + 2;
    months * RETAINED_MONTH_BYTES + RETAINED_RUN_BYTES
}

/// Inquiries a day across every buyer segment, as the scenario expects them.
fn inquiries_per_day(scenario: &Scenario) -> f64 {
    scenario
        .buyers
        .iter()
        .map(|segment| {
            f64::from(segment.count) * finite_or_zero(segment.inquiries_per_year) / 365.0
        })
        .sum()
}

/// Address space a run reserves beyond what it touches: the order slots
/// and events it reserves for 90 days of inquiries up front (see
/// `Simulation::new`), which a limit on address space (`ulimit -v`) counts
/// although the memory is never written.
pub fn reserved_address_space_bytes(scenario: &Scenario) -> u64 {
    let inquiries_per_day = inquiries_per_day(scenario);
    let reserved_orders =
        count(inquiries_per_day * f64::from(scenario.horizon_days.min(90))).min(50_000_000);
    reserved_orders.saturating_mul((size_of::<Order>() + size_of::<Event>() + 4) as u64)
}

/// Bytes per month of a kept replication result (its monthly values).
const RETAINED_MONTH_BYTES: u64 = 600;
/// Bytes of a kept replication result beyond its months.
const RETAINED_RUN_BYTES: u64 = 16 << 10;

/// The peak memory of a run of `scenario`, by the formula of the module
/// documentation. Total for any scenario, valid or not: every float is
/// clamped before it becomes a count.
pub fn estimate_peak_memory(scenario: &Scenario) -> MemoryEstimate {
    let suppliers = scenario.supplier_count();
    let buyers = scenario.buyer_count();
    let inquiries_per_day = inquiries_per_day(scenario);
    let order_life_days = order_life_days(scenario);
    let days_in_flight = order_life_days.min(f64::from(scenario.horizon_days));
    let orders_in_flight = count(IN_FLIGHT_MARGIN * inquiries_per_day * days_in_flight);
    let bytes_per_order = (size_of::<Order>() + size_of::<Event>() + size_of::<u32>()) as u64;
    let months = u64::from(scenario.horizon_days) / 28 + 2;
    let bytes_per_month = size_of::<MonthFigures>() as u64 + MONTH_REPORT_BYTES;
    MemoryEstimate {
        suppliers_bytes: with_margin(suppliers.saturating_mul(
            (size_of::<Supplier>() + supplier_view_bytes(scenario.buyers.len())) as u64,
        )),
        buyers_bytes: with_margin(buyers.saturating_mul(size_of::<Buyer>() as u64)),
        orders_in_flight,
        order_life_days,
        orders_bytes: orders_in_flight.saturating_mul(bytes_per_order),
        months_bytes: months.saturating_mul(bytes_per_month),
        fixed_bytes: FIXED_BYTES,
    }
}

/// Mean days from inquiry to the last settlement, bounded from above (see
/// the module documentation).
pub fn order_life_days(scenario: &Scenario) -> f64 {
    let types = &scenario.supplier_types;
    // Per supplier segment, the type mix's mean days to shipment and share
    // of breached orders; the worst segment bounds them all.
    let mut supplier_side: f64 = 0.0;
    let mut breach: f64 = 0.0;
    for segment in &scenario.suppliers {
        let lead = f64::from(segment.promised_lead_days);
        let mut segment_days = 0.0;
        let mut segment_breach = 0.0;
        for supplier_type in SupplierType::ALL {
            let share = probability(segment.type_mix.share(supplier_type));
            let behaviour = types.behaviour(supplier_type);
            let late = probability(behaviour.late_probability);
            let vanish = match behaviour.fraud {
                Some(Fraud::BustOut {
                    vanish_probability, ..
                }) => probability(vanish_probability),
                None => 0.0,
            };
            segment_days += share
                * (mean(&behaviour.response_hours) / 24.0
                    + (1.0 - late) * mean(&behaviour.production_days).min(lead)
                    + late * (lead + mean(&behaviour.late_days)));
            segment_breach += share
                * (late + (1.0 - probability(behaviour.conformance_probability)) + vanish).min(1.0);
        }
        supplier_side = supplier_side.max(segment_days);
        breach = breach.max(segment_breach);
    }
    // The rules change along the timeline: the longest windows any of its
    // rule sets gives bound the order's life.
    let mut rules = scenario.rules.clone();
    let mut auto_release = f64::from(rules.auto_release_days);
    let mut dispute: f64 = 0.0;
    for entry in std::iter::once(None).chain(scenario.timeline.iter().map(Some)) {
        if let Some(entry) = entry {
            rules.apply(&entry.rules);
        }
        auto_release = auto_release.max(f64::from(rules.auto_release_days));
        dispute = dispute.max(
            f64::from(rules.negotiation_days)
                + f64::from(rules.decision_days)
                + f64::from(rules.recovery_days),
        );
    }
    let buyer_side = scenario
        .buyers
        .iter()
        .map(|segment| {
            let confirm = probability(segment.confirm_probability);
            let after_delivery = confirm * mean(&segment.inspection_days).min(auto_release)
                + (1.0 - confirm) * auto_release;
            let claim = (probability(segment.claim_after_breach_probability) * breach
                + probability(segment.false_claim_probability))
            .min(1.0);
            mean(&segment.transit_days) + after_delivery + claim * dispute
        })
        .fold(0.0, f64::max);
    supplier_side + buyer_side
}

/// The mean of a distribution; 0 for parameters that are not finite.
fn mean(dist: &Dist) -> f64 {
    let value = match *dist {
        Dist::Fixed(value) => value,
        Dist::Uniform { min, max } => (min + max) / 2.0,
        Dist::Exponential { mean } => mean,
        Dist::LogNormal { median, sigma } => median * libm::exp(sigma * sigma / 2.0),
        Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
    };
    finite_or_zero(value).max(0.0)
}

fn probability(value: f64) -> f64 {
    finite_or_zero(value).clamp(0.0, 1.0)
}

fn finite_or_zero(value: f64) -> f64 {
    if value.is_finite() { value } else { 0.0 }
}

/// A population's bytes with a quarter more: the allocator's rounding and
/// the per-segment tables the population is drawn through.
fn with_margin(bytes: u64) -> u64 {
    bytes.saturating_add(bytes / 4)
}

/// A float as a count: rounded up, saturating at `u64::MAX` (infinity
/// included), 0 when not positive or not a number.
fn count(value: f64) -> u64 {
    if value > 0.0 { value.ceil() as u64 } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    const QUICK: &str = include_str!("../../../../scenarios/quick.ron");

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(Bytes(512).to_string(), "512 B");
        assert_eq!(Bytes(1536).to_string(), "1.5 KiB");
        assert_eq!(Bytes(67 << 20).to_string(), "67.0 MiB");
        assert_eq!(Bytes(u64::MAX).to_string(), "16384.0 PiB");
    }

    #[test]
    fn an_order_life_counts_the_longest_windows_of_the_timeline() {
        // Regression: the estimate read only the opening rules, so a
        // timeline that lengthened the recovery of advances was estimated
        // at a fraction of its peak.
        let scenario = parse_scenario(QUICK, "quick.ron").unwrap();
        let before = order_life_days(&scenario);
        let end = QUICK.rfind(')').unwrap();
        let longer = format!(
            "{}    timeline: [(date: \"2014-06-01\", rules: (recovery_days: 3000, auto_release_days: 300))],\n{}",
            &QUICK[..end],
            &QUICK[end..]
        );
        let after = order_life_days(&parse_scenario(&longer, "quick.ron").unwrap());
        assert!(after > before + 200.0, "{before} -> {after}");
    }

    #[test]
    fn the_estimate_follows_the_formula_term_by_term() {
        let scenario = parse_scenario(QUICK, "quick.ron").unwrap();
        let estimate = estimate_peak_memory(&scenario);
        assert_eq!(
            estimate.suppliers_bytes,
            2_200 * (size_of::<Supplier>() + supplier_view_bytes(1)) as u64 * 5 / 4
        );
        assert_eq!(
            estimate.buyers_bytes,
            20_000 * size_of::<Buyer>() as u64 * 5 / 4
        );
        // 20,000 buyers * 2 inquiries a year, over an order's life.
        let expected_in_flight =
            IN_FLIGHT_MARGIN * 20_000.0 * 2.0 / 365.0 * estimate.order_life_days;
        assert_eq!(estimate.orders_in_flight, expected_in_flight.ceil() as u64);
        assert_eq!(
            estimate.months_bytes,
            (120 / 28 + 2) * (size_of::<MonthFigures>() as u64 + MONTH_REPORT_BYTES)
        );
        assert_eq!(
            estimate.total_bytes(),
            estimate.suppliers_bytes
                + estimate.buyers_bytes
                + estimate.orders_bytes
                + estimate.months_bytes
                + FIXED_BYTES
        );
    }

    #[test]
    fn an_order_life_adds_up_its_stages() {
        let scenario = parse_scenario(QUICK, "quick.ron").unwrap();
        let life = order_life_days(&scenario);
        // Production about 21 days, transit 23.3, after delivery
        // 0.65 * 7 + 0.35 * 30, plus response, lateness and a share of the 37
        // dispute days.
        let floor = 20.0 + 70.0 / 3.0 + 0.65 * 7.0 + 0.35 * 30.0;
        assert!(life > floor && life < floor + 37.0, "{life}");
    }

    #[test]
    fn the_order_life_is_capped_by_the_horizon_and_demand_scales_in_flight_orders() {
        let scenario = parse_scenario(QUICK, "quick.ron").unwrap();
        let mut short = scenario.clone();
        short.horizon_days = 5;
        let short_estimate = estimate_peak_memory(&short);
        assert_eq!(
            short_estimate.orders_in_flight,
            (IN_FLIGHT_MARGIN * 20_000.0 * 2.0 / 365.0 * 5.0).ceil() as u64
        );
        let mut busy = scenario.clone();
        busy.buyers[0].inquiries_per_year *= 10.0;
        let busy_estimate = estimate_peak_memory(&busy);
        let base = estimate_peak_memory(&scenario);
        let ratio = busy_estimate.orders_in_flight as f64 / base.orders_in_flight as f64;
        assert!((9.9..=10.1).contains(&ratio), "{ratio}");
    }

    #[test]
    fn any_scenario_gets_an_estimate_even_an_absurd_one() {
        let mut scenario = parse_scenario(QUICK, "quick.ron").unwrap();
        scenario.buyers[0].inquiries_per_year = f64::INFINITY;
        scenario.buyers[0].count = u32::MAX;
        scenario.buyers[0].transit_days = Dist::LogNormal {
            median: f64::MAX,
            sigma: f64::NAN,
        };
        scenario.suppliers[0].count = u32::MAX;
        let estimate = estimate_peak_memory(&scenario);
        assert!(estimate.total_bytes() > 4 << 30);
        scenario.buyers[0].inquiries_per_year = 1e300;
        scenario.horizon_days = u32::MAX;
        assert_eq!(estimate_peak_memory(&scenario).total_bytes(), u64::MAX);
    }
}
