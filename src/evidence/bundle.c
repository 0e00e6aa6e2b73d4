/* bundle.c - seal a case folder into a signed zip (see bundle.h). */
#include "bundle.h"
#include "case.h"
#include "custody.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <zip.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 64
#define BUF_SZ (1u << 20)

enum { K_CASE, K_ARTIFACT, K_ATTACH, K_SAMPLE };

typedef struct member {
    char *name;  /* in the bundle */
    char *path;  /* host path */
    char *orig;  /* relative path in the case folder when it had to be renamed */
    uint64_t size;
    int64_t mtime;
    char sha[65];
    char md5[33];
} member;

typedef struct mlist {
    member *v;
    size_t n, a;
} mlist;

/* A small set of lower-cased names (collisions on case-insensitive extraction). */
typedef struct nameset {
    char **slot;
    size_t cap, n;
} nameset;

static uint64_t fnv(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        h = (h ^ (unsigned char)c) * 1099511628211ull;
    }
    return h;
}

static int ns_has(const nameset *s, const char *k)
{
    if (!s->cap)
        return 0;
    for (size_t i = fnv(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->slot[i])
            return 0;
        if (!strcasecmp(s->slot[i], k))
            return 1;
    }
}

static int ns_add(nameset *s, const char *k)
{
    if ((s->n + 1) * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 256;
        char **ns = kk_calloc(nc, sizeof *ns);
        if (!ns)
            return KK_ENOMEM;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slot[i])
                continue;
            size_t j = fnv(s->slot[i]) & (nc - 1);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = s->slot[i];
        }
        free(s->slot);
        s->slot = ns;
        s->cap = nc;
    }
    size_t i = fnv(k) & (s->cap - 1);
    while (s->slot[i])
        i = (i + 1) & (s->cap - 1);
    s->slot[i] = kk_strdup(k);
    if (!s->slot[i])
        return KK_ENOMEM;
    s->n++;
    return KK_OK;
}

static void ns_free(nameset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slot[i]);
    free(s->slot);
}

static void ml_free(mlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].path);
        free(l->v[i].orig);
    }
    free(l->v);
}

