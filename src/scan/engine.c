/* engine.c - see engine.h. */
#include "engine.h"
#include "record.h"
#include "../source/source.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/queue.h"
#include "../util/text.h"
#include "../util/timefmt.h"

#include <magic.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MAGIC_BYTES 65536   /* libmagic sees the first bytes only */
#define DATA_MAX 64         /* matched bytes kept per string match */

/* ---- per-file state ---------------------------------------------------------------- */

typedef struct shit {
    const YR_STRING *s;
    uint64_t off;
    uint32_t len;
    uint8_t dlen;
    unsigned char data[DATA_MAX];
} shit;

typedef struct rhit {
    const YR_RULE *rule;
    shit *v;
    size_t n, a;
    int truncated;
} rhit;

typedef struct fjob {
    char *path, *name, *filepath, *owner;
    int in_image, deleted;
    uint64_t fs_offset, size;
    char inode[64];
    unsigned times_set;
    int64_t t[4];
    uint32_t tns[4];
    char filetype[64];
    char *magic;
    unsigned char sha256[32], md5[16], sha1[20];
    int hashed;         /* digests valid */
    int read_failed;    /* content incomplete: no digests */
    rhit *hits;
    size_t nhits, ahits;
    pthread_mutex_t mu;
    int refs;
    kk_docclass doc;    /* damage assessment (first window) */
    int classified;
} fjob;

typedef struct job {
    fjob *f;
    unsigned char *buf;
    size_t alloc;   /* bytes allocated (budget) */
    size_t len;     /* bytes to scan */
    uint64_t base;
    int first;      /* first window: magic (and hashes when whole) */
    int whole;      /* the whole file: hash here */
} job;

typedef struct eng eng;

typedef struct worker {
    eng *e;
    pthread_t th;
    YR_SCANNER *sc;
    magic_t mg;
    EVP_MD_CTX *h256, *hmd5, *hsha1;
    /* current scan */
    job *j;
    rhit *hits;
    size_t nhits, ahits;
} worker;

struct eng {
    const kk_scan_opts *o;
    kk_scan_stats *st;
    kk_queue q;
    worker *w;
    int nw;
    /* memory budget */
    pthread_mutex_t bmu;
    pthread_cond_t bcv;
    size_t used, limit;
    struct { unsigned char *p; size_t cap; } cache[16]; /* freed mappings kept for reuse */
    int ncache;
    size_t cached;
    /* too-many-matches: warned once per rule */
    kk_onceset warned;
    /* damage assessment, per file system */
    pthread_mutex_t vmu;
    struct vstat {
        int in_image;
        uint64_t fs_offset;
        char drive[4];
        uint64_t files, documents, intact, enc_files, enc_bytes;
    } *vs;
    size_t nvs, avs;
    int rc;             /* first fatal error (output cannot be written) */
    char errmsg[512];
};

/* ---- records ----------------------------------------------------------------------- */

static json_t *rec_new(const eng *e, const char *type) { return kk_rec_new(type, e->o->source); }

static void put(eng *e, json_t *r)
{
    int rc = kk_writer_put(e->o->w, r);
    if (rc != KK_OK && e->rc == KK_OK) {
        snprintf(e->errmsg, sizeof e->errmsg, "%s", kk_err_msg());
        e->rc = rc;
    }
}

static void set_file_fields(json_t *r, const fjob *f, int full)
{
    kk_jset_str(r, "path", f->path);
    if (f->in_image) {
        kk_jset_u64(r, "fs_offset", f->fs_offset);
        kk_jset_str(r, "inode", f->inode);
    }
    kk_jset(r, "deleted", json_boolean(f->deleted));
    kk_jset_u64(r, "size", f->size);
    if (f->hashed) {
        char h[65];
        kk_hex(f->sha256, 32, h);
        kk_jset_str(r, "sha256", h);
        if (full) {
            if (f->hashed & 2) { kk_hex(f->md5, 16, h); kk_jset_str(r, "md5", h); }
            if (f->hashed & 4) { kk_hex(f->sha1, 20, h); kk_jset_str(r, "sha1", h); }
        }
    }
    if (!full)
        return;
    kk_jset_str(r, "filetype", f->filetype);
    kk_jset_str(r, "magic", f->magic ? f->magic : "");
    static const char *const tn[4] = {"mtime", "atime", "ctime", "crtime"};
    for (int i = 0; i < 4; i++) {
        if (f->times_set & (1u << i)) {
            char t[KK_TIME_LEN];
            kk_time_iso(f->t[i], f->tns[i], t);
            kk_jset_str(r, tn[i], t);
        }
    }
}

static int cmp_shit(const void *a, const void *b)
{
    const shit *x = a, *y = b;
    if (x->s->idx != y->s->idx)
        return x->s->idx < y->s->idx ? -1 : 1;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return 0;
}

static void emit_ioc(void *ctx, const kk_ioc_hit *h);

typedef struct ioc_ctx {
    eng *e;
    fjob *f;
} ioc_ctx;

