//! A scenario's text with factor values written in: the calibrated
//! scenario file, which an analyst diffs against the base.
//!
//! Each value is first applied to the scenario the text holds, exactly as
//! [`FactorPath::apply_text`] applies it, and what is written comes from
//! the changed scenario: a share's rescaled neighbours, a rounded number
//! and a default written out are then what the scenario holds, not a
//! second computation of them. Where a value is written comes from
//! [`SpanIndex`], the tolerant scanner that already locates validation
//! problems, so there is one reading of the text's structure besides the
//! parser's; and since the two could in principle disagree, every edited
//! text is read back by the parser and compared with the changed scenario
//! before it is kept.

use super::super::rules::RULES;
use super::super::spans::{GroupSpan, SpanIndex, ValueSpan};
use super::super::syntax::RECURSION_LIMIT;
use super::super::{
    Fraud, PaymentMethod, Scenario, SupplierBehaviour, SupplierType, SupplierTypes, TypeMix,
    parse_scenario, validate,
};
use super::{
    BEHAVIOUR_FIELDS, BUYER_FIELDS, CRITERIA_RULE, FactorError, FactorPath, Field, Leaf, Place,
    SCENARIO_FIELDS, SUPPLIER_FIELDS, TYPE_NAMES, Target, Variants, dist_text, error, names,
};
use std::ops::Range;

/// The scenario's fields in the order [`Scenario`] declares them: an
/// omitted `supplier_types` or `rules` is added after the last of those
/// before it that the text writes.
const SCENARIO_KEYS: &[&str] = &[
    "name",
    "seed",
    "start_date",
    "horizon_days",
    "currency",
    "suppliers",
    "buyers",
    "supplier_types",
    "rules",
    "timeline",
];

/// Other names a field may be written under (serde aliases), so that a
/// value is replaced where it is written rather than added twice.
const ALIASES: &[(&str, &str)] = &[("inquiries_per_year", "orders_per_year")];

/// One indentation step of a block this module writes out.
const INDENT: &str = "    ";

/// The scenario `text` with each (path, value) applied in order, value
/// written as in a scenario (what apply_number/apply_text return).
/// Comments and layout outside the changed values are kept.
///
/// `text` must load as a scenario; the result loads as the scenario `text`
/// holds with each value applied by [`FactorPath::apply_text`] in order.
/// Only the bytes of the values change:
///
/// - a number, or one parameter inside a distribution, is replaced where
///   it is written; a line comment after it keeps its column where the
///   blanks before it allow;
/// - a share rewrites its whole mix (`type_mix: (reliable: ..., ...)`,
///   `payment_mix: [...]`), every share in the shortest decimal text that
///   reads back as the same `f64`; a payment method the mix lacks is
///   appended;
/// - a field the text leaves out, so that its default applies, is added to
///   the part around it: a rule to `rules` (or a `rules` block holding just
///   it), `choice`, `price_index` or `inquiry_candidates` to their segment,
///   a weight to `choice`; an omitted `supplier_types` is written out whole,
///   one field to a line, from the documented defaults with the value set.
///   A field is added after the last field the text writes of those
///   declared before it (or first), on a line of its own when that field
///   ends its line, else inline (`, price: 1.5`), so comments above the
///   next field stay above it.
///
/// An error names the path whose value cannot be applied (as `apply_text`
/// refuses it: out of bounds, a parameter the distribution lacks, a field
/// of an optional part the scenario leaves out), or whose edited text would
/// not read back as the scenario with the value set, a wrong file never
/// being written; or it lists the problems of the scenario the values make
/// (validated whole, as loading the file would), or the base's own.
pub fn patch_text(text: &str, values: &[(FactorPath, String)]) -> Result<String, FactorError> {
    let mut scenario =
        parse_scenario(text, "base scenario").map_err(|problem| error(problem.to_string()))?;
    let mut patched = text.to_string();
    for (path, value) in values {
        let applied = path.apply_text(&mut scenario, value)?;
        patched = write_value(&patched, path, &applied, &scenario)?;
    }
    let problems = validate(&scenario);
    if !problems.is_empty() {
        let problems: Vec<String> = problems
            .into_iter()
            .map(|problem| format!("{}: {}", problem.path, problem.message))
            .collect();
        return Err(error(format!(
            "the values make an invalid scenario: {}",
            problems.join("; ")
        )));
    }
    Ok(patched)
}

/// `text` with the value of `path` (written `applied`) as `scenario`, the
/// scenario after the value, holds it; checked by reading the result back.
fn write_value(
    text: &str,
    path: &FactorPath,
    applied: &str,
    scenario: &Scenario,
) -> Result<String, FactorError> {
    let index = SpanIndex::build(text);
    let mut edits = Vec::new();
    for chain in chains(path, applied, scenario)? {
        let found = resolve(text, &index, &chain).ok_or_else(|| {
            let written = chain.first().map_or(path.as_str(), |first| &first.path);
            error(format!(
                "{path}: the text writes neither `{written}` nor a part around it to add it to, \
                 so the value cannot be written in place"
            ))
        })?;
        edits.extend(found);
    }
    let refused = || {
        error(format!(
            "{path}: {applied} cannot be written in place in this text: \
             the edited text would not read as the scenario with the value set"
        ))
    };
    let edited = apply_edits(text, edits).ok_or_else(refused)?;
    if read(&edited).as_ref() != Some(scenario) {
        return Err(refused());
    }
    Ok(edited)
}

