/* memscan.c - memory images scanned in parallel, overlapping chunks (docs/memory.md).
 *
 * The physical address space of the image (memimg.h) is made of runs of contiguous
 * memory between holes. A run longer than C is cut into pieces of C bytes: piece k
 * "owns" [a, a+C) and is scanned as the window [a, a+C+O) (clipped at the end of the
 * run), so a match that starts in it and is at most O bytes long is seen whole. The last
 * piece of a run (at most C bytes) and the following short runs are packed into one chunk
 * of at most C bytes and scanned in one YARA scan as separate memory blocks.
 * The caller's thread reads chunks into buffers (bounded: at most (threads+2) windows in
 * flight); N workers scan them, one YR_SCANNER each; results are emitted in chunk order
 * by whichever worker completes the chunk that lets the frontier advance. A piece is
 * emitted once the next piece of its run is done, because a string match in the piece's
 * overlap (at or past a+C) is dropped from its record when the next piece matched the
 * same rule (that one reports it): every match is reported once. */
#include "memscan.h"
#include "../scan/record.h"
#include "memimg.h"
#include "pe.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/outfile.h"
#include "../util/queue.h"
#include "../util/text.h"
#include "../util/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA_MAX 64                 /* matched bytes kept per string match */
#define CTX_SIDE 32                 /* context bytes either side of the first string */
#define PAGE 4096u
#define CARVE_CAP (64u << 20)       /* bytes carved per module at most */
#define PE_MAX_DIST (64u << 20)     /* a hit at most this far past its module's header */
#define MAX_CHUNKS (16u << 20)

/* ---- per-chunk results ---------------------------------------------------------------- */

typedef struct mhit {
    const YR_STRING *s;
    uint64_t addr;
    uint32_t len;
    uint8_t dlen;
    uint8_t ovl;                    /* starts in the overlap (owned by the next chunk) */
    unsigned char data[DATA_MAX];
} mhit;

typedef struct mrule {
    const YR_RULE *rule;
    mhit *v;
    size_t n, a;
    int truncated;
} mrule;

typedef struct pehdr {
    uint64_t addr;
    kk_pe_info pe;
} pehdr;

/* A piece of a run of memory, in a chunk's buffer at `at`. */
typedef struct mblock {
    uint64_t addr, len;
    size_t at;
} mblock;

/* A chunk is either one piece of a run longer than C (own = C, win = C+O, nb = 1,
 * seg_last = 0), or the last piece of a run together with whole following runs packed
 * up to C bytes (every block owned, own = win, seg_last = 1). */
typedef struct chunk {
    uint64_t addr, own, win;        /* addr of the first block; sums over the blocks */
    size_t b0, nb;                  /* blocks e->blk[b0 .. b0+nb) */
    int seg_last;
    int done, emitted;
    mrule *rules;
    size_t nrules;
    pehdr *pe;
    size_t npe;
} chunk;

typedef struct carved {
    uint64_t addr;
    json_t *mod;                    /* the "module" object (shared by records) */
} carved;

typedef struct mscan mscan;

typedef struct mworker {
    mscan *e;
    pthread_t th;
    YR_SCANNER *sc;
    size_t ck;                      /* chunk being scanned */
    mrule *rules;
    size_t nrules, arules;
    int oom;
} mworker;

typedef struct mjob {
    size_t ck;
    unsigned char *buf;
} mjob;

struct mscan {
    const kk_mem_opts *o;
    kk_scan_stats *st;
    kk_memimg *img;
    uint64_t C, O;
    int max_strings;
    chunk *ch;
    size_t nch;
    mblock *blk;
    size_t nblk;
    kk_queue q;
    mworker *w;
    int nw;
    /* buffers in flight */
    pthread_mutex_t bmu;
    pthread_cond_t bcv;
    uint64_t used, limit;
    /* results, emission, PE index, carving (rmu) */
    pthread_mutex_t rmu;
    size_t next_emit, indexed;
    pehdr *pe;
    size_t pe0, npe, ape;
    carved *cv;
    size_t ncv, acv;
    /* too-many-matches warnings, once per rule */
    kk_onceset warned;
    int rc;
};

/* ---- records -------------------------------------------------------------------------- */

static json_t *rec_new(const mscan *e, const char *type) { return kk_rec_new(type, e->o->source); }

static void put(mscan *e, json_t *r)
{
    if (kk_writer_put(e->o->w, r) != KK_OK && e->rc == KK_OK)
        e->rc = KK_EIO;
}

static void set_where(mscan *e, json_t *r, uint64_t addr)
{
    uint64_t off;
    if (kk_memimg_offset(e->img, addr, &off) == KK_OK)
        kk_jset_u64(r, "offset", off);
    kk_jset_u64(r, "address", addr);
}

