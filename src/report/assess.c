/* assess.c - scores, severities, the verdict and the damage scope (see assess.h and
 * docs/assessment.md). */
#include "assess.h"
#include "model.h"
#include "../evidence/evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MATCHED_RULES_MAX 20000 /* paths with their rule names, for the timeline */
#define FILE_TIMES_MAX 20000    /* files with times, for a timeline without a bodyfile */
#define DIRS_MAX 100000         /* directories counted per volume */
#define TOP_DIRS 10
#define NOTE_PATHS 10
#define REASON_IDS 50

enum { CLS_RANSOM, CLS_HIGH, CLS_MEDIUM, CLS_RMM, CLS_TEST, CLS_LOW, CLS_N };

typedef struct vol {
    char *source;
    int in_image;
    uint64_t fs_offset;
    char drive[8];
    int has_stats;
    uint64_t files, documents, intact, st_enc_files, st_enc_bytes;
    uint64_t rec_files, rec_bytes, known_ext;
    kk_hset notes;
    uint64_t notes_n;
    json_t *dirs; /* {dir: [files, bytes]} */
    char *base;   /* host folder of a directory source, or NULL */
} vol;

typedef struct kept {
    json_t *f;
    int score;
    int cls;
} kept;

struct kk_assess {
    char lang[3];
    char tz[80];
    json_t *sources;
    kk_hset seen, enc_seen, matched;
    json_t *matched_rules;
    json_t *file_times;
    json_t *groups;
    kept *k;
    size_t nk, ak;
    json_t *omitted; /* key -> {rule, kind, category, count} */
    vol *v;
    size_t nv, av;
    uint64_t cls_count[CLS_N];
    json_t *by_category, *by_severity;
    uint64_t nfindings;
    json_t *ransom_families; /* set */
    json_t *families;        /* set: all families named by findings */
    json_t *categories;      /* cat -> max score */
    json_t *enc_families;    /* "family\x1f.ext\x1fappended" -> files */
    int64_t *times;
    size_t nt, at;
    json_t *accounts; /* set */
    int os_windows, os_linux;
    uint64_t files_scanned, bytes_scanned, errors, warnings;
    json_t *skipped;
    size_t runs;
    json_t *incomplete;
    int built;
};

/* ---- small helpers ------------------------------------------------------------------- */

static const char *js(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int jint(const json_t *v, long long *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 1;
    }
    if (json_is_real(v)) {
        *out = (long long)json_real_value(v);
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long long x = strtoll(s, &end, 10);
        if (end != s && *end == '\0') {
            *out = x;
            return 1;
        }
    }
    if (json_is_array(v) && json_array_size(v) > 0)
        return jint(json_array_get(v, 0), out);
    return 0;
}

static uint64_t ju64(const json_t *o, const char *k)
{
    long long x = 0;
    if (!jint(json_object_get(o, k), &x) || x < 0)
        return 0;
    return (uint64_t)x;
}

/* A meta value: a string, or the first string of an array. */
static const char *meta_str(const json_t *meta, const char *k)
{
    json_t *v = json_object_get(meta, k);
    if (json_is_array(v))
        v = json_array_get(v, 0);
    return json_string_value(v);
}

static void set_add(json_t *set, const char *s)
{
    if (s && *s && json_object_size(set) < 1000)
        json_object_set_new(set, s, json_true());
}

static json_t *set_list(json_t *set)
{
    json_t *a = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(set, k, v) json_array_append_new(a, json_string(k));
    return a;
}

static void count_inc(json_t *obj, const char *key, uint64_t by)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v))
        json_integer_set(v, json_integer_value(v) + (json_int_t)by);
    else
        json_object_set_new(obj, key, json_integer((json_int_t)by));
}

const char *kk_severity_name(int score)
{
    if (score >= KK_SEV_CRITICAL)
        return "critical";
    if (score >= KK_SEV_HIGH)
        return "high";
    if (score >= KK_SEV_MEDIUM)
        return "medium";
    return "low";
}

static int classify(const char *cat, int score)
{
    if (!strcmp(cat, "test"))
        return CLS_TEST;
    if (!strcmp(cat, "remote-admin-tool"))
        return CLS_RMM;
    if ((!strcmp(cat, "ransomware") || !strcmp(cat, "ransom-note")) && score >= KK_RANSOM_MIN_SCORE)
        return CLS_RANSOM;
    if (score >= KK_SEV_HIGH)
        return CLS_HIGH;
    if (score >= KK_SEV_MEDIUM)
        return CLS_MEDIUM;
    return CLS_LOW;
}

static int has_word(const char *hay, const char *needle) { return strcasestr(hay, needle) != NULL; }

/* Family = the text before the marker, trimmed ("Akira ransom note" -> "Akira"). */
static void before(const char *desc, const char *at, char *fam, size_t famsz)
{
    size_t n = (size_t)(at - desc);
    while (n && isspace((unsigned char)desc[n - 1]))
        n--;
    if (n >= famsz)
        n = famsz - 1;
    memcpy(fam, desc, n);
    fam[n] = '\0';
}

const char *kk_ioc_category(const char *desc, char *fam, size_t famsz)
{
    if (famsz)
        fam[0] = '\0';
    if (!desc)
        return "suspicious";
    const char *p;
    if ((p = strcasestr(desc, "ransom note")) != NULL) {
        before(desc, p, fam, famsz);
        return "ransom-note";
    }
    if ((p = strcasestr(desc, "encrypted file")) != NULL) {
        before(desc, p, fam, famsz);
        return "ransomware";
    }
    if (has_word(desc, "eicar") || has_word(desc, "test file"))
        return "test";
    if (has_word(desc, "rmm") || has_word(desc, "remote admin") || has_word(desc, "remote access tool") ||
        has_word(desc, "anydesk") || has_word(desc, "teamviewer"))
        return "remote-admin-tool";
    if (has_word(desc, "miner") || has_word(desc, "xmrig") || has_word(desc, "kinsing"))
        return "miner";
    if (has_word(desc, "web shell") || has_word(desc, "webshell"))
        return "webshell";
    if (has_word(desc, "mimikatz") || has_word(desc, "password") || has_word(desc, "lsass") ||
        has_word(desc, "credential") || has_word(desc, "kerberos") || has_word(desc, "lazagne"))
        return "credential-theft";
    if (has_word(desc, "rootkit") || has_word(desc, "preload") || has_word(desc, "persistence"))
        return "persistence";
    if (has_word(desc, "scanner") || has_word(desc, "rclone") || has_word(desc, "psexec") ||
        has_word(desc, "potato") || has_word(desc, "reconnaissance") || has_word(desc, "hacktool") ||
        has_word(desc, "tool"))
        return "hacktool";
    if (has_word(desc, " rat") || has_word(desc, "trojan"))
        return "rat";
    return "suspicious";
}