/// The scenario `text` holds, read as loading reads it (the options of
/// `load.rs`) but not validated: a value may pass through an invalid
/// scenario on the way to a valid one, as a point's values do.
fn read(text: &str) -> Option<Scenario> {
    ron::Options::default()
        .with_recursion_limit(RECURSION_LIMIT)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .ok()
}

/// A way to write a value: at `path`, the text `text`. When the path is
/// not written, it is added to the part around it if `siblings` (the
/// part's fields in declaration order) names it.
#[derive(Debug)]
struct Candidate {
    path: String,
    text: String,
    siblings: Vec<&'static str>,
}

impl Candidate {
    fn new(path: String, text: String, siblings: Vec<&'static str>) -> Candidate {
        Candidate {
            path,
            text,
            siblings,
        }
    }
}

/// For each place the path sets, the ways to write its value, from the
/// value itself out to the largest part the text may leave out: the first
/// the text allows is used.
fn chains(
    path: &FactorPath,
    applied: &str,
    scenario: &Scenario,
) -> Result<Vec<Vec<Candidate>>, FactorError> {
    Ok(match &path.target {
        Target::Rule(rule) => vec![rule_chain(rule.name, applied.to_string())],
        Target::Criterion(parameter) => {
            let criteria = scenario.rules.vetting_criteria;
            let (_, parameters) = criteria.variant();
            let mut chain = vec![Candidate::new(
                format!("rules.{CRITERIA_RULE}.{parameter}"),
                applied.to_string(),
                parameters.to_vec(),
            )];
            chain.extend(rule_chain(CRITERIA_RULE, variant_text(criteria)));
            vec![chain]
        }
        Target::Scenario(leaf) => vec![leaf_chain("", leaf, scenario, SCENARIO_FIELDS)],
        Target::Suppliers(selector, leaf) => {
            let picked =
                selector.pick(&names(&scenario.suppliers), "suppliers", "supplier segment")?;
            segment_chains(
                &scenario.suppliers,
                &picked,
                "suppliers",
                leaf,
                SUPPLIER_FIELDS,
            )
        }
        Target::Buyers(selector, leaf) => {
            let picked = selector.pick(&names(&scenario.buyers), "buyers", "buyer segment")?;
            segment_chains(&scenario.buyers, &picked, "buyers", leaf, BUYER_FIELDS)
        }
        Target::Behaviour(supplier_type, leaf) => {
            let types = &scenario.supplier_types;
            let key = supplier_type.key();
            let behaviour = types.behaviour(*supplier_type);
            let mut chain = leaf_chain(
                &format!("supplier_types.{key}."),
                leaf,
                behaviour,
                BEHAVIOUR_FIELDS,
            );
            chain.push(Candidate::new(
                format!("supplier_types.{key}"),
                behaviour_text(behaviour),
                TYPE_NAMES.to_vec(),
            ));
            chain.push(Candidate::new(
                "supplier_types".to_string(),
                supplier_types_text(types),
                SCENARIO_KEYS.to_vec(),
            ));
            vec![chain]
        }
    })
}

/// A rule in the `rules` block, or a `rules` block holding just it: every
/// rule is optional there.
fn rule_chain(rule: &str, text: String) -> Vec<Candidate> {
    let rules = RULES.iter().map(|rule| rule.name).collect();
    vec![
        Candidate::new(format!("rules.{rule}"), text.clone(), rules),
        Candidate::new(
            "rules".to_string(),
            format!("({rule}: {text})"),
            SCENARIO_KEYS.to_vec(),
        ),
    ]
}

/// The ways to write a leaf in each segment of `list` that `picked` marks.
fn segment_chains<P: Clone>(
    segments: &[P],
    picked: &[bool],
    list: &str,
    leaf: &Leaf<P>,
    fields: &'static [Field<P>],
) -> Vec<Vec<Candidate>> {
    segments
        .iter()
        .enumerate()
        .filter(|(index, _)| picked.get(*index) == Some(&true))
        .map(|(index, segment)| leaf_chain(&format!("{list}[{index}]."), leaf, segment, fields))
        .collect()
}

/// The ways to write a leaf of `part` (written under `prefix`): its
/// parameter, the field, and the group of fields holding it (`choice`).
fn leaf_chain<P: Clone>(
    prefix: &str,
    leaf: &Leaf<P>,
    part: &P,
    fields: &'static [Field<P>],
) -> Vec<Candidate> {
    let name = leaf.field.name;
    let at = format!("{prefix}{name}");
    let mut copy = part.clone();
    let place = (leaf.field.place)(&mut copy);
    let mut chain = Vec::new();
    if let (Place::Dist(dist), Some(parameter)) = (&place, leaf.below) {
        let mut dist = **dist;
        if let Some(value) = dist.parameter_mut(parameter) {
            // A parameter is never added: a distribution writes all of its own.
            chain.push(Candidate::new(
                format!("{at}.{parameter}"),
                value.to_string(),
                Vec::new(),
            ));
        }
    }
    let parent = name.rsplit_once('.').map_or("", |(parent, _)| parent);
    if let Some(text) = place_text(&place) {
        chain.push(Candidate::new(at, text, field_names(fields, parent)));
    }
    if let Some((head, _)) = name.split_once('.') {
        if let Some(text) = group_text(fields, part, head) {
            chain.push(Candidate::new(
                format!("{prefix}{head}"),
                text,
                field_names(fields, ""),
            ));
        }
    }
    chain
}

