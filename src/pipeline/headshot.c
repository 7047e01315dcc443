/* headshot.c - the corporate headshot pipeline (see docs/internals/pipeline.md for the stage list). */
#include <stdlib.h>
#include <string.h>

#include "pipeline/cutout_qa.h"
#include "pipeline/portrait.h"
#include "render/backdrop.h"
#include "render/composite.h"
#include "render/detail.h"

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

/* The cut-out strategies, tried in order until the delivered image passes the cut-out check: the
 * headshot framing fitted to the photo, then a close-up, then a closer one still (for photos cropped
 * tight around the face). The retries also fade the person out over a wider band where the photo still
 * ends inside the frame, so no hard line is left. The first strategy that is cut out uses the selfie
 * net's matte (fast); a cut-out made again after a failed check uses the matte of both nets. */
typedef struct {
    const sb_fit_limits_t *fit;
    float fade;      /* where the photo ends inside the frame, fade the person out over this share of it */
} strategy_t;

static const sb_fit_limits_t FIT_TIGHT = {.face_frac_max = 0.90f, .shift_x = 0.15f, .shift_up = 0.15f,
                                          .shift_down = 0.15f, .head = 1};
static const strategy_t strategies[SB_HEADSHOT_STRATEGIES] = {
    {&SB_FIT_HEADSHOT, 0}, {&SB_FIT_CLOSEUP, 0.03f}, {&FIT_TIGHT, 0.05f}};

/* One strategy, from the placed subject to the composited frame, checked. */
static sb_err attempt(sb_studio_t *studio, const sb_headshot_opts_t *o, const strategy_t *st, int salient,
                      sb_portrait_t *p, sb_detect_result_t *d, sb_image_t *final8, sb_cutout_check_t *check,
                      sb_error_t *e)
{
    sb_fimage_t final = {0};
    sb_err err = sb_portrait_cutout(studio, p, salient, d, e);
    if (!err && st->fade > 0)
        err = sb_portrait_fade_outside(&p->alpha, &p->outside, st->fade * p->size, e);
    if (!err)
        err = sb_detail_enhance(&p->fg, &p->alpha, &SB_DETAIL_HEADSHOT, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "detail");
    err = sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, o->size, o->size, &final, e);
    if (!err)
        err = sb_composite_over(&p->fg, &p->alpha, &final, e);
    if (!err)
        err = sb_fimage_to_u8(&final, final8, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "composite");
    sb_point_t quad[4];
    sb_portrait_photo_quad(p, o->size, o->size, quad);
    err = sb_cutout_check(studio, final8, &p->alpha, &p->face, quad, check, e);
    sb_stages_mark(&d->stages, "qa");
done:
    sb_fimage_free(&final);
    return err;
}

sb_err sb_headshot(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_headshot_opts_t *opts,
                   sb_headshot_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    sb_headshot_opts_t o;
    sb_portrait_t p = {0};
    sb_image_t final8 = {0};
    sb_err err = check_opts(opts, &o, e);
    if (!err)
        err = sb_portrait_prepare(studio, buf, len, o.size, o.size, &p, d, e);
    if (!err)
        err = sb_quality_assess(&p.work, &p.faces, d->subject, &res->quality, e);
    if (err)
        goto done;
    res->warnings = res->quality.warnings;
    sb_stages_mark(&d->stages, "quality");

    int cut = 0; /* strategies cut out so far */
    for (int k = 0; k < SB_HEADSHOT_STRATEGIES; k++) {
        res->cutout.attempts = k + 1;
        /* A framing that cannot keep the photo's border off the bust would fail its check: the next one,
         * unless it is the last, is tried without placing or cutting this one out (checked again once the
         * eyes are refined by the placing). */
        bool last = k + 1 == SB_HEADSHOT_STRATEGIES;
        if (!last && !sb_portrait_fits(&p, d->subject, &SB_FRAMING_HEADSHOT, strategies[k].fit))
            continue;
        if ((err = sb_portrait_place(studio, &p, &SB_FRAMING_HEADSHOT, strategies[k].fit, d, e)))
            break;
        res->roll_deg = p.roll_deg;
        if (!p.fitted && !last)
            continue;
        sb_image_free(&final8);
        err = attempt(studio, &o, &strategies[k], cut++ > 0, &p, d, &final8, &res->cutout, e);
        res->cutout.attempts = k + 1;
        if (err || res->cutout.pass)
            break;
    }
    if (!err && !res->cutout.pass)
        err = sb_error_set(e, SB_ERR_CUTOUT_FAILED, "image",
                           "no cut-out passed its check after %d strategies (%s)", SB_HEADSHOT_STRATEGIES,
                           res->cutout.output_face_count != 1 ? "the output does not hold exactly one face"
                           : res->cutout.photo_edge_visible ? "the photo's edge shows"
                                                            : "the matte kept background or was unsure");
    if (err)
        goto done;

    err = sb_io_encode(&final8, o.format, o.quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    res->width = res->height = o.size;
    res->format = o.format;
    sb_stages_mark(&d->stages, "encode");
done:
    sb_portrait_free(&p);
    sb_image_free(&final8);
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
