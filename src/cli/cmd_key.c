/* cmd_key.c - kaketsuke key new|show: the engineer's Ed25519 signing key. */
#include "cli.h"
#include "../evidence/sign.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const char kk_help_key[] =
    "usage: kaketsuke key new [--key FILE] [--force] [--no-passphrase]\n"
    "       kaketsuke key show [--key FILE]\n"
    "\n"
    "  new    create the engineer's signing key pair (Ed25519): the private key as PKCS#8\n"
    "         PEM (mode 0600), optionally protected by a passphrase, and the public key\n"
    "         next to it as FILE.pub. Default FILE: ~/.config/kaketsuke/signing.key\n"
    "  show   print the key file, its fingerprint and the public key (PEM)\n"
    "\n"
    "Bundles are signed with this key (kaketsuke bundle); reports and verify print its\n"
    "fingerprint: the SHA-256 of the raw 32-byte public key, in hex. Give the fingerprint\n"
    "to the insurer by another channel (phone, business card) so they can check it.\n"
    "\n"
    "Options:\n"
    "      --key FILE        key file (also KAKETSUKE_KEY)\n"
    "      --force           replace an existing key\n"
    "      --no-passphrase   do not ask for a passphrase\n"
    "\n"
    "Passphrase: KAKETSUKE_KEY_PASS when set (empty = none), else asked on the terminal\n"
    "(twice; empty = none), else none.\n"
    "\n"
    "Exit: 0 done, 2 usage error or the key exists, 3 internal error.\n";

/* Read a passphrase for key file path: KAKETSUKE_KEY_PASS, else the terminal (confirm: ask
 * twice). *out is NULL when none is available. Shared with cmd_bundle.c and cmd_verify.c. */
int kk_cli_passphrase(const char *prompt, int confirm, char **out);

static char *tty_read(int fd, const char *prompt)
{
    struct termios old, noecho;
    int have = tcgetattr(fd, &old) == 0;
    if (have) {
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &noecho);
    }
    if (write(fd, prompt, strlen(prompt)) < 0) { /* the read below still works */ }
    char buf[1024];
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || ch == '\n' || ch == '\r')
            break;
        if (n + 1 < sizeof buf)
            buf[n++] = ch;
    }
    buf[n] = '\0';
    if (have)
        tcsetattr(fd, TCSAFLUSH, &old);
    if (write(fd, "\n", 1) < 0) { /* cosmetic */ }
    char *s = kk_strdup(buf);
    memset(buf, 0, sizeof buf);
    return s;
}

int kk_cli_passphrase(const char *prompt, int confirm, char **out)
{
    *out = NULL;
    const char *env = getenv("KAKETSUKE_KEY_PASS");
    if (env) {
        *out = kk_strdup(env);
        return KK_OK;
    }
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return KK_OK;
    if (!isatty(fd)) {
        close(fd);
        return KK_OK;
    }
    char *a = tty_read(fd, prompt);
    if (a && confirm && *a) {
        char *b = tty_read(fd, "again: ");
        if (!b || strcmp(a, b)) {
            free(a);
            free(b);
            close(fd);
            return kk_err_set(KK_EINVAL, "the passphrases do not match");
        }
        free(b);
    }
    close(fd);
    *out = a;
    return KK_OK;
}

static int write_pub(const char *path, const char *pem)
{
    char *p = kk_asprintf("%s.pub", path);
    FILE *f = p ? fopen(p, "w") : NULL;
    int ok = f && fputs(pem, f) >= 0;
    if (f)
        ok = (fclose(f) == 0) && ok;
    free(p);
    return ok ? KK_OK : kk_err_set(KK_EIO, "cannot write '%s.pub': %s", path, strerror(errno));
}

int cmd_key(int argc, char **argv)
{
    static const struct option lo[] = {{"key", required_argument, NULL, 'k'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"no-passphrase", no_argument, NULL, 'n'},
                                       {NULL, 0, NULL, 0}};
    if (argc < 2) {
        kk_die_msg("key: give a subcommand: new or show (see 'kaketsuke help key')");
        return KK_EXIT_USAGE;
    }
    const char *sub = argv[1], *keyopt = NULL;
    int force = 0, nopass = 0, c;
    optind = 1;
    while ((c = getopt_long(argc - 1, argv + 1, "", lo, NULL)) != -1) {
        switch (c) {
        case 'k': keyopt = optarg; break;
        case 'f': force = 1; break;
        case 'n': nopass = 1; break;
        default: return KK_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        kk_die_msg("key: unexpected argument '%s'", argv[1 + optind]);
        return KK_EXIT_USAGE;
    }
    char *path = kk_key_path(keyopt);
    if (!path) {
        kk_die_msg("%s", kk_err_msg());
        return KK_EXIT_USAGE;
    }
    int ex = KK_EXIT_OK, rc;
    kk_key *k = NULL;
    char *pass = NULL, fpr[65];
    if (!strcmp(sub, "new")) {
        if (!nopass && (rc = kk_cli_passphrase("passphrase for the new signing key (empty: none): ", 1,
                                               &pass)) != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            free(path);
            return KK_EXIT_USAGE;
        }
        rc = kk_key_generate(path, nopass ? NULL : pass, force, &k);
        if (rc != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = rc == KK_EEXIST ? KK_EXIT_USAGE : kk_exit_for(rc == KK_EIO ? KK_EINTERNAL : rc);
            goto out;
        }
        char *pem = kk_key_public_pem(k);
        if (!pem || write_pub(path, pem) != KK_OK) {
            kk_die_msg("%s", pem ? kk_err_msg() : "cannot export the public key");
            free(pem);
            ex = KK_EXIT_INTERNAL;
            goto out;
        }
        free(pem);
        kk_key_fingerprint(k, fpr);
        printf("created signing key ");
        kk_print_safe(stdout, path);
        printf(" (%s)\npublic key:  ", pass && *pass && !nopass ? "passphrase-protected" : "no passphrase");
        kk_print_safe(stdout, path);
        printf(".pub\nfingerprint: %s\n", fpr);
    } else if (!strcmp(sub, "show")) {
        if (force || nopass) {
            kk_die_msg("key show: --force and --no-passphrase are for 'key new'");
            ex = KK_EXIT_USAGE;
            goto out;
        }
        if (kk_key_is_encrypted(path) == 1 &&
            kk_cli_passphrase("passphrase of the signing key: ", 0, &pass) != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = KK_EXIT_USAGE;
            goto out;
        }
        rc = kk_key_load(path, pass, &k);
        if (rc != KK_OK) {
            kk_die_msg("%s", kk_err_msg());
            ex = KK_EXIT_USAGE;
            goto out;
        }
        kk_key_fingerprint(k, fpr);
        char *pem = kk_key_public_pem(k);
        printf("key file:    ");
        kk_print_safe(stdout, path);
        printf("\nfingerprint: %s\n%s", fpr, pem ? pem : "");
        free(pem);
    } else {
        kk_die_msg("key: unknown subcommand '%s': use new or show", sub);
        ex = KK_EXIT_USAGE;
    }
out:
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    kk_key_free(k);
    free(path);
    return ex;
}
