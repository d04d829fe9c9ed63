#!/usr/bin/env python3
"""Replays an escrowsim transfers file as a two-phase ledger would, and
checks the balances it ends with against a run's JSON report.

    python3 scripts/replay-transfers.py TRANSFERS REPORT.json

TRANSFERS is the CSV (name ending in .csv) or JSON Lines file written by
`escrowsim run --transfers`; REPORT.json is the same run's
`--format json` report. The layout and the two-phase semantics are those
of docs/trace.md:

* `none`: posted at once, the debit account loses the amount and the
  credit account gains it;
* `pending`: a hold of the order, buyers to escrow, posted to the balances
  at once (the buyer has paid) and kept open under its hold: the
  transfer's own id for the order's first hold, `pending_id` for a top-up;
* `post_pending` and `void_pending`: take the amount out of the open hold
  named by `pending_id` (never more than it holds) to the credit account.

Each account's balance at the end must equal what the report's ledger
flows imply (the double-entry identities of src/program/ledger.rs), each
flow (by `code`) must sum to its ledger field, and the holds still open
must add up to the escrow held at the end. Standard library only; prints
the balances and exits 0, or names the first disagreement and exits 1.
"""

import csv
import json
import sys
from decimal import Decimal

ACCOUNTS = {1: "buyers", 2: "suppliers", 3: "escrow", 4: "platform_revenue", 5: "platform_funds"}
FLOWS = [
    "paid_into_escrow",
    "released_to_suppliers",
    "fees",
    "refunded_from_escrow",
    "advanced_by_platform",
    "recovered_from_suppliers",
    "written_off",
    "paid_directly_to_suppliers",
    "refunded_by_suppliers",
]


def transfers(path):
    with open(path, newline="") as handle:
        if path.endswith(".csv"):
            yield from csv.DictReader(handle)
        else:
            for line in handle:
                yield json.loads(line)


def cents(text):
    value = Decimal(text) * 100
    if value != value.to_integral_value():
        raise SystemExit(f"{text} is not whole cents")
    return int(value)


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def main(transfers_path, report_path):
    balances = {name: 0 for name in ACCOUNTS.values()}
    flows = {name: 0 for name in FLOWS}
    holds = {}
    last_id = 0
    for number, transfer in enumerate(transfers(transfers_path), start=1):
        id_ = int(transfer["id"])
        if id_ != last_id + 1:
            fail(f"transfer {number}: id {id_} does not follow {last_id}")
        last_id = id_
        amount = int(transfer["amount"])
        if amount <= 0:
            fail(f"transfer {id_}: amount {amount} is not positive")
        debit = ACCOUNTS[int(transfer["debit_account_id"])]
        credit = ACCOUNTS[int(transfer["credit_account_id"])]
        pending_id = int(transfer["pending_id"])
        flags = transfer["flags"]
        if flags == "pending":
            hold = pending_id or id_
            if pending_id and pending_id not in holds:
                fail(f"transfer {id_}: tops up hold {pending_id}, which is not open")
            holds[hold] = holds.get(hold, 0) + amount
        elif flags in ("post_pending", "void_pending"):
            if holds.get(pending_id, 0) < amount:
                fail(f"transfer {id_}: takes {amount} from hold {pending_id}, which holds {holds.get(pending_id, 0)}")
            holds[pending_id] -= amount
        elif flags != "none":
            fail(f"transfer {id_}: unknown flags {flags!r}")
        balances[debit] -= amount
        balances[credit] += amount
        flows[FLOWS[int(transfer["code"]) - 1]] += amount

    with open(report_path) as handle:
        ledger = {key: cents(value) for key, value in json.load(handle)["outcome"]["ledger"].items()}
    expected = {
        "buyers": ledger["refunded_from_escrow"] + ledger["advanced_by_platform"]
        + ledger["refunded_by_suppliers"] - ledger["paid_into_escrow"]
        - ledger["paid_directly_to_suppliers"],
        "suppliers": ledger["released_to_suppliers"] + ledger["paid_directly_to_suppliers"]
        - ledger["refunded_by_suppliers"] - ledger["recovered_from_suppliers"],
        "escrow": ledger["escrow_end"],
        "platform_revenue": ledger["fees"],
        "platform_funds": ledger["recovered_from_suppliers"] - ledger["advanced_by_platform"],
    }
    for account, want in expected.items():
        if balances[account] != want:
            fail(f"account {account}: replayed {balances[account]} cents, the report implies {want}")
    for flow in FLOWS:
        if flow != "written_off" and flows[flow] != ledger[flow]:
            fail(f"flow {flow}: replayed {flows[flow]} cents, the report says {ledger[flow]}")
    if sum(holds.values()) != ledger["escrow_end"]:
        fail(f"open holds: {sum(holds.values())} cents, the report holds {ledger['escrow_end']} in escrow")
    for account, balance in balances.items():
        print(f"{account} {balance}")
    print(f"transfers {last_id}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        fail(__doc__)
    main(sys.argv[1], sys.argv[2])
