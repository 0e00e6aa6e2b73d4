/* err.h - the one error convention of kaketsuke.
 *
 * Library code (everything outside src/cli/) returns an int status: KK_OK (0) or a
 * negative KK_E* code, and records a one-line, lower-case message naming the
 * problem and the object with kk_err_set(). Only src/cli/ prints or exits.
 * Messages are per thread; a later kk_err_set() replaces an earlier one.
 */
#ifndef KK_ERR_H
#define KK_ERR_H

enum {
    KK_OK = 0,
    KK_ENOMEM = -1,    /* out of memory or over a hard cap */
    KK_EIO = -2,       /* read/write failed */
    KK_EINVAL = -3,    /* bad argument or usage */
    KK_EFORMAT = -4,   /* input is corrupt or not of the expected format */
    KK_ENOENT = -5,    /* missing file or object */
    KK_EEXIST = -6,    /* output exists (use --force) */
    KK_ERULES = -7,    /* rules do not compile */
    KK_EUNSUP = -8,    /* format recognised but not supported */
    KK_EINTERNAL = -9, /* a bug or an impossible state */
    KK_ESTOP = -10,    /* stopped on request (interrupt) */
};

/* Record the message for the current thread and return code (for "return kk_err_set(...)"). */
int kk_err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last message of this thread ("" when none). */
const char *kk_err_msg(void);
/* Messages in the user's language: the command line installs a translator (gettext
 * catalog lookup of the format string, src/report/i18n.h); library code stays English
 * otherwise. kk_err_tr(fmt) is what kk_err_set formats with. */
void kk_err_set_translator(const char *(*tr)(const char *msgid));
const char *kk_err_tr(const char *msgid);

/* A short name for a code ("read error", ...). */
const char *kk_err_name(int code);

/* Propagation helpers in the style of libyara's error.h. */
#define KK_TRY(expr)                   \
    do {                               \
        int kk_rc_ = (expr);           \
        if (kk_rc_ != KK_OK)           \
            return kk_rc_;             \
    } while (0)

#define KK_GOTO(rc, expr, label)       \
    do {                               \
        (rc) = (expr);                 \
        if ((rc) != KK_OK)             \
            goto label;                \
    } while (0)

#endif
