/* generate.c - portrait generation (contract S2): a prompt + seed style applied to one reference photo.
 * The photo is decoded, aligned for the output's aspect and the style's framing, cut out and its face
 * embedded once; each sample then paints its background, stylizes the person, gives `identity` of the
 * face's own pixels back, relights the whole person, composites, grades, finishes, encodes and checks its
 * likeness (see docs/internals/pipeline.md, "Portrait generation"). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "pipeline/likeness.h"
#include "pipeline/strategy.h"
#include "render/composite.h"
#include "render/finish.h"
#include "render/portrait_bg.h"
#include "render/portrait_grade.h"
#include "render/portrait_light.h"
#include "render/style.h"
#include "util/random.h"

#define DEFAULT_IDENTITY 0.8f
#define DEFAULT_QUALITY 90
/* seed -1 draws from 1..RANDOM_SEED_MAX: a seed every client can hold in a signed 32-bit integer. */
#define RANDOM_SEED_MAX 2147483647u
/* Film always shows some grain, whatever the style's finish says (sRGB std). */
#define FILM_GRAIN_MIN 0.025f
/* Soft skin blurs by this fraction of the face width. */
#define SKIN_SIGMA 0.015f

/* Where the face sits in the frame: its size (sb_face_size) as a fraction of the frame's shorter side
 * and the eye line's height as a fraction of the frame's height. Where the photo does not reach the
 * frame's lower corners (no body to show below a tight crop), the face grows rather than float as a
 * small bust in an empty frame: up to the next tighter framing's size (a close-up up to ZOOM_MAX times its
 * own), so the order close-up > head and shoulders > half body holds on any photo. Past that the
 * background fills the rest, and the person fades out over EDGE_FADE of the frame's shorter side rather
 * than ending on the photo's straight edge. */
static const struct {
    float face, eye_y;
} framings[SB_STYLE_FRAME__COUNT] = {
    [SB_STYLE_FRAME_CLOSE_UP] = {0.50f, 0.42f},
    [SB_STYLE_FRAME_HEAD_SHOULDERS] = {0.31f, 0.40f},
    [SB_STYLE_FRAME_HALF_BODY] = {0.19f, 0.32f},
};
#define ZOOM_MAX 1.4f
#define EDGE_FADE 0.06f

/* The identity region: an ellipse over the face box (radii as fractions of its width and height),
 * fully kept inside IDENTITY_CORE of its radius and fading out towards the edge. */
#define IDENTITY_RX 0.62f
#define IDENTITY_RY 0.72f
#define IDENTITY_CORE 0.70f

typedef struct {
    const char *prompt;
    int64_t seed;
    int samples, width, height, quality;
    float identity;
    sb_format_t format;
} plan_t;

