/* fuzz_prompt.c - free-text prompts read as words: util/words.c (sb_words_read with a small vocabulary),
 * render/style.c (sb_style_from_prompt, the portrait prompt, and sb_style_to_json of what it resolves) and
 * render/scene.c (sb_scene_prompt_parse, the product's background_prompt).
 *
 * Input: byte 0 is the seed, the rest the prompt (cut at its first NUL, as a C string is). Checks: the
 * ignored words are lower case, unique, and number no more than the words read. */
#include "fuzz.h"
#include "render/scene.h"
#include "render/style.h"
#include "util/words.h"

static const char *const vocab[] = {"red", "soft light", "close up", "very soft light", "#", "café"};

static int match(const char *phrase, void *ctx)
{
    int *hits = ctx;
    for (size_t i = 0; i < sizeof vocab / sizeof vocab[0]; i++)
        if (!strcmp(phrase, vocab[i])) {
            (*hits)++;
            return 1;
        }
    return 0;
}

static void check_ignored(char **ignored, int n)
{
    FUZZ_CHECK(n >= 0 && (n == 0) == (ignored == NULL));
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(ignored[i][0]);
        for (const char *p = ignored[i]; *p; p++)
            FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z') && *p != ' ');
        for (int j = 0; j < i; j++)
            FUZZ_CHECK(strcmp(ignored[i], ignored[j]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *text = fuzz_cstr(data + 1, size - 1);
    sb_error_t e = {0};
    char **ignored = NULL;
    int n_ignored = 0, n_words = 0, hits = 0;

    sb_words_vocab_t v = {"prompt", 1000, 3, match, &hits};
    if (!sb_words_read(text, &v, &ignored, &n_ignored, &n_words, &e)) {
        check_ignored(ignored, n_ignored);
        FUZZ_CHECK(n_ignored + hits <= n_words);
        sb_words_free(ignored, n_ignored);
    }

    sb_style_t st;
    if (!sb_style_from_prompt(text, data[0], &st, &ignored, &n_ignored, &e)) {
        check_ignored(ignored, n_ignored);
        sb_style_ignored_free(ignored, n_ignored);
        char *json = sb_style_to_json(&st);
        FUZZ_CHECK(json);
        free(json);
    }

    sb_scene_spec_t scene;
    if (!sb_scene_prompt_parse(text, &scene, &ignored, &n_ignored, &e)) {
        check_ignored(ignored, n_ignored);
        sb_scene_ignored_free(ignored, n_ignored);
    }
    free(text);
    return 0;
}
