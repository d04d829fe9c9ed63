//! From a scenario file to a validated [`Scenario`], or to errors a policy
//! analyst can act on.
//!
//! Three kinds of failure are kept apart because they read differently: the
//! file cannot be read; the text is not a well-formed scenario (RON syntax,
//! a wrong type, an unknown or duplicated field: serde stops at the first);
//! or it is well-formed but wrong (validation collects every problem). Each
//! error names the file and, where known, `line:column`; problems inside the
//! text are [`Located`], as in every other input format.

use super::limits::SCENARIO_FILE_BYTES_MAX;
use super::spans::SpanIndex;
use super::{Scenario, validate};
use crate::input::{InputError, Located, Position};

/// Nesting depth RON may reach while parsing; real scenarios use under ten.
const RECURSION_LIMIT: usize = 64;

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
    /// Not a well-formed scenario: serde stops at the first such problem.
    #[error("{0}")]
    Syntax(Located),
    /// Well-formed but wrong: every problem validation found, each in its field.
    #[error("{}", Located::lines(problems))]
    Invalid {
        source_name: String,
        problems: Vec<Located>,
    },
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
        return Err(LoadError::Syntax(
            Located::new(
                source_name,
                "the file is empty; a scenario starts with `Scenario(`",
            )
            .at(Position { line: 1, column: 1 }),
        ));
    }
    // Implicit `Some` lets a timeline entry write a rule exactly as the
    // `rules` block does (`claim_window_days: 45`, not `Some(45)`); an
    // explicit `Some(...)` is still accepted.
    let options = ron::Options::default()
        .with_recursion_limit(RECURSION_LIMIT)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let scenario: Scenario = options.from_str(text).map_err(|error| {
        let position = Position::saturating(error.span.start.line, error.span.start.col);
        let description = describe_ron_error(&error.code);
        // Name the field the error sits in: serde's messages often do not.
        let spans = SpanIndex::build(text);
        let (field, message) = match (&error.code, spans.path_at(position)) {
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
                (
                    Some(path),
                    format!("the required field `{field}` is missing"),
                )
            }
            (_, Some(path)) if !description.contains(path) => (Some(path.to_string()), description),
            _ => (None, description),
        };
        LoadError::Syntax(Located {
            source: source_name.to_string(),
            position: Some(position),
            field,
            message,
        })
    })?;
    let problems = validate(&scenario);
    if problems.is_empty() {
        return Ok(scenario);
    }
    let spans = SpanIndex::build(text);
    let problems = problems
        .into_iter()
        .map(|problem| {
            Located::new(source_name, problem.message)
                .at(spans.locate(&problem.path))
                .in_field(problem.path)
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

#[cfg(test)]
mod tests {
    use super::*;

    const QUICK: &str = include_str!("../../../../scenarios/quick.ron");

    #[test]
    fn a_validation_problem_names_the_file_its_line_and_column_and_its_field() {
        let text = QUICK.replace("horizon_days: 120,", "horizon_days: 0,");
        let Err(LoadError::Invalid { problems, .. }) = parse_scenario(&text, "quick.ron") else {
            panic!("a horizon of 0 days is refused by validation");
        };
        let problem = &problems[0];
        assert_eq!(problem.source, "quick.ron");
        assert_eq!(problem.position, Some(Position { line: 9, column: 5 }));
        assert_eq!(problem.field.as_deref(), Some("horizon_days"));
        assert_eq!(
            problem.to_string(),
            "quick.ron:9:5: horizon_days: 0 is out of range 1..=36525"
        );
    }

    #[test]
    fn a_syntax_error_names_the_file_its_line_and_column_and_its_field() {
        let text = QUICK.replace("seed: 7,", "seed: \"seven\",");
        let Err(LoadError::Syntax(problem)) = parse_scenario(&text, "quick.ron") else {
            panic!("a string seed is refused by the parser");
        };
        assert_eq!(problem.source, "quick.ron");
        assert_eq!(problem.position.map(|position| position.line), Some(7));
        assert_eq!(problem.field.as_deref(), Some("seed"));
        assert!(problem.to_string().starts_with("quick.ron:7:"), "{problem}");
        let Err(LoadError::Syntax(empty)) = parse_scenario(" \n", "empty.ron") else {
            panic!("an empty file is refused");
        };
        assert_eq!(
            empty.to_string(),
            "empty.ron:1:1: the file is empty; a scenario starts with `Scenario(`"
        );
    }
}
