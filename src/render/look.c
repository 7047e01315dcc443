/* look.c - learn a look as statistics in CIE L*a*b* (D65), where distances and means follow perception,
 * and apply it as a tone curve on L* plus a limited Reinhard-style transfer of a* b* from a fixed
 * reference. */
#include "render/look.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/filter.h"
#include "image/io.h"
#include "render/finish.h"

#define HIST_N 1000          /* L* histogram bins, 0.1 L* each */
#define MIN_SIDE 16          /* smaller decoded examples are skipped: too few pixels for grain and vignette */
#define GRAIN_BLOCK 8        /* grain is measured per 8x8 block of the residual */
#define GRAIN_PERCENTILE 0.25f
#define VIG_CENTRE SB_VIGNETTE_CENTRE /* radius, fraction of the half diagonal, inside which is "centre" */
#define VIG_CORNER 0.80f     /* and beyond which is "corner" */
#define TONE_LUT_N 1024

/* The reference: the look of ordinary, ungraded photos, learnt with bench/look (grain and vignette
 * raw, before these are subtracted) from the 112 photos of shared/testdata faces, identity and groups
 * (portraits, mostly unedited), the closest thing to the avatar's own input. A look learnt from them
 * applies as the identity. */
static const float REF_TONE[SB_LOOK_TONE_N] = {0.03f,  2.26f,  6.84f,  12.22f, 17.34f, 24.12f,
                                               30.85f, 37.26f, 43.84f, 50.24f, 56.86f, 63.10f,
                                               68.94f, 75.46f, 82.57f, 91.05f, 99.94f};
static const float REF_AB[SB_LOOK__BANDS][2] = {{4.29f, 1.03f}, {8.70f, 7.95f}, {4.18f, 6.15f}};
#define REF_CHROMA 17.2f
#define REF_GRAIN 0.0049f
#define REF_VIGNETTE_RATIO 0.83f
#define VIG_SLACK 0.15f      /* ordinary sets read up to this much vignette (identity alone: 0.18) */

/* Limits of the transfer, so a strong or odd look cannot wreck a face. */
#define MAX_SHIFT 15.0f      /* a* b* shift per tonal band, Lab units */
#define MAX_CHROMA_GAIN 1.5f /* colourfulness is scaled by 0 (mono) .. 1.5 */
#define SKIN_KEEP 0.5f       /* skin hues get half the shift and half of any colour gain */
#define MAX_TONE 25.0f       /* the tone curve moves L* by at most this */
#define MAX_GRAIN 0.25f
#define MAX_GRAIN_PX 0.12f   /* per-pixel grain std at output resolution */
#define MAX_VIGNETTE 0.8f

/* sRGB linear -> XYZ (D65) and back, and the white point. */
static const float M[3][3] = {{0.4124564f, 0.3575761f, 0.1804375f},
                              {0.2126729f, 0.7151522f, 0.0721750f},
                              {0.0193339f, 0.1191920f, 0.9503041f}};
static const float MI[3][3] = {{3.2404542f, -1.5371385f, -0.4985314f},
                               {-0.9692660f, 1.8760108f, 0.0415560f},
                               {0.0556434f, -0.2040259f, 1.0572252f}};
static const float WHITE[3] = {0.95047f, 1.0f, 1.08883f};

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static float smooth(float e0, float e1, float v)
{
    float t = clampf((v - e0) / (e1 - e0), 0, 1);
    return t * t * (3 - 2 * t);
}

static float lab_f(float t)
{
    return t > 0.008856452f ? cbrtf(t) : t * 7.787037f + 16.0f / 116.0f;
}

static float lab_finv(float f)
{
    return f > 0.20689655f ? f * f * f : (f - 16.0f / 116.0f) / 7.787037f;
}

static void lab_of(const float *lin, float *lab)
{
    float f[3];
    for (int k = 0; k < 3; k++)
        f[k] = lab_f((M[k][0] * lin[0] + M[k][1] * lin[1] + M[k][2] * lin[2]) / WHITE[k]);
    lab[0] = 116.0f * f[1] - 16.0f;
    lab[1] = 500.0f * (f[0] - f[1]);
    lab[2] = 200.0f * (f[1] - f[2]);
}

