/* kk-render - test tool: render a report model (a report.json fixture) or a receipt record
 * with the library's renderers, without a case folder.
 *   kk-render MODEL.json FORMAT LANG OUT         (LANG "-" = the model's language)
 *   kk-render --receipt RECORD.json LANG TXT PDF (TXT or PDF "-" = not written)
 *   kk-render --tr LANG MSGID                    (prints the translation)
 *   kk-render --font                             (prints the PDF font family)
 * Exit 0 on success, 2 on bad input, 3 when rendering fails. */
#include "report/render.h"
#include "util/err.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* see reports/lsan.supp: library caches, not leaks of ours (ASan builds only) */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

static json_t *load(const char *path)
{
    json_error_t e;
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);
    if (!j)
        fprintf(stderr, "kk-render: cannot read '%s': %s (line %d)\n", path, e.text, e.line);
    return j;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--font")) {
        const char *f = kk_render_pdf_font();
        if (!f) {
            fprintf(stderr, "kk-render: %s\n", kk_err_msg());
            return 3;
        }
        printf("%s\n", f);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "--tr")) {
        printf("%s\n", kk_tr(argv[2], argv[3]));
        return 0;
    }
    if (argc == 6 && !strcmp(argv[1], "--receipt")) {
        json_t *r = load(argv[2]);
        if (!r)
            return 2;
        int rc = kk_render_receipt(r, argv[3], strcmp(argv[4], "-") ? argv[4] : NULL,
                                   strcmp(argv[5], "-") ? argv[5] : NULL);
        json_decref(r);
        if (rc != KK_OK) {
            fprintf(stderr, "kk-render: %s\n", kk_err_msg());
            return 3;
        }
        return 0;
    }
    if (argc != 5) {
        fprintf(stderr, "usage: kk-render MODEL.json FORMAT LANG OUT\n"
                        "       kk-render --receipt RECORD.json LANG TXT PDF\n"
                        "       kk-render --tr LANG MSGID | --font\n");
        return 2;
    }
    json_t *m = load(argv[1]);
    if (!m)
        return 2;
    int rc = kk_render(m, argv[2], strcmp(argv[3], "-") ? argv[3] : NULL, argv[4]);
    json_decref(m);
    if (rc != KK_OK) {
        fprintf(stderr, "kk-render: %s\n", kk_err_msg());
        return rc == KK_EINVAL ? 2 : 3;
    }
    return 0;
}
