//! The sweep file, its validation, and the units it expands to.

use crate::{MONTHLY_RECORDS_MAX, REPLICATIONS_MAX};
use escrowsim_core::input::{InputError, Located, Position};
use escrowsim_core::report::VERSION;
use escrowsim_core::scenario::factors::point_problems;
use escrowsim_core::scenario::spans::SpanIndex;
use escrowsim_core::scenario::{
    FactorPath, LoadError, RulesPatch, Scenario, parse_scenario, validate,
};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};

/// Most grid points of one sweep.
pub const POINTS_MAX: usize = 10_000;
/// Most units (points times replications) of one sweep.
pub const UNITS_MAX: u64 = 1_000_000;
/// Most values one grid dimension lists.
pub const VALUES_MAX: usize = 1_000;
/// Most shards a sweep is split into.
pub const SHARDS_MAX: u32 = 100_000;
/// Bytes of a sweep file.
pub const SWEEP_FILE_BYTES_MAX: u64 = 1024 * 1024;
/// Most monthly records (units times months) a merge keeps, about 600
/// bytes each.
pub const SWEEP_MONTHLY_RECORDS_MAX: u64 = 5_000_000;
/// Problems listed for one sweep file; the rest would only repeat them.
const PROBLEMS_MAX: usize = 100;

/// A sweep file as written.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename = "Sweep")]
struct SweepFile {
    name: String,
    /// The base scenario, relative to the sweep file.
    scenario: String,
    replications: u32,
    #[serde(default)]
    grid: Vec<Dimension>,
}

/// One dimension of the grid: a factor path (`rules.claim_window_days`,
/// `suppliers[*].type_mix.fraudulent`; see
/// `escrowsim_core::scenario::factors`) and the values it takes, each
/// written as in a scenario (`14`, `0.05`, `AtContract`, `[TT, Card]`), or
/// the same text in quotes (`"14"`, `"[TT, Card]"`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Dimension {
    pub path: String,
    pub values: Vec<GridValue>,
}

/// A grid value as RON text of its factor. A value in quotes is the text
/// inside them, so `"14"` and `14` are one value: the same scenario, the
/// same parameter in the results and the same sweep digest.
#[derive(Clone, Debug, PartialEq)]
pub struct GridValue(String);

impl<'de> Deserialize<'de> for GridValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<ron::value::RawValue>::deserialize(deserializer)?;
        let raw = raw.trim();
        let text = raw.get_ron();
        if text.starts_with('"') || text.starts_with("r#") || text.starts_with("r\"") {
            return raw
                .into_rust::<String>()
                .map(GridValue)
                .map_err(|error| serde::de::Error::custom(error.code));
        }
        Ok(GridValue(text.to_string()))
    }
}

impl std::ops::Deref for GridValue {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// One point of the grid: the values of every dimension, and the scenario
/// they make.
#[derive(Clone, Debug)]
pub struct Point {
    pub index: usize,
    /// (path, value as written) per dimension, in grid order.
    pub parameters: Vec<(String, String)>,
    pub scenario: Scenario,
}

/// A validated sweep, ready to run or merge.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    pub name: String,
    /// The base scenario's name.
    pub scenario_name: String,
    pub base_seed: u64,
    pub replications: u32,
    /// The grid's paths, in order.
    pub paths: Vec<String>,
    pub points: Vec<Point>,
    /// SHA-256 (hex) of the engine version, the sweep's settings and the base
    /// scenario's text: unit results of different sweeps never mix.
    pub digest: String,
    /// The study whose design points these are, when a study file was
    /// planned ([`crate::study`]): its manifest records it for the analysis.
    pub study: Option<crate::study::Study>,
    /// The optimisation whose candidates these are, when an optimisation
    /// file was planned ([`crate::optimize::plan_optimization`]).
    pub optimization: Option<crate::optimize::Optimization>,
}

/// Why a sweep file cannot be used; every problem names the file and, where
/// known, the line, the column and the field.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Unreadable(Located),
    #[error("{0}")]
    Scenario(#[from] LoadError),
    #[error("{}", Located::lines(.0))]
    Invalid(Vec<Located>),
}