static void linear_of_lab(const float *lab, float *lin)
{
    float fy = (lab[0] + 16.0f) / 116.0f;
    float xyz[3] = {WHITE[0] * lab_finv(fy + lab[1] / 500.0f), WHITE[1] * lab_finv(fy),
                    WHITE[2] * lab_finv(fy - lab[2] / 200.0f)};
    for (int k = 0; k < 3; k++)
        lin[k] = MI[k][0] * xyz[0] + MI[k][1] * xyz[1] + MI[k][2] * xyz[2];
}

/* Soft tonal bands on L* that sum to 1: shadows below 20..50, highlights above 50..80. */
static void band_weights(float L, float *w)
{
    w[SB_LOOK_SHADOWS] = 1.0f - smooth(20, 50, L);
    w[SB_LOOK_HIGHLIGHTS] = smooth(50, 80, L);
    w[SB_LOOK_MIDTONES] = 1.0f - w[SB_LOOK_SHADOWS] - w[SB_LOOK_HIGHLIGHTS];
}

static void hist_add(double *hist, float L, double weight)
{
    int bin = (int)(L * (HIST_N / 100.0f));
    hist[bin < 0 ? 0 : bin >= HIST_N ? HIST_N - 1 : bin] += weight;
}

/* The cumulative fraction of tone control point i: 1% .. 99%. */
static double tone_fraction(int i)
{
    return 0.01 + 0.98 * i / (SB_LOOK_TONE_N - 1);
}

/* Colour statistics: weighted sums of a*, b* and their squares per tonal band. */
typedef struct {
    double w[SB_LOOK__BANDS], a[SB_LOOK__BANDS], b[SB_LOOK__BANDS], sq[SB_LOOK__BANDS];
    double total;
} colour_acc_t;

static void colour_add(colour_acc_t *c, const float *lab, double weight)
{
    float w[SB_LOOK__BANDS];
    band_weights(lab[0], w);
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        c->w[k] += weight * w[k];
        c->a[k] += weight * w[k] * lab[1];
        c->b[k] += weight * w[k] * lab[2];
        c->sq[k] += weight * w[k] * (lab[1] * lab[1] + lab[2] * lab[2]);
    }
    c->total += weight;
}

/* Band means; a band with under 1% of the weight (a high-key set has no shadows) takes the overall
 * mean, so an empty band never reads as a neutral one. *chroma: the RMS distance of a* b* from their
 * band's mean, a colourfulness that a cast does not raise. */
