//! Faults of the world around a command, met through the real binary: stop
//! signals during long work of every kind, closed and full outputs, special
//! files named as outputs, and two writers at once. Each test holds a
//! promise of the README: exit 2 with a clear message and never a panic;
//! 130 or 143 on SIGINT or SIGTERM with nothing written; an `--out` that is
//! replaced whole or kept as it was. `docs/bad-input.md` lists them by
//! subcommand and fault.

use crate::common::{
    escrowsim, files_in, repository_root, scenario_path, send, shipped_text, stderr,
    temporary_file, wait_for_exit, worked_a_quarter_second,
};
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};

const PREVIOUS: &[u8] = b"previous complete report\n";
const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

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

/// Makes a device node with `mknod` (`kind` "c" or "b"), or returns None
/// where this user may not. Tests write to such private copies of
/// `/dev/null` and `/dev/full` before the real ones, so that a regression
/// that replaces the device with a file fails on the copy, and the
/// machine's own devices are only written once the copy survived.
fn device_node(
    directory: &Path,
    name: &str,
    kind: &str,
    major: u32,
    minor: u32,
) -> Option<PathBuf> {
    let path = directory.join(name);
    let made = Command::new("mknod")
        .arg(&path)
        .args([kind, &major.to_string(), &minor.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    made.then_some(path)
}

fn is_char_device(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_char_device())
}

/// Runs a command with its stdout and stderr captured.
fn run(arguments: &[&str]) -> Output {
    escrowsim(arguments)
}

// Stop signals during long work.

/// How a command ended after a signal.
struct Stopped {
    status: ExitStatus,
    stderr: String,
    stdout: Vec<u8>,
}

/// Starts the command `arguments(size)` for each size in turn, signals it
/// once it has worked a quarter second, and returns how it ended. An
/// attempt is repeated with the next size when the command finished before
/// it could be signalled, or when `finished_anyway` says it finished its
/// work before seeing the signal (for a command that honours signals, only
/// possible when the signal lands after its reports were in place, which
/// `prepare` undoes). So the outcome checked does not depend on when the
/// signal lands; a command that ignores signals finishes every size and
/// fails the test.
fn stop_mid_way(
    test: &str,
    signal: i32,
    stderr_closed: bool,
    sizes: &[u64],
    arguments: impl Fn(u64) -> Vec<String>,
    prepare: impl Fn(),
    finished_anyway: impl Fn(&ExitStatus, &str) -> bool,
) -> Stopped {
    for &size in sizes {
        prepare();
        let arguments = arguments(size);
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let mut child = command(&arguments)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("escrowsim starts");
        if stderr_closed {
            drop(child.stderr.take());
        }
        if !worked_a_quarter_second(&mut child) {
            continue;
        }
        send(&child, signal);
        let status = wait_for_exit(&mut child, test);
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            pipe.read_to_string(&mut stderr).unwrap();
        }
        let mut stdout = Vec::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_end(&mut stdout)
            .unwrap();
        if finished_anyway(&status, &stderr) {
            continue;
        }
        return Stopped {
            status,
            stderr,
            stdout,
        };
    }
    panic!("{test}: the command finished its work at every size, though signalled mid-way");
}

fn exited_0(status: &ExitStatus, _stderr: &str) -> bool {
    status.success()
}

fn replication_arguments(replications: u64, out: &Path, html: &Path) -> Vec<String> {
    [
        "run",
        &quick(),
        "--replications",
        &replications.to_string(),
        "--jobs",
        "2",
        "--format",
        "json",
        "--out",
        as_arg(out),
        "--html",
        as_arg(html),
    ]
    .map(String::from)
    .to_vec()
}

