#include "json.h"
#include "text.h"

#include <string.h>

json_t *kk_jstrn(const char *s, size_t n)
{
    if (!s)
        return json_null();
    if (kk_utf8_valid(s, n))
        return json_stringn(s, n);
    kk_buf b;
    kk_buf_init(&b, 0);
    json_t *j = NULL;
    if (kk_utf8_clean(&b, s, n) == 0)
        j = json_stringn(kk_buf_str(&b), b.len);
    kk_buf_free(&b);
    return j;
}

json_t *kk_jstr(const char *s) { return kk_jstrn(s, s ? strlen(s) : 0); }

void kk_jset(json_t *obj, const char *key, json_t *val)
{
    if (val)
        json_object_set_new(obj, key, val);
}

void kk_jset_str(json_t *obj, const char *key, const char *s) { kk_jset(obj, key, kk_jstr(s)); }

void kk_jset_u64(json_t *obj, const char *key, uint64_t v)
{
    kk_jset(obj, key, json_integer((json_int_t)v));
}

char *kk_jdump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
}
