//! `escrowsim merge`: join the unit results of one sweep, from one or more
//! directories (e.g. one per machine), into the sweep result.
//!
//! The result holds every metric of every point; it is built in unit order
//! from exact values, so it is byte-identical however the sweep was
//! sharded. The summary (key metrics with intervals, and each point's wall
//! time and memory) goes to stdout.

use super::Failure;
use super::output::{check_report_and_page, not_written, write_reports};
use super::signals::StopRequests;
use super::sweep::{MANIFEST_FILE, UNITS_DIRECTORY, read_sweep_file};
use clap::{Args, ValueEnum};
use escrowsim::input::Located;
use escrowsim::sweep::{Manifest, MergeProblem, UnitResult, merge_units};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct MergeArgs {
    /// Sweep directories written by `escrowsim sweep` (all of the same sweep).
    #[arg(required = true)]
    pub directories: Vec<PathBuf>,
    /// Write the sweep result (JSON, every metric of every point) to this file, atomically.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write a self-contained HTML report with metric-against-parameter charts.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Also write every replication of every point (a study's too) as a
    /// Parquet table to this file: `point`, one column per parameter, then
    /// the columns of `run --format parquet` (docs/parquet.md).
    #[arg(long, value_name = "FILE")]
    pub parquet: Option<PathBuf>,
    /// Format of the summary printed to stdout.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    pub summary: SummaryFormat,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Csv,
    Json,
}

pub fn merge(arguments: &MergeArgs) -> Result<(), Failure> {
    // First, so that a stop signal never kills the command halfway.
    let stop = StopRequests::install()?;
    let outputs = [
        arguments.out.as_deref(),
        arguments.html.as_deref(),
        arguments.parquet.as_deref(),
    ];
    check_report_and_page(arguments.out.as_deref(), arguments.html.as_deref())?;
    check_report_and_page(arguments.parquet.as_deref(), arguments.out.as_deref())?;
    check_report_and_page(arguments.parquet.as_deref(), arguments.html.as_deref())?;
    let (manifest, units) = read_directories(&arguments.directories, &stop, &outputs)?;
    if manifest.optimization.is_some() {
        return merge_optimization(arguments, &manifest, &units, &stop);
    }
    let result = merge_or_refuse(&manifest, units)?;
    stop.check(|| not_written(&outputs))?;
    let table = match &arguments.parquet {
        Some(_) => Some(super::replicate::parquet_table(
            escrowsim::columnar::sweep_batch(&result, escrowsim::columnar::Rows::Both),
        )?),
        None => None,
    };
    let table = arguments.parquet.as_deref().zip(table.as_deref());
    if let Some(study) = &manifest.study {
        let analysed = super::study::analyse(study, &result)?;
        let summary = match arguments.summary {
            SummaryFormat::Text => escrowsim::report::render_study_text(&analysed),
            SummaryFormat::Csv => escrowsim::report::render_study_csv(&analysed),
            SummaryFormat::Json => analysed.to_json(),
        };
        return super::study::write_study_reports(
            &analysed,
            arguments.out.as_deref(),
            arguments.html.as_deref(),
            table,
            &summary,
            &stop,
        );
    }
    let summary = match arguments.summary {
        SummaryFormat::Text => escrowsim::report::render_sweep_summary_text(&result),
        SummaryFormat::Csv => escrowsim::report::render_sweep_summary_csv(&result),
        SummaryFormat::Json => escrowsim::report::render_sweep_summary_json(&result),
    };
    write_result_reports(
        arguments.out.as_deref(),
        || result.to_json(),
        arguments.html.as_deref(),
        || escrowsim::report::render_sweep_html(&result),
        table,
        &summary,
        &stop,
    )
}

/// Writes a result's JSON to `out` and its page to `html`, each only when
/// asked for (built only then), a Parquet `table` to its file, and the
/// summary to stdout: all or none.
pub fn write_result_reports(
    out: Option<&Path>,
    json: impl FnOnce() -> String,
    html: Option<&Path>,
    page: impl FnOnce() -> String,
    table: Option<(&Path, &[u8])>,
    summary: &str,
    stop: &StopRequests,
) -> Result<(), Failure> {
    let json = out.map(|_| json());
    let page = html.map(|_| page());
    let mut reports: Vec<(Option<&Path>, &[u8])> = Vec::with_capacity(3);
    if let (Some(out), Some(json)) = (out, &json) {
        reports.push((Some(out), json.as_bytes()));
    }
    if let (Some(html), Some(page)) = (html, &page) {
        reports.push((Some(html), page.as_bytes()));
    }
    if let Some((parquet, table)) = table {
        reports.push((Some(parquet), table));
    }
    reports.push((None, summary.as_bytes()));
    let outputs = [out, html, table.map(|(parquet, _)| parquet)];
    write_reports(&reports, || stop.check(|| not_written(&outputs)))
}

