#include "filetype.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ft_entry {
    unsigned char magic[KK_FILETYPE_HEADER];
    size_t len;
    char *name;
} ft_entry;

struct kk_filetypes {
    ft_entry *v;
    size_t n;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int kk_filetypes_load(const char *path, kk_filetypes **out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(KK_ENOENT, "cannot open file type table '%s': %s", path, strerror(errno));
    kk_filetypes *t = kk_calloc(1, sizeof *t);
    size_t a = 0;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = KK_OK;
    while (t && rc == KK_OK && getline(&line, &cap, f) >= 0) {
        lineno++;
        char *semi = strchr(line, ';');
        if (line[0] == '#' || !semi)
            continue;
        *semi = '\0';
        char *name = semi + 1;
        name[strcspn(name, "\r\n")] = '\0';
        ft_entry e;
        memset(&e, 0, sizeof e);
        for (char *p = line; *p && rc == KK_OK;) {
            if (*p == ' ' || *p == '\t') { p++; continue; }
            int h = hexval(p[0]), l = p[1] ? hexval(p[1]) : -1;
            if (h < 0 || l < 0 || e.len >= KK_FILETYPE_HEADER)
                rc = kk_err_set(KK_EFORMAT, "%s:%d: bad magic bytes", path, lineno);
            else
                e.magic[e.len++] = (unsigned char)(h * 16 + l);
            p += 2;
        }
        if (rc != KK_OK || !e.len || !*name)
            continue;
        if (t->n == a) {
            a = a ? a * 2 : 64;
            ft_entry *v = realloc(t->v, a * sizeof *v);
            if (!v) { rc = kk_err_set(KK_ENOMEM, "out of memory"); break; }
            t->v = v;
        }
        e.name = kk_strdup(name);
        t->v[t->n++] = e;
    }
    free(line);
    fclose(f);
    if (!t)
        return kk_err_set(KK_ENOMEM, "out of memory");
    if (rc != KK_OK) {
        kk_filetypes_free(t);
        return rc;
    }
    *out = t;
    return KK_OK;
}

const char *kk_filetype(const kk_filetypes *t, const unsigned char *p, size_t n)
{
    const ft_entry *best = NULL;
    if (!t)
        return "";
    for (size_t i = 0; i < t->n; i++) {
        const ft_entry *e = &t->v[i];
        if (e->len <= n && (!best || e->len > best->len) && !memcmp(p, e->magic, e->len))
            best = e;
    }
    return best ? best->name : "";
}

void kk_filetypes_free(kk_filetypes *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    free(t);
}
