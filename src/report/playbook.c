/* playbook.c - the playbook engine (see playbook.h, docs/playbooks.md). */
#include "playbook.h"
#include "model.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define PB_FILE_MAX (1u << 20)
#define PB_FILES_MAX 200

static const char *const PHASES[][3] = {
    {"first", "First", "最初に"},
    {"preserve", "Preserve evidence", "証拠の保全"},
    {"contain", "Contain", "被害の拡大防止"},
    {"investigate", "Investigate", "調査"},
    {"recover", "Recover", "復旧"},
    {"report", "Report", "届出・報告"},
    {"prevent", "Prevent and monitor", "再発防止・監視"},
};

static const char *const CATEGORIES[] = {"ransomware", "ransom-note", "webshell", "rat", "remote-admin-tool",
                                         "hacktool", "credential-theft", "miner", "loader", "exploit",
                                         "persistence", "suspicious", "test", "*", NULL};

static const char *const PLACEHOLDERS[] = {
    "family", "families", "encrypted_extension", "affected_volumes", "encrypted_files", "ransom_notes",
    "ransom_note_path", "ransom_note_paths", "encryption_first", "encryption_last", "accounts", "hosts",
    "client", "site", "case_id", "discovered_at", "ppc_preliminary", "ppc_final", "verdict", "top_findings",
    NULL};
static const char *const PLACEHOLDERS_CAT[] = {"paths", "rules", "families", NULL};

