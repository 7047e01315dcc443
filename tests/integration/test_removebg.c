/* test_removebg.c - POST /v1.0/removebg end to end, as remove.bg's own documentation calls it (curl lines
 * with X-Api-Key and multipart image_file, image_url, or image_file_b64), against the real `./strobe serve`
 * on loopback with the real nets: the image bytes with alpha, remove.bg's response headers, and its error
 * shape and statuses for a bad key, a missing image and a corrupt one. The URL input is served by the
 * harness's origin on 127.0.0.1, which the SSRF guard lets through only with --allow-private-urls. format=zip is
 * opened with libzip: color.jpg and alpha.png, matching the PNG cut-out of the same call. */
#include <criterion/criterion.h>
#include <zip.h>

#include "server_harness.h"

#define PATH "/v1.0/removebg"
#define MUG "testdata/products/imagenet_coffee_mugs.jpg"

TestSuite(removebg, .fini = cleanup, .timeout = 240);

static void start(char key[64])
{
    begin();
    make_key("removebg", 20, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);
}

/* A remove.bg request: the key as X-Api-Key (never the Bearer header), `parts` as multipart when given,
 * else `body` of `content_type`. */
static resp_t removebg(const char *key, const part_t *parts, int nparts, const char *content_type, const char *body,
                       const char *const *more)
{
    char hk[128];
    snprintf(hk, sizeof hk, "X-Api-Key: %s", key);
    const char *h[8] = {hk};
    for (int i = 0; more && more[i] && i < 6; i++)
        h[i + 1] = more[i];
    return http(&(req_t){.path = PATH, .headers = h, .parts = parts, .nparts = nparts, .content_type = content_type,
                         .body = body, .len = body ? strlen(body) : 0, .timeout_ms = 120000});
}

/* A 200 cut-out: a PNG of 4 bands whose alpha has both background (0) and subject (255), of the size
 * X-Width x X-Height, with X-Type `type`, one credit charged and the foreground box inside the image. */
static void expect_cutout(const resp_t *r, const char *type, const char *what)
{
    cr_assert_eq(r->status, 200, "%s: status %ld: %.300s", what, r->status, r->body);
    char ct[64] = "", xt[32] = "";
    cr_assert(resp_header(r, "Content-Type", ct, sizeof ct) && !strcmp(ct, "image/png"), "%s: Content-Type %s", what,
              ct);
    cr_assert(resp_header(r, "X-Type", xt, sizeof xt), "%s: no X-Type", what);
    cr_assert_str_eq(xt, type, "%s: X-Type", what);
    cr_assert_eq(header_long(r, "X-Credits-Charged"), 1, "%s: X-Credits-Charged", what);
    VipsImage *img = vips_image_new_from_buffer(r->body, r->len, "", NULL);
    cr_assert_not_null(img, "%s: the body is no image (%zu bytes)", what, r->len);
    int w = vips_image_get_width(img), h = vips_image_get_height(img);
    cr_assert_eq(vips_image_get_bands(img), 4, "%s: bands %d", what, vips_image_get_bands(img));
    cr_assert_eq(header_long(r, "X-Width"), w, "%s: X-Width against %d", what, w);
    cr_assert_eq(header_long(r, "X-Height"), h, "%s: X-Height against %d", what, h);
    VipsImage *alpha = NULL;
    double lo = -1, hi = -1;
    cr_assert_eq(vips_extract_band(img, &alpha, 3, NULL), 0);
    cr_assert_eq(vips_min(alpha, &lo, NULL), 0);
    cr_assert_eq(vips_max(alpha, &hi, NULL), 0);
    g_object_unref(alpha);
    g_object_unref(img);
    cr_assert(lo == 0 && hi == 255, "%s: alpha runs %g..%g, not a cut-out", what, lo, hi);
    long top = header_long(r, "X-Foreground-Top"), left = header_long(r, "X-Foreground-Left");
    long fw = header_long(r, "X-Foreground-Width"), fh = header_long(r, "X-Foreground-Height");
    cr_assert(top >= 0 && left >= 0 && fw > w / 10 && fh > h / 10 && left + fw <= w && top + fh <= h,
              "%s: foreground %ld,%ld %ldx%ld in %dx%d", what, left, top, fw, fh, w, h);
}