/// The fields directly below `parent` (`""`: the part itself) that a table
/// declares, in order.
fn field_names<P>(fields: &'static [Field<P>], parent: &str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for field in fields {
        let below = match parent {
            "" => Some(field.name),
            _ => field
                .name
                .strip_prefix(parent)
                .and_then(|rest| rest.strip_prefix('.')),
        };
        let Some(below) = below else {
            continue;
        };
        let head = below.split('.').next().unwrap_or(below);
        if !names.contains(&head) {
            names.push(head);
        }
    }
    names
}

/// The group `head` of `part` written whole from the table's fields below
/// it, `(badge: 1, transactions: 0.3, ...)`; `None` when it is absent.
fn group_text<P: Clone>(fields: &'static [Field<P>], part: &P, head: &str) -> Option<String> {
    let mut written = Vec::new();
    for field in fields {
        let Some(below) = field
            .name
            .strip_prefix(head)
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            continue;
        };
        let mut copy = part.clone();
        written.push(format!(
            "{below}: {}",
            place_text(&(field.place)(&mut copy))?
        ));
    }
    (!written.is_empty()).then(|| format!("({})", written.join(", ")))
}

/// A place's value written as in a scenario; `None` when absent.
fn place_text(place: &Place<'_>) -> Option<String> {
    Some(match place {
        Place::Real(value) => value.to_string(),
        Place::Whole(value) => value.to_string(),
        Place::Dist(dist) => dist_text(dist),
        Place::TypeMix(mix) => type_mix_text(mix),
        Place::PaymentMix(mix) => payment_mix_text(mix),
        Place::Absent(_) => return None,
    })
}

/// `(reliable: 0.55, average: 0.3, poor: 0.12, fraudulent: 0.03)`: each
/// share's shortest text, which reads back as the same number.
fn type_mix_text(mix: &TypeMix) -> String {
    let shares: Vec<String> = SupplierType::ALL
        .into_iter()
        .map(|supplier_type| format!("{}: {}", supplier_type.key(), mix.share(supplier_type)))
        .collect();
    format!("({})", shares.join(", "))
}

/// `[(TT, 0.75), (Card, 0.25)]`.
fn payment_mix_text(mix: &[(PaymentMethod, f64)]) -> String {
    let shares: Vec<String> = mix
        .iter()
        .map(|(method, share)| format!("({}, {share})", method.key()))
        .collect();
    format!("[{}]", shares.join(", "))
}

/// `Thresholds(min_on_time_rate: 0.9, ...)`: a variant with named
/// parameters.
fn variant_text<V: Variants + Copy>(value: V) -> String {
    let (variant, parameters) = value.variant();
    let mut copy = value;
    let written: Vec<String> = parameters
        .iter()
        .filter_map(|parameter| {
            let value = copy.parameter_mut(parameter)?;
            Some(format!("{parameter}: {value}"))
        })
        .collect();
    format!("{variant}({})", written.join(", "))
}

/// A behaviour written whole, one field to a line, in the order the
/// table (and [`SupplierBehaviour`]) declares them.
fn behaviour_text(behaviour: &SupplierBehaviour) -> String {
    let mut lines = Vec::new();
    for field in BEHAVIOUR_FIELDS {
        if field.name.contains('.') {
            continue;
        }
        let mut copy = *behaviour;
        if let Some(text) = place_text(&(field.place)(&mut copy)) {
            lines.push(format!("{}: {text}", field.name));
        }
    }
    let fraud = match behaviour.fraud {
        None => "None".to_string(),
        Some(Fraud::BustOut {
            clean_orders,
            vanish_probability,
        }) => format!(
            "Some(BustOut(clean_orders: {clean_orders}, vanish_probability: {vanish_probability}))"
        ),
    };
    lines.push(format!("fraud: {fraud}"));
    block(&lines)
}

fn supplier_types_text(types: &SupplierTypes) -> String {
    let lines: Vec<String> = SupplierType::ALL
        .into_iter()
        .map(|supplier_type| {
            let behaviour = behaviour_text(types.behaviour(supplier_type));
            format!("{}: {behaviour}", supplier_type.key())
        })
        .collect();
    block(&lines)
}

/// `(`, each entry on its own line one step in, `)`. Lines after the first
/// are indented relative to the entry the block is the value of.
fn block(entries: &[String]) -> String {
    let mut text = "(\n".to_string();
    for entry in entries {
        text.push_str(INDENT);
        text.push_str(&entry.replace('\n', &format!("\n{INDENT}")));
        text.push_str(",\n");
    }
    text.push(')');
    text
}

/// A replacement of `range` of the text; an insertion when it is empty.
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    text: String,
}

impl Edit {
    fn insert(at: usize, text: String) -> Edit {
        Edit {
            range: at..at,
            text,
        }
    }
}

