//! Studies: global sensitivity analysis and calibration over any factor of
//! a scenario, run as the units of a sweep.
//!
//! A study file names a base scenario, factors (scenario paths, each with a
//! range or a list of values, [`escrowsim_core::scenario::factors`]) and a
//! design: Morris elementary effects, Sobol indices by Saltelli's design,
//! a Latin hypercube, or (a `Calibration` file) a scrambled Sobol design
//! over the factors' prior ranges with targets to fit. Planning draws the
//! design's points in the unit cube ([`crate::sensitivity`]), maps each to a
//! scenario, validates every one whole, and hands the points to the sweep
//! machinery as a [`SweepPlan`]: units (point x replication) run, shard,
//! resume and merge exactly as a sweep's, byte-identical for any sharding
//! and `--jobs`. Replication `r` runs on the same seed at every point
//! (common random numbers), so the differences between points are the
//! factors' effects, not the draws'.
//!
//! The manifest of the output directory carries the study ([`Study`]), so
//! merging finds the design again (it is a pure function of the study and
//! its seed) and computes the indices or the posterior ([`analyse`]).

pub mod analyse;
mod file;

pub use analyse::{
    AcceptedPoint, CalibrationResult, FactorFit, MetricIndices, PredictiveCheck, StudyResult,
    TargetFit, add_predictive_check, analyse_study, calibrated_value, spearman,
};
pub use file::{
    CHECK_REPLICATIONS_DEFAULT, Design, Factor, FactorRange, StudyKind, StudyPlan, Target,
    is_study, plan_study, study_metric_paths, top_level_name,
};

use serde::{Deserialize, Serialize};

/// A study as its manifest records it: everything the analysis needs to
/// rebuild the design and read the results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Study {
    pub kind: StudyKind,
    pub design: Design,
    /// The seed of the design's points (not of the runs, which take the
    /// scenario's seed).
    pub design_seed: u64,
    pub factors: Vec<Factor>,
    /// The metrics analysed (sensitivity), or those the targets name.
    pub metrics: Vec<String>,
    /// Calibration only: what the runs must reproduce.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Calibration only: the share of design points accepted.
    #[serde(default)]
    pub accept: Option<f64>,
}