static const char *js(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *kk_playbooks_dir(void)
{
    const char *env = getenv("KAKETSUKE_SIGNATURES");
    if (env && *env) {
        char *p = kk_asprintf("%s/playbooks", env);
        if (p && is_dir(p))
            return p;
        free(p);
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    static const char *const rel[] = {"../share/kaketsuke/signatures/playbooks", "../signatures/playbooks",
                                      "../../signatures/playbooks", "../../../signatures/playbooks"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char *p = kk_asprintf("%s/%s", exe, rel[i]);
        char *rp = p ? realpath(p, NULL) : NULL;
        free(p);
        if (rp && is_dir(rp))
            return rp;
        free(rp);
    }
    return NULL;
}

/* ---- validation ---------------------------------------------------------------------- */

typedef struct pb_err {
    json_t *errors;
    const char *file;
    int n;
} pb_err;

static void perr(pb_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void perr(pb_err *e, const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    e->n++;
    if (e->errors && json_array_size(e->errors) < 500) {
        char *s = kk_asprintf("playbook %s: %s", e->file, buf);
        json_array_append_new(e->errors, kk_jstr(s ? s : buf));
        free(s);
    }
}

static int in_list(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

static int check_strlist(const json_t *v)
{
    if (!json_is_array(v) || !json_array_size(v))
        return 0;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) if (!json_is_string(x)) return 0;
    return 1;
}

static void check_cond(pb_err *e, const json_t *c, const char *where, int depth)
{
    if (!json_is_object(c)) {
        perr(e, "%s: conditions must be an object", where);
        return;
    }
    if (depth > 8) {
        perr(e, "%s: conditions nested too deep", where);
        return;
    }
    static const char *const verdicts[] = {"ransomware", "compromised", "suspicious", "clean", NULL};
    static const char *const oses[] = {"windows", "linux", NULL};
    static const char *const pds[] = {"yes", "no", "unknown", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c, k, v)
    {
        size_t i;
        json_t *x;
        if (!strcmp(k, "verdict") || !strcmp(k, "os") || !strcmp(k, "personal_data") || !strcmp(k, "category")) {
            const char *const *allowed = !strcmp(k, "verdict") ? verdicts : !strcmp(k, "os") ? oses
                                       : !strcmp(k, "personal_data") ? pds : CATEGORIES;
            if (!check_strlist(v)) {
                perr(e, "%s: '%s' must be a non-empty list of strings", where, k);
                continue;
            }
            json_array_foreach(v, i, x) if (!in_list(json_string_value(x), allowed))
                perr(e, "%s: unknown %s '%s'", where, k, json_string_value(x));
        } else if (!strcmp(k, "family") || !strcmp(k, "artifacts")) {
            if (!check_strlist(v))
                perr(e, "%s: '%s' must be a non-empty list of strings", where, k);
        } else if (!strcmp(k, "min_score") || !strcmp(k, "encrypted_files_min") || !strcmp(k, "ransom_notes_min")) {
            if (!json_is_integer(v) || json_integer_value(v) < 0)
                perr(e, "%s: '%s' must be a non-negative integer", where, k);
        } else if (!strcmp(k, "any")) {
            if (!json_is_array(v) || !json_array_size(v))
                perr(e, "%s: 'any' must be a non-empty list of conditions", where);
            else
                json_array_foreach(v, i, x) check_cond(e, x, where, depth + 1);
        } else if (!strcmp(k, "not")) {
            check_cond(e, v, where, depth + 1);
        } else {
            perr(e, "%s: unknown condition '%s'", where, k);
        }
    }
}

/* Placeholders of a text: {name}, {name:arg}, {name|fallback}; "{{" and "}}" are braces. */
static void check_text(pb_err *e, const char *t, const char *where)
{
    for (const char *p = t; *p; p++) {
        if (p[0] == '{' && p[1] == '{') {
            p++;
            continue;
        }
        if (p[0] == '}' && p[1] == '}') {
            p++;
            continue;
        }
        if (*p == '}') {
            perr(e, "%s: unmatched '}'", where);
            continue;
        }
        if (*p != '{')
            continue;
        const char *end = strchr(p, '}');
        if (!end) {
            perr(e, "%s: unclosed '{'", where);
            return;
        }
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *ne = bar ? bar : end;
        const char *colon = memchr(p, ':', (size_t)(ne - p));
        char name[64], arg[64];
        size_t nl = (size_t)((colon ? colon : ne) - p - 1);
        if (nl >= sizeof name || (colon && (size_t)(ne - colon - 1) >= sizeof arg)) {
            perr(e, "%s: placeholder too long", where);
            p = end;
            continue;
        }
        memcpy(name, p + 1, nl);
        name[nl] = '\0';
        if (colon) {
            memcpy(arg, colon + 1, (size_t)(ne - colon - 1));
            arg[ne - colon - 1] = '\0';
            if (!in_list(name, PLACEHOLDERS_CAT))
                perr(e, "%s: unknown placeholder '{%s:...}'", where, name);
            else if (!in_list(arg, CATEGORIES))
                perr(e, "%s: unknown category '%s' in '{%s:%s}'", where, arg, name, arg);
        } else if (!in_list(name, PLACEHOLDERS)) {
            perr(e, "%s: unknown placeholder '{%s}'", where, name);
        }
        if (bar && memchr(bar, '{', (size_t)(end - bar)))
            perr(e, "%s: a fallback may not hold '{'", where);
        p = end;
    }
}

static void check_lang(pb_err *e, const json_t *o, const char *what, const char *where)
{
    if (!json_is_object(o) || !js(o, "ja") || !js(o, "en") || !*js(o, "ja") || !*js(o, "en")) {
        perr(e, "%s: '%s' needs non-empty \"ja\" and \"en\" texts", where, what);
        return;
    }
    char w[200];
    snprintf(w, sizeof w, "%s %s.ja", where, what);
    check_text(e, js(o, "ja"), w);
    snprintf(w, sizeof w, "%s %s.en", where, what);
    check_text(e, js(o, "en"), w);
}

static int id_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return 0;
    return 1;
}

static void check_playbook(pb_err *e, const json_t *pb, const json_t *refs)
{
    const char *fmt = js(pb, "format");
    if (!fmt || strcmp(fmt, "kaketsuke-playbook")) {
        perr(e, "format must be \"kaketsuke-playbook\"");
        return;
    }
    if (json_integer_value(json_object_get(pb, "format_version")) != 1)
        perr(e, "format_version must be 1");
    if (!id_ok(js(pb, "id")))
        perr(e, "id must be lower-case letters, digits and '-'");
    check_lang(e, json_object_get(pb, "title"), "title", "playbook");
    if (json_object_get(pb, "when"))
        check_cond(e, json_object_get(pb, "when"), "when", 0);
    static const char *const keys[] = {"format", "format_version", "id", "title", "description", "when", "steps", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)pb, k, v) if (!in_list(k, keys)) perr(e, "unknown key '%s'", k);
    json_t *steps = json_object_get(pb, "steps");
    if (!json_is_array(steps) || !json_array_size(steps)) {
        perr(e, "steps must be a non-empty list");
        return;
    }
    static const char *const skeys[] = {"id", "order", "phase", "dont", "when", "title", "text", "refs", NULL};
    json_t *ids = json_object();
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        char where[120];
        snprintf(where, sizeof where, "step %zu (%s)", i + 1, js(s, "id") ? js(s, "id") : "?");
        if (!json_is_object(s)) {
            perr(e, "%s: not an object", where);
            continue;
        }
        json_object_foreach(s, k, v) if (!in_list(k, skeys)) perr(e, "%s: unknown key '%s'", where, k);
        if (!id_ok(js(s, "id")))
            perr(e, "%s: id must be lower-case letters, digits and '-'", where);
        else if (json_object_get(ids, js(s, "id")))
            perr(e, "%s: id used twice in the file", where);
        else
            json_object_set_new(ids, js(s, "id"), json_true());
        json_t *o = json_object_get(s, "order");
        if (!json_is_integer(o) || json_integer_value(o) < 0 || json_integer_value(o) > 100000)
            perr(e, "%s: order must be an integer 0-100000", where);
        int ph = 0;
        for (size_t p = 0; p < sizeof PHASES / sizeof *PHASES; p++)
            ph |= js(s, "phase") && !strcmp(js(s, "phase"), PHASES[p][0]);
        if (!ph)
            perr(e, "%s: phase must be one of first, preserve, contain, investigate, recover, report, prevent",
                 where);
        if (json_object_get(s, "dont") && !json_is_boolean(json_object_get(s, "dont")))
            perr(e, "%s: dont must be true or false", where);
        if (json_object_get(s, "when"))
            check_cond(e, json_object_get(s, "when"), where, 0);
        check_lang(e, json_object_get(s, "title"), "title", where);
        check_lang(e, json_object_get(s, "text"), "text", where);
        json_t *r = json_object_get(s, "refs");
        if (r) {
            size_t j;
            json_t *x;
            if (!json_is_array(r))
                perr(e, "%s: refs must be a list of reference ids", where);
            else
                json_array_foreach(r, j, x)
                {
                    if (!json_is_string(x) || !json_object_get(refs, json_string_value(x)))
                        perr(e, "%s: unknown reference '%s' (see references.json)", where,
                             json_is_string(x) ? json_string_value(x) : "?");
                }
        }
    }
    json_decref(ids);
}

