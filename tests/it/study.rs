//! Studies: a factor without effect gets a zero index, a linear effect the
//! slope the model's arrival rate implies, a calibration recovers known
//! values inside its intervals, sharded studies merge to the unsharded
//! result byte for byte, and bad study files are refused with their lines.

use crate::common::{
    escrowsim, fresh_directory, path, scenario_path, stderr, succeeded, temporary_file,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn quick() -> String {
    scenario_path("quick.ron").display().to_string()
}

/// A study over quick.ron of the arrival rate and the false-claim
/// probability, with `design`.
fn arrivals_study(test: &str, design: &str) -> PathBuf {
    let text = format!(
        "Study(\n    name: \"{test}\",\n    scenario: {:?},\n    design: {design},\n    factors: [\n        \
         (path: \"buyers[*].inquiries_per_year\", range: (1.0, 3.0)),\n        \
         (path: \"buyers[*].false_claim_probability\", range: (0.0, 0.03)),\n    ],\n    \
         metrics: [\"inquiries.total\", \"claims.filed\"],\n)\n",
        quick()
    );
    temporary_file(test, "study.ron", text.as_bytes())
}

fn result(directory: &Path) -> Value {
    let text = std::fs::read_to_string(directory.join("result.json")).expect("result.json written");
    serde_json::from_str(&text).expect("result.json is JSON")
}

fn metric<'a>(result: &'a Value, name: &str) -> &'a Value {
    result["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["metric"] == name)
        .unwrap_or_else(|| panic!("{name} in {result}"))
}

#[test]
fn morris_gives_an_inert_factor_zero_and_an_arrival_rate_its_slope() {
    let test = "study-morris";
    let study = arrivals_study(test, "Morris(trajectories: 6)");
    let directory = fresh_directory(test, "out");
    let output = escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]);
    let summary = succeeded(&output);
    assert!(
        summary.contains("Morris elementary effects: 6 trajectories"),
        "{summary}"
    );
    let result = result(&directory);
    let inquiries = &metric(&result, "inquiries.total")["morris"]["factors"];
    // Inquiries arrive from each buyer's own arrival stream, which no claim
    // decision reads: with common random numbers the count is the same
    // whatever the false-claim probability, so every elementary effect of
    // it is exactly 0.
    assert_eq!(inquiries[1]["mu_star"]["value"], 0.0);
    assert_eq!(inquiries[1]["mu_star"]["high"], 0.0);
    assert_eq!(inquiries[1]["sigma"], 0.0);
    // 20,000 buyers at rate r a year over 120 days send 20,000 r 120/365
    // inquiries on average: the effect of r over its whole range (1 to 3,
    // the unit of an elementary effect) is 20,000 x 2 x 120/365 = 13,151.
    let expected = 20_000.0 * 2.0 * 120.0 / 365.0;
    let mu = inquiries[0]["mu"].as_f64().unwrap();
    assert!(
        (mu - expected).abs() < 0.03 * expected,
        "mu {mu}, expected {expected}"
    );
    let interval = &inquiries[0]["mu_star"];
    assert!(interval["low"].as_f64().unwrap() <= expected * 1.03);
    assert!(interval["high"].as_f64().unwrap() >= expected * 0.97);
    // False claims do move the claims filed.
    let claims = &metric(&result, "claims.filed")["morris"]["factors"];
    assert!(claims[1]["mu_star"]["value"].as_f64().unwrap() > 0.0);
    for file in ["result.json", "result.csv", "result.html"] {
        assert!(directory.join(file).is_file(), "{file}");
    }
}

