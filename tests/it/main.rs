//! The integration tests of escrowsim: scenario files in, reports and
//! digests out. One binary, one module per concern.

mod analysis;
mod cli;
mod common;
mod contract;
mod determinism;
mod exercise;
mod exercise_formats;
mod explain;
mod faults;
mod fuzz;
mod fuzz_formats;
mod generate;
mod golden;
mod ledger_identity;
mod mutate;
mod optimize;
mod parquet_output;
mod preflight;
mod program_rules;
mod properties;
mod readme;
mod reliability;
mod reports;
mod snapshot;
mod study;
mod sweep;
mod trace;
mod transfers;
mod validation;
mod validity;
mod warm_up;
