/* cmd_triage.c - kaketsuke triage SOURCE --case DIR: scan (suspicious places first) ->
 * collect -> timeline -> assess and report -> seal -> receipt, in one go. */
#include "cli.h"
#include "../evidence/evutil.h"
#include "../evidence/sign.h"
#include "../report/model.h"
#include "../report/render.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"
#include "../util/timefmt.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char kk_help_triage[] =
    "usage: kaketsuke triage [OPTIONS] SOURCE --case DIR\n"
    "\n"
    "Everything an engineer on site needs, in one command: scan SOURCE (the most\n"
    "suspicious places first: startup and temp folders, downloads, web roots; then\n"
    "everything), collect the forensic artifacts and every matched file, build the\n"
    "timeline, assess (verdict, damage scope, recovery steps), write the reports, seal\n"
    "the case into a signed bundle and write a receipt for it.\n"
    "\n"
    "Outputs: DIR/report/report.{html,pdf,json,txt} (DIR/report/en/ for a second\n"
    "language), DIR.zip next to the folder, DIR.receipt.txt and DIR.receipt.pdf with the\n"
    "bundle's SHA-256. The case folder may exist already (case init / case set).\n"
    "\n"
    "Options:\n"
    "  -r, --rules PATH     rules (repeatable; default: the bundled signatures)\n"
    "      --lang LIST      ja, en or ja,en (default: the case's lang, else the locale, else ja)\n"
    "      --quick          scan only the most suspicious places\n"
    "  -j, --threads N      scan threads (default: all cores)\n"
    "      --key FILE       signing key (also KAKETSUKE_KEY); created when missing\n"
    "      --force          replace an existing DIR.zip and reports\n"
    "      --quiet          no progress lines\n"
    "\n"
    "Exit: 0 nothing found, 1 findings, 2 usage error or unusable source, 3 internal error.\n";

int kk_render_reports(const char *path, int is_bundle, const char *langs, const char *formats,
                      const char *outdir, int force, int quiet, char *first_html, char *first_pdf);
const char *kk_default_lang(const char *case_dir);

typedef struct argvb {
    char *v[64];
    int n;
} argvb;

static void push(argvb *a, const char *s)
{
    if (a->n < 63)
        a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
}

static void phase(int quiet, const char *name)
{
    if (!quiet)
        fprintf(stderr, "== %s\n", kk_err_tr(name));
}

