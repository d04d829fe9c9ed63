//! `escrowsim compare A.ron B.ron --replications R`: two rule sets, paired
//! replication by replication on common random numbers.

use super::flags::{
    AntitheticArgs, MemoryArgs, MetricsArgs, PrecisionArgs, ReportArgs, SeedArgs, WarmUpArgs,
};
use super::memory::{MemoryBudget, Workload, check_memory};
use super::output::{check_report_and_page, not_written};
use super::replicate::{
    Work, check_patterns, interrupted, performance_footer, plan, precise_failure, with_progress,
    write_with_page,
};
use super::run::Format;
use super::signals::StopRequests;
use super::{Failure, catching_panics};
use clap::Args;
use escrowsim::analysis::compare::world_differences;
use escrowsim::analysis::explain::{Explainer, Explanation, trace_pair};
use escrowsim::analysis::{
    Comparison, replicate_pair, replicate_pair_forked, replicate_pair_precise,
};
use escrowsim::report::explain::render_explanation_text;
use escrowsim::report::html::{explanation_section, render_comparison_html_with};
use escrowsim::report::{
    metric_columns, render_comparison_csv, render_comparison_html, render_comparison_text,
    render_precision_text,
};
use escrowsim::scenario::load_scenario_with_source;
use std::path::PathBuf;

pub const EXAMPLES: &str = "Examples:
  escrowsim compare scenarios/quick.ron scenarios/quick-release-at-contract.ron --replications 20
  escrowsim compare A.ron B.ron --replications 50 --jobs 2 --format json --out comparison.json
  escrowsim compare A.ron B.ron --replications 50 --html comparison.html
  escrowsim compare A.ron B.ron --replications 50 --format parquet --out comparison.parquet
  escrowsim compare A.ron B.ron --replications 400 --precision risk.platform_loss=500
  escrowsim compare scenarios/quick.ron scenarios/quick-release-at-contract.ron --replications 20 --fork-at 2014-07-01
  escrowsim compare A.ron B.ron --replications 5 --explain --explain-orders 20

Both scenarios run with the same replication seeds (derived from A's seed, or --seed), so
replication i of A and of B face the same buyers, suppliers and luck. A difference is marked
significant when its 95% interval excludes zero.";

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario of policy A, the baseline (RON).
    pub a: PathBuf,
    /// Scenario of policy B, the alternative (RON); differences are B - A.
    pub b: PathBuf,
    /// Paired replications to run (each runs A and B once).
    #[arg(long)]
    pub replications: u32,
    /// Threads; defaults to the available cores. The report is the same for any value.
    #[arg(long)]
    pub jobs: Option<u32>,
    #[command(flatten)]
    pub precision: PrecisionArgs,
    #[command(flatten)]
    pub antithetic: AntitheticArgs,
    #[command(flatten)]
    pub warm_up: WarmUpArgs,
    #[command(flatten)]
    pub seed: SeedArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub metrics: MetricsArgs,
    #[command(flatten)]
    pub memory: MemoryArgs,
    /// Run each replication's A once up to the first second of DATE, then
    /// both A and B on from that state (B under its rules from DATE on):
    /// both sides are identical before DATE, and the part before it runs
    /// once instead of twice. B must differ from A only in its rules and
    /// timeline.
    #[arg(long, value_name = "DATE", value_parser = super::snapshot::parse_date, conflicts_with = "precision")]
    pub fork_at: Option<escrowsim::scenario::Date>,
    /// Explain the differences order by order: every replication of A and B is run again with
    /// every order traced, and each changed order attributed to the rule that decided its first
    /// diverging event; the table of changed outcome x cause reconciles exactly with the ledgers.
    #[arg(long)]
    pub explain: bool,
    /// With --explain, list this many of the largest changed orders.
    #[arg(long, value_name = "N", requires = "explain", default_value_t = 10)]
    pub explain_orders: usize,
}

