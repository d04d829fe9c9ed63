//! The native half of the `escrowsim` Python package: the workspace's own
//! loading, runs, replications and tables behind a small Python API, so
//! Python gets the same outcome and digest as the CLI, with no second
//! implementation of anything.
//!
//! The Python half (`python/escrowsim/__init__.py`) shapes what comes back
//! for analysts: money as `decimal.Decimal`, tables as pandas DataFrames
//! (read by pyarrow from the Parquet bytes the columnar crate builds), and
//! scenario problems as a `ScenarioError` exception.
//!
//! Runs release the GIL: the work runs on a worker thread while the
//! calling thread waits without the GIL and checks Python's signals every
//! [`SIGNAL_CHECK_MS`]; a pending Ctrl-C sets the stop flag the run's
//! probe reads at its checkpoints (as the CLI's stop signal does), the
//! worker stops there, and `KeyboardInterrupt` is raised with nothing
//! returned, so no partial result exists.

use escrowsim::analysis::{
    Comparison, MetricPatterns, Plan, ReplicationSummary, Replications, replicate, replicate_pair,
};
use escrowsim::columnar::{
    Batch as RecordBatch, ColumnarError, Rows, comparison_batch, parquet_bytes, replications_batch,
    summary_batch,
};
use escrowsim::engine::SimTime;
use escrowsim::input::Located;
use escrowsim::program::{Interrupted, Probe};
use escrowsim::report::Report;
use escrowsim::scenario::rules::RULES;
use escrowsim::scenario::{LoadError, RulesPatch, Scenario, parse_scenario, validate};
use pyo3::exceptions::{PyKeyboardInterrupt, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How often a waiting call checks for Ctrl-C: the longest a stop request
/// waits before the run is asked to stop.
const SIGNAL_CHECK_MS: u64 = 50;

pyo3::create_exception!(
    _escrowsim,
    NativeScenarioError,
    PyValueError,
    "A scenario that cannot be loaded or changed: args are (message, problems)."
);

/// A probe that stops the run once `stop` is set.
struct StopProbe<'a> {
    stop: &'a AtomicBool,
}

impl Probe for StopProbe<'_> {
    const TIMES_SETTLEMENTS: bool = false;

    fn checkpoint(&mut self, _simulated: SimTime, _horizon: SimTime) -> bool {
        !self.stop.load(Ordering::Relaxed)
    }
}

/// Runs `work` on a worker thread with the GIL released, checking for
/// Ctrl-C while it runs; on one, asks the worker to stop, waits for it,
/// and raises the signal's exception (KeyboardInterrupt). A panic of the
/// work becomes a RuntimeError.
fn run_interruptibly<T, W>(py: Python<'_>, work: W) -> PyResult<T>
where
    T: Send,
    W: FnOnce(&AtomicBool) -> Result<T, Interrupted> + Send,
{
    let stop = AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel();
    // Waited on without the GIL, so shared with the closure that waits.
    let receiver = std::sync::Mutex::new(receiver);
    let wait = |timeout: Option<Duration>| {
        let receiver = receiver
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match timeout {
            Some(timeout) => receiver.recv_timeout(timeout),
            None => receiver
                .recv()
                .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        }
    };
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(stop)));
            // The receiver outlives the scope; a send cannot fail.
            let _ = sender.send(result);
        });
        loop {
            let received = py.detach(|| wait(Some(Duration::from_millis(SIGNAL_CHECK_MS))));
            match received {
                Ok(Ok(Ok(value))) => return Ok(value),
                Ok(Ok(Err(interrupted))) => {
                    // Only a stop request interrupts a run; without one
                    // this is a programmer's error.
                    return Err(PyKeyboardInterrupt::new_err(format!(
                        "the run stopped{}",
                        interrupted
                            .at
                            .map(|at| format!(" at simulated day {}", at.days()))
                            .unwrap_or_default()
                    )));
                }
                Ok(Err(panic)) => {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
                        .unwrap_or_else(|| "a panic".to_string());
                    return Err(PyRuntimeError::new_err(format!(
                        "escrowsim failed internally: {message}"
                    )));
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(signal) = py.check_signals() {
                        stop.store(true, Ordering::Relaxed);
                        // The worker stops at its next checkpoint; its
                        // result is dropped, so nothing partial is kept.
                        let _ = py.detach(|| wait(None));
                        return Err(signal);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "escrowsim failed internally: the run ended without a result",
                    ));
                }
            }
        }
    })
}

