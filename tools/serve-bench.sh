#!/usr/bin/env bash
# Measures `mrtd serve` on loopback against `mrtd verify -` on the same documents (docs/performance.md,
# "The verification service"): throughput on one core, latency under 200 concurrent clients, memory over a
# stream of uploads. Needs a release build (target/release/mrtd), wrk (Debian package `wrk`) and taskset.
# The service is pinned to core 0, the load generator to core 1.
# Usage: tools/serve-bench.sh [throughput|latency|memory|all] [WORKDIR]
set -euo pipefail
what=${1:-all}
work=${2:-/tmp/mrtd-serve-bench}
root=$(cd "$(dirname "$0")/.." && pwd)
mrtd=${MRTD:-$root/target/release/mrtd}
mkdir -p "$work"
cd "$work"

# The sample BRP (without images in the JSON lines, as tools/jsonl-corpus.py writes them) and its CSCA.
if [ ! -f csca.der ]; then
    "$mrtd" demo -q --export-csca csca.der >/dev/null
    rm -rf dump
    "$mrtd" read --emulator brp --doc ZU3847562 --dob 880314 --expiry 340313 --out dump -q --trust csca.der
    python3 "$root/tools/jsonl-corpus.py" dump 1 > body.json
    python3 "$root/tools/jsonl-corpus.py" dump 20000 | grep -v broken > corpus.jsonl
fi
cat > post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MRTD_KEY")
local f = io.open(os.getenv("MRTD_BODY"), "rb")
wrk.body = f:read("*a")
f:close()
LUA

# A fresh service on core 0: SQLite in $work/data-$1; sets $pid, $url, $MRTD_KEY.
start() {
    rm -rf "data-$1"
    export MRTD_KEY
    MRTD_KEY=$("$mrtd" serve tenant add bench --data "data-$1" 2>/dev/null)
    export MRTD_BODY=$work/body.json
    : > "serve-$1.out"
    taskset -c 0 "$mrtd" serve --data "data-$1" --trust csca.der --listen 127.0.0.1:0 --workers 1 \
        --rate 1000000000 --burst 1000000000 --max-in-flight 1024 --purge-interval 0 \
        > "serve-$1.out" 2> "serve-$1.log" &
    pid=$!
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on //p' "serve-$1.out")
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "mrtd serve did not start"; cat "serve-$1.log"; exit 1; }
    # Warm up (trust store, DSC cache, connections).
    taskset -c 1 wrk -t1 -c4 -d2s -s post.lua "$url/v1/verifications" >/dev/null
}
stop() { kill "$pid"; wait "$pid" || true; }

if [ "$what" = throughput ] || [ "$what" = all ]; then
    echo "== mrtd verify - on one core: $(wc -l < corpus.jsonl) documents"
    /usr/bin/time -f "%e s, %M KB max RSS" taskset -c 0 "$mrtd" verify - --trust csca.der --jobs 1 -q \
        < corpus.jsonl > /dev/null || true
    for clients in 4 16; do
        start "t$clients"
        echo "== mrtd serve on one core (SQLite), wrk -c$clients on the other"
        taskset -c 1 wrk -t1 -c"$clients" -d20s -s post.lua "$url/v1/verifications"
        stop
    done
fi
if [ "$what" = latency ] || [ "$what" = all ]; then
    start latency
    echo "== 200 concurrent clients, mrtd serve on one core"
    taskset -c 1 wrk -t2 -c200 -d30s --latency --timeout 30s -s post.lua "$url/v1/verifications"
    stop
fi
if [ "$what" = memory ] || [ "$what" = all ]; then
    start memory
    n=${UPLOADS:-100000}
    echo "== $n uploads, memory sampled every 2 s (rss.txt: seconds, VmRSS, RssAnon, RssFile in kB)"
    ( t=0; while kill -0 "$pid" 2>/dev/null; do
        echo "$t $(awk '/^(VmRSS|RssAnon|RssFile):/ {printf "%s ", $2}' /proc/$pid/status 2>/dev/null)"
        sleep 2; t=$((t + 2)); done ) > rss.txt &
    sampler=$!
    # wrk runs for a time: make it long enough for $n uploads at the measured rate, then count.
    rate=${RATE:-600}
    secs=$(( n / rate + 5 ))
    taskset -c 1 wrk -t1 -c16 -d"${secs}s" -s post.lua "$url/v1/verifications"
    count=$(curl -s -H "Authorization: Bearer $MRTD_KEY" "$url/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    echo "checks stored: $count"
    stop
    kill "$sampler" 2>/dev/null || true
    # Anonymous memory (the heap) is what must not grow; file-backed pages are the database's, mapped.
    awk 'NR==3 {first=$3} $3 {if ($3>max) max=$3; last=$3; file=$4} END {print "RssAnon after warm-up", first, "kB, max", max, "kB, last", last, "kB; RssFile last", file, "kB"}' rss.txt
fi
