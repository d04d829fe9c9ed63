//! The bounded fuzz pass over every other input escrowsim reads: sweep
//! files, sweep manifests (`sweep.json`) and unit files (`units/*.json`),
//! each mutated from a real one, through the checks of
//! `exercise_formats.rs`. Whatever the input, escrowsim answers with a clear
//! refusal or a value that keeps its promises, never a panic.
//!
//! The real inputs are the shipped sweep file and a manifest and units made
//! here by planning and running a tiny sweep through the library. JSON
//! inputs get structural mutations (a value replaced, an element dropped or
//! repeated, a key removed) besides the byte-level ones of `mutate.rs`; a
//! mutated unit is tried as it is and with a fresh checksum, since an edit
//! alone only ever meets the checksum.
//!
//! Inputs that once broke escrowsim live in `tests/fuzz-regressions/`:
//! sweep files in `sweep/`, whose first line is `// expect: accepted` or
//! `// expect: rejected MESSAGE`; manifests in `manifest/` and units in
//! `unit/`, each `NAME.json` with its expectation in `NAME.json.expect`
//! (JSON has no comments): its first line is the expectation (`accepted`,
//! `unread` or `rejected MESSAGE`), any further lines say why the input is
//! kept. `tiny-sweep.json` and `tiny-sweep-unit-0.json` are real files, the
//! seeds of the libFuzzer targets; `ESCROWSIM_BLESS=1 cargo test --test it
//! fuzz_formats` rewrites them as the program writes them today.

use crate::common::repository_root;
use crate::exercise_formats::{
    Reading, exercise_manifest, exercise_sweep, exercise_unit, with_fresh_checksum,
};
use crate::generate::deterministic_config;
use crate::mutate::{mutated, mutation};
use escrowsim::program::NoProbe;
use escrowsim::sweep::{merge_units, parse_sweep, run_unit};
use proptest::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Fragments of the sweep language to splice in anywhere.
const SWEEP_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "//",
    "/*",
    "*/",
    "r#\"",
    "Sweep(",
    "Some(",
    "name: \"\",",
    "scenario: \"quick.ron\",",
    "scenario: \"missing.ron\",",
    "scenario: \"\",",
    "scenario: \"..\",",
    "replications: 10000,",
    "replications: 0,",
    "grid: [],",
    "(path: \"rules.\", values: [\"1\"]),",
    "(path: \"rules.claim_window_days\", values: [\"14\", \"14\"]),",
    "(path: \"rules.claim_window_days\", values: []),",
    "(path: \"rules.auto_release_days\", values: [\"0\", \"1\", \"3650\"]),",
    "(path: \"rules.coverage_limit_floor\", values: [\"\\\"0.00\\\"\", \"\\\"1000000000000.00\\\"\"]),",
    "(path: \"rules.coverage_limit_cap\", values: [\"\\\"0.01\\\"\"]),",
    "(path: \"rules.eligible_countries\", values: [\"[]\", \"[CN, IN]\"]),",
    "(path: \"rules.seller_fee_bps\", values: [\"10000\", \"10001\"]),",
    "(path: \"rules.deposit_release\", values: [\"AtContract\", \"AtAcceptance\", \"Never\"]),",
    "(path: \"rules.vetting_criteria\", values: [\"RiskScore(late: 1.0, dispute: 1.0, refund: 2.0, silence: 0.5, max_score: 0.0)\"]),",
    "(path: \"scenario.seed\", values: [\"1\"]),",
    "(path: \"suppliers[*].type_mix.fraudulent\", values: [0.0, 1.0, 1.5]),",
    "(path: \"suppliers[in-exporters].type_mix.poor\", values: [0.5]),",
    "(path: \"buyers[0].payment_mix.Card\", values: [0.3]),",
    "(path: \"buyers[0].order_value\", values: [\"Fixed(0.0)\", \"Uniform(min: 1.0, max: 2.0)\"]),",
    "(path: \"buyers[0].order_value.mean\", values: [1.0]),",
    "(path: \"buyers[9].count\", values: [1]),",
    "(path: \"supplier_types.reliable.fraud.clean_orders\", values: [3]),",
    "(path: \"horizon_days\", values: [0, 36526]),",
    "\"14, auto_release_days: 1\"",
    "\"Some(14)\"",
    "\"None\"",
    "#![enable(implicit_some)]",
    "é",
    "\u{FEFF}",
    "\u{0}",
];

