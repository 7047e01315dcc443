/* shadow.c - shadows from a product's alpha: pool the alpha to a grid as coarse as the finest blur allows,
 * shift and blur it there (hard on a standing product: cast it onto the floor; floating: draw the ellipse), add
 * the contact band, sample back bilinearly. */
#include "render/shadow.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/filter.h"
#include "render/ground.h"

static const char *const names[SB_SHADOW__COUNT] = {
    [SB_SHADOW_NONE] = "none",
    [SB_SHADOW_SOFT] = "soft",
    [SB_SHADOW_HARD] = "hard",
    [SB_SHADOW_NATURAL] = "natural",
    [SB_SHADOW_FLOATING] = "floating",
};

/* Lengths in fractions of the subject's height, angles in degrees (y down: 90 is straight down). */
typedef struct {
    float opacity, blur, angle_deg, distance;
} params_t;

static const params_t DEFAULTS[SB_SHADOW__COUNT] = {
    [SB_SHADOW_NONE] = {0, 0, 0, 0},
    [SB_SHADOW_SOFT] = {0.45f, 0.05f, 90, 0.02f},
    [SB_SHADOW_HARD] = {0.65f, 0.004f, 45, 0.75f},
    [SB_SHADOW_NATURAL] = {0.40f, 0.025f, 60, 0.025f},
    [SB_SHADOW_FLOATING] = {0.45f, 0.05f, 90, 0.10f},
};

/* Natural's contact shadow: the bottom CONTACT_HEIGHT of the subject, dropped by half that, blurred by
 * CONTACT_BLUR and CONTACT_GAIN times as dark as the cast shadow: where the base meets the ground almost
 * no light gets in. */
#define CONTACT_HEIGHT 0.02f
#define CONTACT_BLUR 0.006f
#define CONTACT_GAIN 2.2f
/* Soft's ground shadow (ambient occlusion where the product stands): under every column whose lowest opaque
 * point lies within GROUND_REACH of the subject's height above the base (the rim of a round base rises
 * towards its sides), a band from that point down, fading over GROUND_DEPTH, blurred by GROUND_BLUR and
 * GROUND_GAIN times as dark as the cast shadow: even a large soft light leaves a dark line along the edge
 * where a product meets the surface, which the eye reads as standing on it. */
#define GROUND_REACH 0.12f
#define GROUND_DEPTH 0.015f
#define GROUND_BLUR 0.008f
#define GROUND_GAIN 1.6f
/* Hard's cast shadow (a product standing on the ground, sb_ground_read): the silhouette laid on the floor from
 * its base, each row moved by its height above the base times (cos, sin * CAST_FORESHORTEN) of the angle times
 * the length (the floor recedes: a sideways shadow is flattened as a camera a little above the floor sees it),
 * sharp at the base and blurred up to CAST_FAR_BLUR and lighter by CAST_FADE at the shadow's far end (the
 * penumbra widens and the sky fills it in). Seen from above or cut by the canvas, the silhouette is offset
 * instead, by CAST_OFFSET of the length (a flat lay's shadow is beside it; a held product's on a wall behind).
 * Where the canvas leaves too little room under the base, the foreshortening shrinks (down to CAST_FLATTEN_MIN of
 * it) so the far end stays on the canvas. */
#define CAST_FORESHORTEN 0.2f
#define CAST_FAR_BLUR 0.03f
#define CAST_FADE 0.35f
#define CAST_OFFSET 0.08f
#define CAST_FLATTEN_MIN 0.35f
/* Floating's ellipse: half its width is this much of the subject's width, half its height this much of
 * the subject's height, a flattened disc on the ground seen from slightly above. */
#define FLOAT_HALF_WIDTH 0.45f
#define FLOAT_HALF_HEIGHT 0.04f
/* The grid is at most this many times coarser than the canvas, and its cells at most half the finest
 * blur's sigma, so pooling and bilinear sampling back add little blur of their own. */
#define MAX_POOL 8

