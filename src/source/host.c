/* host.c - live/portable mode: a directory tree or a single file on the host. Files
 * are opened read-only without following symbolic links and without updating atime
 * where the kernel allows it. */
#include "source_i.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

typedef struct host_reader {
    kk_reader base;
    int fd;
    const char *path;
} host_reader;

typedef struct ancestor {
    dev_t dev;
    ino_t ino;
} ancestor;

typedef struct host_ctx {
    const kk_walk_opts *o;
    const kk_walk_ops *ops;
    ancestor stack[MAX_DEPTH + 1];
    int depth;
    int rc;
    int stopped;
} host_ctx;

static ssize_t host_read(kk_reader *r, uint64_t off, void *buf, size_t n)
{
    host_reader *h = (host_reader *)r;
    size_t done = 0;
    while (done < n) {
        ssize_t got = pread(h->fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (got < 0) {
            if (errno == EINTR)
                continue;
            kk_err_set(KK_EIO, "cannot read '%s': %s", h->path, strerror(errno));
            return -1;
        }
        if (got == 0)
            break;
        done += (size_t)got;
    }
    return (ssize_t)done;
}

static int open_ro(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME | O_NONBLOCK);
    if (fd < 0 && errno == EPERM)
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    return fd;
}

static void owner_of(uid_t uid, char *out, size_t n)
{
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res)
        snprintf(out, n, "%s", pw.pw_name);
    else
        snprintf(out, n, "%u", (unsigned)uid);
}

static int do_file(host_ctx *c, int dirfd, const char *name, const char *path, const char *dir,
                   const struct stat *st0)
{
    kk_file kf;
    memset(&kf, 0, sizeof kf);
    kf.path = path;
    kf.name = name;
    kf.filepath = dir;
    char owner[64];
    owner_of(st0->st_uid, owner, sizeof owner);
    kf.owner = owner;
    kf.size = (uint64_t)st0->st_size;
    kf.mtime = st0->st_mtim.tv_sec; kf.mtime_ns = (uint32_t)st0->st_mtim.tv_nsec;
    kf.atime = st0->st_atim.tv_sec; kf.atime_ns = (uint32_t)st0->st_atim.tv_nsec;
    kf.ctime = st0->st_ctim.tv_sec; kf.ctime_ns = (uint32_t)st0->st_ctim.tv_nsec;
    kf.times_set = KK_T_MTIME | KK_T_ATIME | KK_T_CTIME;
    kf.has_mode = 1;
    kf.mode = (uint32_t)st0->st_mode & 07777;
    kf.uid = (uint32_t)st0->st_uid;
    kf.gid = (uint32_t)st0->st_gid;
    if (kk_path_excluded(c->o ? c->o->exclude : NULL, path, name)) {
        kk_emit_skip(c->ops, "excluded", path, 1, kf.size, NULL);
        return KK_OK;
    }
    if (c->o && c->o->metadata_only)
        return c->ops->file(c->ops->ctx, &kf, NULL);
    int fd = open_ro(dirfd, name);
    if (fd < 0) {
        kk_emit(c->ops, KK_EV_ERROR, "read", path, "cannot open file: %s", strerror(errno));
        kk_emit_skip(c->ops, "unreadable", path, 1, kf.size, NULL);
        return KK_OK;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd); /* replaced by something else meanwhile */
        return KK_OK;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    kf.size = (uint64_t)st.st_size;
    host_reader r = {.base.read = host_read, .fd = fd, .path = path};
    int rc = c->ops->file(c->ops->ctx, &kf, &r.base);
    close(fd);
    return rc;
}

static void walk_dir(host_ctx *c, int dfd, const char *path)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        kk_emit(c->ops, KK_EV_ERROR, "read", path, "cannot list directory: %s", strerror(errno));
        close(dfd);
        return;
    }
    /* Read all names first: keeps one descriptor per level and a stable order. */
    char **names = NULL;
    size_t n = 0, a = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == a) {
            a = a ? a * 2 : 64;
            char **t = realloc(names, a * sizeof *t);
            if (!t)
                break;
            names = t;
        }
        if (!(names[n] = strdup(e->d_name)))
            break;
        n++;
    }
    if (errno)
        kk_emit(c->ops, KK_EV_ERROR, "read", path, "cannot list directory completely: %s",
                strerror(errno));
    for (size_t i = 0; i < n; i++) {
        if (c->rc != KK_OK || c->stopped || (c->ops->stop && (c->stopped = c->ops->stop(c->ops->ctx))))
            break;
        char *child = kk_asprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
        if (!child) {
            c->rc = kk_err_set(KK_ENOMEM, "out of memory");
            break;
        }
        struct stat st;
        if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
            kk_emit(c->ops, KK_EV_ERROR, "read", child, "cannot stat: %s", strerror(errno));
        } else if (S_ISREG(st.st_mode)) {
            int rc = do_file(c, dirfd(d), names[i], child, path, &st);
            if (rc != KK_OK)
                c->rc = rc;
        } else if (S_ISDIR(st.st_mode)) {
            int loop = 0;
            for (int k = 0; k <= c->depth; k++)
                if (c->stack[k].dev == st.st_dev && c->stack[k].ino == st.st_ino)
                    loop = 1;
            if (loop) {
                kk_emit(c->ops, KK_EV_WARNING, "filesystem", child, "directory loop: not entered again");
            } else if (c->depth >= MAX_DEPTH) {
                kk_emit(c->ops, KK_EV_ERROR, "filesystem", child,
                        "directory nesting deeper than %d levels: not entered", MAX_DEPTH);
                kk_emit_skip(c->ops, "too_deep", child, 1, 0, NULL);
            } else {
                int fd = openat(dirfd(d), names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0) {
                    kk_emit(c->ops, KK_EV_ERROR, "read", child, "cannot open directory: %s",
                            strerror(errno));
                } else {
                    c->depth++;
                    c->stack[c->depth].dev = st.st_dev;
                    c->stack[c->depth].ino = st.st_ino;
                    walk_dir(c, fd, child);
                    c->depth--;
                }
            }
        }
        /* symbolic links, devices, sockets and fifos are not followed or read */
        free(child);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
}

int kk_host_walk(const char *spec, const kk_walk_opts *o, const kk_walk_ops *ops, int is_dir)
{
    host_ctx c;
    memset(&c, 0, sizeof c);
    c.o = o;
    c.ops = ops;
    char *abs = realpath(spec, NULL);
    if (!abs)
        return kk_err_set(KK_ENOENT, "cannot open source '%s': %s", spec, strerror(errno));
    struct stat st;
    if (stat(abs, &st) != 0) {
        free(abs);
        return kk_err_set(KK_EIO, "cannot open source '%s': %s", spec, strerror(errno));
    }
    if (is_dir) {
        int fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            free(abs);
            return kk_err_set(KK_EIO, "cannot open directory '%s': %s", spec, strerror(e));
        }
        c.stack[0].dev = st.st_dev;
        c.stack[0].ino = st.st_ino;
        walk_dir(&c, fd, abs);
    } else {
        char *slash = strrchr(abs, '/');
        char *dir = slash == abs ? kk_strdup("/") : kk_strndup(abs, (size_t)(slash - abs));
        int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd < 0) {
            free(dir);
            free(abs);
            return kk_err_set(KK_EIO, "cannot open '%s': %s", spec, strerror(errno));
        }
        c.rc = do_file(&c, dfd, slash + 1, abs, dir, &st);
        close(dfd);
        free(dir);
    }
    free(abs);
    if (c.rc == KK_OK && c.stopped)
        return kk_err_set(KK_ESTOP, "interrupted");
    return c.rc;
}
