/* test_scan.c - unit tests for src/scan: the file type table, IOC lists (hash and file
 * name lines), the YARA rules loader (directories, broken files, index files, externals,
 * compiled rules), the JSON Lines writer, and the scan engine on small host trees
 * (records, windows of large files, string caps, IOC hits, size cap). */
#include "kk_test.h"

#include "scan/engine.h"
#include "scan/filetype.h"
#include "scan/ioc.h"
#include "scan/rules.h"
#include "scan/writer.h"
#include "util/err.h"
#include "util/mem.h"

#include <ftw.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */




static char *put_file(const char *dir, const char *rel, const void *data, size_t n)
{
    char *p = kk_asprintf("%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return p;
}

static char *put_text(const char *dir, const char *rel, const char *text)
{
    return put_file(dir, rel, text, strlen(text));
}



/* Warnings collected from loaders. */
typedef struct warns {
    int n;
    char msg[64][1024];
    char what[64][32];
} warns;

static void collect_warn(void *ctx, const char *what, const char *message)
{
    warns *w = ctx;
    if (w->n < 64) {
        snprintf(w->what[w->n], sizeof w->what[0], "%s", what);
        snprintf(w->msg[w->n], sizeof w->msg[0], "%s", message);
    }
    w->n++;
}

static int warned(const warns *w, const char *part)
{
    for (int i = 0; i < w->n && i < 64; i++)
        if (strstr(w->msg[i], part))
            return 1;
    return 0;
}

static void unhex(const char *h, unsigned char *out)
{
    for (size_t i = 0; h[2 * i] && h[2 * i + 1]; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

static void digest_hex(const EVP_MD *md, const void *p, size_t n, char *out)
{
    unsigned char d[64];
    unsigned dl = 0;
    EVP_Digest(p, n, d, &dl, md, NULL);
    for (unsigned i = 0; i < dl; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static int group_setup(void **state)
{
    (void)state;
    return kk_yara_init() == KK_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    kk_yara_fini();
    return 0;
}

/* ---- file type table ------------------------------------------------------------------- */

static kk_filetypes *load_table(const char *dir, const char *text, int *rc)
{
    char *p = put_text(dir, "ft.txt", text);
    kk_filetypes *t = NULL;
    *rc = kk_filetypes_load(p, &t);
    free(p);
    return t;
}

static void filetype_table_longest_match(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    int rc;
    kk_filetypes *t = load_table(d,
                                 "# comment; with a semicolon\n"
                                 "\n"
                                 "4D 5A;EXE\n"
                                 "50 4B 03 04;ZIP\n"
                                 "50 4B 03 04 14 00 06 00;Office\n"
                                 "504B0506;PKZIP\n"          /* no spaces */
                                 "7f 45 4c 46;ELF\n"         /* lower-case hex */
                                 "AA BB;FIRST\n"
                                 "AA BB;SECOND\n"            /* tie: the first wins */
                                 "CA FE;CAFE\r\n"            /* CRLF */
                                 "\t25 50\t44 46 ;PDF\n"      /* blanks around bytes */
                                 "no semicolon here\n"      /* ignored */
                                 "4D;\n",                    /* no name: ignored */
                                 &rc);
    assert_int_equal(rc, KK_OK);
    assert_non_null(t);
    assert_string_equal(kk_filetype(t, (const unsigned char *)"MZ\x90\x00", 4), "EXE");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"PK\x03\x04\x14\x00\x06\x00rest", 12), "Office");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"PK\x03\x04\x0a\x00", 6), "ZIP");
    /* the longer magic needs all its bytes: a short buffer falls back to the shorter one */
    assert_string_equal(kk_filetype(t, (const unsigned char *)"PK\x03\x04\x14\x00", 6), "ZIP");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"PK\x05\x06", 4), "PKZIP");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"\x7f" "ELF", 4), "ELF");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"\xaa\xbb", 2), "FIRST");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"\xca\xfe\xba\xbe", 4), "CAFE");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"%PDF-1.7", 8), "PDF");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"M", 1), "");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"", 0), "");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"\x00\x00\x00\x00", 4), "");
    assert_string_equal(kk_filetype(NULL, (const unsigned char *)"MZ", 2), "");
    kk_filetypes_free(t);
    kk_filetypes_free(NULL);
    rm_tree(d);
}

static void filetype_table_errors(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    int rc;
    kk_filetypes *t = load_table(d, "4D 5A;EXE\nZZ;BAD\n", &rc);
    assert_int_equal(rc, KK_EFORMAT);
    assert_null(t);
    assert_non_null(strstr(kk_err_msg(), "ft.txt:2"));
    t = load_table(d, "4D5;ODD\n", &rc); /* odd number of digits */
    assert_int_equal(rc, KK_EFORMAT);
    /* 65 bytes: longer than the header the table may need */
    char line[400] = "";
    for (int i = 0; i < KK_FILETYPE_HEADER + 1; i++)
        strcat(line, "41 ");
    strcat(line, ";LONG\n");
    t = load_table(d, line, &rc);
    assert_int_equal(rc, KK_EFORMAT);
    /* exactly the maximum is fine */
    line[0] = '\0';
    for (int i = 0; i < KK_FILETYPE_HEADER; i++)
        strcat(line, "41");
    strcat(line, ";MAX\n");
    t = load_table(d, line, &rc);
    assert_int_equal(rc, KK_OK);
    unsigned char a[KK_FILETYPE_HEADER];
    memset(a, 'A', sizeof a);
    assert_string_equal(kk_filetype(t, a, sizeof a), "MAX");
    assert_string_equal(kk_filetype(t, a, sizeof a - 1), "");
    kk_filetypes_free(t);
    char *missing = kk_asprintf("%s/none.txt", d);
    assert_int_equal(kk_filetypes_load(missing, &t), KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "none.txt"));
    free(missing);
    rm_tree(d);
}

/* A comment longer than the line buffer (511 bytes) must stay a comment: its tail is
 * not a table line (fgets splits it today, and "xxx;..." then fails as bad magic). */
static void filetype_table_long_comment(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char text[2048];
    int n = snprintf(text, sizeof text, "# ");
    for (int i = 0; i < 600; i++)
        text[n++] = 'x';
    n += snprintf(text + n, sizeof text - (size_t)n, "; see upstream\n4D 5A;EXE\n");
    int rc;
    kk_filetypes *t = load_table(d, text, &rc);
    rm_tree(d);
    if (rc != KK_OK)
        fail_msg("a 600-character comment line breaks the table: %s", kk_err_msg());
    assert_string_equal(kk_filetype(t, (const unsigned char *)"MZ", 2), "EXE");
    kk_filetypes_free(t);
}

