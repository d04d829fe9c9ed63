//! Faults of the world around a command, met through the real binary: stop
//! signals during long work of every kind, closed and full outputs, special
//! files named as outputs, and two writers at once. Each test holds a
//! promise of the README: exit 2 with a clear message and never a panic;
//! 130 or 143 on SIGINT or SIGTERM with nothing written; an `--out` that is
//! replaced whole or kept as it was. `docs/bad-input.md` lists them by
//! subcommand and fault.

use crate::common::{repository_root, scenario_path, shipped_text, wait_for_exit};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

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
