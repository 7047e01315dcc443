/* integrity.c - the face-integrity measures of an output face against its reference (see integrity.h). */
#include "vision/integrity.h"

#include <math.h>
#include <stdlib.h>

#include "vision/embed.h"

#define N SB_FACE_CROP
/* Pooling cell of the low-frequency measures: 4 px of the 112 crop, so a drawn outline (1-2 px there)
 * weighs little and a patch counts. */
#define CELL 4
#define G (N / CELL)
/* The face oval on the ArcFace template: eyes at y 52, mouth at y 92; brow to chin, cheek to cheek. */
#define OVAL_CX 56.0f
#define OVAL_CY 66.0f
#define OVAL_RX 30.0f
#define OVAL_RY 42.0f
/* Skin sampled for its hue: cheeks and nose, under the eyes and over the mouth. */
#define SKIN_X0 28
#define SKIN_X1 84
#define SKIN_Y0 58
#define SKIN_Y1 86
/* Detail sampled around the eyes, nose and mouth. */
#define DETAIL_X0 24
#define DETAIL_X1 88
#define DETAIL_Y0 40
#define DETAIL_Y1 100
/* A cell is dark when under DARK_LEVEL of the face's median and under DARK_RATIO of the reference's
 * normalised level at the same place (eyes, brows and beards are dark on both). */
#define DARK_LEVEL 0.5f
#define DARK_RATIO 0.35f
/* Below this chroma (0..1 units of Cb, Cr) a face counts as grey: its hue says nothing. */
#define GREY_CHROMA 0.025f

/* Score bounds of each measure: 1 at `good` or better, 0 at `bad` or worse, linear between. Calibrated on
 * shared/testdata's avatars (docs/internals/vision.md, "integrity.c: face integrity"). */
#define LAYOUT_GOOD 0.15f
#define LAYOUT_BAD -0.15f
#define DARK_GOOD 0.08f
#define DARK_BAD 0.12f
#define HUE_GOOD 40.0f
#define HUE_BAD 80.0f
#define DETAIL_GOOD 0.35f
#define DETAIL_BAD 0.15f
/* Seams: undamaged headshots and avatars of 19 identity/ photos 0.00-0.11, the same scrambled 0.10-0.25
 * (those under 0.14 scored under 0.45 on the embedding); deepface_img17's scramble, 0.719 on the
 * embedding, reads 0.185. */
#define SEAM_GOOD 0.12f
#define SEAM_BAD 0.16f

static float ramp(float x, float bad, float good)
{
    float t = (x - bad) / (good - bad);
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

static float luma8(const uint8_t *p)
{
    return (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) * (1.0f / 255.0f);
}

static int in_oval(float x, float y)
{
    float dx = (x - OVAL_CX) / OVAL_RX, dy = (y - OVAL_CY) / OVAL_RY;
    return dx * dx + dy * dy <= 1.0f;
}

/* Mean luminance of each CELL x CELL cell into grid[G * G]. */
static void pool(const sb_image_t *img, float *grid)
{
    for (int gy = 0; gy < G; gy++)
        for (int gx = 0; gx < G; gx++) {
            float s = 0;
            for (int y = gy * CELL; y < (gy + 1) * CELL; y++)
                for (int x = gx * CELL; x < (gx + 1) * CELL; x++)
                    s += luma8(img->data + ((size_t)y * N + x) * 3);
            grid[gy * G + gx] = s / (CELL * CELL);
        }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Median of the n values v (reordered). */
static float median(float *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_float);
    return n % 2 ? v[n / 2] : 0.5f * (v[n / 2 - 1] + v[n / 2]);
}

/* Mean (Cb, Cr) of the skin rectangle; returns its hue in degrees and sets *chroma. */
static float skin_hue(const sb_image_t *img, float *chroma)
{
    double cb = 0, cr = 0;
    int n = 0;
    for (int y = SKIN_Y0; y < SKIN_Y1; y++)
        for (int x = SKIN_X0; x < SKIN_X1; x++) {
            const uint8_t *p = img->data + ((size_t)y * N + x) * 3;
            float l = luma8(p);
            cb += 0.564f * (p[2] / 255.0f - l);
            cr += 0.713f * (p[0] / 255.0f - l);
            n++;
        }
    cb /= n, cr /= n;
    *chroma = (float)hypot(cb, cr);
    return (float)(atan2(cr, cb) * 180.0 / M_PI);
}

/* Sum of |dx| + |dy| of the luminance over the detail rectangle. */
static float edge_energy(const sb_image_t *img)
{
    double s = 0;
    for (int y = DETAIL_Y0; y < DETAIL_Y1; y++)
        for (int x = DETAIL_X0; x < DETAIL_X1; x++) {
            const uint8_t *p = img->data + ((size_t)y * N + x) * 3;
            float l = luma8(p);
            s += fabsf(luma8(p + 3) - l) + fabsf(luma8(p + 3 * N) - l);
        }
    return (float)s;
}

/* Seams (sb_face_seams): the K-th strongest row (column) boundary of the region, so one straight
 * natural edge (a fringe, a glasses bar) does not count; a 4x4 block scramble has three inside its box
 * in each direction, and its border. */
#define SEAM_K 3
#define SEAM_AREA 2.0f
#define SEAM_STEP (8.0f / 255.0f)
#define SEAM_EXCESS 2.0f

static int cmp_desc(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x < y) - (x > y);
}

/* The seam strength of one direction: for each boundary between two lines of `lum` (w x h), the share of
 * its length where the step across it is a seam step (SEAM_STEP or more, and over SEAM_EXCESS times the
 * steeper of the steps across the two neighbouring boundaries); the SEAM_K-th largest share. `step` is the
 * distance between two neighbours across the boundaries (w for rows, 1 for columns), `along` between two
 * pixels along one (1 or w), `n` the lines' count and `len` their length. `buf` holds n floats. */
