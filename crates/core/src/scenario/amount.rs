//! Money amounts written in a scenario.
//!
//! An amount is written as a decimal string (`"50000.00"`), never as a RON
//! number: a number would pass through a binary float and `0.1` would not be
//! exactly a tenth. Deserialising checks that the text is a plain decimal
//! with at most two decimal places; range checks are validation's. A run
//! turns each amount into whole cents (`program::money::Cents`) once, when
//! it compiles the rules; `Decimal` stays here, as parsed.

use rust_decimal::Decimal;
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

/// An exact amount of money in the scenario currency, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl Amount {
    /// An amount from whole cents.
    pub const fn from_cents(cents: i64) -> Amount {
        Amount(Decimal::from_parts(
            (cents.unsigned_abs() & 0xFFFF_FFFF) as u32,
            (cents.unsigned_abs() >> 32) as u32,
            0,
            cents < 0,
            2,
        ))
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl serde::de::Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("money as a decimal string, e.g. \"50000.00\"")
            }
            fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "{number} is a number: money is written as a decimal string, e.g. \"50000.00\""
                )))
            }
            fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<Amount, E> {
                self.visit_f64(number as f64)
            }
            fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Amount, E> {
                self.visit_f64(number as f64)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Amount, E> {
                let plain = !text.is_empty()
                    && text.len() <= 40
                    && text
                        .bytes()
                        .all(|byte| byte.is_ascii_digit() || byte == b'.' || byte == b'-');
                let decimal = if plain {
                    Decimal::from_str(text).ok()
                } else {
                    None
                };
                match decimal {
                    Some(decimal) if decimal.scale() <= 2 => Ok(Amount(decimal)),
                    Some(_) => Err(E::custom(format!(
                        "{text:?} has more than two decimal places (money is kept in cents)"
                    ))),
                    None => Err(E::custom(format!(
                        "{text:?} is not an amount: write money as a decimal string, e.g. \"50000.00\""
                    ))),
                }
            }
        }
        // Any value, so that a number gets this type's own message rather
        // than a bare "expected string" from the format.
        deserializer.deserialize_any(AmountVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_build_exact_amounts() {
        assert_eq!(Amount::from_cents(5_000_000).0, Decimal::new(5_000_000, 2));
        assert_eq!(Amount::from_cents(-1).0, Decimal::new(-1, 2));
        assert_eq!(Amount::from_cents(i64::MAX).0, Decimal::new(i64::MAX, 2));
    }

    #[test]
    fn only_plain_decimal_strings_with_cents_are_amounts() {
        let parse = |text: &str| ron::from_str::<Amount>(text);
        assert_eq!(parse("\"50000.00\"").unwrap().0, Decimal::new(5_000_000, 2));
        assert_eq!(parse("\"7\"").unwrap().0, Decimal::from(7));
        for bad in [
            "\"1.001\"",
            "\"1e5\"",
            "\" 5\"",
            "\"\"",
            "\"abc\"",
            "50000.0",
            "\"--1\"",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }
}
