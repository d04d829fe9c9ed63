//! Named bounds on every size a scenario can ask for.
//!
//! Each bound is far beyond any real program (the largest marketplace has a
//! few hundred thousand suppliers and tens of millions of buyers) yet small
//! enough that memory stays within a machine and no arithmetic overflows:
//! money sums stay below 10^20, far under `Decimal`'s 7.9 * 10^28, and
//! simulated seconds fit easily in a `u64`.
//!
//! Lists are bounded too, so that no check costs more than linear time and
//! no message grows with a hostile file; and memory, which no single bound
//! can cap, is estimated from the whole scenario by
//! [`crate::program::memory::estimate_peak_memory`] and compared with the
//! machine's memory before a run allocates anything.

/// Suppliers across all segments.
pub const SUPPLIERS_MAX: u64 = 10_000_000;
/// Buyers across all segments.
pub const BUYERS_MAX: u64 = 100_000_000;
/// Segments of each kind.
pub const SEGMENTS_MAX: usize = 1_000;
/// Simulated days (100 years).
pub const HORIZON_DAYS_MAX: u32 = 36_525;
/// Inquiries a buyer starts per year, on average.
pub const ORDERS_PER_BUYER_YEAR_MAX: f64 = 10_000.0;
/// Expected inquiries over the whole run (buyers * rate * years).
pub const EXPECTED_INQUIRIES_MAX: f64 = 5_000_000_000.0;
/// Expected orders drawn for suppliers' twelve months of prior history
/// (suppliers * orders_per_month * 12): drawing them takes about a minute
/// at this bound.
pub const EXPECTED_PRIOR_ORDERS_MAX: f64 = 1_000_000_000.0;
/// The largest single order value, in currency units. Bounded
/// distributions are validated against it; a log-normal draw beyond it (its
/// tail has no bound) is capped at it when the order is made.
pub const ORDER_VALUE_MAX: f64 = 1_000_000_000.0;
/// The largest coverage limit or fee threshold, in currency units.
pub const MONEY_RULE_MAX: i64 = 1_000_000_000_000;
/// Any duration a scenario names or draws, in days (10 years).
pub const DURATION_DAYS_MAX: f64 = 3_650.0;
/// Any duration drawn in hours.
pub const DURATION_HOURS_MAX: f64 = DURATION_DAYS_MAX * 24.0;
/// Log-scale standard deviation of a log-normal draw.
pub const LOGNORMAL_SIGMA_MAX: f64 = 4.0;
/// Suppliers asked per inquiry.
pub const INQUIRY_CANDIDATES_MAX: u32 = 32;
/// Completed orders a bust-out fraudster waits before vanishing.
pub const CLEAN_ORDERS_MAX: u32 = 1_000_000;
/// Characters in a scenario or segment name.
pub const NAME_LEN_MAX: usize = 200;
/// Characters in a factor path (`buyers[NAME].field`): room for the
/// longest segment name and field.
pub const FACTOR_PATH_LEN_MAX: usize = 2 * NAME_LEN_MAX;
/// Bytes in a scenario file.
pub const SCENARIO_FILE_BYTES_MAX: u64 = 16 * 1024 * 1024;
/// Basis points in a share (100%).
pub const BASIS_POINTS_MAX: u32 = 10_000;
/// Tolerance when checking that shares sum to 1.
pub const SHARE_SUM_TOLERANCE: f64 = 1e-9;
/// Months a vetting window may span: the per-supplier ring buffer holds twelve.
pub const VETTING_WINDOW_MONTHS_MAX: u32 = 12;
/// Orders a vetting rule may require in the window.
pub const VETTING_MIN_ORDERS_MAX: u32 = 100_000;
/// Dated changes in a timeline.
pub const TIMELINE_ENTRIES_MAX: usize = 1_000;
/// A supplier's price level relative to the market.
pub const PRICE_INDEX_MAX: f64 = 10.0;
/// Orders a month in a supplier's history before the start.
pub const PRIOR_ORDERS_PER_MONTH_MAX: f64 = 1_000.0;
/// The largest weight, in absolute value, of a term of the supplier choice.
pub const CHOICE_WEIGHT_MAX: f64 = 100.0;
/// Entries in a buyer segment's payment mix: each method at most once.
pub const PAYMENT_MIX_ENTRIES_MAX: usize = crate::scenario::PaymentMethod::ALL.len();
/// Entries in `rules.covered_payment_methods`.
pub const COVERED_PAYMENT_METHODS_MAX: usize = crate::scenario::PaymentMethod::ALL.len();
/// Entries in `rules.eligible_countries`: the ISO 3166-1 alpha-2 codes.
pub const ELIGIBLE_COUNTRIES_MAX: usize = 249;
/// Problems one validation reports; the rest are counted, not listed, so a
/// hostile file cannot flood the terminal.
pub const PROBLEMS_MAX: usize = 100;
