/* model.c - the report model from a case folder or a bundle (see model.h,
 * docs/formats/report.md, docs/assessment.md). */
#include "model.h"
#include "assess.h"
#include "playbook.h"
#include "ppc.h"
#include "timeline.h"
#include "../evidence/case.h"
#include "../evidence/evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define KK_REPORT_TOOL_VERSION "0.1.0"
#define SMALL_MAX ((size_t)64 << 20)  /* case.json, manifest.json */
#define LINE_MAX_BYTES ((size_t)16 << 20)
#define COLLECTED_MAX 200000
#define MEMORY_FILES_MAX 10000

/* ---- language, time ------------------------------------------------------------------- */

const char *kk_pick(const char *lang, const char *en, const char *ja)
{
    return lang && !strcmp(lang, "ja") ? ja : en;
}

void kk_zone_enter(kk_zone *z, const char *tz)
{
    const char *o = getenv("TZ");
    z->had = o != NULL;
    z->old = o ? kk_strdup(o) : NULL;
    if (tz && kk_tz_valid(tz)) {
        setenv("TZ", tz, 1);
        tzset();
    }
}

void kk_zone_leave(kk_zone *z)
{
    if (z->had && z->old)
        setenv("TZ", z->old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(z->old);
    z->old = NULL;
}

void kk_local_date(int64_t epoch, const char *tz, char out[11])
{
    char buf[KK_TIME_LEN];
    kk_time_in_zone(epoch, tz, buf);
    snprintf(out, 11, "%.10s", buf);
}

/* ---- hash set -------------------------------------------------------------------------- */

uint64_t kk_hash64(const void *p, size_t n, uint64_t seed)
{
    /* FNV-1a, then a final mix (splitmix64) */
    uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    return h;
}

static int hset_grow(kk_hset *s)
{
    size_t cap = s->cap ? s->cap * 2 : 1024;
    if (cap > ((size_t)1 << 28))
        return KK_ENOMEM;
    uint64_t *v = kk_calloc(cap, sizeof *v);
    if (!v)
        return KK_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        uint64_t h = s->v[i];
        if (!h)
            continue;
        size_t j = (size_t)h & (cap - 1);
        while (v[j])
            j = (j + 1) & (cap - 1);
        v[j] = h;
    }
    free(s->v);
    s->v = v;
    s->cap = cap;
    return KK_OK;
}

int kk_hset_add(kk_hset *s, uint64_t h)
{
    if (!h) {
        int was = s->has_zero;
        s->has_zero = 1;
        return !was;
    }
    if ((s->n + 1) * 2 > s->cap && hset_grow(s) != KK_OK)
        return -1;
    size_t j = (size_t)h & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == h)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->v[j] = h;
    s->n++;
    return 1;
}

