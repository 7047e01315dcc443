/* headshot.c - the corporate headshot pipeline (see docs/internals/pipeline.md for the stage list). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/filter.h"
#include "image/resample.h"
#include "pipeline/studio.h"
#include "render/backdrop.h"
#include "render/composite.h"
#include "render/detail.h"
#include "render/light.h"
#include "vision/align.h"
#include "vision/foreground.h"

#define SIZE_DEFAULT 800
#define SIZE_MIN 128
#define SIZE_MAX_PX 4096

static sb_err check_opts(const sb_headshot_opts_t *in, sb_headshot_opts_t *o, sb_error_t *e)
{
    *o = in ? *in : (sb_headshot_opts_t){0};
    if (o->size == 0)
        o->size = SIZE_DEFAULT;
    if (o->size < SIZE_MIN || o->size > SIZE_MAX_PX)
        return sb_error_set(e, SB_ERR_USAGE, "size", "size must be %d..%d pixels, got %d", SIZE_MIN, SIZE_MAX_PX, o->size);
    if (o->format == SB_FMT_UNKNOWN)
        o->format = SB_FMT_PNG;
    if (o->format != SB_FMT_PNG && o->format != SB_FMT_JPEG && o->format != SB_FMT_WEBP)
        return sb_error_set(e, SB_ERR_USAGE, "format", "output format must be png, jpeg or webp");
    if (o->quality == 0)
        o->quality = 90;
    if (o->quality < 1 || o->quality > 100)
        return sb_error_set(e, SB_ERR_USAGE, "quality", "quality must be 1..100, got %d", o->quality);
    return SB_OK;
}

static sb_err gate_input(const sb_detect_result_t *d, const sb_face_list_t *work_faces, int work_w, int work_h,
                         sb_error_t *e)
{
    if (d->upright_width < SB_MIN_IMAGE_SIDE || d->upright_height < SB_MIN_IMAGE_SIDE)
        return sb_error_set(e, SB_ERR_IMAGE_TOO_SMALL, "image", "image is %dx%d; at least %dx%d is needed",
                            d->upright_width, d->upright_height, SB_MIN_IMAGE_SIDE, SB_MIN_IMAGE_SIDE);
    if (d->subject < 0)
        return sb_error_set(e, SB_ERR_NO_FACE, "image", "no face was found in the image");
    const sb_face_t *f = &work_faces->faces[d->subject];
    float short_side = (float)(work_w < work_h ? work_w : work_h);
    float face = f->w > f->h ? f->w : f->h;
    if (face < SB_MIN_FACE_FRACTION * short_side)
        return sb_error_set(e, SB_ERR_FACE_TOO_SMALL, "image",
                            "the face is %.0f%% of the image's shorter side; at least %.0f%% is needed",
                            100.0f * face / short_side, 100.0f * SB_MIN_FACE_FRACTION);
    return SB_OK;
}

/* Nothing outside the source photo is the person: fade alpha to 0 there, over a soft band (about 1% of
 * the frame) so a photo that ends inside the frame ends gently rather than with a hard line. */
static sb_err clear_outside(sb_fimage_t *alpha, const sb_image_t *outside, sb_error_t *e)
{
    sb_fimage_t o = {0};
    sb_err err = sb_image_to_float(outside, &o, e);
    if (!err)
        err = sb_blur(o.data, o.data, o.width, o.height, 1, alpha->width * 0.01f, e);
    if (!err) {
        size_t n = (size_t)alpha->width * alpha->height;
        for (size_t i = 0; i < n; i++) {
            float keep = 1.0f - 2.0f * o.data[i];
            alpha->data[i] *= keep < 0 ? 0 : keep;
        }
    }
    sb_fimage_free(&o);
    return err;
}

/* Everything after alignment, on the aligned square crop: returns the final sRGB float image in `out`. */
static sb_err render(sb_studio_t *studio, const sb_image_t *aligned, const sb_image_t *outside,
                     const sb_face_t *face, sb_fimage_t *out, sb_detect_result_t *d, sb_error_t *e)
{
    int n = aligned->width;
    sb_fimage_t guide = {0}, alpha = {0}, lit = {0}, fg = {0};
    sb_matter_t *matter;
    sb_err err = sb_image_to_float(aligned, &guide, e);
    if (!err)
        err = sb_studio_matter(studio, &matter, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_SELFIE_SEG);
        err = sb_matte_person(matter, aligned, &guide, &alpha, e);
    }
    if (!err)
        err = clear_outside(&alpha, outside, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "matte");

    err = sb_image_to_float(aligned, &lit, e);
    if (err)
        goto done;
    sb_fimage_srgb_to_linear(&lit);
    sb_ellipse_t region = {face->x + face->w / 2, face->y + face->h / 2, face->w * 0.38f, face->h * 0.45f};
    sb_light_t light = sb_light_measure(&lit, &alpha, region);
    sb_light_apply(&lit, &light);
    sb_fimage_linear_to_srgb(&lit);
    sb_stages_mark(&d->stages, "light");

    err = sb_foreground_estimate(&lit, &alpha, n * 9 / 100, n / 130 < 3 ? 3 : n / 130, &fg, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "foreground");

    err = sb_detail_enhance(&fg, &alpha, &SB_DETAIL_HEADSHOT, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "detail");

    err = sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, n, n, out, e);
    if (!err)
        err = sb_composite_over(&fg, &alpha, out, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "composite");
