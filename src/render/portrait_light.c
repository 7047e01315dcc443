/* portrait_light.c - a style's key, rim and neon light on the person (see portrait_light.h). */
#include "render/portrait_light.h"

#include <math.h>
#include <stdlib.h>

#include "image/filter.h"
#include "render/light.h"

/* A hard light is stronger than a soft one of the same strength: softness 0 gives 1.4 x, 1 gives 0.8 x. */
#define HARD_GAIN 1.4f
#define SOFT_LOSS 0.6f
/* Colour of a fully warm (or, negated, cool) key: linear gains on R, G, B per unit of warmth x strength. */
static const float WARM[3] = {0.14f, 0.02f, -0.14f};
/* The rim: a band this fraction of the face width deep, this bright (linear, added) at full strength. */
#define RIM_DEPTH 0.05f
#define RIM_GAIN 0.5f
/* Neon: two coloured side lights, magenta from the left and cyan from the right (linear colours). Each
 * is strongest from NEON_OUTER of the face's half width out (the face's edge, the hair and shoulders on
 * its side), where it replaces NEON_DIM_SIDE of the neutral light, and fades smoothly to nothing at
 * NEON_INNER of it; the middle of the face keeps its own tone, losing NEON_DIM_MIDDLE of the neutral
 * light to NEON_BOTH of each colour. Away from the face the light falls to NEON_SPILL, over about
 * NEON_REACH face widths. The effect is strength x NEON_SCALE (at most 1), so the style's strengths of
 * 0.6-0.8 read clearly on skin. */
static const float NEON_LEFT[3] = {1.0f, 0.10f, 1.0f};
static const float NEON_RIGHT[3] = {0.05f, 0.70f, 1.0f};
#define NEON_GAIN 1.7f
#define NEON_DIM_SIDE 0.9f
#define NEON_DIM_MIDDLE 0.4f
#define NEON_INNER 0.1f
#define NEON_OUTER 0.9f
#define NEON_BOTH 0.15f
#define NEON_SPILL 0.4f
#define NEON_REACH 1.5f
#define NEON_SCALE 1.25f

static float smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

static void neon(sb_fimage_t *lin, const sb_fimage_t *alpha, const float box[4], float strength)
{
    float cx = box[0] + box[2] / 2, cy = box[1] + box[3] / 2, half = box[2] / 2;
    float gain = fminf(1.0f, strength * NEON_SCALE);
    for (int y = 0; y < lin->height; y++)
        for (int x = 0; x < lin->width; x++) {
            size_t i = (size_t)y * lin->width + x;
            if (alpha->data[i] <= 0)
                continue;
            /* u, v in half face widths: the distance in face widths is hypot(u, v) / 2. */
            float u = (x + 0.5f - cx) / half, v = (y + 0.5f - cy) / half;
            float l = smooth(NEON_INNER, NEON_OUTER, -u), r = smooth(NEON_INNER, NEON_OUTER, u);
            float both = NEON_BOTH * (1.0f - l - r);
            float dim = NEON_DIM_MIDDLE + (NEON_DIM_SIDE - NEON_DIM_MIDDLE) * (l + r);
            float reach = expf(-(u * u + v * v) / (4 * NEON_REACH * NEON_REACH));
            float k = gain * alpha->data[i] * (NEON_SPILL + (1.0f - NEON_SPILL) * reach);
            for (int c = 0; c < 3; c++) {
                float col = (l + both) * NEON_LEFT[c] + (r + both) * NEON_RIGHT[c];
                lin->data[3 * i + c] *= 1.0f + k * (NEON_GAIN * col - dim);
            }
        }
}

/* Light added along the person's edge that faces (dx, dy): where the matte a little way towards the
 * light is background. */
static sb_err rim(sb_fimage_t *lin, const sb_fimage_t *alpha, const float box[4], float dx, float dy, float strength,
                  const float tint[3], sb_error_t *e)
{
    int w = lin->width, h = lin->height;
    float depth = RIM_DEPTH * box[2];
    float *edge = malloc(sizeof(float) * (size_t)w * h);
    if (!edge)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the rim light");
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx = (int)lrintf(x + dx * depth), sy = (int)lrintf(y + dy * depth);
            /* The person goes on beyond the frame: hair cut by the top edge is not an edge. */
            sx = sx < 0 ? 0 : sx >= w ? w - 1 : sx, sy = sy < 0 ? 0 : sy >= h ? h - 1 : sy;
            float out = alpha->data[(size_t)sy * w + sx];
            edge[(size_t)y * w + x] = 1.0f - out;
        }
    sb_err err = sb_blur(edge, edge, w, h, 1, depth * 0.3f, e);
    for (size_t i = 0; !err && i < (size_t)w * h; i++) {
        /* Squared: the matte's soft fringe (fine hair, its halo) would otherwise turn into a grey veil. */
        float k = RIM_GAIN * strength * edge[i] * alpha->data[i] * alpha->data[i];
        for (int c = 0; c < 3; c++)
            lin->data[3 * i + c] += k * tint[c];
    }
    free(edge);
    return err;
}

sb_err sb_portrait_light_apply(sb_fimage_t *lin, const sb_fimage_t *alpha, const float face_box[4], const sb_style_t *s,
                               sb_error_t *e)
{
    if (!(face_box[2] > 0 && face_box[3] > 0))
        return sb_error_set(e, SB_ERR_USAGE, "face_box", "the face box is empty");
    if (lin->bands != 3 || alpha->bands != 1 || alpha->width != lin->width || alpha->height != lin->height)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "portrait light: image and matte do not match");
    float strength = s->light.strength < 0 ? 0 : s->light.strength > 1 ? 1 : s->light.strength;
    if (s->light.kind == SB_STYLE_LIGHT_NEON) {
        neon(lin, alpha, face_box, strength);
        return SB_OK;
    }
    float a = s->light.angle_deg * (float)M_PI / 180.0f, dx = cosf(a), dy = -sinf(a);
    float key = strength * (HARD_GAIN - SOFT_LOSS * s->light.softness);
    sb_err err = sb_light_directional(lin, alpha, dx, dy, key > 0 ? key : 0, face_box, e);
    if (err)
        return err;
    float tint[3], warmth = s->light.warmth * strength;
    for (int c = 0; c < 3; c++)
        tint[c] = 1.0f + WARM[c] * warmth;
    size_t n = (size_t)lin->width * lin->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            lin->data[3 * i + c] *= 1.0f + (tint[c] - 1.0f) * alpha->data[i];
    if (s->light.kind == SB_STYLE_LIGHT_RIM)
        err = rim(lin, alpha, face_box, dx, dy, strength, tint, e);
    return err;
}