static sb_err make_plan(const sb_generate_opts_t *o, plan_t *p, sb_error_t *e)
{
    sb_generate_opts_t none = SB_GENERATE_OPTS_DEFAULT;
    if (!o)
        o = &none;
    p->prompt = o->prompt;
    p->seed = o->seed;
    if (p->seed != -1 && (p->seed < 1 || p->seed > SB_GENERATE_SEED_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "seed", "seed must be -1 (random) or 1..%lld, got %lld",
                            SB_GENERATE_SEED_MAX, (long long)p->seed);
    p->samples = o->samples ? o->samples : 1;
    if (p->samples < 1 || p->samples > SB_GENERATE_SAMPLES_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "samples", "samples must be 1..%d, got %d", SB_GENERATE_SAMPLES_MAX,
                            o->samples);
    if (isnan(o->identity))
        return sb_error_set(e, SB_ERR_USAGE, "identity", "identity must be a number from 0 to 1");
    p->identity = o->identity < 0 ? DEFAULT_IDENTITY : o->identity;
    if (p->identity > 1)
        return sb_error_set(e, SB_ERR_USAGE, "identity", "identity must be 0 to 1, got %g", (double)o->identity);
    p->width = o->width, p->height = o->height;
    if (!p->width && !p->height)
        p->width = SB_GENERATE_WIDTH_DEFAULT, p->height = SB_GENERATE_HEIGHT_DEFAULT;
    if (p->width < SB_GENERATE_SIDE_MIN || p->width > SB_GENERATE_SIDE_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "width", "width must be %d..%d (with height), got %d",
                            SB_GENERATE_SIDE_MIN, SB_GENERATE_SIDE_MAX, p->width);
    if (p->height < SB_GENERATE_SIDE_MIN || p->height > SB_GENERATE_SIDE_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "height", "height must be %d..%d (with width), got %d",
                            SB_GENERATE_SIDE_MIN, SB_GENERATE_SIDE_MAX, p->height);
    p->format = o->format == SB_FMT_UNKNOWN ? SB_FMT_JPEG : o->format;
    if (p->format != SB_FMT_JPEG && p->format != SB_FMT_PNG && p->format != SB_FMT_WEBP)
        return sb_error_set(e, SB_ERR_USAGE, "format", "output format must be jpeg, png or webp");
    p->quality = o->quality ? o->quality : DEFAULT_QUALITY;
    if (p->quality < 1 || p->quality > 100)
        return sb_error_set(e, SB_ERR_USAGE, "quality", "quality must be 1..100, got %d", o->quality);
    if (p->seed == -1)
        p->seed = sb_generate_random_seed();
    return SB_OK;
}

/* The subject's place in a width x height frame for a framing. */
static sb_framing_t framing_of(sb_style_framing f, int width, int height)
{
    int shorter = width < height ? width : height;
    float frac = framings[f].face * shorter / width;
    /* At most the next tighter framing's size (the close-up's x ZOOM_MAX): a tight photo never turns a
     * half body closer than a head and shoulders, or that closer than a close-up. */
    float tightest = f == SB_STYLE_FRAME_CLOSE_UP ? framings[f].face * ZOOM_MAX : framings[f - 1].face;
    return (sb_framing_t){.eye_y = framings[f].eye_y, .face_frac = frac, .face_frac_max = tightest * shorter / width};
}

/* What one call makes once and every sample uses. */
typedef struct {
    plan_t pl;
    sb_portrait_t p;
    sb_fimage_t lit;        /* the lit person (p.fg), linear light */
    sb_fimage_t region;     /* the face's region (feathered ellipse) x the matte, 0..1 */
    sb_fimage_t cartoon[2]; /* the person through CartoonGAN, linear, by sb_cartoon_variant; made on first use */
    float box[4];           /* the face box in the frame */
    sb_likeness_ref_t ref;  /* the reference face */
    sb_quality_t quality;   /* of the input */
} call_t;

static float smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

/* c->region: the identity ellipse over the face box, times the matte. */
static sb_err face_region(call_t *c, sb_error_t *e)
{
    int w = c->pl.width, h = c->pl.height;
    sb_err err = sb_fimage_alloc(&c->region, w, h, 1, e);
    if (err)
        return err;
    float cx = c->box[0] + c->box[2] / 2, cy = c->box[1] + c->box[3] / 2;
    float rx = IDENTITY_RX * c->box[2], ry = IDENTITY_RY * c->box[3];
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float r = hypotf((x + 0.5f - cx) / rx, (y + 0.5f - cy) / ry);
            c->region.data[i] = (1.0f - smooth(IDENTITY_CORE, 1.0f, r)) * c->p.alpha.data[i];
        }
    return SB_OK;
}

