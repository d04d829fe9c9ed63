//! The compare page's section of `--explain`: the table of changed outcome
//! x cause, its reconciliation, and the largest changed orders.

use super::escape;
use crate::explain::cents;
use escrowsim_analysis::explain::Explanation;
use std::fmt::Write;

/// The section, headed like the page's other sections.
pub fn explanation_section(explanation: &Explanation, currency: &str) -> String {
    let mut html = String::new();
    let _ = writeln!(html, "<h2>Why B differs from A, order by order</h2>");
    let _ = writeln!(
        html,
        "<p class=\"note\">{} paired replications, {} orders compared, {} changed. Sums over all replications, B - A in {}; the cause is the rule that decided the first event at which an order's two lives diverge.</p>",
        explanation.replications,
        explanation.orders_compared,
        explanation.orders_changed,
        escape(currency)
    );
    html.push_str("<table>\n<tr><th>changed outcome</th><th>cause</th><th>orders</th><th>refunds to buyers</th><th>platform loss</th><th>fees</th><th>released to suppliers</th></tr>\n");
    for row in explanation.table.iter().chain([&explanation.total]) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(row.change),
            escape(&row.cause),
            row.orders,
            cents(row.refunds_to_buyers),
            cents(row.platform_loss),
            cents(row.fees),
            cents(row.released_to_suppliers)
        );
    }
    html.push_str("</table>\n");
    let verdict = if explanation.reconciles() {
        "Every ledger flow of the changed orders sums exactly to B - A of the two ledgers."
    } else {
        "The changed orders do not reconcile with the ledgers."
    };
    let _ = writeln!(html, "<p class=\"note\">{verdict}</p>");
    if !explanation.largest.is_empty() {
        html.push_str("<table>\n<tr><th>replication</th><th>order</th><th>changed outcome</th><th>cause</th><th>diverged at</th><th>A</th><th>B</th></tr>\n");
        for order in &explanation.largest {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                order.replication,
                order.order,
                escape(order.change),
                escape(&order.cause),
                escape(
                    order
                        .diverged
                        .time_b
                        .as_deref()
                        .or(order.diverged.time_a.as_deref())
                        .unwrap_or("-")
                ),
                escape(order.diverged.kind_a.unwrap_or("nothing")),
                escape(order.diverged.kind_b.unwrap_or("nothing"))
            );
        }
        html.push_str("</table>\n");
    }
    html
}
