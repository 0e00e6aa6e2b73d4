/* test_util.c - unit tests for src/util: escaping (UTF-8, yara -s bytes, terminal, HTML,
 * CSV), capped buffers, the bounded queue, atomic output files, ISO times, errors, JSON. */
#include "kk_test.h"

#include "util/err.h"
#include "util/json.h"
#include "util/mem.h"
#include "util/outfile.h"
#include "util/queue.h"
#include "util/text.h"
#include "util/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */




static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t got = fread(buf, 1, (1 << 20) - 1, f);
    fclose(f);
    buf[got] = '\0';
    if (n)
        *n = got;
    return buf;
}


/* Run a cleaner into a fresh buffer and return the result (caller frees). */
typedef int (*clean_fn)(kk_buf *, const char *, size_t);
static char *cleaned(clean_fn fn, const char *s, size_t n)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(fn(&b, s, n), KK_OK);
    return kk_buf_steal(&b);
}

static char *utf8c(const char *s, size_t n) { return cleaned(kk_utf8_clean, s, n); }
static char *termc(const char *s, size_t n) { return cleaned(kk_term_clean, s, n); }

static char *escb(const void *p, size_t n)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_escape_bytes(&b, p, n), KK_OK);
    return kk_buf_steal(&b);
}

#define S(lit) lit, sizeof(lit) - 1

/* ---- kk_utf8_clean / kk_utf8_valid --------------------------------------------------- */

static void utf8_valid_text_is_copied(void **state)
{
    (void)state;
    const char *cases[] = {"", "plain ascii", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                           "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
                           "\xed\x9f\xbf" /* U+D7FF */, "\xee\x80\x80" /* U+E000 */};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *o = utf8c(cases[i], strlen(cases[i]));
        assert_string_equal(o, cases[i]);
        assert_true(kk_utf8_valid(cases[i], strlen(cases[i])));
        free(o);
    }
}

