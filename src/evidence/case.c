/* case.c - the case folder (see case.h). */
#include "case.h"
#include "evutil.h"
#include "srcinfo.h"
#include "../source/source.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CASE_JSON_MAX (64u << 20)

struct kk_case {
    char *dir;
    json_t *j;
    int dfd; /* the folder, for flock */
};

const char *const kk_case_keys[] = {
    "case_id", "client", "client_address", "site", "engineer", "engineer_org", "requested_at",
    "arrived_at", "departed_at", "discovered_at", "personal_data", "timezone", "lang", "notes", NULL};

static const char *const case_dirs[] = {"artifacts", "samples", "attachments", "memory", "timeline",
                                        "report", NULL};

/* ---- files --------------------------------------------------------------------------- */

int kk_case_write_file(const char *dir, const char *name, const void *data, size_t n)
{
    char *tmpl = kk_asprintf("%s/.kk-tmp-XXXXXX", dir);
    char *dst = kk_join(dir, name);
    if (!tmpl || !dst) {
        free(tmpl);
        free(dst);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    int rc = KK_OK;
    int fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
        rc = kk_err_set(KK_EIO, "cannot write '%s': %s", dst, strerror(errno));
        goto out;
    }
    fchmod(fd, 0644);
    const char *p = data;
    size_t left = n;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = kk_err_set(KK_EIO, "cannot write '%s': %s", dst, strerror(w < 0 ? errno : ENOSPC));
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (rc == KK_OK && fsync(fd) != 0)
        rc = kk_err_set(KK_EIO, "cannot write '%s': %s", dst, strerror(errno));
    if (close(fd) != 0 && rc == KK_OK)
        rc = kk_err_set(KK_EIO, "cannot write '%s': %s", dst, strerror(errno));
    if (rc == KK_OK && rename(tmpl, dst) != 0)
        rc = kk_err_set(KK_EIO, "cannot replace '%s': %s", dst, strerror(errno));
    if (rc != KK_OK)
        unlink(tmpl);
    else
        kk_fsync_dir(dir);
out:
    free(tmpl);
    free(dst);
    return rc;
}

static int load_json(const char *path, json_t **out)
{
    json_error_t je;
    struct stat st;
    if (stat(path, &st) != 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s': %s", path,
                          strerror(errno));
    if (st.st_size > (off_t)CASE_JSON_MAX)
        return kk_err_set(KK_EFORMAT, "'%s' is too large to be a case file", path);
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return kk_err_set(KK_EFORMAT, "'%s' is not a valid case file: %s (line %d)", path, je.text,
                          je.line);
    }
    *out = j;
    return KK_OK;
}

static int save(kk_case *c)
{
    char *s = json_dumps(c->j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!s)
        return kk_err_set(KK_ENOMEM, "out of memory");
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) {
        free(s);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    int rc = kk_case_write_file(c->dir, "case.json", t, n + 1);
    free(t);
    return rc;
}

/* Lock the folder and re-read case.json (other commands may have changed it). */
static int begin(kk_case *c)
{
    if (flock(c->dfd, LOCK_EX) != 0)
        return kk_err_set(KK_EIO, "cannot lock case folder '%s': %s", c->dir, strerror(errno));
    char *p = kk_join(c->dir, "case.json");
    json_t *j = NULL;
    int rc = p ? load_json(p, &j) : kk_err_set(KK_ENOMEM, "out of memory");
    free(p);
    if (rc != KK_OK) {
        flock(c->dfd, LOCK_UN);
        return rc;
    }
    json_decref(c->j);
    c->j = j;
    return KK_OK;
}

static int end(kk_case *c, int rc)
{
    if (rc == KK_OK)
        rc = save(c);
    flock(c->dfd, LOCK_UN);
    return rc;
}

static json_t *arr(kk_case *c, const char *key)
{
    json_t *a = json_object_get(c->j, key);
    if (!json_is_array(a)) {
        a = json_array();
        json_object_set_new(c->j, key, a);
    }
    return a;
}

/* ---- open ------------------------------------------------------------------------------ */

