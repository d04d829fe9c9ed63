//! The scenario: what a policy team writes (RON), as typed values.
//!
//! A scenario has two halves that must stay apart for common random numbers
//! to work: the *world* (population segments and supplier behaviour types),
//! which decides who the buyers and suppliers are, and the *rules* of the
//! program, which decide how orders between them are covered and settled.
//! Changing a rule never changes how the population is drawn.
//!
//! Every field is documented here; the defaults of optional fields are the
//! program at its 2014 launch as `seed/trade-assurance.txt` describes it, and
//! where the seed is silent the default is a marked assumption. Loading and
//! validation live in [`load`] and [`validate`]; this module only declares the
//! shapes and their defaults.

pub mod amount;
pub mod bounds;
pub mod codes;
pub mod date;
pub mod factors;
pub mod limits;
pub mod load;
pub mod rules;
pub mod spans;
pub mod syntax;
pub mod validate;

use serde::Deserialize;

pub use amount::Amount;
pub use codes::{Country, PaymentMethod};
pub use date::Date;
pub use factors::{FactorBounds, FactorError, FactorPath};
pub use load::{LoadError, parse_scenario};
pub use rules::{
    DepositRelease, FeeScope, NewSupplierRule, RefundScope, Rules, RulesPatch, VettingCriteria,
};
pub use validate::{Problem, validate};

/// A complete scenario: world, program rules, and run settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Shown in reports; 1 to `limits::NAME_LEN_MAX` characters.
    pub name: String,
    /// Root of every random stream; `run --seed` overrides it.
    pub seed: u64,
    /// First simulated day, `"YYYY-MM-DD"`; months in the report are calendar months from here.
    pub start_date: Date,
    /// Simulated days; orders still in flight at the end are reported as open.
    pub horizon_days: u32,
    /// ISO 4217 code, for display. Money is always kept to two decimal places (cents).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Supplier segments; each supplier is drawn from one.
    pub suppliers: Vec<SupplierSegment>,
    /// Buyer segments; each buyer is drawn from one.
    pub buyers: Vec<BuyerSegment>,
    /// Behaviour of each latent supplier type. Optional as a whole; when
    /// given, every type is given in full (see [`SupplierTypes::default`]).
    #[serde(default)]
    pub supplier_types: SupplierTypes,
    /// The program's rules; every field is optional and defaults to the 2014 launch rules.
    #[serde(default)]
    pub rules: Rules,
    /// Changes of the rules (and of suppliers' willingness to volunteer) at
    /// dates within the horizon, in date order. Each applies from the first
    /// second of its date, before anything else happens at that second.
    #[serde(default)]
    pub timeline: Vec<TimelineEntry>,
}

/// A dated change of the program.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimelineEntry {
    /// `"YYYY-MM-DD"`, after the start date and before its end.
    pub date: Date,
    /// The rules that change; omitted rules stay as they were.
    #[serde(default)]
    pub rules: RulesPatch,
    /// Supplier segments (by name) whose volunteering probability changes.
    /// Each supplier keeps the same seeded draw, so raising a probability
    /// only adds volunteers and lowering it only removes them.
    #[serde(default)]
    pub volunteer_probability: Vec<(String, f64)>,
}

impl Scenario {
    /// Suppliers across all segments.
    pub fn supplier_count(&self) -> u64 {
        self.suppliers
            .iter()
            .map(|segment| u64::from(segment.count))
            .sum()
    }

    /// Buyers across all segments.
    pub fn buyer_count(&self) -> u64 {
        self.buyers
            .iter()
            .map(|segment| u64::from(segment.count))
            .sum()
    }
}

fn default_currency() -> String {
    "USD".to_string()
}

/// A random quantity drawn from a parametric distribution. Durations are in
/// the unit their field name says (`_days`, `_hours`); money values in
/// currency units, rounded to cents after drawing.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Dist {
    /// Always this value.
    Fixed(f64),
    /// Uniform on `[min, max]`.
    Uniform { min: f64, max: f64 },
    /// Exponential with this mean.
    Exponential { mean: f64 },
    /// Log-normal with this median and log-scale standard deviation `sigma`.
    LogNormal { median: f64, sigma: f64 },
    /// Triangular on `[min, max]` with its peak at `mode`.
    Triangular { min: f64, mode: f64, max: f64 },
}

/// The latent supplier types. Vetting never sees them; they drive behaviour.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum SupplierType {
    Reliable,
    Average,
    Poor,
    Fraudulent,
}

impl SupplierType {
    pub const ALL: [SupplierType; 4] = [
        SupplierType::Reliable,
        SupplierType::Average,
        SupplierType::Poor,
        SupplierType::Fraudulent,
    ];

    /// The key used for this type in scenario files and reports.
    pub fn key(self) -> &'static str {
        match self {
            SupplierType::Reliable => "reliable",
            SupplierType::Average => "average",
            SupplierType::Poor => "poor",
            SupplierType::Fraudulent => "fraudulent",
        }
    }
}

