//! The one way escrowsim reads an input file: bounded, and only from
//! something that is a file.
//!
//! Every input (scenario, sweep file, sweep manifest, unit result) is read
//! here, so each gets the same protections: a directory, a device (such as
//! `/dev/zero`) or a socket is refused before a byte is read; the size is
//! checked before reading; and at most one byte past the limit is read, so a
//! file that grows meanwhile, or a pipe that never ends, costs no more
//! memory than the limit. Named pipes are accepted (`<(generate-scenario)`
//! is a file a user made on purpose), bounded like the rest.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use escrowsim_analysis::optimize::{OptimizationPlan, plan_optimization};
use escrowsim_analysis::study::{StudyPlan, is_study, plan_study, top_level_name};
use escrowsim_analysis::sweep::{SWEEP_FILE_BYTES_MAX, SweepError, SweepPlan, plan_sweep};
pub use escrowsim_core::input::{InputError, Located, Position};
use escrowsim_core::report::Source;
use escrowsim_core::scenario::limits::SCENARIO_FILE_BYTES_MAX;
use escrowsim_core::scenario::{LoadError, Scenario, parse_scenario};

/// What a path that is not a regular file or a named pipe is.
fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if file_type.is_dir() {
        Some("a directory")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

/// Reads at most `limit` bytes of the file at `path`.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let unreadable = |error: std::io::Error| InputError::Unreadable(error.to_string());
    // Follows symbolic links: what matters is what is read.
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if let Some(kind) = special_kind(metadata.file_type()) {
        return Err(InputError::NotAFile { kind });
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(InputError::TooLarge {
            bytes: metadata.len(),
            limit,
        });
    }
    let file = File::open(path).map_err(unreadable)?;
    // Checked again on the open file: the path may have been replaced.
    let opened = file.metadata().map_err(unreadable)?;
    if let Some(kind) = special_kind(opened.file_type()) {
        return Err(InputError::NotAFile { kind });
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLong { limit });
    }
    Ok(bytes)
}

