#!/bin/sh
# Install s3rver (MIT), the S3-compatible server the tests run on loopback (tests/s3_harness.h), from the
# npm registry into deps/s3rver. Test-only: `make test` runs this, `make run` does not. Idempotent:
# nothing to do when deps/s3rver holds the pinned version. Install scripts are not run.
set -eu
cd "$(dirname "$0")/.."
VERSION=3.7.1
DEST=deps/s3rver
. scripts/npm.sh

installed=$(node -p "require('./$DEST/node_modules/s3rver/package.json').version" 2>/dev/null || true)
[ "$installed" = "$VERSION" ] && exit 0
need_npm s3rver
command -v node >/dev/null 2>&1 || { echo "s3rver: node is missing after installing npm" >&2; exit 1; }
echo "s3rver: npm install s3rver@$VERSION into $DEST" >&2
mkdir -p "$DEST"
npm install --silent --no-save --no-audit --no-fund --ignore-scripts --prefix "$DEST" "s3rver@$VERSION" >/dev/null ||
    { echo "s3rver: npm install s3rver@$VERSION failed (is the npm registry reachable?)" >&2; exit 1; }
