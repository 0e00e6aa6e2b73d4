/* targets.c - load artifact target definitions and match paths against them. */
#include "targets.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define TARGET_FILE_MAX (1u << 20)
#define MAX_COMPONENTS 64

static void free_target(kk_target *t)
{
    free(t->name);
    free(t->description);
    free(t->os);
    free(t->category);
    for (size_t i = 0; i < t->npaths; i++)
        free(t->paths[i]);
    free(t->paths);
    free(t->file);
}

void kk_targets_free(kk_targets *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free_target(&t->v[i]);
    free(t->v);
    free(t);
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int check_pattern(const char *p)
{
    if (p[0] != '/')
        return 0;
    const char *c = p + 1;
    int n = 0;
    while (*c) {
        const char *slash = strchr(c, '/');
        size_t len = slash ? (size_t)(slash - c) : strlen(c);
        if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
            return 0;
        if (++n > MAX_COMPONENTS)
            return 0;
        c += len;
        if (*c == '/')
            c++;
    }
    return n > 0;
}

static int finish(kk_targets *t, size_t first, const char *file)
{
    for (size_t i = first; i < t->n; i++) {
        kk_target *x = &t->v[i];
        if (!x->npaths)
            return kk_err_set(KK_EFORMAT, "%s: target '%s' has no path", file, x->name);
        if (!x->os)
            x->os = kk_strdup("any");
    }
    return KK_OK;
}

int kk_targets_parse(kk_targets *t, const char *text, const char *file)
{
    char *copy = kk_strdup(text);
    if (!copy)
        return kk_err_set(KK_ENOMEM, "out of memory");
    size_t first = t->n;
    kk_target *cur = NULL;
    int rc = KK_OK, line = 0;
    char *save = NULL;
    for (char *l = copy; l && rc == KK_OK; l = save) {
        char *nl = strchr(l, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        line++;
        char *s = trim(l);
        if (!*s || *s == '#')
            continue;
        char *colon = strchr(s, ':');
        if (!colon) {
            rc = kk_err_set(KK_EFORMAT, "%s:%d: expected 'key: value'", file, line);
            break;
        }
        *colon = '\0';
        char *k = trim(s), *v = trim(colon + 1);
        if (!strcmp(k, "target")) {
            if (!valid_name(v)) {
                rc = kk_err_set(KK_EFORMAT, "%s:%d: target name '%s' must be lower-case letters, digits, - and _",
                                file, line, v);
                break;
            }
            for (size_t i = 0; i < t->n; i++)
                if (!strcmp(t->v[i].name, v)) {
                    rc = kk_err_set(KK_EFORMAT, "%s:%d: target '%s' is defined twice (also in %s)", file, line,
                                    v, t->v[i].file);
                    break;
                }
            if (rc != KK_OK)
                break;
            kk_target *nv = realloc(t->v, (t->n + 1) * sizeof *nv);
            if (!nv) {
                rc = kk_err_set(KK_ENOMEM, "out of memory");
                break;
            }
            t->v = nv;
            cur = &t->v[t->n++];
            memset(cur, 0, sizeof *cur);
            cur->name = kk_strdup(v);
            cur->file = kk_strdup(file);
            continue;
        }
        if (!cur) {
            rc = kk_err_set(KK_EFORMAT, "%s:%d: '%s' before the first 'target:' line", file, line, k);
            break;
        }
        if (!strcmp(k, "description")) {
            free(cur->description);
            cur->description = kk_strdup(v);
        } else if (!strcmp(k, "category")) {
            free(cur->category);
            cur->category = kk_strdup(v);
        } else if (!strcmp(k, "os")) {
            if (strcmp(v, "windows") && strcmp(v, "linux") && strcmp(v, "any")) {
                rc = kk_err_set(KK_EFORMAT, "%s:%d: os must be windows, linux or any", file, line);
                break;
            }
            free(cur->os);
            cur->os = kk_strdup(v);
        } else if (!strcmp(k, "path")) {
            /* the value may itself hold ':' (alternate data streams): take the rest */
            char *full = trim(colon + 1);
            if (!check_pattern(full)) {
                rc = kk_err_set(KK_EFORMAT, "%s:%d: path '%s' must be absolute, without empty, '.' or '..' "
                                "components", file, line, full);
                break;
            }
            char **np = realloc(cur->paths, (cur->npaths + 1) * sizeof *np);
            if (!np) {
                rc = kk_err_set(KK_ENOMEM, "out of memory");
                break;
            }
            cur->paths = np;
            cur->paths[cur->npaths] = kk_strdup(full);
            if (!cur->paths[cur->npaths]) {
                rc = kk_err_set(KK_ENOMEM, "out of memory");
                break;
            }
            cur->npaths++;
        } else {
            rc = kk_err_set(KK_EFORMAT, "%s:%d: unknown key '%s' (use target, description, os, category, path)",
                            file, line, k);
        }
    }
    free(copy);
    if (rc == KK_OK)
        rc = finish(t, first, file);
    return rc;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int kk_targets_load(const char *dir, kk_targets **out)
{
    DIR *d = opendir(dir);
    if (!d)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open targets folder '%s': %s", dir,
                          strerror(errno));
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 8 || strcmp(e->d_name + l - 7, ".target"))
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *nn);
        if (!nn)
            break;
        names = nn;
        names[n] = kk_strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    kk_targets *t = kk_calloc(1, sizeof *t);
    int rc = t ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        char *p = kk_asprintf("%s/%s", dir, names[i]);
        FILE *f = p ? fopen(p, "r") : NULL;
        if (!f) {
            rc = kk_err_set(KK_EIO, "cannot read target file '%s': %s", p ? p : names[i], strerror(errno));
            free(p);
            break;
        }
        kk_buf b;
        kk_buf_init(&b, TARGET_FILE_MAX);
        char tmp[8192];
        size_t got;
        while (rc == KK_OK && (got = fread(tmp, 1, sizeof tmp, f)) > 0)
            if (kk_buf_add(&b, tmp, got) != KK_OK)
                rc = kk_err_set(KK_EFORMAT, "target file '%s' is too large", p);
        fclose(f);
        if (rc == KK_OK)
            rc = kk_targets_parse(t, kk_buf_str(&b), p);
        kk_buf_free(&b);
        free(p);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (rc == KK_OK && t->n == 0)
        rc = kk_err_set(KK_ENOENT, "no target definitions (*.target) in '%s'", dir);
    if (rc != KK_OK) {
        kk_targets_free(t);
        return rc;
    }
    *out = t;
    return KK_OK;
}

