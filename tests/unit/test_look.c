/* Custom looks: learning statistics from examples, applying them, JSON. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "image/colour.h"
#include "render/look.h"
#include "testutil.h"
#include "util/clock.h"
#include "util/rng.h"

#define N_EXAMPLES 60
#define EX_W 96
#define EX_H 72

static const float WARM[3] = {1.10f, 1.0f, 0.80f};
static const float NEUTRAL[3] = {1.0f, 1.0f, 1.0f};

typedef struct {
    const float *gain; /* per-channel cast */
    float black;       /* lifted black level: v -> black + (0.98 - black) v */
    float noise;       /* std of per-pixel luma noise */
    float vignette;    /* corner darkening */
} recipe_t;

static void init_io(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
}

static float rnd(sb_rng_t *r, float lo, float hi)
{
    return lo + (hi - lo) * sb_rng_float(r);
}

/* A random scene: a gradient between two random colours and four soft blobs, then the recipe's cast,
 * black level, vignette and noise. */
static void scene(sb_rng_t *r, int w, int h, const recipe_t *rc, sb_fimage_t *img)
{
    cr_assert_eq(sb_fimage_alloc(img, w, h, 3, NULL), SB_OK);
    float c0[3], c1[3], blob[4][6], ang = rnd(r, 0, 6.283f);
    /* Photo-like colours: a random grey level with a little random chroma. */
    float l0 = rnd(r, 0, 1), l1 = rnd(r, 0, 1);
    for (int c = 0; c < 3; c++) {
        c0[c] = l0 + rnd(r, -0.12f, 0.12f);
        c1[c] = l1 + rnd(r, -0.12f, 0.12f);
    }
    for (int b = 0; b < 4; b++) {
        float l = rnd(r, 0, 1);
        for (int k = 0; k < 6; k++)
            blob[b][k] = k < 2 ? rnd(r, 0, 1) : k == 2 ? rnd(r, 0.08f, 0.3f) : l + rnd(r, -0.12f, 0.12f);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float u = (float)x / w, v = (float)y / h, *p = img->data + ((size_t)y * w + x) * 3;
            float t = 0.5f + 0.7f * ((u - 0.5f) * cosf(ang) + (v - 0.5f) * sinf(ang));
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            float dx = u - 0.5f, dy = v - 0.5f, rr = sqrtf((dx * dx + dy * dy) / 0.5f);
            float vig = 1.0f - rc->vignette * rr * rr;
            float g = rc->noise * (sb_rng_float(r) + sb_rng_float(r) + sb_rng_float(r) + sb_rng_float(r) - 2) * sqrtf(3);
            for (int c = 0; c < 3; c++) {
                float val = c0[c] + t * (c1[c] - c0[c]);
                for (int b = 0; b < 4; b++) {
                    float ex = (u - blob[b][0]) * (u - blob[b][0]) + (v - blob[b][1]) * (v - blob[b][1]);
                    val += expf(-ex / (2 * blob[b][2] * blob[b][2])) * (blob[b][3 + c] - val) * 0.8f;
                }
                val = fminf(1, fmaxf(0, val) * rc->gain[c]);
                val = rc->black + (0.98f - rc->black) * val;
                p[c] = fminf(1, fmaxf(0, val * vig + g));
            }
        }
}

/* Encode n examples of a recipe as PNG; `mean` (may be NULL) receives their mean sRGB colour. */
static void examples(uint64_t seed, int n, const recipe_t *rc, uint8_t **bufs, size_t *lens, float *mean)
{
    sb_rng_t root = sb_rng_seed(seed);
    double sum[3] = {0};
    for (int i = 0; i < n; i++) {
        sb_rng_t r = sb_rng_split(&root, (uint64_t)i);
        sb_fimage_t f;
        sb_image_t u8;
        sb_error_t e = {0};
        scene(&r, EX_W, EX_H, rc, &f);
        for (int p = 0; p < EX_W * EX_H; p++)
            for (int c = 0; c < 3; c++)
                sum[c] += f.data[p * 3 + c];
        cr_assert_eq(sb_fimage_to_u8(&f, &u8, &e), SB_OK);
        cr_assert_eq(sb_io_encode(&u8, SB_FMT_PNG, 0, &bufs[i], &lens[i], &e), SB_OK, "%s", e.message);
        sb_fimage_free(&f);
        sb_image_free(&u8);
    }
    for (int c = 0; mean && c < 3; c++)
        mean[c] = (float)(sum[c] / ((double)n * EX_W * EX_H));
}

