//! The README's examples are executed, so documentation that shows output
//! cannot go stale (the trycmd habit, in a few lines of our own: the
//! README needs only transcripts, excerpts and shown files).
//!
//! The convention, in README.md:
//!
//! - A fenced block whose first line starts with `$ ` is a transcript. Each
//!   `$ escrowsim ARGS` line is run with the binary under test, from the
//!   repository root, and the lines after it (up to the next `$ ` line or the
//!   end of the block) must be exactly what it prints: stdout, then stderr.
//!   ARGS are split at whitespace; there is no shell, so no quotes, pipes or
//!   variables.
//! - An HTML comment on the line just before a block's opening fence (a
//!   Markdown viewer shows nothing of it) gives options, separated by `;`:
//!   - `exit N`: every command of the block exits with N (without it, 0);
//!   - `excerpt NAME...`: the block shows only the printed lines whose first
//!     word is one of the NAMEs, in the order printed, and each NAME names
//!     exactly one line: a table's rows by their metric, its header by
//!     `metric`, its footnote by `*`;
//!   - `file PATH`: the block is not a transcript but the text of the file
//!     PATH (from the repository root), an input the transcripts use.
//!
//!   For example `<!-- readme-test: excerpt metric orders.placed -->`.
//! - `ESCROWSIM_BLESS=1 cargo test --test it readme` rewrites the checked
//!   blocks in place from what escrowsim prints, as `tests/golden/` is
//!   refreshed; without it a difference fails with a diff naming the
//!   README's lines. Blessing runs every command twice and refuses output
//!   that differs between the runs: a wall-clock figure belongs in prose
//!   labelled as a measurement, never in a checked block.
//!
//! Other blocks (commands to type, code, scenario fragments) are not run.

use crate::common::repository_root;
use std::path::PathBuf;

fn blessing() -> bool {
    std::env::var_os("ESCROWSIM_BLESS").is_some()
}

fn readme_path() -> PathBuf {
    repository_root().join("README.md")
}

const MARKER_START: &str = "<!-- readme-test:";
const MARKER_END: &str = "-->";
const PROMPT: &str = "$ ";
const FENCE: &str = "```";
const REFRESH: &str = "ESCROWSIM_BLESS=1 cargo test --test it readme";

/// What a marker asks of the block after it.
#[derive(Debug, Default, PartialEq)]
struct Options {
    exit_code: i32,
    excerpt: Option<Vec<String>>,
    file: Option<String>,
}

/// One fenced block of the README.
#[derive(Debug)]
struct Block {
    /// The 0-based index of the opening fence's line.
    fence: usize,
    /// The fence's indentation (a block inside a list item), which the body
    /// lines carry too and which is stripped from `body`.
    indent: String,
    body: Vec<String>,
    options: Options,
}

impl Block {
    fn is_checked(&self) -> bool {
        self.options.file.is_some() || self.is_transcript()
    }

    fn is_transcript(&self) -> bool {
        self.body
            .first()
            .is_some_and(|line| line.starts_with(PROMPT))
    }

    /// The README line number (1-based) of the body's `index`-th line.
    fn line_number(&self, index: usize) -> usize {
        self.fence + 2 + index
    }

    /// What the block must agree with, for messages.
    fn truth(&self) -> &str {
        match &self.options.file {
            Some(_) => "the file's text",
            None => "what escrowsim prints now",
        }
    }

    /// How a message names the block: where it is and what it shows.
    fn name(&self) -> String {
        let shows = match &self.options.file {
            Some(path) => format!("the text of {path}"),
            None => format!("`{}`", self.body[0]),
        };
        format!("README.md:{} ({shows})", self.fence + 1)
    }
}

fn parse_options(comment: &str, line_number: usize) -> Result<Options, String> {
    let problem = |what: &str| format!("README.md:{line_number}: {what} in `{comment}`");
    let inner = comment
        .strip_prefix(MARKER_START)
        .and_then(|rest| rest.strip_suffix(MARKER_END))
        .ok_or_else(|| problem("a marker is `<!-- readme-test: OPTIONS -->` on one line"))?;
    let mut options = Options::default();
    for option in inner.split(';') {
        let words: Vec<&str> = option.split_whitespace().collect();
        match words.as_slice() {
            ["exit", code] => {
                options.exit_code = code.parse().map_err(|_| problem("`exit` takes a number"))?
            }
            ["excerpt", names @ ..] if !names.is_empty() => {
                options.excerpt = Some(names.iter().map(|name| name.to_string()).collect())
            }
            ["file", path] => options.file = Some(path.to_string()),
            _ => {
                return Err(problem(
                    "options are `exit N`, `excerpt NAME...` and `file PATH`",
                ));
            }
        }
    }
    if options.file.is_some() && (options.excerpt.is_some() || options.exit_code != 0) {
        return Err(problem(
            "a `file` block runs nothing, so it takes no other option",
        ));
    }
    Ok(options)
}

