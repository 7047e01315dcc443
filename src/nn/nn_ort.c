/* nn_ort.c - nn.h over the ONNX Runtime C API (libonnxruntime.so.1 from the npm package onnxruntime-node,
 * headers from shared/vendor/onnxruntime; see scripts/onnxruntime.sh and docs/internals/nn.md). */
#include "nn/nn.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <onnxruntime_c_api.h>

#include "util/log.h"

struct sb_net {
    OrtSession *session;
    char *input_name; /* the net's first (and, for every strobe net, only) input */
    bool shrink_arena; /* run with shrink_options: neither SB_NET_HOLD_ARENA nor SB_NET_NO_ARENA (no arena to shrink) */
};

static const OrtApi *ort;
static OrtEnv *env;
static OrtMemoryInfo *cpu_info;
/* Run options that give a net's arena back to the heap at the end of each pass (nn.h, SB_NET_HOLD_ARENA). */
static OrtRunOptions *shrink_options;
static char init_error[256];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_int intra_threads = 0; /* 0: one per online core */

/* Copy an OrtStatus's message into `e` (prefixed with what was being done), release the status and return
 * `code`. */
static sb_err from_status(OrtStatus *st, sb_err code, sb_error_t *e, const char *what)
{
    sb_err err = sb_error_set(e, code, "", "%s: %s", what, ort->GetErrorMessage(st));
    ort->ReleaseStatus(st);
    /* ONNX Runtime's messages span lines; ours end up in JSON logs and answers as one line. */
    for (char *p = e ? e->message : NULL; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return err;
}

/* ONNX Runtime's own log lines (errors and worse) as JSON lines of util/log.h. */
static void ORT_API_CALL ort_log(void *param, OrtLoggingLevel severity, const char *category, const char *logid,
                                 const char *code_location, const char *message)
{
    (void)param;
    (void)logid;
    sb_log(severity >= ORT_LOGGING_LEVEL_ERROR ? SB_LOG_ERROR : SB_LOG_WARN, message,
           json_pack("{s:s, s:o, s:o}", "source", "onnxruntime", "category", sb_log_str(category), "where",
                     sb_log_str(code_location)));
}

static void init(void)
{
    const OrtApiBase *base = OrtGetApiBase();
    ort = base ? base->GetApi(ORT_API_VERSION) : NULL;
    if (!ort) {
        snprintf(init_error, sizeof init_error, "ONNX Runtime %s does not serve C API version %d",
                 base ? base->GetVersionString() : "?", ORT_API_VERSION);
        return;
    }
    OrtStatus *st = ort->CreateEnvWithCustomLogger(ort_log, NULL, ORT_LOGGING_LEVEL_ERROR, "strobe", &env);
    if (!st)
        st = ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &cpu_info);
    if (!st)
        st = ort->CreateRunOptions(&shrink_options);
    if (!st && shrink_options)
        st = ort->AddRunConfigEntry(shrink_options, "memory.enable_memory_arena_shrinkage", "cpu:0");
    if (st) {
        snprintf(init_error, sizeof init_error, "ONNX Runtime start-up failed: %s", ort->GetErrorMessage(st));
        ort->ReleaseStatus(st);
        ort = NULL;
    }
}

/* The API table, set up once per process; SB_ERR_INTERNAL when the library cannot start. */
static sb_err api(sb_error_t *e)
{
    pthread_once(&init_once, init);
    return ort ? SB_OK : sb_error_set(e, SB_ERR_INTERNAL, "", "%s", init_error);
}

void sb_nn_no_telemetry(void)
{
    setenv("ORT_DISABLE_TELEMETRY", "1", 0);
}

const char *sb_nn_version(void)
{
    const OrtApiBase *base = OrtGetApiBase();
    return base ? base->GetVersionString() : "unknown";
}

void sb_nn_set_threads(int n)
{
    atomic_store(&intra_threads, n < 1 ? 1 : n > 64 ? 64 : n);
}

