//! Pieces of the scenarios the checks are designed around.
//!
//! Each check writes its own scenario in full (suppliers, buyers, the
//! behaviour, the rules under test); these helpers only spare it the
//! parts that are the same everywhere: one behaviour for all four latent
//! types, and a program that takes every supplier in at once and never
//! judges or limits it.

use escrowsim::scenario::Scenario;

/// The same behaviour for every latent type, so the type mix cannot matter.
pub fn every_type(behaviour: &str) -> String {
    format!(
        "(reliable: {behaviour}, average: {behaviour}, poor: {behaviour}, fraudulent: {behaviour})"
    )
}

/// Rules that keep vetting and coverage limits out of the way: every
/// volunteering supplier of an eligible country is approved at the opening
/// review (probation), no history can fail the thresholds, and the
/// coverage limit is out of reach.
pub const OPEN_PROGRAM: &str = r#"
        vetting_new_suppliers: Probation,
        vetting_criteria: Thresholds(min_on_time_rate: 0.0, max_dispute_rate: 1.0, max_refund_rate: 1.0, min_response_rate: 0.0),
        coverage_limit_floor: "1000000000.00",
        coverage_limit_cap: "1000000000.00","#;

/// Vetting out of the way as in [`OPEN_PROGRAM`], the coverage limit left
/// to the caller.
pub const OPEN_VETTING: &str = r#"
        vetting_new_suppliers: Probation,
        vetting_criteria: Thresholds(min_on_time_rate: 0.0, max_dispute_rate: 1.0, max_refund_rate: 1.0, min_response_rate: 0.0),"#;

/// Parses a check's scenario, naming the check if it is invalid.
pub fn scenario(name: &str, text: &str) -> Scenario {
    escrowsim::scenario::parse_scenario(text, &format!("validity-{name}.ron"))
        .unwrap_or_else(|error| panic!("the scenario of validity check {name} is invalid: {error}"))
}
