/* evutil.c - hashing, safe names, zoned ISO 8601 times, directories. */
#include "evutil.h"
#include "../util/err.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void kk_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL))
        memset(md, 0, sizeof md);
    kk_hex(md, 32, out);
}

struct kk_hasher {
    EVP_MD_CTX *sha, *md5;
};

kk_hasher *kk_hasher_new(int want_md5)
{
    kk_hasher *h = kk_calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->sha = EVP_MD_CTX_new();
    if (!h->sha || !EVP_DigestInit_ex(h->sha, EVP_sha256(), NULL))
        goto fail;
    if (want_md5) {
        h->md5 = EVP_MD_CTX_new();
        if (!h->md5 || !EVP_DigestInit_ex(h->md5, EVP_md5(), NULL))
            goto fail;
    }
    return h;
fail:
    EVP_MD_CTX_free(h->sha);
    EVP_MD_CTX_free(h->md5);
    free(h);
    return NULL;
}

void kk_hasher_update(kk_hasher *h, const void *p, size_t n)
{
    EVP_DigestUpdate(h->sha, p, n);
    if (h->md5)
        EVP_DigestUpdate(h->md5, p, n);
}

void kk_hasher_final(kk_hasher *h, char sha256[65], char md5[33])
{
    unsigned char md[64];
    unsigned int len = 0;
    EVP_DigestFinal_ex(h->sha, md, &len);
    kk_hex(md, 32, sha256);
    if (md5) {
        if (h->md5) {
            EVP_DigestFinal_ex(h->md5, md, &len);
            kk_hex(md, 16, md5);
        } else {
            md5[0] = '\0';
        }
    }
    EVP_MD_CTX_free(h->sha);
    EVP_MD_CTX_free(h->md5);
    free(h);
}

int kk_sha256_file(const char *path, char out[65], uint64_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s': %s", path,
                          strerror(errno));
    kk_hasher *h = kk_hasher_new(0);
    char *buf = malloc(1 << 20);
    if (!h || !buf) {
        close(fd);
        free(buf);
        if (h)
            kk_hasher_final(h, out, NULL);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    uint64_t total = 0;
    int rc = KK_OK;
    for (;;) {
        ssize_t n = read(fd, buf, 1 << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kk_err_set(KK_EIO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, buf, (size_t)n);
        total += (uint64_t)n;
    }
    close(fd);
    free(buf);
    kk_hasher_final(h, out, NULL);
    if (size)
        *size = total;
    return rc;
}

/* ---- safe names -------------------------------------------------------------------- */

static int safe_char(unsigned char c)
{
    if (isalnum(c))
        return 1;
    return c && strchr("._-+=,@~%()[]{}!#$&' ", c) != NULL;
}

static int reserved_device(const char *s, size_t n)
{
    static const char *const dev[] = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", NULL};
    size_t base = 0;
    while (base < n && s[base] != '.')
        base++;
    for (int i = 0; dev[i]; i++)
        if (strlen(dev[i]) == base && !strncasecmp(s, dev[i], base))
            return 1;
    if (base == 4 && (!strncasecmp(s, "COM", 3) || !strncasecmp(s, "LPT", 3)) && s[3] >= '0' &&
        s[3] <= '9')
        return 1;
    return 0;
}

static int component_is_safe(const char *s, size_t n)
{
    if (n == 0 || n > KK_SAFE_MAX)
        return 0;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
        return 0;
    if (s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!safe_char((unsigned char)s[i]))
            return 0;
    return !reserved_device(s, n);
}

int kk_safe_component(kk_buf *out, const char *s, size_t n)
{
    if (component_is_safe(s, n))
        return kk_buf_add(out, s, n);
    kk_buf e;
    kk_buf_init(&e, 1 << 16);
    int rc = KK_OK;
    if (n == 0)
        rc = kk_buf_addc(&e, '_');
    int dev = reserved_device(s, n);
    for (size_t i = 0; i < n && rc == KK_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        int esc = !safe_char(c) || (i == 0 && (c == ' ' || dev)) || (i == n - 1 && (c == ' ' || c == '.')) ||
                  (c == '.' && (n == 1 || (n == 2)) && s[0] == '.' && s[n - 1] == '.');
        if (esc)
            rc = kk_buf_printf(&e, "%%%02X", c);
        else
            rc = kk_buf_addc(&e, (char)c);
    }
    if (rc == KK_OK && e.len > KK_SAFE_MAX) {
        char h[65];
        kk_sha256_hex(s, n, h);
        size_t cut = KK_SAFE_MAX - 17;
        /* never split a %XX escape */
        for (size_t k = 1; k <= 2 && k <= cut; k++)
            if (e.data[cut - k] == '%') {
                cut -= k;
                break;
            }
        while (cut > 0 && (e.data[cut - 1] == ' ' || e.data[cut - 1] == '.'))
            cut--;
        e.len = cut;
        rc = kk_buf_printf(&e, "~%.16s", h);
    }
    if (rc == KK_OK)
        rc = kk_buf_add(out, e.data ? e.data : "", e.len);
    kk_buf_free(&e);
    return rc;
}

int kk_safe_relpath(kk_buf *out, const char *path)
{
    size_t start_len = out->len;
    const char *p = path;
    int any = 0;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n) {
            if (any)
                KK_TRY(kk_buf_addc(out, '/'));
            KK_TRY(kk_safe_component(out, p, n));
            any = 1;
        }
        p += n;
        if (*p == '/')
            p++;
    }
    if (!any)
        KK_TRY(kk_buf_addc(out, '_'));
    (void)start_len;
    return KK_OK;
}

