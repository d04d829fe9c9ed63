//! The seeded population: suppliers and buyers in flat vectors indexed by
//! typed ids.
//!
//! The population is drawn from the world half of the scenario only
//! (segments, type mixes and behaviour), from its own named streams, in a
//! fixed order. No program rule is read here, so two scenarios that differ
//! only in their rules face exactly the same buyers and suppliers.

use super::history::{MonthBucket, MonthIndex, RollingWindow, WINDOW_MONTHS};
use super::money::Cents;
use super::vetting::SupplierStatus;
use crate::engine::Streams;
use crate::engine::math;
use crate::engine::random::{NamedStream, chance, sample, uniform01};
use crate::scenario::limits::ORDER_VALUE_MAX;
use crate::scenario::{Country, PaymentMethod, Scenario, SupplierSegment, SupplierType};
use rand::Rng;

/// Index of a supplier in [`Population::suppliers`].
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct SupplierId(pub u32);

/// Index of a buyer in [`Population::buyers`].
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct BuyerId(pub u32);

/// A supplier: its drawn traits, its standing with the program, and the
/// record the platform and buyers can observe. The latent type drives
/// behaviour and the screening matrix; vetting never reads it.
///
/// Laid out in declaration order (`repr(C)`) so that every field but the
/// history sits in the record's first cache line: an event that touches a
/// supplier reads those, and the run loop prefetches that line alone (see
/// the test of the layout).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[repr(C)]
pub struct Supplier {
    /// Most coverage its open covered orders may hold at once.
    pub coverage_limit: Cents,
    /// Coverage held by its open covered orders.
    pub coverage_open: Cents,
    /// Price level relative to the market; scales its orders' values.
    pub price_index: f64,
    /// `ln(price_index)`, as buyers' choice weighs it; kept so the hot path
    /// does not take a logarithm per inquiry.
    pub log_price_index: f64,
    /// The supplier volunteers while this draw is below its segment's
    /// volunteering probability (which the timeline may change).
    pub volunteer_draw: f64,
    /// Orders completed since the start of the run (a bust-out fraudster's clean record).
    pub orders_completed_in_run: u32,
    pub segment_index: u16,
    pub country: Country,
    pub latent_type: SupplierType,
    pub status: SupplierStatus,
    /// Statuses the supplier has ever held, as flags ([`Supplier::EVER_APPROVED`]).
    pub status_history: u8,
    /// A bust-out fraudster that has taken its deposits and gone.
    pub vanished: bool,
    pub volunteered: bool,
    pub window: RollingWindow,
}

impl Supplier {
    pub const EVER_APPROVED: u8 = 1;

    /// Coverage still available to a new covered order.
    pub fn coverage_remaining(&self) -> Cents {
        (self.coverage_limit - self.coverage_open).max(Cents::ZERO)
    }

    /// Whether the storefront shows the program's badge.
    pub fn shows_badge(&self) -> bool {
        self.status == SupplierStatus::Approved
    }
}

/// A buyer. Country, ordering and claiming habits come from its segment,
/// which its id tells ([`Population::buyer_segment_start`]), so the record
/// keeps one byte: with millions of buyers, one drawn at random at every
/// inquiry, a small record is a small array for the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Buyer {
    pub payment_method: PaymentMethod,
}

/// All suppliers and buyers of a run.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Population {
    pub suppliers: Vec<Supplier>,
    pub buyers: Vec<Buyer>,
    /// For each buyer segment, the first buyer id; segment `i` holds
    /// `buyer_segment_start[i]..buyer_segment_start[i] + count`.
    pub buyer_segment_start: Vec<u32>,
}

/// Units of drawing work (a supplier, an order of its prior history, a
/// buyer) between two calls of the stop check: a few milliseconds of work,
/// so a stop request is honoured promptly even while a population of
/// millions with long histories is drawn, and the check costs nothing.
pub const GENERATION_CHECK_EVERY_UNITS: u64 = 1 << 16;

/// Counts drawing work and asks the caller, every
/// [`GENERATION_CHECK_EVERY_UNITS`] units, whether to go on.
struct StopChecks<'a> {
    keep_going: &'a mut dyn FnMut() -> bool,
    units_since_check: u64,
}

impl StopChecks<'_> {
    /// Records `units` of work done; false when the caller asks to stop.
    fn done(&mut self, units: u64) -> bool {
        self.units_since_check += units;
        if self.units_since_check < GENERATION_CHECK_EVERY_UNITS {
            return true;
        }
        self.units_since_check = 0;
        (self.keep_going)()
    }
}

