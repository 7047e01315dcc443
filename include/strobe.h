/* strobe.h - the library's public C API: the photo pipelines on in-memory images.
 *
 * The CLI and the HTTP server call exactly these functions. A studio (sb_studio_t) holds the neural
 * nets one thread needs; nets are loaded (and their sha256 verified) on first use. A studio is NOT
 * thread-safe: open one per worker thread. Results own their memory and are released with the matching
 * *_free function. Every function returns SB_OK or an error code with `e` filled in. */
#ifndef STROBE_H
#define STROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/io.h"
#include "nn/models.h"
#include "pipeline/stage.h"
#include "render/look.h"
#include "render/shadow.h"
#include "util/err.h"
#include "vision/edge_check.h"
#include "vision/hand.h"
#include "vision/face.h"
#include "vision/quality.h"

#define SB_VERSION "0.1.0"

/* Input gates of the headshot: the smallest image side and the smallest face (as a fraction of the
 * image's shorter side) that can make a usable headshot. */
#define SB_MIN_IMAGE_SIDE 200
#define SB_MIN_FACE_FRACTION SB_QUALITY_MIN_FACE_FRACTION

typedef struct sb_studio sb_studio_t;

/* A new studio: one thread's handles on the nets, which are the process's shared sessions (one per model,
 * opened on first use by any studio). Use a studio from one thread at a time; open one per thread. Call
 * sb_io_init first (once per process). */
sb_err sb_studio_open(sb_studio_t **out, sb_error_t *e);

/* Open (and verify) every net now instead of on first use, the two CartoonGAN nets included: a server warms
 * up with it and reports a missing or broken model at startup and in /readyz. Nets already opened by another
 * studio are only looked up.
 * Errors: SB_ERR_MODEL_MISSING, SB_ERR_MODEL_INVALID (the model named in the message). */
sb_err sb_studio_preload(sb_studio_t *studio, sb_error_t *e);

/* Free a studio (the shared nets stay open for the process). NULL-safe. */
void sb_studio_close(sb_studio_t *studio);

#define SB_MODELS_USED_MAX 8

typedef struct {
    sb_image_info_t input;        /* the file as stored: format, size, orientation, ICC */
    int upright_width;            /* input size after EXIF orientation */
    int upright_height;
    int work_width, work_height;  /* size the pipeline works at (shrink-on-load; after turn_deg) */
    int frame[4];                 /* the people pipelines work on the picture inside a flat border
                                   * (vision/photo_frame.h): {x0, y0, x1, y1} in upright input pixels, x1
                                   * and y1 exclusive; all 0 when the photo has no border or was not looked at */
    int collage;                  /* 1 when `frame` is the subject's tile of a collage (vision/collage.h): the
                                   * photo is pictures in a grid and the pipeline worked on the subject's */
    int turn_deg;                 /* 0, 90, 180 or 270: the photo was on its side or upside down and the
                                   * pipeline turned it clockwise by this to find its faces (vision/face_verify.h) */
    sb_face_list_t faces;         /* every verified face, in upright input pixel coordinates (a turned
                                   * photo's faces are read sideways or upside down there) */
    int subject;                  /* index of the chosen face in `faces`, -1 when none */
    sb_stages_t stages;
    sb_model_id models[SB_MODELS_USED_MAX];
    int n_models;
} sb_detect_result_t;

/* Decode `buf` and find every face that passes the second check, turning the photo when it is on its side
 * or upside down (res->turn_deg). Zero faces is not an error here. */
sb_err sb_detect(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_detect_result_t *res, sb_error_t *e);

/* Release a detection result. NULL-safe. */
void sb_detect_result_free(sb_detect_result_t *res);

typedef struct {
    int size;            /* output width and height in pixels, 128..4096; 0 = 800 */
    sb_format_t format;  /* SB_FMT_PNG (default when UNKNOWN), SB_FMT_JPEG or SB_FMT_WEBP */
    int quality;         /* JPEG/WebP quality 1..100; 0 = 90 */
} sb_headshot_opts_t;

/* Cut-out strategies the headshot tries before refusing with SB_ERR_CUTOUT_FAILED. */
#define SB_HEADSHOT_STRATEGIES 3