/// Which units a process runs: those whose number is `index` modulo `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Parses `K/N` with `0 <= K < N <= SHARDS_MAX`.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let invalid = || {
            format!(
                "{text:?} is not a shard: expected K/N with 0 <= K < N <= {SHARDS_MAX}, e.g. 0/4"
            )
        };
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let index: u32 = index.trim().parse().map_err(|_| invalid())?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        if count == 0 || count > SHARDS_MAX || index >= count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }

    pub fn owns(self, unit: u64) -> bool {
        unit % u64::from(self.count) == u64::from(self.index)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.index, self.count)
    }
}

impl SweepPlan {
    pub fn unit_count(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replications)
    }

    /// The (point, replication) of unit `unit`.
    pub fn unit(&self, unit: u64) -> (usize, u32) {
        let replications = u64::from(self.replications);
        ((unit / replications) as usize, (unit % replications) as u32)
    }

    /// The units `shard` runs, in order.
    pub fn units_of(&self, shard: Shard) -> impl Iterator<Item = u64> + '_ {
        (0..self.unit_count()).filter(move |&unit| shard.owns(unit))
    }
}

/// Parses, validates and expands sweep text. `base_directory` resolves the
/// base scenario's path, and `read_scenario` reads it (bounded, by the
/// caller: this crate does no I/O); the text read is both parsed and
/// digested.
pub fn plan_sweep(
    text: &str,
    source: &str,
    base_directory: &Path,
    read_scenario: impl FnOnce(&Path) -> Result<String, InputError>,
) -> Result<SweepPlan, SweepError> {
    let spans = SpanIndex::build(text);
    // A problem of the field `path`, where the text writes it.
    let at = |path: &str, message: String| {
        Located::new(source, message)
            .at(spans.locate(path))
            .in_field(path)
    };
    let options = ron::Options::default().with_recursion_limit(32);
    let file: SweepFile = options
        .from_str(text)
        .map_err(|error| ron_problem(&error, source, &spans))?;
    let mut problems = Vec::new();
    let (base, base_text) = check_header(
        &file.name,
        file.replications,
        base_directory.join(&file.scenario),
        read_scenario,
        &at,
        &mut problems,
    )?;
    let GridCheck {
        paths,
        factors,
        point_count,
    } = check_grid("grid", &file.grid, base.as_ref(), &at, &mut problems);
    if point_count > POINTS_MAX {
        // The count saturates: a grid of many dimensions has more points
        // than a number holds.
        let counted = if point_count == usize::MAX {
            format!("at least {point_count}")
        } else {
            point_count.to_string()
        };
        problems.push(at(
            "grid",
            format!("{counted} grid points; the limit is {POINTS_MAX}"),
        ));
    }
    // Saturating too: with the points beyond their limit this product is
    // never reported, but it must not overflow on the way.
    let unit_count = (point_count as u64).saturating_mul(u64::from(file.replications));
    if problems.is_empty() && unit_count > UNITS_MAX {
        problems.push(at(
            "replications",
            format!("{unit_count} units (points x replications); the limit is {UNITS_MAX}"),
        ));
    }
    if let Some(base) = base.as_ref().filter(|_| problems.is_empty()) {
        // Merging keeps every unit's monthly figures: bound them as a
        // replication analysis bounds its own, per point and in all.
        let months = u64::from(base.horizon_days) / 28 + 2;
        let per_point = u64::from(file.replications) * months;
        if per_point > MONTHLY_RECORDS_MAX {
            problems.push(at(
                "replications",
                format!(
                    "{} replications of a {}-day scenario keep up to {per_point} monthly records a point, more than the most, {MONTHLY_RECORDS_MAX}",
                    file.replications, base.horizon_days
                ),
            ));
        } else if unit_count * months > SWEEP_MONTHLY_RECORDS_MAX {
            problems.push(at(
                "grid",
                format!(
                    "{unit_count} units of a {}-day scenario keep up to {} monthly records when merged, more than the most, {SWEEP_MONTHLY_RECORDS_MAX}: fewer points, replications or months",
                    base.horizon_days,
                    unit_count * months
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let base = base.expect("no problems means the base scenario loaded");
    let base_text = base_text.expect("no problems means the base scenario was read");
    let points = expand(&file.grid, &factors, &base, &at)?;
    // Values valid one by one may be invalid together (a floor above a
    // cap): every point is validated whole before anything runs.
    for point in &points {
        for problem in point_problems(point.index, &point.parameters, &point.scenario) {
            problems.push(at("grid", problem));
            if problems.len() >= PROBLEMS_MAX {
                return Err(SweepError::Invalid(problems));
            }
        }
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let digest = sweep_digest(&file, base_text.as_bytes());
    Ok(SweepPlan {
        name: file.name,
        scenario_name: base.name.clone(),
        base_seed: base.seed,
        replications: file.replications,
        paths,
        points,
        digest,
        study: None,
        optimization: None,
    })
}

/// A RON syntax or shape error of a sweep or study file, at its line and
/// column, naming the field it sits in as a scenario's errors do; a
/// missing field is reported after the last field written, which is not
/// the one to blame, and RON's message names it anyway.
pub(crate) fn ron_problem(
    error: &ron::error::SpannedError,
    source: &str,
    spans: &SpanIndex,
) -> SweepError {
    let position = Position::saturating(error.span.start.line, error.span.start.col);
    let problem = Located::new(source, error.code.to_string()).at(position);
    let field = match error.code {
        ron::Error::MissingStructField { .. } => None,
        _ => spans
            .path_at(position)
            .filter(|path| !problem.message.contains(path)),
    };
    SweepError::Invalid(vec![match field {
        Some(field) => problem.in_field(field),
        None => problem,
    }])
}

/// The checks a sweep file and a study file share: the name, the
/// replications, and the base scenario at `scenario_path`, read and parsed
/// (a scenario that does not load is the error; one that cannot be read is
/// a problem of the field `scenario`). Gives the base and its text when
/// they were read.
pub(crate) fn check_header(
    name: &str,
    replications: u32,
    scenario_path: PathBuf,
    read_scenario: impl FnOnce(&Path) -> Result<String, InputError>,
    at: &impl Fn(&str, String) -> Located,
    problems: &mut Vec<Located>,
) -> Result<(Option<Scenario>, Option<String>), SweepError> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        problems.push(at("name", "must be 1 to 200 characters".to_string()));
    }
    if replications == 0 || replications > REPLICATIONS_MAX {
        problems.push(at(
            "replications",
            format!("{replications} is out of range 1..={REPLICATIONS_MAX}"),
        ));
    }
    match read_scenario(&scenario_path) {
        Ok(text) => {
            let base = parse_scenario(&text, &scenario_path.display().to_string())?;
            Ok((Some(base), Some(text)))
        }
        Err(error) => {
            problems.push(at(
                "scenario",
                format!("cannot read {}: {error}", scenario_path.display()),
            ));
            Ok((None, None))
        }
    }
}

/// What checking a grid finds: its paths and parsed factors, and its
/// number of points (saturating).
pub(crate) struct GridCheck {
    pub paths: Vec<String>,
    pub factors: Vec<FactorPath>,
    pub point_count: usize,
}

/// Checks the dimensions of a grid (a sweep's `grid`, an optimisation's
/// `decisions`), named `field` in problems: each path against the base
/// scenario, each value alone, and no two paths setting one value.
pub(crate) fn check_grid(
    field: &str,
    grid: &[Dimension],
    base: Option<&Scenario>,
    at: &impl Fn(&str, String) -> Located,
    problems: &mut Vec<Located>,
) -> GridCheck {
    let mut paths = Vec::new();
    let mut factors: Vec<FactorPath> = Vec::new();
    let mut point_count: usize = 1;
    for (dimension_index, dimension) in grid.iter().enumerate() {
        let dimension_path = format!("{field}[{dimension_index}]");
        let factor = match FactorPath::parse(&dimension.path) {
            Ok(factor) => factor,
            Err(problem) => {
                problems.push(at(&format!("{dimension_path}.path"), problem.message));
                // The grid's size is known all the same, and a grid too
                // large is worth saying at once.
                if (1..=VALUES_MAX).contains(&dimension.values.len()) {
                    point_count = point_count.saturating_mul(dimension.values.len());
                }
                continue;
            }
        };
        if paths.contains(&dimension.path) {
            problems.push(at(
                &format!("{dimension_path}.path"),
                format!("{} appears twice in {field}", dimension.path),
            ));
        }
        let mut usable = true;
        if let Some(base) = base {
            if let Err(problem) = factor.check(base) {
                problems.push(at(&format!("{dimension_path}.path"), problem.message));
                usable = false;
            }
            // A later factor that could change what an earlier one set
            // (another share of the same mix, a parameter of a distribution
            // set whole) would make a point's parameters lie.
            for (earlier_index, earlier) in factors.iter().enumerate() {
                if earlier.as_str() != factor.as_str() && factor.overlaps(earlier, base) {
                    problems.push(at(
                        &format!("{dimension_path}.path"),
                        format!(
                            "{factor} and {field}[{earlier_index}]'s {earlier} set the same value: a point would apply one over the other"
                        ),
                    ));
                }
            }
        }
        paths.push(dimension.path.clone());
        factors.push(factor.clone());
        if dimension.values.is_empty() || dimension.values.len() > VALUES_MAX {
            problems.push(at(
                &format!("{dimension_path}.values"),
                format!("1 to {VALUES_MAX} values are needed"),
            ));
            continue;
        }
        point_count = point_count.saturating_mul(dimension.values.len());
        if !usable {
            continue;
        }
        for (value_index, value) in dimension.values.iter().enumerate() {
            let value_path = format!("{dimension_path}.values[{value_index}]");
            let scenario = match (factor.rule(), base) {
                (Some(rule), base) => match patch_of(rule, value) {
                    Err(message) => {
                        problems.push(at(&value_path, message));
                        None
                    }
                    Ok(patch) => base.cloned().map(|mut scenario| {
                        scenario.rules.apply(&patch);
                        scenario
                    }),
                },
                (None, Some(base)) => {
                    let mut scenario = base.clone();
                    match factor.apply_text(&mut scenario, value) {
                        Err(problem) => {
                            problems.push(at(&value_path, problem.message));
                            None
                        }
                        Ok(_) => Some(scenario),
                    }
                }
                (None, None) => None,
            };
            for problem in scenario.as_ref().map(validate).unwrap_or_default() {
                problems.push(at(
                    &value_path,
                    format!("{:?} makes {}: {}", value.0, problem.path, problem.message),
                ));
            }
        }
    }
    GridCheck {
        paths,
        factors,
        point_count,
    }
}

/// The patch that sets `rule` to `value` (value written as in a `rules`
/// block), and nothing else.
fn patch_of(rule: &str, value: &str) -> Result<RulesPatch, String> {
    RulesPatch::of_rule(rule, value)
}

/// The grid's cartesian product, the last dimension varying fastest, each
/// point's values applied in grid order. `at` locates a value that is not
/// one of its factor's, which validation has already refused.
pub(crate) fn expand(
    grid: &[Dimension],
    factors: &[FactorPath],
    base: &Scenario,
    at: &impl Fn(&str, String) -> Located,
) -> Result<Vec<Point>, SweepError> {
    let sizes: Vec<usize> = grid
        .iter()
        .map(|dimension| dimension.values.len())
        .collect();
    assert_eq!(
        factors.len(),
        grid.len(),
        "every dimension's path is parsed"
    );
    let count: usize = sizes.iter().product();
    let mut points = Vec::with_capacity(count);
    for index in 0..count {
        let mut remainder = index;
        let mut choice = vec![0; grid.len()];
        for dimension in (0..grid.len()).rev() {
            choice[dimension] = remainder % sizes[dimension];
            remainder /= sizes[dimension];
        }
        let mut scenario = base.clone();
        let mut parameters = Vec::with_capacity(grid.len());
        for (dimension_index, ((dimension, factor), &value_index)) in
            grid.iter().zip(factors).zip(&choice).enumerate()
        {
            let value = &dimension.values[value_index];
            let refused = |message: String| {
                let value_path = format!("grid[{dimension_index}].values[{value_index}]");
                SweepError::Invalid(vec![at(&value_path, message)])
            };
            match factor.rule() {
                Some(rule) => scenario
                    .rules
                    .apply(&patch_of(rule, value).map_err(refused)?),
                None => {
                    factor
                        .apply_text(&mut scenario, value)
                        .map_err(|problem| refused(problem.message))?;
                }
            }
            parameters.push((dimension.path.clone(), value.0.clone()));
        }
        points.push(Point {
            index,
            parameters,
            scenario,
        });
    }
    Ok(points)
}

fn sweep_digest(file: &SweepFile, base_scenario_bytes: &[u8]) -> String {
    digest_of_fields(|field| {
        field(b"escrowsim-sweep/v1");
        field(VERSION.as_bytes());
        field(file.name.as_bytes());
        field(&file.replications.to_le_bytes());
        for dimension in &file.grid {
            field(dimension.path.as_bytes());
            for value in &dimension.values {
                field(value.as_bytes());
            }
        }
        field(base_scenario_bytes);
    })
}

/// The SHA-256 (hex) of the fields `write` gives, each prefixed by its
/// length, so no two lists of fields hash alike: the digest of a sweep or a
/// study, which ties its units to it.
pub(crate) fn digest_of_fields(write: impl FnOnce(&mut dyn FnMut(&[u8]))) -> String {
    let mut hasher = Sha256::new();
    write(&mut |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    });
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_units() {
        for count in 1..7 {
            let mut owners = [0; 50];
            for index in 0..count {
                let shard = Shard::parse(&format!("{index}/{count}")).unwrap();
                for (unit, owner) in owners.iter_mut().enumerate() {
                    if shard.owns(unit as u64) {
                        *owner += 1;
                    }
                }
            }
            assert!(owners.iter().all(|&owners| owners == 1), "{count} shards");
        }
    }

    #[test]
    fn malformed_shards_are_refused() {
        for bad in [
            "", "1", "1/1", "2/1", "-1/3", "0/0", "a/b", "0/100001", "3/3",
        ] {
            assert!(Shard::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            Shard::parse(" 2 / 5 ").unwrap(),
            Shard { index: 2, count: 5 }
        );
    }

    #[test]
    fn a_grid_whose_product_overflows_is_refused() {
        // 33 dimensions of 2 values (2^33 points) times 2^32 - 1
        // replications is more units than a u64 holds; 64 dimensions are
        // more points than a usize holds.
        let quick = |_: &Path| Ok(include_str!("../../../../scenarios/quick.ron").to_string());
        for (dimensions, replications) in [(33, u32::MAX), (64, 2)] {
            let grid = "(path: \"rules.x\", values: [\"1\", \"2\"]), ".repeat(dimensions);
            let text = format!(
                "Sweep(name: \"big\", scenario: \"quick.ron\", replications: {replications}, grid: [{grid}])"
            );
            let error = plan_sweep(&text, "big.ron", Path::new("scenarios"), quick).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains("grid points; the limit is 10000"),
                "{error}"
            );
        }
    }

    fn quick(_: &Path) -> Result<String, InputError> {
        Ok(include_str!("../../../../scenarios/quick.ron").to_string())
    }

    #[test]
    fn a_sweep_problem_names_the_file_its_line_and_column_and_its_field() {
        let text = "Sweep(\n  name: \"s\",\n  scenario: \"quick.ron\",\n  replications: 0,\n)";
        let Err(SweepError::Invalid(problems)) =
            plan_sweep(text, "s.ron", Path::new("scenarios"), quick)
        else {
            panic!("0 replications are refused");
        };
        assert_eq!(
            problems,
            [Located::new("s.ron", "0 is out of range 1..=10000")
                .at(Position { line: 4, column: 3 })
                .in_field("replications")]
        );
        let Err(SweepError::Invalid(problems)) =
            plan_sweep("Sweep(\n  name: 5)", "s.ron", Path::new("scenarios"), quick)
        else {
            panic!("a number for a name is refused");
        };
        assert_eq!(problems[0].source, "s.ron");
        assert_eq!(problems[0].position.map(|position| position.line), Some(2));
        assert_eq!(problems[0].field.as_deref(), Some("name"));
    }

    #[test]
    fn a_manifest_problem_names_the_file_and_its_field_or_line_and_column() {
        let plan = plan_sweep(
            "Sweep(name: \"s\", scenario: \"quick.ron\", replications: 2, grid: [(path: \"rules.claim_window_days\", values: [\"14\", \"30\"])])",
            "s.ron",
            Path::new("scenarios"),
            quick,
        )
        .unwrap();
        let text = plan.manifest().to_json();
        assert_eq!(
            Manifest::from_json(&text, "sweep.json"),
            Ok(plan.manifest())
        );
        let edited = text.replacen("\"30\"", "\"30\", \"45\"", 1);
        assert_eq!(
            Manifest::from_json(&edited, "sweep.json")
                .unwrap_err()
                .to_string(),
            "sweep.json: points[1]: 2 values for 1 grid paths"
        );
        let truncated = &text[..text.find("\"points\"").unwrap()];
        let problem = Manifest::from_json(truncated, "sweep.json").unwrap_err();
        let lines = truncated.lines().count() as u32;
        assert_eq!(problem.position.map(|position| position.line), Some(lines));
        assert!(
            problem
                .to_string()
                .starts_with(&format!("sweep.json:{lines}:")),
            "{problem}"
        );
        assert!(!problem.message.contains(" at line "), "{problem}");
    }

    /// The plan of a sweep over quick.ron with `grid`, or its problems.
    fn plan_grid(grid: &str) -> Result<SweepPlan, Vec<String>> {
        let text = format!(
            "Sweep(name: \"world\", scenario: \"quick.ron\", replications: 2, grid: [\n{grid}\n])"
        );
        plan_sweep(&text, "world.ron", Path::new("scenarios"), quick).map_err(|error| match error {
            SweepError::Invalid(problems) => problems.iter().map(ToString::to_string).collect(),
            other => vec![other.to_string()],
        })
    }

    #[test]
    fn a_grid_varies_any_factor_of_the_world_with_its_rules() {
        let plan = plan_grid(
            "(path: \"suppliers[*].type_mix.fraudulent\", values: [0.03, 0.13]),\n\
             (path: \"rules.claim_window_days\", values: [14]),\n\
             (path: \"buyers[global-importers].order_value.median\", values: [\"1500.0\"]),",
        )
        .unwrap();
        assert_eq!(
            plan.paths,
            [
                "suppliers[*].type_mix.fraudulent",
                "rules.claim_window_days",
                "buyers[global-importers].order_value.median"
            ]
        );
        assert_eq!(plan.points.len(), 2);
        let point = &plan.points[1];
        assert_eq!(
            point.parameters[0],
            (
                "suppliers[*].type_mix.fraudulent".to_string(),
                "0.13".to_string()
            )
        );
        // Each segment's other shares times (1 - 0.13) / (1 - its own fraudulent share).
        let mix = point.scenario.suppliers[0].type_mix;
        assert_eq!(mix.fraudulent, 0.13);
        assert!((mix.reliable - 0.55 * 0.87 / 0.97).abs() < 1e-15);
        let mix = point.scenario.suppliers[1].type_mix;
        assert!((mix.poor - 0.14 * 0.87 / 0.96).abs() < 1e-15);
        assert_eq!(point.scenario.rules.claim_window_days, 14);
        assert_eq!(
            point.scenario.buyers[0].order_value,
            escrowsim_core::scenario::Dist::LogNormal {
                median: 1500.0,
                sigma: 1.0
            }
        );
    }

    #[test]
    fn a_world_path_or_value_that_cannot_be_used_is_refused_with_its_reason() {
        let problems = plan_grid(
            "(path: \"buyers[0].claim_after_breach_probabilty\", values: [0.5]),\n\
             (path: \"buyers[4].count\", values: [10]),\n\
             (path: \"buyers[0].order_value.mean\", values: [10]),\n\
             (path: \"suppliers[0].volunteer_probability\", values: [0.5, 1.5]),\n\
             (path: \"suppliers[*].count\", values: [9000000]),",
        )
        .unwrap_err();
        let expected = [
            "world.ron:2:2: grid[0].path: \"buyers[0].claim_after_breach_probabilty\" is not a factor path: unknown buyer segment field `claim_after_breach_probabilty`; did you mean `claim_after_breach_probability`?",
            "world.ron:3:2: grid[1].path: buyers[4]: there is no segment 4: the scenario has 1 buyer segment, buyers[0]",
            "world.ron:4:2: grid[2].path: buyers[0].order_value is LogNormal, whose parameters are median, sigma: it has no `mean`",
            "world.ron:5:60: grid[3].values[1]: suppliers[0].volunteer_probability: 1.5 is out of range [0, 1]",
            "world.ron:6:39: grid[4].values[0]: \"9000000\" makes suppliers: 18000000 suppliers in all; the limit is 10000000",
        ];
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
        for (problem, expected) in problems.iter().zip(expected) {
            assert!(
                problem.starts_with(expected),
                "{problem}\nexpected {expected}"
            );
        }
    }

    #[test]
    fn two_factors_that_set_one_value_are_refused() {
        // A second share of one mix would rescale the first, so the point's
        // parameters would not be the values the run used.
        let problems = plan_grid(
            "(path: \"suppliers[*].type_mix.fraudulent\", values: [0.1]),\n\
             (path: \"suppliers[in-exporters].type_mix.poor\", values: [0.2]),",
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "world.ron:3:2: grid[1].path: suppliers[in-exporters].type_mix.poor and grid[0]'s suppliers[*].type_mix.fraudulent set the same value: a point would apply one over the other"
            ]
        );
        // Different segments, or different parameters, are independent.
        assert!(
            plan_grid(
                "(path: \"suppliers[0].type_mix.fraudulent\", values: [0.1]),\n\
                 (path: \"suppliers[1].type_mix.poor\", values: [0.2]),\n\
                 (path: \"buyers[0].order_value.median\", values: [100.0]),\n\
                 (path: \"buyers[0].order_value.sigma\", values: [0.5]),"
            )
            .is_ok()
        );
    }

    #[test]
    fn values_valid_alone_but_not_together_name_the_point() {
        // Triangular(14, 21, 35): a mode of 33 and a max of 30 are each
        // valid, but not together.
        let problems = plan_grid(
            "(path: \"buyers[0].transit_days.mode\", values: [25.0, 33.0]),\n\
             (path: \"buyers[0].transit_days.max\", values: [30.0]),",
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                "world.ron:1:62: grid: point 1 (buyers[0].transit_days.mode = 33.0, buyers[0].transit_days.max = 30.0) makes buyers[0].transit_days: Triangular(min: 14, mode: 33, max: 30) needs 0 <= min <= mode <= max <= 3650"
            ]
        );
    }

    #[test]
    fn a_value_becomes_a_patch_of_its_rule() {
        let patch = patch_of("claim_window_days", "45").unwrap();
        assert_eq!(patch.claim_window_days, Some(45));
        assert_eq!(patch.fields_set(), ["claim_window_days"]);
        assert!(patch_of("claim_window_days", "\"forty\"").is_err());
        assert!(patch_of("no_such_rule", "1").is_err());
        assert!(patch_of("deposit_release", "AtContract").is_ok());
        // A value that sets another rule besides is refused.
        let smuggled = patch_of("claim_window_days", "14, auto_release_days: 1").unwrap_err();
        assert!(
            smuggled.contains("it sets claim_window_days, auto_release_days"),
            "{smuggled}"
        );
    }
}

/// What a sweep's output directory records about the sweep, so that units
/// can be merged (and foreign units refused) without the sweep file.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    pub name: String,
    pub scenario_name: String,
    pub base_seed: u64,
    pub digest: String,
    pub version: String,
    pub replications: u32,
    pub paths: Vec<String>,
    /// Each point's values, in grid order.
    pub points: Vec<Vec<String>>,
    /// The study, when these are a study's points.
    pub study: Option<crate::study::Study>,
    /// The optimisation, when these are its candidates.
    pub optimization: Option<crate::optimize::Optimization>,
}

