//! Mutations of real input text, shared by every bounded fuzz pass
//! (`fuzz.rs` for scenarios, `fuzz_formats.rs` for sweep files, manifests
//! and unit files): each pass starts from a real file and applies a few
//! mutations, with the tokens of its own format to splice in.

use proptest::prelude::*;

/// Values at and beyond the edges of what a field of any input accepts.
pub const INTERESTING_VALUES: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.0",
    "-0.0",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "36525",
    "36526",
    "10000",
    "10001",
    "1000000000",
    "1000000000.01",
    "0.999999999",
    "1.000000001",
    "9007199254740993",
    "3650",
    "3650.0001",
    "\"79228162514264337593543950336\"",
    "\"7922816251426433759354395033.5\"",
    "\"0.001\"",
    "\"-0.00\"",
    "\"1e5\"",
    "\"\"",
];

/// One edit of a text. Positions and choices are any `usize`, taken
/// modulo what the text (or the token list) holds, so one mutation applies
/// to any text.
#[derive(Clone, Debug)]
pub enum Mutation {
    Delete {
        at: usize,
        length: usize,
    },
    Duplicate {
        at: usize,
        length: usize,
    },
    /// Splices in one of the format's tokens.
    Insert {
        at: usize,
        token: usize,
    },
    /// Replaces a number literal with one of [`INTERESTING_VALUES`].
    ReplaceNumber {
        nth: usize,
        value: usize,
    },
    Truncate {
        at: usize,
    },
    SetByte {
        at: usize,
        byte: u8,
    },
    SwapLines {
        first: usize,
        second: usize,
    },
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<usize>(), 1usize..200).prop_map(|(at, length)| Mutation::Delete { at, length }),
        2 => (any::<usize>(), 1usize..400).prop_map(|(at, length)| Mutation::Duplicate { at, length }),
        3 => (any::<usize>(), any::<usize>()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        6 => (any::<usize>(), 0..INTERESTING_VALUES.len())
            .prop_map(|(nth, value)| Mutation::ReplaceNumber { nth, value }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        1 => (any::<usize>(), any::<usize>())
            .prop_map(|(first, second)| Mutation::SwapLines { first, second }),
    ]
}

/// Byte ranges of the number literals in `text`.
fn number_literals(text: &[u8]) -> Vec<(usize, usize)> {
    let mut literals = Vec::new();
    let mut index = 0;
    while index < text.len() {
        let starts_number = text[index].is_ascii_digit()
            && (index == 0
                || !(text[index - 1].is_ascii_alphanumeric() || text[index - 1] == b'_'));
        if starts_number {
            let start = if index > 0 && text[index - 1] == b'-' {
                index - 1
            } else {
                index
            };
            let mut end = index;
            while end < text.len()
                && (text[end].is_ascii_digit() || matches!(text[end], b'.' | b'e' | b'E' | b'_'))
            {
                end += 1;
            }
            literals.push((start, end));
            index = end;
        } else {
            index += 1;
        }
    }
    literals
}

/// Applies `mutation` to `text`; `tokens` are the format's fragments that
/// [`Mutation::Insert`] splices in (at least one).
pub fn apply(text: &mut Vec<u8>, mutation: &Mutation, tokens: &[&str]) {
    let length = text.len();
    let position = |at: usize| if length == 0 { 0 } else { at % (length + 1) };
    match *mutation {
        Mutation::Delete { at, length: count } => {
            let start = position(at);
            let end = (start + count).min(length);
            text.drain(start..end);
        }
        Mutation::Duplicate { at, length: count } => {
            let start = position(at);
            let end = (start + count).min(length);
            let copy = text[start..end].to_vec();
            text.splice(end..end, copy);
        }
        Mutation::Insert { at, token } => {
            let at = position(at);
            text.splice(at..at, tokens[token % tokens.len()].bytes());
        }
        Mutation::ReplaceNumber { nth, value } => {
            let literals = number_literals(text);
            if !literals.is_empty() {
                let (start, end) = literals[nth % literals.len()];
                text.splice(start..end, INTERESTING_VALUES[value].bytes());
            }
        }
        Mutation::Truncate { at } => text.truncate(position(at)),
        Mutation::SetByte { at, byte } => {
            if length > 0 {
                text[at % length] = byte;
            }
        }
        Mutation::SwapLines { first, second } => {
            let mut lines: Vec<Vec<u8>> = text
                .split(|&byte| byte == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            let count = lines.len();
            lines.swap(first % count, second % count);
            *text = lines.join(&b'\n');
        }
    }
}

/// `text` with every mutation applied in order.
pub fn mutated(text: &[u8], mutations: &[Mutation], tokens: &[&str]) -> Vec<u8> {
    let mut text = text.to_vec();
    for mutation in mutations {
        apply(&mut text, mutation, tokens);
    }
    text
}