static struct vstat *vstat_of(eng *e, const fjob *f)
{
    for (size_t i = 0; i < e->nvs; i++)
        if (e->vs[i].in_image == f->in_image && e->vs[i].fs_offset == f->fs_offset)
            return &e->vs[i];
    if (e->nvs == e->avs) {
        size_t a = e->avs ? e->avs * 2 : 8;
        struct vstat *v = realloc(e->vs, a * sizeof *v);
        if (!v)
            return NULL;
        e->vs = v;
        e->avs = a;
    }
    struct vstat *v = &e->vs[e->nvs++];
    memset(v, 0, sizeof *v);
    v->in_image = f->in_image;
    v->fs_offset = f->in_image ? f->fs_offset : 0;
    if (f->filepath[0] && f->filepath[1] == ':')
        snprintf(v->drive, sizeof v->drive, "%c:", f->filepath[0]);
    return v;
}

static void assess_file(eng *e, fjob *f)
{
    if (!e->o->docs || !f->classified)
        return;
    pthread_mutex_lock(&e->vmu);
    struct vstat *v = vstat_of(e, f);
    if (v) {
        v->files++;
        v->documents += f->doc.document;
        v->intact += f->doc.intact;
        v->enc_files += f->doc.encrypted;
        v->enc_bytes += f->doc.encrypted ? f->size : 0;
    }
    pthread_mutex_unlock(&e->vmu);
    if (!f->doc.encrypted)
        return;
    json_t *r = rec_new(e, "encrypted");
    set_file_fields(r, f, 0);
    kk_jset(r, "entropy", json_real(((long long)(f->doc.entropy * 1000)) / 1000.0));
    kk_jset_str(r, "reason", f->doc.reason);
    kk_jset_str(r, "extension", f->doc.extension);
    kk_jset_str(r, "family", f->doc.family);
    static const char *const tn[4] = {"mtime", "atime", "ctime", "crtime"};
    for (int i = 0; i < 4; i++) {
        if (f->times_set & (1u << i)) {
            char t[KK_TIME_LEN];
            kk_time_iso(f->t[i], f->tns[i], t);
            kk_jset_str(r, tn[i], t);
        }
    }
    put(e, r);
}

static void emit_volume_stats(eng *e)
{
    for (size_t i = 0; e->o->docs && i < e->nvs; i++) {
        struct vstat *v = &e->vs[i];
        json_t *r = rec_new(e, "volume_stats");
        if (v->in_image)
            kk_jset_u64(r, "fs_offset", v->fs_offset);
        if (v->drive[0])
            kk_jset_str(r, "drive", v->drive);
        kk_jset_u64(r, "files", v->files);
        kk_jset_u64(r, "documents", v->documents);
        kk_jset_u64(r, "documents_intact", v->intact);
        kk_jset_u64(r, "encrypted_files", v->enc_files);
        kk_jset_u64(r, "encrypted_bytes", v->enc_bytes);
        put(e, r);
    }
}

static void emit_file(eng *e, fjob *f)
{
    const kk_scan_opts *o = e->o;
    assess_file(e, f);
    for (size_t i = 0; i < f->nhits; i++) {
        rhit *h = &f->hits[i];
        json_t *r = rec_new(e, "match");
        kk_jset_str(r, "rule", h->rule->identifier);
        kk_jset_str(r, "namespace", h->rule->ns->name);
        kk_jset(r, "tags", kk_rule_tags(h->rule));
        kk_jset(r, "meta", kk_rule_meta(h->rule));
        set_file_fields(r, f, 1);
        /* strings: sorted by string then offset, overlap duplicates dropped, capped */
        if (h->n)
            qsort(h->v, h->n, sizeof *h->v, cmp_shit);
        json_t *arr = json_array();
        int truncated = h->truncated;
        size_t per = 0;
        for (size_t k = 0; k < h->n; k++) {
            if (k && h->v[k].s == h->v[k - 1].s && h->v[k].off == h->v[k - 1].off)
                continue;
            per = (k && h->v[k].s == h->v[k - 1].s) ? per + 1 : 0;
            if (o->max_strings && per >= (size_t)o->max_strings) {
                truncated = 1;
                continue;
            }
            json_t *s = json_object();
            kk_jset_str(s, "id", h->v[k].s->identifier);
            kk_jset_u64(s, "offset", h->v[k].off);
            kk_jset_u64(s, "length", h->v[k].len);
            kk_buf b;
            kk_buf_init(&b, 1024);
            kk_escape_bytes(&b, h->v[k].data, h->v[k].dlen);
            kk_jset_str(s, "data", kk_buf_str(&b));
            kk_buf_free(&b);
            json_array_append_new(arr, s);
        }
        kk_jset(r, "strings", arr);
        if (truncated)
            kk_jset(r, "strings_truncated", json_true());
        atomic_fetch_add(&e->st->matches, 1);
        put(e, r);
    }
    if (o->iocs) {
        ioc_ctx ic = {e, f};
        kk_ioc_hit hit;
        if ((f->hashed & 1) && kk_iocs_hash(o->iocs, f->sha256, 32, &hit))
            emit_ioc(&ic, &hit);
        if ((f->hashed & 2) && kk_iocs_hash(o->iocs, f->md5, 16, &hit))
            emit_ioc(&ic, &hit);
        if ((f->hashed & 4) && kk_iocs_hash(o->iocs, f->sha1, 20, &hit))
            emit_ioc(&ic, &hit);
        /* filename IOCs see the path as the OS shows it: C:\Users\... on Windows volumes */
        const char *full = f->path;
        char *win = NULL;
        if (f->in_image && f->filepath && f->filepath[0] && f->filepath[1] == ':') {
            win = kk_asprintf("%s\\%s", f->filepath, f->name);
            if (win)
                full = win;
        }
        kk_iocs_filename(o->iocs, full, emit_ioc, &ic);
        free(win);
    }
}