/// The fenced blocks of `lines` with their options; a marker that is not
/// right before an opening fence, or a fence never closed, is an error.
fn blocks(lines: &[String]) -> Result<Vec<Block>, String> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index].trim();
        if line.starts_with("<!-- readme-test") {
            let options = parse_options(line, index + 1)?;
            if !lines
                .get(index + 1)
                .is_some_and(|next| next.trim_start().starts_with(FENCE))
            {
                return Err(format!(
                    "README.md:{}: a readme-test marker must be right before a block's opening fence",
                    index + 1
                ));
            }
            let block = fenced_block(lines, index + 1, options)?;
            if !block.is_checked() {
                return Err(format!(
                    "README.md:{}: `exit` and `excerpt` apply to a transcript, a block whose first line starts with `{PROMPT}`",
                    index + 1
                ));
            }
            index = block.fence + block.body.len() + 2;
            found.push(block);
        } else if line.starts_with(FENCE) {
            let block = fenced_block(lines, index, Options::default())?;
            index = block.fence + block.body.len() + 2;
            found.push(block);
        } else {
            index += 1;
        }
    }
    Ok(found)
}

fn fenced_block(lines: &[String], fence: usize, options: Options) -> Result<Block, String> {
    let opening = &lines[fence];
    let indent = opening[..opening.len() - opening.trim_start().len()].to_string();
    let closing = lines[fence + 1..]
        .iter()
        .position(|line| line.trim() == FENCE)
        .ok_or_else(|| format!("README.md:{}: this block is never closed", fence + 1))?;
    let body = lines[fence + 1..fence + 1 + closing]
        .iter()
        .map(|line| {
            line.strip_prefix(indent.as_str())
                .unwrap_or(line)
                .to_string()
        })
        .collect();
    Ok(Block {
        fence,
        indent,
        body,
        options,
    })
}

/// What the block must hold: the file it shows, or its commands each
/// followed by what escrowsim prints for it now.
fn regenerate(block: &Block) -> Result<Vec<String>, String> {
    if let Some(path) = &block.options.file {
        let text = std::fs::read_to_string(repository_root().join(path))
            .map_err(|error| format!("{}: cannot read {path}: {error}", block.name()))?;
        return Ok(text.lines().map(str::to_string).collect());
    }
    let mut body = Vec::new();
    for (index, line) in block.body.iter().enumerate() {
        if let Some(command) = line.strip_prefix(PROMPT) {
            let place = format!("README.md:{}", block.line_number(index));
            let printed = printed(command, &block.options, &place)?;
            body.push(line.clone());
            body.extend(shown(&printed, &block.options, &place)?);
        }
    }
    Ok(body)
}

/// What `escrowsim ARGS` prints (stdout, then stderr), once its exit code
/// is the one the block expects; when blessing, the same on a second run.
fn printed(command: &str, options: &Options, place: &str) -> Result<String, String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    if words.first() != Some(&"escrowsim") {
        return Err(format!(
            "{place}: only `escrowsim` commands are run, not `{command}`"
        ));
    }
    if let Some(word) = words
        .iter()
        .find(|word| word.contains(['"', '\'', '\\', '|', '&', ';', '<', '>', '$', '*']))
    {
        return Err(format!(
            "{place}: `{word}`: no shell runs these commands, so no quoting or shell syntax"
        ));
    }
    let (code, text) = run_escrowsim(&words[1..]);
    let exited = code.map_or("a signal".to_string(), |code| code.to_string());
    if code != Some(options.exit_code) {
        return Err(format!(
            "{place}: `{command}` exited with {exited}, the block expects {} (`exit N` in its marker):\n{text}",
            options.exit_code
        ));
    }
    if blessing() {
        let (_, again) = run_escrowsim(&words[1..]);
        let (first, second) = (
            shown(&text, options, place)?,
            shown(&again, options, place)?,
        );
        if first != second {
            return Err(format!(
                "{place}: `{command}` prints something else on each run (a wall-clock figure?); \
                 a checked block shows deterministic output only (- first run, + second):\n{}",
                diff(&first, &second, 1)
            ));
        }
    }
    Ok(text)
}

