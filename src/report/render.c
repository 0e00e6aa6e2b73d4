/* render.c - kk_render dispatch, display cleaning, model access, formatting, and the two
 * formats that need no document: JSON (the model) and CSV (the evidence list). */
#include "render.h"
#include "render_i.h"
#include "../util/err.h"
#include "../util/mem.h"
#include "../util/outfile.h"
#include "../util/text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kk_render_formats[] = {"html", "pdf", "json", "txt", "csv", NULL};

int kk_render_format_known(const char *format)
{
    for (size_t i = 0; format && kk_render_formats[i]; i++)
        if (!strcmp(format, kk_render_formats[i]))
            return 1;
    return 0;
}

/* ---- cleaning ------------------------------------------------------------------------ */

/* Decode one UTF-8 sequence at p (n > 0 bytes left): its length, or 0 when invalid. */
static size_t utf8_dec(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t min;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    uint32_t v = c & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Characters that change how text around them is shown or read: bidi controls and
 * overrides, the BOM, line/paragraph separators, interlinear annotation marks. */
static int invisible_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB);
}

int rr_clean(kk_buf *out, const char *s, size_t n, int flags)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t start = out->len;
    if (!out->data)
        KK_TRY(kk_buf_add(out, "", 0));
    for (size_t i = 0; i < n;) {
        if (out->len - start >= RR_MAX_STR) {
            KK_TRY(kk_buf_adds(out, "\xe2\x80\xa6")); /* … */
            break;
        }
        uint32_t cp = 0;
        size_t l = utf8_dec(p + i, n - i, &cp);
        char e[16];
        if (!l) {
            char x[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            KK_TRY(kk_buf_add(out, x, 4));
            i++;
            continue;
        }
        if (cp == '\n' && (flags & RR_MULTILINE)) {
            KK_TRY(kk_buf_addc(out, '\n'));
        } else if (cp == '\r' && (flags & RR_MULTILINE) && i + 1 < n && p[i + 1] == '\n') {
            /* CR LF: the LF follows */
        } else if (cp == '\t') {
            KK_TRY(kk_buf_addc(out, ' '));
        } else if (cp < 0x20 || cp == 0x7F) {
            char x[4] = {'\\', 'x', hex[cp >> 4], hex[cp & 15]};
            KK_TRY(kk_buf_add(out, x, 4));
        } else if ((cp >= 0x80 && cp <= 0x9F) || invisible_control(cp)) {
            snprintf(e, sizeof e, "\\u%04x", (unsigned)cp);
            KK_TRY(kk_buf_adds(out, e));
        } else {
            KK_TRY(kk_buf_add(out, p + i, l));
        }
        i += l;
    }
    return KK_OK;
}

char *rr_cleandup(const char *s, int flags)
{
    kk_buf b;
    kk_buf_init(&b, RR_MAX_STR + 64);
    if (rr_clean(&b, s ? s : "", s ? strlen(s) : 0, flags) != KK_OK) {
        kk_buf_free(&b);
        return NULL;
    }
    return kk_buf_steal(&b);
}

/* ---- model access -------------------------------------------------------------------- */

const json_t *rr_obj(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_object(v) ? v : NULL;
}

const json_t *rr_arr(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_array(v) ? v : NULL;
}

const char *rr_str(const json_t *o, const char *key)
{
    const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    return s && *s ? s : NULL;
}

int rr_num(const json_t *o, const char *key, double *v)
{
    const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!json_is_number(j))
        return 0;
    double d = json_number_value(j);
    if (!isfinite(d))
        return 0;
    *v = d;
    return 1;
}

int rr_bool(const json_t *o, const char *key, int *v)
{
    const json_t *j = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!json_is_boolean(j))
        return 0;
    *v = json_is_true(j);
    return 1;
}

/* ---- formatting (locale-independent: integers only) ---------------------------------- */

typedef struct rr_tm {
    int y, mo, d, h, mi, s;
    int has_time;
    int has_zone, zone_min; /* offset east of UTC in minutes */
} rr_tm;

static int digits(const char *s, int n, int *v)
{
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        r = r * 10 + (s[i] - '0');
    }
    *v = r;
    return 1;
}

