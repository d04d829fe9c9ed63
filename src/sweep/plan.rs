//! The sweep file, its validation, and the units it expands to.

use crate::analysis::REPLICATIONS_MAX;
use crate::report::VERSION;
use crate::scenario::spans::{Position, SpanIndex};
use crate::scenario::{LoadError, RulesPatch, Scenario, load_scenario_file, validate};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Read;
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
const SWEEP_FILE_BYTES_MAX: u64 = 1024 * 1024;
/// The prefix of a grid path: sweeps vary the program's rules.
const RULES_PREFIX: &str = "rules.";

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

/// One dimension of the grid: a rule and the values it takes, each written
/// as in a scenario's `rules` block (`"14"`, `"AtContract"`, `"[TT, Card]"`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Dimension {
    path: String,
    values: Vec<String>,
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
}

/// Why a sweep file cannot be used; every message names the file and, where
/// known, the line.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Unreadable(String),
    #[error("{0}")]
    Scenario(#[from] LoadError),
    #[error("{}", .0.join("\n"))]
    Invalid(Vec<String>),
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
        let invalid =
            || format!("--shard {text:?}: expected K/N with 0 <= K < N <= {SHARDS_MAX}, e.g. 0/4");
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

/// Reads, validates and expands a sweep file.
pub fn load_sweep(path: &Path) -> Result<SweepPlan, SweepError> {
    let source = path.display().to_string();
    let unreadable = |reason: String| {
        SweepError::Unreadable(format!("{source}: cannot read the sweep file: {reason}"))
    };
    let metadata = std::fs::metadata(path).map_err(|error| unreadable(error.to_string()))?;
    if metadata.is_dir() {
        return Err(unreadable("it is a directory".to_string()));
    }
    if metadata.len() > SWEEP_FILE_BYTES_MAX {
        return Err(unreadable(format!(
            "{} bytes; sweep files are limited to {SWEEP_FILE_BYTES_MAX}",
            metadata.len()
        )));
    }
    // At most one byte past the limit: the file may have grown since, or be
    // a pipe or a device such as /dev/zero that never ends.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(SWEEP_FILE_BYTES_MAX + 1).read_to_end(&mut bytes))
        .map_err(|error| unreadable(error.to_string()))?;
    if bytes.len() as u64 > SWEEP_FILE_BYTES_MAX {
        return Err(unreadable(format!(
            "the input goes on past {SWEEP_FILE_BYTES_MAX} bytes; sweep files are limited to {SWEEP_FILE_BYTES_MAX}"
        )));
    }
    let text =
        String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_string()))?;
    let base_directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_sweep(&text, &source, &base_directory)
}

/// Parses and validates sweep text; `base_directory` resolves the scenario path.
pub fn parse_sweep(
    text: &str,
    source: &str,
    base_directory: &Path,
) -> Result<SweepPlan, SweepError> {
    let spans = SpanIndex::build(text);
    let at = |path: &str| match spans.locate(path) {
        Some(position) => format!("{source}:{position}: {path}"),
        None => format!("{source}: {path}"),
    };
    let options = ron::Options::default().with_recursion_limit(32);
    let file: SweepFile = options.from_str(text).map_err(|error| {
        let position = Position {
            line: u32::try_from(error.span.start.line).unwrap_or(u32::MAX),
            column: u32::try_from(error.span.start.col).unwrap_or(u32::MAX),
        };
        SweepError::Invalid(vec![format!("{source}:{position}: {}", error.code)])
    })?;
    let mut problems = Vec::new();
    if file.name.trim().is_empty() || file.name.chars().count() > 200 {
        problems.push(format!("{}: must be 1 to 200 characters", at("name")));
    }
    if file.replications == 0 || file.replications > REPLICATIONS_MAX {
        problems.push(format!(
            "{}: {} is out of range 1..={REPLICATIONS_MAX}",
            at("replications"),
            file.replications
        ));
    }
    let scenario_path: PathBuf = base_directory.join(&file.scenario);
    let base_text = std::fs::read(&scenario_path);
    let base = match &base_text {
        Ok(_) => Some(load_scenario_file(&scenario_path)?),
        Err(error) => {
            problems.push(format!(
                "{}: cannot read {}: {error}",
                at("scenario"),
                scenario_path.display()
            ));
            None
        }
    };
    let mut paths = Vec::new();
    let mut point_count: usize = 1;
    for (dimension_index, dimension) in file.grid.iter().enumerate() {
        let dimension_path = format!("grid[{dimension_index}]");
        if !dimension.path.starts_with(RULES_PREFIX) || dimension.path.len() == RULES_PREFIX.len() {
            problems.push(format!(
                "{}: {:?} is not a rule: a grid path is `rules.` and a rule's name, e.g. \"rules.claim_window_days\"",
                at(&format!("{dimension_path}.path")),
                dimension.path
            ));
            continue;
        }
        if paths.contains(&dimension.path) {
            problems.push(format!(
                "{}: {} appears twice in the grid",
                at(&format!("{dimension_path}.path")),
                dimension.path
            ));
        }
        paths.push(dimension.path.clone());
        if dimension.values.is_empty() || dimension.values.len() > VALUES_MAX {
            problems.push(format!(
                "{}: 1 to {VALUES_MAX} values are needed",
                at(&format!("{dimension_path}.values"))
            ));
            continue;
        }
        point_count = point_count.saturating_mul(dimension.values.len());
        let rule = &dimension.path[RULES_PREFIX.len()..];
        for (value_index, value) in dimension.values.iter().enumerate() {
            let value_path = format!("{dimension_path}.values[{value_index}]");
            match patch_of(rule, value) {
                Err(message) => problems.push(format!("{}: {message}", at(&value_path))),
                Ok(patch) => {
                    if let Some(base) = &base {
                        let mut scenario = base.clone();
                        scenario.rules.apply(&patch);
                        for problem in validate(&scenario) {
                            problems.push(format!(
                                "{}: {value:?} makes {}: {}",
                                at(&value_path),
                                problem.path,
                                problem.message
                            ));
                        }
                    }
                }
            }
        }
    }
    if point_count > POINTS_MAX {
        problems.push(format!(
            "{}: {point_count} grid points; the limit is {POINTS_MAX}",
            at("grid")
        ));
    }
    let unit_count = point_count as u64 * u64::from(file.replications);
    if problems.is_empty() && unit_count > UNITS_MAX {
        problems.push(format!(
            "{}: {unit_count} units (points x replications); the limit is {UNITS_MAX}",
            at("replications")
        ));
    }
    if !problems.is_empty() {
        return Err(SweepError::Invalid(problems));
    }
    let base = base.expect("no problems means the base scenario loaded");
    let base_bytes = base_text.expect("no problems means the base scenario was read");
    let points = expand(&file.grid, &base)?;
    let digest = sweep_digest(&file, &base_bytes);
    Ok(SweepPlan {
        name: file.name,
        scenario_name: base.name.clone(),
        base_seed: base.seed,
        replications: file.replications,
        paths,
        points,
        digest,
    })
}

