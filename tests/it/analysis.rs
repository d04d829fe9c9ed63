//! Policy analysis: replications, their statistics, comparisons of two rule
//! sets, and the CSV, JSON and HTML a policy team reads.

use crate::common::{escrowsim, repository_root, scenario_path, succeeded, temporary_file};
use escrowsim::analysis::{
    Comparison, Plan, ReplicationSummary, Replications, replicate, replicate_pair,
};
use escrowsim::program::NoProbe;
use escrowsim::scenario::{Scenario, load_scenario_file};
use rust_decimal::Decimal;
use serde_json::Value;

use std::str::FromStr;

fn quick() -> String {
    scenario_path("quick.ron").to_string_lossy().into_owned()
}

fn variant() -> String {
    scenario_path("quick-release-at-contract.ron")
        .to_string_lossy()
        .into_owned()
}

fn known_refund_rate() -> Scenario {
    let path = repository_root().join("tests/scenarios/known-refund-rate.ron");
    load_scenario_file(&path).unwrap_or_else(|error| panic!("{error}"))
}

/// A JSON figure as a decimal: money strings and numbers alike.
fn decimal(value: &Value) -> Decimal {
    match value {
        Value::String(text) => Decimal::from_str(text).expect("money string"),
        Value::Number(number) => {
            let text = number.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .expect("number")
        }
        other => panic!("not a figure: {other}"),
    }
}

#[test]
fn replication_json_is_byte_identical_with_one_or_two_jobs() {
    let one = succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "5",
        "--jobs",
        "1",
        "--format",
        "json",
    ]));
    let two = succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "5",
        "--jobs",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(one, two);
    let compared_one = succeeded(&escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "3",
        "--jobs",
        "1",
        "--format",
        "json",
    ]));
    let compared_two = succeeded(&escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "3",
        "--jobs",
        "2",
        "--format",
        "json",
    ]));
    assert_eq!(compared_one, compared_two);
}

#[test]
fn replication_zero_reproduces_the_single_run_and_the_summary_covers_every_metric() {
    let single: Value = serde_json::from_str(&succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--format",
        "json",
    ])))
    .unwrap();
    let replicated: Value = serde_json::from_str(&succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "3",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(replicated["runs"][0]["seed"], single["seed"]);
    assert_eq!(replicated["runs"][0]["digest"], single["digest"]);
    assert_eq!(replicated["replications"], 3);

    // Every numeric leaf of the outcome has its statistics under the same
    // path in the summary; money has percentiles, counts and rates do not.
    fn check(outcome: &Value, summary: &Value, path: &str, checked: &mut usize) {
        match outcome {
            Value::Object(fields) => {
                for (key, child) in fields {
                    if path.is_empty() && key == "monthly" {
                        continue;
                    }
                    let child_path = format!("{path}.{key}");
                    check(child, &summary[key], &child_path, checked);
                }
            }
            Value::Number(_) => {
                assert!(summary["mean"].is_number(), "{path}: {summary}");
                assert!(summary["ci95_low"].is_number(), "{path}: {summary}");
                assert!(summary.get("p99").is_none(), "{path}: {summary}");
                *checked += 1;
            }
            Value::String(text) if escrowsim::analysis::metrics::parse_money(text).is_some() => {
                for key in ["mean", "sd", "ci95_low", "ci95_high", "p95", "p99"] {
                    assert!(summary[key].is_string(), "{path}.{key}: {summary}");
                }
                *checked += 1;
            }
            _ => {}
        }
    }
    let mut checked = 0;
    check(&single["outcome"], &replicated["summary"], "", &mut checked);
    assert!(checked > 50, "only {checked} metrics checked");
    let loss = &replicated["summary"]["risk"]["platform_loss"];
    assert!(decimal(&loss["p95"]) <= decimal(&loss["p99"]));
    let months = replicated["monthly"].as_array().unwrap();
    assert_eq!(
        months.len(),
        single["outcome"]["monthly"].as_array().unwrap().len()
    );
    assert_eq!(months[0]["month"], single["outcome"]["monthly"][0]["month"]);
    assert!(months[0]["escrow_end"]["mean"].is_string());
}

