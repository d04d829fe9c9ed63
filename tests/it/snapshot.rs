//! Saved states and forks. The expected values are derived, not golden: a
//! run saved at a date and resumed under the same rules must give the
//! outcome of the run never interrupted (every byte of the outcome and its
//! digest), and a run resumed under other rules must give the outcome of
//! the scenario whose timeline makes that change at that date.

use crate::common::{outcome_json, parse, shipped_scenario, shipped_text};
use escrowsim::engine::Streams;
use escrowsim::program::snapshot::{
    self, SnapshotError, decode, encode, run_from_state, run_to_state,
};
use escrowsim::program::{NoProbe, Simulation, SimulationState};
use escrowsim::report::Report;
use escrowsim::scenario::Scenario;

/// quick.ron with a timeline: a change that calls for a review (India
/// becomes eligible, 2014-06-15, day 45), one of the claim window alone
/// (2014-07-10, day 70) and one of volunteering (2014-08-01, day 92).
fn quick_with_timeline() -> Scenario {
    let text = shipped_text("quick.ron");
    let end = text.rfind(')').expect("a scenario ends with ')'");
    parse(&format!(
        "{}    timeline: [\n\
         (date: \"2014-06-15\", rules: (eligible_countries: [\"CN\", \"IN\"])),\n\
         (date: \"2014-07-10\", rules: (claim_window_days: 12)),\n\
         (date: \"2014-08-01\", volunteer_probability: [(\"cn-manufacturers\", 0.8)]),\n\
         ],\n)\n",
        &text[..end]
    ))
}

/// `scenario` with `entry` (RON of one timeline entry) as its whole timeline.
fn with_timeline(scenario_file: &str, entries: &str) -> Scenario {
    let text = shipped_text(scenario_file);
    let end = text.rfind(')').expect("a scenario ends with ')'");
    parse(&format!("{}    timeline: [{entries}],\n)\n", &text[..end]))
}

fn report_of(scenario: &Scenario, seed: u64, output: &escrowsim::program::RunOutput) -> Report {
    Report::new(scenario, seed, output, None)
}

fn uninterrupted(scenario: &Scenario, streams: Streams) -> Report {
    let seed = streams.seed;
    let output = escrowsim::run_on_streams(scenario, streams, &mut NoProbe).expect("no stop");
    report_of(scenario, seed, &output)
}

fn state_at(scenario: &Scenario, streams: Streams, at_day: u32) -> SimulationState {
    run_to_state(scenario, streams, at_day, &mut NoProbe).expect("no stop")
}

/// Saves at `at_day` to bytes, reads them back, and runs to the end.
fn saved_and_resumed(
    scenario: &Scenario,
    streams: Streams,
    at_day: u32,
    rules_from: Option<&Scenario>,
) -> Report {
    let seed = streams.seed;
    let bytes = encode(scenario, &state_at(scenario, streams, at_day));
    let state = decode(&bytes, scenario).unwrap_or_else(|error| panic!("{error}"));
    let output = run_from_state(scenario, state, rules_from, &mut NoProbe).expect("resumes");
    report_of(rules_from.unwrap_or(scenario), seed, &output)
}

fn assert_same_outcome(resumed: &Report, expected: &Report, what: &str) {
    assert_eq!(
        outcome_json(resumed),
        outcome_json(expected),
        "{what}: the outcome differs"
    );
    assert_eq!(
        resumed.digest, expected.digest,
        "{what}: the digest differs"
    );
}

#[test]
fn saving_and_resuming_under_the_same_rules_gives_the_uninterrupted_outcome() {
    // Day 0 (before anything), 31 (the first month boundary, 2014-06-01),
    // 45 (a timeline date), 58 (mid-month), 92 (a month boundary and a
    // timeline date), 119 (the last day) and 120 (the horizon itself).
    for (name, scenario) in [
        ("quick", shipped_scenario("quick.ron")),
        ("quick with a timeline", quick_with_timeline()),
    ] {
        let expected = uninterrupted(&scenario, Streams::new(scenario.seed));
        for at_day in [0, 31, 45, 58, 70, 92, 119, 120] {
            let resumed = saved_and_resumed(&scenario, Streams::new(scenario.seed), at_day, None);
            assert_same_outcome(
                &resumed,
                &expected,
                &format!("{name} saved at day {at_day}"),
            );
        }
    }
}

