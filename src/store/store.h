/* store.h - where the service keeps what outlives a request: metadata (API keys, credits, usage, jobs,
 * idempotency keys, output files, webhook deliveries, portrait templates) and blobs (the encoded output images).
 *
 * Two small interfaces, each behind an opaque handle opened from a location string:
 *   metadata  "sqlite:DIR/strobe.db" (embedded default, WAL), "postgres://..." (PostgreSQL 15, libpq)
 *   blobs     "file:DIR/files", "s3://BUCKET/PREFIX?endpoint=URL&region=R&addressing=path|virtual"
 * Nothing SQLite- or filesystem-specific appears here: callers see ids, states, numbers and bytes.
 *
 * Threads: one sb_meta_t / sb_blob_t may be used from many threads at once (the implementation
 * serialises what it must). The list functions read the rows first and call `fn` on copies after the
 * store is released, so `fn` may call back into the store (the file purge deletes from inside it).
 * Errors: every function returns SB_OK or an sb_err with `e` filled in;
 * SB_ERR_NOT_FOUND for a missing row, SB_ERR_STORE for a failure of the store itself.
 * Times are Unix seconds (int64). Strings in the structs are NUL-terminated copies owned by the struct. */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct sb_meta sb_meta_t;
typedef struct sb_blob sb_blob_t;

/* ---- opening ---- */

/* Open (creating on first use) the metadata store at `location`: "sqlite:PATH" (PATH's directory must
 * exist; a new file is made 0600) or "postgres://..." / "postgresql://..." (a libpq URL; the database
 * must exist, the tables are made in it). Migrates the schema; a newer schema is refused.
 * Errors: SB_ERR_USAGE for an unknown scheme, SB_ERR_STORE when it cannot be opened or reached (the
 * message never holds the URL's password). */
sb_err sb_meta_open(const char *location, sb_meta_t **out, sb_error_t *e);
void sb_meta_close(sb_meta_t *m); /* NULL-safe */

/* Open the blob store at `location`: "file:DIR" (the directory is created) or "s3://BUCKET/PREFIX?..."
 * (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN; nothing is sent until
 * the first call). Errors: SB_ERR_USAGE for a bad location or missing credentials, SB_ERR_STORE. Calls
 * on an S3 store that cannot be reached fail with SB_ERR_STORE_DOWN. */
sb_err sb_blob_open(const char *location, sb_blob_t **out, sb_error_t *e);
void sb_blob_close(sb_blob_t *b); /* NULL-safe */

/* ---- health ---- */

/* Prove the store can be written now (a one-row health write committed / a temp file written and
 * removed). SB_ERR_STORE when it cannot, e.g. after the busy timeout (~5 s) while another holds the lock. */
sb_err sb_meta_check_writable(sb_meta_t *m, sb_error_t *e);
sb_err sb_blob_check_writable(sb_blob_t *b, sb_error_t *e);

/* ---- blobs: names are [A-Za-z0-9._-]{1,64}, without a leading dot or "..": others are SB_ERR_USAGE ---- */

/* Store `len` bytes under `name`, atomically (readers see all of it or nothing); replaces. */
sb_err sb_blob_put(sb_blob_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e);
/* Read a blob into a malloc'd buffer the caller frees. SB_ERR_NOT_FOUND when absent. */
sb_err sb_blob_get(sb_blob_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e);
/* Remove a blob; absent is not an error. */
sb_err sb_blob_delete(sb_blob_t *b, const char *name, sb_error_t *e);

/* ---- API keys and credits ---- */

#define SB_ID_MAX 40
#define SB_NAME_MAX 128

typedef struct {
    char id[SB_ID_MAX];        /* public id, e.g. "key_3f9a..."; safe to log */
    char name[SB_NAME_MAX];
    int64_t credits;           /* balance */
    int64_t used;              /* credits charged so far */
    int64_t created_at;
    bool revoked;
} sb_key_t;

