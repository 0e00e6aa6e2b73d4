/* test_source.c - unit tests for src/source: THOR `extension`, exclusion globs, and
 * kk_source_walk over a host directory tree (symlink loop, FIFO, unreadable entries,
 * deep nesting, stop, errors) and over tiny FAT12 and ext2 images made at test time
 * with mkfs.fat + mtools and mke2fs -d (skipped when those tools are missing). */
#include "kk_test.h"

#include "source/source.h"
#include "util/err.h"
#include "util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------ */




static void write_file(const char *dir, const char *rel, const char *content)
{
    char *p = kk_asprintf("%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    free(p);
}


static int have_tool(const char *name)
{
    char *cmd = kk_asprintf("command -v %s >/dev/null 2>&1", name);
    int ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
    va_list ap;
    char *cmd = NULL;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        cmd = NULL;
    va_end(ap);
    assert_non_null(cmd);
    int rc = system(cmd);
    if (rc != 0)
        print_error("command failed (%d): %s\n", rc, cmd);
    free(cmd);
    return rc;
}


/* What a walk saw. */
typedef struct seen_file {
    char *path, *name, *filepath, *owner, *content;
    char inode[64];
    int in_image, deleted, had_reader;
    int read_err;        /* kk_read returned -1 */
    uint64_t err_off;    /* ... at this offset */
    uint64_t size, fs_offset, read_len;
    unsigned times_set;
    int64_t mtime;
} seen_file;

typedef struct seen_ev {
    int kind;
    char *what, *path, *message;
    uint64_t count;
} seen_ev;

typedef struct walk_log {
    seen_file f[512];
    int nf;
    seen_ev e[512];
    int ne;
    int stop_after;  /* stop() returns 1 once this many files were seen (0 = never) */
    int fail_after;  /* file() returns KK_EIO at this file (0 = never) */
} walk_log;

static int on_file(void *ctx, const kk_file *kf, kk_reader *r)
{
    walk_log *l = ctx;
    if (l->fail_after && l->nf + 1 == l->fail_after)
        return kk_err_set(KK_EIO, "callback says stop");
    assert_true(l->nf < 512);
    seen_file *s = &l->f[l->nf++];
    memset(s, 0, sizeof *s);
    assert_non_null(kf->path);
    assert_non_null(kf->name);
    assert_non_null(kf->filepath);
    assert_non_null(kf->owner);
    s->path = strdup(kf->path);
    s->name = strdup(kf->name);
    s->filepath = strdup(kf->filepath);
    s->owner = strdup(kf->owner);
    snprintf(s->inode, sizeof s->inode, "%s", kf->inode);
    s->in_image = kf->in_image;
    s->deleted = kf->deleted;
    s->size = kf->size;
    s->fs_offset = kf->fs_offset;
    s->times_set = kf->times_set;
    s->mtime = kf->mtime;
    s->had_reader = r != NULL;
    if (r) {
        kk_buf b;
        kk_buf_init(&b, 1 << 20);
        char buf[4096];
        uint64_t off = 0;
        for (;;) {
            ssize_t n = kk_read(r, off, buf, sizeof buf);
            if (n < 0) {
                s->read_err = 1;
                s->err_off = off;
                break;
            }
            if (n == 0)
                break;
            assert_int_equal(kk_buf_add(&b, buf, (size_t)n), KK_OK);
            off += (uint64_t)n;
        }
        s->read_len = off;
        s->content = kk_buf_steal(&b);
    }
    return KK_OK;
}

static void on_event(void *ctx, const kk_event *ev)
{
    walk_log *l = ctx;
    assert_true(l->ne < 512);
    seen_ev *e = &l->e[l->ne++];
    e->kind = ev->kind;
    e->what = strdup(ev->what ? ev->what : "");
    e->path = ev->path ? strdup(ev->path) : NULL;
    e->message = strdup(ev->message ? ev->message : "");
    e->count = ev->count;
    /* messages are one line */
    assert_null(strchr(e->message, '\n'));
}

static int on_stop(void *ctx)
{
    walk_log *l = ctx;
    return l->stop_after && l->nf >= l->stop_after;
}

static void log_free(walk_log *l)
{
    for (int i = 0; i < l->nf; i++) {
        free(l->f[i].path);
        free(l->f[i].name);
        free(l->f[i].filepath);
        free(l->f[i].owner);
        free(l->f[i].content);
    }
    for (int i = 0; i < l->ne; i++) {
        free(l->e[i].what);
        free(l->e[i].path);
        free(l->e[i].message);
    }
    free(l);
}

static walk_log *walk(const char *spec, const kk_walk_opts *o, int *rc)
{
    walk_log *l = calloc(1, sizeof *l);
    kk_walk_ops ops = {.ctx = l, .file = on_file, .event = on_event, .stop = on_stop};
    *rc = kk_source_walk(spec, o, &ops);
    return l;
}

static const seen_file *find_file(const walk_log *l, const char *path)
{
    for (int i = 0; i < l->nf; i++)
        if (!strcmp(l->f[i].path, path))
            return &l->f[i];
    return NULL;
}

static const seen_ev *find_event(const walk_log *l, int kind, const char *what, const char *path_part)
{
    for (int i = 0; i < l->ne; i++)
        if (l->e[i].kind == kind && !strcmp(l->e[i].what, what) &&
            (!path_part || (l->e[i].path && strstr(l->e[i].path, path_part))))
            return &l->e[i];
    return NULL;
}

static void dump_log(const walk_log *l)
{
    for (int i = 0; i < l->nf; i++)
        print_message("#   file %s (name %s, filepath %s, inode %s, deleted %d, size %llu)\n",
                      l->f[i].path, l->f[i].name, l->f[i].filepath, l->f[i].inode, l->f[i].deleted,
                      (unsigned long long)l->f[i].size);
    for (int i = 0; i < l->ne; i++)
        print_message("#   event %d %s %s: %s\n", l->e[i].kind, l->e[i].what,
                      l->e[i].path ? l->e[i].path : "-", l->e[i].message);
}

/* ---- kk_extension ------------------------------------------------------------------- */

static void extension_thor(void **state)
{
    (void)state;
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"cmd.exe", ".exe"},
        {"INVOICE.PDF.EXE", ".exe"},
        {"archive.tar.gz", ".gz"},
        {"Makefile", ""},
        {"file.", ""},
        {".bashrc", ""},
        {"a.B", ".b"},
        {"\xe6\x97\xa5\xe6\x9c\xac.TXT", ".txt"},
        {"", ""},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        memset(out, 'X', sizeof out);
        kk_extension(cases[i].name, out, sizeof out);
        if (strcmp(out, cases[i].want))
            fail_msg("extension of '%s': got '%s', want '%s'", cases[i].name, out, cases[i].want);
    }
    /* bounded output */
    char small[4];
    kk_extension("page.html", small, sizeof small);
    assert_string_equal(small, ".ht");
    char one[1] = {'X'};
    kk_extension("a.exe", one, sizeof one);
    assert_int_equal(one[0], '\0');
}

