/* test_examples.c - every client example in examples/ (curl, Python, JavaScript; headshot, avatar,
 * portrait, product) run as printed in examples/README.md against the real `./strobe serve`: each must
 * exit 0 and write an image that decodes, at the size its options ask for, and not flat; with a bad key
 * each must exit non-zero with the API's message and write nothing. A language whose tools are missing
 * (scripts/bootstrap.sh installs them) is skipped, like every server test when ../shared is. */
#include <criterion/criterion.h>

#include "server_harness.h"

TestSuite(examples, .fini = cleanup, .timeout = 600);

#define PRODUCT_PHOTO "testdata/products/imagenet_perfume.jpg"

typedef struct {
    const char *name;  /* examples/<lang>/<name>.<ext> */
    const char *photo; /* under ../shared */
    int w, h;          /* what the example's options make */
} family_t;

static const family_t families[] = {
    {"headshot", FACE, 800, 800},
    {"avatar", FACE, 800, 800},
    {"portrait", FACE, 768, 1024},
    {"product", PRODUCT_PHOTO, 1600, 2000}, /* aspect 4:5 */
};

/* Run `cmd` (stdout and stderr together into out); its exit status, or -1 when it did not exit. */
static int run(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    size_t n = 0, k;
    while (n < size - 1 && (k = fread(out + n, 1, size - 1 - n, p)) > 0)
        n += k;
    out[n] = '\0';
    char drain[4096];
    while (fread(drain, 1, sizeof drain, p) > 0) {
    }
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The output decodes completely, is w x h and has some detail (not one flat colour). */
static void expect_image_file(const char *path, int w, int h, const char *what)
{
    VipsImage *img = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    cr_assert_not_null(img, "%s: %s does not open: %s", what, path, vips_error_buffer());
    int iw = vips_image_get_width(img), ih = vips_image_get_height(img);
    double dev = 0;
    int rc = vips_deviate(img, &dev, NULL);
    g_object_unref(img);
    cr_assert_eq(rc, 0, "%s: %s does not decode: %s", what, path, vips_error_buffer());
    cr_assert(iw == w && ih == h, "%s: %dx%d, want %dx%d", what, iw, ih, w, h);
    cr_assert_gt(dev, 5.0, "%s: a flat image (deviation %.2f)", what, dev);
}

/* Every family of one language: `runner` is the command before the script ("sh", "node", ...). */
static void run_language(const char *dir, const char *ext, const char *runner)
{
    begin();
    cr_assert_eq(VIPS_INIT("test_examples"), 0);
    char face[1024], product[1024];
    TU_SHARED_PATH_OR_SKIP(face, FACE);
    TU_SHARED_PATH_OR_SKIP(product, PRODUCT_PHOTO);
    char key[64];
    make_key("examples", 100, key, NULL);
    server_start(NULL, NULL);
    /* As examples/README.md says: the server and the key in the environment. */
    cr_assert_eq(setenv("STROBE_URL", S.base, 1), 0);
    cr_assert_eq(setenv("STROBE_KEY", key, 1), 0);

    char cmd[4096], out[8192], photo[1024], output[512];
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        const family_t *f = &families[i];
        snprintf(photo, sizeof photo, "%s/%s", tu_shared_dir(), f->photo);
        snprintf(output, sizeof output, "%s/%s-%s.out", S.tmp, dir, f->name);
        snprintf(cmd, sizeof cmd, "%s examples/%s/%s.%s '%s' '%s' 2>&1", runner, dir, f->name, ext, photo, output);
        int st = run(cmd, out, sizeof out);
        cr_assert_eq(st, 0, "%s exited %d:\n%s\nserver log: %s", cmd, st, out, log_tail());
        cr_assert(strstr(out, output), "%s: does not say what it wrote:\n%s", cmd, out);
        expect_image_file(output, f->w, f->h, cmd);
        cr_log_info("%s/%s: %s", dir, f->name, out);
    }

    /* A bad key, given as options this time: the API's message, a non-zero exit, no file. */
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        const family_t *f = &families[i];
        snprintf(photo, sizeof photo, "%s/%s", tu_shared_dir(), f->photo);
        snprintf(output, sizeof output, "%s/%s-%s-badkey.out", S.tmp, dir, f->name);
        snprintf(cmd, sizeof cmd, "%s examples/%s/%s.%s --url '%s' --key sb_not_a_key '%s' '%s' 2>&1", runner, dir,
                 f->name, ext, S.base, photo, output);
        int st = run(cmd, out, sizeof out);
        cr_assert(st > 0, "%s: exit %d with a bad key:\n%s", cmd, st, out);
        cr_assert(strstr(out, "the API key is not valid"), "%s: the API's message is not shown:\n%s", cmd, out);
        cr_assert_neq(access(output, F_OK), 0, "%s: wrote %s with a bad key", cmd, output);
    }
    json_t *acct = account(key);
    long long used = 100 - jint(acct, "credits");
    json_decref(acct);
    cr_assert_eq(used, 4, "the four examples used %lld credits, want one each", used);
    expect_healthy("the examples");
}

static void need(const char *check, const char *what)
{
    if (system(check) != 0)
        cr_skip_test("needs %s (scripts/bootstrap.sh installs it)", what);
}

Test(examples, curl)
{
    need("command -v curl >/dev/null && command -v jq >/dev/null && command -v base64 >/dev/null", "curl and jq");
    run_language("curl", "sh", "sh");
}

Test(examples, python)
{
    need("/usr/bin/python3 -c 'import requests' 2>/dev/null", "python3-requests");
    run_language("python", "py", "/usr/bin/python3");
}

Test(examples, javascript)
{
    need("node -e 'if (typeof fetch !== \"function\") process.exit(1)' 2>/dev/null", "nodejs 18 or later");
    run_language("js", "mjs", "node");
}
