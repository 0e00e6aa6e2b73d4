/* test_report_model.c - unit tests of the report model: the reader (folder and zip,
 * long lines, CRLF, a last line without newline), the hash set, a whole model from a
 * case folder made here (case keys, on-site hours, sources, findings of two runs one of
 * them interrupted, a malformed line, collected files, attachments, costs, PPC dates),
 * the timeline from a body file and from records alone, and a model from a bundle zip.
 *
 * Also a small tool for the integration tests (tests/integration/72-report-model.sh):
 *   test_report_model --dump CASE|BUNDLE.zip [ja|en]   print the model (JSON)
 *   test_report_model --timeline CASE                  write the timeline, print its summary
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "evidence/case.h"
#include "evidence/cost.h"
#include "report/assess.h"
#include "report/model.h"
#include "report/timeline.h"
#include "util/err.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static const char *js(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static json_t *jo(const json_t *o, const char *k) { return json_object_get(o, k); }

static char tmpdir[64];

static int setup(void **st)
{
    (void)st;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/kk-rm-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- hash set, reader ------------------------------------------------------------------- */

static void t_hset(void **st)
{
    (void)st;
    kk_hset s = {0};
    for (uint64_t i = 0; i < 5000; i++)
        assert_int_equal(kk_hset_add(&s, kk_hash64(&i, sizeof i, 0)), 1);
    for (uint64_t i = 0; i < 5000; i++) {
        assert_int_equal(kk_hset_add(&s, kk_hash64(&i, sizeof i, 0)), 0);
        assert_true(kk_hset_has(&s, kk_hash64(&i, sizeof i, 0)));
    }
    uint64_t other = 99999;
    assert_false(kk_hset_has(&s, kk_hash64(&other, sizeof other, 0)));
    assert_int_equal(kk_hset_add(&s, 0), 1);
    assert_int_equal(kk_hset_add(&s, 0), 0);
    assert_true(kk_hset_has(&s, 0));
    assert_true(kk_hash64("a", 1, 0) != kk_hash64("a", 1, 1));
    kk_hset_free(&s);
}

typedef struct lines {
    char got[8][64];
    int n;
} lines;

static int on_line(void *ctx, char *line, size_t n)
{
    lines *l = ctx;
    if (l->n < 8)
        snprintf(l->got[l->n], sizeof l->got[0], "%.*s", (int)n, line);
    l->n++;
    return 0;
}

static void t_reader(void **st)
{
    (void)st;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/reader", tmpdir);
    mkdir(dir, 0755);
    kk_buf b;
    kk_buf_init(&b, 0);
    kk_buf_adds(&b, "one\r\n");
    for (int i = 0; i < 300; i++)
        kk_buf_addc(&b, 'x');
    kk_buf_adds(&b, "\n\ntwo\nlast");
    put(dir, "f.txt", kk_buf_str(&b));
    kk_buf_free(&b);
    kk_rsrc *r;
    assert_int_equal(kk_rsrc_open(dir, 0, &r), KK_OK);
    lines l = {0};
    uint64_t longl = 0;
    assert_int_equal(kk_rsrc_lines(r, "f.txt", 100, on_line, &l, &longl), KK_OK);
    assert_int_equal(longl, 1);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.got[0], "one");
    assert_string_equal(l.got[1], "");
    assert_string_equal(l.got[2], "two");
    assert_string_equal(l.got[3], "last");
    assert_true(kk_rsrc_has(r, "f.txt", NULL));
    assert_false(kk_rsrc_has(r, "../reader/f.txt", NULL)); /* never leaves the folder */
    assert_false(kk_rsrc_has(r, "/etc/passwd", NULL));
    char *data;
    size_t n;
    assert_int_equal(kk_rsrc_read(r, "f.txt", 10, &data, &n), KK_ENOMEM); /* over the cap */
    assert_int_equal(kk_rsrc_read(r, "missing", 10, &data, &n), KK_ENOENT);
    json_t *names = kk_rsrc_root_names(r);
    assert_int_equal(json_array_size(names), 1);
    json_decref(names);
    kk_rsrc_close(r);
    assert_int_equal(kk_rsrc_open("/nonexistent/kk", 0, &r), KK_ENOENT);
}

/* ---- a case folder ------------------------------------------------------------------------ */

