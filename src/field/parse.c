/* parse.c - untrusted text the guided mode reads: `kaketsuke-target list` output, the
 * progress lines of a child triage, and what the user types (field.h). */
#include "field.h"
#include "../util/err.h"
#include "../util/mem.h"
#include "../util/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- kaketsuke-target list ------------------------------------------------------------ */

const char *kk_field_action_name(int action)
{
    switch (action) {
    case KK_TGT_USE: return "use";
    case KK_TGT_CREATE: return "create";
    case KK_TGT_FORMAT: return "format";
    default: return "?";
    }
}

static int dec_u64(const char *s, size_t n, uint64_t *v)
{
    if (n == 0 || n > 20)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int valid_id(const char *s, size_t n)
{
    if (n <= 5 || n >= KK_FIELD_NAME * 2 || strncmp(s, "/dev/", 5))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
              c == '_' || c == '.' || c == ':' || c == '+' || c == '-'))
            return 0;
        if (c == '.' && i + 1 < n && s[i + 1] == '.')
            return 0;
        if (c == '/' && i + 1 < n && s[i + 1] == '/')
            return 0;
    }
    return s[n - 1] != '/';
}

/* Copy untrusted text: capped (cut at a UTF-8 character boundary), NUL bytes end it. */
static void copy_text(char *dst, size_t cap, const char *s, size_t n)
{
    size_t l = 0;
    while (l < n && s[l])
        l++;
    if (l >= cap) {
        l = cap - 1;
        while (l > 0 && ((unsigned char)s[l] & 0xc0) == 0x80)
            l--;
    }
    memcpy(dst, s, l);
    dst[l] = '\0';
}

static int parse_target_line(const char *s, size_t n, kk_field_target *t)
{
    const char *f[6];
    size_t fl[6];
    size_t nf = 0, i = 0;
    while (nf < 6) {
        size_t st = i;
        if (nf < 5)
            while (i < n && s[i] != '\t')
                i++;
        else
            i = n; /* the description is the rest of the line (may hold tabs) */
        f[nf] = s + st;
        fl[nf] = i - st;
        nf++;
        if (i >= n)
            break;
        i++; /* the tab */
    }
    if (nf != 6)
        return -1;
    memset(t, 0, sizeof *t);
    if (!valid_id(f[0], fl[0]))
        return -1;
    memcpy(t->id, f[0], fl[0]);
    t->id[fl[0]] = '\0';
    if (fl[1] == 3 && !memcmp(f[1], "use", 3))
        t->action = KK_TGT_USE;
    else if (fl[1] == 6 && !memcmp(f[1], "create", 6))
        t->action = KK_TGT_CREATE;
    else if (fl[1] == 6 && !memcmp(f[1], "format", 6))
        t->action = KK_TGT_FORMAT;
    else
        return -1;
    if (dec_u64(f[2], fl[2], &t->size) || dec_u64(f[3], fl[3], &t->free_bytes) || t->free_bytes > t->size)
        return -1;
    if (fl[4] == 0 || fl[4] >= KK_FIELD_NAME)
        return -1;
    if (!(fl[4] == 1 && f[4][0] == '-'))
        copy_text(t->label, sizeof t->label, f[4], fl[4]);
    copy_text(t->desc, sizeof t->desc, f[5], fl[5]);
    return 0;
}

int kk_field_parse_targets(const char *text, size_t n, kk_field_target **out, size_t *count, size_t *bad)
{
    *out = NULL;
    *count = 0;
    *bad = 0;
    kk_field_target *v = kk_calloc(KK_FIELD_MAXTARGETS, sizeof *v);
    if (!v)
        return kk_err_set(KK_ENOMEM, "out of memory");
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        while (i < n && text[i] != '\n')
            i++;
        size_t l = i - st;
        if (i < n)
            i++;
        if (l && text[st + l - 1] == '\r')
            l--;
        if (l == 0)
            continue;
        if (l > 4096 || *count >= KK_FIELD_MAXTARGETS || parse_target_line(text + st, l, &v[*count]) != 0) {
            (*bad)++;
            continue;
        }
        /* the same device twice: the first line wins */
        int dup = 0;
        for (size_t k = 0; k < *count; k++)
            if (!strcmp(v[k].id, v[*count].id))
                dup = 1;
        if (dup)
            (*bad)++;
        else
            (*count)++;
    }
    *out = v;
    return KK_OK;
}