sb_err sb_shadow_parse(const char *name, sb_shadow_kind *out, sb_error_t *e)
{
    for (int k = 0; name && k < SB_SHADOW__COUNT; k++)
        if (strcmp(name, names[k]) == 0) {
            *out = (sb_shadow_kind)k;
            return SB_OK;
        }
    char list[96] = "";
    for (int k = 0; k < SB_SHADOW__COUNT; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
    return sb_error_set(e, SB_ERR_USAGE, "shadow_type", "shadow type must be one of %s; got \"%.32s\"", list,
                        name ? name : "");
}

const char *sb_shadow_name(sb_shadow_kind k)
{
    return (unsigned)k < SB_SHADOW__COUNT ? names[k] : "unknown";
}

/* Take override v into *dst unless it is negative (the default); NaN and values over max are errors. */
static sb_err pick(float v, float max, const char *field, float *dst, sb_error_t *e)
{
    if (v < 0)
        return SB_OK;
    if (!(v <= max))
        return sb_error_set(e, SB_ERR_USAGE, field, "%s must be 0..%g (negative for the default), got %g", field,
                            max, v);
    *dst = v;
    return SB_OK;
}

static sb_err resolve(sb_shadow_kind k, const sb_shadow_overrides_t *ov, params_t *p, sb_error_t *e)
{
    *p = DEFAULTS[k];
    if (!ov)
        return SB_OK;
    sb_err err = pick(ov->opacity, 1, "shadow_opacity", &p->opacity, e);
    if (!err)
        err = pick(ov->blur, 1, "shadow_blur", &p->blur, e);
    if (!err)
        err = pick(ov->angle_deg, 360, "shadow_angle", &p->angle_deg, e);
    if (!err)
        err = pick(ov->distance, 1, "shadow_distance", &p->distance, e);
    return err;
}

sb_err sb_shadow_check(sb_shadow_kind k, const sb_shadow_overrides_t *ov, sb_error_t *e)
{
    if ((unsigned)k >= SB_SHADOW__COUNT)
        return sb_error_set(e, SB_ERR_USAGE, "shadow_type", "unknown shadow type %d", (int)k);
    params_t p;
    return resolve(k, ov, &p, e);
}

float sb_shadow_angle(sb_shadow_kind k, const sb_shadow_overrides_t *ov)
{
    params_t p;
    if ((unsigned)k >= SB_SHADOW__COUNT || k == SB_SHADOW_NONE || k == SB_SHADOW_FLOATING || resolve(k, ov, &p, NULL))
        return NAN;
    return p.angle_deg;
}

/* The part of the layer `a` (top-left at ox, oy) that lies on the width x height canvas, in layer
 * coordinates: columns lx0..lx1 - 1, rows ly0..ly1 - 1. */
typedef struct {
    const sb_fimage_t *a;
    int ox, oy, lx0, ly0, lx1, ly1;
} layer_t;

static layer_t on_canvas(const sb_fimage_t *a, int ox, int oy, int width, int height)
{
    layer_t l = {a, ox, oy, ox < 0 ? -ox : 0, oy < 0 ? -oy : 0, width - ox, height - oy};
    l.lx1 = l.lx1 > a->width ? a->width : l.lx1;
    l.ly1 = l.ly1 > a->height ? a->height : l.ly1;
    return l;
}

/* Mean of each s x s cell of the canvas (w x h), clipped to it (the layout sb_pooled_sampler_t reads back);
 * only the layer's pixels are non-zero. */
static void pool(const layer_t *l, int w, int h, int s, float *g, int gw, int gh)
{
    memset(g, 0, (size_t)gw * gh * sizeof *g);
    for (int y = l->ly0; y < l->ly1; y++) {
        const float *row = l->a->data + (size_t)y * l->a->width;
        float *o = g + (size_t)((y + l->oy) / s) * gw;
        for (int x = l->lx0; x < l->lx1; x++)
            o[(x + l->ox) / s] += row[x];
    }
    for (int gy = 0; gy < gh; gy++) {
        int ch = gy * s + s <= h ? s : h - gy * s;
        for (int gx = 0; gx < gw; gx++) {
            int cw = gx * s + s <= w ? s : w - gx * s;
            g[(size_t)gy * gw + gx] /= (float)(cw * ch);
        }
    }
}

/* dst(x, y) = src(x - dx, y - dy), bilinear, zero outside. */
static void shift(const float *src, float *dst, int w, int h, float dx, float dy)
{
    int ix = (int)floorf(dx), iy = (int)floorf(dy);
    float fx = dx - ix, fy = dy - iy;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = 0;
            for (int j = 0; j < 2; j++) {
                int sy = y - iy - j;
                if (sy < 0 || sy >= h)
                    continue;
                float wy = j ? fy : 1 - fy;
                for (int i = 0; i < 2; i++) {
                    int sx = x - ix - i;
                    if (sx >= 0 && sx < w)
                        v += wy * (i ? fx : 1 - fx) * src[(size_t)sy * w + sx];
                }
            }
            dst[(size_t)y * w + x] = v;
        }
}

