//! Faults of the world around a command, met through the real binary: stop
//! signals during long work of every kind, closed and full outputs, special
//! files named as outputs, and two writers at once. Each test holds a
//! promise of the README: exit 2 with a clear message and never a panic;
//! 130 or 143 on SIGINT or SIGTERM with nothing written; an `--out` that is
//! replaced whole or kept as it was. `docs/bad-input.md` lists them by
//! subcommand and fault.

use crate::common::{
    escrowsim, repository_root, scenario_path, shipped_text, stderr, temporary_file, wait_for_exit,
};
use std::fs::OpenOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

/// An empty scratch directory of its own for `test`.
fn scratch(test: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("escrowsim-faults-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    directory
}

fn as_arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn quick() -> String {
    as_arg(&scenario_path("quick.ron")).to_string()
}

fn command(arguments: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_escrowsim"));
    command.args(arguments);
    command
}

/// Runs a command with its stdout and stderr captured.
fn run(arguments: &[&str]) -> Output {
    escrowsim(arguments)
}

/// A sweep directory of one complete unit of quick.ron.
fn one_unit_sweep(test: &str) -> PathBuf {
    let text = format!(
        "Sweep(\n    name: \"{test}\",\n    scenario: {:?},\n    replications: 1,\n    grid: [\n        \
         (path: \"rules.claim_window_days\", values: [\"30\"]),\n    ],\n)\n",
        quick()
    );
    let sweep = temporary_file(test, "sweep.ron", text.as_bytes());
    let directory = sweep.with_file_name("results");
    let _ = std::fs::remove_dir_all(&directory);
    let output = run(&["sweep", as_arg(&sweep), "--out", as_arg(&directory)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    directory
}

// Closed and full outputs.

/// Runs a command whose stderr is a pipe with its read end closed at once,
/// so every diagnostic fails with EPIPE; stdout goes nowhere.
fn with_closed_stderr(test: &str, arguments: &[&str]) -> ExitStatus {
    let mut child = command(arguments)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("escrowsim starts");
    drop(child.stderr.take());
    wait_for_exit(&mut child, test)
}

#[test]
fn a_closed_stderr_never_turns_a_diagnostic_into_a_panic() {
    // Regression: `eprintln!` panics when stderr is closed, so the
    // determinism note and the stop message ended the command with 101.
    let directory = scratch("closed-stderr");
    let quick = quick();
    let checked = with_closed_stderr("determinism", &["run", &quick, "--check-determinism"]);
    assert_eq!(checked.code(), Some(0), "{checked:?}");
    let broken = repository_root().join("tests/readme/broken.ron");
    let refused = with_closed_stderr("validate", &["validate", as_arg(&broken)]);
    assert_eq!(refused.code(), Some(2), "{refused:?}");
    let other_seed = directory.join("seed-8.ron");
    std::fs::write(
        &other_seed,
        shipped_text("quick.ron").replace("seed: 7,", "seed: 8,"),
    )
    .unwrap();
    let compared = with_closed_stderr(
        "compare",
        &[
            "compare",
            &quick,
            as_arg(&other_seed),
            "--replications",
            "1",
        ],
    );
    assert_eq!(compared.code(), Some(0), "{compared:?}");
    let sweep_file = directory.join("sweep.ron");
    std::fs::write(
        &sweep_file,
        format!(
            "Sweep(name: \"closed\", scenario: {quick:?}, replications: 1, grid: [(path: \"rules.claim_window_days\", values: [\"30\"])])"
        ),
    )
    .unwrap();
    let swept = with_closed_stderr(
        "sweep",
        &[
            "sweep",
            as_arg(&sweep_file),
            "--out",
            as_arg(&directory.join("sweep")),
        ],
    );
    assert_eq!(swept.code(), Some(0), "{swept:?}");
}

/// Runs a command with stdout a pipe whose read end is closed at once.
fn with_closed_stdout(test: &str, arguments: &[&str]) -> (ExitStatus, String) {
    let mut child = command(arguments)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("escrowsim starts");
    drop(child.stdout.take());
    let status = wait_for_exit(&mut child, test);
    let mut message = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut message)
        .unwrap();
    (status, message)
}

/// One command line of each subcommand that prints its result on stdout.
fn printing_commands(sweep: &Path) -> Vec<Vec<String>> {
    let quick = quick();
    [
        vec!["run", &quick],
        vec!["run", &quick, "--replications", "2", "--format", "csv"],
        vec!["compare", &quick, &quick, "--replications", "1"],
        vec!["validate", &quick],
        vec!["merge", as_arg(sweep)],
        vec![
            "sweep",
            as_arg(&repository_root().join("sweeps/claim-window-by-release.ron")),
            "--out",
            as_arg(sweep),
            "--dry-run",
        ],
        vec!["bench", "settlement", "--settlements", "100000"],
        vec!["bench", "scenario", &quick, "--repeat", "1"],
    ]
    .into_iter()
    .map(|line| line.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn a_closed_stdout_pipe_is_quiet_success_on_every_subcommand() {
    let sweep = one_unit_sweep("closed-stdout");
    for line in printing_commands(&sweep) {
        let arguments: Vec<&str> = line.iter().map(String::as_str).collect();
        let (status, message) = with_closed_stdout("closed-stdout", &arguments);
        // The dry run of another sweep's file over this directory is refused
        // before printing anything: that refusal is its answer.
        let expected = if line[0] == "sweep" { 2 } else { 0 };
        assert_eq!(status.code(), Some(expected), "{line:?}: {message}");
        assert!(!message.contains("panicked"), "{line:?}: {message}");
        if expected == 0 {
            assert!(message.is_empty(), "{line:?}: {message}");
        }
    }
}

/// Runs a command with stdout `/dev/full`: every write fails with ENOSPC.
fn into_full_stdout(arguments: &[&str]) -> Output {
    let full = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full opens");
    command(arguments)
        .stdout(full)
        .output()
        .expect("escrowsim runs")
}

#[test]
fn a_report_to_a_full_disk_fails_with_exit_2_naming_the_output() {
    // Regression: every write error on stdout was ignored like a closed
    // pipe, so `> /dev/full` lost the report and exited 0.
    let sweep = one_unit_sweep("full-disk");
    let mut lines = printing_commands(&sweep);
    // A dry run over a directory of its own sweep prints its plan.
    lines[5][1] = as_arg(&sweep.with_file_name("sweep.ron")).to_string();
    for line in lines {
        let arguments: Vec<&str> = line.iter().map(String::as_str).collect();
        let output = into_full_stdout(&arguments);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{line:?}: {message}");
        assert!(
            message.contains("standard output: cannot write the report: No space left on device"),
            "{line:?}: {message}"
        );
    }
    let help = into_full_stdout(&["--help"]);
    assert_eq!(help.status.code(), Some(2), "{}", stderr(&help));
}