/* ---- progress lines ----------------------------------------------------------------------- */

/* "1.2 GiB" at *s: value in bytes; advances *s. 0 on success. */
static int human_bytes(const char **s, uint64_t *out)
{
    char *end;
    double v = strtod(*s, &end);
    if (end == *s || !isfinite(v) || v < 0)
        return -1;
    const char *p = end;
    if (*p == ' ')
        p++;
    static const struct {
        const char *u;
        double m;
    } units[] = {{"TiB", 1099511627776.0}, {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0}, {"B", 1.0}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        size_t l = strlen(units[i].u);
        if (!strncmp(p, units[i].u, l)) {
            double b = v * units[i].m;
            *out = b >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)b;
            *s = p + l;
            return 0;
        }
    }
    return -1;
}

static int lit(const char **s, const char *l)
{
    size_t n = strlen(l);
    if (strncmp(*s, l, n))
        return -1;
    *s += n;
    return 0;
}

static int num(const char **s, uint64_t *v)
{
    const char *p = *s;
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9')
        n++;
    if (dec_u64(p, n, v))
        return -1;
    *s = p + n;
    return 0;
}

/* "scan: 12/34 files, 1.2 MiB of 3.4 MiB, 5.0 MiB/s, ETA 0:00:01, 3 findings | path"
 * (without totals: "scan: 12 files, 1.2 MiB, 5.0 MiB/s, ETA ?, 3 findings | ") */
static int parse_scan(const char *s, kk_field_progress *p)
{
    if (lit(&s, "scan: ") || num(&s, &p->files))
        return -1;
    if (*s == '/') {
        s++;
        if (num(&s, &p->total_files))
            return -1;
        p->totals_known = 1;
    }
    if (lit(&s, " files, ") || human_bytes(&s, &p->bytes))
        return -1;
    if (p->totals_known && (lit(&s, " of ") || human_bytes(&s, &p->total_bytes)))
        return -1;
    char *end;
    if (lit(&s, ", "))
        return -1;
    double r = strtod(s, &end);
    if (end == s || !isfinite(r) || r < 0)
        return -1;
    p->rate = r * 1048576.0;
    s = end;
    if (lit(&s, " MiB/s, ETA "))
        return -1;
    p->eta = -1;
    if (*s == '?') {
        s++;
    } else {
        uint64_t h, m, sec;
        if (num(&s, &h) || lit(&s, ":") || num(&s, &m) || lit(&s, ":") || num(&s, &sec) || h > 100000 || m > 59 ||
            sec > 59)
            return -1;
        p->eta = (long)(h * 3600 + m * 60 + sec);
    }
    if (lit(&s, ", ") || num(&s, &p->findings) || lit(&s, " findings"))
        return -1;
    snprintf(p->phase, sizeof p->phase, "scan");
    p->kind = KK_PL_SCAN;
    return 0;
}

/* "collect: 120 files seen, 14 collected, 3 MiB" */
static int parse_collect(const char *s, kk_field_progress *p)
{
    uint64_t mib;
    if (lit(&s, "collect: ") || num(&s, &p->files) || lit(&s, " files seen, ") || num(&s, &p->findings) ||
        lit(&s, " collected, ") || num(&s, &mib) || lit(&s, " MiB"))
        return -1;
    p->bytes = mib > (UINT64_MAX >> 20) ? UINT64_MAX : mib << 20;
    snprintf(p->phase, sizeof p->phase, "collect");
    p->kind = KK_PL_COLLECT;
    return 0;
}