/* Decode, detect, embed the reference face, assess the input: the work every strategy shares. */
static sb_err prepare(sb_studio_t *studio, const uint8_t *buf, size_t len, call_t *c, sb_detect_result_t *d,
                      sb_error_t *e)
{
    sb_err err = sb_portrait_prepare(studio, buf, len, c->pl.width, c->pl.height, &c->p, d, e);
    if (err)
        return err;
    sb_face_embedder_t *em;
    if ((err = sb_studio_embedder(studio, &em, e)) ||
        (err = sb_likeness_ref_make(em, &c->p.work, &c->p.faces.faces[d->subject], &c->ref, e)) ||
        (err = sb_quality_assess(&c->p.work, &c->p.faces, d->subject, c->p.face_blur, &c->quality, e)))
        return err;
    sb_detect_result_add_model(d, SB_MODEL_MOBILEFACENET);
    sb_stages_mark(&d->stages, "embed");
    return SB_OK;
}

/* The cut-out's share of every sample: the person faded where the frame reaches beyond the photo, lit in
 * linear light, the face's region. Made again for each cut-out strategy. */
static sb_err prepare_cutout(call_t *c, sb_detect_result_t *d, sb_error_t *e)
{
    sb_fimage_free(&c->lit);
    sb_fimage_free(&c->region);
    for (int v = 0; v < 2; v++)
        sb_fimage_free(&c->cartoon[v]);
    const sb_face_t *face = &c->p.face;
    c->box[0] = face->x, c->box[1] = face->y, c->box[2] = face->w, c->box[3] = face->h;
    /* The person fades out where the frame reaches beyond the photo (see EDGE_FADE). */
    sb_err err;
    if ((err = sb_portrait_fade_outside(&c->p.alpha, &c->p.outside, EDGE_FADE * c->p.size, e)) ||
        (err = sb_fimage_copy(&c->p.fg, &c->lit, e)) || (err = face_region(c, e)))
        return err;
    sb_fimage_srgb_to_linear(&c->lit);
    sb_stages_mark(&d->stages, "prepare");
    return SB_OK;
}

/* The person through CartoonGAN (the avatar's net side), made once per variant and call. */
static sb_err cartoon_of(sb_studio_t *studio, call_t *c, sb_cartoon_variant v, const sb_fimage_t **out,
                         sb_detect_result_t *d, sb_error_t *e)
{
    *out = &c->cartoon[v];
    if (c->cartoon[v].data)
        return SB_OK;
    sb_cartoon_t *net;
    sb_image_t in8 = {0}, out8 = {0};
    sb_err err = sb_studio_cartoon(studio, v, &net, e);
    if (!err) {
        sb_detect_result_add_model(d, v == SB_CARTOON_HAYAO ? SB_MODEL_CARTOON_HAYAO : SB_MODEL_CARTOON_HOSODA);
        err = sb_fimage_to_u8(&c->p.fg, &in8, e);
    }
    if (!err)
        err = sb_cartoon_apply(net, &in8, SB_CARTOON_SIDE_DEFAULT, 1.0f, &out8, e);
    if (!err)
        err = sb_image_to_float(&out8, &c->cartoon[v], e);
    if (!err)
        sb_fimage_srgb_to_linear(&c->cartoon[v]);
    sb_image_free(&in8);
    sb_image_free(&out8);
    return err;
}

/* The person of one sample, sRGB. Identity guards the face against the stylization only: the person is
 * stylized by the mode (CartoonGAN) and its skin softened, then `identity` of the face's own pixels comes
 * back inside the face region, and only then is the whole person relit, so the style's light shows at
 * every identity (identity 1 = the face's own pixels, relit). What comes after (grade, black and white,
 * film, vignette, grain) is the frame's and covers the face too. */