static void emit_error(mscan *e, const char *what, int has_off, uint64_t off, int has_addr,
                       uint64_t addr, const char *msg)
{
    json_t *r = rec_new(e, "error");
    if (has_off)
        kk_jset_u64(r, "offset", off);
    if (has_addr)
        kk_jset_u64(r, "address", addr);
    kk_jset_str(r, "what", what);
    kk_jset_str(r, "message", msg);
    atomic_fetch_add(&e->st->errors, 1);
    put(e, r);
}

/* ---- PE index and carving (under rmu) ------------------------------------------------- */

static void index_chunk(mscan *e, chunk *c, uint64_t emitting)
{
    /* drop headers too far below the chunk being emitted to cover anything from here on */
    while (e->pe0 < e->npe && e->pe[e->pe0].addr + PE_MAX_DIST < emitting)
        e->pe0++;
    if (e->pe0 > 4096 && e->pe0 * 2 > e->npe) {
        memmove(e->pe, e->pe + e->pe0, (e->npe - e->pe0) * sizeof *e->pe);
        e->npe -= e->pe0;
        e->pe0 = 0;
    }
    for (size_t i = 0; i < c->npe; i++) {
        if (e->npe == e->ape) {
            size_t a = e->ape ? e->ape * 2 : 64;
            pehdr *v = realloc(e->pe, a * sizeof *v);
            if (!v)
                return; /* the module is not named: not worth failing the scan */
            e->pe = v;
            e->ape = a;
        }
        e->pe[e->npe++] = c->pe[i];
    }
}

/* The nearest PE header at or below addr whose image covers addr. */
static const pehdr *module_of(const mscan *e, uint64_t addr)
{
    size_t lo = e->pe0, hi = e->npe;
    while (lo < hi) { /* first header above addr */
        size_t mid = lo + (hi - lo) / 2;
        if (e->pe[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i-- > e->pe0;) {
        const pehdr *h = &e->pe[i];
        if (h->addr + PE_MAX_DIST < addr)
            break;
        if (addr < h->addr + h->pe.size_of_image)
            return h;
    }
    return NULL;
}

static json_t *carve(mscan *e, const pehdr *h)
{
    /* already done? (sorted by address, mostly appended at the end) */
    size_t lo = 0, hi = e->ncv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e->cv[mid].addr < h->addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < e->ncv && e->cv[lo].addr == h->addr)
        return json_incref(e->cv[lo].mod);

    json_t *mod = json_object();
    kk_jset_u64(mod, "address", h->addr);
    uint64_t off;
    if (kk_memimg_offset(e->img, h->addr, &off) == KK_OK)
        kk_jset_u64(mod, "offset", off);
    kk_jset_u64(mod, "size_of_image", h->pe.size_of_image);
    char when[KK_TIME_LEN];
    kk_time_iso(h->pe.timestamp, 0, when);
    kk_jset_str(mod, "pe_time", when);
    kk_jset_u64(mod, "machine", h->pe.machine);
    size_t n = h->pe.size_of_image < CARVE_CAP ? h->pe.size_of_image : CARVE_CAP;
    unsigned char *img = malloc(n);
    size_t mapped = 0;
    if (!img || kk_memimg_read(e->img, h->addr, img, n, &mapped) != KK_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot read the module at physical 0x%llx: %s",
                 (unsigned long long)h->addr, img ? kk_err_msg() : "out of memory");
        emit_error(e, "carve", 0, 0, 1, h->addr, msg);
        free(img);
        img = NULL;
    }
    if (img) {
        char name[128];
        kk_pe_export_name(img, n, &h->pe, name, sizeof name);
        if (name[0])
            kk_jset_str(mod, "name", name);
        if (mapped < n)
            kk_jset_u64(mod, "missing", n - mapped); /* holes read as zeros */
    }
    if (img && e->o->carve_dir) {
        unsigned char d[32];
        unsigned dl;
        char hx[65];
        EVP_Digest(img, n, d, &dl, EVP_sha256(), NULL);
        kk_hex(d, 32, hx);
        char *path = kk_asprintf("%s/mod-0x%llx-%.16s.bin", e->o->carve_dir,
                                 (unsigned long long)h->addr, hx);
        int rc = path ? kk_write_file_atomic(path, img, n, 0) : kk_err_set(KK_ENOMEM, "out of memory");
        if (rc == KK_EEXIST)
            rc = KK_OK; /* same address and hash: carved by an earlier run */
        if (rc == KK_OK) {
            kk_jset_str(mod, "file", path);
            kk_jset_str(mod, "sha256", hx);
            kk_jset_u64(mod, "size", n);
            if (n < h->pe.size_of_image)
                kk_jset(mod, "truncated", json_true());
        } else {
            char msg[600];
            snprintf(msg, sizeof msg, "cannot save the module at physical 0x%llx: %s",
                     (unsigned long long)h->addr, kk_err_msg());
            emit_error(e, "carve", 0, 0, 1, h->addr, msg);
        }
        free(path);
    }
    free(img);
    if (e->ncv == e->acv) {
        size_t a = e->acv ? e->acv * 2 : 16;
        carved *v = realloc(e->cv, a * sizeof *v);
        if (!v)
            return mod;
        e->cv = v;
        e->acv = a;
    }
    memmove(e->cv + lo + 1, e->cv + lo, (e->ncv - lo) * sizeof *e->cv);
    e->cv[lo].addr = h->addr;
    e->cv[lo].mod = mod;
    e->ncv++;
    return json_incref(mod);
}

