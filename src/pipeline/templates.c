/* templates.c - the built-in portrait templates: prompts in the vocabulary of render/style.c (every word
 * known: tests/unit/test_style.c checks it) with fixed seeds. The table is docs/internals/render.md's. */
#include "pipeline/templates.h"

#include <string.h>

static const sb_template_t builtins[] = {
    {"corporate-headshot", "studio light, navy studio background, head and shoulders, sharp", 1207,
     "A clean corporate headshot: studio key light on navy seamless paper, crisp detail."},
    {"linkedin-profile", "soft light, light grey gradient background, head and shoulders, soft skin, natural",
     2024, "A friendly profile picture: soft light over a light grey gradient, gentle retouching."},
    {"anime-gamer", "anime, neon light, neon geometric background, vivid, close-up", 8088,
     "An anime avatar for gaming: neon side lights over neon geometric lines, vivid colour, tight framing."},
    {"editorial-noir", "black and white, split lighting, dark grey studio backdrop, grain, vignette, sharp", 1947,
     "An editorial black-and-white portrait: split light, dark grey paper, film grain and vignette."},
    {"warm-portfolio", "golden hour light, outdoor background, warm, half body, soft skin", 515,
     "A warm portfolio portrait: golden-hour light outdoors, warm grade, framed to the waist."},
    {"film-classic", "film, soft light, beige studio backdrop, muted, grain", 1972,
     "A classic film look: soft light on beige paper, muted colour and grain."},
    {"cinematic-bokeh", "teal and orange, rim light, bokeh background, close-up, vignette", 2049,
     "A cinematic close-up: rim light against bokeh, teal-and-orange grade, vignette."},
};

#define N_BUILTINS (int)(sizeof builtins / sizeof *builtins)

const sb_template_t *sb_template_builtin(const char *name)
{
    for (int i = 0; name && i < N_BUILTINS; i++)
        if (strcmp(name, builtins[i].name) == 0)
            return &builtins[i];
    return NULL;
}

const sb_template_t *sb_template_builtins(int *n)
{
    *n = N_BUILTINS;
    return builtins;
}