/* The cut-out check of a delivered people output (pipeline/cutout_qa.h): the API's `cutout` object. */
typedef struct {
    bool pass;
    float matte_confidence;  /* share of the matte at alpha < 0.05 or > 0.95 */
    float background_left;   /* share of the frame kept (alpha > 0.5) apart from the subject's own region */
    float other_person;      /* share of the frame beside the face that may be another person's */
    float halo;              /* the old background's pull on the matte's soft edge, a share of the frame */
    float holes;             /* share of the frame in holes of the matte enclosed by the subject */
    float wall;              /* share of the frame in opaque hair that shows the old background's colour */
    float ghost;             /* share of the frame kept (alpha >= 0.08) far from the subject's own opaque part */
    float glare;             /* share of the frame in blown-out old background kept opaque beside the body */
    float disagree;          /* share of the frame kept opaque where the salient net reads background */
    float raised;            /* share of the frame the edge solve raised by over 0.5 above the nets' matte */
    bool other_person_left;  /* more than one face on the output, or other_person over its limit */
    bool photo_edge_visible; /* sb_edge_check found the photo's border along a run */
    int output_face_count;   /* faces found again on the delivered image */
    int attempts;            /* strategies tried (set by the pipeline) */
    sb_edge_report_t edge;   /* the edge check's measures */
} sb_cutout_check_t;

typedef struct {
    sb_detect_result_t detect;  /* input, faces, subject, stage timings, models */
    float roll_deg;             /* the subject's roll in the input (refined by re-detection when large) */
    uint8_t *output;            /* encoded image, malloc'd */
    size_t output_len;
    int width, height;
    sb_format_t format;
    sb_quality_t quality;       /* of the input; quality.score is input_quality_score */
    uint32_t warnings;          /* sb_warning bits of the input */
    sb_cutout_check_t cutout;   /* the delivered attempt's check */
} sb_headshot_result_t;

/* The corporate headshot: decode, detect, input quality, then up to SB_HEADSHOT_STRATEGIES times: align
 * (framed so the photo's border stays off the person), matte, light, foreground colours, detail, studio
 * backdrop, composite, cut-out check (res->cutout); the first strategy that passes is encoded.
 * Deterministic: the same input and options give the same bytes.
 * Errors: SB_ERR_USAGE (bad option, field named), the decode errors of sb_io_decode,
 * SB_ERR_IMAGE_TOO_SMALL, SB_ERR_NO_FACE, SB_ERR_FACE_TOO_SMALL, SB_ERR_FACE_OUT_OF_FOCUS (the face far out of
 * focus), SB_ERR_CUTOUT_FAILED (no strategy passed the check), SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_headshot(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_headshot_opts_t *opts,
                   sb_headshot_result_t *res, sb_error_t *e);

/* Release a headshot result. NULL-safe. */
void sb_headshot_result_free(sb_headshot_result_t *res);

/* ---- avatars: three styles, platform presets, likeness QA ---- */

typedef struct {
    const char *platform;    /* linkedin, twitter, discord, github, slack, teams, behance, twitch, generic;
                              * NULL = generic. Its row in pipeline/presets.c gives every default below */
    const char *style;       /* corporate_headshot | anime | editorial; NULL = the platform's */
    const char *background;  /* studio_light | studio_dark | gradient | neon_geometric | bokeh | original_blur |
                              * transparent; NULL = the platform's */
    const char *palette;     /* a palette name or "#RRGGBB"; NULL = the platform's */
    const char *variant;     /* anime: hosoda | hayao; NULL = hosoda */
    float intensity;         /* style_intensity 0..1; negative = 1 */
    bool hires;              /* 1200x1200 instead of the platform's size */
    float likeness_min;      /* QA threshold; negative = the platform's */
    int cartoon_side;        /* anime net input side (multiple of 4); 0 = SB_CARTOON_SIDE_DEFAULT */
    uint64_t seed;           /* procedural background seed; 0 = the house default (same look every time) */
    bool keep_input;         /* also return the normalized input (res->normalized), to make more avatars of
                              * the same photo without the original */
    const sb_look_t *look;   /* a custom look (render/look.h) over the style, at the attempt's intensity;
                              * NULL for none. Borrowed for the call */
    float safety_max;        /* refuse input or output when porn + hentai >= this (vision/safety.h);
                              * 0 = SB_SAFETY_EXPLICIT_MIN */
} sb_avatar_opts_t;

