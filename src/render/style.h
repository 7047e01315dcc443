/* style.h - the portrait style: what a prompt asks for, with every choice it leaves open filled from a
 * seed. sb_style_from_prompt reads a prompt against the documented vocabulary (docs/internals/render.md,
 * "Portrait prompt vocabulary") and resolves a complete sb_style_t; the portrait pipeline
 * (pipeline/generate.c) renders it. Same prompt + same seed = the same sb_style_t, for any person.
 * Pure functions, thread-safe. */
#ifndef SB_RENDER_STYLE_H
#define SB_RENDER_STYLE_H

#include <stdint.h>

#include "util/err.h"

typedef enum {
    SB_STYLE_MODE_PHOTO,        /* a photograph: the person's own pixels, relit and graded */
    SB_STYLE_MODE_ANIME_HOSODA, /* CartoonGAN, Hosoda weights ("anime", "cartoon", "hosoda") */
    SB_STYLE_MODE_ANIME_HAYAO,  /* CartoonGAN, Hayao weights ("ghibli", "hayao", "watercolor anime") */
    SB_STYLE_MODE_MONO,         /* black and white: luminance only */
    SB_STYLE_MODE_FILM,         /* film stock: warm fade, soft contrast, grain */
    SB_STYLE_MODE__COUNT
} sb_style_mode;

typedef enum {
    SB_STYLE_LIGHT_SOFT,      /* broad, low contrast */
    SB_STYLE_LIGHT_STUDIO,    /* key at ~45 degrees, moderate contrast */
    SB_STYLE_LIGHT_RIM,       /* a bright edge from behind on one side */
    SB_STYLE_LIGHT_SPLIT,     /* key at 90 degrees: one half of the face in shadow */
    SB_STYLE_LIGHT_BUTTERFLY, /* key high and frontal */
    SB_STYLE_LIGHT_DRAMATIC,  /* hard, strong falloff */
    SB_STYLE_LIGHT_GOLDEN,    /* golden hour: low, warm */
    SB_STYLE_LIGHT_NEON,      /* two coloured sides (magenta / cyan by default) */
    SB_STYLE_LIGHT__COUNT
} sb_style_light;

typedef enum {
    SB_STYLE_BG_STUDIO,   /* seamless paper in a colour */
    SB_STYLE_BG_GRADIENT, /* two colours at an angle */
    SB_STYLE_BG_BOKEH,    /* out-of-focus discs of light */
    SB_STYLE_BG_OFFICE,   /* a blurred bright interior: windows, desks, warm and cool patches */
    SB_STYLE_BG_OUTDOOR,  /* blurred sky and foliage */
    SB_STYLE_BG_NEON,     /* neon geometric lines on a dark ground */
    SB_STYLE_BG__COUNT
} sb_style_background;

typedef enum {
    SB_STYLE_GRADE_NONE,
    SB_STYLE_GRADE_WARM,
    SB_STYLE_GRADE_COOL,
    SB_STYLE_GRADE_TEAL_ORANGE,
    SB_STYLE_GRADE_MUTED,
    SB_STYLE_GRADE_VIVID,
    SB_STYLE_GRADE__COUNT
} sb_style_grade;

typedef enum {
    SB_STYLE_FRAME_CLOSE_UP,       /* the face fills most of the frame */
    SB_STYLE_FRAME_HEAD_SHOULDERS, /* head and shoulders (the default) */
    SB_STYLE_FRAME_HALF_BODY,      /* to the waist where the photo has it */
    SB_STYLE_FRAME__COUNT
} sb_style_framing;

/* Bits of sb_style_t.from_prompt: which groups the prompt set (the others came from the seed). */
enum {
    SB_STYLE_SET_MODE = 1,
    SB_STYLE_SET_LIGHT = 2,
    SB_STYLE_SET_BACKGROUND = 4,
    SB_STYLE_SET_COLOUR = 8,
    SB_STYLE_SET_GRADE = 16,
    SB_STYLE_SET_FRAMING = 32,
    SB_STYLE_SET_FINISH = 64,
    SB_STYLE_SET_COLOUR2 = 128, /* a second colour (the gradient's far end, the accent) */
};

typedef struct {
    sb_style_mode mode;
    struct {
        sb_style_light kind;
        float angle_deg;    /* where the key comes from, seen by the viewer: 0 = right, 90 = above, 180 = left */
        float softness;     /* 0 hard .. 1 soft */
        float strength;     /* 0..1 */
        float warmth;       /* -1 cool .. 1 warm (colour of the key) */
    } light;
    struct {
        sb_style_background kind;
        float colour[3];    /* sRGB 0..1: the main colour (a named or hex colour, or seeded) */
        float colour2[3];   /* the second colour of a gradient, the accent of bokeh and neon */
        float angle_deg;    /* gradient direction */
        uint64_t texture_seed; /* bokeh layout, neon shapes, paper texture, office and outdoor blobs (53 bits,
                                  exact in JSON) */
    } background;
    sb_style_grade grade;
    float grade_strength;   /* 0..1 */
    sb_style_framing framing;
    float grain;            /* luma noise std, sRGB 0..0.1; 0 = none */
    float vignette;         /* corner darkening 0..0.6 */
    float soft_skin;        /* 0..1 */
    float sharpen;          /* 0..1 */
    uint64_t grain_seed;    /* the grain pattern (53 bits) */
    unsigned from_prompt;   /* SB_STYLE_SET_* bits */
} sb_style_t;

/* Read `prompt` (NULL or "" = no words: everything from the seed, around the house default: photo,
 * studio light, studio background, head and shoulders) and resolve a complete style from it and `seed`.
 * Words and phrases outside the vocabulary are returned, lower case and in prompt order, in *ignored
 * (malloc'd array of malloc'd strings, each once, NULL when none; free with sb_style_ignored_free;
 * `ignored` may be NULL not to collect them). Contradicting words of one group (e.g. "warm" and
 * "cool"): the last one wins; the first colour is the main one, the last later one colour2. Any thread;
 * `out` is written only on success. Errors: SB_ERR_USAGE (field "prompt": over 1000 characters or not
 * UTF-8), SB_ERR_NOMEM. */
sb_err sb_style_from_prompt(const char *prompt, uint64_t seed, sb_style_t *out, char ***ignored, int *n_ignored,
                            sb_error_t *e);

/* Free what sb_style_from_prompt returned in *ignored. NULL-safe. */
void sb_style_ignored_free(char **ignored, int n);

/* The colour a colour word or phrase names, sRGB 0..1 into rgb: the plain words ("navy", "light grey", ...
 * listed in render.md), a palette name with '_' or ' ' ("forest green") or "#rrggbb". `phrase` is lower
 * case. 1 when known, 0 otherwise (rgb untouched). Shared with render/scene.c. Any thread. */
int sb_style_colour_word(const char *phrase, float rgb[3]);

/* The style as a JSON object (names for the enums, numbers rounded to 3 decimals), malloc'd; NULL when
 * out of memory. */
char *sb_style_to_json(const sb_style_t *s);

/* Names of the enums as written in the JSON and the docs ("photo", "anime-hosoda", ...). */
const char *sb_style_mode_name(sb_style_mode m);
const char *sb_style_light_name(sb_style_light l);
const char *sb_style_background_name(sb_style_background b);
const char *sb_style_grade_name(sb_style_grade g);
const char *sb_style_framing_name(sb_style_framing f);

#endif
