//! Random valid scenarios, written as RON text, for the property tests and
//! the fuzz pass: every field drawn across its whole valid range, with the
//! edges (0, 1, the named bounds) drawn often, so the engine meets the
//! scenarios nobody writes by hand.

use escrowsim::scenario::limits::{
    DURATION_DAYS_MAX, DURATION_HOURS_MAX, EXPECTED_PRIOR_ORDERS_MAX, HORIZON_DAYS_MAX,
    INQUIRY_CANDIDATES_MAX, LOGNORMAL_SIGMA_MAX, ORDER_VALUE_MAX, PRICE_INDEX_MAX,
    PRIOR_ORDERS_PER_MONTH_MAX, VETTING_MIN_ORDERS_MAX, VETTING_WINDOW_MONTHS_MAX,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// A proptest configuration that is the same on every run (a fixed seed,
/// nothing persisted), with `cases` cases unless `ESCROWSIM_PROPTEST_CASES`
/// asks for more; `ESCROWSIM_PROPTEST_SEED` explores other seeds.
pub fn deterministic_config(cases: u32) -> Config {
    let from_environment = |name: &str| std::env::var(name).ok()?.parse::<u64>().ok();
    Config {
        cases: from_environment("ESCROWSIM_PROPTEST_CASES").map_or(cases, |cases| cases as u32),
        rng_seed: RngSeed::Fixed(from_environment("ESCROWSIM_PROPTEST_SEED").unwrap_or(20_140_501)),
        failure_persistence: None,
        ..Config::default()
    }
}

/// A probability, often exactly 0 or 1.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 1 => Just(1.0), 4 => 0.0..=1.0f64]
}

/// A non-negative quantity up to `max`, often 0 or `max`.
fn amount(max: f64) -> impl Strategy<Value = f64> {
    prop_oneof![1 => Just(0.0), 1 => Just(max), 6 => 0.0..=max, 4 => 0.0..=max.min(60.0)]
}

/// A distribution of values in `[0, max]` (a log-normal by its median), as RON.
fn dist(max: f64, must_be_positive: bool) -> BoxedStrategy<String> {
    let positive = move |value: f64| {
        if must_be_positive && value <= 0.0 {
            max.min(1.0)
        } else {
            value
        }
    };
    prop_oneof![
        amount(max).prop_map(move |value| format!("Fixed({:?})", positive(value))),
        (amount(max), amount(max)).prop_map(move |(one, other)| {
            let (min, upper) = (one.min(other), positive(one.max(other)));
            format!("Uniform(min: {min:?}, max: {upper:?})")
        }),
        amount(max).prop_map(move |mean| format!(
            "Exponential(mean: {:?})",
            if mean > 0.0 { mean } else { max.min(1.0) }
        )),
        (amount(max), 0.0..=LOGNORMAL_SIGMA_MAX).prop_map(move |(median, sigma)| format!(
            "LogNormal(median: {:?}, sigma: {sigma:?})",
            if median > 0.0 { median } else { max.min(1.0) }
        )),
        (amount(max), amount(max), amount(max)).prop_map(move |(a, b, c)| {
            let mut values = [a, b, c];
            values.sort_by(f64::total_cmp);
            format!(
                "Triangular(min: {:?}, mode: {:?}, max: {:?})",
                values[0],
                values[1],
                positive(values[2])
            )
        }),
    ]
    .boxed()
}

/// Shares of `parts` entries summing to 1 (to within 10^-9), as thousandths.
fn shares(parts: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(0u32..=1000, parts).prop_map(|weights| {
        let total: u32 = weights.iter().sum();
        if total == 0 {
            let mut shares = vec![0.0; weights.len()];
            shares[0] = 1.0;
            return shares;
        }
        // Thousandths of the total, the last taking the rounding.
        let mut thousandths: Vec<u32> = weights.iter().map(|w| w * 1000 / total).collect();
        let assigned: u32 = thousandths.iter().sum();
        *thousandths.last_mut().unwrap() += 1000 - assigned;
        thousandths.iter().map(|&t| f64::from(t) / 1000.0).collect()
    })
}

