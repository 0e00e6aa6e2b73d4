/* progress.h - the progress line on stderr (TTY only, at most 4 updates a second):
 * files, bytes done of total, rate, ETA and the current path. */
#ifndef KK_PROGRESS_H
#define KK_PROGRESS_H
#include "../scan/engine.h"

typedef struct kk_progress kk_progress;
kk_progress *kk_progress_start(kk_scan_stats *st, const char *phase);
void kk_progress_clear(kk_progress *p); /* erase the line before printing a message */
void kk_progress_stop(kk_progress *p);
/* Print a line above the progress line (a finding as soon as it is found). */
void kk_progress_note(kk_progress *p, const char *text);

/* A simple one-line progress for long byte-counting steps (hashing a whole source). */
typedef struct kk_line_progress {
    int on;            /* draw at all (a TTY and not --quiet) */
    double last;       /* time of the last draw */
    const char *what;  /* "hashing source (before)" */
} kk_line_progress;
/* kk_progress_fn-compatible: "WHAT:  42.0%  123 of 456 MiB", at most 4 times a second. */
void kk_bytes_progress(void *ctx, uint64_t done, uint64_t total);
void kk_line_progress_clear(const kk_line_progress *p);

#endif