static void filetype_bundled_table(void **state)
{
    (void)state;
    kk_filetypes *t = NULL;
    if (access("signatures/filetypes.txt", R_OK) != 0) {
        skip();
        return;
    }
    assert_int_equal(kk_filetypes_load("signatures/filetypes.txt", &t), KK_OK);
    assert_string_equal(kk_filetype(t, (const unsigned char *)"MZ\x90\x00\x03", 5), "EXE");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"\x7f" "ELF\x02\x01", 6), "ELF");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"PK\x03\x04\x14\x00\x06\x00", 8), "Office");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"MDMP\x93\xa7", 6), "MDMP");
    assert_string_equal(kk_filetype(t, (const unsigned char *)"plain text", 10), "");
    kk_filetypes_free(t);
}

/* ---- IOC lists ---------------------------------------------------------------------------- */

#define MD5_EICAR "44d88612fea8a8f36de82e1278abb02f"
#define SHA1_EICAR "3395856ce81f2b7382dee72602f798b642f14140"
#define SHA256_EICAR "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"

typedef struct fhits {
    int n;
    char ioc[16][256];
    char desc[16][256];
    int score[16];
} fhits;

static void on_fhit(void *ctx, const kk_ioc_hit *h)
{
    fhits *f = ctx;
    assert_string_equal(h->kind, "filename");
    if (f->n < 16) {
        snprintf(f->ioc[f->n], sizeof f->ioc[0], "%s", h->ioc);
        snprintf(f->desc[f->n], sizeof f->desc[0], "%s", h->desc ? h->desc : "");
        f->score[f->n] = h->score;
    }
    f->n++;
}

static fhits fname(const kk_iocs *s, const char *path)
{
    fhits f;
    memset(&f, 0, sizeof f);
    kk_iocs_filename(s, path, on_fhit, &f);
    return f;
}

static void ioc_hash_lines(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "hash-iocs.txt",
                       "# hashes\n"
                       "\n"
                       MD5_EICAR ";EICAR md5\n"
                       "3395856CE81F2B7382DEE72602F798B642F14140;EICAR sha1 (upper case)\r\n"
                       SHA256_EICAR ";EICAR sha256; with a semicolon\n"
                       "0123456789abcdef0123456789abcdef\n"         /* no comment */
                       "0123456789abcdef0123456789abcdeg;not hex\n" /* bad digit */
                       "0123456789abcdef0123456789abcde;31 digits\n");
    kk_iocs *s;
    assert_int_equal(kk_iocs_new(&s), KK_OK);
    warns w = {0};
    assert_int_equal(kk_iocs_load(s, p, collect_warn, &w), KK_OK);
    kk_iocs_finish(s);
    assert_int_equal(kk_iocs_count(s), 4);
    assert_true(kk_iocs_want_md5(s));
    assert_true(kk_iocs_want_sha1(s));
    /* the two bad lines are warnings naming file:line */
    assert_int_equal(w.n, 2);
    assert_true(warned(&w, "hash-iocs.txt:7:"));
    assert_true(warned(&w, "hash-iocs.txt:8:"));
    assert_string_equal(w.what[0], "ioc");

    unsigned char dg[32];
    kk_ioc_hit hit;
    unhex(MD5_EICAR, dg);
    assert_int_equal(kk_iocs_hash(s, dg, 16, &hit), 1);
    assert_string_equal(hit.kind, "md5");
    assert_string_equal(hit.ioc, MD5_EICAR);
    assert_string_equal(hit.desc, "EICAR md5");
    unhex(SHA1_EICAR, dg);
    assert_int_equal(kk_iocs_hash(s, dg, 20, &hit), 1);
    assert_string_equal(hit.kind, "sha1");
    assert_string_equal(hit.ioc, SHA1_EICAR); /* lower-cased */
    assert_string_equal(hit.desc, "EICAR sha1 (upper case)");
    unhex(SHA256_EICAR, dg);
    assert_int_equal(kk_iocs_hash(s, dg, 32, &hit), 1);
    assert_string_equal(hit.kind, "sha256");
    assert_string_equal(hit.desc, "EICAR sha256; with a semicolon");
    assert_int_equal(hit.score, 100);
    unhex("0123456789abcdef0123456789abcdef", dg);
    assert_int_equal(kk_iocs_hash(s, dg, 16, &hit), 1);
    assert_string_equal(hit.desc, "");
    /* same bytes, other length: no confusion between kinds */
    assert_int_equal(kk_iocs_hash(s, dg, 20, &hit), 0);
    dg[0] ^= 1;
    assert_int_equal(kk_iocs_hash(s, dg, 16, &hit), 0);
    kk_iocs_free(s);
    free(p);
    rm_tree(d);
}

static void ioc_hash_needs_finish(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "h.txt", MD5_EICAR ";x\n");
    kk_iocs *s;
    kk_iocs_new(&s);
    assert_int_equal(kk_iocs_load(s, p, NULL, NULL), KK_OK);
    unsigned char dg[16];
    unhex(MD5_EICAR, dg);
    kk_ioc_hit hit;
    assert_int_equal(kk_iocs_hash(s, dg, 16, &hit), 0); /* documented: finish first */
    kk_iocs_finish(s);
    assert_int_equal(kk_iocs_hash(s, dg, 16, &hit), 1);
    assert_false(kk_iocs_want_sha1(s));
    kk_iocs_free(s);
    kk_iocs_free(NULL);
    free(p);
    rm_tree(d);
}

/* Only 16, 20 and 32-byte digests are listed; another length (a SHA-512 from a future
 * caller) must be "not listed", not a copy past the 32-byte key. Runs in a child. */
