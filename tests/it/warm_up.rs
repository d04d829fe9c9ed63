//! `--warm-up`: the figures after the warm-up are the documented sums and
//! ratios of the months kept, computed here from the report's own monthly
//! records; with nothing dropped they are the whole-run figures; the months
//! dropped follow the documented rule; bad values are refused.

use crate::common::{escrowsim, money, stderr, succeeded};
use rust_decimal::Decimal;
use serde_json::Value;

fn json(arguments: &[&str]) -> Value {
    serde_json::from_str(&succeeded(&escrowsim(arguments))).expect("a JSON report")
}

fn count(value: &Value) -> Decimal {
    Decimal::from(
        value
            .as_u64()
            .unwrap_or_else(|| panic!("a count, got {value}")),
    )
}

/// Sum of monthly field `field` (count or money) over `months`.
fn sum(months: &[Value], field: &str) -> Decimal {
    months
        .iter()
        .map(|month| {
            let value = &month[field];
            if value.is_string() {
                money(value)
            } else {
                count(value)
            }
        })
        .sum()
}

/// `numerator / denominator` rounded to six decimals, as the report's rates.
fn rate(numerator: Decimal, denominator: Decimal) -> Option<f64> {
    use rust_decimal::prelude::ToPrimitive;
    (!denominator.is_zero()).then(|| (numerator / denominator).round_dp(6).to_f64().unwrap())
}

fn figure_money(figures: &Value, path: &[&str]) -> Decimal {
    money(path.iter().fold(figures, |value: &Value, key| &value[*key]))
}

/// The figures of `report["warm_up"]` against the documented sums over
/// `kept` months of the report's own monthly series.
fn check_figures(report: &Value, kept: &[Value]) {
    let figures = &report["warm_up"]["figures"];
    assert_eq!(figures["months"].as_u64(), Some(kept.len() as u64));
    assert_eq!(
        count(&figures["orders"]["placed"]),
        sum(kept, "orders_placed")
    );
    assert_eq!(
        count(&figures["orders"]["covered"]),
        sum(kept, "orders_covered")
    );
    assert_eq!(
        count(&figures["inquiries"]["total"]),
        sum(kept, "inquiries")
    );
    assert_eq!(figure_money(figures, &["gmv", "total"]), sum(kept, "gmv"));
    assert_eq!(
        figure_money(figures, &["gmv", "covered"]),
        sum(kept, "gmv_covered")
    );
    assert_eq!(
        count(&figures["refunds"]["count"]),
        sum(kept, "refunds_count")
    );
    assert_eq!(
        count(&figures["refunds"]["resolved"]),
        sum(kept, "covered_orders_resolved")
    );
    assert_eq!(
        figures["refunds"]["rate"].as_f64(),
        rate(
            sum(kept, "refunds_count"),
            sum(kept, "covered_orders_resolved")
        )
    );
    assert_eq!(
        figures["gmv"]["covered_share"].as_f64(),
        rate(sum(kept, "gmv_covered"), sum(kept, "gmv"))
    );
    assert_eq!(
        figure_money(figures, &["risk", "platform_loss"]),
        sum(kept, "platform_loss")
    );
    assert_eq!(
        figures["risk"]["loss_bps"].as_f64(),
        rate(
            sum(kept, "platform_loss") * Decimal::from(10_000),
            sum(kept, "gmv_covered")
        )
    );
}

#[test]
fn figures_after_a_warm_up_of_days_are_the_sums_of_the_months_that_start_after_it() {
    // quick.ron starts on 2014-05-01: May has 31 days, so 45 days reach
    // into June (days 31..60): May and June start before day 45 and are
    // dropped; July starts on day 61 and is the first month kept.
    let report = json(&[
        "run",
        "scenarios/quick.ron",
        "--warm-up",
        "45",
        "--format",
        "json",
    ]);
    let months = report["outcome"]["monthly"].as_array().unwrap();
    let chosen = &report["warm_up"]["chosen"];
    assert_eq!(chosen["method"], "days");
    assert_eq!(chosen["months_dropped"], 2);
    assert_eq!(chosen["first_month"], "2014-07");
    check_figures(&report, &months[2..]);
    // The outcome and its digest are the run's, whatever the warm-up.
    let plain = json(&["run", "scenarios/quick.ron", "--format", "json"]);
    assert_eq!(report["digest"], plain["digest"]);
    assert!(plain.get("warm_up").is_none());
}

