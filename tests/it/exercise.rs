//! What any scenario input must survive, as one function: bytes in, and
//! either a clear rejection or a short, checked, reproducible run out. A
//! panic anywhere in here is a bug in escrowsim.
//!
//! Two fuzzers drive it: the bounded proptest pass of the test suite
//! (`fuzz.rs`), which runs on every change, and the coverage-guided
//! libFuzzer target in `fuzz/`, which includes this file by path for long
//! runs. It therefore uses nothing but the escrowsim library and `std`.
//!
//! A scenario that validates is shrunk before it runs (populations and
//! demand are scaled down, every other field is kept, including the
//! horizon, the dates, the distributions and the rules), so that each case
//! runs the real engine in milliseconds.

use escrowsim::program::NoProbe;
use escrowsim::program::memory::estimate_peak_memory;
use escrowsim::program::money::CentsTotal;
use escrowsim::report::{Report, render_text};
use escrowsim::scenario::limits::{ORDER_VALUE_MAX, SCENARIO_FILE_BYTES_MAX};
use escrowsim::scenario::{Scenario, parse_scenario, validate};

/// Suppliers across all segments of a shrunk scenario (plus at most one per segment).
pub const SHRUNK_SUPPLIERS_MAX: u64 = 300;
/// Buyers across all segments of a shrunk scenario (plus at most one per segment).
pub const SHRUNK_BUYERS_MAX: u64 = 1_000;
/// Expected inquiries over the whole horizon of a shrunk scenario.
pub const SHRUNK_EXPECTED_INQUIRIES_MAX: f64 = 500.0;

/// What became of one input.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not UTF-8 (the loader refuses it before parsing) or beyond the file size limit.
    NotText,
    /// Refused with this message.
    Rejected(String),
    /// Valid; its shrunk version ran twice to the same digest.
    Ran { digest: String },
}

/// Feeds `bytes` through parsing, validation, the memory estimate and, when
/// valid, two short runs of the real engine with every outcome check.
/// Panics only when escrowsim misbehaves.
pub fn exercise(bytes: &[u8]) -> Verdict {
    if bytes.len() as u64 > SCENARIO_FILE_BYTES_MAX {
        return Verdict::NotText;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Verdict::NotText;
    };
    let scenario = match parse_scenario(text, "fuzzed.ron") {
        Ok(scenario) => scenario,
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.starts_with("fuzzed.ron"),
                "an error names the file: {message:?}"
            );
            assert!(error.problem_count() >= 1, "an error has a problem");
            return Verdict::Rejected(message);
        }
    };
    let estimate = estimate_peak_memory(&scenario);
    assert!(
        estimate.total_bytes() > 0,
        "a memory estimate is positive: {estimate:?}"
    );
    let small = shrink(&scenario);
    let problems = validate(&small);
    assert!(
        problems.is_empty(),
        "shrinking keeps a scenario valid: {problems:?}"
    );
    let first = run_checked(&small);
    let second = run_checked(&small);
    assert_eq!(
        first.to_json(),
        second.to_json(),
        "the same scenario and seed give the same report"
    );
    Verdict::Ran {
        digest: first.digest,
    }
}

/// The scenario with its populations and demand scaled down; every other
/// field is kept.
pub fn shrink(scenario: &Scenario) -> Scenario {
    let mut small = scenario.clone();
    scale_counts(
        small.suppliers.iter_mut().map(|segment| &mut segment.count),
        SHRUNK_SUPPLIERS_MAX,
    );
    scale_counts(
        small.buyers.iter_mut().map(|segment| &mut segment.count),
        SHRUNK_BUYERS_MAX,
    );
    let years = f64::from(small.horizon_days) / 365.0;
    let expected_inquiries: f64 = small
        .buyers
        .iter()
        .map(|segment| f64::from(segment.count) * segment.inquiries_per_year * years)
        .sum();
    if expected_inquiries > SHRUNK_EXPECTED_INQUIRIES_MAX {
        let factor = SHRUNK_EXPECTED_INQUIRIES_MAX / expected_inquiries;
        for segment in &mut small.buyers {
            segment.inquiries_per_year =
                (segment.inquiries_per_year * factor).max(f64::MIN_POSITIVE);
        }
    }
    small
}

