//! What the platform and buyers can observe of a supplier: a rolling window
//! of monthly buckets.
//!
//! The storefront shows 12-month figures and vetting reads the last few
//! months. "The trailing N months" means, everywhere in the model, the N
//! complete calendar months before the current one: the current month is
//! still being written and is never read. A review on the first day of a
//! run with a six-month window therefore reads exactly the six months before
//! the start, and a storefront read at any time in a month shows the twelve
//! whole months before it, the same figures all month long.
//!
//! Each supplier keeps a fixed ring of thirteen monthly buckets (the twelve
//! complete months anything may read, and the current month being written),
//! never a list of past orders: memory per supplier is constant whatever
//! the horizon. Buckets rotate lazily: writing to a newer month clears the
//! months skipped since the last write, and reading ignores buckets outside
//! the window asked for.
//!
//! The ring also keeps the running total of the twelve complete months
//! before its newest month, updated when the ring rotates, so the
//! storefront's 12-month figures, read at every inquiry, cost one copy
//! rather than a sum over the ring. Writes go through [`RollingWindow::add`]
//! so the total can never drift from the buckets.
//!
//! Months are numbered from twelve months before the start of the run
//! ([`MonthIndex::FIRST_SIMULATED`] is the start month), so history drawn for
//! the year before the start fits the same ring.

/// Complete months the ring holds; the longest window anything may read.
pub const WINDOW_MONTHS: u32 = 12;

/// Buckets in the ring: the complete months plus the current one.
const RING_MONTHS: u32 = WINDOW_MONTHS + 1;

/// A calendar month, counted from twelve months before the start month.
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
pub struct MonthIndex(pub u32);

impl MonthIndex {
    /// The month in which the run starts.
    pub const FIRST_SIMULATED: MonthIndex = MonthIndex(WINDOW_MONTHS);
}

/// One month of a supplier's observable record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthBucket {
    pub orders_completed: u32,
    pub orders_on_time: u32,
    pub orders_disputed: u32,
    pub orders_refunded: u32,
    pub inquiries_received: u32,
    pub inquiries_answered: u32,
    /// Value of the completed orders, in cents (exact integer money).
    pub completed_value_cents: u64,
    pub response_seconds: u64,
}

impl MonthBucket {
    fn subtract(&mut self, other: &MonthBucket) {
        self.orders_completed -= other.orders_completed;
        self.orders_on_time -= other.orders_on_time;
        self.orders_disputed -= other.orders_disputed;
        self.orders_refunded -= other.orders_refunded;
        self.inquiries_received -= other.inquiries_received;
        self.inquiries_answered -= other.inquiries_answered;
        self.completed_value_cents -= other.completed_value_cents;
        self.response_seconds -= other.response_seconds;
    }

    fn add(&mut self, other: &MonthBucket) {
        self.orders_completed += other.orders_completed;
        self.orders_on_time += other.orders_on_time;
        self.orders_disputed += other.orders_disputed;
        self.orders_refunded += other.orders_refunded;
        self.inquiries_received += other.inquiries_received;
        self.inquiries_answered += other.inquiries_answered;
        self.completed_value_cents += other.completed_value_cents;
        self.response_seconds += other.response_seconds;
    }

    /// On-time share of completed orders (1 when there are none: no evidence of lateness).
    pub fn on_time_rate(&self) -> f64 {
        share_or(self.orders_on_time, self.orders_completed, 1.0)
    }

    /// Disputed share of completed orders.
    pub fn dispute_rate(&self) -> f64 {
        share_or(self.orders_disputed, self.orders_completed, 0.0)
    }

    /// Refunded share of completed orders.
    pub fn refund_rate(&self) -> f64 {
        share_or(self.orders_refunded, self.orders_completed, 0.0)
    }

    /// Answered share of inquiries received (0 before the first inquiry).
    pub fn response_rate(&self) -> f64 {
        share_or(self.inquiries_answered, self.inquiries_received, 0.0)
    }

    /// Mean hours to answer (0 before the first answer).
    pub fn mean_response_hours(&self) -> f64 {
        if self.inquiries_answered == 0 {
            0.0
        } else {
            self.response_seconds as f64 / 3600.0 / f64::from(self.inquiries_answered)
        }
    }
}

fn share_or(part: u32, whole: u32, empty: f64) -> f64 {
    if whole == 0 {
        empty
    } else {
        f64::from(part) / f64::from(whole)
    }
}

/// Thirteen monthly buckets in a ring: twelve complete months and the current one.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RollingWindow {
    buckets: [MonthBucket; RING_MONTHS as usize],
    newest: MonthIndex,
    /// The sum of the twelve complete months before `newest`.
    complete_total: MonthBucket,
}

