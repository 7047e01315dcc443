/* nn.c - every net alone on ONNX Runtime: session creation time (sha256 check included) and forward-pass
 * p50 at 1 and 2 intra-op threads, and two threads running the same session at once (the server's case).
 * Inputs are a fixed pseudo-random pattern at each net's input size (the time does not depend on content).
 * Run with the programs' heap policy (util/heap.h). usage: build/bench/nn [ITER]   prints one JSON object. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchutil.h"
#include "nn/models.h"
#include "nn/nn.h"

typedef struct {
    sb_model_id id;
    int h, w, n_out;
    const char *outs[12];
} net_spec_t;

static const net_spec_t nets[] = {
    {SB_MODEL_YUNET, 640, 640, 12, {"cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32", "bbox_8", "bbox_16",
                                    "bbox_32", "kps_8", "kps_16", "kps_32"}},
    {SB_MODEL_SELFIE_SEG, 256, 256, 1, {"mask"}},
    {SB_MODEL_MOBILEFACENET, 112, 112, 1, {"output"}},
    {SB_MODEL_U2NETP, 320, 320, 1, {"1959"}},
    {SB_MODEL_NSFW, 224, 224, 1, {"probs"}},
    {SB_MODEL_FACEMESH, 192, 192, 2, {"mesh", "faceflag"}},
    {SB_MODEL_CARTOON_HOSODA, 256, 256, 1, {"output"}},
    {SB_MODEL_CARTOON_HAYAO, 512, 512, 1, {"output"}},
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct {
    sb_net_t *net;
    const net_spec_t *spec;
    sb_tensor_t *in;
    int iter;
    double ms[BU_MAX_ITER];
    sb_err err;
} run_t;

static void *run(void *arg)
{
    run_t *r = arg;
    sb_error_t e = {0};
    for (int i = 0; i < r->iter && !r->err; i++) {
        sb_tensor_t out[12];
        double t0 = now_ms();
        r->err = sb_net_forward(r->net, r->in, r->spec->outs, r->spec->n_out, out, &e);
        r->ms[i] = now_ms() - t0;
        for (int k = 0; !r->err && k < r->spec->n_out; k++)
            sb_tensor_free(&out[k]);
    }
    if (r->err)
        fprintf(stderr, "nn bench: %s\n", e.message);
    return NULL;
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h): an arena-less net's tensors reuse heap */
    int iter = argc > 1 ? atoi(argv[1]) : 10;
    iter = iter < 1 ? 1 : iter > BU_MAX_ITER ? BU_MAX_ITER : iter;
    json_t *report = json_object();
    sb_error_t e = {0};
    for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
        const net_spec_t *s = &nets[i];
        const sb_model_info_t *m = sb_model_info(s->id);
        sb_tensor_t in = {4, {1, 3, s->h, s->w}, malloc(sizeof(float) * 3 * s->h * s->w)};
        for (long k = 0; k < 3L * s->h * s->w; k++)
            in.data[k] = (float)((k * 2654435761u >> 9) % 256) / 255.0f;
        json_t *entry = json_pack("{s:s, s:i}", "input", "", "side", s->w);
        char shape[32];
        snprintf(shape, sizeof shape, "%dx%d", s->w, s->h);
        json_object_set_new(entry, "input", json_string(shape));
        for (int threads = 1; threads <= 2; threads++) {
            char path[4096];
            sb_net_t *net = NULL;
            sb_nn_set_threads(threads);
            double t0 = now_ms();
            sb_err err = sb_model_resolve(s->id, path, sizeof path, &e);
            if (!err)
                err = sb_net_open(path, m->net_flags, &net, &e);
            double open_ms = now_ms() - t0;
            if (err) {
                fprintf(stderr, "nn bench: %s\n", e.message);
                return 1;
            }
            static run_t r[2];
            r[0] = (run_t){.net = net, .spec = s, .in = &in, .iter = iter};
            run(&r[0]); /* warm-up pass included: the first Run allocates */
            r[0] = (run_t){.net = net, .spec = s, .in = &in, .iter = iter};
            run(&r[0]);
            char key[32];
            snprintf(key, sizeof key, "threads_%d", threads);
            json_t *t = json_pack("{s:f, s:f, s:f}", "open_ms", open_ms, "p50_ms", bu_pct(r[0].ms, iter, 50),
                                  "min_ms", bu_pct(r[0].ms, iter, 0));
            if (threads == 1) {
                /* two workers on the same session at once, one intra-op thread each: the server's default */
                pthread_t th[2];
                for (int k = 0; k < 2; k++) {
                    r[k] = (run_t){.net = net, .spec = s, .in = &in, .iter = iter};
                    pthread_create(&th[k], NULL, run, &r[k]);
                }
                double w0 = now_ms();
                for (int k = 0; k < 2; k++)
                    pthread_join(th[k], NULL);
                double wall = now_ms() - w0;
                json_object_set_new(t, "two_runs_at_once_p50_ms", json_real(bu_pct(r[0].ms, iter, 50)));
                json_object_set_new(t, "two_runs_at_once_per_s", json_real(2.0 * iter / (wall / 1e3)));
            } else {
                json_object_set_new(t, "one_run_per_s", json_real(1e3 / bu_pct(r[0].ms, iter, 50)));
            }
            json_object_set_new(entry, key, t);
            sb_net_close(net);
        }
        json_object_set_new(report, m->name, entry);
        free(in.data);
    }
    char *txt = json_dumps(report, JSON_INDENT(1));
    puts(txt);
    free(txt);
    json_decref(report);
    return 0;
}
