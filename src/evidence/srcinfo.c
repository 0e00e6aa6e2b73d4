/* srcinfo.c - source hashing and device identity (see srcinfo.h). */
#include "srcinfo.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <tsk/libtsk.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define CHUNK (4u << 20)

static int hash_plain(const char *spec, kk_hasher *h, char *buf, uint64_t *size, uint64_t total,
                      kk_progress_fn progress, void *ctx, volatile sig_atomic_t *interrupt)
{
    int fd = open(spec, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kk_err_set(KK_EIO, "cannot open source '%s': %s", spec, strerror(errno));
    uint64_t done = 0;
    int rc = KK_OK;
    for (;;) {
        if (interrupt && *interrupt) {
            rc = kk_err_set(KK_ESTOP, "interrupted");
            break;
        }
        ssize_t n = read(fd, buf, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = kk_err_set(KK_EIO, "cannot read source '%s' at offset %llu: %s", spec,
                            (unsigned long long)done, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        kk_hasher_update(h, buf, (size_t)n);
        done += (uint64_t)n;
        if (progress)
            progress(ctx, done, total);
    }
    close(fd);
    *size = done;
    return rc;
}

int kk_source_sha256(const char *spec, char out[65], uint64_t *size, kk_progress_fn progress,
                     void *ctx, volatile sig_atomic_t *interrupt)
{
    struct stat st;
    if (stat(spec, &st) != 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open source '%s': %s", spec,
                          strerror(errno));
    if (S_ISDIR(st.st_mode))
        return kk_err_set(KK_EUNSUP, "cannot hash '%s': a directory has no single hash (hash the "
                          "disk or image it lives on)", spec);
    char *buf = malloc(CHUNK);
    kk_hasher *h = kk_hasher_new(0);
    if (!buf || !h) {
        free(buf);
        if (h)
            kk_hasher_final(h, out, NULL);
        return kk_err_set(KK_ENOMEM, "out of memory");
    }
    uint64_t done = 0;
    int rc = KK_OK;
    TSK_IMG_INFO *img = tsk_img_open_utf8_sing(spec, TSK_IMG_TYPE_DETECT, 0);
    if (img && img->itype != TSK_IMG_TYPE_RAW) {
        /* containers: hash the disk contents they hold */
        uint64_t total = (uint64_t)img->size;
        while (done < total) {
            if (interrupt && *interrupt) {
                rc = kk_err_set(KK_ESTOP, "interrupted");
                break;
            }
            size_t want = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
            ssize_t n = tsk_img_read(img, (TSK_OFF_T)done, buf, want);
            if (n <= 0) {
                const char *m = tsk_error_get();
                rc = kk_err_set(KK_EIO, "cannot read source '%s' at offset %llu: %s", spec,
                                (unsigned long long)done, m ? m : "short read");
                tsk_error_reset();
                break;
            }
            kk_hasher_update(h, buf, (size_t)n);
            done += (uint64_t)n;
            if (progress)
                progress(ctx, done, total);
        }
        *size = done;
    } else {
        uint64_t total = img ? (uint64_t)img->size : (uint64_t)st.st_size;
        if (img && img->itype == TSK_IMG_TYPE_RAW && img->num_img > 1) {
            /* split raw: hash the concatenated parts through TSK */
            while (done < total) {
                if (interrupt && *interrupt) {
                    rc = kk_err_set(KK_ESTOP, "interrupted");
                    break;
                }
                size_t want = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
                ssize_t n = tsk_img_read(img, (TSK_OFF_T)done, buf, want);
                if (n <= 0) {
                    rc = kk_err_set(KK_EIO, "cannot read source '%s' at offset %llu", spec,
                                    (unsigned long long)done);
                    tsk_error_reset();
                    break;
                }
                kk_hasher_update(h, buf, (size_t)n);
                done += (uint64_t)n;
                if (progress)
                    progress(ctx, done, total);
            }
            *size = done;
        } else {
            rc = hash_plain(spec, h, buf, size, total, progress, ctx, interrupt);
        }
    }
    if (!img)
        tsk_error_reset();
    else
        tsk_img_close(img);
    free(buf);
    kk_hasher_final(h, out, NULL);
    return rc;
}

static char *read_sys(const char *dir, const char *name, int skip)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char b[256];
    size_t n = fread(b, 1, sizeof b - 1, f);
    fclose(f);
    if (n <= (size_t)skip)
        return NULL;
    b[n] = '\0';
    char *s = b + skip;
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t l = strlen(s);
    while (l && (isspace((unsigned char)s[l - 1]) || !s[l - 1]))
        s[--l] = '\0';
    for (size_t i = 0; i < l; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            s[i] = '?';
    return l ? kk_strdup(s) : NULL;
}

json_t *kk_device_identity(const char *spec)
{
    struct stat st;
    if (stat(spec, &st) != 0 || !S_ISBLK(st.st_mode))
        return NULL;
    char p[PATH_MAX], rp[PATH_MAX];
    snprintf(p, sizeof p, "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
    if (!realpath(p, rp))
        return NULL;
    char part[PATH_MAX + 16];
    snprintf(part, sizeof part, "%s/partition", rp);
    if (access(part, F_OK) == 0) { /* a partition: the disk is the parent */
        char *slash = strrchr(rp, '/');
        if (slash)
            *slash = '\0';
    }
    char dev[PATH_MAX + 16];
    snprintf(dev, sizeof dev, "%s/device", rp);
    json_t *j = json_object();
    const struct { const char *key, *file; int skip; } f[] = {
        {"vendor", "vendor", 0}, {"model", "model", 0}, {"serial", "serial", 0},
        {"serial", "vpd_pg80", 4}, {"wwid", "wwid", 0}};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        if (json_object_get(j, f[i].key))
            continue;
        char *v = read_sys(dev, f[i].file, f[i].skip);
        if (v)
            kk_jset_str(j, f[i].key, v);
        free(v);
    }
    if (json_object_size(j) == 0) {
        json_decref(j);
        return NULL;
    }
    return j;
}
