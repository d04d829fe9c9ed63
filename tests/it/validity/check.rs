//! What every validity check shares: its record, the Student-t interval
//! with a family-wise Bonferroni bound, the suite's seeds, and the table
//! of `docs/validity.md`.
//!
//! The t quantile is computed here, from the regularised incomplete beta
//! function, rather than borrowed from `escrowsim::analysis::statistics`:
//! that module only offers the 95% quantile, and the suite checks the
//! analysis layer itself (see `intervals.rs`), so it should not lean on it.
//! A unit test pins this quantile to published tables and to the
//! library's 95% quantile.

use escrowsim::analysis::replication_seed;
use escrowsim::report::Report;
use escrowsim::scenario::Scenario;
use rust_decimal::Decimal;

/// The probability that any statistical check of the suite fails although
/// the model is right is at most this (Bonferroni: each check gets an equal
/// share, whatever the dependence between checks).
pub const FAMILY_ALPHA: f64 = 0.01;

/// Rows with an interval in the whole suite. The table test fails when the
/// registered checks disagree, so the bound cannot silently go stale.
pub const STATISTICAL_CHECKS: usize = 20;

/// Every replication seed of the suite derives from this one, by the
/// library's replication rule (SHA-256 of base seed and index).
pub const BASE_SEED: u64 = 20_150_101;

/// The two-sided error probability each statistical check is allowed.
pub fn alpha_per_check() -> f64 {
    FAMILY_ALPHA / STATISTICAL_CHECKS as f64
}

/// The reports of replications `0..count` of `scenario` with the suite's seeds.
pub fn replicate(scenario: &Scenario, count: u32) -> Vec<Report> {
    (0..count)
        .map(|index| crate::common::run_with_seed(scenario, replication_seed(BASE_SEED, index)).1)
        .collect()
}

/// A number as the table shows it: a float statistic, or an exact decimal.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Real(f64),
    Exact(Decimal),
}

/// A plausible wrong answer that the interval must exclude: the evidence
/// that the check has the power to fail.
#[derive(Clone, Debug, PartialEq)]
pub struct Rival {
    pub what: String,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Fail(String),
}

/// One row of the validity table.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub mechanism: String,
    pub formula: String,
    pub expected: Figure,
    pub measured_mean: Figure,
    /// The Bonferroni t-interval of the mean; `None` for exact checks.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// How the measured figure was obtained (runs, replications, interval).
    pub method: String,
    pub rival: Option<Rival>,
    pub verdict: Verdict,
}

impl Check {
    /// A deterministic mechanism: the measured value must equal the
    /// derived one exactly, and the design must not be vacuous.
    pub fn exact(
        mechanism: &str,
        formula: &str,
        expected: Decimal,
        measured: Decimal,
        method: &str,
    ) -> Check {
        let verdict = if expected == measured {
            Verdict::Pass
        } else {
            Verdict::Fail(format!("measured {measured}, derived {expected}"))
        };
        // Money is shown with its cents on both sides (0 and 0.00 alike).
        let (mut expected, mut measured) = (expected, measured);
        if expected.scale() > 0 || measured.scale() > 0 {
            let scale = expected.scale().max(measured.scale()).max(2);
            expected.rescale(scale);
            measured.rescale(scale);
        }
        Check {
            mechanism: mechanism.to_string(),
            formula: formula.to_string(),
            expected: Figure::Exact(expected),
            measured_mean: Figure::Exact(measured),
            ci_low: None,
            ci_high: None,
            method: method.to_string(),
            rival: None,
            verdict,
        }
    }