static void colour_means(const colour_acc_t *c, float ab[SB_LOOK__BANDS][2], float *chroma)
{
    double sa = 0, sb = 0;
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        sa += c->a[k];
        sb += c->b[k];
    }
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        int own = c->w[k] >= 0.01 * c->total;
        ab[k][0] = (float)(own ? c->a[k] / c->w[k] : sa / c->total);
        ab[k][1] = (float)(own ? c->b[k] / c->w[k] : sb / c->total);
    }
    double var = 0;
    for (int k = 0; k < SB_LOOK__BANDS; k++)
        if (c->w[k] > 0)
            var += c->sq[k] - (c->a[k] * c->a[k] + c->b[k] * c->b[k]) / c->w[k];
    *chroma = (float)sqrt(fmax(0, var / c->total));
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Median of the first n values (sorted in place); NAN when n is 0. */
static float median(float *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct {
    double hist[HIST_N]; /* L*, each example adding a total weight of 1 */
    colour_acc_t colour;
    float *grain, *ratio; /* per example, NAN-free: only examples that gave a value */
    int n_grain, n_ratio;
    float *luma, *mean, *block; /* scratch for one example */
} learn_t;

/* Noise level: the std of luma minus its 3x3 mean, per 8x8 block, at a low percentile of the blocks,
 * so texture and edges (the high blocks) do not count. Near-black and near-white blocks are left out:
 * clipping flattens them. For white noise of std s the residual's std is s sqrt(8/9), undone here. */
static sb_err measure_grain(learn_t *L, int w, int h, sb_error_t *e)
{
    sb_err err = sb_box_mean(L->luma, L->mean, w, h, 1, 1, e);
    if (err)
        return err;
    int nb = 0;
    for (int by = 0; by + GRAIN_BLOCK <= h; by += GRAIN_BLOCK)
        for (int bx = 0; bx + GRAIN_BLOCK <= w; bx += GRAIN_BLOCK) {
            double s = 0, s2 = 0, level = 0;
            for (int y = by; y < by + GRAIN_BLOCK; y++)
                for (int x = bx; x < bx + GRAIN_BLOCK; x++) {
                    size_t i = (size_t)y * w + x;
                    double r = L->luma[i] - L->mean[i];
                    s += r;
                    s2 += r * r;
                    level += L->luma[i];
                }
            double m = GRAIN_BLOCK * GRAIN_BLOCK;
            level /= m;
            if (level < 0.03 || level > 0.97)
                continue;
            L->block[nb++] = (float)sqrt(fmax(0, s2 / m - (s / m) * (s / m)));
        }
    if (nb) {
        qsort(L->block, (size_t)nb, sizeof *L->block, cmp_float);
        L->grain[L->n_grain++] = L->block[(int)(GRAIN_PERCENTILE * (nb - 1))] / sqrtf(8.0f / 9.0f);
    }
    return SB_OK;
}

static sb_err learn_one(learn_t *L, const sb_image_t *img, const float *to_lin, sb_error_t *e)
{
    int w = img->width, h = img->height;
    double weight = 1.0 / ((double)w * h), centre = 0, corner = 0;
    int n_centre = 0, n_corner = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            const uint8_t *p = img->data + i * 3;
            float srgb[3] = {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f};
            float lin[3] = {to_lin[p[0]], to_lin[p[1]], to_lin[p[2]]}, lab[3];
            lab_of(lin, lab);
            hist_add(L->hist, lab[0], weight);
            colour_add(&L->colour, lab, weight);
            L->luma[i] = sb_luma(srgb);
            float r = sb_finish_radius(x, y, w, h), Y = sb_luma(lin);
            if (r <= VIG_CENTRE) {
                centre += Y;
                n_centre++;
            } else if (r >= VIG_CORNER) {
                corner += Y;
                n_corner++;
            }
        }
    /* A dark centre says nothing about a vignette. */
    if (n_centre && n_corner && centre / n_centre > 0.01)
        L->ratio[L->n_ratio++] = (float)((corner / n_corner) / (centre / n_centre));
    return measure_grain(L, w, h, e);
}

/* L* at cumulative fraction p of the histogram, interpolated inside the bin. */
static float quantile(const double *hist, double total, double p)
{
    double target = p * total, cum = 0;
    for (int i = 0; i < HIST_N; i++) {
        if (cum + hist[i] >= target && hist[i] > 0)
            return (float)((i + (target - cum) / hist[i]) * (100.0 / HIST_N));
        cum += hist[i];
    }
    return 100.0f;
}

static int bad_example(sb_err err)
{
    return err == SB_ERR_UNSUPPORTED_FORMAT || err == SB_ERR_CORRUPT_IMAGE || err == SB_ERR_IMAGE_TOO_LARGE;
}

