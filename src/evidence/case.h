/* case.h - the case folder (GUIDE §1): case.json, custody.jsonl, findings.jsonl,
 * artifacts/, samples/, attachments/, memory/, timeline/, report/.
 *
 * case.json holds the flat keys of `case set` (see kk_case_keys) at its top level, plus
 *   format "kaketsuke-case", format_version 1, created_at,
 *   actions []      {time, recorded_at, text}            (`case note`)
 *   attachments []  {name, original, size, sha256, md5, mtime, added_at, note} (`case add`)
 *   sources []      {source, realpath, label, kind, format, size, partition_table,
 *                    filesystems, device {vendor, model, serial}, first_seen, last_seen,
 *                    hashes [{time, command, sha256_before, sha256_after, size, same}]}
 * Every change re-reads case.json under an flock(2) of the folder and replaces it
 * atomically (temporary file, fsync, rename), so concurrent commands do not lose updates.
 *
 * ---- For `scan --case DIR` (and any other command that works on a case) -------------
 *   kk_case *c;
 *   rc = kk_case_open(dir, 1, &c);                  // creates the folder when missing
 *   rc = kk_case_findings_path(c, 0, &path);        // DIR/findings.jsonl (free it); with
 *                                                   // fresh=1: findings-2.jsonl, -3 ...
 *                                                   // when the earlier ones exist
 *   rc = kk_case_record_source(c, spec, "scan", NULL, NULL, NULL);  // format, size, device
 *   // optional --hash-source: kk_source_sha256() before and after (srcinfo.h), then
 *   rc = kk_case_record_source(c, spec, "scan", before, after, NULL);
 *   ... scan into path ...
 *   kk_custody_info ci = {.version = KK_VERSION, .command = "scan", .argc = argc,
 *                         .argv = argv, .sources = srcs, .rules_sha256 = sha,
 *                         .counts = counts_json, .result = "ok"};
 *   rc = kk_case_log(c, &ci);                       // appends to custody.jsonl
 *   kk_case_close(c);
 * `collect` gathers files matched by every findings*.jsonl of the case (match and ioc
 * records), so a second scan may write findings-2.jsonl instead of replacing the first.
 */
#ifndef KK_CASE_H
#define KK_CASE_H
#include "custody.h"

#include <jansson.h>
#include <stddef.h>

#define KK_CASE_DEFAULT_TZ "Asia/Tokyo"

typedef struct kk_case kk_case;

/* The keys `case set` accepts (NULL-terminated). */
extern const char *const kk_case_keys[];

/* Create a new case folder (parents too). KK_EEXIST when DIR/case.json exists. */
int kk_case_init(const char *dir, kk_case **out);
/* Open a case folder; with create, a missing folder or case.json is made as by init.
 * Without create: KK_ENOENT when DIR/case.json is missing. */
int kk_case_open(const char *dir, int create, kk_case **out);
void kk_case_close(kk_case *c);

const char *kk_case_dir(const kk_case *c);
/* The case's time zone (timezone key, default Asia/Tokyo). */
const char *kk_case_tz(const kk_case *c);
/* A string value of case.json (NULL when unset). */
const char *kk_case_get(const kk_case *c, const char *key);
/* case.json as last read or written (borrowed). */
json_t *kk_case_json(const kk_case *c);
/* DIR/rel (caller frees). */
char *kk_case_path(const kk_case *c, const char *rel);

/* Where scan writes its findings: DIR/findings.jsonl; with fresh, the first of
 * findings.jsonl, findings-2.jsonl, ... that does not exist yet. Caller frees *out. */
int kk_case_findings_path(const kk_case *c, int fresh, char **out);

/* Set KEY=VALUE assignments, all or none: unknown keys and malformed values are refused
 * with a message naming them. Times without a zone are taken in the case's zone (or in
 * a timezone= given in the same call) and stored as ISO 8601 with offset. An empty value
 * removes the key. */
int kk_case_set(kk_case *c, const char *const *assignments, size_t n);
/* Validate one assignment without storing it (norm: normalised value, caller frees). */
int kk_case_check_value(const char *key, const char *value, const char *tz, char **norm);
/* Append a timestamped action ("LAN cable unplugged"); at = NULL means now. */
int kk_case_note(kk_case *c, const char *text, const char *at);
/* Copy a host file into attachments/ (safe name, never replacing one), hashed while
 * copied; *rec (optional, caller decrefs) is the attachments[] record. */
int kk_case_add_file(kk_case *c, const char *file, const char *note, json_t **rec);
/* Record (or update) a source in sources[]: kind, format, size, file systems, device
 * vendor/model/serial where readable; with before/after hashes, a hashes[] entry.
 * *label (optional, caller frees) is the source's folder name under artifacts/. */
int kk_case_record_source(kk_case *c, const char *spec, const char *command, const char *before,
                          const char *after, char **label);
/* Append a custody entry (the case's zone and engineer are filled in). */
int kk_case_log(kk_case *c, const kk_custody_info *ci);

/* Write data to DIR/name atomically (temporary ".kk-tmp-*" file, fsync, rename). */
int kk_case_write_file(const char *dir, const char *name, const void *data, size_t n);

#endif
