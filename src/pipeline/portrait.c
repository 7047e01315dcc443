/* portrait.c - decode, detect, gates, alignment with mesh-refined eyes, then the cut-out: the shared
 * first half of the face pipelines (see docs/internals/pipeline.md). */
#include "pipeline/portrait.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/filter.h"
#include "image/resample.h"
#include "render/light.h"
#include "vision/align.h"
#include "vision/collage.h"
#include "vision/face_neighbours.h"
#include "vision/focus.h"
#include "vision/foreground.h"
#include "vision/matte_edge.h"
#include "vision/matte_islands.h"
#include "vision/photo_frame.h"
#include "vision/quality.h"
#include "vision/subject.h"

/* The gates on the subject's face: found, large enough (a share of the photo, and pixels), in focus (a face far out of focus, as when the
 * photographer focused on someone or something else, is blown up into a soft, noisy headshot). */
static sb_err gate_input(const sb_detect_result_t *d, const sb_face_list_t *work_faces, const sb_image_t *work,
                         float *blur_out, sb_error_t *e)
{
    if (d->subject < 0)
        return sb_error_set(e, SB_ERR_NO_FACE, "image", "no face was found in the image");
    const sb_face_t *f = &work_faces->faces[d->subject];
    float fraction = sb_quality_face_fraction(f, work->width, work->height), blur;
    if (fraction < SB_MIN_FACE_FRACTION)
        return sb_error_set(e, SB_ERR_FACE_TOO_SMALL, "image",
                            "the face is %.1f%% of the image's shorter side; at least %.0f%% is needed",
                            floorf(1000.0f * fraction) / 10.0f, 100.0f * SB_MIN_FACE_FRACTION);
    float face_px = f->w > f->h ? f->w : f->h;
    if (face_px < SB_QUALITY_MIN_FACE_PX)
        return sb_error_set(e, SB_ERR_FACE_TOO_SMALL, "image",
                            "the face measures %.0f pixels in the photo (its box's longer side); at least %.0f "
                            "are needed, or the output is a blown-up blur: send a closer or larger photo",
                            face_px, SB_QUALITY_MIN_FACE_PX);
    sb_err err = sb_focus_face_blur(work, f, &blur, e);
    if (!err && blur > SB_FOCUS_BLUR_MAX)
        err = sb_error_set(e, SB_ERR_FACE_OUT_OF_FOCUS, "image",
                           "the face is out of focus (its edges are blurred by %.1f pixels at a 128-pixel face; at "
                           "most %.1f): the photo seems focused elsewhere; send one that is sharp on the face",
                           blur, SB_FOCUS_BLUR_MAX);
    *blur_out = blur;
    return err;
}

/* YuNet's eye points are coarse (their eye line wanders by up to +-3.5 degrees, and a head tilted 45
 * degrees can read as 22), so the eyes are measured again with the face mesh on the aligned crop, where
 * the face is large and nearly upright; when the eye line there is off by more than REALIGN_DEG the
 * crop is aligned again, at most REALIGN_PASSES times.
 * The mesh's reading is not the crop's roll: on a face rolled 20-40 degrees it reads less than the roll
 * (u2net_figure_skater: 9 of 25 degrees), and near level some faces read more, so turning by the reading
 * overshoots and alternates (fr_obama_partial_face: -0.73, 0.84, -0.68, ... for all six passes). So when a
 * reading's sign is the opposite of the pass before's (the turn overshot), the turn is a secant step: the
 * reading divided by its change per degree turned between the two passes (over 1 after an overshoot; at
 * most SECANT_MAX). A face read on one side all along turns by its readings, as before. */
#define REALIGN_DEG 0.5f
#define REALIGN_PASSES 6
#define SECANT_MAX 2.5f