#[test]
fn a_mirrored_run_resumes_as_its_uninterrupted_twin() {
    let scenario = quick_with_timeline();
    let expected = uninterrupted(&scenario, Streams::mirrored(scenario.seed));
    let plain = uninterrupted(&scenario, Streams::new(scenario.seed));
    assert_ne!(expected.digest, plain.digest, "mirroring changes the run");
    for at_day in [31, 58] {
        let resumed = saved_and_resumed(&scenario, Streams::mirrored(scenario.seed), at_day, None);
        assert_same_outcome(&resumed, &expected, &format!("mirrored, day {at_day}"));
    }
}

#[test]
fn a_loaded_state_saves_to_the_bytes_it_was_loaded_from() {
    let scenario = quick_with_timeline();
    for at_day in [0, 58, 120] {
        let bytes = encode(&scenario, &state_at(&scenario, Streams::new(3), at_day));
        let again = encode(&scenario, &decode(&bytes, &scenario).expect("decodes"));
        assert!(
            bytes == again,
            "day {at_day}: the bytes changed on a round trip"
        );
    }
}

#[test]
fn the_same_state_is_saved_on_every_save() {
    // Determinism of the file itself: two runs to the same date, two
    // identical files.
    let scenario = shipped_scenario("quick.ron");
    let first = encode(&scenario, &state_at(&scenario, Streams::new(11), 40));
    let second = encode(&scenario, &state_at(&scenario, Streams::new(11), 40));
    assert!(first == second);
}

#[test]
fn resuming_under_the_rules_of_the_same_scenario_changes_nothing() {
    let scenario = quick_with_timeline();
    let expected = uninterrupted(&scenario, Streams::new(scenario.seed));
    for at_day in [45, 60] {
        let resumed = saved_and_resumed(
            &scenario,
            Streams::new(scenario.seed),
            at_day,
            Some(&scenario),
        );
        assert_same_outcome(
            &resumed,
            &expected,
            &format!("rules of itself, day {at_day}"),
        );
    }
}

#[test]
fn resuming_under_a_scenario_whose_timeline_changes_a_rule_equals_that_scenario() {
    // quick.ron and the same with one timeline entry on date D share their
    // run up to D, so quick's state at D (or at any day up to D) resumed
    // under the other's rules is the other's run. Day 31 is a month
    // boundary, where a month end and the change share a second.
    let scenario = shipped_scenario("quick.ron");
    for (date, at_days) in [("2014-06-01", [31, 20]), ("2014-06-20", [50, 35])] {
        for entry in [
            "(rules: (claim_window_days: 5))",
            "(rules: (eligible_countries: [\"CN\", \"IN\"], auto_release_days: 9))",
            "(volunteer_probability: [(\"cn-manufacturers\", 0.9)])",
        ] {
            let entry = entry.replacen('(', &format!("(date: \"{date}\", "), 1);
            let changed = with_timeline("quick.ron", &entry);
            let expected = uninterrupted(&changed, Streams::new(scenario.seed));
            for at_day in at_days {
                let resumed = saved_and_resumed(
                    &scenario,
                    Streams::new(scenario.seed),
                    at_day,
                    Some(&changed),
                );
                assert_same_outcome(&resumed, &expected, &format!("{entry} from day {at_day}"));
            }
        }
    }
}