/* ---- emission (under rmu) ------------------------------------------------------------- */

static int cmp_mhit(const void *a, const void *b)
{
    const mhit *x = a, *y = b;
    if (x->s->idx != y->s->idx)
        return x->s->idx < y->s->idx ? -1 : 1;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return 0;
}

static int has_rule(const chunk *c, const YR_RULE *r)
{
    for (size_t i = 0; i < c->nrules; i++)
        if (c->rules[i].rule == r)
            return 1;
    return 0;
}

static void emit_rule(mscan *e, chunk *c, mrule *h, const chunk *next)
{
    int drop_ovl = next && has_rule(next, h->rule);
    size_t had = h->n, k = 0;
    for (size_t i = 0; i < h->n; i++)
        if (!(drop_ovl && h->v[i].ovl))
            h->v[k++] = h->v[i];
    h->n = k;
    if (had && !k)
        return; /* only matches the next chunk reports */
    qsort(h->v, h->n, sizeof *h->v, cmp_mhit);

    json_t *r = rec_new(e, "match");
    kk_jset_str(r, "rule", h->rule->identifier);
    kk_jset_str(r, "namespace", h->rule->ns->name);
    kk_jset(r, "tags", kk_rule_tags(h->rule));
    kk_jset(r, "meta", kk_rule_meta(h->rule));
    /* the first string (lowest address) locates the record */
    const mhit *first = NULL;
    json_t *arr = json_array();
    int truncated = h->truncated;
    size_t per = 0;
    for (size_t i = 0; i < h->n; i++) {
        const mhit *x = &h->v[i];
        if (i && x->s == h->v[i - 1].s && x->addr == h->v[i - 1].addr)
            continue;
        per = (i && x->s == h->v[i - 1].s) ? per + 1 : 0;
        if (e->max_strings && per >= (size_t)e->max_strings) {
            truncated = 1;
            continue;
        }
        if (!first || x->addr < first->addr)
            first = x;
        json_t *s = json_object();
        kk_jset_str(s, "id", x->s->identifier);
        uint64_t off;
        if (kk_memimg_offset(e->img, x->addr, &off) == KK_OK)
            kk_jset_u64(s, "offset", off);
        kk_jset_u64(s, "address", x->addr);
        kk_jset_u64(s, "length", x->len);
        kk_buf b;
        kk_buf_init(&b, 1024);
        kk_escape_bytes(&b, x->data, x->dlen);
        kk_jset_str(s, "data", kk_buf_str(&b));
        kk_buf_free(&b);
        json_array_append_new(arr, s);
    }
    uint64_t at = first ? first->addr : c->addr;
    set_where(e, r, at);
    kk_jset(r, "strings", arr);
    if (truncated)
        kk_jset(r, "strings_truncated", json_true());
    if (first) {
        /* CTX_SIDE bytes either side, within the run of memory that holds the match */
        uint64_t run = kk_memimg_run_start(e->img, first->addr);
        uint64_t from = first->addr - run > CTX_SIDE ? first->addr - CTX_SIDE : run;
        size_t mlen = first->len < DATA_MAX ? first->len : DATA_MAX;
        size_t n = (size_t)(first->addr - from) + mlen + CTX_SIDE;
        n = (size_t)kk_memimg_contig(e->img, from, n);
        unsigned char buf[CTX_SIDE * 2 + DATA_MAX];
        if (kk_memimg_read(e->img, from, buf, n, NULL) == KK_OK) {
            kk_buf b;
            kk_buf_init(&b, 1024);
            kk_escape_bytes(&b, buf, n);
            kk_jset_str(r, "context", kk_buf_str(&b));
            kk_buf_free(&b);
        }
    }
    const pehdr *ph = module_of(e, at);
    if (ph)
        kk_jset(r, "module", carve(e, ph));
    atomic_fetch_add(&e->st->matches, 1);
    put(e, r);
}

