/* host.c - live/portable mode: a directory tree or a single file on the host. Files
 * are opened read-only without following symbolic links and without updating atime
 * where the kernel allows it. */
#include "source_i.h"
#include "../util/err.h"
#include "../util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
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
    char **done;    /* priority directories already walked (absolute paths) */
    size_t ndone;
} host_ctx;

static int is_done(const host_ctx *c, const char *path)
{
    for (size_t i = 0; i < c->ndone; i++)
        if (!strcmp(c->done[i], path))
            return 1;
    return 0;
}

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
            } else if (is_done(c, child)) {
                /* scanned already, in a priority place */
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

/* Directories below root matching a glob ("/home/ * /.ssh"; case-insensitive). */
static size_t expand_glob(const char *root, const char *glob, char ***out)
{
    char **cur = malloc(sizeof *cur);
    size_t ncur = 1;
    cur[0] = kk_strdup(root);
    char *g = kk_strdup(glob), *save = NULL;
    for (char *comp = strtok_r(g, "/", &save); comp && ncur; comp = strtok_r(NULL, "/", &save)) {
        char **next = NULL;
        size_t nn = 0;
        for (size_t i = 0; i < ncur; i++) {
            DIR *d = opendir(cur[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) && nn < 4096) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
                    fnmatch(comp, e->d_name, FNM_CASEFOLD) != 0)
                    continue;
                char *p = kk_asprintf("%s%s%s", cur[i], cur[i][strlen(cur[i]) - 1] == '/' ? "" : "/", e->d_name);
                struct stat st;
                if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                    char **v = realloc(next, (nn + 1) * sizeof *v);
                    if (v) {
                        next = v;
                        next[nn++] = p;
                        p = NULL;
                    }
                }
                free(p);
            }
            if (d)
                closedir(d);
            free(cur[i]);
        }
        free(cur);
        cur = next;
        ncur = nn;
    }
    free(g);
    *out = cur;
    return ncur;
}

static void walk_priority(host_ctx *c, const char *root, const char *const *globs)
{
    for (; *globs && c->rc == KK_OK && !c->stopped; globs++) {
        char **dirs = NULL;
        size_t n = expand_glob(root, *globs, &dirs);
        for (size_t i = 0; i < n; i++) {
            int skip = 0;
            for (size_t k = 0; k < c->ndone; k++) /* inside one already walked */
                skip |= !strncmp(dirs[i], c->done[k], strlen(c->done[k])) &&
                        (dirs[i][strlen(c->done[k])] == '/' || !dirs[i][strlen(c->done[k])]);
            struct stat st;
            int fd = skip ? -1 : open(dirs[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0 && fstat(fd, &st) == 0 && c->rc == KK_OK) {
                c->depth = 1;
                c->stack[1].dev = st.st_dev;
                c->stack[1].ino = st.st_ino;
                walk_dir(c, fd, dirs[i]);
                c->depth = 0;
                char **v = realloc(c->done, (c->ndone + 1) * sizeof *v);
                if (v) {
                    c->done = v;
                    c->done[c->ndone++] = dirs[i];
                    dirs[i] = NULL;
                }
            } else if (fd >= 0) {
                close(fd);
            }
            free(dirs[i]);
        }
        free(dirs);
    }
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
        if (o && o->priority)
            walk_priority(&c, abs, o->priority);
        if (o && o->priority_only)
            close(fd);
        else
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
    for (size_t i = 0; i < c.ndone; i++)
        free(c.done[i]);
    free(c.done);
    if (c.rc == KK_OK && c.stopped)
        return kk_err_set(KK_ESTOP, "interrupted");
    return c.rc;
}
