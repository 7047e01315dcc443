/* testutil.h - helpers shared by the Criterion tests: where ../shared is, and skipping when it is not. */
#ifndef SB_TESTUTIL_H
#define SB_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Root of the shared data (models, testdata): $STROBE_SHARED, else ../shared beside the checkout. */
static inline const char *tu_shared_dir(void)
{
    const char *env = getenv("STROBE_SHARED");
    return env && *env ? env : "../shared";
}

/* Fill `out` with tu_shared_dir()/rel and skip the current test when that path does not exist. */
#define TU_SHARED_PATH_OR_SKIP(out, rel)                                                       \
    do {                                                                                       \
        struct stat tu_st_;                                                                    \
        snprintf((out), sizeof(out), "%s/%s", tu_shared_dir(), (rel));                         \
        if (stat((out), &tu_st_) != 0)                                                         \
            cr_skip_test("needs %s (../shared is missing)", (out));                            \
    } while (0)


#include <dirent.h>
#include <string.h>

#include "image/io.h"

/* Read a whole file (test helper: aborts the test on failure). Caller frees. */
static inline uint8_t *tu_read(const char *path, size_t *len)
{
    uint8_t *buf = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_read_file(path, 1u << 30, &buf, len, &e), SB_OK, "read %s: %s", path, e.message);
    return buf;
}

/* Read the shared file `rel` (under tu_shared_dir()) whole, skipping the current test when it does not
 * exist. Caller frees. */
static inline uint8_t *tu_read_shared(const char *rel, size_t *len)
{
    char path[4096];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    return tu_read(path, len);
}

/* Decode the shared test image `rel` (under tu_shared_dir()) at full size into `img` (the caller frees
 * it); 0 when the file does not exist, 1 when decoded (a decode failure fails the test). */
static inline int tu_load_shared(const char *rel, sb_image_t *img)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", tu_shared_dir(), rel);
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    sb_error_t e = {0};
    size_t len;
    uint8_t *buf = tu_read(path, &len);
    cr_assert_eq(sb_io_decode(buf, len, NULL, img, NULL, &e), SB_OK, "%s: %s", rel, e.message);
    free(buf);
    return 1;
}

/* Sorted list of image files (jpg, jpeg, png, webp) in dir; returns the count, names in `names` (malloc'd). */
static inline int tu_list_images(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    int n = 0, cap = 0;
    *names = NULL;
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *dot = strrchr(de->d_name, '.');
        if (!dot || (strcasecmp(dot, ".jpg") && strcasecmp(dot, ".jpeg") && strcasecmp(dot, ".png") &&
                     strcasecmp(dot, ".webp")))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            *names = realloc(*names, sizeof(char *) * cap);
        }
        (*names)[n++] = strdup(de->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp((*names)[j - 1], (*names)[j]) > 0; j--) {
            char *t = (*names)[j];
            (*names)[j] = (*names)[j - 1];
            (*names)[j - 1] = t;
        }
    return n;
}

static inline void tu_free_list(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Calls visit(img, rel, ctx) for each image of the shared folders dirs[0..n_dirs) (paths under
 * tu_shared_dir(), e.g. "testdata/faces"), decoded at full size, except the file names listed in `skip`
 * (NULL-terminated, or NULL); `img` is freed after the call. Skips the test when a folder is missing.
 * Returns how many images were visited. */
static inline int tu_each_shared_image(const char *const *dirs, size_t n_dirs, const char *const *skip,
                                       void (*visit)(const sb_image_t *img, const char *rel, void *ctx), void *ctx)
{
    int visited = 0;
    for (size_t d = 0; d < n_dirs; d++) {
        char dir[4096];
        TU_SHARED_PATH_OR_SKIP(dir, dirs[d]);
        char **names;
        int n = tu_list_images(dir, &names);
        for (int i = 0; i < n; i++) {
            int skipped = 0;
            for (const char *const *k = skip; k && *k && !skipped; k++)
                skipped = !strcmp(names[i], *k);
            if (skipped)
                continue;
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", dirs[d], names[i]);
            sb_image_t img = {0};
            cr_assert(tu_load_shared(rel, &img), "%s vanished", rel);
            visit(&img, rel, ctx);
            sb_image_free(&img);
            visited++;
        }
        tu_free_list(names, n);
    }
    return visited;
}

/* Calls visit(flat, rel, backdrop, ctx) for each person of testdata/matting's hseg_* and dim_* photos
 * composited by its ground truth (gt/NAME.png) on flat black, grey and white (backdrop 0, 128, 255; 3 bands):
 * a studio portrait's plain background reaching the photo's edge. `flat` is freed after the call. Skips the
 * test without ../shared; a photo without its ground truth fails it. Returns how many composites were made. */
static inline int tu_each_person_on_flat_backdrop(void (*visit)(const sb_image_t *flat, const char *rel, int backdrop,
                                                                void *ctx),
                                                  void *ctx)
{
    char dir[4096];
    TU_SHARED_PATH_OR_SKIP(dir, "testdata/matting");
    char **names;
    int n = tu_list_images(dir, &names), made = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(names[i], "hseg_", 5) && strncmp(names[i], "dim_", 4))
            continue;
        char rel[512], mask_rel[512];
        snprintf(rel, sizeof rel, "testdata/matting/%s", names[i]);
        snprintf(mask_rel, sizeof mask_rel, "testdata/matting/gt/%.*s.png", (int)(strrchr(names[i], '.') - names[i]),
                 names[i]);
        sb_image_t img = {0}, mask = {0}, flat = {0};
        cr_assert(tu_load_shared(rel, &img), "%s vanished", rel);
        cr_assert(tu_load_shared(mask_rel, &mask), "%s has no ground truth", rel);
        cr_assert(mask.width == img.width && mask.height == img.height);
        static const uint8_t backdrops[] = {0, 128, 255};
        for (int b = 0; b < 3; b++) {
            cr_assert_eq(sb_image_alloc(&flat, img.width, img.height, 3, NULL), SB_OK);
            for (size_t p = 0; p < (size_t)img.width * img.height; p++) {
                float a = mask.data[p * mask.bands] / 255.0f;
                for (int c = 0; c < 3; c++)
                    flat.data[p * 3 + c] = (uint8_t)(img.data[p * img.bands + c] * a + backdrops[b] * (1 - a) + 0.5f);
            }
            visit(&flat, rel, backdrops[b], ctx);
            sb_image_free(&flat);
            made++;
        }
        sb_image_free(&img);
        sb_image_free(&mask);
    }
    tu_free_list(names, n);
    return made;
}

/* Mean absolute difference per channel value (0..255) of two encoded images of the same size and bands
 * (a size or band mismatch, or a decode failure, fails the test). */
static inline double tu_encoded_mean_abs_diff(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    sb_image_t ia = {0}, ib = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(a, alen, NULL, &ia, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(b, blen, NULL, &ib, NULL, &e), SB_OK, "%s", e.message);
    cr_assert(ia.width == ib.width && ia.height == ib.height && ia.bands == ib.bands);
    double sum = 0;
    size_t n = (size_t)ia.width * ia.height * ia.bands;
    for (size_t i = 0; i < n; i++)
        sum += abs(ia.data[i] - ib.data[i]);
    sb_image_free(&ia);
    sb_image_free(&ib);
    return sum / (double)n;
}

#endif