/* The defaults: every name from the platform, full intensity, the platform's threshold. Start from
 * this (a zeroed struct means intensity 0 and threshold 0). */
#define SB_AVATAR_OPTS_DEFAULT ((sb_avatar_opts_t){.intensity = -1, .likeness_min = -1})

#define SB_AVATAR_MAX_ATTEMPTS 3
#define SB_AVATAR_THUMB_SIDE 100

typedef struct {
    sb_detect_result_t detect;  /* input, faces, subject, stage timings, models */
    float roll_deg;
    uint8_t *avatar;            /* square PNG (RGBA when the background is transparent), malloc'd */
    size_t avatar_len;
    int size;
    uint8_t *thumbnail;         /* 100x100 PNG, malloc'd */
    size_t thumbnail_len;
    float likeness;             /* the delivered attempt's likeness 0..1 (0 when no face was found on it) */
    float likeness_min;         /* the threshold it was checked against */
    float intensity;            /* the delivered attempt's style intensity */
    int attempts;               /* how many were made (1..SB_AVATAR_MAX_ATTEMPTS) */
    sb_cutout_check_t cutout;   /* the delivered avatar's cut-out check (its attempts: cut-outs made) */
    sb_quality_t quality;       /* of the input; quality.score is input_quality_score */
    uint32_t warnings;          /* sb_warning bits: the input's and the QA's */
    const char *platform, *style, *background, *variant; /* resolved names (static strings) */
    char palette[16];           /* resolved palette name or #rrggbb */
    uint64_t seed;
    int cartoon_side;           /* anime only */
    uint8_t *normalized;        /* with keep_input: the working image (decoded, upright, sRGB; shrunk on load
                                 * by a power of two to no less than twice the avatar's side) as a JPEG at
                                 * quality 95, malloc'd; none of the input's bytes or metadata. Else NULL */
    size_t normalized_len;
} sb_avatar_result_t;

/* An avatar of the main face in `buf`: the portrait is aligned and cut out with the cut-out strategies
 * (pipeline/strategy.h; res->cutout is the delivered one's check), then styled, composited on its
 * background and checked: the cut-out check must pass, the face must be found again on the output and its
 * likeness to the input face (embeddings) must reach the threshold; otherwise it is made again at 60%
 * and 30% of the intensity (at most SB_AVATAR_MAX_ATTEMPTS) and the best attempt is returned with its
 * warnings. The input and every output are screened for unsafe content. Deterministic. With
 * opts->keep_input, res->normalized is the input as the pipeline saw it (only for a safe input):
 * passed back in as `buf`, it gives the same person again (a restyle without the original upload).
 * Errors: SB_ERR_USAGE (an option, named), the decode errors, SB_ERR_IMAGE_TOO_SMALL, SB_ERR_NO_FACE,
 * SB_ERR_FACE_TOO_SMALL, SB_ERR_FACE_OUT_OF_FOCUS, SB_ERR_CUTOUT_FAILED (no strategy gave an output that passes
 * the cut-out check), SB_ERR_UNSAFE_CONTENT, SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_avatar(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_avatar_opts_t *opts,
                 sb_avatar_result_t *res, sb_error_t *e);

/* Release an avatar result (the avatar, the thumbnail, the normalized input). NULL-safe. */
void sb_avatar_result_free(sb_avatar_result_t *res);

typedef struct {
    sb_image_info_t input;
    int width, height;   /* of the mask: the upright input size */
    uint8_t *png;        /* 1-band PNG of the person matte (255 = person), malloc'd */
    size_t png_len;
    sb_stages_t stages;
} sb_matte_result_t;

/* Person matte of the whole photo at its upright input size, as an 8-bit PNG. */
sb_err sb_matte(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_matte_result_t *res, sb_error_t *e);

/* Release a matte result. NULL-safe. */
void sb_matte_result_free(sb_matte_result_t *res);

/* ---- product photo: the subject cut out and placed on a studio background with a shadow ---- */