/* Create a key whose secret hashes to `secret_hash` (lowercase hex sha256; the secret itself is
 * never stored). `id` is chosen by the caller (unique). Errors: SB_ERR_CONFLICT on a duplicate id/hash. */
sb_err sb_meta_key_create(sb_meta_t *m, const char *id, const char *name, int64_t credits,
                          const char *secret_hash, sb_error_t *e);
/* Find the key whose secret hashes to `secret_hash`. SB_ERR_NOT_FOUND when there is none. A revoked key
 * is found too, with `revoked` set: the caller refuses it. */
sb_err sb_meta_key_by_hash(sb_meta_t *m, const char *secret_hash, sb_key_t *out, sb_error_t *e);
sb_err sb_meta_key_get(sb_meta_t *m, const char *id, sb_key_t *out, sb_error_t *e);
/* Add `delta` (may be negative, the balance never goes under 0) to a key's credits. SB_ERR_USAGE when
 * the sum would overflow int64. */
sb_err sb_meta_key_add_credits(sb_meta_t *m, const char *id, int64_t delta, sb_error_t *e);
sb_err sb_meta_key_revoke(sb_meta_t *m, const char *id, sb_error_t *e);
/* Call `fn` for every key, oldest first; stops early when fn returns false. */
sb_err sb_meta_key_list(sb_meta_t *m, bool (*fn)(const sb_key_t *k, void *ctx), void *ctx, sb_error_t *e);
/* Number of keys (to know whether a development key must be made). */
sb_err sb_meta_key_count(sb_meta_t *m, int64_t *out, sb_error_t *e);

/* Usage of one key by pipeline ("headshot", ...): outputs delivered and credits charged. */
typedef struct {
    char pipeline[32];
    int64_t outputs;
    int64_t credits;
} sb_usage_t;
sb_err sb_meta_usage_list(sb_meta_t *m, const char *key_id, bool (*fn)(const sb_usage_t *u, void *ctx),
                          void *ctx, sb_error_t *e);

/* ---- jobs ---- */

typedef enum { SB_JOB_QUEUED = 0, SB_JOB_PROCESSING, SB_JOB_COMPLETED, SB_JOB_FAILED, SB_JOB__STATES } sb_job_state;
const char *sb_job_state_name(sb_job_state s); /* "queued", "processing", "completed", "failed" */

typedef enum { SB_HOOK_NONE = 0, SB_HOOK_PENDING, SB_HOOK_DELIVERED, SB_HOOK_FAILED } sb_hook_state;

typedef struct {
    char id[SB_ID_MAX];          /* "job_..." */
    char key_id[SB_ID_MAX];
    char pipeline[32];           /* "headshot", ... */
    sb_job_state state;
    bool sync;                   /* a caller is waiting on the HTTP connection */
    char *spec;                  /* JSON: the request's parameters (never image bytes); malloc'd */
    char *result;                /* JSON of the result when completed, else NULL; malloc'd */
    char *error;                 /* JSON {"code","message","field"} when failed, else NULL; malloc'd */
    char *callback_url;          /* NULL when none; malloc'd */
    int attempts;                /* times a worker claimed it */
    char lease_owner[SB_ID_MAX]; /* "" when not leased */
    int64_t lease_until;
    int64_t created_at, started_at, finished_at; /* 0 when not yet */
    sb_hook_state hook_state;
    int hook_attempts;
    int64_t hook_next_at;
    bool shared;                 /* in the shared queue: any node's worker may claim it (sb_meta_job_claim_next) */
    int64_t not_before;          /* a shared job given back (sb_meta_job_retry_later) waits until then */
    int retries;                 /* times it was given back */
    char input_key[65];          /* the hex AES-256-GCM key of its staged input; "" when none (or gone) */
} sb_job_t;

/* Free the strings a job owns (not the struct). NULL-safe; safe to call twice. */
void sb_job_clear(sb_job_t *j);

