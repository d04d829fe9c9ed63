#!/usr/bin/env bash
# Checks the layering of ARCHITECTURE.md: the crates depend on each other in
# one direction only (core <- analysis <- render <- escrowsim), and each
# crate's clippy.toml really refuses what it bars (a probe crate using each
# barred item must fail clippy with each lint). `bash scripts/check-layering.sh`
set -euo pipefail
cd "$(dirname "$0")/.."

dependencies_of() {
    cargo tree --quiet --edges normal --prefix none --package "$1" | awk '{print $1}' | grep '^escrowsim' | sort -u | grep -vx "$1" || true
}
check_dependencies() {
    local crate="$1" expected="$2" actual
    actual="$(dependencies_of "$crate" | tr '\n' ' ' | sed 's/ $//')"
    if [[ "$actual" != "$expected" ]]; then
        echo "layering: $crate depends on [$actual]; expected [$expected]" >&2
        exit 1
    fi
    echo "layering: $crate -> [${actual}]"
}
check_dependencies escrowsim-core ""
check_dependencies escrowsim-analysis "escrowsim-core"
check_dependencies escrowsim-render "escrowsim-analysis escrowsim-core"
check_dependencies escrowsim-columnar "escrowsim-analysis escrowsim-core"

# The probe: one use of each barred item, linted under each crate's config.
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
mkdir -p "$probe/src"
cat > "$probe/Cargo.toml" <<'TOML'
[package]
name = "layering-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]
TOML
cat > "$probe/src/lib.rs" <<'RUST'
pub fn barred() -> f64 {
    let _ = std::fs::read_to_string("x");
    let _ = std::fs::File::open("x");
    let map: std::collections::HashMap<u8, u8> = Default::default();
    let set: std::collections::HashSet<u8> = Default::default();
    let _ = std::time::Instant::now();
    let _ = std::time::SystemTime::now();
    (map.len() as f64).ln() + (set.len() as f64).exp() + 2.0f64.powf(0.5)
}
RUST
expect_refused() {
    local crate_directory="$1"; shift
    cp "$crate_directory/clippy.toml" "$probe/clippy.toml"
    local output
    output="$(cd "$probe" && cargo clippy --quiet -- -D warnings 2>&1 || true)"
    for barred in "$@"; do
        if ! grep -q "disallowed .* \`$barred\`" <<<"$output"; then
            echo "layering: $crate_directory/clippy.toml does not refuse $barred:" >&2
            echo "$output" >&2
            exit 1
        fi
    done
    echo "layering: $crate_directory/clippy.toml refuses $*"
}
expect_refused crates/core std::fs::read_to_string std::fs::File std::collections::HashMap \
    std::collections::HashSet std::time::Instant std::time::SystemTime f64::ln f64::exp f64::powf
expect_refused crates/analysis std::fs::read_to_string std::fs::File std::collections::HashMap \
    std::collections::HashSet std::time::Instant std::time::SystemTime
expect_refused crates/render std::fs::read_to_string std::fs::File std::collections::HashMap \
    std::collections::HashSet std::time::Instant std::time::SystemTime
expect_refused crates/columnar std::fs::read_to_string std::fs::File std::collections::HashMap \
    std::collections::HashSet std::time::Instant std::time::SystemTime
