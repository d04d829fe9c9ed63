//! Benchmarks of the settlement path and of a whole small scenario.
//!
//! `cargo bench --bench settlement` prints medians; compare them with the
//! figures in the README's performance section.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use escrowsim::program::NoProbe;
use escrowsim::program::ledger::{EscrowHold, Ledger};
use escrowsim::scenario::load_scenario_file;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::path::Path;

/// Holds the deposit and balance of `count` orders, ready to settle.
fn held_orders(count: usize) -> (Ledger, Vec<EscrowHold>) {
    let mut ledger = Ledger::new();
    let mut holds = vec![EscrowHold::default(); count];
    for (index, hold) in holds.iter_mut().enumerate() {
        let cents = 100_000 + (index as i64 % 997) * 13;
        ledger.hold(hold, Decimal::new(cents * 3 / 10, 2));
        ledger.hold(hold, Decimal::new(cents - cents * 3 / 10, 2));
    }
    (ledger, holds)
}

fn settlement(criterion: &mut Criterion) {
    const ORDERS: usize = 4_096;
    let mut group = criterion.benchmark_group("settlement");
    group.throughput(Throughput::Elements(ORDERS as u64));
    group.bench_function("release_with_fee", |bencher| {
        bencher.iter_batched(
            || held_orders(ORDERS),
            |(mut ledger, mut holds)| {
                for hold in &mut holds {
                    let amount = hold.pending();
                    let fee = (amount * Decimal::new(2, 2)).round_dp(2);
                    ledger.post(hold, amount, fee);
                }
                black_box(ledger.totals().released_to_suppliers)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("partial_refund_then_release", |bencher| {
        bencher.iter_batched(
            || held_orders(ORDERS),
            |(mut ledger, mut holds)| {
                for hold in &mut holds {
                    let refund = (hold.pending() * Decimal::new(4, 1)).round_dp(2);
                    ledger.void(hold, refund);
                    let rest = hold.pending();
                    ledger.post(hold, rest, Decimal::ZERO);
                }
                black_box(ledger.totals().refunded_from_escrow)
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("full_refund_and_platform_advance", |bencher| {
        bencher.iter_batched(
            || held_orders(ORDERS),
            |(mut ledger, mut holds)| {
                for hold in &mut holds {
                    let held = hold.pending();
                    ledger.void(hold, held);
                    ledger.advance(Decimal::new(12_345, 2));
                }
                black_box(ledger.totals().advanced_by_platform)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn whole_scenario(criterion: &mut Criterion) {
    let scenario =
        load_scenario_file(Path::new("scenarios/quick.ron")).expect("quick scenario loads");
    let mut group = criterion.benchmark_group("scenario");
    group.sample_size(20);
    group.bench_function("quick", |bencher| {
        bencher.iter(|| {
            black_box(
                escrowsim::run(&scenario, scenario.seed, &mut NoProbe)
                    .expect("never interrupted")
                    .events_processed,
            )
        })
    });
    group.finish();
}

criterion_group!(benches, settlement, whole_scenario);
criterion_main!(benches);
