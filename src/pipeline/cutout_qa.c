/* cutout_qa.c - the check on a delivered cut-out: matte, leftovers, photo edge, faces found again. */
#include "pipeline/cutout_qa.h"

#include <stdlib.h>

#include "image/label.h"
#include "pipeline/cutout_disagree.h"
#include "pipeline/cutout_ghost.h"
#include "pipeline/cutout_glare.h"
#include "pipeline/cutout_halo.h"
#include "pipeline/cutout_raised.h"
#include "pipeline/likeness.h"

/* The matte's pixels (alpha > 0.5) 4-connected to those in the subject's face box, into *region (malloc'd,
 * a byte a pixel, 1 on them; the caller frees it); the share of the frame kept (alpha > 0.5) outside that
 * region is background or other things left in. */
static sb_err apart_from_subject(const sb_fimage_t *a, const sb_face_t *face, float *apart, uint8_t **region,
                                 sb_error_t *e)
{
    int w = a->width, h = a->height;
    size_t n = (size_t)w * h, kept = 0, reached = 0;
    sb_parts_t parts = {0};
    uint8_t *mine = NULL, *seen = malloc(n); /* the kept pixels, then the region */
    sb_err err = seen ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cut-out check");
    for (size_t i = 0; !err && i < n; i++)
        seen[i] = a->data[i] > 0.5f;
    if (!err)
        err = sb_parts_label4(w, h, seen, &parts, e);
    if (!err && !(mine = calloc((size_t)parts.count + 1, 1)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cut-out check");
    if (err) {
        free(seen);
        seen = NULL;
    }
    if (!err) {
        int x0 = (int)face->x, y0 = (int)face->y, x1 = (int)(face->x + face->w), y1 = (int)(face->y + face->h);
        x0 = x0 < 0 ? 0 : x0, y0 = y0 < 0 ? 0 : y0, x1 = x1 > w ? w : x1, y1 = y1 > h ? h : y1;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                mine[parts.label[(size_t)y * w + x]] = 1;
        mine[0] = 0;
        for (int k = 0; k < parts.count; k++) {
            kept += parts.area[k];
            reached += mine[k + 1] ? parts.area[k] : 0;
        }
        for (size_t i = 0; i < n; i++)
            seen[i] = mine[parts.label[i]];
        *apart = (float)(kept - reached) / (float)n;
    }
    *region = seen;
    free(mine);
    sb_parts_free(&parts);
    return err;
}

sb_err sb_cutout_check(sb_studio_t *studio, const sb_image_t *out, const sb_portrait_t *p, const sb_point_t quad[4],
                       int faces_found, sb_cutout_check_t *c, sb_error_t *e)
{
    *c = (sb_cutout_check_t){0};
    const sb_fimage_t *alpha = p ? &p->alpha : NULL;
    const sb_face_t *face = p ? &p->face : NULL;
    if (!out || (out->bands != 3 && out->bands != 4) || !alpha || !alpha->data || alpha->bands != 1 || !quad)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the cut-out check needs a 3- or 4-band output and a 1-band matte");
    /* The matte as the nets and the edge solve made it: the islands cleared for delivery still tell of a
     * matte that kept old background, as they did before they were cleared. */
    sb_fimage_t judged = {0};
    const sb_fimage_t *is = &p->islands;
    if (is->data && is->width == alpha->width && is->height == alpha->height) {
        sb_err err = sb_fimage_alloc(&judged, alpha->width, alpha->height, 1, e);
        if (err)
            return err;
        size_t n = (size_t)alpha->width * alpha->height;
        for (size_t i = 0; i < n; i++)
            judged.data[i] = alpha->data[i] + is->data[i];
        alpha = &judged;
    }
    size_t n = (size_t)alpha->width * alpha->height, sure = 0;
    for (size_t i = 0; i < n; i++)
        sure += alpha->data[i] < 0.05f || alpha->data[i] > 0.95f;
    c->matte_confidence = (float)sure / (float)n;
    sb_image_t rgb = {0};
    const sb_image_t *look = out;
    uint8_t *region = NULL;
    sb_err err = apart_from_subject(alpha, face, &c->background_left, &region, e);
    if (!err)
        err = sb_cutout_ghost(alpha, region, &c->ghost, e);
    free(region);
    c->disagree = sb_cutout_disagree(alpha, &p->salient);
    c->raised = sb_cutout_raised(alpha, &p->nets);
    if (!err)
        err = sb_cutout_halo(out, &p->aligned, alpha, face, &c->halo, &c->holes, &c->wall, e);
    if (!err)
        err = sb_cutout_glare(&p->aligned, &p->outside, alpha, face, &c->glare, e);
    if (!err && out->bands == 4 && !(err = sb_pipeline_over_grey(out, &rgb, e)))
        look = &rgb;
    if (!err)
        err = sb_edge_check(look, quad, &c->edge, e);
    c->photo_edge_visible = c->edge.visible;
    c->output_face_count = faces_found;
    if (!err && faces_found < 0) {
        sb_face_detector_t *det;
        sb_face_list_t faces = {0};
        err = sb_studio_detector(studio, &det, e);
        /* The frame's face is under the 640 copy's limit (the framing makes it 31-43% of the width), so
         * one run says whether it is alone; only an answer other than one face takes both copies (a
         * neighbour too large for the 640 copy beside the subject is not looked for). */
        if (!err)
            err = sb_face_detect_once(det, look, &faces, e);
        if (!err && faces.count != 1) {
            sb_face_list_free(&faces);
            err = sb_face_detect(det, look, &faces, e);
        }
        c->output_face_count = faces.count;
        sb_face_list_free(&faces);
    }
    sb_image_free(&rgb);
    sb_fimage_free(&judged);
    if (err)
        return err;
    c->other_person = p->other_person;
    c->other_person_left = c->output_face_count > 1 || c->other_person > SB_CUTOUT_OTHER_PERSON_MAX ||
                           (p && p->cheek_to_cheek);
    c->pass = c->matte_confidence >= SB_CUTOUT_CONFIDENCE_MIN && c->background_left <= SB_CUTOUT_BACKGROUND_MAX &&
              c->halo <= SB_CUTOUT_HALO_MAX && c->holes <= SB_CUTOUT_HOLES_MAX &&
              c->wall <= SB_CUTOUT_WALL_MAX && c->ghost <= SB_CUTOUT_GHOST_MAX && c->glare <= SB_CUTOUT_GLARE_MAX &&
              c->disagree <= SB_CUTOUT_DISAGREE_MAX && c->raised <= SB_CUTOUT_RAISED_MAX &&
              !c->photo_edge_visible && c->output_face_count == 1 && !c->other_person_left;
    return SB_OK;
}