/// Fragments of JSON to splice in anywhere.
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u0000",
    "\\ud800",
    "null",
    "true",
    "[]",
    "{}",
    "\"\"",
    "\"a\": 1,",
    "\"units\": 1,",
    "1e400",
    "-",
    "é",
    "\u{FEFF}",
];

/// JSON values at and beyond the edges of what a manifest or unit field
/// holds, for structural mutations.
const JSON_VALUES: &[&str] = &[
    "0",
    "-1",
    "1",
    "2",
    "10000",
    "10001",
    "1000000",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "0.5",
    "null",
    "true",
    "[]",
    "{}",
    "[[]]",
    "[0, 0]",
    "[1, 1]",
    "[60000000000, 1]",
    "[60000000001, 1]",
    "[60028878847, 1]",
    "[60028878848, 1]",
    "[1, 18446744073709551615]",
    "\"\"",
    "\"0\"",
    "\"-0.00\"",
    "\"0.10\"",
    "\"1e5\"",
    "\"1000000000000000\"",
    "\"-1000000000000000\"",
    "\"1000000000000000.01\"",
    "\"1000000000000000000\"",
    "\"1000000000000000001\"",
    "\"-1000000000000000000\"",
    "\"999999999999999999.99\"",
    "\"79228162514264337593543950335\"",
    "\"0.0000000000000000000000000001\"",
    "\"a.b\"",
    "\"a..b\"",
    "\".a\"",
    "\"count\"",
    "\"money\"",
    "\"number\"",
    "\"2014-05\"",
    "\"\\u0000\"",
    "\"escrowsim-sweep/v1\"",
    "\"escrowsim-sweep-unit/v2\"",
    "\"0000000000000000000000000000000000000000000000000000000000000000\"",
    "\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"",
];

/// An edit of a JSON document's structure; choices are taken modulo what
/// the document holds.
#[derive(Clone, Debug)]
enum JsonMutation {
    ReplaceLeaf { nth: usize, value: usize },
    DropElement { nth: usize, element: usize },
    RepeatElement { nth: usize, element: usize },
    RemoveKey { nth: usize, key: usize },
}

fn json_mutation() -> impl Strategy<Value = JsonMutation> {
    prop_oneof![
        6 => (any::<usize>(), 0..JSON_VALUES.len())
            .prop_map(|(nth, value)| JsonMutation::ReplaceLeaf { nth, value }),
        2 => (any::<usize>(), any::<usize>())
            .prop_map(|(nth, element)| JsonMutation::DropElement { nth, element }),
        2 => (any::<usize>(), any::<usize>())
            .prop_map(|(nth, element)| JsonMutation::RepeatElement { nth, element }),
        1 => (any::<usize>(), any::<usize>())
            .prop_map(|(nth, key)| JsonMutation::RemoveKey { nth, key }),
    ]
}

/// How many values of `value` (itself included) are `fitting`.
fn count_values(value: &Value, fitting: fn(&Value) -> bool) -> usize {
    let children = match value {
        Value::Array(elements) => elements.iter().map(|v| count_values(v, fitting)).sum(),
        Value::Object(map) => map.values().map(|v| count_values(v, fitting)).sum(),
        _ => 0,
    };
    usize::from(fitting(value)) + children
}

fn find_value<'a>(
    value: &'a mut Value,
    remaining: &mut usize,
    fitting: fn(&Value) -> bool,
) -> Option<&'a mut Value> {
    if fitting(value) {
        if *remaining == 0 {
            return Some(value);
        }
        *remaining -= 1;
    }
    match value {
        Value::Array(elements) => elements
            .iter_mut()
            .find_map(|element| find_value(element, remaining, fitting)),
        Value::Object(map) => map
            .values_mut()
            .find_map(|element| find_value(element, remaining, fitting)),
        _ => None,
    }
}

