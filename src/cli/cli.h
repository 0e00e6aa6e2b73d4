/* cli.h - the command line: the only place that reads argv, prints, or exits.
 *
 * Adding a command: write cmd_NAME.c with `int cmd_NAME(int argc, char **argv)` and its
 * help text, declare both here and add a row to the table in main.c. */
#ifndef KK_CLI_H
#define KK_CLI_H
#include <signal.h>
#include <stdio.h>

/* Exit codes of every command (GUIDE §1). */
enum {
    KK_EXIT_OK = 0,       /* done, nothing found / verified / no problems */
    KK_EXIT_FOUND = 1,    /* findings reported / bundle altered / problems found */
    KK_EXIT_USAGE = 2,    /* usage error or unusable input */
    KK_EXIT_INTERNAL = 3, /* internal error */
};

typedef struct kk_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *help;
} kk_command;

extern const char *kk_progname;
extern volatile sig_atomic_t kk_interrupted;

const kk_command *kk_find_command(const char *name);
void kk_print_help(FILE *fp, const kk_command *c);

/* Error line on stderr: "kaketsuke: MESSAGE" (terminal-safe). */
void kk_die_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Map a library error code to an exit code. */
int kk_exit_for(int rc);
/* Install SIGINT/SIGTERM handlers that set kk_interrupted (a second signal kills). */
void kk_install_signals(void);
/* Directory of the bundled signatures (KAKETSUKE_SIGNATURES, <bin>/../share/kaketsuke/
 * signatures, <bin>/../signatures); NULL when none exists. Caller frees. */
char *kk_signatures_dir(void);
/* Parse "64M", "1G", "4096": KK_OK or KK_EINVAL. */
int kk_parse_size(const char *s, unsigned long long *out);
/* Print a string from evidence to a terminal/stream safely. */
void kk_print_safe(FILE *fp, const char *s);

int cmd_scan(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_triage(int argc, char **argv);
int cmd_report(int argc, char **argv);
extern const char kk_help_triage[], kk_help_report[];
extern const char kk_help_rules[];
extern const char kk_help_scan[], kk_help_info[], kk_help_help[], kk_help_version[];
int cmd_case(int argc, char **argv);
int cmd_collect(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_guide(int argc, char **argv);
extern const char kk_help_guide[];
extern const char kk_help_case[], kk_help_collect[], kk_help_bundle[], kk_help_verify[], kk_help_key[];

#define KK_VERSION "0.1.0"

#endif
