/* The part buffers of multipart.c (src/http): values kept whole and NUL-terminated, grown by doubling,
 * never past the body's declared length. on_data is called as libmicrohttpd's post processor would
 * (the file is included to reach it: the processor itself needs a live connection). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.c"

/* A multipart parser for a fresh request, as sb_multipart_open leaves it, without a connection. */
static sb_multipart_t *parser(size_t cap, size_t body_len)
{
    sb_http_req_t *req = calloc(1, sizeof *req);
    sb_multipart_t *mp = calloc(1, sizeof *mp);
    cr_assert(req && mp);
    req->multipart = true;
    mp->req = req;
    mp->cap = cap;
    mp->body_len = body_len;
    return mp;
}

static void parser_free(sb_multipart_t *mp)
{
    for (int i = 0; i < mp->req->n_parts; i++)
        free(mp->req->parts[i].value);
    free(mp->req->parts);
    free(mp->req);
    free(mp);
}

/* `n` bytes of a known pattern into part "image", in chunks of `chunk`. */
static void feed(sb_multipart_t *mp, size_t n, size_t chunk)
{
    char *buf = malloc(chunk);
    cr_assert(buf);
    for (size_t off = 0; off < n; off += chunk) {
        size_t len = n - off < chunk ? n - off : chunk;
        for (size_t i = 0; i < len; i++)
            buf[i] = (char)((off + i) * 7 % 251);
        cr_assert_eq(on_data(mp, MHD_POSTDATA_KIND, "image", "photo.jpg", "image/jpeg", NULL, buf, off, len), MHD_YES);
    }
    free(buf);
}

static void assert_pattern(const sb_http_part_t *p, size_t n)
{
    cr_assert_eq(p->len, n);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p->value[i], (char)(i * 7 % 251), "byte %zu", i);
    cr_assert_eq(p->value[n], '\0');
}

Test(multipart, part_buffer_stops_at_the_declared_body_length)
{
    /* A 1.3 MB photo in a 1.3 MB body: doubling alone would allocate 2 MB for it. */
    size_t n = 1300000, body = n + 300;
    sb_multipart_t *mp = parser(25u << 20, body);
    feed(mp, n, 32768);
    cr_assert_eq(mp->req->n_parts, 1);
    assert_pattern(&mp->req->parts[0], n);
    cr_assert_leq(mp->alloc[0], body + 1, "allocated %zu for a %zu byte body", mp->alloc[0], body);
    parser_free(mp);
}

Test(multipart, part_buffer_doubles_when_the_length_is_unknown)
{
    size_t n = 1300000;
    sb_multipart_t *mp = parser(25u << 20, 0);
    feed(mp, n, 32768);
    assert_pattern(&mp->req->parts[0], n);
    cr_assert_eq(mp->alloc[0], (size_t)2097152);
    parser_free(mp);
}

Test(multipart, small_fields_in_a_large_body_keep_small_buffers)
{
    sb_multipart_t *mp = parser(1u << 20, 600000);
    cr_assert_null(mp->req->parts, "no part slots before the first part");
    cr_assert_eq(on_data(mp, MHD_POSTDATA_KIND, "size", NULL, NULL, NULL, "800", 0, 3), MHD_YES);
    feed(mp, 500000, 4096);
    cr_assert_eq(mp->req->n_parts, 2);
    cr_assert_str_eq(mp->req->parts[0].value, "800");
    cr_assert_eq(mp->alloc[0], (size_t)4096);
    assert_pattern(&mp->req->parts[1], 500000);
    cr_assert_leq(mp->alloc[1], (size_t)600001);
    parser_free(mp);
}