static int make_case(const char *dir, int must_be_new)
{
    struct stat st;
    if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        return kk_err_set(KK_EINVAL, "cannot create case folder '%s': a file of that name exists", dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        /* parents */
        char *copy = kk_strdup(dir);
        if (!copy)
            return kk_err_set(KK_ENOMEM, "out of memory");
        for (char *q = copy + 1; *q; q++) {
            if (*q != '/')
                continue;
            *q = '\0';
            mkdir(copy, 0755);
            *q = '/';
        }
        free(copy);
        if (mkdir(dir, 0755) != 0 && errno != EEXIST)
            return kk_err_set(KK_EIO, "cannot create case folder '%s': %s", dir, strerror(errno));
    }
    char *cj = kk_join(dir, "case.json");
    if (!cj)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int exists = access(cj, F_OK) == 0;
    free(cj);
    if (exists && must_be_new)
        return kk_err_set(KK_EEXIST, "'%s' is already a case folder (it has a case.json)", dir);
    for (int i = 0; case_dirs[i]; i++) {
        char *p = kk_join(dir, case_dirs[i]);
        if (!p)
            return kk_err_set(KK_ENOMEM, "out of memory");
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            int rc = kk_err_set(KK_EIO, "cannot create '%s': %s", p, strerror(errno));
            free(p);
            return rc;
        }
        free(p);
    }
    if (exists)
        return KK_OK;
    char now[KK_TIME_LEN];
    kk_time_now_zone(KK_CASE_DEFAULT_TZ, now);
    json_t *j = json_object();
    json_object_set_new(j, "format", json_string("kaketsuke-case"));
    json_object_set_new(j, "format_version", json_integer(1));
    json_object_set_new(j, "created_at", json_string(now));
    json_object_set_new(j, "timezone", json_string(KK_CASE_DEFAULT_TZ));
    json_object_set_new(j, "actions", json_array());
    json_object_set_new(j, "attachments", json_array());
    json_object_set_new(j, "sources", json_array());
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    if (!s)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
        flock(dfd, LOCK_EX);
    /* a concurrent creator may have won the race: keep its file */
    char *cj2 = kk_join(dir, "case.json");
    int rc = KK_OK;
    if (cj2 && access(cj2, F_OK) != 0) {
        char *t = kk_asprintf("%s\n", s);
        rc = t ? kk_case_write_file(dir, "case.json", t, strlen(t)) : kk_err_set(KK_ENOMEM, "out of memory");
        free(t);
    } else if (must_be_new) {
        rc = kk_err_set(KK_EEXIST, "'%s' is already a case folder (it has a case.json)", dir);
    }
    free(cj2);
    if (dfd >= 0) {
        flock(dfd, LOCK_UN);
        close(dfd);
    }
    free(s);
    return rc;
}

static int open_case(const char *dir, kk_case **out)
{
    kk_case *c = kk_calloc(1, sizeof *c);
    if (!c)
        return kk_err_set(KK_ENOMEM, "out of memory");
    c->dir = kk_strdup(dir);
    c->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (!c->dir || c->dfd < 0) {
        int rc = c->dir ? kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open case folder '%s': %s",
                                     dir, strerror(errno))
                        : kk_err_set(KK_ENOMEM, "out of memory");
        kk_case_close(c);
        return rc;
    }
    char *p = kk_join(dir, "case.json");
    int rc = p ? load_json(p, &c->j) : kk_err_set(KK_ENOMEM, "out of memory");
    free(p);
    if (rc == KK_ENOENT)
        rc = kk_err_set(KK_ENOENT, "'%s' is not a case folder (no case.json; create it with "
                        "'kaketsuke case init %s')", dir, dir);
    if (rc == KK_OK && strcmp(json_string_value(json_object_get(c->j, "format")) ? 
                              json_string_value(json_object_get(c->j, "format")) : "", "kaketsuke-case"))
        rc = kk_err_set(KK_EFORMAT, "'%s/case.json' is not a kaketsuke case file", dir);
    if (rc != KK_OK) {
        kk_case_close(c);
        return rc;
    }
    *out = c;
    return KK_OK;
}

int kk_case_init(const char *dir, kk_case **out)
{
    KK_TRY(make_case(dir, 1));
    return open_case(dir, out);
}

int kk_case_open(const char *dir, int create, kk_case **out)
{
    if (create)
        KK_TRY(make_case(dir, 0));
    return open_case(dir, out);
}

