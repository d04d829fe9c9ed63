//! The integration tests of escrowsim: scenario files in, reports and
//! digests out. One binary, one module per concern.

mod cli;
mod common;
mod contract;
mod determinism;
mod exercise;
mod fuzz;
mod generate;
mod golden;
mod ledger_identity;
mod properties;
mod reliability;
mod validation;