#[test]
fn resuming_from_the_start_under_other_rules_is_the_other_scenarios_run() {
    // At day 0 nothing has happened but the population's drawing, which
    // depends on the world alone: the state is the other scenario's start.
    let scenario = shipped_scenario("quick.ron");
    for other in [
        shipped_scenario("quick-release-at-contract.ron"),
        quick_with_timeline(),
    ] {
        let expected = uninterrupted(&other, Streams::new(scenario.seed));
        let resumed = saved_and_resumed(&scenario, Streams::new(scenario.seed), 0, Some(&other));
        assert_same_outcome(&resumed, &expected, &format!("{} from day 0", other.name));
    }
}

#[test]
fn resuming_under_other_rules_is_a_change_of_rules_on_the_resumed_date() {
    // Other base rules (a 5-day claim window and India eligible) from day
    // 58 (2014-06-28) on are, by the documented semantics, a timeline
    // entry on that date setting those rules.
    let scenario = shipped_scenario("quick.ron");
    let text = shipped_text("quick.ron").replace(
        "claim_window_days: 30,",
        "claim_window_days: 5, eligible_countries: [\"CN\", \"IN\"],",
    );
    let text = text.replacen("eligible_countries: [\"CN\"],          // seed", "", 1);
    let other_rules = parse(&text);
    assert_ne!(other_rules.rules, scenario.rules);
    let as_timeline = with_timeline(
        "quick.ron",
        "(date: \"2014-06-28\", rules: (claim_window_days: 5, eligible_countries: [\"CN\", \"IN\"]))",
    );
    let expected = uninterrupted(&as_timeline, Streams::new(scenario.seed));
    let resumed = saved_and_resumed(
        &scenario,
        Streams::new(scenario.seed),
        58,
        Some(&other_rules),
    );
    assert_same_outcome(&resumed, &expected, "other rules from day 58");

    // And the months before the fork are the original run's, to the cent:
    // May (the whole of it) is closed before day 58.
    let original = uninterrupted(&scenario, Streams::new(scenario.seed));
    let months = |report: &Report| outcome_json(report)["monthly"].clone();
    assert_eq!(months(&resumed)[0], months(&original)[0]);
    assert_ne!(
        resumed.digest, original.digest,
        "a 5-day window changes the run"
    );
}

#[test]
fn a_state_is_refused_by_another_scenario() {
    let scenario = shipped_scenario("quick.ron");
    let bytes = encode(&scenario, &state_at(&scenario, Streams::new(1), 30));
    let other_rules = parse(
        &shipped_text("quick.ron").replace("claim_window_days: 30,", "claim_window_days: 31,"),
    );
    assert!(matches!(
        decode(&bytes, &other_rules),
        Err(SnapshotError::OtherScenario(message)) if message.contains("--rules-from")
    ));
    let other_world = parse(&shipped_text("quick.ron").replace("count: 2000,", "count: 1999,"));
    assert!(matches!(
        decode(&bytes, &other_world),
        Err(SnapshotError::OtherScenario(message)) if message.contains("world")
    ));
    // Restoring a state into a world of another size is refused too, not
    // continued (the file's digests are what stops it first in practice).
    let state = state_at(&scenario, Streams::new(1), 30);
    assert!(Simulation::restore(&other_world, state.clone(), None).is_err());
    assert!(Simulation::restore(&scenario, state, Some(&other_world)).is_err());
}

#[test]
fn damaged_states_are_refused_with_the_reason() {
    let scenario = shipped_scenario("quick.ron");
    let bytes = encode(&scenario, &state_at(&scenario, Streams::new(1), 30));
    assert_eq!(
        decode(b"RON(", &scenario).unwrap_err(),
        SnapshotError::NotAState
    );
    assert_eq!(
        decode(&[], &scenario).unwrap_err(),
        SnapshotError::NotAState
    );
    let mut other_format = bytes.clone();
    other_format[8] = 2;
    assert_eq!(
        decode(&other_format, &scenario).unwrap_err(),
        SnapshotError::OtherFormat { found: 2 }
    );
    for cut in [9, 20, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(
                decode(&bytes[..cut], &scenario),
                Err(SnapshotError::Corrupted(_))
            ),
            "truncated to {cut} bytes"
        );
    }
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    assert!(matches!(
        decode(&flipped, &scenario),
        Err(SnapshotError::Corrupted(_))
    ));
}