/* ---- kk_path_excluded --------------------------------------------------------------------- */

static void path_excluded_semantics(void **state)
{
    (void)state;
    assert_false(kk_path_excluded(NULL, "/a/b.log", "b.log"));
    const char *none[] = {NULL};
    assert_false(kk_path_excluded(none, "/a/b.log", "b.log"));

    /* without '/': the last component */
    const char *byname[] = {"*.log", "pagefile.sys", NULL};
    assert_true(kk_path_excluded(byname, "/var/log/syslog.log", "syslog.log"));
    assert_true(kk_path_excluded(byname, "/pagefile.sys", "pagefile.sys"));
    assert_false(kk_path_excluded(byname, "/var/log/syslog.log.1", "syslog.log.1"));
    assert_false(kk_path_excluded(byname, "/x.log/file", "file")); /* a directory name is not the name */
    assert_false(kk_path_excluded(byname, "/data/pagefile.sys.bak", "pagefile.sys.bak"));

    /* with '/': the whole path, and '*' crosses '/' */
    const char *bypath[] = {"/proc/*", "*/node_modules/*", NULL};
    assert_true(kk_path_excluded(bypath, "/proc/1/maps", "maps"));
    assert_true(kk_path_excluded(bypath, "/proc/self/task/1/stat", "stat"));
    assert_false(kk_path_excluded(bypath, "/home/proc/x", "x"));
    assert_true(kk_path_excluded(bypath, "/srv/app/node_modules/a/b/c.js", "c.js"));
    assert_false(kk_path_excluded(bypath, "/srv/app/node_modules", "node_modules"));

    /* the first glob that matches wins; order does not matter for the answer */
    const char *mixed[] = {"*.tmp", "/tmp/*", NULL};
    assert_true(kk_path_excluded(mixed, "/tmp/a.txt", "a.txt"));
    assert_true(kk_path_excluded(mixed, "/home/a.tmp", "a.tmp"));
    assert_false(kk_path_excluded(mixed, "/home/a.txt", "a.txt"));

    /* NTFS streams: the name includes :stream */
    const char *ads[] = {"*:Zone.Identifier", NULL};
    assert_true(kk_path_excluded(ads, "/Users/a/x.exe:Zone.Identifier", "x.exe:Zone.Identifier"));
    assert_false(kk_path_excluded(ads, "/Users/a/x.exe", "x.exe"));
}