/* Category of a rule without a category meta (community rule sets), from its name,
 * namespace and tags. */
static const char *rule_category(const json_t *rec)
{
    kk_buf b;
    kk_buf_init(&b, 1 << 16);
    kk_buf_adds(&b, js(rec, "rule") ? js(rec, "rule") : "");
    kk_buf_addc(&b, ' ');
    kk_buf_adds(&b, js(rec, "namespace") ? js(rec, "namespace") : "");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(rec, "tags"), i, t)
    {
        kk_buf_addc(&b, ' ');
        kk_buf_adds(&b, json_string_value(t) ? json_string_value(t) : "");
    }
    const char *s = kk_buf_str(&b);
    const char *cat = "suspicious";
    if (has_word(s, "ransom") && has_word(s, "note"))
        cat = "ransom-note";
    else if (has_word(s, "ransom"))
        cat = "ransomware";
    else if (has_word(s, "webshell") || has_word(s, "web_shell"))
        cat = "webshell";
    else if (has_word(s, "miner") || has_word(s, "xmrig"))
        cat = "miner";
    else if (has_word(s, "mimikatz") || has_word(s, "lsass") || has_word(s, "stealer") || has_word(s, "cred"))
        cat = "credential-theft";
    else if (has_word(s, "eicar"))
        cat = "test";
    else if (has_word(s, "hktl") || has_word(s, "hacktool") || has_word(s, "cobalt"))
        cat = "hacktool";
    else if (has_word(s, "_rat_") || !strncasecmp(s, "rat_", 4))
        cat = "rat";
    kk_buf_free(&b);
    return cat;
}

/* ---- volumes ------------------------------------------------------------------------- */

static const char *source_realpath(const kk_assess *a, const char *source)
{
    size_t i;
    json_t *s;
    json_array_foreach(a->sources, i, s)
    {
        const char *src = js(s, "source");
        if (src && source && !strcmp(src, source) && js(s, "kind") && !strcmp(js(s, "kind"), "directory"))
            return js(s, "realpath");
    }
    return NULL;
}

static const char *source_drive(const kk_assess *a, const char *source, uint64_t off)
{
    size_t i, k;
    json_t *s, *f;
    json_array_foreach(a->sources, i, s)
    {
        const char *src = js(s, "source");
        if (!src || !source || strcmp(src, source))
            continue;
        json_array_foreach(json_object_get(s, "filesystems"), k, f)
        {
            if (ju64(f, "fs_offset") == off && js(f, "drive"))
                return js(f, "drive");
        }
    }
    return NULL;
}

static vol *vol_get(kk_assess *a, const json_t *rec)
{
    const char *source = js(rec, "source") ? js(rec, "source") : "";
    json_t *off = json_object_get(rec, "fs_offset");
    int in_image = off != NULL;
    uint64_t o = in_image ? ju64(rec, "fs_offset") : 0;
    for (size_t i = 0; i < a->nv; i++)
        if (a->v[i].in_image == in_image && a->v[i].fs_offset == o && !strcmp(a->v[i].source, source))
            return &a->v[i];
    if (a->nv == a->av) {
        size_t n = a->av ? a->av * 2 : 8;
        vol *p = realloc(a->v, n * sizeof *p);
        if (!p)
            return NULL;
        a->v = p;
        a->av = n;
    }
    vol *v = &a->v[a->nv];
    memset(v, 0, sizeof *v);
    v->source = kk_strdup(source);
    v->dirs = json_object();
    if (!v->source || !v->dirs) {
        free(v->source);
        json_decref(v->dirs);
        return NULL;
    }
    v->in_image = in_image;
    v->fs_offset = o;
    if (!in_image) {
        const char *rp = source_realpath(a, source);
        v->base = rp ? kk_strdup(rp) : NULL;
    } else {
        const char *d = source_drive(a, source, o);
        if (d)
            snprintf(v->drive, sizeof v->drive, "%s", d);
    }
    a->nv++;
    return v;
}

/* The path below the volume root ("/Users/a/x"), for directory sources below the folder. */
static const char *rel_path(const vol *v, const char *path)
{
    if (v && v->base) {
        size_t n = strlen(v->base);
        if (!strncmp(path, v->base, n) && path[n] == '/')
            return path + n;
    }
    return path;
}

/* "C:\Users\a\x" when the volume has a drive letter, else the path as recorded. */
static char *location(const vol *v, const char *path)
{
    if (!v || !v->drive[0] || !path)
        return kk_strdup(path);
    char *s = kk_asprintf("%s%s", v->drive, path);
    if (s)
        for (char *p = s; *p; p++)
            if (*p == '/')
                *p = '\\';
    return s;
}

static void note_os_and_account(kk_assess *a, const vol *v, const char *path)
{
    if (!path)
        return;
    const char *r = rel_path(v, path);
    if (v && v->drive[0])
        a->os_windows = 1;
    static const char *const win[] = {"/Windows/", "/Users/", "/Program Files", "/ProgramData/", NULL};
    static const char *const lin[] = {"/etc/", "/var/", "/home/", "/usr/", "/root/", "/opt/", "/srv/", NULL};
    for (int i = 0; win[i]; i++)
        if (!strncasecmp(r, win[i], strlen(win[i])))
            a->os_windows = 1;
    for (int i = 0; lin[i]; i++)
        if (!strncmp(r, lin[i], strlen(lin[i])))
            a->os_linux = 1;
    const char *u = NULL;
    if (!strncasecmp(r, "/Users/", 7) || !strncasecmp(r, "/Documents and Settings/", 24))
        u = strchr(r + 1, '/') + 1;
    else if (!strncmp(r, "/home/", 6))
        u = r + 6;
    if (!u)
        return;
    const char *e = strchr(u, '/');
    if (!e || e == u || (size_t)(e - u) > 64)
        return;
    char name[80];
    snprintf(name, sizeof name, "%.*s", (int)(e - u), u);
    static const char *const skip[] = {"Public", "Default", "Default User", "All Users", "desktop.ini", NULL};
    for (int i = 0; skip[i]; i++)
        if (!strcasecmp(name, skip[i]))
            return;
    set_add(a->accounts, name);
}

/* ---- records ------------------------------------------------------------------------- */

