#!/usr/bin/env bash
# Installs Debian's `chromium` package for the HTML report's browser test
# (`cargo test --features browser-tests --test browser`), unless a chromium
# is already on the PATH. Needs root (CI runs as root) and Debian's package
# archive; does nothing else. Run from anywhere: `bash scripts/install-chromium.sh`.
set -euo pipefail

for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then
        echo "chromium present: $(command -v "$candidate")"
        exit 0
    fi
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install-chromium: chromium is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium
echo "chromium installed: $(command -v chromium)"