/* "PHASE   42.0%  12 of 34 MiB" or "PHASE   ..." (bundle steps; PHASE may hold spaces) */
static int parse_percent(const char *s, kk_field_progress *p)
{
    size_t l = 0;
    while (s[l] && l < sizeof p->phase - 1) {
        char c = s[l];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-' || c == ' '))
            break;
        l++;
    }
    size_t pl = l;
    while (pl > 0 && s[pl - 1] == ' ')
        pl--;
    if (pl == 0 || pl == l)
        return -1; /* a phase name, then at least one blank */
    const char *q = s + l;
    if (!strcmp(q, "...")) {
        p->percent = -1;
    } else {
        char *end;
        if (*q < '0' || *q > '9')
            return -1;
        double pc = strtod(q, &end);
        if (end == q || *end != '%' || !isfinite(pc) || pc < 0 || pc > 100)
            return -1;
        q = end + 1;
        while (*q == ' ')
            q++;
        uint64_t a, b;
        if (num(&q, &a) || lit(&q, " of ") || num(&q, &b) || lit(&q, " MiB") || *q)
            return -1;
        p->percent = pc;
        p->bytes = a > (UINT64_MAX >> 20) ? UINT64_MAX : a << 20;
        p->total_bytes = b > (UINT64_MAX >> 20) ? UINT64_MAX : b << 20;
    }
    memcpy(p->phase, s, pl);
    p->phase[pl] = '\0';
    p->kind = KK_PL_PERCENT;
    return 0;
}

/* "FOUND Rule_Name (score 90): /path" or "found ..." */
static int parse_found(const char *s, kk_field_progress *p)
{
    if (lit(&s, "FOUND ") && lit(&s, "found "))
        return -1;
    const char *sc = strstr(s, " (score ");
    if (!sc || sc == s)
        return -1;
    const char *q = sc + 8;
    int neg = *q == '-';
    if (neg)
        q++;
    uint64_t v;
    if (num(&q, &v) || lit(&q, "):"))
        return -1;
    p->score = v > 1000 ? 1000 : (int)v;
    if (neg)
        p->score = -p->score;
    copy_text(p->text, sizeof p->text, s, (size_t)(sc - s));
    p->kind = KK_PL_FOUND;
    return 0;
}

void kk_field_parse_progress(const char *line, size_t n, kk_field_progress *p)
{
    memset(p, 0, sizeof *p);
    p->eta = -1;
    /* a working copy without ANSI CSI sequences (the child's \033[K) and NUL bytes */
    char s[1024];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < sizeof s; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == 0x1b && i + 1 < n && line[i + 1] == '[') {
            i += 2;
            while (i < n && !((unsigned char)line[i] >= 0x40 && (unsigned char)line[i] <= 0x7e))
                i++;
            continue;
        }
        if (c == 0 || c == '\r' || c == '\n')
            continue;
        s[o++] = (char)c;
    }
    s[o] = '\0';
    size_t lead = 0;
    while (s[lead] == ' ')
        lead++;
    size_t end = o;
    while (end > lead && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    s[end] = '\0';
    const char *t = s + lead;
    if (!*t) {
        p->kind = KK_PL_NONE;
        return;
    }
    if (!strncmp(t, "== ", 3)) {
        copy_text(p->phase, sizeof p->phase, t + 3, strlen(t + 3));
        p->kind = KK_PL_PHASE;
        return;
    }
    kk_field_progress q = *p;
    if (parse_scan(t, &q) == 0 || (q = *p, parse_collect(t, &q) == 0) || (q = *p, parse_percent(t, &q) == 0) ||
        (q = *p, parse_found(t, &q) == 0)) {
        *p = q;
        return;
    }
    copy_text(p->text, sizeof p->text, t, strlen(t));
    p->kind = KK_PL_TEXT;
}

