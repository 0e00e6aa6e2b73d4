/* test_assess.c - unit tests of the report's judgement: severities, IOC categories, the
 * verdict rule and its reasons, the damage scope, PPC deadlines (date arithmetic, zones,
 * month ends), the histogram, cost parsing, and the playbook engine (shipped files lint
 * clean; conditions, placeholders, merging; broken files are refused with a message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "evidence/cost.h"
#include "report/assess.h"
#include "report/model.h"
#include "report/playbook.h"
#include "report/ppc.h"
#include "report/timeline.h"
#include "util/err.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLAYBOOKS "signatures/playbooks"

static const char *js(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static void feed(kk_assess *a, const char *line)
{
    json_error_t je;
    json_t *j = json_loads(line, 0, &je);
    if (!j)
        fail_msg("bad test record: %s: %s", line, je.text);
    assert_int_equal(kk_assess_record(a, j), KK_OK);
    json_decref(j);
}

static json_t *build(kk_assess *a, json_t **facts)
{
    json_t *m = json_object();
    *facts = json_object();
    assert_int_equal(kk_assess_build(a, m, *facts), KK_OK);
    return m;
}

static const char *verdict(const json_t *m) { return js(json_object_get(m, "verdict"), "value"); }

#define MATCH(rule, cat, score, path)                                                                          \
    "{\"type\":\"match\",\"source\":\"img\",\"rule\":\"" rule "\",\"namespace\":\"x.yar\",\"meta\":{\"category\":\"" cat \
    "\",\"family\":\"Fam\",\"score\":" #score ",\"description\":\"en text\",\"description_ja\":\"日本語\"},"  \
    "\"path\":\"" path "\",\"fs_offset\":1048576,\"inode\":\"12\",\"size\":10,\"sha256\":\"ab\","              \
    "\"mtime\":\"2024-05-01T01:00:00Z\",\"strings\":[{\"id\":\"$a\",\"offset\":0,\"length\":3,\"data\":\"abc\"}]}"

static void t_severity(void **st)
{
    (void)st;
    assert_string_equal(kk_severity_name(100), "critical");
    assert_string_equal(kk_severity_name(90), "critical");
    assert_string_equal(kk_severity_name(89), "high");
    assert_string_equal(kk_severity_name(75), "high");
    assert_string_equal(kk_severity_name(74), "medium");
    assert_string_equal(kk_severity_name(40), "medium");
    assert_string_equal(kk_severity_name(39), "low");
    assert_string_equal(kk_severity_name(0), "low");
}

static void t_ioc_category(void **st)
{
    (void)st;
    char fam[64];
    assert_string_equal(kk_ioc_category("Akira ransom note", fam, sizeof fam), "ransom-note");
    assert_string_equal(fam, "Akira");
    assert_string_equal(kk_ioc_category("LockBit 3.0 ransom note (<9 random characters>.README.txt)", fam, sizeof fam),
                        "ransom-note");
    assert_string_equal(fam, "LockBit 3.0");
    assert_string_equal(kk_ioc_category("Royal / BlackSuit encrypted file", fam, sizeof fam), "ransomware");
    assert_string_equal(fam, "Royal / BlackSuit");
    assert_string_equal(kk_ioc_category("EICAR anti-malware test file (MD5)", fam, sizeof fam), "test");
    assert_string_equal(kk_ioc_category("RMM tools: who installed them and when?", fam, sizeof fam),
                        "remote-admin-tool");
    assert_string_equal(kk_ioc_category("XMRig miner and its configuration", fam, sizeof fam), "miner");
    assert_string_equal(kk_ioc_category("Mimikatz and its SSP DLL", fam, sizeof fam), "credential-theft");
    assert_string_equal(kk_ioc_category("something else", fam, sizeof fam), "suspicious");
    assert_string_equal(kk_ioc_category(NULL, fam, sizeof fam), "suspicious");
}

/* ---- verdicts ------------------------------------------------------------------------- */

static void t_verdict_clean_empty(void **st)
{
    (void)st;
    kk_assess *a = kk_assess_new("en", "Asia/Tokyo", NULL);
    json_t *facts, *m = build(a, &facts);
    assert_string_equal(verdict(m), "clean");
    json_t *cav = json_object_get(json_object_get(m, "verdict"), "caveats");
    assert_true(json_array_size(cav) >= 1); /* no scan results */
    assert_true(json_is_null(json_object_get(json_object_get(m, "scope"), "encryption_window")));
    json_decref(m);
    json_decref(facts);
    kk_assess_free(a);
}