#[test]
fn ctrl_c_stops_replications_between_runs_with_130_and_leaves_out_and_html_as_they_were() {
    // Regression: no quick.ron run reaches the engine's checkpoint (65,536
    // events), and nothing else looked at the stop flag, so the signal was
    // ignored and both files were overwritten.
    let directory = scratch("replications-sigint");
    let out = directory.join("summary.json");
    let html = directory.join("summary.html");
    let stopped = stop_mid_way(
        "replications-sigint",
        SIGINT,
        false,
        &[200, 2_000],
        |replications| replication_arguments(replications, &out, &html),
        || {
            std::fs::write(&out, PREVIOUS).unwrap();
            std::fs::write(&html, PREVIOUS).unwrap();
        },
        exited_0,
    );
    assert_eq!(stopped.status.code(), Some(130), "{}", stopped.stderr);
    assert!(
        stopped
            .stderr
            .contains("interrupted by Ctrl-C (SIGINT); no report was written and"),
        "{}",
        stopped.stderr
    );
    assert!(stopped.stderr.contains("were left as they were"));
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS);
    assert_eq!(std::fs::read(&html).unwrap(), PREVIOUS);
    assert_eq!(files_in(&directory), ["summary.html", "summary.json"]);
    assert!(stopped.stdout.is_empty());
}

#[test]
fn sigterm_stops_a_comparison_between_runs_with_143_and_leaves_out_as_it_was() {
    let directory = scratch("compare-sigterm");
    let out = directory.join("comparison.csv");
    let stopped = stop_mid_way(
        "compare-sigterm",
        SIGTERM,
        false,
        &[200, 2_000],
        |replications| {
            [
                "compare",
                &quick(),
                as_arg(&scenario_path("quick-release-at-contract.ron")),
                "--replications",
                &replications.to_string(),
                "--jobs",
                "2",
                "--format",
                "csv",
                "--out",
                as_arg(&out),
            ]
            .map(String::from)
            .to_vec()
        },
        || std::fs::write(&out, PREVIOUS).unwrap(),
        exited_0,
    );
    assert_eq!(stopped.status.code(), Some(143), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains("terminated by SIGTERM"),
        "{}",
        stopped.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS);
    assert_eq!(files_in(&directory), ["comparison.csv"]);
}

#[test]
fn ctrl_c_while_a_large_prior_history_is_drawn_stops_the_drawing() {
    // Regression: drawing suppliers' prior histories had no checkpoint, so
    // Ctrl-C waited for the whole population (here a hundred million prior
    // orders, seconds of work) and then for the first engine checkpoint.
    // The population of every size below takes far more than the quarter
    // second after which the signal is sent.
    let directory = scratch("history-sigint");
    let out = directory.join("report.json");
    let stopped = stop_mid_way(
        "history-sigint",
        SIGINT,
        false,
        &[10_000, 100_000],
        |suppliers| {
            let scenario = shipped_text("quick.ron")
                .replace("orders_per_month: 1.0", "orders_per_month: 1000.0")
                .replace("count: 2000,", &format!("count: {suppliers},"))
                .replace("horizon_days: 120", "horizon_days: 1");
            let path = temporary_file("history-sigint", "history.ron", scenario.as_bytes());
            [
                "run",
                as_arg(&path),
                "--format",
                "json",
                "--out",
                as_arg(&out),
            ]
            .map(String::from)
            .to_vec()
        },
        || std::fs::write(&out, PREVIOUS).unwrap(),
        exited_0,
    );
    assert_eq!(stopped.status.code(), Some(130), "{}", stopped.stderr);
    assert!(
        stopped.stderr.contains(
            "interrupted by Ctrl-C (SIGINT) while drawing the population; no report was written"
        ),
        "{}",
        stopped.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS);
    assert_eq!(files_in(&directory), ["report.json"]);
}

