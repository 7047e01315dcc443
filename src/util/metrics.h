/* metrics.h - counters and latency histograms for /metrics, in the Prometheus text format.
 * One registry per server; every function is thread-safe (one mutex; updates are a few adds). */
#ifndef SB_METRICS_H
#define SB_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/stage.h"

typedef struct sb_metrics sb_metrics_t;

/* A new, empty registry, or NULL when out of memory. */
sb_metrics_t *sb_metrics_new(void);
void sb_metrics_free(sb_metrics_t *m); /* NULL-safe */

/* Series are keyed by label values (NULL reads as ""). A family holds at most 512 series; past that,
 * new label sets all go to one extra series whose every label is "other". Durations are in ms and
 * exported in seconds; a negative one counts as 0. See docs/internals/metrics.md. */

/* One HTTP request answered: counted by route pattern, method and status; latency by route. */
void sb_metrics_request(sb_metrics_t *m, const char *route, const char *method, int status, double ms);

/* One pipeline run: total latency and each stage's, by pipeline; outcome ("completed", "failed").
 * stages may be NULL: then no stage is observed. */
void sb_metrics_pipeline(sb_metrics_t *m, const char *pipeline, const sb_stages_t *stages, double total_ms,
                         const char *outcome);

/* One webhook delivery attempt. */
void sb_metrics_webhook(sb_metrics_t *m, bool delivered);

/* Values read at scrape time. */
typedef struct {
    int queue_waiting, queue_running;
    int64_t jobs_by_state[4];   /* queued, processing, completed, failed */
    int64_t pixels_in_flight;
    int http_deferred;
    const char *version;        /* strobe_build_info's labels (not owned); no strobe_build_info when NULL */
    const char *onnxruntime;
} sb_metrics_gauges_t;

/* The whole exposition as a malloc'd NUL-terminated string (*len without the NUL), or NULL. Adds
 * strobe_build_info and the standard process_* families (util/procstat.h; each left out where it cannot
 * be read). g NULL reads as all zeros; len may be NULL. */
char *sb_metrics_render(sb_metrics_t *m, const sb_metrics_gauges_t *g, size_t *len);

#endif
