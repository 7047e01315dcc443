/* likeness.c - the face on an output found again and compared with the reference (see likeness.h). */
#include "pipeline/likeness.h"

#include <math.h>

sb_err sb_likeness_ref_make(sb_face_embedder_t *em, const sb_image_t *rgb, const sb_face_t *face,
                            sb_likeness_ref_t *ref, sb_error_t *e)
{
    sb_image_t outside = {0};
    ref->crop = (sb_image_t){0};
    sb_err err = sb_face_embed(em, rgb, face, ref->emb, e);
    if (!err)
        err = sb_face_align(rgb, face, &ref->crop, &outside, e);
    sb_image_free(&outside);
    return err;
}

void sb_likeness_ref_free(sb_likeness_ref_t *ref)
{
    if (ref)
        sb_image_free(&ref->crop);
}

sb_err sb_likeness_ref_reframe(sb_likeness_ref_t *ref, const sb_image_t *frame, const sb_face_t *face,
                               sb_error_t *e)
{
    sb_image_t rgb = {0}, crop = {0}, outside = {0};
    const sb_image_t *look = frame;
    sb_err err = SB_OK;
    if (frame->bands == 4 && !(err = sb_pipeline_over_grey(frame, &rgb, e)))
        look = &rgb;
    if (!err)
        err = sb_face_align(look, face, &crop, &outside, e);
    if (!err) {
        sb_image_free(&ref->crop);
        ref->crop = crop;
        crop = (sb_image_t){0};
    }
    sb_image_free(&crop);
    sb_image_free(&outside);
    sb_image_free(&rgb);
    return err;
}

sb_err sb_pipeline_over_grey(const sb_image_t *rgba, sb_image_t *rgb, sb_error_t *e)
{
    sb_err err = sb_image_alloc(rgb, rgba->width, rgba->height, 3, e);
    if (err)
        return err;
    size_t n = (size_t)rgba->width * rgba->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++) {
            unsigned a = rgba->data[4 * i + 3];
            rgb->data[3 * i + c] = (uint8_t)((rgba->data[4 * i + c] * a + 128u * (255u - a) + 127u) / 255u);
        }
    return SB_OK;
}

sb_err sb_pipeline_likeness(sb_studio_t *studio, const sb_image_t *frame, const sb_likeness_ref_t *ref,
                            sb_likeness_t *out, sb_error_t *e)
{
    sb_image_t rgb = {0}, crop = {0}, outside = {0};
    const sb_image_t *look = frame;
    *out = (sb_likeness_t){0};
    if (frame->bands == 4) {
        sb_err err = sb_pipeline_over_grey(frame, &rgb, e);
        if (err)
            return err;
        look = &rgb;
    }
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    sb_face_list_t faces = {0};
    float emb[SB_EMBED_DIM];
    sb_err err = sb_studio_detector(studio, &det, e);
    if (!err)
        err = sb_face_detect(det, look, &faces, e);
    out->faces = faces.count;
    if (!err && faces.count > 0) {
        /* The largest face is the subject: the crop is framed around it. */
        int best = 0;
        for (int i = 1; i < faces.count; i++)
            if (faces.faces[i].w * faces.faces[i].h > faces.faces[best].w * faces.faces[best].h)
                best = i;
        err = sb_studio_embedder(studio, &em, e);
        if (!err)
            err = sb_face_embed(em, look, &faces.faces[best], emb, e);
        if (!err)
            err = sb_face_align(look, &faces.faces[best], &crop, &outside, e);
        if (!err)
            err = sb_face_integrity(&ref->crop, &crop, &out->integrity, e);
        if (!err) {
            sb_integrity_add_seams(&out->integrity, sb_face_seams(look, &faces.faces[best]));
            out->found = true;
            out->identity = sb_likeness_from_cosine(sb_embed_cosine(ref->emb, emb));
            out->likeness = fminf(out->identity, out->integrity.score);
        }
    }
    sb_face_list_free(&faces);
    sb_image_free(&crop);
    sb_image_free(&outside);
    sb_image_free(&rgb);
    return err;
}
