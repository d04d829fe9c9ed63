//! Replications, comparisons and sweeps as typed columns: Arrow record
//! batches, and Parquet files of them, for pandas, DuckDB, polars or Spark.
//!
//! The tables are the CSV's ([`escrowsim_render::csv`] documents its
//! layout) with each column typed, so a reader needs no type guessing and
//! loses no digit. One builder makes every table: the binary's
//! `--format parquet` files and the Python package's DataFrames come from
//! the same batches. `docs/parquet.md` is the schema's reference; in short:
//!
//! - identity columns: `policy` (comparisons) or `point` and one column per
//!   sweep parameter (sweeps), then `scenario` (utf8), `replication`
//!   (uint32), `seed` (uint64, every digit), `mirrored` (bool, antithetic
//!   pairs only), `month` (utf8: `all` on whole-run rows, `YYYY-MM` on
//!   monthly rows);
//! - one column per metric, named by its dotted outcome path: counts
//!   int64, money decimal(18,2), other numbers (rates, basis points)
//!   float64; `null` where the run left a rate undefined and in the other
//!   kind's columns (whole-run cells of monthly rows and the reverse).
//!
//! Money is decimal(18,2): exact, read as `decimal.Decimal` by pyarrow and
//! as DECIMAL(18,2) by DuckDB and polars, with the unit (the currency's
//! major unit, two places) in the type rather than in a column name. An
//! amount of more than 18 digits (10^16 in the major unit, far beyond any
//! scenario's bounds) is refused with an error naming its column, never
//! rounded.
//!
//! A study's or an optimisation's `result.csv` has its typed twin too
//! ([`study_batch`], [`optimization_batch`]): the CSV's cells, each column
//! typed ([`CellType`]).
//!
//! Like rendering, this is results in, bytes out: no file, no clock, and
//! the same results give the same bytes.

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Float64Builder, Int64Builder, StringBuilder, UInt32Builder,
    UInt64Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use escrowsim_analysis::metrics::{MONTHLY_KEY, MetricKind};
use escrowsim_analysis::sweep::SweepResult;
use escrowsim_analysis::{MetricPatterns, ReplicationSummary, Replications};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use rust_decimal::Decimal;
use std::sync::Arc;

pub use arrow_array::RecordBatch as Batch;

/// Digits of a money column: decimal(18,2), the widest decimal Parquet
/// stores as a plain 64-bit integer.
pub const MONEY_PRECISION: u8 = 18;
/// Places of a money column: cents.
pub const MONEY_SCALE: i8 = 2;
/// The `month` of whole-run rows, as in the CSV.
pub const WHOLE_RUN_MONTH: &str = "all";
/// The key of the file metadata naming the engine version.
pub const VERSION_KEY: &str = "escrowsim.version";

/// A value no column of its kind can hold, or an Arrow or Parquet failure
/// (which, on memory, would be a programmer's error).
#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    #[error("{column}: {value} does not fit a {kind} column")]
    DoesNotFit {
        column: String,
        value: Decimal,
        kind: &'static str,
    },
    #[error("{column}: {value:?} is not a {kind}")]
    NotOfType {
        column: String,
        value: String,
        kind: &'static str,
    },
    #[error("{0}")]
    Shape(String),
    #[error("building the table: {0}")]
    Arrow(#[from] ArrowError),
    #[error("writing Parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
}

/// Which rows a table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rows {
    /// One row per replication (`month` is `all`); no monthly columns.
    WholeRun,
    /// One row per replication and month; no whole-run columns.
    Monthly,
    /// The CSV's rows: each replication's whole-run row, then its months.
    Both,
}

/// One set of replications in a table, with the identity columns that
/// come before its rows' own (`policy`, or a sweep point's parameters).
pub struct Group<'a> {
    pub labels: Vec<Label>,
    pub replications: &'a Replications,
}

/// A leading identity cell: its column and value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    Text { column: String, value: String },
    Whole { column: String, value: u32 },
}

impl Label {
    fn column(&self) -> &str {
        match self {
            Label::Text { column, .. } | Label::Whole { column, .. } => column,
        }
    }
}