void kk_case_close(kk_case *c)
{
    if (!c)
        return;
    if (c->dfd >= 0)
        close(c->dfd);
    json_decref(c->j);
    free(c->dir);
    free(c);
}

const char *kk_case_dir(const kk_case *c) { return c->dir; }

const char *kk_case_get(const kk_case *c, const char *key)
{
    return json_string_value(json_object_get(c->j, key));
}

const char *kk_case_tz(const kk_case *c)
{
    const char *tz = kk_case_get(c, "timezone");
    return tz && kk_tz_valid(tz) ? tz : KK_CASE_DEFAULT_TZ;
}

json_t *kk_case_json(const kk_case *c) { return c->j; }

char *kk_case_path(const kk_case *c, const char *rel) { return kk_join(c->dir, rel); }

int kk_case_findings_path(const kk_case *c, int fresh, char **out)
{
    for (int i = 1; i < 10000; i++) {
        char *p = i == 1 ? kk_join(c->dir, "findings.jsonl") : kk_asprintf("%s/findings-%d.jsonl", c->dir, i);
        if (!p)
            return kk_err_set(KK_ENOMEM, "out of memory");
        if (!fresh || access(p, F_OK) != 0) {
            *out = p;
            return KK_OK;
        }
        free(p);
    }
    return kk_err_set(KK_EEXIST, "too many findings files in '%s'", c->dir);
}

/* ---- values ------------------------------------------------------------------------- */

static int known_key(const char *k)
{
    for (int i = 0; kk_case_keys[i]; i++)
        if (!strcmp(kk_case_keys[i], k))
            return 1;
    return 0;
}

static int is_time_key(const char *k)
{
    size_t n = strlen(k);
    return n > 3 && !strcmp(k + n - 3, "_at");
}

/* Clean text: valid UTF-8, no control characters except (when multiline) \n and \t. */
static int check_text(const char *what, const char *v, size_t max, int multiline)
{
    size_t n = strlen(v);
    if (n > max)
        return kk_err_set(KK_EINVAL, "value of '%s' is too long (%zu bytes, at most %zu)", what, n, max);
    if (!kk_utf8_valid(v, n))
        return kk_err_set(KK_EINVAL, "value of '%s' is not valid UTF-8 text", what);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if ((ch < 0x20 && !(multiline && (ch == '\n' || ch == '\t'))) || ch == 0x7f)
            return kk_err_set(KK_EINVAL, "value of '%s' holds a control character (byte %zu)", what, i + 1);
        /* C1 controls U+0080..U+009F are encoded C2 80..C2 9F */
        if (ch == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 && (unsigned char)v[i + 1] <= 0x9F)
            return kk_err_set(KK_EINVAL, "value of '%s' holds a control character (byte %zu)", what, i + 1);
    }
    return KK_OK;
}

int kk_case_check_value(const char *key, const char *value, const char *tz, char **norm)
{
    *norm = NULL;
    if (!known_key(key)) {
        kk_buf b;
        kk_buf_init(&b, 0);
        for (int i = 0; kk_case_keys[i]; i++)
            kk_buf_printf(&b, "%s%s", i ? ", " : "", kk_case_keys[i]);
        int rc = kk_err_set(KK_EINVAL, "unknown key '%s' (known keys: %s)", key, kk_buf_str(&b));
        kk_buf_free(&b);
        return rc;
    }
    if (!*value) { /* removes the key */
        *norm = kk_strdup("");
        return *norm ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
    }
    if (!strcmp(key, "personal_data")) {
        const char *ok[] = {"yes", "no", "unknown"};
        for (int i = 0; i < 3; i++)
            if (!strcasecmp(value, ok[i])) {
                *norm = kk_strdup(ok[i]);
                return KK_OK;
            }
        return kk_err_set(KK_EINVAL, "invalid personal_data '%s': use yes, no or unknown", value);
    }
    if (!strcmp(key, "lang")) {
        if (strcmp(value, "ja") && strcmp(value, "en"))
            return kk_err_set(KK_EINVAL, "invalid lang '%s': use ja or en", value);
        *norm = kk_strdup(value);
        return KK_OK;
    }
    if (!strcmp(key, "timezone")) {
        if (!kk_tz_valid(value))
            return kk_err_set(KK_EINVAL, "unknown timezone '%s': use a zone name such as Asia/Tokyo, "
                              "Europe/Berlin or UTC", value);
        *norm = kk_strdup(value);
        return KK_OK;
    }
    if (is_time_key(key)) {
        int64_t t;
        int rc = kk_time_parse(value, tz, &t);
        if (rc != KK_OK) {
            char m[600];
            snprintf(m, sizeof m, "%s", kk_err_msg());
            return kk_err_set(rc, "invalid %s: %s", key, m);
        }
        char out[KK_TIME_LEN];
        kk_time_in_zone(t, tz, out);
        *norm = kk_strdup(out);
        return KK_OK;
    }
    int multi = !strcmp(key, "notes") || !strcmp(key, "client_address");
    size_t max = !strcmp(key, "notes") ? 65536 : !strcmp(key, "case_id") ? 128 : 1024;
    KK_TRY(check_text(key, value, max, multi));
    *norm = kk_strdup(value);
    return *norm ? KK_OK : kk_err_set(KK_ENOMEM, "out of memory");
}

