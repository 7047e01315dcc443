/* sheet - one contact sheet from pairs of images, for looking at outputs (scripts/sheets.sh, make sheets).
 *
 * usage: sheet OUT.png [TILE] < LIST
 * LIST has one line per tile: INPUT<TAB>OUTPUT<TAB>CAPTION. Each tile is INPUT and OUTPUT fitted into
 * TILE x TILE boxes (default 280) on mid grey, side by side, with CAPTION under them; a missing or
 * unreadable OUTPUT (a refusal) is a black box. Tiles are laid out 4 across. Exit 1 on a bad list or when
 * OUT cannot be written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define ACROSS 4
#define MAX_TILES 512
#define CAPTION_H 40

static VipsImage *grey_box(int tile)
{
    VipsImage *black = NULL, *box = NULL;
    if (vips_black(&black, tile, tile, "bands", 3, NULL))
        return NULL;
    if (vips_linear1(black, &box, 1.0, 128.0, "uchar", TRUE, NULL))
        box = NULL;
    g_object_unref(black);
    return box;
}

/* `path` scaled down into tile x tile, flattened on grey, sRGB 3 bands, centred on a grey box; a black box
 * when `path` is empty or unreadable. */
static VipsImage *fit(const char *path, int tile)
{
    VipsImage *t = NULL, *u = NULL, *out = NULL;
    if (!*path || vips_thumbnail(path, &t, tile, "height", tile, "size", VIPS_SIZE_DOWN, NULL)) {
        vips_error_clear();
        VipsImage *black = NULL;
        vips_black(&black, tile, tile, "bands", 3, NULL);
        return black;
    }
    if (vips_image_hasalpha(t)) {
        double grey[] = {128, 128, 128};
        if (!vips_flatten(t, &u, "background", vips_array_double_new(grey, 3), NULL))
            g_object_unref(t), t = u;
    }
    if (t->Bands < 3 && !vips_colourspace(t, &u, VIPS_INTERPRETATION_sRGB, NULL))
        g_object_unref(t), t = u;
    if (!vips_cast_uchar(t, &u, NULL))
        g_object_unref(t), t = u;
    VipsImage *box = grey_box(tile);
    if (box) {
        if (vips_insert(box, t, &out, (tile - t->Xsize) / 2, (tile - t->Ysize) / 2, NULL))
            out = NULL;
        g_object_unref(box);
    }
    g_object_unref(t);
    return out;
}

static VipsImage *caption(const char *text, int width)
{
    VipsImage *t = NULL, *pad = NULL, *inv = NULL, *rgb = NULL;
    char *escaped = g_markup_escape_text(text, -1);
    if (vips_text(&t, escaped, "width", width - 4, "dpi", 60, "font", "sans 9", NULL)) {
        g_free(escaped);
        return NULL;
    }
    g_free(escaped);
    if (!vips_embed(t, &pad, 2, 2, width, CAPTION_H, NULL) && !vips_invert(pad, &inv, NULL)) {
        VipsImage *bands[3] = {inv, inv, inv};
        VipsImage *joined = NULL;
        if (!vips_bandjoin(bands, &joined, 3, NULL))
            vips_cast_uchar(joined, &rgb, NULL), g_object_unref(joined);
    }
    if (pad)
        g_object_unref(pad);
    if (inv)
        g_object_unref(inv);
    g_object_unref(t);
    return rgb;
}

int main(int argc, char **argv)
{
    if (VIPS_INIT(argv[0]) || argc < 2) {
        fprintf(stderr, "usage: sheet OUT.png [TILE] < LIST (INPUT<TAB>OUTPUT<TAB>CAPTION per line)\n");
        return 1;
    }
    int tile = argc > 2 ? atoi(argv[2]) : 280;
    if (tile < 32 || tile > 2000) {
        fprintf(stderr, "sheet: TILE must be 32..2000\n");
        return 1;
    }
    VipsImage *tiles[MAX_TILES];
    int n = 0;
    char line[8192];
    while (n < MAX_TILES && fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *in = line, *out = strchr(in, '\t'), *text = out ? strchr(out + 1, '\t') : NULL;
        if (!out || !text) {
            fprintf(stderr, "sheet: line %d is not INPUT<TAB>OUTPUT<TAB>CAPTION\n", n + 1);
            return 1;
        }
        *out++ = 0, *text++ = 0;
        VipsImage *a = fit(in, tile), *b = fit(out, tile), *pair = NULL, *cap = caption(text, 2 * tile + 4);
        if (!a || !b || !cap || vips_join(a, b, &pair, VIPS_DIRECTION_HORIZONTAL, "shim", 4, "background",
                                          vips_array_double_newv(1, 255.0), NULL) ||
            vips_join(pair, cap, &tiles[n], VIPS_DIRECTION_VERTICAL, "background", vips_array_double_newv(1, 255.0),
                      NULL)) {
            fprintf(stderr, "sheet: %s: %s\n", in, vips_error_buffer());
            return 1;
        }
        g_object_unref(a), g_object_unref(b), g_object_unref(pair), g_object_unref(cap);
        n++;
    }
    if (!n) {
        fprintf(stderr, "sheet: no tiles\n");
        return 1;
    }
    VipsImage *sheet = NULL;
    if (vips_arrayjoin(tiles, &sheet, n, "across", ACROSS, "shim", 6, "background", vips_array_double_newv(1, 255.0),
                       NULL) ||
        vips_image_write_to_file(sheet, argv[1], NULL)) {
        fprintf(stderr, "sheet: %s: %s\n", argv[1], vips_error_buffer());
        return 1;
    }
    g_object_unref(sheet);
    for (int i = 0; i < n; i++)
        g_object_unref(tiles[i]);
    vips_shutdown();
    return 0;
}