#[test]
fn a_state_of_another_escrowsim_version_is_refused() {
    // The version string sits after the magic and the format version; a
    // file rewritten with another version (and a checksum made to match)
    // is refused by name.
    use sha2::{Digest, Sha256};
    let scenario = shipped_scenario("quick.ron");
    let mut bytes = encode(&scenario, &state_at(&scenario, Streams::new(1), 30));
    let version_at = 13;
    bytes[version_at] = b'9';
    let body = bytes.len() - 32;
    let checksum = Sha256::digest(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum);
    assert!(matches!(
        decode(&bytes, &scenario),
        Err(SnapshotError::OtherVersion { found }) if found.starts_with('9')
    ));
}

#[test]
fn the_state_file_is_versioned_and_tied_to_its_scenario() {
    let scenario = shipped_scenario("quick.ron");
    let bytes = encode(&scenario, &state_at(&scenario, Streams::new(1), 30));
    assert_eq!(&bytes[..8], b"ESIMSTAT");
    assert_eq!(bytes[8..12], snapshot::FORMAT_VERSION.to_le_bytes());
    let version = escrowsim::report::VERSION.as_bytes();
    assert_eq!(usize::from(bytes[12]), version.len());
    assert_eq!(&bytes[13..13 + version.len()], version);
    let digests = 13 + version.len();
    assert_eq!(
        bytes[digests..digests + 32],
        snapshot::world_digest(&scenario)
    );
    assert_eq!(
        bytes[digests + 32..digests + 64],
        snapshot::rules_digest(&scenario)
    );
}

// The command line: the same invariants through the files, and every
// refusal an exit 2 naming the file.

use crate::common::{escrowsim, path, scenario_path, stderr, succeeded, temporary_file};

fn digest_of(json: &str) -> String {
    let report: serde_json::Value = serde_json::from_str(json).expect("a JSON report");
    report["digest"].as_str().expect("a digest").to_string()
}

#[test]
fn run_saves_a_state_and_resumes_from_it_to_the_uninterrupted_digest() {
    let quick = scenario_path("quick.ron");
    let state = temporary_file("cli-save-resume", "june.state", b"");
    let whole = succeeded(&escrowsim(&[
        "run",
        path(&quick),
        "--seed",
        "5",
        "--format",
        "json",
    ]));
    let saved = escrowsim(&[
        "run",
        path(&quick),
        "--seed",
        "5",
        "--save-state",
        path(&state),
        "--at",
        "2014-06-01",
    ]);
    assert_eq!(saved.status.code(), Some(0), "{}", stderr(&saved));
    assert!(
        saved.stdout.is_empty(),
        "saving writes the state, not a report"
    );
    assert!(
        stderr(&saved).contains("day 31 of 120"),
        "{}",
        stderr(&saved)
    );
    let resumed = succeeded(&escrowsim(&[
        "run",
        path(&quick),
        "--from-state",
        path(&state),
        "--format",
        "json",
    ]));
    assert_eq!(digest_of(&resumed), digest_of(&whole));
}

#[test]
fn run_resumes_under_other_rules_as_a_timeline_change_on_that_date() {
    let quick = scenario_path("quick.ron");
    let variant = scenario_path("quick-release-at-contract.ron");
    let state = temporary_file("cli-rules-from", "july.state", b"");
    succeeded(&escrowsim(&[
        "run",
        path(&quick),
        "--save-state",
        path(&state),
        "--at",
        "2014-07-01",
    ]));
    let resumed = succeeded(&escrowsim(&[
        "run",
        path(&quick),
        "--from-state",
        path(&state),
        "--rules-from",
        path(&variant),
        "--format",
        "json",
    ]));
    let as_timeline = with_timeline(
        "quick.ron",
        "(date: \"2014-07-01\", rules: (deposit_release: AtContract))",
    );
    let expected = uninterrupted(&as_timeline, Streams::new(as_timeline.seed));
    assert_eq!(digest_of(&resumed), expected.digest);
    let report: serde_json::Value = serde_json::from_str(&resumed).expect("JSON");
    assert_eq!(report["scenario"], "quick-release-at-contract");
}