    /// A random mechanism: `sample` holds one value of the statistic per
    /// replication (independent, identically distributed). Passes when the
    /// Bonferroni t-interval of the mean holds `expected` and excludes the
    /// rival's value.
    pub fn statistical(
        mechanism: &str,
        formula: &str,
        expected: f64,
        sample: &[f64],
        unit: &str,
        rival: Rival,
    ) -> Check {
        let estimate = Estimate::of(sample, alpha_per_check());
        let (low, high) = (
            estimate.mean - estimate.half_width,
            estimate.mean + estimate.half_width,
        );
        let verdict = if !(low <= expected && expected <= high) {
            Verdict::Fail(format!(
                "derived {expected} lies outside the interval [{low}, {high}]"
            ))
        } else if low <= rival.value && rival.value <= high {
            Verdict::Fail(format!(
                "the interval [{low}, {high}] is too wide to rule out {} = {}",
                rival.what, rival.value
            ))
        } else {
            Verdict::Pass
        };
        Check {
            mechanism: mechanism.to_string(),
            formula: formula.to_string(),
            expected: Figure::Real(expected),
            measured_mean: Figure::Real(estimate.mean),
            ci_low: Some(low),
            ci_high: Some(high),
            method: format!(
                "t-interval, {} {unit}, {}% two-sided",
                sample.len(),
                percent(1.0 - alpha_per_check())
            ),
            rival: Some(rival),
            verdict,
        }
    }

    pub fn is_statistical(&self) -> bool {
        self.ci_low.is_some()
    }
}

/// The mean of i.i.d. values and the half-width of its two-sided
/// Student-t interval at error probability `alpha`.
#[derive(Clone, Copy, Debug)]
pub struct Estimate {
    pub mean: f64,
    pub half_width: f64,
}

impl Estimate {
    pub fn of(values: &[f64], alpha: f64) -> Estimate {
        assert!(values.len() >= 2, "an interval needs two replications");
        let count = values.len() as f64;
        let mean = values.iter().sum::<f64>() / count;
        let squares: f64 = values
            .iter()
            .map(|value| (value - mean) * (value - mean))
            .sum();
        let sd = (squares / (count - 1.0)).sqrt();
        let degrees = (values.len() - 1) as f64;
        Estimate {
            mean,
            half_width: t_quantile(1.0 - alpha / 2.0, degrees) * sd / count.sqrt(),
        }
    }
}

/// The quantile `probability` (above 0.5) of Student's t with `degrees`
/// degrees of freedom, by bisection on its upper tail.
pub fn t_quantile(probability: f64, degrees: f64) -> f64 {
    assert!(probability > 0.5 && probability < 1.0 && degrees > 0.0);
    let tail = 1.0 - probability;
    let (mut low, mut high) = (0.0_f64, 1.0e6_f64);
    for _ in 0..300 {
        let middle = 0.5 * (low + high);
        if middle <= low || middle >= high {
            break;
        }
        if t_upper_tail(middle, degrees) > tail {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// P(T > t) for t >= 0: half of I_x(ν/2, 1/2) with x = ν / (ν + t²).
pub fn t_upper_tail(t: f64, degrees: f64) -> f64 {
    let x = degrees / (degrees + t * t);
    0.5 * regularised_beta(x, degrees / 2.0, 0.5)
}

/// The regularised incomplete beta function I_x(a, b), by its continued
/// fraction (modified Lentz), on the side of x where it converges fast.
fn regularised_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
        + a * libm::log(x)
        + b * libm::log(1.0 - x);
    if x < (a + 1.0) / (a + b + 2.0) {
        libm::exp(log_front) * beta_fraction(x, a, b) / a
    } else {
        1.0 - libm::exp(log_front) * beta_fraction(1.0 - x, b, a) / b
    }
}

fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1.0e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut result = d;
    for m in 1..10_000 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        for coefficient in [
            even,
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + coefficient * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + coefficient / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            result *= d * c;
        }
        if (d * c - 1.0).abs() < 1.0e-15 {
            break;
        }
    }
    result
}