typedef struct {
    const char *id;              /* chosen by the caller, unique */
    const char *key_id;
    const char *pipeline;
    bool sync;
    const char *spec;            /* JSON text */
    const char *callback_url;    /* NULL for none */
    const char *idem_key;        /* Idempotency-Key header, NULL for none */
    const char *request_hash;    /* hex sha256 of the request (method, route, body); used with idem_key */
    bool shared;                 /* put it in the shared queue (PostgreSQL: NOTIFY strobe_jobs on commit) */
    const char *input_key;       /* hex key of its staged input (64 hex digits); NULL for none */
} sb_job_new_t;

/* Create a queued job. With an idem_key: when the same key id already used it with the same
 * request_hash (within 24 h), nothing is created, `*existed` is set and `out` is that job; with another
 * request_hash -> SB_ERR_CONFLICT (field "Idempotency-Key"). Done in one transaction. A record older
 * than 24 h counts as gone and is replaced. `out` and `existed` may be NULL; `out` is only filled on
 * success. Errors: SB_ERR_CONFLICT (field "id") for a duplicate job id, SB_ERR_NOT_FOUND for an unknown
 * key_id, SB_ERR_USAGE for an id over SB_ID_MAX - 1 bytes or an idem_key without a request_hash. */
sb_err sb_meta_job_create(sb_meta_t *m, const sb_job_new_t *n, sb_job_t *out, bool *existed, sb_error_t *e);
/* The job an earlier request with this idempotency key made (within 24 h), so a replay can be answered
 * before any check that could refuse it. SB_ERR_NOT_FOUND when there is none, SB_ERR_CONFLICT when it
 * was used with another request_hash. */
sb_err sb_meta_idem_find(sb_meta_t *m, const char *key_id, const char *idem_key, const char *request_hash,
                         sb_job_t *out, sb_error_t *e);

/* The job `id`; with key_id non-NULL, a job of another key is SB_ERR_NOT_FOUND. */
sb_err sb_meta_job_get(sb_meta_t *m, const char *id, const char *key_id, sb_job_t *out, sb_error_t *e);

/* Lease job `id` for `owner` until now+lease_s: allowed when it is queued, or processing with an
 * expired lease. attempts += 1, state = processing, started_at set on the first claim.
 * SB_ERR_CONFLICT when it is not claimable (finished, or leased by a live owner, `owner` included).
 * lease_s must be >= 1 (SB_ERR_USAGE), as for claim_next and renew. */
sb_err sb_meta_job_claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e);
/* ---- the shared queue (meta_queue.c): jobs created with `shared`, which any node's worker may run ---- */

/* Whether the store is shared by several processes or machines (PostgreSQL): then asynchronous jobs go
 * through the shared queue, with staged inputs, instead of the process's memory. */
bool sb_meta_shared(const sb_meta_t *m);
/* Lease the oldest claimable shared job (by created_at) of any pipeline: queued with not_before <= now, or
 * processing with an expired lease (its holder died: a takeover), and claimed fewer than max_attempts
 * times; return it in `out` (may be NULL). SB_ERR_NOT_FOUND when there is none. On PostgreSQL, rows
 * another node is claiming are skipped (FOR UPDATE SKIP LOCKED), never waited for. */
sb_err sb_meta_job_claim_next(sb_meta_t *m, const char *owner, int lease_s, int max_attempts, sb_job_t *out,
                              sb_error_t *e);
/* Give a job `owner` holds back to the queue until `not_before` (a dependency was down): queued again,
 * its attempt given back (attempts - 1: it did not crash), retries + 1. SB_ERR_CONFLICT when `owner` no
 * longer holds it. */
sb_err sb_meta_job_retry_later(sb_meta_t *m, const char *id, const char *owner, int64_t not_before, sb_error_t *e);
/* In one transaction: fail with `crashed_error` every shared job whose lease expired (or that is
 * queued) after max_attempts claims, and with `lost_error` every unshared job whose lease expired (a
 * synchronous job of a node that died: its input and its caller died with it); as sb_meta_job_fail does
 * (no charge, a pending webhook). How many of each into *crashed and *lost. */
sb_err sb_meta_job_reap(sb_meta_t *m, int max_attempts, const char *crashed_error, const char *lost_error,
                        int *crashed, int *lost, sb_error_t *e);
