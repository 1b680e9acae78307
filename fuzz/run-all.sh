#!/usr/bin/env bash
# Runs every fuzz target for a short time; stops at the first crash.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"
for target in $(RUSTC_BOOTSTRAP=1 cargo fuzz list); do
    echo "== $target ($seconds s)"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=4096
done
