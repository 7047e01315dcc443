/* face.c - YuNet 2023mar decode (anchor-free; see shared/models/MANIFEST.md), two scales, NMS. */
#include "vision/face.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"

#define NMS_IOU 0.3f

/* The graph fixes its input at NET_SIDE square. The image is scaled to each of `scales` on its long side and
 * letterboxed into the input's top-left corner (zero padding), so the 320 pass finds the faces too large for
 * the 640 one. */
#define NET_SIDE 640
static const int scales[2] = {640, 320};

struct sb_face_detector {
    sb_net_t *net; /* the process's shared YuNet session */
};

static const char *const output_names[12] = {"cls_8",  "cls_16",  "cls_32",  "obj_8",
                                             "obj_16", "obj_32",  "bbox_8",  "bbox_16",
                                             "bbox_32", "kps_8", "kps_16", "kps_32"};

sb_err sb_face_detector_open(sb_face_detector_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_face_detector_t *det = calloc(1, sizeof *det);
    if (!det)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face detector");
    sb_err err = sb_model_session(SB_MODEL_YUNET, &det->net, e);
    if (err) {
        free(det);
        return err;
    }
    *out = det;
    return SB_OK;
}

void sb_face_detector_close(sb_face_detector_t *det)
{
    if (!det)
        return;
    free(det);
}

void sb_face_list_free(sb_face_list_t *list)
{
    if (!list)
        return;
    free(list->faces);
    memset(list, 0, sizeof *list);
}

static sb_err list_push(sb_face_list_t *l, int *cap, const sb_face_t *f, sb_error_t *e)
{
    if (l->count == *cap) {
        int ncap = *cap ? *cap * 2 : 32;
        sb_face_t *nf = realloc(l->faces, (size_t)ncap * sizeof *nf);
        if (!nf)
            return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for face candidates");
        l->faces = nf, *cap = ncap;
    }
    l->faces[l->count++] = *f;
    return SB_OK;
}

static float clamp01(float v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

/* Decode one stride's four tensors into candidates in `scale`-divided (input) coordinates. */
static sb_err decode_stride(const sb_tensor_t *cls, const sb_tensor_t *obj, const sb_tensor_t *bbox,
                            const sb_tensor_t *kps, int stride, int pad_w, int pad_h, float scale, float min_score,
                            sb_face_list_t *cand, int *cap, sb_error_t *e)
{
    int cols = pad_w / stride, rows = pad_h / stride;
    if (sb_tensor_count(cls) < (long)rows * cols || sb_tensor_count(bbox) < (long)rows * cols * 4 ||
        sb_tensor_count(kps) < (long)rows * cols * 10 || sb_tensor_count(obj) < (long)rows * cols)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "YuNet output for stride %d has an unexpected shape", stride);
    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            int idx = r * cols + c;
            float score = sqrtf(clamp01(cls->data[idx]) * clamp01(obj->data[idx]));
            if (score < min_score)
                continue;
            const float *b = bbox->data + idx * 4, *k = kps->data + idx * 10;
            float cx = (c + b[0]) * stride, cy = (r + b[1]) * stride;
            float w = expf(b[2]) * stride, h = expf(b[3]) * stride;
            sb_face_t f = {.x = (cx - w / 2) / scale, .y = (cy - h / 2) / scale,
                           .w = w / scale, .h = h / scale, .score = score};
            for (int i = 0; i < 5; i++) {
                f.lmk[i].x = (k[2 * i] + c) * stride / scale;
                f.lmk[i].y = (k[2 * i + 1] + r) * stride / scale;
            }
            sb_err err = list_push(cand, cap, &f, e);
            if (err)
                return err;
        }
    }
    return SB_OK;
}

/* Run YuNet number `k` on `img`, which is at most scales[k] on its long side and is `scale` times the
 * size of the detector's input image; zero-pad to the NET_SIDE square; append candidates in input
 * coordinates. */
