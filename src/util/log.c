/* log.c - JSON log lines through jansson (see log.h). */
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/utf8.h"

static FILE *stream;

const char *sb_log_level_name(sb_log_level level)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    return level >= SB_LOG_DEBUG && level <= SB_LOG_ERROR ? names[level] : "info";
}

void sb_log_set_stream(FILE *f)
{
    stream = f;
}

json_t *sb_log_str(const char *s)
{
    if (!s)
        return json_string("");
    size_t n = strlen(s);
    if (sb_utf8_valid(s, n))
        return json_stringn(s, n);
    /* Each bad byte becomes U+FFFD (3 bytes). */
    char *buf = malloc(n * 3 + 1);
    json_t *j = buf ? json_string(sb_utf8_repair(buf, n * 3 + 1, s)) : NULL;
    free(buf);
    return j;
}

/* A copy of `v` whose strings (nested ones too) are valid UTF-8. */
static json_t *repaired(const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        /* jansson's strings are UTF-8 already unless made with json_string_nocheck. */
        return sb_utf8_valid(s, n) ? json_stringn(s, n) : sb_log_str(s);
    }
    return json_deep_copy(v);
}

char *sb_log_format(sb_log_level level, const char *msg, const json_t *fields)
{
    struct timespec now;
    struct tm tm;
    char ts[64], day[32];
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts, sizeof ts, "%s.%03dZ", day, (int)(now.tv_nsec / 1000000));
    json_t *line = json_object();
    if (!line)
        return NULL;
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(sb_log_level_name(level)));
    json_object_set_new(line, "msg", sb_log_str(msg));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)fields, key, v)
    {
        if (strcmp(key, "ts") && strcmp(key, "level") && strcmp(key, "msg"))
            json_object_set_new(line, key, repaired(v));
    }
    char *out = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(line);
    return out;
}

void sb_log(sb_log_level level, const char *msg, json_t *fields)
{
    char *text = sb_log_format(level, msg, fields);
    json_decref(fields);
    if (!text)
        return;
    FILE *f = stream ? stream : stderr;
    flockfile(f);
    fputs(text, f);
    fputc('\n', f);
    funlockfile(f);
    fflush(f);
    free(text);
}
