"""The escrow program's order lifecycle as a SimPy model, for the peer comparison.

It plays the life escrowsim plays (crates/core/src/program/simulation/) on the workload
of benches/peers/workload.ron, with the same parameters: one aggregate Poisson
stream of inquiries; each buyer asks three suppliers, who answer with their
type's probability and delay; a multinomial logit over badge, completed orders,
response rate and response speed picks one; contract with coverage capped by
the supplier's limit; the deposit into escrow; production, late shipment and
bust-out fraud; the balance at shipment, when the deposit is released early;
transit and inspection; confirmation, auto-release or a claim within the
window; negotiation, escalation and a decision right 90% of the time; refunds
out of escrow, platform advances, and recovery or write-off. Money is
decimal.Decimal in cents with half-to-even rounding, through a double-entry
ledger whose identities are checked at every month end.

Random numbers come from Python's own generator, so the outcome is the same
kind of year, not the same digits as escrowsim's. Each order is a SimPy
process; that is the idiomatic SimPy shape, and what the comparison measures.

Usage: python3 simpy_escrow.py [--json]
"""

import json
import math
import random
import sys
import time
from decimal import ROUND_HALF_EVEN, Decimal

import simpy

DAY = 86_400.0
HOUR = 3_600.0
CENT = Decimal("0.01")

# --- the workload (benches/peers/workload.ron) ---------------------------------
SEED = 11
HORIZON_DAYS = 365
SUPPLIER_SEGMENTS = [
    # count, country, volunteer probability, promised lead days, type mix
    (10_000, "CN", 0.5, 30, (0.55, 0.30, 0.12, 0.03)),
    (500, "IN", 0.5, 35, (0.50, 0.32, 0.14, 0.04)),
]
BUYERS = 100_000
ORDERS_PER_YEAR = 2.0
VALUE_MEDIAN, VALUE_SIGMA = 3000.0, 1.0
PAYMENT_MIX = [("TT", 0.75), ("Card", 0.25)]
CANDIDATES = 3
TRANSIT_DAYS = (14.0, 21.0, 35.0)  # triangular min, mode, max
INSPECTION_MEAN_DAYS = 7.0
CLAIM_AFTER_BREACH = 0.8
FALSE_CLAIM = 0.01
CONFIRM = 0.65
CHOICE = (1.0, 0.3, 1.0, 0.5)  # badge, transactions, response rate, response speed

# Supplier behaviour by latent type: the defaults of crates/core/src/scenario/mod.rs.
TYPES = {
    # production triangular, late p, late mean days, conformance, defect uniform,
    # response p, response mean hours, settles in negotiation, voluntary refund, fraud
    "reliable": ((10, 20, 30), 0.02, 5.0, 0.99, (0.1, 0.5), 0.95, 6.0, 0.8, 0.7, False),
    "average": ((12, 24, 30), 0.06, 8.0, 0.96, (0.1, 0.8), 0.85, 12.0, 0.6, 0.5, False),
    "poor": ((15, 28, 30), 0.20, 15.0, 0.85, (0.2, 1.0), 0.70, 24.0, 0.3, 0.2, False),
    "fraudulent": ((12, 24, 30), 0.06, 8.0, 0.95, (0.1, 0.8), 0.90, 8.0, 0.1, 0.0, True),
}
TYPE_ORDER = ["reliable", "average", "poor", "fraudulent"]
BUST_OUT_CLEAN_ORDERS, BUST_OUT_VANISH = 3, 0.5

# --- the rules (launch defaults, with the workload's two changes) ---------------
ELIGIBLE = {"CN"}
COVERED_METHODS = {"TT"}
DEPOSIT_BPS = 3000
GRACE_DAYS = 0
CLAIM_WINDOW_DAYS = 30
AUTO_RELEASE_DAYS = 30
NEGOTIATION_DAYS = 3
DECISION_DAYS = 4
DECISION_ACCURACY = 0.9
RECOVERY_PROBABILITY = 0.7
RECOVERY_DAYS = 30
SELLER_FEE_BPS = 200
COVERAGE_LIMIT = Decimal("50000.00")


def share_of(amount, basis_points):
    if basis_points >= 10_000:
        return amount
    return (amount * basis_points / Decimal(10_000)).quantize(CENT, rounding=ROUND_HALF_EVEN)