/* ---- host directory walk -------------------------------------------------------------------- */

/* tree:
 *   a.txt "alpha"        empty (0 bytes)     UPPER.EXE "MZ"
 *   sub/b.bin "bravo"    sub/deeper/c "charlie"
 *   sub/loop -> ..       (directory symlink loop)     link.txt -> a.txt
 *   dangling -> nowhere  fifo (named pipe)            sock (unix socket)
 */
static char *make_tree(void)
{
    char *d = make_tmpdir();
    write_file(d, "a.txt", "alpha");
    write_file(d, "empty", "");
    write_file(d, "UPPER.EXE", "MZ");
    make_dir(d, "sub");
    make_dir(d, "sub/deeper");
    write_file(d, "sub/b.bin", "bravo");
    write_file(d, "sub/deeper/c", "charlie");
    char *p = kk_asprintf("%s/sub/loop", d);
    assert_int_equal(symlink("..", p), 0);
    free(p);
    p = kk_asprintf("%s/link.txt", d);
    assert_int_equal(symlink("a.txt", p), 0);
    free(p);
    p = kk_asprintf("%s/dangling", d);
    assert_int_equal(symlink("nowhere", p), 0);
    free(p);
    p = kk_asprintf("%s/fifo", d);
    assert_int_equal(mkfifo(p, 0644), 0);
    free(p);
    p = kk_asprintf("%s/sock", d);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(p) < sizeof sa.sun_path) {
        strcpy(sa.sun_path, p);
        bind(s, (struct sockaddr *)&sa, sizeof sa);
    }
    close(s);
    free(p);
    return d;
}