/* The ground band (see GROUND_*) from the pooled alpha `g` into `out`, grid units: base is the base's
 * position, reach how far above it a column's lowest point may be, depth the band's fade. */
static void ground(const float *g, float *out, int w, int h, float base, float reach, float depth)
{
    memset(out, 0, (size_t)w * h * sizeof *out);
    for (int x = 0; x < w; x++) {
        int b = h - 1;
        while (b >= 0 && g[(size_t)b * w + x] < 0.5f)
            b--;
        if (b < 0 || (float)b < base - reach)
            continue;
        for (int y = b; y < h && (float)(y - b) < 4 * depth; y++)
            out[(size_t)y * w + x] = expf(-(float)(y - b) / depth);
    }
}

/* A filled ellipse centred at (cx, cy) with half axes (ax, ay), in grid cells, its edge antialiased over
 * about one cell. */
static void ellipse(float *g, int w, int h, float cx, float cy, float ax, float ay)
{
    float soft = fminf(ax, ay);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float u = (x - cx) / ax, v = (y - cy) / ay;
            g[(size_t)y * w + x] = fminf(1, fmaxf(0, (1 - sqrtf(u * u + v * v)) * soft + 0.5f));
        }
}

/* Hard's cast shadow (see CAST_*) of the pooled alpha `g` into `out`, grid units. Each column stands on its own
 * ground line, its lowest opaque cell when that lies within `reach` of the base (several products at different
 * depths each cast from their own base), else the nearest column's (an arm or a head over the floor); a cell
 * `hgt` above its ground line lands hgt * (vx, vy) from it, cells landing together combined by max. `far`
 * gets each cell's height over `sub_h` (0 at the base, 1 at the top's shadow): the share of the far blur and
 * the fade. `line` holds w floats. */
static void cast(const float *g, float *out, float *far, float *line, int w, int h, float base, float reach,
                 float vx, float vy, float sub_h)
{
    memset(out, 0, (size_t)w * h * sizeof *out);
    for (size_t i = 0; i < (size_t)w * h; i++)
        far[i] = 1;
    for (int x = 0; x < w; x++) {
        int b = h - 1;
        while (b >= 0 && g[(size_t)b * w + x] < 0.5f)
            b--;
        line[x] = b >= 0 && (float)b >= base - reach ? (float)b + 0.5f : NAN;
    }
    /* Columns without a ground line take the nearest one's (the left one on a tie). */
    int last = -1;
    for (int x = 0; x < w; x++) {
        if (isnan(line[x]))
            continue;
        for (int i = last + 1; i < x; i++)
            line[i] = last >= 0 && i - last <= x - i ? line[last] : line[x];
        last = x;
    }
    for (int i = last + 1; i < w; i++)
        line[i] = last >= 0 ? line[last] : base;
    for (int y = 0; y < h; y++) {
        const float *src = g + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            float v = src[x], hgt = line[x] - (y + 0.5f);
            if (!(v > 0) || hgt < 0)
                continue;
            int tx = (int)lrintf(x + hgt * vx), ty = (int)lrintf(line[x] - 0.5f + hgt * vy);
            if (tx < 0 || tx >= w || ty < 0 || ty >= h)
                continue;
            size_t i = (size_t)ty * w + tx;
            out[i] = v > out[i] ? v : out[i];
            float t = fminf(1, hgt / sub_h);
            if (v > 0.25f && t < far[i])
                far[i] = t;
        }
    }
}