/* The mesh averages n x n samples per pixel of its crop (mesh.c), n the working pixels per crop pixel: on a
 * working image twice the output's side a face's crop takes 4-8 working pixels per crop pixel, and 16-64
 * samples a pixel cost more than the net. So the working image round the subject's face (MESH_AREA x its
 * box's larger side, clipped) is shrunk once per photo to MESH_STEP working pixels per crop pixel of a 1.5x
 * crop of that box, and the mesh reads it from there. From 2x the shrink is a linear filter
 * (sb_image_shrink_area): lanczos3 there cost a third of the align stage on the 12 MP bench photo, the mesh
 * averages 2 x 2 samples of the source anyway, and its readings move by under 0.15 degrees
 * (docs/QUALITY.md, h11-align3). (A MESH_STEP of 1 costs about 30-45 CPU-ms less on the bench photo, but
 * moves the framing of borderline photos: inspireface_mask then passes the cut-out check only on its third
 * framing, wider, with a pale strip of the door frame beside her mask; docs/QUALITY.md, h11-align,
 * h11-align2 and h11-align3.) */
#define MESH_AREA 4.0f
#define MESH_STEP 2.0f

static sb_err mesh_source(sb_portrait_t *p, const sb_face_t *subject, const double m[6], const sb_image_t **src,
                          double pre[6], sb_error_t *e)
{
    float side = fmaxf(subject->w, subject->h);
    float shrink = 1.5f * side / SB_MESH_SIZE / MESH_STEP;
    *src = &p->work;
    memcpy(pre, m, sizeof(double) * 6);
    if (shrink < 1.5f)
        return SB_OK;
    if (!p->mesh_src.data) {
        float cx = subject->x + subject->w / 2, cy = subject->y + subject->h / 2, half = MESH_AREA * side / 2;
        int r[4] = {(int)fmaxf(0, floorf(cx - half)), (int)fmaxf(0, floorf(cy - half)),
                    (int)fminf((float)p->work.width, ceilf(cx + half)),
                    (int)fminf((float)p->work.height, ceilf(cy + half))};
        if (r[2] - r[0] < 2 * SB_MESH_SIZE || r[3] - r[1] < 2 * SB_MESH_SIZE)
            return SB_OK;
        int w = (int)lroundf((r[2] - r[0]) / shrink), h = (int)lroundf((r[3] - r[1]) / shrink);
        sb_err err = sb_image_shrink_area(&p->work, r, w, h, &p->mesh_src, e);
        if (err)
            return err;
        /* Pixel centres: shrunk pixel i covers working pixels r0 + i sx .. r0 + (i + 1) sx. */
        double sx = (double)(r[2] - r[0]) / w, sy = (double)(r[3] - r[1]) / h;
        const double a[6] = {sx, 0, r[0] + 0.5 * sx - 0.5, 0, sy, r[1] + 0.5 * sy - 0.5};
        memcpy(p->mesh_to_work, a, sizeof a);
    }
    const double *a = p->mesh_to_work;
    *src = &p->mesh_src;
    pre[0] = m[0] * a[0], pre[1] = m[1] * a[4], pre[2] = m[0] * a[2] + m[1] * a[5] + m[2];
    pre[3] = m[3] * a[0], pre[4] = m[4] * a[4], pre[5] = m[3] * a[2] + m[4] * a[5] + m[5];
    return SB_OK;
}

/* Refine `subject`'s eyes (working coordinates) from the mesh on the crop that m makes of `work` (the
 * mesh's own crop is sampled from `work`, or its shrunk copy, directly: the whole crop is warped once, when
 * the eyes are settled). *residual gets the roll left on the crop (0 when the mesh found no face). The mesh starts on
 * its own face box of the pass before (p->mesh_box, working coordinates), or on the first pass on the box
 * YuNet would draw round the face as it now lies in the crop (from its landmarks), not the input's box
 * turned with it (on a face turned 25-40 degrees that box is far larger than the face); it then crops
 * again on its own face (mesh.c), and its box is kept for the next pass. */
