/* meta_sql.c - the metadata store's shared half: opening by location (the driver is chosen by the URL's
 * scheme), the statement, row and transaction helpers every meta_*.c domain file uses (meta_sql.h), and
 * the health write. The drivers are meta_sql_sqlite.c and meta_sql_pg.c; the domains meta_keys.c,
 * meta_jobs.c, meta_batch.c, meta_hooks.c, meta_files.c and meta_templates.c. */
#include "store/meta_sql.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The SQL of the domain files writes job and webhook states as these literals. */
_Static_assert(SB_JOB_QUEUED == 0 && SB_JOB_PROCESSING == 1 && SB_JOB_COMPLETED == 2 && SB_JOB_FAILED == 3,
               "job states are stored as 0..3");
_Static_assert(SB_HOOK_NONE == 0 && SB_HOOK_PENDING == 1 && SB_HOOK_DELIVERED == 2 && SB_HOOK_FAILED == 3,
               "webhook states are stored as 0..3");

int64_t sb_sql_now(void)
{
    return (int64_t)time(NULL);
}

bool sb_sql_fits(const char *s, size_t max)
{
    return s && *s && strlen(s) < max;
}

/* ---- rows ---- */

const char *sb_sql_text(const sb_sql_row_t *r, int col)
{
    if (r->res)
        return PQgetisnull(r->res, r->row, col) ? NULL : PQgetvalue(r->res, r->row, col);
    return (const char *)sqlite3_column_text(r->st, col);
}

int64_t sb_sql_int64(const sb_sql_row_t *r, int col)
{
    if (!r->res)
        return sqlite3_column_int64(r->st, col);
    const char *s = sb_sql_text(r, col);
    if (!s)
        return 0;
    if (s[0] == 't' || s[0] == 'f') /* a boolean expression */
        return s[0] == 't';
    return strtoll(s, NULL, 10);
}

int sb_sql_int(const sb_sql_row_t *r, int col)
{
    return (int)sb_sql_int64(r, col);
}

int64_t sb_sql_changes(const sb_meta_t *m)
{
    return m->changes;
}

sb_err sb_sql_read_int64(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    *(int64_t *)dst = sb_sql_int64(st, 0);
    return SB_OK;
}

void sb_sql_copy_text(char *dst, size_t size, const sb_sql_row_t *st, int col)
{
    const char *s = sb_sql_text(st, col);
    snprintf(dst, size, "%s", s ? s : "");
}

sb_err sb_sql_dup_text(char **dst, const sb_sql_row_t *st, int col, sb_error_t *e)
{
    const char *s = sb_sql_text(st, col);
    *dst = s ? strdup(s) : NULL;
    if (s && !*dst)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory reading a row");
    return SB_OK;
}

/* ---- statements ---- */

static sb_err run(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, va_list ap, each_fn each,
                  void *state)
{
    return m->pg ? sb_sql_pg_run(m, e, sql, types, ap, each, state)
                 : sb_sql_sqlite_run(m, e, sql, types, ap, each, state);
}

sb_err sb_sql_exec(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sb_err err = run(m, e, sql, types, ap, NULL, NULL);
    va_end(ap);
    return err;
}

typedef struct {
    row_fn read;
    void *out;
    bool seen;
} one_row_t;

static sb_err read_first(const sb_sql_row_t *row, void *state, sb_error_t *e)
{
    one_row_t *o = state;
    if (o->seen)
        return SB_OK;
    o->seen = true;
    return o->read(row, o->out, e);
}

sb_err sb_sql_one_row(sb_meta_t *m, row_fn read, void *out, sb_error_t *e, const char *sql, const char *types, ...)
{
    one_row_t o = {.read = read, .out = out};
    va_list ap;
    va_start(ap, types);
    sb_err err = run(m, e, sql, types, ap, read_first, &o);
    va_end(ap);
    if (!err && !o.seen)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "not found");
    return err;
}

