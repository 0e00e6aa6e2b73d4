/* ioc.h - IOC lists in signature-base's formats.
 *   hash IOCs:     HASH;comment           (MD5, SHA-1 or SHA-256 by length)
 *   filename IOCs: REGEX;SCORE[;FP-REGEX] (PCRE, case-sensitive unless (?i), against the
 *                                          full path: C:\Windows\... on Windows volumes)
 * Lines starting with # are comments; the last comment line above an indicator is its
 * description for filename IOCs (LOKI's convention); a hash line carries its own. */
#ifndef KK_IOC_H
#define KK_IOC_H
#include <stddef.h>

typedef struct kk_iocs kk_iocs;
typedef void (*kk_ioc_warn_fn)(void *ctx, const char *what, const char *message);

int kk_iocs_new(kk_iocs **out);
/* Load one IOC file (or every .txt below a directory). */
int kk_iocs_load(kk_iocs *s, const char *path, kk_ioc_warn_fn warn, void *ctx);
void kk_iocs_free(kk_iocs *s);
int kk_iocs_want_md5(const kk_iocs *s);
int kk_iocs_want_sha1(const kk_iocs *s);
size_t kk_iocs_count(const kk_iocs *s);
/* Call once after the last load, before lookups (sorts the hash table). */
void kk_iocs_finish(kk_iocs *s);

typedef struct kk_ioc_hit {
    const char *ioc;   /* the indicator (hash or regex) */
    const char *kind;  /* md5, sha1, sha256, filename */
    int score;
    const char *desc;
} kk_ioc_hit;

/* Look up a binary digest (16, 20 or 32 bytes). Returns 1 and fills hit when listed. */
int kk_iocs_hash(const kk_iocs *s, const unsigned char *d, size_t n, kk_ioc_hit *hit);
/* Filename IOCs: calls fn for each matching regex (thread-safe). */
void kk_iocs_filename(const kk_iocs *s, const char *path, void (*fn)(void *, const kk_ioc_hit *),
                      void *ctx);

#endif
