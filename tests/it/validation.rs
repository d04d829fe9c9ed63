//! Every validation error path: each bad value is reported with its field
//! path and the line and column where it is written, all problems at once.

use crate::common::shipped_text;
use escrowsim::scenario::{LoadError, parse_scenario};

/// Applies `edit` to the quick scenario and returns the rendered error.
fn error_after(find: &str, replace: &str) -> String {
    let text = shipped_text("quick.ron");
    assert!(text.contains(find), "the quick scenario contains {find:?}");
    let edited = text.replacen(find, replace, 1);
    match parse_scenario(&edited, "quick.ron") {
        Ok(_) => panic!("{replace:?} was accepted"),
        Err(error) => error.to_string(),
    }
}

/// The 1-based line of the first occurrence of `needle` in the quick scenario.
fn line_of(needle: &str) -> usize {
    shipped_text("quick.ron")
        .lines()
        .position(|line| line.contains(needle))
        .expect("needle present")
        + 1
}

#[test]
fn each_out_of_range_value_is_named_with_its_line() {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("name: \"quick\"", "name: \"\"", "name", "must not be empty"),
        (
            "horizon_days: 120",
            "horizon_days: 0",
            "horizon_days",
            "out of range",
        ),
        (
            "horizon_days: 120",
            "horizon_days: 999999",
            "horizon_days",
            "out of range",
        ),
        (
            "currency: \"USD\"",
            "currency: \"usd\"",
            "currency",
            "ISO 4217",
        ),
        (
            "count: 2000",
            "count: 0",
            "suppliers[0].count",
            "at least 1",
        ),
        (
            "volunteer_probability: 0.5,   //",
            "volunteer_probability: 1.5,   //",
            "suppliers[0].volunteer_probability",
            "not a probability",
        ),
        (
            "promised_lead_days: 30,",
            "promised_lead_days: 0,",
            "suppliers[0].promised_lead_days",
            "out of range",
        ),
        (
            "(reliable: 0.55,",
            "(reliable: 0.65,",
            "suppliers[0].type_mix",
            "sum to",
        ),
        (
            "inquiries_per_year: 2.0",
            "inquiries_per_year: -2.0",
            "buyers[0].inquiries_per_year",
            "greater than 0",
        ),
        (
            "order_value: LogNormal(median: 3000.0, sigma: 1.0), //",
            "order_value: LogNormal(median: 3000.0, sigma: 40.0), //",
            "buyers[0].order_value",
            "sigma",
        ),
        (
            "order_value: LogNormal(median: 3000.0, sigma: 1.0), //",
            "order_value: Fixed(0.0), //",
            "buyers[0].order_value",
            "greater than 0",
        ),
        (
            "[(TT, 0.75), (Card, 0.25)]",
            "[(TT, 0.75), (TT, 0.25)]",
            "buyers[0].payment_mix[1]",
            "listed twice",
        ),
        (
            "[(TT, 0.75), (Card, 0.25)]",
            "[]",
            "buyers[0].payment_mix",
            "at least one",
        ),
        (
            "inquiry_candidates: 3,",
            "inquiry_candidates: 99,",
            "buyers[0].inquiry_candidates",
            "out of range",
        ),
        (
            "Triangular(min: 14.0, mode: 21.0, max: 35.0)",
            "Triangular(min: 24.0, mode: 21.0, max: 35.0)",
            "buyers[0].transit_days",
            "min <= mode",
        ),
        (
            "Exponential(mean: 7.0)",
            "Exponential(mean: 0.0)",
            "buyers[0].inspection_days",
            "0 < mean",
        ),
        (
            "confirm_probability: 0.65",
            "confirm_probability: 1.65",
            "buyers[0].confirm_probability",
            "not a probability",
        ),
        (
            "claim_window_days: 30,",
            "claim_window_days: 0,",
            "rules.claim_window_days",
            "out of range",
        ),
        (
            "deposit_share_bps: 3000,",
            "deposit_share_bps: 30000,",
            "rules.deposit_share_bps",
            "out of range",
        ),
        (
            "coverage_limit_floor: \"10000.00\"",
            "coverage_limit_floor: \"-1.00\"",
            "rules.coverage_limit_floor",
            "at least 0",
        ),
        (
            "coverage_limit_floor: \"10000.00\"",
            "coverage_limit_floor: \"900000.00\"",
            "rules.coverage_limit_floor",
            "exceeds coverage_limit_cap",
        ),
        (
            "auto_release_days: 30,",
            "auto_release_days: 30, decision_accuracy: 1.01,",
            "rules.decision_accuracy",
            "not a probability",
        ),
        (
            "count: 20000,",
            "count: 200000000,",
            "buyers",
            "the limit is",
        ),
    ];
    for &(find, replace, path, message) in cases {
        let error = error_after(find, replace);
        let expected_line = line_of(find);
        let located = format!("quick.ron:{expected_line}:");
        let line = error
            .lines()
            .find(|line| line.contains(&format!(" {path}: ")))
            .unwrap_or_else(|| panic!("no error for {path} after {replace:?}; got:\n{error}"));
        assert!(
            line.contains(message),
            "{path}: expected {message:?} in {line:?}"
        );
        if path != "buyers" {
            assert!(
                line.starts_with(&located),
                "{path}: expected {located} in {line:?}"
            );
        }
    }
}

