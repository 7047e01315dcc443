/* subject.c - splitting a person matte between the faces found: multi-source Dijkstra on a coarse grid. */
#include "vision/subject.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "vision/face_neighbours.h"
#include "vision/guided.h"

/* The grid's longer side is at most this many cells. */
#define GRID_MAX 256
/* Weight of the colour difference (RGB distance, 0..1 channels) in a step's cost: a step across a clear
 * edge (difference 0.3) costs as much as ~4 steps inside a flat region. */
#define EDGE_COST 10.0f
/* A face's seed: the middle of its box, this fraction of its width and height (skin, not hair or background). */
#define SEED_FRAC 0.5f

/* Faces under this fraction of the subject's height do not compete for the matte: in a crowd, a small
 * face in the background beside the subject's hair (or out of the crop next to it) took the hair. */
#define MIN_OTHER 0.5f
/* How far outside the crop (in face heights) a face may be and still seed the crop's edge. */
#define NEAR_EDGE 1.0f
/* A face's neck and chest seed: this many face widths to either side of its centre, down this many face
 * heights from its chin. */
#define BODY_HALF 0.25f
#define BODY_DEPTH 1.2f
/* Another face's column keeps out of the subject's face box grown by HEAD_MARGIN of it on the sides and top
 * (hair, ears) and CHIN_MARGIN below, and out of the subject's own column (BODY_HALF to either side, from
 * its chin down). Until 2026-12-07 the keep-out ran the grown box's whole width down to the column's
 * depth: a neighbour's shoulder beside the subject's neck was then the subject's to take (groups/
 * dlib_2008_002079's white top, deepface_selfie_many's dark jacket). */
#define HEAD_MARGIN 0.35f
#define CHIN_MARGIN 0.05f
/* Another face's neck and chest column is this many of its face widths to either side of its centre (its
 * own body; the subject's is BODY_HALF). */
#define OTHER_HALF 0.60f

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The guided filter's window for a w x h matte: ~1% of the short side, as the matte's own. */
static int radius(int w, int h)
{
    int short_side = w < h ? w : h;
    return short_side / 100 < 2 ? 2 : short_side / 100;
}

typedef struct {
    float d;
    int i;
} node_t;

typedef struct {
    node_t *v;
    size_t n;
} heap_t;

/* Ties broken by cell index, so the order (and the result) never depends on anything but the input. */
static int before(node_t a, node_t b)
{
    return a.d < b.d || (a.d == b.d && a.i < b.i);
}

static void heap_push(heap_t *h, node_t x)
{
    size_t k = h->n++;
    while (k && before(x, h->v[(k - 1) / 2])) {
        h->v[k] = h->v[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h->v[k] = x;
}

static node_t heap_pop(heap_t *h)
{
    node_t top = h->v[0], x = h->v[--h->n];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
            c++;
        if (!before(h->v[c], x))
            break;
        h->v[k] = h->v[c];
        k = c;
    }
    h->v[k] = x;
    return top;
}

typedef struct {
    int gw, gh, s;
    float *cell;  /* gw*gh*4: mean rgb and alpha per cell */
    int *owner;   /* gw*gh: face index + 1 owning a matte cell, 0 for none */
    float *dist;  /* gw*gh */
    node_t *heap; /* 8 pushes a cell at most */
} grid_t;

static int inside(const int *r, int x, int y)
{
    return x >= r[0] && x <= r[1] && y >= r[2] && y <= r[3];
}

/* Seed the matte cells of grid rectangle [x0, x1] x [y0, y1] (clamped to the grid) not owned yet with face
 * k, but those in `keep_out` (two rectangles of grid cells, x0, x1, y0, y1 each; NULL for none). */
static int seed_rect(grid_t *g, heap_t *h, int k, int x0, int x1, int y0, int y1, const int *keep_out)
{
    int got = 0;
    x0 = clampi(x0, 0, g->gw - 1), x1 = clampi(x1, 0, g->gw - 1);
    y0 = clampi(y0, 0, g->gh - 1), y1 = clampi(y1, 0, g->gh - 1);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            int i = y * g->gw + x;
            if (g->cell[i * 4 + 3] < 0.5f || g->owner[i] ||
                (keep_out && (inside(keep_out, x, y) || inside(keep_out + 4, x, y))))
                continue;
            g->owner[i] = k + 1;
            g->dist[i] = 0;
            heap_push(h, (node_t){0, i});
            got = 1;
        }
    return got;
}

