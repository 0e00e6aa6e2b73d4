/* engine.h - the scan pipeline: one walker/reader thread -> bounded queue -> N workers
 * (one YR_SCANNER, one libmagic handle and hash contexts each) -> one writer.
 *
 * Memory is bounded whatever the source: buffers in flight never exceed
 * (threads + 2) x window bytes (a file larger than the window is scanned in windows
 * of that size overlapping by `overlap` bytes). */
#ifndef KK_ENGINE_H
#define KK_ENGINE_H
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "docscan.h"
#include "filetype.h"
#include "ioc.h"
#include "rules.h"
#include "writer.h"

typedef struct kk_scan_opts {
    const char *source;             /* the SOURCE argument as given (record field) */
    kk_rules *rules;
    kk_iocs *iocs;                  /* may be NULL */
    const kk_filetypes *ftypes;     /* may be NULL: filetype "" */
    kk_writer *w;
    int threads;                    /* >= 1 */
    size_t window;                  /* files up to this size: one buffer (default 64 MiB) */
    size_t overlap;                 /* overlap of windows for larger files (default 1 MiB) */
    int max_strings;                /* per string per file (0 = all) */
    uint64_t max_filesize;          /* skip larger files (0 = no limit) */
    int want_md5, want_sha1;        /* SHA-256 is always computed */
    int timeout;                    /* seconds per YARA scan (0 = none) */
    const char *const *exclude;     /* globs */
    volatile sig_atomic_t *interrupt;
    const kk_doctypes *docs;        /* damage assessment: `encrypted` and `volume_stats`
                                       records (NULL = off) */
    FILE *bodyfile;                 /* TSK body file of every file (NULL = none) */
    const char *const *priority;    /* directory globs scanned first (see source.h) */
    int priority_only;              /* --quick: only those */
} kk_scan_opts;

#define KK_MAX_SKIP_REASONS 16
typedef struct kk_scan_stats {
    _Atomic uint64_t files, bytes, matches, ioc_hits, errors, warnings;
    /* progress: totals from a metadata-only counting pass (when run) */
    _Atomic uint64_t total_files, total_bytes;
    _Atomic int total_known;
    pthread_mutex_t mu;             /* guards what follows */
    char current[512];              /* path being read */
    struct { char reason[32]; uint64_t count, bytes; } skip[KK_MAX_SKIP_REASONS];
    int nskip;
} kk_scan_stats;

void kk_scan_stats_init(kk_scan_stats *s);
void kk_scan_stats_add_skip(kk_scan_stats *s, const char *reason, uint64_t count, uint64_t bytes);

/* Scan one source. Returns KK_OK, or an error when the source is unusable (message set);
 * records for everything found are written to o->w as they come. */
int kk_scan_source(const char *spec, const kk_scan_opts *o, kk_scan_stats *st);

/* Metadata-only pass for honest progress totals (run in its own thread by the caller). */
int kk_scan_count(const char *spec, const char *const *exclude, kk_scan_stats *st,
                  volatile sig_atomic_t *interrupt);

#endif
