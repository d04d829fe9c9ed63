//! The double-entry escrow ledger of the simulator.
//!
//! Every movement of money in a run goes through [`Ledger`]: a buyer paying into
//! escrow, escrow releasing to a supplier (minus the platform's fee) or refunding
//! the buyer, the platform advancing a refund that escrow no longer covers, the
//! supplier repaying (or never repaying) that advance, and the flows of uncovered
//! orders that bypass escrow. Each operation is one or two transfers between the
//! five [`Account`]s; a transfer debits one account and credits another by the same
//! amount, so the sum of all balances is zero at all times (double entry).
//! Balances are signed net positions: the buyers' balance goes negative when they
//! pay into escrow, and the escrow balance is the money currently held.
//!
//! # Two-phase holds live in the caller's order slot
//!
//! Escrow is two-phase: money is first held ([`Ledger::hold`]), then either posted
//! to the supplier ([`Ledger::post`]) or voided back to the buyer
//! ([`Ledger::void`]), possibly in several partial steps. The per-order pending
//! amount is an [`EscrowHold`] stored inside the order's slot, which the caller
//! owns, and passed to the ledger by `&mut`. This keeps the hot path free of any
//! map keyed by order id (no hashing, no allocation, no lookup) and ties the hold's
//! lifetime to the order's. The ledger itself keeps only aggregates; it therefore
//! cannot enumerate holds, and checking that the escrow balance equals the sum of
//! all live holds is offered to the caller as [`Ledger::verify_holds`]. The hold's
//! field is private, so only the ledger can change it; a hold is `Copy` (eight
//! bytes) for cheap slot moves, and a stale copy that is posted twice would drive the escrow balance
//! negative, which the invariant checks catch.
//!
//! # Checking strategy
//!
//! * Preconditions are always asserted (also in release builds), because a caller
//!   bug here would silently corrupt money: every amount is non-negative and in
//!   cents, a fee never exceeds the amount it is taken from, a post or void never
//!   exceeds the hold's pending amount (escrow never goes negative per order), and
//!   a recovery or write-off never exceeds the advances outstanding. These are a
//!   handful of comparisons and cost a few nanoseconds; the panic messages name the
//!   violated precondition and the amounts involved, and the message is formatted
//!   only on the panic path.
//! * The full conservation check ([`Ledger::verify`]: sum of balances is zero,
//!   every account balance matches the cumulative flows, the escrow and advance
//!   identities hold) sums and compares about twenty amounts, several times the
//!   cost of a transfer. It runs after every operation only in debug builds (as a
//!   debug assertion), so tests and debug runs pinpoint the first offending call.
//!   In release builds the settlement path must stay near tens of nanoseconds, so
//!   there the full check runs only when the engine calls [`Ledger::verify`], at
//!   month ends and at the end of a run. The trade-off is that a release build
//!   detects a corruption up to a month after it happened; because the simulator
//!   is deterministic, rerunning the same seed in a debug build finds the call.
//!
//! # Amounts: whole cents, at two widths
//!
//! Every amount crosses the ledger's API as [`Cents`] (see `money.rs`):
//! whole cents in an `i64`, so "at most two decimal places" holds by the
//! type rather than by a check. Inside, a hold's pending amount is the same
//! `i64` of cents, and balances and cumulative totals are whole cents in an
//! `i128`, read back as [`CentsTotal`]: a total over a whole run can pass
//! `i64`, a single amount cannot. Integer addition and subtraction of cents
//! are exact, and a cent sum is one or two machine instructions, which is
//! what the settlement path is mostly made of.
//!
//! A zero amount is allowed and is a complete no-op: it is still checked against
//! the preconditions, but it moves nothing and is not counted.
//! [`Ledger::transfer_count`] counts non-zero legs, i.e. actual movements between
//! two accounts: a post with both a net amount and a fee counts two, a write-off
//! (which moves no money) counts none.
//!
//! Overflow: scenario validation upstream bounds single amounts (an order value
//! of at most 10^9 currency units, 10^11 cents, far inside a hold's `i64`) and
//! run lengths so that every balance and cumulative total stays below 10^20
//! currency units (10^22 cents), far inside `i128` and inside the range the
//! report's two-decimal strings are made from. A hold that would pass `i64`
//! panics with its amount rather than wrapping.

use super::money::{Cents, CentsTotal};

/// Whole cents at the width of a run's totals: the unit of the ledger's
/// balances and cumulative flows (see "Amounts").
type TotalCents = i128;

/// Parties whose balances move. Balances are signed net positions; their sum is always zero (double entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Account {
    /// All buyers together; negative when they have paid out more than they got back.
    Buyers,
    /// All suppliers together.
    Suppliers,
    /// Money held in escrow for live orders; never negative.
    Escrow,
    /// Fees earned by the platform.
    PlatformRevenue,
    /// The platform's own funds used for advances; negative while advances are outstanding or lost.
    PlatformFunds,
}

impl Account {
    /// Every account, in index order.
    pub const ALL: [Account; 5] = [
        Account::Buyers,
        Account::Suppliers,
        Account::Escrow,
        Account::PlatformRevenue,
        Account::PlatformFunds,
    ];

    /// Index into the balance array; the enum is fieldless with five variants, so
    /// indexing `[TotalCents; 5]` with it can never be out of bounds.
    #[inline]
    const fn index(self) -> usize {
        self as usize
    }
}

/// The escrow held for one order: two-phase (pending, then post = release to the supplier, or void = refund to the buyer; partial post/void allowed). Lives inside the order's slot, owned by the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EscrowHold {
    pending_cents: i64,
}

impl EscrowHold {
    /// A hold with nothing pending.
    pub const EMPTY: EscrowHold = EscrowHold { pending_cents: 0 };

    /// Amount still held for this order, neither posted nor voided yet.
    #[inline]
    pub fn pending(&self) -> Cents {
        Cents::from_cents(self.pending_cents)
    }

    /// Whether nothing is held for this order (never held, or fully settled).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.pending_cents == 0
    }
}

