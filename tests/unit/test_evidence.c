/* test_evidence.c - unit tests of src/evidence and src/artifact: safe names, zoned
 * times, the custody chain, target files and matching, bundle + verify in process,
 * and a bundle whose writes fail (RLIMIT_FSIZE in a child process). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "artifact/targets.h"
#include "evidence/bundle.h"
#include "evidence/case.h"
#include "evidence/custody.h"
#include "evidence/evutil.h"
#include "evidence/sign.h"
#include "util/err.h"
#include "util/mem.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *safe(const char *s, size_t n)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_safe_component(&b, s, n), KK_OK);
    return kk_buf_steal(&b);
}

static void t_safe_names(void **st)
{
    (void)st;
    struct { const char *in; const char *out; } cases[] = {
        {"SYSTEM", "SYSTEM"}, {"a b.txt", "a b.txt"}, {".", "%2E"}, {"..", "%2E%2E"},
        {"a/b", "a%2Fb"}, {"a\\b", "a%5Cb"}, {"x:y", "x%3Ay"}, {"CON", "%43ON"}, {"nul.txt", "%6Eul.txt"},
        {"com1", "%63om1"}, {"console", "console"}, {" lead", "%20lead"}, {"trail.", "trail%2E"},
        {"\xe6\x97\xa5", "%E6%97%A5"}, {"a\nb", "a%0Ab"}, {"%41", "%41"}, {"$MFT", "$MFT"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *s = safe(cases[i].in, strlen(cases[i].in));
        assert_string_equal(s, cases[i].out);
        free(s);
    }
    char *s = safe("a\0b", 3);
    assert_string_equal(s, "a%00b");
    free(s);
    s = safe("", 0);
    assert_string_equal(s, "_");
    free(s);
    /* random bytes: always safe, idempotent, bounded */
    srand(42);
    for (int r = 0; r < 3000; r++) {
        char in[300];
        size_t n = (size_t)(rand() % 300);
        for (size_t i = 0; i < n; i++)
            in[i] = (char)(rand() % 6 == 0 ? "./\\:\0 "[rand() % 6] : rand() % 256);
        char *a = safe(in, n);
        assert_true(strlen(a) <= KK_SAFE_MAX);
        assert_null(strchr(a, '/'));
        assert_true(kk_is_safe_relpath(a));
        for (const char *p = a; *p; p++)
            assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && *p != '\\' && *p != ':');
        char *b = safe(a, strlen(a));
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_safe_relpath(&b, "/../../etc//passwd"), KK_OK);
    assert_string_equal(kk_buf_str(&b), "%2E%2E/%2E%2E/etc/passwd");
    kk_buf_free(&b);
    assert_false(kk_is_safe_relpath("a/../b"));
    assert_false(kk_is_safe_relpath("/abs"));
    assert_true(kk_is_safe_relpath("artifacts/x/0/Windows/SYSTEM"));
}