static void t_verdict_levels(void **st)
{
    (void)st;
    struct {
        const char *recs[3];
        const char *want;
    } cases[] = {
        {{MATCH("Low_One", "suspicious", 30, "/a"), NULL}, "clean"},
        {{MATCH("Med_One", "suspicious", 40, "/a"), NULL}, "suspicious"},
        {{MATCH("Med_Two", "loader", 74, "/a"), NULL}, "suspicious"},
        {{MATCH("Rmm", "remote-admin-tool", 25, "/a"), NULL}, "suspicious"},
        {{MATCH("Eicar", "test", 70, "/a"), NULL}, "suspicious"},
        {{MATCH("Eicar_High", "test", 95, "/a"), NULL}, "suspicious"},  /* test files never compromise */
        {{MATCH("High", "webshell", 75, "/var/www/x.php"), NULL}, "compromised"},
        {{MATCH("Weak_Note", "ransom-note", 50, "/a"), NULL}, "ransomware"}, /* any ransom-note finding */
        {{MATCH("Note", "ransom-note", 60, "/a"), NULL}, "ransomware"},
        {{MATCH("Enc", "ransomware", 95, "/a"), MATCH("Web", "webshell", 90, "/b"), NULL}, "ransomware"},
        {{"{\"type\":\"ioc\",\"source\":\"d\",\"ioc\":\"x\",\"kind\":\"filename\",\"score\":80,"
          "\"desc\":\"Akira encrypted file\",\"path\":\"/d/a.akira\"}", NULL}, "ransomware"},
        {{"{\"type\":\"ioc\",\"source\":\"d\",\"ioc\":\"y\",\"kind\":\"sha256\",\"score\":100,"
          "\"desc\":\"EICAR anti-malware test file (SHA256)\",\"path\":\"/d/e\"}", NULL}, "suspicious"},
        {{"{\"type\":\"match\",\"source\":\"d\",\"rule\":\"Community_Rule\",\"namespace\":\"c.yar\",\"meta\":{},"
          "\"path\":\"/x\"}", NULL}, "compromised"}, /* no score: 75 by default */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        kk_assess *a = kk_assess_new("en", "UTC", NULL);
        for (int k = 0; cases[i].recs[k]; k++)
            feed(a, cases[i].recs[k]);
        json_t *facts, *m = build(a, &facts);
        if (strcmp(verdict(m), cases[i].want))
            fail_msg("case %zu: verdict %s, want %s", i, verdict(m), cases[i].want);
        json_decref(m);
        json_decref(facts);
        kk_assess_free(a);
    }
}

static void t_verdict_encrypted_threshold(void **st)
{
    (void)st;
    for (int n = 9; n <= 10; n++) {
        kk_assess *a = kk_assess_new("ja", "Asia/Tokyo", NULL);
        for (int i = 0; i < n; i++) {
            char rec[400];
            snprintf(rec, sizeof rec,
                     "{\"type\":\"encrypted\",\"source\":\"img\",\"fs_offset\":0,\"path\":\"/Users/a/Documents/f%d.xlsx\","
                     "\"size\":1000,\"entropy\":7.99,\"reason\":\"entropy\",\"extension\":\".xlsx\",\"family\":\"\","
                     "\"mtime\":\"2024-05-01T0%d:00:00Z\"}",
                     i, i);
            feed(a, rec);
            feed(a, rec); /* a second scan of the same volume reports it again */
        }
        json_t *facts, *m = build(a, &facts);
        assert_string_equal(verdict(m), n >= 10 ? "ransomware" : "suspicious");
        json_t *sc = json_object_get(m, "scope");
        assert_int_equal(json_integer_value(json_object_get(sc, "encrypted_files")), n);
        json_t *w = json_object_get(sc, "encryption_window");
        assert_string_equal(js(w, "first"), "2024-05-01T09:00:00+09:00");
        char last[40];
        snprintf(last, sizeof last, "2024-05-01T%02d:00:00+09:00", 9 + n - 1);
        assert_string_equal(js(w, "last"), last);
        json_t *r0 = json_array_get(json_object_get(json_object_get(m, "verdict"), "reasons"), 0);
        assert_non_null(strstr(js(r0, "text"), n >= 10 ? "10 件以上" : "パスワード付き"));
        assert_int_equal(json_integer_value(json_object_get(facts, "encrypted_files")), n);
        json_decref(m);
        json_decref(facts);
        kk_assess_free(a);
    }
}

