//! What a RON parse error means in the scenario's words, and how to read
//! on past it so that one mistake does not hide the others.
//!
//! serde stops at the first error. To report every problem at once, the
//! loader keeps a *working copy* of the text and, after each error, makes
//! the smallest edit that lets the parser go on: an unknown or duplicated
//! field is blanked out, a value of the wrong type or out of range is
//! replaced by a placeholder of a type the parser accepts (tried from the
//! error's kind, then a short list of common shapes), and a comma missing
//! at the end of a line is put back. An edit is kept only if the parser
//! then gets further than before (it succeeds, or fails at a later
//! position), so every round makes progress and the loop ends; it also
//! ends at an error no edit can get past (an unclosed string or bracket, a
//! missing field), at the problem limit, or when the bytes parsed in all
//! rounds pass a budget, so a large file costs a bounded number of parses.
//!
//! Why not parse into `ron::Value` and type-check it field by field: a
//! `Value` forgets the names of structs and enum variants
//! (`LogNormal(median: ...)` becomes a bare map), so the scenario's
//! distributions and rules could not be checked against it without
//! writing a second parser; editing the text keeps serde the one judge of
//! what parses.
//!
//! Edits keep every line break, and blanks and placeholders keep the
//! columns where they can (a placeholder is padded to the value it
//! replaces); where an edit changes a line's length, the change is
//! recorded, so later errors are reported at their place in the file as
//! written. The placeholders are not the user's values: validation
//! problems at a repaired field, or at a field around it, are left out.

use super::spans::SpanIndex;
use crate::input::Position;

/// Bytes the parser may read over all rounds of one file, beyond the first
/// parse: a few hundred rounds of a real scenario, a handful of a file near
/// the size limit.
pub(crate) const RECOVERY_BYTES_MAX: usize = 32 * 1024 * 1024;

/// Placeholders tried for a value of unknown type, after those the error
/// suggests: the shapes a scenario's fields take.
const PLACEHOLDERS: &[&str] = &[
    "0",
    "0.0",
    "\"x\"",
    "\"2000-01-01\"",
    "\"CN\"",
    "\"0.00\"",
    "false",
    "[]",
    "()",
    "None",
    "Fixed(0.0)",
];

/// One problem the parser found, located in the file as written, and the
/// edit that may get the parser past it.
pub(crate) struct Diagnosis {
    pub position: Position,
    pub field: Option<String>,
    pub message: String,
    pub repair: Repair,
}

/// An edit of the working copy, at byte offsets of the working copy.
pub(crate) enum Repair {
    /// Rename the key that starts here to the name it most likely meant,
    /// so its value is still read and checked; failing that, blank out the
    /// `key: value` entry and its comma.
    RenameOrDropEntry {
        key_offset: usize,
        key: String,
        meant: Option<String>,
    },
    /// Replace the value starting here by the first placeholder that parses.
    ReplaceValue {
        value_offset: usize,
        placeholders: Vec<String>,
    },
    /// Put a comma here, at the end of a line's last value.
    InsertComma { offset: usize },
    /// Nothing gets the parser past this error.
    Stop,
}

/// A change of a line's length made by an edit: on `line`, working columns
/// from `column + old_length` on moved by `new_length - old_length`.
#[derive(Clone, Copy, Debug)]
struct Shift {
    line: u32,
    column: u32,
    old_length: u32,
    new_length: u32,
}

/// The text being parsed, the edits made to it, and the index of the text
/// as written.
pub(crate) struct WorkingCopy {
    pub spans: SpanIndex,
    pub text: String,
    shifts: Vec<Shift>,
}

impl WorkingCopy {
    pub fn new(original: &str) -> WorkingCopy {
        WorkingCopy {
            spans: SpanIndex::build(original),
            text: original.to_string(),
            shifts: Vec::new(),
        }
    }

    /// Where a position of the working copy is in the text as written.
    pub fn to_original(&self, position: Position) -> Position {
        let mut column = i64::from(position.column);
        for shift in self.shifts.iter().rev() {
            if shift.line != position.line {
                continue;
            }
            let moved_from = i64::from(shift.column) + i64::from(shift.new_length);
            if column >= moved_from {
                column -= i64::from(shift.new_length) - i64::from(shift.old_length);
            } else if column > i64::from(shift.column) {
                column = i64::from(shift.column);
            }
        }
        Position {
            line: position.line,
            column: u32::try_from(column.max(1)).unwrap_or(u32::MAX),
        }
    }

