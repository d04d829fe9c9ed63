#!/usr/bin/env bash
# The sweep on a real Slurm cluster: installs Slurm and MUNGE from Debian's
# packages, starts a one-node cluster on this machine, submits a small sweep
# as an array job of several tasks plus a dependent merge job, waits, and
# checks that the merged result is byte-identical to the same sweep run
# unsharded on this machine, and that the array tasks ran as separate Slurm
# jobs. Needs root; CI runs it (see .ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shards=3

bash scripts/slurm/start-local-cluster.sh
cargo build --release --quiet
escrowsim="$root/target/release/escrowsim"
sweep="$root/sweeps/claim-window-by-release.ron"
work=$(mktemp -d /tmp/escrowsim-slurm-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== the reference: the whole sweep on this machine, unsharded"
"$escrowsim" sweep "$sweep" --out "$work/local" --jobs 2 2>/dev/null
"$escrowsim" merge "$work/local" --out "$work/local.json" >/dev/null

echo "== the same sweep as a Slurm array job of $shards tasks and a dependent merge"
read -r array_job merge_job < <(ESCROWSIM="$escrowsim" bash scripts/slurm/submit-sweep.sh "$sweep" "$work/cluster" "$shards")
echo "array job $array_job, merge job $merge_job"
deadline=$((SECONDS + 900))
while squeue -h -j "$array_job,$merge_job" 2>/dev/null | grep -q .; do
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "cluster-test.sh: the jobs did not finish within 15 minutes" >&2
        squeue >&2 || true
        exit 1
    fi
    sleep 1
done

echo "== checks"
logs="$work/cluster/logs"
for task in $(seq 0 $((shards - 1))); do
    log="$logs/sweep-${array_job}_${task}.out"
    [ -s "$log" ] || { echo "no log for array task $task ($log)" >&2; ls -la "$logs" >&2; exit 1; }
    grep -q "shard ${task}/${shards} complete" "$log" || { echo "array task $task did not complete:" >&2; cat "$log" >&2; exit 1; }
done
job_ids=$(cat "$logs"/sweep-"${array_job}"_*.out | sed -n 's/^escrowsim sweep: slurm job \([0-9]*\) .*/\1/p' | sort -u)
distinct=$(echo "$job_ids" | grep -c .)
echo "array tasks ran as Slurm jobs: $(echo "$job_ids" | tr '\n' ' ')"
[ "$distinct" -eq "$shards" ] || { echo "expected $shards distinct Slurm jobs, saw $distinct" >&2; exit 1; }
merge_log="$logs/merge-${merge_job}.out"
grep -q "escrowsim merge: slurm job ${merge_job}" "$merge_log" || { echo "the merge job did not run:" >&2; cat "$merge_log" >&2; exit 1; }
[ -s "$work/cluster/result.json" ] || { echo "the merge job wrote no result" >&2; cat "$merge_log" >&2; exit 1; }
cmp "$work/local.json" "$work/cluster/result.json"
echo "the merged cluster result equals the unsharded result byte for byte ($(wc -c < "$work/local.json") bytes)"
head -n 3 "$work/cluster/result.summary.csv" | cut -c1-160
