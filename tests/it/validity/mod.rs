//! The validity suite: the model's mechanisms checked against values derived
//! in closed form from the documented semantics (README: "How an order
//! lives", the scenario reference, the report contract), never from a run.
//!
//! Each check designs its own small scenario so that the closed form is
//! exact (fixed distributions, probabilities 0 or 1 where a mechanism is not
//! under test, a program that approves everyone at once and limits nobody),
//! states its formula in a comment, and either compares exactly (a
//! deterministic mechanism) or runs replications and asks whether a
//! Student-t interval of the mean, at a family-wise Bonferroni level, holds
//! the derived value and excludes a plausible wrong one (`check.rs`).
//!
//! The table in `docs/validity.md` is generated from these checks; the test
//! `docs_table_is_current` fails when the file differs, and
//! `ESCROWSIM_BLESS=1 cargo test --test it validity` rewrites it.
//!
//! Adding a check: write a function returning `Vec<Check>` in a module
//! here, and add one line to `register!` below. If it adds rows with an
//! interval, raise `check::STATISTICAL_CHECKS` (the table test says so).

mod advances;
mod arrivals;
mod check;
mod choice;
mod claims;
pub(crate) mod coverage_limit;
mod design;
mod fraud;
mod fulfilment;
mod identities;
mod intervals;
mod lives;
mod money;
mod refunds;

use check::{Check, STATISTICAL_CHECKS, Verdict};
use std::sync::OnceLock;

/// Declares the checks: a test per check, and the registry the table is
/// generated from. Each check runs once per test process however many
/// tests ask for it.
macro_rules! register {
    ($($name:ident => $function:path,)*) => {
        const REGISTRY: &[(&str, fn() -> Vec<Check>)] = &[$((stringify!($name), $function),)*];

        $(
            #[test]
            fn $name() {
                assert_all_pass(stringify!($name));
            }
        )*
    };
}

register! {
    arrivals_follow_the_inquiry_rate => arrivals::inquiries_per_horizon,
    unanswered_inquiries => choice::unanswered_inquiries,
    logit_choice_of_badged_suppliers => choice::badged_order_share,
    refund_rate_of_late_shipments => refunds::refund_rate_of_late_shipments,
    refund_rate_of_nonconforming_goods => refunds::refund_rate_of_nonconforming_goods,
    voluntary_refunds_of_uncovered_orders => refunds::voluntary_refunds_of_uncovered_orders,
    late_shipments_under_a_grace_period => fulfilment::late_shipments_under_grace,
    refund_value_by_scope => money::refund_value_by_scope,
    seller_fees => money::seller_fees,
    platform_loss_on_advances => advances::platform_loss_on_advances,
    claims_after_auto_release => claims::claims_after_auto_release,
    coverage_limit_as_a_loss_system => coverage_limit::erlang_loss_with_exponential_lives,
    coverage_limit_is_insensitive_to_the_life_distribution => coverage_limit::erlang_loss_with_fixed_lives,
    bust_out_fraud => fraud::bust_out,
    ledger_identity_on_shipped_scenarios => identities::ledger_identity,
    monthly_flows_add_up_to_totals => identities::monthly_flows_add_up,
    comparing_a_scenario_with_itself => identities::self_comparison,
    analysis_intervals_cover_known_values => intervals::coverage_of_analysis_intervals,
    vetting_at_the_start_reads_six_whole_months => lives::vetting_reads_whole_months,
    storefront_at_the_end_shows_twelve_whole_months => lives::storefront_at_the_end,
    refund_rate_is_a_share_of_resolved_orders => lives::refund_rate_is_a_share,
    late_and_defective_goods_are_refunded_on_the_generous_ground => lives::late_and_defective_claims,
    a_claim_at_the_auto_release_instant_is_kept => lives::claim_at_the_auto_release,
    wrongly_denied_claims_are_the_buyers_loss => lives::wrongly_denied_claims,
    orders_in_flight_follow_littles_law => lives::orders_in_flight,
    orders_below_the_coverage_minimum_are_not_covered => lives::coverage_minimum_order_value,
}

/// The results of the check registered as `name`, computed at most once.
fn results(name: &str) -> &'static [Check] {
    static CACHE: [OnceLock<Vec<Check>>; REGISTRY.len()] =
        [const { OnceLock::new() }; REGISTRY.len()];
    let index = REGISTRY
        .iter()
        .position(|(registered, _)| *registered == name)
        .unwrap_or_else(|| panic!("no validity check is registered as {name}"));
    CACHE[index].get_or_init(REGISTRY[index].1)
}

