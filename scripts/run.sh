#!/bin/sh
# make run: the HTTP API on the embedded default (SQLite + local files in ./strobe-data), with a
# development key made on first use and a curl line that works as printed. Stop with Ctrl-C (SIGINT):
# the server finishes the work it accepted, then exits.
set -eu
DATA=${STROBE_DATA:-strobe-data}
LISTEN=${STROBE_LISTEN:-127.0.0.1:8080}
SHARED=${STROBE_SHARED:-../shared}
KEY=$(./strobe keys dev --data "$DATA")
cat <<MSG
strobe on http://$LISTEN  (data in $DATA/)
development key: $KEY

demo page (the key fills itself in): http://$LISTEN/#key=$KEY

try:
  curl -s -H 'Authorization: Bearer $KEY' -F image=@$SHARED/testdata/faces/u2net_young_man.jpg http://$LISTEN/api/v1/ai-headshot

MSG
exec ./strobe serve --listen "$LISTEN" --data "$DATA"