sb_err sb_look_learn(const uint8_t *const *bufs, const size_t *lens, int n, sb_look_t *out, int *used,
                     sb_error_t *e)
{
    if (used)
        *used = 0;
    if (n < 1 || !bufs || !lens)
        return sb_error_set(e, SB_ERR_USAGE, "examples", "at least one example image is needed, got %d", n);
    sb_err err = SB_OK;
    size_t px = (size_t)SB_LOOK_SIDE * SB_LOOK_SIDE;
    size_t blocks = px / (GRAIN_BLOCK * GRAIN_BLOCK);
    learn_t *L = calloc(1, sizeof *L);
    float *scratch = malloc(sizeof(float) * (2 * (size_t)n + 2 * px + blocks));
    if (!L || !scratch) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory learning a look from %d examples", n);
        goto done;
    }
    L->grain = scratch;
    L->ratio = L->grain + n;
    L->luma = L->ratio + n;
    L->mean = L->luma + px;
    L->block = L->mean + px;
    float to_lin[256];
    for (int i = 0; i < 256; i++)
        to_lin[i] = sb_srgb_to_linear(i / 255.0f);

    const sb_decode_opts_t opts = {.max_side = SB_LOOK_SIDE};
    int k = 0, undecodable = 0, small = 0;
    for (int i = 0; i < n; i++) {
        sb_image_t img = {0};
        sb_error_t de = {0};
        err = sb_io_decode(bufs[i], lens[i], &opts, &img, NULL, &de);
        if (bad_example(err)) {
            undecodable++;
            err = SB_OK;
            continue;
        }
        if (err == SB_ERR_IMAGE_TOO_SMALL) { /* refused from its header: a sliver, not a photo */
            small++;
            err = SB_OK;
            continue;
        }
        if (err) {
            if (e)
                *e = de;
            goto done;
        }
        if (img.width < MIN_SIDE || img.height < MIN_SIDE)
            small++;
        else if ((err = learn_one(L, &img, to_lin, &de)) != SB_OK) {
            if (e)
                *e = de;
            sb_image_free(&img);
            goto done;
        } else
            k++;
        sb_image_free(&img);
    }
    if (k == 0) {
        err = sb_error_set(e, SB_ERR_USAGE, "examples",
                           "none of the %d example images is usable (%d would not decode, %d under %d pixels)", n,
                           undecodable, small, MIN_SIDE);
        goto done;
    }

    sb_look_t look = {.examples = k};
    for (int i = 0; i < SB_LOOK_TONE_N; i++)
        look.tone[i] = quantile(L->hist, k, tone_fraction(i));
    colour_means(&L->colour, look.ab, &look.chroma);
    float g = median(L->grain, L->n_grain), r = median(L->ratio, L->n_ratio);
    look.grain = isnan(g) ? 0 : clampf(sqrtf(fmaxf(0, g * g - REF_GRAIN * REF_GRAIN)), 0, MAX_GRAIN);
    look.vignette = isnan(r) ? 0 : clampf(1.0f - r / REF_VIGNETTE_RATIO - VIG_SLACK, 0, MAX_VIGNETTE);
    *out = look;
    if (used)
        *used = k;
done:
    free(scratch);
    free(L);
    return err;
}

static sb_err check_range(double v, double lo, double hi, const char *field, sb_error_t *e)
{
    if (v >= lo && v <= hi)
        return SB_OK;
    return sb_error_set(e, SB_ERR_USAGE, field, "look field %s must be %g..%g, got %g", field, lo, hi, v);
}

static const char *const band_names[SB_LOOK__BANDS] = {"shadows", "midtones", "highlights"};

static sb_err validate(const sb_look_t *l, sb_error_t *e)
{
    char field[32];
    sb_err err = check_range(l->examples, 1, 1e6, "examples", e);
    for (int i = 0; !err && i < SB_LOOK_TONE_N; i++) {
        snprintf(field, sizeof field, "tone[%d]", i);
        err = check_range(l->tone[i], i ? l->tone[i - 1] : 0, 100, field, e);
    }
    for (int k = 0; !err && k < SB_LOOK__BANDS * 2; k++) {
        snprintf(field, sizeof field, "%s[%d]", band_names[k / 2], k % 2);
        err = check_range(l->ab[k / 2][k % 2], -128, 128, field, e);
    }
    if (!err)
        err = check_range(l->chroma, 0, 150, "chroma", e);
    if (!err)
        err = check_range(l->grain, 0, MAX_GRAIN, "grain", e);
    if (!err)
        err = check_range(l->vignette, 0, MAX_VIGNETTE, "vignette", e);
    return err;
}

/* The tone curve: piecewise linear through (REF_TONE[i], tone[i]), the end segments extended. */
static float tone_map(const float *tone, float L)
{
    int i = 0;
    while (i < SB_LOOK_TONE_N - 2 && L >= REF_TONE[i + 1])
        i++;
    float slope = (tone[i + 1] - tone[i]) / (REF_TONE[i + 1] - REF_TONE[i]);
    return clampf(tone[i] + slope * (L - REF_TONE[i]), 0, 100);
}

/* Skin hues in Lab: a* and b* positive at 10..85 degrees, moderate chroma, not near black. */
static float skin_of(const float *lab)
{
    float c = hypotf(lab[1], lab[2]);
    float hue = atan2f(lab[2], lab[1]) * (180.0f / (float)M_PI);
    return smooth(10, 25, hue) * (1.0f - smooth(70, 85, hue)) * smooth(5, 12, c) * (1.0f - smooth(45, 60, c)) *
           smooth(15, 30, lab[0]);
}