static void utf8_invalid_bytes_become_hex(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        {S("\x80"), "\\x80"},                                    /* lone continuation */
        {S("a\xbf" "b"), "a\\xbfb"},
        {S("\xc0\xaf"), "\\xc0\\xaf"},                             /* overlong '/' (2 bytes) */
        {S("\xc1\xbf"), "\\xc1\\xbf"},
        {S("\xe0\x80\xaf"), "\\xe0\\x80\\xaf"},                   /* overlong '/' (3 bytes) */
        {S("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf"},                   /* overlong U+07FF */
        {S("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf"},          /* overlong '/' (4 bytes) */
        {S("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf"},          /* overlong U+FFFF */
        {S("\xed\xa0\x80"), "\\xed\\xa0\\x80"},                   /* surrogate U+D800 */
        {S("\xed\xbf\xbf"), "\\xed\\xbf\\xbf"},                   /* surrogate U+DFFF */
        {S("\xed\xa0\xbd\xed\xb8\x80"), "\\xed\\xa0\\xbd\\xed\\xb8\\x80"}, /* CESU-8 pair */
        {S("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"},          /* U+110000 */
        {S("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80"},
        {S("\xfe\xff"), "\\xfe\\xff"},
        {S("\xe6\x97"), "\\xe6\\x97"},                             /* truncated at the end */
        {S("\xe6" "A"), "\\xe6A"},                                 /* truncated, then ASCII */
        {S("\xc3\xc3\xa9"), "\\xc3\xc3\xa9"},                      /* bad lead, then good char */
        {S("a\0b"), "a\\x00b"},                                    /* NUL */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *o = utf8c(cases[i].in, cases[i].n);
        /* the hex digit case is not part of the contract of kk_utf8_clean */
        if (strcasecmp(o, cases[i].want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, o, cases[i].want);
        assert_true(kk_utf8_valid(o, strlen(o)));
        assert_false(kk_utf8_valid(cases[i].in, cases[i].n));
        free(o);
    }
}

static void utf8_clean_output_always_valid(void **state)
{
    (void)state;
    /* every 1- and 2-byte input, and a pseudo-random sweep of longer ones */
    unsigned char in[8];
    for (unsigned a = 0; a < 256; a++) {
        for (unsigned b = 0; b < 256; b++) {
            in[0] = (unsigned char)a;
            in[1] = (unsigned char)b;
            char *o = utf8c((char *)in, 2);
            assert_true(kk_utf8_valid(o, strlen(o)));
            free(o);
        }
    }
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        for (int k = 0; k < 8; k++) {
            x = x * 1103515245u + 12345u;
            in[k] = (unsigned char)(x >> 16);
        }
        char *o = utf8c((char *)in, sizeof in);
        assert_true(kk_utf8_valid(o, strlen(o)));
        if (kk_utf8_valid((char *)in, sizeof in))
            assert_memory_equal(o, in, sizeof in);
        free(o);
    }
}

static void utf8_clean_empty_gives_string(void **state)
{
    (void)state;
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_utf8_clean(&b, "", 0), KK_OK);
    assert_non_null(b.data); /* callers may use b.data directly */
    assert_string_equal(b.data, "");
    kk_buf_free(&b);
}

/* ---- kk_escape_bytes vs yara -s ------------------------------------------------------ */

static void escape_bytes_printable_kept(void **state)
{
    (void)state;
    char all[96];
    for (int i = 0; i < 95; i++)
        all[i] = (char)(0x20 + i);
    all[95] = '\0';
    char *o = escb(all, 95);
    /* yara -s prints ' '..'~' as they are, backslash and quote included */
    assert_string_equal(o, all);
    free(o);
}

static void escape_bytes_nonprintable_as_hex(void **state)
{
    (void)state;
    const unsigned char in[] = {0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0xff};
    char *o = escb(in, sizeof in);
    /* same letters, whatever the case */
    assert_int_equal(strcasecmp(o, "\\x00\\x09\\x0a\\x0d\\x1b\\x1f\\x7f\\x80\\xff"), 0);
    free(o);
}

/* `yara -s` (4.2.3, cli/yara.c print_escaped) writes non-printable bytes as \x%02X:
 * upper-case hex digits. GUIDE §1 says `data` is written as yara -s prints it. */
static void escape_bytes_hex_is_uppercase_like_yara(void **state)
{
    (void)state;
    const unsigned char in[] = {'A', 0x00, 0x0a, 0x09, '\\', '"', 0x7f, 0x80, 0xff, ' ', '~', 'B'};
    char *o = escb(in, sizeof in);
    char got[128];
    snprintf(got, sizeof got, "%s", o);
    free(o);
    assert_string_equal(got, "A\\x00\\x0A\\x09\\\"\\x7F\\x80\\xFF ~B");
}

/* Oracle: the real yara CLI, all 256 byte values in one text string. */
static void escape_bytes_same_as_yara_cli(void **state)
{
    (void)state;
    if (access("/usr/bin/yara", X_OK) != 0) {
        skip();
        return;
    }
    char *d = make_tmpdir();
    char rule[512], data[512], cmd[2048];
    snprintf(rule, sizeof rule, "%s/r.yar", d);
    snprintf(data, sizeof data, "%s/d.bin", d);
    FILE *f = fopen(rule, "w");
    assert_non_null(f);
    fputs("rule all_bytes { strings: $a = \"", f);
    for (int i = 0; i < 256; i++)
        fprintf(f, "\\x%02x", i);
    fputs("\" condition: $a }\n", f);
    fclose(f);
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)i;
    f = fopen(data, "wb");
    assert_non_null(f);
    fwrite("xx", 1, 2, f);
    fwrite(bytes, 1, 256, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "yara -s '%s' '%s' 2>&1", rule, data);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[8192], *got = NULL;
    while (fgets(line, sizeof line, p)) {
        if (!strncmp(line, "0x2:$a: ", 8)) {
            line[strcspn(line, "\n")] = '\0';
            got = strdup(line + 8);
        }
    }
    pclose(p);
    rm_tree(d);
    assert_non_null(got);
    char *o = escb(bytes, 256);
    int same = strcmp(o, got) == 0;
    char msg[200] = "";
    if (!same) {
        size_t i = 0;
        while (o[i] && o[i] == got[i])
            i++;
        size_t from = i > 8 ? i - 8 : 0;
        snprintf(msg, sizeof msg, "at character %zu: kk '%.24s...' yara '%.24s...'", i, o + from,
                 got + from);
    }
    free(o);
    free(got);
    if (!same)
        fail_msg("kk_escape_bytes differs from yara -s %s", msg);
}

static void escape_bytes_empty(void **state)
{
    (void)state;
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_escape_bytes(&b, (const unsigned char *)"", 0), KK_OK);
    assert_non_null(b.data);
    assert_string_equal(b.data, "");
    kk_buf_free(&b);
}

/* ---- kk_term_clean -------------------------------------------------------------------- */

static void assert_terminal_safe(const char *o)
{
    size_t n = strlen(o);
    assert_true(kk_utf8_valid(o, n));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)o[i];
        if (c < 0x20 || c == 0x7f)
            fail_msg("control byte 0x%02x at %zu in '%s'", c, i, o);
        if (c == 0xc2 && i + 1 < n && (unsigned char)o[i + 1] >= 0x80 && (unsigned char)o[i + 1] <= 0x9f)
            fail_msg("C1 control at %zu", i);
    }
}

