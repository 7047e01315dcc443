/* face.c - YuNet 2023mar decode (anchor-free; see shared/models/MANIFEST.md), two scales, NMS. */
#include "vision/face.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"

#define NMS_IOU 0.3f

/* The graph fixes its input at NET_SIDE square. The image is scaled to 640 on its long side (the larger
 * level) and to half that (the smaller level, which finds the faces too large for the larger one), each
 * in the input's top-left corner with zero padding, in a run each. A run costs the same whatever part of
 * the input is padding, so when the smaller level fits beside the larger one (a 2:3 photo: 427 + 16 + 197
 * of 640) both share one run, the smaller in the input's bottom-right corner at least GAP zero pixels
 * from the larger, shrunk to what fits but not below LEVEL1_MIN of the larger. */
#define NET_SIDE 640
#define GAP 16
#define LEVEL1_MIN 0.4f

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

/* Decode one stride's four tensors into candidates in the net's input coordinates. */
static sb_err decode_stride(const sb_tensor_t *cls, const sb_tensor_t *obj, const sb_tensor_t *bbox,
                            const sb_tensor_t *kps, int stride, int pad_w, int pad_h, float min_score,
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
            sb_face_t f = {.x = cx - w / 2, .y = cy - h / 2, .w = w, .h = h, .score = score};
            for (int i = 0; i < 5; i++) {
                f.lmk[i].x = (k[2 * i] + c) * stride;
                f.lmk[i].y = (k[2 * i + 1] + r) * stride;
            }
            sb_err err = list_push(cand, cap, &f, e);
            if (err)
                return err;
        }
    }
    return SB_OK;
}

/* One level of the image in the net's input: its pixels, its size over the detector's input image's, and
 * its top-left corner in the input. */
typedef struct {
    const sb_image_t *img;
    float scale;
    int x, y;
} place_t;

/* Squared distance from (x, y) to place p's rectangle (0 inside). */
static float dist2(const place_t *p, float x, float y)
{
    float dx = x < p->x ? p->x - x : x > p->x + p->img->width ? x - p->x - p->img->width : 0;
    float dy = y < p->y ? p->y - y : y > p->y + p->img->height ? y - p->y - p->img->height : 0;
    return dx * dx + dy * dy;
}

/* Run YuNet once on the `n` levels placed in its zero-padded NET_SIDE square and append the candidates,
 * each given to the level its centre is on (or nearest) and mapped to the detector's input image. */
static sb_err detect_run(sb_face_detector_t *det, const place_t *pl, int n, float min_score, sb_face_list_t *cand,
                         int *cap, sb_error_t *e)
{
    int side = NET_SIDE;
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, side, side}};
    sb_tensor_t outs[12] = {0};
    sb_face_list_t raw = {0};
    int raw_cap = 0;
    in.data = calloc((size_t)3 * side * side, sizeof(float));
    if (!in.data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the detector input");
    /* BGR planes, 0..255. */
    size_t plane = (size_t)side * side;
    for (int k = 0; k < n; k++) {
        int w = pl[k].img->width, h = pl[k].img->height;
        for (int y = 0; y < h; y++) {
            const uint8_t *p = pl[k].img->data + (size_t)y * w * 3;
            for (int x = 0; x < w; x++, p += 3) {
                size_t o = (size_t)(pl[k].y + y) * side + pl[k].x + x;
                in.data[o] = p[2];
                in.data[plane + o] = p[1];
                in.data[2 * plane + o] = p[0];
            }
        }
    }
    sb_err err = sb_net_forward(det->net, &in, output_names, 12, outs, e);
    static const int strides[3] = {8, 16, 32};
    for (int s = 0; s < 3 && !err; s++)
        err = decode_stride(&outs[s], &outs[3 + s], &outs[6 + s], &outs[9 + s], strides[s], side, side, min_score,
                            &raw, &raw_cap, e);
    for (int i = 0; i < raw.count && !err; i++) {
        sb_face_t f = raw.faces[i];
        int k = 0;
        for (int j = 1; j < n; j++)
            if (dist2(&pl[j], f.x + f.w / 2, f.y + f.h / 2) < dist2(&pl[k], f.x + f.w / 2, f.y + f.h / 2))
                k = j;
        float s = pl[k].scale;
        f.x = (f.x - pl[k].x) / s, f.y = (f.y - pl[k].y) / s, f.w /= s, f.h /= s;
        for (int j = 0; j < 5; j++)
            f.lmk[j].x = (f.lmk[j].x - pl[k].x) / s, f.lmk[j].y = (f.lmk[j].y - pl[k].y) / s;
        err = list_push(cand, cap, &f, e);
    }
    sb_face_list_free(&raw);
    for (int i = 0; i < 12; i++)
        sb_tensor_free(&outs[i]);
    free(in.data);
    return err;
}

