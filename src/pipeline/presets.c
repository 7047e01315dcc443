/* presets.c - platforms and styles as tables. */
#include "pipeline/presets.h"

#include <stdio.h>
#include <string.h>

static const char *const style_names[SB_STYLE__COUNT] = {"corporate_headshot", "anime", "editorial"};

/* Professional networks get the corporate look and the strict threshold; consumer and creative
 * platforms the editorial one; gaming and chat platforms the anime one with the loose threshold. */
static const sb_platform_t platforms[] = {
    {"linkedin", SB_STYLE_CORPORATE, "studio_light", "neutral_grey", 800, SB_LIKENESS_PROFESSIONAL},
    {"teams", SB_STYLE_CORPORATE, "studio_light", "cool_blue", 800, SB_LIKENESS_PROFESSIONAL},
    {"slack", SB_STYLE_CORPORATE, "gradient", "warm_beige", 800, SB_LIKENESS_PROFESSIONAL},
    {"github", SB_STYLE_CORPORATE, "studio_dark", "charcoal", 800, SB_LIKENESS_CONSUMER},
    {"twitter", SB_STYLE_EDITORIAL, "bokeh", "sunset", 800, SB_LIKENESS_CONSUMER},
    {"behance", SB_STYLE_EDITORIAL, "original_blur", "warm_beige", 800, SB_LIKENESS_CONSUMER},
    {"discord", SB_STYLE_ANIME, "neon_geometric", "navy", 800, SB_LIKENESS_GAMING},
    {"twitch", SB_STYLE_ANIME, "neon_geometric", "pastel_pink", 800, SB_LIKENESS_GAMING},
    {"generic", SB_STYLE_CORPORATE, "studio_light", "neutral_grey", 800, SB_LIKENESS_CONSUMER},
    {NULL, 0, NULL, NULL, 0, 0},
};

const char *sb_style_name(sb_avatar_style s)
{
    return (s >= 0 && s < SB_STYLE__COUNT) ? style_names[s] : "unknown";
}

sb_err sb_style_parse(const char *name, sb_avatar_style *out, sb_error_t *e)
{
    for (int i = 0; name && i < SB_STYLE__COUNT; i++)
        if (!strcmp(name, style_names[i])) {
            *out = (sb_avatar_style)i;
            return SB_OK;
        }
    return sb_error_set(e, SB_ERR_USAGE, "style", "style must be corporate_headshot, anime or editorial, got '%.40s'",
                        name ? name : "");
}

sb_err sb_platform_find(const char *name, const sb_platform_t **out, sb_error_t *e)
{
    if (!name)
        name = "generic";
    char list[256] = "";
    for (const sb_platform_t *p = platforms; p->name; p++) {
        if (!strcmp(p->name, name)) {
            *out = p;
            return SB_OK;
        }
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", p->name);
    }
    return sb_error_set(e, SB_ERR_USAGE, "platform", "platform must be one of %s; got '%.40s'", list, name);
}

const sb_platform_t *sb_platforms(void)
{
    return platforms;
}
