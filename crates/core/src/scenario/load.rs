//! From a scenario file to a validated [`Scenario`], or to errors a policy
//! analyst can act on.
//!
//! Two kinds of failure are kept apart because they read differently: the
//! file cannot be read; or its text is wrong, as RON (a missing comma, an
//! unclosed quote), as a scenario's shape (a wrong type, an unknown or
//! duplicated field) or by validation (a value out of its bounds). Every
//! problem of the text that can be found is reported at once: serde stops
//! at the first, so [`super::syntax`] edits a working copy past each error
//! it can and parses again, and validation runs on what then parses. Each
//! problem names the file and, where known, `line:column` and its field,
//! as a [`Located`], as in every other input format.

use super::limits::{PROBLEMS_MAX, SCENARIO_FILE_BYTES_MAX};
use super::spans::SpanIndex;
use super::syntax::{
    Diagnosis, RECOVERY_BYTES_MAX, RECURSION_LIMIT, Repair, WorkingCopy, diagnose, value_extent,
};
use super::{Scenario, validate};
use crate::input::{InputError, Located, Position};

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
    /// Not a well-formed scenario, and this is the one problem found.
    #[error("{0}")]
    Syntax(Located),
    /// Every problem found, each in its field: validation's, and the
    /// syntax and type errors the parser could be taken past.
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
    let scenario = match parse(text) {
        Ok(scenario) => scenario,
        Err(error) => return Err(recover(text, source_name, &error)),
    };
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

fn parse(text: &str) -> Result<Scenario, ron::error::SpannedError> {
    // Implicit `Some` lets a timeline entry write a rule exactly as the
    // `rules` block does (`claim_window_days: 45`, not `Some(45)`); an
    // explicit `Some(...)` is still accepted.
    ron::Options::default()
        .with_recursion_limit(RECURSION_LIMIT)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
}

/// Every problem of a text that did not parse: the first error, then each
/// the parser reaches once the working copy is edited past the one before
/// (see [`super::syntax`]), then validation's, if the edited copy parses,
/// except those at or around a field that holds a placeholder.
fn recover(text: &str, source_name: &str, first: &ron::error::SpannedError) -> LoadError {
    let mut copy = WorkingCopy::new(text);
    let mut parsed_bytes = 0usize;
    let mut problems: Vec<Located> = Vec::new();
    let mut error = first.clone();
    let scenario = loop {
        let diagnosis = diagnose(&error, &copy);
        let repair = record(&mut problems, source_name, diagnosis, &error, &copy);
        if problems.len() >= PROBLEMS_MAX {
            break None;
        }
        let mut next = None;
        for (edited, shift) in edits(&copy, repair) {
            parsed_bytes = parsed_bytes.saturating_add(edited.len());
            if parsed_bytes > RECOVERY_BYTES_MAX {
                break;
            }
            let attempt = parse(&edited);
            let further = match &attempt {
                Ok(_) => true,
                Err(later) => later.span.start > error.span.start,
            };
            if further {
                copy.accept(edited, shift);
                next = Some(attempt);
                break;
            }
        }
        match next {
            Some(Ok(scenario)) => break Some(scenario),
            Some(Err(later)) => error = later,
            None => break None,
        }
    };
    if let Some(scenario) = scenario {
        let repaired: Vec<String> = problems
            .iter()
            .filter_map(|problem| problem.field.clone())
            .collect();
        let renamed = renamed_fields(&problems);
        for problem in validate(&scenario) {
            let near_repair = repaired
                .iter()
                .any(|field| related_paths(field, &problem.path));
            if !near_repair && problems.len() < PROBLEMS_MAX {
                problems.push(
                    Located::new(source_name, problem.message)
                        .at(locate_renamed(&copy.spans, &renamed, &problem.path))
                        .in_field(problem.path),
                );
            }
        }
    }
    problems.sort_by_key(|problem| problem.position);
    if problems.len() == 1 {
        return LoadError::Syntax(problems.remove(0));
    }
    LoadError::Invalid {
        source_name: source_name.to_string(),
        problems,
    }
}

/// Adds a diagnosis to the problems, in the form of every other one, and
/// gives back its repair. A missing field keeps its owner's path.
fn record(
    problems: &mut Vec<Located>,
    source_name: &str,
    diagnosis: Diagnosis,
    error: &ron::error::SpannedError,
    copy: &WorkingCopy,
) -> Repair {
    let Diagnosis {
        position,
        field,
        message,
        repair,
    } = diagnosis;
    let (field, message) = match &error.code {
        // Reported at the closing parenthesis of the struct that lacks the
        // field: name the struct's path and the field, not the last field
        // written before the parenthesis.
        ron::Error::MissingStructField {
            field: missing,
            outer,
        } => {
            let last = copy.spans.path_at(position).unwrap_or("");
            let owner = missing_field_owner(outer.as_deref(), last);
            let path = if owner.is_empty() {
                (*missing).to_string()
            } else {
                format!("{owner}.{missing}")
            };
            (
                Some(path),
                format!("the required field `{missing}` is missing"),
            )
        }
        _ => (field, message),
    };
    // A misspelled required field is reported once, as misspelled.
    let meant = format!(
        "did you mean `{}`?",
        field
            .as_deref()
            .unwrap_or("")
            .rsplit(['.', ']'])
            .next()
            .unwrap_or("")
    );
    let reported = matches!(error.code, ron::Error::MissingStructField { .. })
        && problems
            .iter()
            .any(|problem| problem.message.ends_with(&meant));
    if reported {
        return repair;
    }
    problems.push(Located {
        source: source_name.to_string(),
        position: Some(position),
        field,
        message,
    });
    repair
}