int sb_nn_threads(void)
{
    int n = atomic_load(&intra_threads);
    if (n > 0)
        return n;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
}

long sb_tensor_count(const sb_tensor_t *t)
{
    long n = 1;
    for (int i = 0; i < t->ndims; i++)
        n *= t->dims[i];
    return n;
}

void sb_tensor_free(sb_tensor_t *t)
{
    if (!t)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* Session options: sb_nn_threads() threads inside one Run, none spinning while idle (spinning threads take
 * the CPU the other stages and workers need), and every graph optimisation, or for SB_NET_LEAN the basic ones
 * or no memory kept between runs (see nn.h). */
static OrtStatus *make_options(unsigned flags, OrtSessionOptions **out)
{
    OrtSessionOptions *o = NULL;
    OrtStatus *st = ort->CreateSessionOptions(&o);
    if (!st)
        st = ort->SetIntraOpNumThreads(o, sb_nn_threads());
    if (!st)
        st = ort->SetInterOpNumThreads(o, 1);
    if (!st)
        st = ort->SetSessionExecutionMode(o, ORT_SEQUENTIAL);
    if (!st)
        st = ort->SetSessionGraphOptimizationLevel(o, flags & SB_NET_BASIC_OPT ? ORT_ENABLE_BASIC : ORT_ENABLE_ALL);
    if (!st && (flags & SB_NET_NO_ARENA))
        st = ort->DisableCpuMemArena(o);
    if (!st && (flags & SB_NET_NO_MEM_PATTERN))
        st = ort->DisableMemPattern(o);
    if (!st)
        st = ort->AddSessionConfigEntry(o, "session.intra_op.allow_spinning", "0");
    if (!st)
        st = ort->AddSessionConfigEntry(o, "session.inter_op.allow_spinning", "0");
    if (st) {
        if (o)
            ort->ReleaseSessionOptions(o);
        return st;
    }
    *out = o;
    return NULL;
}

sb_err sb_net_open(const char *path, unsigned flags, sb_net_t **out, sb_error_t *e)
{
    *out = NULL;
    if (!path)
        return sb_error_set(e, SB_ERR_USAGE, "path", "no model path given");
    sb_err err = api(e);
    if (err)
        return err;
    sb_net_t *n = calloc(1, sizeof *n);
    if (!n)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a net");
    OrtSessionOptions *opts = NULL;
    OrtAllocator *alloc = NULL;
    char *name = NULL;
    n->shrink_arena = !(flags & (SB_NET_HOLD_ARENA | SB_NET_NO_ARENA));
    OrtStatus *st = make_options(flags, &opts);
    if (!st)
        st = ort->CreateSession(env, path, opts, &n->session);
    if (st) {
        char what[300];
        snprintf(what, sizeof what, "cannot load '%s'", path);
        err = from_status(st, SB_ERR_MODEL_INVALID, e, what);
        goto fail;
    }
    st = ort->GetAllocatorWithDefaultOptions(&alloc);
    if (!st)
        st = ort->SessionGetInputName(n->session, 0, alloc, &name);
    if (st) {
        err = from_status(st, SB_ERR_MODEL_INVALID, e, "cannot read the net's input name");
        goto fail;
    }
    n->input_name = strdup(name);
    st = ort->AllocatorFree(alloc, name);
    if (st)
        ort->ReleaseStatus(st);
    if (!n->input_name) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a net");
        goto fail;
    }
    ort->ReleaseSessionOptions(opts);
    *out = n;
    return SB_OK;
fail:
    if (opts)
        ort->ReleaseSessionOptions(opts);
    sb_net_close(n);
    return err;
}

