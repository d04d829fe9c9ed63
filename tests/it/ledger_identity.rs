//! The ledger identity of DESIGN.md section 4 holds exactly in the JSON
//! report, under every release rule, and money is always two-decimal strings.

use crate::common::{money, outcome_json, parse, run, shipped_text};
use rust_decimal::Decimal;

fn variant(release: &str, scope: &str, advance: bool) -> String {
    shipped_text("quick.ron")
        .replace(
            "deposit_release: AtAcceptance,",
            &format!("deposit_release: {release},"),
        )
        .replace(
            "refund_scope: OrderValue,",
            &format!("refund_scope: {scope}, advance_refunds: {advance}, seller_fee_bps: 150,"),
        )
}

#[test]
fn paid_in_equals_released_plus_refunded_plus_fees_plus_escrow_end_for_every_rule_set() {
    for release in ["AtContract", "AtShipment", "AtAcceptance"] {
        for scope in ["Deposit", "OrderValue"] {
            for advance in [true, false] {
                let scenario = parse(&variant(release, scope, advance));
                let (_, report) = run(&scenario);
                let json = outcome_json(&report);
                let ledger = &json["ledger"];
                let paid_in = money(&ledger["paid_into_escrow"]);
                let out = money(&ledger["released_to_suppliers"])
                    + money(&ledger["refunded_from_escrow"])
                    + money(&ledger["fees"])
                    + money(&ledger["escrow_end"]);
                assert_eq!(paid_in, out, "{release}/{scope}/advance={advance}");
                let advanced = money(&ledger["advanced_by_platform"]);
                let accounted = money(&ledger["recovered_from_suppliers"])
                    + money(&ledger["written_off"])
                    + money(&ledger["advances_outstanding"]);
                assert_eq!(advanced, accounted, "{release}/{scope}/advance={advance}");
                assert!(
                    money(&ledger["fees"]) > Decimal::ZERO,
                    "a 1.5% seller fee is charged"
                );
                if !advance {
                    assert_eq!(advanced, Decimal::ZERO);
                }
            }
        }
    }
}

#[test]
fn early_release_exposes_the_platform_and_acceptance_release_does_not() {
    let at_contract = run(&parse(&variant("AtContract", "OrderValue", true))).1;
    let at_acceptance = run(&parse(&variant("AtAcceptance", "OrderValue", true))).1;
    assert!(at_contract.outcome.risk.exposure_peak.0 > Decimal::ZERO);
    assert!(at_contract.outcome.ledger.advanced_by_platform.0 > Decimal::ZERO);
    assert!(
        at_contract.outcome.risk.platform_loss.0 > Decimal::ZERO,
        "vanished fraudsters never repay"
    );
    assert_eq!(at_acceptance.outcome.risk.exposure_peak.0, Decimal::ZERO);
}

#[test]
fn deposit_only_refunds_pay_out_less_than_order_value_refunds() {
    let deposit = run(&parse(&variant("AtAcceptance", "Deposit", true))).1;
    let order_value = run(&parse(&variant("AtAcceptance", "OrderValue", true))).1;
    assert!(deposit.outcome.refunds.value.0 < order_value.outcome.refunds.value.0);
    // The same claims are filed: the scope changes only what they pay.
    assert_eq!(
        deposit.outcome.claims.filed,
        order_value.outcome.claims.filed
    );
}

#[test]
fn money_is_written_as_two_decimal_strings() {
    let (_, report) = run(&parse(&shipped_text("quick.ron")));
    let json = report.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    for key in [
        "paid_into_escrow",
        "released_to_suppliers",
        "escrow_end",
        "fees",
    ] {
        let text = value["outcome"]["ledger"][key].as_str().expect("a string");
        let (_, decimals) = text.split_once('.').expect("a decimal point");
        assert_eq!(decimals.len(), 2, "{key} = {text}");
    }
}
