//! The program's rules, and patches of them for the timeline.
//!
//! Every rule is one flat field, so that a timeline entry can change any
//! single rule at a date ("claim window 45 days from 2015-03-01") by naming
//! just that field. Everything about a rule is declared once, in the
//! `rules!` list: [`Rules`], [`RulesPatch`], the bounds validation checks,
//! whether a change calls for a review, and the README's rules table are
//! all generated from it.

use super::amount::Amount;
use super::bounds::{Bound, Bounded, ValueProblem, bad_money, not_a_probability};
use super::codes::{Country, PaymentMethod};
use super::limits::{
    BASIS_POINTS_MAX, COVERED_PAYMENT_METHODS_MAX, ELIGIBLE_COUNTRIES_MAX, VETTING_MIN_ORDERS_MAX,
    VETTING_WINDOW_MONTHS_MAX,
};
use serde::Deserialize;

/// When escrow releases the deposit to the supplier.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum DepositRelease {
    /// At contract, to fund production: the platform's largest exposure.
    AtContract,
    /// When the goods ship.
    AtShipment,
    /// Only when the buyer accepts (confirms, or the timeout releases).
    AtAcceptance,
}

/// What a justified claim refunds.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum RefundScope {
    /// The deposit only.
    Deposit,
    /// Everything the buyer paid: the total order value once the balance is paid.
    OrderValue,
}

/// Which orders the seller fee applies to.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum FeeScope {
    AllOrders,
    /// Orders whose value is at most this amount.
    OrdersUpTo(Amount),
}

/// How vetting treats a volunteering supplier with too little history in
/// the trailing window to judge.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum NewSupplierRule {
    /// Approved at once, on the coverage-limit floor, and judged once the
    /// window holds enough orders.
    Probation,
    /// Not approved until the window holds enough orders to judge.
    WaitForHistory,
}

/// What a vetting review asks of a supplier's trailing window.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum VettingCriteria {
    /// Pass when every rate is on the right side of its threshold.
    Thresholds {
        min_on_time_rate: f64,
        max_dispute_rate: f64,
        max_refund_rate: f64,
        min_response_rate: f64,
    },
    /// Pass when the weighted risk score
    /// `late * (1 - on_time) + dispute * dispute_rate + refund * refund_rate
    ///  + silence * (1 - response_rate)` is at most `max_score`.
    RiskScore {
        late: f64,
        dispute: f64,
        refund: f64,
        silence: f64,
        max_score: f64,
    },
}

/// What a rule is, for people: generated from its one declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub name: &'static str,
    /// The default as written in a scenario.
    pub default: &'static str,
    pub bound: Bound,
    /// Whether a change of the rule can move suppliers in or out of the
    /// program or change their limits, so that a review follows it at once.
    pub changes_membership: bool,
    pub meaning: &'static str,
}

