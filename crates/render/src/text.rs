//! The report for people: the figures a policy team reads first, then the
//! ledger and the months.

use crate::units::{UNDEFINED, Units};
use escrowsim_analysis::warm_up::RunWarmUp;
use escrowsim_core::report::{Money, Outcome, Performance, Report};
use rust_decimal::prelude::ToPrimitive;
use std::fmt::Write;

/// The text report warns when more than one covered order in this many is
/// still unresolved at the end.
pub(crate) const UNRESOLVED_WARNING_DENOMINATOR: u64 = 4;

/// The section a single run's text report ends with under `--warm-up`:
/// what was dropped, and the headline figures over the months kept.
pub fn render_warm_up_text(run: &RunWarmUp, currency: &str) -> String {
    let units = Units { currency };
    let mut text = format!(
        "\nAfter the warm-up\n  {}\n",
        run.warm_up.describe().replace('\n', "\n  ")
    );
    if let Some(warning) = run.warm_up.unsettled_warning() {
        let _ = writeln!(text, "  {}", warning.replace('\n', "\n  "));
    }
    let rate = |path: &str| run.figure(path).and_then(|value| value.to_f64());
    let count = |path: &str| {
        run.figure(path)
            .map_or_else(|| UNDEFINED.to_string(), crate::units::grouped)
    };
    let money = |path: &str| {
        run.figure(path)
            .map_or_else(|| UNDEFINED.to_string(), |value| units.money(value))
    };
    line(&mut text, "orders placed", count("orders.placed"));
    line(&mut text, "GMV", money("gmv.total"));
    line(
        &mut text,
        "covered share of GMV",
        units.percent(rate("gmv.covered_share")),
    );
    line(
        &mut text,
        "refund rate (of resolved covered)",
        format!(
            "{} of {}",
            units.percent(rate("refunds.rate")),
            count("refunds.resolved")
        ),
    );
    line(&mut text, "refunds", money("refunds.value"));
    line(
        &mut text,
        "platform loss",
        format!(
            "{} ({} bps of covered GMV)",
            money("risk.platform_loss"),
            run.figure("risk.loss_bps")
                .map_or_else(|| UNDEFINED.to_string(), |bps| bps.to_string())
        ),
    );
    line(
        &mut text,
        "buyers' uncovered loss",
        money("risk.buyer_uncovered_loss"),
    );
    text
}

/// Renders a report as aligned plain text, ending with a newline.
pub fn render_text(report: &Report) -> String {
    let outcome = &report.outcome;
    let currency = &outcome.currency;
    let units = Units { currency };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "escrowsim {} | scenario {:?} | seed {}",
        report.version, report.scenario, report.seed
    );
    if let Some(source) = &report.source {
        let _ = writeln!(
            out,
            "scenario file {} sha256 {}",
            source.file, source.sha256
        );
    }
    let _ = writeln!(
        out,
        "{} days from {}, digest {}",
        outcome.horizon_days, outcome.start_date, report.digest
    );
    out.push('\n');

    let mut text = String::new();
    for section in [
        population,
        orders,
        claims_and_refunds,
        risk,
        vetting,
        storefront,
        fraud,
        ledger,
    ] {
        section(&mut text, outcome, &units);
    }
    out.push_str(&text);
    monthly(&mut out, outcome, &units);
    if let Some(performance) = &report.performance {
        performance_section(&mut out, performance);
    }
    out
}

fn population(text: &mut String, outcome: &Outcome, _units: &Units) {
    text.push_str("Population\n");
    line(text, "suppliers", outcome.population.suppliers.to_string());
    line(
        text,
        "  volunteered",
        outcome.suppliers.volunteered.to_string(),
    );
    line(text, "  approved", outcome.suppliers.approved.to_string());
    line(
        text,
        "  vanished (bust-out fraud)",
        outcome.suppliers.vanished.to_string(),
    );
    line(text, "buyers", outcome.population.buyers.to_string());
}

fn orders(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nOrders\n");
    line(
        text,
        "inquiries (unanswered)",
        format!(
            "{} ({})",
            outcome.inquiries.total, outcome.inquiries.unanswered
        ),
    );
    line(text, "placed", outcome.orders.placed.to_string());
    line(
        text,
        "covered",
        format!(
            "{} ({})",
            outcome.orders.covered,
            units.percent(ratio_u64(outcome.orders.covered, outcome.orders.placed))
        ),
    );
    line(text, "completed", outcome.orders.completed.to_string());
    line(
        text,
        "open at end (covered)",
        format!(
            "{} ({})",
            outcome.orders.open_at_end, outcome.orders.covered_open_at_end
        ),
    );
    line(text, "GMV", units.money(outcome.gmv.total.0));
    line(text, "covered GMV", units.money(outcome.gmv.covered.0));
    line(
        text,
        "shipped late / not shipped",
        format!(
            "{} / {}",
            outcome.fulfilment.shipped_late, outcome.fulfilment.not_shipped
        ),
    );
    line(
        text,
        "not conforming",
        outcome.fulfilment.nonconforming.to_string(),
    );
}