static void ioc_hash_other_lengths(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "h.txt", SHA256_EICAR ";x\n");
    kk_iocs *s;
    kk_iocs_new(&s);
    assert_int_equal(kk_iocs_load(s, p, NULL, NULL), KK_OK);
    kk_iocs_finish(s);
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        unsigned char dg[128];
        unhex(SHA256_EICAR, dg);
        memset(dg + 32, 0x41, sizeof dg - 32);
        kk_ioc_hit hit;
        static const size_t lens[] = {0, 1, 31, 33, 48, 64, 128};
        for (size_t i = 0; i < sizeof lens / sizeof *lens; i++)
            if (kk_iocs_hash(s, dg, lens[i], &hit) != 0)
                _exit(10 + (int)i);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    kk_iocs_free(s);
    free(p);
    rm_tree(d);
    if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 0 && WEXITSTATUS(st) < 10))
        fail_msg("kk_iocs_hash with a 33..128-byte digest crashed: memcpy(key.d, d, n) is not "
                 "bounded by sizeof key.d");
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void ioc_filename_lines(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "filename-iocs.txt",
                       "# file names\n"
                       "\\\\Temp\\\\evil\\.exe$;80\n"                         /* 2 */
                       "[\\\\/]mimikatz\\.exe$;75;[\\\\/]Tools[\\\\/]\n"       /* 3: with FP regex */
                       "^/etc/ld\\.so\\.preload$;50\n"                       /* 4 */
                       "just some words\n"                                   /* 5: bad */
                       "evil;abc\n"                                          /* 6: bad score */
                       "evil;101\n"                                          /* 7: score > 100 */
                       "evil;-1\n"                                           /* 8: negative */
                       "(unclosed;50\n"                                      /* 9: bad regex */
                       "fine\\.exe;50;(bad fp\n"                             /* 10: bad FP regex */
                       "\\.zero$;0\n");                                      /* 11: score 0 is valid */
    kk_iocs *s;
    kk_iocs_new(&s);
    warns w = {0};
    assert_int_equal(kk_iocs_load(s, p, collect_warn, &w), KK_OK);
    kk_iocs_finish(s);
    assert_int_equal(kk_iocs_count(s), 4);
    assert_false(kk_iocs_want_md5(s));
    for (int line = 5; line <= 10; line++) {
        char want[64];
        snprintf(want, sizeof want, "filename-iocs.txt:%d:", line);
        if (!warned(&w, want))
            fail_msg("no warning for %s", want);
    }
    assert_int_equal(w.n, 6);
    assert_true(warned(&w, "bad regular expression"));

    fhits h = fname(s, "C:\\Windows\\Temp\\evil.exe");
    assert_int_equal(h.n, 1);
    assert_string_equal(h.ioc[0], "\\\\Temp\\\\evil\\.exe$");
    assert_int_equal(h.score[0], 80);
    h = fname(s, "C:\\Temp\\evil.exe.txt");
    assert_int_equal(h.n, 0);
    h = fname(s, "C:\\Users\\a\\Downloads\\mimikatz.exe");
    assert_int_equal(h.n, 1);
    assert_int_equal(h.score[0], 75);
    h = fname(s, "C:\\Tools\\mimikatz.exe"); /* the FP regex cancels it */
    assert_int_equal(h.n, 0);
    h = fname(s, "/etc/ld.so.preload");
    assert_int_equal(h.n, 1);
    h = fname(s, "/srv/etc/ld.so.preload");
    assert_int_equal(h.n, 0);
    h = fname(s, "/a/b.zero");
    assert_int_equal(h.n, 1);
    assert_int_equal(h.score[0], 0);
    /* evidence paths are not always valid UTF-8 */
    h = fname(s, "C:\\Temp\\\xff\xfe\\evil.exe");
    assert_int_equal(h.n, 0);
    h = fname(s, "/x/\xff\xfe/mimikatz.exe");
    assert_int_equal(h.n, 1);
    kk_iocs_free(s);
    free(p);
    rm_tree(d);
}

/* LOKI/signature-base semantics, and what signatures/iocs/filename-iocs.txt says about
 * itself: a regex is case-sensitive unless it starts with (?i) ("\.PLAY$;60 - upper
 * case only: .play is a common word"), and the last comment line above an indicator
 * is its description. */
static const char loki_names[] = "# Play encrypted file (upper case only)\n"
                                 "\\.PLAY$;60\n"
                                 "# LockBit 2.0 ransom note\n"
                                 "(?i)[\\\\/]Restore-My-Files\\.txt$;85\n";

static kk_iocs *load_loki_names(char **dir)
{
    *dir = make_tmpdir();
    char *p = put_text(*dir, "filename-iocs.txt", loki_names);
    kk_iocs *s;
    kk_iocs_new(&s);
    assert_int_equal(kk_iocs_load(s, p, NULL, NULL), KK_OK);
    kk_iocs_finish(s);
    free(p);
    return s;
}

static void ioc_filename_case_sensitive(void **state)
{
    (void)state;
    char *d;
    kk_iocs *s = load_loki_names(&d);
    fhits h = fname(s, "C:\\data\\report.PLAY");
    assert_int_equal(h.n, 1);
    h = fname(s, "C:\\restore-my-files.TXT"); /* (?i) */
    assert_int_equal(h.n, 1);
    h = fname(s, "C:\\games\\save.play");
    kk_iocs_free(s);
    rm_tree(d);
    if (h.n != 0)
        fail_msg("'\\.PLAY$' matched 'save.play': IOC regexes are compiled case-insensitive");
}

static void ioc_filename_description(void **state)
{
    (void)state;
    char *d;
    kk_iocs *s = load_loki_names(&d);
    fhits h1 = fname(s, "C:\\data\\report.PLAY");
    fhits h2 = fname(s, "C:\\Restore-My-Files.txt");
    kk_iocs_free(s);
    rm_tree(d);
    assert_int_equal(h1.n, 1);
    assert_int_equal(h2.n, 1);
    assert_string_equal(h1.desc[0], "Play encrypted file (upper case only)");
    assert_string_equal(h2.desc[0], "LockBit 2.0 ransom note");
}

static void ioc_directory_and_errors(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    make_dir(d, "iocs");
    free(put_text(d, "iocs/a-hash.txt", MD5_EICAR ";eicar\n"));
    free(put_text(d, "iocs/b-names.txt", "evil\\.exe$;50\n"));
    free(put_text(d, "iocs/.hidden.txt", "garbage line\n"));
    free(put_text(d, "iocs/notes.md", "garbage line\n"));
    make_dir(d, "iocs/sub"); /* not recursed */
    free(put_text(d, "iocs/sub/c.txt", SHA1_EICAR ";x\n"));
    char *dir = kk_asprintf("%s/iocs", d);
    kk_iocs *s;
    kk_iocs_new(&s);
    warns w = {0};
    assert_int_equal(kk_iocs_load(s, dir, collect_warn, &w), KK_OK);
    assert_int_equal(w.n, 0);
    assert_int_equal(kk_iocs_count(s), 2);
    char *missing = kk_asprintf("%s/nope.txt", d);
    assert_int_equal(kk_iocs_load(s, missing, collect_warn, &w), KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "nope.txt"));
    /* a file with no newline at the end, NUL bytes and a huge line */
    char big[200000];
    memset(big, 'a', sizeof big);
    memcpy(big, MD5_EICAR ";x\n", 35);
    big[100] = '\0';
    big[sizeof big - 2] = ';';
    big[sizeof big - 1] = '5';
    char *odd = put_file(d, "odd.txt", big, sizeof big);
    assert_int_equal(kk_iocs_load(s, odd, collect_warn, &w), KK_OK);
    kk_iocs_free(s);
    free(odd);
    free(missing);
    free(dir);
    rm_tree(d);
}

