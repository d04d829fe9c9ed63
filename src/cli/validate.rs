//! `escrowsim validate`: every problem of a scenario, or a one-line summary.

use super::Failure;
use clap::Args;
use escrowsim::scenario::load_scenario_file;
use std::path::PathBuf;

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
}

pub fn validate(arguments: &ValidateArgs) -> Result<(), Failure> {
    let path = &arguments.scenario;
    let scenario = load_scenario_file(path)?;
    let suppliers: u64 = scenario
        .suppliers
        .iter()
        .map(|segment| u64::from(segment.count))
        .sum();
    let buyers: u64 = scenario
        .buyers
        .iter()
        .map(|segment| u64::from(segment.count))
        .sum();
    let line = format!(
        "{}: valid: scenario {:?}, {} supplier and {} buyer segments ({suppliers} suppliers, {buyers} buyers), {} days from {}",
        path.display(),
        scenario.name,
        scenario.suppliers.len(),
        scenario.buyers.len(),
        scenario.horizon_days,
        scenario.start_date
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}
