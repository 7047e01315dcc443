/* strategy.c - the cut-out strategies of the people pipelines, tried until one passes its check. */
#include "pipeline/strategy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The limits of each strategy at the headshot's framing: the fitted headshot framing, a close-up, a
 * closer one still for photos cropped tight around the person, framed wholly on the photo so that every
 * cut of the photo falls on the frame's edge (the bust ends at the frame's bottom, the hair at its top).
 * A pipeline whose framing sets the face smaller or larger scales face_frac_max with it. */
static const sb_fit_limits_t FIT_TIGHT = {.face_frac_max = 0.90f, .shift_x = 0.15f, .shift_up = 0.15f,
                                          .shift_down = 0.15f, .head = 1, .whole = 1};
static const float FADE[SB_HEADSHOT_STRATEGIES] = {0, 0.03f, 0.05f};
/* No framing grows the face past this share of the width. */
#define FACE_FRAC_CAP 0.90f

static sb_cutout_strategy_t strategy(int k, const sb_framing_t *framing, float cap)
{
    const sb_fit_limits_t *base[SB_HEADSHOT_STRATEGIES] = {&SB_FIT_HEADSHOT, &SB_FIT_CLOSEUP, &FIT_TIGHT};
    sb_cutout_strategy_t s = {.fit = *base[k], .fade = FADE[k], .index = k};
    float scale = framing->face_frac / SB_FRAMING_HEADSHOT.face_frac;
    s.fit.face_frac_max = fminf(cap > 0 ? cap : FACE_FRAC_CAP, fmaxf(framing->face_frac, s.fit.face_frac_max * scale));
    return s;
}

/* Why a check failed, as bits of FAULTS (several at once); 0 when it passed. Each names what its measure
 * saw, not more: the face count is the detector's reading of the output (an ear read as a second face on
 * faces/prnet_3), and `disagree` cannot tell which net is wrong (the salient net missing the person on
 * faces/fa_aflw-test reads as high as a window frame kept on inspireface_pose_roll_left), so neither
 * claims what was kept. */
static const char *const FAULTS[] = {
    "no face is found on the output", "a second face is found on the output",
    "another person is left beside the subject",
    "the photo's edge shows", "the old background shows round the person", "the cut-out has holes",
    "the matte kept background or was unsure", "the old background shows inside the hair",
    "something is left away from the subject",
    "the old background's glare is kept beside the person",
    "the matte's two nets disagree on what is the person",
    "the edge solve made a patch of the old background opaque",
};
static unsigned faults_of(const sb_cutout_check_t *c)
{
    if (c->pass)
        return 0;
    unsigned f = (c->output_face_count == 0) << 0 | (c->output_face_count > 1) << 1 |
                 (c->other_person_left && c->output_face_count == 1) << 2 | c->photo_edge_visible << 3 |
                 (c->halo > SB_CUTOUT_HALO_MAX) << 4 | (c->holes > SB_CUTOUT_HOLES_MAX) << 5 |
                 (c->wall > SB_CUTOUT_WALL_MAX) << 7 | (c->ghost > SB_CUTOUT_GHOST_MAX) << 8 |
                 (c->glare > SB_CUTOUT_GLARE_MAX) << 9 | (c->disagree > SB_CUTOUT_DISAGREE_MAX) << 10 |
                 (c->raised > SB_CUTOUT_RAISED_MAX) << 11;
    return f ? f : 1u << 6;
}

/* The faults `f` (bits of FAULTS) as "a; b", into buf (cap bytes): whole faults only, and "; and more"
 * when the next would not fit with room for that ending. */
static const char *faults_text(unsigned f, char *buf, size_t cap)
{
    static const char more[] = "; and more";
    size_t len = 0;
    buf[0] = 0;
    for (size_t k = 0; k < sizeof FAULTS / sizeof *FAULTS; k++) {
        if (!(f & (1u << k)))
            continue;
        size_t need = (len ? 2 : 0) + strlen(FAULTS[k]);
        if (len + need + sizeof more > cap) {
            snprintf(buf + len, cap - len, "%s", more);
            break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? "; " : "", FAULTS[k]);
    }
    return buf;
}

/* Whether the photo's edge cuts through the subject's face: its box, inset by FACE_INSET on each side,
 * reaches past the photo (working coordinates). No framing makes a whole face of it. */
#define FACE_INSET 0.10f
static bool face_cut(const sb_portrait_t *p, int subject)
{
    const sb_face_t *f = &p->faces.faces[subject];
    return f->x + FACE_INSET * f->w < 0 || f->y + FACE_INSET * f->h < 0 ||
           f->x + (1 - FACE_INSET) * f->w > p->src_width || f->y + (1 - FACE_INSET) * f->h > p->src_height;
}

sb_err sb_portrait_checked(sb_studio_t *studio, sb_portrait_t *p, const sb_framing_t *framing, float cap,
                           sb_cutout_attempt_fn attempt, void *ctx, sb_cutout_check_t *check,
                           sb_detect_result_t *d, sb_error_t *e)
{
    *check = (sb_cutout_check_t){0};
    if (face_cut(p, d->subject))
        return sb_error_set(e, SB_ERR_CUTOUT_FAILED, "image", "the photo's edge cuts through the face");
    int order[SB_HEADSHOT_STRATEGIES + 1], n = 0, made = 0;
    sb_cutout_strategy_t st[SB_HEADSHOT_STRATEGIES + 1];
    for (int k = 0; k < SB_HEADSHOT_STRATEGIES; k++)
        st[k] = strategy(k, framing, cap);
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < SB_HEADSHOT_STRATEGIES; k++)
            if (sb_portrait_fits(p, d->subject, framing, &st[k].fit) == !pass)
                order[n++] = k;
    /* When the cap held the tightest strategy back, its uncapped close-up is the last resort before a
     * refusal: a photo too tight for the framing asked for still makes a clean close-up. */
    st[SB_HEADSHOT_STRATEGIES] = strategy(SB_HEADSHOT_STRATEGIES - 1, framing, 0);
    if (st[SB_HEADSHOT_STRATEGIES].fit.face_frac_max > st[SB_HEADSHOT_STRATEGIES - 1].fit.face_frac_max)
        order[n++] = SB_HEADSHOT_STRATEGIES;
    sb_err err = SB_OK;
    unsigned faults = 0; /* every attempt's, so the refusal names them all, not only the last one's */
    for (int i = 0; i < n && !err && !check->pass; i++) {
        const sb_cutout_strategy_t *s = &st[order[i]];
        if ((err = sb_portrait_place(studio, p, framing, &s->fit, d, e)))
            break;
        /* The selfie matte first (fast); the matte of both nets when a fitted framing failed with it. */
        for (int salient = made > 0; salient < 2 && !err && !check->pass; salient++) {
            err = sb_portrait_cutout(studio, p, salient, d, e);
            if (!err && s->fade > 0)
                err = sb_portrait_fade_outside(&p->alpha, &p->outside, s->fade * p->size, e);
            if (!err)
                err = attempt(ctx, studio, p, s, check, e);
            if (!err)
                faults |= faults_of(check);
            check->attempts = ++made;
            if (!p->fitted)
                break;
        }
    }
    if (!err && !check->pass) {
        /* The message holds 255 characters: the sentence around the faults takes about 50 of them. */
        char text[200];
        err = sb_error_set(e, SB_ERR_CUTOUT_FAILED, "image", "no cut-out passed its check after %d attempts (%s)", made,
                           faults_text(faults, text, sizeof text));
    }
    return err;
}
