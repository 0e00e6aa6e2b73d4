/* timeline.h - the case's timeline selection (docs/assessment.md, "Timeline").
 *
 * From timeline/bodyfile.txt (TSK body format, one line per file, written by the scan):
 * every file a rule or IOC matched, every collected artifact, and every file whose
 * modification, change or creation time lies within the encryption window +- 24 h.
 * Written as TSK body lines (timeline/selected.body, `mactime -b` reads it) and as
 * Timesketch JSON Lines (timeline/timeline.jsonl: message, datetime, timestamp,
 * timestamp_desc, plus path, inode, size, macb, selected_by, rules); the model gets the
 * counts and a histogram. Without a bodyfile.txt the selection is built from the times
 * in the findings and collected.jsonl records.
 */
#ifndef KK_REPORT_TIMELINE_H
#define KK_REPORT_TIMELINE_H
#include "model.h"

#include <jansson.h>

#define KK_TIMELINE_MARGIN (24 * 3600)     /* around the encryption window */
#define KK_TIMELINE_MAX_EVENTS 2000000     /* window-only files beyond this are counted, not written */
#define KK_TIMELINE_BUCKETS 48             /* at most, in the histogram */

/* Select the timeline of a loaded case. outdir: the folder to write selected.body and
 * timeline.jsonl into (atomically), or NULL to only count. *summary: the model's
 * "timeline" object (caller decrefs). */
int kk_timeline_build(kk_caseload *cl, const char *outdir, json_t **summary);

/* Histogram of sorted epoch times: at most max_buckets buckets of a round size (1 min ...
 * 1 year) aligned to the local time of tz; [{start, end, events}] with times in tz. When
 * the times span more than 60 days, the 1st-99th percentile is drawn and *outside (may be
 * NULL) counts the rest. */
json_t *kk_histogram(const int64_t *t, size_t n, const char *tz, size_t max_buckets, size_t *outside);

#endif
