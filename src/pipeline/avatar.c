/* avatar.c - the avatar generator: LoadPhoto -> FaceDetect (align) -> StyleApply -> BgGenerate ->
 * DetailEnhance -> SaveAvatar, with the QA loop on likeness (see docs/internals/pipeline.md). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/resample.h"
#include "pipeline/likeness.h"
#include "pipeline/strategy.h"
#include "pipeline/presets.h"
#include "render/background.h"
#include "render/bokeh.h"
#include "render/cel.h"
#include "render/composite.h"
#include "render/detail.h"
#include "render/grade.h"
#include "render/light.h"
#include "render/palette.h"

#define HIRES_SIZE 1200
/* The kept input is decoded again by a later request: near-lossless, a fraction of a PNG's size. */
#define KEEP_INPUT_QUALITY 95
/* The house seed: the corporate avatar on studio_light / neutral_grey is the headshot's backdrop. */
#define DEFAULT_SEED 0x5742
/* Intensity of each attempt, as a fraction of the requested one. */
static const float attempt_scale[SB_AVATAR_MAX_ATTEMPTS] = {1.0f, 0.6f, 0.3f};

typedef struct {
    const sb_platform_t *platform;
    sb_avatar_style style;
    sb_background_kind background;
    sb_palette_t palette;
    sb_cartoon_variant variant;
    float intensity, likeness_min;
    int size, cartoon_side;
    uint64_t seed;
    const sb_look_t *look;
    float safety_max;
} plan_t;

static sb_err make_plan(const sb_avatar_opts_t *o, plan_t *p, sb_error_t *e)
{
    sb_avatar_opts_t none = SB_AVATAR_OPTS_DEFAULT;
    if (!o)
        o = &none;
    sb_err err = sb_platform_find(o->platform, &p->platform, e);
    if (err)
        return err;
    p->style = p->platform->style;
    if (o->style && (err = sb_style_parse(o->style, &p->style, e)))
        return err;
    if ((err = sb_background_parse(o->background ? o->background : p->platform->background, &p->background, e)) ||
        (err = sb_palette_parse(o->palette ? o->palette : p->platform->palette, &p->palette, e)))
        return err;
    p->variant = SB_CARTOON_HOSODA;
    if (o->variant && !strcmp(o->variant, "hayao"))
        p->variant = SB_CARTOON_HAYAO;
    else if (o->variant && strcmp(o->variant, "hosoda"))
        return sb_error_set(e, SB_ERR_USAGE, "variant", "variant must be hosoda or hayao, got '%.40s'", o->variant);
    p->intensity = o->intensity < 0 ? 1.0f : o->intensity;
    if (!(p->intensity >= 0 && p->intensity <= 1))
        return sb_error_set(e, SB_ERR_USAGE, "style_intensity", "style_intensity must be 0 to 1");
    p->likeness_min = o->likeness_min < 0 ? p->platform->likeness_min : o->likeness_min;
    if (!(p->likeness_min <= 1))
        return sb_error_set(e, SB_ERR_USAGE, "likeness_min", "likeness_min must be 0 to 1");
    p->size = o->hires ? HIRES_SIZE : p->platform->size;
    p->cartoon_side = o->cartoon_side ? o->cartoon_side : SB_CARTOON_SIDE_DEFAULT;
    if (p->cartoon_side % 4 || p->cartoon_side < SB_CARTOON_SIDE_MIN || p->cartoon_side > SB_CARTOON_SIDE_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "cartoon_side", "cartoon_side must be a multiple of 4 from %d to %d, got %d",
                            SB_CARTOON_SIDE_MIN, SB_CARTOON_SIDE_MAX, p->cartoon_side);
    p->seed = o->seed ? o->seed : DEFAULT_SEED;
    p->look = o->look;
    p->safety_max = o->safety_max > 0 ? o->safety_max : SB_SAFETY_EXPLICIT_MIN;
    if (!(p->safety_max <= 1))
        return sb_error_set(e, SB_ERR_USAGE, "safety_max", "safety_max must be above 0 and at most 1");
    return SB_OK;
}

