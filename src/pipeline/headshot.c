/* headshot.c - the corporate headshot pipeline (see docs/internals/pipeline.md for the stage list). */
#include <stdlib.h>
#include <string.h>

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
    sb_fimage_t final = {0};
    sb_err err = check_opts(opts, &o, e);
    if (!err)
        err = sb_portrait_align(studio, buf, len, o.size, &p, d, e);
    res->roll_deg = p.roll_deg;
    sb_image_free(&p.work); /* the crop is all that is needed from here on */
    if (!err)
        err = sb_portrait_cutout(studio, &p, d, e);
    if (err)
        goto done;

    err = sb_detail_enhance(&p.fg, &p.alpha, &SB_DETAIL_HEADSHOT, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "detail");

    err = sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, o.size, o.size, &final, e);
    if (!err)
        err = sb_composite_over(&p.fg, &p.alpha, &final, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "composite");

    err = sb_fimage_to_u8(&final, &final8, e);
    if (!err)
        err = sb_io_encode(&final8, o.format, o.quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    res->width = res->height = o.size;
    res->format = o.format;
    sb_stages_mark(&d->stages, "encode");
done:
    sb_portrait_free(&p);
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
