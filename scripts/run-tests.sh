#!/bin/sh
# Run every Criterion test binary given as an argument, print each result, and end with the
# closing line "N passed, N failed, N skipped". Exits non-zero when any test failed or crashed.
# Tests run from the repository root so that ../shared and ./strobe resolve.
set -u
pass=0 fail=0 skip=0
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
for bin in "$@"; do
    echo "== $bin"
    "$bin" --tap="$tap" --jobs=2 >/dev/null 2>"$tap.err"
    rc=$?
    # TAP lines: "ok N - suite::name # SKIP why" / "not ok N - suite::name"
    p=$(grep -c '^ok .*' "$tap" | tr -d ' ')
    s=$(grep -c '^ok .*# SKIP' "$tap" | tr -d ' ')
    f=$(grep -c '^not ok' "$tap" | tr -d ' ')
    grep -E '^(not ok|ok .*# SKIP)' "$tap" | sed 's/^/   /'
    grep -A8 '^not ok' "$tap" | grep -v '^ok' | grep -E '^\s+' | head -40
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "   $bin exited with status $rc without a failing test: counted as a failure"
        sed 's/^/   /' "$tap.err" | tail -20
        f=1
    fi
    pass=$((pass + p - s)); skip=$((skip + s)); fail=$((fail + f))
    rm -f "$tap.err"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
