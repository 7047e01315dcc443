/* look - timing of custom looks: sb_look_learn over every photo in a folder, sb_look_apply at 800x800.
 *
 * usage: look [DIR] [PHOTO] [ITERATIONS]
 * DIR (default ../shared/testdata/faces): every .jpg, .jpeg, .png, .webp and .heic in it is read into
 * memory (not timed), then learnt from ITERATIONS times (default 5). PHOTO (default the first photo
 * of DIR, by name) is decoded, resized to 800x800 and the look applied to it at intensity 1, after a
 * warm-up, ITERATIONS times. Prints one JSON object: counts, learn and apply p50/min in ms, the look. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "benchutil.h"
#include "image/io.h"
#include "image/resample.h"
#include "render/look.h"
#include "util/clock.h"

#define MAX_ITER 50
#define MAX_FILES 4096
#define APPLY_SIDE 800

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "look: %s: %s\n", what, e->message);
    exit(1);
}

static int is_photo(const char *name)
{
    const char *dot = strrchr(name, '.');
    static const char *const exts[] = {".jpg", ".jpeg", ".png", ".webp", ".heic"};
    for (size_t i = 0; dot && i < sizeof exts / sizeof *exts; i++)
        if (!strcasecmp(dot, exts[i]))
            return 1;
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/testdata/faces";
    int iters = argc > 3 ? atoi(argv[3]) : 5;
    if (iters < 1 || iters > MAX_ITER)
        iters = 5;
    sb_error_t e = {0};
    if (sb_io_init(argv[0], &e))
        die("init", &e);

    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "look: cannot open %s\n", dir);
        return 1;
    }
    char *names[MAX_FILES];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_FILES)
        if (is_photo(de->d_name))
            names[n++] = strdup(de->d_name);
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "look: no photos in %s\n", dir);
        return 1;
    }
    qsort(names, (size_t)n, sizeof *names, cmp_name);
    uint8_t **bufs = malloc(sizeof *bufs * n);
    size_t *lens = malloc(sizeof *lens * n), bytes = 0;
    char path[4096];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (sb_io_read_file(path, 1u << 30, &bufs[i], &lens[i], &e))
            die(path, &e);
        bytes += lens[i];
    }

    sb_look_t look;
    int used = 0;
    double learn[MAX_ITER], apply[MAX_ITER];
    for (int i = 0; i < iters; i++) {
        int64_t t0 = sb_clock_us();
        if (sb_look_learn((const uint8_t *const *)bufs, lens, n, &look, &used, &e))
            die("learn", &e);
        learn[i] = (sb_clock_us() - t0) / 1000.0;
    }

    uint8_t *pbuf = NULL;
    size_t plen = 0;
    if (argc > 2) {
        if (sb_io_read_file(argv[2], 1u << 30, &pbuf, &plen, &e))
            die(argv[2], &e);
    }
    sb_image_t photo, sized;
    sb_fimage_t base, work;
    if (sb_io_decode(pbuf ? pbuf : bufs[0], pbuf ? plen : lens[0], NULL, &photo, NULL, &e) ||
        sb_image_resize(&photo, APPLY_SIDE, APPLY_SIDE, &sized, &e) || sb_image_to_float(&sized, &base, &e) ||
        sb_fimage_alloc(&work, APPLY_SIDE, APPLY_SIDE, 3, &e))
        die("apply photo", &e);
    size_t fbytes = sizeof(float) * APPLY_SIDE * APPLY_SIDE * 3;
    for (int i = -1; i < iters; i++) {
        memcpy(work.data, base.data, fbytes);
        int64_t t0 = sb_clock_us();
        if (sb_look_apply(&work, &look, 1.0f, (uint64_t)i, &e))
            die("apply", &e);
        if (i >= 0)
            apply[i] = (sb_clock_us() - t0) / 1000.0;
    }

    char *js;
    if (sb_look_to_json(&look, &js, &e))
        die("json", &e);
    json_t *lj = json_loads(js, 0, NULL);
    double learn_p50 = bu_pct(learn, (size_t)iters, 50), apply_p50 = bu_pct(apply, (size_t)iters, 50);
    json_t *res = json_pack("{s:s, s:i, s:i, s:I, s:i, s:f, s:f, s:f, s:f, s:f, s:o}", "dir", dir, "files", n, "used",
                            used, "bytes", (json_int_t)bytes, "iterations", iters, "learn_p50_ms", learn_p50,
                            "learn_min_ms", learn[0], "learn_ms_per_image", learn_p50 / n, "apply_800_p50_ms",
                            apply_p50, "apply_800_min_ms", apply[0], "look", lj);
    char *out = json_dumps(res, JSON_INDENT(1) | JSON_REAL_PRECISION(5));
    printf("%s\n", out);
    free(out);
    free(js);
    json_decref(res);
    sb_fimage_free(&base);
    sb_fimage_free(&work);
    sb_image_free(&photo);
    sb_image_free(&sized);
    free(pbuf);
    for (int i = 0; i < n; i++) {
        free(bufs[i]);
        free(names[i]);
    }
    free(bufs);
    free(lens);
    return 0;
}
