/* mesh.c - face mesh on a 192x192 crop; eye corners 33/133 (subject's right eye) and 362/263 (left). */
#include "vision/mesh.h"

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

sb_err sb_face_mesh_run(sb_face_mesh_t *mesh, const sb_image_t *rgb, const double m[6], float *flag, float *pts,
                        sb_image_t *crop_out, sb_error_t *e)
{
    sb_image_t crop = {0};
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, SB_MESH_SIZE, SB_MESH_SIZE}}, out[2] = {{0}};
    const char *names[2] = {"mesh", "faceflag"};
    *flag = 0;
    if (crop_out)
        memset(crop_out, 0, sizeof *crop_out);
    sb_err err = sb_image_warp_affine(rgb, m, SB_MESH_SIZE, SB_MESH_SIZE, &crop, NULL, e);
    if (err)
        return err;
    size_t plane = SB_MESH_SIZE * SB_MESH_SIZE;
    in.data = malloc(plane * 3 * sizeof(float));
    if (!in.data) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh input");
        goto done;
    }
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++)
            in.data[c * plane + i] = crop.data[i * 3 + c] * (1.0f / 255.0f);
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
    if (crop_out && !err)
        *crop_out = crop;
    else
        sb_image_free(&crop);
    return err;
}

sb_err sb_face_mesh_refine_eyes(sb_face_mesh_t *mesh, const sb_image_t *rgb, sb_face_t *f, int *found,
                                sb_error_t *e)
{
    static const double identity[6] = {1, 0, 0, 0, 1, 0};
    return sb_face_mesh_refine_eyes_in(mesh, rgb, identity, f, found, e);
}

sb_err sb_face_mesh_refine_eyes_in(sb_face_mesh_t *mesh, const sb_image_t *src, const double pre[6], sb_face_t *f,
                                   int *found, sb_error_t *e)
{
    if (found)
        *found = 0;
    float side = 1.5f * (f->w > f->h ? f->w : f->h);
    float x0 = f->x + f->w / 2 - side / 2, y0 = f->y + f->h / 2 - side / 2, k = SB_MESH_SIZE / side;
    /* frame -> crop is (k, 0, -k x0; 0, k, -k y0); after `pre`, source -> crop. */
    const double m[6] = {k * pre[0], k * pre[1], k * pre[2] - k * x0, k * pre[3], k * pre[4], k * pre[5] - k * y0};
    float flag, *pts = malloc(sizeof(float) * SB_MESH_POINTS * 3);
    if (!pts)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh points");
    sb_err err = sb_face_mesh_run(mesh, src, m, &flag, pts, NULL, e);
    if (!err && flag >= FACE_FLAG_MIN) {
        sb_point_t eyes[2] = {mean2(pts, 33, 133), mean2(pts, 362, 263)};
        for (int i = 0; i < 2; i++) {
            f->lmk[i].x = x0 + eyes[i].x / k;
            f->lmk[i].y = y0 + eyes[i].y / k;
        }
        if (found)
            *found = 1;
    }
    free(pts);
    return err;
}