#[test]
fn with_no_month_dropped_the_figures_are_the_whole_run_figures() {
    // Day 0 drops no month (none starts before it), and the months sum to
    // the totals: every figure equals its whole-run counterpart.
    let report = json(&[
        "run",
        "scenarios/quick.ron",
        "--warm-up",
        "0",
        "--format",
        "json",
    ]);
    let outcome = &report["outcome"];
    let figures = &report["warm_up"]["figures"];
    check_figures(&report, outcome["monthly"].as_array().unwrap());
    assert_eq!(figures["refunds"]["rate"], outcome["refunds"]["rate"]);
    assert_eq!(figures["refunds"]["count"], outcome["refunds"]["count"]);
    assert_eq!(
        figures["refunds"]["resolved"],
        outcome["refunds"]["resolved"]
    );
    assert_eq!(figures["orders"]["placed"], outcome["orders"]["placed"]);
    assert_eq!(figures["gmv"]["total"], outcome["gmv"]["total"]);
    assert_eq!(
        figures["risk"]["platform_loss"],
        outcome["risk"]["platform_loss"]
    );
    assert_eq!(figures["risk"]["loss_bps"], outcome["risk"]["loss_bps"]);
    assert_eq!(
        figures["risk"]["buyer_uncovered_loss"],
        outcome["risk"]["buyer_uncovered_loss"]
    );
}

#[test]
fn auto_takes_the_longest_series_truncation_and_replications_summarise_the_figures() {
    let arguments = |jobs: &'static str| {
        [
            "run",
            "scenarios/quick.ron",
            "--replications",
            "4",
            "--jobs",
            jobs,
            "--warm-up",
            "auto",
            "--format",
            "json",
        ]
    };
    let one = succeeded(&escrowsim(&arguments("1")));
    assert_eq!(
        one,
        succeeded(&escrowsim(&arguments("2"))),
        "jobs-invariant"
    );
    let summary: Value = serde_json::from_str(&one).unwrap();
    let warm_up = &summary["warm_up"];
    // Four months are too few for batches of 5: MSER by month, searched
    // up to half the series.
    assert_eq!(warm_up["method"], "mser");
    let series = warm_up["series"].as_array().unwrap();
    assert_eq!(series.len(), 5);
    let longest = series
        .iter()
        .map(|series| series["months"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(longest <= 2, "at most half of the 4 months");
    assert_eq!(warm_up["months_dropped"].as_u64(), Some(longest));
    assert_eq!(warm_up["months_kept"].as_u64(), Some(4 - longest));
    let rate = &summary["summary"]["after_warm_up"]["refunds"]["rate"];
    assert!(rate["mean"].is_number(), "summarised: {rate}");
    assert!(
        rate["ci95_low"].as_f64() < rate["ci95_high"].as_f64(),
        "{rate}"
    );
    assert_eq!(rate["defined"], 4, "{rate}");
}

#[test]
fn both_sides_of_a_comparison_drop_the_same_months() {
    let report = json(&[
        "compare",
        "scenarios/quick.ron",
        "scenarios/quick-release-at-contract.ron",
        "--replications",
        "3",
        "--warm-up",
        "31",
        "--format",
        "json",
    ]);
    let text = report.to_string();
    assert!(text.contains("\"months_dropped\":1"), "{text:.400}");
    assert!(
        text.contains("after_warm_up"),
        "the differences include the figures"
    );
}

#[test]
fn a_warm_up_that_leaves_nothing_or_is_not_a_number_is_refused() {
    let output = escrowsim(&["run", "scenarios/quick.ron", "--warm-up", "120"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("--warm-up: a warm-up of 120 days leaves no month of the 120-day horizon"),
        "{}",
        stderr(&output)
    );
    let output = escrowsim(&["run", "scenarios/quick.ron", "--warm-up", "ninety"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("expected a number of days (e.g. 90) or auto"),
        "{}",
        stderr(&output)
    );
}
