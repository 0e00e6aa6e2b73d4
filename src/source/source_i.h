/* source_i.h - internal to src/source/. */
#ifndef KK_SOURCE_I_H
#define KK_SOURCE_I_H
#include "source.h"
#include <sys/types.h>

struct kk_reader {
    ssize_t (*read)(kk_reader *r, uint64_t off, void *buf, size_t n);
};

void kk_emit(const kk_walk_ops *ops, int kind, const char *what, const char *path,
             const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void kk_emit_skip(const kk_walk_ops *ops, const char *reason, const char *path, uint64_t count,
                  uint64_t bytes, const char *message);

/* Walkers. kk_image_walk returns KK_EUNSUP with errno-less message when spec is a plain
 * file that holds no image (no volume system, file system or pool): then it is a single file. */
int kk_image_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops, int is_device);
int kk_image_info(const char *spec, json_t *out, int is_device);
int kk_host_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops, int is_dir);

#define KK_NOT_AN_IMAGE 1 /* positive return of kk_image_walk/info: not an image */

#endif
