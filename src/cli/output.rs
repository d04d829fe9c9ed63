//! Writing reports: to stdout, or to files, so that a report is written
//! whole or not at all, a stop signal leaves every output as it was, and a
//! special file is never replaced by a regular one.
//!
//! What a report path names decides how the report is written there; it is
//! checked before any work ([`check_report_and_page`]) and again when writing:
//!
//! - nothing yet, or a regular file: a temporary file beside it, renamed
//!   over it when complete, so an existing report is never seen
//!   half-written;
//! - a symbolic link: what it points to, by these same rules (a link to a
//!   regular file stays a link, and the file it points to is replaced
//!   atomically); a link to nothing is refused;
//! - a FIFO or a character device (`/dev/null`, a terminal, `/dev/stdout`
//!   on a pipe): opened and written through, never renamed over, since a
//!   rename would put a regular file in the device's place;
//! - a directory, a block device or a socket: refused (exit 2).
//!
//! Standard output: a closed pipe (`| head`) ends the writing quietly and
//! the command succeeds; any other write error (a full disk, an I/O error)
//! fails it with exit 2 and a message naming the output, like every other
//! output that cannot be written.

use super::Failure;
use std::fs::FileType;
use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

/// How a report reaches the file its path names.
enum Target {
    /// Through a temporary file renamed over this path (a link resolved).
    Replace(PathBuf),
    /// Opened and written in place: a FIFO or a character device.
    WriteThrough,
}

/// What an existing file of this type means for a report written to it.
enum Kind {
    Regular,
    WriteThrough,
    /// Refused, with what it is ("a directory").
    Refused(&'static str),
}

fn kind_of(file_type: FileType) -> Kind {
    if file_type.is_file() {
        Kind::Regular
    } else if file_type.is_fifo() || file_type.is_char_device() {
        Kind::WriteThrough
    } else if file_type.is_dir() {
        Kind::Refused("a directory")
    } else if file_type.is_block_device() {
        Kind::Refused("a block device")
    } else if file_type.is_socket() {
        Kind::Refused("a socket")
    } else {
        Kind::Refused("neither a file nor a device")
    }
}

/// A report that cannot go to `out`, and why.
fn cannot_write(out: &Path, reason: impl std::fmt::Display) -> Failure {
    Failure::BadInput(format!(
        "{}: cannot write the report: {reason}",
        out.display()
    ))
}

/// Refuses output paths that cannot take a report (a missing directory, a
/// directory, a block device, a link to nothing), before a whole run is
/// spent on them, and refuses `--out` and `--html` when they name one regular file (directly or through links): the two
/// reports would replace each other. One device for both (`/dev/null`) is
/// fine: each is written through it.
pub fn check_report_and_page(out: Option<&Path>, html: Option<&Path>) -> Result<(), Failure> {
    let mut replaced = Vec::with_capacity(2);
    for path in [out, html].into_iter().flatten() {
        if let Target::Replace(_) = target_of(path)? {
            replaced.push(path);
        }
    }
    if let [out, html] = replaced[..] {
        let same_file = out == html
            || matches!(
                (std::fs::canonicalize(out), std::fs::canonicalize(html)),
                (Ok(out), Ok(html)) if out == html
            );
        if same_file {
            return Err(Failure::BadInput(format!(
                "{}: --out and --html name the same file; give each its own",
                out.display()
            )));
        }
    }
    Ok(())
}

fn target_of(out: &Path) -> Result<Target, Failure> {
    let metadata = match std::fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let directory = output_directory(out);
            if !directory.is_dir() {
                return Err(cannot_write(
                    out,
                    format_args!("directory {} does not exist", directory.display()),
                ));
            }
            return Ok(Target::Replace(out.to_path_buf()));
        }
        Err(error) => return Err(cannot_write(out, error)),
    };
    if !metadata.file_type().is_symlink() {
        return match kind_of(metadata.file_type()) {
            Kind::Regular => Ok(Target::Replace(out.to_path_buf())),
            Kind::WriteThrough => Ok(Target::WriteThrough),
            Kind::Refused(what) => Err(cannot_write(out, format_args!("it is {what}"))),
        };
    }
    let link = std::fs::read_link(out)
        .map(|pointed| pointed.display().to_string())
        .unwrap_or_default();
    let pointed = std::fs::metadata(out).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            cannot_write(
                out,
                format_args!("it is a symbolic link to {link}, which does not exist"),
            )
        } else {
            cannot_write(out, error)
        }
    })?;
    match kind_of(pointed.file_type()) {
        Kind::Regular => std::fs::canonicalize(out)
            .map(Target::Replace)
            .map_err(|error| cannot_write(out, error)),
        Kind::WriteThrough => Ok(Target::WriteThrough),
        Kind::Refused(what) => Err(cannot_write(
            out,
            format_args!("it is a symbolic link to {link}, which is {what}"),
        )),
    }
}

