/* cartoon - timing of the CartoonGAN stage (sb_cartoon_apply at intensity 1) per net side and thread count.
 *
 * usage: cartoon IMAGE [ITERATIONS] [VARIANT] [OUTDIR]
 * IMAGE is the aligned face crop (e.g. the 800x800 PNG of `strobe headshot`). For 1 and 2 OpenCV threads
 * and net sides 192 to 384: one warm-up, then ITERATIONS timed runs (resize, net, resize back, blend).
 * Prints wall p50/min and process CPU p50 per case as one JSON object (on a shared machine, CPU time
 * divided by the threads is the better guess of the uncontended wall time); with OUTDIR, writes each side's result there as
 * VARIANT_SIDE.png for a look. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "image/io.h"
#include "nn/nn.h"
#include "render/cartoon.h"
#include "util/clock.h"

#define MAX_ITER 50

static const int sides[] = {192, 224, 256, 320, 384};
static const int threads[] = {1, 2};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "cartoon: %s: %s\n", what, e->message);
    exit(1);
}

static void save(const char *dir, const char *variant, int side, const sb_image_t *img)
{
    char path[4096];
    uint8_t *png;
    size_t len;
    sb_error_t e = {0};
    snprintf(path, sizeof path, "%s/%s_%d.png", dir, variant, side);
    if (sb_io_encode(img, SB_FMT_PNG, 0, &png, &len, &e) || sb_io_write_file(path, png, len, &e))
        die(path, &e);
    free(png);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: cartoon IMAGE [ITERATIONS] [hosoda|hayao] [OUTDIR]\n");
        return 2;
    }
    int iters = argc > 2 ? atoi(argv[2]) : 3;
    if (iters < 1 || iters > MAX_ITER)
        iters = 3;
    sb_cartoon_variant v = argc > 3 && !strcmp(argv[3], "hayao") ? SB_CARTOON_HAYAO : SB_CARTOON_HOSODA;
    const char *outdir = argc > 4 ? argv[4] : NULL;

    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    sb_image_t img;
    sb_cartoon_t *c;
    if (sb_io_init(argv[0], &e) || sb_io_read_file(argv[1], 1u << 30, &buf, &len, &e) ||
        sb_io_decode(buf, len, NULL, &img, NULL, &e) || sb_cartoon_open(v, &c, &e))
        die("start", &e);

    json_t *cases = json_array();
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        sb_nn_set_threads(threads[t]);
        for (size_t s = 0; s < sizeof sides / sizeof *sides; s++) {
            double ms[MAX_ITER], cpu[MAX_ITER];
            sb_image_t out;
            for (int i = -1; i < iters; i++) {
                int64_t t0 = sb_clock_us();
                double c0 = cpu_ms();
                if (sb_cartoon_apply(c, &img, sides[s], 1.0f, &out, &e))
                    die("apply", &e);
                if (i >= 0) {
                    ms[i] = (sb_clock_us() - t0) / 1000.0;
                    cpu[i] = cpu_ms() - c0;
                }
                if (outdir && i == -1 && t == 0)
                    save(outdir, sb_cartoon_variant_name(v), sides[s], &out);
                sb_image_free(&out);
            }
            qsort(ms, (size_t)iters, sizeof *ms, bu_cmp_double);
            qsort(cpu, (size_t)iters, sizeof *cpu, bu_cmp_double);
            int mid = (iters - 1) / 2;
            json_array_append_new(cases, json_pack("{s:i, s:i, s:f, s:f, s:f}", "threads", threads[t], "net_side",
                                                   sides[s], "p50_ms", ms[mid], "min_ms", ms[0], "cpu_p50_ms",
                                                   cpu[mid]));
            fprintf(stderr, "threads %d side %d: p50 %.0f ms, cpu %.0f ms\n", threads[t], sides[s], ms[mid], cpu[mid]);
        }
    }
    json_t *res = json_pack("{s:s, s:s, s:i, s:i, s:i, s:o}", "image", argv[1], "variant", sb_cartoon_variant_name(v),
                            "width", img.width, "height", img.height, "iterations", iters, "cases", cases);
    char *js = json_dumps(res, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", js);
    free(js);
    json_decref(res);
    sb_cartoon_close(c);
    sb_image_free(&img);
    free(buf);
    return 0;
}