static void t_reasons_and_ids(void **st)
{
    (void)st;
    kk_assess *a = kk_assess_new("en", "UTC", NULL);
    feed(a, MATCH("Note_A", "ransom-note", 85, "/Users/bob/Desktop/README.txt"));
    feed(a, MATCH("Note_A", "ransom-note", 85, "/Users/bob/Desktop/README.txt")); /* duplicate */
    feed(a, MATCH("Shell", "webshell", 80, "/inetpub/wwwroot/a.aspx"));
    feed(a, MATCH("Scanner", "hacktool", 50, "/Users/bob/netscan.exe"));
    feed(a, MATCH("Anydesk", "remote-admin-tool", 25, "/Users/bob/AnyDesk.exe"));
    feed(a, MATCH("Low", "suspicious", 20, "/x"));
    json_t *facts, *m = build(a, &facts);
    assert_string_equal(verdict(m), "ransomware");
    json_t *fl = json_object_get(m, "findings");
    assert_int_equal(json_array_size(fl), 5);
    /* ordered by score: F1 is the note */
    assert_string_equal(js(json_array_get(fl, 0), "id"), "F1");
    assert_string_equal(js(json_array_get(fl, 0), "rule"), "Note_A");
    assert_string_equal(js(json_array_get(fl, 0), "severity"), "high");
    assert_string_equal(js(json_array_get(fl, 0), "description"), "en text");
    assert_string_equal(js(json_array_get(fl, 0), "mtime"), "2024-05-01T01:00:00Z");
    assert_string_equal(js(json_array_get(fl, 4), "severity"), "low");
    json_t *rs = json_object_get(json_object_get(m, "verdict"), "reasons");
    /* ransomware (F1), compromised (F2), suspicious medium (F3), RMM (F4), low (F5) */
    assert_int_equal(json_array_size(rs), 5);
    const char *want_level[] = {"ransomware", "compromised", "suspicious", "suspicious", "clean"};
    const char *want_id[] = {"F1", "F2", "F3", "F4", "F5"};
    for (size_t i = 0; i < 5; i++) {
        json_t *r = json_array_get(rs, i);
        assert_string_equal(js(r, "level"), want_level[i]);
        assert_int_equal(json_array_size(json_object_get(r, "findings")), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(r, "findings"), 0)), want_id[i]);
    }
    assert_non_null(strstr(js(json_array_get(rs, 1), "text"), "Shell"));
    json_t *counts = json_object_get(m, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "findings")), 5);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(counts, "by_severity"), "high")), 2);
    /* facts for the playbooks */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(facts, "categories"), "webshell")), 80);
    assert_string_equal(json_string_value(json_array_get(json_object_get(facts, "accounts"), 0)), "bob");
    assert_string_equal(json_string_value(json_array_get(json_object_get(facts, "os"), 0)), "windows");
    json_decref(m);
    json_decref(facts);
    kk_assess_free(a);
}

static void t_findings_cap(void **st)
{
    (void)st;
    kk_assess *a = kk_assess_new("en", "UTC", NULL);
    for (int i = 0; i < KK_FINDINGS_PER_RULE + 25; i++) {
        char rec[300];
        snprintf(rec, sizeof rec,
                 "{\"type\":\"ioc\",\"source\":\"d\",\"ioc\":\"(?i)\\\\.lockbit$\",\"kind\":\"filename\",\"score\":80,"
                 "\"desc\":\"LockBit encrypted file\",\"path\":\"/d/f%d.lockbit\"}",
                 i);
        feed(a, rec);
    }
    json_t *facts, *m = build(a, &facts);
    assert_int_equal(json_array_size(json_object_get(m, "findings")), KK_FINDINGS_PER_RULE);
    json_t *om = json_object_get(m, "findings_omitted");
    assert_int_equal(json_array_size(om), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(om, 0), "count")), 25);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "counts"), "findings")),
                     KK_FINDINGS_PER_RULE + 25);
    json_t *r0 = json_array_get(json_object_get(json_object_get(m, "verdict"), "reasons"), 0);
    assert_non_null(strstr(js(r0, "text"), "75 ransomware trace"));
    assert_non_null(strstr(js(r0, "text"), "LockBit"));
    json_decref(m);
    json_decref(facts);
    kk_assess_free(a);
}

