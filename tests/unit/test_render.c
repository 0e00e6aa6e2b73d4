/* test_render.c - unit tests for src/report/render*.c and i18n.c: the .mo reader (and
 * damaged catalogs), display cleaning, locale-free formatting, every format rendered from
 * small models, invalid UTF-8 and mistyped fields, receipts, atomic outputs, threads.
 * Run from the repository root (tests/run does): the fixtures are read from tests/report/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/i18n.h"
#include "report/render.h"
#include "report/render_i.h"
#include "util/err.h"
#include "util/mem.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */

/* fontconfig's process-wide cache and cairo 1.16's PDF font tables are not ours to free
 * (reports/lsan.supp says why); everything else stays leak-checked in ASan builds. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

static char *clean(const char *s, size_t n, int flags)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(rr_clean(&b, s, n, flags), KK_OK);
    return kk_buf_steal(&b);
}

static void expect_clean(const char *in, size_t n, int flags, const char *want)
{
    char *got = clean(in, n, flags);
    assert_string_equal(got, want);
    free(got);
}

static char *render(const json_t *m, const char *fmt, const char *lang, size_t *len)
{
    char *data = NULL;
    size_t n = 0;
    int rc = kk_render_mem(m, fmt, lang, &data, &n);
    if (rc != KK_OK)
        fail_msg("render %s/%s: %s", fmt, lang ? lang : "-", kk_err_msg());
    if (len)
        *len = n;
    return data;
}

static char *tmpdir(void)
{
    char *t = kk_strdup("/tmp/kk-test-render-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* A small hand-made model with a hostile path, names and notes. */
static json_t *small_model(void)
{
    json_error_t e;
    json_t *m = json_loads(
        "{\"format\":\"kaketsuke-report\",\"format_version\":1,\"lang\":\"ja\","
        "\"generated_at\":\"2024-06-04T18:12:40+09:00\",\"tool\":{\"version\":\"0.1.0\"},"
        "\"case\":{\"case_id\":\"KK-1\",\"client\":\"=HYPERLINK(\\\"http://x\\\")\","
        "\"notes\":\"a\\u001b[31mred\\nb\",\"timezone\":\"Asia/Tokyo\"},"
        "\"onsite\":{\"hours\":2.5},"
        "\"verdict\":{\"value\":\"ransomware\",\"rule\":\"r\",\"reasons\":[{\"text\":\"t\","
        "\"findings\":[\"F1\"]}]},"
        "\"findings\":[{\"id\":\"F1\",\"severity\":\"critical\",\"category\":\"ransomware\","
        "\"rule\":\"<script>alert(1)</script>\",\"path\":\"/x/<b>.txt\",\"sha256\":"
        "\"aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999\"}],"
        "\"counts\":{\"findings\":1,\"by_category\":{\"ransomware\":1}},"
        "\"evidence\":[{\"kind\":\"sample\",\"name\":\"=cmd|' /C calc'!A0\",\"sha256\":"
        "\"1111222233334444555566667777888899990000aaaabbbbccccddddeeeeffff\",\"size\":10}],"
        "\"signer\":{\"fingerprint\":\"ab12\"},"
        "\"costs\":{\"currency\":\"JPY\",\"lines\":[{\"category\":\"onsite\",\"amount\":50000,"
        "\"hours\":2.5}]},"
        "\"ppc\":{\"applies\":true,\"discovered_at\":\"2024-06-03T08:40:00+09:00\","
        "\"preliminary\":{\"from\":\"2024-06-06\",\"to\":\"2024-06-08\",\"rule\":\"3-5\"},"
        "\"final\":{\"due\":\"2024-08-02\",\"days\":60,\"rule\":\"60\"}},"
        "\"steps\":[{\"order\":1,\"title\":\"do not pay\",\"text\":\"x\",\"dont\":true,"
        "\"refs\":[{\"title\":\"js\",\"url\":\"javascript:alert(1)\"}]}]}",
        0, &e);
    if (!m)
        fail_msg("model: %s", e.text);
    return m;
}

/* ---- catalogs: damaged files are refused (each in a child: catalogs load once) ------- */