int kk_case_set(kk_case *c, const char *const *as, size_t n)
{
    KK_TRY(begin(c));
    int rc = KK_OK;
    char **keys = kk_calloc(n + 1, sizeof *keys), **vals = kk_calloc(n + 1, sizeof *vals);
    if (!keys || !vals) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    /* the zone first: times given in the same call use the new zone */
    char tz[80];
    snprintf(tz, sizeof tz, "%s", kk_case_tz(c));
    for (int pass = 0; pass < 2 && rc == KK_OK; pass++) {
        for (size_t i = 0; i < n && rc == KK_OK; i++) {
            const char *eq = strchr(as[i], '=');
            if (!eq || eq == as[i]) {
                rc = kk_err_set(KK_EINVAL, "malformed assignment '%s': use KEY=VALUE", as[i]);
                break;
            }
            char *k = kk_strndup(as[i], (size_t)(eq - as[i]));
            if (!k) {
                rc = kk_err_set(KK_ENOMEM, "out of memory");
                break;
            }
            int is_tz = !strcmp(k, "timezone");
            if ((pass == 0) != is_tz) {
                free(k);
                continue;
            }
            char *norm = NULL;
            rc = kk_case_check_value(k, eq + 1, tz, &norm);
            if (rc == KK_OK && is_tz && *norm)
                snprintf(tz, sizeof tz, "%s", norm);
            keys[i] = k;
            vals[i] = norm;
        }
    }
    if (rc == KK_OK) {
        for (size_t i = 0; i < n; i++) {
            if (!*vals[i]) {
                if (!strcmp(keys[i], "timezone"))
                    json_object_set_new(c->j, "timezone", json_string(KK_CASE_DEFAULT_TZ));
                else
                    json_object_del(c->j, keys[i]);
            } else {
                json_object_set_new(c->j, keys[i], json_string(vals[i]));
            }
        }
    }
out:
    for (size_t i = 0; keys && vals && i < n; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    return end(c, rc);
}

int kk_case_note(kk_case *c, const char *text, const char *at)
{
    KK_TRY(check_text("note", text, 65536, 1));
    if (!*text)
        return kk_err_set(KK_EINVAL, "empty note");
    KK_TRY(begin(c));
    const char *tz = kk_case_tz(c);
    char now[KK_TIME_LEN], when[KK_TIME_LEN];
    kk_time_now_zone(tz, now);
    snprintf(when, sizeof when, "%s", now);
    if (at) {
        int64_t t;
        int rc = kk_time_parse(at, tz, &t);
        if (rc != KK_OK)
            return end(c, rc);
        kk_time_in_zone(t, tz, when);
    }
    json_t *a = json_object();
    json_object_set_new(a, "time", json_string(when));
    json_object_set_new(a, "recorded_at", json_string(now));
    kk_jset_str(a, "text", text);
    json_array_append_new(arr(c, "actions"), a);
    return end(c, KK_OK);
}

/* ---- attachments -------------------------------------------------------------------- */

static char *with_suffix(const char *name, int k)
{
    if (k == 1)
        return kk_strdup(name);
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return kk_asprintf("%s~%d", name, k);
    return kk_asprintf("%.*s~%d%s", (int)(dot - name), name, k, dot);
}

/* Copy src (fd) into dir under a new safe name; hashes what was copied. */
static int copy_in(int sfd, const char *dir, const char *safe, char **stored, char sha[65], char md5[33],
                   uint64_t *size)
{
    char *tmpl = kk_asprintf("%s/.kk-tmp-XXXXXX", dir);
    if (!tmpl)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int fd = mkostemp(tmpl, O_CLOEXEC);
    if (fd < 0) {
        int rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
        free(tmpl);
        return rc;
    }
    fchmod(fd, 0644);
    kk_hasher *h = kk_hasher_new(1);
    char *buf = malloc(1 << 20);
    int rc = KK_OK;
    uint64_t total = 0;
    if (!h || !buf)
        rc = kk_err_set(KK_ENOMEM, "out of memory");
    while (rc == KK_OK) {
        ssize_t n = read(sfd, buf, 1 << 20);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kk_err_set(KK_EIO, "cannot read: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, buf, (size_t)n);
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(w < 0 ? errno : ENOSPC));
                break;
            }
            off += w;
        }
        total += (uint64_t)n;
    }
    if (rc == KK_OK && fsync(fd) != 0)
        rc = kk_err_set(KK_EIO, "cannot write into '%s': %s", dir, strerror(errno));
    close(fd);
    free(buf);
    if (h)
        kk_hasher_final(h, sha, md5);
    for (int k = 1; rc == KK_OK; k++) {
        char *name = with_suffix(safe, k);
        char *dst = name ? kk_join(dir, name) : NULL;
        if (!dst) {
            free(name);
            rc = kk_err_set(KK_ENOMEM, "out of memory");
            break;
        }
        if (link(tmpl, dst) == 0) {
            *stored = name;
            free(dst);
            break;
        }
        int e = errno;
        free(dst);
        free(name);
        if (e != EEXIST || k > 100000) {
            rc = kk_err_set(KK_EIO, "cannot store file in '%s': %s", dir, strerror(e));
            break;
        }
    }
    unlink(tmpl);
    free(tmpl);
    if (rc == KK_OK)
        kk_fsync_dir(dir);
    *size = total;
    return rc;
}

