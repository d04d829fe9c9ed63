//! Reliability as a user meets it, through the real binary: every kind of
//! bad input exits 2 with a clear message (never 101, never a signal); a
//! scenario the machine cannot hold is refused before anything is
//! allocated; a stopped or killed run never leaves a partial report nor
//! clobbers the previous one; and `--check-determinism` passes.

use crate::common::{
    escrowsim, files_in, scenario_path, send, shipped_scenario, shipped_text, stderr,
    temporary_file, wait_for_exit, worked_a_quarter_second,
};
use escrowsim::program::memory::estimate_peak_memory;
use escrowsim::scenario::parse_scenario;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};

/// Asserts that a command failed as bad input: exit 2, a message naming
/// the file and containing `needle`, nothing on stdout, no panic.
fn assert_bad_input(output: &Output, context: &str, file_name: &str, needle: &str) {
    let text = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{context}: status {:?} (signal {:?}), stderr:\n{text}",
        output.status.code(),
        output.status.signal()
    );
    assert!(
        text.contains(file_name),
        "{context}: no file name in {text}"
    );
    assert!(
        text.contains(needle),
        "{context}: expected {needle:?} in:\n{text}"
    );
    assert!(
        !text.contains("panicked") && !text.contains("internal error"),
        "{context}: {text}"
    );
    assert!(output.stdout.is_empty(), "{context}: output on stdout");
}

fn quick() -> String {
    shipped_text("quick.ron")
}

fn edited(find: &str, replace: &str) -> Vec<u8> {
    let text = quick();
    assert!(text.contains(find), "quick.ron contains {find:?}");
    text.replacen(find, replace, 1).into_bytes()
}

