//! The core of escrowsim: a scenario becomes a validated value, the value a
//! run, the run an outcome and its digest.
//!
//! Layers, data flowing one way: [`scenario`] (text to validated values) ->
//! [`engine`] (time, events, random streams) -> [`program`] (population,
//! orders, ledger, disputes, metrics) -> [`report`] (outcome and digest).
//!
//! # Must not
//! The core does no I/O, reads no clock, iterates no hash map and uses no
//! platform float function on the trajectory: it is a pure function from
//! (scenario, seed, version) to an outcome. `clippy.toml` beside this
//! crate's manifest bars `std::fs`, `std::time::{Instant, SystemTime}`,
//! `HashMap`/`HashSet` and `f64::{ln, exp, powf, ...}`, so CI checks it. The
//! binary reads files and the wall clock and hands the core text and a
//! [`program::Probe`].
//!
//! ```
//! use escrowsim_core::{run, scenario::parse_scenario, program::NoProbe, report::Report};
//!
//! let text = include_str!("../../../scenarios/quick.ron");
//! let scenario = parse_scenario(text, "quick.ron").unwrap();
//! let output = run(&scenario, scenario.seed, &mut NoProbe).expect("NoProbe never interrupts");
//! let report = Report::new(&scenario, scenario.seed, &output, None);
//! assert_eq!(report.outcome.orders.placed, output.totals.orders_placed);
//! ```

pub mod engine;
pub mod input;
pub mod program;
pub mod report;
pub mod scenario;

use engine::Streams;
use program::{Interrupted, Probe, RunOutput, Simulation};
use scenario::Scenario;

/// Runs a validated scenario with `seed` (usually `scenario.seed`).
/// `probe` times the settlement path and may stop the run (it is asked
/// before the population is drawn, while it is drawn, and at every engine
/// checkpoint); pass [`program::NoProbe`] to time nothing and always run to
/// the horizon.
pub fn run<P: Probe>(
    scenario: &Scenario,
    seed: u64,
    probe: &mut P,
) -> Result<RunOutput, Interrupted> {
    Simulation::new_unless_stopped(scenario, seed, probe)?.run(probe)
}

/// Runs a validated scenario on `streams` like [`run`] does on those of a
/// seed: `Streams::new(seed)` gives exactly [`run`]'s outcome, and
/// `Streams::mirrored(seed)` its antithetic twin, every uniform draw `u`
/// replaced by its mirror `1 - u` (see [`engine::random`]).
pub fn run_on_streams<P: Probe>(
    scenario: &Scenario,
    streams: Streams,
    probe: &mut P,
) -> Result<RunOutput, Interrupted> {
    Simulation::with_streams_unless_stopped(scenario, streams, probe)?.run(probe)
}

/// Runs a validated scenario like [`run`], handing `observer` the records
/// of the orders it traces (see [`program::trace`]); the outcome is the
/// same as [`run`]'s.
pub fn run_observed<P: Probe, O: program::trace::Observer>(
    scenario: &Scenario,
    seed: u64,
    probe: &mut P,
    observer: &mut O,
) -> Result<RunOutput, Interrupted> {
    Simulation::new_unless_stopped(scenario, seed, probe)?.run_observed(probe, observer)
}

/// Runs a validated scenario on `streams` like [`run_on_streams`], handing
/// `observer` the records of the orders it traces.
pub fn run_on_streams_observed<P: Probe, O: program::trace::Observer>(
    scenario: &Scenario,
    streams: Streams,
    probe: &mut P,
    observer: &mut O,
) -> Result<RunOutput, Interrupted> {
    Simulation::with_streams_unless_stopped(scenario, streams, probe)?.run_observed(probe, observer)
}