done:
    sb_fimage_free(&guide);
    sb_fimage_free(&alpha);
    sb_fimage_free(&lit);
    sb_fimage_free(&fg);
    return err;
}

/* YuNet's eye points are coarse (their eye line wanders by up to +-3.5 degrees, and a head tilted 45
 * degrees can read as 22), so the eyes are measured again with the face mesh on the aligned crop, where
 * the face is large and nearly upright; when the eye line there is off by more than REALIGN_DEG the
 * crop is aligned again, at most REALIGN_PASSES times. */
#define REALIGN_DEG 0.5f
#define REALIGN_PASSES 3

/* Refine `subject`'s eyes (working coordinates) from the mesh on `aligned` (made by m). *residual gets
 * the roll left on the aligned crop (0 when the mesh found no face). */
static sb_err refine_eyes(sb_studio_t *studio, const sb_image_t *aligned, const double m[6], sb_face_t *subject,
                          float *residual, sb_detect_result_t *d, sb_error_t *e)
{
    sb_face_mesh_t *mesh;
    sb_face_t face = sb_align_face_map(m, subject);
    int found = 0;
    *residual = 0;
    sb_err err = sb_studio_mesh(studio, &mesh, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_FACEMESH);
        err = sb_face_mesh_refine_eyes(mesh, aligned, &face, &found, e);
    }
    if (err || !found)
        return err;
    *residual = sb_face_roll_deg(&face);
    for (int k = 0; k < 2; k++)
        subject->lmk[k] = sb_align_unmap(m, face.lmk[k]);
    return SB_OK;
}

sb_err sb_headshot(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_headshot_opts_t *opts,
                   sb_headshot_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    sb_headshot_opts_t o;
    sb_image_t work = {0}, aligned = {0}, outside = {0}, final8 = {0};
    sb_face_list_t faces = {0};
    sb_fimage_t final = {0};
    sb_err err = check_opts(opts, &o, e);
    if (!err)
        err = sb_pipeline_decode(buf, len, o.size * 2, &work, d, e);
    if (!err)
        err = sb_pipeline_find_faces(studio, &work, &faces, d, e);
    if (!err)
        err = gate_input(d, &faces, work.width, work.height, e);
    if (err)
        goto done;

    sb_face_t *subject = &faces.faces[d->subject];
    double m[6];
    sb_align_face_in(subject, &SB_FRAMING_HEADSHOT, work.width, work.height, o.size, o.size, m);
    err = sb_image_warp_affine(&work, m, o.size, o.size, &aligned, &outside, e);
    for (int pass = 0; !err && pass < REALIGN_PASSES; pass++) {
        float residual;
        err = refine_eyes(studio, &aligned, m, subject, &residual, d, e);
        if (err || fabsf(residual) <= REALIGN_DEG)
            break;
        sb_image_free(&aligned);
        sb_image_free(&outside);
        sb_align_face_in(subject, &SB_FRAMING_HEADSHOT, work.width, work.height, o.size, o.size, m);
        err = sb_image_warp_affine(&work, m, o.size, o.size, &aligned, &outside, e);
    }
    res->roll_deg = sb_face_roll_deg(subject);
    if (err)
        goto done;
    sb_image_free(&work);
    sb_face_t face = sb_align_face_map(m, subject);
    sb_stages_mark(&d->stages, "align");

    err = render(studio, &aligned, &outside, &face, &final, d, e);
    if (!err)
        err = sb_fimage_to_u8(&final, &final8, e);
    if (!err)
        err = sb_io_encode(&final8, o.format, o.quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    res->width = res->height = o.size;
    res->format = o.format;
    sb_stages_mark(&d->stages, "encode");
done:
    sb_face_list_free(&faces);
    sb_image_free(&work);
    sb_image_free(&aligned);
    sb_image_free(&outside);
    sb_image_free(&final8);
    sb_fimage_free(&final);
    if (err)
        sb_headshot_result_free(res);
    return err;
}

void sb_headshot_result_free(sb_headshot_result_t *res)
{
    if (!res)
        return;
    sb_detect_result_free(&res->detect);
    free(res->output);
    res->output = NULL;
    res->output_len = 0;
}