/* `src` shrunk (never enlarged) so its long side is at most `side`, into `dst` (lanczos3, or a linear
 * filter when `linear`); *scale receives the exact width ratio dst/src. `dst` stays empty when no shrink is
 * needed. */
static sb_err shrink_to(const sb_image_t *src, int side, bool linear, sb_image_t *dst, float *scale, sb_error_t *e)
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
    return linear ? sb_image_shrink_linear(src, w, h, dst, e) : sb_image_resize(src, w, h, dst, e);
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

/* The long side a level of a w x h image may have to fit beside `used` pixels of the input's width (or
 * height, for a landscape image) with GAP between: the largest L whose short side, rounded as shrink_to
 * rounds it, fits. */
static int fitting_side(int w, int h, int used)
{
    int big = w > h ? w : h, small = w > h ? h : w, room = NET_SIDE - GAP - used;
    if (room < 1)
        return 0;
    int side = (int)((float)room * big / small) + 1;
    while (side > 0 && lroundf(small * ((float)side / big)) > room)
        side--;
    return side;
}

/* Detect with the levels of `rgb` (long side 640, then half that) in one run when they fit beside each
 * other, otherwise in a run each; `once`: the larger level alone, shrunk with a linear filter. */
static sb_err detect(sb_face_detector_t *det, const sb_image_t *rgb, float min_score, bool once,
                     sb_face_list_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "face detection needs an RGB image");
    int cap = 0;
    /* Each level is made from the previous one: one big shrink, then a cheap one. */
    sb_image_t small[2] = {{0}};
    place_t pl[2] = {{.img = rgb, .scale = 1.0f}};
    float f;
    sb_err err = shrink_to(rgb, NET_SIDE, once, &small[0], &pl[0].scale, e);
    if (!err && small[0].data)
        pl[0].img = &small[0];
    int w0 = pl[0].img->width, h0 = pl[0].img->height, big0 = w0 > h0 ? w0 : h0, n = 1;
    if (!err && !once && big0 > NET_SIDE / 2) {
        /* The smaller level: half the larger, or what fits beside it down to LEVEL1_MIN of it. */
        int side1 = fitting_side(w0, h0, w0 > h0 ? h0 : w0);
        side1 = side1 > NET_SIDE / 2 ? NET_SIDE / 2 : side1;
        bool packed = side1 >= LEVEL1_MIN * big0;
        err = shrink_to(pl[0].img, packed ? side1 : NET_SIDE / 2, false, &small[1], &f, e);
        if (!err) {
            pl[1] = (place_t){.img = &small[1], .scale = pl[0].scale * f};
            if (!packed) {
                err = detect_run(det, &pl[0], 1, min_score, out, &cap, e);
                pl[0] = pl[1];
            } else {
                /* In the far corner: as far from the larger copy as the input allows, beside its
                 * bottom, where a photo's faces are least often. */
                pl[1].x = NET_SIDE - small[1].width, pl[1].y = NET_SIDE - small[1].height, n = 2;
            }
        }
    }
    if (!err)
        err = detect_run(det, pl, n, min_score, out, &cap, e);
    sb_image_free(&small[0]);
    sb_image_free(&small[1]);
    if (err) {
        sb_face_list_free(out);
        return err;
    }
    nms(out);
    return SB_OK;
}

sb_err sb_face_detect(sb_face_detector_t *det, const sb_image_t *rgb, sb_face_list_t *out, sb_error_t *e)
{
    return detect(det, rgb, SB_FACE_SCORE_MIN, false, out, e);
}

sb_err sb_face_detect_min(sb_face_detector_t *det, const sb_image_t *rgb, float min_score, sb_face_list_t *out,
                          sb_error_t *e)
{
    return detect(det, rgb, min_score, false, out, e);
}

sb_err sb_face_detect_once(sb_face_detector_t *det, const sb_image_t *rgb, sb_face_list_t *out, sb_error_t *e)
{
    return detect(det, rgb, SB_FACE_SCORE_MIN, true, out, e);
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