static void t_scope(void **st)
{
    (void)st;
    json_t *sources = json_loads("[{\"source\":\"disk.E01\",\"kind\":\"image\",\"filesystems\":"
                                 "[{\"fs_offset\":1048576,\"type\":\"ntfs\",\"drive\":\"C:\"}]},"
                                 "{\"source\":\"share\",\"kind\":\"directory\",\"realpath\":\"/mnt/share\"}]",
                                 0, NULL);
    kk_assess *a = kk_assess_new("en", "Asia/Tokyo", sources);
    json_decref(sources);
    char rec[600];
    for (int i = 0; i < 12; i++) {
        snprintf(rec, sizeof rec,
                 "{\"type\":\"encrypted\",\"source\":\"disk.E01\",\"fs_offset\":1048576,"
                 "\"path\":\"/Users/a/Documents/%s/f%d.docx.akira\",\"size\":100,\"reason\":\"both\","
                 "\"extension\":\".akira\",\"family\":\"Akira\",\"mtime\":\"2024-05-0%dT15:30:00Z\"}",
                 i < 8 ? "sub/deeper" : "other", i, 1 + i % 3);
        feed(a, rec);
    }
    for (int i = 0; i < 6; i++) {
        snprintf(rec, sizeof rec,
                 "{\"type\":\"encrypted\",\"source\":\"share\",\"path\":\"/mnt/share/経理/f%d.pdf.x7k2p\","
                 "\"size\":10,\"reason\":\"entropy\",\"extension\":\".x7k2p\",\"family\":\"\","
                 "\"ctime\":\"2024-05-02T00:00:00Z\"}",
                 i);
        feed(a, rec);
    }
    feed(a, "{\"type\":\"volume_stats\",\"source\":\"disk.E01\",\"fs_offset\":1048576,\"drive\":\"C:\","
            "\"files\":5000,\"documents\":300,\"documents_intact\":288,\"encrypted_files\":12,\"encrypted_bytes\":1200}");
    feed(a, "{\"type\":\"match\",\"source\":\"disk.E01\",\"fs_offset\":1048576,\"rule\":\"Ransom_Note_Akira\","
            "\"meta\":{\"category\":\"ransom-note\",\"family\":\"Akira\",\"score\":85},"
            "\"path\":\"/Users/a/Desktop/akira_readme.txt\"}");
    feed(a, "{\"type\":\"match\",\"source\":\"disk.E01\",\"fs_offset\":1048576,\"rule\":\"Ransom_Note_Akira\","
            "\"meta\":{\"category\":\"ransom-note\",\"family\":\"Akira\",\"score\":85},"
            "\"path\":\"/Users/a/Documents/akira_readme.txt\"}");
    json_t *facts, *m = build(a, &facts);
    json_t *sc = json_object_get(m, "scope");
    json_t *vols = json_object_get(sc, "volumes");
    assert_int_equal(json_array_size(vols), 2);
    json_t *c = json_array_get(vols, 0);
    assert_string_equal(js(c, "drive"), "C:");
    assert_int_equal(json_integer_value(json_object_get(c, "encrypted_files")), 12);
    assert_int_equal(json_integer_value(json_object_get(c, "documents_intact")), 288);
    assert_int_equal(json_integer_value(json_object_get(c, "ransom_notes")), 2);
    assert_int_equal(json_integer_value(json_object_get(c, "known_extension_files")), 12);
    json_t *td = json_object_get(c, "top_dirs");
    assert_string_equal(js(json_array_get(td, 0), "path"), "C:\\Users\\a\\Documents");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(td, 0), "files")), 12);
    json_t *s = json_array_get(vols, 1);
    assert_true(json_is_null(json_object_get(s, "files"))); /* no volume_stats */
    assert_int_equal(json_integer_value(json_object_get(s, "encrypted_files")), 6);
    assert_string_equal(js(json_array_get(json_object_get(s, "top_dirs"), 0), "path"), "/mnt/share/経理");
    /* window: 2024-05-01T15:30Z .. 2024-05-03T15:30Z in Tokyo; ctime used when there is no mtime */
    json_t *w = json_object_get(sc, "encryption_window");
    assert_string_equal(js(w, "first"), "2024-05-02T00:30:00+09:00");
    assert_string_equal(js(w, "last"), "2024-05-04T00:30:00+09:00");
    json_t *fams = json_object_get(sc, "families");
    assert_int_equal(json_array_size(fams), 2);
    assert_string_equal(js(json_array_get(fams, 0), "family"), "Akira");
    assert_string_equal(js(json_array_get(fams, 1), "extension"), ".x7k2p"); /* appended, 6 files */
    assert_int_equal(json_integer_value(json_object_get(sc, "encrypted_files")), 18);
    assert_string_equal(json_string_value(json_array_get(json_object_get(sc, "ransom_note_paths"), 0)),
                        "C:\\Users\\a\\Desktop\\akira_readme.txt");
    assert_string_equal(js(json_array_get(json_object_get(m, "findings"), 0), "location"),
                        "C:\\Users\\a\\Desktop\\akira_readme.txt");
    assert_int_equal(kk_assess_matched(a, "/Users/a/Desktop/akira_readme.txt", 33), 1);
    assert_int_equal(kk_assess_matched(a, "/Users/a/Desktop/other.txt", 26), 0);
    json_decref(m);
    json_decref(facts);
    kk_assess_free(a);
}

/* ---- PPC ------------------------------------------------------------------------------- */

