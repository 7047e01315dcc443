/* Metrics registry: counter sums (also from threads), cumulative histograms, label escaping, the
 * series cap, exposition format line by line, process RSS. */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "util/metrics.h"

static char *render(sb_metrics_t *m, const sb_metrics_gauges_t *g)
{
    size_t len = 0;
    char *text = sb_metrics_render(m, g, &len);
    cr_assert_not_null(text);
    cr_assert_eq(len, strlen(text));
    return text;
}

/* The value on the line that starts with `series` and a space; fails the test when there is none. */
static double value_of(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        if (!strchr(line, '\n'))
            break;
    }
    cr_assert_fail("no line for %s in:\n%s", series, text);
    return NAN;
}

static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    size_t k = strlen(prefix);
    for (const char *line = text; line; line = strchr(line, '\n')) {
        if (*line == '\n')
            line++;
        n += strncmp(line, prefix, k) == 0;
    }
    return n;
}

Test(metrics, counters_sum)
{
    sb_metrics_t *m = sb_metrics_new();
    cr_assert_not_null(m);
    for (int i = 0; i < 3; i++)
        sb_metrics_request(m, "/v1/headshot", "POST", 200, 10);
    sb_metrics_request(m, "/v1/headshot", "POST", 422, 10);
    sb_metrics_request(m, "/v1/jobs/{id}", "GET", 200, 1);
    sb_metrics_pipeline(m, "headshot", NULL, 300, "completed");
    sb_metrics_pipeline(m, "headshot", NULL, 300, "completed");
    sb_metrics_pipeline(m, "headshot", NULL, 50, "failed");
    sb_metrics_webhook(m, true);
    sb_metrics_webhook(m, false);
    sb_metrics_webhook(m, false);
    char *t = render(m, NULL);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"/v1/headshot\",method=\"POST\",status=\"200\"}"), 3);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"/v1/headshot\",method=\"POST\",status=\"422\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"/v1/jobs/{id}\",method=\"GET\",status=\"200\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_count{route=\"/v1/headshot\"}"), 4);
    cr_expect_eq(value_of(t, "strobe_pipeline_runs_total{pipeline=\"headshot\",outcome=\"completed\"}"), 2);
    cr_expect_eq(value_of(t, "strobe_pipeline_runs_total{pipeline=\"headshot\",outcome=\"failed\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_pipeline_duration_seconds_count{pipeline=\"headshot\"}"), 3);
    cr_expect_float_eq(value_of(t, "strobe_pipeline_duration_seconds_sum{pipeline=\"headshot\"}"), 0.65, 1e-12);
    cr_expect_eq(value_of(t, "strobe_webhook_deliveries_total{outcome=\"delivered\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_webhook_deliveries_total{outcome=\"failed\"}"), 2);
    free(t);
    sb_metrics_free(m);
}

static void *hammer(void *arg)
{
    sb_metrics_t *m = arg;
    for (int i = 0; i < 10000; i++) {
        sb_metrics_request(m, "/v1/detect", "POST", 200, 2);
        sb_metrics_webhook(m, i % 2 == 0);
    }
    return NULL;
}

Test(metrics, counters_sum_across_threads)
{
    sb_metrics_t *m = sb_metrics_new();
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, hammer, m), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    char *t = render(m, NULL);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"/v1/detect\",method=\"POST\",status=\"200\"}"), 40000);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_count{route=\"/v1/detect\"}"), 40000);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_bucket{route=\"/v1/detect\",le=\"0.005\"}"), 40000);
    cr_expect_float_eq(value_of(t, "strobe_http_request_duration_seconds_sum{route=\"/v1/detect\"}"), 80.0, 1e-9);
    cr_expect_eq(value_of(t, "strobe_webhook_deliveries_total{outcome=\"delivered\"}"), 20000);
    cr_expect_eq(value_of(t, "strobe_webhook_deliveries_total{outcome=\"failed\"}"), 20000);
    free(t);
    sb_metrics_free(m);
}

Test(metrics, histogram_buckets_are_cumulative)
{
    sb_metrics_t *m = sb_metrics_new();
    /* 3 ms, 7 ms, exactly 100 ms (le is inclusive), 20 s (only +Inf), and a negative time read as 0. */
    double ms[] = {3, 7, 100, 20000, -5};
    for (int i = 0; i < 5; i++)
        sb_metrics_request(m, "/r", "GET", 200, ms[i]);
    char *t = render(m, NULL);
    static const struct {
        const char *le;
        int n;
    } want[] = {{"0.005", 2}, {"0.01", 3}, {"0.025", 3}, {"0.05", 3}, {"0.1", 4}, {"0.25", 4},
                {"0.5", 4},   {"1", 4},    {"2.5", 4},   {"5", 4},    {"10", 4}, {"+Inf", 5}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char series[128];
        snprintf(series, sizeof series, "strobe_http_request_duration_seconds_bucket{route=\"/r\",le=\"%s\"}",
                 want[i].le);
        cr_expect_eq(value_of(t, series), want[i].n, "le=%s", want[i].le);
    }
    cr_expect_eq(lines_starting(t, "strobe_http_request_duration_seconds_bucket{"), 12);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_count{route=\"/r\"}"), 5);
    cr_expect_float_eq(value_of(t, "strobe_http_request_duration_seconds_sum{route=\"/r\"}"), 20.11, 1e-9);
    free(t);
    sb_metrics_free(m);
}

