/* collect.h - copy artifacts out of a source into a case folder.
 *
 * Every file of the source (kk_source_walk: through libtsk for images, so files locked
 * on the running system are no issue; allocated and deleted files, NTFS streams) is
 * checked against the selected targets and against the files that the case's scans
 * matched (match and ioc records of every DIR/findings*.jsonl for the same source).
 * Matched files go to samples/LABEL/..., target files to artifacts/LABEL/..., where
 * LABEL is the source's label in case.json and the rest is FS_OFFSET/PATH for images
 * (the byte offset of the file system, then the path in it) or the path below the
 * folder for directory sources, made safe component by component (evutil.h). Content
 * is streamed (1 MiB at a time) and hashed (MD5, SHA-256) as it is copied.
 *
 * Each copied file gets one line in DIR/collected.jsonl:
 *   {"name": "artifacts/disk.raw/1048576/Windows/System32/config/SYSTEM",
 *    "kind": "artifact" | "sample", "target": "windows-registry", "rules": [...],
 *    "source": {"image", "fs_offset", "path", "inode", "deleted", "mtime", "atime",
 *               "ctime", "crtime"}, "size", "md5", "sha256", "collected_at"}
 * A file already collected from the same source (same volume, inode, path and kind)
 * is not copied again.
 */
#ifndef KK_COLLECT_H
#define KK_COLLECT_H
#include "case.h"
#include "../artifact/targets.h"

#include <jansson.h>
#include <signal.h>
#include <stdint.h>

typedef struct kk_collect_stats {
    uint64_t seen;         /* files walked */
    uint64_t artifacts;    /* target files copied */
    uint64_t samples;      /* matched files copied */
    uint64_t bytes;
    uint64_t already;      /* already in the case */
    uint64_t errors;       /* files that could not be read or written, events */
    uint64_t matched_wanted; /* files the findings name for this source */
    json_t *per_target;    /* {target: count} */
    json_t *problems;      /* [{path, message}] (at most 1000) */
} kk_collect_stats;

typedef void (*kk_collect_progress_fn)(void *ctx, const kk_collect_stats *st, const char *path);

typedef struct kk_collect_opts {
    const char *source;
    kk_case *cs;
    const char *label;                /* the source's label (kk_case_record_source) */
    const kk_targets *targets;        /* selection applied; NULL: none */
    int matched;                      /* also the files the case's findings matched */
    kk_collect_progress_fn progress;  /* may be NULL */
    void *progress_ctx;
    volatile sig_atomic_t *interrupt;
} kk_collect_opts;

/* KK_OK (problems with single files are counted in st->errors), or an error when the
 * source is unusable or the case cannot be written. st->per_target and st->problems are
 * created here: release them with kk_collect_stats_free. */
int kk_collect(const kk_collect_opts *o, kk_collect_stats *st);
void kk_collect_stats_free(kk_collect_stats *st);

#endif
