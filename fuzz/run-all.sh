#!/usr/bin/env bash
# Seeds the corpora, then runs every fuzz target for a short time, one at a time; stops at the first crash.
# Usage: ./run-all.sh [SECONDS per target, default 20]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"
./seed-corpora.sh >/dev/null
for target in $(RUSTC_BOOTSTRAP=1 cargo fuzz list); do
    echo "== $target ($seconds s)"
    # -timeout: an input taking over 10 s is reported as a hang, not waited on for the default 20 minutes.
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096
done
