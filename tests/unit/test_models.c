/* test_models.c - the model registry (resolve, sha256, errors) and the nn layer over ONNX Runtime. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/models.h"
#include "nn/nn.h"
#include "testutil.h"

static const char *const yunet_outputs[12] = {
    "cls_8", "cls_16", "cls_32", "obj_8", "obj_16", "obj_32",
    "bbox_8", "bbox_16", "bbox_32", "kps_8", "kps_16", "kps_32",
};

/* Point $STROBE_MODELS at the shared models (skipping the test without them) and resolve `id`. */
static void resolve_shared_or_skip(sb_model_id id, char *path, size_t path_size)
{
    char root[PATH_MAX];
    TU_SHARED_PATH_OR_SKIP(root, "models");
    cr_assert_eq(setenv("STROBE_MODELS", root, 1), 0);
    sb_error_t e = {0};
    cr_assert_eq(sb_model_resolve(id, path, path_size, &e), SB_OK, "%s", e.message);
}

static void make_temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "%s/strobe-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s: %s", path, strerror(errno));
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    cr_assert_not_null(in, "cannot open %s: %s", from, strerror(errno));
    FILE *out = fopen(to, "wb");
    cr_assert_not_null(out, "cannot create %s: %s", to, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        cr_assert_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    cr_assert_eq(fclose(out), 0);
}

/* XOR one byte of a file in place (applying it twice restores the file). */
static void flip_byte(const char *path, long offset)
{
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, offset, SEEK_SET), 0);
    int c = fgetc(f);
    cr_assert_neq(c, EOF);
    cr_assert_eq(fseek(f, offset, SEEK_SET), 0);
    cr_assert_neq(fputc(c ^ 0xff, f), EOF);
    cr_assert_eq(fclose(f), 0);
}

static sb_tensor_t zeros(int c, int h, int w)
{
    sb_tensor_t t = {4, {1, c, h, w}, calloc((size_t)c * h * w, sizeof(float))};
    cr_assert_not_null(t.data);
    return t;
}

/* ---- registry ---- */

Test(models, info_is_complete)
{
    for (int id = 0; id < SB_MODEL__COUNT; id++) {
        const sb_model_info_t *m = sb_model_info(id);
        cr_assert_not_null(m, "model id %d has no entry", id);
        cr_assert(m->name && *m->name && m->relpath && *m->relpath && m->license && *m->license);
        cr_assert_eq(strlen(m->sha256), 64, "%s: sha256 is not 64 hex digits", m->name);
        cr_assert_eq(strspn(m->sha256, "0123456789abcdef"), 64, "%s: sha256 is not lowercase hex", m->name);
        for (int j = 0; j < id; j++)
            cr_assert_str_neq(sb_model_info(j)->name, m->name, "duplicate model name %s", m->name);
    }
    cr_assert_str_eq(sb_model_info(SB_MODEL_YUNET)->name, "yunet_2023mar");
    cr_assert_null(sb_model_info(SB_MODEL__COUNT));
    cr_assert_null(sb_model_info(-1));
}

Test(models, every_entry_resolves_and_verifies_in_shared)
{
    char root[PATH_MAX];
    TU_SHARED_PATH_OR_SKIP(root, "models");
    cr_assert_eq(setenv("STROBE_MODELS", root, 1), 0);
    for (int id = 0; id < SB_MODEL__COUNT; id++) {
        const sb_model_info_t *m = sb_model_info(id);
        char path[PATH_MAX], expect[PATH_MAX * 2];
        sb_error_t e = {0};
        cr_assert_eq(sb_model_resolve(id, path, sizeof path, &e), SB_OK, "%s: %s", m->name, e.message);
        snprintf(expect, sizeof expect, "%s/%s", root, m->relpath);
        cr_assert_str_eq(path, expect);
        /* the second call is answered from the cache and must agree */
        cr_assert_eq(sb_model_resolve(id, path, sizeof path, &e), SB_OK, "%s: %s", m->name, e.message);
        cr_assert_str_eq(path, expect);
    }
}

