#!/bin/sh
# Run every test binary given as an argument, print each result, and end with the closing line
# "N passed, N failed, N skipped". Exits non-zero when any test failed or crashed.
# Tests run from the repository root so that ../shared and ./strobe resolve.
#   - Criterion binaries (build/tests/..., and build-asan/tests/... under ASan + UBSan, run under nice);
#   - libFuzzer targets (build-fuzz/fuzz_NAME): a smoke run of FUZZ_SMOKE_SECONDS (default 3) from the seed
#     corpus fuzz/corpus/NAME/ under nice, counted as one test (passed, or failed on any crash or finding,
#     the input saved in build-fuzz/artifacts/).
set -u
cd "$(dirname "$0")/.."
. scripts/sanitizers.sh
pass=0 fail=0 skip=0
tap=$(mktemp)
smoke=$(mktemp -d)
trap 'rm -rf "$tap" "$smoke"' EXIT
for bin in "$@"; do
    echo "== $bin"
    case "$bin" in
    */fuzz_*)
        name=${bin##*/fuzz_}
        mkdir -p build-fuzz/artifacts "$smoke/$name"
        dict=
        [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
        if nice -n 19 "$bin" -max_total_time="${FUZZ_SMOKE_SECONDS:-3}" -artifact_prefix=build-fuzz/artifacts/"$name"- \
            $dict "$smoke/$name" "fuzz/corpus/$name" >"$tap.err" 2>&1; then
            echo "   fuzz_$name: $(grep -o "Done [0-9]* runs" "$tap.err" | tr -dc 0-9) executions, no crash"
            pass=$((pass + 1))
        else
            echo "   fuzz_$name failed:"
            grep -E 'ERROR|SUMMARY|invariant|runtime error|artifact' "$tap.err" | head -20 | sed 's/^/   /'
            fail=$((fail + 1))
        fi
        rm -f "$tap.err"
        continue
        ;;
    *build-asan/*) nice="nice -n 19" ;;
    *) nice= ;;
    esac
    $nice "$bin" --tap="$tap" --jobs=2 >/dev/null 2>"$tap.err"
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
    # Under the sanitizers: show every report. A worker that leaked ends after its test has passed, so
    # each LeakSanitizer report counts as one more failure (a test that crashed is already "not ok").
    if [ -n "$nice" ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tap.err"; then
        grep -E -A12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tap.err" | grep -E 'ERROR|runtime error|#[0-9] |SUMMARY' |
            head -60 | sed 's/^/   /'
        leaks=$(grep -c 'ERROR: LeakSanitizer' "$tap.err" | tr -d ' ')
        [ "$leaks" -gt 0 ] && echo "   $bin: $leaks test worker(s) leaked memory: counted as failures"
        f=$((f + leaks))
    fi
    pass=$((pass + p - s)); skip=$((skip + s)); fail=$((fail + f))
    rm -f "$tap.err"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