/// The edits that write the first candidate the text allows: the value
/// replaced where it is written, or the field added to its part.
fn resolve(text: &str, index: &SpanIndex, chain: &[Candidate]) -> Option<Vec<Edit>> {
    for candidate in chain {
        if let Some(span) = find(index, &candidate.path) {
            return Some(replacement(text, &span, &candidate.text));
        }
        if let Some(edits) = addition(text, index, candidate) {
            return Some(edits);
        }
    }
    None
}

/// The edits that write `value` in place of the value `span` holds. A
/// line comment after a one-line value keeps its column where the blanks
/// before it allow.
fn replacement(text: &str, span: &ValueSpan, value: &str) -> Vec<Edit> {
    let indent = indentation(text, span.entry_start);
    let mut edits = vec![Edit {
        range: span.value.clone(),
        text: reindent(value, &indent, newline(text)),
    }];
    let old = text.get(span.value.clone()).unwrap_or("");
    if !old.contains('\n') && !value.contains('\n') {
        let growth = value.chars().count() as isize - old.chars().count() as isize;
        edits.extend(realigned_comment(text, span, growth));
    }
    edits
}

/// The blanks between a value (and its comma) and the line comment after
/// it, made `growth` characters narrower, down to one.
fn realigned_comment(text: &str, span: &ValueSpan, growth: isize) -> Option<Edit> {
    let after = span.comma_end.unwrap_or(span.value.end);
    let rest = text.get(after..)?;
    let comment = rest.trim_start_matches(' ');
    let blanks = rest.len() - comment.len();
    if growth == 0 || !comment.starts_with("//") {
        return None;
    }
    let width = (blanks as isize - growth).max(1) as usize;
    Some(Edit {
        range: after..after + blanks,
        text: " ".repeat(width),
    })
}

/// Where `path`'s value is written, under its own name or an alias.
fn find(index: &SpanIndex, path: &str) -> Option<ValueSpan> {
    index.span(path).or_else(|| {
        ALIASES.iter().find_map(|(name, alias)| {
            let parent = path.strip_suffix(name)?;
            if !(parent.is_empty() || parent.ends_with('.')) {
                return None;
            }
            index.span(&format!("{parent}{alias}"))
        })
    })
}

/// The edits that add the candidate's field to the part around it, after
/// the last field declared before it that the text writes, or first.
fn addition(text: &str, index: &SpanIndex, candidate: &Candidate) -> Option<Vec<Edit>> {
    let (parent, key) = match candidate.path.rsplit_once('.') {
        Some((parent, key)) => (parent, key),
        None => ("", candidate.path.as_str()),
    };
    let position = candidate.siblings.iter().position(|name| *name == key)?;
    let group = index.span(parent)?.group?;
    // Only a struct's parentheses take fields.
    if !text.get(group.open..)?.starts_with('(') {
        return None;
    }
    group.close?;
    let anchor = candidate.siblings[..position]
        .iter()
        .rev()
        .find_map(|sibling| match parent {
            "" => find(index, sibling),
            _ => find(index, &format!("{parent}.{sibling}")),
        });
    Some(match anchor {
        Some(anchor) => add_after(text, &anchor, key, &candidate.text),
        None => add_first(text, &group, key, &candidate.text),
    })
}

/// `key: value` added after the entry `anchor`: on a line of its own, as
/// indented as the anchor, when the anchor ends its line; else inline.
fn add_after(text: &str, anchor: &ValueSpan, key: &str, value: &str) -> Vec<Edit> {
    let newline = newline(text);
    let after = anchor.comma_end.unwrap_or(anchor.value.end);
    let Some(line_end) = line_end(text, after) else {
        let indent = line_indentation(text, anchor.entry_start);
        let entry = format!("{key}: {}", reindent(value, &indent, newline));
        return vec![Edit::insert(anchor.value.end, format!(", {entry}"))];
    };
    let indent = indentation(text, anchor.entry_start);
    let entry = format!("{key}: {}", reindent(value, &indent, newline));
    let mut edits = Vec::new();
    // The new entry ends as the anchor did: with a comma, or without one
    // (as the last entry), the anchor then taking one.
    let comma = match anchor.comma_end {
        Some(_) => ",",
        None => {
            edits.push(Edit::insert(anchor.value.end, ",".to_string()));
            ""
        }
    };
    edits.push(Edit::insert(
        line_end,
        format!("{newline}{indent}{entry}{comma}"),
    ));
    edits
}

/// `key: value` added as the first entry of `group`: on a line of its own
/// when the opening bracket ends its line, else inline.
fn add_first(text: &str, group: &GroupSpan, key: &str, value: &str) -> Vec<Edit> {
    let newline = newline(text);
    let after_open = group.open + 1;
    match line_end(text, after_open) {
        Some(line_end) => {
            let indent = first_entry_indentation(text, line_end, group);
            let entry = format!("{key}: {}", reindent(value, &indent, newline));
            vec![Edit::insert(line_end, format!("{newline}{indent}{entry},"))]
        }
        None => {
            let indent = line_indentation(text, group.open);
            let entry = format!("{key}: {}", reindent(value, &indent, newline));
            let separator = if group.entries == 0 { "" } else { ", " };
            vec![Edit::insert(after_open, format!("{entry}{separator}"))]
        }
    }
}

