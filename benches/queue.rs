//! Benchmarks of the event queue in the classic hold model: with `n` events
//! pending, pop the next one and schedule one in its place, `n` at 1e3, 1e5
//! and 1e6. Delays are drawn once, before timing, from a mix shaped like the
//! program's (a few seconds to hours ahead, most days to weeks ahead, a few
//! months ahead), and a binary heap of (time, seq) runs the same schedule
//! for comparison.
//!
//! One element is one pop plus one schedule: the work of one event.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use escrowsim::engine::random::{stream, uniform01};
use escrowsim::engine::time::SimDuration;
use escrowsim::engine::{EventQueue, SimTime};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

/// Events popped and rescheduled per timed batch.
const EVENTS_PER_BATCH: usize = 1 << 16;

/// Pre-drawn delays, cycled through.
const DELAYS: usize = 1 << 20;

const DAY_SECONDS: f64 = 86_400.0;

fn delays() -> Vec<u64> {
    let mut draws = stream(1, "bench.queue");
    (0..DELAYS)
        .map(|_| {
            let pick = uniform01(&mut draws);
            let exponential = -libm::log(1.0 - uniform01(&mut draws));
            let days = if pick < 0.2 {
                exponential / 24.0 // hours: answers, contracts
            } else if pick < 0.95 {
                exponential * 20.0 // days to weeks: production, transit, windows
            } else {
                60.0 + exponential * 60.0 // months: late shipments, recoveries
            };
            (days * DAY_SECONDS) as u64
        })
        .collect()
}

fn filled_wheel(pending: usize, delays: &[u64]) -> EventQueue {
    let mut queue = EventQueue::with_capacity(pending);
    for (index, &delay) in delays.iter().cycle().take(pending).enumerate() {
        queue.schedule(SimTime(delay), 0, index as u32);
    }
    queue
}

fn filled_heap(pending: usize, delays: &[u64]) -> BinaryHeap<Reverse<(u64, u64, u32)>> {
    let mut heap = BinaryHeap::with_capacity(pending);
    for (index, &delay) in delays.iter().cycle().take(pending).enumerate() {
        heap.push(Reverse((delay, index as u64, index as u32)));
    }
    heap
}

/// Pops and reschedules [`EVENTS_PER_BATCH`] events of the wheel.
fn step_wheel(queue: &mut EventQueue, delays: &[u64], cursor: &mut usize) -> u64 {
    let mut checksum = 0u64;
    for _ in 0..EVENTS_PER_BATCH {
        let event = queue.pop_before(SimTime(u64::MAX)).expect("never empty");
        checksum = checksum.wrapping_add(u64::from(event.target));
        let delay = delays[*cursor % DELAYS];
        *cursor += 1;
        queue.schedule(event.time.plus(SimDuration(delay)), 0, event.target);
    }
    checksum
}

/// The same for the binary heap, which numbers events itself.
fn step_heap(
    heap: &mut BinaryHeap<Reverse<(u64, u64, u32)>>,
    delays: &[u64],
    cursor: &mut usize,
    seq: &mut u64,
) -> u64 {
    let mut checksum = 0u64;
    for _ in 0..EVENTS_PER_BATCH {
        let Reverse((time, _, target)) = heap.pop().expect("never empty");
        checksum = checksum.wrapping_add(u64::from(target));
        let delay = delays[*cursor % DELAYS];
        *cursor += 1;
        heap.push(Reverse((time + delay, *seq, target)));
        *seq += 1;
    }
    checksum
}

fn hold_model(criterion: &mut Criterion) {
    let delays = delays();
    let mut group = criterion.benchmark_group("queue_hold");
    group.throughput(Throughput::Elements(EVENTS_PER_BATCH as u64));
    group.sample_size(20);
    for pending in [1_000usize, 100_000, 1_000_000] {
        // Both structures first run through four times their size, so the
        // timed batches see their steady state rather than the initial fill.
        let warm_batches = (pending * 4).div_ceil(EVENTS_PER_BATCH);

        let mut wheel = filled_wheel(pending, &delays);
        let mut cursor = pending;
        for _ in 0..warm_batches {
            step_wheel(&mut wheel, &delays, &mut cursor);
        }
        group.bench_function(format!("wheel/{pending}"), |bencher| {
            bencher.iter(|| black_box(step_wheel(&mut wheel, &delays, &mut cursor)))
        });
        assert_eq!(wheel.len(), pending);

        let mut heap = filled_heap(pending, &delays);
        let mut cursor = pending;
        let mut seq = pending as u64;
        for _ in 0..warm_batches {
            step_heap(&mut heap, &delays, &mut cursor, &mut seq);
        }
        group.bench_function(format!("binary_heap/{pending}"), |bencher| {
            bencher.iter(|| black_box(step_heap(&mut heap, &delays, &mut cursor, &mut seq)))
        });
    }
    group.finish();
}

criterion_group!(benches, hold_model);
criterion_main!(benches);
