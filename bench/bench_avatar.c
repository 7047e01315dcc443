/* bench_avatar - in-process benchmark of the avatar pipeline, one run per style, on one image.
 *
 * usage: bench_avatar IMAGE [ITERATIONS]
 * For each style (corporate_headshot, editorial, anime) on the generic platform: 1 warm-up avatar (nets
 * loaded), then ITERATIONS timed ones. Prints per-stage and total p50/p90, the likeness and attempts of
 * the result, and the process's peak RSS as one JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "pipeline/studio.h"


static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "bench_avatar: %s: %s\n", what, e->message);
    exit(1);
}

static json_t *run_style(sb_studio_t *studio, const uint8_t *buf, size_t len, const char *style, int iters)
{
    sb_avatar_opts_t opts = SB_AVATAR_OPTS_DEFAULT;
    opts.style = style;
    sb_avatar_result_t r;
    sb_error_t e = {0};
    if (sb_avatar(studio, buf, len, &opts, &r, &e))
        die(style, &e);
    sb_avatar_result_free(&r);

    static bu_series_t series;
    series.n = 0;
    int attempts = 0;
    double likeness = 0;
    for (int i = 0; i < iters; i++) {
        if (sb_avatar(studio, buf, len, &opts, &r, &e))
            die(style, &e);
        bu_series_add(&series, &r.detect.stages);
        likeness = r.likeness;
        attempts = r.attempts;
        sb_avatar_result_free(&r);
    }
    json_t *out = bu_series_json(&series);
    json_object_set_new(out, "likeness", json_real(likeness));
    json_object_set_new(out, "attempts", json_integer(attempts));
    return out;
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h) */
    if (argc < 2) {
        fprintf(stderr, "usage: bench_avatar IMAGE [ITERATIONS]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 10;
    if (iters < 1 || iters > BU_MAX_ITER)
        iters = 10;
    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e) || sb_io_read_file(argv[1], 1u << 30, &buf, &len, &e))
        die("start", &e);
    static const char *const styles[] = {"corporate_headshot", "editorial", "anime"};
    json_t *out = json_pack("{s:s, s:i, s:{}}", "image", argv[1], "iterations", iters, "styles");
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++)
        json_object_set_new(json_object_get(out, "styles"), styles[i], run_style(studio, buf, len, styles[i], iters));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_object_set_new(out, "peak_rss_mb", json_real(ru.ru_maxrss / 1024.0));
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", s);
    free(s);
    json_decref(out);
    free(buf);
    sb_studio_close(studio);
    return 0;
}
