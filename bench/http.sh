#!/bin/sh
# make bench-http: load benchmark of POST /api/v1/ai-headshot against `strobe serve`.
# Starts a server on a fresh data directory (bench/out/http-data, default workers, rate limit off so the
# server is measured, not the limiter) and times its start-up to a ready /readyz (every net open). Then
# runs build/bench/http_load with 8 keep-alive clients for BENCH_HTTP_SECONDS (default 60), 32 clients for
# BENCH_HTTP_SECONDS_32 (default 120) and a burst of 200 clients for 10 s, posting the 12 MP JPEG of
# `make bench`, sampling the server's VmRSS every 250 ms and reading its VmHWM (peak RSS) after each run;
# then the RSS 60 s after the burst (memory given back). Last, a graceful-stop check: 8 requests in
# flight, SIGTERM, every one must get a 200 and the server must exit 0 within 30 s.
# Results go to bench/out/http_8.json, http_32.json (http_load's JSON plus the server's RSS) and
# http-server.log; a summary and the targets to stdout. Exits 1 when something did not work (a failed
# stop included); a missed target is reported, not an error.
set -eu
SHARED=${STROBE_SHARED:-../shared}
SRC="$SHARED/testdata/faces/u2net_young_man.jpg"
SECONDS_PER_RUN=${BENCH_HTTP_SECONDS:-60}
OUT=bench/out
IMG="$OUT/photo_12mp.jpg"
DATA="$OUT/http-data"
LOG="$OUT/http-server.log"
RSS_FLAG="$OUT/http-rss.sampling"
RSS_MAX="$OUT/http-rss.max"
LOAD_LOG="$OUT/http-load.txt"
SERVER=""
SAMPLER=""
LOAD=""
DRAIN=""

# On any exit: stop what this script started and is still running.
cleanup() {
    rm -f "$RSS_FLAG" "$RSS_MAX" "$LOAD_LOG" "$OUT"/http_*.json.tmp
    for p in $SAMPLER $LOAD $DRAIN; do kill "$p" 2>/dev/null || true; done
    if [ -n "$SERVER" ] && kill -0 "$SERVER" 2>/dev/null; then
        kill -TERM "$SERVER" 2>/dev/null || true
        sleep 2
        kill -KILL "$SERVER" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "bench-http: $*" >&2
    exit 1
}

make --no-print-directory -s strobe build/bench/http_load
mkdir -p "$OUT"
if [ ! -f "$IMG" ]; then
    [ -f "$SRC" ] || fail "$SRC is missing (../shared); nothing measured"
    # Exactly as bench/run.sh: 1000x1500 source -> 2828x4242 (12.0 MP), JPEG q90.
    vips resize "$SRC" "${IMG}[Q=90]" 2.828 --kernel lanczos3
fi

rm -rf "$DATA"
mkdir -p "$DATA"
KEY=$(./strobe keys create --name bench-http --credits 100000 --json --data "$DATA" |
    sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
[ -n "$KEY" ] || fail "could not create an API key"

T0=$(date +%s%N)
STROBE_RATE_LIMIT=0 STROBE_MAX_REQUESTS_PER_IP=0 STROBE_MAX_CONNECTIONS_PER_IP=0 ./strobe serve --listen 127.0.0.1:0 \
    --data "$DATA" 2>"$LOG" &
SERVER=$!
PORT=""
i=0
while [ -z "$PORT" ]; do
    kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; fail "the server exited during start"; }
    [ "$i" -lt 600 ] || fail "no listening line from the server within 60 s"
    sleep 0.1
    i=$((i + 1))
    PORT=$(sed -n 's/.*"msg":"listening","port":\([0-9]*\).*/\1/p' "$LOG")
done
WORKERS=$(sed -n 's/.*"msg":"listening".*"workers":\([0-9]*\).*/\1/p' "$LOG")
URL="http://127.0.0.1:$PORT/api/v1/ai-headshot"
until curl -s "http://127.0.0.1:$PORT/readyz" | grep -q '"status":"ready"'; do
    kill -0 "$SERVER" 2>/dev/null || fail "the server exited during start"
    sleep 0.02
done
STARTUP_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
echo "start-up to ready (every net open): $STARTUP_MS ms"
echo "== bench-http: $(vipsheader "$IMG"), $(wc -c <"$IMG") bytes; server pid $SERVER, port $PORT, $WORKERS workers," \
    "8 clients for $SECONDS_PER_RUN s, 32 for ${BENCH_HTTP_SECONDS_32:-120} s, 200 for 10 s, $(nproc) cores"

# A field of /proc/$SERVER/status in kB.
proc_kb() {
    while read -r k v _; do
        [ "$k" = "$1:" ] && { echo "$v"; return; }
    done <"/proc/$SERVER/status"
    echo 0
}

# Every 250 ms while $RSS_FLAG exists: the largest VmRSS seen, into $1.
sample_rss() {
    max=0
    while [ -e "$RSS_FLAG" ] && kill -0 "$SERVER" 2>/dev/null; do
        v=$(proc_kb VmRSS)
        [ "$v" -gt "$max" ] && max=$v
        echo "$max" >"$1"
        sleep 0.25
    done
}

# A top-level number of http_load's JSON (one key per line).
json_num() {
    sed -n "s/^  \"$1\": \([-0-9.e+]*\),\{0,1\}$/\1/p" "$2"
}

