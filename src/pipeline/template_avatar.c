/* template_avatar.c - an avatar in a portrait template's look: sb_generate_portrait at the avatar's side,
 * then the avatar's deliverables and its output screen. */
#include "pipeline/template_avatar.h"

#include <string.h>

#include "image/io.h"
#include "image/resample.h"
#include "pipeline/presets.h"
#include "pipeline/studio.h"
#include "vision/safety.h"

/* The avatar's hires side (sb_avatar_opts_t.hires). */
#define HIRES_SIDE 1200

/* Decode the generated PNG once: screened, then shrunk to the thumbnail. */
static sb_err finish(sb_studio_t *studio, const sb_template_avatar_opts_t *o, sb_avatar_result_t *res,
                     sb_error_t *e)
{
    sb_image_t frame = {0}, thumb = {0};
    sb_safety_t *safety;
    sb_safety_result_t verdict;
    sb_err err = sb_io_decode(res->avatar, res->avatar_len, NULL, &frame, NULL, e);
    if (!err)
        err = sb_studio_safety(studio, &safety, e);
    if (!err)
        err = sb_safety_classify(safety, &frame, &verdict, e);
    if (!err && sb_safety_exceeds(&verdict, o->safety_max > 0 ? o->safety_max : SB_SAFETY_EXPLICIT_MIN))
        err = sb_error_set(e, SB_ERR_UNSAFE_CONTENT, "image", "the avatar was classified as unsafe content");
    if (!err)
        err = sb_image_resize(&frame, SB_AVATAR_THUMB_SIDE, SB_AVATAR_THUMB_SIDE, &thumb, e);
    if (!err)
        err = sb_io_encode(&thumb, SB_FMT_PNG, 0, &res->thumbnail, &res->thumbnail_len, e);
    sb_image_free(&thumb);
    sb_image_free(&frame);
    return err;
}

sb_err sb_template_avatar(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_template_avatar_opts_t *o,
                          sb_avatar_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    const sb_platform_t *pf;
    sb_err err = sb_platform_find(o->platform, &pf, e);
    if (err)
        return err;
    int side = o->hires ? HIRES_SIDE : pf->size;
    sb_generate_opts_t g = SB_GENERATE_OPTS_DEFAULT;
    g.prompt = o->prompt;
    g.seed = o->seed;
    g.samples = 1;
    g.width = g.height = side;
    g.format = SB_FMT_PNG;
    sb_generate_result_t r;
    if ((err = sb_generate_portrait(studio, buf, len, &g, &r, e)))
        return err;
    /* The detection moves to the avatar's result; the portrait's keeps nothing to free twice. */
    res->detect = r.detect;
    memset(&r.detect, 0, sizeof r.detect);
    res->avatar = r.images[0].data;
    res->avatar_len = r.images[0].len;
    r.images[0].data = NULL;
    res->likeness = r.images[0].likeness;
    res->cutout = r.images[0].cutout;
    res->seed = (uint64_t)r.images[0].seed;
    sb_generate_result_free(&r);
    res->size = side;
    res->likeness_min = pf->likeness_min;
    res->intensity = 1;
    res->attempts = 1;
    res->platform = pf->name;
    res->style = "template";
    res->background = "template";
    if ((err = finish(studio, o, res, e)))
        sb_avatar_result_free(res);
    return err;
}