/// The `nth` (modulo their number) value of `document` that is
/// `fitting`, depth first, parents before children.
fn nth_value(document: &mut Value, nth: usize, fitting: fn(&Value) -> bool) -> Option<&mut Value> {
    let count = count_values(document, fitting);
    if count == 0 {
        return None;
    }
    find_value(document, &mut (nth % count), fitting)
}

fn apply_json(document: &mut Value, mutation: &JsonMutation) {
    match *mutation {
        JsonMutation::ReplaceLeaf { nth, value } => {
            let leaf = |value: &Value| !(value.is_array() || value.is_object());
            if let Some(found) = nth_value(document, nth, leaf) {
                *found = serde_json::from_str(JSON_VALUES[value]).expect("JSON_VALUES are JSON");
            }
        }
        JsonMutation::DropElement { nth, element } => {
            let array = |value: &Value| {
                value
                    .as_array()
                    .is_some_and(|elements| !elements.is_empty())
            };
            if let Some(Value::Array(elements)) = nth_value(document, nth, array) {
                elements.remove(element % elements.len());
            }
        }
        JsonMutation::RepeatElement { nth, element } => {
            let array = |value: &Value| {
                value
                    .as_array()
                    .is_some_and(|elements| !elements.is_empty())
            };
            if let Some(Value::Array(elements)) = nth_value(document, nth, array) {
                let at = element % elements.len();
                elements.insert(at, elements[at].clone());
            }
        }
        JsonMutation::RemoveKey { nth, key } => {
            let object = |value: &Value| value.as_object().is_some_and(|map| !map.is_empty());
            if let Some(Value::Object(map)) = nth_value(document, nth, object) {
                let name = map.keys().nth(key % map.len()).cloned().expect("not empty");
                map.remove(&name);
            }
        }
    }
}

/// Applies structural mutations to a JSON text, then byte-level ones; the
/// document is written compactly or pretty as the original was.
fn mutated_json(
    text: &str,
    structural: &[JsonMutation],
    bytes: &[crate::mutate::Mutation],
) -> Vec<u8> {
    let mut document: Value = serde_json::from_str(text).expect("a real file is JSON");
    for mutation in structural {
        apply_json(&mut document, mutation);
    }
    let rewritten = if text.trim_end().contains('\n') {
        serde_json::to_string_pretty(&document)
    } else {
        serde_json::to_string(&document)
    }
    .expect("a JSON value serialises");
    mutated(rewritten.as_bytes(), bytes, JSON_TOKENS)
}

fn scenarios_directory() -> PathBuf {
    repository_root().join("scenarios")
}

/// The shipped sweep file. Its scenario path, `../scenarios/quick.ron`,
/// resolves from `scenarios/` as it does from `sweeps/`.
fn shipped_sweep_text() -> String {
    std::fs::read_to_string(
        repository_root()
            .join("sweeps")
            .join("claim-window-by-release.ron"),
    )
    .expect("the shipped sweep file is readable")
}

/// How a grid value is written from its index.
type ValueWriter = fn(usize) -> String;

/// Grid paths for generated sweeps, valid and not, with how a value is
/// written from its index.
const GRID_PATHS: &[(&str, ValueWriter)] = &[
    ("rules.claim_window_days", |index| {
        (index % 3651).to_string()
    }),
    ("rules.seller_fee_bps", |index| (index % 10_001).to_string()),
    ("rules.deposit_release", |index| {
        ["AtContract", "AtShipment", "AtAcceptance"][index % 3].to_string()
    }),
    ("rules.no_such_rule", |index| index.to_string()),
    ("rules.", |index| index.to_string()),
    ("scenario.seed", |index| index.to_string()),
    ("suppliers[*].type_mix.fraudulent", |index| {
        ((index % 13) as f64 / 10.0).to_string()
    }),
    ("buyers[global-importers].order_value.median", |index| {
        (index * 100).to_string()
    }),
    ("supplier_types.poor.late_days.mean", |index| {
        index.to_string()
    }),
    ("buyers[3].count", |index| index.to_string()),
];

