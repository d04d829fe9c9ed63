//! CSV of replications: one header, one row per replication, and one row per
//! replication and month for the monthly series.
//!
//! Layout (RFC 4180, comma-separated, `\n` line ends, UTF-8):
//!
//! - Columns: `policy` (`A` or `B`, in comparisons only), `scenario`,
//!   `replication`, `seed`, with antithetic pairs `mirrored` (`true` on the
//!   second run of each pair, which ran the seed's mirrored streams and
//!   which `escrowsim run --seed` does not reproduce), `month`, then every whole-run metric by its
//!   dotted outcome path (`orders.placed`, `risk.platform_loss`), then every
//!   monthly metric as `monthly.` and its path (`monthly.escrow_end`);
//!   `--metrics` patterns keep only the metric columns they match (by the
//!   column's name, so `monthly.*` keeps the monthly series).
//! - Rows: for each replication in order, first its whole-run row, whose
//!   `month` is `all` and whose `monthly.*` cells are empty, then one row per
//!   month (`month` is `YYYY-MM`), whose whole-run cells are empty.
//! - Cells: counts as integers, money as decimals with two places, other
//!   numbers as the JSON report prints them; no thousands separators, no
//!   currency signs, so every metric column reads as a number. A rate a
//!   replication left undefined (`null` in its outcome) is an empty cell,
//!   never 0.
//! - Seeds are written in full, but a reader that guesses types reads a
//!   seed above 2^53 as a float and loses digits (Excel always does): read
//!   the column as text (`dtype={"seed": str}` in pandas).
//!
//! In pandas: `df = pd.read_csv(path, dtype={"seed": str})` gives numeric
//! metric columns; the replications are `df[df.month == "all"]`, the
//! monthly series `df[df.month != "all"]` (`.dropna(axis=1, how="all")`
//! drops the other kind's empty columns).
//! Every cell is a pure function of the replications, so the CSV is
//! byte-identical whatever the thread count.

use escrowsim_analysis::metrics::MONTHLY_KEY;
use escrowsim_analysis::{MetricPatterns, Replications};
use rust_decimal::Decimal;

/// The `month` of whole-run rows.
pub const WHOLE_RUN_MONTH: &str = "all";

/// The CSV of one set of replications; `columns` chooses the metric columns.
pub fn render_replications_csv(replications: &Replications, columns: &MetricPatterns) -> String {
    let mut table = vec![header(replications, false)];
    rows(&mut table, replications, None);
    let leading = identity_columns(replications, false);
    csv_lines(choose_columns(table, columns, leading))
}

/// The CSV of a comparison: A's replications, then B's, with a `policy`
/// column; `columns` chooses the metric columns.
pub fn render_comparison_csv(
    a: &Replications,
    b: &Replications,
    columns: &MetricPatterns,
) -> String {
    let mut table = vec![header(a, true)];
    rows(&mut table, a, Some("A"));
    rows(&mut table, b, Some("B"));
    let leading = identity_columns(a, true);
    csv_lines(choose_columns(table, columns, leading))
}

/// The names of the metric columns of a set's CSV, which `--metrics`
/// patterns are matched against.
pub fn metric_columns(replications: &Replications) -> Vec<String> {
    header(replications, false).split_off(identity_columns(replications, false))
}

/// How many columns identify a row before the metrics.
fn identity_columns(replications: &Replications, with_policy: bool) -> usize {
    4 + usize::from(with_policy) + usize::from(replications.antithetic)
}

/// Keeps the `leading` identity columns and the metric columns `columns` chooses.
fn choose_columns(
    table: Vec<Vec<String>>,
    columns: &MetricPatterns,
    leading: usize,
) -> Vec<Vec<String>> {
    if columns.is_empty() {
        return table;
    }
    let kept: Vec<bool> = table[0]
        .iter()
        .enumerate()
        .map(|(index, name)| index < leading || columns.selects(name))
        .collect();
    table
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(&kept)
                .filter(|(_, kept)| **kept)
                .map(|(cell, _)| cell)
                .collect()
        })
        .collect()
}

/// A value's cell: empty when the replication left it undefined.
fn cell(value: &Option<Decimal>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

fn header(replications: &Replications, with_policy: bool) -> Vec<String> {
    let mut cells: Vec<String> = Vec::new();
    if with_policy {
        cells.push("policy".to_string());
    }
    cells.extend(["scenario", "replication", "seed"].map(String::from));
    if replications.antithetic {
        cells.push("mirrored".to_string());
    }
    cells.push("month".to_string());
    let schema = &replications.schema;
    cells.extend(schema.metrics.iter().map(|metric| metric.path.clone()));
    cells.extend(
        schema
            .monthly_metrics
            .iter()
            .map(|metric| format!("{MONTHLY_KEY}.{}", metric.path)),
    );
    cells
}

fn rows(table: &mut Vec<Vec<String>>, replications: &Replications, policy: Option<&str>) {
    let schema = &replications.schema;
    let metrics = schema.metrics.len();
    let monthly_metrics = schema.monthly_metrics.len();
    for run in &replications.runs {
        let leading = |month: &str| {
            let mut cells: Vec<String> = Vec::with_capacity(5 + metrics + monthly_metrics);
            if let Some(policy) = policy {
                cells.push(policy.to_string());
            }
            cells.push(replications.scenario.clone());
            cells.push(run.index.to_string());
            cells.push(run.seed.to_string());
            if replications.antithetic {
                cells.push(replications.mirrored(run).to_string());
            }
            cells.push(month.to_string());
            cells
        };
        let mut cells = leading(WHOLE_RUN_MONTH);
        cells.extend(run.values.values.iter().map(cell));
        cells.extend(std::iter::repeat_n(String::new(), monthly_metrics));
        table.push(cells);
        for (month, values) in schema.months.iter().zip(&run.values.monthly) {
            let mut cells = leading(month);
            cells.extend(std::iter::repeat_n(String::new(), metrics));
            cells.extend(values.iter().map(cell));
            table.push(cells);
        }
    }
}

/// Rows as RFC 4180 CSV with `\n` line ends, through the `csv` crate: a
/// cell is quoted only when it holds a comma, a quote or a line break
/// (`\r` included), with quotes doubled. Every CSV escrowsim writes goes
/// through here.
pub fn csv_lines<Row, Cell>(rows: impl IntoIterator<Item = Row>) -> String
where
    Row: IntoIterator<Item = Cell>,
    Cell: AsRef<[u8]>,
{
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        writer
            .write_record(row)
            .expect("writing CSV to memory cannot fail");
    }
    let bytes = writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::csv_lines;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let quoted = |cell: &str| csv_lines([[cell]]).trim_end_matches('\n').to_string();
        assert_eq!(quoted("quick"), "quick");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("two\nlines"), "\"two\nlines\"");
        assert_eq!(quoted("carriage\rreturn"), "\"carriage\rreturn\"");
        assert_eq!(csv_lines([["a", "", "b"]]), "a,,b\n");
    }
}