static void term_clean_strips_escapes(void **state)
{
    (void)state;
    char *o = termc(S("\x1b[31mred\x1b[0m"));
    assert_string_equal(o, "?[31mred?[0m");
    free(o);
    o = termc(S("\x1b]0;title\x07"));
    assert_string_equal(o, "?]0;title?");
    free(o);
    o = termc(S("a\tb\nc\rd\x7f" "e\x01"));
    assert_string_equal(o, "a?b?c?d?e?");
    free(o);
}

static void term_clean_strips_c1(void **state)
{
    (void)state;
    /* U+009B (CSI), U+0085 (NEL), U+0080, U+009F as UTF-8 */
    char *o = termc(S("x\xc2\x9b" "31m\xc2\x85\xc2\x80\xc2\x9fy"));
    assert_string_equal(o, "x?31m???y");
    assert_terminal_safe(o);
    free(o);
    /* U+00A0 and above stay */
    o = termc(S("\xc2\xa0\xc3\xa9\xe6\x97\xa5"));
    assert_string_equal(o, "\xc2\xa0\xc3\xa9\xe6\x97\xa5");
    free(o);
    /* a raw 0x9b byte (8-bit CSI) is invalid UTF-8: written as text */
    o = termc(S("\x9b" "2J"));
    assert_int_equal(strcasecmp(o, "\\x9b2J"), 0);
    free(o);
}

static void term_clean_sweep(void **state)
{
    (void)state;
    unsigned char in[3];
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            in[0] = (unsigned char)a;
            in[1] = (unsigned char)b;
            in[2] = 0x9b;
            char *o = termc((char *)in, 3);
            assert_terminal_safe(o);
            free(o);
        }
}

static void term_clean_respects_cap(void **state)
{
    (void)state;
    kk_buf b;
    kk_buf_init(&b, 8);
    assert_int_equal(kk_term_clean(&b, S("0123456789")), KK_ENOMEM);
    assert_true(b.len <= 8);
    kk_buf_free(&b);
}

/* ---- kk_html_escape / kk_csv_cell ---------------------------------------------------- */

static char *html(const char *s)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_html_escape(&b, s), KK_OK);
    return kk_buf_steal(&b);
}

static char *csv(const char *s)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    assert_int_equal(kk_csv_cell(&b, s), KK_OK);
    return kk_buf_steal(&b);
}