#[test]
fn all_problems_are_reported_at_once() {
    let text = shipped_text("quick.ron")
        .replace("horizon_days: 120", "horizon_days: 0")
        .replace("confirm_probability: 0.65", "confirm_probability: 7.0")
        .replace("claim_window_days: 30,", "claim_window_days: 0,");
    let error = parse_scenario(&text, "quick.ron").expect_err("invalid");
    assert_eq!(error.problem_count(), 3, "{error}");
    assert!(matches!(error, LoadError::Invalid { .. }));
}

#[test]
fn syntax_and_type_errors_name_the_line_and_column() {
    let cases: &[(&str, &str, &str)] = &[
        ("seed: 7,", "seed: 7, colour: 3,", "unknown field `colour`"),
        ("seed: 7,", "seed: \"seven\",", "expected a whole number"),
        (
            "country: \"CN\"",
            "country: \"XX\"",
            "unknown country \"XX\"",
        ),
        (
            "start_date: \"2014-05-01\"",
            "start_date: \"2014-02-30\"",
            "invalid date",
        ),
        (
            "deposit_release: AtAcceptance,",
            "deposit_release: Whenever,",
            "Whenever",
        ),
        (
            "claim_window_days: 30,",
            "claim_window_days: 30, claim_window_days: 31,",
            "is given twice",
        ),
        (
            "coverage_limit_floor: \"10000.00\"",
            "coverage_limit_floor: 10000.0",
            "decimal string",
        ),
    ];
    for &(find, replace, message) in cases {
        let error = error_after(find, replace);
        let line = line_of(find);
        assert!(
            error.starts_with(&format!("quick.ron:{line}:")),
            "{replace:?}: {error}"
        );
        assert!(
            error.contains(message),
            "{replace:?}: expected {message:?} in {error}"
        );
    }
}

