/* models.c - the model registry (copied from shared/models/MANIFEST.md) and sha256 verification. */
#include "nn/models.h"
#include "nn/nn.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "util/random.h"

#define CHUNK (1 << 20)

static const sb_model_info_t registry[SB_MODEL__COUNT] = {
    [SB_MODEL_YUNET] = {"yunet_2023mar", "face_detect/yunet_2023mar_s_640x640.onnx",
                        "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4", "Apache-2.0"},
    [SB_MODEL_SELFIE_SEG] = {"selfie_seg", "portrait_matting/mediapipe_selfie_seg_256x256_cv46.onnx",
                             "29349eb1bd5612dce5d9af687b660f4c71971ba2659cff5244d8d5d359645a57",
                             "Apache-2.0"},
    [SB_MODEL_SINET] = {"sinet", "portrait_matting/sinet_portrait_320x320.onnx",
                        "f35b9e40a455248ddb53fcae605b7cb3f0fcebaa6aa7c6e4d76e928cfb0ce995", "MIT"},
    [SB_MODEL_MOBILEFACENET] = {"mobilefacenet", "face_embed/mobilefacenet_foamliu_128d_cv46.onnx",
                                "799592c61e70f095cded31ca5ad5f8b4be1559448fce70058fe6e7c729182992",
                                "Apache-2.0"},
    [SB_MODEL_DLIB_EMBED] = {"dlib_resnet", "face_embed/dlib_face_recognition_resnet_v1_150x150_cv46.onnx",
                             "c08ab8023f247324f46c69fe6fe71f73ba81279123b85d93296d5a54256a6f3a", "CC0-1.0"},
    [SB_MODEL_U2NETP] = {"u2netp", "salient_object/u2netp_320.onnx",
                         "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8", "Apache-2.0"},
    /* The CartoonGAN weights carry no license of their own; these are the licenses of the code. */
    [SB_MODEL_CARTOON_HAYAO] = {"cartoongan_hayao", "anime_style/cartoongan_hayao.onnx",
                                "92e9070ebdec876684ccf1ca92d0f10ba74265fe2c2d62fea9e47edb58b8406a",
                                "MIT AND Apache-2.0"},
    [SB_MODEL_CARTOON_HOSODA] = {"cartoongan_hosoda", "anime_style/cartoongan_hosoda.onnx",
                                 "3354dae50080c6342b42df604e8d37185591b0a98d31f3199ea3d185545c4825",
                                 "MIT AND Apache-2.0"},
    [SB_MODEL_NSFW] = {"nsfw_mobilenetv2", "safety/nsfwjs_mobilenetv2_224_cv46.onnx",
                       "12d10de4084b46af4811b6695e7024c54cc32b1aa013e662f9b61c080ef06f61", "MIT"},
    [SB_MODEL_FACEMESH] = {"facemesh", "landmarks/mediapipe_facemesh_192x192_cv46.onnx",
                           "247ab7752433144c173e3ba4b7ff4c1c43f4a9f8d9e98ccd889eb7c020926c81", "Apache-2.0"},
    [SB_MODEL_FSRCNN_X2] = {"fsrcnn_x2", "super_res/FSRCNN_x2.pb",
                            "366b33f0084c7b3f2bf6724f0a2c77bca94fcec9d7b6d72389d330073b380d5c", "Apache-2.0"},
    [SB_MODEL_ESPCN_X4] = {"espcn_x4", "super_res/ESPCN_x4.pb",
                           "e403f06309229cf36009cd8fb0da032ba7643fae9f15cf94fe562e8edf8fef47", "Apache-2.0"},
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

sb_err sb_model_resolve(sb_model_id id, char *path, size_t path_size, sb_error_t *e)
{
    const sb_model_info_t *m = sb_model_info(id);
    if (!m)
        return sb_error_set(e, SB_ERR_USAGE, "model", "unknown model id %d", (int)id);
    if (!path || path_size == 0)
        return sb_error_set(e, SB_ERR_USAGE, m->name, "no buffer for the path of model '%s'", m->name);

    const char *env = getenv("STROBE_MODELS");
    const char *roots[3];
    int n_roots = 0;
    if (env && *env)
        roots[n_roots++] = env;
    roots[n_roots++] = "./models";
    roots[n_roots++] = "../shared/models";

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
    if (env && *env)
        return sb_error_set(e, SB_ERR_MODEL_MISSING, m->name,
                            "model '%s' (%s) not found under $STROBE_MODELS (%s), ./models, ../shared/models",
                            m->name, m->relpath, env);
    return sb_error_set(e, SB_ERR_MODEL_MISSING, m->name,
                        "model '%s' (%s) not found under ./models, ../shared/models "
                        "($STROBE_MODELS is unset)",
                        m->name, m->relpath);
}

sb_err sb_model_open_net(sb_model_id id, sb_net_t **out, sb_error_t *e)
{
    char path[4096];
    *out = NULL;
    sb_err err = sb_model_resolve(id, path, sizeof path, e);
    return err ? err : sb_net_open(path, out, e);
}
