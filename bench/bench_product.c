/* bench_product - in-process benchmark of the product photo pipeline on one image.
 *
 * usage: bench_product IMAGE [ITERATIONS] [SIZE] [PRESET] [SHADOW]
 * Defaults: 20 iterations, a SIZE x SIZE = 2000 x 2000 JPEG (quality 90), preset white-studio, shadow soft.
 * Runs 2 warm-up products, then ITERATIONS timed ones. Prints per-stage min/p50/p90 (res.detect.stages),
 * total min/p50/p90, the subject's coverage, peak RSS and the process's CPU time (user + sys) per timed
 * product (`cpu_s_per_call`, threads included) as one JSON object. The min is there for a busy machine:
 * other processes only ever add time, so it is the steadiest wall number to compare two builds by; the CPU
 * time per call is what an A/B on a shared machine compares (docs/BENCHMARKS.md). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "pipeline/studio.h"

/* User + sys seconds of a getrusage answer. */
static double cpu_seconds(const struct rusage *ru)
{
    return ru->ru_utime.tv_sec + ru->ru_stime.tv_sec + (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "bench_product: %s: %s\n", what, e->message);
    exit(1);
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h) */
    if (argc < 2) {
        fprintf(stderr, "usage: bench_product IMAGE [ITERATIONS] [SIZE] [PRESET] [SHADOW]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 20, size = argc > 3 ? atoi(argv[3]) : 2000;
    if (iters < 1 || iters > BU_MAX_ITER)
        iters = 20;
    sb_product_opts_t opts = SB_PRODUCT_OPTS_DEFAULT;
    opts.width = opts.height = size;
    opts.preset = argc > 4 ? argv[4] : "white-studio";
    opts.shadow_type = argc > 5 ? argv[5] : "soft";
    opts.format = SB_FMT_JPEG;
    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e) || sb_io_read_file(argv[1], 1u << 30, &buf, &len, &e))
        die("start", &e);

    sb_product_result_t r;
    for (int i = 0; i < 2; i++) {
        if (sb_product(studio, buf, len, &opts, &r, &e))
            die("product", &e);
        sb_product_result_free(&r);
    }
    static bu_series_t series;
    float coverage = 0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu0 = cpu_seconds(&ru);
    for (int i = 0; i < iters; i++) {
        if (sb_product(studio, buf, len, &opts, &r, &e))
            die("product", &e);
        bu_series_add(&series, &r.detect.stages);
        coverage = r.coverage;
        sb_product_result_free(&r);
    }
    getrusage(RUSAGE_SELF, &ru);
    json_t *out = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:f, s:f, s:f}", "image", argv[1], "size", size, "preset",
                            opts.preset, "shadow_type", opts.shadow_type, "format", "jpeg", "iterations", iters,
                            "coverage", coverage, "peak_rss_mb", ru.ru_maxrss / 1024.0, "cpu_s_per_call",
                            iters > 0 ? (cpu_seconds(&ru) - cpu0) / iters : 0.0);
    json_t *times = bu_series_json(&series);
    json_object_update(out, times);
    json_decref(times);
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", s);
    free(s);
    json_decref(out);
    free(buf);
    sb_studio_close(studio);
    return 0;
}