static uint64_t rec_key(const json_t *rec, const char *what)
{
    char off[32] = "-";
    if (json_object_get(rec, "fs_offset"))
        snprintf(off, sizeof off, "%llu", (unsigned long long)ju64(rec, "fs_offset"));
    char moff[32] = "";
    if (!js(rec, "path") && json_object_get(rec, "offset"))
        snprintf(moff, sizeof moff, "%llu", (unsigned long long)ju64(rec, "offset"));
    kk_buf b;
    kk_buf_init(&b, 1 << 20);
    kk_buf_printf(&b, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", js(rec, "type") ? js(rec, "type") : "", what ? what : "",
                  js(rec, "source") ? js(rec, "source") : "", off, js(rec, "path") ? js(rec, "path") : "", moff);
    uint64_t h = kk_hash64(b.data ? b.data : "", b.len, 0);
    kk_buf_free(&b);
    return h;
}

static int64_t parse_time(const json_t *rec, const char *k)
{
    const char *s = js(rec, k);
    int64_t t;
    if (!s || kk_time_parse(s, "UTC", &t) != KK_OK || t <= 0)
        return 0;
    return t;
}

static void add_file_times(kk_assess *a, const json_t *rec, const char *why)
{
    if (json_array_size(a->file_times) >= FILE_TIMES_MAX || !js(rec, "path"))
        return;
    json_t *o = json_object();
    kk_jset_str(o, "path", js(rec, "path"));
    if (js(rec, "inode"))
        kk_jset_str(o, "inode", js(rec, "inode"));
    kk_jset_u64(o, "size", ju64(rec, "size"));
    static const char *const tn[] = {"mtime", "atime", "ctime", "crtime"};
    for (int i = 0; i < 4; i++)
        json_object_set_new(o, tn[i], json_integer(parse_time(rec, tn[i])));
    kk_jset_str(o, "why", why);
    if (js(rec, "source"))
        kk_jset_str(o, "source", js(rec, "source"));
    json_array_append_new(a->file_times, o);
}

static void time_field(kk_assess *a, json_t *f, const json_t *rec, const char *k)
{
    int64_t t = parse_time(rec, k);
    if (!t)
        return;
    char buf[KK_TIME_LEN];
    kk_time_in_zone(t, a->tz, buf);
    json_object_set_new(f, k, json_string(buf));
}

static const char *ioc_desc_ja(const char *cat, const char *fam, const char *kind, const char *desc, char *out,
                               size_t n)
{
    if (!strcmp(cat, "ransom-note"))
        snprintf(out, n, "%s%sの脅迫文(ファイル名による検知)", *fam ? fam : "ランサムウェア", *fam ? " " : "");
    else if (!strcmp(cat, "ransomware"))
        snprintf(out, n, "%s%sにより暗号化されたファイル(拡張子による検知)", *fam ? fam : "ランサムウェア",
                 *fam ? " " : "");
    else if (!strcmp(cat, "test"))
        snprintf(out, n, "テスト用ファイル(%s)", desc);
    else if (!strcmp(cat, "remote-admin-tool"))
        snprintf(out, n, "遠隔操作ツール(正規に使われることもあります): %s", desc);
    else if (kind && strcmp(kind, "filename"))
        snprintf(out, n, "既知の不正ファイルとハッシュ値が一致: %s", desc);
    else
        snprintf(out, n, "ファイル名が既知の不正ツール等と一致: %s", desc);
    return out;
}

