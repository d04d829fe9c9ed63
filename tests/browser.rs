//! The HTML report in a real browser: headless Chromium opens the run,
//! comparison, sweep and study pages, every chart must lay out with no
//! text label drawn over another (the page's self-check compares the
//! labels' boxes as laid out, and marks each chart with the count), and the
//! page must load nothing from the network.
//!
//! Built only with `--features browser-tests` (`.ci/run` does so after
//! `scripts/install-chromium.sh`), so a plain `cargo test` on a machine
//! without Chromium neither runs nor silently passes it. With the feature
//! on, a missing Chromium fails the test.
//!
//! Two witnesses that nothing was fetched: the page's own Resource Timing
//! count (written into the DOM by the report's self-check), and Chromium's
//! net log, in which every request the page starts carries the page's
//! origin (`file://`) while the browser's own housekeeping requests carry
//! none. A control page that does fetch proves the net-log check can fail.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn work_directory(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("escrowsim-browser-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("temporary directory");
    directory
}

/// Chromium on the PATH; its absence fails the test, never skips it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for directory in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = directory.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "the browser tests need Chromium and none is on the PATH: run `bash scripts/install-chromium.sh` (Debian's chromium package)"
    );
}

/// What Chromium saw of a page: the DOM after scripts ran, and the net log.
struct Visit {
    dom: String,
    net_log: Value,
}

fn visit(page: &Path, directory: &Path) -> Visit {
    let profile = directory.join("profile");
    let net_log = directory.join("net-log.json");
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed on {}: {}",
        page.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let net_log = std::fs::read_to_string(&net_log).expect("chromium wrote its net log");
    Visit {
        dom: String::from_utf8(output.stdout).expect("the DOM is UTF-8"),
        net_log: serde_json::from_str(&net_log).expect("the net log is JSON"),
    }
}

/// Network activity the page started: net-log events that carry the page's
/// origin as initiator or isolation key. The browser's own requests carry
/// "not an origin" and no `file://` key.
fn page_requests(net_log: &Value) -> Vec<String> {
    let mut requests = Vec::new();
    for event in net_log["events"].as_array().expect("net log events") {
        let Some(parameters) = event.get("params") else {
            continue;
        };
        let initiated_by_page = parameters
            .get("initiator")
            .and_then(Value::as_str)
            .is_some_and(|initiator| initiator != "not an origin");
        let isolated_to_page = ["network_isolation_key", "network_anonymization_key"]
            .iter()
            .filter_map(|key| parameters.get(*key).and_then(Value::as_str))
            .any(|key| key.contains("file://"));
        if initiated_by_page || isolated_to_page {
            let target = ["url", "host", "group_id"]
                .iter()
                .find_map(|key| parameters.get(*key).and_then(Value::as_str))
                .unwrap_or("?");
            requests.push(target.to_string());
        }
    }
    requests
}

fn attribute<'a>(dom: &'a str, element_start: &str, name: &str) -> Option<&'a str> {
    let element = &dom[dom.find(element_start)?..];
    let element = &element[..element.find('>')?];
    let value = &element[element.find(&format!("{name}=\""))? + name.len() + 2..];
    Some(&value[..value.find('"')?])
}

