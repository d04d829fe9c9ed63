//! Source positions for scenario field paths, so validation errors can say `file:line:column`,
//! and the bytes of each value, so that a value can be rewritten in place.
//!
//! Serde discards where each value was written, and the validator reports problems against
//! field paths such as `suppliers[0].type_mix.reliable`. This module recovers the positions
//! by scanning the RON text a second time with its own small tokenizer and a structural walk
//! that follows the same path rules. Each path also keeps the byte span of its value, the comma
//! written after it and, for a bracketed value, where its brackets open and close: enough to
//! replace a value or add a field beside it without reading the text again (see
//! `factors::patch_text`). It does not use the `ron` crate on purpose: it must also
//! work on files that just failed to deserialise, so it is tolerant instead of correct. It never
//! fails or panics, indexes whatever it can, and stops at the first unterminated string or
//! comment. Hostile input cannot exhaust the stack, the clock or memory: group sizes are counted
//! with a heap stack, recursion stops at 256 levels and deeper values are skipped iteratively,
//! every token is visited a bounded number of times, and the bytes spent on path keys are capped
//! in proportion to the input, so time and memory stay linear in the input size.

/// Positions belong to every input format; they are re-exported here,
/// where scenario positions are found.
pub use crate::input::Position;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

/// Nesting depth beyond which values are stepped over without being indexed.
const MAX_DEPTH: usize = 256;

/// Field path -> position of the field name (struct fields / map keys) or of the first char of
/// the element (sequence/tuple elements), and where its value is written.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    /// Each path's entry in `entries`.
    positions: BTreeMap<String, usize>,
    entries: Vec<Entry>,
    /// Where the first quoted string that runs past the end of its line
    /// (or past the end of the text) opens: scenario strings never hold a
    /// line break, so this is most likely a quote left unclosed.
    string_across_lines: Option<Position>,
}

impl SpanIndex {
    /// Never panics and never fails, whatever the input (malformed, truncated, binary, deeply
    /// nested): best effort.
    pub fn build(text: &str) -> SpanIndex {
        let mut tokens = Vec::new();
        let mut lexer = Lexer {
            rest: text,
            consumed: 0,
            line: 1,
            column: 1,
            string_across_lines: None,
        };
        // An unterminated string or comment ends the scan; the tokens before it are still used.
        let _ = lexer.scan_into(&mut tokens);
        let string_across_lines = lexer.string_across_lines;
        let entry_counts = count_group_entries(&tokens);
        let mut walker = Walker {
            tokens: &tokens,
            entry_counts: &entry_counts,
            cursor: 0,
            positions: BTreeMap::new(),
            entries: Vec::new(),
            // Real scenarios spend a few key bytes per input byte; only hostile nesting needs more.
            key_budget: text.len().saturating_mul(16).saturating_add(1 << 16),
        };
        if let Some(first) = tokens.first() {
            let root = walker.record("", first.position, first.start);
            let group = walker.walk_value(&mut String::new(), 0);
            if let Some(root) = root {
                walker.set_value(root, 0, group);
            }
        }
        SpanIndex {
            positions: walker.positions,
            entries: walker.entries,
            string_across_lines,
        }
    }

    /// Where the first quoted string opens that is not closed on its own
    /// line, if one opens before `position`: the likeliest cause of a parse
    /// error at `position`, since the parser reads on to the next quote.
    pub fn string_across_lines_before(&self, position: Position) -> Option<Position> {
        self.string_across_lines.filter(|start| *start < position)
    }

    /// Exact lookup.
    pub fn get(&self, path: &str) -> Option<Position> {
        self.entry(path).map(|entry| entry.position)
    }

    /// Where the value of `path` is written; `None` when the path is not indexed or has no value
    /// (`a: ,`, or a text cut off after the colon).
    pub fn span(&self, path: &str) -> Option<ValueSpan> {
        let entry = self.entry(path)?;
        let written = entry.value.as_ref()?;
        Some(ValueSpan {
            entry_start: entry.entry_start,
            value: written.value.clone(),
            comma_end: written.comma_end,
            group: written.group,
        })
    }

    fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.get(*self.positions.get(path)?)
    }

    /// Exact lookup, else the nearest ancestor path that is present (strip the last `.field` or
    /// `[i]` segment repeatedly); None if nothing matches (the root "" maps to the position of
    /// the top-level value if any).
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut candidate = path;
        loop {
            if let Some(position) = self.get(candidate) {
                return Some(position);
            }
            if candidate.is_empty() {
                return None;
            }
            // Both separators are ASCII, so the cut always lands on a char boundary.
            let cut = candidate.rfind(['.', '[']).unwrap_or(0);
            candidate = candidate.get(..cut).unwrap_or("");
        }
    }

    /// The path written last at or before `position`: the field a parse
    /// error at `position` most likely belongs to. Ties (equal positions)
    /// go to the longer, more specific path. `None` when nothing precedes it
    /// or only the root does.
    pub fn path_at(&self, position: Position) -> Option<&str> {
        self.positions
            .iter()
            .filter_map(|(path, entry)| Some((path, self.entries.get(*entry)?.position)))
            .filter(|(path, start)| !path.is_empty() && *start <= position)
            .max_by(|(left_path, left), (right_path, right)| {
                left.cmp(right).then(left_path.len().cmp(&right_path.len()))
            })
            .map(|(path, _)| path.as_str())
    }

    /// Number of indexed paths, including the root.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True when nothing was indexed, which happens only for text without any token.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

