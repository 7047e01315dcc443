# Sourced by run-tests.sh and run-fuzz.sh: the runtime options of the ASan + UBSan builds (build-asan/,
# build-fuzz/). UBSan stops at the first finding with a stack; LSan reports leaks except those in the
# uninstrumented third-party libraries listed in fuzz/lsan.supp (never strobe's own frames).
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_odr_violation=0:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/fuzz/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