static void chunk_free_results(chunk *c)
{
    for (size_t i = 0; i < c->nrules; i++)
        free(c->rules[i].v);
    free(c->rules);
    c->rules = NULL;
    c->nrules = 0;
    free(c->pe);
    c->pe = NULL;
    c->npe = 0;
}

/* Emit every chunk the frontier can pass. final: chunks whose successor never ran
 * (interrupted) are emitted keeping their overlap matches. */
static void advance(mscan *e, int final)
{
    while (e->next_emit < e->nch) {
        chunk *c = &e->ch[e->next_emit];
        if (!c->done) {
            if (!final)
                break;
            e->next_emit++;
            continue;
        }
        chunk *next = c->seg_last ? NULL : &e->ch[e->next_emit + 1];
        if (next && !next->done && !final)
            break;
        if (next && !next->done)
            next = NULL;
        /* PE headers of this chunk and the next: a kept overlap hit may lie beyond */
        while (e->indexed <= e->next_emit + (next ? 1 : 0)) {
            if (e->ch[e->indexed].done)
                index_chunk(e, &e->ch[e->indexed], c->addr);
            e->indexed++;
        }
        for (size_t i = 0; i < c->nrules; i++)
            emit_rule(e, c, &c->rules[i], next);
        c->emitted = 1;
        /* keep the rules of c until the previous chunk is gone: they are not needed */
        if (e->next_emit > 0) {
            chunk *prev = &e->ch[e->next_emit - 1];
            if (prev->emitted)
                chunk_free_results(prev);
        }
        e->next_emit++;
    }
}

/* ---- workers -------------------------------------------------------------------------- */

/* One warning per rule (the first string that overflowed names it), for the whole scan. */
static void warn_too_many(mworker *w, const YR_STRING *s)
{
    mscan *e = w->e;
    if (!kk_onceset_first(&e->warned, (unsigned long)s->rule_idx))
        return; /* one warning per rule and run */
    const chunk *c = &e->ch[w->ck];
    const YR_RULE *rule = &e->o->rules->yr->rules_table[s->rule_idx];
    char msg[700];
    snprintf(msg, sizeof msg, "string %s of rule %s:%s matches too often (more than %d times in one "
             "chunk of %llu bytes, first at physical 0x%llx): further matches of it (and of other strings "
             "of the rule that overflow too) are not recorded, and conditions that count them may be "
             "wrong", s->identifier, rule->ns->name,
             rule->identifier, YR_MAX_STRING_MATCHES, (unsigned long long)c->win,
             (unsigned long long)c->addr);
    json_t *r = kk_rec_too_many(e->o->source, s, rule);
    set_where(e, r, c->addr);
    kk_jset_str(r, "message", msg);
    atomic_fetch_add(&e->st->warnings, 1);
    put(e, r);
}

static mhit *push_hit(mrule *h)
{
    if (h->n == h->a) {
        size_t a = h->a ? h->a * 2 : 8;
        mhit *v = realloc(h->v, a * sizeof *v);
        if (!v)
            return NULL;
        h->v = v;
        h->a = a;
    }
    return &h->v[h->n++];
}

static int scan_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    mworker *w = user;
    if (message == CALLBACK_MSG_TOO_MANY_MATCHES) {
        warn_too_many(w, data);
        return CALLBACK_CONTINUE;
    }
    if (message != CALLBACK_MSG_RULE_MATCHING)
        return CALLBACK_CONTINUE;
    const YR_RULE *rule = data;
    const chunk *c = &w->e->ch[w->ck];
    if (w->nrules == w->arules) {
        size_t a = w->arules ? w->arules * 2 : 8;
        mrule *v = realloc(w->rules, a * sizeof *v);
        if (!v) {
            w->oom = 1;
            return CALLBACK_ERROR;
        }
        w->rules = v;
        w->arules = a;
    }
    mrule *h = &w->rules[w->nrules++];
    memset(h, 0, sizeof *h);
    h->rule = rule;
    size_t cap = (size_t)w->e->max_strings;
    const mblock *blk = &w->e->blk[c->b0];
    uint64_t own_end = c->nb == 1 ? c->addr + c->own : UINT64_MAX; /* packs have no overlap */
    const YR_STRING *s;
    yr_rule_strings_foreach(rule, s)
    {
        if (STRING_IS_PRIVATE(s))
            continue;
        size_t per[2] = {0, 0}; /* owned, overlap: each capped */
        /* libyara 4.2 packs YR_MATCH objects in its notebook without aligning them:
         * copy each one out instead of using yr_string_matches_foreach on it */
        const YR_MATCH *p = ctx->matches[s->idx].head;
        for (YR_MATCH m; p; p = m.next) {
            memcpy(&m, p, sizeof m);
            if (m.is_private)
                continue;
            /* the block: its base is its position in the chunk buffer */
            size_t lo = 0, hi = c->nb;
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (blk[mid].at <= (uint64_t)m.base)
                    lo = mid;
                else
                    hi = mid;
            }
            uint64_t addr = blk[lo].addr + ((uint64_t)m.base - blk[lo].at) + (uint64_t)m.offset;
            int ovl = addr >= own_end;
            if (cap && per[ovl] >= cap) {
                h->truncated = 1;
                continue;
            }
            mhit *x = push_hit(h);
            if (!x) {
                w->oom = 1;
                return CALLBACK_ERROR;
            }
            x->s = s;
            x->addr = addr;
            x->len = (uint32_t)m.match_length;
            x->ovl = (uint8_t)ovl;
            x->dlen = (uint8_t)(m.data_length < DATA_MAX ? m.data_length : DATA_MAX);
            memcpy(x->data, m.data, x->dlen);
            per[ovl]++;
        }
    }
    return CALLBACK_CONTINUE;
}