static int add_finding(kk_assess *a, json_t *rec, int is_ioc)
{
    json_t *meta = json_object_get(rec, "meta");
    const char *rule = is_ioc ? js(rec, "ioc") : js(rec, "rule");
    if (!rule)
        rule = "";
    uint64_t key = rec_key(rec, rule);
    int added = kk_hset_add(&a->seen, key);
    if (added < 0)
        return kk_err_set(KK_ENOMEM, "out of memory");
    if (!added)
        return KK_OK;

    /* score, category, family */
    long long sc = KK_SCORE_DEFAULT;
    char fam[128] = "";
    const char *cat;
    if (is_ioc) {
        if (!jint(json_object_get(rec, "score"), &sc))
            sc = KK_SCORE_DEFAULT;
        cat = kk_ioc_category(js(rec, "desc"), fam, sizeof fam);
    } else {
        if (!jint(json_object_get(meta, "score"), &sc))
            sc = KK_SCORE_DEFAULT;
        cat = meta_str(meta, "category");
        if (!cat || !*cat)
            cat = rule_category(rec);
        if (meta_str(meta, "family"))
            snprintf(fam, sizeof fam, "%s", meta_str(meta, "family"));
    }
    int score = sc < 0 ? 0 : sc > 100 ? 100 : (int)sc;
    int cls = classify(cat, score);
    a->cls_count[cls]++;
    a->nfindings++;
    count_inc(a->by_category, cat, 1);
    count_inc(a->by_severity, kk_severity_name(score), 1);
    json_t *mx = json_object_get(a->categories, cat);
    if (!mx || json_integer_value(mx) < score)
        json_object_set_new(a->categories, cat, json_integer(score));
    if (*fam && strcasecmp(fam, "generic"))
        set_add(a->families, fam);
    if (cls == CLS_RANSOM && *fam && strcasecmp(fam, "generic"))
        set_add(a->ransom_families, fam);

    vol *v = js(rec, "path") ? vol_get(a, rec) : NULL;
    const char *path = js(rec, "path");
    if (path) {
        note_os_and_account(a, v, path);
        int r = kk_hset_add(&a->matched, kk_hash64(path, strlen(path), 0));
        if (r < 0)
            return kk_err_set(KK_ENOMEM, "out of memory");
        json_t *rl = json_object_get(a->matched_rules, path);
        if (!rl && json_object_size(a->matched_rules) < MATCHED_RULES_MAX) {
            rl = json_array();
            json_object_set_new(a->matched_rules, path, rl);
            add_file_times(a, rec, "match");
        }
        if (rl && json_array_size(rl) < 20)
            json_array_append_new(rl, json_string(is_ioc && js(rec, "desc") ? js(rec, "desc") : rule));
        if (!strcmp(cat, "ransom-note") && v) {
            r = kk_hset_add(&v->notes, kk_hash64(path, strlen(path), 1));
            if (r < 0)
                return kk_err_set(KK_ENOMEM, "out of memory");
            v->notes_n += (uint64_t)r;
        }
    }

    /* one group per rule / IOC: the first KK_FINDINGS_PER_RULE are kept whole */
    char *gk = kk_asprintf("%s\x1f%s", is_ioc ? "ioc" : "match", rule);
    if (!gk)
        return kk_err_set(KK_ENOMEM, "out of memory");
    json_t *g = json_object_get(a->groups, gk);
    long long gn = g ? json_integer_value(g) : 0;
    json_object_set_new(a->groups, gk, json_integer(gn + 1));
    if (gn >= KK_FINDINGS_PER_RULE || a->nk >= KK_FINDINGS_MAX) {
        json_t *o = json_object_get(a->omitted, gk);
        if (!o) {
            o = json_object();
            kk_jset_str(o, "rule", is_ioc && js(rec, "desc") ? js(rec, "desc") : rule);
            kk_jset_str(o, "kind", is_ioc ? "ioc" : "match");
            kk_jset_str(o, "category", cat);
            json_object_set_new(o, "score", json_integer(score));
            json_object_set_new(o, "count", json_integer(0));
            json_object_set_new(a->omitted, gk, o);
        }
        json_t *c = json_object_get(o, "count");
        json_integer_set(c, json_integer_value(c) + 1);
        free(gk);
        return KK_OK;
    }
    free(gk);

    json_t *f = json_object();
    kk_jset_str(f, "kind", is_ioc ? "ioc" : "match");
    json_object_set_new(f, "score", json_integer(score));
    kk_jset_str(f, "severity", kk_severity_name(score));
    kk_jset_str(f, "category", cat);
    kk_jset_str(f, "family", fam);
    kk_jset_str(f, "rule", rule);
    /* a short name for people: the rule, or the IOC's description instead of its regex */
    kk_jset_str(f, "name", is_ioc && js(rec, "desc") && *js(rec, "desc") ? js(rec, "desc") : rule);
    if (is_ioc) {
        kk_jset_str(f, "ioc_kind", js(rec, "kind"));
        const char *d = js(rec, "desc") ? js(rec, "desc") : "";
        if (!strcmp(a->lang, "ja")) {
            char buf[1200];
            kk_jset_str(f, "description", ioc_desc_ja(cat, fam, js(rec, "kind"), d, buf, sizeof buf));
        } else {
            kk_jset_str(f, "description", d);
        }
    } else {
        kk_jset_str(f, "namespace", js(rec, "namespace"));
        const char *den = meta_str(meta, "description"), *dja = meta_str(meta, "description_ja");
        const char *d = !strcmp(a->lang, "ja") ? (dja ? dja : den) : (den ? den : dja);
        kk_jset_str(f, "description", d ? d : "");
        if (json_is_array(json_object_get(rec, "tags")) && json_array_size(json_object_get(rec, "tags")))
            json_object_set(f, "tags", json_object_get(rec, "tags"));
        if (meta_str(meta, "reference"))
            kk_jset_str(f, "reference", meta_str(meta, "reference"));
    }
    static const char *const copy[] = {"source", "path", "fs_offset", "inode", "deleted", "size", "sha256",
                                       "md5", "offset", "address", NULL};
    for (int i = 0; copy[i]; i++) {
        json_t *x = json_object_get(rec, copy[i]);
        if (x)
            json_object_set(f, copy[i], x);
    }
    if (path) {
        char *loc = location(v, path);
        kk_jset_str(f, "location", loc);
        free(loc);
    }
    time_field(a, f, rec, "mtime");
    time_field(a, f, rec, "atime");
    time_field(a, f, rec, "ctime");
    time_field(a, f, rec, "crtime");
    json_t *strs = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(rec, "strings"), i, s)
    {
        if (json_array_size(strs) >= 5)
            break;
        json_t *o = json_object();
        json_t *x;
        if ((x = json_object_get(s, "id")))
            json_object_set(o, "id", x);
        if ((x = json_object_get(s, "offset")))
            json_object_set(o, "offset", x);
        if ((x = json_object_get(s, "data")))
            json_object_set(o, "data", x);
        json_array_append_new(strs, o);
    }
    json_object_set_new(f, "strings", strs);
    if (a->nk == a->ak) {
        size_t n = a->ak ? a->ak * 2 : 64;
        kept *p = realloc(a->k, n * sizeof *p);
        if (!p) {
            json_decref(f);
            return kk_err_set(KK_ENOMEM, "out of memory");
        }
        a->k = p;
        a->ak = n;
    }
    a->k[a->nk++] = (kept){.f = f, .score = score, .cls = cls};
    return KK_OK;
}

/* "report.docx.x7k2p": the name without its last extension has one of its own. */
static int appended_ext(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *last = strrchr(base, '.');
    if (!last || last == base)
        return 0;
    const char *p = last;
    while (p > base && p[-1] != '.')
        p--;
    if (p == base)
        return 0;
    size_t n = (size_t)(last - p);
    if (n < 2 || n > 5)
        return 0;
    for (const char *q = p; q < last; q++)
        if (!isalnum((unsigned char)*q))
            return 0;
    return 1;
}

static int add_encrypted(kk_assess *a, json_t *rec)
{
    const char *path = js(rec, "path");
    if (!path)
        return KK_OK;
    int added = kk_hset_add(&a->enc_seen, rec_key(rec, "enc"));
    if (added < 0)
        return kk_err_set(KK_ENOMEM, "out of memory");
    if (!added)
        return KK_OK;
    vol *v = vol_get(a, rec);
    if (!v)
        return kk_err_set(KK_ENOMEM, "out of memory");
    uint64_t size = ju64(rec, "size");
    v->rec_files++;
    v->rec_bytes += size;
    const char *reason = js(rec, "reason") ? js(rec, "reason") : "";
    if (!strcmp(reason, "extension") || !strcmp(reason, "both"))
        v->known_ext++;
    note_os_and_account(a, v, path);
    /* the directory, up to three levels below the volume root */
    const char *r = rel_path(v, path);
    const char *slash = strrchr(r, '/');
    size_t dl = slash ? (size_t)(slash - r) : 0;
    int depth = 0;
    for (size_t i = 0; i < dl; i++)
        if (r[i] == '/' && ++depth > 3) {
            dl = i;
            break;
        }
    char *dir = kk_asprintf("%.*s%.*s", (int)(r - path), path, (int)dl, r);
    if (!dir)
        return kk_err_set(KK_ENOMEM, "out of memory");
    if (!*dir || !strcmp(dir, path)) {
        free(dir);
        dir = kk_strdup("/");
    }
    json_t *d = dir ? json_object_get(v->dirs, dir) : NULL;
    if (!d && dir && json_object_size(v->dirs) >= DIRS_MAX) {
        free(dir);
        dir = kk_strdup("(other)");
        d = dir ? json_object_get(v->dirs, dir) : NULL;
    }
    if (!dir)
        return kk_err_set(KK_ENOMEM, "out of memory");
    if (!d) {
        d = json_pack("[II]", (json_int_t)0, (json_int_t)0);
        json_object_set_new(v->dirs, dir, d);
    }
    json_integer_set(json_array_get(d, 0), json_integer_value(json_array_get(d, 0)) + 1);
    json_integer_set(json_array_get(d, 1), json_integer_value(json_array_get(d, 1)) + (json_int_t)size);
    free(dir);
    /* families and extensions */
    const char *fam = js(rec, "family") ? js(rec, "family") : "";
    const char *ext = js(rec, "extension") ? js(rec, "extension") : "";
    int app = *fam ? 0 : appended_ext(path);
    if (*fam || app) {
        char *k = kk_asprintf("%s\x1f%s\x1f%d", fam, ext, app);
        if (!k)
            return kk_err_set(KK_ENOMEM, "out of memory");
        if (json_object_size(a->enc_families) < 10000 || json_object_get(a->enc_families, k))
            count_inc(a->enc_families, k, 1);
        free(k);
    }
    if (*fam)
        set_add(a->families, fam);
    /* the change time: mtime, else ctime */
    int64_t t = parse_time(rec, "mtime");
    if (!t)
        t = parse_time(rec, "ctime");
    if (t) {
        if (a->nt == a->at) {
            size_t n = a->at ? a->at * 2 : 1024;
            if (n > ((size_t)64 << 20))
                return KK_OK;
            int64_t *p = realloc(a->times, n * sizeof *p);
            if (!p)
                return kk_err_set(KK_ENOMEM, "out of memory");
            a->times = p;
            a->at = n;
        }
        a->times[a->nt++] = t;
    }
    add_file_times(a, rec, "encrypted");
    return KK_OK;
}

