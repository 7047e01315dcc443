#!/bin/sh
# A studio product photo: POST /v1/image/product-photo queues a job (202); poll GET /v1/image/{id}
# until it is completed, then download the PNG.
# usage: product.sh [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, product.png)
set -eu
URL=${STROBE_URL:-http://127.0.0.1:8080}
KEY=${STROBE_KEY:-}
while [ $# -gt 0 ]; do
    case $1 in --url) URL=$2; shift 2 ;; --key) KEY=$2; shift 2 ;; *) break ;; esac
done
PHOTO=${1:?usage: product.sh [--url URL] [--key KEY] PHOTO [OUTPUT]}
OUT=${2:-product.png}
[ -n "$KEY" ] || { echo "product.sh: set STROBE_KEY or pass --key" >&2; exit 2; }

job=$(curl -sS -H "Authorization: Bearer $KEY" -F "image=@$PHOTO" -F preset=white-studio -F shadow_type=soft \
    -F aspect=4:5 "$URL/v1/image/product-photo")
id=$(echo "$job" | jq -r '.id // empty')
[ -n "$id" ] || { echo "strobe: $(echo "$job" | jq -r '.error.message // .')" >&2; exit 1; }
for _ in $(seq 300); do
    job=$(curl -sS -H "Authorization: Bearer $KEY" "$URL/v1/image/$id")
    case $(echo "$job" | jq -r '.status // empty') in
    completed) break ;;
    queued | processing) sleep 1 ;;
    *) echo "strobe: $(echo "$job" | jq -r '.error.message // .')" >&2; exit 1 ;;
    esac
done
[ "$(echo "$job" | jq -r .status)" = completed ] || { echo "strobe: job $id not done in 5 minutes" >&2; exit 1; }
curl -sS --fail -o "$OUT" "$(echo "$job" | jq -r .output_url)"
echo "$OUT: $(echo "$job" | jq -r '"\(.width)x\(.height), \(.latency_ms) ms"')"
