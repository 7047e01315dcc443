/* Product shadows: names, each kind's shape on a rectangle product standing on the ground (and hard's on a disc
 * seen from above and on a product cut by the canvas), overrides, applying. */
#include <math.h>
#include <string.h>

#include "image/colour.h"
#include "render/shadow.h"
#include "testutil.h"

/* A 400 x 400 canvas with a 100 x 200 rectangle product at x 150..249, y 100..299. */
#define W 400
#define H 400
#define PX0 150
#define PX1 249
#define PY0 100
#define PY1 299

static sb_fimage_t product(void)
{
    sb_fimage_t a;
    cr_assert_eq(sb_fimage_alloc(&a, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            a.data[y * W + x] = x >= PX0 && x <= PX1 && y >= PY0 && y <= PY1;
    return a;
}

static sb_fimage_t render(sb_shadow_kind k, const sb_shadow_overrides_t *ov)
{
    sb_fimage_t a = product(), s;
    sb_error_t e = {0};
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, k, ov, &s, &e), SB_OK, "%s", e.message);
    cr_assert(s.width == W && s.height == H && s.bands == 1);
    sb_fimage_free(&a);
    return s;
}

/* Mean darkness over rows y0..y1, columns x0..x1 (inclusive). */
static float mean(const sb_fimage_t *s, int x0, int y0, int x1, int y1)
{
    double acc = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            acc += s->data[y * W + x];
    return (float)(acc / ((x1 - x0 + 1) * (y1 - y0 + 1)));
}

static float max_of(const sb_fimage_t *s)
{
    float m = 0;
    for (int i = 0; i < W * H; i++)
        m = fmaxf(m, s->data[i]);
    return m;
}

/* How sharp the cast shadow's edge is beside the product (soft's ground band under the product is sharp on
 * purpose): the fewest rows over which a column's darkness rises, going down, from 10% to 90% of its peak, over
 * the columns 10 to 40 px right of the product. */
static int rise_rows(const sb_fimage_t *s)
{
    int best = H;
    for (int x = PX1 + 10; x <= PX1 + 40; x++) {
        float peak = 0;
        int at = 0;
        for (int y = 0; y < H; y++)
            if (s->data[y * W + x] > peak)
                peak = s->data[y * W + x], at = y;
        if (peak < 0.02f)
            continue;
        int lo = at, hi = at;
        while (lo > 0 && s->data[(lo - 1) * W + x] > 0.1f * peak)
            lo--;
        while (hi > lo && s->data[(hi - 1) * W + x] > 0.9f * peak)
            hi--;
        best = hi - lo < best ? hi - lo : best;
    }
    return best;
}

static const sb_shadow_overrides_t DEFAULT = {-1, -1, -1, -1};

