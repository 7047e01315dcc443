/* maintenance.h - one background thread that purges expired output files (blob, then row) and old
 * idempotency records every purge interval. Knows the store, not the job service. (Webhooks have their
 * own threads: webhook.h.) */
#ifndef SB_JOBS_MAINTENANCE_H
#define SB_JOBS_MAINTENANCE_H

#include "store/store.h"
#include "util/err.h"

typedef struct sb_maintenance sb_maintenance_t;

typedef struct {
    sb_meta_t *meta;
    sb_blob_t *blob;
    int purge_interval_s;
} sb_maintenance_config_t;

/* Start the thread. Errors: SB_ERR_NOMEM, SB_ERR_INTERNAL (no thread). */
sb_err sb_maintenance_start(const sb_maintenance_config_t *cfg, sb_maintenance_t **out, sb_error_t *e);

/* Stop the thread after its current purge, join it, free. NULL-safe. */
void sb_maintenance_stop(sb_maintenance_t *m);

#endif
