/* heif.c - the item types of a HEIF file (heif.h): ftyp ... meta { pitm, iinf { infe ... }, iprp { ipco } }. */
#include "image/heif.h"

#include <stdint.h>
#include <stdio.h>

#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#define SUPPORTED "send JPEG, PNG, WebP or HEIC"

static uint32_t be16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct {
    const uint8_t *p;
    size_t n;
} span_t;

/* The box at *off of `in`: its type and payload, *off moved past it. 1 for a box, 0 at the end, -1
 * when the box is damaged (its size runs past `in`). */
static int next_box(span_t in, size_t *off, uint32_t *type, span_t *body)
{
    if (*off == in.n)
        return 0;
    if (in.n - *off < 8)
        return -1;
    const uint8_t *b = in.p + *off;
    uint64_t size = be32(b), head = 8;
    *type = be32(b + 4);
    if (size == 1) {
        if (in.n - *off < 16)
            return -1;
        size = (uint64_t)be32(b + 8) << 32 | be32(b + 12);
        head = 16;
    } else if (size == 0) {
        size = in.n - *off; /* to the end of its parent */
    }
    if (size < head || size > in.n - *off)
        return -1;
    *body = (span_t){b + head, (size_t)(size - head)};
    *off += (size_t)size;
    return 1;
}

/* The first child of `in` (skipping `skip` bytes of header) of type `want`; 1 found, 0 not, -1 damaged. */
static int find_box(span_t in, size_t skip, uint32_t want, span_t *out)
{
    if (in.n < skip)
        return -1;
    size_t off = skip;
    uint32_t type;
    int rc;
    while ((rc = next_box(in, &off, &type, out)) == 1)
        if (type == want)
            return 1;
    return rc;
}

static void fourcc_text(uint32_t t, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned ch = (t >> (24 - 8 * i)) & 0xff;
        out[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    out[4] = '\0';
}

/* Item types that are images coded with something other than HEVC (ISO/IEC 23008-12 and its kin). */
static int other_codec(uint32_t t)
{
    static const uint32_t codecs[] = {FOURCC('a', 'v', 'c', '1'), FOURCC('j', 'p', 'e', 'g'),
                                      FOURCC('j', '2', 'k', '1'), FOURCC('v', 'v', 'c', '1'),
                                      FOURCC('v', 'v', 'i', '1'), FOURCC('u', 'n', 'c', 'i'),
                                      FOURCC('e', 'v', 'c', '1'), FOURCC('j', 'p', 'x', 'l')};
    for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++)
        if (t == codecs[i])
            return 1;
    return 0;
}

static sb_err corrupt(sb_error_t *e, const char *what)
{
    return sb_error_set(e, SB_ERR_CORRUPT_IMAGE, "image", "damaged HEIF: %s", what);
}

static sb_err avif(sb_error_t *e)
{
    return sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "image", "AVIF (AV1 in HEIF) is not supported; " SUPPORTED);
}

/* The item property boxes (iprp/ipco): an AV1 configuration means AV1 images, whatever the item types say. */
static sb_err check_properties(span_t meta, sb_error_t *e)
{
    span_t iprp, ipco, prop;
    int rc = find_box(meta, 4, FOURCC('i', 'p', 'r', 'p'), &iprp);
    if (rc == 1)
        rc = find_box(iprp, 0, FOURCC('i', 'p', 'c', 'o'), &ipco);
    if (rc == 1)
        rc = find_box(ipco, 0, FOURCC('a', 'v', '1', 'C'), &prop);
    if (rc < 0)
        return corrupt(e, "an item property box runs past its end");
    return rc == 1 ? avif(e) : SB_OK;
}

sb_err sb_heif_check_hevc(const void *buf, size_t len, sb_error_t *e)
{
    span_t file = {buf, len}, meta, pitm, iinf, infe;
    int rc = find_box(file, 0, FOURCC('m', 'e', 't', 'a'), &meta);
    if (rc != 1)
        return corrupt(e, rc < 0 ? "a box runs past the end of the file" : "no meta box");
    /* meta, pitm, iinf and infe are full boxes: 1 byte version, 3 bytes flags, then their fields. */
    rc = find_box(meta, 4, FOURCC('p', 'i', 't', 'm'), &pitm);
    if (rc != 1 || pitm.n < 6 || (pitm.p[0] && pitm.n < 8))
        return corrupt(e, "no primary item");
    uint32_t primary = pitm.p[0] ? be32(pitm.p + 4) : be16(pitm.p + 4);
    rc = find_box(meta, 4, FOURCC('i', 'i', 'n', 'f'), &iinf);
    if (rc != 1 || iinf.n < 6 || (iinf.p[0] && iinf.n < 8))
        return corrupt(e, "no item information");
    sb_err err = check_properties(meta, e);
    if (err)
        return err;

    uint32_t primary_type = 0, type;
    size_t off = iinf.p[0] ? 8 : 6;
    while ((rc = next_box(iinf, &off, &type, &infe)) == 1) {
        if (type != FOURCC('i', 'n', 'f', 'e') || infe.n < 4 || infe.p[0] < 2)
            continue; /* versions 0 and 1 carry no item type: not an image */
        size_t id_len = infe.p[0] == 2 ? 2 : 4;
        if (infe.n < 4 + id_len + 2 + 4)
            return corrupt(e, "an item information entry is too short");
        uint32_t id = id_len == 2 ? be16(infe.p + 4) : be32(infe.p + 4);
        uint32_t item_type = be32(infe.p + 4 + id_len + 2);
        if (item_type == FOURCC('a', 'v', '0', '1'))
            return avif(e);
        if (other_codec(item_type)) {
            char name[5];
            fourcc_text(item_type, name);
            return sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "image",
                                "HEIF with '%s' images is not supported; only HEVC (HEIC): " SUPPORTED, name);
        }
        if (id == primary)
            primary_type = item_type;
    }
    if (rc < 0)
        return corrupt(e, "an item information entry runs past its end");
    if (primary_type != FOURCC('h', 'v', 'c', '1') && primary_type != FOURCC('g', 'r', 'i', 'd') &&
        primary_type != FOURCC('i', 'o', 'v', 'l') && primary_type != FOURCC('i', 'd', 'e', 'n')) {
        char name[5];
        fourcc_text(primary_type, name);
        if (!primary_type)
            return corrupt(e, "the primary item is not described");
        return sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "image",
                            "HEIF whose main image is '%s' is not supported; only HEVC (HEIC): " SUPPORTED, name);
    }
    return SB_OK;
}