#[test]
fn bench_stops_on_a_signal_with_130_or_143_and_prints_nothing() {
    // Regression: bench installed no handler, so a signal killed it
    // outright instead of ending it with the documented exit code.
    let settlement = stop_mid_way(
        "bench-settlement-sigint",
        SIGINT,
        false,
        &[1_000_000_000_000],
        |settlements| {
            [
                "bench",
                "settlement",
                "--settlements",
                &settlements.to_string(),
            ]
            .map(String::from)
            .to_vec()
        },
        || {},
        exited_0,
    );
    assert_eq!(
        settlement.status.code(),
        Some(130),
        "{:?}: {}",
        settlement.status,
        settlement.stderr
    );
    assert!(settlement.stdout.is_empty());
    let scenario = stop_mid_way(
        "bench-scenario-sigterm",
        SIGTERM,
        false,
        &[1_000],
        |repeat| {
            [
                "bench",
                "scenario",
                &quick(),
                "--repeat",
                &repeat.to_string(),
            ]
            .map(String::from)
            .to_vec()
        },
        || {},
        exited_0,
    );
    assert_eq!(
        scenario.status.code(),
        Some(143),
        "{:?}: {}",
        scenario.status,
        scenario.stderr
    );
    assert!(scenario.stdout.is_empty());
}

