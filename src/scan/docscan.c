/* docscan.c - see docscan.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "docscan.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HIGH_ENTROPY 7.2   /* bits/byte: compressed or encrypted */
#define TEXT_ENTROPY 6.0   /* plain text stays well below this */
#define MIN_SAMPLE 512     /* too few bytes for a meaningful entropy */

typedef struct doctype {
    char ext[16];
    unsigned char magic[16];
    size_t mlen;   /* 0: TEXT */
} doctype;

typedef struct rext {
    char *ext;          /* ".akira" or NULL */
    pcre2_code *re;     /* or a regex */
    char *family;
    int weak;
} rext;

struct kk_doctypes {
    doctype *t;
    size_t nt;
    rext *r;
    size_t nr;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int load_types(kk_doctypes *d, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(KK_ENOENT, "cannot open '%s': %s", path, strerror(errno));
    char line[512];
    int lineno = 0;
    size_t a = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        doctype t;
        memset(&t, 0, sizeof t);
        snprintf(t.ext, sizeof t.ext, "%.15s", line);
        if (strcmp(tab + 1, "TEXT")) {
            for (char *p = tab + 1; *p;) {
                if (*p == ' ') { p++; continue; }
                int h = hexval(p[0]), l = p[1] ? hexval(p[1]) : -1;
                if (h < 0 || l < 0 || t.mlen >= sizeof t.magic) {
                    fclose(f);
                    return kk_err_set(KK_EFORMAT, "%s:%d: bad magic bytes", path, lineno);
                }
                t.magic[t.mlen++] = (unsigned char)(h * 16 + l);
                p += 2;
            }
        }
        if (d->nt == a) {
            a = a ? 2 * a : 64;
            doctype *v = realloc(d->t, a * sizeof *v);
            if (!v) { fclose(f); return kk_err_set(KK_ENOMEM, "out of memory"); }
            d->t = v;
        }
        d->t[d->nt++] = t;
    }
    fclose(f);
    return KK_OK;
}

static int load_ransom(kk_doctypes *d, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(KK_ENOENT, "cannot open '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, a = 0;
    ssize_t len;
    int lineno = 0, rc = KK_OK;
    while (rc == KK_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *fields[4] = {line, NULL, NULL, NULL};
        for (int i = 1; i < 4; i++) {
            char *t = fields[i - 1] ? strchr(fields[i - 1], '\t') : NULL;
            if (t) { *t = '\0'; fields[i] = t + 1; }
        }
        if (!fields[1] || !fields[2]) {
            rc = kk_err_set(KK_EFORMAT, "%s:%d: expected PATTERN<TAB>KIND<TAB>FAMILY", path, lineno);
            break;
        }
        rext r;
        memset(&r, 0, sizeof r);
        if (!strcmp(fields[1], "ext")) {
            r.ext = kk_strdup(fields[0]);
        } else if (!strcmp(fields[1], "regex")) {
            int ec;
            PCRE2_SIZE eo;
            r.re = pcre2_compile((PCRE2_SPTR)fields[0], PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                                 &ec, &eo, NULL);
            if (!r.re) {
                rc = kk_err_set(KK_EFORMAT, "%s:%d: bad regular expression", path, lineno);
                break;
            }
        } else {
            rc = kk_err_set(KK_EFORMAT, "%s:%d: unknown kind '%s' (ext or regex)", path, lineno, fields[1]);
            break;
        }
        r.family = kk_strdup(fields[2]);
        r.weak = fields[3] && strstr(fields[3], "weak") != NULL;
        if (d->nr == a) {
            a = a ? 2 * a : 64;
            rext *v = realloc(d->r, a * sizeof *v);
            if (!v) { rc = kk_err_set(KK_ENOMEM, "out of memory"); break; }
            d->r = v;
        }
        d->r[d->nr++] = r;
    }
    free(line);
    fclose(f);
    return rc;
}

int kk_doctypes_load(const char *datadir, kk_doctypes **out)
{
    kk_doctypes *d = kk_calloc(1, sizeof *d);
    if (!d)
        return kk_err_set(KK_ENOMEM, "out of memory");
    char *a = kk_asprintf("%s/document-types.txt", datadir);
    char *b = kk_asprintf("%s/ransomware-extensions.txt", datadir);
    int rc = (a && b) ? load_types(d, a) : KK_ENOMEM;
    if (rc == KK_OK)
        rc = load_ransom(d, b);
    free(a);
    free(b);
    if (rc != KK_OK) {
        kk_doctypes_free(d);
        return rc;
    }
    *out = d;
    return KK_OK;
}

void kk_doctypes_free(kk_doctypes *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nr; i++) {
        free(d->r[i].ext);
        free(d->r[i].family);
        pcre2_code_free(d->r[i].re);
    }
    free(d->r);
    free(d->t);
    free(d);
}

