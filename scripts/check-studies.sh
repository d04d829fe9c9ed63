#!/usr/bin/env bash
# The shipped studies and optimisations (studies/*.ron), run in a release
# build: each one's
# text summary must be what docs/studies/NAME.txt records, and the README
# shows those files (checked by its test). A study runs hundreds of
# scenarios, too many for the test suite, so they run here, as the golden
# digests of the large scenarios do. ESCROWSIM_BLESS=1 rewrites the files.
#
#   bash scripts/check-studies.sh [STUDY.ron ...]   (default: every shipped study but quick-sobol)
set -euo pipefail
cd "$(dirname "$0")/.."
escrowsim=${ESCROWSIM:-target/release/escrowsim}
[ -x "$escrowsim" ] || { echo "check-studies.sh: no binary at $escrowsim (cargo build --release)" >&2; exit 2; }
if [ $# -eq 0 ]; then
    # quick-sobol is the cost benchmark of the study machinery: 3,072 runs
    # that find nothing the launch studies do not.
    set -- $(ls studies/*.ron | grep -v quick-sobol)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
for study in "$@"; do
    name=$(basename "$study" .ron)
    command=sensitivity
    grep -q '^Calibration(' "$study" && command=calibrate
    grep -q '^Optimize(' "$study" && command=optimize
    start=$(date +%s)
    "$escrowsim" "$command" "$study" --out "$work/$name" --jobs 2 > "$work/$name.txt" 2> "$work/$name.log" \
        || { cat "$work/$name.log" >&2; exit 1; }
    echo "$study: $command in $(( $(date +%s) - start )) s"
    recorded="docs/studies/$name.txt"
    if [ -n "${ESCROWSIM_BLESS:-}" ]; then
        cp "$work/$name.txt" "$recorded"
    elif ! diff -u "$recorded" "$work/$name.txt"; then
        echo "$study: the summary differs from $recorded (ESCROWSIM_BLESS=1 to refresh)" >&2
        failures=$((failures + 1))
    fi
    scenario=""
    [ "$command" = calibrate ] && scenario=calibrated
    [ "$command" = optimize ] && scenario=chosen
    if [ -n "$scenario" ]; then
        recorded="docs/studies/$name.$scenario.ron"
        if [ -n "${ESCROWSIM_BLESS:-}" ]; then
            cp "$work/$name/$scenario.ron" "$recorded"
        elif ! diff -u "$recorded" "$work/$name/$scenario.ron"; then
            failures=$((failures + 1))
        fi
    fi
done
[ "$failures" -eq 0 ]
