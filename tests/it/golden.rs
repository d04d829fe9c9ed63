//! Golden digests: every shipped scenario, run with its own seed, must give
//! the digest recorded in `tests/golden/digests.txt`, and the quick
//! scenario's whole outcome must equal `tests/golden/quick.outcome.json`.
//!
//! A change of behaviour shows here first. When the change is intended,
//! refresh the expected files with
//! `ESCROWSIM_BLESS=1 cargo test --test it golden` and commit the diff,
//! which then shows in review exactly what moved.
//!
//! A scenario too large for the test suite (the scale benchmark runs for
//! tens of seconds even in a release build) is recorded with the marker
//! `release` after its digest. This test then only checks that its file
//! exists and says that it skipped it; `.ci/run` runs it in a release build
//! and compares the digest, and `ESCROWSIM_BLESS=1 bash .ci/run` refreshes it.

use crate::common::{outcome_json, repository_root, run, shipped_scenario, shipped_scenario_files};
use std::collections::BTreeMap;

fn blessing() -> bool {
    std::env::var_os("ESCROWSIM_BLESS").is_some()
}

fn digests_path() -> std::path::PathBuf {
    repository_root().join("tests/golden/digests.txt")
}

/// The marker of a digest that `.ci/run` checks in a release build.
const CHECKED_IN_RELEASE: &str = "release";

/// A recorded digest, and whether the release-build check owns it.
struct Recorded {
    digest: String,
    checked_in_release: bool,
}

fn recorded_digests() -> BTreeMap<String, Recorded> {
    let text = std::fs::read_to_string(digests_path()).unwrap_or_default();
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let file_name = fields.next()?.to_string();
            let digest = fields.next()?.to_string();
            let checked_in_release = fields.next() == Some(CHECKED_IN_RELEASE);
            Some((
                file_name,
                Recorded {
                    digest,
                    checked_in_release,
                },
            ))
        })
        .collect()
}

#[test]
fn every_shipped_scenario_reproduces_its_golden_digest() {
    let expected = recorded_digests();
    let shipped = shipped_scenario_files();
    let mut actual = BTreeMap::new();
    for file_name in &shipped {
        if expected
            .get(file_name)
            .is_some_and(|recorded| recorded.checked_in_release)
        {
            eprintln!(
                "golden: {file_name} skipped here; .ci/run checks its digest in a release build"
            );
            continue;
        }
        let scenario = shipped_scenario(file_name);
        let (_, report) = run(&scenario);
        actual.insert(file_name.clone(), report.digest);
    }
    if blessing() {
        let mut text = String::from(
            "# scenario-file digest (each run with its own seed); refresh: ESCROWSIM_BLESS=1 cargo test --test it golden\n\
             # \"release\" after a digest: too large for cargo test; .ci/run checks it in a release build\n\
             # (refresh: ESCROWSIM_BLESS=1 bash .ci/run)\n",
        );
        for file_name in &shipped {
            match (actual.get(file_name), expected.get(file_name)) {
                (Some(digest), _) => text.push_str(&format!("{file_name} {digest}\n")),
                (None, Some(recorded)) => text.push_str(&format!(
                    "{file_name} {} {CHECKED_IN_RELEASE}\n",
                    recorded.digest
                )),
                (None, None) => {}
            }
        }
        std::fs::write(digests_path(), text).expect("digests written");
        return;
    }
    let mut differences = Vec::new();
    for (file_name, digest) in &actual {
        match expected.get(file_name) {
            Some(recorded) if recorded.digest == *digest => {}
            Some(recorded) => differences.push(format!(
                "{file_name}: digest {digest}, recorded {}",
                recorded.digest
            )),
            None => differences.push(format!("{file_name}: no recorded digest (new scenario?)")),
        }
    }
    for file_name in expected.keys().filter(|name| !shipped.contains(*name)) {
        differences.push(format!(
            "{file_name}: recorded but the scenario file is gone"
        ));
    }
    assert!(
        differences.is_empty(),
        "golden digests differ:\n{}\nIf the change is intended: ESCROWSIM_BLESS=1 cargo test --test it golden",
        differences.join("\n")
    );
}

#[test]
fn the_quick_scenario_outcome_matches_the_expected_file() {
    let (_, report) = run(&shipped_scenario("quick.ron"));
    let mut actual = serde_json::to_string_pretty(&outcome_json(&report)).expect("serialises");
    actual.push('\n');
    let path = repository_root().join("tests/golden/quick.outcome.json");
    if blessing() {
        std::fs::write(&path, &actual).expect("expected outcome written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .find(|(_, (expected_line, actual_line))| expected_line != actual_line)
            .map(|(index, (expected_line, actual_line))| {
                format!(
                    "line {}: expected `{expected_line}`, got `{actual_line}`",
                    index + 1
                )
            })
            .unwrap_or_else(|| "the files differ in length".to_string());
        panic!(
            "quick.ron outcome changed ({first_difference}).\nIf intended: ESCROWSIM_BLESS=1 cargo test --test it golden"
        );
    }
}