/// Sweep files of many dimensions, many values and edge replications:
/// grids far beyond the bounds, which must be refused before they are
/// expanded (byte mutations of a real file rarely grow one this far).
fn grid_sweep_text() -> impl Strategy<Value = String> {
    let values =
        prop_oneof![4 => 0usize..4, 1 => Just(1_000usize), 1 => Just(1_001usize), 1 => 5usize..30];
    let dimension = (0..GRID_PATHS.len(), values);
    let replications = prop_oneof![
        Just(0u32),
        Just(1),
        Just(2),
        Just(10_000),
        Just(10_001),
        Just(u32::MAX),
        1u32..50,
    ];
    (prop::collection::vec(dimension, 0..80), replications).prop_map(|(grid, replications)| {
        let dimensions: Vec<String> = grid
            .iter()
            .map(|&(path, count)| {
                let (path, value) = GRID_PATHS[path];
                let values: Vec<String> = (0..count).map(|index| format!("{:?}", value(index))).collect();
                format!("(path: {path:?}, values: [{}])", values.join(", "))
            })
            .collect();
        format!(
            "Sweep(name: \"grid\", scenario: \"quick.ron\", replications: {replications}, grid: [{}])",
            dimensions.join(", ")
        )
    })
}

/// A tiny sweep: 2 points x 2 replications of quick.ron.
const TINY_SWEEP: &str = r#"Sweep(
    name: "fuzz-seed",
    scenario: "quick.ron",
    replications: 2,
    grid: [(path: "rules.claim_window_days", values: ["14", "45"])],
)
"#;

const TINY_STUDY: &str = r#"Study(
    name: "fuzz-study",
    scenario: "quick.ron",
    design: Morris(trajectories: 2),
    factors: [
        (path: "buyers[*].false_claim_probability", range: (0.0, 0.05)),
        (path: "rules.claim_window_days", values: [14, 45]),
    ],
    metrics: ["refunds.rate"],
)
"#;

const TINY_CALIBRATION: &str = r#"Calibration(
    name: "fuzz-calibration",
    scenario: "quick.ron",
    points: 8,
    accept: 0.5,
    factors: [(path: "suppliers[*].type_mix.fraudulent", range: (0.0, 0.1))],
    targets: [(metric: "approved_suppliers", month: "2014-06", value: 500, sd: 50)],
)
"#;

const TINY_OPTIMIZATION: &str = r#"Optimize(
    name: "fuzz-optimize",
    scenario: "quick.ron",
    decisions: [
        (path: "rules.claim_window_days", values: [14, 45]),
        (path: "rules.coverage_limit_floor", values: ["5000.00", "10000.00"]),
    ],
    maximise: "gmv.covered",
    constraints: [(metric: "refunds.rate", at_most: 0.1)],
    indifference: 1000,
)
"#;

/// Words of optimisation files that mutations insert.
const OPTIMIZATION_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "Optimize(",
    "minimise: \"risk.loss_bps\",",
    "maximise: \"nope\",",
    "at_least: 1e308",
    "at_most: -1",
    "confidence: 1.0,",
    "indifference: 0,",
    "first_stage: 1,",
    "growth: 100,",
    "racing_replications: 1000000,",
    "selection_batch: 0,",
    "confirmation: 1,",
    "common_random_numbers: false,",
    "path: \"suppliers[*].count\"",
    "path: \"rules.vetting_criteria.min_on_time_rate\"",
    "values: []",
    "values: [0.5, 2.0]",
];

/// An optimisation text planned as `escrowsim optimize` plans it: refused
/// with problems that name the file, or a plan whose candidates are valid
/// scenarios and whose procedure asks for a first stage. Never a panic.
fn exercise_optimization(text: &[u8]) {
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let planned = escrowsim::analysis::optimize::plan_optimization(
        text,
        "optimize.ron",
        &scenarios_directory(),
        read_scenario,
    );
    if let Some(plan) = checked_plan(planned, "optimize.ron", |plan| &plan.sweep) {
        let candidates = plan.sweep.points.len();
        let progress = escrowsim::analysis::optimize::progress(
            &plan.optimization,
            candidates,
            &escrowsim::analysis::optimize::Observations::new(candidates),
        )
        .unwrap_or_else(|error| panic!("a valid plan's first stage: {error}"));
        let stage = progress.next.expect("nothing has run");
        assert!(
            stage
                .units
                .iter()
                .all(|&unit| unit < plan.sweep.unit_count())
        );
    }
}