fn claims_and_refunds(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nClaims and refunds\n");
    let claims = &outcome.claims;
    line(text, "claims filed", claims.filed.to_string());
    line(
        text,
        "  late/quality/both/unshipped/false",
        format!(
            "{} / {} / {} / {} / {}",
            claims.by_reason.late,
            claims.by_reason.quality,
            claims.by_reason.late_and_quality,
            claims.by_reason.non_delivery,
            claims.by_reason.false_claim
        ),
    );
    line(
        text,
        "settled in negotiation",
        claims.settled_in_negotiation.to_string(),
    );
    line(
        text,
        "escalated / decided",
        format!("{} / {}", claims.escalated, claims.decided),
    );
    line(
        text,
        "decided for buyer / wrongly",
        format!("{} / {}", claims.decided_for_buyer, claims.decided_wrongly),
    );
    let refunds = &outcome.refunds;
    line(
        text,
        "refunds",
        format!("{} worth {}", refunds.count, units.money(refunds.value.0)),
    );
    line(
        text,
        "refund rate (of resolved covered)",
        format!("{} of {}", units.percent(refunds.rate), refunds.resolved),
    );
    line(
        text,
        "refund value rate (of their value)",
        units.percent(refunds.value_rate),
    );
    let unresolved = outcome.orders.covered.saturating_sub(refunds.resolved);
    if unresolved * UNRESOLVED_WARNING_DENOMINATOR > outcome.orders.covered {
        let _ = writeln!(
            text,
            "  note: {unresolved} of {} covered orders ({}) were unresolved at the end; the\n  \
             rates are of resolved orders, which favour quick outcomes over claims:\n  \
             a longer horizon_days gives a less biased rate",
            outcome.orders.covered,
            units.percent(ratio_u64(unresolved, outcome.orders.covered)),
        );
    }
}

fn risk(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nRisk\n");
    let risk = &outcome.risk;
    line(
        text,
        "platform loss",
        format!(
            "{} ({} of covered GMV)",
            units.money(risk.platform_loss.0),
            risk.loss_bps
                .map_or_else(|| UNDEFINED.to_string(), |bps| format!("{bps:.2} bps"))
        ),
    );
    money_lines(
        text,
        units,
        &[
            ("escrow peak", &risk.escrow_peak),
            ("exposure peak (released early)", &risk.exposure_peak),
            ("advances outstanding", &risk.advances_outstanding),
            ("buyer loss outside cover", &risk.buyer_uncovered_loss),
            (
                "voluntary supplier refunds",
                &risk.voluntary_supplier_refunds,
            ),
        ],
    );
}

fn vetting(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nVetting\n");
    let vetting = &outcome.vetting;
    line(text, "reviews", vetting.reviews.to_string());
    line(
        text,
        "approved / reinstated",
        format!("{} / {}", vetting.approved, vetting.reinstated),
    );
    line(
        text,
        "suspended / rejected / withdrawn",
        format!(
            "{} / {} / {}",
            vetting.suspended, vetting.rejected, vetting.withdrawn
        ),
    );
    let _ = writeln!(
        text,
        "  {:<12} {:>10} {:>11} {:>9} {:>9} {:>9} {:>9}",
        "latent type", "suppliers", "volunteered", "approved", "rejected", "suspended", "approved%"
    );
    for (name, row) in [
        ("reliable", &vetting.by_type.reliable),
        ("average", &vetting.by_type.average),
        ("poor", &vetting.by_type.poor),
        ("fraudulent", &vetting.by_type.fraudulent),
    ] {
        let _ = writeln!(
            text,
            "  {:<12} {:>10} {:>11} {:>9} {:>9} {:>9} {:>9}",
            name,
            row.screening.suppliers,
            row.screening.volunteered,
            row.screening.approved,
            row.screening.rejected,
            row.screening.suspended,
            units.percent(row.approval_rate)
        );
    }
}