static sb_err style_person(sb_studio_t *studio, call_t *c, const sb_style_t *s, sb_fimage_t *person,
                           sb_detect_result_t *d, sb_error_t *e)
{
    const sb_fimage_t *src = &c->lit;
    sb_err err = SB_OK;
    if (s->mode == SB_STYLE_MODE_ANIME_HOSODA || s->mode == SB_STYLE_MODE_ANIME_HAYAO)
        err = cartoon_of(studio, c, s->mode == SB_STYLE_MODE_ANIME_HAYAO ? SB_CARTOON_HAYAO : SB_CARTOON_HOSODA, &src,
                         d, e);
    if (err)
        return err;
    sb_stages_mark(&d->stages, "stylize");
    if ((err = sb_fimage_copy(src, person, e)) ||
        (err = sb_finish_soft_skin(person, &c->region, SKIN_SIGMA * c->box[2], s->soft_skin, e)))
        return err;
    size_t n = (size_t)person->width * person->height;
    for (size_t i = 0; i < n; i++) {
        float t = c->pl.identity * c->region.data[i];
        for (int k = 0; k < 3; k++)
            person->data[3 * i + k] += t * (c->lit.data[3 * i + k] - person->data[3 * i + k]);
    }
    if ((err = sb_portrait_light_apply(person, &c->p.alpha, c->box, s, e)))
        return err;
    sb_fimage_linear_to_srgb(person);
    sb_stages_mark(&d->stages, "relight");
    return SB_OK;
}

static sb_err finish(const call_t *c, const sb_style_t *s, sb_fimage_t *frame, sb_error_t *e)
{
    sb_err err = sb_finish_sharpen(frame, &c->p.alpha, s->sharpen, e);
    if (err)
        return err;
    sb_finish_vignette(frame, s->vignette);
    float grain = s->mode == SB_STYLE_MODE_FILM ? fmaxf(s->grain, FILM_GRAIN_MIN) : s->grain;
    sb_finish_grain(frame, grain, s->grain_seed);
    return SB_OK;
}

static sb_err make_sample(sb_studio_t *studio, call_t *c, const sb_style_t *s, sb_generate_image_t *out,
                          sb_detect_result_t *d, sb_error_t *e)
{
    sb_fimage_t frame = {0}, person = {0};
    sb_image_t frame8 = {0};
    sb_likeness_t lk;
    sb_err err = sb_portrait_bg_render(s, c->pl.width, c->pl.height, &frame, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "background");
    if ((err = style_person(studio, c, s, &person, d, e)) ||
        (err = sb_composite_over(&person, &c->p.alpha, &frame, e)) || (err = sb_portrait_grade(&frame, s, e)))
        goto done;
    sb_stages_mark(&d->stages, "compose");
    if ((err = finish(c, s, &frame, e)))
        goto done;
    sb_stages_mark(&d->stages, "finish");
    if ((err = sb_fimage_to_u8(&frame, &frame8, e)) ||
        (err = sb_io_encode(&frame8, c->pl.format, c->pl.quality, &out->data, &out->len, e)))
        goto done;
    sb_stages_mark(&d->stages, "encode");
    if ((err = sb_pipeline_likeness(studio, &frame8, &c->ref, &lk, e)))
        goto done;
    out->likeness = lk.likeness;
    sb_stages_mark(&d->stages, "likeness");
    sb_point_t quad[4];
    sb_portrait_photo_quad(&c->p, frame8.width, frame8.height, quad);
    if ((err = sb_cutout_check(studio, &frame8, &c->p, quad, lk.faces, &out->cutout, e)))
        goto done;
    sb_stages_mark(&d->stages, "qa");
done:
    sb_fimage_free(&frame);
    sb_fimage_free(&person);
    sb_image_free(&frame8);
    return err;
}

/* One attempt of the cut-out strategies (pipeline/strategy.h): every sample that has not yet passed its
 * check is made on this attempt's cut-out and checked; a sample that passed on an earlier attempt is kept.
 * So each sample is the one a call asking for it alone would make (seed + i reproduces it whatever the
 * number of samples), and samples may differ in framing. *check is the first failing sample's check, else
 * the last one's. */
typedef struct {
    call_t *c;
    sb_generate_result_t *res;
    sb_style_t *style;
    int style_of; /* the sample whose style *style holds */
} attempt_t;