sb_err sb_look_apply(sb_fimage_t *rgb, const sb_look_t *look, float intensity, uint64_t seed, sb_error_t *e)
{
    if (!(intensity >= 0 && intensity <= 1))
        return sb_error_set(e, SB_ERR_USAGE, "intensity", "look intensity must be 0..1, got %g", intensity);
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_USAGE, "image", "a look applies to RGB, not %d bands", rgb->bands);
    sb_err err = validate(look, e);
    if (err || intensity == 0)
        return err;
    const float t = intensity;
    int w = rgb->width, h = rgb->height;

    /* A fixed per-pixel transform, as a grade: the reference's statistics go to the look's. Mapping
     * the image's own statistics instead (classic Reinhard transfer) was tried: on photos graded with
     * warm_film and teal_orange, looks learnt from them reproduced the grades on other photos half as
     * well (mean |error| 0.025 and 0.038 against 0.016 and 0.023), as a photo's own content (a red
     * curtain, a dark backdrop) was taken for a cast or a tone to undo. */
    float lut[TONE_LUT_N + 1];
    for (int i = 0; i <= TONE_LUT_N; i++) {
        float L = i * (100.0f / TONE_LUT_N);
        lut[i] = L + t * clampf(tone_map(look->tone, L) - L, -MAX_TONE, MAX_TONE);
    }
    float shift[SB_LOOK__BANDS][2];
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        float da = look->ab[k][0] - REF_AB[k][0], db = look->ab[k][1] - REF_AB[k][1];
        float m = hypotf(da, db), s = m > MAX_SHIFT ? MAX_SHIFT / m : 1.0f;
        shift[k][0] = da * s;
        shift[k][1] = db * s;
    }
    /* Colourfulness scales a* b* about the reference's band means, so it does not move the cast. */
    float gain = clampf(look->chroma / REF_CHROMA, 0, MAX_CHROMA_GAIN);

    sb_fimage_srgb_to_linear(rgb);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *p = rgb->data + ((size_t)y * w + x) * 3, lab[3], bw[SB_LOOK__BANDS];
            lab_of(p, lab);
            band_weights(lab[0], bw);
            /* Skin keeps half of a cast and of more colour; less colour (down to mono) is a look, not a risk. */
            float keep = 1.0f - SKIN_KEEP * skin_of(lab);
            float g = t * (gain > 1 ? keep : 1.0f) * (gain - 1.0f);
            float out[3], f = clampf(lab[0], 0, 100) * (TONE_LUT_N / 100.0f);
            int i = f >= TONE_LUT_N ? TONE_LUT_N - 1 : (int)f;
            out[0] = lut[i] + (lut[i + 1] - lut[i]) * (f - i);
            for (int c = 1; c < 3; c++) {
                float s = 0, m = 0;
                for (int k = 0; k < SB_LOOK__BANDS; k++) {
                    s += bw[k] * shift[k][c - 1];
                    m += bw[k] * REF_AB[k][c - 1];
                }
                out[c] = lab[c] + t * keep * s + g * (lab[c] - m);
            }
            float v = 1.0f - t * look->vignette * sb_finish_vignette_falloff(sb_finish_radius(x, y, w, h));
            linear_of_lab(out, p);
            for (int c = 0; c < 3; c++)
                p[c] *= v;
        }
    sb_fimage_linear_to_srgb(rgb);

    /* Grain was measured at SB_LOOK_SIDE; white noise shrunk k times loses k times its std, so a larger
     * image needs k times the std per pixel to read the same. */
    float k = fmaxf(1.0f, (float)(w > h ? w : h) / SB_LOOK_SIDE);
    float sigma = fminf(t * look->grain * k, MAX_GRAIN_PX);
    if (sigma > 0)
        sb_finish_grain(rgb, sigma, seed);
    return SB_OK;
}

static json_t *floats(const float *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; a && i < n; i++)
        json_array_append_new(a, json_real(v[i]));
    return a;
}