static void host_walk_tree(void **state)
{
    (void)state;
    char *d = make_tree();
    int rc;
    walk_log *l = walk(d, NULL, &rc); /* must not hang on the FIFO or loop on sub/loop */
    assert_int_equal(rc, KK_OK);
    if (l->nf != 5)
        dump_log(l);
    assert_int_equal(l->nf, 5); /* a.txt empty UPPER.EXE sub/b.bin sub/deeper/c */

    char *p = kk_asprintf("%s/a.txt", d);
    const seen_file *f = find_file(l, p);
    assert_non_null(f);
    assert_string_equal(f->name, "a.txt");
    assert_string_equal(f->filepath, d); /* the directory, no trailing separator */
    assert_string_equal(f->content, "alpha");
    assert_int_equal(f->size, 5);
    assert_int_equal(f->read_len, 5);
    assert_false(f->read_err);
    assert_false(f->in_image);
    assert_false(f->deleted);
    assert_true(f->times_set & KK_T_MTIME);
    assert_true(f->mtime > 0);
    if (geteuid() == 0)
        assert_string_equal(f->owner, "root");
    free(p);

    p = kk_asprintf("%s/sub/deeper/c", d);
    f = find_file(l, p);
    assert_non_null(f);
    assert_string_equal(f->content, "charlie");
    char *dir = kk_asprintf("%s/sub/deeper", d);
    assert_string_equal(f->filepath, dir);
    free(dir);
    free(p);

    p = kk_asprintf("%s/empty", d);
    f = find_file(l, p);
    assert_non_null(f);
    assert_int_equal(f->size, 0);
    assert_int_equal(f->read_len, 0);
    free(p);

    /* symbolic links, FIFOs and sockets are not followed or read */
    for (int i = 0; i < l->nf; i++) {
        assert_null(strstr(l->f[i].path, "link.txt"));
        assert_null(strstr(l->f[i].path, "loop"));
        assert_null(strstr(l->f[i].path, "fifo"));
        assert_null(strstr(l->f[i].path, "sock"));
        assert_null(strstr(l->f[i].path, "dangling"));
    }
    assert_int_equal(l->ne, 0);
    log_free(l);

    /* a trailing slash or a relative spelling gives the same host paths */
    char *slash = kk_asprintf("%s/", d);
    l = walk(slash, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 5);
    p = kk_asprintf("%s/sub/b.bin", d);
    assert_non_null(find_file(l, p));
    free(p);
    log_free(l);
    free(slash);
    rm_tree(d);
}

static void host_walk_exclude_and_metadata(void **state)
{
    (void)state;
    char *d = make_tree();
    const char *ex[] = {"*.bin", "*/deeper/*", NULL};
    kk_walk_opts o = {.exclude = ex};
    int rc;
    walk_log *l = walk(d, &o, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 3);
    const seen_ev *e = find_event(l, KK_EV_SKIP, "excluded", "b.bin");
    assert_non_null(e);
    assert_int_equal(e->count, 1);
    assert_non_null(find_event(l, KK_EV_SKIP, "excluded", "deeper/c"));
    log_free(l);

    kk_walk_opts m = {.metadata_only = 1};
    l = walk(d, &m, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 5);
    for (int i = 0; i < l->nf; i++)
        assert_false(l->f[i].had_reader);
    log_free(l);
    rm_tree(d);
}

static void host_walk_stop_and_callback_error(void **state)
{
    (void)state;
    char *d = make_tree();
    int rc;
    walk_log *l = calloc(1, sizeof *l);
    l->stop_after = 2;
    kk_walk_ops ops = {.ctx = l, .file = on_file, .event = on_event, .stop = on_stop};
    rc = kk_source_walk(d, NULL, &ops);
    assert_int_equal(rc, KK_ESTOP);
    assert_int_equal(l->nf, 2);
    log_free(l);

    l = calloc(1, sizeof *l);
    l->fail_after = 2;
    ops.ctx = l;
    rc = kk_source_walk(d, NULL, &ops);
    assert_int_equal(rc, KK_EIO); /* the callback's code comes back */
    assert_int_equal(l->nf, 1);
    log_free(l);
    rm_tree(d);
}

