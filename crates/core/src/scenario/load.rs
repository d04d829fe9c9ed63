//! From a scenario file to a validated [`Scenario`], or to errors a policy
//! analyst can act on.
//!
//! Three kinds of failure are kept apart because they read differently: the
//! file cannot be read; the text is not a well-formed scenario (RON syntax,
//! a wrong type, an unknown or duplicated field: serde stops at the first);
//! or it is well-formed but wrong (validation collects every problem). Each
//! error names the file and, where known, `line:column`.

use super::limits::SCENARIO_FILE_BYTES_MAX;
use super::spans::{Position, SpanIndex};
use super::{Scenario, validate};
use crate::input::InputError;
use std::fmt;

/// Nesting depth RON may reach while parsing; real scenarios use under ten.
const RECURSION_LIMIT: usize = 64;

/// A validation problem with the position of its field, when the text shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocatedProblem {
    pub position: Option<Position>,
    pub path: String,
    pub message: String,
}

/// Why a scenario could not be loaded. `source_name` is the file name as the user gave it.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{source_name}: cannot read the scenario file: {reason}")]
    Unreadable { source_name: String, reason: String },
    #[error(
        "{source_name}: the file is {bytes} bytes; scenario files are limited to {SCENARIO_FILE_BYTES_MAX} bytes"
    )]
    TooLarge { source_name: String, bytes: u64 },
    #[error(
        "{source_name}: the input goes on past {SCENARIO_FILE_BYTES_MAX} bytes; scenario files are limited to {SCENARIO_FILE_BYTES_MAX} bytes"
    )]
    TooLong { source_name: String },
    #[error("{source_name}: the file is not UTF-8 text (invalid byte at offset {offset})")]
    NotText { source_name: String, offset: usize },
    #[error("{source_name}:{position}: {message}")]
    Syntax {
        source_name: String,
        position: Position,
        message: String,
    },
    #[error("{}", render_problems(source_name, problems))]
    Invalid {
        source_name: String,
        problems: Vec<LocatedProblem>,
    },
}

fn render_problems(source_name: &str, problems: &[LocatedProblem]) -> String {
    let mut text = String::new();
    for (index, problem) in problems.iter().enumerate() {
        if index > 0 {
            text.push('\n');
        }
        match problem.position {
            Some(position) => text.push_str(&format!(
                "{source_name}:{position}: {}: {}",
                problem.path, problem.message
            )),
            None => text.push_str(&format!(
                "{source_name}: {}: {}",
                problem.path, problem.message
            )),
        }
    }
    text
}

impl LoadError {
    /// The error for a scenario file that could not be read; the reading
    /// itself happens outside the core.
    pub fn unreadable(source_name: &str, error: InputError) -> LoadError {
        let source_name = source_name.to_string();
        match error {
            InputError::TooLarge { bytes, .. } => LoadError::TooLarge { source_name, bytes },
            InputError::TooLong { .. } => LoadError::TooLong { source_name },
            InputError::NotText { offset } => LoadError::NotText {
                source_name,
                offset,
            },
            InputError::Unreadable(_) | InputError::NotAFile { .. } => LoadError::Unreadable {
                source_name,
                reason: error.to_string(),
            },
        }
    }
}

/// Parses and validates scenario text; `source_name` labels the errors.
pub fn parse_scenario(text: &str, source_name: &str) -> Result<Scenario, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::Syntax {
            source_name: source_name.to_string(),
            position: Position { line: 1, column: 1 },
            message: "the file is empty; a scenario starts with `Scenario(`".to_string(),
        });
    }
    // Implicit `Some` lets a timeline entry write a rule exactly as the
    // `rules` block does (`claim_window_days: 45`, not `Some(45)`); an
    // explicit `Some(...)` is still accepted.
    let options = ron::Options::default()
        .with_recursion_limit(RECURSION_LIMIT)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let scenario: Scenario = options.from_str(text).map_err(|error| {
        let position = Position {
            line: u32::try_from(error.span.start.line).unwrap_or(u32::MAX),
            column: u32::try_from(error.span.start.col).unwrap_or(u32::MAX),
        };
        let description = describe_ron_error(&error.code);
        // Name the field the error sits in: serde's messages often do not.
        let spans = SpanIndex::build(text);
        let message = match (&error.code, spans.path_at(position)) {
            // Reported at the closing parenthesis of the struct that lacks
            // the field: name the struct's path and the field, not the
            // last field written before the parenthesis.
            (ron::Error::MissingStructField { field, outer }, last) => {
                let owner = missing_field_owner(outer.as_deref(), last.unwrap_or(""));
                let path = if owner.is_empty() {
                    (*field).to_string()
                } else {
                    format!("{owner}.{field}")
                };
                format!("{path}: the required field `{field}` is missing")
            }
            (_, Some(path)) if !description.contains(path) => {
                format!("{path}: {description}")
            }
            _ => description,
        };
        LoadError::Syntax {
            source_name: source_name.to_string(),
            position,
            message,
        }
    })?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        return Ok(scenario);
    }
    let spans = SpanIndex::build(text);
    let problems = problems
        .into_iter()
        .map(|problem| LocatedProblem {
            position: spans.locate(&problem.path),
            path: problem.path,
            message: problem.message,
        })
        .collect();
    Err(LoadError::Invalid {
        source_name: source_name.to_string(),
        problems,
    })
}

/// The path of the struct a missing field belongs to, from the struct's
/// type name (`outer`) and the last path written before its closing
/// parenthesis: the scenario itself, a segment (the list element holding
/// the last path), or the innermost struct around the last path.
fn missing_field_owner(outer: Option<&str>, last_path: &str) -> String {
    match outer {
        Some("Scenario") | None => String::new(),
        Some("SupplierSegment" | "BuyerSegment" | "TimelineEntry") => {
            // The list element: the path up to the first `]`.
            match last_path.find(']') {
                Some(end) => last_path[..=end].to_string(),
                None => String::new(),
            }
        }
        Some(_) => match last_path.rfind(['.', '[']) {
            Some(cut) => last_path[..cut].to_string(),
            None => String::new(),
        },
    }
}

/// RON's messages, with the few that read poorly to an analyst rephrased.
fn describe_ron_error(code: &ron::Error) -> String {
    match code {
        ron::Error::Eof => {
            "unexpected end of file: the scenario is truncated or a bracket is not closed"
                .to_string()
        }
        ron::Error::ExpectedStringEnd => {
            "unterminated string: the scenario is truncated or a quote is missing".to_string()
        }
        ron::Error::ExceededRecursionLimit => {
            format!("nesting deeper than {RECURSION_LIMIT} levels")
        }
        other => other.to_string(),
    }
}

impl LoadError {
    /// The number of distinct problems this error reports.
    pub fn problem_count(&self) -> usize {
        match self {
            LoadError::Invalid { problems, .. } => problems.len(),
            _ => 1,
        }
    }
}

impl fmt::Display for LocatedProblem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(position) => write!(formatter, "{position}: {}: {}", self.path, self.message),
            None => write!(formatter, "{}: {}", self.path, self.message),
        }
    }
}