/// The exit code of `escrowsim ARGS` (none if a signal ended it) and what
/// it printed, stdout then stderr.
fn run_escrowsim(arguments: &[&str]) -> (Option<i32>, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_escrowsim"))
        .args(arguments)
        .current_dir(repository_root())
        .output()
        .expect("escrowsim runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), text)
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

/// The lines of `printed` the block shows: all of them, or its excerpt.
fn shown(printed: &str, options: &Options, place: &str) -> Result<Vec<String>, String> {
    let Some(names) = &options.excerpt else {
        return Ok(lines_of(printed));
    };
    let first_word = |line: &str| line.split_whitespace().next().unwrap_or("").to_string();
    for name in names {
        let count = printed
            .lines()
            .filter(|line| first_word(line) == *name)
            .count();
        if count != 1 {
            return Err(format!(
                "{place}: the excerpt names `{name}`, which begins {count} printed lines, not one:\n{printed}"
            ));
        }
    }
    Ok(printed
        .lines()
        .filter(|line| names.contains(&first_word(line)))
        .map(str::to_string)
        .collect())
}

/// The lines that differ between `readme` (the block's body, whose first
/// line is README line `first_line_number`) and `printed`, as a
/// longest-common-subsequence diff: `-` and its README line number for a
/// line only the README has, `+` for a line only escrowsim printed.
fn diff(readme: &[String], printed: &[String], first_line_number: usize) -> String {
    let (n, m) = (readme.len(), printed.len());
    let mut common = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if readme[i] == printed[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut text = String::new();
    while i < n || j < m {
        if i < n && j < m && readme[i] == printed[j] {
            (i, j) = (i + 1, j + 1);
        } else if i < n && (j == m || common[i + 1][j] >= common[i][j + 1]) {
            text.push_str(&format!("  {:>5} - {}\n", first_line_number + i, readme[i]));
            i += 1;
        } else {
            text.push_str(&format!("        + {}\n", printed[j]));
            j += 1;
        }
    }
    text
}

/// The README's lines with each block's body replaced by its new one.
fn rewritten(mut lines: Vec<String>, refreshed: &[(&Block, Vec<String>)]) -> Vec<String> {
    for (block, body) in refreshed.iter().rev() {
        let indented = body.iter().map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{}{line}", block.indent)
            }
        });
        let start = block.fence + 1;
        lines.splice(start..start + block.body.len(), indented);
    }
    lines
}

#[test]
fn every_output_the_readme_shows_is_what_escrowsim_prints() {
    let text = std::fs::read_to_string(readme_path()).expect("README.md readable");
    let lines = lines_of(&text);
    let blocks = blocks(&lines).unwrap_or_else(|problem| panic!("{problem}"));
    let checked: Vec<&Block> = blocks.iter().filter(|block| block.is_checked()).collect();
    assert!(
        !checked.is_empty(),
        "README.md has no checked block: is the convention still used?"
    );
    let mut problems = Vec::new();
    let mut refreshed = Vec::new();
    for block in checked {
        match regenerate(block) {
            Err(problem) => problems.push(problem),
            Ok(body) if body == block.body => {}
            Ok(body) if blessing() => refreshed.push((block, body)),
            Ok(body) => problems.push(format!(
                "{} is not {} (- README.md line, + {}):\n{}",
                block.name(),
                block.truth(),
                block.truth(),
                diff(&block.body, &body, block.line_number(0))
            )),
        }
    }
    if !refreshed.is_empty() {
        let mut new_text = rewritten(lines, &refreshed).join("\n");
        new_text.push('\n');
        std::fs::write(readme_path(), new_text).expect("README.md written");
    }
    assert!(
        problems.is_empty(),
        "{}\nIf the change is intended: {REFRESH}",
        problems.join("\n")
    );
}

fn owned(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|line| line.to_string()).collect()
}

#[test]
fn markers_read_their_options_and_refuse_what_they_do_not_know() {
    let options = parse_options("<!-- readme-test: exit 2; excerpt metric a.b -->", 1).unwrap();
    assert_eq!(options.exit_code, 2);
    assert_eq!(options.excerpt, Some(owned(&["metric", "a.b"])));
    assert!(parse_options("<!-- readme-test: exits 2 -->", 1).is_err());
    assert!(parse_options("<!-- readme-test: excerpt -->", 1).is_err());
    assert!(parse_options("<!-- readme-test: file a.ron; exit 2 -->", 1).is_err());
    // A marker separated from its block would silently check nothing.
    let detached = owned(&[
        "<!-- readme-test: exit 2 -->",
        "",
        "```text",
        "$ escrowsim",
        "```",
    ]);
    assert!(blocks(&detached).unwrap_err().contains("README.md:1:"));
    // So would one on a block that runs nothing.
    let commands = owned(&[
        "<!-- readme-test: exit 2 -->",
        "```sh",
        "escrowsim x",
        "```",
    ]);
    assert!(blocks(&commands).unwrap_err().contains("transcript"));
}