static int parse_iso(const char *s, rr_tm *t)
{
    memset(t, 0, sizeof *t);
    if (!s || strlen(s) < 10 || !digits(s, 4, &t->y) || s[4] != '-' || !digits(s + 5, 2, &t->mo) ||
        s[7] != '-' || !digits(s + 8, 2, &t->d) || t->mo < 1 || t->mo > 12 || t->d < 1 || t->d > 31)
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (t->y % 4 == 0 && t->y % 100 != 0) || t->y % 400 == 0;
    if (t->d > mdays[t->mo - 1] || (t->mo == 2 && t->d == 29 && !leap))
        return 0;
    s += 10;
    if (!*s)
        return 1;
    if ((*s != 'T' && *s != ' ') || strlen(s) < 6 || !digits(s + 1, 2, &t->h) || s[3] != ':' ||
        !digits(s + 4, 2, &t->mi) || t->h > 23 || t->mi > 59)
        return 0;
    t->has_time = 1;
    s += 6;
    if (*s == ':') {
        if (!digits(s + 1, 2, &t->s) || t->s > 60)
            return 0;
        s += 3;
    }
    if (*s == '.' || *s == ',')
        for (s++; *s >= '0' && *s <= '9'; s++)
            ;
    if (*s == 'Z') {
        t->has_zone = 1;
        s++;
    } else if (*s == '+' || *s == '-') {
        int hh, mm = 0;
        if (!digits(s + 1, 2, &hh))
            return 0;
        const char *q = s + 3;
        if (*q == ':')
            q++;
        if (*q && !digits(q, 2, &mm))
            return 0;
        if (*q)
            q += 2;
        t->has_zone = 1;
        t->zone_min = (hh * 60 + mm) * (*s == '-' ? -1 : 1);
        s = q;
    }
    return *s == '\0';
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int weekday(int y, int m, int d)
{
    long days = days_from_civil(y, m, d);
    long w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Japan has kept +09:00 without daylight saving since 1951: a time in another offset is
 * shown in JST when the case's zone is Asia/Tokyo (other zones are shown as written). */
static void to_case_zone(rr_tm *t, const char *tz)
{
    if (!t->has_time || !t->has_zone || !tz || (strcmp(tz, "Asia/Tokyo") && strcmp(tz, "Japan")) ||
        t->zone_min == 540)
        return;
    long long secs = (long long)days_from_civil(t->y, t->mo, t->d) * 86400 + t->h * 3600 +
                     t->mi * 60 + (t->s > 59 ? 59 : t->s) + (540 - t->zone_min) * 60LL;
    long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    long long rem = secs - days * 86400;
    civil_from_days((long)days, &t->y, &t->mo, &t->d);
    t->h = (int)(rem / 3600);
    t->mi = (int)(rem % 3600 / 60);
    t->s = (int)(rem % 60);
    t->zone_min = 540;
}

static void zone_label(const rr_tm *t, const char *tz, char *out, size_t n)
{
    if (!t->has_zone) {
        out[0] = '\0';
        return;
    }
    if (t->zone_min == 0) {
        snprintf(out, n, " UTC");
        return;
    }
    if (t->zone_min == 540 && (!tz || !strcmp(tz, "Asia/Tokyo") || !strcmp(tz, "Japan"))) {
        snprintf(out, n, " JST");
        return;
    }
    int z = t->zone_min < 0 ? -t->zone_min : t->zone_min;
    snprintf(out, n, " UTC%c%02d:%02d", t->zone_min < 0 ? '-' : '+', z / 60, z % 60);
}

static void raw_copy(const char *s, char *out)
{
    char *c = rr_cleandup(s ? s : "", 0);
    snprintf(out, RR_FMT, "%s", c ? c : "?");
    size_t l = strlen(out);
    if (c && strlen(c) > l) {
        /* cut: drop a UTF-8 sequence left incomplete at the end */
        size_t k = l;
        while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
            k--;
        if (k > 0 && (unsigned char)out[k - 1] >= 0xC0) {
            unsigned lead = (unsigned char)out[k - 1];
            size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
            if (l - (k - 1) < need)
                out[k - 1] = '\0';
        }
    }
    free(c);
}

void rr_fmt_time(const char *lang, const char *iso, const char *tz, int secs, char *out)
{
    rr_tm t;
    if (!parse_iso(iso, &t)) {
        raw_copy(iso, out);
        return;
    }
    if (!t.has_time) {
        rr_fmt_date(lang, iso, out);
        return;
    }
    char z[24], hm[16];
    to_case_zone(&t, tz);
    zone_label(&t, tz, z, sizeof z);
    if (secs)
        snprintf(hm, sizeof hm, "%02d:%02d:%02d", t.h, t.mi, t.s);
    else
        snprintf(hm, sizeof hm, "%02d:%02d", t.h, t.mi);
    if (!strcmp(lang, "ja"))
        snprintf(out, RR_FMT, "%d年%d月%d日 %s%s", t.y, t.mo, t.d, hm, z);
    else
        snprintf(out, RR_FMT, "%04d-%02d-%02d %s%s", t.y, t.mo, t.d, hm, z);
}

void rr_fmt_date(const char *lang, const char *iso, char *out)
{
    static const char *const wja[] = {"日", "月", "火", "水", "木", "金", "土"};
    static const char *const wen[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const men[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    rr_tm t;
    if (!parse_iso(iso, &t)) {
        raw_copy(iso, out);
        return;
    }
    int w = weekday(t.y, t.mo, t.d);
    if (!strcmp(lang, "ja"))
        snprintf(out, RR_FMT, "%d年%d月%d日(%s)", t.y, t.mo, t.d, wja[w]);
    else
        snprintf(out, RR_FMT, "%s %d %s %d", wen[w], t.d, men[t.mo - 1], t.y);
}

void rr_fmt_short_time(const char *iso, char *out)
{
    rr_tm t;
    if (!parse_iso(iso, &t)) {
        raw_copy(iso, out);
        return;
    }
    if (t.has_time)
        snprintf(out, RR_FMT, "%02d/%02d %02d:%02d", t.mo, t.d, t.h, t.mi);
    else
        snprintf(out, RR_FMT, "%04d/%02d/%02d", t.y, t.mo, t.d);
}

static void group3(long long v, char *out, size_t n)
{
    char tmp[32];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    snprintf(tmp, sizeof tmp, "%llu", u);
    size_t len = strlen(tmp), k = 0;
    if (v < 0 && k + 1 < n)
        out[k++] = '-';
    for (size_t i = 0; i < len && k + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = '\0';
}

static long long clamp_ll(double v)
{
    if (v >= 9.2e18)
        return 9200000000000000000LL;
    if (v <= -9.2e18)
        return -9200000000000000000LL;
    return llround(v);
}

void rr_fmt_int(double v, char *out)
{
    group3(clamp_ll(v), out, RR_FMT);
}

/* v with one or two decimals, trailing zeros dropped (unless keep), locale-independent. */
static void fixed_k(double v, int decimals, int keep, char *out, size_t n);
static void fixed(double v, int decimals, char *out, size_t n)
{
    fixed_k(v, decimals, 0, out, n);
}

static void fixed_k(double v, int decimals, int keep, char *out, size_t n)
{
    long long scale = decimals == 2 ? 100 : 10;
    long long x = clamp_ll(v * (double)scale);
    int neg = x < 0;
    unsigned long long u = neg ? 0ull - (unsigned long long)x : (unsigned long long)x;
    char ip[32];
    group3((long long)(u / (unsigned long long)scale), ip, sizeof ip);
    unsigned long long frac = u % (unsigned long long)scale;
    if (!frac && !keep)
        snprintf(out, n, "%s%s", neg ? "-" : "", ip);
    else if (decimals == 2 && frac % 10 == 0 && !keep)
        snprintf(out, n, "%s%s.%llu", neg ? "-" : "", ip, frac / 10);
    else
        snprintf(out, n, "%s%s.%0*llu", neg ? "-" : "", ip, decimals, frac);
}

void rr_fmt_bytes(double v, char *out)
{
    static const char *const unit[] = {"KB", "MB", "GB", "TB", "PB"};
    if (v < 1024) {
        char n[32];
        group3(clamp_ll(v), n, sizeof n);
        snprintf(out, RR_FMT, "%s B", n);
        return;
    }
    int u = -1;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    char n[40];
    fixed(v, 1, n, sizeof n);
    snprintf(out, RR_FMT, "%s %s", n, unit[u]);
}

void rr_fmt_hours(double v, char *out)
{
    fixed(v, 2, out, RR_FMT);
}

void rr_fmt_money(const char *lang, const char *currency, double v, char *out)
{
    char n[48];
    int jpy = !currency || !strcmp(currency, "JPY");
    if (jpy)
        group3(clamp_ll(v), n, sizeof n);
    else
        fixed_k(v, 2, 1, n, sizeof n);
    char *cur = rr_cleandup(currency ? currency : "JPY", 0);
    if (jpy && !strcmp(lang, "ja"))
        snprintf(out, RR_FMT, "%s円", n);
    else
        snprintf(out, RR_FMT, "%.8s %s", cur ? cur : "?", n);
    free(cur);
}

static int wide(uint32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
           (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

size_t rr_width(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), w = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t l = utf8_dec(p + i, n - i, &cp);
        if (!l) {
            w++;
            i++;
            continue;
        }
        if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x200B && cp <= 0x200D) || cp == 0x3099 ||
            cp == 0x309A || (cp >= 0xFE00 && cp <= 0xFE0F))
            ;
        else
            w += wide(cp) ? 2 : 1;
        i += l;
    }
    return w;
}

/* ---- JSON: the model, pretty, with any invalid UTF-8 made valid ---------------------- */

static json_t *clean_copy(const json_t *j, int depth)
{
    if (depth > 64)
        return json_null();
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            json_t *c = clean_copy(v, depth + 1);
            if (!o || !c || json_object_set_new(o, k, c) != 0) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            json_t *c = clean_copy(v, depth + 1);
            if (!a || !c || json_array_append_new(a, c) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case JSON_STRING: {
        const char *s = json_string_value(j);
        size_t n = json_string_length(j);
        if (kk_utf8_valid(s, n))
            return json_stringn(s, n);
        /* invalid bytes (a string made with json_stringn_nocheck) and NUL become \xNN */
        kk_buf b;
        kk_buf_init(&b, 0);
        json_t *r = kk_utf8_clean(&b, s, n) == KK_OK ? json_stringn(kk_buf_str(&b), b.len) : NULL;
        kk_buf_free(&b);
        return r;
    }
    default:
        return json_deep_copy(j);
    }
}

static int render_json(const json_t *model, kk_buf *out)
{
    json_t *c = clean_copy(model, 0);
    char *s = c ? json_dumps(c, JSON_INDENT(2) | JSON_ESCAPE_SLASH) : NULL;
    json_decref(c);
    if (!s)
        return kk_err_set(KK_ENOMEM, "cannot encode the report model as JSON");
    int rc = kk_buf_adds(out, s);
    free(s);
    if (rc == KK_OK)
        rc = kk_buf_addc(out, '\n');
    return rc;
}

/* ---- CSV: the evidence list ---------------------------------------------------------- */

/* Would a spreadsheet read cell text c as a formula? kk_csv_cell handles a leading
 * = + - @ TAB CR; this also catches them after spaces and in full width (＝ ＋ － ＠), which
 * Japanese spreadsheet programs may take as formula starts too. */
static int formula_like(const char *c)
{
    while (*c == ' ')
        c++;
    if (*c == '=' || *c == '+' || *c == '-' || *c == '@')
        return 1;
    static const char *const wide[] = {"\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
                                       "\xef\xbc\xa0", "\xe2\x88\x92"};
    for (size_t i = 0; i < sizeof wide / sizeof *wide; i++)
        if (!strncmp(c, wide[i], strlen(wide[i])))
            return 1;
    return 0;
}

static int csv_add(kk_buf *out, const char *s)
{
    char *c = rr_cleandup(s ? s : "", 0);
    if (!c)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc;
    if (formula_like(c) && c[0] != '=' && c[0] != '+' && c[0] != '-' && c[0] != '@') {
        char *q = kk_asprintf("'%s", c);
        rc = q ? kk_csv_cell(out, q) : kk_err_set(KK_ENOMEM, "out of memory");
        free(q);
    } else {
        rc = kk_csv_cell(out, c);
    }
    free(c);
    return rc;
}

static int render_csv(const json_t *model, const char *lang, kk_buf *out)
{
    static const char *const head[] = {N_("No."), N_("Kind"), N_("Name"), N_("Path in case"),
                                       N_("Origin"), N_("Size (bytes)"), "SHA-256"};
    KK_TRY(kk_buf_adds(out, "\xef\xbb\xbf")); /* BOM: spreadsheet programs read UTF-8 */
    for (size_t i = 0; i < sizeof head / sizeof *head; i++) {
        if (i)
            KK_TRY(kk_buf_addc(out, ','));
        KK_TRY(csv_add(out, kk_tr(lang, head[i])));
    }
    KK_TRY(kk_buf_adds(out, "\r\n"));
    const json_t *ev = rr_arr(model, "evidence");
    size_t i;
    const json_t *e;
    size_t no_n = 0;
    json_array_foreach(ev, i, e) {
        if (!json_is_object(e))
            continue;
        char no[32], size[64] = "";
        double v;
        snprintf(no, sizeof no, "%zu", ++no_n);
        if (rr_num(e, "size", &v))
            snprintf(size, sizeof size, "%lld", clamp_ll(v));
        const char *cells[] = {no,
                               rr_str(e, "kind"),
                               rr_str(e, "name"),
                               rr_str(e, "path"),
                               rr_str(e, "origin"),
                               size,
                               rr_str(e, "sha256")};
        for (size_t k = 0; k < sizeof cells / sizeof *cells; k++) {
            if (k)
                KK_TRY(kk_buf_addc(out, ','));
            KK_TRY(csv_add(out, cells[k]));
        }
        KK_TRY(kk_buf_adds(out, "\r\n"));
    }
    const char *fp = rr_str(rr_obj(model, "signer"), "fingerprint");
    if (fp) {
        KK_TRY(kk_buf_adds(out, "\r\n"));
        KK_TRY(csv_add(out, kk_tr(lang, "Signer key fingerprint (SHA-256)")));
        KK_TRY(kk_buf_addc(out, ','));
        KK_TRY(csv_add(out, fp));
        KK_TRY(kk_buf_adds(out, "\r\n"));
    }
    return KK_OK;
}

/* ---- dispatch -------------------------------------------------------------------------- */

int kk_render_mem(const json_t *model, const char *format, const char *lang, char **data,
                  size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!kk_render_format_known(format))
        return kk_err_set(KK_EINVAL, "unknown report format '%s' (html, pdf, json, txt, csv)",
                          format ? format : "");
    if (!json_is_object(model))
        return kk_err_set(KK_EINVAL, "the report model is not a JSON object");
    if (!lang || !*lang)
        lang = rr_str(model, "lang");
    lang = kk_i18n_norm(lang);
    if (strcmp(format, "json"))
        KK_TRY(kk_i18n_check(lang));

    kk_buf out;
    kk_buf_init(&out, (size_t)512 << 20);
    int rc;
    if (!strcmp(format, "json")) {
        rc = render_json(model, &out);
    } else if (!strcmp(format, "csv")) {
        rc = render_csv(model, lang, &out);
    } else {
        rr_doc d;
        rc = rr_build_report(&d, model, lang);
        if (rc == KK_OK) {
            if (!strcmp(format, "html"))
                rc = rr_html(&d, &out);
            else if (!strcmp(format, "txt"))
                rc = rr_txt(&d, &out);
            else
                rc = rr_pdf(&d, &out);
        }
        rr_doc_free(&d);
    }
    if (rc != KK_OK) {
        kk_buf_free(&out);
        return rc;
    }
    *len = out.len;
    if (!out.data && (rc = kk_buf_add(&out, "", 0)) != KK_OK)
        return rc;
    *data = kk_buf_steal(&out);
    return KK_OK;
}

int kk_render(const json_t *model, const char *format, const char *lang, const char *out_path)
{
    if (!out_path || !*out_path)
        return kk_err_set(KK_EINVAL, "no output file for the %s report", format ? format : "");
    char *data;
    size_t len;
    KK_TRY(kk_render_mem(model, format, lang, &data, &len));
    int rc = kk_write_file_atomic(out_path, data, len, 1);
    free(data);
    return rc;
}

int kk_render_receipt(const json_t *receipt, const char *lang, const char *txt_path,
                      const char *pdf_path)
{
    if (!json_is_object(receipt))
        return kk_err_set(KK_EINVAL, "the receipt record is not a JSON object");
    lang = kk_i18n_norm(lang && *lang ? lang : rr_str(receipt, "lang"));
    KK_TRY(kk_i18n_check(lang));
    rr_doc d;
    int rc = rr_build_receipt(&d, receipt, lang);
    for (int pass = 0; rc == KK_OK && pass < 2; pass++) {
        const char *path = pass ? pdf_path : txt_path;
        if (!path)
            continue;
        kk_buf out;
        kk_buf_init(&out, (size_t)64 << 20);
        rc = pass ? rr_pdf(&d, &out) : rr_txt(&d, &out);
        if (rc == KK_OK)
            rc = kk_write_file_atomic(path, out.data ? out.data : "", out.len, 1);
        kk_buf_free(&out);
    }
    rr_doc_free(&d);
    return rc;
}
