#!/bin/sh
# A styled portrait: POST /api/generate-portrait with the photo as a data URI in JSON and a prompt; the
# answer carries the JPEG as a data URI (outputImages) and at a signed URL (output_url).
# usage: portrait.sh [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, portrait.jpg)
set -eu
URL=${STROBE_URL:-http://127.0.0.1:8080}
KEY=${STROBE_KEY:-}
while [ $# -gt 0 ]; do
    case $1 in --url) URL=$2; shift 2 ;; --key) KEY=$2; shift 2 ;; *) break ;; esac
done
PHOTO=${1:?usage: portrait.sh [--url URL] [--key KEY] PHOTO [OUTPUT]}
OUT=${2:-portrait.jpg}
[ -n "$KEY" ] || { echo "portrait.sh: set STROBE_KEY or pass --key" >&2; exit 2; }

body=$(mktemp)
trap 'rm -f "$body"' EXIT
# The request body is written to a file: a photo in base64 is too long for a command line.
printf '{"prompt":"golden hour light, outdoor background, warm, half body","seed":42,"inputImages":["data:image/jpeg;base64,%s"]}' \
    "$(base64 -w0 "$PHOTO")" >"$body"
answer=$(curl -sS -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "@$body" \
    "$URL/api/generate-portrait")
if [ "$(echo "$answer" | jq -r '.status // empty')" != completed ]; then
    echo "strobe: $(echo "$answer" | jq -r '.error.message // .')" >&2
    exit 1
fi
echo "$answer" | jq -r '.outputImages[0]' | sed 's/^data:[^,]*,//' | base64 -d >"$OUT"
echo "$OUT: $(echo "$answer" | jq -r '"seed \(.seed), likeness \(.likenessScores[0] * 1000 | round / 1000), words not understood: \(.ignoredTerms | if length == 0 then "none" else join(", ") end)"')"
