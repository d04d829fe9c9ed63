//! Refusing a scenario the machine cannot hold, before anything is allocated.
//!
//! The library estimates a run's peak memory from the scenario alone
//! ([`escrowsim::program::memory`]); this module finds the budget (the
//! machine's physical memory, or the cgroup limit when smaller, or
//! `--max-memory`) and turns an estimate beyond it into a bad-input error
//! (exit 2) that shows the estimate and what it is made of.

use super::Failure;
use escrowsim::program::memory::{Bytes, estimate_peak_memory};
use escrowsim::scenario::Scenario;
use std::path::Path;

/// How much memory a run may use, and where that figure came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBudget {
    pub bytes: u64,
    pub source: BudgetSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetSource {
    MaxMemoryOption,
    PhysicalMemory,
    ControlGroupLimit,
}

impl MemoryBudget {
    /// `--max-memory` when given; otherwise the machine's memory as Linux
    /// reports it; `None` when neither is known (no check is made then).
    pub fn find(max_memory: Option<u64>) -> Option<MemoryBudget> {
        if let Some(bytes) = max_memory {
            return Some(MemoryBudget {
                bytes,
                source: BudgetSource::MaxMemoryOption,
            });
        }
        let physical = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| mem_total_bytes(&text));
        let control_group = [
            "/sys/fs/cgroup/memory.max",
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        ]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .filter_map(|text| text.trim().parse::<u64>().ok())
        .min();
        match (physical, control_group) {
            (Some(physical), Some(limit)) if limit < physical => Some(MemoryBudget {
                bytes: limit,
                source: BudgetSource::ControlGroupLimit,
            }),
            (Some(physical), _) => Some(MemoryBudget {
                bytes: physical,
                source: BudgetSource::PhysicalMemory,
            }),
            (None, Some(limit)) => Some(MemoryBudget {
                bytes: limit,
                source: BudgetSource::ControlGroupLimit,
            }),
            (None, None) => None,
        }
    }

    fn describe(&self) -> String {
        let source = match self.source {
            BudgetSource::MaxMemoryOption => "--max-memory",
            BudgetSource::PhysicalMemory => "this machine's physical memory",
            BudgetSource::ControlGroupLimit => "this process's control-group memory limit",
        };
        format!("{} ({source})", Bytes(self.bytes))
    }
}

/// `MemTotal` of `/proc/meminfo` text, in bytes.
fn mem_total_bytes(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|line| line.starts_with("MemTotal:"))?;
    let mut fields = line.split_whitespace().skip(1);
    let value: u64 = fields.next()?.parse().ok()?;
    match fields.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// Refuses `scenario` when its estimated peak memory exceeds `budget`.
pub fn check_memory(
    scenario_path: &Path,
    scenario: &Scenario,
    budget: Option<MemoryBudget>,
) -> Result<(), Failure> {
    check_memory_of_runs(scenario_path, scenario, budget, 1)
}

/// Refuses `scenario` when `runs_at_once` runs of it (replications or sweep
/// units on parallel threads, each holding its own population and orders)
/// would together exceed `budget`.
pub fn check_memory_of_runs(
    scenario_path: &Path,
    scenario: &Scenario,
    budget: Option<MemoryBudget>,
    runs_at_once: u32,
) -> Result<(), Failure> {
    let Some(budget) = budget else {
        return Ok(());
    };
    let estimate = estimate_peak_memory(scenario);
    let runs_at_once = runs_at_once.max(1);
    let total_bytes = estimate
        .total_bytes()
        .saturating_mul(u64::from(runs_at_once));
    if total_bytes <= budget.bytes {
        return Ok(());
    }
    if runs_at_once > 1 {
        return Err(Failure::BadInput(format!(
            "{}: the scenario needs an estimated {estimate} of memory per run, {} for the \
             {runs_at_once} runs at once (--jobs), more than the {} available; run fewer at once \
             (a smaller --jobs), reduce the populations or the demand (inquiries_per_year), or \
             give a larger --max-memory if the estimate is too cautious",
            scenario_path.display(),
            Bytes(total_bytes),
            budget.describe()
        )));
    }
    Err(Failure::BadInput(format!(
        "{}: the scenario needs an estimated {estimate} of memory, more than the {} available; \
         reduce the populations or the demand (inquiries_per_year), or give a larger --max-memory \
         if the estimate is too cautious",
        scenario_path.display(),
        budget.describe()
    )))
}

/// Parses a `--max-memory` value: bytes, or a number with a binary unit
/// (`K`, `M`, `G`, `T`, optionally followed by `iB` or `B`), e.g. `512M`, `8GiB`.
pub fn parse_memory_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|character: char| !(character.is_ascii_digit() || character == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a memory size (e.g. 512M, 8G)"))?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?}; use bytes or K, M, G, T (e.g. 512M, 8G)"
            ));
        }
    };
    let bytes = value * (1u64 << shift) as f64;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!(
            "{text:?} is not a memory size between 1 byte and 16 EiB"
        ));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_sizes_parse_with_binary_units() {
        assert_eq!(parse_memory_size("1000"), Ok(1000));
        assert_eq!(parse_memory_size("512M"), Ok(512 << 20));
        assert_eq!(parse_memory_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_memory_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_memory_size("2 TB"), Ok(2 << 40));
        for bad in ["", "G", "-1G", "0", "12Q", "1e30", "NaN", "99999999999T"] {
            assert!(parse_memory_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn mem_total_is_read_in_kilobytes() {
        let meminfo = "MemTotal:       24684092 kB\nMemFree:        17847716 kB\n";
        assert_eq!(mem_total_bytes(meminfo), Some(24_684_092 * 1024));
        assert_eq!(mem_total_bytes("MemFree: 1 kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: lots kB\n"), None);
    }
}
