/* source.c - choose the walker for a SOURCE argument. */
#include "source_i.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

ssize_t kk_read(kk_reader *r, uint64_t off, void *buf, size_t n) { return r->read(r, off, buf, n); }

void kk_emit(const kk_walk_ops *ops, int kind, const char *what, const char *path, const char *fmt,
             ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(msg, sizeof msg, kk_err_tr(fmt), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    for (char *q = msg; *q; q++) /* one line */
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    kk_event ev = {.kind = kind, .what = what, .path = path, .message = msg, .count = 1};
    if (ops->event)
        ops->event(ops->ctx, &ev);
}

void kk_emit_skip(const kk_walk_ops *ops, const char *reason, const char *path, uint64_t count,
                  uint64_t bytes, const char *message)
{
    kk_event ev = {.kind = KK_EV_SKIP, .what = reason, .path = path, .message = message,
                   .count = count, .bytes = bytes};
    if (ops->event)
        ops->event(ops->ctx, &ev);
}

int kk_path_excluded(const char *const *globs, const char *path, const char *name)
{
    if (!globs)
        return 0;
    for (; *globs; globs++) {
        const char *subject = strchr(*globs, '/') ? path : name;
        if (fnmatch(*globs, subject, 0) == 0)
            return 1;
    }
    return 0;
}

void kk_extension(const char *name, char *out, size_t outsz)
{
    const char *dot = strrchr(name, '.');
    out[0] = '\0';
    if (!dot || dot == name || !dot[1] || outsz < 2)
        return;
    size_t i = 0;
    for (; dot[i] && i + 1 < outsz; i++) {
        char c = dot[i];
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[i] = '\0';
}

/* Names that say "this is meant to be a disk image": when such a file holds no
 * volume system or file system we refuse it instead of scanning it as one file. */
static int looks_like_image_name(const char *spec)
{
    static const char *const ext[] = {".raw", ".dd", ".img", ".e01", ".ex01", ".vmdk", ".vhd",
                                      ".000", ".001", ".s01", ".aff", NULL};
    const char *dot = strrchr(spec, '.');
    if (!dot)
        return 0;
    for (int i = 0; ext[i]; i++)
        if (!strcasecmp(dot, ext[i]))
            return 1;
    return 0;
}

int kk_source_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops)
{
    struct stat st;
    if (stat(spec, &st) != 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open source '%s': %s", spec,
                          strerror(errno));
    if (S_ISDIR(st.st_mode))
        return kk_host_walk(spec, o, ops, 1);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return kk_err_set(KK_EINVAL, "cannot scan '%s': not a file, directory or block device", spec);
    int rc = kk_image_walk(spec, o, ops, S_ISBLK(st.st_mode));
    if (rc != KK_NOT_AN_IMAGE)
        return rc;
    if (looks_like_image_name(spec))
        return kk_err_set(KK_EFORMAT,
                          "cannot open image '%s': no partition table or file system found "
                          "(not a disk image, or corrupt)",
                          spec);
    return kk_host_walk(spec, o, ops, 0);
}

int kk_source_info(const char *spec, json_t **out)
{
    struct stat st;
    if (stat(spec, &st) != 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open source '%s': %s", spec,
                          strerror(errno));
    json_t *j = json_object();
    if (!j)
        return kk_err_set(KK_ENOMEM, "out of memory");
    json_object_set_new(j, "source", json_string(spec));
    int rc;
    if (S_ISDIR(st.st_mode)) {
        json_object_set_new(j, "kind", json_string("directory"));
        rc = KK_OK;
    } else {
        rc = kk_image_info(spec, j, S_ISBLK(st.st_mode));
        if (rc == KK_NOT_AN_IMAGE) {
            if (looks_like_image_name(spec)) {
                json_decref(j);
                return kk_err_set(KK_EFORMAT,
                                  "cannot open image '%s': no partition table or file system "
                                  "found (not a disk image, or corrupt)",
                                  spec);
            }
            json_object_set_new(j, "kind", json_string("file"));
            json_object_set_new(j, "size", json_integer((json_int_t)st.st_size));
            rc = KK_OK;
        }
    }
    if (rc != KK_OK) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return KK_OK;
}
