#!/usr/bin/env bash
# Compares two builds of escrowsim on one scenario by user CPU time: runs
# them alternately RUNS times each (default 5), so both see the same load
# on a shared machine, and prints each run, the medians, their ratio, the
# peak RSS and whether the digests agree. docs/performance.md measures
# every change this way.
#
#   cp target/release/escrowsim /tmp/before   # build, copy, change, build again
#   bash benches/alternate.sh /tmp/before target/release/escrowsim
#   RUNS=9 bash benches/alternate.sh A B scenarios/scale-today.ron
set -euo pipefail
before="$1"
after="$2"
scenario="${3:-scenarios/trade-assurance-2014.ron}"
runs="${RUNS:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

measure() {
    # One run: "user_seconds wall_seconds peak_kilobytes" on the last line of stderr.
    /usr/bin/time -f "%U %e %M" "$1" run "$scenario" --format json --out "$work/$2.json" 2>&1 >/dev/null | tail -1
}

for run in $(seq "$runs"); do
    echo "A $(measure "$before" a)" >>"$work/times"
    echo "B $(measure "$after" b)" >>"$work/times"
done

python3 - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
rows = [line.split() for line in open(f"{work}/times")]
for build in "AB":
    mine = [row for row in rows if row[0] == build]
    users = [float(row[1]) for row in mine]
    walls = [float(row[2]) for row in mine]
    print(f"{build}: user {users} median {statistics.median(users):.2f} s; "
          f"wall median {statistics.median(walls):.2f} s; peak RSS {int(mine[-1][3]) / 1024:.1f} MiB")
median = lambda build: statistics.median(float(row[1]) for row in rows if row[0] == build)
print(f"user time B/A: {median('B') / median('A'):.3f}")
digests = [json.load(open(f"{work}/{name}.json"))["digest"] for name in "ab"]
print("digests agree" if digests[0] == digests[1] else f"digests differ: {digests[0]} {digests[1]}")
PY
