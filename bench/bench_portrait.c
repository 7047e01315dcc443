/* bench_portrait - in-process benchmark of portrait generation on one image.
 *
 * usage: bench_portrait IMAGE [ITERATIONS] [TEMPLATE]
 * With the built-in TEMPLATE's prompt and seed (default corporate-headshot) at 768x1024: 2 warm-up
 * calls, then ITERATIONS timed calls of one sample interleaved with as many of four samples, so both
 * see the same machine load. Prints per-stage p50/p90 of each, and what making the four samples in one
 * call saves against four calls of one (the decode, detection, alignment, matte and reference embedding
 * are made once per call), as one JSON object. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "pipeline/templates.h"
#include "strobe.h"

#define MANY 4

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "bench_portrait: %s: %s\n", what, e->message);
    exit(1);
}

static void run(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_generate_opts_t *o, bu_series_t *s)
{
    sb_generate_result_t r;
    sb_error_t e = {0};
    if (sb_generate_portrait(studio, buf, len, o, &r, &e))
        die("generate", &e);
    if (s)
        bu_series_add(s, &r.detect.stages);
    sb_generate_result_free(&r);
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h) */
    if (argc < 2) {
        fprintf(stderr, "usage: bench_portrait IMAGE [ITERATIONS] [TEMPLATE]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 10;
    if (iters < 1 || iters > BU_MAX_ITER)
        iters = 10;
    const sb_template_t *t = sb_template_builtin(argc > 3 ? argv[3] : "corporate-headshot");
    if (!t) {
        fprintf(stderr, "bench_portrait: no built-in template '%s'\n", argv[3]);
        return 2;
    }
    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e) || sb_io_read_file(argv[1], 1u << 30, &buf, &len, &e))
        die("start", &e);

    sb_generate_opts_t one = SB_GENERATE_OPTS_DEFAULT, many;
    one.prompt = t->prompt;
    one.seed = t->seed;
    many = one;
    many.samples = MANY;
    run(studio, buf, len, &one, NULL);
    run(studio, buf, len, &many, NULL);
    static bu_series_t s1, s4;
    for (int i = 0; i < iters; i++) {
        run(studio, buf, len, &one, &s1);
        run(studio, buf, len, &many, &s4);
    }
    json_t *j1 = bu_series_json(&s1), *j4 = bu_series_json(&s4);
    double p1 = bu_pct(s1.total, (size_t)iters, 50), p4 = bu_pct(s4.total, (size_t)iters, 50);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:{s:f, s:f, s:f, s:f}, s:f}", "image",
                            argv[1], "template", t->name, "prompt", t->prompt, "seed", (json_int_t)t->seed, "width",
                            768, "height", 1024, "iterations", iters, "one_sample", j1, "four_samples", j4,
                            "reuse", "four_calls_of_one_p50_ms", MANY * p1, "one_call_of_four_p50_ms", p4, "saved_ms",
                            MANY * p1 - p4, "saved_fraction", (MANY * p1 - p4) / (MANY * p1), "peak_rss_mb",
                            ru.ru_maxrss / 1024.0);
    char *str = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", str);
    free(str);
    json_decref(out);
    free(buf);
    sb_studio_close(studio);
    return 0;
}
