/* fuzz_ioc.c - the IOC list parser (src/scan/ioc.c): hash lines and REGEX;SCORE[;FP]
 * lines, then lookups. Every input must load (bad lines are warnings), warnings must be
 * one line naming file:line, and lookups must not crash. */
#include "fuzz_util.h"

#include "scan/ioc.h"
#include "util/err.h"

#include <string.h>

#define MAX_INPUT (256 * 1024)

static void on_warn(void *ctx, const char *what, const char *message)
{
    (void)ctx;
    FUZZ_CHECK(what && !strcmp(what, "ioc"));
    FUZZ_CHECK(message && !strchr(message, '\n'));
    FUZZ_CHECK(strstr(message, "/proc/self/fd/") == message); /* names file:line */
}

static void on_hit(void *ctx, const kk_ioc_hit *h)
{
    ++*(int *)ctx;
    FUZZ_CHECK(h->ioc && h->kind && !strcmp(h->kind, "filename"));
    FUZZ_CHECK(h->score >= 0 && h->score <= 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    const char *path = fuzz_memfd_path(data, size);
    if (!path)
        return 0;
    kk_iocs *s = NULL;
    if (kk_iocs_new(&s) != KK_OK)
        return 0;
    int rc = kk_iocs_load(s, path, on_warn, NULL);
    FUZZ_CHECK(rc == KK_OK || rc == KK_ENOMEM);
    kk_iocs_finish(s);

    /* hash lookups with digests taken from the input (and an all-zero one) */
    unsigned char d[32] = {0};
    static const size_t lens[] = {16, 20, 32};
    kk_ioc_hit hit;
    for (int i = 0; i < 3; i++) {
        memset(d, 0, sizeof d);
        memcpy(d, data, size < lens[i] ? size : lens[i]);
        if (kk_iocs_hash(s, d, lens[i], &hit)) {
            FUZZ_CHECK(hit.ioc && strlen(hit.ioc) == 2 * lens[i]);
            FUZZ_CHECK(hit.desc != NULL);
        }
    }
    /* file name lookups: fixed paths, and the first line of the input as a path */
    static const char *const paths[] = {"C:\\Windows\\Temp\\evil.exe", "/tmp/kdevtmpfsi",
                                        "/etc/ld.so.preload", "C:\\Users\\a\\\xff\xfe.txt", ""};
    int hits = 0;
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        kk_iocs_filename(s, paths[i], on_hit, &hits);
    char line[256];
    size_t n = 0;
    while (n < size && n < sizeof line - 1 && data[n] != '\n' && data[n] != '\0') {
        line[n] = (char)data[n];
        n++;
    }
    line[n] = '\0';
    kk_iocs_filename(s, line, on_hit, &hits);
    kk_iocs_free(s);
    return 0;
}