/// A group of suppliers that share a country and a type mix.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupplierSegment {
    pub name: String,
    /// How many suppliers this segment holds.
    pub count: u32,
    /// ISO 3166-1 alpha-2 code of the suppliers' home country.
    pub country: Country,
    /// Probability that a supplier volunteers for the program.
    pub volunteer_probability: f64,
    /// Lead time the supplier promises at contract: ship-by = contract + this.
    pub promised_lead_days: u32,
    /// Share of each latent type; the four shares sum to 1.
    pub type_mix: TypeMix,
    /// Each supplier's price level relative to the market, drawn once: an
    /// order's value is the buyer's drawn value times this. Default 1.
    #[serde(default = "default_price_index")]
    pub price_index: Dist,
    /// Trading history before the start date, so that vetting at the start
    /// sees the "six-month trading histories" the seed describes. Drawn from
    /// each supplier's behaviour type. Default: none.
    #[serde(default)]
    pub prior_history: Option<PriorHistory>,
}

fn default_price_index() -> Dist {
    Dist::Fixed(1.0)
}

/// The shape of the history a supplier brings to the start of the run.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PriorHistory {
    /// Mean completed orders a month over the twelve months before the start.
    pub orders_per_month: f64,
    /// Value of each of those orders, in currency units.
    pub order_value: Dist,
}

/// Shares of the latent supplier types in a segment.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TypeMix {
    pub reliable: f64,
    pub average: f64,
    pub poor: f64,
    pub fraudulent: f64,
}

impl TypeMix {
    pub fn share(&self, supplier_type: SupplierType) -> f64 {
        match supplier_type {
            SupplierType::Reliable => self.reliable,
            SupplierType::Average => self.average,
            SupplierType::Poor => self.poor,
            SupplierType::Fraudulent => self.fraudulent,
        }
    }
}

/// How a supplier of one latent type behaves.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupplierBehaviour {
    /// Days from contract until the goods ship when the supplier is on time
    /// (capped at the promised lead time).
    pub production_days: Dist,
    /// Probability that an order ships after the promised ship-by date.
    pub late_probability: f64,
    /// When late: days past the promised ship-by date. Only shipments later
    /// than the program's grace period count as late for claims.
    pub late_days: Dist,
    /// Probability that the goods conform to the contract's quality spec.
    pub conformance_probability: f64,
    /// When the goods do not conform: the share of the order value affected,
    /// in (0, 1]; a refund for quality is this share of the refund scope.
    pub defect_share: Dist,
    /// Probability of answering a buyer's inquiry.
    pub response_probability: f64,
    /// Hours until the answer.
    pub response_hours: Dist,
    /// Probability that the supplier accepts a justified claim during
    /// negotiation and the refund is made without escalation.
    pub settles_in_negotiation_probability: f64,
    /// Uncovered orders: probability that the supplier refunds a breach voluntarily.
    pub voluntary_refund_probability: f64,
    /// Fraud behaviour; `None` for honest types.
    #[serde(default)]
    pub fraud: Option<Fraud>,
}

/// Fraud behaviours a fraudulent supplier may follow.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Fraud {
    /// Build a clean history over `clean_orders` completed orders, then take
    /// each new order's deposit and vanish with `vanish_probability`. A
    /// vanished supplier never ships, answers no more inquiries and repays
    /// nothing.
    BustOut {
        clean_orders: u32,
        vanish_probability: f64,
    },
}

/// The behaviour table of the four latent types.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SupplierTypes {
    pub reliable: SupplierBehaviour,
    pub average: SupplierBehaviour,
    pub poor: SupplierBehaviour,
    pub fraudulent: SupplierBehaviour,
}

impl SupplierTypes {
    pub fn behaviour(&self, supplier_type: SupplierType) -> &SupplierBehaviour {
        match supplier_type {
            SupplierType::Reliable => &self.reliable,
            SupplierType::Average => &self.average,
            SupplierType::Poor => &self.poor,
            SupplierType::Fraudulent => &self.fraudulent,
        }
    }

    pub fn behaviour_mut(&mut self, supplier_type: SupplierType) -> &mut SupplierBehaviour {
        match supplier_type {
            SupplierType::Reliable => &mut self.reliable,
            SupplierType::Average => &mut self.average,
            SupplierType::Poor => &mut self.poor,
            SupplierType::Fraudulent => &mut self.fraudulent,
        }
    }
}

impl Default for SupplierTypes {
    /// Assumptions, not seed facts: chosen so that late shipment and defect
    /// rates sit in the peers' plausibility bands of DESIGN.md section 7
    /// (late shipment at most ~7%, defects ~1-2% for good sellers) and
    /// degrade through `average` and `poor`; fraudulent suppliers look
    /// average until they bust out.
    fn default() -> Self {
        let [reliable, average, poor, fraudulent] = DEFAULT_TYPES;
        SupplierTypes {
            reliable: reliable.honest(),
            average: average.honest(),
            poor: poor.honest(),
            fraudulent: SupplierBehaviour {
                fraud: Some(Fraud::BustOut {
                    clean_orders: 3,
                    vanish_probability: 0.5,
                }),
                ..fraudulent.honest()
            },
        }
    }
}