/// The table of one set of replications; `columns` chooses the metric
/// columns as `--metrics` does for CSV (none: every metric).
pub fn replications_batch(
    replications: &Replications,
    rows: Rows,
    columns: &MetricPatterns,
) -> Result<RecordBatch, ColumnarError> {
    batch(
        &[Group {
            labels: Vec::new(),
            replications,
        }],
        rows,
        columns,
    )
}

/// The table of a comparison: A's replications, then B's, with a leading
/// `policy` column (`A` or `B`).
pub fn comparison_batch(
    a: &Replications,
    b: &Replications,
    rows: Rows,
    columns: &MetricPatterns,
) -> Result<RecordBatch, ColumnarError> {
    let policy = |value: &str| {
        vec![Label::Text {
            column: "policy".to_string(),
            value: value.to_string(),
        }]
    };
    batch(
        &[
            Group {
                labels: policy("A"),
                replications: a,
            },
            Group {
                labels: policy("B"),
                replications: b,
            },
        ],
        rows,
        columns,
    )
}

/// The table of a merged sweep: each point's replications in point order,
/// with a leading `point` column (its index, from 0) and one column per
/// parameter holding the RON text of its value, as the sweep file wrote it.
pub fn sweep_batch(result: &SweepResult, rows: Rows) -> Result<RecordBatch, ColumnarError> {
    let groups: Vec<Group> = result
        .points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let mut labels = vec![Label::Whole {
                column: "point".to_string(),
                value: u32::try_from(index).expect("a sweep has fewer than 2^32 points"),
            }];
            labels.extend(point.parameters.iter().map(|(name, value)| Label::Text {
                column: name.clone(),
                value: value.clone(),
            }));
            Group {
                labels,
                replications: &point.replications,
            }
        })
        .collect();
    batch(&groups, rows, &MetricPatterns::default())
}

