/* face_verify.c - face mesh, geometry and skin on the levelled face crop; the search over quarter turns. */
#include "vision/face_verify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"

/* MediaPipe mesh indices of YuNet's five points: each eye as the mean of its two corners, the nose tip,
 * the mouth corners (subject's right first, as YuNet orders them). */
static const int eye_corners[2][2] = {{33, 133}, {362, 263}};
#define MESH_NOSE 4
#define MESH_MOUTH_RIGHT 61
#define MESH_MOUTH_LEFT 291

/* The mesh's face outline (silhouette), in order. */
static const int face_oval[] = {10,  338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288,
                                397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136,
                                172, 58,  132, 93,  234, 127, 162, 21,  54,  103, 67,  109};
#define N_OVAL (int)(sizeof face_oval / sizeof *face_oval)

/* Crop side over the larger box side (the MANIFEST's crop: YuNet box, squared, 1.5x). */
#define CROP_SCALE 1.5f

/* The limits, from the faces and hard negatives of shared/testdata (bench/faces; docs/internals/vision.md):
 * real faces found at YuNet >= 0.8 have mesh >= 0.93 but for faces half out of the frame (0.16); a face
 * in a colour crop (chroma >= 5.6) has >= 23% skin where the meerkat and the lemur YuNet nearly takes
 * (chroma 18.5 and 7.6) have 4%; black-and-white photos have chroma 0-5.3. */
#define MESH_MIN 0.5f
#define LMK_ERROR_MAX 1.0f
#define SKIN_MIN 0.12f
#define COLOUR_MIN 6.5f /* crop chroma under which the photo is taken as grey and skin is not judged */

/* The turn search: a best face under WEAK_SCORE makes the photo try its turns (upside-down faces reach
 * 0.914, upright ones mostly 0.92-0.96); a turn must beat the upright photo's best by TURN_MARGIN. */
#define WEAK_SCORE 0.93f
#define TURN_MARGIN 0.02f

static sb_point_t mesh_point(const float *pts, int i)
{
    return (sb_point_t){pts[i * 3], pts[i * 3 + 1]};
}

/* Where the mesh's face outline crosses row y: the x of each crossing, as the even-odd test against the
 * outline computes it (x lies inside when an odd number of the crossings are right of it). Returns how many. */
