/* test_mem_scan.c - kk_mem_scan through its library interface: chunk options from
 * kk_mem_opts (not the environment), matches across boundaries reported once, records
 * in address order, bad options refused, interruption. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memory/memscan.h"
#include "util/err.h"

static char dir[64];
static char img_path[128], rules_path[128], out_path[128];

static int setup(void **state)
{
    (void)state;
    unsetenv("KAKETSUKE_MEM_CHUNK");
    unsetenv("KAKETSUKE_MEM_OVERLAP");
    snprintf(dir, sizeof dir, "/tmp/kk-memscan-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(img_path, sizeof img_path, "%s/img.raw", dir);
    snprintf(rules_path, sizeof rules_path, "%s/r.yar", dir);
    snprintf(out_path, sizeof out_path, "%s/out.jsonl", dir);
    /* 5 x 4 KiB of 'a'; "KKMARK" across each 4 KiB boundary, one at the very end */
    size_t n = 5 * 4096;
    char *b = malloc(n);
    memset(b, 'a', n);
    for (size_t k = 1; k < 5; k++)
        memcpy(b + k * 4096 - 3, "KKMARK", 6);
    memcpy(b + n - 6, "KKMARK", 6);
    FILE *f = fopen(img_path, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
    free(b);
    f = fopen(rules_path, "w");
    fputs("rule mark { strings: $m = \"KKMARK\" condition: $m }\n", f);
    fclose(f);
    return kk_yara_init() == KK_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    unlink(img_path);
    unlink(rules_path);
    unlink(out_path);
    rmdir(dir);
    kk_yara_fini();
    return 0;
}

/* Run a scan; returns the rc and the match addresses (space separated) in got. */
static int run(size_t chunk, size_t overlap, int threads, volatile sig_atomic_t *intr, char *got, size_t gotsz)
{
    const char *paths[] = {rules_path};
    kk_rules *r = NULL;
    assert_int_equal(kk_rules_load(paths, 1, NULL, NULL, &r), KK_OK);
    kk_writer *w = NULL;
    assert_int_equal(kk_writer_open(&w, out_path, 1), KK_OK);
    kk_scan_stats st;
    kk_scan_stats_init(&st);
    kk_mem_opts o = {.source = img_path, .rules = r, .w = w, .threads = threads, .max_strings = 0,
                     .forced = 1, .chunk = chunk, .overlap = overlap, .interrupt = intr};
    int rc = kk_mem_scan(img_path, &o, &st);
    assert_int_equal(kk_writer_close(w, 1), KK_OK);
    kk_rules_free(r);
    got[0] = '\0';
    FILE *f = fopen(out_path, "r");
    char line[65536];
    size_t used = 0;
    while (f && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        if (!strcmp(json_string_value(json_object_get(j, "type")), "match")) {
            json_t *s = json_object_get(j, "strings");
            for (size_t i = 0; i < json_array_size(s); i++)
                used += (size_t)snprintf(got + used, gotsz - used, "%s%lld", used ? " " : "",
                                         (long long)json_integer_value(json_object_get(json_array_get(s, i), "address")));
        }
        json_decref(j);
    }
    if (f)
        fclose(f);
    return rc;
}

static void test_boundaries_once(void **state)
{
    (void)state;
    char got[4096];
    /* 4 KiB chunks, 16-byte overlap: every marker straddles a boundary */
    assert_int_equal(run(4096, 16, 2, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "4093 8189 12285 16381 20474");
    assert_int_equal(run(4096, 16, 1, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "4093 8189 12285 16381 20474");
    /* overlap as large as the chunk: still once each */
    assert_int_equal(run(4096, 4096, 3, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "4093 8189 12285 16381 20474");
    /* an overlap of 5 bytes cannot hold the 6-byte marker after 3 bytes: lost */
    assert_int_equal(run(4096, 2, 2, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "20474");
    /* the default chunk: one chunk */
    assert_int_equal(run(0, 0, 2, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "4093 8189 12285 16381 20474");
}

static void test_env(void **state)
{
    (void)state;
    char got[4096];
    setenv("KAKETSUKE_MEM_CHUNK", "4K", 1);
    setenv("KAKETSUKE_MEM_OVERLAP", "0", 1);
    assert_int_equal(run(0, 0, 2, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "20474");
    /* options win over the environment */
    assert_int_equal(run(8192, 64, 2, NULL, got, sizeof got), KK_OK);
    assert_string_equal(got, "4093 8189 12285 16381 20474");
    setenv("KAKETSUKE_MEM_OVERLAP", "1x", 1);
    assert_int_equal(run(0, 0, 2, NULL, got, sizeof got), KK_EINVAL);
    assert_non_null(strstr(kk_err_msg(), "KAKETSUKE_MEM_OVERLAP"));
    unsetenv("KAKETSUKE_MEM_CHUNK");
    unsetenv("KAKETSUKE_MEM_OVERLAP");
}

static void test_bad_options(void **state)
{
    (void)state;
    char got[4096];
    assert_int_equal(run(100, 0, 2, NULL, got, sizeof got), KK_EINVAL);
    assert_non_null(strstr(kk_err_msg(), "chunk size"));
    assert_int_equal(run(4096, 8192, 2, NULL, got, sizeof got), KK_EINVAL);
    assert_non_null(strstr(kk_err_msg(), "overlap"));
}

static void test_interrupt(void **state)
{
    (void)state;
    char got[4096];
    volatile sig_atomic_t intr = 1;
    assert_int_equal(run(4096, 16, 2, &intr, got, sizeof got), KK_ESTOP);
    assert_string_equal(got, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries_once),
        cmocka_unit_test(test_env),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_interrupt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
