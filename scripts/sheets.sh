#!/bin/sh
# make sheets: contact sheets to LOOK at the people products and product shots on real photos (docs/QUALITY.md).
# For every photo of testdata faces/ and groups/: the headshot; for faces/ and identity/ photos: the anime
# and the editorial avatar; for products/ photos: the white-studio product shot at 1000x1000 (kind product).
# Each tile is the input (left) beside the output (right) with the photo's name
# and what strobe answered under them (the error code for a refusal, else the QA fields of --json).
# Writes build/sheets/<kind>/<name>.{png,json} and build/sheets/<kind>-<n>.png (24 tiles a sheet), drawn by
# build/bench/sheet. Not committed: the photos are not ours.
# usage: [KINDS="headshot anime editorial product cutout"] [HAND=remove] [REUSE=1] sh scripts/sheets.sh [STROBE]
#        (default ./strobe). cutout: the product alone (--cutout, --hand keep unless HAND=remove).
# REUSE=1 keeps the outputs already in build/sheets and only redraws the sheets.
set -eu
STROBE=${1:-./strobe}
SHEET=build/bench/sheet
SHARED=${STROBE_SHARED:-../shared}
TD=$SHARED/testdata
OUT=build/sheets
PER_SHEET=24
[ -d "$TD/faces" ] || { echo "sheets: $TD/faces not found (set STROBE_SHARED)" >&2; exit 1; }
[ -x "$SHEET" ] || { echo "sheets: $SHEET is missing (make $SHEET)" >&2; exit 1; }

# caption JSON_FILE: the refusal's code, or the QA fields the answer carries
caption() {
    if grep -q '"error"' "$1" 2>/dev/null; then
        sed -n 's/.*"code": *"\([^"]*\)".*/refused: \1/p' "$1" | head -1
    else
        tr -d '\n' <"$1" | grep -o '"\(face_count\|input_quality_score\|likeness_score\|validation_warnings\|pass\|stray\|reasons\|photo_edge_visible\|other_person_left\)": *\(\[[^]]*\]\|[^,}]*\)' |
            sed 's/"//g; s/ //g' | tr '\n' ' ' | cut -c1-200
    fi
}

# run_kind KIND DIR... : one strobe call per photo, then the sheets
run_kind() {
    kind=$1
    shift
    mkdir -p "$OUT/$kind"
    list="$OUT/$kind/list.tsv"
    : >"$list"
    for dir in "$@"; do
        for f in "$TD/$dir"/*; do
            case "$f" in *.jpg | *.jpeg | *.png | *.webp | *.JPG | *.heic) ;; *) continue ;; esac
            name=$(basename "$f")
            name=${name%.*}
            res="$OUT/$kind/$name.png"
            if [ -z "${REUSE:-}" ] || [ ! -s "$OUT/$kind/$name.json" ]; then
                rm -f "$res"
                case $kind in
                headshot) "$STROBE" headshot "$f" -o "$res" --size 560 --json >"$OUT/$kind/$name.json" 2>&1 || true ;;
                product) "$STROBE" product "$f" -o "$res" --size 1000x1000 --json >"$OUT/$kind/$name.json" 2>&1 || true ;;
                cutout) "$STROBE" product "$f" -o "$res" --cutout --hand "${HAND:-keep}" --json >"$OUT/$kind/$name.json" 2>&1 || true ;;
                *) "$STROBE" avatar "$f" --style "$kind" -o "$res" --json >"$OUT/$kind/$name.json" 2>&1 || true ;;
                esac
            fi
            [ -s "$res" ] || res=""
            printf '%s\t%s\t%s\n' "$f" "$res" "$dir/$name  $(caption "$OUT/$kind/$name.json")" >>"$list"
        done
    done
    n=$(wc -l <"$list")
    s=1
    while [ $(((s - 1) * PER_SHEET)) -lt "$n" ]; do
        tail -n +$(((s - 1) * PER_SHEET + 1)) "$list" | head -n $PER_SHEET | "$SHEET" "$OUT/$kind-$s.png"
        echo "sheets: $OUT/$kind-$s.png"
        s=$((s + 1))
    done
}

for kind in ${KINDS:-headshot anime editorial product}; do
    case $kind in
    headshot) run_kind headshot faces groups ;;
    anime | editorial) run_kind "$kind" faces identity ;;
    product) run_kind product products ;;
    cutout) run_kind cutout products ;;
    *) echo "sheets: unknown kind $kind (headshot, anime, editorial, product, cutout)" >&2 && exit 2 ;;
    esac
done
