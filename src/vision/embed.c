/* embed.c - MobileFaceNet embeddings on ArcFace-aligned 112x112 crops, and the likeness curve. */
#include "vision/embed.h"

#include <math.h>
#include <stdlib.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"

#define SIZE SB_FACE_CROP

/* ArcFace 112x112 template, in YuNet's landmark order (see shared/models/MANIFEST.md). */
static const float TEMPLATE[5][2] = {
    {38.2946f, 51.6963f}, {73.5318f, 51.5014f}, {56.0252f, 71.7366f}, {41.5493f, 92.3655f}, {70.7299f, 92.2041f}};

/* ImageNet normalisation of RGB in 0..1: (x/255 - MEAN) / STD. */
static const float MEAN[3] = {0.485f, 0.456f, 0.406f}, STD[3] = {0.229f, 0.224f, 0.225f};

/* Likeness logistic: 1 / (1 + exp(-SLOPE (cos - MIDPOINT))); see docs/internals/vision.md, "Likeness". */
#define MIDPOINT 0.33f
#define SLOPE 10.0f

struct sb_face_embedder {
    sb_net_t *net;
};

sb_err sb_face_embedder_open(sb_face_embedder_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_face_embedder_t *x = calloc(1, sizeof *x);
    if (!x)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face embedder");
    sb_err err = sb_model_session(SB_MODEL_MOBILEFACENET, &x->net, e);
    if (err) {
        free(x);
        return err;
    }
    *out = x;
    return SB_OK;
}

void sb_face_embedder_close(sb_face_embedder_t *em)
{
    if (!em)
        return;
    free(em);
}

/* Least-squares similarity (rotation, uniform scale, translation) taking the five landmarks onto the
 * template: m = [a -b tx; b a ty]. Returns 0 when the landmarks are collapsed to a point. */
static int fit_similarity(const sb_point_t src[5], const float dst[5][2], double m[6])
{
    double px = 0, py = 0, qx = 0, qy = 0;
    for (int i = 0; i < 5; i++)
        px += src[i].x / 5.0, py += src[i].y / 5.0, qx += dst[i][0] / 5.0, qy += dst[i][1] / 5.0;
    double sxx = 0, dot = 0, crs = 0;
    for (int i = 0; i < 5; i++) {
        double ux = src[i].x - px, uy = src[i].y - py, vx = dst[i][0] - qx, vy = dst[i][1] - qy;
        sxx += ux * ux + uy * uy;
        dot += ux * vx + uy * vy;
        crs += ux * vy - uy * vx;
    }
    if (!(sxx > 1.0))
        return 0;
    double a = dot / sxx, b = crs / sxx;
    m[0] = a, m[1] = -b, m[2] = qx - (a * px - b * py);
    m[3] = b, m[4] = a, m[5] = qy - (b * px + a * py);
    return 1;
}

static int landmarks_finite(const sb_face_t *f)
{
    for (int i = 0; i < 5; i++)
        if (!isfinite(f->lmk[i].x) || !isfinite(f->lmk[i].y))
            return 0;
    return 1;
}

sb_err sb_face_align(const sb_image_t *rgb, const sb_face_t *face, sb_image_t *crop, sb_image_t *outside,
                    sb_error_t *e)
{
    if (!rgb || !rgb->data || !face || !crop || !outside)
        return sb_error_set(e, SB_ERR_USAGE, "", "face alignment needs an image, a face and two outputs");
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_USAGE, "", "face alignment needs an RGB image, not %d bands", rgb->bands);
    if (!(face->x < rgb->width && face->y < rgb->height && face->x + face->w > 0 && face->y + face->h > 0))
        return sb_error_set(e, SB_ERR_USAGE, "face", "face box (%.0f, %.0f, %.0f x %.0f) lies outside the %dx%d image",
                            face->x, face->y, face->w, face->h, rgb->width, rgb->height);
    double m[6];
    if (!landmarks_finite(face) || !fit_similarity(face->lmk, TEMPLATE, m))
        return sb_error_set(e, SB_ERR_USAGE, "face", "face landmarks are not finite or collapse to a point");
    return sb_image_warp_affine(rgb, m, SB_FACE_CROP, SB_FACE_CROP, crop, outside, e);
}

sb_err sb_face_embed(sb_face_embedder_t *em, const sb_image_t *rgb, const sb_face_t *face,
                     float out[SB_EMBED_DIM], sb_error_t *e)
{
    if (!em || !out)
        return sb_error_set(e, SB_ERR_USAGE, "", "face embedding needs an embedder, an image, a face and an output");
    const size_t plane = SIZE * SIZE;
    const char *name = "output";
    sb_image_t crop = {0}, outside = {0};
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, SIZE, SIZE}}, res = {0};
    sb_err err = sb_face_align(rgb, face, &crop, &outside, e);
    if (err)
        goto done;
    in.data = malloc(plane * 3 * sizeof(float));
    if (!in.data) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the embedding input");
        goto done;
    }
    /* MobileFaceNet was measured with OpenCV's black border: fade what came from outside the photo to
     * black (the warp itself repeats the edge). */
    for (size_t i = 0; i < plane; i++) {
        float inside = (255 - outside.data[i]) * (1.0f / 255.0f);
        for (int c = 0; c < 3; c++)
            in.data[c * plane + i] = (crop.data[i * 3 + c] * inside * (1.0f / 255.0f) - MEAN[c]) / STD[c];
    }
    err = sb_net_forward(em->net, &in, &name, 1, &res, e);
    if (err)
        goto done;
    if (sb_tensor_count(&res) != SB_EMBED_DIM) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "face embedder returned %ld values", sb_tensor_count(&res));
        goto done;
    }
    double norm = 0;
    for (int i = 0; i < SB_EMBED_DIM; i++)
        norm += (double)res.data[i] * res.data[i];
    norm = sqrt(norm);
    if (!(norm > 0) || !isfinite(norm)) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "face embedder returned a zero or non-finite vector");
        goto done;
    }
    for (int i = 0; i < SB_EMBED_DIM; i++)
        out[i] = (float)(res.data[i] / norm);
done:
    sb_tensor_free(&res);
    free(in.data);
    sb_image_free(&crop);
    sb_image_free(&outside);
    return err;
}

float sb_embed_cosine(const float *a, const float *b)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < SB_EMBED_DIM; i++)
        ab += (double)a[i] * b[i], aa += (double)a[i] * a[i], bb += (double)b[i] * b[i];
    return aa > 0 && bb > 0 ? (float)(ab / sqrt(aa * bb)) : 0.0f;
}

float sb_likeness_from_cosine(float cosine)
{
    if (isnan(cosine))
        return 0.0f;
    return 1.0f / (1.0f + expf(-SLOPE * (cosine - MIDPOINT)));
}