/// Cumulative flows, in whole cents. Field names are a contract used by the JSON report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerTotals {
    pub paid_into_escrow: CentsTotal,
    /// Net of fees.
    pub released_to_suppliers: CentsTotal,
    pub refunded_from_escrow: CentsTotal,
    pub fees: CentsTotal,
    /// Equals the sum of pending of live holds.
    pub escrow_balance: CentsTotal,
    /// Maximum escrow_balance ever seen.
    pub escrow_peak: CentsTotal,
    pub advanced_by_platform: CentsTotal,
    pub recovered_from_suppliers: CentsTotal,
    /// Advances never recovered: the platform's loss.
    pub written_off: CentsTotal,
    /// advanced - recovered - written_off.
    pub advances_outstanding: CentsTotal,
    /// Uncovered orders: buyer pays supplier, no escrow.
    pub paid_directly_to_suppliers: CentsTotal,
    /// Supplier refunds buyer directly (outside escrow).
    pub refunded_by_suppliers: CentsTotal,
}

/// [`LedgerTotals`] as the ledger keeps them: in cents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct CentTotals {
    paid_into_escrow: TotalCents,
    released_to_suppliers: TotalCents,
    refunded_from_escrow: TotalCents,
    fees: TotalCents,
    escrow_balance: TotalCents,
    escrow_peak: TotalCents,
    advanced_by_platform: TotalCents,
    recovered_from_suppliers: TotalCents,
    written_off: TotalCents,
    advances_outstanding: TotalCents,
    paid_directly_to_suppliers: TotalCents,
    refunded_by_suppliers: TotalCents,
}

impl CentTotals {
    fn to_totals(self) -> LedgerTotals {
        LedgerTotals {
            paid_into_escrow: total(self.paid_into_escrow),
            released_to_suppliers: total(self.released_to_suppliers),
            refunded_from_escrow: total(self.refunded_from_escrow),
            fees: total(self.fees),
            escrow_balance: total(self.escrow_balance),
            escrow_peak: total(self.escrow_peak),
            advanced_by_platform: total(self.advanced_by_platform),
            recovered_from_suppliers: total(self.recovered_from_suppliers),
            written_off: total(self.written_off),
            advances_outstanding: total(self.advances_outstanding),
            paid_directly_to_suppliers: total(self.paid_directly_to_suppliers),
            refunded_by_suppliers: total(self.refunded_by_suppliers),
        }
    }

    /// Every field with its report name, so checks can iterate without allocating.
    fn named_fields(&self) -> [(&'static str, TotalCents); 12] {
        [
            ("paid_into_escrow", self.paid_into_escrow),
            ("released_to_suppliers", self.released_to_suppliers),
            ("refunded_from_escrow", self.refunded_from_escrow),
            ("fees", self.fees),
            ("escrow_balance", self.escrow_balance),
            ("escrow_peak", self.escrow_peak),
            ("advanced_by_platform", self.advanced_by_platform),
            ("recovered_from_suppliers", self.recovered_from_suppliers),
            ("written_off", self.written_off),
            ("advances_outstanding", self.advances_outstanding),
            (
                "paid_directly_to_suppliers",
                self.paid_directly_to_suppliers,
            ),
            ("refunded_by_suppliers", self.refunded_by_suppliers),
        ]
    }
}

/// Cents the ledger keeps as the total they are.
#[inline]
fn total(cents: TotalCents) -> CentsTotal {
    CentsTotal::from_cents(cents)
}

/// The cents of `amount`, asserting the precondition shared by every
/// amount: non-negative. `#[track_caller]` makes a panic point at the
/// engine's call site, which is where the bug is.
#[inline(always)]
#[track_caller]
fn checked_cents(op: &'static str, what: &'static str, amount: Cents) -> TotalCents {
    if amount < Cents::ZERO {
        negative(op, what, amount);
    }
    TotalCents::from(amount.cents())
}

#[cold]
#[inline(never)]
#[track_caller]
fn negative(op: &'static str, what: &'static str, amount: Cents) -> ! {
    panic!("ledger::{op}: {what} must be non-negative, got {amount}")
}

/// The double-entry escrow ledger: five account balances, cumulative flows and a
/// transfer counter, all inline so that a settlement touches no heap memory.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    balances: [TotalCents; 5],
    totals: CentTotals,
    transfers: u64,
}

impl Ledger {
    /// An empty ledger: all balances and totals zero.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Buyer pays `amount` into escrow for an order: Buyers -> Escrow; hold.pending += amount.
    #[inline]
    #[track_caller]
    pub fn hold(&mut self, hold: &mut EscrowHold, amount: Cents) {
        let cents = checked_cents("hold", "amount", amount);
        if cents == 0 {
            return;
        }
        let pending = hold
            .pending_cents
            .checked_add(amount.cents())
            .unwrap_or_else(|| {
                panic!(
                    "ledger::hold: {amount} on top of {} exceeds what one hold can keep",
                    hold.pending()
                )
            });
        self.transfer(Account::Buyers, Account::Escrow, cents);
        hold.pending_cents = pending;
        let totals = &mut self.totals;
        totals.paid_into_escrow += cents;
        totals.escrow_balance += cents;
        // Only a hold increases the escrow balance, so the peak needs updating only here.
        totals.escrow_peak = totals.escrow_peak.max(totals.escrow_balance);
        self.changed("hold");
    }

    /// Release `amount` of the hold to the supplier, of which `fee` goes to the platform: Escrow -> Suppliers (amount - fee), Escrow -> PlatformRevenue (fee).
    #[inline]
    #[track_caller]
    pub fn post(&mut self, hold: &mut EscrowHold, amount: Cents, fee: Cents) {
        let amount_cents = checked_cents("post", "amount", amount);
        let fee_cents = checked_cents("post", "fee", fee);
        assert!(
            fee_cents <= amount_cents,
            "ledger::post: fee {fee} exceeds posted amount {amount}"
        );
        assert!(
            amount_cents <= TotalCents::from(hold.pending_cents),
            "ledger::post: amount {amount} exceeds hold pending {} (escrow would go negative for this order)",
            hold.pending()
        );
        if amount_cents == 0 {
            return;
        }
        let net_cents = amount_cents - fee_cents;
        self.transfer(Account::Escrow, Account::Suppliers, net_cents);
        self.transfer(Account::Escrow, Account::PlatformRevenue, fee_cents);
        // In range: at most the pending amount, itself an i64.
        hold.pending_cents -= amount_cents as i64;
        let totals = &mut self.totals;
        totals.released_to_suppliers += net_cents;
        totals.fees += fee_cents;
        totals.escrow_balance -= amount_cents;
        self.changed("post");
    }