/* Call fn for up to `limit` finished jobs that still have an input_key (their staged input may still be
 * in the blob store: the purge deletes it, then calls sb_meta_job_unstage). */
sb_err sb_meta_job_staged_ended(sb_meta_t *m, int limit, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx,
                                sb_error_t *e);
/* Forget a job's input key (after its staged input was deleted): input_key = NULL. */
sb_err sb_meta_job_unstage(sb_meta_t *m, const char *id, sb_error_t *e);
/* Shared jobs waiting to be claimed (state queued). */
sb_err sb_meta_job_queue_depth(sb_meta_t *m, int64_t *out, sb_error_t *e);
/* Wait up to timeout_ms for a new shared job: on PostgreSQL a NOTIFY on channel strobe_jobs (sent when a
 * shared job is created) on a connection of its own, on SQLite a plain sleep (the caller polls). Whether
 * a notification came. Any thread; meant for one waiting thread per handle. */
bool sb_meta_wait_jobs(sb_meta_t *m, int timeout_ms);

/* ---- shared settings and rate limits (meta_settings.c) ---- */

/* The value of setting `name`: `value` when none was set yet (it is stored: the first writer wins), else the
 * stored one, into out (size bytes). Used for the fleet's URL-signing secret. */
sb_err sb_meta_setting_ensure(sb_meta_t *m, const char *name, const char *value, char *out, size_t size,
                              sb_error_t *e);
/* Take one request from key_id's rate limit, GCRA (the generic cell rate algorithm, equal to a token bucket
 * of `burst` tokens refilled one per interval_us): the key's theoretical arrival time tat becomes
 * max(tat, now) + interval, allowed only while that stays within burst * interval of now. One atomic
 * statement, so every node of a fleet shares each key's bucket. *allowed, and *tat_us after the call (for
 * the RateLimit headers). Times in microseconds on one clock for the whole fleet (wall clock). */
sb_err sb_meta_rate_take(sb_meta_t *m, const char *key_id, int64_t now_us, int64_t interval_us, int burst,
                         bool *allowed, int64_t *tat_us, sb_error_t *e);
/* Extend the lease of a job `owner` holds. SB_ERR_CONFLICT when it no longer holds it. A lease that has
 * expired but that no one else has claimed is still held (the same holds for complete and fail). */
sb_err sb_meta_job_renew(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e);
/* Put every job that is processing (whatever its lease) back to queued: for a single server starting
 * on its own store, whose previous process died. Returns how many in *n. */
sb_err sb_meta_job_requeue_all(sb_meta_t *m, int *n, sb_error_t *e);
/* Start-up recovery for a single server on its own store, whose previous process died, in ONE
 * transaction: every job still processing was running when it died. One that has been claimed
 * max_attempts times or more (attempts counts claims, each committed before the job runs) is failed
 * with `crashed_error` JSON, as sb_meta_job_fail does (no charge, a pending webhook with a
 * callback_url), so an input that kills the process cannot do it forever; the others are put back to
 * queued. How many of each in *requeued and *crashed (either may be NULL). Errors: SB_ERR_USAGE for
 * max_attempts < 1 or no error, SB_ERR_STORE. */
sb_err sb_meta_job_recover(sb_meta_t *m, int max_attempts, const char *crashed_error, int *requeued, int *crashed,
                           sb_error_t *e);
/* Call fn for every queued job, oldest first (to refill the in-memory queue after a restart). */
sb_err sb_meta_job_list_queued(sb_meta_t *m, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_error_t *e);

typedef struct {
    const char *file_id;         /* blob name is "<file_id>.<ext>" */
    const char *ext;             /* "png", "jpg", "webp" */
    int64_t size;
    int64_t expires_at;
} sb_output_t;

