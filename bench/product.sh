#!/bin/sh
# make bench (product part): the product pipeline on a 12 MP JPEG made from a shared product photo, then the
# salient mask's IoU per image class on the matting set. In-process: per-stage and total p50/p90 and peak
# RSS of a 2000x2000 JPEG, white-studio, soft shadow. Numbers in docs/BENCHMARKS.md come from this script.
set -eu
SHARED=${STROBE_SHARED:-../shared}
SRC="$SHARED/testdata/products/u2net_desk_lamp.jpg"
ITER=${BENCH_ITER:-20}
OUT=bench/out
[ -f "$SRC" ] || { echo "bench: $SRC is missing (../shared); nothing measured" >&2; exit 1; }
mkdir -p "$OUT"
make --no-print-directory -s build/bench/bench_product build/bench/salient

# 554x512 source -> 3604x3331 (12.0 MP), JPEG q90.
vips resize "$SRC" "$OUT/product_12mp.jpg[Q=90]" 6.505 --kernel lanczos3
echo "== product_12mp: $(vipsheader "$OUT/product_12mp.jpg")"
build/bench/bench_product "$OUT/product_12mp.jpg" "$ITER" 2000 white-studio soft > "$OUT/product_12mp.json"
cat "$OUT/product_12mp.json"

# Mask accuracy: IoU at 0.5 per class of shared/testdata/matting: the net's map alone, refined over the whole
# photo, and sb_salient_mask (refined around the subject: the mask the product pipeline uses).
build/bench/salient "$SHARED/testdata" > "$OUT/salient.json"
echo "== salient mask IoU per class (net / whole-photo refine / product mask): $OUT/salient.json"
cat "$OUT/salient.json"