/// The patch that sets `rule` to `value` (value written as in a `rules` block).
fn patch_of(rule: &str, value: &str) -> Result<RulesPatch, String> {
    let text = format!("({rule}: {value})");
    ron::Options::default()
        .with_recursion_limit(32)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str::<RulesPatch>(&text)
        .map_err(|error| {
            format!(
                "rules.{rule}: {value:?} is not a value of this rule: {}",
                error.code
            )
        })
}

/// The grid's cartesian product, the last dimension varying fastest.
fn expand(grid: &[Dimension], base: &Scenario) -> Result<Vec<Point>, SweepError> {
    let sizes: Vec<usize> = grid
        .iter()
        .map(|dimension| dimension.values.len())
        .collect();
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
        for (dimension, &value_index) in grid.iter().zip(&choice) {
            let value = &dimension.values[value_index];
            let patch = patch_of(&dimension.path[RULES_PREFIX.len()..], value)
                .map_err(|message| SweepError::Invalid(vec![message]))?;
            scenario.rules.apply(&patch);
            parameters.push((dimension.path.clone(), value.clone()));
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
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
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
    fn a_value_becomes_a_patch_of_its_rule() {
        let patch = patch_of("claim_window_days", "45").unwrap();
        assert_eq!(patch.claim_window_days, Some(45));
        assert_eq!(patch.fields_set(), ["claim_window_days"]);
        assert!(patch_of("claim_window_days", "\"forty\"").is_err());
        assert!(patch_of("no_such_rule", "1").is_err());
        assert!(patch_of("deposit_release", "AtContract").is_ok());
    }
}

/// What a sweep's output directory records about the sweep, so that units
/// can be merged (and foreign units refused) without the sweep file.
#[derive(Clone, Debug, PartialEq, Eq)]
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
        }
    }
}

impl Manifest {
    pub fn unit_count(&self) -> u64 {
        self.points.len() as u64 * u64::from(self.replications)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&serde_json::json!({
            "format": "escrowsim-sweep/v1",
            "sweep": self.name,
            "scenario": self.scenario_name,
            "seed": self.base_seed,
            "digest": self.digest,
            "version": self.version,
            "replications": self.replications,
            "units": self.unit_count(),
            "paths": self.paths,
            "points": self.points,
        }))
        .expect("a manifest always serialises");
        text.push('\n');
        text
    }

    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let document: serde_json::Value =
            serde_json::from_str(text).map_err(|error| format!("not a sweep manifest: {error}"))?;
        if document["format"] != "escrowsim-sweep/v1" {
            return Err("not an escrowsim sweep manifest (format escrowsim-sweep/v1)".to_string());
        }
        let text_of = |key: &str| {
            document[key]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("{key} is missing"))
        };
        let strings_of = |value: &serde_json::Value| -> Result<Vec<String>, String> {
            value
                .as_array()
                .ok_or("a list is missing")?
                .iter()
                .map(|item| {
                    item.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{item} is not text"))
                })
                .collect()
        };
        Ok(Manifest {
            name: text_of("sweep")?,
            scenario_name: text_of("scenario")?,
            base_seed: document["seed"].as_u64().ok_or("seed is missing")?,
            digest: text_of("digest")?,
            version: text_of("version")?,
            replications: document["replications"]
                .as_u64()
                .and_then(|count| u32::try_from(count).ok())
                .ok_or("replications is missing")?,
            paths: strings_of(&document["paths"])?,
            points: document["points"]
                .as_array()
                .ok_or("points are missing")?
                .iter()
                .map(strings_of)
                .collect::<Result<_, _>>()?,
        })
    }
}