/// The problems of a load error, each as a dict of file, line, column,
/// field and message, and the error's message.
fn scenario_error(error: &LoadError) -> PyErr {
    let problems: Vec<Located> = match error {
        LoadError::Invalid { problems, .. } => problems.clone(),
        LoadError::Syntax(problem) => vec![problem.clone()],
        LoadError::Unreadable { source_name, .. }
        | LoadError::TooLarge { source_name, .. }
        | LoadError::TooLong { source_name }
        | LoadError::NotText { source_name, .. } => {
            vec![Located::new(source_name.clone(), error.to_string())]
        }
    };
    problems_error(error.to_string(), &problems)
}

/// One problem as Python receives it: (file, line, column, field, message).
type ProblemTuple = (String, Option<u32>, Option<u32>, Option<String>, String);

fn problems_error(message: String, problems: &[Located]) -> PyErr {
    let problems: Vec<ProblemTuple> = problems
        .iter()
        .map(|problem| {
            (
                problem.source.clone(),
                problem.position.map(|position| position.line),
                problem.position.map(|position| position.column),
                problem.field.clone(),
                problem.message.clone(),
            )
        })
        .collect();
    NativeScenarioError::new_err((message, problems))
}

fn table_error(error: ColumnarError) -> PyErr {
    PyRuntimeError::new_err(error.to_string())
}

/// A table as the bytes of a Parquet file, which pyarrow reads.
fn bytes<'py>(py: Python<'py>, batch: &RecordBatch) -> PyResult<Bound<'py, PyBytes>> {
    let bytes = parquet_bytes(batch).map_err(table_error)?;
    Ok(PyBytes::new(py, &bytes))
}

/// A validated scenario: loaded from a file or text, with rules that can
/// be changed one at a time (each change validated as a whole scenario).
#[pyclass(module = "escrowsim._escrowsim", name = "NativeScenario")]
#[derive(Clone)]
struct NativeScenario {
    scenario: Scenario,
    /// The file name, or `<text>`, that names the scenario in problems.
    source_name: String,
}