    /// Refund `amount` of the hold to the buyer: Escrow -> Buyers.
    #[inline]
    #[track_caller]
    pub fn void(&mut self, hold: &mut EscrowHold, amount: Cents) {
        let cents = checked_cents("void", "amount", amount);
        assert!(
            cents <= TotalCents::from(hold.pending_cents),
            "ledger::void: amount {amount} exceeds hold pending {} (escrow would go negative for this order)",
            hold.pending()
        );
        if cents == 0 {
            return;
        }
        self.transfer(Account::Escrow, Account::Buyers, cents);
        // In range: at most the pending amount, itself an i64.
        hold.pending_cents -= cents as i64;
        let totals = &mut self.totals;
        totals.refunded_from_escrow += cents;
        totals.escrow_balance -= cents;
        self.changed("void");
    }

    /// Platform pays the buyer a refund that escrow no longer holds: PlatformFunds -> Buyers; advances_outstanding += amount.
    #[inline]
    #[track_caller]
    pub fn advance(&mut self, amount: Cents) {
        let cents = checked_cents("advance", "amount", amount);
        if self.moved(cents, Account::PlatformFunds, Account::Buyers) {
            let totals = &mut self.totals;
            totals.advanced_by_platform += cents;
            totals.advances_outstanding += cents;
            self.changed("advance");
        }
    }

    /// Supplier repays an earlier advance: Suppliers -> PlatformFunds; advances_outstanding -= amount.
    #[inline]
    #[track_caller]
    pub fn recover(&mut self, amount: Cents) {
        let cents = self.part_of_advances("recover", amount);
        if self.moved(cents, Account::Suppliers, Account::PlatformFunds) {
            let totals = &mut self.totals;
            totals.recovered_from_suppliers += cents;
            totals.advances_outstanding -= cents;
            self.changed("recover");
        }
    }

    /// An advance is given up as never recoverable (no money moves): advances_outstanding -= amount; written_off += amount.
    #[inline]
    #[track_caller]
    pub fn write_off(&mut self, amount: Cents) {
        let cents = self.part_of_advances("write_off", amount);
        if cents == 0 {
            return;
        }
        // No transfer: the money already left PlatformFunds with the advance; the
        // write-off only reclassifies it from outstanding to lost.
        let totals = &mut self.totals;
        totals.written_off += cents;
        totals.advances_outstanding -= cents;
        self.changed("write_off");
    }

    /// Uncovered order: Buyers -> Suppliers directly.
    #[inline]
    #[track_caller]
    pub fn pay_supplier_directly(&mut self, amount: Cents) {
        let cents = checked_cents("pay_supplier_directly", "amount", amount);
        if self.moved(cents, Account::Buyers, Account::Suppliers) {
            self.totals.paid_directly_to_suppliers += cents;
            self.changed("pay_supplier_directly");
        }
    }

    /// Supplier refunds the buyer directly (outside escrow): Suppliers -> Buyers.
    #[inline]
    #[track_caller]
    pub fn supplier_refund(&mut self, amount: Cents) {
        let cents = checked_cents("supplier_refund", "amount", amount);
        if self.moved(cents, Account::Suppliers, Account::Buyers) {
            self.totals.refunded_by_suppliers += cents;
            self.changed("supplier_refund");
        }
    }

    /// Moves `cents` from `from` to `to`; a zero amount moves nothing and
    /// counts no transfer. Whether anything moved.
    #[inline]
    fn moved(&mut self, cents: TotalCents, from: Account, to: Account) -> bool {
        if cents == 0 {
            return false;
        }
        self.transfer(from, to, cents);
        true
    }

    /// `amount` as cents, checked to be non-negative and at most the
    /// advances outstanding, which a recovery or write-off settles.
    #[inline]
    #[track_caller]
    fn part_of_advances(&self, op: &'static str, amount: Cents) -> TotalCents {
        let cents = checked_cents(op, "amount", amount);
        assert!(
            cents <= self.totals.advances_outstanding,
            "ledger::{op}: amount {amount} exceeds advances outstanding {}",
            total(self.totals.advances_outstanding)
        );
        cents
    }

    /// Signed net position of `account`.
    #[inline]
    pub fn balance(&self, account: Account) -> CentsTotal {
        total(self.balances[account.index()])
    }

    /// Cumulative flows since the ledger was created.
    #[inline]
    pub fn totals(&self) -> LedgerTotals {
        self.totals.to_totals()
    }

    /// Number of non-zero legs moved so far (see the module doc: a post with a fee
    /// counts two, zero amounts and write-offs count none).
    #[inline]
    pub fn transfer_count(&self) -> u64 {
        self.transfers
    }

