//! Writing reports: to stdout, or atomically to a file.

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
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (e.g. `| head`) is not a failure of the run.
            let _ = stdout.write_all(bytes).and_then(|()| stdout.flush());
            Ok(())
        }
    }
}

/// Writes `bytes` to a temporary file beside `out` and renames it over `out`
/// only when complete, so `out` is never seen half-written.
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let directory = output_directory(out);
    let file_name = out
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".to_string());
    let temporary = directory.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, out)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Failure::BadInput(format!(
            "{}: cannot write the report: {error}",
            out.display()
        )));
    }
    Ok(())
}
