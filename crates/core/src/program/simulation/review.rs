//! Vetting reviews of every supplier, and the timeline's rule changes
//! that call for them.

use super::*;
use crate::program::history::WINDOW_MONTHS;

impl<'a> Simulation<'a> {
    /// Reviews every supplier against the vetting rules in force, and sets
    /// each approved supplier's coverage limit from its trailing volume.
    ///
    /// The pass asks for the lines of the supplier a few ahead of the one
    /// it reviews: a record is 600 bytes, of which a review touches a few
    /// scattered lines (its first, the months of its window and its
    /// running total), which the processor does not fetch ahead by itself.
    pub(super) fn review_all(&mut self) {
        const AHEAD: usize = 8;
        let rules = &self.rules;
        let month = self.month;
        let window_months = rules.vetting.window_months.clamp(1, WINDOW_MONTHS);
        let window_start = MonthIndex(month.0.saturating_sub(window_months));
        let mut approved = 0;
        let segments = &self.scenario.buyers;
        let suppliers = &mut self.population.suppliers;
        for index in 0..suppliers.len() {
            if let Some(coming) = suppliers.get(index + AHEAD) {
                crate::engine::prefetch::prefetch_first_line(coming);
                coming.window.prefetch(window_start, window_months);
            }
            let supplier = &mut suppliers[index];
            let in_program = rules.admits(supplier);
            if supplier.status == SupplierStatus::Outside && !in_program {
                continue;
            }
            self.totals.reviews += 1;
            let window = supplier.window.trailing(month, rules.vetting.window_months);
            let (status, decision) =
                vetting::review(supplier.status, in_program, &window, &rules.vetting);
            match decision {
                Decision::Approve => {
                    self.totals.approvals += 1;
                    supplier.status_history |= Supplier::EVER_APPROVED;
                }
                Decision::Reinstate => self.totals.reinstatements += 1,
                Decision::Suspend => self.totals.suspensions += 1,
                Decision::Reject => self.totals.rejections += 1,
                Decision::Withdraw => self.totals.withdrawals += 1,
                Decision::Keep | Decision::Enrol => {}
            }
            if status != supplier.status {
                // The badge is all a review changes of what a storefront
                // shows; the views follow it.
                supplier.status = status;
                self.views
                    .refresh(index, supplier, segments, month, &self.log1p_counts);
            }
            let value_12_months = Cents::from_cents(
                i64::try_from(
                    supplier
                        .window
                        .last_twelve_months(month)
                        .completed_value_cents,
                )
                .unwrap_or(i64::MAX),
            );
            supplier.coverage_limit = vetting::coverage_limit(
                status,
                window.orders_completed,
                value_12_months,
                &rules.vetting,
                &rules.coverage_limit,
            );
            approved += u64::from(status == SupplierStatus::Approved);
        }
        self.approved_suppliers = approved;
    }

    pub(super) fn schedule_timeline(&mut self) {
        for (index, entry) in self.scenario.timeline.iter().enumerate() {
            let days = self.scenario.start_date.days_until(entry.date);
            let time = SimTime(days as u64 * SECONDS_PER_DAY);
            if time < self.end {
                self.schedule(time, EventKind::RuleChange, OrderSlot(index as u32));
            }
        }
    }

    /// Applies timeline entry `index`. A change that can alter who is in the
    /// program (eligibility, volunteering, vetting, coverage limits) is
    /// followed at once by a review, so it takes effect from this second.
    pub(super) fn change_rules(&mut self, index: usize) {
        let scenario: &'a Scenario = self.scenario;
        self.apply_change(&scenario.timeline[index]);
    }

    /// Applies a dated change of the program, from this second: a
    /// timeline entry, or the change of rules of a run resumed under
    /// another scenario's rules (see `snapshot.rs`).
    pub(super) fn apply_change(&mut self, entry: &crate::scenario::TimelineEntry) {
        self.rules_in_force.apply(&entry.rules);
        self.rules = CompiledRules::new(&self.rules_in_force);
        if !entry.volunteer_probability.is_empty() {
            // The new probability of each segment the entry names (the last
            // one given wins), then one pass over the suppliers.
            let scenario: &'a Scenario = self.scenario;
            let segment_of: std::collections::BTreeMap<&str, usize> = scenario
                .suppliers
                .iter()
                .enumerate()
                .map(|(index, segment)| (segment.name.as_str(), index))
                .collect();
            let mut changed = vec![false; scenario.suppliers.len()];
            for (segment_name, probability) in &entry.volunteer_probability {
                if let Some(&segment_index) = segment_of.get(segment_name.as_str()) {
                    self.volunteer_probability[segment_index] = *probability;
                    changed[segment_index] = true;
                }
            }
            for supplier in &mut self.population.suppliers {
                let segment_index = usize::from(supplier.segment_index);
                if changed[segment_index] {
                    supplier.volunteered =
                        supplier.volunteer_draw < self.volunteer_probability[segment_index];
                }
            }
        }
        if !entry.volunteer_probability.is_empty() || entry.rules.changes_membership() {
            self.review_all();
        }
    }
}