    /// Full check of every invariant below; returns a description of the first violated one. The engine calls it at month ends and at the end of a run and panics on Err (programmer error).
    ///
    /// Checked, in this order:
    /// 1. the balances sum to zero (double entry);
    /// 2. the escrow account balance equals `totals.escrow_balance` and is non-negative;
    /// 3. `paid_into_escrow == released_to_suppliers + refunded_from_escrow + fees + escrow_balance`;
    /// 4. `advanced_by_platform == recovered_from_suppliers + written_off + advances_outstanding`;
    /// 5. every other account balance equals the net of the flows that touch it;
    /// 6. `escrow_peak >= escrow_balance`;
    /// 7. every total is non-negative (and, being whole cents, has at most two
    ///    decimal places by construction).
    ///
    /// It allocates only to describe a violation.
    pub fn verify(&self) -> Result<(), String> {
        let t = &self.totals;

        let sum: TotalCents = self.balances.iter().sum();
        if sum != 0 {
            return Err(format!(
                "double entry: balances sum to {}, not 0 (balances {:?})",
                total(sum),
                self.balances.map(total)
            ));
        }

        let escrow = self.balances[Account::Escrow.index()];
        if escrow != t.escrow_balance {
            return Err(format!(
                "escrow balance: account holds {} but totals.escrow_balance is {}",
                total(escrow),
                total(t.escrow_balance)
            ));
        }
        if escrow < 0 {
            return Err(format!("escrow balance: {} is negative", total(escrow)));
        }

        let escrow_out =
            t.released_to_suppliers + t.refunded_from_escrow + t.fees + t.escrow_balance;
        if t.paid_into_escrow != escrow_out {
            return Err(format!(
                "escrow identity: paid_into_escrow {} != released_to_suppliers {} + refunded_from_escrow {} + fees {} + escrow_balance {} (= {})",
                total(t.paid_into_escrow),
                total(t.released_to_suppliers),
                total(t.refunded_from_escrow),
                total(t.fees),
                total(t.escrow_balance),
                total(escrow_out)
            ));
        }

        let advance_out = t.recovered_from_suppliers + t.written_off + t.advances_outstanding;
        if t.advanced_by_platform != advance_out {
            return Err(format!(
                "advance identity: advanced_by_platform {} != recovered_from_suppliers {} + written_off {} + advances_outstanding {} (= {})",
                total(t.advanced_by_platform),
                total(t.recovered_from_suppliers),
                total(t.written_off),
                total(t.advances_outstanding),
                total(advance_out)
            ));
        }

        // Each balance is fully determined by the flows; checking all of them
        // catches a transfer booked to the wrong account, which the sum alone cannot.
        let expected = [
            (
                Account::Buyers,
                t.refunded_from_escrow + t.advanced_by_platform + t.refunded_by_suppliers
                    - t.paid_into_escrow
                    - t.paid_directly_to_suppliers,
            ),
            (
                Account::Suppliers,
                t.released_to_suppliers + t.paid_directly_to_suppliers
                    - t.refunded_by_suppliers
                    - t.recovered_from_suppliers,
            ),
            (Account::PlatformRevenue, t.fees),
            (
                Account::PlatformFunds,
                t.recovered_from_suppliers - t.advanced_by_platform,
            ),
        ];
        for (account, want) in expected {
            let have = self.balances[account.index()];
            if have != want {
                return Err(format!(
                    "account balance: {account:?} holds {} but its flows net to {}",
                    total(have),
                    total(want)
                ));
            }
        }

        if t.escrow_peak < t.escrow_balance {
            return Err(format!(
                "escrow peak: escrow_peak {} is below escrow_balance {}",
                total(t.escrow_peak),
                total(t.escrow_balance)
            ));
        }

        for (name, value) in t.named_fields() {
            if value < 0 {
                return Err(format!("non-negative totals: {name} is {}", total(value)));
            }
        }

        Ok(())
    }

    /// Read-only check that `holds` (every live hold of the run) are non-negative
    /// and sum to the escrow balance. The ledger does not own the holds, so only
    /// the caller can run this; it allocates only to describe a violation.
    pub fn verify_holds<'a, I>(&self, holds: I) -> Result<(), String>
    where
        I: IntoIterator<Item = &'a EscrowHold>,
    {
        let mut sum: TotalCents = 0;
        for (i, hold) in holds.into_iter().enumerate() {
            if hold.pending_cents < 0 {
                return Err(format!(
                    "hold non-negative: hold #{i} has pending {}",
                    hold.pending()
                ));
            }
            sum += TotalCents::from(hold.pending_cents);
        }
        if sum != self.totals.escrow_balance {
            return Err(format!(
                "holds sum: live holds sum to {} but escrow_balance is {}",
                total(sum),
                total(self.totals.escrow_balance)
            ));
        }
        Ok(())
    }

    /// Moves `cents` from one account to another and counts the leg. A zero leg
    /// (a post whose fee is zero or equals the amount) is skipped so that the
    /// counter only counts real movements.
    #[inline]
    fn transfer(&mut self, from: Account, to: Account, cents: TotalCents) {
        if cents == 0 {
            return;
        }
        self.balances[from.index()] -= cents;
        self.balances[to.index()] += cents;
        self.transfers += 1;
    }

    /// After an operation that moved money: debug builds check every invariant.
    #[inline]
    #[track_caller]
    fn changed(&mut self, op: &'static str) {
        self.debug_verify(op);
    }