static void ioc_bundled_lists_load_cleanly(void **state)
{
    (void)state;
    if (access("signatures/iocs", R_OK) != 0) {
        skip();
        return;
    }
    kk_iocs *s;
    kk_iocs_new(&s);
    warns w = {0};
    assert_int_equal(kk_iocs_load(s, "signatures/iocs", collect_warn, &w), KK_OK);
    if (w.n)
        fail_msg("%d warnings, first: %s", w.n, w.msg[0]);
    kk_iocs_finish(s);
    assert_true(kk_iocs_count(s) > 10);
    unsigned char dg[32];
    kk_ioc_hit hit;
    unhex(SHA256_EICAR, dg);
    assert_int_equal(kk_iocs_hash(s, dg, 32, &hit), 1);
    kk_iocs_free(s);
}

/* ---- rules loader -------------------------------------------------------------------------- */

static const char good_yar[] =
    "rule Good : tag1 tag2\n"
    "{\n"
    "    meta:\n"
    "        author = \"kk\"\n"
    "        ref = \"a\"\n"
    "        ref = \"b\"\n"
    "    strings:\n"
    "        $m = \"KK-GOOD-MARKER\"\n"
    "    condition:\n"
    "        $m\n"
    "}\n";

static const char broken_yar[] =
    "rule Broken\n"
    "{\n"
    "    condition: true and and\n"
    "}\n";

static const char ext_yar[] =
    "rule Ext\n"
    "{\n"
    "    condition:\n"
    "        filename == \"x.exe\" and extension == \".exe\" and filetype == \"EXE\"\n"
    "        and owner == \"root\" and filepath == \"C:\\\\Temp\"\n"
    "}\n";

static const char nested_yara[] = "rule Nested { strings: $n = \"KK-NESTED\" condition: $n }\n";

/* rules/: good.yar broken.yar ext.yar index.yar (includes good.yar) sub/nested.yara
 *         .hidden.yar (broken, ignored) readme.txt (ignored) */
static char *make_rules_dir(const char *d)
{
    make_dir(d, "rules");
    make_dir(d, "rules/sub");
    free(put_text(d, "rules/good.yar", good_yar));
    free(put_text(d, "rules/broken.yar", broken_yar));
    free(put_text(d, "rules/ext.yar", ext_yar));
    free(put_text(d, "rules/index.yar", "// index\n/* all\n   of them */\ninclude \"good.yar\"\n\n"));
    free(put_text(d, "rules/sub/nested.yara", nested_yara));
    free(put_text(d, "rules/.hidden.yar", broken_yar));
    free(put_text(d, "rules/readme.txt", "not rules\n"));
    return kk_asprintf("%s/rules", d);
}

static int load_rules(const char *const *paths, size_t n, warns *w, kk_rules **r)
{
    *r = NULL;
    return kk_rules_load(paths, n, collect_warn, w, r);
}

static void rules_directory_good_and_broken(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *dir = make_rules_dir(d);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {dir};
    assert_int_equal(load_rules(paths, 1, &w, &r), KK_OK);
    assert_non_null(r);
    assert_int_equal(r->nfailed, 1);
    assert_int_equal(r->nfiles, 3);   /* good, ext, sub/nested; index skipped */
    assert_int_equal(r->nrules, 3);
    assert_false(r->compiled);
    assert_int_equal(strlen(r->sha256), 64);
    /* the warning names file:line */
    assert_int_equal(w.n, 1);
    assert_string_equal(w.what[0], "rules");
    char *want = kk_asprintf("broken.yar:3:");
    if (!warned(&w, want))
        fail_msg("warning does not name broken.yar:3: '%s'", w.msg[0]);
    free(want);
    /* namespaces are the relative paths */
    int seen_nested = 0;
    YR_RULE *rule;
    yr_rules_foreach(r->yr, rule)
    {
        if (!strcmp(rule->identifier, "Nested")) {
            assert_string_equal(rule->ns->name, "sub/nested.yara");
            seen_nested = 1;
        }
        if (!strcmp(rule->identifier, "Good"))
            assert_string_equal(rule->ns->name, "good.yar");
    }
    assert_true(seen_nested);
    char sha[65];
    memcpy(sha, r->sha256, 65);
    kk_rules_free(r);

    /* same sources, same hash; a changed file, another hash */
    w.n = 0;
    assert_int_equal(load_rules(paths, 1, &w, &r), KK_OK);
    assert_string_equal(r->sha256, sha);
    kk_rules_free(r);
    free(put_text(d, "rules/sub/nested.yara", "rule Nested { condition: false }\n"));
    assert_int_equal(load_rules(paths, 1, &w, &r), KK_OK);
    assert_string_not_equal(r->sha256, sha);
    kk_rules_free(r);
    free(dir);
    rm_tree(d);
}

static void rules_broken_named_directly(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *dir = make_rules_dir(d);
    char *broken = kk_asprintf("%s/broken.yar", dir);
    char *good = kk_asprintf("%s/good.yar", dir);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {good, broken};
    assert_int_equal(load_rules(paths, 2, &w, &r), KK_ERULES);
    assert_null(r);
    assert_non_null(strstr(kk_err_msg(), "broken.yar:3:"));
    const char *one[] = {broken};
    assert_int_equal(load_rules(one, 1, &w, &r), KK_ERULES);
    assert_non_null(strstr(kk_err_msg(), "broken.yar:3:"));
    /* a directly named index file is loaded with its includes */
    char *index = kk_asprintf("%s/index.yar", dir);
    const char *idx[] = {index};
    assert_int_equal(load_rules(idx, 1, &w, &r), KK_OK);
    assert_int_equal(r->nrules, 1);
    kk_rules_free(r);
    /* a file named directly plus a directory */
    char *extra = put_text(d, "extra.yar", "rule Extra { condition: false }\n");
    const char *mixed[] = {extra, dir};
    w.n = 0;
    assert_int_equal(load_rules(mixed, 2, &w, &r), KK_OK);
    assert_int_equal(r->nrules, 4);
    assert_int_equal(w.n, 1); /* broken.yar in the directory */
    kk_rules_free(r);
    free(extra);
    free(index);
    free(broken);
    free(good);
    free(dir);
    rm_tree(d);
}

