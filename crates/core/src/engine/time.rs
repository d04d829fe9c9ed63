//! Simulated time: whole seconds since the scenario start.

use std::fmt;

pub const SECONDS_PER_HOUR: u64 = 3_600;
pub const SECONDS_PER_DAY: u64 = 86_400;

/// Seconds since the scenario start. Integer so that event order and every
/// outcome are exact on every machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