static void add_stats(kk_assess *a, json_t *rec)
{
    vol *v = vol_get(a, rec);
    if (!v)
        return;
    v->has_stats = 1; /* the last scan of a volume wins */
    v->files = ju64(rec, "files");
    v->documents = ju64(rec, "documents");
    v->intact = ju64(rec, "documents_intact");
    v->st_enc_files = ju64(rec, "encrypted_files");
    v->st_enc_bytes = ju64(rec, "encrypted_bytes");
    if (js(rec, "drive"))
        snprintf(v->drive, sizeof v->drive, "%s", js(rec, "drive"));
}

int kk_assess_record(kk_assess *a, json_t *rec)
{
    const char *type = js(rec, "type");
    if (!type)
        return KK_OK;
    if (!strcmp(type, "match"))
        return add_finding(a, rec, 0);
    if (!strcmp(type, "ioc"))
        return add_finding(a, rec, 1);
    if (!strcmp(type, "encrypted"))
        return add_encrypted(a, rec);
    if (!strcmp(type, "volume_stats")) {
        add_stats(a, rec);
        return KK_OK;
    }
    if (!strcmp(type, "summary")) {
        a->runs++;
        a->files_scanned += ju64(rec, "files");
        a->bytes_scanned += ju64(rec, "bytes");
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(rec, "skipped"), k, v)
        {
            long long x;
            if (jint(v, &x) && x > 0)
                count_inc(a->skipped, k, (uint64_t)x);
        }
        if (json_is_true(json_object_get(rec, "interrupted")))
            json_array_append_new(a->incomplete, json_string(js(rec, "source") ? js(rec, "source") : ""));
        return KK_OK;
    }
    if (!strcmp(type, "error"))
        a->errors++;
    else if (!strcmp(type, "warning"))
        a->warnings++;
    return KK_OK;
}

void kk_assess_incomplete(kk_assess *a, const char *name)
{
    json_array_append_new(a->incomplete, json_string(name));
}

size_t kk_assess_runs(const kk_assess *a) { return a->runs; }

/* ---- life ----------------------------------------------------------------------------- */

kk_assess *kk_assess_new(const char *lang, const char *tz, json_t *sources)
{
    kk_assess *a = kk_calloc(1, sizeof *a);
    if (!a)
        return NULL;
    snprintf(a->lang, sizeof a->lang, "%s", lang && !strcmp(lang, "en") ? "en" : "ja");
    snprintf(a->tz, sizeof a->tz, "%s", tz ? tz : "Asia/Tokyo");
    a->sources = sources ? json_incref(sources) : json_array();
    a->matched_rules = json_object();
    a->file_times = json_array();
    a->groups = json_object();
    a->omitted = json_object();
    a->by_category = json_object();
    a->by_severity = json_object();
    a->ransom_families = json_object();
    a->families = json_object();
    a->categories = json_object();
    a->enc_families = json_object();
    a->accounts = json_object();
    a->skipped = json_object();
    a->incomplete = json_array();
    if (!a->sources || !a->matched_rules || !a->file_times || !a->groups || !a->omitted || !a->by_category ||
        !a->by_severity || !a->ransom_families || !a->families || !a->categories || !a->enc_families ||
        !a->accounts || !a->skipped || !a->incomplete) {
        kk_assess_free(a);
        return NULL;
    }
    return a;
}

void kk_assess_free(kk_assess *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nk; i++)
        json_decref(a->k[i].f);
    free(a->k);
    for (size_t i = 0; i < a->nv; i++) {
        free(a->v[i].source);
        free(a->v[i].base);
        json_decref(a->v[i].dirs);
        kk_hset_free(&a->v[i].notes);
    }
    free(a->v);
    free(a->times);
    kk_hset_free(&a->seen);
    kk_hset_free(&a->enc_seen);
    kk_hset_free(&a->matched);
    json_t *js_[] = {a->sources, a->matched_rules, a->file_times, a->groups, a->omitted, a->by_category,
                     a->by_severity, a->ransom_families, a->families, a->categories, a->enc_families,
                     a->accounts, a->skipped, a->incomplete};
    for (size_t i = 0; i < sizeof js_ / sizeof *js_; i++)
        json_decref(js_[i]);
    free(a);
}

/* ---- build ---------------------------------------------------------------------------- */

