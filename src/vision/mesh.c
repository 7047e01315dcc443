/* mesh.c - face mesh on a 192x192 crop; eye corners 33/133 (subject's right eye) and 362/263 (left). */
#include "vision/mesh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"

#define FACE_FLAG_MIN 0.5f

struct sb_face_mesh {
    sb_net_t *net;
};

sb_err sb_face_mesh_open(sb_face_mesh_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_face_mesh_t *x = calloc(1, sizeof *x);
    if (!x)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh");
    sb_err err = sb_model_session(SB_MODEL_FACEMESH, &x->net, e);
    if (err) {
        free(x);
        return err;
    }
    *out = x;
    return SB_OK;
}

void sb_face_mesh_close(sb_face_mesh_t *mesh)
{
    if (!mesh)
        return;
    free(mesh);
}

static sb_point_t mean2(const float *mesh, int a, int b)
{
    sb_point_t p = {(mesh[a * 3] + mesh[b * 3]) / 2, (mesh[a * 3 + 1] + mesh[b * 3 + 1]) / 2};
    return p;
}

/* The mesh on the SB_MESH_SIZE crop that m makes of rgb, each crop pixel the mean of n x n bilinear
 * samples (n = 1: one sample). `crop_out` is only filled when n is 1. */
static sb_err forward(sb_face_mesh_t *mesh, const sb_image_t *rgb, const double m[6], int n, float *flag, float *pts,
                      sb_image_t *crop_out, sb_error_t *e)
{
    sb_image_t crop = {0};
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, SB_MESH_SIZE, SB_MESH_SIZE}}, out[2] = {{0}};
    const char *names[2] = {"mesh", "faceflag"};
    *flag = 0;
    if (crop_out)
        memset(crop_out, 0, sizeof *crop_out);
    /* Fine pixel n X + (n - 1) / 2 is crop pixel X: the n x n block's mean lands on the crop pixel's centre. */
    const double h = (n - 1) / 2.0, mn[6] = {m[0] * n, m[1] * n, m[2] * n + h, m[3] * n, m[4] * n, m[5] * n + h};
    const int side = SB_MESH_SIZE * n;
    sb_err err = sb_image_warp_affine(rgb, mn, side, side, &crop, NULL, e);
    if (err)
        return err;
    size_t plane = SB_MESH_SIZE * SB_MESH_SIZE;
    in.data = calloc(plane * 3, sizeof(float));
    if (!in.data) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh input");
        goto done;
    }
    /* Each crop pixel's sum is taken in the fine pixels' row-major order (the same floats as one pass
     * over the fine image), with no division per sample. */
    const float norm = 1.0f / (255.0f * n * n);
    for (int y = 0; y < side; y++) {
        const uint8_t *p = crop.data + (size_t)y * side * 3;
        float *dst = in.data + (size_t)(y / n) * SB_MESH_SIZE;
        for (int x = 0; x < SB_MESH_SIZE; x++)
            for (int j = 0; j < n; j++, p += 3)
                for (int c = 0; c < 3; c++)
                    dst[c * plane + x] += p[c] * norm;
    }
    err = sb_net_forward(mesh->net, &in, names, 2, out, e);
    if (err)
        goto done;
    if (sb_tensor_count(&out[0]) != SB_MESH_POINTS * 3 || sb_tensor_count(&out[1]) < 1) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "face mesh returned %ld values", sb_tensor_count(&out[0]));
        goto done;
    }
    *flag = out[1].data[0];
    if (pts)
        memcpy(pts, out[0].data, sizeof(float) * SB_MESH_POINTS * 3);
done:
    sb_tensor_free(&out[0]);
    sb_tensor_free(&out[1]);
    free(in.data);
    if (crop_out && n == 1 && !err)
        *crop_out = crop;
    else
        sb_image_free(&crop);
    return err;
}

sb_err sb_face_mesh_run(sb_face_mesh_t *mesh, const sb_image_t *rgb, const double m[6], float *flag, float *pts,
                        sb_image_t *crop_out, sb_error_t *e)
{
    return forward(mesh, rgb, m, 1, flag, pts, crop_out, e);
}

sb_err sb_face_mesh_refine_eyes(sb_face_mesh_t *mesh, const sb_image_t *rgb, sb_face_t *f, int *found,
                                sb_error_t *e)
{
    static const double identity[6] = {1, 0, 0, 0, 1, 0};
    return sb_face_mesh_refine_eyes_in(mesh, rgb, identity, SB_MESH_RECROPS, f, found, e);
}