static void check_refs(pb_err *e, const json_t *rf)
{
    const char *fmt = js(rf, "format");
    if (!fmt || strcmp(fmt, "kaketsuke-playbook-refs")) {
        perr(e, "format must be \"kaketsuke-playbook-refs\"");
        return;
    }
    json_t *refs = json_object_get(rf, "refs");
    if (!json_is_object(refs)) {
        perr(e, "refs must be an object");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(refs, k, v)
    {
        char where[120];
        snprintf(where, sizeof where, "reference %s", k);
        if (!id_ok(k))
            perr(e, "%s: id must be lower-case letters, digits and '-'", where);
        check_lang(e, json_object_get(v, "title"), "title", where);
        const char *url = js(v, "url");
        if (!url || strncmp(url, "https://", 8))
            perr(e, "%s: url must be an https:// address", where);
    }
}

/* ---- loading ----------------------------------------------------------------------------- */

typedef struct pbset {
    json_t *playbooks; /* valid playbooks */
    json_t *refs;      /* id -> {title, url} */
    size_t steps;
} pbset;

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static json_t *load_file(const char *dir, const char *name, pb_err *e)
{
    char *p = kk_asprintf("%s/%s", dir, name);
    struct stat st;
    if (!p || stat(p, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)PB_FILE_MAX) {
        perr(e, "cannot read the file (missing, not a file, or over 1 MiB)");
        free(p);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_load_file(p, JSON_REJECT_DUPLICATES, &je);
    free(p);
    if (!json_is_object(j)) {
        perr(e, "not valid JSON: %s (line %d)", je.text, je.line);
        json_decref(j);
        return NULL;
    }
    return j;
}

static int load_set(const char *dir, pbset *s, json_t *errors)
{
    memset(s, 0, sizeof *s);
    DIR *d = opendir(dir);
    if (!d)
        return kk_err_set(KK_ENOENT, "cannot read the playbooks folder '%s'", dir);
    char *names[PB_FILES_MAX];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < PB_FILES_MAX) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < 6 || strcmp(de->d_name + l - 5, ".json"))
            continue;
        names[n] = kk_strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    s->playbooks = json_array();
    s->refs = json_object();
    pb_err re = {.errors = errors, .file = "references.json"};
    json_t *rf = load_file(dir, "references.json", &re);
    if (rf) {
        int before = re.n;
        check_refs(&re, rf);
        if (re.n == before)
            json_object_update(s->refs, json_object_get(rf, "refs"));
        json_decref(rf);
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], "references.json")) {
            free(names[i]);
            continue;
        }
        pb_err e = {.errors = errors, .file = names[i]};
        json_t *pb = load_file(dir, names[i], &e);
        if (pb) {
            check_playbook(&e, pb, s->refs);
            if (!e.n) {
                json_array_append(s->playbooks, pb);
                s->steps += json_array_size(json_object_get(pb, "steps"));
            }
            json_decref(pb);
        }
        free(names[i]);
    }
    return KK_OK;
}

