//! `escrowsim init`: a commented starting scenario, written to a new file.
//!
//! The scenario written is a shipped one (`quick.ron` or the launch
//! program, `trade-assurance-2014.ron`), so it is valid and its numbers
//! keep their sources; init adds a header and a comment before each block
//! saying what the block decides. An existing file is never overwritten:
//! the scenario goes to a temporary file that is then linked to the name,
//! which fails if anything is there (the same exclusive creation a sweep
//! uses to claim its directory), so the file appears whole or not at all.

use super::Failure;
use super::output::create_exclusively;
use super::signals::StopRequests;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub const EXAMPLES: &str = "Examples:
  escrowsim init my-rules.ron
  escrowsim init --from launch launch-variant.ron
  escrowsim validate my-rules.ron && escrowsim run my-rules.ron

Exit status: 0 when the file was written; 2 when it exists already (it is never
overwritten) or cannot be written.";

#[derive(Args)]
pub struct InitArgs {
    /// The shipped scenario to start from.
    #[arg(long, value_enum, default_value_t = Template::Quick)]
    pub from: Template,
    /// The new scenario file; it must not exist yet.
    pub file: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Template {
    /// `scenarios/quick.ron`: 2,200 suppliers, 20,000 buyers, 120 days; runs in well under a second.
    Quick,
    /// `scenarios/trade-assurance-2014.ron`: the program at launch, one year, every number sourced.
    Launch,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::Quick => "quick",
            Template::Launch => "launch",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Template::Quick => include_str!("../../scenarios/quick.ron"),
            Template::Launch => include_str!("../../scenarios/trade-assurance-2014.ron"),
        }
    }
}

/// What each top-level block of a scenario decides, put before it.
const BLOCKS: &[(&str, &str)] = &[
    (
        "name",
        "The run: the name reports show, the seed of every random stream (`run --seed`
overrides it), the first simulated day and how many days are simulated, and
the currency money is shown in (money is kept in cents).",
    ),
    (
        "suppliers",
        "The world, suppliers: one entry per segment. Each supplier is drawn from a
segment: its country, whether it volunteers for the program, the lead time it
promises, and the mix of latent behaviour types (reliable, average, poor,
fraudulent; the shares sum to 1), which vetting never sees.",
    ),
    (
        "buyers",
        "The world, buyers: one entry per segment. How often a buyer asks suppliers
for quotes, what orders are worth, how buyers pay (each buyer is given one
method), how long goods travel and are inspected, and how buyers claim and
confirm. Changing the rules below never re-draws this world.",
    ),
    (
        "supplier_types",
        "How each latent supplier type behaves: production and lateness, quality,
answering inquiries, settling claims, and bust-out fraud. Optional: when
omitted, the defaults documented in the README apply.",
    ),
    (
        "rules",
        "The program's rules: which countries and payment methods are covered, when
escrow releases the deposit, what a justified claim refunds, the claim window,
vetting and coverage limits. Every rule is optional; one left out keeps its
launch default (README, \"Scenario reference\").",
    ),
    (
        "timeline",
        "Dated changes of the rules, in date order, each from the first second of its date.",
    ),
];

/// The starting scenario: the template with a header and a comment before
/// each top-level block.
pub fn starting_scenario(template: Template) -> String {
    let mut text = format!(
        "// A starting scenario, written by `escrowsim init --from {}` from the shipped
// scenario it names. Edit it, then `escrowsim validate FILE` lists every
// problem with its line and column, and `escrowsim run FILE` runs it. The
// README's \"Writing a scenario\" describes every field.
//
",
        template.name()
    );
    for line in template.text().lines() {
        let block = BLOCKS.iter().find(|(key, _)| {
            line.strip_prefix("    ")
                .and_then(|rest| rest.strip_prefix(key))
                .is_some_and(|rest| rest.starts_with(':'))
        });
        if let Some((_, comment)) = block {
            for comment_line in comment.lines() {
                text.push_str("    // ");
                text.push_str(comment_line);
                text.push('\n');
            }
        }
        text.push_str(line);
        text.push('\n');
    }
    text
}

pub fn init(arguments: &InitArgs) -> Result<(), Failure> {
    // First, so that Ctrl-C exits 130 like every command, leaving no file.
    let stop = StopRequests::install()?;
    let path = &arguments.file;
    let refuse = |reason: &str| Failure::BadInput(format!("{}: {reason}", path.display()));
    let exists = "the file exists already; init never overwrites a file";
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(refuse(exists));
    }
    let text = starting_scenario(arguments.from);
    stop.check(|| format!("; {} was not written", path.display()))?;
    match create_exclusively(path, text.as_bytes()) {
        Ok(true) => {
            note!(
                "{}: a starting scenario from {}; `escrowsim validate {}` checks it",
                path.display(),
                arguments.from.name(),
                path.display()
            );
            Ok(())
        }
        Ok(false) => Err(refuse(exists)),
        Err(error) => Err(refuse(&format!("cannot write the scenario: {error}"))),
    }
}
