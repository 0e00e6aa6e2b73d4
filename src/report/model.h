/* model.h - the report model (docs/formats/report.md): one JSON object built from a case
 * folder or a sealed bundle, which every renderer (HTML, PDF, text, JSON) draws from.
 *
 *   json_t *m;
 *   rc = kk_report_model("CASE", "ja", &m);          // or NULL: case.json lang, else ja
 *   rc = kk_report_model_bundle("CASE.zip", "en", &m);
 *   ... render m ...; json_decref(m);
 *
 *   rc = kk_timeline_write("CASE", NULL);            // timeline/selected.body + timeline.jsonl
 *
 * What goes in (docs/assessment.md): case.json (keys, actions, attachments, sources,
 * costs), custody.jsonl (signer of the last bundle), every findings*.jsonl (match, ioc,
 * encrypted, volume_stats, summary, error, skip records; an interrupted run's
 * findings*.jsonl.part when no finished file of that name exists), collected.jsonl
 * (artifacts and samples with their hashes), memory/ (hashed), timeline/bodyfile.txt,
 * and for a bundle manifest.json. Problems with single inputs (a malformed line, an
 * unreadable file) do not fail the call: they are listed in the model's errors[].
 * KK_ENOENT/KK_EFORMAT only when the folder or zip is not a case at all.
 */
#ifndef KK_REPORT_MODEL_H
#define KK_REPORT_MODEL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define KK_REPORT_FORMAT_VERSION 1

typedef struct kk_report_opts {
    const char *lang;          /* "ja" | "en"; NULL: the case's lang, else "ja" */
    const char *playbooks_dir; /* NULL: kk_playbooks_dir() */
    int64_t now;               /* generated_at (epoch seconds); 0: the current time */
} kk_report_opts;

/* Build the model from a case folder / a bundle zip. *model: caller decrefs. */
int kk_report_model(const char *case_dir, const char *lang, json_t **model);
int kk_report_model_bundle(const char *zip, const char *lang, json_t **model);
int kk_report_model_ex(const char *path, int is_bundle, const kk_report_opts *o, json_t **model);

/* Select the timeline of a case folder and write timeline/selected.body (TSK body lines
 * taken from timeline/bodyfile.txt, which `mactime -b` reads) and timeline/timeline.jsonl
 * (Timesketch JSON Lines), both atomically. summary (optional, caller decrefs): the
 * model's "timeline" object. Without a bodyfile.txt the selection is built from the times
 * in the findings and collected.jsonl records. */
int kk_timeline_write(const char *case_dir, json_t **summary);

/* ---- inside src/report only ------------------------------------------------------------ */

/* A case folder or a bundle, read the same way. Member names are relative, '/'-separated. */
typedef struct kk_rsrc kk_rsrc;
int kk_rsrc_open(const char *path, int is_zip, kk_rsrc **out);
void kk_rsrc_close(kk_rsrc *r);
int kk_rsrc_is_zip(const kk_rsrc *r);
const char *kk_rsrc_path(const kk_rsrc *r);
/* 1 when the member exists (size optional). */
int kk_rsrc_has(kk_rsrc *r, const char *name, uint64_t *size);
/* Whole member (NUL-terminated; caller frees); KK_ENOMEM when larger than cap. */
int kk_rsrc_read(kk_rsrc *r, const char *name, size_t cap, char **data, size_t *n);
/* Stream a member line by line (without "\n"; lines longer than maxline are skipped and
 * counted in *long_lines). fn returns 0 to go on, 1 to stop, < 0 to fail with that code. */
typedef int (*kk_line_fn)(void *ctx, char *line, size_t n);
int kk_rsrc_lines(kk_rsrc *r, const char *name, size_t maxline, kk_line_fn fn, void *ctx,
                  uint64_t *long_lines);
/* Top-level file names (sorted; caller decrefs the array). */
json_t *kk_rsrc_root_names(kk_rsrc *r);
/* SHA-256 of a member: computed for a folder, from manifest.json for a bundle ("" when
 * unknown). */
int kk_rsrc_sha256(kk_rsrc *r, const char *name, char out[65], uint64_t *size);

/* A set of 64-bit hashes (paths, record keys). */
typedef struct kk_hset {
    uint64_t *v;
    size_t n, cap;
    int has_zero;
} kk_hset;
uint64_t kk_hash64(const void *p, size_t n, uint64_t seed);
/* 1 when h was added, 0 when it was there already, < 0 out of memory */
int kk_hset_add(kk_hset *s, uint64_t h);
int kk_hset_has(const kk_hset *s, uint64_t h);
void kk_hset_free(kk_hset *s);

/* Text by language: ja when lang is "ja", else en. (Not kk_tr of i18n.h: the model's own
 * texts carry both languages side by side, so they stay in one place with their logic.) */
const char *kk_pick(const char *lang, const char *en, const char *ja);
/* Local date "YYYY-MM-DD" of epoch in tz. */
void kk_local_date(int64_t epoch, const char *tz, char out[11]);
/* Set TZ to tz for a while (kk_time_in_zone calls inside are then cheap), and back. */
typedef struct kk_zone {
    char *old;
    int had;
} kk_zone;
void kk_zone_enter(kk_zone *z, const char *tz);
void kk_zone_leave(kk_zone *z);

struct kk_assess;
/* Everything read from a case once: used by the model and by the timeline. */
typedef struct kk_caseload {
    kk_rsrc *rs;
    json_t *casej;          /* case.json */
    char tz[80];            /* the case's zone */
    char lang[3];
    struct kk_assess *as;   /* findings, assessed */
    json_t *collected;      /* collected.jsonl records */
    json_t *findings_files; /* names read */
    json_t *errors;         /* problems, as text */
} kk_caseload;
int kk_caseload_open(const char *path, int is_zip, const char *lang, kk_caseload **out);
void kk_caseload_free(kk_caseload *cl);
/* Append a problem to cl->errors (printf style). */
void kk_caseload_error(kk_caseload *cl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The host folder a directory source was scanned from (case.json sources[].realpath), or NULL. */
const char *kk_caseload_realpath(const kk_caseload *cl, const char *source);

#endif