#[test]
fn truncated_empty_and_deeply_nested_text_is_an_error_not_a_panic() {
    let text = shipped_text("quick.ron");
    for cut in [0, 1, 10, text.len() / 3, text.len() / 2, text.len() - 3] {
        let truncated = &text[..text.floor_char_boundary(cut)];
        assert!(
            parse_scenario(truncated, "cut.ron").is_err(),
            "cut at {cut} accepted"
        );
    }
    let nested = format!("Scenario(name: {}", "[".repeat(10_000));
    let error = parse_scenario(&nested, "nested.ron").expect_err("nested");
    assert!(error.to_string().starts_with("nested.ron:1:"), "{error}");
    assert!(
        parse_scenario("   \n  ", "blank.ron")
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
}

/// The quick scenario with `timeline` inserted before its closing parenthesis.
fn with_timeline(timeline: &str) -> String {
    let text = shipped_text("quick.ron");
    let end = text.rfind(')').expect("a closing parenthesis");
    format!(
        "{}    timeline: [\n{timeline}\n    ],\n{}",
        &text[..end],
        &text[end..]
    )
}

#[test]
fn timeline_entries_are_checked_with_their_lines() {
    let text = with_timeline(
        "        (date: \"2013-01-01\", rules: (claim_window_days: 10)),\n\
         \x20       (date: \"2014-06-01\", rules: (claim_window_days: 0, decision_accuracy: 0.5)),\n\
         \x20       (date: \"2014-05-20\", volunteer_probability: [(\"no-such-segment\", 1.5)]),\n\
         \x20       (date: \"2014-07-01\"),",
    );
    let timeline_line = text
        .lines()
        .position(|line| line.contains("timeline: ["))
        .unwrap()
        + 1;
    let error = parse_scenario(&text, "quick.ron")
        .expect_err("invalid timeline")
        .to_string();
    let expect = |offset: usize, fragment: &str| {
        let line = timeline_line + offset;
        assert!(
            error.lines().any(
                |reported| reported.starts_with(&format!("quick.ron:{line}:"))
                    && reported.contains(fragment)
            ),
            "expected {fragment:?} on line {line} in:\n{error}"
        );
    };
    expect(1, "timeline[0].date: 2013-01-01 is not inside the run");
    expect(2, "timeline[1].rules.claim_window_days: 0 is out of range");
    expect(
        3,
        "timeline[2].date: 2014-05-20 comes before the previous entry's 2014-06-01",
    );
    expect(3, "no supplier segment is named \"no-such-segment\"");
    expect(3, "1.5 is not a probability");
    expect(4, "timeline[3]: changes nothing");
    // A valid value set by an entry is not reported.
    assert!(!error.contains("decision_accuracy"), "{error}");
}

#[test]
fn a_timeline_change_that_breaks_a_rule_set_earlier_is_refused() {
    // Regression: a cap lowered below the floor by a timeline entry passed
    // validation (only the fields the entry set were re-checked), and the
    // run then panicked in the coverage limit's clamp.
    let text = with_timeline(
        "        (date: \"2014-06-01\", rules: (coverage_limit_floor: \"20000.00\")),\n\
         \x20       (date: \"2014-07-01\", rules: (coverage_limit_cap: \"15000.00\")),",
    );
    let timeline_line = text
        .lines()
        .position(|line| line.contains("timeline: ["))
        .unwrap()
        + 1;
    let error = parse_scenario(&text, "quick.ron")
        .expect_err("the cap falls below the floor")
        .to_string();
    assert!(
        error.lines().any(|reported| reported
            .starts_with(&format!("quick.ron:{}:", timeline_line + 2))
            && reported.contains("timeline[1].rules: coverage_limit_floor: 20000.00 exceeds coverage_limit_cap 15000.00 once this change applies")),
        "{error}"
    );
    assert_eq!(error.lines().count(), 1, "{error}");
    // The same rules in one entry, or a floor above the scenario's cap, are
    // reported at the field the entry set.
    let text = with_timeline(
        "        (date: \"2014-06-01\", rules: (coverage_limit_floor: \"900000.00\")),",
    );
    let error = parse_scenario(&text, "quick.ron")
        .expect_err("the floor exceeds the cap")
        .to_string();
    assert!(
        error.contains(
            "timeline[0].rules.coverage_limit_floor: 900000.00 exceeds coverage_limit_cap"
        ),
        "{error}"
    );
}

#[test]
fn vetting_rules_are_checked() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "vetting_window_months: 6,",
            "vetting_window_months: 13,",
            "rules.vetting_window_months",
            "out of range",
        ),
        (
            "vetting_window_months: 6,",
            "vetting_window_months: 6, vetting_review_days: 0,",
            "rules.vetting_review_days",
            "out of range",
        ),
        (
            "vetting_window_months: 6,",
            "vetting_window_months: 6, vetting_criteria: Thresholds(min_on_time_rate: 1.2, max_dispute_rate: 0.1, max_refund_rate: 0.1, min_response_rate: 0.5),",
            "rules.vetting_criteria.min_on_time_rate",
            "not a probability",
        ),
        (
            "vetting_window_months: 6,",
            "vetting_window_months: 6, vetting_criteria: RiskScore(late: 1.0, dispute: -1.0, refund: 1.0, silence: 1.0, max_score: 0.5),",
            "rules.vetting_criteria.dispute",
            "finite weight",
        ),
    ];
    for &(find, replace, path, message) in cases {
        let error = error_after(find, replace);
        let line = error
            .lines()
            .find(|line| line.contains(&format!(" {path}: ")))
            .unwrap_or_else(|| panic!("no error for {path}; got:\n{error}"));
        assert!(
            line.contains(message),
            "{path}: expected {message:?} in {line:?}"
        );
        assert!(
            line.starts_with(&format!("quick.ron:{}:", line_of(find))),
            "{line}"
        );
    }
}