/* `f` (w x h) replaced by its minimum over a (2r + 1) square around each cell, through `tmp`: cast's height map
 * filled in at the cells no source landed on (the splat is nearest-cell), so the far blur's share varies
 * smoothly across the shadow instead of in a grid of holes. */
static void min_filter(float *f, float *tmp, int w, int h, int r)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float m = f[(size_t)y * w + x];
            for (int i = x - r < 0 ? 0 : x - r; i <= x + r && i < w; i++)
                m = fminf(m, f[(size_t)y * w + i]);
            tmp[(size_t)y * w + x] = m;
        }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float m = tmp[(size_t)y * w + x];
            for (int j = y - r < 0 ? 0 : y - r; j <= y + r && j < h; j++)
                m = fminf(m, tmp[(size_t)j * w + x]);
            f[(size_t)y * w + x] = m;
        }
}

/* Natural's and hard's contact shadow (see CONTACT_*) from the pooled alpha `grid` (changed: cleared above the
 * band) into `field` by max, through `tmp`. */
static sb_err contact(float *grid, float *field, float *tmp, int gw, int gh, float base, float sub_h, sb_error_t *e)
{
    float band = fmaxf(1, CONTACT_HEIGHT * sub_h);
    for (int gy = 0; gy < gh; gy++) {
        float wt = fminf(1, fmaxf(0, band + 0.5f - (base - gy)));
        for (int gx = 0; gx < gw; gx++)
            grid[(size_t)gy * gw + gx] *= wt;
    }
    shift(grid, tmp, gw, gh, 0, band / 2);
    sb_err err = sb_blur(tmp, tmp, gw, gh, 1, CONTACT_BLUR * sub_h, e);
    for (size_t i = 0; !err && i < (size_t)gw * gh; i++)
        field[i] = fmaxf(field[i], CONTACT_GAIN * tmp[i]);
    return err;
}

