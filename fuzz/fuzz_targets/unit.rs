//! Unit file (`units/*.json`) bytes -> `UnitResult::from_json` -> written
//! and read back the same, merged and rendered. Each input is tried as it
//! is and with a fresh checksum, so that mutations reach past the checksum
//! to the checks behind it. The checks live in the test suite's
//! `exercise_formats.rs`.
#![no_main]

#[path = "../../tests/it/exercise.rs"]
#[allow(dead_code)]
mod exercise;
#[path = "../../tests/it/exercise_formats.rs"]
#[allow(dead_code)]
mod exercise_formats;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    exercise_formats::exercise_unit(bytes);
    if let Some(fresh) = exercise_formats::with_fresh_checksum(bytes) {
        exercise_formats::exercise_unit(&fresh);
    }
});