static sb_err refine_eyes(sb_studio_t *studio, sb_portrait_t *p, const double m[6], sb_face_t *subject,
                          float *residual, sb_detect_result_t *d, sb_error_t *e)
{
    sb_face_mesh_t *mesh;
    sb_face_t face = sb_align_face_map(m, subject);
    double scale = sqrt(fabs(m[0] * m[4] - m[1] * m[3]));
    if (p->mesh_box[2] > 0) {
        sb_point_t c = sb_align_point(m, (sb_point_t){p->mesh_box[0], p->mesh_box[1]});
        face.w = face.h = (float)(p->mesh_box[2] * scale);
        face.x = c.x - face.w / 2, face.y = c.y - face.h / 2;
    } else {
        sb_face_box_from_landmarks(&face);
    }
    int found = 0;
    *residual = 0;
    const sb_image_t *src;
    double pre[6];
    sb_err err = sb_studio_mesh(studio, &mesh, e);
    if (!err)
        err = mesh_source(p, subject, m, &src, pre, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_FACEMESH);
        err = sb_face_mesh_refine_eyes_in(mesh, src, pre, p->mesh_box[2] > 0 ? 0 : 1, &face, &found, e);
    }
    if (err || !found)
        return err;
    *residual = sb_face_roll_deg(&face);
    for (int k = 0; k < 2; k++)
        subject->lmk[k] = sb_align_unmap(m, face.lmk[k]);
    sb_point_t c = sb_align_unmap(m, (sb_point_t){face.x + face.w / 2, face.y + face.h / 2});
    p->mesh_box[0] = c.x, p->mesh_box[1] = c.y, p->mesh_box[2] = (float)(face.w / scale);
    return SB_OK;
}

/* Work on the picture inside a flat border (vision/photo_frame.h), so that its edge is the photo's edge
 * for the framing, the fade and the edge check; d->frame says where it lies in the upright input. */
static sb_err trim_frame(sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e)
{
    float kx = (float)d->upright_width / p->work.width, ky = (float)d->upright_height / p->work.height;
    int min_side = (int)ceilf(SB_MIN_IMAGE_SIDE / (kx > ky ? kx : ky)), r[4];
    if (!sb_photo_frame_find(&p->work, min_side, r))
        return SB_OK;
    sb_image_t inner;
    sb_err err = sb_image_crop(&p->work, r, &inner, e);
    if (err)
        return err;
    sb_image_free(&p->work);
    p->work = inner;
    d->work_width = inner.width, d->work_height = inner.height;
    d->frame[0] = (int)lrintf(r[0] * kx), d->frame[1] = (int)lrintf(r[1] * ky);
    d->frame[2] = (int)lrintf(r[2] * kx), d->frame[3] = (int)lrintf(r[3] * ky);
    return SB_OK;
}

/* A collage's subject is in one of its pictures (vision/collage.h): the tile of the subject chosen on
 * the whole collage is then the photo, exactly as the picture inside a flat frame is: its edge is the
 * photo's edge, and its faces are found again on it (the other tiles' people are other photos'), so a tile
 * gives the headshot that picture alone gives. A photo turned to find its faces is not looked at. d->frame
 * says where the tile lies in the upright input, d->collage that it is a tile. */
/* The smallest side (upright input pixels) of a collage's tile the people pipelines work on: half the
 * smallest photo's (SB_MIN_IMAGE_SIDE). */
#define SB_MIN_TILE_SIDE (SB_MIN_IMAGE_SIDE / 2)