#define SB_PRODUCT_SIDE_MIN 128        /* canvas width and height, each */
#define SB_PRODUCT_SIDE_MAX 4096

typedef struct {
    const char *preset;            /* white-studio | gradient-light | marble | outdoor | transparent | custom;
                                    * NULL = white-studio (render/scene.h) */
    const char *shadow_type;       /* soft | hard | natural | floating | none; NULL = soft (render/shadow.h) */
    sb_shadow_overrides_t shadow;  /* overrides of the kind's defaults; negative = the default */
    const char *background_prompt; /* the scene of `custom` (render/scene.h's vocabulary); only with custom */
    int width, height;             /* canvas SB_PRODUCT_SIDE_MIN..MAX each, both or neither; 0, 0 = from `aspect` */
    const char *aspect;            /* 1:1 | 4:5 | 3:4 | 16:9, long side 2000; NULL = 1:1 (2000x2000). Not with
                                    * width and height */
    float padding;                 /* margin around the subject, a fraction of each side, 0..0.4; negative = 0.10 */
    sb_format_t format;            /* SB_FMT_PNG (default when UNKNOWN), SB_FMT_JPEG or SB_FMT_WEBP. PNG by
                                    * default because transparent needs it; transparent with JPEG is refused */
    int quality;                   /* JPEG/WebP quality 1..100; 0 = 90 */
    bool mask_only;                /* return the subject mask alone: a 1-band PNG (255 = subject) at the upright
                                    * input size; format, quality and the canvas options are then not used */
    uint64_t seed;                 /* background texture and dither seed; 0 = the house default */
    const char *frame_for;         /* "amazon_main": frame for Amazon's main image (the product's box spans
                                    * 90% of the canvas on the axis it fills; white-studio only, not with
                                    * padding, a canvas of 1000 px or more); NULL = the padding's framing */
    bool cutout;                   /* the product alone instead of a canvas: the output is an RGBA PNG (or
                                    * WebP) of the product cropped to its box plus crop_margin, at the working
                                    * resolution (the photo's own up to 2047 px on its long side), and
                                    * res->mask its 1-band mask of the same crop; the canvas options (preset,
                                    * shadow, size, aspect, padding, frame_for) are then not used */
    double crop_margin;            /* with cutout: the margin around the product's box, pixels of the cut-out
                                    * (0..500, crop_margin_pct false) or a fraction of the box's sides (0..0.5,
                                    * true); negative = 2%; over 0 without cutout is refused */
    bool crop_margin_pct;
    const char *hand;              /* "keep" | "remove": a hand or arm holding the product (skin where the
                                    * person net sees a person, entering from the photo's edge); NULL = keep,
                                    * since removing fingers that lie over the product leaves a notch in it */
    const char *transparency;      /* "auto" | "on" | "off": whether the new scene shows through the product
                                    * as through glass (render/glass.h); auto (NULL) lets the photo decide,
                                    * on and off are for products it misjudges (a jar of sweets, chrome) */
} sb_product_opts_t;

/* The defaults: white studio, soft shadow with its own settings, 2000x2000, 10% padding, PNG. Start
 * from this (a zeroed struct means padding 0 and shadow opacity 0). */
#define SB_PRODUCT_OPTS_DEFAULT ((sb_product_opts_t){.shadow = {-1, -1, -1, -1}, .padding = -1, .crop_margin = -1})

/* The white-studio check of the delivered canvas (vision/white_check.h): pure #FFFFFF away from the product
 * and its shadow, no product pixels (specks, strips of the old background) outside a band of 0.6% of the
 * canvas's long side around the product's main parts. */
typedef struct {
    bool done;       /* the check ran (white-studio only) */
    bool pass;       /* off_white is 0 and stray at most 1e-5 of the canvas (40 pixels on 2000x2000) */
    long off_white;  /* background pixels with no product and no shadow that are not 255, 255, 255 */
    long stray;      /* pixels of product outside the band around its main parts */
} sb_product_white_t;

/* Amazon's main-image rules (docs/QUALITY.md, "Issue 14: products", cites them): a pure white 255, 255, 255
 * background, the product filling 85% or more of the frame, a longest side of 1000 px or more. */