/* Whether face k competes for the matte: the subject, and other faces at least MIN_OTHER of its height
 * within NEAR_EDGE face heights of the crop. A face below the crop reaches into it only with its hair (its
 * body hangs further down): it competes only when its box's top is within HEAD_MARGIN of its height of
 * the crop's bottom. Further down, its seed on the crop's bottom edge took what the subject holds there:
 * on groups/dlib_2009_004587 his hand, raised over the short woman's head below the crop, went to her,
 * and his arm ended in a hard cut. */
static int competes_in(int w, int h, const sb_face_t *faces, int k, int subject)
{
    const sb_face_t *f = &faces[k];
    if (k != subject && f->h < MIN_OTHER * faces[subject].h)
        return 0;
    float reach = NEAR_EDGE * f->h, below = k == subject ? reach : HEAD_MARGIN * f->h;
    return f->x + f->w >= -reach && f->y + f->h >= -reach && f->x < w + reach && f->y < h + below;
}

static int competes(const grid_t *g, const sb_face_t *faces, int k, int subject)
{
    return competes_in(g->gw * g->s, g->gh * g->s, faces, k, subject);
}

/* Seed every matte cell under the centre box of each face with that face (the first face listed wins a
 * cell two boxes share); a face just outside the crop seeds the crop's edge next to it (its body comes in
 * there). Then each face's neck and chest: a column BODY_HALF face widths (OTHER_HALF for the other faces)
 * to either side of the face's centre, from its chin down BODY_DEPTH face heights (the subject's first),
 * so a neighbour's body is claimed from its own column rather than reached first from the subject's
 * shoulder. Returns whether the subject got a cell. */
static int seed(grid_t *g, heap_t *h, const sb_face_t *faces, int n_faces, int subject, int generous)
{
    int found = 0;
    for (int k = 0; k < n_faces; k++) {
        if (!competes(g, faces, k, subject))
            continue;
        const sb_face_t *f = &faces[k];
        float cx = f->x + f->w * 0.5f, cy = f->y + f->h * 0.5f, hw = f->w * SEED_FRAC * 0.5f, hh = f->h * SEED_FRAC * 0.5f;
        int got = seed_rect(g, h, k, (int)floorf((cx - hw) / g->s), (int)floorf((cx + hw) / g->s),
                            (int)floorf((cy - hh) / g->s), (int)floorf((cy + hh) / g->s), NULL);
        found |= got && k == subject;
    }
    if (!found)
        return 0;
    /* No other face's column reaches into the subject's head (with its hair and ears) or its own column;
     * generous: nor anywhere under the grown head down to the column's depth. */
    const sb_face_t *sf = &faces[subject];
    float scx = sf->x + sf->w * 0.5f;
    const int head[8] = {(int)floorf((sf->x - HEAD_MARGIN * sf->w) / g->s),
                         (int)floorf((sf->x + (1 + HEAD_MARGIN) * sf->w) / g->s),
                         (int)floorf((sf->y - HEAD_MARGIN * sf->h) / g->s),
                         (int)floorf((sf->y + (1 + (generous ? BODY_DEPTH : CHIN_MARGIN)) * sf->h) / g->s),
                         (int)floorf((scx - BODY_HALF * sf->w) / g->s), (int)floorf((scx + BODY_HALF * sf->w) / g->s),
                         (int)floorf((sf->y + sf->h) / g->s), g->gh};
    for (int j = -1; j < n_faces; j++) {
        int k = j < 0 ? subject : j;
        if ((j >= 0 && k == subject) || !competes(g, faces, k, subject))
            continue;
        const sb_face_t *f = &faces[k];
        float cx = f->x + f->w * 0.5f, bottom = f->y + f->h;
        float half = (k == subject || generous ? BODY_HALF : OTHER_HALF) * f->w;
        /* Cheek to cheek (the two boxes overlap), the subject has no ear nor hair on that side for the
         * margin to keep: the other's column stops at the subject's box, so that it holds its own neck. */
        int out[8];
        memcpy(out, head, sizeof out);
        if (k != subject && f->y < sf->y + sf->h && f->y + f->h > sf->y && f->x < sf->x + sf->w && f->x + f->w > sf->x) {
            if (cx < scx)
                out[0] = (int)floorf(sf->x / g->s);
            else
                out[1] = (int)floorf((sf->x + sf->w) / g->s);
        }
        seed_rect(g, h, k, (int)floorf((cx - half) / g->s), (int)floorf((cx + half) / g->s),
                  (int)floorf(bottom / g->s), (int)floorf((bottom + BODY_DEPTH * f->h) / g->s), k == subject ? NULL : out);
    }
    return 1;
}