fn days(max: u32) -> impl Strategy<Value = u32> {
    prop_oneof![1 => Just(0), 1 => Just(max), 6 => 0..=max.min(90), 2 => 0..=max]
}

fn supplier_segment(index: usize) -> BoxedStrategy<String> {
    (
        prop_oneof![1..=50u32, 1..=100_000u32],
        prop::sample::select(vec!["CN", "IN", "VN", "US", "TR"]),
        probability(),
        days(DURATION_DAYS_MAX as u32).prop_map(|days| days.max(1)),
        shares(4),
        dist(PRICE_INDEX_MAX, true),
        prop::option::of((prop_oneof![Just(0.0), 0.0..=50.0f64, Just(PRIOR_ORDERS_PER_MONTH_MAX)], dist(ORDER_VALUE_MAX, true))),
    )
        .prop_map(move |(count, country, volunteer, lead, mix, price, prior)| {
            let prior = match prior {
                Some((rate, value)) => {
                    // At most three segments share the bound on prior orders.
                    let rate = rate.min(EXPECTED_PRIOR_ORDERS_MAX / 3.0 / 12.0 / f64::from(count));
                    format!("Some((orders_per_month: {rate:?}, order_value: {value}))")
                }
                None => "None".to_string(),
            };
            format!(
                "(name: \"s{index}\", count: {count}, country: \"{country}\", volunteer_probability: {volunteer:?}, \
                 promised_lead_days: {lead}, type_mix: (reliable: {:?}, average: {:?}, poor: {:?}, fraudulent: {:?}), \
                 price_index: {price}, prior_history: {prior})",
                mix[0], mix[1], mix[2], mix[3]
            )
        })
    .boxed()
}

fn payment_mix() -> BoxedStrategy<String> {
    let methods = vec!["TT", "Card", "ECheck", "PayLater", "PaymentTerms"];
    prop::sample::subsequence(methods, 1..=5)
        .prop_flat_map(|chosen| {
            let count = chosen.len();
            (Just(chosen), shares(count))
        })
        .prop_map(|(chosen, shares)| {
            let entries: Vec<String> = chosen
                .iter()
                .zip(shares)
                .map(|(method, share)| format!("({method}, {share:?})"))
                .collect();
            format!("[{}]", entries.join(", "))
        })
        .boxed()
}

fn buyer_segment(index: usize) -> BoxedStrategy<String> {
    (
        (
            // Few buyers at any rate, or many at an ordinary one: either way
            // within the bound on expected inquiries over a century.
            prop_oneof![
                (1..=200u32, prop_oneof![Just(0.001), 0.01..=50.0f64, Just(10_000.0)]),
                (1..=1_000_000u32, 0.01..=10.0f64),
            ],
            prop::sample::select(vec!["US", "DE", "BR", "CN"]),
            dist(ORDER_VALUE_MAX, true),
            payment_mix(),
            1..=INQUIRY_CANDIDATES_MAX,
        ),
        (
            dist(DURATION_DAYS_MAX, false),
            dist(DURATION_DAYS_MAX, false),
            probability(),
            probability(),
            probability(),
            prop::array::uniform5(-100.0..=100.0f64),
        ),
    )
        .prop_map(
            move |(
                ((count, rate), country, value, mix, candidates),
                (transit, inspection, claim, false_claim, confirm, weights),
            )| {
                format!(
                    "(name: \"b{index}\", count: {count}, country: \"{country}\", inquiries_per_year: {rate:?}, \
                     order_value: {value}, payment_mix: {mix}, inquiry_candidates: {candidates}, \
                     transit_days: {transit}, inspection_days: {inspection}, \
                     claim_after_breach_probability: {claim:?}, false_claim_probability: {false_claim:?}, \
                     confirm_probability: {confirm:?}, choice: (badge: {:?}, transactions: {:?}, \
                     response_rate: {:?}, response_speed: {:?}, price: {:?}))",
                    weights[0], weights[1], weights[2], weights[3], weights[4]
                )
            },
        )
    .boxed()
}

