//! Running replications: R runs of a scenario with derived seeds, spread
//! over J threads, each run single-threaded, gathered in replication order.
//!
//! A worker takes the next replication index from a shared counter, so which
//! thread runs which replication depends on timing; nothing else does. Each
//! replication is a pure function of (scenario, base seed, index), and the
//! results are put back in index order before anything reads them: the
//! outcome is byte-identical for any J.
//!
//! A [`Replications`] set holds, per replication, exact values (counts and
//! decimal money), and for the whole set one settlement-latency HDR
//! histogram (histograms add exactly and in any order, so each run's is
//! added as it finishes rather than kept: one is a few hundred kilobytes).
//! Sets of disjoint replication indices merge exactly
//! ([`Replications::merge`]): a sweep sharded over machines and merged
//! afterwards gives the same set, and so the same bytes, as one machine.

use super::metrics::{MetricValues, Schema, flatten};
use super::seeds::replication_seed;
use escrowsim_core::engine::Streams;
use escrowsim_core::program::{Interrupted, Probe, RunOutput};
use escrowsim_core::report::Report;
use escrowsim_core::scenario::Scenario;
use hdrhistogram::Histogram;
use rust_decimal::Decimal;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// Most replications of one analysis: enough for percentiles far in the
/// tail, few enough that the per-replication values stay small in memory.
pub const REPLICATIONS_MAX: u32 = 10_000;
/// Most worker threads.
pub const JOBS_MAX: u32 = 256;
/// Most monthly records (replications times months) one analysis keeps,
/// about 600 bytes each: a bound on memory for long horizons.
pub const MONTHLY_RECORDS_MAX: u64 = 500_000;

/// How many replications to run, from which base seed, on how many threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub base_seed: u64,
    pub replications: u32,
    pub jobs: u32,
    /// Replications come in antithetic pairs (see [`replication_draws`]).
    pub antithetic: bool,
}

/// A plan outside its bounds. The messages name quantities, not flags:
/// the CLI says which of its flags set them ([`PlanError::replications`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("at least 1 replication is needed")]
    NoReplications,
    #[error("{0} replications are more than the most, {REPLICATIONS_MAX}")]
    TooManyReplications(u32),
    #[error("at least 1 job is needed")]
    NoJobs,
    #[error("{0} jobs are more than the most, {JOBS_MAX}")]
    TooManyJobs(u32),
    #[error("antithetic replications come in pairs: {0} replications is odd, give an even number")]
    OddReplications(u32),
    #[error(
        "{replications} replications of a {horizon_days}-day scenario would keep up to {records} monthly records, more than the most, {MONTHLY_RECORDS_MAX}: run fewer replications or a shorter horizon"
    )]
    TooManyMonthlyRecords {
        replications: u32,
        horizon_days: u32,
        records: u64,
    },
}

impl PlanError {
    /// Whether the number of replications (rather than of jobs) is at fault.
    pub fn replications(&self) -> bool {
        !matches!(self, PlanError::NoJobs | PlanError::TooManyJobs(_))
    }
}

impl Plan {
    pub fn new(base_seed: u64, replications: u32, jobs: u32) -> Result<Plan, PlanError> {
        if replications == 0 {
            return Err(PlanError::NoReplications);
        }
        if replications > REPLICATIONS_MAX {
            return Err(PlanError::TooManyReplications(replications));
        }
        if jobs == 0 {
            return Err(PlanError::NoJobs);
        }
        if jobs > JOBS_MAX {
            return Err(PlanError::TooManyJobs(jobs));
        }
        Ok(Plan {
            base_seed,
            replications,
            jobs,
            antithetic: false,
        })
    }

    /// The plan with its replications in antithetic pairs; refused for an
    /// odd number of replications.
    pub fn with_antithetic_pairs(self) -> Result<Plan, PlanError> {
        if self.replications % 2 != 0 {
            return Err(PlanError::OddReplications(self.replications));
        }
        Ok(Plan {
            antithetic: true,
            ..self
        })
    }

    /// Refuses a plan whose monthly records of a `horizon_days`-day
    /// scenario would exceed [`MONTHLY_RECORDS_MAX`].
    pub fn check_horizon(&self, horizon_days: u32) -> Result<(), PlanError> {
        // A horizon touches at most one month per 28 days, plus a partial one at each end.
        let months_max = u64::from(horizon_days) / 28 + 2;
        let records = u64::from(self.replications) * months_max;
        if records > MONTHLY_RECORDS_MAX {
            return Err(PlanError::TooManyMonthlyRecords {
                replications: self.replications,
                horizon_days,
                records,
            });
        }
        Ok(())
    }
}