impl RollingWindow {
    /// Adds `delta` to the record of `month`, rotating the ring forward if
    /// `month` is newer than anything written so far. Writing to a month
    /// older than the ring holds is a programming error (time does not run
    /// backwards).
    pub fn add(&mut self, month: MonthIndex, delta: &MonthBucket) {
        self.advance_to(month);
        assert!(
            self.newest.0 - month.0 < RING_MONTHS,
            "month {} is older than the window ending at {}",
            month.0,
            self.newest.0
        );
        self.buckets[slot(month.0)].add(delta);
        if month < self.newest {
            // A complete month: it is inside the running total.
            self.complete_total.add(delta);
        }
    }

    /// The bucket `month` is written to, for a prefetch hint.
    pub fn bucket_of(&self, month: MonthIndex) -> &MonthBucket {
        &self.buckets[slot(month.0)]
    }

    /// Asks the memory system for the buckets of `months` months from
    /// `first` on and for the running total: what writing, rotating or
    /// reading those months touches. A hint: it changes nothing.
    #[inline]
    pub fn prefetch(&self, first: MonthIndex, months: u32) {
        for step in 0..months.min(RING_MONTHS) {
            crate::engine::prefetch::prefetch(&self.buckets[slot(first.0 + step)]);
        }
        crate::engine::prefetch::prefetch(&self.newest);
        crate::engine::prefetch::prefetch(&self.complete_total);
    }

    /// Moves the ring forward to end at `month`: one step at a time, the
    /// month that was newest becomes complete and joins the total, and the
    /// month thirteen back leaves it and its bucket is cleared for reuse.
    pub fn advance_to(&mut self, month: MonthIndex) {
        if month <= self.newest {
            return;
        }
        if month.0 - self.newest.0 >= RING_MONTHS {
            // Nothing in the ring is within twelve months of `month`.
            *self = RollingWindow {
                newest: month,
                ..RollingWindow::default()
            };
            return;
        }
        for next in self.newest.0 + 1..=month.0 {
            let completed = self.buckets[slot(next - 1)];
            self.complete_total.add(&completed);
            // `next` and `next - 13` share a slot; the latter leaves the window.
            let expired = &mut self.buckets[slot(next)];
            self.complete_total.subtract(expired);
            *expired = MonthBucket::default();
        }
        self.newest = month;
    }

    /// The sum of the twelve complete months before `current`: what the
    /// storefront shows, and what the coverage limit reads. Constant time
    /// when the ring already ends at `current` (the supplier was written to
    /// this month).
    pub fn last_twelve_months(&self, current: MonthIndex) -> MonthBucket {
        if current == self.newest {
            self.complete_total
        } else {
            self.trailing(current, WINDOW_MONTHS)
        }
    }

    /// The sum of the `months` complete months before `current` (months
    /// `current - months ..= current - 1`), at most twelve.
    pub fn trailing(&self, current: MonthIndex, months: u32) -> MonthBucket {
        let months = months.clamp(1, WINDOW_MONTHS);
        let oldest = current.0.saturating_sub(months);
        let mut total = MonthBucket::default();
        // The ring holds months newest-12..=newest; of those, only the ones
        // inside the window count.
        let ring_oldest = (self.newest.0 + 1).saturating_sub(RING_MONTHS);
        let newest_read = current.0.min(self.newest.0 + 1);
        for month in oldest.max(ring_oldest)..newest_read {
            total.add(&self.buckets[slot(month)]);
        }
        total
    }
}

