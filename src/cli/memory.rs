//! Refusing a scenario the machine cannot hold, before anything is allocated.
//!
//! The library estimates a run's peak memory from the scenario alone
//! ([`escrowsim::program::memory`]); this module finds the budget (the
//! machine's physical memory, or the cgroup limit when smaller, or
//! `--max-memory`) and turns an estimate beyond it into a bad-input error
//! (exit 2) that shows the estimate and what it is made of.

use super::Failure;
use escrowsim::program::memory::{
    Bytes, estimate_peak_memory, reserved_address_space_bytes, retained_result_bytes,
};
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

/// How a command holds runs in memory: how many run at once (one per job),
/// and how many replications' results it keeps until the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workload {
    pub runs_at_once: u64,
    pub results_kept: u64,
}

impl Workload {
    /// One run, nothing kept beyond its report.
    pub const SINGLE_RUN: Workload = Workload {
        runs_at_once: 1,
        results_kept: 0,
    };

    /// `replications` runs on `jobs` threads, every result kept.
    pub fn replications(replications: u32, jobs: u32) -> Workload {
        Workload {
            runs_at_once: u64::from(jobs.min(replications).max(1)),
            results_kept: u64::from(replications),
        }
    }
}

/// Address space each thread's allocator arena may reserve (glibc's
/// default on 64-bit Linux), counted against an address-space limit.
const ARENA_ADDRESS_SPACE_BYTES: u64 = 64 << 20;

/// Refuses `scenario` when the memory `workload` needs exceeds `budget`,
/// or when its address space exceeds the process's limit (`ulimit -v`),
/// before anything is allocated: exit 2 with the estimate and its parts,
/// never an abort from a failed allocation.
pub fn check_memory(
    scenario_path: &Path,
    scenario: &Scenario,
    budget: Option<MemoryBudget>,
    workload: Workload,
) -> Result<(), Failure> {
    let estimate = estimate_peak_memory(scenario);
    let needed = estimate
        .total_bytes()
        .saturating_mul(workload.runs_at_once)
        .saturating_add(retained_result_bytes(scenario).saturating_mul(workload.results_kept));
    let shape = if workload.runs_at_once > 1 || workload.results_kept > 1 {
        format!(
            "{} ({} runs at once of {estimate}, and {} kept results)",
            Bytes(needed),
            workload.runs_at_once,
            workload.results_kept
        )
    } else {
        estimate.to_string()
    };
    if let Some(budget) = budget.filter(|budget| needed > budget.bytes) {
        return Err(Failure::BadInput(format!(
            "{}: the scenario needs an estimated {shape} of memory, more than the {} available; \
             reduce the populations or the demand (inquiries_per_year), run fewer jobs, or give \
             a larger --max-memory if the estimate is too cautious",
            scenario_path.display(),
            budget.describe()
        )));
    }
    if let Some(limit) = address_space_limit() {
        let address_space = needed
            .saturating_add(
                reserved_address_space_bytes(scenario).saturating_mul(workload.runs_at_once),
            )
            .saturating_add(
                ARENA_ADDRESS_SPACE_BYTES.saturating_mul(workload.runs_at_once.saturating_add(1)),
            );
        if address_space > limit {
            return Err(Failure::BadInput(format!(
                "{}: the scenario needs an estimated {} of address space (memory {shape}, and \
                 what it reserves), more than this process's limit of {} (ulimit -v); raise the \
                 limit, run fewer jobs, or reduce the populations or the demand",
                scenario_path.display(),
                Bytes(address_space),
                Bytes(limit)
            )));
        }
    }
    Ok(())
}

/// Refuses to allocate `needed` bytes for `what` beyond `budget` or the
/// address-space limit.
pub fn check_bytes(what: &str, needed: u64, budget: Option<MemoryBudget>) -> Result<(), Failure> {
    let limit = [
        budget.map(|budget| (budget.bytes, budget.describe())),
        address_space_limit().map(|limit| {
            (
                limit.saturating_sub(ARENA_ADDRESS_SPACE_BYTES * 2),
                format!("{} (ulimit -v, less the allocator's arenas)", Bytes(limit)),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|(bytes, _)| *bytes);
    match limit {
        Some((bytes, described)) if needed > bytes => Err(Failure::BadInput(format!(
            "{what} needs {} of memory, more than the {described} available",
            Bytes(needed)
        ))),
        _ => Ok(()),
    }
}

/// The soft limit on this process's address space (`ulimit -v`, "Max
/// address space" in `/proc/self/limits`), when there is one.
fn address_space_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    parse_address_space_limit(&limits)
}

fn parse_address_space_limit(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
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
    fn the_address_space_limit_is_read_from_proc_limits() {
        let limited = "Limit                     Soft Limit           Hard Limit           Units\n\
                       Max address space         1073741824           unlimited            bytes\n";
        assert_eq!(parse_address_space_limit(limited), Some(1 << 30));
        let unlimited =
            "Max address space         unlimited            unlimited            bytes\n";
        assert_eq!(parse_address_space_limit(unlimited), None);
    }

    #[test]
    fn mem_total_is_read_in_kilobytes() {
        let meminfo = "MemTotal:       24684092 kB\nMemFree:        17847716 kB\n";
        assert_eq!(mem_total_bytes(meminfo), Some(24_684_092 * 1024));
        assert_eq!(mem_total_bytes("MemFree: 1 kB\n"), None);
        assert_eq!(mem_total_bytes("MemTotal: lots kB\n"), None);
    }
}
