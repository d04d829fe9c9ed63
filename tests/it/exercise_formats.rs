//! What any sweep file, sweep manifest or unit file must survive, as one
//! function per format: bytes in, and either a clear rejection or a value
//! whose promises are checked. A panic anywhere in here is a bug in
//! escrowsim.
//!
//! Like `exercise.rs` (scenarios), this file is driven by two fuzzers: the
//! bounded proptest pass of the test suite (`fuzz_formats.rs`) and the
//! coverage-guided libFuzzer targets `sweep`, `manifest` and `unit` in
//! `fuzz/`, which include it by path. It uses the escrowsim library, `std`,
//! `serde_json` and `sha2` (the latter two only to give an edited unit file a
//! fresh checksum, so the fuzzers reach past it), and `exercise.rs`.
//!
//! Each function reads bytes as the program reads the file: text beyond the
//! format's size limit, or not UTF-8, is refused before parsing.

use crate::exercise::shrink;
use escrowsim::analysis::REPLICATIONS_MAX;
use escrowsim::input::Located;
use escrowsim::program::NoProbe;
use escrowsim::report::{VERSION, render_sweep_html};
use escrowsim::scenario::validate;
use escrowsim::sweep::plan::POINTS_MAX;
use escrowsim::sweep::{
    Manifest, SweepError, SweepPlan, UNITS_MAX, UnitResult, merge_units, parse_sweep, run_unit,
};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Bytes of a sweep file the program reads (`plan.rs`).
pub const SWEEP_FILE_BYTES_MAX: u64 = 1024 * 1024;
/// Bytes of a manifest `escrowsim merge` reads (`cli/merge.rs`).
pub const MANIFEST_BYTES_MAX: u64 = 64 << 20;
/// Bytes of a unit file `escrowsim merge` reads (`cli/merge.rs`).
pub const UNIT_BYTES_MAX: u64 = 16 << 20;
/// The name fuzzed sweep text is given; every problem must name it.
pub const SWEEP_SOURCE: &str = "fuzz.ron";
/// The name a fuzzed manifest is given; its problem must name it.
pub const MANIFEST_SOURCE: &str = "sweep.json";
/// The name a fuzzed unit file is given; its problem must name it.
pub const UNIT_SOURCE: &str = "units/u0000000.json";
/// A manifest of more units than this is not merged with nothing (the
/// merge's table of units would cost the fuzzer more than it finds).
const MERGED_EMPTY_UNITS_MAX: u64 = 4_096;

/// What became of one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Reading {
    /// Not UTF-8 or beyond the size limit: the program refuses it before parsing.
    Unread,
    /// Refused with this message.
    Rejected(String),
    /// Accepted, and every promise about it held.
    Accepted,
}