pub fn compare(arguments: &CompareArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    super::flags::check_parquet_out(arguments.report.format, arguments.report.out.as_deref())?;
    let (a, a_source) = load_scenario_with_source(&arguments.a)?;
    let (b, b_source) = load_scenario_with_source(&arguments.b)?;
    if a.start_date != b.start_date || a.horizon_days != b.horizon_days {
        return Err(Failure::BadInput(format!(
            "{} and {}: compare needs the same start_date and horizon_days (A: {} for {} days, B: {} for {} days)",
            arguments.a.display(),
            arguments.b.display(),
            a.start_date,
            a.horizon_days,
            b.start_date,
            b.horizon_days
        )));
    }
    let fork_day = match arguments.fork_at {
        Some(at) => Some(fork_day(arguments, &a, &b, at)?),
        None => None,
    };
    check_report_and_page(
        arguments.report.out.as_deref(),
        arguments.report.html.as_deref(),
    )?;
    if arguments.explain && matches!(arguments.report.format, Format::Csv) {
        return Err(Failure::BadInput(
            "--explain is shown in text, JSON and the HTML page; it has no CSV layout".to_string(),
        ));
    }
    let warnings = world_warning(arguments, &a, &b)
        .into_iter()
        .collect::<Vec<_>>();
    for warning in &warnings {
        note!("warning: {warning}");
    }
    let base_seed = arguments.seed.seed.unwrap_or(a.seed);
    if arguments.seed.seed.is_none() && a.seed != b.seed {
        note!(
            "note: {} has seed {} but both policies run with seeds derived from A's seed {base_seed} (common random numbers)",
            arguments.b.display(),
            b.seed
        );
    }
    let plan = plan(
        base_seed,
        arguments.replications,
        arguments.jobs,
        arguments.antithetic.antithetic,
        a.horizon_days,
    )?;
    // Replication i of A and of B are tasks 2i and 2i + 1: any mix of the
    // two may run at once; both sides' results are kept.
    // A forked replication holds its warm state beside the run going on
    // from a copy of it: two runs' worth of memory per job.
    let runs_at_once = match fork_day {
        Some(_) => 2 * u64::from(plan.jobs.min(plan.replications)),
        None => u64::from(plan.jobs.min(plan.replications.saturating_mul(2))),
    };
    let workload = Workload {
        runs_at_once,
        results_kept: 2 * u64::from(plan.replications),
    };
    let budget = MemoryBudget::find(arguments.memory.max_memory);
    check_memory(&arguments.a, &a, budget, workload)?;
    check_memory(&arguments.b, &b, budget, workload)?;
    let outputs = [
        arguments.report.html.as_deref(),
        arguments.report.out.as_deref(),
    ];
    let horizon_seconds = u64::from(a.horizon_days) * 86_400;
    let targets = &arguments.precision.precision;
    // A forked replication reaches its horizon once per probe (see
    // `replicate_pair_forked`), so it counts as one run.
    let work = Work::Replications {
        replications: plan.replications,
        runs_per_replication: if fork_day.is_some() { 1 } else { 2 },
        capped: !targets.is_empty(),
    };
    let ((mut a_set, mut b_set, precision), wall_ns) =
        with_progress(horizon_seconds, work, &stop, |progress| {
            catching_panics(|| {
                if let Some(fork_day) = fork_day {
                    return replicate_pair_forked(&a, &b, &plan, fork_day, || {
                        progress.probe(horizon_seconds)
                    })
                    .map(|(a_set, b_set)| (a_set, b_set, None))
                    .map_err(|at| interrupted(&stop, at, &outputs));
                }
                if targets.is_empty() {
                    return replicate_pair(&a, &b, &plan, || progress.probe(horizon_seconds))
                        .map(|(a_set, b_set)| (a_set, b_set, None))
                        .map_err(|at| interrupted(&stop, at, &outputs));
                }
                replicate_pair_precise(&a, &b, &plan, targets, || progress.probe(horizon_seconds))
                    .map(|(a_set, b_set, report)| (a_set, b_set, Some(report)))
                    .map_err(|error| precise_failure(&stop, error, &outputs))
            })?
        })?;
    stop.check(|| not_written(&outputs))?;
    let warm_up = arguments.warm_up.apply_to_pair(&mut a_set, &mut b_set)?;
    let mut comparison =
        Comparison::new(&a_set, &b_set).map_err(|error| Failure::Internal(error.to_string()))?;
    comparison.a = comparison
        .a
        .with_scenario(Some(a_source), &a.currency)
        .with_warm_up(warm_up.clone());
    comparison.b = comparison
        .b
        .with_scenario(Some(b_source), &b.currency)
        .with_warm_up(warm_up);
    comparison.warnings = warnings;
    comparison.precision = precision;
    let patterns = arguments.metrics.patterns();
    check_patterns(
        &patterns,
        arguments.report.format,
        &comparison.a,
        &metric_columns(&a_set),
    )?;
    let explanation = if arguments.explain {
        let replications = a_set.runs.len() as u32;
        Some(explain_pairs(
            &a,
            &b,
            &plan,
            replications,
            arguments.explain_orders,
            &stop,
            &outputs,
        )?)
    } else {
        None
    };
    let page = arguments.report.html.as_ref().map(|_| match &explanation {
        None => render_comparison_html(&comparison, &a_set, &b_set),
        Some(explanation) => render_comparison_html_with(
            &comparison,
            &a_set,
            &b_set,
            &explanation_section(explanation, &a.currency),
        ),
    });
    let rendered = match arguments.report.format {
        Format::Text => {
            let mut text = render_comparison_text(&comparison, &patterns);
            if let Some(precision) = &comparison.precision {
                text.push_str(&render_precision_text(precision));
            }
            if let Some(explanation) = &explanation {
                text.push_str(&render_explanation_text(explanation, &a.currency));
            }
            text.push_str(&performance_footer(&[&a_set, &b_set], wall_ns, plan.jobs));
            text.into_bytes()
        }
        Format::Json => match &explanation {
            None => comparison.to_json().into_bytes(),
            Some(explanation) => with_explanation(&comparison.to_json(), explanation)?.into_bytes(),
        },
        Format::Csv => render_comparison_csv(&a_set, &b_set, &patterns).into_bytes(),
        Format::Parquet => super::replicate::parquet_table(escrowsim::columnar::comparison_batch(
            &a_set,
            &b_set,
            escrowsim::columnar::Rows::Both,
            &patterns,
        ))?,
    };
    write_with_page(
        arguments.report.html.as_deref(),
        page.as_deref(),
        arguments.report.out.as_deref(),
        &rendered,
        &stop,
    )
}