int kk_hset_has(const kk_hset *s, uint64_t h)
{
    if (!h)
        return s->has_zero;
    if (!s->cap)
        return 0;
    size_t j = (size_t)h & (s->cap - 1);
    while (s->v[j]) {
        if (s->v[j] == h)
            return 1;
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

void kk_hset_free(kk_hset *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- reading a case folder or a bundle -------------------------------------------------- */

struct kk_rsrc {
    char *path;
    int zip;
    zip_t *za;
    json_t *members; /* bundle: name -> manifest member */
};

/* Names we open are relative and never climb out of the folder. */
static int safe_name(const char *name)
{
    if (!name || !*name || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

int kk_rsrc_open(const char *path, int is_zip, kk_rsrc **out)
{
    kk_rsrc *r = kk_calloc(1, sizeof *r);
    if (!r || !(r->path = kk_strdup(path))) {
        free(r);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    r->zip = is_zip;
    struct stat st;
    if (stat(path, &st) != 0) {
        int e = errno;
        kk_rsrc_close(r);
        return kk_err_set(e == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s': %s", path, strerror(e));
    }
    if (!is_zip) {
        if (!S_ISDIR(st.st_mode)) {
            kk_rsrc_close(r);
            return kk_err_set(KK_EINVAL, "'%s' is not a case folder", path);
        }
        *out = r;
        return KK_OK;
    }
    int err = 0;
    r->za = zip_open(path, ZIP_RDONLY, &err);
    if (!r->za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        int rc = kk_err_set(KK_EFORMAT, "cannot open bundle '%s': %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        kk_rsrc_close(r);
        return rc;
    }
    r->members = json_object();
    char *man = NULL;
    size_t n = 0;
    if (kk_rsrc_read(r, "manifest.json", SMALL_MAX, &man, &n) == KK_OK) {
        json_t *m = json_loadb(man, n, 0, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(m, "members"), i, v)
        {
            const char *name = json_string_value(json_object_get(v, "name"));
            if (name)
                json_object_set(r->members, name, v);
        }
        if (m)
            json_object_set_new(r->members, "\x01manifest", m);
    }
    free(man);
    *out = r;
    return KK_OK;
}

void kk_rsrc_close(kk_rsrc *r)
{
    if (!r)
        return;
    if (r->za)
        zip_discard(r->za);
    json_decref(r->members);
    free(r->path);
    free(r);
}

int kk_rsrc_is_zip(const kk_rsrc *r) { return r->zip; }
const char *kk_rsrc_path(const kk_rsrc *r) { return r->path; }

static json_t *rsrc_manifest(kk_rsrc *r) { return json_object_get(r->members, "\x01manifest"); }

int kk_rsrc_has(kk_rsrc *r, const char *name, uint64_t *size)
{
    if (!safe_name(name))
        return 0;
    if (r->zip) {
        zip_stat_t zs;
        zip_stat_init(&zs);
        if (zip_stat(r->za, name, ZIP_FL_ENC_RAW, &zs) != 0)
            return 0;
        if (size)
            *size = (zs.valid & ZIP_STAT_SIZE) ? (uint64_t)zs.size : 0;
        return 1;
    }
    char *p = kk_join(r->path, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
    if (ok && size)
        *size = (uint64_t)st.st_size;
    free(p);
    return ok;
}

typedef struct chunker {
    int fd;
    zip_file_t *zf;
} chunker;

static int chunk_open(kk_rsrc *r, const char *name, chunker *c)
{
    c->fd = -1;
    c->zf = NULL;
    if (!safe_name(name))
        return kk_err_set(KK_EINVAL, "unsafe member name '%s'", name);
    if (r->zip) {
        c->zf = zip_fopen(r->za, name, ZIP_FL_ENC_RAW);
        if (!c->zf)
            return kk_err_set(KK_ENOENT, "cannot open '%s' in '%s': %s", name, r->path, zip_strerror(r->za));
        return KK_OK;
    }
    char *p = kk_join(r->path, name);
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory");
    c->fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int e = errno;
    free(p);
    if (c->fd < 0)
        return kk_err_set(e == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s/%s': %s", r->path, name, strerror(e));
    return KK_OK;
}

static long long chunk_read(chunker *c, void *buf, size_t n)
{
    if (c->zf)
        return (long long)zip_fread(c->zf, buf, n);
    for (;;) {
        ssize_t k = read(c->fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        return (long long)k;
    }
}

static void chunk_close(chunker *c)
{
    if (c->zf)
        zip_fclose(c->zf);
    if (c->fd >= 0)
        close(c->fd);
}

int kk_rsrc_read(kk_rsrc *r, const char *name, size_t cap, char **data, size_t *n)
{
    *data = NULL;
    *n = 0;
    chunker c;
    KK_TRY(chunk_open(r, name, &c));
    kk_buf b;
    kk_buf_init(&b, cap);
    char *tmp = malloc(1 << 16);
    int rc = tmp ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
    while (rc == KK_OK) {
        long long k = chunk_read(&c, tmp, 1 << 16);
        if (k < 0) {
            rc = kk_err_set(KK_EIO, "cannot read '%s' of '%s'", name, r->path);
            break;
        }
        if (k == 0)
            break;
        if (kk_buf_add(&b, tmp, (size_t)k) != KK_OK)
            rc = kk_err_set(KK_ENOMEM, "'%s' is too large (over %zu bytes)", name, cap);
    }
    free(tmp);
    chunk_close(&c);
    if (rc != KK_OK) {
        kk_buf_free(&b);
        return rc;
    }
    *n = b.len;
    kk_buf_str(&b);
    *data = b.data ? kk_buf_steal(&b) : kk_strdup("");
    return *data ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
}

int kk_rsrc_lines(kk_rsrc *r, const char *name, size_t maxline, kk_line_fn fn, void *ctx, uint64_t *long_lines)
{
    chunker c;
    KK_TRY(chunk_open(r, name, &c));
    size_t csz = 1 << 20;
    char *chunk = malloc(csz);
    kk_buf line;
    kk_buf_init(&line, maxline + 1);
    int rc = chunk ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
    int skipping = 0, stop = 0;
    while (rc == KK_OK && !stop) {
        long long k = chunk_read(&c, chunk, csz);
        if (k < 0) {
            rc = kk_err_set(KK_EIO, "cannot read '%s' of '%s'", name, r->path);
            break;
        }
        if (k == 0)
            break;
        char *p = chunk, *end = chunk + k;
        while (p < end && !stop) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
            if (!skipping && line.len + n > maxline) {
                skipping = 1;
                kk_buf_reset(&line);
            }
            if (!skipping && n && kk_buf_add(&line, p, n) != KK_OK) {
                skipping = 1;
                kk_buf_reset(&line);
            }
            if (nl) {
                if (skipping) {
                    if (long_lines)
                        (*long_lines)++;
                } else {
                    if (line.len && line.data[line.len - 1] == '\r')
                        line.len--;
                    kk_buf_str(&line);
                    int x = fn(ctx, line.data ? line.data : (char *)"", line.len);
                    if (x < 0)
                        rc = x;
                    else if (x > 0)
                        stop = 1;
                }
                skipping = 0;
                kk_buf_reset(&line);
                p = nl + 1;
            } else {
                p = end;
            }
        }
    }
    if (rc == KK_OK && !stop && line.len && !skipping) {
        kk_buf_str(&line);
        int x = fn(ctx, line.data, line.len);
        if (x < 0)
            rc = x;
    }
    free(chunk);
    kk_buf_free(&line);
    chunk_close(&c);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

json_t *kk_rsrc_root_names(kk_rsrc *r)
{
    json_t *out = json_array();
    size_t n = 0, cap = 0;
    char **v = NULL;
    if (r->zip) {
        zip_int64_t k = zip_get_num_entries(r->za, 0);
        for (zip_int64_t i = 0; i < k; i++) {
            const char *nm = zip_get_name(r->za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
            if (!nm || strchr(nm, '/') || !*nm)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                char **p = realloc(v, cap * sizeof *p);
                if (!p)
                    break;
                v = p;
            }
            v[n++] = kk_strdup(nm);
        }
    } else {
        DIR *d = opendir(r->path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            struct stat st;
            if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                char **p = realloc(v, cap * sizeof *p);
                if (!p)
                    break;
                v = p;
            }
            v[n++] = kk_strdup(e->d_name);
        }
        if (d)
            closedir(d);
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i])
            v[m++] = v[i];
    if (m > 1)
        qsort(v, m, sizeof *v, cmp_str);
    for (size_t i = 0; i < m; i++) {
        json_array_append_new(out, kk_jstr(v[i]));
        free(v[i]);
    }
    free(v);
    return out;
}

int kk_rsrc_sha256(kk_rsrc *r, const char *name, char out[65], uint64_t *size)
{
    out[0] = '\0';
    if (size)
        *size = 0;
    if (r->zip) {
        json_t *m = json_object_get(r->members, name);
        const char *s = json_string_value(json_object_get(m, "sha256"));
        if (!s)
            return KK_ENOENT;
        snprintf(out, 65, "%s", s);
        if (size)
            *size = (uint64_t)json_integer_value(json_object_get(m, "size"));
        return KK_OK;
    }
    if (!safe_name(name))
        return KK_EINVAL;
    char *p = kk_join(r->path, name);
    if (!p)
        return KK_ENOMEM;
    uint64_t sz = 0;
    int rc = kk_sha256_file(p, out, &sz);
    free(p);
    if (size)
        *size = sz;
    return rc;
}

/* ---- loading a case --------------------------------------------------------------------- */

void kk_caseload_error(kk_caseload *cl, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (json_array_size(cl->errors) < 200)
        json_array_append_new(cl->errors, kk_jstr(buf));
}

const char *kk_caseload_realpath(const kk_caseload *cl, const char *source)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(cl->casej, "sources"), i, s)
    {
        const char *src = json_string_value(json_object_get(s, "source"));
        if (src && source && !strcmp(src, source))
            return json_string_value(json_object_get(s, "realpath"));
    }
    return NULL;
}

/* findings.jsonl -> 1, findings-7.jsonl -> 7, with ".part" -> the same; else 0. */
static long findings_index(const char *name, int *part)
{
    *part = 0;
    if (strncmp(name, "findings", 8))
        return 0;
    const char *p = name + 8;
    long idx = 1;
    if (*p == '-') {
        char *end;
        idx = strtol(p + 1, &end, 10);
        if (end == p + 1 || idx < 2)
            return 0;
        p = end;
    }
    if (!strcmp(p, ".jsonl"))
        return idx;
    if (!strcmp(p, ".jsonl.part")) {
        *part = 1;
        return idx;
    }
    return 0;
}

typedef struct load_ctx {
    kk_caseload *cl;
    const char *name;
    uint64_t lines, bad, summaries;
    int rc;
} load_ctx;

static int on_finding_line(void *ctx, char *line, size_t n)
{
    load_ctx *c = ctx;
    c->lines++;
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i == n)
        return 0;
    json_t *j = json_loadb(line, n, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        c->bad++;
        return 0;
    }
    const char *t = json_string_value(json_object_get(j, "type"));
    if (t && !strcmp(t, "summary"))
        c->summaries++;
    int rc = kk_assess_record(c->cl->as, j);
    json_decref(j);
    return rc == KK_OK ? 0 : rc;
}

static int on_collected_line(void *ctx, char *line, size_t n)
{
    load_ctx *c = ctx;
    c->lines++;
    if (!n)
        return 0;
    json_t *j = json_loadb(line, n, 0, NULL);
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "name"))) {
        json_decref(j);
        c->bad++;
        return 0;
    }
    if (json_array_size(c->cl->collected) >= COLLECTED_MAX) {
        json_decref(j);
        c->summaries++; /* counts the ones left out */
        return 0;
    }
    json_array_append_new(c->cl->collected, j);
    return 0;
}

static int cmp_findings(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int pa, pb;
    long ia = findings_index(json_string_value(x), &pa), ib = findings_index(json_string_value(y), &pb);
    if (ia != ib)
        return ia < ib ? -1 : 1;
    return pa - pb;
}

/* "ja", "ja_JP.UTF-8", "en-US" ... -> "ja" / "en"; NULL for anything else. */
static const char *norm_lang(const char *lang)
{
    static const char *const known[] = {"ja", "en"};
    for (int i = 0; i < 2; i++)
        if (!strncmp(lang, known[i], 2) && (!lang[2] || strchr("_-.@", lang[2])))
            return known[i];
    return NULL;
}

int kk_caseload_open(const char *path, int is_zip, const char *lang, kk_caseload **out)
{
    if (lang && *lang) {
        const char *n = norm_lang(lang);
        if (!n)
            return kk_err_set(KK_EINVAL, "unknown report language '%s': use ja or en", lang);
        lang = n;
    }
    kk_caseload *cl = kk_calloc(1, sizeof *cl);
    if (!cl)
        return kk_err_set(KK_ENOMEM, "out of memory");
    cl->errors = json_array();
    cl->collected = json_array();
    cl->findings_files = json_array();
    int rc = kk_rsrc_open(path, is_zip, &cl->rs);
    if (rc != KK_OK) {
        kk_caseload_free(cl);
        return rc;
    }
    char *data = NULL;
    size_t n = 0;
    rc = kk_rsrc_read(cl->rs, "case.json", SMALL_MAX, &data, &n);
    if (rc == KK_ENOENT)
        rc = kk_err_set(KK_ENOENT, "'%s' is not a case %s (no case.json)", path, is_zip ? "bundle" : "folder");
    if (rc == KK_OK) {
        json_error_t je;
        cl->casej = json_loadb(data, n, 0, &je);
        const char *fmt = json_string_value(json_object_get(cl->casej, "format"));
        if (!json_is_object(cl->casej) || !fmt || strcmp(fmt, "kaketsuke-case"))
            rc = kk_err_set(KK_EFORMAT, "'%s': case.json is not a kaketsuke case file", path);
    }
    free(data);
    if (rc != KK_OK) {
        kk_caseload_free(cl);
        return rc;
    }
    const char *tz = json_string_value(json_object_get(cl->casej, "timezone"));
    snprintf(cl->tz, sizeof cl->tz, "%s", tz && kk_tz_valid(tz) ? tz : KK_CASE_DEFAULT_TZ);
    if (tz && !kk_tz_valid(tz))
        kk_caseload_error(cl, "unknown time zone '%s' in case.json: times are shown in %s", tz, cl->tz);
    const char *cl_lang = json_string_value(json_object_get(cl->casej, "lang"));
    snprintf(cl->lang, sizeof cl->lang, "%s",
             lang && *lang ? lang : cl_lang && (!strcmp(cl_lang, "en") || !strcmp(cl_lang, "ja")) ? cl_lang : "ja");
    cl->as = kk_assess_new(cl->lang, cl->tz, json_object_get(cl->casej, "sources"));
    if (!cl->as || !cl->errors || !cl->collected || !cl->findings_files) {
        kk_caseload_free(cl);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }

    /* findings*.jsonl in run order; a .part only when its finished file is missing */
    json_t *names = kk_rsrc_root_names(cl->rs);
    json_t *sel = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        int part;
        const char *nm = json_string_value(v);
        if (!findings_index(nm, &part))
            continue;
        if (part) {
            char *fin = kk_strndup(nm, strlen(nm) - 5);
            int have = 0;
            size_t k;
            json_t *w;
            json_array_foreach(names, k, w) have |= fin && !strcmp(json_string_value(w), fin);
            free(fin);
            if (have)
                continue;
        }
        json_array_append(sel, v);
    }
    size_t ns = json_array_size(sel);
    json_t **sv = kk_calloc(ns ? ns : 1, sizeof *sv);
    for (i = 0; sv && i < ns; i++)
        sv[i] = json_array_get(sel, i);
    if (sv)
        qsort(sv, ns, sizeof *sv, cmp_findings);
    kk_zone zone;
    kk_zone_enter(&zone, cl->tz);
    for (i = 0; sv && i < ns && rc == KK_OK; i++) {
        const char *nm = json_string_value(sv[i]);
        int part;
        findings_index(nm, &part);
        load_ctx c = {.cl = cl, .name = nm};
        uint64_t longl = 0;
        int r = kk_rsrc_lines(cl->rs, nm, LINE_MAX_BYTES, on_finding_line, &c, &longl);
        if (r == KK_ENOMEM) {
            rc = r;
            break;
        }
        if (r != KK_OK)
            kk_caseload_error(cl, "%s: %s", nm, kk_err_msg());
        json_array_append_new(cl->findings_files, json_string(nm));
        if (c.bad || longl)
            kk_caseload_error(cl, "%s: %llu malformed or oversized line(s) left out", nm,
                              (unsigned long long)(c.bad + longl));
        if (part || !c.summaries)
            kk_assess_incomplete(cl->as, nm);
    }
    kk_zone_leave(&zone);
    free(sv);
    json_decref(sel);
    json_decref(names);
    if (rc == KK_OK && kk_rsrc_has(cl->rs, "collected.jsonl", NULL)) {
        load_ctx c = {.cl = cl, .name = "collected.jsonl"};
        uint64_t longl = 0;
        int r = kk_rsrc_lines(cl->rs, "collected.jsonl", LINE_MAX_BYTES, on_collected_line, &c, &longl);
        if (r != KK_OK)
            kk_caseload_error(cl, "collected.jsonl: %s", kk_err_msg());
        if (c.bad || longl)
            kk_caseload_error(cl, "collected.jsonl: %llu malformed line(s) left out",
                              (unsigned long long)(c.bad + longl));
        if (c.summaries)
            kk_caseload_error(cl, "collected.jsonl: only the first %d records are listed", COLLECTED_MAX);
    }
    if (rc != KK_OK) {
        kk_caseload_free(cl);
        return rc;
    }
    *out = cl;
    return KK_OK;
}

void kk_caseload_free(kk_caseload *cl)
{
    if (!cl)
        return;
    kk_rsrc_close(cl->rs);
    json_decref(cl->casej);
    kk_assess_free(cl->as);
    json_decref(cl->collected);
    json_decref(cl->findings_files);
    json_decref(cl->errors);
    free(cl);
}

/* ---- model sections --------------------------------------------------------------------- */

static const char *js(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static json_t *zoned(const char *iso, const char *tz)
{
    int64_t t;
    if (!iso || kk_time_parse(iso, tz, &t) != KK_OK)
        return iso ? json_string(iso) : json_null();
    char buf[KK_TIME_LEN];
    kk_time_in_zone(t, tz, buf);
    return json_string(buf);
}

static json_t *case_section(kk_caseload *cl)
{
    json_t *c = json_object();
    for (int i = 0; kk_case_keys[i]; i++) {
        const char *v = js(cl->casej, kk_case_keys[i]);
        if (!v || !*v)
            continue;
        size_t n = strlen(kk_case_keys[i]);
        if (n > 3 && !strcmp(kk_case_keys[i] + n - 3, "_at"))
            json_object_set_new(c, kk_case_keys[i], zoned(v, cl->tz));
        else
            kk_jset_str(c, kk_case_keys[i], v);
    }
    if (!json_object_get(c, "timezone"))
        kk_jset_str(c, "timezone", cl->tz);
    return c;
}

static json_t *onsite_section(kk_caseload *cl)
{
    json_t *o = json_object();
    const char *a = js(cl->casej, "arrived_at"), *d = js(cl->casej, "departed_at");
    json_object_set_new(o, "arrived_at", a ? zoned(a, cl->tz) : json_null());
    json_object_set_new(o, "departed_at", d ? zoned(d, cl->tz) : json_null());
    int64_t ta, td;
    if (a && d && kk_time_parse(a, cl->tz, &ta) == KK_OK && kk_time_parse(d, cl->tz, &td) == KK_OK && td >= ta)
        json_object_set_new(o, "hours", json_real(round((double)(td - ta) / 360.0) / 10.0));
    else
        json_object_set_new(o, "hours", json_null());
    return o;
}

static json_t *sources_section(kk_caseload *cl)
{
    json_t *out = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(cl->casej, "sources"), i, s)
    {
        json_t *o = json_object();
        kk_jset_str(o, "source", js(s, "source"));
        kk_jset_str(o, "label", js(s, "label"));
        kk_jset_str(o, "kind", js(s, "kind"));
        json_object_set_new(o, "format", js(s, "format") ? json_string(js(s, "format")) : json_null());
        json_t *sz = json_object_get(s, "size");
        json_object_set_new(o, "size", json_is_integer(sz) ? json_incref(sz) : json_null());
        json_t *dev = json_object_get(s, "device");
        json_object_set_new(o, "device", json_is_object(dev) ? json_incref(dev) : json_null());
        json_t *fs = json_object_get(s, "filesystems");
        if (json_is_array(fs))
            json_object_set(o, "filesystems", fs);
        json_t *hs = json_object_get(s, "hashes");
        json_t *last = json_array_size(hs) ? json_array_get(hs, json_array_size(hs) - 1) : NULL;
        const char *b = last ? js(last, "sha256_before") : NULL, *a = last ? js(last, "sha256_after") : NULL;
        json_object_set_new(o, "sha256_before", b ? json_string(b) : json_null());
        json_object_set_new(o, "sha256_after", a ? json_string(a) : json_null());
        json_object_set_new(o, "same", b && a ? json_boolean(!strcmp(a, b)) : json_null());
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *actions_section(kk_caseload *cl)
{
    json_t *out = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(cl->casej, "actions"), i, a)
    {
        json_t *o = json_object();
        json_object_set_new(o, "time", js(a, "time") ? zoned(js(a, "time"), cl->tz) : json_null());
        kk_jset_str(o, "text", js(a, "text") ? js(a, "text") : "");
        json_array_append_new(out, o);
    }
    return out;
}

static json_t *costs_section(kk_caseload *cl)
{
    static const struct {
        const char *key, *en, *ja;
    } labels[] = {{"dispatch", "On-site dispatch", "駆付け"},
                  {"investigation", "Investigation", "調査"},
                  {"recovery", "Recovery work", "復旧作業"},
                  {"travel", "Travel", "交通費"},
                  {"equipment", "Equipment and media", "機材・媒体"},
                  {"other", "Other", "その他"}};
    json_t *c = json_object();
    kk_jset_str(c, "currency", "JPY");
    json_t *lines = json_array();
    long long total = 0;
    double hours = 0;
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(cl->casej, "costs"), i, l)
    {
        json_t *amt = json_object_get(l, "amount");
        if (!json_is_integer(amt) || json_integer_value(amt) < 0) {
            kk_caseload_error(cl, "case.json: cost line %zu has no valid amount", i + 1);
            continue;
        }
        json_t *o = json_object();
        const char *cat = js(l, "category") ? js(l, "category") : "other";
        kk_jset_str(o, "category", cat);
        const char *lab = cat;
        for (size_t k = 0; k < sizeof labels / sizeof *labels; k++)
            if (!strcmp(labels[k].key, cat))
                lab = kk_pick(cl->lang, labels[k].en, labels[k].ja);
        kk_jset_str(o, "label", lab);
        json_object_set(o, "amount", amt);
        json_t *h = json_object_get(l, "hours");
        json_object_set_new(o, "hours", json_is_number(h) ? json_real(json_number_value(h)) : json_null());
        json_object_set_new(o, "note", js(l, "note") ? json_string(js(l, "note")) : json_null());
        if (js(l, "recorded_at"))
            json_object_set_new(o, "recorded_at", zoned(js(l, "recorded_at"), cl->tz));
        total += json_integer_value(amt);
        if (json_is_number(h))
            hours += json_number_value(h);
        json_array_append_new(lines, o);
    }
    json_object_set_new(c, "lines", lines);
    json_object_set_new(c, "total_amount", json_integer(total));
    json_object_set_new(c, "total_hours", json_real(round(hours * 100.0) / 100.0));
    return c;
}

static void ev_add(json_t *ev, const char *kind, const char *name, const char *sha, uint64_t size, const char *origin)
{
    json_t *o = json_object();
    kk_jset_str(o, "kind", kind);
    const char *base = strrchr(name, '/');
    kk_jset_str(o, "name", base ? base + 1 : name);
    kk_jset_str(o, "path", name);
    json_object_set_new(o, "sha256", sha && *sha ? json_string(sha) : json_null());
    kk_jset_u64(o, "size", size);
    json_object_set_new(o, "origin", origin ? kk_jstr(origin) : json_null());
    json_array_append_new(ev, o);
}

static void ev_file(kk_caseload *cl, json_t *ev, const char *kind, const char *name)
{
    char sha[65];
    uint64_t size = 0;
    if (!kk_rsrc_has(cl->rs, name, NULL))
        return;
    if (kk_rsrc_sha256(cl->rs, name, sha, &size) != KK_OK)
        sha[0] = '\0';
    ev_add(ev, kind, name, sha, size, NULL);
}

static char *origin_of(const json_t *src)
{
    if (!json_is_object(src))
        return NULL;
    const char *img = js(src, "image"), *path = js(src, "path");
    json_t *off = json_object_get(src, "fs_offset");
    if (off)
        return kk_asprintf("%s@%lld:%s", img ? img : "", (long long)json_integer_value(off), path ? path : "");
    return kk_asprintf("%s:%s", img ? img : "", path ? path : "");
}

static void memory_files(kk_caseload *cl, json_t *ev, const char *rel, int depth)
{
    if (depth > 4 || json_array_size(ev) > MEMORY_FILES_MAX)
        return;
    char *p = kk_join(kk_rsrc_path(cl->rs), rel);
    DIR *d = p ? opendir(p) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        char *sub = kk_asprintf("%s/%s", rel, e->d_name);
        if (!sub)
            break;
        if (S_ISDIR(st.st_mode))
            memory_files(cl, ev, sub, depth + 1);
        else if (S_ISREG(st.st_mode))
            ev_file(cl, ev, "sample", sub);
        free(sub);
    }
    if (d)
        closedir(d);
    free(p);
}

static json_t *evidence_section(kk_caseload *cl)
{
    json_t *ev = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(cl->findings_files, i, v) ev_file(cl, ev, "findings", json_string_value(v));
    static const char *const logs[] = {"case.json", "custody.jsonl", "collected.jsonl", "timeline/bodyfile.txt",
                                       "timeline/selected.body", "timeline/timeline.jsonl", NULL};
    for (int k = 0; logs[k]; k++)
        ev_file(cl, ev, "log", logs[k]);
    json_array_foreach(cl->collected, i, v)
    {
        const char *kind = js(v, "kind") && !strcmp(js(v, "kind"), "sample") ? "sample" : "artifact";
        char *origin = origin_of(json_object_get(v, "source"));
        json_t *sz = json_object_get(v, "size");
        ev_add(ev, kind, js(v, "name"), js(v, "sha256"), json_is_integer(sz) ? (uint64_t)json_integer_value(sz) : 0,
               origin);
        free(origin);
    }
    json_array_foreach(json_object_get(cl->casej, "attachments"), i, v)
    {
        const char *name = js(v, "name");
        if (!name)
            continue;
        json_t *sz = json_object_get(v, "size");
        ev_add(ev, "attachment", name, js(v, "sha256"), json_is_integer(sz) ? (uint64_t)json_integer_value(sz) : 0,
               js(v, "original"));
        json_t *last = json_array_get(ev, json_array_size(ev) - 1);
        if (js(v, "note"))
            kk_jset_str(last, "note", js(v, "note"));
    }
    if (kk_rsrc_is_zip(cl->rs)) {
        /* carved memory modules: members under memory/ */
        json_t *m = rsrc_manifest(cl->rs);
        json_array_foreach(json_object_get(m, "members"), i, v)
        {
            const char *name = js(v, "name");
            if (name && !strncmp(name, "memory/", 7)) {
                json_t *sz = json_object_get(v, "size");
                ev_add(ev, "sample", name, js(v, "sha256"),
                       json_is_integer(sz) ? (uint64_t)json_integer_value(sz) : 0, "memory");
            }
        }
    } else {
        memory_files(cl, ev, "memory", 0);
    }
    return ev;
}

static json_t *signer_section(kk_caseload *cl)
{
    json_t *o = json_object();
    const char *fp = NULL;
    char *data = NULL;
    size_t n = 0;
    json_t *keep = NULL;
    if (kk_rsrc_is_zip(cl->rs)) {
        fp = js(json_object_get(rsrc_manifest(cl->rs), "signer"), "fingerprint");
    } else if (kk_rsrc_read(cl->rs, "custody.jsonl", SMALL_MAX, &data, &n) == KK_OK) {
        /* the signer of the last bundle sealed from this folder */
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            json_t *j = json_loads(line, 0, NULL);
            if (js(j, "command") && !strcmp(js(j, "command"), "bundle") && js(j, "signer")) {
                json_decref(keep);
                keep = j;
            } else {
                json_decref(j);
            }
        }
        fp = js(keep, "signer");
    }
    json_object_set_new(o, "fingerprint", fp && *fp ? json_string(fp) : json_null());
    json_decref(keep);
    free(data);
    return o;
}