Test(models, usage_errors)
{
    char path[PATH_MAX], tiny[8];
    sb_error_t e = {0};
    cr_assert_eq(sb_model_resolve(SB_MODEL__COUNT, path, sizeof path, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_model_resolve(SB_MODEL_YUNET, tiny, sizeof tiny, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "yunet_2023mar");
    cr_assert_eq(sb_model_resolve(SB_MODEL_YUNET, NULL, 0, &e), SB_ERR_USAGE);
}

Test(models, corrupted_file_is_invalid_and_a_repaired_one_is_picked_up)
{
    char shared[PATH_MAX], dir[PATH_MAX], sub[PATH_MAX + 32], copy[PATH_MAX * 2], path[PATH_MAX * 2];
    const sb_model_info_t *m = sb_model_info(SB_MODEL_YUNET);
    TU_SHARED_PATH_OR_SKIP(shared, "models/face_detect/yunet_2023mar_s_640x640.onnx");
    make_temp_dir(dir, sizeof dir);
    snprintf(sub, sizeof sub, "%s/face_detect", dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    snprintf(copy, sizeof copy, "%s/%s", dir, m->relpath);
    copy_file(shared, copy);
    flip_byte(copy, 1000);
    cr_assert_eq(setenv("STROBE_MODELS", dir, 1), 0);

    sb_error_t e = {0};
    cr_assert_eq(sb_model_resolve(SB_MODEL_YUNET, path, sizeof path, &e), SB_ERR_MODEL_INVALID, "%s",
                 e.message);
    cr_assert_eq(e.code, SB_ERR_MODEL_INVALID);
    cr_assert_str_eq(e.field, "yunet_2023mar");
    cr_assert_not_null(strstr(e.message, "yunet_2023mar"), "%s", e.message);
    cr_assert_not_null(strstr(e.message, m->sha256), "expected hash missing: %s", e.message);

    /* failures are not cached: the repaired file verifies without a restart */
    flip_byte(copy, 1000);
    cr_assert_eq(sb_model_resolve(SB_MODEL_YUNET, path, sizeof path, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(path, copy);

    unlink(copy);
    rmdir(sub);
    rmdir(dir);
}

Test(models, absent_file_is_missing)
{
    char dir[PATH_MAX], work[PATH_MAX + 16], path[PATH_MAX];
    make_temp_dir(dir, sizeof dir);
    /* run from dir/a/b so that neither ./models nor ../shared/models exists */
    snprintf(work, sizeof work, "%s/a", dir);
    cr_assert_eq(mkdir(work, 0700), 0);
    snprintf(work, sizeof work, "%s/a/b", dir);
    cr_assert_eq(mkdir(work, 0700), 0);
    cr_assert_eq(chdir(work), 0);
    cr_assert_eq(setenv("STROBE_MODELS", dir, 1), 0);

    sb_error_t e = {0};
    cr_assert_eq(sb_model_resolve(SB_MODEL_YUNET, path, sizeof path, &e), SB_ERR_MODEL_MISSING, "%s",
                 e.message);
    cr_assert_eq(e.code, SB_ERR_MODEL_MISSING);
    cr_assert_str_eq(e.field, "yunet_2023mar");
    cr_assert_not_null(strstr(e.message, "'yunet_2023mar'"), "%s", e.message);
    cr_assert_not_null(strstr(e.message, "face_detect/yunet_2023mar_s_640x640.onnx"), "%s", e.message);
    cr_assert_not_null(strstr(e.message, "../shared/models"), "%s", e.message);

    cr_assert_eq(unsetenv("STROBE_MODELS"), 0);
    cr_assert_eq(sb_model_resolve(SB_MODEL_SELFIE_SEG, path, sizeof path, &e), SB_ERR_MODEL_MISSING);
    cr_assert_str_eq(e.field, "selfie_seg");

    rmdir(work);
    snprintf(work, sizeof work, "%s/a", dir);
    rmdir(work);
    rmdir(dir);
}

/* ---- sha256 ---- */

Test(sha256, known_values)
{
    char dir[PATH_MAX], file[PATH_MAX + 16], hex[65];
    sb_error_t e = {0};
    make_temp_dir(dir, sizeof dir);
    snprintf(file, sizeof file, "%s/abc", dir);
    write_file(file, "abc", 3);
    cr_assert_eq(sb_sha256_file(file, hex, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

    write_file(file, "", 0);
    cr_assert_eq(sb_sha256_file(file, hex, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

    /* 2.5 MiB of 'a' spans several 1 MiB chunks */
    size_t len = 5u << 19;
    char *big = malloc(len);
    cr_assert_not_null(big);
    memset(big, 'a', len);
    write_file(file, big, len);
    free(big);
    cr_assert_eq(sb_sha256_file(file, hex, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(hex, "b19fda75b6c96f0cd6a27a6c371352dbe76e5a5f4ac1a10fb1352df725eb04be");

    unlink(file);
    rmdir(dir);
    cr_assert_eq(sb_sha256_file(file, hex, &e), SB_ERR_IO);
    cr_assert_not_null(strstr(e.message, file), "%s", e.message);
}

/* ---- nn ---- */

Test(nn, tensor_helpers)
{
    sb_tensor_t t = zeros(3, 4, 5);
    cr_assert_eq(sb_tensor_count(&t), 60);
    sb_tensor_free(&t);
    cr_assert_null(t.data);
    cr_assert_eq(t.ndims, 0);
    sb_tensor_free(NULL);
    sb_net_close(NULL);
}

Test(nn, garbage_files_are_invalid_and_the_process_goes_on)
{
    char dir[PATH_MAX], file[PATH_MAX + 16];
    static const char junk[] = "\x08\x01\x12\x04junk this is not a protobuf \xff\xfe\x00\x01 at all";
    static const char *const names[] = {"garbage.onnx", "empty.onnx", "garbage.pb", "garbage.bin"};
    make_temp_dir(dir, sizeof dir);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(file, sizeof file, "%s/%s", dir, names[i]);
        write_file(file, junk, strcmp(names[i], "empty.onnx") ? sizeof junk : 0);
        sb_net_t *net = NULL;
        sb_error_t e = {0};
        cr_assert_eq(sb_net_open(file, 0, &net, &e), SB_ERR_MODEL_INVALID, "%s: %s", names[i], e.message);
        cr_assert_null(net);
        cr_assert_not_null(strstr(e.message, names[i]), "%s", e.message);
        unlink(file);
    }
    rmdir(dir);

    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open("/nonexistent/model.onnx", 0, &net, &e), SB_ERR_MODEL_INVALID);

    /* after all that, a real net still loads and runs when the shared models are there */
    char path[PATH_MAX], shared[PATH_MAX];
    snprintf(shared, sizeof shared, "%s/models", tu_shared_dir());
    if (access(shared, R_OK) != 0)
        return;
    resolve_shared_or_skip(SB_MODEL_YUNET, path, sizeof path);
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);
    sb_tensor_t in = zeros(3, 640, 640), out[12];
    cr_assert_eq(sb_net_forward(net, &in, yunet_outputs, 12, out, &e), SB_OK, "%s", e.message);
    for (int i = 0; i < 12; i++)
        sb_tensor_free(&out[i]);
    sb_tensor_free(&in);
    sb_net_close(net);
}

Test(nn, yunet_forward_shapes)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_YUNET, path, sizeof path);
    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);

    int h = 640, w = 640;
    sb_tensor_t in = zeros(3, h, w), out[12];
    cr_assert_eq(sb_net_forward(net, &in, yunet_outputs, 12, out, &e), SB_OK, "%s", e.message);
    for (int i = 0; i < 12; i++) {
        int stride = 8 << (i % 3), cols = i < 6 ? 1 : i < 9 ? 4 : 10;
        int rows = (h / stride) * (w / stride);
        const sb_tensor_t *t = &out[i];
        cr_assert_eq(t->ndims, 3, "%s: %d dims", yunet_outputs[i], t->ndims);
        cr_assert_eq(t->dims[0], 1, "%s", yunet_outputs[i]);
        cr_assert_eq(t->dims[1], rows, "%s: %d rows, want %d", yunet_outputs[i], t->dims[1], rows);
        cr_assert_eq(t->dims[2], cols, "%s: %d cols, want %d", yunet_outputs[i], t->dims[2], cols);
        cr_assert_not_null(t->data);
    }
    cr_assert_eq(out[0].dims[1], 6400); /* cls_8 at 640x640: 80*80 */
    for (int i = 0; i < 12; i++)
        sb_tensor_free(&out[i]);
    sb_tensor_free(&in);

    /* The graph fixes its input at 640x640: another size is a clear, one-line error, and the net goes on. */
    sb_tensor_t small = zeros(3, 320, 320);
    cr_assert_eq(sb_net_forward(net, &small, yunet_outputs, 12, out, &e), SB_ERR_INTERNAL);
    cr_assert_not_null(strstr(e.message, "640"), "%s", e.message);
    cr_assert_null(strchr(e.message, '\n'), "%s", e.message);
    sb_tensor_free(&small);
    sb_net_close(net);
}

Test(nn, symbolic_sizes_follow_the_input)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_CARTOON_HOSODA, path, sizeof path);
    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);
    /* the same session must follow a change of input size between calls (CartoonGAN Hosoda's H and W are
     * symbolic) */
    static const int sizes[][2] = {{64, 64}, {96, 128}, {64, 64}};
    const char *const name[] = {"output"};
    for (int s = 0; s < 3; s++) {
        sb_tensor_t in = zeros(3, sizes[s][0], sizes[s][1]), out;
        cr_assert_eq(sb_net_forward(net, &in, name, 1, &out, &e), SB_OK, "%s", e.message);
        cr_assert_eq(out.ndims, 4);
        cr_assert_eq(out.dims[1], 3);
        cr_assert_eq(out.dims[2], sizes[s][0]);
        cr_assert_eq(out.dims[3], sizes[s][1]);
        sb_tensor_free(&out);
        sb_tensor_free(&in);
    }
    sb_net_close(net);
}

Test(nn, selfie_seg_forward_shape)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_SELFIE_SEG, path, sizeof path);
    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);
    sb_tensor_t in = zeros(3, 256, 256), out;
    const char *const name[] = {"mask"};
    cr_assert_eq(sb_net_forward(net, &in, name, 1, &out, &e), SB_OK, "%s", e.message);
    cr_assert_eq(out.ndims, 4);
    cr_assert_eq(out.dims[0], 1);
    cr_assert_eq(out.dims[1], 1);
    cr_assert_eq(out.dims[2], 256);
    cr_assert_eq(out.dims[3], 256);
    for (long i = 0; i < sb_tensor_count(&out); i++)
        cr_assert(out.data[i] >= 0.0f && out.data[i] <= 1.0f, "mask[%ld] = %g is not a probability", i,
                  out.data[i]);
    sb_tensor_free(&out);
    sb_tensor_free(&in);
    sb_net_close(net);
}