/* remove.bg's error: `status` and {"errors":[{"title", "detailed", ...}]}, nothing of strobe's shape. */
static void expect_error(const resp_t *r, long status, const char *what)
{
    cr_assert_eq(r->status, status, "%s: status %ld, want %ld: %.300s", what, r->status, status, r->body);
    cr_assert_not_null(r->json, "%s: not JSON: %.200s", what, r->body);
    const json_t *errs = json_object_get(r->json, "errors");
    cr_assert(json_is_array(errs) && json_array_size(errs) == 1, "%s: errors in %s", what, r->body);
    const json_t *e0 = json_array_get(errs, 0);
    cr_assert(jstr(e0, "title") && *jstr(e0, "title"), "%s: title in %s", what, r->body);
    cr_assert(jstr(e0, "detailed") && *jstr(e0, "detailed"), "%s: detailed in %s", what, r->body);
    cr_assert(jstr(e0, "code") && *jstr(e0, "code"), "%s: code in %s", what, r->body);
    cr_assert_null(json_object_get(r->json, "error"), "%s: strobe's error shape in %s", what, r->body);
}

/* curl -H 'X-Api-Key: KEY' -F 'image_file=@photo.jpg' -F 'size=auto' .../v1.0/removebg -o no-bg.png */
Test(removebg, multipart_image_file_person)
{
    char key[64];
    start(key);
    size_t len;
    uint8_t *jpg = load_shared(FACE, &len);
    part_t parts[] = {{"image_file", jpg, len, "photo.jpg", "image/jpeg"}, {"size", "auto", 4, NULL, NULL}};
    resp_t r = removebg(key, parts, 2, NULL, NULL, NULL);
    expect_cutout(&r, "person", "image_file, size auto");
    /* size=auto keeps the 1000x1500 photo's size (under the 4 MP cap). */
    cr_assert_eq(header_long(&r, "X-Width"), 1000);
    cr_assert_eq(header_long(&r, "X-Height"), 1500);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 19, "one credit charged of 20");
    cr_assert_neq(header_long(&r, "X-RateLimit-Limit"), -999, "X-RateLimit-Limit");
    resp_free(&r);
    /* The default size is remove.bg's preview: at most 0.25 megapixels. */
    r = removebg(key, parts, 1, NULL, NULL, NULL);
    expect_cutout(&r, "person", "image_file, default size");
    cr_assert(header_long(&r, "X-Width") * header_long(&r, "X-Height") <= 250000, "preview over 0.25 MP");
    resp_free(&r);
    free(jpg);
}

/* curl -H 'X-Api-Key: KEY' -F 'image_url=https://.../mug.jpg' -F 'type=product' -F 'crop=true' ..., then the
 * same URL as a form-urlencoded body and in JSON. */
Test(removebg, image_url_product)
{
    char key[64], url[256];
    start(key);
    size_t len;
    uint8_t *jpg = load_shared(MUG, &len);
    origin_start(jpg, len, 0);
    origin_url(url, sizeof url, "127.0.0.1", "/img");
    part_t parts[] = {{"image_url", url, strlen(url), NULL, NULL},
                      {"type", "product", 7, NULL, NULL},
                      {"crop", "true", 4, NULL, NULL},
                      {"crop_margin", "10px", 4, NULL, NULL}};
    resp_t r = removebg(key, parts, 4, NULL, NULL, NULL);
    expect_cutout(&r, "product", "image_url multipart, crop");
    /* Cropped to the foreground plus 10 px (less where the photo ends). */
    cr_assert(header_long(&r, "X-Foreground-Left") <= 10 && header_long(&r, "X-Foreground-Top") <= 10,
              "crop margin: %s", r.head);
    resp_free(&r);

    char *form = NULL, *esc = curl_easy_escape(NULL, url, 0);
    cr_assert(asprintf(&form, "image_url=%s&type=auto&channels=rgba", esc) > 0);
    r = removebg(key, NULL, 0, "application/x-www-form-urlencoded", form, NULL);
    expect_cutout(&r, "product", "image_url form-urlencoded, type auto (no face)");
    resp_free(&r);
    free(form);
    curl_free(esc);

    char json[512];
    snprintf(json, sizeof json, "{\"image_url\":\"%s\",\"size\":\"preview\"}", url);
    r = removebg(key, NULL, 0, "application/json", json, NULL);
    expect_cutout(&r, "product", "image_url JSON");
    resp_free(&r);
    cr_assert_geq(origin_count("/img"), 3, "the origin served the URL");
    free(jpg);
}

