//! Money as whole cents, with one rounding strategy.
//!
//! Every amount in a run is an integer number of cents in the scenario
//! currency: [`Cents`], a plain `i64`. The scenario writes money as decimal
//! strings with at most two decimal places (`scenario::Amount`), and the
//! report writes it back as two-decimal strings; `Decimal` lives at those
//! two edges only, and the conversions between the two ([`Cents::to_decimal`],
//! [`Cents::try_from_decimal`]) are exact both ways. Inside, a sum of cents
//! is one machine instruction where a `Decimal` sum is dozens, an order
//! slot holds five amounts in 40 bytes instead of 80, and "at most two
//! decimal places" holds by construction rather than by check.
//!
//! A share of an amount (a deposit, a fee, a partial refund, a coverage
//! limit) is rounded to cents half-to-even ("banker's rounding"), which does
//! not drift in one direction over millions of orders: [`Cents::share`].
//! That is the only rounding in the model.
//!
//! # Two widths, both whole cents
//!
//! A single amount is bounded: an order's value by `ORDER_VALUE_MAX`
//! (10^11 cents), a rule's amount by `MONEY_RULE_MAX`, and everything an
//! order carries (deposit, coverage, refunds, fees) is a part of its value.
//! `i64` holds 9.2 * 10^18 cents, so a single amount never comes near its
//! limit, and [`Cents`] checks every sum and difference for overflow in every
//! build, panicking with the operation's name: an overflow would be a bug,
//! not a big number.
//!
//! A total over a whole run is not bounded that way: up to 5 * 10^9
//! inquiries of up to 10^11 cents each is 5 * 10^20 cents, past `i64`. Such
//! sums (the gross merchandise value, refunds, fraud figures, the ledger's
//! cumulative flows and the exposure) are [`CentsTotal`], the same whole
//! cents in an `i128`, to which single amounts are added. Both widths
//! convert to a `Decimal` with two decimal places exactly: 10^22 cents is
//! far inside `Decimal`'s 96-bit mantissa.

use crate::scenario::limits::ORDER_VALUE_MAX;
use rust_decimal::Decimal;
use std::ops::{Add, AddAssign, Sub, SubAssign};

/// Basis points in a whole.
pub const BASIS_POINTS_WHOLE: u32 = 10_000;

