/* cutout_disagree.c - the share of the frame kept opaque where the salient net sees background. */
#include "pipeline/cutout_disagree.h"

float sb_cutout_disagree(const sb_fimage_t *alpha, const sb_fimage_t *salient)
{
    if (!salient->data || salient->width != alpha->width || salient->height != alpha->height)
        return 0;
    size_t n = (size_t)alpha->width * alpha->height, kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += alpha->data[i] > 0.9f && salient->data[i] <= 0;
    return (float)kept / (float)n;
}