static void t_date_add(void **st)
{
    (void)st;
    char out[11];
    struct { const char *d; int n; const char *want; } cases[] = {
        {"2024-05-01", 30, "2024-05-31"}, {"2024-05-31", 30, "2024-06-30"}, {"2024-01-31", 30, "2024-03-01"},
        {"2023-01-31", 30, "2023-03-02"}, {"2024-01-31", 60, "2024-03-31"}, {"2024-12-31", 1, "2025-01-01"},
        {"2024-12-15", 30, "2025-01-14"}, {"2024-02-28", 1, "2024-02-29"}, {"2100-02-28", 1, "2100-03-01"},
        {"2000-02-28", 1, "2000-02-29"}, {"2024-03-01", -1, "2024-02-29"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(kk_date_add(cases[i].d, cases[i].n, out), KK_OK);
        assert_string_equal(out, cases[i].want);
    }
    assert_int_equal(kk_date_add("2024-02-30", 1, out), KK_EINVAL);
    assert_int_equal(kk_date_add("2024-5-1", 1, out), KK_EINVAL);
    assert_int_equal(kk_date_add("x", 1, out), KK_EINVAL);
}

static json_t *ppc(const char *pd, const char *at, const char *tz, const char *verdict_v, const char *lang)
{
    json_t *o = NULL;
    assert_int_equal(kk_ppc_compute(pd, at, tz, verdict_v, lang, &o), KK_OK);
    return o;
}

static void t_ppc(void **st)
{
    (void)st;
    /* 23:30 in Tokyo on May 31 is 14:30 UTC the same day */
    json_t *o = ppc("yes", "2024-05-31T23:30:00+09:00", "Asia/Tokyo", "ransomware", "ja");
    assert_true(json_is_true(json_object_get(o, "applies")));
    assert_string_equal(js(o, "discovered_date"), "2024-05-31");
    assert_string_equal(js(json_object_get(o, "preliminary"), "from"), "2024-06-03");
    assert_string_equal(js(json_object_get(o, "preliminary"), "to"), "2024-06-05");
    assert_string_equal(js(json_object_get(o, "final"), "due"), "2024-07-30");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "final"), "days")), 60);
    assert_non_null(strstr(js(json_object_get(o, "final"), "rule"), "60日以内"));
    json_decref(o);
    /* the same instant, 2024-05-31T15:30Z: June 1 in Tokyo, May 31 in UTC */
    o = ppc("unknown", "2024-05-31T15:30:00Z", "Asia/Tokyo", "compromised", "en");
    assert_string_equal(js(o, "discovered_at"), "2024-06-01T00:30:00+09:00");
    assert_string_equal(js(o, "discovered_date"), "2024-06-01");
    assert_string_equal(js(json_object_get(o, "final"), "due"), "2024-07-31");
    assert_non_null(strstr(js(o, "note"), "not yet known"));
    json_decref(o);
    o = ppc("unknown", "2024-05-31T15:30:00Z", "UTC", "compromised", "en");
    assert_string_equal(js(o, "discovered_date"), "2024-05-31");
    assert_string_equal(js(json_object_get(o, "final"), "due"), "2024-07-30");
    json_decref(o);
    /* 30 days when there is no sign of unauthorised access; month end and leap day */
    o = ppc("yes", "2024-01-31T10:00", "Asia/Tokyo", "suspicious", "en");
    assert_string_equal(js(json_object_get(o, "final"), "due"), "2024-03-01");
    assert_string_equal(js(json_object_get(o, "preliminary"), "from"), "2024-02-03");
    assert_string_equal(js(o, "basis"), "other");
    json_decref(o);
    /* no personal data: nothing is due */
    o = ppc("no", "2024-01-31T10:00", "Asia/Tokyo", "ransomware", "ja");
    assert_true(json_is_false(json_object_get(o, "applies")));
    assert_true(json_is_null(json_object_get(o, "final")));
    json_decref(o);
    /* unset personal data counts as unknown; no discovery time: no dates, a note */
    o = ppc(NULL, NULL, "Asia/Tokyo", "clean", "en");
    assert_true(json_is_true(json_object_get(o, "applies")));
    assert_true(json_is_null(json_object_get(json_object_get(o, "final"), "due")));
    assert_non_null(strstr(js(o, "note"), "discovered_at"));
    json_decref(o);
}

/* ---- histogram ------------------------------------------------------------------------ */

static void t_histogram(void **st)
{
    (void)st;
    int64_t t[100];
    /* 2024-05-01T00:00Z + i*10 min: 990 minutes -> 34 buckets of 30 minutes from 09:00 JST */
    for (int i = 0; i < 100; i++)
        t[i] = 1714521600 + i * 600;
    size_t out;
    json_t *h = kk_histogram(t, 100, "Asia/Tokyo", 48, &out);
    assert_int_equal(out, 0);
    assert_int_equal(json_array_size(h), 34);
    assert_string_equal(js(json_array_get(h, 0), "start"), "2024-05-01T09:00:00+09:00");
    assert_string_equal(js(json_array_get(h, 0), "end"), "2024-05-01T09:30:00+09:00");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(h, 0), "events")), 3);
    long long total = 0;
    size_t i;
    json_t *b;
    json_array_foreach(h, i, b) total += json_integer_value(json_object_get(b, "events"));
    assert_int_equal(total, 100);
    json_decref(h);
    /* a day span in buckets of one day aligned to local midnight */
    int64_t d[3] = {1714521600, 1714521600 + 86400 * 20, 1714521600 + 86400 * 40};
    h = kk_histogram(d, 3, "Asia/Tokyo", 48, &out);
    assert_string_equal(js(json_array_get(h, 0), "start"), "2024-05-01T00:00:00+09:00");
    json_decref(h);
    h = kk_histogram(d, 0, "UTC", 48, NULL);
    assert_int_equal(json_array_size(h), 0);
    json_decref(h);
}

/* ---- costs ------------------------------------------------------------------------------ */