fn escrowsim(arguments: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args(arguments)
        .output()
        .expect("escrowsim runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn check_report(page: &Path, directory: &Path, charts: &[&str]) {
    let visit = visit(page, directory);
    let body = "<body";
    assert_eq!(
        attribute(&visit.dom, body, "data-charts"),
        Some(charts.len().to_string().as_str()),
        "{}: the self-check did not run or found other charts",
        page.display()
    );
    assert_eq!(
        attribute(&visit.dom, body, "data-charts-rendered"),
        Some(charts.len().to_string().as_str()),
        "{}: not every chart rendered",
        page.display()
    );
    for chart in charts {
        assert_eq!(
            attribute(
                &visit.dom,
                &format!("data-chart=\"{chart}\""),
                "data-rendered"
            ),
            Some("yes"),
            "{}: chart {chart}",
            page.display()
        );
        assert_eq!(
            attribute(
                &visit.dom,
                &format!("data-chart=\"{chart}\""),
                "data-text-overlaps"
            ),
            Some("0"),
            "{}: chart {chart} has text labels drawn over one another",
            page.display()
        );
    }
    assert_eq!(
        attribute(&visit.dom, body, "data-resources"),
        Some("0"),
        "{}: the page loaded resources",
        page.display()
    );
    let requests = page_requests(&visit.net_log);
    assert!(
        requests.is_empty(),
        "{}: the page reached the network: {requests:?}",
        page.display()
    );
}

#[test]
fn the_run_and_comparison_reports_render_every_chart_and_fetch_nothing() {
    let directory = work_directory("reports");
    let quick = repository_root().join("scenarios/quick.ron");
    let variant = repository_root().join("scenarios/quick-release-at-contract.ron");
    let run_page = directory.join("run.html");
    let compare_page = directory.join("compare.html");
    escrowsim(&[
        "run",
        quick.to_str().unwrap(),
        "--replications",
        "3",
        "--format",
        "json",
        "--out",
        directory.join("run.json").to_str().unwrap(),
        "--html",
        run_page.to_str().unwrap(),
    ]);
    escrowsim(&[
        "compare",
        quick.to_str().unwrap(),
        variant.to_str().unwrap(),
        "--replications",
        "3",
        "--out",
        directory.join("compare.txt").to_str().unwrap(),
        "--html",
        compare_page.to_str().unwrap(),
    ]);
    check_report(
        &run_page,
        &work_directory("run-visit"),
        &[
            "escrow-exposure",
            "refunds-by-reason",
            "approved-suppliers",
            "covered-share",
            "platform-loss-distribution",
        ],
    );
    check_report(
        &compare_page,
        &work_directory("compare-visit"),
        &[
            "differences",
            // quick.ron holds the deposit until acceptance, so its exposure
            // and platform loss are zero: their differences are absolute.
            "absolute-differences",
            "escrow-float",
            "exposure",
            "refunds-by-reason",
            "approved-suppliers",
            "covered-share",
            "platform-loss-distribution",
        ],
    );
}

#[test]
fn the_sweep_report_renders_a_chart_per_key_metric_and_fetches_nothing() {
    let directory = work_directory("sweep");
    let sweep_directory = directory.join("units");
    let page = directory.join("sweep.html");
    let sweep = repository_root().join("sweeps/claim-window-by-release.ron");
    escrowsim(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        sweep_directory.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    escrowsim(&[
        "merge",
        sweep_directory.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    let charts: Vec<String> = escrowsim::sweep::result::KEY_METRICS
        .iter()
        .map(|metric| format!("sweep-{metric}"))
        .collect();
    let charts: Vec<&str> = charts.iter().map(String::as_str).collect();
    check_report(&page, &work_directory("sweep-visit"), &charts);
}

#[test]
fn the_study_pages_render_a_chart_per_metric_and_fetch_nothing() {
    let studies: [(&str, &str, &[&str]); 3] = [
        (
            "sensitivity",
            "browser-morris",
            &["morris-refunds.rate", "morris-claims.filed"],
        ),
        (
            "sensitivity",
            "browser-sobol",
            &["sobol-refunds.rate", "sobol-claims.filed"],
        ),
        (
            "calibrate",
            "browser-calibration",
            &["calibration-posterior"],
        ),
    ];
    for (command, name, charts) in studies {
        let study = repository_root().join(format!("tests/studies/{name}.ron"));
        let out = work_directory(name);
        escrowsim(&[
            command,
            study.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ]);
        let visit = work_directory(&format!("{name}-visit"));
        check_report(&out.join("result.html"), &visit, charts);
    }
}

#[test]
fn the_optimisation_page_renders_a_frontier_per_constraint_and_fetches_nothing() {
    let study = repository_root().join("tests/optimize/erlang-limit.ron");
    let out = work_directory("optimize");
    escrowsim(&[
        "optimize",
        study.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    let visit = work_directory("optimize-visit");
    check_report(
        &out.join("result.html"),
        &visit,
        &["frontier-orders.covered"],
    );
}

#[test]
fn the_net_log_check_catches_a_page_that_fetches() {
    // Control: without it, an always-empty check would pass the test above.
    let directory = work_directory("control");
    let page = directory.join("fetching.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/chart.png\"></body></html>",
    )
    .unwrap();
    let visit = visit(&page, &directory);
    let requests = page_requests(&visit.net_log);
    assert!(
        requests.iter().any(|request| request.contains("127.0.0.1")),
        "the fetch went unseen: {requests:?}"
    );
}
