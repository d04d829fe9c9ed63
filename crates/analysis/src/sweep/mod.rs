//! Parameter sweeps: a grid of factor values (rules, and numbers of the
//! world named by their paths, `escrowsim_core::scenario::factors`) over a
//! base scenario, each point replicated, split into units that run anywhere
//! and merge exactly.
//!
//! A sweep file names a base scenario, a grid (factors and the values each
//! takes) and a number of replications. Its points are the grid's cartesian
//! product; its *units* are (point, replication) pairs, numbered
//! `point * replications + replication`. Unit `u` belongs to shard `K` of `N`
//! when `u % N == K`, so any number of machines (or Slurm array tasks) can
//! share the work without talking to each other, and a unit's result is a
//! pure function of the sweep file, the unit number and the engine version.
//!
//! Results merge exactly: a unit result keeps every metric's exact value and
//! the settlement-latency histogram's buckets, and the merged result is built
//! from the units in unit order, so sharded and merged results are
//! byte-identical to one unsharded run. Every unit result carries the
//! sweep's digest and the engine version, and merging refuses a mix.
//!
//! This module is pure (text in, text out); reading and writing files is the
//! CLI's.

pub mod plan;
pub mod result;
pub mod unit;

pub use plan::{
    GridValue, Manifest, POINTS_MAX, Point, SWEEP_FILE_BYTES_MAX, Shard, SweepError, SweepPlan,
    UNITS_MAX, VALUES_MAX, plan_sweep,
};
pub use result::{MergeProblem, SweepResult, merge_units};
pub use unit::{LatencyBuckets, UnitResult, run_unit};