/// A confidence level in percent, without trailing zeros (99.9375).
fn percent(level: f64) -> String {
    let text = format!("{:.4}", level * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Six significant digits, the same on every machine (the inputs are
/// exact outcomes and the arithmetic is IEEE basic operations).
fn significant(value: f64, decimals_of: f64) -> String {
    let magnitude = if decimals_of == 0.0 {
        0
    } else {
        libm::floor(libm::log10(decimals_of.abs())) as i32
    };
    let decimals = (5 - magnitude).clamp(0, 12) as usize;
    let text = format!("{value:.decimals$}");
    if text.starts_with('-') && text[1..].chars().all(|c| c == '0' || c == '.') {
        text[1..].to_string()
    } else {
        text
    }
}

impl Figure {
    fn text(&self, scale: f64) -> String {
        match self {
            Figure::Real(value) => significant(*value, scale),
            Figure::Exact(value) => value.to_string(),
        }
    }

    fn scale(&self) -> f64 {
        match self {
            Figure::Real(value) => *value,
            Figure::Exact(_) => 0.0,
        }
    }
}

/// The markdown table row of `check`, numbered `index` (from 1).
pub fn table_row(index: usize, check: &Check) -> String {
    let scale = check.expected.scale();
    let interval = match (check.ci_low, check.ci_high) {
        (Some(low), Some(high)) => {
            format!(
                "[{}, {}]",
                significant(low, scale),
                significant(high, scale)
            )
        }
        _ => "exact".to_string(),
    };
    let rival = match &check.rival {
        Some(rival) => format!("{} = {}", rival.what, significant(rival.value, scale)),
        None => "any difference".to_string(),
    };
    let verdict = match &check.verdict {
        Verdict::Pass => "pass".to_string(),
        Verdict::Fail(why) => format!("**FAIL**: {why}"),
    };
    let cells = [
        index.to_string(),
        check.mechanism.clone(),
        check.formula.clone(),
        check.expected.text(scale),
        check.measured_mean.text(scale),
        interval,
        check.method.clone(),
        rival,
        verdict,
    ];
    let escaped: Vec<String> = cells.iter().map(|cell| cell.replace('|', "\\|")).collect();
    format!("| {} |", escaped.join(" | "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables_and_the_library() {
        // Upper quantiles of Student's t (NIST/SEMATECH e-Handbook 1.4.2.7.2).
        for (probability, degrees, published) in [
            (0.975, 1.0, 12.706205),
            (0.975, 10.0, 2.228139),
            (0.995, 10.0, 3.169273),
            (0.9995, 10.0, 4.586894),
            (0.9995, 20.0, 3.849516),
            (0.995, 30.0, 2.749996),
            (0.999, 100.0, 3.173739),
        ] {
            let t = t_quantile(probability, degrees);
            assert!(
                (t - published).abs() < 2e-6,
                "t({probability}, {degrees}) = {t}, published {published}"
            );
        }
        for degrees in [1u64, 2, 3, 4, 5, 9, 19, 29, 199, 1999] {
            let ours = t_quantile(0.975, degrees as f64);
            let library = escrowsim::analysis::statistics::t_quantile_975(degrees);
            assert!(
                (ours - library).abs() < 1e-6,
                "df {degrees}: {ours} vs {library}"
            );
        }
    }

    #[test]
    fn an_interval_holds_its_mean_and_widens_with_confidence() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0];
        let at_95 = Estimate::of(&values, 0.05);
        // 2.776445 * sqrt(2.5) / sqrt(5), as in the analysis module's own test.
        assert!((at_95.half_width - 1.963244).abs() < 1e-6);
        assert!(Estimate::of(&values, alpha_per_check()).half_width > at_95.half_width);
    }

    #[test]
    fn a_check_fails_when_the_truth_is_outside_or_the_rival_inside() {
        let sample = [0.49, 0.50, 0.51, 0.50];
        let rival = |value| Rival {
            what: "wrong".to_string(),
            value,
        };
        let pass = Check::statistical("m", "f", 0.5, &sample, "replications", rival(0.9));
        assert_eq!(pass.verdict, Verdict::Pass);
        let outside = Check::statistical("m", "f", 0.7, &sample, "replications", rival(0.9));
        assert!(matches!(outside.verdict, Verdict::Fail(_)));
        let weak = Check::statistical("m", "f", 0.5, &sample, "replications", rival(0.505));
        assert!(matches!(weak.verdict, Verdict::Fail(_)));
        let exact = Check::exact("m", "f", Decimal::new(1, 0), Decimal::new(2, 0), "1 run");
        assert!(matches!(exact.verdict, Verdict::Fail(_)));
    }
}