#[test]
fn sobol_indices_of_an_inert_factor_contain_zero() {
    let test = "study-sobol";
    let study = arrivals_study(test, "Sobol(base_rows: 16, resamples: 500)");
    let directory = fresh_directory(test, "out");
    succeeded(&escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    let result = result(&directory);
    let indices = &metric(&result, "inquiries.total")["sobol"]["factors"];
    // Inert (see the Morris test): both indices are exactly 0, and so is
    // every resample's.
    for index in ["first", "total"] {
        let estimate = &indices[1][index];
        assert!(
            estimate["low"].as_f64().unwrap() <= 0.0 && estimate["high"].as_f64().unwrap() >= 0.0,
            "{index}: {estimate}"
        );
    }
    // The arrival rate is the only factor: it explains nearly everything.
    assert!(
        indices[0]["total"]["value"].as_f64().unwrap() > 0.9,
        "{indices}"
    );
}

#[test]
fn sharded_studies_merge_to_the_unsharded_result_byte_for_byte() {
    let test = "study-shards";
    let study = arrivals_study(test, "Sobol(base_rows: 8)");
    let whole = fresh_directory(test, "whole");
    succeeded(&escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&whole),
        "--jobs",
        "2",
    ]));
    let one_job = fresh_directory(test, "one-job");
    succeeded(&escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&one_job),
        "--jobs",
        "1",
    ]));
    let reference = std::fs::read(whole.join("result.json")).unwrap();
    assert_eq!(
        reference,
        std::fs::read(one_job.join("result.json")).unwrap()
    );
    let (first, second) = (
        fresh_directory(test, "shard0"),
        fresh_directory(test, "shard1"),
    );
    let output = escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&first),
        "--shard",
        "0/2",
    ]);
    succeeded(&output);
    assert!(
        stderr(&output).contains("not all in"),
        "{}",
        stderr(&output)
    );
    assert!(
        !first.join("result.json").exists(),
        "a shard alone has no result"
    );
    succeeded(&escrowsim(&[
        "sensitivity",
        path(&study),
        "--out",
        path(&second),
        "--shard",
        "1/2",
    ]));
    let merged = fresh_directory(test, "merged.json");
    succeeded(&escrowsim(&[
        "merge",
        path(&first),
        path(&second),
        "--out",
        path(&merged),
    ]));
    assert_eq!(std::fs::read(&merged).unwrap(), reference);
    // `sweep` runs a study's units too (the Slurm scripts call it), into
    // the same units and so the same result.
    let by_sweep = fresh_directory(test, "by-sweep");
    succeeded(&escrowsim(&[
        "sweep",
        path(&study),
        "--out",
        path(&by_sweep),
    ]));
    let merged_sweep = fresh_directory(test, "by-sweep.json");
    succeeded(&escrowsim(&[
        "merge",
        path(&by_sweep),
        "--out",
        path(&merged_sweep),
    ]));
    assert_eq!(std::fs::read(&merged_sweep).unwrap(), reference);
}