/* Finish a job `owner` holds, in ONE transaction: record its outputs as files of the job's key,
 * charge `credits` to the key (SB_ERR_NO_CREDITS and nothing changed when the balance is short), add
 * to usage, set state completed with `result` JSON, and a pending webhook if it has a callback_url.
 * SB_ERR_CONFLICT (nothing changed) when the owner no longer holds the lease, or (field "file_id") when a
 * file id is taken. A revoked key is still charged: the work was done. */
sb_err sb_meta_job_complete(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                            int n_outputs, int64_t credits, const char *result, sb_error_t *e);
/* Mark a job failed with `error` JSON (no charge); owner NULL = whoever holds it (startup recovery), and
 * then a queued job may be failed too. A pending webhook is set if it has a callback_url.
 * SB_ERR_CONFLICT when owner no longer holds it, or the job is already finished. */
sb_err sb_meta_job_fail(sb_meta_t *m, const char *id, const char *owner, const char *error, sb_error_t *e);

/* ---- batch items: the per-image rows of a batch job (e.g. pipeline "avatar_batch") ---- */

typedef struct {
    int idx;                     /* 0..n-1, the order the client sent */
    sb_job_state state;          /* SB_JOB_QUEUED (not done yet), SB_JOB_COMPLETED or SB_JOB_FAILED */
    char *input;                 /* what the client sent: the URL, or "upload #k"; malloc'd */
    char *result;                /* JSON of the result when completed, else NULL; malloc'd */
    char *error;                 /* JSON {"code","message","field"} when failed, else NULL; malloc'd */
} sb_batch_item_t;

/* Free the strings an item owns (not the struct). NULL-safe; safe twice. */
void sb_batch_item_clear(sb_batch_item_t *it);

/* Give job `job_id` the items 0..n-1, queued, described by inputs[i]. Idempotent: does nothing when the
 * job already has items (a restarted batch keeps its finished ones). n must be >= 1 (SB_ERR_USAGE).
 * SB_ERR_NOT_FOUND for an unknown job. */
sb_err sb_meta_batch_items_create(sb_meta_t *m, const char *job_id, int n, const char *const *inputs,
                                  sb_error_t *e);
/* Finish item `idx` of batch job `job_id` (which `owner` must hold), in ONE transaction as
 * sb_meta_job_complete does for a job: the outputs become files of the job's key (with job_id the
 * batch), `credits` are charged to the key (SB_ERR_NO_CREDITS and nothing changed when short), usage is
 * added under the job's pipeline, and the item is completed with `result`. The job itself stays
 * processing. SB_ERR_CONFLICT (nothing changed) when the owner no longer holds the job, when the item
 * is already finished, or (field "file_id") for a taken file id; SB_ERR_NOT_FOUND for an unknown item. */
sb_err sb_meta_batch_item_complete(sb_meta_t *m, const char *job_id, int idx, const char *owner,
                                   const sb_output_t *outputs, int n_outputs, int64_t credits, const char *result,
                                   sb_error_t *e);
/* Mark item `idx` failed with `error` JSON (no charge). SB_ERR_CONFLICT when it is already finished,
 * SB_ERR_NOT_FOUND for an unknown item. */
sb_err sb_meta_batch_item_fail(sb_meta_t *m, const char *job_id, int idx, const char *error, sb_error_t *e);
/* Call fn for every item of the job, by idx; stops early when fn returns false. No items is not an
 * error (fn is never called). */
sb_err sb_meta_batch_items_list(sb_meta_t *m, const char *job_id, bool (*fn)(const sb_batch_item_t *it, void *ctx),
                                void *ctx, sb_error_t *e);

/* Jobs by state, for /metrics: counts[SB_JOB_QUEUED..SB_JOB_FAILED]. */
sb_err sb_meta_job_counts(sb_meta_t *m, int64_t counts[SB_JOB__STATES], sb_error_t *e);

/* ---- webhooks ---- */

/* Call fn for each job whose webhook is pending and due (hook_next_at <= now), longest due first. A job's
 * webhook becomes pending, due at once, when it completes or fails with a callback_url. */
sb_err sb_meta_hook_due(sb_meta_t *m, int64_t now, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx,
                        sb_error_t *e);