static sb_err trim_collage(sb_studio_t *studio, sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e)
{
    if (d->subject < 0 || d->turn_deg)
        return SB_OK;
    const sb_face_t *s = &p->faces.faces[d->subject];
    int r[4];
    if (!sb_collage_find_tile(&p->work, s->x + s->w / 2, s->y + s->h / 2, r))
        return SB_OK;
    /* The working image's map to the upright input before the crop (it may already be a frame's inside). */
    const int *fr = d->frame;
    int framed = fr[2] > fr[0];
    float ox = framed ? (float)fr[0] : 0, oy = framed ? (float)fr[1] : 0;
    float kx = (float)(framed ? fr[2] - fr[0] : d->upright_width) / (float)p->work.width;
    float ky = (float)(framed ? fr[3] - fr[1] : d->upright_height) / (float)p->work.height;
    d->frame[0] = (int)lrintf(ox + r[0] * kx), d->frame[1] = (int)lrintf(oy + r[1] * ky);
    d->frame[2] = (int)lrintf(ox + r[2] * kx), d->frame[3] = (int)lrintf(oy + r[3] * ky);
    d->collage = 1;
    /* A tile is often smaller than a photo may be (ulfd_masked_grid's are 174 x 217 and make a clean, if
     * soft, headshot), but a thumbnail's face cannot make one. */
    int tw = d->frame[2] - d->frame[0], th = d->frame[3] - d->frame[1];
    if (tw < SB_MIN_TILE_SIDE || th < SB_MIN_TILE_SIDE)
        return sb_error_set(e, SB_ERR_IMAGE_TOO_SMALL, "image",
                            "the subject's picture in this collage is %dx%d; at least %dx%d is needed", tw, th,
                            SB_MIN_TILE_SIDE, SB_MIN_TILE_SIDE);
    sb_image_t tile;
    sb_err err = sb_image_crop(&p->work, r, &tile, e);
    if (err)
        return err;
    sb_image_free(&p->work);
    p->work = tile;
    d->work_width = tile.width, d->work_height = tile.height;
    sb_face_list_free(&p->faces);
    sb_face_list_free(&p->weak);
    sb_face_list_free(&d->faces);
    d->subject = -1;
    return sb_pipeline_find_faces(studio, &p->work, &p->faces, &p->weak, d, e);
}

sb_err sb_portrait_prepare(sb_studio_t *studio, const uint8_t *buf, size_t len, int width, int height,
                           sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e)
{
    memset(p, 0, sizeof *p);
    p->width = width;
    p->height = height;
    p->size = width < height ? width : height;
    sb_err err = sb_pipeline_decode(buf, len, (width > height ? width : height) * 2, SB_MIN_IMAGE_SIDE, &p->work, d,
                                    e);
    if (!err)
        err = trim_frame(p, d, e);
    if (!err)
        err = sb_pipeline_find_faces(studio, &p->work, &p->faces, &p->weak, d, e);
    if (!err)
        err = trim_collage(studio, p, d, e);
    /* The photo's size for the framing and the edge check: the working image as the faces were found on it
     * (turned upright, a frame's inside or a collage's tile). */
    p->src_width = p->work.width;
    p->src_height = p->work.height;
    if (!err)
        err = gate_input(d, &p->faces, &p->work, &p->face_blur, e);
    return err;
}

static void frame_subject(const sb_portrait_t *p, const sb_face_t *subject, const sb_framing_t *framing,
                          const sb_fit_limits_t *fit, double m[6], int *fitted)
{
    if (fit)
        *fitted = sb_align_face_fit(subject, framing, fit, p->work.width, p->work.height, p->width, p->height, m);
    else
        sb_align_face_in(subject, framing, p->work.width, p->work.height, p->width, p->height, m);
}

/* Turn f's two eye points about their midpoint so that their line's roll is `deg`. */
static void turn_eyes(sb_face_t *f, float deg)
{
    sb_point_t *l = f->lmk;
    float cx = (l[0].x + l[1].x) / 2, cy = (l[0].y + l[1].y) / 2;
    float half = hypotf(l[1].x - l[0].x, l[1].y - l[0].y) / 2, a = deg * (float)(M_PI / 180.0);
    float dx = half * cosf(a), dy = half * sinf(a);
    l[SB_LMK_LEFT_EYE] = (sb_point_t){cx + dx, cy + dy};
    l[SB_LMK_RIGHT_EYE] = (sb_point_t){cx - dx, cy - dy};
}

