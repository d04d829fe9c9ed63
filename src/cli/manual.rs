//! `escrowsim completions SHELL` and `escrowsim manual`: shell completions
//! and a man page, generated from the same clap definitions as the
//! arguments themselves, so they cannot drift from what the command accepts.

use super::Failure;
use super::signals::StopRequests;
use clap::{Args, Command};
use clap_complete::Shell;
use std::io::Write;

pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  escrowsim completions bash > ~/.local/share/bash-completion/completions/escrowsim
  escrowsim completions zsh > ~/.zfunc/_escrowsim      # with fpath+=~/.zfunc in ~/.zshrc
  escrowsim completions fish > ~/.config/fish/completions/escrowsim.fish";

pub const MANUAL_EXAMPLES: &str = "\
Examples:
  escrowsim manual > escrowsim.1 && man ./escrowsim.1
  escrowsim manual run | gzip > ~/.local/share/man/man1/escrowsim-run.1.gz";

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Prints the completion script for `shell` of `command` to stdout.
pub fn completions(arguments: &CompletionsArgs, mut command: Command) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(arguments.shell, &mut command, "escrowsim", &mut script);
    print(&script)
}

#[derive(Args)]
pub struct ManualArgs {
    /// A subcommand whose own page to print (`escrowsim-run(1)`, ...);
    /// without it, the page of `escrowsim` itself, which lists them.
    pub subcommand: Option<String>,
}

/// Prints the man page (roff) of `command`, or of one of its subcommands,
/// to stdout.
pub fn manual(arguments: &ManualArgs, command: Command) -> Result<(), Failure> {
    let page_of = match &arguments.subcommand {
        None => command,
        Some(name) => {
            let subcommand = command
                .get_subcommands()
                .find(|subcommand| subcommand.get_name() == name)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        command.get_subcommands().map(Command::get_name).collect();
                    Failure::BadInput(format!(
                        "manual: {name:?} is not a subcommand; one of: {}",
                        known.join(", ")
                    ))
                })?;
            let full_name = format!("escrowsim-{name}");
            subcommand
                .clone()
                .name(full_name.clone())
                .bin_name(full_name)
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(page_of)
        .render(&mut page)
        .map_err(|error| Failure::Internal(format!("cannot render the manual: {error}")))?;
    print(&page)
}

/// Writes `bytes` to stdout: a closed pipe (`| head`) is fine, any other
/// failure (a full disk) is bad output, exit 2.
fn print(bytes: &[u8]) -> Result<(), Failure> {
    // Ctrl-C exits 130 like every command, before anything is printed.
    StopRequests::install()?.check(|| "; nothing was printed".to_string())?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::BadInput(
            format!("standard output: cannot write: {error}"),
        )),
        _ => Ok(()),
    }
}