class Ledger:
    """Double entry over five accounts; holds live in the orders."""

    def __init__(self):
        self.balances = {a: Decimal(0) for a in ("buyers", "suppliers", "escrow", "revenue", "platform")}
        self.totals = {k: Decimal(0) for k in (
            "paid_into_escrow", "released", "refunded", "fees", "escrow", "advanced",
            "recovered", "written_off", "outstanding", "direct", "supplier_refunds")}

    def _move(self, source, target, amount):
        if amount:
            self.balances[source] -= amount
            self.balances[target] += amount

    def hold(self, order, amount):
        assert amount >= 0
        self._move("buyers", "escrow", amount)
        order.pending += amount
        self.totals["paid_into_escrow"] += amount
        self.totals["escrow"] += amount

    def post(self, order, amount, fee):
        assert 0 <= fee <= amount <= order.pending
        self._move("escrow", "suppliers", amount - fee)
        self._move("escrow", "revenue", fee)
        order.pending -= amount
        self.totals["released"] += amount - fee
        self.totals["fees"] += fee
        self.totals["escrow"] -= amount

    def void(self, order, amount):
        assert 0 <= amount <= order.pending
        self._move("escrow", "buyers", amount)
        order.pending -= amount
        self.totals["refunded"] += amount
        self.totals["escrow"] -= amount

    def advance(self, amount):
        self._move("platform", "buyers", amount)
        self.totals["advanced"] += amount
        self.totals["outstanding"] += amount

    def recover(self, amount):
        assert amount <= self.totals["outstanding"]
        self._move("suppliers", "platform", amount)
        self.totals["recovered"] += amount
        self.totals["outstanding"] -= amount

    def write_off(self, amount):
        assert amount <= self.totals["outstanding"]
        self.totals["written_off"] += amount
        self.totals["outstanding"] -= amount

    def pay_directly(self, amount):
        self._move("buyers", "suppliers", amount)
        self.totals["direct"] += amount

    def supplier_refund(self, amount):
        self._move("suppliers", "buyers", amount)
        self.totals["supplier_refunds"] += amount

    def verify(self):
        t = self.totals
        assert sum(self.balances.values()) == 0
        assert t["paid_into_escrow"] == t["released"] + t["refunded"] + t["fees"] + t["escrow"]
        assert t["advanced"] == t["recovered"] + t["written_off"] + t["outstanding"]
        assert self.balances["escrow"] == t["escrow"] >= 0


class Supplier:
    __slots__ = ("country", "lead_days", "kind", "volunteered", "approved", "vanished",
                 "coverage_remaining", "received", "answered", "response_seconds",
                 "completed", "late", "disputed", "refunded", "completed_value")

    def __init__(self, country, lead_days, kind, volunteered):
        self.country, self.lead_days, self.kind, self.volunteered = country, lead_days, kind, volunteered
        self.approved = volunteered and country in ELIGIBLE
        self.vanished = False
        self.coverage_remaining = COVERAGE_LIMIT if self.approved else Decimal(0)
        self.received = self.answered = self.response_seconds = 0
        self.completed = self.late = self.disputed = self.refunded = 0
        self.completed_value = Decimal(0)


class Order:
    __slots__ = ("value", "deposit", "coverage", "pending", "released_early", "supplier",
                 "method", "covered", "balance_paid", "late", "conforming", "defect_bps",
                 "ship_by", "claim_reason", "claim_at")

    def paid(self):
        return self.value if self.balance_paid else self.deposit