/// One finished replication.
#[derive(Clone, Debug)]
pub struct Replication {
    pub index: u32,
    pub seed: u64,
    /// The digest of its outcome, as `escrowsim run --seed` reports it.
    pub digest: String,
    pub values: MetricValues,
    pub events: u64,
    pub settlements: u64,
}

/// The replications of one scenario, in index order.
#[derive(Clone, Debug)]
pub struct Replications {
    pub scenario: String,
    pub base_seed: u64,
    pub schema: Schema,
    pub runs: Vec<Replication>,
    /// Sampled settlement latencies of every run (empty when the probes timed nothing).
    pub settle_latency_ns: Histogram<u64>,
    /// The runs are antithetic pairs, `2k` on the plain and `2k + 1` on
    /// the mirrored streams of one seed ([`replication_draws`]).
    pub antithetic: bool,
}

/// Sets that cannot be merged into one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    Empty,
    #[error("the sets come from different scenarios, base seeds or versions")]
    Mismatch,
    #[error("replication {0} appears twice")]
    Duplicate(u32),
}

impl Replications {
    /// Joins sets of disjoint replications of one scenario and base seed
    /// into one set in index order. Exact: values are kept, not summarised.
    pub fn merge(parts: Vec<Replications>) -> Result<Replications, MergeError> {
        let mut parts = parts.into_iter();
        let mut merged = parts.next().ok_or(MergeError::Empty)?;
        for part in parts {
            if part.scenario != merged.scenario
                || part.base_seed != merged.base_seed
                || part.schema != merged.schema
                || part.antithetic != merged.antithetic
            {
                return Err(MergeError::Mismatch);
            }
            merged.runs.extend(part.runs);
            merged
                .settle_latency_ns
                .add(&part.settle_latency_ns)
                .expect("auto-resizing histograms always add");
        }
        merged.runs.sort_by_key(|run| run.index);
        if let Some(pair) = merged
            .runs
            .windows(2)
            .find(|pair| pair[0].index == pair[1].index)
        {
            return Err(MergeError::Duplicate(pair[0].index));
        }
        Ok(merged)
    }

    pub fn count(&self) -> usize {
        self.runs.len()
    }

    /// Whether `run` ran on its seed's mirrored streams: the second of an
    /// antithetic pair ([`replication_draws`]).
    pub fn mirrored(&self, run: &Replication) -> bool {
        self.antithetic && run.index % 2 == 1
    }

    /// Values of whole-run metric `metric` (an index into `schema.metrics`)
    /// in the replications where it is defined, in replication order.
    pub fn metric_values(&self, metric: usize) -> Vec<Decimal> {
        self.metric_values_by_replication(metric)
            .into_iter()
            .flatten()
            .collect()
    }

    /// Values of whole-run metric `metric`, one per replication in order,
    /// `None` where the replication left it undefined.
    pub fn metric_values_by_replication(&self, metric: usize) -> Vec<Option<Decimal>> {
        self.runs
            .iter()
            .map(|run| run.values.values[metric])
            .collect()
    }

    /// Values of monthly metric `metric` in month `month`, one per
    /// replication in order, `None` where the replication left it undefined.
    pub fn monthly_values(&self, month: usize, metric: usize) -> Vec<Option<Decimal>> {
        self.runs
            .iter()
            .map(|run| run.values.monthly[month][metric])
            .collect()
    }

    /// The index of the whole-run metric at `path`, if the outcome has it.
    pub fn metric_index(&self, path: &str) -> Option<usize> {
        self.schema
            .metrics
            .iter()
            .position(|metric| metric.path == path)
    }

    /// The index of the monthly metric at `path`, if months have it.
    pub fn monthly_metric_index(&self, path: &str) -> Option<usize> {
        self.schema
            .monthly_metrics
            .iter()
            .position(|metric| metric.path == path)
    }

    /// Events processed over all replications.
    pub fn events(&self) -> u64 {
        self.runs.iter().map(|run| run.events).sum()
    }

    pub fn settlements(&self) -> u64 {
        self.runs.iter().map(|run| run.settlements).sum()
    }
}

fn empty_histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant figures is a valid precision")
}

/// Adds a run's latencies to its set's histogram.
fn add_latencies(total: &Mutex<Histogram<u64>>, run: &Histogram<u64>) {
    total
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .add(run)
        .expect("auto-resizing histograms always add");
}