Test(shadow, names_round_trip_and_bad_names_are_usage)
{
    for (int k = 0; k < SB_SHADOW__COUNT; k++) {
        sb_shadow_kind got = SB_SHADOW__COUNT;
        cr_assert_eq(sb_shadow_parse(sb_shadow_name((sb_shadow_kind)k), &got, NULL), SB_OK);
        cr_assert_eq((int)got, k);
    }
    cr_assert_str_eq(sb_shadow_name(SB_SHADOW_FLOATING), "floating");
    sb_error_t e = {0};
    sb_shadow_kind k;
    cr_assert_eq(sb_shadow_parse("dramatic", &k, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "shadow_type");
    cr_assert(strstr(e.message, "none, soft, hard, natural, floating"), "%s", e.message);
    cr_assert_eq(sb_shadow_parse(NULL, &k, &e), SB_ERR_USAGE);
    cr_assert_str_eq(sb_shadow_name(SB_SHADOW__COUNT), "unknown");
}

Test(shadow, none_is_all_zeros)
{
    sb_fimage_t s = render(SB_SHADOW_NONE, NULL);
    for (int i = 0; i < W * H; i++)
        cr_assert_eq(s.data[i], 0.0f);
    sb_fimage_free(&s);
}

Test(shadow, an_empty_alpha_casts_nothing)
{
    sb_fimage_t a, s;
    cr_assert_eq(sb_fimage_alloc(&a, 64, 48, 1, NULL), SB_OK);
    memset(a.data, 0, sizeof(float) * 64 * 48);
    cr_assert_eq(sb_shadow_render(&a, 0, 0, 64, 48, SB_SHADOW_SOFT, NULL, &s, NULL), SB_OK);
    for (int i = 0; i < 64 * 48; i++)
        cr_assert_eq(s.data[i], 0.0f);
    sb_fimage_free(&a);
    sb_fimage_free(&s);
}

Test(shadow, soft_falls_below_the_product)
{
    sb_fimage_t s = render(SB_SHADOW_SOFT, &DEFAULT);
    float below = mean(&s, PX0, PY1 + 1, PX1, PY1 + 20), above = mean(&s, PX0, PY0 - 20, PX1, PY0 - 1);
    cr_assert_gt(below, 0.1f, "below %.3f", below);
    cr_assert_gt(below, 2 * above, "below %.3f above %.3f", below, above);
    cr_assert_leq(max_of(&s), 1.0f);
    sb_fimage_free(&s);
}

Test(shadow, hard_is_sharper_than_soft)
{
    sb_fimage_t soft = render(SB_SHADOW_SOFT, NULL), hard = render(SB_SHADOW_HARD, NULL);
    int rs = rise_rows(&soft), rh = rise_rows(&hard);
    cr_log_info("rise from 10%% to 90%%: hard %d rows, soft %d", rh, rs);
    cr_assert_lt(rh, H, "hard casts nothing beside the product");
    cr_assert_gt(rs, 3 * rh + 2, "rise: hard %d rows, soft %d", rh, rs);
    sb_fimage_free(&soft);
    sb_fimage_free(&hard);
}

/* Soft's ground band: right under the base it is much darker than the soft cast shadow a little further down,
 * and darker than beside the product, where only the cast shadow reaches. */
Test(shadow, soft_has_a_ground_band_under_the_base)
{
    sb_fimage_t s = render(SB_SHADOW_SOFT, NULL);
    float under = mean(&s, PX0 + 10, PY1 + 1, PX1 - 10, PY1 + 2), further = mean(&s, PX0 + 10, PY1 + 12, PX1 - 10, PY1 + 14);
    float side = mean(&s, PX1 + 1, PY0 + 50, PX1 + 3, PY1 - 50);
    cr_assert_gt(under, 0.3f, "under %.3f", under);
    cr_assert_gt(under, 1.5f * further, "under %.3f further %.3f", under, further);
    cr_assert_gt(under, 1.5f * side, "under %.3f side %.3f", under, side);
    sb_fimage_free(&s);
}

/* Darkness-weighted centroid of the shadow outside the product, relative to the middle of its base. */
static void cast_centroid(const sb_fimage_t *s, float *dx, float *dy)
{
    double sx = 0, sy = 0, sw = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = x >= PX0 && x <= PX1 && y >= PY0 && y <= PY1 ? 0 : s->data[y * W + x];
            sx += v * x, sy += v * y, sw += v;
        }
    *dx = (float)(sx / sw - (PX0 + PX1) / 2.0);
    *dy = (float)(sy / sw - (PY1 + 1));
}

/* A product standing on the ground casts its hard shadow on the floor: the mass lies below the base, to the
 * side away from the light, reaching far (the default length is 0.75 of the height: 106 px sideways and 21 px
 * down at 45 degrees), not beside the product above the base as a drop shadow on a wall would. */
