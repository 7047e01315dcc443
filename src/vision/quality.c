/* quality.c - input quality of the subject face (see docs/internals/vision.md, "Quality", for how each
 * threshold was measured on shared/testdata). */
#include "vision/quality.h"

#include <math.h>
#include <stdlib.h>

#include "image/colour.h"
#include "image/filter.h"
#include "image/resample.h"
#include "vision/focus.h"

/* Sharpness: the face box is resampled to SHARP_SIDE square, so the number does not depend on the
 * photo's resolution, then blurred by SHARP_SIGMA; the share of gradient energy that survives is near 1 on
 * a face with no fine detail and 0.11-0.45 on the sharp photos of faces/. */
#define SHARP_SIDE 128
#define SHARP_SIGMA 1.0f
#define SHARP_KEPT_GOOD 0.30f
#define SHARP_KEPT_BAD 0.65f
#define SHARP_KEPT_WARN 0.50f
/* ... and, as that share reads a dark photo's fine noise as detail, the blur of the face's strongest edges
 * (vision/focus.h): at most 1.55 on the in-focus faces of faces/ and groups/, 3.07 on imagenet_candle's
 * defocused girl. Over FOCUS_BLUR_WARN it is blurry; from FOCUS_BLUR_GOOD to SB_FOCUS_BLUR_MAX (where the
 * people pipelines refuse it) the sharpness signal falls to 0. */
#define FOCUS_BLUR_GOOD 1.6f
#define FOCUS_BLUR_WARN 1.8f

/* Exposure: the 95th percentile of face Y' says whether any part of the face is lit (dark skin in good
 * light keeps it >= 0.39, a candle-lit face has 0.26); clipped highlights are Y' >= CLIP_HI. */
#define LIGHT_P95_BAD 0.20f
#define LIGHT_P95_GOOD 0.40f
#define LIGHT_P95_WARN 0.30f
#define CLIP_HI 0.94f
#define CLIPPED_GOOD 0.05f
#define CLIPPED_BAD 0.30f
#define CLIPPED_WARN 0.15f

/* Size: the face box's larger side, as a fraction of the short side and in pixels. */
#define FRACTION_BAD 0.10f
#define FRACTION_GOOD 0.25f
#define PX_BAD SB_QUALITY_MIN_FACE_PX
#define PX_GOOD 160.0f
#define PX_WARN 100.0f

/* Pose from the landmarks (roll removed): yaw = atan(YAW_GAIN x nose offset / eye distance), pitch =
 * atan(PITCH_GAIN x (PITCH_RATIO_FRONTAL - (eye line to nose) / (eye line to mouth))). */
#define YAW_GAIN 1.5f
#define PITCH_GAIN 3.0f
#define PITCH_RATIO_FRONTAL 0.57f
#define YAW_GOOD 15.0f
#define YAW_BAD 50.0f
#define YAW_WARN 33.0f
#define PITCH_GOOD 12.0f
#define PITCH_BAD 40.0f
#define PITCH_WARN 25.0f

/* Occlusion: the share of the expected face (an ellipse from the landmarks) inside the frame, and the
 * brightness step |ln(upper / lower)| between a patch between the eyes and one on the chin. */
#define INSIDE_BAD 0.80f
#define INSIDE_WARN 0.93f
#define STEP_GOOD 0.5f
#define STEP_BAD 1.5f
#define STEP_WARN 0.9f

/* Another face counts for multiple_faces when its box is at least this share of the subject's. */
#define OTHER_FACE_MIN 0.4f

/* Weights of the overall score (a weighted geometric mean: one failed signal pulls it to 0). */
static const float WEIGHT[5] = {0.25f, 0.20f, 0.20f, 0.20f, 0.15f};

static const char *const NAMES[SB_WARN_COUNT] = {
    "multiple_faces", "face_too_small", "low_light",  "overexposed",              "blurry",
    "extreme_pose",   "occluded",       "low_resolution", "likeness_below_threshold", "output_face_not_found",
};