#define SB_AMAZON_MIN_FILL 0.85f
#define SB_AMAZON_MIN_SIDE 1000

typedef enum {
    SB_AMAZON_NOT_WHITE = 1u << 0, /* the white check failed */
    SB_AMAZON_FILL = 1u << 1,      /* fill under SB_AMAZON_MIN_FILL */
    SB_AMAZON_SIDE = 1u << 2       /* longest side under SB_AMAZON_MIN_SIDE */
} sb_amazon_reason;

typedef struct {
    bool done;        /* checked (white-studio only) */
    bool pass;        /* no reason */
    unsigned reasons; /* sb_amazon_reason bits */
    float fill;       /* the product's box (alpha >= 0.5) over the canvas, on the axis it fills more: max(box
                       * width / canvas width, box height / canvas height) */
    int long_side;    /* the canvas's longest side, pixels */
} sb_product_amazon_t;

/* Whether the product was treated as transparent (glass, clear bottles and jars: render/glass.h): the new
 * scene shows through it where the old background showed. */
typedef struct {
    bool done;    /* judged (every output: canvas, mask and cutout) */
    bool applied; /* its layer lets the scene through: transparency auto and score >= the threshold (render/glass.h
                   * SB_GLASS_SURE_SCORE), or transparency on */
    float score;  /* 0..1: how much of the product's interior shows the old background */
    bool uncertain; /* kept opaque by transparency auto on a close call (render/glass.h sb_glass_uncertain): a
                     * clear glass and a polished metal both score there (validation_warnings
                     * transparency_uncertain) */
} sb_product_transparency_t;

typedef struct {
    sb_detect_result_t detect;  /* input, upright and working sizes, stage timings, models (no faces) */
    uint8_t *output;            /* encoded image (RGBA PNG for transparent), or the mask PNG; malloc'd */
    size_t output_len;
    int width, height;
    sb_format_t format;
    bool has_alpha;             /* the output has an alpha band (transparent) */
    float coverage;             /* fraction of the working image that is subject (mask >= 0.5) */
    int subject_x, subject_y, subject_w, subject_h; /* the subject's box in upright input pixels */
    const char *preset, *shadow_type; /* resolved names (static strings) */
    uint64_t seed;
    char **ignored_terms;       /* custom: prompt words not in the vocabulary, lower case, malloc'd; else NULL */
    int n_ignored;
    sb_product_white_t white;   /* white-studio: the check of the delivered canvas (stage "check") */
    sb_product_amazon_t amazon; /* white-studio: Amazon's main-image rules on the delivered canvas */
    uint8_t *mask;              /* cutout: the cut-out's mask, a 1-band PNG of the same crop; malloc'd */
    size_t mask_len;
    int mask_width, mask_height;
    float upscale;              /* canvas pixels per input pixel of the product (over 1: it was enlarged;
                                 * SB_PRODUCT_UPSCALE_WARN or more is reported as input_upscaled_<f>x) */
    sb_hand_t hand;             /* the hand holding the product (hand.hand 0: none found), what it held that
                                 * was added, what was removed (hand remove) */
    sb_product_transparency_t transparency; /* whether the product was treated as glass (every output) */
    bool inner;                 /* the photo's subject filled it with no hand (a scene: a car's boot with the
                                 * shopping in it) and the product was taken from the middle of it
                                 * (pipeline/product_cut.h sb_product_inner; validation_warnings
                                 * subject_inside_scene) */
    long shadow_removed;        /* working pixels of a cast shadow cleared from the subject's mask
                                 * (vision/cast_shadow.h); 0: none found */
    long holes_filled;          /* working pixels of the subject's mask restored: holes and bites the mask
                                 * had cut out of the product's own surface (vision/product_holes.h) */
    float holes_open;           /* holes still open that look partly like the product, a share of its mask
                                 * (SB_PRODUCT_HOLES_WARN or more: validation_warnings cutout_holes) */
    float edge_ragged;          /* the mask's shallow bites along straight sides, a share of it
                                 * (vision/matte_ragged.h; SB_PRODUCT_RAGGED_WARN or more:
                                 * validation_warnings edge_ragged) */
    float edge_unseen;          /* the share of the mask's outline running, in long stretches, where the
                                 * photo shows no edge (vision/matte_seam.h; SB_PRODUCT_UNSEEN_WARN or more
                                 * on a product not treated as glass: validation_warnings edge_unseen) */
} sb_product_result_t;

