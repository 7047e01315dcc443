/* face_neighbours.c - the geometry of faces beside the subject's: another face cheek to cheek with it, and
 * the matte beside the face that does not hang from the head (see face_neighbours.h). */
#include "vision/face_neighbours.h"

#include <math.h>
#include <stdlib.h>

/* The head's ellipse: inscribed in the face box, widened by EAR_MARGIN of its width on each side (ears). */
#define EAR_MARGIN 0.10f
/* Rows above this share of the face box's height (the mouth) are where a neighbour's remains beside the
 * face show; lower down the subject's own shoulders rise beside the chin. */
#define LOBE_ROWS 0.80f

sb_err sb_matte_beside_face(const sb_fimage_t *alpha, const sb_face_t *f, int sides, float *share, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height, rows = (int)(f->y + LOBE_ROWS * f->h);
    rows = rows < 0 ? 0 : rows > h ? h : rows;
    float cx = f->x + f->w * 0.5f, cy = f->y + f->h * 0.5f, rx = f->w * (0.5f + EAR_MARGIN), ry = f->h * 0.5f;
    size_t n = (size_t)w * rows, lobe = 0, top = 0;
    if (!n || rx <= 0 || ry <= 0)
        return SB_OK;
    uint8_t *seen = malloc(n);
    size_t *stack = malloc(n * sizeof *stack);
    if (!seen || !stack) {
        free(seen), free(stack);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the other people's share");
    }
    /* 1: inside the ellipse or alpha <= 0.5 (never crossed nor counted); 0: matte outside it. */
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < w; x++) {
            float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry;
            size_t i = (size_t)y * w + x;
            seen[i] = alpha->data[i] <= 0.5f || dx * dx + dy * dy <= 1;
        }
    /* The fill starts on the matte beside and above the ellipse's upper half (the forehead and up), within
     * its width, and runs 4-connected round the ellipse, never across it. */
    int x0 = (int)fmaxf(0, cx - rx), x1 = (int)fminf((float)w, cx + rx), ytop = (int)fminf((float)rows, cy - 0.5f * ry);
    for (int y = 0; y < ytop; y++)
        for (int x = x0; x < x1; x++) {
            size_t i = (size_t)y * w + x;
            if (!seen[i])
                seen[i] = 1, stack[top++] = i;
        }
    while (top) {
        size_t i = stack[--top];
        int x = (int)(i % w), y = (int)(i / w);
        const int nb[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int k = 0; k < 4; k++) {
            int nx = x + nb[k][0], ny = y + nb[k][1];
            if (nx < 0 || ny < 0 || nx >= w || ny >= rows)
                continue;
            size_t j = (size_t)ny * w + nx;
            if (!seen[j])
                seen[j] = 1, stack[top++] = j;
        }
    }
    /* What the fill left is the matte beside the face not connected to the head; counted on the sides
     * where another face is. */
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < w; x++)
            lobe += !seen[(size_t)y * w + x] && (sides & (x + 0.5f < cx ? 1 : 2));
    *share = (float)lobe / ((float)w * h);
    free(seen), free(stack);
    return SB_OK;
}

/* Another face touches the subject's when their boxes, overlapping in rows, are less than TOUCH_GAP of the
 * subject's box width apart side by side and it is at least TOUCH_HEIGHT of the subject's height (a head
 * beside the subject's at the same depth): groups/inspireface_attr_7242's two faces cheek to cheek are
 * -0.001 apart, 1.03 of her height; the closest delivered pair of faces/ and groups/ besides is 0.36 apart
 * (faces/inspireface_attr_1996). groups/dlib_2008_002079's woman, whose smaller face (0.77) overlaps the
 * man's box (-0.10) from below his jaw, is left to the split, which stops at his box (h13-groups). */
#define TOUCH_GAP 0.10f
#define TOUCH_HEIGHT 0.90f

int sb_faces_touch(const sb_face_t *faces, int n_faces, int subject)
{
    if (subject < 0 || subject >= n_faces)
        return 0;
    const sb_face_t *f = &faces[subject];
    for (int k = 0; k < n_faces; k++) {
        const sb_face_t *o = &faces[k];
        if (k == subject || o->h < TOUCH_HEIGHT * f->h)
            continue;
        float gap = fmaxf(o->x - (f->x + f->w), f->x - (o->x + o->w));
        float rows = fminf(o->y + o->h, f->y + f->h) - fmaxf(o->y, f->y);
        if (gap < TOUCH_GAP * f->w && rows > 0)
            return 1;
    }
    return 0;
}