/* The RGB distance between two cells' mean colours (0..1 channels). */
static float colour_diff(const float *a, const float *b)
{
    float dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
    return sqrtf(dr * dr + dg * dg + db * db);
}

/* Grow the seeds of a single face (every cell in the heap its own): the matte cells 8-connected to them
 * become its, breadth first with the heap's array as the queue, as the costs of grow's paths would then
 * change no owner. */
static void fill(grid_t *g, heap_t *h)
{
    size_t head = 0, tail = h->n;
    while (head < tail) {
        int i = h->v[head++].i, x = i % g->gw, y = i / g->gw;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int qx = x + dx, qy = y + dy;
                if (qx < 0 || qy < 0 || qx >= g->gw || qy >= g->gh)
                    continue;
                int q = qy * g->gw + qx;
                if (g->owner[q] || g->cell[(size_t)q * 4 + 3] < 0.5f)
                    continue;
                g->owner[q] = g->owner[i];
                h->v[tail++] = (node_t){0, q};
            }
    }
    h->n = 0;
}

/* Grow the seeds through the matte cells (alpha >= 0.5), each cell going to the cheapest path's face. */
static void grow(grid_t *g, heap_t *h)
{
    int one = 1;
    for (size_t k = 1; k < h->n && one; k++)
        one = g->owner[h->v[k].i] == g->owner[h->v[0].i];
    if (one) {
        fill(g, h);
        return;
    }
    while (h->n) {
        node_t c = heap_pop(h);
        if (c.d > g->dist[c.i])
            continue;
        int x = c.i % g->gw, y = c.i / g->gw;
        const float *a = g->cell + (size_t)c.i * 4;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int qx = x + dx, qy = y + dy;
                if ((!dx && !dy) || qx < 0 || qy < 0 || qx >= g->gw || qy >= g->gh)
                    continue;
                int q = qy * g->gw + qx;
                const float *b = g->cell + (size_t)q * 4;
                if (b[3] < 0.5f)
                    continue;
                float step = (dx && dy ? 1.41421356f : 1.0f) * (1.0f + EDGE_COST * colour_diff(a, b));
                if (c.d + step < g->dist[q]) {
                    g->dist[q] = c.d + step;
                    g->owner[q] = g->owner[c.i];
                    heap_push(h, (node_t){g->dist[q], q});
                }
            }
    }
}

/* keep[i] = 1 for the cells the subject owns and the non-matte cells whose nearest matte cell (breadth
 * first, 8-connected, ties to the earlier cell) it owns; 0 elsewhere. Every cell is a matte cell or
 * reached, as the subject owns at least one. */
static sb_err keep_map(const grid_t *g, int subject, float *keep, sb_error_t *e)
{
    size_t n = (size_t)g->gw * g->gh, head = 0, tail = 0;
    int *queue = malloc(n * sizeof *queue), *from = malloc(n * sizeof *from);
    if (!queue || !from) {
        free(queue);
        free(from);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the subject's matte");
    }
    for (size_t i = 0; i < n; i++) {
        from[i] = g->cell[i * 4 + 3] >= 0.5f ? g->owner[i] : -1;
        if (from[i] >= 0)
            queue[tail++] = (int)i;
    }
    while (head < tail) {
        int i = queue[head++], x = i % g->gw, y = i / g->gw;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int qx = x + dx, qy = y + dy;
                if (qx < 0 || qy < 0 || qx >= g->gw || qy >= g->gh || from[qy * g->gw + qx] >= 0)
                    continue;
                from[qy * g->gw + qx] = from[i];
                queue[tail++] = qy * g->gw + qx;
            }
    }
    for (size_t i = 0; i < n; i++)
        keep[i] = from[i] == subject + 1;
    free(queue);
    free(from);
    return SB_OK;
}