/* PE headers at page boundaries in the chunk's own bytes. */
static void find_pe(mscan *e, chunk *c, const unsigned char *buf, pehdr **out, size_t *nout)
{
    size_t a = 0;
    *out = NULL;
    *nout = 0;
    for (size_t b = 0; b < c->nb; b++) {
        const mblock *bl = &e->blk[c->b0 + b];
        uint64_t own = c->nb == 1 ? c->own : bl->len;
        uint64_t first = (bl->addr + PAGE - 1) / PAGE * PAGE;
        for (uint64_t p = first; p < bl->addr + own; p += PAGE) {
            const unsigned char *q = buf + bl->at + (p - bl->addr);
            size_t have = (size_t)(bl->len - (p - bl->addr));
            if (have < 2 || q[0] != 'M' || q[1] != 'Z')
                continue;
            unsigned char page[PAGE];
            if (have < PAGE) { /* the header may go past the buffer: read it from the image */
                if (kk_memimg_read(e->img, p, page, PAGE, NULL) != KK_OK)
                    continue;
                q = page;
                have = PAGE;
            }
            kk_pe_info pi;
            if (!kk_pe_check(q, have, &pi))
                continue;
            if (*nout == a) {
                a = a ? a * 2 : 8;
                pehdr *v = realloc(*out, a * sizeof *v);
                if (!v)
                    return;
                *out = v;
            }
            (*out)[*nout].addr = p;
            (*out)[*nout].pe = pi;
            (*nout)++;
        }
    }
}

/* YARA's memory-block iterator over the blocks of a packed chunk: block bases are their
 * positions in the chunk buffer, so conditions see the runs laid end to end. */
typedef struct blkit {
    const mblock *blk;
    size_t nb, i;
    const unsigned char *buf;
    uint64_t size;
    YR_MEMORY_BLOCK cur;
} blkit;

static const uint8_t *blk_fetch(YR_MEMORY_BLOCK *b)
{
    blkit *it = b->context;
    return it->buf + it->blk[it->i].at;
}

static YR_MEMORY_BLOCK *blk_at(blkit *it)
{
    if (it->i >= it->nb)
        return NULL;
    it->cur.size = (size_t)it->blk[it->i].len;
    it->cur.base = it->blk[it->i].at;
    it->cur.context = it;
    it->cur.fetch_data = blk_fetch;
    return &it->cur;
}

static YR_MEMORY_BLOCK *blk_first(YR_MEMORY_BLOCK_ITERATOR *self)
{
    blkit *it = self->context;
    it->i = 0;
    return blk_at(it);
}

static YR_MEMORY_BLOCK *blk_next(YR_MEMORY_BLOCK_ITERATOR *self)
{
    blkit *it = self->context;
    it->i++;
    return blk_at(it);
}

static uint64_t blk_size(YR_MEMORY_BLOCK_ITERATOR *self)
{
    blkit *it = self->context;
    return it->size;
}

static int scan_chunk(mworker *w, const chunk *c, const unsigned char *buf)
{
    if (c->nb == 1)
        return yr_scanner_scan_mem(w->sc, buf, (size_t)c->win);
    blkit it = {.blk = &w->e->blk[c->b0], .nb = c->nb, .buf = buf, .size = c->win};
    YR_MEMORY_BLOCK_ITERATOR iter = {.context = &it, .first = blk_first, .next = blk_next,
                                     .file_size = blk_size, .last_error = ERROR_SUCCESS};
    return yr_scanner_scan_mem_blocks(w->sc, &iter);
}

static void chunk_done(mscan *e, size_t ck, mrule *rules, size_t nrules, pehdr *pe, size_t npe)
{
    pthread_mutex_lock(&e->rmu);
    chunk *c = &e->ch[ck];
    c->rules = rules;
    c->nrules = nrules;
    c->pe = pe;
    c->npe = npe;
    c->done = 1;
    advance(e, 0);
    pthread_mutex_unlock(&e->rmu);
}

