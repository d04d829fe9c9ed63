//! The JSON report is a contract: every key DESIGN.md section 4 lists is
//! present, with the documented types, in what the CLI writes.

use crate::common::{escrowsim, scenario_path, succeeded, temporary_file};
use sha2::{Digest, Sha256};
use std::process::Command;

const OUTCOME_KEYS: &[&str] = &[
    "orders.placed",
    "orders.covered",
    "orders.completed",
    "orders.open_at_end",
    "gmv.total",
    "gmv.covered",
    "claims.filed",
    "claims.by_reason.late",
    "claims.by_reason.quality",
    "claims.by_reason.non_delivery",
    "claims.by_reason.false_claim",
    "refunds.count",
    "refunds.value",
    "refunds.rate",
    "refunds.value_rate",
    "refunds.by_reason.late",
    "refunds.by_reason.quality",
    "refunds.by_reason.non_delivery",
    "refunds.by_reason.false_claim",
    "risk.platform_loss",
    "risk.loss_bps",
    "risk.escrow_peak",
    "risk.exposure_peak",
    "risk.buyer_uncovered_loss",
    "suppliers.volunteered",
    "suppliers.approved",
    "suppliers.suspended",
    "ledger.paid_into_escrow",
    "ledger.released_to_suppliers",
    "ledger.refunded_from_escrow",
    "ledger.fees",
    "ledger.escrow_end",
    "ledger.advanced_by_platform",
    "ledger.recovered_from_suppliers",
    "monthly",
];

const PERFORMANCE_KEYS: &[&str] = &[
    "wall_ms",
    "events",
    "events_per_sec",
    "settlements",
    "settlements_per_sec",
    "settle_latency_ns.p50",
    "settle_latency_ns.p99",
    "settle_latency_ns.p999",
    "settle_latency_ns.max",
    "peak_rss_bytes",
];

fn lookup<'a>(value: &'a serde_json::Value, dotted: &str) -> Option<&'a serde_json::Value> {
    dotted.split('.').try_fold(value, |node, key| node.get(key))
}

#[test]
fn the_cli_json_report_has_every_documented_key() {
    let out = temporary_file("contract", "report.json", b"");
    let status = Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args([
            "run",
            scenario_path("quick.ron").to_str().unwrap(),
            "--format",
            "json",
            "--out",
            out.to_str().unwrap(),
        ])
        .status()
        .expect("escrowsim runs");
    assert!(status.success());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).expect("valid JSON");
    for key in [
        "scenario",
        "seed",
        "version",
        "outcome",
        "digest",
        "performance",
    ] {
        assert!(report.get(key).is_some(), "missing top-level key {key}");
    }
    assert_eq!(report["scenario"], "quick");
    assert_eq!(report["seed"], "7");
    // The source: the file as named, and the SHA-256 of its bytes.
    let path = scenario_path("quick.ron");
    let expected_sha256: String = Sha256::digest(std::fs::read(&path).unwrap())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(report["source"]["file"], path.to_str().unwrap());
    assert_eq!(report["source"]["sha256"], expected_sha256.as_str());
    let digest = report["digest"].as_str().unwrap();
    assert_eq!(digest.len(), 64);
    assert!(digest.bytes().all(|byte| byte.is_ascii_hexdigit()));
    for key in OUTCOME_KEYS {
        assert!(
            lookup(&report["outcome"], key).is_some(),
            "missing outcome.{key}"
        );
    }
    for key in PERFORMANCE_KEYS {
        assert!(
            lookup(&report["performance"], key).is_some(),
            "missing performance.{key}"
        );
    }
    let months = report["outcome"]["monthly"]
        .as_array()
        .expect("monthly is an array");
    // 120 days from 2014-05-01: May, June, July, August (partial).
    let labels: Vec<&str> = months
        .iter()
        .map(|month| month["month"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2014-05", "2014-06", "2014-07", "2014-08"]);
    let days: u64 = months
        .iter()
        .map(|month| month["days"].as_u64().unwrap())
        .sum();
    assert_eq!(days, 120);
    assert!(
        report["performance"]["settle_latency_ns"]["p50"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn monthly_flows_add_up_to_the_totals() {
    let scenario = crate::common::shipped_scenario("quick.ron");
    let (_, report) = crate::common::run(&scenario);
    let outcome = &report.outcome;
    let placed: u64 = outcome
        .monthly
        .iter()
        .map(|month| month.orders_placed)
        .sum();
    let claims: u64 = outcome.monthly.iter().map(|month| month.claims_filed).sum();
    let refunds: rust_decimal::Decimal = outcome
        .monthly
        .iter()
        .map(|month| month.refunds_value.0)
        .sum();
    let gmv: rust_decimal::Decimal = outcome.monthly.iter().map(|month| month.gmv.0).sum();
    assert_eq!(placed, outcome.orders.placed);
    assert_eq!(claims, outcome.claims.filed);
    assert_eq!(refunds, outcome.refunds.value.0);
    assert_eq!(gmv, outcome.gmv.total.0);
    let last = outcome.monthly.last().unwrap();
    assert_eq!(last.escrow_end.0, outcome.ledger.escrow_end.0);
}

#[test]
fn seeds_above_two_to_the_53_are_strings_in_every_json_report_and_whole_in_csv() {
    // 2^64 - 1 is not an f64: as a JSON number it would read back as
    // 18446744073709551616 in JavaScript or jq.
    let seed = u64::MAX.to_string();
    let short = temporary_file(
        "seed-strings",
        "short.ron",
        crate::common::shipped_text("quick.ron")
            .replace("horizon_days: 120", "horizon_days: 20")
            .as_bytes(),
    );
    let short = short.to_str().unwrap();
    let json = |arguments: &[&str]| -> serde_json::Value {
        serde_json::from_str(&succeeded(&escrowsim(arguments))).expect("valid JSON")
    };
    let run = json(&["run", short, "--seed", &seed, "--format", "json"]);
    assert_eq!(run["seed"], seed.as_str());
    let replications = json(&[
        "run",
        short,
        "--seed",
        &seed,
        "--replications",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(replications["seed"], seed.as_str());
    assert_eq!(replications["runs"][0]["seed"], seed.as_str());
    assert!(replications["runs"][1]["seed"].is_string());
    let comparison = json(&[
        "compare",
        short,
        short,
        "--seed",
        &seed,
        "--replications",
        "2",
        "--format",
        "json",
    ]);
    assert_eq!(comparison["seed"], seed.as_str());
    assert_eq!(comparison["a"]["runs"][0]["seed"], seed.as_str());
    let csv = succeeded(&escrowsim(&[
        "run",
        short,
        "--seed",
        &seed,
        "--replications",
        "1",
        "--format",
        "csv",
    ]));
    let first_row = csv.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with(&format!("quick,0,{seed},all,")),
        "{first_row}"
    );
}