/* ---- sizes and what the user types ------------------------------------------------------ */

void kk_field_human(uint64_t b, char *out, size_t n)
{
    static const char *const u[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1000 && i < 6) {
        v /= 1000;
        i++;
    }
    if (i == 0)
        snprintf(out, n, "%llu B", (unsigned long long)b);
    else
        snprintf(out, n, "%.1f %s", v, u[i]);
}

int kk_field_valid_case_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

int kk_field_valid_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max || !kk_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
            return 0; /* C1 controls */
        /* bidirectional overrides and isolates (U+202A-202E, U+2066-2069) */
        if (c == 0xe2 && i + 2 < n) {
            unsigned char a = (unsigned char)s[i + 1], b = (unsigned char)s[i + 2];
            if ((a == 0x80 && b >= 0xaa && b <= 0xae) || (a == 0x81 && b >= 0xa6 && b <= 0xa9))
                return 0;
        }
    }
    return 1;
}

int kk_field_valid_phone(const char *s)
{
    size_t n = strlen(s);
    if (n > 32)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')'))
            return 0;
    }
    return 1;
}

/* One digit or separator at *s, ASCII or full-width (U+FF10..U+FF19 digits, U+FF1A ':',
 * U+FF0E '.': what a Japanese input method types); returns '0'..'9', ':' (for ':' and '.')
 * or ' ' and advances, 0 otherwise. */
static int clock_char(const char **s)
{
    const unsigned char *u = (const unsigned char *)*s;
    if ((u[0] >= '0' && u[0] <= '9') || u[0] == ' ') {
        (*s)++;
        return u[0];
    }
    if (u[0] == ':' || u[0] == '.') {
        (*s)++;
        return ':';
    }
    if (u[0] == 0xEF && u[1] == 0xBC && ((u[2] >= 0x90 && u[2] <= 0x9A) || u[2] == 0x8E)) {
        *s += 3;
        return u[2] == 0x9A || u[2] == 0x8E ? ':' : '0' + (u[2] - 0x90);
    }
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) { /* U+3000 ideographic space */
        *s += 3;
        return ' ';
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int kk_field_parse_clock(const char *s, int *minute_of_day)
{
    char n[32]; /* the input mapped to digits, ':' and ' ' */
    size_t k = 0;
    while (*s) {
        int c = clock_char(&s);
        if (!c || k + 1 >= sizeof n)
            return 0;
        n[k++] = (char)c;
    }
    n[k] = '\0';
    const char *p = n;
    while (*p == ' ')
        p++;
    while (k > 0 && n[k - 1] == ' ')
        n[--k] = '\0';
    size_t hd = 0;
    while (is_digit(p[hd]))
        hd++;
    const char *mm;
    if (!p[hd]) { /* digits only: "1405", "905" */
        if (hd < 3 || hd > 4)
            return 0;
        hd -= 2;
        mm = p + hd;
    } else { /* "14:05", "14.05", "14 05", "14 : 05" */
        if (hd < 1 || hd > 2)
            return 0;
        mm = p + hd;
        while (*mm == ' ')
            mm++;
        if (*mm == ':')
            mm++;
        while (*mm == ' ')
            mm++;
    }
    if (!is_digit(mm[0]) || !is_digit(mm[1]) || mm[2])
        return 0;
    int h = hd == 2 ? (p[0] - '0') * 10 + (p[1] - '0') : p[0] - '0';
    int m = (mm[0] - '0') * 10 + (mm[1] - '0');
    if (h > 23 || m > 59)
        return 0;
    *minute_of_day = h * 60 + m;
    return 1;
}

int kk_field_clock_offset(int clock_minute, int told_minute)
{
    int d = ((told_minute - clock_minute) % 1440 + 1440) % 1440;
    return d >= 720 ? d - 1440 : d;
}