fn output_directory(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `out`, or to stdout when `out` is `None`.
pub fn write_report(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    write_reports(&[(out, bytes)], || Ok(()))
}

/// Writes each report to its file, or to stdout for `None`, all or none:
/// every file report is first made ready (a regular file's temporary file
/// complete on disk), then `before_committing` is asked, and only when it
/// agrees (no stop signal arrived) are the reports put in place, files
/// first and stdout last. When it refuses, the temporary files are removed
/// and every output keeps what it held.
pub fn write_reports(
    reports: &[(Option<&Path>, &[u8])],
    before_committing: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut staged = Vec::with_capacity(reports.len());
    for &(out, bytes) in reports {
        let Some(out) = out else { continue };
        match stage(out, bytes) {
            Ok(ready) => staged.push(ready),
            Err(failure) => {
                discard(&staged);
                return Err(failure);
            }
        }
    }
    if let Err(stopped) = before_committing() {
        discard(&staged);
        return Err(stopped);
    }
    // Writes through a device first: they are the ones that fail late (a
    // full disk behind /dev/full, a FIFO whose reader left), and a failure
    // then leaves the renamed reports as they were too.
    staged.sort_by_key(|ready| matches!(ready, Staged::Temporary { .. }));
    for (index, ready) in staged.iter().enumerate() {
        if let Err(failure) = commit(ready) {
            discard(&staged[index..]);
            return Err(failure);
        }
    }
    for &(out, bytes) in reports {
        if out.is_none() {
            write_stdout(bytes)?;
        }
    }
    Ok(())
}

/// A report ready to be put in place.
enum Staged<'a> {
    /// Complete in `temporary`, to be renamed to `target` (`out`, or the
    /// regular file its link points to).
    Temporary {
        out: &'a Path,
        temporary: PathBuf,
        target: PathBuf,
    },
    /// To be written through the FIFO or device `out`.
    WriteThrough { out: &'a Path, bytes: &'a [u8] },
}

fn stage<'a>(out: &'a Path, bytes: &'a [u8]) -> Result<Staged<'a>, Failure> {
    match target_of(out)? {
        Target::Replace(target) => {
            let temporary =
                write_temporary(&target, bytes).map_err(|error| cannot_write(out, error))?;
            Ok(Staged::Temporary {
                out,
                temporary,
                target,
            })
        }
        Target::WriteThrough => Ok(Staged::WriteThrough { out, bytes }),
    }
}

fn commit(ready: &Staged) -> Result<(), Failure> {
    match ready {
        Staged::Temporary {
            out,
            temporary,
            target,
        } => {
            std::fs::rename(temporary, target).map_err(|error| cannot_write(out, error))?;
            // The rename is complete; flushing the directory only makes it durable.
            if let Ok(directory) = std::fs::File::open(output_directory(target)) {
                let _ = directory.sync_all();
            }
            Ok(())
        }
        Staged::WriteThrough { out, bytes } => match write_through(out, bytes) {
            // A FIFO whose reader left, as a closed pipe on stdout: the
            // reader has what it wanted.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => written.map_err(|error| cannot_write(out, error)),
        },
    }
}

fn discard(staged: &[Staged]) {
    for ready in staged {
        if let Staged::Temporary { temporary, .. } = ready {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

/// Opens a FIFO or a character device and writes the report into it. The
/// path is opened without creating or truncating anything, and the opened
/// file must still be a FIFO or a device: if a regular file took its place
/// since the check, it is left alone rather than overwritten in place.
fn write_through(out: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).open(out)?;
    let file_type = file.metadata()?.file_type();
    if !(file_type.is_fifo() || file_type.is_char_device()) {
        return Err(std::io::Error::other(
            "it was a FIFO or a device when checked and is no longer one",
        ));
    }
    file.write_all(bytes)?;
    file.flush()
}

/// Writes `bytes` to standard output. A closed pipe is not a failure of the
/// command (the reader has all it wanted, as with `| head`); any other error
/// is, since the report was lost.
fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(Failure::BadInput(format!(
            "standard output: cannot write the report: {error}"
        ))),
    }
}

/// Writes `bytes` to a temporary file beside `out` and renames it over `out`
/// only when complete, so `out` is never seen half-written. For files a
/// command owns (a sweep's unit results), which are regular files or nothing.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let temporary = write_temporary(out, bytes).map_err(|error| cannot_write(out, error))?;
    commit(&Staged::Temporary {
        out,
        temporary: temporary.clone(),
        target: out.to_path_buf(),
    })
    .inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// Creates `path` holding `bytes` only if nothing is there yet, and never
/// visible half-written: the bytes go to a temporary file that is then
/// hard-linked to `path`, which fails if `path` exists. Returns false when
/// `path` already existed (another process created it first). On a file
/// system without hard links, `path` is created exclusively and written in
/// place.
pub fn create_exclusively(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let temporary = write_temporary(path, bytes)?;
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::Unsupported | std::io::ErrorKind::PermissionDenied
            ) =>
        {
            let mut file = match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(file) => file,
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Ok(false);
                }
                Err(error) => return Err(error),
            };
            file.write_all(bytes)?;
            file.sync_all()?;
        }
        Err(error) => return Err(error),
    }
    if let Ok(directory) = std::fs::File::open(output_directory(path)) {
        let _ = directory.sync_all();
    }
    Ok(true)
}