/* Facts about the case for the playbooks, beyond the findings (assess fills the rest). */
static void case_facts(kk_caseload *cl, json_t *facts)
{
    json_t *arts = json_object();
    json_t *os = json_object_get(facts, "os");
    int win = 0, lin = 0;
    size_t i, k;
    json_t *v, *f;
    json_array_foreach(os, i, v)
    {
        win |= !strcmp(json_string_value(v), "windows");
        lin |= !strcmp(json_string_value(v), "linux");
    }
    json_array_foreach(cl->collected, i, v)
    {
        const char *t = js(v, "target");
        if (t) {
            json_object_set_new(arts, t, json_true());
            win |= !strncmp(t, "windows-", 8);
            lin |= !strncmp(t, "linux-", 6);
        }
    }
    json_array_foreach(json_object_get(cl->casej, "sources"), i, v)
    {
        json_array_foreach(json_object_get(v, "filesystems"), k, f)
        {
            const char *t = js(f, "type");
            if (!t)
                continue;
            win |= !strncmp(t, "ntfs", 4) || js(f, "drive") != NULL;
            lin |= !strncmp(t, "ext", 3) || !strncmp(t, "xfs", 3) || !strncmp(t, "btrfs", 5);
        }
    }
    json_t *o = json_array();
    if (win)
        json_array_append_new(o, json_string("windows"));
    if (lin)
        json_array_append_new(o, json_string("linux"));
    json_object_set_new(facts, "os", o);
    json_t *al = json_array();
    const char *key;
    json_object_foreach(arts, key, v) json_array_append_new(al, json_string(key));
    json_decref(arts);
    json_object_set_new(facts, "artifacts", al);
    const char *pd = js(cl->casej, "personal_data");
    kk_jset_str(facts, "personal_data", pd ? pd : "unknown");
    json_t *hosts = json_array();
    json_array_foreach(json_object_get(cl->casej, "sources"), i, v)
    {
        const char *l = js(v, "label") ? js(v, "label") : js(v, "source");
        if (l && json_array_size(hosts) < 10)
            json_array_append_new(hosts, json_string(l));
    }
    json_object_set_new(facts, "hosts", hosts);
}

