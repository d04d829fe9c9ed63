//! Benchmarks of the settlement path: one order's escrow settled the way the
//! program's handlers settle it (release less the seller fee, full refund,
//! partial refund, refund with a platform advance), on 4,096 funded orders.
//!
//! `cargo bench --bench settlement` prints the median time per batch and
//! the throughput in settlements per second; compare them with the README's
//! performance section.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use escrowsim::program::settlement_load::{SettlementKind, SettlementLoad};
use std::hint::black_box;

/// Orders per batch: their slots (about half a MiB) stay in cache, as the
/// orders settling in one stretch of a run do not.
const ORDERS: usize = 4_096;

fn funded(kind_of: impl Fn(usize) -> SettlementKind) -> SettlementLoad {
    let mut load = SettlementLoad::new(ORDERS, 1);
    for index in 0..ORDERS {
        load.fund(index, kind_of(index));
    }
    load
}

fn settlement(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("settlement");
    group.throughput(Throughput::Elements(ORDERS as u64));
    for kind in SettlementKind::ALL {
        group.bench_function(kind.name(), |bencher| {
            bencher.iter_batched_ref(
                || funded(|_| kind),
                |load| {
                    for index in 0..ORDERS {
                        load.settle(index, kind);
                    }
                    black_box(load.ledger().transfer_count())
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.bench_function("mix", |bencher| {
        bencher.iter_batched_ref(
            || funded(SettlementKind::in_mix),
            |load| {
                for index in 0..ORDERS {
                    load.settle(index, SettlementKind::in_mix(index));
                }
                black_box(load.ledger().transfer_count())
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, settlement);
criterion_main!(benches);