#[test]
fn bench_refuses_bad_input_with_exit_2_and_a_message() {
    let broken = repository_root().join("tests/readme/broken.ron");
    let quick = quick();
    let cases = [
        (
            vec!["bench", "scenario", as_arg(&broken)],
            "broken.ron:6:5: horizon_days: 0 is out of range",
        ),
        (
            vec!["bench", "settlement", "--orders", "0"],
            "--orders 0 is out of range",
        ),
        (
            vec!["bench", "scenario", &quick, "--repeat", "0"],
            "invalid value '0' for '--repeat",
        ),
    ];
    for (line, needle) in cases {
        let output = run(&line);
        assert_eq!(output.status.code(), Some(2), "{line:?}");
        assert!(
            stderr(&output).contains(needle),
            "{line:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
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

#[test]
fn ctrl_c_stops_a_merge_of_many_units_with_130_and_writes_nothing() {
    // The merge reads every unit file; links to one unit stand for a
    // sweep of many (they are refused as duplicates if the merge ever
    // gets past reading them, which the signal prevents).
    let directory = one_unit_sweep("merge-sigint");
    let units = directory.join("units");
    let unit = units.join("u0000000.json");
    let linked = std::cell::Cell::new(0);
    let out = directory.with_file_name("merged.json");
    let stopped = stop_mid_way(
        "merge-sigint",
        SIGINT,
        false,
        &[50_000, 200_000],
        |links| {
            while linked.get() < links {
                linked.set(linked.get() + 1);
                let name = format!("u{:07}.json", linked.get());
                std::fs::hard_link(&unit, units.join(name)).unwrap();
            }
            ["merge", as_arg(&directory), "--out", as_arg(&out)]
                .map(String::from)
                .to_vec()
        },
        || std::fs::write(&out, PREVIOUS).unwrap(),
        |status, stderr| status.code() == Some(2) && !stderr.contains("interrupted"),
    );
    assert_eq!(stopped.status.code(), Some(130), "{}", stopped.stderr);
    assert!(stopped.stderr.contains("interrupted by Ctrl-C (SIGINT)"));
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS);
    assert!(stopped.stdout.is_empty());
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
    // Refusals print their message on the closed stderr and still exit 2.
    for line in [
        vec!["merge", as_arg(&directory)],
        vec!["bench", "settlement", "--orders", "0"],
        vec!["bench", "scenario", as_arg(&broken)],
    ] {
        let refused = with_closed_stderr("refusals", &line);
        assert_eq!(refused.code(), Some(2), "{line:?}: {refused:?}");
    }
    let out = directory.join("summary.json");
    let stopped = stop_mid_way(
        "closed-stderr-sigint",
        SIGINT,
        true,
        &[200, 2_000],
        |replications| replication_arguments(replications, &out, &directory.join("s.html")),
        || std::fs::write(&out, PREVIOUS).unwrap(),
        exited_0,
    );
    assert_eq!(stopped.status.code(), Some(130), "{:?}", stopped.status);
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS);
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

/// One command line of each subcommand that prints its result on stdout;
/// `sweep` is a directory made by [`one_unit_sweep`].
fn printing_commands(sweep: &Path) -> Vec<Vec<String>> {
    let quick = quick();
    let sweep_file = sweep.with_file_name("sweep.ron");
    let optimisation = crate::common::repository_root()
        .join("tests/optimize/erlang-limit.ron")
        .display()
        .to_string();
    let optimised = sweep.with_file_name("optimised");
    [
        vec!["run", &quick],
        vec!["run", &quick, "--replications", "2", "--format", "csv"],
        vec!["compare", &quick, &quick, "--replications", "1"],
        vec!["validate", &quick],
        vec!["merge", as_arg(sweep)],
        vec![
            "sweep",
            as_arg(&sweep_file),
            "--out",
            as_arg(sweep),
            "--dry-run",
        ],
        vec!["bench", "settlement", "--settlements", "100000"],
        vec!["bench", "scenario", &quick, "--repeat", "1"],
        vec![
            "optimize",
            &optimisation,
            "--out",
            as_arg(&optimised),
            "--dry-run",
        ],
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
        assert_eq!(status.code(), Some(0), "{line:?}: {message}");
        assert!(message.is_empty(), "{line:?}: {message}");
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
    for line in printing_commands(&sweep) {
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

/// Every command line that writes a report to `target` (as `--out` or
/// `--html`), with `sweep` a complete sweep directory to merge.
fn commands_writing_to(target: &Path, sweep: &Path) -> Vec<Vec<String>> {
    let quick = quick();
    let target = as_arg(target);
    [
        vec!["run", &quick, "--out", target],
        vec!["run", &quick, "--replications", "1", "--out", target],
        vec!["run", &quick, "--replications", "1", "--html", target],
        vec![
            "compare",
            &quick,
            &quick,
            "--replications",
            "1",
            "--out",
            target,
        ],
        vec![
            "compare",
            &quick,
            &quick,
            "--replications",
            "1",
            "--html",
            target,
        ],
        vec!["merge", as_arg(sweep), "--out", target],
        vec!["merge", as_arg(sweep), "--html", target],
    ]
    .into_iter()
    .map(|line| line.into_iter().map(String::from).collect())
    .collect()
}

#[test]
fn out_on_a_full_disk_fails_with_exit_2_and_the_device_stays_a_device() {
    let directory = scratch("out-full");
    let sweep = one_unit_sweep("out-full");
    let private = device_node(&directory, "full", "c", 1, 7);
    for full in private
        .iter()
        .map(PathBuf::as_path)
        .chain([Path::new("/dev/full")])
    {
        for line in commands_writing_to(full, &sweep) {
            let arguments: Vec<&str> = line.iter().map(String::as_str).collect();
            let output = run(&arguments);
            let message = stderr(&output);
            assert_eq!(output.status.code(), Some(2), "{line:?}: {message}");
            assert!(
                message.contains(&format!(
                    "{}: cannot write the report: No space left on device",
                    full.display()
                )),
                "{line:?}: {message}"
            );
            assert!(is_char_device(full), "{line:?} replaced {}", full.display());
        }
    }
    if private.is_some() {
        assert_eq!(files_in(&directory), ["full"], "temporary files left");
    }
}

// Special files named as outputs.

#[test]
fn out_to_dev_null_writes_nothing_and_leaves_it_a_character_device() {
    // Regression: `--out /dev/null` renamed a regular file over the device
    // (as root, /dev/null itself).
    let directory = scratch("out-null");
    let sweep = one_unit_sweep("out-null");
    let private = device_node(&directory, "null", "c", 1, 3);
    for null in private
        .iter()
        .map(PathBuf::as_path)
        .chain([Path::new("/dev/null")])
    {
        for line in commands_writing_to(null, &sweep) {
            let arguments: Vec<&str> = line.iter().map(String::as_str).collect();
            let output = run(&arguments);
            assert_eq!(
                output.status.code(),
                Some(0),
                "{line:?}: {}",
                stderr(&output)
            );
            assert!(is_char_device(null), "{line:?} replaced {}", null.display());
        }
    }
    if private.is_some() {
        assert_eq!(files_in(&directory), ["null"], "temporary files left");
    }
}

/// Marks the end of what a test wrote into a FIFO after the command's report.
const FIFO_END: &[u8] = b"\n--end of the test--\n";

/// Runs `arguments` with `fifo` (a FIFO) read by a thread, and returns the
/// command's output and what came through the FIFO. The test holds the
/// FIFO open for reading and writing (on Linux that never blocks), so the
/// command's open never waits and the reader never sees an end of file;
/// once the command has exited, the test writes an end mark, and the
/// reader returns what came before it. Nothing hangs if the command never
/// writes to the FIFO.
fn through_fifo(fifo: &Path, arguments: &[&str]) -> (Output, Vec<u8>) {
    let mut keeper = OpenOptions::new()
        .read(true)
        .write(true)
        .open(fifo)
        .expect("FIFO opens");
    let mut reader = keeper.try_clone().unwrap();
    let reading = std::thread::spawn(move || {
        let mut received = Vec::new();
        let mut buffer = [0u8; 65_536];
        while !received.ends_with(FIFO_END) {
            let count = reader.read(&mut buffer).unwrap();
            received.extend_from_slice(&buffer[..count]);
        }
        received.truncate(received.len() - FIFO_END.len());
        received
    });
    let output = run(arguments);
    keeper.write_all(FIFO_END).unwrap();
    (output, reading.join().unwrap())
}

#[test]
fn out_to_a_fifo_is_written_through_it_and_it_stays_a_fifo() {
    // Regression: the report was renamed over the FIFO, so its reader got
    // nothing and the FIFO became a regular file.
    let directory = scratch("out-fifo");
    let fifo = directory.join("report.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (output, received) = through_fifo(
        &fifo,
        &["run", &quick(), "--format", "json", "--out", as_arg(&fifo)],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&received)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&received)));
    assert!(report["digest"].is_string());
    let (output, received) = through_fifo(
        &fifo,
        &[
            "run",
            &quick(),
            "--replications",
            "2",
            "--html",
            as_arg(&fifo),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&received).starts_with("<!DOCTYPE html>"));
    assert!(
        !output.stdout.is_empty(),
        "the text summary still goes to stdout"
    );
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(files_in(&directory), ["report.fifo"]);
}

#[test]
fn out_through_a_symbolic_link_replaces_the_file_it_points_to_and_keeps_the_link() {
    let directory = scratch("out-link");
    let real = directory.join("real.json");
    let link = directory.join("latest.json");
    std::fs::write(&real, PREVIOUS).unwrap();
    std::os::unix::fs::symlink("real.json", &link).unwrap();
    let output = run(&["run", &quick(), "--format", "json", "--out", as_arg(&link)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    assert!(report["digest"].is_string());
    assert_eq!(files_in(&directory), ["latest.json", "real.json"]);
    // A link to standard output, as /dev/stdout is: the report goes down
    // the pipe, and the link stays.
    let stdout_link = directory.join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &stdout_link).unwrap();
    let output = run(&[
        "run",
        &quick(),
        "--format",
        "json",
        "--out",
        as_arg(&stdout_link),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["digest"].is_string());
    assert!(
        std::fs::symlink_metadata(&stdout_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A link to nothing is refused before the run, naming where it points.
    let dangling = directory.join("dangling.json");
    std::os::unix::fs::symlink("missing/report.json", &dangling).unwrap();
    let output = run(&["run", &quick(), "--out", as_arg(&dangling)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "dangling.json: cannot write the report: it is a symbolic link to missing/report.json, which does not exist"
        ),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn special_files_that_cannot_take_a_report_are_refused_before_running() {
    let directory = scratch("out-refused");
    let socket_path = directory.join("socket");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let mut refused = vec![(socket_path, "it is a socket")];
    if let Some(block) = device_node(&directory, "block", "b", 7, 200) {
        refused.push((block, "it is a block device"));
    }
    refused.push((directory.clone(), "it is a directory"));
    for (path, reason) in &refused {
        for line in [
            vec!["run", &quick(), "--out", as_arg(path)],
            vec![
                "compare",
                &quick(),
                &quick(),
                "--replications",
                "1",
                "--html",
                as_arg(path),
            ],
        ] {
            let output = run(&line);
            assert_eq!(output.status.code(), Some(2), "{line:?}");
            assert!(
                stderr(&output).contains(&format!("cannot write the report: {reason}")),
                "{line:?}: {}",
                stderr(&output)
            );
            assert!(output.stdout.is_empty());
        }
    }
    assert!(
        std::fs::symlink_metadata(&refused[0].0)
            .unwrap()
            .file_type()
            .is_socket()
    );
    // --out and --html naming one regular file, directly or through a link,
    // would replace each other: refused. One device for both is fine.
    let report = directory.join("report");
    let link = directory.join("link");
    std::os::unix::fs::symlink("report", &link).unwrap();
    std::fs::write(&report, PREVIOUS).unwrap();
    for html in [&report, &link] {
        let line = [
            "run",
            &quick(),
            "--replications",
            "1",
            "--out",
            as_arg(&report),
            "--html",
            as_arg(html),
        ];
        let output = run(&line);
        assert_eq!(output.status.code(), Some(2), "{line:?}");
        assert!(
            stderr(&output).contains("--out and --html name the same file"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(std::fs::read(&report).unwrap(), PREVIOUS);
    // A private copy of /dev/null where the user may make one (see `device_node`).
    let null =
        device_node(&directory, "null", "c", 1, 3).unwrap_or_else(|| PathBuf::from("/dev/null"));
    let line = [
        "compare",
        &quick(),
        &quick(),
        "--replications",
        "1",
        "--out",
        as_arg(&null),
        "--html",
        as_arg(&null),
    ];
    let output = run(&line);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(is_char_device(&null));
}

#[test]
fn a_special_file_in_a_sweep_directory_is_refused_not_read() {
    // A FIFO where a unit result belongs would block a read forever.
    let directory = one_unit_sweep("sweep-fifo");
    let unit = directory.join("units/u0000000.json");
    std::fs::remove_file(&unit).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(&unit)
            .status()
            .unwrap()
            .success()
    );
    let sweep = directory.with_file_name("sweep.ron");
    for line in [
        vec!["sweep", as_arg(&sweep), "--out", as_arg(&directory)],
        vec![
            "sweep",
            as_arg(&sweep),
            "--out",
            as_arg(&directory),
            "--dry-run",
        ],
        vec!["merge", as_arg(&directory)],
    ] {
        let mut child = command(&line)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let status = wait_for_exit(&mut child, "sweep-fifo");
        let mut message = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut message)
            .unwrap();
        assert_eq!(status.code(), Some(2), "{line:?}: {message}");
        assert!(
            message.contains("u0000000.json: is a FIFO, not a regular file"),
            "{line:?}: {message}"
        );
    }
    assert!(
        std::fs::symlink_metadata(&unit)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    // An --out that names a file, not a directory, is refused too.
    let file = directory.join("sweep.json");
    let output = run(&["sweep", as_arg(&sweep), "--out", as_arg(&file)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot create the sweep directory"),
        "{}",
        stderr(&output)
    );
}

// Two writers at once.

#[test]
fn two_runs_writing_one_report_at_once_leave_one_whole_report() {
    let directory = scratch("two-writers");
    let out = directory.join("report.json");
    let children: Vec<Child> = ["1", "2"]
        .into_iter()
        .map(|seed| {
            command(&[
                "run",
                &quick(),
                "--seed",
                seed,
                "--format",
                "json",
                "--out",
                as_arg(&out),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for mut child in children {
        assert_eq!(wait_for_exit(&mut child, "two-writers").code(), Some(0));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).expect("the report is whole JSON");
    let seed = report["seed"].as_str().unwrap();
    assert!(seed == "1" || seed == "2", "{seed}");
    assert_eq!(files_in(&directory), ["report.json"]);
}