/// Where a value is written, in byte offsets of the indexed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueSpan {
    /// Where the entry starts: its field name or map key; for an element (and the root), the
    /// value itself.
    pub entry_start: usize,
    /// The value, from its first byte to just past its last: `3000.0`, `LogNormal(...)`,
    /// `Some((...))`, `[...]`.
    pub value: Range<usize>,
    /// Just past the comma written right after the value (comments and blanks between them
    /// allowed), if there is one.
    pub comma_end: Option<usize>,
    /// For a bracketed value, the brackets holding its own fields or elements: those of the
    /// group itself, or through a one-element wrapper such as `Some(...)`, those of the group
    /// inside it. `None` for a number, a string, a word or `Fixed(1.0)`.
    pub group: Option<GroupSpan>,
}

/// The brackets of a group whose entries are indexed under one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSpan {
    /// The opening bracket's byte offset.
    pub open: usize,
    /// The closing bracket's byte offset; `None` when the text ends first.
    pub close: Option<usize>,
    /// Comma-separated entries, as the walk counts them.
    pub entries: u32,
}

/// An indexed path: where it is written, and its value once the walk has passed it.
#[derive(Clone, Debug)]
struct Entry {
    position: Position,
    entry_start: usize,
    value: Option<Written>,
}

#[derive(Clone, Debug)]
struct Written {
    value: Range<usize>,
    comma_end: Option<usize>,
    group: Option<GroupSpan>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Paren,
    Bracket,
    Brace,
}

/// Only what the walker needs survives tokenizing: strings, numbers and chars all become
/// `Literal` because they are leaves that differ only in the key text they give a map entry.
#[derive(Debug)]
enum TokenKind {
    Open(Group),
    Close,
    Comma,
    Colon,
    Ident(Box<str>),
    Literal(Box<str>),
}

#[derive(Debug)]
struct Token {
    kind: TokenKind,
    position: Position,
    /// Byte offsets of the token's first byte and just past its last.
    start: usize,
    end: usize,
}

struct Lexer<'text> {
    rest: &'text str,
    /// Bytes of the text before `rest`.
    consumed: usize,
    line: u32,
    column: u32,
    string_across_lines: Option<Position>,
}

fn is_identifier_start(character: char) -> bool {
    character.is_alphabetic() || character == '_'
}

fn is_identifier_continue(character: char) -> bool {
    character.is_alphanumeric() || character == '_'
}