/* A product whose mask still has this share of it in undecided holes is reported (validation_warnings
 * cutout_holes): the cut-out may look torn. */
#define SB_PRODUCT_HOLES_WARN 0.01f

/* A product whose mask's outline wanders inside its straight sides by this share of it or more is reported
 * (validation_warnings edge_ragged): the cut-out's edge may look ragged. Set on products/ (docs/QUALITY.md,
 * h14-silent 2026-12-08): the Bravo carton's bite 0.022, the t-shirt's wire stubs 0.020, the beer glass
 * 0.017 and the clean cartons 0.013 or less. */
#define SB_PRODUCT_RAGGED_WARN 0.02f

/* A product (not see-through) whose outline runs where the photo shows no edge over this share of it or
 * more is reported (validation_warnings edge_unseen): the mask may have stopped short of the product (a
 * spout, a handle, a carton's end), or the product's edge does not show there. Set on products/
 * (docs/QUALITY.md, h14-silent 2026-12-08): the coffeepot 0.13, the eco-milk carton cut below the thumb
 * 0.055, the clean products 0.027 or less. */
#define SB_PRODUCT_UNSEEN_WARN 0.04f

/* An input enlarged this much or more onto the canvas is reported (validation_warnings input_upscaled_<f>x):
 * the edges are kept clean at that scale, but the product's detail is the photo's. */
#define SB_PRODUCT_UPSCALE_WARN 1.2f

/* A product photo: decode (long side 1024..2047 by shrink-on-load), subject mask (u2netp, refined around
 * the subject, 0 elsewhere), foreground colours at the edges, trimmed to the subject and placed centred on
 * the canvas resting on a floor line `padding` above the bottom, shadow cast from the placed mask,
 * background, composite row by row, encode (no metadata); stages decode, mask, hand (the hand holding the
 * product: pipeline/product_cut.h), foreground, place, shadow, background (not for transparent), composite,
 * check (white studio), encode; with cutout decode, mask, hand, foreground, encode. White studio stays exactly
 * #FFFFFF wherever there is neither product nor shadow. Deterministic: the same input and options give the
 * same bytes. A side of the subject that the photo's edge cut is put at the canvas's edge. White studio also
 * checks the canvas (res->white, res->amazon; stage "check").
 * Errors: SB_ERR_USAGE (an option, named: preset, shadow_type, shadow_*, background_prompt, width,
 * height, aspect, padding, frame_for, format, quality, cutout, crop_margin, hand), the decode errors of
 * sb_io_decode, SB_ERR_NO_SUBJECT (an empty mask), SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_product(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_product_opts_t *opts,
                  sb_product_result_t *res, sb_error_t *e);

/* Check `opts` (NULL = the defaults) as sb_product would, without a photo or a net: the preset and
 * shadow_type names, the shadow overrides (fields shadow_opacity, shadow_blur, shadow_angle,
 * shadow_distance), background_prompt (required with custom, refused without; its length and UTF-8),
 * width and height (each 128..4096, both or neither), aspect (one of the four, not with width and height),
 * padding (0..0.4), format (png, jpeg or webp; not jpeg with transparent) and quality (1..100). SB_OK, or
 * SB_ERR_USAGE with the option's field name as above (or SB_ERR_NOMEM). Any thread; no state. */
sb_err sb_product_check(const sb_product_opts_t *opts, sb_error_t *e);

/* Release a product result (the output, the ignored terms). NULL-safe. */
void sb_product_result_free(sb_product_result_t *res);

/* ---- cut-out: the photo's subject on a transparent (or flat colour) background, at the photo's framing ---- */

typedef enum { SB_CUTOUT_AUTO = 0, SB_CUTOUT_PERSON, SB_CUTOUT_PRODUCT } sb_cutout_kind;

#define SB_CUTOUT_PIXELS_DEFAULT 250000LL   /* 0.25 megapixels: remove.bg's "preview" / "regular" */
#define SB_CUTOUT_PIXELS_MAX 4000000LL      /* the largest output (remove.bg's "hd") */