/* Take the delivery of job_id's due webhook for lease_s seconds (its hook_next_at moves to now + lease_s),
 * so that one node of a fleet delivers it. SB_ERR_CONFLICT when it is not pending and due (another node
 * took it, or it was delivered). */
sb_err sb_meta_hook_claim(sb_meta_t *m, const char *job_id, int64_t now, int lease_s, sb_error_t *e);
/* Record one delivery attempt: delivered, or not (then next_at is the retry time, or give up when
 * `give_up`, state failed). hook_attempts += 1. SB_ERR_CONFLICT when the webhook is not pending. */
sb_err sb_meta_hook_record(sb_meta_t *m, const char *job_id, bool delivered, bool give_up, int64_t next_at,
                           sb_error_t *e);

/* ---- output files ---- */

typedef struct {
    char id[SB_ID_MAX];
    char key_id[SB_ID_MAX];
    char job_id[SB_ID_MAX];
    char ext[8];
    int64_t size;
    int64_t created_at, expires_at;
} sb_file_t;

sb_err sb_meta_file_get(sb_meta_t *m, const char *id, sb_file_t *out, sb_error_t *e);
/* Call fn for up to `limit` files with expires_at <= now (for the purge, which deletes the blob and then
 * the row with sb_meta_file_delete). */
sb_err sb_meta_file_expired(sb_meta_t *m, int64_t now, int limit, bool (*fn)(const sb_file_t *f, void *ctx),
                            void *ctx, sb_error_t *e);
/* SB_ERR_NOT_FOUND when there is no such row. */
sb_err sb_meta_file_delete(sb_meta_t *m, const char *id, sb_error_t *e);
/* Drop idempotency records older than `before` (their jobs stay). */
sb_err sb_meta_idem_purge(sb_meta_t *m, int64_t before, sb_error_t *e);

/* ---- portrait templates: named prompt + seed pairs of one key (the built-ins are not stored) ---- */

#define SB_TEMPLATE_NAME_MAX 65     /* bytes, with the NUL */
#define SB_TEMPLATE_PROMPT_MAX 4096 /* bytes, with the NUL: 1000 characters of UTF-8 fit */
#define SB_TEMPLATE_DESC_MAX 1024   /* bytes, with the NUL */

typedef struct {
    char key_id[SB_ID_MAX];
    char name[SB_TEMPLATE_NAME_MAX];
    char prompt[SB_TEMPLATE_PROMPT_MAX];
    char description[SB_TEMPLATE_DESC_MAX]; /* "" when none */
    int64_t seed;                /* >= 1 */
    int64_t created_at, updated_at;
} sb_key_template_t;

/* Save template t->name of key t->key_id (created_at and updated_at are set here): a new one, or
 * replacing the key's template of that name (*replaced then true; may be NULL). One transaction.
 * Errors: SB_ERR_USAGE (field "name") when the key already has max_per_key other templates, or for a
 * name, prompt or description over its size (field named) or a seed < 1; SB_ERR_NOT_FOUND for an
 * unknown key. The name's characters are the caller's to check. */
sb_err sb_meta_template_put(sb_meta_t *m, const sb_key_template_t *t, int max_per_key, bool *replaced,
                            sb_error_t *e);
/* The template `name` of key `key_id`. SB_ERR_NOT_FOUND when the key has none of that name (another
 * key's is not found either). */
sb_err sb_meta_template_get(sb_meta_t *m, const char *key_id, const char *name, sb_key_template_t *out,
                            sb_error_t *e);
/* Delete the template `name` of key `key_id`. SB_ERR_NOT_FOUND when the key has none of that name. */
sb_err sb_meta_template_delete(sb_meta_t *m, const char *key_id, const char *name, sb_error_t *e);
/* Call fn for every template of the key, by name; stops early when fn returns false. */
sb_err sb_meta_template_list(sb_meta_t *m, const char *key_id,
                             bool (*fn)(const sb_key_template_t *t, void *ctx), void *ctx, sb_error_t *e);

#endif