/// The indentation of the first line below the opening bracket that holds
/// anything before the group closes; else one step in from the bracket's
/// line.
fn first_entry_indentation(text: &str, line_end: usize, group: &GroupSpan) -> String {
    let close = group.close.unwrap_or(text.len());
    let below = text.get(line_end..close).unwrap_or("");
    for line in below.split('\n').skip(1) {
        let content = line.trim_start();
        if !content.is_empty() {
            return line[..line.len() - content.len()].to_string();
        }
    }
    format!("{}{INDENT}", line_indentation(text, group.open))
}

/// Where the line ends (before its `\r\n` or `\n`), when nothing but
/// blanks and a line comment follows `from` on it; `None` when a value,
/// a bracket or a block comment does, or the text ends.
fn line_end(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    let content = rest.trim_start_matches([' ', '\t']);
    let blank = rest.len() - content.len();
    let newline_at = if content.starts_with("//") {
        content.find('\n')?
    } else if content.starts_with('\n') || content.starts_with("\r\n") {
        0
    } else {
        return None;
    };
    let end = from + blank + newline_at;
    Some(match text[..end].ends_with('\r') {
        true => end - 1,
        false => end,
    })
}

/// The blanks before `at` on its line; spaces as wide as whatever else
/// precedes it there.
fn indentation(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let prefix = &before[line_start..];
    if prefix
        .chars()
        .all(|character| character == ' ' || character == '\t')
    {
        prefix.to_string()
    } else {
        " ".repeat(prefix.chars().count())
    }
}

/// The blanks that start the line holding `at`.
fn line_indentation(text: &str, at: usize) -> String {
    let before = text.get(..at).unwrap_or("");
    let line = &before[before.rfind('\n').map_or(0, |newline| newline + 1)..];
    let content = line.trim_start_matches([' ', '\t']);
    line[..line.len() - content.len()].to_string()
}

/// The text's line break: `\r\n` when it uses them.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// A value's later lines indented after `indent`, as its entry is.
fn reindent(value: &str, indent: &str, newline: &str) -> String {
    value.replace('\n', &format!("{newline}{indent}"))
}

