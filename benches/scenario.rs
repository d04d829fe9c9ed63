//! Benchmark of a whole small scenario: `scenarios/quick.ron` from population
//! to report figures, with no clock lent to the run.

use criterion::{Criterion, criterion_group, criterion_main};
use escrowsim::program::NoProbe;
use escrowsim::scenario::load_scenario_file;
use std::hint::black_box;
use std::path::Path;

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

criterion_group!(benches, whole_scenario);
criterion_main!(benches);
