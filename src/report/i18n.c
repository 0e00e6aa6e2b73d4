/* i18n.c - GNU .mo catalogs read directly, the language given per call (see i18n.h). */
#include "i18n.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MO_MAGIC 0x950412deu
#define MO_MAX_SIZE ((size_t)16 << 20)

typedef struct mo_pair {
    const char *id;
    const char *str;
} mo_pair;

typedef struct catalog {
    const char *lang;    /* "ja" */
    int loaded;          /* a load was tried */
    int rc;              /* its result */
    char err[512];       /* its message */
    char *dir;           /* LOCALEDIR it came from */
    char *data;          /* the file */
    mo_pair *pairs;      /* sorted by id */
    size_t n;
} catalog;

static catalog catalogs[] = {{.lang = "ja"}};
static pthread_mutex_t cat_lock = PTHREAD_MUTEX_INITIALIZER;

const char *kk_i18n_norm(const char *lang)
{
    if (lang && (lang[0] == 'j' || lang[0] == 'J') && (lang[1] == 'a' || lang[1] == 'A') &&
        (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' || lang[2] == '.' || lang[2] == '@'))
        return "ja";
    return "en";
}

const char *kk_i18n_env_lang(void)
{
    const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        if (i == 0) { /* LANGUAGE is a list "ja:en"; its first entry decides */
            char first[16];
            size_t k = strcspn(v, ":");
            if (k >= sizeof first)
                k = sizeof first - 1;
            memcpy(first, v, k);
            first[k] = '\0';
            return kk_i18n_norm(first);
        }
        return kk_i18n_norm(v);
    }
    return "en";
}

static uint32_t rd32(const unsigned char *p, int swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    if (swap)
        v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
    return v;
}

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const mo_pair *)a)->id, ((const mo_pair *)b)->id);
}

/* Parse a .mo image (data, size bytes, NUL-terminated one past the end). */
static int mo_parse(catalog *c, char *data, size_t size, const char *path)
{
    const unsigned char *u = (const unsigned char *)data;
    if (size < 28)
        return kk_err_set(KK_EFORMAT, "catalog '%s' is too short", path);
    uint32_t magic = rd32(u, 0);
    int swap;
    if (magic == MO_MAGIC)
        swap = 0;
    else if (rd32(u, 1) == MO_MAGIC)
        swap = 1;
    else
        return kk_err_set(KK_EFORMAT, "'%s' is not a gettext catalog", path);
    uint32_t rev = rd32(u + 4, swap), n = rd32(u + 8, swap);
    uint32_t o_orig = rd32(u + 12, swap), o_tr = rd32(u + 16, swap);
    if ((rev >> 16) > 1)
        return kk_err_set(KK_EUNSUP, "catalog '%s' has unknown revision %u", path, rev >> 16);
    if (n > size / 16 || o_orig > size || o_tr > size || (size - o_orig) / 8 < n ||
        (size - o_tr) / 8 < n)
        return kk_err_set(KK_EFORMAT, "catalog '%s' is damaged (tables out of range)", path);
    mo_pair *pairs = kk_calloc(n ? n : 1, sizeof *pairs);
    if (!pairs)
        return kk_err_set(KK_ENOMEM, "out of memory reading catalog '%s'", path);
    size_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t il = rd32(u + o_orig + 8 * (size_t)i, swap);
        uint32_t io = rd32(u + o_orig + 8 * (size_t)i + 4, swap);
        uint32_t tl = rd32(u + o_tr + 8 * (size_t)i, swap);
        uint32_t to = rd32(u + o_tr + 8 * (size_t)i + 4, swap);
        if (io > size || il > size - io || to > size || tl > size - to || data[io + il] != '\0' || data[to + tl] != '\0') {
            free(pairs);
            return kk_err_set(KK_EFORMAT, "catalog '%s' is damaged (string %u out of range)",
                              path, i);
        }
        if (il == 0 || tl == 0)
            continue; /* the header entry, or an untranslated string */
        pairs[k].id = data + io;
        pairs[k].str = data + to;
        k++;
    }
    qsort(pairs, k, sizeof *pairs, pair_cmp);
    c->pairs = pairs;
    c->n = k;
    c->data = data;
    return KK_OK;
}

