//! The seeded population: suppliers and buyers in flat vectors indexed by
//! typed ids.
//!
//! The population is drawn from the world half of the scenario only
//! (segments and type mixes), from its own named streams, in a fixed order.
//! No program rule is read here, so two scenarios that differ only in their
//! rules face exactly the same buyers and suppliers.

use crate::engine::Streams;
use crate::engine::random::{chance, uniform01};
use crate::scenario::{Country, PaymentMethod, Scenario, SupplierType};
use rust_decimal::Decimal;

/// Index of a supplier in [`Population::suppliers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SupplierId(pub u32);

/// Index of a buyer in [`Population::buyers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuyerId(pub u32);

/// A supplier: its drawn traits, its program status, and the history the
/// platform and buyers can observe. The latent type is here for behaviour and
/// for reporting the screening matrix; vetting must never read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Supplier {
    pub segment_index: u16,
    pub country: Country,
    pub latent_type: SupplierType,
    pub volunteered: bool,
    pub approved: bool,
    /// A bust-out fraudster that has taken its deposits and gone.
    pub vanished: bool,
    /// Coverage still available to new covered orders.
    pub coverage_remaining: Decimal,
    pub history: SupplierHistory,
}

/// What the platform observes about a supplier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SupplierHistory {
    pub inquiries_received: u32,
    pub inquiries_answered: u32,
    pub response_seconds_total: u64,
    pub orders_completed: u32,
    pub orders_late: u32,
    pub orders_disputed: u32,
    pub orders_refunded: u32,
    pub completed_value: Decimal,
}

impl SupplierHistory {
    /// Answered / asked, or 0 before the first inquiry.
    pub fn response_rate(&self) -> f64 {
        if self.inquiries_received == 0 {
            0.0
        } else {
            f64::from(self.inquiries_answered) / f64::from(self.inquiries_received)
        }
    }

    /// Mean hours to answer, or 0 before the first answer.
    pub fn mean_response_hours(&self) -> f64 {
        if self.inquiries_answered == 0 {
            0.0
        } else {
            self.response_seconds_total as f64 / 3600.0 / f64::from(self.inquiries_answered)
        }
    }
}

/// A buyer. Country, ordering and claiming habits come from its segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buyer {
    pub segment_index: u16,
    pub payment_method: PaymentMethod,
}

/// All suppliers and buyers of a run.
#[derive(Clone, Debug)]
pub struct Population {
    pub suppliers: Vec<Supplier>,
    pub buyers: Vec<Buyer>,
    /// For each buyer segment, the first buyer id; segment `i` holds
    /// `buyer_segment_start[i]..buyer_segment_start[i] + count`.
    pub buyer_segment_start: Vec<u32>,
}

impl Population {
    /// Draws the population of a validated scenario.
    pub fn generate(scenario: &Scenario, streams: &Streams) -> Population {
        let supplier_total: usize = scenario
            .suppliers
            .iter()
            .map(|segment| segment.count as usize)
            .sum();
        let mut suppliers = Vec::with_capacity(supplier_total);
        let mut supplier_draws = streams.named("population.suppliers");
        for (segment_index, segment) in scenario.suppliers.iter().enumerate() {
            for _ in 0..segment.count {
                let type_draw = uniform01(&mut supplier_draws);
                let volunteered = chance(&mut supplier_draws, segment.volunteer_probability);
                suppliers.push(Supplier {
                    segment_index: segment_index as u16,
                    country: segment.country,
                    latent_type: pick_type(&segment.type_mix, type_draw),
                    volunteered,
                    approved: false,
                    vanished: false,
                    coverage_remaining: Decimal::ZERO,
                    history: SupplierHistory::default(),
                });
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
        for (segment_index, segment) in scenario.buyers.iter().enumerate() {
            buyer_segment_start.push(buyers.len() as u32);
            for _ in 0..segment.count {
                let draw = uniform01(&mut buyer_draws);
                buyers.push(Buyer {
                    segment_index: segment_index as u16,
                    payment_method: pick_method(&segment.payment_mix, draw),
                });
            }
        }
        Population {
            suppliers,
            buyers,
            buyer_segment_start,
        }
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
}