    /// Where a position of the text as written is in the working copy.
    fn to_working(&self, position: Position) -> Position {
        let mut column = i64::from(position.column);
        for shift in &self.shifts {
            if shift.line == position.line
                && column >= i64::from(shift.column) + i64::from(shift.old_length)
            {
                column += i64::from(shift.new_length) - i64::from(shift.old_length);
            }
        }
        Position {
            line: position.line,
            column: u32::try_from(column.max(1)).unwrap_or(u32::MAX),
        }
    }

    /// The working copy with `range` replaced by `replacement`, and the
    /// shift that records it; `None` when the range is not in the text.
    pub fn edited(
        &self,
        range: std::ops::Range<usize>,
        replacement: &str,
    ) -> Option<(String, Option<EditShift>)> {
        let replaced = self.text.get(range.clone())?;
        let mut text = String::with_capacity(self.text.len() + replacement.len());
        text.push_str(&self.text[..range.start]);
        text.push_str(replacement);
        text.push_str(&self.text[range.end..]);
        let old_length = replaced.chars().count();
        let new_length = replacement.chars().count();
        let shift = (old_length != new_length).then(|| {
            let start = position_of(&self.text, range.start);
            EditShift(Shift {
                line: start.line,
                column: start.column,
                old_length: u32::try_from(old_length).unwrap_or(u32::MAX),
                new_length: u32::try_from(new_length).unwrap_or(u32::MAX),
            })
        });
        Some((text, shift))
    }

    /// Makes an edit found by [`WorkingCopy::edited`] the working copy.
    pub fn accept(&mut self, text: String, shift: Option<EditShift>) {
        self.text = text;
        self.shifts.extend(shift.map(|EditShift(shift)| shift));
    }

    /// The field path a working position belongs to, by the text as written.
    fn path_at(&self, working: Position) -> Option<String> {
        self.spans
            .path_at(self.to_original(working))
            .map(str::to_string)
    }
}

/// A recorded change of a line's length, opaque outside this module.
pub(crate) struct EditShift(Shift);

/// The diagnosis of `error`, a parse of the working copy.
pub(crate) fn diagnose(error: &ron::error::SpannedError, copy: &WorkingCopy) -> Diagnosis {
    let start = Position::saturating(error.span.start.line, error.span.start.col);
    let text = copy.text.as_str();
    let offset = offset_of(text, start).unwrap_or(text.len());
    let at = |position: Position, field: Option<String>, message: String, repair| Diagnosis {
        position: copy.to_original(position),
        field,
        message,
        repair,
    };
    // A quote left open swallows the text up to the next quote, and the
    // parser fails somewhere after it: the string's start is the place to fix.
    if let Some(opened) = copy
        .spans
        .string_across_lines_before(copy.to_original(start))
    {
        return Diagnosis {
            position: opened,
            field: copy.spans.path_at(opened).map(str::to_string),
            message: format!(
                "this string has no closing quote on its line (the parser read on and stopped at {start})"
            ),
            repair: Repair::Stop,
        };
    }
    match &error.code {
        ron::Error::ExpectedComma => {
            if let Some(number) = fractional_number_at(text, offset) {
                let position = position_of(text, number.start);
                let found = &text[number.clone()];
                return at(
                    position,
                    copy.path_at(position),
                    format!("expected a whole number, found `{found}`"),
                    Repair::ReplaceValue {
                        value_offset: number.start,
                        placeholders: vec!["0".to_string()],
                    },
                );
            }
            missing_comma(copy, start, offset)
        }
        ron::Error::NoSuchStructField {
            expected, found, ..
        } => at(
            start,
            copy.path_at(start),
            unknown_name("field", found.as_str(), expected),
            Repair::RenameOrDropEntry {
                key_offset: offset,
                key: found.clone(),
                meant: nearest_name(found.as_str(), expected).map(str::to_string),
            },
        ),
        ron::Error::DuplicateStructField { field, .. } => {
            let path = copy.path_at(start);
            let first = path.as_deref().and_then(|path| copy.spans.get(path));
            let message = match first {
                Some(first) => format!("`{field}` is given twice; the first is at {first}"),
                None => format!("`{field}` is given twice"),
            };
            at(
                start,
                path,
                message,
                Repair::RenameOrDropEntry {
                    key_offset: offset,
                    key: (*field).to_string(),
                    meant: None,
                },
            )
        }
        ron::Error::NoSuchEnumVariant {
            expected, found, ..
        } => {
            let mut placeholders: Vec<String> = nearest_name(found.as_str(), expected)
                .into_iter()
                .chain(expected.iter().copied())
                .map(str::to_string)
                .collect();
            placeholders.dedup();
            value_error(
                copy,
                start,
                unknown_name("variant", found.as_str(), expected),
                placeholders,
            )
        }
        ron::Error::IntegerOutOfBounds => {
            let value = value_start(copy, start);
            let found = value.map(|offset| value_text(text, offset)).unwrap_or("");
            let range = match copy.path_at(start) {
                Some(path) if path == "seed" || path.ends_with(".seed") => {
                    "0 to 18446744073709551615"
                }
                _ => "0 to 4294967295",
            };
            value_error(
                copy,
                start,
                format!("`{found}` is out of range: a whole number from {range} is expected here"),
                vec!["0".to_string()],
            )
        }
        ron::Error::ExpectedInteger | ron::Error::InvalidIntegerDigit { .. } => {
            expected_value(copy, start, "a whole number", "0")
        }
        ron::Error::ExpectedFloat => expected_value(copy, start, "a number", "0.0"),
        ron::Error::ExpectedString => {
            expected_value(copy, start, "a string in double quotes", "\"x\"")
        }
        ron::Error::ExpectedBoolean => expected_value(copy, start, "`true` or `false`", "false"),
        ron::Error::Message(_)
        | ron::Error::InvalidValueForType { .. }
        | ron::Error::ExpectedArray
        | ron::Error::ExpectedMap
        | ron::Error::ExpectedOption
        | ron::Error::ExpectedUnit
        | ron::Error::ExpectedStructLike
        | ron::Error::ExpectedNamedStructLike(_)
        | ron::Error::ExpectedDifferentStructName { .. }
        | ron::Error::ExpectedDifferentLength { .. } => {
            value_error(copy, start, describe_ron_error(&error.code), Vec::new())
        }
        other => at(
            start,
            copy.path_at(start),
            describe_ron_error(other),
            Repair::Stop,
        ),
    }
}