static void html_escape_entities(void **state)
{
    (void)state;
    char *o = html("<script>alert(\"x\" & 'y')</script>");
    assert_string_equal(o, "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    free(o);
    o = html("&amp;");
    assert_string_equal(o, "&amp;amp;");
    free(o);
    o = html("\xe6\x97\xa5\xe6\x9c\xac plain");
    assert_string_equal(o, "\xe6\x97\xa5\xe6\x9c\xac plain");
    free(o);
    o = html("");
    assert_string_equal(o, "");
    free(o);
}

static void csv_cell_neutralises_formulas(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"=1+1", "\"'=1+1\""},
        {"+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""},
        {"-2+3", "\"'-2+3\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"\t=x", "\"'\t=x\""},
        {"\r=x", "\"'\r=x\""},
        {"a=b", "\"a=b\""},
        {"plain", "\"plain\""},
        {"", "\"\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"=\"x\"", "\"'=\"\"x\"\"\""},
        {"line1\nline2", "\"line1\nline2\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *o = csv(cases[i].in);
        assert_string_equal(o, cases[i].want);
        free(o);
    }
}

/* ---- kk_buf ---------------------------------------------------------------------------- */

static void buf_cap_enforced(void **state)
{
    (void)state;
    kk_buf b;
    kk_buf_init(&b, 16);
    assert_int_equal(kk_buf_add(&b, "0123456789abcdef", 16), KK_OK);
    assert_int_equal(b.len, 16);
    assert_int_equal(kk_buf_addc(&b, 'x'), KK_ENOMEM);
    assert_non_null(strstr(kk_err_msg(), "cap"));
    assert_int_equal(kk_buf_adds(&b, "y"), KK_ENOMEM);
    assert_int_equal(kk_buf_printf(&b, "%d", 1), KK_ENOMEM);
    /* unchanged and still usable after a refusal */
    assert_int_equal(b.len, 16);
    assert_string_equal(kk_buf_str(&b), "0123456789abcdef");
    kk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(kk_buf_str(&b), "");
    assert_int_equal(kk_buf_printf(&b, "%s-%d", "ab", 42), KK_OK);
    assert_string_equal(kk_buf_str(&b), "ab-42");
    assert_int_equal(kk_buf_printf(&b, "%0*d", 11, 7), KK_OK); /* exactly to the cap */
    assert_int_equal(b.len, 16);
    assert_string_equal(kk_buf_str(&b), "ab-4200000000007");
    assert_int_equal(kk_buf_printf(&b, "z"), KK_ENOMEM);
    assert_true(b.alloc <= 17);
    kk_buf_free(&b);
    assert_null(b.data);
}

/* A size from hostile evidence must fail cleanly, not wrap around (b->len + n overflows).
 * Runs in a child: the bug corrupts the heap. */
static void buf_huge_add_refused(void **state)
{
    (void)state;
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        kk_buf b;
        kk_buf_init(&b, 0); /* default cap: 64 MiB */
        if (b.cap != (size_t)64 << 20)
            _exit(10);
        if (kk_buf_add(&b, "x", 1) != KK_OK)
            _exit(11);
        static const size_t sizes[] = {SIZE_MAX - 1, (size_t)64 << 20, SIZE_MAX};
        for (int i = 0; i < 3; i++)
            if (kk_buf_add(&b, "y", sizes[i]) != KK_ENOMEM)
                _exit(20 + i);
        if (b.len != 1)
            _exit(30);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        fail_msg("kk_buf_add(len=1, n=SIZE_MAX) crashed (signal %d): len + n wraps past the cap check",
                 WTERMSIG(st));
    if (WEXITSTATUS(st) == 22)
        fail_msg("kk_buf_add(len=1, n=SIZE_MAX) was accepted: len + n wraps past the cap check");
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void buf_grows_and_steals(void **state)
{
    (void)state;
    kk_buf b;
    kk_buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(kk_buf_addc(&b, (char)('a' + i % 26)), KK_OK);
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(kk_buf_str(&b)), 10000);
    char *s = kk_buf_steal(&b);
    assert_int_equal(strlen(s), 10000);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    s = kk_buf_steal(&b); /* empty: still a string */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(kk_buf_add(&b, "again", 5), KK_OK); /* reusable after steal */
    assert_string_equal(kk_buf_str(&b), "again");
    kk_buf_free(&b);
}

static void mem_helpers(void **state)
{
    (void)state;
    char *s = kk_strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    free(s);
    assert_null(kk_strdup(NULL));
    s = kk_asprintf("%s-%03d", "x", 7);
    assert_string_equal(s, "x-007");
    free(s);
    void *p = kk_calloc(0, 0); /* never NULL for a zero size */
    assert_non_null(p);
    free(p);
}

/* ---- kk_queue ---------------------------------------------------------------------------- */

#define NPROD 3
#define NCONS 4
#define PER_PROD 5000

typedef struct qtest {
    kk_queue q;
    pthread_mutex_t mu;
    unsigned long sum;
    unsigned long count;
} qtest;

static void *producer(void *arg)
{
    qtest *t = arg;
    for (uintptr_t i = 1; i <= PER_PROD; i++)
        if (kk_queue_push(&t->q, (void *)i) != KK_OK)
            return (void *)1;
    return NULL;
}

static void *consumer(void *arg)
{
    qtest *t = arg;
    void *it;
    unsigned long sum = 0, count = 0;
    while ((it = kk_queue_pop(&t->q))) {
        sum += (uintptr_t)it;
        count++;
    }
    pthread_mutex_lock(&t->mu);
    t->sum += sum;
    t->count += count;
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void queue_threads_drain_after_close(void **state)
{
    (void)state;
    qtest t;
    memset(&t, 0, sizeof t);
    pthread_mutex_init(&t.mu, NULL);
    assert_int_equal(kk_queue_init(&t.q, 4), KK_OK);
    pthread_t p[NPROD], c[NCONS];
    for (int i = 0; i < NCONS; i++)
        assert_int_equal(pthread_create(&c[i], NULL, consumer, &t), 0);
    for (int i = 0; i < NPROD; i++)
        assert_int_equal(pthread_create(&p[i], NULL, producer, &t), 0);
    for (int i = 0; i < NPROD; i++) {
        void *r;
        pthread_join(p[i], &r);
        assert_null(r);
    }
    kk_queue_close(&t.q); /* consumers drain what is left, then get NULL */
    for (int i = 0; i < NCONS; i++)
        pthread_join(c[i], NULL);
    assert_int_equal(t.count, (unsigned long)NPROD * PER_PROD);
    assert_int_equal(t.sum, (unsigned long)NPROD * PER_PROD * (PER_PROD + 1) / 2);
    kk_queue_destroy(&t.q);
    pthread_mutex_destroy(&t.mu);
}

static void queue_close_keeps_items(void **state)
{
    (void)state;
    kk_queue q;
    assert_int_equal(kk_queue_init(&q, 3), KK_OK);
    int a = 1, b = 2;
    assert_int_equal(kk_queue_push(&q, &a), KK_OK);
    assert_int_equal(kk_queue_push(&q, &b), KK_OK);
    kk_queue_close(&q);
    assert_int_equal(kk_queue_push(&q, &a), KK_ESTOP);
    assert_ptr_equal(kk_queue_pop(&q), &a); /* FIFO, still delivered after close */
    assert_ptr_equal(kk_queue_pop(&q), &b);
    assert_null(kk_queue_pop(&q));
    assert_null(kk_queue_pop(&q));
    kk_queue_destroy(&q);
}

typedef struct blocked {
    kk_queue *q;
    int rc;
} blocked;

static void *push_blocked(void *arg)
{
    blocked *b = arg;
    static int x;
    b->rc = kk_queue_push(b->q, &x);
    return NULL;
}

static void *pop_blocked(void *arg)
{
    blocked *b = arg;
    b->rc = kk_queue_pop(b->q) == NULL ? 0 : 1;
    return NULL;
}

static void queue_close_wakes_waiters(void **state)
{
    (void)state;
    kk_queue q;
    /* a producer blocked on a full queue gets KK_ESTOP */
    assert_int_equal(kk_queue_init(&q, 1), KK_OK);
    int a;
    assert_int_equal(kk_queue_push(&q, &a), KK_OK);
    blocked b = {&q, 99};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, push_blocked, &b), 0);
    usleep(50000);
    assert_int_equal(b.rc, 99); /* still blocked */
    kk_queue_close(&q);
    pthread_join(th, NULL);
    assert_int_equal(b.rc, KK_ESTOP);
    kk_queue_destroy(&q);

    /* consumers blocked on an empty queue get NULL */
    assert_int_equal(kk_queue_init(&q, 2), KK_OK);
    blocked c[3] = {{&q, 99}, {&q, 99}, {&q, 99}};
    pthread_t ct[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&ct[i], NULL, pop_blocked, &c[i]), 0);
    usleep(50000);
    kk_queue_close(&q);
    for (int i = 0; i < 3; i++) {
        pthread_join(ct[i], NULL);
        assert_int_equal(c[i].rc, 0);
    }
    kk_queue_destroy(&q);
}