impl Population {
    /// Draws the population of a validated scenario.
    pub fn generate(scenario: &Scenario, streams: &Streams) -> Population {
        Population::generate_unless_stopped(scenario, streams, &mut || true)
            .expect("a check that always goes on never stops the drawing")
    }

    /// Draws the population like [`Population::generate`], asking
    /// `keep_going` once before anything is drawn and then every
    /// [`GENERATION_CHECK_EVERY_UNITS`] units of work; `None` when it
    /// answers false. The check only reads: the population drawn, when it
    /// is drawn, is the same whatever the check does.
    pub fn generate_unless_stopped(
        scenario: &Scenario,
        streams: &Streams,
        keep_going: &mut dyn FnMut() -> bool,
    ) -> Option<Population> {
        if !keep_going() {
            return None;
        }
        let mut checks = StopChecks {
            keep_going,
            units_since_check: 0,
        };
        let supplier_total: usize = scenario
            .suppliers
            .iter()
            .map(|segment| segment.count as usize)
            .sum();
        let mut suppliers = Vec::with_capacity(supplier_total);
        let mut supplier_draws = streams.named("population.suppliers");
        let mut history_draws = streams.named("population.prior_history");
        let buyer_claims = BuyerClaimHabits::of(scenario);
        for (segment_index, segment) in scenario.suppliers.iter().enumerate() {
            for _ in 0..segment.count {
                let type_draw = uniform01(&mut supplier_draws);
                let volunteer_draw = uniform01(&mut supplier_draws);
                let price_index = sample(&mut supplier_draws, &segment.price_index);
                let latent_type = pick_type(&segment.type_mix, type_draw);
                let mut supplier = Supplier {
                    segment_index: segment_index as u16,
                    country: segment.country,
                    latent_type,
                    volunteer_draw,
                    volunteered: volunteer_draw < segment.volunteer_probability,
                    price_index,
                    log_price_index: math::log(price_index),
                    status: SupplierStatus::Outside,
                    status_history: 0,
                    vanished: false,
                    coverage_limit: Cents::ZERO,
                    coverage_open: Cents::ZERO,
                    orders_completed_in_run: 0,
                    window: RollingWindow::default(),
                };
                let prior_orders = draw_prior_history(
                    &mut supplier,
                    segment,
                    scenario,
                    &buyer_claims,
                    &mut history_draws,
                );
                suppliers.push(supplier);
                if !checks.done(1 + prior_orders) {
                    return None;
                }
            }
        }
        let buyer_total: usize = scenario
            .buyers
            .iter()
            .map(|segment| segment.count as usize)
            .sum();
        let mut buyers = Vec::with_capacity(buyer_total);
        let mut buyer_segment_start = Vec::with_capacity(scenario.buyers.len());
        let mut buyer_draws = streams.named("population.buyers");
        for segment in &scenario.buyers {
            buyer_segment_start.push(buyers.len() as u32);
            for _ in 0..segment.count {
                let draw = uniform01(&mut buyer_draws);
                buyers.push(Buyer {
                    payment_method: pick_method(&segment.payment_mix, draw),
                });
                if !checks.done(1) {
                    return None;
                }
            }
        }
        Some(Population {
            suppliers,
            buyers,
            buyer_segment_start,
        })
    }

    pub fn supplier(&self, id: SupplierId) -> &Supplier {
        &self.suppliers[id.0 as usize]
    }

    pub fn supplier_mut(&mut self, id: SupplierId) -> &mut Supplier {
        &mut self.suppliers[id.0 as usize]
    }

    pub fn buyer(&self, id: BuyerId) -> &Buyer {
        &self.buyers[id.0 as usize]
    }
}

/// The buyers' claiming habits averaged over segments (weighted by orders),
/// used to draw the disputes in suppliers' history before the start.
struct BuyerClaimHabits {
    claim_after_breach: f64,
    false_claim: f64,
}

impl BuyerClaimHabits {
    fn of(scenario: &Scenario) -> BuyerClaimHabits {
        let mut weight_total = 0.0;
        let mut breach = 0.0;
        let mut false_claims = 0.0;
        for segment in &scenario.buyers {
            let weight = f64::from(segment.count) * segment.inquiries_per_year;
            weight_total += weight;
            breach += weight * segment.claim_after_breach_probability;
            false_claims += weight * segment.false_claim_probability;
        }
        if weight_total > 0.0 {
            BuyerClaimHabits {
                claim_after_breach: breach / weight_total,
                false_claim: false_claims / weight_total,
            }
        } else {
            BuyerClaimHabits {
                claim_after_breach: 0.0,
                false_claim: 0.0,
            }
        }
    }
}