/// "expected X, found `Y`" at the value the error is about.
fn expected_value(
    copy: &WorkingCopy,
    start: Position,
    expected: &str,
    placeholder: &str,
) -> Diagnosis {
    let found = value_start(copy, start).map(|offset| value_text(&copy.text, offset));
    let message = match found {
        Some(found) if !found.is_empty() => format!("expected {expected}, found `{found}`"),
        _ => format!("expected {expected}"),
    };
    value_error(copy, start, message, vec![placeholder.to_string()])
}

/// A problem with the value of the field an error sits in: reported at the
/// value, repaired by a placeholder.
fn value_error(
    copy: &WorkingCopy,
    start: Position,
    message: String,
    mut placeholders: Vec<String>,
) -> Diagnosis {
    let field = copy.path_at(start);
    for placeholder in PLACEHOLDERS {
        if !placeholders.iter().any(|known| known == placeholder) {
            placeholders.push((*placeholder).to_string());
        }
    }
    match value_start(copy, start) {
        Some(value_offset) => Diagnosis {
            position: copy.to_original(position_of(&copy.text, value_offset)),
            field,
            message,
            repair: Repair::ReplaceValue {
                value_offset,
                placeholders,
            },
        },
        None => Diagnosis {
            position: copy.to_original(start),
            field,
            message,
            repair: Repair::Stop,
        },
    }
}

/// The byte offset (working copy) of the value of the field an error at
/// `start` sits in: after the field's name and colon, or the list element
/// itself.
fn value_start(copy: &WorkingCopy, start: Position) -> Option<usize> {
    let path = copy.path_at(start)?;
    let written = copy.spans.get(&path)?;
    let offset = offset_of(&copy.text, copy.to_working(written))?;
    let rest = &copy.text[offset..];
    let name_length = rest
        .char_indices()
        .find(|(_, character)| !(character.is_alphanumeric() || *character == '_'))
        .map_or(rest.len(), |(index, _)| index);
    let after_name = rest[name_length..].trim_start();
    let value = match after_name.strip_prefix(':') {
        Some(value) if name_length > 0 => value,
        _ => rest,
    };
    let value = skip_blank(value);
    Some(copy.text.len() - value.len())
}

/// Skips whitespace and comments.
fn skip_blank(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(comment) = text.strip_prefix("//") {
            text = comment.find('\n').map_or("", |end| &comment[end..]);
        } else if let Some(comment) = text.strip_prefix("/*") {
            text = comment.find("*/").map_or("", |end| &comment[end + 2..]);
        } else {
            return text;
        }
    }
}

