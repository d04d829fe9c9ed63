//! Sweeps: sharded and merged results equal one unsharded run byte for byte,
//! a killed sweep resumes only its missing units, and foreign results are
//! refused.

use crate::common::{escrowsim, fresh_directory, path, scenario_path, succeeded, temporary_file};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A sweep file over quick.ron with `replications` per point and a 2 x 2 grid.
fn sweep_file(test: &str, replications: u32) -> PathBuf {
    let text = format!(
        "Sweep(\n    name: \"{test}\",\n    scenario: {:?},\n    replications: {replications},\n    grid: [\n        \
         (path: \"rules.claim_window_days\", values: [\"14\", \"45\"]),\n        \
         (path: \"rules.deposit_release\", values: [\"AtContract\", \"AtAcceptance\"]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    );
    temporary_file(test, "sweep.ron", text.as_bytes())
}

/// Starts `escrowsim sweep` on one thread in the background.
fn spawn_sweep(sweep: &Path, directory: &Path, stderr: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args([
            "sweep",
            path(sweep),
            "--out",
            path(directory),
            "--jobs",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("escrowsim starts")
}

/// The names of the files in a sweep's unit directory.
fn unit_file_names(units: &Path) -> Vec<String> {
    std::fs::read_dir(units)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the whole sweep into `directory` and merges it into `result`.
/// Merges the units in `directory` into `merged`, which must equal `reference` byte for byte.
fn assert_merges_to(directory: &Path, merged: &Path, reference: &Path) {
    succeeded(&escrowsim(&[
        "merge",
        path(directory),
        "--out",
        path(merged),
    ]));
    assert_eq!(
        std::fs::read(merged).unwrap(),
        std::fs::read(reference).unwrap()
    );
}

fn run_and_merge(sweep: &Path, directory: &Path, result: &Path) {
    succeeded(&escrowsim(&[
        "sweep",
        path(sweep),
        "--out",
        path(directory),
        "--jobs",
        "2",
    ]));
    succeeded(&escrowsim(&[
        "merge",
        path(directory),
        "--out",
        path(result),
    ]));
}

#[test]
fn sharded_and_merged_results_equal_the_unsharded_result_byte_for_byte() {
    let test = "sweep-shards";
    let sweep = sweep_file(test, 2);
    let reference = fresh_directory(test, "whole.json");
    run_and_merge(&sweep, &fresh_directory(test, "whole"), &reference);
    let expected = std::fs::read(&reference).unwrap();
    // 8 units; 5 and 11 shards leave some shards with few or no units.
    for shards in [2, 3, 5, 11] {
        let mut directories = Vec::new();
        for shard in 0..shards {
            let directory = fresh_directory(test, &format!("n{shards}-k{shard}"));
            let shard_argument = format!("{shard}/{shards}");
            succeeded(&escrowsim(&[
                "sweep",
                path(&sweep),
                "--out",
                path(&directory),
                "--shard",
                &shard_argument,
            ]));
            directories.push(directory);
        }
        let merged = fresh_directory(test, &format!("merged-{shards}.json"));
        let mut arguments = vec!["merge".to_string()];
        // Merge in reverse order: the result must not depend on it.
        arguments.extend(
            directories
                .iter()
                .rev()
                .map(|directory| path(directory).to_string()),
        );
        arguments.extend(["--out".to_string(), path(&merged).to_string()]);
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        succeeded(&escrowsim(&arguments));
        assert_eq!(std::fs::read(&merged).unwrap(), expected, "{shards} shards");
    }
    let result: serde_json::Value = serde_json::from_slice(&expected).unwrap();
    assert_eq!(result["points"].as_array().unwrap().len(), 4);
    assert_eq!(
        result["points"][1]["parameters"]["rules.deposit_release"],
        "AtAcceptance"
    );
    assert!(result["points"][0]["result"]["summary"]["risk"]["platform_loss"]["mean"].is_string());
}

#[test]
fn the_summary_reports_key_metrics_with_intervals_and_unit_costs() {
    let test = "sweep-summary";
    let sweep = sweep_file(test, 2);
    let directory = fresh_directory(test, "whole");
    succeeded(&escrowsim(&[
        "sweep",
        path(&sweep),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    let text = succeeded(&escrowsim(&["merge", path(&directory)]));
    assert!(
        text.contains(
            "point 3: rules.claim_window_days = 45, rules.deposit_release = AtAcceptance"
        ),
        "{text}"
    );
    assert!(
        text.contains("refunds.rate") && text.contains("95% CI ["),
        "{text}"
    );
    assert!(
        text.contains("per unit:") && text.contains("ms mean") && text.contains("peak memory"),
        "{text}"
    );
    let csv = succeeded(&escrowsim(&["merge", path(&directory), "--summary", "csv"]));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header[..3],
        ["point", "rules.claim_window_days", "rules.deposit_release"]
    );
    assert!(
        header.contains(&"risk.platform_loss.ci95_high") && header.contains(&"unit_wall_ms_mean")
    );
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|row| row.len() == header.len()));
    let json: serde_json::Value = serde_json::from_str(&succeeded(&escrowsim(&[
        "merge",
        path(&directory),
        "--summary",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["points"].as_array().unwrap().len(), 4);
    // Counts, rates and costs are JSON numbers; money stays an exact
    // two-decimal string, as in every report; parameters are as written.
    let point = &json["points"][3];
    assert_eq!(point["point"], 3);
    assert_eq!(point["rules.claim_window_days"], "45");
    assert!(point["refunds.rate.mean"].is_number(), "{point}");
    assert!(point["refunds.rate.ci95_low"].is_number(), "{point}");
    assert!(point["orders.covered.mean"].is_number(), "{point}");
    assert!(point["unit_wall_ms_mean"].is_u64(), "{point}");
    let loss = point["risk.platform_loss.mean"].as_str().unwrap();
    assert!(
        loss.split_once('.')
            .is_some_and(|(_, cents)| cents.len() == 2),
        "{point}"
    );
    // The charts: an x-axis title (the first dimension), readable titles
    // with the path in small text, and the refund-rate lines of the two
    // deposit releases, which coincide (releasing earlier only moves money
    // in time), marked so neither hides the other.
    let page = directory.with_extension("html");
    succeeded(&escrowsim(&[
        "merge",
        path(&directory),
        "--html",
        path(&page),
    ]));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<h2>Refund rate (refunded orders / resolved covered orders) <small class=\"path\">refunds.rate</small></h2>"));
    assert!(html.contains("text-anchor=\"middle\">rules.claim_window_days</text>"));
    let rate = &html[html.find("data-chart=\"sweep-refunds.rate\"").unwrap()..];
    let rate = &rate[..rate.find("</svg>").unwrap()];
    assert!(
        rate.contains(
            "rules.deposit_release = AtAcceptance coincides with rules.deposit_release = AtContract"
        ),
        "{rate}"
    );
}

#[test]
fn a_killed_sweep_resumes_with_only_the_missing_units() {
    let test = "sweep-resume";
    let sweep = sweep_file(test, 5);
    let total = 20;
    let reference = fresh_directory(test, "reference.json");
    run_and_merge(&sweep, &fresh_directory(test, "reference"), &reference);

    let directory = fresh_directory(test, "killed");
    let units = directory.join("units");
    let mut child = spawn_sweep(&sweep, &directory, Stdio::null());
    // Kill it once a few units are written, long before it could finish.
    let completed_files = || {
        unit_file_names(&units)
            .iter()
            .filter(|name| name.ends_with(".json"))
            .count()
    };
    loop {
        if completed_files() >= 2 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before any unit was written"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("the sweep is killed");
    child.wait().unwrap();
    let done = completed_files();
    assert!(
        done < total,
        "the sweep finished ({done} units) before it could be killed: the test proves nothing"
    );
    // Only whole units remain: every file parses.
    for entry in std::fs::read_dir(&units).unwrap() {
        let entry = entry.unwrap();
        if entry
            .path()
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let source = entry.path().display().to_string();
            if let Err(problem) = escrowsim::sweep::UnitResult::from_json(&text, &source) {
                panic!("a partial unit file: {problem}");
            }
        }
    }
    // Merging the incomplete directory names what is missing.
    let incomplete = escrowsim(&["merge", path(&directory)]);
    assert_eq!(incomplete.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&incomplete.stderr)
            .contains(&format!("{} of {total} units are missing", total - done))
    );
    // The re-run runs exactly the missing units, and the result is the same.
    let rerun = escrowsim(&[
        "sweep",
        path(&sweep),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]);
    succeeded(&rerun);
    let log = String::from_utf8_lossy(&rerun.stderr);
    assert!(
        log.contains(&format!("{done} complete, running {}", total - done)),
        "{log}"
    );
    assert_eq!(log.matches(" done in ").count(), total - done, "{log}");
    assert_merges_to(
        &directory,
        &fresh_directory(test, "resumed.json"),
        &reference,
    );
}

#[test]
fn results_of_another_sweep_or_version_are_refused() {
    let test = "sweep-foreign";
    let first = fresh_directory(test, "first");
    let second = fresh_directory(test, "second");
    succeeded(&escrowsim(&[
        "sweep",
        path(&sweep_file(test, 1)),
        "--out",
        path(&first),
        "--jobs",
        "2",
    ]));
    let other_sweep = temporary_file(
        "sweep-foreign-other",
        "sweep.ron",
        &std::fs::read(sweep_file(test, 2)).unwrap(),
    );
    succeeded(&escrowsim(&[
        "sweep",
        path(&other_sweep),
        "--out",
        path(&second),
        "--jobs",
        "2",
    ]));
    let mixed = escrowsim(&["merge", path(&first), path(&second)]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&mixed.stderr)
            .contains("only results of one sweep and one version merge")
    );
    // The same directory cannot take another sweep's units.
    let reuse = escrowsim(&["sweep", path(&other_sweep), "--out", path(&first)]);
    assert_eq!(reuse.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&reuse.stderr).contains("not of this sweep"));
    // A unit file of another sweep slipped into the directory is named.
    std::fs::copy(
        second.join("units/u0000001.json"),
        first.join("units/u0000001.json"),
    )
    .unwrap();
    let slipped = escrowsim(&["merge", path(&first)]);
    assert_eq!(slipped.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&slipped.stderr)
            .contains("u0000001.json: belongs to another sweep")
    );
    // Results written by another engine version do not merge.
    let manifest = first.join("sweep.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let version = format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version));
    std::fs::write(
        &manifest,
        text.replace(&version, "\"version\": \"0.0.0-other\""),
    )
    .unwrap();
    let old = escrowsim(&["merge", path(&first)]);
    assert_eq!(old.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&old.stderr).contains("results of different versions do not merge")
    );
}

#[test]
fn edited_manifests_and_units_are_refused_with_exit_2_never_a_panic() {
    // Regressions: merge panicked on `"replications": 0`, aborted
    // allocating for 4,000,000,000, panicked in the statistics on a value
    // of 79228162514264337593543950335, hit `unreachable!` on a metric
    // path nested under another, and merged a unit whose values had been
    // edited without a word.
    let test = "sweep-edited";
    let directory = fresh_directory(test, "out");
    succeeded(&escrowsim(&[
        "sweep",
        path(&sweep_file(test, 1)),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    let manifest = directory.join("sweep.json");
    let unit = directory.join("units/u0000001.json");
    let (manifest_text, unit_text) = (
        std::fs::read_to_string(&manifest).unwrap(),
        std::fs::read_to_string(&unit).unwrap(),
    );
    let merge_refuses = |file: &Path, text: &str, expected: &str| {
        std::fs::write(file, text).unwrap();
        let output = escrowsim(&["merge", path(&directory)]);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(2), "{expected}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
    };
    let replications = "\"replications\": 1,";
    assert!(manifest_text.contains(replications));
    for (edited, expected) in [
        ("\"replications\": 0,", "replications: 0 is out of range"),
        (
            "\"replications\": 4000000000,",
            "replications: 4000000000 is out of range",
        ),
        (
            "\"replications\": 2,",
            "units: 4 recorded, but 4 points x 2 replications",
        ),
    ] {
        merge_refuses(
            &manifest,
            &manifest_text.replace(replications, edited),
            expected,
        );
    }
    std::fs::write(&manifest, &manifest_text).unwrap();
    // A unit's value edited: its checksum no longer matches.
    let value = unit_text
        .split("\"values\":[\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a unit lists its values")
        .to_string();
    for (edited, expected) in [
        (
            unit_text.replacen(
                &format!("\"values\":[\"{value}\""),
                "\"values\":[\"79228162514264337593543950335\"",
                1,
            ),
            "u0000001.json: checksum: does not match the file's contents",
        ),
        (
            unit_text.replacen(
                &format!("\"values\":[\"{value}\""),
                &format!("\"values\":[\"{value}1\""),
                1,
            ),
            "u0000001.json: checksum: does not match the file's contents",
        ),
        (
            unit_text[..unit_text.len() / 2].to_string(),
            "not a unit result",
        ),
    ] {
        merge_refuses(&unit, &edited, expected);
    }
    std::fs::write(&unit, &unit_text).unwrap();
    succeeded(&escrowsim(&["merge", path(&directory)]));
}

#[test]
fn unit_files_out_of_bounds_are_refused_even_with_a_valid_checksum() {
    // The checksum catches edits by accident; bounds and schema checks
    // catch a file rewritten whole, checksum included.
    use escrowsim::analysis::metrics::MetricValues;
    use escrowsim::analysis::{Metric, MetricKind, Replication, Schema};
    let unit = |paths: &[&str], value: &str| escrowsim::sweep::UnitResult {
        sweep_digest: "0".repeat(64),
        version: "0.1.0".to_string(),
        unit: 0,
        point: 0,
        schema: Schema {
            metrics: paths
                .iter()
                .map(|path| Metric {
                    path: path.to_string(),
                    kind: MetricKind::Number,
                })
                .collect(),
            months: Vec::new(),
            monthly_metrics: Vec::new(),
        },
        replication: Replication {
            index: 0,
            seed: 1,
            digest: "d".to_string(),
            values: MetricValues {
                values: paths.iter().map(|_| Some(value.parse().unwrap())).collect(),
                monthly: Vec::new(),
            },
            events: 0,
            settlements: 0,
        },
        settle_latency_ns: escrowsim::sweep::LatencyBuckets::default(),
        wall_ms: 0,
        peak_rss_bytes: None,
    };
    let read = |unit: escrowsim::sweep::UnitResult| {
        escrowsim::sweep::UnitResult::from_json(&unit.to_json(), "u.json")
            .map(|_| ())
            .map_err(|problem| problem.to_string())
    };
    assert_eq!(read(unit(&["a.b", "c"], "1.5")), Ok(()));
    let nested = read(unit(&["a.b", "a.b.c"], "1")).unwrap_err();
    assert!(
        nested
            .starts_with("u.json: schema.metrics: metric \"a.b.c\" repeats or nests under \"a.b\""),
        "{nested}"
    );
    let repeated = read(unit(&["a", "a"], "1")).unwrap_err();
    assert!(repeated.contains("repeats"), "{repeated}");
    let huge = read(unit(&["a"], "79228162514264337593543950335")).unwrap_err();
    assert!(
        huge.starts_with(
            "u.json: values: 79228162514264337593543950335 is beyond the largest figure"
        ),
        "{huge}"
    );
}

#[test]
fn grid_values_are_checked_together_and_one_value_sets_one_rule() {
    // Regressions: a floor and a cap valid one by one but not together
    // passed `--dry-run` and the sweep then panicked; a value such as
    // "14, auto_release_days: 1" set a second rule.
    let test = "sweep-combined";
    let text = format!(
        "Sweep(\n    name: \"bad\",\n    scenario: {:?},\n    replications: 1,\n    grid: [\n        \
         (path: \"rules.coverage_limit_floor\", values: [\"\\\"1000.00\\\"\", \"\\\"20000.00\\\"\"]),\n        \
         (path: \"rules.coverage_limit_cap\", values: [\"\\\"15000.00\\\"\"]),\n        \
         (path: \"rules.claim_window_days\", values: [\"14, auto_release_days: 1\"]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    );
    let file = temporary_file(test, "sweep.ron", text.as_bytes());
    let smuggled = escrowsim(&[
        "sweep",
        path(&file),
        "--dry-run",
        "--out",
        path(&fresh_directory(test, "a")),
    ]);
    assert_eq!(smuggled.status.code(), Some(2));
    let errors = String::from_utf8_lossy(&smuggled.stderr);
    assert!(
        errors.contains(
            "is not one value of this rule (it sets claim_window_days, auto_release_days)"
        ),
        "{errors}"
    );
    let text = text.replace("14, auto_release_days: 1", "14");
    let file = temporary_file(test, "sweep.ron", text.as_bytes());
    for arguments in [&["--dry-run"][..], &[][..]] {
        let mut command = vec!["sweep", path(&file), "--out"];
        let out = fresh_directory(test, "b");
        command.push(path(&out));
        command.extend_from_slice(arguments);
        let output = escrowsim(&command);
        let errors = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{errors}");
        assert!(
            errors.contains("point 1 (rules.coverage_limit_floor = \"20000.00\", rules.coverage_limit_cap = \"15000.00\", rules.claim_window_days = 14) makes rules.coverage_limit_floor: 20000.00 exceeds coverage_limit_cap 15000.00"),
            "{errors}"
        );
        assert!(!errors.contains("point 0"), "point 0 is valid: {errors}");
    }
}

#[test]
fn sweep_files_are_validated_with_lines() {
    let test = "sweep-invalid";
    let text = format!(
        "Sweep(\n    name: \"bad\",\n    scenario: {:?},\n    replications: 0,\n    grid: [\n        \
         (path: \"claim_window_days\", values: [\"14\"]),\n        \
         (path: \"rules.claim_window_days\", values: [\"0\", \"forty\"]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    );
    let file = temporary_file(test, "sweep.ron", text.as_bytes());
    let output = escrowsim(&[
        "sweep",
        path(&file),
        "--out",
        path(&fresh_directory(test, "out")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let errors = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "sweep.ron:4:5: replications: 0 is out of range",
        "sweep.ron:6:10: grid[0].path: \"claim_window_days\" is not a rule",
        "sweep.ron:7:52: grid[1].values[0]: \"0\" makes rules.claim_window_days: 0 is out of range",
        "sweep.ron:7:57: grid[1].values[1]: rules.claim_window_days: \"forty\" is not a value of this rule",
    ] {
        assert!(
            errors.contains(expected),
            "expected {expected:?} in:\n{errors}"
        );
    }
    for bad_shard in ["3/3", "x", "1/0"] {
        let output = escrowsim(&[
            "sweep",
            path(&sweep_file(test, 1)),
            "--out",
            path(&fresh_directory(test, "shard")),
            "--shard",
            bad_shard,
        ]);
        assert_eq!(output.status.code(), Some(2), "{bad_shard}");
    }
    let missing = escrowsim(&["merge", path(&fresh_directory(test, "nothing-here"))]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not a sweep directory"));
}

#[test]
fn ctrl_c_stops_a_sweep_with_130_keeping_whole_units_only() {
    let test = "sweep-interrupt";
    let sweep = sweep_file(test, 5);
    let directory = fresh_directory(test, "interrupted");
    let units = directory.join("units");
    let child = spawn_sweep(&sweep, &directory, Stdio::piped());
    let unit_files = || unit_file_names(&units);
    while !unit_files().iter().any(|name| name.ends_with(".json")) {
        std::thread::sleep(Duration::from_millis(2));
    }
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    let files = unit_files();
    let complete = files.iter().filter(|name| name.ends_with(".json")).count();
    assert!(
        complete < 20,
        "the sweep finished ({complete} units) before the signal: the test proves nothing"
    );
    assert_eq!(output.status.code(), Some(130), "{message}");
    assert!(
        message.contains("running the same command again completes the rest"),
        "{message}"
    );
    assert!(
        files.iter().all(|name| name.ends_with(".json")),
        "temporary files left: {files:?}"
    );
}

/// Sweep file text over quick.ron named `name`, one replication of two points.
fn small_sweep_text(name: &str) -> String {
    format!(
        "Sweep(\n    name: \"{name}\",\n    scenario: {:?},\n    replications: 1,\n    grid: [\n        \
         (path: \"rules.claim_window_days\", values: [\"14\", \"45\"]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    )
}

/// Starts one `escrowsim sweep` into `directory` per sweep text, each
/// reading its sweep file from a FIFO, so that all of them have started and
/// wait on their file; then writes the files one after the other, which
/// releases the sweeps within microseconds of each other, so they claim the
/// directory at about the same moment. Returns each one's exit code and stderr.
fn sweeps_released_together(
    test: &str,
    directory: &Path,
    texts: &[String],
) -> Vec<(Option<i32>, String)> {
    let fifos: Vec<PathBuf> = (0..texts.len())
        .map(|index| {
            let fifo = fresh_directory(test, &format!("sweep-{index}.ron"));
            let _ = std::fs::remove_file(&fifo);
            let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
            assert!(made.success());
            fifo
        })
        .collect();
    let children: Vec<std::process::Child> = fifos
        .iter()
        .map(|fifo| spawn_sweep(fifo, directory, Stdio::piped()))
        .collect();
    for (fifo, text) in fifos.iter().zip(texts) {
        // Opening blocks until that sweep opens its file for reading.
        std::fs::write(fifo, text).unwrap();
    }
    children
        .into_iter()
        .map(|child| {
            let output = child.wait_with_output().unwrap();
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        })
        .collect()
}

/// The sweep digest of the manifest and of every unit file of `directory`,
/// and whether any temporary file is left.
fn digests_in(directory: &Path) -> (String, Vec<String>) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(directory.join("sweep.json")).unwrap()).unwrap();
    let units = directory.join("units");
    let mut names = unit_file_names(&units);
    names.sort();
    let digests = names
        .iter()
        .map(|name| {
            assert!(name.ends_with(".json"), "temporary file left: {name}");
            let unit: serde_json::Value =
                serde_json::from_slice(&std::fs::read(units.join(name)).unwrap()).unwrap();
            unit["sweep_digest"].as_str().unwrap().to_string()
        })
        .collect();
    (manifest["digest"].as_str().unwrap().to_string(), digests)
}

#[test]
fn two_different_sweeps_started_together_into_one_new_directory_never_mix() {
    // Regression: each sweep saw no manifest, wrote its own (the last
    // rename won), and both ran their units into the directory, exit 0.
    // Several rounds, as the two may claim the directory in either order.
    let test = "sweep-race";
    for round in 0..4 {
        let directory = fresh_directory(test, &format!("shared-{round}"));
        let names = ["race-a", "race-b"];
        let ended = sweeps_released_together(test, &directory, &names.map(small_sweep_text));
        let winners: Vec<usize> = (0..2).filter(|&index| ended[index].0 == Some(0)).collect();
        assert_eq!(winners.len(), 1, "round {round}: {ended:?}");
        let (winner, loser) = (winners[0], 1 - winners[0]);
        let (code, message) = &ended[loser];
        assert_eq!(*code, Some(2), "round {round}: {message}");
        assert!(
            message.contains(&format!(
                "{}: holds results of sweep \"{}\"",
                directory.display(),
                names[winner]
            )),
            "round {round}: {message}"
        );
        let (manifest, units) = digests_in(&directory);
        assert_eq!(units.len(), 2, "round {round}");
        assert!(
            units.iter().all(|digest| *digest == manifest),
            "round {round}: units of two sweeps in one directory"
        );
    }
}

#[test]
fn the_same_sweep_started_twice_together_completes_without_mixing() {
    let test = "sweep-twice";
    let text = small_sweep_text("twice");
    let alone = fresh_directory(test, "alone");
    let reference = fresh_directory(test, "alone.json");
    let sweep = temporary_file(test, "twice.ron", text.as_bytes());
    run_and_merge(&sweep, &alone, &reference);
    let directory = fresh_directory(test, "shared");
    let ended = sweeps_released_together(test, &directory, &[text.clone(), text]);
    for (code, message) in &ended {
        assert_eq!(*code, Some(0), "{message}");
    }
    let (manifest, units) = digests_in(&directory);
    assert_eq!(units.len(), 2);
    assert!(units.iter().all(|digest| *digest == manifest));
    assert_merges_to(
        &directory,
        &fresh_directory(test, "shared.json"),
        &reference,
    );
}

#[test]
fn an_endless_sweep_file_is_read_only_up_to_its_size_limit() {
    // Regression: a sweep file was read to its end, so /dev/zero (or an
    // endless pipe) filled the memory. A device is refused before reading;
    // an endless pipe is read only to the limit. Under a 1 GiB
    // address-space limit a read to the end fails and aborts; the refusal
    // must come first.
    let out = fresh_directory("sweep-endless", "out");
    let device = escrowsim(&["sweep", "/dev/zero", "--out", path(&out)]);
    let message = String::from_utf8_lossy(&device.stderr);
    assert_eq!(device.status.code(), Some(2), "{message}");
    assert!(
        message.contains(
            "/dev/zero: cannot read the sweep file: it is a character device, not a file"
        ),
        "{message}"
    );
    let fifo = out.with_file_name("endless-sweep.ron");
    let _ = std::fs::remove_file(&fifo);
    let output = Command::new("sh")
        .arg("-c")
        .arg("mkfifo \"$1\" && (yes > \"$1\" 2>/dev/null &) && ulimit -v 1048576 && exec \"$0\" sweep \"$1\" --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_escrowsim"))
        .arg(&fifo)
        .arg(&out)
        .output()
        .expect("sh runs");
    let _ = std::fs::remove_file(&fifo);
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(
        message.contains("cannot read the sweep file: the input goes on past 1048576 bytes"),
        "{message}"
    );
}

#[test]
fn grid_values_may_be_written_as_in_a_scenario_without_quotes() {
    // Goal: `14`, `AtContract`, `[TT, Card]` and `OrdersUpTo("5000.00")`
    // written bare make the same sweep as the same text in quotes: the same
    // points, parameters and digest (so results of either mix).
    let scenarios = crate::common::repository_root().join("scenarios");
    let sweep = |values: [&str; 5]| {
        let [window_a, window_b, release, methods, fee] = values;
        let text = format!(
            "Sweep(name: \"bare\", scenario: \"quick.ron\", replications: 2, grid: [\n\
             (path: \"rules.claim_window_days\", values: [{window_a}, {window_b}]),\n\
             (path: \"rules.deposit_release\", values: [{release}]),\n\
             (path: \"rules.covered_payment_methods\", values: [{methods}]),\n\
             (path: \"rules.seller_fee_applies_to\", values: [{fee}]),\n])"
        );
        escrowsim::sweep::parse_sweep(&text, "bare.ron", &scenarios)
            .unwrap_or_else(|error| panic!("{error}"))
    };
    let bare = sweep([
        "14",
        "45",
        "AtContract",
        "[TT, Card]",
        "OrdersUpTo(\"5000.00\")",
    ]);
    let quoted = sweep([
        "\"14\"",
        "\"45\"",
        "\"AtContract\"",
        "\"[TT, Card]\"",
        "\"OrdersUpTo(\\\"5000.00\\\")\"",
    ]);
    assert_eq!(bare.digest, quoted.digest);
    assert_eq!(bare.points.len(), 2);
    for (bare, quoted) in bare.points.iter().zip(&quoted.points) {
        assert_eq!(bare.parameters, quoted.parameters);
        assert_eq!(bare.scenario, quoted.scenario);
    }
    assert_eq!(bare.points[0].parameters[0].1, "14");
    assert_eq!(bare.points[1].scenario.rules.claim_window_days, 45);
    // A bare value that is not one of its rule's is located like a quoted one.
    let text = "Sweep(name: \"bad\", scenario: \"quick.ron\", replications: 2, grid: [\n\
                (path: \"rules.claim_window_days\", values: [14, 0]),\n])";
    let error = escrowsim::sweep::parse_sweep(text, "bad.ron", &scenarios).unwrap_err();
    assert!(error.to_string().starts_with("bad.ron:2:"), "{error}");
}

#[test]
fn a_grid_over_a_world_path_varies_the_population() {
    // Goal: a grid dimension may name any factor path, not only a rule.
    // With a fraudulent share of 0 in every segment no supplier is drawn
    // fraudulent, so none vanishes; with a share of 1 the other shares
    // rescale to 0 (README, "Factor paths") and all 2,200 of quick.ron's
    // suppliers are fraudulent.
    let test = "sweep-world";
    let text = format!(
        "Sweep(\n    name: \"{test}\",\n    scenario: {:?},\n    replications: 1,\n    grid: [\n        \
         (path: \"suppliers[*].type_mix.fraudulent\", values: [0, 1]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    );
    let sweep = temporary_file(test, "sweep.ron", text.as_bytes());
    let merged = fresh_directory(test, "result.json");
    run_and_merge(&sweep, &fresh_directory(test, "units"), &merged);
    let result: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&merged).unwrap()).unwrap();
    let points = result["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    let summary = |point: usize| &points[point]["result"]["summary"];
    let suppliers = |point: usize, supplier_type: &str| {
        summary(point)["vetting"]["by_type"][supplier_type]["suppliers"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        points[0]["parameters"]["suppliers[*].type_mix.fraudulent"],
        "0"
    );
    assert_eq!(suppliers(0, "fraudulent"), 0.0);
    assert_eq!(
        summary(0)["fraud"]["suppliers_vanished"]["mean"].as_f64(),
        Some(0.0)
    );
    assert_eq!(
        points[1]["parameters"]["suppliers[*].type_mix.fraudulent"],
        "1"
    );
    assert_eq!(suppliers(1, "fraudulent"), 2200.0);
    for honest in ["reliable", "average", "poor"] {
        assert_eq!(suppliers(1, honest), 0.0, "{honest}");
    }
}

#[test]
fn a_world_path_that_names_nothing_is_refused_with_what_was_meant() {
    let test = "sweep-world-invalid";
    let text = format!(
        "Sweep(\n    name: \"bad\",\n    scenario: {:?},\n    replications: 1,\n    grid: [\n        \
         (path: \"suppliers[*].type_mix.fraudlent\", values: [0.1]),\n        \
         (path: \"buyers[2].count\", values: [10]),\n        \
         (path: \"buyers[0].claim_after_breach_probability\", values: [0.5, 1.5]),\n    ],\n)\n",
        scenario_path("quick.ron").display().to_string()
    );
    let file = temporary_file(test, "sweep.ron", text.as_bytes());
    let output = escrowsim(&["validate", path(&file)]);
    assert_eq!(output.status.code(), Some(2));
    let errors = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "sweep.ron:6:10: grid[0].path: \"suppliers[*].type_mix.fraudlent\" is not a factor path: unknown share `fraudlent`; did you mean `fraudulent`?",
        "sweep.ron:7:10: grid[1].path: buyers[2]: there is no segment 2: the scenario has 1 buyer segment, buyers[0]",
        "sweep.ron:8:74: grid[2].values[1]: buyers[0].claim_after_breach_probability: 1.5 is out of range [0, 1]",
    ] {
        assert!(
            errors.contains(expected),
            "expected {expected:?} in:\n{errors}"
        );
    }
}