static void queue_zero_capacity(void **state)
{
    (void)state;
    kk_queue q;
    assert_int_equal(kk_queue_init(&q, 0), KK_OK); /* treated as 1 */
    int a;
    assert_int_equal(kk_queue_push(&q, &a), KK_OK);
    assert_ptr_equal(kk_queue_pop(&q), &a);
    kk_queue_close(&q);
    kk_queue_destroy(&q);
}

/* ---- kk_outfile ---------------------------------------------------------------------------- */

static void outfile_part_then_rename(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *path = kk_asprintf("%s/findings.jsonl", d);
    char *part = kk_asprintf("%s/findings.jsonl.part", d);
    kk_outfile o;
    assert_int_equal(kk_outfile_open(&o, path, 0), KK_OK);
    assert_true(exists(part));
    assert_false(exists(path));
    assert_int_equal(kk_outfile_write(&o, "{\"a\":1}\n", 8), KK_OK);
    /* flushed line by line: an interrupted run keeps what was written */
    size_t n;
    char *c = slurp(part, &n);
    assert_int_equal(n, 8);
    free(c);
    assert_int_equal(kk_outfile_write(&o, "{\"b\":2}\n", 8), KK_OK);
    assert_int_equal(kk_outfile_commit(&o), KK_OK);
    assert_false(exists(part));
    c = slurp(path, &n);
    assert_string_equal(c, "{\"a\":1}\n{\"b\":2}\n");
    free(c);
    free(path);
    free(part);
    rm_tree(d);
}