static void t_cost_parse(void **st)
{
    (void)st;
    long long y;
    assert_int_equal(kk_cost_parse_amount("55000", &y), KK_OK);
    assert_int_equal(y, 55000);
    assert_int_equal(kk_cost_parse_amount("1,234,567", &y), KK_OK);
    assert_int_equal(y, 1234567);
    assert_int_equal(kk_cost_parse_amount("0", &y), KK_OK);
    assert_int_equal(kk_cost_parse_amount("\xc2\xa5" "3,000", &y), KK_OK);
    assert_int_equal(y, 3000);
    assert_int_equal(kk_cost_parse_amount("3000\xe5\x86\x86", &y), KK_OK);
    const char *bad[] = {"", "-5", "1.5", "12,34", "1,2345", ",123", "123,", "1e6", "abc", "10000000000000", NULL};
    for (int i = 0; bad[i]; i++)
        if (kk_cost_parse_amount(bad[i], &y) != KK_EINVAL)
            fail_msg("amount '%s' accepted", bad[i]);
    double h;
    assert_int_equal(kk_cost_parse_hours("3", &h), KK_OK);
    assert_true(h == 3.0);
    assert_int_equal(kk_cost_parse_hours("2.5", &h), KK_OK);
    assert_true(h == 2.5);
    assert_int_equal(kk_cost_parse_hours("0.25", &h), KK_OK);
    assert_true(h == 0.25);
    const char *badh[] = {"", "-1", "1.", ".5", "2.555", "1,5", "x", "20000", NULL};
    for (int i = 0; badh[i]; i++)
        if (kk_cost_parse_hours(badh[i], &h) != KK_EINVAL)
            fail_msg("hours '%s' accepted", badh[i]);
    assert_string_equal(kk_cost_category("駆付け"), "dispatch");
    assert_string_equal(kk_cost_category("Investigation"), "investigation");
    assert_string_equal(kk_cost_category("復旧作業"), "recovery");
    assert_null(kk_cost_category("lunch"));
}

/* ---- playbooks ------------------------------------------------------------------------- */

