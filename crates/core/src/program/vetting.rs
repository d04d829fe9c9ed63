//! Vetting: the periodic review that approves, keeps, suspends or reinstates
//! suppliers, and the coverage limit that follows from it.
//!
//! A review sees only what the platform observes, the supplier's trailing
//! window of completed orders and answered inquiries, never its latent
//! type: that is what makes screening imperfect and worth simulating. The
//! decision is a pure function of the supplier's status, its window and the
//! rules, so it is tested on hand-built histories.

use super::history::MonthBucket;
use super::money::Cents;
use crate::scenario::{NewSupplierRule, VettingCriteria};

/// Where a supplier stands with the program.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum SupplierStatus {
    /// Not volunteering, or its country is not eligible.
    #[default]
    Outside,
    /// Volunteering and eligible, waiting for enough history to be judged.
    Pending,
    /// Approved: shows the badge; its new orders can be covered.
    Approved,
    /// Judged and not approved.
    Rejected,
    /// Approved once, then sanctioned: no badge, no new cover, limit cut.
    Suspended,
}

/// What a review did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Status unchanged.
    Keep,
    /// Newly approved (from outside, pending or rejected).
    Approve,
    /// A suspended supplier passes again.
    Reinstate,
    /// Judged and not approved.
    Reject,
    /// An approved supplier fails.
    Suspend,
    /// No longer volunteering or eligible.
    Withdraw,
    /// Became volunteering and eligible; waits for history.
    Enrol,
}

/// The rules a review applies, compiled from the scenario's rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VettingRules {
    pub window_months: u32,
    pub min_orders: u32,
    pub new_suppliers: NewSupplierRule,
    pub criteria: VettingCriteria,
}

/// Whether the window's record meets the criteria.
pub fn passes(window: &MonthBucket, criteria: &VettingCriteria) -> bool {
    match *criteria {
        VettingCriteria::Thresholds {
            min_on_time_rate,
            max_dispute_rate,
            max_refund_rate,
            min_response_rate,
        } => {
            window.on_time_rate() >= min_on_time_rate
                && window.dispute_rate() <= max_dispute_rate
                && window.refund_rate() <= max_refund_rate
                && window.response_rate() >= min_response_rate
        }
        VettingCriteria::RiskScore {
            late,
            dispute,
            refund,
            silence,
            max_score,
        } => risk_score(window, late, dispute, refund, silence) <= max_score,
    }
}

/// The weighted risk score of a window (lower is safer).
pub fn risk_score(window: &MonthBucket, late: f64, dispute: f64, refund: f64, silence: f64) -> f64 {
    late * (1.0 - window.on_time_rate())
        + dispute * window.dispute_rate()
        + refund * window.refund_rate()
        + silence * (1.0 - window.response_rate())
}

/// Reviews one supplier: its new status and the decision that led there.
/// `in_program` is whether it volunteers (when volunteering is required) and
/// its country is eligible.
pub fn review(
    status: SupplierStatus,
    in_program: bool,
    window: &MonthBucket,
    rules: &VettingRules,
) -> (SupplierStatus, Decision) {
    use SupplierStatus::*;
    if !in_program {
        return match status {
            Outside => (Outside, Decision::Keep),
            _ => (Outside, Decision::Withdraw),
        };
    }
    if window.orders_completed < rules.min_orders {
        // Too little history to judge.
        return match (status, rules.new_suppliers) {
            (Outside, NewSupplierRule::Probation) | (Pending, NewSupplierRule::Probation) => {
                (Approved, Decision::Approve)
            }
            (Outside, NewSupplierRule::WaitForHistory) => (Pending, Decision::Enrol),
            (status, _) => (status, Decision::Keep),
        };
    }
    match (status, passes(window, &rules.criteria)) {
        (Approved, true) => (Approved, Decision::Keep),
        (Suspended, true) => (Approved, Decision::Reinstate),
        (Outside | Pending | Rejected, true) => (Approved, Decision::Approve),
        (Approved, false) => (Suspended, Decision::Suspend),
        (Outside | Pending, false) => (Rejected, Decision::Reject),
        (Rejected | Suspended, false) => (status, Decision::Keep),
    }
}

/// The coverage limit of a supplier in `status` with `value_12_months` of
/// completed orders: for an approved supplier the share of its 12-month
/// value between floor and cap (the floor alone while it has too little
/// history, on probation); nothing for anyone else.
pub fn coverage_limit(
    status: SupplierStatus,
    orders_in_window: u32,
    value_12_months: Cents,
    rules: &VettingRules,
    limit: &CoverageLimitRules,
) -> Cents {
    if status != SupplierStatus::Approved {
        return Cents::ZERO;
    }
    if orders_in_window < rules.min_orders {
        return limit.floor;
    }
    value_12_months
        .share(limit.share_bps)
        .clamp(limit.floor, limit.cap)
}

/// The coverage-limit rules, compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoverageLimitRules {
    pub share_bps: u32,
    pub floor: Cents,
    pub cap: Cents,
}

#[cfg(test)]
mod tests {
    use super::*;
    use SupplierStatus::*;

    const THRESHOLDS: VettingCriteria = VettingCriteria::Thresholds {
        min_on_time_rate: 0.9,
        max_dispute_rate: 0.1,
        max_refund_rate: 0.08,
        min_response_rate: 0.6,
    };

    fn rules(new_suppliers: NewSupplierRule) -> VettingRules {
        VettingRules {
            window_months: 6,
            min_orders: 3,
            new_suppliers,
            criteria: THRESHOLDS,
        }
    }