int cmd_triage(int argc, char **argv)
{
    static const struct option lo[] = {{"case", required_argument, NULL, 'C'},
                                       {"rules", required_argument, NULL, 'r'},
                                       {"lang", required_argument, NULL, 'L'},
                                       {"quick", no_argument, NULL, 'Q'},
                                       {"threads", required_argument, NULL, 'j'},
                                       {"key", required_argument, NULL, 'K'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {NULL, 0, NULL, 0}};
    const char *casedir = NULL, *langs = NULL, *threads = NULL, *key = NULL;
    const char *rules[16];
    int nrules = 0, quick = 0, force = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:j:", lo, NULL)) != -1) {
        switch (c) {
        case 'C': casedir = optarg; break;
        case 'r':
            if (nrules < 16)
                rules[nrules++] = optarg;
            break;
        case 'L': langs = optarg; break;
        case 'Q': quick = 1; break;
        case 'j': threads = optarg; break;
        case 'K': key = optarg; break;
        case 'f': force = 1; break;
        case 'q': quiet = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !casedir) {
        kk_die_msg("triage: give one SOURCE and --case DIR (see 'kaketsuke help triage')");
        return KK_EXIT_USAGE;
    }
    const char *src = argv[optind];
    size_t cl = strlen(casedir);
    while (cl > 1 && casedir[cl - 1] == '/')
        cl--;
    char *dir = kk_strndup(casedir, cl);
    char *zip = kk_asprintf("%s.zip", dir);
    char *rtxt = kk_asprintf("%s.receipt.txt", dir), *rpdf = kk_asprintf("%s.receipt.pdf", dir);
    char *reportdir = kk_asprintf("%s/report", dir);
    int ex = KK_EXIT_OK, found = 0;
    char *kp = NULL;
    kk_key *kk = NULL;
    json_t *model = NULL;
    if (!force && access(zip, F_OK) == 0) {
        kk_die_msg("the bundle '%s' already exists (use --force to replace it)", zip);
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if (access(src, R_OK) != 0) {
        kk_die_msg("cannot open source '%s': %s", src, strerror(errno));
        ex = KK_EXIT_USAGE;
        goto out;
    }
    /* The signing key: created (without passphrase unless KAKETSUKE_KEY_PASS) when missing. */
    kp = kk_key_path(key);
    if (!kp) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if (access(kp, F_OK) != 0) {
        const char *pass = getenv("KAKETSUKE_KEY_PASS");
        if (kk_key_generate(kp, pass && *pass ? pass : NULL, 0, &kk) != KK_OK) {
            kk_die_msg("cannot create the signing key: %s", kk_err_msg());
            ex = KK_EXIT_USAGE;
            goto out;
        }
        char fpr[65];
        kk_key_fingerprint(kk, fpr);
        fprintf(stderr, "kaketsuke: created a new signing key '%s' (fingerprint %s); keep it safe and "
                "give the fingerprint to the insurer\n", kp, fpr);
        kk_key_free(kk);
        kk = NULL;
    }

    /* 1. scan: findings into the case, suspicious places first */
    phase(quiet, N_("scan"));
    argvb a = {.n = 0};
    push(&a, "scan");
    push(&a, "--case");
    push(&a, dir);
    push(&a, "--priority");
    if (quick)
        push(&a, "--quick");
    if (quiet)
        push(&a, "--quiet");
    if (threads) {
        push(&a, "-j");
        push(&a, threads);
    }
    for (int i = 0; i < nrules; i++) {
        push(&a, "-r");
        push(&a, rules[i]);
    }
    if (force)
        push(&a, "--force");
    push(&a, src);
    int rc = cmd_scan(a.n, a.v);
    if (rc >= KK_EXIT_USAGE) {
        ex = rc;
        goto out;
    }
    found = rc == KK_EXIT_FOUND;

    /* 2. collect: forensic artifacts and every matched file */
    phase(quiet, N_("collect"));
    a.n = 0;
    push(&a, "collect");
    push(&a, src);
    push(&a, "--case");
    push(&a, dir);
    if (quiet)
        push(&a, "--quiet");
    rc = cmd_collect(a.n, a.v);
    if (rc >= KK_EXIT_USAGE)
        fprintf(stderr, "kaketsuke: collection was incomplete (exit %d); going on with the report\n", rc);

    /* 3. timeline, assessment and reports */
    phase(quiet, N_("report"));
    if (kk_timeline_write(dir, NULL) != KK_OK)
        fprintf(stderr, "kaketsuke: timeline: %s\n", kk_err_msg());
    if (!langs)
        langs = kk_default_lang(dir);
    char html[4096] = "", pdf[4096] = "";
    rc = kk_render_reports(dir, 0, langs, "html,pdf,json,txt", reportdir, 1, quiet, html, pdf);
    if (rc != KK_EXIT_OK) {
        ex = rc;
        goto out;
    }

    /* 4. seal and receipt */
    phase(quiet, N_("bundle"));
    a.n = 0;
    push(&a, "bundle");
    push(&a, dir);
    push(&a, "-o");
    push(&a, zip);
    if (force)
        push(&a, "--force");
    if (key) {
        push(&a, "--key");
        push(&a, key);
    }
    if (quiet)
        push(&a, "--quiet");
    rc = cmd_bundle(a.n, a.v);
    if (rc != KK_EXIT_OK) {
        ex = rc;
        goto out;
    }
    char sha[65];
    uint64_t size = 0;
    if (kk_sha256_file(zip, sha, &size) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto out;
    }
    char fpr[65] = "";
    const char *pass = getenv("KAKETSUKE_KEY_PASS");
    if (kk_key_load(kp, pass, &kk) == KK_OK)
        kk_key_fingerprint(kk, fpr);
    char first_lang[8];
    snprintf(first_lang, sizeof first_lang, "%.2s", langs);
    if (kk_report_model(dir, first_lang, &model) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto out;
    }
    char now[KK_TIME_LEN];
    kk_time_now_iso(now);
    const char *slash = strrchr(zip, '/');
    json_t *case_ = json_object_get(model, "case");
    json_t *receipt = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s?}", "bundle_name",
                                slash ? slash + 1 : zip, "bundle_size", (json_int_t)size, "bundle_sha256", sha,
                                "signer_fingerprint", fpr, "created_at", now,
                                "case_id", json_string_value(json_object_get(case_, "case_id")),
                                "client", json_string_value(json_object_get(case_, "client")),
                                "engineer", json_string_value(json_object_get(case_, "engineer")),
                                "engineer_org", json_string_value(json_object_get(case_, "engineer_org")),
                                "timezone", json_string_value(json_object_get(case_, "timezone")));
    if (!force && (access(rtxt, F_OK) == 0 || access(rpdf, F_OK) == 0)) {
        kk_die_msg("the receipt '%s' already exists (use --force to replace it)", rtxt);
        json_decref(receipt);
        ex = KK_EXIT_USAGE;
        goto out;
    }
    rc = kk_render_receipt(receipt, first_lang, rtxt, rpdf);
    json_decref(receipt);
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_INTERNAL;
        goto out;
    }

    /* 5. what the engineer needs to know now */
    json_t *verdict = json_object_get(model, "verdict");
    printf("\n%s: %s\n", kk_tr(first_lang, "Verdict"), json_string_value(json_object_get(verdict, "value")) ?: "?");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(verdict, "reasons"), i, v)
    {
        printf("  - ");
        kk_print_safe(stdout, json_string_value(json_object_get(v, "text")) ?: "");
        printf("\n");
    }
    json_array_foreach(json_object_get(model, "steps"), i, v)
    {
        if (i == 0)
            printf("%s:\n", kk_tr(first_lang, "Next steps"));
        if (i >= 5)
            break;
        printf("  %zu. ", i + 1);
        kk_print_safe(stdout, json_string_value(json_object_get(v, "title")) ?: "");
        printf("\n");
    }
    printf("\n%s: ", kk_tr(first_lang, "Report"));
    kk_print_safe(stdout, html);
    printf("\n%s: ", kk_tr(first_lang, "Report (PDF)"));
    kk_print_safe(stdout, pdf);
    printf("\n%s: ", kk_tr(first_lang, "Bundle"));
    kk_print_safe(stdout, zip);
    printf("  (SHA-256 %s)\n%s: ", sha, kk_tr(first_lang, "Receipt"));
    kk_print_safe(stdout, rtxt);
    printf(", ");
    kk_print_safe(stdout, rpdf);
    printf("\n");
    ex = found ? KK_EXIT_FOUND : KK_EXIT_OK;
out:
    json_decref(model);
    kk_key_free(kk);
    free(kp);
    free(dir);
    free(zip);
    free(rtxt);
    free(rpdf);
    free(reportdir);
    return ex;
}
