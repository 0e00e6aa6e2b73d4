#include "text.h"
#include "err.h"

#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c >= 0x01 && c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int kk_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(p + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

int kk_utf8_clean(kk_buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(p + i, n - i);
        if (l) {
            KK_TRY(kk_buf_add(out, p + i, l));
            i += l;
        } else {
            char e[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            KK_TRY(kk_buf_add(out, e, 4));
            i++;
        }
    }
    if (!out->data)
        KK_TRY(kk_buf_add(out, "", 0));
    return KK_OK;
}

int kk_escape_bytes(kk_buf *out, const unsigned char *p, size_t n)
{
    static const char hex[] = "0123456789ABCDEF"; /* as `yara -s` prints them */
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F) {
            KK_TRY(kk_buf_addc(out, (char)p[i]));
        } else {
            char e[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            KK_TRY(kk_buf_add(out, e, 4));
        }
    }
    if (!out->data)
        KK_TRY(kk_buf_add(out, "", 0));
    return KK_OK;
}

int kk_term_clean(kk_buf *out, const char *s, size_t n)
{
    kk_buf tmp;
    kk_buf_init(&tmp, out->cap);
    int rc = kk_utf8_clean(&tmp, s, n);
    const unsigned char *p = (const unsigned char *)kk_buf_str(&tmp);
    for (size_t i = 0; rc == KK_OK && i < tmp.len; i++) {
        unsigned c = p[i];
        if (c < 0x20 || c == 0x7F) {
            rc = kk_buf_addc(out, '?');
        } else if (c == 0xC2 && i + 1 < tmp.len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F) {
            rc = kk_buf_addc(out, '?'); /* C1 control (U+0080..U+009F) */
            i++;
        } else {
            rc = kk_buf_addc(out, (char)c);
        }
    }
    kk_buf_free(&tmp);
    return rc;
}

int kk_html_escape(kk_buf *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': KK_TRY(kk_buf_adds(out, "&amp;")); break;
        case '<': KK_TRY(kk_buf_adds(out, "&lt;")); break;
        case '>': KK_TRY(kk_buf_adds(out, "&gt;")); break;
        case '"': KK_TRY(kk_buf_adds(out, "&quot;")); break;
        case '\'': KK_TRY(kk_buf_adds(out, "&#39;")); break;
        default: KK_TRY(kk_buf_addc(out, *s));
        }
    }
    return KK_OK;
}

int kk_csv_cell(kk_buf *out, const char *s)
{
    KK_TRY(kk_buf_addc(out, '"'));
    if (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r')
        KK_TRY(kk_buf_addc(out, '\''));
    for (; *s; s++) {
        if (*s == '"')
            KK_TRY(kk_buf_addc(out, '"'));
        KK_TRY(kk_buf_addc(out, *s));
    }
    return kk_buf_addc(out, '"');
}

void kk_ascii_lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

void kk_hex(const unsigned char *d, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[d[i] >> 4];
        out[2 * i + 1] = h[d[i] & 15];
    }
    out[2 * n] = '\0';
}
