//! CSV of replications: one header, one row per replication, and one row per
//! replication and month for the monthly series.
//!
//! Layout (RFC 4180, comma-separated, `\n` line ends, UTF-8):
//!
//! - Columns: `policy` (`A` or `B`, in comparisons only), `scenario`,
//!   `replication`, `seed`, `month`, then every whole-run metric by its
//!   dotted outcome path (`orders.placed`, `risk.platform_loss`), then every
//!   monthly metric as `monthly.` and its path (`monthly.escrow_end`).
//! - Rows: for each replication in order, first its whole-run row, whose
//!   `month` is `all` and whose `monthly.*` cells are empty, then one row per
//!   month (`month` is `YYYY-MM`), whose whole-run cells are empty.
//! - Cells: counts as integers, money as decimals with two places, other
//!   numbers as the JSON report prints them; no thousands separators, no
//!   currency signs, so every metric column reads as a number.
//!
//! In pandas: `df = pd.read_csv(path)` gives numeric columns throughout
//! (seeds as `uint64`); the replications are `df[df.month == "all"]`, the
//! monthly series `df[df.month != "all"]` (`.dropna(axis=1, how="all")`
//! drops the other kind's empty columns).
//! Every cell is a pure function of the replications, so the CSV is
//! byte-identical whatever the thread count.

use crate::analysis::Replications;
use crate::analysis::metrics::MONTHLY_KEY;

/// The `month` of whole-run rows.
pub const WHOLE_RUN_MONTH: &str = "all";

/// The CSV of one set of replications.
pub fn render_replications_csv(replications: &Replications) -> String {
    let mut csv = String::new();
    header(&mut csv, replications, false);
    rows(&mut csv, replications, None);
    csv
}

/// The CSV of a comparison: A's replications, then B's, with a `policy` column.
pub fn render_comparison_csv(a: &Replications, b: &Replications) -> String {
    let mut csv = String::new();
    header(&mut csv, a, true);
    rows(&mut csv, a, Some("A"));
    rows(&mut csv, b, Some("B"));
    csv
}

fn header(csv: &mut String, replications: &Replications, with_policy: bool) {
    let mut cells: Vec<String> = Vec::new();
    if with_policy {
        cells.push("policy".to_string());
    }
    for name in ["scenario", "replication", "seed", "month"] {
        cells.push(name.to_string());
    }
    let schema = &replications.schema;
    cells.extend(schema.metrics.iter().map(|metric| metric.path.clone()));
    cells.extend(
        schema
            .monthly_metrics
            .iter()
            .map(|metric| format!("{MONTHLY_KEY}.{}", metric.path)),
    );
    line(csv, &cells);
}

fn rows(csv: &mut String, replications: &Replications, policy: Option<&str>) {
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
            cells.push(month.to_string());
            cells
        };
        let mut cells = leading(WHOLE_RUN_MONTH);
        cells.extend(run.values.values.iter().map(|value| value.to_string()));
        cells.extend(std::iter::repeat_n(String::new(), monthly_metrics));
        line(csv, &cells);
        for (month, values) in schema.months.iter().zip(&run.values.monthly) {
            let mut cells = leading(month);
            cells.extend(std::iter::repeat_n(String::new(), metrics));
            cells.extend(values.iter().map(|value| value.to_string()));
            line(csv, &cells);
        }
    }
}

fn line(csv: &mut String, cells: &[String]) {
    for (index, cell) in cells.iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        csv.push_str(&quoted(cell));
    }
    csv.push('\n');
}

/// A cell quoted as RFC 4180 requires: only when it holds a comma, a quote
/// or a line break, with quotes doubled.
fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn cells_are_quoted_only_when_needed() {
        assert_eq!(quoted("quick"), "quick");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("two\nlines"), "\"two\nlines\"");
    }
}
