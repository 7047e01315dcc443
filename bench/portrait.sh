#!/bin/sh
# make bench (portrait part): portrait generation on a 12 MP JPEG (bench/out/photo_12mp.jpg, made here as
# bench/run.sh makes it when absent). In-process: per-stage and total p50/p90 of one 768x1024 sample and
# of four samples in one call, and what reusing the decode, detection and matte saves. Numbers in
# docs/BENCHMARKS.md ("Portrait generation") come from this script.
set -eu
SHARED=${STROBE_SHARED:-../shared}
SRC="$SHARED/testdata/faces/u2net_young_man.jpg"
ITER=${BENCH_PORTRAIT_ITER:-10}
OUT=bench/out
mkdir -p "$OUT"
make --no-print-directory -s build/bench/bench_portrait
if [ ! -f "$OUT/photo_12mp.jpg" ]; then
    [ -f "$SRC" ] || { echo "bench: $SRC is missing (../shared); nothing measured" >&2; exit 1; }
    # 1000x1500 source -> 2828x4243 (12.0 MP), JPEG q90, as bench/run.sh.
    vips resize "$SRC" "$OUT/photo_12mp.jpg[Q=90]" 2.828 --kernel lanczos3
fi
echo "== portrait generation: $OUT/photo_12mp.jpg, 768x1024"
build/bench/bench_portrait "$OUT/photo_12mp.jpg" "$ITER" corporate-headshot > "$OUT/portrait.json"
cat "$OUT/portrait.json"
