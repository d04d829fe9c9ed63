//! The files of one run's orders: the trace as JSON Lines, and the ledger
//! transfers as CSV or JSON Lines (layouts in docs/trace.md).
//!
//! Writers take one record at a time and keep only bytes, so a run's
//! records need not all be held as structures at once.

use escrowsim_core::program::trace::{TraceRecord, TransferRecord};

/// The trace of a run as JSON Lines: one object per event.
#[derive(Debug, Default)]
pub struct TraceWriter {
    bytes: Vec<u8>,
}

impl TraceWriter {
    pub fn new() -> TraceWriter {
        TraceWriter::default()
    }

    pub fn write(&mut self, record: &TraceRecord) {
        serde_json::to_writer(&mut self.bytes, record).expect("a trace record serialises");
        self.bytes.push(b'\n');
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// How the transfers file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransfersFormat {
    /// A header line, then one row per transfer.
    Csv,
    /// One JSON object per transfer.
    JsonLines,
}

/// The ledger transfers of a run, in either layout.
#[derive(Debug)]
pub struct TransfersWriter {
    format: TransfersFormat,
    csv: ::csv::Writer<Vec<u8>>,
    bytes: Vec<u8>,
}

impl TransfersWriter {
    pub fn new(format: TransfersFormat) -> TransfersWriter {
        TransfersWriter {
            format,
            csv: ::csv::WriterBuilder::new()
                .has_headers(true)
                .from_writer(Vec::new()),
            bytes: Vec::new(),
        }
    }

    pub fn write(&mut self, transfer: &TransferRecord) {
        match self.format {
            TransfersFormat::Csv => self
                .csv
                .serialize(transfer)
                .expect("a transfer serialises to CSV in memory"),
            TransfersFormat::JsonLines => {
                serde_json::to_writer(&mut self.bytes, transfer).expect("a transfer serialises");
                self.bytes.push(b'\n');
            }
        }
    }

    /// The file's bytes. A CSV file without transfers still has its header.
    pub fn finish(self) -> Vec<u8> {
        match self.format {
            TransfersFormat::Csv => {
                let mut csv = self.csv;
                if csv.get_ref().is_empty() {
                    csv.write_record(TRANSFER_COLUMNS)
                        .expect("a header writes to memory");
                }
                csv.into_inner().expect("an in-memory CSV flushes")
            }
            TransfersFormat::JsonLines => self.bytes,
        }
    }
}

/// The columns of the transfers CSV, as [`TransferRecord`] names its fields.
pub const TRANSFER_COLUMNS: [&str; 10] = [
    "id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "pending_id",
    "flags",
    "ledger",
    "code",
    "timestamp",
    "user_data_64",
];