#[pymethods]
impl NativeScenario {
    #[getter]
    fn name(&self) -> String {
        self.scenario.name.clone()
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    #[getter]
    fn horizon_days(&self) -> u32 {
        self.scenario.horizon_days
    }

    #[getter]
    fn currency(&self) -> String {
        self.scenario.currency.clone()
    }

    #[getter]
    fn source_name(&self) -> String {
        self.source_name.clone()
    }

    fn copy(&self) -> NativeScenario {
        self.clone()
    }

    /// Every rule: (name, default as written, meaning), in declaration order.
    #[staticmethod]
    fn rules() -> Vec<(&'static str, &'static str, &'static str)> {
        RULES
            .iter()
            .map(|rule| (rule.name, rule.default, rule.meaning))
            .collect()
    }

    /// The rule's value as a scenario writes it.
    fn rule_text(&self, rule: &str) -> PyResult<String> {
        self.scenario
            .rules
            .value_text(rule)
            .ok_or_else(|| no_such_rule(rule))
    }

    /// Sets `rule` to `text` (RON, as a scenario's `rules` block writes
    /// it); refused, leaving the scenario as it was, when the text is no
    /// value of the rule or the scenario would not validate.
    fn set_rule(&mut self, rule: &str, text: &str) -> PyResult<()> {
        if !RULES.iter().any(|declared| declared.name == rule) {
            return Err(no_such_rule(rule));
        }
        let field = format!("rules.{rule}");
        let patch = RulesPatch::of_rule(rule, text).map_err(|message| {
            problems_error(
                message.clone(),
                &[Located::new(&self.source_name, message).in_field(field.clone())],
            )
        })?;
        let mut changed = self.scenario.clone();
        changed.rules.apply(&patch);
        let problems: Vec<Located> = validate(&changed)
            .into_iter()
            .map(|problem| Located::new(&self.source_name, problem.message).in_field(problem.path))
            .collect();
        if !problems.is_empty() {
            return Err(problems_error(Located::lines(&problems), &problems));
        }
        self.scenario = changed;
        Ok(())
    }
}

fn no_such_rule(rule: &str) -> PyErr {
    pyo3::exceptions::PyAttributeError::new_err(format!("{rule:?} is not a rule of the program"))
}

/// Parses and validates scenario text; `source_name` names it in problems.
#[pyfunction]
fn load_text(py: Python<'_>, text: String, source_name: String) -> PyResult<NativeScenario> {
    py.detach(|| parse_scenario(&text, &source_name))
        .map(|scenario| NativeScenario {
            scenario,
            source_name: source_name.clone(),
        })
        .map_err(|error| scenario_error(&error))
}

/// Reads (bounded, a regular file only), parses and validates a scenario file.
#[pyfunction]
fn load_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<NativeScenario> {
    let source_name = escrowsim::input::source_name(&path);
    py.detach(|| escrowsim::scenario::load_scenario_file(&path))
        .map(|scenario| NativeScenario {
            scenario,
            source_name,
        })
        .map_err(|error| scenario_error(&error))
}

/// The replications of one scenario, with, for a single run, its report.
#[pyclass(module = "escrowsim._escrowsim", name = "NativeRun")]
struct NativeRun {
    replications: Replications,
    summary: ReplicationSummary,
    /// The JSON of the outcome and the digest, for a single run.
    single: Option<(String, String)>,
}

/// The metric paths of money, whole-run and monthly (relative to a month),
/// which tell the Python half which strings of an outcome are money.
fn money_paths(replications: &Replications) -> (Vec<String>, Vec<String>) {
    let money = |metrics: &[escrowsim::analysis::Metric]| {
        metrics
            .iter()
            .filter(|metric| metric.kind == escrowsim::analysis::MetricKind::Money)
            .map(|metric| metric.path.clone())
            .collect()
    };
    (
        money(&replications.schema.metrics),
        money(&replications.schema.monthly_metrics),
    )
}

#[pymethods]
impl NativeRun {
    /// The outcome of a single run as JSON text; None for replications.
    #[getter]
    fn outcome_json(&self) -> Option<String> {
        self.single.as_ref().map(|(outcome, _)| outcome.clone())
    }

    #[getter]
    fn digest(&self) -> Option<String> {
        self.single.as_ref().map(|(_, digest)| digest.clone())
    }

    #[getter]
    fn digests(&self) -> Vec<String> {
        self.replications
            .runs
            .iter()
            .map(|run| run.digest.clone())
            .collect()
    }

    #[getter]
    fn seeds(&self) -> Vec<u64> {
        self.replications.runs.iter().map(|run| run.seed).collect()
    }

    #[getter]
    fn base_seed(&self) -> u64 {
        self.replications.base_seed
    }

    #[getter]
    fn money_paths(&self) -> (Vec<String>, Vec<String>) {
        money_paths(&self.replications)
    }

    /// The summary as the CLI's `run --replications --format json` writes it.
    fn summary_json(&self) -> String {
        self.summary.to_json()
    }

    fn replications_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = replications_batch(
            &self.replications,
            Rows::WholeRun,
            &MetricPatterns::default(),
        )
        .map_err(table_error)?;
        bytes(py, &batch)
    }

    fn monthly_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = replications_batch(
            &self.replications,
            Rows::Monthly,
            &MetricPatterns::default(),
        )
        .map_err(table_error)?;
        bytes(py, &batch)
    }

    fn summary_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = summary_batch(&self.summary).map_err(table_error)?;
        bytes(py, &batch)
    }
}

fn plan(base_seed: u64, replications: u32, jobs: u32, horizon_days: u32) -> PyResult<Plan> {
    let plan = Plan::new(base_seed, replications, jobs)
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    plan.check_horizon(horizon_days)
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    Ok(plan)
}