typedef struct {
    sb_cutout_kind kind;      /* AUTO: PERSON when a face is found, else PRODUCT */
    long long max_pixels;     /* the output has at most this many pixels (never enlarged): 0 = the default,
                               * at most SB_CUTOUT_PIXELS_MAX */
    double roi[4];            /* the region that may be foreground, x0 y0 x1 y1 as fractions of the upright
                               * photo (roi_px[i] false) or pixels of it (true); all 0 = the whole photo */
    bool roi_px[4];
    bool crop;                /* trim the output to the foreground's box plus the margin */
    double crop_margin;       /* with crop: pixels of the output (crop_margin_pct false) or a fraction of the
                               * foreground box's sides (true) */
    bool crop_margin_pct;
    bool alpha_only;          /* a 1-band PNG of the alpha instead of the colours */
    bool has_bg;              /* composite over bg (sRGB 0..255, alpha 0..255) */
    uint8_t bg[4];
    sb_format_t format;       /* PNG, JPEG or WebP; UNKNOWN = PNG unless the output is opaque (a bg colour of
                               * alpha 255), then JPEG */
    int quality;              /* JPEG/WebP 1..100; 0 = 90 */
    bool zip;                 /* remove.bg's zip: the colours as an opaque JPEG and the alpha as a 1-band PNG
                               * (two outputs; the API packs them); not with alpha_only, a bg colour or a
                               * format */
} sb_cutout_opts_t;

typedef struct {
    sb_detect_result_t detect;  /* input, upright and working sizes, faces (AUTO only), stages, models */
    uint8_t *output;            /* the encoded image, malloc'd; with zip the colours (JPEG, opaque) */
    size_t output_len;
    uint8_t *alpha;             /* with zip: the alpha, a 1-band PNG of the same size, malloc'd; else NULL */
    size_t alpha_len;
    int width, height;
    sb_format_t format;
    sb_cutout_kind kind;        /* PERSON or PRODUCT: what ran */
    int fg_left, fg_top, fg_width, fg_height; /* the foreground's box (alpha >= 0.5) in output pixels */
} sb_cutout_result_t;

/* Parse remove.bg's option syntaxes into `o` (each NULL-safe: NULL leaves `o` as it is; errors are
 * SB_ERR_USAGE naming the field): roi "x0 y0 x1 y1", each "N%" or "Npx"; crop_margin "Npx" (0..500) or
 * "N%" (0..50); bg_color "RGB", "RGBA", "RRGGBB" or "RRGGBBAA" hex, "#" optional, or a CSS basic colour
 * name (white, black, red, green, blue, yellow, cyan, magenta, grey/gray, silver, orange, purple, transparent). Any
 * thread; no allocation. */
sb_err sb_cutout_parse_roi(const char *s, sb_cutout_opts_t *o, sb_error_t *e);
sb_err sb_cutout_parse_margin(const char *s, sb_cutout_opts_t *o, sb_error_t *e);
sb_err sb_cutout_parse_color(const char *s, sb_cutout_opts_t *o, sb_error_t *e);

/* Cut the subject out of `buf`: decode at most opts->max_pixels (shrink-on-load, then resized), the
 * person matte (selfie segmentation, guided-filter edges) or the product's subject mask (u2netp, refined)
 * by opts->kind (AUTO: YuNet looks for a face first), zero outside the ROI, foreground colours estimated at
 * the soft edges (no old background bleeding through), then crop, background colour, channels and encode
 * (no metadata). Stages decode, detect (AUTO), mask, foreground, encode. Deterministic.
 * Errors: SB_ERR_USAGE (roi outside the photo or empty, bad quality/format/max_pixels), the decode errors
 * of sb_io_decode, SB_ERR_NO_SUBJECT (nothing in the mask), SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_cutout(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_cutout_opts_t *opts,
                 sb_cutout_result_t *res, sb_error_t *e);

/* The kind's name: "auto", "person" or "product" (static). */
const char *sb_cutout_kind_name(sb_cutout_kind k);

/* Release a cut-out result. NULL-safe. */
void sb_cutout_result_free(sb_cutout_result_t *res);

/* ---- portrait generation: a prompt + seed style applied to one reference photo (contract S2) ---- */