static void rules_nothing_to_load(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    warns w = {0};
    kk_rules *r;
    make_dir(d, "empty");
    char *empty = kk_asprintf("%s/empty", d);
    const char *p1[] = {empty};
    assert_int_equal(load_rules(p1, 1, &w, &r), KK_ERULES);
    make_dir(d, "bad");
    free(put_text(d, "bad/b1.yar", broken_yar));
    free(put_text(d, "bad/b2.yara", "rule { }\n"));
    char *bad = kk_asprintf("%s/bad", d);
    const char *p2[] = {bad};
    w.n = 0;
    assert_int_equal(load_rules(p2, 1, &w, &r), KK_ERULES);
    assert_int_equal(w.n, 2);
    make_dir(d, "norules");
    free(put_text(d, "norules/c.yar", "// nothing but a comment\nimport \"pe\"\n"));
    char *nor = kk_asprintf("%s/norules", d);
    const char *p3[] = {nor};
    assert_int_equal(load_rules(p3, 1, &w, &r), KK_ERULES);
    char *missing = kk_asprintf("%s/none.yar", d);
    const char *p4[] = {missing};
    assert_int_equal(load_rules(p4, 1, &w, &r), KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "none.yar"));
    free(missing);
    free(nor);
    free(bad);
    free(empty);
    rm_tree(d);
}

static int count_ext_cb(YR_SCAN_CONTEXT *ctx, int message, void *data, void *user)
{
    (void)ctx;
    if (message == CALLBACK_MSG_RULE_MATCHING && !strcmp(((YR_RULE *)data)->identifier, "Ext"))
        ++*(int *)user;
    return CALLBACK_CONTINUE;
}

static int scan_ext(YR_RULES *yr, int set)
{
    YR_SCANNER *sc;
    assert_int_equal(yr_scanner_create(yr, &sc), ERROR_SUCCESS);
    int matches = 0;
    yr_scanner_set_callback(sc, count_ext_cb, &matches);
    if (set) {
        yr_scanner_define_string_variable(sc, "filename", "x.exe");
        yr_scanner_define_string_variable(sc, "extension", ".exe");
        yr_scanner_define_string_variable(sc, "filetype", "EXE");
        yr_scanner_define_string_variable(sc, "owner", "root");
        yr_scanner_define_string_variable(sc, "filepath", "C:\\Temp");
    }
    assert_int_equal(yr_scanner_scan_mem(sc, (const uint8_t *)"MZ", 2), ERROR_SUCCESS);
    yr_scanner_destroy(sc);
    return matches;
}

/* The THOR externals are declared: rules using them compile, and a scanner can set them. */
static void rules_externals_usable(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "ext.yar", ext_yar);
    free(put_text(d, "plain.yar", nested_yara)); /* declares no external: still loads */
    char *plain = kk_asprintf("%s/plain.yar", d);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {p, plain};
    assert_int_equal(load_rules(paths, 2, &w, &r), KK_OK);
    assert_int_equal(r->nrules, 2);
    assert_int_equal(scan_ext(r->yr, 0), 0); /* declared as "" */
    assert_int_equal(scan_ext(r->yr, 1), 1);
    kk_rules_free(r);
    free(plain);
    free(p);
    rm_tree(d);
}

/* Compiled rules: one path holding them; not combinable with other rules. */
static void rules_compiled(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = put_text(d, "good.yar", good_yar);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {p};
    assert_int_equal(load_rules(paths, 1, &w, &r), KK_OK);
    char *bin = kk_asprintf("%s/rules.yarc", d);
    assert_int_equal(yr_rules_save(r->yr, bin), ERROR_SUCCESS);
    kk_rules_free(r);
    const char *cp[] = {bin};
    assert_int_equal(load_rules(cp, 1, &w, &r), KK_OK);
    assert_true(r->compiled);
    assert_int_equal(r->nrules, 1);
    assert_int_equal(strlen(r->sha256), 64);
    kk_rules_free(r);
    const char *both[] = {p, bin};
    assert_int_equal(load_rules(both, 2, &w, &r), KK_ERULES);
    /* corrupt compiled rules: an error, not a crash */
    free(put_text(d, "bad.yarc", "YARA garbage garbage garbage"));
    char *bad = kk_asprintf("%s/bad.yarc", d);
    const char *bp[] = {bad};
    assert_int_equal(load_rules(bp, 1, &w, &r), KK_ERULES);
    free(bad);
    free(bin);
    free(p);
    rm_tree(d);
}

/* A symlink loop inside a rules directory must not multiply the rules (today each
 * level down to the depth cap adds another copy: 33 namespaces for one file, and two
 * such links make it 2^32: a hang). */
static void rules_symlink_loop(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    make_dir(d, "rules");
    free(put_text(d, "rules/a.yar", "rule A { condition: true }\n"));
    char *link = kk_asprintf("%s/rules/loop", d);
    assert_int_equal(symlink(".", link), 0);
    char *dir = kk_asprintf("%s/rules", d);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {dir};
    assert_int_equal(load_rules(paths, 1, &w, &r), KK_OK);
    unsigned nfiles = r->nfiles, nrules = r->nrules;
    kk_rules_free(r);
    free(link);
    free(dir);
    rm_tree(d);
    if (nfiles != 1 || nrules != 1)
        fail_msg("a 'loop -> .' symlink in a rules directory loads %u files / %u rules instead of 1",
                 nfiles, nrules);
}

/* Two rule directories that both hold a file with the same relative path (two copies
 * of a rule set, or dirA/index.yar and dirB/index.yar): each file gets its own
 * namespace, so the load must not fail with "duplicated identifier". */
static void rules_same_relative_path_in_two_dirs(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    make_dir(d, "a");
    make_dir(d, "b");
    free(put_text(d, "a/common.yar", "rule Same { condition: true }\n"));
    free(put_text(d, "b/common.yar", "rule Same { condition: true }\n"));
    char *a = kk_asprintf("%s/a", d), *b = kk_asprintf("%s/b", d);
    warns w = {0};
    kk_rules *r;
    const char *paths[] = {a, b};
    int rc = load_rules(paths, 2, &w, &r);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", kk_err_msg());
    if (rc == KK_OK)
        kk_rules_free(r);
    /* the same with a file named directly and a directory holding one of that name */
    char *file = kk_asprintf("%s/common.yar", a);
    const char *paths2[] = {file, b};
    int rc2 = load_rules(paths2, 2, &w, &r);
    char msg2[1024];
    snprintf(msg2, sizeof msg2, "%s", kk_err_msg());
    if (rc2 == KK_OK)
        kk_rules_free(r);
    free(file);
    free(a);
    free(b);
    rm_tree(d);
    if (rc != KK_OK)
        fail_msg("two directories with a same-named file do not load together: %s", msg);
    if (rc2 != KK_OK)
        fail_msg("'-r a/common.yar -r b' (b holds common.yar) does not load: %s", msg2);
}

/* ---- writer ---------------------------------------------------------------------------------- */

typedef struct wthread {
    kk_writer *w;
    int id;
} wthread;