/// One amount of money, in whole cents of the scenario currency.
///
/// Arithmetic is checked in every build (see the module documentation,
/// "Two widths"): `+` and `-` panic on overflow with the operation named.
#[repr(transparent)]
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
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    /// The amount of `cents` whole cents.
    #[inline]
    pub const fn from_cents(cents: i64) -> Cents {
        Cents(cents)
    }

    /// The number of whole cents.
    #[inline]
    pub const fn cents(self) -> i64 {
        self.0
    }

    #[inline]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The amount as a `Decimal` with two decimal places; exact.
    #[inline]
    pub fn to_decimal(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// The cents of `amount`, or `None` when it has more than two decimal
    /// places that are not zeros (such as `1.005`) or does not fit an `i64`
    /// of cents. Exact: `Cents::try_from_decimal(cents.to_decimal())` gives
    /// `cents` back, and `1.000` is 100 cents like `1.00`.
    pub fn try_from_decimal(amount: Decimal) -> Option<Cents> {
        let amount = if amount.scale() > 2 {
            amount.normalize()
        } else {
            amount
        };
        let scale = amount.scale();
        if scale > 2 {
            return None;
        }
        let cents = amount.mantissa().checked_mul(10_i128.pow(2 - scale))?;
        i64::try_from(cents).ok().map(Cents)
    }

    /// `self * basis_points / 10_000`, rounded to cents half-to-even: the
    /// one rounding rule of the model. At 10,000 basis points or more the
    /// share is the whole amount.
    ///
    /// The product is exact and so is the quotient before rounding; the
    /// remainder of the division decides the rounding, half of the divisor
    /// going to the even neighbour (0.05 at 50% is 0.02, 0.15 at 50% is
    /// 0.08). Amounts below 10^14 cents (every amount an order carries)
    /// take an `i64` product; larger ones, such as a supplier's twelve
    /// months of value, an `i128` product with the same result.
    #[inline]
    pub fn share(self, basis_points: u32) -> Cents {
        if basis_points >= BASIS_POINTS_WHOLE {
            return self;
        }
        const FAST_MAX: i64 = 100_000_000_000_000;
        if (0..FAST_MAX).contains(&self.0) {
            // Below 10^14 * 10^4: fits an i64 with room to spare.
            let product = self.0 * i64::from(basis_points);
            let whole = i64::from(BASIS_POINTS_WHOLE);
            return Cents(round_half_to_even(product / whole, product % whole, whole));
        }
        let product = i128::from(self.0) * i128::from(basis_points);
        let whole = i128::from(BASIS_POINTS_WHOLE);
        let (quotient, remainder) = (product / whole, product % whole);
        // Symmetric about zero, as half-to-even is: round the magnitude.
        let magnitude = round_half_to_even(quotient.abs(), remainder.abs(), whole);
        let rounded = if product < 0 { -magnitude } else { magnitude };
        Cents(i64::try_from(rounded).expect("a share is no larger than its amount"))
    }

    /// A drawn amount in currency units as cents, half-to-even, at least one
    /// cent and at most [`ORDER_VALUE_MAX`]. Validation bounds every bounded
    /// distribution by that maximum, but a log-normal's tail has no bound
    /// (with sigma 4 a draw can exceed its median 10^14 times), so the draw
    /// is capped here, explicitly, rather than saturating at whatever an
    /// `f64` to `i64` cast gives. A draw that is not a number (never
    /// produced from validated parameters) becomes the one-cent minimum.
    /// Every result is exact: at most 10^11 cents, far inside `f64`'s exact
    /// integers.
    pub fn from_drawn_units(units: f64) -> Cents {
        let cents_max = ORDER_VALUE_MAX * 100.0;
        let cents = (units * 100.0).round_ties_even().clamp(1.0, cents_max);
        let cents = if cents.is_nan() { 1.0 } else { cents };
        Cents(cents as i64)
    }

    /// `self + other`, or `None` past `i64`.
    #[inline]
    pub const fn checked_add(self, other: Cents) -> Option<Cents> {
        match self.0.checked_add(other.0) {
            Some(sum) => Some(Cents(sum)),
            None => None,
        }
    }

    /// `self - other`, or `None` past `i64`.
    #[inline]
    pub const fn checked_sub(self, other: Cents) -> Option<Cents> {
        match self.0.checked_sub(other.0) {
            Some(difference) => Some(Cents(difference)),
            None => None,
        }
    }
}

/// `quotient`, or the next integer up when `remainder` (of a division by
/// `divisor`, both non-negative) is above half the divisor, or exactly half
/// and `quotient` is odd.
#[inline(always)]
fn round_half_to_even<T>(quotient: T, remainder: T, divisor: T) -> T
where
    T: Copy + PartialOrd + Add<Output = T> + Sub<Output = T> + std::ops::Rem<Output = T> + From<u8>,
{
    let (one, two) = (T::from(1), T::from(2));
    let twice = remainder + remainder;
    if twice > divisor || (twice == divisor && quotient % two == one) {
        quotient + one
    } else {
        quotient
    }
}

impl Add for Cents {
    type Output = Cents;

    #[inline]
    #[track_caller]
    fn add(self, other: Cents) -> Cents {
        self.checked_add(other)
            .unwrap_or_else(|| overflow("adding", self, other))
    }
}

impl Sub for Cents {
    type Output = Cents;

    #[inline]
    #[track_caller]
    fn sub(self, other: Cents) -> Cents {
        self.checked_sub(other)
            .unwrap_or_else(|| overflow("subtracting", self, other))
    }
}