/// Runs `scenario` (`replications` times on `jobs` threads, seeds derived
/// from `seed`, the scenario's own by default) with the GIL released.
#[pyfunction]
#[pyo3(signature = (scenario, seed=None, replications=1, jobs=1))]
fn run(
    py: Python<'_>,
    scenario: &NativeScenario,
    seed: Option<u64>,
    replications: u32,
    jobs: u32,
) -> PyResult<NativeRun> {
    let scenario = &scenario.scenario;
    let seed = seed.unwrap_or(scenario.seed);
    let plan = plan(seed, replications, jobs, scenario.horizon_days)?;
    if replications == 1 {
        let (report, set) = run_interruptibly(py, |stop| {
            let output = escrowsim::run(scenario, seed, &mut StopProbe { stop })?;
            let report = Report::new(scenario, seed, &output, None);
            Ok((
                report,
                escrowsim::analysis::single_run(scenario, seed, &output),
            ))
        })?;
        let outcome = serde_json::to_string(&report.outcome)
            .map_err(|error| PyRuntimeError::new_err(error.to_string()))?;
        let summary = ReplicationSummary::new(&set).with_scenario(None, &scenario.currency);
        return Ok(NativeRun {
            replications: set,
            summary,
            single: Some((outcome, report.digest)),
        });
    }
    let set = run_interruptibly(py, |stop| replicate(scenario, &plan, || StopProbe { stop }))?;
    let summary = ReplicationSummary::new(&set).with_scenario(None, &scenario.currency);
    Ok(NativeRun {
        replications: set,
        summary,
        single: None,
    })
}

/// Paired replications of two scenarios on common random numbers.
#[pyclass(module = "escrowsim._escrowsim", name = "NativeComparison")]
struct NativeComparison {
    a: Replications,
    b: Replications,
    comparison: Comparison,
}

#[pymethods]
impl NativeComparison {
    /// The comparison as the CLI's `compare --format json` writes it.
    fn report_json(&self) -> String {
        self.comparison.to_json()
    }

    #[getter]
    fn money_paths(&self) -> (Vec<String>, Vec<String>) {
        money_paths(&self.a)
    }

    fn replications_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = comparison_batch(&self.a, &self.b, Rows::WholeRun, &MetricPatterns::default())
            .map_err(table_error)?;
        bytes(py, &batch)
    }

    fn monthly_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = comparison_batch(&self.a, &self.b, Rows::Monthly, &MetricPatterns::default())
            .map_err(table_error)?;
        bytes(py, &batch)
    }

    fn a_summary_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = summary_batch(&self.comparison.a).map_err(table_error)?;
        bytes(py, &batch)
    }

    fn b_summary_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch = summary_batch(&self.comparison.b).map_err(table_error)?;
        bytes(py, &batch)
    }
}

/// Compares `a` and `b` over paired replications (base seed `seed`, A's
/// own by default), as `escrowsim compare` does.
#[pyfunction]
#[pyo3(signature = (a, b, seed=None, replications=20, jobs=1))]
fn compare(
    py: Python<'_>,
    a: &NativeScenario,
    b: &NativeScenario,
    seed: Option<u64>,
    replications: u32,
    jobs: u32,
) -> PyResult<NativeComparison> {
    let (a, b) = (&a.scenario, &b.scenario);
    let seed = seed.unwrap_or(a.seed);
    let plan = plan(seed, replications, jobs, a.horizon_days.max(b.horizon_days))?;
    let (a_set, b_set) = run_interruptibly(py, |stop| {
        replicate_pair(a, b, &plan, || StopProbe { stop })
    })?;
    let mut comparison = Comparison::new(&a_set, &b_set)
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    comparison.a = comparison.a.with_scenario(None, &a.currency);
    comparison.b = comparison.b.with_scenario(None, &b.currency);
    Ok(NativeComparison {
        a: a_set,
        b: b_set,
        comparison,
    })
}

/// The merged result of a sweep run in this process.
#[pyclass(module = "escrowsim._escrowsim", name = "NativeSweep")]
struct NativeSweep {
    result: escrowsim::sweep::SweepResult,
}