Test(metrics, stages_observed_in_seconds)
{
    sb_metrics_t *m = sb_metrics_new();
    sb_stages_t st = {.n = 2};
    st.t[0] = (sb_stage_time_t){"decode", 120};
    st.t[1] = (sb_stage_time_t){"detect", 30};
    sb_metrics_pipeline(m, "headshot", &st, 150, "completed");
    st.t[0].ms = 80;
    sb_metrics_pipeline(m, "headshot", &st, 110, "completed");
    char *t = render(m, NULL);
    const char *dec = "strobe_pipeline_stage_duration_seconds_%s{pipeline=\"headshot\",stage=\"decode\"%s}";
    char s[160];
    snprintf(s, sizeof s, dec, "count", "");
    cr_expect_eq(value_of(t, s), 2);
    snprintf(s, sizeof s, dec, "sum", "");
    cr_expect_float_eq(value_of(t, s), 0.2, 1e-12);
    snprintf(s, sizeof s, dec, "bucket", ",le=\"0.1\"");
    cr_expect_eq(value_of(t, s), 1);
    snprintf(s, sizeof s, dec, "bucket", ",le=\"0.25\"");
    cr_expect_eq(value_of(t, s), 2);
    cr_expect_eq(value_of(t, "strobe_pipeline_stage_duration_seconds_bucket{pipeline=\"headshot\",stage=\"detect\","
                             "le=\"0.05\"}"),
                 2);
    free(t);
    sb_metrics_free(m);
}

Test(metrics, label_values_are_escaped)
{
    sb_metrics_t *m = sb_metrics_new();
    sb_metrics_request(m, "a\\b\"c\nd", "GET", 404, 1);
    char *t = render(m, NULL);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"a\\\\b\\\"c\\nd\",method=\"GET\",status=\"404\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_count{route=\"a\\\\b\\\"c\\nd\"}"), 1);
    free(t);
    sb_metrics_free(m);
}

Test(metrics, series_are_capped_per_family)
{
    enum { CAP = 512 }; /* SERIES_MAX in metrics.c */
    sb_metrics_t *m = sb_metrics_new();
    for (int i = 0; i < 600; i++) {
        char route[32];
        snprintf(route, sizeof route, "/random/%d", i);
        sb_metrics_request(m, route, "GET", 200, 1);
    }
    sb_metrics_request(m, "/random/0", "GET", 200, 1); /* an old series still counts */
    char *t = render(m, NULL);
    cr_expect_eq(lines_starting(t, "strobe_http_requests_total{"), CAP + 1);
    cr_expect_eq(lines_starting(t, "strobe_http_request_duration_seconds_count{"), CAP + 1);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"other\",method=\"other\",status=\"other\"}"),
                 600 - CAP);
    cr_expect_eq(value_of(t, "strobe_http_request_duration_seconds_count{route=\"other\"}"), 600 - CAP);
    cr_expect_eq(value_of(t, "strobe_http_requests_total{route=\"/random/0\",method=\"GET\",status=\"200\"}"), 2);
    cr_expect_eq(lines_starting(t, "strobe_http_requests_total{route=\"/random/599\""), 0);
    free(t);
    sb_metrics_free(m);
}

static bool name_char(char c, bool first)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':' || (!first && isdigit((unsigned char)c));
}

/* Past a metric or label name at *p; false when there is none. */
static bool skip_name(const char **p)
{
    if (!name_char(**p, true))
        return false;
    while (name_char(**p, false))
        (*p)++;
    return true;
}

/* One sample line: name, optional {label="value",...}, one space, a float, nothing after. */
static bool valid_sample(const char *line, char *name, size_t cap)
{
    const char *p = line;
    if (!skip_name(&p) || (size_t)(p - line) >= cap)
        return false;
    memcpy(name, line, (size_t)(p - line));
    name[p - line] = 0;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            if (!skip_name(&p) || *p++ != '=' || *p++ != '"')
                return false;
            for (; *p != '"'; p++) {
                if (!*p || *p == '\n')
                    return false;
                if (*p == '\\' && !strchr("\\\"n", *++p))
                    return false;
            }
            p++;
            if (*p == ',')
                p++;
            else if (*p != '}')
                return false;
        }
        p++;
    }
    if (*p++ != ' ')
        return false;
    char *end;
    strtod(p, &end);
    return end != p && *end == 0;
}