static void free_set(pbset *s)
{
    json_decref(s->playbooks);
    json_decref(s->refs);
}

int kk_playbook_check(const char *dir, json_t *errors, size_t *playbooks, size_t *steps)
{
    pbset s;
    KK_TRY(load_set(dir, &s, errors));
    if (playbooks)
        *playbooks = json_array_size(s.playbooks);
    if (steps)
        *steps = s.steps;
    free_set(&s);
    return KK_OK;
}

/* ---- conditions ---------------------------------------------------------------------------- */

static int list_has(const json_t *list, const char *s, int ci)
{
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *v = json_string_value(x);
        if (v && s && (ci ? !strcasecmp(v, s) : !strcmp(v, s)))
            return 1;
    }
    return 0;
}

static int cond_holds(const json_t *c, const json_t *facts)
{
    const char *k;
    json_t *v;
    json_t *cats = json_object_get(facts, "categories");
    json_object_foreach((json_t *)c, k, v)
    {
        size_t i;
        json_t *x;
        int ok = 0;
        if (!strcmp(k, "verdict")) {
            ok = list_has(v, js(facts, "verdict"), 0);
        } else if (!strcmp(k, "personal_data")) {
            ok = list_has(v, js(facts, "personal_data"), 0);
        } else if (!strcmp(k, "os")) {
            json_t *os = json_object_get(facts, "os");
            ok = !json_array_size(os); /* unknown: every OS step may apply */
            json_array_foreach(v, i, x) ok |= list_has(os, json_string_value(x), 0);
        } else if (!strcmp(k, "category")) {
            json_t *ms = json_object_get(c, "min_score");
            long long min = json_is_integer(ms) ? json_integer_value(ms) : 0;
            json_array_foreach(v, i, x)
            {
                const char *cat = json_string_value(x);
                if (!strcmp(cat, "*")) {
                    const char *ck;
                    json_t *cv;
                    json_object_foreach(cats, ck, cv) ok |= json_integer_value(cv) >= min;
                } else {
                    json_t *sc = json_object_get(cats, cat);
                    ok |= sc && json_integer_value(sc) >= min;
                }
            }
        } else if (!strcmp(k, "min_score")) {
            if (json_object_get(c, "category"))
                ok = 1; /* applied with category */
            else {
                const char *ck;
                json_t *cv;
                json_object_foreach(cats, ck, cv) ok |= json_integer_value(cv) >= json_integer_value(v);
            }
        } else if (!strcmp(k, "family")) {
            json_t *fams = json_object_get(facts, "families");
            size_t j;
            json_t *f;
            json_array_foreach(v, i, x) json_array_foreach(fams, j, f) ok |=
                strcasestr(json_string_value(f), json_string_value(x)) != NULL;
        } else if (!strcmp(k, "artifacts")) {
            json_t *arts = json_object_get(facts, "artifacts");
            size_t j;
            json_t *a;
            json_array_foreach(v, i, x)
            {
                const char *want = json_string_value(x);
                size_t wl = strlen(want);
                int prefix = wl && want[wl - 1] == '*';
                json_array_foreach(arts, j, a)
                {
                    const char *have = json_string_value(a);
                    ok |= prefix ? !strncmp(have, want, wl - 1) : !strcmp(have, want);
                }
            }
        } else if (!strcmp(k, "encrypted_files_min")) {
            ok = json_integer_value(json_object_get(facts, "encrypted_files")) >= json_integer_value(v);
        } else if (!strcmp(k, "ransom_notes_min")) {
            ok = json_integer_value(json_object_get(facts, "ransom_notes")) >= json_integer_value(v);
        } else if (!strcmp(k, "any")) {
            json_array_foreach(v, i, x) ok |= cond_holds(x, facts);
        } else if (!strcmp(k, "not")) {
            ok = !cond_holds(v, facts);
        }
        if (!ok)
            return 0;
    }
    return 1;
}

