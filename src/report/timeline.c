/* timeline.c - timeline selection and export (see timeline.h). */
#include "timeline.h"
#include "assess.h"
#include "../evidence/evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BODY_LINE_MAX (64 * 1024)

enum { W_MATCH = 1, W_ARTIFACT = 2, W_WINDOW = 4 };

typedef struct tl {
    kk_caseload *cl;
    int has_window;
    int64_t wfrom, wto; /* selection window (with the margin) */
    kk_hset artifacts;  /* hashes of artifact paths */
    kk_hset done;       /* fallback: paths already written */
    FILE *body, *jl;
    int64_t *t;         /* event times */
    size_t nt, at;
    uint64_t files, events, matched, arts, in_window, truncated, malformed;
    int rc;
} tl;

static const char *js(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* "C:/Users/x (deleted)" -> "/Users/x" (view into name, length in *n). */
static const char *fs_path(const char *name, size_t *n)
{
    size_t len = strlen(name);
    static const char del[] = " (deleted)";
    if (len > sizeof del - 1 && !strcmp(name + len - (sizeof del - 1), del))
        len -= sizeof del - 1;
    if (len >= 3 && name[1] == ':' && name[2] == '/' &&
        ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) {
        name += 2;
        len -= 2;
    }
    *n = len;
    return name;
}

static int add_time(tl *x, int64_t t)
{
    if (x->nt == x->at) {
        size_t n = x->at ? x->at * 2 : 4096;
        if (n > (size_t)KK_TIMELINE_MAX_EVENTS * 4)
            return KK_OK;
        int64_t *p = realloc(x->t, n * sizeof *p);
        if (!p)
            return kk_err_set(KK_ENOMEM, "out of memory");
        x->t = p;
        x->at = n;
    }
    x->t[x->nt++] = t;
    return KK_OK;
}

static int in_window(const tl *x, int64_t t) { return x->has_window && t > 0 && t >= x->wfrom && t <= x->wto; }

/* One file: fields of a body line. times: a m c b. */
typedef struct bfile {
    const char *md5, *name, *inode, *mode, *uid, *gid;
    uint64_t size;
    int64_t tm[4];
} bfile;

static const char *const TDESC[4] = {"Last Access Time", "Content Modification Time", "Metadata Modification Time",
                                     "Creation Time"};
static const char MACB[4] = {'a', 'm', 'c', 'b'};

static int emit_events(tl *x, const bfile *f, int why, const char *body_line, size_t body_len)
{
    size_t plen;
    const char *path = fs_path(f->name, &plen);
    json_t *rules = NULL;
    if (why & W_MATCH) {
        char *p = kk_strndup(path, plen);
        rules = p ? json_object_get(kk_assess_matched_rules(x->cl->as), p) : NULL;
        if (!rules && p && strcmp(p, f->name))
            rules = json_object_get(kk_assess_matched_rules(x->cl->as), f->name);
        free(p);
    }
    /* distinct times, in order m a c b for the description */
    int used[4] = {0, 0, 0, 0};
    static const int order[4] = {1, 0, 2, 3};
    int any = 0;
    for (int oi = 0; oi < 4; oi++) {
        int i = order[oi];
        int64_t t = f->tm[i];
        if (t <= 0 || used[i])
            continue;
        if (!(why & (W_MATCH | W_ARTIFACT)) && !in_window(x, t))
            continue;
        char macb[5] = "....";
        kk_buf desc;
        kk_buf_init(&desc, 4096);
        for (int oj = 0; oj < 4; oj++) {
            int j = order[oj];
            if (f->tm[j] == t && !used[j]) {
                used[j] = 1;
                macb[j == 1 ? 0 : j == 0 ? 1 : j] = MACB[j];
                kk_buf_printf(&desc, "%s%s", desc.len ? "; " : "", TDESC[j]);
            }
        }
        any = 1;
        x->events++;
        int rc = add_time(x, t);
        if (rc != KK_OK) {
            kk_buf_free(&desc);
            return rc;
        }
        if (x->jl) {
            char iso[KK_TIME_LEN];
            kk_time_iso(t, 0, iso);
            size_t il = strlen(iso);
            if (il && iso[il - 1] == 'Z')
                snprintf(iso + il - 1, sizeof iso - il + 1, "+00:00");
            json_t *o = json_object();
            kk_buf msg;
            kk_buf_init(&msg, 1 << 20);
            kk_buf_printf(&msg, "[%s] %s", macb, f->name);
            if (rules && json_array_size(rules)) {
                kk_buf_adds(&msg, " matched: ");
                size_t k;
                json_t *r;
                json_array_foreach(rules, k, r) kk_buf_printf(&msg, "%s%s", k ? ", " : "", json_string_value(r));
            }
            kk_jset(o, "message", kk_jstrn(kk_buf_str(&msg), msg.len));
            kk_buf_free(&msg);
            kk_jset_str(o, "datetime", iso);
            json_object_set_new(o, "timestamp", json_integer((json_int_t)t * 1000000));
            kk_jset_str(o, "timestamp_desc", kk_buf_str(&desc));
            kk_jset_str(o, "macb", macb);
            kk_jset(o, "path", kk_jstrn(path, plen));
            kk_jset_str(o, "display_name", f->name);
            kk_jset_str(o, "inode", f->inode);
            kk_jset_u64(o, "size", f->size);
            if (f->mode && *f->mode)
                kk_jset_str(o, "mode", f->mode);
            json_t *sb = json_array();
            if (why & W_MATCH)
                json_array_append_new(sb, json_string("match"));
            if (why & W_ARTIFACT)
                json_array_append_new(sb, json_string("artifact"));
            if (why & W_WINDOW)
                json_array_append_new(sb, json_string("window"));
            json_object_set_new(o, "selected_by", sb);
            if (rules)
                json_object_set(o, "rules", rules);
            kk_jset_str(o, "data_type", "fs:stat");
            kk_jset_str(o, "source_short", "FILE");
            char *s = kk_jdump(o);
            json_decref(o);
            if (!s || fprintf(x->jl, "%s\n", s) < 0) {
                free(s);
                kk_buf_free(&desc);
                return kk_err_set(KK_EIO, "cannot write timeline.jsonl: %s", strerror(errno));
            }
            free(s);
        }
        kk_buf_free(&desc);
    }
    if (!any)
        return KK_OK;
    x->files++;
    if (why & W_MATCH)
        x->matched++;
    if (why & W_ARTIFACT)
        x->arts++;
    if (why & W_WINDOW)
        x->in_window++;
    if (x->body) {
        int ok;
        if (body_line)
            ok = fwrite(body_line, 1, body_len, x->body) == body_len && fputc('\n', x->body) != EOF;
        else
            ok = fprintf(x->body, "%s|%s|%s|%s|%s|%s|%llu|%lld|%lld|%lld|%lld\n", f->md5, f->name, f->inode, f->mode,
                         f->uid, f->gid, (unsigned long long)f->size, (long long)f->tm[0], (long long)f->tm[1],
                         (long long)f->tm[2], (long long)f->tm[3]) > 0;
        if (!ok)
            return kk_err_set(KK_EIO, "cannot write selected.body: %s", strerror(errno));
    }
    return KK_OK;
}

static int why_of(tl *x, const bfile *f)
{
    size_t plen;
    const char *p = fs_path(f->name, &plen);
    int why = 0;
    if (kk_assess_matched(x->cl->as, p, plen) || (plen != strlen(f->name) && kk_assess_matched(x->cl->as, f->name, strlen(f->name))))
        why |= W_MATCH;
    if (kk_hset_has(&x->artifacts, kk_hash64(p, plen, 7)))
        why |= W_ARTIFACT;
    if (in_window(x, f->tm[1]) || in_window(x, f->tm[2]) || in_window(x, f->tm[3]))
        why |= W_WINDOW;
    return why;
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return 0;
    *out = v;
    return 1;
}

static int on_body_line(void *ctx, char *line, size_t n)
{
    tl *x = ctx;
    if (!n)
        return 0;
    char *copy = kk_strndup(line, n);
    if (!copy)
        return kk_err_set(KK_ENOMEM, "out of memory");
    /* 11 fields; the name (field 2) may not hold '|' */
    char *fld[11];
    int nf = 0;
    for (char *p = copy; nf < 11;) {
        fld[nf++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    bfile f;
    uint64_t size = 0;
    int ok = nf == 11 && !strchr(fld[10], '|');
    int64_t v;
    if (ok && parse_i64(fld[6], &v) && v >= 0)
        size = (uint64_t)v;
    else
        ok = 0;
    for (int i = 0; ok && i < 4; i++)
        ok = parse_i64(fld[7 + i], &f.tm[i]);
    if (!ok) {
        x->malformed++;
        free(copy);
        return 0;
    }
    f.md5 = fld[0];
    f.name = fld[1];
    f.inode = fld[2];
    f.mode = fld[3];
    f.uid = fld[4];
    f.gid = fld[5];
    f.size = size;
    int why = why_of(x, &f);
    int rc = KK_OK;
    if (why) {
        if (why == W_WINDOW && x->events >= KK_TIMELINE_MAX_EVENTS)
            x->truncated++;
        else
            rc = emit_events(x, &f, why, line, n);
    }
    free(copy);
    return rc == KK_OK ? 0 : rc;
}

/* Without a bodyfile: the files the records name, with the times they carry. */
static int from_records(tl *x)
{
    size_t i;
    json_t *v;
    json_array_foreach(kk_assess_file_times(x->cl->as), i, v)
    {
        const char *path = js(v, "path");
        if (!path)
            continue;
        int r = kk_hset_add(&x->done, kk_hash64(path, strlen(path), 3));
        if (r < 0)
            return kk_err_set(KK_ENOMEM, "out of memory");
        if (!r)
            continue;
        bfile f = {.md5 = "0", .name = path, .inode = js(v, "inode") ? js(v, "inode") : "0",
                   .mode = "r/r---------", .uid = "0", .gid = "0",
                   .size = (uint64_t)json_integer_value(json_object_get(v, "size"))};
        f.tm[0] = json_integer_value(json_object_get(v, "atime"));
        f.tm[1] = json_integer_value(json_object_get(v, "mtime"));
        f.tm[2] = json_integer_value(json_object_get(v, "ctime"));
        f.tm[3] = json_integer_value(json_object_get(v, "crtime"));
        if (strchr(path, '|') || strchr(path, '\n'))
            continue;
        int why = why_of(x, &f);
        if (why)
            KK_TRY(emit_events(x, &f, why, NULL, 0));
    }
    json_array_foreach(x->cl->collected, i, v)
    {
        json_t *src = json_object_get(v, "source");
        const char *path = js(src, "path");
        if (!path || strchr(path, '|') || strchr(path, '\n'))
            continue;
        char *abs = NULL;
        if (path[0] != '/') {
            const char *rp = kk_caseload_realpath(x->cl, js(src, "image"));
            abs = rp ? kk_asprintf("%s/%s", rp, path) : NULL;
        }
        const char *p = abs ? abs : path;
        int r = kk_hset_add(&x->done, kk_hash64(p, strlen(p), 3));
        if (r <= 0) {
            free(abs);
            if (r < 0)
                return kk_err_set(KK_ENOMEM, "out of memory");
            continue;
        }
        bfile f = {.md5 = "0", .name = p, .inode = js(src, "inode") ? js(src, "inode") : "0",
                   .mode = "r/r---------", .uid = "0", .gid = "0",
                   .size = (uint64_t)json_integer_value(json_object_get(v, "size"))};
        static const char *const tn[4] = {"atime", "mtime", "ctime", "crtime"};
        for (int k = 0; k < 4; k++) {
            int64_t t;
            f.tm[k] = js(src, tn[k]) && kk_time_parse(js(src, tn[k]), "UTC", &t) == KK_OK ? t : 0;
        }
        int rc = emit_events(x, &f, why_of(x, &f) | W_ARTIFACT, NULL, 0);
        free(abs);
        KK_TRY(rc);
    }
    return KK_OK;
}

/* ---- histogram ------------------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* UTC offset of tz at epoch, in seconds. */
static long zone_offset(int64_t epoch, const char *tz)
{
    char buf[KK_TIME_LEN];
    kk_time_in_zone(epoch, tz, buf);
    size_t n = strlen(buf);
    if (n >= 6 && (buf[n - 6] == '+' || buf[n - 6] == '-')) {
        long h = (buf[n - 5] - '0') * 10 + (buf[n - 4] - '0'), m = (buf[n - 2] - '0') * 10 + (buf[n - 1] - '0');
        return (buf[n - 6] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    }
    return 0;
}

json_t *kk_histogram(const int64_t *t, size_t n, const char *tz, size_t max_buckets, size_t *outside)
{
    json_t *out = json_array();
    if (outside)
        *outside = 0;
    if (!n || !max_buckets)
        return out;
    size_t lo = 0, hi = n - 1;
    if (t[hi] - t[lo] > 60LL * 86400 && n >= 100) {
        lo = n / 100;
        hi = n - 1 - n / 100;
        if (outside)
            *outside = lo + (n - 1 - hi);
    }
    int64_t a = t[lo], b = t[hi];
    static const int64_t sizes[] = {60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400,
                                    30 * 86400, 365 * 86400};
    long off = zone_offset(a, tz);
    int64_t size = 0, start = a;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        int64_t s = sizes[i];
        int64_t al = s <= 86400 ? s : 86400; /* buckets start on a local minute, hour or day */
        int64_t st = ((a + off) / al) * al - off;
        size = s;
        start = st;
        if ((b - st) / s + 1 <= (int64_t)max_buckets)
            break;
    }
    int64_t nb = (b - start) / size + 1;
    if (nb > (int64_t)max_buckets)
        nb = (int64_t)max_buckets;
    size_t k = lo;
    for (int64_t i = 0; i < nb; i++) {
        int64_t s = start + i * size, e = s + size;
        size_t c = 0;
        while (k <= hi && t[k] < e) {
            if (t[k] >= s)
                c++;
            k++;
        }
        if (i == nb - 1)
            while (k <= hi) {
                c++;
                k++;
            }
        char bs[KK_TIME_LEN], be[KK_TIME_LEN];
        kk_time_in_zone(s, tz, bs);
        kk_time_in_zone(e, tz, be);
        json_t *o = json_object();
        kk_jset_str(o, "start", bs);
        kk_jset_str(o, "end", be);
        kk_jset_u64(o, "events", c);
        json_array_append_new(out, o);
    }
    return out;
}

/* ---- output files ----------------------------------------------------------------------- */

typedef struct tmpf {
    char *tmpl;
    FILE *fp;
} tmpf;

static int tmp_open(const char *dir, tmpf *t)
{
    t->fp = NULL;
    t->tmpl = kk_asprintf("%s/.kk-tmp-XXXXXX", dir);
    if (!t->tmpl)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int fd = mkostemp(t->tmpl, O_CLOEXEC);
    if (fd < 0) {
        int rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
        free(t->tmpl);
        t->tmpl = NULL;
        return rc;
    }
    fchmod(fd, 0644);
    t->fp = fdopen(fd, "w");
    if (!t->fp) {
        close(fd);
        unlink(t->tmpl);
        free(t->tmpl);
        t->tmpl = NULL;
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    return KK_OK;
}

static int tmp_finish(tmpf *t, const char *dir, const char *name, int ok)
{
    int rc = KK_OK;
    if (!t->fp)
        return KK_OK;
    if (fflush(t->fp) != 0 || fsync(fileno(t->fp)) != 0)
        ok = 0, rc = kk_err_set(KK_EIO, "cannot write '%s/%s': %s", dir, name, strerror(errno));
    if (fclose(t->fp) != 0 && ok)
        ok = 0, rc = kk_err_set(KK_EIO, "cannot write '%s/%s': %s", dir, name, strerror(errno));
    t->fp = NULL;
    if (ok) {
        char *dst = kk_join(dir, name);
        if (!dst || rename(t->tmpl, dst) != 0) {
            ok = 0;
            rc = kk_err_set(KK_EIO, "cannot replace '%s/%s': %s", dir, name, strerror(errno));
        }
        free(dst);
    }
    if (!ok)
        unlink(t->tmpl);
    free(t->tmpl);
    t->tmpl = NULL;
    return rc;
}

/* ---- the selection ---------------------------------------------------------------------- */

int kk_timeline_build(kk_caseload *cl, const char *outdir, json_t **summary)
{
    *summary = NULL;
    tl x;
    memset(&x, 0, sizeof x);
    x.cl = cl;
    int64_t first, last, from, to;
    if (kk_assess_window(cl->as, &first, &last, &from, &to)) {
        x.has_window = 1;
        x.wfrom = from - KK_TIMELINE_MARGIN;
        x.wto = to + KK_TIMELINE_MARGIN;
    }
    size_t i;
    json_t *v;
    json_array_foreach(cl->collected, i, v)
    {
        json_t *src = json_object_get(v, "source");
        const char *path = js(src, "path");
        if (!path)
            continue;
        char *abs = NULL;
        if (path[0] != '/') {
            const char *rp = kk_caseload_realpath(cl, js(src, "image"));
            abs = rp ? kk_asprintf("%s/%s", rp, path) : NULL;
        }
        const char *p = abs ? abs : path;
        if (kk_hset_add(&x.artifacts, kk_hash64(p, strlen(p), 7)) < 0) {
            free(abs);
            kk_hset_free(&x.artifacts);
            return kk_err_set(KK_ENOMEM, "out of memory");
        }
        free(abs);
    }
    tmpf tb = {0}, tj = {0};
    int rc = KK_OK;
    if (outdir) {
        mkdir(outdir, 0755);
        rc = tmp_open(outdir, &tb);
        if (rc == KK_OK)
            rc = tmp_open(outdir, &tj);
        x.body = tb.fp;
        x.jl = tj.fp;
    }
    const char *bodyname = "timeline/bodyfile.txt";
    int have_body = kk_rsrc_has(cl->rs, bodyname, NULL);
    if (rc == KK_OK) {
        if (have_body) {
            uint64_t longl = 0;
            rc = kk_rsrc_lines(cl->rs, bodyname, BODY_LINE_MAX, on_body_line, &x, &longl);
            x.malformed += longl;
        } else {
            rc = from_records(&x);
        }
    }
    if (outdir) {
        int r1 = tmp_finish(&tb, outdir, "selected.body", rc == KK_OK);
        int r2 = tmp_finish(&tj, outdir, "timeline.jsonl", rc == KK_OK && r1 == KK_OK);
        if (rc == KK_OK)
            rc = r1 != KK_OK ? r1 : r2;
    }
    if (rc != KK_OK) {
        free(x.t);
        kk_hset_free(&x.artifacts);
        kk_hset_free(&x.done);
        return rc;
    }
    if (x.malformed)
        kk_caseload_error(cl, "%s: %llu line(s) not in TSK body format left out", bodyname,
                          (unsigned long long)x.malformed);
    if (x.nt > 1)
        qsort(x.t, x.nt, sizeof *x.t, cmp_i64);
    json_t *s = json_object();
    kk_jset_u64(s, "events", x.events);
    kk_jset_u64(s, "files", x.files);
    char buf[KK_TIME_LEN];
    if (x.nt) {
        kk_time_in_zone(x.t[0], cl->tz, buf);
        kk_jset_str(s, "first", buf);
        kk_time_in_zone(x.t[x.nt - 1], cl->tz, buf);
        kk_jset_str(s, "last", buf);
    } else {
        json_object_set_new(s, "first", json_null());
        json_object_set_new(s, "last", json_null());
    }
    size_t outside = 0;
    json_object_set_new(s, "histogram", kk_histogram(x.t, x.nt, cl->tz, KK_TIMELINE_BUCKETS, &outside));
    kk_jset_u64(s, "histogram_outside", outside);
    json_object_set_new(s, "bodyfile", have_body ? json_string(bodyname) : json_null());
    int sel = outdir ? 1 : kk_rsrc_has(cl->rs, "timeline/selected.body", NULL);
    int jl = outdir ? 1 : kk_rsrc_has(cl->rs, "timeline/timeline.jsonl", NULL);
    json_object_set_new(s, "selected", sel ? json_string("timeline/selected.body") : json_null());
    json_object_set_new(s, "jsonl", jl ? json_string("timeline/timeline.jsonl") : json_null());
    json_t *se = json_object();
    kk_jset_str(se, "from", have_body ? "bodyfile" : "records");
    if (x.has_window) {
        kk_time_in_zone(x.wfrom, cl->tz, buf);
        kk_jset_str(se, "window_from", buf);
        kk_time_in_zone(x.wto, cl->tz, buf);
        kk_jset_str(se, "window_to", buf);
    } else {
        json_object_set_new(se, "window_from", json_null());
        json_object_set_new(se, "window_to", json_null());
    }
    kk_jset_u64(se, "matched", x.matched);
    kk_jset_u64(se, "artifacts", x.arts);
    kk_jset_u64(se, "in_window", x.in_window);
    kk_jset_u64(se, "truncated", x.truncated);
    json_object_set_new(s, "selection", se);
    free(x.t);
    kk_hset_free(&x.artifacts);
    kk_hset_free(&x.done);
    *summary = s;
    return KK_OK;
}

int kk_timeline_write(const char *case_dir, json_t **summary)
{
    if (summary)
        *summary = NULL;
    kk_caseload *cl;
    KK_TRY(kk_caseload_open(case_dir, 0, NULL, &cl));
    kk_zone z;
    kk_zone_enter(&z, cl->tz);
    char *dir = kk_join(case_dir, "timeline");
    json_t *s = NULL;
    int rc = dir ? kk_timeline_build(cl, dir, &s) : kk_err_set(KK_ENOMEM, "out of memory");
    kk_zone_leave(&z);
    free(dir);
    kk_caseload_free(cl);
    if (rc == KK_OK && summary)
        *summary = s;
    else
        json_decref(s);
    return rc;
}