static sb_err attempt(void *ctx, sb_studio_t *studio, sb_portrait_t *p, const sb_cutout_strategy_t *st,
                      sb_cutout_check_t *check, sb_error_t *e)
{
    attempt_t *a = ctx;
    sb_generate_result_t *res = a->res;
    sb_detect_result_t *d = &res->detect;
    int samples = a->c->pl.samples;
    sb_err err = prepare_cutout(a->c, d, e);
    for (int i = 0; !err && i < samples; i++) {
        if (res->images[i].data && res->images[i].cutout.pass)
            continue;
        free(res->images[i].data);
        res->images[i] = (sb_generate_image_t){0};
        int64_t seed = a->c->pl.seed + i;
        /* The first sample's style was resolved by the caller; the same prompt: its ignored terms are the
         * first sample's. */
        if (a->style_of != i) {
            if ((err = sb_style_from_prompt(a->c->pl.prompt, (uint64_t)seed, a->style, NULL, NULL, e)))
                break;
            a->style_of = i;
            sb_stages_mark(&d->stages, "style");
        }
        res->images[i].seed = seed;
        err = make_sample(studio, a->c, a->style, &res->images[i], d, e);
    }
    if (err)
        return err;
    res->n_images = samples;
    *check = res->images[samples - 1].cutout;
    for (int i = 0; i < samples; i++)
        if (!res->images[i].cutout.pass) {
            *check = res->images[i].cutout;
            break;
        }
    return SB_OK;
}

static void call_free(call_t *c)
{
    sb_likeness_ref_free(&c->ref);
    sb_portrait_free(&c->p);
    sb_fimage_free(&c->lit);
    sb_fimage_free(&c->region);
    for (int v = 0; v < 2; v++)
        sb_fimage_free(&c->cartoon[v]);
}

int64_t sb_generate_random_seed(void)
{
    uint32_t r;
    sb_random_bytes((uint8_t *)&r, sizeof r);
    return 1 + (int64_t)(r % RANDOM_SEED_MAX);
}

sb_err sb_generate_portrait(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_generate_opts_t *opts,
                            sb_generate_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    call_t c = {0};
    sb_style_t style;
    sb_err err = make_plan(opts, &c.pl, e);
    /* The first sample's style is resolved before any pixel work: a bad prompt costs no decode. */
    if (!err)
        err = sb_style_from_prompt(c.pl.prompt, (uint64_t)c.pl.seed, &style, &res->ignored_terms, &res->n_ignored,
                                   e);
    if (!err && !(res->style_json = sb_style_to_json(&style)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory writing the style");
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "style");
    /* Alignment and matte are made once per strategy and shared by the samples still to pass. */
    if ((err = prepare(studio, buf, len, &c, d, e)))
        goto done;
    sb_framing_t framing = framing_of(style.framing, c.pl.width, c.pl.height);
    attempt_t at = {.c = &c, .res = res, .style = &style};
    sb_cutout_check_t check;
    if ((err = sb_portrait_checked(studio, &c.p, &framing, framing.face_frac_max, attempt, &at, &check, d, e)))
        goto done;
    for (int i = 0; i < res->n_images; i++)
        res->images[i].cutout.attempts = check.attempts;
    res->quality = c.quality;
    res->warnings = c.quality.warnings;
    res->seed = c.pl.seed;
    res->width = c.pl.width;
    res->height = c.pl.height;
    res->format = c.pl.format;
done:
    call_free(&c);
    if (err)
        sb_generate_result_free(res);
    return err;
}

void sb_generate_result_free(sb_generate_result_t *res)
{
    if (!res)
        return;
    sb_detect_result_free(&res->detect);
    for (int i = 0; i < SB_GENERATE_SAMPLES_MAX; i++) {
        free(res->images[i].data);
        res->images[i] = (sb_generate_image_t){0};
    }
    res->n_images = 0;
    sb_style_ignored_free(res->ignored_terms, res->n_ignored);
    res->ignored_terms = NULL;
    res->n_ignored = 0;
    free(res->style_json);
    res->style_json = NULL;
}
