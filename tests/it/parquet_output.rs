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
