//! The pre-flight every subcommand makes before allocating: the memory its
//! runs need at once plus the results it keeps, against `--max-memory`, the
//! machine, and the address-space limit (`ulimit -v`). A scenario that does
//! not fit is refused with exit 2 and the estimate, never an abort.

use crate::common::{escrowsim, scenario_path, stderr};
use std::process::Command;

/// Runs the binary under `ulimit -v kilobytes` (a soft limit set by the shell).
fn escrowsim_under_address_limit(kilobytes: u64, arguments: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -S -v {kilobytes} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_escrowsim"))
        .args(arguments)
        .output()
        .expect("sh runs")
}

#[test]
fn replications_count_every_run_at_once_and_every_kept_result() {
    // Regression: the estimate was that of one run whatever --jobs and
    // --replications said. The quick scenario needs about 9 MiB a run:
    // 64 runs at once do not fit in 100 MiB, one does.
    let quick = scenario_path("quick.ron");
    let quick = quick.to_str().unwrap();
    let many = escrowsim(&[
        "run",
        quick,
        "--replications",
        "64",
        "--jobs",
        "64",
        "--max-memory",
        "100M",
    ]);
    assert_eq!(many.status.code(), Some(2), "{}", stderr(&many));
    assert!(
        stderr(&many).contains("(64 runs at once of"),
        "{}",
        stderr(&many)
    );
    let validate = escrowsim(&["validate", quick, "--max-memory", "100M"]);
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
}

#[test]
fn an_address_space_limit_is_an_error_with_exit_2_not_an_abort() {
    // Regression: under `ulimit -v`, large scenarios aborted (exit 134)
    // when an allocation failed. The launch scenario reserves and touches
    // far more than 200 MiB of address space.
    let launch = scenario_path("trade-assurance-2014.ron");
    let launch = launch.to_str().unwrap();
    for arguments in [
        vec!["run", launch],
        vec!["bench", "scenario", launch, "--repeat", "1"],
        vec!["compare", launch, launch, "--replications", "2"],
        vec![
            "bench",
            "settlement",
            "--orders",
            "67108864",
            "--settlements",
            "1",
        ],
    ] {
        let output = escrowsim_under_address_limit(200 * 1024, &arguments);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{arguments:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("ulimit -v"),
            "{arguments:?}: {}",
            stderr(&output)
        );
    }
}
