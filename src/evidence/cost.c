/* cost.c - cost lines of a case (see cost.h). */
#include "cost.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/text.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define COST_MAX_YEN 1000000000000LL
#define COST_MAX_HOURS 10000.0
#define COST_NOTE_MAX 1024
#define COST_LINES_MAX 10000

const char *const kk_cost_categories[] = {"dispatch", "investigation", "recovery", "travel", "equipment", "other",
                                          NULL};

static const char *const cost_ja[][2] = {
    {"駆付け", "dispatch"},   {"駆け付け", "dispatch"}, {"出動", "dispatch"},     {"調査", "investigation"},
    {"復旧作業", "recovery"}, {"復旧", "recovery"},     {"交通費", "travel"},     {"機材", "equipment"},
    {"機材・媒体", "equipment"}, {"媒体", "equipment"}, {"その他", "other"},
};

const char *kk_cost_category(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; kk_cost_categories[i]; i++)
        if (!strcasecmp(name, kk_cost_categories[i]))
            return kk_cost_categories[i];
    for (size_t i = 0; i < sizeof cost_ja / sizeof *cost_ja; i++)
        if (!strcmp(name, cost_ja[i][0]))
            return cost_ja[i][1];
    return NULL;
}

int kk_cost_parse_amount(const char *s, long long *yen)
{
    const char *p = s ? s : "";
    size_t n = strlen(p);
    static const char yen_sign[] = "\xc2\xa5", yen_full[] = "\xef\xbf\xa5", en[] = "\xe5\x86\x86";
    if (!strncmp(p, yen_sign, 2)) {
        p += 2;
        n -= 2;
    } else if (!strncmp(p, yen_full, 3)) {
        p += 3;
        n -= 3;
    } else if (n && p[0] == '\\') {
        p++;
        n--;
    }
    if (n >= 3 && !strcmp(p + n - 3, en))
        n -= 3;
    long long v = 0;
    int digits = 0, group = -1; /* digits since the last comma, -1 before the first comma */
    for (size_t i = 0; i < n; i++) {
        char ch = p[i];
        if (ch == ',') {
            if (!digits || (group >= 0 && group != 3) || (group < 0 && digits > 3))
                goto bad;
            group = 0;
            continue;
        }
        if (!isdigit((unsigned char)ch))
            goto bad;
        v = v * 10 + (ch - '0');
        digits++;
        if (group >= 0)
            group++;
        if (v > COST_MAX_YEN)
            return kk_err_set(KK_EINVAL, "amount '%s' is too large (at most %lld yen)", s, COST_MAX_YEN);
    }
    if (!digits || (group >= 0 && group != 3))
        goto bad;
    *yen = v;
    return KK_OK;
bad:
    return kk_err_set(KK_EINVAL, "invalid amount '%s': give whole yen as a non-negative integer (55000 or 55,000)",
                      s ? s : "");
}

int kk_cost_parse_hours(const char *s, double *hours)
{
    const char *p = s ? s : "";
    long long whole = 0, frac = 0;
    int wd = 0, fd = 0;
    while (isdigit((unsigned char)*p) && wd < 6) {
        whole = whole * 10 + (*p++ - '0');
        wd++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p) && fd < 3) {
            frac = frac * 10 + (*p++ - '0');
            fd++;
        }
        if (!fd)
            goto bad;
    }
    if (*p || !wd || fd > 2)
        goto bad;
    double h = (double)whole + (fd == 1 ? frac / 10.0 : fd == 2 ? frac / 100.0 : 0.0);
    if (h > COST_MAX_HOURS)
        return kk_err_set(KK_EINVAL, "hours '%s' is too large (at most %.0f)", s, COST_MAX_HOURS);
    *hours = h;
    return KK_OK;
bad:
    return kk_err_set(KK_EINVAL, "invalid hours '%s': give a non-negative number such as 3, 2.5 or 0.25", s ? s : "");
}

static int check_note(const char *v)
{
    size_t n = strlen(v);
    if (n > COST_NOTE_MAX)
        return kk_err_set(KK_EINVAL, "cost note is too long (%zu bytes, at most %d)", n, COST_NOTE_MAX);
    if (!kk_utf8_valid(v, n))
        return kk_err_set(KK_EINVAL, "cost note is not valid UTF-8 text");
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch == 0x7f ||
            (ch == 0xC2 && i + 1 < n && (unsigned char)v[i + 1] >= 0x80 && (unsigned char)v[i + 1] <= 0x9F))
            return kk_err_set(KK_EINVAL, "cost note holds a control character (byte %zu)", i + 1);
    }
    return KK_OK;
}

int kk_case_add_cost(kk_case *c, const char *category, const char *amount, const char *hours, const char *note,
                     json_t **rec)
{
    if (rec)
        *rec = NULL;
    const char *cat = kk_cost_category(category);
    if (!cat)
        return kk_err_set(KK_EINVAL,
                          "unknown cost category '%s': use dispatch (駆付け), investigation (調査), recovery "
                          "(復旧作業), travel (交通費), equipment (機材), or other (その他)",
                          category ? category : "");
    long long yen;
    double h = -1;
    KK_TRY(kk_cost_parse_amount(amount, &yen));
    if (hours && *hours)
        KK_TRY(kk_cost_parse_hours(hours, &h));
    if (note && *note)
        KK_TRY(check_note(note));

    const char *dir = kk_case_dir(c);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return kk_err_set(KK_EIO, "cannot open case folder '%s': %s", dir, strerror(errno));
    if (flock(dfd, LOCK_EX) != 0) {
        int rc = kk_err_set(KK_EIO, "cannot lock case folder '%s': %s", dir, strerror(errno));
        close(dfd);
        return rc;
    }
    int rc = KK_OK;
    char *path = kk_join(dir, "case.json");
    json_error_t je;
    json_t *j = path ? json_load_file(path, JSON_REJECT_DUPLICATES, &je) : NULL;
    char *s = NULL;
    json_t *line = NULL;
    if (!path) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    if (!json_is_object(j)) {
        rc = kk_err_set(KK_EFORMAT, "'%s' is not a valid case file: %s (line %d)", path, je.text, je.line);
        goto out;
    }
    json_t *costs = json_object_get(j, "costs");
    if (!json_is_array(costs)) {
        costs = json_array();
        json_object_set_new(j, "costs", costs);
    }
    if (json_array_size(costs) >= COST_LINES_MAX) {
        rc = kk_err_set(KK_EINVAL, "the case already has %d cost lines", COST_LINES_MAX);
        goto out;
    }
    const char *tz = json_string_value(json_object_get(j, "timezone"));
    char now[KK_TIME_LEN];
    kk_time_now_zone(tz && kk_tz_valid(tz) ? tz : KK_CASE_DEFAULT_TZ, now);
    line = json_object();
    kk_jset_str(line, "category", cat);
    json_object_set_new(line, "amount", json_integer((json_int_t)yen));
    if (h >= 0)
        json_object_set_new(line, "hours", json_real(h));
    if (note && *note)
        kk_jset_str(line, "note", note);
    kk_jset_str(line, "recorded_at", now);
    json_array_append(costs, line);
    s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    char *t = s ? kk_asprintf("%s\n", s) : NULL;
    rc = t ? kk_case_write_file(dir, "case.json", t, strlen(t)) : kk_err_set(KK_ENOMEM, "out of memory");
    free(t);
out:
    flock(dfd, LOCK_UN);
    close(dfd);
    free(s);
    free(path);
    json_decref(j);
    if (rc == KK_OK && rec)
        *rec = line;
    else
        json_decref(line);
    return rc;
}
