//! How figures read for people, in every text report: money with its
//! currency and thousands separators, rates as percentages, counts grouped
//! by thousands, and an undefined rate as `n/a`. One place, so the run
//! report and the replication and comparison tables read alike.

use rust_decimal::Decimal;

/// What an undefined figure prints as: a rate whose denominator is empty
/// (a share of nothing), which is `null` in JSON and never 0.
pub const UNDEFINED: &str = "n/a";

/// The currency of the figures being printed.
pub(crate) struct Units<'a> {
    pub currency: &'a str,
}

impl Units<'_> {
    /// `1,234.50 USD`.
    pub fn money(&self, amount: Decimal) -> String {
        format!("{} {}", grouped(amount), self.currency)
    }

    /// A rate (a share in [0, 1]) as a percentage with two decimals,
    /// `n/a` when it is undefined.
    pub fn percent(&self, rate: Option<f64>) -> String {
        match rate {
            Some(rate) => format!("{:.2}%", rate * 100.0),
            None => UNDEFINED.to_string(),
        }
    }
}

/// `part / whole` as a percentage with two decimals, `n/a` for an empty whole.
pub(crate) fn percent_of(part: Decimal, whole: Decimal) -> String {
    if whole.is_zero() {
        return UNDEFINED.to_string();
    }
    format!("{:.2}%", (part / whole * Decimal::ONE_HUNDRED).round_dp(2))
}

/// `value` with a comma between each group of three digits of its whole
/// part, its decimals as given: `-1234567.5` reads `-1,234,567.5`.
pub fn grouped(value: Decimal) -> String {
    let text = value.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, decimals) = match digits.split_once('.') {
        Some((whole, decimals)) => (whole, Some(decimals)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(text.len() + whole.len() / 3);
    out.push_str(sign);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(decimals) = decimals {
        out.push('.');
        out.push_str(decimals);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_and_decimals_kept() {
        assert_eq!(grouped(Decimal::new(123450, 2)), "1,234.50");
        assert_eq!(grouped(Decimal::new(-12345675, 1)), "-1,234,567.5");
        assert_eq!(grouped(Decimal::new(999, 0)), "999");
        assert_eq!(grouped(Decimal::new(100000, 0)), "100,000");
        assert_eq!(grouped(Decimal::new(5, 2)), "0.05");
    }

    #[test]
    fn money_names_its_currency_and_undefined_rates_are_not_zero() {
        let units = Units { currency: "EUR" };
        assert_eq!(units.money(Decimal::new(123456789, 2)), "1,234,567.89 EUR");
        assert_eq!(units.percent(Some(0.0505)), "5.05%");
        assert_eq!(units.percent(None), "n/a");
    }
}
