//! Shared helpers: load a shipped scenario, run it, parse money strings.

use escrowsim::program::{NoProbe, RunOutput};
use escrowsim::report::Report;
use escrowsim::scenario::{Scenario, load_scenario_file, parse_scenario};
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::str::FromStr;
use std::time::{Duration, Instant};

pub fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn scenario_path(file_name: &str) -> PathBuf {
    repository_root().join("scenarios").join(file_name)
}

pub fn shipped_scenario(file_name: &str) -> Scenario {
    load_scenario_file(&scenario_path(file_name)).unwrap_or_else(|error| panic!("{error}"))
}

/// The text of a shipped scenario, for tests that edit it.
pub fn shipped_text(file_name: &str) -> String {
    std::fs::read_to_string(scenario_path(file_name)).expect("shipped scenario readable")
}

/// Parses edited scenario text, panicking with every problem if it is invalid.
pub fn parse(text: &str) -> Scenario {
    parse_scenario(text, "edited.ron").unwrap_or_else(|error| panic!("{error}"))
}

pub fn run_with_seed(scenario: &Scenario, seed: u64) -> (RunOutput, Report) {
    let output = escrowsim::run(scenario, seed, &mut NoProbe).expect("NoProbe never interrupts");
    let report = Report::new(scenario, seed, &output, None);
    (output, report)
}

pub fn run(scenario: &Scenario) -> (RunOutput, Report) {
    run_with_seed(scenario, scenario.seed)
}

/// The `outcome` of a report as JSON.
pub fn outcome_json(report: &Report) -> serde_json::Value {
    serde_json::to_value(&report.outcome).expect("outcome serialises")
}

pub fn money(value: &serde_json::Value) -> Decimal {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("money is a string, got {value}"));
    Decimal::from_str(text).unwrap_or_else(|error| panic!("{text:?} is not a decimal: {error}"))
}

/// All `*.ron` files under `scenarios/`, sorted.
pub fn shipped_scenario_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repository_root().join("scenarios"))
        .expect("scenarios/ exists")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".ron"))
        .collect();
    names.sort();
    names
}

/// Writes `text` to a fresh file in a per-test temporary directory.
pub fn temporary_file(test_name: &str, file_name: &str, text: &[u8]) -> PathBuf {
    let directory = std::env::temp_dir().join(format!(
        "escrowsim-tests-{}-{test_name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&directory).expect("temporary directory");
    let path = directory.join(file_name);
    std::fs::write(&path, text).expect("temporary file written");
    path
}

/// A path in a per-test temporary directory that does not exist yet.
pub fn fresh_directory(test_name: &str, name: &str) -> PathBuf {
    let directory = temporary_file(test_name, "placeholder", b"")
        .parent()
        .expect("a temporary file has a directory")
        .join(name);
    let _ = std::fs::remove_dir_all(&directory);
    directory
}

/// A path as an argument of the binary.
pub fn path(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// Runs the `escrowsim` binary with `arguments` and returns what it did.
pub fn escrowsim(arguments: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args(arguments)
        .output()
        .expect("escrowsim runs")
}

/// The stdout of a command that must have succeeded (exit 0).
pub fn succeeded(output: &std::process::Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A command's stderr as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

// Child processes that are signalled, waited for, and whose files are listed.

/// CPU time a process has used, in clock ticks, from `/proc/PID/stat`.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Waits until the child has spent a quarter second of CPU (well past
/// starting and installing its signal handlers, which it does first) and
/// returns true, or returns false if it finished first. CPU time, not wall
/// time, so a loaded machine only makes the wait longer.
pub fn worked_a_quarter_second(child: &mut Child) -> bool {
    loop {
        if child.try_wait().expect("child status").is_some() {
            return false;
        }
        if cpu_ticks(child.id()).is_some_and(|ticks| ticks >= 25) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits for the child to exit; a child that ignores the stop is killed
/// and the test fails (a hang guard, not a timing assertion).
pub fn wait_for_exit(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().expect("child status") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what}: the command did not end within two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` (a number: 2 for SIGINT, 15 for SIGTERM) to the child.
pub fn send(child: &Child, signal: i32) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -{signal} {}", child.id());
}

/// The names of the entries of `directory`, sorted.
pub fn files_in(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