/// Kinds of bad scenario files, each with what its message must say.
fn bad_inputs() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let text = quick();
    let bytes = text.as_bytes();
    let mut invalid_utf8 = bytes.to_vec();
    invalid_utf8.splice(10..10, [0xC3, 0x28]);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let many_segments = (0..300)
        .map(|index| {
            format!(
                "(name: \"s{index}\", count: 0, country: \"CN\", volunteer_probability: 2.0, \
                 promised_lead_days: 30, type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))"
            )
        })
        .collect::<Vec<_>>()
        .join(",\n");
    let payment_flood = vec!["(TT, 0.0)"; 2_000].join(", ");
    vec![
        ("empty.ron", Vec::new(), "the file is empty"),
        ("blank.ron", b" \n\t\n  ".to_vec(), "the file is empty"),
        (
            "comment-only.ron",
            b"// nothing here\n".to_vec(),
            "Expected opening `(` for struct `Scenario`",
        ),
        (
            "truncated-quarter.ron",
            bytes[..bytes.len() / 4].to_vec(),
            "truncated-quarter.ron:",
        ),
        (
            "truncated-half.ron",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated-half.ron:",
        ),
        (
            "truncated-end.ron",
            bytes[..bytes.len() - 2].to_vec(),
            "end of file",
        ),
        (
            "binary.ron",
            (0..=255u8).rev().cycle().take(8192).collect(),
            "not UTF-8",
        ),
        ("nul-bytes.ron", vec![0; 1024], "nul-bytes.ron:1:1"),
        (
            "invalid-utf8.ron",
            invalid_utf8,
            "invalid byte at offset 10",
        ),
        ("utf16.ron", utf16, "not UTF-8"),
        (
            "nested-parens.ron",
            format!("Scenario(seed: 1, suppliers: [{}", "(".repeat(200_000)).into_bytes(),
            "nested-parens.ron:1:32: suppliers[0][0]: Expected identifier",
        ),
        (
            "nested-lists.ron",
            format!("Scenario(name: \"x\", suppliers: {}", "[".repeat(100_000)).into_bytes(),
            "nested-lists.ron:1:",
        ),
        (
            "duplicated-top.ron",
            edited("seed: 7,", "seed: 7, seed: 7,"),
            "is given twice",
        ),
        (
            "duplicated-rule.ron",
            edited(
                "claim_window_days: 30,",
                "claim_window_days: 30, claim_window_days: 30,",
            ),
            "is given twice",
        ),
        (
            "unknown-field.ron",
            edited("seed: 7,", "seed: 7, colour: 1,"),
            "unknown field",
        ),
        (
            "horizon-zero.ron",
            edited("horizon_days: 120", "horizon_days: 0"),
            "out of range",
        ),
        (
            "count-overflow.ron",
            edited("count: 2000,", "count: 4294967296,"),
            "suppliers[0].count",
        ),
        (
            "count-negative.ron",
            edited("count: 2000,", "count: -5,"),
            "suppliers[0].count",
        ),
        (
            "probability-nan.ron",
            edited("volunteer_probability: 0.5,", "volunteer_probability: NaN,"),
            "not a probability",
        ),
        (
            "rate-infinite.ron",
            edited("inquiries_per_year: 2.0", "inquiries_per_year: inf"),
            "inquiries_per_year",
        ),
        (
            "population-too-large.ron",
            edited("count: 20000,", "count: 200000000,"),
            "the limit is 100000000",
        ),
        (
            "money-negative.ron",
            edited(
                "coverage_limit_floor: \"10000.00\"",
                "coverage_limit_floor: \"-0.01\"",
            ),
            "must be at least 0",
        ),
        (
            "money-sub-cent.ron",
            edited(
                "coverage_limit_floor: \"10000.00\"",
                "coverage_limit_floor: \"0.001\"",
            ),
            "more than two decimal places",
        ),
        (
            "money-too-large.ron",
            edited(
                "coverage_limit_cap: \"500000.00\"",
                "coverage_limit_cap: \"1000000000000.01\"",
            ),
            "at most 1000000000000",
        ),
        (
            "money-overflow.ron",
            edited(
                "coverage_limit_cap: \"500000.00\"",
                "coverage_limit_cap: \"79228162514264337593543950336\"",
            ),
            "rules.coverage_limit_cap",
        ),
        (
            "money-exponent.ron",
            edited(
                "coverage_limit_floor: \"10000.00\"",
                "coverage_limit_floor: \"5e-3\"",
            ),
            "is not an amount: write money as a decimal string",
        ),
        (
            "money-as-number.ron",
            edited(
                "coverage_limit_floor: \"10000.00\"",
                "coverage_limit_floor: 10000.0",
            ),
            "decimal string",
        ),
        (
            "fee-threshold-negative.ron",
            edited(
                "coverage_limit_floor: \"10000.00\"",
                "coverage_limit_floor: \"10000.00\", seller_fee_applies_to: OrdersUpTo(\"-5.00\")",
            ),
            "rules.seller_fee_applies_to",
        ),
        (
            "order-value-too-large.ron",
            edited(
                "LogNormal(median: 3000.0, sigma: 1.0)",
                "Fixed(1000000000.01)",
            ),
            "at most 1000000000",
        ),
        (
            "too-many-problems.ron",
            edited("suppliers: [", &format!("suppliers: [{many_segments},")),
            "more problems not listed",
        ),
        (
            "payment-mix-flood.ron",
            edited("[(TT, 0.75), (Card, 0.25)]", &format!("[{payment_flood}]")),
            "2000 entries; there are 5 payment methods",
        ),
        (
            "covered-methods-flood.ron",
            edited(
                "covered_payment_methods: [TT],",
                "covered_payment_methods: [TT, TT, TT, TT, TT, TT],",
            ),
            "6 entries; there are 5 payment methods",
        ),
    ]
}

#[test]
fn every_kind_of_bad_scenario_file_exits_2_with_a_clear_message() {
    for (file_name, bytes, needle) in bad_inputs() {
        let path = temporary_file("bad-kinds", file_name, &bytes);
        for command in ["validate", "run"] {
            let output = escrowsim(&[command, path.to_str().unwrap()]);
            assert_bad_input(
                &output,
                &format!("{command} {file_name}"),
                file_name,
                needle,
            );
        }
    }
}

#[test]
fn a_flood_of_problems_is_listed_up_to_the_bound_then_counted() {
    let (_, bytes, _) = bad_inputs()
        .into_iter()
        .find(|(name, _, _)| *name == "too-many-problems.ron")
        .unwrap();
    let path = temporary_file("problem-flood", "flood.ron", &bytes);
    let output = escrowsim(&["validate", path.to_str().unwrap()]);
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 101, "{text}");
    assert!(
        lines[100].ends_with("500 more problems not listed; the first 100 are above"),
        "{}",
        lines[100]
    );
}