int kk_targets_select(kk_targets *t, const char *list, const char *const *extra, int *extra_set)
{
    char *copy = kk_strdup(list);
    if (!copy)
        return kk_err_set(KK_ENOMEM, "out of memory");
    for (size_t i = 0; i < t->n; i++)
        t->v[i].selected = 0;
    int rc = KK_OK;
    char *save = NULL;
    for (char *w = strtok_r(copy, ",", &save); w && rc == KK_OK; w = strtok_r(NULL, ",", &save)) {
        w = trim(w);
        if (!*w)
            continue;
        int hit = 0;
        for (size_t e = 0; extra && extra[e]; e++)
            if (!strcmp(w, extra[e])) {
                extra_set[e] = 1;
                hit = 1;
            }
        if (!strcmp(w, "none"))
            hit = 1;
        for (size_t i = 0; i < t->n; i++) {
            if (!strcmp(w, "all") || !strcmp(w, t->v[i].name) || !strcmp(w, t->v[i].os) ||
                (t->v[i].category && !strcmp(w, t->v[i].category))) {
                t->v[i].selected = 1;
                hit = 1;
            }
        }
        if (!hit && !strcmp(w, "all"))
            hit = 1;
        if (!hit)
            rc = kk_err_set(KK_EINVAL, "unknown target '%s' (see 'kaketsuke collect --list-targets')", w);
    }
    free(copy);
    return rc;
}

/* Component-wise match with ** (zero or more components). */
static int match_from(char **pc, int np, char **xc, int nx, int fold)
{
    if (np == 0)
        return nx == 0;
    if (!strcmp(pc[0], "**")) {
        for (int k = 0; k <= nx; k++)
            if (match_from(pc + 1, np - 1, xc + k, nx - k, fold))
                return 1;
        return 0;
    }
    if (nx == 0)
        return 0;
    if (fnmatch(pc[0], xc[0], fold ? FNM_CASEFOLD : 0) != 0)
        return 0;
    return match_from(pc + 1, np - 1, xc + 1, nx - 1, fold);
}

static int split(char *s, char **v, int max)
{
    int n = 0;
    for (char *p = s; *p;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        if (n == max)
            return -1;
        v[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

int kk_glob_match(const char *pattern, const char *path, int fold)
{
    char pb[4096], xb[8192];
    if (strlen(pattern) >= sizeof pb || strlen(path) >= sizeof xb)
        return 0;
    strcpy(pb, pattern);
    strcpy(xb, path);
    char *pc[MAX_COMPONENTS + 1], *xc[256];
    int np = split(pb, pc, MAX_COMPONENTS), nx = split(xb, xc, 256);
    if (np < 0 || nx < 0)
        return 0;
    return match_from(pc, np, xc, nx, fold);
}

/* Cheap pre-check: the last pattern component against the file name. */
static int last_ok(const char *pattern, const char *name, int fold)
{
    const char *lp = strrchr(pattern, '/');
    lp = lp ? lp + 1 : pattern;
    if (!strcmp(lp, "**"))
        return 1;
    return fnmatch(lp, name, fold ? FNM_CASEFOLD : 0) == 0;
}

const kk_target *kk_targets_match(const kk_targets *t, const char *path, int windows_volume)
{
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    for (size_t i = 0; i < t->n; i++) {
        const kk_target *x = &t->v[i];
        if (!x->selected)
            continue;
        int fold = windows_volume || !strcmp(x->os, "windows");
        for (size_t k = 0; k < x->npaths; k++)
            if (last_ok(x->paths[k], name, fold) && kk_glob_match(x->paths[k], path, fold))
                return x;
    }
    return NULL;
}
