//! `run --trace`: the trace of an order reconciles with the ledger, the
//! sample is decided by order number alone, and tracing changes nothing.

use crate::common::{
    escrowsim, fresh_directory, parse, path, scenario_path, shipped_text, stderr, succeeded,
};
use escrowsim::program::NoProbe;
use escrowsim::program::trace::{Flow, OrderSample, TraceCollector, TraceRecord};
use escrowsim::report::Report;
use escrowsim::scenario::Scenario;
use std::collections::BTreeMap;

/// quick.ron with a 1.5% seller fee, the deposit released at contract and
/// refunds advanced: every flow of the ledger moves (fees, posts before
/// acceptance, advances, recoveries and write-offs).
pub fn every_flow_scenario() -> Scenario {
    parse(
        &shipped_text("quick.ron")
            .replace("deposit_release: AtAcceptance,", "deposit_release: AtContract,")
            .replace(
                "refund_scope: OrderValue,",
                "refund_scope: OrderValue, advance_refunds: true, seller_fee_bps: 150, recovery_days: 5, recovery_probability: 0.5,",
            ),
    )
}

/// Every order traced, and the run's report.
fn traced_run(scenario: &Scenario, sample: OrderSample) -> (Vec<TraceRecord>, Report) {
    let mut collector = TraceCollector::new(sample);
    let output = escrowsim::run_observed(scenario, scenario.seed, &mut NoProbe, &mut collector)
        .expect("NoProbe never interrupts");
    let report = Report::new(scenario, scenario.seed, &output, None);
    (collector.records, report)
}

#[test]
fn the_trace_of_every_order_sums_to_the_reports_ledger_figures_exactly() {
    // Goal: with every order traced, each flow summed over the records
    // equals the report's ledger field, and the balances derived from the
    // double-entry semantics (ledger.rs: a flow debits one account and
    // credits another) equal the ones the flows imply; the escrow held at
    // the end is paid in - released - fees - refunded.
    let scenario = every_flow_scenario();
    let (records, _) = traced_run(&scenario, OrderSample::All);
    let output = escrowsim::run(&scenario, scenario.seed, &mut NoProbe).unwrap();
    let ledger = &output.ledger;
    for flow in Flow::ALL {
        let traced: i128 = records
            .iter()
            .map(|record| i128::from(record.cents_of(flow)))
            .sum();
        assert_eq!(traced, flow.of(ledger), "flow {}", flow.key());
    }
    for flow in [
        Flow::Fees,
        Flow::AdvancedByPlatform,
        Flow::RecoveredFromSuppliers,
        Flow::WrittenOff,
        Flow::RefundedFromEscrow,
    ] {
        assert!(flow.of(ledger) > 0, "the scenario moves {}", flow.key());
    }
    let mut balances: BTreeMap<&str, i128> = BTreeMap::new();
    for movement in records.iter().flat_map(|record| &record.movements) {
        if movement.debit.is_empty() {
            continue;
        }
        *balances.entry(movement.debit).or_default() -= i128::from(movement.cents);
        *balances.entry(movement.credit).or_default() += i128::from(movement.cents);
    }
    let cents = |total: escrowsim::program::money::CentsTotal| total.cents();
    assert_eq!(
        balances["escrow"],
        cents(ledger.paid_into_escrow)
            - cents(ledger.released_to_suppliers)
            - cents(ledger.fees)
            - cents(ledger.refunded_from_escrow)
    );
    assert_eq!(balances["escrow"], cents(ledger.escrow_balance));
    assert_eq!(balances["platform_revenue"], cents(ledger.fees));
    assert_eq!(
        balances["platform_funds"],
        cents(ledger.recovered_from_suppliers) - cents(ledger.advanced_by_platform)
    );
    assert_eq!(
        balances["buyers"],
        cents(ledger.refunded_from_escrow)
            + cents(ledger.advanced_by_platform)
            + cents(ledger.refunded_by_suppliers)
            - cents(ledger.paid_into_escrow)
            - cents(ledger.paid_directly_to_suppliers)
    );
    assert_eq!(balances.values().sum::<i128>(), 0, "double entry");
}