/// Reads a base scenario as the binary does, bounded.
fn read_scenario(path: &Path) -> Result<String, escrowsim::input::InputError> {
    escrowsim::input::read_text_bounded(path, escrowsim::scenario::limits::SCENARIO_FILE_BYTES_MAX)
}

/// What planning a file gave: refused with problems that name `source`,
/// or a plan whose points (the first eight) are valid scenarios, returned.
/// Never a panic.
fn checked_plan<P>(
    planned: Result<P, escrowsim::sweep::SweepError>,
    source: &str,
    sweep: impl Fn(&P) -> &escrowsim::sweep::SweepPlan,
) -> Option<P> {
    match planned {
        Ok(plan) => {
            assert!(!sweep(&plan).points.is_empty(), "a plan has points");
            for point in sweep(&plan).points.iter().take(8) {
                assert!(escrowsim::scenario::validate(&point.scenario).is_empty());
            }
            Some(plan)
        }
        Err(escrowsim::sweep::SweepError::Invalid(problems)) => {
            assert!(!problems.is_empty(), "a refusal has a problem");
            for problem in problems {
                assert_eq!(problem.source, source, "{problem:?}");
                assert!(!problem.message.is_empty());
            }
            None
        }
        Err(other) => {
            assert!(!other.to_string().is_empty());
            None
        }
    }
}

/// Words of study files that mutations insert.
const STUDY_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "//",
    "Study(",
    "Calibration(",
    "design: Sobol(base_rows: 8),",
    "design: LatinHypercube(points: 0),",
    "design: Abc(points: 4),",
    "Morris(trajectories: 1000000)",
    "range: (1.0, 0.0)",
    "range: (0.0, 1e308)",
    "values: []",
    "path: \"suppliers[*].type_mix.poor\"",
    "path: \"buyers[9].count\"",
    "metrics: [\"nope\"],",
    "month: \"1999-01\",",
    "sd: 0.0",
    "accept: 2.0,",
    "replications: 0,",
];

/// A study or calibration text planned as `escrowsim sensitivity` plans it:
/// refused with problems that name the file, or a plan whose points are
/// valid scenarios. Never a panic.
fn exercise_study(text: &[u8]) {
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let planned = escrowsim::analysis::study::plan_study(
        text,
        "study.ron",
        &scenarios_directory(),
        read_scenario,
    );
    checked_plan(planned, "study.ron", |plan| &plan.sweep);
}

/// A real manifest and real unit files, as `escrowsim sweep` writes them.
struct RealFiles {
    manifest: String,
    /// Units 0 and 1: both replications of point 0.
    units: Vec<String>,
}

fn real_files() -> &'static RealFiles {
    static FILES: OnceLock<RealFiles> = OnceLock::new();
    FILES.get_or_init(|| {
        let plan = parse_sweep(TINY_SWEEP, "tiny.ron", &scenarios_directory())
            .unwrap_or_else(|error| panic!("{error}"));
        let units = (0..2)
            .map(|unit| {
                run_unit(&plan, unit, &mut NoProbe)
                    .expect("NoProbe never interrupts")
                    .to_json()
            })
            .collect();
        RealFiles {
            manifest: plan.manifest().to_json(),
            units,
        }
    })
}

fn regression_directory(format: &str) -> PathBuf {
    repository_root()
        .join("tests")
        .join("fuzz-regressions")
        .join(format)
}