/// A refusal: exit 2, and a message naming `file` and containing `reason`.
fn assert_refused(arguments: &[&str], file: &str, reason: &str) {
    let output = escrowsim(arguments);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{arguments:?}: {message}");
    assert!(
        message.contains(file),
        "{arguments:?} names {file}: {message}"
    );
    assert!(
        message.contains(reason),
        "{arguments:?} says {reason}: {message}"
    );
    assert!(output.stdout.is_empty(), "{arguments:?} wrote a report");
}

#[test]
fn run_refuses_a_damaged_foreign_or_missing_state_with_exit_2() {
    let quick = scenario_path("quick.ron");
    let state = temporary_file("cli-refusals", "good.state", b"");
    succeeded(&escrowsim(&[
        "run",
        path(&quick),
        "--save-state",
        path(&state),
        "--at",
        "2014-06-10",
    ]));
    let bytes = std::fs::read(&state).expect("the state was written");
    let truncated = temporary_file("cli-refusals", "truncated.state", &bytes[..bytes.len() / 3]);
    let mut flipped_bytes = bytes.clone();
    let last = flipped_bytes.len() - 40;
    flipped_bytes[last] ^= 1;
    let flipped = temporary_file("cli-refusals", "flipped.state", &flipped_bytes);
    let scenario_text = temporary_file("cli-refusals", "text.state", b"Scenario(name: \"x\")");
    let strict = scenario_path("strict-vetting.ron");
    fn run_from<'p>(quick: &'p std::path::Path, file: &'p std::path::Path) -> Vec<&'p str> {
        vec!["run", path(quick), "--from-state", path(file)]
    }
    assert_refused(
        &run_from(&quick, &truncated),
        "truncated.state",
        "truncated or corrupted",
    );
    assert_refused(&run_from(&quick, &flipped), "flipped.state", "checksum");
    assert_refused(
        &run_from(&quick, &scenario_text),
        "text.state",
        "not an escrowsim state file",
    );
    assert_refused(
        &run_from(&quick, "/dev/zero".as_ref()),
        "/dev/zero",
        "not a file",
    );
    assert_refused(
        &run_from(&quick, "no-such.state".as_ref()),
        "no-such.state",
        "No such file",
    );
    assert_refused(
        &["run", path(&strict), "--from-state", path(&state)],
        "good.state",
        "another world",
    );
    let other_world = scenario_path("trade-assurance-2014.ron");
    assert_refused(
        &[
            "run",
            path(&quick),
            "--from-state",
            path(&state),
            "--rules-from",
            path(&other_world),
        ],
        "trade-assurance-2014.ron",
        "only in its name",
    );
}

#[test]
fn run_refuses_flags_a_state_cannot_honour() {
    let quick = scenario_path("quick.ron");
    let state = temporary_file("cli-flags", "s.state", b"");
    assert_refused(
        &[
            "run",
            path(&quick),
            "--save-state",
            path(&state),
            "--at",
            "2015-01-01",
        ],
        "quick",
        "outside the run",
    );
    assert_refused(
        &[
            "run",
            path(&quick),
            "--save-state",
            path(&state),
            "--at",
            "2014-06-01",
            "--replications",
            "2",
        ],
        "--save-state",
        "--replications",
    );
    assert_refused(
        &[
            "run",
            path(&quick),
            "--from-state",
            path(&state),
            "--seed",
            "3",
        ],
        "--from-state",
        "--seed",
    );
    // A directory in the state's place is refused before the run.
    let directory = crate::common::fresh_directory("cli-flags", "a-directory");
    std::fs::create_dir_all(&directory).expect("directory made");
    assert_refused(
        &[
            "run",
            path(&quick),
            "--save-state",
            path(&directory),
            "--at",
            "2014-06-01",
        ],
        "a-directory",
        "directory",
    );
}