/// The statistics of every whole-run metric of `summary`, one row each:
/// `metric`, `kind` (`count`, `money` or `number`), `replications`,
/// `defined`, then `mean`, `sd`, `ci95_low`, `ci95_high`, `p95` and `p99`
/// as float64 (the JSON report's figures, which are rounded to their
/// printed places; `null` where the report has none).
pub fn summary_batch(summary: &ReplicationSummary) -> Result<RecordBatch, ColumnarError> {
    let count = summary.metrics.len();
    let mut metric = StringBuilder::new();
    let mut kind = StringBuilder::new();
    let mut replications = UInt64Builder::with_capacity(count);
    let mut defined = UInt64Builder::with_capacity(count);
    let mut figures: Vec<Float64Builder> = (0..6)
        .map(|_| Float64Builder::with_capacity(count))
        .collect();
    for (row_metric, row) in &summary.metrics {
        metric.append_value(&row_metric.path);
        kind.append_value(kind_name(row_metric.kind));
        replications.append_value(row.replications as u64);
        defined.append_value(row.defined as u64);
        let defined_mean = row.is_defined().then_some(row.mean.value);
        let cells = [
            defined_mean,
            row.sd.map(|figure| figure.value),
            row.ci95.map(|(low, _)| low.value),
            row.ci95.map(|(_, high)| high.value),
            row.p95.map(|figure| figure.value),
            row.p99.map(|figure| figure.value),
        ];
        for (builder, cell) in figures.iter_mut().zip(cells) {
            builder.append_option(cell.map(float_of));
        }
    }
    let mut fields = vec![
        Field::new("metric", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("replications", DataType::UInt64, false),
        Field::new("defined", DataType::UInt64, false),
    ];
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(metric.finish()),
        Arc::new(kind.finish()),
        Arc::new(replications.finish()),
        Arc::new(defined.finish()),
    ];
    for (name, mut builder) in ["mean", "sd", "ci95_low", "ci95_high", "p95", "p99"]
        .into_iter()
        .zip(figures)
    {
        fields.push(Field::new(name, DataType::Float64, true));
        arrays.push(Arc::new(builder.finish()));
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

/// The type of a column of a result table ([`study_batch`],
/// [`optimization_batch`]): each cell is the CSV's text, typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellType {
    /// utf8; an empty cell is `null`.
    Text,
    /// uint64.
    Whole,
    /// float64, the CSV's shortest round-trip text read back exactly; an
    /// empty cell is `null`.
    Number,
    /// bool (`true`, `false`).
    Flag,
}

/// The columns of a study's `result.csv`: `study`, `kind`, `metric`,
/// `factor`, `statistic` (utf8; `metric` and `factor` null where the CSV
/// leaves them empty), `value`, `low`, `high` (float64, null where the
/// statistic has none).
pub const STUDY_COLUMNS: [CellType; 8] = [
    CellType::Text,
    CellType::Text,
    CellType::Text,
    CellType::Text,
    CellType::Text,
    CellType::Number,
    CellType::Number,
    CellType::Number,
];

/// The table of a study's `result.csv`, from its cells, header first
/// (`escrowsim_render::study_rows`).
pub fn study_batch(rows: &[Vec<String>]) -> Result<RecordBatch, ColumnarError> {
    text_table_batch(rows, &STUDY_COLUMNS)
}

/// The table of an optimisation's `result.csv`, from its cells, header
/// first (`escrowsim_render::optimization_rows`): `candidate` (uint64),
/// one utf8 column per decision (the value's RON text), `metric`, `role`
/// (utf8), `mean`, `low`, `high` (float64), `runs` (uint64), `frontier`,
/// `chosen` (bool), `status` (utf8).
pub fn optimization_batch(rows: &[Vec<String>]) -> Result<RecordBatch, ColumnarError> {
    let columns = rows.first().map(Vec::len).unwrap_or(0);
    let decisions = columns.checked_sub(10).ok_or_else(|| {
        ColumnarError::Shape(format!(
            "an optimisation's table has at least 10 columns, not {columns}"
        ))
    })?;
    let mut types = vec![CellType::Whole];
    types.extend(std::iter::repeat_n(CellType::Text, decisions + 2));
    types.extend([
        CellType::Number,
        CellType::Number,
        CellType::Number,
        CellType::Whole,
        CellType::Flag,
        CellType::Flag,
        CellType::Text,
    ]);
    text_table_batch(rows, &types)
}

/// A table of text cells, header first, each column typed by `types`.
pub fn text_table_batch(
    rows: &[Vec<String>],
    types: &[CellType],
) -> Result<RecordBatch, ColumnarError> {
    let Some((header, body)) = rows.split_first() else {
        return Err(ColumnarError::Shape("a table has a header".to_string()));
    };
    if header.len() != types.len() {
        return Err(ColumnarError::Shape(format!(
            "the header has {} columns, the types {}",
            header.len(),
            types.len()
        )));
    }
    let mut fields = Vec::with_capacity(types.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(types.len());
    for (index, (name, kind)) in header.iter().zip(types).enumerate() {
        let mut cells = Vec::with_capacity(body.len());
        for row in body {
            let cell = row.get(index).ok_or_else(|| {
                ColumnarError::Shape(format!(
                    "a row has {} cells, not {}",
                    row.len(),
                    header.len()
                ))
            })?;
            cells.push(cell.as_str());
        }
        let not_of = |value: &str, kind: &'static str| ColumnarError::NotOfType {
            column: name.clone(),
            value: value.to_string(),
            kind,
        };
        let (data_type, nullable, array): (DataType, bool, ArrayRef) = match kind {
            CellType::Text => {
                let mut builder = StringBuilder::new();
                for cell in &cells {
                    if cell.is_empty() {
                        builder.append_null();
                    } else {
                        builder.append_value(cell);
                    }
                }
                (DataType::Utf8, true, Arc::new(builder.finish()))
            }
            CellType::Whole => {
                let mut builder = UInt64Builder::with_capacity(cells.len());
                for cell in &cells {
                    builder.append_value(cell.parse().map_err(|_| not_of(cell, "whole number"))?);
                }
                (DataType::UInt64, false, Arc::new(builder.finish()))
            }
            CellType::Number => {
                let mut builder = Float64Builder::with_capacity(cells.len());
                for cell in &cells {
                    if cell.is_empty() {
                        builder.append_null();
                    } else {
                        builder.append_value(cell.parse().map_err(|_| not_of(cell, "number"))?);
                    }
                }
                (DataType::Float64, true, Arc::new(builder.finish()))
            }
            CellType::Flag => {
                let mut builder = BooleanBuilder::with_capacity(cells.len());
                for cell in &cells {
                    builder.append_value(match *cell {
                        "true" => true,
                        "false" => false,
                        other => return Err(not_of(other, "flag")),
                    });
                }
                (DataType::Boolean, false, Arc::new(builder.finish()))
            }
        };
        fields.push(Field::new(name, data_type, nullable));
        arrays.push(array);
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

/// The bytes of a Parquet file holding `batch`: one row group, no
/// compression (dictionary encoding already shares the repeated labels),
/// and the engine version as file metadata ([`VERSION_KEY`]).
pub fn parquet_bytes(batch: &RecordBatch) -> Result<Vec<u8>, ColumnarError> {
    let properties = WriterProperties::builder()
        .set_created_by(format!("escrowsim {}", escrowsim_core::report::VERSION))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            VERSION_KEY.to_string(),
            escrowsim_core::report::VERSION.to_string(),
        )]))
        .build();
    let mut writer = ArrowWriter::try_new(Vec::new(), batch.schema(), Some(properties))?;
    writer.write(batch)?;
    Ok(writer.into_inner()?)
}

