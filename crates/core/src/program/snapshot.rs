//! The saved-state file: a [`SimulationState`] as bytes, versioned, tied to
//! its scenario and checksummed, so that a state from another version of
//! escrowsim, another scenario, or a damaged file is refused rather than
//! continued into a wrong year.
//!
//! # Layout
//!
//! | bytes | what |
//! | --- | --- |
//! | 8 | [`MAGIC`], `ESIMSTAT` |
//! | 4 | [`FORMAT_VERSION`], little-endian `u32` |
//! | 1 + n | the escrowsim version that wrote it: its length, then UTF-8 |
//! | 32 | SHA-256 of the scenario's world ([`world_digest`]) |
//! | 32 | SHA-256 of the scenario's rules and timeline ([`rules_digest`]) |
//! | 8 | length of the body, little-endian `u64` |
//! | body | the state, encoded with `postcard` |
//! | 32 | SHA-256 of every byte before it |
//!
//! The body is `postcard`'s encoding of the state's serde derive: fields in
//! declaration order, integers as varints, floats as their IEEE-754 bits
//! (little-endian), sequences in the order the state holds them (the core
//! keeps no hash maps), so the same state gives the same bytes on every
//! platform, and saving a loaded state gives the file it was loaded from.
//!
//! The digests of the scenario are taken over its parsed values, not its
//! text, so reformatting or commenting a scenario does not orphan its
//! states; they are SHA-256 of the values' `Debug` form, which is exact for
//! every field (floats print their shortest round-trip form) and stable
//! within one escrowsim version, which is all a state is read by.

use super::simulation::{Interrupted, Probe, RunOutput, Simulation, SimulationState, StateError};
use crate::engine::Streams;
use crate::report::VERSION;
use crate::scenario::Scenario;
use sha2::{Digest, Sha256};

/// The first bytes of every state file.
pub const MAGIC: [u8; 8] = *b"ESIMSTAT";

/// The layout of the file and of the state it holds; raised whenever
/// either changes. A file of another format version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// The largest state file read: far beyond the state of any run that fits
/// in memory on the machines escrowsim runs on (a state is smaller than the
/// run it was taken from).
pub const STATE_FILE_BYTES_MAX: u64 = 32 << 30;

const DIGEST_BYTES: usize = 32;

/// Why a state file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error(
        "not an escrowsim state file (it does not begin with {MAGIC:?})",
        MAGIC = "ESIMSTAT"
    )]
    NotAState,
    #[error(
        "a state file of format version {found}; this escrowsim reads format version {FORMAT_VERSION}"
    )]
    OtherFormat { found: u32 },
    #[error("the file is truncated or corrupted: {0}")]
    Corrupted(String),
    #[error(
        "a state saved by escrowsim {found}; this is escrowsim {VERSION}, and a state continues only under the version that saved it"
    )]
    OtherVersion { found: String },
    #[error("{0}")]
    OtherScenario(String),
    #[error("the state does not fit the scenario: {0}")]
    Inconsistent(String),
}

impl From<StateError> for SnapshotError {
    fn from(error: StateError) -> SnapshotError {
        SnapshotError::Inconsistent(error.0)
    }
}

fn sha256_of_debug(value: &impl std::fmt::Debug) -> [u8; DIGEST_BYTES] {
    Sha256::digest(format!("{value:?}").as_bytes()).into()
}

/// SHA-256 of what a state depends on besides the rules: the start, the
/// horizon, the currency, the supplier and buyer segments and the supplier
/// types. Names, descriptions and the seed are not part of it (the seed is
/// kept in the state itself).
pub fn world_digest(scenario: &Scenario) -> [u8; DIGEST_BYTES] {
    sha256_of_debug(&(
        scenario.start_date,
        scenario.horizon_days,
        &scenario.currency,
        &scenario.suppliers,
        &scenario.buyers,
        &scenario.supplier_types,
    ))
}

/// SHA-256 of the scenario's rules and timeline.
pub fn rules_digest(scenario: &Scenario) -> [u8; DIGEST_BYTES] {
    sha256_of_debug(&(&scenario.rules, &scenario.timeline))
}

/// The state file of `state`, a state of a run of `scenario`.
pub fn encode(scenario: &Scenario, state: &SimulationState) -> Vec<u8> {
    let body = postcard::to_stdvec(state).expect("a state always encodes");
    let mut bytes = Vec::with_capacity(body.len() + 160);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    let version = u8::try_from(VERSION.len()).expect("a version string is short");
    bytes.push(version);
    bytes.extend_from_slice(VERSION.as_bytes());
    bytes.extend_from_slice(&world_digest(scenario));
    bytes.extend_from_slice(&rules_digest(scenario));
    bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&body);
    let checksum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&checksum);
    bytes
}

