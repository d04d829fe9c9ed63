//! `--format parquet`: the files read back (with the parquet crate's own
//! reader) hold, cell for cell, what the JSON reports say. The expected
//! values never come from the columnar code: each replication's row is
//! checked against the JSON report of `escrowsim run --seed` with that
//! row's seed, each monthly row against that report's `monthly` entry, and
//! every column's type against the schema docs/parquet.md documents.

use crate::common::{escrowsim, fresh_directory, path, scenario_path, stderr, succeeded};
use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, Int64Type, UInt32Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rust_decimal::Decimal;
use serde_json::Value;
use std::path::Path;

/// The one table of a Parquet file, read in one batch.
fn read_table(file: &Path) -> RecordBatch {
    let file = std::fs::File::open(file).expect("the Parquet file exists");
    let mut reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .with_batch_size(1 << 20)
        .build()
        .expect("a reader");
    let table = reader.next().expect("one batch").expect("a readable batch");
    assert!(reader.next().is_none(), "the table is one batch");
    table
}

fn text_column<'a>(table: &'a RecordBatch, name: &str) -> &'a arrow_array::StringArray {
    table
        .column_by_name(name)
        .unwrap_or_else(|| panic!("column {name}"))
        .as_string::<i32>()
}

/// The JSON value at a dotted path (`risk.platform_loss`, `refunds.by_reason.late.count`).
fn at_path<'a>(tree: &'a Value, dotted: &str) -> &'a Value {
    dotted.split('.').fold(tree, |node, key| match node {
        Value::Array(items) => &items[key.parse::<usize>().expect("an index")],
        _ => &node[key],
    })
}

/// Checks the cell `row` of `column` against the JSON value the report
/// prints for it: a count equals the integer, money the decimal string in
/// cents at scale 2, any other number the float a JSON reader makes of it,
/// and a null is a null.
fn assert_cell_equals_json(table: &RecordBatch, column: &str, row: usize, expected: &Value) {
    let array = table.column_by_name(column).expect("the column exists");
    let context = format!("{column}, row {row}: expected {expected}");
    if expected.is_null() {
        assert!(array.is_null(row), "{context}");
        return;
    }
    assert!(!array.is_null(row), "{context}");
    match array.data_type() {
        DataType::Int64 => assert_eq!(
            array.as_primitive::<Int64Type>().value(row),
            expected.as_i64().expect("a count"),
            "{context}"
        ),
        DataType::Decimal128(18, 2) => {
            // decimal(18,2) holds the amount as whole cents: 12.34 is 1234.
            let mut amount: Decimal = expected
                .as_str()
                .expect("money is a string")
                .parse()
                .expect("a decimal");
            amount.rescale(2);
            let cents = amount.mantissa();
            assert_eq!(
                array.as_primitive::<Decimal128Type>().value(row),
                cents,
                "{context}"
            );
        }
        DataType::Float64 => assert_eq!(
            array.as_primitive::<Float64Type>().value(row),
            expected.as_f64().expect("a number"),
            "{context}"
        ),
        other => panic!("{context}: unexpected type {other}"),
    }
}

/// The outcome of `escrowsim run SCENARIO --seed SEED --format json`.
fn outcome_of(scenario: &Path, seed: u64) -> Value {
    let report = succeeded(&escrowsim(&[
        "run",
        path(scenario),
        "--seed",
        &seed.to_string(),
        "--format",
        "json",
    ]));
    serde_json::from_str::<Value>(&report).expect("a JSON report")["outcome"].clone()
}