static sb_err detect_at(sb_face_detector_t *det, const sb_image_t *img, float scale, int k, float min_score,
                        sb_face_list_t *cand, int *cap, sb_error_t *e)
{
    int side = NET_SIDE, w = img->width, h = img->height;
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, side, side}};
    sb_tensor_t outs[12] = {0};
    in.data = calloc((size_t)3 * side * side, sizeof(float));
    if (!in.data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the detector input");
    /* BGR planes, 0..255, zero padding right and bottom. */
    size_t plane = (size_t)side * side;
    for (int y = 0; y < h; y++) {
        const uint8_t *p = img->data + (size_t)y * w * 3;
        for (int x = 0; x < w; x++, p += 3) {
            size_t o = (size_t)y * side + x;
            in.data[o] = p[2];
            in.data[plane + o] = p[1];
            in.data[2 * plane + o] = p[0];
        }
    }
    sb_err err = sb_net_forward(det->net, &in, output_names, 12, outs, e);
    static const int strides[3] = {8, 16, 32};
    for (int s = 0; s < 3 && !err; s++)
        err = decode_stride(&outs[s], &outs[3 + s], &outs[6 + s], &outs[9 + s], strides[s], side, side, scale,
                            min_score, cand, cap, e);
    for (int i = 0; i < 12; i++)
        sb_tensor_free(&outs[i]);
    free(in.data);
    return err;
}

/* `src` shrunk (never enlarged) so its long side is at most `side`, into `dst`; *scale receives the
 * exact width ratio dst/src. `dst` stays empty when no shrink is needed. */
static sb_err shrink_to(const sb_image_t *src, int side, sb_image_t *dst, float *scale, sb_error_t *e)
{
    int big = src->width > src->height ? src->width : src->height;
    memset(dst, 0, sizeof *dst);
    *scale = 1.0f;
    if (big <= side)
        return SB_OK;
    float f = (float)side / big;
    int w = (int)lroundf(src->width * f), h = (int)lroundf(src->height * f);
    w = w < 1 ? 1 : w > side ? side : w;
    h = h < 1 ? 1 : h > side ? side : h;
    *scale = (float)w / src->width;
    return sb_image_resize(src, w, h, dst, e);
}

static int by_score_desc(const void *a, const void *b)
{
    float sa = ((const sb_face_t *)a)->score, sb = ((const sb_face_t *)b)->score;
    return (sa < sb) - (sa > sb);
}

static float iou(const sb_face_t *a, const sb_face_t *b)
{
    float x0 = fmaxf(a->x, b->x), y0 = fmaxf(a->y, b->y);
    float x1 = fminf(a->x + a->w, b->x + b->w), y1 = fminf(a->y + a->h, b->y + b->h);
    float inter = fmaxf(0, x1 - x0) * fmaxf(0, y1 - y0);
    float uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0 ? inter / uni : 0;
}

/* Greedy NMS in place; keeps the order by score. */
static void nms(sb_face_list_t *l)
{
    if (l->count == 0)
        return; /* faces is NULL then, which qsort may not be given */
    qsort(l->faces, (size_t)l->count, sizeof *l->faces, by_score_desc);
    int kept = 0;
    for (int i = 0; i < l->count; i++) {
        int keep = 1;
        for (int j = 0; j < kept && keep; j++)
            if (iou(&l->faces[i], &l->faces[j]) > NMS_IOU)
                keep = 0;
        if (keep)
            l->faces[kept++] = l->faces[i];
    }
    l->count = kept;
}

sb_err sb_face_detect(sb_face_detector_t *det, const sb_image_t *rgb, sb_face_list_t *out, sb_error_t *e)
{
    return sb_face_detect_min(det, rgb, SB_FACE_SCORE_MIN, out, e);
}

sb_err sb_face_detect_min(sb_face_detector_t *det, const sb_image_t *rgb, float min_score, sb_face_list_t *out,
                          sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "face detection needs an RGB image");
    int cap = 0;
    /* Each scale is made from the previous one: one big shrink, then a cheap 2x one. */
    sb_image_t small[2] = {{0}};
    const sb_image_t *level = rgb;
    float scale = 1.0f, f;
    sb_err err = SB_OK;
    for (int k = 0; k < 2 && !err; k++) {
        err = shrink_to(level, scales[k], &small[k], &f, e);
        if (err)
            break;
        if (small[k].data)
            level = &small[k], scale *= f;
        else if (k > 0)
            break; /* the photo is already under this scale: the pass would see exactly the previous input */
        err = detect_at(det, level, scale, k, min_score, out, &cap, e);
    }
    sb_image_free(&small[0]);
    sb_image_free(&small[1]);
    if (err) {
        sb_face_list_free(out);
        return err;
    }
    nms(out);
    return SB_OK;
}