/// Reads the header fields in order, each a refusal when the bytes run out.
struct Reader<'b> {
    bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    fn take(&mut self, count: usize, what: &str) -> Result<&'b [u8], SnapshotError> {
        if self.bytes.len() < count {
            return Err(SnapshotError::Corrupted(format!(
                "it ends inside its {what}"
            )));
        }
        let (taken, rest) = self.bytes.split_at(count);
        self.bytes = rest;
        Ok(taken)
    }

    fn digest(&mut self, what: &str) -> Result<[u8; DIGEST_BYTES], SnapshotError> {
        Ok(self
            .take(DIGEST_BYTES, what)?
            .try_into()
            .expect("took 32 bytes"))
    }
}

/// The state in `bytes`, a state file written by [`encode`] for a run of
/// `scenario` (the same world, rules and timeline). Checked in this order:
/// the magic bytes, the format version, the checksum, the escrowsim
/// version, the scenario, then the state's fit to the scenario.
pub fn decode(bytes: &[u8], scenario: &Scenario) -> Result<SimulationState, SnapshotError> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(SnapshotError::NotAState);
    }
    let mut reader = Reader {
        bytes: &bytes[MAGIC.len()..],
    };
    let format = reader.take(4, "format version")?;
    let found = u32::from_le_bytes(format.try_into().expect("took 4 bytes"));
    if found != FORMAT_VERSION {
        return Err(SnapshotError::OtherFormat { found });
    }
    if bytes.len() < MAGIC.len() + 4 + DIGEST_BYTES {
        return Err(SnapshotError::Corrupted(
            "it ends before its checksum".to_string(),
        ));
    }
    let (checked, checksum) = bytes.split_at(bytes.len() - DIGEST_BYTES);
    if Sha256::digest(checked).as_slice() != checksum {
        return Err(SnapshotError::Corrupted(
            "its SHA-256 checksum does not match its contents".to_string(),
        ));
    }
    let mut reader = Reader {
        bytes: &checked[MAGIC.len() + 4..],
    };
    let version_length = reader.take(1, "version")?[0];
    let version = reader.take(usize::from(version_length), "version")?;
    let version = String::from_utf8_lossy(version);
    if version != VERSION {
        return Err(SnapshotError::OtherVersion {
            found: version.into_owned(),
        });
    }
    if reader.digest("world digest")? != world_digest(scenario) {
        return Err(SnapshotError::OtherScenario(format!(
            "the state was saved from a scenario with another world (population, \
             behaviour, start or horizon) than {:?}",
            scenario.name
        )));
    }
    if reader.digest("rules digest")? != rules_digest(scenario) {
        return Err(SnapshotError::OtherScenario(format!(
            "the state was saved under other rules or another timeline than those of {:?}; \
             give the scenario it was saved from, and the other one with --rules-from",
            scenario.name
        )));
    }
    let length = reader.take(8, "body length")?;
    let length = u64::from_le_bytes(length.try_into().expect("took 8 bytes"));
    if length != reader.bytes.len() as u64 {
        return Err(SnapshotError::Corrupted(format!(
            "its body is {} bytes, not the {length} its header says",
            reader.bytes.len()
        )));
    }
    let corrupted = |error: String| SnapshotError::Corrupted(format!("its body {error}"));
    let (state, rest): (SimulationState, _) = postcard::take_from_bytes(reader.bytes)
        .map_err(|error| corrupted(format!("does not decode: {error}")))?;
    if !rest.is_empty() {
        return Err(corrupted(format!(
            "has {} bytes past the state",
            rest.len()
        )));
    }
    Ok(state)
}

/// Runs `scenario` on `streams` up to the first second of day `at_day` of
/// its horizon (at most the horizon) and returns the whole state there.
pub fn run_to_state<P: Probe>(
    scenario: &Scenario,
    streams: Streams,
    at_day: u32,
    probe: &mut P,
) -> Result<SimulationState, Interrupted> {
    Simulation::with_streams_unless_stopped(scenario, streams, probe)?.run_to_state(at_day, probe)
}

/// Why a run from a state did not finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// Runs `scenario` from `state` (a state of a run of it) to the horizon;
/// with `rules_from`, under that scenario's rules and timeline from the
/// state's date on. With `rules_from` absent, the outcome is the one of the
/// run the state was taken from.
pub fn run_from_state<P: Probe>(
    scenario: &Scenario,
    state: SimulationState,
    rules_from: Option<&Scenario>,
    probe: &mut P,
) -> Result<RunOutput, ResumeError> {
    Ok(Simulation::restore(scenario, state, rules_from)?.resume(probe)?)
}