int kk_case_add_file(kk_case *c, const char *file, const char *note, json_t **rec)
{
    if (note)
        KK_TRY(check_text("--note", note, 65536, 1));
    int sfd = open(file, O_RDONLY | O_CLOEXEC);
    if (sfd < 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open '%s': %s", file, strerror(errno));
    struct stat st;
    if (fstat(sfd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(sfd);
        return kk_err_set(KK_EINVAL, "cannot add '%s': not a regular file (add the files of a folder "
                          "one by one, or pack it first)", file);
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    kk_buf safe;
    kk_buf_init(&safe, 0);
    int rc = kk_safe_component(&safe, base, strlen(base));
    char *dir = kk_join(c->dir, "attachments");
    char *stored = NULL, sha[65] = "", md5[33] = "";
    uint64_t size = 0;
    if (rc == KK_OK && dir) {
        mkdir(dir, 0755);
        rc = copy_in(sfd, dir, kk_buf_str(&safe), &stored, sha, md5, &size);
        if (rc != KK_OK) {
            char m[700];
            snprintf(m, sizeof m, "%s", kk_err_msg());
            rc = kk_err_set(rc, "cannot add '%s': %s", file, m);
        }
    } else if (rc == KK_OK) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
    }
    close(sfd);
    kk_buf_free(&safe);
    free(dir);
    if (rc != KK_OK)
        return rc;
    rc = begin(c);
    if (rc != KK_OK) {
        free(stored);
        return rc;
    }
    const char *tz = kk_case_tz(c);
    char now[KK_TIME_LEN], mt[KK_TIME_LEN];
    kk_time_now_zone(tz, now);
    kk_time_in_zone((int64_t)st.st_mtime, tz, mt);
    json_t *a = json_object();
    char *name = kk_asprintf("attachments/%s", stored);
    kk_jset_str(a, "name", name);
    kk_jset_str(a, "original", file);
    kk_jset_u64(a, "size", size);
    kk_jset_str(a, "sha256", sha);
    kk_jset_str(a, "md5", md5);
    kk_jset_str(a, "mtime", mt);
    kk_jset_str(a, "added_at", now);
    if (note && *note)
        kk_jset_str(a, "note", note);
    json_array_append(arr(c, "attachments"), a);
    free(name);
    free(stored);
    if (rec)
        *rec = a;
    else
        json_decref(a);
    return end(c, KK_OK);
}

/* ---- sources ------------------------------------------------------------------------- */

int kk_case_record_source(kk_case *c, const char *spec, const char *command, const char *before,
                          const char *after, char **label)
{
    char rp[PATH_MAX];
    if (!realpath(spec, rp))
        snprintf(rp, sizeof rp, "%s", spec);
    json_t *info = NULL;
    if (kk_source_info(spec, &info) != KK_OK)
        info = NULL; /* recorded without details; the command reports the problem */
    json_t *dev = kk_device_identity(spec);
    int rc = begin(c);
    if (rc != KK_OK) {
        json_decref(info);
        json_decref(dev);
        return rc;
    }
    const char *tz = kk_case_tz(c);
    char now[KK_TIME_LEN];
    kk_time_now_zone(tz, now);
    json_t *srcs = arr(c, "sources"), *s = NULL, *v;
    size_t i;
    json_array_foreach(srcs, i, v)
    {
        const char *r = json_string_value(json_object_get(v, "realpath"));
        if (r && !strcmp(r, rp)) {
            s = v;
            break;
        }
    }
    if (!s) {
        s = json_object();
        kk_jset_str(s, "source", spec);
        kk_jset_str(s, "realpath", rp);
        /* label: the folder name under artifacts/, unique in the case */
        const char *base = strrchr(rp, '/');
        base = base && base[1] ? base + 1 : rp;
        kk_buf b;
        kk_buf_init(&b, 0);
        kk_safe_component(&b, base, strlen(base));
        char *lab = kk_strdup(kk_buf_str(&b));
        for (int k = 2; lab; k++) {
            int clash = 0;
            json_t *w;
            size_t x;
            json_array_foreach(srcs, x, w)
            {
                const char *l = json_string_value(json_object_get(w, "label"));
                if (l && !strcasecmp(l, lab))
                    clash = 1;
            }
            if (!clash)
                break;
            free(lab);
            lab = kk_asprintf("%s-%d", kk_buf_str(&b), k);
        }
        kk_buf_free(&b);
        kk_jset_str(s, "label", lab);
        free(lab);
        json_object_set_new(s, "first_seen", json_string(now));
        json_array_append_new(srcs, s);
    }
    if (info) {
        const char *copy[] = {"kind", "format", "size", "partition_table", "filesystems", NULL};
        for (int k = 0; copy[k]; k++) {
            json_t *x = json_object_get(info, copy[k]);
            if (x)
                json_object_set(s, copy[k], x);
        }
    }
    if (dev)
        json_object_set(s, "device", dev);
    json_object_set_new(s, "last_seen", json_string(now));
    if (before || after) {
        json_t *h = json_object();
        json_object_set_new(h, "time", json_string(now));
        if (command)
            kk_jset_str(h, "command", command);
        if (before)
            kk_jset_str(h, "sha256_before", before);
        if (after)
            kk_jset_str(h, "sha256_after", after);
        if (before && after)
            json_object_set_new(h, "same", json_boolean(!strcmp(before, after)));
        json_t *hs = json_object_get(s, "hashes");
        if (!json_is_array(hs)) {
            hs = json_array();
            json_object_set_new(s, "hashes", hs);
        }
        json_array_append_new(hs, h);
    }
    if (label)
        *label = kk_strdup(json_string_value(json_object_get(s, "label")));
    json_decref(info);
    json_decref(dev);
    return end(c, KK_OK);
}

int kk_case_log(kk_case *c, const kk_custody_info *ci)
{
    char *p = kk_join(c->dir, "custody.jsonl");
    if (!p)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int rc = kk_custody_append(p, kk_case_tz(c), kk_case_get(c, "engineer"), ci);
    free(p);
    return rc;
}