#[test]
fn csv_parses_with_one_header_a_row_per_replication_and_rows_per_month() {
    let text = succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "3",
        "--format",
        "csv",
    ]));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..4], ["scenario", "replication", "seed", "month"]);
    let unique: std::collections::BTreeSet<&String> = header.iter().collect();
    assert_eq!(unique.len(), header.len(), "column names are unique");
    let column = |name: &str| header.iter().position(|column| column == name).unwrap();
    let (loss, escrow_end) = (column("risk.platform_loss"), column("monthly.escrow_end"));
    let mut whole_runs = 0;
    let mut month_rows = 0;
    for record in reader.records() {
        let record = record.expect("every row parses");
        assert_eq!(record.len(), header.len());
        assert_eq!(&record[0], "quick");
        for (index, cell) in record.iter().enumerate().skip(4) {
            if !cell.is_empty() {
                assert!(
                    Decimal::from_str(cell).is_ok(),
                    "{}: {cell:?} is not a number",
                    header[index]
                );
            }
        }
        if &record[3] == "all" {
            whole_runs += 1;
            assert!(Decimal::from_str(&record[loss]).is_ok());
            assert!(record[escrow_end].is_empty());
        } else {
            month_rows += 1;
            assert_eq!(record[3].len(), "2014-05".len(), "{}", &record[3]);
            assert!(record[loss].is_empty());
            assert!(Decimal::from_str(&record[escrow_end]).is_ok());
        }
    }
    assert_eq!(whole_runs, 3);
    assert_eq!(
        month_rows,
        3 * 4,
        "quick.ron runs 120 days from May: four months"
    );

    let compared = succeeded(&escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "2",
        "--format",
        "csv",
    ]));
    let mut reader = csv::Reader::from_reader(compared.as_bytes());
    assert_eq!(&reader.headers().unwrap()[0], "policy");
    let policies: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[0].to_string())
        .collect();
    assert_eq!(
        policies.iter().filter(|policy| *policy == "A").count(),
        2 * 5
    );
    assert_eq!(
        policies.iter().filter(|policy| *policy == "B").count(),
        2 * 5
    );
}

#[test]
fn compare_marks_significant_exactly_what_its_interval_supports() {
    let json: Value = serde_json::from_str(&succeeded(&escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "5",
        "--format",
        "json",
    ])))
    .unwrap();
    fn leaves<'a>(value: &'a Value, path: String, found: &mut Vec<(String, &'a Value)>) {
        if value.get("significant").is_some() {
            found.push((path, value));
        } else if let Value::Object(fields) = value {
            for (key, child) in fields {
                leaves(child, format!("{path}.{key}"), found);
            }
        }
    }
    let mut differences = Vec::new();
    leaves(&json["differences"], String::new(), &mut differences);
    assert!(differences.len() > 50);
    for (path, difference) in &differences {
        let (low, high) = (
            decimal(&difference["ci95_low"]),
            decimal(&difference["ci95_high"]),
        );
        let mean = decimal(&difference["diff_mean"]);
        assert!(low <= mean && mean <= high, "{path}: {difference}");
        let excludes_zero = low > Decimal::ZERO || high < Decimal::ZERO;
        assert_eq!(
            difference["significant"].as_bool(),
            Some(excludes_zero),
            "{path}: {difference}"
        );
        // Each figure is rounded on its own, so they agree to one unit of the last decimal.
        let unrounded_gap = decimal(&difference["b_mean"]) - decimal(&difference["a_mean"]) - mean;
        assert!(
            unrounded_gap.abs() <= Decimal::new(1, 2),
            "{path}: the printed means differ by the printed difference"
        );
    }
    // Releasing deposits at contract creates exposure and advances;
    // the population and the orders placed are the same by construction.
    let exposure = &json["differences"]["risk"]["exposure_peak"];
    assert_eq!(exposure["significant"], true);
    assert!(decimal(&exposure["ci95_low"]) > Decimal::ZERO);
    // Releasing early makes the platform advance refunds escrow no longer
    // holds; with five replications the (rarer) write-offs may not separate
    // from zero, and the interval says so.
    assert_eq!(
        json["differences"]["ledger"]["advanced_by_platform"]["significant"],
        true
    );
    let placed = &json["differences"]["orders"]["placed"];
    assert_eq!(placed["significant"], false);
    assert_eq!(decimal(&placed["diff_mean"]), Decimal::ZERO);

    let text = succeeded(&escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "5",
    ]));
    let exposure_line = text
        .lines()
        .find(|line| line.starts_with("risk.exposure_peak"))
        .expect("a row per metric");
    assert!(
        exposure_line.contains('[') && exposure_line.ends_with('*'),
        "{exposure_line}"
    );
    let placed_line = text
        .lines()
        .find(|line| line.starts_with("orders.placed"))
        .unwrap();
    assert!(!placed_line.ends_with('*'), "{placed_line}");
    assert!(text.contains("95% CI of B - A"));
}