const char *sb_warning_name(sb_warning w)
{
    for (int i = 0; i < SB_WARN_COUNT; i++)
        if ((uint32_t)w == 1u << i)
            return NAMES[i];
    return NULL;
}

float sb_quality_face_fraction(const sb_face_t *f, int width, int height)
{
    float short_side = (float)(width < height ? width : height);
    return (f->w > f->h ? f->w : f->h) / short_side;
}

/* 0 at a, 1 at b, linear between, clamped. */
static float ramp(float x, float a, float b)
{
    float t = (x - a) / (b - a);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static float y_prime(const uint8_t *p)
{
    const float rgb[3] = {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f};
    return sb_luma(rgb);
}

/* Landmarks in a frame that has the eye midpoint at the origin and the eye line along +x. */
typedef struct {
    float ex, ey, c, s; /* eye midpoint; cos and sin of the roll */
    sb_point_t p[5];
} upright_t;

static upright_t upright(const sb_face_t *f)
{
    upright_t u;
    u.ex = (f->lmk[SB_LMK_RIGHT_EYE].x + f->lmk[SB_LMK_LEFT_EYE].x) / 2;
    u.ey = (f->lmk[SB_LMK_RIGHT_EYE].y + f->lmk[SB_LMK_LEFT_EYE].y) / 2;
    float a = sb_face_roll_deg(f) * (float)(M_PI / 180);
    u.c = cosf(a), u.s = sinf(a);
    for (int i = 0; i < 5; i++) {
        float dx = f->lmk[i].x - u.ex, dy = f->lmk[i].y - u.ey;
        u.p[i] = (sb_point_t){dx * u.c + dy * u.s, -dx * u.s + dy * u.c};
    }
    return u;
}

/* Back from the upright frame to image coordinates. */
static sb_point_t to_image(const upright_t *u, float x, float y)
{
    return (sb_point_t){u->ex + x * u->c - y * u->s, u->ey + x * u->s + y * u->c};
}

/* Share of the face's gradient energy that survives a small blur, on the face box (clipped to the frame,
 * cut out on whole pixels) resampled to SHARP_SIDE square. */
static sb_err blur_kept(const sb_image_t *rgb, const sb_face_t *f, float *kept, sb_error_t *e)
{
    int x0 = (int)fmaxf(floorf(f->x), 0), y0 = (int)fmaxf(floorf(f->y), 0);
    int x1 = (int)fminf(ceilf(f->x + f->w), (float)rgb->width), y1 = (int)fminf(ceilf(f->y + f->h), (float)rgb->height);
    const int n = SHARP_SIDE, box[4] = {x0, y0, x1, y1};
    sb_image_t crop = {0}, face = {0};
    float *l = malloc(2 * sizeof(float) * n * n), *b = l + n * n;
    sb_err err = l ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the sharpness measure");
    if (!err)
        err = sb_image_crop(rgb, box, &crop, e);
    if (!err)
        err = sb_image_resize(&crop, n, n, &face, e);
    if (!err) {
        for (int i = 0; i < n * n; i++)
            l[i] = y_prime(face.data + 3 * i);
        err = sb_blur(l, b, n, n, 1, SHARP_SIGMA, e);
    }
    if (!err) {
        double before = 0, after = 0;
        for (int y = 0; y < n - 1; y++)
            for (int x = 0; x < n - 1; x++) {
                int i = y * n + x;
                float gx = l[i + 1] - l[i], gy = l[i + n] - l[i];
                float hx = b[i + 1] - b[i], hy = b[i + n] - b[i];
                before += gx * gx + gy * gy;
                after += hx * hx + hy * hy;
            }
        *kept = before > 0 ? (float)(after / before) : 1.0f;
    }
    free(l);
    sb_image_free(&crop);
    sb_image_free(&face);
    return err;
}

/* Whether pixel x of a row dy (in radii) from an ellipse's centre lies off it. */
static int off_ellipse(int x, float cx, float rx, float dy)
{
    float dx = (x - cx) / rx;
    return dx * dx + dy * dy > 1;
}

/* Y' histogram over the ellipse inscribed in the central part of the face box (forehead to chin, cheek to
 * cheek, little hair or background): median, 95th percentile and the clipped-highlight share. */
static void face_exposure(const sb_image_t *rgb, const sb_face_t *f, float *median, float *p95, float *clipped)
{
    unsigned hist[256] = {0}, n = 0;
    float unit[256]; /* byte / 255.0f: y_prime's floats without three divisions a pixel */
    for (int i = 0; i < 256; i++)
        unit[i] = i / 255.0f;
    float cx = f->x + f->w / 2, cy = f->y + f->h / 2, rx = f->w * 0.38f, ry = f->h * 0.45f;
    int ya = (int)fmaxf(cy - ry, 0), yb = (int)fminf(cy + ry, rgb->height - 1.0f);
    int xa = (int)fmaxf(cx - rx, 0), xb = (int)fminf(cx + rx, rgb->width - 1.0f);
    for (int y = ya; y <= yb; y++) {
        float dy = (y - cy) / ry;
        /* The test grows away from cx on both sides (each step of it rounds monotonically), so a row's
         * pixels inside are one run: its ends are found with the test itself, the same pixels as testing
         * every one. */
        int lo = xa, hi = xb;
        while (lo <= hi && off_ellipse(lo, cx, rx, dy))
            lo++;
        while (hi >= lo && off_ellipse(hi, cx, rx, dy))
            hi--;
        const uint8_t *p = rgb->data + ((size_t)y * rgb->width + lo) * 3;
        for (int x = lo; x <= hi; x++, p += 3) {
            const float c[3] = {unit[p[0]], unit[p[1]], unit[p[2]]};
            hist[(int)(sb_luma(c) * 255 + 0.5f)]++;
            n++;
        }
    }
    *median = *p95 = *clipped = 0;
    if (!n)
        return;
    unsigned acc = 0, hi = 0;
    int got_median = 0;
    for (int i = 0; i < 256; i++) {
        acc += hist[i];
        if (!got_median && acc * 2 >= n)
            *median = i / 255.0f, got_median = 1;
        if (acc * 20 >= n * 19) {
            *p95 = i / 255.0f;
            break;
        }
    }
    for (int i = (int)ceilf(CLIP_HI * 255); i < 256; i++)
        hi += hist[i];
    *clipped = (float)hi / n;
}

/* Mean Y' of a square of half-side r around p, over the pixels inside the frame; -1 when none is. */
static float patch_luma(const sb_image_t *rgb, sb_point_t p, int r)
{
    double sum = 0;
    int n = 0;
    for (int y = (int)p.y - r; y <= (int)p.y + r; y++)
        for (int x = (int)p.x - r; x <= (int)p.x + r; x++)
            if (x >= 0 && y >= 0 && x < rgb->width && y < rgb->height) {
                sum += y_prime(rgb->data + ((size_t)y * rgb->width + x) * 3);
                n++;
            }
    return n ? (float)(sum / n) : -1;
}

/* Share of the expected face inside the frame: an ellipse sb_face_size wide and 1.3 times as tall, from
 * 0.4 face widths above the eye line to 0.9 below, sampled on a 20x20 grid. A face cut by the frame edge
 * has had its box shrunk to the visible part by YuNet; the landmarks still say where the rest would be. */
static float inside_share(const sb_image_t *rgb, const upright_t *u, float size)
{
    int in = 0, all = 0;
    for (int j = 0; j < 20; j++)
        for (int i = 0; i < 20; i++) {
            float a = (i + 0.5f) / 10 - 1, b = (j + 0.5f) / 10 - 1;
            if (a * a + b * b > 1)
                continue;
            sb_point_t q = to_image(u, a * 0.5f * size, (0.25f + 0.65f * b) * size);
            all++;
            in += q.x >= 0 && q.y >= 0 && q.x < rgb->width && q.y < rgb->height;
        }
    return (float)in / all;
}

/* |ln| of the brightness ratio between the bridge of the nose (just above the eye line, between the eyes)
 * and the chin (below the mouth by 0.6 of the nose-to-mouth distance): sunglasses, a camera or a dark mask
 * make one of them far darker than the other. Skin under ordinary light stays under STEP_GOOD. */
static float brightness_step(const sb_image_t *rgb, const upright_t *u)
{
    float eye_dist = u->p[SB_LMK_LEFT_EYE].x - u->p[SB_LMK_RIGHT_EYE].x;
    float mx = (u->p[SB_LMK_MOUTH_RIGHT].x + u->p[SB_LMK_MOUTH_LEFT].x) / 2;
    float my = (u->p[SB_LMK_MOUTH_RIGHT].y + u->p[SB_LMK_MOUTH_LEFT].y) / 2;
    sb_point_t chin = to_image(u, mx + 0.6f * (mx - u->p[SB_LMK_NOSE].x), my + 0.6f * (my - u->p[SB_LMK_NOSE].y));
    int r = (int)(0.15f * eye_dist) > 1 ? (int)(0.15f * eye_dist) : 1;
    float upper = patch_luma(rgb, to_image(u, 0, -0.1f * eye_dist), r), lower = patch_luma(rgb, chin, r);
    if (upper < 0 || lower < 0)
        return 0;
    return fabsf(logf((upper + 1.0f / 255) / (lower + 1.0f / 255)));
}

static sb_err check_args(const sb_image_t *rgb, const sb_face_list_t *faces, int subject, const sb_quality_t *out,
                         sb_error_t *e)
{
    if (!rgb || !rgb->data || rgb->width < 1 || rgb->height < 1 || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_USAGE, "image", "quality needs a non-empty 3-band image");
    if (!out)
        return sb_error_set(e, SB_ERR_USAGE, "out", "quality needs a result to fill");
    if (!faces || faces->count < 1 || !faces->faces)
        return sb_error_set(e, SB_ERR_NO_FACE, "image", "no face to assess");
    if (subject < 0 || subject >= faces->count)
        return sb_error_set(e, SB_ERR_USAGE, "subject", "subject %d is not a face of the list (0..%d)", subject,
                            faces->count - 1);
    const sb_face_t *f = &faces->faces[subject];
    float eye_dist = fabsf(f->lmk[SB_LMK_LEFT_EYE].x - f->lmk[SB_LMK_RIGHT_EYE].x) +
                     fabsf(f->lmk[SB_LMK_LEFT_EYE].y - f->lmk[SB_LMK_RIGHT_EYE].y);
    if (!(f->w >= 1 && f->h >= 1) || f->x >= rgb->width || f->y >= rgb->height || f->x + f->w <= 0 ||
        f->y + f->h <= 0 || !(eye_dist > 0))
        return sb_error_set(e, SB_ERR_USAGE, "faces", "face %d has an empty box, lies outside the %dx%d image or has "
                            "coinciding eyes", subject, rgb->width, rgb->height);
    return SB_OK;
}

sb_err sb_quality_assess(const sb_image_t *rgb, const sb_face_list_t *faces, int subject, float edge_blur,
                         sb_quality_t *out, sb_error_t *e)
{
    sb_err err = check_args(rgb, faces, subject, out, e);
    if (err)
        return err;
    const sb_face_t *f = &faces->faces[subject];
    sb_quality_t q = {0};

    float kept;
    err = blur_kept(rgb, f, &kept, e);
    if (err)
        return err;
    q.raw.detail_kept = kept;
    q.raw.edge_blur = edge_blur;
    if (edge_blur < 0 && (err = sb_focus_face_blur(rgb, f, &q.raw.edge_blur, e)))
        return err;
    q.sharpness = fminf(1 - ramp(kept, SHARP_KEPT_GOOD, SHARP_KEPT_BAD),
                        1 - ramp(q.raw.edge_blur, FOCUS_BLUR_GOOD, SB_FOCUS_BLUR_MAX));
    if (kept > SHARP_KEPT_WARN || q.raw.edge_blur > FOCUS_BLUR_WARN)
        q.warnings |= SB_WARN_BLURRY;

    float p95, clipped;
    face_exposure(rgb, f, &q.face_luma, &p95, &clipped);
    q.raw.luma_p95 = p95, q.raw.clipped = clipped;
    q.exposure = fminf(ramp(p95, LIGHT_P95_BAD, LIGHT_P95_GOOD), 1 - ramp(clipped, CLIPPED_GOOD, CLIPPED_BAD));
    if (p95 < LIGHT_P95_WARN)
        q.warnings |= SB_WARN_LOW_LIGHT;
    if (clipped > CLIPPED_WARN)
        q.warnings |= SB_WARN_OVEREXPOSED;

    q.face_fraction = sb_quality_face_fraction(f, rgb->width, rgb->height);
    q.face_px = f->w > f->h ? f->w : f->h;
    q.face_size = fminf(ramp(q.face_fraction, FRACTION_BAD, FRACTION_GOOD), ramp(q.face_px, PX_BAD, PX_GOOD));
    if (q.face_fraction < SB_QUALITY_MIN_FACE_FRACTION)
        q.warnings |= SB_WARN_FACE_TOO_SMALL;
    if (q.face_px < PX_WARN)
        q.warnings |= SB_WARN_LOW_RESOLUTION;

    upright_t u = upright(f);
    float eye_dist = u.p[SB_LMK_LEFT_EYE].x - u.p[SB_LMK_RIGHT_EYE].x;
    float mouth_y = (u.p[SB_LMK_MOUTH_RIGHT].y + u.p[SB_LMK_MOUTH_LEFT].y) / 2;
    float nose_share = mouth_y > 0 ? u.p[SB_LMK_NOSE].y / mouth_y : PITCH_RATIO_FRONTAL;
    q.yaw_deg = atanf(YAW_GAIN * u.p[SB_LMK_NOSE].x / eye_dist) * (float)(180 / M_PI);
    q.pitch_deg = atanf(PITCH_GAIN * (PITCH_RATIO_FRONTAL - nose_share)) * (float)(180 / M_PI);
    q.roll_deg = sb_face_roll_deg(f);
    q.pose = fminf(1 - ramp(fabsf(q.yaw_deg), YAW_GOOD, YAW_BAD), 1 - ramp(fabsf(q.pitch_deg), PITCH_GOOD, PITCH_BAD));
    if (fabsf(q.yaw_deg) > YAW_WARN || fabsf(q.pitch_deg) > PITCH_WARN)
        q.warnings |= SB_WARN_EXTREME_POSE;

    float inside = inside_share(rgb, &u, sb_face_size(f)), step = brightness_step(rgb, &u);
    q.raw.in_frame = inside, q.raw.step = step;
    q.occlusion = fminf(ramp(inside, INSIDE_BAD, 1), 1 - ramp(step, STEP_GOOD, STEP_BAD));
    if (inside < INSIDE_WARN || step > STEP_WARN)
        q.warnings |= SB_WARN_OCCLUDED;

    for (int i = 0; i < faces->count; i++) {
        const sb_face_t *g = &faces->faces[i];
        float ratio = (g->w > g->h ? g->w : g->h) / q.face_px;
        if (i != subject && ratio > q.raw.other_face)
            q.raw.other_face = ratio;
    }
    if (q.raw.other_face >= OTHER_FACE_MIN)
        q.warnings |= SB_WARN_MULTIPLE_FACES;

    const float signal[5] = {q.sharpness, q.exposure, q.face_size, q.pose, q.occlusion};
    q.score = 1;
    for (int i = 0; i < 5; i++)
        q.score *= powf(signal[i], WEIGHT[i]);
    *out = q;
    return SB_OK;
}