/// Checks `reading` against an expectation: `accepted`, `unread` or
/// `rejected MESSAGE` (a part of the message).
fn check_expectation(path: &Path, expected: &str, reading: &Reading) {
    match (reading, expected.split_once(' ')) {
        (Reading::Rejected(message), Some(("rejected", needle))) => assert!(
            message.contains(needle),
            "{}: expected {needle:?} in {message}",
            path.display()
        ),
        (Reading::Accepted, None) if expected == "accepted" => {}
        (Reading::Unread, None) if expected == "unread" => {}
        _ => panic!("{}: expected {expected}, got {reading:?}", path.display()),
    }
}

/// The inputs of one regression directory with their extension, sorted.
fn regression_inputs(format: &str, extension: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(regression_directory(format))
        .unwrap_or_else(|error| panic!("tests/fuzz-regressions/{format}: {error}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no {format} regression inputs");
    paths
}

/// The expectation of a JSON input, from `NAME.json.expect`.
fn json_expectation(path: &Path) -> String {
    let mut expect_path = path.as_os_str().to_owned();
    expect_path.push(".expect");
    std::fs::read_to_string(&expect_path)
        .unwrap_or_else(|error| panic!("{}.expect: {error}", path.display()))
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[test]
fn the_shipped_sweep_and_real_files_are_accepted() {
    assert_eq!(
        exercise_sweep(shipped_sweep_text().as_bytes(), &scenarios_directory()),
        Reading::Accepted
    );
    assert_eq!(
        exercise_sweep(TINY_SWEEP.as_bytes(), &scenarios_directory()),
        Reading::Accepted
    );
    let files = real_files();
    assert_eq!(
        exercise_manifest(files.manifest.as_bytes()),
        Reading::Accepted
    );
    for unit in &files.units {
        assert_eq!(exercise_unit(unit.as_bytes()), Reading::Accepted);
        // A fresh checksum of an unedited unit is the checksum it has.
        assert_eq!(
            with_fresh_checksum(unit.as_bytes()).map(|bytes| String::from_utf8(bytes).unwrap()),
            Some(unit.trim_end().to_string())
        );
    }
    // The real manifest and units merge, as `escrowsim merge` would.
    let plan = parse_sweep(TINY_SWEEP, "tiny.ron", &scenarios_directory()).unwrap();
    let mut first_point = plan.clone();
    first_point.points.truncate(1);
    let units = files
        .units
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let source = format!("unit-{index}.json");
            let unit = escrowsim::sweep::UnitResult::from_json(text, &source).unwrap();
            (source, unit)
        })
        .collect();
    merge_units(&first_point.manifest(), units).expect("the real units merge");
}

#[test]
fn invalid_utf8_and_oversized_inputs_are_unread() {
    let directory = scenarios_directory();
    for bytes in [
        &b"Sweep(name: \"\xff\")"[..],
        b"\xc3\x28",
        b"{\"\xed\xa0\x80\": 1}",
    ] {
        assert_eq!(exercise_sweep(bytes, &directory), Reading::Unread);
        assert_eq!(exercise_manifest(bytes), Reading::Unread);
        assert_eq!(exercise_unit(bytes), Reading::Unread);
    }
    let oversized = vec![b' '; 1024 * 1024 + 1];
    assert_eq!(exercise_sweep(&oversized, &directory), Reading::Unread);
}

#[test]
fn every_recorded_sweep_regression_is_answered_as_expected() {
    for path in regression_inputs("sweep", "ron") {
        let bytes = std::fs::read(&path).unwrap();
        let expected = String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("// expect: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{}: first line is `// expect: ...`", path.display()));
        check_expectation(
            &path,
            &expected,
            &exercise_sweep(&bytes, &scenarios_directory()),
        );
    }
}

#[test]
fn every_recorded_manifest_regression_is_answered_as_expected() {
    for path in regression_inputs("manifest", "json") {
        let bytes = std::fs::read(&path).unwrap();
        check_expectation(&path, &json_expectation(&path), &exercise_manifest(&bytes));
    }
}

#[test]
fn every_recorded_unit_regression_is_answered_as_expected() {
    for path in regression_inputs("unit", "json") {
        let bytes = std::fs::read(&path).unwrap();
        check_expectation(&path, &json_expectation(&path), &exercise_unit(&bytes));
    }
}