static void count_bytes(const unsigned char *p, size_t n, unsigned long *hist)
{
    for (size_t i = 0; i < n; i++)
        hist[p[i]]++;
}

double kk_entropy_sampled(const unsigned char *p, size_t n)
{
    unsigned long hist[256] = {0};
    size_t total = 0, blk = 4096;
    if (n <= 3 * blk) {
        count_bytes(p, n, hist);
        total = n;
    } else {
        count_bytes(p, blk, hist);
        count_bytes(p + n / 2 - blk / 2, blk, hist);
        count_bytes(p + n - blk, blk, hist);
        total = 3 * blk;
    }
    if (!total)
        return 0;
    double h = 0;
    for (int i = 0; i < 256; i++) {
        if (hist[i]) {
            double q = (double)hist[i] / (double)total;
            h -= q * log2(q);
        }
    }
    return h;
}

static const doctype *find_type(const kk_doctypes *d, const char *ext)
{
    for (size_t i = 0; i < d->nt; i++)
        if (!strcasecmp(d->t[i].ext, ext))
            return &d->t[i];
    return NULL;
}

/* extension number k from the end ("a.docx.akira": k=0 ".akira", k=1 ".docx") */
static void nth_ext(const char *name, int k, char *out, size_t n)
{
    out[0] = '\0';
    const char *end = name + strlen(name);
    for (int i = 0; i <= k; i++) {
        const char *dot = end;
        while (dot > name && dot[-1] != '.')
            dot--;
        if (dot <= name + 1)
            return;
        if (i == k) {
            snprintf(out, n, "%.*s", (int)(end - dot + 1), dot - 1);
            for (char *c = out; *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
            return;
        }
        end = dot - 1;
    }
}

void kk_doc_classify(const kk_doctypes *d, const char *name, const unsigned char *head, size_t n,
                     uint64_t size, kk_docclass *out)
{
    memset(out, 0, sizeof *out);
    out->family = "";
    out->reason = "";
    if (!d)
        return;
    nth_ext(name, 0, out->extension, sizeof out->extension);
    /* a known ransomware extension or name pattern */
    const rext *hit = NULL;
    size_t nl = strlen(name);
    for (size_t i = 0; i < d->nr && !hit; i++) {
        const rext *r = &d->r[i];
        if (r->ext) {
            size_t el = strlen(r->ext);
            if (nl > el && !strcasecmp(name + nl - el, r->ext))
                hit = r;
        } else if (r->re) {
            pcre2_match_data *md = pcre2_match_data_create(2, NULL);
            if (md && pcre2_match(r->re, (PCRE2_SPTR)name, nl, 0, 0, md, NULL) >= 0)
                hit = r;
            pcre2_match_data_free(md);
        }
    }
    const doctype *t = find_type(d, out->extension);
    char inner[32] = "";
    if (!t) { /* report.xlsx.<something>: the document type under an appended extension */
        nth_ext(name, 1, inner, sizeof inner);
        if (inner[0])
            t = find_type(d, inner);
    }
    out->document = t != NULL;
    out->entropy = n ? kk_entropy_sampled(head, n) : 0;
    int measurable = n >= MIN_SAMPLE && size >= MIN_SAMPLE;
    int header_ok = 0;
    if (t) {
        if (t->mlen)
            header_ok = n >= t->mlen && !memcmp(head, t->magic, t->mlen);
        else
            header_ok = !measurable || out->entropy < TEXT_ENTROPY;
    }
    int high = measurable && out->entropy >= HIGH_ENTROPY;
    int by_entropy = t && !header_ok && high;
    int by_ext = hit && (!hit->weak || high);
    if (by_entropy || by_ext) {
        out->encrypted = 1;
        out->reason = by_entropy && by_ext ? "both" : by_ext ? "extension" : "entropy";
        out->family = hit ? hit->family : "";
    } else if (t && header_ok) {
        out->intact = 1;
    }
}