/// The default behaviour of each type, one row per type, in the fields'
/// order of [`SupplierBehaviour`]; a fraudulent supplier's bust-out is added
/// to its row.
#[rustfmt::skip]
const DEFAULT_TYPES: [Typical; 4] = [
    //       production days     late  days  conforms  defect share  responds  hours  settles  refunds
    Typical([10.0, 20.0, 30.0], 0.02,  5.0, 0.99,     [0.1, 0.5],   0.95,      6.0,  0.8,     0.7), // reliable
    Typical([12.0, 24.0, 30.0], 0.06,  8.0, 0.96,     [0.1, 0.8],   0.85,     12.0,  0.6,     0.5), // average
    Typical([15.0, 28.0, 30.0], 0.20, 15.0, 0.85,     [0.2, 1.0],   0.70,     24.0,  0.3,     0.2), // poor
    Typical([12.0, 24.0, 30.0], 0.06,  8.0, 0.95,     [0.1, 0.8],   0.90,      8.0,  0.1,     0.0), // fraudulent
];

/// A row of the default behaviour table (see [`SupplierTypes::default`]):
/// triangular production days, exponential lateness and response times,
/// uniform defect shares.
struct Typical([f64; 3], f64, f64, f64, [f64; 2], f64, f64, f64, f64);

impl Typical {
    fn honest(self) -> SupplierBehaviour {
        let Typical(
            [min, mode, max],
            late,
            late_mean,
            conforms,
            [defect_min, defect_max],
            responds,
            hours,
            settles,
            refunds,
        ) = self;
        SupplierBehaviour {
            production_days: Dist::Triangular { min, mode, max },
            late_probability: late,
            late_days: Dist::Exponential { mean: late_mean },
            conformance_probability: conforms,
            defect_share: Dist::Uniform {
                min: defect_min,
                max: defect_max,
            },
            response_probability: responds,
            response_hours: Dist::Exponential { mean: hours },
            settles_in_negotiation_probability: settles,
            voluntary_refund_probability: refunds,
            fraud: None,
        }
    }
}

/// A group of buyers that share a country, ordering habits and claim behaviour.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BuyerSegment {
    pub name: String,
    /// How many buyers this segment holds.
    pub count: u32,
    /// ISO 3166-1 alpha-2 code of the buyers' country.
    pub country: Country,
    /// Mean inquiries each buyer starts per year (a Poisson stream); an
    /// inquiry becomes an order when at least one supplier answers it.
    /// `orders_per_year`, its earlier name, is still accepted.
    #[serde(alias = "orders_per_year")]
    pub inquiries_per_year: f64,
    /// Order value in currency units, rounded to cents.
    pub order_value: Dist,
    /// Payment methods and their shares (summing to 1); each buyer is given
    /// one method when the population is drawn.
    pub payment_mix: Vec<(PaymentMethod, f64)>,
    /// Suppliers asked per inquiry.
    #[serde(default = "default_inquiry_candidates")]
    pub inquiry_candidates: u32,
    /// Days from shipment to delivery.
    pub transit_days: Dist,
    /// Days from delivery until the buyer confirms or claims.
    pub inspection_days: Dist,
    /// Probability of claiming after a real breach (late, defective, not delivered).
    pub claim_after_breach_probability: f64,
    /// Probability of a claim without a breach.
    pub false_claim_probability: f64,
    /// Probability that a satisfied buyer confirms receipt; otherwise escrow
    /// auto-releases after the timeout.
    pub confirm_probability: f64,
    /// How the buyer weighs what the storefront shows when choosing a supplier.
    #[serde(default)]
    pub choice: ChoiceWeights,
}

fn default_inquiry_candidates() -> u32 {
    3
}

/// Weights of a multinomial-logit supplier choice. A candidate's utility is
/// `badge * [shows the badge] + transactions * ln(1 + 12-month orders)
///  + response_rate * (12-month answered / asked)
///  - response_speed * (12-month mean response hours / 24) - price * ln(price index)`.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ChoiceWeights {
    pub badge: f64,
    pub transactions: f64,
    pub response_rate: f64,
    pub response_speed: f64,
    pub price: f64,
}

impl Default for ChoiceWeights {
    /// Assumption: the badge matters about as much as a good track record,
    /// and a 10% dearer supplier loses about a tenth of its appeal.
    fn default() -> Self {
        ChoiceWeights {
            badge: 1.0,
            transactions: 0.3,
            response_rate: 1.0,
            response_speed: 0.5,
            price: 1.0,
        }
    }
}
