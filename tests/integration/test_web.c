/* test_web.c - the demo page (web/, src/api/web.c) on the real `./strobe serve`: its routes and headers
 * over HTTP, then the page itself in headless Chromium (tests/web/test_demo.py, driven by Selenium), which
 * uploads real photos, waits for the results, checks a bad file gives a readable error and saves
 * screenshots under build/web/. The browser test is skipped when Chromium, its driver or python3-selenium
 * is missing (scripts/bootstrap.sh installs them), like every server test when ../shared is. */
#include <criterion/criterion.h>

#include "server_harness.h"

TestSuite(web, .fini = cleanup, .timeout = 600);

#define PYTHON "/usr/bin/python3" /* Debian's, where python3-selenium is installed */

static void expect_header(const resp_t *r, const char *name, const char *prefix, const char *what)
{
    char v[512];
    cr_assert(resp_header(r, name, v, sizeof v), "%s: no %s header in %s", what, name, r->head);
    cr_assert(!strncmp(v, prefix, strlen(prefix)), "%s: %s is '%s', want '%s...'", what, name, v, prefix);
}

Test(web, page_and_files_with_types_etags_and_json_404)
{
    begin();
    server_start(NULL, NULL);

    static const struct {
        const char *path, *type, *marker;
    } files[] = {
        {"/", "text/html; charset=utf-8", "<script src=\"demo/demo.js\""},
        {"/demo/demo.css", "text/css; charset=utf-8", ".compare"},
        {"/demo/demo.js", "text/javascript; charset=utf-8", "v1/image/"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        resp_t r = get(files[i].path, NULL);
        EXPECT_STATUS(r, 200, files[i].path);
        expect_header(&r, "Content-Type", files[i].type, files[i].path);
        expect_header(&r, "Cache-Control", "no-cache", files[i].path);
        expect_header(&r, "X-Content-Type-Options", "nosniff", files[i].path);
        expect_header(&r, "Content-Security-Policy", "default-src 'none'", files[i].path);
        cr_assert(r.len > 100 && memmem(r.body, r.len, files[i].marker, strlen(files[i].marker)),
                  "%s: %zu bytes without '%s'", files[i].path, r.len, files[i].marker);

        /* The ETag revalidates: the same one is 304 without a body, another is 200. */
        char etag[128], hdr[160];
        cr_assert(resp_header(&r, "ETag", etag, sizeof etag) && etag[0] == '"', "%s: ETag in %s", files[i].path,
                  r.head);
        resp_free(&r);
        snprintf(hdr, sizeof hdr, "If-None-Match: %s", etag);
        const char *same[] = {hdr, NULL};
        r = http(&(req_t){.path = files[i].path, .headers = same});
        EXPECT_STATUS(r, 304, files[i].path);
        cr_assert_eq(r.len, 0, "%s: a 304 with %zu body bytes", files[i].path, r.len);
        resp_free(&r);
        const char *other[] = {"If-None-Match: \"0123\"", NULL};
        r = http(&(req_t){.path = files[i].path, .headers = other});
        EXPECT_STATUS(r, 200, files[i].path);
        resp_free(&r);
    }

    resp_t r = get("/demo/missing.js", NULL);
    EXPECT_ERROR(r, 404, "not_found", "", "an unknown demo file");
    resp_free(&r);
    r = get("/demo/../openapi.json", NULL);
    cr_assert(r.status == 404 || (r.status == 200 && r.json), "a dot-dot path: %ld %.200s", r.status, r.body);
    resp_free(&r);
    r = http(&(req_t){.method = "POST", .path = "/", .body = "x", .len = 1, .content_type = "text/plain"});
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL, "POST /");
    resp_free(&r);
    expect_healthy("the demo routes");
}

/* Chromium, chromedriver and Selenium for Debian's python3, or skip. */
static void need_browser(void)
{
    if (access("/usr/bin/chromium", X_OK) || access("/usr/bin/chromedriver", X_OK))
        cr_skip_test("needs chromium and chromium-driver (scripts/bootstrap.sh installs them)");
    if (system(PYTHON " -c 'import selenium' 2>/dev/null") != 0)
        cr_skip_test("needs python3-selenium (scripts/bootstrap.sh installs it)");
}

static void expect_screenshot(const char *name, uint32_t min_w, uint32_t min_h)
{
    char path[256];
    snprintf(path, sizeof path, "build/web/%s", name);
    size_t len = 0;
    uint8_t *png = tu_read(path, &len);
    cr_assert_not_null(png, "no screenshot %s", path);
    uint32_t w = 0, h = 0;
    cr_assert(png_size(png, len, &w, &h), "%s is not a PNG", path);
    cr_assert(w >= min_w && h >= min_h, "%s is %ux%u, want at least %ux%u", path, w, h, min_w, min_h);
    free(png);
}

Test(web, demo_page_in_headless_chromium)
{
    begin();
    need_browser();
    char face[1024], product[1024];
    TU_SHARED_PATH_OR_SKIP(face, FACE);
    TU_SHARED_PATH_OR_SKIP(product, "testdata/products/imagenet_perfume.jpg");
    char key[64];
    make_key("web", 100, key, NULL);
    server_start(NULL, NULL);

    /* Old screenshots must not pass for new ones. */
    cr_assert_eq(system("mkdir -p build/web && rm -f build/web/*.png"), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             PYTHON " tests/web/test_demo.py --base '%s' --key '%s' --face '%s' --product '%s' --out build/web 2>&1",
             S.base, key, face, product);
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char out[8192] = "";
    size_t n = 0, k;
    while (n < sizeof out - 1 && (k = fread(out + n, 1, sizeof out - 1 - n, p)) > 0)
        n += k;
    out[n] = '\0';
    char drain[4096];
    while (fread(drain, 1, sizeof drain, p) > 0) {
    }
    int st = pclose(p);
    cr_assert(WIFEXITED(st), "test_demo.py died: %d\n%s", st, out);
    if (WEXITSTATUS(st) == 77)
        cr_skip_test("%s", out);
    cr_assert_eq(WEXITSTATUS(st), 0, "test_demo.py failed (status %d):\n%s\nserver log: %s", WEXITSTATUS(st), out,
                 log_tail());
    cr_log_info("%s", out);

    /* The screenshots it saved: desktop 1280 px wide, the phone 390 px at a pixel ratio of 2. */
    expect_screenshot("desktop-headshot.png", 1000, 600);
    expect_screenshot("desktop-avatar.png", 1000, 600);
    expect_screenshot("desktop-product.png", 1000, 600);
    expect_screenshot("desktop-error.png", 1000, 600);
    expect_screenshot("phone-result.png", 780, 1000);
    expect_screenshot("phone-full.png", 780, 2000);

    /* The page's requests went through the API like any client's: one avatar on the phone, one on the desktop. */
    json_t *acct = account(key);
    cr_assert_lt(jint(acct, "credits"), 100, "no credits were charged: %s", json_dumps(acct, 0));
    json_decref(acct);
    expect_healthy("the browser test");
}
