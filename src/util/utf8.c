/* utf8.c - UTF-8 checks and repair (RFC 3629). */
#include "util/utf8.h"

#include <string.h>

size_t sb_utf8_char_len(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (n == 0)
        return 0;
    if (u[0] < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
    if (u[0] >= 0xc2 && u[0] <= 0xdf)
        len = 2;
    else if (u[0] >= 0xe0 && u[0] <= 0xef) {
        len = 3;
        if (u[0] == 0xe0)
            lo = 0xa0; /* overlong */
        else if (u[0] == 0xed)
            hi = 0x9f; /* surrogates */
    } else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
        len = 4;
        if (u[0] == 0xf0)
            lo = 0x90; /* overlong */
        else if (u[0] == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0; /* a continuation byte, 0xc0, 0xc1 or 0xf5.. */
    }
    if (n < len || u[1] < lo || u[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (u[i] < 0x80 || u[i] > 0xbf)
            return 0;
    return len;
}

bool sb_utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t k = sb_utf8_char_len(s + i, len - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

char *sb_utf8_repair(char *dst, size_t size, const char *src)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    size_t n = strlen(src), i = 0, o = 0;
    while (i < n) {
        size_t k = sb_utf8_char_len(src + i, n - i);
        const char *piece = k ? src + i : replacement;
        size_t plen = k ? k : 3;
        if (o + plen >= size)
            break;
        memcpy(dst + o, piece, plen);
        o += plen;
        i += k ? k : 1;
    }
    dst[o] = '\0';
    return dst;
}
