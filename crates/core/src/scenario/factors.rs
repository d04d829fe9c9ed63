//! Factors: the values a sweep, a sensitivity study or a calibration
//! varies, each named by its path in the scenario.
//!
//! # Paths
//!
//! ```text
//! horizon_days
//! rules.RULE                          any rule of the rules table
//! rules.vetting_criteria.PARAMETER    a parameter of the criteria's variant
//! suppliers[S].FIELD                  S: an index from 0, `*` (every segment),
//! buyers[S].FIELD                        or a segment's name (every segment of it)
//! supplier_types.TYPE.FIELD           TYPE: reliable, average, poor or fraudulent
//! ```
//!
//! A FIELD is a number (`count`, `choice.price`,
//! `prior_history.orders_per_month`), a parameter of a distribution
//! (`order_value.median`, `late_days.mean`) or one share of a mix
//! (`type_mix.fraudulent`, `payment_mix.TT`). A distribution's parameters
//! are those of its variant: `Fixed` has `value`; `Uniform` `min` and
//! `max`; `Exponential` `mean`; `LogNormal` `median` and `sigma`;
//! `Triangular` `min`, `mode` and `max`. Naming a parameter the scenario's
//! variant lacks is an error, and so is a field inside an optional part the
//! scenario leaves out (`prior_history`, `fraud`). A segment name runs to
//! the first `]`; a name made only of digits is read as an index. The
//! seed is not a factor: replications vary it.
//!
//! Every field is declared once, in the tables below (`SCENARIO_FIELDS`,
//! `SUPPLIER_FIELDS`, `BUYER_FIELDS`, `BEHAVIOUR_FIELDS`): its name, what
//! it accepts and where it lives. Parsing, error messages, bounds and
//! [`factor_paths`] (the README's list) all read them; rules come from
//! their own declaration, `rules!` in `rules.rs`. A field accepts the
//! values validation accepts, built from the same constants of `limits`,
//! and a test holds each bound against [`validate()`](super::validate()).
//!
//! # Values
//!
//! [`FactorPath::apply_number`] sets a number. A whole-number field takes
//! the number rounded half to even (30.5 is 30, 31.5 is 32); money (the
//! rules' amounts) takes the shortest decimal text of the number rounded
//! half to even to cents (`1234.565` is `"1234.56"`); other fields take
//! the number as it is. Rounding is done on decimal text, so it is the same
//! on every machine. [`FactorPath::apply_text`] sets a value written as in
//! a scenario (`14`, `0.05`, `AtContract`, `[TT, Card]`,
//! `LogNormal(median: 3000.0, sigma: 1.0)`). Both return the value applied,
//! written as in a scenario (`31` for 30.6 days); given back to `apply_text`
//! it applies the same value again. A value outside the field's bounds is
//! an error naming them; [`FactorPath::bounds`] gives them before any run.
//!
//! # Shares
//!
//! The shares of a mix sum to 1. Setting one share (in [0, 1]) rescales the
//! others proportionally so that the total stays 1: with `type_mix` (0.55,
//! 0.30, 0.12, 0.03), `type_mix.fraudulent` = 0.13 makes `reliable` 0.55 *
//! 0.87 / 0.97. When the others are all 0 they share the rest equally. A
//! payment method the mix does not list is added with the value. Factors
//! apply in order, so a second share of one mix rescales the first:
//! [`FactorPath::overlaps`] finds such pairs, which a sweep refuses.
//!
//! # A point as a whole
//!
//! A value valid alone may break a relation between fields (a Uniform's
//! `min` above its `max`, a coverage floor above the cap, too many suppliers
//! in all). Once a point's values are applied the scenario is validated
//! whole: [`point_problems`].
//!
//! # A scenario file with the values
//!
//! [`patch_text`] writes values into a scenario's text where the text
//! writes them (or adds the field where a default applied), every comment
//! and the layout around them kept: the calibrated scenario file, which an
//! analyst diffs against the base.

mod patch;

pub use patch::patch_text;

use super::bounds::Bound;
use super::limits::{
    BUYERS_MAX, CHOICE_WEIGHT_MAX, CLEAN_ORDERS_MAX, DURATION_DAYS_MAX, DURATION_HOURS_MAX,
    FACTOR_PATH_LEN_MAX, HORIZON_DAYS_MAX, INQUIRY_CANDIDATES_MAX, LOGNORMAL_SIGMA_MAX,
    MONEY_RULE_MAX, ORDER_VALUE_MAX, ORDERS_PER_BUYER_YEAR_MAX, PRICE_INDEX_MAX,
    PRIOR_ORDERS_PER_MONTH_MAX, SUPPLIERS_MAX,
};
use super::rules::{RULES, RuleDoc, RulesPatch, VettingCriteria};
use super::syntax::{nearest_name, unknown_name};
use super::{
    Amount, BuyerSegment, Dist, Fraud, PaymentMethod, Scenario, SupplierBehaviour, SupplierSegment,
    SupplierType, TypeMix, validate,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;
use std::str::FromStr;

/// Why a factor path or value cannot be used. The message names the path,
/// or the segment the path reaches, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FactorError {
    pub message: String,
}

fn error(message: String) -> FactorError {
    FactorError { message }
}

/// The numbers a factor accepts: an interval, closed unless `low_open`,
/// and how a number is made a value of the field.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FactorBounds {
    pub low: f64,
    /// Whether `low` itself is refused (a mean must be greater than 0).
    pub low_open: bool,
    pub high: f64,
    pub step: Step,
}

/// How a number becomes a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// As it is.
    Real,
    /// Rounded half to even to a whole number.
    Whole,
    /// Money: its shortest decimal text rounded half to even to cents.
    Cents,
}

/// A number admitted by a field's bounds, as the field holds it.
enum Admitted {
    Real(f64),
    Whole(u32),
    Cents(Decimal),
}

impl Admitted {
    /// The value written as in a scenario.
    fn text(&self) -> String {
        match self {
            Admitted::Real(value) => value.to_string(),
            Admitted::Whole(value) => value.to_string(),
            Admitted::Cents(value) => format!("\"{value}\""),
        }
    }

    fn real(&self) -> f64 {
        match self {
            Admitted::Real(value) => *value,
            _ => unreachable!("a real field's bounds admit reals"),
        }
    }
}

impl FactorBounds {
    const PROBABILITY: FactorBounds = FactorBounds::closed(0.0, 1.0);

    const fn closed(low: f64, high: f64) -> FactorBounds {
        FactorBounds {
            low,
            low_open: false,
            high,
            step: Step::Real,
        }
    }

    const fn above(low: f64, high: f64) -> FactorBounds {
        FactorBounds {
            low,
            low_open: true,
            high,
            step: Step::Real,
        }
    }

    const fn whole(low: u32, high: u32) -> FactorBounds {
        FactorBounds {
            low: low as f64,
            low_open: false,
            high: high as f64,
            step: Step::Whole,
        }
    }

    const fn cents(high: f64) -> FactorBounds {
        FactorBounds {
            low: 0.0,
            low_open: false,
            high,
            step: Step::Cents,
        }
    }

    /// Whether `x`, made a value of the field (rounded as [`Step`] says),
    /// lies within the bounds. A study checks both ends of a range with it
    /// before any run.
    pub fn contains(&self, x: f64) -> bool {
        self.admit(x).is_ok()
    }

    /// `x` as the field's value, or why it is out of bounds.
    fn admit(&self, x: f64) -> Result<Admitted, String> {
        // Adding +0 turns -0 into +0 and changes nothing else.
        let x = x + 0.0;
        let out_of_range = || format!("{x} is out of range {self}");
        let places = match self.step {
            Step::Real => {
                let above_low = if self.low_open {
                    x > self.low
                } else {
                    x >= self.low
                };
                return if x.is_finite() && above_low && x <= self.high {
                    Ok(Admitted::Real(x))
                } else {
                    Err(out_of_range())
                };
            }
            Step::Whole => 0,
            Step::Cents => 2,
        };
        let value = rounded(x, places).ok_or_else(out_of_range)?;
        // The bounds of whole numbers and money are whole numbers below
        // 2^53, exact as both f64 and Decimal.
        let low = Decimal::try_from(self.low).expect("a whole bound is a decimal");
        let high = Decimal::try_from(self.high).expect("a whole bound is a decimal");
        let above_low = if self.low_open {
            value > low
        } else {
            value >= low
        };
        if !(above_low && value <= high) {
            return Err(out_of_range());
        }
        Ok(match self.step {
            Step::Whole => Admitted::Whole(value.to_u32().ok_or_else(out_of_range)?),
            _ => Admitted::Cents(value),
        })
    }
}

impl fmt::Display for FactorBounds {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let open = if self.low_open { "(" } else { "[" };
        match self.step {
            Step::Real => write!(formatter, "{open}{}, {}]", self.low, self.high),
            Step::Whole => write!(formatter, "{}..={}", self.low, self.high),
            Step::Cents => write!(
                formatter,
                "{open}{}, {}] (money, to the cent)",
                self.low, self.high
            ),
        }
    }
}

/// `x` written as its shortest decimal text (which reads back as `x`),
/// rounded half to even to `places` decimal places: no float arithmetic,
/// so the same on every machine. `None` for a number no `Decimal` holds.
fn rounded(x: f64, places: u32) -> Option<Decimal> {
    if !x.is_finite() {
        return None;
    }
    // Decimal keeps 28 decimal places; the digits it drops cannot move a
    // rounding to two places, since a shortest text has at most 17
    // significant digits.
    let mut value = Decimal::from_str(&x.to_string())
        .ok()?
        .round_dp_with_strategy(places, RoundingStrategy::MidpointNearestEven);
    value.rescale(places);
    if value.is_zero() {
        value.set_sign_positive(true);
    }
    Some(value)
}

/// What a field holds and accepts.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A number within bounds (a whole number when the step says so).
    Number(FactorBounds),
    /// A distribution whose draws lie in [0, `max`] (in (0, `max`] when
    /// `positive`), as validation asks.
    Dist { max: f64, positive: bool },
    /// Shares summing to 1.
    Shares(Mix),
}

/// The two kinds of mix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mix {
    Types,
    Payments,
}

