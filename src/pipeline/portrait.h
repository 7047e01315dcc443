/* portrait.h - the first half of every face pipeline, shared by the headshot and the avatar styles:
 * decode, find faces, check the input gates, align the subject in a square crop (eye line refined with
 * the face mesh), then cut the person out (matte, exposure and white balance on the face, foreground
 * colours at the edges). What a pipeline does after that (detail, style, backdrop, composite) is its own.
 * Not thread-safe per studio; one portrait per request. */
#ifndef SB_PORTRAIT_H
#define SB_PORTRAIT_H

#include "pipeline/studio.h"
#include "vision/align.h"
#include "vision/align_fit.h"

typedef struct {
    sb_image_t work;          /* the decoded working image, kept for measurements on the input; a
                               * pipeline that needs none frees it after sb_portrait_align */
    sb_face_list_t faces;     /* every face, working coordinates */
    sb_face_list_t weak;      /* the faces found under the detector's level (sb_face_find), working
                               * coordinates: other people the subject's cut-out must leave out */
    sb_image_t aligned;       /* size x size crop, subject levelled and framed */
    sb_image_t outside;       /* 1 band, 255 where the crop lies outside the photo */
    sb_face_t face;           /* the subject in crop coordinates */
    float roll_deg;           /* the subject's roll in the input */
    int size;                 /* the crop's shorter side */
    int width, height;        /* the crop's size (size x size from sb_portrait_align) */
    double m[6];              /* working image -> crop map (see sb_image_warp_affine) */
    int src_width, src_height; /* the working image's size (kept when `work` is freed) */
    float face_blur;           /* the subject's edge blur in `work` (sb_focus_face_blur), measured by the gate */
    int fitted;               /* sb_portrait_place: 1 when the fit kept the photo's border off the person */
    int passes;               /* sb_portrait_place: the face mesh's eye-line passes it took (1..6) */
    float mesh_box[3];        /* the face mesh's own face box (centre x, y and side, working coordinates)
                               * from the last eye refinement; side 0 before the first */
    sb_image_t mesh_src;      /* the working image round the subject's face, shrunk for the mesh (empty when
                               * the face is small enough to be read from `work`); made at the first pass */
    double mesh_to_work[6];   /* mesh_src pixels -> working pixels */
    /* after sb_portrait_cutout */
    sb_fimage_t alpha;        /* person matte, 0 outside the photo */
    sb_fimage_t islands;      /* what of the matte was apart from the subject's face and cleared from alpha
                               * (sb_matte_drop_islands): the check judges alpha + islands, the matte the
                               * nets made, and delivers alpha */
    sb_fimage_t nets;         /* the matte as the nets made it, split from the other faces, before the edge
                               * solve (sb_matte_edge_refine) opened or raised it: what the check compares
                               * alpha + islands with (pipeline/cutout_raised.h) */
    sb_fimage_t salient;      /* the salient net's map that went into alpha (sb_matte_person_nets), empty
                               * when the selfie net made it alone */
    sb_fimage_t fg;           /* lit foreground colours, sRGB 0..1 */
    float other_person;       /* how much of another person a split leaves beside the face (sb_matte_other_share) */
    int cheek_to_cheek;       /* another face touches the subject's side by side (sb_faces_touch) */
} sb_portrait_t;

/* Decode `buf` (for a `size` crop), find faces, apply the gates (SB_ERR_IMAGE_TOO_SMALL, SB_ERR_NO_FACE,
 * SB_ERR_FACE_TOO_SMALL, SB_ERR_FACE_OUT_OF_FOCUS) and align the subject. Marks stages decode, detect, align in d->stages. */
sb_err sb_portrait_align(sb_studio_t *studio, const uint8_t *buf, size_t len, int size, sb_portrait_t *p,
                         sb_detect_result_t *d, sb_error_t *e);

/* sb_portrait_align for a width x height crop with the subject placed by `framing` (borrowed for the
 * call); the photo is decoded for a crop of the longer side. sb_portrait_align(size) is this with size x
 * size and SB_FRAMING_HEADSHOT. Same stages and errors. */
sb_err sb_portrait_align_framed(sb_studio_t *studio, const uint8_t *buf, size_t len, int width, int height,
                                const sb_framing_t *framing, sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e);

/* sb_portrait_align_framed in two steps, so a pipeline can frame the same photo again: prepare decodes,
 * finds faces and applies the gates (stages decode, detect; same errors) for a width x height crop;
 * place aligns the subject (stage align), with `fit` (NULL: sb_align_face_in, the avatar's framing) by
 * sb_align_face_fit, and may be called again: it drops what an earlier place or cutout made. */
sb_err sb_portrait_prepare(sb_studio_t *studio, const uint8_t *buf, size_t len, int width, int height,
                           sb_portrait_t *p, sb_detect_result_t *d, sb_error_t *e);
sb_err sb_portrait_place(sb_studio_t *studio, sb_portrait_t *p, const sb_framing_t *framing,
                         const sb_fit_limits_t *fit, sb_detect_result_t *d, sb_error_t *e);

/* Whether sb_portrait_place with `fit` would keep the photo's border off the subject (face `subject` of
 * p->faces, with the landmarks it has now): the arithmetic of sb_align_face_fit alone, no pixels. */
int sb_portrait_fits(const sb_portrait_t *p, int subject, const sb_framing_t *framing, const sb_fit_limits_t *fit);

/* The working image's corners in a out_width x out_height output made from the placed crop (scaled
 * from the crop's size), in order around the photo: where the photo's border lands. */
void sb_portrait_photo_quad(const sb_portrait_t *p, int out_width, int out_height, sb_point_t quad[4]);

/* Matte, light and foreground colours of an aligned portrait (stages matte, light, foreground). The matte
 * is the selfie net's alone, or with `salient` the person matte of both nets (sb_matte_person: better
 * edges and fewer misses, about 250 ms more on one thread); either way it keeps only the subject
 * (vision/subject.h): the parts of it that belong to the other faces found, or to no face, are cleared; p->other_person
 * is measured on the matte before that (sb_matte_other_share). */
sb_err sb_portrait_cutout(sb_studio_t *studio, sb_portrait_t *p, int salient, sb_detect_result_t *d,
                          sb_error_t *e);

/* Nothing outside the source photo is the person: multiply `alpha` (1 band) by max(0, 1 - 2 o), o being
 * `outside` (1 band, same size, 255 outside the photo) read as 0..1 and blurred by `sigma` pixels, so the
 * person fades out over a band rather than ending on the photo's edge. sb_portrait_cutout does this over
 * 1% of the frame; a pipeline may fade again over a wider band. SB_ERR_NOMEM. */
sb_err sb_portrait_fade_outside(sb_fimage_t *alpha, const sb_image_t *outside, float sigma, sb_error_t *e);

/* Free everything a portrait holds. NULL-safe; safe twice. */
void sb_portrait_free(sb_portrait_t *p);

#endif
