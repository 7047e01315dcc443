/* metrics.c - a registry of counters and histograms under one mutex, rendered as Prometheus text 0.0.4. */
#include "util/metrics.h"
#include "util/procstat.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Label values come from callers (routes, pipeline names): past this many series a family folds
 * new label sets into one series whose every label is "other", so memory stays bounded. */
#define SERIES_MAX 512
#define LABELS_MAX 3

static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBOUNDS (sizeof bounds / sizeof bounds[0])

static const char *const other[LABELS_MAX] = {"other", "other", "other"};

typedef struct {
    char *label[LABELS_MAX];
    uint64_t value;                /* counters */
    uint64_t bucket[NBOUNDS + 1];  /* histograms: per bucket, not cumulative; the last is +Inf */
    double sum;
} series_t;

typedef struct {
    const char *name, *help;
    const char *label_names[LABELS_MAX];
    int nlabels;
    bool histogram;
    series_t *s;
    int n, cap;
} family_t;

struct sb_metrics {
    pthread_mutex_t mu;
    family_t requests, request_seconds, runs, run_seconds, stage_seconds;
    uint64_t webhooks_delivered, webhooks_failed;
};

sb_metrics_t *sb_metrics_new(void)
{
    sb_metrics_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->requests = (family_t){"strobe_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
                             {"route", "method", "status"}, 3, false, NULL, 0, 0};
    m->request_seconds = (family_t){"strobe_http_request_duration_seconds", "HTTP request latency, by route pattern.",
                                    {"route"}, 1, true, NULL, 0, 0};
    m->runs = (family_t){"strobe_pipeline_runs_total", "Pipeline runs, by pipeline and outcome.",
                         {"pipeline", "outcome"}, 2, false, NULL, 0, 0};
    m->run_seconds = (family_t){"strobe_pipeline_duration_seconds", "Pipeline run latency, by pipeline.",
                                {"pipeline"}, 1, true, NULL, 0, 0};
    m->stage_seconds = (family_t){"strobe_pipeline_stage_duration_seconds", "Pipeline stage latency, by pipeline and stage.",
                                  {"pipeline", "stage"}, 2, true, NULL, 0, 0};
    return m;
}

static void family_free(family_t *f)
{
    for (int i = 0; i < f->n; i++)
        for (int j = 0; j < f->nlabels; j++)
            free(f->s[i].label[j]);
    free(f->s);
}

void sb_metrics_free(sb_metrics_t *m)
{
    if (!m)
        return;
    family_free(&m->requests);
    family_free(&m->request_seconds);
    family_free(&m->runs);
    family_free(&m->run_seconds);
    family_free(&m->stage_seconds);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static series_t *lookup(family_t *f, const char *const *values)
{
    for (int i = 0; i < f->n; i++) {
        int j = 0;
        while (j < f->nlabels && strcmp(f->s[i].label[j], values[j]) == 0)
            j++;
        if (j == f->nlabels)
            return &f->s[i];
    }
    return NULL;
}

/* The series for these label values, created when new; NULL when out of memory. */
static series_t *series(family_t *f, const char *const *values)
{
    series_t *s = lookup(f, values);
    if (s)
        return s;
    if (f->n >= SERIES_MAX) {
        values = other;
        if ((s = lookup(f, values)))
            return s;
    }
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 8;
        series_t *grown = realloc(f->s, sizeof *grown * (size_t)cap);
        if (!grown)
            return NULL;
        f->s = grown;
        f->cap = cap;
    }
    s = &f->s[f->n];
    memset(s, 0, sizeof *s);
    for (int j = 0; j < f->nlabels; j++)
        if (!(s->label[j] = strdup(values[j]))) {
            while (j--)
                free(s->label[j]);
            return NULL;
        }
    f->n++;
    return s;
}

static void count(family_t *f, const char *const *values)
{
    series_t *s = series(f, values);
    if (s)
        s->value++;
}

