#include "mem.h"
#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *kk_calloc(size_t n, size_t size) { return calloc(n ? n : 1, size ? size : 1); }

char *kk_strdup(const char *s) { return s ? strdup(s) : NULL; }

char *kk_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *kk_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *p = NULL;
    va_start(ap, fmt);
    if (vasprintf(&p, fmt, ap) < 0)
        p = NULL;
    va_end(ap);
    return p;
}

void kk_buf_init(kk_buf *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->cap = cap ? cap : (size_t)64 << 20;
}

static int buf_grow(kk_buf *b, size_t need)
{
    if (need > b->cap || need + 1 < need)
        return kk_err_set(KK_ENOMEM, "buffer over its cap of %zu bytes", b->cap);
    if (need + 1 <= b->alloc)
        return KK_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need + 1)
        n *= 2;
    if (n > b->cap + 1)
        n = b->cap + 1;
    char *p = realloc(b->data, n);
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory growing a buffer to %zu bytes", n);
    b->data = p;
    b->alloc = n;
    return KK_OK;
}

int kk_buf_add(kk_buf *b, const void *p, size_t n)
{
    if (n > b->cap - b->len)
        return kk_err_set(KK_ENOMEM, "buffer over its cap of %zu bytes", b->cap);
    KK_TRY(buf_grow(b, b->len + n));
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return KK_OK;
}

int kk_buf_addc(kk_buf *b, char c) { return kk_buf_add(b, &c, 1); }
int kk_buf_adds(kk_buf *b, const char *s) { return kk_buf_add(b, s, strlen(s)); }

int kk_buf_printf(kk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return kk_err_set(KK_EINTERNAL, "bad format string");
    KK_TRY(buf_grow(b, b->len + (size_t)n));
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KK_OK;
}

const char *kk_buf_str(kk_buf *b) { return b->data ? b->data : ""; }

char *kk_buf_steal(kk_buf *b)
{
    char *p = b->data ? b->data : strdup("");
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}

void kk_buf_reset(kk_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void kk_buf_free(kk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

int kk_read_lines(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return kk_err_set(KK_ENOENT, "cannot open '%s': %s", path, strerror(errno));
    char **v = calloc(1, sizeof *v), *line = NULL;
    size_t n = 0, cap = 0;
    ssize_t len;
    while (v && (len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len || line[0] == '#')
            continue;
        char **t = realloc(v, (n + 2) * sizeof *t);
        if (!t)
            break;
        v = t;
        v[n++] = kk_strdup(line);
        v[n] = NULL;
    }
    free(line);
    fclose(f);
    if (!v)
        return kk_err_set(KK_ENOMEM, "out of memory");
    *out = v;
    return KK_OK;
}