impl SweepPlan {
    pub fn manifest(&self) -> Manifest {
        Manifest {
            name: self.name.clone(),
            scenario_name: self.scenario_name.clone(),
            base_seed: self.base_seed,
            digest: self.digest.clone(),
            version: VERSION.to_string(),
            replications: self.replications,
            paths: self.paths.clone(),
            points: self
                .points
                .iter()
                .map(|point| {
                    point
                        .parameters
                        .iter()
                        .map(|(_, value)| value.clone())
                        .collect()
                })
                .collect(),
            study: self.study.clone(),
            optimization: self.optimization.clone(),
        }
    }
}

impl Manifest {
    pub fn unit_count(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replications)
    }

    pub fn to_json(&self) -> String {
        let file = ManifestFile {
            digest: self.digest.clone(),
            study: self.study.clone(),
            optimization: self.optimization.clone(),
            format: MANIFEST_FORMAT.to_string(),
            paths: self.paths.clone(),
            points: self.points.clone(),
            replications: self.replications,
            scenario: self.scenario_name.clone(),
            seed: self.base_seed,
            sweep: self.name.clone(),
            units: self.unit_count(),
            version: self.version.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).expect("a manifest always serialises");
        text.push('\n');
        text
    }

    /// Reads a manifest back, refusing one that is malformed, out of
    /// bounds or inconsistent (a file edited by hand, or damaged): nothing
    /// downstream has to trust it. `source` names the file in the problem.
    pub fn from_json(text: &str, source: &str) -> Result<Manifest, Located> {
        let problem = |field: &str, message: String| Located::new(source, message).in_field(field);
        let file: ManifestFile = serde_json::from_str(text)
            .map_err(|error| Located::from_json_error(source, "not a sweep manifest", &error))?;
        if file.format != MANIFEST_FORMAT {
            return Err(problem(
                "format",
                format!("not an escrowsim sweep manifest (format {MANIFEST_FORMAT})"),
            ));
        }
        if !(1..=REPLICATIONS_MAX).contains(&file.replications) {
            return Err(problem(
                "replications",
                format!(
                    "{} is out of range 1..={REPLICATIONS_MAX}",
                    file.replications
                ),
            ));
        }
        if file.points.is_empty() || file.points.len() > POINTS_MAX {
            return Err(problem(
                "points",
                format!(
                    "{} points; 1 to {POINTS_MAX} are possible",
                    file.points.len()
                ),
            ));
        }
        let units = file.points.len() as u64 * u64::from(file.replications);
        if units > UNITS_MAX || file.units != units {
            return Err(problem(
                "units",
                format!(
                    "{} recorded, but {} points x {} replications = {units} (at most {UNITS_MAX})",
                    file.units,
                    file.points.len(),
                    file.replications
                ),
            ));
        }
        if let Some(point) = file
            .points
            .iter()
            .position(|values| values.len() != file.paths.len())
        {
            return Err(problem(
                &format!("points[{point}]"),
                format!(
                    "{} values for {} grid paths",
                    file.points[point].len(),
                    file.paths.len()
                ),
            ));
        }
        if !is_sha256_hex(&file.digest) {
            return Err(problem(
                "digest",
                "not a SHA-256 in hexadecimal".to_string(),
            ));
        }
        Ok(Manifest {
            name: file.sweep,
            scenario_name: file.scenario,
            base_seed: file.seed,
            digest: file.digest,
            version: file.version,
            replications: file.replications,
            paths: file.paths,
            points: file.points,
            study: file.study,
            optimization: file.optimization,
        })
    }
}

/// Whether `text` is 64 lowercase hexadecimal digits.
pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}

const MANIFEST_FORMAT: &str = "escrowsim-sweep/v1";

/// The manifest file as written; fields in alphabetical order, as the
/// file has always laid them out.
#[derive(serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    digest: String,
    /// A study's definition; absent for a plain sweep (whose manifest is
    /// then byte-identical to one written before studies existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    study: Option<crate::study::Study>,
    /// An optimisation's definition; absent for a sweep or a study.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    optimization: Option<crate::optimize::Optimization>,
    format: String,
    paths: Vec<String>,
    points: Vec<Vec<String>>,
    replications: u32,
    scenario: String,
    seed: u64,
    sweep: String,
    units: u64,
    version: String,
}