/// Scales counts down proportionally so that they sum to about `max`,
/// keeping each at least 1.
fn scale_counts<'a>(counts: impl Iterator<Item = &'a mut u32>, max: u64) {
    let mut counts: Vec<&mut u32> = counts.collect();
    let total: u64 = counts.iter().map(|count| u64::from(**count)).sum();
    if total <= max {
        return;
    }
    for count in &mut counts {
        let scaled = u64::from(**count) * max / total;
        **count = u32::try_from(scaled.max(1)).expect("scaled below the original count");
    }
}

/// Runs `scenario` with its own seed and checks everything an outcome
/// promises: the ledger identities, non-negative money, counts that add up,
/// months that sum to the totals, and reports that render.
pub fn run_checked(scenario: &Scenario) -> Report {
    let output =
        escrowsim::run(scenario, scenario.seed, &mut NoProbe).expect("NoProbe never interrupts");
    let ledger = &output.ledger;
    assert_eq!(
        ledger.paid_into_escrow,
        ledger.released_to_suppliers
            + ledger.refunded_from_escrow
            + ledger.fees
            + ledger.escrow_balance,
        "paid into escrow = released + refunded + fees + escrow end"
    );
    assert_eq!(
        ledger.advanced_by_platform,
        ledger.recovered_from_suppliers + ledger.written_off + ledger.advances_outstanding,
        "advanced = recovered + written off + outstanding"
    );
    for (name, amount) in [
        ("paid_into_escrow", ledger.paid_into_escrow),
        ("released_to_suppliers", ledger.released_to_suppliers),
        ("refunded_from_escrow", ledger.refunded_from_escrow),
        ("fees", ledger.fees),
        ("escrow_balance", ledger.escrow_balance),
        ("advances_outstanding", ledger.advances_outstanding),
        ("written_off", ledger.written_off),
        ("gmv", output.totals.gmv),
        ("buyer_uncovered_loss", output.totals.buyer_uncovered_loss),
    ] {
        assert!(amount >= CentsTotal::ZERO, "{name} is negative: {amount}");
    }
    let totals = &output.totals;
    assert!(totals.orders_placed <= totals.inquiries);
    assert!(totals.orders_covered <= totals.orders_placed);
    assert!(totals.orders_completed <= totals.orders_placed);
    assert!(totals.covered_orders_completed <= totals.orders_completed);
    assert!(totals.gmv_covered <= totals.gmv);
    let order_value_max_cents = ORDER_VALUE_MAX as i128 * 100;
    assert!(
        totals.gmv.cents() <= i128::from(totals.orders_placed) * order_value_max_cents,
        "no order is worth more than the order value bound"
    );
    assert!(totals.refunds_total() <= totals.claims_total());
    assert!(
        totals.orders_placed - totals.orders_completed <= output.orders_open_at_end,
        "every placed order is completed or open"
    );
    assert!(output.orders_open_at_end <= output.orders_in_flight_peak);
    assert!(!output.months.is_empty(), "a run has at least one month");
    let placed_in_months: u64 = output
        .months
        .iter()
        .map(|month| month.flows.orders_placed)
        .sum();
    assert_eq!(
        placed_in_months, totals.orders_placed,
        "months add up to the totals"
    );
    let paid_in_months: CentsTotal = output
        .months
        .iter()
        .map(|month| month.ledger_flows.paid_into_escrow)
        .sum();
    assert_eq!(paid_in_months, ledger.paid_into_escrow);
    let report = Report::new(scenario, scenario.seed, &output, None);
    assert!(!render_text(&report).is_empty());
    assert!(report.to_json().contains(&report.digest));
    report
}