#[pymethods]
impl NativeSweep {
    /// The merged result as `escrowsim merge --out` writes it.
    fn result_json(&self) -> String {
        self.result.to_json()
    }

    /// The summary as `escrowsim merge --summary json` prints it.
    fn summary_json(&self) -> String {
        escrowsim::report::render_sweep_summary_json(&self.result)
    }

    #[getter]
    fn money_paths(&self) -> (Vec<String>, Vec<String>) {
        money_paths(&self.result.points[0].replications)
    }

    fn replications_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch =
            escrowsim::columnar::sweep_batch(&self.result, Rows::WholeRun).map_err(table_error)?;
        bytes(py, &batch)
    }

    fn monthly_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let batch =
            escrowsim::columnar::sweep_batch(&self.result, Rows::Monthly).map_err(table_error)?;
        bytes(py, &batch)
    }
}

fn check_jobs(jobs: u32) -> PyResult<()> {
    if jobs == 0 || jobs > escrowsim::analysis::JOBS_MAX {
        return Err(PyValueError::new_err(format!(
            "jobs: {jobs} is out of range 1..={}",
            escrowsim::analysis::JOBS_MAX
        )));
    }
    Ok(())
}

/// A sweep, study or optimisation file that cannot be read or planned.
fn plan_error(error: escrowsim::sweep::SweepError) -> PyErr {
    use escrowsim::sweep::SweepError;
    let problems = match &error {
        SweepError::Unreadable(problem) => vec![problem.clone()],
        SweepError::Scenario(load) => return scenario_error(load),
        SweepError::Invalid(problems) => problems.clone(),
    };
    problems_error(error.to_string(), &problems)
}

/// Reads and plans the file at `path` (bounded, as the CLI does).
fn load_plan(
    py: Python<'_>,
    path: &std::path::Path,
    what: &str,
) -> PyResult<escrowsim::sweep::LoadedPlan> {
    py.detach(|| escrowsim::sweep::load_plan(path, what))
        .map_err(plan_error)
}

/// A file of another kind than the function runs: refused as the CLI
/// refuses it, naming the function that runs it.
fn wrong_kind(path: &std::path::Path, is: &str, function: &str) -> PyErr {
    let source = escrowsim::input::source_name(path);
    let message = format!("{is}; run it with `escrowsim.{function}`");
    problems_error(
        format!("{source}: {message}"),
        &[Located::new(source, message)],
    )
}