static int cmp_kept(const void *x, const void *y)
{
    const kept *a = x, *b = y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    int c = strcmp(js(a->f, "category"), js(b->f, "category"));
    if (c)
        return c;
    c = strcmp(js(a->f, "rule"), js(b->f, "rule"));
    if (c)
        return c;
    const char *pa = js(a->f, "path") ? js(a->f, "path") : "", *pb = js(b->f, "path") ? js(b->f, "path") : "";
    return strcmp(pa, pb);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

static uint64_t vol_enc_files(const vol *v) { return v->has_stats && v->st_enc_files > v->rec_files ? v->st_enc_files : v->rec_files; }
static uint64_t vol_enc_bytes(const vol *v) { return v->has_stats && v->st_enc_bytes > v->rec_bytes ? v->st_enc_bytes : v->rec_bytes; }

static uint64_t total_encrypted(const kk_assess *a)
{
    uint64_t n = 0;
    for (size_t i = 0; i < a->nv; i++)
        n += vol_enc_files(&a->v[i]);
    return n;
}

/* Names of the findings of one class (up to 5, "... and N more"). */
static char *names_of(const kk_assess *a, int cls)
{
    json_t *seen = json_object();
    kk_buf b;
    kk_buf_init(&b, 1 << 16);
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < a->nk; i++) {
        if (a->k[i].cls != cls)
            continue;
        const char *n = !strcmp(js(a->k[i].f, "kind"), "ioc") ? js(a->k[i].f, "description") : js(a->k[i].f, "rule");
        if (!n || json_object_get(seen, n))
            continue;
        json_object_set_new(seen, n, json_true());
        if (shown < 5) {
            kk_buf_printf(&b, "%s%s", shown ? ", " : "", n);
            shown++;
        } else {
            more++;
        }
    }
    if (more)
        kk_buf_printf(&b, !strcmp(a->lang, "ja") ? " ほか %zu 種類" : " and %zu more", more);
    json_decref(seen);
    return kk_buf_steal(&b);
}

static json_t *ids_of(const kk_assess *a, int cls)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < a->nk && json_array_size(ids) < REASON_IDS; i++)
        if (a->k[i].cls == cls)
            json_array_append(ids, json_object_get(a->k[i].f, "id"));
    return ids;
}

static void reason(json_t *reasons, const char *level, char *text, json_t *ids)
{
    json_t *r = json_object();
    kk_jset_str(r, "level", level);
    kk_jset_str(r, "text", text ? text : "");
    json_object_set_new(r, "findings", ids ? ids : json_array());
    json_array_append_new(reasons, r);
    free(text);
}

static char *join_set(json_t *set, const char *sep, const char *none)
{
    kk_buf b;
    kk_buf_init(&b, 1 << 16);
    const char *k;
    json_t *v;
    size_t n = 0;
    json_object_foreach(set, k, v)
    {
        if (n < 8)
            kk_buf_printf(&b, "%s%s", n ? sep : "", k);
        n++;
    }
    if (!n)
        kk_buf_adds(&b, none);
    return kk_buf_steal(&b);
}

static json_t *build_verdict(kk_assess *a, const char **value)
{
    const char *L = a->lang;
    int ja = !strcmp(L, "ja");
    uint64_t enc = total_encrypted(a);
    uint64_t *c = a->cls_count;
    const char *v;
    if (c[CLS_RANSOM] || enc >= KK_ENCRYPTED_MIN)
        v = "ransomware";
    else if (c[CLS_HIGH])
        v = "compromised";
    else if (c[CLS_MEDIUM] || c[CLS_RMM] || c[CLS_TEST] || enc > 0)
        v = "suspicious";
    else
        v = "clean";
    *value = v;
    json_t *out = json_object();
    kk_jset_str(out, "value", v);
    kk_jset_str(out, "rule",
                kk_pick(L,
                      "Ransomware when there is a ransom note or ransomware finding, or 10 or more "
                      "user files look encrypted; otherwise compromised when any finding scores 75 or more; "
                      "otherwise suspicious when a finding scores 40 to 74, a remote administration tool or "
                      "test file is found, or a few files look encrypted; otherwise clean.",
                      "脅迫文やランサムウェアの検知があるか、暗号化されたとみられるユーザー"
                      "ファイルが 10 件以上あれば「ランサムウェア被害」、そうでなくスコア 75 以上の検知があれば"
                      "「侵害あり」、スコア 40〜74 の検知・遠隔操作ツール・テスト用ファイル・少数の暗号化された"
                      "とみられるファイルのいずれかがあれば「要注意」、どれもなければ「問題なし」と判定します。"));
    json_t *rs = json_array();
    const char *sep = ja ? "、" : ", ";
    if (c[CLS_RANSOM]) {
        char *fams = join_set(a->ransom_families, sep, ja ? "不明" : "unknown");
        reason(rs, "ransomware",
               kk_asprintf(ja ? "ランサムウェアの痕跡(脅迫文、暗号化プログラム、暗号化されたファイル名)が %llu 件"
                                "見つかりました(ファミリー: %s)。"
                              : "%llu ransomware trace(s) found (ransom notes, encryptors or encrypted file "
                                "names; family: %s).",
                           (unsigned long long)c[CLS_RANSOM], fams),
               ids_of(a, CLS_RANSOM));
        free(fams);
    }
    if (enc >= KK_ENCRYPTED_MIN)
        reason(rs, "ransomware",
               kk_asprintf(ja ? "暗号化されたとみられるユーザーファイルが %llu 件あります(%d 件以上でランサムウェア"
                                "被害と判定します)。"
                              : "%llu user files look encrypted (%d or more decide ransomware).",
                           (unsigned long long)enc, KK_ENCRYPTED_MIN),
               NULL);
    if (c[CLS_HIGH]) {
        char *n = names_of(a, CLS_HIGH);
        reason(rs, "compromised",
               kk_asprintf(ja ? "スコア 75 以上(重大度「高」以上)の検知が %llu 件あります: %s。"
                              : "%llu finding(s) scored 75 or more (high or critical): %s.",
                           (unsigned long long)c[CLS_HIGH], n),
               ids_of(a, CLS_HIGH));
        free(n);
    }
    if (c[CLS_MEDIUM]) {
        char *n = names_of(a, CLS_MEDIUM);
        reason(rs, "suspicious",
               kk_asprintf(ja ? "スコア 40〜74(重大度「中」)の検知が %llu 件あります: %s。"
                              : "%llu finding(s) scored 40 to 74 (medium): %s.",
                           (unsigned long long)c[CLS_MEDIUM], n),
               ids_of(a, CLS_MEDIUM));
        free(n);
    }
    if (enc > 0 && enc < KK_ENCRYPTED_MIN && c[CLS_RANSOM])
        reason(rs, "ransomware",
               kk_asprintf(ja ? "暗号化されたとみられるユーザーファイルが %llu 件あります。"
                              : "%llu user file(s) look encrypted.",
                           (unsigned long long)enc),
               NULL);
    else if (enc > 0 && enc < KK_ENCRYPTED_MIN)
        reason(rs, "suspicious",
               kk_asprintf(ja ? "暗号化されたとみられるユーザーファイルが %llu 件あります(%d 件未満)。パスワード付きの"
                                "文書も同じように見えるため、中身を確認してください。"
                              : "%llu user file(s) look encrypted (fewer than %d). Password-protected "
                                "documents look the same: check them.",
                           (unsigned long long)enc, KK_ENCRYPTED_MIN),
               NULL);
    if (c[CLS_RMM]) {
        char *n = names_of(a, CLS_RMM);
        reason(rs, "suspicious",
               kk_asprintf(ja ? "遠隔操作ツールが %llu 件見つかりました: %s。正規に使われることも多いため、誰がいつ"
                                "導入したかを確認してください。"
                              : "%llu remote administration tool(s) found: %s. They are often installed "
                                "legitimately: check who installed them and when.",
                           (unsigned long long)c[CLS_RMM], n),
               ids_of(a, CLS_RMM));
        free(n);
    }
    if (c[CLS_TEST]) {
        char *n = names_of(a, CLS_TEST);
        reason(rs, "suspicious",
               kk_asprintf(ja ? "テスト用ファイルが %llu 件見つかりました: %s。無害なファイルで、検知が働いている"
                                "ことを示します。"
                              : "%llu test file(s) found: %s. They are harmless and show that detection works.",
                           (unsigned long long)c[CLS_TEST], n),
               ids_of(a, CLS_TEST));
        free(n);
    }
    if (c[CLS_LOW])
        reason(rs, "clean",
               kk_asprintf(ja ? "スコア 40 未満(重大度「低」)の検知が %llu 件あります。判定には影響しません。"
                              : "%llu finding(s) scored below 40 (low); they do not change the verdict.",
                           (unsigned long long)c[CLS_LOW]),
               ids_of(a, CLS_LOW));
    if (!strcmp(v, "clean"))
        reason(rs, "clean",
               kk_strdup(a->runs || a->nfindings
                             ? kk_pick(L, "No finding scored 40 or more and no file looks encrypted.",
                                     "スコア 40 以上の検知はなく、暗号化されたとみられるファイルもありません。")
                             : kk_pick(L, "The case holds no scan results: nothing has been examined yet.",
                                     "ケースにスキャン結果がありません。まだ何も調べていません。")),
               NULL);
    json_object_set_new(out, "reasons", rs);
    json_t *cav = json_array();
    if (!a->runs && !a->nfindings)
        json_array_append_new(cav, json_string(kk_pick(L, "No scan results: the verdict says nothing about the system.",
                                                     "スキャン結果がないため、この判定はシステムの状態を示しません。")));
    if (json_array_size(a->incomplete)) {
        char *t = kk_asprintf(ja ? "中断されたスキャンがあります(%zu 件)。結果は一部だけです。"
                                 : "%zu scan(s) were interrupted: their results are partial.",
                              json_array_size(a->incomplete));
        json_array_append_new(cav, json_string(t ? t : ""));
        free(t);
    }
    if (a->errors) {
        char *t = kk_asprintf(ja ? "読めなかったファイルや領域が %llu 件あります。その部分は調べられていません。"
                                 : "%llu file(s) or areas could not be read; they were not examined.",
                              (unsigned long long)a->errors);
        json_array_append_new(cav, json_string(t ? t : ""));
        free(t);
    }
    json_object_set_new(out, "caveats", cav);
    return out;
}