for n in 8 32 200; do
    json="$OUT/http_$n.json"
    secs=$SECONDS_PER_RUN
    [ "$n" -eq 32 ] && secs=${BENCH_HTTP_SECONDS_32:-120}
    [ "$n" -eq 200 ] && secs=10
    : >"$RSS_MAX"
    touch "$RSS_FLAG"
    sample_rss "$RSS_MAX" &
    SAMPLER=$!
    # In the background so that a signal to this script is acted on at once (wait is interruptible).
    build/bench/http_load --url "$URL" --key "$KEY" --file "$IMG" --clients "$n" --seconds "$secs" \
        --json >"$json.tmp" 2>"$LOAD_LOG" &
    LOAD=$!
    wait "$LOAD" || { cat "$LOAD_LOG" >&2; fail "http_load failed"; }
    LOAD=""
    summary=$(cat "$LOAD_LOG")
    rm -f "$RSS_FLAG"
    wait "$SAMPLER" || true
    SAMPLER=""
    kill -0 "$SERVER" 2>/dev/null || { tail -20 "$LOG" >&2; fail "the server died during the $n-client run"; }
    hwm=$(proc_kb VmHWM)
    rss=$(cat "$RSS_MAX")
    awk -v hwm="$hwm" -v rss="${rss:-0}" -v w="$WORKERS" '{ l[NR] = $0 }
        END { for (i = 1; i < NR - 1; i++) print l[i]; print l[NR - 1] ",";
              printf "  \"server_workers\": %d,\n  \"server_vmrss_max_mb\": %.0f,\n  \"server_vmhwm_mb\": %.0f\n}\n",
                     w, rss / 1024, hwm / 1024 }' "$json.tmp" >"$json"
    rm -f "$json.tmp"
    echo "http $summary; server RSS max $(awk -v k="${rss:-0}" 'BEGIN { printf "%.0f", k / 1024 }') MB," \
        "peak (VmHWM) $(awk -v k="$hwm" 'BEGIN { printf "%.0f", k / 1024 }') MB"
done

# Memory given back: the RSS 60 s after the burst (the worker pool trims the heap when it goes idle).
sleep 60
IDLE_MB=$(awk -v k="$(proc_kb VmRSS)" 'BEGIN { printf "%.0f", k / 1024 }')
echo "server RSS 60 s after the burst: $IDLE_MB MB"

# Graceful stop: requests in flight (queued behind the workers) when SIGTERM comes must all be answered.
N_DRAIN=8
i=0
while [ "$i" -lt "$N_DRAIN" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H "Authorization: Bearer $KEY" -F "image=@$IMG" \
        "$URL" >"$OUT/http-drain.$i" &
    DRAIN="$DRAIN $!"
    i=$((i + 1))
done
sleep 1
kill -TERM "$SERVER"
i=0
while kill -0 "$SERVER" 2>/dev/null && [ "$i" -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -0 "$SERVER" 2>/dev/null && fail "the server did not exit within 30 s of SIGTERM"
rc=0
wait "$SERVER" || rc=$?
SERVER=""
for p in $DRAIN; do wait "$p" || true; done
DRAIN=""
codes=$(cat "$OUT"/http-drain.* | sort | uniq -c | awk '{ printf "%s%s:%s", (NR > 1 ? " " : ""), $2, $1 }')
rm -f "$OUT"/http-drain.*
after=$(awk '/"msg":"stopping"/ { s = 1; next } s && /"msg":"request"/ { n++ } END { print n + 0 }' "$LOG")
echo "graceful stop: exit $rc after $(awk -v t="$i" 'BEGIN { printf "%.1f", t / 10 }') s; $N_DRAIN in-flight" \
    "requests got {$codes}, $after answered after SIGTERM"

echo "== targets"
status=0
for n in 8 32 200; do
    json="$OUT/http_$n.json"
    awk -v n="$n" -v r="$(json_num throughput_per_s "$json")" -v f="$(json_num failed "$json")" 'BEGIN {
        printf "%d clients: %.2f headshots/s%s, %d answers other than 200/429/503 (0: %s)\n",
               n, r, (n == 8 ? (r >= 7 ? " (>= 7: met)" : " (>= 7: MISSED)") : ""), f, (f == 0 ? "met" : "MISSED") }'
done
awk -v k="$(json_num server_vmhwm_mb "$OUT/http_200.json")" \
    'BEGIN { printf "server peak RSS over the 8, 32 and 200-client runs: %d MB (<= 400: %s)\n", k, (k <= 400 ? "met" : "MISSED") }'
awk -v k="$IDLE_MB" 'BEGIN { printf "server RSS 60 s after the burst: %d MB (< 250: %s)\n", k, (k < 250 ? "met" : "MISSED") }'
awk -v k="$STARTUP_MS" 'BEGIN { printf "start-up to ready: %d ms (<= 2000: %s)\n", k, (k <= 2000 ? "met" : "MISSED") }'
[ "$rc" -eq 0 ] || { echo "bench-http: the server exited $rc on SIGTERM" >&2; status=1; }
[ "$codes" = "200:$N_DRAIN" ] || { echo "bench-http: not every in-flight request got a 200" >&2; status=1; }
exit "$status"