/* ---- placeholders -------------------------------------------------------------------------- */

typedef struct phctx {
    const json_t *m, *facts;
    const char *lang;
} phctx;

static const char *sep_of(const phctx *c) { return kk_pick(c->lang, ", ", "、"); }

static void fmt_count(kk_buf *b, long long v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lld", v < 0 ? 0 : v);
    size_t n = strlen(tmp);
    for (size_t i = 0; i < n; i++) {
        kk_buf_addc(b, tmp[i]);
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            kk_buf_addc(b, ',');
    }
}

/* "2024-05-01T03:12:45+09:00" -> "2024-05-01 03:12" */
static void fmt_time(kk_buf *b, const char *iso)
{
    if (!iso)
        return;
    if (strlen(iso) >= 16 && iso[10] == 'T')
        kk_buf_printf(b, "%.10s %.5s", iso, iso + 11);
    else
        kk_buf_adds(b, iso);
}

/* Up to max strings of a list, then " and N more". */
static void join_list(kk_buf *b, const json_t *list, size_t max, const phctx *c)
{
    size_t n = json_array_size(list), shown = 0;
    for (size_t i = 0; i < n && shown < max; i++) {
        const char *s = json_string_value(json_array_get(list, i));
        if (!s)
            continue;
        kk_buf_printf(b, "%s%s", shown ? sep_of(c) : "", s);
        shown++;
    }
    if (n > shown && shown)
        kk_buf_printf(b, !strcmp(c->lang, "ja") ? " ほか %zu 件" : " and %zu more", n - shown);
}

static void add_unique(json_t *list, const char *s)
{
    if (!s || !*s)
        return;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x) if (!strcmp(json_string_value(x), s)) return;
    json_array_append_new(list, json_string(s));
}