/* image_file_b64 in a form, channels=alpha (the mask alone), and in JSON with Accept: application/json
 * (remove.bg's {"data": {"result_b64", "foreground_*"}}); bg_color with format jpg gives an opaque JPEG. */
Test(removebg, base64_and_options)
{
    char key[64];
    start(key);
    size_t len;
    uint8_t *jpg = load_shared(MUG, &len);
    char *b64 = base64(jpg, len);
    char *esc = curl_easy_escape(NULL, b64, 0), *form = NULL;
    cr_assert(asprintf(&form, "image_file_b64=%s&channels=alpha", esc) > 0);
    resp_t r = removebg(key, NULL, 0, "application/x-www-form-urlencoded", form, NULL);
    cr_assert_eq(r.status, 200, "b64 form: %ld %.300s", r.status, r.body);
    VipsImage *img = vips_image_new_from_buffer(r.body, r.len, "", NULL);
    cr_assert_not_null(img);
    cr_assert_eq(vips_image_get_bands(img), 1, "channels=alpha is one band");
    double lo, hi;
    vips_min(img, &lo, NULL);
    vips_max(img, &hi, NULL);
    cr_assert(lo == 0 && hi == 255, "the mask runs %g..%g", lo, hi);
    g_object_unref(img);
    resp_free(&r);

    char *json = NULL;
    cr_assert(asprintf(&json, "{\"image_file_b64\":\"%s\",\"type\":\"product\"}", b64) > 0);
    const char *accept[] = {"Accept: application/json", NULL};
    r = removebg(key, NULL, 0, "application/json", json, accept);
    cr_assert_eq(r.status, 200, "b64 JSON: %ld %.300s", r.status, r.body);
    const json_t *data = json_object_get(r.json, "data");
    const char *res = jstr(data, "result_b64");
    cr_assert(res && strlen(res) > 100, "result_b64 in %.200s", r.body);
    cr_assert(json_is_integer(json_object_get(data, "foreground_width")), "foreground_width");
    unsigned char *png = malloc(strlen(res));
    int n = EVP_DecodeBlock(png, (const unsigned char *)res, (int)strlen(res));
    cr_assert(n > 8 && !memcmp(png, "\x89PNG", 4), "result_b64 is a PNG");
    free(png);
    resp_free(&r);
    free(json);

    part_t parts[] = {{"image_file", jpg, len, "mug.jpg", "image/jpeg"},
                      {"bg_color", "81d4fa", 6, NULL, NULL},
                      {"format", "jpg", 3, NULL, NULL}};
    r = removebg(key, parts, 3, NULL, NULL, NULL);
    char ct[64] = "";
    cr_assert(r.status == 200 && resp_header(&r, "Content-Type", ct, sizeof ct) && !strcmp(ct, "image/jpeg"),
              "bg_color + jpg: %ld %s", r.status, ct);
    img = vips_image_new_from_buffer(r.body, r.len, "", NULL);
    cr_assert_not_null(img);
    cr_assert_eq(vips_image_get_bands(img), 3);
    /* The corner is background: the colour asked for, within JPEG's error. */
    double px[3];
    double *v = NULL;
    int nv = 0;
    cr_assert_eq(vips_getpoint(img, &v, &nv, 0, 0, NULL), 0);
    for (int i = 0; i < 3; i++)
        px[i] = v[i];
    g_free(v);
    g_object_unref(img);
    cr_assert(fabs(px[0] - 0x81) < 8 && fabs(px[1] - 0xd4) < 8 && fabs(px[2] - 0xfa) < 8, "corner %g %g %g", px[0],
              px[1], px[2]);
    resp_free(&r);
    free(form);
    curl_free(esc);
    free(b64);
    free(jpg);
}

/* A bad or missing key is 403, a missing image, a corrupt one or a bad option 400, all in remove.bg's
 * shape; nothing is charged and the server keeps serving. */