/* A region of the subject's body (from its mouth down, one colour: neighbouring cells under LONE_STEP
 * apart) that meets another face's part with no colour step, along at least LONE_MEET of the subject's
 * face widths, and whose colour the subject's own matte across the vertical line through its face's
 * middle lacks (the mirror image of at least LONE_SEEN of the region lies on the subject's matte, and for
 * under LONE_MATCHED of those cells is a subject cell within LONE_MATCH of the region cell's colour at or
 * next to the mirrored place) is the other person's: a neighbour's black lapel beside a bare neck
 * (groups/deepface_couple), which the split reaches first from the subject's neck. A person's own clothes and skin recur on both sides of the body; a neighbour's suit
 * that meets the subject's suit matches it and stays (groups/fr_obama_and_biden). The region goes with
 * the ring of the subject's cells round it. */
#define LONE_STEP 0.05f
#define LONE_MATCH 0.10f
#define LONE_SEEN 0.30f
#define LONE_MATCHED 0.20f
/* Only from the mouth down (this share of the face box's height), and where the two meet along at least
 * this many of the subject's face widths. */
#define LONE_ROWS 0.80f
#define LONE_MEET 0.25f

/* Give each lone region of the subject's body (above) to the face it meets most. */
static sb_err lone_regions(grid_t *g, const sb_face_t *faces, int n_faces, int subject, sb_error_t *e)
{
    const sb_face_t *f = &faces[subject];
    size_t n = (size_t)g->gw * g->gh, others = 0;
    for (size_t i = 0; i < n && !others; i++)
        others = g->owner[i] > 0 && g->owner[i] != subject + 1;
    if (!others)
        return SB_OK;
    int top_row = clampi((int)ceilf((f->y + LONE_ROWS * f->h) / g->s), 0, g->gh);
    float axis = (f->x + f->w * 0.5f) / g->s - 0.5f;
    uint8_t *seen = calloc(n, 1);
    int *list = malloc(n * sizeof *list), *meets = calloc((size_t)n_faces + 1, sizeof *meets);
    if (!seen || !list || !meets) {
        free(seen), free(list), free(meets);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the subject's matte");
    }
    for (size_t s0 = (size_t)top_row * g->gw; s0 < n; s0++) {
        if (seen[s0] || g->owner[s0] != subject + 1 || g->cell[s0 * 4 + 3] < 0.5f)
            continue;
        size_t len = 0, head = 0;
        memset(meets, 0, ((size_t)n_faces + 1) * sizeof *meets);
        list[len++] = (int)s0, seen[s0] = 1;
        while (head < len) {
            int i = list[head++], x = i % g->gw, y = i / g->gw;
            const float *a = g->cell + (size_t)i * 4;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int qx = x + dx, qy = y + dy;
                    if (qx < 0 || qy < top_row || qx >= g->gw || qy >= g->gh)
                        continue;
                    int q = qy * g->gw + qx;
                    const float *b = g->cell + (size_t)q * 4;
                    if (b[3] < 0.5f || colour_diff(a, b) >= LONE_STEP)
                        continue;
                    if (g->owner[q] > 0 && g->owner[q] != subject + 1)
                        meets[g->owner[q]]++;
                    else if (g->owner[q] == subject + 1 && !seen[q])
                        seen[q] = 1, list[len++] = q;
                }
        }
        int top = 0;
        for (int k = 1; k <= n_faces; k++)
            if (meets[k] > meets[top])
                top = k;
        if (!top || meets[top] < LONE_MEET * f->w / g->s)
            continue;
        size_t mirrored = 0, matched = 0;
        for (size_t j = 0; j < len; j++) {
            int x = list[j] % g->gw, y = list[j] / g->gw, mx = (int)lrintf(2 * axis - x);
            if (mx < 0 || mx >= g->gw)
                continue;
            int m = y * g->gw + mx;
            if (g->owner[m] != subject + 1 || g->cell[(size_t)m * 4 + 3] < 0.5f)
                continue;
            mirrored++;
            int hit = 0;
            for (int dy = -1; dy <= 1 && !hit; dy++)
                for (int dx = -1; dx <= 1 && !hit; dx++) {
                    int qx = mx + dx, qy = y + dy;
                    if (qx < 0 || qy < 0 || qx >= g->gw || qy >= g->gh)
                        continue;
                    int q = qy * g->gw + qx;
                    hit = g->owner[q] == subject + 1 && g->cell[(size_t)q * 4 + 3] >= 0.5f &&
                          colour_diff(g->cell + (size_t)q * 4, g->cell + (size_t)list[j] * 4) < LONE_MATCH;
                }
            matched += hit;
        }
        if (mirrored < LONE_SEEN * (float)len || matched >= LONE_MATCHED * (float)mirrored)
            continue;
        for (size_t j = 0; j < len; j++)
            g->owner[list[j]] = top;
        /* With the ring of the subject's cells round it (from the mouth down): the region's lit or shaded
         * border, a colour step from it, was left as a faint scribble on the couple's editorial avatar. The
         * guided filter moves the cut back onto the photo's edge where that is the subject's skin. */
        for (size_t j = 0; j < len; j++) {
            int x = list[j] % g->gw, y = list[j] / g->gw;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int qx = x + dx, qy = y + dy;
                    if (qx < 0 || qy < top_row || qx >= g->gw || qy >= g->gh)
                        continue;
                    int q = qy * g->gw + qx;
                    if (g->owner[q] == subject + 1)
                        g->owner[q] = -top;
                }
        }
        for (size_t i = 0; i < n; i++)
            if (g->owner[i] == -top)
                g->owner[i] = top, seen[i] = 1;
    }
    free(seen), free(list), free(meets);
    return SB_OK;
}