#[test]
fn common_random_numbers_make_paired_intervals_narrower_than_unpaired_ones() {
    let a = load_scenario_file(&scenario_path("quick.ron")).unwrap();
    let b = load_scenario_file(&scenario_path("quick-release-at-contract.ron")).unwrap();
    let plan = Plan::new(a.seed, 4, 2).unwrap();
    let (a_set, b_set) = replicate_pair(&a, &b, &plan, || NoProbe).unwrap();
    let comparison = Comparison::new(&a_set, &b_set).unwrap();
    let width = |bounds: Option<(escrowsim::analysis::Figure, escrowsim::analysis::Figure)>| {
        let (low, high) = bounds.unwrap();
        high.value - low.value
    };
    // Escrow peak varies a lot between seeds, far less between policies on one seed.
    let paired = width(comparison.difference("risk.escrow_peak").unwrap().ci95);
    let a_alone = width(comparison.a.metric("risk.escrow_peak").unwrap().ci95);
    assert!(paired < a_alone, "paired {paired} vs A alone {a_alone}");
}

#[test]
fn ninety_five_percent_intervals_cover_a_known_refund_rate_about_95_percent_of_the_time() {
    // The scenario's expected refund rate is 0.1 exactly (see its comments).
    // Over 200 independent base seeds, each with 10 replications, a correct
    // 95% interval covers 0.1 about 190 times (sd about 3); an 80% interval
    // would cover it about 160 times (sd about 6), too-wide intervals
    // nearly always. The bounds below tell these apart with room to spare.
    let scenario = known_refund_rate();
    let truth = Decimal::new(1, 1);
    let seeds = 200u64;
    let mut covered = 0;
    let mut means = Decimal::ZERO;
    for base_seed in 1..=seeds {
        let plan = Plan::new(base_seed * 1_000_003, 10, 2).unwrap();
        let replications = replicate(&scenario, &plan, || NoProbe).unwrap();
        let summary = ReplicationSummary::new(&replications);
        let rate = summary.metric("refunds.rate").unwrap();
        let (low, high) = rate.ci95.unwrap();
        if low.value <= truth && truth <= high.value {
            covered += 1;
        }
        means += rate.mean.value;
    }
    assert!(
        (178..=198).contains(&covered),
        "the 95% interval covered the true refund rate in {covered} of {seeds} seeds"
    );
    // The estimator is unbiased: the grand mean sits close to 0.1.
    let grand_mean = means / Decimal::from(seeds);
    assert!(
        (grand_mean - truth).abs() < Decimal::new(2, 3),
        "grand mean {grand_mean}"
    );
}

#[test]
fn merged_shards_equal_one_set() {
    // Shards of a sweep (here: two plans' worth of the same replications)
    // merge into exactly the set one machine computes.
    let scenario = known_refund_rate();
    let whole = replicate(&scenario, &Plan::new(9, 6, 2).unwrap(), || NoProbe).unwrap();
    let keep = |set: &Replications, indices: std::ops::Range<u32>| Replications {
        runs: set
            .runs
            .iter()
            .filter(|run| indices.contains(&run.index))
            .cloned()
            .collect(),
        ..set.clone()
    };
    let merged = Replications::merge(vec![keep(&whole, 4..6), keep(&whole, 0..4)]).unwrap();
    assert_eq!(
        ReplicationSummary::new(&merged).to_json(),
        ReplicationSummary::new(&whole).to_json()
    );
    assert_eq!(merged.settlements(), whole.settlements());
    assert!(Replications::merge(vec![whole.clone(), keep(&whole, 0..1)]).is_err());
}