static void outfile_refuses_existing(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *path = kk_asprintf("%s/out.jsonl", d);
    char *part = kk_asprintf("%s.part", path);
    FILE *f = fopen(path, "w");
    fputs("precious\n", f);
    fclose(f);
    kk_outfile o;
    assert_int_equal(kk_outfile_open(&o, path, 0), KK_EEXIST);
    assert_non_null(strstr(kk_err_msg(), "--force"));
    assert_non_null(strstr(kk_err_msg(), path));
    assert_false(exists(part));
    char *c = slurp(path, NULL);
    assert_string_equal(c, "precious\n");
    free(c);
    assert_int_equal(kk_write_file_atomic(path, "x", 1, 0), KK_EEXIST);
    /* with force: replaced only at commit */
    assert_int_equal(kk_outfile_open(&o, path, 1), KK_OK);
    assert_int_equal(kk_outfile_write(&o, "new\n", 4), KK_OK);
    c = slurp(path, NULL);
    assert_string_equal(c, "precious\n");
    free(c);
    assert_int_equal(kk_outfile_commit(&o), KK_OK);
    c = slurp(path, NULL);
    assert_string_equal(c, "new\n");
    free(c);
    /* abort: the .part stays, the final name is untouched */
    assert_int_equal(kk_outfile_open(&o, path, 1), KK_OK);
    assert_int_equal(kk_outfile_write(&o, "partial\n", 8), KK_OK);
    kk_outfile_abort(&o);
    assert_true(exists(part));
    c = slurp(path, NULL);
    assert_string_equal(c, "new\n");
    free(c);
    c = slurp(part, NULL);
    assert_string_equal(c, "partial\n");
    free(c);
    free(path);
    free(part);
    rm_tree(d);
}

static void outfile_missing_dir(void **state)
{
    (void)state;
    kk_outfile o;
    assert_int_equal(kk_outfile_open(&o, "/nonexistent-kk-dir/x/out.jsonl", 0), KK_EIO);
    assert_non_null(strstr(kk_err_msg(), "out.jsonl.part"));
    assert_null(o.path);
    assert_null(o.tmp);
}

static void outfile_write_atomic(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *path = kk_asprintf("%s/report.json", d);
    assert_int_equal(kk_write_file_atomic(path, "{}\n", 3, 0), KK_OK);
    char *c = slurp(path, NULL);
    assert_string_equal(c, "{}\n");
    free(c);
    char *part = kk_asprintf("%s.part", path);
    assert_false(exists(part));
    free(part);
    free(path);
    rm_tree(d);
}

