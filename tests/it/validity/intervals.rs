//! The analysis layer's own intervals: do the nominal 95% intervals of
//! `escrowsim::analysis` (`run --replications`) cover a known value about
//! 95% of the time?

use super::check::{BASE_SEED, Check, Rival, Verdict, t_upper_tail};
use super::design::{OPEN_PROGRAM, every_type, scenario};
use escrowsim::analysis::{Plan, ReplicationSummary, replicate, replication_seed};
use escrowsim::program::NoProbe;
use rust_decimal::Decimal;

/// Independent analyses, each with its own base seed.
const BASE_SEEDS: u32 = 2000;
/// Replications per analysis: few, so that the t quantile matters.
const REPLICATIONS: u32 = 5;
/// Coverage must lie in this band (percent), as well as its interval
/// holding 95%.
const BAND: (f64, f64) = (0.93, 0.97);

/// P(the 95% interval of R = 5 replications holds the true mean) = 0.95.
///
/// 200 buyers ask 36.5 times a year each, over 10 days: inquiries are
/// Poisson with mean 200 exactly (see arrivals.rs); 10 suppliers answer
/// with probability 0.5 and buyers ask k = 2, so unanswered inquiries are a
/// thinned Poisson stream with mean 200 × 0.5² = 50. For each of 2,000
/// base seeds (derived from the suite's), the library summarises 5
/// replications and we record whether its `ci95` of `inquiries.total`,
/// and of `inquiries.unanswered`, holds the known mean. The values are
/// counts close to normal (skewness 0.07 and 0.14), so the t-interval's
/// coverage is 0.95 up to a few thousandths. The share of covering seeds
/// is a binomial proportion; its Bonferroni t-interval (about ±0.017) must
/// hold 0.95 and the share must lie in 93-97%. It rules out the coverage
/// of an interval built with the normal quantile 1.96 instead of t(0.975,
/// 4) = 2.776, which is 0.878.
pub fn coverage_of_analysis_intervals() -> Vec<Check> {
    let behaviour = "(production_days: Fixed(30.0), late_probability: 0.0, late_days: Fixed(1.0),
        conformance_probability: 1.0, defect_share: Fixed(0.5), response_probability: 0.5,
        response_hours: Fixed(1.0), settles_in_negotiation_probability: 1.0,
        voluntary_refund_probability: 0.0, fraud: None)";
    let text = format!(
        r#"Scenario(
    name: "validity-interval-coverage", seed: 1, start_date: "2015-01-01", horizon_days: 10,
    suppliers: [(name: "cn", count: 10, country: "CN", volunteer_probability: 1.0,
                 promised_lead_days: 30,
                 type_mix: (reliable: 1.0, average: 0.0, poor: 0.0, fraudulent: 0.0))],
    buyers: [(name: "us", count: 200, country: "US", inquiries_per_year: 36.5,
              order_value: Fixed(1000.0), payment_mix: [(TT, 1.0)], inquiry_candidates: 2,
              transit_days: Fixed(2.0), inspection_days: Fixed(1.0),
              claim_after_breach_probability: 0.0, false_claim_probability: 0.0,
              confirm_probability: 1.0)],
    supplier_types: {types},
    rules: ({OPEN_PROGRAM}),
)"#,
        types = every_type(behaviour),
    );
    let scenario = scenario("interval-coverage", &text);
    let known = [
        ("inquiries.total", "inquiries", Decimal::from(200)),
        (
            "inquiries.unanswered",
            "unanswered inquiries",
            Decimal::from(50),
        ),
    ];
    let mut covered = [Vec::new(), Vec::new()];
    for index in 0..BASE_SEEDS {
        let base_seed = replication_seed(BASE_SEED, 1_000_000 + index);
        let plan = Plan::new(base_seed, REPLICATIONS, 1).expect("a valid plan");
        let replications =
            replicate(&scenario, &plan, || NoProbe).expect("NoProbe never interrupts");
        let summary = ReplicationSummary::new(&replications);
        for (which, (path, _, truth)) in known.iter().enumerate() {
            let (low, high) = summary
                .metric(path)
                .and_then(|metric| metric.ci95)
                .unwrap_or_else(|| panic!("{path} has an interval"));
            let holds = low.value <= *truth && *truth <= high.value;
            covered[which].push(if holds { 1.0 } else { 0.0 });
        }
    }
    // Coverage of mean ± 1.96 sd/√R when the values are normal: the
    // studentised mean is t with R - 1 degrees of freedom, so
    // P(|T_4| <= 1.96) = 1 - 2 P(T_4 > 1.96).
    let z_coverage = 1.0 - 2.0 * t_upper_tail(1.959964, f64::from(REPLICATIONS - 1));
    known
        .iter()
        .zip(&covered)
        .map(|((path, what, truth), sample)| {
            let mut check = Check::statistical(
                &format!(
                    "Analysis layer: its 95% interval of {what} (R = 5) covers the known mean {truth}"
                ),
                &format!("P(ci95 of {path} holds the mean) = 0.95"),
                0.95,
                sample,
                "base seeds",
                Rival {
                    what: "normal quantile in place of t".to_string(),
                    value: z_coverage,
                },
            );
            let share = sample.iter().sum::<f64>() / sample.len() as f64;
            if check.verdict == Verdict::Pass && !(BAND.0..=BAND.1).contains(&share) {
                check.verdict = Verdict::Fail(format!("coverage {share} is outside 93-97%"));
            }
            check
        })
        .collect()
}