sb_err sb_portrait_place(sb_studio_t *studio, sb_portrait_t *p, const sb_framing_t *framing,
                         const sb_fit_limits_t *fit, sb_detect_result_t *d, sb_error_t *e)
{
    sb_image_free(&p->aligned);
    sb_image_free(&p->outside);
    sb_fimage_free(&p->alpha);
    sb_fimage_free(&p->islands);
    sb_fimage_free(&p->nets);
    sb_fimage_free(&p->salient);
    sb_fimage_free(&p->fg);
    sb_face_t *subject = &p->faces.faces[d->subject];
    double *m = p->m;
    frame_subject(p, subject, framing, fit, m, &p->fitted);
    sb_err err = SB_OK;
    float last_roll = 0, last_residual = 0; /* the pass before's crop roll and reading */
    p->passes = 0;
    for (int pass = 0; pass < REALIGN_PASSES; pass++) {
        float residual, roll = sb_face_roll_deg(subject); /* the roll m levels */
        err = refine_eyes(studio, p, m, subject, &residual, d, e);
        p->passes++;
        if (err || fabsf(residual) <= REALIGN_DEG)
            break;
        if (pass > 0 && residual * last_residual < 0 && fabsf(roll - last_roll) > 0.01f) {
            float gain = -(residual - last_residual) / (roll - last_roll);
            turn_eyes(subject, roll + residual / (gain > SECANT_MAX ? SECANT_MAX : gain));
        }
        last_roll = roll, last_residual = residual;
        frame_subject(p, subject, framing, fit, m, &p->fitted);
    }
    if (!err)
        err = sb_image_warp_affine(&p->work, m, p->width, p->height, &p->aligned, &p->outside, e);
    p->roll_deg = sb_face_roll_deg(subject);
    if (err)
        return err;
    p->face = sb_align_face_map(m, subject);
    memcpy(p->m, m, sizeof p->m);
    sb_stages_mark(&d->stages, "align");
    return SB_OK;
}

sb_err sb_portrait_align_framed(sb_studio_t *studio, const uint8_t *buf, size_t len, int width, int height,
                                const sb_framing_t *framing, sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e)
{
    sb_err err = sb_portrait_prepare(studio, buf, len, width, height, p, d, e);
    return err ? err : sb_portrait_place(studio, p, framing, NULL, d, e);
}

int sb_portrait_fits(const sb_portrait_t *p, int subject, const sb_framing_t *framing, const sb_fit_limits_t *fit)
{
    double m[6];
    return sb_align_face_fit(&p->faces.faces[subject], framing, fit, p->src_width, p->src_height, p->width, p->height,
                             m);
}

void sb_portrait_photo_quad(const sb_portrait_t *p, int out_width, int out_height, sb_point_t quad[4])
{
    float sx = (float)out_width / p->width, sy = (float)out_height / p->height;
    const float w = (float)p->src_width, h = (float)p->src_height;
    const sb_point_t corners[4] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
    for (int i = 0; i < 4; i++) {
        sb_point_t q = sb_align_point(p->m, corners[i]);
        quad[i] = (sb_point_t){q.x * sx, q.y * sy};
    }
}

sb_err sb_portrait_align(sb_studio_t *studio, const uint8_t *buf, size_t len, int size, sb_portrait_t *p,
                         sb_detect_result_t *d, sb_error_t *e)
{
    return sb_portrait_align_framed(studio, buf, len, size, size, &SB_FRAMING_HEADSHOT, p, d, e);
}

/* The box {x0, y0, x1, y1} (x1, y1 exclusive) of the non-zero pixels of a 1-band image inside the box
 * `in`; 0 when there are none. */