static void ph_value(const phctx *c, const char *name, const char *arg, kk_buf *b)
{
    const json_t *scope = json_object_get(c->m, "scope"), *cs = json_object_get(c->m, "case");
    json_t *tmp = json_array();
    size_t i;
    json_t *x;
    if (!strcmp(name, "family") || !strcmp(name, "families")) {
        json_array_foreach(json_object_get(c->facts, "ransom_families"), i, x) add_unique(tmp, json_string_value(x));
        json_array_foreach(json_object_get(scope, "families"), i, x) add_unique(tmp, js(x, "family"));
        join_list(b, tmp, 3, c);
    } else if (!strcmp(name, "encrypted_extension")) {
        json_array_foreach(json_object_get(scope, "families"), i, x) add_unique(tmp, js(x, "extension"));
        join_list(b, tmp, 3, c);
    } else if (!strcmp(name, "affected_volumes")) {
        size_t shown = 0;
        json_array_foreach(json_object_get(scope, "volumes"), i, x)
        {
            long long n = json_integer_value(json_object_get(x, "encrypted_files"));
            if (n <= 0)
                continue;
            if (shown++)
                kk_buf_adds(b, sep_of(c));
            const char *label = js(x, "drive") ? js(x, "drive") : js(x, "source");
            kk_buf_printf(b, "%s (", label ? label : "?");
            fmt_count(b, n);
            kk_buf_adds(b, kk_pick(c->lang, " files)", " 件)"));
        }
    } else if (!strcmp(name, "encrypted_files")) {
        fmt_count(b, json_integer_value(json_object_get(scope, "encrypted_files")));
    } else if (!strcmp(name, "ransom_notes")) {
        fmt_count(b, json_integer_value(json_object_get(scope, "ransom_notes")));
    } else if (!strcmp(name, "ransom_note_path")) {
        kk_buf_adds(b, json_string_value(json_array_get(json_object_get(scope, "ransom_note_paths"), 0))
                           ? json_string_value(json_array_get(json_object_get(scope, "ransom_note_paths"), 0))
                           : "");
    } else if (!strcmp(name, "ransom_note_paths")) {
        join_list(b, json_object_get(scope, "ransom_note_paths"), 3, c);
    } else if (!strcmp(name, "encryption_first") || !strcmp(name, "encryption_last")) {
        fmt_time(b, js(json_object_get(scope, "encryption_window"), !strcmp(name, "encryption_first") ? "first" : "last"));
    } else if (!strcmp(name, "accounts")) {
        join_list(b, json_object_get(c->facts, "accounts"), 5, c);
    } else if (!strcmp(name, "hosts")) {
        join_list(b, json_object_get(c->facts, "hosts"), 5, c);
    } else if (!strcmp(name, "client") || !strcmp(name, "site") || !strcmp(name, "case_id")) {
        kk_buf_adds(b, js(cs, name) ? js(cs, name) : "");
    } else if (!strcmp(name, "discovered_at")) {
        fmt_time(b, js(cs, "discovered_at"));
    } else if (!strcmp(name, "ppc_preliminary")) {
        const json_t *p = json_object_get(json_object_get(c->m, "ppc"), "preliminary");
        if (js(p, "from") && js(p, "to"))
            kk_buf_printf(b, !strcmp(c->lang, "ja") ? "%s〜%s" : "%s to %s", js(p, "from"), js(p, "to"));
    } else if (!strcmp(name, "ppc_final")) {
        const json_t *p = json_object_get(json_object_get(c->m, "ppc"), "final");
        kk_buf_adds(b, js(p, "due") ? js(p, "due") : "");
    } else if (!strcmp(name, "verdict")) {
        const char *v = js(json_object_get(c->m, "verdict"), "value");
        static const char *const vl[][3] = {{"ransomware", "ransomware", "ランサムウェア被害"},
                                            {"compromised", "compromised", "侵害あり"},
                                            {"suspicious", "suspicious", "要注意"},
                                            {"clean", "clean", "問題なし"}};
        for (size_t k = 0; v && k < 4; k++)
            if (!strcmp(v, vl[k][0]))
                kk_buf_adds(b, kk_pick(c->lang, vl[k][1], vl[k][2]));
    } else if (!strcmp(name, "top_findings")) {
        json_array_foreach(json_object_get(c->m, "findings"), i, x)
        {
            const char *n = !strcmp(js(x, "kind") ? js(x, "kind") : "", "ioc") ? js(x, "description") : js(x, "rule");
            add_unique(tmp, n);
        }
        join_list(b, tmp, 3, c);
    } else if (arg) {
        int all = !strcmp(arg, "*");
        json_array_foreach(json_object_get(c->m, "findings"), i, x)
        {
            if (!all && (!js(x, "category") || strcmp(js(x, "category"), arg)))
                continue;
            if (!strcmp(name, "paths"))
                add_unique(tmp, js(x, "location") ? js(x, "location") : js(x, "path"));
            else if (!strcmp(name, "rules"))
                add_unique(tmp, !strcmp(js(x, "kind") ? js(x, "kind") : "", "ioc") ? js(x, "description") : js(x, "rule"));
            else if (js(x, "family") && strcasecmp(js(x, "family"), "generic"))
                add_unique(tmp, js(x, "family"));
        }
        join_list(b, tmp, 3, c);
    }
    json_decref(tmp);
}

