/* look.h - custom looks: the colour and tone character of a set of example photos, learned in one pass
 * of statistics and applied to another image (issue 4, `style: "custom:<token>"`).
 *
 * A look is a small fixed-size value: the examples' L* distribution, their mean a* b* in shadows,
 * midtones and highlights (the cast and any split toning), their colourfulness, and the grain and
 * vignette they carry beyond ordinary photos'. It is applied as the difference between those and the
 * same statistics of a fixed reference set of ordinary photos, so, like a grade, it is one per-pixel
 * transform whatever the image shows. No pixels are kept. See docs/internals/render.md, "Custom looks". */
#ifndef SB_LOOK_H
#define SB_LOOK_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

#define SB_LOOK_TONE_N 17  /* tone curve control points */
#define SB_LOOK_SIDE 256   /* examples are decoded with their longest side at most this */

enum { SB_LOOK_SHADOWS, SB_LOOK_MIDTONES, SB_LOOK_HIGHLIGHTS, SB_LOOK__BANDS };

typedef struct {
    int examples;                  /* images it was learned from, >= 1 */
    float tone[SB_LOOK_TONE_N];    /* L* (0..100) of the pooled examples at cumulative fractions
                                      1% + 98% i / 16, non-decreasing */
    float ab[SB_LOOK__BANDS][2];   /* mean a*, b* (-128..128) in shadows, midtones, highlights */
    float chroma;                  /* colourfulness: RMS distance of a* b* from their band's mean (0..150) */
    float grain;                   /* luma noise std (sRGB 0..0.25) at SB_LOOK_SIDE, beyond the reference's */
    float vignette;                /* corner darkening (0..0.8) beyond the reference's */
} sb_look_t;

/* Learn a look from `n` encoded example images (`bufs[i]`, `lens[i]` bytes; JPEG, PNG, WebP, HEIC).
 * Each is decoded with its longest side at most SB_LOOK_SIDE (shrink-on-load) and counts equally,
 * whatever its size. Examples that will not decode (unsupported, corrupt, over the pixel limit) or
 * come out under 16 pixels on a side are skipped; *used (may be NULL) receives how many were used.
 * Deterministic: the same bytes give the same look. The buffers stay the caller's.
 * Threads: any thread, after sb_io_init; one core. Errors: SB_ERR_USAGE (field "examples") when no
 * example is usable or n < 1, SB_ERR_NOMEM, or a decoder failure other than a bad example. */
sb_err sb_look_learn(const uint8_t *const *bufs, const size_t *lens, int n, sb_look_t *out, int *used,
                     sb_error_t *e);

/* Apply `look` to `rgb` (3 bands, sRGB 0..1) in place, `intensity` (0..1) of the way: the tone curve on
 * L*, the a* b* shift per tonal band and the colourfulness gain (both limited, gentler on skin hues),
 * the vignette, then luma grain seeded by `seed` (the only thing the seed changes; none when the look
 * has no grain). Intensity 0 leaves every value untouched. Results stay in 0..1.
 * Threads: any thread; allocates nothing. Errors: SB_ERR_USAGE with field "intensity" (outside 0..1 or
 * NaN), "image" (not 3 bands) or the look's field when the look is out of range. */
sb_err sb_look_apply(sb_fimage_t *rgb, const sb_look_t *look, float intensity, uint64_t seed, sb_error_t *e);

/* Serialise `look` as compact JSON into *out (malloc'd; the caller frees). Floats are printed with 9
 * significant digits, so sb_look_from_json gives back the same values bit for bit.
 * Errors: SB_ERR_USAGE for a look out of range, SB_ERR_NOMEM. Any thread. */
sb_err sb_look_to_json(const sb_look_t *look, char **out, sb_error_t *e);

/* Parse the JSON of sb_look_to_json into *out. Strict: every field present with its type, no other
 * field, every value in range (as documented on sb_look_t; "version" must be 1). SB_ERR_USAGE with the
 * offending field ("tone[3]") and a message otherwise; *out is then unspecified. Any thread. */
sb_err sb_look_from_json(const char *json, sb_look_t *out, sb_error_t *e);

#endif