#[test]
fn compare_forked_at_a_date_keeps_a_and_gives_b_its_rules_from_that_date() {
    // A's side of a forked comparison is exactly the unforked A; B's
    // replication i is A's world with B's rule (deposit released at
    // contract) from the fork date on: quick.ron with that change in its
    // timeline, run with replication i's seed.
    let quick = scenario_path("quick.ron");
    let variant = scenario_path("quick-release-at-contract.ron");
    let compare = |fork: Option<&str>| {
        let mut arguments = vec![
            "compare",
            path(&quick),
            path(&variant),
            "--replications",
            "3",
            "--jobs",
            "2",
            "--format",
            "json",
        ];
        if let Some(date) = fork {
            arguments.extend(["--fork-at", date]);
        }
        let json: serde_json::Value =
            serde_json::from_str(&succeeded(&escrowsim(&arguments))).expect("JSON");
        json
    };
    let runs = |json: &serde_json::Value, side: &str| -> Vec<(u64, String)> {
        json[side]["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .map(|run| {
                let seed = run["seed"].as_str().expect("seed").parse().expect("a u64");
                (seed, run["digest"].as_str().expect("digest").to_string())
            })
            .collect()
    };
    let forked = compare(Some("2014-07-01"));
    let plain = compare(None);
    assert_eq!(runs(&forked, "a"), runs(&plain, "a"));
    let as_timeline = with_timeline(
        "quick.ron",
        "(date: \"2014-07-01\", rules: (deposit_release: AtContract))",
    );
    for (seed, digest) in runs(&forked, "b") {
        let expected = uninterrupted(&as_timeline, Streams::new(seed));
        assert_eq!(digest, expected.digest, "replication with seed {seed}");
    }
    assert_ne!(
        runs(&forked, "b"),
        runs(&plain, "b"),
        "B's rule applies only from July"
    );
}

#[test]
fn compare_refuses_to_fork_two_worlds() {
    let quick = scenario_path("quick.ron");
    let other = scenario_path("quick.ron");
    let bigger = temporary_file(
        "fork-worlds",
        "bigger.ron",
        shipped_text("quick.ron")
            .replace("count: 2000,", "count: 2001,")
            .as_bytes(),
    );
    assert_refused(
        &[
            "compare",
            path(&quick),
            path(&bigger),
            "--replications",
            "2",
            "--fork-at",
            "2014-06-01",
        ],
        "bigger.ron",
        "suppliers",
    );
    assert_refused(
        &[
            "compare",
            path(&quick),
            path(&other),
            "--replications",
            "2",
            "--fork-at",
            "2016-06-01",
        ],
        "--fork-at",
        "outside the run",
    );
}

// The bounded fuzz pass over state files: whatever the bytes, reading a
// state answers with a refusal or a state, never a panic; every damaged
// file is refused (the checksum covers every byte before it); and a state
// edited with a fresh checksum is either refused by the reader or by the
// restore's checks, or restored, never a panic.

mod fuzz {
    use super::*;
    use crate::generate::deterministic_config;
    use proptest::prelude::*;
    use sha2::{Digest, Sha256};
    use std::sync::OnceLock;

