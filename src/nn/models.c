/* models.c - the model registry (copied from shared/models/MANIFEST.md) and sha256 verification. */
#include "nn/models.h"
#include "nn/nn.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "util/random.h"

#define CHUNK (1 << 20)

static const sb_model_info_t registry[SB_MODEL__COUNT] = {
    [SB_MODEL_YUNET] = {"yunet_2023mar", "face_detect/yunet_2023mar_s_640x640.onnx",
                        "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4", "Apache-2.0"},
    [SB_MODEL_SELFIE_SEG] = {"selfie_seg", "portrait_matting/mediapipe_selfie_seg_256x256_ort.onnx",
                             "1c8461ffeffb4ea130cb58f415bd751de82ac083c7fc4a5a10d868661d1fd6f6",
                             "Apache-2.0"},
    [SB_MODEL_MOBILEFACENET] = {"mobilefacenet", "face_embed/mobilefacenet_foamliu_128d_ort.onnx",
                                "36ee3f5dc1894a3beea931cf02b2690379a3cfe92ecf53e22598486d2edff93b",
                                "Apache-2.0"},
    [SB_MODEL_U2NETP] = {"u2netp", "salient_object/u2netp_320.onnx",
                         "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8", "Apache-2.0",
                         SB_NET_NO_MEM_PATTERN | SB_NET_HOLD_ARENA},
    /* The CartoonGAN weights carry no license of their own; these are the licenses of the code. Hayao's
     * graph fixes its input at 512x512 (no symbolic-size form is shipped); Hosoda's takes any multiple of 4.
     * Both with basic graph optimisation (nn.h); Hosoda, the default anime, keeps its arena. */
    [SB_MODEL_CARTOON_HAYAO] = {"cartoongan_hayao", "anime_style/cartoongan_hayao.onnx",
                                "92e9070ebdec876684ccf1ca92d0f10ba74265fe2c2d62fea9e47edb58b8406a",
                                "MIT AND Apache-2.0", SB_NET_LEAN},
    [SB_MODEL_CARTOON_HOSODA] = {"cartoongan_hosoda", "anime_style/cartoongan_hosoda_ort.onnx",
                                 "622ca9dc8a26e546936ab99738c99c71d155fcd32aeb9c88f31f9c19ff0cb490",
                                 "MIT AND Apache-2.0", SB_NET_BASIC_OPT | SB_NET_NO_MEM_PATTERN | SB_NET_HOLD_ARENA},
    [SB_MODEL_NSFW] = {"nsfw_mobilenetv2", "safety/nsfwjs_mobilenetv2_224_ort.onnx",
                       "039a69859d8092471ed79c2a615cc56dba715cb83626083a2cd611b091e74b61", "MIT"},
    [SB_MODEL_FACEMESH] = {"facemesh", "landmarks/mediapipe_facemesh_192x192_cv46.onnx",
                           "247ab7752433144c173e3ba4b7ff4c1c43f4a9f8d9e98ccd889eb7c020926c81", "Apache-2.0"},
};

/* The path each model was last verified at. Only successes are kept, so a file that failed is
 * hashed again on the next resolve and a repaired file is picked up without a restart. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static char verified[SB_MODEL__COUNT][PATH_MAX];

const sb_model_info_t *sb_model_info(sb_model_id id)
{
    return ((int)id >= 0 && id < SB_MODEL__COUNT) ? &registry[id] : NULL;
}

sb_err sb_sha256_file(const char *path, char hex[65], sb_error_t *e)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return sb_error_set(e, SB_ERR_IO, "", "cannot open '%s': %s", path, strerror(errno));
    sb_err err = SB_OK;
    unsigned char *buf = malloc(CHUNK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!buf || !ctx) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory hashing '%s'", path);
        goto done;
    }
    if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "EVP_DigestInit_ex(sha256) failed");
        goto done;
    }
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) {
        if (!EVP_DigestUpdate(ctx, buf, n)) {
            err = sb_error_set(e, SB_ERR_INTERNAL, "", "EVP_DigestUpdate failed on '%s'", path);
            goto done;
        }
    }
    if (ferror(f)) {
        err = sb_error_set(e, SB_ERR_IO, "", "cannot read '%s': %s", path, strerror(errno));
        goto done;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_DigestFinal_ex(ctx, md, &md_len) || md_len != 32) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "EVP_DigestFinal_ex failed on '%s'", path);
        goto done;
    }
    sb_hex_encode(md, md_len, hex);
done:
    EVP_MD_CTX_free(ctx);
    free(buf);
    fclose(f);
    return err;
}

/* Check the file at `path` against the registry, hashing it only if it was not verified before. */
static sb_err verify(sb_model_id id, const char *path, sb_error_t *e)
{
    const sb_model_info_t *m = &registry[id];
    pthread_mutex_lock(&cache_lock);
    bool known = strcmp(verified[id], path) == 0;
    pthread_mutex_unlock(&cache_lock);
    if (known)
        return SB_OK;

    /* Hash outside the lock: a 44 MB model must not stall threads resolving other models. Two
     * threads may hash the same file at once; both get the same answer. */
    char hex[65];
    sb_error_t io;
    if (sb_sha256_file(path, hex, &io))
        return sb_error_set(e, SB_ERR_MODEL_INVALID, m->name, "model '%s': %s", m->name, io.message);
    if (strcmp(hex, m->sha256) != 0)
        /* The path goes last so that truncation of a long root never cuts the hashes. */
        return sb_error_set(e, SB_ERR_MODEL_INVALID, m->name,
                            "model '%s' fails its sha256 check: expected %s, got %s (%s)", m->name,
                            m->sha256, hex, path);

    pthread_mutex_lock(&cache_lock);
    snprintf(verified[id], sizeof verified[id], "%s", path);
    pthread_mutex_unlock(&cache_lock);
    return SB_OK;
}