impl AddAssign for Cents {
    #[inline]
    #[track_caller]
    fn add_assign(&mut self, other: Cents) {
        *self = *self + other;
    }
}

impl SubAssign for Cents {
    #[inline]
    #[track_caller]
    fn sub_assign(&mut self, other: Cents) {
        *self = *self - other;
    }
}

/// The panic of an overflowing operation on amounts; kept out of line so
/// that the checked operations stay a compare and a branch.
#[cold]
#[inline(never)]
#[track_caller]
fn overflow<T: std::fmt::Display>(operation: &str, left: T, right: T) -> ! {
    panic!(
        "money overflow {operation} {left} and {right}: every amount is bounded, so this is a bug"
    )
}

impl std::fmt::Display for Cents {
    /// As a decimal with two places, like the report writes money.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.to_decimal())
    }
}

/// A total of amounts over a whole run, in whole cents: [`Cents`] of the
/// width such a total needs (see the module documentation, "Two widths").
/// Checked like [`Cents`].
#[repr(transparent)]
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
pub struct CentsTotal(i128);

impl CentsTotal {
    pub const ZERO: CentsTotal = CentsTotal(0);

    /// The total of `cents` whole cents.
    #[inline]
    pub const fn from_cents(cents: i128) -> CentsTotal {
        CentsTotal(cents)
    }

    /// The number of whole cents.
    #[inline]
    pub const fn cents(self) -> i128 {
        self.0
    }

    #[inline]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The total as a `Decimal` with two decimal places; exact for every
    /// total a run can reach (below 10^22 cents, inside `Decimal`'s 96 bits).
    #[inline]
    #[track_caller]
    pub fn to_decimal(self) -> Decimal {
        Decimal::try_from_i128_with_scale(self.0, 2)
            .unwrap_or_else(|_| panic!("a total of {} cents is beyond Decimal", self.0))
    }
}

impl From<Cents> for CentsTotal {
    #[inline]
    fn from(amount: Cents) -> CentsTotal {
        CentsTotal(i128::from(amount.0))
    }
}

impl Add for CentsTotal {
    type Output = CentsTotal;

    #[inline]
    #[track_caller]
    fn add(self, other: CentsTotal) -> CentsTotal {
        self.0
            .checked_add(other.0)
            .map(CentsTotal)
            .unwrap_or_else(|| overflow("adding", self, other))
    }
}

impl Sub for CentsTotal {
    type Output = CentsTotal;

    #[inline]
    #[track_caller]
    fn sub(self, other: CentsTotal) -> CentsTotal {
        self.0
            .checked_sub(other.0)
            .map(CentsTotal)
            .unwrap_or_else(|| overflow("subtracting", self, other))
    }
}

impl AddAssign for CentsTotal {
    #[inline]
    #[track_caller]
    fn add_assign(&mut self, other: CentsTotal) {
        *self = *self + other;
    }
}

impl SubAssign for CentsTotal {
    #[inline]
    #[track_caller]
    fn sub_assign(&mut self, other: CentsTotal) {
        *self = *self - other;
    }
}

impl AddAssign<Cents> for CentsTotal {
    #[inline]
    #[track_caller]
    fn add_assign(&mut self, amount: Cents) {
        *self += CentsTotal::from(amount);
    }
}

impl SubAssign<Cents> for CentsTotal {
    #[inline]
    #[track_caller]
    fn sub_assign(&mut self, amount: Cents) {
        *self -= CentsTotal::from(amount);
    }
}

impl std::iter::Sum for CentsTotal {
    fn sum<I: Iterator<Item = CentsTotal>>(totals: I) -> CentsTotal {
        totals.fold(CentsTotal::ZERO, |sum, total| sum + total)
    }
}

impl std::fmt::Display for CentsTotal {
    /// As a decimal with two places, like the report writes money (and as
    /// plain cents beyond `Decimal`, so an overflow can still be described).
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match Decimal::try_from_i128_with_scale(self.0, 2) {
            Ok(decimal) => write!(formatter, "{decimal}"),
            Err(_) => write!(formatter, "{} cents", self.0),
        }
    }
}