impl Lexer<'_> {
    fn peek(&self, offset: usize) -> Option<char> {
        self.rest.chars().nth(offset)
    }

    fn bump(&mut self) -> Option<char> {
        let mut characters = self.rest.chars();
        let next = characters.next()?;
        self.rest = characters.as_str();
        self.consumed += next.len_utf8();
        if next == '\n' {
            self.line = self.line.saturating_add(1);
            self.column = 1;
        } else {
            self.column = self.column.saturating_add(1);
        }
        Some(next)
    }

    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.bump();
        }
    }

    fn take_while(&mut self, limit: usize, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        for _ in 0..limit {
            match self.peek(0).filter(|&character| keep(character)) {
                Some(next) => taken.push(next),
                None => break,
            }
            self.bump();
        }
        taken
    }

    /// Returns `None` only for unterminated constructs, which is the signal to stop scanning.
    fn scan_into(&mut self, tokens: &mut Vec<Token>) -> Option<()> {
        while let Some(next) = self.peek(0) {
            let position = Position {
                line: self.line,
                column: self.column,
            };
            let start = self.consumed;
            let following = self.peek(1);
            let kind = match next {
                '(' | '[' | '{' | ')' | ']' | '}' | ',' | ':' => {
                    self.bump();
                    match next {
                        '(' => TokenKind::Open(Group::Paren),
                        '[' => TokenKind::Open(Group::Bracket),
                        '{' => TokenKind::Open(Group::Brace),
                        ',' => TokenKind::Comma,
                        ':' => TokenKind::Colon,
                        _ => TokenKind::Close,
                    }
                }
                '/' if following == Some('/') => {
                    self.skip_while(|character| character != '\n');
                    continue;
                }
                '/' if following == Some('*') => {
                    self.skip_block_comment()?;
                    continue;
                }
                '#' => {
                    self.skip_attribute()?;
                    continue;
                }
                '"' => {
                    let literal = self.literal();
                    if (literal.is_none() || self.line != position.line)
                        && self.string_across_lines.is_none()
                    {
                        self.string_across_lines = Some(position);
                    }
                    TokenKind::Literal(literal?.into())
                }
                '\'' => TokenKind::Literal(self.literal()?.into()),
                'r' if self.raw_string_starts_at(1) => TokenKind::Literal(self.literal()?.into()),
                // Byte strings and byte chars index like their text forms, so the prefix is dropped.
                'b' if matches!(following, Some('"' | '\''))
                    || (following == Some('r') && self.raw_string_starts_at(2)) =>
                {
                    self.bump();
                    TokenKind::Literal(self.literal()?.into())
                }
                'r' if following == Some('#') && self.peek(2).is_some_and(is_identifier_start) => {
                    self.bump();
                    self.bump();
                    TokenKind::Ident(self.take_while(usize::MAX, is_identifier_continue).into())
                }
                _ if is_identifier_start(next) => {
                    TokenKind::Ident(self.take_while(usize::MAX, is_identifier_continue).into())
                }
                '0'..='9' => TokenKind::Literal(self.number().into()),
                '+' | '-' | '.' if following.is_some_and(|c| c.is_alphanumeric() || c == '.') => {
                    TokenKind::Literal(self.number().into())
                }
                _ => {
                    // Whitespace and characters that cannot start anything the walker uses.
                    self.bump();
                    continue;
                }
            };
            tokens.push(Token {
                kind,
                position,
                start,
                end: self.consumed,
            });
        }
        Some(())
    }

    /// RON block comments nest, so `/* a /* b */ c */` is one comment.
    fn skip_block_comment(&mut self) -> Option<()> {
        self.bump();
        self.bump();
        let mut open_comments = 1usize;
        while open_comments > 0 {
            match self.bump()? {
                '/' if self.peek(0) == Some('*') => {
                    self.bump();
                    open_comments += 1;
                }
                '*' if self.peek(0) == Some('/') => {
                    self.bump();
                    open_comments -= 1;
                }
                _ => {}
            }
        }
        Some(())
    }

    /// Extension attributes such as `#![enable(implicit_some)]` say nothing about paths.
    fn skip_attribute(&mut self) -> Option<()> {
        self.bump();
        if self.peek(0) == Some('!') {
            self.bump();
        }
        if self.peek(0) != Some('[') {
            return Some(());
        }
        let mut open_brackets = 0usize;
        loop {
            match self.bump()? {
                '[' => open_brackets += 1,
                ']' if open_brackets <= 1 => return Some(()),
                ']' => open_brackets -= 1,
                _ => {}
            }
        }
    }

    /// Reads a string, raw string or char starting at the cursor.
    fn literal(&mut self) -> Option<String> {
        match self.peek(0) {
            Some('"') => self.quoted_string(),
            Some('\'') => self.char_literal(),
            _ => {
                self.bump();
                self.raw_string()
            }
        }
    }

    fn quoted_string(&mut self) -> Option<String> {
        self.bump();
        let mut value = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(value),
                '\\' => self.escape_into(&mut value)?,
                other => value.push(other),
            }
        }
    }

    /// A char literal is read as one char or one escape; a missing closing quote is forgiven.
    fn char_literal(&mut self) -> Option<String> {
        self.bump();
        let mut value = String::new();
        match self.bump()? {
            '\\' => self.escape_into(&mut value)?,
            other => value.push(other),
        }
        if self.peek(0) == Some('\'') {
            self.bump();
        }
        Some(value)
    }

    /// Escapes are decoded so that a string map key is indexed by the text serde would see.
    fn escape_into(&mut self, value: &mut String) -> Option<()> {
        let decoded = match self.bump()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            marker @ ('u' | 'x') => {
                let braced = self.peek(0) == Some('{');
                if braced {
                    self.bump();
                }
                let limit = match (braced, marker) {
                    (true, _) => 6,
                    (false, 'u') => 4,
                    _ => 2,
                };
                let digits = self.take_while(limit, |character| character.is_ascii_hexdigit());
                if braced && self.peek(0) == Some('}') {
                    self.bump();
                }
                match u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                {
                    Some(character) => character,
                    None => return Some(()),
                }
            }
            '\n' => {
                // A backslash before a newline continues the string and drops the indentation.
                self.skip_while(char::is_whitespace);
                return Some(());
            }
            other => other,
        };
        value.push(decoded);
        Some(())
    }

    fn raw_string_starts_at(&self, offset: usize) -> bool {
        self.rest
            .chars()
            .skip(offset)
            .find(|&character| character != '#')
            == Some('"')
    }

    /// `r#"..."#` ends at the first quote followed by as many hashes as opened it.
    fn raw_string(&mut self) -> Option<String> {
        let hashes = self
            .take_while(usize::MAX, |character| character == '#')
            .len();
        self.bump();
        let mut value = String::new();
        loop {
            let next = self.bump()?;
            if next != '"' {
                value.push(next);
                continue;
            }
            // Consuming the hashes is safe even when too few follow, because a terminator must
            // start with a quote; it also keeps long runs of hashes from being rescanned.
            let closing = self.take_while(hashes, |character| character == '#');
            if closing.len() == hashes {
                return Some(value);
            }
            value.push('"');
            value.push_str(&closing);
        }
    }

    /// Numbers are taken loosely (`1_000`, `0x1F`, `1e-9`, `-inf`) because only their text matters.
    fn number(&mut self) -> String {
        let mut text = String::new();
        while let Some(next) = self.peek(0) {
            let sign_allowed = text.is_empty() || text.ends_with(['e', 'E']);
            if next.is_alphanumeric()
                || next == '_'
                || next == '.'
                || (matches!(next, '+' | '-') && sign_allowed)
            {
                text.push(next);
                self.bump();
            } else {
                break;
            }
        }
        text
    }
}