Test(removebg, errors)
{
    char key[64];
    start(key);
    part_t size[] = {{"size", "auto", 4, NULL, NULL}};
    resp_t r = removebg("sb_not_a_key", size, 1, NULL, NULL, NULL);
    expect_error(&r, 403, "bad key");
    resp_free(&r);
    r = http(&(req_t){.path = PATH, .parts = size, .nparts = 1});
    expect_error(&r, 403, "no key");
    resp_free(&r);

    r = removebg(key, size, 1, NULL, NULL, NULL);
    expect_error(&r, 400, "no image");
    resp_free(&r);
    r = removebg(key, NULL, 0, "application/json", "{\"size\":\"auto\"}", NULL);
    expect_error(&r, 400, "no image in JSON");
    resp_free(&r);

    static const char junk[] = "\xff\xd8\xff\xe0 this is no JPEG at all, only its first bytes";
    part_t bad[] = {{"image_file", junk, sizeof junk - 1, "x.jpg", "image/jpeg"}};
    r = removebg(key, bad, 1, NULL, NULL, NULL);
    expect_error(&r, 400, "corrupt image");
    resp_free(&r);

    size_t len;
    uint8_t *jpg = load_shared(MUG, &len);
    const char *opts[][2] = {{"size", "huge"}, {"format", "tiff"}, {"bg_color", "not-a-colour"}, {"roi", "0% 0%"},
                             {"bg_image_url", "http://127.0.0.1/x.jpg"}};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        part_t p[] = {{"image_file", jpg, len, "mug.jpg", "image/jpeg"},
                      {opts[i][0], opts[i][1], strlen(opts[i][1]), NULL, NULL}};
        r = removebg(key, p, 2, NULL, NULL, NULL);
        expect_error(&r, 400, opts[i][0]);
        cr_assert_str_eq(nz(jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field")), opts[i][0]);
        resp_free(&r);
    }
    /* The zip holds the colours and the alpha: a mask alone or a background colour with it is refused. */
    const char *with_zip[][2] = {{"channels", "alpha"}, {"bg_color", "white"}};
    for (size_t i = 0; i < sizeof with_zip / sizeof with_zip[0]; i++) {
        part_t p[] = {{"image_file", jpg, len, "mug.jpg", "image/jpeg"},
                      {"format", "zip", 3, NULL, NULL},
                      {with_zip[i][0], with_zip[i][1], strlen(with_zip[i][1]), NULL, NULL}};
        r = removebg(key, p, 3, NULL, NULL, NULL);
        expect_error(&r, 400, with_zip[i][0]);
        cr_assert_str_eq(nz(jstr(json_array_get(json_object_get(r.json, "errors"), 0), "field")), with_zip[i][0]);
        resp_free(&r);
    }
    free(jpg);
    json_t *a = account(key);
    cr_assert_eq(jint(a, "credits"), 20, "errors are not charged");
    json_decref(a);
    expect_healthy("removebg errors");
}

/* The zip entry `name` of `z`, decoded; its stored size is checked against the bytes read. */
static VipsImage *zip_image(zip_t *z, const char *name)
{
    zip_stat_t st;
    cr_assert_eq(zip_stat(z, name, 0, &st), 0, "%s is not in the zip", name);
    cr_assert(st.size > 100, "%s: %llu bytes", name, (unsigned long long)st.size);
    zip_file_t *f = zip_fopen(z, name, 0);
    cr_assert_not_null(f, "%s does not open", name);
    char *buf = malloc(st.size);
    cr_assert_eq(zip_fread(f, buf, st.size), (zip_int64_t)st.size, "%s: short read", name);
    zip_fclose(f);
    VipsImage *img = vips_image_new_from_buffer(buf, st.size, "", NULL);
    cr_assert_not_null(img, "%s is no image", name);
    /* The buffer must outlive the lazily decoded image: copy it into memory now. */
    VipsImage *mem = vips_image_copy_memory(img);
    g_object_unref(img);
    free(buf);
    cr_assert_not_null(mem, "%s does not decode", name);
    return mem;
}

/* format=zip: remove.bg's archive of color.jpg (the cut-out's colours, opaque) and alpha.png (its mask), served as
 * application/zip with the usual headers and one credit; the alpha is the PNG cut-out's alpha exactly and the
 * colours are its colours where it is opaque (within JPEG's error). */
Test(removebg, zip)
{
    char key[64];
    start(key);
    size_t len;
    uint8_t *jpg = load_shared(MUG, &len);
    part_t parts[] = {{"image_file", jpg, len, "mug.jpg", "image/jpeg"},
                      {"type", "product", 7, NULL, NULL},
                      {"format", "zip", 3, NULL, NULL}};
    resp_t r = removebg(key, parts, 3, NULL, NULL, NULL);
    cr_assert_eq(r.status, 200, "zip: %ld %.300s", r.status, r.body);
    char ct[64] = "";
    cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct) && !strcmp(ct, "application/zip"), "Content-Type %s", ct);
    cr_assert_eq(header_long(&r, "X-Credits-Charged"), 1);
    long w = header_long(&r, "X-Width"), h = header_long(&r, "X-Height");
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(r.body, r.len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
    cr_assert_not_null(z, "the body (%zu bytes) is no zip: %s", r.len, zip_error_strerror(&ze));
    cr_assert_eq(zip_get_num_entries(z, 0), 2, "two files in the zip");
    VipsImage *colour = zip_image(z, "color.jpg"), *alpha = zip_image(z, "alpha.png");
    zip_close(z);
    zip_error_fini(&ze);
    cr_assert_eq(vips_image_get_bands(colour), 3, "color.jpg is opaque RGB");
    cr_assert_eq(vips_image_get_bands(alpha), 1, "alpha.png is one band");
    cr_assert(vips_image_get_width(colour) == w && vips_image_get_height(colour) == h, "color.jpg %dx%d, X-Width %ldx%ld",
              vips_image_get_width(colour), vips_image_get_height(colour), w, h);
    cr_assert(vips_image_get_width(alpha) == w && vips_image_get_height(alpha) == h, "alpha.png %dx%d",
              vips_image_get_width(alpha), vips_image_get_height(alpha));
    resp_free(&r);

    /* The same call as a PNG: its alpha is alpha.png, its colours where opaque are color.jpg's. */
    part_t png_parts[] = {{"image_file", jpg, len, "mug.jpg", "image/jpeg"}, {"type", "product", 7, NULL, NULL}};
    r = removebg(key, png_parts, 2, NULL, NULL, NULL);
    expect_cutout(&r, "product", "the same cut-out as a PNG");
    VipsImage *png = vips_image_new_from_buffer(r.body, r.len, "", NULL), *pm = vips_image_copy_memory(png);
    g_object_unref(png);
    const uint8_t *pa = (const uint8_t *)VIPS_IMAGE_ADDR(alpha, 0, 0), *pc = (const uint8_t *)VIPS_IMAGE_ADDR(colour, 0, 0);
    const uint8_t *pp = (const uint8_t *)VIPS_IMAGE_ADDR(pm, 0, 0);
    long n = w * h, differ = 0, opaque = 0, clear = 0;
    double err = 0;
    for (long i = 0; i < n; i++) {
        differ += pa[i] != pp[i * 4 + 3];
        clear += pa[i] == 0;
        if (pa[i] == 255) {
            opaque++;
            for (int c = 0; c < 3; c++)
                err += fabs((double)pc[i * 3 + c] - pp[i * 4 + c]);
        }
    }
    cr_log_info("zip: %ldx%ld, %ld opaque, %ld clear, mean colour difference %.2f", w, h, opaque, clear,
                err / (3.0 * opaque));
    cr_assert_eq(differ, 0, "alpha.png differs from the PNG's alpha at %ld pixels", differ);
    cr_assert(opaque > n / 20 && clear > n / 20, "alpha.png is a mask: %ld opaque, %ld clear of %ld", opaque, clear, n);
    cr_assert_lt(err / (3.0 * opaque), 4, "color.jpg is not the cut-out's colours");
    g_object_unref(pm);
    g_object_unref(colour);
    g_object_unref(alpha);
    resp_free(&r);

    /* With Accept: application/json, result_b64 is the zip. */
    const char *accept[] = {"Accept: application/json", NULL};
    r = removebg(key, parts, 3, NULL, NULL, accept);
    cr_assert_eq(r.status, 200, "zip as JSON: %ld %.300s", r.status, r.body);
    const char *res = jstr(json_object_get(r.json, "data"), "result_b64");
    cr_assert(res && strlen(res) > 100, "result_b64 in %.200s", r.body);
    unsigned char *zipped = malloc(strlen(res));
    int zlen = EVP_DecodeBlock(zipped, (const unsigned char *)res, (int)strlen(res));
    cr_assert(zlen > 4 && !memcmp(zipped, "PK\x03\x04", 4), "result_b64 is a zip");
    free(zipped);
    resp_free(&r);
    free(jpg);
}