/* The models folder of an installed copy, beside the executable: BINDIR/../share/strobe/models (what
 * `make install` lays out), from /proc/self/exe. False when the executable's path cannot be read. */
static bool installed_models(char *out, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    int len = snprintf(out, size, "%s/../share/strobe/models", exe);
    return len > 0 && (size_t)len < size;
}

sb_err sb_model_resolve(sb_model_id id, char *path, size_t path_size, sb_error_t *e)
{
    const sb_model_info_t *m = sb_model_info(id);
    if (!m)
        return sb_error_set(e, SB_ERR_USAGE, "model", "unknown model id %d", (int)id);
    if (!path || path_size == 0)
        return sb_error_set(e, SB_ERR_USAGE, m->name, "no buffer for the path of model '%s'", m->name);

    const char *env = getenv("STROBE_MODELS");
    char installed[PATH_MAX];
    const char *roots[4];
    int n_roots = 0;
    if (env && *env)
        roots[n_roots++] = env;
    roots[n_roots++] = "./models";
    roots[n_roots++] = "../shared/models";
    if (installed_models(installed, sizeof installed))
        roots[n_roots++] = installed;

    for (int i = 0; i < n_roots; i++) {
        int len = snprintf(path, path_size, "%s/%s", roots[i], m->relpath);
        if (len < 0 || (size_t)len >= path_size) {
            path[0] = '\0';
            return sb_error_set(e, SB_ERR_USAGE, m->name, "path buffer of %zu bytes too small for model '%s'",
                                path_size, m->name);
        }
        struct stat st;
        if (stat(path, &st) == 0)
            return verify(id, path, e);
    }
    path[0] = '\0';
    const char *last = n_roots == 4 ? roots[3] : "BINDIR/../share/strobe/models";
    if (env && *env)
        return sb_error_set(e, SB_ERR_MODEL_MISSING, m->name,
                            "model '%s' (%s) not found under $STROBE_MODELS (%s), ./models, ../shared/models, %s",
                            m->name, m->relpath, env, last);
    return sb_error_set(e, SB_ERR_MODEL_MISSING, m->name,
                        "model '%s' (%s) not found under ./models, ../shared/models, %s "
                        "($STROBE_MODELS is unset)",
                        m->name, m->relpath, last);
}

/* The process's one net per model: created on first use under its model's lock, kept until
 * sb_model_sessions_close. */
static pthread_mutex_t session_lock[SB_MODEL__COUNT] = {[0 ... SB_MODEL__COUNT - 1] = PTHREAD_MUTEX_INITIALIZER};
static sb_net_t *_Atomic sessions[SB_MODEL__COUNT];

sb_err sb_model_session(sb_model_id id, sb_net_t **out, sb_error_t *e)
{
    *out = NULL;
    if (!sb_model_info(id))
        return sb_error_set(e, SB_ERR_USAGE, "model", "unknown model id %d", (int)id);
    sb_net_t *net = atomic_load(&sessions[id]);
    if (net) {
        *out = net;
        return SB_OK;
    }
    pthread_mutex_lock(&session_lock[id]);
    sb_err err = SB_OK;
    net = atomic_load(&sessions[id]);
    if (!net) {
        char path[4096];
        err = sb_model_resolve(id, path, sizeof path, e);
        if (!err)
            err = sb_net_open(path, registry[id].net_flags, &net, e);
        if (!err)
            atomic_store(&sessions[id], net);
    }
    pthread_mutex_unlock(&session_lock[id]);
    *out = net;
    return err;
}

typedef struct {
    atomic_int next; /* the next model id to open */
    pthread_mutex_t mu;
    sb_error_t first; /* the first failure, by model order of discovery */
} open_all_t;

static void *open_some(void *arg)
{
    open_all_t *o = arg;
    for (int id; (id = atomic_fetch_add(&o->next, 1)) < SB_MODEL__COUNT;) {
        sb_net_t *net;
        sb_error_t e = {0};
        if (sb_model_session((sb_model_id)id, &net, &e)) {
            pthread_mutex_lock(&o->mu);
            if (!o->first.code)
                o->first = e;
            pthread_mutex_unlock(&o->mu);
        }
    }
    return NULL;
}

sb_err sb_model_sessions_open_all(int threads, sb_error_t *e)
{
    open_all_t o = {.mu = PTHREAD_MUTEX_INITIALIZER};
    pthread_t th[8];
    int n = threads < 1 ? 1 : threads > 8 ? 8 : threads, started = 0;
    for (; started < n - 1; started++)
        if (pthread_create(&th[started], NULL, open_some, &o))
            break;
    open_some(&o); /* the calling thread is one of them (and all of them if no thread could start) */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&o.mu);
    if (o.first.code && e)
        *e = o.first;
    return o.first.code;
}

void sb_model_sessions_close(void)
{
    for (int id = 0; id < SB_MODEL__COUNT; id++) {
        pthread_mutex_lock(&session_lock[id]);
        sb_net_close(atomic_exchange(&sessions[id], NULL));
        pthread_mutex_unlock(&session_lock[id]);
    }
}
