/* custody.c - hash-chained chain-of-custody log (see custody.h). */
#include "custody.h"
#include "evutil.h"
#include "../util/err.h"
#include "../util/json.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define CUSTODY_MAX (256u << 20)

static int read_all_fd(int fd, kk_buf *b)
{
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return kk_err_set(KK_EIO, "cannot read custody log: %s", strerror(errno));
        if (n == 0)
            return KK_OK;
        KK_TRY(kk_buf_add(b, tmp, (size_t)n));
    }
}

int kk_custody_check_buf(const char *data, size_t n, kk_custody_check *out)
{
    memset(out, 0, sizeof *out);
    char prev[65] = ZERO_HASH;
    size_t line = 0, pos = 0;
    while (pos < n) {
        line++;
        const char *nl = memchr(data + pos, '\n', n - pos);
        if (!nl) {
            out->bad_line = line;
            snprintf(out->problem, sizeof out->problem, "line %zu is incomplete (no end of line)", line);
            return KK_OK;
        }
        size_t len = (size_t)(nl - (data + pos));
        json_error_t je;
        json_t *j = json_loadb(data + pos, len, 0, &je);
        if (!j || !json_is_object(j)) {
            json_decref(j);
            out->bad_line = line;
            snprintf(out->problem, sizeof out->problem, "line %zu is not a JSON object", line);
            return KK_OK;
        }
        const char *p = json_string_value(json_object_get(j, "prev"));
        json_int_t seq = json_integer_value(json_object_get(j, "seq"));
        int good = p && !strcmp(p, prev);
        int seq_ok = seq == (json_int_t)line;
        json_decref(j);
        if (!good || !seq_ok) {
            out->bad_line = line;
            snprintf(out->problem, sizeof out->problem,
                     !good ? "line %zu does not chain to the line before it (altered, inserted or "
                             "removed entry)"
                           : "line %zu has a wrong sequence number",
                     line);
            return KK_OK;
        }
        kk_sha256_hex(data + pos, len + 1, prev);
        memcpy(out->head, prev, 65);
        out->entries++;
        pos += len + 1;
    }
    return KK_OK;
}

int kk_custody_check_file(const char *path, kk_custody_check *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return kk_err_set(errno == ENOENT ? KK_ENOENT : KK_EIO, "cannot open custody log '%s': %s", path,
                          strerror(errno));
    kk_buf b;
    kk_buf_init(&b, CUSTODY_MAX);
    int rc = read_all_fd(fd, &b);
    close(fd);
    if (rc == KK_OK)
        rc = kk_custody_check_buf(b.data ? b.data : "", b.len, out);
    kk_buf_free(&b);
    return rc;
}

static void who(char *user, size_t un, char *host, size_t hn)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
        snprintf(user, un, "%s", res->pw_name);
    else
        snprintf(user, un, "uid %u", (unsigned)getuid());
    if (gethostname(host, hn) != 0)
        snprintf(host, hn, "unknown");
    host[hn - 1] = '\0';
}

int kk_custody_append(const char *path, const char *tz, const char *engineer,
                      const kk_custody_info *ci)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return kk_err_set(KK_EIO, "cannot open custody log '%s': %s", path, strerror(errno));
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return kk_err_set(KK_EIO, "cannot lock custody log '%s': %s", path, strerror(errno));
    }
    kk_buf b;
    kk_buf_init(&b, CUSTODY_MAX);
    int rc = read_all_fd(fd, &b);
    char *line = NULL;
    if (rc != KK_OK)
        goto out;
    kk_custody_check chk;
    kk_custody_check_buf(b.data ? b.data : "", b.len, &chk);
    if (chk.bad_line) {
        rc = kk_err_set(KK_EFORMAT, "custody log '%s' is damaged: %s; it is not extended (keep it as it "
                        "is and tell the case owner)", path, chk.problem);
        goto out;
    }
    char now[KK_TIME_LEN], user[128], host[256];
    kk_time_now_zone(tz, now);
    who(user, sizeof user, host, sizeof host);
    json_t *e = json_object();
    json_object_set_new(e, "seq", json_integer((json_int_t)chk.entries + 1));
    json_object_set_new(e, "prev", json_string(chk.entries ? chk.head : ZERO_HASH));
    json_object_set_new(e, "time", json_string(now));
    json_object_set_new(e, "tool", json_string("kaketsuke"));
    kk_jset_str(e, "version", ci->version ? ci->version : "unknown");
    kk_jset_str(e, "command", ci->command);
    json_t *args = json_array();
    for (int i = 0; i < ci->argc; i++)
        json_array_append_new(args, kk_jstr(ci->argv[i]));
    json_object_set_new(e, "args", args);
    kk_jset_str(e, "user", user);
    kk_jset_str(e, "host", host);
    if (engineer && *engineer)
        kk_jset_str(e, "engineer", engineer);
    if (ci->sources) {
        json_t *s = json_array();
        for (size_t i = 0; ci->sources[i]; i++)
            json_array_append_new(s, kk_jstr(ci->sources[i]));
        json_object_set_new(e, "sources", s);
    }
    if (ci->rules_sha256)
        kk_jset_str(e, "rules_sha256", ci->rules_sha256);
    if (ci->counts)
        json_object_set(e, "counts", ci->counts);
    if (ci->extra) {
        const char *k;
        json_t *v;
        json_object_foreach(ci->extra, k, v)
        {
            if (!json_object_get(e, k))
                json_object_set(e, k, v);
        }
    }
    kk_jset_str(e, "result", ci->result ? ci->result : "ok");
    if (ci->message)
        kk_jset_str(e, "message", ci->message);
    line = kk_jdump(e);
    json_decref(e);
    if (!line) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    size_t ll = strlen(line);
    char *full = realloc(line, ll + 2);
    if (!full) {
        rc = kk_err_set(KK_ENOMEM, "out of memory");
        goto out;
    }
    line = full;
    line[ll] = '\n';
    line[ll + 1] = '\0';
    ssize_t w = write(fd, line, ll + 1);
    if (w != (ssize_t)(ll + 1)) {
        int e2 = w < 0 ? errno : ENOSPC;
        if (w > 0) /* never leave half a line: cut it off again */
            if (ftruncate(fd, (off_t)b.len) != 0) { /* nothing more we can do */ }
        rc = kk_err_set(KK_EIO, "cannot write custody log '%s': %s", path, strerror(e2));
        goto out;
    }
    if (fsync(fd) != 0)
        rc = kk_err_set(KK_EIO, "cannot write custody log '%s': %s", path, strerror(errno));
out:
    free(line);
    kk_buf_free(&b);
    flock(fd, LOCK_UN);
    close(fd);
    return rc;
}
