//! Money arithmetic with one rounding strategy.
//!
//! Every amount is a `Decimal` in the scenario currency, kept to cents. A
//! share of an amount (a deposit, a fee, a partial refund) is rounded to
//! cents half-to-even ("banker's rounding"), which does not drift in one
//! direction over millions of orders. That is the only rounding in the model.

use rust_decimal::{Decimal, RoundingStrategy};

/// Basis points in a whole.
pub const BASIS_POINTS_WHOLE: u32 = 10_000;

/// `amount * basis_points / 10_000`, rounded to cents half-to-even.
pub fn share_of(amount: Decimal, basis_points: u32) -> Decimal {
    if basis_points >= BASIS_POINTS_WHOLE {
        return amount;
    }
    (amount * Decimal::from(basis_points) / Decimal::from(BASIS_POINTS_WHOLE))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// A drawn amount in currency units as cents, half-to-even, at least one
/// cent. The draw is bounded by validation, so the conversion is exact.
pub fn from_drawn_units(units: f64) -> Decimal {
    let cents = (units * 100.0).round_ties_even().max(1.0);
    Decimal::new(cents as i64, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_to_even_at_cents() {
        assert_eq!(share_of(Decimal::new(1000, 2), 3000), Decimal::new(300, 2));
        // 0.05 * 50% = 0.025 -> 0.02 (even), 0.15 * 50% = 0.075 -> 0.08 (even).
        assert_eq!(share_of(Decimal::new(5, 2), 5000), Decimal::new(2, 2));
        assert_eq!(share_of(Decimal::new(15, 2), 5000), Decimal::new(8, 2));
        assert_eq!(
            share_of(Decimal::new(12345, 2), 10_000),
            Decimal::new(12345, 2)
        );
        assert_eq!(share_of(Decimal::new(12345, 2), 0), Decimal::ZERO);
    }

    #[test]
    fn drawn_amounts_become_whole_cents_of_at_least_one_cent() {
        assert_eq!(from_drawn_units(1234.567), Decimal::new(123457, 2));
        assert_eq!(from_drawn_units(0.0), Decimal::new(1, 2));
        assert_eq!(from_drawn_units(1e9), Decimal::new(100_000_000_000, 2));
    }
}
