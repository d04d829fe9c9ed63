//! Scenario text -> parse -> validate -> memory estimate -> two short runs
//! of the real engine, with every outcome check. The checks live in the
//! test suite's `exercise.rs`, shared with its bounded proptest pass.
#![no_main]

#[path = "../../tests/it/exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    exercise::exercise(bytes);
});
