/* writer.h - the one JSON Lines writer: records from any thread, whole lines, flushed
 * line by line to FILE.part and renamed to FILE at the end (GUIDE §1). */
#ifndef KK_WRITER_H
#define KK_WRITER_H
#include <jansson.h>

typedef struct kk_writer kk_writer;
/* Called (under the writer lock) after each record is written: progress, first finding. */
typedef void (*kk_record_fn)(void *ctx, const json_t *rec);

int kk_writer_open(kk_writer **w, const char *path, int force);
void kk_writer_on_record(kk_writer *w, kk_record_fn fn, void *ctx);
/* Write rec (steals the reference). The first write error is kept and returned. */
int kk_writer_put(kk_writer *w, json_t *rec);
/* Commit (fsync + rename) when ok, else leave FILE.part. Frees w. */
int kk_writer_close(kk_writer *w, int ok);

#endif