/// The set of one run: replication 0 of base seed `seed` is that run
/// (replication 0's seed is the base seed), so `escrowsim run --html` draws
/// the page of the run it reports.
pub fn single_run(scenario: &Scenario, seed: u64, output: &RunOutput) -> Replications {
    let (schema, run) = replication_of(scenario, seed, 0, output);
    Replications {
        scenario: scenario.name.clone(),
        base_seed: seed,
        schema,
        runs: vec![run],
        settle_latency_ns: output.settle_latency_ns.clone(),
        antithetic: false,
    }
}

/// Replication `index`, run with `seed`, as the analysis keeps it: its
/// metric values and digest, and its outcome's schema.
fn replication_of(
    scenario: &Scenario,
    seed: u64,
    index: u32,
    output: &RunOutput,
) -> (Schema, Replication) {
    let report = Report::new(scenario, seed, output, None);
    let (schema, values) = flatten(&report.outcome);
    let run = Replication {
        index,
        seed,
        digest: report.digest,
        values,
        events: output.events_processed,
        settlements: output.totals.settlements,
    };
    (schema, run)
}

/// The seed and the streams of replication `index`. Independent
/// replications: [`replication_seed`]`(base_seed, index)`, plain streams.
/// Antithetic pairs: pair `k` (replications `2k` and `2k + 1`) uses the
/// seed replication `k` would use without pairs, `2k` on its plain streams
/// and `2k + 1` on the mirrored ones ([`Streams::mirrored`]).
pub fn replication_draws(base_seed: u64, index: u32, antithetic: bool) -> (u64, Streams) {
    if !antithetic {
        let seed = replication_seed(base_seed, index);
        return (seed, Streams::new(seed));
    }
    let seed = replication_seed(base_seed, index / 2);
    let streams = if index % 2 == 0 {
        Streams::new(seed)
    } else {
        Streams::mirrored(seed)
    };
    (seed, streams)
}

/// Runs replication `index` of `scenario` with `probe`, and returns it with
/// its settlement latencies.
pub fn run_replication<P: Probe>(
    scenario: &Scenario,
    base_seed: u64,
    index: u32,
    probe: &mut P,
) -> Result<(Schema, Replication, Histogram<u64>), Interrupted> {
    run_on_draws(
        scenario,
        index,
        replication_draws(base_seed, index, false),
        probe,
    )
}

/// [`run_replication`] on the seed of replication `seed_index` rather
/// than of `index`: an optimisation without common random numbers gives
/// each candidate seeds of its own.
pub fn run_replication_on_seed_of<P: Probe>(
    scenario: &Scenario,
    base_seed: u64,
    index: u32,
    seed_index: u32,
    probe: &mut P,
) -> Result<(Schema, Replication, Histogram<u64>), Interrupted> {
    run_on_draws(
        scenario,
        index,
        replication_draws(base_seed, seed_index, false),
        probe,
    )
}

/// Replication `index` of `scenario` on the seed and streams `draws`.
fn run_on_draws<P: Probe>(
    scenario: &Scenario,
    index: u32,
    (seed, streams): (u64, Streams),
    probe: &mut P,
) -> Result<(Schema, Replication, Histogram<u64>), Interrupted> {
    let output = escrowsim_core::run_on_streams(scenario, streams, probe)?;
    let (schema, run) = replication_of(scenario, seed, index, &output);
    Ok((schema, run, output.settle_latency_ns))
}

/// Runs the plan's replications of `scenario`. `make_probe` lends each run
/// a fresh probe (a clock, progress, a stop request); a stop interrupts the
/// whole set. Every run asks its probe before it draws anything, so a stop
/// is seen between replications even when no run is long enough to reach
/// an engine checkpoint; after it, no further replication starts.
pub fn replicate<P, F>(
    scenario: &Scenario,
    plan: &Plan,
    make_probe: F,
) -> Result<Replications, Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    replicate_range(scenario, plan, 0..plan.replications, make_probe)
}

/// Runs replications `range` of the plan (a batch): the same runs, with
/// the same seeds, as those indices of [`replicate`].
pub fn replicate_range<P, F>(
    scenario: &Scenario,
    plan: &Plan,
    range: Range<u32>,
    make_probe: F,
) -> Result<Replications, Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let latencies = Mutex::new(empty_histogram());
    let results = run_tasks(range.len(), plan.jobs, |task| {
        let index = range.start + task as u32;
        let draws = replication_draws(plan.base_seed, index, plan.antithetic);
        let (schema, run, run_latencies) = run_on_draws(scenario, index, draws, &mut make_probe())?;
        add_latencies(&latencies, &run_latencies);
        Ok((schema, run))
    })?;
    let latencies = latencies
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(gather(scenario, plan, results, latencies))
}

