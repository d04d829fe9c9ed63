//! `escrowsim optimize`: the choice checked against an optimum derived in
//! closed form, the effect of common random numbers on the runs needed,
//! byte-identical results for any sharding and `--jobs`, and refusals.
//!
//! The closed form: `tests/optimize/erlang.ron` makes each of ten
//! suppliers an M/M/c/c loss system (Poisson orders at 10 a day,
//! exponential lives of mean 0.3 days, a limit of c orders of 1000.00), so
//! over T = 120 days E[orders.covered] = 100 T (1 - B̄_T(c)), with B̄_T the
//! time average of the probability that all c units of limit are in use,
//! from an empty start (the validity suite's forward equations). The
//! covered value is 1000.00 per covered order. Maximising it under
//! `orders.covered <= 10100` has the optimum c* = max{c : E[covered(c)] <=
//! 10100}: the largest limit under the cap.

use crate::common::{escrowsim, fresh_directory, path, repository_root, stderr, succeeded};
use crate::validity::coverage_limit::mean_transient_blocking;
use escrowsim::analysis::optimize::{
    OptimizationPlan, OptimizationResult, Verdict, optimization_result, plan_optimization, progress,
};
use escrowsim::program::NoProbe;
use escrowsim::sweep::{UnitResult, run_unit};

const HORIZON_DAYS: f64 = 120.0;
const ORDERS_PER_DAY_PER_SUPPLIER: f64 = 10.0;
const SUPPLIERS: f64 = 10.0;
const LIFE_DAYS: f64 = 0.3;
const CAP: f64 = 10_100.0;

fn plan_of(file: &str) -> OptimizationPlan {
    let path = repository_root().join("tests/optimize").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    plan_optimization(
        &text,
        file,
        &repository_root().join("tests/optimize"),
        |path| {
            std::fs::read_to_string(path)
                .map_err(|error| escrowsim::input::InputError::Unreadable(error.to_string()))
        },
    )
    .unwrap_or_else(|error| panic!("{file}: {error}"))
}

/// Runs the procedure in process, stage by stage, as `escrowsim optimize`
/// does without a shard.
fn optimise(plan: &OptimizationPlan) -> OptimizationResult {
    let candidates = plan.sweep.points.len();
    let manifest = plan.sweep.manifest();
    let mut units: Vec<(String, UnitResult)> = Vec::new();
    loop {
        let observed =
            escrowsim::analysis::optimize::observations(&manifest, &plan.optimization, &units)
                .unwrap();
        let state = progress(&plan.optimization, candidates, &observed).unwrap();
        let Some(stage) = state.next else {
            break;
        };
        for unit in stage.units {
            let result = run_unit(&plan.sweep, unit, &mut NoProbe).unwrap();
            units.push((format!("unit {unit}"), result));
        }
    }
    optimization_result(&manifest, &units).unwrap()
}

/// E[orders.covered] with a limit of `c` orders, from the loss formula.
fn expected_covered(c: usize) -> f64 {
    let blocking = mean_transient_blocking(c, ORDERS_PER_DAY_PER_SUPPLIER, LIFE_DAYS, HORIZON_DAYS);
    ORDERS_PER_DAY_PER_SUPPLIER * SUPPLIERS * HORIZON_DAYS * (1.0 - blocking)
}

#[test]
fn the_optimiser_picks_the_largest_limit_under_the_cap_derived_from_the_loss_formula() {
    let plan = plan_of("erlang-limit.ron");
    // Candidate i is a limit of i + 1 orders.
    let expected: Vec<f64> = (1..=plan.sweep.points.len())
        .map(expected_covered)
        .collect();
    let optimum = expected
        .iter()
        .rposition(|&covered| covered <= CAP)
        .expect("some limit meets the cap");
    // The derivation leaves room: the optimum and the next limit are far
    // from the cap against the spread of a run (about 100 orders).
    assert!(CAP - expected[optimum] > 300.0 && expected[optimum + 1] - CAP > 300.0);
    // Repeated seeded trials: each picks its candidate from runs of its own.
    let trials = 12;
    let mut correct: usize = 0;
    let mut covered_by_confirmation = 0;
    for trial in 0..trials {
        let mut plan = plan.clone();
        plan.sweep.base_seed = 1000 + trial;
        let result = optimise(&plan);
        if result.chosen == Some(optimum) {
            correct += 1;
            let confirmation = result.procedure.confirmation.as_ref().unwrap();
            assert_eq!(confirmation.feasibility.verdict, Verdict::Feasible);
            // The confirmation's 95% interval of the covered value holds
            // the derived mean (1000.00 per covered order) most of the time.
            let truth = 1000.0 * expected[optimum];
            covered_by_confirmation += usize::from(
                confirmation.objective.low <= truth && truth <= confirmation.objective.high,
            );
        }
    }
    println!("{correct} of {trials} trials chose the derived optimum");
    // The guarantee is at least 95%: 10 or more of 12 (P(X <= 9) = 0.02 at
    // exactly 95%).
    assert!(
        correct >= 10,
        "{correct} of {trials} trials chose the optimum"
    );
    assert!(
        covered_by_confirmation >= correct.saturating_sub(2),
        "the confirmation interval held the derived mean in {covered_by_confirmation} of {correct}"
    );
}

