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

#endif