#[test]
fn a_scenario_file_beyond_the_size_limit_is_refused_unread() {
    let mut bytes = quick().into_bytes();
    bytes.resize(16 * 1024 * 1024 + 1, b' ');
    let path = temporary_file("too-large", "huge.ron", &bytes);
    let output = escrowsim(&["run", path.to_str().unwrap()]);
    assert_bad_input(&output, "huge.ron", "huge.ron", "limited to 16777216 bytes");
}

#[test]
fn an_endless_input_is_read_only_up_to_the_size_limit() {
    // A device such as /dev/zero is not a file: refused before a byte is
    // read. A named pipe that never ends is read only up to the limit;
    // under a 1 GiB address-space limit a read to the end would run out of
    // memory rather than stop there.
    let output = escrowsim(&["validate", "/dev/zero"]);
    assert_bad_input(
        &output,
        "/dev/zero",
        "/dev/zero",
        "it is a character device, not a file",
    );
    let fifo = temporary_file("endless-fifo", "placeholder", b"")
        .parent()
        .unwrap()
        .join("endless.ron");
    let _ = std::fs::remove_file(&fifo);
    let output = Command::new("sh")
        .arg("-c")
        .arg(
            "mkfifo \"$1\" && (yes > \"$1\" 2>/dev/null &) && ulimit -v 1048576 && exec \"$0\" validate \"$1\"",
        )
        .arg(env!("CARGO_BIN_EXE_escrowsim"))
        .arg(&fifo)
        .output()
        .expect("sh runs");
    let _ = std::fs::remove_file(&fifo);
    assert_bad_input(
        &output,
        "an endless pipe",
        "endless.ron",
        "the input goes on past 16777216 bytes",
    );
}

