/* custody.h - the chain-of-custody log of a case: custody.jsonl.
 *
 * Append-only JSON Lines, one entry per command run on the case. Each entry holds
 *   seq      1, 2, 3, ...
 *   prev     SHA-256 (hex) of the previous line's bytes including its "\n"
 *            (64 zeros for the first entry), so `sed -n Np custody.jsonl | sha256sum`
 *            gives the `prev` of line N+1
 *   time     ISO 8601 in the case's time zone
 *   tool, version, command, args, user, host, engineer, sources [], rules_sha256,
 *   counts {}, result ("ok", "error", "interrupted", ...), message, and extra fields.
 * Changing, inserting, removing or reordering a line breaks the chain; the bundle's
 * signed manifest records the SHA-256 of the last line, so cutting the tail shows too.
 * Appends are serialised with flock(2) and written with one write(2) + fsync.
 */
#ifndef KK_CUSTODY_H
#define KK_CUSTODY_H
#include <jansson.h>
#include <stddef.h>

typedef struct kk_custody_info {
    const char *version;             /* tool version (KK_VERSION) */
    const char *command;             /* "scan", "collect", "case set", "bundle", ... */
    int argc;                        /* command line as run (argv[0] = command name) */
    char *const *argv;
    const char *const *sources;      /* NULL-terminated, or NULL */
    const char *rules_sha256;        /* or NULL */
    json_t *counts;                  /* borrowed, or NULL: result counts */
    json_t *extra;                   /* borrowed, or NULL: more fields (merged) */
    const char *result;              /* NULL = "ok" */
    const char *message;             /* or NULL */
} kk_custody_info;

/* Append one entry to the log at path (created when missing). tz: zone of `time`;
 * engineer: from case.json (may be NULL). */
int kk_custody_append(const char *path, const char *tz, const char *engineer,
                      const kk_custody_info *ci);

typedef struct kk_custody_check {
    size_t entries;          /* entries that chain correctly */
    char head[65];           /* SHA-256 of the last good line (with "\n"), "" when empty */
    size_t bad_line;         /* 0 when the whole log is good, else the first bad line (1-based) */
    char problem[256];       /* what is wrong with bad_line */
} kk_custody_check;

/* Check the chain of a log held in memory. Always KK_OK; see out->bad_line. */
int kk_custody_check_buf(const char *data, size_t n, kk_custody_check *out);
/* Same for a file (KK_ENOENT/KK_EIO when it cannot be read). */
int kk_custody_check_file(const char *path, kk_custody_check *out);

#endif
