#!/bin/sh
# Install the Debian 12 packages strobe needs to build, test and benchmark (the last line: the demo page's
# browser test and the client examples in examples/), then the ONNX Runtime library
# (scripts/onnxruntime.sh, from the npm registry). Idempotent and non-interactive: installs only what is
# missing; exits 0 when all is present.
set -eu

PKGS="build-essential pkg-config libvips-dev libjansson-dev libsqlite3-dev
libcurl4-openssl-dev libmicrohttpd-dev libzip-dev libcriterion-dev libssl-dev libexif-dev libimage-exiftool-perl
libvips-tools time strace clang libclang-rt-14-dev libpq-dev postgresql-15
chromium chromium-driver python3-selenium python3-requests nodejs curl jq"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    echo "bootstrap: installing$missing" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

sh "$(dirname "$0")/onnxruntime.sh"