/// The edited working copies a repair offers, in the order to try them.
fn edits(copy: &WorkingCopy, repair: Repair) -> Vec<(String, Option<super::syntax::EditShift>)> {
    let text = copy.text.as_str();
    match repair {
        Repair::Stop => Vec::new(),
        Repair::InsertComma { offset } => {
            // A blank after the value becomes the comma, so no column moves.
            let blank = text[offset..].starts_with([' ', '\t']);
            let range = if blank {
                offset..offset + 1
            } else {
                offset..offset
            };
            copy.edited(range, ",").into_iter().collect()
        }
        Repair::RenameOrDropEntry {
            key_offset,
            key,
            meant,
        } => {
            let key_end = key_offset + key.len();
            let renamed = meant.filter(|_| text.get(key_offset..key_end) == Some(key.as_str()));
            let mut edits: Vec<_> = renamed
                .and_then(|meant| copy.edited(key_offset..key_end, &meant))
                .into_iter()
                .collect();
            let Some(entry_end) = entry_end(text, key_offset) else {
                return edits;
            };
            let blanked: String = text[key_offset..entry_end]
                .chars()
                .map(|character| if character == '\n' { '\n' } else { ' ' })
                .collect();
            edits.extend(copy.edited(key_offset..entry_end, &blanked));
            edits
        }
        Repair::ReplaceValue {
            value_offset,
            placeholders,
        } => {
            let Some(range) = value_extent(text, value_offset) else {
                return Vec::new();
            };
            let width = text[range.clone()].chars().count();
            placeholders
                .iter()
                .filter_map(|placeholder| {
                    let padded = format!("{placeholder:width$}");
                    copy.edited(range.clone(), &padded)
                })
                .collect()
        }
    }
}

/// The end of the `key: value` entry whose key starts at `key_offset`, and
/// of the comma after it.
fn entry_end(text: &str, key_offset: usize) -> Option<usize> {
    let rest = &text[key_offset..];
    let colon = rest.find(':')?;
    if !rest[..colon]
        .trim_end()
        .chars()
        .all(|character| character.is_alphanumeric() || character == '_')
    {
        return None;
    }
    let after_colon = &rest[colon + 1..];
    let value_offset =
        key_offset + colon + 1 + (after_colon.len() - after_colon.trim_start().len());
    let value = value_extent(text, value_offset)?;
    let after = &text[value.end..];
    let blank = after.len() - after.trim_start_matches([' ', '\t']).len();
    Some(match after[blank..].starts_with(',') {
        true => value.end + blank + 1,
        false => value.end,
    })
}

/// (the path meant, the path written) of each misspelled field the
/// parser read under the name it was meant to have.
fn renamed_fields(problems: &[Located]) -> Vec<(String, String)> {
    problems
        .iter()
        .filter_map(|problem| {
            let written = problem.field.as_deref()?;
            let meant = problem.message.split("did you mean `").nth(1)?;
            let meant = meant.strip_suffix("`?")?;
            let parent = written.rfind(['.', ']']).map_or("", |cut| {
                &written[..cut + usize::from(written[cut..].starts_with(']'))]
            });
            let meant_path = match parent {
                "" => meant.to_string(),
                parent => format!("{parent}.{meant}"),
            };
            Some((meant_path, written.to_string()))
        })
        .collect()
}

/// Where a validation problem at `path` is written: at the misspelled name
/// when the field was read under the name it was meant to have.
fn locate_renamed(spans: &SpanIndex, renamed: &[(String, String)], path: &str) -> Option<Position> {
    if let Some(position) = spans.get(path) {
        return Some(position);
    }
    renamed
        .iter()
        .find_map(|(meant, written)| {
            let rest = path.strip_prefix(meant.as_str())?;
            (rest.is_empty() || rest.starts_with(['.', '[']))
                .then(|| spans.locate(&format!("{written}{rest}")))
                .flatten()
        })
        .or_else(|| spans.locate(path))
}

/// Whether a validation problem at `path` may come from a placeholder at
/// `repaired`: the same field, one inside it, or one around it (a sum of
/// shares, a segment), the scenario as a whole excepted.
fn related_paths(repaired: &str, path: &str) -> bool {
    let within = |inner: &str, outer: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    within(path, repaired) || (!path.is_empty() && within(repaired, path))
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
