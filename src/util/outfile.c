#include "outfile.h"
#include "err.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kk_outfile_open(kk_outfile *o, const char *path, int force)
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", strcmp(path, "-") ? path : "stdout");
    if (!strcmp(path, "-")) {
        o->fp = stdout;
        return KK_OK;
    }
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* a device or pipe (/dev/null, /dev/stdout, a FIFO): written in place */
        o->fp = fopen(path, "w");
        if (!o->fp)
            return kk_err_set(KK_EIO, "cannot open output '%s': %s", path, strerror(errno));
        o->stream = 1;
        return KK_OK;
    }
    if (exists && !force)
        return kk_err_set(KK_EEXIST, "output '%s' already exists (use --force to replace it)", path);
    o->path = kk_strdup(path);
    o->tmp = kk_asprintf("%s.part", path);
    if (!o->path || !o->tmp)
        return kk_err_set(KK_ENOMEM, "out of memory");
    int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || !(o->fp = fdopen(fd, "w"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(o->path);
        free(o->tmp);
        o->path = o->tmp = NULL;
        return kk_err_set(KK_EIO, "cannot create output '%s.part': %s", path, strerror(e));
    }
    return KK_OK;
}

int kk_outfile_write(kk_outfile *o, const char *s, size_t n)
{
    if (o->failed)
        return KK_EIO;
    if (fwrite(s, 1, n, o->fp) != n || fflush(o->fp) != 0) {
        o->failed = 1;
        return kk_err_set(KK_EIO, "cannot write output '%s': %s", o->tmp ? o->tmp : o->name,
                          strerror(errno));
    }
    return KK_OK;
}

int kk_outfile_commit(kk_outfile *o)
{
    if (!o->fp)
        return KK_OK;
    if (!o->path) {
        int rc = fflush(o->fp) == 0 && !o->failed ? KK_OK
                     : kk_err_set(KK_EIO, "cannot write output: %s", strerror(errno));
        if (o->stream && fclose(o->fp) != 0 && rc == KK_OK)
            rc = kk_err_set(KK_EIO, "cannot write output: %s", strerror(errno));
        o->fp = NULL;
        return rc;
    }
    int rc = KK_OK;
    if (o->failed || fflush(o->fp) != 0 || fsync(fileno(o->fp)) != 0)
        rc = kk_err_set(KK_EIO, "cannot write output '%s': %s", o->tmp, strerror(errno));
    if (fclose(o->fp) != 0 && rc == KK_OK)
        rc = kk_err_set(KK_EIO, "cannot close output '%s': %s", o->tmp, strerror(errno));
    o->fp = NULL;
    if (rc == KK_OK && rename(o->tmp, o->path) != 0)
        rc = kk_err_set(KK_EIO, "cannot rename '%s' to '%s': %s", o->tmp, o->path, strerror(errno));
    if (rc == KK_OK) {
        /* make the rename durable */
        char *d = kk_strdup(o->path);
        int dfd = d ? open(dirname(d), O_RDONLY | O_DIRECTORY) : -1;
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(d);
    }
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
    return rc;
}

void kk_outfile_abort(kk_outfile *o)
{
    if (o->fp && (o->path || o->stream))
        fclose(o->fp);
    else if (o->fp)
        fflush(o->fp);
    o->fp = NULL;
    free(o->path);
    free(o->tmp);
    o->path = o->tmp = NULL;
}

int kk_write_file_atomic(const char *path, const void *data, size_t n, int force)
{
    kk_outfile o;
    KK_TRY(kk_outfile_open(&o, path, force));
    int rc = kk_outfile_write(&o, data, n);
    if (rc == KK_OK)
        return kk_outfile_commit(&o);
    kk_outfile_abort(&o);
    return rc;
}
