/* product_plan.c - the product photo's options checked and resolved into a plan (product_plan.h), and
 * sb_product_check (strobe.h). */
#include "pipeline/product_plan.h"

#include <math.h>
#include <string.h>

#define SIDE_DEFAULT 2000
#define PADDING_DEFAULT 0.10f
#define PADDING_MAX 0.4f
/* frame_for amazon_main: the product's box spans 90% of the canvas on the axis it fills (the rule is 85%). */
#define PADDING_AMAZON 0.05f
#define DEFAULT_SEED 0x5eed0001u
/* The cut-out's default margin: this fraction of the box's sides (its soft edge stays inside). */
#define CUTOUT_MARGIN_DEFAULT 0.02
#define CUTOUT_MARGIN_PX_MAX 500
#define CUTOUT_MARGIN_FRAC_MAX 0.5

static const struct {
    const char *name;
    int w, h;
} aspects[] = {{"1:1", 1, 1}, {"4:5", 4, 5}, {"3:4", 3, 4}, {"16:9", 16, 9}};

static sb_err plan_size(const sb_product_opts_t *o, sb_product_plan_t *p, sb_error_t *e)
{
    if (o->aspect && (o->width || o->height))
        return sb_error_set(e, SB_ERR_USAGE, "aspect", "give either aspect or a size (width and height), not both");
    if (o->aspect) {
        for (size_t i = 0; i < sizeof aspects / sizeof aspects[0]; i++)
            if (!strcmp(o->aspect, aspects[i].name)) {
                int w = aspects[i].w, h = aspects[i].h, big = w > h ? w : h;
                p->width = (int)lround((double)SIDE_DEFAULT * w / big);
                p->height = (int)lround((double)SIDE_DEFAULT * h / big);
                return SB_OK;
            }
        return sb_error_set(e, SB_ERR_USAGE, "aspect", "aspect must be 1:1, 4:5, 3:4 or 16:9, got '%s'", o->aspect);
    }
    if (!o->width && !o->height) {
        p->width = p->height = SIDE_DEFAULT;
        return SB_OK;
    }
    if (o->width < SB_PRODUCT_SIDE_MIN || o->width > SB_PRODUCT_SIDE_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "width", "width must be %d..%d pixels, got %d", SB_PRODUCT_SIDE_MIN,
                            SB_PRODUCT_SIDE_MAX, o->width);
    if (o->height < SB_PRODUCT_SIDE_MIN || o->height > SB_PRODUCT_SIDE_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "height", "height must be %d..%d pixels, got %d", SB_PRODUCT_SIDE_MIN,
                            SB_PRODUCT_SIDE_MAX, o->height);
    p->width = o->width, p->height = o->height;
    return SB_OK;
}

/* The cut-out's and the hand's options into `p`: cutout (not with mask; png or webp), crop_margin (only
 * with cutout), hand (keep or remove). */
static sb_err plan_cutout(const sb_product_opts_t *o, sb_product_plan_t *p, sb_error_t *e)
{
    if (o->cutout && o->mask_only)
        return sb_error_set(e, SB_ERR_USAGE, "cutout", "give cutout (the cut-out and its mask) or mask, not both");
    if (o->cutout && p->format == SB_FMT_JPEG)
        return sb_error_set(e, SB_ERR_USAGE, "format", "a cut-out is transparent: png or webp, not jpeg");
    if (o->crop_margin > 0 && !o->cutout)
        return sb_error_set(e, SB_ERR_USAGE, "crop_margin", "crop_margin is only used with cutout");
    if (o->crop_margin_pct ? o->crop_margin > CUTOUT_MARGIN_FRAC_MAX : o->crop_margin > CUTOUT_MARGIN_PX_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "crop_margin", "crop_margin must be 0px to %dpx or 0%% to %d%%",
                            CUTOUT_MARGIN_PX_MAX, (int)(CUTOUT_MARGIN_FRAC_MAX * 100));
    if (o->hand && strcmp(o->hand, "keep") && strcmp(o->hand, "remove"))
        return sb_error_set(e, SB_ERR_USAGE, "hand", "hand must be keep or remove, got '%.40s'", o->hand);
    const char *t = o->transparency;
    if (t && strcmp(t, "auto") && strcmp(t, "on") && strcmp(t, "off"))
        return sb_error_set(e, SB_ERR_USAGE, "transparency", "transparency must be auto, on or off, got '%.40s'", t);
    p->glass = !t ? SB_GLASS_AUTO : !strcmp(t, "on") ? SB_GLASS_ON : !strcmp(t, "off") ? SB_GLASS_OFF : SB_GLASS_AUTO;
    p->cutout = o->cutout;
    p->margin = o->crop_margin < 0 ? CUTOUT_MARGIN_DEFAULT : o->crop_margin;
    p->margin_pct = o->crop_margin < 0 || o->crop_margin_pct;
    p->hand_remove = o->hand && !strcmp(o->hand, "remove");
    return SB_OK;
}