#define SB_GENERATE_SAMPLES_MAX 8
#define SB_GENERATE_SEED_MAX 4294967295LL
#define SB_GENERATE_SIDE_MIN 512       /* output width and height, each */
#define SB_GENERATE_SIDE_MAX 2024
#define SB_GENERATE_WIDTH_DEFAULT 768
#define SB_GENERATE_HEIGHT_DEFAULT 1024

typedef struct {
    const char *prompt;    /* style words in the vocabulary of render/style.h; NULL or "" = the house style */
    int64_t seed;          /* 1..SB_GENERATE_SEED_MAX; -1 = a random one (returned in the result) */
    int samples;           /* 1..SB_GENERATE_SAMPLES_MAX; 0 = 1. Sample i uses seed + i */
    float identity;        /* identityScale 0..1: how much of the face's own pixels is kept against the
                            * stylization (cartoon, soft skin); negative = 0.8. 1 = the face's own pixels,
                            * 0 = fully stylized. The style's light is not stylization: it relights the
                            * whole person at every identity (1 = the face's own pixels, relit); grade,
                            * black and white, film, vignette and grain are the whole frame's */
    int width, height;     /* output size, each SB_GENERATE_SIDE_MIN..MAX (512..2024); 0, 0 = 768x1024 */
    sb_format_t format;    /* SB_FMT_JPEG (default when UNKNOWN), SB_FMT_PNG or SB_FMT_WEBP */
    int quality;           /* JPEG/WebP quality 1..100; 0 = 90 */
} sb_generate_opts_t;

#define SB_GENERATE_OPTS_DEFAULT ((sb_generate_opts_t){.seed = -1, .identity = -1})

typedef struct {
    uint8_t *data;         /* encoded image, malloc'd */
    size_t len;
    int64_t seed;          /* the seed this sample was made with */
    float likeness;        /* likeness of the sample's face to the reference 0..1 (0 when none found) */
    sb_cutout_check_t cutout; /* the sample's cut-out check (every delivered sample passes it) */
} sb_generate_image_t;

typedef struct {
    sb_detect_result_t detect;    /* input, faces, subject, stage timings (all samples), models */
    sb_generate_image_t images[SB_GENERATE_SAMPLES_MAX];
    int n_images;
    int64_t seed;                 /* the first sample's seed (the random one when -1 was asked) */
    int width, height;
    sb_format_t format;
    char **ignored_terms;         /* prompt words outside the vocabulary, lower case, malloc'd; NULL when none */
    int n_ignored;
    char *style_json;             /* the resolved style of the first sample as JSON (what the prompt chose and
                                   * what the seed filled in), malloc'd */
    sb_quality_t quality;         /* of the input; quality.score is input_quality_score */
    uint32_t warnings;            /* sb_warning bits of the input */
} sb_generate_result_t;

/* Portraits of the main face in `buf` in the style the prompt and seed describe: decoded, detected,
 * aligned (with the first sample's framing) and cut out, then one image per sample (seed, seed + 1,
 * ...), each with its cut-out check; with the next cut-out strategy (pipeline/strategy.h) while any
 * sample fails it. The same prompt and seed give the same style (background, light, grade, finish) for any person;
 * the same prompt, seed and image give the same bytes. Not thread-safe per studio. Errors: SB_ERR_USAGE
 * (an option, named: prompt, seed, samples, identity, width, height, format, quality), the decode errors
 * of sb_io_decode, SB_ERR_IMAGE_TOO_SMALL, SB_ERR_NO_FACE, SB_ERR_FACE_TOO_SMALL, SB_ERR_FACE_OUT_OF_FOCUS,
 * SB_ERR_CUTOUT_FAILED, SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_generate_portrait(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_generate_opts_t *opts,
                            sb_generate_result_t *res, sb_error_t *e);

/* A random seed for "seed -1": 1..2147483647 (a seed every client can hold in a signed 32-bit integer),
 * from the kernel's generator. Thread-safe. */
int64_t sb_generate_random_seed(void);

/* Release a portrait result (the images, the ignored terms, the style). NULL-safe. */
void sb_generate_result_free(sb_generate_result_t *res);

#endif