/// Inquiries a supplier receives for each order it wins, in the history
/// drawn before the start (buyers ask about three suppliers per order).
const PRIOR_INQUIRIES_PER_ORDER: u32 = 3;

/// Fills the twelve months before the start with orders drawn from the
/// supplier's behaviour type: on time or late, conforming or not, claimed by
/// buyers with their average habits, refunded when the claim was justified.
/// Fraudsters have a clean-looking record, as bust-out fraud requires.
/// Returns the number of orders drawn: the work done, for the stop checks.
fn draw_prior_history(
    supplier: &mut Supplier,
    segment: &SupplierSegment,
    scenario: &Scenario,
    claims: &BuyerClaimHabits,
    draws: &mut NamedStream,
) -> u64 {
    let Some(prior) = &segment.prior_history else {
        return 0;
    };
    let behaviour = scenario.supplier_types.behaviour(supplier.latent_type);
    let mut orders_drawn = 0;
    for month in 0..WINDOW_MONTHS {
        let orders = poisson(draws, prior.orders_per_month);
        orders_drawn += u64::from(orders);
        let mut bucket = MonthBucket::default();
        for _ in 0..orders {
            let units =
                (sample(draws, &prior.order_value) * supplier.price_index).min(ORDER_VALUE_MAX);
            let value = Cents::from_drawn_units(units);
            let late = chance(draws, behaviour.late_probability);
            let conforming = chance(draws, behaviour.conformance_probability);
            let breach = late || !conforming;
            let claim_draw = uniform01(draws);
            let disputed = if breach {
                claim_draw < claims.claim_after_breach
            } else {
                claim_draw < claims.false_claim
            };
            bucket.orders_completed += 1;
            bucket.orders_on_time += u32::from(!late);
            bucket.orders_disputed += u32::from(disputed);
            bucket.orders_refunded += u32::from(disputed && breach);
            // A drawn value is at least one cent: its cents are its magnitude.
            bucket.completed_value_cents += value.cents().unsigned_abs();
            for _ in 0..PRIOR_INQUIRIES_PER_ORDER {
                let answered = chance(draws, behaviour.response_probability);
                let hours = sample(draws, &behaviour.response_hours);
                bucket.inquiries_received += 1;
                if answered {
                    bucket.inquiries_answered += 1;
                    bucket.response_seconds += (hours * 3600.0 + 0.5) as u64;
                }
            }
        }
        supplier.window.add(MonthIndex(month), &bucket);
    }
    orders_drawn
}

/// A Poisson draw: by inversion for small means, by a rounded normal
/// (Box-Muller with portable math) for large ones, where the two agree closely.
fn poisson<R: Rng + ?Sized>(draws: &mut R, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean < 30.0 {
        let mut count = 0;
        let mut probability = math::exp(-mean);
        let mut cumulative = probability;
        let target = uniform01(draws);
        while target > cumulative && count < 1_000 {
            count += 1;
            probability *= mean / f64::from(count);
            cumulative += probability;
        }
        count
    } else {
        let radius = libm::sqrt(-2.0 * math::log(1.0 - uniform01(draws)));
        let normal = radius * libm::cos(std::f64::consts::TAU * uniform01(draws));
        (mean + libm::sqrt(mean) * normal).round().max(0.0) as u32
    }
}

/// The type whose cumulative share first exceeds `draw`. Shares sum to 1 up
/// to rounding; a draw beyond the last cumulative share takes the last type
/// with a non-zero share.
fn pick_type(mix: &crate::scenario::TypeMix, draw: f64) -> SupplierType {
    let mut cumulative = 0.0;
    let mut last_present = SupplierType::Reliable;
    for supplier_type in SupplierType::ALL {
        let share = mix.share(supplier_type);
        if share > 0.0 {
            last_present = supplier_type;
        }
        cumulative += share;
        if draw < cumulative {
            return supplier_type;
        }
    }
    last_present
}

