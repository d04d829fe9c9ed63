//! Money arithmetic with one rounding strategy.
//!
//! Every amount is a `Decimal` in the scenario currency, kept to cents. A
//! share of an amount (a deposit, a fee, a partial refund) is rounded to
//! cents half-to-even ("banker's rounding"), which does not drift in one
//! direction over millions of orders. That is the only rounding in the model.

use crate::scenario::limits::ORDER_VALUE_MAX;
use rust_decimal::{Decimal, RoundingStrategy};

/// Basis points in a whole.
pub const BASIS_POINTS_WHOLE: u32 = 10_000;

/// `amount * basis_points / 10_000`, rounded to cents half-to-even.
///
/// Amounts in the model are whole cents, so the share is computed on the
/// integer number of cents: `cents * basis_points` divided by 10,000 with the
/// remainder deciding the rounding. That is exactly the `Decimal` result
/// (the product is exact, and so is the quotient before rounding) at a small
/// fraction of the cost of a `Decimal` division; amounts that are not whole
/// cents, or too large for the integer path, take the `Decimal` path.
#[inline]
pub fn share_of(amount: Decimal, basis_points: u32) -> Decimal {
    if basis_points >= BASIS_POINTS_WHOLE {
        return amount;
    }
    share_of_cents(amount, basis_points).unwrap_or_else(|| {
        (amount * Decimal::from(basis_points) / Decimal::from(BASIS_POINTS_WHOLE))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
    })
}

/// [`share_of`] in integer cents, for a non-negative amount with at most two
/// decimal places and below 10^14 cents; `None` otherwise.
#[inline]
fn share_of_cents(amount: Decimal, basis_points: u32) -> Option<Decimal> {
    const CENTS_MAX: i128 = 100_000_000_000_000;
    let cents = match amount.scale() {
        0 => amount.mantissa() * 100,
        1 => amount.mantissa() * 10,
        2 => amount.mantissa(),
        _ => return None,
    };
    if !(0..CENTS_MAX).contains(&cents) {
        return None;
    }
    // Below 10^14 * 10^4: fits an i64 with room to spare.
    let product = cents as i64 * i64::from(basis_points);
    let whole = i64::from(BASIS_POINTS_WHOLE);
    let (quotient, remainder) = (product / whole, product % whole);
    let half = whole / 2;
    let rounded = if remainder > half || (remainder == half && quotient % 2 == 1) {
        quotient + 1
    } else {
        quotient
    };
    Some(Decimal::new(rounded, 2))
}

/// A drawn amount in currency units as cents, half-to-even, at least one
/// cent and at most [`ORDER_VALUE_MAX`]. Validation bounds every bounded
/// distribution by that maximum, but a log-normal's tail has no bound (with
/// sigma 4 a draw can exceed its median 10^14 times), so the draw is capped
/// here, explicitly, rather than saturating at whatever an `f64` to `i64`
/// cast gives. A draw that is not a number (never produced from validated
/// parameters) becomes the one-cent minimum. Every result is exact: at most
/// 10^11 cents, far inside both `f64`'s exact integers and `Decimal`.
pub fn from_drawn_units(units: f64) -> Decimal {
    let cents_max = ORDER_VALUE_MAX * 100.0;
    let cents = (units * 100.0).round_ties_even().clamp(1.0, cents_max);
    let cents = if cents.is_nan() { 1.0 } else { cents };
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
    fn the_integer_path_equals_the_decimal_definition() {
        // Exhaustive over the remainders that decide the rounding, and a spread
        // of magnitudes and scales.
        let by_decimal = |amount: Decimal, basis_points: u32| {
            (amount * Decimal::from(basis_points) / Decimal::from(BASIS_POINTS_WHOLE))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
        };
        for cents in (0..20_000i64).chain([99_999_999_999, 123_456_789_012_345, 1 << 50]) {
            for basis_points in [0, 1, 2, 3, 7, 250, 2_500, 3_000, 3_333, 5_000, 9_999] {
                for scale in 0..=3u32 {
                    let amount = Decimal::new(cents, scale);
                    let expected = by_decimal(amount, basis_points);
                    let actual = share_of(amount, basis_points);
                    assert_eq!(actual, expected, "{amount} at {basis_points} bps");
                }
            }
        }
    }

    #[test]
    fn drawn_amounts_become_whole_cents_of_at_least_one_cent() {
        assert_eq!(from_drawn_units(1234.567), Decimal::new(123457, 2));
        assert_eq!(from_drawn_units(0.0), Decimal::new(1, 2));
        assert_eq!(from_drawn_units(1e9), Decimal::new(100_000_000_000, 2));
    }

    #[test]
    fn a_draw_beyond_the_order_value_bound_is_capped_at_it_not_saturated() {
        // A log-normal tail (median 10^9, sigma 4) reaches 10^23 units, which
        // a plain cast would have saturated at i64::MAX cents (9.2 * 10^16 units).
        let bound = Decimal::new(100_000_000_000, 2);
        for units in [1e9 + 0.01, 1e17, 7.9e23, f64::MAX, f64::INFINITY] {
            assert_eq!(from_drawn_units(units), bound, "{units}");
        }
        for units in [-1.0, f64::NEG_INFINITY, f64::NAN, 1e-9] {
            assert_eq!(from_drawn_units(units), Decimal::new(1, 2), "{units}");
        }
    }

    #[test]
    fn shares_are_exact_for_every_amount_up_to_the_bound() {
        // The largest order and the largest basis points: no overflow, exact cents.
        let largest = Decimal::new(100_000_000_000, 2);
        assert_eq!(share_of(largest, 9_999), Decimal::new(99_990_000_000, 2));
        assert_eq!(share_of(largest, 1), Decimal::new(10_000_000, 2));
        assert_eq!(share_of(Decimal::new(1, 2), 1), Decimal::ZERO);
        // Odd cents split half-to-even: 0.01 * 50% = 0.005 -> 0.00, 0.03 * 50% = 0.015 -> 0.02.
        assert_eq!(share_of(Decimal::new(1, 2), 5_000), Decimal::ZERO);
        assert_eq!(share_of(Decimal::new(3, 2), 5_000), Decimal::new(2, 2));
        // A deposit and the balance it leaves always add back up to the value.
        for cents in [1, 2, 3, 99, 12_345, 100_000_000_000] {
            let value = Decimal::new(cents, 2);
            for basis_points in [0, 1, 3_000, 3_333, 5_000, 9_999, 10_000, u32::MAX] {
                let deposit = share_of(value, basis_points);
                assert!(deposit >= Decimal::ZERO && deposit <= value);
                assert!(deposit.scale() <= 2);
                assert_eq!(deposit + (value - deposit), value);
            }
        }
    }
}
