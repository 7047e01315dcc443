/* bench_headshot - in-process benchmark of the headshot pipeline on one image.
 *
 * usage: bench_headshot IMAGE [ITERATIONS] [SIZE]
 * Runs 2 warm-up headshots, then ITERATIONS timed ones, and as many rounds of the I/O floor (the same
 * shrink-on-load decode the pipeline does, plus the PNG encode of the SIZE x SIZE result) interleaved
 * with them, so both see the same machine load. Prints per-stage p50/p90, the floor, their ratio and
 * peak RSS as one JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "pipeline/studio.h"


static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "bench_headshot: %s: %s\n", what, e->message);
    exit(1);
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h) */
    if (argc < 2) {
        fprintf(stderr, "usage: bench_headshot IMAGE [ITERATIONS] [SIZE]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 20, size = argc > 3 ? atoi(argv[3]) : 800;
    if (iters < 1 || iters > BU_MAX_ITER)
        iters = 20;
    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e) || sb_io_read_file(argv[1], 1u << 30, &buf, &len, &e))
        die("start", &e);

    sb_headshot_opts_t opts = {.size = size};
    sb_headshot_result_t r;
    for (int i = 0; i < 2; i++) {
        if (sb_headshot(studio, buf, len, &opts, &r, &e))
            die("headshot", &e);
        if (i == 1)
            break;
        sb_headshot_result_free(&r);
    }
    /* The result's pixels, for the encode half of the floor. */
    sb_image_t result;
    if (sb_io_decode(r.output, r.output_len, NULL, &result, NULL, &e))
        die("decode result", &e);
    sb_headshot_result_free(&r);

    static bu_series_t series;
    static double floor_ms[BU_MAX_ITER];
    for (int i = 0; i < iters; i++) {
        if (sb_headshot(studio, buf, len, &opts, &r, &e))
            die("headshot", &e);
        bu_series_add(&series, &r.detect.stages);
        sb_headshot_result_free(&r);

        double t0 = sb_now_ms();
        sb_detect_result_t d = {0};
        sb_image_t work;
        uint8_t *png;
        size_t png_len;
        sb_stages_start(&d.stages);
        if (sb_pipeline_decode(buf, len, size * 2, SB_MIN_IMAGE_SIDE, &work, &d, &e) ||
            sb_io_encode(&result, SB_FMT_PNG, 0, &png, &png_len, &e))
            die("floor", &e);
        floor_ms[i] = sb_now_ms() - t0;
        sb_image_free(&work);
        free(png);
    }

    double p50 = bu_pct(series.total, (size_t)iters, 50), f50 = bu_pct(floor_ms, (size_t)iters, 50);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *out = bu_series_json(&series);
    json_t *head = json_pack("{s:s, s:i, s:i, s:{s:f, s:f}, s:f, s:f}", "image", argv[1], "size", size,
                             "iterations", iters, "io_floor_ms", "p50", f50, "p90", bu_pct(floor_ms, (size_t)iters, 90),
                             "ratio_to_floor_p50", p50 / f50, "peak_rss_mb", ru.ru_maxrss / 1024.0);
    json_object_update(head, out);
    json_decref(out);
    out = head;
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", s);
    free(s);
    json_decref(out);
    sb_image_free(&result);
    free(buf);
    sb_studio_close(studio);
    return 0;
}
