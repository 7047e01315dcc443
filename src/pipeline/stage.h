/* stage.h - named, timed pipeline stages: each pipeline marks the end of every stage so callers can
 * report per-stage latency. A plain value; one per request, any thread. */
#ifndef SB_STAGE_H
#define SB_STAGE_H

#define SB_STAGES_MAX 24

typedef struct {
    const char *name; /* static string */
    double ms;
} sb_stage_time_t;

typedef struct {
    sb_stage_time_t t[SB_STAGES_MAX];
    int n;
    double start, last; /* monotonic ms */
} sb_stages_t;

/* Monotonic clock in milliseconds. */
double sb_now_ms(void);

/* Start timing: the first stage is measured from now. */
void sb_stages_start(sb_stages_t *s);

/* End the current stage as `name` (a static string): records the time since the previous mark.
 * A name marked twice accumulates. Beyond SB_STAGES_MAX distinct names the time is dropped. */
void sb_stages_mark(sb_stages_t *s, const char *name);

/* Record `ms` for stage `name` without moving the clock: for work that ran concurrently with the
 * marked stages (so the stage times may add up to more than the total). Accumulates like a mark. */
void sb_stages_add(sb_stages_t *s, const char *name, double ms);

/* Milliseconds from start to the last mark. */
double sb_stages_total_ms(const sb_stages_t *s);

#endif