#[test]
fn each_orders_trace_reconciles_with_its_hold_and_its_fee() {
    // Goal: per order, the escrow a record says is held after the event is
    // the running sum of the order's holds less its posts, fees and voids
    // (two-phase semantics); a completed order holds nothing and has
    // settled every advance (advanced = recovered + written off); and every
    // fee is 150 basis points of what that event posted, rounded half to
    // even (money.rs), since the fee applies to all orders.
    let scenario = every_flow_scenario();
    let (records, _) = traced_run(&scenario, OrderSample::All);
    let mut held: BTreeMap<u64, i64> = BTreeMap::new();
    let mut advances: BTreeMap<u64, i64> = BTreeMap::new();
    let mut completed = 0;
    for record in &records {
        let hold = held.entry(record.order).or_default();
        *hold += record.cents_of(Flow::PaidIntoEscrow)
            - record.cents_of(Flow::ReleasedToSuppliers)
            - record.cents_of(Flow::Fees)
            - record.cents_of(Flow::RefundedFromEscrow);
        assert_eq!(
            *hold, record.held_cents,
            "order {} at {}",
            record.order, record.kind
        );
        let advance = advances.entry(record.order).or_default();
        *advance += record.cents_of(Flow::AdvancedByPlatform)
            - record.cents_of(Flow::RecoveredFromSuppliers)
            - record.cents_of(Flow::WrittenOff);
        let posted = record.cents_of(Flow::ReleasedToSuppliers) + record.cents_of(Flow::Fees);
        let fee = posted * 150 / 10_000;
        let remainder = posted * 150 % 10_000;
        let expected_fee = match remainder.cmp(&5_000) {
            std::cmp::Ordering::Less => fee,
            std::cmp::Ordering::Greater => fee + 1,
            std::cmp::Ordering::Equal => fee + fee % 2,
        };
        assert_eq!(
            record.cents_of(Flow::Fees),
            expected_fee,
            "order {}",
            record.order
        );
        if record.state_after == "completed" {
            completed += 1;
            assert_eq!(*hold, 0, "order {} completed holding escrow", record.order);
            assert_eq!(
                *advance, 0,
                "order {} completed with an advance open",
                record.order
            );
        }
    }
    assert!(completed > 1000, "a run completes many orders: {completed}");
}

#[test]
fn each_orders_events_follow_its_state_machine_in_time_order() {
    // Goal: an order's records chain: each starts in the state the one
    // before ended in, at a time no earlier, from the inquiry (`none`) to
    // `completed` or the end of the run.
    let scenario = every_flow_scenario();
    let (records, _) = traced_run(&scenario, OrderSample::about(300, 10_000));
    let mut last: BTreeMap<u64, (&str, u64)> = BTreeMap::new();
    for record in &records {
        let (state, seconds) = last.get(&record.order).copied().unwrap_or(("none", 0));
        assert_eq!(record.state_before, state, "order {}", record.order);
        assert!(record.seconds >= seconds);
        assert_ne!(
            state, "completed",
            "order {} acts after completing",
            record.order
        );
        last.insert(record.order, (record.state_after, record.seconds));
    }
    assert!(last.len() > 100);
}

#[test]
fn tracing_changes_nothing_in_the_outcome() {
    // Goal: a traced run's report has the digest of the untraced run.
    let scenario = every_flow_scenario();
    let (_, traced) = traced_run(&scenario, OrderSample::All);
    let (_, untraced) = crate::common::run(&scenario);
    assert_eq!(traced.digest, untraced.digest);
}

