//! The program model: the escrow and buyer-protection program running on the engine.
//!
//! [`Simulation`] owns the population, the orders in flight, the ledger and
//! the metrics, and interprets the engine's events as steps of an order's
//! life (DESIGN.md section 1). It reads the scenario's rules; it never reads
//! files, the environment or the wall clock (wall time for the performance
//! figures, and stop requests, come in through a [`Probe`]).

pub mod history;
pub mod ledger;
pub mod memory;
pub mod metrics;
pub mod money;
pub mod order;
pub mod population;
pub mod settlement;
pub mod settlement_load;
mod simulation;
pub mod snapshot;
pub mod trace;
pub mod vetting;

pub use simulation::{
    CHECKPOINT_EVERY_EVENTS, Interrupted, NoProbe, Probe, RunOutput, SETTLEMENT_SAMPLE_EVERY,
    ScreeningRow, Simulation, SimulationState, StateError, StorefrontSummary, same_world,
    supplier_view_bytes,
};