fn slot(month: u32) -> usize {
    (month % RING_MONTHS) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completed(window: &mut RollingWindow, month: u32, orders: u32) {
        let delta = MonthBucket {
            orders_completed: orders,
            ..MonthBucket::default()
        };
        window.add(MonthIndex(month), &delta);
    }

    #[test]
    fn the_running_total_always_equals_the_sum_of_the_ring() {
        // Writes at irregular months, with gaps longer than the ring, keep
        // the constant-time 12-month figure equal to the sum over buckets.
        let mut window = RollingWindow::default();
        let mut month = 0;
        for step in 0..500u32 {
            month += [0, 0, 1, 3, 13][(step % 5) as usize];
            let delta = MonthBucket {
                orders_completed: step % 7,
                inquiries_received: step % 11,
                inquiries_answered: step % 5,
                completed_value_cents: u64::from(step) * 1_234,
                response_seconds: u64::from(step % 13) * 60,
                ..MonthBucket::default()
            };
            window.add(MonthIndex(month), &delta);
            assert_eq!(
                window.last_twelve_months(MonthIndex(month)),
                window.trailing(MonthIndex(month), 12),
                "step {step}"
            );
            assert_eq!(
                window.last_twelve_months(MonthIndex(month + 5)),
                window.trailing(MonthIndex(month + 5), 12)
            );
        }
    }

    #[test]
    fn a_window_sums_exactly_the_complete_months_before_the_current_one() {
        // Month m holds m + 1 orders, for months 0..=23.
        let mut window = RollingWindow::default();
        for month in 0..24 {
            completed(&mut window, month, month + 1);
        }
        // Read in month 23 (still being written): months 17..=22 hold 18..=23 orders.
        assert_eq!(
            window.trailing(MonthIndex(23), 6).orders_completed,
            (18..=23).sum::<u32>()
        );
        assert_eq!(
            window.trailing(MonthIndex(23), 12).orders_completed,
            (12..=23).sum::<u32>()
        );
        assert_eq!(
            window.last_twelve_months(MonthIndex(23)).orders_completed,
            (12..=23).sum::<u32>()
        );
        assert_eq!(window.trailing(MonthIndex(23), 1).orders_completed, 23);
        // Read in month 24, nothing written yet: months 12..=23 hold 13..=24 orders.
        assert_eq!(
            window.last_twelve_months(MonthIndex(24)).orders_completed,
            (13..=24).sum::<u32>()
        );
        assert_eq!(
            window.trailing(MonthIndex(24), 6).orders_completed,
            (19..=24).sum::<u32>()
        );
    }

    #[test]
    fn a_history_of_the_twelve_months_before_the_start_is_read_whole_at_the_start() {
        // Prior history fills months 0..=11; the run starts in month 12, so a
        // six-month review at the start reads months 6..=11 and the storefront
        // all twelve, both before and after the first write of the run.
        let mut window = RollingWindow::default();
        for month in 0..12 {
            completed(&mut window, month, 1);
        }
        let start = MonthIndex::FIRST_SIMULATED;
        assert_eq!(window.trailing(start, 6).orders_completed, 6);
        assert_eq!(window.last_twelve_months(start).orders_completed, 12);
        completed(&mut window, start.0, 5);
        assert_eq!(window.trailing(start, 6).orders_completed, 6);
        assert_eq!(window.last_twelve_months(start).orders_completed, 12);
        // A month later the start month is complete and month 0 has left.
        let next = MonthIndex(start.0 + 1);
        assert_eq!(window.last_twelve_months(next).orders_completed, 11 + 5);
        completed(&mut window, next.0, 1);
        assert_eq!(window.last_twelve_months(next).orders_completed, 11 + 5);
    }

    #[test]
    fn skipped_months_are_cleared_and_old_months_fall_out() {
        let mut window = RollingWindow::default();
        completed(&mut window, 12, 5);
        completed(&mut window, 13, 7);
        // Nothing is written for months 14..=29; month 30 wraps onto old slots.
        completed(&mut window, 30, 1);
        assert_eq!(window.trailing(MonthIndex(30), 12).orders_completed, 0);
        assert_eq!(window.trailing(MonthIndex(31), 12).orders_completed, 1);
        // Reading later than the newest write sees only what is still in the window.
        assert_eq!(window.trailing(MonthIndex(42), 12).orders_completed, 1);
        assert_eq!(window.trailing(MonthIndex(43), 12).orders_completed, 0);
        assert_eq!(
            window.trailing(MonthIndex(25), 12).orders_completed,
            0,
            "months 13..=24 were cleared"
        );
    }

    #[test]
    fn rates_of_an_empty_window_show_no_evidence_against_the_supplier() {
        let empty = MonthBucket::default();
        assert_eq!(empty.on_time_rate(), 1.0);
        assert_eq!(empty.dispute_rate(), 0.0);
        assert_eq!(empty.refund_rate(), 0.0);
        assert_eq!(empty.response_rate(), 0.0);
        let bucket = MonthBucket {
            orders_completed: 10,
            orders_on_time: 9,
            orders_disputed: 2,
            orders_refunded: 1,
            inquiries_received: 4,
            inquiries_answered: 3,
            response_seconds: 3 * 7200,
            ..MonthBucket::default()
        };
        assert_eq!(bucket.on_time_rate(), 0.9);
        assert_eq!(bucket.dispute_rate(), 0.2);
        assert_eq!(bucket.refund_rate(), 0.1);
        assert_eq!(bucket.response_rate(), 0.75);
        assert_eq!(bucket.mean_response_hours(), 2.0);
    }

    #[test]
    #[should_panic(expected = "older than the window")]
    fn writing_before_the_window_is_a_programming_error() {
        let mut window = RollingWindow::default();
        completed(&mut window, 30, 1);
        completed(&mut window, 17, 1);
    }
}