static void host_walk_single_file_and_errors(void **state)
{
    (void)state;
    char *d = make_tree();
    int rc;
    char *p = kk_asprintf("%s/sub/b.bin", d);
    walk_log *l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 1);
    assert_string_equal(l->f[0].path, p);
    assert_string_equal(l->f[0].name, "b.bin");
    assert_string_equal(l->f[0].content, "bravo");
    char *dir = kk_asprintf("%s/sub", d);
    assert_string_equal(l->f[0].filepath, dir);
    free(dir);
    log_free(l);
    free(p);

    /* a symlink to a file named as SOURCE: scanned (the user asked for it) */
    p = kk_asprintf("%s/link.txt", d);
    l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 1);
    assert_string_equal(l->f[0].content, "alpha");
    log_free(l);
    free(p);

    p = kk_asprintf("%s/does-not-exist", d);
    l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_ENOENT);
    assert_non_null(strstr(kk_err_msg(), "does-not-exist"));
    log_free(l);
    free(p);

    p = kk_asprintf("%s/fifo", d);
    l = walk(p, NULL, &rc); /* must not block opening the FIFO */
    assert_int_equal(rc, KK_EINVAL);
    assert_non_null(strstr(kk_err_msg(), "fifo"));
    assert_int_equal(l->nf, 0);
    log_free(l);
    free(p);

    p = kk_asprintf("%s/dangling", d);
    l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_ENOENT);
    log_free(l);
    free(p);

    /* a file named like an image that holds none is refused, not scanned as a file */
    write_file(d, "notreally.E01", "just text, not an image\n");
    p = kk_asprintf("%s/notreally.E01", d);
    l = walk(p, NULL, &rc);
    assert_int_not_equal(rc, KK_OK);
    log_free(l);
    free(p);
    write_file(d, "notreally.dd", "just text, not an image\n");
    p = kk_asprintf("%s/notreally.dd", d);
    l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_EFORMAT);
    assert_non_null(strstr(kk_err_msg(), "notreally.dd"));
    log_free(l);
    free(p);
    rm_tree(d);
}

/* Nesting deeper than the walker's cap: reported, not entered, no crash. */
static void host_walk_deep_nesting(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    int fd = open(d, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    for (int i = 0; i < 300; i++) {
        assert_int_equal(mkdirat(fd, "d", 0755), 0);
        int nfd = openat(fd, "d", O_RDONLY | O_DIRECTORY);
        close(fd);
        fd = nfd;
        assert_true(fd >= 0);
        if (i == 10 || i == 299) {
            int f = openat(fd, "f", O_WRONLY | O_CREAT, 0644);
            assert_true(write(f, "x", 1) == 1);
            close(f);
        }
    }
    close(fd);
    int rc;
    walk_log *l = walk(d, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 1); /* the one at depth 11; the one at 300 is too deep */
    const seen_ev *e = find_event(l, KK_EV_SKIP, "too_deep", NULL);
    assert_non_null(e);
    assert_non_null(find_event(l, KK_EV_ERROR, "filesystem", NULL));
    log_free(l);
    rm_tree(d);
}

/* Unreadable file and directory: an error event plus a skip, and the walk goes on.
 * Root reads everything, so as root this runs in a child that becomes nobody. */
static void host_walk_unreadable(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    write_file(d, "ok.txt", "fine");
    write_file(d, "secret.txt", "hidden");
    make_dir(d, "closed");
    write_file(d, "closed/inside.txt", "unseen");
    char *p = kk_asprintf("%s/secret.txt", d);
    chmod(p, 0000);
    free(p);
    p = kk_asprintf("%s/closed", d);
    chmod(p, 0000);
    free(p);
    pid_t pid = fork_child();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0) {
            gid_t g = 65534;
            if (setgroups(1, &g) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
                _exit(50);
        }
        int rc;
        walk_log *l = walk(d, NULL, &rc);
        if (rc != KK_OK)
            _exit(10);
        if (l->nf != 1 || !strstr(l->f[0].path, "ok.txt"))
            _exit(11);
        if (!find_event(l, KK_EV_ERROR, "read", "secret.txt"))
            _exit(12);
        if (!find_event(l, KK_EV_SKIP, "unreadable", "secret.txt"))
            _exit(13);
        if (!find_event(l, KK_EV_ERROR, "read", "closed"))
            _exit(14);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) == 50) {
        rm_tree(d);
        skip();
        return;
    }
    assert_int_equal(WEXITSTATUS(st), 0);
    rm_tree(d);
}

/* ---- images (FAT12 via mkfs.fat + mtools, ext2 via mke2fs -d) --------------------------- */

static int have_fat_tools(void)
{
    return have_tool("mkfs.fat") && have_tool("mcopy") && have_tool("mmd") && have_tool("mdel");
}