Test(nn, bad_output_name_and_bad_input_are_errors)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_SELFIE_SEG, path, sizeof path);
    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);
    sb_tensor_t in = zeros(3, 256, 256), out[2] = {{0}};
    const char *const names[] = {"mask", "no_such_output"};
    cr_assert_eq(sb_net_forward(net, &in, names, 2, out, &e), SB_ERR_INTERNAL);
    cr_assert_neq(e.message[0], '\0');
    cr_assert_null(out[0].data, "an output was left allocated after a failure");
    cr_assert_null(out[1].data);

    sb_tensor_t wrong = zeros(3, 100, 100);
    cr_assert_eq(sb_net_forward(net, &wrong, names, 1, out, &e), SB_ERR_INTERNAL);
    cr_assert_null(strchr(e.message, '\n'), "message is not one line: %s", e.message);
    cr_assert_null(out[0].data);
    sb_tensor_free(&wrong);

    sb_tensor_t empty = {4, {1, 3, 256, 256}, NULL};
    cr_assert_eq(sb_net_forward(net, &empty, names, 1, out, &e), SB_ERR_USAGE);

    /* the net still works after the failures */
    cr_assert_eq(sb_net_forward(net, &in, names, 1, out, &e), SB_OK, "%s", e.message);
    cr_assert_eq(out[0].dims[3], 256);
    sb_tensor_free(&out[0]);
    sb_tensor_free(&in);
    sb_net_close(net);
}

