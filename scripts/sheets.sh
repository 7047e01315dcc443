#!/bin/sh
# make sheets: contact sheets to LOOK at the people products and product shots on real photos (docs/QUALITY.md).
# For every photo of testdata faces/ and groups/: the headshot; for faces/ and identity/ photos: the anime
# and the editorial avatar; for products/ photos: the white-studio product shot at 1000x1000 (kind product),
# and every product on every scene (kind scenes: the presets and the custom materials, each with one of the
# shadow kinds, at 800x800; build/sheets/scenes-<n>.png, three products a sheet).
# Each tile is the input (left) beside the output (right) with the photo's name
# and what strobe answered under them (the error code for a refusal, else the QA fields of --json).
# Writes build/sheets/<kind>/<name>.{png,json} and build/sheets/<kind>-<n>.png (24 tiles a sheet), drawn by
# build/bench/sheet. Not committed: the photos are not ours.
# usage: [KINDS="headshot anime editorial product cutout scenes"] [HAND=remove] [REUSE=1] sh scripts/sheets.sh [STROBE]
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

# Every scene, as PRESET|PROMPT|SHADOW with _ for a space (each shadow kind on two of them: hard's floor shadow on
# white studio and on outdoor's table, where a wrong perspective shows most).
SCENES="white-studio||hard gradient-light||floating marble||natural outdoor||hard custom|wood|soft custom|concrete|natural
custom|linen|floating custom|golden_hour_on_white_marble|soft"

# run_scenes: every product photo on every scene, then the sheets
run_scenes() {
    mkdir -p "$OUT/scenes"
    list="$OUT/scenes/list.tsv"
    : >"$list"
    for f in "$TD/products"/*; do
        case "$f" in *.jpg | *.jpeg | *.png | *.webp) ;; *) continue ;; esac
        name=$(basename "$f")
        name=${name%.*}
        i=0
        printf '%s\n' $SCENES | tr '_' ' ' |
            while IFS='|' read -r preset prompt shadow; do
                i=$((i + 1))
                res="$OUT/scenes/$name-$i.png"
                if [ -z "${REUSE:-}" ] || [ ! -s "$res" ]; then
                    if [ -n "$prompt" ]; then
                        "$STROBE" product "$f" -o "$res" --size 800x800 --preset "$preset" --prompt "$prompt" \
                            --shadow "$shadow" >/dev/null 2>&1 || rm -f "$res"
                    else
                        "$STROBE" product "$f" -o "$res" --size 800x800 --preset "$preset" --shadow "$shadow" \
                            >/dev/null 2>&1 || rm -f "$res"
                    fi
                fi
                [ -s "$res" ] || res=""
                printf '%s\t%s\t%s\n' "$f" "$res" "$name: ${prompt:-$preset}, $shadow" >>"$list"
            done
    done
    n=$(wc -l <"$list")
    s=1
    while [ $(((s - 1) * PER_SHEET)) -lt "$n" ]; do
        tail -n +$(((s - 1) * PER_SHEET + 1)) "$list" | head -n $PER_SHEET | "$SHEET" "$OUT/scenes-$s.png"
        echo "sheets: $OUT/scenes-$s.png"
        s=$((s + 1))
    done
}

for kind in ${KINDS:-headshot anime editorial product scenes}; do
    case $kind in
    headshot) run_kind headshot faces groups ;;
    anime | editorial) run_kind "$kind" faces identity ;;
    product) run_kind product products ;;
    cutout) run_kind cutout products ;;
    scenes) run_scenes ;;
    *) echo "sheets: unknown kind $kind (headshot, anime, editorial, product, cutout, scenes)" >&2 && exit 2 ;;
    esac
done