static const char *FINDINGS1 =
    "{\"type\":\"match\",\"source\":\"disk.raw\",\"rule\":\"Ransom_Note_LockBit3\",\"namespace\":\"ransom_notes.yar\","
    "\"tags\":[],\"meta\":{\"category\":\"ransom-note\",\"family\":\"LockBit 3.0\",\"score\":90,"
    "\"description\":\"LockBit 3.0 ransom note\",\"description_ja\":\"LockBit 3.0 の脅迫文\"},"
    "\"path\":\"/Users/taro/Desktop/abcdefghi.README.txt\",\"fs_offset\":1048576,\"inode\":\"64-128-1\","
    "\"deleted\":false,\"size\":900,\"sha256\":\"aa\",\"mtime\":\"2024-05-01T16:00:00Z\","
    "\"strings\":[{\"id\":\"$a\",\"offset\":1,\"length\":2,\"data\":\"x1\"},{\"id\":\"$b\",\"offset\":2,\"length\":2,"
    "\"data\":\"x2\"},{\"id\":\"$c\",\"offset\":3,\"length\":2,\"data\":\"x3\"},{\"id\":\"$d\",\"offset\":4,"
    "\"length\":2,\"data\":\"x4\"},{\"id\":\"$e\",\"offset\":5,\"length\":2,\"data\":\"x5\"},{\"id\":\"$f\","
    "\"offset\":6,\"length\":2,\"data\":\"x6\"}]}\n"
    "{\"type\":\"encrypted\",\"source\":\"disk.raw\",\"fs_offset\":1048576,\"path\":\"/Users/taro/Documents/a.xlsx.HLJkNskOq\","
    "\"size\":5000,\"entropy\":7.99,\"reason\":\"entropy\",\"extension\":\".hljknskoq\",\"family\":\"\","
    "\"mtime\":\"2024-05-01T15:00:00Z\"}\n"
    "this line is not json\n"
    "{\"type\":\"volume_stats\",\"source\":\"disk.raw\",\"fs_offset\":1048576,\"drive\":\"C:\",\"files\":100,"
    "\"documents\":20,\"documents_intact\":19,\"encrypted_files\":1,\"encrypted_bytes\":5000}\n"
    "{\"type\":\"error\",\"source\":\"disk.raw\",\"what\":\"read\",\"message\":\"x\",\"path\":\"/bad\"}\n"
    "{\"type\":\"summary\",\"source\":\"disk.raw\",\"files\":100,\"bytes\":123456,\"matches\":1,\"ioc_hits\":0,"
    "\"errors\":1,\"warnings\":0,\"skipped\":{\"size_cap\":2},\"seconds\":1.0}\n";

static const char *FINDINGS2_PART =
    "{\"type\":\"match\",\"source\":\"usb.raw\",\"rule\":\"RMM_AnyDesk\",\"namespace\":\"remote_admin.yar\","
    "\"meta\":{\"category\":\"remote-admin-tool\",\"family\":\"AnyDesk\",\"score\":25},\"path\":\"/AnyDesk.exe\","
    "\"fs_offset\":0,\"size\":1}\n";

static char *make_case(const char *name)
{
    char *dir = kk_asprintf("%s/%s", tmpdir, name);
    kk_case *c;
    assert_int_equal(kk_case_init(dir, &c), KK_OK);
    const char *as[] = {"case_id=2024-0042", "client=株式会社テスト", "engineer=佐藤", "personal_data=yes",
                        "arrived_at=2024-05-02T09:00", "departed_at=2024-05-02T12:30",
                        "discovered_at=2024-05-31T23:30", "lang=ja"};
    assert_int_equal(kk_case_set(c, as, sizeof as / sizeof *as), KK_OK);
    assert_int_equal(kk_case_note(c, "LAN ケーブルを抜いた", "2024-05-02T09:10"), KK_OK);
    assert_int_equal(kk_case_add_cost(c, "駆付け", "55,000", "3.5", "夜間", NULL), KK_OK);
    assert_int_equal(kk_case_add_cost(c, "investigation", "120000", NULL, NULL, NULL), KK_OK);
    assert_int_equal(kk_case_add_cost(c, "recovery", "30000", "1.25", NULL, NULL), KK_OK);
    char photo[512];
    snprintf(photo, sizeof photo, "%s/note.jpg", tmpdir);
    put(tmpdir, "note.jpg", "jpeg\n");
    assert_int_equal(kk_case_add_file(c, photo, "脅迫文の写真", NULL), KK_OK);
    /* a source record as scan --case writes it, with hashes */
    json_t *src = json_loads("{\"source\":\"disk.raw\",\"realpath\":\"/x/disk.raw\",\"label\":\"disk.raw\",\"kind\":"
                             "\"image\",\"format\":\"raw\",\"size\":1000,\"filesystems\":[{\"fs_offset\":1048576,"
                             "\"type\":\"ntfs\",\"drive\":\"C:\"}],\"hashes\":[{\"sha256_before\":\"11\","
                             "\"sha256_after\":\"11\",\"same\":true}]}",
                             0, NULL);
    json_array_append_new(json_object_get(kk_case_json(c), "sources"), src);
    char *s = json_dumps(kk_case_json(c), JSON_INDENT(2));
    kk_case_write_file(dir, "case.json", s, strlen(s));
    free(s);
    kk_case_close(c);
    put(dir, "findings.jsonl", FINDINGS1);
    put(dir, "findings-2.jsonl.part", FINDINGS2_PART);
    put(dir, "collected.jsonl",
        "{\"name\":\"artifacts/disk.raw/1048576/Windows/System32/winevt/Logs/Security.evtx\",\"kind\":\"artifact\","
        "\"target\":\"windows-eventlogs\",\"source\":{\"image\":\"disk.raw\",\"fs_offset\":1048576,"
        "\"path\":\"/Windows/System32/winevt/Logs/Security.evtx\",\"inode\":\"99-128-1\",\"mtime\":\"2024-05-01T15:10:00Z\"},"
        "\"size\":2048,\"sha256\":\"cc\"}\n");
    return dir;
}

