#!/usr/bin/env bash
# Sweeps, studies and optimisations on a real Slurm cluster: installs Slurm
# and MUNGE from Debian's packages, starts a one-node cluster on this
# machine, submits a small sweep, then a small sensitivity study, each as an
# array job of several tasks plus a dependent merge job (the same scripts
# for both), then a small optimisation as one array job per stage; waits,
# and checks that each result is byte-identical to the same work run
# unsharded on this machine, and that the array tasks ran as separate Slurm
# jobs. Needs root; CI runs it (see .ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
shards=3

bash scripts/slurm/start-local-cluster.sh
cargo build --release --quiet
escrowsim="$root/target/release/escrowsim"
work=$(mktemp -d /tmp/escrowsim-slurm-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

# on_cluster FILE NAME: FILE (a sweep or a study) unsharded here, then as an
# array job of $shards tasks and a merge job; the two results must be equal.
on_cluster() {
    local file=$1 name=$2
    echo "== $name: the reference, unsharded on this machine"
    "$escrowsim" sweep "$file" --out "$work/$name-local" --jobs 2 2>/dev/null
    "$escrowsim" merge "$work/$name-local" --out "$work/$name-local.json" >/dev/null

    echo "== $name: a Slurm array job of $shards tasks and a dependent merge"
    local array_job merge_job
    read -r array_job merge_job < <(ESCROWSIM="$escrowsim" bash scripts/slurm/submit-sweep.sh "$file" "$work/$name" "$shards")
    echo "array job $array_job, merge job $merge_job"
    local deadline=$((SECONDS + 900))
    while squeue -h -j "$array_job,$merge_job" 2>/dev/null | grep -q .; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "cluster-test.sh: the jobs did not finish within 15 minutes" >&2
            squeue >&2 || true
            exit 1
        fi
        sleep 1
    done

    echo "== $name: checks"
    local logs="$work/$name/logs"
    for task in $(seq 0 $((shards - 1))); do
        local log="$logs/sweep-${array_job}_${task}.out"
        [ -s "$log" ] || { echo "no log for array task $task ($log)" >&2; ls -la "$logs" >&2; exit 1; }
        grep -q "shard ${task}/${shards} complete" "$log" || { echo "array task $task did not complete:" >&2; cat "$log" >&2; exit 1; }
    done
    local job_ids distinct
    job_ids=$(cat "$logs"/sweep-"${array_job}"_*.out | sed -n 's/^escrowsim sweep: slurm job \([0-9]*\) .*/\1/p' | sort -u)
    distinct=$(echo "$job_ids" | grep -c .)
    echo "array tasks ran as Slurm jobs: $(echo "$job_ids" | tr '\n' ' ')"
    [ "$distinct" -eq "$shards" ] || { echo "expected $shards distinct Slurm jobs, saw $distinct" >&2; exit 1; }
    local merge_log="$logs/merge-${merge_job}.out"
    grep -q "escrowsim merge: slurm job ${merge_job}" "$merge_log" || { echo "the merge job did not run:" >&2; cat "$merge_log" >&2; exit 1; }
    [ -s "$work/$name/result.json" ] || { echo "the merge job wrote no result" >&2; cat "$merge_log" >&2; exit 1; }
    cmp "$work/$name-local.json" "$work/$name/result.json"
    echo "$name: the merged cluster result equals the unsharded result byte for byte ($(wc -c < "$work/$name-local.json") bytes)"
    head -n 3 "$work/$name/result.summary.csv" | cut -c1-160
}

on_cluster "$root/sweeps/claim-window-by-release.ron" sweep
# A study runs through the same scripts: its design points are a sweep's units.
on_cluster "$root/tests/studies/browser-sobol.ron" study

# An optimisation runs in stages, each an array job submitted when the one
# before has finished; its result must equal the unsharded run's.
echo "== optimisation: the reference, unsharded on this machine"
optimisation="$root/tests/optimize/erlang-limit.ron"
"$escrowsim" optimize "$optimisation" --out "$work/optimize-local" --jobs 2 >/dev/null 2>&1
echo "== optimisation: one Slurm array job of $shards tasks per stage"
timeout 900 env ESCROWSIM="$escrowsim" bash scripts/slurm/submit-optimize.sh "$optimisation" "$work/optimize" "$shards" | tee "$work/optimize.txt"
stages=$(grep -c '^stage [0-9]*: array job' "$work/optimize.txt")
[ "$stages" -ge 2 ] || { echo "expected at least two stages as array jobs, saw $stages" >&2; exit 1; }
job_ids=$(cat "$work/optimize/logs"/optimize-*.out | sed -n 's/^escrowsim optimize: slurm job \([0-9]*\) .*/\1/p' | sort -u | grep -c .)
[ "$job_ids" -eq $((stages * shards)) ] || { echo "expected $((stages * shards)) Slurm jobs, saw $job_ids" >&2; exit 1; }
for file in result.json result.csv result.parquet result.html chosen.ron; do
    cmp "$work/optimize-local/$file" "$work/optimize/$file"
done
echo "optimisation: $stages stages as array jobs of $shards tasks; the result equals the unsharded run's byte for byte"