/// Declares every rule once: its documentation, type, default, the values
/// it accepts, whether changing it calls for a review, and its line in the
/// README's table. [`Rules`], [`RulesPatch`], validation
/// ([`Rules::problems`]), the timeline's reviews
/// ([`RulesPatch::changes_membership`]) and the table ([`RULES`]) all
/// come from this one list, so a rule is added in one place.
macro_rules! rules {
    ($(
        $(#[$doc:meta])*
        $field:ident: $kind:ty = $default:expr;
        bound $bound:expr, review $membership:literal,
        table $default_text:literal, $meaning:literal;
    )*) => {
        /// The program's rules. Every field may be omitted; the default is
        /// the program at launch (2014).
        #[derive(Clone, Debug, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields, default)]
        pub struct Rules {
            $($(#[$doc])* pub $field: $kind,)*
        }

        impl Default for Rules {
            fn default() -> Self {
                Rules { $($field: $default,)* }
            }
        }

        /// A change of some rules at a timeline date: each field given
        /// replaces that rule, each field omitted leaves it as it was.
        #[derive(Clone, Debug, Default, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields, default)]
        pub struct RulesPatch {
            $($(#[$doc])* pub $field: Option<$kind>,)*
        }

        /// Every rule, in declaration order.
        pub const RULES: &[RuleDoc] = &[$(RuleDoc {
            name: stringify!($field),
            default: $default_text,
            bound: $bound,
            changes_membership: $membership,
            meaning: $meaning,
        },)*];

        impl Rules {
            /// Replaces exactly the rules the patch sets.
            pub fn apply(&mut self, patch: &RulesPatch) {
                $(if let Some(value) = &patch.$field {
                    self.$field = value.clone();
                })*
            }

            /// Each rule's value checked against its declared bound: (the
            /// path below `rules`, the message). Relations between rules
            /// (a floor above a cap) are validation's.
            pub fn problems(&self) -> Vec<(String, String)> {
                let mut problems = Vec::new();
                $(for (below, message) in Bounded::problems(&self.$field, $bound) {
                    problems.push((format!("{}{below}", stringify!($field)), message));
                })*
                problems
            }
        }

        impl Rules {
            /// The value of `rule` written as a scenario's `rules` block
            /// writes it (`45`, `AtContract`, `[TT, Card]`, `"10000.00"`),
            /// which [`RulesPatch::of_rule`] reads back; `None` for a name
            /// that is no rule.
            pub fn value_text(&self, rule: &str) -> Option<String> {
                match rule {
                    $(stringify!($field) => Some(RuleText::rule_text(&self.$field)),)*
                    _ => None,
                }
            }
        }

        impl RulesPatch {
            /// The names of the rules the patch sets, in declaration order.
            pub fn fields_set(&self) -> Vec<&'static str> {
                let mut names = Vec::new();
                $(if self.$field.is_some() {
                    names.push(stringify!($field));
                })*
                names
            }

            /// The patch that turns `from` into `to`: each rule that
            /// differs, set to its value in `to`.
            pub fn between(from: &Rules, to: &Rules) -> RulesPatch {
                RulesPatch {
                    $($field: (from.$field != to.$field).then(|| to.$field.clone()),)*
                }
            }

            /// Whether the patch sets a rule whose change calls for a review.
            pub fn changes_membership(&self) -> bool {
                false $(|| ($membership && self.$field.is_some()))*
            }
        }
    };
}

/// Whole days a duration rule may last.
const DAYS_FROM_0: Bound = Bound::Days { min: 0 };
const DAYS_FROM_1: Bound = Bound::Days { min: 1 };
const BASIS_POINTS: Bound = Bound::Whole {
    min: 0,
    max: BASIS_POINTS_MAX,
};

rules! {
    /// Supplier countries whose suppliers may be approved. Seed: China only at launch.
    eligible_countries: Vec<Country> = vec![Country::from_code("CN").expect("CN is a country")];
        bound Bound::ListOf { max: ELIGIBLE_COUNTRIES_MAX, of: "countries" }, review true,
        table "`[\"CN\"]`", "supplier countries that may be approved (seed)";
    /// Only volunteering suppliers are approved. Seed: suppliers volunteer.
    require_volunteering: bool = true;
        bound Bound::Any, review true,
        table "`true`", "only volunteering suppliers are approved (seed)";
    /// Payment methods whose orders are covered. Seed: T/T only at launch.
    covered_payment_methods: Vec<PaymentMethod> = vec![PaymentMethod::TT];
        bound Bound::ListOf { max: COVERED_PAYMENT_METHODS_MAX, of: "payment methods" }, review false,
        table "`[TT]`", "methods whose orders are covered (seed: T/T only)";
    /// Least order value the program covers; smaller orders trade uncovered. Assumption: none.
    coverage_min_order_value: Amount = Amount::from_cents(0);
        bound Bound::Money, review false,
        table "`\"0.00\"`", "orders below this value are not covered";
    /// Deposit as a share of the order value, in basis points. Reference: a 30% deposit.
    deposit_share_bps: u32 = 3000;
        bound BASIS_POINTS, review false,
        table "`3000`", "deposit as basis points of the order value";
    /// When escrow releases the deposit. Seed: held "until they are satisfied".
    deposit_release: DepositRelease = DepositRelease::AtAcceptance;
        bound Bound::Any, review false,
        table "`AtAcceptance`", "`AtContract`, `AtShipment` or `AtAcceptance`: when escrow releases the deposit";
    /// Seed: "full refunds of their deposits, or if applicable the total value".
    refund_scope: RefundScope = RefundScope::OrderValue;
        bound Bound::Any, review false,
        table "`OrderValue`", "`Deposit` or `OrderValue` (everything paid)";
    /// Shipments up to this many days after ship-by do not count as late. Assumption.
    late_shipment_grace_days: u32 = 0;
        bound DAYS_FROM_0, review false,
        table "`0`", "shipments within this many days of ship-by are not late";
    /// Days after delivery in which a claim is accepted. Reference: 30 days of confirmed receipt.
    claim_window_days: u32 = 30;
        bound DAYS_FROM_1, review false,
        table "`30`", "claims accepted within this many days of delivery";
    /// Days after delivery after which escrow releases to the supplier when
    /// the buyer has neither confirmed nor claimed. Reference: peers use 3-30.
    auto_release_days: u32 = 30;
        bound DAYS_FROM_1, review false,
        table "`30`", "escrow releases this many days after delivery without confirmation";
    /// Days of buyer-supplier negotiation before a claim escalates. Reference: 3.
    negotiation_days: u32 = 3;
        bound DAYS_FROM_0, review false,
        table "`3`", "buyer-supplier negotiation before escalation";
    /// Days from escalation to the platform's decision. Reference: decided around day 7-8.
    decision_days: u32 = 4;
        bound DAYS_FROM_0, review false,
        table "`4`", "escalation to decision";
    /// Probability that the platform decides a dispute correctly. Assumption.
    decision_accuracy: f64 = 0.9;
        bound Bound::Probability, review false,
        table "`0.9`", "probability the platform decides a dispute correctly";
    /// Whether the platform advances a refund that escrow no longer holds. Reference: it does.
    advance_refunds: bool = true;
        bound Bound::Any, review false,
        table "`true`", "the platform advances refunds escrow no longer holds";
    /// Probability of recovering an advance from a supplier that has not vanished. Assumption.
    recovery_probability: f64 = 0.7;
        bound Bound::Probability, review false,
        table "`0.7`", "an advance is recovered from a supplier still trading";
    /// Days from an advance to its recovery (or write-off). Assumption.
    recovery_days: u32 = 30;
        bound DAYS_FROM_0, review false,
        table "`30`", "advance to recovery or write-off";
    /// Fee on the value released to the supplier, in basis points. None at launch (assumption).
    seller_fee_bps: u32 = 0;
        bound BASIS_POINTS, review false,
        table "`0`", "fee on value released to suppliers";
    /// Which orders the seller fee applies to. Reference: a later period charged orders up to 5,000 only.
    seller_fee_applies_to: FeeScope = FeeScope::AllOrders;
        bound Bound::Own, review false,
        table "`AllOrders`", "or `OrdersUpTo(\"5000.00\")` (money, 0 to 1000000000000)";
    /// Coverage limit as a share of the supplier's completed order value over
    /// the last 12 months, in basis points. Reference: the limit comes from
    /// past transaction volume; the share is an assumption.
    coverage_limit_share_bps: u32 = 5000;
        bound Bound::Whole { min: 0, max: BASIS_POINTS_MAX * 100 }, review true,
        table "`5000`", "an approved supplier's limit: this share of its trailing 12-month completed value...";
    /// Least coverage limit of an approved supplier (and the limit on probation). Assumption.
    coverage_limit_floor: Amount = Amount::from_cents(1_000_000);
        bound Bound::Money, review true,
        table "`\"10000.00\"`", "...but at least this (and exactly this on probation)...";
    /// Greatest coverage limit of any supplier. Assumption.
    coverage_limit_cap: Amount = Amount::from_cents(50_000_000);
        bound Bound::Money, review true,
        table "`\"500000.00\"`", "...and at most this, never below the floor. Open covered orders draw the limit down; completed ones give it back; a suspension cuts it to zero";
    /// Days between two vetting reviews of every volunteering supplier. Assumption: monthly,
    /// as peers evaluate sellers (reference).
    vetting_review_days: u32 = 30;
        bound DAYS_FROM_1, review false,
        table "`30`", "every this many days, each volunteering supplier of an eligible country is reviewed";
    /// Months of history a review looks at. Seed: six-month trading histories.
    vetting_window_months: u32 = 6;
        bound Bound::Whole { min: 1, max: VETTING_WINDOW_MONTHS_MAX }, review true,
        table "`6`", "the trailing window a review reads, in whole months before the review's month (seed: six-month histories)";
    /// Fewest completed orders in the window for a review to judge the supplier. Assumption.
    vetting_min_orders: u32 = 3;
        bound Bound::Whole { min: 0, max: VETTING_MIN_ORDERS_MAX }, review true,
        table "`3`", "fewer completed orders in the window than this: too little history to judge";
    /// Treatment of suppliers with less history than that. Seed: vetted on past performance.
    vetting_new_suppliers: NewSupplierRule = NewSupplierRule::WaitForHistory;
        bound Bound::Any, review true,
        table "`WaitForHistory`", "such suppliers wait (`WaitForHistory`) or are approved at once on the floor limit (`Probation`)";
    /// What a review asks. Assumption, within the peers' bands (reference: late
    /// shipment at most 7%, defects at most 1-2%).
    vetting_criteria: VettingCriteria = VettingCriteria::Thresholds {
        min_on_time_rate: 0.9,
        max_dispute_rate: 0.1,
        max_refund_rate: 0.08,
        min_response_rate: 0.6,
    };
        bound Bound::Own, review true,
        table "`Thresholds(min_on_time_rate: 0.9, max_dispute_rate: 0.1, max_refund_rate: 0.08, min_response_rate: 0.6)`",
        "or `RiskScore(late:, dispute:, refund:, silence:, max_score:)`: pass when `late*(1-on_time) + dispute*dispute_rate + refund*refund_rate + silence*(1-response_rate) <= max_score` (rates 0 to 1, weights 0 to 100)";
}

impl RulesPatch {
    /// The patch that sets `rule` to `value`, written as in a scenario's
    /// `rules` block (`14`, `AtContract`, `[TT, Card]`), and nothing else:
    /// a value that smuggles in another field (`"14, auto_release_days:
    /// 1"`) is not a value of the rule. Bounds are not checked here; they
    /// are [`Rules::problems`]'.
    /// A grid or a study writes a value without its quotes (`"1000.00"`
    /// reads as the text 1000.00), so money, which a scenario writes as a
    /// decimal string, is also tried as that string.
    pub fn of_rule(rule: &str, value: &str) -> Result<RulesPatch, String> {
        let parse = |value: &str| {
            ron::Options::default()
                .with_recursion_limit(32)
                .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
                .from_str::<RulesPatch>(&format!("({rule}: {value})"))
        };
        let patch = parse(value)
            .or_else(|error| {
                let quoted = format!("{value:?}");
                if value.parse::<rust_decimal::Decimal>().is_ok() {
                    parse(&quoted).map_err(|_| error)
                } else {
                    Err(error)
                }
            })
            .map_err(|error| {
                format!(
                    "rules.{rule}: {value:?} is not a value of this rule: {}",
                    error.code
                )
            })?;
        if patch.fields_set() != [rule] {
            return Err(format!(
                "rules.{rule}: {value:?} is not one value of this rule (it sets {})",
                patch.fields_set().join(", ")
            ));
        }
        Ok(patch)
    }
}

crate::scenario::bounds::any_value_is_valid!(DepositRelease, RefundScope, NewSupplierRule);

/// A rule's value as RON text, as a scenario writes it.
trait RuleText {
    fn rule_text(&self) -> String;
}

impl RuleText for u32 {
    fn rule_text(&self) -> String {
        self.to_string()
    }
}

impl RuleText for bool {
    fn rule_text(&self) -> String {
        self.to_string()
    }
}

impl RuleText for f64 {
    fn rule_text(&self) -> String {
        // `{:?}` keeps a decimal point (`1.0`), so RON reads a float back.
        format!("{self:?}")
    }
}

impl RuleText for Amount {
    fn rule_text(&self) -> String {
        format!("\"{:.2}\"", self.0)
    }
}

impl RuleText for Vec<Country> {
    fn rule_text(&self) -> String {
        let codes: Vec<String> = self.iter().map(|code| format!("\"{code}\"")).collect();
        format!("[{}]", codes.join(", "))
    }
}

impl RuleText for Vec<PaymentMethod> {
    fn rule_text(&self) -> String {
        let keys: Vec<&str> = self.iter().map(|method| method.key()).collect();
        format!("[{}]", keys.join(", "))
    }
}

impl RuleText for DepositRelease {
    fn rule_text(&self) -> String {
        format!("{self:?}")
    }
}

impl RuleText for RefundScope {
    fn rule_text(&self) -> String {
        format!("{self:?}")
    }
}

impl RuleText for NewSupplierRule {
    fn rule_text(&self) -> String {
        format!("{self:?}")
    }
}

impl RuleText for FeeScope {
    fn rule_text(&self) -> String {
        match self {
            FeeScope::AllOrders => "AllOrders".to_string(),
            FeeScope::OrdersUpTo(max_value) => format!("OrdersUpTo({})", max_value.rule_text()),
        }
    }
}

impl RuleText for VettingCriteria {
    /// The variant and its parameters in their declared order, as the
    /// factor paths name them (`factors::Variants`).
    fn rule_text(&self) -> String {
        use super::factors::Variants;
        let (variant, parameters) = self.variant();
        let mut criteria = *self;
        let fields: Vec<String> = parameters
            .iter()
            .map(|name| {
                let value = *criteria
                    .parameter_mut(name)
                    .expect("a variant has each parameter it names");
                format!("{name}: {}", value.rule_text())
            })
            .collect();
        format!("{variant}({})", fields.join(", "))
    }
}

impl Bounded for FeeScope {
    fn problems(&self, _bound: Bound) -> Vec<ValueProblem> {
        match self {
            FeeScope::AllOrders => Vec::new(),
            FeeScope::OrdersUpTo(max_value) => bad_money(max_value.0, true)
                .map(|message| (String::new(), message))
                .into_iter()
                .collect(),
        }
    }
}

impl Bounded for VettingCriteria {
    fn problems(&self, _bound: Bound) -> Vec<ValueProblem> {
        let field = |name: &str, message: String| (format!(".{name}"), message);
        match *self {
            VettingCriteria::Thresholds {
                min_on_time_rate,
                max_dispute_rate,
                max_refund_rate,
                min_response_rate,
            } => [
                ("min_on_time_rate", min_on_time_rate),
                ("max_dispute_rate", max_dispute_rate),
                ("max_refund_rate", max_refund_rate),
                ("min_response_rate", min_response_rate),
            ]
            .into_iter()
            .filter_map(|(name, value)| {
                not_a_probability(value).map(|message| field(name, message))
            })
            .collect(),
            VettingCriteria::RiskScore {
                late,
                dispute,
                refund,
                silence,
                max_score,
            } => [
                ("late", late),
                ("dispute", dispute),
                ("refund", refund),
                ("silence", silence),
                ("max_score", max_score),
            ]
            .into_iter()
            .filter(|(_, value)| !(value.is_finite() && (0.0..=100.0).contains(value)))
            .map(|(name, value)| {
                field(name, format!("{value} must be a finite weight in [0, 100]"))
            })
            .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_replaces_exactly_the_rules_it_sets() {
        let patch: RulesPatch = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str("(claim_window_days: 45, covered_payment_methods: [TT, Card])")
            .unwrap();
        assert_eq!(
            patch.fields_set(),
            ["covered_payment_methods", "claim_window_days"]
        );
        let mut rules = Rules::default();
        rules.apply(&patch);
        assert_eq!(rules.claim_window_days, 45);
        assert_eq!(
            rules.covered_payment_methods,
            [PaymentMethod::TT, PaymentMethod::Card]
        );
        let untouched = Rules {
            claim_window_days: 45,
            covered_payment_methods: rules.covered_payment_methods.clone(),
            ..Rules::default()
        };
        assert_eq!(rules, untouched);
    }

    #[test]
    fn every_rule_s_text_reads_back_as_the_same_value() {
        // value_text writes what of_rule reads: setting each rule of a
        // scenario's rules to its own text changes nothing, for the
        // defaults and for rules set away from them.
        let mut changed = Rules::default();
        changed.apply(
            &ron::Options::default()
                .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
                .from_str::<RulesPatch>(
                    "(eligible_countries: [\"CN\", \"VN\"], covered_payment_methods: [TT, Card], \
                     coverage_min_order_value: \"12.50\", decision_accuracy: 1.0, \
                     seller_fee_applies_to: OrdersUpTo(\"5000.00\"), \
                     vetting_criteria: RiskScore(late: 1.0, dispute: 2.5, refund: 3.0, silence: 0.5, max_score: 0.75))",
                )
                .unwrap(),
        );
        for rules in [Rules::default(), changed] {
            for rule in RULES {
                let text = rules.value_text(rule.name).unwrap();
                let mut read_back = rules.clone();
                read_back.apply(&RulesPatch::of_rule(rule.name, &text).unwrap());
                assert_eq!(read_back, rules, "{}: {text}", rule.name);
            }
        }
        assert_eq!(
            Rules::default().value_text("claim_window_days").as_deref(),
            Some("30")
        );
        assert_eq!(
            Rules::default()
                .value_text("coverage_limit_floor")
                .as_deref(),
            Some("\"10000.00\"")
        );
        assert_eq!(Rules::default().value_text("no_such_rule"), None);
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let mut rules = Rules::default();
        rules.apply(&RulesPatch::default());
        assert_eq!(rules, Rules::default());
    }
}