/* ---- threads ---- */

enum { RUNS_PER_THREAD = 8 };

typedef struct {
    sb_net_t *net;
    const sb_tensor_t *in;
    sb_tensor_t out[RUNS_PER_THREAD][12];
    sb_err err;
    sb_error_t e;
} job_t;

static void *run_yunet(void *arg)
{
    job_t *j = arg;
    for (int r = 0; !j->err && r < RUNS_PER_THREAD; r++)
        j->err = sb_net_forward(j->net, j->in, yunet_outputs, 12, j->out[r], &j->e);
    return NULL;
}

/* A deterministic, non-trivial image so that every output carries signal. */
static sb_tensor_t pattern(int h, int w)
{
    sb_tensor_t t = zeros(3, h, w);
    for (long i = 0; i < sb_tensor_count(&t); i++)
        t.data[i] = (float)((i * 2654435761u >> 7) % 256);
    return t;
}

static void assert_same(const sb_tensor_t *a, const sb_tensor_t *b, const char *what)
{
    cr_assert_eq(a->ndims, b->ndims, "%s", what);
    cr_assert_arr_eq(a->dims, b->dims, sizeof a->dims, "%s", what);
    cr_assert_arr_eq(a->data, b->data, sizeof(float) * sb_tensor_count(a), "%s differs", what);
}