static int cmp_dirs(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    json_int_t fa = json_integer_value(json_object_get(a, "files")), fb = json_integer_value(json_object_get(b, "files"));
    if (fa != fb)
        return fa > fb ? -1 : 1;
    return strcmp(js(a, "path"), js(b, "path"));
}

static json_t *top_dirs(const vol *v)
{
    size_t n = json_object_size(v->dirs), i = 0;
    json_t **arr = kk_calloc(n ? n : 1, sizeof *arr);
    json_t *out = json_array();
    if (!arr)
        return out;
    const char *k;
    json_t *d;
    json_object_foreach(v->dirs, k, d)
    {
        json_t *o = json_object();
        char *loc = strcmp(k, "(other)") ? location(v, k) : kk_strdup(k);
        kk_jset_str(o, "path", loc ? loc : k);
        free(loc);
        json_object_set(o, "files", json_array_get(d, 0));
        json_object_set(o, "bytes", json_array_get(d, 1));
        arr[i++] = o;
    }
    qsort(arr, i, sizeof *arr, cmp_dirs);
    for (size_t j = 0; j < i; j++) {
        if (j < TOP_DIRS)
            json_array_append(out, arr[j]);
        json_decref(arr[j]);
    }
    free(arr);
    return out;
}

static int cmp_fam(const void *x, const void *y)
{
    json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    json_int_t fa = json_integer_value(json_object_get(a, "files")), fb = json_integer_value(json_object_get(b, "files"));
    if (fa != fb)
        return fa > fb ? -1 : 1;
    return strcmp(js(a, "extension"), js(b, "extension"));
}

int kk_assess_window(kk_assess *a, int64_t *first, int64_t *last, int64_t *from, int64_t *to)
{
    if (!a->nt)
        return 0;
    if (a->nt > 1)
        qsort(a->times, a->nt, sizeof *a->times, cmp_i64);
    *first = a->times[0];
    *last = a->times[a->nt - 1];
    *from = *first;
    *to = *last;
    if (*last - *first > (int64_t)KK_WINDOW_ROBUST_DAYS * 86400 && a->nt >= 20) {
        *from = a->times[a->nt / 100];
        *to = a->times[a->nt - 1 - a->nt / 100];
    }
    return 1;
}

