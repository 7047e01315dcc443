/* matte_islands.c - clear the parts of a people matte apart from the subject's face, out of its edge's reach. */
#include "vision/matte_islands.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/label.h"
#include "vision/regions.h"

sb_err sb_matte_drop_islands(sb_fimage_t *alpha, const sb_face_t *face, sb_fimage_t *cleared, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h;
    sb_parts_t parts = {0};
    sb_err err = SB_OK;
    if (cleared) {
        sb_fimage_free(cleared);
        err = sb_fimage_alloc(cleared, w, h, 1, e);
        if (!err)
            memset(cleared->data, 0, n * sizeof *cleared->data);
    }
    /* The held pixels first, then (once labelled) the subject's parts. */
    uint8_t *near = err ? NULL : malloc(n);
    if (!err && !near)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matte's islands");
    for (size_t i = 0; !err && i < n; i++)
        near[i] = alpha->data[i] >= SB_ISLAND_ALPHA;
    if (!err)
        err = sb_parts_label(w, h, near, &parts, e);
    char *keep = err ? NULL : calloc((size_t)parts.count + 1, 1);
    if (!err && !keep)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matte's islands");
    if (!err) {
        /* The subject: the parts reaching into the face box. */
        int x0 = (int)fmaxf(0, floorf(face->x)), x1 = (int)fminf((float)w, ceilf(face->x + face->w));
        int y0 = (int)fmaxf(0, floorf(face->y)), y1 = (int)fminf((float)h, ceilf(face->y + face->h));
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                keep[parts.label[(size_t)y * w + x]] = 1;
        keep[0] = 0;
        /* Parts within the reach of the subject's own edge are its strands and stay. */
        for (size_t i = 0; i < n; i++)
            near[i] = keep[parts.label[i]];
        err = sb_regions_dilate(near, w, h, (int)(SB_ISLAND_REACH * (w < h ? w : h) + 0.5f), e);
    }
    if (!err) {
        for (size_t i = 0; i < n; i++)
            if (parts.label[i] && near[i])
                keep[parts.label[i]] = 1;
        for (size_t i = 0; i < n; i++)
            if (parts.label[i] && !keep[parts.label[i]]) {
                if (cleared)
                    cleared->data[i] = alpha->data[i];
                alpha->data[i] = 0;
            }
    }
    free(near);
    free(keep);
    sb_parts_free(&parts);
    return err;
}