#[test]
fn the_html_report_is_self_contained_with_every_chart() {
    let directory = temporary_file("html", "placeholder", b"");
    let directory = directory.parent().unwrap();
    let run_html = directory.join("run.html");
    let compare_html = directory.join("compare.html");
    let output = escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "3",
        "--html",
        run_html.to_str().unwrap(),
        "--format",
        "json",
    ]);
    succeeded(&output);
    let output = escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "2",
        "--html",
        compare_html.to_str().unwrap(),
    ]);
    succeeded(&output);
    for (path, charts) in [
        (
            &run_html,
            &[
                "escrow-exposure",
                "refunds-by-reason",
                "approved-suppliers",
                "covered-share",
                "platform-loss-distribution",
            ][..],
        ),
        (
            &compare_html,
            &[
                "differences",
                "absolute-differences",
                "escrow-float",
                "exposure",
                "refunds-by-reason",
                "approved-suppliers",
                "covered-share",
                "platform-loss-distribution",
            ][..],
        ),
    ] {
        let html = std::fs::read_to_string(path).unwrap();
        for chart in charts {
            assert!(
                html.contains(&format!("data-chart=\"{chart}\"")),
                "{}: no {chart} chart",
                path.display()
            );
        }
        assert_eq!(html.matches("<svg class=\"chart\"").count(), charts.len());
        for fetching in [
            "src=", "href=", "url(", "@import", "<link", "<iframe", "<object",
        ] {
            assert!(!html.contains(fetching), "{}: {fetching}", path.display());
        }
        // The only URL is the SVG namespace, which names and never fetches.
        let urls = html.matches("http:").count() + html.matches("https:").count();
        let namespaces = html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count();
        assert_eq!(urls, namespaces, "{}", path.display());
        assert!(html.contains("default-src 'none'"));
        // Money axes name quick.ron's currency.
        assert!(html.contains(">money, USD</text>"), "{}", path.display());
        assert!(html.contains(">refunded value, USD</text>"));
        assert!(html.contains(">platform loss per replication, USD</text>"));
    }
    // quick.ron holds every deposit to acceptance: no advance is ever
    // written off, so all three losses are 0. The chart says so, with no
    // invented axis and no mean, p95 and p99 printed on one another.
    let html = std::fs::read_to_string(&run_html).unwrap();
    let loss = &html[html
        .find("data-chart=\"platform-loss-distribution\"")
        .unwrap()..];
    let loss = &loss[..loss.find("</svg>").unwrap()];
    assert!(loss.contains(">all 3 values are 0</text>"), "{loss}");
    for label in [">mean</text>", ">p95</text>", ">p99</text>", ">0.2</text>"] {
        assert!(!loss.contains(label), "{label}: {loss}");
    }
}

#[test]
fn the_comparison_charts_show_every_significant_difference_and_those_where_a_is_zero() {
    // quick.ron holds the deposit until acceptance, so nothing is released
    // early: its exposure peak is 0, and B's (release at contract) is not.
    // A relative difference is undefined there; the metric must still be
    // drawn, as an absolute difference, and so must every metric the
    // comparison finds significant.
    let html_path = temporary_file("compare-differences", "compare.html", b"");
    let output = escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "3",
        "--format",
        "json",
        "--html",
        html_path.to_str().unwrap(),
    ]);
    succeeded(&output);
    let comparison: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let absolute = &html[html
        .find("data-chart=\"absolute-differences\"")
        .expect("an absolute panel")..];
    let absolute = &absolute[..absolute.find("</svg>").unwrap()];
    let exposure = &comparison["differences"]["risk"]["exposure_peak"];
    assert_eq!(exposure["a_mean"].as_str(), Some("0.00"), "{exposure}");
    assert!(
        absolute.contains("<title>risk.exposure_peak: "),
        "exposure peak missing from the absolute panel"
    );
    /// The dotted paths of the differences under `node` that are significant.
    fn significant_paths(node: &serde_json::Value, prefix: &str, found: &mut Vec<String>) {
        if node.get("significant").is_some() {
            if node["significant"] == true {
                found.push(prefix.to_string());
            }
            return;
        }
        for (key, child) in node.as_object().into_iter().flatten() {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            significant_paths(child, &path, found);
        }
    }
    let mut significant = Vec::new();
    significant_paths(&comparison["differences"], "", &mut significant);
    assert!(significant.len() >= 3, "{significant:?}");
    for path in significant {
        assert!(
            html.contains(&format!("<title>{path}: ")),
            "{path} is significant but not drawn"
        );
    }
}