#[test]
fn an_excerpt_keeps_the_named_lines_in_printed_order_and_each_name_once() {
    let printed = "title\n\nmetric  A\nb.c  2\na.b  1\na.bc  3\n";
    let options = parse_options("<!-- readme-test: excerpt a.b metric b.c -->", 1).unwrap();
    assert_eq!(
        shown(printed, &options, "here").unwrap(),
        owned(&["metric  A", "b.c  2", "a.b  1"])
    );
    let missing = parse_options("<!-- readme-test: excerpt gone -->", 1).unwrap();
    assert!(
        shown(printed, &missing, "here")
            .unwrap_err()
            .contains("`gone`")
    );
}

#[test]
fn a_stale_block_is_reported_by_its_readme_lines_and_blessing_rewrites_only_its_body() {
    let readme = owned(&[
        "text",
        "  ```text",
        "  $ escrowsim x",
        "  old",
        "  same",
        "  ```",
        "end",
    ]);
    let found = blocks(&readme).unwrap();
    assert_eq!(found[0].body, owned(&["$ escrowsim x", "old", "same"]));
    let new_body = owned(&["$ escrowsim x", "new", "", "same"]);
    assert_eq!(
        diff(&found[0].body, &new_body, found[0].line_number(0)),
        "      4 - old\n        + new\n        + \n"
    );
    assert_eq!(
        rewritten(readme.clone(), &[(&found[0], new_body)]),
        owned(&[
            "text",
            "  ```text",
            "  $ escrowsim x",
            "  new",
            "",
            "  same",
            "  ```",
            "end"
        ])
    );
}

/// The README's rules table, as the rules' one declaration (`rules.rs`)
/// generates it.
fn rules_table() -> Vec<String> {
    let mut lines = vec![
        "| rule | default | accepts | review | meaning |".to_string(),
        "|---|---|---|---|---|".to_string(),
    ];
    for rule in escrowsim::scenario::rules::RULES {
        lines.push(format!(
            "| `{}` | {} | {} | {} | {} |",
            rule.name,
            rule.default,
            rule.bound.describe(),
            if rule.changes_membership { "yes" } else { "" },
            rule.meaning
        ));
    }
    lines
}

#[test]
fn the_readme_rules_table_is_generated_from_the_rules_declaration() {
    // A rule is declared once; its row in the README follows from it.
    check_generated_table(
        "| rule | default |",
        rules_table(),
        "the rules' declaration",
    );
}

/// The README's factor paths table, as the fields' one declaration
/// (`factors.rs`) generates it.
fn factor_paths_table() -> Vec<String> {
    let mut lines = vec![
        "| factor path | accepts |".to_string(),
        "|---|---|".to_string(),
    ];
    for (path, accepts) in escrowsim::scenario::factors::factor_paths() {
        lines.push(format!("| `{path}` | {accepts} |"));
    }
    lines
}

#[test]
fn the_readme_factor_paths_table_is_generated_from_the_fields_declaration() {
    check_generated_table(
        "| factor path | accepts |",
        factor_paths_table(),
        "the fields' declaration",
    );
}

/// Checks that the README's table whose header starts with `header` (it
/// runs to the first blank line) is `generated`; blessing rewrites it.
fn check_generated_table(header: &str, generated: Vec<String>, source: &str) {
    let path = readme_path();
    let text = std::fs::read_to_string(&path).expect("README.md");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let start = lines
        .iter()
        .position(|line| line.starts_with(header))
        .unwrap_or_else(|| panic!("the README has a table headed {header:?}"));
    let end = start
        + lines[start..]
            .iter()
            .position(|line| line.trim().is_empty())
            .expect("the table ends with a blank line");
    if lines[start..end] == generated[..] {
        return;
    }
    if blessing() {
        let mut refreshed = lines[..start].to_vec();
        refreshed.extend(generated);
        refreshed.extend_from_slice(&lines[end..]);
        let mut text = refreshed.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("README.md written");
        return;
    }
    panic!(
        "README.md's table (line {}) differs from {source}; refresh it with {REFRESH}\n{}",
        start + 1,
        generated.join("\n")
    );
}