Test(nn, one_net_on_two_threads_at_once_matches_a_single_thread)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_YUNET, path, sizeof path);
    sb_nn_set_threads(1); /* the server's setting: one intra-op thread per worker */
    sb_net_t *net = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_net_open(path, 0, &net, &e), SB_OK, "%s", e.message);
    sb_tensor_t in = pattern(640, 640);

    job_t *ref = calloc(1, sizeof *ref), *jobs = calloc(2, sizeof *jobs);
    cr_assert(ref && jobs);
    *ref = (job_t){.net = net, .in = &in};
    run_yunet(ref);
    cr_assert_eq(ref->err, SB_OK, "%s", ref->e.message);

    pthread_t th[2];
    for (int k = 0; k < 2; k++) {
        jobs[k] = (job_t){.net = net, .in = &in};
        cr_assert_eq(pthread_create(&th[k], NULL, run_yunet, &jobs[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        cr_assert_eq(pthread_join(th[k], NULL), 0);

    for (int k = 0; k < 2; k++) {
        cr_assert_eq(jobs[k].err, SB_OK, "thread %d: %s", k, jobs[k].e.message);
        for (int r = 0; r < RUNS_PER_THREAD; r++)
            for (int i = 0; i < 12; i++) {
                char what[64];
                snprintf(what, sizeof what, "thread %d run %d %s", k, r, yunet_outputs[i]);
                assert_same(&ref->out[0][i], &jobs[k].out[r][i], what);
                sb_tensor_free(&jobs[k].out[r][i]);
            }
    }
    for (int r = 0; r < RUNS_PER_THREAD; r++)
        for (int i = 0; i < 12; i++)
            sb_tensor_free(&ref->out[r][i]);
    free(ref);
    free(jobs);
    sb_tensor_free(&in);
    sb_net_close(net);
}

Test(nn, the_session_of_a_model_is_one_per_process)
{
    char path[PATH_MAX];
    resolve_shared_or_skip(SB_MODEL_SELFIE_SEG, path, sizeof path);
    sb_net_t *a = NULL, *b = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_model_session(SB_MODEL_SELFIE_SEG, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_model_session(SB_MODEL_SELFIE_SEG, &b, &e), SB_OK, "%s", e.message);
    cr_assert_not_null(a);
    cr_assert_eq(a, b, "two calls gave two sessions");
    cr_assert_eq(sb_model_session(SB_MODEL__COUNT, &a, &e), SB_ERR_USAGE);
    cr_assert_null(a);
    sb_model_sessions_close();
    cr_assert_eq(sb_model_session(SB_MODEL_SELFIE_SEG, &a, &e), SB_OK, "%s", e.message);
    cr_assert_not_null(a);
    sb_model_sessions_close();
}