#[test]
fn common_random_numbers_cut_the_runs_needed() {
    // Four limits, 6 to 9 orders, no constraint: the covered value rises
    // ever more slowly (E differs by about 360, 160 and 70 orders), so the
    // last two need the selection to tell apart.
    let common = plan_of("erlang-best.ron");
    let mut independent = common.clone();
    let mut optimization = independent.optimization.clone();
    optimization.common_random_numbers = false;
    independent.sweep.optimization = Some(optimization.clone());
    independent.optimization = optimization;
    let (mut runs_common, mut runs_independent) = (0, 0);
    for seed in [1, 2, 3, 4] {
        let mut with = common.clone();
        with.sweep.base_seed = seed;
        let mut without = independent.clone();
        without.sweep.base_seed = seed;
        let chosen_with = optimise(&with);
        let chosen_without = optimise(&without);
        runs_common += chosen_with.runs;
        runs_independent += chosen_without.runs;
        // Both pick the largest limit, whose mean is highest.
        assert_eq!(chosen_with.chosen, Some(3));
        assert_eq!(chosen_without.chosen, Some(3));
    }
    let ratio = runs_common as f64 / runs_independent as f64;
    println!(
        "runs with common random numbers {runs_common}, with independent streams {runs_independent}: ratio {ratio:.2}"
    );
    assert!(ratio < 0.75, "ratio {ratio}");
}

fn optimize_into(directory: &std::path::Path, extra: &[&str]) -> String {
    let study = repository_root().join("tests/optimize/erlang-limit.ron");
    let mut arguments = vec!["optimize", path(&study), "--out", path(directory)];
    arguments.extend_from_slice(extra);
    succeeded(&escrowsim(&arguments))
}

#[test]
fn sharded_stage_by_stage_runs_give_the_same_bytes_as_one_run() {
    let whole = fresh_directory("optimize", "whole");
    let summary = optimize_into(&whole, &["--jobs", "2"]);
    assert!(summary.contains("Chosen: candidate 3: rules.coverage_limit_floor = 4000.00"));
    let sharded = fresh_directory("optimize", "sharded");
    let study = repository_root().join("tests/optimize/erlang-limit.ron");
    let dry = |directory: &std::path::Path| {
        succeeded(&escrowsim(&[
            "optimize",
            path(&study),
            "--out",
            path(directory),
            "--dry-run",
        ]))
    };
    let mut stages = 0;
    while !dry(&sharded).contains("all stages complete") {
        // Shard 1 first: the order of shards within a stage is free.
        for shard in ["1/2", "0/2"] {
            optimize_into(&sharded, &["--shard", shard, "--jobs", "1"]);
        }
        stages += 1;
        assert!(stages < 20, "the stages never end");
    }
    for file in [
        "result.json",
        "result.csv",
        "result.parquet",
        "result.html",
        "chosen.ron",
    ] {
        assert_eq!(
            std::fs::read(whole.join(file)).unwrap(),
            std::fs::read(sharded.join(file)).unwrap(),
            "{file} differs between the whole and the sharded run"
        );
    }
    // `merge` of the directory gives the result again.
    let merged = whole.join("merged.json");
    succeeded(&escrowsim(&["merge", path(&whole), "--out", path(&merged)]));
    assert_eq!(
        std::fs::read(&merged).unwrap(),
        std::fs::read(whole.join("result.json")).unwrap()
    );
    // The chosen scenario is a scenario with the chosen floor.
    let chosen = std::fs::read_to_string(whole.join("chosen.ron")).unwrap();
    assert!(
        chosen.contains("coverage_limit_floor: \"4000.00\""),
        "{chosen}"
    );
    let scenario = escrowsim::scenario::parse_scenario(&chosen, "chosen.ron").unwrap();
    assert_eq!(scenario.rules.coverage_limit_floor.to_string(), "4000.00");
    // Running again finds everything done and writes the same result.
    let again = optimize_into(&whole, &[]);
    assert_eq!(again, summary);
}