sb_err sb_shadow_render(const sb_fimage_t *alpha, int ox, int oy, int width, int height, sb_shadow_kind k,
                        const sb_shadow_overrides_t *ov, sb_fimage_t *out, sb_error_t *e)
{
    *out = (sb_fimage_t){0};
    if ((unsigned)k >= SB_SHADOW__COUNT)
        return sb_error_set(e, SB_ERR_USAGE, "shadow_type", "unknown shadow type %d", (int)k);
    if (alpha->bands != 1)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "shadow: a %d-band alpha", alpha->bands);
    if (width < 1 || height < 1)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "shadow: a %dx%d canvas", width, height);
    params_t p;
    sb_err err = resolve(k, ov, &p, e);
    if (!err)
        err = sb_fimage_alloc(out, width, height, 1, e);
    if (err)
        return err;
    int w = width, h = height;
    layer_t layer = on_canvas(alpha, ox, oy, w, h);
    sb_ground_t gr = k == SB_SHADOW_NONE || p.opacity == 0 ? (sb_ground_t){0} : sb_ground_read(alpha, ox, oy, w, h);
    if (gr.kind == SB_GROUND_NONE) {
        memset(out->data, 0, (size_t)w * h * sizeof *out->data);
        return SB_OK;
    }
    int x0 = gr.x0, x1 = gr.x1, y1 = gr.y1, cast_floor = k == SB_SHADOW_HARD && gr.kind == SB_GROUND_STANDING;
    float sub_h = (float)(y1 - gr.y0 + 1), finest = p.blur * sub_h;
    if (k == SB_SHADOW_NATURAL || k == SB_SHADOW_HARD)
        finest = fminf(finest, CONTACT_BLUR * sub_h);
    if (k == SB_SHADOW_SOFT)
        finest = fminf(finest, GROUND_BLUR * sub_h);
    int s = (int)(finest / 2);
    s = s < 1 ? 1 : s > MAX_POOL ? MAX_POOL : s;
    int gw = (w + s - 1) / s, gh = (h + s - 1) / s;
    size_t n = (size_t)gw * gh;
    float *grid = malloc(n * sizeof *grid), *field = malloc(n * sizeof *field), *tmp = malloc(n * sizeof *tmp);
    float *far = cast_floor ? malloc(n * sizeof *far) : NULL, *line = cast_floor ? malloc(gw * sizeof *line) : NULL;
    char *live = malloc((size_t)gh);
    sb_pooled_sampler_t ps = {0};
    if (!grid || !field || !tmp || !live || (cast_floor && (!far || !line))) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a shadow");
        goto done;
    }
    /* Grid coordinates: canvas position P (pixel i spans [i, i + 1)) is P / s - 0.5. */
    float base = (float)(y1 + 1) / s - 0.5f, sigma = p.blur * sub_h / s, rad = p.angle_deg * (float)M_PI / 180;
    if (k == SB_SHADOW_FLOATING) {
        float ay = FLOAT_HALF_HEIGHT * sub_h / s, cy = base + p.distance * sub_h / s + ay;
        ellipse(field, gw, gh, (float)(x0 + x1 + 1) / (2.0f * s) - 0.5f, cy,
                FLOAT_HALF_WIDTH * (float)(x1 - x0 + 1) / s, ay);
    } else if (cast_floor) {
        pool(&layer, w, h, s, grid, gw, gh);
        /* A tall product near the canvas's bottom: the floor is flattened further (a lower camera) so the top's
         * shadow still lands on the canvas, down to CAST_FLATTEN_MIN of the foreshortening. */
        float drop = p.distance * sinf(rad) * CAST_FORESHORTEN * sub_h, room = 0.9f * (float)(h - 1 - y1);
        float flat = drop > room ? fmaxf(CAST_FLATTEN_MIN, room / drop) : 1;
        cast(grid, field, far, line, gw, gh, base, GROUND_REACH * sub_h / s, p.distance * cosf(rad),
             p.distance * sinf(rad) * CAST_FORESHORTEN * flat, sub_h / s);
        min_filter(far, tmp, gw, gh, 2);
    } else {
        pool(&layer, w, h, s, grid, gw, gh);
        float d = p.distance * (k == SB_SHADOW_HARD ? CAST_OFFSET : 1) * sub_h / s;
        shift(grid, field, gw, gh, d * cosf(rad), d * sinf(rad));
    }
    err = sb_blur(field, field, gw, gh, 1, sigma, e);
    if (!err && cast_floor) {
        /* Sharp at the base, softer and lighter towards the far end. */
        err = sb_blur(field, tmp, gw, gh, 1, CAST_FAR_BLUR * sub_h / s, e);
        for (size_t i = 0; !err && i < n; i++)
            field[i] = (field[i] + (tmp[i] - field[i]) * far[i]) * (1 - CAST_FADE * far[i]);
    }
    if (!err && (k == SB_SHADOW_NATURAL || k == SB_SHADOW_HARD))
        err = contact(grid, field, tmp, gw, gh, base, sub_h / s, e);
    if (!err && k == SB_SHADOW_SOFT) {
        ground(grid, tmp, gw, gh, base, GROUND_REACH * sub_h / s, fmaxf(0.5f, GROUND_DEPTH * sub_h / s));
        err = sb_blur(tmp, tmp, gw, gh, 1, GROUND_BLUR * sub_h / s, e);
        for (size_t i = 0; !err && i < n; i++)
            field[i] = fmaxf(field[i], GROUND_GAIN * tmp[i]);
    }
    if (err)
        goto done;
    /* max, not a screen blend, so the opacity scales every kind's darkness linearly. */
    for (int gy = 0; gy < gh; gy++) {
        live[gy] = 0;
        for (size_t i = (size_t)gy * gw; i < (size_t)(gy + 1) * gw; i++) {
            field[i] = fminf(1, p.opacity * field[i]);
            live[gy] |= field[i] != 0;
        }
    }
    err = sb_pooled_sampler_init(&ps, field, gw, gh, 1, s, w, e);
    if (err)
        goto done;
    /* A row between two all-zero grid rows is all zero: most of a canvas, not worth sampling. */
    for (int y = 0; y < h; y++) {
        float fy = (y + 0.5f) / s - 0.5f;
        int g0 = fy <= 0 ? 0 : fy >= gh - 1 ? gh - 1 : (int)fy, g1 = g0 + 1 < gh ? g0 + 1 : g0;
        if (live[g0] || live[g1])
            sb_pooled_sampler_row(&ps, y, out->data + (size_t)y * w);
        else
            memset(out->data + (size_t)y * w, 0, (size_t)w * sizeof *out->data);
    }
