//! The bounded fuzz pass of every test run: shipped scenarios, mutated
//! beyond recognition, and random valid scenarios, through parsing,
//! validation, the memory estimate and short runs of the real engine
//! (`exercise.rs`). Whatever the input, escrowsim answers with a clear
//! error or a checked, reproducible outcome, never a panic.
//!
//! The pass is deterministic (a fixed proptest seed); the long,
//! coverage-guided runs happen with libFuzzer in `fuzz/` (see the README).
//! Inputs that ever broke escrowsim live in `tests/fuzz-regressions/` and
//! run here on every change.

use crate::common::{repository_root, shipped_scenario_files, shipped_text};
use crate::exercise::{Verdict, exercise};
use crate::generate::{deterministic_config, scenario_text};
use crate::mutate::{mutated, mutation};
use proptest::prelude::*;

/// Fragments of the scenario language to splice in anywhere.
const SCENARIO_TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "//",
    "/*",
    "*/",
    "r#\"",
    "'x'",
    "seed: 8,",
    "rules: (),",
    "supplier_types: (),",
    "Some(",
    "None",
    "fraud: Some(BustOut(clean_orders: 0, vanish_probability: 1.0)),",
    "coverage_limit_floor: \"0.00\",",
    "coverage_limit_cap: \"1000000000000.00\",",
    "seller_fee_applies_to: OrdersUpTo(\"5000.00\"),",
    "vetting_new_suppliers: Probation,",
    "vetting_criteria: RiskScore(late: 1.0, dispute: 1.0, refund: 2.0, silence: 0.5, max_score: 0.0),",
    "vetting_window_months: 1,",
    "vetting_min_orders: 0,",
    "prior_history: Some((orders_per_month: 1000.0, order_value: Fixed(1.0))),",
    "price_index: Fixed(10.0),",
    "timeline: [(date: \"2014-06-01\", rules: (eligible_countries: [])), (date: \"2014-06-01\", volunteer_probability: [(\"cn-manufacturers\", 1.0)])],",
    "deposit_release: AtContract,",
    "refund_scope: Deposit,",
    "advance_refunds: false,",
    "seller_fee_bps: 10000,",
    "deposit_share_bps: 10000,",
    "Fixed(0.0)",
    "LogNormal(median: 1000000000.0, sigma: 4.0)",
    "Exponential(mean: 3650.0)",
    "payment_mix: [(TT, 1.0)],",
    "payment_mix: [(TT, 0.5), (TT, 0.5)],",
    "eligible_countries: [],",
    "covered_payment_methods: [TT, Card, ECheck, PayLater, PaymentTerms],",
    "#![enable(implicit_some)]",
    "start_date: \"2999-12-31\",",
    "start_date: \"1900-01-01\",",
    "horizon_days: 36525,",
    "name: \"\u{0}\",",
    "é",
    "\u{FEFF}",
];

fn shipped_texts() -> Vec<String> {
    shipped_scenario_files()
        .iter()
        .map(|file_name| shipped_text(file_name))
        .collect()
}

#[test]
fn every_shipped_scenario_passes_the_harness_and_runs() {
    for file_name in shipped_scenario_files() {
        let verdict = exercise(shipped_text(&file_name).as_bytes());
        assert!(
            matches!(verdict, Verdict::Ran { .. }),
            "{file_name}: {verdict:?}"
        );
    }
}

#[test]
fn every_recorded_regression_input_is_answered_without_a_panic() {
    // Goal: each input that once crashed or hung escrowsim is now rejected
    // with a clear message or runs; the file's first line says which.
    let directory = repository_root().join("tests").join("fuzz-regressions");
    let mut checked = 0;
    for entry in std::fs::read_dir(&directory).expect("tests/fuzz-regressions exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "ron") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let expected = String::from_utf8_lossy(&bytes)
            .lines()
            .next()
            .and_then(|line| line.strip_prefix("// expect: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("{}: first line is `// expect: ...`", path.display()));
        let verdict = exercise(&bytes);
        match (&verdict, expected.split_once(' ')) {
            (Verdict::Rejected(message), Some(("rejected", needle))) => {
                assert!(
                    message.contains(needle),
                    "{}: expected {needle:?} in {message}",
                    path.display()
                )
            }
            (Verdict::Ran { .. }, None) if expected == "ran" => {}
            _ => panic!("{}: expected {expected}, got {verdict:?}", path.display()),
        }
        checked += 1;
    }
    assert!(checked > 0, "no regression inputs found");
}

proptest! {
    #![proptest_config(deterministic_config(160))]

    #[test]
    fn mutated_scenario_text_is_rejected_clearly_or_runs_checked(
        base in 0usize..2,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let texts = shipped_texts();
        let text = mutated(texts[base % texts.len()].as_bytes(), &mutations, SCENARIO_TOKENS);
        // A panic inside fails the case; proptest shrinks it and prints the mutations.
        let _ = exercise(&text);
    }

    #[test]
    fn random_valid_scenarios_run_checked_and_reproduce(text in scenario_text()) {
        let verdict = exercise(text.as_bytes());
        prop_assert!(matches!(verdict, Verdict::Ran { .. }), "{:?}\n{}", verdict, text);
    }
}