#[test]
fn a_calibration_recovers_known_values_inside_its_intervals() {
    let test = "study-calibration";
    // The truth: quick.ron as written (2 inquiries a buyer a year, 80% of
    // breaches claimed), run on a seed the calibration does not use.
    let truth = succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--seed",
        "99",
        "--format",
        "json",
    ]));
    let truth: Value = serde_json::from_str(&truth).unwrap();
    let inquiries = truth["outcome"]["inquiries"]["total"].as_f64().unwrap();
    let claims = truth["outcome"]["claims"]["filed"].as_f64().unwrap();
    let text = format!(
        "Calibration(\n    name: \"{test}\",\n    scenario: {:?},\n    points: 128,\n    accept: 0.1,\n    \
         check_replications: 4,\n    factors: [\n        \
         (path: \"buyers[*].inquiries_per_year\", range: (1.0, 3.0)),\n        \
         (path: \"buyers[*].claim_after_breach_probability\", range: (0.3, 1.0)),\n    ],\n    \
         targets: [\n        (metric: \"inquiries.total\", value: {inquiries}, sd: {}),\n        \
         (metric: \"claims.filed\", value: {claims}, sd: {}),\n    ],\n)\n",
        quick(),
        0.02 * inquiries,
        // Claims are a few hundred: Poisson noise alone is about their square root.
        claims.sqrt().max(1.0) * 1.5,
    );
    let study = temporary_file(test, "calibration.ron", text.as_bytes());
    let directory = fresh_directory(test, "out");
    let summary = succeeded(&escrowsim(&[
        "calibrate",
        path(&study),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    assert!(summary.contains("Posterior"), "{summary}");
    let result = result(&directory);
    let factors = result["calibration"]["factors"].as_array().unwrap();
    for (factor, known) in factors.iter().zip([2.0, 0.8]) {
        let (low, high) = (
            factor["low"].as_f64().unwrap(),
            factor["high"].as_f64().unwrap(),
        );
        assert!(
            low <= known && known <= high,
            "{factor} does not cover {known}"
        );
    }
    // The calibrated scenario is a valid scenario with the medians.
    let calibrated = directory.join("calibrated.ron");
    let validated = escrowsim(&["validate", path(&calibrated)]);
    succeeded(&validated);
    let text = std::fs::read_to_string(&calibrated).unwrap();
    assert!(
        text.starts_with("// Calibrated by escrowsim"),
        "{text:.300}"
    );
    let median = factors[0]["calibrated"].as_str().unwrap();
    assert!(
        text.contains(&format!("inquiries_per_year: {median}")),
        "{median} in {text}"
    );
    assert_eq!(result["calibration"]["check"].as_array().unwrap().len(), 2);
}

#[test]
fn study_files_are_checked_with_their_lines() {
    let test = "study-validation";
    let write = |name: &str, body: &str| {
        let text = format!(
            "Study(\n    name: \"bad\",\n    scenario: {:?},\n    design: Morris(trajectories: 4),\n{body})\n",
            quick()
        );
        temporary_file(test, name, text.as_bytes())
    };
    let cases = [
        (
            "overlap.ron",
            "    factors: [\n        (path: \"suppliers[*].type_mix.poor\", range: (0.1, 0.2)),\n        \
             (path: \"suppliers[*].type_mix.fraudulent\", range: (0.01, 0.05)),\n    ],\n    metrics: [\"refunds.rate\"],\n",
            "overlap.ron:7:",
            "each value must be set by one factor",
        ),
        (
            "range.ron",
            "    factors: [(path: \"buyers[*].false_claim_probability\", range: (0.0, 1.5))],\n    metrics: [\"refunds.rate\"],\n",
            "range.ron:5:",
            "reaches outside what buyers[*].false_claim_probability accepts",
        ),
        (
            "metric.ron",
            "    factors: [(path: \"buyers[*].false_claim_probability\", range: (0.0, 0.1))],\n    metrics: [\"refunds.rates\"],\n",
            "metric.ron:6:",
            "refunds.rate",
        ),
        (
            "path.ron",
            "    factors: [(path: \"buyers[*].false_claim_probabilty\", range: (0.0, 0.1))],\n    metrics: [\"refunds.rate\"],\n",
            "path.ron:5:",
            "false_claim_probability",
        ),
    ];
    for (name, body, at, says) in cases {
        let file = write(name, body);
        let output = escrowsim(&[
            "sensitivity",
            path(&file),
            "--out",
            path(&fresh_directory(test, name)),
        ]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(
            message.contains(at) && message.contains(says),
            "{name}: {message}"
        );
    }
    // `validate` checks a study file without running it: the same problems.
    let output = escrowsim(&["validate", path(&write("again.ron", cases[3].1))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("false_claim_probability"),
        "{}",
        stderr(&output)
    );
    let valid = succeeded(&escrowsim(&[
        "validate",
        path(&arrivals_study(test, "Morris(trajectories: 4)")),
    ]));
    assert!(
        valid.contains("valid: study \"study-validation\"")
            && valid.contains("12 points x 1 replications"),
        "{valid}"
    );
    // A study is not a calibration, and a sweep is neither.
    let study = arrivals_study(test, "Morris(trajectories: 4)");
    let output = escrowsim(&[
        "calibrate",
        path(&study),
        "--out",
        path(&fresh_directory(test, "c")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("run it with `escrowsim sensitivity`"),
        "{}",
        stderr(&output)
    );
    let sweep = crate::common::repository_root().join("sweeps/claim-window-by-release.ron");
    let output = escrowsim(&[
        "sensitivity",
        path(&sweep),
        "--out",
        path(&fresh_directory(test, "s")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("run it with `escrowsim sweep`"),
        "{}",
        stderr(&output)
    );
}
