/* util/utf8: well-formedness (RFC 3629 table 3-7 edges) and repair with U+FFFD at character boundaries. */
#include <string.h>

#include "testutil.h"
#include "util/utf8.h"

#define VALID(s) sb_utf8_valid((s), sizeof(s) - 1)

Test(utf8, valid_and_invalid_sequences)
{
    cr_assert(VALID(""));
    cr_assert(VALID("plain ascii"));
    cr_assert(VALID("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7 \xf4\x8f\xbf\xbf"));
    cr_assert(!VALID("\xff"));
    cr_assert(!VALID("\x80"), "a stray continuation byte");
    cr_assert(!VALID("\xc3"), "a character cut at the end");
    cr_assert(!VALID("\xe2\x82"), "a character cut at the end");
    cr_assert(!VALID("\xc0\xaf"), "overlong '/'");
    cr_assert(!VALID("\xe0\x80\xaf"), "overlong '/'");
    cr_assert(!VALID("\xed\xa0\x80"), "a surrogate");
    cr_assert(!VALID("\xf4\x90\x80\x80"), "above U+10FFFF");
    cr_assert(!VALID("\xf5\x80\x80\x80"));
    cr_assert_eq(sb_utf8_char_len("\xe2\x82\xac!", 4), 3);
    cr_assert_eq(sb_utf8_char_len("\xe2\x82\xac", 2), 0);
    cr_assert_eq(sb_utf8_char_len("", 0), 0);
}

Test(utf8, repair_replaces_bad_bytes_and_cuts_between_characters)
{
    char out[64];
    cr_assert_str_eq(sb_utf8_repair(out, sizeof out, "ab\xff" "c"), "ab\xef\xbf\xbd" "c");
    cr_assert_str_eq(sb_utf8_repair(out, sizeof out, "\xc3\xa9\xc3"), "\xc3\xa9\xef\xbf\xbd");
    cr_assert(sb_utf8_valid(out, strlen(out)));
    /* Too small: the copy ends before a character that does not fit whole. */
    cr_assert_str_eq(sb_utf8_repair(out, 4, "a\xc3\xa9\xc3\xa9"), "a\xc3\xa9");
    cr_assert_str_eq(sb_utf8_repair(out, 3, "a\xc3\xa9"), "a");
    cr_assert_str_eq(sb_utf8_repair(out, 1, "abc"), "");
}