/// The SplitMix64 finaliser of `n + 1`, as docs/trace.md states it.
fn documented_hash(n: u64) -> u64 {
    let mut z = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn about_n_orders_are_the_same_orders_under_other_rules() {
    // Goal: `--trace-orders 200` traces order n exactly when
    // hash(n) < 2^64 * 200 / expected inquiries (docs/trace.md), so the
    // traced orders of quick.ron and of its variant that releases at
    // contract are the same inquiries, recomputed here from the formula.
    let directory = fresh_directory("trace-sample", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let mut traced_sets = Vec::new();
    for scenario in ["quick.ron", "quick-release-at-contract.ron"] {
        let trace = directory.join(format!("{scenario}.jsonl"));
        let report = directory.join(format!("{scenario}.json"));
        succeeded(&escrowsim(&[
            "run",
            path(&scenario_path(scenario)),
            "--trace",
            path(&trace),
            "--trace-orders",
            "200",
            "--format",
            "json",
            "--out",
            path(&report),
        ]));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let inquiries = report["outcome"]["inquiries"]["total"].as_u64().unwrap();
        let orders: std::collections::BTreeSet<u64> = std::fs::read_to_string(&trace)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
            .filter(|record| record["kind"] == "inquiry")
            .map(|record| record["order"].as_u64().unwrap())
            .collect();
        // quick.ron: 20,000 buyers x 2 inquiries a year x 120/365 of a year.
        let expected = (20_000.0_f64 * 2.0 * 120.0 / 365.0).round() as u128;
        let threshold = ((200u128 << 64) / expected) as u64;
        let recomputed: std::collections::BTreeSet<u64> = (0..inquiries)
            .filter(|&n| documented_hash(n) < threshold)
            .collect();
        assert_eq!(orders, recomputed, "{scenario}");
        // Binomial(inquiries, 200/expected): within 6 standard deviations.
        let count = orders.len() as f64;
        assert!((count - 200.0).abs() < 6.0 * 200.0_f64.sqrt(), "{count}");
        traced_sets.push(orders);
    }
    assert_eq!(traced_sets[0], traced_sets[1]);
}

#[test]
fn a_list_of_order_numbers_traces_exactly_those_orders() {
    // Goal: `--trace-orders 3,17,` traces orders 3 and 17 and no other;
    // each record is one JSON object with the documented fields.
    let directory = fresh_directory("trace-list", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let trace = directory.join("trace.jsonl");
    succeeded(&escrowsim(&[
        "run",
        path(&scenario_path("quick.ron")),
        "--trace",
        path(&trace),
        "--trace-orders",
        "3,17,",
        "--out",
        path(&directory.join("report.txt")),
    ]));
    let text = std::fs::read_to_string(&trace).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let orders: std::collections::BTreeSet<u64> = records
        .iter()
        .map(|record| record["order"].as_u64().unwrap())
        .collect();
    assert_eq!(orders, [3, 17].into_iter().collect());
    for record in &records {
        for field in [
            "seconds",
            "time",
            "kind",
            "order",
            "buyer",
            "buyer_segment",
            "supplier",
            "state_before",
            "state_after",
            "value_cents",
            "covered",
            "coverage_cents",
            "held_cents",
            "claim_reason",
            "refunded",
            "movements",
            "rules",
        ] {
            assert!(record.get(field).is_some(), "{field} missing in {record}");
        }
        // The ISO time is the start date (2014-05-01) plus the seconds.
        let seconds = record["seconds"].as_u64().unwrap();
        let time = record["time"].as_str().unwrap();
        let clock = format!(
            "T{:02}:{:02}:{:02}",
            seconds % 86_400 / 3600,
            seconds % 3600 / 60,
            seconds % 60
        );
        assert!(time.ends_with(&clock), "{time} vs {seconds}");
    }
    assert_eq!(records[0]["kind"], "inquiry");
}

#[test]
fn bad_trace_flags_are_refused_with_exit_2() {
    // Goal: a malformed --trace-orders, a trace with replications and a
    // trace file that is a directory are bad input, named, exit 2.
    let directory = fresh_directory("trace-bad", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let trace = directory.join("trace.jsonl");
    let quick = scenario_path("quick.ron");
    for (arguments, expected) in [
        (
            vec!["--trace", path(&trace), "--trace-orders", "many"],
            "--trace-orders",
        ),
        (
            vec!["--trace", path(&trace), "--trace-orders", "0"],
            "at least 1",
        ),
        (
            vec!["--trace", path(&trace), "--trace-orders", "4,x"],
            "\"x\"",
        ),
        (
            vec!["--trace", path(&trace), "--replications", "2"],
            "--replications",
        ),
        (vec!["--trace", path(&directory)], "directory"),
        (
            vec!["--trace", path(&trace), "--transfers", path(&trace)],
            "two outputs",
        ),
    ] {
        let mut all = vec!["run", path(&quick)];
        all.extend(arguments.iter().copied());
        let output = escrowsim(&all);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{all:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{all:?}: {}",
            stderr(&output)
        );
    }
    assert!(!trace.exists(), "nothing is written on bad input");
}

#[test]
fn a_trace_too_large_for_the_memory_budget_is_refused_before_the_run() {
    // The launch year's expected orders (about 1.8 million) each hold about
    // 2.5 KB of trace until the run ends: several GiB, refused under a
    // 1 GiB budget before anything runs; the same budget takes quick.ron's
    // default sample of about 1000 orders.
    let directory = fresh_directory("trace-memory", "out");
    std::fs::create_dir_all(&directory).unwrap();
    let trace = directory.join("launch.jsonl");
    let launch = scenario_path("trade-assurance-2014.ron");
    let output = escrowsim(&[
        "run",
        launch.to_str().unwrap(),
        "--trace",
        trace.to_str().unwrap(),
        "--trace-orders",
        "all",
        "--max-memory",
        "1GiB",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("--trace and --transfers (kept until it ends) needs")
            && message.contains("GiB of memory"),
        "{message}"
    );
    assert!(!trace.exists());
    let quick = directory.join("quick.jsonl");
    succeeded(&escrowsim(&[
        "run",
        scenario_path("quick.ron").to_str().unwrap(),
        "--trace",
        quick.to_str().unwrap(),
        "--max-memory",
        "1GiB",
    ]));
    assert!(quick.exists());
}