/* stdout is /dev/full: the write is reported, and so is the commit */
static void outfile_dev_full_reported(void **state)
{
    (void)state;
    int full = open("/dev/full", O_WRONLY);
    if (full < 0) {
        skip();
        return;
    }
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    dup2(full, STDOUT_FILENO);
    close(full);
    kk_outfile o;
    int rc_open = kk_outfile_open(&o, "-", 0);
    int rc_write = kk_outfile_write(&o, "line\n", 5);
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", kk_err_msg());
    int rc_again = kk_outfile_write(&o, "more\n", 5);
    int rc_commit = kk_outfile_commit(&o);
    __fpurge(stdout); /* drop what could not be written */
    clearerr(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    clearerr(stdout);
    assert_int_equal(rc_open, KK_OK);
    assert_int_equal(rc_write, KK_EIO);
    assert_non_null(strstr(msg, "No space left"));
    assert_int_equal(rc_again, KK_EIO);
    assert_int_equal(rc_commit, KK_EIO);
}

/* A file output that fails mid-way (file size limit, as a full disk would): the
 * .part stays, the final name never appears, commit refuses. Runs in a child. */
static void outfile_write_failure_keeps_part(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *path = kk_asprintf("%s/out.jsonl", d);
    char *part = kk_asprintf("%s.part", path);
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        kk_outfile o;
        if (kk_outfile_open(&o, path, 0) != KK_OK)
            _exit(10);
        char line[1000];
        memset(line, 'x', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        int rc = KK_OK, i;
        for (i = 0; i < 10 && rc == KK_OK; i++)
            rc = kk_outfile_write(&o, line, sizeof line);
        if (rc != KK_EIO)
            _exit(11);
        if (!strstr(kk_err_msg(), "out.jsonl.part"))
            _exit(12);
        if (kk_outfile_write(&o, "x\n", 2) != KK_EIO) /* failure is sticky */
            _exit(13);
        if (kk_outfile_commit(&o) != KK_EIO)
            _exit(14);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_false(exists(path));
    assert_true(exists(part));
    free(path);
    free(part);
    rm_tree(d);
}

/* ---- kk_time_iso ---------------------------------------------------------------------------- */

static void time_iso(void **state)
{
    (void)state;
    char t[KK_TIME_LEN];
    kk_time_iso(0, 0, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    kk_time_iso(1714566896, 0, t);
    assert_string_equal(t, "2024-05-01T12:34:56Z");
    kk_time_iso(1714566896, 123456789, t);
    assert_string_equal(t, "2024-05-01T12:34:56.123456789Z");
    kk_time_iso(1714566896, 1, t);
    assert_string_equal(t, "2024-05-01T12:34:56.000000001Z");
    kk_time_iso(-1, 0, t);
    assert_string_equal(t, "1969-12-31T23:59:59Z");
    kk_time_iso(-11644473600LL, 0, t); /* FILETIME epoch */
    assert_string_equal(t, "1601-01-01T00:00:00Z");
    kk_time_iso(253402300799LL, 0, t);
    assert_string_equal(t, "9999-12-31T23:59:59Z");
    kk_time_iso(4294967296LL, 0, t); /* past 2106 */
    assert_string_equal(t, "2106-02-07T06:28:16Z");
    kk_time_iso(1714566896, 1000000000u, t); /* bad nanoseconds: ignored */
    assert_string_equal(t, "2024-05-01T12:34:56Z");
    /* hostile timestamps: must stay a bounded, terminated string */
    int64_t odd[] = {INT64_MAX, INT64_MIN, INT64_MAX / 2, -INT64_MAX / 2, 67768036191676799LL};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        memset(t, 'Z', sizeof t);
        kk_time_iso(odd[i], 999999999u, t);
        assert_true(memchr(t, '\0', sizeof t) != NULL);
    }
    kk_time_now_iso(t);
    assert_int_equal(strlen(t), 20);
    assert_int_equal(t[19], 'Z');
    double a = kk_mono(), b = kk_mono();
    assert_true(b >= a);
}

/* ---- kk_err ---------------------------------------------------------------------------------- */

static void *err_other_thread(void *arg)
{
    (void)arg;
    kk_err_set(KK_EIO, "from another thread");
    return NULL;
}

static void err_per_thread(void **state)
{
    (void)state;
    assert_int_equal(kk_err_set(KK_EFORMAT, "bad '%s' at %d", "x", 3), KK_EFORMAT);
    assert_string_equal(kk_err_msg(), "bad 'x' at 3");
    pthread_t th;
    pthread_create(&th, NULL, err_other_thread, NULL);
    pthread_join(th, NULL);
    assert_string_equal(kk_err_msg(), "bad 'x' at 3");
    char big[3000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    kk_err_set(KK_EIO, "%s", big); /* truncated, not overflowing */
    assert_true(strlen(kk_err_msg()) < sizeof big);
    int codes[] = {KK_OK, KK_ENOMEM, KK_EIO, KK_EINVAL, KK_EFORMAT, KK_ENOENT, KK_EEXIST,
                   KK_ERULES, KK_EUNSUP, KK_EINTERNAL, KK_ESTOP, -1000};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        assert_non_null(kk_err_name(codes[i]));
        assert_true(strlen(kk_err_name(codes[i])) > 0);
    }
}

/* ---- kk_jstrn ---------------------------------------------------------------------------------- */

static void json_strings_from_evidence(void **state)
{
    (void)state;
    json_t *j = kk_jstrn(S("ok \xc3\xa9"));
    assert_string_equal(json_string_value(j), "ok \xc3\xa9");
    json_decref(j);
    j = kk_jstrn(S("bad \xff\x00x"));
    assert_non_null(j);
    assert_int_equal(strcasecmp(json_string_value(j), "bad \\xff\\x00x"), 0);
    json_decref(j);
    j = kk_jstr(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
    json_t *o = json_object();
    kk_jset_str(o, "k", "v");
    kk_jset_u64(o, "n", 42);
    kk_jset(o, "none", NULL);
    char *s = kk_jdump(o);
    assert_string_equal(s, "{\"k\":\"v\",\"n\":42}");
    free(s);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_valid_text_is_copied),
        cmocka_unit_test(utf8_invalid_bytes_become_hex),
        cmocka_unit_test(utf8_clean_output_always_valid),
        cmocka_unit_test(utf8_clean_empty_gives_string),
        cmocka_unit_test(escape_bytes_printable_kept),
        cmocka_unit_test(escape_bytes_nonprintable_as_hex),
        cmocka_unit_test(escape_bytes_hex_is_uppercase_like_yara),
        cmocka_unit_test(escape_bytes_same_as_yara_cli),
        cmocka_unit_test(escape_bytes_empty),
        cmocka_unit_test(term_clean_strips_escapes),
        cmocka_unit_test(term_clean_strips_c1),
        cmocka_unit_test(term_clean_sweep),
        cmocka_unit_test(term_clean_respects_cap),
        cmocka_unit_test(html_escape_entities),
        cmocka_unit_test(csv_cell_neutralises_formulas),
        cmocka_unit_test(buf_cap_enforced),
        cmocka_unit_test(buf_huge_add_refused),
        cmocka_unit_test(buf_grows_and_steals),
        cmocka_unit_test(mem_helpers),
        cmocka_unit_test(queue_threads_drain_after_close),
        cmocka_unit_test(queue_close_keeps_items),
        cmocka_unit_test(queue_close_wakes_waiters),
        cmocka_unit_test(queue_zero_capacity),
        cmocka_unit_test(outfile_part_then_rename),
        cmocka_unit_test(outfile_refuses_existing),
        cmocka_unit_test(outfile_missing_dir),
        cmocka_unit_test(outfile_write_atomic),
        cmocka_unit_test(outfile_dev_full_reported),
        cmocka_unit_test(outfile_write_failure_keeps_part),
        cmocka_unit_test(time_iso),
        cmocka_unit_test(err_per_thread),
        cmocka_unit_test(json_strings_from_evidence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
