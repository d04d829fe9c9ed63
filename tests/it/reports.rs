//! The reports as an analyst reads them: undefined rates, provenance,
//! `--metrics`, and the warnings of `compare`. Expected values are derived
//! from the scenarios' design, not copied from a run.

use crate::common::{escrowsim, shipped_text, stderr, succeeded, temporary_file};
use rust_decimal::{Decimal, RoundingStrategy};
use std::str::FromStr;

/// quick.ron, 20 days long, with the text changes given: fast enough to
/// run replications in a test.
fn short_scenario(test: &str, file: &str, changes: &[(&str, &str)]) -> String {
    let mut text = shipped_text("quick.ron").replace("horizon_days: 120", "horizon_days: 20");
    for (from, to) in changes {
        assert!(text.contains(from), "quick.ron has {from:?}");
        text = text.replace(from, to);
    }
    temporary_file(test, file, text.as_bytes())
        .to_str()
        .unwrap()
        .to_string()
}

/// No supplier volunteers, so none is approved and no order is covered:
/// no covered order is ever resolved and there is no covered GMV.
fn nothing_covered(test: &str) -> String {
    short_scenario(
        test,
        "none-covered.ron",
        &[("volunteer_probability: 0.5,", "volunteer_probability: 0.0,")],
    )
}

fn json(arguments: &[&str]) -> serde_json::Value {
    serde_json::from_str(&succeeded(&escrowsim(arguments))).expect("valid JSON")
}

#[test]
fn a_rate_with_an_empty_denominator_is_null_in_json_and_n_a_in_text_never_zero() {
    let scenario = nothing_covered("undefined-rates");
    let report = json(&["run", &scenario, "--format", "json"]);
    let outcome = &report["outcome"];
    assert_eq!(outcome["orders"]["covered"], 0);
    assert_eq!(outcome["refunds"]["resolved"], 0);
    // refunded / resolved = 0 / 0, value / resolved value = 0 / 0, loss / covered GMV = 0 / 0.
    assert!(outcome["refunds"]["rate"].is_null());
    assert!(outcome["refunds"]["value_rate"].is_null());
    assert!(outcome["risk"]["loss_bps"].is_null());
    // approved / volunteered = 0 / 0 for every latent type.
    assert!(outcome["vetting"]["by_type"]["reliable"]["approval_rate"].is_null());
    let text = succeeded(&escrowsim(&["run", &scenario]));
    assert!(
        text.contains("refund rate (of resolved covered)  n/a of 0\n"),
        "{text}"
    );
    assert!(text.contains("0.00 USD (n/a of covered GMV)"), "{text}");

    // Across replications: undefined in all 3, so no mean at all, over 0 of 3.
    let summary = json(&["run", &scenario, "--replications", "3", "--format", "json"]);
    let rate = &summary["summary"]["refunds"]["rate"];
    assert!(rate["mean"].is_null(), "{rate}");
    assert!(rate["ci95_low"].is_null(), "{rate}");
    assert_eq!(rate["defined"], 0);
    let text = succeeded(&escrowsim(&[
        "run",
        &scenario,
        "--replications",
        "3",
        "--metrics",
        "refunds.rate",
    ]));
    let row = text
        .lines()
        .find(|line| line.starts_with("refunds.rate "))
        .unwrap_or_else(|| panic!("a refunds.rate row in:\n{text}"));
    assert_eq!(row.split_whitespace().nth(1), Some("n/a"), "{row}");
}

#[test]
fn every_report_names_the_scenario_file_and_its_sha256() {
    let scenario = short_scenario("provenance", "short.ron", &[]);
    let bytes = std::fs::read(&scenario).unwrap();
    let sha256: String = {
        use sha2::Digest;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    };
    let line = format!("scenario file {scenario} sha256 {sha256}\n");
    let text = succeeded(&escrowsim(&["run", &scenario]));
    assert!(text.contains(&line), "{text}");
    let text = succeeded(&escrowsim(&["run", &scenario, "--replications", "2"]));
    assert!(text.contains(&line), "{text}");
    let summary = json(&["run", &scenario, "--replications", "2", "--format", "json"]);
    assert_eq!(summary["source"]["sha256"], sha256.as_str());
    assert_eq!(summary["source"]["file"], scenario.as_str());
    // The CSV stays a plain table: no comment lines, provenance or not.
    let csv = succeeded(&escrowsim(&[
        "run",
        &scenario,
        "--replications",
        "1",
        "--format",
        "csv",
    ]));
    assert!(csv.starts_with("scenario,replication,seed,month,"), "{csv}");
}

