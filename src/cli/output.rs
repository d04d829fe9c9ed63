//! Writing reports: to stdout, or atomically to a file.
//!
//! Standard output: a closed pipe (`| head`) ends the writing quietly and
//! the command succeeds; any other write error (a full disk, an I/O error)
//! fails it with exit 2 and a message naming the output.

use super::Failure;
use std::io::Write;
use std::path::Path;

/// Refuses an output path whose directory does not exist, or that is a
/// directory, before a whole run is spent on it.
pub fn check_output_path(out: &Path) -> Result<(), Failure> {
    let directory = output_directory(out);
    if !directory.is_dir() {
        return Err(Failure::BadInput(format!(
            "{}: cannot write the report: directory {} does not exist",
            out.display(),
            directory.display()
        )));
    }
    if out.is_dir() {
        return Err(Failure::BadInput(format!(
            "{}: cannot write the report: it is a directory",
            out.display()
        )));
    }
    Ok(())
}

fn output_directory(out: &Path) -> &Path {
    match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `out`, or to stdout when `out` is `None`.
pub fn write_report(out: Option<&Path>, bytes: &[u8]) -> Result<(), Failure> {
    match out {
        Some(out) => write_atomically(out, bytes),
        None => write_stdout(bytes),
    }
}

/// Writes `bytes` to standard output. A closed pipe is not a failure of the
/// command (the reader has all it wanted, as with `| head`); any other error
/// (a full disk, an I/O error) is, since the report was lost: exit 2 with a
/// message naming the output, like an unwritable `--out`.
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
/// only when complete, so `out` is never seen half-written.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomically_unless(out, bytes, || Ok(()))
}

/// Like [`write_report`], but `before_replacing` is asked once the report is
/// complete on disk and before it replaces `out`; when it fails (a stop
/// signal arrived), the temporary file is removed and `out` keeps whatever
/// it held.
pub fn write_report_unless(
    out: Option<&Path>,
    bytes: &[u8],
    before_replacing: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    match out {
        Some(out) => write_atomically_unless(out, bytes, before_replacing),
        None => {
            before_replacing()?;
            write_report(None, bytes)
        }
    }
}

/// The temporary file lives in `out`'s directory (a rename never crosses a
/// file system), is named after `out` and the process (two runs writing one
/// report never share it), is created fresh (never through a link planted
/// there), and is flushed to disk before the rename; the directory is
/// flushed after it, so the new name survives a crash too. A run killed
/// outright (SIGKILL, power loss) can leave the temporary file behind, never
/// a partial `out`.
fn write_atomically_unless(
    out: &Path,
    bytes: &[u8],
    before_replacing: impl FnOnce() -> Result<(), Failure>,
) -> Result<(), Failure> {
    let directory = output_directory(out);
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let cannot_write = |error: std::io::Error| {
        Failure::BadInput(format!(
            "{}: cannot write the report: {error}",
            out.display()
        ))
    };
    let written = (|| {
        // A file left by an earlier process with our id is stale: replace it.
        let _ = std::fs::remove_file(&temporary);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(cannot_write(error));
    }
    if let Err(stopped) = before_replacing() {
        let _ = std::fs::remove_file(&temporary);
        return Err(stopped);
    }
    if let Err(error) = std::fs::rename(&temporary, out) {
        let _ = std::fs::remove_file(&temporary);
        return Err(cannot_write(error));
    }
    // The rename is complete; flushing the directory only makes it durable.
    if let Ok(directory) = std::fs::File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_directory(name: &str) -> std::path::PathBuf {
        let directory =
            std::env::temp_dir().join(format!("escrowsim-output-{}-{name}", std::process::id()));
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

    #[test]
    fn a_complete_report_replaces_the_old_one_and_leaves_no_temporary_file() {
        let directory = scratch_directory("complete");
        let out = directory.join("report.json");
        std::fs::write(&out, "old").unwrap();
        write_atomically(&out, b"new report").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"new report");
        assert_eq!(files_in(&directory), ["report.json"]);
    }

    #[test]
    fn a_stop_before_replacing_keeps_the_old_report_and_removes_the_temporary_file() {
        let directory = scratch_directory("stopped");
        let out = directory.join("report.json");
        std::fs::write(&out, "old").unwrap();
        let result = write_report_unless(Some(&out), b"new report", || {
            Err(Failure::Stopped {
                message: "stopped".to_string(),
                exit_code: 130,
            })
        });
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
}