static void t_playbooks_shipped(void **st)
{
    (void)st;
    json_t *errs = json_array();
    size_t pbs = 0, steps = 0;
    assert_int_equal(kk_playbook_check(PLAYBOOKS, errs, &pbs, &steps), KK_OK);
    if (json_array_size(errs)) {
        size_t i;
        json_t *e;
        json_array_foreach(errs, i, e) print_error("%s\n", json_string_value(e));
        fail_msg("shipped playbooks have %zu problem(s)", json_array_size(errs));
    }
    assert_true(pbs >= 9);
    assert_true(steps >= 40);
    json_decref(errs);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void t_playbooks_broken(void **st)
{
    (void)st;
    char dir[] = "/tmp/kk-pb-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[300];
    snprintf(p, sizeof p, "%s/references.json", dir);
    write_file(p, "{\"format\":\"kaketsuke-playbook-refs\",\"format_version\":1,\"refs\":{\"r1\":"
                  "{\"title\":{\"ja\":\"参照\",\"en\":\"Ref\"},\"url\":\"https://example.org/\"}}}");
    snprintf(p, sizeof p, "%s/a-good.json", dir);
    write_file(p, "{\"format\":\"kaketsuke-playbook\",\"format_version\":1,\"id\":\"good\",\"title\":{\"ja\":\"良い\","
                  "\"en\":\"Good\"},\"when\":{\"category\":[\"webshell\"],\"min_score\":70},\"steps\":["
                  "{\"id\":\"g2\",\"order\":20,\"phase\":\"recover\",\"title\":{\"ja\":\"二\",\"en\":\"Two {family|none}\"},"
                  "\"text\":{\"ja\":\"{paths:webshell} を {{確認}}\",\"en\":\"Check {paths:webshell} and {accounts|nobody}; "
                  "{client}\"},\"refs\":[\"r1\"]},"
                  "{\"id\":\"g1\",\"order\":10,\"phase\":\"first\",\"dont\":true,\"title\":{\"ja\":\"一\",\"en\":\"One\"},"
                  "\"text\":{\"ja\":\"一\",\"en\":\"One\"}},"
                  "{\"id\":\"g3\",\"order\":30,\"phase\":\"prevent\",\"when\":{\"os\":[\"linux\"]},"
                  "\"title\":{\"ja\":\"三\",\"en\":\"Three\"},\"text\":{\"ja\":\"三\",\"en\":\"Three\"}},"
                  "{\"id\":\"g4\",\"order\":40,\"phase\":\"prevent\",\"when\":{\"not\":{\"verdict\":[\"compromised\"]}},"
                  "\"title\":{\"ja\":\"四\",\"en\":\"Four\"},\"text\":{\"ja\":\"四\",\"en\":\"Four\"}}]}");
    snprintf(p, sizeof p, "%s/b-dup.json", dir);
    write_file(p, "{\"format\":\"kaketsuke-playbook\",\"format_version\":1,\"id\":\"dup\",\"title\":{\"ja\":\"重複\","
                  "\"en\":\"Dup\"},\"steps\":[{\"id\":\"g2\",\"order\":5,\"phase\":\"first\",\"title\":{\"ja\":\"先\","
                  "\"en\":\"Earlier\"},\"text\":{\"ja\":\"先\",\"en\":\"Earlier\"}}]}");
    snprintf(p, sizeof p, "%s/c-bad.json", dir);
    write_file(p, "{\"format\":\"kaketsuke-playbook\",\"format_version\":1,\"id\":\"bad\",\"title\":{\"ja\":\"悪い\"},"
                  "\"when\":{\"colour\":[\"red\"]},\"steps\":[{\"id\":\"B1\",\"order\":1,\"phase\":\"later\","
                  "\"title\":{\"ja\":\"x\",\"en\":\"x\"},\"text\":{\"ja\":\"{nope}\",\"en\":\"{paths:nothing}\"},"
                  "\"refs\":[\"r9\"]}]}");
    snprintf(p, sizeof p, "%s/d-notjson.json", dir);
    write_file(p, "{ not json");
    json_t *errs = json_array();
    size_t pbs = 0, steps = 0;
    assert_int_equal(kk_playbook_check(dir, errs, &pbs, &steps), KK_OK);
    assert_int_equal(pbs, 2);
    kk_buf b;
    kk_buf_init(&b, 0);
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e) kk_buf_printf(&b, "%s\n", json_string_value(e));
    const char *all = kk_buf_str(&b);
    const char *want[] = {"c-bad.json", "unknown condition 'colour'", "'title' needs", "phase must be",
                          "unknown placeholder '{nope}'", "unknown category 'nothing'", "unknown reference 'r9'",
                          "id must be", "d-notjson.json: not valid JSON", NULL};
    for (int k = 0; want[k]; k++)
        if (!strstr(all, want[k]))
            fail_msg("no error mentioning \"%s\" in:\n%s", want[k], all);
    kk_buf_free(&b);

    /* choose and fill: facts with a webshell at 80, Windows */
    json_t *model = json_loads("{\"case\":{\"client\":\"ACME\"},\"verdict\":{\"value\":\"compromised\"},"
                               "\"findings\":[{\"id\":\"F1\",\"kind\":\"match\",\"category\":\"webshell\",\"rule\":\"W\","
                               "\"location\":\"/var/www/a.php\"},{\"id\":\"F2\",\"kind\":\"match\","
                               "\"category\":\"webshell\",\"rule\":\"W\",\"location\":\"/var/www/b.php\"}]}",
                               0, NULL);
    json_t *facts = json_loads("{\"verdict\":\"compromised\",\"categories\":{\"webshell\":80},\"os\":[\"windows\"],"
                               "\"accounts\":[]}",
                               0, NULL);
    json_t *steps_out = NULL;
    json_t *errs2 = json_array();
    assert_int_equal(kk_playbook_steps(dir, model, facts, "en", &steps_out, errs2), KK_OK);
    /* g2 comes from dup (order 5, lower wins), then g1; g3 is Linux only; g4 is not for compromised */
    assert_int_equal(json_array_size(steps_out), 2);
    assert_string_equal(js(json_array_get(steps_out, 0), "id"), "g2");
    assert_string_equal(js(json_array_get(steps_out, 0), "playbook"), "dup");
    assert_string_equal(js(json_array_get(steps_out, 1), "id"), "g1");
    assert_true(json_is_true(json_object_get(json_array_get(steps_out, 1), "dont")));
    json_decref(steps_out);
    /* the dup playbook gone: g2 from good with its placeholders and reference */
    snprintf(p, sizeof p, "%s/b-dup.json", dir);
    unlink(p);
    assert_int_equal(kk_playbook_steps(dir, model, facts, "en", &steps_out, errs2), KK_OK);
    json_t *g2 = json_array_get(steps_out, 1);
    assert_string_equal(js(g2, "id"), "g2");
    assert_string_equal(js(g2, "title"), "Two none");
    assert_string_equal(js(g2, "text"), "Check /var/www/a.php, /var/www/b.php and nobody; ACME");
    assert_string_equal(js(g2, "phase_label"), "Recover");
    assert_string_equal(js(json_array_get(json_object_get(g2, "refs"), 0), "url"), "https://example.org/");
    json_decref(steps_out);
    assert_int_equal(kk_playbook_steps(dir, model, facts, "ja", &steps_out, errs2), KK_OK);
    assert_string_equal(js(json_array_get(steps_out, 1), "text"), "/var/www/a.php、/var/www/b.php を {確認}");
    json_decref(steps_out);
    /* below the playbook's min_score: nothing */
    json_object_set_new(json_object_get(facts, "categories"), "webshell", json_integer(60));
    assert_int_equal(kk_playbook_steps(dir, model, facts, "en", &steps_out, errs2), KK_OK);
    assert_int_equal(json_array_size(steps_out), 0);
    json_decref(steps_out);
    json_decref(model);
    json_decref(facts);
    json_decref(errs);
    json_decref(errs2);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(kk_playbook_check("/nonexistent/kk", NULL, NULL, NULL), KK_ENOENT);
}