fn behaviour() -> BoxedStrategy<String> {
    (
        (
            dist(DURATION_DAYS_MAX, false),
            probability(),
            dist(DURATION_DAYS_MAX, false),
            probability(),
            dist(1.0, true),
        ),
        (
            probability(),
            dist(DURATION_HOURS_MAX, false),
            probability(),
            probability(),
            prop::option::of((0u32..=5, probability())),
        ),
    )
        .prop_map(
            |(
                (production, late, late_days, conformance, defect),
                (response, response_hours, settles, voluntary, fraud),
            )| {
                let fraud = match fraud {
                    Some((clean_orders, vanish)) => format!(
                        "Some(BustOut(clean_orders: {clean_orders}, vanish_probability: {vanish:?}))"
                    ),
                    None => "None".to_string(),
                };
                format!(
                    "(production_days: {production}, late_probability: {late:?}, late_days: {late_days}, \
                     conformance_probability: {conformance:?}, defect_share: {defect}, \
                     response_probability: {response:?}, response_hours: {response_hours}, \
                     settles_in_negotiation_probability: {settles:?}, \
                     voluntary_refund_probability: {voluntary:?}, fraud: {fraud})"
                )
            },
        )
    .boxed()
}

fn supplier_types() -> BoxedStrategy<String> {
    prop_oneof![
        1 => Just(String::new()),
        2 => prop::array::uniform4(behaviour()).prop_map(|types| format!(
            "supplier_types: (reliable: {}, average: {}, poor: {}, fraudulent: {}),",
            types[0], types[1], types[2], types[3]
        )),
    ]
    .boxed()
}

