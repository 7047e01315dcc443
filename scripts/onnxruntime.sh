#!/bin/sh
# Install the ONNX Runtime shared library strobe links against, from the npm registry (Debian 12 packages
# none). Idempotent, and offline once the cache holds the tarball:
#   1. if deps/onnxruntime/lib/libonnxruntime.so.1 ($STROBE_ORT_DIR) is there with the pinned sha256: nothing
#      to do;
#   2. otherwise take the npm tarball from the cache ($STROBE_CACHE, default ~/.cache/strobe), or
#      `npm pack` it there (Debian's npm is installed first when no npm is on the PATH);
#   3. check the tarball's sha512 integrity against the pinned value (a mismatch stops the build);
#   4. extract the one library file with tar. The package's install script is never run (it would try to
#      download GPU binaries): `npm pack` only downloads the tarball.
# The headers are not in the package: the build takes them from ../shared/vendor/onnxruntime/include.
set -eu
cd "$(dirname "$0")/.."

VERSION=1.30.0
INTEGRITY="sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw=="
MEMBER=package/bin/napi-v6/linux/x64/libonnxruntime.so.1
LIB_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
DEST=${STROBE_ORT_DIR:-deps/onnxruntime/lib}
CACHE=${STROBE_CACHE:-${HOME:-/root}/.cache/strobe}
TGZ="$CACHE/onnxruntime-node-$VERSION.tgz"

die() { echo "onnxruntime: $*" >&2; exit 1; }
. scripts/npm.sh

lib_ok() { [ -f "$DEST/libonnxruntime.so.1" ] &&
    [ "$(sha256sum "$DEST/libonnxruntime.so.1" | cut -d' ' -f1)" = "$LIB_SHA256" ]; }

tgz_ok() { [ -f "$TGZ" ] &&
    [ "sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)" = "$INTEGRITY" ]; }

lib_ok && exit 0

if [ -f "$TGZ" ] && ! tgz_ok; then
    echo "onnxruntime: the cached $TGZ fails its integrity check: fetching it again" >&2
    rm -f "$TGZ"
fi
if ! tgz_ok; then
    need_npm onnxruntime
    mkdir -p "$CACHE"
    rm -f "$TGZ"
    echo "onnxruntime: npm pack onnxruntime-node@$VERSION into $CACHE" >&2
    (cd "$CACHE" && npm pack --silent "onnxruntime-node@$VERSION" >/dev/null) ||
        die "npm pack onnxruntime-node@$VERSION failed (is the npm registry reachable?)"
    [ -f "$TGZ" ] || die "npm pack did not write $TGZ"
    if ! tgz_ok; then
        got="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
        rm -f "$TGZ"
        die "onnxruntime-node-$VERSION.tgz fails its integrity check: expected $INTEGRITY, got $got"
    fi
fi

mkdir -p "$DEST"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$TGZ" -C "$tmp" "$MEMBER" || die "$MEMBER is not in $TGZ"
got=$(sha256sum "$tmp/$MEMBER" | cut -d' ' -f1)
[ "$got" = "$LIB_SHA256" ] || die "libonnxruntime.so.1 fails its sha256 check: expected $LIB_SHA256, got $got"
mv "$tmp/$MEMBER" "$DEST/libonnxruntime.so.1"
echo "onnxruntime: $DEST/libonnxruntime.so.1 ($VERSION) installed" >&2