/* The background the person is composited on: rendered, or the photo's own crop lens-blurred. NULL
 * data (an empty image) for transparent. */
static sb_err make_background(const plan_t *pl, const sb_portrait_t *p, sb_fimage_t *out, sb_error_t *e)
{
    if (pl->background == SB_BACKGROUND_TRANSPARENT)
        return SB_OK;
    if (pl->background != SB_BACKGROUND_ORIGINAL_BLUR)
        return sb_background_render(pl->background, &pl->palette, pl->seed, pl->size, pl->size, out, e);
    sb_fimage_t crop = {0};
    sb_err err = sb_image_to_float(&p->aligned, &crop, e);
    if (!err)
        err = sb_bokeh_blur(&crop, &p->alpha, pl->size * 0.03f, out, e);
    sb_fimage_free(&crop);
    return err;
}

/* dst = src + t * (dst - src), per sample. */
static void mix_from(const sb_fimage_t *src, sb_fimage_t *dst, float t)
{
    size_t n = (size_t)dst->width * dst->height * dst->bands;
    for (size_t i = 0; i < n; i++)
        dst->data[i] = src->data[i] + t * (dst->data[i] - src->data[i]);
}

/* The anime attempts of one call share the net's work: the person in 8 bits and its intensity-1 cartoon
 * (CartoonGAN, its output read by the cel shading at the regions' size, not scaled to the photo's first),
 * made on the first attempt; a retry at a lower intensity is only a mix of the two (sb_cartoon_mix). */
typedef struct {
    sb_image_t photo, styled;
} anime_cache_t;

static void anime_cache_free(anime_cache_t *a)
{
    sb_image_free(&a->photo);
    sb_image_free(&a->styled);
}

/* The net's output `net` (at the net's size) cel-shaded into `out` (the photo's size), the face's landmarks
 * and the matte from the portrait. */
static sb_err cel_shade(const sb_portrait_t *p, const sb_image_t *photo, const sb_image_t *net, sb_image_t *out,
                        sb_error_t *e)
{
    sb_cel_face_t f = {.have_face = 1};
    for (int k = 0; k < 5; k++) {
        f.lmk[k][0] = p->face.lmk[k].x;
        f.lmk[k][1] = p->face.lmk[k].y;
    }
    return sb_cel_shade(photo, net, &p->alpha, &f, out, e);
}

/* StyleApply + DetailEnhance on the person's colours at intensity t. */
static sb_err style_person(sb_studio_t *studio, const plan_t *pl, const sb_portrait_t *p, float t, anime_cache_t *ac,
                           sb_fimage_t *fg, sb_detect_result_t *d, sb_error_t *e)
{
    sb_err err = sb_fimage_copy(&p->fg, fg, e);
    if (err)
        return err;
    if (pl->style == SB_STYLE_ANIME) {
        sb_image_t out8 = {0};
        if (!ac->styled.data) {
            sb_cartoon_t *c;
            err = sb_studio_cartoon(studio, pl->variant, &c, e);
            if (!err) {
                sb_detect_result_add_model(d, pl->variant == SB_CARTOON_HAYAO ? SB_MODEL_CARTOON_HAYAO
                                                                               : SB_MODEL_CARTOON_HOSODA);
                err = sb_fimage_to_u8(fg, &ac->photo, e);
            }
            sb_image_t net = {0};
            if (!err)
                err = sb_cartoon_net(c, &ac->photo, pl->cartoon_side, &net, e);
            if (!err)
                err = cel_shade(p, &ac->photo, &net, &ac->styled, e);
            sb_image_free(&net);
        }
        if (!err)
            err = sb_cartoon_mix(&ac->photo, &ac->styled, t, &out8, e);
        if (!err) {
            sb_fimage_free(fg);
            err = sb_image_to_float(&out8, fg, e);
        }
        sb_image_free(&out8);
        return err;
    }
    if (pl->style == SB_STYLE_EDITORIAL) {
        /* Dramatic key light from the upper left, in linear light; the grade comes after compositing. */
        const sb_face_t *f = &p->face;
        float box[4] = {f->x, f->y, f->w, f->h};
        sb_fimage_srgb_to_linear(fg);
        err = sb_light_directional(fg, &p->alpha, -1.0f, -0.6f, 0.8f * t, box, e);
        sb_fimage_linear_to_srgb(fg);
        if (err)
            return err;
    }
    /* Corporate and editorial: the headshot's clarity and sharpening, scaled by t. */
    sb_fimage_t enhanced = {0};
    err = sb_fimage_copy(fg, &enhanced, e);
    if (!err)
        err = sb_detail_enhance(&enhanced, &p->alpha, &SB_DETAIL_HEADSHOT, e);
    if (!err) {
        mix_from(fg, &enhanced, t);
        sb_fimage_free(fg);
        *fg = enhanced;
        enhanced = (sb_fimage_t){0};
    }
    sb_fimage_free(&enhanced);
    return err;
}

