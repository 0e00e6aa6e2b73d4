/* cmd_verify.c - kaketsuke verify FILE.zip|FILE.zip.p7m: check a bundle. */
#include "cli.h"
#include "../evidence/bundle.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char kk_help_verify[] =
    "usage: kaketsuke verify [OPTIONS] FILE.zip\n"
    "       kaketsuke verify --decrypt-key KEY.pem [-o OUT.zip] FILE.zip.p7m\n"
    "\n"
    "Check a bundle made by 'kaketsuke bundle': the zip structure and every member's CRC,\n"
    "every SHA-256 in manifest.json and in SHA256SUMS, the Ed25519 signature over\n"
    "manifest.json, the hash chain of custody.jsonl (and that it ends where the manifest\n"
    "says), and the plaintext SHA-256 of every sample inside samples.zip. Prints OK, or\n"
    "names every member that is missing, extra or altered. Prints the signer's key\n"
    "fingerprint: compare it with the one the engineer gave you.\n"
    "\n"
    "Options:\n"
    "      --signer FPR            fail unless the bundle is signed by this key fingerprint\n"
    "      --sample-password PW    password of samples.zip (default infected)\n"
    "      --no-samples            do not open samples.zip\n"
    "      --decrypt-key KEY.pem   FILE is a CMS-encrypted bundle (.p7m): decrypt it with\n"
    "                              this private key (passphrase: KAKETSUKE_KEY_PASS or asked)\n"
    "  -o, --output OUT.zip        with --decrypt-key: keep the decrypted bundle as OUT.zip\n"
    "      --json                  print the result as one JSON object\n"
    "\n"
    "Exit: 0 verified, 1 altered, incomplete or signature invalid, 2 not a bundle or usage\n"
    "error, 3 internal error.\n";

int kk_cli_passphrase(const char *prompt, int confirm, char **out); /* cmd_key.c */

int cmd_verify(int argc, char **argv)
{
    enum { O_SIGNER = 256, O_SPW, O_NOS, O_DKEY, O_JSON };
    static const struct option lo[] = {{"signer", required_argument, NULL, O_SIGNER},
                                       {"sample-password", required_argument, NULL, O_SPW},
                                       {"no-samples", no_argument, NULL, O_NOS},
                                       {"decrypt-key", required_argument, NULL, O_DKEY},
                                       {"output", required_argument, NULL, 'o'},
                                       {"json", no_argument, NULL, O_JSON},
                                       {NULL, 0, NULL, 0}};
    kk_verify_opts vo;
    memset(&vo, 0, sizeof vo);
    const char *dkey = NULL, *out = NULL;
    int as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        switch (c) {
        case O_SIGNER: vo.expect_fingerprint = optarg; break;
        case O_SPW: vo.sample_password = optarg; break;
        case O_NOS: vo.skip_samples = 1; break;
        case O_DKEY: dkey = optarg; break;
        case 'o': out = optarg; break;
        case O_JSON: as_json = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        kk_die_msg("verify: give exactly one bundle FILE (see 'kaketsuke help verify')");
        return KK_EXIT_USAGE;
    }
    if (out && !dkey) {
        kk_die_msg("verify: -o is for keeping the decrypted bundle; give --decrypt-key too");
        return KK_EXIT_USAGE;
    }
    const char *file = argv[optind];
    size_t fl = strlen(file);
    if (!dkey && fl > 4 && !strcmp(file + fl - 4, ".p7m")) {
        kk_die_msg("verify: '%s' is an encrypted bundle: give --decrypt-key KEY.pem", file);
        return KK_EXIT_USAGE;
    }
    char *tmp = NULL, *pass = NULL;
    int ex = KK_EXIT_OK, rc;
    if (dkey) {
        if (out) {
            if (access(out, F_OK) == 0) {
                kk_die_msg("verify: output '%s' already exists", out);
                return KK_EXIT_USAGE;
            }
            tmp = kk_strdup(out);
        } else {
            const char *td = getenv("TMPDIR");
            tmp = kk_asprintf("%s/kaketsuke-verify-XXXXXX", td && *td ? td : "/tmp");
            int fd = tmp ? mkostemp(tmp, O_CLOEXEC) : -1;
            if (fd < 0) {
                kk_die_msg("verify: cannot create a temporary file");
                free(tmp);
                return KK_EXIT_INTERNAL;
            }
            close(fd);
        }
        FILE *kf = fopen(dkey, "r");
        int enc = 0;
        if (kf) {
            char line[128];
            while (fgets(line, sizeof line, kf))
                if (strstr(line, "ENCRYPTED"))
                    enc = 1;
            fclose(kf);
        }
        if (enc && kk_cli_passphrase("passphrase of the decryption key: ", 0, &pass) != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = KK_EXIT_USAGE;
            goto out;
        }
        rc = kk_cms_decrypt(file, dkey, pass, tmp);
        if (rc != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = rc == KK_EIO ? KK_EXIT_INTERNAL : KK_EXIT_USAGE;
            goto out;
        }
        file = tmp;
    }
    kk_verify_result r;
    rc = kk_bundle_verify(&vo, (vo.path = file, &r));
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        ex = kk_exit_for(rc);
        kk_verify_result_free(&r);
        goto out;
    }
    size_t np = json_array_size(r.problems);
    ex = np ? KK_EXIT_FOUND : KK_EXIT_OK;
    json_t *casej = json_object_get(r.manifest, "case");
    if (as_json) {
        json_t *j = json_object();
        kk_jset_str(j, "bundle", argv[optind]);
        json_object_set_new(j, "ok", json_boolean(np == 0));
        kk_jset_str(j, "signer", r.fingerprint);
        json_object_set_new(j, "signature_ok", json_boolean(r.signature_ok));
        kk_jset_u64(j, "members", r.members);
        kk_jset_u64(j, "samples", r.samples);
        json_object_set_new(j, "samples_checked", json_boolean(r.samples_checked));
        kk_jset_u64(j, "custody_entries", r.custody_entries);
        if (casej)
            json_object_set(j, "case", casej);
        json_object_set(j, "problems", r.problems);
        char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
        json_decref(j);
    } else {
        size_t i;
        json_t *p;
        json_array_foreach(r.problems, i, p)
        {
            const char *kind = json_string_value(json_object_get(p, "kind"));
            char up[16];
            size_t k = 0;
            for (; kind && kind[k] && k < sizeof up - 1; k++)
                up[k] = (char)(kind[k] >= 'a' && kind[k] <= 'z' ? kind[k] - 32 : kind[k]);
            up[k] = '\0';
            printf("%-9s ", up);
            kk_print_safe(stdout, json_string_value(json_object_get(p, "message")));
            printf("\n");
        }
        const char *cid = json_string_value(json_object_get(casej, "case_id"));
        if (np == 0) {
            printf("OK: ");
            kk_print_safe(stdout, argv[optind]);
            printf(": %zu members", r.members);
            if (r.samples)
                printf(" (%zu samples in samples.zip checked)", r.samples);
            printf(", custody log of %zu entries intact, signature valid\n", r.custody_entries);
        } else {
            printf("FAILED: ");
            kk_print_safe(stdout, argv[optind]);
            printf(": %zu problem%s\n", np, np == 1 ? "" : "s");
        }
        if (cid) {
            printf("case:      ");
            kk_print_safe(stdout, cid);
            printf("\n");
        }
        if (r.fingerprint[0])
            printf("signed by: %s (compare with the fingerprint the engineer gave you)\n", r.fingerprint);
    }
    kk_verify_result_free(&r);
out:
    if (tmp && !out)
        unlink(tmp);
    free(tmp);
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    return ex;
}