/* FAT12: /hello.txt, /Windows/System32/kkevil.dll, deleted /gone.txt */
static char *build_fat12(const char *d)
{
    write_file(d, "h.txt", "hello fat\n");
    write_file(d, "g.txt", "gone but readable\n");
    write_file(d, "m.txt", "KAKETSUKE-SYS32-MARKER\n");
    assert_int_equal(run("cd '%s' && mkfs.fat -C fat12.raw 256 >/dev/null && "
                         "mcopy -i fat12.raw h.txt ::/hello.txt && "
                         "mmd -i fat12.raw ::/Windows ::/Windows/System32 && "
                         "mcopy -i fat12.raw m.txt ::/Windows/System32/kkevil.dll && "
                         "mcopy -i fat12.raw g.txt ::/gone.txt && mdel -i fat12.raw ::/gone.txt",
                         d), 0);
    return kk_asprintf("%s/fat12.raw", d);
}

/* ext2: /etc/passwd, /top, /d/loop -> ., /d/fifo */
static char *build_ext2(const char *d)
{
    make_dir(d, "src");
    make_dir(d, "src/etc");
    make_dir(d, "src/d");
    write_file(d, "src/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
    write_file(d, "src/top", "top level\n");
    char *p = kk_asprintf("%s/src/d/loop", d);
    assert_int_equal(symlink(".", p), 0);
    free(p);
    p = kk_asprintf("%s/src/d/fifo", d);
    assert_int_equal(mkfifo(p, 0644), 0);
    free(p);
    char *img = kk_asprintf("%s/ext2.img", d);
    assert_int_equal(run("mke2fs -q -F -t ext2 -b 1024 -N 32 -d '%s/src' '%s' 128 >/dev/null 2>&1",
                         d, img), 0);
    return img;
}

static void image_walk_fat12(void **state)
{
    (void)state;
    if (!have_fat_tools()) {
        skip();
        return;
    }
    char *d = make_tmpdir();
    char *img = build_fat12(d);
    int rc;
    walk_log *l = walk(img, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    const seen_file *f = find_file(l, "/hello.txt");
    if (!f)
        dump_log(l);
    assert_non_null(f);
    assert_string_equal(f->name, "hello.txt");
    assert_string_equal(f->filepath, "C:"); /* \Windows\System32 is here: C:, root is "C:" */
    assert_string_equal(f->content, "hello fat\n");
    assert_true(f->in_image);
    assert_int_equal(f->fs_offset, 0);
    assert_false(f->deleted);
    assert_true(strlen(f->inode) > 0);
    assert_string_equal(f->owner, "");

    f = find_file(l, "/Windows/System32/kkevil.dll");
    assert_non_null(f);
    assert_string_equal(f->filepath, "C:\\Windows\\System32");
    assert_string_equal(f->content, "KAKETSUKE-SYS32-MARKER\n");

    /* the deleted file: reported as deleted (its name starts with '_' in FAT) */
    const seen_file *del = NULL;
    for (int i = 0; i < l->nf; i++)
        if (l->f[i].deleted)
            del = &l->f[i];
    assert_non_null(del);
    assert_int_equal(del->size, strlen("gone but readable\n"));

    /* no TSK virtual files ($MBR, $FAT1, ...) */
    for (int i = 0; i < l->nf; i++)
        assert_false(strncmp(l->f[i].path, "/$", 2) == 0 && strncmp(l->f[i].path, "/$OrphanFiles/", 14));
    assert_int_equal(l->nf, 3);
    log_free(l);

    /* exclusion inside an image uses the image path */
    const char *ex[] = {"/Windows/*", NULL};
    kk_walk_opts o = {.exclude = ex};
    l = walk(img, &o, &rc);
    assert_int_equal(rc, KK_OK);
    assert_null(find_file(l, "/Windows/System32/kkevil.dll"));
    assert_non_null(find_event(l, KK_EV_SKIP, "excluded", "/Windows/System32/kkevil.dll"));
    log_free(l);

    /* info */
    json_t *info = NULL;
    assert_int_equal(kk_source_info(img, &info), KK_OK);
    assert_string_equal(json_string_value(json_object_get(info, "kind")), "image");
    json_t *fsl = json_object_get(info, "filesystems");
    assert_int_equal(json_array_size(fsl), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fsl, 0), "drive")), "C:");
    json_decref(info);
    free(img);
    rm_tree(d);
}