static int child_check(const char *dir)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("KAKETSUKE_LOCALEDIR", dir, 1);
        int rc = kk_i18n_check("ja");
        /* a damaged catalog must never crash kk_tr either */
        const char *s = kk_tr("ja", "Evidence list");
        _exit(rc == KK_OK ? (s ? 0 : 9) : rc == KK_ENOENT ? 1 : rc == KK_EFORMAT ? 2
                                                                : rc == KK_EUNSUP ? 4 : 3);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *read_mo(size_t *n)
{
    const char *cands[] = {"build/locale/ja/LC_MESSAGES/kaketsuke.mo",
                           "build/sanitize/locale/ja/LC_MESSAGES/kaketsuke.mo"};
    for (size_t i = 0; i < 2; i++) {
        FILE *f = fopen(cands[i], "rb");
        if (!f)
            continue;
        char *buf = malloc(1 << 20);
        *n = fread(buf, 1, 1 << 20, f);
        fclose(f);
        return buf;
    }
    return NULL;
}

static void test_catalog_damaged(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *sub = kk_asprintf("%s/ja/LC_MESSAGES", dir);
    char *cmd = kk_asprintf("mkdir -p '%s'", sub);
    assert_int_equal(system(cmd), 0);
    char *mo = kk_asprintf("%s/kaketsuke.mo", sub);
    /* missing: ENOENT (the binary's own dirs may still hold one: then OK) */
    int r = child_check("/nonexistent-kk");
    assert_true(r == 0 || r == 1);
    /* garbage */
    write_file(mo, "not a catalog at all, not at all", 32);
    assert_int_equal(child_check(dir), 2);
    /* short */
    write_file(mo, "\xde\x12\x04\x95", 4);
    assert_int_equal(child_check(dir), 2);
    /* a real catalog, mutated: tables and string offsets out of range, never a crash */
    size_t n = 0;
    char *real = read_mo(&n);
    if (real) {
        write_file(mo, real, n);
        assert_int_equal(child_check(dir), 0);
        write_file(mo, real, n / 2); /* truncated */
        r = child_check(dir);
        assert_true(r == 2 || r == 0);
        unsigned seed = 12345;
        for (int i = 0; i < 60; i++) {
            char *m = malloc(n);
            memcpy(m, real, n);
            for (int k = 0; k < 4; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % (n < 64 ? n : 64); /* the header and first tables */
                seed = seed * 1103515245u + 12345u;
                m[at] = (char)(seed >> 16);
            }
            write_file(mo, m, n);
            r = child_check(dir);
            assert_true(r == 0 || r == 2 || r == 4);
            free(m);
        }
        free(real);
    }
    unlink(mo);
    rmdir(sub);
    char *rm = kk_asprintf("rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
    free(rm);
    free(mo);
    free(cmd);
    free(sub);
    free(dir);
}

/* ---- i18n ------------------------------------------------------------------------------- */

static void test_tr(void **state)
{
    (void)state;
    assert_string_equal(kk_i18n_norm("ja"), "ja");
    assert_string_equal(kk_i18n_norm("ja_JP.UTF-8"), "ja");
    assert_string_equal(kk_i18n_norm("JA"), "ja");
    assert_string_equal(kk_i18n_norm("jav"), "en");
    assert_string_equal(kk_i18n_norm(NULL), "en");
    assert_string_equal(kk_i18n_norm("en_US"), "en");
    if (kk_i18n_check("ja") != KK_OK)
        fail_msg("no ja catalog (build it with make): %s", kk_err_msg());
    assert_string_equal(kk_tr("ja", "Evidence list"), "証拠一覧");
    assert_string_equal(kk_tr("ja_JP.UTF-8", "Incident Investigation Report"), "事故調査報告書");
    assert_string_equal(kk_tr("en", "Evidence list"), "Evidence list");
    assert_string_equal(kk_tr("fr", "Evidence list"), "Evidence list");
    assert_string_equal(kk_tr("ja", "no such msgid here"), "no such msgid here");
    assert_string_equal(kk_tr("ja", ""), "");
    assert_non_null(kk_i18n_dir("ja"));
    assert_null(kk_i18n_dir("en"));
    setenv("LANGUAGE", "ja:en", 1);
    assert_string_equal(kk_i18n_env_lang(), "ja");
    setenv("LANGUAGE", "", 1);
    setenv("LC_ALL", "C", 1);
    assert_string_equal(kk_i18n_env_lang(), "en");
    setenv("LC_ALL", "ja_JP.UTF-8", 1); /* not installed: still Japanese */
    assert_string_equal(kk_i18n_env_lang(), "ja");
    unsetenv("LC_ALL");
    unsetenv("LANGUAGE");
}

/* ---- cleaning -------------------------------------------------------------------------- */

static void test_clean(void **state)
{
    (void)state;
    expect_clean("plain 日本語", strlen("plain 日本語"), 0, "plain 日本語");
    expect_clean("a\x1b[31mb", 7, 0, "a\\x1b[31mb");
    expect_clean("a\nb", 3, 0, "a\\x0ab");
    expect_clean("a\nb", 3, RR_MULTILINE, "a\nb");
    expect_clean("a\r\nb", 4, RR_MULTILINE, "a\nb");
    expect_clean("a\rb", 3, RR_MULTILINE, "a\\x0db");
    expect_clean("a\tb", 3, 0, "a b");
    expect_clean("a\x7f", 2, 0, "a\\x7f");
    expect_clean("\xc2\x9b" "31m", 5, 0, "\\u009b31m");                 /* C1 CSI */
    expect_clean("x\xe2\x80\xae" "fdp.exe", 11, 0, "x\\u202efdp.exe");  /* RLO */
    expect_clean("\xef\xbb\xbf" "bom", 6, 0, "\\ufeffbom");
    expect_clean("\xff\xfe", 2, 0, "\\xff\\xfe");
    expect_clean("a\0b", 3, 0, "a\\x00b");
    expect_clean("\xe3\x81", 2, 0, "\\xe3\\x81");                      /* cut sequence */
    expect_clean("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");             /* surrogate */
    expect_clean("\xc0\xaf", 2, 0, "\\xc0\\xaf");                      /* overlong */
    /* a huge string is cut, valid UTF-8 at the cut, marked with … */
    size_t n = RR_MAX_STR * 2;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 3)
        memcpy(big + i, "\xe3\x81\x82", 3); /* あ */
    big[n] = '\0';
    char *c = clean(big, n, 0);
    size_t cl = strlen(c);
    assert_true(cl < RR_MAX_STR + 16);
    assert_string_equal(c + cl - 3, "\xe2\x80\xa6");
    free(c);
    free(big);
}

