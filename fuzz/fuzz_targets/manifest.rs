//! Sweep manifest (`sweep.json`) bytes -> `Manifest::from_json` -> written
//! and read back the same, and merged with no units refused cleanly. The
//! checks live in the test suite's `exercise_formats.rs`.
#![no_main]

#[path = "../../tests/it/exercise.rs"]
#[allow(dead_code)]
mod exercise;
#[path = "../../tests/it/exercise_formats.rs"]
#[allow(dead_code)]
mod exercise_formats;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    exercise_formats::exercise_manifest(bytes);
});
