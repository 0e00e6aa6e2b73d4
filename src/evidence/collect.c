/* collect.c - copy target artifacts and matched files from a source into the case
 * (see collect.h). */
#include "collect.h"
#include "evutil.h"
#include "../source/source.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define MAX_PROBLEMS 1000

typedef struct cctx {
    const kk_collect_opts *o;
    kk_collect_stats *st;
    char srcreal[PATH_MAX];
    size_t srclen;          /* host directory sources: prefix to strip */
    int is_dir;
    json_t *wanted;         /* key -> [rule names] */
    json_t *have;           /* dedupe keys of collected.jsonl */
    int idx_fd;             /* collected.jsonl */
    char *buf;
    int rc;                 /* fatal (case not writable) */
    double last;
} cctx;

static void note_problem(cctx *c, const char *path, const char *msg)
{
    c->st->errors++;
    if (json_array_size(c->st->problems) >= MAX_PROBLEMS)
        return;
    json_t *p = json_object();
    if (path)
        kk_jset_str(p, "path", path);
    kk_jset_str(p, "message", msg);
    json_array_append_new(c->st->problems, p);
}

/* The path a pattern is matched against, and a host path made relative to the source. */
static const char *rel_path(cctx *c, const kk_file *f, char *tmp, size_t n)
{
    if (f->in_image || !c->is_dir)
        return f->path;
    char rp[PATH_MAX];
    const char *p = f->path;
    if (realpath(f->path, rp))
        p = rp;
    size_t l = strlen(c->srcreal);
    if (!strncmp(p, c->srcreal, l) && (p[l] == '/' || !p[l]))
        snprintf(tmp, n, "%s", p[l] ? p + l : "/");
    else
        snprintf(tmp, n, "%s", f->path);
    return tmp;
}

static char *key_of(int in_image, uint64_t off, const char *inode, const char *path)
{
    if (in_image)
        return kk_asprintf("i|%" PRIu64 "|%s|%s", off, inode ? inode : "", path);
    return kk_asprintf("h|%s", path);
}

static void load_findings(cctx *c)
{
    const char *dir = kk_case_dir(c->o->cs);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (strncmp(e->d_name, "findings", 8) || l < 14 || strcmp(e->d_name + l - 6, ".jsonl"))
            continue;
        char *p = kk_join(dir, e->d_name);
        FILE *f = p ? fopen(p, "r") : NULL;
        free(p);
        if (!f)
            continue;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
            if (!strstr(line, "\"match\"") && !strstr(line, "\"ioc\""))
                continue;
            json_t *j = json_loadb(line, (size_t)n, 0, NULL);
            const char *type = json_string_value(json_object_get(j, "type"));
            const char *src = json_string_value(json_object_get(j, "source"));
            const char *path = json_string_value(json_object_get(j, "path"));
            if (!type || (strcmp(type, "match") && strcmp(type, "ioc")) || !src || !path) {
                json_decref(j);
                continue;
            }
            char rp[PATH_MAX];
            const char *sr = realpath(src, rp) ? rp : src;
            if (strcmp(sr, c->srcreal) && strcmp(src, c->o->source)) {
                json_decref(j);
                continue;
            }
            json_t *off = json_object_get(j, "fs_offset");
            char *k;
            if (json_is_integer(off)) {
                k = key_of(1, (uint64_t)json_integer_value(off), json_string_value(json_object_get(j, "inode")), path);
            } else {
                char tmp[PATH_MAX + 8];
                const char *rel = path;
                char prp[PATH_MAX];
                if (c->is_dir && realpath(path, prp)) {
                    size_t sl = strlen(c->srcreal);
                    if (!strncmp(prp, c->srcreal, sl) && prp[sl] == '/') {
                        snprintf(tmp, sizeof tmp, "%s", prp + sl);
                        rel = tmp;
                    }
                }
                k = key_of(0, 0, NULL, rel);
            }
            const char *what = json_string_value(json_object_get(j, !strcmp(type, "match") ? "rule" : "ioc"));
            if (k) {
                json_t *a = json_object_get(c->wanted, k);
                if (!a) {
                    a = json_array();
                    json_object_set_new(c->wanted, k, a);
                }
                if (what && json_array_size(a) < 64) {
                    int dup = 0;
                    size_t i;
                    json_t *v;
                    json_array_foreach(a, i, v) if (!strcmp(json_string_value(v), what)) dup = 1;
                    if (!dup)
                        json_array_append_new(a, kk_jstr(what));
                }
            }
            free(k);
            json_decref(j);
        }
        free(line);
        fclose(f);
    }
    closedir(d);
    c->st->matched_wanted = json_object_size(c->wanted);
}

