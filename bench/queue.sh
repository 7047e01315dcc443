#!/bin/sh
# make bench (and alone: sh bench/queue.sh): the shared queue on a throw-away PostgreSQL 15 cluster
# (durable: fsync on, as in production) on this box.
# 1. Claims/s of the queue alone (no image work): build/bench/queue claims with 1, 2 and 4 workers, each
#    its own connection; each claim is a SKIP LOCKED select + lease update, then a completion.
# 2. Headshot throughput through the queue: QN headshot jobs (staged, encrypted, local blob folder) run
#    by 1 `strobe worker` process (1 thread), 2 processes (1 thread each), and 1 process with 2 threads.
# Results go to bench/out/queue*.json and stdout.
set -eu
SHARED=${STROBE_SHARED:-../shared}
PGBIN=/usr/lib/postgresql/15/bin
N=${QUEUE_JOBS:-300}
QN=${QUEUE_HEADSHOTS:-40}
OUT=bench/out
[ -x "$PGBIN/initdb" ] || { echo "queue bench: needs PostgreSQL 15's server ($PGBIN)" >&2; exit 1; }
PHOTO="$SHARED/testdata/faces/u2net_young_man.jpg"
[ -f "$PHOTO" ] || { echo "queue bench: $PHOTO is missing (../shared)" >&2; exit 1; }
mkdir -p "$OUT"
make --no-print-directory -s strobe build/bench/queue

as_pg() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
DIR=$(mktemp -d /tmp/strobe-qbench-XXXXXX)
chmod 700 "$DIR"
[ "$(id -u)" = 0 ] && chown 65534:65534 "$DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
WPIDS=""
cleanup() {
    for p in $WPIDS; do kill -9 "$p" 2>/dev/null || true; done
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$DIR"
}
trap cleanup EXIT INT TERM
as_pg "$PGBIN/initdb" -D "$DIR/data" -A trust -U strobe --no-locale -E UTF8 >"$DIR/initdb.log" 2>&1
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c max_connections=100" start >/dev/null
URL="postgres://strobe@127.0.0.1:$PORT/postgres"

echo "== queue claims/s ($N empty jobs per run; $(nproc) cores)"
build/bench/queue claims "$URL" "$N" 1 2 4 | tee "$OUT/queue_claims.json"
as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U strobe -d postgres -qAt -c "DELETE FROM jobs" >/dev/null

# One headshot run: start $1 worker processes of $2 threads, wait until they are up, enqueue QN jobs, time
# until all have finished.
run_headshots() {
    procs=$1 threads=$2 i=0 WPIDS=""
    BLOBS="file:$DIR/blobs-$procs-$threads"
    LOGS=""
    while [ "$i" -lt "$procs" ]; do
        log="$DIR/worker-$procs-$threads-$i.log"
        : > "$log"
        LOGS="$LOGS $log"
        STROBE_META="$URL" STROBE_BLOBS="$BLOBS" STROBE_MODELS="$SHARED/models" \
            ./strobe worker --workers "$threads" >>"$log" 2>&1 &
        WPIDS="$WPIDS $!"
        i=$((i + 1))
    done
    for f in $LOGS; do
        t=0
        until grep -q '"msg":"working"' "$f"; do
            sleep 0.2; t=$((t + 1)); [ "$t" -lt 300 ] || { echo "worker did not start: $f" >&2; exit 1; }
        done
    done
    t0=$(date +%s.%N)
    build/bench/queue enqueue "$URL" "$BLOBS" "$PHOTO" "$QN" >/dev/null
    res=$(build/bench/queue wait "$URL" "$QN" 600)
    t1=$(date +%s.%N)
    for p in $WPIDS; do kill "$p" 2>/dev/null || true; done
    for p in $WPIDS; do wait "$p" 2>/dev/null || true; done
    WPIDS=""
    as_pg "$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U strobe -d postgres -qAt -c "DELETE FROM files; DELETE FROM usage; DELETE FROM jobs;" >/dev/null
    echo "$procs $threads $t0 $t1 $res" | awk -v qn="$QN" '{
        s = $4 - $3; printf "{\"worker_processes\": %d, \"threads_each\": %d, \"headshots\": %d, \"seconds\": %.2f, \"headshots_per_s\": %.2f, \"result\": %s %s %s %s}\n", $1, $2, qn, s, qn / s, $5, $6, $7, $8 }'
}

echo "== headshots through the queue ($QN jobs of $(basename "$PHOTO"), $(vipsheader -f width "$PHOTO")x$(vipsheader -f height "$PHOTO"))"
: > "$OUT/queue_headshots.json"
for cfg in "1 1" "2 1" "1 2"; do
    # shellcheck disable=SC2086
    run_headshots $cfg >> "$OUT/queue_headshots.json"
done
cat "$OUT/queue_headshots.json"
