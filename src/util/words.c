/* words.c - splitting a prompt into lower-case words and matching the longest known phrase first. */
#include "util/words.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static int word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '#' || c == '_' || c >= 0x80;
}

void sb_words_free(char **words, int n)
{
    for (int i = 0; words && i < n; i++)
        free(words[i]);
    free(words);
}

/* Append a copy of `w` to *list unless it is there already. 0 when out of memory. */
static int add_unique(char ***list, int *n, const char *w)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*list)[i], w) == 0)
            return 1;
    char **grown = realloc(*list, sizeof **list * (size_t)(*n + 1));
    if (!grown)
        return 0;
    *list = grown;
    if (!(grown[*n] = strdup(w)))
        return 0;
    (*n)++;
    return 1;
}

sb_err sb_words_read(const char *text, const sb_words_vocab_t *v, char ***ignored, int *n_ignored, int *n_words,
                     sb_error_t *e)
{
    if (ignored)
        *ignored = NULL, *n_ignored = 0;
    if (n_words)
        *n_words = 0;
    if (!text)
        text = "";
    size_t len = strlen(text);
    if (!g_utf8_validate(text, (gssize)len, NULL))
        return sb_error_set(e, SB_ERR_USAGE, v->field, "%s is not valid UTF-8", v->field);
    glong chars = g_utf8_strlen(text, (gssize)len);
    if (chars > v->max_chars)
        return sb_error_set(e, SB_ERR_USAGE, v->field, "%s is %ld characters; at most %d", v->field, chars,
                            v->max_chars);

    /* buf: the text lower-cased with every separator a '\0'; tok: where each word starts. A phrase is
     * never longer than the stretch of text it came from, so len + 1 bytes hold any of them. */
    char *buf = malloc(len + 1), *phrase = malloc(len + 1), **tok = malloc(sizeof *tok * (len / 2 + 1));
    char **list = NULL;
    int n = 0, n_list = 0;
    if (!buf || !phrase || !tok)
        goto nomem;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        buf[i] = word_char(c) ? (char)c : '\0';
        if (buf[i] && (i == 0 || !buf[i - 1]))
            tok[n++] = buf + i;
    }
    buf[len] = '\0';

    for (int i = 0; i < n;) {
        int k = v->max_phrase < n - i ? v->max_phrase : n - i;
        for (; k > 0; k--) {
            size_t at = 0;
            for (int j = 0; j < k; j++) {
                size_t wl = strlen(tok[i + j]);
                if (j)
                    phrase[at++] = ' ';
                memcpy(phrase + at, tok[i + j], wl);
                at += wl;
            }
            phrase[at] = '\0';
            if (v->match(phrase, v->ctx))
                break;
        }
        if (k == 0 && ignored && !add_unique(&list, &n_list, tok[i]))
            goto nomem;
        i += k ? k : 1;
    }
    if (n_words)
        *n_words = n;
    if (ignored)
        *ignored = list, *n_ignored = n_list;
    free(buf);
    free(phrase);
    free(tok);
    return SB_OK;

nomem:
    sb_words_free(list, n_list);
    free(buf);
    free(phrase);
    free(tok);
    return sb_error_set(e, SB_ERR_NOMEM, v->field, "out of memory reading %s", v->field);
}
