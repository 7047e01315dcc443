/* test_parse.c - strict number parsing (util/parse.h): whole field, range, no overflow, no NUL. */
#include <criterion/criterion.h>
#include <limits.h>
#include <string.h>

#include "util/parse.h"

static sb_err pint(const char *s, size_t len, long long min, long long max, long long *v)
{
    sb_error_t e = {0};
    sb_err err = sb_parse_int(s, len, min, max, v, "n", &e);
    if (err) {
        cr_assert_eq(err, SB_ERR_USAGE);
        cr_assert_str_eq(e.field, "n");
    }
    return err;
}

#define INT_OK(s, min, max, want)                                                                                      \
    do {                                                                                                               \
        long long v_ = -12345;                                                                                         \
        cr_assert_eq(pint(s, strlen(s), min, max, &v_), SB_OK, "'%s' refused", s);                                   \
        cr_assert_eq(v_, (long long)(want), "'%s' gave %lld", s, v_);                                                \
    } while (0)
#define INT_BAD(s, len, min, max)                                                                                      \
    do {                                                                                                               \
        long long v_ = -12345;                                                                                         \
        cr_assert_eq(pint(s, len, min, max, &v_), SB_ERR_USAGE, "'%s' accepted", (const char *)(s));                   \
        cr_assert_eq(v_, -12345, "*out written on failure");                                                         \
    } while (0)

Test(parse, integers_whole_field_in_range)
{
    INT_OK("0", 0, 10, 0);
    INT_OK("300", 1, 1000, 300);
    INT_OK("-1", -1, 10, -1);
    INT_OK("9223372036854775807", 0, LLONG_MAX, LLONG_MAX);
    INT_OK("-9223372036854775808", LLONG_MIN, 0, LLONG_MIN);
    INT_OK("007", 0, 10, 7);
    INT_BAD("", 0, 0, 10);
    INT_BAD(" 5", 2, 0, 10);
    INT_BAD("5 ", 2, 0, 10);
    INT_BAD("+5", 2, 0, 10);
    INT_BAD("-5", 2, 0, 10);  /* no sign where the range has no negatives */
    INT_BAD("-0", 2, 0, 10);
    INT_BAD("-", 1, -10, 10);
    INT_BAD("11", 2, 0, 10);
    INT_BAD("-11", 3, -10, 10);
    INT_BAD("5x", 2, 0, 10);
    INT_BAD("0x5", 3, 0, 10);
    INT_BAD("1e3", 3, 0, 10000);
    INT_BAD("9223372036854775808", 19, 0, LLONG_MAX);
    INT_BAD("-9223372036854775809", 20, LLONG_MIN, 0);
    INT_BAD("4294967424", 10, 0, INT_MAX);
    INT_BAD("99999999999999999999999", 23, 0, LLONG_MAX);
    INT_BAD("18446744073709551619", 20, 0, 5); /* 2^64 + 3: must not wrap to 3 under a small limit */
    INT_BAD("18446744073709551619", 20, -5, 5);
    INT_BAD("300\0garbage", 11, 0, 1000); /* the length is the field's: an embedded NUL is refused */
    INT_BAD(NULL, 0, 0, 10);
}

Test(parse, error_message_names_field_and_shows_text_safely)
{
    sb_error_t e = {0};
    long long v;
    cr_assert_eq(sb_parse_int("1\r\n2", 4, 0, 10, &v, "quality", &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "quality");
    cr_assert(strstr(e.message, "quality must be a whole number from 0 to 10"), "%s", e.message);
    cr_assert(strstr(e.message, "'1??2'"), "%s", e.message);
}

Test(parse, doubles_are_plain_decimals)
{
    sb_error_t e = {0};
    double v = -1;
    cr_assert_eq(sb_parse_double("0.25", 4, 0, 1, &v, "x", &e), SB_OK);
    cr_assert_float_eq(v, 0.25, 1e-12);
    cr_assert_eq(sb_parse_double("-.5", 3, -1, 1, &v, "x", &e), SB_OK);
    cr_assert_float_eq(v, -0.5, 1e-12);
    cr_assert_eq(sb_parse_double("1e-1", 4, 0, 1, &v, "x", &e), SB_OK);
    cr_assert_float_eq(v, 0.1, 1e-12);
    cr_assert_eq(sb_parse_double("1", 1, 0, 1, &v, "x", &e), SB_OK);
    const char *bad[] = {"", " 1", "1 ", "+1", "nan", "inf", "0x1p-2", ".", "1e", "1.5", "-0.1", "1..2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = -7;
        cr_assert_eq(sb_parse_double(bad[i], strlen(bad[i]), 0, 1, &v, "x", &e), SB_ERR_USAGE, "'%s'", bad[i]);
        cr_assert_eq(v, -7);
        cr_assert_str_eq(e.field, "x");
    }
    cr_assert_eq(sb_parse_double("0.5\0junk", 8, 0, 1, &v, "x", &e), SB_ERR_USAGE);
}

Test(parse, sizes_are_two_whole_numbers)
{
    sb_error_t e = {0};
    int w = -1, h = -1;
    cr_assert_eq(sb_parse_size("1200x1500", 9, 1, 4096, &w, &h, "size", &e), SB_OK);
    cr_assert_eq(w, 1200);
    cr_assert_eq(h, 1500);
    const char *bad[] = {"0x0", "4294967424x128", " 128x128", "128x128 ", "128X128", "128x", "x128", "128",
                         "128x128x1", "-128x128", "+128x128", "128x-1", "128 x128", "5000x128"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        w = h = -1;
        cr_assert_eq(sb_parse_size(bad[i], strlen(bad[i]), 1, 4096, &w, &h, "size", &e), SB_ERR_USAGE, "'%s'",
                     bad[i]);
        cr_assert_eq(w, -1);
        cr_assert_str_eq(e.field, "size");
    }
}