static json_t *model_of(const char *path, int bundle, const char *lang)
{
    kk_report_opts o = {.lang = lang, .playbooks_dir = "signatures/playbooks", .now = 1714600000};
    json_t *m = NULL;
    int rc = kk_report_model_ex(path, bundle, &o, &m);
    if (rc != KK_OK)
        fail_msg("model of %s: %s", path, kk_err_msg());
    return m;
}

static int has_text(const json_t *arr, const char *needle)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) if (json_string_value(v) && strstr(json_string_value(v), needle)) return 1;
    return 0;
}

static void t_model_case(void **st)
{
    (void)st;
    char *dir = make_case("case1");
    json_t *m = model_of(dir, 0, NULL);
    assert_string_equal(js(m, "format"), "kaketsuke-report");
    assert_int_equal(json_integer_value(jo(m, "format_version")), 1);
    assert_string_equal(js(m, "lang"), "ja"); /* from case.json */
    assert_string_equal(js(m, "generated_at"), "2024-05-02T06:46:40+09:00");
    json_t *c = jo(m, "case");
    assert_string_equal(js(c, "client"), "株式会社テスト");
    assert_string_equal(js(c, "discovered_at"), "2024-05-31T23:30:00+09:00");
    assert_true(json_real_value(jo(jo(m, "onsite"), "hours")) == 3.5);
    json_t *src = json_array_get(jo(m, "sources"), 0);
    assert_string_equal(js(src, "sha256_before"), "11");
    assert_true(json_is_true(jo(src, "same")));
    /* verdict: the LockBit note (F1); the RMM tool of the interrupted run is listed too */
    json_t *v = jo(m, "verdict");
    assert_string_equal(js(v, "value"), "ransomware");
    assert_string_equal(json_string_value(json_array_get(jo(json_array_get(jo(v, "reasons"), 0), "findings"), 0)),
                        "F1");
    assert_true(has_text(jo(v, "caveats"), "中断"));
    assert_true(has_text(jo(v, "caveats"), "読めなかった"));
    json_t *f1 = json_array_get(jo(m, "findings"), 0);
    assert_string_equal(js(f1, "description"), "LockBit 3.0 の脅迫文");
    assert_string_equal(js(f1, "location"), "C:\\Users\\taro\\Desktop\\abcdefghi.README.txt");
    assert_string_equal(js(f1, "mtime"), "2024-05-02T01:00:00+09:00");
    assert_int_equal(json_array_size(jo(f1, "strings")), 5);
    assert_int_equal(json_array_size(jo(m, "findings")), 2);
    json_t *counts = jo(m, "counts");
    assert_int_equal(json_integer_value(jo(counts, "files_scanned")), 100);
    assert_int_equal(json_integer_value(jo(counts, "errors")), 1);
    assert_int_equal(json_integer_value(jo(jo(counts, "skipped"), "size_cap")), 2);
    /* scope */
    json_t *vol = json_array_get(jo(jo(m, "scope"), "volumes"), 0);
    assert_string_equal(js(vol, "drive"), "C:");
    assert_int_equal(json_integer_value(jo(vol, "ransom_notes")), 1);
    assert_int_equal(json_integer_value(jo(vol, "documents_intact")), 19);
    /* PPC: personal data yes, ransomware: 60 days from May 31 (Tokyo) */
    json_t *ppc = jo(m, "ppc");
    assert_true(json_is_true(jo(ppc, "applies")));
    assert_string_equal(js(jo(ppc, "preliminary"), "from"), "2024-06-03");
    assert_string_equal(js(jo(ppc, "preliminary"), "to"), "2024-06-05");
    assert_string_equal(js(jo(ppc, "final"), "due"), "2024-07-30");
    /* costs */
    json_t *costs = jo(m, "costs");
    assert_int_equal(json_array_size(jo(costs, "lines")), 3);
    assert_int_equal(json_integer_value(jo(costs, "total_amount")), 205000);
    assert_true(json_real_value(jo(costs, "total_hours")) == 4.75);
    assert_string_equal(js(json_array_get(jo(costs, "lines"), 0), "label"), "駆付け");
    assert_string_equal(js(costs, "currency"), "JPY");
    /* actions, evidence */
    assert_string_equal(js(json_array_get(jo(m, "actions"), 0), "time"), "2024-05-02T09:10:00+09:00");
    int kinds[5] = {0};
    size_t i;
    json_t *e;
    json_array_foreach(jo(m, "evidence"), i, e)
    {
        const char *k = js(e, "kind");
        kinds[0] += !strcmp(k, "findings");
        kinds[1] += !strcmp(k, "log");
        kinds[2] += !strcmp(k, "artifact");
        kinds[3] += !strcmp(k, "attachment");
        if (!strcmp(k, "artifact")) {
            assert_string_equal(js(e, "sha256"), "cc");
            assert_string_equal(js(e, "origin"), "disk.raw@1048576:/Windows/System32/winevt/Logs/Security.evtx");
        }
        if (!strcmp(k, "findings"))
            assert_int_equal(strlen(js(e, "sha256")), 64);
    }
    assert_int_equal(kinds[0], 2); /* findings.jsonl and the .part */
    assert_true(kinds[1] >= 2);    /* case.json, collected.jsonl (no custody log: no command ran) */
    assert_int_equal(kinds[2], 1);
    assert_int_equal(kinds[3], 1);
    /* steps are there, in Japanese, with the note's path filled in */
    json_t *steps = jo(m, "steps");
    assert_true(json_array_size(steps) > 10);
    int photo = 0;
    json_array_foreach(steps, i, e) if (!strcmp(js(e, "id"), "rw-photo-note")) photo =
        strstr(js(e, "text"), "C:\\Users\\taro\\Desktop\\abcdefghi.README.txt") != NULL;
    assert_true(photo);
    /* problems are listed, not fatal */
    assert_true(has_text(jo(m, "errors"), "findings.jsonl: 1 malformed"));
    /* timeline from records (no bodyfile) */
    json_t *tl = jo(m, "timeline");
    assert_true(json_is_null(jo(tl, "bodyfile")));
    assert_string_equal(js(jo(tl, "selection"), "from"), "records");
    json_decref(m);
    /* the same in English */
    m = model_of(dir, 0, "en");
    assert_string_equal(js(m, "lang"), "en");
    assert_string_equal(js(json_array_get(jo(m, "findings"), 0), "description"), "LockBit 3.0 ransom note");
    assert_string_equal(js(json_array_get(jo(jo(m, "costs"), "lines"), 0), "label"), "On-site dispatch");
    json_decref(m);
    kk_report_opts o = {.lang = "fr"};
    assert_int_equal(kk_report_model_ex(dir, 0, &o, &m), KK_EINVAL);
    o.lang = "english";
    assert_int_equal(kk_report_model_ex(dir, 0, &o, &m), KK_EINVAL);
    o.lang = "en_US.UTF-8";
    assert_int_equal(kk_report_model_ex(dir, 0, &o, &m), KK_OK);
    assert_string_equal(js(m, "lang"), "en");
    json_decref(m);
    assert_int_equal(kk_report_model(tmpdir, NULL, &m), KK_ENOENT); /* not a case */
    free(dir);
}