static void emit_ioc(void *ctx, const kk_ioc_hit *h)
{
    ioc_ctx *ic = ctx;
    json_t *r = rec_new(ic->e, "ioc");
    kk_jset_str(r, "ioc", h->ioc);
    kk_jset_str(r, "kind", h->kind);
    kk_jset(r, "score", json_integer(h->score));
    kk_jset_str(r, "desc", h->desc);
    set_file_fields(r, ic->f, 0);
    atomic_fetch_add(&ic->e->st->ioc_hits, 1);
    put(ic->e, r);
}

static void emit_error(eng *e, const char *what, const fjob *f, const char *msg)
{
    json_t *r = rec_new(e, "error");
    if (f) {
        kk_jset_str(r, "path", f->path);
        if (f->in_image) {
            kk_jset_u64(r, "fs_offset", f->fs_offset);
            kk_jset_str(r, "inode", f->inode);
        }
    }
    kk_jset_str(r, "what", what);
    kk_jset_str(r, "message", msg);
    atomic_fetch_add(&e->st->errors, 1);
    put(e, r);
}

static void fjob_free(fjob *f)
{
    for (size_t i = 0; i < f->nhits; i++)
        free(f->hits[i].v);
    free(f->hits);
    free(f->path);
    free(f->name);
    free(f->filepath);
    free(f->owner);
    free(f->magic);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void fjob_release(eng *e, fjob *f)
{
    pthread_mutex_lock(&f->mu);
    int left = --f->refs;
    pthread_mutex_unlock(&f->mu);
    if (left)
        return;
    emit_file(e, f);
    fjob_free(f);
}

/* ---- memory budget ------------------------------------------------------------------ */

/* Content buffers of 256 KiB and more are mapped directly (malloc would keep freed
 * multi-MiB chunks in its per-thread arenas and the resident size would grow past the
 * budget), in whole MiB, and a few freed ones are kept for reuse so that the kernel does
 * not fault in fresh zero pages for every file. Buffers cached plus in use stay within
 * the budget plus one window. */
#define MAP_MIN (256u << 10)
#define MAP_UNIT ((size_t)1 << 20)

static size_t map_cap(size_t n) { return (n + MAP_UNIT - 1) / MAP_UNIT * MAP_UNIT; }

/* under e->bmu */
static unsigned char *cache_take(eng *e, size_t cap, size_t *got)
{
    int best = -1;
    for (int i = 0; i < e->ncache; i++)
        if (e->cache[i].cap >= cap && e->cache[i].cap <= 2 * cap &&
            (best < 0 || e->cache[i].cap < e->cache[best].cap))
            best = i;
    if (best < 0)
        return NULL;
    unsigned char *p = e->cache[best].p;
    *got = e->cache[best].cap;
    e->cached -= e->cache[best].cap;
    e->cache[best] = e->cache[--e->ncache];
    return p;
}

static unsigned char *budget_alloc(eng *e, size_t n, size_t *capp)
{
    size_t cap = n < MAP_MIN ? (n ? n : 1) : map_cap(n);
    pthread_mutex_lock(&e->bmu);
    while (e->used && e->used + cap > e->limit)
        pthread_cond_wait(&e->bcv, &e->bmu);
    e->used += cap;
    unsigned char *p = NULL;
    if (cap >= MAP_MIN) {
        size_t got = 0;
        p = cache_take(e, cap, &got);
        if (p) { /* the cached mapping may be larger: account for all of it */
            e->used += got - cap;
            cap = got;
        }
    }
    pthread_mutex_unlock(&e->bmu);
    if (!p) {
        if (cap < MAP_MIN) {
            p = malloc(cap);
        } else {
            void *m = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            p = m == MAP_FAILED ? NULL : m;
        }
    }
    if (!p) {
        pthread_mutex_lock(&e->bmu);
        e->used -= cap;
        pthread_cond_broadcast(&e->bcv);
        pthread_mutex_unlock(&e->bmu);
    }
    *capp = cap;
    return p;
}

static void budget_free(eng *e, unsigned char *p, size_t cap)
{
    int unmap = 0;
    pthread_mutex_lock(&e->bmu);
    e->used -= cap;
    if (p && cap >= MAP_MIN) {
        if (e->ncache < (int)(sizeof e->cache / sizeof *e->cache) && e->cached + cap <= e->o->window) {
            e->cache[e->ncache].p = p;
            e->cache[e->ncache++].cap = cap;
            e->cached += cap;
        } else {
            unmap = 1;
        }
    }
    pthread_cond_broadcast(&e->bcv);
    pthread_mutex_unlock(&e->bmu);
    if (p && cap < MAP_MIN)
        free(p);
    else if (unmap)
        munmap(p, cap);
}

static void cache_drop(eng *e)
{
    for (int i = 0; i < e->ncache; i++)
        munmap(e->cache[i].p, e->cache[i].cap);
    e->ncache = 0;
    e->cached = 0;
}

/* ---- workers ------------------------------------------------------------------------ */

static void warn_too_many(worker *w, const YR_STRING *s)
{
    eng *e = w->e;
    if (!kk_onceset_first(&e->warned, (unsigned long)s->rule_idx))
        return; /* one warning per rule and run */
    const YR_RULE *rule = &e->o->rules->yr->rules_table[s->rule_idx];
    char msg[600];
    snprintf(msg, sizeof msg, "string %s of rule %s:%s matches too often (more than %d times in "
             "one file or window): further matches of it are not recorded, and conditions that "
             "count it may be wrong (first seen in '%s')",
             s->identifier, rule->ns->name, rule->identifier, YR_MAX_STRING_MATCHES, w->j->f->path);
    json_t *r = kk_rec_too_many(e->o->source, s, rule);
    kk_jset_str(r, "message", msg);
    atomic_fetch_add(&e->st->warnings, 1);
    put(e, r);
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    worker *w = user;
    if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
        warn_too_many(w, data);
        return CALLBACK_CONTINUE;
    }
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    const YR_RULE *rule = data;
    if (w->nhits == w->ahits) {
        size_t a = w->ahits ? w->ahits * 2 : 8;
        rhit *v = realloc(w->hits, a * sizeof *v);
        if (!v)
            return CALLBACK_ERROR;
        w->hits = v;
        w->ahits = a;
    }
    rhit *h = &w->hits[w->nhits++];
    memset(h, 0, sizeof *h);
    h->rule = rule;
    int cap = w->e->o->max_strings;
    const YR_STRING *s;
    yr_rule_strings_foreach(rule, s)
    {
        int per = 0;
        const YR_MATCH *m;
        yr_string_matches_foreach(ctx, s, m)
        {
            if (cap && per >= cap) {
                h->truncated = 1;
                break;
            }
            if (h->n == h->a) {
                size_t a = h->a ? h->a * 2 : 8;
                shit *v = realloc(h->v, a * sizeof *v);
                if (!v)
                    return CALLBACK_ERROR;
                h->v = v;
                h->a = a;
            }
            shit *x = &h->v[h->n++];
            x->s = s;
            x->off = w->j->base + (uint64_t)(m->base + m->offset);
            x->len = (uint32_t)m->match_length;
            x->dlen = (uint8_t)(m->data_length < DATA_MAX ? m->data_length : DATA_MAX);
            memcpy(x->data, m->data, x->dlen);
            per++;
        }
    }
    return CALLBACK_CONTINUE;
}

