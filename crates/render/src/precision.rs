//! The text of a precision-targeted analysis (`--precision`): how many
//! replications were needed, and whether each target was met. It follows
//! the tables of the summary or comparison, which it does not change.

use escrowsim_analysis::PrecisionReport;
use std::fmt::Write;

/// A few lines: the replications run against the cap, then one line per
/// target with the half-width reached and asked for.
pub fn render_precision_text(precision: &PrecisionReport) -> String {
    let mut text = String::new();
    let batches: Vec<String> = precision
        .batches
        .iter()
        .map(|count| count.to_string())
        .collect();
    let _ = writeln!(
        text,
        "\nprecision: {} of at most {} replications (batches ending at {}); {}",
        precision.replications,
        precision.replications_cap,
        batches.join(", "),
        if precision.all_met {
            "every target met"
        } else {
            "NOT every target met: the cap was reached"
        }
    );
    let _ = writeln!(
        text,
        "each interval at {}% confidence (Bonferroni over {} target{}), so all hold together at 95%",
        trim_percent(precision.confidence_each),
        precision.targets.len(),
        if precision.targets.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    for target in &precision.targets {
        let reached = target.half_width.map_or_else(
            || "none (one replication)".to_string(),
            |width| width.normalize().to_string(),
        );
        let _ = writeln!(
            text,
            "  {}: half-width {} against {} ({}): {}",
            target.metric,
            reached,
            target.half_width_target.normalize(),
            target.target,
            if target.met { "met" } else { "NOT met" }
        );
    }
    text
}

/// A confidence as a percentage with up to four decimals: 97.5, 98.3333.
fn trim_percent(confidence: f64) -> String {
    let text = format!("{:.4}", confidence * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
