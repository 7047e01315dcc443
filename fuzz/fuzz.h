/* fuzz.h - what the libFuzzer targets in fuzz/ share. Each target is one fuzz_<name>.c with its seed corpus in
 * fuzz/corpus/<name>/; `make fuzz` builds them with clang -fsanitize=fuzzer,address,undefined into build-fuzz/
 * and runs them (docs/internals/testing.md, "Sanitizers and fuzzing"). Targets may #include the .c under
 * test to reach its static functions, as unit tests do. */
#ifndef SB_FUZZ_H
#define SB_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A NUL-terminated malloc'd copy of data[0..size) (the parsers under test take C strings); aborts when out
 * of memory, which libFuzzer reports. Free it with free(). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Stop the run with a message: an invariant of the code under test is broken (libFuzzer saves the input). */
#define FUZZ_CHECK(cond)                                                                                         \
    do {                                                                                                         \
        if (!(cond)) {                                                                                           \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);                         \
            abort();                                                                                             \
        }                                                                                                        \
    } while (0)

#endif
