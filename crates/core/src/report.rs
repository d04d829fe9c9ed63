//! Reports: the outcome of a run as data, and its digest. The renderings
//! (text, CSV, HTML) live in the render crate.
//!
//! The JSON report is a contract scripts rely on (DESIGN.md section 4): key
//! names and nesting change only with the version. Money is written as
//! decimal strings with exactly two decimals (`"1234.50"`), never as floats.
//! Everything under `outcome` is deterministic; wall-clock figures live in
//! `performance`, outside the digest.

use crate::program::RunOutput;
use crate::program::ledger::LedgerTotals;
use crate::program::metrics::{Cumulative, MonthFigures};
use crate::program::money::{Cents, CentsTotal};
use crate::program::order::ClaimReason;
use crate::scenario::Scenario;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The engine version written into every report; a digest is only
/// comparable between runs of the same version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An amount of money, serialised as a decimal string with two decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Money(pub Decimal);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{:.2}", self.0))
    }
}

/// The report edge of the run's money: whole cents become the two-decimal
/// `Decimal` the contract writes, exactly.
impl From<CentsTotal> for Money {
    fn from(total: CentsTotal) -> Money {
        Money(total.to_decimal())
    }
}

impl From<Cents> for Money {
    fn from(amount: Cents) -> Money {
        Money(amount.to_decimal())
    }
}

impl std::fmt::Display for Money {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:.2}", self.0)
    }
}

/// `numerator / denominator` rounded to six decimals, as a plain number;
/// `None` (JSON `null`) when the denominator is 0: a share of nothing is
/// undefined, and a 0 would read as "none of them", which an average across
/// replications would then count. Computed in decimal, so identical
/// everywhere.
fn ratio(numerator: Decimal, denominator: Decimal) -> Option<f64> {
    if denominator.is_zero() {
        return None;
    }
    Some(
        (numerator / denominator)
            .round_dp(6)
            .to_f64()
            .unwrap_or(0.0),
    )
}

/// [`ratio`] of two amounts of money.
fn money_ratio(numerator: CentsTotal, denominator: CentsTotal) -> Option<f64> {
    ratio(numerator.to_decimal(), denominator.to_decimal())
}

fn count_ratio(numerator: u64, denominator: u64) -> Option<f64> {
    ratio(Decimal::from(numerator), Decimal::from(denominator))
}

/// A seed as the JSON reports write it: a decimal string, since a `u64`
/// above 2^53 loses digits as a JSON number in JavaScript, jq or a
/// spreadsheet, and a seed that reads back different reproduces nothing.
pub fn serialize_seed<S: Serializer>(seed: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(seed)
}

/// What was run: the scenario file, by name and by the SHA-256 of its bytes
/// as they were read, so a report can be matched to the exact file behind
/// it even after the file was edited. Outside `outcome`, so never in the
/// digest (the digest is of what happened, whichever file said so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The path as it was given on the command line.
    pub file: String,
    /// SHA-256 (hex) of the file's bytes.
    pub sha256: String,
}

impl Source {
    /// The source of a scenario read from `file` as `bytes`.
    pub fn new(file: &str, bytes: &[u8]) -> Source {
        Source {
            file: file.to_string(),
            sha256: Sha256::digest(bytes)
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect(),
        }
    }

    /// The first twelve hex digits of the SHA-256: enough to tell files apart by eye.
    pub fn short_sha256(&self) -> &str {
        &self.sha256[..self.sha256.len().min(12)]
    }
}

/// The whole report of one run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    /// The scenario file, when the report was run from one (`None` from code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(serialize_with = "serialize_seed")]
    pub seed: u64,
    pub version: String,
    pub outcome: Outcome,
    /// SHA-256 (hex) of the compact JSON serialisation of `outcome`.
    pub digest: String,
    pub performance: Option<Performance>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub start_date: String,
    pub horizon_days: u32,
    pub currency: String,
    pub population: PopulationOutcome,
    pub inquiries: InquiryOutcome,
    pub orders: OrderOutcome,
    pub gmv: GmvOutcome,
    pub fulfilment: FulfilmentOutcome,
    pub claims: ClaimOutcome,
    pub refunds: RefundOutcome,
    pub risk: RiskOutcome,
    pub suppliers: SupplierOutcome,
    pub vetting: VettingOutcome,
    pub storefront: StorefrontOutcome,
    pub fraud: FraudOutcome,
    pub ledger: LedgerOutcome,
    pub monthly: Vec<MonthOutcome>,
}

