//! `escrowsim validate`: every problem of a scenario, or a one-line summary.

use super::Failure;
use super::flags::MemoryArgs;
use super::memory::{MemoryBudget, Workload, check_memory};
use clap::Args;
use escrowsim::program::memory::{Bytes, estimate_peak_memory};
use escrowsim::scenario::load_scenario_file;
use std::path::PathBuf;

#[derive(Args)]
pub struct ValidateArgs {
    /// Scenario file (RON).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub memory: MemoryArgs,
}

pub fn validate(arguments: &ValidateArgs) -> Result<(), Failure> {
    let path = &arguments.scenario;
    let scenario = load_scenario_file(path)?;
    check_memory(
        path,
        &scenario,
        MemoryBudget::find(arguments.memory.max_memory),
        Workload::SINGLE_RUN,
    )?;
    let suppliers = scenario.supplier_count();
    let buyers = scenario.buyer_count();
    let line = format!(
        "{}: valid: scenario {:?}, {} supplier and {} buyer segments ({suppliers} suppliers, {buyers} buyers), {} days from {}; estimated peak memory {}",
        path.display(),
        scenario.name,
        scenario.suppliers.len(),
        scenario.buyers.len(),
        scenario.horizon_days,
        scenario.start_date,
        Bytes(estimate_peak_memory(&scenario).total_bytes())
    );
    super::output::write_report(None, format!("{line}\n").as_bytes())
}