/// The warning that A and B differ in more than their rules, naming the
/// files and what differs: the paired differences then mix the rules'
/// effect with the world's.
fn world_warning(
    arguments: &CompareArgs,
    a: &escrowsim::scenario::Scenario,
    b: &escrowsim::scenario::Scenario,
) -> Option<String> {
    let fields = world_differences(a, b);
    if fields.is_empty() {
        return None;
    }
    Some(format!(
        "{} and {} differ in {} as well as in rules and timeline: the differences are not of the rules alone",
        arguments.a.display(),
        arguments.b.display(),
        fields.join(", ")
    ))
}

/// The day of `--fork-at`, within the run, for two scenarios of one world.
fn fork_day(
    arguments: &CompareArgs,
    a: &escrowsim::scenario::Scenario,
    b: &escrowsim::scenario::Scenario,
    at: escrowsim::scenario::Date,
) -> Result<u32, Failure> {
    if !escrowsim::program::same_world(a, b) {
        return Err(Failure::BadInput(format!(
            "--fork-at: {} and {} differ in {}, not only in rules and timeline; a fork \
             continues one world under two rule sets",
            arguments.a.display(),
            arguments.b.display(),
            world_differences(a, b).join(", ")
        )));
    }
    let day = super::snapshot::day_of("--fork-at", a, at)?;
    note!(
        "forked at {at}, day {day} of {}: each replication runs its first {day} days once, for both sides",
        a.horizon_days
    );
    Ok(day)
}

/// Runs each of the comparison's replications of A and B again with every
/// order traced, one pair at a time (only one pair's traces are held), and
/// explains them.
fn explain_pairs(
    a: &escrowsim::scenario::Scenario,
    b: &escrowsim::scenario::Scenario,
    plan: &escrowsim::analysis::Plan,
    replications: u32,
    largest: usize,
    stop: &StopRequests,
    outputs: &[Option<&std::path::Path>],
) -> Result<Explanation, Failure> {
    let horizon_seconds = u64::from(a.horizon_days) * 86_400;
    let work = Work::Replications {
        replications,
        runs_per_replication: 2,
        capped: false,
    };
    let (explanation, _) = with_progress(horizon_seconds, work, stop, |progress| {
        catching_panics(|| {
            let mut explainer = Explainer::new(largest);
            for index in 0..replications {
                let mut probe = progress.probe(horizon_seconds);
                let pair = trace_pair(a, b, plan.base_seed, index, plan.antithetic, &mut probe)
                    .map_err(|at| interrupted(stop, at, outputs))?;
                explainer.add(&pair);
            }
            Ok(explainer.finish())
        })?
    })?;
    Ok(explanation)
}

/// The comparison's JSON with the explanation as its last key,
/// `explanation`; the comparison's own keys keep their order.
fn with_explanation(json: &str, explanation: &Explanation) -> Result<String, Failure> {
    let explanation = serde_json::to_string_pretty(explanation)
        .map_err(|error| Failure::Internal(error.to_string()))?;
    let Some(open) = json.trim_end().strip_suffix('}') else {
        return Err(Failure::Internal(
            "the comparison's JSON is not an object".to_string(),
        ));
    };
    let indented = explanation.replace('\n', "\n  ");
    Ok(format!(
        "{},\n  \"explanation\": {indented}\n}}\n",
        open.trim_end()
    ))
}
