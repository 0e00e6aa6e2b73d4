/* cmd_report.c - kaketsuke report CASE|BUNDLE */
#include "cli.h"
#include "../report/model.h"
#include "../report/render.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char kk_help_report[] =
    "usage: kaketsuke report [OPTIONS] CASE|BUNDLE.zip\n"
    "\n"
    "Render the reports of a case folder or of a sealed bundle again: the incident report\n"
    "for the insurer (事故報告書) with the verdict and why, damage scope, evidence list with\n"
    "SHA-256 and signer fingerprint, actions, costs, Personal Information Protection\n"
    "Commission deadlines, and the recovery steps (docs/en/user-guide.md).\n"
    "\n"
    "Options:\n"
    "      --lang LIST     ja, en or ja,en (default: the case's lang, else the locale, else ja);\n"
    "                      the second language goes to OUTDIR/<lang>/\n"
    "      --format LIST   html,pdf,json,txt (default: all four)\n"
    "  -o, --output DIR    output folder (default CASE/report/; for a bundle, BUNDLE-report/)\n"
    "      --force         replace existing report files\n"
    "\n"
    "Exit: 0 rendered, 2 not a case or bundle, bad option, or the files exist, 3 write error.\n";

/* Split "a,b" into at most n items (pointers into buf). */
static int split_list(char *buf, const char **out, int n)
{
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && k < n; t = strtok_r(NULL, ",", &save))
        out[k++] = t;
    return k;
}

int kk_render_reports(const char *path, int is_bundle, const char *langs, const char *formats,
                      const char *outdir, int force, int quiet, char *first_html, char *first_pdf)
{
    char lbuf[64], fbuf[128];
    snprintf(lbuf, sizeof lbuf, "%s", langs);
    snprintf(fbuf, sizeof fbuf, "%s", formats);
    const char *lv[4], *fv[8];
    int nl = split_list(lbuf, lv, 4), nf = split_list(fbuf, fv, 8);
    for (int i = 0; i < nl; i++) {
        if (strcmp(lv[i], "ja") && strcmp(lv[i], "en")) {
            kk_die_msg("unknown language '%s' (ja or en)", lv[i]);
            return KK_EXIT_USAGE;
        }
    }
    for (int i = 0; i < nf; i++) {
        if (!kk_render_format_known(fv[i])) {
            kk_die_msg("unknown report format '%s' (html, pdf, json, txt, csv)", fv[i]);
            return KK_EXIT_USAGE;
        }
    }
    if (!nl || !nf) {
        kk_die_msg("report: give at least one language and one format");
        return KK_EXIT_USAGE;
    }
    for (int i = 0; i < nl; i++) {
        char *dir = i == 0 ? kk_strdup(outdir) : kk_asprintf("%s/%s", outdir, lv[i]);
        if (!dir || (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
            kk_die_msg("cannot create '%s': %s", dir ? dir : outdir, strerror(errno));
            free(dir);
            return KK_EXIT_INTERNAL;
        }
        json_t *model = NULL;
        kk_report_opts ro = {.lang = lv[i]};
        int rc = kk_report_model_ex(path, is_bundle, &ro, &model);
        if (rc != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            free(dir);
            return kk_exit_for(rc);
        }
        for (int k = 0; k < nf; k++) {
            char *out = kk_asprintf("%s/report.%s", dir, fv[k]);
            if (!force && access(out, F_OK) == 0) {
                kk_die_msg("'%s' already exists (use --force to replace it)", out);
                free(out);
                json_decref(model);
                free(dir);
                return KK_EXIT_USAGE;
            }
            rc = kk_render(model, fv[k], lv[i], out);
            if (rc != KK_OK) {
                kk_die_msg("%s", kk_err_msg());
                free(out);
                json_decref(model);
                free(dir);
                return rc == KK_EIO || rc == KK_ENOMEM ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
            }
            if (i == 0 && !strcmp(fv[k], "html") && first_html)
                snprintf(first_html, 4096, "%s", out);
            if (i == 0 && !strcmp(fv[k], "pdf") && first_pdf)
                snprintf(first_pdf, 4096, "%s", out);
            if (!quiet) {
                printf("  ");
                kk_print_safe(stdout, out);
                printf("\n");
            }
            free(out);
        }
        json_decref(model);
        free(dir);
    }
    return KK_EXIT_OK;
}

/* The case's language, else the user's locale. */
const char *kk_default_lang(const char *case_dir)
{
    static char lang[8];
    char *p = case_dir ? kk_asprintf("%s/case.json", case_dir) : NULL;
    json_t *j = p ? json_load_file(p, 0, NULL) : NULL;
    free(p);
    const char *l = j ? json_string_value(json_object_get(j, "lang")) : NULL;
    snprintf(lang, sizeof lang, "%s", l && (!strcmp(l, "ja") || !strcmp(l, "en")) ? l : kk_i18n_env_lang());
    json_decref(j);
    return lang;
}

int cmd_report(int argc, char **argv)
{
    static const struct option lo[] = {{"lang", required_argument, NULL, 'L'},
                                       {"format", required_argument, NULL, 'F'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {NULL, 0, NULL, 0}};
    const char *langs = NULL, *formats = "html,pdf,json,txt", *outdir = NULL;
    int force = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        switch (c) {
        case 'L': langs = optarg; break;
        case 'F': formats = optarg; break;
        case 'o': outdir = optarg; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        kk_die_msg("report: give one CASE folder or BUNDLE.zip (see 'kaketsuke help report')");
        return KK_EXIT_USAGE;
    }
    const char *path = argv[optind];
    struct stat st;
    if (stat(path, &st) != 0) {
        kk_die_msg("cannot open '%s': %s", path, strerror(errno));
        return KK_EXIT_USAGE;
    }
    int is_bundle = !S_ISDIR(st.st_mode);
    char *def = NULL;
    if (!outdir) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            n--;
        def = is_bundle ? kk_asprintf("%.*s-report", (int)(n > 4 && !strcmp(path + n - 4, ".zip") ? n - 4 : n), path)
                        : kk_asprintf("%.*s/report", (int)n, path);
        outdir = def;
    }
    if (!langs)
        langs = kk_default_lang(is_bundle ? NULL : path);
    if (!quiet)
        printf("reports:\n");
    int ex = kk_render_reports(path, is_bundle, langs, formats, outdir, force, quiet, NULL, NULL);
    free(def);
    return ex;
}
