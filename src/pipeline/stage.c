/* stage.c - stage timing on CLOCK_MONOTONIC. */
#include "pipeline/stage.h"

#include <string.h>
#include <time.h>

double sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void sb_stages_start(sb_stages_t *s)
{
    memset(s, 0, sizeof *s);
    s->start = s->last = sb_now_ms();
}

void sb_stages_mark(sb_stages_t *s, const char *name)
{
    double now = sb_now_ms();
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->t[i].name, name) == 0) {
            s->t[i].ms += now - s->last;
            s->last = now;
            return;
        }
    if (s->n < SB_STAGES_MAX)
        s->t[s->n++] = (sb_stage_time_t){name, now - s->last};
    s->last = now;
}

void sb_stages_add(sb_stages_t *s, const char *name, double ms)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->t[i].name, name) == 0) {
            s->t[i].ms += ms;
            return;
        }
    if (s->n < SB_STAGES_MAX)
        s->t[s->n++] = (sb_stage_time_t){name, ms};
}

double sb_stages_total_ms(const sb_stages_t *s)
{
    return s->last - s->start;
}