#[test]
fn without_a_terminal_replications_print_no_progress() {
    let output = escrowsim(&["run", &quick(), "--replications", "2", "--format", "json"]);
    succeeded(&output);
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn bad_replication_flags_and_incomparable_scenarios_exit_2_with_a_message() {
    let short_text = std::fs::read_to_string(quick())
        .unwrap()
        .replace("horizon_days: 120", "horizon_days: 90");
    let short = temporary_file("incomparable", "short.ron", short_text.as_bytes());
    let century_text = std::fs::read_to_string(quick())
        .unwrap()
        .replace("horizon_days: 120", "horizon_days: 36525");
    let century = temporary_file("century", "century.ron", century_text.as_bytes());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["run".into(), quick(), "--replications".into(), "0".into()],
            "at least 1",
        ),
        (
            vec![
                "run".into(),
                quick(),
                "--replications".into(),
                "1000000".into(),
            ],
            "more than the most",
        ),
        (
            vec![
                "run".into(),
                quick(),
                "--replications".into(),
                "2".into(),
                "--jobs".into(),
                "0".into(),
            ],
            "at least 1",
        ),
        (
            vec![
                "run".into(),
                quick(),
                "--replications".into(),
                "2".into(),
                "--jobs".into(),
                "100000".into(),
            ],
            "more than the most",
        ),
        (
            vec!["run".into(), quick(), "--replications".into(), "-3".into()],
            "-3",
        ),
        (
            vec!["run".into(), quick(), "--jobs".into(), "2".into()],
            "--replications",
        ),
        (
            vec![
                "compare".into(),
                quick(),
                "/no/such/b.ron".into(),
                "--replications".into(),
                "2".into(),
            ],
            "/no/such/b.ron",
        ),
        (
            vec![
                "compare".into(),
                quick(),
                variant(),
                "--replications".into(),
                "0".into(),
            ],
            "at least 1",
        ),
        (vec!["compare".into(), quick(), variant()], "--replications"),
        (
            vec![
                "compare".into(),
                quick(),
                short.to_string_lossy().into_owned(),
                "--replications".into(),
                "2".into(),
            ],
            "horizon_days",
        ),
        (
            vec![
                "run".into(),
                century.to_string_lossy().into_owned(),
                "--replications".into(),
                "10000".into(),
            ],
            "monthly records",
        ),
        (
            vec![
                "run".into(),
                quick(),
                "--replications".into(),
                "2".into(),
                "--html".into(),
                "/no/such/dir/r.html".into(),
            ],
            "does not exist",
        ),
    ];
    for (arguments, message) in cases {
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let output = escrowsim(&arguments);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert!(
            stderr.contains(message),
            "{arguments:?}: expected {message:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{arguments:?}: {stderr}");
    }
}

/// quick.ron (and its variant) over 30 days: precision tests run many
/// replications, and a short horizon keeps them quick.
/// A 30-day copy of the scenario at `path`, in `test`'s own directory:
/// tests run at once, and one test must never read another's half-written
/// copy.
fn short(test: &str, name: &str, path: &str) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("horizon_days: 120", "horizon_days: 30");
    temporary_file(test, name, text.as_bytes())
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_met_precision_target_stops_at_the_first_batch_the_same_for_any_jobs() {
    // population.suppliers is the scenario's supplier count in every
    // replication: its sd, and so its half-width, is 0 as soon as there
    // are two values, so a target of 0 is met by the first batch (10
    // replications, FIRST_BATCH) and no more run, under a cap of 40.
    let scenario = short("precision-met", "quick-30.ron", &quick());
    let json = |jobs: &str| {
        succeeded(&escrowsim(&[
            "run",
            &scenario,
            "--replications",
            "40",
            "--precision",
            "population.suppliers=0",
            "--jobs",
            jobs,
            "--format",
            "json",
        ]))
    };
    let one = json("1");
    assert_eq!(one, json("2"));
    let report: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(report["replications"], 10);
    let precision = &report["precision"];
    assert_eq!(precision["replications"], 10);
    assert_eq!(precision["replications_cap"], 40);
    assert_eq!(precision["all_met"], true);
    assert_eq!(precision["targets"][0]["half_width"], 0.0);
    assert_eq!(precision["targets"][0]["met"], true);
}