/// Runs the plan's replications of two scenarios with the same replication
/// seeds, replication `i` of A beside replication `i` of B, for a paired
/// comparison on common random numbers.
pub fn replicate_pair<P, F>(
    a: &Scenario,
    b: &Scenario,
    plan: &Plan,
    make_probe: F,
) -> Result<(Replications, Replications), Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    replicate_pair_range(a, b, plan, 0..plan.replications, make_probe)
}

/// Runs paired replications `range` of the plan (a batch).
pub fn replicate_pair_range<P, F>(
    a: &Scenario,
    b: &Scenario,
    plan: &Plan,
    range: Range<u32>,
    make_probe: F,
) -> Result<(Replications, Replications), Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    let latencies = [Mutex::new(empty_histogram()), Mutex::new(empty_histogram())];
    let results = run_tasks(2 * range.len(), plan.jobs, |task| {
        let scenario = if task % 2 == 0 { a } else { b };
        let index = range.start + (task / 2) as u32;
        let draws = replication_draws(plan.base_seed, index, plan.antithetic);
        let (schema, run, run_latencies) = run_on_draws(scenario, index, draws, &mut make_probe())?;
        add_latencies(&latencies[task % 2], &run_latencies);
        Ok((schema, run))
    })?;
    let [a_latencies, b_latencies] =
        latencies.map(|total| total.into_inner().unwrap_or_else(PoisonError::into_inner));
    let mut a_results = Vec::with_capacity(range.len());
    let mut b_results = Vec::with_capacity(range.len());
    for (task, result) in results.into_iter().enumerate() {
        if task % 2 == 0 {
            a_results.push(result);
        } else {
            b_results.push(result);
        }
    }
    Ok((
        gather(a, plan, a_results, a_latencies),
        gather(b, plan, b_results, b_latencies),
    ))
}

/// Runs the plan's paired replications forked at day `fork_day`: each
/// replication runs A once up to the first second of that day, then A and
/// B each go on from a copy of that state (B under its own rules from that
/// day on, see `escrowsim_core::program::snapshot`). Both sides share
/// everything before the fork by construction, and the warm-up before it is
/// run once rather than twice. A's side is exactly the replication
/// [`replicate_pair`] runs; B's is B's rules from the fork on. `b` must
/// describe the same world as `a` ([`escrowsim_core::program::same_world`]).
/// One probe serves the three parts of a replication.
pub fn replicate_pair_forked<P, F>(
    a: &Scenario,
    b: &Scenario,
    plan: &Plan,
    fork_day: u32,
    make_probe: F,
) -> Result<(Replications, Replications), Interrupted>
where
    P: Probe,
    F: Fn() -> P + Sync,
{
    use escrowsim_core::program::snapshot::{ResumeError, run_from_state, run_to_state};
    let latencies = [Mutex::new(empty_histogram()), Mutex::new(empty_histogram())];
    let results = run_tasks(plan.replications as usize, plan.jobs, |task| {
        let index = task as u32;
        let (seed, streams) = replication_draws(plan.base_seed, index, plan.antithetic);
        let mut probe = make_probe();
        let warm = run_to_state(a, streams, fork_day, &mut probe)?;
        let resume = |state, rules_from, probe: &mut P| {
            run_from_state(a, state, rules_from, probe).map_err(|error| match error {
                ResumeError::Interrupted(interrupted) => interrupted,
                ResumeError::State(problem) => {
                    panic!("a state taken in memory does not fit its own scenario: {problem}")
                }
            })
        };
        let a_output = resume(warm.clone(), None, &mut probe)?;
        let b_output = resume(warm, Some(b), &mut probe)?;
        add_latencies(&latencies[0], &a_output.settle_latency_ns);
        add_latencies(&latencies[1], &b_output.settle_latency_ns);
        Ok((
            replication_of(a, seed, index, &a_output),
            replication_of(b, seed, index, &b_output),
        ))
    })?;
    let [a_latencies, b_latencies] =
        latencies.map(|total| total.into_inner().unwrap_or_else(PoisonError::into_inner));
    let (a_results, b_results): (Vec<_>, Vec<_>) = results.into_iter().unzip();
    Ok((
        gather(a, plan, a_results, a_latencies),
        gather(b, plan, b_results, b_latencies),
    ))
}

