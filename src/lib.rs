//! escrowsim: a deterministic discrete-event simulator of a B2B escrow and
//! buyer-protection program.
//!
//! A scenario (RON) describes the buyers and suppliers of a marketplace and
//! the rules of the program that protects their orders; a run draws the
//! population from the scenario's seed, plays every order's life through
//! escrow, claims, disputes and refunds on a single-threaded event loop, and
//! reports refund rates, the platform's risk and the ledger. The same
//! scenario and seed give a byte-identical outcome and digest everywhere.
//!
//! ```
//! use escrowsim::{run, scenario::load_scenario_file, program::NoProbe, report::Report};
//!
//! let scenario = load_scenario_file("scenarios/quick.ron".as_ref()).unwrap();
//! let output = run(&scenario, scenario.seed, &mut NoProbe).expect("NoProbe never interrupts");
//! let report = Report::new(&scenario, scenario.seed, &output, None);
//! assert_eq!(report.outcome.orders.placed, output.totals.orders_placed);
//! println!("digest {}", report.digest);
//! ```
//!
//! This package is the binary and a thin library over the workspace's
//! crates, which it re-exports under one set of paths for users and
//! benchmarks (ARCHITECTURE.md has the map):
//!
//! - `escrowsim-core` ([`scenario`], [`engine`], [`program`], the outcome
//!   and digest of [`report`]): no I/O, no clock;
//! - `escrowsim-analysis` ([`analysis`], [`sweep`]): replications,
//!   statistics, comparisons, sweep planning and merging, all pure;
//! - `escrowsim-render` (the text, CSV and HTML views in [`report`]);
//! - `escrowsim-columnar` ([`columnar`]): the same tables as Arrow record
//!   batches and Parquet files.
//!
//! What only a program with a file system and a clock does lives here:
//! [`input`] reads files (bounded, regular files only), [`studies`] makes
//! a calibration's and an optimisation's scenario from its base file and
//! runs units in process, and [`wall`] reads the wall clock; the CLI (`src/cli`) writes files and handles signals.

pub mod input;
pub mod studies;
pub mod wall;

pub use escrowsim_analysis as analysis;
pub use escrowsim_columnar as columnar;
pub use escrowsim_core::{engine, program, run, run_observed, run_on_streams};

/// Scenarios: the validated value ([`Scenario`]), its rules, and
/// [`load_scenario_file`], which reads one.
pub mod scenario {
    pub use crate::input::{load_scenario_file, load_scenario_with_source};
    pub use escrowsim_core::scenario::*;
}

/// Sweeps: planning ([`load_sweep`], [`parse_sweep`]), units and merging.
pub mod sweep {
    pub use crate::input::{LoadedPlan, load_plan, load_sweep, parse_sweep};
    pub use escrowsim_analysis::sweep::*;
}

/// A run's report (outcome, digest) and every rendering of results.
pub mod report {
    pub use escrowsim_core::report::*;
    pub use escrowsim_render::*;
}
