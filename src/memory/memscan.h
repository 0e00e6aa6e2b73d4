/* memscan.h - public interface of src/memory/: memory images (raw, LiME, ELF64 cores,
 * Windows crash dumps) scanned in parallel overlapping chunks (issue: memory images). */
#ifndef KK_MEMSCAN_H
#define KK_MEMSCAN_H
#include <signal.h>
#include <stddef.h>

#include "../scan/engine.h"

typedef struct kk_mem_opts {
    const char *source;             /* SOURCE as given (record field) */
    kk_rules *rules;
    kk_writer *w;
    int threads;
    int max_strings;                /* per string per chunk (0 = all) */
    int forced;                     /* --memory given: scan headerless/refused formats as raw */
    const char *carve_dir;          /* --carve-dir (NULL: no carving) */
    volatile sig_atomic_t *interrupt;
    /* 0 = KAKETSUKE_MEM_CHUNK / KAKETSUKE_MEM_OVERLAP from the environment, else the
     * defaults below (the overlap default is clipped to the chunk size) */
    size_t chunk;                   /* bytes each chunk owns (4K..2G) */
    size_t overlap;                 /* extra bytes scanned past the chunk (<= chunk) */
    int timeout;                    /* seconds per YARA scan of one chunk (0 = none) */
} kk_mem_opts;

#define KK_MEM_DEFAULT_CHUNK   ((size_t)16 << 20)
#define KK_MEM_DEFAULT_OVERLAP ((size_t)256 << 10)

/* Does the file start with a memory-image header (or carry a page-file name)?
 * 1 yes, 0 no. Never fails: unreadable files are "no". */
int kk_mem_detect(const char *spec);
/* Scan a memory image; records go to o->w, counters to st. KK_OK or an error
 * (unusable or refused image, message set). */
int kk_mem_scan(const char *spec, const kk_mem_opts *o, kk_scan_stats *st);

#endif
