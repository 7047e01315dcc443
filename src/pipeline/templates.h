/* templates.h - the built-in portrait templates: named prompt + seed pairs shipped read-only (a table in
 * templates.c). Keys add their own through the API (stored per key); these are the same for everyone.
 * Pure data; thread-safe. */
#ifndef SB_PIPELINE_TEMPLATES_H
#define SB_PIPELINE_TEMPLATES_H

#include <stdint.h>

typedef struct {
    const char *name;        /* lower case, [a-z0-9-] */
    const char *prompt;      /* in the vocabulary of render/style.h: no ignored words */
    int64_t seed;            /* 1..SB_GENERATE_SEED_MAX */
    const char *description;
} sb_template_t;

/* The built-in template called `name`, or NULL. */
const sb_template_t *sb_template_builtin(const char *name);

/* Every built-in template, *n of them, in a fixed order. */
const sb_template_t *sb_template_builtins(int *n);

#endif