Test(shadow, hard_is_cast_on_the_floor_below_the_base)
{
    sb_fimage_t s = render(SB_SHADOW_HARD, NULL);
    double below = 0, above = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (!(x >= PX0 && x <= PX1 && y >= PY0 && y <= PY1))
                *(y > PY1 ? &below : &above) += s.data[y * W + x];
    cr_assert_gt(below, 20 * above, "below the base %.1f, beside it above the base %.1f", below, above);
    float floor = mean(&s, PX1 + 20, PY1 + 2, PX1 + 60, PY1 + 10), wall = mean(&s, PX1 + 1, PY0 + 20, PX1 + 40, PY1 - 10);
    cr_assert_gt(floor, 0.2f, "on the floor beside the base %.3f", floor);
    cr_assert_lt(wall, 0.01f, "beside the product above the base %.3f", wall);
    float far = mean(&s, PX1 + 85, PY1 + 14, PX1 + 95, PY1 + 20);
    cr_assert_gt(far, 0.05f, "the far end (the top's shadow) %.3f", far);
    /* Sharp at the contact, softer and lighter away from it: the steepest step across the shadow's lower edge
     * near the base and at the far end. */
    float step_near = 0, step_far = 0;
    for (int y = PY1 + 1; y + 1 < H; y++) {
        step_near = fmaxf(step_near, fabsf(s.data[(y + 1) * W + PX1 + 10] - s.data[y * W + PX1 + 10]));
        step_far = fmaxf(step_far, fabsf(s.data[(y + 1) * W + PX1 + 80] - s.data[y * W + PX1 + 80]));
    }
    cr_assert_gt(step_near, 2 * step_far, "edge near %.3f far %.3f", step_near, step_far);
    cr_assert_gt(floor, 1.5f * far, "lighter away: near %.3f far %.3f", floor, far);
    /* The contact line: right under the base, darker than the cast shadow beside it. */
    float contact = mean(&s, PX0 + 10, PY1 + 1, PX0 + 40, PY1 + 2);
    cr_assert_gt(contact, 0.6f, "contact %.3f", contact);
    sb_fimage_free(&s);
}