/* ---- timeline ------------------------------------------------------------------------------- */

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}

static void t_timeline(void **st)
{
    (void)st;
    char *dir = make_case("case2");
    /* the window: the encrypted file's mtime 2024-05-01T15:00Z = 1714575600, +-24 h */
    char body[4096];
    snprintf(body, sizeof body,
             "0|C:/Users/taro/Desktop/abcdefghi.README.txt|64-128-1|r/rrwxrwxrwx|0|0|900|0|1714579200|1714579200|1714579200\n"
             "0|C:/Users/taro/Documents/a.xlsx.HLJkNskOq|70-128-1|r/rrwxrwxrwx|0|0|5000|1714575600|1714575600|1714575600|0\n"
             "0|C:/Users/taro/Documents/b.docx|71-128-1|r/rrwxrwxrwx|0|0|10|1600000000|1714600000|1600000000|1600000000\n"
             "0|C:/Users/taro/old.txt|72-128-1|r/rrwxrwxrwx|0|0|10|1714575600|1600000000|1600000000|1600000000\n"
             "0|C:/Windows/System32/winevt/Logs/Security.evtx|99-128-1|r/rrwxrwxrwx|0|0|2048|0|1600000000|0|0\n"
             "0|C:/x (deleted)|73-128-1|r/rrwxrwxrwx|0|0|10|0|1714576000|0|0\n"
             "broken|line\n");
    char tdir[512];
    snprintf(tdir, sizeof tdir, "%s/timeline", dir);
    put(tdir, "bodyfile.txt", body);
    json_t *s = NULL;
    assert_int_equal(kk_timeline_write(dir, &s), KK_OK);
    assert_int_equal(json_integer_value(jo(s, "files")), 5); /* not old.txt: its atime alone is in the window */
    json_t *sel = jo(s, "selection");
    assert_int_equal(json_integer_value(jo(sel, "matched")), 1);
    assert_int_equal(json_integer_value(jo(sel, "artifacts")), 1);
    assert_int_equal(json_integer_value(jo(sel, "in_window")), 4);
    assert_string_equal(js(sel, "window_from"), "2024-05-01T00:00:00+09:00");
    assert_string_equal(js(sel, "window_to"), "2024-05-03T00:00:00+09:00");
    assert_string_equal(js(s, "bodyfile"), "timeline/bodyfile.txt");
    char p[600];
    snprintf(p, sizeof p, "%s/selected.body", tdir);
    assert_int_equal(count_lines(p), 5);
    snprintf(p, sizeof p, "%s/timeline.jsonl", tdir);
    int n = count_lines(p);
    assert_int_equal(n, json_integer_value(jo(s, "events")));
    FILE *f = fopen(p, "r");
    char line[4096];
    int saw_match = 0;
    while (f && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        assert_non_null(js(j, "message"));
        assert_non_null(js(j, "datetime"));
        assert_non_null(js(j, "timestamp_desc"));
        assert_true(json_is_integer(jo(j, "timestamp")));
        if (strstr(js(j, "message"), "README") && json_array_size(jo(j, "rules"))) {
            saw_match = 1;
            assert_string_equal(js(j, "datetime"), "2024-05-01T16:00:00+00:00");
            assert_string_equal(js(j, "macb"), "m.cb");
            assert_string_equal(js(j, "path"), "/Users/taro/Desktop/abcdefghi.README.txt");
        }
        json_decref(j);
    }
    if (f)
        fclose(f);
    assert_true(saw_match);
    json_t *h = jo(s, "histogram");
    assert_true(json_array_size(h) >= 1);
    json_decref(s);
    /* the model now points at the written files */
    json_t *m = model_of(dir, 0, "en");
    assert_string_equal(js(jo(m, "timeline"), "selected"), "timeline/selected.body");
    assert_string_equal(js(jo(m, "timeline"), "jsonl"), "timeline/timeline.jsonl");
    assert_true(has_text(jo(m, "errors"), "not in TSK body format"));
    json_decref(m);
    free(dir);
}

