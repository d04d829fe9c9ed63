//! Sweep text -> plan (scenario paths resolved in the repository's
//! `scenarios/`) -> its units, points and manifest checked, planned again
//! the same, and its first unit run shrunk, written, read and merged. The
//! checks live in the test suite's `exercise_formats.rs`, shared with its
//! bounded proptest pass.
#![no_main]

#[path = "../../tests/it/exercise.rs"]
#[allow(dead_code)]
mod exercise;
#[path = "../../tests/it/exercise_formats.rs"]
#[allow(dead_code)]
mod exercise_formats;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let scenarios = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
    exercise_formats::exercise_sweep(bytes, scenarios);
});
