//! What went wrong with an input: why a file could not be read, and where
//! in a file a problem lies.
//!
//! The core never reads a file; the binary's reader (`escrowsim::input`)
//! does, and reports what went wrong with [`InputError`], which each
//! format's own error (a scenario's [`LoadError`](crate::scenario::LoadError),
//! a sweep's, a unit file's) renders with the file's name.
//!
//! A problem inside a file, of any format (scenario, sweep file, sweep
//! manifest, unit file), is a [`Located`]: the file, the line and column
//! where the format lets them be known, the field, and what is wrong. One
//! type with one rendering means every format reports problems the same
//! way, `file:line:column: field: message`, and an editor or a script can
//! jump to them alike.

use std::fmt;

/// Why an input could not be read; rendered by each format's own error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{0}")]
    Unreadable(String),
    #[error("it is {kind}, not a file")]
    NotAFile { kind: &'static str },
    #[error("the file is {bytes} bytes; the limit is {limit} bytes")]
    TooLarge { bytes: u64, limit: u64 },
    #[error("the input goes on past {limit} bytes, the limit")]
    TooLong { limit: u64 },
    #[error("the file is not UTF-8 text (invalid byte at offset {offset})")]
    NotText { offset: usize },
}

/// A 1-based line and column in an input's text (column counts chars, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    /// The position a parser reports with `usize` numbers; a number beyond
    /// `u32` (a file of four billion lines cannot be read anyway) saturates
    /// rather than wraps.
    pub fn saturating(line: usize, column: usize) -> Position {
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}", self.line, self.column)
    }
}

/// A problem in an input of any format, located as precisely as the format
/// allows: always the file, the position where the text shows it, the field
/// where one is to blame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The file's name as the user gave it.
    pub source: String,
    pub position: Option<Position>,
    /// The field's path in the format's own notation (`grid[1].values[0]`,
    /// `suppliers[0].type_mix`, `points[3]`).
    pub field: Option<String>,
    pub message: String,
}

impl Located {
    /// A problem of the file `source` as a whole; [`Located::at`] and
    /// [`Located::in_field`] narrow it down.
    pub fn new(source: impl Into<String>, message: impl Into<String>) -> Located {
        Located {
            source: source.into(),
            position: None,
            field: None,
            message: message.into(),
        }
    }

    /// The problem at `position`, which may be unknown (`None`): callers
    /// that look a field up in a span index pass what they found.
    pub fn at(self, position: impl Into<Option<Position>>) -> Located {
        Located {
            position: position.into(),
            ..self
        }
    }

    /// The problem in the field `field`.
    pub fn in_field(self, field: impl Into<String>) -> Located {
        Located {
            field: Some(field.into()),
            ..self
        }
    }

    /// A JSON input serde could not read: `what` says what the file was
    /// expected to be ("not a unit result"), serde's message says why, and
    /// the position moves from the end of serde's message (" at line 3
    /// column 7") to the front, where every other problem has it.
    pub fn from_json_error(
        source: impl Into<String>,
        what: &str,
        error: &serde_json::Error,
    ) -> Located {
        let described = error.to_string();
        // serde_json reports line 0 for errors not tied to the text (I/O);
        // a column of 0 means "before the first character of the line".
        let position =
            (error.line() > 0).then(|| Position::saturating(error.line(), error.column().max(1)));
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let reason = described.strip_suffix(&suffix).unwrap_or(&described);
        Located::new(source, format!("{what}: {reason}")).at(position)
    }

    /// Problems one per line, in order: how every format lists several.
    pub fn lines(problems: &[Located]) -> String {
        problems
            .iter()
            .map(Located::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `source:line:column: field: message`, leaving out what is unknown (and
/// an empty source, which names nothing).
impl fmt::Display for Located {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefixed = false;
        if !self.source.is_empty() {
            formatter.write_str(&self.source)?;
            prefixed = true;
        }
        if let Some(position) = self.position {
            if prefixed {
                formatter.write_str(":")?;
            }
            write!(formatter, "{position}")?;
            prefixed = true;
        }
        if prefixed {
            formatter.write_str(": ")?;
        }
        if let Some(field) = &self.field {
            write!(formatter, "{field}: ")?;
        }
        formatter.write_str(&self.message)
    }
}

impl std::error::Error for Located {}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Position = Position {
        line: 7,
        column: 52,
    };

    #[test]
    fn every_combination_of_position_and_field_renders_what_is_known() {
        let problem = || Located::new("sweep.ron", "0 is out of range");
        assert_eq!(problem().to_string(), "sweep.ron: 0 is out of range");
        assert_eq!(
            problem().at(AT).to_string(),
            "sweep.ron:7:52: 0 is out of range"
        );
        assert_eq!(
            problem().in_field("replications").to_string(),
            "sweep.ron: replications: 0 is out of range"
        );
        assert_eq!(
            problem().at(AT).in_field("replications").to_string(),
            "sweep.ron:7:52: replications: 0 is out of range"
        );
        assert_eq!(
            problem().in_field("replications").at(None).to_string(),
            "sweep.ron: replications: 0 is out of range"
        );
    }

    #[test]
    fn an_empty_source_is_left_out() {
        let problem = || Located::new("", "0 is out of range");
        assert_eq!(problem().to_string(), "0 is out of range");
        assert_eq!(problem().at(AT).to_string(), "7:52: 0 is out of range");
        assert_eq!(
            problem().at(AT).in_field("points[3]").to_string(),
            "7:52: points[3]: 0 is out of range"
        );
        assert_eq!(
            problem().in_field("points[3]").to_string(),
            "points[3]: 0 is out of range"
        );
    }

    #[test]
    fn several_problems_are_listed_one_per_line() {
        let problems = [
            Located::new("a.ron", "first").at(AT),
            Located::new("a.ron", "second").in_field("name"),
        ];
        assert_eq!(
            Located::lines(&problems),
            "a.ron:7:52: first\na.ron: name: second"
        );
        assert_eq!(Located::lines(&[]), "");
    }

    #[test]
    fn a_json_error_moves_its_position_to_the_front() {
        let error = serde_json::from_str::<Vec<u32>>("[1,\n  \"two\"]").unwrap_err();
        let problem = Located::from_json_error("units/u1.json", "not a unit result", &error);
        assert_eq!(problem.position, Some(Position { line: 2, column: 7 }));
        assert_eq!(
            problem.to_string(),
            "units/u1.json:2:7: not a unit result: invalid type: string \"two\", expected u32"
        );
        let truncated = serde_json::from_str::<Vec<u32>>("").unwrap_err();
        let problem = Located::from_json_error("u.json", "not a unit result", &truncated);
        assert!(problem.position.is_some(), "{problem}");
        assert!(!problem.message.contains(" at line "), "{problem}");
    }

    #[test]
    fn positions_beyond_u32_saturate() {
        assert_eq!(
            Position::saturating(usize::MAX, 3),
            Position {
                line: u32::MAX,
                column: 3
            }
        );
    }
}
