#!/bin/sh
# Run each libFuzzer target given after the first argument for that many seconds, one after another, under
# nice -n 19. Target build-fuzz/fuzz_NAME starts from its seed corpus fuzz/corpus/NAME/ (read only) and
# keeps what it finds in build-fuzz/corpus/NAME/; a crash is saved in build-fuzz/artifacts/ and stops the
# script with status 1. Prints one line per target: executions, seconds, executions per second.
#   sh scripts/run-fuzz.sh SECONDS build-fuzz/fuzz_parse ...
set -u
secs=$1
shift
cd "$(dirname "$0")/.."
. scripts/sanitizers.sh
status=0
for bin in "$@"; do
    name=${bin##*/fuzz_}
    work=build-fuzz/corpus/$name
    mkdir -p "$work" build-fuzz/artifacts build-fuzz/logs
    log=build-fuzz/logs/$name.log
    dict=
    [ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
    start=$(date +%s)
    nice -n 19 "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$name"- \
        $dict "$work" "fuzz/corpus/$name" >"$log" 2>&1
    rc=$?
    end=$(date +%s)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
    if [ "$rc" -eq 0 ]; then
        echo "fuzz_$name: ${execs:-?} executions in $((end - start)) s (${rate:-?}/s), no crash"
    else
        echo "fuzz_$name: FAILED (status $rc) after $((end - start)) s; log $log:"
        grep -E 'ERROR|SUMMARY|invariant|artifact' "$log" | head -20 | sed 's/^/   /'
        status=1
    fi
done
exit $status