/// Every metric cell of `table`'s rows of `policy` (all rows when None)
/// equals the JSON report of its replication's seed.
fn assert_rows_equal_reports(table: &RecordBatch, scenario: &Path, policy: Option<&str>) -> usize {
    let seeds = table
        .column_by_name("seed")
        .unwrap()
        .as_primitive::<UInt64Type>();
    let months = text_column(table, "month");
    let policies = policy.map(|_| text_column(table, "policy"));
    let schema = table.schema();
    let metric_columns: Vec<&str> = schema
        .fields()
        .iter()
        .map(|field| field.name().as_str())
        .skip_while(|name| *name != "month")
        .skip(1)
        .collect();
    let mut outcome: Option<(u64, Value)> = None;
    let mut month_index = 0;
    let mut checked = 0;
    for row in 0..table.num_rows() {
        if let (Some(policies), Some(policy)) = (policies, policy) {
            if policies.value(row) != policy {
                continue;
            }
        }
        let seed = seeds.value(row);
        if outcome.as_ref().map(|(known, _)| *known) != Some(seed) {
            outcome = Some((seed, outcome_of(scenario, seed)));
        }
        let report = &outcome.as_ref().unwrap().1;
        if months.value(row) == "all" {
            month_index = 0;
            for column in &metric_columns {
                let expected = match column.strip_prefix("monthly.") {
                    Some(_) => Value::Null,
                    None => at_path(report, column).clone(),
                };
                assert_cell_equals_json(table, column, row, &expected);
            }
        } else {
            let month = &report["monthly"][month_index];
            assert_eq!(month["month"], months.value(row), "row {row}");
            for column in &metric_columns {
                let expected = match column.strip_prefix("monthly.") {
                    Some(within) => at_path(month, within).clone(),
                    None => Value::Null,
                };
                assert_cell_equals_json(table, column, row, &expected);
            }
            month_index += 1;
        }
        checked += 1;
    }
    checked
}