static char *expand(const phctx *c, const char *t)
{
    kk_buf b;
    kk_buf_init(&b, 1 << 20);
    for (const char *p = t; *p; p++) {
        if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
            kk_buf_addc(&b, *p);
            p++;
            continue;
        }
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            kk_buf_addc(&b, *p);
            continue;
        }
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *ne = bar ? bar : end;
        const char *colon = memchr(p, ':', (size_t)(ne - p));
        char name[64] = "", arg[64] = "";
        size_t nl = (size_t)((colon ? colon : ne) - p - 1);
        if (nl < sizeof name) {
            memcpy(name, p + 1, nl);
            name[nl] = '\0';
        }
        if (colon && (size_t)(ne - colon - 1) < sizeof arg) {
            memcpy(arg, colon + 1, (size_t)(ne - colon - 1));
            arg[ne - colon - 1] = '\0';
        }
        kk_buf v;
        kk_buf_init(&v, 1 << 16);
        ph_value(c, name, colon ? arg : NULL, &v);
        if (v.len)
            kk_buf_add(&b, v.data, v.len);
        else if (bar)
            kk_buf_add(&b, bar + 1, (size_t)(end - bar - 1));
        else
            kk_buf_adds(&b, kk_pick(c->lang, "(unknown)", "(不明)"));
        kk_buf_free(&v);
        p = end;
    }
    return kk_buf_steal(&b);
}

/* ---- choosing steps --------------------------------------------------------------------- */

static int cmp_steps(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t ox = json_integer_value(json_object_get(x, "order")), oy = json_integer_value(json_object_get(y, "order"));
    if (ox != oy)
        return ox < oy ? -1 : 1;
    return strcmp(js(x, "id"), js(y, "id"));
}

int kk_playbook_steps(const char *dir, const json_t *model, const json_t *facts, const char *lang, json_t **steps,
                      json_t *errors)
{
    *steps = NULL;
    const char *L = lang && !strcmp(lang, "en") ? "en" : "ja";
    pbset s;
    KK_TRY(load_set(dir, &s, errors));
    phctx c = {.m = model, .facts = facts, .lang = L};
    json_t *chosen = json_object(); /* id -> step */
    size_t i, j;
    json_t *pb, *st;
    json_array_foreach(s.playbooks, i, pb)
    {
        json_t *w = json_object_get(pb, "when");
        if (w && !cond_holds(w, facts))
            continue;
        json_array_foreach(json_object_get(pb, "steps"), j, st)
        {
            json_t *sw = json_object_get(st, "when");
            if (sw && !cond_holds(sw, facts))
                continue;
            const char *id = js(st, "id");
            json_t *have = json_object_get(chosen, id);
            if (have && json_integer_value(json_object_get(have, "order")) <= json_integer_value(json_object_get(st, "order")))
                continue;
            json_t *o = json_object();
            kk_jset_str(o, "id", id);
            json_object_set(o, "order", json_object_get(st, "order"));
            const char *phase = js(st, "phase");
            kk_jset_str(o, "phase", phase);
            for (size_t p = 0; p < sizeof PHASES / sizeof *PHASES; p++)
                if (!strcmp(phase, PHASES[p][0]))
                    kk_jset_str(o, "phase_label", kk_pick(L, PHASES[p][1], PHASES[p][2]));
            char *t = expand(&c, js(json_object_get(st, "title"), L));
            kk_jset_str(o, "title", t ? t : "");
            free(t);
            t = expand(&c, js(json_object_get(st, "text"), L));
            kk_jset_str(o, "text", t ? t : "");
            free(t);
            json_object_set_new(o, "dont", json_boolean(json_is_true(json_object_get(st, "dont"))));
            json_t *refs = json_array();
            size_t k;
            json_t *r;
            json_array_foreach(json_object_get(st, "refs"), k, r)
            {
                json_t *ref = json_object_get(s.refs, json_string_value(r));
                json_t *ro = json_object();
                kk_jset_str(ro, "title", js(json_object_get(ref, "title"), L));
                kk_jset_str(ro, "url", js(ref, "url"));
                json_array_append_new(refs, ro);
            }
            json_object_set_new(o, "refs", refs);
            kk_jset_str(o, "playbook", js(pb, "id"));
            json_object_set_new(chosen, id, o);
        }
    }
    size_t n = json_object_size(chosen), k = 0;
    json_t **arr = kk_calloc(n ? n : 1, sizeof *arr);
    json_t *out = json_array();
    if (!arr || !out) {
        free(arr);
        json_decref(out);
        json_decref(chosen);
        free_set(&s);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    const char *key;
    json_t *v;
    json_object_foreach(chosen, key, v) arr[k++] = v;
    qsort(arr, k, sizeof *arr, cmp_steps);
    for (size_t x = 0; x < k; x++)
        json_array_append(out, arr[x]);
    free(arr);
    json_decref(chosen);
    free_set(&s);
    *steps = out;
    return KK_OK;
}