/* Copy one output value into a fresh float32 tensor named `name` (for messages). */
static sb_err to_tensor(OrtValue *v, const char *name, sb_tensor_t *t, sb_error_t *e)
{
    OrtTensorTypeAndShapeInfo *info = NULL;
    OrtStatus *st = ort->GetTensorTypeAndShape(v, &info);
    if (st)
        return from_status(st, SB_ERR_INTERNAL, e, "cannot read an output's shape");
    ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    size_t ndims = 0, count = 0;
    int64_t dims[8] = {0};
    sb_err err = SB_OK;
    st = ort->GetTensorElementType(info, &type);
    if (!st)
        st = ort->GetDimensionsCount(info, &ndims);
    if (!st && ndims <= 8)
        st = ort->GetDimensions(info, dims, ndims);
    if (!st)
        st = ort->GetTensorShapeElementCount(info, &count);
    ort->ReleaseTensorTypeAndShapeInfo(info);
    if (st)
        return from_status(st, SB_ERR_INTERNAL, e, "cannot read an output's shape");
    if (type != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "output '%s' is not float32 (ONNX type %d)", name, (int)type);
    if (ndims < 1 || ndims > 4)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "output '%s' has %zu dims (1 to 4 supported)", name, ndims);
    void *src = NULL;
    st = ort->GetTensorMutableData(v, &src);
    if (st)
        return from_status(st, SB_ERR_INTERNAL, e, "cannot read an output");
    t->data = malloc(count ? count * sizeof(float) : 1);
    if (!t->data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory copying output '%s'", name);
    if (count)
        memcpy(t->data, src, count * sizeof(float));
    t->ndims = (int)ndims;
    for (size_t i = 0; i < 4; i++)
        t->dims[i] = i < ndims ? (int)dims[i] : 0;
    return err;
}

sb_err sb_net_forward(sb_net_t *net, const sb_tensor_t *input, const char *const *output_names, int n_outputs,
                      sb_tensor_t *outputs, sb_error_t *e)
{
    if (!net || !input || !input->data || input->ndims < 1 || input->ndims > 4 || n_outputs < 1 ||
        n_outputs > SB_NET_OUTPUTS_MAX || !output_names || !outputs)
        return sb_error_set(e, SB_ERR_USAGE, "", "bad arguments to sb_net_forward");
    int64_t shape[4];
    for (int i = 0; i < input->ndims; i++) {
        if (input->dims[i] < 1)
            return sb_error_set(e, SB_ERR_USAGE, "", "input dim %d is %d", i, input->dims[i]);
        shape[i] = input->dims[i];
    }
    memset(outputs, 0, sizeof *outputs * n_outputs);

    /* The input tensor wraps the caller's buffer (no copy); ONNX Runtime only reads it. */
    OrtValue *in = NULL, *outs[SB_NET_OUTPUTS_MAX] = {0};
    sb_err err = SB_OK;
    OrtStatus *st = ort->CreateTensorWithDataAsOrtValue(cpu_info, input->data,
                                                        (size_t)sb_tensor_count(input) * sizeof(float), shape,
                                                        (size_t)input->ndims,
                                                        ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, &in);
    if (st) {
        err = from_status(st, SB_ERR_INTERNAL, e, "cannot wrap the input");
        goto done;
    }
    const char *in_names[1] = {net->input_name};
    st = ort->Run(net->session, net->shrink_arena ? shrink_options : NULL, in_names, (const OrtValue *const *)&in, 1, output_names, (size_t)n_outputs,
                  outs);
    if (st) {
        err = from_status(st, SB_ERR_INTERNAL, e, "forward pass failed");
        goto done;
    }
    for (int i = 0; !err && i < n_outputs; i++)
        err = to_tensor(outs[i], output_names[i], &outputs[i], e);
done:
    for (int i = 0; i < n_outputs; i++)
        if (outs[i])
            ort->ReleaseValue(outs[i]);
    if (in)
        ort->ReleaseValue(in);
    if (err)
        for (int i = 0; i < n_outputs; i++)
            sb_tensor_free(&outputs[i]);
    return err;
}

void sb_net_close(sb_net_t *net)
{
    if (!net)
        return;
    if (net->session)
        ort->ReleaseSession(net->session);
    free(net->input_name);
    free(net);
}