Test(shadow, hard_cast_follows_the_angle)
{
    static const struct {
        float angle;
        int sx, sy; /* expected sign of the centroid's shift from the base's middle, 0 for about none */
    } cases[] = {{-1, 1, 1}, {0, 1, 0}, {90, 0, 1}, {135, -1, 1}, {225, -1, -1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_shadow_overrides_t ov = {-1, -1, cases[i].angle, -1};
        sb_fimage_t s = render(SB_SHADOW_HARD, &ov);
        float dx, dy;
        cast_centroid(&s, &dx, &dy);
        cr_assert(cases[i].sx ? dx * cases[i].sx > 20 : fabsf(dx) < 3, "angle %.0f: dx %.2f", cases[i].angle, dx);
        /* Foreshortened: the floor recedes, so the shadow moves little up or down. */
        cr_assert(cases[i].sy ? dy * cases[i].sy > 2 && fabsf(dy) < 25 : fabsf(dy) < 3, "angle %.0f: dy %.2f",
                  cases[i].angle, dy);
        sb_fimage_free(&s);
    }
}

/* A tall product standing near the canvas's bottom (20 rows under a 360-row product, which would need 38 for the
 * top's shadow): the floor is flattened so the far end (the top's shadow, 190 px to the right) is on the canvas. */
Test(shadow, hard_cast_stays_on_the_canvas_under_a_tall_product)
{
    sb_fimage_t a, s;
    cr_assert_eq(sb_fimage_alloc(&a, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            a.data[y * W + x] = x >= 100 && x < 160 && y >= 20 && y < 380;
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, SB_SHADOW_HARD, NULL, &s, NULL), SB_OK);
    /* Unflattened, the rows left under the base would only hold the shadow of the lower half (up to x 260). */
    float far = 0;
    for (int y = 380; y < H; y++)
        for (int x = 330; x < 350; x++)
            far = fmaxf(far, s.data[y * W + x]);
    cr_assert_gt(far, 0.05f, "the top's shadow at the far end %.3f", far);
    sb_fimage_free(&a);
    sb_fimage_free(&s);
}

/* A disc (a round product seen from above) and a product cut by the canvas's bottom edge have no base to cast
 * from: their hard shadow is the silhouette offset along the angle by 0.08 of the length (6% of the height). */
Test(shadow, hard_offset_when_seen_from_above_or_cut)
{
    sb_fimage_t disc, cut, s;
    cr_assert_eq(sb_fimage_alloc(&disc, W, H, 1, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(&cut, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float dx = x - 200 + 0.5f, dy = y - 200 + 0.5f;
            disc.data[y * W + x] = dx * dx + dy * dy <= 100 * 100;
            cut.data[y * W + x] = x >= PX0 && x <= PX1 && y >= 200;
        }
    const sb_fimage_t *as[] = {&disc, &cut};
    const float height[] = {200, 200};
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(sb_shadow_render(as[i], 0, 0, W, H, SB_SHADOW_HARD, NULL, &s, NULL), SB_OK);
        double sx = 0, sy = 0, sw = 0, ax = 0, ay = 0, aw = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                double v = s.data[y * W + x], a = as[i]->data[y * W + x];
                sx += v * x, sy += v * y, sw += v, ax += a * x, ay += a * y, aw += a;
            }
        /* The contact band pulls the centroid a little down; the offset is 8.5 px each way. */
        float dx = (float)(sx / sw - ax / aw), dy = (float)(sy / sw - ay / aw), want = 0.06f * height[i] * 0.7071f;
        /* The cut product's shadow below it is cut by the canvas too: only its sideways shift is whole. */
        cr_assert(fabsf(dx - want) < 2 && (i ? dy > 2 : dy > want - 2 && dy < want + 6),
                  "%s: shift (%.2f, %.2f), want %.2f", i ? "cut" : "disc", dx, dy, want);
        sb_fimage_free(&s);
    }
    sb_fimage_free(&disc);
    sb_fimage_free(&cut);
}

Test(shadow, natural_has_a_dark_contact_band_under_the_base)
{
    sb_fimage_t s = render(SB_SHADOW_NATURAL, NULL);
    /* Just under the base versus beside the product, where only the cast shadow reaches: the cast
     * shadow's offset (60 degrees) is smaller sideways, so without the contact band the side would be the
     * darker. */
    float contact = mean(&s, PX0 + 10, PY1 + 1, PX1 - 10, PY1 + 3);
    float side = mean(&s, PX1 + 1, PY0 + 50, PX1 + 3, PY1 - 50);
    cr_assert_gt(contact, 0.5f, "contact %.3f", contact);
    cr_assert_gt(contact, 1.5f * side, "contact %.3f side %.3f", contact, side);
    /* Thin: a few percent of the height further down it has faded into the cast shadow. */
    float further = mean(&s, PX0 + 10, PY1 + 12, PX1 - 10, PY1 + 14);
    cr_assert_lt(further, 0.5f * contact, "further %.3f contact %.3f", further, contact);
    sb_fimage_free(&s);
}

Test(shadow, floating_is_a_light_ellipse_below_a_gap)
{
    sb_fimage_t f = render(SB_SHADOW_FLOATING, NULL), soft = render(SB_SHADOW_SOFT, NULL);
    /* The ellipse's centre: 10% of 200 px of gap and 4% of half height under the base. */
    int cy = PY1 + 1 + 20 + 8;
    float gap = mean(&f, PX0, PY1 + 1, PX1, PY1 + 4), blob = mean(&f, PX0, cy - 2, PX1, cy + 2);
    cr_assert_gt(blob, 2 * gap, "blob %.3f gap %.3f", blob, gap);
    cr_assert_lt(max_of(&f), max_of(&soft), "floating is lighter than soft");
    /* Wider than tall: the extent over half the maximum along the centre row and column. */
    float half = max_of(&f) / 2;
    int wide = 0, tall = 0;
    for (int x = 0; x < W; x++)
        wide += f.data[cy * W + x] > half;
    for (int y = 0; y < H; y++)
        tall += f.data[y * W + (PX0 + PX1) / 2] > half;
    cr_assert_gt(wide, 2 * tall, "wide %d tall %d", wide, tall);
    cr_assert_gt(tall, 0);
    sb_fimage_free(&f);
    sb_fimage_free(&soft);
}

Test(shadow, opacity_scales_darkness)
{
    for (int k = SB_SHADOW_SOFT; k < SB_SHADOW__COUNT; k++) {
        sb_shadow_overrides_t full_ov = {0.4f, -1, -1, -1}, half_ov = {0.2f, -1, -1, -1};
        sb_fimage_t full = render((sb_shadow_kind)k, &full_ov), half = render((sb_shadow_kind)k, &half_ov);
        cr_assert_gt(max_of(&full), 0.1f, "%s", sb_shadow_name((sb_shadow_kind)k));
        for (int i = 0; i < W * H; i++)
            cr_assert_float_eq(half.data[i], full.data[i] / 2, 1e-6, "%s pixel %d", sb_shadow_name((sb_shadow_kind)k), i);
        sb_fimage_free(&full);
        sb_fimage_free(&half);
    }
}

Test(shadow, deterministic)
{
    for (int k = 0; k < SB_SHADOW__COUNT; k++) {
        sb_fimage_t a = render((sb_shadow_kind)k, NULL), b = render((sb_shadow_kind)k, NULL);
        cr_assert(memcmp(a.data, b.data, sizeof(float) * W * H) == 0, "%s", sb_shadow_name((sb_shadow_kind)k));
        sb_fimage_free(&a);
        sb_fimage_free(&b);
    }
}

/* The product as a small layer (the rectangle plus a 10 px empty margin) at its place casts bit for bit the
 * shadow of the whole-canvas alpha; a layer that sticks out of the canvas casts the shadow of its part on it. */
Test(shadow, a_placed_layer_casts_the_same_shadow_as_the_canvas)
{
    sb_fimage_t layer, canvas, a, b;
    int lw = PX1 - PX0 + 21, lh = PY1 - PY0 + 21;
    cr_assert_eq(sb_fimage_alloc(&layer, lw, lh, 1, NULL), SB_OK);
    for (int y = 0; y < lh; y++)
        for (int x = 0; x < lw; x++)
            layer.data[y * lw + x] = x >= 10 && x < lw - 10 && y >= 10 && y < lh - 10;
    for (int k = 0; k < SB_SHADOW__COUNT; k++) {
        sb_fimage_t whole = render((sb_shadow_kind)k, NULL);
        cr_assert_eq(sb_shadow_render(&layer, PX0 - 10, PY0 - 10, W, H, (sb_shadow_kind)k, NULL, &a, NULL), SB_OK);
        cr_assert(memcmp(a.data, whole.data, sizeof(float) * W * H) == 0, "%s", sb_shadow_name((sb_shadow_kind)k));
        sb_fimage_free(&a);
        sb_fimage_free(&whole);
    }
    /* Half the layer off the left edge, the bottom 50 rows below the canvas. */
    int ox = -lw / 2, oy = H - lh + 50;
    cr_assert_eq(sb_fimage_alloc(&canvas, W, H, 1, NULL), SB_OK);
    memset(canvas.data, 0, sizeof(float) * W * H);
    for (int y = 0; y < lh; y++)
        for (int x = 0; x < lw; x++)
            if (x + ox >= 0 && y + oy < H)
                canvas.data[(y + oy) * W + x + ox] = layer.data[y * lw + x];
    cr_assert_eq(sb_shadow_render(&layer, ox, oy, W, H, SB_SHADOW_NATURAL, NULL, &a, NULL), SB_OK);
    cr_assert_eq(sb_shadow_render(&canvas, 0, 0, W, H, SB_SHADOW_NATURAL, NULL, &b, NULL), SB_OK);
    cr_assert(max_of(&b) > 0.1f);
    cr_assert(memcmp(a.data, b.data, sizeof(float) * W * H) == 0);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&canvas);
    sb_fimage_free(&layer);
}

