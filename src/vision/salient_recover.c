/* salient_recover.c - wide faint areas of the salient map joined to its strong part become subject. */
#include "vision/salient_recover.h"

#include <stdlib.h>
#include <string.h>

#include "vision/regions.h"

sb_err sb_salient_recover(uint8_t *map, int w, int h, long *recovered, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    *recovered = 0;
    uint8_t *faint = malloc(n);
    sb_regions_t r = {0};
    if (!faint)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to recover a faint subject");
    int strong = 0;
    for (size_t i = 0; i < n; i++) {
        faint[i] = map[i] >= SB_RECOVER_LOW && map[i] < 128;
        strong |= map[i] >= 128;
    }
    sb_err err = strong ? sb_regions_erode(faint, w, h, SB_RECOVER_OPEN, e) : SB_OK;
    if (!err && strong)
        err = sb_regions_dilate(faint, w, h, SB_RECOVER_OPEN, e);
    /* The opened faint area (dilation may have crossed into the strong part or below the faint level) with
     * the strong pixels, in parts; a part holding a strong pixel is the subject. */
    for (size_t i = 0; !err && strong && i < n; i++)
        faint[i] = (faint[i] && map[i] >= SB_RECOVER_LOW) || map[i] >= 128;
    if (!err && strong)
        err = sb_regions_find(faint, w, h, &r, e);
    if (err || !strong)
        goto done;
    uint8_t *has_strong = calloc((size_t)(r.n ? r.n : 1), 1);
    if (!has_strong) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to recover a faint subject");
        goto done;
    }
    for (int i = 0; i < r.n_runs; i++) {
        const sb_region_run_t *run = &r.run[i];
        for (int x = run->x0; x < run->x1 && !has_strong[run->part]; x++)
            has_strong[run->part] = map[(size_t)run->y * w + x] >= 128;
    }
    /* Raised only where the faint area is at least as large as the strong part it joins: the net saw a
     * fraction of the product (its label, its print), not the product and a soft neighbour (a vase beside
     * the jars, a strip of shelf beside the carton, which are smaller than the product the net did see). */
    long faint_n = 0, strong_n = 0;
    for (int i = 0; i < r.n_runs; i++) {
        const sb_region_run_t *run = &r.run[i];
        for (int x = run->x0; has_strong[run->part] && x < run->x1; x++)
            map[(size_t)run->y * w + x] < 128 ? faint_n++ : strong_n++;
    }
    for (int i = 0; faint_n >= strong_n && i < r.n_runs; i++) {
        const sb_region_run_t *run = &r.run[i];
        if (!has_strong[run->part])
            continue;
        for (int x = run->x0; x < run->x1; x++) {
            uint8_t *v = &map[(size_t)run->y * w + x];
            if (*v < 128)
                *v = 255, ++*recovered;
        }
    }
    free(has_strong);
done:
    sb_regions_free(&r);
    free(faint);
    return err;
}