fn gather(
    scenario: &Scenario,
    plan: &Plan,
    results: Vec<(Schema, Replication)>,
    settle_latency_ns: Histogram<u64>,
) -> Replications {
    let mut runs = Vec::with_capacity(results.len());
    let mut first_schema = None;
    for (schema, run) in results {
        match &first_schema {
            None => first_schema = Some(schema),
            Some(first) => assert_eq!(
                first, &schema,
                "replications of one scenario have one outcome schema"
            ),
        }
        runs.push(run);
    }
    Replications {
        scenario: scenario.name.clone(),
        base_seed: plan.base_seed,
        schema: first_schema.expect("a plan has at least one replication"),
        runs,
        settle_latency_ns,
        antithetic: plan.antithetic,
    }
}

/// Runs `work(0..tasks)` on up to `jobs` threads and returns the results in
/// task order. After a failure no new task starts, and the failure of the
/// lowest task index is returned.
fn run_tasks<T, E, W>(tasks: usize, jobs: u32, work: W) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    W: Fn(usize) -> Result<T, E> + Sync,
{
    let threads = (jobs as usize).clamp(1, tasks.max(1));
    let next_task = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let finished: Mutex<Vec<(usize, Result<T, E>)>> = Mutex::new(Vec::with_capacity(tasks));
    let worker = || {
        loop {
            if failed.load(Ordering::Relaxed) {
                return;
            }
            let task = next_task.fetch_add(1, Ordering::Relaxed);
            if task >= tasks {
                return;
            }
            let result = work(task);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            finished
                .lock()
                .expect("no worker panics while holding the lock")
                .push((task, result));
        }
    };
    if threads == 1 {
        worker();
    } else {
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(worker);
            }
        });
    }
    let mut finished = finished
        .into_inner()
        .expect("no worker panics while holding the lock");
    finished.sort_by_key(|(task, _)| *task);
    finished.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use escrowsim_core::engine::SimTime;

    #[test]
    fn tasks_come_back_in_order_whatever_the_thread_count() {
        for jobs in [1, 2, 3, 8] {
            let results: Result<Vec<usize>, ()> = run_tasks(50, jobs, |task| Ok(task * task));
            assert_eq!(
                results.unwrap(),
                (0..50).map(|task| task * task).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn the_lowest_failure_is_reported() {
        let result: Result<Vec<usize>, usize> =
            run_tasks(20, 1, |task| if task >= 5 { Err(task) } else { Ok(task) });
        assert_eq!(result, Err(5));
    }

    /// A probe that agrees to go on a fixed number of times, then stops.
    struct StopAfter {
        answers: std::sync::Arc<AtomicUsize>,
        agree: usize,
    }

    impl Probe for StopAfter {
        const TIMES_SETTLEMENTS: bool = false;

        fn checkpoint(&mut self, _simulated: SimTime, _horizon: SimTime) -> bool {
            self.answers.fetch_add(1, Ordering::SeqCst) < self.agree
        }
    }

    #[test]
    fn a_stop_ends_the_replications_between_runs_even_when_no_run_reaches_a_checkpoint() {
        // Regression: a run shorter than one engine checkpoint period never
        // asked its probe, so a stop request went unseen by a whole set of
        // replications. Each run now asks before it draws its population.
        let scenario = escrowsim_core::scenario::parse_scenario(
            &include_str!("../../../scenarios/quick.ron")
                .replace("horizon_days: 120", "horizon_days: 5"),
            "quick.ron",
        )
        .unwrap();
        let plan = Plan::new(7, 50, 1).unwrap();
        let answers = std::sync::Arc::new(AtomicUsize::new(0));
        // quick.ron's population takes one check to draw (before it starts),
        // a five-day run none: the third run's first check says stop.
        let result = replicate(&scenario, &plan, || StopAfter {
            answers: std::sync::Arc::clone(&answers),
            agree: 2,
        });
        assert_eq!(result.err(), Some(Interrupted { at: None }));
        assert_eq!(answers.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn plans_out_of_bounds_are_refused() {
        assert_eq!(Plan::new(1, 0, 1), Err(PlanError::NoReplications));
        assert_eq!(
            Plan::new(1, REPLICATIONS_MAX + 1, 1),
            Err(PlanError::TooManyReplications(REPLICATIONS_MAX + 1))
        );
        assert_eq!(Plan::new(1, 5, 0), Err(PlanError::NoJobs));
        assert_eq!(Plan::new(1, 5, 1000), Err(PlanError::TooManyJobs(1000)));
        let plan = Plan::new(1, 5, 2).unwrap();
        assert!(plan.check_horizon(36_525).is_ok());
        let many = Plan::new(1, REPLICATIONS_MAX, 2).unwrap();
        assert!(many.check_horizon(365).is_ok());
        assert!(matches!(
            many.check_horizon(36_525),
            Err(PlanError::TooManyMonthlyRecords { .. })
        ));
    }
}
