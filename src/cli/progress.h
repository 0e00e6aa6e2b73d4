/* progress.h - the progress line on stderr (TTY only, at most 4 updates a second):
 * files, bytes done of total, rate, ETA and the current path. */
#ifndef KK_PROGRESS_H
#define KK_PROGRESS_H
#include "../scan/engine.h"

typedef struct kk_progress kk_progress;
kk_progress *kk_progress_start(kk_scan_stats *st, const char *phase);
void kk_progress_clear(kk_progress *p); /* erase the line before printing a message */
void kk_progress_stop(kk_progress *p);

#endif
