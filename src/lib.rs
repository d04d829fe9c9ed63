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
//! use escrowsim::{run, scenario::parse_scenario, program::NoProbe, report::Report};
//!
//! let text = std::fs::read_to_string("scenarios/quick.ron").unwrap();
//! let scenario = parse_scenario(&text, "quick.ron").unwrap();
//! let output = run(&scenario, scenario.seed, &mut NoProbe).expect("NoProbe never interrupts");
//! let report = Report::new(&scenario, scenario.seed, &output, None);
//! assert_eq!(report.outcome.orders.placed, output.totals.orders_placed);
//! println!("digest {}", report.digest);
//! ```
//!
//! Layers, data flowing one way: [`scenario`] (text to validated values) ->
//! [`engine`] (time, events, random streams) -> [`program`] (population,
//! orders, ledger, disputes, metrics) -> [`report`] (outcome, digest, text
//! and JSON). [`analysis`] runs many replications and compares rule sets on
//! top of that; `report` also renders its results (text, CSV, HTML). Only
//! [`wall`] reads the wall clock, and only the CLI and benchmarks use it.

pub mod analysis;
pub mod engine;
pub mod input;
pub mod program;
pub mod report;
pub mod scenario;
pub mod sweep;
pub mod wall;

use program::{Interrupted, Probe, RunOutput, Simulation};
use scenario::Scenario;

/// Runs a validated scenario with `seed` (usually `scenario.seed`).
/// `probe` times the settlement path and may stop the run (it is asked
/// before the population is drawn, while it is drawn, and at every engine
/// checkpoint); pass
/// [`program::NoProbe`] to time nothing and always run to the horizon.
pub fn run<P: Probe>(
    scenario: &Scenario,
    seed: u64,
    probe: &mut P,
) -> Result<RunOutput, Interrupted> {
    Simulation::new_unless_stopped(scenario, seed, probe)?.run(probe)
}