    /// The per-operation debug assertion of the full invariant set. In release
    /// builds `cfg!(debug_assertions)` is false and the whole check compiles away,
    /// keeping the settlement path cheap; `verify()` covers release builds.
    #[inline]
    #[track_caller]
    fn debug_verify(&self, op: &'static str) {
        if cfg!(debug_assertions)
            && let Err(violation) = self.verify()
        {
            panic!("ledger invariant violated after {op}: {violation}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// An amount of `cents` cents, as callers pass them.
    fn d(cents: i64) -> Cents {
        Cents::from_cents(cents)
    }

    /// Checks the conservation identities by hand, independently of `verify()`.
    fn assert_identities(ledger: &Ledger) {
        let t = ledger.totals();
        let sum: CentsTotal = Account::ALL.iter().map(|&a| ledger.balance(a)).sum();
        assert_eq!(sum, CentsTotal::ZERO);
        assert_eq!(ledger.balance(Account::Escrow), t.escrow_balance);
        assert!(t.escrow_balance >= CentsTotal::ZERO);
        assert_eq!(
            t.paid_into_escrow,
            t.released_to_suppliers + t.refunded_from_escrow + t.fees + t.escrow_balance
        );
        assert_eq!(
            t.advanced_by_platform,
            t.recovered_from_suppliers + t.written_off + t.advances_outstanding
        );
        assert_eq!(ledger.verify(), Ok(()));
    }

    #[test]
    fn new_ledger_is_empty_and_consistent() {
        // Goal: a fresh ledger has zero balances, zero totals, no transfers and verifies.
        let ledger = Ledger::new();
        for account in Account::ALL {
            assert_eq!(ledger.balance(account), CentsTotal::ZERO);
        }
        assert_eq!(ledger.totals(), LedgerTotals::default());
        assert_eq!(ledger.transfer_count(), 0);
        assert_identities(&ledger);
    }

    #[test]
    fn account_all_matches_indices() {
        // Goal: ALL lists every account once, in the order of the balance array.
        for (i, account) in Account::ALL.iter().enumerate() {
            assert_eq!(account.index(), i);
        }
    }

    #[test]
    fn hold_moves_buyers_to_escrow() {
        // Goal: hold debits buyers, credits escrow, grows the hold and the escrow totals.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        assert!(h.is_empty());
        ledger.hold(&mut h, d(10_000));
        assert_eq!(h.pending(), d(10_000));
        assert!(!h.is_empty());
        assert_eq!(ledger.balance(Account::Buyers), total(-10_000));
        assert_eq!(ledger.balance(Account::Escrow), total(10_000));
        let t = ledger.totals();
        assert_eq!(t.paid_into_escrow, total(10_000));
        assert_eq!(t.escrow_balance, total(10_000));
        assert_eq!(t.escrow_peak, total(10_000));
        assert_eq!(ledger.transfer_count(), 1);
        assert_identities(&ledger);
    }

    #[test]
    fn post_releases_net_and_fee() {
        // Goal: post splits the amount between supplier (net) and platform revenue (fee).
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(10_000));
        ledger.post(&mut h, d(10_000), d(250));
        assert!(h.is_empty());
        assert_eq!(ledger.balance(Account::Escrow), CentsTotal::ZERO);
        assert_eq!(ledger.balance(Account::Suppliers), total(9_750));
        assert_eq!(ledger.balance(Account::PlatformRevenue), total(250));
        let t = ledger.totals();
        assert_eq!(t.released_to_suppliers, total(9_750));
        assert_eq!(t.fees, total(250));
        assert_eq!(t.escrow_balance, CentsTotal::ZERO);
        assert_eq!(t.escrow_peak, total(10_000));
        assert_eq!(ledger.transfer_count(), 3);
        assert_identities(&ledger);
    }

    #[test]
    fn post_with_zero_fee_or_all_fee_counts_one_leg() {
        // Goal: a post whose fee is zero, or equals the amount, moves one non-zero leg only.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(300));
        ledger.post(&mut h, d(100), Cents::ZERO);
        assert_eq!(ledger.transfer_count(), 2);
        ledger.post(&mut h, d(100), d(100));
        assert_eq!(ledger.transfer_count(), 3);
        assert_eq!(ledger.balance(Account::Suppliers), total(100));
        assert_eq!(ledger.balance(Account::PlatformRevenue), total(100));
        assert_eq!(h.pending(), d(100));
        assert_identities(&ledger);
    }

    #[test]
    fn void_refunds_buyer() {
        // Goal: void returns held money from escrow to the buyers.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(5_000));
        ledger.void(&mut h, d(5_000));
        assert!(h.is_empty());
        assert_eq!(ledger.balance(Account::Buyers), CentsTotal::ZERO);
        assert_eq!(ledger.balance(Account::Escrow), CentsTotal::ZERO);
        let t = ledger.totals();
        assert_eq!(t.refunded_from_escrow, total(5_000));
        assert_eq!(t.escrow_balance, CentsTotal::ZERO);
        assert_eq!(ledger.transfer_count(), 2);
        assert_identities(&ledger);
    }

    #[test]
    fn advance_pays_buyer_from_platform() {
        // Goal: advance moves platform funds to buyers and opens an outstanding advance.
        let mut ledger = Ledger::new();
        ledger.advance(d(700));
        assert_eq!(ledger.balance(Account::PlatformFunds), total(-700));
        assert_eq!(ledger.balance(Account::Buyers), total(700));
        let t = ledger.totals();
        assert_eq!(t.advanced_by_platform, total(700));
        assert_eq!(t.advances_outstanding, total(700));
        assert_eq!(ledger.transfer_count(), 1);
        assert_identities(&ledger);
    }

    #[test]
    fn recover_moves_suppliers_to_platform() {
        // Goal: recover moves supplier money back to platform funds and shrinks the outstanding advance.
        let mut ledger = Ledger::new();
        ledger.advance(d(700));
        ledger.recover(d(200));
        assert_eq!(ledger.balance(Account::Suppliers), total(-200));
        assert_eq!(ledger.balance(Account::PlatformFunds), total(-500));
        let t = ledger.totals();
        assert_eq!(t.recovered_from_suppliers, total(200));
        assert_eq!(t.advances_outstanding, total(500));
        assert_eq!(ledger.transfer_count(), 2);
        assert_identities(&ledger);
    }

    #[test]
    fn write_off_moves_no_money() {
        // Goal: write_off reclassifies an outstanding advance as lost without any transfer.
        let mut ledger = Ledger::new();
        ledger.advance(d(700));
        let before = ledger.clone();
        ledger.write_off(d(700));
        for account in Account::ALL {
            assert_eq!(ledger.balance(account), before.balance(account));
        }
        assert_eq!(ledger.transfer_count(), before.transfer_count());
        let t = ledger.totals();
        assert_eq!(t.written_off, total(700));
        assert_eq!(t.advances_outstanding, CentsTotal::ZERO);
        assert_identities(&ledger);
    }

    #[test]
    fn pay_supplier_directly_bypasses_escrow() {
        // Goal: an uncovered order moves buyer money straight to the supplier, escrow untouched.
        let mut ledger = Ledger::new();
        ledger.pay_supplier_directly(d(1_234));
        assert_eq!(ledger.balance(Account::Buyers), total(-1_234));
        assert_eq!(ledger.balance(Account::Suppliers), total(1_234));
        assert_eq!(ledger.balance(Account::Escrow), CentsTotal::ZERO);
        assert_eq!(ledger.totals().paid_directly_to_suppliers, total(1_234));
        assert_eq!(ledger.totals().paid_into_escrow, CentsTotal::ZERO);
        assert_eq!(ledger.transfer_count(), 1);
        assert_identities(&ledger);
    }

    #[test]
    fn supplier_refund_bypasses_escrow() {
        // Goal: a direct supplier refund moves supplier money straight to the buyer.
        let mut ledger = Ledger::new();
        ledger.pay_supplier_directly(d(1_000));
        ledger.supplier_refund(d(400));
        assert_eq!(ledger.balance(Account::Buyers), total(-600));
        assert_eq!(ledger.balance(Account::Suppliers), total(600));
        assert_eq!(ledger.totals().refunded_by_suppliers, total(400));
        assert_eq!(ledger.transfer_count(), 2);
        assert_identities(&ledger);
    }

    #[test]
    fn partial_post_then_void_rest() {
        // Goal: a hold can be partly posted and the remainder voided, ending empty.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(10_000));
        ledger.post(&mut h, d(6_000), d(120));
        assert_eq!(h.pending(), d(4_000));
        assert_identities(&ledger);
        let rest = h.pending();
        ledger.void(&mut h, rest);
        assert!(h.is_empty());
        let t = ledger.totals();
        assert_eq!(t.released_to_suppliers, total(5_880));
        assert_eq!(t.fees, total(120));
        assert_eq!(t.refunded_from_escrow, total(4_000));
        assert_eq!(t.escrow_balance, CentsTotal::ZERO);
        assert_eq!(ledger.balance(Account::Buyers), total(-6_000));
        assert_identities(&ledger);
    }

    #[test]
    fn full_order_life() {
        // Goal: deposit hold, balance hold, partial refund void and fee-bearing post of
        // the remainder produce the expected balances, with the identities holding after each step.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();

        ledger.hold(&mut h, d(30_000)); // 30% deposit of a 1000.00 order
        assert_identities(&ledger);
        ledger.hold(&mut h, d(70_000)); // balance on shipment
        assert_identities(&ledger);
        assert_eq!(h.pending(), d(100_000));
        ledger.void(&mut h, d(15_000)); // partial refund for a short delivery
        assert_identities(&ledger);
        let rest = h.pending();
        ledger.post(&mut h, rest, d(2_550)); // 3% fee on the 850.00 remainder
        assert_identities(&ledger);

        assert!(h.is_empty());
        assert_eq!(ledger.balance(Account::Buyers), total(-85_000));
        assert_eq!(ledger.balance(Account::Suppliers), total(82_450));
        assert_eq!(ledger.balance(Account::PlatformRevenue), total(2_550));
        assert_eq!(ledger.balance(Account::Escrow), CentsTotal::ZERO);
        let t = ledger.totals();
        assert_eq!(t.paid_into_escrow, total(100_000));
        assert_eq!(t.escrow_peak, total(100_000));
        assert_eq!(ledger.transfer_count(), 5);
        assert_eq!(ledger.verify_holds([&h]), Ok(()));
    }

    #[test]
    fn advance_partial_recover_write_off() {
        // Goal: an advance that is partly recovered and then written off ends with no
        // outstanding advance and the unrecovered part recorded as the platform's loss.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(50_000));
        ledger.post(&mut h, d(50_000), d(1_000));
        assert_identities(&ledger);
        // The buyer disputes after release: escrow is empty, so the platform advances.
        ledger.advance(d(50_000));
        assert_identities(&ledger);
        ledger.recover(d(20_000));
        assert_identities(&ledger);
        ledger.write_off(d(30_000));
        assert_identities(&ledger);

        let t = ledger.totals();
        assert_eq!(t.advanced_by_platform, total(50_000));
        assert_eq!(t.recovered_from_suppliers, total(20_000));
        assert_eq!(t.written_off, total(30_000));
        assert_eq!(t.advances_outstanding, CentsTotal::ZERO);
        // The platform's funds are down by exactly the loss.
        assert_eq!(ledger.balance(Account::PlatformFunds), total(-30_000));
        assert_eq!(ledger.balance(Account::Buyers), CentsTotal::ZERO);
    }

    #[test]
    fn zero_amounts_are_uncounted_no_ops() {
        // Goal: zero amounts (including negative zero) change nothing and are not counted.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, Cents::ZERO);
        ledger.post(&mut h, Cents::ZERO, Cents::ZERO);
        ledger.void(&mut h, Cents::ZERO);
        ledger.advance(Cents::ZERO);
        ledger.recover(Cents::ZERO);
        ledger.write_off(Cents::ZERO);
        ledger.pay_supplier_directly(d(0));
        ledger.supplier_refund(d(0));
        assert_eq!(ledger.transfer_count(), 0);
        assert_eq!(ledger.totals(), LedgerTotals::default());
        assert!(h.is_empty());
        assert_identities(&ledger);
    }

    #[test]
    fn escrow_peak_tracks_maximum() {
        // Goal: escrow_peak is the highest escrow balance seen, not the current one.
        let mut ledger = Ledger::new();
        let mut a = EscrowHold::default();
        let mut b = EscrowHold::default();
        ledger.hold(&mut a, d(500));
        ledger.hold(&mut b, d(300));
        ledger.void(&mut a, d(500));
        ledger.hold(&mut a, d(100));
        assert_eq!(ledger.totals().escrow_balance, total(400));
        assert_eq!(ledger.totals().escrow_peak, total(800));
        assert_eq!(ledger.verify_holds([&a, &b]), Ok(()));
    }

    #[test]
    fn verify_reports_corruption() {
        // Goal: verify names the first violated invariant when state is corrupted.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(1_000));

        // Each corruption, and the invariant verify must name first.
        type Corruption = (fn(&mut Ledger), &'static str);
        let corruptions: [Corruption; 6] = [
            (
                |broken| broken.balances[Account::Buyers.index()] += 1,
                "double entry",
            ),
            (|broken| broken.totals.escrow_balance += 1, "escrow balance"),
            (|broken| broken.totals.fees += 1, "escrow identity"),
            (|broken| broken.totals.written_off += 1, "advance identity"),
            // Booked to the wrong account: the sum is still zero, only the
            // per-account check sees it.
            (
                |broken| {
                    broken.balances[Account::Buyers.index()] += 1_000;
                    broken.balances[Account::Suppliers.index()] -= 1_000;
                },
                "account balance",
            ),
            (|broken| broken.totals.escrow_peak = 1, "escrow peak"),
        ];
        for (corrupt, invariant) in corruptions {
            let mut broken = ledger.clone();
            corrupt(&mut broken);
            let verdict = broken.verify();
            assert!(
                verdict.as_ref().is_err_and(|e| e.starts_with(invariant)),
                "{invariant}: {verdict:?}"
            );
        }

        // A total negative on its own, the identities balanced around it.
        let mut broken = ledger;
        broken.totals.paid_directly_to_suppliers = -1;
        broken.balances[Account::Buyers.index()] += 1;
        broken.balances[Account::Suppliers.index()] -= 1;
        assert!(
            broken
                .verify()
                .is_err_and(|e| e.starts_with("non-negative totals"))
        );
    }

    #[test]
    fn verify_holds_detects_mismatch() {
        // Goal: verify_holds fails when the caller's holds do not sum to the escrow balance.
        let mut ledger = Ledger::new();
        let mut a = EscrowHold::default();
        let b = EscrowHold { pending_cents: 1 };
        ledger.hold(&mut a, d(100));
        assert_eq!(ledger.verify_holds([&a]), Ok(()));
        assert!(
            ledger
                .verify_holds([&a, &b])
                .is_err_and(|e| e.starts_with("holds sum"))
        );
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "ledger invariant violated after hold: escrow identity")]
    fn debug_builds_check_after_every_transfer() {
        // Goal: in debug builds a corrupted ledger is caught at the next operation, not only by verify().
        let mut ledger = Ledger::new();
        ledger.totals.fees += 1;
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(100));
    }

    #[test]
    #[should_panic(expected = "exceeds hold pending")]
    fn post_more_than_pending_panics() {
        // Goal: posting more than the hold's pending amount is rejected.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(100));
        ledger.post(&mut h, d(101), Cents::ZERO);
    }

    #[test]
    #[should_panic(expected = "exceeds hold pending")]
    fn void_more_than_pending_panics() {
        // Goal: voiding more than the hold's pending amount is rejected.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(100));
        ledger.void(&mut h, d(101));
    }

    #[test]
    #[should_panic(expected = "fee 0.02 exceeds posted amount 0.01")]
    fn fee_above_amount_panics() {
        // Goal: a fee larger than the posted amount is rejected.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(100));
        ledger.post(&mut h, d(1), d(2));
    }

    #[test]
    #[should_panic(expected = "amount must be non-negative, got -0.01")]
    fn negative_amount_panics() {
        // Goal: a negative amount is rejected.
        let mut ledger = Ledger::new();
        ledger.advance(d(-1));
    }

    #[test]
    #[should_panic(expected = "fee must be non-negative")]
    fn negative_fee_panics() {
        // Goal: a negative fee is rejected even when it is below the amount.
        let mut ledger = Ledger::new();
        let mut h = EscrowHold::default();
        ledger.hold(&mut h, d(100));
        ledger.post(&mut h, d(100), d(-1));
    }

    #[test]
    #[should_panic(expected = "recover: amount 2.00 exceeds advances outstanding 1.00")]
    fn recover_more_than_outstanding_panics() {
        // Goal: recovering more than is outstanding is rejected.
        let mut ledger = Ledger::new();
        ledger.advance(d(100));
        ledger.recover(d(200));
    }

    #[test]
    #[should_panic(expected = "write_off: amount 0.01 exceeds advances outstanding 0")]
    fn write_off_more_than_outstanding_panics() {
        // Goal: writing off more than is outstanding is rejected.
        let mut ledger = Ledger::new();
        ledger.write_off(d(1));
    }

    const MAX_CENTS: i64 = 1_000_000_000;
    const HOLDS: usize = 4;

    /// One raw operation; its amounts are clamped at run time so that preconditions hold.
    #[derive(Clone, Debug)]
    enum Op {
        Hold(usize, i64),
        Post(usize, i64, i64),
        Void(usize, i64),
        Advance(i64),
        Recover(i64),
        WriteOff(i64),
        Direct(i64),
        SupplierRefund(i64),
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        let cents = || 0..MAX_CENTS;
        prop_oneof![
            3 => (0..HOLDS, cents()).prop_map(|(h, a)| Op::Hold(h, a)),
            3 => (0..HOLDS, cents(), cents()).prop_map(|(h, a, f)| Op::Post(h, a, f)),
            2 => (0..HOLDS, cents()).prop_map(|(h, a)| Op::Void(h, a)),
            1 => cents().prop_map(Op::Advance),
            1 => cents().prop_map(Op::Recover),
            1 => cents().prop_map(Op::WriteOff),
            1 => cents().prop_map(Op::Direct),
            1 => cents().prop_map(Op::SupplierRefund),
        ]
    }

    /// Maps a raw amount into `0..=limit` cents, uniformly enough to hit both
    /// partial and full settlements.
    fn clamp(raw: i64, limit: i64) -> i64 {
        raw % (limit + 1)
    }

    /// The cents of a total that a single amount can hold.
    fn cents_of(value: CentsTotal) -> i64 {
        i64::try_from(value.cents()).unwrap()
    }

    /// Applies `op`, clamped against the current hold and advance state.
    fn apply(ledger: &mut Ledger, holds: &mut [EscrowHold], op: &Op) {
        match *op {
            Op::Hold(h, a) => ledger.hold(&mut holds[h], d(a)),
            Op::Post(h, a, f) => {
                let amount = clamp(a, holds[h].pending().cents());
                let fee = clamp(f, amount);
                ledger.post(&mut holds[h], d(amount), d(fee));
            }
            Op::Void(h, a) => {
                let amount = clamp(a, holds[h].pending().cents());
                ledger.void(&mut holds[h], d(amount));
            }
            Op::Advance(a) => ledger.advance(d(a)),
            Op::Recover(a) => {
                let amount = clamp(a, cents_of(ledger.totals().advances_outstanding));
                ledger.recover(d(amount));
            }
            Op::WriteOff(a) => {
                let amount = clamp(a, cents_of(ledger.totals().advances_outstanding));
                ledger.write_off(d(amount));
            }
            Op::Direct(a) => ledger.pay_supplier_directly(d(a)),
            Op::SupplierRefund(a) => ledger.supplier_refund(d(a)),
        }
    }

    proptest! {
        #[test]
        fn random_operations_keep_invariants(ops in prop::collection::vec(op_strategy(), 0..64)) {
            // Goal: any valid sequence of operations over several holds keeps verify() Ok,
            // the balances summing to zero, no hold negative and escrow equal to the holds' sum.
            let mut ledger = Ledger::new();
            let mut holds = [EscrowHold::default(); HOLDS];
            for op in &ops {
                apply(&mut ledger, &mut holds, op);
                prop_assert_eq!(ledger.verify(), Ok(()));
                let sum: CentsTotal = Account::ALL.iter().map(|&a| ledger.balance(a)).sum();
                prop_assert_eq!(sum, CentsTotal::ZERO);
                for h in &holds {
                    prop_assert!(h.pending() >= Cents::ZERO);
                }
                let pending: CentsTotal = holds
                    .iter()
                    .map(|hold| CentsTotal::from(hold.pending()))
                    .sum();
                prop_assert_eq!(pending, ledger.totals().escrow_balance);
                prop_assert_eq!(ledger.verify_holds(&holds), Ok(()));
            }
        }
    }

    /// One step in the life of a single order; amounts are clamped against that
    /// order's own state only, so the clamped value does not depend on other orders.
    #[derive(Clone, Debug)]
    enum Step {
        Hold(i64),
        Post(i64, i64),
        Void(i64),
        Advance(i64),
        Recover(i64),
        WriteOff(i64),
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        let cents = || 0..MAX_CENTS;
        prop_oneof![
            3 => cents().prop_map(Step::Hold),
            3 => (cents(), cents()).prop_map(|(a, f)| Step::Post(a, f)),
            2 => cents().prop_map(Step::Void),
            1 => cents().prop_map(Step::Advance),
            1 => cents().prop_map(Step::Recover),
            1 => cents().prop_map(Step::WriteOff),
        ]
    }

    /// An order's private state: its hold and the part of the advances it owes.
    #[derive(Clone, Copy, Default)]
    struct OrderState {
        hold: EscrowHold,
        advanced_cents: i64,
    }

    fn apply_step(ledger: &mut Ledger, order: &mut OrderState, step: &Step) {
        match *step {
            Step::Hold(a) => ledger.hold(&mut order.hold, d(a)),
            Step::Post(a, f) => {
                let amount = clamp(a, order.hold.pending().cents());
                ledger.post(&mut order.hold, d(amount), d(clamp(f, amount)));
            }
            Step::Void(a) => {
                let amount = clamp(a, order.hold.pending().cents());
                ledger.void(&mut order.hold, d(amount));
            }
            Step::Advance(a) => {
                ledger.advance(d(a));
                order.advanced_cents += a;
            }
            Step::Recover(a) => {
                let amount = clamp(a, order.advanced_cents);
                ledger.recover(d(amount));
                order.advanced_cents -= amount;
            }
            Step::WriteOff(a) => {
                let amount = clamp(a, order.advanced_cents);
                ledger.write_off(d(amount));
                order.advanced_cents -= amount;
            }
        }
    }

    /// Runs every order's steps, choosing at each point which order moves next
    /// from `choices`; each order's own steps keep their relative order.
    fn run_schedule(lives: &[Vec<Step>], choices: &[usize]) -> (Ledger, Vec<OrderState>) {
        let mut ledger = Ledger::new();
        let mut orders = vec![OrderState::default(); lives.len()];
        let mut next = vec![0usize; lives.len()];
        let mut choice = choices.iter().copied().cycle();
        loop {
            let ready: Vec<usize> = (0..lives.len())
                .filter(|&i| next[i] < lives[i].len())
                .collect();
            if ready.is_empty() {
                break;
            }
            let pick = ready[choice.next().unwrap_or(0) % ready.len()];
            apply_step(&mut ledger, &mut orders[pick], &lives[pick][next[pick]]);
            next[pick] += 1;
        }
        (ledger, orders)
    }

    /// Runs whole order lives one after another in the given order.
    fn run_sequential(lives: &[Vec<Step>], order: &[usize]) -> Ledger {
        let mut ledger = Ledger::new();
        for &i in order {
            let mut state = OrderState::default();
            for step in &lives[i] {
                apply_step(&mut ledger, &mut state, step);
            }
        }
        ledger
    }

    /// The totals except escrow_peak, which is a path-dependent maximum by design
    /// (it depends on how many orders are in escrow at the same time).
    fn commutative_part(t: &LedgerTotals) -> LedgerTotals {
        LedgerTotals {
            escrow_peak: CentsTotal::ZERO,
            ..*t
        }
    }

    fn lives_and_permutation() -> impl Strategy<Value = (Vec<Vec<Step>>, Vec<usize>)> {
        prop::collection::vec(prop::collection::vec(step_strategy(), 0..12), 1..8).prop_flat_map(
            |lives| {
                let n = lives.len();
                (Just(lives), Just((0..n).collect::<Vec<_>>()).prop_shuffle())
            },
        )
    }

    proptest! {
        #[test]
        fn independent_holds_commute(
            (lives, permutation) in lives_and_permutation(),
            choices in prop::collection::vec(0..usize::MAX, 1..32),
        ) {
            // Goal: processing independent orders in any order, whole or interleaved,
            // yields the same totals (escrow_peak aside), balances and transfer count.
            let identity: Vec<usize> = (0..lives.len()).collect();
            let reference = run_sequential(&lives, &identity);
            let permuted = run_sequential(&lives, &permutation);
            let (interleaved, orders) = run_schedule(&lives, &choices);

            for other in [&permuted, &interleaved] {
                prop_assert_eq!(other.verify(), Ok(()));
                prop_assert_eq!(
                    commutative_part(&other.totals()),
                    commutative_part(&reference.totals())
                );
                for account in Account::ALL {
                    prop_assert_eq!(other.balance(account), reference.balance(account));
                }
                prop_assert_eq!(other.transfer_count(), reference.transfer_count());
            }
            prop_assert_eq!(
                interleaved.verify_holds(orders.iter().map(|o| &o.hold)),
                Ok(())
            );
        }
    }
}
