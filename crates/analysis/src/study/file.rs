//! The study file (`Study(...)` or `Calibration(...)`), its validation,
//! and its expansion into the points of a sweep.

use super::Study;
use crate::REPLICATIONS_MAX;
use crate::metrics::flatten;
use crate::sensitivity::{
    MORRIS_LEVELS_DEFAULT, RESAMPLES_DEFAULT, latin_hypercube, level_of, morris_design,
    saltelli_design, scrambled_sobol,
};
use crate::sweep::plan::{check_header, digest_of_fields, ron_problem};
use crate::sweep::{GridValue, POINTS_MAX, Point, SweepError, SweepPlan, UNITS_MAX};
use escrowsim_core::input::{InputError, Located, Position};
use escrowsim_core::program::NoProbe;
use escrowsim_core::report::{Report, VERSION};
use escrowsim_core::scenario::factors::{FactorPath, point_problems};
use escrowsim_core::scenario::spans::SpanIndex;
use escrowsim_core::scenario::{Scenario, validate};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Problems listed for one study file; the rest would only repeat them.
const PROBLEMS_MAX: usize = 100;
/// Replications of the posterior-predictive check, unless the file says.
pub const CHECK_REPLICATIONS_DEFAULT: u32 = 10;

/// What a study computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StudyKind {
    Sensitivity,
    Calibration,
}

/// The design of a study and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Design {
    /// Morris elementary effects: `trajectories` one-at-a-time paths on a
    /// grid of `levels` (default 4); (factors + 1) x trajectories points.
    Morris {
        trajectories: usize,
        #[serde(default)]
        levels: Option<u32>,
    },
    /// Sobol indices by Saltelli's design: `base_rows` rows of A and B;
    /// (factors + 2) x base_rows points; `resamples` bootstrap resamples
    /// (default 1000).
    Sobol {
        base_rows: usize,
        #[serde(default)]
        resamples: Option<u32>,
    },
    /// `points` Latin hypercube points, for plain exploration.
    LatinHypercube { points: usize },
    /// A calibration's `points` scrambled Sobol points over the priors.
    Abc { points: usize },
}

impl Design {
    /// The design's points in the unit cube, in run order.
    pub fn unit_points(&self, factors: usize, seed: u64) -> Result<Vec<Vec<f64>>, String> {
        let points = match *self {
            Design::Morris {
                trajectories,
                levels,
            } => morris_design(
                factors,
                trajectories,
                levels.unwrap_or(MORRIS_LEVELS_DEFAULT),
                seed,
            )
            .map(|design| design.points),
            Design::Sobol { base_rows, .. } => {
                saltelli_design(factors, base_rows, seed).map(|design| design.points)
            }
            Design::LatinHypercube { points } => latin_hypercube(factors, points, seed),
            Design::Abc { points } => scrambled_sobol(points, factors, seed),
        };
        points.map_err(|error| error.to_string())
    }

    /// Bootstrap resamples of the indices' intervals.
    pub fn resamples(&self) -> u32 {
        match *self {
            Design::Sobol {
                resamples: Some(resamples),
                ..
            } => resamples,
            _ => RESAMPLES_DEFAULT,
        }
    }

    /// A short name for reports.
    pub fn describe(&self, factors: usize) -> String {
        match *self {
            Design::Morris {
                trajectories,
                levels,
            } => format!(
                "Morris elementary effects: {trajectories} trajectories on a {}-level grid, {} points",
                levels.unwrap_or(MORRIS_LEVELS_DEFAULT),
                trajectories * (factors + 1)
            ),
            Design::Sobol { base_rows, .. } => format!(
                "Sobol indices (Saltelli design, Saltelli 2010 first-order and Jansen total estimators): N = {base_rows}, {} points",
                base_rows * (factors + 2)
            ),
            Design::LatinHypercube { points } => format!("Latin hypercube: {points} points"),
            Design::Abc { points } => format!(
                "approximate Bayesian computation, rejection over {points} scrambled Sobol points"
            ),
        }
    }
}

/// A factor: a scenario path and what it takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    pub path: String,
    pub range: FactorRange,
}

/// A continuous range, or a list of values (each written as in a scenario).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorRange {
    Continuous { low: f64, high: f64 },
    Discrete { values: Vec<String> },
}

impl Factor {
    /// Sets this factor in `scenario` at unit coordinate `u` in [0, 1]:
    /// `low + u (high - low)`, or the `floor(u m)`-th of m values. Returns
    /// the value applied, as a scenario writes it.
    pub fn apply(
        &self,
        path: &FactorPath,
        scenario: &mut Scenario,
        u: f64,
    ) -> Result<String, String> {
        match &self.range {
            FactorRange::Continuous { low, high } => path
                .apply_number(scenario, low + u * (high - low))
                .map_err(|error| error.to_string()),
            FactorRange::Discrete { values } => path
                .apply_text(scenario, &values[level_of(u, values.len())])
                .map_err(|error| error.to_string()),
        }
    }

