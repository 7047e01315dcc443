/* words.h - short free-text prompts read as words against a vocabulary: lower-casing, splitting,
 * longest-phrase matching and the list of words nobody knew. The caller owns the vocabulary (a match
 * callback); this module owns the reading. Used by render/scene.c (background_prompt) and
 * render/style.c (the portrait prompt). Any thread; no global state.
 *
 * Words are runs of ASCII letters and digits, '#', '_' and any non-ASCII character (so "café" stays one
 * word); everything else separates, hyphens included ("close-up" reads as "close up"). Words are lower
 * case (ASCII only). A phrase is up to max_phrase consecutive words joined by one space. */
#ifndef SB_WORDS_H
#define SB_WORDS_H

#include "util/err.h"

/* Called with a lower-case phrase (one word, or words joined by single spaces): apply it and return
 * 1 when the vocabulary knows it, else 0. `ctx` is the caller's. */
typedef int (*sb_words_match_fn)(const char *phrase, void *ctx);

typedef struct {
    const char *field;       /* named in errors: "prompt", "background_prompt" */
    int max_chars;           /* longer text (in UTF-8 characters): SB_ERR_USAGE */
    int max_phrase;          /* the longest phrase tried, in words (>= 1) */
    sb_words_match_fn match;
    void *ctx;
} sb_words_vocab_t;

/* Read `text` (NULL reads as "") with vocabulary `v`: at each word the longest phrase the vocabulary
 * knows is applied (through v->match, in prompt order) and its words skipped; a word that starts no
 * known phrase is unknown. When `ignored` is not NULL, *ignored is a malloc'd array of *n_ignored
 * malloc'd unknown words in prompt order without duplicates (NULL and 0 when none; free with
 * sb_words_free). *n_words (may be NULL) is the number of words read. Errors: SB_ERR_USAGE with
 * v->field for text over v->max_chars characters or not UTF-8 (before any match is called);
 * SB_ERR_NOMEM. On failure nothing is left to free, but matches already applied stay applied. */
sb_err sb_words_read(const char *text, const sb_words_vocab_t *v, char ***ignored, int *n_ignored, int *n_words,
                     sb_error_t *e);

/* Free an array of n malloc'd strings (what sb_words_read returned in *ignored). NULL-safe. */
void sb_words_free(char **words, int n);

#endif
