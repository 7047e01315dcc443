/* fuzz_parse.c - the strict number parser (src/util/parse.c): sb_parse_int, sb_parse_double, sb_parse_size.
 *
 * Input: byte 0 picks the function, bytes 1..16 the range (two little-endian 64-bit values), the rest is the
 * text (not NUL-terminated: the parser must keep to its length). Besides the sanitizers' checks, sb_parse_int
 * is compared with a reference parser over 128-bit integers, and every accepted value must be in range. */
#include "fuzz.h"
#include "util/parse.h"

#include <math.h>

static long long le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return (long long)v;
}

/* The reference: -?[0-9]+ whose value is in [min, max], the '-' only when min is negative (parse.h). */
static int reference_int(const char *s, size_t len, long long min, long long max, long long *out)
{
    size_t i = 0;
    __int128 v = 0;
    int neg = len > 0 && s[0] == '-';
    i = (size_t)neg;
    if (i == len || (neg && min >= 0))
        return -1;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
        if (v > (__int128)1 << 64)
            return -1;
    }
    if (neg)
        v = -v;
    if (min > max || v < min || v > max)
        return -1;
    *out = (long long)v;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 17)
        return 0;
    long long a = le64(data + 1), b = le64(data + 9);
    /* The text gets its own allocation of exactly its length, so reading past it is caught. */
    size_t len = size - 17;
    char *s = malloc(len ? len : 1);
    if (!s)
        abort();
    memcpy(s, data + 17, len);
    sb_error_t e = {0};
    switch (data[0] % 3) {
    case 0: {
        long long v = 0, r = 0;
        sb_err err = sb_parse_int(s, len, a, b, &v, "n", &e);
        int ref = reference_int(s, len, a, b, &r);
        FUZZ_CHECK((err == SB_OK) == (ref == 0));
        FUZZ_CHECK(err || (v == r && v >= a && v <= b));
        break;
    }
    case 1: {
        double lo = (double)(a % 100000) / 7, hi = lo + (double)((uint64_t)b % 1000000) / 3, v = NAN;
        sb_err err = sb_parse_double(s, len, lo, hi, &v, "x", &e);
        FUZZ_CHECK(err || (v >= lo && v <= hi));
        break;
    }
    default: {
        int lo = (int)(a % 5000), hi = (int)(b % 70000), w = -1, h = -1;
        sb_err err = sb_parse_size(s, len, lo, hi, &w, &h, "size", &e);
        FUZZ_CHECK(err || (w >= lo && w <= hi && h >= lo && h <= hi));
        break;
    }
    }
    FUZZ_CHECK(strlen(e.message) < sizeof e.message);
    free(s);
    return 0;
}
