//! Merging unit results into a sweep result, and the sweep summary.
//!
//! The result is built from the units in unit order, whatever order they
//! arrive in and however they were sharded, so it is byte-identical to an
//! unsharded run's. Measurements (wall time, memory) never enter it; they go
//! to the summary only.

use super::plan::Manifest;
use super::unit::UnitResult;
use crate::{ReplicationSummary, Replications};
use escrowsim_core::input::Located;
use escrowsim_core::report::VERSION;
use serde_json::{Value, json};
use std::fmt;

/// Why units cannot be merged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MergeProblem {
    /// A unit file that does not fit the sweep, named by its source.
    Unit(Located),
    /// The sweep as a whole: its version, or the units no file holds.
    Sweep(String),
}

impl fmt::Display for MergeProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MergeProblem::Unit(problem) => problem.fmt(formatter),
            MergeProblem::Sweep(message) => formatter.write_str(message),
        }
    }
}

impl std::error::Error for MergeProblem {}

/// Measurements of a point's units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UnitCosts {
    pub wall_ms_total: u64,
    pub wall_ms_max: u64,
    pub peak_rss_bytes_max: Option<u64>,
    pub units: u64,
}

/// One grid point's replications, summary and measurements.
#[derive(Clone, Debug)]
pub struct PointResult {
    pub parameters: Vec<(String, String)>,
    pub replications: Replications,
    /// The statistics of every metric at this point; `None` for a study's
    /// points ([`PointResult::summary`]).
    pub summary: Option<ReplicationSummary>,
    pub costs: UnitCosts,
}

/// The merged result of a sweep.
#[derive(Clone, Debug)]
pub struct SweepResult {
    pub manifest: Manifest,
    pub points: Vec<PointResult>,
}

/// Merges unit results of the sweep `manifest` describes, each given with
/// its source (the file it was read from), which names it in problems.
/// Every unit must be present once (an identical duplicate, e.g. from
/// overlapping directories, is accepted), of this sweep and this engine
/// version.
pub fn merge_units(
    manifest: &Manifest,
    units: Vec<(String, UnitResult)>,
) -> Result<SweepResult, Vec<MergeProblem>> {
    let mut problems = Vec::new();
    if manifest.version != VERSION {
        problems.push(MergeProblem::Sweep(format!(
            "the sweep was run by escrowsim {}, this is {VERSION}: results of different versions do not merge",
            manifest.version
        )));
    }
    let unit_count = manifest.unit_count();
    let mut slots: Vec<Option<(String, UnitResult)>> = (0..unit_count).map(|_| None).collect();
    for (source, unit) in units {
        if unit.sweep_digest != manifest.digest {
            problems.push(MergeProblem::Unit(Located::new(
                source,
                format!(
                    "belongs to another sweep (digest {}, expected {})",
                    unit.sweep_digest, manifest.digest
                ),
            )));
            continue;
        }
        if unit.version != manifest.version {
            problems.push(MergeProblem::Unit(Located::new(
                source,
                format!(
                    "written by escrowsim {}, the sweep by {}",
                    unit.version, manifest.version
                ),
            )));
            continue;
        }
        let replications = u64::from(manifest.replications);
        let consistent = unit.unit < unit_count
            && unit.point as u64 == unit.unit / replications
            && u64::from(unit.replication.index) == unit.unit % replications;
        if !consistent {
            problems.push(MergeProblem::Unit(Located::new(
                source,
                format!(
                    "unit {} does not fit the sweep's {unit_count} units",
                    unit.unit
                ),
            )));
            continue;
        }
        let slot = &mut slots[unit.unit as usize];
        match slot {
            None => *slot = Some((source, unit)),
            Some((first_source, first)) => {
                if first.replication.digest != unit.replication.digest {
                    problems.push(MergeProblem::Unit(Located::new(
                        source,
                        format!(
                            "unit {} differs from the same unit in {first_source}",
                            unit.unit
                        ),
                    )));
                }
            }
        }
    }
    let missing: Vec<u64> = (0..unit_count)
        .filter(|&unit| slots[unit as usize].is_none())
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        problems.push(MergeProblem::Sweep(format!(
            "{} of {unit_count} units are missing (units {}{}): run the remaining shards, or re-run `escrowsim sweep` on this directory to complete it",
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        )));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut points = Vec::with_capacity(manifest.points.len());
    let mut units = slots
        .into_iter()
        .map(|slot| slot.expect("no unit is missing"));
    for (point_index, values) in manifest.points.iter().enumerate() {
        let mut runs = Vec::with_capacity(manifest.replications as usize);
        let mut costs = UnitCosts::default();
        let mut schema = None;
        let mut settle_latency_ns =
            hdrhistogram::Histogram::new(3).expect("3 significant figures is a valid precision");
        for _ in 0..manifest.replications {
            let (source, unit) = units.next().expect("every point has its units");
            costs.units += 1;
            // A unit file may record any wall time; the total saturates.
            costs.wall_ms_total = costs.wall_ms_total.saturating_add(unit.wall_ms);
            costs.wall_ms_max = costs.wall_ms_max.max(unit.wall_ms);
            costs.peak_rss_bytes_max = costs.peak_rss_bytes_max.max(unit.peak_rss_bytes);
            match &schema {
                None => schema = Some(unit.schema.clone()),
                Some(first) if *first != unit.schema => {
                    return Err(vec![MergeProblem::Unit(
                        Located::new(
                            source,
                            format!(
                                "its metrics differ from the point's other units (unit {})",
                                unit.unit
                            ),
                        )
                        .in_field("schema"),
                    )]);
                }
                Some(_) => {}
            }
            unit.settle_latency_ns.add_to(&mut settle_latency_ns);
            runs.push(unit.replication);
        }
        let replications = Replications {
            scenario: manifest.scenario_name.clone(),
            base_seed: manifest.base_seed,
            schema: schema.expect("a point has at least one replication"),
            runs,
            settle_latency_ns,
            antithetic: false,
        };
        // A study's analysis reads the replications alone; a summary of
        // every metric at each of thousands of points would only cost memory.
        let summary = manifest
            .study
            .is_none()
            .then(|| ReplicationSummary::new(&replications));
        let parameters = manifest
            .paths
            .iter()
            .cloned()
            .zip(values.iter().cloned())
            .collect();
        points.push(PointResult {
            parameters,
            replications,
            summary,
            costs,
        });
        debug_assert_eq!(points.len(), point_index + 1);
    }
    Ok(SweepResult {
        manifest: manifest.clone(),
        points,
    })
}