#[test]
fn an_unreachable_precision_target_stops_at_the_cap_and_says_not_met() {
    // A relative half-width of 0.0001% of the GMV needs millions
    // of replications: batches 10, then 2 x 10 held to the cap of 13; with
    // two targets each interval is at 97.5% (Bonferroni).
    let a = short("precision-unreachable", "quick-30.ron", &quick());
    let b = short("precision-unreachable", "variant-30.ron", &variant());
    let text = succeeded(&escrowsim(&[
        "run",
        &a,
        "--replications",
        "13",
        "--precision",
        "gmv.total=0.0001%",
        "--precision",
        "population.suppliers=0",
    ]));
    assert!(
        text.contains("precision: 13 of at most 13 replications (batches ending at 10, 13); NOT every target met"),
        "{text}"
    );
    assert!(
        text.contains("97.5% confidence (Bonferroni over 2 targets)"),
        "{text}"
    );
    assert!(text.contains("gmv.total: half-width "), "{text}");
    assert!(
        text.lines()
            .any(|line| line.starts_with("  gmv.total:") && line.ends_with("NOT met"))
    );
    // A comparison: the same batches on the paired differences, and the
    // same bytes for any number of jobs.
    let compare = |jobs: &str| {
        succeeded(&escrowsim(&[
            "compare",
            &a,
            &b,
            "--replications",
            "12",
            "--precision",
            "risk.escrow_peak=0.0001%",
            "--jobs",
            jobs,
            "--format",
            "json",
        ]))
    };
    let one = compare("1");
    assert_eq!(one, compare("3"));
    let report: Value = serde_json::from_str(&one).unwrap();
    assert_eq!(report["replications"], 12);
    assert_eq!(report["precision"]["batches"], serde_json::json!([10, 12]));
    assert_eq!(report["precision"]["targets"][0]["met"], false);
}

