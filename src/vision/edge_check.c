/* edge_check.c - contrast across the source photo's border, measured along it in a delivered image. */
#include "vision/edge_check.h"

#include <math.h>

/* Points averaged along the side for each comparison: steadies the measure against texture and noise. */
#define WINDOW 5

static void sample(const sb_image_t *img, float x, float y, float rgb[3])
{
    int ix = (int)lrintf(x), iy = (int)lrintf(y);
    ix = ix < 0 ? 0 : ix >= img->width ? img->width - 1 : ix;
    iy = iy < 0 ? 0 : iy >= img->height ? img->height - 1 : iy;
    const uint8_t *p = img->data + ((size_t)iy * img->width + ix) * img->bands;
    for (int c = 0; c < 3; c++)
        rgb[c] = p[c] / 255.0f;
}

static int in_frame(const sb_image_t *img, float x, float y, float margin)
{
    return x >= margin && y >= margin && x <= img->width - 1 - margin && y <= img->height - 1 - margin;
}

/* One side a -> b, `n` its unit normal pointing into the photo. */
static void check_side(const sb_image_t *img, sb_point_t a, sb_point_t b, float nx, float ny, int side,
                       sb_edge_report_t *out)
{
    float shorter = (float)(img->width < img->height ? img->width : img->height);
    float d_in = fmaxf(3.0f, 0.02f * shorter), d_out = fmaxf(2.0f, 0.006f * shorter);
    float margin = fmaxf(2.0f, 0.01f * shorter); /* a border this close to the frame's edge is the edge */
    float dx = b.x - a.x, dy = b.y - a.y, len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        return;
    float ux = dx / len, uy = dy / len;
    float win_in[WINDOW][3], win_out[WINDOW][3];
    int filled = 0, run = 0;
    double run_sum = 0;
    for (int t = 0; t <= (int)len; t++) {
        float qx = a.x + ux * t, qy = a.y + uy * t;
        if (!in_frame(img, qx, qy, margin) || !in_frame(img, qx + nx * d_in, qy + ny * d_in, 0) ||
            !in_frame(img, qx - nx * d_out, qy - ny * d_out, 0)) {
            filled = run = 0, run_sum = 0;
            continue;
        }
        int slot = filled % WINDOW;
        sample(img, qx + nx * d_in, qy + ny * d_in, win_in[slot]);
        sample(img, qx - nx * d_out, qy - ny * d_out, win_out[slot]);
        if (++filled < WINDOW)
            continue;
        float contrast = 0;
        for (int c = 0; c < 3; c++) {
            float si = 0, so = 0;
            for (int k = 0; k < WINDOW; k++)
                si += win_in[k][c], so += win_out[k][c];
            contrast = fmaxf(contrast, fabsf(si - so) / WINDOW);
        }
        if (contrast < SB_EDGE_STEP_MIN) {
            run = 0, run_sum = 0;
            continue;
        }
        run++, run_sum += contrast;
        float frac = (run + WINDOW - 1) / shorter;
        if (frac > out->run) {
            out->run = frac;
            out->contrast = (float)(run_sum / run);
            out->side = side;
        }
    }
}

sb_err sb_edge_check(const sb_image_t *img, const sb_point_t quad[4], sb_edge_report_t *out, sb_error_t *e)
{
    if (!img || !img->data || (img->bands != 3 && img->bands != 4) || !quad || !out)
        return sb_error_set(e, SB_ERR_USAGE, "image", "edge check needs a 3- or 4-band image, a quad and a report");
    *out = (sb_edge_report_t){.side = -1};
    float cx = 0, cy = 0;
    for (int i = 0; i < 4; i++)
        cx += quad[i].x / 4, cy += quad[i].y / 4;
    for (int i = 0; i < 4; i++) {
        sb_point_t a = quad[i], b = quad[(i + 1) % 4];
        float dx = b.x - a.x, dy = b.y - a.y, len = sqrtf(dx * dx + dy * dy);
        if (len < 1)
            continue;
        float nx = -dy / len, ny = dx / len;
        if (nx * (cx - a.x) + ny * (cy - a.y) < 0)
            nx = -nx, ny = -ny;
        check_side(img, a, b, nx, ny, i, out);
    }
    out->visible = out->run >= SB_EDGE_VISIBLE_RUN;
    return SB_OK;
}