static int nonzero_box(const sb_image_t *m, const int in[4], int box[4])
{
    box[0] = in[2], box[1] = in[3], box[2] = box[3] = 0;
    for (int y = in[1]; y < in[3]; y++) {
        const uint8_t *row = m->data + (size_t)y * m->width;
        int x = in[0], last = in[2] - 1;
        while (x <= last && !row[x])
            x++;
        if (x > last)
            continue;
        while (!row[last])
            last--;
        box[0] = x < box[0] ? x : box[0];
        box[2] = last + 1 > box[2] ? last + 1 : box[2];
        box[1] = y < box[1] ? y : box[1];
        box[3] = y + 1;
    }
    return box[2] > 0;
}

sb_err sb_portrait_fade_outside(sb_fimage_t *alpha, const sb_image_t *outside, float sigma, sb_error_t *e)
{
    /* Only the pixels near the photo's surroundings change, and those hug the frame's sides. The blur is
     * linear, so each quarter of the frame's 'outside' pixels is blurred on its own and the results added:
     * sb_blur is three boxes of radius r <= sigma + 0.5, so a pixel more than 4 r from every non-zero one
     * reads zeros in every pass, and blurring a quarter's non-zero box grown by that margin gives its
     * whole-frame values. A frame the photo covers costs one pass over the mask. */
    int w = outside->width, h = outside->height, margin = 4 * (int)ceilf(sigma + 0.5f) + 1;
    int all[4] = {w, h, 0, 0}; /* the union of the quarters' boxes */
    sb_fimage_t o = {0};       /* the sum of the quarters' blurs, allocated at the first */
    sb_err err = SB_OK;
    for (int q = 0; q < 4 && !err; q++) {
        const int part[4] = {q & 1 ? w / 2 : 0, q & 2 ? h / 2 : 0, q & 1 ? w : w / 2, q & 2 ? h : h / 2};
        int b[4];
        if (!nonzero_box(outside, part, b))
            continue;
        b[0] = b[0] > margin ? b[0] - margin : 0, b[1] = b[1] > margin ? b[1] - margin : 0;
        b[2] = b[2] + margin < w ? b[2] + margin : w, b[3] = b[3] + margin < h ? b[3] + margin : h;
        int bw = b[2] - b[0], bh = b[3] - b[1];
        if (!o.data) {
            if ((err = sb_fimage_alloc(&o, w, h, 1, e)) != SB_OK)
                break;
            memset(o.data, 0, (size_t)w * h * sizeof *o.data);
        }
        float *t = malloc((size_t)bw * bh * sizeof *t);
        if (!t) {
            err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the fade");
            break;
        }
        for (int y = b[1]; y < b[3]; y++)
            for (int x = b[0]; x < b[2]; x++) {
                int mine = x >= part[0] && x < part[2] && y >= part[1] && y < part[3];
                t[(size_t)(y - b[1]) * bw + x - b[0]] = mine ? outside->data[(size_t)y * w + x] * (1.0f / 255.0f) : 0;
            }
        err = sb_blur(t, t, bw, bh, 1, sigma, e);
        for (int y = 0; !err && y < bh; y++)
            for (int x = 0; x < bw; x++)
                o.data[(size_t)(b[1] + y) * w + b[0] + x] += t[(size_t)y * bw + x];
        free(t);
        all[0] = b[0] < all[0] ? b[0] : all[0], all[1] = b[1] < all[1] ? b[1] : all[1];
        all[2] = b[2] > all[2] ? b[2] : all[2], all[3] = b[3] > all[3] ? b[3] : all[3];
    }
    for (int y = all[1]; !err && y < all[3]; y++)
        for (int x = all[0]; x < all[2]; x++) {
            size_t i = (size_t)y * w + x;
            float keep = 1.0f - 2.0f * o.data[i];
            alpha->data[i] *= keep < 0 ? 0 : keep;
        }
    sb_fimage_free(&o);
    return err;
}

/* Clear the parts of p->alpha that belong to another face found, or to none (every face mapped to the crop,
 * and the weak faces the matte holds apart from them: sb_matte_holds_other), after measuring what of
 * another person a generous split would leave beside the face (p->other_person) and whether one of those
 * faces touches the subject's (p->cheek_to_cheek). */