class Program:
    def __init__(self, env, rng):
        self.env, self.rng = env, rng
        self.ledger = Ledger()
        self.counts = {k: 0 for k in (
            "inquiries", "unanswered", "placed", "covered", "completed", "claims",
            "settled_in_negotiation", "escalated", "decided", "refunds", "not_shipped")}
        self.gmv = Decimal(0)
        self.buyer_loss = Decimal(0)
        self.exposure = Decimal(0)
        self.months = []
        self.suppliers = []
        for count, country, volunteer, lead, mix in SUPPLIER_SEGMENTS:
            for _ in range(count):
                draw, cumulative, kind = rng.random(), 0.0, TYPE_ORDER[-1]
                for name, share in zip(TYPE_ORDER, mix):
                    cumulative += share
                    if draw < cumulative:
                        kind = name
                        break
                self.suppliers.append(Supplier(country, lead, TYPES[kind], rng.random() < volunteer))
        methods, weights = zip(*PAYMENT_MIX)
        self.buyer_methods = rng.choices(methods, weights, k=BUYERS)
        self.rate = BUYERS * ORDERS_PER_YEAR / (365 * DAY)

    # --- arrivals and choice ---------------------------------------------------
    def arrivals(self):
        while True:
            yield self.env.timeout(self.rng.expovariate(self.rate))
            self.inquiry()

    def inquiry(self):
        rng = self.rng
        self.counts["inquiries"] += 1
        method = self.buyer_methods[rng.randrange(BUYERS)]
        answered = []
        for _ in range(CANDIDATES):
            supplier = self.suppliers[rng.randrange(len(self.suppliers))]
            kind = supplier.kind
            response = round(rng.expovariate(1.0 / kind[6]) * HOUR)
            supplier.received += 1
            if supplier.vanished or rng.random() >= kind[5]:
                continue
            supplier.answered += 1
            supplier.response_seconds += response
            badge, transactions, rate, speed = CHOICE
            utility = (badge * supplier.approved
                       + transactions * math.log1p(supplier.completed)
                       + rate * supplier.answered / supplier.received
                       - speed * supplier.response_seconds / HOUR / supplier.answered / 24.0)
            answered.append((supplier, response, utility))
        value = Decimal(max(1, round(rng.lognormvariate(math.log(VALUE_MEDIAN), VALUE_SIGMA) * 100))) * CENT
        if not answered:
            self.counts["unanswered"] += 1
            return
        best = max(utility for _, _, utility in answered)
        weights = [math.exp(utility - best) for _, _, utility in answered]
        supplier, response, _ = rng.choices(answered, weights)[0]
        self.env.process(self.order_life(supplier, method, value, response))

    # --- one order's life ------------------------------------------------------
    def order_life(self, supplier, method, value, response_seconds):
        env, rng, ledger = self.env, self.rng, self.ledger
        yield env.timeout(response_seconds)
        # Contract.
        order = Order()
        order.value, order.supplier, order.method = value, supplier, method
        order.pending = order.released_early = Decimal(0)
        order.deposit = share_of(value, DEPOSIT_BPS)
        order.ship_by = env.now + supplier.lead_days * DAY
        order.balance_paid = order.late = False
        order.claim_reason = None
        order.covered = False
        order.coverage = Decimal(0)
        if supplier.approved and method in COVERED_METHODS and supplier.coverage_remaining > 0:
            order.covered = True
            order.coverage = min(value, supplier.coverage_remaining)
            supplier.coverage_remaining -= order.coverage
        self.counts["placed"] += 1
        self.gmv += value
        if order.covered:
            self.counts["covered"] += 1
            ledger.hold(order, order.deposit)
        else:
            ledger.pay_directly(order.deposit)
        kind = supplier.kind
        vanish_draw, late_draw = rng.random(), rng.random()
        late_days = rng.expovariate(1.0 / kind[2])
        production_days = rng.triangular(kind[0][0], kind[0][2], kind[0][1])
        order.conforming = rng.random() < kind[3]
        order.defect_bps = 0 if order.conforming else round(rng.uniform(*kind[4]) * 10_000)
        if kind[9] and not supplier.vanished and supplier.completed >= BUST_OUT_CLEAN_ORDERS \
                and vanish_draw < BUST_OUT_VANISH:
            supplier.vanished = True
        if late_draw < kind[1]:
            ship_at = order.ship_by + late_days * DAY
        else:
            ship_at = env.now + min(production_days * DAY, order.ship_by - env.now)
        yield env.timeout(ship_at - env.now)

        # Shipment, or nothing shipped.
        if supplier.vanished:
            self.counts["not_shipped"] += 1
            noticed = max(order.ship_by + (GRACE_DAYS + 1) * DAY, env.now)
            yield env.timeout(noticed - env.now)
            if order.covered:
                order.claim_reason = "non_delivery"
                yield from self.claim(order)
            else:
                self.buyer_loss += order.paid()
                self.complete(order)
            return
        balance = order.value - order.deposit
        order.balance_paid = True
        if order.covered:
            ledger.hold(order, balance)
            amount = min(order.deposit, order.pending)  # deposit released at shipment
            ledger.post(order, amount, share_of(amount, SELLER_FEE_BPS))
            order.released_early += amount
            self.exposure += amount
        else:
            ledger.pay_directly(balance)
        order.late = env.now > order.ship_by + GRACE_DAYS * DAY
        yield env.timeout(rng.triangular(TRANSIT_DAYS[0], TRANSIT_DAYS[2], TRANSIT_DAYS[1]) * DAY)

        # Delivery and inspection.
        inspection = rng.expovariate(1.0 / INSPECTION_MEAN_DAYS) * DAY
        breach_draw, false_draw, confirm_draw, voluntary_draw = (rng.random() for _ in range(4))
        if order.late or not order.conforming:
            reason = ("late" if order.conforming else "quality") if breach_draw < CLAIM_AFTER_BREACH else None
        else:
            reason = "false_claim" if false_draw < FALSE_CLAIM else None
        delivered = env.now
        acted_at = delivered + inspection
        if not order.covered:
            if reason is not None and reason != "false_claim":
                entitlement = self.entitlement(order, reason)
                if voluntary_draw < kind[8]:
                    ledger.supplier_refund(entitlement)
                else:
                    self.buyer_loss += entitlement
            self.complete(order)
            return
        auto_release_at = delivered + AUTO_RELEASE_DAYS * DAY
        if reason is not None and acted_at <= delivered + CLAIM_WINDOW_DAYS * DAY:
            order.claim_reason = reason
            if acted_at < auto_release_at:
                yield env.timeout(acted_at - env.now)
                yield from self.claim(order)
                return
            yield env.timeout(auto_release_at - env.now)
            self.release_all(order)
            yield env.timeout(max(0.0, acted_at - env.now))
            yield from self.claim(order)
            return
        if confirm_draw < CONFIRM and acted_at < auto_release_at:
            yield env.timeout(acted_at - env.now)
        else:
            yield env.timeout(auto_release_at - env.now)
        self.release_all(order)
        self.complete(order)

    def claim(self, order):
        env, rng, ledger = self.env, self.rng, self.ledger
        supplier, reason = order.supplier, order.claim_reason
        justified = reason != "false_claim"
        self.counts["claims"] += 1
        supplier.disputed += 1
        if not supplier.vanished and justified and rng.random() < supplier.kind[7]:
            self.counts["settled_in_negotiation"] += 1
            refund = self.refund_amount(order, reason)
            from_escrow = min(refund, order.pending)
            ledger.void(order, from_escrow)
            ledger.supplier_refund(refund - from_escrow)
            self.release_all(order)
            self.counts["refunds"] += 1
            supplier.refunded += 1
            self.complete(order)
            return
        yield env.timeout(NEGOTIATION_DAYS * DAY)
        self.counts["escalated"] += 1
        yield env.timeout(DECISION_DAYS * DAY)
        self.counts["decided"] += 1
        correct = rng.random() < DECISION_ACCURACY
        if justified != correct:
            self.release_all(order)
            self.complete(order)
            return
        refund = self.refund_amount(order, reason)
        from_escrow = min(refund, order.pending)
        ledger.void(order, from_escrow)
        self.release_all(order)
        shortfall = refund - from_escrow
        self.counts["refunds"] += 1
        supplier.refunded += 1
        if shortfall:
            ledger.advance(shortfall)
            yield env.timeout(RECOVERY_DAYS * DAY)
            if not supplier.vanished and rng.random() < RECOVERY_PROBABILITY:
                ledger.recover(shortfall)
            else:
                ledger.write_off(shortfall)
        self.complete(order)

    def entitlement(self, order, reason):
        share = order.defect_bps if reason == "quality" else 10_000
        return share_of(order.paid(), share)

    def refund_amount(self, order, reason):
        entitlement = self.entitlement(order, reason)
        if entitlement > order.coverage:
            self.buyer_loss += entitlement - order.coverage
            return order.coverage
        return entitlement

    def release_all(self, order):
        amount = order.pending
        if amount:
            self.ledger.post(order, amount, share_of(amount, SELLER_FEE_BPS))

    def complete(self, order):
        supplier = order.supplier
        assert order.pending == 0
        supplier.completed += 1
        supplier.completed_value += order.value
        supplier.late += order.late
        if order.covered:
            supplier.coverage_remaining += order.coverage
        self.exposure -= order.released_early
        self.counts["completed"] += 1

    def month_ends(self):
        while True:
            yield self.env.timeout(30 * DAY)
            self.ledger.verify()
            self.months.append((dict(self.counts), dict(self.ledger.totals)))


def main():
    started = time.perf_counter()
    env = simpy.Environment()
    program = Program(env, random.Random(SEED))
    env.process(program.arrivals())
    env.process(program.month_ends())
    env.run(until=HORIZON_DAYS * DAY)
    program.ledger.verify()
    wall = time.perf_counter() - started
    result = {
        "model": "simpy",
        "simpy_version": simpy.__version__,
        "orders": program.counts["placed"],
        "wall_s": round(wall, 3),
        "orders_per_sec": round(program.counts["placed"] / wall),
        "counts": program.counts,
        "escrow_end": str(program.ledger.totals["escrow"]),
        "fees": str(program.ledger.totals["fees"]),
    }
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        print(f"SimPy: {result['orders']} orders in {result['wall_s']} s: {result['orders_per_sec']} orders/s")


if __name__ == "__main__":
    main()
