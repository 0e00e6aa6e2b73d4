/* fuzz_field.c - the untrusted text the guided mode reads (src/field/parse.c): the output
 * of `kaketsuke-target list`, the progress lines of a child triage, and what the user
 * types. The input is read as helper output, then line by line as progress lines, then
 * each line through the input validators.
 * Invariants: at most KK_FIELD_MAXTARGETS targets, each with an id "/dev/..." made of safe
 * characters without "..", a known action, free <= size, NUL-terminated label and
 * description within their caps, and count + bad <= the number of non-empty lines;
 * progress lines give a known kind with NUL-terminated text and phase, percent 0-100 or
 * -1; accepted case ids and phone numbers hold only their allowed characters; accepted
 * text is valid UTF-8 without control characters. */
#include "fuzz_util.h"

#include "field/field.h"
#include "util/text.h"

#include <string.h>

#define MAX_INPUT (64 * 1024)

static void check_targets(const uint8_t *data, size_t size)
{
    kk_field_target *t = NULL;
    size_t n = 0, bad = 0, lines = 0;
    FUZZ_CHECK(kk_field_parse_targets((const char *)data, size, &t, &n, &bad) == 0);
    FUZZ_CHECK(t != NULL);
    FUZZ_CHECK(n <= KK_FIELD_MAXTARGETS);
    for (size_t i = 0; i < size;) {
        size_t s = i;
        while (i < size && data[i] != '\n')
            i++;
        size_t l = i - s;
        if (l && data[s + l - 1] == '\r')
            l--;
        if (l)
            lines++;
        i++;
    }
    FUZZ_CHECK(n + bad <= lines);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(memchr(t[i].id, 0, sizeof t[i].id) && memchr(t[i].label, 0, sizeof t[i].label) &&
                   memchr(t[i].desc, 0, sizeof t[i].desc));
        FUZZ_CHECK(!strncmp(t[i].id, "/dev/", 5) && !strstr(t[i].id, ".."));
        for (const char *c = t[i].id; *c; c++)
            FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.:+-", *c));
        FUZZ_CHECK(t[i].action >= KK_TGT_USE && t[i].action <= KK_TGT_FORMAT);
        FUZZ_CHECK(t[i].free_bytes <= t[i].size);
        FUZZ_CHECK(strcmp(kk_field_action_name(t[i].action), "?"));
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(strcmp(t[k].id, t[i].id));
    }
    free(t);
}

static void check_line(const char *s, size_t n)
{
    kk_field_progress p;
    kk_field_parse_progress(s, n, &p);
    FUZZ_CHECK(p.kind >= KK_PL_NONE && p.kind <= KK_PL_TEXT);
    FUZZ_CHECK(memchr(p.text, 0, sizeof p.text) && memchr(p.phase, 0, sizeof p.phase));
    if (p.kind == KK_PL_PERCENT)
        FUZZ_CHECK(p.percent == -1 || (p.percent >= 0 && p.percent <= 100));
    if (p.kind == KK_PL_SCAN)
        FUZZ_CHECK(p.eta >= -1 && p.rate >= 0);

    char buf[512];
    size_t l = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, s, l);
    buf[l] = '\0';
    if (kk_field_valid_case_id(buf)) {
        FUZZ_CHECK(strlen(buf) >= 1 && strlen(buf) <= 64 && buf[0] != '.' && buf[0] != '-');
        for (const char *c = buf; *c; c++)
            FUZZ_CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c));
    }
    if (kk_field_valid_phone(buf))
        for (const char *c = buf; *c; c++)
            FUZZ_CHECK(strchr("0123456789 +-()", *c));
    int minute = -1;
    if (kk_field_parse_clock(buf, &minute)) {
        FUZZ_CHECK(minute >= 0 && minute < 1440);
        int d = kk_field_clock_offset(minute, (minute * 7 + 13) % 1440);
        FUZZ_CHECK(d >= -720 && d < 720);
    } else
        FUZZ_CHECK(minute == -1);
    if (kk_field_valid_text(buf, 200)) {
        FUZZ_CHECK(kk_utf8_valid(buf, strlen(buf)) && strlen(buf) <= 200);
        for (const unsigned char *c = (const unsigned char *)buf; *c; c++)
            FUZZ_CHECK(*c >= 0x20 && *c != 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    check_targets(data, size);
    const char *s = (const char *)data;
    for (size_t i = 0; i < size;) {
        size_t st = i;
        while (i < size && data[i] != '\n' && data[i] != '\r')
            i++;
        check_line(s + st, i - st);
        i++;
    }
    char h[32];
    uint64_t v = 0;
    memcpy(&v, data, size < sizeof v ? size : sizeof v);
    kk_field_human(v, h, sizeof h);
    FUZZ_CHECK(strlen(h) > 0);
    return 0;
}