static void observe(family_t *f, const char *const *values, double ms)
{
    series_t *s = series(f, values);
    if (!s)
        return;
    /* A clock step or a caller's bug must not make _sum go down or land in a bucket below zero. */
    double sec = ms > 0 ? ms / 1000 : 0;
    size_t b = 0;
    while (b < NBOUNDS && sec > bounds[b])
        b++;
    s->bucket[b]++;
    s->sum += sec;
}

static const char *str(const char *s)
{
    return s ? s : "";
}

void sb_metrics_request(sb_metrics_t *m, const char *route, const char *method, int status, double ms)
{
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    /* The latency family takes the leading label (route) of the same array. */
    const char *counted[] = {str(route), str(method), code};
    pthread_mutex_lock(&m->mu);
    count(&m->requests, counted);
    observe(&m->request_seconds, counted, ms);
    pthread_mutex_unlock(&m->mu);
}

void sb_metrics_pipeline(sb_metrics_t *m, const char *pipeline, const sb_stages_t *stages, double total_ms,
                         const char *outcome)
{
    const char *run[] = {str(pipeline), str(outcome)};
    pthread_mutex_lock(&m->mu);
    count(&m->runs, run);
    observe(&m->run_seconds, run, total_ms);
    for (int i = 0; stages && i < stages->n; i++) {
        const char *stage[] = {str(pipeline), str(stages->t[i].name)};
        observe(&m->stage_seconds, stage, stages->t[i].ms);
    }
    pthread_mutex_unlock(&m->mu);
}

void sb_metrics_webhook(sb_metrics_t *m, bool delivered)
{
    pthread_mutex_lock(&m->mu);
    if (delivered)
        m->webhooks_delivered++;
    else
        m->webhooks_failed++;
    pthread_mutex_unlock(&m->mu);
}

static void header(FILE *o, const char *name, const char *help, const char *type)
{
    fprintf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: the text format's three escapes, and U+FFFD for each byte that is not part of a
 * well-formed UTF-8 character (the format is UTF-8; a scraper may reject the whole page otherwise). */
static void escaped(FILE *o, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        size_t k = sb_utf8_char_len(s + i, n - i);
        if (!k)
            fputs("\xef\xbf\xbd", o);
        else if (s[i] == '\\')
            fputs("\\\\", o);
        else if (s[i] == '"')
            fputs("\\\"", o);
        else if (s[i] == '\n')
            fputs("\\n", o);
        else
            fwrite(s + i, 1, k, o);
        i += k ? k : 1;
    }
}

/* One unlabelled process_* family; left out when its value could not be read (negative). */
static void process_gauge(FILE *o, const char *name, const char *help, const char *type, double v)
{
    if (v < 0)
        return;
    header(o, name, help, type);
    fprintf(o, "%s %.15g\n", name, v);
}

static void labels(FILE *o, const family_t *f, const series_t *s, const char *le)
{
    fputc('{', o);
    for (int j = 0; j < f->nlabels; j++) {
        fprintf(o, "%s%s=\"", j ? "," : "", f->label_names[j]);
        escaped(o, s->label[j]);
        fputc('"', o);
    }
    if (le)
        fprintf(o, "%sle=\"%s\"", f->nlabels ? "," : "", le);
    fputc('}', o);
}

static void family(FILE *o, const family_t *f)
{
    header(o, f->name, f->help, f->histogram ? "histogram" : "counter");
    for (int i = 0; i < f->n; i++) {
        const series_t *s = &f->s[i];
        if (!f->histogram) {
            fputs(f->name, o);
            labels(o, f, s, NULL);
            fprintf(o, " %" PRIu64 "\n", s->value);
            continue;
        }
        uint64_t cum = 0;
        for (size_t b = 0; b <= NBOUNDS; b++) {
            char le[32];
            if (b < NBOUNDS)
                snprintf(le, sizeof le, "%g", bounds[b]);
            else
                strcpy(le, "+Inf");
            cum += s->bucket[b];
            fprintf(o, "%s_bucket", f->name);
            labels(o, f, s, le);
            fprintf(o, " %" PRIu64 "\n", cum);
        }
        fprintf(o, "%s_sum", f->name);
        labels(o, f, s, NULL);
        fprintf(o, " %.15g\n", s->sum);
        fprintf(o, "%s_count", f->name);
        labels(o, f, s, NULL);
        fprintf(o, " %" PRIu64 "\n", cum);
    }
}

