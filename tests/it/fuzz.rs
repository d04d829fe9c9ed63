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
use proptest::prelude::*;

/// Values at and beyond the edges of what a scenario field accepts.
const INTERESTING_VALUES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.0",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "36525",
    "36526",
    "10000",
    "10001",
    "1000000000",
    "1000000000.01",
    "0.999999999",
    "1.000000001",
    "9007199254740993",
    "3650",
    "3650.0001",
    "\"79228162514264337593543950336\"",
    "\"7922816251426433759354395033.5\"",
    "\"0.001\"",
    "\"-0.00\"",
    "\"1e5\"",
    "\"\"",
];

/// Fragments of the scenario language to splice in anywhere.
const TOKENS: &[&str] = &[
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

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, length: usize },
    Duplicate { at: usize, length: usize },
    Insert { at: usize, token: usize },
    ReplaceNumber { nth: usize, value: usize },
    Truncate { at: usize },
    SetByte { at: usize, byte: u8 },
    SwapLines { first: usize, second: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<usize>(), 1usize..200).prop_map(|(at, length)| Mutation::Delete { at, length }),
        2 => (any::<usize>(), 1usize..400).prop_map(|(at, length)| Mutation::Duplicate { at, length }),
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        6 => (any::<usize>(), 0..INTERESTING_VALUES.len())
            .prop_map(|(nth, value)| Mutation::ReplaceNumber { nth, value }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        1 => (any::<usize>(), any::<usize>())
            .prop_map(|(first, second)| Mutation::SwapLines { first, second }),
    ]
}

/// Byte ranges of the number literals in `text`.
fn number_literals(text: &[u8]) -> Vec<(usize, usize)> {
    let mut literals = Vec::new();
    let mut index = 0;
    while index < text.len() {
        let starts_number = text[index].is_ascii_digit()
            && (index == 0
                || !(text[index - 1].is_ascii_alphanumeric() || text[index - 1] == b'_'));
        if starts_number {
            let start = if index > 0 && text[index - 1] == b'-' {
                index - 1
            } else {
                index
            };
            let mut end = index;
            while end < text.len()
                && (text[end].is_ascii_digit() || matches!(text[end], b'.' | b'e' | b'E' | b'_'))
            {
                end += 1;
            }
            literals.push((start, end));
            index = end;
        } else {
            index += 1;
        }
    }
    literals
}

fn apply(text: &mut Vec<u8>, mutation: &Mutation) {
    let length = text.len();
    let position = |at: usize| if length == 0 { 0 } else { at % (length + 1) };
    match *mutation {
        Mutation::Delete { at, length: count } => {
            let start = position(at);
            let end = (start + count).min(length);
            text.drain(start..end);
        }
        Mutation::Duplicate { at, length: count } => {
            let start = position(at);
            let end = (start + count).min(length);
            let copy = text[start..end].to_vec();
            text.splice(end..end, copy);
        }
        Mutation::Insert { at, token } => {
            let at = position(at);
            text.splice(at..at, TOKENS[token].bytes());
        }
        Mutation::ReplaceNumber { nth, value } => {
            let literals = number_literals(text);
            if !literals.is_empty() {
                let (start, end) = literals[nth % literals.len()];
                text.splice(start..end, INTERESTING_VALUES[value].bytes());
            }
        }
        Mutation::Truncate { at } => text.truncate(position(at)),
        Mutation::SetByte { at, byte } => {
            if length > 0 {
                text[at % length] = byte;
            }
        }
        Mutation::SwapLines { first, second } => {
            let mut lines: Vec<Vec<u8>> = text
                .split(|&byte| byte == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            let count = lines.len();
            lines.swap(first % count, second % count);
            *text = lines.join(&b'\n');
        }
    }
}

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
        let mut text = texts[base % texts.len()].clone().into_bytes();
        for mutation in &mutations {
            apply(&mut text, mutation);
        }
        // A panic inside fails the case; proptest shrinks it and prints the mutations.
        let _ = exercise(&text);
    }

    #[test]
    fn random_valid_scenarios_run_checked_and_reproduce(text in scenario_text()) {
        let verdict = exercise(text.as_bytes());
        prop_assert!(matches!(verdict, Verdict::Ran { .. }), "{:?}\n{}", verdict, text);
    }
}
