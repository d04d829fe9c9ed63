//! What values a field accepts, and the message when it does not.
//!
//! Each rule declares its [`Bound`] once, beside its type and default
//! (`rules.rs`); validation, the README's rules table and the sweep
//! planner all read it from there. The message functions are shared with
//! the rest of validation, so a value out of range reads the same wherever
//! it is written.

use super::amount::Amount;
use super::codes::{Country, PaymentMethod};
use super::limits::{DURATION_DAYS_MAX, MONEY_RULE_MAX};
use rust_decimal::Decimal;

/// The values a rule accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Whole days, from `min` to [`DURATION_DAYS_MAX`].
    Days { min: u32 },
    /// A whole number from `min` to `max` (basis points, months, orders).
    Whole { min: u32, max: u32 },
    /// A probability in [0, 1].
    Probability,
    /// Money from 0 to [`MONEY_RULE_MAX`], in cents.
    Money,
    /// A list of at most `max` entries, each at most once (`of` names them).
    ListOf { max: usize, of: &'static str },
    /// Any value of its type: a flag, or one of the type's named choices.
    Any,
    /// Checked by the value's own type (a value with fields of its own).
    Own,
}

impl Bound {
    /// What the bound accepts, for people (the README's rules table).
    pub fn describe(self) -> String {
        match self {
            Bound::Days { min } => format!("{min} to {} days", DURATION_DAYS_MAX as u32),
            Bound::Whole { min, max } => format!("{min} to {max}"),
            Bound::Probability => "0 to 1".to_string(),
            Bound::Money => format!("money, 0 to {MONEY_RULE_MAX}"),
            Bound::ListOf { max, of } => format!("up to {max} {of}"),
            Bound::Any => "any of its values".to_string(),
            Bound::Own => "see meaning".to_string(),
        }
    }
}

/// A problem of a value: the path below the value's own (empty for the
/// value itself, `.field` for one of its fields) and the message.
pub type ValueProblem = (String, String);

/// A value that can be checked against a [`Bound`].
pub trait Bounded {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem>;
}

fn only(message: Option<String>) -> Vec<ValueProblem> {
    message
        .map(|message| (String::new(), message))
        .into_iter()
        .collect()
}

/// The message of a whole number outside `min..=max`.
pub fn out_of_range(value: u32, min: u32, max: u32) -> Option<String> {
    (value < min || value > max).then(|| format!("{value} is out of range {min}..={max}"))
}

/// The message of a number that is not a probability.
pub fn not_a_probability(value: f64) -> Option<String> {
    (!(0.0..=1.0).contains(&value)).then(|| format!("{value} is not a probability in [0, 1]"))
}

/// The message of money out of bounds or finer than a cent.
pub fn bad_money(value: Decimal, allow_zero: bool) -> Option<String> {
    let max = Decimal::from(MONEY_RULE_MAX);
    if value.is_sign_negative() || (!allow_zero && value.is_zero()) || value > max {
        let lower = if allow_zero {
            "at least 0"
        } else {
            "greater than 0"
        };
        Some(format!("{value} must be {lower} and at most {max}"))
    } else if value.normalize().scale() > 2 {
        Some(format!(
            "{value} has more than two decimal places (money is kept in cents)"
        ))
    } else {
        None
    }
}

impl Bounded for u32 {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem> {
        only(match bound {
            Bound::Days { min } => out_of_range(*self, min, DURATION_DAYS_MAX as u32),
            Bound::Whole { min, max } => out_of_range(*self, min, max),
            _ => None,
        })
    }
}

impl Bounded for f64 {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem> {
        only(match bound {
            Bound::Probability => not_a_probability(*self),
            _ => None,
        })
    }
}

/// Declares types every value of which a rule accepts (flags, and
/// choices among named variants): their bound is [`Bound::Any`].
macro_rules! any_value_is_valid {
    ($($kind:ty),*) => {
        $(impl $crate::scenario::bounds::Bounded for $kind {
            fn problems(
                &self,
                _bound: $crate::scenario::bounds::Bound,
            ) -> Vec<$crate::scenario::bounds::ValueProblem> {
                Vec::new()
            }
        })*
    };
}
pub(crate) use any_value_is_valid;

any_value_is_valid!(bool);

impl Bounded for Amount {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem> {
        only(match bound {
            Bound::Money => bad_money(self.0, true),
            _ => None,
        })
    }
}

fn list_problems<T>(list: &[T], bound: Bound) -> Vec<ValueProblem> {
    only(match bound {
        Bound::ListOf { max, of } if list.len() > max => {
            Some(format!("{} entries; there are {max} {of}", list.len()))
        }
        _ => None,
    })
}

impl Bounded for Vec<Country> {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem> {
        list_problems(self, bound)
    }
}

impl Bounded for Vec<PaymentMethod> {
    fn problems(&self, bound: Bound) -> Vec<ValueProblem> {
        list_problems(self, bound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bound_accepts_its_edges_and_names_what_lies_beyond() {
        assert!(1u32.problems(Bound::Days { min: 1 }).is_empty());
        assert_eq!(
            0u32.problems(Bound::Days { min: 1 }),
            [(String::new(), "0 is out of range 1..=3650".to_string())]
        );
        assert!(
            10_000u32
                .problems(Bound::Whole {
                    min: 0,
                    max: 10_000
                })
                .is_empty()
        );
        assert!(
            !10_001u32
                .problems(Bound::Whole {
                    min: 0,
                    max: 10_000
                })
                .is_empty()
        );
        assert!(1.0f64.problems(Bound::Probability).is_empty());
        assert!(!f64::NAN.problems(Bound::Probability).is_empty());
        assert!(Amount::from_cents(0).problems(Bound::Money).is_empty());
        assert!(!Amount::from_cents(-1).problems(Bound::Money).is_empty());
        let two = vec![PaymentMethod::TT, PaymentMethod::Card];
        assert!(
            two.problems(Bound::ListOf {
                max: 2,
                of: "methods"
            })
            .is_empty()
        );
        assert_eq!(
            two.problems(Bound::ListOf {
                max: 1,
                of: "methods"
            })[0]
                .1,
            "2 entries; there are 1 methods"
        );
    }
}
