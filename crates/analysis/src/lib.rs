//! Policy analysis: many replications of a scenario, statistics with
//! confidence intervals, and paired comparisons of two rule sets.
//!
//! One run says what happened with one seed; a policy team needs to know
//! what the rules do on average and how sure that is. This module runs R
//! replications (seeds derived from the scenario's seed, [`seeds`]) on J
//! threads, each replication single-threaded ([`replicate`]), and gathers
//! them in replication order, so the result does not depend on J. It finds
//! every numeric metric of the outcome generically ([`metrics`]),
//! summarises each across replications ([`summary`], [`statistics`]) and
//! compares two rule sets replication by replication on common random
//! numbers ([`compare`]).
//!
//! ```
//! use escrowsim_analysis::{Plan, ReplicationSummary, replicate};
//! use escrowsim_core::program::NoProbe;
//! use escrowsim_core::scenario::parse_scenario;
//!
//! let text = include_str!("../../../scenarios/quick.ron");
//! let scenario = parse_scenario(text, "quick.ron").unwrap();
//! let plan = Plan::new(scenario.seed, 3, 2).unwrap();
//! let replications = replicate(&scenario, &plan, || NoProbe).expect("NoProbe never interrupts");
//! let summary = ReplicationSummary::new(&replications);
//! let loss = summary.metric("risk.platform_loss").unwrap();
//! println!("platform loss: mean {} p99 {}", loss.mean.text(), loss.p99.unwrap().text());
//! ```
//!
//! Global sensitivity analysis ([`sensitivity`]: designs on the unit cube,
//! Morris and Sobol indices) and calibration ([`calibration`]: rejection
//! ABC) are mathematics over plain `f64` outputs: the caller maps design
//! points to scenarios and runs them.
//!
//! The analysis reads finished outcomes only; it never feeds anything back
//! into a run. Its statistics use floats in a documented, deterministic way
//! (see [`statistics`]); money inside runs never does.

pub mod calibration;
pub mod compare;
pub mod explain;
pub mod metrics;
pub mod optimize;
pub mod precision;
pub mod replicate;
pub mod seeds;
pub mod sensitivity;
pub mod statistics;
pub mod study;
pub mod summary;
pub mod sweep;
pub mod warm_up;

pub use compare::{CompareError, Comparison};
pub use metrics::{Metric, MetricKind, MetricPatterns, Schema, UnmatchedPattern};
pub use precision::{
    PreciseError, PrecisionReport, Target, replicate_pair_precise, replicate_precise,
};
pub use replicate::{
    JOBS_MAX, MONTHLY_RECORDS_MAX, MergeError, Plan, PlanError, REPLICATIONS_MAX, Replication,
    Replications, replicate, replicate_pair, replicate_pair_forked, replicate_pair_range,
    replicate_range, single_run,
};
pub use seeds::replication_seed;
pub use statistics::{Difference, Figure, Summary};
pub use summary::ReplicationSummary;
pub use warm_up::{WarmUp, WarmUpError};
