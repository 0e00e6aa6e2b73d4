/* rules.c - compile YARA rules once.
 *
 * Every source file is first compiled alone (a broken file kills a YR_COMPILER, so
 * it must not share one with good files), then all good files are compiled together,
 * each in its own namespace (its path relative to the directory given). */
#include "rules.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const kk_externals[] = {"filename", "filepath", "extension", "filetype", "owner"};

typedef struct rfile {
    char *path;   /* host path */
    char *ns;     /* namespace: relative path */
    int direct;   /* named on the command line */
    int join;     /* index of the file whose namespace this one is compiled into, or -1 */
} rfile;

typedef struct rlist {
    rfile *v;
    size_t n, a;
} rlist;

typedef struct cctx {
    kk_buf err;     /* first error: file:line: message */
    int nerr;
    kk_rules_warn_fn warn;
    void *wctx;
    int report_warnings;
    char **warns;   /* warnings of the compile that is kept, reported at the end */
    size_t nwarns;
} cctx;

static void drop_warnings(cctx *c)
{
    for (size_t i = 0; i < c->nwarns; i++)
        free(c->warns[i]);
    free(c->warns);
    c->warns = NULL;
    c->nwarns = 0;
}

int kk_yara_init(void)
{
    int rc = yr_initialize();
    if (rc != ERROR_SUCCESS)
        return kk_err_set(KK_EINTERNAL, "cannot initialise libyara (error %d)", rc);
    /* Only the first 64 bytes of a match are reported: libyara need not copy more.
     * This bounds the memory a flood of long matches can take. */
    uint32_t max_data = 64;
    yr_set_configuration(YR_CONFIG_MAX_MATCH_DATA, &max_data);
    return KK_OK;
}

void kk_yara_fini(void) { yr_finalize(); }

static int rlist_add(rlist *l, const char *path, const char *ns, int direct)
{
    if (l->n == l->a) {
        size_t a = l->a ? l->a * 2 : 64;
        rfile *v = realloc(l->v, a * sizeof *v);
        if (!v)
            return kk_err_set(KK_ENOMEM, "out of memory");
        l->v = v;
        l->a = a;
    }
    l->v[l->n].path = kk_strdup(path);
    l->v[l->n].ns = kk_strdup(ns);
    l->v[l->n].direct = direct;
    l->v[l->n].join = -1;
    if (!l->v[l->n].path || !l->v[l->n].ns)
        return kk_err_set(KK_ENOMEM, "out of memory");
    l->n++;
    return KK_OK;
}

static void rlist_free(rlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].path);
        free(l->v[i].ns);
    }
    free(l->v);
}

static int has_ext(const char *name)
{
    const char *d = strrchr(name, '.');
    return d && (!strcasecmp(d, ".yar") || !strcasecmp(d, ".yara"));
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

typedef struct dirseen {
    dev_t dev[256];
    ino_t ino[256];
    int n;
} dirseen;

/* Collect rule files below dir (sorted, recursive; a directory reached twice, e.g.
 * through a symbolic link loop, is read once). */
static int collect_dir(rlist *l, const char *root, const char *rel, int depth, dirseen *seen)
{
    if (depth > 32)
        return KK_OK;
    char *dir = *rel ? kk_asprintf("%s/%s", root, rel) : kk_strdup(root);
    if (!dir)
        return kk_err_set(KK_ENOMEM, "out of memory");
    DIR *d = opendir(dir);
    if (!d) {
        int rc = kk_err_set(KK_ENOENT, "cannot read rules directory '%s': %s", dir, strerror(errno));
        free(dir);
        return rc;
    }
    char **names = NULL;
    size_t n = 0, a = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == a) {
            a = a ? 2 * a : 64;
            char **t = realloc(names, a * sizeof *t);
            if (!t)
                break;
            names = t;
        }
        names[n++] = kk_strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    int rc = KK_OK;
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        char *r = *rel ? kk_asprintf("%s/%s", rel, names[i]) : kk_strdup(names[i]);
        char *full = kk_asprintf("%s/%s", root, r);
        struct stat st;
        if (r && full && stat(full, &st) == 0) {
            int again = 0;
            for (int k = 0; S_ISDIR(st.st_mode) && k < seen->n; k++)
                again |= seen->dev[k] == st.st_dev && seen->ino[k] == st.st_ino;
            if (S_ISDIR(st.st_mode) && !again && seen->n < 256) {
                seen->dev[seen->n] = st.st_dev;
                seen->ino[seen->n++] = st.st_ino;
                rc = collect_dir(l, root, r, depth + 1, seen);
            }
            else if (S_ISREG(st.st_mode) && has_ext(names[i]))
                rc = rlist_add(l, full, r, 0);
        }
        free(r);
        free(full);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir);
    return rc;
}

