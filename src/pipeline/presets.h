/* presets.h - the avatar generator's platforms as data: what a platform's users get when they choose
 * nothing (style, background, palette, size) and how strict its likeness check is. Adding a platform is
 * one row in presets.c. Read-only tables: any thread. */
#ifndef SB_PRESETS_H
#define SB_PRESETS_H

#include "util/err.h"

typedef enum { SB_STYLE_CORPORATE = 0, SB_STYLE_ANIME, SB_STYLE_EDITORIAL, SB_STYLE__COUNT } sb_avatar_style;

/* "corporate_headshot", "anime", "editorial". */
const char *sb_style_name(sb_avatar_style s);
/* The style called `name`; SB_ERR_USAGE (field "style", valid names listed) otherwise. */
sb_err sb_style_parse(const char *name, sb_avatar_style *out, sb_error_t *e);

/* Likeness thresholds of the three audiences (0..1 likeness, see vision/embed.h). */
#define SB_LIKENESS_PROFESSIONAL 0.85f
#define SB_LIKENESS_CONSUMER 0.75f
#define SB_LIKENESS_GAMING 0.60f

typedef struct {
    const char *name;        /* "linkedin" */
    sb_avatar_style style;   /* default style */
    const char *background;  /* default background name (render/background.h) */
    const char *palette;     /* default palette name (render/palette.h) */
    int size;                /* output side in pixels (square) */
    float likeness_min;      /* the QA threshold */
} sb_platform_t;

/* The platform called `name`, or SB_ERR_USAGE (field "platform", valid names listed). NULL name means
 * "generic". */
sb_err sb_platform_find(const char *name, const sb_platform_t **out, sb_error_t *e);

/* Every platform, NULL-terminated by a row whose name is NULL. */
const sb_platform_t *sb_platforms(void);

#endif
