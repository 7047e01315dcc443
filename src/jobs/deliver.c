/* deliver.c - a job's results into the store: outputs as blobs, then the result and the charge in one
 * transaction; also the input probe and the latency averages every path shares (internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "util/clock.h"
#include "util/hmac.h"

char *sb_jobs_error_json(const sb_error_t *e)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "code", sb_err_name(e->code), "message", e->message, "field", e->field);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

char *sb_jobs_crashed_json(void)
{
    sb_error_t ce = {0};
    sb_error_set(&ce, SB_ERR_JOB_CRASHED, "",
                 "the server stopped while running this job on each of its %d attempts (its input may crash "
                 "the server); it was not tried again and nothing was charged",
                 SB_JOBS_MAX_ATTEMPTS);
    return sb_jobs_error_json(&ce);
}

static double ewma(double avg, double ms)
{
    return avg > 0 ? 0.8 * avg + 0.2 * ms : ms;
}

/* A completed job's latency, into the recent latency of all jobs and of its pipeline. */
void sb_jobs_record_latency(sb_jobs_t *j, const sb_pipeline_def_t *def, double ms)
{
    int k = sb_pipeline_index(def);
    pthread_mutex_lock(&j->mu);
    j->ewma_ms = ewma(j->ewma_ms, ms);
    j->pipeline_ms[k] = ewma(j->pipeline_ms[k], ms);
    pthread_mutex_unlock(&j->mu);
}

/* The file id of output `i` of job `job_id` (of its item `item`, -1 for none): 32 hex digits of
 * SHA-256 over the three, so that a job run twice (taken over after its holder stalled) writes
 * the same blob names: one set of outputs, whichever run completes. Not guessable without the job id,
 * which only its key sees; and file URLs are signed anyway. */
static void output_id(const char *job_id, int item, int i, char out[SB_ID_MAX])
{
    char msg[SB_ID_MAX + 32], hex[65];
    int n = snprintf(msg, sizeof msg, "%s/%d/%d", job_id, item, i);
    sb_sha256_hex(msg, (size_t)n, hex);
    snprintf(out, SB_ID_MAX, "%.32s", hex);
}

/* Store the outputs as blobs, then record the result and charge in one transaction: of the job, or with
 * item >= 0 of that item of a batch job. */
sb_err sb_jobs_deliver(work_t *w, int item, sb_pipeline_out_t *po, double total_ms, sb_error_t *e)
{
    sb_jobs_t *j = w->j;
    sb_output_t outs[SB_JOB_OUTPUTS_MAX];
    char ids[SB_JOB_OUTPUTS_MAX][SB_ID_MAX];
    char names[SB_JOB_OUTPUTS_MAX][SB_ID_MAX * 2];
    int64_t expires = sb_clock_unix() + j->cfg.file_ttl_s;
    json_t *files = json_array();
    sb_err err = SB_OK;
    int stored = 0;
    for (int i = 0; i < po->n_outputs; i++) {
        const sb_job_output_t *o = &po->outputs[i];
        output_id(w->id, item, i, ids[i]);
        snprintf(names[i], sizeof names[i], "%.39s.%.7s", ids[i], sb_format_ext(o->format));
        err = sb_blob_put(j->blob, names[i], o->data, o->len, e);
        if (err)
            goto fail;
        stored++;
        outs[i] = (sb_output_t){.file_id = ids[i], .ext = sb_format_ext(o->format), .size = (int64_t)o->len, .expires_at = expires};
        json_array_append_new(files, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I}", "file", names[i], "role",
                                               o->role ? o->role : "output", "ext", sb_format_ext(o->format),
                                               "format", sb_format_name(o->format), "width", o->width, "height",
                                               o->height, "expires_at", (json_int_t)expires));
    }
    json_t *result = po->fields ? json_deep_copy(po->fields) : json_object();
    json_object_set_new(result, "files", files);
    files = NULL;
    json_object_set_new(result, "latency_ms", json_integer((json_int_t)(total_ms + 0.5)));
    char *rs = json_dumps(result, JSON_COMPACT);
    json_decref(result);
    int64_t credits = sb_pipeline_credits(w->def, po);
    err = item < 0 ? sb_meta_job_complete(j->meta, w->id, j->owner, outs, po->n_outputs, credits, rs ? rs : "{}", e)
                   : sb_meta_batch_item_complete(j->meta, w->id, item, j->owner, outs, po->n_outputs, credits,
                                                 rs ? rs : "{}", e);
    free(rs);
    if (err)
        goto fail;
    return SB_OK;
fail:
    json_decref(files);
    /* Another run of the same job owns these names now (the lease was lost), or may (the store went down
     * before the answer came): they stay, to be overwritten by the same bytes or completed by that run. */
    if (err == SB_ERR_CONFLICT || err == SB_ERR_STORE_DOWN)
        return err;
    for (int i = 0; i < stored; i++) {
        sb_error_t ignore;
        sb_blob_delete(j->blob, names[i], &ignore);
    }
    return err;
}

sb_err sb_jobs_probe_pixels(const sb_jobs_t *j, const uint8_t *buf, size_t len, const char *field, int64_t *pixels,
                            sb_error_t *e)
{
    sb_image_info_t info;
    sb_decode_opts_t limits = {.max_pixels = j->cfg.max_pixels};
    sb_err err = sb_io_probe(buf, len, &info, e);
    if (!err)
        err = sb_io_check(&info, &limits, e); /* every rule the header answers: pixels, thin, absurd ratios */
    if (err) {
        snprintf(e->field, sizeof e->field, "%s", field);
        return err;
    }
    *pixels = (int64_t)info.width * info.height;
    return SB_OK;
}