/// The share names of `type_mix` (the types' keys) and `payment_mix` (the
/// methods' keys); a test holds them to [`SupplierType::key`] and
/// [`PaymentMethod::key`].
const TYPE_NAMES: &[&str] = &["reliable", "average", "poor", "fraudulent"];
const METHOD_NAMES: &[&str] = &["TT", "Card", "ECheck", "PayLater", "PaymentTerms"];

impl Mix {
    fn names(self) -> &'static [&'static str] {
        match self {
            Mix::Types => TYPE_NAMES,
            Mix::Payments => METHOD_NAMES,
        }
    }
}

/// Where a field's value lives in one part of the scenario.
enum Place<'a> {
    Real(&'a mut f64),
    Whole(&'a mut u32),
    Dist(&'a mut Dist),
    TypeMix(&'a mut TypeMix),
    PaymentMix(&'a mut Vec<(PaymentMethod, f64)>),
    /// The optional part that holds the field is left out (`None`).
    Absent(&'static str),
}

/// One field of a part of the scenario (`P`: the scenario's top level, a
/// segment, a type's behaviour).
struct Field<P: 'static> {
    /// The path below the part, e.g. `prior_history.orders_per_month`.
    name: &'static str,
    kind: Kind,
    place: fn(&mut P) -> Place<'_>,
}

impl<P> fmt::Debug for Field<P> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name)
    }
}

impl<P> PartialEq for Field<P> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A table of fields: `"name", kind, |part| place;` per field.
macro_rules! fields {
    ($part:ty: $($name:literal, $kind:expr, |$p:ident| $place:expr;)*) => {
        &[$(Field::<$part> {
            name: $name,
            kind: $kind,
            place: {
                fn place($p: &mut $part) -> Place<'_> {
                    $place
                }
                place
            },
        },)*]
    };
}

const PROBABILITY: Kind = Kind::Number(FactorBounds::PROBABILITY);
const CHOICE_WEIGHT: Kind =
    Kind::Number(FactorBounds::closed(-CHOICE_WEIGHT_MAX, CHOICE_WEIGHT_MAX));

const fn whole(low: u32, high: u32) -> Kind {
    Kind::Number(FactorBounds::whole(low, high))
}

const fn days_from(low: u32) -> Kind {
    whole(low, DURATION_DAYS_MAX as u32)
}

const fn dist(max: f64, positive: bool) -> Kind {
    Kind::Dist { max, positive }
}

/// The top level's numbers.
const SCENARIO_FIELDS: &[Field<Scenario>] = fields! { Scenario:
    "horizon_days", whole(1, HORIZON_DAYS_MAX), |scenario| Place::Whole(&mut scenario.horizon_days);
};

/// A supplier segment's numbers. A segment's count is bounded by the
/// total across segments, which validation checks whole.
const SUPPLIER_FIELDS: &[Field<SupplierSegment>] = fields! { SupplierSegment:
    "count", whole(1, SUPPLIERS_MAX as u32), |segment| Place::Whole(&mut segment.count);
    "volunteer_probability", PROBABILITY, |segment| Place::Real(&mut segment.volunteer_probability);
    "promised_lead_days", days_from(1), |segment| Place::Whole(&mut segment.promised_lead_days);
    "type_mix", Kind::Shares(Mix::Types), |segment| Place::TypeMix(&mut segment.type_mix);
    "price_index", dist(PRICE_INDEX_MAX, true), |segment| Place::Dist(&mut segment.price_index);
    "prior_history.orders_per_month",
        Kind::Number(FactorBounds::closed(0.0, PRIOR_ORDERS_PER_MONTH_MAX)),
        |segment| match &mut segment.prior_history {
            Some(prior) => Place::Real(&mut prior.orders_per_month),
            None => Place::Absent("prior_history"),
        };
    "prior_history.order_value", dist(ORDER_VALUE_MAX, true),
        |segment| match &mut segment.prior_history {
            Some(prior) => Place::Dist(&mut prior.order_value),
            None => Place::Absent("prior_history"),
        };
};

/// A buyer segment's numbers.
const BUYER_FIELDS: &[Field<BuyerSegment>] = fields! { BuyerSegment:
    "count", whole(1, BUYERS_MAX as u32), |segment| Place::Whole(&mut segment.count);
    "inquiries_per_year", Kind::Number(FactorBounds::above(0.0, ORDERS_PER_BUYER_YEAR_MAX)),
        |segment| Place::Real(&mut segment.inquiries_per_year);
    "order_value", dist(ORDER_VALUE_MAX, true), |segment| Place::Dist(&mut segment.order_value);
    "payment_mix", Kind::Shares(Mix::Payments),
        |segment| Place::PaymentMix(&mut segment.payment_mix);
    "inquiry_candidates", whole(1, INQUIRY_CANDIDATES_MAX),
        |segment| Place::Whole(&mut segment.inquiry_candidates);
    "transit_days", dist(DURATION_DAYS_MAX, false),
        |segment| Place::Dist(&mut segment.transit_days);
    "inspection_days", dist(DURATION_DAYS_MAX, false),
        |segment| Place::Dist(&mut segment.inspection_days);
    "claim_after_breach_probability", PROBABILITY,
        |segment| Place::Real(&mut segment.claim_after_breach_probability);
    "false_claim_probability", PROBABILITY,
        |segment| Place::Real(&mut segment.false_claim_probability);
    "confirm_probability", PROBABILITY, |segment| Place::Real(&mut segment.confirm_probability);
    "choice.badge", CHOICE_WEIGHT, |segment| Place::Real(&mut segment.choice.badge);
    "choice.transactions", CHOICE_WEIGHT, |segment| Place::Real(&mut segment.choice.transactions);
    "choice.response_rate", CHOICE_WEIGHT, |segment| Place::Real(&mut segment.choice.response_rate);
    "choice.response_speed", CHOICE_WEIGHT,
        |segment| Place::Real(&mut segment.choice.response_speed);
    "choice.price", CHOICE_WEIGHT, |segment| Place::Real(&mut segment.choice.price);
};

/// A latent type's behaviour.
const BEHAVIOUR_FIELDS: &[Field<SupplierBehaviour>] = fields! { SupplierBehaviour:
    "production_days", dist(DURATION_DAYS_MAX, false),
        |behaviour| Place::Dist(&mut behaviour.production_days);
    "late_probability", PROBABILITY, |behaviour| Place::Real(&mut behaviour.late_probability);
    "late_days", dist(DURATION_DAYS_MAX, false), |behaviour| Place::Dist(&mut behaviour.late_days);
    "conformance_probability", PROBABILITY,
        |behaviour| Place::Real(&mut behaviour.conformance_probability);
    "defect_share", dist(1.0, true), |behaviour| Place::Dist(&mut behaviour.defect_share);
    "response_probability", PROBABILITY,
        |behaviour| Place::Real(&mut behaviour.response_probability);
    "response_hours", dist(DURATION_HOURS_MAX, false),
        |behaviour| Place::Dist(&mut behaviour.response_hours);
    "settles_in_negotiation_probability", PROBABILITY,
        |behaviour| Place::Real(&mut behaviour.settles_in_negotiation_probability);
    "voluntary_refund_probability", PROBABILITY,
        |behaviour| Place::Real(&mut behaviour.voluntary_refund_probability);
    "fraud.clean_orders", whole(0, CLEAN_ORDERS_MAX), |behaviour| match &mut behaviour.fraud {
        Some(Fraud::BustOut { clean_orders, .. }) => Place::Whole(clean_orders),
        None => Place::Absent("fraud"),
    };
    "fraud.vanish_probability", PROBABILITY, |behaviour| match &mut behaviour.fraud {
        Some(Fraud::BustOut { vanish_probability, .. }) => Place::Real(vanish_probability),
        None => Place::Absent("fraud"),
    };
};

/// The parameters of every distribution variant.
const DIST_PARAMETERS: &[&str] = &["value", "min", "mode", "max", "mean", "median", "sigma"];
/// The parameters of every variant of the vetting criteria.
const CRITERIA_PARAMETERS: &[&str] = &[
    "min_on_time_rate",
    "max_dispute_rate",
    "max_refund_rate",
    "min_response_rate",
    "late",
    "dispute",
    "refund",
    "silence",
    "max_score",
];
/// The rule whose variants have parameters of their own.
const CRITERIA_RULE: &str = "vetting_criteria";

