/* mem.h - allocation that never returns NULL silently, and capped growable buffers
 * (every buffer fed by evidence has a hard cap and fails cleanly past it). */
#ifndef KK_MEM_H
#define KK_MEM_H
#include <stddef.h>
#include <stdint.h>

/* Abort-free wrappers: return NULL on failure like malloc, but check sizes for overflow. */
void *kk_calloc(size_t n, size_t size);
char *kk_strdup(const char *s);
char *kk_strndup(const char *s, size_t n);
char *kk_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct kk_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap; /* hard cap on len; 0 = 64 MiB default */
} kk_buf;

void kk_buf_init(kk_buf *b, size_t cap);
int kk_buf_add(kk_buf *b, const void *p, size_t n);    /* KK_OK or KK_ENOMEM (over cap) */
int kk_buf_addc(kk_buf *b, char c);
int kk_buf_adds(kk_buf *b, const char *s);
int kk_buf_printf(kk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *kk_buf_str(kk_buf *b);                    /* NUL-terminated view ("" when empty) */
char *kk_buf_steal(kk_buf *b);                        /* caller frees; buffer is reset */
void kk_buf_reset(kk_buf *b);
void kk_buf_free(kk_buf *b);

/* The non-empty, non-comment (#) lines of a text file as a NULL-terminated array
 * (caller frees each and the array). */
int kk_read_lines(const char *path, char ***out);

#endif
