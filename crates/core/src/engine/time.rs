//! Simulated time: whole seconds since the scenario start.

use std::fmt;

pub const SECONDS_PER_HOUR: u64 = 3_600;
pub const SECONDS_PER_DAY: u64 = 86_400;

/// Seconds since the scenario start. Integer so that event order and every
/// outcome are exact on every machine.
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
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_days(days: u32) -> SimTime {
        SimTime(u64::from(days) * SECONDS_PER_DAY)
    }

    pub fn seconds(self) -> u64 {
        self.0
    }

    /// Whole days since the start (rounded down).
    pub fn days(self) -> u64 {
        self.0 / SECONDS_PER_DAY
    }

    pub fn plus(self, duration: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(duration.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0 / SECONDS_PER_DAY;
        let rest = self.0 % SECONDS_PER_DAY;
        write!(
            formatter,
            "day {days} {:02}:{:02}:{:02}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }
}

/// A [`SimTime`] in four bytes, for what is kept by the million (an
/// order's deadlines). Every run ends before `u32::MAX` seconds (136 years;
/// the longest horizon a scenario may have is `HORIZON_DAYS_MAX`, checked
/// below), so a later time is past the end of every run and is kept as
/// `u32::MAX`: an event at either time never happens, and no comparison
/// with a time inside the run changes.
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
pub struct CompactTime(u32);

const _: () = assert!(
    crate::scenario::limits::HORIZON_DAYS_MAX as u64 * SECONDS_PER_DAY < u32::MAX as u64,
    "a CompactTime must hold every time inside a run"
);

impl CompactTime {
    pub const ZERO: CompactTime = CompactTime(0);

    /// `time`, or `u32::MAX` seconds if it is later (past every run's end).
    pub fn saturating_from(time: SimTime) -> CompactTime {
        CompactTime(u32::try_from(time.0).unwrap_or(u32::MAX))
    }

    pub fn time(self) -> SimTime {
        SimTime(u64::from(self.0))
    }
}

/// A span of simulated seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimDuration {
    pub fn from_days(days: u32) -> SimDuration {
        SimDuration(u64::from(days) * SECONDS_PER_DAY)
    }

    /// A drawn duration in days, rounded to the nearest second. Validation
    /// bounds every drawn duration, and the float-to-integer cast saturates,
    /// so no value can wrap.
    pub fn from_days_f64(days: f64) -> SimDuration {
        SimDuration((days * SECONDS_PER_DAY as f64 + 0.5) as u64)
    }

    pub fn from_hours_f64(hours: f64) -> SimDuration {
        SimDuration((hours * SECONDS_PER_HOUR as f64 + 0.5) as u64)
    }

    pub fn seconds(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compact_time_keeps_every_time_of_a_run_and_saturates_past_them() {
        let last_second_of_longest_run =
            SimTime::from_days(crate::scenario::limits::HORIZON_DAYS_MAX);
        for time in [SimTime::ZERO, SimTime(1), last_second_of_longest_run] {
            assert_eq!(CompactTime::saturating_from(time).time(), time);
        }
        let beyond = CompactTime::saturating_from(SimTime(u64::from(u32::MAX) + 5)).time();
        assert_eq!(beyond, SimTime(u64::from(u32::MAX)));
        assert!(beyond > last_second_of_longest_run);
    }
}