/* ---- formatting ------------------------------------------------------------------------ */

static void test_format(void **state)
{
    (void)state;
    char b[RR_FMT];
    rr_fmt_time("ja", "2024-06-03T08:40:00+09:00", "Asia/Tokyo", 0, b);
    assert_string_equal(b, "2024年6月3日 08:40 JST");
    rr_fmt_time("en", "2024-06-03T08:40:05+09:00", NULL, 1, b);
    assert_string_equal(b, "2024-06-03 08:40:05 JST");
    rr_fmt_time("en", "2024-06-03T08:40:05+09:00", "Asia/Seoul", 0, b);
    assert_string_equal(b, "2024-06-03 08:40 UTC+09:00");
    rr_fmt_time("en", "2024-06-03T08:40:05.123456Z", NULL, 1, b);
    assert_string_equal(b, "2024-06-03 08:40:05 UTC");
    rr_fmt_time("ja", "2024-12-31T20:41:09Z", "Asia/Tokyo", 1, b); /* UTC shown in JST */
    assert_string_equal(b, "2025年1月1日 05:41:09 JST");
    rr_fmt_time("en", "2024-03-01T00:30:00+10:00", "Asia/Tokyo", 0, b);
    assert_string_equal(b, "2024-02-29 23:30 JST");
    rr_fmt_time("en", "2024-12-31T20:41:09Z", "Europe/Berlin", 0, b); /* as written */
    assert_string_equal(b, "2024-12-31 20:41 UTC");
    rr_fmt_time("en", "2024-01-02T03:04:05-05:30", NULL, 0, b);
    assert_string_equal(b, "2024-01-02 03:04 UTC-05:30");
    rr_fmt_time("ja", "yesterday <b>", NULL, 0, b);
    assert_string_equal(b, "yesterday <b>");
    rr_fmt_time("ja", "2024-02-30T00:00:00Z", NULL, 0, b); /* no such day: shown raw */
    assert_string_equal(b, "2024-02-30T00:00:00Z");
    rr_fmt_time("ja", "x\x1b", NULL, 0, b);
    assert_string_equal(b, "x\\x1b");
    /* a long unparsable text is cut whole characters at a time */
    rr_fmt_time("ja", "日本語の長い説明文日本語の長い説明文日本語の長い説明文日本語の長い説明文", NULL, 0, b);
    assert_true(strlen(b) < RR_FMT);
    assert_true(strlen(b) % 3 == 0);
    rr_fmt_date("ja", "2024-06-06", b);
    assert_string_equal(b, "2024年6月6日(木)");
    rr_fmt_date("en", "2024-08-02", b);
    assert_string_equal(b, "Fri 2 Aug 2024");
    rr_fmt_date("ja", "2024-02-29", b);
    assert_string_equal(b, "2024年2月29日(木)");
    rr_fmt_date("ja", "2023-02-29", b);
    assert_string_equal(b, "2023-02-29");
    rr_fmt_date("en", "1999-12-31T23:00:00+09:00", b);
    assert_string_equal(b, "Fri 31 Dec 1999");
    rr_fmt_short_time("2024-06-03T03:14:52+09:00", b);
    assert_string_equal(b, "06/03 03:14");
    rr_fmt_int(0, b);
    assert_string_equal(b, "0");
    rr_fmt_int(1234567, b);
    assert_string_equal(b, "1,234,567");
    rr_fmt_int(-1000, b);
    assert_string_equal(b, "-1,000");
    rr_fmt_int(1e300, b); /* clamped, never undefined */
    assert_true(strlen(b) > 10);
    rr_fmt_bytes(512, b);
    assert_string_equal(b, "512 B");
    rr_fmt_bytes(1536, b);
    assert_string_equal(b, "1.5 KB");
    rr_fmt_bytes(21474836480.0, b);
    assert_string_equal(b, "20 GB");
    rr_fmt_hours(7.5, b);
    assert_string_equal(b, "7.5");
    rr_fmt_hours(6.25, b);
    assert_string_equal(b, "6.25");
    rr_fmt_hours(8, b);
    assert_string_equal(b, "8");
    rr_fmt_money("ja", "JPY", 392200, b);
    assert_string_equal(b, "392,200円");
    rr_fmt_money("en", "JPY", 392200, b);
    assert_string_equal(b, "JPY 392,200");
    rr_fmt_money("en", "USD", 1234.5, b);
    assert_string_equal(b, "USD 1,234.50");
    rr_fmt_money("en", "U\x1bSD", 1, b);
    assert_string_equal(b, "U\\x1bSD 1.00");
    assert_int_equal(rr_width("abc"), 3);
    assert_int_equal(rr_width("日本a"), 5);
    assert_int_equal(rr_width("ｱ"), 1); /* half-width katakana */
}

