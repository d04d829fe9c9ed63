//! The program's rules, and patches of them for the timeline.
//!
//! Every rule is one flat field, so that a timeline entry can change any
//! single rule at a date ("claim window 45 days from 2015-03-01") by naming
//! just that field. [`Rules`] and [`RulesPatch`] are generated from one
//! field list by the `rules!` macro, so a rule added to one is always in the
//! other, and [`Rules::apply`] copies exactly the fields a patch sets.

use super::amount::Amount;
use super::codes::{Country, PaymentMethod};
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

macro_rules! rules {
    ($($(#[$doc:meta])* $field:ident: $kind:ty = $default:expr,)*) => {
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

        impl Rules {
            /// Replaces exactly the rules the patch sets.
            pub fn apply(&mut self, patch: &RulesPatch) {
                $(if let Some(value) = &patch.$field {
                    self.$field = value.clone();
                })*
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
        }
    };
}

rules! {
    /// Supplier countries whose suppliers may be approved. Seed: China only at launch.
    eligible_countries: Vec<Country> = vec![Country::from_code("CN").expect("CN is a country")],
    /// Only volunteering suppliers are approved. Seed: suppliers volunteer.
    require_volunteering: bool = true,
    /// Payment methods whose orders are covered. Seed: T/T only at launch.
    covered_payment_methods: Vec<PaymentMethod> = vec![PaymentMethod::TT],
    /// Deposit as a share of the order value, in basis points. Reference: a 30% deposit.
    deposit_share_bps: u32 = 3000,
    /// When escrow releases the deposit. Seed: held "until they are satisfied".
    deposit_release: DepositRelease = DepositRelease::AtAcceptance,
    /// Seed: "full refunds of their deposits, or if applicable the total value".
    refund_scope: RefundScope = RefundScope::OrderValue,
    /// Shipments up to this many days after ship-by do not count as late. Assumption.
    late_shipment_grace_days: u32 = 0,
    /// Days after delivery in which a claim is accepted. Reference: 30 days of confirmed receipt.
    claim_window_days: u32 = 30,
    /// Days after delivery after which escrow releases to the supplier when
    /// the buyer has neither confirmed nor claimed. Reference: peers use 3-30.
    auto_release_days: u32 = 30,
    /// Days of buyer-supplier negotiation before a claim escalates. Reference: 3.
    negotiation_days: u32 = 3,
    /// Days from escalation to the platform's decision. Reference: decided around day 7-8.
    decision_days: u32 = 4,
    /// Probability that the platform decides a dispute correctly. Assumption.
    decision_accuracy: f64 = 0.9,
    /// Whether the platform advances a refund that escrow no longer holds. Reference: it does.
    advance_refunds: bool = true,
    /// Probability of recovering an advance from a supplier that has not vanished. Assumption.
    recovery_probability: f64 = 0.7,
    /// Days from an advance to its recovery (or write-off). Assumption.
    recovery_days: u32 = 30,
    /// Fee on the value released to the supplier, in basis points. None at launch (assumption).
    seller_fee_bps: u32 = 0,
    /// Which orders the seller fee applies to. Reference: a later period charged orders up to 5,000 only.
    seller_fee_applies_to: FeeScope = FeeScope::AllOrders,
    /// Coverage limit as a share of the supplier's completed order value over
    /// the last 12 months, in basis points. Reference: the limit comes from
    /// past transaction volume; the share is an assumption.
    coverage_limit_share_bps: u32 = 5000,
    /// Least coverage limit of an approved supplier (and the limit on probation). Assumption.
    coverage_limit_floor: Amount = Amount::from_cents(1_000_000),
    /// Greatest coverage limit of any supplier. Assumption.
    coverage_limit_cap: Amount = Amount::from_cents(50_000_000),
    /// Days between two vetting reviews of every volunteering supplier. Assumption: monthly,
    /// as peers evaluate sellers (reference).
    vetting_review_days: u32 = 30,
    /// Months of history a review looks at. Seed: six-month trading histories.
    vetting_window_months: u32 = 6,
    /// Fewest completed orders in the window for a review to judge the supplier. Assumption.
    vetting_min_orders: u32 = 3,
    /// Treatment of suppliers with less history than that. Seed: vetted on past performance.
    vetting_new_suppliers: NewSupplierRule = NewSupplierRule::WaitForHistory,
    /// What a review asks. Assumption, within the peers' bands (reference: late
    /// shipment at most 7%, defects at most 1-2%).
    vetting_criteria: VettingCriteria = VettingCriteria::Thresholds {
        min_on_time_rate: 0.9,
        max_dispute_rate: 0.1,
        max_refund_rate: 0.08,
        min_response_rate: 0.6,
    },
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
    fn an_empty_patch_changes_nothing() {
        let mut rules = Rules::default();
        rules.apply(&RulesPatch::default());
        assert_eq!(rules, Rules::default());
    }
}