char *sb_metrics_render(sb_metrics_t *m, const sb_metrics_gauges_t *g, size_t *len)
{
    static const sb_metrics_gauges_t none = {0};
    static const char *const job_states[] = {"queued", "processing", "completed", "failed"};
    if (!g)
        g = &none;
    char *buf = NULL;
    size_t n = 0;
    FILE *o = open_memstream(&buf, &n);
    if (!o)
        return NULL;

    pthread_mutex_lock(&m->mu);
    family(o, &m->requests);
    family(o, &m->request_seconds);
    family(o, &m->runs);
    family(o, &m->run_seconds);
    family(o, &m->stage_seconds);
    header(o, "strobe_webhook_deliveries_total", "Webhook delivery attempts, by outcome.", "counter");
    fprintf(o, "strobe_webhook_deliveries_total{outcome=\"delivered\"} %" PRIu64 "\n", m->webhooks_delivered);
    fprintf(o, "strobe_webhook_deliveries_total{outcome=\"failed\"} %" PRIu64 "\n", m->webhooks_failed);
    pthread_mutex_unlock(&m->mu);

    header(o, "strobe_queue_jobs", "Tasks in the work queue, waiting or running.", "gauge");
    fprintf(o, "strobe_queue_jobs{state=\"waiting\"} %d\n", g->queue_waiting);
    fprintf(o, "strobe_queue_jobs{state=\"running\"} %d\n", g->queue_running);
    header(o, "strobe_jobs", "Jobs in the store, by state.", "gauge");
    for (int i = 0; i < 4; i++)
        fprintf(o, "strobe_jobs{state=\"%s\"} %" PRId64 "\n", job_states[i], g->jobs_by_state[i]);
    header(o, "strobe_pixels_in_flight", "Image pixels held by work in progress.", "gauge");
    fprintf(o, "strobe_pixels_in_flight %" PRId64 "\n", g->pixels_in_flight);
    header(o, "strobe_http_deferred_requests", "HTTP requests deferred and not yet resumed.", "gauge");
    fprintf(o, "strobe_http_deferred_requests %d\n", g->http_deferred);
    if (g->version) {
        header(o, "strobe_build_info", "The build: strobe's version and ONNX Runtime's; always 1.", "gauge");
        fputs("strobe_build_info{version=\"", o);
        escaped(o, g->version);
        fputs("\",onnxruntime=\"", o);
        escaped(o, g->onnxruntime ? g->onnxruntime : "");
        fputs("\"} 1\n", o);
    }
    sb_procstat_t ps;
    sb_procstat_read(&ps);
    process_gauge(o, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter",
                  ps.cpu_seconds);
    process_gauge(o, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge",
                  (double)ps.resident_bytes);
    process_gauge(o, "process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge",
                  (double)ps.virtual_bytes);
    process_gauge(o, "process_threads", "Number of OS threads in the process.", "gauge", (double)ps.threads);
    process_gauge(o, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge",
                  ps.start_time);
    process_gauge(o, "process_open_fds", "Number of open file descriptors.", "gauge", (double)ps.open_fds);
    process_gauge(o, "process_max_fds", "Maximum number of open file descriptors.", "gauge", (double)ps.max_fds);

    bool failed = ferror(o);
    if (fclose(o) != 0 || failed) {
        free(buf);
        return NULL;
    }
    if (len)
        *len = n;
    return buf;
}