/* ---- rendering ----------------------------------------------------------------------- */

static void test_formats(void **state)
{
    (void)state;
    json_t *m = small_model();
    for (int li = 0; li < 2; li++) {
        const char *lang = li ? "en" : "ja";
        char *html = render(m, "html", lang, NULL);
        assert_null(strstr(html, "<script"));
        assert_null(strstr(html, "href=\"javascript:"));
        assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_non_null(strstr(html, "/x/&lt;b&gt;.txt"));
        assert_non_null(strstr(html, "Content-Security-Policy"));
        assert_non_null(strstr(html, "<svg"));
        assert_null(strchr(html, '\x1b'));
        assert_non_null(strstr(html, li ? "Incident Investigation Report" : "事故調査報告書"));
        assert_non_null(strstr(html, li ? "Preliminary report" : "速報"));
        free(html);

        char *txt = render(m, "txt", lang, NULL);
        for (const char *p = txt; *p; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n')
                fail_msg("control character 0x%02x in text output", (unsigned char)*p);
        assert_non_null(strstr(txt, "a\\x1b[31mred"));
        assert_non_null(strstr(txt, "aaaabbbbccccddddeeeeffff0000111122223333444455556666777788889999"));
        free(txt);

        size_t n;
        char *pdf = render(m, "pdf", lang, &n);
        assert_true(n > 1000);
        assert_memory_equal(pdf, "%PDF-", 5);
        assert_non_null(memmem(pdf, n, "%%EOF", 5));
        free(pdf);
    }
    /* JSON: the model, unchanged */
    char *js = render(m, "json", NULL, NULL);
    json_error_t e;
    json_t *back = json_loads(js, 0, &e);
    assert_non_null(back);
    assert_true(json_equal(back, m));
    assert_non_null(strstr(js, "<\\/script>")); /* safe to embed */
    json_decref(back);
    free(js);
    /* CSV: formulas neutralised */
    char *csv = render(m, "csv", "ja", NULL);
    assert_memory_equal(csv, "\xef\xbb\xbf", 3);
    assert_non_null(strstr(csv, "\"'=cmd|' /C calc'!A0\""));
    assert_null(strstr(csv, ",\"=cmd"));
    free(csv);
    json_decref(m);
}

static void test_bad_input(void **state)
{
    (void)state;
    json_t *m = small_model();
    char *d;
    size_t n;
    assert_int_equal(kk_render_mem(m, "docx", "ja", &d, &n), KK_EINVAL);
    assert_int_equal(kk_render_mem(m, NULL, "ja", &d, &n), KK_EINVAL);
    json_t *arr = json_array();
    assert_int_equal(kk_render_mem(arr, "html", "ja", &d, &n), KK_EINVAL);
    json_decref(arr);
    assert_int_equal(kk_render(m, "txt", "ja", "/nonexistent-dir/x/report.txt"), KK_EIO);
    assert_int_equal(kk_render(m, "txt", "ja", NULL), KK_EINVAL);
    /* an empty object still renders */
    json_t *empty = json_object();
    for (int i = 0; kk_render_formats[i]; i++) {
        char *out = render(empty, kk_render_formats[i], "ja", &n);
        assert_true(n > 0);
        free(out);
    }
    json_decref(empty);
    json_decref(m);
}

/* Invalid UTF-8 smuggled into the model (json_stringn_nocheck): cleaned everywhere. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    json_t *m = small_model();
    json_t *f = json_array_get(json_object_get(m, "findings"), 0);
    json_object_set_new(f, "path", json_stringn_nocheck("/a/\xff\xfe<x>\0z", 10));
    json_object_set_new(json_object_get(m, "case"), "client", json_stringn_nocheck("\xc3(", 2));
    char *html = render(m, "html", "ja", NULL);
    assert_non_null(strstr(html, "/a/\\xff\\xfe&lt;x&gt;"));
    assert_non_null(strstr(html, "\\xc3("));
    free(html);
    char *txt = render(m, "txt", "en", NULL);
    assert_non_null(strstr(txt, "/a/\\xff\\xfe<x>"));
    free(txt);
    char *js = render(m, "json", NULL, NULL);
    json_error_t e;
    json_t *back = json_loads(js, 0, &e);
    if (!back)
        fail_msg("rendered JSON does not parse: %s", e.text);
    const char *p = json_string_value(
        json_object_get(json_array_get(json_object_get(back, "findings"), 0), "path"));
    assert_string_equal(p, "/a/\\xff\\xfe<x>\\x00z");
    json_decref(back);
    free(js);
    size_t n;
    char *pdf = render(m, "pdf", "ja", &n);
    free(pdf);
    json_decref(m);
}

/* Every value of the ransomware fixture replaced by values of other types, in turn:
 * rendering still succeeds (ASan/UBSan builds catch memory errors). */
static json_t *mutants[] = {NULL, NULL, NULL, NULL, NULL, NULL};

static void mutate(json_t *j, unsigned *seed, int depth)
{
    if (depth > 8)
        return;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(j, tmp, k, v) {
            *seed = *seed * 1103515245u + 12345u;
            if ((*seed >> 16) % 9 == 0)
                json_object_set(j, k, mutants[(*seed >> 20) % 6]);
            else
                mutate(v, seed, depth + 1);
        }
    } else if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++) {
            *seed = *seed * 1103515245u + 12345u;
            if ((*seed >> 16) % 9 == 0)
                json_array_set(j, i, mutants[(*seed >> 20) % 6]);
            else
                mutate(json_array_get(j, i), seed, depth + 1);
        }
    }
}

