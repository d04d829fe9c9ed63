//! The only place that reads the wall clock and the process's memory
//! figures. The engine never calls it; the CLI and the benchmarks lend a
//! [`WallClock`] to a run (as its [`Probe`]) to time its settlement path.

use crate::program::Probe;
use std::time::Instant;

/// Nanoseconds since the clock was made, from the monotonic clock.
pub struct WallClock {
    origin: Instant,
}

impl WallClock {
    pub fn new() -> WallClock {
        WallClock {
            origin: Instant::now(),
        }
    }

    pub fn elapsed_ns(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

impl Default for WallClock {
    fn default() -> Self {
        WallClock::new()
    }
}

impl Probe for WallClock {
    const TIMES_SETTLEMENTS: bool = true;
    fn now_ns(&mut self) -> u64 {
        self.elapsed_ns()
    }
}

/// The process's peak resident set size in bytes (Linux `VmHWM`), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes * 1024)
}
