/* json.h - small helpers over jansson for records built from evidence. */
#ifndef KK_JSON_H
#define KK_JSON_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON string from evidence bytes (invalid UTF-8 bytes become \xNN text). */
json_t *kk_jstrn(const char *s, size_t n);
json_t *kk_jstr(const char *s);
/* Set helpers that ignore NULL values (out of memory is caught when dumping). */
void kk_jset(json_t *obj, const char *key, json_t *val);
void kk_jset_str(json_t *obj, const char *key, const char *s);
void kk_jset_u64(json_t *obj, const char *key, uint64_t v);
/* Compact one-line dump (caller frees), NULL on failure. */
char *kk_jdump(const json_t *j);

#endif