/// The mean of `total` over `count`, rounded to cents half-to-even (zero
/// for a count of zero), by the same rule as [`Cents::share`]: the
/// remainder of the integer division decides. This is the `Decimal`
/// quotient rounded to two places: a quotient that is not a midpoint is at
/// least `1 / (2 * count)` of a cent away from one, which `Decimal`'s 28
/// digits keep for every total below 2^63 cents and count up to the
/// population bound, so its rounding cannot move it across.
pub fn mean(total: CentsTotal, count: u64) -> CentsTotal {
    if count == 0 {
        return CentsTotal::ZERO;
    }
    let count = i128::from(count);
    let magnitude = round_half_to_even(total.0.abs() / count, total.0.abs() % count, count);
    CentsTotal(if total.0 < 0 { -magnitude } else { magnitude })
}

/// Amounts in whole currency units, for tests written in units.
#[cfg(test)]
pub(crate) mod amounts {
    use super::{Cents, CentsTotal};

    /// `units` whole currency units.
    pub(crate) fn units(units: i64) -> Cents {
        Cents::from_cents(units * 100)
    }

    /// A total of `units` whole currency units.
    pub(crate) fn total(units: i64) -> CentsTotal {
        CentsTotal::from(self::units(units))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::RoundingStrategy;

    fn cents(cents: i64) -> Cents {
        Cents::from_cents(cents)
    }

    #[test]
    fn shares_round_half_to_even_at_cents() {
        // 10.00 * 30% = 3.00 exactly.
        assert_eq!(cents(1000).share(3000), cents(300));
        // 0.05 * 50% = 0.025 -> 0.02 (even), 0.15 * 50% = 0.075 -> 0.08 (even).
        assert_eq!(cents(5).share(5000), cents(2));
        assert_eq!(cents(15).share(5000), cents(8));
        // 0.01 * 50% = 0.005 -> 0.00, 0.03 * 50% = 0.015 -> 0.02.
        assert_eq!(cents(1).share(5_000), Cents::ZERO);
        assert_eq!(cents(3).share(5_000), cents(2));
        // 1.23 * 2.5% = 0.03075 -> 0.03 (below half); 1.00 * 0.75% = 0.0075 -> 0.01 (above).
        assert_eq!(cents(123).share(250), cents(3));
        assert_eq!(cents(100).share(75), cents(1));
        // The whole, and nothing.
        assert_eq!(cents(12345).share(10_000), cents(12345));
        assert_eq!(cents(12345).share(u32::MAX), cents(12345));
        assert_eq!(cents(12345).share(0), Cents::ZERO);
    }

    #[test]
    fn shares_are_exact_for_every_amount_up_to_the_bound() {
        // The largest order (10^9.00 = 10^11 cents) at the largest share:
        // 99.99% is 99,990,000,000 cents, 0.01% is 10,000,000 cents.
        let largest = cents(100_000_000_000);
        assert_eq!(largest.share(9_999), cents(99_990_000_000));
        assert_eq!(largest.share(1), cents(10_000_000));
        // 0.01 * 0.01% = 0.000001 -> 0.00.
        assert_eq!(cents(1).share(1), Cents::ZERO);
        // Past the i64 product path: 2^62 cents at 50% is 2^61 cents, and
        // (2^62 + 1) at 50% is 2^61 + 0.5 -> 2^61 (even).
        assert_eq!(cents(1 << 62).share(5_000), cents(1 << 61));
        assert_eq!(cents((1 << 62) + 1).share(5_000), cents(1 << 61));
        assert_eq!(cents((1 << 62) + 3).share(5_000), cents((1 << 61) + 2));
        assert_eq!(
            cents(i64::MAX).share(9_999).cents(),
            9_222_449_699_651_090_329
        );
        // Negative amounts round symmetrically: -0.15 * 50% = -0.075 -> -0.08.
        assert_eq!(cents(-15).share(5_000), cents(-8));
        assert_eq!(cents(-5).share(5_000), cents(-2));
    }

    #[test]
    fn a_deposit_and_its_balance_add_up_to_the_value_for_every_share() {
        for value in [1, 2, 3, 99, 12_345, 100_000_000_000].map(cents) {
            for basis_points in (0..=10_000).chain([u32::MAX]) {
                let deposit = value.share(basis_points);
                assert!(deposit >= Cents::ZERO && deposit <= value);
                assert_eq!(deposit + (value - deposit), value);
            }
        }
    }

    #[test]
    fn a_share_equals_the_decimal_definition_of_the_rounding_rule() {
        // Exhaustive over the remainders that decide the rounding, and a
        // spread of magnitudes on both paths.
        let by_decimal = |amount: Decimal, basis_points: u32| {
            (amount * Decimal::from(basis_points) / Decimal::from(BASIS_POINTS_WHOLE))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
        };
        for amount in (0..20_000i64).chain([99_999_999_999, 123_456_789_012_345, 1 << 50, -7_005]) {
            for basis_points in [0, 1, 2, 3, 7, 250, 2_500, 3_000, 3_333, 5_000, 9_999] {
                let expected = by_decimal(Decimal::new(amount, 2), basis_points);
                let actual = cents(amount).share(basis_points).to_decimal();
                assert_eq!(actual, expected, "{amount} cents at {basis_points} bps");
            }
        }
    }

    #[test]
    fn conversions_to_and_from_decimal_are_exact() {
        assert_eq!(cents(123_456).to_decimal(), Decimal::new(123_456, 2));
        assert_eq!(cents(123_456).to_decimal().to_string(), "1234.56");
        assert_eq!(cents(-1).to_decimal().to_string(), "-0.01");
        assert_eq!(Cents::ZERO.to_decimal().to_string(), "0.00");
        // Any scale up to two, and trailing zeros beyond it.
        assert_eq!(
            Cents::try_from_decimal(Decimal::new(7, 0)),
            Some(cents(700))
        );
        assert_eq!(
            Cents::try_from_decimal(Decimal::new(75, 1)),
            Some(cents(750))
        );
        assert_eq!(
            Cents::try_from_decimal(Decimal::new(1234, 2)),
            Some(cents(1234))
        );
        assert_eq!(
            Cents::try_from_decimal(Decimal::new(1000, 3)),
            Some(cents(100))
        );
        assert_eq!(
            Cents::try_from_decimal(Decimal::new(-5, 2)),
            Some(cents(-5))
        );
        // More than two decimal places, or more than an i64 of cents: refused.
        assert_eq!(Cents::try_from_decimal(Decimal::new(1005, 3)), None);
        assert_eq!(Cents::try_from_decimal(Decimal::new(1, 28)), None);
        assert_eq!(Cents::try_from_decimal(Decimal::MAX), None);
        assert_eq!(
            Cents::try_from_decimal(Decimal::from(i64::MAX / 100 + 1)),
            None
        );
        for amount in [0, 1, -1, 99, 100_000_000_000, i64::MAX, i64::MIN] {
            assert_eq!(
                Cents::try_from_decimal(cents(amount).to_decimal()),
                Some(cents(amount))
            );
        }
        // 5 * 10^20 cents, past i64: the most a run of 5 * 10^9 orders of 10^11 cents reaches.
        let total = CentsTotal::from_cents(500_000_000_000_000_000_000);
        assert_eq!(total.to_decimal().to_string(), "5000000000000000000.00");
        assert_eq!(
            CentsTotal::from(cents(-250)).to_decimal().to_string(),
            "-2.50"
        );
    }

    #[test]
    fn drawn_amounts_become_whole_cents_of_at_least_one_cent() {
        assert_eq!(Cents::from_drawn_units(1234.567), cents(123457));
        assert_eq!(Cents::from_drawn_units(0.0), cents(1));
        assert_eq!(Cents::from_drawn_units(1e9), cents(100_000_000_000));
    }

    #[test]
    fn a_draw_beyond_the_order_value_bound_is_capped_at_it_not_saturated() {
        // A log-normal tail (median 10^9, sigma 4) reaches 10^23 units, which
        // a plain cast would have saturated at i64::MAX cents (9.2 * 10^16 units).
        for units in [1e9 + 0.01, 1e17, 7.9e23, f64::MAX, f64::INFINITY] {
            assert_eq!(
                Cents::from_drawn_units(units),
                cents(100_000_000_000),
                "{units}"
            );
        }
        for units in [-1.0, f64::NEG_INFINITY, f64::NAN, 1e-9] {
            assert_eq!(Cents::from_drawn_units(units), cents(1), "{units}");
        }
    }

    #[test]
    fn sums_differences_and_comparisons_are_those_of_the_cents() {
        let mut amount = cents(1_050);
        amount += cents(25);
        amount -= cents(75);
        assert_eq!(amount, cents(1_000));
        assert_eq!(cents(300) - cents(700), cents(-400));
        assert_eq!(cents(300).min(cents(700)), cents(300));
        assert_eq!(cents(300).max(cents(700)), cents(700));
        assert!(Cents::ZERO.is_zero() && !cents(1).is_zero());
        let mut total = CentsTotal::ZERO;
        for _ in 0..100 {
            total += cents(i64::MAX);
        }
        assert_eq!(
            total.cents(),
            100 * i128::from(i64::MAX),
            "a total passes i64"
        );
        total -= cents(i64::MAX);
        assert_eq!(total.cents(), 99 * i128::from(i64::MAX));
        assert_eq!(
            [cents(1), cents(2)]
                .map(CentsTotal::from)
                .into_iter()
                .sum::<CentsTotal>(),
            CentsTotal::from_cents(3)
        );
    }

    #[test]
    fn a_mean_rounds_half_to_even_at_cents() {
        // 10.00 over 4 = 2.50; 0.05 over 2 = 0.025 -> 0.02; 0.15 over 2 -> 0.08; 1.00 over 3 -> 0.33.
        let mean_of = |total: i128, count: u64| mean(CentsTotal::from_cents(total), count).cents();
        assert_eq!(mean_of(1_000, 4), 250);
        assert_eq!(mean_of(5, 2), 2);
        assert_eq!(mean_of(15, 2), 8);
        assert_eq!(mean_of(100, 3), 33);
        assert_eq!(mean_of(200, 3), 67);
        assert_eq!(mean_of(12_345, 0), 0);
    }

    #[test]
    fn a_mean_equals_the_rounded_decimal_quotient() {
        for total in (0..2_000i64).chain([99_999_999_999, 123_456_789_012_345, i64::MAX]) {
            for count in [1u64, 2, 3, 7, 9, 400, 9_999, 10_000_000] {
                let expected = (Decimal::new(total, 2) / Decimal::from(count)).round_dp(2);
                let actual = mean(CentsTotal::from_cents(i128::from(total)), count).to_decimal();
                assert_eq!(actual, expected, "{total} cents over {count}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "money overflow adding 92233720368547758.07 and 0.01")]
    fn an_amount_that_overflows_panics_naming_the_operation() {
        let _ = cents(i64::MAX) + cents(1);
    }

    #[test]
    #[should_panic(expected = "money overflow subtracting -92233720368547758.08 and 0.01")]
    fn a_difference_that_overflows_panics_naming_the_operation() {
        let mut amount = cents(i64::MIN);
        amount -= cents(1);
    }

    #[test]
    #[should_panic(expected = "money overflow adding")]
    fn a_total_that_overflows_panics_naming_the_operation() {
        let mut total = CentsTotal::from_cents(i128::MAX);
        total += cents(1);
    }
}