#[test]
fn compare_warns_when_the_worlds_differ_and_names_files_of_equal_names() {
    let a = short_scenario("world-differs", "a.ron", &[]);
    // Same name, more buyers: the world differs, not only the rules.
    let b = short_scenario(
        "world-differs",
        "b.ron",
        &[("count: 20000", "count: 21000")],
    );
    let output = escrowsim(&["compare", &a, &b, "--replications", "2"]);
    let text = succeeded(&output);
    let warning = format!(
        "warning: {a} and {b} differ in buyers as well as in rules and timeline: the differences are not of the rules alone"
    );
    assert!(stderr(&output).contains(&warning), "{}", stderr(&output));
    assert!(text.contains(&format!("{warning}\n")), "{text}");
    assert!(
        text.contains(&format!("A \"quick\" ({a}) vs B \"quick\" ({b})")),
        "{text}"
    );
    let comparison = json(&["compare", &a, &b, "--replications", "2", "--format", "json"]);
    assert_eq!(
        comparison["warnings"][0],
        warning.trim_start_matches("warning: ")
    );
    assert_eq!(comparison["a"]["source"]["file"], a.as_str());
    assert_eq!(comparison["b"]["source"]["file"], b.as_str());
    // Rules alone: no warning.
    let rules = short_scenario(
        "world-differs",
        "rules.ron",
        &[(
            "deposit_release: AtAcceptance,",
            "deposit_release: AtContract,",
        )],
    );
    let output = escrowsim(&["compare", &a, &rules, "--replications", "2"]);
    assert!(!succeeded(&output).contains("warning:"));
    assert!(!stderr(&output).contains("warning:"), "{}", stderr(&output));
}

#[test]
fn metrics_patterns_choose_the_rows_and_a_pattern_matching_nothing_is_refused() {
    let scenario = short_scenario("metrics-flag", "short.ron", &[]);
    let text = succeeded(&escrowsim(&[
        "run",
        &scenario,
        "--replications",
        "3",
        "--metrics",
        "refunds.rate",
        "--metrics",
        "risk.escrow_*",
    ]));
    let table: Vec<&str> = text
        .split("\nmetric ")
        .nth(1)
        .expect("a full table")
        .lines()
        .skip(1)
        .take_while(|line| !line.is_empty())
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(table, ["refunds.rate", "risk.escrow_peak"], "{text}");
    // The headline stays whatever the rows.
    assert!(text.contains("  refund rate "), "{text}");
    let csv = succeeded(&escrowsim(&[
        "run",
        &scenario,
        "--replications",
        "1",
        "--format",
        "csv",
        "--metrics",
        "risk.loss_bps",
    ]));
    assert!(
        csv.starts_with("scenario,replication,seed,month,risk.loss_bps\n"),
        "{csv}"
    );

    let output = escrowsim(&[
        "compare",
        &scenario,
        &scenario,
        "--replications",
        "2",
        "--metrics",
        "risk.los_bps",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("--metrics \"risk.los_bps\" matches no metric (close: risk.loss_bps,"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn replication_text_reads_rates_as_percentages_money_with_currency_and_constants_once() {
    let scenario = short_scenario("text-units", "short.ron", &[]);
    let text = succeeded(&escrowsim(&["run", &scenario, "--replications", "3"]));
    // horizon_days is 20 in every replication: once, as a whole number.
    assert!(text.contains("\n  horizon_days "), "{text}");
    let constant = text
        .lines()
        .find(|line| line.starts_with("  horizon_days "))
        .unwrap();
    assert_eq!(constant.split_whitespace().nth(1), Some("20"));
    assert!(
        !text.lines().any(|line| line.starts_with("horizon_days ")),
        "{text}"
    );
    // population.buyers: 20,000 with its separator.
    assert!(
        text.contains("  population.buyers ") && text.contains(" 20,000\n"),
        "{text}"
    );
    let row = |name: &str| {
        text.lines()
            .find(|line| line.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} in:\n{text}"))
            .to_string()
    };
    // Approved / volunteered of reliable suppliers: defined, a percentage.
    let approval = row("vetting.by_type.reliable.approval_rate");
    assert!(
        approval.split_whitespace().nth(1).unwrap().ends_with('%'),
        "{approval}"
    );
    // Twenty days resolve no covered order: the refund rate is n/a, not 0.00%.
    assert_eq!(row("refunds.rate").split_whitespace().nth(1), Some("n/a"));
    assert!(row("gmv.total").contains(" USD"), "{}", row("gmv.total"));
}

#[test]
fn the_covered_share_is_the_mean_of_each_replications_covered_over_total_gmv() {
    // Derived by hand from the README's definition: per replication,
    // gmv.covered / gmv.total rounded to six decimals; the summary's mean
    // is the mean of those ratios (to six decimals).
    let scenario = short_scenario("covered-share", "short.ron", &[]);
    let arguments = ["run", &scenario, "--replications", "4"];
    let csv = succeeded(&escrowsim(
        &[&arguments[..], &["--format", "csv", "--metrics", "gmv.*"]].concat(),
    ));
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|cell| *cell == name).unwrap();
    let (total, covered) = (column("gmv.total"), column("gmv.covered"));
    let ratios: Vec<Decimal> = lines
        .map(|line| line.split(',').collect::<Vec<_>>())
        .filter(|cells| cells[column("month")] == "all")
        .map(|cells| {
            let covered = Decimal::from_str(cells[covered]).unwrap();
            let total = Decimal::from_str(cells[total]).unwrap();
            (covered / total).round_dp_with_strategy(6, RoundingStrategy::MidpointNearestEven)
        })
        .collect();
    assert_eq!(ratios.len(), 4);
    let expected = (ratios.iter().sum::<Decimal>() / Decimal::from(4)).round_dp(6);
    let summary = json(&[&arguments[..], &["--format", "json"]].concat());
    let share = &summary["derived"]["gmv"]["covered_share"];
    let mean = Decimal::from_str(&share["mean"].to_string()).unwrap();
    assert!(
        (mean - expected).abs() <= Decimal::new(1, 6),
        "mean {mean}, by hand {expected}"
    );
    assert_eq!(share["defined"], 4);
}