    fn quick_and_state() -> &'static (Scenario, Vec<u8>) {
        static STATE: OnceLock<(Scenario, Vec<u8>)> = OnceLock::new();
        STATE.get_or_init(|| {
            let scenario = shipped_scenario("quick.ron");
            let bytes = encode(&scenario, &state_at(&scenario, Streams::new(2), 37));
            (scenario, bytes)
        })
    }

    #[derive(Clone, Debug)]
    enum Damage {
        Flip { at: usize, bit: u8 },
        Truncate { at: usize },
        Insert { at: usize, byte: u8 },
        Delete { at: usize },
    }

    fn damage() -> impl Strategy<Value = Damage> {
        prop_oneof![
            (any::<usize>(), 0..8u8).prop_map(|(at, bit)| Damage::Flip { at, bit }),
            any::<usize>().prop_map(|at| Damage::Truncate { at }),
            (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Damage::Insert { at, byte }),
            any::<usize>().prop_map(|at| Damage::Delete { at }),
        ]
    }

    fn damaged(bytes: &[u8], damage: &Damage, within: std::ops::Range<usize>) -> Vec<u8> {
        let mut bytes = bytes.to_vec();
        let place = |at: usize| within.start + at % within.len();
        match *damage {
            Damage::Flip { at, bit } => bytes[place(at)] ^= 1 << bit,
            Damage::Truncate { at } => bytes.truncate(place(at)),
            Damage::Insert { at, byte } => bytes.insert(place(at), byte),
            Damage::Delete { at } => {
                bytes.remove(place(at));
            }
        }
        bytes
    }

    fn with_fresh_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
        if bytes.len() >= 32 {
            let body = bytes.len() - 32;
            let checksum = Sha256::digest(&bytes[..body]);
            bytes[body..].copy_from_slice(&checksum);
        }
        bytes
    }

    proptest! {
        #![proptest_config(deterministic_config(64))]

        #[test]
        fn every_damaged_state_file_is_refused(damage in damage()) {
            let (scenario, bytes) = quick_and_state();
            let broken = damaged(bytes, &damage, 0..bytes.len());
            prop_assume!(broken != *bytes);
            prop_assert!(decode(&broken, scenario).is_err());
        }

        #[test]
        fn an_edited_state_with_a_fresh_checksum_is_refused_or_restored(damage in damage()) {
            // Edits of the body only (after the 64 bytes of digests), with
            // the checksum made to match: the body decoder and the restore's
            // checks are all that stand between the edit and a run.
            let (scenario, bytes) = quick_and_state();
            let body_start = 13 + escrowsim::report::VERSION.len() + 64 + 8;
            let broken = with_fresh_checksum(damaged(bytes, &damage, body_start..bytes.len() - 32));
            if let Ok(state) = decode(&broken, scenario) {
                let _ = Simulation::restore(scenario, state, None);
            }
        }
    }
}

#[test]
fn ctrl_c_stops_saving_a_state_with_130_and_leaves_the_file_as_it_was() {
    // quick.ron over decades, saved at its last day: a quarter second of
    // CPU is always deep in the event loop, long before the date.
    use crate::common::{files_in, send, wait_for_exit, worked_a_quarter_second};
    let text = shipped_text("quick.ron").replace("horizon_days: 120", "horizon_days: 36500");
    let scenario = temporary_file("sigint-save-state", "long.ron", text.as_bytes());
    let state = scenario.with_file_name("previous.state");
    std::fs::write(&state, b"previous").expect("written");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args(["run", path(&scenario), "--save-state", path(&state)])
        .args(["--at", "2114-01-01"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("escrowsim starts");
    assert!(
        worked_a_quarter_second(&mut child),
        "the run ended before it could be stopped"
    );
    send(&child, 2);
    let status = wait_for_exit(&mut child, "sigint-save-state");
    let mut message = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .expect("stderr piped")
        .read_to_string(&mut message)
        .expect("stderr read");
    assert_eq!(status.code(), Some(130), "{message}");
    assert!(message.contains("the state was not saved"), "{message}");
    assert_eq!(std::fs::read(&state).expect("still there"), b"previous");
    assert_eq!(
        files_in(state.parent().expect("a directory")),
        ["long.ron", "previous.state"]
    );
}