typedef struct {
    row_fn read;
    size_t size, n, cap;
    void *items;
} all_rows_t;

static sb_err read_each(const sb_sql_row_t *row, void *state, sb_error_t *e)
{
    all_rows_t *a = state;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        void *grown = realloc(a->items, cap * a->size);
        if (!grown)
            return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory listing %zu rows", a->n);
        a->items = grown;
        a->cap = cap;
    }
    sb_err err = a->read(row, (char *)a->items + a->n * a->size, e);
    if (!err)
        a->n++;
    return err;
}

sb_err sb_sql_all_rows(sb_meta_t *m, size_t size, row_fn read, void **items, size_t *n, sb_error_t *e, const char *sql,
                       const char *types, ...)
{
    all_rows_t a = {.read = read, .size = size};
    va_list ap;
    va_start(ap, types);
    sb_err err = run(m, e, sql, types, ap, read_each, &a);
    va_end(ap);
    *items = a.items;
    *n = a.n;
    return err;
}

/* ---- locking and transactions ---- */

void sb_sql_lock(sb_meta_t *m)
{
    pthread_mutex_lock(&m->lock);
    if (m->pg)
        sb_sql_pg_revive(m);
}

/* End a public call: roll back whatever transaction a failure left open, then let the next one in. */
sb_err sb_sql_unlock(sb_meta_t *m, sb_err err)
{
    if (m->pg ? sb_sql_pg_in_transaction(m) : !sqlite3_get_autocommit(m->db)) {
        sb_error_t ignored;
        sb_sql_exec(m, &ignored, "ROLLBACK", "");
    }
    pthread_mutex_unlock(&m->lock);
    return err;
}

sb_err sb_sql_begin(sb_meta_t *m, sb_error_t *e)
{
    return sb_sql_exec(m, e, m->pg ? "BEGIN" : "BEGIN IMMEDIATE", "");
}

sb_err sb_sql_commit(sb_meta_t *m, sb_error_t *e)
{
    return sb_sql_exec(m, e, "COMMIT", "");
}

/* ---- opening ---- */

sb_err sb_meta_open(const char *location, sb_meta_t **out, sb_error_t *e)
{
    *out = NULL;
    bool sqlite = location && strncmp(location, "sqlite:", 7) == 0 && location[7];
    bool pg = location && (strncmp(location, "postgres://", 11) == 0 || strncmp(location, "postgresql://", 13) == 0);
    if (!sqlite && !pg)
        return sb_error_set(e, SB_ERR_USAGE, "store",
                            "unknown metadata store '%.32s...' (expected sqlite:PATH or postgres://...)",
                            location ? location : "");
    sb_meta_t *m = calloc(1, sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening the metadata store");
    pthread_mutex_init(&m->lock, NULL);
    pthread_mutex_init(&m->listen_lock, NULL);
    sb_err err = sqlite ? sb_sql_sqlite_open(m, location + 7, e) : sb_sql_pg_open(m, location, e);
    if (err) {
        sb_meta_close(m);
        return err;
    }
    *out = m;
    return SB_OK;
}

void sb_meta_close(sb_meta_t *m)
{
    if (!m)
        return;
    sqlite3_close(m->db);
    if (m->pg)
        PQfinish(m->pg);
    if (m->listen)
        PQfinish(m->listen);
    free(m->conninfo);
    pthread_mutex_destroy(&m->lock);
    pthread_mutex_destroy(&m->listen_lock);
    free(m);
}

sb_err sb_meta_check_writable(sb_meta_t *m, sb_error_t *e)
{
    sb_sql_lock(m);
    /* A committed one-row write, unlike a rolled-back one, reaches the WAL: a full disk shows here. */
    sb_err err = sb_sql_exec(m, e,
                             "INSERT INTO health (id, checked_at) VALUES (1, ?1) "
                             "ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                             "I", sb_sql_now());
    return sb_sql_unlock(m, err);
}