#[test]
fn the_seed_optimisation_plans() {
    let plan = escrowsim::analysis::optimize::plan_optimization(
        TINY_OPTIMIZATION,
        "optimize.ron",
        &scenarios_directory(),
        |path| {
            escrowsim::input::read_text_bounded(
                path,
                escrowsim::scenario::limits::SCENARIO_FILE_BYTES_MAX,
            )
        },
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(plan.sweep.points.len(), 4);
}

#[test]
fn the_seed_studies_plan() {
    for text in [TINY_STUDY, TINY_CALIBRATION] {
        let plan = escrowsim::analysis::study::plan_study(
            text,
            "study.ron",
            &scenarios_directory(),
            |path| {
                escrowsim::input::read_text_bounded(
                    path,
                    escrowsim::scenario::limits::SCENARIO_FILE_BYTES_MAX,
                )
            },
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(!plan.sweep.points.is_empty());
    }
}

#[test]
fn the_seed_manifest_and_unit_are_accepted() {
    // Goal: the libFuzzer targets start from files the program accepts;
    // ESCROWSIM_BLESS=1 rewrites them as the program writes them today.
    let files = real_files();
    let manifest = regression_directory("manifest").join("tiny-sweep.json");
    let unit = regression_directory("unit").join("tiny-sweep-unit-0.json");
    if std::env::var_os("ESCROWSIM_BLESS").is_some() {
        std::fs::write(&manifest, &files.manifest).unwrap();
        std::fs::write(&unit, &files.units[0]).unwrap();
    }
    let read = |path: &Path| {
        std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    };
    assert_eq!(exercise_manifest(&read(&manifest)), Reading::Accepted);
    assert_eq!(exercise_unit(&read(&unit)), Reading::Accepted);
}

proptest! {
    #![proptest_config(deterministic_config(200))]

    #[test]
    fn mutated_sweep_files_are_refused_clearly_or_plan_checked_sweeps(
        base in 0usize..2,
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let base = if base == 0 { shipped_sweep_text() } else { TINY_SWEEP.to_string() };
        let text = mutated(base.as_bytes(), &mutations, SWEEP_TOKENS);
        // A panic inside fails the case; proptest shrinks it and prints the mutations.
        let _ = exercise_sweep(&text, &scenarios_directory());
    }

    #[test]
    fn mutated_study_files_are_refused_clearly_or_plan_valid_points(
        base in 0usize..2,
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let base = if base == 0 { TINY_STUDY } else { TINY_CALIBRATION };
        exercise_study(&mutated(base.as_bytes(), &mutations, STUDY_TOKENS));
    }

    #[test]
    fn mutated_optimisation_files_are_refused_clearly_or_plan_a_first_stage(
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        exercise_optimization(&mutated(TINY_OPTIMIZATION.as_bytes(), &mutations, OPTIMIZATION_TOKENS));
    }

    #[test]
    fn mutated_manifests_are_refused_clearly_or_read_back_whole(
        structural in prop::collection::vec(json_mutation(), 0..4),
        mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        let text = mutated_json(&real_files().manifest, &structural, &mutations);
        let _ = exercise_manifest(&text);
    }

    #[test]
    fn mutated_units_are_refused_clearly_or_read_back_and_merge(
        base in 0usize..2,
        structural in prop::collection::vec(json_mutation(), 0..4),
        mutations in prop::collection::vec(mutation(), 0..2),
    ) {
        let text = mutated_json(&real_files().units[base], &structural, &mutations);
        let _ = exercise_unit(&text);
        if let Some(fresh) = with_fresh_checksum(&text) {
            let _ = exercise_unit(&fresh);
        }
    }
}

proptest! {
    // Fewer cases: a valid grid of thousands of points is planned twice.
    #![proptest_config(deterministic_config(48))]

    #[test]
    fn generated_grids_are_refused_clearly_or_plan_checked_sweeps(text in grid_sweep_text()) {
        let _ = exercise_sweep(text.as_bytes(), &scenarios_directory());
    }
}
