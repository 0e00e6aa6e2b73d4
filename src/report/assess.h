/* assess.h - from scan records to a verdict (docs/assessment.md).
 *
 * Feed every record of the case's findings*.jsonl to kk_assess_record (match, ioc,
 * encrypted, volume_stats, summary, error, warning, skip; others are ignored), then
 * kk_assess_build fills the model's "verdict", "findings", "findings_omitted", "counts"
 * and "scope", and the facts the playbooks are chosen by.
 *
 * Memory stays bounded on a disk with hundreds of thousands of encrypted files: records
 * are aggregated as they come (counts, bytes, directories, times), duplicates (the same
 * file reported by two scans) are recognised by a 64-bit hash of their key, and at most
 * KK_FINDINGS_PER_RULE findings per rule or IOC (KK_FINDINGS_MAX in all) are kept whole;
 * the others are counted in findings_omitted.
 */
#ifndef KK_REPORT_ASSESS_H
#define KK_REPORT_ASSESS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Scores and severities (docs/assessment.md). */
#define KK_SCORE_DEFAULT 75     /* a rule without a score meta (THOR's default) */
#define KK_SEV_CRITICAL 90      /* critical: 90-100 */
#define KK_SEV_HIGH 75          /* high: 75-89 (the "compromised" threshold) */
#define KK_SEV_MEDIUM 40        /* medium: 40-74 (the "suspicious" threshold); low: 0-39 */
#define KK_RANSOM_MIN_SCORE 0   /* any ransom-note/ransomware finding decides "ransomware" (issue rule) */
#define KK_ENCRYPTED_MIN 10     /* encrypted-looking user files that decide "ransomware" */
#define KK_FINDINGS_PER_RULE 50
#define KK_FINDINGS_MAX 2000
#define KK_WINDOW_ROBUST_DAYS 14 /* longer encryption windows: the timeline uses the 1st-99th percentile */

/* "critical" | "high" | "medium" | "low" */
const char *kk_severity_name(int score);

/* Category of an IOC from its description (the comment of its line), and the family named
 * in it ("" when none): "Akira ransom note" -> ransom-note, "Akira". fam: at least 64 bytes. */
const char *kk_ioc_category(const char *desc, char *fam, size_t famsz);

typedef struct kk_assess kk_assess;

/* lang "ja"|"en"; tz the case's zone; sources: case.json sources[] (borrowed, may be NULL):
 * realpaths of folder sources and drive letters of file systems. */
kk_assess *kk_assess_new(const char *lang, const char *tz, json_t *sources);
void kk_assess_free(kk_assess *a);

/* One record (borrowed). KK_OK, or KK_ENOMEM. */
int kk_assess_record(kk_assess *a, json_t *rec);
/* A findings file ended without its summary (interrupted run): noted as a caveat. */
void kk_assess_incomplete(kk_assess *a, const char *name);
/* Number of scan runs seen (summary records). */
size_t kk_assess_runs(const kk_assess *a);

/* Fill model (verdict, findings, findings_omitted, counts, scope) and facts
 * ({verdict, categories {cat: max score}, families [], encrypted_files, ransom_notes,
 *   accounts [], os []}). Call once. */
int kk_assess_build(kk_assess *a, json_t *model, json_t *facts);

/* The encryption window: first/last change time of encrypted-looking files; from, to: the
 * part the timeline uses (first/last, or the 1st-99th percentile when the window is longer
 * than KK_WINDOW_ROBUST_DAYS). 0 when no file looks encrypted. */
int kk_assess_window(kk_assess *a, int64_t *first, int64_t *last, int64_t *from, int64_t *to);

/* Was this path (a file-system path, "/dir/name", or a host path) matched by a rule or
 * IOC? Rule names of the first matched files: kk_assess_matched_rules (borrowed,
 * {path: [rule, ...]}). */
int kk_assess_matched(const kk_assess *a, const char *path, size_t n);
json_t *kk_assess_matched_rules(const kk_assess *a);
/* Matched and encrypted files with their times, for a timeline without a bodyfile:
 * [{path, inode, size, mtime, atime, ctime, crtime (epoch), why}] (borrowed). */
json_t *kk_assess_file_times(const kk_assess *a);

#endif
