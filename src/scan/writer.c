#include "writer.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/outfile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct kk_writer {
    kk_outfile out;
    pthread_mutex_t mu;
    int rc;
    char errmsg[512];
    kk_record_fn fn;
    void *ctx;
};

int kk_writer_open(kk_writer **wp, const char *path, int force)
{
    kk_writer *w = calloc(1, sizeof *w);
    if (!w)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = kk_outfile_open(&w->out, path, force);
    if (rc != KK_OK) {
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    *wp = w;
    return KK_OK;
}

void kk_writer_on_record(kk_writer *w, kk_record_fn fn, void *ctx)
{
    w->fn = fn;
    w->ctx = ctx;
}

int kk_writer_put(kk_writer *w, json_t *rec)
{
    if (!rec)
        return kk_err_set(KK_ENOMEM, "out of memory building a record");
    char *line = kk_jdump(rec);
    pthread_mutex_lock(&w->mu);
    int rc = w->rc;
    if (rc == KK_OK) {
        if (!line) {
            rc = kk_err_set(KK_ENOMEM, "out of memory writing a record");
        } else {
            size_t n = strlen(line);
            line[n] = '\n';
            rc = kk_outfile_write(&w->out, line, n + 1);
            line[n] = '\0';
        }
        if (rc != KK_OK) {
            w->rc = rc;
            snprintf(w->errmsg, sizeof w->errmsg, "%s", kk_err_msg());
        } else if (w->fn) {
            w->fn(w->ctx, rec);
        }
    } else {
        kk_err_set(rc, "%s", w->errmsg);
    }
    pthread_mutex_unlock(&w->mu);
    free(line);
    json_decref(rec);
    return rc;
}

int kk_writer_close(kk_writer *w, int ok)
{
    int rc = w->rc;
    if (rc != KK_OK)
        kk_err_set(rc, "%s", w->errmsg);
    if (rc == KK_OK && ok)
        rc = kk_outfile_commit(&w->out);
    else
        kk_outfile_abort(&w->out);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return rc;
}