fn assert_all_pass(name: &str) {
    let checks = results(name);
    assert!(!checks.is_empty(), "{name} checked nothing");
    let failures: Vec<String> = checks
        .iter()
        .filter_map(|check| match &check.verdict {
            Verdict::Pass => None,
            Verdict::Fail(why) => Some(format!("{} ({}): {why}", check.mechanism, check.formula)),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn docs_path() -> std::path::PathBuf {
    crate::common::repository_root().join("docs/validity.md")
}

#[test]
fn docs_table_is_current() {
    let checks: Vec<&Check> = REGISTRY
        .iter()
        .flat_map(|(name, _)| results(name))
        .collect();
    let statistical = checks.iter().filter(|check| check.is_statistical()).count();
    assert_eq!(
        statistical, STATISTICAL_CHECKS,
        "the suite has {statistical} statistical checks but the Bonferroni bound divides by \
         check::STATISTICAL_CHECKS = {STATISTICAL_CHECKS}: update the constant"
    );
    let text = render(&checks);
    let path = docs_path();
    if std::env::var_os("ESCROWSIM_BLESS").is_some() {
        std::fs::write(&path, &text).expect("docs/validity.md written");
        return;
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        recorded == text,
        "docs/validity.md is stale; refresh it with ESCROWSIM_BLESS=1 cargo test --test it validity \
         and commit the diff.\n--- generated ---\n{text}"
    );
}

/// The whole of `docs/validity.md`.
fn render(checks: &[&Check]) -> String {
    let mut text = String::from(DOCS_HEAD);
    text.push_str(
        "| # | mechanism | formula | expected | measured mean | interval | method | rules out | verdict |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for (index, check) in checks.iter().enumerate() {
        text.push_str(&check::table_row(index + 1, check));
        text.push('\n');
    }
    text.push_str(&format!(
        "\n{} checks, {} of them statistical (family-wise alpha {}, so {:.6} each).\n",
        checks.len(),
        STATISTICAL_CHECKS,
        check::FAMILY_ALPHA,
        check::alpha_per_check()
    ));
    text
}

const DOCS_HEAD: &str = "\
# Validity checks

Generated by `tests/it/validity/` (do not edit by hand). Each row checks one
mechanism of the model against a value derived in closed form from the
documented semantics (README: \"How an order lives\", the scenario reference
and the report contract), never from a run of the code. Every check runs a
small scenario designed for it, so that the closed form is exact: fixed
distributions, probabilities 0 or 1 where a mechanism is not under test,
every supplier approved at once on probation, thresholds no history can
fail, and a coverage limit out of reach unless the limit is under test. The
derivation of each formula is written beside its scenario in the source.

## Rerunning

```sh
cargo test --test it validity                      # run every check; fails if this file is stale
ESCROWSIM_BLESS=1 cargo test --test it validity    # rewrite this file after an intended change
```

The runs are deterministic (fixed seeds), so the table is the same on every
machine; the test fails when the regenerated table differs from this file.

## Method

- **exact**: a deterministic mechanism (money, identities, fraud with
  vanishing probability 1). The measured figure must equal the derived one
  to the cent or the unit; no interval.
- **t-interval**: a random mechanism. The statistic is computed once per
  replication (replication seeds derived from the base seed 20150101 by the
  library's replication rule), the replications are independent and
  identically distributed, and the interval is mean ± t(1 - α/2, R - 1) ·
  sd / √R with α the family-wise 0.01 divided by the number of statistical
  rows (Bonferroni), so that the chance that any row of a correct model
  fails is at most 1%. The t quantile is computed by the suite itself from
  the incomplete beta function. A row passes when its interval holds the
  derived value **and** excludes the \"rules out\" value, a plausible wrong
  answer (an off-by-one, a term left out, a rule misread): a check whose
  interval were too wide to tell the two apart would fail too, so every
  row has shown it can fail.
- The statistic of each row is chosen so that its expectation is exactly
  the derived value: a ratio is taken only where, given its denominator,
  the numerator is a sum of independent indicators with the derived
  probability (so the ratio is unbiased), and otherwise the denominator is
  a known constant. Where an exact expectation needed the horizon's edge,
  the formula includes it. Refund rates are refunded orders over covered
  orders in a design where every covered order is resolved before the
  horizon (a timeline change stops coverage well before it), not the
  report's `refunds.rate`.
- One row rests on an assumption rather than a derivation: the
  coverage-limit row with a fixed order life takes the system as
  stationary after a month's warm-up (about 100 order lives); its
  exponential twin computes the transient from the empty start exactly.
- The two rows of the analysis layer count, over 2,000 independent base
  seeds, how often the library's own 95% intervals (`run --replications`,
  5 replications each) cover a known mean; besides its interval holding
  0.95, the share must lie within 93-97%.

## Checks

";
