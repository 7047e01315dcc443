/* icc.c - the 'desc' tag of an ICC profile (ICC.1:2001-04 for v2, ICC.1:2010 for v4). Profiles come
 * from untrusted uploads: every offset and length is checked against the blob before it is read. */
#include "image/icc.h"

#include <stdint.h>
#include <string.h>

#include "util/hmac.h"

#define SIG(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static char printable(uint32_t c)
{
    return c >= 0x20 && c < 0x7f ? (char)c : '?';
}

/* v2 textDescriptionType: sig, reserved, uint32 ASCII count including the NUL, ASCII. */
static void text_description(const uint8_t *tag, size_t size, char *out, size_t cap)
{
    if (size < 12)
        return;
    size_t n = be32(tag + 8);
    if (n > size - 12)
        n = size - 12;
    size_t o = 0;
    for (size_t i = 0; i < n && tag[12 + i] && o + 1 < cap; i++)
        out[o++] = printable(tag[12 + i]);
    out[o] = '\0';
}

/* v4 multiLocalizedUnicodeType: sig, reserved, record count, record size, then records of
 * language, country, byte length, byte offset (from the tag start) of UTF-16BE text. */
static void mluc_description(const uint8_t *tag, size_t size, char *out, size_t cap)
{
    if (size < 28 || be32(tag + 8) == 0 || be32(tag + 12) < 12)
        return;
    size_t bytes = be32(tag + 20), off = be32(tag + 24);
    if (off > size || bytes > size - off)
        return;
    size_t o = 0;
    for (size_t i = 0; i + 1 < bytes && o + 1 < cap; i += 2) {
        uint32_t c = (uint32_t)tag[off + i] << 8 | tag[off + i + 1];
        if (c == 0)
            break;
        if (c >= 0xD800 && c < 0xDC00)
            i += 2; /* a surrogate pair stands for one character outside ASCII */
        out[o++] = printable(c);
    }
    out[o] = '\0';
}

void sb_icc_description(const void *profile, size_t len, char *out, size_t cap)
{
    const uint8_t *p = profile;
    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!p || len < 132)
        return;
    size_t count = be32(p + 128);
    if (count > (len - 132) / 12)
        return;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *entry = p + 132 + 12 * i;
        size_t off = be32(entry + 4), size = be32(entry + 8);
        if (be32(entry) != SIG('d', 'e', 's', 'c') || off > len || size > len - off || size < 8)
            continue;
        uint32_t type = be32(p + off);
        if (type == SIG('d', 'e', 's', 'c'))
            text_description(p + off, size, out, cap);
        else if (type == SIG('m', 'l', 'u', 'c'))
            mluc_description(p + off, size, out, cap);
        return;
    }
}

int sb_icc_fits_bands(const void *profile, size_t len, int bands)
{
    if (!profile || len < 128)
        return 0;
    uint32_t space = be32((const uint8_t *)profile + 16);
    if (space == SIG('G', 'R', 'A', 'Y'))
        return bands == 1 || bands == 2;
    if (space == SIG('R', 'G', 'B', ' '))
        return bands == 3 || bands == 4;
    if (space == SIG('C', 'M', 'Y', 'K'))
        return bands == 4 || bands == 5;
    return 0;
}

/* The sRGB IEC61966-2.1 profile of HP and Microsoft (3144 bytes, 1998), byte for byte: the one most
 * cameras and editors embed. */
#define HP_SRGB_LEN 3144
#define HP_SRGB_SHA256 "2b3aa1645779a9e634744faf9b01e9102b0c9b88fd6deced7934df86b949af7e"

int sb_icc_is_plain_srgb(const void *profile, size_t len)
{
    if (!profile || len != HP_SRGB_LEN)
        return 0;
    char hex[65];
    sb_sha256_hex(profile, len, hex);
    return strcmp(hex, HP_SRGB_SHA256) == 0;
}