/* Merge the hits of one window into the file's hits. */
static void merge_hits(worker *w, fjob *f)
{
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < w->nhits; i++) {
        rhit *src = &w->hits[i];
        rhit *dst = NULL;
        for (size_t k = 0; k < f->nhits; k++)
            if (f->hits[k].rule == src->rule)
                dst = &f->hits[k];
        if (!dst) {
            if (f->nhits == f->ahits) {
                size_t a = f->ahits ? f->ahits * 2 : 4;
                rhit *v = realloc(f->hits, a * sizeof *v);
                if (!v) {
                    free(src->v);
                    continue;
                }
                f->hits = v;
                f->ahits = a;
            }
            f->hits[f->nhits++] = *src; /* takes src->v */
            continue;
        }
        shit *v = src->n ? realloc(dst->v, (dst->n + src->n) * sizeof *v) : NULL;
        if (v) {
            memcpy(v + dst->n, src->v, src->n * sizeof *v);
            dst->v = v;
            dst->n += src->n;
            dst->a = dst->n;
        }
        dst->truncated |= src->truncated;
        free(src->v);
    }
    w->nhits = 0;
    pthread_mutex_unlock(&f->mu);
}

static void hash_all(worker *w, fjob *f, const unsigned char *p, size_t n)
{
    const kk_scan_opts *o = w->e->o;
    unsigned dl;
    EVP_DigestInit_ex(w->h256, EVP_sha256(), NULL);
    EVP_DigestUpdate(w->h256, p, n);
    EVP_DigestFinal_ex(w->h256, f->sha256, &dl);
    f->hashed = 1;
    if (o->want_md5) {
        EVP_DigestInit_ex(w->hmd5, EVP_md5(), NULL);
        EVP_DigestUpdate(w->hmd5, p, n);
        EVP_DigestFinal_ex(w->hmd5, f->md5, &dl);
        f->hashed |= 2;
    }
    if (o->want_sha1) {
        EVP_DigestInit_ex(w->hsha1, EVP_sha1(), NULL);
        EVP_DigestUpdate(w->hsha1, p, n);
        EVP_DigestFinal_ex(w->hsha1, f->sha1, &dl);
        f->hashed |= 4;
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    eng *e = w->e;
    job *j;
    while ((j = kk_queue_pop(&e->q))) {
        fjob *f = j->f;
        w->j = j;
        char ext[64];
        kk_extension(f->name, ext, sizeof ext);
        yr_scanner_define_string_variable(w->sc, "filename", f->name);
        yr_scanner_define_string_variable(w->sc, "filepath", f->filepath);
        yr_scanner_define_string_variable(w->sc, "extension", ext);
        yr_scanner_define_string_variable(w->sc, "filetype", f->filetype);
        yr_scanner_define_string_variable(w->sc, "owner", f->owner);
        w->nhits = 0;
        int yrc = yr_scanner_scan_mem(w->sc, j->buf, j->len);
        if (yrc != ERROR_SUCCESS) {
            char msg[300];
            const char *why = yrc == ERROR_SCAN_TIMEOUT ? "timeout"
                              : yrc == ERROR_INSUFFICIENT_MEMORY ? "out of memory"
                              : yrc == ERROR_TOO_MANY_MATCHES ? "too many matches" : "libyara error";
            snprintf(msg, sizeof msg, "YARA scan of bytes %llu..%llu failed: %s (libyara error %d)",
                     (unsigned long long)j->base, (unsigned long long)(j->base + j->len), why, yrc);
            emit_error(e, "scan", f, msg);
            kk_scan_stats_add_skip(e->st, yrc == ERROR_SCAN_TIMEOUT ? "timeout" : "scan_error", 1, j->len);
            for (size_t i = 0; i < w->nhits; i++)
                free(w->hits[i].v);
            w->nhits = 0;
        } else {
            merge_hits(w, f);
        }
        /* libmagic's text is only reported with matches: a whole file is typed only when
         * it matched; the first window of a large file always (later windows may match) */
        if (j->first && w->mg && (!j->whole || f->nhits)) {
            const char *m = magic_buffer(w->mg, j->buf, j->len < MAGIC_BYTES ? j->len : MAGIC_BYTES);
            f->magic = kk_strdup(m ? m : "");
        }
        if (j->first && e->o->docs) {
            kk_doc_classify(e->o->docs, f->name, j->buf, j->len, f->size, &f->doc);
            f->classified = 1;
        }
        if (j->whole)
            hash_all(w, f, j->buf, j->len);
        budget_free(e, j->buf, j->alloc);
        free(j);
        fjob_release(e, f);
    }
    return NULL;
}

/* ---- reader (runs in the walker's thread) ------------------------------------------- */

/* Queue len bytes of buf (alloc bytes allocated) for the workers; buf is theirs now. */
static int push_job(eng *e, fjob *f, unsigned char *buf, size_t alloc, size_t len, uint64_t base,
                    int first, int whole)
{
    job *j = kk_calloc(1, sizeof *j);
    if (!j) {
        budget_free(e, buf, alloc);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    j->f = f;
    j->buf = buf;
    j->alloc = alloc;
    j->len = len;
    j->base = base;
    j->first = first;
    j->whole = whole;
    pthread_mutex_lock(&f->mu);
    f->refs++;
    pthread_mutex_unlock(&f->mu);
    if (kk_queue_push(&e->q, j) != KK_OK) {
        budget_free(e, buf, alloc);
        free(j);
        fjob_release(e, f);
        return KK_ESTOP;
    }
    return KK_OK;
}

static ssize_t read_full(kk_reader *r, uint64_t off, unsigned char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done > (8u << 20) ? (8u << 20) : n - done;
        ssize_t got = kk_read(r, off + done, buf + done, chunk);
        if (got < 0)
            return -1;
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return (ssize_t)done;
}

static fjob *fjob_new(const kk_file *kf)
{
    fjob *f = kk_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->path = kk_strdup(kf->path);
    f->name = kk_strdup(kf->name);
    f->filepath = kk_strdup(kf->filepath ? kf->filepath : "");
    f->owner = kk_strdup(kf->owner ? kf->owner : "");
    f->in_image = kf->in_image;
    f->deleted = kf->deleted;
    f->fs_offset = kf->fs_offset;
    f->size = kf->size;
    snprintf(f->inode, sizeof f->inode, "%s", kf->inode);
    f->times_set = kf->times_set;
    f->t[0] = kf->mtime; f->tns[0] = kf->mtime_ns;
    f->t[1] = kf->atime; f->tns[1] = kf->atime_ns;
    f->t[2] = kf->ctime; f->tns[2] = kf->ctime_ns;
    f->t[3] = kf->crtime; f->tns[3] = kf->crtime_ns;
    f->refs = 1; /* the reader's */
    pthread_mutex_init(&f->mu, NULL);
    if (!f->path || !f->name || !f->filepath || !f->owner) {
        fjob_free(f);
        return NULL;
    }
    return f;
}

/* One line of a TSK body file (mactime -b): MD5|name|inode|mode|UID|GID|size|atime|mtime|
 * ctime|crtime. Names on Windows volumes carry the drive letter; '|' and newlines in
 * names (hostile) are replaced so every line stays one record. */
static void body_line(FILE *fp, const kk_file *kf)
{
    char mode[16] = "r/r---------";   /* TSK style: type / type + permissions */
    if (kf->has_mode) {
        static const char rwx[] = "rwxrwxrwx";
        for (int i = 0; i < 9; i++)
            mode[3 + i] = (kf->mode & (0400u >> i)) ? rwx[i] : '-';
    }
    kk_buf name;
    kk_buf_init(&name, 1 << 16);
    if (kf->filepath && kf->filepath[0] && kf->filepath[1] == ':')
        kk_buf_add(&name, kf->filepath, 2);
    kk_utf8_clean(&name, kf->path, strlen(kf->path));
    for (size_t i = 0; i < name.len; i++)
        if (name.data[i] == '|' || name.data[i] == '\n' || name.data[i] == '\r')
            name.data[i] = '?';
    fprintf(fp, "0|%s%s|%s|%s|%u|%u|%llu|%lld|%lld|%lld|%lld\n", kk_buf_str(&name),
            kf->deleted ? " (deleted)" : "", kf->inode[0] ? kf->inode : "0", mode,
            kf->has_mode ? kf->uid : 0, kf->has_mode ? kf->gid : 0, (unsigned long long)kf->size,
            (long long)((kf->times_set & KK_T_ATIME) ? kf->atime : 0),
            (long long)((kf->times_set & KK_T_MTIME) ? kf->mtime : 0),
            (long long)((kf->times_set & KK_T_CTIME) ? kf->ctime : 0),
            (long long)((kf->times_set & KK_T_CRTIME) ? kf->crtime : 0));
    kk_buf_free(&name);
}

static int on_file(void *ctx, const kk_file *kf, kk_reader *r)
{
    eng *e = ctx;
    const kk_scan_opts *o = e->o;
    if (e->rc != KK_OK)
        return e->rc;
    pthread_mutex_lock(&e->st->mu);
    snprintf(e->st->current, sizeof e->st->current, "%s", kf->path);
    pthread_mutex_unlock(&e->st->mu);
    if (o->max_filesize && kf->size > o->max_filesize) {
        json_t *rec = rec_new(e, "skip");
        kk_jset_str(rec, "reason", "size_cap");
        kk_jset_str(rec, "path", kf->path);
        kk_jset_u64(rec, "count", 1);
        kk_jset_u64(rec, "bytes", kf->size);
        put(e, rec);
        kk_scan_stats_add_skip(e->st, "size_cap", 1, kf->size);
        return KK_OK;
    }
    if (o->bodyfile)
        body_line(o->bodyfile, kf);
    fjob *f = fjob_new(kf);
    if (!f)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = KK_OK;
    if (kf->size <= o->window) {
        size_t n = (size_t)kf->size;
        size_t cap = 0;
        unsigned char *buf = budget_alloc(e, n, &cap);
        ssize_t got = buf ? read_full(r, 0, buf, n) : -1;
        if (!buf) {
            emit_error(e, "read", f, "out of memory for the file's content");
        } else if (got < 0) {
            emit_error(e, "read", f, kk_err_msg());
            kk_scan_stats_add_skip(e->st, "unreadable", 1, kf->size);
            budget_free(e, buf, cap);
        } else {
            snprintf(f->filetype, sizeof f->filetype, "%s",
                     kk_filetype(o->ftypes, buf, (size_t)got));
            atomic_fetch_add(&e->st->bytes, (uint64_t)got);
            /* a file shorter than its size says: scan what is there */
            rc = push_job(e, f, buf, cap, (size_t)got, 0, 1, 1);
        }
    } else {
        /* Windows of `window` bytes overlapping by `overlap`; hashed here, in order. */
        EVP_MD_CTX *h[3] = {EVP_MD_CTX_new(), o->want_md5 ? EVP_MD_CTX_new() : NULL,
                            o->want_sha1 ? EVP_MD_CTX_new() : NULL};
        const EVP_MD *md[3] = {EVP_sha256(), EVP_md5(), EVP_sha1()};
        for (int i = 0; i < 3; i++)
            if (h[i])
                EVP_DigestInit_ex(h[i], md[i], NULL);
        size_t ov = o->overlap < o->window / 2 ? o->overlap : o->window / 2;
        unsigned char *tail = malloc(ov ? ov : 1);
        size_t tail_len = 0;
        uint64_t off = 0; /* start of the next window */
        int first = 1, ok = tail != NULL;
        while (ok && rc == KK_OK && off < kf->size) {
            if (o->interrupt && *o->interrupt) {
                rc = KK_ESTOP;
                break;
            }
            uint64_t left = kf->size - off;
            size_t len = left < o->window ? (size_t)left : o->window;
            size_t cap = 0;
            unsigned char *buf = budget_alloc(e, len, &cap);
            if (!buf) {
                emit_error(e, "read", f, "out of memory for a window of the file");
                ok = 0;
                break;
            }
            memcpy(buf, tail, tail_len);
            ssize_t got = read_full(r, off + tail_len, buf + tail_len, len - tail_len);
            if (got < 0) {
                emit_error(e, "read", f, kk_err_msg());
                kk_scan_stats_add_skip(e->st, "unreadable", 1, kf->size - off);
                budget_free(e, buf, cap);
                ok = 0;
                break;
            }
            size_t have = tail_len + (size_t)got;
            for (int i = 0; i < 3; i++)
                if (h[i])
                    EVP_DigestUpdate(h[i], buf + tail_len, (size_t)got);
            atomic_fetch_add(&e->st->bytes, (uint64_t)got);
            if (first)
                snprintf(f->filetype, sizeof f->filetype, "%s", kk_filetype(o->ftypes, buf, have));
            int last = have < len || off + have >= kf->size;
            tail_len = (!last && have > ov) ? ov : 0;
            memcpy(tail, buf + have - tail_len, tail_len);
            rc = push_job(e, f, buf, cap, have, off, first, 0);
            first = 0;
            if (last)
                break;
            off += have - tail_len;
        }
        if (ok && rc == KK_OK) {
            unsigned dl;
            EVP_DigestFinal_ex(h[0], f->sha256, &dl);
            f->hashed = 1;
            if (h[1]) { EVP_DigestFinal_ex(h[1], f->md5, &dl); f->hashed |= 2; }
            if (h[2]) { EVP_DigestFinal_ex(h[2], f->sha1, &dl); f->hashed |= 4; }
        }
        for (int i = 0; i < 3; i++)
            EVP_MD_CTX_free(h[i]);
        free(tail);
    }
    atomic_fetch_add(&e->st->files, 1);
    fjob_release(e, f);
    return rc == KK_ESTOP ? kk_err_set(KK_ESTOP, "interrupted") : rc;
}

static void on_event(void *ctx, const kk_event *ev)
{
    eng *e = ctx;
    if (ev->kind == KK_EV_SKIP) {
        kk_scan_stats_add_skip(e->st, ev->what, ev->count, ev->bytes);
        if (!strcmp(ev->what, "excluded"))
            return; /* one aggregate record at the end */
    }
    json_t *r = rec_new(e, ev->kind == KK_EV_ERROR ? "error" : ev->kind == KK_EV_WARNING ? "warning" : "skip");
    if (ev->kind == KK_EV_SKIP)
        kk_jset_str(r, "reason", ev->what);
    else
        kk_jset_str(r, "what", ev->what);
    if (ev->path)
        kk_jset_str(r, "path", ev->path);
    if (ev->has_fs_offset)
        kk_jset_u64(r, "fs_offset", ev->fs_offset);
    if (ev->has_offset)
        kk_jset_u64(r, "offset", ev->offset);
    if (ev->kind == KK_EV_SKIP) {
        kk_jset_u64(r, "count", ev->count);
        kk_jset_u64(r, "bytes", ev->bytes);
    }
    if (ev->message)
        kk_jset_str(r, "message", ev->message);
    if (ev->kind == KK_EV_ERROR)
        atomic_fetch_add(&e->st->errors, 1);
    else if (ev->kind == KK_EV_WARNING)
        atomic_fetch_add(&e->st->warnings, 1);
    put(e, r);
}

static int should_stop(void *ctx)
{
    eng *e = ctx;
    return (e->o->interrupt && *e->o->interrupt) || e->rc != KK_OK;
}

/* ---- public ------------------------------------------------------------------------- */

void kk_scan_stats_init(kk_scan_stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
}

void kk_scan_stats_add_skip(kk_scan_stats *s, const char *reason, uint64_t count, uint64_t bytes)
{
    pthread_mutex_lock(&s->mu);
    int i;
    for (i = 0; i < s->nskip; i++)
        if (!strcmp(s->skip[i].reason, reason))
            break;
    if (i == s->nskip && s->nskip < KK_MAX_SKIP_REASONS) {
        snprintf(s->skip[i].reason, sizeof s->skip[i].reason, "%s", reason);
        s->skip[i].count = s->skip[i].bytes = 0;
        s->nskip++;
    }
    if (i < s->nskip) {
        s->skip[i].count += count;
        s->skip[i].bytes += bytes;
    }
    pthread_mutex_unlock(&s->mu);
}

static void workers_stop(eng *e, int started)
{
    kk_queue_close(&e->q);
    for (int i = 0; i < started; i++)
        pthread_join(e->w[i].th, NULL);
    for (int i = 0; i < e->nw; i++) {
        worker *w = &e->w[i];
        if (w->sc)
            yr_scanner_destroy(w->sc);
        if (w->mg)
            magic_close(w->mg);
        EVP_MD_CTX_free(w->h256);
        EVP_MD_CTX_free(w->hmd5);
        EVP_MD_CTX_free(w->hsha1);
        free(w->hits);
    }
}

int kk_scan_source(const char *spec, const kk_scan_opts *o0, kk_scan_stats *st)
{
    kk_scan_opts oo = *o0; /* defaults for what the caller left at 0 */
    if (!oo.window)
        oo.window = (size_t)64 << 20;
    if (oo.overlap > oo.window / 2)
        oo.overlap = oo.window / 2;
    const kk_scan_opts *o = &oo;
    eng e;
    memset(&e, 0, sizeof e);
    e.o = o;
    e.st = st;
    e.nw = o->threads > 0 ? o->threads : 1;
    e.limit = (size_t)(e.nw + 2) * o->window;
    pthread_mutex_init(&e.bmu, NULL);
    pthread_cond_init(&e.bcv, NULL);
    kk_onceset_init(&e.warned);
    pthread_mutex_init(&e.vmu, NULL);
    int rc = kk_queue_init(&e.q, (size_t)e.nw * 2 + 2);
    e.w = kk_calloc((size_t)e.nw, sizeof *e.w);
    if (rc != KK_OK || !e.w)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int started = 0;
    for (int i = 0; i < e.nw && rc == KK_OK; i++) {
        worker *w = &e.w[i];
        w->e = &e;
        if (yr_scanner_create(o->rules->yr, &w->sc) != ERROR_SUCCESS) {
            rc = kk_err_set(KK_ENOMEM, "cannot create a YARA scanner");
            break;
        }
        yr_scanner_set_callback(w->sc, scan_cb, w);
        if (o->timeout > 0)
            yr_scanner_set_timeout(w->sc, o->timeout);
        w->mg = magic_open(MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_TAR | MAGIC_ERROR);
        if (w->mg && magic_load(w->mg, NULL) != 0) {
            magic_close(w->mg);
            w->mg = NULL;
        }
        w->h256 = EVP_MD_CTX_new();
        w->hmd5 = EVP_MD_CTX_new();
        w->hsha1 = EVP_MD_CTX_new();
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            rc = kk_err_set(KK_EINTERNAL, "cannot start a worker thread");
            break;
        }
        started++;
    }
    if (rc == KK_OK && !e.w[0].mg) {
        json_t *r = rec_new(&e, "warning");
        kk_jset_str(r, "what", "magic");
        kk_jset_str(r, "message", "libmagic database not available: the magic field stays empty");
        atomic_fetch_add(&st->warnings, 1);
        put(&e, r);
    }
    if (rc == KK_OK) {
        kk_walk_opts wo = {.exclude = o->exclude, .priority = o->priority,
                           .priority_only = o->priority_only};
        kk_walk_ops ops = {.ctx = &e, .file = on_file, .event = on_event, .stop = should_stop};
        rc = kk_source_walk(spec, &wo, &ops);
    }
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", kk_err_msg());
    workers_stop(&e, started);
    cache_drop(&e);
    emit_volume_stats(&e);
    free(e.vs);
    pthread_mutex_destroy(&e.vmu);
    kk_err_set(rc, "%s", keep);
    if (e.rc != KK_OK)
        rc = kk_err_set(e.rc, "%s", e.errmsg);
    if (rc == KK_OK && o->interrupt && *o->interrupt)
        rc = kk_err_set(KK_ESTOP, "interrupted");
    kk_queue_destroy(&e.q);
    free(e.w);

    pthread_mutex_destroy(&e.bmu);
    pthread_cond_destroy(&e.bcv);
    kk_onceset_free(&e.warned);
    return rc;
}

typedef struct count_ctx {
    kk_scan_stats *st;
    volatile sig_atomic_t *interrupt;
} count_ctx;

static int count_file(void *ctx, const kk_file *f, kk_reader *r)
{
    (void)r;
    count_ctx *c = ctx;
    atomic_fetch_add(&c->st->total_files, 1);
    atomic_fetch_add(&c->st->total_bytes, f->size);
    return KK_OK;
}

static void count_event(void *ctx, const kk_event *ev)
{
    (void)ctx;
    (void)ev;
}

static int count_stop(void *ctx)
{
    count_ctx *c = ctx;
    return c->interrupt && *c->interrupt;
}

int kk_scan_count(const char *spec, const char *const *exclude, kk_scan_stats *st,
                  volatile sig_atomic_t *interrupt)
{
    count_ctx c = {st, interrupt};
    kk_walk_opts wo = {.exclude = exclude, .metadata_only = 1};
    kk_walk_ops ops = {.ctx = &c, .file = count_file, .event = count_event, .stop = count_stop};
    int rc = kk_source_walk(spec, &wo, &ops);
    if (rc == KK_OK)
        atomic_store(&st->total_known, 1);
    return rc;
}
