//! `compare --explain`: changed orders, their first divergence and cause,
//! and a table whose money reconciles exactly with the difference of the
//! headline ledger figures of independent, untraced runs.

use crate::common::{
    escrowsim, fresh_directory, parse, path, scenario_path, shipped_scenario, shipped_text, stderr,
    succeeded,
};
use escrowsim::analysis::explain::{Explainer, Explanation, trace_pair};
use escrowsim::analysis::replicate::replication_draws;
use escrowsim::program::NoProbe;
use escrowsim::program::trace::Flow;
use escrowsim::scenario::Scenario;

fn explain(a: &Scenario, b: &Scenario, replications: u32) -> Explanation {
    let mut explainer = Explainer::new(5);
    for index in 0..replications {
        explainer.add(&trace_pair(a, b, a.seed, index, false, &mut NoProbe).unwrap());
    }
    explainer.finish()
}

#[test]
fn the_table_reconciles_exactly_with_the_difference_of_untraced_runs() {
    // Goal: summed over the changed orders, each ledger flow's B - A equals
    // the difference of the two policies' report figures, computed here
    // from fresh untraced runs on the same replication seeds; the table's
    // platform loss is the difference of the reports' risk.platform_loss.
    let a = shipped_scenario("quick.ron");
    let b = shipped_scenario("quick-release-at-contract.ron");
    let explanation = explain(&a, &b, 2);
    let mut expected = [0i128; 9];
    for index in 0..2 {
        for (scenario, sign) in [(&a, -1), (&b, 1)] {
            let (_, streams) = replication_draws(a.seed, index, false);
            let output = escrowsim_core::run_on_streams(scenario, streams, &mut NoProbe).unwrap();
            for (slot, flow) in Flow::ALL.into_iter().enumerate() {
                expected[slot] += sign * flow.of(&output.ledger);
            }
        }
    }
    for (slot, flow) in Flow::ALL.into_iter().enumerate() {
        assert_eq!(
            i128::from(explanation.total.flows[slot]),
            expected[slot],
            "{}",
            flow.key()
        );
        assert_eq!(
            explanation.reconciliation[slot].ledger_difference_cents,
            expected[slot]
        );
    }
    let written_off = Flow::ALL
        .iter()
        .position(|&flow| flow == Flow::WrittenOff)
        .unwrap();
    assert_eq!(
        i128::from(explanation.total.platform_loss),
        expected[written_off]
    );
    let rows: i64 = explanation.table.iter().map(|row| row.platform_loss).sum();
    assert_eq!(rows, explanation.total.platform_loss);
    assert!(explanation.reconciles());
    assert!(explanation.orders_changed > 100);
}

#[test]
fn identical_policies_change_no_order() {
    // Goal: A against itself: common random numbers give identical lives,
    // so nothing changed and every difference is zero.
    let a = shipped_scenario("quick.ron");
    let explanation = explain(&a, &a, 1);
    assert_eq!(explanation.orders_changed, 0);
    assert!(explanation.table.is_empty());
    assert!(explanation.reconciles());
    assert!(explanation.orders_compared > 10_000);
}

#[test]
fn a_seller_fee_changes_only_fees_and_is_named_as_the_cause() {
    // Goal: a 1.5% seller fee is the only difference. The fee decides
    // only how a post is split (settlement.rs), and nothing any party
    // chooses reads it, so every changed order first diverges at a
    // release, claim or decision, under `rule seller_fee_bps`, and
    // changes in fees: the changed orders' fees are 150 basis points of
    // what B released in total (released + fees), up to each order's
    // half-cent rounding.
    let a = shipped_scenario("quick.ron");
    let b = parse(&shipped_text("quick.ron").replace(
        "refund_scope: OrderValue,",
        "refund_scope: OrderValue, seller_fee_bps: 150,",
    ));
    let explanation = explain(&a, &b, 1);
    assert!(explanation.orders_changed > 1000);
    for row in &explanation.table {
        assert_eq!(row.cause, "rule seller_fee_bps", "{row:?}");
        assert_eq!(row.change, "fees", "{row:?}");
        assert_eq!(row.refunds_to_buyers, 0);
        assert_eq!(row.platform_loss, 0);
    }
    for order in &explanation.largest {
        let kind = order.diverged.kind_b.unwrap();
        assert!(
            ["confirm", "auto_release", "claim", "decision"].contains(&kind),
            "{kind}"
        );
    }
    let fees = i128::from(explanation.total.fees);
    let released = i128::from(explanation.total.released_to_suppliers);
    // Supplier receipts fall by exactly the fees: B - A of released is -fees.
    assert_eq!(released, -fees);
    assert!(fees > 0);
}

#[test]
fn compare_explain_writes_text_json_and_a_page_section() {
    // Goal: the flag reaches every layout: the text table, a JSON
    // `explanation` whose reconciliation holds flow by flow, and the
    // page's section; CSV has no layout for it (exit 2).
    let directory = fresh_directory("explain-cli", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let a = scenario_path("quick.ron");
    let b = scenario_path("quick-release-at-contract.ron");
    let json = directory.join("comparison.json");
    let page = directory.join("comparison.html");
    succeeded(&escrowsim(&[
        "compare",
        path(&a),
        path(&b),
        "--replications",
        "2",
        "--explain",
        "--explain-orders",
        "3",
        "--format",
        "json",
        "--out",
        path(&json),
        "--html",
        path(&page),
    ]));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let explanation = &value["explanation"];
    assert_eq!(explanation["largest"].as_array().unwrap().len(), 3);
    for check in explanation["reconciliation"].as_array().unwrap() {
        assert_eq!(
            check["changed_orders_cents"], check["ledger_difference_cents"],
            "{check}"
        );
    }
    assert!(
        value.get("differences").is_some(),
        "the comparison's keys stay"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Why B differs from A, order by order"));
    let text = succeeded(&escrowsim(&[
        "compare",
        path(&a),
        path(&b),
        "--replications",
        "1",
        "--explain",
    ]));
    assert!(text.contains("reconciliation: every ledger flow"), "{text}");
    let output = escrowsim(&[
        "compare",
        path(&a),
        path(&b),
        "--replications",
        "1",
        "--explain",
        "--format",
        "csv",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--explain"));
}