static void t_times(void **st)
{
    (void)st;
    int64_t t;
    char out[KK_TIME_LEN];
    assert_int_equal(kk_time_parse("2024-05-01T10:30", "Asia/Tokyo", &t), KK_OK);
    assert_int_equal(t, 1714527000);
    kk_time_in_zone(t, "Asia/Tokyo", out);
    assert_string_equal(out, "2024-05-01T10:30:00+09:00");
    assert_int_equal(kk_time_parse("2024-05-01 01:30:00Z", "Asia/Tokyo", &t), KK_OK);
    assert_int_equal(t, 1714527000);
    assert_int_equal(kk_time_parse("2024-05-01T03:30:00.123+02:00", "UTC", &t), KK_OK);
    assert_int_equal(t, 1714527000);
    assert_int_equal(kk_time_parse("2024-05-01T03:30+0200", "UTC", &t), KK_OK);
    assert_int_equal(t, 1714527000);
    assert_int_equal(kk_time_parse("2024-05-01", "Asia/Tokyo", &t), KK_OK);
    assert_int_equal(kk_time_parse("2024-07-01T12:00", "Europe/Berlin", &t), KK_OK);
    kk_time_in_zone(t, "Europe/Berlin", out);
    assert_string_equal(out, "2024-07-01T12:00:00+02:00");
    const char *bad[] = {"", "2024", "2024-13-01", "2023-02-29", "2024-05-01T25:00", "2024-05-01T10:30:00+99:00",
                         "yesterday", "2024-05-01T10:30Zjunk", "2024-05-01T10", "10:30"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(kk_time_parse(bad[i], "Asia/Tokyo", &t), KK_EINVAL);
    assert_int_equal(kk_time_parse("2024-05-01T10:30", "Nowhere/City", &t), KK_EINVAL);
    /* a DST gap does not exist */
    assert_int_equal(kk_time_parse("2024-03-31T02:30", "Europe/Berlin", &t), KK_EINVAL);
    assert_true(kk_tz_valid("Asia/Tokyo"));
    assert_true(kk_tz_valid("UTC"));
    assert_false(kk_tz_valid("../etc/passwd"));
    assert_false(kk_tz_valid("/etc/localtime"));
}

static char tmpdir[64];

static int setup(void **st)
{
    (void)st;
    strcpy(tmpdir, "/tmp/kk-test-evidence-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void t_custody(void **st)
{
    (void)st;
    char *p = kk_asprintf("%s/custody.jsonl", tmpdir);
    char *argv[] = {"case", "note", "x"};
    for (int i = 0; i < 3; i++) {
        kk_custody_info ci = {.version = "t", .command = "case note", .argc = 3, .argv = argv};
        assert_int_equal(kk_custody_append(p, "Asia/Tokyo", "Sato", &ci), KK_OK);
    }
    kk_custody_check c;
    assert_int_equal(kk_custody_check_file(p, &c), KK_OK);
    assert_int_equal(c.entries, 3);
    assert_int_equal(c.bad_line, 0);
    /* flip one byte of line 2 */
    FILE *f = fopen(p, "r+");
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf, f);
    char *l2 = strchr(buf, '\n') + 1;
    char *e = strstr(l2, "Sato");
    e[0] = 'X';
    fseek(f, 0, SEEK_SET);
    fwrite(buf, 1, n, f);
    fclose(f);
    assert_int_equal(kk_custody_check_file(p, &c), KK_OK);
    assert_int_equal(c.bad_line, 3); /* line 3's prev no longer matches line 2 */
    kk_custody_info ci = {.command = "x"};
    assert_int_equal(kk_custody_append(p, "UTC", NULL, &ci), KK_EFORMAT);
    /* a line without its end */
    assert_int_equal(kk_custody_check_buf("{\"seq\":1}", 9, &c), KK_OK);
    assert_int_equal(c.bad_line, 1);
    free(p);
}

static void t_targets(void **st)
{
    (void)st;
    kk_targets t = {0};
    assert_int_equal(kk_targets_parse(&t,
                                      "# c\ntarget: reg\nos: windows\npath: /Windows/System32/config/SAM\n"
                                      "path: /Users/*/NTUSER.DAT\npath: /$Extend/$UsnJrnl:$J\n"
                                      "target: hist\nos: linux\npath: /home/**/.bash_history\n",
                                      "mem"),
                     KK_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(kk_targets_select(&t, "all", NULL, NULL), KK_OK);
    assert_non_null(kk_targets_match(&t, "/windows/system32/CONFIG/sam", 0));
    assert_non_null(kk_targets_match(&t, "/Users/bob/ntuser.dat", 1));
    assert_null(kk_targets_match(&t, "/Users/bob/x/NTUSER.DAT", 1));
    assert_non_null(kk_targets_match(&t, "/$Extend/$UsnJrnl:$J", 1));
    assert_null(kk_targets_match(&t, "/$Extend/$UsnJrnl:$Max", 1));
    assert_non_null(kk_targets_match(&t, "/home/.bash_history", 0));
    assert_non_null(kk_targets_match(&t, "/home/a/b/c/.bash_history", 0));
    assert_null(kk_targets_match(&t, "/home/a/.BASH_HISTORY", 0));
    assert_non_null(kk_targets_match(&t, "/home/a/.BASH_HISTORY", 1)); /* on a Windows volume */
    int ex[1] = {0};
    const char *extra[] = {"matched", NULL};
    assert_int_equal(kk_targets_select(&t, "hist,matched", extra, ex), KK_OK);
    assert_int_equal(ex[0], 1);
    assert_null(kk_targets_match(&t, "/Windows/System32/config/SAM", 1));
    assert_int_equal(kk_targets_select(&t, "nosuch", NULL, NULL), KK_EINVAL);
    for (size_t i = 0; i < t.n; i++) {
        free(t.v[i].name); free(t.v[i].os); free(t.v[i].file); free(t.v[i].description); free(t.v[i].category);
        for (size_t k = 0; k < t.v[i].npaths; k++)
            free(t.v[i].paths[k]);
        free(t.v[i].paths);
    }
    free(t.v);
    const char *bad[] = {"path: /a\n", "target: X\npath: /a\n", "target: a\npath: rel\n", "target: a\npath: /a/../b\n",
                         "target: a\nfoo: bar\npath: /a\n", "target: a\n", "target: a\npath: /a\ntarget: a\npath: /b\n",
                         "target: a\nos: beos\npath: /a\n", "garbage line\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        kk_targets *b = kk_calloc(1, sizeof *b);
        assert_int_equal(kk_targets_parse(b, bad[i], "bad"), KK_EFORMAT);
        kk_targets_free(b);
    }
    /* the shipped targets load */
    kk_targets *real = NULL;
    assert_int_equal(kk_targets_load("signatures/targets", &real), KK_OK);
    assert_true(real->n >= 15);
    assert_int_equal(kk_targets_select(real, "all", NULL, NULL), KK_OK);
    const char *must[] = {"/Windows/System32/config/SYSTEM", "/Windows/System32/config/SECURITY",
                          "/Windows/AppCompat/Programs/Amcache.hve", "/Users/x/NTUSER.DAT",
                          "/Users/x/AppData/Local/Microsoft/Windows/UsrClass.dat",
                          "/Windows/System32/winevt/Logs/Security.evtx", "/Windows/Prefetch/A.EXE-1.pf", "/$MFT",
                          "/$LogFile", "/$Extend/$UsnJrnl:$J", "/Windows/System32/Tasks/Sub/T",
                          "/Users/x/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt",
                          "/Users/x/AppData/Roaming/Microsoft/Windows/Recent/a.lnk",
                          "/Users/x/AppData/Local/Google/Chrome/User Data/Default/History", "/$Recycle.Bin/S-1/$IAB.txt",
                          "/etc/passwd", "/etc/shadow", "/etc/sudoers", "/var/spool/cron/crontabs/root",
                          "/etc/systemd/system/x.service", "/var/log/auth.log", "/var/log/secure",
                          "/var/log/journal/ab/system.journal", "/root/.bash_history", "/home/a/.ssh/authorized_keys",
                          "/home/a/.ssh/known_hosts", "/var/log/nginx/access.log", "/var/log/apache2/error.log"};
    for (size_t i = 0; i < sizeof must / sizeof *must; i++) {
        if (!kk_targets_match(real, must[i], must[i][1] != 'e' && must[i][1] != 'v' && must[i][1] != 'h' && must[i][1] != 'r'))
            fail_msg("no shipped target collects %s", must[i]);
    }
    kk_targets_free(real);
}

static void make_case(const char *dir, kk_key **key)
{
    kk_case *c = NULL;
    assert_int_equal(kk_case_init(dir, &c), KK_OK);
    const char *as[] = {"case_id=U-1", "engineer=Sato"};
    assert_int_equal(kk_case_set(c, as, 2), KK_OK);
    assert_int_equal(kk_case_note(c, "LAN cable unplugged", NULL), KK_OK);
    char *f = kk_asprintf("%s/../blob.bin", dir);
    FILE *fp = fopen(f, "w");
    for (int i = 0; i < 300000; i++)
        fputc(rand() & 255, fp);
    fclose(fp);
    assert_int_equal(kk_case_add_file(c, f, "dump", NULL), KK_OK);
    free(f);
    char *k = kk_asprintf("%s/../signing.key", dir);
    assert_int_equal(kk_key_generate(k, NULL, 1, key), KK_OK);
    free(k);
    kk_case_close(c);
}

static void t_bundle_roundtrip(void **st)
{
    (void)st;
    char *dir = kk_asprintf("%s/c1", tmpdir), *out = kk_asprintf("%s/c1.zip", tmpdir);
    kk_key *key = NULL;
    make_case(dir, &key);
    kk_bundle_opts o = {.case_dir = dir, .output = out, .key = key, .version = "t"};
    kk_bundle_result r;
    int brc = kk_bundle_create(&o, &r);
    if (brc != KK_OK)
        fail_msg("bundle: %s", kk_err_msg());
    char fpr[65];
    kk_key_fingerprint(key, fpr);
    assert_string_equal(r.fingerprint, fpr);
    kk_bundle_result_free(&r);
    kk_verify_opts vo = {.path = out, .expect_fingerprint = fpr};
    kk_verify_result vr;
    assert_int_equal(kk_bundle_verify(&vo, &vr), KK_OK);
    assert_int_equal(json_array_size(vr.problems), 0);
    assert_true(vr.signature_ok);
    assert_int_equal(vr.custody_entries, 1); /* library calls do not log; bundle does */
    kk_verify_result_free(&vr);
    /* refuses to overwrite, and refuses an output inside the case */
    assert_int_equal(kk_bundle_create(&o, &r), KK_EEXIST);
    kk_bundle_result_free(&r);
    char *inside = kk_asprintf("%s/report/x.zip", dir);
    kk_bundle_opts o2 = o;
    o2.output = inside;
    assert_int_equal(kk_bundle_create(&o2, &r), KK_EINVAL);
    kk_bundle_result_free(&r);
    free(inside);
    /* a signature by another key does not verify */
    unsigned char sig[64];
    assert_int_equal(kk_key_sign(key, "abc", 3, sig), KK_OK);
    char *pem = kk_key_public_pem(key);
    assert_int_equal(kk_sig_verify(pem, strlen(pem), "abc", 3, sig, 64, NULL), KK_OK);
    sig[5] ^= 1;
    assert_int_equal(kk_sig_verify(pem, strlen(pem), "abc", 3, sig, 64, NULL), KK_EINVAL);
    free(pem);
    kk_key_free(key);
    free(dir);
    free(out);
}

/* Writes fail after a few hundred KiB (RLIMIT_FSIZE, SIGXFSZ ignored): the bundle step
 * reports an I/O error and leaves no file named like the bundle. */
static void t_bundle_write_failure(void **st)
{
    (void)st;
    char *dir = kk_asprintf("%s/c2", tmpdir), *out = kk_asprintf("%s/c2.zip", tmpdir);
    kk_key *key = NULL;
    make_case(dir, &key);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {150000, 150000};
        setrlimit(RLIMIT_FSIZE, &rl);
        kk_bundle_opts o = {.case_dir = dir, .output = out, .key = key, .version = "t"};
        kk_bundle_result r;
        int rc = kk_bundle_create(&o, &r);
        kk_bundle_result_free(&r);
        _exit(rc == KK_EIO && strstr(kk_err_msg(), "too large") ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0);
    char *part = kk_asprintf("%s.part", out);
    assert_int_not_equal(stat(part, &sb), 0);
    free(part);
    /* the attempt is in the custody log, and the case still seals afterwards */
    kk_case *c = NULL;
    assert_int_equal(kk_case_open(dir, 0, &c), KK_OK);
    char *cp = kk_case_path(c, "custody.jsonl");
    kk_custody_check chk;
    assert_int_equal(kk_custody_check_file(cp, &chk), KK_OK);
    assert_int_equal(chk.bad_line, 0);
    free(cp);
    kk_case_close(c);
    kk_bundle_opts o = {.case_dir = dir, .output = out, .key = key, .version = "t"};
    kk_bundle_result r;
    assert_int_equal(kk_bundle_create(&o, &r), KK_OK);
    kk_bundle_result_free(&r);
    kk_key_free(key);
    free(dir);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_safe_names),
        cmocka_unit_test(t_times),
        cmocka_unit_test(t_custody),
        cmocka_unit_test(t_targets),
        cmocka_unit_test(t_bundle_roundtrip),
        cmocka_unit_test(t_bundle_write_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