Test(metrics, exposition_parses_line_by_line)
{
    sb_metrics_t *m = sb_metrics_new();
    sb_stages_t st = {.n = 1};
    st.t[0] = (sb_stage_time_t){"render", 42};
    sb_metrics_request(m, "/v1/headshot", "POST", 200, 380);
    sb_metrics_request(m, "we\"ird\\\n", "GET", 404, 0.5);
    sb_metrics_pipeline(m, "headshot", &st, 42, "completed");
    sb_metrics_webhook(m, true);
    sb_metrics_gauges_t g = {.queue_waiting = 3, .queue_running = 2, .jobs_by_state = {5, 2, 70, 1},
                             .pixels_in_flight = 12000000, .http_deferred = 4};
    char *t = render(m, &g);
    cr_assert(strlen(t) > 0 && t[strlen(t) - 1] == '\n', "ends with a newline");

    char typed[32][64] = {{0}};
    int ntyped = 0, samples = 0;
    char *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char name[128];
        if (line[0] == '#') {
            char kind[16], fam[64];
            cr_assert(sscanf(line, "# %15s %63s", kind, fam) == 2, "comment: %s", line);
            cr_assert(!strcmp(kind, "HELP") || !strcmp(kind, "TYPE"), "comment: %s", line);
            if (!strcmp(kind, "TYPE")) {
                char type[16];
                cr_assert(sscanf(line, "# TYPE %*s %15s", type) == 1);
                cr_assert(!strcmp(type, "counter") || !strcmp(type, "gauge") || !strcmp(type, "histogram"),
                          "type: %s", line);
                cr_assert_lt(ntyped, 32);
                strcpy(typed[ntyped++], fam);
            }
            continue;
        }
        cr_assert(valid_sample(line, name, sizeof name), "not a sample: %s", line);
        /* Every sample belongs to the family of the last # TYPE (histograms add suffixes). */
        cr_assert_gt(ntyped, 0);
        const char *fam = typed[ntyped - 1];
        size_t k = strlen(fam);
        cr_assert(strncmp(name, fam, k) == 0 &&
                      (!name[k] || !strcmp(name + k, "_bucket") || !strcmp(name + k, "_sum") ||
                       !strcmp(name + k, "_count")),
                  "%s outside family %s", name, fam);
        samples++;
    }
    cr_expect_eq(ntyped, 17, "10 strobe_ families and the 7 process_ ones");
    cr_expect_gt(samples, 50);
    free(t);
    sb_metrics_free(m);
}

Test(metrics, gauges_and_process)
{
    sb_metrics_t *m = sb_metrics_new();
    sb_metrics_gauges_t g = {.queue_waiting = 3, .queue_running = 2, .jobs_by_state = {5, 2, 70, 1},
                             .pixels_in_flight = 12000000, .http_deferred = 4};
    char *t = render(m, &g);
    cr_expect_eq(value_of(t, "strobe_queue_jobs{state=\"waiting\"}"), 3);
    cr_expect_eq(value_of(t, "strobe_queue_jobs{state=\"running\"}"), 2);
    cr_expect_eq(value_of(t, "strobe_jobs{state=\"queued\"}"), 5);
    cr_expect_eq(value_of(t, "strobe_jobs{state=\"processing\"}"), 2);
    cr_expect_eq(value_of(t, "strobe_jobs{state=\"completed\"}"), 70);
    cr_expect_eq(value_of(t, "strobe_jobs{state=\"failed\"}"), 1);
    cr_expect_eq(value_of(t, "strobe_pixels_in_flight"), 12000000);
    cr_expect_eq(value_of(t, "strobe_http_deferred_requests"), 4);
    cr_expect_gt(value_of(t, "process_resident_memory_bytes"), 0);
    cr_expect_gt(value_of(t, "process_virtual_memory_bytes"), value_of(t, "process_resident_memory_bytes"));
    cr_expect_gt(value_of(t, "process_open_fds"), 2, "stdin, stdout and stderr at least");
    cr_expect_geq(value_of(t, "process_max_fds"), value_of(t, "process_open_fds"));
    cr_expect_geq(value_of(t, "process_threads"), 1);
    cr_expect_geq(value_of(t, "process_cpu_seconds_total"), 0);
    /* Started within the last day, and not in the future. */
    double now = (double)time(NULL), start = value_of(t, "process_start_time_seconds");
    cr_expect(start > now - 86400 && start <= now + 1, "process_start_time_seconds %.0f, now %.0f", start, now);
    cr_expect_null(strstr(t, "strobe_build_info"), "no build info without a version");
    free(t);
    t = render(m, NULL);
    cr_expect_eq(value_of(t, "strobe_pixels_in_flight"), 0, "no gauges read as zeros");
    free(t);
    sb_metrics_free(m);
    sb_metrics_free(NULL);
}

Test(metrics, build_info)
{
    sb_metrics_t *m = sb_metrics_new();
    sb_metrics_gauges_t g = {.version = "0.1.0", .onnxruntime = "1.30\"x"};
    char *t = render(m, &g);
    cr_expect_eq(value_of(t, "strobe_build_info{version=\"0.1.0\",onnxruntime=\"1.30\\\"x\"}"), 1);
    cr_expect_eq(lines_starting(t, "# TYPE strobe_build_info gauge"), 1);
    free(t);
    sb_metrics_free(m);
}