/* A file made only of include lines, comments and blanks (an index file). */
static int is_index_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int includes = 0, other = 0, in_comment = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (in_comment) {
            if (strstr(p, "*/"))
                in_comment = 0;
            continue;
        }
        if (!*p || *p == '\n' || *p == '\r' || !strncmp(p, "//", 2))
            continue;
        if (!strncmp(p, "/*", 2)) {
            if (!strstr(p + 2, "*/"))
                in_comment = 1;
            continue;
        }
        if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t' || p[7] == '"'))
            includes++;
        else
            other++;
    }
    fclose(f);
    return includes > 0 && other == 0;
}

static void compile_cb(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
                       void *user)
{
    (void)rule;
    cctx *c = user;
    char buf[1200];
    snprintf(buf, sizeof buf, "%s:%d: %s", file ? file : "?", line, msg);
    if (level == YARA_ERROR_LEVEL_ERROR) {
        if (c->nerr++ == 0)
            kk_buf_adds(&c->err, buf);
    } else if (c->report_warnings) {
        char **v = realloc(c->warns, (c->nwarns + 1) * sizeof *v);
        if (v) {
            c->warns = v;
            c->warns[c->nwarns] = kk_strdup(buf);
            if (c->warns[c->nwarns])
                c->nwarns++;
        }
    }
}

static int new_compiler(YR_COMPILER **yc, cctx *c)
{
    if (yr_compiler_create(yc) != ERROR_SUCCESS)
        return kk_err_set(KK_ENOMEM, "cannot create a YARA compiler");
    yr_compiler_set_callback(*yc, compile_cb, c);
    for (size_t i = 0; i < sizeof kk_externals / sizeof *kk_externals; i++)
        yr_compiler_define_string_variable(*yc, kk_externals[i], "");
    return KK_OK;
}

static int add_one(YR_COMPILER *yc, const char *path, const char *ns)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    int n = yr_compiler_add_file(yc, fp, ns, path);
    fclose(fp);
    return n;
}

/* A file, in its own namespace -- or in the namespace of the file it joins. */
static int add_file(YR_COMPILER *yc, const rlist *l, const rfile *f)
{
    return add_one(yc, f->path, f->join >= 0 ? l->v[f->join].ns : f->ns);
}

static char *slurp(const char *path, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *b = malloc(cap + 1);
    size_t n = b ? fread(b, 1, cap, f) : 0;
    fclose(f);
    if (b)
        b[n] = '\0';
    return b;
}

/* Rule sets such as Yara-Rules keep shared rules in one file (e.g. the private rule
 * is__elf in 000_common_rules.yar) that other files use without including it: they only
 * compile in one namespace. Find, among the files of the set, the one defining NAME. */
static int find_definer(const rlist *l, size_t self, const char *errmsg)
{
    const char *p = strstr(errmsg, "undefined identifier \"");
    if (!p)
        return -1;
    p += strlen("undefined identifier \"");
    size_t n = strcspn(p, "\"");
    if (!n || n > 128)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        if (i == self || l->v[i].join >= 0)
            continue;
        char *b = slurp(l->v[i].path, 1 << 20);
        if (!b)
            continue;
        int defines = 0;
        for (char *q = strstr(b, "rule"); q && !defines; q = strstr(q + 4, "rule")) {
            if (!(q == b || q[-1] == ' ' || q[-1] == '\n' || q[-1] == '\t') || (q[4] != ' ' && q[4] != '\t'))
                continue;
            char *id = q + 4;
            while (*id == ' ' || *id == '\t')
                id++;
            size_t idl = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
            defines = idl == n && !strncmp(id, p, n);
        }
        free(b);
        if (defines)
            return (int)i;
    }
    return -1;
}

