/* person_matte.c - the standalone person matte of a whole photo (strobe matte). */
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "pipeline/studio.h"

#define MATTE_WORK_SIDE 1024

sb_err sb_matte(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_matte_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t d = {.subject = -1};
    sb_image_t work = {0}, mask8 = {0}, full = {0};
    sb_fimage_t guide = {0}, alpha = {0};
    sb_matter_t *matter;
    sb_stages_start(&d.stages);
    sb_err err = sb_pipeline_decode(buf, len, MATTE_WORK_SIDE, 0, &work, &d, e);
    if (!err)
        err = sb_image_to_float(&work, &guide, e);
    if (!err)
        err = sb_studio_matter(studio, &matter, e);
    if (!err)
        err = sb_matte_person(matter, &work, &guide, 1, &alpha, e);
    if (!err)
        err = sb_fimage_to_u8(&alpha, &mask8, e);
    if (err)
        goto done;
    res->input = d.input;
    res->width = d.upright_width, res->height = d.upright_height;
    const sb_image_t *out = &mask8;
    if (mask8.width != res->width || mask8.height != res->height) {
        err = sb_image_resize(&mask8, res->width, res->height, &full, e);
        if (err)
            goto done;
        out = &full;
    }
    sb_stages_mark(&d.stages, "matte");
    err = sb_io_encode(out, SB_FMT_PNG, 0, &res->png, &res->png_len, e);
    if (!err)
        sb_stages_mark(&d.stages, "encode");
    res->stages = d.stages;
done:
    sb_image_free(&work);
    sb_image_free(&mask8);
    sb_image_free(&full);
    sb_fimage_free(&guide);
    sb_fimage_free(&alpha);
    if (err)
        sb_matte_result_free(res);
    return err;
}

void sb_matte_result_free(sb_matte_result_t *res)
{
    if (!res)
        return;
    free(res->png);
    res->png = NULL;
    res->png_len = 0;
}