/// Counts the comma-separated entries of every group in one pass with a heap stack, so the
/// walker knows before entering `Variant(x)` whether it is a transparent one-element wrapper.
fn count_group_entries(tokens: &[Token]) -> Vec<u32> {
    struct OpenGroup {
        open_token: usize,
        entries: u32,
        entry_has_content: bool,
    }
    fn finish(group: &OpenGroup, counts: &mut [u32]) {
        if let Some(count) = counts.get_mut(group.open_token) {
            *count = group
                .entries
                .saturating_add(u32::from(group.entry_has_content));
        }
    }
    let mut counts = vec![0; tokens.len()];
    let mut open_groups: Vec<OpenGroup> = Vec::new();
    for (token_index, token) in tokens.iter().enumerate() {
        match token.kind {
            TokenKind::Close => {
                if let Some(group) = open_groups.pop() {
                    finish(&group, &mut counts);
                }
                continue;
            }
            TokenKind::Comma => {
                if let Some(group) = open_groups.last_mut() {
                    group.entries = group
                        .entries
                        .saturating_add(u32::from(group.entry_has_content));
                    group.entry_has_content = false;
                }
                continue;
            }
            TokenKind::Colon => continue,
            _ => {}
        }
        if let Some(group) = open_groups.last_mut() {
            group.entry_has_content = true;
        }
        if matches!(token.kind, TokenKind::Open(_)) {
            open_groups.push(OpenGroup {
                open_token: token_index,
                entries: 0,
                entry_has_content: false,
            });
        }
    }
    for group in &open_groups {
        finish(group, &mut counts);
    }
    counts
}

fn push_field(path: &mut String, name: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(name);
}

/// The structural walk; any closing bracket closes the innermost group, matching the counting pass.
struct Walker<'tokens> {
    tokens: &'tokens [Token],
    entry_counts: &'tokens [u32],
    cursor: usize,
    positions: BTreeMap<String, usize>,
    entries: Vec<Entry>,
    key_budget: usize,
}

/// What comes next inside a group.
enum NextEntry {
    Entry,
    /// The group closes at this token.
    Closed(usize),
    /// The text ends first.
    End,
}