/// What vetting did: reviews and decisions, and the screening matrix.
#[derive(Clone, Debug, Serialize)]
pub struct VettingOutcome {
    /// Supplier reviews performed.
    pub reviews: u64,
    /// Approval decisions (new approvals, not reinstatements).
    pub approved: u64,
    pub reinstated: u64,
    pub suspended: u64,
    pub rejected: u64,
    /// Suppliers that left the program (stopped volunteering, or country no longer eligible).
    pub withdrawn: u64,
    pub by_type: ByType<ScreeningOutcome>,
}

/// Screening of one latent type: its suppliers by status at the end of the
/// run (`outside` + `pending` + `approved` + `rejected` + `suspended` =
/// `suppliers`), how many were ever approved, and `approval_rate` =
/// approved at the end / volunteered.
#[derive(Clone, Debug, Serialize)]
pub struct ScreeningOutcome {
    #[serde(flatten)]
    pub screening: crate::program::ScreeningRow,
    pub approval_rate: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ByType<T> {
    pub reliable: T,
    pub average: T,
    pub poor: T,
    pub fraudulent: T,
}

/// Storefront figures at the end of the run, over the last 12 months, and
/// how demand followed the badge.
#[derive(Clone, Debug, Serialize)]
pub struct StorefrontOutcome {
    pub badged_suppliers: u64,
    pub unbadged_suppliers: u64,
    pub mean_12_month_orders_badged: f64,
    pub mean_12_month_orders_unbadged: f64,
    pub mean_12_month_value_badged: Money,
    /// Share of 12-month completed orders held by the busiest tenth of suppliers.
    pub top_decile_order_share: f64,
    pub response_rate: f64,
    pub mean_response_hours: f64,
    /// Orders placed with a supplier showing the badge at contract.
    pub orders_with_badged_supplier: u64,
    /// Their share of all orders placed.
    pub badged_order_share: Option<f64>,
}

/// What bust-out fraud took from buyers, and who bore it.
#[derive(Clone, Debug, Serialize)]
pub struct FraudOutcome {
    pub suppliers_vanished: u64,
    pub orders_not_shipped: u64,
    /// Buyers' payments on orders that never shipped.
    pub value_taken: Money,
    /// Refunded out of escrow: fraud the program caught.
    pub caught_by_escrow: Money,
    /// Advanced by the platform and never recovered.
    pub lost_by_platform: Money,
    /// Never refunded to the buyers.
    pub lost_by_buyers: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct PopulationOutcome {
    pub suppliers: u64,
    pub buyers: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct InquiryOutcome {
    pub total: u64,
    pub unanswered: u64,
    /// Answered inquiries whose contract was not signed by the end: total =
    /// unanswered + orders placed + quoted_at_end.
    pub quoted_at_end: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct OrderOutcome {
    pub placed: u64,
    pub covered: u64,
    pub completed: u64,
    /// Placed and not completed: placed - completed.
    pub open_at_end: u64,
    /// Covered orders placed and not completed at the end.
    pub covered_open_at_end: u64,
    pub in_flight_peak: u64,
    pub partially_covered: u64,
    pub over_coverage_limit: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GmvOutcome {
    pub total: Money,
    pub covered: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct FulfilmentOutcome {
    pub shipped_late: u64,
    pub not_shipped: u64,
    pub nonconforming: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ByReason<T> {
    pub late: T,
    pub quality: T,
    /// Goods both late and defective: one claim with both grounds.
    pub late_and_quality: T,
    pub non_delivery: T,
    pub false_claim: T,
}

impl<T> ByReason<T> {
    fn from_fn(mut value: impl FnMut(ClaimReason) -> T) -> ByReason<T> {
        ByReason {
            late: value(ClaimReason::Late),
            quality: value(ClaimReason::Quality),
            late_and_quality: value(ClaimReason::LateAndQuality),
            non_delivery: value(ClaimReason::NonDelivery),
            false_claim: value(ClaimReason::FalseClaim),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ClaimOutcome {
    pub filed: u64,
    pub by_reason: ByReason<u64>,
    pub settled_in_negotiation: u64,
    pub escalated: u64,
    pub decided: u64,
    pub decided_for_buyer: u64,
    pub decided_wrongly: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct RefundsOfReason {
    pub count: u64,
    pub value: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct RefundOutcome {
    pub count: u64,
    pub value: Money,
    /// Covered orders whose refund outcome became final during the run
    /// (released without a claim, or a claim settled or decided): the
    /// population the rates are shares of.
    pub resolved: u64,
    /// The order value of the resolved covered orders.
    pub resolved_value: Money,
    /// Refunded orders / resolved covered orders (at most 1); `None` when
    /// no covered order was resolved.
    pub rate: Option<f64>,
    /// Refunded value / order value of the resolved covered orders (at
    /// most 1); `None` when no covered order was resolved.
    pub value_rate: Option<f64>,
    pub by_reason: ByReason<RefundsOfReason>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RiskOutcome {
    /// Advances written off as never recoverable.
    pub platform_loss: Money,
    /// Platform loss in basis points of covered GMV; `None` without covered GMV.
    pub loss_bps: Option<f64>,
    pub escrow_peak: Money,
    /// Peak of deposits released before acceptance on orders still open.
    pub exposure_peak: Money,
    /// Breaches nobody refunded: uncovered orders, coverage cut off by the
    /// limit, and refunds the platform did not advance.
    pub buyer_uncovered_loss: Money,
    pub voluntary_supplier_refunds: Money,
    pub advances_outstanding: Money,
}

#[derive(Clone, Debug, Serialize)]
pub struct SupplierOutcome {
    pub total: u64,
    pub volunteered: u64,
    pub approved: u64,
    pub suspended: u64,
    pub vanished: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LedgerOutcome {
    pub paid_into_escrow: Money,
    pub released_to_suppliers: Money,
    pub refunded_from_escrow: Money,
    pub fees: Money,
    pub escrow_end: Money,
    pub advanced_by_platform: Money,
    pub recovered_from_suppliers: Money,
    pub written_off: Money,
    pub advances_outstanding: Money,
    pub paid_directly_to_suppliers: Money,
    pub refunded_by_suppliers: Money,
}

impl LedgerOutcome {
    fn new(ledger: &LedgerTotals) -> LedgerOutcome {
        LedgerOutcome {
            paid_into_escrow: Money::from(ledger.paid_into_escrow),
            released_to_suppliers: Money::from(ledger.released_to_suppliers),
            refunded_from_escrow: Money::from(ledger.refunded_from_escrow),
            fees: Money::from(ledger.fees),
            escrow_end: Money::from(ledger.escrow_balance),
            advanced_by_platform: Money::from(ledger.advanced_by_platform),
            recovered_from_suppliers: Money::from(ledger.recovered_from_suppliers),
            written_off: Money::from(ledger.written_off),
            advances_outstanding: Money::from(ledger.advances_outstanding),
            paid_directly_to_suppliers: Money::from(ledger.paid_directly_to_suppliers),
            refunded_by_suppliers: Money::from(ledger.refunded_by_suppliers),
        }
    }
}

/// One calendar month's flows and its end-of-month levels.
#[derive(Clone, Debug, Serialize)]
pub struct MonthOutcome {
    pub month: String,
    pub days: u32,
    pub inquiries: u64,
    pub orders_placed: u64,
    pub orders_covered: u64,
    pub orders_completed: u64,
    pub gmv: Money,
    pub gmv_covered: Money,
    /// Covered GMV / GMV of the month's orders.
    pub covered_share: Option<f64>,
    pub claims_filed: u64,
    /// Covered orders whose refund outcome became final this month.
    pub covered_orders_resolved: u64,
    pub refunds_count: u64,
    pub refunds_value: Money,
    pub refunds_by_reason: ByReason<RefundsOfReason>,
    pub platform_loss: Money,
    pub buyer_uncovered_loss: Money,
    pub paid_into_escrow: Money,
    pub released_to_suppliers: Money,
    pub refunded_from_escrow: Money,
    pub fees: Money,
    pub advanced_by_platform: Money,
    pub recovered_from_suppliers: Money,
    pub escrow_end: Money,
    pub exposure_end: Money,
    pub orders_in_flight_end: u64,
    pub approved_suppliers: u64,
}

fn refunds_by_reason(flows: &Cumulative) -> ByReason<RefundsOfReason> {
    ByReason::from_fn(|reason| RefundsOfReason {
        count: flows.refunds_count[reason.index()],
        value: Money::from(flows.refunds_value[reason.index()]),
    })
}

impl MonthOutcome {
    fn new(month: &MonthFigures) -> MonthOutcome {
        let flows = &month.flows;
        let ledger = &month.ledger_flows;
        MonthOutcome {
            month: month.month.clone(),
            days: month.days,
            inquiries: flows.inquiries,
            orders_placed: flows.orders_placed,
            orders_covered: flows.orders_covered,
            orders_completed: flows.orders_completed,
            gmv: Money::from(flows.gmv),
            gmv_covered: Money::from(flows.gmv_covered),
            covered_share: money_ratio(flows.gmv_covered, flows.gmv),
            claims_filed: flows.claims_total(),
            covered_orders_resolved: flows.covered_orders_resolved,
            refunds_count: flows.refunds_total(),
            refunds_value: Money::from(flows.refunds_value_total()),
            refunds_by_reason: refunds_by_reason(flows),
            platform_loss: Money::from(ledger.written_off),
            buyer_uncovered_loss: Money::from(flows.buyer_uncovered_loss),
            paid_into_escrow: Money::from(ledger.paid_into_escrow),
            released_to_suppliers: Money::from(ledger.released_to_suppliers),
            refunded_from_escrow: Money::from(ledger.refunded_from_escrow),
            fees: Money::from(ledger.fees),
            advanced_by_platform: Money::from(ledger.advanced_by_platform),
            recovered_from_suppliers: Money::from(ledger.recovered_from_suppliers),
            escrow_end: Money::from(month.escrow_end),
            exposure_end: Money::from(month.exposure_end),
            orders_in_flight_end: month.orders_in_flight_end,
            approved_suppliers: month.approved_suppliers_end,
        }
    }
}

/// Wall-clock figures of a run; not part of the outcome or its digest.
#[derive(Clone, Debug, Serialize)]
pub struct Performance {
    pub wall_ms: u64,
    pub events: u64,
    pub events_per_sec: u64,
    pub settlements: u64,
    pub settlements_per_sec: u64,
    pub settle_latency_ns: LatencyPercentiles,
    pub peak_rss_bytes: Option<u64>,
}

/// Percentiles of sampled settlement latencies, in nanoseconds.
#[derive(Clone, Debug, Serialize)]
pub struct LatencyPercentiles {
    pub p50: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    /// Settlements timed (one in `SETTLEMENT_SAMPLE_EVERY`).
    pub samples: u64,
}

impl Performance {
    /// Figures from a run that took `wall_ns` of wall time.
    pub fn new(output: &RunOutput, wall_ns: u64, peak_rss_bytes: Option<u64>) -> Performance {
        let per_second = |count: u64| {
            if wall_ns == 0 {
                0
            } else {
                (u128::from(count) * 1_000_000_000 / u128::from(wall_ns)) as u64
            }
        };
        let histogram = &output.settle_latency_ns;
        Performance {
            wall_ms: wall_ns / 1_000_000,
            events: output.events_processed,
            events_per_sec: per_second(output.events_processed),
            settlements: output.totals.settlements,
            settlements_per_sec: per_second(output.totals.settlements),
            settle_latency_ns: LatencyPercentiles {
                p50: histogram.value_at_quantile(0.50),
                p99: histogram.value_at_quantile(0.99),
                p999: histogram.value_at_quantile(0.999),
                max: histogram.max(),
                samples: histogram.len(),
            },
            peak_rss_bytes,
        }
    }
}

fn round6(value: f64) -> f64 {
    // Figures computed in floats from integer counts are rounded to six
    // decimals so the JSON stays short; the inputs are exact, so the
    // rounding is identical everywhere.
    (value * 1e6).round() / 1e6
}

impl Outcome {
    pub fn new(scenario: &Scenario, output: &RunOutput) -> Outcome {
        let totals = &output.totals;
        let screening = |row: &crate::program::ScreeningRow| ScreeningOutcome {
            screening: *row,
            approval_rate: count_ratio(row.approved, row.volunteered),
        };
        let storefront = &output.storefront;
        let ledger = &output.ledger;
        let refunded_orders = totals.refunds_total();
        Outcome {
            start_date: scenario.start_date.to_string(),
            horizon_days: scenario.horizon_days,
            currency: scenario.currency.clone(),
            population: PopulationOutcome {
                suppliers: output.suppliers_total,
                buyers: output.buyers_total,
            },
            inquiries: InquiryOutcome {
                total: totals.inquiries,
                unanswered: totals.inquiries_unanswered,
                quoted_at_end: output.quotes_open_at_end,
            },
            orders: OrderOutcome {
                placed: totals.orders_placed,
                covered: totals.orders_covered,
                completed: totals.orders_completed,
                open_at_end: output.orders_open_at_end,
                covered_open_at_end: totals.orders_covered - totals.covered_orders_completed,
                in_flight_peak: output.orders_in_flight_peak,
                partially_covered: totals.orders_partially_covered,
                over_coverage_limit: totals.orders_over_coverage_limit,
            },
            gmv: GmvOutcome {
                total: Money::from(totals.gmv),
                covered: Money::from(totals.gmv_covered),
            },
            fulfilment: FulfilmentOutcome {
                shipped_late: totals.shipped_late,
                not_shipped: totals.not_shipped,
                nonconforming: totals.nonconforming,
            },
            claims: ClaimOutcome {
                filed: totals.claims_total(),
                by_reason: ByReason::from_fn(|reason| totals.claims_filed[reason.index()]),
                settled_in_negotiation: totals.claims_settled_in_negotiation,
                escalated: totals.claims_escalated,
                decided: totals.decisions,
                decided_for_buyer: totals.decisions_for_buyer,
                decided_wrongly: totals.decisions_wrong,
            },
            refunds: RefundOutcome {
                count: refunded_orders,
                value: Money::from(totals.refunds_value_total()),
                resolved: totals.covered_orders_resolved,
                resolved_value: Money::from(totals.covered_value_resolved),
                rate: count_ratio(refunded_orders, totals.covered_orders_resolved),
                value_rate: money_ratio(
                    totals.refunds_value_total(),
                    totals.covered_value_resolved,
                ),
                by_reason: refunds_by_reason(totals),
            },
            risk: RiskOutcome {
                platform_loss: Money::from(ledger.written_off),
                loss_bps: ratio(
                    ledger.written_off.to_decimal() * Decimal::from(10_000),
                    totals.gmv_covered.to_decimal(),
                ),
                escrow_peak: Money::from(ledger.escrow_peak),
                exposure_peak: Money::from(output.exposure_peak),
                buyer_uncovered_loss: Money::from(totals.buyer_uncovered_loss),
                voluntary_supplier_refunds: Money::from(totals.voluntary_refunds),
                advances_outstanding: Money::from(ledger.advances_outstanding),
            },
            suppliers: SupplierOutcome {
                total: output.suppliers_total,
                volunteered: output.suppliers_volunteered,
                approved: output.suppliers_approved,
                suspended: output.suppliers_suspended,
                vanished: totals.suppliers_vanished,
            },
            vetting: VettingOutcome {
                reviews: totals.reviews,
                approved: totals.approvals,
                reinstated: totals.reinstatements,
                suspended: totals.suspensions,
                rejected: totals.rejections,
                withdrawn: totals.withdrawals,
                by_type: ByType {
                    reliable: screening(&output.screening[0]),
                    average: screening(&output.screening[1]),
                    poor: screening(&output.screening[2]),
                    fraudulent: screening(&output.screening[3]),
                },
            },
            storefront: StorefrontOutcome {
                badged_suppliers: storefront.badged_suppliers,
                unbadged_suppliers: storefront.unbadged_suppliers,
                mean_12_month_orders_badged: round6(storefront.mean_orders_badged),
                mean_12_month_orders_unbadged: round6(storefront.mean_orders_unbadged),
                mean_12_month_value_badged: Money::from(storefront.mean_value_badged),
                top_decile_order_share: round6(storefront.top_decile_order_share),
                response_rate: round6(storefront.response_rate),
                mean_response_hours: round6(storefront.mean_response_hours),
                orders_with_badged_supplier: totals.orders_with_badged_supplier,
                badged_order_share: count_ratio(
                    totals.orders_with_badged_supplier,
                    totals.orders_placed,
                ),
            },
            fraud: FraudOutcome {
                suppliers_vanished: totals.suppliers_vanished,
                orders_not_shipped: totals.not_shipped,
                value_taken: Money::from(totals.fraud_value_taken),
                caught_by_escrow: Money::from(totals.fraud_caught_by_escrow),
                lost_by_platform: Money::from(totals.fraud_lost_by_platform),
                lost_by_buyers: Money::from(totals.fraud_lost_by_buyers),
            },
            ledger: LedgerOutcome::new(ledger),
            monthly: output.months.iter().map(MonthOutcome::new).collect(),
        }
    }

    /// SHA-256 (hex) of the canonical serialisation: compact JSON of this
    /// struct, whose field order is fixed by its declaration.
    pub fn digest(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("an outcome always serialises");
        let hash = Sha256::digest(&canonical);
        hash.iter().map(|byte| format!("{byte:02x}")).collect()
    }
}

impl Report {
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        output: &RunOutput,
        performance: Option<Performance>,
    ) -> Report {
        let outcome = Outcome::new(scenario, output);
        let digest = outcome.digest();
        Report {
            scenario: scenario.name.clone(),
            source: None,
            seed,
            version: VERSION.to_string(),
            outcome,
            digest,
            performance,
        }
    }

    /// The report, recording the scenario file it was run from.
    pub fn with_source(mut self, source: Source) -> Report {
        self.source = Some(source);
        self
    }

    /// Pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a report always serialises");
        json.push('\n');
        json
    }
}
