//! Calendar dates for scenario start dates and monthly reporting.
//!
//! Only the proleptic Gregorian calendar and whole days are needed, so a date
//! is a day count since 1970-01-01 with the civil-from-days conversion of
//! Howard Hinnant's date algorithms; no time zones, no wall clock.

use serde::Deserialize;
use std::fmt;

/// A calendar day, as days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days_since_epoch: i64,
}

/// Years a scenario may name; far beyond any real use, and small enough
/// that day arithmetic never overflows.
const YEAR_MIN: i64 = 1900;
const YEAR_MAX: i64 = 2999;

impl Date {
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(YEAR_MIN..=YEAR_MAX).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date {
            days_since_epoch: days_from_civil(year, month, day),
        })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let digits_ok = bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit());
        if !digits_ok {
            return None;
        }
        let year = text[0..4].parse().ok()?;
        let month = text[5..7].parse().ok()?;
        let day = text[8..10].parse().ok()?;
        Date::from_ymd(year, month, day)
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.days_since_epoch)
    }

    pub fn add_days(self, days: i64) -> Date {
        Date {
            days_since_epoch: self.days_since_epoch + days,
        }
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch - self.days_since_epoch
    }

    /// The first day of the month after this date's month.
    pub fn first_of_next_month(self) -> Date {
        let (year, month, _) = self.ymd();
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        Date {
            days_since_epoch: days_from_civil(next_year, next_month, 1),
        }
    }

    /// `YYYY-MM`, the label of this date's month.
    pub fn month_label(self) -> String {
        let (year, month, _) = self.ymd();
        format!("{year:04}-{month:02}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(formatter, "{year:04}-{month:02}-{day:02}")
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid date {text:?}: expected \"YYYY-MM-DD\", a real calendar day in {YEAR_MIN}..={YEAR_MAX}"
            ))
        })
    }
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap_year(year) => 29,
        _ => 28,
    }
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_convert_both_ways() {
        let epoch = Date::parse("1970-01-01").unwrap();
        assert_eq!(epoch.days_since_epoch, 0);
        let launch = Date::parse("2014-05-01").unwrap();
        assert_eq!(launch.days_since_epoch, 16_191);
        assert_eq!(launch.to_string(), "2014-05-01");
        assert_eq!(
            Date::parse("2000-02-29").unwrap().add_days(1).to_string(),
            "2000-03-01"
        );
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let start = Date::from_ymd(1900, 1, 1).unwrap();
        let mut previous = start;
        for offset in 1..146_097 {
            let date = start.add_days(offset);
            let (year, month, day) = date.ymd();
            assert_eq!(Date::from_ymd(year, month, day), Some(date));
            assert!(date > previous);
            previous = date;
        }
    }

    #[test]
    fn impossible_or_malformed_dates_are_refused() {
        for bad in [
            "2014-02-29",
            "2014-13-01",
            "2014-00-10",
            "2014-04-31",
            "2014-5-01",
            "14-05-01",
            "2014/05/01",
            "",
            "9999-01-01",
            "2014-05-01x",
            "２０１４-05-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad} accepted");
        }
    }

    #[test]
    fn months_step_over_year_ends() {
        let december = Date::parse("2014-12-15").unwrap();
        assert_eq!(december.first_of_next_month().to_string(), "2015-01-01");
        assert_eq!(december.month_label(), "2014-12");
    }
}