#[test]
fn replications_in_parquet_equal_each_replication_s_json_report() {
    let directory = fresh_directory("parquet-replications", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("quick.parquet");
    let scenario = scenario_path("quick.ron");
    succeeded(&escrowsim(&[
        "run",
        path(&scenario),
        "--replications",
        "3",
        "--jobs",
        "2",
        "--format",
        "parquet",
        "--out",
        path(&file),
    ]));
    let table = read_table(&file);
    // The documented types: seeds every digit of a u64, money decimal(18,2).
    let schema = table.schema();
    let type_of = |name: &str| schema.field_with_name(name).unwrap().data_type().clone();
    assert_eq!(type_of("seed"), DataType::UInt64);
    assert_eq!(type_of("replication"), DataType::UInt32);
    assert_eq!(type_of("risk.platform_loss"), DataType::Decimal128(18, 2));
    assert_eq!(type_of("orders.placed"), DataType::Int64);
    assert_eq!(type_of("monthly.gmv"), DataType::Decimal128(18, 2));
    // Each replication: its whole-run row, then one row per month of its report.
    let months = outcome_of(&scenario, 7)["monthly"]
        .as_array()
        .expect("a monthly series")
        .len();
    assert_eq!(table.num_rows(), 3 * (1 + months));
    let replications = table
        .column_by_name("replication")
        .unwrap()
        .as_primitive::<UInt32Type>();
    assert_eq!(replications.value(0), 0);
    assert_eq!(replications.value(table.num_rows() - 1), 2);
    // Replication 0 runs the base seed, the scenario's 7.
    assert_eq!(
        table
            .column_by_name("seed")
            .unwrap()
            .as_primitive::<UInt64Type>()
            .value(0),
        7
    );
    assert_eq!(
        assert_rows_equal_reports(&table, &scenario, None),
        table.num_rows()
    );
}

#[test]
fn a_comparison_in_parquet_holds_each_policy_s_replications_as_their_reports_say() {
    let directory = fresh_directory("parquet-compare", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("comparison.parquet");
    let a = scenario_path("quick.ron");
    let b = scenario_path("quick-release-at-contract.ron");
    succeeded(&escrowsim(&[
        "compare",
        path(&a),
        path(&b),
        "--replications",
        "2",
        "--jobs",
        "2",
        "--format",
        "parquet",
        "--out",
        path(&file),
    ]));
    let table = read_table(&file);
    assert_eq!(table.schema().field(0).name(), "policy");
    // Both policies ran from A's seed (7): B's rows are B's runs of the same
    // seeds. Each replication is a whole-run row and one row per month.
    let rows_per_replication = 1 + outcome_of(&a, 7)["monthly"].as_array().unwrap().len();
    assert_eq!(
        assert_rows_equal_reports(&table, &a, Some("A")),
        2 * rows_per_replication
    );
    assert_eq!(
        assert_rows_equal_reports(&table, &b, Some("B")),
        2 * rows_per_replication
    );
    assert_eq!(table.num_rows(), 4 * rows_per_replication);
}

#[test]
fn parquet_needs_an_output_file_and_metrics_choose_its_columns() {
    let scenario = scenario_path("quick.ron");
    let output = escrowsim(&["run", path(&scenario), "--format", "parquet"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--format parquet writes a binary file: give it with --out FILE"),
        "{}",
        stderr(&output)
    );
    let directory = fresh_directory("parquet-metrics", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("risk.parquet");
    succeeded(&escrowsim(&[
        "run",
        path(&scenario),
        "--format",
        "parquet",
        "--metrics",
        "risk.platform_loss",
        "--out",
        path(&file),
    ]));
    let table = read_table(&file);
    let names: Vec<String> = table
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "scenario",
            "replication",
            "seed",
            "month",
            "risk.platform_loss"
        ]
    );
}

#[test]
fn a_merged_sweep_in_parquet_holds_each_point_s_replications_as_their_reports_say() {
    let test = "parquet-sweep";
    let quick = crate::common::shipped_text("quick.ron");
    assert!(quick.contains("claim_window_days: 30,"));
    let sweep = crate::common::temporary_file(
        test,
        "sweep.ron",
        format!(
            "Sweep(\n    name: \"{test}\",\n    scenario: {:?},\n    replications: 2,\n    grid: [\n        \
             (path: \"rules.claim_window_days\", values: [\"14\", \"45\"]),\n    ],\n)\n",
            scenario_path("quick.ron").display().to_string()
        )
        .as_bytes(),
    );
    let directory = fresh_directory(test, "sweep");
    let file = directory.with_file_name("sweep.parquet");
    succeeded(&escrowsim(&[
        "sweep",
        path(&sweep),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    succeeded(&escrowsim(&[
        "merge",
        path(&directory),
        "--parquet",
        path(&file),
    ]));
    let table = read_table(&file);
    let names: Vec<String> = table
        .schema()
        .fields()
        .iter()
        .take(4)
        .map(|field| field.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "point",
            "rules.claim_window_days",
            "scenario",
            "replication"
        ]
    );
    let points = table
        .column_by_name("point")
        .unwrap()
        .as_primitive::<UInt32Type>();
    let windows = text_column(&table, "rules.claim_window_days");
    let mut checked = 0;
    for (point, window) in [(0, "14"), (1, "45")] {
        // The point's scenario: quick.ron with the claim window it sets.
        let scenario = crate::common::temporary_file(
            test,
            &format!("quick-{window}.ron"),
            quick
                .replace(
                    "claim_window_days: 30,",
                    &format!("claim_window_days: {window},"),
                )
                .as_bytes(),
        );
        let rows: Vec<usize> = (0..table.num_rows())
            .filter(|&row| points.value(row) == point)
            .collect();
        assert!(rows.iter().all(|&row| windows.value(row) == window));
        let slice = table.slice(rows[0], rows.len());
        assert_eq!(
            rows.last(),
            Some(&(rows[0] + rows.len() - 1)),
            "a point's rows are contiguous"
        );
        checked += assert_rows_equal_reports(&slice, &scenario, None);
    }
    assert_eq!(checked, table.num_rows());
}

#[test]
fn ctrl_c_during_replications_for_parquet_exits_130_and_leaves_the_old_file() {
    // A Parquet report goes through the same staged write as every report:
    // a stop before it is complete leaves the previous file whole and no
    // temporary file beside it.
    let directory = fresh_directory("parquet-sigint", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let file = directory.join("replications.parquet");
    std::fs::write(&file, b"previous complete report\n").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args([
            "run",
            path(&scenario_path("quick.ron")),
            "--replications",
            "5000",
            "--jobs",
            "2",
            "--format",
            "parquet",
            "--out",
            path(&file),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("escrowsim starts");
    assert!(
        crate::common::worked_a_quarter_second(&mut child),
        "5,000 replications outlast a quarter second of work"
    );
    crate::common::send(&child, 2);
    let status = crate::common::wait_for_exit(&mut child, "parquet-sigint");
    let mut message = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut message).unwrap();
    assert_eq!(status.code(), Some(130), "{message}");
    assert!(message.contains("was left as it was"), "{message}");
    assert_eq!(std::fs::read(&file).unwrap(), b"previous complete report\n");
    assert_eq!(
        crate::common::files_in(&directory),
        ["replications.parquet"]
    );
}

/// The float cell of `column` at `row`, `None` for a null.
fn number_cell(table: &RecordBatch, column: &str, row: usize) -> Option<f64> {
    let array = table
        .column_by_name(column)
        .unwrap_or_else(|| panic!("column {column}"));
    assert_eq!(array.data_type(), &DataType::Float64, "{column}");
    (!array.is_null(row)).then(|| array.as_primitive::<Float64Type>().value(row))
}

/// A float cell against the JSON's number: equal, to the last bit but
/// one. serde_json's default number parser (without `float_roundtrip`)
/// may land one unit in the last place from the correctly rounded value
/// of the JSON's 17-digit text, which the table holds exactly (the Python
/// tests compare these exactly, through a correctly rounded reader).
fn assert_same_number(cell: Option<f64>, expected: Option<f64>, context: &str) {
    match (cell, expected) {
        (Some(cell), Some(expected)) => assert!(
            cell == expected || cell.to_bits().abs_diff(expected.to_bits()) == 1,
            "{context}: {cell} in the table, {expected} in the JSON"
        ),
        (cell, expected) => assert_eq!(cell, expected, "{context}"),
    }
}

/// The rows of a study's table with this metric, factor and statistic
/// (an empty metric or factor is a null cell).
fn study_row(table: &RecordBatch, metric: &str, factor: &str, statistic: &str) -> usize {
    let cell = |column: &str, row: usize| {
        let array = text_column(table, column);
        if array.is_null(row) {
            String::new()
        } else {
            array.value(row).to_string()
        }
    };
    let rows: Vec<usize> = (0..table.num_rows())
        .filter(|&row| {
            cell("metric", row) == metric
                && cell("factor", row) == factor
                && cell("statistic", row) == statistic
        })
        .collect();
    assert_eq!(rows.len(), 1, "one row of {metric}, {factor}, {statistic}");
    rows[0]
}

fn study_directory(
    test: &str,
    command: &str,
    file: &str,
) -> (std::path::PathBuf, Value, RecordBatch) {
    let directory = fresh_directory(test, "out");
    let study = crate::common::repository_root().join(file);
    succeeded(&escrowsim(&[
        command,
        path(&study),
        "--out",
        path(&directory),
        "--jobs",
        "2",
    ]));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(directory.join("result.json")).unwrap())
            .unwrap();
    let table = read_table(&directory.join("result.parquet"));
    let csv = std::fs::read_to_string(directory.join("result.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let columns: Vec<String> = table
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    assert_eq!(columns, header, "the CSV's columns");
    assert_eq!(table.num_rows(), csv.lines().count() - 1, "the CSV's rows");
    (directory, json, table)
}

#[test]
fn a_sensitivity_study_s_parquet_table_holds_its_json_indices() {
    let (_, json, table) = study_directory(
        "parquet-sensitivity",
        "sensitivity",
        "tests/studies/browser-sobol.ron",
    );
    let factors = json["factors"].as_array().unwrap();
    let metrics = json["metrics"].as_array().unwrap();
    assert_eq!(table.num_rows(), 2 * factors.len() * metrics.len());
    for metric in metrics {
        let name = metric["metric"].as_str().unwrap();
        for (factor, indices) in factors
            .iter()
            .zip(metric["sobol"]["factors"].as_array().unwrap())
        {
            let factor = factor["path"].as_str().unwrap();
            for (statistic, key) in [("s1", "first"), ("st", "total")] {
                let row = study_row(&table, name, factor, statistic);
                assert_eq!(text_column(&table, "study").value(row), json["study"]);
                assert_eq!(text_column(&table, "kind").value(row), "sensitivity");
                for column in ["value", "low", "high"] {
                    assert_same_number(
                        number_cell(&table, column, row),
                        indices[key][column].as_f64(),
                        &format!("{name} {factor} {statistic} {column}"),
                    );
                }
            }
        }
    }
}

#[test]
fn a_calibration_s_parquet_table_holds_its_json_posterior_and_check() {
    let (_, json, table) = study_directory(
        "parquet-calibration",
        "calibrate",
        "tests/studies/browser-calibration.ron",
    );
    let calibration = &json["calibration"];
    for factor in calibration["factors"].as_array().unwrap() {
        let path = factor["path"].as_str().unwrap();
        let mean = study_row(&table, "", path, "posterior_mean");
        assert_same_number(
            number_cell(&table, "value", mean),
            factor["mean"].as_f64(),
            "value, mean",
        );
        assert_same_number(number_cell(&table, "low", mean), None, "low, mean");
        let sd = study_row(&table, "", path, "posterior_sd");
        assert_same_number(
            number_cell(&table, "value", sd),
            factor["sd"].as_f64(),
            "value, sd",
        );
        let median = study_row(&table, "", path, "posterior_median");
        for (column, key) in [("value", "median"), ("low", "low"), ("high", "high")] {
            assert_same_number(
                number_cell(&table, column, median),
                factor[key].as_f64(),
                column,
            );
        }
    }
    for check in calibration["check"].as_array().unwrap() {
        let row = study_row(&table, check["target"].as_str().unwrap(), "", "check_mean");
        for (column, key) in [
            ("value", "mean"),
            ("low", "mean_low"),
            ("high", "mean_high"),
        ] {
            assert_same_number(
                number_cell(&table, column, row),
                check[key].as_f64(),
                column,
            );
        }
    }
}

#[test]
fn an_optimisation_s_parquet_table_holds_its_json_candidates() {
    let (_, json, table) = study_directory(
        "parquet-optimize",
        "optimize",
        "tests/optimize/erlang-limit.ron",
    );
    let candidates = json["candidates"].as_array().unwrap();
    let decision = json["decisions"][0].as_str().unwrap();
    let candidate_column = table
        .column_by_name("candidate")
        .unwrap()
        .as_primitive::<UInt64Type>();
    let runs = table
        .column_by_name("runs")
        .unwrap()
        .as_primitive::<UInt64Type>();
    let chosen = table.column_by_name("chosen").unwrap().as_boolean();
    let mut row = 0;
    for candidate in candidates {
        let index = candidate["index"].as_u64().unwrap();
        for estimate in candidate["estimates"].as_array().unwrap() {
            assert_eq!(candidate_column.value(row), index);
            assert_eq!(
                text_column(&table, decision).value(row),
                candidate["rules"][0][1].as_str().unwrap()
            );
            for (column, key) in [("mean", "value"), ("low", "low"), ("high", "high")] {
                assert_same_number(
                    number_cell(&table, column, row),
                    estimate[key].as_f64(),
                    column,
                );
            }
            assert_eq!(runs.value(row), candidate["runs"].as_u64().unwrap());
            assert_eq!(chosen.value(row), json["chosen"].as_u64() == Some(index));
            assert_eq!(
                text_column(&table, "status").value(row),
                candidate["status"]
            );
            row += 1;
        }
    }
    assert_eq!(row, table.num_rows());
}