/* The finished frame: RGB over the background (graded for editorial), or RGBA for transparent. */
static sb_err compose(const plan_t *pl, const sb_portrait_t *p, const sb_fimage_t *fg, const sb_fimage_t *bg, float t,
                      sb_image_t *out, sb_error_t *e)
{
    sb_fimage_t frame = {0};
    sb_err err;
    if (pl->background == SB_BACKGROUND_TRANSPARENT) {
        /* No background to grade: the look goes on the person alone. */
        sb_fimage_t looked = {0};
        err = sb_fimage_copy(fg, &looked, e);
        if (!err && pl->look)
            err = sb_look_apply(&looked, pl->look, t, pl->seed, e);
        if (!err)
            err = sb_fimage_alloc(&frame, pl->size, pl->size, 4, e);
        size_t n = (size_t)pl->size * pl->size;
        for (size_t i = 0; !err && i < n; i++) {
            memcpy(&frame.data[4 * i], &looked.data[3 * i], 3 * sizeof(float));
            frame.data[4 * i + 3] = p->alpha.data[i];
        }
        sb_fimage_free(&looked);
    } else {
        err = sb_fimage_copy(bg, &frame, e);
        if (!err)
            err = sb_composite_over(fg, &p->alpha, &frame, e);
        if (!err && pl->style == SB_STYLE_EDITORIAL)
            err = sb_grade_apply(&frame, pl->palette.name[0] == '#' || !strcmp(pl->palette.name, "warm_beige") ||
                                                 !strcmp(pl->palette.name, "sunset")
                                             ? SB_GRADE_WARM_FILM
                                             : SB_GRADE_TEAL_ORANGE,
                                 t, e);
        if (!err && pl->look)
            err = sb_look_apply(&frame, pl->look, t, pl->seed, e);
    }
    if (!err)
        err = sb_fimage_to_u8(&frame, out, e);
    sb_fimage_free(&frame);
    return err;
}

/* Refuse content whose explicit score reaches `max` with SB_ERR_UNSAFE_CONTENT naming `what`. Only
 * reads `img`; uses only `s`. */
static sb_err screen(sb_safety_t *s, const sb_image_t *img, const char *what, float max, sb_error_t *e)
{
    sb_safety_result_t r;
    sb_image_t rgb = {0};
    const sb_image_t *look = img;
    sb_err err = SB_OK;
    if (img->bands == 4) {
        /* The classifier sees colour only: drop alpha (the person is what matters). */
        err = sb_image_alloc(&rgb, img->width, img->height, 3, e);
        size_t n = (size_t)img->width * img->height;
        for (size_t i = 0; !err && i < n; i++)
            memcpy(&rgb.data[3 * i], &img->data[4 * i], 3);
        look = &rgb;
    }
    if (!err)
        err = sb_safety_classify(s, look, &r, e);
    if (!err && sb_safety_exceeds(&r, max))
        err = sb_error_set(e, SB_ERR_UNSAFE_CONTENT, "image", "the %s was classified as unsafe content", what);
    sb_image_free(&rgb);
    return err;
}

/* The checks on the input photo (LoadPhoto): quality, safety, the identity to keep, and the kept
 * normalized input. They read only the working image and use their own nets, so they run on a second
 * thread while the person is cut out: the avatar's latency, not its CPU time, is what they cost less. */
