#define PCRE2_CODE_UNIT_WIDTH 8
#include "ioc.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct hash_ioc {
    unsigned char d[32];
    unsigned char len;
    char *desc;
    char *text;
} hash_ioc;

typedef struct name_ioc {
    pcre2_code *re, *fp;
    int score;
    char *text;
    char *desc;     /* the last comment line above it (LOKI convention) */
} name_ioc;

struct kk_iocs {
    hash_ioc *h;
    size_t nh, ah;
    int sorted;
    name_ioc *f;
    size_t nf, af;
    int md5, sha1;
};

int kk_iocs_new(kk_iocs **out)
{
    *out = kk_calloc(1, sizeof **out);
    return *out ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "HEX;..." with 32/40/64 hex digits: fills d and returns its length, else 0. */
static size_t parse_hash(const char *s, unsigned char *d)
{
    size_t n = strcspn(s, ";\r\n \t");
    if (n != 32 && n != 40 && n != 64)
        return 0;
    for (size_t i = 0; i < n; i += 2) {
        int h = hexval(s[i]), l = hexval(s[i + 1]);
        if (h < 0 || l < 0)
            return 0;
        d[i / 2] = (unsigned char)(h * 16 + l);
    }
    return n / 2;
}

static pcre2_code *compile_re(const char *re, char *err, size_t errsz)
{
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
    if (!c) {
        PCRE2_UCHAR m[256];
        pcre2_get_error_message(ec, m, sizeof m);
        snprintf(err, errsz, "%s at offset %zu", (char *)m, (size_t)eo);
        return NULL;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    return c;
}

static int load_file(kk_iocs *s, const char *path, kk_ioc_warn_fn warn, void *ctx)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(KK_ENOENT, "cannot open IOC file '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, rc = KK_OK;
    char comment[256] = "";
    while (rc == KK_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (line[0] == '#') {
            const char *c = line + 1;
            while (*c == ' ' || *c == '#' || *c == '\t')
                c++;
            if (*c)
                snprintf(comment, sizeof comment, "%s", c);
            continue;
        }
        if (!len)
            continue;
        unsigned char d[32];
        size_t dl = parse_hash(line, d);
        if (dl) {
            if (s->nh == s->ah) {
                size_t a = s->ah ? s->ah * 2 : 256;
                hash_ioc *v = realloc(s->h, a * sizeof *v);
                if (!v) { rc = kk_err_set(KK_ENOMEM, "out of memory"); break; }
                s->h = v;
                s->ah = a;
            }
            hash_ioc *h = &s->h[s->nh++];
            memset(h, 0, sizeof *h);
            memcpy(h->d, d, dl);
            h->len = (unsigned char)dl;
            const char *semi = strchr(line, ';');
            h->desc = kk_strdup(semi ? semi + 1 : "");
            h->text = kk_strndup(line, dl * 2);
            for (char *p = h->text; p && *p; p++)
                if (*p >= 'A' && *p <= 'F') *p = (char)(*p - 'A' + 'a');
            if (dl == 16) s->md5 = 1;
            if (dl == 20) s->sha1 = 1;
            s->sorted = 0;
            continue;
        }
        /* REGEX;SCORE[;FP-REGEX] -- the regex itself may hold ';' only escaped, as upstream */
        char *p1 = strchr(line, ';');
        char *end = NULL;
        long score = p1 ? strtol(p1 + 1, &end, 10) : -1;
        if (!p1 || end == p1 + 1 || (*end && *end != ';') || score < 0 || score > 100) {
            if (warn) {
                char m[600];
                snprintf(m, sizeof m, "%s:%d: not a hash or REGEX;SCORE line: left out", path, lineno);
                warn(ctx, "ioc", m);
            }
            continue;
        }
        *p1 = '\0';
        char err[300];
        pcre2_code *re = compile_re(line, err, sizeof err);
        pcre2_code *fp = NULL;
        if (re && *end == ';' && end[1]) {
            fp = compile_re(end + 1, err, sizeof err);
            if (!fp) {
                pcre2_code_free(re);
                re = NULL;
            }
        }
        if (!re) {
            if (warn) {
                char m[900];
                snprintf(m, sizeof m, "%s:%d: bad regular expression (%s): left out", path, lineno, err);
                warn(ctx, "ioc", m);
            }
            continue;
        }
        if (s->nf == s->af) {
            size_t a = s->af ? s->af * 2 : 256;
            name_ioc *v = realloc(s->f, a * sizeof *v);
            if (!v) { rc = kk_err_set(KK_ENOMEM, "out of memory"); pcre2_code_free(re); pcre2_code_free(fp); break; }
            s->f = v;
            s->af = a;
        }
        name_ioc *n = &s->f[s->nf++];
        n->re = re;
        n->fp = fp;
        n->score = (int)score;
        n->text = kk_strdup(line);
        n->desc = kk_strdup(comment);
    }
    free(line);
    fclose(f);
    return rc;
}

int kk_iocs_load(kk_iocs *s, const char *path, kk_ioc_warn_fn warn, void *ctx)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return kk_err_set(KK_ENOENT, "cannot open IOC file '%s': %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return load_file(s, path, warn, ctx);
    struct dirent **list = NULL;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0)
        return kk_err_set(KK_EIO, "cannot read IOC directory '%s': %s", path, strerror(errno));
    int rc = KK_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = list[i]->d_name;
        size_t l = strlen(nm);
        /* signature-base's iocs/ also holds README.txt, c2-iocs.txt and keywords.txt: C2
         * addresses and keywords are not about files (LOKI uses them on processes and
         * logs), so they are left out here, with one warning each */
        int other = strcasestr(nm, "readme") || strcasestr(nm, "c2") || strcasestr(nm, "keyword");
        if (rc == KK_OK && other && warn && !strcasestr(nm, "readme")) {
            char m[600];
            snprintf(m, sizeof m, "%s/%s: C2 and keyword IOC lists are not used for file scans: left out",
                     path, nm);
            warn(ctx, "ioc", m);
        }
        if (rc == KK_OK && !other && nm[0] != '.' && l > 4 && !strcmp(nm + l - 4, ".txt")) {
            char *p = kk_asprintf("%s/%s", path, nm);
            rc = p ? load_file(s, p, warn, ctx) : kk_err_set(KK_ENOMEM, "out of memory");
            free(p);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

static int cmp_hash(const void *a, const void *b)
{
    const hash_ioc *x = a, *y = b;
    if (x->len != y->len)
        return x->len - y->len;
    return memcmp(x->d, y->d, x->len);
}

int kk_iocs_hash(const kk_iocs *cs, const unsigned char *d, size_t n, kk_ioc_hit *hit)
{
    kk_iocs *s = (kk_iocs *)cs;
    if (!s || !s->nh || (n != 16 && n != 20 && n != 32))
        return 0;
    if (!s->sorted) /* kk_iocs_finish() was not called */
        return 0;
    hash_ioc key;
    memset(&key, 0, sizeof key);
    memcpy(key.d, d, n);
    key.len = (unsigned char)n;
    const hash_ioc *h = bsearch(&key, s->h, s->nh, sizeof *s->h, cmp_hash);
    if (!h)
        return 0;
    hit->ioc = h->text;
    hit->kind = n == 16 ? "md5" : n == 20 ? "sha1" : "sha256";
    hit->score = 100;
    hit->desc = h->desc;
    return 1;
}

void kk_iocs_filename(const kk_iocs *s, const char *path, void (*fn)(void *, const kk_ioc_hit *), void *ctx)
{
    if (!s || !s->nf)
        return;
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    if (!md)
        return;
    size_t len = strlen(path);
    for (size_t i = 0; i < s->nf; i++) {
        const name_ioc *n = &s->f[i];
        if (pcre2_match(n->re, (PCRE2_SPTR)path, len, 0, 0, md, NULL) < 0)
            continue;
        if (n->fp && pcre2_match(n->fp, (PCRE2_SPTR)path, len, 0, 0, md, NULL) >= 0)
            continue;
        kk_ioc_hit hit = {.ioc = n->text, .kind = "filename", .score = n->score,
                          .desc = n->desc ? n->desc : ""};
        fn(ctx, &hit);
    }
    pcre2_match_data_free(md);
}

void kk_iocs_finish(kk_iocs *s)
{
    if (s && !s->sorted) {
        if (s->nh)
            qsort(s->h, s->nh, sizeof *s->h, cmp_hash);
        s->sorted = 1;
    }
}

size_t kk_iocs_count(const kk_iocs *s) { return s ? s->nh + s->nf : 0; }

int kk_iocs_want_md5(const kk_iocs *s) { return s && s->md5; }
int kk_iocs_want_sha1(const kk_iocs *s) { return s && s->sha1; }

void kk_iocs_free(kk_iocs *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nh; i++) {
        free(s->h[i].desc);
        free(s->h[i].text);
    }
    for (size_t i = 0; i < s->nf; i++) {
        pcre2_code_free(s->f[i].re);
        pcre2_code_free(s->f[i].fp);
        free(s->f[i].text);
        free(s->f[i].desc);
    }
    free(s->h);
    free(s->f);
    free(s);
}
