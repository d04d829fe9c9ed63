//! The program's rules as dynamic mechanisms: vetting over trailing windows,
//! coverage limits, storefront and buyer choice, and the timeline.

use crate::common::{parse, run, shipped_scenario, shipped_text};
use escrowsim::engine::Streams;
use escrowsim::program::population::Population;
use escrowsim::report::Report;

fn approval_rates(report: &Report) -> [f64; 4] {
    let by_type = &report.outcome.vetting.by_type;
    [
        &by_type.reliable,
        &by_type.average,
        &by_type.poor,
        &by_type.fraudulent,
    ]
    .map(|row| {
        row.approval_rate
            .expect("every latent type has volunteers here")
    })
}

#[test]
fn vetting_approves_reliable_suppliers_far_more_often_than_poor_and_fraudulent_ones() {
    let (_, report) = run(&shipped_scenario("launch-tenth.ron"));
    let [reliable, average, poor, fraudulent] = approval_rates(&report);
    assert!(
        reliable > average && average > poor,
        "{:?}",
        approval_rates(&report)
    );
    assert!(reliable > 2.0 * poor, "reliable {reliable} vs poor {poor}");
    assert!(
        reliable > 2.0 * fraudulent,
        "reliable {reliable} vs fraudulent {fraudulent}"
    );
    // The matrix partitions each type's suppliers.
    for row in [
        &report.outcome.vetting.by_type.reliable,
        &report.outcome.vetting.by_type.fraudulent,
    ] {
        assert_eq!(
            row.screening.outside
                + row.screening.pending
                + row.screening.approved
                + row.screening.rejected
                + row.screening.suspended,
            row.screening.suppliers
        );
        assert!(row.screening.ever_approved >= row.screening.approved);
    }
}

#[test]
fn stricter_thresholds_lower_approval_and_looser_ones_raise_it() {
    let base = shipped_text("launch-tenth.ron");
    let strict = parse(
        &base
            .replace("min_on_time_rate: 0.9,", "min_on_time_rate: 0.97,")
            .replace("max_refund_rate: 0.08,", "max_refund_rate: 0.03,"),
    );
    let loose = parse(
        &base
            .replace("min_on_time_rate: 0.9,", "min_on_time_rate: 0.7,")
            .replace("max_refund_rate: 0.08,", "max_refund_rate: 0.3,"),
    );
    let (base_report, strict_report, loose_report) =
        (run(&parse(&base)).1, run(&strict).1, run(&loose).1);
    let (base_rates, strict_rates, loose_rates) = (
        approval_rates(&base_report),
        approval_rates(&strict_report),
        approval_rates(&loose_report),
    );
    for index in 0..3 {
        assert!(
            loose_rates[index] > base_rates[index],
            "type {index}: loose {loose_rates:?} vs base {base_rates:?}"
        );
    }
    // A fraudster that vanished fails on non-delivery disputes under any
    // threshold; loosening must not lower the rate of those still trading.
    assert!(
        loose_rates[3] >= base_rates[3],
        "fraudulent: loose {loose_rates:?} vs base {base_rates:?}"
    );
    for index in 0..2 {
        assert!(
            strict_rates[index] < base_rates[index],
            "type {index}: strict {strict_rates:?} vs base {base_rates:?}"
        );
    }
    // Poor suppliers pass only with a spotless window, which any threshold
    // accepts: strictness cannot lower them much, but must not raise them.
    assert!(
        strict_rates[2] <= base_rates[2] + 0.01,
        "poor: strict {strict_rates:?} vs base {base_rates:?}"
    );
    assert!(
        strict_rates[3] <= base_rates[3],
        "fraudulent: strict {strict_rates:?} vs base {base_rates:?}"
    );
    let approved = |report: &Report| report.outcome.suppliers.approved;
    assert!(
        approved(&strict_report) < approved(&base_report)
            && approved(&base_report) < approved(&loose_report)
    );
}

#[test]
fn the_monthly_covered_share_rises_after_the_expansion_dates() {
    let (_, report) = run(&shipped_scenario("expansion-2015.ron"));
    let share = |label: &str| {
        report
            .outcome
            .monthly
            .iter()
            .find(|month| month.month == label)
            .and_then(|month| month.covered_share)
            .expect("every month has orders")
    };
    // Launch rules until March; India from March, all countries from May,
    // more methods from July and October.
    assert!(
        share("2015-05") > share("2015-02"),
        "all countries eligible"
    );
    assert!(
        share("2015-07") > share("2015-06") + 0.05,
        "cards and e-checks covered"
    );
    assert!(
        share("2015-10") > share("2015-09") + 0.03,
        "the remaining methods covered"
    );
    assert!(share("2015-12") > 1.8 * share("2015-01"));
}

/// The quick scenario with card-only buyers and `timeline` appended.
fn card_buyers_with_timeline(timeline: &str) -> String {
    let text = shipped_text("quick.ron").replace("[(TT, 0.75), (Card, 0.25)]", "[(Card, 1.0)]");
    let end = text.rfind(')').unwrap();
    format!(
        "{}    timeline: [{timeline}],\n{}",
        &text[..end],
        &text[end..]
    )
}