static int read_whole(const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT || errno == ENOTDIR ? KK_ENOENT
                                                   : kk_err_set(KK_EIO, "cannot open catalog '%s': %s",
                                                                path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > MO_MAX_SIZE) {
        close(fd);
        return kk_err_set(KK_EFORMAT, "catalog '%s' is not a regular file of a sane size", path);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        close(fd);
        return kk_err_set(KK_ENOMEM, "out of memory reading catalog '%s'", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return kk_err_set(KK_EIO, "cannot read catalog '%s'", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return KK_OK;
}

/* Candidate LOCALEDIRs in order (caller frees each). Returns how many. */
static size_t locale_dirs(char *dirs[4])
{
    size_t k = 0;
    const char *env = getenv("KAKETSUKE_LOCALEDIR");
    if (env && *env)
        dirs[k++] = kk_strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *rel[] = {"locale", "../share/locale", "../locale"};
            for (size_t i = 0; i < 3; i++)
                dirs[k++] = kk_asprintf("%s/%s", exe, rel[i]);
        }
    }
    return k;
}

static void load(catalog *c)
{
    char *dirs[4] = {0};
    size_t nd = locale_dirs(dirs);
    char tried[400] = "";
    size_t tl = 0;
    c->rc = KK_ENOENT;
    for (size_t i = 0; i < nd; i++) {
        if (!dirs[i])
            continue;
        char *path = kk_asprintf("%s/%s/LC_MESSAGES/%s.mo", dirs[i], c->lang, KK_TEXTDOMAIN);
        if (!path)
            break;
        char *data = NULL;
        size_t size = 0;
        int rc = read_whole(path, &data, &size);
        if (rc == KK_OK) {
            rc = mo_parse(c, data, size, path);
            if (rc != KK_OK)
                free(data);
        }
        if (rc == KK_OK) {
            c->dir = kk_strdup(dirs[i]);
            c->rc = KK_OK;
            free(path);
            break;
        }
        if (rc != KK_ENOENT) { /* a damaged catalog is reported, not skipped silently */
            c->rc = rc;
            snprintf(c->err, sizeof c->err, "%s", kk_err_msg());
            free(path);
            break;
        }
        if (tl < sizeof tried)
            tl += (size_t)snprintf(tried + tl, sizeof tried - tl, "%s'%s'", tl ? ", " : "", dirs[i]);
        free(path);
    }
    if (c->rc == KK_ENOENT)
        snprintf(c->err, sizeof c->err,
                 "no '%s' catalog %s.mo found (looked in %s; set KAKETSUKE_LOCALEDIR)", c->lang,
                 KK_TEXTDOMAIN, tl ? tried : "no folder");
    for (size_t i = 0; i < nd; i++)
        free(dirs[i]);
    c->loaded = 1;
}

static catalog *get_catalog(const char *lang)
{
    const char *l = kk_i18n_norm(lang);
    for (size_t i = 0; i < sizeof catalogs / sizeof *catalogs; i++) {
        catalog *c = &catalogs[i];
        if (strcmp(c->lang, l))
            continue;
        pthread_mutex_lock(&cat_lock);
        if (!c->loaded)
            load(c);
        pthread_mutex_unlock(&cat_lock);
        return c;
    }
    return NULL;
}

const char *kk_tr(const char *lang, const char *msgid)
{
    if (!msgid || !*msgid)
        return msgid;
    catalog *c = get_catalog(lang);
    if (!c || c->rc != KK_OK || !c->n)
        return msgid;
    mo_pair key = {.id = msgid};
    const mo_pair *p = bsearch(&key, c->pairs, c->n, sizeof *c->pairs, pair_cmp);
    return p ? p->str : msgid;
}

int kk_i18n_check(const char *lang)
{
    catalog *c = get_catalog(lang);
    if (!c)
        return KK_OK;
    if (c->rc != KK_OK)
        return kk_err_set(c->rc, "%s", c->err);
    return KK_OK;
}

const char *kk_i18n_dir(const char *lang)
{
    catalog *c = get_catalog(lang);
    return c && c->rc == KK_OK ? c->dir : NULL;
}
