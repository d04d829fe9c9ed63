//! `compare --explain` as text: the table of changed outcome x cause, its
//! reconciliation with the ledgers, and the largest changed orders. The
//! HTML section is `html::explanation_section`; the JSON is the
//! explanation's serde form.

use crate::units::grouped;
use escrowsim_analysis::explain::{ChangeRow, Explanation};
use rust_decimal::Decimal;
use std::fmt::Write;

/// Cents as money with two decimals and grouped thousands.
pub(crate) fn cents(value: impl Into<i128>) -> String {
    grouped(Decimal::from_i128_with_scale(value.into(), 2))
}

/// The explanation as text, after the comparison's tables.
pub fn render_explanation_text(explanation: &Explanation, currency: &str) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\nWhy B differs from A, order by order ({} paired replications, {} orders, {} changed)",
        explanation.replications, explanation.orders_compared, explanation.orders_changed
    );
    let _ = writeln!(
        text,
        "  sums over all replications, B - A in {currency}; cause: the rule that decided the first diverging event"
    );
    let widths = column_widths(explanation);
    let _ = writeln!(
        text,
        "  {:<w0$}  {:<w1$}  {:>7}  {:>16}  {:>14}  {:>12}",
        "changed outcome",
        "cause",
        "orders",
        "refunds to buyers",
        "platform loss",
        "fees",
        w0 = widths.0,
        w1 = widths.1
    );
    // Rows of one changed outcome are adjacent: its name heads the first.
    let mut previous = "";
    for row in explanation.table.iter().chain([&explanation.total]) {
        let change = if row.change == previous {
            ""
        } else {
            row.change
        };
        previous = row.change;
        row_line(&mut text, change, row, widths);
    }
    let reconciled = if explanation.reconciles() {
        "every ledger flow of the changed orders sums exactly to B - A of the ledgers"
    } else {
        "DOES NOT RECONCILE: a flow of the changed orders differs from B - A of the ledgers"
    };
    let _ = writeln!(text, "  reconciliation: {reconciled}");
    for check in &explanation.reconciliation {
        let _ = writeln!(
            text,
            "    {:<28} {:>16}  ledgers {:>16}",
            check.flow,
            cents(check.changed_orders_cents),
            cents(check.ledger_difference_cents)
        );
    }
    if !explanation.largest.is_empty() {
        let _ = writeln!(text, "  largest changed orders:");
        for order in &explanation.largest {
            let _ = writeln!(
                text,
                "    replication {} order {}: {}, {}; diverged at event {} ({} in A, {} in B at {}); refunds {} -> {}, loss {}",
                order.replication,
                order.order,
                order.change,
                order.cause,
                order.diverged.event,
                order.diverged.kind_a.unwrap_or("nothing"),
                order.diverged.kind_b.unwrap_or("nothing"),
                order
                    .diverged
                    .time_b
                    .as_deref()
                    .or(order.diverged.time_a.as_deref())
                    .unwrap_or("-"),
                cents(order.a.refunds_to_buyers()),
                cents(order.b.refunds_to_buyers()),
                cents(order.delta(escrowsim_core::program::trace::Flow::WrittenOff)),
            );
        }
    }
    text
}

fn column_widths(explanation: &Explanation) -> (usize, usize) {
    let rows = explanation.table.iter().chain([&explanation.total]);
    rows.fold((15, 5), |(change, cause), row| {
        (change.max(row.change.len()), cause.max(row.cause.len()))
    })
}

fn row_line(text: &mut String, change: &str, row: &ChangeRow, widths: (usize, usize)) {
    let _ = writeln!(
        text,
        "  {:<w0$}  {:<w1$}  {:>7}  {:>16}  {:>14}  {:>12}",
        change,
        row.cause,
        row.orders,
        cents(row.refunds_to_buyers),
        cents(row.platform_loss),
        cents(row.fees),
        w0 = widths.0,
        w1 = widths.1
    );
}