/// A value with named variants, each with named number parameters.
pub(crate) trait Variants {
    /// The variant's name and its parameters.
    fn variant(&self) -> (&'static str, &'static [&'static str]);
    fn parameter_mut(&mut self, name: &str) -> Option<&mut f64>;
}

impl Variants for Dist {
    fn variant(&self) -> (&'static str, &'static [&'static str]) {
        match self {
            Dist::Fixed(_) => ("Fixed", &["value"]),
            Dist::Uniform { .. } => ("Uniform", &["min", "max"]),
            Dist::Exponential { .. } => ("Exponential", &["mean"]),
            Dist::LogNormal { .. } => ("LogNormal", &["median", "sigma"]),
            Dist::Triangular { .. } => ("Triangular", &["min", "mode", "max"]),
        }
    }

    fn parameter_mut(&mut self, name: &str) -> Option<&mut f64> {
        match (self, name) {
            (Dist::Fixed(value), "value") => Some(value),
            (Dist::Uniform { min, .. } | Dist::Triangular { min, .. }, "min") => Some(min),
            (Dist::Uniform { max, .. } | Dist::Triangular { max, .. }, "max") => Some(max),
            (Dist::Triangular { mode, .. }, "mode") => Some(mode),
            (Dist::Exponential { mean }, "mean") => Some(mean),
            (Dist::LogNormal { median, .. }, "median") => Some(median),
            (Dist::LogNormal { sigma, .. }, "sigma") => Some(sigma),
            _ => None,
        }
    }
}

impl Variants for VettingCriteria {
    fn variant(&self) -> (&'static str, &'static [&'static str]) {
        match self {
            VettingCriteria::Thresholds { .. } => ("Thresholds", &CRITERIA_PARAMETERS[..4]),
            VettingCriteria::RiskScore { .. } => ("RiskScore", &CRITERIA_PARAMETERS[4..]),
        }
    }

    fn parameter_mut(&mut self, name: &str) -> Option<&mut f64> {
        match self {
            VettingCriteria::Thresholds {
                min_on_time_rate,
                max_dispute_rate,
                max_refund_rate,
                min_response_rate,
            } => match name {
                "min_on_time_rate" => Some(min_on_time_rate),
                "max_dispute_rate" => Some(max_dispute_rate),
                "max_refund_rate" => Some(max_refund_rate),
                "min_response_rate" => Some(min_response_rate),
                _ => None,
            },
            VettingCriteria::RiskScore {
                late,
                dispute,
                refund,
                silence,
                max_score,
            } => match name {
                "late" => Some(late),
                "dispute" => Some(dispute),
                "refund" => Some(refund),
                "silence" => Some(silence),
                "max_score" => Some(max_score),
                _ => None,
            },
        }
    }
}

/// The bounds of the vetting criteria's parameters, as
/// `VettingCriteria`'s own check holds them: rates in [0, 1], weights and
/// the score in [0, 100].
fn criteria_bounds(criteria: &VettingCriteria) -> FactorBounds {
    match criteria {
        VettingCriteria::Thresholds { .. } => FactorBounds::PROBABILITY,
        VettingCriteria::RiskScore { .. } => FactorBounds::closed(0.0, 100.0),
    }
}

/// The bounds of a distribution's parameter, as validation holds them: a
/// mean or a median greater than 0, a log-scale sigma up to its limit,
/// every other value within the field's range.
fn dist_parameter_bounds(parameter: &str, max: f64, positive: bool) -> FactorBounds {
    match parameter {
        "mean" | "median" => FactorBounds::above(0.0, max),
        "sigma" => FactorBounds::closed(0.0, LOGNORMAL_SIGMA_MAX),
        "value" if positive => FactorBounds::above(0.0, max),
        _ => FactorBounds::closed(0.0, max),
    }
}

/// A distribution written as in a scenario.
fn dist_text(dist: &Dist) -> String {
    match *dist {
        Dist::Fixed(value) => format!("Fixed({value})"),
        Dist::Uniform { min, max } => format!("Uniform(min: {min}, max: {max})"),
        Dist::Exponential { mean } => format!("Exponential(mean: {mean})"),
        Dist::LogNormal { median, sigma } => format!("LogNormal(median: {median}, sigma: {sigma})"),
        Dist::Triangular { min, mode, max } => {
            format!("Triangular(min: {min}, mode: {mode}, max: {max})")
        }
    }
}

/// A value of type `T` written as in a scenario.
fn ron_value<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    ron::Options::default()
        .with_recursion_limit(32)
        .from_str::<T>(text)
        .map_err(|error| error.code.to_string())
}

/// Which segments a path names.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Selector {
    Index(usize),
    All,
    Name(String),
}

impl fmt::Display for Selector {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Index(index) => write!(formatter, "[{index}]"),
            Selector::All => formatter.write_str("[*]"),
            Selector::Name(name) => write!(formatter, "[{name}]"),
        }
    }
}

impl Selector {
    /// Which of the segments (named `names`, of the list `list`, each a
    /// `what`) the selector picks, one flag per segment; an error when it
    /// picks none.
    fn pick(&self, names: &[&str], list: &str, what: &str) -> Result<Vec<bool>, FactorError> {
        let count = names.len();
        if count == 0 {
            return Err(error(format!("{list}{self}: the scenario has no {what}s")));
        }
        match self {
            Selector::All => Ok(vec![true; count]),
            Selector::Index(index) if *index < count => {
                Ok((0..count).map(|other| other == *index).collect())
            }
            Selector::Index(index) => {
                let segments = if count == 1 {
                    format!("1 {what}, {list}[0]")
                } else {
                    format!("{count} {what}s, {list}[0] to {list}[{}]", count - 1)
                };
                Err(error(format!(
                    "{list}[{index}]: there is no segment {index}: the scenario has {segments}"
                )))
            }
            Selector::Name(name) => {
                let picked: Vec<bool> = names.iter().map(|other| other == name).collect();
                if picked.contains(&true) {
                    return Ok(picked);
                }
                let hint = match nearest_name(name, names) {
                    Some(nearest) => format!("; did you mean {nearest:?}?"),
                    None if count <= 10 => format!("; the names are {names:?}"),
                    None => String::new(),
                };
                Err(error(format!(
                    "{list}[{name}]: no {what} is named {name:?}{hint}"
                )))
            }
        }
    }
}

/// A field of a part, and the parameter or share below it.
#[derive(Clone, Debug, PartialEq)]
struct Leaf<P: 'static> {
    field: &'static Field<P>,
    /// A distribution's parameter or a mix's share.
    below: Option<&'static str>,
}

impl<P> Leaf<P> {
    /// The leaf's place in one part, named `prefix` + its name in messages.
    fn slot<'a>(&self, prefix: String, part: &'a mut P) -> Slot<'a> {
        Slot {
            at: format!("{prefix}{}", self.field.name),
            place: (self.field.place)(part),
            kind: self.field.kind,
            below: self.below,
        }
    }

    /// Whether two leaves of one part set the same value: one field, and
    /// the same parameter, or the whole of it, or shares of one mix.
    fn meets(&self, other: &Leaf<P>) -> bool {
        self.field == other.field
            && (self.below == other.below
                || self.below.is_none()
                || other.below.is_none()
                || matches!(self.field.kind, Kind::Shares(_)))
    }
}