static sb_err keep_subject(sb_portrait_t *p, const sb_fimage_t *guide, int subject, sb_error_t *e)
{
    int n = p->faces.count;
    sb_face_t *faces = malloc((size_t)(n + p->weak.count + 1) * sizeof *faces);
    if (!faces)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the faces in the crop");
    for (int k = 0; k < n; k++)
        faces[k] = k == subject ? p->face : sb_align_face_map(p->m, &p->faces.faces[k]);
    int strong = n;
    for (int k = 0; k < p->weak.count; k++) {
        faces[n] = sb_align_face_map(p->m, &p->weak.faces[k]);
        n += sb_matte_holds_other(&p->alpha, &faces[n], faces, strong);
    }
    p->cheek_to_cheek = sb_faces_touch(faces, n, subject);
    sb_err err = sb_matte_other_share(&p->alpha, guide, faces, n, subject, &p->other_person, e);
    if (!err)
        err = sb_matte_keep_subject(&p->alpha, guide, faces, n, subject, e);
    free(faces);
    return err;
}

sb_err sb_portrait_cutout(sb_studio_t *studio, sb_portrait_t *p, int salient, sb_detect_result_t *d,
                          sb_error_t *e)
{
    int n = p->size;
    const sb_face_t *face = &p->face;
    sb_fimage_t guide = {0}, lit = {0};
    sb_matter_t *matter;
    sb_err err = sb_image_to_float(&p->aligned, &guide, e);
    if (!err)
        err = sb_studio_matter(studio, &matter, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_SELFIE_SEG);
        if (salient)
            sb_detect_result_add_model(d, SB_MODEL_U2NETP);
        sb_fimage_free(&p->salient);
        err = salient ? sb_matte_person_nets(matter, &p->aligned, &guide, 0, &p->alpha, &p->salient, e)
                      : sb_matte_selfie(matter, &p->aligned, &guide, 1, &p->alpha, e);
    }
    if (!err)
        err = keep_subject(p, &guide, d->subject, e);
    sb_fimage_free(&p->nets);
    if (!err)
        err = sb_fimage_copy(&p->alpha, &p->nets, e);
    if (!err)
        /* The soft edge from the photo's own colours: the old wall out of the hair, not the hair out. */
        err = sb_matte_edge_refine(&guide, &p->alpha, &p->face, e);
    if (!err)
        /* What the split left apart from the face, and what the edge solve made of it (a curtain's patch). */
        err = sb_matte_drop_islands(&p->alpha, &p->face, &p->islands, e);
    if (!err)
        /* Over about 1% of the frame: a photo that ends inside the frame ends gently, not on a hard line. */
        err = sb_portrait_fade_outside(&p->alpha, &p->outside, p->alpha.width * 0.01f, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "matte");

    err = sb_image_to_linear(&p->aligned, &lit, e);
    if (err)
        goto done;
    sb_ellipse_t region = {face->x + face->w / 2, face->y + face->h / 2, face->w * 0.38f, face->h * 0.45f};
    sb_light_t light = sb_light_measure(&lit, &p->alpha, region);
    err = sb_light_apply_srgb(&p->aligned, &light, &lit, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "light");

    err = sb_foreground_estimate(&lit, &p->alpha, n * 9 / 100, n / 130 < 3 ? 3 : n / 130, &p->fg, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "foreground");
done:
    sb_fimage_free(&guide);
    sb_fimage_free(&lit);
    return err;
}

void sb_portrait_free(sb_portrait_t *p)
{
    if (!p)
        return;
    sb_image_free(&p->work);
    sb_face_list_free(&p->faces);
    sb_face_list_free(&p->weak);
    sb_image_free(&p->aligned);
    sb_image_free(&p->outside);
    sb_fimage_free(&p->alpha);
    sb_fimage_free(&p->islands);
    sb_fimage_free(&p->nets);
    sb_fimage_free(&p->salient);
    sb_fimage_free(&p->fg);
    sb_image_free(&p->mesh_src);
}