static int build(kk_caseload *cl, const kk_report_opts *o, json_t **model)
{
    kk_zone zone;
    kk_zone_enter(&zone, cl->tz);
    json_t *m = json_object();
    json_t *facts = json_object();
    int rc = KK_OK;
    char now[KK_TIME_LEN];
    kk_time_in_zone(o && o->now ? o->now : (int64_t)time(NULL), cl->tz, now);
    kk_jset_str(m, "format", "kaketsuke-report");
    json_object_set_new(m, "format_version", json_integer(KK_REPORT_FORMAT_VERSION));
    kk_jset_str(m, "generated_at", now);
    kk_jset_str(m, "lang", cl->lang);
    json_t *tool = json_object();
    kk_jset_str(tool, "name", "kaketsuke");
    kk_jset_str(tool, "version", KK_REPORT_TOOL_VERSION);
    json_object_set_new(m, "tool", tool);
    json_t *input = json_object();
    kk_jset_str(input, "kind", kk_rsrc_is_zip(cl->rs) ? "bundle" : "case");
    kk_jset_str(input, "path", kk_rsrc_path(cl->rs));
    json_object_set(input, "findings_files", cl->findings_files);
    json_object_set_new(m, "input", input);
    json_object_set_new(m, "case", case_section(cl));
    json_object_set_new(m, "onsite", onsite_section(cl));
    json_object_set_new(m, "sources", sources_section(cl));
    rc = kk_assess_build(cl->as, m, facts);
    if (rc == KK_OK) {
        case_facts(cl, facts);
        json_t *tl = NULL;
        int r = kk_timeline_build(cl, NULL, &tl);
        if (r == KK_ENOMEM)
            rc = r;
        else if (r != KK_OK)
            kk_caseload_error(cl, "timeline: %s", kk_err_msg());
        json_object_set_new(m, "timeline", tl ? tl : json_null());
    }
    if (rc == KK_OK) {
        json_t *ppc = NULL;
        const char *verdict = js(json_object_get(m, "verdict"), "value");
        rc = kk_ppc_compute(js(cl->casej, "personal_data"), js(cl->casej, "discovered_at"), cl->tz, verdict,
                            cl->lang, &ppc);
        json_object_set_new(m, "ppc", ppc ? ppc : json_null());
    }
    if (rc == KK_OK) {
        json_object_set_new(m, "evidence", evidence_section(cl));
        json_object_set_new(m, "signer", signer_section(cl));
        json_object_set_new(m, "actions", actions_section(cl));
        json_object_set_new(m, "costs", costs_section(cl));
    }
    if (rc == KK_OK) {
        json_t *steps = NULL;
        char *dir = o && o->playbooks_dir ? kk_strdup(o->playbooks_dir) : kk_playbooks_dir();
        if (!dir) {
            kk_caseload_error(cl, "%s", kk_pick(cl->lang, "no playbooks found: recovery steps are missing",
                                                "対応手順(プレイブック)が見つからないため、復旧手順を載せていません"));
            steps = json_array();
        } else {
            json_t *perr = json_array();
            int r = kk_playbook_steps(dir, m, facts, cl->lang, &steps, perr);
            size_t i;
            json_t *e;
            json_array_foreach(perr, i, e) kk_caseload_error(cl, "%s", json_string_value(e));
            json_decref(perr);
            if (r == KK_ENOMEM)
                rc = r;
            else if (r != KK_OK)
                kk_caseload_error(cl, "playbooks: %s", kk_err_msg());
        }
        free(dir);
        json_object_set_new(m, "steps", steps ? steps : json_array());
    }
    json_object_set(m, "errors", cl->errors);
    json_decref(facts);
    kk_zone_leave(&zone);
    if (rc != KK_OK) {
        json_decref(m);
        return rc;
    }
    *model = m;
    return KK_OK;
}

int kk_report_model_ex(const char *path, int is_bundle, const kk_report_opts *o, json_t **model)
{
    *model = NULL;
    kk_caseload *cl;
    KK_TRY(kk_caseload_open(path, is_bundle, o ? o->lang : NULL, &cl));
    int rc = build(cl, o, model);
    kk_caseload_free(cl);
    return rc;
}

int kk_report_model(const char *case_dir, const char *lang, json_t **model)
{
    kk_report_opts o = {.lang = lang};
    return kk_report_model_ex(case_dir, 0, &o, model);
}

int kk_report_model_bundle(const char *zip, const char *lang, json_t **model)
{
    kk_report_opts o = {.lang = lang};
    return kk_report_model_ex(zip, 1, &o, model);
}
