#!/usr/bin/env bash
# The peer comparison: the SimPy model of the order lifecycle
# (simpy_escrow.py) and escrowsim on the same workload (workload.ron), each
# run RUNS times (default 3); prints the median orders per second of each and
# their ratio. SimPy is installed from PyPI into target/peers-venv on first use.
#
#   bash benches/peers/compare.sh            # from anywhere in the repository
#   RUNS=5 bash benches/peers/compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${RUNS:-3}"
venv=target/peers-venv
simpy_version=4.1.1

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import simpy" 2>/dev/null; then
    echo "installing SimPy $simpy_version from PyPI into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "simpy==$simpy_version"
fi
cargo build --release --quiet

simpy_results=()
for run in $(seq "$runs"); do
    simpy_results+=("$("$venv/bin/python" benches/peers/simpy_escrow.py --json)")
    echo "simpy run $run: $(echo "${simpy_results[-1]}" | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["orders"], "orders in", r["wall_s"], "s")')" >&2
done
escrowsim_result="$(target/release/escrowsim bench scenario benches/peers/workload.ron --repeat "$runs" --format json)"

python3 - "$escrowsim_result" "${simpy_results[@]}" <<'PY'
import json, statistics, sys
escrowsim = json.loads(sys.argv[1])
simpy_runs = [json.loads(text) for text in sys.argv[2:]]
simpy_rate = statistics.median(run["orders_per_sec"] for run in simpy_runs)
escrowsim_rate = escrowsim["median_orders_per_sec"]
print(f"workload: benches/peers/workload.ron, one year, {len(simpy_runs)} runs each (medians)")
print(f"{'model':<12}{'orders':>10}{'orders/s':>14}")
print(f"{'SimPy ' + simpy_runs[0]['simpy_version']:<12}{simpy_runs[0]['orders']:>10}{simpy_rate:>14,.0f}")
print(f"{'escrowsim':<12}{escrowsim['runs'][0]['orders']:>10}{escrowsim_rate:>14,.0f}")
print(f"ratio: escrowsim is {escrowsim_rate / simpy_rate:,.0f} times SimPy's orders per second")
PY
