#!/usr/bin/env bash
# Submits an escrowsim sweep to Slurm: an array job of SHARDS tasks (one
# shard each) and a merge job that runs when all of them have succeeded.
#
#   scripts/slurm/submit-sweep.sh SWEEP.ron OUT_DIR SHARDS [CPUS_PER_TASK] [-- extra sbatch options]
#
# Writes the sweep's units to OUT_DIR/units, the merged result to
# OUT_DIR/result.json and its summary to OUT_DIR/result.summary.csv, and
# the Slurm logs to OUT_DIR/logs. Prints "ARRAY_JOB_ID MERGE_JOB_ID".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 3 ]; then
    sed -n '2,10p' "$0" >&2
    exit 2
fi
sweep=$(realpath "$1"); out=$(realpath -m "$2"); shards=$3; cpus=${4:-1}
shift $(( $# >= 4 ? 4 : 3 ))
[ "${1:-}" = "--" ] && shift
case "$shards" in ''|*[!0-9]*) echo "submit-sweep.sh: SHARDS must be a positive number" >&2; exit 2 ;; esac
[ "$shards" -ge 1 ] || { echo "submit-sweep.sh: SHARDS must be at least 1" >&2; exit 2; }
escrowsim=${ESCROWSIM:-$(realpath "$here/../../target/release/escrowsim")}
[ -x "$escrowsim" ] || { echo "submit-sweep.sh: no escrowsim binary at $escrowsim (cargo build --release, or set ESCROWSIM)" >&2; exit 2; }
# Validate before queueing anything: a bad sweep file, or a directory holding
# another sweep, fails here rather than in every task.
"$escrowsim" sweep "$sweep" --out "$out" --dry-run >&2
mkdir -p "$out/logs"
export ESCROWSIM="$escrowsim" SWEEP="$sweep" SWEEP_OUT="$out" SWEEP_RESULT="$out/result.json"
array_job=$(sbatch --parsable --array="0-$((shards - 1))" --cpus-per-task="$cpus" \
    --output="$out/logs/sweep-%A_%a.out" --export=ALL "$@" "$here/sweep-array.sbatch")
array_job=${array_job%%;*}
merge_job=$(sbatch --parsable --dependency="afterok:${array_job}" \
    --output="$out/logs/merge-%j.out" --export=ALL "$@" "$here/merge.sbatch")
merge_job=${merge_job%%;*}
echo "$array_job $merge_job"
