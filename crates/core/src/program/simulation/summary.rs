//! What the run leaves for the report beyond its counters: the screening
//! matrix by latent type and the storefronts at the end.

use super::super::money;
use super::*;

impl<'a> Simulation<'a> {
    /// The screening matrix: per latent type, who volunteered and what vetting did with them.
    pub(super) fn screening(&self) -> [ScreeningRow; 4] {
        let mut rows = [ScreeningRow::default(); 4];
        for supplier in &self.population.suppliers {
            let row = &mut rows[supplier.latent_type as usize];
            row.suppliers += 1;
            row.volunteered += u64::from(supplier.volunteered);
            row.ever_approved += u64::from(supplier.status_history & Supplier::EVER_APPROVED != 0);
            match supplier.status {
                SupplierStatus::Outside => row.outside += 1,
                SupplierStatus::Pending => row.pending += 1,
                SupplierStatus::Approved => row.approved += 1,
                SupplierStatus::Rejected => row.rejected += 1,
                SupplierStatus::Suspended => row.suspended += 1,
            }
        }
        rows
    }

    /// What storefronts show at the end of the run.
    pub(super) fn storefront(&self) -> StorefrontSummary {
        let mut summary = StorefrontSummary::default();
        let (mut orders_badged, mut orders_unbadged, mut value_badged_cents) = (0u64, 0u64, 0u64);
        let (mut inquiries, mut answered, mut response_seconds) = (0u64, 0u64, 0u64);
        let mut orders_by_supplier = Vec::with_capacity(self.population.suppliers.len());
        for supplier in &self.population.suppliers {
            let window = supplier.window.last_twelve_months(self.month);
            orders_by_supplier.push(window.orders_completed);
            if supplier.shows_badge() {
                summary.badged_suppliers += 1;
                orders_badged += u64::from(window.orders_completed);
                value_badged_cents += window.completed_value_cents;
            } else {
                summary.unbadged_suppliers += 1;
                orders_unbadged += u64::from(window.orders_completed);
            }
            inquiries += u64::from(window.inquiries_received);
            answered += u64::from(window.inquiries_answered);
            response_seconds += window.response_seconds;
        }
        let mean = |total: u64, count: u64| {
            if count == 0 {
                0.0
            } else {
                total as f64 / count as f64
            }
        };
        summary.mean_orders_badged = mean(orders_badged, summary.badged_suppliers);
        summary.mean_orders_unbadged = mean(orders_unbadged, summary.unbadged_suppliers);
        summary.mean_value_badged = money::mean(
            CentsTotal::from(Cents::from_cents(
                i64::try_from(value_badged_cents).unwrap_or(i64::MAX),
            )),
            summary.badged_suppliers,
        );
        orders_by_supplier.sort_unstable_by(|left, right| right.cmp(left));
        let decile = orders_by_supplier.len().div_ceil(10);
        let top: u64 = orders_by_supplier[..decile]
            .iter()
            .map(|&orders| u64::from(orders))
            .sum();
        let all: u64 = orders_by_supplier
            .iter()
            .map(|&orders| u64::from(orders))
            .sum();
        summary.top_decile_order_share = mean(top, all);
        summary.response_rate = mean(answered, inquiries);
        summary.mean_response_hours = mean(response_seconds, answered) / 3600.0;
        summary
    }
}
