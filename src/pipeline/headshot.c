/* headshot.c - the corporate headshot pipeline (see docs/internals/pipeline.md for the stage list). */
#include <stdlib.h>
#include <string.h>

#include "pipeline/strategy.h"
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

/* One attempt of the cut-out strategies (pipeline/strategy.h): from the cut-out to the composited frame,
 * checked. The frame is kept in the context until the next attempt. */
typedef struct {
    const sb_headshot_opts_t *o;
    sb_detect_result_t *d;
    sb_image_t final8;
} attempt_t;

static sb_err attempt(void *ctx, sb_studio_t *studio, sb_portrait_t *p, const sb_cutout_strategy_t *st,
                      sb_cutout_check_t *check, sb_error_t *e)
{
    attempt_t *a = ctx;
    sb_fimage_t final = {0};
    sb_image_free(&a->final8);
    sb_err err = sb_detail_enhance(&p->fg, &p->alpha, &SB_DETAIL_HEADSHOT, e);
    if (err)
        goto done;
    sb_stages_mark(&a->d->stages, "detail");
    err = sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, a->o->size, a->o->size, &final, e);
    if (!err)
        err = sb_composite_over(&p->fg, &p->alpha, &final, e);
    if (!err)
        err = sb_fimage_to_u8(&final, &a->final8, e);
    if (err)
        goto done;
    sb_stages_mark(&a->d->stages, "composite");
    sb_point_t quad[4];
    sb_portrait_photo_quad(p, a->o->size, a->o->size, quad);
    err = sb_cutout_check(studio, &a->final8, p, quad, -1, check, e);
    sb_stages_mark(&a->d->stages, "qa");
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
        err = sb_quality_assess(&p.work, &p.faces, d->subject, p.face_blur, &res->quality, e);
    if (err)
        goto done;
    res->warnings = res->quality.warnings;
    sb_stages_mark(&d->stages, "quality");

    attempt_t at = {.o = &o, .d = d};
    err = sb_portrait_checked(studio, &p, &SB_FRAMING_HEADSHOT, 0, attempt, &at, &res->cutout, d, e);
    res->roll_deg = p.roll_deg;
    final8 = at.final8;
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