Test(shadow, bad_overrides_and_inputs)
{
    sb_fimage_t a = product(), s = {0}, rgb;
    sb_error_t e = {0};
    sb_shadow_overrides_t ov = {1.5f, -1, -1, -1};
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, SB_SHADOW_SOFT, &ov, &s, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "shadow_opacity");
    cr_assert_null(s.data);
    ov = (sb_shadow_overrides_t){-1, NAN, -1, -1};
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, SB_SHADOW_SOFT, &ov, &s, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "shadow_blur");
    ov = (sb_shadow_overrides_t){-1, -1, 400, -1};
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, SB_SHADOW_HARD, &ov, &s, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "shadow_angle");
    cr_assert_eq(sb_shadow_render(&a, 0, 0, W, H, SB_SHADOW__COUNT, NULL, &s, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "shadow_type");
    cr_assert_eq(sb_fimage_alloc(&rgb, W, H, 3, NULL), SB_OK);
    cr_assert_eq(sb_shadow_render(&rgb, 0, 0, W, H, SB_SHADOW_SOFT, NULL, &s, &e), SB_ERR_INTERNAL);
    cr_assert_eq(sb_shadow_render(&a, 0, 0, 0, H, SB_SHADOW_SOFT, NULL, &s, &e), SB_ERR_INTERNAL);
    cr_assert_eq(sb_shadow_apply(&rgb, &rgb, &e), SB_ERR_INTERNAL);
    sb_fimage_free(&a);
    sb_fimage_free(&rgb);
}

