/* fuzz_text.c - the escapers of attacker-controlled text (src/util/text.c, json.c).
 * Invariants: kk_utf8_clean gives valid UTF-8 and keeps valid input as is;
 * kk_term_clean gives valid UTF-8 without C0/C1 controls, DEL or ESC; kk_escape_bytes
 * gives printable ASCII only; kk_html_escape leaves no < > " ' and every & starts an
 * entity; kk_csv_cell is one quoted cell that no spreadsheet reads as a formula. */
#include "fuzz_util.h"

#include "util/err.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/text.h"

#include <string.h>

#define MAX_INPUT (64 * 1024)

static void check_utf8_clean(const uint8_t *data, size_t size)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    FUZZ_CHECK(kk_utf8_clean(&b, (const char *)data, size) == KK_OK);
    FUZZ_CHECK(b.data != NULL);
    FUZZ_CHECK(strlen(b.data) == b.len); /* no NUL inside */
    FUZZ_CHECK(kk_utf8_valid(b.data, b.len));
    if (kk_utf8_valid((const char *)data, size))
        FUZZ_CHECK(b.len == size && !memcmp(b.data, data, size));
    else
        FUZZ_CHECK(b.len > size); /* at least one \xNN */
    kk_buf_free(&b);
}

static void check_term_clean(const uint8_t *data, size_t size)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    FUZZ_CHECK(kk_term_clean(&b, (const char *)data, size) == KK_OK);
    const unsigned char *p = (const unsigned char *)kk_buf_str(&b);
    FUZZ_CHECK(kk_utf8_valid((const char *)p, b.len));
    for (size_t i = 0; i < b.len; i++) {
        FUZZ_CHECK(p[i] >= 0x20 && p[i] != 0x7f);
        if (p[i] == 0xc2 && i + 1 < b.len)
            FUZZ_CHECK(p[i + 1] < 0x80 || p[i + 1] > 0x9f); /* U+0080..U+009F */
    }
    kk_buf_free(&b);
}

static void check_escape_bytes(const uint8_t *data, size_t size)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    FUZZ_CHECK(kk_escape_bytes(&b, data, size) == KK_OK);
    FUZZ_CHECK(b.data != NULL);
    for (size_t i = 0; i < b.len; i++)
        FUZZ_CHECK(b.data[i] >= 0x20 && b.data[i] < 0x7f);
    FUZZ_CHECK(b.len >= size && b.len <= 4 * size);
    kk_buf_free(&b);
}

/* html_escape and csv_cell take clean NUL-terminated text: feed them kk_utf8_clean's. */
static void check_html_csv(const uint8_t *data, size_t size)
{
    kk_buf clean;
    kk_buf_init(&clean, 0);
    FUZZ_CHECK(kk_utf8_clean(&clean, (const char *)data, size) == KK_OK);
    const char *s = kk_buf_str(&clean);

    kk_buf h;
    kk_buf_init(&h, 0);
    FUZZ_CHECK(kk_html_escape(&h, s) == KK_OK);
    const char *o = kk_buf_str(&h);
    for (size_t i = 0; i < h.len; i++) {
        FUZZ_CHECK(o[i] != '<' && o[i] != '>' && o[i] != '"' && o[i] != '\'');
        if (o[i] == '&')
            FUZZ_CHECK(!strncmp(o + i, "&amp;", 5) || !strncmp(o + i, "&lt;", 4) ||
                       !strncmp(o + i, "&gt;", 4) || !strncmp(o + i, "&quot;", 6) ||
                       !strncmp(o + i, "&#39;", 5));
    }
    FUZZ_CHECK(kk_utf8_valid(o, h.len));
    kk_buf_free(&h);

    kk_buf c;
    kk_buf_init(&c, 0);
    FUZZ_CHECK(kk_csv_cell(&c, s) == KK_OK);
    const char *q = kk_buf_str(&c);
    FUZZ_CHECK(c.len >= 2 && q[0] == '"' && q[c.len - 1] == '"');
    FUZZ_CHECK(!strchr("=+-@\t\r", q[1]) || c.len == 2);
    /* inside the quotes every " is doubled */
    for (size_t i = 1; i + 1 < c.len; i++) {
        if (q[i] == '"') {
            FUZZ_CHECK(i + 2 < c.len && q[i + 1] == '"');
            i++;
        }
    }
    kk_buf_free(&c);
    kk_buf_free(&clean);
}

static void check_json(const uint8_t *data, size_t size)
{
    json_t *j = kk_jstrn((const char *)data, size);
    FUZZ_CHECK(j != NULL && json_is_string(j));
    json_t *rec = json_object();
    json_object_set_new(rec, "path", j);
    char *dump = kk_jdump(rec); /* one record line */
    FUZZ_CHECK(dump != NULL && !strchr(dump, '\n'));
    json_error_t err;
    json_t *back = json_loads(dump, 0, &err);
    FUZZ_CHECK(back != NULL && json_equal(back, rec));
    json_decref(back);
    free(dump);
    json_decref(rec);
}

/* A capped buffer: either the whole result fits or KK_ENOMEM, never more than the cap. */
static void check_cap(const uint8_t *data, size_t size)
{
    size_t cap = size ? (size_t)data[0] + 1 : 1;
    kk_buf b;
    kk_buf_init(&b, cap);
    int rc = kk_term_clean(&b, (const char *)data, size);
    FUZZ_CHECK(rc == KK_OK || rc == KK_ENOMEM);
    FUZZ_CHECK(b.len <= cap);
    kk_buf_reset(&b);
    rc = kk_escape_bytes(&b, data, size);
    FUZZ_CHECK(rc == KK_OK || rc == KK_ENOMEM);
    FUZZ_CHECK(b.len <= cap);
    kk_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    check_utf8_clean(data, size);
    check_term_clean(data, size);
    check_escape_bytes(data, size);
    check_html_csv(data, size);
    check_json(data, size);
    check_cap(data, size);
    return 0;
}