fn rules() -> BoxedStrategy<String> {
    (
        (
            prop::sample::subsequence(vec!["\"CN\"", "\"IN\"", "\"VN\"", "\"US\""], 0..=4),
            any::<bool>(),
            prop::sample::subsequence(
                vec!["TT", "Card", "ECheck", "PayLater", "PaymentTerms"],
                0..=5,
            ),
            prop_oneof![Just(0u32), Just(10_000u32), 0..=10_000u32],
            prop::sample::select(vec!["AtContract", "AtShipment", "AtAcceptance"]),
            prop::sample::select(vec!["Deposit", "OrderValue"]),
        ),
        (
            days(DURATION_DAYS_MAX as u32),
            days(DURATION_DAYS_MAX as u32).prop_map(|days| days.max(1)),
            days(DURATION_DAYS_MAX as u32).prop_map(|days| days.max(1)),
            days(DURATION_DAYS_MAX as u32),
            days(DURATION_DAYS_MAX as u32),
            probability(),
        ),
        (
            any::<bool>(),
            probability(),
            days(DURATION_DAYS_MAX as u32),
            prop_oneof![Just(0u32), Just(10_000u32), 0..=500u32],
            prop::option::of(prop_oneof![Just(0i64), 0..=1_000_000_000i64]),
            prop_oneof![Just(0i64), Just(100_000_000_000_000i64), 0..=10_000_000i64],
        ),
        (
            prop_oneof![Just(0u32), 0..=1_000_000u32],
            prop_oneof![Just(0i64), Just(100_000_000_000_000i64), 0..=100_000_000i64],
            days(DURATION_DAYS_MAX as u32).prop_map(|days| days.max(1)),
            1..=VETTING_WINDOW_MONTHS_MAX,
            prop_oneof![Just(0u32), 0..=20u32, Just(VETTING_MIN_ORDERS_MAX)],
            any::<bool>(),
            prop_oneof![
                prop::array::uniform4(probability()).prop_map(|rates| format!(
                    "Thresholds(min_on_time_rate: {:?}, max_dispute_rate: {:?}, max_refund_rate: {:?}, min_response_rate: {:?})",
                    rates[0], rates[1], rates[2], rates[3]
                )),
                prop::array::uniform5(0.0..=100.0f64).prop_map(|weights| format!(
                    "RiskScore(late: {:?}, dispute: {:?}, refund: {:?}, silence: {:?}, max_score: {:?})",
                    weights[0], weights[1], weights[2], weights[3], weights[4]
                )),
            ],
        ),
    )
        .prop_map(
            |(
                (countries, volunteering, methods, deposit, release, scope),
                (grace, window, auto_release, negotiation, decision, accuracy),
                (advance, recovery, recovery_days, fee, fee_max_cents, floor_cents),
                (share, cap_extra_cents, review_days, window_months, min_orders, probation, criteria),
            )| {
                let cents = |cents: i64| format!("\"{}.{:02}\"", cents / 100, cents % 100);
                let fee_scope = match fee_max_cents {
                    Some(max) => format!("OrdersUpTo({})", cents(max)),
                    None => "AllOrders".to_string(),
                };
                let cap_cents = floor_cents.saturating_add(cap_extra_cents).min(100_000_000_000_000);
                let new_suppliers = if probation { "Probation" } else { "WaitForHistory" };
                format!(
                    "rules: (eligible_countries: [{}], require_volunteering: {volunteering}, \
                     covered_payment_methods: [{}], deposit_share_bps: {deposit}, \
                     deposit_release: {release}, refund_scope: {scope}, \
                     late_shipment_grace_days: {grace}, claim_window_days: {window}, \
                     auto_release_days: {auto_release}, negotiation_days: {negotiation}, \
                     decision_days: {decision}, decision_accuracy: {accuracy:?}, \
                     advance_refunds: {advance}, recovery_probability: {recovery:?}, \
                     recovery_days: {recovery_days}, seller_fee_bps: {fee}, \
                     seller_fee_applies_to: {fee_scope}, coverage_limit_share_bps: {share}, \
                     coverage_limit_floor: {}, coverage_limit_cap: {}, vetting_review_days: {review_days}, \
                     vetting_window_months: {window_months}, vetting_min_orders: {min_orders}, \
                     vetting_new_suppliers: {new_suppliers}, vetting_criteria: {criteria}),",
                    countries.join(", "),
                    methods.join(", "),
                    cents(floor_cents),
                    cents(cap_cents)
                )
            },
        )
        .boxed()
}

/// A valid scenario of any shape, as RON text. Populations and demand may
/// be large; run it through `exercise::shrink` before running it.
pub fn scenario_text() -> impl Strategy<Value = String> {
    (
        (
            any::<u64>(),
            1900u32..=2999,
            1u32..=12,
            1u32..=28,
            prop_oneof![3 => 1..=400u32, 1 => 1..=HORIZON_DAYS_MAX],
        ),
        prop::collection::vec(0usize..1, 1..=3).prop_flat_map(|segments| {
            segments
                .iter()
                .enumerate()
                .map(|(index, _)| supplier_segment(index))
                .collect::<Vec<_>>()
        }),
        prop::collection::vec(0usize..1, 1..=3).prop_flat_map(|segments| {
            segments
                .iter()
                .enumerate()
                .map(|(index, _)| buyer_segment(index))
                .collect::<Vec<_>>()
        }),
        supplier_types(),
        prop_oneof![1 => Just(String::new()), 3 => rules()],
    )
        .prop_map(
            |((seed, year, month, day, horizon), suppliers, buyers, types, rules)| {
                format!(
                    "Scenario(name: \"generated\", seed: {seed}, start_date: \"{year:04}-{month:02}-{day:02}\", \
                     horizon_days: {horizon}, currency: \"EUR\",\n suppliers: [{}],\n buyers: [{}],\n {types}\n {rules}\n)",
                    suppliers.join(", "),
                    buyers.join(", ")
                )
            },
        )
}