static void *writer_thread(void *arg)
{
    wthread *t = arg;
    for (int i = 0; i < 500; i++) {
        json_t *r = json_object();
        json_object_set_new(r, "type", json_string("test"));
        json_object_set_new(r, "thread", json_integer(t->id));
        json_object_set_new(r, "i", json_integer(i));
        json_object_set_new(r, "pad", json_string("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        if (kk_writer_put(t->w, r) != KK_OK)
            return (void *)1;
    }
    return NULL;
}

static void count_record(void *ctx, const json_t *rec)
{
    (void)rec;
    ++*(int *)ctx;
}

static void writer_whole_lines_from_threads(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *path = kk_asprintf("%s/findings.jsonl", d);
    char *part = kk_asprintf("%s.part", path);
    kk_writer *w;
    assert_int_equal(kk_writer_open(&w, path, 0), KK_OK);
    int count = 0;
    kk_writer_on_record(w, count_record, &count);
    pthread_t th[4];
    wthread args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (wthread){w, i};
        pthread_create(&th[i], NULL, writer_thread, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        void *rv;
        pthread_join(th[i], &rv);
        assert_null(rv);
    }
    assert_int_equal(access(path, F_OK), -1); /* only .part until the end */
    assert_int_equal(access(part, F_OK), 0);
    assert_int_equal(kk_writer_put(w, NULL), KK_ENOMEM);
    assert_int_equal(kk_writer_close(w, 1), KK_OK);
    assert_int_equal(count, 2000);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    int n = 0, seen[4] = {0};
    while (fgets(line, sizeof line, f)) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        if (!j)
            fail_msg("line %d is not JSON: %s", n + 1, err.text);
        assert_non_null(strchr(line, '\n'));
        int t = (int)json_integer_value(json_object_get(j, "thread"));
        assert_int_equal(json_integer_value(json_object_get(j, "i")), seen[t]++); /* in order per thread */
        json_decref(j);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 2000);
    assert_int_equal(access(part, F_OK), -1);

    /* close(ok = 0): the .part stays */
    char *p2 = kk_asprintf("%s/other.jsonl", d);
    assert_int_equal(kk_writer_open(&w, p2, 0), KK_OK);
    json_t *r = json_object();
    json_object_set_new(r, "type", json_string("x"));
    assert_int_equal(kk_writer_put(w, r), KK_OK);
    assert_int_equal(kk_writer_close(w, 0), KK_OK);
    assert_int_equal(access(p2, F_OK), -1);
    char *p2part = kk_asprintf("%s.part", p2);
    assert_int_equal(access(p2part, F_OK), 0);
    /* existing output: refused */
    assert_int_equal(kk_writer_open(&w, path, 0), KK_EEXIST);
    free(p2part);
    free(p2);
    free(part);
    free(path);
    rm_tree(d);
}

/* ---- engine ----------------------------------------------------------------------------------- */

typedef struct scan_out {
    json_t *recs[4096];
    int n;
    int rc;
    kk_scan_stats st;
} scan_out;

static void scan_out_free(scan_out *o)
{
    for (int i = 0; i < o->n; i++)
        json_decref(o->recs[i]);
    free(o);
}

static scan_out *run_scan(const char *spec, kk_scan_opts *o, const char *outdir)
{
    scan_out *so = calloc(1, sizeof *so);
    char *path = kk_asprintf("%s/out-%d.jsonl", outdir, rand());
    assert_int_equal(kk_writer_open(&o->w, path, 0), KK_OK);
    o->source = spec;
    kk_scan_stats_init(&so->st);
    so->rc = kk_scan_source(spec, o, &so->st);
    assert_int_equal(kk_writer_close(o->w, 1), KK_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0 && so->n < 4096) {
        json_error_t err;
        json_t *j = json_loads(line, 0, &err);
        if (!j)
            fail_msg("output line is not JSON: %s", err.text);
        so->recs[so->n++] = j;
    }
    free(line);
    fclose(f);
    unlink(path);
    free(path);
    return so;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *find_rec(const scan_out *so, const char *type, const char *key, const char *val)
{
    for (int i = 0; i < so->n; i++)
        if (!strcmp(jstr(so->recs[i], "type"), type) && (!key || strstr(jstr(so->recs[i], key), val)))
            return so->recs[i];
    return NULL;
}

static int count_recs(const scan_out *so, const char *type)
{
    int n = 0;
    for (int i = 0; i < so->n; i++)
        n += !strcmp(jstr(so->recs[i], "type"), type);
    return n;
}

/* In a forked child: scan, and give the number of match records (-1 when the output
 * cannot be read); *rc gets kk_scan_source's status. No cmocka assertions. */
static int child_scan(const char *spec, kk_scan_opts *o, const char *outdir, int *rc)
{
    char *path = kk_asprintf("%s/child-%d.jsonl", outdir, (int)getpid());
    if (!path || kk_writer_open(&o->w, path, 1) != KK_OK)
        return -1;
    o->source = spec;
    kk_scan_stats st;
    kk_scan_stats_init(&st);
    *rc = kk_scan_source(spec, o, &st);
    if (kk_writer_close(o->w, 1) != KK_OK)
        return -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t cap = 0;
    int n = 0;
    while (getline(&line, &cap, f) > 0) {
        json_t *j = json_loads(line, 0, NULL);
        if (!j) {
            n = -1;
            break;
        }
        n += !strcmp(jstr(j, "type"), "match");
        json_decref(j);
    }
    free(line);
    fclose(f);
    unlink(path);
    free(path);
    return n;
}

static const char engine_rules[] =
    "rule Marker : t1\n"
    "{\n"
    "    meta:\n"
    "        description = \"marker\"\n"
    "        ref = \"one\"\n"
    "        ref = \"two\"\n"
    "        score = 70\n"
    "    strings:\n"
    "        $m = \"KK-MARK\"\n"
    "        $b = { 00 FF 1B }\n"
    "    condition:\n"
    "        $m or $b\n"
    "}\n"
    "rule ExeByName { condition: extension == \".exe\" and filetype == \"EXE\" }\n";

typedef struct eng_fixture {
    char *d, *src;
    kk_rules *rules;
    kk_filetypes *ft;
    kk_scan_opts o;
} eng_fixture;

static eng_fixture *eng_setup(void)
{
    eng_fixture *fx = calloc(1, sizeof *fx);
    fx->d = make_tmpdir();
    char *rp = put_text(fx->d, "r.yar", engine_rules);
    const char *paths[] = {rp};
    warns w = {0};
    assert_int_equal(kk_rules_load(paths, 1, collect_warn, &w, &fx->rules), KK_OK);
    free(rp);
    char *ftp = put_text(fx->d, "ft.txt", "4D 5A;EXE\n");
    assert_int_equal(kk_filetypes_load(ftp, &fx->ft), KK_OK);
    free(ftp);
    make_dir(fx->d, "src");
    fx->src = kk_asprintf("%s/src", fx->d);
    memset(&fx->o, 0, sizeof fx->o);
    fx->o.rules = fx->rules;
    fx->o.ftypes = fx->ft;
    fx->o.threads = 2;
    fx->o.window = 64u << 20;
    fx->o.overlap = 1u << 20;
    fx->o.max_strings = 16;
    return fx;
}

static void eng_teardown(eng_fixture *fx)
{
    kk_rules_free(fx->rules);
    kk_filetypes_free(fx->ft);
    free(fx->src);
    rm_tree(fx->d);
    free(fx);
}

static void engine_match_record(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    const char content[] = "head KK-MARK middle \x00\xff\x1b KK-MARK tail\n";
    free(put_file(fx->src, "hit.txt", content, sizeof content - 1));
    free(put_text(fx->src, "clean.txt", "nothing here\n"));
    free(put_text(fx->src, "tool.exe", "MZ\x90"));
    fx->o.want_md5 = 1;
    scan_out *so = run_scan(fx->src, &fx->o, fx->d);
    assert_int_equal(so->rc, KK_OK);
    assert_int_equal(atomic_load(&so->st.files), 3);
    json_t *m = find_rec(so, "match", "rule", "Marker");
    assert_non_null(m);
    assert_string_equal(jstr(m, "source"), fx->src);
    assert_string_equal(jstr(m, "namespace"), "r.yar");
    assert_true(json_is_array(json_object_get(m, "tags")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "tags"), 0)), "t1");
    json_t *meta = json_object_get(m, "meta");
    assert_string_equal(jstr(meta, "description"), "marker");
    assert_int_equal(json_integer_value(json_object_get(meta, "score")), 70);
    json_t *ref = json_object_get(meta, "ref"); /* repeated key: an array */
    assert_true(json_is_array(ref));
    assert_int_equal(json_array_size(ref), 2);
    char *hp = kk_asprintf("%s/hit.txt", fx->src);
    assert_string_equal(jstr(m, "path"), hp);
    free(hp);
    assert_int_equal(json_integer_value(json_object_get(m, "size")), sizeof content - 1);
    assert_true(json_is_false(json_object_get(m, "deleted")));
    assert_null(json_object_get(m, "fs_offset")); /* host path: absent */
    char h[129];
    digest_hex(EVP_sha256(), content, sizeof content - 1, h);
    assert_string_equal(jstr(m, "sha256"), h);
    digest_hex(EVP_md5(), content, sizeof content - 1, h);
    assert_string_equal(jstr(m, "md5"), h);
    assert_non_null(json_object_get(m, "mtime"));
    assert_true(strchr(jstr(m, "mtime"), 'Z') != NULL);
    json_t *strs = json_object_get(m, "strings");
    assert_int_equal(json_array_size(strs), 3);
    json_t *s0 = json_array_get(strs, 0);
    assert_string_equal(jstr(s0, "id"), "$m");
    assert_int_equal(json_integer_value(json_object_get(s0, "offset")), 5);
    assert_int_equal(json_integer_value(json_object_get(s0, "length")), 7);
    assert_string_equal(jstr(s0, "data"), "KK-MARK");
    json_t *s2 = json_array_get(strs, 2);
    assert_string_equal(jstr(s2, "id"), "$b");
    assert_int_equal(strcasecmp(jstr(s2, "data"), "\\x00\\xff\\x1b"), 0);
    assert_null(json_object_get(m, "strings_truncated"));
    /* externals reach the scanner */
    json_t *e = find_rec(so, "match", "rule", "ExeByName");
    assert_non_null(e);
    assert_string_equal(jstr(e, "filetype"), "EXE");
    assert_int_equal(count_recs(so, "match"), 2);
    assert_int_equal(count_recs(so, "error"), 0);
    scan_out_free(so);
    eng_teardown(fx);
}