fn kind_name(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Count => "count",
        MetricKind::Money => "money",
        MetricKind::Number => "number",
    }
}

/// A decimal as the nearest float64: through its text, which Rust parses
/// correctly rounded, so the float equals what a JSON reader makes of the
/// same printed number.
fn float_of(value: Decimal) -> f64 {
    value
        .to_string()
        .parse()
        .expect("a decimal's text is a float's")
}

/// One metric column being filled.
enum Column {
    Count(Int64Builder),
    Money(Decimal128Builder),
    Number(Float64Builder),
}

impl Column {
    fn new(kind: MetricKind, capacity: usize) -> Column {
        match kind {
            MetricKind::Count => Column::Count(Int64Builder::with_capacity(capacity)),
            MetricKind::Money => Column::Money(
                Decimal128Builder::with_capacity(capacity)
                    .with_precision_and_scale(MONEY_PRECISION, MONEY_SCALE)
                    .expect("decimal(18,2) is a valid decimal type"),
            ),
            MetricKind::Number => Column::Number(Float64Builder::with_capacity(capacity)),
        }
    }

    fn data_type(kind: MetricKind) -> DataType {
        match kind {
            MetricKind::Count => DataType::Int64,
            MetricKind::Money => DataType::Decimal128(MONEY_PRECISION, MONEY_SCALE),
            MetricKind::Number => DataType::Float64,
        }
    }

    fn append(&mut self, name: &str, value: Option<Decimal>) -> Result<(), ColumnarError> {
        let does_not_fit = |value: Decimal, kind: &'static str| ColumnarError::DoesNotFit {
            column: name.to_string(),
            value,
            kind,
        };
        match self {
            Column::Count(builder) => match value {
                None => builder.append_null(),
                Some(value) => {
                    let whole = i64::try_from(value)
                        .ok()
                        .filter(|_| value.fract().is_zero())
                        .ok_or_else(|| does_not_fit(value, "int64"))?;
                    builder.append_value(whole);
                }
            },
            Column::Money(builder) => match value {
                None => builder.append_null(),
                Some(value) => builder.append_value(
                    cents(value).ok_or_else(|| does_not_fit(value, "decimal(18,2)"))?,
                ),
            },
            Column::Number(builder) => builder.append_option(value.map(float_of)),
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            Column::Count(mut builder) => Arc::new(builder.finish()),
            Column::Money(mut builder) => Arc::new(builder.finish()),
            Column::Number(mut builder) => Arc::new(builder.finish()),
        }
    }
}

