/* cmd_rules.c - kaketsuke rules check|pack|update */
#include "cli.h"
#include "../evidence/sign.h"
#include "../scan/rulecheck.h"
#include "../scan/rules.h"
#include "../util/err.h"
#include "../util/json.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const char kk_help_rules[] =
    "usage: kaketsuke rules check [--json] PATH\n"
    "       kaketsuke rules update PACK.zip\n"
    "       kaketsuke rules pack DIR -o PACK.zip --version V [--key FILE] [--force]\n"
    "\n"
    "check   Compile the rules at PATH (file or directory) and report every problem:\n"
    "        files that do not compile (file:line), slow-rule warnings from libyara,\n"
    "        duplicate rule names, and rules without the meta kaketsuke's signatures carry\n"
    "        (category, family, score 0-100, description, description_ja, reference,\n"
    "        author, date; category one of ransomware, ransom-note, webshell, rat,\n"
    "        remote-admin-tool, hacktool, credential-theft, miner, loader, exploit,\n"
    "        persistence, suspicious, test). Exit 0 no problems, 1 problems, 2 unusable.\n"
    "update  Install a signed offline rule pack (from a USB stick) into the bundled\n"
    "        signatures: the signature must match a trusted key in signatures/keys/, every\n"
    "        file must match the signed manifest and every rule must compile. The previous\n"
    "        set is kept in signatures/.previous/; nothing changes if anything fails.\n"
    "        Exit 0 installed, 2 refused.\n"
    "pack    Build and sign a rule pack from DIR (holding rules/, and optionally iocs/\n"
    "        and data/) with an Ed25519 key (--key, $KAKETSUKE_KEY or the default key;\n"
    "        passphrase from $KAKETSUKE_KEY_PASS).\n";

static int rules_check(int argc, char **argv)
{
    static const struct option lo[] = {{"json", no_argument, NULL, 'J'}, {NULL, 0, NULL, 0}};
    int as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'J')
            as_json = 1;
        else
            return KK_EXIT_USAGE;
    }
    if (optind != argc - 1) {
        kk_die_msg("rules check: give one PATH (see 'kaketsuke help rules')");
        return KK_EXIT_USAGE;
    }
    if (kk_yara_init() != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        return KK_EXIT_INTERNAL;
    }
    json_t *problems = NULL, *stats = NULL;
    int rc = kk_rules_lint(argv[optind], &problems, &stats);
    kk_yara_fini();
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        return kk_exit_for(rc);
    }
    size_t n = json_array_size(problems);
    if (as_json) {
        json_t *out = json_pack("{s:s,s:O,s:O,s:b}", "path", argv[optind], "stats", stats,
                                "problems", problems, "ok", n == 0);
        char *s = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
        json_decref(out);
    } else {
        size_t i;
        json_t *p;
        json_array_foreach(problems, i, p)
        {
            kk_print_safe(stdout, json_string_value(json_object_get(p, "message")));
            putchar('\n');
        }
        printf("%lld rule files, %lld rules: %zu problem%s\n",
               (long long)json_integer_value(json_object_get(stats, "files")),
               (long long)json_integer_value(json_object_get(stats, "rules")), n, n == 1 ? "" : "s");
    }
    json_decref(problems);
    json_decref(stats);
    return n ? KK_EXIT_FOUND : KK_EXIT_OK;
}

static int rules_update(int argc, char **argv)
{
    if (argc != 2) {
        kk_die_msg("rules update: give one PACK.zip (see 'kaketsuke help rules')");
        return KK_EXIT_USAGE;
    }
    char *sigdir = kk_signatures_dir();
    if (!sigdir) {
        kk_die_msg("the bundled signatures were not found (set KAKETSUKE_SIGNATURES)");
        return KK_EXIT_USAGE;
    }
    if (kk_yara_init() != KK_OK) {
        free(sigdir);
        return KK_EXIT_INTERNAL;
    }
    json_t *m = NULL;
    int rc = kk_rulepack_install(argv[1], sigdir, &m);
    kk_yara_fini();
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        kk_die_msg("the previous rules in '%s' are unchanged", sigdir);
        free(sigdir);
        return KK_EXIT_USAGE;
    }
    printf("installed rule pack %s (%zu files, signed by %s) into ",
           json_string_value(json_object_get(m, "version")), json_array_size(json_object_get(m, "files")),
           json_string_value(json_object_get(m, "signer")));
    kk_print_safe(stdout, sigdir);
    printf("\nprevious set kept in ");
    kk_print_safe(stdout, sigdir);
    printf("/.previous\n");
    json_decref(m);
    free(sigdir);
    return KK_EXIT_OK;
}

static int rules_pack(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
                                       {"version", required_argument, NULL, 'V'},
                                       {"key", required_argument, NULL, 'k'},
                                       {"force", no_argument, NULL, 'f'},
                                       {NULL, 0, NULL, 0}};
    const char *out = NULL, *version = NULL, *key = NULL;
    int force = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'V': version = optarg; break;
        case 'k': key = optarg; break;
        case 'f': force = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !out || !version) {
        kk_die_msg("rules pack: give DIR, -o PACK.zip and --version (see 'kaketsuke help rules')");
        return KK_EXIT_USAGE;
    }
    char *kp = kk_key_path(key);
    if (!kp) {
        kk_die_msg("%s", kk_err_msg());
        return KK_EXIT_USAGE;
    }
    if (kk_yara_init() != KK_OK) {
        free(kp);
        return KK_EXIT_INTERNAL;
    }
    int rc = kk_rulepack_create(argv[optind], version, kp, getenv("KAKETSUKE_KEY_PASS"), out, force);
    kk_yara_fini();
    free(kp);
    if (rc != KK_OK) {
        kk_die_msg("%s", kk_err_msg());
        return kk_exit_for(rc);
    }
    printf("wrote %s\n", out);
    return KK_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2) {
        kk_die_msg("rules: give check, update or pack (see 'kaketsuke help rules')");
        return KK_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "check"))
        return rules_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "update"))
        return rules_update(argc - 1, argv + 1);
    if (!strcmp(argv[1], "pack"))
        return rules_pack(argc - 1, argv + 1);
    kk_die_msg("rules: unknown subcommand '%s' (check, update, pack)", argv[1]);
    return KK_EXIT_USAGE;
}
