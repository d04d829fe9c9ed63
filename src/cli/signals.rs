//! Stopping a run from the terminal: Ctrl-C (SIGINT) or SIGTERM.
//!
//! The signal handler only sets a flag; the run's [`Probe`] reads it at the
//! engine's checkpoints (every `CHECKPOINT_EVERY_EVENTS` events, a few
//! milliseconds apart), before the population is drawn and while it is, and
//! the run stops there, cleanly; so a set of replications stops between its
//! runs. Sweeps, merges and benchmarks also check it between units, unit
//! files and passes, and every command checks it once more before its
//! reports are put in place: nothing is written after a stop, and existing
//! reports stay as they were. A second signal, for a command stuck where no
//! check comes (opening a FIFO nobody reads), exits at once with the same
//! code; the report files are still untouched then, since they are only
//! ever replaced by a rename.

use super::Failure;
use escrowsim::engine::SimTime;
use escrowsim::program::Probe;
use escrowsim::wall::WallClock;
use signal_hook::consts::{SIGINT, SIGTERM};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A stop signal the command honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// Ctrl-C.
    Interrupt,
    /// `kill` without a signal name, or a service manager stopping us.
    Terminate,
}

impl StopSignal {
    fn number(self) -> i32 {
        match self {
            StopSignal::Interrupt => SIGINT,
            StopSignal::Terminate => SIGTERM,
        }
    }

    fn from_number(number: usize) -> Option<StopSignal> {
        [StopSignal::Interrupt, StopSignal::Terminate]
            .into_iter()
            .find(|signal| signal.number() as usize == number)
    }

    /// The shell's convention: 128 plus the signal number (130 for Ctrl-C).
    pub fn exit_code(self) -> u8 {
        (128 + self.number()) as u8
    }

    pub fn describe(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "interrupted by Ctrl-C (SIGINT)",
            StopSignal::Terminate => "terminated by SIGTERM",
        }
    }
}

/// Whether a stop signal has arrived, and which (the last one, if several).
#[derive(Clone, Debug)]
pub struct StopRequests {
    signal: Arc<AtomicUsize>,
}

impl StopRequests {
    /// Handles SIGINT and SIGTERM from now on: the first of them sets the
    /// flag, a second one exits at once with 128 plus its number.
    pub fn install() -> Result<StopRequests, Failure> {
        let armed = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for stop_signal in [StopSignal::Interrupt, StopSignal::Terminate] {
            let number = stop_signal.number();
            // Registered first, so it sees the flag as the previous signal left it.
            signal_hook::flag::register_conditional_shutdown(
                number,
                i32::from(stop_signal.exit_code()),
                Arc::clone(&armed),
            )
            .and_then(|_| signal_hook::flag::register(number, Arc::clone(&armed)))
            .and_then(|_| {
                signal_hook::flag::register_usize(number, Arc::clone(&signal), number as usize)
            })
            .map_err(|error| {
                Failure::Internal(format!("cannot install the Ctrl-C handler: {error}"))
            })?;
        }
        Ok(StopRequests { signal })
    }

    /// Requests that nobody will send, for tests.
    #[cfg(test)]
    pub fn never() -> StopRequests {
        StopRequests {
            signal: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn requested(&self) -> Option<StopSignal> {
        StopSignal::from_number(self.signal.load(Ordering::SeqCst))
    }

    /// Fails with the stop's exit code if a stop was requested; `what`
    /// continues the message: where the command stood, what was not written.
    pub fn check(&self, what: impl FnOnce() -> String) -> Result<(), Failure> {
        match self.requested() {
            Some(signal) => Err(Failure::Stopped {
                message: format!("escrowsim: {}{}", signal.describe(), what()),
                exit_code: signal.exit_code(),
            }),
            None => Ok(()),
        }
    }

    #[cfg(test)]
    fn raise_for_test(&self, signal: StopSignal) {
        self.signal
            .store(signal.number() as usize, Ordering::SeqCst);
    }
}

/// The CLI's probe: a wall clock for the performance figures that also
/// stops the run at the first checkpoint after a stop signal.
pub struct StoppableClock {
    pub clock: WallClock,
    stop: StopRequests,
}

impl StoppableClock {
    pub fn new(stop: StopRequests) -> StoppableClock {
        StoppableClock {
            clock: WallClock::new(),
            stop,
        }
    }
}

impl Probe for StoppableClock {
    const TIMES_SETTLEMENTS: bool = true;

    fn now_ns(&mut self) -> u64 {
        self.clock.elapsed_ns()
    }

    fn checkpoint(&mut self, _simulated: SimTime, _horizon: SimTime) -> bool {
        self.stop.requested().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_request_stops_the_probe_and_names_its_exit_code() {
        let stop = StopRequests::never();
        let mut probe = StoppableClock::new(stop.clone());
        assert!(probe.checkpoint(SimTime(1), SimTime(2)));
        assert!(stop.check(String::new).is_ok());
        stop.raise_for_test(StopSignal::Interrupt);
        assert!(!probe.checkpoint(SimTime(1), SimTime(2)));
        match stop.check(|| " at day 3".to_string()) {
            Err(Failure::Stopped { message, exit_code }) => {
                assert_eq!(exit_code, 130);
                assert_eq!(
                    message,
                    "escrowsim: interrupted by Ctrl-C (SIGINT) at day 3"
                );
            }
            _ => panic!("a stop request fails the command"),
        }
        stop.raise_for_test(StopSignal::Terminate);
        assert_eq!(stop.requested(), Some(StopSignal::Terminate));
        assert_eq!(StopSignal::Terminate.exit_code(), 143);
    }
}