static void image_walk_ext2(void **state)
{
    (void)state;
    if (!have_tool("mke2fs")) {
        skip();
        return;
    }
    char *d = make_tmpdir();
    char *img = build_ext2(d);
    int rc;
    walk_log *l = walk(img, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    const seen_file *f = find_file(l, "/etc/passwd");
    if (!f)
        dump_log(l);
    assert_non_null(f);
    assert_string_equal(f->filepath, "/etc");
    assert_string_equal(f->name, "passwd");
    assert_string_equal(f->content, "root:x:0:0::/root:/bin/sh\n");
    assert_string_equal(f->owner, "0"); /* ext: the uid */
    assert_true(f->in_image);
    assert_true(f->times_set & KK_T_MTIME);
    f = find_file(l, "/top");
    assert_non_null(f);
    assert_string_equal(f->filepath, "/");
    assert_int_equal(l->nf, 2); /* no symlink, FIFO or directory as a file */
    log_free(l);
    free(img);
    rm_tree(d);
}

/* kk_read: "Returns bytes read (0 at end)". Reading an image file up to its end and
 * then once more must give 0, as for host files, not -1 ("Invalid file offset"). */
static void image_read_at_end_returns_zero(void **state)
{
    (void)state;
    if (!have_fat_tools() || !have_tool("mke2fs")) {
        skip();
        return;
    }
    char *d = make_tmpdir();
    char *imgs[2] = {build_fat12(d), build_ext2(d)};
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        int rc;
        walk_log *l = walk(imgs[k], NULL, &rc);
        assert_int_equal(rc, KK_OK);
        assert_true(l->nf > 0);
        for (int i = 0; i < l->nf; i++) {
            if (l->f[i].read_err) {
                print_message("#   %s: kk_read at offset %llu (size %llu) returned -1\n",
                              l->f[i].path, (unsigned long long)l->f[i].err_off,
                              (unsigned long long)l->f[i].size);
                bad++;
            }
        }
        log_free(l);
        free(imgs[k]);
    }
    rm_tree(d);
    assert_int_equal(bad, 0);
}

/* A file that is not an image (random bytes, text) is scanned as one host file. */
static void image_probe_plain_files(void **state)
{
    (void)state;
    char *d = make_tmpdir();
    char *p = kk_asprintf("%s/blob.bin", d);
    FILE *f = fopen(p, "wb");
    uint32_t x = 7;
    for (int i = 0; i < 65536; i++) {
        x = x * 1664525u + 1013904223u;
        fputc((int)(x >> 24), f);
    }
    fclose(f);
    int rc;
    walk_log *l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 1);
    assert_false(l->f[0].in_image);
    assert_int_equal(l->f[0].read_len, 65536);
    log_free(l);
    free(p);
    /* an empty file too */
    write_file(d, "zero", "");
    p = kk_asprintf("%s/zero", d);
    l = walk(p, NULL, &rc);
    assert_int_equal(rc, KK_OK);
    assert_int_equal(l->nf, 1);
    assert_int_equal(l->f[0].size, 0);
    log_free(l);
    free(p);
    rm_tree(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extension_thor),
        cmocka_unit_test(path_excluded_semantics),
        cmocka_unit_test(host_walk_tree),
        cmocka_unit_test(host_walk_exclude_and_metadata),
        cmocka_unit_test(host_walk_stop_and_callback_error),
        cmocka_unit_test(host_walk_single_file_and_errors),
        cmocka_unit_test(host_walk_deep_nesting),
        cmocka_unit_test(host_walk_unreadable),
        cmocka_unit_test(image_walk_fat12),
        cmocka_unit_test(image_walk_ext2),
        cmocka_unit_test(image_read_at_end_returns_zero),
        cmocka_unit_test(image_probe_plain_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