/// Reads at most `limit` bytes of UTF-8 text from the file at `path`.
pub fn read_text_bounded(path: &Path, limit: u64) -> Result<String, InputError> {
    let bytes = read_bounded(path, limit)?;
    String::from_utf8(bytes).map_err(|error| InputError::NotText {
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Reads at most `limit` bytes of UTF-8 text from a file escrowsim itself
/// wrote (a sweep's manifest or unit): `None` when there is none. Anything
/// but a regular file in its place (a link, a FIFO, which would block the
/// read, a device) is refused, not followed.
pub fn read_own_file(path: &Path, limit: u64) -> Result<Option<String>, InputError> {
    use std::os::unix::fs::FileTypeExt;
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(InputError::Unreadable(error.to_string())),
    };
    let file_type = metadata.file_type();
    if !file_type.is_file() {
        let kind = if file_type.is_symlink() {
            "a symbolic link"
        } else if file_type.is_fifo() {
            "a FIFO"
        } else {
            special_kind(file_type).unwrap_or("a special file")
        };
        return Err(InputError::NotAFile { kind });
    }
    read_text_bounded(path, limit).map(Some)
}

/// What messages call standard input, given as `-` where a file is expected.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether `path` is `-`: standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name of an input in messages: the path as given, or `<stdin>`.
pub fn source_name(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// Reads at most `limit` bytes of UTF-8 text from the file at `path`, or
/// from standard input when `path` is `-`, bounded alike: one byte past the
/// limit is read at most, so an endless pipe costs no more than the limit.
pub fn read_input_text(path: &Path, limit: u64) -> Result<String, InputError> {
    if !is_stdin(path) {
        return read_text_bounded(path, limit);
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::Unreadable(error.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLong { limit });
    }
    String::from_utf8(bytes).map_err(|error| InputError::NotText {
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Reads, parses and validates a scenario file (`-`: standard input).
pub fn load_scenario_file(path: &Path) -> Result<Scenario, LoadError> {
    load_scenario_with_source(path).map(|(scenario, _)| scenario)
}

/// Reads, parses and validates a scenario file (`-`: standard input), and
/// records what was read: its name and the SHA-256 of the very bytes parsed
/// (hashed here, after the one read, so a file edited meanwhile cannot give
/// a hash of other bytes than the scenario run).
pub fn load_scenario_with_source(path: &Path) -> Result<(Scenario, Source), LoadError> {
    let source_name = source_name(path);
    let text = read_input_text(path, SCENARIO_FILE_BYTES_MAX)
        .map_err(|error| LoadError::unreadable(&source_name, error))?;
    let scenario = parse_scenario(&text, &source_name)?;
    Ok((scenario, Source::new(&source_name, text.as_bytes())))
}

/// Reads, validates and expands a sweep file (`-`: standard input); its
/// base scenario is read relative to the sweep file's directory (the
/// current directory for standard input).
pub fn load_sweep(path: &Path) -> Result<SweepPlan, SweepError> {
    let source = source_name(path);
    let text = read_input_text(path, SWEEP_FILE_BYTES_MAX).map_err(|error| {
        SweepError::Unreadable(Located::new(
            &source,
            format!("cannot read the sweep file: {error}"),
        ))
    })?;
    let base_directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    parse_sweep(&text, &source, &base_directory)
}

/// A sweep, study or optimisation file, planned: all run as units of a sweep.
#[derive(Clone, Debug)]
pub enum LoadedPlan {
    Sweep(Box<SweepPlan>),
    Study(Box<StudyPlan>),
    Optimization(Box<OptimizationPlan>),
}

/// Reads, validates and expands a sweep or a study file (`-`: standard
/// input), told apart by the top-level struct (`Sweep`, or `Study` and
/// `Calibration`, or `Optimize`); the base scenario is read relative to the file. `what`
/// names the file in a read error (`sweep file`, `study file`).
pub fn load_plan(path: &Path, what: &str) -> Result<LoadedPlan, SweepError> {
    let source = source_name(path);
    let text = read_input_text(path, SWEEP_FILE_BYTES_MAX).map_err(|error| {
        SweepError::Unreadable(Located::new(
            &source,
            format!("cannot read the {what}: {error}"),
        ))
    })?;
    let base_directory = path.parent().map(Path::to_path_buf).unwrap_or_default();
    if top_level_name(&text) == "Optimize" {
        plan_optimization(&text, &source, &base_directory, |path| {
            read_text_bounded(path, SCENARIO_FILE_BYTES_MAX)
        })
        .map(|plan| LoadedPlan::Optimization(Box::new(plan)))
    } else if is_study(&text) {
        plan_study(&text, &source, &base_directory, |path| {
            read_text_bounded(path, SCENARIO_FILE_BYTES_MAX)
        })
        .map(|plan| LoadedPlan::Study(Box::new(plan)))
    } else {
        parse_sweep(&text, &source, &base_directory).map(|plan| LoadedPlan::Sweep(Box::new(plan)))
    }
}

/// Parses, validates and expands sweep text; its base scenario is read
/// (bounded) relative to `base_directory`.
pub fn parse_sweep(
    text: &str,
    source: &str,
    base_directory: &Path,
) -> Result<SweepPlan, SweepError> {
    plan_sweep(text, source, base_directory, |path| {
        read_text_bounded(path, SCENARIO_FILE_BYTES_MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temporary(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let directory =
            std::env::temp_dir().join(format!("escrowsim-input-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let path = directory.join("file");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_file_within_the_limit_is_read_whole() {
        let path = temporary("whole", b"hello");
        assert_eq!(read_text_bounded(&path, 5).unwrap(), "hello");
        assert_eq!(
            read_bounded(&path, 4),
            Err(InputError::TooLarge { bytes: 5, limit: 4 })
        );
    }

    #[test]
    fn devices_and_directories_are_refused_before_reading() {
        assert_eq!(
            read_bounded(Path::new("/dev/zero"), 10),
            Err(InputError::NotAFile {
                kind: "a character device"
            })
        );
        assert_eq!(
            read_bounded(&std::env::temp_dir(), 10),
            Err(InputError::NotAFile {
                kind: "a directory"
            })
        );
        assert!(matches!(
            read_bounded(Path::new("/no/such/file"), 10),
            Err(InputError::Unreadable(_))
        ));
    }

    #[test]
    fn text_that_is_not_utf8_names_the_offset() {
        let path = temporary("binary", b"ab\xffcd");
        assert_eq!(
            read_text_bounded(&path, 100),
            Err(InputError::NotText { offset: 2 })
        );
    }
}