#[test]
fn the_earlier_name_of_the_inquiry_rate_is_still_accepted() {
    // `inquiries_per_year` was called `orders_per_year`, though it counts
    // inquiries; scenarios written with the old name still load, and mean
    // the same thing.
    let text = shipped_text("quick.ron");
    let old = text.replace("inquiries_per_year", "orders_per_year");
    assert_ne!(old, text);
    let parse = |text: &str| parse_scenario(text, "quick.ron").expect("valid");
    assert_eq!(parse(&old).buyers, parse(&text).buyers);
}

#[test]
fn a_missing_field_is_named_with_the_struct_it_belongs_to() {
    // Regression: with `seed` missing, the error blamed
    // `rules.vetting_new_suppliers`, the last field before the closing
    // parenthesis where the parser noticed.
    let text = shipped_text("quick.ron");
    let without = |line: &str| -> String {
        assert!(text.contains(line), "{line}");
        text.lines()
            .filter(|candidate| !candidate.contains(line))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (line, expected) in [
        ("seed: 7,", "seed: the required field `seed` is missing"),
        (
            "count: 2000,",
            "suppliers[0].count: the required field `count` is missing",
        ),
    ] {
        let error = parse_scenario(&without(line), "quick.ron")
            .expect_err("a required field is missing")
            .to_string();
        assert!(error.contains(expected), "{error}");
        assert!(!error.contains("vetting_new_suppliers"), "{error}");
    }
}

#[test]
fn a_prior_history_too_long_to_draw_is_refused() {
    // Regression: prior history had no size bound; at the supplier limit
    // with the most orders a month, drawing it took hours.
    let text = shipped_text("quick.ron");
    let busy = text.replacen("count: 2000,", "count: 2000000,", 1);
    assert_ne!(busy, text);
    let busy = busy.replace("orders_per_month: 1.0", "orders_per_month: 1000.0");
    let error = parse_scenario(&busy, "quick.ron")
        .expect_err("too much prior history")
        .to_string();
    assert!(
        error.contains("the suppliers' prior history would hold about 2.4"),
        "{error}"
    );
}

#[test]
fn a_missing_comma_is_reported_at_the_end_of_the_line_that_lacks_it() {
    // `    horizon_days: 120` ends at column 21; the comma belongs at 22,
    // not at `currency` two lines below, where the parser noticed.
    let error = error_after("horizon_days: 120,", "horizon_days: 120");
    let line = line_of("horizon_days: 120");
    assert_eq!(
        error,
        format!(
            "quick.ron:{line}:22: horizon_days: expected `,` after this value, before the next entry at 11:5"
        )
    );
}

#[test]
fn a_fraction_in_a_whole_number_field_names_the_field_and_the_value() {
    let error = error_after("horizon_days: 120,", "horizon_days: 60.5,");
    let line = line_of("horizon_days: 120");
    assert_eq!(
        error,
        format!("quick.ron:{line}:19: horizon_days: expected a whole number, found `60.5`")
    );
}

#[test]
fn an_unclosed_quote_names_the_string_field_and_where_it_opened() {
    let error = error_after("name: \"quick\",", "name: \"quick,");
    let line = line_of("name: \"quick\"");
    assert!(
        error.starts_with(&format!(
            "quick.ron:{line}:11: name: this string has no closing quote on its line"
        )),
        "{error}"
    );
}

#[test]
fn an_integer_beyond_its_type_gives_the_range() {
    for (written, shown) in [("-1", "-1"), ("99999999999", "99999999999")] {
        let error = error_after("horizon_days: 120,", &format!("horizon_days: {written},"));
        let line = line_of("horizon_days: 120");
        assert_eq!(
            error,
            format!(
                "quick.ron:{line}:19: horizon_days: `{shown}` is out of range: a whole number from 0 to 4294967295 is expected here"
            )
        );
    }
    let error = error_after("seed: 7,", "seed: -7,");
    assert!(error.contains("from 0 to 18446744073709551615"), "{error}");
}

#[test]
fn a_misspelled_field_or_variant_suggests_the_nearest_name() {
    let error = error_after("claim_window_days: 30,", "claim_windw_days: 30,");
    let line = line_of("claim_window_days: 30,");
    assert_eq!(
        error,
        format!(
            "quick.ron:{line}:9: rules.claim_windw_days: unknown field `claim_windw_days`; did you mean `claim_window_days`?"
        )
    );
    let error = error_after("AtAcceptance", "AtAcceptence");
    assert!(
        error.ends_with(
            "rules.deposit_release: unknown variant `AtAcceptence`; did you mean `AtAcceptance`?"
        ),
        "{error}"
    );
    // Nothing close: the names it may be.
    let error = error_after("seed: 7,", "seed: 7, colour: 3,");
    assert!(error.contains("expected one of `name`, `seed`"), "{error}");
}

#[test]
fn a_misspelled_required_field_is_reported_once_and_its_value_still_checked() {
    // The field is read under the name it was meant to have, so its value
    // (0, out of range) is checked too, and no "missing field" follows.
    let error = error_after("horizon_days: 120,", "horizon_dayz: 0,");
    let lines: Vec<&str> = error.lines().collect();
    assert_eq!(lines.len(), 2, "{error}");
    assert!(lines[0].contains("did you mean `horizon_days`?"), "{error}");
    assert!(lines[1].contains("0 is out of range 1..=36525"), "{error}");
}

#[test]
fn one_syntax_error_does_not_hide_the_problems_elsewhere() {
    // Goal: a wrong type, an unknown field, a bad variant, an unknown
    // country and a value out of its bounds, in five places, all reported
    // at once, in file order, each with its line and field; no problem
    // comes from the placeholders put in to read on.
    let text = shipped_text("quick.ron")
        .replacen("horizon_days: 120,", "horizon_days: 60.5,", 1)
        .replacen("country: \"CN\"", "country: \"XX\"", 1)
        .replacen(
            "volunteer_probability: 0.5",
            "volunteer_probability: 1.5",
            1,
        )
        .replacen("AtAcceptance", "AtAcceptence", 1)
        .replacen("claim_window_days: 30,", "claim_windw_days: 30,", 1);
    let error = parse_scenario(&text, "quick.ron").expect_err("five problems");
    let LoadError::Invalid { problems, .. } = &error else {
        panic!("several problems: {error}");
    };
    let fields: Vec<&str> = problems
        .iter()
        .map(|problem| problem.field.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(
        fields,
        [
            "horizon_days",
            "suppliers[0].country",
            "suppliers[0].volunteer_probability",
            "rules.deposit_release",
            "rules.claim_windw_days",
        ],
        "{error}"
    );
    assert!(problems.iter().all(|problem| problem.position.is_some()));
}

#[test]
fn recovery_is_bounded_by_the_problem_limit() {
    // Goal: a file of a thousand unknown fields lists 100 problems, quickly.
    let fields: String = (0..1000)
        .map(|index| format!("unknown_{index}: 1,\n"))
        .collect();
    let text = shipped_text("quick.ron").replacen("seed: 7,", &format!("seed: 7,\n{fields}"), 1);
    let error = parse_scenario(&text, "quick.ron").expect_err("unknown fields");
    assert_eq!(error.problem_count(), 100, "{error}");
}