/* The shipped playbooks choose what the issue asks for, per kind of case. */
static json_t *steps_for(const char *verdict_v, const char *cats, const char *extra)
{
    char buf[800];
    snprintf(buf, sizeof buf, "{\"verdict\":\"%s\",\"categories\":%s,\"os\":[\"windows\"],\"personal_data\":\"unknown\"%s}",
             verdict_v, cats, extra ? extra : "");
    json_t *facts = json_loads(buf, 0, NULL);
    assert_non_null(facts);
    snprintf(buf, sizeof buf, "{\"verdict\":{\"value\":\"%s\"},\"findings\":[],\"scope\":{}}", verdict_v);
    json_t *model = json_loads(buf, 0, NULL);
    json_t *steps = NULL, *errs = json_array();
    assert_int_equal(kk_playbook_steps(PLAYBOOKS, model, facts, "ja", &steps, errs), KK_OK);
    assert_int_equal(json_array_size(errs), 0);
    json_decref(errs);
    json_decref(model);
    json_decref(facts);
    return steps;
}

static int has_step(const json_t *steps, const char *id)
{
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s) if (!strcmp(js(s, "id"), id)) return 1;
    return 0;
}

static void t_playbooks_choice(void **st)
{
    (void)st;
    json_t *s = steps_for("ransomware", "{\"ransom-note\":85}", NULL);
    const char *rw[] = {"isolate", "dont-reboot", "rw-dont-pay", "dont-wipe", "capture-memory", "rw-photo-note",
                        "rw-scope", "rw-backups", "rw-shadow-copies", "rw-decryptor", "reset-credentials",
                        "rw-entry", "rw-rebuild", "monitor", "report-police-ipa", "report-ppc", NULL};
    for (int i = 0; rw[i]; i++)
        if (!has_step(s, rw[i]))
            fail_msg("ransomware: no step %s", rw[i]);
    /* sorted by order, isolate first, and the don'ts are marked */
    assert_string_equal(js(json_array_get(s, 0), "id"), "isolate");
    long long prev = -1;
    size_t i;
    json_t *x;
    json_array_foreach(s, i, x)
    {
        long long o = json_integer_value(json_object_get(x, "order"));
        assert_true(o >= prev);
        prev = o;
        if (!strcmp(js(x, "id"), "rw-dont-pay"))
            assert_true(json_is_true(json_object_get(x, "dont")));
    }
    assert_false(has_step(s, "cl-result"));
    json_decref(s);
    s = steps_for("compromised", "{\"webshell\":85}", NULL);
    assert_true(has_step(s, "ws-preserve") && has_step(s, "ws-logs") && has_step(s, "isolate"));
    assert_false(has_step(s, "rw-dont-pay"));
    json_decref(s);
    s = steps_for("suspicious", "{\"miner\":70}", NULL);
    assert_true(has_step(s, "mn-stop") && has_step(s, "su-review"));
    assert_false(has_step(s, "isolate"));
    json_decref(s);
    s = steps_for("compromised", "{\"rat\":85}", NULL);
    assert_true(has_step(s, "rat-c2") && has_step(s, "rat-stolen"));
    json_decref(s);
    s = steps_for("compromised", "{\"hacktool\":85}", ",\"families\":[\"Cobalt Strike\"]");
    assert_true(has_step(s, "rat-c2") && has_step(s, "ct-accounts") && has_step(s, "ct-reset-all"));
    json_decref(s);
    s = steps_for("compromised", "{\"persistence\":75}", ",\"families\":[\"ssh-key-injection\"]");
    assert_true(has_step(s, "ps-review") && has_step(s, "ps-ssh-keys"));
    json_decref(s);
    s = steps_for("suspicious", "{\"remote-admin-tool\":25}", NULL);
    assert_true(has_step(s, "su-remote-tools"));
    assert_false(has_step(s, "su-test-files"));
    json_decref(s);
    s = steps_for("clean", "{}", NULL);
    assert_true(has_step(s, "cl-result"));
    assert_int_equal(json_array_size(s), 3);
    json_decref(s);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_severity),          cmocka_unit_test(t_ioc_category),
        cmocka_unit_test(t_verdict_clean_empty), cmocka_unit_test(t_verdict_levels),
        cmocka_unit_test(t_verdict_encrypted_threshold), cmocka_unit_test(t_reasons_and_ids),
        cmocka_unit_test(t_findings_cap),      cmocka_unit_test(t_scope),
        cmocka_unit_test(t_date_add),          cmocka_unit_test(t_ppc),
        cmocka_unit_test(t_histogram),         cmocka_unit_test(t_cost_parse),
        cmocka_unit_test(t_playbooks_shipped), cmocka_unit_test(t_playbooks_broken),
        cmocka_unit_test(t_playbooks_choice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
