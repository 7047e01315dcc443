/* log.h - the process's log: one JSON object per line on stderr (or the stream set for tests),
 * {"ts", "level", "msg", then the caller's fields}, written with jansson so that any message (quotes, newlines,
 * control characters, bytes that are not UTF-8) still gives one valid line. Every log line of the library
 * and the server goes through here; the CLI's own output (results on stdout, its one JSON error, usage,
 * progress) does not. Thread-safe: a line is written whole under the stream's lock. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <jansson.h>
#include <stdio.h>

typedef enum { SB_LOG_DEBUG = 0, SB_LOG_INFO, SB_LOG_WARN, SB_LOG_ERROR } sb_log_level;

/* "debug", "info", "warn" or "error". */
const char *sb_log_level_name(sb_log_level level);

/* The line for `msg` and `fields` (a JSON object whose members follow ts, level and msg in their order;
 * members named ts, level or msg are dropped; may be NULL), without the newline: malloc'd, NULL when out of
 * memory. `msg` and string members that are not UTF-8 are repaired (U+FFFD). `ts` is UTC with milliseconds
 * ("2026-12-06T20:08:26.123Z"). Does not take `fields`. */
char *sb_log_format(sb_log_level level, const char *msg, const json_t *fields);

/* Write the line of sb_log_format and a newline to the log stream; takes `fields` (a new reference, may be
 * NULL: json_pack's result can be passed as is, NULL when it failed). Out of memory: the line is dropped. */
void sb_log(sb_log_level level, const char *msg, json_t *fields);

/* A JSON string of `s` repaired to UTF-8 (NULL gives ""), for fields that quote what came from outside:
 * json_string refuses bytes that are not UTF-8. New reference; NULL when out of memory. */
json_t *sb_log_str(const char *s);

/* Where lines go: `f`, or stderr when NULL (the default). For tests; not thread-safe against sb_log. */
void sb_log_set_stream(FILE *f);

#endif