/// What a path names.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    Scenario(Leaf<Scenario>),
    Suppliers(Selector, Leaf<SupplierSegment>),
    Buyers(Selector, Leaf<BuyerSegment>),
    Behaviour(SupplierType, Leaf<SupplierBehaviour>),
    Rule(&'static RuleDoc),
    /// A parameter of the vetting criteria's variant.
    Criterion(&'static str),
}

/// A value to set: a number (rounded as the field says), or text written
/// as in a scenario.
#[derive(Clone, Copy)]
enum Value<'t> {
    Number(f64),
    Text(&'t str),
}

/// A path to a factor: a number, distribution parameter, share or rule of
/// a scenario. See the module documentation for the grammar.
#[derive(Clone, Debug, PartialEq)]
pub struct FactorPath {
    text: String,
    target: Target,
}

impl fmt::Display for FactorPath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

impl FactorPath {
    /// Reads a path. Whether it names something in a given scenario (a
    /// segment, a distribution's parameter) is [`FactorPath::check`]'s.
    pub fn parse(text: &str) -> Result<FactorPath, FactorError> {
        let not_a_path = |reason: String| error(format!("{text:?} is not a factor path: {reason}"));
        if text.chars().count() > FACTOR_PATH_LEN_MAX {
            return Err(not_a_path(format!(
                "longer than {FACTOR_PATH_LEN_MAX} characters"
            )));
        }
        let head_end = text.find(['.', '[']).unwrap_or(text.len());
        let (head, rest) = text.split_at(head_end);
        if rest.is_empty() && RULES.iter().any(|rule| rule.name == head) {
            return Err(error(format!(
                "{text:?} is not a rule path: a rule's path is `rules.` and its name, \"rules.{head}\""
            )));
        }
        let target = match head {
            "rules" => rule_target(rest),
            "suppliers" => segment_leaf(rest, head, SUPPLIER_FIELDS, "supplier segment field")
                .map(|(selector, leaf)| Target::Suppliers(selector, leaf)),
            "buyers" => segment_leaf(rest, head, BUYER_FIELDS, "buyer segment field")
                .map(|(selector, leaf)| Target::Buyers(selector, leaf)),
            "supplier_types" => behaviour_target(rest),
            _ => {
                if text == "seed" {
                    return Err(not_a_path(
                        "the seed is not a factor: replications vary it".to_string(),
                    ));
                }
                leaf(SCENARIO_FIELDS, text, "field")
                    .map(Target::Scenario)
                    .map_err(|_| {
                        let mut known: Vec<&str> =
                            SCENARIO_FIELDS.iter().map(|field| field.name).collect();
                        known.extend(["rules", "suppliers", "buyers", "supplier_types"]);
                        // A known head followed by something else: name it all.
                        let found = if known.contains(&head) { text } else { head };
                        unknown_name("field", found, &known)
                    })
            }
        }
        .map_err(not_a_path)?;
        Ok(FactorPath {
            text: text.to_string(),
            target,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The rule a path `rules.RULE` names; `None` for any other path
    /// (including a parameter of a rule).
    pub fn rule(&self) -> Option<&'static str> {
        match self.target {
            Target::Rule(rule) => Some(rule.name),
            _ => None,
        }
    }

    /// Whether the path names something in `scenario`: its segments exist,
    /// the optional part it reaches is given, its distribution or criteria
    /// have the parameter it names.
    pub fn check(&self, scenario: &Scenario) -> Result<(), FactorError> {
        match &self.target {
            Target::Rule(_) => Ok(()),
            Target::Criterion(parameter) => criterion(&scenario.rules.vetting_criteria, parameter),
            _ => {
                let mut copy = scenario.clone();
                for slot in self.slots(&mut copy)? {
                    slot.resolve()?;
                }
                Ok(())
            }
        }
    }

    /// The numbers the factor accepts in `scenario`, for checking a study's
    /// ranges before any run. An error when the path names nothing there
    /// ([`FactorPath::check`]) or its values are not numbers (a rule such
    /// as `deposit_release`, a whole distribution).
    pub fn bounds(&self, scenario: &Scenario) -> Result<FactorBounds, FactorError> {
        match &self.target {
            Target::Rule(rule) => rule_bounds(rule),
            Target::Criterion(parameter) => {
                let criteria = &scenario.rules.vetting_criteria;
                criterion(criteria, parameter)?;
                Ok(criteria_bounds(criteria))
            }
            _ => {
                let mut copy = scenario.clone();
                let slots = self.slots(&mut copy)?;
                let mut bounds = None;
                for slot in &slots {
                    bounds.get_or_insert(slot.bounds()?);
                }
                Ok(bounds.expect("a path picks at least one segment"))
            }
        }
    }

    /// Sets the factor to the number `x`, rounded as the field says (see
    /// the module documentation), and returns the value applied as a
    /// scenario writes it. On error `scenario` is unchanged.
    pub fn apply_number(&self, scenario: &mut Scenario, x: f64) -> Result<String, FactorError> {
        self.apply(scenario, Value::Number(x))
    }

    /// Sets the factor to a value written as in a scenario (`14`, `0.05`,
    /// `AtContract`, `[TT, Card]`) and returns the value applied, as a
    /// scenario writes it. On error `scenario` is unchanged.
    pub fn apply_text(&self, scenario: &mut Scenario, text: &str) -> Result<String, FactorError> {
        self.apply(scenario, Value::Text(text))
    }

    fn apply(&self, scenario: &mut Scenario, value: Value) -> Result<String, FactorError> {
        let mut work = scenario.clone();
        let applied = match &self.target {
            Target::Rule(rule) => apply_rule(&mut work, rule, value, &self.text)?,
            Target::Criterion(parameter) => {
                let criteria = &mut work.rules.vetting_criteria;
                criterion(criteria, parameter)?;
                let bounds = criteria_bounds(criteria);
                let admitted = admit(bounds, number(value, &self.text)?, &self.text)?;
                *criteria.parameter_mut(parameter).expect("checked") = admitted.real();
                admitted.text()
            }
            _ => {
                let mut applied = None;
                for mut slot in self.slots(&mut work)? {
                    let text = slot.set(value, &self.text)?;
                    applied.get_or_insert(text);
                }
                applied.expect("a path picks at least one segment")
            }
        };
        *scenario = work;
        Ok(applied)
    }

    /// Whether applying both paths, one after the other, could change what
    /// the first set: the same field (or parameter) of a segment both
    /// pick, a distribution and one of its parameters, two shares of one
    /// mix, or a rule and its parameter. Segments are matched in
    /// `scenario`, where names and `*` are resolved.
    pub fn overlaps(&self, other: &FactorPath, scenario: &Scenario) -> bool {
        let meet = |first: &Selector, second: &Selector, names: &[&str]| match (
            first.pick(names, "", ""),
            second.pick(names, "", ""),
        ) {
            (Ok(first), Ok(second)) => first.iter().zip(&second).any(|(a, b)| *a && *b),
            _ => false,
        };
        match (&self.target, &other.target) {
            (Target::Rule(first), Target::Rule(second)) => first.name == second.name,
            (Target::Rule(rule), Target::Criterion(_))
            | (Target::Criterion(_), Target::Rule(rule)) => rule.name == CRITERIA_RULE,
            (Target::Criterion(first), Target::Criterion(second)) => first == second,
            (Target::Scenario(first), Target::Scenario(second)) => first.meets(second),
            (
                Target::Suppliers(first_selector, first),
                Target::Suppliers(second_selector, second),
            ) => {
                first.meets(second)
                    && meet(first_selector, second_selector, &names(&scenario.suppliers))
            }
            (Target::Buyers(first_selector, first), Target::Buyers(second_selector, second)) => {
                first.meets(second)
                    && meet(first_selector, second_selector, &names(&scenario.buyers))
            }
            (Target::Behaviour(first_type, first), Target::Behaviour(second_type, second)) => {
                first_type == second_type && first.meets(second)
            }
            _ => false,
        }
    }

    /// The places the path reaches in `scenario`, one per segment it picks.
    fn slots<'a>(&self, scenario: &'a mut Scenario) -> Result<Vec<Slot<'a>>, FactorError> {
        Ok(match &self.target {
            Target::Scenario(leaf) => vec![leaf.slot(String::new(), scenario)],
            Target::Suppliers(selector, leaf) => segment_slots(
                &mut scenario.suppliers,
                selector,
                leaf,
                "suppliers",
                "supplier segment",
            )?,
            Target::Buyers(selector, leaf) => segment_slots(
                &mut scenario.buyers,
                selector,
                leaf,
                "buyers",
                "buyer segment",
            )?,
            Target::Behaviour(supplier_type, leaf) => vec![leaf.slot(
                format!("supplier_types.{}.", supplier_type.key()),
                scenario.supplier_types.behaviour_mut(*supplier_type),
            )],
            Target::Rule(_) | Target::Criterion(_) => {
                unreachable!("rules are set through their patches")
            }
        })
    }
}

/// A segment, known by its name.
trait Segment {
    fn name(&self) -> &str;
}

impl Segment for SupplierSegment {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Segment for BuyerSegment {
    fn name(&self) -> &str {
        &self.name
    }
}

fn names<S: Segment>(segments: &[S]) -> Vec<&str> {
    segments.iter().map(Segment::name).collect()
}

/// The places of `leaf` in the segments (of the list `list`, each a
/// `what`) that `selector` picks.
fn segment_slots<'a, S: Segment>(
    segments: &'a mut [S],
    selector: &Selector,
    leaf: &Leaf<S>,
    list: &str,
    what: &str,
) -> Result<Vec<Slot<'a>>, FactorError> {
    let picked = selector.pick(&names(segments), list, what)?;
    Ok(segments
        .iter_mut()
        .enumerate()
        .filter(|(index, _)| picked[*index])
        .map(|(index, segment)| leaf.slot(format!("{list}[{index}]."), segment))
        .collect())
}

/// `rules.RULE` or `rules.vetting_criteria.PARAMETER`, from the text after
/// `rules`.
fn rule_target(rest: &str) -> Result<Target, String> {
    let Some(name) = rest.strip_prefix('.').filter(|name| !name.is_empty()) else {
        return Err(
            "name a rule: `rules.` and a rule's name, e.g. `rules.claim_window_days`".to_string(),
        );
    };
    let (rule_name, parameter) = match name.split_once('.') {
        Some((rule_name, parameter)) => (rule_name, Some(parameter)),
        None => (name, None),
    };
    let names: Vec<&str> = RULES.iter().map(|rule| rule.name).collect();
    let Some(rule) = RULES.iter().find(|rule| rule.name == rule_name) else {
        return Err(unknown_name("rule", rule_name, &names));
    };
    match parameter {
        None => Ok(Target::Rule(rule)),
        Some(parameter) if rule.name == CRITERIA_RULE => CRITERIA_PARAMETERS
            .iter()
            .find(|known| **known == parameter)
            .map(|known| Target::Criterion(known))
            .ok_or_else(|| {
                unknown_name(
                    "parameter of the vetting criteria",
                    parameter,
                    CRITERIA_PARAMETERS,
                )
            }),
        Some(_) => Err(format!(
            "rules.{} has no parameters: its value is set whole",
            rule.name
        )),
    }
}

/// `[S].FIELD` after `suppliers` or `buyers`.
fn segment_leaf<P>(
    rest: &str,
    list: &str,
    fields: &'static [Field<P>],
    what: &str,
) -> Result<(Selector, Leaf<P>), String> {
    let shape = || {
        format!(
            "name the segments and a field: `{list}[0].FIELD`, `{list}[*].FIELD` \
             (every segment) or `{list}[NAME].FIELD`"
        )
    };
    let inner_and_rest = rest
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .filter(|(inner, _)| !inner.is_empty());
    let Some((inner, rest)) = inner_and_rest else {
        return Err(shape());
    };
    let selector = if inner == "*" {
        Selector::All
    } else if inner.bytes().all(|byte| byte.is_ascii_digit()) {
        Selector::Index(
            inner
                .parse()
                .map_err(|_| format!("{inner} is not a segment's index"))?,
        )
    } else {
        Selector::Name(inner.to_string())
    };
    let name = rest.strip_prefix('.').ok_or_else(shape)?;
    Ok((selector, leaf(fields, name, what)?))
}

/// `.TYPE.FIELD` after `supplier_types`.
fn behaviour_target(rest: &str) -> Result<Target, String> {
    let shape = || {
        "name a type and a field: `supplier_types.TYPE.FIELD`, \
         TYPE one of reliable, average, poor, fraudulent"
            .to_string()
    };
    let (type_name, name) = rest
        .strip_prefix('.')
        .and_then(|rest| rest.split_once('.'))
        .ok_or_else(shape)?;
    let Some(supplier_type) = SupplierType::ALL
        .into_iter()
        .find(|supplier_type| supplier_type.key() == type_name)
    else {
        return Err(unknown_name("supplier type", type_name, TYPE_NAMES));
    };
    let leaf = leaf(BEHAVIOUR_FIELDS, name, "supplier behaviour field")?;
    Ok(Target::Behaviour(supplier_type, leaf))
}

/// The field of `fields` that `name` names, with the parameter or share
/// below it; or the nearest name, for the message.
fn leaf<P>(fields: &'static [Field<P>], name: &str, what: &str) -> Result<Leaf<P>, String> {
    if let Some(field) = fields.iter().find(|field| field.name == name) {
        if let Kind::Shares(mix) = field.kind {
            let shares: Vec<String> = mix
                .names()
                .iter()
                .map(|share| format!("`{name}.{share}`"))
                .collect();
            return Err(format!(
                "`{name}` is a mix: name one of its shares, {}",
                shares.join(", ")
            ));
        }
        return Ok(Leaf { field, below: None });
    }
    for field in fields {
        let Some(below) = name
            .strip_prefix(field.name)
            .and_then(|rest| rest.strip_prefix('.'))
        else {
            continue;
        };
        let (known, kind) = match field.kind {
            Kind::Dist { .. } => (DIST_PARAMETERS, "parameter of a distribution"),
            Kind::Shares(mix) => (mix.names(), "share"),
            Kind::Number(_) => break,
        };
        return match known.iter().find(|known| **known == below) {
            Some(below) => Ok(Leaf {
                field,
                below: Some(below),
            }),
            None => Err(unknown_name(kind, below, known)),
        };
    }
    let names = leaf_names(fields);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Err(unknown_name(what, name, &names))
}

/// Every path below a part: each field, and each parameter or share below
/// a distribution or a mix.
fn leaf_names<P>(fields: &[Field<P>]) -> Vec<String> {
    let mut names = Vec::new();
    for field in fields {
        match field.kind {
            Kind::Number(_) => names.push(field.name.to_string()),
            Kind::Dist { .. } => {
                names.push(field.name.to_string());
                names.extend(
                    DIST_PARAMETERS
                        .iter()
                        .map(|parameter| format!("{}.{parameter}", field.name)),
                );
            }
            Kind::Shares(mix) => {
                names.extend(
                    mix.names()
                        .iter()
                        .map(|share| format!("{}.{share}", field.name)),
                );
            }
        }
    }
    names
}