done:
    sb_pooled_sampler_free(&ps);
    free(grid);
    free(field);
    free(tmp);
    free(far);
    free(line);
    free(live);
    if (err)
        sb_fimage_free(out);
    return err;
}

/* Darken the run [lo, hi) of row `px` by `s`, converting through linear light. A run of one repeated colour
 * (a flat background) is taken to linear once, and a grey one back through one band instead of three: the
 * same per-value curves, so the same pixels, for a sixth of the work on a white studio. `lin` holds 3 * w
 * floats, `out` 3 * w, `which` w. */
static void darken_run(float *px, const float *s, int lo, int hi, float *lin, float *out, int *which)
{
    int n = 0, grey = 1;
    for (int x = lo; x < hi; x++) {
        const float *p = px + (size_t)x * 3;
        if (x == lo || p[0] != p[-3] || p[1] != p[-2] || p[2] != p[-1]) {
            memcpy(lin + (size_t)n * 3, p, 3 * sizeof *p);
            grey &= p[0] == p[1] && p[1] == p[2];
            n++;
        }
        which[x - lo] = n - 1;
    }
    sb_fimage_t distinct = {n, 1, 3, lin};
    sb_fimage_srgb_to_linear(&distinct);
    int bands = grey ? 1 : 3;
    for (int x = lo; x < hi; x++) {
        float keep = 1 - (s[x] < 1 ? s[x] : 1);
        for (int c = 0; c < bands; c++)
            out[(x - lo) * bands + c] = lin[which[x - lo] * 3 + c] * keep;
    }
    sb_fimage_t seg = {hi - lo, 1, bands, out};
    sb_fimage_linear_to_srgb(&seg);
    /* The tables round-trip to within ~1e-4; the min keeps a faint shadow from brightening a pixel. */
    for (int x = lo; x < hi; x++)
        for (int c = 0; c < 3; c++) {
            float v = out[(x - lo) * bands + (grey ? 0 : c)];
            px[x * 3 + c] = v < px[x * 3 + c] ? v : px[x * 3 + c];
        }
}

sb_err sb_shadow_apply(sb_fimage_t *rgb, const sb_fimage_t *shadow, sb_error_t *e)
{
    if (rgb->bands != 3 || shadow->bands != 1 || rgb->width != shadow->width || rgb->height != shadow->height)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "shadow: a %d-band image or a mismatched shadow", rgb->bands);
    int w = rgb->width;
    float *lin = malloc((size_t)w * 6 * sizeof *lin);
    int *which = malloc((size_t)w * sizeof *which);
    if (!lin || !which) {
        free(lin);
        free(which);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a shadow");
    }
    for (int y = 0; y < rgb->height; y++) {
        const float *s = shadow->data + (size_t)y * w;
        /* Only the runs that are shadowed go through the curves, so the rest stays bit for bit (and under
         * an opaque product, where the pipeline clears the shadow, no time is spent). */
        for (int lo = 0, hi; lo < w; lo = hi) {
            while (lo < w && !(s[lo] > 0))
                lo++;
            for (hi = lo; hi < w && s[hi] > 0; hi++)
                ;
            if (lo < hi)
                darken_run(rgb->data + (size_t)y * w * 3, s, lo, hi, lin, lin + (size_t)w * 3, which);
        }
    }
    free(lin);
    free(which);
    return SB_OK;
}
