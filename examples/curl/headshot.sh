#!/bin/sh
# A corporate headshot: POST /api/v1/ai-headshot with a photo, then download the PNG at output_url.
# usage: headshot.sh [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, headshot.png)
set -eu
URL=${STROBE_URL:-http://127.0.0.1:8080}
KEY=${STROBE_KEY:-}
while [ $# -gt 0 ]; do
    case $1 in --url) URL=$2; shift 2 ;; --key) KEY=$2; shift 2 ;; *) break ;; esac
done
PHOTO=${1:?usage: headshot.sh [--url URL] [--key KEY] PHOTO [OUTPUT]}
OUT=${2:-headshot.png}
[ -n "$KEY" ] || { echo "headshot.sh: set STROBE_KEY or pass --key" >&2; exit 2; }

# Synchronous: the answer is the finished job. Errors are {"error":{"code","message","field"}}.
answer=$(curl -sS -H "Authorization: Bearer $KEY" -F "image=@$PHOTO" -F output_format=png -F size=800 \
    "$URL/api/v1/ai-headshot")
if [ "$(echo "$answer" | jq -r '.status // empty')" != completed ]; then
    echo "strobe: $(echo "$answer" | jq -r '.error.message // .')" >&2
    exit 1
fi
curl -sS --fail -o "$OUT" "$(echo "$answer" | jq -r .output_url)"
echo "$OUT: $(echo "$answer" | jq -r '"\(.width)x\(.height), \(.latency_ms) ms"')"