#[test]
fn a_timeline_change_applies_exactly_from_its_date() {
    // Cards are covered from 1 June to 1 July only. Every order contracted
    // before 1 June 00:00 or from 1 July 00:00 is uncovered; June's are covered.
    let scenario = parse(&card_buyers_with_timeline(
        "(date: \"2014-06-01\", rules: (covered_payment_methods: [TT, Card])), \
         (date: \"2014-07-01\", rules: (covered_payment_methods: [TT]))",
    ));
    let (_, report) = run(&scenario);
    let covered: Vec<(String, u64, u64)> = report
        .outcome
        .monthly
        .iter()
        .map(|month| {
            (
                month.month.clone(),
                month.orders_covered,
                month.orders_placed,
            )
        })
        .collect();
    assert_eq!(covered[0].1, 0, "May: cards not covered yet: {covered:?}");
    assert!(
        covered[1].1 * 10 > covered[1].2,
        "June: cards covered: {covered:?}"
    );
    assert_eq!(covered[2].1, 0, "July: cover withdrawn: {covered:?}");
    assert_eq!(covered[3].1, 0, "August: {covered:?}");
}

#[test]
fn a_timeline_change_of_volunteering_and_eligibility_moves_suppliers_in() {
    // Indian suppliers become eligible and all of them volunteer on 1 June.
    let text = shipped_text("quick.ron");
    let end = text.rfind(')').unwrap();
    let with_change = format!(
        "{}    timeline: [(date: \"2014-06-01\", rules: (eligible_countries: [\"CN\", \"IN\"]), volunteer_probability: [(\"in-exporters\", 1.0)])],\n{}",
        &text[..end],
        &text[end..]
    );
    let (base_output, _) = run(&parse(&text));
    let (changed_output, changed_report) = run(&parse(&with_change));
    assert!(changed_output.suppliers_approved > base_output.suppliers_approved + 100);
    let volunteered = changed_report.outcome.suppliers.volunteered;
    // All 200 Indian suppliers now volunteer; about half did before.
    assert!(
        volunteered > base_output.suppliers_volunteered + 50,
        "{volunteered}"
    );
    assert!(
        volunteered <= base_output.suppliers_volunteered + 200,
        "{volunteered}"
    );
}

#[test]
fn program_rules_never_redraw_the_population() {
    // Vetting, coverage limits and a timeline are rules: the same seed gives
    // the same suppliers (types, volunteering draws, prices, prior history) and buyers.
    let base = shipped_scenario("launch-tenth.ron");
    let changed = shipped_scenario("strict-vetting.ron");
    let expansion_like = parse(&card_buyers_with_timeline(
        "(date: \"2014-06-01\", rules: (eligible_countries: [\"CN\", \"IN\"]))",
    ));
    let quick = shipped_scenario("quick.ron");
    assert_ne!(base.rules, changed.rules);
    let first = Population::generate(&base, &Streams::new(base.seed));
    let second = Population::generate(&changed, &Streams::new(changed.seed));
    assert_eq!(first.suppliers, second.suppliers);
    assert_eq!(first.buyers, second.buyers);
    let quick_population = Population::generate(&quick, &Streams::new(quick.seed));
    let timeline_population = Population::generate(&expansion_like, &Streams::new(quick.seed));
    assert_eq!(quick_population.suppliers, timeline_population.suppliers);
}

#[test]
fn the_badge_moves_demand() {
    // With the badge weighing more in buyers' choice, badged suppliers win a
    // larger share of orders, everything else equal.
    let text = shipped_text("quick.ron");
    let weighted = |badge: f64| {
        let choice = format!("confirm_probability: 0.65, choice: (badge: {badge:.1}),");
        parse(&text.replace("confirm_probability: 0.65,", &choice))
    };
    let badged_share = |badge: f64| {
        run(&weighted(badge))
            .1
            .outcome
            .storefront
            .badged_order_share
            .expect("orders were placed")
    };
    let indifferent = badged_share(0.0);
    let keen = badged_share(3.0);
    assert!(
        keen > indifferent + 0.1,
        "badge-keen buyers {keen} vs indifferent {indifferent}"
    );
}

#[test]
fn storefront_figures_move_demand() {
    // Buyers who weigh the 12-month transaction count send more orders to
    // suppliers with a record, so demand concentrates on the busiest.
    let text = shipped_text("quick.ron");
    let weighted = |transactions: f64| {
        let choice = format!(
            "confirm_probability: 0.65, choice: (badge: 0.0, transactions: {transactions:.1}),"
        );
        parse(&text.replace("confirm_probability: 0.65,", &choice))
    };
    let ignore = run(&weighted(0.0)).1.outcome.storefront;
    let follow = run(&weighted(2.0)).1.outcome.storefront;
    assert!(
        follow.top_decile_order_share > ignore.top_decile_order_share * 1.05,
        "follow {} vs ignore {}",
        follow.top_decile_order_share,
        ignore.top_decile_order_share
    );
}

#[test]
fn coverage_limits_cap_cover_and_come_back_when_orders_complete() {
    // A tiny limit on every supplier: orders beyond it are uncovered or
    // partially covered, and the limit is given back as orders complete, so
    // covered orders keep coming every month.
    let text = shipped_text("quick.ron")
        .replace(
            "coverage_limit_floor: \"10000.00\"",
            "coverage_limit_floor: \"3000.00\", coverage_limit_share_bps: 0",
        )
        .replace(
            "coverage_limit_cap: \"500000.00\"",
            "coverage_limit_cap: \"3000.00\"",
        );
    let (output, report) = run(&parse(&text));
    assert!(output.totals.orders_partially_covered > 0);
    assert!(output.totals.orders_over_coverage_limit > 0);
    for month in &report.outcome.monthly {
        assert!(
            month.orders_covered > 0,
            "{}: limits were restored",
            month.month
        );
    }
    let (base_output, _) = run(&shipped_scenario("quick.ron"));
    assert!(output.totals.gmv_covered < base_output.totals.gmv_covered);
}