int kk_is_safe_relpath(const char *rel)
{
    const char *p = rel;
    if (!*p)
        return 0;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (!component_is_safe(p, n))
            return 0;
        if (!slash)
            return 1;
        p = slash + 1;
    }
}

/* ---- times --------------------------------------------------------------------------- */

int kk_tz_valid(const char *tz)
{
    if (!tz || !*tz || strlen(tz) > 64)
        return 0;
    if (!strcmp(tz, "UTC"))
        return 1;
    if (tz[0] == '/' || tz[0] == '.' || strstr(tz, ".."))
        return 0;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return 0;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    /* a zone file starts with "TZif" */
    FILE *f = fopen(path, "rb");
    char m[4] = {0};
    int ok = f && fread(m, 1, 4, f) == 4 && !memcmp(m, "TZif", 4);
    if (f)
        fclose(f);
    return ok;
}

typedef struct tz_save {
    char *old;
    int had;
} tz_save;

static void tz_push(tz_save *s, const char *tz)
{
    const char *o = getenv("TZ");
    s->had = o != NULL;
    s->old = o ? strdup(o) : NULL;
    setenv("TZ", tz, 1);
    tzset();
}

static void tz_pop(tz_save *s)
{
    if (s->had && s->old)
        setenv("TZ", s->old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(s->old);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int days_in(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

int kk_time_parse(const char *s, const char *tz, int64_t *epoch)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' || !digits(&p, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo) || y < 1970 || y > 2999)
        goto bad;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
            goto bad;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &sec))
                goto bad;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p))
                    goto bad;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            goto bad;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    if (*p == 'Z' || *p == 'z') {
        if (p[1])
            goto bad;
        *epoch = (int64_t)timegm(&tm);
        return KK_OK;
    }
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om = 0;
        p++;
        if (!digits(&p, 2, &oh))
            goto bad;
        if (*p == ':')
            p++;
        if (*p && !digits(&p, 2, &om))
            goto bad;
        if (*p || oh > 14 || om > 59)
            goto bad;
        *epoch = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
        return KK_OK;
    }
    if (*p)
        goto bad;
    if (!kk_tz_valid(tz))
        return kk_err_set(KK_EINVAL, "unknown time zone '%s'", tz ? tz : "");
    tz_save sv;
    tz_push(&sv, tz);
    struct tm want = tm;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    int same = t != (time_t)-1 && tm.tm_hour == want.tm_hour && tm.tm_min == want.tm_min &&
               tm.tm_mday == want.tm_mday;
    tz_pop(&sv);
    if (!same)
        return kk_err_set(KK_EINVAL, "time '%s' does not exist in time zone '%s'", s, tz);
    *epoch = (int64_t)t;
    return KK_OK;
bad:
    return kk_err_set(KK_EINVAL,
                      "malformed time '%s': use ISO 8601 such as 2024-05-01T10:30, "
                      "2024-05-01 10:30:00+09:00 or 2024-05-01T01:30:00Z",
                      s);
}

void kk_time_in_zone(int64_t epoch, const char *tz, char out[KK_TIME_LEN])
{
    if (!tz || !strcmp(tz, "UTC") || !kk_tz_valid(tz)) {
        kk_time_iso(epoch, 0, out);
        return;
    }
    tz_save sv;
    tz_push(&sv, tz);
    time_t t = (time_t)epoch;
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        tz_pop(&sv);
        kk_time_iso(epoch, 0, out);
        return;
    }
    tz_pop(&sv);
    size_t n = strftime(out, KK_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    snprintf(out + n, KK_TIME_LEN - n, "%c%02ld:%02ld", sign, off / 3600, (off / 60) % 60);
}

void kk_time_now_zone(const char *tz, char out[KK_TIME_LEN])
{
    kk_time_in_zone((int64_t)time(NULL), tz, out);
}

/* ---- files ----------------------------------------------------------------------------- */

char *kk_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    return kk_asprintf("%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b);
}

int kk_mkdirs(const char *base, const char *rel)
{
    char *p = kk_join(base, rel);
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory");
    size_t bl = strlen(base);
    for (char *q = p + bl + 1; ; q++) {
        if (*q == '/' || *q == '\0') {
            char c = *q;
            *q = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST) {
                int rc = kk_err_set(KK_EIO, "cannot create folder '%s': %s", p, strerror(errno));
                free(p);
                return rc;
            }
            struct stat st;
            if (lstat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
                int rc = kk_err_set(KK_EIO, "cannot create folder '%s': a file or link is in the way", p);
                free(p);
                return rc;
            }
            *q = c;
            if (!c)
                break;
        }
    }
    free(p);
    return KK_OK;
}

void kk_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}