static unsigned char *budget_alloc(mscan *e, size_t n)
{
    pthread_mutex_lock(&e->bmu);
    while (e->used && e->used + n > e->limit)
        pthread_cond_wait(&e->bcv, &e->bmu);
    e->used += n;
    pthread_mutex_unlock(&e->bmu);
    unsigned char *p = malloc(n ? n : 1);
    if (!p) {
        pthread_mutex_lock(&e->bmu);
        e->used -= n;
        pthread_cond_broadcast(&e->bcv);
        pthread_mutex_unlock(&e->bmu);
    }
    return p;
}

static void budget_free(mscan *e, unsigned char *p, size_t n)
{
    free(p);
    pthread_mutex_lock(&e->bmu);
    e->used -= n;
    pthread_cond_broadcast(&e->bcv);
    pthread_mutex_unlock(&e->bmu);
}

static void *worker_main(void *arg)
{
    mworker *w = arg;
    mscan *e = w->e;
    mjob *j;
    while ((j = kk_queue_pop(&e->q))) {
        chunk *c = &e->ch[j->ck];
        w->ck = j->ck;
        w->nrules = 0;
        w->oom = 0;
        int stop = e->o->interrupt && *e->o->interrupt;
        int yrc = stop ? ERROR_SUCCESS : scan_chunk(w, c, j->buf);
        if (!stop && yrc != ERROR_SUCCESS) {
            char msg[300];
            const char *why = w->oom ? "out of memory"
                              : yrc == ERROR_SCAN_TIMEOUT ? "timeout"
                              : yrc == ERROR_INSUFFICIENT_MEMORY ? "out of memory"
                              : yrc == ERROR_TOO_MANY_MATCHES ? "too many matches" : "libyara error";
            snprintf(msg, sizeof msg, "YARA scan of physical 0x%llx-0x%llx failed: %s (libyara error %d)",
                     (unsigned long long)c->addr, (unsigned long long)(c->addr + c->win - 1), why, yrc);
            uint64_t off = 0;
            int has = kk_memimg_offset(e->img, c->addr, &off) == KK_OK;
            emit_error(e, "scan", has, off, 1, c->addr, msg);
            kk_scan_stats_add_skip(e->st, yrc == ERROR_SCAN_TIMEOUT ? "timeout" : "scan_error", 1, c->own);
            for (size_t i = 0; i < w->nrules; i++)
                free(w->rules[i].v);
            w->nrules = 0;
        } else if (!stop) {
            atomic_fetch_add(&e->st->bytes, c->own);
        }
        pehdr *pe = NULL;
        size_t npe = 0;
        if (!stop)
            find_pe(e, c, j->buf, &pe, &npe);
        mrule *rules = NULL;
        if (w->nrules) {
            rules = malloc(w->nrules * sizeof *rules);
            if (rules) {
                memcpy(rules, w->rules, w->nrules * sizeof *rules);
            } else {
                for (size_t i = 0; i < w->nrules; i++)
                    free(w->rules[i].v);
                w->nrules = 0;
            }
        }
        budget_free(e, j->buf, (size_t)c->win);
        free(j);
        chunk_done(e, w->ck, rules, w->nrules, pe, npe);
    }
    return NULL;
}

/* ---- setup ---------------------------------------------------------------------------- */

static int parse_env_size(const char *var, uint64_t *out)
{
    const char *s = getenv(var);
    if (!s || !*s)
        return KK_OK;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned long long mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ull * 1024 * 1024, end++;
    if (end == s || *end || errno || v > (1ull << 40) / mul)
        return kk_err_set(KK_EINVAL, "invalid %s '%s': give a size such as 16M", var, s);
    *out = v * mul;
    return KK_OK;
}

#define PACK_MAX_BLOCKS 65536