/* Files larger than the window are scanned in overlapping windows: every match once,
 * at its file offset, and the same digests as for the whole file. */
static void engine_windows(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    size_t n = 300 * 1024;
    unsigned char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (unsigned char)('a' + i % 23);
    size_t at[] = {0, 1000, 65536 - 3, 65536 - 4096 - 2, 2 * 65536 - 8192 + 1, n - 7};
    size_t nat = sizeof at / sizeof *at;
    for (size_t i = 0; i < nat; i++)
        memcpy(big + at[i], "KK-MARK", 7);
    free(put_file(fx->src, "big.bin", big, n));
    fx->o.window = 64 * 1024;
    fx->o.overlap = 4096;
    fx->o.max_strings = 0;
    fx->o.want_sha1 = 1;
    scan_out *so = run_scan(fx->src, &fx->o, fx->d);
    assert_int_equal(so->rc, KK_OK);
    json_t *m = find_rec(so, "match", "rule", "Marker");
    assert_non_null(m);
    assert_int_equal(count_recs(so, "match"), 1); /* one record per rule per file */
    json_t *strs = json_object_get(m, "strings");
    assert_int_equal(json_array_size(strs), nat);
    /* sorted by offset, no duplicates from the overlaps */
    size_t want[16];
    memcpy(want, at, sizeof at);
    for (size_t i = 0; i < nat; i++)
        for (size_t k = i + 1; k < nat; k++)
            if (want[k] < want[i]) {
                size_t t = want[i];
                want[i] = want[k];
                want[k] = t;
            }
    for (size_t i = 0; i < nat; i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(strs, i), "offset")), want[i]);
    char h[129];
    digest_hex(EVP_sha256(), big, n, h);
    assert_string_equal(jstr(m, "sha256"), h);
    digest_hex(EVP_sha1(), big, n, h);
    assert_string_equal(jstr(m, "sha1"), h);
    assert_int_equal(atomic_load(&so->st.bytes), n);
    scan_out_free(so);
    free(big);
    eng_teardown(fx);
}

static void engine_string_cap(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    free(put_text(fx->src, "many.txt", "KK-MARK KK-MARK KK-MARK KK-MARK KK-MARK\n"));
    fx->o.max_strings = 2;
    scan_out *so = run_scan(fx->src, &fx->o, fx->d);
    json_t *m = find_rec(so, "match", "rule", "Marker");
    assert_non_null(m);
    assert_int_equal(json_array_size(json_object_get(m, "strings")), 2);
    assert_true(json_is_true(json_object_get(m, "strings_truncated")));
    scan_out_free(so);
    eng_teardown(fx);
}

