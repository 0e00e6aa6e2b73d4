/* rules.h - YARA rules: loaded once (source files, directories, compiled rules),
 * shared read-only by every worker. */
#ifndef KK_RULES_H
#define KK_RULES_H
#include <stddef.h>
#include <yara.h>

typedef struct kk_rules {
    YR_RULES *yr;
    char sha256[65];      /* of the rule sources (sorted relative paths + contents) */
    unsigned nrules;
    unsigned nfiles;      /* files compiled in */
    unsigned nfailed;     /* files left out with a warning */
    int compiled;         /* loaded from compiled rules */
} kk_rules;

/* Problems that do not stop loading (file left out, slow-rule warning): file:line: message. */
typedef void (*kk_rules_warn_fn)(void *ctx, const char *what, const char *message);

/* Load rules from paths (files, directories or compiled rules). Externals filename,
 * filepath, extension, filetype and owner are declared for source rules. A file named
 * directly that fails, or no rule at all, is an error (KK_ERULES, message with
 * file:line); a failing file inside a directory is a warning and left out. */
int kk_rules_load(const char *const *paths, size_t npaths, kk_rules_warn_fn warn, void *ctx,
                  kk_rules **out);
void kk_rules_free(kk_rules *r);

/* libyara process-wide init/fini (reference counted by libyara). */
int kk_yara_init(void);
void kk_yara_fini(void);

#endif
