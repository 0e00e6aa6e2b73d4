/* main.c - command table and dispatch (git-style: one file per command). */
#include "cli.h"
#include "../util/err.h"
#include "../util/mem.h"
#include "../util/text.h"
#include "../report/i18n.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *kk_progname = "kaketsuke";
volatile sig_atomic_t kk_interrupted;

static const kk_command commands[] = {
    {"scan", cmd_scan, "YARA and IOC scan of disks, images, directories and files", kk_help_scan},
    {"info", cmd_info, "image format, partitions, file systems, encrypted volumes", kk_help_info},
    {"case", cmd_case, "create and fill a case folder (init, set, note, add, show)", kk_help_case},
    {"collect", cmd_collect, "copy forensic artifacts (targets) from a source into a case", kk_help_collect},
    {"bundle", cmd_bundle, "seal a case folder into a signed bundle (DIR.zip)", kk_help_bundle},
    {"verify", cmd_verify, "check a bundle: hashes, signature, custody chain", kk_help_verify},
    {"key", cmd_key, "create or show the engineer's signing key", kk_help_key},
    {"triage", cmd_triage, "scan + collect + assess + report + seal, in one go", kk_help_triage},
    {"guide", cmd_guide, "guided mode: plain-language questions, triage, result (field kit)", kk_help_guide},
    {"report", cmd_report, "render the reports of a case or bundle again", kk_help_report},
    {"rules", cmd_rules, "lint a rule set, install or build a signed rule pack", kk_help_rules},
    {"help", cmd_help, "show help for a command", kk_help_help},
    {"version", cmd_version, "show the version and library versions", kk_help_version},
};

const kk_command *kk_find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

void kk_print_help(FILE *fp, const kk_command *c)
{
    if (c) {
        fputs(c->help, fp);
        return;
    }
    fprintf(fp, "usage: %s COMMAND [OPTIONS] [ARGS]\n\n"
                "kaketsuke (駆付け): offline incident-response forensics and recovery kit.\n\n"
                "Commands:\n", kk_progname);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp, "\nRun '%s help COMMAND' or '%s COMMAND --help' for details.\n"
                "Exit codes: 0 nothing found / ok, 1 findings / problems, 2 usage error or "
                "unusable input, 3 internal error.\n", kk_progname, kk_progname);
}

void kk_print_safe(FILE *fp, const char *s)
{
    kk_buf b;
    kk_buf_init(&b, 0);
    kk_term_clean(&b, s, strlen(s));
    fputs(kk_buf_str(&b), fp);
    kk_buf_free(&b);
}

void kk_die_msg(const char *fmt, ...)
{
    char m[2048];
    va_list ap;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(m, sizeof m, kk_err_tr(fmt), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    fprintf(stderr, "%s: ", kk_progname);
    kk_print_safe(stderr, m);
    fputc('\n', stderr);
}

int kk_exit_for(int rc)
{
    switch (rc) {
    case KK_OK: return KK_EXIT_OK;
    case KK_EINTERNAL: return KK_EXIT_INTERNAL;
    case KK_ENOMEM: return KK_EXIT_INTERNAL;
    default: return KK_EXIT_USAGE;
    }
}

static void on_signal(int sig)
{
    if (kk_interrupted)
        signal(sig, SIG_DFL), raise(sig);
    kk_interrupted = 1;
}

void kk_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int is_dir(const char *p)
{
    return p && access(p, R_OK | X_OK) == 0 && !access(p, F_OK);
}

char *kk_signatures_dir(void)
{
    const char *env = getenv("KAKETSUKE_SIGNATURES");
    if (env && *env)
        return kk_strdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    const char *rel[] = {"../share/kaketsuke/signatures", "../signatures"};
    for (size_t i = 0; i < 2; i++) {
        char *p = kk_asprintf("%s/%s", exe, rel[i]);
        char *rp = p ? realpath(p, NULL) : NULL;
        free(p);
        if (rp && is_dir(rp))
            return rp;
        free(rp);
    }
    return NULL;
}

int kk_parse_size(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        return KK_EINVAL;
    unsigned long long mul = 1;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': mul = 1ull << 10; end++; break;
    case 'm': case 'M': mul = 1ull << 20; end++; break;
    case 'g': case 'G': mul = 1ull << 30; end++; break;
    default: return KK_EINVAL;
    }
    if ((*end == 'i' || *end == 'B') && end[1] == '\0')
        end++;
    else if (*end == 'i' && end[1] == 'B' && !end[2])
        end += 2;
    if (*end || (mul > 1 && v > ~0ull / mul))
        return KK_EINVAL;
    *out = v * mul;
    return KK_OK;
}

const char kk_help_help[] = "usage: kaketsuke help [COMMAND]\n\nShow the list of commands, or the help of one.\n";
const char kk_help_version[] = "usage: kaketsuke version\n\nShow the version of kaketsuke and of the libraries it uses.\n";

int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        kk_print_help(stdout, NULL);
        return KK_EXIT_OK;
    }
    const kk_command *c = kk_find_command(argv[1]);
    if (!c) {
        kk_die_msg("unknown command '%s' (see 'kaketsuke help')", argv[1]);
        return KK_EXIT_USAGE;
    }
    kk_print_help(stdout, c);
    return KK_EXIT_OK;
}

/* Messages in Japanese when the user's language is Japanese (LANGUAGE, LC_ALL,
 * LC_MESSAGES, LANG), whether or not that locale is installed. */
static const char *cli_lang;
static const char *translate(const char *msgid) { return kk_tr(cli_lang, msgid); }

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    cli_lang = kk_i18n_env_lang();
    if (strcmp(cli_lang, "en"))
        kk_err_set_translator(translate);
    if (argc < 2) {
        kk_print_help(stderr, NULL);
        return KK_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        name = "help";
    if (!strcmp(name, "--version"))
        name = "version";
    const kk_command *c = kk_find_command(name);
    if (!c) {
        kk_die_msg("unknown command '%s' (see 'kaketsuke help')", argv[1]);
        return KK_EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            kk_print_help(stdout, c);
            return KK_EXIT_OK;
        }
    }
    return c->run(argc - 1, argv + 1);
}
