/* outfile.h - atomic output files: written to NAME.part, fsync'd, renamed to NAME.
 * An interrupted run leaves NAME.part (never a file named like a complete output). */
#ifndef KK_OUTFILE_H
#define KK_OUTFILE_H
#include <stdio.h>

typedef struct kk_outfile {
    char *path;     /* final name, NULL for stdout */
    char *tmp;      /* NAME.part */
    FILE *fp;
    int failed;     /* a write failed: commit refuses */
    char name[256];  /* for messages */
    int stream;     /* a device or pipe written in place (no .part, no rename) */
} kk_outfile;

/* "-" means stdout; an existing device or pipe is written in place. Refuses an
 * existing regular NAME unless force. */
int kk_outfile_open(kk_outfile *o, const char *path, int force);
/* Write and flush one chunk (line). KK_EIO on failure (disk full...). */
int kk_outfile_write(kk_outfile *o, const char *s, size_t n);
/* fsync + rename (stdout: flush). */
int kk_outfile_commit(kk_outfile *o);
/* Close without renaming (the .part stays, clearly incomplete). */
void kk_outfile_abort(kk_outfile *o);

/* Whole-file helper: write data atomically to path. */
int kk_write_file_atomic(const char *path, const void *data, size_t n, int force);

#endif