static void test_mistyped(void **state)
{
    (void)state;
    json_error_t e;
    json_t *base = json_load_file("tests/report/ransomware-ja.json", 0, &e);
    if (!base)
        fail_msg("tests/report/ransomware-ja.json: %s (run from the repository root)", e.text);
    mutants[0] = json_null();
    mutants[1] = json_integer(-1);
    mutants[2] = json_real(1e308);
    mutants[3] = json_string("<script>alert(1)</script>");
    mutants[4] = json_array();
    mutants[5] = json_pack("{s:s}", "x", "\x1b[2J");
    unsigned seed = 7;
    for (int it = 0; it < 40; it++) {
        json_t *m = json_deep_copy(base);
        mutate(m, &seed, 0);
        const char *fmts[] = {"html", "txt", "json", "csv", it % 8 == 0 ? "pdf" : "txt"};
        for (size_t k = 0; k < 5; k++) {
            size_t n;
            char *out = render(m, fmts[k], it % 2 ? "en" : "ja", &n);
            if (strcmp(fmts[k], "pdf"))
                assert_null(memchr(out, '\x1b', n));
            free(out);
        }
        json_decref(m);
    }
    for (int i = 0; i < 6; i++)
        json_decref(mutants[i]);
    json_decref(base);
}

static void test_receipt(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *txt = kk_asprintf("%s/r.receipt.txt", dir), *pdf = kk_asprintf("%s/r.receipt.pdf", dir);
    json_t *r = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "bundle_name", "KK-1.zip",
                          "bundle_size", (json_int_t)1843220317, "bundle_sha256",
                          "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a",
                          "signer_fingerprint", "ab12cd34", "created_at",
                          "2024-06-03T18:41:09+09:00", "case_id", "KK-1", "client", "\x1b]0;x",
                          "engineer", "佐藤");
    assert_int_equal(kk_render_receipt(r, "ja", txt, pdf), KK_OK);
    FILE *f = fopen(txt, "r");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "証拠データ受領書"));
    assert_non_null(strstr(buf, "4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a"));
    assert_non_null(strstr(buf, "1,843,220,317"));
    assert_null(strchr(buf, '\x1b'));
    struct stat st;
    assert_int_equal(stat(pdf, &st), 0);
    assert_true(st.st_size > 1000);
    /* either output alone; the atomic write replaces, leaves no .part */
    assert_int_equal(kk_render_receipt(r, "en", txt, NULL), KK_OK);
    char *part = kk_asprintf("%s.part", txt);
    assert_int_not_equal(stat(part, &st), 0);
    assert_int_equal(kk_render_receipt(r, "en", NULL, NULL), KK_OK);
    json_t *arr = json_array();
    assert_int_equal(kk_render_receipt(arr, "en", txt, NULL), KK_EINVAL);
    json_decref(arr);
    json_decref(r);
    unlink(txt);
    unlink(pdf);
    rmdir(dir);
    free(part);
    free(txt);
    free(pdf);
    free(dir);
}

static void *thread_render(void *arg)
{
    const char *lang = arg;
    json_t *m = small_model();
    for (int i = 0; i < 20; i++) {
        char *d;
        size_t n;
        if (kk_render_mem(m, i % 5 ? "html" : "txt", lang, &d, &n) != KK_OK)
            return (void *)1;
        int bad = strstr(d, strcmp(lang, "ja") ? "Evidence list" : "証拠一覧") == NULL;
        free(d);
        if (bad)
            return (void *)2;
    }
    json_decref(m);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    pthread_t a, b;
    void *ra, *rb;
    pthread_create(&a, NULL, thread_render, "ja");
    pthread_create(&b, NULL, thread_render, "en");
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    assert_null(ra);
    assert_null(rb);
}

static void test_font(void **state)
{
    (void)state;
    const char *f = kk_render_pdf_font();
    if (!f)
        fail_msg("%s", kk_err_msg());
    assert_true(strlen(f) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_damaged), /* first: forks before catalogs load */
        cmocka_unit_test(test_tr),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_font),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_mistyped),
        cmocka_unit_test(test_receipt),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
