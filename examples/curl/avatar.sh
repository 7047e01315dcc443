#!/bin/sh
# An avatar for a platform: POST /v1/avatar/generate with a photo and its options, then download the PNG.
# usage: avatar.sh [--url URL] [--key KEY] PHOTO [OUTPUT]   (defaults: $STROBE_URL, $STROBE_KEY, avatar.png)
set -eu
URL=${STROBE_URL:-http://127.0.0.1:8080}
KEY=${STROBE_KEY:-}
while [ $# -gt 0 ]; do
    case $1 in --url) URL=$2; shift 2 ;; --key) KEY=$2; shift 2 ;; *) break ;; esac
done
PHOTO=${1:?usage: avatar.sh [--url URL] [--key KEY] PHOTO [OUTPUT]}
OUT=${2:-avatar.png}
[ -n "$KEY" ] || { echo "avatar.sh: set STROBE_KEY or pass --key" >&2; exit 2; }

# Options left out come from the platform (see /openapi.json, AvatarOptions).
answer=$(curl -sS -H "Authorization: Bearer $KEY" -F "image=@$PHOTO" -F platform=linkedin \
    -F background=studio_light -F palette=cool_blue "$URL/v1/avatar/generate")
if [ "$(echo "$answer" | jq -r '.status // empty')" != completed ]; then
    echo "strobe: $(echo "$answer" | jq -r '.error.message // .')" >&2
    exit 1
fi
curl -sS --fail -o "$OUT" "$(echo "$answer" | jq -r .avatar_url)"
echo "$OUT: $(echo "$answer" | jq -r '"likeness \(.likeness_score * 1000 | round / 1000) (needs \(.likeness_threshold * 100 | round / 100)), warnings: \(.validation_warnings | if length == 0 then "none" else join(", ") end), \(.latency_ms) ms"')"
