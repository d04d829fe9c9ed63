//! Why an input file could not be read.
//!
//! The core never reads a file; the binary's reader (`escrowsim::input`)
//! does, and reports what went wrong with this type, which each format's
//! own error (a scenario's [`LoadError`](crate::scenario::LoadError), a
//! sweep's, a unit file's) renders with the file's name.

/// Why an input could not be read; rendered by each format's own error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Unreadable(String),
    #[error("it is {kind}, not a file")]
    NotAFile { kind: &'static str },
    #[error("the file is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("the input goes on past {limit} bytes, the limit")]
    TooLong { limit: u64 },
    #[error("the file is not UTF-8 text (invalid byte at offset {offset})")]
    NotText { offset: usize },
}