/* ---- bundle --------------------------------------------------------------------------------- */

static void zadd(zip_t *z, const char *name, const char *text)
{
    zip_source_t *s = zip_source_buffer(z, text, strlen(text), 0);
    assert_non_null(s);
    assert_true(zip_file_add(z, name, s, ZIP_FL_ENC_UTF_8) >= 0);
}

static void t_bundle(void **st)
{
    (void)st;
    char zp[256];
    snprintf(zp, sizeof zp, "%s/case3.zip", tmpdir);
    int err;
    zip_t *z = zip_open(zp, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(z);
    zadd(z, "case.json", "{\"format\":\"kaketsuke-case\",\"format_version\":1,\"timezone\":\"UTC\",\"case_id\":\"B-1\","
                         "\"personal_data\":\"no\",\"sources\":[],\"actions\":[],\"attachments\":[]}");
    zadd(z, "findings.jsonl",
         "{\"type\":\"match\",\"source\":\"/srv\",\"rule\":\"Webshell_PHP_Eval_Request_Input\",\"namespace\":\"webshells.yar\","
         "\"meta\":{\"category\":\"webshell\",\"family\":\"generic\",\"score\":85,\"description\":\"PHP web shell\"},"
         "\"path\":\"/srv/www/wp-conf.php\",\"size\":100}\n"
         "{\"type\":\"summary\",\"source\":\"/srv\",\"files\":3,\"bytes\":300}\n");
    zadd(z, "manifest.json",
         "{\"format\":\"kaketsuke-bundle\",\"signer\":{\"fingerprint\":\"abcd\"},\"members\":["
         "{\"name\":\"case.json\",\"size\":10,\"sha256\":\"c0\"},{\"name\":\"findings.jsonl\",\"size\":20,\"sha256\":\"f0\"},"
         "{\"name\":\"memory/mod.dll\",\"size\":5,\"sha256\":\"d0\"},"
         "{\"name\":\"artifacts/x/0/var/log/auth.log\",\"kind\":\"artifact\",\"size\":7,\"sha256\":\"a0\"}]}");
    zadd(z, "collected.jsonl",
         "{\"name\":\"samples/srv/www/wp-conf.php\",\"kind\":\"sample\",\"source\":{\"image\":\"/srv\","
         "\"path\":\"www/wp-conf.php\"},\"size\":100,\"sha256\":\"5a\"}\n");
    assert_int_equal(zip_close(z), 0);
    json_t *m = model_of(zp, 1, "en");
    assert_string_equal(js(jo(m, "verdict"), "value"), "compromised");
    assert_string_equal(js(jo(m, "input"), "kind"), "bundle");
    assert_string_equal(js(jo(m, "signer"), "fingerprint"), "abcd");
    assert_true(json_is_false(jo(jo(m, "ppc"), "applies")));
    int found = 0;
    size_t i;
    json_t *e;
    json_array_foreach(jo(m, "evidence"), i, e)
    {
        if (!strcmp(js(e, "path"), "findings.jsonl"))
            found |= 1, assert_string_equal(js(e, "sha256"), "f0");
        if (!strcmp(js(e, "path"), "memory/mod.dll"))
            found |= 2, assert_string_equal(js(e, "kind"), "sample");
        if (!strcmp(js(e, "path"), "samples/srv/www/wp-conf.php"))
            found |= 4, assert_string_equal(js(e, "origin"), "/srv:www/wp-conf.php");
    }
    assert_int_equal(found, 7);
    int ws = 0;
    json_array_foreach(jo(m, "steps"), i, e) ws |= !strcmp(js(e, "id"), "ws-preserve");
    assert_true(ws);
    json_decref(m);
    /* not a bundle of a case / not a zip */
    snprintf(zp, sizeof zp, "%s/empty.zip", tmpdir);
    z = zip_open(zp, ZIP_CREATE | ZIP_TRUNCATE, &err);
    zadd(z, "x.txt", "x");
    zip_close(z);
    assert_int_equal(kk_report_model_bundle(zp, NULL, &m), KK_ENOENT);
    put(tmpdir, "plain.zip", "not a zip at all");
    snprintf(zp, sizeof zp, "%s/plain.zip", tmpdir);
    assert_int_equal(kk_report_model_bundle(zp, NULL, &m), KK_EFORMAT);
}

/* ---- the tool mode ------------------------------------------------------------------------ */

static int tool(int argc, char **argv)
{
    json_t *m = NULL;
    int rc;
    if (!strcmp(argv[1], "--timeline")) {
        rc = kk_timeline_write(argv[2], &m);
    } else {
        size_t n = strlen(argv[2]);
        kk_report_opts o = {.lang = argc > 3 ? argv[3] : NULL};
        rc = kk_report_model_ex(argv[2], n > 4 && !strcmp(argv[2] + n - 4, ".zip"), &o, &m);
    }
    if (rc != KK_OK) {
        fprintf(stderr, "test_report_model: %s\n", kk_err_msg());
        return 2;
    }
    char *s = json_dumps(m, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    puts(s ? s : "null");
    free(s);
    json_decref(m);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && (!strcmp(argv[1], "--dump") || !strcmp(argv[1], "--timeline")))
        return tool(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_hset),     cmocka_unit_test(t_reader), cmocka_unit_test(t_model_case),
        cmocka_unit_test(t_timeline), cmocka_unit_test(t_bundle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