#[test]
fn a_bad_precision_target_is_exit_2_naming_it() {
    for (value, message) in [
        ("refunds.rate=abc", "refunds.rate=abc"),
        ("refunds.rate", "refunds.rate"),
        (
            "no.such.metric=5",
            "no.such.metric=5: the outcome has no whole-run metric",
        ),
    ] {
        let output = escrowsim(&[
            "run",
            &short("precision-bad", "quick-30.ron", &quick()),
            "--replications",
            "3",
            "--precision",
            value,
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{value}: {stderr}");
        assert!(stderr.contains(message), "{value}: {stderr}");
        assert!(output.stdout.is_empty(), "{value}");
    }
}

/// The sample variance of `values`.
fn sample_variance(values: &[f64]) -> f64 {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values
        .iter()
        .map(|value| (value - mean) * (value - mean))
        .sum::<f64>()
        / (values.len() - 1) as f64
}

#[test]
fn antithetic_pairs_shrink_the_variance_of_a_mean_monotone_in_the_draws() {
    // inquiries.total counts the arrivals of a Poisson process drawn from
    // the `arrivals` stream by inversion: a mirrored run draws long gaps
    // where its twin drew short ones, so the pair's counts are negatively
    // correlated. 20 antithetic pairs against 40 independent replications
    // of quick.ron, the same 40 runs' worth of work: the estimated variance
    // of the mean is Var(pair means) / 20 against Var(replications) / 40.
    // Measured (the test is deterministic): 157.6 against 331.6, a ratio of
    // 0.475; the summary's own estimate within the pairs is 0.651. The bound
    // of 0.8 leaves room for a change to the arrival draws, not for losing
    // the mirroring (independent sets give ratios around 1).
    let path = scenario_path("quick.ron");
    let scenario = load_scenario_file(&path).unwrap_or_else(|error| panic!("{error}"));
    let independent = replicate(&scenario, &Plan::new(scenario.seed, 40, 4).unwrap(), || {
        NoProbe
    })
    .unwrap();
    let pairs = replicate(
        &scenario,
        &Plan::new(scenario.seed, 40, 4)
            .unwrap()
            .with_antithetic_pairs()
            .unwrap(),
        || NoProbe,
    )
    .unwrap();
    let values = |set: &Replications| -> Vec<f64> {
        let metric = set.metric_index("inquiries.total").unwrap();
        set.metric_values(metric)
            .iter()
            .map(|value| value.to_string().parse().unwrap())
            .collect()
    };
    let independent_values = values(&independent);
    let pair_means: Vec<f64> = values(&pairs)
        .chunks(2)
        .map(|pair| (pair[0] + pair[1]) / 2.0)
        .collect();
    let independent_variance = sample_variance(&independent_values) / 40.0;
    let antithetic_variance = sample_variance(&pair_means) / 20.0;
    let ratio = antithetic_variance / independent_variance;
    assert!(
        ratio < 0.8,
        "variance of the mean: antithetic {antithetic_variance:.1}, independent {independent_variance:.1}, ratio {ratio:.3}"
    );
    // The summary's variance ratio is the same estimate within the pairs.
    let summary = ReplicationSummary::new(&pairs);
    let reported = summary
        .metric("inquiries.total")
        .unwrap()
        .variance_ratio
        .unwrap();
    assert!(reported < Decimal::ONE, "reported ratio {reported}");
    // Pair k's plain run is replication k of the independent set.
    for (index, run) in pairs.runs.iter().enumerate() {
        assert_eq!(run.seed, independent.runs[index / 2].seed);
    }
    assert_eq!(pairs.runs[0].digest, independent.runs[0].digest);
    assert_eq!(pairs.runs[2].digest, independent.runs[1].digest);
    assert_ne!(pairs.runs[1].digest, pairs.runs[0].digest);
}

#[test]
fn antithetic_needs_an_even_number_of_replications_and_no_precision() {
    let odd = escrowsim(&["run", &quick(), "--replications", "5", "--antithetic"]);
    assert_eq!(odd.status.code(), Some(2));
    let message = String::from_utf8_lossy(&odd.stderr);
    assert!(message.contains("--replications"), "{message}");
    assert!(message.contains("even"), "{message}");
    let precise = escrowsim(&[
        "compare",
        &quick(),
        &variant(),
        "--replications",
        "6",
        "--antithetic",
        "--precision",
        "refunds.rate=5%",
    ]);
    assert_eq!(precise.status.code(), Some(2));
}

#[test]
fn antithetic_reports_say_so_and_do_not_depend_on_jobs() {
    let run = |jobs: &str| {
        let output = escrowsim(&[
            "compare",
            &quick(),
            &variant(),
            "--replications",
            "4",
            "--antithetic",
            "--format",
            "json",
            "--jobs",
            jobs,
        ]);
        succeeded(&output);
        output.stdout
    };
    let one = run("1");
    assert_eq!(one, run("3"));
    let json: Value = serde_json::from_slice(&one).unwrap();
    assert_eq!(json["antithetic"]["pairs"], 2);
    assert!(json["differences"]["risk"]["platform_loss"]["variance_ratio"].is_number());
    assert!(json["a"]["summary"]["inquiries"]["total"]["variance_ratio"].is_number());
    assert_eq!(json["a"]["runs"][1]["mirrored"], true);
    assert!(json["a"]["runs"][0].get("mirrored").is_none());
    let text = escrowsim(&["run", &quick(), "--replications", "4", "--antithetic"]);
    succeeded(&text);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("variance ratio"), "{text}");
    assert!(text.contains("Antithetic pairs: 2 pairs"), "{text}");
    // The CSV marks the mirrored run of each pair, which shares its
    // pair's seed: replications 0, 1 on seed k = 0, and 2, 3 on k = 1.
    let csv = succeeded(&escrowsim(&[
        "run",
        &quick(),
        "--replications",
        "4",
        "--antithetic",
        "--format",
        "csv",
        "--metrics",
        "orders.placed",
    ]));
    let rows: Vec<Vec<&str>> = csv.lines().map(|line| line.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "scenario",
            "replication",
            "seed",
            "mirrored",
            "month",
            "orders.placed"
        ]
    );
    let whole_runs: Vec<&Vec<&str>> = rows.iter().filter(|row| row[4] == "all").collect();
    let mirrored: Vec<&str> = whole_runs.iter().map(|row| row[3]).collect();
    assert_eq!(mirrored, ["false", "true", "false", "true"]);
    assert_eq!(whole_runs[0][2], whole_runs[1][2], "a pair shares its seed");
    assert_eq!(whole_runs[2][2], whole_runs[3][2], "a pair shares its seed");
    assert_ne!(whole_runs[0][2], whole_runs[2][2]);
}
