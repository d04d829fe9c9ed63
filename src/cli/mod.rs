//! The subcommands of the `escrowsim` binary, one module each, and what they share.

pub mod bench;
pub mod compare;
pub mod determinism;
pub mod flags;
pub mod init;
pub mod manual;
pub mod memory;
pub mod merge;
pub mod optimize;
pub mod output;
pub mod replicate;
pub mod run;
pub mod signals;
pub mod snapshot;
pub mod study;
pub mod sweep;
pub mod trace;
pub mod validate;

use escrowsim::scenario::LoadError;

/// Why a command failed, and so its exit code.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is at fault (exit 2).
    BadInput(String),
    /// Something the program itself should have prevented (exit 1).
    Internal(String),
    /// A stop signal ended the command early (exit 128 + the signal's number).
    Stopped { message: String, exit_code: u8 },
}

impl From<LoadError> for Failure {
    fn from(error: LoadError) -> Failure {
        Failure::BadInput(error.to_string())
    }
}

/// Runs `work`, turning a panic (a broken invariant) into an internal failure
/// with its message rather than a crash.
pub fn catching_panics<T>(work: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, Failure> {
    std::panic::catch_unwind(work).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
            .unwrap_or_else(|| "the simulation panicked".to_string());
        Failure::Internal(message)
    })
}