static int hash_file(EVP_MD_CTX *md, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return kk_err_set(KK_EIO, "cannot read '%s': %s", path, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    fclose(f);
    return KK_OK;
}

static int is_compiled(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char m[4] = {0};
    size_t n = fread(m, 1, 4, f);
    fclose(f);
    return n == 4 && !memcmp(m, "YARA", 4);
}

static void finish_hash(EVP_MD_CTX *md, char out[65])
{
    unsigned char d[32];
    unsigned dl = 0;
    EVP_DigestFinal_ex(md, d, &dl);
    for (unsigned i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static unsigned count_rules(YR_RULES *r)
{
    unsigned n = 0;
    YR_RULE *rule;
    yr_rules_foreach(r, rule) n++;
    return n;
}

int kk_rules_load(const char *const *paths, size_t npaths, kk_rules_warn_fn warn, void *ctx,
                  kk_rules **out)
{
    kk_rules *r = kk_calloc(1, sizeof *r);
    if (!r)
        return kk_err_set(KK_ENOMEM, "out of memory");
    rlist l = {0};
    int rc = KK_OK;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);

    /* Compiled rules: exactly one path that holds them. */
    if (npaths == 1 && is_compiled(paths[0])) {
        int yrc = yr_rules_load(paths[0], &r->yr);
        if (yrc != ERROR_SUCCESS) {
            rc = kk_err_set(KK_ERULES, "cannot load compiled rules '%s' (libyara error %d: corrupt, "
                            "or compiled by another YARA version)", paths[0], yrc);
            goto out;
        }
        hash_file(md, paths[0]);
        finish_hash(md, r->sha256);
        r->compiled = 1;
        r->nfiles = 1;
        r->nrules = count_rules(r->yr);
        goto out;
    }
    for (size_t i = 0; i < npaths && rc == KK_OK; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            rc = kk_err_set(KK_ENOENT, "cannot open rules '%s': %s", paths[i], strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            size_t before = l.n;
            dirseen seen = {.n = 1};
            seen.dev[0] = st.st_dev;
            seen.ino[0] = st.st_ino;
            rc = collect_dir(&l, paths[i], "", 0, &seen);
            /* skip index files (only include lines): their rules are loaded directly */
            size_t w = before;
            for (size_t k = before; k < l.n; k++) {
                if (is_index_file(l.v[k].path)) {
                    free(l.v[k].path);
                    free(l.v[k].ns);
                } else {
                    l.v[w++] = l.v[k];
                }
            }
            l.n = w;
        } else if (is_compiled(paths[i])) {
            rc = kk_err_set(KK_ERULES, "compiled rules '%s' cannot be combined with other rules",
                            paths[i]);
        } else {
            const char *base = strrchr(paths[i], '/');
            rc = rlist_add(&l, paths[i], base ? base + 1 : paths[i], 1);
        }
    }
    if (rc != KK_OK)
        goto out;
    if (l.n == 0) {
        rc = kk_err_set(KK_ERULES, "no rule files (.yar, .yara) found in '%s'", npaths ? paths[0] : "");
        goto out;
    }
    /* Namespaces are relative paths; two files with the same one (the same set given
     * twice, a/x.yar and b/x.yar) get their full path as namespace instead. */
    for (size_t i = 1; i < l.n; i++) {
        for (size_t k = 0; k < i; k++) {
            if (strcmp(l.v[i].ns, l.v[k].ns))
                continue;
            char *full = kk_strdup(l.v[i].path);
            if (full) {
                free(l.v[i].ns);
                l.v[i].ns = full;
            }
            break;
        }
    }

    /* Usually every file compiles: try them all together first. Only when that fails
     * is each file compiled alone (a failed YR_COMPILER cannot be reused), to leave out
     * the broken ones with a warning. */
    char *ok = kk_calloc(l.n, 1);
    cctx c;
    memset(&c, 0, sizeof c);
    kk_buf_init(&c.err, 4096);
    c.warn = warn;
    c.wctx = ctx;
    int all_ok = 0;
    c.report_warnings = 1;
    if (ok) {
        YR_COMPILER *yc;
        rc = new_compiler(&yc, &c);
        if (rc == KK_OK) {
            all_ok = 1;
            for (size_t i = 0; i < l.n && all_ok; i++)
                if (add_file(yc, &l, &l.v[i]) != 0)
                    all_ok = 0;
            if (all_ok) {
                for (size_t i = 0; i < l.n; i++) {
                    EVP_DigestUpdate(md, l.v[i].ns, strlen(l.v[i].ns) + 1);
                    hash_file(md, l.v[i].path);
                }
                r->nfiles = (unsigned)l.n;
                if (yr_compiler_get_rules(yc, &r->yr) != ERROR_SUCCESS)
                    rc = kk_err_set(KK_ENOMEM, "cannot build the compiled rules");
                finish_hash(md, r->sha256);
                if (rc == KK_OK && (r->nrules = count_rules(r->yr)) == 0)
                    rc = kk_err_set(KK_ERULES, "the rule files hold no rule");
            }
            yr_compiler_destroy(yc);
        }
    } else {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
    }
    if (!all_ok)
        drop_warnings(&c);
    c.report_warnings = 0;
    for (size_t i = 0; !all_ok && i < l.n && rc == KK_OK; i++) {
        YR_COMPILER *yc;
        c.nerr = 0;
        kk_buf_reset(&c.err);
        rc = new_compiler(&yc, &c);
        if (rc != KK_OK)
            break;
        int n = add_file(yc, &l, &l.v[i]);
        yr_compiler_destroy(yc);
        if (n == 0) {
            ok[i] = 1;
            continue;
        }
        int def = n > 0 && !l.v[i].direct ? find_definer(&l, i, kk_buf_str(&c.err)) : -1;
        if (def >= 0) {
            /* compile it into the definer's namespace, after the definer */
            l.v[i].join = def;
            c.nerr = 0;
            kk_buf_reset(&c.err);
            if (new_compiler(&yc, &c) == KK_OK) {
                n = add_one(yc, l.v[def].path, l.v[def].ns);
                if (n == 0)
                    n = add_file(yc, &l, &l.v[i]);
                yr_compiler_destroy(yc);
                if (n == 0) {
                    ok[i] = 1;
                    continue;
                }
            }
            l.v[i].join = -1;
            c.nerr = 0;
            kk_buf_reset(&c.err);
            if (new_compiler(&yc, &c) == KK_OK) { /* the original message again */
                add_file(yc, &l, &l.v[i]);
                yr_compiler_destroy(yc);
            }
        }
        const char *msg = n < 0 ? strerror(errno) : kk_buf_str(&c.err);
        if (l.v[i].direct) {
            rc = kk_err_set(KK_ERULES, "cannot compile rules: %s", n < 0 ? l.v[i].path : msg);
        } else {
            r->nfailed++;
            if (warn) {
                char m[1400];
                snprintf(m, sizeof m, "rule file left out: %s", msg);
                warn(ctx, "rules", m);
            }
        }
    }
    if (rc == KK_OK && !all_ok) {
        /* all good files in one compiler */
        YR_COMPILER *yc = NULL;
        c.nerr = 0;
        c.report_warnings = 1;
        drop_warnings(&c);
        kk_buf_reset(&c.err);
        rc = new_compiler(&yc, &c);
        for (size_t k = 0; k < 2 * l.n && rc == KK_OK; k++) {
            size_t i = k % l.n;
            /* first the files in their own namespace, then those joining another's */
            if (!ok[i] || (k < l.n) != (l.v[i].join < 0) || (l.v[i].join >= 0 && !ok[l.v[i].join]))
                continue;
            EVP_DigestUpdate(md, l.v[i].ns, strlen(l.v[i].ns) + 1);
            hash_file(md, l.v[i].path);
            if (add_file(yc, &l, &l.v[i]) != 0)
                rc = kk_err_set(KK_ERULES, "cannot compile rules together: %s", kk_buf_str(&c.err));
            else
                r->nfiles++;
        }
        if (rc == KK_OK && r->nfiles == 0)
            rc = kk_err_set(KK_ERULES, "no rule file compiles (see the warnings)");
        if (rc == KK_OK && yr_compiler_get_rules(yc, &r->yr) != ERROR_SUCCESS)
            rc = kk_err_set(KK_ENOMEM, "cannot build the compiled rules");
        if (yc)
            yr_compiler_destroy(yc);
        finish_hash(md, r->sha256);
        if (rc == KK_OK)
            r->nrules = count_rules(r->yr);
        if (rc == KK_OK && r->nrules == 0)
            rc = kk_err_set(KK_ERULES, "the rule files hold no rule");
    }
    for (size_t i = 0; rc == KK_OK && warn && i < c.nwarns; i++)
        warn(ctx, "rules", c.warns[i]);
    drop_warnings(&c);
    kk_buf_free(&c.err);
    free(ok);
out:
    EVP_MD_CTX_free(md);
    rlist_free(&l);
    if (rc != KK_OK) {
        kk_rules_free(r);
        return rc;
    }
    *out = r;
    return KK_OK;
}

void kk_rules_free(kk_rules *r)
{
    if (!r)
        return;
    if (r->yr)
        yr_rules_destroy(r->yr);
    free(r);
}
