/* source.h - public interface of src/source/: what to scan and how to read it.
 *
 * A source is a disk image (raw, split raw, E01, VMDK, VHD through libtsk), a block
 * device, a directory tree or a single file. kk_source_walk() visits every regular
 * file (allocated, deleted, NTFS alternate data streams, orphans) and hands each one
 * to the caller with a reader valid only during the callback. Sources are opened
 * read-only and never mounted. Problems inside a usable source become events
 * (error/warning/skip) and the walk goes on; an unusable source is an error return.
 */
#ifndef KK_SOURCE_H
#define KK_SOURCE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { KK_T_MTIME = 1, KK_T_ATIME = 2, KK_T_CTIME = 4, KK_T_CRTIME = 8 };

typedef struct kk_file {
    const char *path;     /* image: absolute in its fs, '/'-separated, ADS as path:stream;
                             host: the host path */
    const char *name;     /* last path component (with :stream) */
    const char *filepath; /* THOR `filepath`: directory without name and trailing separator,
                             "C:\\Windows\\Temp" on NTFS/FAT/exFAT, "/var/www" elsewhere */
    const char *owner;    /* THOR `owner` ("" when unknown) */
    int in_image;         /* fs_offset and inode are meaningful */
    uint64_t fs_offset;   /* byte offset of the file system in the image */
    char inode[64];       /* as fls prints it: "64-128-4" or "12" */
    int deleted;
    uint64_t size;
    unsigned times_set;   /* KK_T_* bits */
    int has_mode;         /* mode/uid/gid are known (ext, HFS, host files) */
    uint32_t mode, uid, gid;
    int64_t mtime, atime, ctime, crtime;
    uint32_t mtime_ns, atime_ns, ctime_ns, crtime_ns;
} kk_file;

typedef struct kk_reader kk_reader;
/* Read up to n bytes at off. Returns bytes read (0 at end), or -1 with kk_err_msg() set. */
ssize_t kk_read(kk_reader *r, uint64_t off, void *buf, size_t n);

enum { KK_EV_ERROR = 1, KK_EV_WARNING, KK_EV_SKIP };
typedef struct kk_event {
    int kind;
    const char *what;     /* error/warning: read, parse, filesystem, volume, ...;
                             skip: the reason (excluded, unreadable, encrypted, ...) */
    const char *path;     /* or NULL */
    int has_offset;
    uint64_t offset;      /* image offset (volume problems) */
    int has_fs_offset;
    uint64_t fs_offset;
    const char *message;  /* one line, lower case */
    uint64_t count;       /* skip: files/volumes skipped (>= 1) */
    uint64_t bytes;       /* skip: bytes skipped */
} kk_event;

typedef struct kk_walk_ops {
    void *ctx;
    /* Return KK_OK to go on, anything else stops the walk (returned by kk_source_walk). */
    int (*file)(void *ctx, const kk_file *f, kk_reader *r);
    void (*event)(void *ctx, const kk_event *ev);
    /* Optional: return non-zero when the walk should stop (interrupt). */
    int (*stop)(void *ctx);
} kk_walk_ops;

typedef struct kk_walk_opts {
    const char *const *exclude; /* NULL-terminated globs (see kk_path_excluded) */
    int metadata_only;          /* do not read content (counting pass): reader is NULL */
    const char *const *priority;/* NULL-terminated directory globs walked first, in order
                                   ('*' = one component; case-insensitive on Windows file
                                   systems); then everything else (unless priority_only) */
    int priority_only;          /* stop after the priority places (triage --quick) */
} kk_walk_opts;

/* Walk every regular file of the source. Returns KK_OK, or an error when the source
 * is unusable (missing, not an image, no readable file system, unsupported format):
 * the message names the object and the problem. */
int kk_source_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops);

/* Describe a source (format, size, partitions, file systems, unreadable volumes). */
int kk_source_info(const char *spec, json_t **out);

/* Is the path excluded by one of the globs? A glob without '/' matches the last
 * component, one with '/' the whole path (fnmatch, '*' crosses '/'). */
int kk_path_excluded(const char *const *globs, const char *path, const char *name);

/* THOR `extension`: lower-case, with the leading dot ("" when none). */
void kk_extension(const char *name, char *out, size_t outsz);

#endif
