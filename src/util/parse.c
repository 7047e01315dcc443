/* parse.c - strict number parsing (parse.h). strtol and friends skip leading spaces, take a sign,
 * stop at the first stray character and clamp on overflow; every one of those is refused here. */
#include "util/parse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN 40

/* `s` as printable ASCII for a message: at most SHOWN characters, others as '?'. */
static void shown(const char *s, size_t len, char out[SHOWN + 4])
{
    size_t n = len < SHOWN ? len : SHOWN, o = 0;
    for (size_t i = 0; s && i < n; i++)
        out[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (s && len > SHOWN)
        out[o++] = '.', out[o++] = '.', out[o++] = '.';
    out[o] = '\0';
}

/* The digits of s[0..len) as a value of at most `limit`; 0 on success, -1 for anything that is not one
 * or more digits, or above limit. */
static int digits(const char *s, size_t len, unsigned long long limit, unsigned long long *out)
{
    unsigned long long v = 0;
    if (len == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (d > limit || v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int int_value(const char *s, size_t len, long long min, long long max, long long *out)
{
    if (!s || min > max)
        return -1;
    int neg = len > 0 && s[0] == '-';
    if (neg && min >= 0)
        return -1;
    unsigned long long mag, limit = neg ? (unsigned long long)-(min + 1) + 1 : (unsigned long long)max;
    if (!neg && max < 0)
        return -1;
    if (digits(s + neg, len - (size_t)neg, limit, &mag))
        return -1;
    long long v = neg ? (mag == 0 ? 0 : -(long long)(mag - 1) - 1) : (long long)mag;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

sb_err sb_parse_int(const char *s, size_t len, long long min, long long max, long long *out, const char *field,
                    sb_error_t *e)
{
    if (!int_value(s, len, min, max, out))
        return SB_OK;
    char text[SHOWN + 4];
    shown(s, len, text);
    return sb_error_set(e, SB_ERR_USAGE, field, "%s must be a whole number from %lld to %lld, got '%s'", field, min,
                        max, text);
}

/* [-]digits[.digits][e[+-]digits], or [-].digits...: what JSON and people write, nothing more. */
static int decimal_syntax(const char *s, size_t len)
{
    size_t i = 0, before = 0, after = 0;
    if (i < len && s[i] == '-')
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, before++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            after++;
    if (!before && !after)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t exp = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            exp++;
        if (!exp)
            return -1;
    }
    return i == len ? 0 : -1;
}

sb_err sb_parse_double(const char *s, size_t len, double min, double max, double *out, const char *field,
                       sb_error_t *e)
{
    char buf[64];
    if (s && len < sizeof buf && !decimal_syntax(s, len)) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        double v = strtod(buf, &end);
        if (!errno && end == buf + len && v >= min && v <= max) {
            *out = v;
            return SB_OK;
        }
    }
    char text[SHOWN + 4];
    shown(s, len, text);
    return sb_error_set(e, SB_ERR_USAGE, field, "%s must be a number from %g to %g, got '%s'", field, min, max, text);
}

sb_err sb_parse_size(const char *s, size_t len, int min, int max, int *w, int *h, const char *field, sb_error_t *e)
{
    const char *x = s ? memchr(s, 'x', len) : NULL;
    long long vw, vh;
    if (x && min >= 0 && !int_value(s, (size_t)(x - s), min, max, &vw) &&
        !int_value(x + 1, len - (size_t)(x - s) - 1, min, max, &vh)) {
        *w = (int)vw, *h = (int)vh;
        return SB_OK;
    }
    char text[SHOWN + 4];
    shown(s, len, text);
    return sb_error_set(e, SB_ERR_USAGE, field,
                        "%s must be WxH (e.g. 1200x1500) with each side from %d to %d, got '%s'", field, min, max,
                        text);
}