Test(shadow, apply_darkens_in_linear_light_and_never_brightens)
{
    sb_fimage_t s = render(SB_SHADOW_NATURAL, NULL), rgb, before;
    cr_assert_eq(sb_fimage_alloc(&rgb, W, H, 3, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(&before, W, H, 3, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                rgb.data[(y * W + x) * 3 + c] = 0.2f + 0.6f * x / W + 0.05f * c;
    memcpy(before.data, rgb.data, sizeof(float) * W * H * 3);
    sb_error_t e = {0};
    cr_assert_eq(sb_shadow_apply(&rgb, &s, &e), SB_OK, "%s", e.message);
    int darkened = 0;
    for (int i = 0; i < W * H; i++)
        for (int c = 0; c < 3; c++) {
            float was = before.data[i * 3 + c], now = rgb.data[i * 3 + c];
            cr_assert_leq(now, was, "pixel %d brightened", i);
            if (s.data[i] == 0)
                cr_assert_eq(now, was, "pixel %d changed without shadow", i);
            if (s.data[i] > 0.05f) {
                float want = sb_linear_to_srgb(sb_srgb_to_linear(was) * (1 - s.data[i]));
                cr_assert_float_eq(now, want, 1e-3, "pixel %d: %.4f, want %.4f", i, now, want);
                darkened++;
            }
        }
    cr_assert_gt(darkened, 1000);
    sb_fimage_free(&s);
    sb_fimage_free(&rgb);
    sb_fimage_free(&before);
}

/* A flat background (white, grey, a colour) takes the shortcuts of sb_shadow_apply (one conversion per run,
 * one band for grey): every pixel must still be what the per-pixel curves give, bit for bit. */
Test(shadow, apply_on_a_flat_background_matches_the_per_pixel_curves)
{
    static const float colours[3][3] = {{1, 1, 1}, {0.5f, 0.5f, 0.5f}, {0.9f, 0.8f, 0.7f}};
    sb_fimage_t s = render(SB_SHADOW_SOFT, NULL), rgb;
    cr_assert_eq(sb_fimage_alloc(&rgb, W, H, 3, NULL), SB_OK);
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < W * H * 3; i++)
            rgb.data[i] = colours[k][i % 3];
        cr_assert_eq(sb_shadow_apply(&rgb, &s, NULL), SB_OK);
        int darkened = 0;
        for (int i = 0; i < W * H; i++) {
            float px[3] = {colours[k][0], colours[k][1], colours[k][2]};
            sb_fimage_t one = {1, 1, 3, px};
            if (s.data[i] > 0) {
                sb_fimage_srgb_to_linear(&one);
                for (int c = 0; c < 3; c++)
                    px[c] *= 1 - fminf(1, s.data[i]);
                sb_fimage_linear_to_srgb(&one);
                for (int c = 0; c < 3; c++)
                    px[c] = fminf(px[c], colours[k][c]);
                darkened += px[0] < colours[k][0];
            }
            for (int c = 0; c < 3; c++)
                cr_assert_eq(rgb.data[i * 3 + c], px[c], "colour %d pixel %d band %d: %.6f, want %.6f", k, i, c,
                             rgb.data[i * 3 + c], px[c]);
        }
        cr_assert_gt(darkened, 1000, "colour %d", k);
    }
    sb_fimage_free(&s);
    sb_fimage_free(&rgb);
}