/* sb_matte_keep_subject, the split's seeds `generous` or firm (subject.h). */
static sb_err keep_subject(sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces, int subject,
                           int generous, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    if (alpha->bands != 1 || rgb->bands != 3 || rgb->width != w || rgb->height != h || subject < 0 ||
        subject >= n_faces)
        return sb_error_set(e, SB_ERR_USAGE, "", "the subject's matte needs a matte and a photo of one size");
    grid_t g = {.s = ((w > h ? w : h) + GRID_MAX - 1) / GRID_MAX};
    g.gw = (w + g.s - 1) / g.s, g.gh = (h + g.s - 1) / g.s;
    size_t n = (size_t)g.gw * g.gh;
    heap_t heap = {0};
    float *keep = NULL;
    sb_fimage_t full = {0};
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    g.cell = malloc(n * 4 * sizeof *g.cell);
    g.owner = calloc(n, sizeof *g.owner);
    g.dist = malloc(n * sizeof *g.dist);
    heap.v = malloc(n * 8 * sizeof *heap.v + sizeof *heap.v);
    keep = malloc(n * sizeof *keep);
    if (!g.cell || !g.owner || !g.dist || !heap.v || !keep) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the subject's matte");
        goto done;
    }
    sb_pool_rgb_mask(rgb->data, alpha->data, w, h, g.s, g.cell);
    for (size_t i = 0; i < n; i++)
        g.dist[i] = INFINITY;
    if (!seed(&g, &heap, faces, n_faces, subject, generous))
        goto done;
    grow(&g, &heap);
    if (!generous)
        err = lone_regions(&g, faces, n_faces, subject, e);
    if (!err)
        err = keep_map(&g, subject, keep, e);
    /* The subject keeps every cell (one person, nothing apart): the matte stays as it is. */
    size_t kept = 0;
    for (size_t i = 0; !err && i < n; i++)
        kept += keep[i] == 1.0f;
    if (err || kept == n)
        goto done;
    err = sb_fimage_alloc(&full, w, h, 1, e);
    if (!err)
        err = sb_pooled_sampler_init(&ps, keep, g.gw, g.gh, 1, g.s, w, e);
    for (int y = 0; !err && y < h; y++)
        sb_pooled_sampler_row(&ps, y, full.data + (size_t)y * w);
    /* The keep map is a staircase of grid cells; the guided filter (the matte's own window) moves its
     * edges onto the photo's, so a cut between two people follows the line between them. The generous
     * split is only measured (alpha > 0.5, beside the face), where a cell's staircase does not matter. */
    if (!err && !generous)
        err = sb_guided_filter(rgb, &full, radius(w, h), 1e-3f, 4, e);
    for (size_t i = 0; !err && i < (size_t)w * h; i++)
        alpha->data[i] *= full.data[i];
