//! `run --trace` and `run --transfers`: the flags, and the observer that
//! turns a run's records into the bytes of the two files.

use super::Failure;
use clap::{Args, ValueEnum};
use escrowsim::program::trace::{
    Observer, OrderSample, TraceRecord, TransferLog, TransferRecord, expected_inquiries,
};
use escrowsim::report::trace::{TraceWriter, TransfersFormat, TransfersWriter};
use escrowsim::scenario::Scenario;
use std::path::{Path, PathBuf};

#[derive(Args, Default)]
pub struct TraceArgs {
    /// Write every event of the traced orders (time, kind, states, money moved, deciding rules) as JSON Lines to this file; see docs/trace.md.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Which orders --trace follows: about N orders chosen by order number (the same orders under any rules), `all`, or order numbers `ID,ID,...` (one order: `ID,`).
    #[arg(long, value_name = "N|all|ID,...", requires = "trace")]
    pub trace_orders: Option<String>,
    /// Write every ledger transfer as two-phase records (pending, post, void) to this file; see docs/trace.md.
    #[arg(long, value_name = "FILE")]
    pub transfers: Option<PathBuf>,
    /// Layout of --transfers; by default CSV for a name ending in .csv, JSON Lines otherwise.
    #[arg(long, value_enum, requires = "transfers")]
    pub transfers_format: Option<TransfersLayout>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum TransfersLayout {
    /// A header, then one row per transfer.
    Csv,
    /// One JSON object per transfer.
    Jsonl,
}

/// Orders traced when --trace-orders is not given.
pub const TRACE_ORDERS_DEFAULT: u64 = 1000;

/// Bytes of trace held per traced order until the run ends: the launch
/// year traced whole wrote 4.0 GB for 1.79 M orders (2.2 KB each) and
/// peaked at 3.9 GiB; rounded up.
const TRACE_BYTES_PER_ORDER: u64 = 2_500;
/// Bytes of transfers held per order (every order's are kept): the launch
/// year's 231 MB for 1.79 M orders (130 bytes each) in CSV, more in JSON
/// Lines; rounded up.
const TRANSFER_BYTES_PER_ORDER: u64 = 400;

impl TraceArgs {
    /// Whether either file is asked for.
    pub fn any(&self) -> bool {
        self.trace.is_some() || self.transfers.is_some()
    }

    /// The files asked for, for the checks and messages about outputs.
    pub fn files(&self) -> [Option<&Path>; 2] {
        [self.trace.as_deref(), self.transfers.as_deref()]
    }

    /// What the trace and transfers asked for hold in memory until a run of
    /// `scenario` ends (both are written whole, with the report, or not at
    /// all), from the orders the scenario expects and the share traced.
    pub fn held_bytes(&self, scenario: &Scenario) -> Result<u64, Failure> {
        let expected = expected_inquiries(scenario);
        let mut bytes = 0u64;
        if self.trace.is_some() {
            let traced = match self.observer(scenario)?.sample {
                escrowsim::program::trace::OrderSample::All => expected,
                escrowsim::program::trace::OrderSample::Hashed { threshold } => {
                    ((u128::from(expected) * u128::from(threshold)) >> 64) as u64 + 1
                }
                escrowsim::program::trace::OrderSample::Numbers(numbers) => numbers.len() as u64,
            };
            bytes = bytes.saturating_add(traced.saturating_mul(TRACE_BYTES_PER_ORDER));
        }
        if self.transfers.is_some() {
            bytes = bytes.saturating_add(expected.saturating_mul(TRANSFER_BYTES_PER_ORDER));
        }
        Ok(bytes)
    }

    /// The observer of a run of `scenario` these flags ask for.
    pub fn observer(&self, scenario: &Scenario) -> Result<RunObserver, Failure> {
        let sample = match &self.trace_orders {
            None => OrderSample::about(TRACE_ORDERS_DEFAULT, expected_inquiries(scenario)),
            Some(text) => parse_trace_orders(text, expected_inquiries(scenario))?,
        };
        let format = match (self.transfers_format, &self.transfers) {
            (Some(TransfersLayout::Csv), _) => TransfersFormat::Csv,
            (Some(TransfersLayout::Jsonl), _) => TransfersFormat::JsonLines,
            (None, Some(path)) if path.extension().is_some_and(|ext| ext == "csv") => {
                TransfersFormat::Csv
            }
            (None, _) => TransfersFormat::JsonLines,
        };
        Ok(RunObserver {
            sample,
            trace: self.trace.is_some().then(TraceWriter::new),
            transfers: self
                .transfers
                .is_some()
                .then(|| (TransferLog::new(), TransfersWriter::new(format))),
            scratch: Vec::new(),
        })
    }
}

/// `N`, `all` or `ID,ID,...` as an order sample.
pub fn parse_trace_orders(text: &str, expected_orders: u64) -> Result<OrderSample, Failure> {
    let bad = |why: String| {
        Failure::BadInput(format!(
            "--trace-orders {text:?}: {why}; give a count N, `all`, or order numbers `ID,ID,...`"
        ))
    };
    let text = text.trim();
    if text == "all" {
        return Ok(OrderSample::All);
    }
    if !text.contains(',') {
        let wanted: u64 = text
            .parse()
            .map_err(|_| bad("not a count of orders".to_string()))?;
        if wanted == 0 {
            return Err(bad("a count must be at least 1".to_string()));
        }
        return Ok(OrderSample::about(wanted, expected_orders));
    }
    let mut numbers = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        numbers.push(
            part.parse::<u64>()
                .map_err(|_| bad(format!("{part:?} is not an order number")))?,
        );
    }
    if numbers.is_empty() {
        return Err(bad("no order numbers".to_string()));
    }
    Ok(OrderSample::numbers(numbers))
}

/// Collects the bytes of the trace and of the transfers during a run. The
/// transfers need every order's movements, so with --transfers every order
/// is observed and the sample decides only what reaches the trace.
pub struct RunObserver {
    sample: OrderSample,
    trace: Option<TraceWriter>,
    transfers: Option<(TransferLog, TransfersWriter)>,
    scratch: Vec<TransferRecord>,
}

impl RunObserver {
    /// The bytes of the trace file and of the transfers file.
    pub fn finish(self) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        (
            self.trace.map(TraceWriter::finish),
            self.transfers.map(|(_, writer)| writer.finish()),
        )
    }
}

impl Observer for RunObserver {
    const ACTIVE: bool = true;

    fn traces(&self, order_number: u64) -> bool {
        self.transfers.is_some() || (self.trace.is_some() && self.sample.contains(order_number))
    }

    fn describes(&self, order_number: u64) -> bool {
        self.trace.is_some() && self.sample.contains(order_number)
    }

    fn record(&mut self, record: TraceRecord) {
        if let Some((log, writer)) = &mut self.transfers {
            self.scratch.clear();
            log.transfers_of(&record, &mut self.scratch);
            for transfer in &self.scratch {
                writer.write(transfer);
            }
        }
        if let Some(trace) = &mut self.trace
            && self.sample.contains(record.order)
        {
            trace.write(&record);
        }
    }
}