sb_err sb_product_plan(const sb_product_opts_t *in, sb_product_plan_t *p, sb_product_result_t *res, sb_error_t *e)
{
    sb_product_opts_t o = in ? *in : SB_PRODUCT_OPTS_DEFAULT;
    memset(p, 0, sizeof *p);
    sb_err err = sb_scene_preset_parse(o.preset ? o.preset : "white-studio", &p->preset, e);
    if (!err)
        err = sb_shadow_parse(o.shadow_type ? o.shadow_type : "soft", &p->shadow, e);
    if (err)
        return err;
    p->ov = o.shadow;
    if (p->preset == SB_SCENE_CUSTOM && !o.background_prompt)
        err = sb_error_set(e, SB_ERR_USAGE, "background_prompt",
                           "preset custom needs a background_prompt, e.g. \"golden hour on white marble\"");
    else if (p->preset == SB_SCENE_CUSTOM)
        err = sb_scene_prompt_parse(o.background_prompt, &p->spec, &res->ignored_terms, &res->n_ignored, e);
    else if (o.background_prompt)
        err = sb_error_set(e, SB_ERR_USAGE, "background_prompt",
                           "background_prompt is only used with preset custom (got preset %s)",
                           sb_scene_preset_name(p->preset));
    if (!err)
        err = plan_size(&o, p, e);
    if (err)
        return err;
    p->padding = o.padding < 0 ? PADDING_DEFAULT : o.padding;
    if (!(p->padding <= PADDING_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "padding", "padding must be 0 to %.1f", PADDING_MAX);
    if (o.frame_for && strcmp(o.frame_for, "amazon_main"))
        return sb_error_set(e, SB_ERR_USAGE, "frame_for", "frame_for must be amazon_main, got '%.40s'", o.frame_for);
    if (o.frame_for && o.padding >= 0)
        return sb_error_set(e, SB_ERR_USAGE, "frame_for", "give padding or frame_for, not both");
    if (o.frame_for && p->preset != SB_SCENE_WHITE_STUDIO)
        return sb_error_set(e, SB_ERR_USAGE, "frame_for", "frame_for amazon_main needs preset white-studio, not %s",
                            sb_scene_preset_name(p->preset));
    if (o.frame_for && (p->width > p->height ? p->width : p->height) < SB_AMAZON_MIN_SIDE)
        return sb_error_set(e, SB_ERR_USAGE, "width",
                            "frame_for amazon_main needs a canvas of %d pixels or more on its long side, got %dx%d",
                            SB_AMAZON_MIN_SIDE, p->width, p->height);
    if (o.frame_for)
        p->padding = PADDING_AMAZON;
    p->format = o.format == SB_FMT_UNKNOWN ? SB_FMT_PNG : o.format;
    if (p->format != SB_FMT_PNG && p->format != SB_FMT_JPEG && p->format != SB_FMT_WEBP)
        return sb_error_set(e, SB_ERR_USAGE, "format", "output format must be png, jpeg or webp");
    if (p->preset == SB_SCENE_TRANSPARENT && p->format == SB_FMT_JPEG && !o.mask_only)
        return sb_error_set(e, SB_ERR_USAGE, "format", "a transparent background needs png or webp, not jpeg");
    p->quality = o.quality ? o.quality : 90;
    if (p->quality < 1 || p->quality > 100)
        return sb_error_set(e, SB_ERR_USAGE, "quality", "quality must be 1..100, got %d", p->quality);
    p->mask_only = o.mask_only;
    p->seed = o.seed ? o.seed : DEFAULT_SEED;
    err = plan_cutout(&o, p, e);
    if (err)
        return err;
    err = sb_shadow_check(p->shadow, &p->ov, e);
    return err;
}

sb_err sb_product_check(const sb_product_opts_t *opts, sb_error_t *e)
{
    sb_product_plan_t p;
    sb_product_result_t res = {0};
    sb_err err = sb_product_plan(opts, &p, &res, e);
    sb_scene_ignored_free(res.ignored_terms, res.n_ignored);
    return err;
}