/* The mesh reads the eye line of one face differently from crops of different sizes and centres (a 3%
 * shift or 5% scale of the box moves it by 0.3-1.2 degrees). So the crop is made again on the mesh's own
 * face: a square of RECROP_SIDE x the larger side of its 468 points' bounding box, centred on that box
 * (1.65 is the crop-to-points ratio on YuNet's boxes, median over the delivered headshots of faces/ and
 * groups/). Two such re-crops bring the reading's spread over those box changes from 0.57 to 0.17 degrees
 * (mean sd over 20 headshots, docs/QUALITY.md), so the eye line no longer depends on whose box the face
 * came from (SB_MESH_RECROPS, mesh.h). A re-crop stops early once the crop moves by under RECROP_STILL of its side. */
#define RECROP_SIDE 1.65f
#define RECROP_STILL 0.01f
#define SUPERSAMPLE 4

/* The crop the mesh's points `pts` (crop pixels of the crop at x0, y0 with k crop pixels per frame pixel)
 * call for, in frame pixels: top-left corner and side. */
static void recrop(const float *pts, float x0, float y0, float k, float c[3])
{
    float lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < SB_MESH_POINTS; i++)
        for (int a = 0; a < 2; a++)
            lo[a] = fminf(lo[a], pts[i * 3 + a]), hi[a] = fmaxf(hi[a], pts[i * 3 + a]);
    float side = RECROP_SIDE * fmaxf(hi[0] - lo[0], hi[1] - lo[1]) / k;
    c[0] = x0 + (lo[0] + hi[0]) / 2 / k - side / 2;
    c[1] = y0 + (lo[1] + hi[1]) / 2 / k - side / 2;
    c[2] = side;
}

sb_err sb_face_mesh_refine_eyes_in(sb_face_mesh_t *mesh, const sb_image_t *src, const double pre[6], int recrops,
                                   sb_face_t *f, int *found, sb_error_t *e)
{
    if (found)
        *found = 0;
    float side = 1.5f * (f->w > f->h ? f->w : f->h);
    float c[3] = {f->x + f->w / 2 - side / 2, f->y + f->h / 2 - side / 2, side}; /* crop: x0, y0, side */
    float flag, good[3] = {0}, *pts = malloc(sizeof(float) * SB_MESH_POINTS * 3);
    if (!pts)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh points");
    sb_err err = SB_OK;
    for (int pass = 0; pass <= recrops; pass++) {
        float k = SB_MESH_SIZE / c[2];
        /* frame -> crop is (k, 0, -k x0; 0, k, -k y0); after `pre`, source -> crop. */
        const double m[6] = {k * pre[0], k * pre[1], k * pre[2] - k * c[0],
                             k * pre[3], k * pre[4], k * pre[5] - k * c[1]};
        /* One bilinear sample per crop pixel aliases when the crop shrinks the face (3-7 source pixels a
         * crop pixel on a headshot), and the aliasing differs between two samplings of one face: each crop
         * pixel is the mean of n x n samples, n about the source pixels per crop pixel (at most SUPERSAMPLE). */
        double step = 1.0 / sqrt(fabs(m[0] * m[4] - m[1] * m[3]));
        int n = (int)lround(step);
        n = n < 1 ? 1 : n > SUPERSAMPLE ? SUPERSAMPLE : n;
        err = forward(mesh, src, m, n, &flag, pts, NULL, e);
        if (err || flag < FACE_FLAG_MIN)
            break; /* a re-crop the mesh finds no face on keeps the eyes of the crop before */
        sb_point_t eyes[2] = {mean2(pts, 33, 133), mean2(pts, 362, 263)};
        for (int i = 0; i < 2; i++) {
            f->lmk[i].x = c[0] + eyes[i].x / k;
            f->lmk[i].y = c[1] + eyes[i].y / k;
        }
        float next[3];
        recrop(pts, c[0], c[1], k, next);
        memcpy(good, next, sizeof good);
        float moved = fmaxf(fabsf(next[2] - c[2]), fmaxf(fabsf(next[0] - c[0]), fabsf(next[1] - c[1])));
        if (moved < RECROP_STILL * c[2])
            break;
        memcpy(c, next, sizeof c);
    }
    free(pts);
    if (good[2] > 0) {
        /* f's box becomes the one whose 1.5x square is the crop the mesh's last points call for. */
        f->w = f->h = good[2] / 1.5f;
        f->x = good[0] + good[2] / 2 - f->w / 2, f->y = good[1] + good[2] / 2 - f->h / 2;
        if (found)
            *found = 1;
    }
    return err;
}