    /// A window of `orders` completed orders with the given bad outcomes and
    /// 10 inquiries of which `answered` were answered.
    fn history(orders: u32, late: u32, disputed: u32, refunded: u32, answered: u32) -> MonthBucket {
        MonthBucket {
            orders_completed: orders,
            orders_on_time: orders - late,
            orders_disputed: disputed,
            orders_refunded: refunded,
            inquiries_received: 10,
            inquiries_answered: answered,
            completed_value_cents: u64::from(orders) * 300_000,
            response_seconds: u64::from(answered) * 3600,
        }
    }

    /// Asserts each (status before, history, rule for new suppliers) ->
    /// (status after, decision) of a supplier still in the program.
    fn assert_reviews(
        cases: &[(
            SupplierStatus,
            &MonthBucket,
            NewSupplierRule,
            (SupplierStatus, Decision),
        )],
    ) {
        for (index, &(before, window, new_suppliers, expected)) in cases.iter().enumerate() {
            assert_eq!(
                review(before, true, window, &rules(new_suppliers)),
                expected,
                "case {index}: {before:?}"
            );
        }
    }

    #[test]
    fn a_clean_history_is_approved_and_kept() {
        let clean = history(20, 1, 1, 0, 9);
        let wait = NewSupplierRule::WaitForHistory;
        assert_reviews(&[
            (Pending, &clean, wait, (Approved, Decision::Approve)),
            (Approved, &clean, wait, (Approved, Decision::Keep)),
            (Rejected, &clean, wait, (Approved, Decision::Approve)),
        ]);
    }

    #[test]
    fn each_threshold_alone_fails_a_supplier() {
        let wait = NewSupplierRule::WaitForHistory;
        for window in [
            history(20, 3, 0, 0, 9), // late
            history(20, 0, 3, 0, 9), // disputes
            history(20, 0, 2, 2, 9), // refunds
            history(20, 0, 0, 0, 5), // silence
        ] {
            assert_reviews(&[
                (Approved, &window, wait, (Suspended, Decision::Suspend)),
                (Pending, &window, wait, (Rejected, Decision::Reject)),
                (Suspended, &window, wait, (Suspended, Decision::Keep)),
            ]);
        }
    }

    #[test]
    fn a_suspended_supplier_that_recovers_is_reinstated() {
        let recovered = history(10, 0, 0, 0, 10);
        assert_reviews(&[(
            Suspended,
            &recovered,
            NewSupplierRule::WaitForHistory,
            (Approved, Decision::Reinstate),
        )]);
    }

    #[test]
    fn new_suppliers_wait_or_go_on_probation() {
        let thin = history(2, 0, 0, 0, 10);
        let (wait, probation) = (NewSupplierRule::WaitForHistory, NewSupplierRule::Probation);
        assert_reviews(&[
            (Outside, &thin, wait, (Pending, Decision::Enrol)),
            (Pending, &thin, wait, (Pending, Decision::Keep)),
            (Outside, &thin, probation, (Approved, Decision::Approve)),
            (Pending, &thin, probation, (Approved, Decision::Approve)),
            // Thin history never reinstates or condemns.
            (Suspended, &thin, probation, (Suspended, Decision::Keep)),
        ]);
    }

    #[test]
    fn leaving_the_program_withdraws_whatever_the_history() {
        let clean = history(20, 0, 0, 0, 10);
        for status in [Pending, Approved, Rejected, Suspended] {
            assert_eq!(
                review(status, false, &clean, &rules(NewSupplierRule::Probation)),
                (Outside, Decision::Withdraw)
            );
        }
        assert_eq!(
            review(Outside, false, &clean, &rules(NewSupplierRule::Probation)),
            (Outside, Decision::Keep)
        );
    }

    #[test]
    fn a_risk_score_weighs_the_rates() {
        let window = history(10, 1, 2, 1, 8);
        // late 0.1, dispute 0.2, refund 0.1, silence 0.2.
        let score = risk_score(&window, 1.0, 1.0, 2.0, 0.5);
        assert!((score - (0.1 + 0.2 + 0.2 + 0.1)).abs() < 1e-12);
        let strict = VettingCriteria::RiskScore {
            late: 1.0,
            dispute: 1.0,
            refund: 2.0,
            silence: 0.5,
            max_score: 0.5,
        };
        let lenient = VettingCriteria::RiskScore {
            late: 1.0,
            dispute: 1.0,
            refund: 2.0,
            silence: 0.5,
            max_score: 0.7,
        };
        assert!(!passes(&window, &strict));
        assert!(passes(&window, &lenient));
    }

    #[test]
    fn the_coverage_limit_follows_volume_between_floor_and_cap() {
        let wait = rules(NewSupplierRule::WaitForHistory);
        let value = |units: i64| Cents::from_cents(units * 100);
        let limit = CoverageLimitRules {
            share_bps: 5000,
            floor: value(10_000),
            cap: value(100_000),
        };
        assert_eq!(
            coverage_limit(Approved, 10, value(60_000), &wait, &limit),
            value(30_000)
        );
        assert_eq!(
            coverage_limit(Approved, 10, value(1_000), &wait, &limit),
            value(10_000),
            "floor"
        );
        assert_eq!(
            coverage_limit(Approved, 10, value(1_000_000), &wait, &limit),
            value(100_000),
            "cap"
        );
        assert_eq!(
            coverage_limit(Approved, 1, value(1_000_000), &wait, &limit),
            value(10_000),
            "probation"
        );
        for status in [Outside, Pending, Rejected, Suspended] {
            assert_eq!(
                coverage_limit(status, 10, value(60_000), &wait, &limit),
                Cents::ZERO,
                "{status:?}"
            );
        }
    }
}