fn storefront(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nStorefront (last 12 months)\n");
    let storefront = &outcome.storefront;
    line(
        text,
        "badged / unbadged suppliers",
        format!(
            "{} / {}",
            storefront.badged_suppliers, storefront.unbadged_suppliers
        ),
    );
    line(
        text,
        "mean orders badged / unbadged",
        format!(
            "{:.1} / {:.1}",
            storefront.mean_12_month_orders_badged, storefront.mean_12_month_orders_unbadged
        ),
    );
    line(
        text,
        "orders won by badged suppliers",
        units.percent(storefront.badged_order_share),
    );
    line(
        text,
        "response rate / mean hours",
        format!(
            "{} / {:.1} h",
            units.percent(Some(storefront.response_rate)),
            storefront.mean_response_hours
        ),
    );
}

fn fraud(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nFraud (bust-out)\n");
    let fraud = &outcome.fraud;
    line(
        text,
        "orders never shipped",
        fraud.orders_not_shipped.to_string(),
    );
    line(text, "value taken", units.money(fraud.value_taken.0));
    line(
        text,
        "caught by escrow",
        units.money(fraud.caught_by_escrow.0),
    );
    line(
        text,
        "lost by platform / buyers",
        format!("{} / {}", fraud.lost_by_platform, fraud.lost_by_buyers),
    );
}

fn ledger(text: &mut String, outcome: &Outcome, units: &Units) {
    text.push_str("\nLedger\n");
    let ledger = &outcome.ledger;
    money_lines(
        text,
        units,
        &[
            ("paid into escrow", &ledger.paid_into_escrow),
            ("released to suppliers", &ledger.released_to_suppliers),
            ("refunded from escrow", &ledger.refunded_from_escrow),
            ("fees", &ledger.fees),
            ("escrow at end", &ledger.escrow_end),
        ],
    );
    line(
        text,
        "advanced / recovered / written off",
        format!(
            "{} / {} / {}",
            ledger.advanced_by_platform, ledger.recovered_from_suppliers, ledger.written_off
        ),
    );
    line(
        text,
        "paid directly (uncovered)",
        units.money(ledger.paid_directly_to_suppliers.0),
    );
}

fn monthly(out: &mut String, outcome: &Outcome, units: &Units) {
    out.push_str("\nMonthly\n");
    let _ = writeln!(
        out,
        "  {:<8} {:>9} {:>9} {:>8} {:>9} {:>7} {:>16} {:>16} {:>14}",
        "month",
        "orders",
        "covered",
        "share",
        "approved",
        "claims",
        "refunds",
        "escrow end",
        "platform loss"
    );
    for month in &outcome.monthly {
        let _ = writeln!(
            out,
            "  {:<8} {:>9} {:>9} {:>8} {:>9} {:>7} {:>16} {:>16} {:>14}",
            month.month,
            month.orders_placed,
            month.orders_covered,
            units.percent(month.covered_share),
            month.approved_suppliers,
            month.claims_filed,
            month.refunds_value.to_string(),
            month.escrow_end.to_string(),
            month.platform_loss.to_string(),
        );
    }
}

fn performance_section(out: &mut String, performance: &Performance) {
    out.push_str("\nPerformance (wall clock; not part of the digest)\n");
    let _ = writeln!(out, "  {:<34} {} ms", "wall time", performance.wall_ms);
    let _ = writeln!(
        out,
        "  {:<34} {} ({}/s)",
        "events", performance.events, performance.events_per_sec
    );
    let _ = writeln!(
        out,
        "  {:<34} {} ({}/s)",
        "settlements", performance.settlements, performance.settlements_per_sec
    );
    let latency = &performance.settle_latency_ns;
    let _ = writeln!(
        out,
        "  {:<34} p50 {} ns, p99 {} ns, p99.9 {} ns, max {} ns ({} sampled)",
        "settlement latency", latency.p50, latency.p99, latency.p999, latency.max, latency.samples
    );
    if let Some(bytes) = performance.peak_rss_bytes {
        let _ = writeln!(
            out,
            "  {:<34} {:.1} MiB",
            "peak memory (RSS)",
            bytes as f64 / (1024.0 * 1024.0)
        );
    }
}

fn line(text: &mut String, label: &str, value: String) {
    let _ = writeln!(text, "  {label:<34} {value}");
}

/// One line per (label, amount), each amount in the report's currency.
fn money_lines(text: &mut String, units: &Units, rows: &[(&str, &Money)]) {
    for (label, amount) in rows {
        line(text, label, units.money(amount.0));
    }
}

/// `numerator / denominator`, undefined (`n/a` when printed) when the denominator is 0.
fn ratio_u64(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        None
    } else {
        Some(numerator as f64 / denominator as f64)
    }
}