static json_t *build_scope(kk_assess *a, json_t *facts)
{
    json_t *scope = json_object();
    json_t *vols = json_array();
    uint64_t tot_enc = 0, tot_bytes = 0, tot_notes = 0, tot_docs = 0, tot_intact = 0;
    for (size_t i = 0; i < a->nv; i++) {
        vol *v = &a->v[i];
        if (!v->has_stats && !v->rec_files && !v->notes_n)
            continue; /* a volume only known from a match */
        json_t *o = json_object();
        kk_jset_str(o, "source", v->source);
        json_object_set_new(o, "fs_offset", v->in_image ? json_integer((json_int_t)v->fs_offset) : json_null());
        json_object_set_new(o, "drive", v->drive[0] ? json_string(v->drive) : json_null());
        json_object_set_new(o, "files", v->has_stats ? json_integer((json_int_t)v->files) : json_null());
        json_object_set_new(o, "documents", v->has_stats ? json_integer((json_int_t)v->documents) : json_null());
        json_object_set_new(o, "documents_intact", v->has_stats ? json_integer((json_int_t)v->intact) : json_null());
        kk_jset_u64(o, "encrypted_files", vol_enc_files(v));
        kk_jset_u64(o, "encrypted_bytes", vol_enc_bytes(v));
        kk_jset_u64(o, "ransom_notes", v->notes_n);
        kk_jset_u64(o, "known_extension_files", v->known_ext);
        json_object_set_new(o, "top_dirs", top_dirs(v));
        json_array_append_new(vols, o);
        tot_enc += vol_enc_files(v);
        tot_bytes += vol_enc_bytes(v);
        tot_notes += v->notes_n;
        if (v->has_stats) {
            tot_docs += v->documents;
            tot_intact += v->intact;
        }
    }
    json_object_set_new(scope, "volumes", vols);
    int64_t first, last, from, to;
    if (kk_assess_window(a, &first, &last, &from, &to)) {
        char f[KK_TIME_LEN], l[KK_TIME_LEN];
        kk_time_in_zone(first, a->tz, f);
        kk_time_in_zone(last, a->tz, l);
        json_t *w = json_object();
        kk_jset_str(w, "first", f);
        kk_jset_str(w, "last", l);
        kk_jset_u64(w, "files", a->nt);
        json_object_set_new(scope, "encryption_window", w);
    } else {
        json_object_set_new(scope, "encryption_window", json_null());
    }
    size_t n = json_object_size(a->enc_families), i = 0;
    json_t **arr = kk_calloc(n ? n : 1, sizeof *arr);
    json_t *fams = json_array();
    const char *k;
    json_t *c;
    json_object_foreach(a->enc_families, k, c)
    {
        if (!arr)
            break;
        const char *s1 = strchr(k, '\x1f'), *s2 = s1 ? strchr(s1 + 1, '\x1f') : NULL;
        if (!s2)
            continue;
        int app = s2[1] == '1';
        if (app && json_integer_value(c) < 5)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "family", json_stringn(k, (size_t)(s1 - k)));
        json_object_set_new(o, "extension", json_stringn(s1 + 1, (size_t)(s2 - s1 - 1)));
        json_object_set(o, "files", c);
        arr[i++] = o;
    }
    qsort(arr, i, sizeof *arr, cmp_fam);
    for (size_t j = 0; j < i; j++)
        json_array_append_new(fams, arr[j]);
    free(arr);
    json_object_set_new(scope, "families", fams);
    kk_jset_u64(scope, "encrypted_files", tot_enc);
    kk_jset_u64(scope, "encrypted_bytes", tot_bytes);
    kk_jset_u64(scope, "ransom_notes", tot_notes);
    kk_jset_u64(scope, "documents", tot_docs);
    kk_jset_u64(scope, "documents_intact", tot_intact);
    /* where the notes are (first ones, for the recovery steps) */
    json_t *notes = json_array();
    for (size_t j = 0; j < a->nk && json_array_size(notes) < NOTE_PATHS; j++) {
        if (strcmp(js(a->k[j].f, "category"), "ransom-note") || !js(a->k[j].f, "location"))
            continue;
        const char *loc = js(a->k[j].f, "location");
        int dup = 0;
        size_t x;
        json_t *y;
        json_array_foreach(notes, x, y) dup |= !strcmp(json_string_value(y), loc);
        if (!dup)
            json_array_append_new(notes, json_string(loc));
    }
    json_object_set_new(scope, "ransom_note_paths", notes);
    if (facts) {
        kk_jset_u64(facts, "encrypted_files", tot_enc);
        kk_jset_u64(facts, "ransom_notes", tot_notes);
    }
    return scope;
}

int kk_assess_build(kk_assess *a, json_t *model, json_t *facts)
{
    if (a->built)
        return kk_err_set(KK_EINTERNAL, "assessment built twice");
    a->built = 1;
    /* locations need the drive letters, known only at the end (volume_stats) */
    for (size_t i = 0; i < a->nk; i++) {
        json_t *f = a->k[i].f;
        const char *path = js(f, "path");
        if (!path)
            continue;
        json_t *probe = json_object();
        json_object_set(probe, "source", json_object_get(f, "source"));
        if (json_object_get(f, "fs_offset"))
            json_object_set(probe, "fs_offset", json_object_get(f, "fs_offset"));
        vol *v = vol_get(a, probe);
        json_decref(probe);
        char *loc = location(v, path);
        kk_jset_str(f, "location", loc);
        free(loc);
        if (v && v->drive[0])
            kk_jset_str(f, "drive", v->drive);
    }
    if (a->nk)
        qsort(a->k, a->nk, sizeof *a->k, cmp_kept);
    json_t *fl = json_array();
    for (size_t i = 0; i < a->nk; i++) {
        char id[24];
        snprintf(id, sizeof id, "F%zu", i + 1);
        json_t *f = a->k[i].f;
        /* id first in the object */
        json_t *g = json_object();
        json_object_set_new(g, "id", json_string(id));
        json_object_update(g, f);
        json_decref(f);
        a->k[i].f = g;
        json_array_append(fl, g);
    }
    const char *value;
    json_t *verdict = build_verdict(a, &value);
    json_object_set_new(model, "verdict", verdict);
    json_object_set_new(model, "findings", fl);
    json_t *om = json_array();
    const char *k;
    json_t *o;
    json_object_foreach(a->omitted, k, o) json_array_append(om, o);
    json_object_set_new(model, "findings_omitted", om);
    json_t *counts = json_object();
    kk_jset_u64(counts, "findings", a->nfindings);
    kk_jset_u64(counts, "findings_listed", a->nk);
    json_object_set(counts, "by_category", a->by_category);
    json_object_set(counts, "by_severity", a->by_severity);
    kk_jset_u64(counts, "files_scanned", a->files_scanned);
    kk_jset_u64(counts, "bytes_scanned", a->bytes_scanned);
    kk_jset_u64(counts, "errors", a->errors);
    kk_jset_u64(counts, "warnings", a->warnings);
    json_object_set(counts, "skipped", a->skipped);
    kk_jset_u64(counts, "scans", a->runs);
    json_object_set_new(model, "counts", counts);
    json_object_set_new(model, "scope", build_scope(a, facts));
    if (facts) {
        kk_jset_str(facts, "verdict", value);
        json_object_set(facts, "categories", a->categories);
        json_object_set_new(facts, "families", set_list(a->families));
        json_object_set_new(facts, "ransom_families", set_list(a->ransom_families));
        json_object_set_new(facts, "accounts", set_list(a->accounts));
        json_t *os = json_array();
        if (a->os_windows)
            json_array_append_new(os, json_string("windows"));
        if (a->os_linux)
            json_array_append_new(os, json_string("linux"));
        json_object_set_new(facts, "os", os);
    }
    return KK_OK;
}

int kk_assess_matched(const kk_assess *a, const char *path, size_t n)
{
    return kk_hset_has(&a->matched, kk_hash64(path, n, 0));
}

json_t *kk_assess_matched_rules(const kk_assess *a) { return a->matched_rules; }

json_t *kk_assess_file_times(const kk_assess *a) { return a->file_times; }