static void engine_iocs_and_size_cap(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    const char eicar[] = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
    free(put_text(fx->src, "eicar.com", eicar));
    free(put_text(fx->src, "mimikatz.exe", "not really\n"));
    char bigbuf[5000];
    memset(bigbuf, 'z', sizeof bigbuf);
    free(put_file(fx->src, "large.bin", bigbuf, sizeof bigbuf));
    char *ip = put_text(fx->d, "iocs.txt",
                        MD5_EICAR ";EICAR md5\n" SHA256_EICAR ";EICAR sha256\n"
                        "[\\\\/]mimikatz\\.exe$;80\n");
    kk_iocs *s;
    kk_iocs_new(&s);
    assert_int_equal(kk_iocs_load(s, ip, NULL, NULL), KK_OK);
    kk_iocs_finish(s);
    fx->o.iocs = s;
    fx->o.want_md5 = kk_iocs_want_md5(s);
    fx->o.max_filesize = 4096;
    scan_out *so = run_scan(fx->src, &fx->o, fx->d);
    assert_int_equal(so->rc, KK_OK);
    json_t *r = find_rec(so, "ioc", "kind", "sha256");
    assert_non_null(r);
    assert_string_equal(jstr(r, "ioc"), SHA256_EICAR);
    assert_string_equal(jstr(r, "desc"), "EICAR sha256");
    assert_true(strstr(jstr(r, "path"), "eicar.com") != NULL);
    assert_non_null(find_rec(so, "ioc", "kind", "md5"));
    r = find_rec(so, "ioc", "kind", "filename");
    assert_non_null(r);
    assert_true(strstr(jstr(r, "path"), "mimikatz.exe") != NULL);
    assert_int_equal(json_integer_value(json_object_get(r, "score")), 80);
    assert_int_equal(atomic_load(&so->st.ioc_hits), 3);
    r = find_rec(so, "skip", "reason", "size_cap");
    assert_non_null(r);
    assert_true(strstr(jstr(r, "path"), "large.bin") != NULL);
    assert_int_equal(json_integer_value(json_object_get(r, "bytes")), sizeof bigbuf);
    scan_out_free(so);
    kk_iocs_free(s);
    free(ip);
    eng_teardown(fx);
}

/* A rule without strings that matches in many windows of one file (condition: true,
 * filesize, math.entropy... - e.g. high entropy in every window of a large encrypted
 * file). merge_hits() then calls realloc(v, 0): glibc frees v and returns NULL, v is
 * kept, and the next window frees it again. Runs in a child: the bug aborts. */
static void engine_windows_stringless_rule(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    kk_rules_free(fx->rules);
    char *rp = put_text(fx->d, "always.yar", "rule Always { condition: true }\n");
    const char *paths[] = {rp};
    assert_int_equal(kk_rules_load(paths, 1, NULL, NULL, &fx->rules), KK_OK);
    fx->o.rules = fx->rules;
    free(rp);
    unsigned char buf[64 * 1024];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 7);
    free(put_file(fx->src, "big.bin", buf, sizeof buf));
    fx->o.window = 4096;
    fx->o.overlap = 512;
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        int rc = KK_EINTERNAL;
        int n = child_scan(fx->src, &fx->o, fx->d, &rc);
        _exit(rc == KK_OK && n == 1 ? 0 : 10 + (n < 0 ? 0 : n));
    }
    int st;
    waitpid(pid, &st, 0);
    eng_teardown(fx);
    if (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) > 0 && WEXITSTATUS(st) < 10))
        fail_msg("scan of a 16-window file with a string-less rule crashed (%s %d): "
                 "realloc(v, 0) in merge_hits()", WIFSIGNALED(st) ? "signal" : "exit",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
    if (WEXITSTATUS(st) != 0)
        fail_msg("scan of a 16-window file with a string-less rule: %d match records, want 1",
                 WEXITSTATUS(st) - 10);
}

/* kk_scan_opts.window says "default 64 MiB": a caller that leaves it 0 must get that
 * default (or an error), not an endless loop of empty windows. Runs in a child with a
 * 10-second alarm. */
static void engine_zero_window_terminates(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    free(put_text(fx->src, "hit.txt", "some KK-MARK text\n"));
    fx->o.window = 0;
    fx->o.overlap = 0;
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(10);
        int rc = KK_EINTERNAL;
        int n = child_scan(fx->src, &fx->o, fx->d, &rc);
        _exit((rc == KK_OK && n == 1) || rc == KK_EINVAL ? 0 : 10);
    }
    int st;
    waitpid(pid, &st, 0);
    eng_teardown(fx);
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
        fail_msg("kk_scan_source with window = 0 did not end within 10 s");
    if (WIFSIGNALED(st))
        fail_msg("kk_scan_source with window = 0 crashed (signal %d)", WTERMSIG(st));
    if (WEXITSTATUS(st) != 0)
        fail_msg("kk_scan_source with window = 0: neither the default window nor KK_EINVAL "
                 "(exit %d)", WEXITSTATUS(st));
}

static void engine_bad_source(void **state)
{
    (void)state;
    eng_fixture *fx = eng_setup();
    char *missing = kk_asprintf("%s/nope", fx->d);
    scan_out *so = run_scan(missing, &fx->o, fx->d);
    assert_int_equal(so->rc, KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "nope"));
    scan_out_free(so);
    free(missing);
    eng_teardown(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(filetype_table_longest_match),
        cmocka_unit_test(filetype_table_errors),
        cmocka_unit_test(filetype_table_long_comment),
        cmocka_unit_test(filetype_bundled_table),
        cmocka_unit_test(ioc_hash_lines),
        cmocka_unit_test(ioc_hash_needs_finish),
        cmocka_unit_test(ioc_hash_other_lengths),
        cmocka_unit_test(ioc_filename_lines),
        cmocka_unit_test(ioc_filename_case_sensitive),
        cmocka_unit_test(ioc_filename_description),
        cmocka_unit_test(ioc_directory_and_errors),
        cmocka_unit_test(ioc_bundled_lists_load_cleanly),
        cmocka_unit_test(rules_directory_good_and_broken),
        cmocka_unit_test(rules_broken_named_directly),
        cmocka_unit_test(rules_nothing_to_load),
        cmocka_unit_test(rules_externals_usable),
        cmocka_unit_test(rules_compiled),
        cmocka_unit_test(rules_symlink_loop),
        cmocka_unit_test(rules_same_relative_path_in_two_dirs),
        cmocka_unit_test(writer_whole_lines_from_threads),
        cmocka_unit_test(engine_match_record),
        cmocka_unit_test(engine_windows),
        cmocka_unit_test(engine_string_cap),
        cmocka_unit_test(engine_iocs_and_size_cap),
        cmocka_unit_test(engine_windows_stringless_rule),
        cmocka_unit_test(engine_zero_window_terminates),
        cmocka_unit_test(engine_bad_source),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