/// An amount as whole cents, the unscaled value of a decimal(18,2); `None`
/// when it has fractions of a cent or more than 18 digits.
fn cents(value: Decimal) -> Option<i128> {
    let mut scaled = value;
    scaled.rescale(u32::from(MONEY_SCALE.unsigned_abs()));
    if scaled != value {
        return None;
    }
    let unscaled = scaled.mantissa();
    (unscaled.unsigned_abs() < 10u128.pow(u32::from(MONEY_PRECISION))).then_some(unscaled)
}

/// One leading identity column being filled.
enum LabelColumn {
    Text(StringBuilder),
    Whole(UInt32Builder),
}

fn batch(
    groups: &[Group],
    rows: Rows,
    columns: &MetricPatterns,
) -> Result<RecordBatch, ColumnarError> {
    let first = groups
        .first()
        .expect("a table has at least one set of replications")
        .replications;
    let schema = &first.schema;
    let antithetic = first.antithetic;
    let whole_run = rows != Rows::Monthly;
    let monthly = rows != Rows::WholeRun;
    // The metric columns: (name, kind, index in the whole-run or monthly
    // values, whether monthly), in the CSV's order, chosen by `columns`.
    let mut metrics: Vec<(String, MetricKind, usize, bool)> = Vec::new();
    if whole_run {
        metrics.extend(
            schema
                .metrics
                .iter()
                .enumerate()
                .map(|(index, metric)| (metric.path.clone(), metric.kind, index, false)),
        );
    }
    if monthly {
        metrics.extend(
            schema
                .monthly_metrics
                .iter()
                .enumerate()
                .map(|(index, metric)| {
                    let name = if rows == Rows::Both {
                        format!("{MONTHLY_KEY}.{}", metric.path)
                    } else {
                        metric.path.clone()
                    };
                    (name, metric.kind, index, true)
                }),
        );
    }
    if !columns.is_empty() {
        metrics.retain(|(name, ..)| columns.selects(name));
    }
    let row_count: usize = groups
        .iter()
        .map(|group| {
            let runs = group.replications.runs.len();
            let months = group.replications.schema.months.len();
            runs * (usize::from(whole_run) + if monthly { months } else { 0 })
        })
        .sum();

    let label_template = &groups[0].labels;
    let mut labels: Vec<LabelColumn> = label_template
        .iter()
        .map(|label| match label {
            Label::Text { .. } => LabelColumn::Text(StringBuilder::new()),
            Label::Whole { .. } => LabelColumn::Whole(UInt32Builder::with_capacity(row_count)),
        })
        .collect();
    let mut scenario = StringBuilder::new();
    let mut replication = UInt32Builder::with_capacity(row_count);
    let mut seed = UInt64Builder::with_capacity(row_count);
    let mut mirrored = BooleanBuilder::with_capacity(row_count);
    let mut month = StringBuilder::new();
    let mut metric_columns: Vec<Column> = metrics
        .iter()
        .map(|(_, kind, ..)| Column::new(*kind, row_count))
        .collect();

    for group in groups {
        let set = group.replications;
        assert_eq!(
            group.labels.len(),
            label_template.len(),
            "every group of a table has the same labels"
        );
        for run in &set.runs {
            let mut identity = |month_label: &str| {
                for (column, label) in labels.iter_mut().zip(&group.labels) {
                    match (column, label) {
                        (LabelColumn::Text(builder), Label::Text { value, .. }) => {
                            builder.append_value(value);
                        }
                        (LabelColumn::Whole(builder), Label::Whole { value, .. }) => {
                            builder.append_value(*value);
                        }
                        _ => unreachable!("every group's labels are of one kind per column"),
                    }
                }
                scenario.append_value(&set.scenario);
                replication.append_value(run.index);
                seed.append_value(run.seed);
                mirrored.append_value(set.mirrored(run));
                month.append_value(month_label);
            };
            if whole_run {
                identity(WHOLE_RUN_MONTH);
                for ((name, _, index, is_monthly), column) in
                    metrics.iter().zip(&mut metric_columns)
                {
                    let value = if *is_monthly {
                        None
                    } else {
                        run.values.values[*index]
                    };
                    column.append(name, value)?;
                }
            }
            if monthly {
                for (month_label, values) in set.schema.months.iter().zip(&run.values.monthly) {
                    identity(month_label);
                    for ((name, _, index, is_monthly), column) in
                        metrics.iter().zip(&mut metric_columns)
                    {
                        let value = if *is_monthly { values[*index] } else { None };
                        column.append(name, value)?;
                    }
                }
            }
        }
    }

    let mut fields: Vec<Field> = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (label, column) in label_template.iter().zip(labels) {
        match column {
            LabelColumn::Text(mut builder) => {
                fields.push(Field::new(label.column(), DataType::Utf8, false));
                arrays.push(Arc::new(builder.finish()));
            }
            LabelColumn::Whole(mut builder) => {
                fields.push(Field::new(label.column(), DataType::UInt32, false));
                arrays.push(Arc::new(builder.finish()));
            }
        }
    }
    fields.push(Field::new("scenario", DataType::Utf8, false));
    arrays.push(Arc::new(scenario.finish()));
    fields.push(Field::new("replication", DataType::UInt32, false));
    arrays.push(Arc::new(replication.finish()));
    fields.push(Field::new("seed", DataType::UInt64, false));
    arrays.push(Arc::new(seed.finish()));
    if antithetic {
        fields.push(Field::new("mirrored", DataType::Boolean, false));
        arrays.push(Arc::new(mirrored.finish()));
    }
    fields.push(Field::new("month", DataType::Utf8, false));
    arrays.push(Arc::new(month.finish()));
    for ((name, kind, ..), column) in metrics.iter().zip(metric_columns) {
        fields.push(Field::new(name, Column::data_type(*kind), true));
        arrays.push(column.finish());
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|row| row.iter().map(|cell| cell.to_string()).collect())
            .collect()
    }

    #[test]
    fn a_result_table_types_the_csv_s_cells_and_refuses_what_is_not_of_its_type() {
        let types = [
            CellType::Text,
            CellType::Whole,
            CellType::Number,
            CellType::Flag,
        ];
        let rows = cells(&[
            &["name", "runs", "mean", "chosen"],
            &["a", "3", "0.1", "true"],
            &["", "4", "", "false"],
        ]);
        let batch = text_table_batch(&rows, &types).unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert!(batch.column(0).is_null(1), "an empty text cell is null");
        assert!(batch.column(2).is_null(1), "an empty number cell is null");
        let mean = batch
            .column(2)
            .as_any()
            .downcast_ref::<arrow_array::Float64Array>();
        assert_eq!(mean.unwrap().value(0), 0.1);
        for (row, kind) in [
            (["a", "x", "0.1", "true"], "whole number"),
            (["a", "3", "y", "true"], "number"),
            (["a", "3", "0.1", "yes"], "flag"),
        ] {
            let rows = cells(&[&["name", "runs", "mean", "chosen"], &row]);
            let error = text_table_batch(&rows, &types).unwrap_err();
            assert!(error.to_string().contains(kind), "{error}");
        }
        let short = cells(&[&["name", "runs", "mean", "chosen"], &["a"]]);
        assert!(matches!(
            text_table_batch(&short, &types),
            Err(ColumnarError::Shape(_))
        ));
        assert!(matches!(
            optimization_batch(&cells(&[&["candidate"]])),
            Err(ColumnarError::Shape(_))
        ));
    }

    #[test]
    fn money_becomes_whole_cents_or_is_refused() {
        // decimal(18,2) stores 12.34 as the integer 1234 (value * 10^2).
        assert_eq!(cents(Decimal::new(1234, 2)), Some(1234));
        assert_eq!(cents(Decimal::new(-5, 0)), Some(-500));
        assert_eq!(cents(Decimal::new(12345, 3)), None, "a fraction of a cent");
        let largest = Decimal::new(999_999_999_999_999_999, 2);
        assert_eq!(cents(largest), Some(999_999_999_999_999_999));
        assert_eq!(cents(largest + Decimal::new(1, 2)), None, "19 digits");
    }

    #[test]
    fn numbers_become_the_float_a_json_reader_makes_of_their_text() {
        assert_eq!(float_of(Decimal::new(123_457, 6)), 0.123457);
        assert_eq!(float_of(Decimal::new(1, 1)), 0.1);
    }
}