/// The extent of the value starting at `offset`: a string, a char, a
/// bracketed group, an identifier with the group after it, or a number or
/// word. `None` when it does not end (an open string or bracket).
pub(crate) fn value_extent(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    let rest = text.get(offset..)?;
    let mut characters = rest.char_indices().peekable();
    let (_, first) = *characters.peek()?;
    let mut end = if first == '"' {
        string_end(rest)?
    } else if matches!(first, '(' | '[' | '{') {
        group_end(rest)?
    } else {
        let word = rest
            .char_indices()
            .find(|(_, character)| {
                !(character.is_alphanumeric() || matches!(character, '_' | '.' | '+' | '-' | '\''))
            })
            .map_or(rest.len(), |(index, _)| index);
        if word == 0 {
            return None;
        }
        word
    };
    if first.is_alphabetic() && rest[end..].starts_with('(') {
        end += group_end(&rest[end..])?;
    }
    Some(offset..offset + end)
}

/// The byte length of the quoted string `text` starts with.
fn string_end(text: &str) -> Option<usize> {
    let mut escaped = false;
    for (index, character) in text.char_indices().skip(1) {
        match character {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(index + 1),
            _ => {}
        }
    }
    None
}

/// The byte length of the bracketed group `text` starts with, strings and
/// comments inside it stepped over.
fn group_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = 0;
    while index < text.len() {
        let rest = &text[index..];
        let character = rest.chars().next()?;
        match character {
            '"' => {
                index += string_end(rest)?;
                continue;
            }
            '/' if rest.starts_with("//") || rest.starts_with("/*") => {
                let after = skip_blank(rest);
                index = text.len() - after.len();
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index + 1);
                }
            }
            _ => {}
        }
        index += character.len_utf8();
    }
    None
}

/// The value at `offset` as written, shortened for a message.
fn value_text(text: &str, offset: usize) -> &str {
    let value = value_extent(text, offset).and_then(|range| text.get(range));
    let value = value.unwrap_or_else(|| text[offset..].lines().next().unwrap_or(""));
    match value.char_indices().nth(40) {
        Some((cut, _)) => &value[..cut],
        None => value,
    }
}

/// The number with a fractional part ending at an `ExpectedComma` error:
/// the parser read its whole part as an integer and stopped at the point.
fn fractional_number_at(text: &str, offset: usize) -> Option<std::ops::Range<usize>> {
    let after = text.get(offset..)?;
    if !after.starts_with('.') || !after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let before = &text[..offset];
    let digits = before.len()
        - before
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '_')
            .len();
    if digits == 0 {
        return None;
    }
    let start = offset - digits;
    let start = if before[..start].ends_with(['-', '+']) {
        start - 1
    } else {
        start
    };
    let fraction = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-')))
        .unwrap_or(after.len());
    Some(start..offset + fraction)
}

/// A comma is missing: report it at the end of the value that lacks it,
/// not at the next entry, where the parser noticed. Only a comma missing
/// at the end of a line is put back, where the intent is plain.
fn missing_comma(copy: &WorkingCopy, start: Position, offset: usize) -> Diagnosis {
    let text = copy.text.as_str();
    let end = code_end_before(text, offset);
    let end_position = position_of(text, end);
    let next = copy.to_original(start);
    let field = copy.path_at(end_position.max(Position { line: 1, column: 1 }));
    let repair = if end_position.line < start.line {
        Repair::InsertComma { offset: end }
    } else {
        Repair::Stop
    };
    Diagnosis {
        position: copy.to_original(end_position),
        field,
        message: format!("expected `,` after this value, before the next entry at {next}"),
        repair,
    }
}

/// The byte offset just after the last code before `offset`: whitespace
/// and `//` comments stepped back over.
fn code_end_before(text: &str, offset: usize) -> usize {
    let mut end = offset.min(text.len());
    loop {
        let before = text[..end].trim_end();
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        match line_comment_start(&before[line_start..]) {
            Some(comment) => end = line_start + comment,
            None => return before.len(),
        }
    }
}

/// Where a `//` comment starts on a line, outside strings.
fn line_comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (index, &byte) in bytes.iter().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(index + 1) == Some(&b'/') => return Some(index),
            _ => {}
        }
    }
    None
}