int sb_face_pick_subject(const sb_face_list_t *list, int width, int height)
{
    int best = -1;
    float best_v = 0;
    float diag = sqrtf((float)width * width + (float)height * height) / 2;
    for (int i = 0; i < list->count; i++) {
        const sb_face_t *f = &list->faces[i];
        float dx = f->x + f->w / 2 - width / 2.0f, dy = f->y + f->h / 2 - height / 2.0f;
        float off = sqrtf(dx * dx + dy * dy) / diag; /* 0 centre .. 1 corner */
        float v = f->w * f->h * (1.0f - 0.5f * off);
        if (best < 0 || v > best_v)
            best = i, best_v = v;
    }
    return best;
}

float sb_face_roll_deg(const sb_face_t *f)
{
    float dx = f->lmk[SB_LMK_LEFT_EYE].x - f->lmk[SB_LMK_RIGHT_EYE].x;
    float dy = f->lmk[SB_LMK_LEFT_EYE].y - f->lmk[SB_LMK_RIGHT_EYE].y;
    return atan2f(dy, dx) * (float)(180.0 / M_PI);
}

/* YuNet box width per eye distance and per eye-to-mouth distance: medians over the 77 single,
 * roll < 10 degree faces of shared/testdata faces/ and identity/ (interquartile ranges 2.07-2.24 and
 * 1.98-2.21). */
#define WIDTH_PER_EYE_DIST 2.16f
#define WIDTH_PER_EYE_MOUTH 2.11f

float sb_face_size(const sb_face_t *f)
{
    const sb_point_t *l = f->lmk;
    float ex = l[SB_LMK_LEFT_EYE].x - l[SB_LMK_RIGHT_EYE].x, ey = l[SB_LMK_LEFT_EYE].y - l[SB_LMK_RIGHT_EYE].y;
    float mx = (l[SB_LMK_MOUTH_LEFT].x + l[SB_LMK_MOUTH_RIGHT].x - l[SB_LMK_LEFT_EYE].x - l[SB_LMK_RIGHT_EYE].x) / 2;
    float my = (l[SB_LMK_MOUTH_LEFT].y + l[SB_LMK_MOUTH_RIGHT].y - l[SB_LMK_LEFT_EYE].y - l[SB_LMK_RIGHT_EYE].y) / 2;
    float a = sqrtf(ex * ex + ey * ey) * WIDTH_PER_EYE_DIST;
    float b = sqrtf(mx * mx + my * my) * WIDTH_PER_EYE_MOUTH;
    return a > b ? a : b;
}

/* YuNet's box round an upright face, against its landmarks (sizes per sb_face_size): its larger side, its
 * centre's drop below the eye midpoint, and its centre's shift along the eye line per the nose's shift
 * from the eye midpoint (a face turned aside has its box centred behind the nose). Least squares over the
 * 124 faces of shared/testdata faces/, identity/ and groups/ with roll < 8 degrees and a box of 60 px or
 * more: side 1.30 (sd 0.084), drop 0.150 (sd 0.038), shift -1.16 x the nose's (sd 0.033; 0.084 without). */
#define BOX_SIDE_PER_SIZE 1.30f
#define BOX_DROP_PER_SIZE 0.150f
#define BOX_SHIFT_PER_NOSE (-1.16f)

void sb_face_box_from_landmarks(sb_face_t *f)
{
    float size = sb_face_size(f), a = sb_face_roll_deg(f) * (float)(M_PI / 180), c = cosf(a), s = sinf(a);
    float ex = (f->lmk[SB_LMK_RIGHT_EYE].x + f->lmk[SB_LMK_LEFT_EYE].x) / 2;
    float ey = (f->lmk[SB_LMK_RIGHT_EYE].y + f->lmk[SB_LMK_LEFT_EYE].y) / 2;
    /* Along the eye line is (c, s); down the face is that turned a quarter clockwise, (-s, c). */
    float along = BOX_SHIFT_PER_NOSE * ((f->lmk[SB_LMK_NOSE].x - ex) * c + (f->lmk[SB_LMK_NOSE].y - ey) * s);
    float drop = BOX_DROP_PER_SIZE * size, side = BOX_SIDE_PER_SIZE * size;
    float cx = ex + along * c - drop * s, cy = ey + along * s + drop * c;
    f->x = cx - side / 2, f->y = cy - side / 2, f->w = f->h = side;
}