impl PointResult {
    /// The statistics of every metric at this point of a sweep. A study's
    /// points have none: their analysis is the study's
    /// ([`crate::study::analyse_study`]), and nothing renders them as a
    /// sweep's.
    pub fn summary(&self) -> &ReplicationSummary {
        self.summary
            .as_ref()
            .expect("a sweep's points have summaries; a study's are never rendered as a sweep's")
    }
}

/// The metrics the sweep summary shows for every point.
pub const KEY_METRICS: &[&str] = &[
    "refunds.rate",
    "refunds.value_rate",
    "risk.platform_loss",
    "risk.loss_bps",
    "risk.exposure_peak",
    "risk.buyer_uncovered_loss",
    "orders.covered",
    "claims.filed",
    "suppliers.approved",
    "vetting.suspended",
];

impl SweepResult {
    /// The deterministic result: every metric of every point, as JSON.
    pub fn to_json(&self) -> String {
        let manifest = &self.manifest;
        let points: Vec<Value> = self
            .points
            .iter()
            .enumerate()
            .map(|(index, point)| {
                let parameters: serde_json::Map<String, Value> =
                    point.parameters.iter().map(|(path, value)| (path.clone(), Value::String(value.clone()))).collect();
                json!({
                    "point": index,
                    "parameters": parameters,
                    "result": serde_json::to_value(point.summary()).expect("a summary always serialises"),
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&json!({
            "sweep": manifest.name,
            "scenario": manifest.scenario_name,
            "version": manifest.version,
            "digest": manifest.digest,
            "seed": manifest.base_seed.to_string(),
            "replications": manifest.replications,
            "paths": manifest.paths,
            "points": points,
        }))
        .expect("a sweep result always serialises");
        text.push('\n');
        text
    }
}