/// The text with the edits made; `None` if two overlap. Insertions at one
/// offset keep their order.
fn apply_edits(text: &str, mut edits: Vec<Edit>) -> Option<String> {
    edits.sort_by_key(|edit| edit.range.start);
    let mut edited = String::with_capacity(text.len() + 256);
    let mut cursor = 0;
    for edit in &edits {
        if edit.range.start < cursor {
            return None;
        }
        edited.push_str(text.get(cursor..edit.range.start)?);
        edited.push_str(&edit.text);
        cursor = edit.range.end;
    }
    edited.push_str(text.get(cursor..)?);
    Some(edited)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUICK: &str = include_str!("../../../../../scenarios/quick.ron");
    const SCALE_TODAY: &str = include_str!("../../../../../scenarios/scale-today.ron");

    /// Every shipped scenario.
    const SCENARIOS: &[(&str, &str)] = &[
        ("quick.ron", QUICK),
        (
            "quick-release-at-contract.ron",
            include_str!("../../../../../scenarios/quick-release-at-contract.ron"),
        ),
        ("scale-today.ron", SCALE_TODAY),
        (
            "trade-assurance-2014.ron",
            include_str!("../../../../../scenarios/trade-assurance-2014.ron"),
        ),
        (
            "launch-tenth.ron",
            include_str!("../../../../../scenarios/launch-tenth.ron"),
        ),
        (
            "deposit-only-refunds.ron",
            include_str!("../../../../../scenarios/deposit-only-refunds.ron"),
        ),
        (
            "release-at-contract.ron",
            include_str!("../../../../../scenarios/release-at-contract.ron"),
        ),
        (
            "strict-vetting.ron",
            include_str!("../../../../../scenarios/strict-vetting.ron"),
        ),
        (
            "expansion-2015.ron",
            include_str!("../../../../../scenarios/expansion-2015.ron"),
        ),
    ];

    /// The values the contract is held to on every scenario: shares, `[*]`,
    /// named segments (`{buyer}`: the first buyer segment's name),
    /// distribution parameters, fields whose defaults apply, and rules.
    const VALUES: &[(&str, &str)] = &[
        ("suppliers[*].volunteer_probability", "0.37"),
        ("suppliers[*].type_mix.poor", "0.2"),
        ("suppliers[0].type_mix.fraudulent", "0.07"),
        ("suppliers[*].price_index", "Uniform(min: 0.9, max: 1.1)"),
        ("suppliers[*].price_index.max", "1.2"),
        ("suppliers[0].prior_history.order_value.sigma", "0.8"),
        ("suppliers[0].promised_lead_days", "21"),
        ("buyers[*].claim_after_breach_probability", "0.9"),
        ("buyers[{buyer}].order_value.median", "2750.5"),
        ("buyers[0].payment_mix.PayLater", "0.1"),
        ("buyers[0].payment_mix.TT", "0.6"),
        ("buyers[*].choice.price", "1.25"),
        ("buyers[0].inquiry_candidates", "5"),
        ("buyers[0].transit_days.mode", "25"),
        ("supplier_types.poor.late_probability", "0.25"),
        ("supplier_types.average.late_days.mean", "9.5"),
        ("supplier_types.fraudulent.fraud.clean_orders", "5"),
        ("rules.claim_window_days", "45"),
        ("rules.decision_days", "6"),
        ("rules.coverage_limit_floor", "\"12000.50\""),
        ("rules.deposit_release", "AtShipment"),
        ("rules.covered_payment_methods", "[TT, Card]"),
        ("rules.seller_fee_applies_to", "OrdersUpTo(\"5000.00\")"),
        ("rules.vetting_criteria.min_on_time_rate", "0.85"),
        ("horizon_days", "300"),
    ];

    fn load(text: &str) -> Scenario {
        parse_scenario(text, "test").unwrap_or_else(|problem| panic!("{problem}"))
    }

    fn values(pairs: &[(&str, &str)]) -> Vec<(FactorPath, String)> {
        pairs
            .iter()
            .map(|(path, value)| {
                let path = FactorPath::parse(path).unwrap_or_else(|problem| panic!("{problem}"));
                (path, value.to_string())
            })
            .collect()
    }

    fn patch(text: &str, pairs: &[(&str, &str)]) -> String {
        patch_text(text, &values(pairs)).unwrap_or_else(|problem| panic!("{problem}"))
    }

    /// The scenario `text` holds with each value applied by `apply_text`.
    fn applied(text: &str, values: &[(FactorPath, String)]) -> Scenario {
        let mut scenario = load(text);
        for (path, value) in values {
            path.apply_text(&mut scenario, value)
                .unwrap_or_else(|problem| panic!("{path}: {problem}"));
        }
        scenario
    }

    /// The contract: the patched text loads as the base with the values applied.
    fn assert_contract(text: &str, values: &[(FactorPath, String)]) -> String {
        let patched = patch_text(text, values).unwrap_or_else(|problem| panic!("{problem}"));
        assert_eq!(load(&patched), applied(text, values));
        patched
    }

    #[test]
    fn every_scenario_patched_loads_as_the_scenario_with_the_values_applied() {
        for (name, text) in SCENARIOS {
            let base = load(text);
            // A value the scenario cannot take (a parameter its variant
            // lacks) is left out; nearly all apply.
            let mut scratch = base.clone();
            let mut kept = Vec::new();
            for (path, value) in VALUES {
                let path = path.replace("{buyer}", &base.buyers[0].name);
                let path = FactorPath::parse(&path).unwrap();
                if path.apply_text(&mut scratch, value).is_ok() {
                    kept.push((path, value.to_string()));
                }
            }
            assert!(kept.len() >= VALUES.len() - 1, "{name}: {kept:?}");
            let patched = assert_contract(text, &kept);
            // Every comment of the base is kept.
            for line in text.lines() {
                if let Some(comment) = line.find("//").map(|at| &line[at..]) {
                    assert!(patched.contains(comment), "{name}: {comment}");
                }
            }
            // Each value on its own (that applies alone), and nothing at all.
            for (path, value) in &kept {
                if path.apply_text(&mut base.clone(), value).is_ok() {
                    assert_contract(text, &[(path.clone(), value.clone())]);
                }
            }
            assert_eq!(patch_text(text, &[]).unwrap(), *text);
        }
    }

    #[test]
    fn a_number_changes_only_its_own_text() {
        let patched = patch(QUICK, &[("rules.claim_window_days", "45")]);
        assert_eq!(
            patched,
            QUICK.replace("claim_window_days: 30,", "claim_window_days: 45,")
        );
        let patched = patch(
            QUICK,
            &[("buyers[global-importers].order_value.median", "2500")],
        );
        assert_eq!(
            patched,
            QUICK.replace(
                "order_value: LogNormal(median: 3000.0, sigma: 1.0), // ref",
                "order_value: LogNormal(median: 2500, sigma: 1.0), // ref"
            )
        );
        // A longer value takes its width from the blanks before the
        // comment after it, so that the comment keeps its column.
        let patched = patch(QUICK, &[("suppliers[*].volunteer_probability", "0.37")]);
        assert_eq!(
            patched,
            QUICK
                .replace(
                    "volunteer_probability: 0.5,   // seed",
                    "volunteer_probability: 0.37,  // seed"
                )
                .replace(
                    "volunteer_probability: 0.5,\n",
                    "volunteer_probability: 0.37,\n"
                )
        );
        let patched = patch(QUICK, &[("suppliers[0].count", "123456")]);
        assert!(patched.contains("count: 123456,                // assumption: scaled down"));
        // quick.ron's `// seed:` comments are all still there.
        assert_eq!(
            patched.matches("// seed:").count(),
            QUICK.matches("// seed:").count()
        );
    }

    #[test]
    fn a_share_rewrites_its_mix_with_the_others_rescaled() {
        // The other shares times (1 - 0.13) / (0.55 + 0.30 + 0.12), each
        // written as its shortest text.
        let scale = (1.0 - 0.13) / (0.55 + 0.30 + 0.12);
        let patched = patch(QUICK, &[("suppliers[0].type_mix.fraudulent", "0.13")]);
        let mix = format!(
            "type_mix: (reliable: {}, average: {}, poor: {}, fraudulent: 0.13), // assumption",
            0.55 * scale,
            0.30 * scale,
            0.12 * scale
        );
        assert_eq!(
            patched,
            QUICK.replacen(
                "type_mix: (reliable: 0.55, average: 0.30, poor: 0.12, fraudulent: 0.03), // assumption",
                &mix,
                1
            )
        );
        // A method the mix lacks is appended; the others take 1 - 0.2.
        let patched = patch(QUICK, &[("buyers[0].payment_mix.ECheck", "0.2")]);
        // The comment after it moves right, one blank left before it.
        let mix = format!(
            "payment_mix: [(TT, {}), (Card, {}), (ECheck, 0.2)], // seed",
            0.75 * 0.8,
            0.25 * 0.8
        );
        assert_eq!(
            patched,
            QUICK.replace(
                "payment_mix: [(TT, 0.75), (Card, 0.25)],       // seed",
                &mix
            )
        );
    }

    #[test]
    fn an_omitted_rule_is_added_after_the_rule_declared_before_it() {
        let patched = patch(QUICK, &[("rules.decision_days", "6")]);
        let after = "        auto_release_days: 30,               // assumption\n";
        assert_eq!(
            patched,
            QUICK.replace(after, &format!("{after}        decision_days: 6,\n"))
        );
        // A line ending of \r\n is kept.
        let crlf = QUICK.replace('\n', "\r\n");
        assert_eq!(
            patch(&crlf, &[("rules.decision_days", "6")]),
            patched.replace('\n', "\r\n")
        );
        // No `rules` block: one is added, after the buyers.
        let start = QUICK.find("    rules: (").unwrap();
        let end = start + QUICK[start..].find("\n    ),\n").unwrap() + "\n    ),\n".len();
        let without_rules = format!("{}{}", &QUICK[..start], &QUICK[end..]);
        let patched = patch(&without_rules, &[("rules.claim_window_days", "45")]);
        let buyers_end = "    ],\n    // supplier_types: omitted";
        assert_eq!(
            patched,
            without_rules.replace(
                buyers_end,
                "    ],\n    rules: (claim_window_days: 45),\n    // supplier_types: omitted"
            )
        );
        // A rule declared before every rule the block writes comes first.
        let short = QUICK[..start].to_string()
            + "    rules: (\n        claim_window_days: 30,\n    ),\n)\n";
        let patched = patch(&short, &[("rules.deposit_share_bps", "2500")]);
        assert!(
            patched.contains(
                "    rules: (\n        deposit_share_bps: 2500,\n        claim_window_days: 30,\n"
            ),
            "{patched}"
        );
    }

    #[test]
    fn an_omitted_choice_is_added_to_its_segment_and_an_omitted_weight_to_its_choice() {
        let patched = patch(QUICK, &[("buyers[*].choice.price", "1.25")]);
        let after = "            confirm_probability: 0.65,                     // assumption\n";
        let choice = "            choice: (badge: 1, transactions: 0.3, response_rate: 1, response_speed: 0.5, price: 1.25),\n";
        assert_eq!(patched, QUICK.replace(after, &format!("{after}{choice}")));
        // scale-today.ron writes `choice` without `price`: it is added inline.
        let patched = patch(SCALE_TODAY, &[("buyers[0].choice.price", "1.25")]);
        assert_eq!(
            patched,
            SCALE_TODAY.replacen(
                "response_speed: 0.5), // assumption: as at launch",
                "response_speed: 0.5, price: 1.25), // assumption: as at launch",
                1
            )
        );
    }

    #[test]
    fn omitted_supplier_types_are_written_out_whole_after_the_buyers() {
        let patched = patch(QUICK, &[("supplier_types.poor.late_probability", "0.25")]);
        let at = QUICK.find("    // supplier_types: omitted").unwrap();
        assert!(patched.starts_with(&QUICK[..at]));
        assert!(patched.ends_with(&QUICK[at..]));
        let block = &patched[at..patched.len() - (QUICK.len() - at)];
        assert!(
            block.starts_with(
                "    supplier_types: (\n        reliable: (\n            production_days: Triangular(min: 10, mode: 20, max: 30),\n            late_probability: 0.02,\n"
            ),
            "{block}"
        );
        assert!(block.contains(
            "        poor: (\n            production_days: Triangular(min: 15, mode: 28, max: 30),\n            late_probability: 0.25,\n"
        ));
        assert!(block.contains(
            "            fraud: Some(BustOut(clean_orders: 3, vanish_probability: 0.5)),\n        ),\n    ),\n"
        ));
        assert!(block.ends_with("    ),\n"));
        // A second value of the types is then written into the block.
        let twice = patch(
            QUICK,
            &[
                ("supplier_types.poor.late_probability", "0.25"),
                ("supplier_types.poor.late_probability", "0.3"),
            ],
        );
        assert_eq!(
            twice,
            patched.replace("late_probability: 0.25,", "late_probability: 0.3,")
        );
    }

    #[test]
    fn a_text_laid_out_otherwise_is_patched_where_it_writes_each_value() {
        // One line, no comments; a field under its alias.
        let compact: Vec<&str> = QUICK
            .lines()
            .map(|line| line.split("//").next().unwrap_or("").trim())
            .collect();
        let compact = compact
            .join(" ")
            .trim()
            .replace("inquiries_per_year", "orders_per_year");
        let patched = assert_contract(
            &compact,
            &values(&[
                ("rules.decision_days", "6"),
                ("buyers[0].choice.price", "1.25"),
                ("buyers[0].inquiries_per_year", "3"),
                ("supplier_types.poor.late_probability", "0.25"),
                ("suppliers[1].price_index.value", "1.1"),
            ]),
        );
        assert!(patched.contains("orders_per_year: 3,"), "{patched}");
        assert!(!patched.contains("inquiries_per_year"));
        assert!(patched.contains("auto_release_days: 30, decision_days: 6, coverage_limit_floor"));
        assert!(patched.contains("confirm_probability: 0.65, choice: (badge: 1, "));
        assert!(patched.contains("count: 200, country: \"IN\", volunteer_probability: 0.5, promised_lead_days: 35, type_mix: (reliable: 0.50, average: 0.32, poor: 0.14, fraudulent: 0.04), price_index: Fixed(1.1), prior_history"));
        // The types, written a line each, start at the line's own indentation.
        assert!(
            patched.contains("], supplier_types: (\n    reliable: (\n        production_days:"),
            "{patched}"
        );
    }

    #[test]
    fn a_base_that_does_not_load_is_an_error_not_a_panic() {
        let some = values(&[("rules.claim_window_days", "45")]);
        for text in [
            "",
            "Scenario(",
            "(]",
            "\u{0}\u{FFFD}",
            "Scenario(name: \"open",
        ] {
            assert!(patch_text(text, &some).is_err(), "{text:?}");
        }
        let invalid = QUICK.replace("horizon_days: 120,", "horizon_days: 0,");
        assert_eq!(
            patch_text(&invalid, &some).unwrap_err().message,
            "base scenario:9:5: horizon_days: 0 is out of range 1..=36525"
        );
        // A file cut off anywhere.
        let cuts = QUICK.char_indices().map(|(at, _)| at).step_by(97);
        for at in cuts.skip(1) {
            assert!(patch_text(&QUICK[..at], &some).is_err(), "cut at {at}");
        }
    }

    #[test]
    fn a_base_one_character_shorter_is_patched_whenever_it_loads_and_takes_the_values() {
        // Deleting a character here and there makes texts the shipped files
        // do not show (a comment cut, a blank gone, a number changed, a
        // bracket lost): every one that loads, and whose scenario takes the
        // values, is patched and holds to the contract; the rest are errors.
        let some = values(&[
            ("suppliers[*].type_mix.poor", "0.2"),
            ("buyers[0].choice.price", "1.25"),
            ("supplier_types.poor.late_probability", "0.25"),
            ("rules.decision_days", "6"),
            ("rules.claim_window_days", "45"),
        ]);
        let mut patched_count = 0;
        for (at, character) in QUICK.char_indices().step_by(23) {
            let text = format!("{}{}", &QUICK[..at], &QUICK[at + character.len_utf8()..]);
            let result = patch_text(&text, &some);
            let Ok(mut scenario) = parse_scenario(&text, "test") else {
                assert!(result.is_err());
                continue;
            };
            let takes_values = some
                .iter()
                .all(|(path, value)| path.apply_text(&mut scenario, value).is_ok())
                && validate(&scenario).is_empty();
            if takes_values {
                let patched = result.unwrap_or_else(|problem| panic!("at {at}: {problem}"));
                assert_eq!(load(&patched), scenario, "at {at}");
                patched_count += 1;
            }
        }
        assert!(patched_count > 100, "{patched_count}");
    }

    #[test]
    fn a_value_that_cannot_be_applied_or_written_names_its_path() {
        let refused =
            |pairs: &[(&str, &str)]| patch_text(QUICK, &values(pairs)).unwrap_err().message;
        assert_eq!(
            refused(&[("suppliers[0].type_mix.poor", "1.5")]),
            "suppliers[0].type_mix.poor: 1.5 is out of range [0, 1]"
        );
        assert_eq!(
            refused(&[("rules.coverage_limit_floor", "\"600000.00\"")]),
            "the values make an invalid scenario: rules.coverage_limit_floor: 600000.00 exceeds coverage_limit_cap 500000.00"
        );
        // A text that does not hold the scenario the value was applied to:
        // the place is missing, or the edited text reads otherwise.
        let path = FactorPath::parse("buyers[*].claim_after_breach_probability").unwrap();
        let mut two_segments = load(QUICK);
        two_segments.buyers.push(two_segments.buyers[0].clone());
        assert_eq!(
            write_value(QUICK, &path, "0.8", &two_segments)
                .unwrap_err()
                .message,
            "buyers[*].claim_after_breach_probability: the text writes neither \
             `buyers[1].claim_after_breach_probability` nor a part around it to add it to, \
             so the value cannot be written in place"
        );
        let mut other = load(QUICK);
        other.seed = 8;
        assert_eq!(
            write_value(QUICK, &path, "0.8", &other)
                .unwrap_err()
                .message,
            "buyers[*].claim_after_breach_probability: 0.8 cannot be written in place in this text: \
             the edited text would not read as the scenario with the value set"
        );
    }
}