static float seam_strength(const float *lum, int step, int along, int n, int len, float *buf)
{
    int m = 0;
    for (int b = 1; b + 2 < n; b++) {
        /* boundary b lies between lines b and b + 1 */
        int seam = 0;
        for (int i = 0; i < len; i++) {
            const float *p = lum + (size_t)b * step + (size_t)i * along;
            float here = fabsf(p[step] - p[0]), before = fabsf(p[0] - p[-step]), after = fabsf(p[2 * step] - p[step]);
            seam += here >= SEAM_STEP && here > SEAM_EXCESS * fmaxf(before, after);
        }
        buf[m++] = (float)seam / len;
    }
    if (m < SEAM_K)
        return 0;
    qsort(buf, (size_t)m, sizeof *buf, cmp_desc);
    return buf[SEAM_K - 1];
}

float sb_face_seams(const sb_image_t *rgb, const sb_face_t *face)
{
    /* The box grown SEAM_AREA times about its centre: on a scrambled face YuNet may find its "face" in one
     * or two of the blocks, with no seam inside that box. */
    float cx = face->x + face->w / 2, cy = face->y + face->h / 2, hw = SEAM_AREA * face->w / 2,
          hh = SEAM_AREA * face->h / 2;
    int x0 = (int)fmaxf(0, floorf(cx - hw)), y0 = (int)fmaxf(0, floorf(cy - hh));
    int x1 = (int)fminf((float)rgb->width, ceilf(cx + hw)), y1 = (int)fminf((float)rgb->height, ceilf(cy + hh));
    int w = x1 - x0, h = y1 - y0;
    if (rgb->bands < 3 || w < 16 || h < 16)
        return 0;
    float *lum = malloc(sizeof(float) * ((size_t)w * h + 2 * (size_t)(w > h ? w : h)));
    if (!lum)
        return 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            lum[(size_t)y * w + x] = luma8(rgb->data + ((size_t)(y0 + y) * rgb->width + x0 + x) * rgb->bands);
    float *buf = lum + (size_t)w * h;
    float rows = seam_strength(lum, w, 1, h, w, buf), cols = seam_strength(lum, 1, w, w, h, buf);
    free(lum);
    return fminf(rows, cols);
}

sb_err sb_face_integrity(const sb_image_t *ref, const sb_image_t *out, sb_integrity_t *r, sb_error_t *e)
{
    if (!ref || !out || !r || !ref->data || !out->data || ref->bands != 3 || out->bands != 3 || ref->width != N ||
        ref->height != N || out->width != N || out->height != N)
        return sb_error_set(e, SB_ERR_USAGE, "", "face integrity needs two 3-band %dx%d aligned face crops", N, N);
    float *a = malloc(sizeof(float) * G * G * 4);
    if (!a)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face integrity");
    float *b = a + G * G, *va = b + G * G, *vb = va + G * G;
    pool(ref, a);
    pool(out, b);

    /* Layout: Pearson correlation over the oval's cells. */
    int n = 0;
    double sa = 0, sb = 0;
    for (int i = 0; i < G * G; i++)
        if (in_oval((i % G + 0.5f) * CELL, (i / G + 0.5f) * CELL)) {
            va[n] = a[i], vb[n] = b[i];
            sa += a[i], sb += b[i];
            n++;
        }
    double ma = sa / n, mb = sb / n, cab = 0, caa = 0, cbb = 0;
    for (int k = 0; k < n; k++)
        cab += (va[k] - ma) * (vb[k] - mb), caa += (va[k] - ma) * (va[k] - ma), cbb += (vb[k] - mb) * (vb[k] - mb);
    r->layout = caa > 0 && cbb > 0 ? (float)(cab / sqrt(caa * cbb)) : 0.0f;

    /* Dark patches: each face normalised by its own median over the oval. */
    float *oa = malloc(sizeof(float) * (size_t)n * 2);
    if (!oa) {
        free(a);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face integrity");
    }
    for (int k = 0; k < n; k++)
        oa[k] = va[k], oa[n + k] = vb[k];
    float meda = fmaxf(median(oa, n), 1e-3f), medb = fmaxf(median(oa + n, n), 1e-3f);
    free(oa);
    int dark = 0;
    for (int k = 0; k < n; k++) {
        float la = va[k] / meda, lb = vb[k] / medb;
        dark += lb < DARK_LEVEL && lb < DARK_RATIO * la;
    }
    r->dark = (float)dark / n;
    free(a);

    /* Hue of the skin, when both faces carry colour. */
    float ca, cb;
    float ha = skin_hue(ref, &ca), hb = skin_hue(out, &cb);
    float dh = fabsf(ha - hb);
    r->hue = ca < GREY_CHROMA || cb < GREY_CHROMA ? 0.0f : dh > 180 ? 360 - dh : dh;

    /* Detail: edges around the eyes and mouth, against the reference's. */
    float ea = edge_energy(ref), eb = edge_energy(out);
    r->detail = (eb + 1.0f) / (ea + 1.0f);

    float s = ramp(r->layout, LAYOUT_BAD, LAYOUT_GOOD);
    s = fminf(s, ramp(r->dark, DARK_BAD, DARK_GOOD));
    s = fminf(s, ramp(r->hue, HUE_BAD, HUE_GOOD));
    s = fminf(s, ramp(r->detail, DETAIL_BAD, DETAIL_GOOD));
    r->score = s;
    return SB_OK;
}

void sb_integrity_add_seams(sb_integrity_t *r, float seams)
{
    r->seam = seams;
    r->score = fminf(r->score, ramp(r->seam, SEAM_BAD, SEAM_GOOD));
}