static int add_block(mscan *e, size_t *ablk, uint64_t addr, uint64_t len, size_t at)
{
    if (e->nblk == *ablk) {
        size_t a = *ablk ? *ablk * 2 : 64;
        mblock *v = realloc(e->blk, a * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        e->blk = v;
        *ablk = a;
    }
    e->blk[e->nblk].addr = addr;
    e->blk[e->nblk].len = len;
    e->blk[e->nblk].at = at;
    e->nblk++;
    return KK_OK;
}

static int new_chunk(mscan *e, size_t *ach)
{
    if (e->nch >= MAX_CHUNKS)
        return kk_err_set(KK_EINVAL, "memory image too large for chunks of %llu bytes (more than "
                          "%u chunks)", (unsigned long long)e->C, MAX_CHUNKS);
    if (e->nch == *ach) {
        size_t a = *ach ? *ach * 2 : 64;
        chunk *v = realloc(e->ch, a * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        e->ch = v;
        *ach = a;
    }
    memset(&e->ch[e->nch], 0, sizeof *e->ch);
    e->ch[e->nch].b0 = e->nblk;
    e->nch++;
    return KK_OK;
}

/* Cut every run of memory into chunks; pack short pieces together (one YARA scan has a
 * fixed cost, large with big rule sets: sparse dumps would otherwise crawl). */
static int plan_chunks(mscan *e)
{
    const kk_memimg *m = e->img;
    size_t ach = 0, ablk = 0;
    int open_pack = 0; /* the last chunk is a pack that may take more blocks */
    for (size_t i = 0; i < m->next;) {
        uint64_t start = m->ext[i].addr, end = start + m->ext[i].len;
        size_t k = i + 1;
        while (k < m->next && m->ext[k].addr == end) {
            end += m->ext[k].len;
            k++;
        }
        i = k;
        uint64_t a = start;
        while (end - a > e->C) { /* pieces of a long run, in address order */
            KK_TRY(new_chunk(e, &ach));
            chunk *c = &e->ch[e->nch - 1];
            c->addr = a;
            c->own = e->C;
            c->win = end - a < e->C + e->O ? end - a : e->C + e->O;
            c->nb = 1;
            c->seg_last = 0;
            KK_TRY(add_block(e, &ablk, a, c->win, 0));
            a += e->C;
            open_pack = 0;
        }
        uint64_t len = end - a; /* the last piece: 1..C bytes, wholly owned */
        chunk *c = open_pack ? &e->ch[e->nch - 1] : NULL;
        if (c && c->win + len <= e->C && c->nb < PACK_MAX_BLOCKS) {
            KK_TRY(add_block(e, &ablk, a, len, (size_t)c->win));
            c->own += len;
            c->win += len;
            c->nb++;
            continue;
        }
        KK_TRY(new_chunk(e, &ach));
        c = &e->ch[e->nch - 1];
        c->addr = a;
        c->own = c->win = len;
        c->nb = 1;
        c->seg_last = 1;
        KK_TRY(add_block(e, &ablk, a, len, 0));
        open_pack = 1;
    }
    return KK_OK;
}

int kk_mem_detect(const char *spec)
{
    int fd = open(spec, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    kk_memkind k = kk_memimg_probe(fd, spec);
    close(fd);
    return k != KK_MEM_NONE;
}

static int prepare_carve_dir(const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return kk_err_set(KK_EINVAL, "carve directory '%s' is not a directory", dir);
        return KK_OK;
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return kk_err_set(KK_EIO, "cannot create carve directory '%s': %s", dir, strerror(errno));
    return KK_OK;
}

int kk_mem_scan(const char *spec, const kk_mem_opts *o, kk_scan_stats *st)
{
    mscan e;
    memset(&e, 0, sizeof e);
    e.o = o;
    e.st = st;
    e.C = o->chunk;
    e.O = o->overlap;
    e.max_strings = o->max_strings;
    int rc = KK_OK, oset = o->overlap != 0;
    if (!e.C)
        KK_TRY(parse_env_size("KAKETSUKE_MEM_CHUNK", &e.C));
    if (!oset && getenv("KAKETSUKE_MEM_OVERLAP") && *getenv("KAKETSUKE_MEM_OVERLAP")) {
        KK_TRY(parse_env_size("KAKETSUKE_MEM_OVERLAP", &e.O));
        oset = 1;
    }
    if (!e.C)
        e.C = KK_MEM_DEFAULT_CHUNK;
    if (!oset)
        e.O = KK_MEM_DEFAULT_OVERLAP < e.C ? KK_MEM_DEFAULT_OVERLAP : e.C;
    if (e.C < PAGE || e.C > (1ull << 31))
        return kk_err_set(KK_EINVAL, "memory chunk size %llu is out of range (4K to 2G)",
                          (unsigned long long)e.C);
    if (e.O > e.C)
        return kk_err_set(KK_EINVAL, "memory chunk overlap %llu is larger than the chunk size %llu",
                          (unsigned long long)e.O, (unsigned long long)e.C);
    if (o->carve_dir)
        KK_TRY(prepare_carve_dir(o->carve_dir));
    KK_TRY(kk_memimg_open(spec, o->forced, &e.img));

    pthread_mutex_lock(&st->mu);
    snprintf(st->current, sizeof st->current, "%s", spec);
    pthread_mutex_unlock(&st->mu);
    for (size_t i = 0; i < e.img->nissues; i++) {
        json_t *r = rec_new(&e, "error");
        kk_jset_u64(r, "offset", e.img->issues[i].offset);
        kk_jset_str(r, "what", "parse");
        kk_jset_str(r, "message", e.img->issues[i].message);
        atomic_fetch_add(&st->errors, 1);
        put(&e, r);
    }
    e.nw = o->threads > 0 ? o->threads : 1;
    e.limit = (uint64_t)(e.nw + 2) * (e.C + e.O);
    pthread_mutex_init(&e.bmu, NULL);
    pthread_cond_init(&e.bcv, NULL);
    pthread_mutex_init(&e.rmu, NULL);
    kk_onceset_init(&e.warned);
    int qok = 0, started = 0;
    rc = plan_chunks(&e);
    if (rc == KK_OK) {
        rc = kk_queue_init(&e.q, (size_t)e.nw * 2 + 2);
        qok = rc == KK_OK;
    }
    if (rc == KK_OK && !(e.w = kk_calloc((size_t)e.nw, sizeof *e.w)))
        rc = kk_err_set(KK_ENOMEM, "out of memory");
    for (int i = 0; rc == KK_OK && i < e.nw; i++) {
        mworker *w = &e.w[i];
        w->e = &e;
        if (yr_scanner_create(o->rules->yr, &w->sc) != ERROR_SUCCESS) {
            rc = kk_err_set(KK_ENOMEM, "cannot create a YARA scanner");
            break;
        }
        yr_scanner_set_callback(w->sc, scan_cb, w);
        if (o->timeout > 0)
            yr_scanner_set_timeout(w->sc, o->timeout);
        if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
            rc = kk_err_set(KK_EINTERNAL, "cannot start a worker thread");
            break;
        }
        started++;
    }
    /* read windows in order and hand them to the workers */
    for (size_t k = 0; rc == KK_OK && k < e.nch; k++) {
        if ((o->interrupt && *o->interrupt) || e.rc != KK_OK)
            break;
        chunk *c = &e.ch[k];
        unsigned char *buf = budget_alloc(&e, (size_t)c->win);
        if (!buf) {
            rc = kk_err_set(KK_ENOMEM, "out of memory for a chunk of %llu bytes",
                            (unsigned long long)c->win);
            break;
        }
        int rrc = KK_OK;
        for (size_t b = 0; b < c->nb && rrc == KK_OK; b++) {
            const mblock *bl = &e.blk[c->b0 + b];
            rrc = kk_memimg_read(e.img, bl->addr, buf + bl->at, (size_t)bl->len, NULL);
        }
        if (rrc != KK_OK) {
            uint64_t off = 0;
            int has = kk_memimg_offset(e.img, c->addr, &off) == KK_OK;
            emit_error(&e, "read", has, off, 1, c->addr, kk_err_msg());
            kk_scan_stats_add_skip(st, "unreadable", 1, c->own);
            budget_free(&e, buf, (size_t)c->win);
            chunk_done(&e, k, NULL, 0, NULL, 0);
            continue;
        }
        mjob *j = kk_calloc(1, sizeof *j);
        if (!j) {
            budget_free(&e, buf, (size_t)c->win);
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            break;
        }
        j->ck = k;
        j->buf = buf;
        if (kk_queue_push(&e.q, j) != KK_OK) {
            budget_free(&e, buf, (size_t)c->win);
            free(j);
            break;
        }
    }
    char keep[1024];
    snprintf(keep, sizeof keep, "%s", kk_err_msg());
    if (qok)
        kk_queue_close(&e.q);
    for (int i = 0; i < started; i++)
        pthread_join(e.w[i].th, NULL);
    pthread_mutex_lock(&e.rmu);
    advance(&e, 1);
    pthread_mutex_unlock(&e.rmu);
    for (int i = 0; e.w && i < e.nw; i++) {
        if (e.w[i].sc)
            yr_scanner_destroy(e.w[i].sc);
        free(e.w[i].rules);
    }
    kk_err_set(rc, "%s", keep);
    if (rc == KK_OK && e.rc != KK_OK)
        rc = kk_err_set(e.rc, "cannot write the findings output");
    if (rc == KK_OK && o->interrupt && *o->interrupt)
        rc = kk_err_set(KK_ESTOP, "interrupted");
    atomic_fetch_add(&st->files, 1);

    for (size_t i = 0; i < e.nch; i++)
        chunk_free_results(&e.ch[i]);
    for (size_t i = 0; i < e.ncv; i++)
        json_decref(e.cv[i].mod);
    free(e.cv);
    free(e.pe);
    free(e.ch);
    free(e.blk);
    free(e.w);

    if (qok)
        kk_queue_destroy(&e.q);
    pthread_mutex_destroy(&e.bmu);
    pthread_cond_destroy(&e.bcv);
    pthread_mutex_destroy(&e.rmu);
    kk_onceset_free(&e.warned);
    kk_memimg_close(e.img);
    return rc;
}