static void free_bufs(uint8_t **bufs, int n)
{
    for (int i = 0; i < n; i++)
        free(bufs[i]);
}

static sb_look_t learn(uint64_t seed, const recipe_t *rc, float *mean)
{
    uint8_t *bufs[N_EXAMPLES];
    size_t lens[N_EXAMPLES];
    examples(seed, N_EXAMPLES, rc, bufs, lens, mean);
    sb_look_t look;
    int used = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_look_learn((const uint8_t *const *)bufs, lens, N_EXAMPLES, &look, &used, &e), SB_OK, "%s",
                 e.message);
    cr_assert_eq(used, N_EXAMPLES);
    cr_assert_eq(look.examples, N_EXAMPLES);
    free_bufs(bufs, N_EXAMPLES);
    return look;
}

static const recipe_t WARM_FADED = {WARM, 0.12f, 0, 0};
static const recipe_t PLAIN = {NEUTRAL, 0, 0, 0};

static void mean_rgb(const sb_fimage_t *img, float *m)
{
    double s[3] = {0};
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            s[c] += img->data[i * 3 + c];
    for (int c = 0; c < 3; c++)
        m[c] = (float)(s[c] / n);
}

static float dist(const float *a, const float *b)
{
    return sqrtf((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* A neutral test image: a plain scene, 200x150. */
static void neutral_image(sb_fimage_t *img)
{
    sb_rng_t r = sb_rng_seed(777);
    scene(&r, 200, 150, &PLAIN, img);
}

Test(look, learns_a_warm_cast_and_lifted_blacks, .init = init_io)
{
    sb_look_t warm = learn(1, &WARM_FADED, NULL), plain = learn(1, &PLAIN, NULL);
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        cr_assert_gt(warm.ab[k][1], plain.ab[k][1] + 6, "band %d b* %.1f vs %.1f", k, warm.ab[k][1], plain.ab[k][1]);
        cr_assert_gt(warm.ab[k][0], plain.ab[k][0], "band %d a* %.1f vs %.1f", k, warm.ab[k][0], plain.ab[k][0]);
    }
    cr_assert_gt(warm.ab[SB_LOOK_MIDTONES][1], 5.0f);
    /* Lifted blacks: black at 0.12 sRGB (L* ~ 10) lifts the darkest percent well above the plain set's. */
    cr_assert_gt(warm.tone[0], plain.tone[0] + 5, "%.1f vs %.1f", warm.tone[0], plain.tone[0]);
    for (int i = 1; i < SB_LOOK_TONE_N; i++)
        cr_assert_geq(warm.tone[i], warm.tone[i - 1]);
    cr_assert_lt(warm.grain, 0.005f, "%.4f", warm.grain);
    cr_assert_lt(warm.vignette, 0.05f, "%.3f", warm.vignette);
}

Test(look, learns_grain_and_vignette, .init = init_io)
{
    const recipe_t grainy = {NEUTRAL, 0, 0.03f, 0}, vignetted = {NEUTRAL, 0, 0, 0.6f};
    sb_look_t g = learn(2, &grainy, NULL), v = learn(2, &vignetted, NULL);
    cr_assert(g.grain > 0.02f && g.grain < 0.04f, "grain %.4f for noise 0.03", g.grain);
    cr_log_info("grain %.4f, vignette %.3f", g.grain, v.vignette);
    cr_assert_gt(v.vignette, 0.15f, "vignette %.3f", v.vignette);
    cr_assert_lt(v.grain, 0.005f);
}

Test(look, apply_moves_the_mean_colour_towards_the_examples, .init = init_io)
{
    /* Over a dozen plain scenes (one scene's content is its own colour), the mean colour of the
     * results moves most of the way to the examples'. */
    float target[3], before[3] = {0}, after[3] = {0}, m[3];
    sb_look_t look = learn(3, &WARM_FADED, target);
    sb_rng_t root = sb_rng_seed(777);
    const int scenes = 12;
    for (int i = 0; i < scenes; i++) {
        sb_rng_t r = sb_rng_split(&root, (uint64_t)i);
        sb_fimage_t img;
        scene(&r, 200, 150, &PLAIN, &img);
        mean_rgb(&img, m);
        for (int c = 0; c < 3; c++)
            before[c] += m[c] / scenes;
        sb_error_t e = {0};
        cr_assert_eq(sb_look_apply(&img, &look, 1.0f, 1, &e), SB_OK, "%s", e.message);
        mean_rgb(&img, m);
        for (int c = 0; c < 3; c++)
            after[c] += m[c] / scenes;
        for (int k = 0; k < img.width * img.height * 3; k++)
            cr_assert(img.data[k] >= 0 && img.data[k] <= 1);
        sb_fimage_free(&img);
    }
    float d0 = dist(before, target), d1 = dist(after, target);
    cr_log_info("mean colour distance to the examples: %.4f -> %.4f (before %.3f %.3f %.3f, after %.3f %.3f %.3f, "
                "examples %.3f %.3f %.3f)", d0, d1, before[0], before[1], before[2], after[0], after[1], after[2],
                target[0], target[1], target[2]);
    cr_assert_lt(d1, 0.5f * d0, "distance %.4f -> %.4f", d0, d1);
    /* Warmer: red over blue grew. */
    cr_assert_gt(after[0] - after[2], before[0] - before[2] + 0.05f);
}

Test(look, intensity_zero_is_identity_and_half_is_between, .init = init_io)
{
    sb_look_t look = learn(4, &WARM_FADED, NULL);
    sb_fimage_t a, b, c;
    neutral_image(&a);
    neutral_image(&b);
    neutral_image(&c);
    size_t bytes = sizeof(float) * a.width * a.height * 3;
    cr_assert_eq(sb_look_apply(&b, &look, 0.0f, 9, NULL), SB_OK);
    cr_assert(memcmp(a.data, b.data, bytes) == 0);
    cr_assert_eq(sb_look_apply(&b, &look, 0.5f, 9, NULL), SB_OK);
    cr_assert_eq(sb_look_apply(&c, &look, 1.0f, 9, NULL), SB_OK);
    float m0[3], mh[3], m1[3];
    mean_rgb(&a, m0);
    mean_rgb(&b, mh);
    mean_rgb(&c, m1);
    float warm0 = m0[0] - m0[2], warmh = mh[0] - mh[2], warm1 = m1[0] - m1[2];
    cr_assert(warmh > warm0 && warmh < warm1, "R-B %.3f %.3f %.3f", warm0, warmh, warm1);
    sb_error_t e = {0};
    cr_assert_eq(sb_look_apply(&a, &look, 1.5f, 9, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "intensity");
    cr_assert_eq(sb_look_apply(&a, &look, NAN, 9, &e), SB_ERR_USAGE);
    sb_fimage_t grey = {0};
    cr_assert_eq(sb_fimage_alloc(&grey, 4, 4, 1, NULL), SB_OK);
    cr_assert_eq(sb_look_apply(&grey, &look, 1.0f, 9, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "image");
    sb_look_t bad = look;
    bad.tone[5] = bad.tone[4] - 1;
    cr_assert_eq(sb_look_apply(&a, &bad, 1.0f, 9, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "tone[5]");
    cr_assert(memcmp(a.data, b.data, bytes) != 0, "a refused apply left a untouched, b was changed");
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&c);
    sb_fimage_free(&grey);
}

Test(look, deterministic_and_the_seed_moves_only_grain, .init = init_io)
{
    sb_look_t look = learn(5, &WARM_FADED, NULL);
    sb_look_t again = learn(5, &WARM_FADED, NULL);
    cr_assert(memcmp(&look, &again, sizeof look) == 0, "learning is deterministic");
    sb_fimage_t a, b, c;
    neutral_image(&a);
    neutral_image(&b);
    neutral_image(&c);
    size_t n = (size_t)a.width * a.height, bytes = sizeof(float) * n * 3;
    /* No grain in the look: the seed changes nothing. */
    cr_assert_eq(sb_look_apply(&a, &look, 1.0f, 1, NULL), SB_OK);
    cr_assert_eq(sb_look_apply(&b, &look, 1.0f, 2, NULL), SB_OK);
    cr_assert(memcmp(a.data, b.data, bytes) == 0);

    look.grain = 0.02f;
    sb_fimage_free(&a); /* fresh images for the grain runs (these leaked before; found under ASan) */
    sb_fimage_free(&b);
    neutral_image(&a);
    neutral_image(&b);
    cr_assert_eq(sb_look_apply(&a, &look, 1.0f, 1, NULL), SB_OK);
    cr_assert_eq(sb_look_apply(&b, &look, 1.0f, 1, NULL), SB_OK);
    cr_assert_eq(sb_look_apply(&c, &look, 1.0f, 2, NULL), SB_OK);
    cr_assert(memcmp(a.data, b.data, bytes) == 0, "same seed, same pixels");
    /* Another seed: other grain, the same in every band (luma), zero mean, the expected std. */
    double sum = 0, sum2 = 0;
    int mono = 0, counted = 0;
    for (size_t i = 0; i < n; i++) {
        float *p = a.data + i * 3, *q = c.data + i * 3;
        int clipped = 0;
        for (int k = 0; k < 3; k++)
            clipped |= p[k] <= 0 || p[k] >= 1 || q[k] <= 0 || q[k] >= 1;
        if (clipped)
            continue;
        float d = p[0] - q[0];
        mono += fabsf(p[1] - q[1] - d) < 1e-5f && fabsf(p[2] - q[2] - d) < 1e-5f;
        sum += d;
        sum2 += d * d;
        counted++;
    }
    cr_assert_gt(counted, (int)n / 2);
    cr_assert_eq(mono, counted);
    double mean = sum / counted, std = sqrt(sum2 / counted - mean * mean);
    /* Two independent grains of std 0.02 differ by std 0.02 sqrt(2) (the image is under SB_LOOK_SIDE). */
    cr_assert_lt(fabs(mean), 0.002, "%.4f", mean);
    cr_assert(std > 0.024 && std < 0.033, "std %.4f", std);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&c);
}

Test(look, keeps_skin_a_skin_hue_under_a_strong_cast, .init = init_io)
{
    /* A teal look far from any skin: the shift is capped and halved on skin hues. */
    sb_look_t teal = learn(6, &PLAIN, NULL);
    for (int k = 0; k < SB_LOOK__BANDS; k++) {
        teal.ab[k][0] = -40;
        teal.ab[k][1] = -40;
    }
    sb_fimage_t img;
    cr_assert_eq(sb_fimage_alloc(&img, 32, 32, 3, NULL), SB_OK);
    for (int i = 0; i < 32 * 32; i++) {
        img.data[i * 3] = 0.80f;
        img.data[i * 3 + 1] = 0.60f;
        img.data[i * 3 + 2] = 0.50f;
    }
    cr_assert_eq(sb_look_apply(&img, &teal, 1.0f, 1, NULL), SB_OK);
    const float *p = img.data + (16 * 32 + 16) * 3;
    cr_assert(p[0] > p[1] && p[1] > p[2], "skin (0.8, 0.6, 0.5) became (%.3f, %.3f, %.3f)", p[0], p[1], p[2]);
    cr_assert_lt(p[0] - p[2], 0.30f + 0.001f);
    cr_assert_gt(p[0] - p[2], 0.10f);
    sb_fimage_free(&img);
}

Test(look, json_round_trip_is_exact, .init = init_io)
{
    sb_look_t look = learn(7, &WARM_FADED, NULL), back;
    look.grain = 0.0123456789f;
    look.vignette = 1.0f / 3.0f;
    char *js = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_look_to_json(&look, &js, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_look_from_json(js, &back, &e), SB_OK, "%s: %s", e.message, js);
    cr_assert(memcmp(&look, &back, sizeof look) == 0, "%s", js);
    cr_assert_null(strchr(js, '\n'), "compact");
    cr_log_info("look: %s (%zu bytes)", js, strlen(js));
    free(js);
}

/* A valid look's JSON, with `key`'s value replaced by `value` (the key left out when value is NULL). */
static void look_json(char *buf, size_t size, const char *key, const char *value)
{
    static const char *const fields[][2] = {
        {"version", "1"},      {"examples", "60"},    {"tone", "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]"},
        {"shadows", "[1,2]"},  {"midtones", "[3,4]"}, {"highlights", "[5,6]"},
        {"chroma", "12.5"},    {"grain", "0.01"},     {"vignette", "0.2"}};
    size_t len = 0;
    buf[len++] = '{';
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        int mine = key && !strcmp(key, fields[i][0]);
        if (mine && !value)
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s\"%s\":%s", len > 1 ? "," : "", fields[i][0],
                                mine ? value : fields[i][1]);
    }
    snprintf(buf + len, size - len, "}");
}

/* The valid JSON with key's value replaced must be refused with SB_ERR_USAGE naming `field`. */
static void refused(const char *key, const char *value, const char *field)
{
    char json[512];
    look_json(json, sizeof json, key, value);
    sb_look_t l;
    sb_error_t e = {0};
    cr_assert_eq(sb_look_from_json(json, &l, &e), SB_ERR_USAGE, "accepted %s", json);
    cr_assert_str_eq(e.field, field, "%s: %s", json, e.message);
    cr_assert_neq(e.message[0], 0);
}

Test(look, json_parsing_is_strict)
{
    char ok[512];
    look_json(ok, sizeof ok, NULL, NULL);
    sb_look_t l;
    sb_error_t e = {0};
    cr_assert_eq(sb_look_from_json(ok, &l, &e), SB_OK, "%s: %s", e.message, ok);
    cr_assert_eq(l.examples, 60);
    cr_assert_float_eq(l.chroma, 12.5f, 0);
    cr_assert_float_eq(l.ab[SB_LOOK_HIGHLIGHTS][1], 6.0f, 0);
    cr_assert_float_eq(l.tone[16], 16.0f, 0);

    const char *every[] = {"version", "examples", "tone", "shadows", "midtones", "highlights", "chroma", "grain",
                           "vignette"};
    for (size_t i = 0; i < sizeof every / sizeof *every; i++)
        refused(every[i], NULL, every[i]); /* missing */
    /* Wrong types and shapes. */
    refused("chroma", "\"12\"", "chroma");
    refused("grain", "null", "grain");
    refused("examples", "60.5", "examples");
    refused("version", "true", "version");
    refused("shadows", "[1]", "shadows");
    refused("shadows", "[1,2,3]", "shadows");
    refused("midtones", "[1,\"2\"]", "midtones");
    refused("tone", "3", "tone");
    /* Out of range. */
    refused("version", "2", "version");
    refused("examples", "0", "examples");
    refused("vignette", "2", "vignette");
    refused("grain", "-0.1", "grain");
    refused("chroma", "1e9", "chroma");
    refused("highlights", "[5,666]", "highlights[1]");
    refused("tone", "[0,1,2,3,4,5,4,7,8,9,10,11,12,13,14,15,16]", "tone[6]");
    refused("tone", "[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,101]", "tone[16]");
    /* Unknown fields, duplicates, not an object, not JSON, NULL. */
    refused("version", "1,\"extra\":1", "look");
    refused("version", "1,\"grain\":0.01", "look");
    sb_look_t dummy;
    cr_assert_eq(sb_look_from_json("[1,2]", &dummy, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_look_from_json("{\"version\":1", &dummy, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "look");
    cr_assert_eq(sb_look_from_json(NULL, &dummy, &e), SB_ERR_USAGE);
}

Test(look, undecodable_examples_are_skipped_and_counted, .init = init_io)
{
    uint8_t *bufs[8];
    size_t lens[8];
    examples(8, 5, &WARM_FADED, bufs, lens, NULL);
    uint8_t junk[64];
    for (int i = 0; i < 64; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    bufs[5] = junk;
    lens[5] = sizeof junk;
    bufs[6] = bufs[0];
    lens[6] = lens[0] / 2; /* truncated PNG */
    bufs[7] = junk;
    lens[7] = 0;
    sb_look_t look;
    int used = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_look_learn((const uint8_t *const *)bufs, lens, 8, &look, &used, &e), SB_OK, "%s", e.message);
    cr_assert_eq(used, 5);
    cr_assert_eq(look.examples, 5);

    /* Only bad ones: nothing usable. */
    const uint8_t *only_bad[3] = {junk, bufs[0], junk};
    size_t bad_lens[3] = {sizeof junk, lens[0] / 2, 0};
    cr_assert_eq(sb_look_learn(only_bad, bad_lens, 3, &look, &used, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "examples");
    cr_assert_eq(used, 0);
    cr_log_info("%s", e.message);
    cr_assert_eq(sb_look_learn(only_bad, bad_lens, 0, &look, &used, &e), SB_ERR_USAGE);

    /* A tiny image is skipped too. */
    sb_image_t tiny;
    cr_assert_eq(sb_image_alloc(&tiny, 8, 8, 3, NULL), SB_OK);
    memset(tiny.data, 128, 8 * 8 * 3);
    uint8_t *png;
    size_t png_len;
    cr_assert_eq(sb_io_encode(&tiny, SB_FMT_PNG, 0, &png, &png_len, &e), SB_OK);
    const uint8_t *tiny_set[2] = {png, bufs[1]};
    size_t tiny_lens[2] = {png_len, lens[1]};
    cr_assert_eq(sb_look_learn(tiny_set, tiny_lens, 2, &look, &used, &e), SB_OK);
    cr_assert_eq(used, 1);
    free(png);
    sb_image_free(&tiny);
    free_bufs(bufs, 5);
}

Test(look, learns_from_real_photos, .init = init_io)
{
    char dir[512], path[1024];
    TU_SHARED_PATH_OR_SKIP(dir, "testdata/faces");
    char **names;
    int n = tu_list_images(dir, &names);
    cr_assert_gt(n, 0);
    uint8_t **bufs = malloc(sizeof *bufs * n);
    size_t *lens = malloc(sizeof *lens * n);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        bufs[i] = tu_read(path, &lens[i]);
    }
    sb_look_t look;
    int used = 0;
    sb_error_t e = {0};
    int64_t t0 = sb_clock_us();
    cr_assert_eq(sb_look_learn((const uint8_t *const *)bufs, lens, n, &look, &used, &e), SB_OK, "%s", e.message);
    double ms = (sb_clock_us() - t0) / 1000.0;
    cr_assert_eq(used, n);
    char *js;
    cr_assert_eq(sb_look_to_json(&look, &js, &e), SB_OK);
    fprintf(stderr, "look: learnt from %d photos in %.0f ms (%.1f ms each): %s\n", n, ms, ms / n, js);
    free(js);
    /* Ordinary photos are close to the reference the look is measured against. */
    cr_assert_lt(look.vignette, 0.2f);
    cr_assert_lt(look.grain, 0.01f);
    for (int i = 0; i < n; i++)
        free(bufs[i]);
    free(bufs);
    free(lens);
    tu_free_list(names, n);
}