static member *ml_add(mlist *l)
{
    if (l->n == l->a) {
        size_t na = l->a ? l->a * 2 : 64;
        member *v = realloc(l->v, na * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->a = na;
    }
    member *m = &l->v[l->n++];
    memset(m, 0, sizeof *m);
    return m;
}

typedef struct ctx {
    const kk_bundle_opts *o;
    kk_bundle_result *res;
    mlist members, samples;
    nameset names, snames;
    uint64_t total, done;
    int rc;
} ctx;

/* fmt holds one %s (for arg) */
static void warn(ctx *c, const char *fmt, const char *arg)
{
    char m[1200];
    const char *pct = strstr(fmt, "%s");
    if (pct)
        snprintf(m, sizeof m, "%.*s%s%s", (int)(pct - fmt), fmt, arg, pct + 2);
    else
        snprintf(m, sizeof m, "%s", fmt);
    json_array_append_new(c->res->warnings, kk_jstr(m));
}

/* Give m a unique, safe name: prefix + safe(rel), "~N" before the extension on clashes. */
static int assign_name(nameset *ns, member *m, const char *prefix, const char *rel)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    int rc = kk_safe_relpath(&b, rel);
    if (rc != KK_OK) {
        kk_buf_free(&b);
        return rc;
    }
    int renamed = strcmp(kk_buf_str(&b), rel) != 0;
    char *base = kk_asprintf("%s%s", prefix, kk_buf_str(&b));
    kk_buf_free(&b);
    if (!base)
        return KK_ENOMEM;
    char *name = kk_strdup(base);
    for (int k = 2; name && ns_has(ns, name); k++) {
        free(name);
        const char *slash = strrchr(base, '/');
        const char *dot = strrchr(slash ? slash + 1 : base, '.');
        if (dot && dot != (slash ? slash + 1 : base))
            name = kk_asprintf("%.*s~%d%s", (int)(dot - base), base, k, dot);
        else
            name = kk_asprintf("%s~%d", base, k);
        renamed = 1;
    }
    free(base);
    if (!name || ns_add(ns, name) != KK_OK) {
        free(name);
        return KK_ENOMEM;
    }
    m->name = name;
    if (renamed)
        m->orig = kk_asprintf("%s%s", prefix, rel);
    return KK_OK;
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static int walk(ctx *c, const char *abs, const char *rel, int depth, int in_samples)
{
    if (depth > MAX_DEPTH) {
        warn(c, "left out '%s': folders nested too deep", rel);
        return KK_OK;
    }
    DIR *d = opendir(abs);
    if (!d)
        return kk_err_set(KK_EIO, "cannot read folder '%s': %s", abs, strerror(errno));
    /* sorted, for a stable member order */
    char **names = NULL;
    size_t n = 0, a = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == a) {
            a = a ? a * 2 : 32;
            char **nn = realloc(names, a * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        names[n] = kk_strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    int rc = KK_OK;
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        const char *nm = names[i];
        if (!strncmp(nm, ".kk-tmp-", 8))
            continue;
        char *p = kk_join(abs, nm);
        char *r = *rel ? kk_asprintf("%s/%s", rel, nm) : kk_strdup(nm);
        if (!p || !r) {
            free(p);
            free(r);
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            break;
        }
        struct stat st;
        if (lstat(p, &st) != 0) {
            warn(c, "left out '%s': it vanished while the bundle was made", r);
        } else if (S_ISDIR(st.st_mode)) {
            if (!*rel && !strcmp(nm, "samples") && !in_samples)
                rc = walk(c, p, "", depth + 1, 1);
            else
                rc = walk(c, p, r, depth + 1, in_samples);
        } else if (S_ISREG(st.st_mode)) {
            member *m = ml_add(in_samples ? &c->samples : &c->members);
            if (!m) {
                rc = kk_err_set(KK_ENOMEM, "out of memory");
            } else {
                m->path = p;
                p = NULL;
                m->size = (uint64_t)st.st_size;
                m->mtime = (int64_t)st.st_mtime;
                c->total += m->size;
                if (assign_name(in_samples ? &c->snames : &c->names, m, "", r) != KK_OK)
                    rc = kk_err_set(KK_ENOMEM, "out of memory");
                else if (m->orig)
                    warn(c, "stored '%s' under a safe name", r);
            }
        } else if (S_ISLNK(st.st_mode)) {
            warn(c, "left out '%s': symbolic links are not followed", r);
        } else {
            warn(c, "left out '%s': not a regular file", r);
        }
        free(p);
        free(r);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}


static void progress(ctx *c, const char *phase)
{
    if (c->o->progress)
        c->o->progress(c->o->progress_ctx, phase, c->done, c->total);
}

static int stopped(const ctx *c)
{
    return c->o->interrupt && *c->o->interrupt;
}

static int hash_member(ctx *c, member *m, char *buf)
{
    int fd = open(m->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return kk_err_set(KK_EIO, "cannot read '%s': %s", m->path, strerror(errno));
    kk_hasher *h = kk_hasher_new(1);
    if (!h) {
        close(fd);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    uint64_t size = 0;
    int rc = KK_OK;
    for (;;) {
        if (stopped(c)) {
            rc = kk_err_set(KK_ESTOP, "interrupted");
            break;
        }
        ssize_t n = read(fd, buf, BUF_SZ);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kk_err_set(KK_EIO, "cannot read '%s': %s", m->path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, buf, (size_t)n);
        size += (uint64_t)n;
        c->done += (uint64_t)n;
        progress(c, "hashing");
    }
    close(fd);
    kk_hasher_final(h, m->sha, m->md5);
    m->size = size;
    return rc;
}

/* collected.jsonl: stored name -> record */
static json_t *load_index(ctx *c, const char *dir)
{
    json_t *idx = json_object();
    char *p = kk_join(dir, "collected.jsonl");
    FILE *f = p ? fopen(p, "r") : NULL;
    free(p);
    if (!f)
        return idx;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t no = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        no++;
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        const char *name = json_string_value(json_object_get(j, "name"));
        if (name)
            json_object_set(idx, name, j);
        else if (n > 1) {
            char m[64];
            snprintf(m, sizeof m, "%zu", no);
            warn(c, "collected.jsonl line %s is not a valid record", m);
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    return idx;
}

static json_t *member_json(const member *m, const char *kind, json_t *rec)
{
    json_t *j = json_object();
    kk_jset_str(j, "name", m->name);
    kk_jset_u64(j, "size", m->size);
    kk_jset_str(j, "sha256", m->sha);
    if (kind)
        kk_jset_str(j, "kind", kind);
    if (m->orig)
        kk_jset_str(j, "original", m->orig);
    if (rec) {
        const char *keep[] = {"target", "md5", "source", "original", "note", "collected_at", "added_at", NULL};
        for (int i = 0; keep[i]; i++) {
            json_t *v = json_object_get(rec, keep[i]);
            if (v && !json_object_get(j, keep[i]))
                json_object_set(j, keep[i], v);
        }
    }
    return j;
}

static const char *kind_of(const char *name)
{
    if (!strncmp(name, "artifacts/", 10))
        return "artifact";
    if (!strncmp(name, "attachments/", 12))
        return "attachment";
    if (!strncmp(name, "report/", 7))
        return "report";
    if (!strncmp(name, "memory/", 7))
        return "memory";
    if (!strncmp(name, "timeline/", 9))
        return "timeline";
    return "case";
}

static int stored_ext(const char *name)
{
    static const char *const ext[] = {".zip", ".gz", ".xz", ".bz2", ".7z", ".zst", ".jpg", ".jpeg", ".png",
                                      ".heic", ".mp4", ".mov", ".pdf", ".e01", ".docx", ".xlsx", NULL};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (int i = 0; ext[i]; i++)
        if (!strcasecmp(dot, ext[i]))
            return 1;
    return 0;
}

typedef struct zcb {
    ctx *c;
    const char *phase;
    uint64_t total;
} zcb;

static void zprogress(zip_t *za, double p, void *ud)
{
    (void)za;
    zcb *z = ud;
    if (z->c->o->progress)
        z->c->o->progress(z->c->o->progress_ctx, z->phase, (uint64_t)(p * (double)z->total), z->total);
}

static int zcancel(zip_t *za, void *ud)
{
    (void)za;
    zcb *z = ud;
    return stopped(z->c);
}

static int zerr(zip_t *za, const char *what, const char *path)
{
    zip_error_t *e = zip_get_error(za);
    int code = zip_error_code_zip(e);
    int sys = zip_error_code_system(e);
    if (code == ZIP_ER_CANCELLED)
        return kk_err_set(KK_ESTOP, "interrupted");
    if (zip_error_system_type(e) == ZIP_ET_SYS && sys)
        return kk_err_set(KK_EIO, "cannot %s '%s': %s", what, path, strerror(sys));
    return kk_err_set(KK_EIO, "cannot %s '%s': %s", what, path, zip_error_strerror(e));
}

static int fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kk_err_set(KK_EIO, "cannot open '%s': %s", path, strerror(errno));
    int rc = fsync(fd) == 0 ? KK_OK : kk_err_set(KK_EIO, "cannot write '%s': %s", path, strerror(errno));
    close(fd);
    return rc;
}

static int write_samples_zip(ctx *c, const char *path, const char *pw)
{
    unlink(path);
    int err = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, err);
        int rc = kk_err_set(KK_EIO, "cannot create '%s': %s", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    uint64_t tot = 0;
    for (size_t i = 0; i < c->samples.n; i++) {
        member *m = &c->samples.v[i];
        tot += m->size;
        zip_source_t *s = zip_source_file(za, m->path, 0, -1);
        zip_int64_t idx = s ? zip_file_add(za, m->name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            int rc = zerr(za, "add to", path);
            zip_discard(za);
            unlink(path);
            return rc;
        }
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 0);
        zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)m->mtime, 0);
        if (zip_file_set_encryption(za, (zip_uint64_t)idx, ZIP_EM_AES_256, pw) != 0) {
            int rc = zerr(za, "encrypt", path);
            zip_discard(za);
            unlink(path);
            return rc;
        }
    }
    zcb z = {c, "packing samples", tot};
    zip_register_progress_callback_with_state(za, 0.01, zprogress, NULL, &z);
    zip_register_cancel_callback_with_state(za, zcancel, NULL, &z);
    if (zip_close(za) != 0) {
        int rc = zerr(za, "write", path);
        zip_discard(za);
        unlink(path);
        return rc;
    }
    return fsync_path(path);
}

static int inside(const char *dir, const char *file)
{
    char rd[PATH_MAX], rf[PATH_MAX];
    if (!realpath(dir, rd))
        return 0;
    char *copy = kk_strdup(file);
    if (!copy)
        return 0;
    char *slash = strrchr(copy, '/');
    const char *parent = slash ? (slash == copy ? "/" : (*slash = '\0', copy)) : ".";
    int r = 0;
    if (realpath(parent, rf)) {
        size_t n = strlen(rd);
        r = !strncmp(rf, rd, n) && (rf[n] == '\0' || rf[n] == '/');
    }
    free(copy);
    return r;
}

void kk_bundle_result_free(kk_bundle_result *res)
{
    json_decref(res->warnings);
    free(res->p7m);
    memset(res, 0, sizeof *res);
}

static int log_failure(kk_case *cs, const kk_bundle_opts *o, int rc)
{
    char m[1100];
    snprintf(m, sizeof m, "%s", kk_err_msg());
    kk_custody_info ci = {.version = o->version, .command = "bundle", .argc = o->argc, .argv = o->argv,
                          .result = rc == KK_ESTOP ? "interrupted" : "error", .message = m};
    kk_case_log(cs, &ci);
    kk_err_set(rc, "%s", m);
    return rc;
}

int kk_bundle_create(const kk_bundle_opts *o, kk_bundle_result *res)
{
    memset(res, 0, sizeof *res);
    res->warnings = json_array();
    ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.res = res;
    const char *pw = o->sample_password && *o->sample_password ? o->sample_password : KK_SAMPLE_PASSWORD;
    struct stat st;
    if (!o->force && lstat(o->output, &st) == 0)
        return kk_err_set(KK_EEXIST, "bundle '%s' already exists (use --force to replace it)", o->output);
    if (lstat(o->output, &st) == 0 && !S_ISREG(st.st_mode))
        return kk_err_set(KK_EINVAL, "cannot write bundle '%s': it exists and is not a regular file", o->output);
    if (inside(o->case_dir, o->output))
        return kk_err_set(KK_EINVAL, "cannot write bundle '%s' inside the case folder it seals", o->output);
    if (o->recipients)
        KK_TRY(kk_cms_check_certs(o->recipients));
    kk_case *cs = NULL;
    KK_TRY(kk_case_open(o->case_dir, 0, &cs));
    char *part = kk_asprintf("%s.part", o->output);
    char *spart = kk_asprintf("%s.samples.part", o->output);
    char *custody = kk_case_path(cs, "custody.jsonl");
    char *buf = malloc(BUF_SZ);
    json_t *index = NULL, *manifest = NULL;
    char *mtext = NULL, *pub = NULL, *sums = NULL;
    unsigned char sig[64];
    int rc = KK_OK, logged = 0;
    zip_t *za = NULL;
    if (!part || !spart || !custody || !buf) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    kk_custody_check chk;
    rc = kk_custody_check_file(custody, &chk);
    if (rc == KK_ENOENT) {
        memset(&chk, 0, sizeof chk);
        rc = KK_OK;
    }
    if (rc != KK_OK)
        goto out;
    if (chk.bad_line) {
        rc = kk_err_set(KK_EFORMAT, "cannot seal '%s': its custody log is damaged (%s)", o->case_dir, chk.problem);
        goto out;
    }
    /* reserved names at the root cannot be taken by case files */
    const char *reserved[] = {"manifest.json", "manifest.json.sig", "SHA256SUMS", "signer.pub", "samples.zip", NULL};
    for (int i = 0; reserved[i]; i++)
        ns_add(&c.names, reserved[i]);
    rc = walk(&c, o->case_dir, "", 0, 0);
    if (rc != KK_OK)
        goto out;
    kk_key_fingerprint(o->key, res->fingerprint);

    /* the custody entry goes in first: the log sealed in the bundle records the sealing */
    {
        json_t *counts = json_object(), *extra = json_object();
        kk_jset_u64(counts, "files", c.members.n);
        kk_jset_u64(counts, "samples", c.samples.n);
        kk_jset_u64(counts, "bytes", c.total);
        const char *slash = strrchr(o->output, '/');
        kk_jset_str(extra, "output", slash ? slash + 1 : o->output);
        kk_jset_str(extra, "signer", res->fingerprint);
        kk_custody_info ci = {.version = o->version, .command = "bundle", .argc = o->argc, .argv = o->argv,
                              .counts = counts, .extra = extra, .result = "sealing"};
        rc = kk_case_log(cs, &ci);
        json_decref(counts);
        json_decref(extra);
        if (rc != KK_OK)
            goto out;
        logged = 1;
    }
    rc = kk_custody_check_file(custody, &chk);
    if (rc != KK_OK)
        goto out;
    if (!ns_has(&c.names, "custody.jsonl")) { /* the log was started by this entry */
        member *m = ml_add(&c.members);
        if (!m || assign_name(&c.names, m, "", "custody.jsonl") != KK_OK || !(m->path = kk_strdup(custody))) {
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            goto out;
        }
        m->mtime = (int64_t)time(NULL);
    }
    c.total = 0;
    for (size_t i = 0; i < c.members.n; i++) {
        struct stat s2;
        if (stat(c.members.v[i].path, &s2) == 0)
            c.members.v[i].size = (uint64_t)s2.st_size;
        c.total += c.members.v[i].size;
    }
    for (size_t i = 0; i < c.samples.n; i++)
        c.total += c.samples.v[i].size;
    for (size_t i = 0; i < c.members.n && rc == KK_OK; i++)
        rc = hash_member(&c, &c.members.v[i], buf);
    for (size_t i = 0; i < c.samples.n && rc == KK_OK; i++)
        rc = hash_member(&c, &c.samples.v[i], buf);
    if (rc != KK_OK)
        goto out;

    member szip;
    memset(&szip, 0, sizeof szip);
    if (c.samples.n) {
        rc = write_samples_zip(&c, spart, pw);
        if (rc == KK_OK) {
            szip.name = "samples.zip";
            szip.path = spart;
            szip.mtime = (int64_t)time(NULL);
            rc = kk_sha256_file(spart, szip.sha, &szip.size);
        }
        if (rc != KK_OK)
            goto out;
    }

    /* manifest */
    index = load_index(&c, o->case_dir);
    json_t *att = json_object();
    {
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(kk_case_json(cs), "attachments"), i, v)
        {
            const char *n = json_string_value(json_object_get(v, "name"));
            if (n)
                json_object_set(att, n, v);
        }
    }
    manifest = json_object();
    json_object_set_new(manifest, "format", json_string("kaketsuke-bundle"));
    json_object_set_new(manifest, "format_version", json_integer(1));
    char now[KK_TIME_LEN];
    kk_time_now_zone(kk_case_tz(cs), now);
    json_object_set_new(manifest, "created_at", json_string(now));
    json_t *tool = json_object();
    json_object_set_new(tool, "name", json_string("kaketsuke"));
    kk_jset_str(tool, "version", o->version ? o->version : "unknown");
    json_object_set_new(manifest, "tool", tool);
    json_t *casej = json_object();
    for (int i = 0; kk_case_keys[i]; i++) {
        const char *v = kk_case_get(cs, kk_case_keys[i]);
        if (v)
            kk_jset_str(casej, kk_case_keys[i], v);
    }
    json_object_set_new(manifest, "case", casej);
    json_t *signer = json_object();
    json_object_set_new(signer, "algorithm", json_string("ed25519"));
    kk_jset_str(signer, "fingerprint", res->fingerprint);
    json_object_set_new(signer, "public_key", json_string("signer.pub"));
    json_object_set_new(manifest, "signer", signer);
    json_t *cust = json_object();
    json_object_set_new(cust, "name", json_string("custody.jsonl"));
    kk_jset_u64(cust, "entries", chk.entries);
    kk_jset_str(cust, "head_sha256", chk.head);
    json_object_set_new(manifest, "custody", cust);
    json_t *mem = json_array();
    for (size_t i = 0; i < c.members.n; i++) {
        member *m = &c.members.v[i];
        const char *rel = m->orig ? m->orig : m->name;
        json_t *rec = json_object_get(index, rel);
        if (!rec)
            rec = json_object_get(att, rel);
        json_array_append_new(mem, member_json(m, kind_of(m->name), rec));
    }
    if (c.samples.n) {
        json_t *sj = member_json(&szip, "samples", NULL);
        json_object_set_new(sj, "encryption", json_string("aes-256"));
        if (!o->sample_password || !*o->sample_password)
            json_object_set_new(sj, "password", json_string(KK_SAMPLE_PASSWORD));
        json_t *sl = json_array();
        for (size_t i = 0; i < c.samples.n; i++) {
            member *m = &c.samples.v[i];
            char *rel = kk_asprintf("samples/%s", m->orig ? m->orig : m->name);
            json_t *rec = rel ? json_object_get(index, rel) : NULL;
            free(rel);
            json_t *x = member_json(m, NULL, rec);
            kk_jset_str(x, "md5", m->md5);
            json_array_append_new(sl, x);
        }
        json_object_set_new(sj, "samples", sl);
        json_array_append_new(mem, sj);
    }
    pub = kk_key_public_pem(o->key);
    if (!pub) {
        rc = kk_err_set(KK_EINTERNAL, "cannot export the public key");
        goto out;
    }
    member pm = {.name = "signer.pub", .size = strlen(pub)};
    kk_sha256_hex(pub, pm.size, pm.sha);
    json_array_append_new(mem, member_json(&pm, "signer", NULL));
    json_object_set_new(manifest, "members", mem);
    json_decref(att);
    {
        char *t = json_dumps(manifest, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        mtext = t ? kk_asprintf("%s\n", t) : NULL;
        free(t);
    }
    if (!mtext) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    rc = kk_key_sign(o->key, mtext, strlen(mtext), sig);
    if (rc != KK_OK)
        goto out;

    /* SHA256SUMS */
    {
        kk_buf b;
        kk_buf_init(&b, 0);
        for (size_t i = 0; i < c.members.n; i++)
            kk_buf_printf(&b, "%s  %s\n", c.members.v[i].sha, c.members.v[i].name);
        if (c.samples.n)
            kk_buf_printf(&b, "%s  samples.zip\n", szip.sha);
        char h[65];
        kk_buf_printf(&b, "%s  signer.pub\n", pm.sha);
        kk_sha256_hex(mtext, strlen(mtext), h);
        kk_buf_printf(&b, "%s  manifest.json\n", h);
        kk_sha256_hex(sig, 64, h);
        if (kk_buf_printf(&b, "%s  manifest.json.sig\n", h) != KK_OK) {
            kk_buf_free(&b);
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            goto out;
        }
        sums = kk_buf_steal(&b);
    }

    /* the zip */
    unlink(part);
    int zer = 0;
    za = zip_open(part, ZIP_CREATE | ZIP_TRUNCATE, &zer);
    if (!za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zer);
        rc = kk_err_set(KK_EIO, "cannot create '%s': %s", part, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto out;
    }
    uint64_t ztotal = 0;
    for (size_t i = 0; i <= c.members.n && rc == KK_OK; i++) {
        member *m = i < c.members.n ? &c.members.v[i] : (c.samples.n ? &szip : NULL);
        if (!m)
            break;
        ztotal += m->size;
        zip_source_t *s = zip_source_file(za, m->path, 0, -1);
        zip_int64_t idx = s ? zip_file_add(za, m->name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            rc = zerr(za, "add a member to", part);
            break;
        }
        zip_set_file_compression(za, (zip_uint64_t)idx, (m == &szip || stored_ext(m->name)) ? ZIP_CM_STORE
                                                                                          : ZIP_CM_DEFLATE, 0);
        zip_file_set_mtime(za, (zip_uint64_t)idx, (time_t)m->mtime, 0);
    }
    struct { const char *name; const void *data; size_t n; } bufs[] = {
        {"signer.pub", pub, strlen(pub)}, {"manifest.json", mtext, strlen(mtext)},
        {"manifest.json.sig", sig, 64}, {"SHA256SUMS", sums, strlen(sums)}};
    for (size_t i = 0; i < 4 && rc == KK_OK; i++) {
        zip_source_t *s = zip_source_buffer(za, bufs[i].data, bufs[i].n, 0);
        zip_int64_t idx = s ? zip_file_add(za, bufs[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            rc = zerr(za, "add a member to", part);
        }
    }
    if (rc != KK_OK)
        goto out;
    zcb z = {&c, "writing", ztotal};
    zip_register_progress_callback_with_state(za, 0.005, zprogress, NULL, &z);
    zip_register_cancel_callback_with_state(za, zcancel, NULL, &z);
    if (zip_close(za) != 0) {
        rc = zerr(za, "write bundle", part);
        goto out;
    }
    za = NULL;
    rc = fsync_path(part);
    if (rc != KK_OK)
        goto out;
    unlink(spart);

    /* read it back before it gets its final name */
    if (o->progress)
        o->progress(o->progress_ctx, "checking", 0, 0);
    {
        kk_verify_opts vo = {.path = part, .sample_password = pw, .expect_fingerprint = res->fingerprint};
        kk_verify_result vr;
        rc = kk_bundle_verify(&vo, &vr);
        if (rc == KK_OK && json_array_size(vr.problems)) {
            json_t *p0 = json_array_get(vr.problems, 0);
            rc = kk_err_set(KK_EIO, "the bundle written to '%s' does not check out (%s: %s): a file "
                            "changed while it was sealed, or the disk is failing",
                            part, json_string_value(json_object_get(p0, "name")),
                            json_string_value(json_object_get(p0, "message")));
        }
        kk_verify_result_free(&vr);
        if (rc != KK_OK)
            goto out;
    }
    if (stopped(&c)) {
        rc = kk_err_set(KK_ESTOP, "interrupted");
        goto out;
    }
    rc = kk_sha256_file(part, res->sha256, &res->bytes);
    if (rc != KK_OK)
        goto out;
    if (rename(part, o->output) != 0) {
        rc = kk_err_set(KK_EIO, "cannot rename '%s' to '%s': %s", part, o->output, strerror(errno));
        goto out;
    }
    {
        char *d = kk_strdup(o->output);
        char *sl = d ? strrchr(d, '/') : NULL;
        if (sl)
            *sl = '\0';
        kk_fsync_dir(sl ? (*d ? d : "/") : ".");
        free(d);
    }
    res->members = c.members.n + (c.samples.n ? 1 : 0) + 1;
    res->samples = c.samples.n;
    if (o->recipients && o->recipients[0]) {
        res->p7m = kk_asprintf("%s.p7m", o->output);
        if (!res->p7m) {
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            goto out;
        }
        if (o->progress)
            o->progress(o->progress_ctx, "encrypting", 0, 0);
        rc = kk_cms_encrypt(o->output, res->p7m, o->recipients);
    }
out:
    if (za)
        zip_discard(za);
    if (rc != KK_OK) {
        if (part)
            unlink(part);
        if (spart)
            unlink(spart);
        if (logged)
            log_failure(cs, o, rc);
    }
    json_decref(index);
    json_decref(manifest);
    free(mtext);
    free(pub);
    free(sums);
    free(buf);
    free(part);
    free(spart);
    free(custody);
    ml_free(&c.members);
    ml_free(&c.samples);
    ns_free(&c.names);
    ns_free(&c.snames);
    kk_case_close(cs);
    return rc;
}