#[test]
fn a_scenario_beyond_max_memory_is_refused_with_the_estimate() {
    let quick = scenario_path("quick.ron");
    for command in ["run", "validate"] {
        let output = escrowsim(&[command, quick.to_str().unwrap(), "--max-memory", "4M"]);
        assert_bad_input(&output, command, "quick.ron", "needs an estimated");
        let text = stderr(&output);
        assert!(text.contains("4.0 MiB (--max-memory)"), "{text}");
        assert!(text.contains("orders in flight"), "{text}");
        let output = escrowsim(&[command, quick.to_str().unwrap(), "--max-memory", "1G"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let output = escrowsim(&["run", quick.to_str().unwrap(), "--max-memory", "lots"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not a memory size"));
}

#[test]
fn every_command_that_runs_a_scenario_refuses_one_beyond_max_memory() {
    // Regression: compare, sweep and bench scenario never checked memory,
    // and replications on J threads were checked as one run though J runs
    // hold memory at once. Each names quick.ron's estimate of one run, the
    // figure `validate` gives.
    let quick = scenario_path("quick.ron");
    let quick = quick.to_str().unwrap();
    let validated = crate::common::succeeded(&escrowsim(&["validate", quick]));
    let one_run = validated
        .trim_end()
        .rsplit_once("estimated peak memory ")
        .map(|(_, size)| size.to_string())
        .expect("validate gives the estimate");
    let sweep = crate::common::repository_root().join("sweeps/claim-window-by-release.ron");
    let sweep_out = temporary_file("memory-commands", "placeholder", b"").with_file_name("sweep");
    let refused_lines: [&[&str]; 3] = [
        &[
            "compare",
            quick,
            quick,
            "--replications",
            "1",
            "--max-memory",
            "4M",
        ],
        &["bench", "scenario", quick, "--max-memory", "4M"],
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            sweep_out.to_str().unwrap(),
            "--max-memory",
            "4M",
        ],
    ];
    let names = [
        "quick.ron",
        "quick.ron",
        "claim-window-by-release.ron (point 0)",
    ];
    for (line, name) in refused_lines.into_iter().zip(names) {
        let output = escrowsim(line);
        assert_bad_input(&output, line[0], name, "needs an estimated");
        assert!(stderr(&output).contains(&one_run), "{}", stderr(&output));
    }
    assert!(!sweep_out.exists(), "nothing is created before the check");
    // Four replications at once need four runs' memory; two fit in 20 MiB.
    let four = escrowsim(&[
        "run",
        quick,
        "--replications",
        "4",
        "--jobs",
        "4",
        "--max-memory",
        "20M",
    ]);
    assert_bad_input(
        &four,
        "4 jobs",
        "quick.ron",
        &format!("(4 runs at once of {one_run}"),
    );
    let two = escrowsim(&[
        "run",
        quick,
        "--replications",
        "4",
        "--jobs",
        "2",
        "--max-memory",
        "20M",
    ]);
    assert_eq!(two.status.code(), Some(0), "{}", stderr(&two));
}

/// Physical memory of this machine, from `/proc/meminfo`.
fn machine_memory_bytes() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").expect("/proc/meminfo readable");
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemTotal:"))
        .expect("MemTotal present");
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[test]
fn a_scenario_beyond_the_machines_memory_is_refused_before_anything_is_allocated() {
    // The largest populations and demand the bounds allow, with orders that
    // live all year: about a terabyte of orders in flight.
    let text = quick()
        .replace("horizon_days: 120", "horizon_days: 365")
        .replace("count: 2000,", "count: 9999000,")
        .replace("count: 20000,", "count: 100000000,")
        .replace("inquiries_per_year: 2.0", "inquiries_per_year: 49.0")
        .replace("promised_lead_days: 30,", "promised_lead_days: 3650,");
    let scenario = parse_scenario(&text, "enormous.ron").unwrap_or_else(|error| panic!("{error}"));
    let estimate = estimate_peak_memory(&scenario).total_bytes();
    assert!(
        estimate > machine_memory_bytes(),
        "this machine holds {} bytes, more than the largest scenario's estimate {estimate}: the test needs a larger scenario",
        machine_memory_bytes()
    );
    let path = temporary_file("enormous", "enormous.ron", text.as_bytes());
    // Under a 1 GiB address-space limit, drawing the population alone would
    // fail and abort; the refusal must come first.
    let output = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_escrowsim"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .expect("sh runs");
    assert_bad_input(
        &output,
        "enormous.ron",
        "enormous.ron",
        "needs an estimated",
    );
    assert!(
        stderr(&output).contains("physical memory") || stderr(&output).contains("control-group")
    );
}

/// Peak RSS of a child run of `scenario`, from its JSON report.
fn measured_peak_rss_bytes(name: &str, text: &str) -> u64 {
    let path = temporary_file("rss", name, text.as_bytes());
    let output = escrowsim(&["run", path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    report["performance"]["peak_rss_bytes"]
        .as_u64()
        .expect("peak RSS is known on Linux")
}

#[test]
fn the_memory_estimate_is_within_a_sane_factor_of_the_measured_peak() {
    // Three shapes: the quick scenario (fixed costs dominate), the launch
    // population with a short horizon (the population dominates), and many
    // long-lived orders (orders in flight dominate). The bound is loose on
    // purpose: allocators and page granularity move the measure, not the
    // order of magnitude.
    let launch = shipped_text("trade-assurance-2014.ron");
    assert!(launch.contains("horizon_days: 365"));
    let cases = [
        ("quick.ron", quick()),
        (
            "launch-population.ron",
            launch.replace("horizon_days: 365", "horizon_days: 10"),
        ),
        (
            "many-orders.ron",
            quick()
                .replace("horizon_days: 120", "horizon_days: 40")
                .replace("count: 20000,", "count: 2000000,")
                .replace("promised_lead_days: 30,", "promised_lead_days: 300,"),
        ),
    ];
    for (name, text) in cases {
        let scenario = parse_scenario(&text, name).unwrap_or_else(|error| panic!("{error}"));
        let estimate = estimate_peak_memory(&scenario);
        let measured = measured_peak_rss_bytes(name, &text);
        let ratio = estimate.total_bytes() as f64 / measured as f64;
        assert!(
            (0.5..=2.5).contains(&ratio),
            "{name}: estimate {estimate} vs measured {measured} bytes: ratio {ratio:.2}"
        );
    }
    // The launch scenario as shipped is estimated in the same band as the
    // 103 MiB measured by its full release run (README, "Performance").
    let shipped = estimate_peak_memory(&shipped_scenario("trade-assurance-2014.ron"));
    let ratio = shipped.total_bytes() as f64 / (103u64 << 20) as f64;
    assert!((0.5..=2.5).contains(&ratio), "{shipped}: ratio {ratio:.2}");
}

#[test]
fn check_determinism_runs_twice_and_reports_the_usual_result() {
    let quick = scenario_path("quick.ron");
    let checked = escrowsim(&[
        "run",
        quick.to_str().unwrap(),
        "--format",
        "json",
        "--check-determinism",
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let text = stderr(&checked);
    assert!(text.contains("determinism check passed"), "{text}");
    let plain = escrowsim(&["run", quick.to_str().unwrap(), "--format", "json"]);
    let digest = |output: &Output| {
        serde_json::from_slice::<serde_json::Value>(&output.stdout).unwrap()["digest"].clone()
    };
    assert_eq!(digest(&checked), digest(&plain));
    assert!(text.contains(digest(&plain).as_str().unwrap()));
}

// Stopping and killing runs that write --out.

const PREVIOUS_REPORT: &[u8] = b"{\"previous\": \"complete report\"}\n";

fn spawn_run(scenario: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("escrowsim starts")
}

/// Starts a long run writing over an existing report, signals it once it is
/// deep in its event loop, and returns its exit status, stderr, and the
/// report file. The run is quick.ron over decades: its population is drawn
/// in milliseconds, so a quarter second of CPU is always in the event loop
/// (a large population would be stopped while it is drawn, which
/// `faults.rs` tests). Retries with a longer horizon if a run finishes
/// before it can be signalled, and fails clearly if even the longest does.
fn signal_a_long_run(test_name: &str, signal: i32) -> (ExitStatus, String, PathBuf) {
    for horizon_days in [3_650, 36_500] {
        let text = shipped_text("quick.ron").replace(
            "horizon_days: 120",
            &format!("horizon_days: {horizon_days}"),
        );
        let scenario = temporary_file(test_name, "long.ron", text.as_bytes());
        let out = scenario.with_file_name("report.json");
        std::fs::write(&out, PREVIOUS_REPORT).unwrap();
        let mut child = spawn_run(&scenario, &out);
        if !worked_a_quarter_second(&mut child) {
            continue;
        }
        send(&child, signal);
        let status = wait_for_exit(&mut child, test_name);
        let mut stderr = String::new();
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        std::fs::remove_file(&scenario).unwrap();
        return (status, stderr, out);
    }
    panic!("{test_name}: every run finished before it could be signalled; use a longer scenario");
}

#[test]
fn ctrl_c_stops_a_long_run_with_130_and_keeps_the_previous_report() {
    let (status, stderr, out) = signal_a_long_run("sigint", 2);
    assert_eq!(status.code(), Some(130), "{status:?}: {stderr}");
    assert!(
        stderr.contains("interrupted by Ctrl-C (SIGINT) at simulated day"),
        "{stderr}"
    );
    assert!(stderr.contains("was left as it was"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS_REPORT);
    assert_eq!(files_in(out.parent().unwrap()), ["report.json"]);
}

#[test]
fn sigterm_stops_a_long_run_with_143_and_keeps_the_previous_report() {
    let (status, stderr, out) = signal_a_long_run("sigterm", 15);
    assert_eq!(status.code(), Some(143), "{status:?}: {stderr}");
    assert!(stderr.contains("terminated by SIGTERM"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS_REPORT);
    assert_eq!(files_in(out.parent().unwrap()), ["report.json"]);
}

#[test]
fn a_killed_run_leaves_the_previous_report_whole() {
    let (status, _, out) = signal_a_long_run("sigkill", 9);
    assert_eq!(status.signal(), Some(9), "{status:?}");
    assert_eq!(std::fs::read(&out).unwrap(), PREVIOUS_REPORT);
    assert_eq!(files_in(out.parent().unwrap()), ["report.json"]);
}