/// Writes `bytes` to a fresh temporary file beside `out` and flushes it to
/// disk; returns its path. The file lives in `out`'s directory (a rename
/// never crosses a file system), is named after `out` and the process (two
/// runs writing one report never share it), and is created fresh (never
/// through a link planted there). A run killed outright (SIGKILL, power
/// loss) can leave it behind, never a partial `out`.
fn write_temporary(out: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temporary = output_directory(out).join(format!(".{file_name}.{}.tmp", std::process::id()));
    // A file left by an earlier process with our id is stale: replace it.
    let _ = std::fs::remove_file(&temporary);
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match written {
        Ok(()) => Ok(temporary),
        Err(error) => {
            let _ = std::fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// What a stopped command says about its outputs: that nothing was written,
/// and that the files it was asked to write were left as they were.
pub fn not_written(outputs: &[Option<&Path>]) -> String {
    let files: Vec<String> = outputs
        .iter()
        .flatten()
        .map(|path| path.display().to_string())
        .collect();
    match files.as_slice() {
        [] => "; no report was written".to_string(),
        [one] => format!("; no report was written and {one} was left as it was"),
        [first @ .., last] => format!(
            "; no report was written and {} and {last} were left as they were",
            first.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_directory(name: &str) -> std::path::PathBuf {
        let directory =
            std::env::temp_dir().join(format!("escrowsim-output-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(&directory).unwrap();
        directory
    }

    fn files_in(directory: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn stopped() -> Result<(), Failure> {
        Err(Failure::Stopped {
            message: "stopped".to_string(),
            exit_code: 130,
        })
    }

    #[test]
    fn a_complete_report_replaces_the_old_one_and_leaves_no_temporary_file() {
        let directory = scratch_directory("complete");
        let out = directory.join("report.json");
        std::fs::write(&out, "old").unwrap();
        write_report(Some(&out), b"new report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new report");
        assert_eq!(files_in(&directory), ["report.json"]);
    }

    #[test]
    fn a_stop_before_committing_keeps_every_old_report_and_removes_the_temporary_files() {
        let directory = scratch_directory("stopped");
        let out = directory.join("report.json");
        let html = directory.join("report.html");
        std::fs::write(&out, "old").unwrap();
        let result = write_reports(
            &[(Some(&html), b"new page"), (Some(&out), b"new report")],
            stopped,
        );
        assert!(matches!(
            result,
            Err(Failure::Stopped { exit_code: 130, .. })
        ));
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(files_in(&directory), ["report.json"]);
    }

    #[test]
    fn a_stale_temporary_file_or_a_link_in_its_place_is_replaced_not_followed() {
        let directory = scratch_directory("stale");
        let out = directory.join("report.json");
        let victim = directory.join("victim.txt");
        std::fs::write(&victim, "must stay").unwrap();
        let temporary = directory.join(format!(".report.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &temporary).unwrap();
        write_atomically(&out, b"report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"report");
        assert_eq!(std::fs::read(&victim).unwrap(), b"must stay");
        assert_eq!(files_in(&directory), ["report.json", "victim.txt"]);
    }

    #[test]
    fn a_link_to_a_report_stays_a_link_and_the_file_it_points_to_is_replaced() {
        let directory = scratch_directory("link");
        let real = directory.join("real.json");
        let link = directory.join("latest.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_report(Some(&link), b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(files_in(&directory), ["latest.json", "real.json"]);
    }

    #[test]
    fn a_link_to_nothing_and_a_directory_are_refused_naming_what_they_are() {
        let directory = scratch_directory("refused");
        let dangling = directory.join("dangling.json");
        std::os::unix::fs::symlink("missing.json", &dangling).unwrap();
        let message = |path: &Path| match check_report_and_page(Some(path), None) {
            Err(Failure::BadInput(message)) => message,
            _ => panic!("{} must be refused", path.display()),
        };
        assert!(
            message(&dangling).ends_with(
                "cannot write the report: it is a symbolic link to missing.json, which does not exist"
            ),
            "{}",
            message(&dangling)
        );
        assert!(message(&directory).ends_with("it is a directory"));
        assert!(message(&directory.join("no/such.json")).contains("does not exist"));
    }

    #[test]
    fn exclusive_creation_succeeds_once_and_never_replaces() {
        let directory = scratch_directory("exclusive");
        let path = directory.join("sweep.json");
        assert!(create_exclusively(&path, b"first").unwrap());
        assert!(!create_exclusively(&path, b"second").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(files_in(&directory), ["sweep.json"]);
    }

    #[test]
    fn the_stop_message_names_every_output_left_alone() {
        assert_eq!(not_written(&[None]), "; no report was written");
        assert_eq!(
            not_written(&[None, Some(Path::new("a.json"))]),
            "; no report was written and a.json was left as it was"
        );
        assert_eq!(
            not_written(&[Some(Path::new("a.html")), Some(Path::new("a.json"))]),
            "; no report was written and a.html and a.json were left as they were"
        );
    }
}