done:
    sb_pooled_sampler_free(&ps);
    free(g.cell);
    free(g.owner);
    free(g.dist);
    free(heap.v);
    free(keep);
    sb_fimage_free(&full);
    return err;
}

sb_err sb_matte_keep_subject(sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces,
                             int subject, sb_error_t *e)
{
    return keep_subject(alpha, rgb, faces, n_faces, subject, 0, e);
}

int sb_matte_holds_other(const sb_fimage_t *alpha, sb_face_t *weak, const sb_face_t *faces, int n_faces)
{
    sb_face_t f = *weak;
    float cx = f.x + f.w * 0.5f, cy = f.y + f.h * 0.5f;
    if (alpha->bands != 1)
        return 0;
    /* Its middle on none of the faces found; its box cut back to the edge of any it reaches across. */
    for (int k = 0; k < n_faces; k++) {
        const sb_face_t *o = &faces[k];
        if (cy < o->y || cy > o->y + o->h || f.y + f.h <= o->y || f.y >= o->y + o->h)
            continue;
        if (cx >= o->x && cx <= o->x + o->w)
            return 0;
        if (cx > o->x + o->w && f.x < o->x + o->w)
            f.w -= o->x + o->w - f.x, f.x = o->x + o->w;
        else if (cx < o->x && f.x + f.w > o->x)
            f.w = o->x - f.x;
    }
    /* The matte covers the band of what is left across the middle of its height (SEED_FRAC of it), of
     * which at least a tenth is inside the frame (a profile that the photo's edge cuts, whose box mostly
     * lies past the subject's and the frame's edge: groups/imagenet_candle). */
    float hh = f.h * SEED_FRAC * 0.5f;
    cy = f.y + f.h * 0.5f;
    int x0 = clampi((int)f.x, 0, alpha->width), x1 = clampi((int)(f.x + f.w), 0, alpha->width);
    int y0 = clampi((int)(cy - hh), 0, alpha->height), y1 = clampi((int)(cy + hh), 0, alpha->height);
    double sum = 0;
    size_t n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++, n++)
            sum += alpha->data[(size_t)y * alpha->width + x];
    if (!n || (double)n < 0.1 * f.w * (2 * hh) || sum < 0.5 * (double)n)
        return 0;
    *weak = f;
    return 1;
}

sb_err sb_matte_other_share(const sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces,
                            int subject, float *share, sb_error_t *e)
{
    *share = 0;
    if (alpha->bands != 1 || subject < 0 || subject >= n_faces)
        return sb_error_set(e, SB_ERR_USAGE, "", "the other people's share needs a 1-band matte and a subject");
    /* The sides (bit 0 left, bit 1 right of the subject's centre) where another competing face is. */
    const sb_face_t *f = &faces[subject];
    int sides = 0;
    for (int k = 0; k < n_faces; k++)
        if (k != subject && competes_in(alpha->width, alpha->height, faces, k, subject))
            sides |= faces[k].x + faces[k].w * 0.5f < f->x + f->w * 0.5f ? 1 : 2;
    if (!sides)
        return SB_OK;
    sb_fimage_t split = {0};
    sb_err err = sb_fimage_alloc(&split, alpha->width, alpha->height, 1, e);
    if (err)
        return err;
    memcpy(split.data, alpha->data, (size_t)alpha->width * alpha->height * sizeof *split.data);
    err = keep_subject(&split, rgb, faces, n_faces, subject, 1, e);
    if (!err)
        err = sb_matte_beside_face(&split, f, sides, share, e);
    sb_fimage_free(&split);
    return err;
}