sb_err sb_look_to_json(const sb_look_t *look, char **out, sb_error_t *e)
{
    *out = NULL;
    sb_err err = validate(look, e);
    if (err)
        return err;
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer(1));
    json_object_set_new(o, "examples", json_integer(look->examples));
    json_object_set_new(o, "tone", floats(look->tone, SB_LOOK_TONE_N));
    for (int k = 0; k < SB_LOOK__BANDS; k++)
        json_object_set_new(o, band_names[k], floats(look->ab[k], 2));
    json_object_set_new(o, "chroma", json_real(look->chroma));
    json_object_set_new(o, "grain", json_real(look->grain));
    json_object_set_new(o, "vignette", json_real(look->vignette));
    /* 9 significant digits give any float back exactly. */
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(9)) : NULL;
    json_decref(o);
    return *out ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory writing a look");
}

static sb_err get_field(const json_t *o, const char *key, json_t **v, sb_error_t *e)
{
    *v = json_object_get(o, key);
    return *v ? SB_OK : sb_error_set(e, SB_ERR_USAGE, key, "look field %s is missing", key);
}

static sb_err get_floats(const json_t *o, const char *key, float *out, int n, sb_error_t *e)
{
    json_t *a;
    sb_err err = get_field(o, key, &a, e);
    if (err)
        return err;
    if (!json_is_array(a) || json_array_size(a) != (size_t)n)
        return sb_error_set(e, SB_ERR_USAGE, key, "look field %s must be an array of %d numbers", key, n);
    for (int i = 0; i < n; i++) {
        json_t *v = json_array_get(a, (size_t)i);
        if (!json_is_number(v))
            return sb_error_set(e, SB_ERR_USAGE, key, "look field %s[%d] must be a number", key, i);
        out[i] = (float)json_number_value(v);
    }
    return SB_OK;
}

static sb_err get_float(const json_t *o, const char *key, float *out, sb_error_t *e)
{
    json_t *v;
    sb_err err = get_field(o, key, &v, e);
    if (err)
        return err;
    if (!json_is_number(v))
        return sb_error_set(e, SB_ERR_USAGE, key, "look field %s must be a number", key);
    *out = (float)json_number_value(v);
    return SB_OK;
}

static sb_err get_int(const json_t *o, const char *key, long long lo, long long hi, long long *out, sb_error_t *e)
{
    json_t *v;
    sb_err err = get_field(o, key, &v, e);
    if (err)
        return err;
    if (!json_is_integer(v))
        return sb_error_set(e, SB_ERR_USAGE, key, "look field %s must be an integer", key);
    *out = json_integer_value(v);
    return check_range((double)*out, (double)lo, (double)hi, key, e);
}

sb_err sb_look_from_json(const char *json, sb_look_t *out, sb_error_t *e)
{
    static const char *const keys[] = {"version",    "examples", "tone",  "shadows",  "midtones",
                                       "highlights", "chroma",   "grain", "vignette"};
    if (!json)
        return sb_error_set(e, SB_ERR_USAGE, "look", "look JSON is missing");
    json_error_t je;
    json_t *o = json_loads(json, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return sb_error_set(e, SB_ERR_USAGE, "look", "look is not valid JSON: %s (line %d, column %d)", je.text,
                            je.line, je.column);
    sb_err err = SB_OK;
    if (!json_is_object(o)) {
        err = sb_error_set(e, SB_ERR_USAGE, "look", "look must be a JSON object");
        goto done;
    }
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t i = 0;
        while (i < sizeof keys / sizeof *keys && strcmp(key, keys[i]))
            i++;
        if (i == sizeof keys / sizeof *keys) {
            err = sb_error_set(e, SB_ERR_USAGE, "look", "look has an unknown field \"%.32s\"", key);
            goto done;
        }
    }
    long long version, examples;
    sb_look_t l;
    if ((err = get_int(o, "version", 1, 1, &version, e)) || (err = get_int(o, "examples", 1, 1000000, &examples, e)) ||
        (err = get_floats(o, "tone", l.tone, SB_LOOK_TONE_N, e)))
        goto done;
    for (int k = 0; k < SB_LOOK__BANDS; k++)
        if ((err = get_floats(o, band_names[k], l.ab[k], 2, e)))
            goto done;
    if ((err = get_float(o, "chroma", &l.chroma, e)) || (err = get_float(o, "grain", &l.grain, e)) ||
        (err = get_float(o, "vignette", &l.vignette, e)))
        goto done;
    l.examples = (int)examples;
    if ((err = validate(&l, e)) == SB_OK)
        *out = l;
done:
    json_decref(o);
    return err;
}