/// "unknown field `x`; did you mean `y`?", or the names it may be.
pub(crate) fn unknown_name(kind: &str, found: &str, expected: &[&str]) -> String {
    match nearest_name(found, expected) {
        Some(nearest) => format!("unknown {kind} `{found}`; did you mean `{nearest}`?"),
        None if expected.is_empty() => format!("unknown {kind} `{found}`"),
        None => {
            let names: Vec<String> = expected.iter().map(|name| format!("`{name}`")).collect();
            format!(
                "unknown {kind} `{found}`; expected one of {}",
                names.join(", ")
            )
        }
    }
}

/// The known name closest to `found`, when it is close enough to be a
/// slip: at most a third of its letters (at least one) changed, dropped,
/// added or swapped with a neighbour.
pub fn nearest_name<'name>(found: &str, known: &[&'name str]) -> Option<&'name str> {
    let allowed = (found.chars().count() / 3).max(1);
    known
        .iter()
        .map(|name| (edit_distance(found, name), *name))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Edits (insert, delete, replace, swap of neighbours) from `left` to
/// `right`: the optimal string alignment distance. Names are short and the
/// work is bounded by their lengths' product, capped at 64 chars each.
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().take(64).collect();
    let right: Vec<char> = right.chars().take(64).collect();
    let width = right.len() + 1;
    let mut table = vec![0usize; (left.len() + 1) * width];
    for (row, cell) in table.iter_mut().step_by(width).enumerate() {
        *cell = row;
    }
    for (column, cell) in table.iter_mut().take(width).enumerate() {
        *cell = column;
    }
    for row in 1..=left.len() {
        for column in 1..=right.len() {
            let cost = usize::from(left[row - 1] != right[column - 1]);
            let mut best = (table[(row - 1) * width + column] + 1)
                .min(table[row * width + column - 1] + 1)
                .min(table[(row - 1) * width + column - 1] + cost);
            if row > 1
                && column > 1
                && left[row - 1] == right[column - 2]
                && left[row - 2] == right[column - 1]
            {
                best = best.min(table[(row - 2) * width + column - 2] + 1);
            }
            table[row * width + column] = best;
        }
    }
    table[left.len() * width + right.len()]
}

/// Nesting depth RON may reach while parsing; real scenarios use under ten.
pub(crate) const RECURSION_LIMIT: usize = 64;

/// RON's messages, with the few that read poorly to an analyst rephrased.
pub(crate) fn describe_ron_error(code: &ron::Error) -> String {
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

/// The byte offset of a 1-based line and char column; `None` past the text.
pub(crate) fn offset_of(text: &str, position: Position) -> Option<usize> {
    let mut line_start = 0;
    for _ in 1..position.line {
        line_start += text.get(line_start..)?.find('\n')? + 1;
    }
    let line = &text[line_start..];
    let column = usize::try_from(position.column.max(1) - 1).ok()?;
    match line.char_indices().nth(column) {
        Some((index, _)) => Some(line_start + index),
        None if line.chars().count() == column => Some(text.len()),
        None => None,
    }
}

/// The 1-based line and char column of a byte offset.
pub(crate) fn position_of(text: &str, offset: usize) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Position::saturating(
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slip_of_a_letter_or_two_finds_the_name_meant() {
        let known = ["claim_window_days", "auto_release_days", "decision_days"];
        assert_eq!(
            nearest_name("claim_windw_days", &known),
            Some("claim_window_days")
        );
        assert_eq!(
            nearest_name("cliam_window_days", &known),
            Some("claim_window_days")
        );
        assert_eq!(nearest_name("decisoin_days", &known), Some("decision_days"));
        assert_eq!(nearest_name("colour", &known), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
    }

    #[test]
    fn offsets_and_positions_are_inverse_in_chars() {
        let text = "ab\nçd\n";
        for offset in [0, 1, 3, 5, 6, 7] {
            let position = position_of(text, offset);
            assert_eq!(offset_of(text, position), Some(offset), "{position}");
        }
        assert_eq!(offset_of(text, Position { line: 9, column: 1 }), None);
    }

    #[test]
    fn a_value_ends_where_its_brackets_and_quotes_close() {
        let text = "x: LogNormal(median: \"a)\", b: [1, 2]), y: -1.5e3, z: \"q\\\"\"";
        let extent = |from: &str| {
            let offset = text.find(from).unwrap();
            value_extent(text, offset).map(|range| &text[range])
        };
        assert_eq!(
            extent("LogNormal"),
            Some("LogNormal(median: \"a)\", b: [1, 2])")
        );
        assert_eq!(extent("-1.5"), Some("-1.5e3"));
        assert_eq!(extent("\"q"), Some("\"q\\\"\""));
        assert_eq!(value_extent("(open", 0), None);
    }
}
