/* meta_settings.c - state every node of a fleet shares: named settings (the URL-signing secret) and the
 * per-key rate-limit state (GCRA, see sb_meta_rate_take). */
#include "store/meta_sql.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    char *out;
    size_t size;
} text_out_t;

static sb_err read_text(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    text_out_t *t = dst;
    sb_sql_copy_text(t->out, t->size, st, 0);
    return SB_OK;
}

sb_err sb_meta_setting_ensure(sb_meta_t *m, const char *name, const char *value, char *out, size_t size, sb_error_t *e)
{
    if (!sb_sql_fits(name, SB_NAME_MAX) || !value || !*value)
        return sb_error_set(e, SB_ERR_USAGE, "name", "a setting needs a name and a value");
    sb_sql_lock(m);
    /* The first writer wins; every later one reads what it wrote. */
    sb_err err = sb_sql_exec(m, e, "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
                             "tt", name, value);
    text_out_t t = {.out = out, .size = size};
    if (!err)
        err = sb_sql_one_row(m, read_text, &t, e, "SELECT value FROM settings WHERE name = ?1", "t", name);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, SB_ERR_STORE, "", "the setting '%s' vanished after it was written", name);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_rate_take(sb_meta_t *m, const char *key_id, int64_t now_us, int64_t interval_us, int burst,
                         bool *allowed, int64_t *tat_us, sb_error_t *e)
{
    if (!sb_sql_fits(key_id, SB_ID_MAX) || interval_us < 1 || burst < 1)
        return sb_error_set(e, SB_ERR_USAGE, "rate", "a rate limit needs a key, an interval >= 1 us and a burst >= 1");
    int64_t window = interval_us * burst;
    sb_sql_lock(m);
    /* One conditional upsert: the new arrival time is max(tat, now) + interval, taken only while it stays
     * within burst intervals of now. No row back means refused, and the state is left alone. */
    sb_err err = sb_sql_one_row(m, sb_sql_read_int64, tat_us, e,
                                "INSERT INTO rate_limits AS r (key_id, tat) VALUES (?1, ?2 + ?3) "
                                "ON CONFLICT (key_id) DO UPDATE SET "
                                "tat = CASE WHEN r.tat > ?2 THEN r.tat ELSE ?2 END + ?3 "
                                "WHERE (CASE WHEN r.tat > ?2 THEN r.tat ELSE ?2 END) + ?3 - ?2 <= ?4 "
                                "RETURNING tat",
                                "tIII", key_id, now_us, interval_us, window);
    *allowed = err == SB_OK;
    if (err == SB_ERR_NOT_FOUND)
        err = sb_sql_one_row(m, sb_sql_read_int64, tat_us, e, "SELECT tat FROM rate_limits WHERE key_id = ?1", "t",
                             key_id);
    return sb_sql_unlock(m, err);
}