fn pick_method(mix: &[(PaymentMethod, f64)], draw: f64) -> PaymentMethod {
    let mut cumulative = 0.0;
    let mut last_present = mix.first().map_or(PaymentMethod::TT, |&(method, _)| method);
    for &(method, share) in mix {
        if share > 0.0 {
            last_present = method;
        }
        cumulative += share;
        if draw < cumulative {
            return method;
        }
    }
    last_present
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::stream;
    use crate::scenario::TypeMix;

    #[test]
    fn type_draws_follow_the_cumulative_mix() {
        let mix = TypeMix {
            reliable: 0.5,
            average: 0.0,
            poor: 0.25,
            fraudulent: 0.25,
        };
        assert_eq!(pick_type(&mix, 0.0), SupplierType::Reliable);
        assert_eq!(pick_type(&mix, 0.49), SupplierType::Reliable);
        assert_eq!(pick_type(&mix, 0.5), SupplierType::Poor);
        assert_eq!(pick_type(&mix, 0.8), SupplierType::Fraudulent);
        // A draw past a sum that rounded below 1 still lands on a present type.
        let short = TypeMix {
            reliable: 0.3,
            average: 0.7 - 1e-12,
            poor: 0.0,
            fraudulent: 0.0,
        };
        assert_eq!(
            pick_type(&short, 0.999_999_999_999_9),
            SupplierType::Average
        );
    }

    #[test]
    fn method_draws_follow_the_cumulative_mix() {
        let mix = [(PaymentMethod::TT, 0.6), (PaymentMethod::Card, 0.4)];
        assert_eq!(pick_method(&mix, 0.59), PaymentMethod::TT);
        assert_eq!(pick_method(&mix, 0.6), PaymentMethod::Card);
    }

    #[test]
    fn stop_checks_come_every_so_often_and_change_nothing_drawn() {
        // quick.ron: 2,200 suppliers with about 12 prior orders each, and
        // 20,000 buyers: some 48,000 units of work, so with the prior orders
        // raised a hundredfold there are several checks, all after the first.
        let text = include_str!("../../../../scenarios/quick.ron")
            .replace("orders_per_month: 1.0", "orders_per_month: 100.0");
        let scenario = crate::scenario::parse_scenario(&text, "quick.ron").unwrap();
        let streams = Streams::new(scenario.seed);
        let plain = Population::generate(&scenario, &streams);
        let mut checks = 0u64;
        let checked = Population::generate_unless_stopped(&scenario, &streams, &mut || {
            checks += 1;
            true
        })
        .unwrap();
        assert_eq!(plain.suppliers, checked.suppliers);
        assert_eq!(plain.buyers, checked.buyers);
        let prior_orders: u64 = plain
            .suppliers
            .iter()
            .map(|supplier| {
                supplier
                    .window
                    .trailing(MonthIndex(WINDOW_MONTHS), WINDOW_MONTHS)
                    .orders_completed
            })
            .map(u64::from)
            .sum();
        let units = plain.suppliers.len() as u64 + prior_orders + plain.buyers.len() as u64;
        // One check before anything is drawn, then at most one per period.
        assert!(checks >= 2, "{checks} checks");
        assert!(
            checks <= 1 + units / GENERATION_CHECK_EVERY_UNITS,
            "{checks} checks"
        );
        // A check that says stop ends the drawing, first thing or later.
        assert!(Population::generate_unless_stopped(&scenario, &streams, &mut || false).is_none());
        let mut answers = 0;
        let stopped = Population::generate_unless_stopped(&scenario, &streams, &mut || {
            answers += 1;
            answers < 2
        });
        assert!(stopped.is_none());
        assert_eq!(answers, 2);
    }

    #[test]
    fn poisson_draws_have_the_right_mean_on_both_branches() {
        let mut draws = stream(11, "poisson");
        for mean in [0.5, 2.0, 12.0, 45.0, 400.0] {
            let total: u64 = (0..20_000)
                .map(|_| u64::from(poisson(&mut draws, mean)))
                .sum();
            let observed = total as f64 / 20_000.0;
            assert!(
                (observed - mean).abs() < mean * 0.03 + 0.02,
                "mean {mean}: observed {observed}"
            );
        }
        assert_eq!(poisson(&mut draws, 0.0), 0);
    }
}

#[cfg(test)]
mod layout_tests {
    use super::Supplier;
    use std::mem::offset_of;

    #[test]
    fn every_field_but_the_history_is_in_the_first_cache_line() {
        assert_eq!(offset_of!(Supplier, window), 56);
        for (field, offset) in [
            ("coverage_open", offset_of!(Supplier, coverage_open)),
            ("price_index", offset_of!(Supplier, price_index)),
            (
                "orders_completed_in_run",
                offset_of!(Supplier, orders_completed_in_run),
            ),
            ("latent_type", offset_of!(Supplier, latent_type)),
            ("status", offset_of!(Supplier, status)),
            ("vanished", offset_of!(Supplier, vanished)),
            ("volunteered", offset_of!(Supplier, volunteered)),
        ] {
            assert!(offset < 64, "{field} at byte {offset}");
        }
    }
}