typedef struct {
    const sb_image_t *work;
    sb_face_list_t faces;    /* a copy: placing the subject refines the portrait's own while this runs */
    int subject;
    float face_blur; /* the portrait's, measured by its gate on `work` */
    float safety_max;
    sb_safety_t *safety;
    sb_face_embedder_t *em;
    bool keep_input;
    /* results */
    sb_quality_t quality;
    sb_likeness_ref_t ref;   /* the input face (free with sb_likeness_ref_free) */
    uint8_t *normalized;
    size_t normalized_len;
    double ms[4];            /* quality, safety, embed, keep_input */
    sb_err err;
    sb_error_t e;
} checks_t;

static void *run_checks(void *arg)
{
    checks_t *c = arg;
    const sb_image_t *work = c->work;
    double t0 = sb_now_ms(), t1, t2, t3;
    c->err = sb_quality_assess(work, &c->faces, c->subject, c->face_blur, &c->quality, &c->e);
    t1 = sb_now_ms();
    if (!c->err)
        c->err = screen(c->safety, work, "input image", c->safety_max, &c->e);
    t2 = sb_now_ms();
    if (!c->err)
        c->err = sb_likeness_ref_make(c->em, work, &c->faces.faces[c->subject], &c->ref, &c->e);
    t3 = sb_now_ms();
    if (!c->err && c->keep_input)
        c->err = sb_io_encode(work, SB_FMT_JPEG, KEEP_INPUT_QUALITY, &c->normalized, &c->normalized_len, &c->e);
    c->ms[0] = t1 - t0;
    c->ms[1] = t2 - t1;
    c->ms[2] = t3 - t2;
    c->ms[3] = sb_now_ms() - t3;
    return NULL;
}

static sb_err encode_outputs(const sb_image_t *frame, sb_avatar_result_t *res, sb_error_t *e)
{
    sb_image_t thumb = {0};
    sb_err err = sb_io_encode(frame, SB_FMT_PNG, 0, &res->avatar, &res->avatar_len, e);
    if (!err)
        err = sb_image_resize(frame, SB_AVATAR_THUMB_SIDE, SB_AVATAR_THUMB_SIDE, &thumb, e);
    if (!err)
        err = sb_io_encode(&thumb, SB_FMT_PNG, 0, &res->thumbnail, &res->thumbnail_len, e);
    sb_image_free(&thumb);
    return err;
}

/* What the attempts of one call share: the plan, the input checks running beside the first cut-out, the
 * background, the anime cache, and the best output of the last strategy tried. */
typedef struct {
    const plan_t *pl;
    checks_t *ck;
    pthread_t checker;
    bool threaded, joined;
    sb_avatar_result_t *res;
    sb_fimage_t bg;
    anime_cache_t anime;
    sb_image_t best;
    float best_likeness;
    bool best_found;
} call_t;

/* Wait for the input checks (once); their failure (unsafe content first of all) is the call's. */
static sb_err join_checks(call_t *c, sb_error_t *e)
{
    if (!c->joined) {
        if (c->threaded)
            pthread_join(c->checker, NULL);
        c->joined = true;
        static const char *const check_names[4] = {"quality", "safety", "embed", "keep_input"};
        for (int i = 0; i < (c->ck->keep_input ? 4 : 3); i++)
            sb_stages_add(&c->res->detect.stages, check_names[i], c->ck->ms[i]);
    }
    if (c->ck->err)
        *e = c->ck->e;
    return c->ck->err;
}

/* The check fails on the cut-out itself (matte, leftovers, remains away from the subject, another person): a
 * weaker style will not help. */
static bool cutout_fault(const sb_cutout_check_t *k)
{
    return k->matte_confidence < SB_CUTOUT_CONFIDENCE_MIN || k->background_left > SB_CUTOUT_BACKGROUND_MAX ||
           k->halo > SB_CUTOUT_HALO_MAX || k->holes > SB_CUTOUT_HOLES_MAX || k->wall > SB_CUTOUT_WALL_MAX ||
           k->ghost > SB_CUTOUT_GHOST_MAX || k->glare > SB_CUTOUT_GLARE_MAX ||
           k->disagree > SB_CUTOUT_DISAGREE_MAX || k->raised > SB_CUTOUT_RAISED_MAX || k->other_person_left;
}