impl<'tokens> Walker<'tokens> {
    fn kind_at(&self, index: usize) -> Option<&'tokens TokenKind> {
        self.tokens.get(index).map(|token| &token.kind)
    }

    /// Indexes `path` unless it already is (or the key budget is spent): the new entry, whose
    /// value the caller sets once walked.
    fn record(&mut self, path: &str, position: Position, entry_start: usize) -> Option<usize> {
        // Every attempt is charged, so deep paths repeated many times cannot make the copies
        // and comparisons of keys grow faster than the input.
        self.key_budget = self.key_budget.checked_sub(path.len())?;
        // The first occurrence wins so that a duplicated key points at the original definition.
        if self.positions.contains_key(path) {
            return None;
        }
        self.entries.push(Entry {
            position,
            entry_start,
            value: None,
        });
        self.positions
            .insert(path.to_owned(), self.entries.len() - 1);
        Some(self.entries.len() - 1)
    }

    /// Sets an entry's value: the tokens from `value_token` to the cursor, and the comma after.
    fn set_value(&mut self, entry: usize, value_token: usize, group: Option<GroupSpan>) {
        let first = self.tokens.get(value_token);
        let last = self
            .cursor
            .checked_sub(1)
            .and_then(|last| self.tokens.get(last));
        let (Some(first), Some(last), Some(entry)) = (first, last, self.entries.get_mut(entry))
        else {
            return;
        };
        if self.cursor <= value_token {
            return;
        }
        let comma_end = match self.tokens.get(self.cursor) {
            Some(Token {
                kind: TokenKind::Comma,
                end,
                ..
            }) => Some(*end),
            _ => None,
        };
        entry.value = Some(Written {
            value: first.start..last.end,
            comma_end,
            group,
        });
    }

    /// Walks one value; gives back the group that holds its own entries, if it has one.
    fn walk_value(&mut self, path: &mut String, depth: usize) -> Option<GroupSpan> {
        if depth >= MAX_DEPTH {
            self.skip_value();
            return None;
        }
        match self.kind_at(self.cursor) {
            Some(TokenKind::Open(_)) => self.walk_group(path, depth, false),
            Some(TokenKind::Ident(_)) => {
                self.cursor += 1;
                if matches!(
                    self.kind_at(self.cursor),
                    Some(TokenKind::Open(Group::Paren))
                ) {
                    self.walk_group(path, depth, true)
                } else {
                    None
                }
            }
            Some(TokenKind::Literal(_)) => {
                self.cursor += 1;
                None
            }
            // Separators and closers belong to the enclosing group, which handles them.
            _ => None,
        }
    }

    /// Walks `( ... )`, `[ ... ]` or `{ ... }` starting at its opening token; gives back its
    /// brackets, or for a transparent wrapper those of the group inside it.
    fn walk_group(
        &mut self,
        path: &mut String,
        depth: usize,
        after_variant_name: bool,
    ) -> Option<GroupSpan> {
        let open_token = self.cursor;
        let is_map = matches!(
            self.kind_at(open_token),
            Some(TokenKind::Open(Group::Brace))
        );
        let transparent = after_variant_name
            && self.entry_counts.get(open_token) == Some(&1)
            && !self.is_key_start(open_token + 1, false);
        self.cursor += 1;
        let mut element_index = 0usize;
        let mut inner_group = None;
        let close_token = loop {
            match self.next_entry() {
                NextEntry::Entry => {}
                NextEntry::Closed(token) => break Some(token),
                NextEntry::End => break None,
            }
            let parent_length = path.len();
            let token = self.tokens.get(self.cursor);
            let mut entry = None;
            if let (
                Some(Token {
                    kind: TokenKind::Ident(key) | TokenKind::Literal(key),
                    position,
                    start,
                    ..
                }),
                true,
            ) = (token, self.is_key_start(self.cursor, is_map))
            {
                push_field(path, key);
                entry = self.record(path, *position, *start);
                self.cursor += 2;
            } else if is_map {
                // Composite or keyless map entries cannot be named by a path, so they are stepped over.
                self.skip_value();
                continue;
            } else if !transparent {
                let _ = write!(path, "[{element_index}]");
                if let Some(token) = token {
                    entry = self.record(path, token.position, token.start);
                }
                element_index += 1;
            }
            let value_token = self.cursor;
            let group = self.walk_value(path, depth + 1);
            if let Some(entry) = entry {
                self.set_value(entry, value_token, group);
            }
            if transparent {
                inner_group = group;
            }
            path.truncate(parent_length);
        };
        if transparent {
            return inner_group;
        }
        Some(GroupSpan {
            open: self.tokens.get(open_token)?.start,
            close: close_token
                .and_then(|token| self.tokens.get(token))
                .map(|token| token.start),
            entries: self.entry_counts.get(open_token).copied().unwrap_or(0),
        })
    }

    /// Struct fields are `ident:`; map keys may also be strings, numbers or chars.
    fn is_key_start(&self, index: usize, is_map: bool) -> bool {
        let key_kind = match self.kind_at(index) {
            Some(TokenKind::Ident(_)) => true,
            Some(TokenKind::Literal(_)) => is_map,
            _ => false,
        };
        key_kind && matches!(self.kind_at(index + 1), Some(TokenKind::Colon))
    }

    /// Steps over separators and stray colons, and over the closing bracket when the group ends.
    fn next_entry(&mut self) -> NextEntry {
        loop {
            match self.kind_at(self.cursor) {
                None => return NextEntry::End,
                Some(TokenKind::Close) => {
                    self.cursor += 1;
                    return NextEntry::Closed(self.cursor - 1);
                }
                Some(TokenKind::Comma | TokenKind::Colon) => self.cursor += 1,
                Some(_) => return NextEntry::Entry,
            }
        }
    }

    /// Steps over one value without indexing it and without recursion, so depth is unbounded here.
    fn skip_value(&mut self) {
        match self.kind_at(self.cursor) {
            Some(TokenKind::Literal(_)) => {
                self.cursor += 1;
                return;
            }
            Some(TokenKind::Ident(_)) => {
                self.cursor += 1;
                if !matches!(
                    self.kind_at(self.cursor),
                    Some(TokenKind::Open(Group::Paren))
                ) {
                    return;
                }
            }
            Some(TokenKind::Open(_)) => {}
            _ => return,
        }
        let mut open_groups = 0usize;
        while let Some(kind) = self.kind_at(self.cursor) {
            self.cursor += 1;
            match kind {
                TokenKind::Open(_) => open_groups += 1,
                TokenKind::Close if open_groups <= 1 => return,
                TokenKind::Close => open_groups -= 1,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod path_at_tests {
    use super::*;

    #[test]
    fn an_error_position_maps_to_the_field_written_just_before_it() {
        let index = SpanIndex::build("Scenario(\n  a: 1,\n  rules: (limit: 5.0, b: 2),\n)");
        assert_eq!(
            index.path_at(Position {
                line: 3,
                column: 18
            }),
            Some("rules.limit")
        );
        assert_eq!(index.path_at(Position { line: 2, column: 6 }), Some("a"));
        assert_eq!(index.path_at(Position { line: 1, column: 1 }), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r##"#![enable(implicit_some)]
// A comment with ( ) : [ and "quotes" must not create paths.
Scenario(
    /* outer /* nested ) */ still_comment: ( */
    rules: Rules(claim_window_days: 30, fee: 0.5),
    suppliers: [
        (name: "x(y): // \"z\"", type_mix: {reliable: 0.75, "fraudulent": 0.25}),
        (name: r#"raw "quoted" ( text"#, capacity: (10, 20)),
    ],
    buyers: [(payment_mix: [Card, Wire])],
    supplier_types: {
        fraudulent: (fraud: Some(BustOut(clean_orders: 5)), order_value: LogNormal(median: 3000.0, sigma: 1.0)),
    },
    schedule: Window(3, 7),
)
"##;

    fn at(line: u32, column: u32) -> Option<Position> {
        Some(Position { line, column })
    }

    /// An independent oracle: the line and char column of the first occurrence of `needle`.
    fn position_of(text: &str, needle: &str) -> Option<Position> {
        let before = &text[..text.find(needle)?];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before[line_start..].chars().count() + 1;
        at(before.matches('\n').count() as u32 + 1, column as u32)
    }

    /// All indexed paths joined by spaces; the root path is empty, so the list starts with a space.
    fn paths(index: &SpanIndex) -> String {
        let keys: Vec<&str> = index.positions.keys().map(String::as_str).collect();
        keys.join(" ")
    }

    #[test]
    fn nested_struct_fields_have_exact_line_and_column() {
        // Goal: named and unnamed structs give dotted paths at the field name's exact line:column.
        let text = "Scenario(\n    rules: Rules(\n        claim_window_days: 30,\n    ),\n)\n";
        let index = SpanIndex::build(text);
        assert_eq!(index.get(""), at(1, 1));
        assert_eq!(index.get("rules"), at(2, 5));
        assert_eq!(index.get("rules.claim_window_days"), at(3, 9));
        assert_eq!(
            at(3, 9).map(|position| position.to_string()),
            Some("3:9".to_owned())
        );
        let unnamed = SpanIndex::build("  (rules: (fee: 1))");
        assert_eq!(paths(&unnamed), " rules rules.fee");
        assert_eq!(unnamed.get("rules.fee"), at(1, 12));
    }

    #[test]
    fn sample_indexes_exactly_the_real_paths() {
        // Goal: sequences, tuples, maps, transparent and multi-element variants give exactly these
        // paths, and nothing leaks out of comments, attributes or strings holding ( ) : // or quotes.
        let expected = " buyers buyers[0] buyers[0].payment_mix buyers[0].payment_mix[0] \
            buyers[0].payment_mix[1] rules rules.claim_window_days rules.fee schedule schedule[0] \
            schedule[1] supplier_types supplier_types.fraudulent supplier_types.fraudulent.fraud \
            supplier_types.fraudulent.fraud.clean_orders supplier_types.fraudulent.order_value \
            supplier_types.fraudulent.order_value.median supplier_types.fraudulent.order_value.sigma \
            suppliers suppliers[0] suppliers[0].name suppliers[0].type_mix \
            suppliers[0].type_mix.fraudulent suppliers[0].type_mix.reliable suppliers[1] \
            suppliers[1].capacity suppliers[1].capacity[0] suppliers[1].capacity[1] suppliers[1].name";
        assert_eq!(paths(&SpanIndex::build(SAMPLE)), expected);
    }

    #[test]
    fn sample_positions_point_at_names_and_first_element_chars() {
        // Goal: every kind of path points at the right token, checked against a text-search oracle.
        let index = SpanIndex::build(SAMPLE);
        let cases = [
            ("", "Scenario("),
            ("rules.fee", "fee:"),
            ("suppliers", "suppliers:"),
            ("suppliers[0]", "(name: \"x"),
            ("suppliers[0].name", "name:"),
            ("suppliers[0].type_mix.reliable", "reliable"),
            ("suppliers[0].type_mix.fraudulent", "\"fraudulent\""),
            ("suppliers[1].name", "name: r#"),
            ("suppliers[1].capacity[0]", "10"),
            ("suppliers[1].capacity[1]", "20"),
            ("buyers[0].payment_mix[1]", "Wire"),
            ("supplier_types.fraudulent", "fraudulent: ("),
            (
                "supplier_types.fraudulent.fraud.clean_orders",
                "clean_orders",
            ),
            ("supplier_types.fraudulent.order_value.median", "median"),
            ("schedule[0]", "3, 7"),
            ("schedule[1]", "7)"),
        ];
        for (path, needle) in cases {
            assert_eq!(
                index.get(path),
                position_of(SAMPLE, needle),
                "path {path:?}"
            );
        }
    }

    #[test]
    fn literals_escapes_raw_strings_and_map_keys_are_read_correctly() {
        // Goal: every literal form is one leaf, raw strings end only at their own hash count,
        // and map keys are indexed by their unquoted, unescaped text.
        let text = r###"(a: r##"x"# ) ( "##, b: b"\"(", c: '\'', d: '(', e: "\u{1F600}:", f: 1_000,
            g: -inf, h: 0x1F, i: 1e-9, j: +3, k: NaN, l: br#"(("#, m: {"a\"b": 1, 7: 2, key: 3},
            r#type: 'x')"###;
        let index = SpanIndex::build(text);
        assert_eq!(
            paths(&index),
            " a b c d e f g h i j k l m m.7 m.a\"b m.key type"
        );
        assert_eq!(index.get("m.7"), position_of(text, "7:"));
    }

    #[test]
    fn single_unnamed_variant_element_is_transparent_but_tuples_are_not() {
        // Goal: `Some(x)` indexes x's children under the parent; `V(a, b)` and `(x)` use indices.
        let text = "(a: Some(Inner(x: 1)), b: Some(5), c: Pair(1, (y: 2)), d: (Inner(x: 1)))";
        let expected = " a a.x b c c[0] c[1] c[1].y d d[0] d[0].x";
        assert_eq!(paths(&SpanIndex::build(text)), expected);
    }

    #[test]
    fn each_value_has_its_bytes_its_comma_and_its_brackets() {
        // Goal: a value's span is exactly its text; a one-element wrapper's group is the group
        // inside it; the comma after a value is found across a comment.
        let index = SpanIndex::build(SAMPLE);
        let value = |path: &str| index.span(path).map(|span| &SAMPLE[span.value]);
        assert_eq!(value("rules.fee"), Some("0.5"));
        assert_eq!(
            value("rules"),
            Some("Rules(claim_window_days: 30, fee: 0.5)")
        );
        assert_eq!(
            value("suppliers[0].type_mix"),
            Some("{reliable: 0.75, \"fraudulent\": 0.25}")
        );
        assert_eq!(
            value("suppliers[1].name"),
            Some("r#\"raw \"quoted\" ( text\"#")
        );
        assert_eq!(
            value("supplier_types.fraudulent.fraud"),
            Some("Some(BustOut(clean_orders: 5))")
        );
        assert_eq!(value("schedule[1]"), Some("7"));
        let root = index.span("").unwrap();
        assert_eq!(&SAMPLE[root.value.start..][..9], "Scenario(");
        assert_eq!(root.value.end, SAMPLE.trim_end().len());
        let offset = |needle: &str| SAMPLE.find(needle).unwrap();
        let rules = index.span("rules").unwrap();
        assert_eq!(rules.entry_start, offset("rules:"));
        assert_eq!(rules.comma_end, Some(offset("0.5),") + 5));
        assert_eq!(
            rules.group,
            Some(GroupSpan {
                open: offset("(claim_window_days"),
                close: Some(offset("),\n    suppliers")),
                entries: 2,
            })
        );
        let fee = index.span("rules.fee").unwrap();
        assert_eq!((fee.comma_end, fee.group), (None, None));
        let fraud = index.span("supplier_types.fraudulent.fraud").unwrap();
        assert_eq!(
            fraud.group.map(|group| group.open),
            Some(offset("(clean_orders"))
        );
        // `Fixed(1.0)` holds no fields of its own; `[Card, Wire]` holds elements.
        let fixed = SpanIndex::build("(a: Fixed(1.0), b: [Card, Wire])");
        assert_eq!(fixed.span("a").unwrap().group, None);
        assert_eq!(
            fixed.span("b").unwrap().group.map(|group| group.entries),
            Some(2)
        );
        let commented = "(a: 1 /* c, */ , b: 2)";
        assert_eq!(
            SpanIndex::build(commented).span("a").unwrap().comma_end,
            Some(commented.find(" ,").unwrap() + 2)
        );
    }

    /// Every span of every indexed path is a slice of the text: in bounds, on char boundaries.
    fn assert_spans_slice(index: &SpanIndex, text: &str) {
        for path in index.positions.keys() {
            let Some(span) = index.span(path) else {
                continue;
            };
            assert!(text.get(span.value.clone()).is_some(), "{path}: {span:?}");
            assert!(text.get(span.entry_start..).is_some(), "{path}: {span:?}");
            if let Some(comma_end) = span.comma_end {
                assert!(text.get(span.value.end..comma_end).is_some());
            }
            if let Some(group) = span.group {
                assert!(text.get(group.open..).is_some());
                assert!(
                    group
                        .close
                        .is_none_or(|close| text.get(group.open..close).is_some())
                );
            }
        }
    }

    #[test]
    fn locate_falls_back_to_the_nearest_present_ancestor() {
        // Goal: unknown paths resolve to the closest indexed ancestor, ending at the root.
        let index = SpanIndex::build(SAMPLE);
        let capacity = index.get("suppliers[1].capacity");
        assert_eq!(index.locate("suppliers[1].capacity[7].deeper"), capacity);
        assert_eq!(index.locate("buyers[0].unknown"), index.get("buyers[0]"));
        assert_eq!(index.locate("missing.field[3]"), index.get(""));
        assert_eq!(index.locate("rules.fee"), index.get("rules.fee"));
        assert_eq!(SpanIndex::build("").locate("rules"), None);
        assert!(SpanIndex::build("").is_empty());
    }

    #[test]
    fn duplicate_keys_keep_the_first_position() {
        // Goal: a repeated field or map key reports where it was first written.
        let index = SpanIndex::build("(a: 1,\n a: 2, m: {k: 1, k: 2})");
        assert_eq!(
            (index.get("a"), index.get("m.k"), index.len()),
            (at(1, 2), at(2, 12), 4)
        );
    }

    #[test]
    fn columns_count_chars_not_bytes() {
        // Goal: multi-byte characters before a field advance the column by one each.
        let index = SpanIndex::build("(note: \"héllo wörld ✓\", value: 1)");
        assert_eq!(index.get("value"), at(1, 25));
    }

    #[test]
    fn truncated_and_malformed_input_keeps_what_was_indexed_and_never_panics() {
        // Goal: unterminated constructs stop the scan but keep earlier paths, and hostile
        // nesting neither overflows the stack nor indexes past the depth cap.
        let text = "Scenario(rules: Rules(claim_window_days: 30), name: \"unterminated";
        assert_eq!(
            paths(&SpanIndex::build(text)),
            " name rules rules.claim_window_days"
        );
        assert_eq!(
            paths(&SpanIndex::build("(a: 1, /* open /* nested */ b: 2)")),
            " a"
        );
        assert_eq!(
            SpanIndex::build(&"[".repeat(1_000_000)).len(),
            MAX_DEPTH + 1
        );
        assert_eq!(
            SpanIndex::build(&"((((((".repeat(100_000)).len(),
            MAX_DEPTH + 1
        );
        // Many elements at the depth cap would each store a long key; the key budget bounds them.
        let deep_and_wide = "[".repeat(200) + &"1,".repeat(200_000);
        assert!((1_000..200_000).contains(&SpanIndex::build(&deep_and_wide).len()));
        let junk = "|)]}|:::,,,|Some(|r#|r##\"|b'|'\\|\"\\u{|#![enable(|{(: ]|-|1e+|\u{0}\u{FFFD}";
        for text in junk.split('|') {
            let index = SpanIndex::build(text);
            let _ = index.locate("a.b[0]");
            assert_spans_slice(&index, text);
        }
        // Every prefix of a valid file stands in for a file cut off at any point.
        let characters: Vec<char> = SAMPLE.chars().collect();
        for length in 0..=characters.len() {
            let prefix: String = characters[..length].iter().collect();
            let index = SpanIndex::build(&prefix);
            let _ = index.locate("suppliers[1].capacity[0]");
            assert_spans_slice(&index, &prefix);
        }
    }

    #[test]
    fn pseudo_random_bytes_never_panic() {
        // Goal: deterministic random byte strings, biased toward RON syntax, never panic.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let syntax = b"()[]{},:\"'#!/*\\rb_xe1-+. \n";
        for _ in 0..3000 {
            let length = next() % 120;
            let bytes: Vec<u8> = (0..length)
                .map(|_| match next() % 3 {
                    0 => next() as u8,
                    _ => syntax[(next() % syntax.len() as u64) as usize],
                })
                .collect();
            let text = String::from_utf8_lossy(&bytes);
            let index = SpanIndex::build(&text);
            let _ = (index.locate("a[0].b"), index.len());
            assert_spans_slice(&index, &text);
        }
    }
}