#[test]
fn optimisation_files_with_errors_are_refused_with_their_lines() {
    let directory = fresh_directory("optimize", "refusals");
    std::fs::create_dir_all(&directory).unwrap();
    let base = repository_root().join("tests/optimize/erlang.ron");
    let cases = [
        (
            "world",
            r#"decisions: [(path: "suppliers[*].volunteer_probability", values: [0.5, 0.9])], maximise: "gmv.covered", indifference: 1"#,
            "is not a rule",
        ),
        (
            "metric",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, 20])], maximise: "gmv.coverd", indifference: 1"#,
            "\"gmv.coverd\" is not a metric of the outcome",
        ),
        (
            "both",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, 20])], maximise: "gmv.covered", constraints: [(metric: "refunds.rate", at_most: 0.1, at_least: 0.0)], indifference: 1"#,
            "not both or neither",
        ),
        (
            "objective",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, 20])], indifference: 1"#,
            "either `maximise",
        ),
        (
            "confidence",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, 20])], maximise: "gmv.covered", confidence: 1.5, indifference: 1"#,
            "is not a confidence",
        ),
        (
            "indifference",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, 20])], maximise: "gmv.covered", indifference: 0"#,
            "is not a difference worth having",
        ),
        (
            "value",
            r#"decisions: [(path: "rules.claim_window_days", values: [10, -3])], maximise: "gmv.covered", indifference: 1"#,
            "decisions[0].values[1]",
        ),
    ];
    for (name, fields, expected) in cases {
        let file = directory.join(format!("{name}.ron"));
        std::fs::write(
            &file,
            format!(
                "Optimize(\n    name: \"{name}\",\n    scenario: {:?},\n    {fields},\n)\n",
                path(&base)
            ),
        )
        .unwrap();
        let output = escrowsim(&[
            "optimize",
            path(&file),
            "--out",
            path(&directory.join(name)),
        ]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        let message = stderr(&output);
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            message.contains(&format!("{name}.ron:")),
            "{name}: {message}"
        );
        assert!(
            !directory.join(name).exists(),
            "{name}: a directory was made"
        );
        let validate = escrowsim(&["validate", path(&file)]);
        assert_eq!(validate.status.code(), Some(2), "{name}: validate");
    }
    // An optimisation is not a sweep, and a sweep is not an optimisation.
    let study = repository_root().join("tests/optimize/erlang-limit.ron");
    let output = escrowsim(&["sweep", path(&study), "--out", path(&directory.join("s"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("run it with `escrowsim optimize`"));
    let sweep = repository_root().join("sweeps/claim-window-by-release.ron");
    let output = escrowsim(&[
        "optimize",
        path(&sweep),
        "--out",
        path(&directory.join("o")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("run it with `escrowsim sweep`"));
    let valid = succeeded(&escrowsim(&["validate", path(&study)]));
    assert!(
        valid.contains("valid: optimisation \"erlang-limit\""),
        "{valid}"
    );
    assert!(valid.contains("8 candidates"), "{valid}");
}

#[test]
fn a_stopped_optimisation_exits_130_writes_no_result_and_resumes_to_the_same_bytes() {
    use crate::common::{send, wait_for_exit, worked_a_quarter_second};
    let study = repository_root().join("tests/optimize/erlang-limit.ron");
    let stopped = fresh_directory("optimize", "stopped");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args([
            "optimize",
            path(&study),
            "--out",
            path(&stopped),
            "--jobs",
            "1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        worked_a_quarter_second(&mut child),
        "the optimisation ended before it could be stopped"
    );
    send(&child, 2);
    let status = wait_for_exit(&mut child, "optimize SIGINT");
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(!stopped.join("result.json").exists());
    assert!(!stopped.join("chosen.ron").exists());
    // Every unit file left behind is whole: the run resumes from them.
    let resumed = optimize_into(&stopped, &[]);
    let whole = fresh_directory("optimize", "unstopped");
    let reference = optimize_into(&whole, &[]);
    assert_eq!(resumed, reference);
    assert_eq!(
        std::fs::read(stopped.join("result.json")).unwrap(),
        std::fs::read(whole.join("result.json")).unwrap()
    );
}
