#!/bin/sh
# make bench: the headshot pipeline on a 12 MP and a 3 MP JPEG made from a shared test photo.
# In-process: per-stage and total p50/p90, the I/O floor measured in the same run, peak RSS.
# Whole CLI: wall time p50/p90 and peak RSS of `strobe headshot` as a fresh process (model load included).
# Results go to bench/out/ and a summary to stdout. Numbers in docs/BENCHMARKS.md come from this script.
set -eu
SHARED=${STROBE_SHARED:-../shared}
SRC="$SHARED/testdata/faces/u2net_young_man.jpg"
ITER=${BENCH_ITER:-20}
RUNS=${BENCH_CLI_RUNS:-10}
OUT=bench/out
[ -f "$SRC" ] || { echo "bench: $SRC is missing (../shared); nothing measured" >&2; exit 1; }
mkdir -p "$OUT"
make --no-print-directory -s build/bench/bench_headshot

# 1000x1500 source -> 2828x4243 (12.0 MP) and 1414x2121 (3.0 MP), JPEG q90.
vips resize "$SRC" "$OUT/photo_12mp.jpg[Q=90]" 2.828 --kernel lanczos3
vips resize "$SRC" "$OUT/photo_3mp.jpg[Q=90]" 1.414 --kernel lanczos3

for img in photo_12mp photo_3mp; do
    echo "== $img: $(vipsheader "$OUT/$img.jpg")"
    build/bench/bench_headshot "$OUT/$img.jpg" "$ITER" 800 > "$OUT/$img.json"
    cat "$OUT/$img.json"
    : > "$OUT/$img.cli.txt"
    i=0
    while [ "$i" -lt "$RUNS" ]; do
        /usr/bin/time -f "%e %M" -a -o "$OUT/$img.cli.txt" ./strobe headshot "$OUT/$img.jpg" -o "$OUT/$img.headshot.png"
        i=$((i + 1))
    done
    sort -n "$OUT/$img.cli.txt" | awk -v n="$RUNS" -v name="$img" '
        { t[NR] = $1 * 1000; if ($2 > rss) rss = $2 }
        END { p50 = t[int((n + 1) / 2)]; p90 = t[int(n * 0.9 + 0.999)];
              printf "cli %s: wall p50 %.0f ms, p90 %.0f ms, peak RSS %.0f MB over %d runs\n", name, p50, p90, rss / 1024, n }'
done

# Avatars: every style on the 12 MP JPEG, in process (per-stage p50/p90, likeness of the result).
make --no-print-directory -s build/bench/bench_avatar
echo "== avatar styles: $OUT/photo_12mp.jpg"
build/bench/bench_avatar "$OUT/photo_12mp.jpg" "${BENCH_AVATAR_ITER:-10}" > "$OUT/avatar.json"
cat "$OUT/avatar.json"

# Likeness calibration: same- and different-person cosine distributions on the identity sets.
make --no-print-directory -s build/bench/likeness && build/bench/likeness "$SHARED" > "$OUT/likeness.json"
echo "== likeness distributions: $OUT/likeness.json"
# The safety thresholds are re-derived with build/bench/safety (about 5 minutes: it runs CartoonGAN on
# 90 faces), not here.

# Portrait generation (contract S2): one and four 768x1024 samples on the 12 MP JPEG.
sh bench/portrait.sh

# Product photo (contract S4): a 12 MP JPEG -> 2000x2000 JPEG, white studio, soft shadow; mask IoU per class.
sh bench/product.sh

# The shared queue on a throw-away PostgreSQL cluster: claims/s, and headshots through 1 and 2 worker
# processes (needs PostgreSQL 15's server, which `make test` installs).
if [ -x /usr/lib/postgresql/15/bin/initdb ]; then sh bench/queue.sh; else echo "== queue: skipped (no PostgreSQL 15 server)"; fi