static char *have_key(const char *kind, const char *label, json_t *src)
{
    json_t *off = json_object_get(src, "fs_offset");
    return kk_asprintf("%s|%s|%" JSON_INTEGER_FORMAT "|%s|%s", kind, label,
                       json_is_integer(off) ? json_integer_value(off) : (json_int_t)-1,
                       json_string_value(json_object_get(src, "inode")) ? json_string_value(json_object_get(src, "inode")) : "",
                       json_string_value(json_object_get(src, "path")) ? json_string_value(json_object_get(src, "path")) : "");
}

static void load_have(cctx *c)
{
    char *p = kk_case_path(c->o->cs, "collected.jsonl");
    FILE *f = p ? fopen(p, "r") : NULL;
    free(p);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        const char *kind = json_string_value(json_object_get(j, "kind"));
        const char *label = json_string_value(json_object_get(j, "label"));
        if (kind && label) {
            char *k = have_key(kind, label, json_object_get(j, "source"));
            if (k)
                json_object_set_new(c->have, k, json_true());
            free(k);
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
}

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void time_field(json_t *o, const char *k, unsigned set, unsigned bit, int64_t s, uint32_t ns)
{
    if (!(set & bit))
        return;
    char t[KK_TIME_LEN];
    kk_time_iso(s, ns, t);
    json_object_set_new(o, k, json_string(t));
}

/* Copy one file; returns KK_OK also when the file itself could not be read (counted). */
static int copy_file(cctx *c, const kk_file *f, kk_reader *r, const char *rel, const char *kind,
                     const char *target, json_t *rules)
{
    const char *base = !strcmp(kind, "sample") ? "samples" : "artifacts";
    kk_buf dst;
    kk_buf_init(&dst, 0);
    kk_buf_printf(&dst, "%s/", c->o->label);
    if (f->in_image)
        kk_buf_printf(&dst, "%" PRIu64 "/", f->fs_offset);
    if (kk_safe_relpath(&dst, rel) != KK_OK) {
        kk_buf_free(&dst);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    /* split into folder and name */
    char *full = kk_buf_steal(&dst);
    if (!full)
        return kk_err_set(KK_ENOMEM, "out of memory");
    char *slash = strrchr(full, '/');
    *slash = '\0';
    const char *fname = slash + 1;
    char *basedir = kk_case_path(c->o->cs, base);
    char *dir = basedir ? kk_asprintf("%s/%s", basedir, full) : NULL;
    int rc = KK_OK;
    if (!basedir || !dir) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    mkdir(basedir, 0755);
    rc = kk_mkdirs(basedir, full);
    if (rc != KK_OK)
        goto out;
    char *tmpl = kk_asprintf("%s/.kk-tmp-XXXXXX", dir);
    int fd = tmpl ? mkostemp(tmpl, O_CLOEXEC) : -1;
    if (fd < 0) {
        rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
        free(tmpl);
        goto out;
    }
    fchmod(fd, 0644);
    kk_hasher *h = kk_hasher_new(1);
    uint64_t off = 0;
    int readerr = 0;
    char msg[1100] = "";
    while (h) {
        if (c->o->interrupt && *c->o->interrupt) {
            rc = kk_err_set(KK_ESTOP, "interrupted");
            break;
        }
        if (off >= f->size)
            break; /* the reader reports an error for reads at the end */
        size_t want = f->size - off < CHUNK ? (size_t)(f->size - off) : CHUNK;
        ssize_t n = kk_read(r, off, c->buf, want);
        if (n < 0) {
            readerr = 1;
            snprintf(msg, sizeof msg, "%s", kk_err_msg());
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, c->buf, (size_t)n);
        if (all_zero(c->buf, (size_t)n)) {
            if (lseek(fd, n, SEEK_CUR) < 0)
                rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
        } else {
            for (ssize_t w0 = 0; w0 < n && rc == KK_OK;) {
                ssize_t w = write(fd, c->buf + w0, (size_t)(n - w0));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(w < 0 ? errno : ENOSPC));
                else
                    w0 += w;
            }
        }
        if (rc != KK_OK)
            break;
        off += (uint64_t)n;
        c->st->bytes += (uint64_t)n;
        if (c->o->progress)
            c->o->progress(c->o->progress_ctx, c->st, f->path);
    }
    char sha[65] = "", md5[33] = "";
    if (h)
        kk_hasher_final(h, sha, md5);
    else
        rc = kk_err_set(KK_ENOMEM, "out of memory");
    if (rc == KK_OK && !readerr && (ftruncate(fd, (off_t)off) != 0 || fsync(fd) != 0))
        rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
    close(fd);
    if (rc != KK_OK || readerr) {
        unlink(tmpl);
        free(tmpl);
        if (readerr)
            note_problem(c, f->path, msg);
        goto out;
    }
    char *stored = NULL;
    for (int k = 1; rc == KK_OK; k++) {
        char *nm;
        const char *dot = strrchr(fname, '.');
        if (k == 1)
            nm = kk_strdup(fname);
        else if (dot && dot != fname)
            nm = kk_asprintf("%.*s~%d%s", (int)(dot - fname), fname, k, dot);
        else
            nm = kk_asprintf("%s~%d", fname, k);
        char *p = nm ? kk_asprintf("%s/%s", dir, nm) : NULL;
        if (!p) {
            free(nm);
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            break;
        }
        if (link(tmpl, p) == 0) {
            stored = kk_asprintf("%s/%s/%s", base, full, nm);
            free(nm);
            free(p);
            break;
        }
        int e = errno;
        free(nm);
        free(p);
        if (e != EEXIST || k > 100000)
            rc = kk_err_set(KK_EIO, "cannot store a file in '%s': %s", dir, strerror(e));
    }
    unlink(tmpl);
    free(tmpl);
    if (rc != KK_OK || !stored) {
        free(stored);
        if (rc == KK_OK)
            rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    /* the record */
    json_t *rec = json_object();
    kk_jset_str(rec, "name", stored);
    kk_jset_str(rec, "kind", kind);
    kk_jset_str(rec, "label", c->o->label);
    if (target)
        kk_jset_str(rec, "target", target);
    if (rules)
        json_object_set(rec, "rules", rules);
    json_t *src = json_object();
    kk_jset_str(src, "image", c->o->source);
    if (f->in_image)
        kk_jset_u64(src, "fs_offset", f->fs_offset);
    kk_jset_str(src, "path", f->in_image ? f->path : rel);
    if (f->in_image)
        kk_jset_str(src, "inode", f->inode);
    json_object_set_new(src, "deleted", json_boolean(f->deleted));
    time_field(src, "mtime", f->times_set, KK_T_MTIME, f->mtime, f->mtime_ns);
    time_field(src, "atime", f->times_set, KK_T_ATIME, f->atime, f->atime_ns);
    time_field(src, "ctime", f->times_set, KK_T_CTIME, f->ctime, f->ctime_ns);
    time_field(src, "crtime", f->times_set, KK_T_CRTIME, f->crtime, f->crtime_ns);
    json_object_set_new(rec, "source", src);
    kk_jset_u64(rec, "size", off);
    kk_jset_str(rec, "md5", md5);
    kk_jset_str(rec, "sha256", sha);
    char now[KK_TIME_LEN];
    kk_time_now_zone(kk_case_tz(c->o->cs), now);
    json_object_set_new(rec, "collected_at", json_string(now));
    char *line = kk_jdump(rec);
    char *k2 = have_key(kind, c->o->label, src);
    if (k2)
        json_object_set_new(c->have, k2, json_true());
    free(k2);
    json_decref(rec);
    char *l2 = line ? kk_asprintf("%s\n", line) : NULL;
    free(line);
    if (!l2 || write(c->idx_fd, l2, strlen(l2)) != (ssize_t)strlen(l2))
        rc = kk_err_set(KK_EIO, "cannot write collected.jsonl in '%s': %s", kk_case_dir(c->o->cs),
                        strerror(errno));
    free(l2);
    free(stored);
    if (rc == KK_OK) {
        if (!strcmp(kind, "sample"))
            c->st->samples++;
        else
            c->st->artifacts++;
        if (target) {
            json_t *cnt = json_object_get(c->st->per_target, target);
            json_object_set_new(c->st->per_target, target, json_integer(json_integer_value(cnt) + 1));
        }
    }
out:
    free(full);
    free(basedir);
    free(dir);
    return rc;
}

static int on_file(void *ctx, const kk_file *f, kk_reader *r)
{
    cctx *c = ctx;
    c->st->seen++;
    if (c->o->progress && (c->st->seen & 1023) == 0)
        c->o->progress(c->o->progress_ctx, c->st, f->path);
    char tmp[PATH_MAX + 8];
    const char *rel = rel_path(c, f, tmp, sizeof tmp);
    json_t *rules = NULL;
    if (json_object_size(c->wanted)) {
        char *k = key_of(f->in_image, f->fs_offset, f->inode, rel);
        rules = k ? json_object_get(c->wanted, k) : NULL;
        free(k);
    }
    int win = f->in_image && f->filepath && isalpha((unsigned char)f->filepath[0]) && f->filepath[1] == ':';
    const kk_target *t = c->o->targets ? kk_targets_match(c->o->targets, rel, win) : NULL;
    if (!rules && !t)
        return KK_OK;
    const char *kind = rules ? "sample" : "artifact";
    json_t *src = json_object();
    if (f->in_image) {
        kk_jset_u64(src, "fs_offset", f->fs_offset);
        kk_jset_str(src, "inode", f->inode);
    }
    kk_jset_str(src, "path", f->in_image ? f->path : rel);
    char *hk = have_key(kind, c->o->label, src);
    json_decref(src);
    int dupe = hk && json_object_get(c->have, hk);
    free(hk);
    if (dupe) {
        c->st->already++;
        return KK_OK;
    }
    if (!r) {
        note_problem(c, f->path, "no reader for this file");
        return KK_OK;
    }
    int rc = copy_file(c, f, r, rel, kind, t ? t->name : NULL, rules);
    if (rc != KK_OK) {
        c->rc = rc;
        return rc; /* stops the walk: the case cannot be written */
    }
    return KK_OK;
}

static void on_event(void *ctx, const kk_event *ev)
{
    cctx *c = ctx;
    if (ev->kind == KK_EV_ERROR)
        note_problem(c, ev->path, ev->message ? ev->message : "error");
}

static int on_stop(void *ctx)
{
    cctx *c = ctx;
    return c->o->interrupt && *c->o->interrupt;
}

void kk_collect_stats_free(kk_collect_stats *st)
{
    json_decref(st->per_target);
    json_decref(st->problems);
    st->per_target = st->problems = NULL;
}

int kk_collect(const kk_collect_opts *o, kk_collect_stats *st)
{
    memset(st, 0, sizeof *st);
    st->per_target = json_object();
    st->problems = json_array();
    cctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.st = st;
    c.idx_fd = -1;
    struct stat sb;
    if (stat(o->source, &sb) != 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open source '%s': %s", o->source,
                          strerror(errno));
    c.is_dir = S_ISDIR(sb.st_mode);
    if (!realpath(o->source, c.srcreal))
        snprintf(c.srcreal, sizeof c.srcreal, "%s", o->source);
    c.wanted = json_object();
    c.have = json_object();
    c.buf = malloc(CHUNK);
    char *idx = kk_case_path(o->cs, "collected.jsonl");
    if (!c.wanted || !c.have || !c.buf || !idx) {
        free(idx);
        free(c.buf);
        json_decref(c.wanted);
        json_decref(c.have);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    if (o->matched)
        load_findings(&c);
    load_have(&c);
    c.idx_fd = open(idx, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int rc;
    if (c.idx_fd < 0) {
        rc = kk_err_set(KK_EIO, "cannot open '%s': %s", idx, strerror(errno));
    } else {
        kk_walk_opts wo = {0};
        kk_walk_ops ops = {.ctx = &c, .file = on_file, .event = on_event, .stop = on_stop};
        rc = kk_source_walk(o->source, &wo, &ops);
        if (c.rc != KK_OK && rc != KK_OK && rc != c.rc)
            rc = c.rc;
        if (fsync(c.idx_fd) != 0 && rc == KK_OK)
            rc = kk_err_set(KK_EIO, "cannot write '%s': %s", idx, strerror(errno));
        close(c.idx_fd);
    }
    if (o->progress)
        o->progress(o->progress_ctx, st, NULL);
    free(idx);
    free(c.buf);
    json_decref(c.wanted);
    json_decref(c.have);
    return rc;
}