/* One attempt of the cut-out strategies (pipeline/strategy.h): the background, then StyleApply at falling
 * intensity until an output passes both its cut-out check and the likeness threshold. c->best gets the
 * passing output of highest likeness; *check its check, or the last output's when none passed. */
static sb_err attempt(void *ctx, sb_studio_t *studio, sb_portrait_t *p, const sb_cutout_strategy_t *st,
                      sb_cutout_check_t *check, sb_error_t *e)
{
    call_t *c = ctx;
    const plan_t *pl = c->pl;
    sb_detect_result_t *d = &c->res->detect;
    sb_fimage_t fg = {0};
    sb_image_t frame = {0};
    sb_fimage_free(&c->bg);
    anime_cache_free(&c->anime);
    sb_image_free(&c->best);
    c->best_likeness = -1;
    c->best_found = false;
    sb_err err = make_background(pl, p, &c->bg, e);
    if (!err)
        sb_stages_mark(&d->stages, "background");
    sb_err checks = join_checks(c, e);
    if (checks)
        return checks;
    /* The integrity's reference: the person unstyled in this attempt's frame, over its background. */
    if (!err)
        err = compose(pl, p, &p->fg, &c->bg, 0, &frame, e);
    if (!err)
        err = sb_likeness_ref_reframe(&c->ck->ref, &frame, &p->face, e);
    /* The anime style redraws the person in flat regions and lines, and with it the cut-out's faults the
     * check reads (a photo edge's straight step, old background's texture): its cut-out is checked unstyled
     * first, as the other styles' outputs show it, and an attempt whose cut-out fails goes no further. The
     * styled output's own check counts its faces, so this one takes the subject's as the one found. */
    if (!err && pl->style == SB_STYLE_ANIME) {
        sb_point_t quad[4];
        sb_portrait_photo_quad(p, frame.width, frame.height, quad);
        err = sb_cutout_check(studio, &frame, p, quad, 1, check, e);
        sb_stages_mark(&d->stages, "qa");
        if (!err && !check->pass) {
            sb_image_free(&frame);
            return SB_OK;
        }
    }
    sb_image_free(&frame);
    for (int k = 0; !err && k < SB_AVATAR_MAX_ATTEMPTS; k++) {
        float t = pl->intensity * attempt_scale[k];
        sb_likeness_t lk;
        sb_cutout_check_t ok;
        c->res->attempts = k + 1;
        if ((err = style_person(studio, pl, p, t, &c->anime, &fg, d, e)))
            break;
        sb_stages_mark(&d->stages, "style");
        err = compose(pl, p, &fg, &c->bg, t, &frame, e);
        sb_fimage_free(&fg);
        if (err)
            break;
        sb_stages_mark(&d->stages, "composite");
        if ((err = sb_pipeline_likeness(studio, &frame, &c->ck->ref, &lk, e)))
            break;
        sb_point_t quad[4];
        sb_portrait_photo_quad(p, frame.width, frame.height, quad);
        if ((err = sb_cutout_check(studio, &frame, p, quad, lk.faces, &ok, e)))
            break;
        sb_stages_mark(&d->stages, "qa");
        if (ok.pass && lk.likeness > c->best_likeness) {
            sb_image_free(&c->best);
            c->best = frame;
            frame = (sb_image_t){0};
            c->best_likeness = lk.likeness;
            c->best_found = lk.found;
            c->res->intensity = t;
            *check = ok;
        } else if (!c->best.data) {
            *check = ok;
        }
        sb_image_free(&frame);
        if ((ok.pass && lk.found && lk.likeness >= pl->likeness_min) || (!ok.pass && cutout_fault(&ok)))
            break;
    }
    sb_fimage_free(&fg);
    sb_image_free(&frame);
    return err;
}