static int oval_crossings(const float *pts, float y, float xs[N_OVAL])
{
    int n = 0;
    for (int i = 0, j = N_OVAL - 1; i < N_OVAL; j = i++) {
        sb_point_t a = mesh_point(pts, face_oval[i]), b = mesh_point(pts, face_oval[j]);
        if ((a.y > y) != (b.y > y))
            xs[n++] = (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x;
    }
    return n;
}

/* Skin fraction inside the outline (Chai and Ngan's YCbCr box: Cb 77..127, Cr 133..173) and the mean
 * chroma of the whole crop. */
static void skin_and_colour(const sb_image_t *crop, const float *pts, float *skin, float *colour)
{
    long n = 0, k = 0;
    double chroma = 0;
    float xs[N_OVAL];
    for (int y = 0; y < crop->height; y++) {
        int crossings = oval_crossings(pts, (float)y, xs);
        for (int x = 0; x < crop->width; x++) {
            const uint8_t *p = crop->data + ((size_t)y * crop->width + x) * 3;
            float cb = 128 - 0.168736f * p[0] - 0.331264f * p[1] + 0.5f * p[2];
            float cr = 128 + 0.5f * p[0] - 0.418688f * p[1] - 0.081312f * p[2];
            chroma += fabsf(cb - 128) + fabsf(cr - 128);
            int in = 0;
            for (int c = 0; c < crossings; c++)
                in ^= (float)x < xs[c];
            if (in) {
                n++;
                k += cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
            }
        }
    }
    *skin = n ? (float)k / n : 0;
    *colour = (float)(chroma / ((double)crop->width * crop->height));
}

sb_err sb_face_verify(sb_face_mesh_t *mesh, const sb_image_t *rgb, const sb_face_t *f, sb_face_check_t *out,
                      sb_error_t *e)
{
    *out = (sb_face_check_t){0};
    /* Level the eye line about the box centre, the box squared and enlarged CROP_SCALE times. */
    float roll = sb_face_roll_deg(f) * (float)(M_PI / 180.0);
    float side = CROP_SCALE * (f->w > f->h ? f->w : f->h);
    double k = SB_MESH_SIZE / side, c = k * cos(roll), s = k * sin(roll);
    double cx = f->x + f->w / 2, cy = f->y + f->h / 2, half = SB_MESH_SIZE / 2.0;
    const double m[6] = {c, s, half - (c * cx + s * cy), -s, c, half - (-s * cx + c * cy)};
    sb_image_t crop = {0};
    float *pts = malloc(sizeof(float) * SB_MESH_POINTS * 3);
    if (!pts)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face mesh points");
    sb_err err = sb_face_mesh_run(mesh, rgb, m, &out->mesh, pts, &crop, e);
    if (err) {
        free(pts);
        return err;
    }
    skin_and_colour(&crop, pts, &out->skin, &out->colour);
    sb_image_free(&crop);

    /* YuNet's points on the crop, beside the mesh's. */
    sb_point_t y[5], q[5];
    for (int i = 0; i < 5; i++)
        y[i] = (sb_point_t){(float)(m[0] * f->lmk[i].x + m[1] * f->lmk[i].y + m[2]),
                            (float)(m[3] * f->lmk[i].x + m[4] * f->lmk[i].y + m[5])};
    for (int i = 0; i < 2; i++) {
        sb_point_t a = mesh_point(pts, eye_corners[i][0]), b = mesh_point(pts, eye_corners[i][1]);
        q[i] = (sb_point_t){(a.x + b.x) / 2, (a.y + b.y) / 2};
    }
    q[SB_LMK_NOSE] = mesh_point(pts, MESH_NOSE);
    q[SB_LMK_MOUTH_RIGHT] = mesh_point(pts, MESH_MOUTH_RIGHT);
    q[SB_LMK_MOUTH_LEFT] = mesh_point(pts, MESH_MOUTH_LEFT);
    free(pts);
    float eye_dist = hypotf(y[1].x - y[0].x, y[1].y - y[0].y), sum = 0;
    for (int i = 0; i < 5; i++)
        sum += hypotf(q[i].x - y[i].x, q[i].y - y[i].y);
    out->lmk_error = eye_dist > 0 ? sum / 5 / eye_dist : INFINITY;

    /* On the levelled crop the eyes are on one row; a face's mouth and nose are below it. */
    float eye_y = (y[0].y + y[1].y) / 2, mouth_y = (y[3].y + y[4].y) / 2;
    out->upright = mouth_y > eye_y && y[SB_LMK_NOSE].y > eye_y;
    out->verified = out->upright && out->mesh >= MESH_MIN && out->lmk_error <= LMK_ERROR_MAX &&
                    (out->colour < COLOUR_MIN || out->skin >= SKIN_MIN);
    return SB_OK;
}

sb_point_t sb_turn_point(sb_point_t p, int width, int height, int turns)
{
    switch (turns & 3) {
    case 1:
        return (sb_point_t){height - 1 - p.y, p.x};
    case 2:
        return (sb_point_t){width - 1 - p.x, height - 1 - p.y};
    case 3:
        return (sb_point_t){p.y, width - 1 - p.x};
    default:
        return p;
    }
}

sb_face_t sb_turn_face(const sb_face_t *f, int width, int height, int turns)
{
    sb_face_t r = *f;
    /* The box's corners are pixel edges, not centres: turn its two corners as points of a (w+1) x (h+1)
     * grid so that a box covering the whole image still does. */
    sb_point_t a = sb_turn_point((sb_point_t){f->x, f->y}, width + 1, height + 1, turns);
    sb_point_t b = sb_turn_point((sb_point_t){f->x + f->w, f->y + f->h}, width + 1, height + 1, turns);
    r.x = fminf(a.x, b.x), r.y = fminf(a.y, b.y);
    r.w = fabsf(a.x - b.x), r.h = fabsf(a.y - b.y);
    for (int i = 0; i < 5; i++)
        r.lmk[i] = sb_turn_point(f->lmk[i], width, height, turns);
    return r;
}

/* One orientation: YuNet's faces (sorted by score), the first `checked` of them settled (the verified ones
 * moved to the front, `kept` of them), and the best verified score; and its weak faces (sorted by score). */
typedef struct {
    sb_face_list_t faces, weak;
    int checked, kept;
    float best;
} probe_t;

static void probe_free(probe_t *p)
{
    sb_face_list_free(&p->faces);
    sb_face_list_free(&p->weak);
}

/* Check faces from probe->checked on, best score first, until `all` are checked or, when !all, the first
 * one passes (which is then the best: the list is sorted by score). */
static sb_err settle(sb_face_mesh_t *mesh, const sb_image_t *img, probe_t *p, bool all, sb_error_t *e)
{
    for (; p->checked < p->faces.count; p->checked++) {
        sb_face_check_t c;
        sb_err err = sb_face_verify(mesh, img, &p->faces.faces[p->checked], &c, e);
        if (err)
            return err;
        if (!c.verified)
            continue;
        if (p->kept == 0)
            p->best = p->faces.faces[p->checked].score;
        p->faces.faces[p->kept++] = p->faces.faces[p->checked];
        if (!all) {
            p->checked++;
            break;
        }
    }
    if (all)
        p->faces.count = p->kept;
    return SB_OK;
}

/* Detect on `img` (down to SB_FACE_WEAK_MIN: the faces under SB_FACE_SCORE_MIN go to p->weak, unchecked)
 * and settle its faces far enough to know the best verified score (or all of them). */
static sb_err probe(sb_face_detector_t *det, sb_face_mesh_t *mesh, const sb_image_t *img, probe_t *p, bool all,
                    sb_error_t *e)
{
    memset(p, 0, sizeof *p);
    sb_err err = sb_face_detect_min(det, img, SB_FACE_WEAK_MIN, &p->faces, e);
    int strong = 0;
    while (!err && strong < p->faces.count && p->faces.faces[strong].score >= SB_FACE_SCORE_MIN)
        strong++;
    if (!err && strong < p->faces.count) {
        p->weak.count = p->faces.count - strong;
        if (!(p->weak.faces = malloc((size_t)p->weak.count * sizeof *p->weak.faces)))
            err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for weak faces");
        else
            memcpy(p->weak.faces, p->faces.faces + strong, (size_t)p->weak.count * sizeof *p->weak.faces);
        p->faces.count = strong;
    }
    if (!err)
        err = settle(mesh, img, p, all, e);
    if (err)
        probe_free(p);
    return err;
}

sb_err sb_face_find(sb_face_detector_t *det, sb_face_mesh_t *mesh, const sb_image_t *rgb, sb_face_list_t *out,
                    sb_face_list_t *weak, int *turns, sb_image_t *turned, sb_error_t *e)
{
    *turns = 0;
    memset(turned, 0, sizeof *turned);
    memset(out, 0, sizeof *out);
    if (weak)
        memset(weak, 0, sizeof *weak);
    /* Each orientation's faces are checked only as far as its best verified face; the winner's, all. */
    probe_t win;
    sb_err err = probe(det, mesh, rgb, &win, false, e);
    if (err)
        return err;
    if (win.best < WEAK_SCORE) {
        /* Weak or none: the photo may be on its side or upside down. */
        float need = win.best > 0 ? win.best + TURN_MARGIN : 0;
        for (int t = 1; t <= 3 && !err; t++) {
            sb_image_t img = {0};
            probe_t p = {0};
            err = sb_image_rotate(rgb, t, &img, e);
            if (!err)
                err = probe(det, mesh, &img, &p, false, e);
            if (!err && p.best > need) {
                probe_free(&win);
                sb_image_free(turned);
                win = p, *turned = img, *turns = t, need = p.best;
                continue;
            }
            probe_free(&p);
            sb_image_free(&img);
        }
    }
    if (!err)
        err = settle(mesh, *turns ? turned : rgb, &win, true, e);
    if (err) {
        probe_free(&win);
        sb_image_free(turned);
        *turns = 0;
        return err;
    }
    *out = win.faces;
    if (weak)
        *weak = win.weak;
    else
        sb_face_list_free(&win.weak);
    return SB_OK;
}