/// A leaf's place in one part of a scenario being changed.
struct Slot<'a> {
    /// The field's path in this part, e.g. `buyers[1].order_value`.
    at: String,
    place: Place<'a>,
    kind: Kind,
    below: Option<&'static str>,
}

impl Slot<'_> {
    /// Whether the place exists: its optional part is given, its
    /// distribution's variant has the parameter.
    fn resolve(&self) -> Result<(), FactorError> {
        match (&self.place, self.below) {
            (Place::Absent(part), _) => Err(error(format!(
                "{}: the scenario gives no {part} there (it is None), so there is nothing to vary",
                self.at
            ))),
            (Place::Dist(dist), Some(parameter)) => has_parameter(&**dist, parameter, &self.at),
            _ => Ok(()),
        }
    }

    fn bounds(&self) -> Result<FactorBounds, FactorError> {
        self.resolve()?;
        match (self.kind, self.below, &self.place) {
            (Kind::Number(bounds), _, _) => Ok(bounds),
            (Kind::Shares(_), _, _) => Ok(FactorBounds::PROBABILITY),
            (Kind::Dist { max, positive }, Some(parameter), _) => {
                Ok(dist_parameter_bounds(parameter, max, positive))
            }
            (Kind::Dist { .. }, None, Place::Dist(dist)) => {
                let (variant, parameters) = dist.variant();
                Err(error(format!(
                    "{} is a distribution ({variant}): a number sets one of its parameters, {}",
                    self.at,
                    parameters
                        .iter()
                        .map(|parameter| format!("{}.{parameter}", self.at))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            (Kind::Dist { .. }, None, _) => {
                unreachable!("a distribution's place is a distribution")
            }
        }
    }

    /// Sets the value; returns it as a scenario writes it. `path` (the
    /// path as written) names the factor in a value's problems.
    fn set(&mut self, value: Value, path: &str) -> Result<String, FactorError> {
        self.resolve()?;
        let whole_dist = matches!(self.kind, Kind::Dist { .. }) && self.below.is_none();
        if whole_dist {
            if let Value::Text(text) = value {
                return self.set_dist(text, path);
            }
        }
        let bounds = self.bounds()?;
        let admitted = match (&self.place, value) {
            // A whole number written as text is read as one, so that `14.5`
            // is refused rather than rounded.
            (Place::Whole(_), Value::Text(text)) => {
                let whole: u32 = ron_value(text.trim()).map_err(|reason| {
                    error(format!("{path}: {text:?} is not a whole number: {reason}"))
                })?;
                admit(bounds, f64::from(whole), path)?
            }
            _ => admit(bounds, number(value, path)?, path)?,
        };
        match &mut self.place {
            Place::Real(field) => **field = admitted.real(),
            Place::Whole(field) => match admitted {
                Admitted::Whole(whole) => **field = whole,
                _ => unreachable!("a whole field's bounds admit whole numbers"),
            },
            Place::Dist(dist) => {
                let parameter = self.below.expect("a number sets a parameter");
                *dist.parameter_mut(parameter).expect("resolved") = admitted.real();
            }
            Place::TypeMix(mix) => {
                let share = self.below.expect("a path names a share");
                let mut shares = SupplierType::ALL.map(|supplier_type| mix.share(supplier_type));
                let index = TYPE_NAMES
                    .iter()
                    .position(|name| *name == share)
                    .expect("a type");
                set_share(&mut shares, index, admitted.real())
                    .map_err(|reason| error(format!("{}: {reason}", self.at)))?;
                let [reliable, average, poor, fraudulent] = shares;
                **mix = TypeMix {
                    reliable,
                    average,
                    poor,
                    fraudulent,
                };
            }
            Place::PaymentMix(mix) => {
                let share = self.below.expect("a path names a share");
                let method = PaymentMethod::ALL
                    .into_iter()
                    .find(|method| method.key() == share)
                    .expect("a payment method");
                let index = match mix.iter().position(|(listed, _)| *listed == method) {
                    Some(index) => index,
                    None => {
                        mix.push((method, 0.0));
                        mix.len() - 1
                    }
                };
                let mut shares: Vec<f64> = mix.iter().map(|(_, share)| *share).collect();
                set_share(&mut shares, index, admitted.real())
                    .map_err(|reason| error(format!("{}: {reason}", self.at)))?;
                for ((_, share), new) in mix.iter_mut().zip(shares) {
                    *share = new;
                }
            }
            Place::Absent(_) => unreachable!("resolved"),
        }
        Ok(admitted.text())
    }

    /// A whole distribution written as in a scenario, each parameter
    /// within its bounds.
    fn set_dist(&mut self, text: &str, path: &str) -> Result<String, FactorError> {
        let (Place::Dist(place), Kind::Dist { max, positive }) = (&mut self.place, self.kind)
        else {
            unreachable!("a distribution's place is a distribution");
        };
        let mut dist: Dist = ron_value(text.trim())
            .map_err(|reason| error(format!("{path}: {text:?} is not a distribution: {reason}")))?;
        let (_, parameters) = dist.variant();
        for parameter in parameters {
            let bounds = dist_parameter_bounds(parameter, max, positive);
            let value = *dist.parameter_mut(parameter).expect("the variant's own");
            bounds
                .admit(value)
                .map_err(|reason| error(format!("{path}: {parameter} {reason}")))?;
        }
        **place = dist;
        Ok(dist_text(&dist))
    }
}

/// Whether the variant of `value` (at `at`) has `parameter`.
fn has_parameter(value: &impl Variants, parameter: &str, at: &str) -> Result<(), FactorError> {
    let (variant, parameters) = value.variant();
    if parameters.contains(&parameter) {
        Ok(())
    } else {
        Err(error(format!(
            "{at} is {variant}, whose parameters are {}: it has no `{parameter}`",
            parameters.join(", ")
        )))
    }
}

/// The vetting criteria, checked to have `parameter`.
fn criterion(criteria: &VettingCriteria, parameter: &str) -> Result<(), FactorError> {
    has_parameter(criteria, parameter, &format!("rules.{CRITERIA_RULE}"))
}

/// The number a value gives: itself, or its text read as a number.
fn number(value: Value, path: &str) -> Result<f64, FactorError> {
    match value {
        Value::Number(x) => Ok(x),
        Value::Text(text) => ron_value(text.trim())
            .map_err(|reason| error(format!("{path}: {text:?} is not a number: {reason}"))),
    }
}

fn admit(bounds: FactorBounds, x: f64, path: &str) -> Result<Admitted, FactorError> {
    bounds
        .admit(x)
        .map_err(|reason| error(format!("{path}: {reason}")))
}

/// Sets share `index` to `value` (in [0, 1]): the others rescale
/// proportionally so that the total stays 1, or share the rest equally
/// when they are all 0.
fn set_share(shares: &mut [f64], index: usize, value: f64) -> Result<(), String> {
    let others = shares.len() - 1;
    if others == 0 && value != 1.0 {
        return Err(format!(
            "{value} for the only share: a mix of one share holds all of it (1)"
        ));
    }
    let rest: f64 = shares
        .iter()
        .enumerate()
        .filter(|(other, _)| *other != index)
        .map(|(_, share)| share)
        .sum();
    if rest > 0.0 {
        let scale = (1.0 - value) / rest;
        for (other, share) in shares.iter_mut().enumerate() {
            if other != index {
                *share *= scale;
            }
        }
    } else if others > 0 {
        let each = (1.0 - value) / others as f64;
        for (other, share) in shares.iter_mut().enumerate() {
            if other != index {
                *share = each;
            }
        }
    }
    shares[index] = value;
    Ok(())
}

/// The numbers a rule accepts, from its declared bound.
fn rule_bounds(rule: &RuleDoc) -> Result<FactorBounds, FactorError> {
    match rule.bound {
        Bound::Days { min } => Ok(FactorBounds::whole(min, DURATION_DAYS_MAX as u32)),
        Bound::Whole { min, max } => Ok(FactorBounds::whole(min, max)),
        Bound::Probability => Ok(FactorBounds::PROBABILITY),
        Bound::Money => Ok(FactorBounds::cents(MONEY_RULE_MAX as f64)),
        Bound::ListOf { .. } | Bound::Any | Bound::Own => Err(error(format!(
            "rules.{} takes values written as in a scenario (e.g. {}), not numbers",
            rule.name,
            rule.default.trim_matches('`')
        ))),
    }
}

/// Sets a rule through its patch, as a timeline entry would, and checks
/// it against its declared bound.
fn apply_rule(
    scenario: &mut Scenario,
    rule: &RuleDoc,
    value: Value,
    path: &str,
) -> Result<String, FactorError> {
    let text = match value {
        Value::Number(x) => admit(rule_bounds(rule)?, x, path)?.text(),
        Value::Text(text) => text.trim().to_string(),
    };
    let patch = RulesPatch::of_rule(rule.name, &text).map_err(error)?;
    scenario.rules.apply(&patch);
    let own = |below: &str| {
        below == rule.name
            || below
                .strip_prefix(rule.name)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    if let Some((below, message)) = scenario
        .rules
        .problems()
        .into_iter()
        .find(|(below, _)| own(below))
    {
        return Err(error(format!("rules.{below}: {message}")));
    }
    // A number written as text is given back as a number would be.
    let canonical = match rule.bound {
        Bound::Days { .. } | Bound::Whole { .. } => {
            ron_value::<u32>(&text).ok().map(|value| value.to_string())
        }
        Bound::Probability => ron_value::<f64>(&text)
            .ok()
            .map(|value| (value + 0.0).to_string()),
        Bound::Money => ron_value::<Amount>(&text)
            .or_else(|_| ron_value::<Amount>(&format!("{text:?}")))
            .ok()
            .map(|amount| {
                let mut cents = amount.0;
                cents.rescale(2);
                format!("\"{cents}\"")
            }),
        _ => None,
    };
    Ok(canonical.unwrap_or(text))
}

/// The problems of a scenario made by applying a point's factor values
/// (`values`: path and value as written, in order), each a message naming
/// the point and its values: `point 17 (buyers[*].claim_after_breach_probability
/// = 0.95, rules.claim_window_days = 3) makes rules.claim_window_days: ...`.
/// Empty when the scenario is valid.
pub fn point_problems(
    point: usize,
    values: &[(String, String)],
    scenario: &Scenario,
) -> Vec<String> {
    let problems = validate(scenario);
    if problems.is_empty() {
        return Vec::new();
    }
    let values = values
        .iter()
        .map(|(path, value)| format!("{path} = {value}"))
        .collect::<Vec<_>>()
        .join(", ");
    problems
        .into_iter()
        .map(|problem| {
            format!(
                "point {point} ({values}) makes {}: {}",
                problem.path, problem.message
            )
        })
        .collect()
}

/// Every factor path with what it accepts, in declaration order: the
/// README's "Factor paths" table. `S` stands for a segment (an index, `*`
/// or a name), `TYPE` for a latent type, `PARAMETER` for a parameter of the
/// distribution's variant, `METHOD` for a payment method.
pub fn factor_paths() -> Vec<(String, String)> {
    let mut paths = Vec::new();
    push_paths(&mut paths, "", SCENARIO_FIELDS);
    push_paths(&mut paths, "suppliers[S].", SUPPLIER_FIELDS);
    push_paths(&mut paths, "buyers[S].", BUYER_FIELDS);
    push_paths(&mut paths, "supplier_types.TYPE.", BEHAVIOUR_FIELDS);
    paths.push((
        "rules.RULE".to_string(),
        "as the rules table says; a number is rounded as the rule's type is \
         (days, basis points: whole; money: cents)"
            .to_string(),
    ));
    paths.push((
        format!("rules.{CRITERIA_RULE}.PARAMETER"),
        "`Thresholds` rates [0, 1], `RiskScore` weights and score [0, 100]".to_string(),
    ));
    paths
}

fn push_paths<P>(paths: &mut Vec<(String, String)>, prefix: &str, fields: &[Field<P>]) {
    for field in fields {
        let (below, accepts) = match field.kind {
            Kind::Number(bounds) => (String::new(), bounds.to_string()),
            Kind::Dist { max, positive } => {
                let above_zero = if positive {
                    "`value`, `mean`, `median`"
                } else {
                    "`mean`, `median`"
                };
                (
                    ".PARAMETER".to_string(),
                    format!(
                        "parameters in [0, {max}], {above_zero} above 0; `sigma` [0, {LOGNORMAL_SIGMA_MAX}]"
                    ),
                )
            }
            Kind::Shares(Mix::Types) => (
                ".TYPE".to_string(),
                "a share in [0, 1]; the other shares rescale".to_string(),
            ),
            Kind::Shares(Mix::Payments) => (
                ".METHOD".to_string(),
                "a share in [0, 1]; the other shares rescale".to_string(),
            ),
        };
        paths.push((format!("{prefix}{}{below}", field.name), accepts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse_scenario;

    fn quick() -> Scenario {
        parse_scenario(include_str!("../../../../scenarios/quick.ron"), "quick.ron").unwrap()
    }

    fn path(text: &str) -> FactorPath {
        FactorPath::parse(text).unwrap_or_else(|problem| panic!("{problem}"))
    }

    /// Applies `x` to `text` in a copy of `scenario`: the copy and the value applied.
    fn set(scenario: &Scenario, text: &str, x: f64) -> (Scenario, String) {
        let mut changed = scenario.clone();
        let applied = path(text)
            .apply_number(&mut changed, x)
            .unwrap_or_else(|problem| panic!("{problem}"));
        (changed, applied)
    }

    fn refusal(scenario: &Scenario, text: &str, x: f64) -> String {
        let mut changed = scenario.clone();
        let problem = match FactorPath::parse(text) {
            Ok(factor) => factor.apply_number(&mut changed, x).unwrap_err(),
            Err(problem) => problem,
        };
        assert_eq!(&changed, scenario, "a refused value changes nothing");
        problem.message
    }

    #[test]
    fn a_segment_field_is_set_in_the_segments_its_path_picks() {
        let base = quick();
        let (one, applied) = set(&base, "suppliers[1].volunteer_probability", 0.4);
        assert_eq!(applied, "0.4");
        assert_eq!(one.suppliers[1].volunteer_probability, 0.4);
        assert_eq!(one.suppliers[0], base.suppliers[0]);
        let (all, _) = set(&base, "suppliers[*].promised_lead_days", 20.0);
        assert!(
            all.suppliers
                .iter()
                .all(|segment| segment.promised_lead_days == 20)
        );
        let (named, _) = set(&base, "suppliers[in-exporters].count", 300.0);
        assert_eq!(named.suppliers[1].count, 300);
        assert_eq!(named.suppliers[0].count, base.suppliers[0].count);
        let (buyer, _) = set(&base, "buyers[global-importers].confirm_probability", 0.5);
        assert_eq!(buyer.buyers[0].confirm_probability, 0.5);
        let (weight, applied) = set(&base, "buyers[0].choice.price", -2.5);
        assert_eq!(
            (weight.buyers[0].choice.price, applied.as_str()),
            (-2.5, "-2.5")
        );
        let (rate, _) = set(&base, "buyers[0].inquiries_per_year", 3.25);
        assert_eq!(rate.buyers[0].inquiries_per_year, 3.25);
        let (prior, _) = set(&base, "suppliers[0].prior_history.orders_per_month", 2.5);
        assert_eq!(
            prior.suppliers[0].prior_history.unwrap().orders_per_month,
            2.5
        );
        let (horizon, applied) = set(&base, "horizon_days", 200.0);
        assert_eq!((horizon.horizon_days, applied.as_str()), (200, "200"));
    }

    #[test]
    fn a_supplier_types_field_is_set_in_that_type_only() {
        let base = quick();
        let (late, _) = set(&base, "supplier_types.poor.late_probability", 0.3);
        assert_eq!(late.supplier_types.poor.late_probability, 0.3);
        assert_eq!(late.supplier_types.average, base.supplier_types.average);
        let (fraud, applied) = set(&base, "supplier_types.fraudulent.fraud.clean_orders", 5.5);
        // 5.5 rounds half to even: 6.
        assert_eq!(applied, "6");
        let (vanish, _) = set(
            &fraud,
            "supplier_types.fraudulent.fraud.vanish_probability",
            0.25,
        );
        assert_eq!(
            vanish.supplier_types.fraudulent.fraud,
            Some(Fraud::BustOut {
                clean_orders: 6,
                vanish_probability: 0.25
            })
        );
        let absent = refusal(&base, "supplier_types.reliable.fraud.clean_orders", 3.0);
        assert_eq!(
            absent,
            "supplier_types.reliable.fraud.clean_orders: the scenario gives no fraud there (it is None), so there is nothing to vary"
        );
    }

    #[test]
    fn a_distribution_parameter_is_set_when_the_variant_has_it() {
        let base = quick();
        let (median, _) = set(&base, "buyers[0].order_value.median", 1500.0);
        assert_eq!(
            median.buyers[0].order_value,
            Dist::LogNormal {
                median: 1500.0,
                sigma: 1.0
            }
        );
        let (mean, _) = set(&base, "supplier_types.poor.late_days.mean", 20.0);
        assert_eq!(
            mean.supplier_types.poor.late_days,
            Dist::Exponential { mean: 20.0 }
        );
        let (mode, _) = set(&base, "buyers[0].transit_days.mode", 28.0);
        assert_eq!(
            mode.buyers[0].transit_days,
            Dist::Triangular {
                min: 14.0,
                mode: 28.0,
                max: 35.0
            }
        );
        let (prior, _) = set(&base, "suppliers[1].prior_history.order_value.sigma", 0.5);
        assert_eq!(
            prior.suppliers[1].prior_history.unwrap().order_value,
            Dist::LogNormal {
                median: 3000.0,
                sigma: 0.5
            }
        );
        assert_eq!(
            refusal(&base, "buyers[0].order_value.mean", 10.0),
            "buyers[0].order_value is LogNormal, whose parameters are median, sigma: it has no `mean`"
        );
        assert_eq!(
            path("buyers[0].order_value.mean")
                .bounds(&base)
                .unwrap_err()
                .message,
            "buyers[0].order_value is LogNormal, whose parameters are median, sigma: it has no `mean`"
        );
        assert!(
            refusal(&base, "buyers[0].order_value", 10.0).starts_with(
                "buyers[0].order_value is a distribution (LogNormal): a number sets one of its parameters, buyers[0].order_value.median, buyers[0].order_value.sigma"
            )
        );
        // A whole distribution is written as in a scenario.
        let mut uniform = base.clone();
        let applied = path("buyers[0].order_value")
            .apply_text(&mut uniform, "Uniform(min: 100.0, max: 5000.5)")
            .unwrap();
        assert_eq!(applied, "Uniform(min: 100, max: 5000.5)");
        assert_eq!(
            uniform.buyers[0].order_value,
            Dist::Uniform {
                min: 100.0,
                max: 5000.5
            }
        );
        let mut negative = base.clone();
        let problem = path("buyers[0].order_value")
            .apply_text(&mut negative, "Exponential(mean: -1.0)")
            .unwrap_err();
        assert_eq!(
            problem.message,
            "buyers[0].order_value: mean -1 is out of range (0, 1000000000]"
        );
    }

    #[test]
    fn a_rule_is_set_through_its_patch_rounded_as_its_type_is() {
        let base = quick();
        let (days, applied) = set(&base, "rules.claim_window_days", 30.6);
        assert_eq!((days.rules.claim_window_days, applied.as_str()), (31, "31"));
        let (accuracy, _) = set(&base, "rules.decision_accuracy", 0.75);
        assert_eq!(accuracy.rules.decision_accuracy, 0.75);
        let (bps, _) = set(&base, "rules.deposit_share_bps", 2500.0);
        assert_eq!(bps.rules.deposit_share_bps, 2500);
        // Money: the shortest text, half to even to cents. 1234.565 and
        // 1234.575 are written so (the binary values lie a little below
        // and above), and go to the even cent either way.
        let (floor, applied) = set(&base, "rules.coverage_limit_floor", 1234.565);
        assert_eq!(applied, "\"1234.56\"");
        assert_eq!(
            floor.rules.coverage_limit_floor,
            Amount::from_cents(123_456)
        );
        let (floor, applied) = set(&base, "rules.coverage_limit_floor", 1234.575);
        assert_eq!(applied, "\"1234.58\"");
        assert_eq!(
            floor.rules.coverage_limit_floor,
            Amount::from_cents(123_458)
        );
        let (floor, applied) = set(&base, "rules.coverage_limit_floor", 7.0);
        assert_eq!(applied, "\"7.00\"");
        assert_eq!(floor.rules.coverage_limit_floor, Amount::from_cents(700));
        let mut text = base.clone();
        let release = path("rules.deposit_release");
        assert_eq!(
            release.apply_text(&mut text, "AtContract").unwrap(),
            "AtContract"
        );
        assert_eq!(
            text.rules.deposit_release,
            crate::scenario::DepositRelease::AtContract
        );
        let methods = path("rules.covered_payment_methods");
        assert_eq!(
            methods.apply_text(&mut text, "[TT, Card]").unwrap(),
            "[TT, Card]"
        );
        assert_eq!(
            text.rules.covered_payment_methods,
            [PaymentMethod::TT, PaymentMethod::Card]
        );
        assert_eq!(
            refusal(&base, "rules.deposit_release", 1.0),
            "rules.deposit_release takes values written as in a scenario (e.g. AtAcceptance), not numbers"
        );
        let mut window = base.clone();
        let problem = path("rules.claim_window_days")
            .apply_text(&mut window, "0")
            .unwrap_err();
        assert_eq!(
            problem.message,
            "rules.claim_window_days: 0 is out of range 1..=3650"
        );
        let (criteria, _) = set(&base, "rules.vetting_criteria.min_on_time_rate", 0.85);
        assert_eq!(
            criteria.rules.vetting_criteria,
            VettingCriteria::Thresholds {
                min_on_time_rate: 0.85,
                max_dispute_rate: 0.1,
                max_refund_rate: 0.08,
                min_response_rate: 0.6
            }
        );
        assert_eq!(
            refusal(&base, "rules.vetting_criteria.late", 1.0),
            "rules.vetting_criteria is Thresholds, whose parameters are min_on_time_rate, max_dispute_rate, max_refund_rate, min_response_rate: it has no `late`"
        );
    }

    #[test]
    fn whole_numbers_round_half_to_even() {
        let base = quick();
        for (x, expected) in [
            (30.5, 30),
            (31.5, 32),
            (30.49, 30),
            (30.51, 31),
            (1.5, 2),
            (0.5, 0),
        ] {
            let (rules, applied) = set(&base, "rules.late_shipment_grace_days", x);
            assert_eq!(rules.rules.late_shipment_grace_days, expected, "{x}");
            assert_eq!(applied, expected.to_string());
            let (world, _) = set(&base, "suppliers[0].promised_lead_days", x.max(1.0));
            assert_eq!(
                world.suppliers[0].promised_lead_days,
                expected.max(1),
                "{x}"
            );
        }
        // 0.5 rounds to 0, below the least lead time of 1.
        assert_eq!(
            refusal(&base, "suppliers[0].promised_lead_days", 0.5),
            "suppliers[0].promised_lead_days: 0.5 is out of range 1..=3650"
        );
        // Text is read as a whole number, not rounded.
        let mut text = base.clone();
        let problem = path("suppliers[0].promised_lead_days")
            .apply_text(&mut text, "14.5")
            .unwrap_err();
        assert!(
            problem.message.contains("\"14.5\" is not a whole number"),
            "{problem}"
        );
    }

    #[test]
    fn one_share_takes_its_value_and_the_others_rescale_to_keep_the_total() {
        let base = quick();
        // (0.55, 0.30, 0.12, 0.03) with fraudulent := 0.13: each other share
        // times (1 - 0.13) / (0.55 + 0.30 + 0.12).
        let (mixed, applied) = set(&base, "suppliers[0].type_mix.fraudulent", 0.13);
        assert_eq!(applied, "0.13");
        let mix = mixed.suppliers[0].type_mix;
        assert_eq!(mix.fraudulent, 0.13);
        for (share, before) in [(mix.reliable, 0.55), (mix.average, 0.30), (mix.poor, 0.12)] {
            assert!((share - before * 0.87 / 0.97).abs() < 1e-15, "{share}");
        }
        let total = mix.reliable + mix.average + mix.poor + mix.fraudulent;
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        assert_eq!(mixed.suppliers[1].type_mix, base.suppliers[1].type_mix);
        // Every segment rescales its own mix.
        let (all, _) = set(&base, "suppliers[*].type_mix.fraudulent", 0.1);
        let in_mix = all.suppliers[1].type_mix;
        assert!((in_mix.reliable - 0.50 * 0.9 / 0.96).abs() < 1e-15);
        // Others all 0: they share the rest equally.
        let mut pure = base.clone();
        pure.suppliers[0].type_mix = TypeMix {
            reliable: 1.0,
            average: 0.0,
            poor: 0.0,
            fraudulent: 0.0,
        };
        let (split, _) = set(&pure, "suppliers[0].type_mix.reliable", 0.4);
        let mix = split.suppliers[0].type_mix;
        let each = (1.0 - 0.4) / 3.0;
        assert_eq!(
            (mix.reliable, mix.average, mix.poor, mix.fraudulent),
            (0.4, each, each, each)
        );
        // A payment method: listed, or added.
        let (tt, _) = set(&base, "buyers[0].payment_mix.TT", 0.5);
        assert_eq!(
            tt.buyers[0].payment_mix,
            [(PaymentMethod::TT, 0.5), (PaymentMethod::Card, 0.5)]
        );
        let (echeck, _) = set(&base, "buyers[0].payment_mix.ECheck", 0.2);
        let expected = [
            (PaymentMethod::TT, 0.75 * 0.8),
            (PaymentMethod::Card, 0.25 * 0.8),
        ];
        for (index, (method, share)) in expected.into_iter().enumerate() {
            assert_eq!(echeck.buyers[0].payment_mix[index].0, method);
            assert!((echeck.buyers[0].payment_mix[index].1 - share).abs() < 1e-15);
        }
        assert_eq!(
            echeck.buyers[0].payment_mix[2],
            (PaymentMethod::ECheck, 0.2)
        );
        assert!(validate(&echeck).is_empty());
        for outside in [-0.1, 1.1, f64::NAN] {
            assert_eq!(
                refusal(&base, "suppliers[0].type_mix.poor", outside),
                format!("suppliers[0].type_mix.poor: {outside} is out of range [0, 1]")
            );
        }
        let mut only = base.clone();
        only.buyers[0].payment_mix = vec![(PaymentMethod::TT, 1.0)];
        assert!(refusal(&only, "buyers[0].payment_mix.TT", 0.5).contains("for the only share"));
    }

    #[test]
    fn a_value_out_of_bounds_names_the_range() {
        let base = quick();
        assert_eq!(
            refusal(&base, "buyers[*].claim_after_breach_probability", 1.5),
            "buyers[*].claim_after_breach_probability: 1.5 is out of range [0, 1]"
        );
        assert_eq!(
            refusal(&base, "buyers[0].inquiries_per_year", 0.0),
            "buyers[0].inquiries_per_year: 0 is out of range (0, 10000]"
        );
        assert_eq!(
            refusal(&base, "rules.coverage_limit_cap", -0.01),
            "rules.coverage_limit_cap: -0.01 is out of range [0, 1000000000000] (money, to the cent)"
        );
        assert_eq!(
            refusal(&base, "horizon_days", 1e300),
            format!("horizon_days: {} is out of range 1..=36525", 1e300)
        );
        let bounds = path("rules.claim_window_days").bounds(&base).unwrap();
        assert_eq!(bounds, FactorBounds::whole(1, 3650));
        // 3650.5 rounds half to even to 3650; 3650.51 to 3651.
        assert!(!bounds.contains(0.4) && bounds.contains(0.6));
        assert!(bounds.contains(3650.5) && !bounds.contains(3650.51));
        let median = path("buyers[*].order_value.median").bounds(&base).unwrap();
        assert_eq!(median, FactorBounds::above(0.0, 1e9));
        assert_eq!(median.to_string(), "(0, 1000000000]");
        assert!(path("rules.deposit_release").bounds(&base).is_err());
    }

    #[test]
    fn a_bad_path_says_what_was_meant() {
        let problem = |text: &str| FactorPath::parse(text).unwrap_err().message;
        assert_eq!(
            problem("buyers[0].claim_after_breach_probabilty"),
            "\"buyers[0].claim_after_breach_probabilty\" is not a factor path: unknown buyer segment field `claim_after_breach_probabilty`; did you mean `claim_after_breach_probability`?"
        );
        assert!(
            problem("rules.claim_windw_days")
                .ends_with("unknown rule `claim_windw_days`; did you mean `claim_window_days`?")
        );
        assert!(problem("supplier_types.pooor.late_probability").ends_with("did you mean `poor`?"));
        assert!(problem("buyers[0].order_value.meadian").ends_with("did you mean `median`?"));
        assert!(problem("suppliers[0].type_mix.fraudlent").ends_with("did you mean `fraudulent`?"));
        assert!(problem("horizon_dayz").ends_with("did you mean `horizon_days`?"));
        assert!(problem("buyer[0].count").ends_with("did you mean `buyers`?"));
        assert!(
            problem("horizon_days.max")
                .contains("unknown field `horizon_days.max`; did you mean `horizon_days`?")
        );
        assert!(
            problem("suppliers[0].prior_history.orders_per_mnth")
                .ends_with("did you mean `prior_history.orders_per_month`?")
        );
        assert!(
            problem("suppliers[0].type_mix")
                .contains("name one of its shares, `type_mix.reliable`")
        );
        assert!(problem("buyers.count").contains("`buyers[0].FIELD`"));
        assert!(problem("rules.claim_window_days.min").contains("has no parameters"));
        assert_eq!(
            problem("claim_window_days"),
            "\"claim_window_days\" is not a rule path: a rule's path is `rules.` and its name, \"rules.claim_window_days\""
        );
        assert!(problem("seed").contains("replications vary it"));
        assert!(problem(&"x".repeat(FACTOR_PATH_LEN_MAX + 1)).contains("longer than"));
        let base = quick();
        let check = |text: &str| path(text).check(&base).unwrap_err().message;
        assert_eq!(
            check("buyers[global-importrs].count"),
            "buyers[global-importrs]: no buyer segment is named \"global-importrs\"; did you mean \"global-importers\"?"
        );
        assert_eq!(
            check("buyers[3].count"),
            "buyers[3]: there is no segment 3: the scenario has 1 buyer segment, buyers[0]"
        );
        assert_eq!(
            check("suppliers[2].count"),
            "suppliers[2]: there is no segment 2: the scenario has 2 supplier segments, suppliers[0] to suppliers[1]"
        );
        assert!(path("suppliers[*].count").check(&base).is_ok());
    }

    #[test]
    fn a_value_refused_in_one_segment_changes_none() {
        let mut base = quick();
        base.suppliers[1].prior_history = None;
        assert_eq!(
            refusal(&base, "suppliers[*].prior_history.orders_per_month", 2.0),
            "suppliers[1].prior_history.orders_per_month: the scenario gives no prior_history there (it is None), so there is nothing to vary"
        );
    }

    #[test]
    fn the_value_applied_reads_back_as_the_same_value() {
        let base = quick();
        for (text, x) in [
            ("rules.claim_window_days", 44.5),
            ("rules.coverage_limit_cap", 123_456.789),
            ("rules.recovery_probability", 0.1),
            ("suppliers[0].type_mix.poor", 0.2),
            ("buyers[0].order_value.sigma", 1e-7),
            ("supplier_types.average.response_hours.mean", 1.0),
        ] {
            let factor = path(text);
            let (by_number, applied) = set(&base, text, x);
            let mut by_text = base.clone();
            assert_eq!(factor.apply_text(&mut by_text, &applied).unwrap(), applied);
            assert_eq!(by_text, by_number, "{text} = {applied}");
        }
    }

    #[test]
    fn paths_overlap_when_one_could_change_what_the_other_set() {
        let base = quick();
        let overlap = |first: &str, second: &str| path(first).overlaps(&path(second), &base);
        assert!(overlap(
            "suppliers[*].type_mix.fraudulent",
            "suppliers[0].type_mix.poor"
        ));
        assert!(overlap(
            "suppliers[*].count",
            "suppliers[in-exporters].count"
        ));
        assert!(!overlap("suppliers[0].count", "suppliers[1].count"));
        assert!(!overlap(
            "suppliers[0].count",
            "suppliers[0].volunteer_probability"
        ));
        assert!(!overlap(
            "buyers[0].order_value.median",
            "buyers[0].order_value.sigma"
        ));
        assert!(overlap(
            "buyers[0].order_value",
            "buyers[0].order_value.sigma"
        ));
        assert!(overlap(
            "rules.vetting_criteria",
            "rules.vetting_criteria.max_refund_rate"
        ));
        assert!(!overlap(
            "rules.claim_window_days",
            "rules.auto_release_days"
        ));
        assert!(!overlap(
            "supplier_types.poor.late_probability",
            "supplier_types.average.late_probability"
        ));
    }

    #[test]
    fn a_point_problem_names_the_point_and_its_values() {
        let (scenario, _) = set(&quick(), "rules.coverage_limit_floor", 600_000.0);
        let values = [(
            "rules.coverage_limit_floor".to_string(),
            "\"600000.00\"".to_string(),
        )];
        assert_eq!(
            point_problems(17, &values, &scenario),
            [
                "point 17 (rules.coverage_limit_floor = \"600000.00\") makes rules.coverage_limit_floor: 600000.00 exceeds coverage_limit_cap 500000.00"
            ]
        );
        assert!(point_problems(0, &values, &quick()).is_empty());
    }

    #[test]
    fn a_path_can_be_shared_between_threads() {
        // A study applies one parsed path to many points, on many threads.
        fn shared<T: Send + Sync>(_: &T) {}
        shared(&path("buyers[*].order_value.median"));
    }

    #[test]
    fn the_share_names_are_the_keys_of_types_and_methods() {
        assert_eq!(SupplierType::ALL.map(SupplierType::key), TYPE_NAMES);
        assert_eq!(PaymentMethod::ALL.map(PaymentMethod::key), METHOD_NAMES);
    }

    /// A value just beyond `bounds`, below (`low`) or above.
    fn beyond(bounds: FactorBounds, low: bool) -> f64 {
        let step = match bounds.step {
            Step::Whole => 1.0,
            _ => 1e-9 * bounds.high.abs().max(1.0),
        };
        match (low, bounds.low_open) {
            (true, true) => bounds.low,
            (true, false) => bounds.low - step,
            (false, _) => bounds.high + step,
        }
    }

    /// Each field's bounds against validation: its edges pass, a value
    /// just beyond is a problem at the field or at the list holding it
    /// (a segment's count is bounded by the total).
    fn fields_agree_with_validation<P>(
        fields: &'static [Field<P>],
        prefix: &str,
        part: fn(&mut Scenario) -> &mut P,
    ) {
        let base = quick();
        let problem_at = |scenario: &Scenario, at: &str, exact: bool| {
            validate(scenario).iter().any(|problem| {
                problem.path == at || (!exact && at.starts_with(&format!("{}[", problem.path)))
            })
        };
        for field in fields {
            let at = format!("{prefix}{}", field.name);
            match field.kind {
                Kind::Number(bounds) => {
                    let low_edge = if bounds.low_open {
                        f64::MIN_POSITIVE
                    } else {
                        bounds.low
                    };
                    for edge in [low_edge, bounds.high] {
                        let mut scenario = base.clone();
                        path(&at).apply_number(&mut scenario, edge).unwrap();
                        assert!(!problem_at(&scenario, &at, true), "{at} = {edge} is valid");
                    }
                    for low in [true, false] {
                        let x = beyond(bounds, low);
                        if x < 0.0 && bounds.step == Step::Whole {
                            continue;
                        }
                        let mut scenario = base.clone();
                        match (field.place)(part(&mut scenario)) {
                            Place::Real(value) => *value = x,
                            Place::Whole(value) => *value = x as u32,
                            _ => unreachable!("{at} is a number"),
                        }
                        assert!(problem_at(&scenario, &at, false), "{at} = {x} is refused");
                        assert!(!path(&at).bounds(&base).unwrap().contains(x));
                    }
                }
                Kind::Dist { max, positive } => {
                    let mid = max / 2.0;
                    for dist in [
                        Dist::Fixed(mid),
                        Dist::Uniform { min: mid, max: mid },
                        Dist::Exponential { mean: mid },
                        Dist::LogNormal {
                            median: mid,
                            sigma: 1.0,
                        },
                        Dist::Triangular {
                            min: mid,
                            mode: mid,
                            max: mid,
                        },
                    ] {
                        let (_, parameters) = dist.variant();
                        for parameter in parameters {
                            let bounds = dist_parameter_bounds(parameter, max, positive);
                            for low in [true, false] {
                                let mut scenario = base.clone();
                                let Place::Dist(place) = (field.place)(part(&mut scenario)) else {
                                    unreachable!("{at} is a distribution");
                                };
                                *place = dist;
                                *place.parameter_mut(parameter).unwrap() = beyond(bounds, low);
                                assert!(
                                    problem_at(&scenario, &at, true),
                                    "{at}.{parameter} beyond {bounds}"
                                );
                            }
                        }
                    }
                }
                Kind::Shares(_) => {}
            }
        }
    }

    #[test]
    fn every_fields_bounds_are_those_validation_holds_it_to() {
        fields_agree_with_validation(SCENARIO_FIELDS, "", |scenario| scenario);
        fields_agree_with_validation(SUPPLIER_FIELDS, "suppliers[0].", |scenario| {
            &mut scenario.suppliers[0]
        });
        fields_agree_with_validation(BUYER_FIELDS, "buyers[0].", |scenario| {
            &mut scenario.buyers[0]
        });
        fields_agree_with_validation(BEHAVIOUR_FIELDS, "supplier_types.fraudulent.", |scenario| {
            &mut scenario.supplier_types.fraudulent
        });
    }

    #[test]
    fn every_numeric_rule_takes_a_number_within_its_bound() {
        let base = quick();
        for rule in RULES {
            let factor = path(&format!("rules.{}", rule.name));
            let Ok(bounds) = factor.bounds(&base) else {
                assert!(matches!(
                    rule.bound,
                    Bound::ListOf { .. } | Bound::Any | Bound::Own
                ));
                continue;
            };
            for edge in [bounds.low, bounds.high] {
                let mut scenario = base.clone();
                factor.apply_number(&mut scenario, edge).unwrap();
                // The rule's own bound; relations between rules (a floor
                // at most the cap) are the whole scenario's.
                let problems = scenario.rules.problems();
                assert!(
                    problems.iter().all(|(below, _)| below != rule.name),
                    "{} = {edge}",
                    rule.name
                );
            }
            let mut scenario = base.clone();
            assert!(
                factor
                    .apply_number(&mut scenario, beyond(bounds, false))
                    .is_err()
            );
        }
    }

    #[test]
    fn every_path_the_reference_lists_parses() {
        let base = quick();
        for (template, _) in factor_paths() {
            let text = template
                .replace("[S]", "[0]")
                .replace("TYPE.", "fraudulent.")
                .replace(".TYPE", ".poor")
                .replace(".METHOD", ".Card")
                .replace("RULE", "claim_window_days")
                .replace(
                    "vetting_criteria.PARAMETER",
                    "vetting_criteria.max_refund_rate",
                );
            let text = if text.ends_with(".PARAMETER") {
                // Every distribution of quick.ron's first segments has a
                // `max`, a `median` or a `mean`.
                let factor = path(&text.replace(".PARAMETER", ""));
                let mut scenario = base.clone();
                let slot = factor.slots(&mut scenario).unwrap().remove(0);
                let Place::Dist(dist) = slot.place else {
                    unreachable!()
                };
                text.replace("PARAMETER", dist.variant().1[0])
            } else {
                text
            };
            assert!(path(&text).bounds(&base).is_ok(), "{text}");
        }
    }
}