fn merge_problems(problems: &[escrowsim::sweep::MergeProblem]) -> PyErr {
    PyRuntimeError::new_err(
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

fn output_error(error: escrowsim::studies::StudyOutputError) -> PyErr {
    use escrowsim::studies::StudyOutputError;
    match error {
        StudyOutputError::BadInput(message) => PyValueError::new_err(message),
        StudyOutputError::Internal(message) => {
            PyRuntimeError::new_err(format!("escrowsim failed internally: {message}"))
        }
        StudyOutputError::Interrupted(_) => PyKeyboardInterrupt::new_err("the runs stopped"),
    }
}

/// Runs every unit of the sweep file at `path` on `jobs` threads and
/// merges them, as `escrowsim sweep` then `escrowsim merge` do, without
/// writing a unit file.
#[pyfunction]
#[pyo3(signature = (path, jobs=1))]
fn sweep(py: Python<'_>, path: std::path::PathBuf, jobs: u32) -> PyResult<NativeSweep> {
    use escrowsim::sweep::{load_sweep, merge_units};
    check_jobs(jobs)?;
    let plan = py.detach(|| load_sweep(&path)).map_err(plan_error)?;
    let all: Vec<u64> = (0..plan.unit_count()).collect();
    let units = run_interruptibly(py, |stop| {
        escrowsim::studies::run_units(&plan, &all, jobs, || StopProbe { stop })
    })?;
    let result =
        merge_units(&plan.manifest(), units).map_err(|problems| merge_problems(&problems))?;
    Ok(NativeSweep { result })
}

/// The result of a study or an optimisation run in this process: the
/// texts the CLI writes to its output directory and prints.
#[pyclass(module = "escrowsim._escrowsim", name = "NativeStudyResult")]
struct NativeStudyResult {
    json: String,
    summary: String,
    csv: String,
    scenario_text: Option<String>,
}

#[pymethods]
impl NativeStudyResult {
    /// The text of the CLI's `result.json`.
    #[getter]
    fn json(&self) -> String {
        self.json.clone()
    }

    /// The summary the CLI prints.
    #[getter]
    fn summary(&self) -> String {
        self.summary.clone()
    }

    /// The text of the CLI's `result.csv`.
    #[getter]
    fn csv(&self) -> String {
        self.csv.clone()
    }

    /// `calibrated.ron` or `chosen.ron`; None for a sensitivity study or
    /// an optimisation that chose nothing.
    #[getter]
    fn scenario_text(&self) -> Option<String> {
        self.scenario_text.clone()
    }
}

/// Runs the study at `path` (a sensitivity study, or a calibration) as
/// `escrowsim sensitivity` or `escrowsim calibrate` does, in this process.
fn study(
    py: Python<'_>,
    path: std::path::PathBuf,
    jobs: u32,
    kind: escrowsim::analysis::study::StudyKind,
) -> PyResult<NativeStudyResult> {
    use escrowsim::analysis::study::{StudyKind, analyse_study};
    use escrowsim::studies::{StudyOutputError, calibrated_scenario, predictive_check};
    use escrowsim::sweep::{LoadedPlan, merge_units};
    check_jobs(jobs)?;
    let plan = match load_plan(py, &path, "study file")? {
        LoadedPlan::Study(plan) if plan.study.kind == kind => plan,
        LoadedPlan::Study(plan) => {
            return Err(match plan.study.kind {
                StudyKind::Sensitivity => {
                    wrong_kind(&path, "is a sensitivity study, Study(...)", "sensitivity")
                }
                StudyKind::Calibration => {
                    wrong_kind(&path, "is a calibration, Calibration(...)", "calibrate")
                }
            });
        }
        LoadedPlan::Optimization(_) => {
            return Err(wrong_kind(
                &path,
                "is an optimisation, Optimize(...)",
                "optimize",
            ));
        }
        LoadedPlan::Sweep(_) => {
            return Err(wrong_kind(&path, "is a sweep, Sweep(...)", "sweep"));
        }
    };
    let all: Vec<u64> = (0..plan.sweep.unit_count()).collect();
    let units = run_interruptibly(py, |stop| {
        escrowsim::studies::run_units(&plan.sweep, &all, jobs, || StopProbe { stop })
    })?;
    let result =
        merge_units(&plan.sweep.manifest(), units).map_err(|problems| merge_problems(&problems))?;
    let mut analysed = py
        .detach(|| analyse_study(&plan.study, &result))
        .map_err(|message| {
            PyValueError::new_err(format!("study {:?}: {message}", result.manifest.name))
        })?;
    let mut scenario_text = None;
    if kind == StudyKind::Calibration {
        let (scenario, text) =
            calibrated_scenario(&plan, &path, &mut analysed).map_err(output_error)?;
        let checked = run_interruptibly(py, |stop| {
            match predictive_check(&plan, &scenario, &mut analysed, jobs, || StopProbe { stop }) {
                Err(StudyOutputError::Interrupted(interrupted)) => Err(interrupted),
                other => Ok(other),
            }
        })?;
        checked.map_err(output_error)?;
        scenario_text = Some(text);
    }
    Ok(NativeStudyResult {
        json: analysed.to_json(),
        summary: escrowsim::report::render_study_text(&analysed),
        csv: escrowsim::report::render_study_csv(&analysed),
        scenario_text,
    })
}

/// `escrowsim sensitivity` in this process, writing no file.
#[pyfunction]
#[pyo3(signature = (path, jobs=1))]
fn sensitivity(py: Python<'_>, path: std::path::PathBuf, jobs: u32) -> PyResult<NativeStudyResult> {
    study(
        py,
        path,
        jobs,
        escrowsim::analysis::study::StudyKind::Sensitivity,
    )
}

/// `escrowsim calibrate` in this process, writing no file.
#[pyfunction]
#[pyo3(signature = (path, jobs=1))]
fn calibrate(py: Python<'_>, path: std::path::PathBuf, jobs: u32) -> PyResult<NativeStudyResult> {
    study(
        py,
        path,
        jobs,
        escrowsim::analysis::study::StudyKind::Calibration,
    )
}

/// `escrowsim optimize` in this process: every stage run to the end, each
/// decided by the outputs of the ones before, writing no file.
#[pyfunction]
#[pyo3(signature = (path, jobs=1))]
fn optimize(py: Python<'_>, path: std::path::PathBuf, jobs: u32) -> PyResult<NativeStudyResult> {
    use escrowsim::analysis::optimize::{
        Observations, observations, optimization_result, progress,
    };
    use escrowsim::sweep::LoadedPlan;
    check_jobs(jobs)?;
    let plan = match load_plan(py, &path, "optimisation file")? {
        LoadedPlan::Optimization(plan) => plan,
        LoadedPlan::Study(plan) => {
            return Err(match plan.study.kind {
                escrowsim::analysis::study::StudyKind::Sensitivity => {
                    wrong_kind(&path, "is a study, not an optimisation", "sensitivity")
                }
                escrowsim::analysis::study::StudyKind::Calibration => {
                    wrong_kind(&path, "is a study, not an optimisation", "calibrate")
                }
            });
        }
        LoadedPlan::Sweep(_) => {
            return Err(wrong_kind(&path, "is a sweep, Sweep(...)", "sweep"));
        }
    };
    let source = escrowsim::input::source_name(&path);
    let optimization = &plan.optimization;
    let candidates = plan.sweep.points.len();
    let manifest = plan.sweep.manifest();
    let mut observed = Observations::new(candidates);
    let mut units = Vec::new();
    loop {
        let state = progress(optimization, candidates, &observed)
            .map_err(|error| PyValueError::new_err(format!("{source}: {error}")))?;
        let Some(stage) = state.next else {
            break;
        };
        let ran = run_interruptibly(py, |stop| {
            escrowsim::studies::run_units(&plan.sweep, &stage.units, jobs, || StopProbe { stop })
        })?;
        let more = observations(&manifest, optimization, &ran)
            .map_err(|problems| merge_problems(&problems))?;
        for (candidate, rows) in more.rows.into_iter().enumerate() {
            observed.rows[candidate].extend(rows);
        }
        units.extend(ran);
    }
    let result =
        optimization_result(&manifest, &units).map_err(|problems| merge_problems(&problems))?;
    let scenario_text =
        escrowsim::studies::chosen_scenario(&plan, &result).map_err(output_error)?;
    Ok(NativeStudyResult {
        json: result.to_json(),
        summary: escrowsim::report::render_optimization_text(&result),
        csv: escrowsim::report::render_optimization_csv(&result),
        scenario_text,
    })
}

#[pymodule]
fn _escrowsim(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<NativeScenario>()?;
    module.add_class::<NativeRun>()?;
    module.add_class::<NativeComparison>()?;
    module.add_class::<NativeSweep>()?;
    module.add_class::<NativeStudyResult>()?;
    module.add_function(wrap_pyfunction!(load_text, module)?)?;
    module.add_function(wrap_pyfunction!(load_file, module)?)?;
    module.add_function(wrap_pyfunction!(run, module)?)?;
    module.add_function(wrap_pyfunction!(compare, module)?)?;
    module.add_function(wrap_pyfunction!(sweep, module)?)?;
    module.add_function(wrap_pyfunction!(sensitivity, module)?)?;
    module.add_function(wrap_pyfunction!(calibrate, module)?)?;
    module.add_function(wrap_pyfunction!(optimize, module)?)?;
    module.add(
        "NativeScenarioError",
        module.py().get_type::<NativeScenarioError>(),
    )?;
    module.add("VERSION", escrowsim::report::VERSION)?;
    Ok(())
}