sb_err sb_avatar(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_avatar_opts_t *opts,
                 sb_avatar_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    plan_t pl;
    sb_portrait_t p = {0};
    checks_t ck = {0};
    call_t c = {.pl = &pl, .ck = &ck, .res = res, .joined = true};
    sb_err err = make_plan(opts, &pl, e);
    if (!err)
        err = sb_portrait_prepare(studio, buf, len, pl.size, pl.size, &p, d, e);
    if (err)
        goto done;

    /* The nets the checks need are loaded here, on this thread: the studio is not thread-safe. */
    ck = (checks_t){.work = &p.work, .subject = d->subject, .face_blur = p.face_blur, .safety_max = pl.safety_max,
                    .keep_input = opts && opts->keep_input};
    if ((err = sb_studio_safety(studio, &ck.safety, e)) || (err = sb_studio_embedder(studio, &ck.em, e)))
        goto done;
    ck.faces.faces = malloc((size_t)p.faces.count * sizeof *ck.faces.faces);
    if (!ck.faces.faces) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the faces");
        goto done;
    }
    memcpy(ck.faces.faces, p.faces.faces, (size_t)p.faces.count * sizeof *ck.faces.faces);
    ck.faces.count = p.faces.count;
    sb_detect_result_add_model(d, SB_MODEL_NSFW);
    sb_detect_result_add_model(d, SB_MODEL_MOBILEFACENET);
    c.joined = false;
    c.threaded = pthread_create(&c.checker, NULL, run_checks, &ck) == 0;
    if (!c.threaded)
        run_checks(&ck); /* no thread to be had: the same work, one after the other */
    /* The checks run beside the first cut-out: same CPU, less latency. */
    err = sb_portrait_checked(studio, &p, &SB_FRAMING_HEADSHOT, 0, attempt, &c, &res->cutout, d, e);
    res->roll_deg = p.roll_deg;
    /* An input check failing (unsafe content first of all) outranks a cut-out failure. */
    sb_error_t ce;
    sb_err checks = join_checks(&c, &ce);
    if (checks) {
        *e = ce;
        err = checks;
    }
    if (err) {
        free(ck.normalized);
        goto done;
    }
    res->quality = ck.quality;
    res->warnings = ck.quality.warnings;
    res->normalized = ck.normalized;
    res->normalized_len = ck.normalized_len;

    res->likeness = c.best_likeness;
    if (!c.best_found)
        res->warnings |= SB_WARN_OUTPUT_FACE_NOT_FOUND;
    if (c.best_likeness < pl.likeness_min)
        res->warnings |= SB_WARN_LIKENESS_BELOW_THRESHOLD;
    if ((err = screen(ck.safety, &c.best, "generated avatar", pl.safety_max, e)))
        goto done;
    if ((err = encode_outputs(&c.best, res, e)))
        goto done;
    sb_stages_mark(&d->stages, "encode");

    res->size = pl.size;
    res->likeness_min = pl.likeness_min;
    res->platform = pl.platform->name;
    res->style = sb_style_name(pl.style);
    res->background = sb_background_name(pl.background);
    res->variant = pl.style == SB_STYLE_ANIME ? sb_cartoon_variant_name(pl.variant) : NULL;
    res->cartoon_side = pl.style == SB_STYLE_ANIME ? pl.cartoon_side : 0;
    memcpy(res->palette, pl.palette.name, sizeof res->palette);
    res->seed = pl.seed;
done:
    if (!c.joined && c.threaded)
        pthread_join(c.checker, NULL);
    sb_portrait_free(&p);
    sb_fimage_free(&c.bg);
    sb_image_free(&c.best);
    anime_cache_free(&c.anime);
    sb_likeness_ref_free(&ck.ref);
    free(ck.faces.faces);
    if (err)
        sb_avatar_result_free(res);
    return err;
}

void sb_avatar_result_free(sb_avatar_result_t *res)
{
    if (!res)
        return;
    sb_detect_result_free(&res->detect);
    free(res->avatar);
    free(res->thumbnail);
    free(res->normalized);
    res->avatar = res->thumbnail = res->normalized = NULL;
    res->avatar_len = res->thumbnail_len = res->normalized_len = 0;
}
