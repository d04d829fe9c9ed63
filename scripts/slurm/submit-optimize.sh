#!/usr/bin/env bash
# Runs an escrowsim optimisation on Slurm, one array job of SHARDS tasks per
# stage: each stage is decided by the results of the one before, so this
# script stays in the foreground, submits a stage, waits for it
# (`sbatch --wait`), and submits the next until none is left; then writes
# the result (which runs nothing more).
#
#   scripts/slurm/submit-optimize.sh OPTIMIZE.ron OUT_DIR SHARDS [CPUS_PER_TASK] [-- extra sbatch options]
#
# Writes the units to OUT_DIR/units, the result to OUT_DIR/result.json,
# result.csv, result.parquet, result.html and chosen.ron, and the Slurm logs to
# OUT_DIR/logs. Prints one line per stage ("stage N: array job J") and the
# result's summary. Stopped and run again, it resumes where the results
# stand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 3 ]; then
    sed -n '2,15p' "$0" >&2
    exit 2
fi
study=$(realpath "$1"); out=$(realpath -m "$2"); shards=$3; cpus=${4:-1}
shift $(( $# >= 4 ? 4 : 3 ))
[ "${1:-}" = "--" ] && shift
case "$shards" in ''|*[!0-9]*) echo "submit-optimize.sh: SHARDS must be a positive number" >&2; exit 2 ;; esac
[ "$shards" -ge 1 ] || { echo "submit-optimize.sh: SHARDS must be at least 1" >&2; exit 2; }
escrowsim=${ESCROWSIM:-$(realpath "$here/../../target/release/escrowsim")}
[ -x "$escrowsim" ] || { echo "submit-optimize.sh: no escrowsim binary at $escrowsim (cargo build --release, or set ESCROWSIM)" >&2; exit 2; }
mkdir -p "$out/logs"
export ESCROWSIM="$escrowsim" OPTIMIZE="$study" OPTIMIZE_OUT="$out"
# The most stages an optimisation can take: racing's, the selection's
# checks and the confirmation; a guard against a loop that never ends.
guard=10000
while true; do
    # Validates the file and the directory before anything is queued.
    status=$("$escrowsim" optimize "$study" --out "$out" --dry-run)
    next=$(printf '%s\n' "$status" | sed -n 's/^next: \(stage [0-9]*\).*/\1/p')
    [ -n "$next" ] || break
    guard=$((guard - 1))
    [ "$guard" -gt 0 ] || { echo "submit-optimize.sh: too many stages" >&2; exit 1; }
    job=$(sbatch --parsable --wait --array="0-$((shards - 1))" --cpus-per-task="$cpus" \
        --output="$out/logs/optimize-%A_%a.out" --export=ALL "$@" "$here/optimize-array.sbatch")
    echo "$next: array job ${job%%;*}"
done
"$escrowsim" optimize "$study" --out "$out" 2>/dev/null
