/* test_log.c - util/log.c: every line is one valid JSON object, whatever the message and fields hold (quotes,
 * backslashes, newlines, control characters, bytes that are not UTF-8, a field trying to pass for ts or
 * level), with ts, level and msg first and the fields after them in order. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

/* Log through a temporary stream and return what was written (malloc'd). */
static char *logged(sb_log_level level, const char *msg, json_t *fields)
{
    FILE *f = tmpfile();
    cr_assert_not_null(f);
    sb_log_set_stream(f);
    sb_log(level, msg, fields);
    sb_log_set_stream(NULL);
    long n = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)n + 1);
    cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return text;
}

/* The text is exactly one line, a JSON object; returned parsed. */
static json_t *one_line(const char *text)
{
    size_t n = strlen(text);
    cr_assert(n > 1 && text[n - 1] == '\n', "the line does not end with a newline: %s", text);
    cr_assert_null(memchr(text, '\n', n - 1), "more than one line: %s", text);
    json_error_t je;
    json_t *j = json_loadb(text, n - 1, JSON_REJECT_DUPLICATES, &je);
    cr_assert_not_null(j, "not JSON (%s): %s", je.text, text);
    cr_assert(json_is_object(j));
    return j;
}

Test(log, hostile_messages_stay_one_valid_line)
{
    static const char *const hostile[] = {
        "plain",
        "a \"quoted\" word",
        "back\\slash and \\\" an escaped quote",
        "two\nlines\r\nand a tab\t",
        "\x01\x02\x1b[31mescape codes\x7f",
        "}{\"level\":\"error\",\"injected\":true}",
        "bad utf-8: \xff\xfe \xc3( \xe2\x82",
        "",
    };
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        char *text = logged(SB_LOG_WARN, hostile[i], json_pack("{s:s}", "ok", "yes"));
        json_t *j = one_line(text);
        cr_assert_str_eq(json_string_value(json_object_get(j, "level")), "warn");
        const char *msg = json_string_value(json_object_get(j, "msg"));
        cr_assert_not_null(msg, "%s", text);
        if (i < 6 || i == 7)
            cr_assert_str_eq(msg, hostile[i], "the message changed on the way: %s", text);
        else
            cr_assert(strstr(msg, "\xef\xbf\xbd") && strstr(msg, "bad utf-8"), "not repaired with U+FFFD: %s", text);
        cr_assert_null(json_object_get(j, "injected"), "%s", text);
        cr_assert_str_eq(json_string_value(json_object_get(j, "ok")), "yes");
        json_decref(j);
        free(text);
    }
}

Test(log, fields_follow_and_cannot_pass_for_the_header)
{
    json_t *fields = json_pack("{s:s, s:s, s:i, s:o, s:{s:s}}", "route", "/v1/x", "level", "debug", "status", 200,
                               "error", sb_log_str("quote \" newline \n bad \xff"), "nested", "a", "\"b\"");
    json_object_set_new(fields, "msg", json_string("forged"));
    char *text = logged(SB_LOG_INFO, "request", fields);
    json_t *j = one_line(text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "level")), "info", "a field overrode the level: %s", text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "msg")), "request", "a field overrode msg: %s", text);
    cr_assert_eq(json_integer_value(json_object_get(j, "status")), 200);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "nested"), "a")), "\"b\"");
    cr_assert(strstr(json_string_value(json_object_get(j, "error")), "\xef\xbf\xbd"), "%s", text);
    /* ts, level, msg first, then the fields in the order given: log readers can rely on it. */
    const char *ts = strstr(text, "\"ts\":"), *level = strstr(text, "\"level\":"), *msg = strstr(text, "\"msg\":");
    const char *route = strstr(text, "\"route\":"), *status = strstr(text, "\"status\":");
    cr_assert(ts == text + 1 && ts < level && level < msg && msg < route && route < status, "order: %s", text);
    /* 2026-12-06T20:08:26.123Z */
    const char *t = json_string_value(json_object_get(j, "ts"));
    cr_assert(t && strlen(t) == 24 && t[10] == 'T' && t[19] == '.' && t[23] == 'Z', "ts %s", t ? t : "(none)");
    json_decref(j);
    free(text);
}

Test(log, no_fields_and_a_null_message)
{
    char *text = logged(SB_LOG_ERROR, NULL, NULL);
    json_t *j = one_line(text);
    cr_assert_str_eq(json_string_value(json_object_get(j, "msg")), "");
    cr_assert_str_eq(json_string_value(json_object_get(j, "level")), "error");
    cr_assert_eq(json_object_size(j), 3, "%s", text);
    json_decref(j);
    free(text);
}