fn text_of(bytes: &[u8], limit: u64) -> Option<&str> {
    if bytes.len() as u64 > limit {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Sweep text -> `parse_sweep` with scenario paths resolved in
/// `scenarios_directory` -> for a valid plan: its units, points and manifest
/// checked, the same text planned again to the same sweep, and its first
/// unit run (its scenario shrunk, as `exercise.rs` does), written, read and
/// merged.
pub fn exercise_sweep(bytes: &[u8], scenarios_directory: &Path) -> Reading {
    let Some(text) = text_of(bytes, SWEEP_FILE_BYTES_MAX) else {
        return Reading::Unread;
    };
    let plan = match parse_sweep(text, SWEEP_SOURCE, scenarios_directory) {
        Ok(plan) => plan,
        Err(error) => {
            match &error {
                SweepError::Invalid(problems) => {
                    assert!(!problems.is_empty(), "a refusal has a problem");
                    for problem in problems {
                        assert_eq!(
                            problem.source, SWEEP_SOURCE,
                            "a problem names the sweep file: {problem:?}"
                        );
                        assert!(!problem.message.is_empty(), "a problem says why");
                    }
                }
                SweepError::Scenario(load) => {
                    assert!(load.problem_count() >= 1, "an error has a problem")
                }
                SweepError::Unreadable(message) => {
                    panic!("parse_sweep reads no sweep file, yet: {message}")
                }
            }
            let message = error.to_string();
            assert!(!message.is_empty(), "a refusal says why");
            return Reading::Rejected(message);
        }
    };
    check_plan(&plan);
    let again = parse_sweep(text, SWEEP_SOURCE, scenarios_directory)
        .expect("the same text plans the same sweep");
    assert_eq!(again.digest, plan.digest, "planning is deterministic");
    assert_eq!(
        again.manifest(),
        plan.manifest(),
        "planning is deterministic"
    );
    run_first_unit(&plan);
    Reading::Accepted
}

/// What a valid plan promises: its units, its points and their scenarios,
/// and a manifest that survives being written and read.
fn check_plan(plan: &SweepPlan) {
    assert!(!plan.points.is_empty() && plan.points.len() <= POINTS_MAX);
    assert!((1..=REPLICATIONS_MAX).contains(&plan.replications));
    let units = plan.unit_count();
    assert_eq!(
        units,
        plan.points.len() as u64 * u64::from(plan.replications),
        "units = points x replications"
    );
    assert!(units <= UNITS_MAX, "{units} units");
    for unit in [0, units / 2, units - 1] {
        let (point, replication) = plan.unit(unit);
        assert!(point < plan.points.len() && replication < plan.replications);
        assert_eq!(
            point as u64 * u64::from(plan.replications) + u64::from(replication),
            unit,
            "unit numbers are point x replications + replication"
        );
    }
    assert!(is_sha256_hex(&plan.digest), "digest {:?}", plan.digest);
    for (index, point) in plan.points.iter().enumerate() {
        assert_eq!(point.index, index, "points are numbered in order");
        let paths: Vec<&String> = point.parameters.iter().map(|(path, _)| path).collect();
        assert_eq!(
            paths,
            plan.paths.iter().collect::<Vec<_>>(),
            "point {index} sets every grid path, in grid order"
        );
        assert_eq!(point.scenario.name, plan.scenario_name);
        assert_eq!(point.scenario.seed, plan.base_seed);
        let problems = validate(&point.scenario);
        assert!(
            problems.is_empty(),
            "point {index} of a valid plan is valid: {problems:?}"
        );
    }
    let manifest = plan.manifest();
    assert_eq!(manifest.unit_count(), units);
    assert_eq!(
        Manifest::from_json(&manifest.to_json(), MANIFEST_SOURCE),
        Ok(manifest),
        "a plan's manifest reads back as written"
    );
}

/// Runs unit 0 of `plan` (its scenario shrunk) as a one-unit sweep, checks
/// the unit file round-trips, and merges it.
fn run_first_unit(plan: &SweepPlan) {
    let mut first = plan.clone();
    first.points.truncate(1);
    first.replications = 1;
    first.points[0].scenario = shrink(&first.points[0].scenario);
    let unit = run_unit(&first, 0, &mut NoProbe).expect("NoProbe never interrupts");
    let text = unit.to_json();
    assert_eq!(
        exercise_unit(text.as_bytes()),
        Reading::Accepted,
        "a unit the program wrote is read back"
    );
    let result = merge_units(&first.manifest(), vec![("unit-0.json".to_string(), unit)])
        .expect("a one-unit sweep's only unit merges");
    assert_eq!(result.points.len(), 1);
}

/// Manifest bytes -> `Manifest::from_json` -> for a manifest it accepts:
/// written and read back the same, and merged with no units refused
/// cleanly.
pub fn exercise_manifest(bytes: &[u8]) -> Reading {
    let Some(text) = text_of(bytes, MANIFEST_BYTES_MAX) else {
        return Reading::Unread;
    };
    let manifest = match Manifest::from_json(text, MANIFEST_SOURCE) {
        Ok(manifest) => manifest,
        Err(problem) => return rejected(problem, MANIFEST_SOURCE),
    };
    let units = manifest.unit_count();
    assert!((1..=UNITS_MAX).contains(&units), "{units} units");
    assert!(manifest.points.len() <= POINTS_MAX);
    assert!(
        manifest
            .points
            .iter()
            .all(|values| values.len() == manifest.paths.len()),
        "every point has a value per path"
    );
    let written = manifest.to_json();
    let read = Manifest::from_json(&written, MANIFEST_SOURCE)
        .unwrap_or_else(|problem| panic!("a written manifest reads back: {problem}\n{written}"));
    assert_eq!(read, manifest, "a manifest reads back as written");
    assert_eq!(read.to_json(), written, "writing a manifest is stable");
    if units <= MERGED_EMPTY_UNITS_MAX {
        let problems =
            merge_units(&manifest, Vec::new()).expect_err("a sweep with no units does not merge");
        assert!(
            problems
                .iter()
                .any(|problem| problem.to_string().contains("missing")),
            "{problems:?}"
        );
    }
    Reading::Accepted
}

/// Unit bytes -> `UnitResult::from_json` -> for a unit it accepts: written
/// and read back the same, merged as it is with a one-unit sweep of its
/// digest, then renumbered as the only unit of a one-point sweep and, with
/// a mirror image (every value negated), as both replications of a
/// two-replication one, which must merge and render.
pub fn exercise_unit(bytes: &[u8]) -> Reading {
    let Some(text) = text_of(bytes, UNIT_BYTES_MAX) else {
        return Reading::Unread;
    };
    let unit = match UnitResult::from_json(text, UNIT_SOURCE) {
        Ok(unit) => unit,
        Err(problem) => return rejected(problem, UNIT_SOURCE),
    };
    let written = unit.to_json();
    let read = UnitResult::from_json(&written, UNIT_SOURCE)
        .unwrap_or_else(|problem| panic!("a written unit reads back: {problem}\n{written}"));
    assert_eq!(read.to_json(), written, "a unit reads back as written");
    assert_eq!(read.schema, unit.schema);
    assert_eq!(read.replication.values, unit.replication.values);
    assert_eq!(
        read.settle_latency_ns, unit.settle_latency_ns,
        "the latency histogram's buckets read back as written"
    );

    let digest = if is_sha256_hex(&unit.sweep_digest) {
        unit.sweep_digest.clone()
    } else {
        "0".repeat(64)
    };
    let manifest = |replications: u32| Manifest {
        name: "fuzz".to_string(),
        scenario_name: "fuzz".to_string(),
        base_seed: 0,
        digest: digest.clone(),
        version: VERSION.to_string(),
        replications,
        paths: Vec::new(),
        points: vec![Vec::new()],
        study: None,
        optimization: None,
    };
    // As it is: merged or refused, never a panic.
    if let Ok(result) = merge_units(&manifest(1), vec![("unit.json".to_string(), unit.clone())]) {
        render(&result);
    }
    // Renumbered to fit: it must merge, alone and twice over.
    let renumbered = |number: u32| {
        let mut renumbered = unit.clone();
        renumbered.unit = u64::from(number);
        renumbered.point = 0;
        renumbered.replication.index = number;
        renumbered.sweep_digest = digest.clone();
        renumbered.version = VERSION.to_string();
        (format!("unit-{number}.json"), renumbered)
    };
    let alone = merge_units(&manifest(1), vec![renumbered(0)])
        .unwrap_or_else(|problems| panic!("a unit that fits its sweep merges: {problems:?}"));
    render(&alone);
    // The second replication mirrors the first, so the spreads are wide.
    let (source, mut mirrored) = renumbered(1);
    let values = &mut mirrored.replication.values;
    for value in values
        .values
        .iter_mut()
        .chain(values.monthly.iter_mut().flatten())
    {
        *value = value.map(|value| -value);
    }
    let twice = merge_units(&manifest(2), vec![(source, mirrored), renumbered(0)])
        .unwrap_or_else(|problems| panic!("two units that fit their sweep merge: {problems:?}"));
    render(&twice);
    Reading::Accepted
}

/// The reading of a refused file: its problem names the file and says why.
fn rejected(problem: Located, source: &str) -> Reading {
    assert_eq!(
        problem.source, source,
        "a problem names its file: {problem:?}"
    );
    assert!(!problem.message.is_empty(), "a refusal says why");
    Reading::Rejected(problem.to_string())
}

/// Renders a merged result every way `escrowsim merge` can.
fn render(result: &escrowsim::sweep::SweepResult) {
    assert!(!result.to_json().is_empty());
    assert!(!escrowsim::report::render_sweep_summary_text(result).is_empty());
    assert!(!escrowsim::report::render_sweep_summary_csv(result).is_empty());
    assert!(!escrowsim::report::render_sweep_summary_json(result).is_empty());
    assert!(!render_sweep_html(result).is_empty());
}

/// `bytes` with its `checksum` recomputed, when it is a JSON object with a
/// string `checksum`: an edited unit file that the checksum no longer
/// refuses, so a fuzzer reaches the checks behind it. The sum is taken as
/// the program takes it: over the compact JSON with an empty checksum, keys
/// in alphabetical order (the order a unit file's fields are declared in).
pub fn with_fresh_checksum(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let object = value.as_object_mut()?;
    object.get("checksum")?.as_str()?;
    object.insert("checksum".to_string(), String::new().into());
    let unsummed = serde_json::to_vec(&value).ok()?;
    let checksum: String = Sha256::digest(&unsummed)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    value
        .as_object_mut()?
        .insert("checksum".to_string(), checksum.into());
    serde_json::to_vec(&value).ok()
}

/// Whether `text` is 64 lowercase hexadecimal digits.
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte))
}