/// The one failure of every problem that stops a merge (exit 2), a line each.
pub fn refusal(problems: &[MergeProblem]) -> Failure {
    Failure::BadInput(
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

/// An optimisation's result from the units of its directories: the
/// procedure replayed over them (refused while a stage is incomplete).
fn merge_optimization(
    arguments: &MergeArgs,
    manifest: &Manifest,
    units: &[(String, UnitResult)],
    stop: &StopRequests,
) -> Result<(), Failure> {
    if let Some(parquet) = &arguments.parquet {
        return Err(Failure::BadInput(format!(
            "--parquet {}: writes the replications of a sweep's or a study's every point; an optimisation runs only some candidates' replications, and its result is result.json, result.csv and result.parquet",
            parquet.display()
        )));
    }
    let outputs = [arguments.out.as_deref(), arguments.html.as_deref()];
    let result = escrowsim::analysis::optimize::optimization_result(manifest, units)
        .map_err(|problems| refusal(&problems))?;
    stop.check(|| not_written(&outputs))?;
    let summary = match arguments.summary {
        SummaryFormat::Text => escrowsim::report::render_optimization_text(&result),
        SummaryFormat::Csv => escrowsim::report::render_optimization_csv(&result),
        SummaryFormat::Json => result.to_json(),
    };
    write_result_reports(
        arguments.out.as_deref(),
        || result.to_json(),
        arguments.html.as_deref(),
        || escrowsim::report::render_optimization_html(&result),
        None,
        &summary,
        stop,
    )
}

/// The units merged into the sweep's result, or every problem that stops
/// the merge (exit 2).
pub fn merge_or_refuse(
    manifest: &Manifest,
    units: Vec<(String, UnitResult)>,
) -> Result<escrowsim::sweep::SweepResult, Failure> {
    merge_units(manifest, units).map_err(|problems| refusal(&problems))
}

/// The manifest and the unit results of sweep or study directories (all of
/// one sweep), one copy of each unit; `outputs` are named if a stop ends
/// the reading.
pub fn read_directories(
    directories: &[PathBuf],
    stop: &StopRequests,
    outputs: &[Option<&std::path::Path>],
) -> Result<(Manifest, Vec<(String, UnitResult)>), Failure> {
    let mut manifest: Option<(PathBuf, Manifest)> = None;
    let mut units = Vec::new();
    let mut seen: std::collections::BTreeMap<(String, u64), String> =
        std::collections::BTreeMap::new();
    for directory in directories {
        let manifest_path = directory.join(MANIFEST_FILE);
        let text = read_sweep_file(&manifest_path)?.ok_or_else(|| {
            Failure::BadInput(
                Located::new(
                    directory.display().to_string(),
                    format!("not a sweep directory (it has no {MANIFEST_FILE})"),
                )
                .to_string(),
            )
        })?;
        let found = Manifest::from_json(&text, &manifest_path.display().to_string())
            .map_err(|problem| Failure::BadInput(problem.to_string()))?;
        match &manifest {
            None => manifest = Some((directory.clone(), found)),
            Some((first_directory, first)) if *first != found => {
                return Err(Failure::BadInput(format!(
                    "{} holds sweep {:?} (digest {}, escrowsim {}) but {} holds sweep {:?} (digest {}, escrowsim {}): only results of one sweep and one version merge",
                    directory.display(),
                    found.name,
                    found.digest,
                    found.version,
                    first_directory.display(),
                    first.name,
                    first.digest,
                    first.version
                )));
            }
            Some(_) => {}
        }
        let units_directory = directory.join(UNITS_DIRECTORY);
        let entries = std::fs::read_dir(&units_directory).map_err(|error| {
            Failure::BadInput(
                Located::new(
                    units_directory.display().to_string(),
                    format!("cannot read: {error}"),
                )
                .to_string(),
            )
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| {
                path.extension()
                    .is_some_and(|extension| extension == "json")
            })
            .collect();
        paths.sort();
        for path in paths {
            stop.check(|| not_written(outputs))?;
            let source = path.display().to_string();
            let text = read_sweep_file(&path)?.ok_or_else(|| {
                Failure::BadInput(Located::new(&source, "removed while merging").to_string())
            })?;
            let unit = UnitResult::from_json(&text, &source)
                .map_err(|problem| Failure::BadInput(problem.to_string()))?;
            // A unit seen before with the same digest (another shard's
            // copy) adds nothing: keep one, so memory follows the sweep's
            // units, not the files given. A differing copy is kept for the
            // merge to report.
            let key = (unit.sweep_digest.clone(), unit.unit);
            if seen.get(&key) == Some(&unit.replication.digest) {
                continue;
            }
            seen.entry(key)
                .or_insert_with(|| unit.replication.digest.clone());
            units.push((source, unit));
        }
    }
    let (_, manifest) =
        manifest.ok_or_else(|| Failure::BadInput("no directory to merge".to_string()))?;
    Ok((manifest, units))
}