    /// The number a point's applied value stands for in the analysis: the
    /// value itself for a continuous factor, the value's index for a list.
    pub fn coordinate(&self, u: f64) -> f64 {
        match &self.range {
            FactorRange::Continuous { low, high } => low + u * (high - low),
            FactorRange::Discrete { values } => level_of(u, values.len()) as f64,
        }
    }
}

/// An observed figure a calibration must reproduce.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// A whole-run metric (`suppliers.approved`), or with `month` a
    /// monthly one (`approved_suppliers`).
    pub metric: String,
    #[serde(default)]
    pub month: Option<String>,
    pub value: f64,
    /// The standard uncertainty of the observed value, in its units.
    pub sd: f64,
}

impl Target {
    pub fn label(&self) -> String {
        match &self.month {
            Some(month) => format!("{} in {month}", self.metric),
            None => self.metric.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorFile {
    path: String,
    #[serde(default)]
    range: Option<(f64, f64)>,
    #[serde(default)]
    values: Option<Vec<GridValue>>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Study")]
struct StudyFile {
    name: String,
    scenario: String,
    #[serde(default = "one")]
    replications: u32,
    #[serde(default)]
    seed: Option<u64>,
    design: Design,
    factors: Vec<FactorFile>,
    metrics: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    metric: String,
    #[serde(default)]
    month: Option<String>,
    value: f64,
    sd: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Calibration")]
struct CalibrationFile {
    name: String,
    scenario: String,
    #[serde(default = "one")]
    replications: u32,
    #[serde(default)]
    seed: Option<u64>,
    points: usize,
    accept: f64,
    #[serde(default)]
    check_replications: Option<u32>,
    factors: Vec<FactorFile>,
    targets: Vec<TargetFile>,
}

/// The name of a RON file's top-level struct: its first word after blanks,
/// comments and attributes (`#![enable(...)]`), when a `(` follows it;
/// empty otherwise. Tells scenarios, sweeps and studies apart.
pub fn top_level_name(text: &str) -> &str {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("//") {
            rest = comment.find('\n').map_or("", |end| &comment[end..]);
        } else if let Some(comment) = rest.strip_prefix("/*") {
            rest = comment.find("*/").map_or("", |end| &comment[end + 2..]);
        } else if let Some(attribute) = rest.strip_prefix("#![") {
            rest = attribute.find(']').map_or("", |end| &attribute[end + 1..]);
        } else {
            break;
        }
    }
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if rest[end..].trim_start().starts_with('(') {
        &rest[..end]
    } else {
        ""
    }
}

/// Whether `text` is a study or calibration file rather than a sweep:
/// its top-level struct is `Study` or `Calibration`.
pub fn is_study(text: &str) -> bool {
    matches!(top_level_name(text), "Study" | "Calibration")
}

/// The common part of both files, once read.
struct Parsed {
    name: String,
    scenario: String,
    replications: u32,
    seed: Option<u64>,
    design: Design,
    factors: Vec<FactorFile>,
    metrics: Vec<String>,
    targets: Vec<Target>,
    accept: Option<f64>,
    check_replications: u32,
    kind: StudyKind,
}

fn parse_file(text: &str, source: &str, spans: &SpanIndex) -> Result<Parsed, SweepError> {
    let options = ron::Options::default()
        .with_recursion_limit(32)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let located = |error: ron::error::SpannedError| ron_problem(&error, source, spans);
    match top_level_name(text) {
        "Study" => {
            let file: StudyFile = options.from_str(text).map_err(located)?;
            if let Design::Abc { .. } = file.design {
                return Err(SweepError::Invalid(vec![
                    Located::new(
                        source,
                        "Abc is a calibration's design: write a Calibration(...) file".to_string(),
                    )
                    .at(spans.locate("design"))
                    .in_field("design"),
                ]));
            }
            Ok(Parsed {
                name: file.name,
                scenario: file.scenario,
                replications: file.replications,
                seed: file.seed,
                design: file.design,
                factors: file.factors,
                metrics: file.metrics,
                targets: Vec::new(),
                accept: None,
                check_replications: 0,
                kind: StudyKind::Sensitivity,
            })
        }
        "Calibration" => {
            let file: CalibrationFile = options.from_str(text).map_err(located)?;
            let targets: Vec<Target> = file
                .targets
                .into_iter()
                .map(|target| Target {
                    metric: target.metric,
                    month: target.month,
                    value: target.value,
                    sd: target.sd,
                })
                .collect();
            let mut metrics: Vec<String> = Vec::new();
            for target in &targets {
                if target.month.is_none() && !metrics.contains(&target.metric) {
                    metrics.push(target.metric.clone());
                }
            }
            Ok(Parsed {
                name: file.name,
                scenario: file.scenario,
                replications: file.replications,
                seed: file.seed,
                design: Design::Abc {
                    points: file.points,
                },
                factors: file.factors,
                metrics,
                targets,
                accept: Some(file.accept),
                check_replications: file
                    .check_replications
                    .unwrap_or(CHECK_REPLICATIONS_DEFAULT),
                kind: StudyKind::Calibration,
            })
        }
        other => Err(SweepError::Invalid(vec![
            Located::new(
                source,
                format!(
                    "expected a study, `Study(...)` or `Calibration(...)`, not {}",
                    if other.is_empty() {
                        "this".to_string()
                    } else {
                        format!("`{other}(...)`")
                    }
                ),
            )
            .at(Position::saturating(1, 1)),
        ])),
    }
}

/// The whole-run metric paths of `base`'s outcomes (and its monthly ones),
/// from a one-day run of a small copy: the outcome's shape does not depend
/// on the population or the horizon. `None` when the copy is not valid.
pub fn study_metric_paths(base: &Scenario) -> Option<(Vec<String>, Vec<String>)> {
    let mut small = base.clone();
    small.horizon_days = 1;
    for segment in &mut small.suppliers {
        segment.count = segment.count.min(4);
    }
    for segment in &mut small.buyers {
        segment.count = segment.count.min(4);
    }
    if !validate(&small).is_empty() {
        return None;
    }
    let output = escrowsim_core::run(&small, small.seed, &mut NoProbe).ok()?;
    let report = Report::new(&small, small.seed, &output, None);
    let (schema, _) = flatten(&report.outcome);
    Some((
        schema
            .metrics
            .into_iter()
            .map(|metric| metric.path)
            .collect(),
        schema
            .monthly_metrics
            .into_iter()
            .map(|metric| metric.path)
            .collect(),
    ))
}

/// The labels (`YYYY-MM`) of the calendar months a scenario's horizon
/// touches, as its monthly series has them.
fn month_labels(scenario: &Scenario) -> Vec<String> {
    let mut labels = vec![scenario.start_date.month_label()];
    let mut month = scenario.start_date.first_of_next_month();
    while scenario.start_date.days_until(month) < i64::from(scenario.horizon_days) {
        labels.push(month.month_label());
        month = month.first_of_next_month();
    }
    labels
}

/// What planning a study gives: the sweep that runs its points, and the
/// study its manifest records.
#[derive(Clone, Debug)]
pub struct StudyPlan {
    pub sweep: SweepPlan,
    pub study: Study,
    /// The base scenario, and the file it was read from.
    pub base: Scenario,
    pub base_file: PathBuf,
    /// Calibration only: replications of the posterior-predictive check.
    pub check_replications: u32,
}

/// Parses, validates and expands a study file, as [`crate::sweep::plan_sweep`]
/// does a sweep: `base_directory` resolves the base scenario's path and
/// `read_scenario` reads it.
pub fn plan_study(
    text: &str,
    source: &str,
    base_directory: &Path,
    read_scenario: impl FnOnce(&Path) -> Result<String, InputError>,
) -> Result<StudyPlan, SweepError> {
    let spans = SpanIndex::build(text);
    let at = |path: &str, message: String| {
        Located::new(source, message)
            .at(spans.locate(path))
            .in_field(path)
    };
    let file = parse_file(text, source, &spans)?;
    let mut problems = Vec::new();
    let scenario_path: PathBuf = base_directory.join(&file.scenario);
    let (base, base_text) = check_header(
        &file.name,
        file.replications,
        scenario_path.clone(),
        read_scenario,
        &at,
        &mut problems,
    )?;
    if file.factors.is_empty() {
        problems.push(at("factors", "at least one factor is needed".to_string()));
    }
    let mut factors = Vec::with_capacity(file.factors.len());
    let mut paths: Vec<FactorPath> = Vec::with_capacity(file.factors.len());
    for (index, factor) in file.factors.iter().enumerate() {
        let field = format!("factors[{index}]");
        let path = match FactorPath::parse(&factor.path) {
            Ok(path) => path,
            Err(error) => {
                problems.push(at(&format!("{field}.path"), error.to_string()));
                continue;
            }
        };
        if let Some(base) = &base {
            if let Err(error) = path.check(base) {
                problems.push(at(&format!("{field}.path"), error.to_string()));
                continue;
            }
            if let Some(earlier) = paths.iter().position(|earlier| {
                earlier.as_str() == path.as_str() || earlier.overlaps(&path, base)
            }) {
                problems.push(at(
                    &format!("{field}.path"),
                    format!(
                        "{} sets what factors[{earlier}] ({}) sets: each value must be set by one factor",
                        path, paths[earlier]
                    ),
                ));
                continue;
            }
        }
        let range = match (&factor.range, &factor.values) {
            (Some((low, high)), None) => {
                if !(low.is_finite() && high.is_finite() && low < high) {
                    problems.push(at(
                        &format!("{field}.range"),
                        format!("({low}, {high}) is not a range: two finite numbers, the first below the second"),
                    ));
                    continue;
                }
                if let Some(base) = &base {
                    match path.bounds(base) {
                        Ok(bounds) if !(bounds.contains(*low) && bounds.contains(*high)) => {
                            problems.push(at(
                                &format!("{field}.range"),
                                format!(
                                    "({low}, {high}) reaches outside what {path} accepts, {bounds}"
                                ),
                            ));
                            continue;
                        }
                        Ok(_) => {}
                        Err(error) => {
                            problems.push(at(&format!("{field}.path"), error.to_string()));
                            continue;
                        }
                    }
                }
                FactorRange::Continuous {
                    low: *low,
                    high: *high,
                }
            }
            (None, Some(values)) => {
                if values.len() < 2 || values.len() > crate::sweep::VALUES_MAX {
                    problems.push(at(
                        &format!("{field}.values"),
                        format!("2 to {} values are needed", crate::sweep::VALUES_MAX),
                    ));
                    continue;
                }
                if file.kind == StudyKind::Calibration {
                    problems.push(at(
                        &format!("{field}.values"),
                        "a calibration's factors are continuous ranges, `range: (low, high)`"
                            .to_string(),
                    ));
                    continue;
                }
                let mut bad = false;
                if let Some(base) = &base {
                    for (value_index, value) in values.iter().enumerate() {
                        let mut scenario = base.clone();
                        if let Err(error) = path.apply_text(&mut scenario, value) {
                            problems.push(at(
                                &format!("{field}.values[{value_index}]"),
                                error.to_string(),
                            ));
                            bad = true;
                        }
                    }
                }
                if bad {
                    continue;
                }
                FactorRange::Discrete {
                    values: values.iter().map(|value| value.to_string()).collect(),
                }
            }
            _ => {
                problems.push(at(
                    &field,
                    "give either `range: (low, high)` or `values: [...]`, not both or neither"
                        .to_string(),
                ));
                continue;
            }
        };
        factors.push(Factor {
            path: factor.path.clone(),
            range,
        });
        paths.push(path);
    }
    // Metric names, checked against the outcome's shape.
    let known = base.as_ref().and_then(study_metric_paths);
    if file.kind == StudyKind::Sensitivity && file.metrics.is_empty() {
        problems.push(at(
            "metrics",
            "name at least one metric, e.g. \"refunds.rate\"".to_string(),
        ));
    }
    if let Some((whole_run, monthly)) = &known {
        let check = |name: &str, list: &[String]| -> Option<String> {
            if list.iter().any(|known| known == name) {
                return None;
            }
            let near = crate::metrics::MetricPatterns::new(vec![name.to_string()])
                .check(list.iter().map(String::as_str))
                .err()
                .map(|unmatched| unmatched.to_string())
                .unwrap_or_default();
            Some(format!(
                "{name:?} is not a metric of the outcome{}",
                if near.is_empty() {
                    String::new()
                } else {
                    format!(" ({near})")
                }
            ))
        };
        for (index, metric) in file.metrics.iter().enumerate() {
            if file.kind == StudyKind::Sensitivity {
                if let Some(message) = check(metric, whole_run) {
                    problems.push(at(&format!("metrics[{index}]"), message));
                }
            }
        }
        for (index, target) in file.targets.iter().enumerate() {
            let list = if target.month.is_some() {
                monthly
            } else {
                whole_run
            };
            if let Some(message) = check(&target.metric, list) {
                problems.push(at(&format!("targets[{index}].metric"), message));
            }
        }
    }
    for (index, target) in file.targets.iter().enumerate() {
        if !(target.value.is_finite() && target.sd.is_finite() && target.sd > 0.0) {
            problems.push(at(
                &format!("targets[{index}]"),
                "value must be a finite number and sd a finite number above 0".to_string(),
            ));
        }
        if let (Some(month), Some(base)) = (&target.month, &base) {
            let months = month_labels(base);
            if !months.contains(month) {
                problems.push(at(
                    &format!("targets[{index}].month"),
                    format!(
                        "{month:?} is not a month of the horizon ({} to {})",
                        months.first().map_or("", String::as_str),
                        months.last().map_or("", String::as_str)
                    ),
                ));
            }
        }
    }
    if file.kind == StudyKind::Calibration {
        if file.targets.is_empty() {
            problems.push(at("targets", "at least one target is needed".to_string()));
        }
        if let Some(accept) = file
            .accept
            .filter(|accept| !(*accept > 0.0 && *accept <= 1.0))
        {
            problems.push(at("accept", format!("{accept} is not a share in (0, 1]")));
        }
        if file.check_replications == 0 || file.check_replications > REPLICATIONS_MAX {
            problems.push(at(
                "check_replications",
                format!(
                    "{} is out of range 1..={REPLICATIONS_MAX}",
                    file.check_replications
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let base = base.expect("no problems means the base scenario loaded");
    let base_text = base_text.expect("no problems means the base scenario was read");
    let design_seed = file.seed.unwrap_or(base.seed);
    let unit_points = file
        .design
        .unit_points(factors.len(), design_seed)
        .map_err(|message| SweepError::Invalid(vec![at("design", message)]))?;
    if unit_points.len() > POINTS_MAX {
        return Err(SweepError::Invalid(vec![at(
            "design",
            format!("{} points; the limit is {POINTS_MAX}", unit_points.len()),
        )]));
    }
    let units = unit_points.len() as u64 * u64::from(file.replications);
    if units > UNITS_MAX {
        return Err(SweepError::Invalid(vec![at(
            "replications",
            format!("{units} units (points x replications); the limit is {UNITS_MAX}"),
        )]));
    }
    let mut points = Vec::with_capacity(unit_points.len());
    for (index, unit) in unit_points.iter().enumerate() {
        let mut scenario = base.clone();
        let mut parameters = Vec::with_capacity(factors.len());
        for ((factor, path), &u) in factors.iter().zip(&paths).zip(unit) {
            match factor.apply(path, &mut scenario, u) {
                Ok(value) => parameters.push((factor.path.clone(), value)),
                Err(message) => problems.push(at(
                    "factors",
                    format!("point {index}: {}: {message}", factor.path),
                )),
            }
        }
        for message in point_problems(index, &parameters, &scenario) {
            problems.push(at("factors", message));
        }
        if problems.len() >= PROBLEMS_MAX {
            break;
        }
        points.push(Point {
            index,
            parameters,
            scenario,
        });
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let study = Study {
        kind: file.kind,
        design: file.design,
        design_seed,
        factors,
        metrics: file.metrics,
        targets: file.targets,
        accept: file.accept,
    };
    let digest = study_digest(
        &file.name,
        file.replications,
        &study,
        file.check_replications,
        base_text.as_bytes(),
    );
    Ok(StudyPlan {
        sweep: SweepPlan {
            name: file.name,
            scenario_name: base.name.clone(),
            base_seed: base.seed,
            replications: file.replications,
            paths: study
                .factors
                .iter()
                .map(|factor| factor.path.clone())
                .collect(),
            points,
            digest,
            study: Some(study.clone()),
            optimization: None,
        },
        study,
        base,
        base_file: scenario_path,
        check_replications: file.check_replications,
    })
}

fn study_digest(
    name: &str,
    replications: u32,
    study: &Study,
    check_replications: u32,
    base_scenario_bytes: &[u8],
) -> String {
    digest_of_fields(|field| {
        field(b"escrowsim-study/v1");
        field(VERSION.as_bytes());
        field(name.as_bytes());
        field(&replications.to_le_bytes());
        field(&check_replications.to_le_bytes());
        field(
            serde_json::to_string(study)
                .expect("a study always serialises")
                .as_bytes(),
        );
        field(base_scenario_bytes);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_name_skips_comments() {
        assert_eq!(
            top_level_name("// a study\n/* x */ Study(name: \"a\")"),
            "Study"
        );
        assert_eq!(top_level_name("\u{feff}Calibration("), "Calibration");
        assert_eq!(top_level_name("Sweep("), "Sweep");
        assert_eq!(
            top_level_name("#![enable(implicit_some)]\nSweep ("),
            "Sweep"
        );
        assert_eq!(top_level_name("SweepStakes"), "");
        assert_eq!(top_level_name("(name: \"x\")"), "");
        assert!(is_study("  Study()"));
        assert!(!is_study("Sweep()"));
    }
}
