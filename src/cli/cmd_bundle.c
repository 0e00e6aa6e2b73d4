/* cmd_bundle.c - kaketsuke bundle DIR [-o FILE.zip]: seal a case into a signed bundle. */
#include "cli.h"
#include "../evidence/bundle.h"
#include "../evidence/sign.h"
#include "../util/err.h"
#include "../util/mem.h"
#include "../util/timefmt.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char kk_help_bundle[] =
    "usage: kaketsuke bundle [OPTIONS] DIR\n"
    "\n"
    "Seal the case folder DIR into one zip (default DIR.zip next to the folder) for the\n"
    "insurer and the service provider (docs/evidence.md, docs/insurer-verify.md):\n"
    "the case files at the zip root; samples/ (matched files, possible malware) packed as\n"
    "an inner samples.zip encrypted with AES-256 (password 'infected'); manifest.json\n"
    "listing every member with size, SHA-256 and where collected files came from;\n"
    "manifest.json.sig, an Ed25519 signature over manifest.json made with the engineer's\n"
    "key; signer.pub; SHA256SUMS. It checks with unzip, sha256sum -c and openssl alone.\n"
    "The bundle is written to FILE.part, read back and verified, and only then renamed:\n"
    "an interrupted run never leaves a file named FILE.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE           bundle file (default DIR.zip)\n"
    "      --force                 replace an existing bundle\n"
    "      --key FILE              signing key (also KAKETSUKE_KEY; default\n"
    "                              ~/.config/kaketsuke/signing.key; see 'kaketsuke key new')\n"
    "      --sample-password PW    password of samples.zip (default infected)\n"
    "      --recipient CERT.pem    also encrypt the bundle to this X.509 certificate (CMS,\n"
    "                              AES-256) as FILE.p7m; repeatable\n"
    "      --quiet                 no progress line\n"
    "\n"
    "Passphrase of the key: KAKETSUKE_KEY_PASS, else asked on the terminal.\n"
    "Exit: 0 sealed, 2 usage error, no case, no key or the bundle exists, 3 write error,\n"
    "interrupted or internal error.\n";

int kk_cli_passphrase(const char *prompt, int confirm, char **out); /* cmd_key.c */

typedef struct prog {
    int on;
    double last;
} prog;

static void on_progress(void *ctx, const char *phase, uint64_t done, uint64_t total)
{
    prog *p = ctx;
    if (!p->on)
        return;
    double now = kk_mono();
    if (now - p->last < 0.25 && done != total)
        return;
    p->last = now;
    if (total)
        fprintf(stderr, "\r%-16s %5.1f%%  %" PRIu64 " of %" PRIu64 " MiB   ", phase,
                100.0 * (double)done / (double)total, done >> 20, total >> 20);
    else
        fprintf(stderr, "\r%-16s ...                               ", phase);
    fflush(stderr);
}

int cmd_bundle(int argc, char **argv)
{
    enum { O_FORCE = 256, O_KEY, O_SPW, O_RCPT, O_QUIET };
    static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
                                       {"force", no_argument, NULL, O_FORCE},
                                       {"key", required_argument, NULL, O_KEY},
                                       {"sample-password", required_argument, NULL, O_SPW},
                                       {"recipient", required_argument, NULL, O_RCPT},
                                       {"quiet", no_argument, NULL, O_QUIET},
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL, *keyopt = NULL, *spw = NULL;
    const char *rcpt[17] = {0};
    int nr = 0, force = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case O_FORCE: force = 1; break;
        case O_KEY: keyopt = optarg; break;
        case O_SPW: spw = optarg; break;
        case O_RCPT:
            if (nr == 16) {
                kk_die_msg("bundle: at most 16 --recipient");
                return KK_EXIT_USAGE;
            }
            rcpt[nr++] = optarg;
            break;
        case O_QUIET: quiet = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        kk_die_msg("bundle: give exactly one case folder DIR (see 'kaketsuke help bundle')");
        return KK_EXIT_USAGE;
    }
    if (spw && !*spw) {
        kk_die_msg("bundle: --sample-password must not be empty");
        return KK_EXIT_USAGE;
    }
    const char *dir = argv[optind];
    char *defout = NULL;
    if (!out) {
        size_t n = strlen(dir);
        while (n > 1 && dir[n - 1] == '/')
            n--;
        defout = kk_asprintf("%.*s.zip", (int)n, dir);
        out = defout;
    }
    int ex = KK_EXIT_OK;
    char *kpath = kk_key_path(keyopt), *pass = NULL;
    kk_key *key = NULL;
    kk_bundle_result res;
    memset(&res, 0, sizeof res);
    if (!kpath) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    if (kk_key_is_encrypted(kpath) == 1 && kk_cli_passphrase("passphrase of the signing key: ", 0, &pass) != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    int rc = kk_key_load(kpath, pass, &key);
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = KK_EXIT_USAGE;
        goto out;
    }
    kk_install_signals();
    prog pg = {!quiet && isatty(2), 0};
    kk_bundle_opts o = {.case_dir = dir, .output = out, .force = force, .key = key, .sample_password = spw,
                        .recipients = nr ? rcpt : NULL, .version = KK_VERSION, .argc = argc, .argv = argv,
                        .progress = on_progress, .progress_ctx = &pg, .interrupt = &kk_interrupted};
    rc = kk_bundle_create(&o, &res);
    if (pg.on)
        fprintf(stderr, "\r%60s\r", "");
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = (rc == KK_EIO || rc == KK_ESTOP || rc == KK_EINTERNAL || rc == KK_ENOMEM) ? KK_EXIT_INTERNAL
                                                                                    : KK_EXIT_USAGE;
        if (rc == KK_ESTOP)
            kk_die_msg("interrupted: no bundle was written");
        goto out;
    }
    size_t i;
    json_t *w;
    json_array_foreach(res.warnings, i, w)
    {
        fprintf(stderr, "%s: warning: ", kk_progname);
        kk_print_safe(stderr, json_string_value(w));
        fputc('\n', stderr);
    }
    printf("bundle:      ");
    kk_print_safe(stdout, out);
    printf("\nsha256:      %s\nsize:        %" PRIu64 " bytes\nmembers:     %zu (samples in samples.zip: %zu)\n"
           "signed by:   %s\n",
           res.sha256, res.bytes, res.members, res.samples, res.fingerprint);
    if (res.p7m) {
        printf("encrypted:   ");
        kk_print_safe(stdout, res.p7m);
        printf("\n");
    }
out:
    kk_bundle_result_free(&res);
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    kk_key_free(key);
    free(kpath);
    free(defout);
    return ex;
}
